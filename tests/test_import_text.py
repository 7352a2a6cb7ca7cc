"""Portal text: the ways tables are written in stored page text, values as published, labels
as they vary, the format told from the labels, unit and date from title and signature."""
from __future__ import annotations

import pytest

from gaixl.errors import InputError, UsageError
from gaixl.importers import import_source
from gaixl.importers.normalize import norm, strip_pinyin
from gaixl.importers.numbers import is_value, read_value
from gaixl.importers.text import decode, text_source

T21_HEAD = "二、主动公开政府信息情况\n第二十条第(一)项\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"


def imp(text: str, year: int = 2022, **kw):
    return import_source(text_source(text), year=year, **kw)


def cell(res, group, row, col):
    return res.data.tables[group][row][col]


# ---------------------------------------------------------------- normalising
def test_norm_folds_the_variations_of_real_labels():
    assert norm("(二)部分公開(區分處理的,只計這一情況,不計其他情形)") == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert norm("本年收费金额(单位:万元)") == "本年收费金额（单位：万元）"
    assert norm("商业\n企业") == norm("商业 企业") == "商业企业"
    assert norm("現行有效件") == "现行有效件数"
    assert strip_pinyin("根據(jù)規(guī)定") == "根據規定"
    assert strip_pinyin("(一)予以公开") == "(一)予以公开"   # not pinyin: kept


@pytest.mark.parametrize("raw,kind,value", [
    ("0", "count", 0), ("12", "count", 12), ("1,234", "count", 1234), ("３", "count", 3),
    ("减4", "signed", -4), ("減5", "signed", -5), ("增4", "signed", 4), ("+3", "signed", 3), ("-2", "signed", -2),
    ("251000元", "money", 251000), ("2400元", "amount", 0.24), ("1.5万元", "amount", 1.5),
])
def test_values_as_published(raw, kind, value):
    assert is_value(raw)
    assert read_value(raw, kind)[0] == value


@pytest.mark.parametrize("raw", ["-", "—", "/", "无", "無"])
def test_dashes_are_zero_with_a_note(raw):
    value, note = read_value(raw, "count")
    assert value == 0 and note.code == "import-dash" and raw in note.message


@pytest.mark.parametrize("raw", ["", "规章", "2021年1月11日", "（一）予以公开", "第二十条第(一)项", "1.属于国家秘密"])
def test_labels_are_not_values(raw):
    assert not is_value(raw)


def test_decode_gbk_and_utf16():
    text = "规章 | 0 | 0 | 0"
    assert decode(text.encode("gb18030")) == text
    assert decode(text.encode("utf-16")) == text
    assert decode("\ufeff".encode() + text.encode()) == text


# ---------------------------------------------------------------- the ways of writing a table
def test_pipe_rows():
    res = imp(T21_HEAD + "规章 | 1 | 2 | 3 | |\n行政规范性文件 | 4 | 0 | 9 | |\n")
    assert [cell(res, "二", "规章", c) for c in ("本年制发件数", "本年废止件数", "现行有效件数")] == [1, 2, 3]
    assert cell(res, "二", "行政规范性文件", "现行有效件数") == 9


def test_cell_per_line_with_pipe_suffix_and_empty_cells():
    text = T21_HEAD + "规章 |\n0 |\n|\n5 |\n||\n行政规范性文件 |\n1 |\n2 |\n3 |\n"
    res = imp(text)
    assert cell(res, "二", "规章", "本年制发件数") == 0
    assert cell(res, "二", "规章", "本年废止件数") is None          # published blank: blank, not 0
    assert cell(res, "二", "规章", "现行有效件数") == 5
    assert any(f.code == "import-blank" and f.row == "规章" for f in res.findings)


def test_cell_then_pipe_line_style_with_split_headers():
    text = ("第二十条第(一)项\n|\n信息内容\n|\n本年制发\n件数\n|\n本年废止件数\n|\n现行有效件数\n|\n"
            "规章\n|\n7\n|\n8\n|\n9\n|\n")
    res = imp(text)
    assert [cell(res, "二", "规章", c) for c in ("本年制发件数", "本年废止件数", "现行有效件数")] == [7, 8, 9]


def test_blank_line_stream_places_only_what_is_certain():
    t3 = ("三、收到和处理政府信息公开申请情况\n\n申请人情况\n\n自然人\n\n法人或其他组织\n\n总计\n\n"
          "一、本年新收政府信息公开申请数量\n\n5\n\n2\n\n\n\n\n1\n\n8\n\n"
          "二、上年结转政府信息公开申请数量\n\n0\n\n0\n\n0\n\n0\n\n0\n\n0\n\n0\n\n")
    res = imp(t3)
    row = res.data.tables["三"]["一、本年新收政府信息公开申请数量"]
    assert row["自然人"] == 5 and row["商业企业"] == 2 and row["总计"] == 8
    assert all(row[c] is None for c in ("科研机构", "社会公益组织", "法律服务机构", "其他"))
    assert all(v == 0 for v in res.data.tables["三"]["二、上年结转政府信息公开申请数量"].values())


