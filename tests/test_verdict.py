"""One verdict: the workbook's own count, the 校验 sheet and `gaixl check` agree on every file,
after LibreOffice AND Gnumeric recalculated and saved it (issue 11).

Templates of both formats are filled the way departments fill them — numbers typed beside the
labels, text typed into number cells, full-width digits, sections left empty, a broken balance,
an old format for a new year, a total typed over after unprotecting the sheet — then every
case is recalculated and saved by LibreOffice headless (all files in one soffice call) and by
Gnumeric (`ssconvert --recalc`). For each saved file: GAIXL_ERROR_COUNT > 0 exactly when
`check` of that same file finds errors, and the 校验 rows marked ✗ (错误) are the checks
`check` names. `report` refuses what `check` rejects; `--draft` marks every page.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from helpers import consistent_data
from needs import require
from typer.testing import CliRunner

from gaixl.cli import app
from gaixl.report.data import ReportData
from gaixl.spec.load import load_layout
from gaixl.spec.model import Layout
from gaixl.spec.rules import CellRef, all_rules
from gaixl.validation.files import check_file
from gaixl.workbook import engine, names
from gaixl.workbook.grid import plan_for

pytestmark = pytest.mark.engine

YEAR = {"2019": 2020, "2021": 2023}
NOT_A_FORMULA = {"template-meta-altered", "template-other-layout", "template-other-year", "template-other-unit"}
# Finding codes of one cell's content; the workbook's check of that table's numbers fails with them.
CELL_CODES = {"cell-not-number", "cell-not-integer", "cell-negative"}


@dataclass
class Case:
    id: str
    lid: str
    year: int | None = None                      # report year of the template (default YEAR[lid])
    fill: bool = True                            # filled with consistent data (False: a blank template)
    edits: list = field(default_factory=list)    # [(name or (table, row, col) or "sheet!A1", value)] typed afterwards
    errors: set = field(default_factory=set)     # 校验 rows (ids) that must fail …
    exact: bool = True                           # … and no other (text counting 0 may also break a balance)
    build: Callable | None = None                # (layout, data) -> None: changes before filling


def _t3(row: str, col: str = "natural") -> tuple:
    return ("t3", row, col)


def _break_balance(layout: Layout, d: ReportData) -> None:
    ref = CellRef("t3", "carried_out", "commercial")
    d.set_value(layout, ref, (d.value(layout, ref) or 0) + 1)


def _cases() -> list[Case]:
    out = []
    for lid in ("2019", "2021"):
        in_force = ("art20_1", "rules", "total_public" if lid == "2019" else "in_force")
        out += [
            Case(f"{lid}-numbers-beside-labels", lid),
            Case(f"{lid}-blank-template", lid, fill=False, errors={"text-empty[s1]", "text-empty[s5]"}),
            Case(f"{lid}-text-in-number-cells", lid, edits=[(_t3("new"), "5件"), (in_force, "无")],
                 errors={"cell-not-number[t3]", "cell-not-number[art20_1]"}, exact=False),
            Case(f"{lid}-numeric-text-and-space", lid, edits=[(_t3("new"), "3"), (_t3("carried_in", "research"), " ")],
                 errors={"cell-not-number[t3]"}, exact=False),
            Case(f"{lid}-fullwidth-digits", lid, edits=[(_t3("new"), "１２"), (_t3("granted", "other"), "３")],
                 errors={"cell-not-number[t3]"}, exact=False),
            Case(f"{lid}-negative-and-fraction", lid, edits=[(_t3("new", "welfare"), -2), (_t3("new", "other"), 2.5)],
                 errors={"cell-not-number[t3]"}, exact=False),
            Case(f"{lid}-empty-sections", lid, edits=[(names.text_name("s1"), None), (names.text_name("s5"), "　 ")],
                 errors={"text-empty[s1]", "text-empty[s5]"}),
            Case(f"{lid}-broken-balance", lid, build=_break_balance,
                 errors={"t3-balance[t3.results_total.commercial]", "t3-balance[t3.results_total.total]"}),
            Case(f"{lid}-total-typed-over", lid, edits=[("三、申请情况!J6", 999)],
                 errors={"t3-row-total[t3.new.total]", "t3-balance[t3.results_total.total]"}),
        ]
    # An old format for a new year, and the new one for an old year (made on purpose: generate refuses both).
    out += [Case("2019-format-for-2025", "2019", year=2025, errors={"layout-year-mismatch"}),
            Case("2021-format-for-2020", "2021", year=2020, errors={"layout-year-mismatch"})]
    return out


CASES = _cases()


def _cells(wb, name: str) -> list:
    title, coord = next(iter(wb.defined_names[name].destinations))
    got = wb[title][coord.replace("$", "")]
    if not isinstance(got, tuple):
        return [got]
    return [c for row in got for c in (row if isinstance(row, tuple) else (row,))]


def _row_cell(wb, layout: Layout, table: str, row: str, col: str):
    t = layout.tables[table]
    cells, off = _cells(wb, names.row_name(table, row)), 0
    for c in t.data_columns:
        if c.key == col:
            return cells[off]
        off += c.span
    raise KeyError(col)


def _edit(path: Path, layout: Layout, edits: list) -> None:
    wb = openpyxl.load_workbook(path)
    for target, value in edits:
        if isinstance(target, tuple):
            cells = [_row_cell(wb, layout, *target)]
        elif "!" in target:                      # a total: unprotect the sheet, type over its formula
            sheet, a = target.split("!")
            wb[sheet].protection.sheet = False
            cells = [wb[sheet][a]]
        else:                                    # a narrative section: every paragraph
            cells = _cells(wb, target)
        for c in cells:
            c.value = value
            if isinstance(value, str):
                c.data_type = "s"                # text, even "3"
    wb.save(path)


@pytest.fixture(scope="module")
def ssconvert():
    return require(shutil.which("ssconvert"), "Gnumeric (ssconvert)")


@pytest.fixture(scope="module")
def saved(soffice, ssconvert, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """(case id, engine) → the file as that engine recalculated and saved it."""
    from gaixl.workbook.fill import fill_workbook
    from gaixl.workbook.template import generate_workbook

    src = tmp_path_factory.mktemp("verdict-src")
    files = []
    for case in CASES:
        layout = load_layout(case.lid)
        year = case.year or YEAR[case.lid]
        tpl = generate_workbook(layout, year, "V-01", "校验测试局", src / f"tpl-{case.id}.xlsx",
                                generated_at="2026-01-05T08:00:00Z", allow_layout_mismatch=True)
        path = src / f"{case.id}.xlsx"
        if case.fill:
            data = consistent_data(layout, year, seed=len(files), code="V-01", name="校验测试局")
            if case.build:
                case.build(layout, data)
            fill_workbook(tpl, data, path)
        else:
            shutil.copy(tpl, path)
        if case.edits:
            _edit(path, layout, case.edits)
        files.append(path)
    out: dict[tuple[str, str], Path] = {}
    for case, p in zip(CASES, engine.recalculate(files, tmp_path_factory.mktemp("verdict-lo"))):
        out[(case.id, "libreoffice")] = p
    gn = tmp_path_factory.mktemp("verdict-gnumeric")
    for case, p in zip(CASES, files):
        dst = gn / p.name
        subprocess.run([ssconvert, "--recalc", str(p), str(dst)], check=True, capture_output=True, timeout=120)
        out[(case.id, "gnumeric")] = dst
    for case, p in zip(CASES, files):
        out[(case.id, "unsaved")] = p
    return out


def _workbook_says(path: Path):
    """The saved file's error count and its 校验 rows (rule id → (level, ✓/✗))."""
    wb = openpyxl.load_workbook(path, data_only=True)
    (count,) = [c.value for c in _cells(wb, names.ERROR_COUNT)]
    block = _cells(wb, names.CHECKS)
    width = len(names.CHECK_COLUMNS)
    rows = [dict(zip(names.CHECK_COLUMNS, (c.value for c in block[i:i + width]))) for i in range(0, len(block), width)]
    return wb, count, {r["规则"]: (r["级别"], r["结果"]) for r in rows}


