"""text-table-mismatch on real published narratives (tests/data/narratives, 43 reports 2019–2024).

Precision first: every consistent real report stays silent, through the library check (what
`check` runs on a data file or a workbook) and through `gaixl import` of the whole published
text; the one real published disagreement is caught; and every figure the text states, changed
by one in an otherwise real report, is caught once with the table's figure (expected), the
text's (found), the section and the paragraph — except the figure listed in MISSES.
The measurement itself: `python tests/realnarratives.py`.
"""
from __future__ import annotations

import functools
import json
from collections import Counter

import pytest
from realnarratives import altered, build, fixtures, full_width, import_mismatches, measure, mismatches, published
from typer.testing import CliRunner

from gaixl.cli import app
from gaixl.report.data import dump_data
from gaixl.validation.textnumbers import is_government, quantities, statements

FIXTURES = fixtures()
BY_NAME = {fx.name: fx for fx in FIXTURES}

# Stated figures the check does not read, on purpose (precision first). None left: the last,
# “共收到群众网上申请105件，快递17件，合计122件” (a total after its parts), is read as 122.
MISSES: set[tuple[str, str]] = set()
REAL = [(fx.name, q, t, s) for fx in FIXTURES for q, t, s in fx.inconsistent]
ALTERED = [(fx.name, a.quantity, a.words) for fx in FIXTURES for a in altered(fx)]


@functools.lru_cache(maxsize=None)
def _altered(name: str, wide: bool):
    return altered(BY_NAME[name], wide=wide)


def test_the_collection_is_real_and_broad():
    assert len(FIXTURES) >= 30
    assert {fx.layout for fx in FIXTURES} == {"2019", "2021"}
    assert all(fx.source.startswith("http") for fx in FIXTURES)
    assert len({(fx.unit, fx.year) for fx in FIXTURES}) == len(FIXTURES)
    assert sum(len(fx.stated) for fx in FIXTURES) >= 50


@pytest.mark.parametrize("wide", [False, True], ids=["as-stored", "full-width"])
@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_a_consistent_real_report_is_silent(name, wide):
    fx = BY_NAME[name]
    got = [(f.expected, f.found) for f in mismatches(build(fx, wide=wide), fx.layout)]
    assert got == [(t, s) for _n, _q, t, s in REAL if _n == name], got


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_what_is_read_is_what_the_text_states(name):
    """Not only silent because the figures happen to agree: the check reads exactly the figures a
    reader finds stated for table quantities (no more, and no fewer than the known MISSES)."""
    fx = BY_NAME[name]
    vocab = quantities(fx.layout)
    read = Counter((st.quantity.name, st.value) for ps in fx.text.values() for p in ps
                   for st in statements(p, vocab, fx.year, is_government(fx.unit)))
    want = Counter((q, float(v)) for q, v, _w in fx.stated if (name, q) not in MISSES)
    assert read == want


def test_the_real_published_disagreement_is_caught():
    fx = BY_NAME["2023-changchun-styj"]
    [f] = mismatches(build(fx), fx.layout)
    assert (f.code, f.severity, f.expected, f.found) == ("text-table-mismatch", "warning", 3, 2)
    assert (f.row, f.column) == ("一、总体情况", "第2段")
    assert "共受理政府信息公开申请2件" in f.message and "本年新收政府信息公开申请数量" in f.message


@pytest.mark.parametrize("wide", [False, True], ids=["as-stored", "full-width"])
@pytest.mark.parametrize("name,quantity,words", ALTERED, ids=[f"{n}:{w}" for n, _q, w in ALTERED])
def test_a_changed_real_figure_is_caught(name, quantity, words, wide):
    fx = BY_NAME[name]
    [a] = [a for a in _altered(name, wide) if a.quantity == quantity and a.words == words]
    got = [f for f in mismatches(a.data, fx.layout) if f.found == a.found]
    if (name, quantity) in MISSES:
        assert got == []
        return
    assert len(got) == 1, [f.message for f in got]
    f = got[0]
    assert quantity in f.message
    assert (f.expected, f.found, f.row, f.column) == (a.expected, a.found, a.section, f"第{a.paragraph}段")
    assert (full_width(a.changed) if wide else a.changed) in f.message


