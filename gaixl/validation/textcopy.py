"""Copied and stale narrative: soft findings (warnings) on the report's text.

- text-stale-year: the text presents the previous year as the year reported — a 2025 report
  whose paragraphs open with “2024年，我局…” and never name 2025 (last year's report reused).
- text-copied-last-year: a paragraph identical to one of the unit's previous report (history).
- text-duplicate-units: within one consolidation, a paragraph identical or nearly identical in
  two units' reports (内容雷同) — compared once spaces, punctuation, numbers and the units' own
  names are set aside (how such paragraphs are copied from one unit to another), “nearly” being
  NEAR or more of their four-character pieces in common (a few words changed: 我局 → 我委,
  一是 → 首先). Measured on 43 real reports of different units (tests/data/narratives): the
  closest two paragraphs share 0.65 — two units of one district quoting the same system name.
Only paragraphs of at least MIN_CHARS characters count, and the sentences the official format
itself makes every report say (本报告根据《条例》编制, 统计期限, 全文包括, 如对本报告有疑问请联系,
未收取信息处理费, the format notice's own words) and the clauses of prescribed political wording
(坚持以习近平新时代中国特色社会主义思想为指导) are set aside first: they are the same everywhere
by design.
"""
from __future__ import annotations

import re
import unicodedata

from gaixl.findings import Finding
from gaixl.report.data import ReportData
from gaixl.report.values import has_text
from gaixl.spec.load import load_layout
from gaixl.spec.model import Layout

MIN_CHARS = 30
NEAR = 0.8             # share of four-character pieces (Jaccard) from which two paragraphs are 雷同
_SHINGLE = 4
# Sentences every report says because the format or the 《条例》 asks for them.
_STOCK = re.compile(
    r"本(?:年度)?(?:报告|年报).{0,80}?(?:根据|依据|按照|系根据|是根据)|(?:根据|依据|按照).{0,120}?编制(?:本|此|了)?(?:年度)?(?:报告|年报)"
    r"|现(?:将|予|向社会)?公布.{0,60}?(?:年度报告|年报)|特?(?:向社会)?公布.{0,40}年度.{0,20}(?:报告|年报)"
    r"|全文(?:包括|由|共)|(?:报告|年报)(?:由|包括|共包括|内容包括|共分为).{0,120}?(?:组成|部分|事项)"
    r"|所列(?:统计)?数据.{0,12}统计|统计(?:期限|时限|时间|区间)(?:为|自|从|是)"
    r"|电子版.{0,60}下载|如(?:对|有)本?(?:年度)?(?:报告|年报).{0,20}(?:疑问|意见|问题)|联系(?:电话|方式|地址)"
    r"|信息处理费|无(?:其他)?需要报告的(?:其他)?事项|没有(?:其他)?需要报告的(?:其他)?事项"
    # the format's own words, quoted by some reports (国办公开办函〔2021〕30号)
    r"|法定制度安排|全面反映政府信息公开工作情况|展现政府施政过程及结果")
# Clauses whose wording is prescribed, not written (坚持以习近平新时代中国特色社会主义思想为指导，
# 深入贯彻党的二十大精神, 在区委、区政府的正确领导下, 认真贯彻落实《条例》和上级工作部署要求):
# every unit says them alike; the rest of the sentence is its own.
_MANDATED = re.compile(r"习近平|党的(?:十八|十九|二十)大|(?:全会|会议)精神|党中央|部署|新时代|领导下|贯彻(?:落实|执行)?《")
_CLAUSE = re.compile(r"[^，,、；;。！!？?]+[，,、；;。！!？?]?")
_SENTENCES = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
_DROP = re.compile(r"[\s\d０-９〇零一二三四五六七八九十百千万两.,，。、；;：:！!？?“”\"'‘’（）()《》〈〉【】\[\]—\-–…·/]+")


# How a unit calls itself (我局, 本委, 我单位, 我镇): the same word in a copied paragraph.
_SELF = re.compile(r"[我本](?:局|办|委|厅|署|院|会|中心|站|所|队|馆|单位|机关|部门|镇|乡|街道|县|区|市)")