def _named_checks(report, layout: Layout) -> set[str]:
    """The 校验 rows that `check`'s error findings correspond to."""
    where = {v: k for k, v in report.locator.items()}
    rule_ids = {r.id for r in all_rules(layout)}
    sections = {s.heading: s.key for s in layout.text_sections}
    out = set()
    for f in report.findings:
        if f.severity != "error":
            continue
        if f.code in rule_ids:
            ref = where[(f.sheet, f.cell)]
            out.add(f"{f.code}[{ref.table}.{ref.row}.{ref.col}]")
        elif f.code in CELL_CODES:
            out.add(f"cell-not-number[{where[(f.sheet, f.cell)].table}]")
        elif f.code == "text-empty":
            out.add(f"text-empty[{sections[f.row]}]")
        elif f.code == "layout-year-mismatch":
            out.add("layout-year-mismatch")
        else:
            raise AssertionError(f"an error the workbook cannot show: {f.code} {f.message}")
    return out


@pytest.mark.parametrize("engine_name", ["libreoffice", "gnumeric"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_one_verdict(saved, case, engine_name):
    layout = load_layout(case.lid)
    path = saved[(case.id, engine_name)]
    wb, count, rows = _workbook_says(path)
    report = check_file(path)
    errors = [f for f in report.findings if f.severity == "error"]
    # the verdict: the workbook's count > 0 exactly when check finds errors
    assert isinstance(count, (int, float)), count
    assert (count > 0) == bool(errors), ([f.message for f in errors], count)
    failing = {rid for rid, (level, result) in rows.items() if level == "错误" and result == "✗"}
    assert count == len(failing)
    warnings = {rid for rid, (level, result) in rows.items() if level != "错误" and result == "✗"}
    assert wb[names.CHECK_SHEET]["B4"].value == len(warnings)                 # 警告数量 (COUNTIFS)
    assert {f.code for f in report.findings if f.severity == "warning"} >= {w.split("[")[0] for w in warnings}
    assert all(result in ("✓", "✗") for _level, result in rows.values())        # no #VALUE! anywhere
    # the rows marked ✗ are the checks check names, and the case breaks exactly what it means to
    assert failing == _named_checks(report, layout)
    assert failing == case.errors if case.exact else case.errors <= failing
    assert not any(f.code in NOT_A_FORMULA for f in report.findings)
    # every sheet check also shows beside its table, section or field, with the same result
    for x in plan_for(layout).sheet_checks:
        if x.beside is not None:
            (cell,) = _cells(wb, names.sheet_check_name(x.code, x.subject))
            assert str(cell.value)[:1] == rows[x.id][1], x.id
    # and the status line never says 校验通过: it says what remains to be checked, or the count
    status = wb[names.CHECK_SHEET]["B3"].value
    assert "校验通过" not in str(status)
    assert str(status).startswith("表内校验未发现错误" if count == 0 else f"存在{count}项错误")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_saving_changes_no_finding(saved, case):
    """The file as typed (before any program saved it) and both engines' saves: same errors."""
    def key(p):
        return sorted((f.code, f.sheet, f.cell) for f in check_file(p).findings if f.severity == "error")

    unsaved = key(saved[(case.id, "unsaved")])
    assert key(saved[(case.id, "libreoffice")]) == unsaved
    assert key(saved[(case.id, "gnumeric")]) == unsaved


def test_messages_spell_out_the_fix(saved):
    report = check_file(saved[("2021-fullwidth-digits", "gnumeric")])
    by_cell = {f.cell: f for f in report.findings if f.code == "cell-not-number"}
    assert any("“１２”不是数值" in f.message and "应填写为 12" in f.message for f in by_cell.values())
    report = check_file(saved[("2019-text-in-number-cells", "libreoffice")])
    assert any("“5件”" in f.message and "应填写为 5" in f.message for f in report.findings)
    report = check_file(saved[("2021-numeric-text-and-space", "gnumeric")])
    assert any("只有空格" in f.message for f in report.findings)
    report = check_file(saved[("2019-format-for-2025", "libreoffice")])
    (f,) = [f for f in report.findings if f.code == "layout-year-mismatch"]
    assert "2021年版格式" in f.message and "国办公开办函〔2021〕30号" in f.message
    wb, _count, _rows = _workbook_says(saved[("2019-format-for-2025", "gnumeric")])
    (cell,) = _cells(wb, names.sheet_check_name("layout-year-mismatch", "year"))
    assert cell.value.startswith("✗") and "请使用2021年版格式" in cell.value


# ---------------------------------------------------------------- report refuses, --draft marks
def _run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("case_id", ["2019-blank-template", "2021-text-in-number-cells", "2019-format-for-2025"])
def test_report_refuses_a_rejected_file(saved, tmp_path, case_id):
    src = saved[(case_id, "gnumeric")]
    out = tmp_path / "报告.docx"
    r = _run("report", src, "--out", out)
    assert r.exit_code == 1, r.output
    assert not out.exists() and not list(tmp_path.iterdir())
    assert "未生成报告" in r.output and "--draft" in r.output
    r = _run("report", src, "--out", out, "--json")
    assert r.exit_code == 1 and not out.exists()
    payload = json.loads(r.stdout)
    assert payload["written"] is False and payload["out"] is None
    expected = {f.code for f in check_file(src).findings if f.severity == "error"}
    assert {f["code"] for f in payload["findings"]} == expected


def test_report_library_call_refuses_too(saved, tmp_path):
    import gaixl
    from gaixl.errors import ReportRejected

    src = saved[("2021-empty-sections", "libreoffice")]
    with pytest.raises(ReportRejected) as e:
        gaixl.render(src, tmp_path / "r.md")
    assert {f.code for f in e.value.findings} == {"text-empty"} and not (tmp_path / "r.md").exists()
    path, findings = gaixl.render(src, tmp_path / "r.md", draft=True)
    assert path.read_text(encoding="utf-8").startswith("**草稿（未通过校验）**")
    assert any(f.code == "text-empty" and f.severity == "error" for f in findings)


def test_report_of_an_accepted_file_is_not_a_draft(saved, tmp_path):
    src = saved[("2021-numbers-beside-labels", "gnumeric")]
    r = _run("report", src, "--out", tmp_path / "r.html")
    assert r.exit_code == 0, r.output
    assert "草稿" not in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_draft_pdf_has_the_mark_on_every_page(saved, tmp_path):
    pdftotext = require(shutil.which("pdftotext"), "poppler-utils (pdftotext)")
    src = saved[("2019-broken-balance", "libreoffice")]
    out = tmp_path / "草稿.pdf"
    r = _run("report", src, "--out", out, "--draft")
    assert r.exit_code == 0, r.output
    text = subprocess.run([pdftotext, "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 3                                   # the tables run over several pages
    for i, page in enumerate(pages, 1):
        assert "草稿（未通过校验）" in page, f"page {i} of {len(pages)} is not marked"
    r = _run("report", src, "--out", tmp_path / "d.html", "--draft")
    assert r.exit_code == 0 and '<div class="draft" role="note">草稿（未通过校验）</div>' in \
        (tmp_path / "d.html").read_text(encoding="utf-8")
