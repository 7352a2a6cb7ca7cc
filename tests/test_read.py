"""read.py: generated templates filled and read back; altered templates; workbooks read by labels."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import consistent_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaixl.errors import InputError, WorkbookError
from gaixl.report.data import ReportData
from gaixl.spec.load import load_layout
from gaixl.spec.rules import CellRef, input_cells
from gaixl.workbook import names
from gaixl.workbook.fill import fill_workbook
from gaixl.workbook.grid import place_table
from gaixl.workbook.read import read_any, read_workbook
from gaixl.workbook.template import generate_workbook
from gaixl.workbook.xlsx import Book

YEARS = {"2019": 2020, "2021": 2023}


# ---------------------------------------------------------------- fixtures and builders
@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    d = tmp_path_factory.mktemp("templates")
    return {lid: generate_workbook(load_layout(lid), y, "T-01", "测试县测试局", d / f"t{lid}.xlsx",
                                   generated_at="2026-01-05T08:00:00Z") for lid, y in YEARS.items()}


def filled(templates, tmp_path, lid: str, seed: int = 0) -> tuple[Path, ReportData]:
    layout = load_layout(lid)
    data = consistent_data(layout, YEARS[lid], seed, code="T-01", name="测试县测试局")
    out = fill_workbook(templates[lid], data, tmp_path / f"f{lid}-{seed}.xlsx")
    return out, data


def codes(findings, severity=None):
    return sorted(f.code for f in findings if severity is None or f.severity == severity)


def edit(path: Path, fn) -> Path:
    """Open with openpyxl, let `fn(wb)` change it, save in place (cached values are dropped)."""
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def patch_part(path: Path, part: str, fn) -> Path:
    """Rewrite one XML part of a workbook in place (for what openpyxl cannot express)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = fn(data)
            zout.writestr(info, data)
    tmp.replace(path)
    return path


def sheet_part(path: Path, sheet: str) -> str:
    with Book(path) as b:
        return b.sheet_info(sheet).part


