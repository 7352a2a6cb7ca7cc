"""The contract between the generated workbook and the reader.

Every input range and table has a workbook-level defined name, so reading survives a user
who unprotects a sheet and inserts rows; the metadata lives on a very hidden sheet.
Nothing else in gaixl invents these strings.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache

META_SHEET = "_gaixl"
INFO_SHEET = "基本信息"
GUIDE_SHEET = "填报说明"
CHECK_SHEET = "校验"

ERROR_COUNT = "GAIXL_ERROR_COUNT"      # one cell: number of failing error-level checks
META = "GAIXL_META"                    # the key/value block on the meta sheet (2 columns)
CHECKS = "GAIXL_CHECKS"                # 校验 sheet: the block of check rows (see CHECK_COLUMNS)
DEFAULT_PASSWORD = "gaixl"

# Columns of the 校验 sheet block named CHECKS, in order.
CHECK_COLUMNS = ["序号", "规则", "级别", "位置", "说明", "结果", "计数"]

# 基本信息: (field key, label, locked?). Locked fields are pre-filled by the generator.
INFO_FIELDS = [
    ("unit", "填报单位", True),
    ("code", "单位代码", True),
    ("year", "报告年度", True),
    ("contact", "联系人", False),
    ("phone", "联系电话", False),
    ("email", "电子邮箱", False),
    ("address", "通讯地址", False),
    ("postcode", "邮政编码", False),
    ("url", "报告电子版网址", False),
    ("date", "报告日期", False),
]

# Keys on the meta sheet, in order. `fingerprint` is computed from the others.
META_KEYS = ["generator", "gaixl_version", "layout", "layout_version", "layout_digest", "unit_code", "unit_name",
             "year", "template_id", "generated_at", "fingerprint"]


@lru_cache(maxsize=4096)
def _part(key: str) -> str:
    # Keys of the layouts only (a bounded set), asked for on every file read.
    return re.sub(r"[^A-Za-z0-9_]", "_", key).upper()


def row_name(table: str, row: str) -> str:
    """The data cells of one table row, left to right (spanned columns count their span)."""
    return f"GAIXL_{_part(table)}_{_part(row)}"


def table_name(table: str) -> str:
    """The whole table, header rows included."""
    return f"GAIXL_TABLE_{_part(table)}"


def text_name(section: str) -> str:
    """The one-paragraph-per-cell input column of a narrative section."""
    return f"GAIXL_TEXT_{_part(section)}"


def info_name(field: str) -> str:
    return f"GAIXL_INFO_{_part(field)}"


def check_name(table: str) -> str:
    """The ✓/✗ row (or column) of checks beside a table."""
    return f"GAIXL_CHECK_{_part(table)}"


def sheet_check_name(code: str, subject: str) -> str:
    """The ✓/✗ cell beside a table, a narrative section or a field of a check that is not a
    layout rule (grid.SheetCheck): GAIXL_CELL_NOT_NUMBER_T3, GAIXL_TEXT_EMPTY_S1, …"""
    return f"GAIXL_{_part(code)}_{_part(subject)}"


def fingerprint(meta: dict) -> str:
    """A digest over the metadata, so a reader can tell an altered meta sheet."""
    payload = "\x1f".join(str(meta.get(k, "")) for k in META_KEYS if k != "fingerprint")
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", *(f"COM{i}" for i in "123456789¹²³"),
             *(f"LPT{i}" for i in "123456789¹²³")}


def safe_filename(stem: str, suffix: str = ".xlsx", limit: int = 120) -> str:
    """A file name that Windows accepts: no reserved characters or names, no trailing dot/space."""
    s = _BAD.sub("_", stem).strip().rstrip(". ")
    s = s[:limit].rstrip(". ") or "unit"
    if s[:1] in ("-", "+"):                # never read as an option by a shell command
        s = "_" + s[1:]
    if s.split(".")[0].rstrip(" ").upper() in _RESERVED:
        s = "_" + s
    return s + suffix


def template_filename(code: str, name: str, year: int) -> str:
    return safe_filename(f"{code}-{name}-{year}" if code else f"{name}-{year}")
