"""The narrative agrees with the tables: `text-table-mismatch`.

A report's text often restates the tables' main figures (“全年共受理政府信息公开申请17件，其中
予以公开9件”). When such a figure differs from the table, one of the two is wrong — evaluators
list “数据前后不一致” among the commonest defects of these reports.

Which quantities the text may state, and which cells count them, is data: templates/narrative/
<layout id>.yaml (a new format is a new file). Precision comes first, because every figure of a
consistent report must stay silent: a figure is compared only when the words directly before it
(in the same clause) name the quantity, and never when the clause is a comparison (同比、较上年、
增加), names another year, is a 其中 subset of a generic quantity, is approximate (约、近、余) or
when the figure is a sum whose parts are spelled out after it (“3050件（含上年结转34件）”).
The figure may also come before the noun (“共受理36件政府信息公开申请”: `lead` and `after` in the
vocabulary), or be a total after its parts (“收到群众网上申请105件，快递17件，合计122件”: `parts`;
the total is read, never the first part). A department's or an office's report is not compared on figures of the whole area
(全县、各部门); 行政复议/诉讼 only where the sentence says they are about disclosure.
Tuned and measured on 43 real published reports (tests/data/narratives, `python
tests/realnarratives.py`): no alarm on a consistent one.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from gaixl.findings import Finding
from gaixl.report.data import ReportData
from gaixl.report.values import has_text
from gaixl.spec.load import templates_dir
from gaixl.spec.model import Layout


@dataclass(frozen=True)
class Quantity:
    name: str
    cells: tuple[str, ...]
    units: tuple[str, ...]
    before: re.Pattern
    needs: tuple[str, ...] = ()
    subset: bool = False
    needs_after: tuple[str, ...] = ()   # or these words after the figure (…1件，为其他结果)
    lead: re.Pattern | None = None      # the figure before the noun: 收到 | 8份 | 政府信息公开申请
    after: re.Pattern | None = None
    parts: re.Pattern | None = None     # the total after its parts: 收到网上申请105件，快递17件，合计122件


@lru_cache(maxsize=None)
def quantities(layout_id: str) -> tuple[Quantity, ...]:
    """The vocabulary of a format (empty when the format has no file)."""
    p = templates_dir() / "narrative" / f"{layout_id}.yaml"
    if not p.exists():
        return ()
    # libyaml's parser when PyYAML has it (8 ms → 1 ms, paid by every run before its first
    # file); the same safe constructors either way.
    doc = yaml.load(p.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    out = []
    for q in doc.get("quantities", []):
        out.append(Quantity(name=q["name"], cells=tuple(q["cells"]), units=tuple(q.get("units", ["件"])),
                            before=re.compile(q["before"]), needs=tuple(q.get("needs", ())),
                            needs_after=tuple(q.get("needs_after", ())),
                            subset=bool(q.get("subset", False)),
                            lead=re.compile(q["lead"]) if q.get("lead") is not None else None,
                            after=re.compile(q["after"]) if q.get("after") else None,
                            parts=re.compile(q["parts"]) if q.get("parts") else None))
    return tuple(out)


# ---------------------------------------------------------------- numbers in words
_CN = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_number(s: str) -> int | None:
    """十七 → 17, 一百零五 → 105, 两千 → 2000, 三万二千 → 32000; None when not a numeral."""
    if not s:
        return None
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN:
            if digit is not None and digit != 0:
                return None            # 二三: not a numeral we read
            digit = _CN[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[〇零一二两三四五六七八九十百千万]+)"
_MENTION = re.compile(_NUM + r"\s*(?P<unit>万元|件|个|宗|起|部|份|条)")
_CLAUSE_END = "。；;！？!?，,：:\n"
_SENTENCE_END = "。；;！？!?\n"
# A clause that compares, estimates or looks at another time says nothing about this year's table.
_COMPARE = re.compile(r"同比|环比|较|相比|比上年|比去年|增加|减少|增长|下降|上升|持平|去年|上年同期|上一年度(?!结转)"
                      r"|上年(?!度?结转)|前年|近|约|逾|超过|不足|以上|以下|平均|累计至今|历年|年均|每月|每年|月均")
_YEAR = re.compile(r"(20\d\d|19\d\d)\s*年")
# “3050件（含上年结转34件）”: a sum whose parts follow; “95件（其中自然人申请90件）” is not (the
# figure is still the total) — only a bracket that counts last year's applications in makes it one
_AFTER_SUM = re.compile(r"^\s*[（(]\s*(?:含|包括|包含|其中[^）)]{0,12}?(?:结转|上年))")
_AFTER_SKIP = re.compile(r"^\s*(?:余|多|左右|以上|次|%|％)")


# A total stated after its parts: “收到群众网上申请105件，快递17件，合计122件”. The clause of the
# total holds nothing but the word for it; the clauses before it are the parts, each a figure at
# its end; the first of them names what is counted (the `parts` words of the vocabulary).
_TOTAL_WORD = re.compile(r"^(?:合计|共计|总计|总共|一共|共|累计|总数|总数为)(?:为|达|有)?$")
_PART = re.compile(r"^(?P<head>[^0-9]*?)" + _NUM + r"\s*(?:万元|件|个|宗|起|部|份|条)$")
_NOT_PARTS = re.compile(r"其中|含|包括|包含|同比|较|比上年")


def _listing_head(paragraph: str, s0: int, c0: int, clause: str) -> str | None:
    """The words before the first part of a listing whose total is the figure at `c0` (see
    _TOTAL_WORD), or None when the figure is not such a total."""
    if not _TOTAL_WORD.match(clause.replace(" ", "")):
        return None
    before = paragraph[s0:c0 - 1] if c0 > s0 else ""
    pieces = [p.replace(" ", "").replace("\u3000", "") for p in re.split("[、" + _CLAUSE_END + "]", before)]
    run: list[re.Match] = []
    heading = ""
    for piece in reversed(pieces):
        m = _PART.match(piece)
        if m is None or _NOT_PARTS.search(piece):
            # a clause with no figure right before the parts names them (受理政府信息公开申请，网上…)
            if not re.search(r"\d", piece) and not _NOT_PARTS.search(piece):
                heading = piece
            break
        run.append(m)
    if len(run) < 2:
        return None
    return heading + run[-1].group("head")


@dataclass(frozen=True)
class Statement:
    quantity: Quantity
    value: float
    shown: str
    sentence: str


def _number(s: str) -> float | None:
    if s[0].isdigit():
        return float(s.replace(",", ""))
    n = cn_number(s)
    return float(n) if n is not None else None


# Traditional characters of the quantity words (mirrors publish converted pages): read as Simplified.
_T2S = str.maketrans("請開處結轉複議訟規範許強製發廢現與較減長萬兩費額無門對計際決據辦實業務"
                     "應當項數當類類單報應後間網條連繫經過關書屬機構總盡復訴個廳縣區",
                     "请开处结转复议讼规范许强制发废现与较减长万两费额无门对计际决据办实业务"
                     "应当项数当类类单报应后间网条连系经过关书属机构总尽复诉个厅县区")


# A figure of the whole area (全县共收到申请120件): the tables of a people's government count
# it, a department's or an office's do not (其中我局办理5件).
_AREA = re.compile(r"全(?:国|省|市|县|区|旗|州|盟|镇|乡|系统)|各(?:地|部门|单位|乡镇|镇街|街道|县|区|市)|县直|区直|市直")
_GOVERNMENT = re.compile(r"(?:人民政府|政府|管委会|管理委员会|行政公署)$")


def is_government(name: str) -> bool:
    """A people's government (or a body reporting for its area): its tables are the area's."""
    return bool(_GOVERNMENT.search((name or "").strip()))


def statements(paragraph: str, vocab: tuple[Quantity, ...], year: int | None,
               government: bool = True) -> list[Statement]:
    """The figures of one paragraph that state a quantity of the tables (see the module doc).
    government=False: the report is a department's or an office's, so a figure said of the whole
    area (全县、各部门) is not its own."""
    out = []
    published = paragraph
    paragraph = paragraph.translate(_T2S)        # the same length: positions hold in both
    for m in _MENTION.finditer(paragraph):
        start = m.start("num")
        if start and (paragraph[start - 1].isdigit() or paragraph[start - 1] in ".第每"):
            continue
        rest = paragraph[m.end():]
        if _AFTER_SKIP.match(rest) or _AFTER_SUM.match(rest):
            continue
        value = _number(m.group("num"))
        if value is None:
            continue
        s0 = max(paragraph.rfind(c, 0, start) for c in _SENTENCE_END) + 1
        c0 = max(paragraph.rfind(c, 0, start) for c in _CLAUSE_END) + 1
        clause = paragraph[c0:start]
        before_in_sentence = paragraph[s0:start]
        ends = [i for i in (paragraph.find(c, m.end()) for c in _SENTENCE_END) if i >= 0]
        sentence = published[s0:min(ends) + 1 if ends else len(paragraph)].strip()
        said = sentence.translate(_T2S)
        # the rest of the clause after the figure: a comparison right after it (“17件，同比…” is
        # another clause, but “17件同比增长” is not) makes the figure part of a comparison
        c_ends = [i for i in (paragraph.find(c, m.end()) for c in _CLAUSE_END) if i >= 0]
        clause_after = paragraph[m.end():min(c_ends) if c_ends else len(paragraph)]
        if _COMPARE.search(re.sub(r"上一?年度?(?:结转|转结)", "", clause)) or _COMPARE.search(clause_after[:6]):
            continue
        # another year named before the figure: about that year — but “2020年结转办理1件” in a
        # 2021 report is this year's carried-over figure, and 结转2022年 the next year's
        if year is not None:
            named = re.sub(rf"{year - 1}\s*年度?(?=(?:结转|转结))", "", before_in_sentence)
            if any(int(y) not in (year, year + 1) for y in _YEAR.findall(named)):
                continue
        if "%" in clause or "％" in clause or "百分之" in clause:
            continue
        if not government and _AREA.search(before_in_sentence):
            continue
        # a 其中 subset: “其中予以公开41件”, “…95件其中…”; not “95件（其中自然人申请90件）”, whose
        # bracket breaks the total down (the figure is still the total)
        subset = "其中" in clause or clause_after.lstrip().startswith("其中")
        flat = clause.replace(" ", "").replace("\u3000", "")
        head = _listing_head(paragraph, s0, c0, clause)
        for q in vocab:
            if m.group("unit") not in q.units or (subset and not q.subset):
                continue
            # 行政复议 N件 counts only as a disclosure case when the sentence says so before the
            # figure (因政府信息公开被申请行政复议3件), and not when a 其中 after it singles the
            # disclosure cases out of all 复议 (受理行政复议案件58件，其中涉及政府信息公开的3件)
            # — or when the words after it are the table's own (行政复议案件1件，为其他结果)
            after_figure = said[start - s0:]
            if q.needs and (not (any(w in before_in_sentence for w in q.needs)
                                 or any(w in after_figure for w in q.needs_after))
                            or re.search("其中[^。；;]*?(?:" + "|".join(q.needs) + ")", after_figure)):
                continue
            if q.before.search(flat):
                out.append(Statement(q, value, m.group(0), sentence))
                break
            # the figure before the noun (“共受理36件政府信息公开申请”): the verb before it, the
            # noun right after the unit, and no spelled-out sum after the noun
            if q.lead is not None and q.after is not None and q.lead.search(flat):
                a = q.after.match(clause_after)
                if a and not _AFTER_SUM.match(clause_after[a.end():]) and not _COMPARE.search(clause_after[a.end():][:6]):
                    out.append(Statement(q, value, m.group(0), sentence))
                    break
            # the total after its parts (“收到网上申请105件，快递17件，合计122件”): the first part names it
            if q.parts is not None and head is not None and q.parts.search(head):
                out.append(Statement(q, value, m.group(0), sentence))
                break
    return out


# ---------------------------------------------------------------- the table side
def table_value(data: ReportData, q: Quantity) -> float | None:
    """The sum of the quantity's cells; None when any of them is blank or missing (unknown)."""
    total = 0.0
    for spec in q.cells:
        group, row, col = spec.split("/")
        rows = data.tables.get(group) or {}
        names = [r for r in rows if fnmatch.fnmatchcase(r, row)] if row.endswith("*") else [row]
        if not names:
            return None
        for r in names:
            v = (rows.get(r) or {}).get(col)
            if v.__class__ not in (int, float):
                return None
            total += v
    return total