def lo_convert(exe: str, src: Path, outdir: Path, fmt: str = "xlsx") -> Path:
    """A LibreOffice re-save (or conversion) of src, with a private profile."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / "profile"
    subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                   check=True, capture_output=True, timeout=180)
    return outdir / (src.stem + "." + fmt)


# ---------------------------------------------------------------- round trips
@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_fill_then_read_gives_the_same_data(templates, tmp_path, lid):
    out, data = filled(templates, tmp_path, lid)
    res = read_workbook(out)
    assert res.kind == "template"
    assert res.findings == []
    got = res.data.to_json()
    want = data.to_json()
    for key in ("layout", "year", "unit", "tables", "text", "contact", "signature"):
        assert got[key] == want[key], key
    assert res.meta["unit_code"] == "T-01" and res.meta["layout"] == lid
    # Every data cell has a place, and the locators name real sheets.
    layout = load_layout(lid)
    assert len(res.locator) == sum(1 for t in layout.tables.values() for _ in t.cells())
    sheets = {s.sheet for s in layout.sections}
    assert {s for s, _a in res.locator.values()} <= sheets
    assert res.info_locator["date"] == (names.INFO_SHEET, "B12")
    # section key → sheet, and (section key, paragraph index) → the paragraph's cell
    assert {k for k in res.text_locator if isinstance(k, str)} == {s.key for s in layout.text_sections}
    assert {k for k in res.text_locator if isinstance(k, tuple)} == {
        (s.key, i) for s in layout.text_sections for i in range(len(data.text[s.heading]))}


def _random_data(layout, year: int, draw) -> ReportData:
    d = ReportData.empty(layout, year, "T-01", "测试县测试局")
    for ref, c in input_cells(layout):
        if c.kind == "signed":
            v = draw(st.one_of(st.none(), st.integers(-500, 500)))
        elif c.kind in ("amount", "money"):
            v = draw(st.one_of(st.none(), st.decimals(0, 100000, places=2).map(float)))
        else:
            v = draw(st.one_of(st.none(), st.integers(0, 10**6)))
        d.set_value(layout, ref, v)
    texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).map(str.rstrip)
    for s in layout.text_sections:
        d.text[s.heading] = [p for p in draw(st.lists(texts, max_size=3)) if p.strip()]
    d.signature = {"unit": "测试县测试局", "date": draw(st.sampled_from(["", f"{year + 1}-01-15"]))}
    d.contact = {"contact": "张三"}
    return d


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data(), lid=st.sampled_from(["2019", "2021"]))
def test_property_random_data_roundtrips_with_totals_recomputed(templates, tmp_path, data, lid):
    layout = load_layout(lid)
    d = _random_data(layout, YEARS[lid], data.draw)
    out = fill_workbook(templates[lid], d, tmp_path / "p.xlsx")
    res = read_workbook(out)
    assert codes(res.findings) == []
    want = d.with_totals(layout).to_json()
    got = res.data.to_json()
    assert got["tables"] == want["tables"]
    assert got["text"] == want["text"]
    assert got["signature"] == want["signature"]


def test_text_is_kept_exactly(templates, tmp_path):
    layout = load_layout("2021")
    d = consistent_data(layout, 2023)
    tricky = ["=SUM(A1) is text, not a formula", "a < b && c > d; 'quotes' \"double\"", "　　首行缩进保留。\n第二行",
              "trailing spaces   ", "Tab\tinside"]
    d.text["一、总体情况"] = tricky
    res = read_workbook(fill_workbook(templates["2021"], d, tmp_path / "t.xlsx"))
    assert res.data.text["一、总体情况"] == [p.rstrip() for p in tricky]


def test_date_forms(templates, tmp_path):
    out, _d = filled(templates, tmp_path, "2021")

    def put(v):
        def fn(wb):
            wb[names.INFO_SHEET]["B12"].value = v
        return fn

    for value, expected in [(dt.date(2024, 1, 11), "2024-01-11"), ("2024年1月11日", "2024-01-11"),
                            ("2024.1.11", "2024-01-11"), (45302, "2024-01-11"), ("下周一", "下周一")]:
        edit(out, put(value))
        assert read_workbook(out).data.signature["date"] == expected


def test_cell_problems_are_located(templates, tmp_path):
    out, _d = filled(templates, tmp_path, "2021")
    edit(out, lambda wb: [wb["三、申请情况"].__setitem__("D6", None),
                          setattr(wb["三、申请情况"]["D6"], "value", "三个"),
                          setattr(wb["三、申请情况"]["E6"], "value", "—"),
                          setattr(wb["二、主动公开"]["B5"], "value", 2.5)])
    res = read_workbook(out)
    by = {f.cell: f for f in res.findings}
    f = by["D6"]
    assert (f.code, f.severity, f.table, f.sheet, f.row, f.column, f.found) == (
        "cell-not-number", "error", "三", "三、申请情况", "一、本年新收政府信息公开申请数量", "自然人", "三个")
    assert f.message.startswith("三、申请情况!D6（一、本年新收政府信息公开申请数量 / 自然人）：")
    # “—” means 0, but the template's formulas cannot add it: an error, with the meaning said.
    assert (by["E6"].code, by["E6"].severity) == ("cell-not-number", "error") and "应填写为 0" in by["E6"].message
    assert res.data.tables["三"]["一、本年新收政府信息公开申请数量"]["商业企业"] == 0
    assert res.uncomputable == {CellRef("t3", "new", "natural"), CellRef("t3", "new", "commercial")}
    assert by["B5"].code == "cell-not-integer" and by["B5"].row == "规章"
    # The total is recomputed from what could be read (三个 counts as blank).
    row = res.data.tables["三"]["一、本年新收政府信息公开申请数量"]
    assert row["总计"] == sum(v or 0 for k, v in row.items() if k != "总计")


# ---------------------------------------------------------------- altered templates
def test_total_overtyped_with_a_number(templates, tmp_path):
    out, data = filled(templates, tmp_path, "2021")
    edit(out, lambda wb: setattr(wb["三、申请情况"]["J6"], "value", 999))
    res = read_workbook(out)
    assert codes(res.findings) == ["template-formula-altered"]
    f = res.findings[0]
    assert (f.severity, f.sheet, f.cell, f.found) == ("warning", "三、申请情况", "J6", "999")
    assert res.data.tables["三"]["一、本年新收政府信息公开申请数量"]["总计"] == \
        data.tables["三"]["一、本年新收政府信息公开申请数量"]["总计"]
    # The error is the one the template's own checks show: the total is not the sum of its
    # items (999 as typed), and the 勾稽 balance of the 总计 column built on it.
    from gaixl.validation.files import check_file

    errors = [(f.code, f.cell) for f in check_file(out).findings if f.severity == "error" and f.table == "三"]
    assert ("t3-row-total", "J6") in errors and [c for c, _ in errors] == ["t3-row-total", "t3-balance"]


def test_total_formula_rewritten(templates, tmp_path):
    out, _data = filled(templates, tmp_path, "2019")
    edit(out, lambda wb: setattr(wb["四、复议诉讼"]["E6"], "value", "=A6+B6"))
    res = read_workbook(out)
    assert codes(res.findings) == ["template-formula-altered"]
    assert res.findings[0].found == "=A6+B6"


def test_stale_cached_value(templates, tmp_path):
    """A value written without recalculation: the formula's cached result no longer agrees."""
    t = tmp_path / "stale.xlsx"
    shutil.copy(templates["2021"], t)
    part = sheet_part(t, "三、申请情况")
    patch_part(t, part, lambda x: re.sub(rb'<c r="D6" s="(\d+)"/>', rb'<c r="D6" s="\1"><v>5</v></c>', x))
    res = read_workbook(t)
    assert codes(res.findings) == ["cached-mismatch"]
    f = res.findings[0]
    assert (f.severity, f.cell, f.expected, f.found) == ("warning", "J6", 5, 0)
    assert res.data.tables["三"]["一、本年新收政府信息公开申请数量"]["总计"] == 5


