"""Geometry of the table sheets of a template: which cell holds what.

Pure data, no xlsxwriter: computed once per layout and shared by every template written
from it, so the per-unit cost of generation is only the writing. Rows and columns are
0-based here (xlsxwriter's convention); `Box.ref()` gives the absolute A1 form.

Placement follows spec/report-formats.md §2–§4: a caption row spanning the table, header
rows from the column tree (a group spans its leaves, a leaf reaches down to the last header
row, the corner fills label columns × header rows), row labels from the row tree (a leaf at
depth d spans the remaining label columns, a group spans its leaves' rows in its column).
Checks of the explicit layout rules sit beside their table: a row below for a rule run per
column, a column to the right for a rule run per row.
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from xlsxwriter.utility import xl_col_to_name

from gaixl.spec.model import Column, Layout, Row, Section, Table
from gaixl.spec.rules import CellRef, Check, compute, computed_cells, expand_checks, refs_of, to_excel
from gaixl.workbook import names

TABLE_TOP = 2          # sheet row of the first table: row 0 is the heading, row 1 the instruction
INFO_TOP = 2           # 基本信息: first field row (label in A, value in B)
TEXT_TOP = 3           # narrative sheets: first paragraph row (number in A, text in B)
CHECK_TOP = 5          # 校验: first check row (headers one row above); B2 holds the error count
GAP = 1                # blank rows between two tables on one sheet
LINE_PT = 14.5         # height of one line of 11pt 宋体, in points


@dataclass(frozen=True)
class Box:
    """A rectangle of cells, inclusive, 0-based."""

    r1: int
    c1: int
    r2: int
    c2: int

    @property
    def single(self) -> bool:
        return self.r1 == self.r2 and self.c1 == self.c2

    def ref(self) -> str:
        a = f"${xl_col_to_name(self.c1)}${self.r1 + 1}"
        return a if self.single else f"{a}:${xl_col_to_name(self.c2)}${self.r2 + 1}"

    def cell(self) -> str:
        """Top-left cell, relative A1 (for formulas and messages)."""
        return f"{xl_col_to_name(self.c1)}{self.r1 + 1}"


def quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def qualified(sheet: str, box: Box) -> str:
    """An absolute reference usable in a defined name: 'sheet'!$A$1:$B$2."""
    return f"{quote_sheet(sheet)}!{box.ref()}"


def text_units(text: str) -> int:
    """Display width in 'character' units of a column width: CJK and “” count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


@dataclass
class CheckPlace:
    """Where one check of an explicit rule shows beside its table."""

    check: Check
    box: Box                        # the ✓/✗ cell (merged when under a spanned column)
    mark: list[Box]                 # cells that turn red with it (the side of the rule holding `at`)


@dataclass
class TableGeo:
    table: Table
    sheet: str
    box: Box                                            # caption + headers + data: names.table_name
    caption: Box | None
    header_rows: tuple[int, int]
    headers: list[tuple[Box, str]]                      # corner included
    labels: list[tuple[Box, str, bool]]                 # (box, text, is a group)
    cells: dict[tuple[str, str], Box]                   # (row key, column key) -> data cell
    blanks: list[Box]                                   # grid positions no column uses
    rows: dict[str, Box]                                # row key -> its data cells: names.row_name
    checks: list[CheckPlace] = field(default_factory=list)
    check_labels: list[tuple[Box, str, str]] = field(default_factory=list)   # (box, text, hint)
    check_blocks: list[Box] = field(default_factory=list)                    # names.check_name
    numbers_label: Box | None = None      # the row below the table: “数字栏只能填写数字” ✓/✗
    numbers_cell: Box | None = None       # its ✓/✗ (names.sheet_check_name)
    numbers_note: Box | None = None       # beside it: what ✗ means
    bottom: int = 0
    right: int = 0

    def value_ranges(self) -> list[tuple[str, Box]]:
        """(column kind, block of data cells) covering every data cell of the table: adjacent
        columns of one kind make one block (totals included: they hold numbers too)."""
        first = min(b.r1 for b in self.rows.values())
        last = max(b.r2 for b in self.rows.values())
        row0 = self.table.data_rows[0].key
        out: list[tuple[str, Box]] = []
        for col in self.table.data_columns:
            b = self.cells[(row0, col.key)]
            if out and out[-1][0] == col.kind and out[-1][1].c2 + 1 == b.c1:
                out[-1] = (col.kind, Box(first, out[-1][1].c1, last, b.c2))
            else:
                out.append((col.kind, Box(first, b.c1, last, b.c2)))
        return out