def test_total_not_anchored_when_it_is_not_the_sum():
    t3 = "一、本年新收政府信息公开申请数量\n\n5\n\n\n\n\n\n2\n\n二、上年结转政府信息公开申请数量\n"
    res = imp(t3)
    row = res.data.tables["三"]["一、本年新收政府信息公开申请数量"]
    assert row["自然人"] == 5 and row["总计"] is None       # 2 ≠ 5: its column is unknown
    assert any("2" in u["reason"] for u in res.not_placed if u["row"] == "一、本年新收政府信息公开申请数量")


def test_more_values_than_columns_places_nothing():
    res = imp(T21_HEAD + "规章 | 1 | 2 | 3 | 4 |\n")
    assert all(v is None for v in res.data.tables["二"]["规章"].values())
    assert any(u["row"] == "规章" and "多于" in u["reason"] for u in res.not_placed)


def test_space_separated_numbers_after_a_label():
    text = ("四、结转下年度继续办理 1 0 0 0 0 0 1\n四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n"
            + " ".join(str(i) for i in range(15)) + "\n")
    res = imp(text, year=2020)
    assert cell(res, "三", "四、结转下年度继续办理", "总计") == 1
    assert [cell(res, "四", "行政复议", c) for c in ("结果维持", "总计")] == [0, 4]
    assert cell(res, "四", "复议后起诉", "总计") == 14


def test_table4_with_wrong_count_is_not_placed():
    res = imp("四、政府信息公开行政复议、行政诉讼情况\n行政复议 | 行政诉讼\n0 | 0 | 0 | 0 | 0 | 0 | 0\n")
    assert all(v is None for cols in res.data.tables["四"].values() for v in cols.values())
    assert any(u["table"] == "四" and "15" in u["reason"] for u in res.not_placed)


def test_totals_are_kept_as_published_so_mistakes_are_found():
    text = T21_HEAD + ("三、收到和处理政府信息公开申请情况\n"
                       "一、本年新收政府信息公开申请数量 | 3 | 0 | 0 | 0 | 0 | 0 | 4 |\n")
    res = imp(text)
    assert cell(res, "三", "一、本年新收政府信息公开申请数量", "总计") == 4
    bad = [f for f in res.findings if f.code == "t3-row-total"]
    assert bad and bad[0].found == 4 and bad[0].expected == 3


def test_units_in_amounts_are_converted_and_said():
    text = ("第二十条第(八)项\n信息内容 | 本年收费金额(单位:万元)\n行政事业性收费 | 2400元 |\n")
    res = imp(text)
    assert cell(res, "二", "行政事业性收费", "本年收费金额") == 0.24
    assert any(f.code == "cell-money-unit" for f in res.findings)


def test_row_labels_with_notes_and_typos():
    text = ("三、收到和处理政府信息公开申请情况\n"
            "(二)部分公开(区分处理的,只计这一情况,不计其他情形) | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n"
            "5.属于三类内容事务信息 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n"
            "(三) 不予公开 | 3.其他 | 0 | 0 | 0 | 0 | 0 | 1 | 1 |\n")
    res = imp(text)
    assert cell(res, "三", "三、（二）部分公开", "总计") == 1
    assert cell(res, "三", "三、（三）5.属于三类内部事务信息", "自然人") == 2
    assert cell(res, "三", "三、（六）3.其他", "其他") == 1


def test_rows_outside_the_format_are_said():
    text = ("第二十条第(一)项 |\n信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n"
            "规章 | 0 | 0 | 0 |\n其他主动公开文件 | 186 | 86 | 255 |\n")
    res = imp(text, year=2020)
    extra = [u for u in res.not_placed if u["row"] == "其他主动公开文件"]
    assert extra and extra[0]["value"] == "186、86、255"


# ---------------------------------------------------------------- format, unit, date
def test_format_from_labels_overrides_year_with_a_finding():
    text = ("第二十条第(一)项\n信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量\n规章 | 0 | 0 | 0\n"
            "第二十条第(九)项\n信息内容 | 采购项目数量 | 采购总金额\n政府集中采购 | 3 | 251000元\n")
    res = imp(text, year=2023)
    assert res.format == "2019"
    assert cell(res, "二", "政府集中采购", "采购总金额") == 251000
    assert any(f.code == "import-format-year" for f in res.findings)


def test_year_alone_decides_when_labels_are_common_to_both():
    res = imp("三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1\n",
              year=2020)
    assert res.format == "2019"
    with pytest.raises(UsageError):
        imp("一、本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1\n", year=None)


