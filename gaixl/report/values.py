"""One cell as a department typed it → a number, and what (if anything) was wrong with it.

`parse_cell(raw, kind)` returns (value, problem). `raw` is what the workbook holds: an int or
float, a str (text, also numbers typed as text), a bool, an XlError, or None. `kind` is the
layout's Column.kind:
    count   whole number ≥ 0 (件/个)
    signed  whole number, sign allowed: 本年增/减 (“减5” → −5, “增3”/“+3” → 3)
    amount  万元 amount, ≥ 0, up to 2 decimals (“2400元” → 0.24 with a warning)
    money   元 amount, ≥ 0, up to 2 decimals (“53.29万元” → 532900 with a warning)
`problem` is None or Problem(code, severity, message, message_en); the messages say what
was found and how it was read, without the location (the reader prefixes sheet!cell).
Blank → (None, None): whether a blank is acceptable is the validator's business.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple


class XlError(str):
    """A cell holding an Excel error value such as #VALUE! (kept apart from typed text)."""


class Problem(NamedTuple):
    code: str
    severity: str
    message: str        # Chinese, official tone
    message_en: str


DASHES = {"-", "—", "——", "–", "－", "―", "─", "/", "／", "\\", "无", "nil", "N/A", "n/a", "NA"}
_SPACES = " \t\r\n\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_SIGN_WORDS = (("增加", 1), ("减少", -1), ("增", 1), ("减", -1), ("+", 1), ("-", -1))
_COUNT_UNITS = ("件", "个", "项", "次", "人", "条")
KINDS = ("count", "signed", "amount", "money")


def _show(raw) -> str:
    return raw if isinstance(raw, str) else repr(raw)


def _num(d: Decimal) -> int | float:
    """A Decimal as the plain Python number the data file holds (integral → int)."""
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def _as_decimal(v: int | float) -> Decimal:
    # Excel stores typed 1.005 as 1.0049999999999999: 10 decimals is far below any real
    # amount's precision and above float noise.
    return Decimal(repr(v)) if isinstance(v, int) else Decimal(repr(round(v, 10)))


def _decimals(d: Decimal) -> int:
    d = d.normalize()
    return max(0, -d.as_tuple().exponent)


def _prob(code: str, severity: str, zh: str, en: str) -> Problem:
    return Problem(code, severity, zh, en)


def _check_kind(d: Decimal, kind: str, shown: str) -> Problem | None:
    """Kind rules on a number already read: integers for counts, ≥ 0, 2 decimals for amounts."""
    if kind in ("count", "signed") and d != d.to_integral_value():
        return _prob("cell-not-integer", "error", f"“{shown}”不是整数，本栏应填写整数",
                     f"{shown!r} is not a whole number; this cell takes whole numbers")
    if kind != "signed" and d < 0:
        what = "件数" if kind == "count" else "金额"
        return _prob("cell-negative", "error", f"“{shown}”为负数，{what}不应小于0",
                     f"{shown!r} is negative; this cell cannot be below 0")
    if kind in ("amount", "money") and _decimals(d) > 2:
        return _prob("cell-amount-precision", "warning", f"“{shown}”超过两位小数，金额一般保留两位小数",
                     f"{shown!r} has more than 2 decimals")
    return None


def parse_cell(raw, kind: str = "count") -> tuple[int | float | None, Problem | None]:
    """(value, problem) of one input cell; see the module docstring."""
    if raw is None:
        return None, None
    if isinstance(raw, XlError):
        return None, _prob("cell-not-number", "error", f"单元格为错误值“{raw}”，无法读取为数字",
                           f"the cell holds the error value {raw}")
    if isinstance(raw, bool):
        return None, _prob("cell-not-number", "error", f"“{'TRUE' if raw else 'FALSE'}”不是数字",
                           f"{raw!r} is not a number")
    if type(raw) is int and (raw >= 0 or kind == "signed"):
        return raw, None                      # the common case, without Decimal
    if isinstance(raw, (int, float)):
        if raw != raw or raw in (float("inf"), float("-inf")):
            return None, _prob("cell-not-number", "error", "单元格数值无效", "the cell holds an invalid number")
        d = _as_decimal(raw)
        return _num(d), _check_kind(d, kind, _fmt(d))
    if isinstance(raw, (dt.date, dt.datetime, dt.time)):
        return None, _prob("cell-not-number", "error", f"单元格为日期“{raw}”，不是数字",
                           f"the cell holds a date ({raw}), not a number")
    return _parse_text(str(raw), kind)