@dataclass
class SheetGeo:
    section: Section
    tables: list[TableGeo]
    widths: list[float]
    heights: dict[int, float]
    width: int                  # columns used (heading spans them)
    repeat: tuple[int, int]     # rows printed on every page
    landscape: bool


def _check_label(rule_id: str, hint: str) -> str:
    # The official form names its one printed relation 勾稽关系 (the t3 corner note); other
    # column-wise rules are labelled by their hint.
    return "勾稽关系校验" if rule_id == "t3-balance" else f"校验：{hint}"


def place_table(layout: Layout, table: Table, sheet: str, top: int) -> TableGeo:
    L, G, H = table.label_columns, table.grid, table.header_depth
    width = L + G
    caption = Box(top, 0, top, width - 1) if table.caption else None
    h0 = top + (1 if caption else 0)
    first_data = h0 + H
    headers: list[tuple[Box, str]] = []
    if L:
        headers.append((Box(h0, 0, h0 + H - 1, L - 1), table.corner or ""))

    # Columns: each leaf takes `span` grid columns from left to right.
    col_pos: dict[int, tuple[int, int]] = {}

    def place_col(col: Column, depth: int, start: int) -> int:
        if col.is_leaf:
            col_pos[id(col)] = (start, start + col.span - 1)
            headers.append((Box(h0 + depth, start, h0 + H - 1, start + col.span - 1), col.label))
            return start + col.span
        end = start
        for child in col.children:
            end = place_col(child, depth + 1, end)
        headers.append((Box(h0 + depth, start, h0 + depth, end - 1), col.label))
        return end

    cursor = L
    for col in table.columns:
        cursor = place_col(col, 0, cursor)
    used_to = cursor                     # first grid column no leaf uses

    # Rows: leaves in order from the first data row; groups span their leaves in their column.
    labels: list[tuple[Box, str, bool]] = []
    row_at: dict[str, int] = {}

    def place_row(row: Row, depth: int, r: int) -> int:
        if row.is_leaf:
            row_at[row.key] = r
            if L:
                labels.append((Box(r, depth, r, L - 1), row.label or "", False))
            return r + 1
        end = r
        for child in row.children:
            end = place_row(child, depth + 1, end)
        labels.append((Box(r, depth, end - 1, depth), row.label or "", True))
        return end

    r = first_data
    for row in table.rows:
        r = place_row(row, 0, r)
    last_data = r - 1

    cells: dict[tuple[str, str], Box] = {}
    rows: dict[str, Box] = {}
    leaves = table.data_columns
    for row in table.data_rows:
        rr = row_at[row.key]
        for col in leaves:
            c1, c2 = col_pos[id(col)]
            cells[(row.key, col.key)] = Box(rr, c1, rr, c2)
        rows[row.key] = Box(rr, L, rr, col_pos[id(leaves[-1])][1])
    # Grid columns no leaf uses (2019 (八), (九)) stay empty, one bordered cell each, unmerged.
    blanks = [Box(r, c, r, c) for r in range(h0, last_data + 1) for c in range(used_to, width)]

    geo = TableGeo(table=table, sheet=sheet, box=Box(top, 0, last_data, width - 1), caption=caption,
                   header_rows=(h0, h0 + H - 1), headers=headers, labels=labels, cells=cells, blanks=blanks,
                   rows=rows, bottom=last_data, right=width - 1)
    _place_checks(layout, geo)
    # One more row: whether every data cell holds a number of the right kind (no text).
    rr = geo.bottom + 1
    geo.bottom = rr
    if L:
        geo.numbers_label = Box(rr, 0, rr, L - 1)
    last_col = max(b.c2 for b in cells.values())
    # The ✓/✗ is an array formula: one cell, never merged (Excel refuses array formulas in
    # merged cells); the rest of the row says what ✗ means.
    geo.numbers_cell = Box(rr, L, rr, L)
    if last_col > L:
        geo.numbers_note = Box(rr, L + 1, rr, last_col)
    return geo


