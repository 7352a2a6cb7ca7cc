"""Glued text, rows of one column: a label with its one number run on (行政处罚9,
行政事业性收费17.9) is simply the row and its value — nothing to split, so it is placed as it
stands (one digit or a decimal included) and not said as a split inferred from arithmetic."""
from __future__ import annotations

from gaixl.importers import import_source
from gaixl.importers.text import text_source

TABLE_TWO = """二、主动公开政府信息情况
第二十条第（一）项
信息内容本年制发件数本年废止件数现行有效件数
规章12131
行政规范性文件81615
第二十条第（五）项
信息内容本年处理决定数量
行政许可12
第二十条第（六）项
信息内容本年处理决定数量
行政处罚9
行政强制0
第二十条第（八）项
信息内容本年收费金额（单位：万元）
行政事业性收费17.9
"""


def test_one_column_rows_glued_are_placed_as_they_stand():
    res = import_source(text_source(TABLE_TWO), year=2022)
    two = res.data.tables["二"]
    assert two["行政许可"] == {"本年处理决定数量": 12}
    assert two["行政处罚"] == {"本年处理决定数量": 9}          # one digit: was "not found"
    assert two["行政强制"] == {"本年处理决定数量": 0}
    assert two["行政事业性收费"] == {"本年收费金额": 17.9}      # a decimal: was lost
    said = {(f.code, f.row) for f in res.findings if f.table == "二"}
    assert not any(code == "import-split-inferred" for code, _row in said)
    assert not any(code == "import-table-missing" for code, _row in said)


def test_rows_of_several_columns_still_need_a_split_that_fits():
    res = import_source(text_source(TABLE_TWO), year=2022)
    two = res.data.tables["二"]
    # 12131 in three columns: 1|2|131, 1|21|31, 12|1|31 … — no rule tells them apart
    assert two["规章"] == {"本年制发件数": None, "本年废止件数": None, "现行有效件数": None}
    why = [f.message for f in res.findings if f.code == "import-not-placed" and f.row == "规章"]
    assert why and "拆分不止一种" in why[0] and "12131" in why[0]


def test_a_count_and_an_amount_run_together_are_said_not_placed():
    text = "二、主动公开政府信息情况\n第二十条第（九）项\n信息内容采购项目数量采购总金额\n政府集中采购759115.34\n"
    res = import_source(text_source(text), year=2020)
    assert res.data.tables["二"]["政府集中采购"] == {"采购项目数量": None, "采购总金额": None}
    why = [f.message for f in res.findings if f.code == "import-not-placed" and f.row == "政府集中采购"]
    assert why and "759115.34" in why[0] and "含小数" in why[0]       # was silently lost


TABLE_FOUR = """四、政府信息公开行政复议、行政诉讼情况
行政复议行政诉讼
未经复议直接起诉复议后起诉
结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计
{digits}
"""


def test_table_four_run_together_longer_than_any_one_number():
    # 27 digits on a line of their own (no label): was taken for text, and 四 said missing
    res = import_source(text_source(TABLE_FOUR.format(digits="182041432020101464111119849")), year=2022)
    assert res.data.tables["四"] == {
        "行政复议": {"结果维持": 18, "结果纠正": 20, "其他结果": 4, "尚未审结": 1, "总计": 43},
        "未经复议直接起诉": {"结果维持": 20, "结果纠正": 20, "其他结果": 10, "尚未审结": 14, "总计": 64},
        "复议后起诉": {"结果维持": 11, "结果纠正": 11, "其他结果": 19, "尚未审结": 8, "总计": 49}}
    assert [f.code for f in res.findings if f.table == "四"] == ["import-split-inferred"]


def test_table_four_run_together_with_a_wrong_total_is_not_placed():
    # the same with the first 总计 published as 44: no split fits, said with the reason, nothing placed
    res = import_source(text_source(TABLE_FOUR.format(digits="182041442020101464111119849")), year=2022)
    assert all(v is None for row in res.data.tables["四"].values() for v in row.values())
    said = [f for f in res.findings if f.table == "四"]
    assert said and all(f.code == "import-not-placed" for f in said)
    assert "182041442020101464111119849" in said[0].message