def test_meta_altered(templates, tmp_path):
    out, _d = filled(templates, tmp_path, "2021")

    def fn(wb):
        ws = wb[names.META_SHEET]
        for row in ws.iter_rows():
            if row[0].value == "unit_name":
                row[1].value = "别的单位"
    edit(out, fn)
    res = read_workbook(out)
    assert "template-meta-altered" in codes(res.findings, "error")
    assert res.data.unit["name"] == "别的单位"


def test_layout_changed_since_generation(templates, tmp_path):
    out, _d = filled(templates, tmp_path, "2021")

    def fn(wb):
        ws = wb[names.META_SHEET]
        meta = {r[0].value: r[1] for r in ws.iter_rows()}
        meta["layout_digest"].value = "0" * 64
        values = {k: c.value for k, c in meta.items()}
        meta["fingerprint"].value = names.fingerprint(values)
    edit(out, fn)
    res = read_workbook(out)
    assert codes(res.findings) == ["template-layout-changed"]
    assert res.findings[0].severity == "warning"


def test_reading_follows_the_defined_names(templates, tmp_path):
    """Rows inserted in Excel move the names with them: the reader must follow the names."""
    out, data = filled(templates, tmp_path, "2021")

    def fn(wb):
        ws = wb["三、申请情况"]
        for c in "DEFGHI":
            ws[f"{c}40"].value = ws[f"{c}6"].value
            ws[f"{c}6"].value = 77777
        ws["J40"].value = "=(D40+E40+F40+G40+H40+I40)"
        wb.defined_names["GAIXL_T3_NEW"].attr_text = "'三、申请情况'!$D$40:$J$40"
    edit(out, fn)
    res = read_workbook(out)
    assert codes(res.findings) == []
    assert res.data.tables["三"] == data.tables["三"]
    assert res.locator[CellRef("t3", "new", "natural")] == ("三、申请情况", "D40")