def _fmt(d: Decimal) -> str:
    return format(d.normalize(), "f") if d != 0 else "0"


def _parse_text(raw: str, kind: str) -> tuple[int | float | None, Problem | None]:
    text = raw.strip(_SPACES)
    if not text:
        return None, None
    if text in DASHES:
        return 0, _prob("cell-dash", "warning", f"填写了“{text}”，已按0读取；没有发生的请直接填写0",
                        f"{text!r} was read as 0; please type 0")
    # Full-width digits, signs and points (“３”, “－５”, “１．５”) as typed with a Chinese IME.
    norm = unicodedata.normalize("NFKC", text).replace(" ", "")
    fullwidth = norm != text.replace(" ", "") and any("\uff10" <= ch <= "\uff19" for ch in text)
    # A sign word (增/减/增加/减少/+/-) in front of the number.
    sign, signed_word = 1, False
    for word, s in _SIGN_WORDS:
        if norm.startswith(word) and len(norm) > len(word):
            sign, signed_word, norm = s, True, norm[len(word):]
            break
    unit_note = None
    scale = Decimal(1)
    if kind in ("amount", "money"):
        if norm.endswith("万元"):
            norm, unit_note = norm[:-2], "万元"
            scale = Decimal(1) if kind == "amount" else Decimal(10000)
        elif norm.endswith("元"):
            norm, unit_note = norm[:-1], "元"
            scale = Decimal("0.0001") if kind == "amount" else Decimal(1)
    elif norm.endswith(_COUNT_UNITS):
        norm, unit_note = norm[:-1], norm[-1]
    if _THOUSANDS.fullmatch(norm):
        norm = norm.replace(",", "")
    if not _NUMBER.fullmatch(norm):
        return None, _prob("cell-not-number", "error", f"“{text}”不是数字，请填写阿拉伯数字",
                           f"{text!r} is not a number; please type digits")
    try:
        d = Decimal(norm) * scale * sign
    except InvalidOperation:  # pragma: no cover - the regex above admits only valid numbers
        return None, _prob("cell-not-number", "error", f"“{text}”不是数字", f"{text!r} is not a number")
    if d == 0:
        d = Decimal(0)  # no "-0"
    value = _num(d)
    bad = _check_kind(d, kind, text)
    if bad:
        return value, bad
    if unit_note in ("万元", "元"):
        target = "万元" if kind == "amount" else "元"
        if unit_note == target:
            return value, _prob("cell-money-unit", "warning", f"“{text}”含有单位，已按{_fmt(d)}{target}读取；本栏请只填写数字",
                                f"{text!r} includes a unit; read as {_fmt(d)} ({target})")
        return value, _prob("cell-money-unit", "warning", f"“{text}”以{unit_note}填写，本栏单位为{target}，已换算为{_fmt(d)}",
                            f"{text!r} is in {unit_note}; this cell is in {target}, converted to {_fmt(d)}")
    if kind == "signed" and signed_word and not fullwidth:
        return value, None      # “减5”, “+3”: the way 本年增/减 is usually written
    if fullwidth:
        return value, _prob("cell-fullwidth-number", "warning", f"“{text}”为全角字符，已按{_fmt(d)}读取；请使用半角数字",
                            f"{text!r} uses full-width characters; read as {_fmt(d)}")
    return value, _prob("cell-text-number", "warning", f"“{raw}”以文本形式填写，已按{_fmt(d)}读取；请填写数值",
                        f"{raw!r} is a number stored as text; read as {_fmt(d)}")


def format_signed(v: int) -> str:
    """How 本年增/减 is usually written: 增3 / 减5 / 0."""
    return "0" if v == 0 else (f"增{v}" if v > 0 else f"减{-v}")


