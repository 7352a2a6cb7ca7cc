"""The official formats as data: the model a layout file is loaded into.

A Layout is the single source for generation, reading, validation and rendering; its parts
(sections, tables, column and row trees, rule specs) are plain frozen records. Loading and
checking the YAML lives in gaixl.spec.load; rule expressions in gaixl.spec.rules.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

KINDS = {"count", "signed", "amount", "money"}
SEVERITIES = {"error", "warning", "info"}


class CellRef(NamedTuple):
    """One cell of a layout table. A NamedTuple: it is hashed for every cell of every
    workbook read, and a tuple's hash is far cheaper than a dataclass's."""

    table: str
    row: str
    col: str

# ---------------------------------------------------------------- model
@dataclass(frozen=True)
class RuleSpec:
    """A check over cells. `check` is a rule expression (gaixl.spec.rules)."""

    id: str
    severity: str
    tables: tuple[str, ...]
    for_each: str | None          # "row", "column" or None
    check: str
    at: str | None
    hint: str
    message: str
    message_en: str
    where: str                    # file:line:col of the rule, for messages
    only: tuple[str, ...] = ()    # restrict for_each to these keys (empty: all)
    check_where: str = ""         # file:line:col of the `check:` expression (errors in it point here)
    todo: str = ""                # what to do, in Chinese (feedback letters, docs/findings.md)


@dataclass
class Column:
    key: str | None
    label: str
    name: str | None = None           # data-file key (defaults to label)
    kind: str = "count"
    computed: str | None = None
    rule: dict | None = None
    cell: tuple[str, str] | None = None   # explicit data-file (row, column) for this column
    span: int = 1
    children: list["Column"] = field(default_factory=list)
    where: str = ""
    formula_where: str = ""       # file:line:col of `computed:` (errors in the formula point here)
    guide: str | None = None      # how to fill it in, for the template's 填报说明 sheet

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def leaves(self) -> list["Column"]:
        return [self] if self.is_leaf else [l for c in self.children for l in c.leaves()]

    def depth(self) -> int:
        return 1 if self.is_leaf else 1 + max(c.depth() for c in self.children)


@dataclass
class Row:
    key: str | None
    label: str | None
    name: str | None = None
    computed: str | None = None
    rule: dict | None = None
    children: list["Row"] = field(default_factory=list)
    where: str = ""
    formula_where: str = ""       # file:line:col of `computed:` (errors in the formula point here)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def leaves(self) -> list["Row"]:
        return [self] if self.is_leaf else [l for c in self.children for l in c.leaves()]

    def depth(self) -> int:
        return 1 if self.is_leaf else 1 + max(c.depth() for c in self.children)


@dataclass
class Table:
    key: str
    group: str                       # data-file table key: 二 / 三 / 四
    caption: str | None
    corner: str | None               # text of the top-left header cell (label column header)
    label_columns: int               # how many label columns (0 for 四)
    grid: int                        # value columns of the grid (spans are laid inside it)
    columns: list[Column]
    rows: list[Row]
    where: str = ""

    # Cached: a layout is never changed after loading, and these are asked for every cell.
    @cached_property
    def data_columns(self) -> list[Column]:
        return [l for c in self.columns for l in c.leaves()]

    @cached_property
    def data_rows(self) -> list[Row]:
        return [l for r in self.rows for l in r.leaves()]

    @cached_property
    def _rows_by_key(self) -> dict[str, Row]:
        return {r.key: r for r in self.data_rows}

    @cached_property
    def _columns_by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.data_columns}

    @property
    def header_depth(self) -> int:
        return max(c.depth() for c in self.columns)

    @property
    def label_depth(self) -> int:
        return max(r.depth() for r in self.rows)

    def column(self, key: str) -> Column:
        return self._columns_by_key[key]

    def row(self, key: str) -> Row:
        return self._rows_by_key[key]

    def data_key(self, row: Row, col: Column) -> tuple[str, str]:
        """(row, column) keys of this cell in the data file."""
        if col.cell is not None:
            return col.cell
        return (row.name or row.label or "", col.name or col.label)

    def cells(self):
        """Every data cell: (row, column, (data-row-key, data-column-key))."""
        for r in self.data_rows:
            for c in self.data_columns:
                yield r, c, self.data_key(r, c)

    def is_computed(self, row: Row, col: Column) -> bool:
        return bool(row.computed or col.computed)


@dataclass
class Mention:
    text: str
    severity: str
    code: str
    message: str
    message_en: str


@dataclass
class Section:
    key: str
    heading: str
    kind: str                        # "text" or "tables"
    sheet: str
    tables: list[str] = field(default_factory=list)
    paragraphs: int = 0
    prompt: str = ""
    required: str = "error"          # severity of an empty text section
    mentions: list[Mention] = field(default_factory=list)
    # How published reports write the heading: words it always has (一、总体情况 → 总体), and
    # other wordings without the number (存在的主要问题及改进措施). The importer finds sections by them.
    heading_words: list[str] = field(default_factory=list)
    heading_variants: list[str] = field(default_factory=list)

    @property
    def number(self) -> str:
        """一…六: the heading's number (the text before 、)."""
        head, sep, _ = self.heading.partition("、")
        return head if sep else ""

    @property
    def bare_heading(self) -> str:
        """The heading without its number: 总体情况."""
        return self.heading.partition("、")[2] or self.heading


@dataclass(frozen=True)
class CarryLink:
    """What last year's report says about this year's: in each instance (each column for
    for_each column, each row for for_each row) of `tables`, this year's `to` equals last
    year's `sources` added up (blank counts 0). Drives the template prefill and the history
    warnings (finding `code`). Applies where last year's layout has the source cells."""

    code: str
    tables: tuple[str, ...]
    for_each: str                 # "column": to/sources are row keys; "row": column keys
    to: str
    sources: tuple[str, ...]
    message: str = ""             # what the link is, in Chinese (for the findings and docs)
    message_en: str = ""
    where: str = ""


@dataclass
class Layout:
    id: str
    version: int
    name: str
    notice: str
    year_from: int
    year_to: int | None
    sections: list[Section]
    tables: dict[str, Table]
    rules: list[RuleSpec]
    source: str
    digest: str                      # sha256 of the layout as a form (load.form_digest): part of every template's fingerprint
    notice_title: str = ""           # the notice's full title, cited in the report's opening paragraph
    carry_over: list[CarryLink] = field(default_factory=list)   # last year → this year

    def applies_to(self, year: int) -> bool:
        return year >= self.year_from and (self.year_to is None or year <= self.year_to)

    @property
    def years_text(self) -> str:
        return f"{self.year_from}–{self.year_to}" if self.year_to else f"{self.year_from}–"

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    @property
    def text_sections(self) -> list[Section]:
        return [s for s in self.sections if s.kind == "text"]

    @cached_property
    def cell_keys(self) -> dict:
        """CellRef → (group, data-row key, data-column key): where each cell lives in the data file."""
        return {CellRef(t.key, r.key, c.key): (t.group, rk, ck) for t in self.tables.values()
                for r, c, (rk, ck) in t.cells()}

    def tables_in_group(self, group: str) -> list[Table]:
        return [t for t in self.tables.values() if t.group == group]



