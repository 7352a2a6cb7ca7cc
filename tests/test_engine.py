"""LibreOffice as the real spreadsheet engine: the template's own formulas against gaixl's Python.

The engine is expensive (~1.5 s per soffice call, ~0.5 s per template in it), so every workbook
of a group is recalculated in ONE call by a module-scoped fixture, and the tests read the
recalculated copies. Five soffice calls in all.
"""
from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from helpers import consistent_data

from gaixl.errors import GaixlError
from gaixl.report.data import ReportData, load_data_file
from gaixl.spec.load import load_layout
from gaixl.spec.model import Layout
from gaixl.spec.rules import CellRef, all_rules, compute, computed_cells, expand_checks, refs_of
from gaixl.workbook import engine, names
from gaixl.workbook.grid import plan_for

pytestmark = pytest.mark.engine


# ---------------------------------------------------------------- the engine itself
def _basic_workbook(path: Path) -> None:
    """A1=2, A2=3, A3 = A1+A2 whose cached value is a stale 0."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_number("A1", 2)
    ws.write_number("A2", 3)
    ws.write_formula("A3", "=A1+A2", None, 0)
    wb.close()


# cell → (content written by openpyxl, expected value after LibreOffice recalculates)
TEXT_CASES = {
    # inputs: A1 is the TEXT "3", A2 the number 4, A3 the number 7
    "B1": ("=A1+A2", 7),                                      # numeric text is converted
    "B2": ('=IF(ROUND((A1+A2)-(A3),4)=0,"✓","✗")', "✓"),      # … also inside a check formula
    "B3": ("=SUM(A1:A2)", 4),                                 # SUM() skips text
    "B4": ("=-A1", -3),
    "B5": ("=A1*1", 3),
    # other texts, each added to A2 (= 4)
    "D1": ("=C1+A2", 7),                                      # C1 = " 3 " (spaces around)
    "D2": ("=C2+A2", 7.5),                                    # C2 = "3.5"
    "D3": ("=C3+A2", "#VALUE!"),                              # C3 = "abc": an error, not zero
    "D4": ("=C4+A2", 1004),                                   # C4 = "1,000" (locale thousands separator)
    "D5": ("=C5+A2", "#VALUE!"),                              # C5 = "３" (full-width digit)
    "D6": ("=C6+A2", 1),                                      # C6 = "-3"
    "D7": ("=C7+A2", 4),                                      # C7 = empty
    "E1": ('=IF(ROUND((C3+A2)-(A3),4)=0,"✓","✗")', "#VALUE!"),  # a check over "abc" is neither ✓ nor ✗
    "E2": ('=COUNTIF(E1,"✗")', 0),                             # … so COUNTIF of ✗ does not count it
    "E3": ("=SUM(E2,E1)", "#VALUE!"),                          # … and a SUM over it is #VALUE!
}
TEXT_INPUTS = {"A1": "3", "A2": 4, "A3": 7, "C1": " 3 ", "C2": "3.5", "C3": "abc", "C4": "1,000", "C5": "３",
               "C6": "-3"}


def _text_workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for cell, v in TEXT_INPUTS.items():
        ws[cell] = v                      # a Python str becomes a text cell (t="s"/inlineStr)
    for cell, (formula, _expected) in TEXT_CASES.items():
        ws[cell] = formula
    wb.save(path)


@pytest.fixture(scope="module")
def basics(soffice, tmp_path_factory):
    src = tmp_path_factory.mktemp("engine-src")
    _basic_workbook(src / "basic.xlsx")
    _text_workbook(src / "文本数字.xlsx")            # a non-ASCII name on purpose
    out = tmp_path_factory.mktemp("engine-out")
    paths = engine.recalculate([src / "basic.xlsx", src / "文本数字.xlsx"], out)
    return src, paths


def test_find_soffice(soffice):
    assert Path(soffice).exists()
    assert engine.find_soffice() == soffice
    assert (engine.version(soffice) or "").startswith("LibreOffice ")


def test_recalculate_gives_true_values(basics):
    src, (basic, _text) = basics
    # the stale cached value is there in the source …
    assert openpyxl.load_workbook(src / "basic.xlsx", data_only=True).active["A3"].value == 0
    # … and the recalculated copy holds the true one
    assert basic.parent != src and basic.name == "basic.xlsx"
    assert openpyxl.load_workbook(basic, data_only=True).active["A3"].value == 5


def test_recalculate_keeps_input_order_and_names(basics):
    _src, paths = basics
    assert [p.name for p in paths] == ["basic.xlsx", "文本数字.xlsx"]
    assert all(p.is_file() for p in paths)


def test_text_numbers_in_formulas(basics):
    """How LibreOffice treats numbers stored as text (see the note at the top of gaixl/engine.py)."""
    _src, (_basic, text) = basics
    ws = openpyxl.load_workbook(text, data_only=True).active
    assert ws["A1"].value == "3" and ws["A1"].data_type == "s"      # still text after the re-save
    got = {cell: ws[cell].value for cell in TEXT_CASES}
    assert got == {cell: expected for cell, (_f, expected) in TEXT_CASES.items()}


def test_recalculate_in_place_and_errors(soffice, tmp_path):
    src = tmp_path / "a.xlsx"
    _basic_workbook(src)
    # the output may replace its own input (out_dir = the input's folder)
    (out,) = engine.recalculate([src], tmp_path)
    assert out == src and openpyxl.load_workbook(src, data_only=True).active["A3"].value == 5
    with pytest.raises(GaixlError, match="no such file"):
        engine.recalculate([tmp_path / "missing.xlsx"], tmp_path / "o")
    (tmp_path / "sub").mkdir()
    shutil.copy(src, tmp_path / "sub" / "a.xlsx")
    with pytest.raises(GaixlError, match="both be written as a.xlsx"):
        engine.recalculate([src, tmp_path / "sub" / "a.xlsx"], tmp_path / "o")
    assert engine.recalculate([], tmp_path / "o") == []


def test_recalculate_timeout_kills_soffice(soffice, tmp_path):
    src = tmp_path / "a.xlsx"
    _basic_workbook(src)
    with pytest.raises(GaixlError, match="did not finish within"):
        engine.recalculate([src], tmp_path / "o", timeout=0.05)


def test_missing_engine_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(engine, "find_soffice", lambda: None)
    src = tmp_path / "a.xlsx"
    _basic_workbook(src)
    with pytest.raises(GaixlError, match="LibreOffice .* not installed"):
        engine.recalculate([src], tmp_path / "o")
    with pytest.raises(GaixlError, match="not installed"):
        engine.convert(src, "pdf", tmp_path / "o")


def _minimal_docx(path: Path, text: str) -> None:
    """A one-paragraph .docx written by hand (no python-docx needed)."""
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          'wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>')
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           f'<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", doc)


def test_convert_docx_to_pdf(soffice, tmp_path):
    src = tmp_path / "报告.docx"
    _minimal_docx(src, "政府信息公开工作年度报告 2025")
    pdf = engine.convert(src, "pdf", tmp_path / "pdf")
    assert pdf == tmp_path / "pdf" / "报告.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext"):  # poppler-utils: the CJK text made it into the PDF (fonts-noto-cjk)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "政府信息公开工作年度报告" in text


# ---------------------------------------------------------------- the template's formulas vs gaixl's Python
# Each case is generated, filled (and optionally edited afterwards, as a user typing in Excel
# would), then ALL cases are recalculated by LibreOffice in one call. For every case the
# template's own ✓/✗ formulas, its error count (GAIXL_ERROR_COUNT) and its totals must agree
# with gaixl's Python: the reader, rules.expand_checks / rules.compute and the validator.
SEED = "samples/2020-jinyun-hrss.json"      # under shared/
YEAR = {"2019": 2020, "2021": 2023}
LEVEL = {"error": "错误", "warning": "警告", "info": "提示"}
APPLICANTS = ["natural", "commercial", "research", "welfare", "lawservice", "other"]
SIGNED_ROWS = [("art20_5", "licensing"), ("art20_5", "other_services"), ("art20_6", "penalty"),
               ("art20_6", "coercion"), ("art20_8", "fees")]


def _get(d: ReportData, layout: Layout, table: str, row: str, col: str):
    return d.value(layout, CellRef(table, row, col))


def _set(d: ReportData, layout: Layout, table: str, row: str, col: str, v) -> None:
    d.set_value(layout, CellRef(table, row, col), v)


def _bump(d, layout, table, row, col, delta) -> None:
    _set(d, layout, table, row, col, (_get(d, layout, table, row, col) or 0) + delta)


def _valid(layout: Layout, seed: int) -> ReportData:
    return consistent_data(layout, YEAR[layout.id], seed)


def _seed(layout: Layout, shared: Path) -> ReportData:
    d = load_data_file(shared / SEED)
    assert d.layout == layout.id
    return d


def _t3_one_column(layout, _shared):
    d = _valid(layout, 11)
    _bump(d, layout, "t3", "carried_out", "commercial", 1)          # 一+二 ≠ 三（七）+四 in one column
    return d


def _t3_every_column(layout, _shared):
    d = _valid(layout, 12)
    for i, col in enumerate(APPLICANTS):
        _bump(d, layout, "t3", "new", col, i + 1)                   # off by 1..6: the 总计 column too
    return d


def _t3_offsetting(layout, _shared):
    d = _valid(layout, 13)
    _bump(d, layout, "t3", "new", "natural", 1)                     # +1 here …
    _bump(d, layout, "t3", "carried_out", "research", 1)            # … −1 there: 总计 still balances
    return d


def _items_negative_one(layout, _shared):
    d = _valid(layout, 14)
    _set(d, layout, "art20_6", "coercion", "prev_items", 0)         # as published: 上一年 0, 减3
    _set(d, layout, "art20_6", "coercion", "delta", -3)
    return d


def _items_negative_every_row(layout, _shared):
    d = _valid(layout, 15)
    for t, r in SIGNED_ROWS:
        _set(d, layout, t, r, "prev_items", 2)
        _set(d, layout, t, r, "delta", -5)
    return d


def _items_boundary(layout, _shared):
    d = _valid(layout, 16)
    for t, r in SIGNED_ROWS:                                        # 上一年 3, 减3 → 0: allowed
        _set(d, layout, t, r, "prev_items", 3)
        _set(d, layout, t, r, "delta", -3)
    return d


def _mixed(layout, _shared):
    d = _items_negative_one(layout, _shared)
    _bump(d, layout, "t3", "carried_in", "welfare", 2)
    return d


def _sparse(layout: Layout, carried_out=1) -> ReportData:
    """Mostly blank, as departments return it: blanks count 0 on both sides."""
    d = ReportData.empty(layout, YEAR[layout.id], "TEST-01", "测试县测试局")
    _set(d, layout, "t3", "new", "natural", 3)
    _set(d, layout, "t3", "granted", "natural", 2)
    _set(d, layout, "t3", "carried_out", "natural", carried_out)
    return d


def _fractions(layout, _shared):
    """0.1 + 0.2 vs 0.3: both sides compare after rounding to 4 decimals."""
    d = _sparse(layout)
    _set(d, layout, "t3", "new", "research", 0.1)
    _set(d, layout, "t3", "carried_in", "research", 0.2)
    _set(d, layout, "t3", "granted", "research", 0.3)
    return d


@dataclass
class Case:
    id: str
    lid: str
    build: Callable                      # (layout, shared) -> ReportData
    fails: set | None                    # the rule ids that must fail in Python (None: not asserted)
    edits: list = field(default_factory=list)   # [(CellRef, raw value written after filling)]
    text: str | None = None              # text the template's formulas cannot add (what it is)


T3N = CellRef("t3", "new", "natural")
CASES = [
    Case("2019-seed", "2019", _seed, {"t2-items-negative"}),       # the seed: 行政强制 上一年0 减3
    Case("2019-valid", "2019", lambda l, s: _valid(l, 1), set()),
    Case("2021-valid", "2021", lambda l, s: _valid(l, 2), set()),
    Case("2019-t3-balance-one-column", "2019", _t3_one_column, {"t3-balance"}),
    Case("2021-t3-balance-one-column", "2021", _t3_one_column, {"t3-balance"}),
    Case("2019-t3-balance-every-column", "2019", _t3_every_column, {"t3-balance"}),
    Case("2021-t3-balance-every-column", "2021", _t3_every_column, {"t3-balance"}),
    Case("2021-t3-balance-offsetting", "2021", _t3_offsetting, {"t3-balance"}),
    Case("2019-items-negative-one-row", "2019", _items_negative_one, {"t2-items-negative"}),
    Case("2019-items-negative-every-row", "2019", _items_negative_every_row, {"t2-items-negative"}),
    Case("2019-items-zero-is-allowed", "2019", _items_boundary, set()),
    Case("2019-error-and-warning", "2019", _mixed, {"t3-balance", "t2-items-negative"}),
    Case("2019-sparse-blanks", "2019", lambda l, s: _sparse(l), set()),
    Case("2021-sparse-blanks", "2021", lambda l, s: _sparse(l), set()),
    Case("2021-blank-breaks-balance", "2021", lambda l, s: _sparse(l, carried_out=None), {"t3-balance"}),
    Case("2021-fractions-round-alike", "2021", _fractions, set()),
    # Text in a number cell — numbers stored as text (what a paste leaves), full-width digits,
    # a unit, a word. Spreadsheet programs convert some of it in arithmetic and not the rest,
    # each differently; the template reads every cell through SUM(), which skips text in all of
    # them, so it counts 0 everywhere — and its 数字栏 check counts it as an error. gaixl's
    # reader says what the text means (the fix), reports cell-not-number and checks the rules on
    # the numbers the template's formulas see (text 0): the same checks fail on both sides.
    Case("2021-text-number", "2021", lambda l, s: _sparse(l), {"t3-balance"}, edits=[(T3N, "3")],
         text="“3” stored as text"),
    Case("2021-text-number-spaces", "2021", lambda l, s: _sparse(l), {"t3-balance"}, edits=[(T3N, " 3 ")],
         text="“ 3 ” stored as text"),
    Case("2021-text-number-breaks-balance", "2021", lambda l, s: _sparse(l), {"t3-balance"}, edits=[(T3N, "4")],
         text="“4” stored as text"),
    Case("2019-text-number-negative-delta", "2019", lambda l, s: _valid(l, 3), set(),
         edits=[(CellRef("art20_6", "coercion", "prev_items"), 1), (CellRef("art20_6", "coercion", "delta"), "-3")],
         text="“-3” stored as text"),
    Case("2021-fullwidth-digit", "2021", lambda l, s: _sparse(l), {"t3-balance"},
         edits=[(T3N, "３")], text="“３” (full-width digit)"),
    Case("2021-number-with-unit", "2021", lambda l, s: _sparse(l), {"t3-balance"},
         edits=[(T3N, "3件")], text="“3件” (a number with its unit)"),
    Case("2021-dash-for-zero", "2021", lambda l, s: _sparse(l), set(),
         edits=[(CellRef("t3", "carried_in", "natural"), "-")], text="“-” for zero"),
    Case("2019-signed-word", "2019", lambda l, s: _valid(l, 4), set(),
         edits=[(CellRef("art20_6", "coercion", "prev_items"), 5), (CellRef("art20_6", "coercion", "delta"), "减3")],
         text="“减3” typed as a word"),
    Case("2021-not-a-number", "2021", lambda l, s: _sparse(l), {"t3-balance"},
         edits=[(T3N, "abc")], text="“abc”"),
]
BY_ID = {c.id: c for c in CASES}


def _row_cells(wb, layout: Layout, table: str, row: str) -> dict[str, object]:
    """Column key → openpyxl cell, through the row's defined name (spanned columns count their span)."""
    t = layout.tables[table]
    title, coord = next(iter(wb.defined_names[names.row_name(table, row)].destinations))
    got = wb[title][coord.replace("$", "")]
    cells = list(got[0]) if isinstance(got[0], tuple) else list(got) if isinstance(got, tuple) else [got]
    assert len(cells) == sum(c.span for c in t.data_columns)
    out, off = {}, 0
    for c in t.data_columns:
        out[c.key] = cells[off]
        off += c.span
    return out


