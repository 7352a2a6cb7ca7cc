"""What the importer knows of the official labels: which row a label names, which words are
column headers, section headings and captions, and which labels tell the two formats apart.

Everything is derived from the layouts (templates/*.yaml), so a new format needs no code here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from gaixl.importers.normalize import loose, norm, unnumbered
from gaixl.spec.load import available_layouts
from gaixl.spec.model import Layout, Row, Table


@dataclass(frozen=True, eq=False)
class Target:
    """One data row of one table of a layout."""

    table: Table
    row: Row

    @property
    def key(self) -> tuple[str, str]:
        return self.table.key, self.row.key or ""


# Section headings: number + a word the heading always has (real headings vary around it).
_HEAD = re.compile(r"^([一二三四五六])、(.+)$")
_HEAD_WORDS = {"一": ("总体情况", "总体"), "二": ("主动公开",), "三": ("收到和处理", "依申请"),
               "四": ("行政复议", "行政诉讼"), "五": ("问题", "改进"), "六": ("其他需要报告", "其他事项")}
_CAPTION = re.compile(r"^第二十条第（([一二三四五六七八九十]+)）项")


# The official headings without their number (Word numbering lists print the number themselves,
# so it is not in the paragraph's text).
_BARE = {"总体情况": "一", "主动公开政府信息情况": "二", "收到和处理政府信息公开申请情况": "三",
         "政府信息公开行政复议、行政诉讼情况": "四", "政府信息公开行政复议和行政诉讼情况": "四",
         "存在的主要问题及改进情况": "五", "存在的主要问题及改进措施": "五", "其他需要报告的事项": "六"}


_PUNCT = re.compile(r"[、，。：；,.:;“”\"'（）()〔〕\[\]《》\s]")


def _bare(s: str) -> str:
    return _PUNCT.sub("", s)


def heading_number(n: str) -> str | None:
    """'一'…'六' when the normalised text is a section heading, else None."""
    n = n.lstrip("#*>-")   # markdown headings and emphasis: ## 一、总体情况
    if n in _BARE:
        return _BARE[n]
    m = _HEAD.match(n)
    # a heading is short and is not a sentence: "一、总体情况的第一段。" is a paragraph
    if not m or len(m.group(2)) > 24 or any(p in n for p in "。；，！？"):
        return None
    num, rest = m.group(1), m.group(2)
    if any(w in rest for w in _HEAD_WORDS[num]):
        return num
    return None


def caption_item(n: str) -> str | None:
    """'一' for 第二十条第（一）项 (spaces and half-width parentheses already normalised)."""
    m = _CAPTION.match(n)
    return m.group(1) if m else None


def _row_names(t: Table, r: Row) -> list[str]:
    names = [norm(r.label or "")]
    if r.name:
        names.append(norm(r.name))
    return [n for n in names if n]


class Index:
    """Row and column labels of one layout, for matching published labels."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.targets: list[tuple[list[str], Target]] = []
        self.groups: set[str] = set()
        self.columns: set[str] = set()
        self.captions: dict[str, Table] = {}
        for t in layout.tables.values():
            if t.caption:
                self.captions[caption_item(norm(t.caption)) or ""] = t
            if t.corner:
                self.columns.add(norm(t.corner))
            for r in t.data_rows:
                if r.label:
                    self.targets.append((_row_names(t, r), Target(t, r)))
            stack = list(t.rows)
            while stack:
                r = stack.pop()
                if r.children:
                    self.groups.add(norm(r.label or ""))
                    stack.extend(r.children)
            cstack = list(t.columns)
            while cstack:
                c = cstack.pop()
                self.columns.add(norm(c.label))
                self.columns.add(loose(norm(c.label)))
                cstack.extend(c.children)
        self.groups.discard("")
        self._loose = {}
        self._plain = {}
        for names, tg in self.targets:
            for n in names:
                self._loose.setdefault(loose(n), set()).add(tg)
                u = unnumbered(loose(n))
                if len(u) >= 4:
                    self._plain.setdefault(u, set()).add(tg)

    @lru_cache(maxsize=4096)
    def match_row(self, n: str) -> Target | None:
        """The data row a normalised label names, when exactly one fits."""
        if not n or len(n) > 200:
            return None
        for names, tg in self.targets:
            if n in names:
                return tg
        hit = self._loose.get(loose(n))
        if hit and len(hit) == 1:
            return next(iter(hit))
        u = unnumbered(loose(n))
        hit = self._plain.get(u)
        if hit and len(hit) == 1:
            return next(iter(hit))
        # a caption run into the label (PDF text of a borderless table): 行政规范性文件第二十条第（五）项…
        if "第二十条" in n and not n.startswith("第二十条"):
            return self.match_row(n.split("第二十条", 1)[0])
        # a group label written in the same cell: 三、本年度办理结果（一）予以公开
        for g in self.groups:
            if n.startswith(g) and len(n) > len(g):
                return self.match_row(n[len(g):])
        # a label whose explanatory note is cut or wrapped: 部分公开（区分处理的，只计
        if "（" in u:
            head = u.split("（", 1)[0]
            hit = self._plain.get(head)
            if hit and len(hit) == 1:
                return next(iter(hit))
        # a label cut short at the end of a stored copy: a unique prefix of 4 characters or more
        if len(u) >= 4:
            found = {tg for key, tgs in self._plain.items() if key.startswith(u) for tg in tgs}
            if len(found) == 1:
                return next(iter(found))
        return self._near(u)

    def _is_row_label(self, s: str) -> bool:
        return bool(s) and (s in self._plain or any(s in names for names, _tg in self.targets))

    def _near(self, u: str) -> Target | None:
        """Fuzzy, but only where one official row fits and no other comes close."""
        if len(u) < 4 or len(u) > 80:
            return None
        # punctuation written differently: 逾期不补正，行政机关… for 逾期不补正、行政机关…
        bare = _bare(u)
        found = {tg for key, tgs in self._plain.items() if len(bare) >= 6 and _bare(key) == bare for tg in tgs}
        if len(found) == 1:
            return next(iter(found))
        # a qualifier of up to two characters left off or added: 规范性文件 / 行政规范性文件
        # — but not when the characters added are another row's label: 规章 + 行政规范性文件 is
        # two rows run together (a row without numbers joined to the next), not one
        found = {tg for key, tgs in self._plain.items()
                 if (key.endswith(u) or (u.endswith(key) and not self._is_row_label(u[:len(u) - len(key)])))
                 and abs(len(key) - len(u)) <= 2 for tg in tgs}
        if len(found) == 1:
            return next(iter(found))
        # a character or two mistyped in a long label: the one clear best
        if len(bare) >= 8:
            scored = sorted(((SequenceMatcher(None, bare, _bare(key)).ratio(), id(tg), tg)
                             for key, tgs in self._plain.items() for tg in tgs), key=lambda x: -x[0])
            if scored and scored[0][0] >= 0.85 and (len(scored) < 2 or scored[0][0] - scored[1][0] >= 0.1 or
                                                     scored[1][2] is scored[0][2]):
                best = scored[0][2]
                own = [k for k, tgs in self._plain.items() if best in tgs]
                own += [k for names, tg in self.targets if tg is best for k in names]
                # not when the text holds another row's whole label besides: two rows run together
                others = [k for names, tg in self.targets if tg is not best for k in names]
                others += [k for k, tgs in self._plain.items() if best not in tgs]
                if any(len(k) >= 2 and k in u and not any(k in o for o in own) for k in others):
                    return None
                return best
        return None

    def is_group(self, n: str) -> bool:
        return n in self.groups or loose(n) in self.groups

    def is_column_word(self, n: str) -> bool:
        return n in self.columns or loose(n) in self.columns


