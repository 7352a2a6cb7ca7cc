"""The mapper: lines of cells (any source) → every number in its row and column, by label.

Rows are found by their labels (gaixl.importers.labels). A number's column comes from:
- its grid position under the column headers (HTML, Word, PDF: `grid` lines), when the header
  names every column of the table;
- otherwise its position among the cells of its row, when the source shows every cell, empty
  ones included, so the count can be trusted (`|` rows, ` |`-per-cell streams, grid rows);
- in streams where empty cells vanish (one cell a line, blank lines between), only what is
  certain: values written one after another from the first column (one blank line apart), and
  a last value that is the row's total (the sum of the others, where the table has one);
- in grids rebuilt from positions (PDF, space-aligned text), the header's or the value columns'
  positions; a row whose label stands in a value column, or which has blank cells and a total
  that is not the sum of its items as read, may be shifted and is not placed; without usable
  columns, a row's order is evidence only when every column holds a value.
Anything else is not placed, with the reason: a number in the wrong cell is worse than a gap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from gaixl.importers.labels import (
    Index,
    Target,
    caption_item,
    format_detection,
    heading_number,
    heading_tables,
    index_for,
)
from gaixl.importers.lines import Cell, Line, Source
from gaixl.importers.normalize import loose, norm
from gaixl.importers.numbers import is_value
from gaixl.importers.placing import Placed, Placing, Unplaced
from gaixl.spec.load import available_layouts
from gaixl.spec.model import Layout, Table

__all__ = ["Mapped", "Placed", "Unplaced", "detect_format", "map_source"]

_UNIT = re.compile(r"（(?:单位：)?(万元|元)）")
_GLUED = re.compile(r"^(.*?[^\d\s.])\s*(\d{2,}|\d+\.\d+)$")     # 21710000218, or 759115.34 (a decimal)
# A label with one number run on (行政处罚9, 行政事业性收费17.9): for a row of one column this is
# simply the row and its value — nothing to split, whatever the number of digits.
_GLUED_ONE = re.compile(r"^(.*?[^\d\s.])\s*(\d+(?:\.\d+)?)$")
_GLUED_SIGNED = re.compile(r"^(.*?[^\d\s.+\-－＋增减])\s*(\d*[+\-－＋增减]\d[\d+\-－＋增减]*)$")


@dataclass
class Mapped:
    """What the mapper found: cells by (table key, row key, column key), and what it could not place."""

    layout: Layout
    cells: dict = field(default_factory=dict)        # (tkey, rkey, ckey) -> Placed
    unplaced: list[Unplaced] = field(default_factory=list)
    rows_seen: set = field(default_factory=set)      # (tkey, rkey) whose label was found
    headings: dict = field(default_factory=dict)     # "一".."六" -> heading text as published
    texts: list = field(default_factory=list)        # (section number or "", text, where) of other lines
    inferred: list = field(default_factory=list)     # glued rows split by their totals (module glued)
    ambiguous: list = field(default_factory=list)    # glued rows more than one split fits (module glued)
    unsplit: list = field(default_factory=list)      # glued rows not placed: no split, or not one, fits


def detect_format(src: Source, year: int | None) -> tuple[str | None, dict]:
    """The format the labels show (None when they show none), and the votes."""
    norms = []
    for line in src.lines:
        for c in line.cells:
            if c.text and not is_value(c.text):
                norms.append(norm(c.text))
    found = format_detection(norms, year)
    return found.id, found.votes


class _Mapper(Placing):
    def __init__(self, src: Source, layout: Layout):
        self.src = src
        self.layout = layout
        self.ix: Index = index_for(layout.id)
        self.heads = heading_tables()       # once per run: heading_number asks for every line
        self.others = [index_for(l) for l in _other_layouts(layout)]
        self.out = Mapped(layout=layout)
        self.section = ""
        self.t4 = False
        # grid column → (lowest header text, start column of that header cell, all header texts above joined)
        self.header: dict[int, tuple[str, int, str]] = {}
        self.header_block = -2
        self.header_open = False
        self.pending: tuple[Target | None, list[Cell], Line | None] | None = None
        self.units: dict[str, str] = {}      # column label → unit its header prints (万元/元)
        self.t4_cells: list[Cell] = []
        self.t4_line: Line | None = None

    # ---------------------------------------------------------------- driver
    def run(self) -> Mapped:
        self.value_cols = self.prepass()
        for line in self.src.lines:
            if line.kind in ("grid", "row"):
                self.flush()
                self.physical(line)
            else:
                self.stream(line)
        self.flush()
        return self.out

    def prepass(self) -> dict[tuple[int, str], set[int]]:
        """Per grid table and layout table: the grid columns that hold values in its data rows.
        Where the header cannot be read (a PDF's vertical headers), these columns, in order, are
        the table's columns when there are exactly as many as the table has."""
        out: dict[tuple[int, str], set[int]] = {}
        for line in self.src.lines:
            if line.kind != "grid":
                continue
            target, label_end = None, -1
            for c in line.cells:
                if c.text.strip() and not is_value(c.text):
                    tg = self.ix.match_row(norm(c.text))
                    if tg is not None:
                        target, label_end = tg, (c.col or 0) + max(1, c.span)
            if target is None:
                continue
            cols = out.setdefault((line.block, target.table.key), set())
            for c in line.cells:
                if c.col is not None and c.col >= label_end and is_value(c.text):
                    cols.add(c.col)
        return out

    def flush(self) -> None:
        if self.pending is not None:
            target, cells, last = self.pending
            self.pending = None
            if target is not None:
                self.place(target, cells, "stream", last)
            else:
                self.extra_row(cells, last)
        if self.t4_cells:
            cells, line = self.t4_cells, self.t4_line
            self.t4_cells, self.t4_line = [], None
            self.place_t4(cells, "stream", line)

    # ---------------------------------------------------------------- classification
    def context(self, n: str, raw: str, where: str) -> bool:
        """Headings, captions and table-4 words: update the context. True when n was one."""
        h = heading_number(n, self.heads)
        if h:
            self.section = h
            self.t4 = self.ix.bare_table is not None and h == self.ix.bare_table.group
            self.out.headings.setdefault(h, raw.strip())
            return True
        if caption_item(n):
            self.section = self.section or "二"
            self.t4 = False
            return True
        if n in self.ix.bare_words or (self.ix.bare_joined and n.replace("、", "") == self.ix.bare_joined):
            self.t4 = True
            return True
        return False

    def stream(self, line: Line) -> None:
        cell = line.cells[0]
        text = cell.text
        if self.pending is not None and (is_value(text) or (cell.explicit and not text.strip())):
            self.pending[1].append(cell)
            self.pending = (self.pending[0], self.pending[1], line)
            return
        # 四's fifteen numbers run together can be longer than any one value (up to ~45 digits)
        t4_value = is_value(text) or (self.t4 and text.strip().isdigit() and text.strip().isascii())
        if self.t4 and self.pending is None and (t4_value or (cell.explicit and not text.strip())):
            if self.t4_cells or t4_value:
                self.t4_cells.append(cell)
                self.t4_line = line
            return
        n = norm(text) if text.strip() else ""
        if (self.pending is not None and self.pending[0] is not None and not self.pending[1] and n
                and len(n) <= 30 and not self.known(n)):
            # the rest of a long row label wrapped onto the next line: 不计其他情形）
            return
        self.flush()
        if not n:
            return
        if self.context(n, text, line.where):
            return
        one = _GLUED_ONE.match(text.strip())
        if one:
            target = self.ix.match_row(norm(one.group(1)))
            if target is not None and len(target.table.data_columns) == 1:
                self.t4 = False
                self.out.rows_seen.add(target.key)
                self.pending = (target, [Cell(one.group(2))], line)
                return
        glued = _GLUED.match(text.strip())
        signed = _GLUED_SIGNED.match(text.strip()) if glued else None
        if signed:
            # 其他对外管理服务事项0-316: a signed number (本年增/减) among the run-together digits —
            # where the digits divide cannot be told from them; the row is said, not placed
            target = self.ix.match_row(norm(signed.group(1)))
            if target is not None:
                self.t4 = False
                self.out.rows_seen.add(target.key)
                run = text.strip()[len(signed.group(1)):]
                for i in range(len(target.table.data_columns)):
                    self.miss(target, i, f"原文该行各数字连写在一起且含正负号（“{run}”），无法确定各数值的分界，未导入",
                              f"the row's digits run together with a sign ({run}); where the numbers divide cannot "
                              "be told; not imported", value=run if i == 0 else None, where=line.where)
                return
        if glued:
            target = self.ix.match_row(norm(glued.group(1)))
            if target is not None:
                # a label with its row's digits run on (一、本年新收…申请数量21710000218)
                self.t4 = False
                self.out.rows_seen.add(target.key)
                self.place_glued(target, glued.group(2), line.where)
                return
        target = self.ix.match_row(n)
        if target is not None:
            self.t4 = False
            self.out.rows_seen.add(target.key)
            self.pending = (target, [], line)
            return
        if any(o.match_row(n) for o in self.others) and not self.ix.is_column_word(n):
            self.pending = (None, [Cell(text)], line)   # a row of the other format: said, not placed
            return
        if self.ix.is_group(n) or self.ix.is_column_word(n):
            self.note_unit(n)
            return
        self.out.texts.append((self.section, text, line.where))
        if self.section in ("二", "三") and len(n) <= 60:
            # an unknown label: if numbers follow, they are said as a row outside the format
            self.pending = (None, [Cell(text)], line)

    def note_unit(self, n: str) -> None:
        m = _UNIT.search(n)
        if m:
            self.units[loose(n)] = m.group(1)

    def known(self, n: str) -> bool:
        """Whether a normalised text is any label the mapper knows (row, group, column, heading)."""
        return bool(heading_number(n, self.heads) or caption_item(n) or n in self.ix.bare_words or self.ix.match_row(n)
                    or self.ix.is_group(n) or self.ix.is_column_word(n) or any(o.match_row(n) for o in self.others))

    def physical(self, line: Line) -> None:
        cells = line.cells
        if line.kind == "grid" and line.block != self.header_block:
            self.header, self.header_block, self.header_open = {}, line.block, False
        label_at, target, foreign = -1, None, None
        words = 0
        for i, c in enumerate(cells):
            if not c.text.strip() or is_value(c.text):
                continue
            n = norm(c.text)
            if self.context(n, c.text, line.where):
                words += 1
                label_at = max(label_at, i)
                continue
            tg = self.ix.match_row(n)
            if tg is not None:
                target, label_at = tg, i
                continue
            if self.ix.is_group(n) and any(o.match_row(n) for o in self.others):
                foreign, label_at = c, i          # 2019's （六）其他处理 row in a 2021 table
                continue
            if self.ix.is_group(n) or self.ix.is_column_word(n):
                self.note_unit(n)
                words += 1
                label_at = max(label_at, i)
                continue
            if any(o.match_row(n) for o in self.others):
                foreign, label_at = c, i
                continue
            if target is None:
                foreign = foreign or c
                label_at = max(label_at, i)
        values = cells[label_at + 1:]
        has_values = any(is_value(c.text) for c in values)
        if target is not None:
            self.t4 = False
            self.out.rows_seen.add(target.key)
            self.header_open = True
            label_end = 0
            label_col = cells[label_at].col if label_at >= 0 else None
            if label_col is not None:
                label_end = label_col + max(1, cells[label_at].span)
            self.place(target, values, line.kind, line, label_end)
            return
        if foreign is not None and has_values and (self.section in ("二", "三")
                                                   or any(o.match_row(norm(foreign.text)) for o in self.others)):
            self.extra_row([foreign, *values], line)
            return
        if has_values and self.t4 and (label_at < 0 or (foreign is not None and len(foreign.text.strip()) <= 8)):
            # table 四's one row: no label, or a short one of the report's own (件数)
            self.header_open = True
            self.place_t4(values, line.kind, line)
            return
        if line.kind == "grid" and not has_values and (words or all(
                len(norm(c.text)) <= 8 for c in cells if c.text.strip())):
            # header rows: known words, or the short pieces of a header written over several rows
            self.add_header(cells)
            return
        if not words and foreign is not None and not has_values:
            self.out.texts.append((self.section, line.text, line.where))

    # ---------------------------------------------------------------- grid headers
    def add_header(self, cells: list[Cell]) -> None:
        if self.header_open:
            self.header, self.header_open = {}, False
        for i, c in enumerate(cells):
            if c.col is None or not c.text.strip():
                continue
            n = norm(c.text)
            for k in range(c.col, c.col + max(1, c.span)):
                above = self.header.get(k, ("", 0, ""))[2]
                self.header[k] = (n, c.col, above + n)

    def header_columns(self, table: Table) -> dict[int, int] | None:
        """grid column → index of the table's leaf column, when the header names every leaf."""
        if not self.header:
            return None
        leaves = table.data_columns
        labels = [norm(c.label) for c in leaves]
        cells: dict[int, tuple[str, str]] = {}
        for col, (n, start, joined) in sorted(self.header.items()):
            cells.setdefault(start, (n, joined))
        seen: dict[str, int] = {}
        out: dict[int, int] = {}
        for start in sorted(cells):
            n, joined = cells[start]
            fits = [i for i, lab in enumerate(labels) if n == lab or loose(n) == loose(lab)]
            if not fits:
                pre = [i for i, lab in enumerate(labels) if len(n) >= 2 and lab.startswith(n)]
                fits = pre if len({labels[i] for i in pre}) == 1 else []
            if not fits:
                # a header written over several rows (自 / 然人, one character per line): the texts
                # of the column joined from the top end with the label
                ends = [i for i, lab in enumerate(labels) if joined.endswith(lab) or joined.endswith(loose(lab))]
                longest = max((len(labels[i]) for i in ends), default=0)
                fits = [i for i in ends if len(labels[i]) == longest]
            if not fits:
                continue
            name = labels[fits[0]]
            k = seen.get(name, 0)
            seen[name] = k + 1
            if k >= len(fits):
                return None
            leaf = fits[k]
            for col, (_n, st, _j) in self.header.items():
                if st == start:
                    out[col] = leaf
        if set(out.values()) != set(range(len(leaves))):
            return None
        return out


def _other_layouts(layout: Layout) -> list[str]:
    return [l.id for l in available_layouts() if l.id != layout.id]


def map_source(src: Source, layout: Layout) -> Mapped:
    return _Mapper(src, layout).run()