def _mark_cells(check: Check, geo: TableGeo) -> list[Box]:
    e = check.expr
    refs = [check.at]
    if e[0] == "cmp":
        side = e[2] if check.at in refs_of(e[2]) else e[3]
        refs = refs_of(side)
    return [geo.cells[(r.row, r.col)] for r in refs if r.table == geo.table.key]


def _place_checks(layout: Layout, geo: TableGeo) -> None:
    explicit = [c for c in expand_checks(layout) if c.table == geo.table.key and c.rule in layout.rules]
    by_rule: dict[str, list[Check]] = {}
    for c in explicit:
        by_rule.setdefault(c.rule.id, []).append(c)
    L = geo.table.label_columns
    for rule_id, checks in by_rule.items():
        rule = checks[0].rule
        if rule.for_each == "row":
            # One column to the right, a ✓/✗ beside each checked row.
            col = geo.right + 1
            geo.right = col
            h1, h2 = geo.header_rows
            geo.check_labels.append((Box(h1, col, h2, col), "校验", rule.hint))
            for c in checks:
                rr = geo.rows[c.instance].r1
                geo.checks.append(CheckPlace(c, Box(rr, col, rr, col), _mark_cells(c, geo)))
            geo.check_blocks.append(Box(geo.rows[checks[0].instance].r1, col, geo.rows[checks[-1].instance].r1, col))
        else:
            # One row below: under each checked column (or under the first one for a single check).
            rr = geo.bottom + 1
            geo.bottom = rr
            if L:
                geo.check_labels.append((Box(rr, 0, rr, L - 1), _check_label(rule_id, rule.hint), rule.hint))
            boxes = []
            for c in checks:
                key = c.instance if rule.for_each == "column" else geo.table.data_columns[0].key
                cell = geo.cells[(geo.table.data_rows[0].key, key)]
                boxes.append(Box(rr, cell.c1, rr, cell.c2))
                geo.checks.append(CheckPlace(c, boxes[-1], _mark_cells(c, geo)))
            geo.check_blocks.append(Box(rr, min(b.c1 for b in boxes), rr, max(b.c2 for b in boxes)))


def _value_width(tables: list[Table]) -> float:
    # Few wide columns (二) get room for their long headers; many (三, 四) stay narrow so the
    # landscape page is not shrunk too much — their headers wrap instead.
    return 16.0 if max(t.grid for t in tables) <= 4 else 10.0


def _label_widths(tables: list[Table]) -> list[float]:
    L = max(t.label_columns for t in tables)
    if L == 0:
        return []
    if L == 1:
        longest = max(text_units(r.label or "") for t in tables for r in t.data_rows)
        return [float(min(40, max(20, longest + 4)))]
    return [8.0] + [14.0] * (L - 2) + [44.0]


def _lines(text: str, width: float) -> int:
    return max(1, math.ceil(text_units(text) / max(1.0, width - 1.5)))


