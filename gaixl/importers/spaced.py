"""Space-aligned text (what `pdftotext -layout` gives, or a report pasted from a PDF) → blocks.

Columns are rebuilt from character positions by the shared engine (gaixl.importers.positions).

How wide is a Chinese character? `pdftotext -layout` puts ONE character per text column whatever
its width (checked on gaixl's own PDFs: `企业` sits exactly under `商业`, numbers under their
headers, only when each character counts 1). Text aligned by hand in an editor counts a wide
character as 2 columns instead. Each page is therefore laid out both ways and the reading whose
tables line up better (fewer, fuller columns) wins; a tie goes to pdftotext's way.
Pages are separated by form feeds (\\f), as pdftotext writes them.
"""
from __future__ import annotations

import re
import unicodedata

from gaixl.importers.blocks import Block, Table
from gaixl.importers.positions import (
    ENUM_RE,
    Line,
    Placed,
    Seg,
    fix_radicals,
    geometry,
    is_page_mark,
    layout_blocks,
    stitch,
)

_GAP = re.compile(r" {2,}|\t+")


def _wide(c: str) -> bool:
    return unicodedata.east_asian_width(c) in "WF"


_VALUE_TOKEN = re.compile(r"^(?:[+\-−－＋增减]?[0-9０-９][0-9０-９,，.．]*(?:元|万元)?|[-—–－/／])$")


def _split_segments(line: str) -> list[tuple[int, int, str]]:
    """(start, end, text) in character indices.

    Cells are separated by 2+ spaces or a tab — and pdftotext, squeezing a narrow table, leaves
    just ONE space between cells in these cases, which are cut too: between two Chinese
    characters (`商业 科研`), before an enumerated label (`予公开 2.其他…`), before a number that
    starts a row of numbers (`公开 26  826`), and around a run of two or more numbers
    (`申请 426 569 102`) — a lone number in prose (`公开 637 条`) stays in its line."""
    line = line.replace("\u3000", "  ").replace("\t", "  ")
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", line)]
    cut_after: set[int] = set()
    for i in range(len(tokens) - 1):
        a0, a1, at = tokens[i]
        b0, b1, bt = tokens[i + 1]
        if b0 - a1 >= 2:
            cut_after.add(i)
        elif _wide(at[-1]) and (_wide(bt[0]) or ENUM_RE.match(bt)):
            cut_after.add(i)
        elif _wide(at[-1]) and _VALUE_TOKEN.match(bt) and i + 2 < len(tokens) \
                and _VALUE_TOKEN.match(tokens[i + 2][2]):
            # a label's last character one space before the first number of a row of numbers
            # (`…公开 26  826 278`): the number is a cell of its own, not the label's end
            cut_after.add(i)
    # runs of 2+ numbers separated by single spaces: cut around and inside them
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and _VALUE_TOKEN.match(tokens[j][2]) and (j == i or tokens[j][0] - tokens[j - 1][1] == 1):
            j += 1
        if j - i >= 2:
            for k in range(max(i - 1, 0), j):
                cut_after.add(k)
            i = j
        else:
            i += 1
    out: list[tuple[int, int, str]] = []
    start = None
    for i, (a0, a1, _t) in enumerate(tokens):
        if start is None:
            start = a0
        if i in cut_after or i == len(tokens) - 1:
            out.append((start, a1, line[start:a1]))
            start = None
    return out


def _lines(text: str, wide: bool, first_no: int) -> list[Line]:
    lines: list[Line] = []
    for k, raw in enumerate(text.split("\n")):
        raw = raw.rstrip("\r")
        segs = []
        for a, b, t in _split_segments(raw):
            if wide:
                a2 = sum(2 if _wide(c) else 1 for c in raw[:a])
                b2 = a2 + sum(2 if _wide(c) else 1 for c in t)
                a, b = a2, b2
            segs.append(Seg(float(a), float(b), t, float(k), float(k + 1)))
        if segs:
            lines.append(Line(segs, float(k), float(k + 1), 0.0, first_no + k))
    return lines


_NUM = r"[+\-减增]?[0-9０-９][0-9０-９.,]*"
_NUMBER_RUN = re.compile(_NUM + r"(?: " + _NUM + r")+")


def looks_spaced(text: str) -> bool:
    """True for text laid out in columns with runs of spaces (pdftotext -layout): at least two
    lines with a number (or a run of numbers one space apart, as pdftotext writes the numbers of
    narrow columns) separated from other text by 2+ spaces, and no `|` cell separators."""
    if not isinstance(text, str):
        return False
    hits = 0
    for ln in text.splitlines():
        if "|" in ln or "｜" in ln:
            return False
        if "\t" in ln:
            continue
        parts = [p for p in re.split(r" {2,}|\u3000+", ln.strip()) if p]
        # a number, or (narrow columns squeezed by pdftotext) a run of numbers one space apart
        if len(parts) >= 2 and any(re.fullmatch(r"[+\-减增]?\s*[0-9０-９][0-9０-９.,]*\S{0,2}", p)
                                   or _NUMBER_RUN.fullmatch(p) for p in parts):
            hits += 1
    return hits >= 2


def _page_blocks(page: str, page_no: int, first_no: int, table_no: list[int]) -> list[Placed]:
    # page furniture: a page number alone on one of the first or last lines
    rows = page.split("\n")
    idx = [k for k, r in enumerate(rows) if r.strip()]
    for k in idx[:2] + idx[-2:]:
        if is_page_mark(rows[k]):
            rows[k] = ""
    page = "\n".join(rows)
    disp = _lines(page, True, first_no)
    if not disp:
        return []
    pg = geometry(disp, 2.0, 1.0)
    pg.em = 2.0
    best: list[Placed] | None = None
    best_score: tuple[int, int, int] = (0, 0, 0)
    for wide in (False, True):
        lines = _lines(page, wide, first_no)
        g = geometry(lines, 1.0, 1.0)
        g.em = 1.0
        g.lh = 1.0
        g.exact = False
        counter = [table_no[0]]
        stats: dict = {}
        blocks = layout_blocks(lines, g, f"第{page_no}页", counter, where_line=True, prose_lines=disp,
                               prose_g=pg, stats=stats)
        tables = [p.block for p in blocks if isinstance(p.block, Table)]
        # better aligned: fewer numbers left unplaced, then numbers of a column overlap (no
        # table needed placing by order), then fewer columns for the same tables
        score = (stats.get("dropped", 0), stats.get("by_order", 0), sum(t.width for t in tables))
        if best is None or score < best_score:
            best, best_score, best_count = blocks, score, counter[0]
    table_no[0] = best_count
    return best or []


def spaced_blocks(text: str) -> list[Block]:
    """Space-aligned text → paragraphs and tables in reading order (pages split at \\f; a table
    continued on the next page comes out as one table, its repeated header dropped)."""
    if not isinstance(text, str) or not text.strip():
        return []
    text = fix_radicals(text.replace("\r\n", "\n").replace("\r", "\n"))
    pages = text.split("\f")
    table_no = [0]
    out: list[list[Placed]] = []
    no = 1
    for k, page in enumerate(pages, 1):
        out.append(_page_blocks(page, k, no, table_no))
        no += page.count("\n")
    return stitch(out)


__all__ = ["looks_spaced", "spaced_blocks"]
