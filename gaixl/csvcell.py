"""CSV cells that a spreadsheet opens as text, never as a formula (CSV formula injection).

Excel, WPS and LibreOffice run a CSV cell that begins with = + - @ (and, after a leading tab
or carriage return, the same) as a formula: a roster name `=HYPERLINK("http://…")` or
`+cmd|' /C calc'!A0` would become a live link or a DDE call in the office's spreadsheet.
OWASP's rule: a text cell beginning with one of = + - @ TAB CR gets a leading apostrophe
(shown by none of them, read as "text"). Numbers stay numbers: only text is changed.
The full-width forms ＝ ＋ － ＠ count too: Excel with a Chinese or Japanese input method
turns them into = + - @ as it reads a cell.
"""
from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def defuse(v):
    """A CSV cell value: text beginning with a formula trigger gets a leading ' ; numbers,
    None and other text are returned as they are."""
    if isinstance(v, str) and v.startswith(_TRIGGERS):
        return "'" + v
    return v


def field(v) -> str:
    """One CSV field as csv.writer (QUOTE_MINIMAL) writes it, defused."""
    s = "" if v is None else str(defuse(v) if isinstance(v, str) else v)
    return '"' + s.replace('"', '""') + '"' if any(ch in s for ch in ',"\r\n') else s
