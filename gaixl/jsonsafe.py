"""JSON from outside, read without surprises: no RecursionError, no int-limit ValueError.

`json.loads` raises RecursionError on input nested a few thousand deep, and ValueError
("Exceeds the limit (4300 digits)") on a long integer. Here both become JSONError (a
ValueError, so callers that treat any ValueError as "unreadable" keep working):
    - nesting deeper than MAX_DEPTH is refused before parsing (one linear scan, C speed);
    - an integer of more than 300 digits is read as a float (inf when larger than any
      double), so the field's own range check says what is wrong with it;
    - NaN / Infinity / -Infinity (not JSON, but Python's json writes and reads them) are refused.
"""
from __future__ import annotations

import json
import re

MAX_DEPTH = 64           # a data file is 4 deep; sidecars and state files 3


class JSONError(ValueError):
    """Text that is not JSON we read: `reason` (English) and `reason_zh` say why."""

    def __init__(self, reason: str, reason_zh: str):
        super().__init__(reason)
        self.reason, self.reason_zh = reason, reason_zh


def _big_int(s: str):
    return int(s) if len(s) <= 300 else float(s)


def _constant(s: str):
    raise JSONError(f"{s} is not a JSON number", f"“{s}”不是有效的JSON数值")


_OPEN_CLOSE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text` (strings skipped)."""
    deepest = level = 0
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0                               # cannot be too deep: skip the scan
    for m in _OPEN_CLOSE.finditer(text):
        ch = m[0]
        if ch in "[{":
            level += 1
            if level > deepest:
                deepest = level
        elif ch in "]}":
            level -= 1
    return deepest


def _no_duplicates(pairs: list) -> dict:
    """An object with one key twice ({"year": 0, "year": 2023}) means what the reader makes of
    it (Python: the last, others: the first): refused, like a zip holding a part twice."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set = set()
        key = ""
        for k, _v in pairs:
            if k in seen:
                key = k
                break
            seen.add(k)
        raise JSONError(f"the key {key!r} appears twice in one object", f"同一对象中“{key}”项出现了两次")
    return obj


def loads(text: str | bytes):
    """Parse JSON text. Raises JSONError (a ValueError) for anything that is not plain JSON
    within the limits; json.JSONDecodeError (also a ValueError) for a syntax error."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    elif text.startswith("\ufeff"):
        text = text[1:]
    if depth(text) > MAX_DEPTH:
        raise JSONError(f"nested more than {MAX_DEPTH} levels deep", f"嵌套层级超过{MAX_DEPTH}层")
    try:
        return json.loads(text, parse_int=_big_int, parse_constant=_constant, object_pairs_hook=_no_duplicates)
    except RecursionError:                    # pragma: no cover - refused by depth() above
        raise JSONError(f"nested more than {MAX_DEPTH} levels deep", f"嵌套层级超过{MAX_DEPTH}层") from None