def _cell(wb, layout: Layout, ref: CellRef):
    return _row_cells(wb, layout, ref.table, ref.row)[ref.col]


def _name_cells(wb, name: str) -> list[list]:
    title, coord = next(iter(wb.defined_names[name].destinations))
    got = wb[title][coord.replace("$", "")]
    if not isinstance(got, tuple):
        return [[got]]
    return [list(r) for r in got] if isinstance(got[0], tuple) else [list(got)]


def _apply_edits(path: Path, layout: Layout, edits) -> None:
    wb = openpyxl.load_workbook(path)
    for ref, raw in edits:
        c = _cell(wb, layout, ref)
        c.value = raw
        if isinstance(raw, str):
            c.data_type = "s"                    # a text cell, even for "-3" or "=…"
    wb.save(path)


@dataclass
class Run:
    case: Case
    layout: Layout
    data: ReportData          # what was filled (before edits)
    filled: Path
    recalc: Path


@pytest.fixture(scope="module")
def runs(soffice, shared, layouts, tmp_path_factory) -> dict[str, Run]:
    from gaixl.workbook.fill import fill_workbook
    from gaixl.workbook.template import generate_workbook

    d = tmp_path_factory.mktemp("cases")
    templates: dict[tuple[str, int], Path] = {}
    out: dict[str, Run] = {}
    for case in CASES:
        layout = layouts[case.lid]
        data = case.build(layout, shared)
        key = (case.lid, data.year)
        if key not in templates:
            templates[key] = generate_workbook(layout, data.year, "TEST-01", "测试县测试局",
                                               d / f"template-{case.lid}-{data.year}.xlsx",
                                               generated_at="2026-01-05T08:00:00Z")
        filled = fill_workbook(templates[key], data, d / f"{case.id}.xlsx")
        if case.edits:
            _apply_edits(filled, layout, case.edits)
        out[case.id] = Run(case, layout, data, filled, filled)
    recalculated = engine.recalculate([r.filled for r in out.values()], tmp_path_factory.mktemp("recalc"))
    for r, p in zip(out.values(), recalculated):
        r.recalc = p
    return out


