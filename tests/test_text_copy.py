"""Copied and stale narrative: text-stale-year, text-copied-last-year, text-duplicate-units.

Real-looking text (paragraphs as county departments write them); each finding said where it
belongs and silent where it does not — on a report written for its year, on the seed, on units
that wrote their own text.
"""
from __future__ import annotations

import json
from pathlib import Path

from helpers import consistent_data
from typer.testing import CliRunner

from gaixl.cli import app
from gaixl.consolidation.outputs import FEEDBACK_DIR
from gaixl.report.data import dump_data
from gaixl.spec.load import load_layout
from gaixl.validation.history import HistoryStore, previous_year_findings
from gaixl.validation.textcopy import copied_last_year, duplicate_units, stale_year
from gaixl.validation.validate import validate

L21 = load_layout("2021")
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "2020-jinyun-hrss-as-scraped.txt"

TEXT_2024 = {
    "一、总体情况": [
        "2024年，县市场监督管理局坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实《中华人民共和国政府信息公开条例》，"
        "围绕优化营商环境和食品安全监管，持续深化政务公开。",
        "（一）主动公开。通过县政府门户网站市场监管局专栏公开市场主体登记、食品安全抽检结果、行政处罚决定等信息1326条。",
        "（二）依申请公开。严格执行申请登记、审核、办理、答复、归档等流程，全年依法按时答复政府信息公开申请。",
    ],
    "五、存在的主要问题及改进情况": [
        "一是政策解读形式较为单一，图解、视频等解读方式运用不够；二是个别栏目更新不及时。下一步将加强培训，建立栏目更新台账。",
    ],
    "六、其他需要报告的事项": ["本年度未收取信息处理费。"],
}


def report(year: int, text: dict, code="330000-08", name="某县市场监督管理局", seed=1):
    d = consistent_data(L21, year, seed=seed, code=code, name=name)
    for h in d.text:
        d.text[h] = list(text.get(h, ["无。"]))
    return d


# ---------------------------------------------------------------- stale year
def test_last_years_text_presented_as_this_years():
    d = report(2025, TEXT_2024)             # the 2025 report: last year's text, 2024 throughout
    (f,) = stale_year(d, L21)
    assert (f.code, f.severity, f.expected, f.found) == ("text-stale-year", "warning", 2025, 2024)
    assert "2024年" in f.message and "全文未提及2025年" in f.message and f.row == "一、总体情况" and f.column == "第1段"
    assert [x for x in validate(d, L21) if x.code == "text-stale-year"]


def test_a_report_naming_its_year_is_silent():
    text = {k: list(v) for k, v in TEXT_2024.items()}
    text["一、总体情况"][0] = text["一、总体情况"][0].replace("2024年，", "2025年，")
    text["一、总体情况"].append("与2024年相比，主动公开信息数量增加12%。")     # naming last year is fine
    assert stale_year(report(2025, text), L21) == []
    assert stale_year(report(2024, TEXT_2024), L21) == []             # the 2024 report itself


# the page's own text of a 2024 report whose opening (“2024年，我区…”) was cut off
# (tests/data/narratives/2024-wuhan-qiaokou-qzfb), sent again as the 2025 report
CUT_2024 = {
    "一、总体情况": [
        "（一）主动公开情况",
        "区人民政府办公室认真履行政务公开工作职责，依法依规公开有关政府工作动态，公布《政府工作报告》、2024年度重大行政决策"
        "事项目录等文件，主动公开区2024年城市黑臭水体排查情况等工作信息，发布2023年度人大议案和代表建议办理总体情况。",
        "（二）依申请公开情况",
        "新收到依申请公开政府信息42件，答复依申请公开政府信息39件，均在法定期限内予以答复。",
    ],
}


def test_last_years_text_whose_opening_was_cut_is_stale():
    """No sentence opens with 2024, but the text names 2024 as the year of its work twice (its
    重大行政决策事项目录, its 排查情况) and never 2025."""
    (f,) = stale_year(report(2025, CUT_2024), L21)
    assert (f.code, f.expected, f.found, f.row, f.column) == ("text-stale-year", 2025, 2024, "一、总体情况", "第2段")
    assert "全文未提及2025年" in f.message and "第2段" in f.message
    assert stale_year(report(2024, CUT_2024), L21) == []             # the 2024 report itself


def test_naming_last_years_results_is_not_stale():
    """A 2025 report publishes what 2024 left (its 决算, the 人大建议 of 2024 answered): naming that
    year is not presenting it as its own; nor is naming it once."""
    text = {"一、总体情况": [
        "（一）主动公开。公开本单位2024年度部门决算，公开2024年度人大代表建议和政协提案办理结果。",
        "（二）依申请公开。严格执行申请登记、审核、办理、答复、归档等流程，按时答复政府信息公开申请。"]}
    assert stale_year(report(2025, text), L21) == []
    once = {"一、总体情况": ["（一）主动公开。公开2024年城市黑臭水体排查情况等工作信息，持续深化政务公开。"]}
    assert stale_year(report(2025, once), L21) == []


def test_the_seed_is_silent(tmp_path):
    from gaixl.importers import import_report

    res = import_report(SEED)
    codes = {f.code for f in res.findings}
    assert not codes & {"text-stale-year", "text-copied-last-year", "text-duplicate-units", "text-table-mismatch"}


