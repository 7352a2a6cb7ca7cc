"""Tables of `pdftotext -layout` text read row by row in the official order.

Real government PDFs made with Word or WPS come out of `pdftotext -layout` as anything but a
grid: the 三 table's header spread over several lines (`商业企` / `业`), a group label one
character per line down the left margin between data rows (`三、` … `本` … `年` …), sub-group
labels split (`（三）不` / `予公开`), long row labels wrapped with their numbers on the middle
line, the header repeated after every page break, page footers (`-4-`). Column positions drift
from line to line. The position engine (gaixl.importers.positions) cannot rebuild columns from
that; but two facts survive every such rendering:
- every data row prints its numbers on ONE line, in column order;
- the rows come in the official order, each row's label written around its numbers.
So, within a table's section: the lines that end in a run of numbers are the data rows. When
there are exactly as many such lines as the table has rows, and every row's own label (its
characters in order, whatever the line breaks and margin letters between them) stands in the
text between the neighbouring rows' numbers, line k is row k. When there are fewer (a row left
blank throughout prints no number at all), the lines are rows only when exactly one
order-keeping assignment fits every label and each full row's totals add up. A row whose numbers
are all there (as many as the table has columns) is then placed in order; a row showing fewer
numbers (blank cells, whose positions the text cannot show) is not placed. Anything less
certain places nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from gaixl.importers.glued import total_groups
from gaixl.importers.normalize import norm
from gaixl.importers.positions import is_page_mark
from gaixl.spec.model import Layout, Table

_VALUE = re.compile(r"^(?:[+\-－＋]?[0-9０-９]+(?:[.．][0-9０-９]+)?|[增减減][0-9０-９]+|[-—–－/／]|0\.00)$")
_HEADING = re.compile(r"^\s*([一二三四五六])\s*[、.．]")


@dataclass
class RowLine:
    no: int                  # line index in the text
    label: str               # the text left of the numbers on that line
    values: list[str]


@dataclass
class Read:
    """What the row-sequence reader found for one table: values by row key, and rows it saw but
    could not place (row key → reason)."""

    table: Table
    values: dict          # row key -> list of texts, column order
    partial: dict         # row key -> (values shown, reason)
    where: dict           # row key -> "第N行"
    # every line of numbers: (its values, the rows whose label stands around it, "第N行"); kept
    # when the rows cannot be told, to catch a row given another row's numbers (see merge)
    evidence: list = field(default_factory=list)


def _numbers_at_end(line: str) -> tuple[str, list[str]]:
    toks = line.split()
    k = len(toks)
    while k > 0 and _VALUE.match(toks[k - 1]):
        k -= 1
    label = " ".join(toks[:k])
    return label, toks[k:]


def _section_lines(lines: list[str], num: str) -> tuple[int, int] | None:
    """[start, end) of the lines of section `num` (三: from its heading to the next heading)."""
    order = "一二三四五六"
    start = None
    for i, ln in enumerate(lines):
        m = _HEADING.match(ln)
        if not m:
            continue
        if m.group(1) == num and start is None and len(ln.strip()) <= 40:
            start = i + 1
        elif start is not None and order.index(m.group(1)) > order.index(num) and len(ln.strip()) <= 40:
            return start, i
    return (start, len(lines)) if start is not None else None


def _flat(s: str) -> str:
    return norm(s)


def _subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(ch in it for ch in needle)


def _only_assignment(fits: list[list[bool]], m: int) -> list[int] | None:
    """The one strictly increasing assignment of candidates to rows that fits every label, or
    None when there is none or more than one (counted up to 2)."""
    k_n = len(fits)
    # ways[k][i]: number of fitting assignments of candidates k.. with candidate k on row i (capped at 2)
    ways = [[0] * m for _ in range(k_n)]
    for k in range(k_n - 1, -1, -1):
        for i in range(m):
            if not fits[k][i]:
                continue
            if k == k_n - 1:
                ways[k][i] = 1
            else:
                ways[k][i] = min(2, sum(ways[k + 1][j] for j in range(i + 1, m)))
    if sum(ways[0]) != 1:
        return None
    out, start = [], 0
    for k in range(k_n):
        i = next(i for i in range(start, m) if ways[k][i])
        out.append(i)
        start = i + 1
    return out


def _totals_hold(values: list[str], groups) -> bool:
    nums = []
    for v in values:
        try:
            nums.append(float(v.replace(",", "")))
        except ValueError:
            return False
    return all(abs(nums[t] - sum(nums[i] for i in items)) < 1e-9 for items, t in groups)


def _page_edges(text: str) -> dict[int, int]:
    """Line index → 1 for the first and last non-empty line of every page, 2 for the second and
    the last but one (where page numbers and footers stand); form feeds count as line breaks."""
    edges: dict[int, int] = {}
    base = 0
    for page in text.split("\f"):
        rows = page.split("\n")
        idx = [base + k for k, r in enumerate(rows) if r.strip()]
        for i in idx[1:2] + idx[-2:-1]:
            edges[i] = 2
        for i in idx[:1] + idx[-1:]:
            edges[i] = 1
        base += len(rows)
    return edges


def _page_mark(raw: str, i: int, edges: dict[int, int]) -> bool:
    """A page number or footer: `-4-`, `第4页` on a page's first/last two lines; a bare number
    only on its very first or last line (the last but one may be a table's value: `      20`)."""
    if i not in edges or not is_page_mark(raw):
        return False
    return edges[i] == 1 or not raw.strip().isdigit()


def _join_split_rows(cand: list[RowLine], lines: list[str], rows: list, n: int, groups) -> list[RowLine]:
    """One row's numbers printed over two lines. With numbers left-aligned beside a wrapped label,
    pdftotext may set the first number on the label line above the others:
        `理    当理由 13` / `大量反     1    15    11  18 17   75`
    Two neighbouring lines are one row only when all of this holds: neither shows a whole row,
    together they show exactly one; the first line's numbers stand left of the second's (they
    continue each other, column after column); the label pieces beside them, read on, are a part of
    exactly one row's label; and that row's total rules hold for the joined numbers."""
    if not groups:
        return cand
    flat_rows = [_flat(r.label or "") for r in rows]
    out: list[RowLine] = []
    k = 0
    while k < len(cand):
        a = cand[k]
        b = cand[k + 1] if k + 1 < len(cand) else None
        if (b is not None and b.no == a.no + 1 and len(a.values) < n and len(b.values) < n
                and len(a.values) + len(b.values) == n and _continues(lines[a.no], lines[b.no], len(a.values))):
            pa, pb = a.label.split(), b.label.split()
            piece = _flat(pa[-1] + pb[-1]) if pa and pb else ""
            owners = [i for i, fr in enumerate(flat_rows) if piece and piece in fr]
            joined = a.values + b.values
            if len(piece) >= 4 and len(owners) == 1 and _totals_hold(joined, groups):
                out.append(RowLine(b.no, f"{a.label} {b.label}", joined))
                k += 2
                continue
        out.append(a)
        k += 1
    return out


def _continues(upper: str, lower: str, n_upper: int) -> bool:
    """Whether the last `n_upper` numbers of `upper` end left of where the numbers of `lower` start."""
    up = list(re.finditer(r"\S+", upper))[-n_upper:]
    _label, vals = _numbers_at_end(lower)
    low = list(re.finditer(r"\S+", lower))[-len(vals):] if vals else []
    return bool(up and low) and up[-1].end() < low[0].start()


def read_table(lines: list[str], table: Table, span: tuple[int, int], edges: dict | None = None) -> Read | None:
    """The rows of `table` (a table with row labels) in lines [a, b) of pdftotext -layout text."""
    a, b = span
    rows = table.data_rows
    n = len(table.data_columns)
    cand: list[RowLine] = []
    for i in range(a, b):
        raw = lines[i]
        if not raw.strip() or _page_mark(raw, i, edges or {}):
            continue
        label, vals = _numbers_at_end(raw)
        if not vals:
            continue
        if not label and len(vals) == 1 and n > 1:
            continue                     # a lone number beside a wide table: a footnote mark, a page number
        cand.append(RowLine(i, label, vals))
    cand = _join_split_rows(cand, lines, rows, n, total_groups(table))
    if not cand:
        return None
    # whether row r's label stands between candidate k's neighbours' numbers (its own line included)
    fits = [[False] * len(rows) for _ in cand]
    for k, rl in enumerate(cand):
        lo = cand[k - 1].no + 1 if k else a
        hi = cand[k + 1].no if k + 1 < len(cand) else b
        hay = _flat("".join(rl.label if j == rl.no else lines[j] for j in range(lo, hi)))
        for i, r in enumerate(rows):
            fits[k][i] = _subsequence(_flat(r.label or ""), hay)
    evidence = [(tuple(rl.values), frozenset(rows[i].key for i in range(len(rows)) if fits[k][i]), f"第{rl.no + 1}行")
                for k, rl in enumerate(cand)]
    unsure = _by_own_label(table, cand, fits, lines, evidence)
    if len(cand) > len(rows):
        return unsure
    if len(cand) == len(rows):
        if not all(fits[k][k] for k in range(len(cand))):
            return unsure
        assign: list[int] | None = list(range(len(cand)))
    else:
        # rows without any number (every cell blank): the lines are rows in order only when
        # exactly one order-keeping assignment fits every label, and each full row's totals add up.
        # A label piece on the numbers' own line (1.属于国家秘密, 行政法规禁) names its row more
        # closely than the window does: rows whose label does not contain it are out.
        flat_rows = [_flat(r.label or "") for r in rows]
        for k, rl in enumerate(cand):
            toks = rl.label.split()
            piece = _flat(toks[-1]) if toks else ""
            if len(piece) >= 3:
                named = [piece in fr for fr in flat_rows]
                if any(named):
                    fits[k] = [f and nm for f, nm in zip(fits[k], named)]
        assign = _only_assignment(fits, len(rows))
        if assign is None:
            return unsure
        groups = total_groups(table)
        for k, i in enumerate(assign):
            if len(cand[k].values) == n and not _totals_hold(cand[k].values, groups):
                return unsure
    assert assign is not None
    pairs = [(rows[i], cand[k]) for k, i in enumerate(assign)]
    out = Read(table, {}, {}, {}, evidence)
    for r, rl in pairs:
        out.where[r.key] = f"第{rl.no + 1}行"
        if len(rl.values) == n:
            out.values[r.key] = rl.values
        else:
            out.partial[r.key] = rl.values
    return out


def _by_own_label(table: Table, cand: list[RowLine], fits: list[list[bool]], lines: list[str], evidence) -> Read:
    """When the lines cannot all be rows in order (a line lost or doubled, a label piece gone),
    a line is still a row's when it proves it on its own: a piece of that row's label stands on
    the numbers' line itself, the row's whole label stands around it (between the neighbouring
    lines of numbers) and no other row's does, it shows every number of the row and the row's
    total rules hold; no other line claims the row, and the rows so found keep the lines' order.
    A line lost next to it leaves its neighbours' windows ambiguous (two labels fit) or without
    a label piece of the lost row on their own line: those are not placed."""
    rows = table.data_rows
    n = len(table.data_columns)
    groups = total_groups(table)
    flat_rows = [_flat(r.label or "") for r in rows]
    claims: dict[int, list[int]] = {}
    for k, rl in enumerate(cand):
        toks = rl.label.split()
        piece = _flat(toks[-1]) if toks else ""
        if len(piece) < 2 or len(rl.values) != n or not _totals_hold(rl.values, groups):
            continue
        own = [i for i in range(len(rows)) if fits[k][i] and piece in flat_rows[i]]
        if len([i for i in range(len(rows)) if fits[k][i]]) == 1 and len(own) == 1:
            claims.setdefault(own[0], []).append(k)
    found = sorted((ks[0], i) for i, ks in claims.items() if len(ks) == 1)
    out = Read(table, {}, {}, {}, evidence)
    last = -1
    for k, i in found:
        if i <= last:                        # out of order with the rows before: nothing is proven
            return Read(table, {}, {}, {}, evidence)
        last = i
    for k, i in found:
        out.values[rows[i].key] = cand[k].values
        out.where[rows[i].key] = f"第{cand[k].no + 1}行"
    return out


def read_single_row(lines: list[str], table: Table, span: tuple[int, int]) -> Read | None:
    """A table of one unlabelled row (四): the one line of the section with all its numbers."""
    if len(table.data_rows) != 1:
        return None
    n = len(table.data_columns)
    hits = []
    for i in range(*span):
        label, vals = _numbers_at_end(lines[i])
        if len(vals) == n:
            hits.append((i, vals))
    if len(hits) != 1:
        return None
    r = table.data_rows[0]
    return Read(table, {r.key: hits[0][1]}, {}, {r.key: f"第{hits[0][0] + 1}行"})


_CAPTION = re.compile(r"^\s*第二十条第")


def _caption_spans(lines: list[str], span: tuple[int, int], count: int) -> list[tuple[int, int]] | None:
    """Section 二's tables, one per caption (第二十条第（一）项 …, however wrapped), in order."""
    a, b = span
    starts: list[int] = []
    seen: list = []
    for i in range(a, b):
        if not _CAPTION.match(lines[i]):
            continue
        text = lines[i]
        if "项" not in text:                   # 第二十条第 / （五）项: the caption wrapped
            text += next((ln for ln in lines[i + 1:b] if ln.strip()), "")
        key = _flat(text)
        if seen and seen[-1] == key:
            continue                           # the caption repeated after a page break: the same table
        starts.append(i)
        seen.append(key)
    if len(starts) != count:
        return None
    return [(st, starts[k + 1] if k + 1 < len(starts) else b) for k, st in enumerate(starts)]


def read_tables(text: str, layout: Layout) -> list[Read]:
    """Every table of the layout this reader can read whole from the text."""
    lines = text.replace("\f", "\n").split("\n")
    edges = _page_edges(text)
    out = []
    for s in layout.sections:
        if s.kind != "tables":
            continue
        span = _section_lines(lines, s.heading[0])
        if span is None:
            continue
        spans = [span] if len(s.tables) == 1 else _caption_spans(lines, span, len(s.tables))
        if spans is None:
            continue
        for key, sp in zip(s.tables, spans):
            t = layout.tables[key]
            got = read_table(lines, t, sp, edges) if t.label_columns else read_single_row(lines, t, sp)
            if got is not None:
                out.append(got)
    return out


def _veto_borrowed(mapped, rd: Read, Unplaced) -> None:
    """A row the position engine filled with numbers that stand in the text only on a line
    around which its label is not (and no line around its label has them): another row's
    numbers, taken when this row's own line was lost or is blank — not placed."""
    if not rd.evidence:
        return
    t = rd.table
    for r in t.data_rows:
        keys = [(t.key, r.key, c.key) for c in t.data_columns]
        got = [mapped.cells.get(k) for k in keys]
        if any(p is None or not p.text for p in got):
            continue
        texts = tuple(p.text.strip() for p in got)
        same = [e for e in rd.evidence if e[0] == texts]
        if not same or any(r.key in e[1] for e in same):
            continue
        for k, c in zip(keys, t.data_columns):
            del mapped.cells[k]
            rk, ck = t.data_key(r, c)
            mapped.unplaced.append(Unplaced(
                t.group, rk, ck, f"该行读到的数值（{'、'.join(texts)}）在原文{same[0][2]}，而该行的标签不在那里，"
                "可能是另一行的数值，未导入", f"the numbers read for this row ({', '.join(texts)}) stand on "
                f"{same[0][2]}, away from this row's label: probably another row's; not imported", where=same[0][2]))


def merge(mapped, reads: list[Read]) -> int:
    """Add what the row-sequence reader read to the mapper's result (gaixl.importers.mapper.Mapped):
    cells the mapper did not place are placed; a cell the two readings disagree on is not placed
    at all; blank cells of a row the text shows with fewer numbers become unknown. Returns the
    number of cells added."""
    from gaixl.importers.numbers import read_value
    from gaixl.importers.placing import Placed, Unplaced

    added = 0
    for rd in reads:
        t = rd.table
        _veto_borrowed(mapped, rd, Unplaced)
        for r in t.data_rows:
            if r.key not in rd.values and r.key not in rd.partial:
                continue
            mapped.rows_seen.add((t.key, r.key))
            where = rd.where.get(r.key, "")
            for i, c in enumerate(t.data_columns):
                key = (t.key, r.key, c.key)
                rk, ck = t.data_key(r, c)
                old = mapped.cells.get(key)
                if r.key in rd.partial:
                    if old is not None and old.value is None and not old.text:
                        del mapped.cells[key]
                        shown = "、".join(rd.partial[r.key])
                        mapped.unplaced.append(Unplaced(
                            t.group, rk, ck, f"原文该行只显示了{len(rd.partial[r.key])}个数值（{shown}），空白格的位置"
                            "在文本中无法确定，这一格未导入", f"the row shows {len(rd.partial[r.key])} values; where its "
                            "blank cells are cannot be told from the text; not imported", where=where))
                    continue
                text = rd.values[r.key][i]
                value, note = read_value(text, c.kind)
                if old is not None and old.value is None and not old.text:
                    # the row shows all its numbers, so it has no blank cell: a blank read by
                    # position is a number the positions put elsewhere
                    del mapped.cells[key]
                    old = None
                if old is not None:
                    if old.value != value:
                        del mapped.cells[key]
                        mapped.unplaced.append(Unplaced(
                            t.group, rk, ck, f"按列位置读为“{old.text}”，按行次序读为“{text}”，两种读法不一致，未导入",
                            f"read as {old.text!r} by position and {text!r} by row order; not imported",
                            value=text, where=where))
                    continue
                if any(u.table == t.group and u.row == rk and u.column == ck and "两种读法" in u.reason
                       for u in mapped.unplaced):
                    continue
                mapped.cells[key] = Placed(value=value, text=text, where=where, note=note)
                added += 1
                mapped.unplaced = [u for u in mapped.unplaced
                                   if not (u.table == t.group and u.row == rk and u.column in (ck, None)
                                           and "两种读法" not in u.reason)]
        # rows the position engine could not name (a label cut by a line break: 范性文) whose
        # numbers the row order placed: nothing is left unsaid, so they go
        read = {tuple(v) for v in rd.values.values()}
        keys = {t.data_key(r, t.data_columns[0])[0] for r in t.data_rows}
        mapped.unplaced = [u for u in mapped.unplaced if not (
            u.table == t.group and u.column is None and u.row not in keys and u.value
            and tuple(x for x in re.split(r"[、\s]+", u.value) if x) in read)]
    return added