def _python_side(run: Run):
    """What gaixl's Python says about the filled file: read it, run every check."""
    from gaixl.validation.validate import validate
    from gaixl.workbook.read import read_workbook

    res = read_workbook(run.filled)
    layout = run.layout
    values = res.sheet_values                   # what the template's formulas see (text 0)
    assert values is not None
    results = [(c, c.run_on(values)[0]) for c in expand_checks(layout)]
    rule_ids = {r.id for r in all_rules(layout)}
    findings = validate(res.data, layout, locator=res.locator, sheet_values=values)
    table_errors = [f for f in findings if f.severity == "error" and f.code in rule_ids | {"total-blank"}]
    return res, results, findings, table_errors


_LOADED: dict[Path, object] = {}


def _recalculated(run: Run):
    """The recalculated copy as openpyxl values (loaded once: LibreOffice's styles make it slow)."""
    if run.recalc not in _LOADED:
        _LOADED[run.recalc] = openpyxl.load_workbook(run.recalc, data_only=True)
    return _LOADED[run.recalc]


def _template_side(run: Run):
    """What the recalculated template says: its error count and the rows of the 校验 block."""
    wb = _recalculated(run)
    ((count,),) = [[c.value for c in row] for row in _name_cells(wb, names.ERROR_COUNT)]
    block = _name_cells(wb, names.CHECKS)
    ws = block[0][0].parent
    header = [ws.cell(block[0][0].row - 1, c.column).value for c in block[0]]
    assert header == names.CHECK_COLUMNS
    rows = [dict(zip(names.CHECK_COLUMNS, (c.value for c in row))) for row in block]
    return wb, count, rows