def place_sheet(layout: Layout, section: Section) -> SheetGeo:
    tables = [layout.tables[k] for k in section.tables]
    geos, top = [], TABLE_TOP
    for t in tables:
        g = place_table(layout, t, section.sheet, top)
        geos.append(g)
        top = g.bottom + 1 + GAP
    widths = _label_widths(tables) + [_value_width(tables)] * max(t.grid for t in tables)
    width = max(g.right for g in geos) + 1
    widths += [8.0] * (width - len(widths))        # check columns
    # Row heights: enough lines for the longest label or header in each row (Excel does not
    # re-fit rows of a file it did not save, so a long wrapped label would be cut off).
    heights: dict[int, float] = {}
    for g in geos:
        boxes = [(b, t) for b, t in g.headers] + [(b, t) for b, t, _ in g.labels]
        boxes += [(b, t) for b, t, _ in g.check_labels]
        if g.numbers_label is not None:
            boxes.append((g.numbers_label, NUMBERS_LABEL))
        if g.numbers_note is not None:
            boxes.append((g.numbers_note, NUMBERS_NOTE))
        for b, text in boxes:
            if b.r1 != b.r2:
                continue
            w = sum(widths[b.c1:b.c2 + 1])
            heights[b.r1] = max(heights.get(b.r1, 18.0), _lines(text, w) * LINE_PT + 5)
        for b in g.rows.values():
            heights[b.r1] = max(heights.get(b.r1, 20.0), 20.0)
    first = geos[0]
    repeat = (0, first.header_rows[1]) if len(geos) == 1 else (0, 0)
    return SheetGeo(section=section, tables=geos, widths=widths, heights=heights, width=width,
                    repeat=repeat, landscape=max(t.grid for t in tables) > 4)


class Grid:
    """Every table sheet of a layout, and the address of every table cell."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.sheets = [place_sheet(layout, s) for s in layout.sections if s.kind == "tables"]
        self.tables = {g.table.key: g for s in self.sheets for g in s.tables}

    def box(self, ref: CellRef) -> Box:
        return self.tables[ref.table].cells[(ref.row, ref.col)]

    def addr(self, ref: CellRef, from_sheet: str | None = None) -> str:
        """A1 address of a table cell for a formula written on `from_sheet`."""
        g = self.tables[ref.table]
        a = g.cells[(ref.row, ref.col)].cell()
        return a if g.sheet == from_sheet else f"{quote_sheet(g.sheet)}!{a}"

    def where(self, ref: CellRef) -> str:
        """sheet!cell, as shown to people (the 位置 column of 校验)."""
        g = self.tables[ref.table]
        return f"{g.sheet}!{g.cells[(ref.row, ref.col)].cell()}"


LEVEL = {"error": "错误", "warning": "警告", "info": "提示"}
NUMBERS_LABEL = "校验：数字栏只能填写数字"
NUMBERS_NOTE = "✗表示本表有单元格填写了文字、单位、全角数字或空格，或填写了负数、小数等不合要求的数"
_KIND_BAD = {   # per cell of a block R: 1 when it is not blank and not a number of the column's kind
    "count": "((R<0)+(R<>INT(R))>0)*1",       # a whole number ≥ 0
    "signed": "(R<>INT(R))*1",                 # a whole number
    "amount": "(R<0)*1",                       # ≥ 0
    "money": "(R<0)*1",
}
_KIND_ZH = {"count": "件数为不小于0的整数", "signed": "增减数为整数（减少填负数）", "amount": "金额不小于0",
            "money": "金额不小于0"}
def numbers_condition(g: TableGeo, sheet_ref: Callable[[Box], str]) -> str:
    """Array formula body: TRUE when every data cell of the table is blank or a number of its
    column's kind. Text of any kind (“3”, “３”, “5件”, “减3”, a space) is not a number in any
    spreadsheet program's ISNUMBER, so Excel, WPS, LibreOffice and Gnumeric all agree."""
    parts = []
    for kind, box in g.value_ranges():
        r = sheet_ref(box)
        parts.append(f"SUM(IF(ISNUMBER({r}),{_KIND_BAD[kind].replace('R', r)},1-ISBLANK({r})))")
    return "(" + "+".join(parts) + ")=0"


def text_condition(ref: str) -> str:
    """Array formula body: TRUE when a paragraph of the block holds more than blanks (those of
    gaixl.report.values.PARAGRAPH_BLANKS: Excel's TRIM removes only spaces, so the others first)."""
    inner = ref
    for ch in ("CHAR(10)", "CHAR(13)", "CHAR(9)", '"\u3000"'):
        inner = f'SUBSTITUTE({inner},{ch},"")'
    return f"SUM((LEN(TRIM({inner}))>0)*1)>0"


