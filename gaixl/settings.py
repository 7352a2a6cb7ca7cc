"""The office's settings: a small `gaixl.toml` beside the roster (or in the current folder).

    [office]
    name = "青田县人民政府办公室"      # who signs letters and replies (else the roster's parent)
    county = "青田县"                  # the consolidating area, in titles (else the roster's parent)

    [consolidate]
    tz = "Asia/Shanghai"              # times shown to people (default Beijing time)
    history = "gaixl-history.sqlite"  # store accepted reports in this history database (relative to the file)
    password = "…"                    # sheet-protection password of the consolidated workbook

Every key is optional and a command-line option wins over the file. A missing file is no
settings; an unreadable one is a clear error naming it.
"""
from __future__ import annotations

from pathlib import Path

import tomllib

from gaixl.errors import InputError

NAME = "gaixl.toml"


def find(*folders) -> Path | None:
    for f in folders:
        if f is None:
            continue
        p = Path(f) / NAME
        if p.is_file():
            return p
    return None


def load(*folders) -> dict:
    """The settings found in the first of `folders` holding gaixl.toml ({} when none); relative
    paths in it are made relative to the file's folder. The file's path is under "_file"."""
    p = find(*folders)
    if p is None:
        return {}
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise InputError(f"cannot read the settings file: {e}", where=str(p),
                         zh=f"设置文件无法读取（应为 UTF-8 编码的 TOML 文本）：{e}") from None
    out = {"_file": str(p)}
    office, cons = data.get("office") or {}, data.get("consolidate") or {}
    for key, value in (("office", office.get("name")), ("county", office.get("county")), ("tz", cons.get("tz")),
                       ("password", cons.get("password"))):
        if isinstance(value, str) and value.strip():
            out[key] = value.strip()
    hist = cons.get("history")
    if isinstance(hist, str) and hist.strip():
        h = Path(hist.strip())
        out["history"] = str(h if h.is_absolute() else p.parent / h)
    return out


__all__ = ["NAME", "find", "load"]