@pytest.mark.parametrize("case_id", [c.id for c in CASES])
def test_template_checks_agree_with_python(runs, case_id):
    run = runs[case_id]
    res, py, _findings, table_errors = _python_side(run)
    if run.case.fails is not None:                 # the case breaks exactly the rules it means to
        assert {c.rule.id for c, ok in py if not ok} == run.case.fails
    _wb, count, rows = _template_side(run)
    # every check instance of the layout is one row of the 校验 block, in expand_checks order,
    # then the sheet checks (numbers per table, narrative, format/year, date; tests/test_verdict.py)
    assert [r["序号"] for r in rows] == list(range(1, len(rows) + 1))
    assert [r["规则"] for r in rows[len(py):]] == [x.id for x in plan_for(run.layout).sheet_checks]
    for row, (check, ok) in zip(rows, py):
        sheet, cell = res.locator[check.at]
        what = f"{check.id} at {sheet}!{cell}"
        assert (row["规则"], row["位置"], row["级别"]) == (check.id, f"{sheet}!{cell}", LEVEL[check.rule.severity])
        assert row["结果"] == ("✓" if ok else "✗"), f"{what}: template {row['结果']!r}, Python {'✓' if ok else '✗'}"
        assert row["计数"] == (0 if ok or check.rule.severity != "error" else 1), what
    # the error count: the template's cell, Python's failing error checks, the validator's findings
    failing_errors = sum(1 for c, ok in py if not ok and c.rule.severity == "error")
    assert failing_errors == len(table_errors)
    sheet_errors = sum(1 for r in rows[len(py):] if r["结果"] == "✗" and r["级别"] == "错误")
    assert count == failing_errors + sheet_errors
    warnings_shown = sum(1 for r in rows[:len(py)] if r["结果"] == "✗" and r["级别"] != "错误")
    assert warnings_shown == sum(1 for c, ok in py if not ok and c.rule.severity != "error")


