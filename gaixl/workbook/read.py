"""Filled workbook → ReportData and the findings of reading it. Nothing in the file is trusted.

A gaixl template is read through its defined names (gaixl.workbook.names), so rows a user inserted
after unprotecting a sheet shift nothing; its totals are recomputed from the inputs (a
formula typed over, or a stale cached value, is a finding, never a number we use). Any other
workbook — the county's old hand-made sheet, an .xls, a template whose names were damaged —
is read by its labels (row labels, and column headers placed under their merged parents);
there the totals are kept AS GIVEN, for the validator to check.

    read_workbook(path, layout=None) -> ReadResult      .xlsx / .xlsm / .xls
    read_any(path) -> ReadResult                        the above, or a .json data file
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from gaixl.errors import InputError, UsageError, WorkbookError
from gaixl.findings import Finding
from gaixl.report.data import CONTACT_FIELDS, ReadResult, ReportData
from gaixl.report.datafile import read_datafile
from gaixl.report.values import Problem, XlError, has_text, parse_cell, parse_date, report_year, text_of
from gaixl.spec.load import available_layouts, load_layout
from gaixl.spec.model import Layout, Table
from gaixl.spec.rules import CellRef, compile_expr, computed_cells, to_excel
from gaixl.workbook import names
from gaixl.workbook.handmade import (
    LabelRead,
    SheetIndex,
    cell_finding,
    input_formula,
    locate_table,
    meta_finding,
    read_by_labels,
    table_missing,
    to_int,
    year_invalid,
)
from gaixl.workbook.xlsx import Book, Cell, Sheet, read_xls, sniff_read, split_addr

CONTACT_KEYS = [k for k, _ in CONTACT_FIELDS]




# ---------------------------------------------------------------- entry points
def read_any(path: str | Path) -> ReadResult:
    """Any report file, by content (not by suffix): a data file, an .xlsx/.xlsm, an .xls."""
    p = Path(path)
    kind, data = sniff_read(p)
    if kind == "json":
        return read_datafile(p)
    return _read_workbook(p, None, kind, data)


def read_workbook(path: str | Path, layout: Layout | str | None = None) -> ReadResult:
    """A filled template or any workbook of the official format → ReadResult.
    Unreadable input raises InputError; a workbook without the tables, WorkbookError."""
    p = Path(path)
    if isinstance(layout, str):
        layout = load_layout(layout)
    kind, data = sniff_read(p)
    return _read_workbook(p, layout, kind, data)


def _read_workbook(p: Path, layout: Layout | None, kind: str, data: bytes | None) -> ReadResult:
    if kind == "json":
        raise InputError("a data file (.json), not a workbook: use read_any()", where=str(p),
                         zh="这是数据文件（.json），不是工作簿，请改用read_any()读取")
    if kind == "xls":
        sheets, date1904 = read_xls(p)
        res = _from_labels(p, [s for s in sheets if s.name != names.META_SHEET], layout, date1904)
        meta_sheet = next((s for s in sheets if s.name == names.META_SHEET), None)
        if meta_sheet is not None:
            _converted_template(res, meta_sheet)
        return res
    with Book(p, data) as book:
        lost = None
        if book.name_text(names.META) is not None or book.sheet_info(names.META_SHEET) is not None:
            try:
                return _Template(book, layout).read()
            except _MetaLost as e:
                lost = meta_finding("template-meta-altered", "error", f"模板的识别信息（隐藏的元数据工作表）已被删除或破坏"
                                     f"（{e}），已按表格标签读取，无法确认本文件是下发给本单位的模板",
                                     f"the template's metadata sheet was removed or damaged ({e}): read by labels")
        sheets = [book.sheet(s.name) for s in book.sheets if s.name != names.META_SHEET]
        res = _from_labels(p, sheets, layout, book.date1904)
        if lost is not None:
            res.findings.insert(0, lost)
        return res


def _from_labels(path: Path, sheets: list[Sheet], layout: Layout | None, date1904: bool) -> ReadResult:
    got: LabelRead = read_by_labels(path, sheets, layout, date1904)
    data, findings = got.data, got.findings
    if got.uncached:
        # Saved by a program that does not calculate (openpyxl, some converters): the given
        # total is unknown, so it is computed from its items, and said.
        lay = got.layout
        plan = _plan(lay)
        values: list[int | float] = [0] * len(plan.index)
        for ref, i in plan.index.items():
            v = data.value(lay, ref)
            values[i] = v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0
        totals = recompute(plan, values)
        for ref in got.uncached:
            data.set_value(lay, ref, totals[ref])
        sheet, a = got.locator[got.uncached[0]]
        findings.append(meta_finding(
            "cached-missing", "warning", f"{len(got.uncached)}个合计单元格为公式但文件中没有保存计算结果（如{sheet}!{a}），"
            "已按各分项计算；请在Excel中打开并保存后报送", f"{len(got.uncached)} totals are formulas without saved "
            f"results (e.g. {sheet}!{a}); computed from their items", table=lay.tables[got.uncached[0].table].group,
            sheet=sheet, cell=a))
    return ReadResult(data=data, findings=findings, kind="workbook", meta={}, locator=got.locator,
                      text_locator=got.text_locator, info_locator=got.info_locator)


def _converted_template(res: ReadResult, meta_sheet: Sheet) -> None:
    """A gaixl template saved as .xls: read by labels, but the unit and year are the template's
    own (when its metadata is intact), and the conversion is said."""
    cells = meta_sheet.cells
    meta = {text_of(cells[f"A{i}"].value): text_of(cells[f"B{i}"].value) if f"B{i}" in cells else ""
            for i in range(1, len(names.META_KEYS) + 1) if f"A{i}" in cells}
    res.meta = meta
    if meta.get("fingerprint") == names.fingerprint(meta):
        res.data.unit = {"code": meta.get("unit_code", ""), "name": meta.get("unit_name", "")}
        res.data.signature["unit"] = res.data.unit["name"]
        res.data.year = report_year(to_int(meta.get("year"))) or res.data.year
    res.findings.append(meta_finding(
        "template-converted", "warning", "模板被另存为.xls等其他格式，已按表格标签读取，合计数按填写值校验；请使用下发的.xlsx模板填报",
        "the template was saved in another format (.xls): read by labels, totals checked as given",
        expected=".xlsx", found=".xls"))


class _MetaLost(Exception):
    """A template whose metadata cannot be read: it is read by labels instead."""


# ---------------------------------------------------------------- per-layout plan (cached)
@dataclass
class _Plan:
    layout: Layout
    formulas: dict                      # CellRef -> resolved rule tree (computed cells)
    rows: list                          # (table, row, name, [(col, offset, ref, (rk, ck), index, computed?)], width)
    keys: dict                          # CellRef -> (group, row key, column key) in the data file
    index: dict                         # CellRef -> position in the value list of `recompute`
    program: list                       # (index, ref, compiled formula), in an order that can run
    expected: dict                      # (table, names' texts) -> {ref: normalised formula}
    placed: dict = field(default_factory=dict)   # id(a book's names) -> (names, rows, locator): see _placed


_PLANS: dict[int, _Plan] = {}


def _plan(layout: Layout) -> _Plan:
    plan = _PLANS.get(id(layout))
    if plan is not None and plan.layout is layout:
        return plan
    rows: list = []
    index: dict[CellRef, int] = {}
    formulas = computed_cells(layout)
    for t in layout.tables.values():
        for r in t.data_rows:
            cols, off = [], 0
            for c in t.data_columns:
                ref = CellRef(t.key, r.key, c.key)
                index[ref] = len(index)
                cols.append((c, off, ref, t.data_key(r, c), index[ref], ref in formulas))
                off += c.span
            rows.append((t, r, names.row_name(t.key, r.key), cols, off))
    keys = {ref: (t.group, rk, ck) for t, _r, _n, cols, _w in rows for _c, _o, ref, (rk, ck), _i, _f in cols}
    # The formulas, over list positions instead of CellRefs (hashing a CellRef costs more than
    # the arithmetic), ordered so that a total used by another total is computed first.
    program, done = [], set()

    def add(ref):
        if ref in done:
            return
        done.add(ref)
        for dep in _refs(formulas[ref]):
            if dep in formulas:
                add(dep)
        program.append((index[ref], ref, compile_expr(_indexed(formulas[ref], index))))

    for ref in formulas:
        add(ref)
    plan = _PLANS[id(layout)] = _Plan(layout, formulas, rows, keys, index, program, {})
    return plan


def _refs(node) -> list:
    if node[0] == "ref":
        return [node[1]]
    return [r for n in node[1:] for r in (_refs(n) if isinstance(n, tuple) else
                                        [x for m in n if isinstance(m, tuple) for x in _refs(m)] if isinstance(n, list)
                                        else [])]


def _indexed(node, index: dict):
    if node[0] == "ref":
        return ("ref", index[node[1]])
    return tuple(_indexed(n, index) if isinstance(n, tuple) else
                 [_indexed(m, index) for m in n] if isinstance(n, list) else n for n in node)


def recompute(plan: _Plan, values: list, fixed: dict[int, float] | None = None) -> dict[CellRef, int | float]:
    """Every computed cell from the inputs in `values` (by plan.index; blank = 0): the
    formulas of gaixl.spec.rules (compiled once per layout) — never the file's. `fixed`
    (by plan.index) are totals whose value is given (a formula typed over)."""
    out = {}
    for i, ref, fn in plan.program:
        if fixed and i in fixed:
            values[i] = out[ref] = fixed[i]
            continue
        v = fn(values)
        if isinstance(v, float):
            # A whole number as int — within a double's exact range only (int(1e308) would carry
            # a 309-digit integer into later sums that no double can hold).
            v = int(v) if v.is_integer() and abs(v) <= 2 ** 53 else round(v, 4)
        values[i] = out[ref] = v
    return out


# ---------------------------------------------------------------- gaixl templates
class _Template:
    """Reading one gaixl template through its defined names."""

    def __init__(self, book: Book, layout: Layout | None):
        self.book, self.asked = book, layout
        self.findings: list[Finding] = []
        self.locator: dict = {}
        self.values: list = []                             # numbers by plan.index (blank = 0)
        self.uncomputable: set = set()                     # inputs that are not numbers (text, errors)
        self.seen: list = []                               # by plan.index: what the template's formulas see
        self._sigs: dict = {}                              # table -> its row names' texts
        self.where = str(book.path)

    def read(self) -> ReadResult:
        meta = self._meta()
        layout = self._layout(meta)
        plan = _plan(layout)
        year = report_year(to_int(meta.get("year")))
        if year is None:
            self.findings.append(year_invalid(meta.get("year"), names.META_SHEET))
        data = ReportData(layout=layout.id, year=year if year is not None else 0,
                          unit={"code": meta.get("unit_code", ""), "name": meta.get("unit_name", "")})
        self.values = [0] * len(plan.index)
        self.seen = [0] * len(plan.index)
        cached = self._tables(layout, plan, data)
        sheet_values = self._totals(layout, plan, data, cached)
        text_locator = self._text(layout, data)
        info_locator = self._info(data, meta)
        return ReadResult(data=data, findings=self.findings, kind="template", meta=meta, locator=self.locator,
                          text_locator=text_locator, info_locator=info_locator, uncomputable=self.uncomputable,
                          sheet_values=sheet_values)

    # -- metadata
    def _meta(self) -> dict:
        ref = self.book.resolve(names.META)
        rows: Sequence[Sequence[str]]
        if ref is not None:
            sheet, rows = ref
        else:
            sheet = names.META_SHEET
            rows = [[f"A{i}", f"B{i}"] for i in range(1, len(names.META_KEYS) + 1)]
        if self.book.sheet_info(sheet) is None:
            raise _MetaLost("no metadata sheet")
        cells = self.book.sheet(sheet).cells
        meta = {}
        for row in rows:
            if len(row) >= 2:
                k, v = cells.get(row[0]), cells.get(row[1])
                if k is not None and k.value is not None:
                    meta[text_of(k.value)] = text_of(v.value) if v is not None else ""
        if not meta.get("layout"):
            raise _MetaLost("no layout in the metadata")
        if meta.get("fingerprint") != names.fingerprint(meta):
            self.findings.append(meta_finding(
                "template-meta-altered", "error",
                "模板的识别信息（隐藏的元数据工作表）已被改动，无法确认本文件是下发给本单位的模板",
                "the template's metadata (the hidden sheet) was altered: cannot tell whose template this is",
                sheet=sheet, expected=names.fingerprint(meta), found=meta.get("fingerprint")))
        return meta

    def _layout(self, meta: dict) -> Layout:
        lid = meta.get("layout", "")
        try:
            # Only a known id: the file must not make us load a layout from a path it names.
            layout = _known_layouts().get(lid)
            if layout is None:
                raise UsageError(f"unknown layout {lid!r}", zh=f"未知的报告格式“{lid}”")
        except UsageError:
            if self.asked is None:
                raise WorkbookError(f"the template names an unknown report format {lid!r}", where=self.where,
                                    zh=f"模板标注的报告格式“{lid}”无法识别") from None
            layout = self.asked
        if self.asked is not None and self.asked.id != layout.id:
            self.findings.append(meta_finding(
                "template-other-layout", "error", f"本文件为{layout.id}年版格式的模板，应使用{self.asked.id}年版格式",
                f"this is a template of the {layout.id} format, expected {self.asked.id}",
                expected=self.asked.id, found=layout.id))
        if meta.get("layout_digest") and meta.get("layout_digest") != layout.digest:
            self.findings.append(meta_finding(
                "template-layout-changed", "warning",
                f"生成本模板后，{layout.id}年版格式定义文件已更新；本文件按现行定义读取，请核对",
                f"the {layout.id} layout file changed since this template was generated; read with the current one",
                expected=layout.digest[:12], found=str(meta.get("layout_digest"))[:12]))
        return layout

    # -- tables
    def _named(self, name: str, cols: list, width: int) -> tuple[str, list[str]] | None:
        """A row where its defined name places it: (sheet, the address of each column), or None
        when the name is missing or no longer spans the row."""
        ref = self.book.resolve(name)
        if ref is None or len(ref[1]) != 1 or len(ref[1][0]) != width:
            return None
        row_cells = ref[1][0]
        return ref[0], [row_cells[off] for _c, off, _ref, _k, _i, _f in cols]

    def _placed(self, plan: _Plan) -> tuple[list, dict] | None:
        """Where every row of the plan sits, when the defined names place them all as made:
        ([(table, sheet, addresses, cols)], locator). The files of one template share one
        workbook part, and with it one dict of resolved names (Book._refs, kept per structure
        by xlsx.py): what they place is worked out for the first of them, not for each. None
        when a row must be found by its labels (then each file is read the long way)."""
        names = self.book._refs
        hit = plan.placed.get(id(names))
        if hit is not None and hit[0] is names:
            return hit[1], hit[2]
        rows, locator = [], {}
        for t, _r, name, cols, width in plan.rows:
            named = self._named(name, cols, width)
            if named is None:
                return None
            sheet, addrs = named
            rows.append((t, sheet, addrs, cols))
            for (_c, _o, cref, _k, _i, _f), a in zip(cols, addrs):
                locator[cref] = (sheet, a)
        if len(plan.placed) >= 16:                        # structures of a run are few; never unbounded
            plan.placed.clear()
        plan.placed[id(names)] = (names, rows, locator)   # `names` kept: its id is not reused meanwhile
        return rows, locator

    def _tables(self, layout: Layout, plan: _Plan, data: ReportData) -> dict:
        """Inputs parsed into data; returns computed cells' (sheet, cell, Cell) for _totals."""
        placed = self._placed(plan)
        rows: Iterable = self._rows_by_name_or_labels(layout, plan, data) if placed is None else placed[0]
        if placed is not None:
            self.locator.update(placed[1])
        book, tables, values, seen = self.book, data.tables, self.values, self.seen
        cached: dict = {}
        for t, sheet, addrs, cols in rows:
            group = tables.setdefault(t.group, {})
            for (c, _off, cref, (rk, ck), i, is_total), a, cell in zip(cols, addrs, book.sheet(sheet).take(addrs)):
                row = group.setdefault(rk, {})
                if a is None:                             # not found by the labels
                    row[ck] = None
                    continue
                if isinstance(cell, int):                 # a plain whole number ≥ 0 (Sheet.take)
                    if not is_total and cell <= 1_000_000_000:
                        # Most cells: what parse_cell and _seen would say of a whole number 0..10⁹ (the
                        # range of every kind; a larger one goes the long way, through the range check).
                        row[ck] = values[i] = seen[i] = cell
                        continue
                    cell = Cell(cell, None)
                if is_total:
                    cached[cref] = (sheet, a, cell)
                    continue
                self._input(t, c, cref, sheet, a, rk, ck, i, cell, row)
        return cached

    def _rows_by_name_or_labels(self, layout: Layout, plan: _Plan, data: ReportData):
        """The rows of _tables when some row is not where the names place it: each row placed
        by its name, or found by the labels of its table (said, in the order rows are read),
        as (table, sheet, addresses — None where not found —, cols); a table not found at all
        is left blank in `data`."""
        fallback: dict[str, dict | None] = {}
        for t, r, name, cols, width in plan.rows:
            named = self._named(name, cols, width)
            if named is not None:
                sheet, addrs = named
            else:
                if t.key not in fallback:
                    fallback[t.key] = self._by_labels(layout, t)
                found = fallback[t.key]
                if found is None:
                    for _c, _o, _r, (rk, ck), _i, _f in cols:
                        data.tables.setdefault(t.group, {}).setdefault(rk, {})[ck] = None
                    continue
                sheet = found["sheet"]
                addrs = [found["cells"].get((r.key, c.key)) for c, _o, _r, _k, _i, _f in cols]
            for (_c, _o, cref, _k, _i, _f), a in zip(cols, addrs):
                if a is not None:
                    self.locator[cref] = (sheet, a)
            yield t, sheet, addrs, cols

    def _input(self, t: Table, c, cref: CellRef, sheet: str, a: str, rk: str, ck: str, i: int,
               cell: Cell | None, row: dict) -> None:
        """One input cell that is not a plain whole number 0..10⁹ — blank, text, a formula, an
        error value, a decimal, a number out of range: parsed, and said as the template says it."""
        raw = None
        if cell is not None:
            raw = cell.value
            if cell.formula is not None and raw is None:
                self.findings.append(cell_finding(_NO_VALUE, t, sheet, a, rk, ck, "=" + cell.formula))
            elif cell.formula:
                said = input_formula(cell.formula, template=True)
                self.findings.append(cell_finding(said, t, sheet, a, rk, ck, "=" + cell.formula))
                if said.severity == "error":
                    raw = None
        value, problem = parse_cell(raw, c.kind) if raw is not None else (None, None)
        self.seen[i] = _seen(raw)
        if raw is not None and not _is_number(raw):
            # Text in a number cell — “3”, “３”, “5件”, “减3”, a space — is an error in
            # the template too (its 数字栏 check), and its formulas count it 0 (SUM
            # skips text), whatever the text means; the meaning is said as the fix.
            self.uncomputable.add(cref)
            problem = _uncomputable(problem, raw, value)
        if problem is not None:
            self.findings.append(cell_finding(problem, t, sheet, a, rk, ck, raw))
        row[ck] = value
        if value is not None:
            self.values[i] = value

    def _by_labels(self, layout: Layout, t: Table) -> dict | None:
        sheet = next(s.sheet for s in layout.sections if t.key in s.tables)
        self.findings.append(meta_finding(
            "name-missing", "warning", f"表{t.group}的定义名称缺失或已改变（可能删除或改动了行列），已按表格标签读取，请核对",
            f"the defined names of table {t.group} are missing or changed (rows or columns deleted?); read by labels",
            table=t.group, sheet=sheet))
        if self.book.sheet_info(sheet) is None:
            found = None
        else:
            found = locate_table(SheetIndex(self.book.sheet(sheet)), t)
        if found is None:
            self.findings.append(table_missing(t, sheet, layout))
        return found

    def _totals(self, layout: Layout, plan: _Plan, data: ReportData, cached: dict) -> dict:
        """Totals are recomputed; the file's formulas and cached values are only checked.
        Returns the numbers the template's own formulas see (CellRef → number): inputs as typed
        (text 0, an error value NaN), totals computed from them — except a total whose formula
        was replaced, which holds what was put there. The rules run on these (as the template's
        checks do), so the workbook and `check` fail the same checks."""
        values = recompute(plan, self.values)
        tables = data.tables
        for ref, v in values.items():
            group, rk, ck = plan.keys[ref]
            tables.setdefault(group, {}).setdefault(rk, {})[ck] = v
        fixed: dict[int, float] = {}
        kept = []                                       # totals whose formula is the template's
        for ref, (sheet, a, cell) in cached.items():
            t = layout.tables[ref.table]
            _g, rk, ck = plan.keys[ref]
            where = f"{sheet}!{a}（{rk} / {ck}）"
            raw = cell.value if cell is not None else None
            if cell is None or cell.formula is None:
                found = text_of(raw) if raw is not None else ""
                zh = f"改写为“{found}”" if found else "删除"
                en = f"replaced by {found!r}" if found else "deleted"
            elif _norm_formula(cell.formula) not in self._expected_formulas(plan, ref, sheet):
                found, zh, en = "=" + cell.formula, f"改动（现为“={cell.formula}”）", f"changed to ={cell.formula}"
                if raw is None:     # never calculated (saved by a program that does not): unknown
                    raw = values[ref]
            else:
                kept.append((ref, sheet, a, cell, where, t, rk, ck))
                continue
            # A total typed over (or a changed formula): the template's checks use what is there,
            # so its own total check fails unless it equals its items — an error said by that
            # rule. Here, once, that the formula is gone; the data keep the recomputed total.
            fixed[plan.index[ref]] = _seen(raw)
            if raw is not None and not _is_number(raw):
                value, problem = parse_cell(raw, layout.tables[ref.table].column(ref.col).kind)
                self.findings.append(cell_finding(_uncomputable(problem, raw, value), t, sheet, a, rk, ck, raw))
            self.findings.append(Finding(
                "template-formula-altered", "warning", t.group,
                f"{where}：合计单元格的公式已被{zh}，已按各分项重新计算为{_show(values[ref])}；请恢复原公式"
                "（模板中的合计校验按单元格中现有的数值进行）",
                f"{where}: the total's formula was {en}; recomputed as {_show(values[ref])} (the template's "
                "checks use the value in the cell)",
                sheet=sheet, cell=a, row=rk, column=ck, expected=values[ref], found=found))
        seen = recompute(plan, list(self.seen), fixed)
        for ref, sheet, a, cell, where, t, rk, ck in kept:
            # The file's result against what its own formula gives on the cells as they are
            # (text 0): a difference means a file altered, or saved without recalculating.
            v, want = cell.value, seen[ref]
            if isinstance(v, (int, float)) and not isinstance(v, bool) and want == want and round(v - want, 4) != 0:
                self.findings.append(Finding(
                    "cached-mismatch", "warning", t.group,
                    f"{where}：文件中保存的计算结果为{_show(v)}，按各分项重新计算应为{_show(want)}"
                    "（文件可能被改动或未重新计算），已采用重新计算的结果",
                    f"{where}: the file's cached result is {_show(v)} but the items add up to {_show(want)} "
                    "(altered, or not recalculated); the recomputed value is used",
                    sheet=sheet, cell=a, row=rk, column=ck, expected=want, found=v))
        out = dict(zip(plan.index, self.seen))          # plan.index runs 0, 1, 2 … in its order
        out.update(seen)
        return out

    def _expected_formulas(self, plan: _Plan, ref: CellRef, sheet: str) -> tuple[str, str]:
        """The formula the generator writes for a total, at the cells where the names point
        now (rows inserted in Excel move both), and the one templates of earlier versions
        had (plain '+'). Cached per table and names' texts."""
        key = self._sigs.get(ref.table)
        if key is None:
            row_names = [n for t, _r, n, _c, _w in plan.rows if t.key == ref.table]
            key = self._sigs[ref.table] = (ref.table, sheet, tuple(self.book.name_text(n) for n in row_names))
        known = plan.expected.get(key)
        if known is None:
            known = plan.expected[key] = {}
        f = known.get(ref)
        if f is None:
            locator = self.locator

            def where(r: CellRef) -> str:
                s, a = locator.get(r, (None, "?"))
                return a if s == sheet else f"'{s}'!{a}"

            f = known[ref] = (_norm_formula(to_excel(plan.formulas[ref], where)),
                              _norm_formula(to_excel(plan.formulas[ref], where, legacy=True)))
        return f

    # -- narrative and 基本信息
    def _text(self, layout: Layout, data: ReportData) -> dict:
        out: dict = {}     # section key → sheet; (section key, paragraph index) → cell
        for s in layout.text_sections:
            ref = self.book.resolve(names.text_name(s.key))
            paras: list[str] = []
            if ref is not None:
                sheet, rows = ref
                cells = self.book.sheet(sheet).cells
                addrs = [a for row in rows for a in row]
            elif self.book.sheet_info(s.sheet) is not None:
                sheet = s.sheet
                self.findings.append(meta_finding(
                    "name-missing", "warning", f"“{s.heading}”的定义名称缺失，已读取工作表“{sheet}”B列的全部段落，请核对",
                    f"the defined name of “{s.heading}” is missing; read every paragraph in column B of {sheet}",
                    table="text", sheet=sheet))
                cells = self.book.sheet(sheet).cells
                addrs = sorted((a for a in cells if a.startswith("B") and split_addr(a)[0] >= 3),
                               key=lambda a: split_addr(a)[0])
            else:
                data.text[s.heading] = paras
                continue
            for a in addrs:
                cell = cells.get(a)
                if cell is not None and cell.value is not None:
                    p = text_of(cell.value).rstrip()
                    if has_text(p):
                        out[(s.key, len(paras))] = a      # paragraph → its cell, for text findings
                        paras.append(p)
            data.text[s.heading] = paras
            out[s.key] = sheet
        return out

    def _info(self, data: ReportData, meta: dict) -> dict:
        values, locator = {}, {}
        for key, label, _locked in names.INFO_FIELDS:
            ref = self.book.resolve(names.info_name(key))
            if ref is None:
                continue
            sheet, a = ref[0], ref[1][0][0]
            locator[key] = (sheet, a)
            cell = self.book.sheet(sheet).cells.get(a)
            values[key] = cell.value if cell is not None else None
        data.contact = {k: text_of(values.get(k)).strip() for k in CONTACT_KEYS if text_of(values.get(k)).strip()}
        raw = values.get("date")
        date = parse_date(raw, self.book.date1904)
        data.signature = {"unit": data.unit["name"], "date": date or text_of(raw).strip()}
        # The locked fields were pre-filled from the metadata: a difference means an edit.
        for key, mkey in (("unit", "unit_name"), ("code", "unit_code"), ("year", "year")):
            if key in values and mkey in meta and text_of(values[key]).strip() != meta[mkey]:
                sheet, a = locator[key]
                self.findings.append(meta_finding(
                    "template-info-altered", "warning",
                    f"{sheet}!{a}：基本信息中预填的“{dict((k, l) for k, l, _ in names.INFO_FIELDS)[key]}”被改为"
                    f"“{text_of(values[key])}”，已按模板记录的“{meta[mkey]}”读取",
                    f"{sheet}!{a}: the pre-filled {key} was changed to {text_of(values[key])!r}; "
                    f"the template's own {meta[mkey]!r} is used", sheet=sheet, cell=a,
                    expected=meta[mkey], found=text_of(values[key])))
        return locator