@pytest.mark.slow              # all 43 real reports through `gaixl import` (~7 s)
def test_import_of_the_published_text_agrees(tmp_path):
    """The whole report as published (title, sections, tables; text printed inside a table section
    under its heading), read by `gaixl import`: the same figures as the library check."""
    m = measure(route="import", folder=tmp_path)
    assert m.false_alarms == []
    assert len(m.real_caught) == len(REAL) and m.real_missed == []
    assert m.altered_wrong == []
    assert {(n, q) for n, q, _w in m.altered_missed} == MISSES
    assert m.altered_caught == m.altered - len(MISSES) >= 61


def test_import_checks_text_printed_inside_a_table_section(tmp_path):
    """汉阳区政府办 prints its application figures under 三、收到和处理政府信息公开申请情况."""
    fx = BY_NAME["2022-wuhan-hanyang-qzfb"]
    assert import_mismatches(published(fx, tmp_path / "ok")) == []
    h = "三、收到和处理政府信息公开申请情况"
    text = {**fx.text, h: [fx.text[h][0].replace("部分公开2件", "部分公开3件")]}
    [f] = import_mismatches(published(fx, tmp_path / "bad", text=text))
    assert (f.expected, f.found, f.row, f.column) == (2, 3, h, "第1段")
    assert "第三部分“三、收到和处理政府信息公开申请情况”第1段" in f.message


def test_check_command_on_real_data_files(tmp_path):
    ok, bad = tmp_path / "ok.json", tmp_path / "bad.json"
    ok.write_text(dump_data(build(BY_NAME["2024-wuhan-qiaokou-qzfb"])), encoding="utf-8")
    bad.write_text(dump_data(build(BY_NAME["2023-changchun-styj"])), encoding="utf-8")
    for path, want in ((ok, []), (bad, [(3, 2)])):
        res = CliRunner().invoke(app, ["check", str(path), "--json"])
        out = json.loads(res.stdout)
        got = [(f["expected"], f["found"]) for f in out["findings"] if f["code"] == "text-table-mismatch"]
        assert got == want, res.stdout


def test_workbook_of_a_real_report_names_the_cell(tmp_path):
    import openpyxl

    from gaixl.spec.load import load_layout
    from gaixl.validation.files import check_file
    from gaixl.workbook.fill import fill_workbook
    from gaixl.workbook.template import generate_workbook

    fx = BY_NAME["2023-hangzhou-binjiang-changhe-jd"]
    [a] = [a for a in altered(fx) if a.quantity == "政府信息公开行政复议"]
    layout = load_layout(fx.layout)
    tpl = generate_workbook(layout, fx.year, "330108-01", fx.unit, tmp_path / "tpl.xlsx")
    a.data.unit = {"code": "330108-01", "name": fx.unit}
    book = fill_workbook(tpl, a.data, tmp_path / "inbox" / "330108-01.xlsx")
    [f] = [f for f in check_file(book).findings if f.code == "text-table-mismatch"]
    assert (f.expected, f.found) == (2, 3) and f.sheet and f.cell
    assert f"{f.sheet}!{f.cell}" in f.message
    assert "引发行政复议3件" in openpyxl.load_workbook(book)[f.sheet][f.cell].value