def _beside(wb, layout: Layout) -> dict[int, object]:
    """(index in expand_checks → the ✓/✗ shown beside its table), through GAIXL_CHECK_<table>."""
    by_table: dict[str, list] = {}
    for i, c in enumerate(expand_checks(layout)):
        if c.rule in layout.rules:
            by_table.setdefault(c.table, []).append((i, c))
    out = {}
    for tkey, checks in by_table.items():
        t = layout.tables[tkey]
        areas = list(wb.defined_names[names.check_name(tkey)].destinations)
        rules = list(dict.fromkeys(c.rule.id for _i, c in checks))
        assert len(areas) == len(rules), tkey          # one block per rule, in rule order
        for (title, coord), rule_id in zip(areas, rules):
            ws = wb[title]
            got = ws[coord.replace("$", "")]
            first = got if not isinstance(got, tuple) else (got[0][0] if isinstance(got[0], tuple) else got[0])
            for i, c in ((i, c) for i, c in checks if c.rule.id == rule_id):
                if c.rule.for_each == "column":     # a row of ✓/✗ under the columns
                    cell = ws.cell(first.row, _row_cells(wb, layout, tkey, t.data_rows[0].key)[c.instance].column)
                elif c.rule.for_each == "row":      # a column of ✓/✗ right of the rows
                    cell = ws.cell(_row_cells(wb, layout, tkey, c.instance)[t.data_columns[0].key].row, first.column)
                else:
                    cell = first
                out[i] = cell.value
    return out


