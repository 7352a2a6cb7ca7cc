"""Telling the official format from the labels a document shows — derived from the layout files.

Every label a layout prints (table captions, row labels and names, column headers) that not
every layout shares is evidence: a layout gets one vote for each of its labels that the document
shows. The layout with most votes is the format. A newer format that renames one row beats the
older one exactly by that row; formats that the labels cannot tell apart (the document shows
none of the labels that differ) are a tie, which the report year settles when it is known.

Callers compare labels their own way (the workbook reader and the importer normalise text
differently), so they pass `key`, which turns a layout's label into the form they collected.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gaixl.errors import UsageError
from gaixl.spec.load import available_layouts, layout_for_year
from gaixl.spec.model import Layout

Key = Callable[[str], str]


def layout_labels(layout: Layout) -> set[str]:
    """Every label the layout prints, as written in the file: captions, row labels and names
    (groups included), column headers (groups included)."""
    out: set[str] = set()
    for t in layout.tables.values():
        if t.caption:
            out.add(t.caption)
        rows = list(t.rows)
        while rows:
            r = rows.pop()
            out.update(x for x in (r.label, r.name) if x)
            rows.extend(r.children)
        cols = list(t.columns)
        while cols:
            c = cols.pop()
            out.update(x for x in (c.label, c.name) if x)
            cols.extend(c.children)
    return out


_KEYED: dict[tuple[str, str, int], frozenset[str]] = {}


def _keyed(layout: Layout, key: Key) -> frozenset[str]:
    k = (layout.source, layout.digest, id(key))
    if k not in _KEYED:
        _KEYED[k] = frozenset(x for x in (key(s) for s in layout_labels(layout)) if x)
    return _KEYED[k]


def telling_labels(key: Key, layouts: Iterable[Layout] | None = None) -> dict[str, frozenset[str]]:
    """Per layout id: its labels (through `key`) that not every layout has — the ones that vote."""
    ls = list(available_layouts() if layouts is None else layouts)
    keyed = {l.id: _keyed(l, key) for l in ls}
    common = frozenset.intersection(*keyed.values()) if keyed else frozenset()
    return {lid: ws - common for lid, ws in keyed.items()}


@dataclass
class Detection:
    votes: dict[str, int]                       # layout id → labels of it the document shows
    winners: list[str] = field(default_factory=list)   # the ids with most votes (empty: no vote)
    why: str = ""                               # a label that decided (the winner has it, the runner-up not)

    @property
    def id(self) -> str | None:
        """The format, when the labels (and the year, on a tie) tell it; else None."""
        return self.winners[0] if len(self.winners) == 1 else None


def detect(seen: Iterable[str], key: Key, year: int | None = None,
           layouts: Iterable[Layout] | None = None) -> Detection:
    """The format of a document whose labels (already through `key`) are `seen`."""
    seen = set(seen)
    telling = telling_labels(key, layouts)
    shown = {lid: ws & seen for lid, ws in telling.items()}
    votes = {lid: len(s) for lid, s in shown.items()}
    best = max(votes.values(), default=0)
    if best == 0:
        return Detection(votes)
    winners = [lid for lid, v in votes.items() if v == best]
    if len(winners) > 1 and year is not None:
        try:
            in_force = layout_for_year(year).id
        except UsageError:
            in_force = None
        if in_force in winners:
            winners = [in_force]
    why = ""
    if len(winners) == 1:
        others = [telling[lid] for lid, v in votes.items() if lid != winners[0] and v > 0]
        apart = sorted(s for s in shown[winners[0]] if not any(s in o for o in others))
        why = apart[0] if apart else sorted(shown[winners[0]])[0]
    return Detection(votes, winners, why)