@dataclass
class SheetCheck:
    """A check of the 校验 sheet that is not a layout rule: numbers in a table, a required
    narrative section, the format fitting the year, the report date. Its id is the finding
    code `check` gives in the same case, with the table/section/field in brackets."""

    id: str
    code: str
    severity: str
    where: str
    hint: str
    cond: str                            # formula body, TRUE = passes
    array: bool                          # written as an array formula (Gnumeric needs it for ranges)
    beside: tuple[str, Box] | None       # (sheet, cell) of the ✓/✗ shown beside the table/field
    subject: str                         # table key, section key or info field


def sheet_checks(layout: Layout, grid: "Grid") -> list[SheetCheck]:
    from gaixl.workbook import names as n

    out = []
    for g in grid.tables.values():
        kinds = "，".join(dict.fromkeys(_KIND_ZH[k] for k, _b in g.value_ranges()))
        ranges = g.value_ranges()
        where = f"{g.sheet}!{ranges[0][1].cell()}:{xl_col_to_name(ranges[-1][1].c2)}{ranges[-1][1].r2 + 1}"
        out.append(SheetCheck(
            id=f"cell-not-number[{g.table.key}]", code="cell-not-number", severity="error", where=where,
            hint=f"表{g.table.group}的数字栏只能填写阿拉伯数字（{kinds}）；不能填写文字、单位、全角数字或空格，没有发生的填0",
            cond=numbers_condition(g, lambda b, s=g.sheet: qualified(s, b)), array=True,
            beside=(g.sheet, g.numbers_cell), subject=g.table.key))
    for s in layout.text_sections:
        box = Box(TEXT_TOP, 1, TEXT_TOP + s.paragraphs - 1, 1)
        hint = f"第{s.heading[0]}部分“{s.heading}”至少填写一段"
        if s.required != "error":
            hint += "；没有需要报告的事项的，填写“无”"
        out.append(SheetCheck(
            id=f"text-empty[{s.key}]", code="text-empty", severity=s.required,
            where=f"{s.sheet}!{box.cell()}:B{box.r2 + 1}", hint=hint,
            cond=text_condition(qualified(s.sheet, box)), array=True, beside=(s.sheet, Box(2, 2, 2, 2)), subject=s.key))
    year = qualified(n.META_SHEET, Box(n.META_KEYS.index("year"), 1, n.META_KEYS.index("year"), 1))
    cond = f"VALUE({year})>={layout.year_from}"
    if layout.year_to is not None:
        cond = f"AND({cond},VALUE({year})<={layout.year_to})"
    year_row = INFO_TOP + [k for k, _l, _x in n.INFO_FIELDS].index("year")
    date_row = INFO_TOP + [k for k, _l, _x in n.INFO_FIELDS].index("date")
    out.append(SheetCheck(
        id="layout-year-mismatch", code="layout-year-mismatch", severity="error",
        where=f"{n.INFO_SHEET}!B{year_row + 1}",
        hint=f"本模板为{layout.id}年版格式（{layout.notice}），适用于{layout.years_text}年度报告；报告年度不在此范围的，须使用适用于该年度的格式模板",
        cond=cond, array=False, beside=(n.INFO_SHEET, Box(year_row, 2, year_row, 2)), subject="year"))
    date = qualified(n.INFO_SHEET, Box(date_row, 1, date_row, 1))
    out.append(SheetCheck(
        id="date-missing", code="date-missing", severity="warning", where=f"{n.INFO_SHEET}!B{date_row + 1}",
        hint="请填写报告日期（格式：年-月-日）", cond=f"LEN({date})>0", array=False, beside=None, subject="date"))
    return out


