"""Why collect skipped an attachment, in words (the words are in the catalogue gaixl.i18n,
keys "collect.reason.<code>"; this adds the detail: a size, a suffix, a nested error)."""
from __future__ import annotations

from gaixl.i18n import MESSAGES, t


def reason(code: str, lang: str = "zh", detail: str = "") -> str:
    known = MESSAGES.get(f"collect.reason.{code}")
    if known is None:
        text = code
    elif "{d}" in known[0]:                     # the detail has its place in the text
        return t(f"collect.reason.{code}", lang, d=detail)
    else:
        text = t(f"collect.reason.{code}", lang)
    if code == "not-workbook" and detail:      # the suffix: say what the file was
        return text.replace("（只收取", f"（{detail} 文件；只收取").replace("(only", f"({detail} file; only")
    return f"{text}（{detail}）" if detail and lang != "en" else (f"{text} ({detail})" if detail else text)
