"""text-table-mismatch: the figures the narrative states for table quantities agree with the tables.

Precision first: the consistent report below (written the way county offices write theirs) must
stay silent in every figure; each inconsistent sentence gives exactly one warning with the
sentence, the section and paragraph (sheet!cell in a workbook), expected = table, found = text.
"""
from __future__ import annotations

import json

import pytest
from helpers import consistent_data
from typer.testing import CliRunner

from gaixl.cli import app
from gaixl.consolidation.outputs import FEEDBACK_DIR
from gaixl.report.data import dump_data
from gaixl.spec.load import load_layout
from gaixl.spec.rules import CellRef
from gaixl.validation.textnumbers import check_text_numbers, cn_number, quantities, statements
from gaixl.validation.validate import validate

L21 = load_layout("2021")
L19 = load_layout("2019")


def report_2025(**override):
    """A 2025 区政府 report whose tables hold the numbers its (consistent) narrative states."""
    d = consistent_data(L21, 2025, seed=3, name="某市某区人民政府")
    cells = {("t3", "new"): 95, ("t3", "carried_in"): 4, ("t3", "granted"): 41, ("t3", "partial"): 7,
             ("t3", "denied_3"): 2, ("t3", "unable_1"): 23, ("t3", "noproc_2"): 5, ("t3", "other_3"): 3,
             ("t3", "carried_out"): 18}
    cells.update(override)
    t3 = L21.tables["t3"]
    for r in t3.data_rows:
        if r.computed:
            continue
        for c in t3.data_columns:
            if not c.computed:
                d.set_value(L21, CellRef("t3", r.key, c.key), 0)
        d.set_value(L21, CellRef("t3", r.key, "natural"), cells.get(("t3", r.key), 0))
    for c in L21.tables["t4"].data_columns:
        if not c.computed:
            d.set_value(L21, CellRef("t4", "cases", c.key), 0)
    d.set_value(L21, CellRef("t4", "cases", "rev_upheld"), 3)
    d.set_value(L21, CellRef("t4", "cases", "dir_pending"), 1)
    d.set_value(L21, CellRef("art20_1", "normative", "issued"), 6)
    d.set_value(L21, CellRef("art20_1", "normative", "repealed"), 2)
    d.set_value(L21, CellRef("art20_1", "normative", "in_force"), 38)
    d.set_value(L21, CellRef("art20_5", "licensing", "decisions"), 1268)
    d.set_value(L21, CellRef("art20_8", "fees", "amount"), 12.5)
    from gaixl.spec.rules import compute
    for ref, v in compute(L21, lambda ref: d.number(L21, ref)).items():
        d.set_value(L21, ref, v)
    return d


CONSISTENT = {
    "一、总体情况": [
        "2025年，某区人民政府深入贯彻落实《中华人民共和国政府信息公开条例》，现将本年度政府信息公开工作情况报告如下。",
        "（一）主动公开。全年通过区政府门户网站主动公开政府信息5632条，较上年增长12.3%，其中政策文件218条。"
        "本年制发行政规范性文件6件，废止2件，现行有效行政规范性文件38件。作出行政许可决定1268件。",
        "（二）依申请公开。全年共受理政府信息公开申请95件，同比增加21件，上年结转4件；其中自然人申请90件、"
        "法人或其他组织申请5件。2024年受理申请74件。本年度共答复81件（含上年结转4件），其中予以公开41件，"
        "部分公开7件，不予公开2件，无法提供23件，不予处理5件，其他处理3件，结转下年度继续办理18件。",
        "（三）政府信息管理。区政府办代表区政府受理政府信息公开申请95件，按时答复率100%，办理行政复议案件120件"
        "（含其他领域），近三年累计受理申请约300件。",
        "（四）监督保障。全年因政府信息公开被申请行政复议3件，被提起行政诉讼1件，均依法妥善处理。",
    ],
    "五、存在的主要问题及改进情况": ["一是依申请公开答复质量有待提高，2024年报告指出的3个问题已全部整改。"],
    "六、其他需要报告的事项": ["本年度收取行政事业性收费12.5万元。本年度未收取信息处理费，发出收费通知0件。"],
}


