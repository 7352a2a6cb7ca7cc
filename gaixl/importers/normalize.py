"""Text as published → text as compared.

Published copies differ from the official labels in ways that carry no meaning: Traditional
characters (mirrors convert pages), pinyin inserted after characters by some mirrors (`據(jù)`),
half-width or full-width parentheses, spaces and line breaks inside labels, explanatory notes
in parentheses after a label. `norm` removes all of that, so labels can be compared; the text
itself is kept as published elsewhere (narrative), only with the pinyin noise removed, which is
an artefact of the copy and not part of the report.
"""
from __future__ import annotations

import re
from functools import lru_cache

from gaixl.report.values import loose_label, norm_label

# A parenthetical of lowercase pinyin with at least one tone mark: (jù), （guī）, (zhuǎn).
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN = re.compile(r"[(（]\s*[a-z" + _TONED + r"]*[" + _TONED + r"][a-z" + _TONED + r"]*\s*[)）]")

# Mirror artefacts and real-world label variants, in normalised (Simplified) form.
# Taiwan-style conversions turn 文件 into 檔案 (→ 档案); the official text says 文件.
_FIXES = (("规范性档案", "规范性文件"), ("公开档案", "公开文件"), ("现行有效件（", "现行有效件数（"))
_ALIASES = {"（七）合计": "（七）总计", "合计": "总计", "现行有效件": "现行有效件数", "本年新制作数": "本年新制作数量",
            "本年新公开数": "本年新公开数量", "处理决定数": "处理决定数量", "本年处理决定数": "本年处理决定数量"}


class _Converter:
    """OpenCC t2s built once (building it costs ~0.1 s)."""

    cc = None

    @classmethod
    def convert(cls, s: str) -> str:
        if cls.cc is None:
            from opencc_purepy import OpenCC

            cls.cc = OpenCC("t2s")
        try:
            return cls.cc.convert(s)
        except Exception:  # the converter must never stop an import: keep the text as it was
            return s


def strip_pinyin(s: str) -> str:
    """`根據(jù)` → `根據`: the pinyin a mirror inserted after characters."""
    return _PINYIN.sub("", s) if s and ("(" in s or "（" in s) else s


@lru_cache(maxsize=16384)
def simplified(s: str) -> str:
    """Traditional → Simplified, pinyin noise removed (for names and matching)."""
    s = strip_pinyin(s)
    if not s or s.isascii():
        return s
    return _Converter.convert(s)


@lru_cache(maxsize=16384)
def norm(s: str) -> str:
    """A label as compared: Simplified, no pinyin, no spaces, official punctuation and wording."""
    n = norm_label(simplified(s))
    for bad, good in _FIXES:
        n = n.replace(bad, good)
    return _ALIASES.get(n, n)


def loose(n: str) -> str:
    """A normalised label without its trailing parenthetical note (一级 only)."""
    return _ALIASES.get(loose_label(n), loose_label(n))


_PREFIX = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)+")


def unnumbered(n: str) -> str:
    """A normalised label without its enumeration prefix: （三）1.属于国家秘密 → 属于国家秘密."""
    return _PREFIX.sub("", n)
