"""Portal text (as copied or scraped from a web page) → lines of cells.

Three ways of writing a table are met in stored page text:
- `|`-separated rows, one table row a line (`规章 | 0 | 0 | 0 | |`);
- one cell a line ending with ` |` (`规章 |`, `0 |`), where a lone `|` is an empty cell and a line
  of several pipes is padding; or cells followed by a `|` line that ends them (`0` / `|`);
- one cell a line with blank lines between cells, where an empty cell shows only as extra blank
  lines (and page text collapses them irregularly);
and, in text extracted from PDFs, a label followed by numbers separated by spaces.
This module only cuts the text into cells; which row and column a cell belongs to is decided by
the mapper, which knows the labels.
"""
from __future__ import annotations

import re

from gaixl.importers.lines import Cell, Line, Source
from gaixl.importers.numbers import is_value

_SPLIT = re.compile(r"\t+| {2,}|\u3000{2,}")


def decode(raw: bytes) -> str:
    """Bytes of a text file → str: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")


def _spaced_row(line: str) -> list[Cell] | None:
    """A line of cells separated by tabs or wide spaces, or a label followed by numbers.
    Tabs (a table copied from a browser) show empty cells; runs of spaces do not."""
    if "\t" in line:
        parts = [p.strip() for p in line.split("\t")]
        while parts and not parts[0]:
            parts.pop(0)
        if len([p for p in parts if p]) >= 2 and any(is_value(p) for p in parts):
            return [Cell(p, explicit=not p) for p in parts]
    cells = _plain_row(line)
    return [Cell(p) for p in cells] if cells else None


def _plain_row(line: str) -> list[str] | None:
    parts = [p.strip() for p in _SPLIT.split(line) if p.strip()]
    if len(parts) >= 2 and any(is_value(p) for p in parts):
        return parts
    words = line.split()
    if len(words) >= 2:
        k = len(words)
        while k > 0 and is_value(words[k - 1]):
            k -= 1
        nvals = len(words) - k
        if nvals >= 2 or (nvals == 1 and k >= 1 and not is_value(words[0]) and len(words[-1]) <= 12):
            head = " ".join(words[:k])
            return ([head] if head else []) + words[k:]
    return None


def text_source(text: str) -> Source:
    """Text → lines of cells (see the module docstring)."""
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    stripped = [l.strip() for l in raw_lines]
    lone = sum(1 for l in stripped if l == "|")
    suffixed = sum(1 for l in stripped if l.endswith("|") and l.strip("| "))
    terminator_style = lone > 0 and suffixed * 5 < lone
    explicit = lone > 0 or suffixed > 3
    lines: list[Line] = []
    gap = 0
    buf: list[str] = []
    gaps: dict[int, int] = {}

    def add_cell(t: str, g: int, where: str, explicit_empty: bool = False) -> None:
        if lines and lines[-1].kind == "cell":
            gaps[g] = gaps.get(g, 0) + 1
        lines.append(Line("cell", [Cell(t, gap=g, explicit=explicit_empty)], where=where))

    for no, line in enumerate(stripped, 1):
        where = f"第{no}行"
        if not line:
            gap += 1
            continue
        if lines:
            lines[-1].trailing_gap = gap
        if terminator_style and "|" in line and not line.strip("| "):
            # a `|` line ends the cell written on the lines before it
            add_cell("\n".join(buf), gap, where, explicit_empty=not buf)
            buf, gap = [], 0
            continue
        if terminator_style and "|" not in line:
            buf.append(line)
            gap = 0
            continue
        if "|" in line:
            segs = [s.strip() for s in line.split("|")]
            if line.startswith("|"):
                segs = segs[1:]
            filled = [s for s in segs if s]
            if len(filled) >= 2:
                if terminator_style and buf:
                    add_cell("\n".join(buf), gap, where)
                    buf = []
                lines.append(Line("row", [Cell(s, explicit=not s) for s in segs], where=where))
            elif len(filled) == 1:
                content = ("\n".join(buf + [filled[0]])) if terminator_style else filled[0]
                buf = []
                add_cell(content, gap, where)
            elif line == "|":
                add_cell("", gap, where, explicit_empty=True)
            # a line of several pipes only is padding of a scraped table row: nothing
            gap = 0
            continue
        row = _spaced_row(raw_lines[no - 1].strip(" \u3000\r"))
        if row is not None:
            lines.append(Line("row", row, where=where))
        else:
            add_cell(line, gap, where)
        gap = 0
    if buf:
        add_cell("\n".join(buf), gap, "末尾")
    if lines:
        lines[-1].trailing_gap = gap
    typical = max(gaps, key=lambda g: (gaps[g], -g)) if gaps else 0
    return Source(lines=lines, explicit_empties=explicit, typical_gap=typical)