def with_text(d, text):
    for h in d.text:
        d.text[h] = list(text.get(h, ["无。"]))
    return d


def mismatches(d, layout=L21, locator=None):
    return [f for f in check_text_numbers(d, layout, locator)]


def test_chinese_numerals():
    assert [cn_number(s) for s in ("十七", "一百零五", "两千三百", "三万二千", "二十", "九")] == [17, 105, 2300, 32000, 20, 9]
    assert cn_number("二三") is None and cn_number("件") is None


def test_a_consistent_report_is_silent():
    d = with_text(report_2025(), CONSISTENT)
    assert mismatches(d) == []
    # … and it did read the figures (a check that reads nothing would also be silent)
    said = [(s.quantity.name, s.value) for p in CONSISTENT["一、总体情况"] for s in statements(p, quantities("2021"), 2025)]
    assert ("本年新收政府信息公开申请数量", 95) in said and ("予以公开", 41) in said and ("不予公开", 2) in said
    assert ("政府信息公开行政复议", 3) in said and ("政府信息公开行政诉讼", 1) in said
    assert ("本年制发行政规范性文件", 6) in said and ("行政许可处理决定数量", 1268) in said
    assert ("结转下年度继续办理的申请数量", 18) in said and ("上年结转政府信息公开申请数量", 4) in said


@pytest.mark.parametrize("sentence,quantity,found,expected", [
    ("全年共受理政府信息公开申请97件。", "本年新收政府信息公开申请数量", 97, 95),
    ("区政府办代表区政府受理政府信息公开申请十七件。", "本年新收政府信息公开申请数量", 17, 95),
    ("本年度共收到依申请公开九十件，办理情况良好。", "本年新收政府信息公开申请数量", 90, 95),
    ("收到申请96件，均已按期答复。", "本年新收政府信息公开申请数量", 96, 95),
    ("全年共办结政府信息公开申请80件。", "本年度办理结果总计", 80, 81),
    ("其中，予以公开40件。", "予以公开", 40, 41),
    ("不予公开3件。", "不予公开", 3, 2),
    ("无法提供二十二件。", "无法提供", 22, 23),
    ("结转下年度继续办理19件。", "结转下年度继续办理的申请数量", 19, 18),
    ("全年因政府信息公开被申请行政复议4件。", "政府信息公开行政复议", 4, 3),
    ("政府信息公开行政诉讼案件共2件。", "政府信息公开行政诉讼", 2, 1),
    ("现行有效行政规范性文件40件。", "现行有效行政规范性文件", 40, 38),
    ("收取行政事业性收费13万元。", "行政事业性收费金额", 13, 12.5),
    # as real reports write them (tests/data/narratives): the figure before the noun, 依申请公开
    # 政府信息, 条 for applications, 上年转结, a breakdown in brackets after the total
    ("区政府办公室共受理97件政府信息公开申请（均为自然人提交）。", "本年新收政府信息公开申请数量", 97, 95),
    ("共收到96份政府信息公开申请，均为自然人申请。", "本年新收政府信息公开申请数量", 96, 95),
    ("新收到依申请公开政府信息96件，均在法定期限内予以答复。", "本年新收政府信息公开申请数量", 96, 95),
    ("全年收到依申请公开信息96条，答复率100%。", "本年新收政府信息公开申请数量", 96, 95),
    ("我局今年共收到信息公开96件（其中来局申请2件）。", "本年新收政府信息公开申请数量", 96, 95),
    ("上年转结5件。", "上年结转政府信息公开申请数量", 5, 4),
    ("剩余19件结转下年度继续办理。", "结转下年度继续办理的申请数量", 19, 18),
    ("因政府信息依申请公开引起行政复议4件。", "政府信息公开行政复议", 4, 3),
    ("2025年度发生行政复议案件4件，为其他结果。", "政府信息公开行政复议", 4, 3),   # table 四's own words
    # the total after its parts (2024-xianyang-qindu-qu): the total, never the first part
    ("全年依申请公开共收到群众网上申请80件，快递17件，合计97件。", "本年新收政府信息公开申请数量", 97, 95),
    ("全年共受理政府信息公开申请，网上申请80件，信函16件，合计96件。", "本年新收政府信息公开申请数量", 96, 95),
    ("本年度收到依申请公开申请：网上80件、信函10件、当面6件，共计96件。", "本年新收政府信息公开申请数量", 96, 95),
])
def test_a_figure_that_differs_is_said_once(sentence, quantity, found, expected):
    d = with_text(report_2025(), {"一、总体情况": ["2025年，我区扎实推进政务公开。", sentence]})
    got = mismatches(d)
    assert len(got) == 1, [f.message for f in got]
    f = got[0]
    assert (f.code, f.severity, f.table) == ("text-table-mismatch", "warning", "text")
    assert (f.expected, f.found) == (expected, found)
    assert quantity in f.message and sentence.rstrip("。") in f.message
    assert f.row == "一、总体情况" and f.column == "第2段" and "第2段" in f.message


