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
