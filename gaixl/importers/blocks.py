"""What every source reader hands to the mapper: the document as a sequence of blocks.

A published report, whatever it came as (portal text, pdftotext output, HTML, Word, PDF), is
turned first into paragraphs and tables in reading order; only then are tables matched to the
layout by their labels (gaixl.importers.mapper). Keeping the readers this dumb lets one mapper
serve every source, and lets each reader be tested on its own grid.

Grid convention (all readers):
- `Table.rows` is a rectangular list of rows of cell texts (str, "" for an empty cell).
- A merged cell (rowspan/colspan in HTML, gridSpan/vMerge in Word) repeats its text in every grid
  position it covers, so each position can be read for its own row and column labels
  (`Table.spans` records the merged areas for those who need to tell the two apart).
- Sources without explicit merges (PDF words, space-aligned text) put a header that straddles
  several columns in the column it overlaps most and leave the others "".
- Text is kept as published (Traditional characters, full-width digits, line breaks inside a
  cell as "\\n"); normalising is the mapper's job.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass
class Para:
    """A paragraph of running text (a heading is a paragraph too)."""

    text: str
    where: str = ""          # e.g. "第2页" / "line 14", for messages


@dataclass
class Table:
    """A table as a rectangular grid of cell texts."""

    rows: list[list[str]]
    where: str = ""          # e.g. "第3页 表2" / "table 4", for messages
    # merged areas as (row, col, rowspan, colspan), top-left position first; empty when unknown
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        width = max((len(r) for r in self.rows), default=0)
        self.rows = [[("" if c is None else str(c)) for c in r] + [""] * (width - len(r)) for r in self.rows]

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


Block = Union[Para, Table]

__all__ = ["Para", "Table", "Block"]
