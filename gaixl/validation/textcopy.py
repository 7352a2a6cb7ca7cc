"""Copied and stale narrative: soft findings (warnings) on the report's text.

- text-stale-year: the text presents the previous year as the year reported — a 2025 report
  whose paragraphs open with “2024年，我局…” and never name 2025 (last year's report reused).
- text-copied-last-year: a paragraph identical to one of the unit's previous report (history).
- text-duplicate-units: within one consolidation, a paragraph identical or nearly identical in
  two units' reports (内容雷同) — “nearly” meaning equal once spaces, punctuation, numbers and
  the units' own names are set aside, which is how such paragraphs are copied from one unit to
  another.
Only paragraphs of at least MIN_CHARS characters count: “无。” and one-line stock phrases are
the same everywhere by design.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from gaixl.findings import Finding
from gaixl.report.data import ReportData
from gaixl.report.values import has_text
from gaixl.spec.load import load_layout
from gaixl.spec.model import Layout

MIN_CHARS = 30
_DROP = re.compile(r"[\s\d０-９〇零一二三四五六七八九十百千万两.,，。、；;：:！!？?“”\"'‘’（）()《》〈〉【】\[\]—\-–…·/]+")


def _key(text: str, names: tuple[str, ...] = ()) -> str:
    """A paragraph as compared: no spaces, punctuation or numbers, the unit's own names removed."""
    s = unicodedata.normalize("NFKC", text or "")
    for n in sorted((n for n in names if n), key=len, reverse=True):
        s = s.replace(n, "")
    return _DROP.sub("", s)


def _preamble(p: str) -> bool:
    """The opening every report is told to have (本报告根据《条例》编制…): the same by design."""
    return "本报告" in p and "政府信息公开条例" in p


def _paragraphs(data: ReportData, layout: Layout):
    """(section, paragraph index, text) of every narrative paragraph long enough to count."""
    for s in layout.text_sections:
        for i, p in enumerate(q for q in data.text.get(s.heading, []) if has_text(q)):
            if len("".join(p.split())) >= MIN_CHARS and not _preamble(p):
                yield s, i, p


def _place(s, i: int, text_locator: dict | None) -> tuple[str | None, str | None, str]:
    loc = text_locator or {}
    sheet, cell = loc.get(s.key), loc.get((s.key, i))
    shown = f"{sheet}!{cell}" if sheet and cell else f"第{s.heading[0]}部分“{s.heading}”第{i + 1}段"
    return sheet, cell, shown


def _short(text: str, n: int = 40) -> str:
    t = "".join(text.split())
    return t if len(t) <= n else t[:n] + "…"


def unit_names(name: str) -> tuple[str, ...]:
    """A unit's name and its short forms as its own text writes them: 缙云县财政局 → 财政局, 我局."""
    name = (name or "").strip()
    out = {name}
    m = re.match(r"^(.*?(?:省|市|自治州|州|盟|地区|县|区|旗))(.+)$", name)
    if m and len(m.group(2)) >= 2:
        out.add(m.group(2))
    return tuple(sorted(out, key=len, reverse=True))


# ---------------------------------------------------------------- stale year
_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)\s*年")


def stale_year(data: ReportData, layout: Layout, text_locator: dict | None = None) -> list[Finding]:
    """text-stale-year: the narrative never names the report year but opens a paragraph (or its
    first paragraph) with the year before — the text of last year's report."""
    y = data.year
    if not y:
        return []
    years_named: set[int] = set()
    openers = []
    first = True
    for s in layout.text_sections:
        for i, p in enumerate(q for q in data.text.get(s.heading, []) if has_text(q)):
            years_named.update(int(v) for v in _YEAR.findall(p))
            m = _YEAR.search(p[:12])
            if m and int(m.group(1)) == y - 1:
                openers.append((s, i, p))
            elif first and m is None:
                m2 = _YEAR.search(p[:60])
                if m2 and int(m2.group(1)) == y - 1:
                    openers.append((s, i, p))
            first = False
    if y in years_named or not openers:
        return []
    s, i, p = openers[0]
    sheet, cell, shown = _place(s, i, text_locator)
    return [Finding(code="text-stale-year", severity="warning", table="text",
                    message=f"{shown}：本报告为{y}年度报告，但正文以“{y - 1}年”叙述（如“{_short(p)}”），全文未提及{y}年，"
                            f"疑为沿用上年报告文字",
                    message_en=f"{shown}: this is the {y} report but its text speaks of {y - 1} "
                               f"(“{_short(p)}”) and never names {y}: last year's text reused?",
                    sheet=sheet, cell=cell, row=s.heading, column=f"第{i + 1}段", expected=y, found=y - 1)]