def _insert_row(wb, sheet: str, at: int) -> None:
    """What Excel does when a user unprotects a sheet and inserts a row before row `at`:
    cells move down, and so do the references to them in formulas and defined names."""
    ref = re.compile(r"(\$?[A-Z]{1,3}\$?)(\d+)")

    def shift(text: str) -> str:
        return ref.sub(lambda m: m[1] + str(int(m[2]) + 1 if int(m[2]) >= at else int(m[2])), text)

    ws = wb[sheet]
    ws.insert_rows(at)
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("="):
                c.value = shift(c.value)
    for dn in wb.defined_names.values():
        if f"'{sheet}'!" in dn.attr_text:
            dn.attr_text = shift(dn.attr_text)


def test_rows_inserted_inside_table_three(templates, tmp_path):
    out, data = filled(templates, tmp_path, "2021")

    def fn(wb):
        wb["三、申请情况"].protection.sheet = False
        _insert_row(wb, "三、申请情况", 12)            # inside （三）不予公开
        wb["三、申请情况"]["C12"].value = "其中：本年新增"
        wb["三、申请情况"]["D12"].value = 99999         # a user's note row: not part of the report
        _insert_row(wb, "三、申请情况", 7)             # between 一 and 二
    edit(out, fn)
    res = read_workbook(out)
    assert codes(res.findings) == []
    assert res.data.tables == data.tables
    assert res.locator[CellRef("t3", "new", "natural")] == ("三、申请情况", "D6")
    assert res.locator[CellRef("t3", "carried_in", "natural")] == ("三、申请情况", "D8")
    assert res.locator[CellRef("t3", "carried_out", "total")] == ("三、申请情况", "J32")


def test_missing_names_fall_back_to_labels(templates, tmp_path):
    out, data = filled(templates, tmp_path, "2021")

    def fn(wb):
        for key in [k for k in wb.defined_names if k.startswith("GAIXL_T3_") or k == "GAIXL_TEXT_S5"]:
            del wb.defined_names[key]
    edit(out, fn)
    res = read_workbook(out)
    assert codes(res.findings) == ["name-missing", "name-missing"]
    assert res.data.tables == data.tables
    assert res.data.text == data.text