@pytest.mark.parametrize("case_id", [c.id for c in CASES])
def test_checks_beside_tables_agree(runs, case_id):
    run = runs[case_id]
    wb, _count, rows = _template_side(run)
    beside = _beside(wb, run.layout)
    assert beside, "no check shown beside any table"
    assert beside == {i: rows[i]["结果"] for i in beside}


@pytest.mark.parametrize("case_id", [c.id for c in CASES if not c.text])
def test_recalculated_totals_and_inputs(runs, case_id):
    """LibreOffice's totals are rules.compute's; the inputs came through unchanged."""
    from gaixl.workbook.read import read_workbook

    run = runs[case_id]
    layout = run.layout
    res = read_workbook(run.filled)
    wb = _recalculated(run)
    formulas = computed_cells(layout)
    expected = compute(layout, res.sheet_values.__getitem__)
    edited = dict(run.case.edits)
    n = 0
    for t in layout.tables.values():
        for r in t.data_rows:
            cells = _row_cells(wb, layout, t.key, r.key)
            for c in t.data_columns:
                ref = CellRef(t.key, r.key, c.key)
                got = cells[c.key].value
                if ref in formulas:
                    assert got == pytest.approx(expected[ref], abs=1e-9), ref
                    n += 1
                elif ref in edited:
                    assert got == edited[ref], ref            # LibreOffice keeps text as text
                else:
                    want = run.data.value(layout, ref)
                    assert got == (pytest.approx(want, abs=1e-9) if want is not None else None), ref
    assert n == len(formulas)


