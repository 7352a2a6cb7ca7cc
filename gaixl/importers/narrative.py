"""The narrative of a published report: sections by their headings, the title's unit, the
signature (unit and date at the end).

Paragraphs are kept as published (Traditional characters stay Traditional: the text is the
unit's own words and a converter can be wrong about a name or a term); only the pinyin a mirror
inserted (`據(jù)`) is removed, as it is an artefact of the copy. `simplified=True` converts them.
Unit names are always given in Simplified characters: they are keys (roster, history), and the
official names are Simplified.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from gaixl.importers.normalize import simplified, strip_pinyin
from gaixl.report.values import parse_date
from gaixl.spec.model import Layout

_TITLE = re.compile(r"^(?:关于)?(.*?)(\d{4})\s*年度?\s*(?:政府)?信息公开(?:工作)?(?:年度)?(?:报告|情况的报告|年报)")
_TITLE_END = re.compile(r"(?:报告|年报)$")
_TITLE_YEAR_FIRST = re.compile(r"^(?:关于)?(\d{4})\s*年度?([^，。,]{0,40}?)(?:政府)?信息公开(?:工作)?(?:年度)?(?:报告|年报)")
_UNIT_END = ("局", "委", "办", "室", "府", "院", "会", "处", "所", "站", "队", "馆", "中心", "厅", "部", "署",
             "街道", "镇", "乡", "公司", "分局", "办事处", "集团", "社", "园", "区", "县", "市")
_SENTENCE = re.compile(r"[。；;，,：:！？!?]")


@dataclass
class Narrative:
    text: dict = field(default_factory=dict)            # section heading → paragraphs
    unplaced: list = field(default_factory=list)         # {"text", "reason", "where"}
    title_unit: str = ""
    title_year: int | None = None
    signature_unit: str = ""
    date: str = ""
    found: set = field(default_factory=set)             # section numbers whose heading was found


_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DATE = re.compile(r"^([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
_TRAILING_DATE = re.compile(r"^(.*?)\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
                            r"|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)$")


def _cn_number(s: str) -> int:
    """一 → 1, 十 → 10, 十一 → 11, 二十 → 20, 三十一 → 31."""
    if "十" not in s:
        return _CN_DIGITS.get(s, 0)
    tens, _, ones = s.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def _date_of(text: str) -> str | None:
    """'2021年1月11日', '2021-01-11', '二〇二一年一月十一日' → '2021-01-11'; None if not only a date."""
    t = re.sub(r"\s+", "", simplified(text))
    m = _CN_DATE.match(t)
    if m:
        year = "".join(str(_CN_DIGITS[c]) for c in m.group(1))
        t = f"{year}年{_cn_number(m.group(2))}月{_cn_number(m.group(3))}日"
    return parse_date(t)


def _unit_like(text: str) -> bool:
    s = re.sub(r"[（(][^（）()]*[）)]$", "", simplified(text).strip())   # XX局（XX办）, XX局（盖章）
    return 2 <= len(s) <= 40 and not _SENTENCE.search(s) and s.endswith(_UNIT_END)


def build(texts: list, headings: dict, layout: Layout, *, simplified_text: bool = False) -> Narrative:
    """texts: (section number or "", text, where) of the lines that are not table cells."""
    out = Narrative(found=set(headings))
    sections = {s.heading[0]: s.heading for s in layout.text_sections}
    for s in sections.values():
        out.text[s] = []
    items = [(sec, strip_pinyin(t).strip(), w) for sec, t, w in texts if t and t.strip()]
    # the signature: a date among the last lines (a page may end with links), the unit before it
    after: list = []
    for i in range(len(items) - 1, max(-1, len(items) - 9), -1):
        d = _date_of(items[i][1])
        m = _TRAILING_DATE.match(items[i][1]) if not d else None
        if m and _unit_like(m.group(1)) and _date_of(m.group(2)):
            out.date = _date_of(m.group(2)) or ""
            out.signature_unit = simplified(m.group(1)).strip()
            after, items = items[i + 1:], items[:i]
            break
        if d:
            after = items[i + 1:]
            out.date = d
            j = i - 1
            if j >= 0 and _unit_like(items[j][1]):
                out.signature_unit = simplified(items[j][1]).strip()
                del items[j]
                i -= 1
            del items[i:]
            break
    # the title: the first lines, before any section heading
    for k, (sec, t, _w) in enumerate(items[:5]):
        if sec != "" or len(t) > 80:
            continue
        joined = 1
        if (not _TITLE_END.search(simplified(re.sub(r"\s+", "", t))) and k + 1 < len(items)
                and items[k + 1][0] == "" and len(items[k + 1][1]) <= 40):
            t, joined = t + items[k + 1][1], 2          # a title broken over two lines (PDF text)
        flat = simplified(re.sub(r"\s+", "", t)).lstrip("#*> ")
        m = _TITLE.match(flat)
        m2 = _TITLE_YEAR_FIRST.match(flat)   # 2022年度某镇政府信息公开工作年度报告: the unit after the year
        named = m2.group(2).strip("《》“”\"") if m2 else ""
        named = named + "政府" if named.endswith("人民") else named
        if m and not _SENTENCE.search(m.group(1)) and (m.group(1) or len(named) < 2):
            out.title_unit, out.title_year = m.group(1).strip("《》“”\""), int(m.group(2))
        elif m2 and len(named) >= 2:
            out.title_unit, out.title_year = named, int(m2.group(1))
        else:
            continue
        if not out.title_unit and k > 0 and items[k - 1][0] == "" and _unit_like(items[k - 1][1]):
            out.title_unit = simplified(items[k - 1][1]).strip()   # the unit on a line of its own
            del items[k - 1]
            k -= 1
        del items[k:k + joined]
        break
    for sec, t, w in items:
        shown = simplified(t) if simplified_text else t
        if sec in sections:
            out.text[sections[sec]].append(shown)
        elif sec == "":
            out.unplaced.append({"text": shown, "reason": "第一部分标题之前的文字（前言）",
                                 "reason_en": "text before the first section heading", "where": w})
        elif len(t) >= 10:
            out.unplaced.append({"text": shown, "reason": f"第{sec}部分（表格部分）中的文字",
                                 "reason_en": f"text inside section {sec} (a table section)", "where": w,
                                 "section": sec})
    for _sec, t, w in after:
        out.unplaced.append({"text": t, "reason": "落款之后的文字", "reason_en": "text after the signature", "where": w})
    return out