# ---------------------------------------------------------------- copied from last year
def copied_last_year(data: ReportData, previous: ReportData, layout: Layout,
                     text_locator: dict | None = None) -> list[Finding]:
    """text-copied-last-year: paragraphs identical to one of the unit's previous report (numbers
    and spacing aside). One finding per paragraph."""
    try:
        prev_layout = load_layout(previous.layout)
    except Exception:  # a previous report of a format no longer known: nothing to compare
        return []
    before = {_key(p) for _s, _i, p in _paragraphs(previous, prev_layout)}
    before.discard("")
    out = []
    for s, i, p in _paragraphs(data, layout):
        k = _key(p)
        if len(k) >= MIN_CHARS // 2 and k in before:
            sheet, cell, shown = _place(s, i, text_locator)
            out.append(Finding(
                code="text-copied-last-year", severity="warning", table="text",
                message=f"{shown}：该段文字与本单位{previous.year}年度报告中的一段相同（“{_short(p)}”），请按本年度实际情况撰写",
                message_en=f"{shown}: this paragraph is the same as one of the unit's {previous.year} report "
                           f"(“{_short(p)}”)",
                sheet=sheet, cell=cell, row=s.heading, column=f"第{i + 1}段", found=previous.year))
    return out


# ---------------------------------------------------------------- the same text in two units
def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode("utf-8"), digest_size=12).digest()


def _unit_paragraphs(data: ReportData | None, layout: Layout, name: str) -> Iterator[tuple[Any, int, str, str]]:
    """(section, index, paragraph, key) of each long enough paragraph of one unit's report."""
    if data is None or data.layout != layout.id:
        return
    names = unit_names(name) + unit_names(data.unit.get("name", ""))
    for s, i, p in _paragraphs(data, layout):
        k = _key(p, names)
        if len(k) >= MIN_CHARS // 2:
            yield s, i, p, k


def duplicate_units(reports, layout: Layout) -> dict[str, list[Finding]]:
    """text-duplicate-units over one consolidation. `reports`: (code, name, data, text_locator)
    of each unit's report — a list, or a function that gives them afresh each time it is called
    (a country's reports, unpacked one at a time and never all held: they are gone through once
    for every paragraph's fingerprint, and again only for the units that share one). Returns
    code → findings: one per unit whose report shares paragraphs with others', naming the other
    units and the first such paragraph."""
    again = reports if callable(reports) else (lambda: reports)
    # A report may come as a function giving it (made only when its text is looked at).
    seen: dict[bytes, list[tuple[str, str]]] = {}        # paragraph key's digest → [(code, name)]
    keys_of: dict[str, list[bytes]] = {}
    for code, name, data, _loc in again():
        digests = [_digest(k) for _s, _i, _p, k in _unit_paragraphs(data() if callable(data) else data, layout, name)]
        for h in digests:
            owners = seen.setdefault(h, [])
            if not owners or owners[-1][0] != code:
                owners.append((code, name))
        keys_of[code] = digests
    sharing = {code for code, ds in keys_of.items() if any(c != code for h in ds for c, _n in seen[h])}
    paras: dict[str, list[tuple[Any, int, str, bytes, Any]]] = {}
    for code, name, data, loc in again():
        if code in sharing:
            paras[code] = [(s, i, p, _digest(k), loc) for s, i, p, k in
                           _unit_paragraphs(data() if callable(data) else data, layout, name)]
    paras = {code: paras[code] for code in keys_of if code in paras}         # in the reports' order
    out: dict[str, list[Finding]] = {}
    for code, mine in paras.items():
        hits = [(s, i, p, [n for c, n in seen.get(k, []) if c != code]) for s, i, p, k, _loc in mine]
        hits = [h for h in hits if h[3]]
        if not hits:
            continue
        others = list(dict.fromkeys(n for h in hits for n in h[3]))      # first seen first, once each
        s, i, p, _o = hits[0]
        sheet, cell, shown = _place(s, i, mine[0][4])
        named = "、".join(f"“{n}”" for n in others[:3]) + (f"等{len(others)}个单位" if len(others) > 3 else "")
        more = f"等{len(hits)}段" if len(hits) > 1 else ""
        out[code] = [Finding(
            code="text-duplicate-units", severity="warning", table="text",
            message=f"{shown}{more}文字与{named}报告中的段落雷同（如“{_short(p)}”），请按本单位实际情况撰写",
            message_en=f"{shown}{f' and {len(hits) - 1} more paragraph(s)' if len(hits) > 1 else ''}: (nearly) the "
                       f"same as in the report of {', '.join(others[:3])}{' and others' if len(others) > 3 else ''} "
                       f"(“{_short(p)}”)",
            sheet=sheet, cell=cell, row=s.heading, column=f"第{i + 1}段", found="、".join(others))]
    return out