@pytest.mark.parametrize("sentence", [
    "全年共受理政府信息公开申请95件，较上年增加21件。",           # a comparison
    "受理申请数量同比减少3件。",
    "2024年受理政府信息公开申请74件。",                         # another year
    "上一年度受理政府信息公开申请74件。",
    "收到申请95件，其中网上申请80件，当面申请15件。",              # subsets
    "区政府办受理的申请中，其中通过网络受理政府信息公开申请60件。",
    "共答复3050件（含上年结转4件）。",                           # a sum spelled out (its part agrees)
    "收到政府信息公开申请99件（含上年结转4件）。",
    "依申请公开按时答复率100%。",                               # a percentage
    "全年受理政府信息公开申请近百件，约100件。",                  # approximate
    "收到申请100余件。",
    "全年办理行政复议案件120件。",                               # not about disclosure: not in the tables
    "主动公开政府信息5632条，组织培训12次，发布解读稿件30件。",     # things the tables do not count
    "第3件申请已答复。",
    "全年受理群众来信来访申请56件，办理人大建议答复12件。",          # other applications, other answers
    "共收到政府信息公开申请95件（其中上年结转4件）。",               # its parts in brackets: not compared
    "全年受理行政复议案件58件，其中涉及政府信息公开的3件。",          # all 复议, the disclosure ones singled out
    "行政复议144件，120件做了复议决定，行政诉讼97件。",              # not said to be about disclosure
    "依据《条例》第十七条、第三十六条规定答复申请人3件。",            # article numbers, a bare 答复
    "全年共受理政府信息公开申请3-5件。",                             # a range
    "共收到3件信息公开咨询，均已答复。",                             # not an application
    "全年共收到“领导信箱”来信158件，12345政务服务热线共收到19357件。",
    "共收到248条网民留言，办结留言230条。",
    "按照《通知》（工作通知〔2025〕5号）要求，联系电话：0454-8607012。",
    "立案查处行政处罚案件150件，结案120件。",                          # cases, not the decisions counted
    "受理行政许可申请1300件。",
    "全年依申请公开共收到群众网上申请80件，快递15件，合计95件。",      # the parts agree with the total
    "全年共收到政府信息公开申请95件，其中网上申请80件，快递10件，合计90件。",   # the total of a 其中
    "共收到县长信箱来信100件，电话20件，合计120件。",                  # not applications for information
    "较上年多收到信息公开申请105件，快递17件，合计122件。",             # a comparison
])
def test_precision_silent(sentence):
    d = with_text(report_2025(), {"一、总体情况": [sentence]})
    assert mismatches(d) == [], [f.message for f in mismatches(d)]


