"""Reading a data file (.json) for `check`: values as published, understood and said.

A data file may come from `export` (clean numbers) or from a published report typed in by hand
or imported (“减5”, “3”, “—”, blanks, a row label with a typo). Totals are kept AS GIVEN, so the
validator checks them rather than recomputing them silently: this is how published reports with
wrong sums are caught.
"""
from __future__ import annotations

from pathlib import Path

from gaixl.findings import Finding
from gaixl.report.data import ReadResult, load_data_file
from gaixl.report.values import parse_cell
from gaixl.spec.load import load_layout


def read_datafile(path: str | Path):
    """A data file → ReadResult(kind="datafile") with every value parsed by its cell kind."""
    data = load_data_file(path)
    layout = load_layout(data.layout)
    findings: list[Finding] = []
    kinds = {}
    for t in layout.tables.values():
        for _r, c, (rk, ck) in t.cells():
            kinds[(t.group, rk, ck)] = c.kind
    for group, rows in data.tables.items():
        for rk, cols in (rows or {}).items():
            if not isinstance(cols, dict):
                findings.append(_unknown(group, rk, None, "不是“列名: 数值”形式的对象", "is not an object of column: value"))
                continue
            for ck, raw in cols.items():
                kind = kinds.get((group, rk, ck))
                if kind is None:
                    findings.append(_unknown(group, rk, ck, f"不是{layout.id}年版格式的项目，已忽略",
                                             f"is not a cell of the {layout.id} format; ignored"))
                    continue
                if raw is None:
                    continue
                value, problem = parse_cell(raw, kind)
                cols[ck] = value
                if problem is not None:
                    findings.append(Finding(
                        code=problem.code, severity=problem.severity, table=group,
                        message=f"表{group}（{rk} / {ck}）：{problem.message}",
                        message_en=f"table {group} ({rk} / {ck}): {problem.message_en}",
                        row=rk, column=ck, found=raw))
    return ReadResult(data=data, findings=findings, kind="datafile")


def _unknown(group: str, rk: str, ck: str | None, zh: str, en: str) -> Finding:
    where = f"{rk} / {ck}" if ck else rk
    return Finding(code="data-unknown-cell", severity="warning", table=group,
                   message=f"数据文件中的“表{group}（{where}）”{zh}", message_en=f"data file: table {group} ({where}) {en}",
                   row=rk, column=ck)
