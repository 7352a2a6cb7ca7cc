"""The mapper's view of any source: lines of cells in reading order.

Readers of grids (HTML, Word, PDF, space-aligned text) give blocks (gaixl.importers.blocks);
`block_lines` turns them into lines whose cells know their grid column. Portal text has no grid:
`gaixl.importers.text` gives lines of cells in order ("row": a `|`-separated row), or one cell a
line ("cell": one-cell-per-line streams), with the number of blank lines before each cell, so the
mapper can tell what can be known about a cell's column and what cannot.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from gaixl.importers.blocks import Para, Table


@dataclass
class Cell:
    text: str
    col: int | None = None      # grid column of the cell's first position (None: no grid)
    span: int = 1               # grid columns covered
    gap: int = 0                # blank lines before this cell (one-cell-per-line streams)
    explicit: bool = False      # an empty cell the source shows as such (a lone "|", an empty <td>)


@dataclass
class Line:
    kind: str                   # "grid" | "row" | "cell" | "para"
    cells: list[Cell]
    where: str = ""
    block: int = -1             # which grid table the line belongs to (-1: none)
    trailing_gap: int = 0       # blank lines after the line (streams)

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells if c.text)


@dataclass
class Source:
    """A document as lines, with what the reader learnt about how cells were written."""

    lines: list[Line]
    explicit_empties: bool = False   # empty cells are shown (| lines); else only blank lines tell
    typical_gap: int = 0             # blank lines between two cells of a stream
    # grids rebuilt from positions (PDF words, space-aligned text): an empty grid cell is only
    # where no word was found, so cell order is evidence only when every column is filled
    positional: bool = False
    notes: list[str] = field(default_factory=list)
    text: str = ""                   # space-aligned text as read (pdftotext -layout): for gaixl.importers.rowseq


def logical_cells(t: Table, r: int, covered: set) -> list[Cell]:
    """The cells of grid row r, each merged cell once (at its top-left position)."""
    spans = {(sr, sc): cs for sr, sc, _rs, cs in t.spans}
    out = []
    c = 0
    row = t.rows[r]
    while c < len(row):
        if (r, c) in covered:
            c += 1
            continue
        cs = max(1, spans.get((r, c), 1))
        text = row[c]
        out.append(Cell(text=text, col=c, span=cs, explicit=not text.strip()))
        c += cs
    return out


def block_lines(blocks: list, *, positional: bool = False) -> Source:
    """Blocks → lines: paragraphs one line each, tables one grid line per row."""
    lines: list[Line] = []
    for i, b in enumerate(blocks):
        if isinstance(b, Para):
            for part in (b.text or "").split("\n"):
                if part.strip():
                    lines.append(Line("para", [Cell(part.strip())], where=b.where))
        elif isinstance(b, Table):
            covered = set()
            for sr, sc, rs, cs in b.spans:
                for rr in range(sr, sr + max(1, rs)):
                    for cc in range(sc, sc + max(1, cs)):
                        if (rr, cc) != (sr, sc):
                            covered.add((rr, cc))
            for r in range(len(b.rows)):
                cells = logical_cells(b, r, covered)
                if any(c.text.strip() for c in cells):
                    lines.append(Line("grid", cells, where=f"{b.where} 第{r + 1}行".strip(), block=i))
    return Source(lines=lines, explicit_empties=True, typical_gap=0, positional=positional)