class Plan:
    """Everything a template needs from its layout, computed once: the grid, formulas of the
    computed cells and checks (as Excel text), the 校验 rows, the defined names, and the
    cached values a spreadsheet shows before recalculating (blank inputs)."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.grid = grid = Grid(layout)
        self.checks = checks = expand_checks(layout)
        self.formulas = {ref: to_excel(tree, lambda r, s=grid.tables[ref.table].sheet: grid.addr(r, s))
                         for ref, tree in computed_cells(layout).items()}
        index = {id(c): i for i, c in enumerate(checks)}
        # table -> [(place, condition, index into checks)]: the ✓/✗ cells beside the table
        self.beside = {g.table.key: [(p, p.check.excel(lambda r, s=g.sheet: grid.addr(r, s)), index[id(p.check)])
                                     for p in g.checks] for g in grid.tables.values()}
        # The checks that are not layout rules (numbers, narrative, format/year, date): after them.
        self.sheet_checks = sheet_checks(layout, grid)
        # 校验 rows: 序号, 规则, 级别, 位置, 说明, condition (refs qualified with their sheet), array?
        self.rows = [(i, c.id, LEVEL[c.rule.severity], grid.where(c.at), c.rule.hint, c.excel(grid.addr), False)
                     for i, c in enumerate(checks, 1)]
        self.rows += [(len(checks) + i, x.id, LEVEL[x.severity], x.where, x.hint, x.cond, x.array)
                      for i, x in enumerate(self.sheet_checks, 1)]
        # data-file (group, row, column) -> cell
        self.cells = {(t.group, rk, ck): CellRef(t.key, r.key, c.key) for t in layout.tables.values()
                      for r, c, (rk, ck) in t.cells()}
        self.names = self._names()
        self.values, self.results = self.cached({})

    def cached(self, inputs: dict[CellRef, float]) -> tuple[dict[CellRef, float], list[bool]]:
        """Values of the computed cells and results of the checks for these inputs (others 0)."""
        values = compute(self.layout, lambda r: inputs.get(r, 0))

        def get(r: CellRef) -> float:
            return values[r] if r in values else inputs.get(r, 0)

        return values, [c.run(get)[0] for c in self.checks]

    def _names(self) -> list[tuple[str, str]]:
        out = []
        for g in self.grid.tables.values():
            out.append((names.table_name(g.table.key), qualified(g.sheet, g.box)))
            out += [(names.row_name(g.table.key, k), qualified(g.sheet, b)) for k, b in g.rows.items()]
            if g.check_blocks:
                out.append((names.check_name(g.table.key), ",".join(qualified(g.sheet, b) for b in g.check_blocks)))
        for s in self.layout.text_sections:
            out.append((names.text_name(s.key), qualified(s.sheet, Box(TEXT_TOP, 1, TEXT_TOP + s.paragraphs - 1, 1))))
        for i, (key, _label, _locked) in enumerate(names.INFO_FIELDS):
            out.append((names.info_name(key), qualified(names.INFO_SHEET, Box(INFO_TOP + i, 1, INFO_TOP + i, 1))))
        for x in self.sheet_checks:
            if x.beside is not None:
                sheet, b = x.beside
                out.append((names.sheet_check_name(x.code, x.subject), qualified(sheet, Box(b.r1, b.c1, b.r1, b.c1))))
        out.append((names.ERROR_COUNT, qualified(names.CHECK_SHEET, Box(1, 1, 1, 1))))
        last = CHECK_TOP + max(len(self.rows), 1) - 1
        out.append((names.CHECKS, qualified(names.CHECK_SHEET, Box(CHECK_TOP, 0, last, len(names.CHECK_COLUMNS) - 1))))
        out.append((names.META, qualified(names.META_SHEET, Box(0, 0, len(names.META_KEYS) - 1, 1))))
        return [(n, "=" + ref) for n, ref in out]


_PLANS: dict[int, Plan] = {}


def plan_for(layout: Layout) -> Plan:
    """The plan of a layout, built on first use (layouts are loaded once and never change)."""
    p = _PLANS.get(id(layout))
    if p is None or p.layout is not layout:
        p = _PLANS[id(layout)] = Plan(layout)
    return p