def _show(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def check_text_numbers(data: ReportData, layout: Layout, text_locator: dict | None = None) -> list[Finding]:
    """text-table-mismatch for every figure of the narrative that disagrees with the tables."""
    loc = text_locator or {}
    sections = [(s.heading, data.text.get(s.heading, []), loc.get(s.key),
                 {i: loc.get((s.key, i)) for i in range(len(data.text.get(s.heading, [])))})
                for s in layout.text_sections]
    return _check(data, layout, sections)


def check_table_section_text(data: ReportData, layout: Layout, paragraphs: dict[str, list[str]]) -> list[Finding]:
    """The same, on text a published report prints inside a table section (“三、收到和处理政府
    信息公开申请情况” opened by “2022年，共收到8份政府信息公开申请……”): the importer keeps such
    text aside, and it states the tables' figures as often as the 总体情况 does.
    `paragraphs`: section number (三) → its paragraphs."""
    headings = {s.number: s.heading for s in layout.sections}
    return _check(data, layout, [(headings.get(n, n), ps, None, {}) for n, ps in paragraphs.items()])


def _check(data: ReportData, layout: Layout, sections) -> list[Finding]:
    vocab = quantities(layout.id)
    if not vocab:
        return []
    out: list[Finding] = []
    government = is_government((data.unit or {}).get("name", ""))
    for heading, paras, sheet, cells in sections:
        for i, para in enumerate(p for p in paras if has_text(p)):
            for st in statements(para, vocab, data.year or None, government):
                expected = table_value(data, st.quantity)
                if expected is None or abs(expected - st.value) < 0.005:
                    continue
                cell = cells.get(i)
                place = f"{sheet}!{cell}" if sheet and cell else f"第{heading[0]}部分“{heading}”第{i + 1}段"
                out.append(Finding(
                    code="text-table-mismatch", severity="warning", table="text",
                    message=(f"{place}：正文写明{st.quantity.name}为{st.shown}，表格中为{_show(expected)}，"
                             f"前后不一致（原句：“{st.sentence}”）"),
                    message_en=(f"{place}: the text states {st.quantity.name} as {st.shown}, the table has "
                                f"{_show(expected)} (sentence: “{st.sentence}”)"),
                    sheet=sheet, cell=cell, row=heading, column=f"第{i + 1}段",
                    expected=_num(expected), found=_num(st.value)))
    return out


def _num(v: float):
    return int(v) if float(v).is_integer() else v
