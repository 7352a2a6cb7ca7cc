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
from gaixl.spec.detect import Detection, detect
from gaixl.spec.load import available_layouts, load_layout
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
_HEAD = re.compile(r"^([一二三四五六七八九十]+)、(.+)$")
_CAPTION = re.compile(r"^第二十条第（([一二三四五六七八九十]+)）项")


def _headings(layouts: list[Layout]) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """From the layouts' sections: number → the words its heading always has, and the headings
    without their number (Word numbering lists print the number themselves, so it is not in the
    paragraph's text) → number. Official headings and the variants the layout files list."""
    words: dict[str, set[str]] = {}
    bare: dict[str, str] = {}
    for layout in layouts:
        for sec in layout.sections:
            if not sec.number:
                continue
            words.setdefault(sec.number, set()).update(sec.heading_words or [sec.bare_heading])
            for h in [sec.bare_heading, *sec.heading_variants]:
                bare.setdefault(norm(h), sec.number)
    return {k: tuple(sorted(v)) for k, v in words.items()}, bare


_HEADINGS: dict[tuple, tuple[dict[str, tuple[str, ...]], dict[str, str]]] = {}


def heading_tables() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """_headings of the layouts in use, built once per set of layout files."""
    layouts = available_layouts()
    k = tuple((l.source, l.digest) for l in layouts)
    if k not in _HEADINGS:
        _HEADINGS[k] = _headings(layouts)
    return _HEADINGS[k]


_PUNCT = re.compile(r"[、，。：；,.:;“”\"'（）()〔〕\[\]《》\s]")


def _bare(s: str) -> str:
    return _PUNCT.sub("", s)


def heading_number(n: str, tables: tuple[dict[str, tuple[str, ...]], dict[str, str]] | None = None) -> str | None:
    """'一'…'六' when the normalised text is a section heading, else None. `tables`: heading_tables(),
    looked up once by a caller that asks for every line."""
    n = n.lstrip("#*>-")   # markdown headings and emphasis: ## 一、总体情况
    head_words, bare = tables or heading_tables()
    if n in bare:
        return bare[n]
    m = _HEAD.match(n)
    # a heading is short and is not a sentence: "一、总体情况的第一段。" is a paragraph
    if not m or len(m.group(2)) > 24 or any(p in n for p in "。；，！？"):
        return None
    num, rest = m.group(1), m.group(2)
    if any(w in rest for w in head_words.get(num, ())):
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
        # The table whose one data row has no label (四): its values follow its column headers
        # directly, and its column group labels (行政复议, 未经复议直接起诉…) announce it.
        self.bare_table: Table | None = next(
            (t for t in layout.tables.values() if t.data_rows and not any(r.label for r in t.data_rows)), None)
        self.bare_words: set[str] = set()
        self.bare_joined = ""
        if self.bare_table is not None:
            cstack = list(self.bare_table.columns)
            while cstack:
                c = cstack.pop()
                if c.children:
                    self.bare_words.add(norm(c.label))
                    cstack.extend(c.children)
            self.bare_joined = "".join(norm(c.label) for c in self.bare_table.columns if c.children)
        self._loose: dict = {}
        self._plain: dict = {}
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


def label_key(s: str) -> str:
    """A layout's label in the form the importer compares (gaixl.spec.detect uses it)."""
    return loose(norm(s))


def format_detection(norms: list[str], year: int | None = None) -> Detection:
    """Which format the labels show: each format's labels that not every format has, counted
    (gaixl.spec.detect: derived from the layout files, a new format needs no code here)."""
    return detect({loose(n) for n in norms}, label_key, year)


def format_votes(norms: list[str]) -> dict[str, int]:
    """How many distinct labels telling the formats apart each format shows."""
    return format_detection(norms).votes


_INDEXES: dict[tuple[str, str], Index] = {}


def index_for(layout_id: str) -> Index:
    """The label index of a layout (one per layout file content, built once)."""
    layout = load_layout(layout_id)
    k = (layout.source, layout.digest)
    if k not in _INDEXES:
        _INDEXES[k] = Index(layout)
    return _INDEXES[k]