def test_the_total_after_its_parts_is_read_not_the_first_part():
    """“共收到群众网上申请105件，快递17件，合计122件”: the applications received are 122 — the
    finding names the figure said (found) against the table's (expected), the section and the
    paragraph; the parts are not read as totals."""
    sentence = "全年依申请公开共收到群众网上申请105件,快递17件,合计122件,上年结转4件,截至12月底已回复126件。"
    said = [(s.quantity.name, s.value) for s in statements(sentence, quantities("2021"), 2025)]
    assert said == [("本年新收政府信息公开申请数量", 122), ("上年结转政府信息公开申请数量", 4)]
    d = with_text(report_2025(), {"一、总体情况": ["2025年，我区扎实推进政务公开。", "（二）依申请公开情况。" + sentence]})
    [f] = mismatches(d)
    assert (f.expected, f.found, f.row, f.column) == (95, 122, "一、总体情况", "第2段")
    assert "合计122件" in f.message and "本年新收政府信息公开申请数量为122件" in f.message and "表格中为95" in f.message
    assert [s.value for s in statements(sentence, quantities("2019"), 2025)][:1] == [122]


def test_blank_table_cell_is_unknown_not_zero():
    d = with_text(report_2025(), {"一、总体情况": ["全年共受理政府信息公开申请97件。"]})
    d.tables["三"]["一、本年新收政府信息公开申请数量"]["总计"] = None
    assert mismatches(d) == []


def test_traditional_characters_are_read():
    d = with_text(report_2025(), {"一、总体情况": ["全年共受理政府信息公開申請97件。"]})
    assert [(f.expected, f.found) for f in mismatches(d)] == [(95, 97)]


def test_2019_format_vocabulary():
    d = consistent_data(L19, 2020, seed=1)
    new = d.tables["三"]["一、本年新收政府信息公开申请数量"]["总计"]
    made = d.tables["二"]["规范性文件"]["本年新制作数量"]
    d.text["一、总体情况"] = [f"2020年，我局共收到政府信息公开申请{new}件，制定规范性文件{made}件。"]
    assert mismatches(d, L19) == []
    d.text["一、总体情况"] = [f"2020年，我局共收到政府信息公开申请{new + 1}件，制定规范性文件{made + 2}件。"]
    assert sorted((f.expected, f.found) for f in mismatches(d, L19)) == sorted([(new, new + 1), (made, made + 2)])


def test_validate_includes_it_and_data_file_check_says_it(tmp_path):
    d = with_text(report_2025(), CONSISTENT)
    assert not [f for f in validate(d, L21) if f.code == "text-table-mismatch"]
    d.text["一、总体情况"].append("全年共受理政府信息公开申请97件。")
    p = tmp_path / "r.json"
    p.write_text(dump_data(d), encoding="utf-8")
    res = CliRunner().invoke(app, ["check", str(p), "--json"])
    out = json.loads(res.stdout)
    got = [f for f in out["findings"] if f["code"] == "text-table-mismatch"]
    assert len(got) == 1 and got[0]["expected"] == 95 and got[0]["found"] == 97
    assert "第6段" in got[0]["message"] and "97件" in got[0]["message"]


# ---------------------------------------------------------------- everywhere: workbook, import, consolidate
def _unit_book(tmp_path, d, code="330000-01", name="某市某区人民政府", folder="inbox"):
    from gaixl.workbook.fill import fill_workbook
    from gaixl.workbook.template import generate_workbook

    tpl = generate_workbook(L21, 2025, code, name, tmp_path / "tpl" / f"{code}.xlsx")
    d.unit = {"code": code, "name": name}
    return fill_workbook(tpl, d, tmp_path / folder / f"{code}-{name}-2025.xlsx")


