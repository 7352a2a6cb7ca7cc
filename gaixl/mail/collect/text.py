"""Why collect skipped an attachment, in words (the words are in the catalogue gaixl.i18n,
keys "collect.reason.<code>"; this adds the detail: a size, a suffix, a nested error)."""
from __future__ import annotations

from gaixl.i18n import MESSAGES, t


def reason(code: str, lang: str = "zh", detail: str = "") -> str:
    key = f"collect.reason.{code}"
    if key in MESSAGES and "{d}" in MESSAGES[key][0]:     # the detail has its place in the text
        return t(key, lang, d=detail)
    text = t(key, lang) if key in MESSAGES else code
    if code == "not-workbook" and detail:      # the suffix: say what the file was
        return text.replace("（只收取", f"（{detail} 文件；只收取").replace("(only", f"({detail} file; only")
    return f"{text}（{detail}）" if detail and lang != "en" else (f"{text} ({detail})" if detail else text)
