"""Numbers as published: `0`, blank, `-`, `—`, `/`, `无`, `减4`, `+3`, `251000元`, `1,234`, `３`.

Two questions are asked of a cell of a published table: is it a value at all (as opposed to a
label), and which number does it hold for the cell kind it is placed in. The second reuses
gaixl.report.values.parse_cell (the rules by which a typed workbook cell is read), except that text is
the normal form of a published number and is therefore not a problem in itself.
"""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from gaixl.report.values import DASHES, parse_cell

_SPACES = " \t\r\n\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff"
_VALUE = re.compile(r"^(?:增加|减少|增|减|[+-])?\s*(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?\s*(?:万元|元|件|个|项|次|条|人)?$")
_DIGITS_APART = re.compile(r"\d[\s\u3000]+\d")
_DASHES_N = {unicodedata.normalize("NFKC", d) for d in DASHES} | {"--", "———", "……", "…", "0.00"}
# Problems of parse_cell that are worth saying about a published number; the others ("typed as
# text", "full-width digits") describe every published number and would only be noise.
_KEEP = {"cell-not-integer", "cell-negative", "cell-amount-precision", "cell-money-unit"}


class Note(NamedTuple):
    code: str
    severity: str
    message: str
    message_en: str


def clean(text: str) -> str:
    # Traditional 減/無 (mirrors convert pages) read as 减/无
    s = unicodedata.normalize("NFKC", text or "").strip(_SPACES)
    return s.replace("減", "减").replace("無", "无").replace("増", "增")


def is_blank(text: str) -> bool:
    return not clean(text).strip("|")


def is_value(text: str) -> bool:
    """Whether a cell holds a value (a number or a dash meaning none), not a label."""
    s = clean(text)
    if not s:
        return False
    if s in _DASHES_N:
        return True
    if len(s) > 24 or not any(ch.isdigit() for ch in s):
        return False
    if _DIGITS_APART.search(s):
        return False            # “8  3  15”: several numbers run into one cell, not the number 8315
    return bool(_VALUE.match(s.replace(" ", "")))


def read_value(text: str, kind: str) -> tuple[int | float | None, Note | None]:
    """(value, note) of a published cell for a column of `kind` (count/signed/amount/money)."""
    s = clean(text)
    if not s:
        return None, None
    if s in _DASHES_N and s != "0.00":
        shown = (text or "").strip()
        return 0, Note("import-dash", "info", f"原文为“{shown}”，按0记录", f"published as {shown!r}, recorded as 0")
    try:
        value, problem = parse_cell(s, kind)
    except Exception:  # parse_cell is total on text; never let one cell stop an import
        return None, Note("import-unreadable-value", "warning", f"“{s}”无法识别为数字", f"{s!r} is not a number")
    if value is None:
        msg = problem.message if problem else f"“{s}”无法识别为数字"
        return None, Note("import-unreadable-value", "warning", msg, problem.message_en if problem else s)
    if problem is not None and problem.code in _KEEP:
        sev = "info" if problem.code == "cell-money-unit" else problem.severity
        return value, Note(problem.code, sev, problem.message, problem.message_en)
    return value, None
