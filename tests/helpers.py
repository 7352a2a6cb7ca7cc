"""Small builders shared by tests: consistent report data for either format."""
from __future__ import annotations

import random

from gaixl.report.data import ReportData
from gaixl.spec.model import Layout
from gaixl.spec.rules import CellRef, compute, input_cells


def consistent_data(layout: Layout, year: int, seed: int = 0, *, code: str = "TEST-01",
                    name: str = "测试县测试局") -> ReportData:
    """Random data that satisfies every rule of the layout (totals computed, 勾稽 balanced)."""
    rnd = random.Random(seed)
    d = ReportData.empty(layout, year, code, name)
    for ref, c in input_cells(layout):
        if c.kind == "signed":
            v = rnd.randint(0, 5)
        elif c.kind == "amount":
            v = round(rnd.uniform(0, 50), 2)
        elif c.kind == "money":
            v = round(rnd.uniform(0, 100000), 2)
        else:
            v = rnd.randint(0, 20)
        d.set_value(layout, ref, v)
    if "t3" in layout.tables:
        # 勾稽: 一 + 二 = （七）总计 + 四, per column: choose 四 (carried_out) to balance.
        t3 = layout.tables["t3"]
        for c in t3.data_columns:
            if c.computed:
                continue
            get = lambda key: d.number(layout, CellRef("t3", key, c.key))  # noqa: E731
            totals = compute(layout, lambda ref: d.number(layout, ref))
            results = totals[CellRef("t3", "results_total", c.key)]
            need = results - get("carried_in")
            carried_out = rnd.randint(0, 5)
            d.set_value(layout, CellRef("t3", "new", c.key), need + carried_out if need + carried_out >= 0 else 0)
            if need + carried_out < 0:
                d.set_value(layout, CellRef("t3", "carried_in", c.key), results + carried_out)
            d.set_value(layout, CellRef("t3", "carried_out", c.key), carried_out)
    for ref, v in compute(layout, lambda ref: d.number(layout, ref)).items():
        d.set_value(layout, ref, v)
    for s in layout.text_sections:
        d.text[s.heading] = [f"{s.heading}的第一段。", "第二段：本年度未收取信息处理费。"]
    d.signature = {"unit": name, "date": f"{year + 1}-01-20"}
    d.contact = {"contact": "张三", "phone": "0578-1234567"}
    return d


def sparse_data(layout: Layout, year: int, seed: int = 0, *, code: str = "TEST-01",
                name: str = "测试县测试局") -> ReportData:
    """Consistent data as most published reports hold it: mostly zeros (whole rows of 0), a few
    small counts, the natural-person column busiest — rows of equal numbers are common, which is
    what makes a row's numbers easy to take for a neighbour's."""
    rnd = random.Random(seed)
    d = ReportData.empty(layout, year, code, name)
    for ref, c in input_cells(layout):
        if rnd.random() < (0.4 if ref.col == "natural" else 0.7):
            v: float = 0
        elif c.kind == "signed":
            v = rnd.randint(-3, 5)
        elif c.kind in ("amount", "money"):
            v = round(rnd.uniform(0, 9), 1)
        else:
            v = rnd.randint(1, 30)
        d.set_value(layout, ref, v)
    if "t3" in layout.tables:
        for c in layout.tables["t3"].data_columns:
            if c.computed:
                continue
            totals = compute(layout, lambda ref: d.number(layout, ref))
            results = totals[CellRef("t3", "results_total", c.key)]
            carried_in = d.number(layout, CellRef("t3", "carried_in", c.key)) or 0
            carried_out = rnd.choice([0, 0, 0, 1, 2])
            new = results + carried_out - carried_in
            if new < 0:
                d.set_value(layout, CellRef("t3", "carried_in", c.key), results + carried_out)
                new = 0
            d.set_value(layout, CellRef("t3", "new", c.key), new)
            d.set_value(layout, CellRef("t3", "carried_out", c.key), carried_out)
    for ref, v in compute(layout, lambda ref: d.number(layout, ref)).items():
        d.set_value(layout, ref, v)
    d.signature = {"unit": name, "date": f"{year + 1}-01-20"}
    return d