# ---------------------------------------------------------------- §4 on real text
def test_copied_and_stale_on_real_reports():
    """43 real reports of different units in one consolidation, each with the stock opening and the
    信息处理费 sentence every report has: no 雷同, no stale year, nothing “copied” from another
    unit's report as last year's. A real paragraph copied into another unit's report (name, 我局,
    figures changed) is caught in both; last year's real report sent again as this year's is
    caught by both soft checks."""
    from realnarratives import measure_copies

    m = measure_copies()
    assert m.units == len(FIXTURES)
    assert m.duplicate_alarms == [] and m.stale_alarms == [] and m.last_year_alarms == []
    assert m.copies_caught == m.copies >= 30, m.copies_missed
    assert m.stale_caught == m.stale and m.reused_caught == m.reused
    # the page's own text only: the stale year read from the sentences that open with it, or
    # (2024-wuhan-qiaokou-qzfb, its opening cut) from the year named as the one of its work
    assert m.stale_plain_caught == m.stale, m.stale_plain_missed


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_a_real_report_is_not_stale_in_its_own_year(name):
    from gaixl.spec.load import load_layout
    from gaixl.validation.textcopy import stale_year

    fx = BY_NAME[name]
    assert stale_year(build(fx), load_layout(fx.layout)) == []


def test_two_units_of_one_district_sharing_a_system_name_are_not_duplicates():
    """硚口区政府办 and 硚口区统计局 both cite the district's 网站和政务新媒体 rules and the same
    website overhaul: related sentences, each unit's own paragraph (0.65 of the pieces shared)."""
    from gaixl.spec.load import load_layout
    from gaixl.validation.textcopy import duplicate_units

    a, b = BY_NAME["2024-wuhan-qiaokou-qzfb"], BY_NAME["2024-wuhan-qiaokou-tjj"]
    c = BY_NAME["2023-wuhan-qiaokou-qzfb"]
    c_as_2024 = build(c)
    c_as_2024.year = 2024
    reports = [(fx.name, fx.unit + str(k), d, None) for k, (fx, d) in
               enumerate(((a, build(a)), (b, build(b)), (c, c_as_2024)))]
    assert duplicate_units(reports, load_layout("2021")) == {}


def test_a_nearly_identical_real_paragraph_is_duplicate():
    """长河街道's paragraph taken over by another street office: its name in, 本街道 kept, two
    figures and one word changed — 内容雷同, said to both with the other's name."""
    from gaixl.spec.load import load_layout
    from gaixl.validation.textcopy import duplicate_units

    fx = BY_NAME["2023-hangzhou-binjiang-changhe-jd"]
    mine = build(fx)
    theirs = build(BY_NAME["2023-wuxi-xishan-houqiao-jd"])
    p = fx.text["一、总体情况"][4]
    theirs.text["一、总体情况"].append(p.replace("12件", "7件").replace("10件", "5件").replace("按时按规", "按时"))
    got = duplicate_units([("A", fx.unit, mine, None), ("B", "无锡市锡山区厚桥街道办事处", theirs, None)],
                          load_layout("2021"))
    assert set(got) == {"A", "B"}
    assert "无锡市锡山区厚桥街道办事处" in got["A"][0].message and fx.unit in got["B"][0].message
    assert got["A"][0].row == "一、总体情况" and got["A"][0].column == "第5段"


