"""Glued rows: the digits of a row's cells run together (`一、本年新收政府信息公开申请数量21710000218`).

Some portals' plain-text copies drop every separator between a row's cells. The digits alone do
not say where one number ends: 21710000218 is 217|1|0|0|0|0|218, but could as well be 2|17|…
What can be known is which splits into the row's column count are possible (no number but 0
starts with 0) and which of them satisfy the row's own total rules (三: 总计 = the six applicant
columns; 四: each 总计 = its four results). A row is placed only when exactly one split fits;
otherwise it is not placed, with the reason. A published row whose total is wrong has no fitting
split and is therefore never placed from glued digits.
"""
from __future__ import annotations

import re

from gaixl.spec.model import Table

_SUM = re.compile(r"^\s*sum\(\s*(\w+)\s*\.\.\s*(\w+)\s*\)\s*$")
MAX_NODES = 200_000           # exploration budget: beyond it the row is said to be undecidable
MAX_DIGITS = 9                # no single published count in these tables has more digits
MAX_ALTERNATIVES = 40         # a row with more fitting splits than this is not tried against the table's rules


def total_groups(table: Table) -> list[tuple[list[int], int]]:
    """(item column indexes, total column index) of the table's row totals (computed sum(a..b))."""
    cols = table.data_columns
    index = {c.key: i for i, c in enumerate(cols)}
    out = []
    for i, c in enumerate(cols):
        m = _SUM.match(c.computed or "")
        if m and m.group(1) in index and m.group(2) in index:
            a, b = index[m.group(1)], index[m.group(2)]
            if a <= b < i:
                out.append((list(range(a, b + 1)), i))
    return out


def splits(digits: str, table: Table, limit: int = 2) -> tuple[list[list[str]], bool]:
    """Up to `limit` splits of `digits` into the table's columns that fit its row totals, and
    whether the search ended within its budget (False: too many possibilities to tell)."""
    at_total = {tot: items for items, tot in total_groups(table)}

    def fits(parts: list[str], i: int) -> bool:
        items = at_total.get(i)
        return items is None or int(parts[i]) == sum(int(parts[k]) for k in items)

    return _walk(digits, len(table.data_columns), limit, fits)


def _walk(digits: str, n: int, limit: int, fits=None) -> tuple[list[list[str]], bool]:
    """Up to `limit` splits of `digits` into n numbers (no number but 0 starting with 0, none
    longer than MAX_DIGITS) for which fits(parts, i) holds as each part i is placed; and whether
    the search ended within MAX_NODES."""
    found: list[list[str]] = []
    nodes = 0
    parts: list[str] = []

    def walk(pos: int) -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > MAX_NODES:
            return False
        i = len(parts)
        left_cols = n - i
        if left_cols == 0:
            if pos == len(digits):
                found.append(list(parts))
            return len(found) < limit
        remaining = len(digits) - pos
        if remaining < left_cols or remaining > left_cols * MAX_DIGITS:
            return True
        max_len = 1 if digits[pos] == "0" else min(MAX_DIGITS, remaining - (left_cols - 1))
        for ln in range(1, max_len + 1):
            parts.append(digits[pos:pos + ln])
            go = walk(pos + ln) if fits is None or fits(parts, i) else True
            parts.pop()
            if not go:
                return False
        return True

    walk(0)
    return found, nodes <= MAX_NODES


def _spans(digits: str, n: int) -> list[set[tuple[int, int]]]:
    """For each of the n columns, the (start, end) of every number some split of `digits` into n
    numbers puts there (no number but 0 starting with 0, none longer than MAX_DIGITS)."""
    size = len(digits)

    def valid(a: int, b: int) -> bool:
        return b - a <= MAX_DIGITS and (digits[a] != "0" or b - a == 1)

    # reach[k]: where the first k numbers can end; back[k]: from where numbers k..n-1 take the rest
    reach: list[set[int]] = [{0}] + [set() for _ in range(n)]
    for k in range(n):
        for a in reach[k]:
            for b in range(a + 1, min(size, a + MAX_DIGITS) + 1):
                if valid(a, b):
                    reach[k + 1].add(b)
    back: list[set[int]] = [set() for _ in range(n)] + [{size}]
    for k in range(n - 1, -1, -1):
        for b in back[k + 1]:
            for a in range(max(0, b - MAX_DIGITS), b):
                if valid(a, b):
                    back[k].add(a)
    return [{(a, b) for a in reach[k] & back[k] for b in reach[k + 1] & back[k + 1] if a < b and valid(a, b)}
            for k in range(n)]


def certain_parts(digits: str, n: int) -> list[str | None]:
    """For each of the n columns, the number it holds in every split of `digits` into n numbers,
    else None. A row whose every part is certain is read from the digits alone: no arithmetic."""
    out: list[str | None] = []
    for spans in _spans(digits, n):
        values = {digits[a:b] for a, b in spans}
        out.append(values.pop() if len(values) == 1 else None)
    return out


def possible_parts(digits: str, n: int, limit: int = 60) -> list[set[int] | None]:
    """For each of the n columns, every number some split of `digits` into n numbers puts there
    (None: more than `limit` of them, too many to tell anything by)."""
    out: list[set[int] | None] = []
    for spans in _spans(digits, n):
        values = {int(digits[a:b]) for a, b in spans}
        out.append(values if len(values) <= limit else None)
    return out


def digit_splits(digits: str, n: int, limit: int):
    """Every split of `digits` into n numbers (its totals not asked), up to `limit` of them;
    None when there are more."""
    found, complete = _walk(digits, n, limit + 1)
    return [[int(p) for p in f] for f in found] if complete and len(found) <= limit else None
