"""Damaged copies of `pdftotext -layout` text, the way copies people pass around come damaged:
a whole data line lost (a copy-paste that skipped it, a page cut short), any line lost or doubled.
Shared by the tests and tests/measure_pdftext.py; deterministic for a given random.Random."""
from __future__ import annotations

import random
import re

MODES = ("data-line-lost", "lines-lost-or-doubled")


def _table_start(lines: list[str]) -> int:
    return next((i for i, ln in enumerate(lines) if "二、主动公开" in ln), 0)


def data_lines(lines: list[str]) -> list[int]:
    """Lines of the tables that carry a row's numbers (three or more numbers)."""
    a = _table_start(lines)
    return [i for i in range(a, len(lines)) if len(re.findall(r"\d+", lines[i])) >= 3]


def damaged(lines: list[str], rnd: random.Random, mode: str) -> list[str]:
    out = list(lines)
    if mode == "data-line-lost":
        del out[rnd.choice(data_lines(out))]
        return out
    if mode == "lines-lost-or-doubled":
        a = _table_start(out)
        for _ in range(rnd.randint(1, 3)):
            k = rnd.randrange(a, len(out))
            if rnd.random() < 0.7:
                del out[k]
            else:
                out.insert(k, out[k])
        return out
    raise ValueError(mode)


def compare(layout, want, got) -> tuple[int, list]:
    """(cells placed right, [(cell, expected, found)] placed wrong) of an import against the truth."""
    right, wrong = 0, []
    for ref in layout.cell_keys:
        a, b = want.value(layout, ref), got.value(layout, ref)
        if b is None:
            continue
        if a is None or abs(float(a) - float(b)) > 1e-9:
            wrong.append((ref, a, b))
        else:
            right += 1
    return right, wrong


def glued_report(layout, data, year: int) -> str:
    """A report as a portal's plain-text copy runs it together: every row's label followed by its
    numbers with nothing between them (`规章2520`, `一、本年新收政府信息公开申请数量2481295562…`)."""
    from gaixl.spec.rules import CellRef

    def fmt(v) -> str:
        if v is None:
            return ""
        return f"{v:g}" if isinstance(v, float) and v != int(v) else str(int(v))

    out = [f"测试县测试局{year}年政府信息公开工作年度报告"]
    for s in layout.sections:
        out.append(s.heading)
        if s.kind != "tables":
            out.append("本年度工作有序开展。")
            continue
        for key in s.tables:
            t = layout.tables[key]
            if t.caption:
                out.append(t.caption)
            out.append((t.corner or "") + "".join(c.label for c in t.data_columns))
            for r in t.data_rows:
                out.append((r.label or "") + "".join(fmt(data.value(layout, CellRef(key, r.key, c.key)))
                                                      for c in t.data_columns))
    return "\n".join(out) + "\n"


def published_mistakes(layout, data, rnd: random.Random, count: int) -> list:
    """Put `count` mistakes in tables 三 and 四 of `data`, as published reports carry them: a number
    off by 1, 9 or 10 — an item, or (one time in three) a total (a 总计 column or the （七）总计 row).
    Returns the cells changed. `data` is then the report as published: the truth an import is
    compared with."""
    from gaixl.spec.rules import CellRef

    changed: list = []
    while len(changed) < count:
        tk = rnd.choice(["t3", "t3", "t4"])
        t = layout.tables[tk]
        cells = [(r, c) for r in t.data_rows for c in t.data_columns]
        if rnd.random() < 1 / 3:
            cells = [(r, c) for r, c in cells if c.computed or r.computed] or cells
        r, c = rnd.choice(cells)
        ref = CellRef(tk, r.key, c.key)
        if ref in changed:
            continue
        old = data.value(layout, ref) or 0
        new = max(0, old + rnd.choice([-10, -1, 1, 9, 10]))
        data.set_value(layout, ref, new if new != old else old + 1)
        changed.append(ref)
    return changed