def test_unit_and_date_from_title_and_signature():
    text = ("某县审计局2021年政府信息公开工作年度报告\n一、总体情况\n本年度我局认真落实条例。\n"
            + T21_HEAD + "规章 | 0 | 0 | 0\n六、其他需要报告的事项\n本年度未收取信息处理费。\n某县审计局\n2022年1月20日\n")
    res = imp(text, year=None)
    assert res.data.year == 2021
    assert res.data.unit["name"] == "某县审计局"
    assert res.data.signature == {"unit": "某县审计局", "date": "2022-01-20"}
    assert res.data.text["六、其他需要报告的事项"] == ["本年度未收取信息处理费。"]
    named = imp(text, year=2021, unit="另一单位")
    assert named.data.unit["name"] == "另一单位"


def test_no_table_at_all_is_an_input_error():
    with pytest.raises(InputError):
        imp("这是一段与年度报告无关的文字。\n第二段。\n")


def test_units_printed_in_the_header_are_converted_and_said():
    res = imp("第二十条第(九)项\n信息内容 | 采购项目数量 | 采购总金额(万元)\n政府集中采购 | 3 | 53.29\n", year=2020)
    assert cell(res, "二", "政府集中采购", "采购总金额") == 532900
    res = imp("第二十条第(八)项\n信息内容 | 本年收费金额(单位:元)\n行政事业性收费 | 2400\n")
    assert cell(res, "二", "行政事业性收费", "本年收费金额") == 0.24
    assert any(f.code == "import-header-unit" for f in res.findings)


def test_tab_separated_rows_show_empty_cells():
    res = imp(T21_HEAD + "规章\t1\t\t3\n")
    assert [cell(res, "二", "规章", c) for c in ("本年制发件数", "本年废止件数", "现行有效件数")] == [1, None, 3]


def test_wrapped_row_label_in_a_stream():
    text = ("三、收到和处理政府信息公开申请情况\n(二)部分公开(区分处理的,只计这一情形,不\n计其他情形)\n"
            "1\n0\n0\n0\n0\n0\n1\n")
    res = imp(text)
    assert res.data.tables["三"]["三、（二）部分公开"]["总计"] == 1


def test_signature_on_one_line_and_footer_after_it():
    text = (T21_HEAD + "规章 | 0 | 0 | 0\n六、其他需要报告的事项\n无。\n某镇人民政府 二〇二三年一月三十一日\n打印本页\n关闭窗口\n")
    res = imp(text)
    assert res.data.signature == {"unit": "某镇人民政府", "date": "2023-01-31"}
    assert res.data.text["六、其他需要报告的事项"] == ["无。"]
    assert [u["text"] for u in res.data.extra["import"]["unplaced_text"]] == ["打印本页", "关闭窗口"]


def test_a_lost_empty_cell_does_not_shift_numbers():
    # one `|` of five lost: 56 … 56 has 6 cells for 7 columns; the second 56 is the total, not 其他
    text = "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 |\n56 |\n|\n|\n|\n|\n56 |\n"
    res = imp(text)
    row = res.data.tables["三"]["一、本年新收政府信息公开申请数量"]
    assert row["自然人"] == 56 and row["总计"] == 56 and row["其他"] is None


def test_rows_of_the_other_format_are_said_not_placed():
    text = ("三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1\n"
            "(六)其他处理 | 1 | 0 | 0 | 0 | 0 | 0 | 1\n")
    res = imp(text, year=2022, layout="2021")
    said = [u for u in res.not_placed if u["row"] == "(六)其他处理"]
    assert said and "2019" in said[0]["reason"] and said[0]["value"] == "1、0、0、0、0、0、1"


def test_unknown_label_in_a_stream_with_numbers_is_said():
    text = T21_HEAD + "规章\n\n0\n\n0\n\n0\n\n其他文件\n\n7\n\n8\n\n9\n\n行政规范性文件\n\n1\n\n2\n\n3\n"
    res = imp(text)
    assert cell(res, "二", "行政规范性文件", "现行有效件数") == 3
    assert any(u["row"] == "其他文件" and u["value"] == "7、8、9" for u in res.not_placed)


@pytest.mark.parametrize("lines,unit,year", [
    (["缙云县财政局", "2020年政府信息公开工作年度报告"], "缙云县财政局", 2020),
    (["2022年度螅镇政府信息公开工作年度报告"], "螅镇", 2022),
    (["2022年度某县人民政府信息公开工作年度报告"], "某县人民政府", 2022),
    (["縉雲縣人力資源和社會保障局2020年度政府信息公開工作年度報告"], "缙云县人力资源和社会保障局", 2020),
    (["关于2022年度政府信息公开情况的报告"], "", 2022),
    (["缙云县人力资源和社会保障局 2020 年政府信", "息公开工作年度报告"], "缙云县人力资源和社会保障局", 2020),
])
def test_unit_and_year_from_the_title(lines, unit, year):
    from gaixl.importers.narrative import build
    from gaixl.spec.load import load_layout

    n = build([("", t, "") for t in lines] + [("六", "无。", "")], {"六": 1}, load_layout("2021"))
    assert (n.title_unit, n.title_year) == (unit, year)
    assert n.unplaced == []