# ---------------------------------------------------------------- dates
_DATE = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_EPOCH = dt.date(1899, 12, 30)
_EPOCH_1904 = dt.date(1904, 1, 1)


def parse_date(raw, date1904: bool = False) -> str | None:
    """A report date as 'YYYY-MM-DD': an Excel serial number, a date object, or text such as
    '2021年1月11日', '2021-01-11', '2021.1.11', '2021/1/11', '20210111'. None if unreadable."""
    if raw is None or isinstance(raw, (bool, XlError)):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, (int, float)):
        if not 1 <= raw < 2958466:       # Excel's own range: 1900-01-01 .. 9999-12-31
            return None
        return ((_EPOCH_1904 if date1904 else _EPOCH) + dt.timedelta(days=int(raw))).isoformat()
    text = unicodedata.normalize("NFKC", str(raw)).strip(_SPACES)
    if len(text) > 10 and text[10:11] in ("T", " ") and text[4:5] == "-":
        text = text[:10]                       # an ISO date-time (t="d" cells, pasted timestamps)
    m = _DATE.fullmatch(text) or _DATE_COMPACT.fullmatch(text)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def text_of(raw) -> str:
    """A cell as text for 基本信息 and narrative: numbers without a spurious '.0'."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


# ---------------------------------------------------------------- labels
# Variants met in real reports (spec/real-world-variations.md) mapped to the official text;
# applied after normalisation, so keys are in normalised form.
_LABEL_FIXES = (("只计这一情况", "只计这一情形"), ("三类内容事务信息", "三类内部事务信息"), ("逻辑关系", "勾稽关系"))
_LABEL_ALIASES = {"采购项目数": "采购项目数量", "单位名称": "填报单位", "报送单位": "填报单位", "填报年度": "报告年度"}
_NUMBERING = re.compile(r"^(\d+)[、.，,]")
_TRAILING_NOTE = re.compile(r"（[^（）]*）$")


@lru_cache(maxsize=8192)
def norm_label(text) -> str:
    """A label as compared when reading by labels: full-width forms folded (NFKC), all spaces
    and line breaks removed, half-width () , : back to the official full-width （）， ：,
    quotes dropped, '1、'/'1．' → '1.', and known variants mapped to the official wording."""
    s = unicodedata.normalize("NFKC", text_of(text))
    s = "".join(s.split())
    s = s.replace("(", "（").replace(")", "）").replace(",", "，").replace(":", "：")
    s = _NUMBERING.sub(r"\1.", s)
    for q in "“”\"'‘’「」":
        s = s.replace(q, "")
    for bad, good in _LABEL_FIXES:
        s = s.replace(bad, good)
    return _LABEL_ALIASES.get(s, s)


def loose_label(norm: str) -> str:
    """A normalised label without a trailing parenthetical note: 本年收费金额（单位：万元） →
    本年收费金额, 现行有效件数（历史累计） → 现行有效件数 (weaker match, used second)."""
    return _TRAILING_NOTE.sub("", norm) or norm


# Text that Excel and LibreOffice themselves convert when a formula adds it ("3", " 3 ",
# "-3", "3.5", "1e3", "1,000"). Anything else typed into a template's number cell ("减3",
# "３", "3件", "—", "无") makes the template's totals #VALUE! and its checks ✗.
_SHEET_NUMBER = re.compile(r"^[ \t]*[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?[ \t]*$")


# What a paragraph may hold and still count as empty: the characters the template's check
# formula removes before TRIM (gaixl.workbook.grid.text_condition), so both agree.
PARAGRAPH_BLANKS = " \t\r\n\u3000"


def has_text(paragraph) -> bool:
    """Whether a narrative paragraph says anything (the template's 至少填写一段 check agrees)."""
    return bool(paragraph) and bool(str(paragraph).strip(PARAGRAPH_BLANKS))


def spreadsheet_number(raw) -> bool:
    """Whether a spreadsheet's own arithmetic can use this cell value."""
    if raw is None or isinstance(raw, bool):
        return raw is None
    if isinstance(raw, (int, float)):
        return True
    s = str(raw)
    return any("0" <= ch <= "9" for ch in s) and bool(_SHEET_NUMBER.match(s))