def _key(text: str, names: tuple[str, ...] = ()) -> str:
    """A paragraph as compared: no spaces, punctuation or numbers, the unit's own names removed,
    its way of calling itself made one (我局 = 我办)."""
    s = unicodedata.normalize("NFKC", text or "")
    for n in sorted((n for n in names if n), key=len, reverse=True):
        s = s.replace(n, "")
    return _DROP.sub("", _SELF.sub("我", s))


def own_words(p: str) -> str:
    """The paragraph without the sentences the format makes every report say (see _STOCK) and
    the clauses of prescribed wording (see _MANDATED)."""
    return "".join("".join(c for c in _CLAUSE.findall(s) if not _MANDATED.search(c))
                   for s in _SENTENCES.findall(p) if not _STOCK.search(s))


def _paragraphs(data: ReportData, layout: Layout):
    """(section, paragraph index, text, the unit's own words) of every narrative paragraph whose
    own words are long enough to count."""
    for s in layout.text_sections:
        for i, p in enumerate(q for q in data.text.get(s.heading, []) if has_text(q)):
            own = own_words(p)
            if len("".join(own.split())) >= MIN_CHARS:
                yield s, i, p, own


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
# A year that opens a sentence or a clause (after a heading such as “（一）主动公开。” or “一是”,
# or 截至/截止): the year the text presents as the one of the work reported.
_OPENER = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[、.．]"
                     r"|[一二三四五六七八九十]是)?\s*(?:截至|截止|在|从|自|于|今年|本年度)?\s*(19\d\d|20\d\d)\s*年")
_CLAUSES = re.compile(r"[^。；;！!？?，,：:\n]+")
# The statistics period every report states (统计期限自2024年1月1日起): the year reported.
_PERIOD = re.compile(r"统计(?:期限|时限|时间|区间)[^。；;]{0,8}?(19\d\d|20\d\d)\s*年")
# A year named as the one after (结转至2025年办理, 2026年工作打算): not a year the text reports on.
# What a year's report publishes about the year before (2024年度部门决算, 2024年度人大代表建议和
# 政协提案办理, 2024年度政府信息公开工作年度报告): naming that year is not presenting it as one's own.
_PAST_RESULT = re.compile(r"^\s*(?:年度|年)?[^。；;，,、]{0,10}?(?:决算|预算执行|议案|建议|提案|年度报告|年报|工作报告|"
                          r"总结|统计公报|统计年鉴|考核|考评|评估|评议|审计|绩效)")
_NEXT = re.compile(r"(?:结转|转结|转入|顺延)(?:至|到)?\s*(?:19|20)\d\d\s*年"
                   r"|(?:19|20)\d\d\s*年(?:度)?(?:继续办理|工作(?:计划|打算|安排)|将)")


def stale_year(data: ReportData, layout: Layout, text_locator: dict | None = None) -> list[Finding]:
    """text-stale-year: the narrative never names the report year (as the year of its work) but
    presents the year before as that year — opens sentences or clauses with it, states it as the
    statistics period, or (a text whose opening was cut) names it at least twice as the year of
    its work (2024年度重大行政决策事项目录, 区2024年城市黑臭水体排查情况) — not of results the
    year reported publishes (2024年度部门决算, 2024年度人大代表建议办理) — the text of last
    year's report."""
    y = data.year
    if not y:
        return []
    years_named: set[int] = set()
    openers = []
    work = []                        # paragraphs naming the year before as the year of the work
    for s in layout.text_sections:
        for i, p in enumerate(q for q in data.text.get(s.heading, []) if has_text(q)):
            years_named.update(int(v) for v in _YEAR.findall(_NEXT.sub("", p)))
            period = _PERIOD.search(p)
            if (period and int(period.group(1)) == y - 1) or any(
                    (m := _OPENER.match(c)) and int(m.group(1)) == y - 1 for c in _CLAUSES.findall(p)):
                openers.append((s, i, p))
            rest = _NEXT.sub("", p)
            work += [(s, i, p) for m in _YEAR.finditer(rest)
                     if int(m.group(1)) == y - 1 and not _PAST_RESULT.match(rest[m.end():])]
    if y in years_named:
        return []
    if not openers:
        if len(work) < 2 or y + 1 in years_named:
            return []
        openers = work
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
    before = {_key(own) for _s, _i, _p, own in _paragraphs(previous, prev_layout)}
    before.discard("")
    out = []
    for s, i, p, own in _paragraphs(data, layout):
        k = _key(own)
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
def _shingles(k: str) -> frozenset:
    return frozenset(k[i:i + _SHINGLE] for i in range(max(1, len(k) - _SHINGLE + 1)))


