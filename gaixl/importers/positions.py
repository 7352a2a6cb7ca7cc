"""Tables rebuilt from positions: the engine shared by the PDF reader and the spaced-text reader.

Both sources give lines of text *segments* (runs of text separated by a visible gap) with their
horizontal extent — points on a PDF page, character columns in `pdftotext -layout` text. Neither
says which cell a segment belongs to, so the grid is rebuilt here from geometry alone:

- A run of lines with several segments that holds numbers is a table region; the rest is prose.
- Value columns come from where the NUMBERS sit: numbers of one column overlap horizontally
  (whether the column is left-, right- or centre-aligned), numbers of two columns do not. A
  number's column is therefore the column whose x-range contains it — never its order in the line,
  so a blank cell stays blank.
- Label columns (left of the first value column) start where enumerated labels start (`一、`,
  `（一）`, `1.`): the official tables nest their row labels that way.
- Header lines (above the first line with numbers) become header rows; a header that straddles
  several columns goes to the column it overlaps most and gets a row of its own; a header whose
  characters stand one per line (narrow columns) is joined into one cell text.
- Row labels wrapped over several lines are joined and attached to the row of numbers they sit
  beside.

Everything is geometry on plain floats, so the engine is cheap to test with hand-made lines.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from statistics import median

from gaixl.importers.blocks import Block, Para, Table

# A cell value as published: 0, 12, 1,234, 3.5, +3, -2, 减4, 增 45, 251000元, 12.5万元, and the
# dash-like marks some reports print for "none".
VALUE_RE = re.compile(
    r"^(?:[+\-−－＋]?|[增减]\s*)[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?\s*(?:万元|元|件|个|条|项|%|％)?$"
    r"|^[-—–－―/／]{1,2}$|^无$")
# The start of an enumerated row label: 一、 （一） (一) 1. 1、 1．
ENUM_RE = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|[0-9０-９]{1,2}[.．、](?![0-9０-９]))")
# Page furniture: — 3 —, - 3 -, 第 3 页, 第3页 共8页, 3 / 8, a lone page number.
PAGE_MARK_RE = re.compile(
    r"^\s*(?:[—\-–－―~～]*\s*[0-9０-９]{1,4}\s*[—\-–－―~～]*"
    r"|第\s*[0-9０-９]{1,4}\s*页(?:\s*[,，]?\s*共\s*[0-9０-９]{1,4}\s*页)?"
    r"|[0-9０-９]{1,4}\s*[/／]\s*[0-9０-９]{1,4}"
    r"|(?:page|Page|PAGE)\s*[0-9]{1,4}(?:\s*of\s*[0-9]{1,4})?)\s*$")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


def is_value(text: str) -> bool:
    return bool(VALUE_RE.match(text.strip()))


_RADICALS = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf]")
# CJK Radicals Supplement forms that stand for whole characters (NFKC leaves them alone); the
# forms that are only components (氵 扌 艹 …) are not mapped.
_SUPPLEMENT = dict(zip("⺁⺇⺊⺟⺠⺩⻄⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
                       "厂几卜母民王西见角贝车长门青韦页风飞食马骨鬼鱼鸟卤麦黄黾齐齿龙龟"))


def fix_radicals(text: str) -> str:
    """Kangxi radicals (U+2F00–) and radical supplements → the ordinary characters.

    Many PDFs (Chromium's with Noto CJK among them) map the glyphs of common characters such as
    一 二 人 行 to the look-alike radical code points; extracted text then reads `⼆` for `二`.
    That is an artefact of extraction, not what was published, so it is undone here."""
    if not _RADICALS.search(text):
        return text
    return _RADICALS.sub(lambda m: _SUPPLEMENT.get(m.group(), unicodedata.normalize("NFKC", m.group())), text)


def join_pieces(parts: list[str]) -> str:
    """Join text that the layout split physically (wrapped lines, one character per line).

    Chinese needs no space between the pieces; two Latin words do.
    """
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if out and _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(p[0]):
            out += " "
        out += p
    return out


@dataclass
class Seg:
    """A run of text on one line, with its horizontal extent and its line's vertical extent."""

    x0: float
    x1: float
    text: str
    top: float = 0.0
    bottom: float = 0.0

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Line:
    segs: list[Seg]
    top: float
    bottom: float
    size: float = 0.0          # font size (PDF) — 0 when unknown (text)
    no: int = 0                # line number in the source (text) — for messages

    @property
    def x0(self) -> float:
        return self.segs[0].x0

    @property
    def x1(self) -> float:
        return self.segs[-1].x1

    @property
    def yc(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def text(self) -> str:
        return join_pieces([s.text for s in self.segs]) if len(self.segs) == 1 else "  ".join(s.text for s in self.segs)


@dataclass
class Geometry:
    """The scale of a page: how wide a character is and how tall a line is, in its units."""

    em: float
    lh: float
    left: float                 # the text block's left margin
    right: float                # and right margin
    exact: bool = True          # positions are exact (a PDF page), not pdftotext's character grid


@dataclass
class Placed:
    """A block with the vertical position it started at (to interleave with ruled tables)."""

    top: float
    block: Block
    indented: bool = False      # a paragraph whose first line is indented (starts a new paragraph)
    line_end_full: bool = False  # a paragraph whose last line reaches the right margin
    xs: list[float] | None = None  # a ruled table's column borders


# ----------------------------------------------------------------------------- regions

def _value_segs(line: Line) -> list[Seg]:
    return [s for s in line.segs if is_value(s.text)]


def _is_tabular(line: Line) -> bool:
    return len(line.segs) >= 2


_HEADING_RE = re.compile(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+[章节部分])")


def _data_line(ln: Line) -> bool:
    vals = _value_segs(ln)
    return bool(vals) and (len(ln.segs) >= 2)


def _prose_like(ln: Line, g: Geometry) -> bool:
    """A line of running text: one long segment (a table's lines are short pieces)."""
    return len(ln.segs) == 1 and (ln.segs[0].x1 - ln.segs[0].x0) > 0.6 * (g.right - g.left)


def _new_header(ln: Line, label_x: float, g: Geometry) -> bool:
    """A line with several segments and no number, one of them starting right of where the
    row labels end: the header of another table (the previous one ended above it)."""
    if _value_segs(ln):
        return False
    if not _is_tabular(ln):
        # a header standing alone over the numbers (the corner header on a line of its own)
        s = ln.segs[0]
        return s.x0 > label_x + g.em and (s.x1 - s.x0) > 2.6 * g.em and not ENUM_RE.match(s.text)
    return any(s.x0 > label_x + g.em and not ENUM_RE.match(s.text) for s in ln.segs[1:])


def find_regions(lines: list[Line], g: Geometry) -> list[tuple[int, int]]:
    """Index ranges [a, b) of lines forming tables.

    Tables are found from their rows of numbers: lines holding numbers close together, with only
    short pieces between them (wrapped row labels), form one table — until a line with several
    segments and no number reaches over the numbers' columns (the header of the next table).
    Each table then takes the header lines right above its first row of numbers (captions,
    headers, narrow headers standing one character per line), stopping at a heading, a line of
    running text or a gap, and a wrapped last label right below its last row."""
    n = len(lines)
    data = [k for k in range(n) if _data_line(lines[k])]
    chains: list[list[int]] = []
    # Per chain, kept as it grows (recomputing over the whole chain for every line made a long
    # table quadratic: 2,000 lines took minutes): the end of the row-label text before each
    # line's first number (max), and the first number's left edge (min, the fallback).
    label_end: float | None = None
    value_x0 = 0.0

    def contribution(d: int) -> tuple[float | None, float]:
        first = min(v.x0 for v in _value_segs(lines[d]))
        ends = [s.x1 for s in lines[d].segs if not is_value(s.text) and s.x1 <= first]
        return (max(ends) if ends else None), first

    for k in data:
        if chains:
            prev = chains[-1][-1]
            # where the row labels end: the end of the text before each line's first number
            vx = label_end if label_end is not None else value_x0
            between = lines[prev + 1:k]
            # close: a few lines apart, or only pieces of row labels between (a long label
            # wrapped over many lines in a narrow label column)
            first_k = min(v.x0 for v in _value_segs(lines[k]))
            close = lines[k].top - lines[prev].bottom <= 8 * g.lh or all(
                s.x1 <= first_k for ln in between for s in ln.segs)
            if close and not any(_prose_like(ln, g) or _new_header(ln, vx, g) or is_page_mark(ln.text)
                                 or (len(ln.segs) == 1 and _HEADING_RE.match(ln.segs[0].text)
                                     and ln.segs[0].x0 > g.left + 1.5 * g.em)
                                 for ln in between):
                chains[-1].append(k)
                end, x0 = contribution(k)
                if end is not None:
                    label_end = end if label_end is None else max(label_end, end)
                value_x0 = min(value_x0, x0)
                continue
        chains.append([k])
        label_end, value_x0 = contribution(k)
    out: list[tuple[int, int]] = []
    for chain in chains:
        a, b = chain[0], chain[-1] + 1
        region = lines[a:b]
        x0 = min(ln.x0 for ln in region)
        x1 = max(ln.x1 for ln in region)
        floor = out[-1][1] if out else 0
        # header lines above the first row of numbers
        k = a
        taken = 0
        while k > floor and taken < 30:
            ln = lines[k - 1]
            if lines[k].top - ln.bottom > 1.6 * g.lh or _prose_like(ln, g) or is_page_mark(ln.text):
                break
            first = ln.segs[0]
            if _HEADING_RE.match(first.text) and not _value_segs(ln) and first.x0 > x0 + 1.5 * g.em:
                break
            label_start = _label_start_above(lines, k, floor, chain, g)
            if len(ln.segs) == 1 and not _head_line(first, x0, x1, g) and first.x0 > x0 + 1.5 * g.em \
                    and not label_start:
                break
            if ln.x1 < x0 - g.em or ln.x0 > x1 + g.em:
                break
            k -= 1
            taken += 1
        a = k
        # a wrapped last label right below
        while b < n and len(lines[b].segs) == 1 and lines[b].top - lines[b - 1].bottom <= 0.8 * g.lh:
            s = lines[b].segs[0]
            starts = [t.x0 for ln in lines[max(a, b - 3):b] for t in ln.segs if not is_value(t.text)]
            if s.x0 < x0 - g.em or not any(abs(s.x0 - x) <= 1.5 * g.em for x in starts) \
                    or s.x1 > x0 + 0.5 * (x1 - x0) or is_page_mark(s.text) \
                    or ENUM_RE.match(s.text) or _HEADING_RE.match(s.text) or len(s.text) > 12:
                break
            b += 1
        out.append((a, b))
    return out


def _label_start_above(lines: list[Line], k: int, floor: int, chain: list[int], g: Geometry) -> bool:
    """True when the lines right above line k are the first lines of a row label wrapped in a
    narrow label column (its numbers stand lower, centred on it): pieces in the label area,
    stacked without gaps, the topmost starting with an enumeration (`1.`, `（四）`)."""
    value_x = min(s.x0 for d in chain for s in _value_segs(lines[d]))
    j = k - 1
    x = None
    while j >= floor and k - j <= 8:
        ln = lines[j]
        if len(ln.segs) != 1 or ln.segs[0].x1 > value_x or lines[j + 1].top - ln.bottom > 0.8 * g.lh:
            return False
        s = ln.segs[0]
        if x is not None and abs(s.x0 - x) > 1.5 * g.em:
            return False
        x = s.x0
        if ENUM_RE.match(s.text):
            return True
        j -= 1
    return False


def _head_line(s: Seg, x0: float, x1: float, g: Geometry) -> bool:
    """A single segment above a table that belongs to its header: stacked characters of a narrow
    header, or text standing well inside the table (a caption, a header spanning columns) —
    not a heading, which starts at the left margin or a paragraph indent."""
    if PAGE_MARK_RE.match(s.text):
        return False
    stacked = (s.x1 - s.x0) <= 2.6 * g.em and s.x0 >= x0 - g.em and s.x0 > x0 + 0.2 * (x1 - x0)
    inside = s.x0 >= x0 + 8 * g.em and s.x1 <= x1 + 4 * g.em
    return stacked or inside


def _short(line: Line, g: Geometry) -> bool:
    return (line.x1 - line.x0) < 0.6 * (g.right - g.left) or len(line.segs[0].text) <= 12


# ----------------------------------------------------------------------------- columns

@dataclass
class _Col:
    x0: float
    x1: float
    kind: str                     # "label" | "value"
    lo: float = 0.0               # the x-range the column owns (partition of the line)
    hi: float = 0.0

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _cluster_intervals(segs: list[Seg], tol: float) -> list[tuple[float, float]]:
    ivs = sorted((s.x0, s.x1) for s in segs)
    out: list[list[float]] = []
    for a, b in ivs:
        if out and a <= out[-1][1] + tol:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _columns(lines: list[Line], first_data: int, g: Geometry) -> tuple[list[_Col], bool | None, dict[int, int]]:
    """The table's columns, whether numbers are placed by order (see below; None: place none),
    and the header pieces pinned to a column by order ({id(piece): column}, see _leaf_order).

    Value columns are clusters of horizontally overlapping numbers. That is exact on a PDF page.
    `pdftotext -layout` text, though, shifts whole lines by a few characters (a line of seven
    zeros may be squeezed into half the width of the line below), so when the clusters are not
    consistent there — two numbers of one line in one cluster, or more clusters than numbers in
    the fullest line — the columns are taken from the lines that have a number in EVERY column
    (there order and position agree by definition), and a line with fewer numbers puts each at
    the nearest column, keeping their order."""
    data_lines = lines[first_data:]
    per_line = [sorted(_value_segs(ln), key=lambda s: s.x0) for ln in data_lines]
    values = [s for vals in per_line for s in vals]
    clusters = _cluster_intervals(values, -0.15 * g.em)
    if not clusters:
        return [], False, {}

    def cluster_of(s: Seg) -> int:
        return next(k for k, (a, b) in enumerate(clusters) if a - 1e-6 <= s.x0 and s.x1 <= b + 1e-6)

    full = max(len(v) for v in per_line)
    consistent = all(len({cluster_of(s) for s in vals}) == len(vals) for vals in per_line)
    by_order = not consistent or (not g.exact and len(clusters) > full)
    if by_order:
        vcols = _order_columns(per_line, full)
    else:
        vcols = [_Col(a, b, "value") for a, b in clusters]
    first_x = vcols[0].x0
    labels = [s for ln in data_lines for s in ln.segs if not is_value(s.text) and s.xc < first_x]
    cols: list[_Col] = []
    if labels:
        # label columns start where enumerated labels start (一、 （一） 1.); otherwise one
        starts: list[float] = []
        last = float("-inf")
        for x in sorted(s.x0 for s in labels if ENUM_RE.match(s.text)):
            if x - last > 2.5 * g.em:
                starts.append(x)
            last = x
        lx0 = min(s.x0 for s in labels)
        if not starts or starts[0] - lx0 > 2.5 * g.em:
            starts.insert(0, lx0)
        lx1 = max([s.x1 for s in labels if s.x1 < first_x] + [starts[-1] + g.em])
        for k, x in enumerate(starts):
            cols.append(_Col(x, starts[k + 1] if k + 1 < len(starts) else lx1, "label"))
    cols.extend(vcols)
    header_segs = [s for ln in lines[:first_data] for s in ln.segs]
    groups = _leaf_groups(vcols, header_segs, cols, g) if header_segs else []
    if not g.exact and not groups:
        # text without a header over its numbers (a table's part on a page that does not repeat
        # it): nothing to check the columns by, and pdftotext shifts each page — place none
        by_order = None  # type: ignore[assignment]
    elif header_segs and not by_order:
        matched = _match_headers(vcols, header_segs, cols, g)
        if matched is None:
            by_order = None  # type: ignore[assignment]   # no number can be placed safely
        else:
            cols = [c for c in cols if c.kind == "label"] + matched
    elif by_order and (len(groups) > len(vcols) or max(
            (sum(1 for s in ln.segs if s.xc > vcols[0].x0 - 2 * g.em) for ln in lines[:first_data]),
            default=0) > len(vcols)):
        # placed by order, but a header line has more columns than the fullest line has
        # numbers: a column is blank throughout, and which one cannot be told — place none
        by_order = None  # type: ignore[assignment]
    fixed: dict[int, int] = {}
    if by_order is not False and not g.exact and header_segs:
        # pdftotext text whose header could not be lined up with the numbers by position
        # (header words squeezed together, lines shifted): the lines with a number in every
        # column still give the columns by order — provided the header's leaves are exactly as
        # many, in the same order (see _leaf_order); the header's leaves then go over their
        # columns by that order too
        alt = _leaf_order([c for c in cols if c.kind == "label"], per_line, header_segs, g)
        if alt is not None:
            cols, fixed = alt
            by_order = True
        elif by_order:
            # numbers by order with a header that does not confirm how many columns there
            # are: a column blank in every line would shift all the numbers after it — place none
            by_order = None  # type: ignore[assignment]
    _partition(cols, g)
    return cols, by_order, fixed


def _order_columns(per_line: list[list[Seg]], full: int) -> list[_Col]:
    """Value columns from the lines with `full` numbers: the k-th number of each is column k."""
    rows_full = [vals for vals in per_line if len(vals) == full]
    vcols = []
    for k in range(full):
        x0s = sorted(v[k].x0 for v in rows_full)
        x1s = sorted(v[k].x1 for v in rows_full)
        vcols.append(_Col(x0s[len(x0s) // 2], x1s[len(x1s) // 2], "value"))
    for k in range(1, len(vcols)):       # keep them in order, never overlapping
        if vcols[k].x0 <= vcols[k - 1].x1:
            mid = (vcols[k - 1].x1 + vcols[k].x0) / 2
            vcols[k - 1].x1 = min(vcols[k - 1].x1, mid - 0.01)
            vcols[k].x0 = max(vcols[k].x0, mid + 0.01)
    return vcols


def _side(k: int, off: float, n: int) -> int:
    """The neighbour of column k on the side a header group leans to (the other one at an end)."""
    return k - 1 if (off < 0 and k > 0) or k == n - 1 else k + 1


def _fits_shift(gc: list[float], vc: list[float]) -> bool:
    """Header group k stands over number column k up to one common shift: each group, shifted
    back, stays off its column by less than the distance to the neighbour it leans towards."""
    shift = median(a - b for a, b in zip(gc, vc))
    for k in range(len(vc)):
        off = gc[k] - shift - vc[k]
        if abs(off) >= abs(vc[_side(k, off, len(vc))] - vc[k]):
            return False
    return True


def _fits_squeeze(gc: list[float], vc: list[float]) -> bool:
    """… or up to a squeeze: pdftotext packs a line with more characters tighter, so the header
    may stand over the numbers scaled as well as shifted. The straight line through the pairs
    (least squares) must keep the order (a scale between 1/2 and 2) and leave each group off its
    column by less than half the scaled distance to the neighbour it leans towards."""
    n = len(vc)
    mv, mg = sum(vc) / n, sum(gc) / n
    var = sum((v - mv) ** 2 for v in vc)
    if var <= 0:
        return False
    scale = sum((v - mv) * (h - mg) for v, h in zip(vc, gc)) / var
    if not 0.5 <= scale <= 2.0:
        return False
    for k in range(n):
        off = gc[k] - (mg + scale * (vc[k] - mv))
        if abs(off) >= 0.5 * scale * abs(vc[_side(k, off, n)] - vc[k]):
            return False
    return True


def _leaf_order(labels: list[_Col], per_line: list[list[Seg]], header_segs: list[Seg],
                g: Geometry) -> tuple[list[_Col], dict[int, int]] | None:
    """Columns of pdftotext text from the order of things, when it is unambiguous.

    The fullest lines give the value columns, k-th number in column k. That count is the table's
    true column count only when the header agrees: its leaf headers (stacked pieces grouped)
    must form exactly as many groups as the fullest lines have numbers, and group k must stand
    over number column k — pdftotext may shift the header against the numbers by a few
    characters and squeeze it, so a common shift (_fits_shift) or shift and scale (_fits_squeeze)
    is allowed, as long as each group stays clearly nearer its own column than its neighbour.
    Then each leaf piece is pinned to its column (returned as {id(piece): column index});
    otherwise None — nothing is placed."""
    full = max((len(v) for v in per_line), default=0)
    if full < 2:
        return None
    vcols = _order_columns(per_line, full)
    if any(c.x1 <= c.x0 - 1e-6 for c in vcols):
        return None
    cols = list(labels) + vcols
    leaves = _leaf_segs(vcols, header_segs, cols, g)
    groups = _cluster_intervals(leaves, -0.05 * g.em)
    if len(groups) != full:
        return None
    gc = [(a + b) / 2 for a, b in groups]
    vc = [c.xc for c in vcols]
    if not (_fits_shift(gc, vc) or _fits_squeeze(gc, vc)):
        return None
    nlab = len(labels)
    fixed: dict[int, int] = {}
    for s in leaves:
        k = next((k for k, (a, b) in enumerate(groups) if a - 1e-6 <= s.x0 and s.x1 <= b + 1e-6), None)
        if k is None:
            return None
        fixed[id(s)] = nlab + k
    return cols, fixed


def _leaf_segs(vcols: list[_Col], header_segs: list[Seg], cols: list[_Col], g: Geometry) -> list[Seg]:
    """The pieces of the leaf headers over the value columns: header pieces standing on top
    of each other (one character per line, a wrapped header) make one group; a header with
    other headers under it (a caption, a group header) is left out."""
    lab_right = max((c.x1 for c in cols if c.kind == "label"), default=-1e9)
    # (a corner header such as 信息内容 stands over the labels — in pdftotext's text a little
    # to their right)
    mid = (lab_right + vcols[0].x0) / 2 if vcols and lab_right > -1e9 else lab_right

    def corner(s: Seg) -> bool:
        # the label column's own header (信息内容, the 勾稽 note): left of every number, and the
        # leftmost piece of its line, starting nearer the labels than the numbers
        if any(_overlap(s.x0, s.x1, v.x0, v.x1) > 0 for v in vcols):
            return False
        if s.xc <= lab_right:
            return True
        line = [t for t in header_segs if abs(t.top - s.top) < 0.3 * g.lh]
        return min(line, key=lambda t: t.x0) is s and s.x0 < mid

    segs = [s for s in header_segs if not corner(s)]
    if not segs:
        return []

    def straddler(s: Seg) -> bool:
        # a group header: below it stand two headers side by side (its children)
        inner = [t for t in segs if t is not s and t.top >= s.bottom - 0.3 * g.lh
                 and _overlap(s.x0, s.x1, t.x0, t.x1) > 0]
        # … or a header with another header under it, not just its next line (a caption, a
        # group header over a single column)
        return any(_overlap(a.x0, a.x1, b.x0, b.x1) <= 0 for i, a in enumerate(inner) for b in inner[i + 1:]) \
            or any(t.top > s.bottom + 0.5 * g.lh for t in inner) \
            or sum(1 for v in vcols if _overlap(s.x0, s.x1, v.x0, v.x1) > 0) >= 2
    def caption(s: Seg) -> bool:
        # alone on its line, wider than a stacked character, above a line of several headers
        alone = sum(1 for t in header_segs if abs(t.top - s.top) < 0.3 * g.lh) == 1
        below = [t for t in segs if t.top >= s.bottom - 0.3 * g.lh]
        tops = {round(t.top, 1) for t in below}
        return alone and (s.x1 - s.x0) > 2.6 * g.em and any(
            sum(1 for t in below if round(t.top, 1) == y) >= 2 for y in tops)

    return [s for s in segs if not straddler(s) and not caption(s)]


def _leaf_groups(vcols: list[_Col], header_segs: list[Seg], cols: list[_Col], g: Geometry) -> list[tuple[float, float]]:
    """The x-extents of the leaf headers over the value columns (see _leaf_segs), left to right."""
    return _cluster_intervals(_leaf_segs(vcols, header_segs, cols, g), -0.05 * g.em)


def _match_headers(vcols: list[_Col], header_segs: list[Seg], cols: list[_Col], g: Geometry) -> list[_Col] | None:
    """Value columns widened to their header cells, so headers and numbers meet in one column.

    Numbers need not stand under their header's text (left- or right-aligned numbers under a
    centred header in a wide cell). Leaf headers are grouped first (a header standing one
    character per line is one group; a header spanning several groups is left out), then:
    groups and number columns that overlap belong together; when they do not overlap, as many
    groups as number columns pair up in order; a group with no numbers under it at all is a
    blank column of its own."""
    groups = _leaf_groups(vcols, header_segs, cols, g)
    if not groups:
        return vcols
    hs = [_Col(a, b, "value") for a, b in groups]

    over = {(i, j) for i, h in enumerate(hs) for j, v in enumerate(vcols) if _overlap(h.x0, h.x1, v.x0, v.x1) > 0}
    pairs: dict[int, int] = {}
    if not g.exact and len(hs) != len(vcols):
        # text: a blank column (or a header that did not come out) — where a header stands
        # in pdftotext's output says too little to tell which column is blank: unsafe
        return None
    if all(sum(1 for (i, j) in over if j == jj) == 1 for jj in range(len(vcols))) \
            and all(sum(1 for (i, j) in over if i == ii) <= 1 for ii in range(len(hs))):
        pairs = {i: j for i, j in over}
    elif len(hs) == len(vcols):
        pairs = {i: i for i in range(len(hs))}
    elif not g.exact:
        # text: where a header stands says too little to pick the blank column — unsafe
        return None
    elif len(hs) > len(vcols):
        # blank columns exist: each number column to the nearest header group, in order
        fake = [Seg(v.x0, v.x1, "") for v in vcols]
        order = _assign_by_order(fake, hs, strict=False)
        if order is None:
            return vcols
        pairs = {i: j for j, i in enumerate(order)}
    else:
        return vcols
    out: list[_Col] = []
    used = set()
    for i, h in enumerate(hs):
        if i in pairs:
            v = vcols[pairs[i]]
            used.add(pairs[i])
            out.append(_Col(min(v.x0, h.x0), max(v.x1, h.x1), "value"))
        else:
            out.append(_Col(h.x0, h.x1, "value"))
    out.extend(v for j, v in enumerate(vcols) if j not in used)
    out.sort(key=lambda c: c.x0)
    for k in range(1, len(out)):
        if out[k].x0 < out[k - 1].x1:          # keep columns apart whatever the widening did
            return vcols if g.exact else None
    return out


def _assign_by_order(vals: list[Seg], cols: list[_Col], strict: bool = True) -> list[int] | None:
    """Columns for a line's segments (sorted by x) when positions are only roughly right: each
    to the nearest value column, keeping their order (a small dynamic programme: minimal total
    distance, strictly increasing columns).

    With `strict` (numbers in pdftotext text, whose lines shift by a few characters), a line
    with fewer numbers than columns gives None: which cells are blank cannot be told for sure,
    and a number is never put in a cell it may not belong to."""
    vidx = [k for k, c in enumerate(cols) if c.kind == "value"]
    n, m = len(vals), len(vidx)
    if n == m:
        return vidx
    if n > m or n == 0 or strict:
        return None
    centre = [cols[k].xc for k in vidx]
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    take_it = [[False] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        cost[0][j] = 0.0
    for i in range(1, n + 1):
        for j in range(i, m + 1):
            skip = cost[i][j - 1]
            take = cost[i - 1][j - 1] + abs(vals[i - 1].xc - centre[j - 1])
            if take <= skip:
                cost[i][j], take_it[i][j] = take, True
            else:
                cost[i][j] = skip
    out = [0] * n
    i, j = n, m
    while i > 0:
        if take_it[i][j]:
            out[i - 1] = vidx[j - 1]
            i, j = i - 1, j - 1
        else:
            j -= 1
    return out


def _partition(cols: list[_Col], g: Geometry) -> None:
    """Give every column the x-range up to the midpoint of the gap to its neighbours."""
    for k, c in enumerate(cols):
        c.lo = -1e9 if k == 0 else (cols[k - 1].x1 + c.x0) / 2
        c.hi = 1e9 if k == len(cols) - 1 else (c.x1 + cols[k + 1].x0) / 2
    for k, c in enumerate(cols):
        if c.kind == "label" and k + 1 < len(cols) and cols[k + 1].kind == "label":
            # label columns are defined by where they start
            c.hi = cols[k + 1].x0 - 0.75 * g.em
            cols[k + 1].lo = c.hi


def _col_of(s: Seg, cols: list[_Col]) -> int:
    """The column a segment overlaps most (its centre decides a tie — and a zero-width case).

    In the label area a segment belongs to the label column it STARTS in: row labels are
    left-aligned, and a long one runs on over the next label column's place."""
    nlab = sum(1 for c in cols if c.kind == "label")
    if nlab > 1 and s.xc < cols[nlab - 1].hi:
        k = 0
        for j in range(nlab):
            if cols[j].lo <= s.x0 + 1e-6:
                k = j
        return k
    best, best_ov = -1, 0.0
    for k, c in enumerate(cols):
        ov = _overlap(s.x0, s.x1, c.lo, c.hi)
        if ov > best_ov + 1e-9:
            best, best_ov = k, ov
    if best < 0:
        best = min(range(len(cols)), key=lambda k: abs(s.xc - (cols[k].lo + cols[k].hi) / 2))
    return best


def _straddles(s: Seg, cols: list[_Col]) -> bool:
    """True when a segment covers a good part of two or more columns (a spanning header)."""
    n = 0
    for c in cols:
        ov = _overlap(s.x0, s.x1, max(c.lo, c.x0 - (c.x0 - c.lo) * 0.5), min(c.hi, c.x1 + (c.hi - c.x1) * 0.5))
        width = min(s.x1 - s.x0, max(c.x1 - c.x0, 1e-6))
        if ov >= 0.5 * width and ov > 0:
            n += 1
    return n >= 2


# ----------------------------------------------------------------------------- rows

def _join_cells(cells: list[list[Seg]]) -> list[str]:
    return [join_pieces([s.text for s in sorted(c, key=lambda s: (round(s.top, 1), s.x0))]) for c in cells]


def _header_rows(lines: list[Line], cols: list[_Col], g: Geometry, by_order: bool | None = False,
                 fixed: dict[int, int] | None = None) -> list[list[str]]:
    if not lines:
        return []
    value_lo = next((c.lo for c in cols if c.kind == "value"), 0.0)
    # a line with a header spanning columns, or a caption standing alone over the numbers'
    # columns, is a header row of its own
    straddle_line = [any(_straddles(s, cols) for s in ln.segs if s.xc >= value_lo)
                     or (len(ln.segs) == 1 and ln.segs[0].x1 - ln.segs[0].x0 > 2.6 * g.em and ln.segs[0].x0 >= value_lo)
                     for ln in lines]
    # bands: each line with a straddling header is its own band; runs of other lines make one
    # numbers placed by order (pdftotext text): so are the headers of a plain header line
    # (a header line with fewer pieces than columns is left out: where its pieces belong
    # cannot be told, and a header over the wrong column would send its numbers astray)
    forced: dict[int, int] = {}
    if fixed:
        # leaf headers pinned to their columns by order (_leaf_order); any other piece over
        # the numbers on a line with leaves, or on a plain header line, is left out — where it
        # belongs is not certain (a group header on a line of its own keeps its place)
        for li, ln in enumerate(lines):
            pinned = any(id(s) in fixed for s in ln.segs)
            for s in ln.segs:
                if id(s) in fixed:
                    forced[id(s)] = fixed[id(s)]
                elif (pinned or not straddle_line[li]) and cols[_col_of(s, cols)].kind == "value":
                    forced[id(s)] = -1
    elif by_order:
        for li, ln in enumerate(lines):
            if straddle_line[li]:
                continue
            vs = sorted((s for s in ln.segs if cols[_col_of(s, cols)].kind == "value"), key=lambda s: s.x0)
            ks = _assign_by_order(vs, cols, strict=True) if vs else None
            for j, s in enumerate(vs):
                forced[id(s)] = ks[j] if ks else -1
    band_of: list[int] = []
    band = -1
    for k, st in enumerate(straddle_line):
        if k == 0 or st or straddle_line[k - 1]:
            band += 1
        band_of.append(band)
    nb = band + 1
    # stacks: a column's pieces on consecutive lines belong together; they go to the band of the
    # stack's last piece (the leaf row), so a narrow header crossing a band boundary stays whole
    rows: list[list[list[Seg]]] = [[[] for _ in cols] for _ in range(nb)]
    for k in range(len(cols)):
        pieces = []
        for li, ln in enumerate(lines):
            for s in ln.segs:
                if forced.get(id(s), _col_of(s, cols)) == k:
                    pieces.append((li, s))
        stack: list[tuple[int, Seg]] = []

        def flush() -> None:
            if stack:
                b = band_of[stack[-1][0]]
                rows[b][k].extend(s for _, s in stack)
                stack.clear()

        for li, s in pieces:
            c = cols[k]
            narrow = (s.x1 - s.x0) <= (c.x1 - c.x0) + 0.5 * g.em
            if straddle_line[li] and not (narrow and stack and not _straddles(s, cols)
                                          and s.top - stack[-1][1].bottom <= 0.5 * g.lh):
                flush()
                rows[band_of[li]][k].append(s)
                continue
            if stack and (li - stack[-1][0] > 1 and s.top - stack[-1][1].bottom > 0.9 * g.lh):
                flush()
            stack.append((li, s))
        flush()
    return [_join_cells(r) for r in rows if any(r)]


def _body_rows(lines: list[Line], cols: list[_Col], g: Geometry, by_order: bool | None,
               stats: dict | None = None) -> list[list[str]]:
    anchors = [k for k, ln in enumerate(lines) if any(is_value(s.text) and cols[_col_of(s, cols)].kind == "value"
                                                      for s in ln.segs)]
    nvalue = sum(1 for c in cols if c.kind == "value")
    # where each number goes: the column containing it, or (by_order) the nearest in order
    value_col: dict[int, int] = {}
    for li in anchors:
        vals = sorted((s for s in lines[li].segs if is_value(s.text) and cols[_col_of(s, cols)].kind == "value"),
                      key=lambda s: s.x0)
        if by_order:
            # by order, the numbers are those ending the line after its label — one of them may
            # stand inside the label columns' range when a long label pushed the line right
            segs = sorted(lines[li].segs, key=lambda s: s.x0)
            tail = len(segs)
            while tail > 0 and is_value(segs[tail - 1].text):
                tail -= 1
            if len(segs) - tail == nvalue and len(vals) < nvalue:
                vals = segs[tail:]
        if by_order is None:
            ks = None
        elif by_order:
            ks = _assign_by_order(vals, cols)
        else:
            ks = [_col_of(s, cols) for s in vals]
        if ks is None:
            # the numbers of this line cannot be told apart by position: leave them unplaced
            # rather than guess (the cells stay blank; the row label is kept)
            for s in vals:
                value_col[id(s)] = -1
            continue
        for s, k in zip(vals, ks):
            value_col[id(s)] = k

    for li in anchors:            # a number that did not get a column is not a label either
        for s in lines[li].segs:
            if is_value(s.text) and id(s) not in value_col and by_order is not False:
                value_col[id(s)] = -1
    if stats is not None:
        stats["dropped"] = stats.get("dropped", 0) + sum(1 for k in value_col.values() if k < 0)

    def col_of(s: Seg) -> int:
        return value_col.get(id(s), _col_of(s, cols))

    # row records: (y, cells)
    rows: list[tuple[float, list[list[Seg]]]] = [(lines[k].yc, [[] for _ in cols]) for k in anchors]
    anchor_index = {k: r for r, k in enumerate(anchors)}
    label_pieces: list[tuple[int, list[tuple[int, Seg]]]] = []   # (column, [(line, seg)…])
    loose: list[tuple[int, int, Seg]] = []                       # value-column text off an anchor line
    for k, c in enumerate(cols):
        cur: list[tuple[int, Seg]] = []
        cur_has_anchor = False
        for li, ln in enumerate(lines):
            segs = [s for s in ln.segs if col_of(s) == k]
            if not segs:
                continue
            if c.kind == "value":
                for s in segs:
                    if li in anchor_index:
                        rows[anchor_index[li]][1][k].append(s)
                    else:
                        loose.append((k, li, s))
                continue
            text = join_pieces([s.text for s in segs])
            on_anchor = li in anchor_index
            new = (not cur or bool(ENUM_RE.match(text))
                   or (on_anchor and cur_has_anchor)
                   or segs[0].top - cur[-1][1].bottom > 1.6 * g.lh)
            if new and cur:
                label_pieces.append((k, cur))
                cur, cur_has_anchor = [], False
            cur.extend((li, s) for s in segs)
            cur_has_anchor = cur_has_anchor or on_anchor
        if cur:
            label_pieces.append((k, cur))
    extra: list[tuple[float, list[list[Seg]]]] = []
    ys = [y for y, _ in rows]
    ordered = all(a <= b for a, b in zip(ys, ys[1:]))
    for k, piece in label_pieces:
        top = min(s.top for _, s in piece)
        bottom = max(s.bottom for _, s in piece)
        yc = (top + bottom) / 2
        lo, hi = top - 0.6 * g.lh, bottom + 0.6 * g.lh
        if ordered:     # rows run down the page: the ones in reach by bisection, not a scan of all
            inside = list(range(bisect.bisect_left(ys, lo), bisect.bisect_right(ys, hi)))
        else:
            inside = [r for r, y in enumerate(ys) if lo <= y <= hi]
        segs = [s for _, s in piece]
        if inside:
            r = min(inside, key=lambda r: abs(rows[r][0] - yc))
            rows[r][1][k].extend(segs)
        else:
            # a labelled row whose cells are all blank: a row of its own, values left blank
            cells: list[list[Seg]] = [[] for _ in cols]
            cells[k] = segs
            extra.append((yc, cells))
    for k, li, s in loose:
        if rows:
            r = min(range(len(rows)), key=lambda r: abs(rows[r][0] - lines[li].yc))
            rows[r][1][k].append(s)
    allrows = sorted(rows + extra, key=lambda t: t[0])
    return [_join_cells(cells) for _, cells in allrows]


def _label_above(lines: list[Line], s: Seg, g: Geometry) -> list[Seg]:
    """Label pieces on the line right above `s` standing where it starts (its wrapped start)."""
    for k, ln in enumerate(lines):
        if any(x is s for x in ln.segs):
            if k == 0:
                return []
            return [p for p in lines[k - 1].segs if abs(p.x0 - s.x0) <= 1.5 * g.em]
    return []


def build_table(lines: list[Line], g: Geometry, stats: dict | None = None) -> list[list[str]] | None:
    """The grid of a table region, or None when it does not hold a table after all."""
    first = next((k for k, ln in enumerate(lines) if _value_segs(ln)), None)
    if first is None:
        return None
    cols, by_order, fixed = _columns(lines, first, g)
    if len(cols) < 2:
        return None
    value_lo = next((c.lo for c in cols if c.kind == "value"), 0.0)
    # a row label starting above its numbers (numbers centred on a wrapped label) is no header:
    # from an enumerated label down, the label column's pieces in the header zone go to the body
    moved: set[int] = set()
    for ln in lines[:first]:
        for s in ln.segs:
            if s.xc < value_lo and (ENUM_RE.match(s.text) or any(
                    id(m) in moved for m in _label_above(lines[:first], s, g))):
                moved.add(id(s))
    head_lines = [Line([s for s in ln.segs if id(s) not in moved], ln.top, ln.bottom, ln.size, ln.no)
                  for ln in lines[:first]]
    lifted = [Line([s for s in ln.segs if id(s) in moved], ln.top, ln.bottom, ln.size, ln.no)
              for ln in lines[:first]]
    head_lines = [ln for ln in head_lines if ln.segs]
    lifted = [ln for ln in lifted if ln.segs]
    if stats is not None:
        stats["by_order"] = stats.get("by_order", 0) + int(by_order is not False)
        stats["unplaced"] = stats.get("unplaced", 0) + int(by_order is None)
    header = _header_rows(head_lines, cols, g, by_order, fixed)
    body = _body_rows(lifted + lines[first:], cols, g, by_order, stats)
    grid = header + body
    # drop columns that stayed empty everywhere
    keep = [k for k in range(len(cols)) if any(r[k] for r in grid)]
    grid = [[r[k] for k in keep] for r in grid]
    if len(keep) < 2 or len(grid) < 1:
        return None
    return grid


# ----------------------------------------------------------------------------- paragraphs

def paragraphs(lines: list[Line], g: Geometry) -> list[tuple[float, list[str], bool, bool]]:
    """Prose lines joined into paragraphs: (top, lines, first line indented, last line full).

    A paragraph starts at an indented line, after a short line, after a gap, or when the font
    size changes; a centred line right after a full line of the same size continues it (a title
    wrapped over two lines)."""
    out: list[tuple[float, list[str], bool, bool]] = []
    prev: Line | None = None
    for ln in lines:
        text = ln.text
        indent = ln.x0 - g.left
        full = g.right - ln.x1 <= 1.5 * g.em
        centred = indent > 2.5 * g.em and abs(indent - (g.right - ln.x1)) <= 2 * g.em
        cont = False
        if prev is not None and out:
            prev_full = g.right - prev.x1 <= 1.5 * g.em
            same_size = abs(ln.size - prev.size) <= 0.5
            close = ln.top - prev.bottom <= 1.2 * g.lh
            cont = close and same_size and prev_full and (indent <= 0.8 * g.em or centred)
        if cont:
            out[-1][1].append(text)
            out[-1] = (out[-1][0], out[-1][1], out[-1][2], full)
        else:
            out.append((ln.top, [text], indent > 0.8 * g.em, full))
        prev = ln
    return out


def layout_blocks(lines: list[Line], g: Geometry, where: str, table_no: list[int],
                  where_line: bool = False, prose_lines: list[Line] | None = None,
                  prose_g: Geometry | None = None, stats: dict | None = None) -> list[Placed]:
    """Lines of one page (or text chunk) → paragraphs and tables in reading order.

    `prose_lines`/`prose_g` measure the same lines for paragraph breaks when the table metric is
    not the physical one (pdftotext text: one character per column, whatever its width)."""
    regions = find_regions(lines, g)
    plines = prose_lines if prose_lines is not None else lines
    pg = prose_g if prose_g is not None else g
    out: list[Placed] = []
    pos = 0

    def prose(a: int, b: int) -> None:
        for top, texts, indented, full in paragraphs(plines[a:b], pg):
            w = where
            if where_line:
                no = next((ln.no for ln in plines[a:b] if ln.top == top), 0)
                w = f"第{no}行"
            out.append(Placed(top, Para(join_pieces(texts), w), indented, full))

    for a, b in regions:
        grid = build_table(lines[a:b], g, stats)
        if grid is None:
            continue
        prose(pos, a)
        table_no[0] += 1
        w = f"{where} 表{table_no[0]}" if not where_line else f"第{lines[a].no}行 表{table_no[0]}"
        out.append(Placed(lines[a].top, Table(grid, w)))
        pos = b
    prose(pos, len(lines))
    return out


def geometry(lines: list[Line], default_em: float, default_lh: float) -> Geometry:
    if not lines:
        return Geometry(default_em, default_lh, 0.0, 1.0)
    hs = [ln.bottom - ln.top for ln in lines if ln.bottom > ln.top]
    lh = median(hs) if hs else default_lh
    sizes = [ln.size for ln in lines if ln.size > 0]
    em = median(sizes) if sizes else default_em
    left = min(ln.x0 for ln in lines)
    # the right margin of the text block: a high quantile, so one overlong line does not move it
    ends = sorted(ln.x1 for ln in lines)
    right = ends[int(0.9 * (len(ends) - 1))]
    return Geometry(em, lh, left, right)


@dataclass
class Run:
    """One page's worth of placed blocks, for stitching across pages."""

    blocks: list[Placed] = field(default_factory=list)


def is_page_mark(text: str) -> bool:
    return bool(PAGE_MARK_RE.match(text))


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def stitch(pages: list[list[Placed]]) -> list[Block]:
    """Pages → one block list: a table continued on the next page becomes one table with a
    repeated header dropped; a paragraph cut by the page break is rejoined.

    A table at the top of a page continues the table at the bottom of the previous page when its
    columns line up with it and it either repeats that table's header or starts straight with a
    row of numbers — a table that starts with a header of its own (a new caption) is a new table.
    Columns line up: for ruled tables, the column borders of both parts fall on one common set
    of borders (a part whose merged label cells hide a border is spread over it); otherwise the
    continuation has no more columns, its value columns taken as the rightmost ones."""
    out: list[Placed] = []
    for blocks in pages:
        blocks = _drop_repeated_lead(blocks, out)
        for i, p in enumerate(blocks):
            if i == 0 and out:
                last = out[-1]
                if isinstance(p.block, Table) and isinstance(last.block, Table) and _merge_tables(last, p):
                    continue
                if isinstance(p.block, Para) and isinstance(last.block, Para) and not p.indented \
                        and last.line_end_full and not re.search(r"[。！？!?：:；;]$", last.block.text):
                    last.block.text = join_pieces([last.block.text, p.block.text])
                    last.line_end_full = p.line_end_full
                    continue
            out.append(p)
    return [p.block for p in out]


def _drop_repeated_lead(blocks: list[Placed], out: list[Placed]) -> list[Placed]:
    """A page that opens with the lines standing right above the table the previous page
    ended with (a repeated caption or corner text that came out as paragraphs) before a table:
    those lines are the repeated header — leave them out so the table can continue."""
    j = next((k for k, p in enumerate(blocks) if isinstance(p.block, Table)), None)
    if not j or not out or not isinstance(out[-1].block, Table):
        return blocks
    k = len(out) - 2
    while k >= 0 and isinstance(out[k].block, Table) and out[k].block is out[-1].block:
        k -= 1
    before = {_norm(p.block.text) for p in out[max(0, k - 3):k + 1] if isinstance(p.block, Para)}
    if all(isinstance(p.block, Para) and _norm(p.block.text) in before for p in blocks[:j]):
        return blocks[j:]
    return blocks


def _spread(t: Table, xs: list[float], union: list[float]) -> Table:
    """A ruled table's grid over a finer set of column borders (text repeated over the columns a
    cell now covers, as for any merged cell)."""
    def idx(x: float) -> int:
        return min(range(len(union)), key=lambda k: abs(union[k] - x))
    cover = [(idx(xs[j]), idx(xs[j + 1])) for j in range(len(xs) - 1)]
    width = len(union) - 1
    rows = []
    for r in t.rows:
        row = [""] * width
        for j, (a, b) in enumerate(cover):
            for k in range(a, b):
                row[k] = r[j] if j < len(r) else ""
        rows.append(row)
    spans = []
    for r0, c0, rs, cs in t.spans:
        a, b = cover[c0][0], cover[min(c0 + cs - 1, len(cover) - 1)][1]
        spans.append((r0, a, rs, b - a))
    for j, (a, b) in enumerate(cover):
        if b - a > 1:
            for ri in range(len(t.rows)):
                if not any(s[0] <= ri < s[0] + s[2] and s[1] <= a < s[1] + s[3] for s in spans):
                    spans.append((ri, a, 1, b - a))
    return Table(rows, t.where, spans)


def _merge_tables(last: Placed, p: Placed) -> bool:
    first, more = last.block, p.block
    assert isinstance(first, Table) and isinstance(more, Table)
    if last.xs and p.xs:
        if abs(last.xs[0] - p.xs[0]) > 3 or abs(last.xs[-1] - p.xs[-1]) > 3:
            return False
        union: list[float] = []
        for x in sorted(last.xs + p.xs):
            if not union or x - union[-1] > 3:
                union.append(x)
        first2, more2 = _spread(first, last.xs, union), _spread(more, p.xs, union)
    else:
        # no borders: the value columns are the rightmost ones; the part with fewer label
        # columns gets empty ones on the left
        if not _repeated_header(first, more) and _value_columns(more) != _value_columns(first):
            # without a header to go by, a part whose numbers fill fewer columns (a column blank
            # on the whole page) cannot be lined up for sure: it stays a table of its own
            return False
        width = max(first.width, more.width)

        def pad(t: Table) -> Table:
            d = width - t.width
            return t if d == 0 else Table([[""] * d + r for r in t.rows], t.where,
                                          [(r, c + d, rs, cs) for r, c, rs, cs in t.spans])
        first2, more2 = pad(first), pad(more)
        union = []
    if not _continues(first2, more2):
        return False
    first.rows, first.spans = first2.rows, first2.spans
    if union:
        last.xs = union
    _append_rows(first, more2)
    return True


def _value_columns(t: Table) -> int:
    return sum(1 for c in range(t.width) if any(is_value(r[c]) for r in t.rows))


def _continues(first: Table, more: Table) -> bool:
    if more.width > first.width or not more.rows:
        return False
    if _repeated_header(first, more):
        return True
    return any(is_value(c) for c in more.rows[0])


def _header_rows_of(t: Table) -> list[list[str]]:
    out = []
    for r in t.rows:
        if any(is_value(c) for c in r):
            break
        out.append(r)
    return out


def _repeated_header(first: Table, more: Table) -> int:
    """How many leading rows of `more` repeat the header of `first` (0 when none): the same rows,
    or — laid out differently on the new page — the same characters."""
    hf, hm = _header_rows_of(first), _header_rows_of(more)
    if hm and hf:
        def chars(rows: list[list[str]]) -> list[str]:
            seen: list[str] = []
            for r in rows:          # a merged cell repeated over its span counts once
                for c in dict.fromkeys(r):
                    seen.extend(_norm(c))
            return sorted(seen)
        if chars(hf) == chars(hm):
            return len(hm)
    k = 0
    while k < len(more.rows) and k < len(first.rows) and [_norm(c) for c in more.rows[k]] == [_norm(c) for c in first.rows[k]]:
        k += 1
    return k


def _append_rows(first: Table, more: Table) -> None:
    """Append a continuation's rows (same width), dropping the header rows it repeats; a label
    cell merged down over the last rows before the page break carries on into the new part."""
    k = _repeated_header(first, more)
    base = len(first.rows)
    carry = {}
    for r, c, rs, cs in first.spans:
        if r + rs == base and rs > 1:
            for cc in range(c, c + cs):
                carry[cc] = first.rows[-1][cc]
    for row in more.rows[k:]:
        first.rows.append(list(row))
    for r, c, rs, cs in more.spans:
        if r >= k:
            first.spans.append((r - k + base, c, rs, cs))
            if r == k and rs > 1:
                for cc in range(c, c + cs):
                    if cc in carry and not first.rows[base][cc]:
                        for rr in range(base, base + rs):
                            first.rows[rr][cc] = carry[cc]