def test_consolidate_real_reports_each_unit_and_its_letter(tmp_path):
    """Two real reports in one county's inbox as filled workbooks: 长春's (its published text says 2
    applications, its table 3) and 桐梓县's as published (consistent): the warning goes to 长春's
    findings and feedback letter only."""
    from gaixl.consolidation.outputs import FEEDBACK_DIR
    from gaixl.consolidation.run import consolidate
    from gaixl.spec.load import load_layout
    from gaixl.workbook.fill import fill_workbook
    from gaixl.workbook.template import generate_workbook

    layout = load_layout("2021")
    units = [("220100-01", BY_NAME["2023-changchun-styj"]), ("220100-02", BY_NAME["2022-zunyi-tongzi-xian"])]
    for code, fx in units:
        d = build(fx)
        d.year = 2023
        d.unit = {"code": code, "name": fx.unit}
        tpl = generate_workbook(layout, 2023, code, fx.unit, tmp_path / "tpl" / f"{code}.xlsx")
        fill_workbook(tpl, d, tmp_path / "inbox" / f"{code}.xlsx")
    roster = tmp_path / "roster.csv"
    roster.write_text("code,name,email,parent\n" + "".join(f"{c},{fx.unit},u{c[-1]}@x.cn,某县\n" for c, fx in units),
                      encoding="utf-8")
    c = consolidate(tmp_path / "inbox", roster, 2023, tmp_path / "out", reports=False)
    by = {u.code: [(f.expected, f.found) for f in u.entry.findings if f.code == "text-table-mismatch"] for u in c.units}
    assert by == {"220100-01": [(3, 2)], "220100-02": []}
    dup = [f for u in c.units for f in u.entry.findings if f.code == "text-duplicate-units"]
    assert dup == []
    letters = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out" / FEEDBACK_DIR).glob("*.txt")}
    text = next(t for n, t in letters.items() if "220100-01" in n)
    assert "共受理政府信息公开申请2件" in text and "应为：3；实际：2" in text


def test_prescribed_wording_shared_by_two_units_is_not_duplicate():
    """Words every unit says alike — the format notice's own sentence (杨柳镇 quotes it), the
    political opening (桐梓县, 硚口区统计局), the stock opening and 信息处理费 sentence — are not
    内容雷同; a paragraph of the unit's own words, copied, is."""
    from realnarratives import STOCK_FEES, STOCK_OPENING

    from gaixl.spec.load import load_layout
    from gaixl.validation.textcopy import duplicate_units

    shared = [
        STOCK_OPENING.format(y=2023),
        "政府信息公开工作年度报告是全面反映政府信息公开工作情况、加强政府信息管理、展现政府施政过程及结果的重要方式，"
        "对于加强政府自身建设、推进国家治理体系和治理能力现代化具有重要意义。现将2023年度政府信息公开工作情况报告如下：",
        "2023年，在区委、区政府的正确领导下，我局坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，"
        "认真贯彻落实《中华人民共和国政府信息公开条例》和省、市、区工作部署要求。",
    ]
    a, b = BY_NAME["2023-hangzhou-binjiang-changhe-jd"], BY_NAME["2023-shaoxing-yuecheng-donghu-jd"]
    da, db = build(a), build(b)
    for d in (da, db):
        d.text["一、总体情况"] = shared + d.text["一、总体情况"]
        d.text["六、其他需要报告的事项"] = [STOCK_FEES]
    reports = [("A", a.unit, da, None), ("B", b.unit, db, None)]
    assert duplicate_units(reports, load_layout("2021")) == {}
    own = a.text["一、总体情况"][6]           # 长河街道's own words on managing information
    db.text["五、存在的主要问题及改进情况"] = [own]
    got = duplicate_units(reports, load_layout("2021"))
    assert set(got) == {"A", "B"} and got["B"][0].row == "五、存在的主要问题及改进情况"


def test_a_units_two_real_reports_written_anew_are_not_copied_last_year():
    """硚口区政府办's real 2023 and 2024 reports: the same headings and subjects, written anew —
    silent; the 2023 text sent again as the 2024 report — every paragraph of its own words said."""
    from gaixl.spec.load import load_layout
    from gaixl.validation.textcopy import _paragraphs, copied_last_year

    layout = load_layout("2021")
    last, this = build(BY_NAME["2023-wuhan-qiaokou-qzfb"]), build(BY_NAME["2024-wuhan-qiaokou-qzfb"])
    assert copied_last_year(this, last, layout) == []
    again = build(BY_NAME["2023-wuhan-qiaokou-qzfb"])
    again.year = 2024
    got = copied_last_year(again, last, layout)
    assert len(got) == len(list(_paragraphs(again, layout))) >= 3
    assert all(f.code == "text-copied-last-year" and f.found == 2023 for f in got)