def test_files_of_one_template_and_of_another_read_in_turn(templates, tmp_path):
    """Where the names place the rows is worked out once per workbook structure (read.py
    _placed): files whose names differ, read in turn with files whose names are intact, each
    read as if it were the only one."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    intact, data = filled(templates, tmp_path / "a", "2021", seed=1)
    other, data2 = filled(templates, tmp_path / "b", "2021", seed=2)

    def fn(wb):
        for key in [k for k in wb.defined_names if k.startswith("GAIXL_T3_")]:
            del wb.defined_names[key]
    edit(other, fn)
    first = read_workbook(intact)
    for _ in range(2):
        res = read_workbook(other)
        assert codes(res.findings) == ["name-missing"]
        assert res.data.tables == data2.tables
        again = read_workbook(intact)
        assert codes(again.findings) == []
        assert again.data.tables == data.tables and again.locator == first.locator
        assert list(again.locator) == list(first.locator)


def test_meta_sheet_removed_reads_by_labels(templates, tmp_path):
    out, data = filled(templates, tmp_path, "2021")
    edit(out, lambda wb: wb.remove(wb[names.META_SHEET]))
    res = read_workbook(out)
    assert res.kind == "workbook"
    assert codes(res.findings, "error") == ["template-meta-altered"]
    assert res.data.tables == data.tables and res.data.text == data.text
    assert res.data.unit["name"] == "测试县测试局" and res.data.year == 2023


def test_unknown_layout_in_meta(templates, tmp_path):
    out, _d = filled(templates, tmp_path, "2021")

    def fn(wb):
        for row in wb[names.META_SHEET].iter_rows():
            if row[0].value == "layout":
                row[1].value = "1999"
    edit(out, fn)
    with pytest.raises(WorkbookError, match="unknown report format"):
        read_workbook(out)


@pytest.mark.engine
def test_libreoffice_resaved_template_reads_the_same(templates, tmp_path, soffice):
    out, data = filled(templates, tmp_path, "2021")
    again = lo_convert(soffice, out, tmp_path / "lo")
    with Book(again) as b:
        assert b.sheet_info(names.META_SHEET).state in ("hidden", "veryHidden")
    res = read_workbook(again)
    assert codes(res.findings) == []
    assert res.data.to_json() == read_workbook(out).data.to_json()
    assert res.data.tables == data.tables


# ---------------------------------------------------------------- workbooks without gaixl metadata
def _variant(text: str) -> str:
    """How a hand-typed copy differs: half-width brackets, '1、' numbering, line breaks in headers."""
    text = text.replace("（", "(").replace("）", ")")
    text = re.sub(r"^(\d)\.", r"\1、", text)
    text = text.replace("只计这一情形", "只计这一情况")
    if 4 <= len(text) <= 8:
        text = text[:2] + "\n" + text[2:]
    return text


def hand_made(layout, data: ReportData, path: Path, *, one_sheet: bool, left: int = 1, break_total=None,
              merge: bool = True) -> Path:
    """An official-layout workbook typed by hand: no names, no metadata, tables from column B,
    every table on one sheet or one sheet per section."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年报"
    ws["B1"] = f"{data.unit['name']}{data.year}年政府信息公开工作年度报告"
    top = 2
    for s in layout.sections:
        if s.kind == "text":
            continue
        if not one_sheet:
            ws = wb.create_sheet(s.sheet)
            top = 1
        ws.cell(top + 1, left + 1, s.heading)
        top += 1
        for tk in s.tables:
            t = layout.tables[tk]
            g = place_table(layout, t, ws.title, top)

            def put(box, value):
                ws.cell(box.r1 + 1, box.c1 + 1 + left, value)
                if not box.single and merge:
                    ws.merge_cells(start_row=box.r1 + 1, start_column=box.c1 + 1 + left,
                                   end_row=box.r2 + 1, end_column=box.c2 + 1 + left)

            if g.caption:
                put(g.caption, _variant(t.caption))
            for box, text in g.headers:
                put(box, _variant(text))
            for box, text, _grp in g.labels:
                put(box, _variant(text))
            for (rk, ck), box in g.cells.items():
                r, c = t.row(rk), t.column(ck)
                put(box, data.value(layout, CellRef(t.key, r.key, c.key)))
            top = g.box.r2 + 3
    for s in layout.text_sections:
        ws2 = wb.create_sheet(s.heading)
        ws2["A1"] = s.heading
        for i, p in enumerate(data.text.get(s.heading, [])):
            ws2.cell(i + 2, 1, p)
    info = wb.create_sheet("基本信息")
    info["A1"], info["B1"] = "填报单位", data.unit["name"]
    info["A2"], info["B2"] = "联系人", "李四"
    info["A3"], info["B3"] = "报告日期", "2021年1月11日"
    if break_total:
        break_total(wb)
    wb.save(path)
    return path


@pytest.mark.parametrize("lid,one_sheet", [("2019", True), ("2021", False), ("2021", True)])
def test_hand_made_workbook_reads_by_labels(tmp_path, lid, one_sheet):
    layout = load_layout(lid)
    data = consistent_data(layout, YEARS[lid], 3, name="某县某局")
    path = hand_made(layout, data, tmp_path / "hand.xlsx", one_sheet=one_sheet)
    res = read_workbook(path)
    assert res.kind == "workbook"
    assert codes(res.findings) == ["layout-detected", "not-gaixl-workbook"]
    assert res.data.layout == lid
    assert res.data.tables == data.tables
    assert res.data.year == YEARS[lid] and res.data.unit["name"] == "某县某局"
    assert res.data.text == data.text
    assert res.data.signature["date"] == "2021-01-11" and res.data.contact == {"contact": "李四"}
    assert read_workbook(path, layout=layout).data.tables == data.tables