# ---------------------------------------------------------------- copied from last year
def test_paragraph_identical_to_last_years_report(tmp_path):
    last = report(2024, TEXT_2024)
    this_text = {k: list(v) for k, v in TEXT_2024.items()}
    this_text["一、总体情况"][0] = ("2025年，县市场监督管理局聚焦民营经济发展和“高效办成一件事”改革，全面贯彻落实"
                                 "《中华人民共和国政府信息公开条例》，持续深化政务公开。")
    # paragraph 2: the same words, only the number changed (1326 → 1410): still copied
    this_text["一、总体情况"][1] = this_text["一、总体情况"][1].replace("1326", "1410")
    this = report(2025, this_text, seed=2)
    got = copied_last_year(this, last, L21)
    assert [(f.row, f.column) for f in got] == [("一、总体情况", "第2段"), ("一、总体情况", "第3段"),
                                                ("五、存在的主要问题及改进情况", "第1段")]
    assert all(f.code == "text-copied-last-year" and f.severity == "warning" and "2024年度报告" in f.message for f in got)
    # through previous_year_findings (consolidate --history) and `gaixl check --history`
    assert [f for f in previous_year_findings(this, last, L21) if f.code == "text-copied-last-year"] == got
    db = tmp_path / "h.sqlite"
    with HistoryStore(db) as s:
        s.store(last, {"file": "x", "sha256": "", "submitted_at": "", "source": "", "inbox": "",
                       "stored_at": "2025-02-01T00:00:00Z"})
    p = tmp_path / "this.json"
    p.write_text(dump_data(this), encoding="utf-8")
    out = json.loads(CliRunner().invoke(app, ["check", str(p), "--history", str(db), "--json"]).stdout)
    assert len([f for f in out["findings"] if f["code"] == "text-copied-last-year"]) == 3


def test_own_new_text_is_silent():
    last = report(2024, TEXT_2024)
    fresh = {"一、总体情况": ["2025年，县市场监督管理局围绕“高效办成一件事”改革，新增涉企政策“一站式”公开专区，"
                          "集中发布惠企政策和申报指南。"],
             "五、存在的主要问题及改进情况": ["专区信息分类仍较粗，检索不便。下一步将按行业细分目录，并开通政策订阅推送服务。"]}
    assert copied_last_year(report(2025, fresh, seed=2), last, L21) == []


# ---------------------------------------------------------------- the same text in two units
def test_two_units_with_the_same_paragraph_are_told_of_each_other():
    a_text = {"一、总体情况": ["2025年，某县财政局认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、"
                           "不公开为例外，扎实做好政府信息公开工作。",
                           "（一）主动公开。通过县政府门户网站财政局专栏及时公开部门预决算、“三公”经费等信息326条。"]}
    b_text = {"一、总体情况": ["2025年，某县教育局认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、"
                           "不公开为例外，扎实做好政府信息公开工作。",
                           "（一）主动公开。通过县政府门户网站教育局专栏及时公开招生入学政策、学区划分等信息85条。"]}
    c_text = {"一、总体情况": ["2025年，某县公安局以“阳光警务”建设为抓手，推进执法公开和户籍办理指南更新，"
                           "群众办事更加便捷。"]}
    reports = [("A", "某县财政局", report(2025, a_text, "A", "某县财政局"), None),
               ("B", "某县教育局", report(2025, b_text, "B", "某县教育局"), None),
               ("C", "某县公安局", report(2025, c_text, "C", "某县公安局"), None)]
    got = duplicate_units(reports, L21)
    assert set(got) == {"A", "B"}                   # C wrote its own text
    (fa,), (fb,) = got["A"], got["B"]
    assert fa.code == "text-duplicate-units" and fa.severity == "warning"
    assert "“某县教育局”" in fa.message and "“某县财政局”" in fb.message
    assert fa.column == "第1段" and "第二段" not in fa.message          # paragraph 2 differs in substance


def test_consolidate_says_it_in_the_findings_and_letters(tmp_path):
    from gaixl.consolidation.run import consolidate
    from gaixl.workbook.fill import fill_workbook
    from gaixl.workbook.template import generate_workbook

    para = ("（二）依申请公开。严格执行申请登记、审核、办理、答复、归档等流程，对复杂申请组织相关科室会商，"
            "全年依法按时答复政府信息公开申请。")
    units = [("330000-01", "某县财政局"), ("330000-02", "某县教育局"), ("330000-03", "某县公安局")]
    for k, (code, name) in enumerate(units):
        text = {"一、总体情况": [f"2025年，{name}围绕第{k + 1}项重点工作推进政务公开，"
                             + ("预决算公开实现全覆盖，部门“三公”经费逐项说明。", "招生入学政策提前一个月发布并配发解读。",
                                "户籍办理指南全部上网，群众可在线查询办理进度。")[k]]}
        if k < 2:
            text["一、总体情况"].append(para)
        d = report(2025, text, code, name, seed=k)
        tpl = generate_workbook(L21, 2025, code, name, tmp_path / "tpl" / f"{code}.xlsx")
        fill_workbook(tpl, d, tmp_path / "inbox" / f"{code}-{name}-2025.xlsx")
    roster = tmp_path / "roster.csv"
    roster.write_text("code,name,email,parent\n" + "".join(f"{c},{n},x@y.cn,某县\n" for c, n in units), encoding="utf-8")
    c = consolidate(tmp_path / "inbox", roster, 2025, tmp_path / "out", reports=False)
    by = {u.code: [f for f in u.entry.findings if f.code == "text-duplicate-units"] for u in c.units}
    assert len(by["330000-01"]) == 1 and len(by["330000-02"]) == 1 and by["330000-03"] == []
    assert "某县教育局" in by["330000-01"][0].message
    letter = next((tmp_path / "out" / FEEDBACK_DIR).glob("330000-02*.txt")).read_text(encoding="utf-8")
    assert "雷同" in letter and "某县财政局" in letter