@pytest.mark.parametrize("case_id", [c.id for c in CASES])
def test_libreoffice_resaved_copy_reads_the_same(runs, case_id):
    """A filled template re-saved by LibreOffice (hidden meta sheet, rewritten styles and
    formulas) is still read by gaixl's reader: the same data and the same findings."""
    from gaixl.workbook.read import read_workbook

    run = runs[case_id]
    a, b = read_workbook(run.filled), read_workbook(run.recalc)
    assert b.kind == a.kind == "template"
    assert b.data.to_json() == a.data.to_json()
    key = lambda f: (f.code, f.severity, f.sheet, f.cell)
    # (the filled file's totals were not recalculated after text was typed in: a stale cached
    # result there, which LibreOffice's save does not have, is the only allowed difference)
    assert sorted(map(key, b.findings)) == sorted(key(f) for f in a.findings if f.code != "cached-mismatch")
    assert b.locator == a.locator


# What gaixl's reader makes of text in a number cell: what it means (said as the fix).
READER_SAYS = {
    "2021-text-number": {T3N: 3},
    "2021-text-number-spaces": {T3N: 3},
    "2021-text-number-breaks-balance": {T3N: 4},
    "2019-text-number-negative-delta": {CellRef("art20_6", "coercion", "delta"): -3},
    "2021-fullwidth-digit": {T3N: 3},
    "2021-number-with-unit": {T3N: 3},
    "2021-dash-for-zero": {CellRef("t3", "carried_in", "natural"): 0},
    "2019-signed-word": {CellRef("art20_6", "coercion", "delta"): -3},
    "2021-not-a-number": {T3N: None},
}


@pytest.mark.parametrize("case_id", [c.id for c in CASES if c.text])
def test_text_in_number_cells(runs, case_id):
    """Text in a number cell (“3”, “３”, “3件”, “-”, “减3”, “abc”): LibreOffice's totals count it 0
    (every cell is read through SUM()), its 数字栏 check of the table is ✗ and counted; gaixl reads
    what the text means, reports it as cell-not-number (an error, the fix spelled out) and gets the
    same totals and the same ✓/✗ from the numbers the template sees."""
    run = runs[case_id]
    layout = run.layout
    res, py, _findings, _errors = _python_side(run)
    assert {ref: res.data.value(layout, ref) for ref in READER_SAYS[case_id]} == READER_SAYS[case_id]
    edited = {ref for ref, raw in run.case.edits if isinstance(raw, str)}
    assert res.uncomputable == edited
    on_cell = [f for f in res.findings if (f.sheet, f.cell) in {res.locator[r] for r in edited}]
    assert [(f.code, f.severity) for f in on_cell] == [("cell-not-number", "error")] * len(edited)
    assert all("应填写为" in f.message or "请填写阿拉伯数字" in f.message for f in on_cell)
    wb, count, rows = _template_side(run)
    tables = {r.table for r in edited}
    numbers = {r["规则"]: r["结果"] for r in rows[len(py):] if r["规则"].startswith("cell-not-number[")}
    assert numbers == {f"cell-not-number[{t}]": ("✗" if t in tables else "✓") for t in layout.tables}
    assert count >= len(tables)
    for ref in computed_cells(layout):
        if edited & _deps(layout, ref):
            assert _cell(wb, layout, ref).value == pytest.approx(res.sheet_values[ref]), ref


def _deps(layout: Layout, ref: CellRef) -> set:
    """Input cells a computed cell depends on."""
    formulas = computed_cells(layout)
    out, todo = set(), [ref]
    while todo:
        r = todo.pop()
        if r in formulas:
            todo.extend(refs_of(formulas[r]))
        else:
            out.add(r)
    return out


def test_cases_break_every_explicit_rule():
    """When a layout gains a rule, a case breaking it must be added here."""
    broken = {(c.lid, rid) for c in CASES if c.fails for rid in c.fails}
    for lid in YEAR:
        layout = load_layout(lid)
        assert {(lid, r.id) for r in layout.rules} <= broken, lid