_NO_VALUE = Problem("cell-formula-no-value", "warning",
                    "单元格为公式但文件中没有保存计算结果，按空白处理；请在Excel中打开并保存后重新报送",
                    "the cell holds a formula without a saved result; read as blank")
_FORMULA_SPACE = re.compile(r"\s+")


def _norm_formula(f: str) -> str:
    # The same few formulas in every file of a template: normalised once (long ones each time,
    # so that a hostile file cannot fill the cache).
    return _norm_short(f) if len(f) <= 200 else _norm(f)


@lru_cache(maxsize=4096)
def _norm_short(f: str) -> str:
    return _norm(f)


def _norm(f: str) -> str:
    return _FORMULA_SPACE.sub("", f.lstrip("=")).replace("$", "").upper()


def _show(v) -> str:
    return text_of(v)


def _known_layouts() -> dict[str, Layout]:
    """The layouts by id (available_layouts is cached while the layout files stay the same)."""
    return {l.id: l for l in available_layouts()}




def _is_number(raw) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool)


def _seen(raw) -> float:
    """A cell's value as the template's formulas see it (each cell is read through SUM()):
    a number as it is, text and blanks 0, an error value NaN (it spreads to every total)."""
    if _is_number(raw):
        if raw.__class__ is int and abs(raw) > 2 ** 53:
            try:
                return float(raw)         # the double a spreadsheet holds
            except OverflowError:
                return float("nan")       # beyond any double: no spreadsheet can hold it
        return raw
    return float("nan") if isinstance(raw, XlError) else 0


def _uncomputable(problem: Problem | None, raw, value) -> Problem:
    """The error for anything but a number in a template's number cell, with the fix."""
    if isinstance(raw, XlError):
        return problem or Problem("cell-not-number", "error", f"单元格为错误值“{raw}”，请改为数值",
                                  f"the cell holds the error value {raw}; type a number")
    if isinstance(raw, str) and not raw.strip(" \t\r\n\u3000\u00a0"):
        return Problem("cell-not-number", "error", "单元格中只有空格（看似空白，实为文字），请清除该单元格或填写0",
                       "the cell holds only spaces (text, not a blank); clear it or type 0")
    meant = f"，应填写为 {_show(value)}（请清除该单元格后重新输入数字）" if value is not None else "，请填写阿拉伯数字"
    meant_en = f"; clear it and type {_show(value)}" if value is not None else "; type a number"
    shown = "TRUE" if raw is True else "FALSE" if raw is False else raw
    return Problem("cell-not-number", "error",
                   f"“{shown}”不是数值（数字栏不能填写文字、单位、全角数字或空格），模板中的合计和校验按0计算{meant}",
                   f"{shown!r} is not a number (text, a unit or full-width digits); the template counts it 0{meant_en}")