def _near_pairs(items: list[tuple[str, frozenset]]) -> list[tuple[int, int]]:
    """Pairs (i, j) of items of different owners whose pieces overlap by NEAR or more (Jaccard).
    Prefix filtering keeps it fast on a county's inbox: ordered rarest first, two sets with that
    overlap share a piece among the first len - ceil(NEAR·len) + 1 of either."""
    import math
    from collections import Counter

    freq = Counter(g for _o, sh in items for g in sh)
    ordered = [sorted(sh, key=lambda g: (freq[g], g)) for _o, sh in items]
    index: dict[str, list[int]] = {}
    pairs = set()
    for i, order in enumerate(ordered):
        prefix = order[:len(order) - math.ceil(NEAR * len(order)) + 1]
        for g in prefix:
            for j in index.get(g, ()):
                if items[j][0] != items[i][0]:
                    pairs.add((j, i))
            index.setdefault(g, []).append(i)
    out = []
    for j, i in sorted(pairs):
        a, b = items[j][1], items[i][1]
        if len(a & b) >= NEAR * len(a | b):
            out.append((j, i))
    return out


def duplicate_units(reports, layout: Layout) -> dict[str, list[Finding]]:
    """text-duplicate-units over one consolidation. `reports`: (code, name, data, text_locator)
    of each unit's report — a list, or a function giving them (a country's: each report made
    only when its turn comes, `data` itself may be a function giving it, so that only the
    paragraphs are held, never all the reports). Returns code → findings: one per unit whose
    report shares paragraphs (identical or nearly, see the module doc) with others', naming the
    other units and the first such paragraph."""
    paras: list = []                      # (code, name, section, index, text, key, locator)
    for code, name, data, loc in (reports() if callable(reports) else reports):
        if callable(data):
            data = data()
        if data is None or data.layout != layout.id:
            continue
        names = unit_names(name) + unit_names(data.unit.get("name", ""))
        for s, i, p, own in _paragraphs(data, layout):
            k = _key(own, names)
            if len(k) >= MIN_CHARS // 2:
                paras.append((code, name, s, i, p, k, loc))
    others: dict[int, list[str]] = {}
    for j, i in _near_pairs([(c, _shingles(k)) for c, _n, _s, _i, _p, k, _l in paras]):
        for a, b in ((j, i), (i, j)):
            seen = others.setdefault(a, [])
            if paras[b][1] not in seen:
                seen.append(paras[b][1])
    by_unit: dict[str, list[int]] = {}
    for n in sorted(others):
        by_unit.setdefault(paras[n][0], []).append(n)
    out: dict[str, list[Finding]] = {}
    for code, hits in by_unit.items():
        names_all: list[str] = []
        for h in hits:
            names_all += [x for x in others[h] if x not in names_all]
        _c, _name, s, i, p, _k, loc = paras[hits[0]]
        sheet, cell, shown = _place(s, i, loc)
        named = "、".join(f"“{x}”" for x in names_all[:3]) + (f"等{len(names_all)}个单位" if len(names_all) > 3 else "")
        more = f"等{len(hits)}段" if len(hits) > 1 else ""
        out[code] = [Finding(
            code="text-duplicate-units", severity="warning", table="text",
            message=f"{shown}{more}文字与{named}报告中的段落雷同（如“{_short(p)}”），请按本单位实际情况撰写",
            message_en=f"{shown}{f' and {len(hits) - 1} more paragraph(s)' if len(hits) > 1 else ''}: (nearly) the "
                       f"same as in the report of {', '.join(names_all[:3])}{' and others' if len(names_all) > 3 else ''} "
                       f"(“{_short(p)}”)",
            sheet=sheet, cell=cell, row=s.heading, column=f"第{i + 1}段", found="、".join(names_all))]
    return out