@lru_cache(maxsize=None)
def _markers() -> dict[str, frozenset[str]]:
    """Labels (normalised) found in one format only: how the format is told from the labels."""
    words: dict[str, set[str]] = {}
    for layout in available_layouts():
        ws: set[str] = set()
        for t in layout.tables.values():
            if t.caption:
                ws.add(norm(t.caption))
            stack = list(t.rows)
            while stack:
                r = stack.pop()
                ws.add(loose(norm(r.label or "")))
                stack.extend(r.children)
            for c in t.data_columns:
                ws.add(loose(norm(c.label)))
        ws.discard("")
        words[layout.id] = ws
    return {lid: frozenset(ws - set().union(*(o for k, o in words.items() if k != lid))) for lid, ws in words.items()}


def format_votes(norms: list[str]) -> dict[str, int]:
    """How many distinct format-only labels of each format the text shows."""
    marks = _markers()
    seen: dict[str, set[str]] = {lid: set() for lid in marks}
    for n in norms:
        ln = loose(n)
        for lid, ws in marks.items():
            if ln in ws:
                seen[lid].add(ln)
    return {lid: len(s) for lid, s in seen.items()}


@lru_cache(maxsize=None)
def index_for(layout_id: str) -> Index:
    from gaixl.spec.load import load_layout

    return Index(load_layout(layout_id))