@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_hand_made_without_merged_cells(tmp_path, lid):
    """Group headers typed once over blank cells (行政复议 over its five columns), no merging."""
    layout = load_layout(lid)
    data = consistent_data(layout, YEARS[lid], 4, name="某县某局")
    res = read_workbook(hand_made(layout, data, tmp_path / "flat.xlsx", one_sheet=True, merge=False))
    assert res.data.tables == data.tables


def test_hand_made_totals_are_kept_as_given(tmp_path):
    layout = load_layout("2021")
    data = consistent_data(layout, 2023, 5, name="某县某局")
    data.set_value(layout, CellRef("t3", "new", "total"), 12345)
    res = read_workbook(hand_made(layout, data, tmp_path / "hand.xlsx", one_sheet=True))
    assert res.data.tables["三"]["一、本年新收政府信息公开申请数量"]["总计"] == 12345
    sheet, cell = res.locator[CellRef("t3", "new", "total")]
    assert sheet == "年报" and re.fullmatch(r"[A-Z]+\d+", cell)


def test_hand_made_without_fingerprints_tries_both_formats(tmp_path):
    """Only tables 三 and 四: the format follows from which table fits (2019's one （六） row)."""
    layout = load_layout("2019")
    data = consistent_data(layout, 2020, 1, name="某县某局")

    def drop_two(wb):
        ws = wb["年报"]
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and ("第二十条" in c.value or c.value.startswith("本年新")):
                    c.value = None
    res = read_workbook(hand_made(layout, data, tmp_path / "h.xlsx", one_sheet=True, break_total=drop_two))
    assert res.data.layout == "2019"
    assert res.data.tables["三"] == data.tables["三"]


@pytest.mark.engine
def test_xls_reads_by_labels(tmp_path, soffice):
    layout = load_layout("2019")
    data = consistent_data(layout, 2020, 2, name="某县某局")
    path = hand_made(layout, data, tmp_path / "hand.xlsx", one_sheet=True)
    xls = lo_convert(soffice, path, tmp_path / "lo", "xls")
    res = read_workbook(xls)
    assert res.kind == "workbook" and res.data.layout == "2019"
    assert res.data.tables == data.tables


@pytest.mark.engine
def test_template_saved_as_xls(templates, tmp_path, soffice):
    out, data = filled(templates, tmp_path, "2019")
    xls = lo_convert(soffice, out, tmp_path / "lo", "xls")
    res = read_workbook(xls)
    assert res.kind == "workbook"
    assert "template-converted" in codes(res.findings, "warning")
    assert res.data.unit == {"code": "T-01", "name": "测试县测试局"} and res.data.year == 2020
    assert res.data.tables == data.tables
    assert res.data.text == data.text


def test_workbook_without_tables(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "会议签到表"
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(WorkbookError, match="no table of the official format"):
        read_workbook(tmp_path / "x.xlsx")


def test_read_any_dispatches_on_content(templates, tmp_path):
    layout = load_layout("2021")
    data = consistent_data(layout, 2023)
    j = tmp_path / "data.xlsx"              # the suffix lies: content decides
    j.write_text(json.dumps(data.to_json(), ensure_ascii=False), encoding="utf-8")
    res = read_any(j)
    assert res.kind == "datafile" and res.data.tables == data.tables
    out, _d = filled(templates, tmp_path, "2021")
    assert read_any(out).kind == "template"
    with pytest.raises(InputError):
        read_workbook(j)
