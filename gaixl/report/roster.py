"""The roster: which units get a template, and where it goes.

CSV saved by anything (UTF-8, UTF-8 with BOM, or GBK — what Excel on Chinese Windows writes
for "CSV") or an .xlsx (first sheet). Columns code, name, email and optional parent, in any
order; Chinese headers are accepted. Every error names the file and line.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

from gaixl.errors import InputError, RosterError
from gaixl.inputs import check_regular, read_input

# Accepted headers per field, compared after stripping and lower-casing.
HEADERS = {
    "code": ("code", "代码", "单位代码"),
    "name": ("name", "名称", "单位名称"),
    "email": ("email", "e-mail", "邮箱", "电子邮箱"),
    "parent": ("parent", "上级", "上级单位", "上级代码"),
}
REQUIRED = ("code", "name", "email")
MAX_ROSTER = 20 * 1024 * 1024        # a province has a few thousand units: about 1 MB


def read_roster(path) -> list[dict]:
    """Units as [{code, name, email, parent}] (all strings, parent "" when absent)."""
    p = Path(path)
    if not p.exists():
        raise RosterError("roster file not found", where=str(p), zh="名单文件不存在")
    try:
        check_regular(p)
    except InputError as e:
        raise RosterError(e.message, where=e.where, zh=e.message_zh) from None
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        lines = _xlsx_lines(p)
    else:
        lines = _csv_lines(p)
    return _units(p, lines)


def _decode(p: Path) -> str:
    try:
        raw = read_input(p, MAX_ROSTER)
    except InputError as e:
        raise RosterError(e.message, where=e.where, zh=e.message_zh) from None
    # utf-8-sig also reads plain UTF-8; gb18030 is a superset of GBK and GB2312.
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise RosterError("roster is neither UTF-8 nor GBK text; save it as CSV UTF-8 or as .xlsx", where=str(p),
                      zh="名单文件既不是UTF-8编码也不是GBK编码的文本，请另存为“CSV UTF-8”格式或.xlsx格式")


def _csv_lines(p: Path) -> list[tuple[int, list[str]]]:
    text = _decode(p)
    reader = csv.reader(io.StringIO(text, newline=""))
    out = []
    try:
        for row in reader:
            out.append((reader.line_num, row))
    except csv.Error as e:
        raise RosterError(f"not a readable CSV file: {e}", where=f"{p}:{reader.line_num}",
                          zh="CSV文件格式有误，无法读取") from e
    return out


def _cell(v) -> str:
    # Codes typed as numbers come back as floats from some writers: 331122.0 -> "331122".
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def _xlsx_lines(p: Path) -> list[tuple[int, list[str]]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a bad file
        raise RosterError(f"cannot open the roster workbook: {e}", where=str(p),
                          zh="无法打开名单工作簿，文件可能已损坏或不是.xlsx格式") from e
    try:
        ws = wb.worksheets[0]
        return [(i, [_cell(v) for v in row]) for i, row in enumerate(ws.iter_rows(values_only=True), 1)]
    finally:
        wb.close()


def _units(p: Path, lines: list[tuple[int, list[str]]]) -> list[dict]:
    lines = [(n, [c.strip() for c in row]) for n, row in lines]
    lines = [(n, row) for n, row in lines if any(row)]          # fully blank lines are skipped
    if not lines:
        raise RosterError("roster is empty", where=str(p), zh="名单文件为空")
    head_line, header = lines[0]
    col: dict[str, int] = {}
    for i, h in enumerate(header):
        key = h.strip().lower()
        for field, aliases in HEADERS.items():
            if key in aliases and field not in col:
                col[field] = i
    missing = [f for f in REQUIRED if f not in col]
    if missing:
        raise RosterError(f"roster lacks the column(s) {', '.join(missing)} (header found: {', '.join(header)}); "
                          f"expected code,name,email[,parent] or 单位代码,单位名称,电子邮箱[,上级]",
                          where=f"{p}:{head_line}",
                          zh=f"名单缺少{'、'.join(HEADERS[f][-1] for f in missing)}列"
                             f"（现有表头为“{'、'.join(header)}”）；"
                             "表头应为“单位代码,单位名称,电子邮箱”或“code,name,email”（“上级”或“parent”列可选）")
    units: list[dict] = []
    seen: dict[str, tuple[str, int]] = {}
    for n, row in lines[1:]:
        get = lambda f: row[col[f]] if f in col and col[f] < len(row) else ""  # noqa: E731
        unit = {"code": get("code"), "name": get("name"), "email": get("email"), "parent": get("parent")}
        where = f"{p}:{n}"
        if not unit["name"]:
            raise RosterError(f"unit {unit['code']!r} has an empty name", where=where,
                              zh=f"单位“{unit['code']}”的单位名称为空")
        if not unit["code"]:
            raise RosterError(f"unit {unit['name']!r} has an empty code", where=where,
                              zh=f"单位“{unit['name']}”的单位代码为空")
        # Codes that differ only in case or width (U01, u01, Ｕ01) name the same file on Windows
        # and macOS: one unit's template or report would overwrite the other's. Duplicates.
        key = unicodedata.normalize("NFKC", unit["code"]).strip().casefold()
        if key in seen:
            first, line = seen[key]
            same = "" if first == unit["code"] else f" (the same as {first!r} but for case or width)"
            same_zh = "" if first == unit["code"] else f"（与“{first}”仅大小写或全角半角不同）"
            raise RosterError(f"duplicate code {unit['code']!r}{same} (first on line {line})", where=where,
                              zh=f"单位代码“{unit['code']}”重复{same_zh}（首次出现在第{line}行）")
        _check_unit(unit, where)
        seen[key] = (unit["code"], n)
        units.append(unit)
    return units


# What no field of a roster may hold, for any command: control characters (a CR LF in a name
# or an email is a header injection in a mail, a broken line in a CSV, an unstampable cell in
# a template), line/paragraph separators, bidi overrides (a name that reads differently from
# what it is), zero-width characters (U+200B, U+2060, U+FEFF: 局 and 局\ufeff look alike),
# non-characters, and Excel's escape form _xHHHH_ (the cell would read back as a
# different name). Checked here, once, so generate, consolidate, distribute and feedback all
# accept exactly the same rosters, before any of them writes anything.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\u2028\u2029\ufeff"
                        r"\ufffe\uffff]"
                        r"|_x[0-9a-fA-F]{4}_")
_FIELDS_ZH = {"code": "单位代码", "name": "单位名称", "email": "电子邮箱", "parent": "上级"}
MAX_FIELD = 200


def _check_unit(unit: dict, where: str) -> None:
    for key in ("code", "name", "email", "parent"):
        v = unit[key]
        m = _FORBIDDEN.search(v)
        if m:
            what = repr(m[0])[1:-1]
            raise RosterError(f"the {key} {v!r} holds a control or invisible character ({what}); "
                              "retype it without line breaks or special characters", where=where,
                              zh=f"{_FIELDS_ZH[key]}“{v!r}”中含有控制字符或不可见字符（{what}），请删除换行等特殊字符后重新填写")
        if len(v) > MAX_FIELD:
            raise RosterError(f"the {key} is longer than {MAX_FIELD} characters", where=where,
                              zh=f"{_FIELDS_ZH[key]}超过{MAX_FIELD}个字符")
