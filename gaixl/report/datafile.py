"""Reading a data file (.json) for `check`: values as published, understood and said.

A data file may come from `export` (clean numbers) or from a published report typed in by hand
or imported (“减5”, “3”, “—”, blanks, a row label with a typo). Totals are kept AS GIVEN, so the
validator checks them rather than recomputing them silently: this is how published reports with
wrong sums are caught.
"""
from __future__ import annotations

from pathlib import Path

from gaixl.errors import DataFileError
from gaixl.findings import Finding
from gaixl.report.data import ReadResult, load_data_file
from gaixl.report.values import parse_cell
from gaixl.spec.load import load_layout

# A report has about 200 cells; a data file with ten times that many entries is not a report's
# data file (and one finding each would bury the reader in lines): refused, the limit named.
MAX_ENTRIES_PER_CELL = 10
# Past this many cells that are not the layout's, the rest are counted in one finding.
SHOWN_UNKNOWN = 20


def read_datafile(path: str | Path):
    """A data file → ReadResult(kind="datafile") with every value parsed by its cell kind."""
    data = load_data_file(path)
    layout = load_layout(data.layout)
    findings: list[Finding] = []
    kinds = {}
    for t in layout.tables.values():
        for _r, c, (rk, ck) in t.cells():
            kinds[(t.group, rk, ck)] = c.kind
    entries = sum(len(cols) if isinstance(cols, dict) else 1 for rows in data.tables.values()
                  for cols in (rows or {}).values())
    limit = MAX_ENTRIES_PER_CELL * len(kinds)
    if entries > limit:
        raise DataFileError(f"refused: the tables hold {entries:,} entries (at most {limit:,}; the "
                            f"{layout.id} format has {len(kinds)} cells)", where=str(path),
                            zh=f"拒绝读取：表格共有{entries:,}项（上限{limit:,}项；{layout.id}年版格式共{len(kinds)}个单元格），"
                               "不像是年度报告的数据文件")
    unknown = 0
    for group, rows in data.tables.items():
        for rk, cols in (rows or {}).items():
            if not isinstance(cols, dict):
                unknown += 1
                if unknown <= SHOWN_UNKNOWN:
                    findings.append(_unknown(group, rk, None, "不是“列名: 数值”形式的对象",
                                             "is not an object of column: value"))
                continue
            for ck, raw in cols.items():
                kind = kinds.get((group, rk, ck))
                if kind is None:
                    unknown += 1
                    if unknown <= SHOWN_UNKNOWN:
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
    if unknown > SHOWN_UNKNOWN:
        more = unknown - SHOWN_UNKNOWN
        findings.append(Finding(code="data-unknown-cell", severity="warning", table="meta",
                                message=f"数据文件中另有{more:,}项不是{layout.id}年版格式的项目，均已忽略（以上仅列出前{SHOWN_UNKNOWN}项）",
                                message_en=f"data file: {more:,} more entries are not cells of the {layout.id} format; "
                                           f"all ignored (only the first {SHOWN_UNKNOWN} are listed)",
                                found=unknown))
    return ReadResult(data=data, findings=findings, kind="datafile")


def _unknown(group: str, rk: str, ck: str | None, zh: str, en: str) -> Finding:
    where = f"{rk} / {ck}" if ck else rk
    return Finding(code="data-unknown-cell", severity="warning", table=group,
                   message=f"数据文件中的“表{group}（{where}）”{zh}", message_en=f"data file: table {group} ({where}) {en}",
                   row=rk, column=ck)