def test_workbook_finding_names_sheet_and_cell(tmp_path):
    from gaixl.validation.files import check_file

    d = with_text(report_2025(), CONSISTENT)
    d.text["一、总体情况"][2] = d.text["一、总体情况"][2].replace("不予公开2件", "不予公开4件")
    book = _unit_book(tmp_path, d)
    got = [f for f in check_file(book).findings if f.code == "text-table-mismatch"]
    assert len(got) == 1, [f.message for f in got]
    f = got[0]
    assert f.sheet == "一、总体情况" and f.cell and f.cell.startswith("B")
    assert f"{f.sheet}!{f.cell}" in f.message and (f.expected, f.found) == (2, 4)
    import openpyxl
    ws = openpyxl.load_workbook(book)[f.sheet]
    assert "不予公开4件" in ws[f.cell].value                # the cell named is the paragraph that says it


def test_import_reports_it(tmp_path):
    from gaixl.importers.api import import_report

    d = with_text(report_2025(), CONSISTENT)
    from gaixl.document import render
    clean = tmp_path / "clean.html"
    render(d, clean, layout=L21)
    # the report as a portal publishes it: rendered by gaixl to HTML, one sentence changed
    html = clean.read_text(encoding="utf-8")
    res = import_report(clean)
    said = [f.message for f in res.findings if f.code == "text-table-mismatch"]
    assert not said, said
    bad = tmp_path / "bad.html"
    bad.write_text(html.replace("全年共受理政府信息公开申请95件", "全年共受理政府信息公开申请105件"), encoding="utf-8")
    got = [f for f in import_report(bad).findings if f.code == "text-table-mismatch"]
    assert [(f.expected, f.found, f.row) for f in got] == [(95, 105, "一、总体情况")]


def test_consolidate_each_unit_and_its_letter(tmp_path):
    from gaixl.consolidation.run import consolidate

    good = with_text(report_2025(), CONSISTENT)
    bad = with_text(report_2025(), CONSISTENT)
    bad.text["四、政府信息公开行政复议、行政诉讼情况"] = []
    bad.text["一、总体情况"][4] = "（四）监督保障。全年因政府信息公开被申请行政复议5件，被提起行政诉讼1件。"
    _unit_book(tmp_path, good, "330000-01", "某区人民政府")
    _unit_book(tmp_path, bad, "330000-02", "某区财政局")
    roster = tmp_path / "roster.csv"
    roster.write_text("code,name,email,parent\n330000-01,某区人民政府,a@x.cn,某区\n330000-02,某区财政局,b@x.cn,某区\n",
                      encoding="utf-8")
    c = consolidate(tmp_path / "inbox", roster, 2025, tmp_path / "out", reports=False)
    by = {u.code: [f for f in u.entry.findings if f.code == "text-table-mismatch"] for u in c.units}
    assert by["330000-01"] == []
    assert [(f.expected, f.found) for f in by["330000-02"]] == [(3, 5)]
    letters = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out" / FEEDBACK_DIR).glob("*.txt")}
    text = next(t for n, t in letters.items() if "330000-02" in n)
    assert "行政复议5件" in text and "前后不一致" in text and "应为：3；实际：5" in text


def test_a_figure_of_the_whole_area_is_a_governments_not_a_departments():
    """全县共收到申请120件: a 县人民政府's table counts it; a 局's (其中我局办理5件) does not."""
    sentence = "全区共收到政府信息公开申请120件，其中我局办理5件。"
    gov = with_text(report_2025(), {"一、总体情况": [sentence]})
    assert [(f.expected, f.found) for f in mismatches(gov)] == [(95, 120)]
    dept = with_text(report_2025(), {"一、总体情况": [sentence]})
    dept.unit = {"code": "330000-05", "name": "某市某区财政局"}
    assert mismatches(dept) == []
    dept.text["一、总体情况"] = ["全年我局共收到政府信息公开申请97件。"]
    assert [(f.expected, f.found) for f in mismatches(dept)] == [(95, 97)]
