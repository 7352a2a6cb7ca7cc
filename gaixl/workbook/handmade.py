"""Reading a workbook by its labels: the official row labels and column headers, wherever they
are. For workbooks not made by gaixl (the county's old hand-made sheet, an .xls) and for
templates whose defined names or metadata were damaged.

Labels are compared after normalisation (values.norm_label: half/full-width forms, spaces and
line breaks, '1、' numbering, known variants). A row is found by its label, preferring the
cell whose parent labels (merged to its left) match; a column by its header, preferring the
cell whose group headers (merged above it) match and, among equals, the nearest one above the
row — so tables stacked on one sheet with the same headers (2019 二（五）（六）（八）) and the
three 结果维持 of table 四 are told apart. The value is read where row and column meet.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from gaixl.errors import WorkbookError
from gaixl.findings import Finding
from gaixl.report.data import CONTACT_FIELDS, ReportData
from gaixl.report.values import (
    YEAR_MAX,
    YEAR_MIN,
    Problem,
    loose_label,
    norm_label,
    parse_cell,
    parse_date,
    report_year,
    text_of,
)
from gaixl.spec.detect import Detection, detect
from gaixl.spec.load import available_layouts, load_layout
from gaixl.spec.model import Layout, Table
from gaixl.spec.rules import CellRef, computed_cells
from gaixl.workbook import names
from gaixl.workbook.xlsx import Sheet, addr, split_addr

CONTACT_KEYS = [k for k, _ in CONTACT_FIELDS]


def cell_finding(problem, table: Table, sheet: str, cell: str, rk: str, ck: str, raw) -> Finding:
    where = f"{sheet}!{cell}（{rk} / {ck}）"
    return Finding(code=problem.code, severity=problem.severity, table=table.group,
                   message=f"{where}：{problem.message}", message_en=f"{where}: {problem.message_en}",
                   sheet=sheet, cell=cell, row=rk, column=ck, found=text_of(raw))


def meta_finding(code: str, severity: str, zh: str, en: str, **kw) -> Finding:
    return Finding(code=code, severity=severity, table=kw.pop("table", "meta"), message=zh, message_en=en, **kw)


def table_missing(t: Table, sheet: str | None, layout: Layout | None = None) -> Finding:
    """Table `t` was not found. It is named by its caption, else by its section's heading."""
    heading = next((s.bare_heading for s in (layout.sections if layout else []) if t.key in s.tables), None)
    what = t.caption or heading or t.key
    return meta_finding("table-missing", "error", f"未找到表{t.group}“{what}”，其数据按空白处理",
                         f"table {t.group} ({what}) was not found; its cells are blank", table=t.group, sheet=sheet)


# Functions that fetch from outside or run something (a cached result from them is whatever the
# sender's machine — or the sender — put there), and references to other files or DDE links.
_EXTERNAL = re.compile(r"\b(WEBSERVICE|FILTERXML|HYPERLINK|INDIRECT|CALL|REGISTER(?:\.ID)?|EXEC|RTD|DDE\w*|"
                       r"IMPORT(?:XML|DATA|HTML|RANGE|FEED)|INFO|CELL|ENCODEURL)\s*\(|\[[^\]]*\]|\||https?:|file:",
                       re.IGNORECASE)


def input_formula(formula: str, template: bool) -> Problem | None:
    """What to say about a formula in a cell meant for a typed number. A formula that reaches
    outside the file (WEBSERVICE, a link to another workbook, DDE `cmd|…`) is an error and its
    cached result is NOT used; in a template any other formula is a warning (its cached result
    is used, and said); a hand-made workbook's own sums (=B3+B4) are normal and pass."""
    shown = formula if len(formula) <= 60 else formula[:57] + "…"
    if _EXTERNAL.search(formula):
        return Problem("cell-formula-external", "error",
                       f"填报单元格中含有引用外部数据的公式“={shown}”，其保存的结果未被采用；请直接填写数值",
                       f"the input cell holds a formula reaching outside the file (={shown}); its cached result "
                       "is not used; type the number")
    if template:
        return Problem("cell-formula-input", "warning",
                       f"填报单元格中填写的是公式“={shown}”，已采用文件中保存的计算结果；请直接填写数值",
                       f"the input cell holds a formula (={shown}); its cached result is used; type the number")
    return None


def year_invalid(found, sheet: str | None = None, cell: str | None = None) -> Finding:
    """The finding for a report year outside YEAR_MIN..YEAR_MAX (−1, 0, 99999, 1e20): the year is
    then unknown, never carried into dates or file names."""
    shown = text_of(found)
    shown = shown if len(shown) <= 20 else shown[:20] + "…"
    return meta_finding("year-invalid", "error", f"报告年度“{shown}”无效，应为{YEAR_MIN}至{YEAR_MAX}之间的年份",
                        f"the report year {shown!r} is invalid; expected a year from {YEAR_MIN} to {YEAR_MAX}",
                        sheet=sheet, cell=cell, expected=f"{YEAR_MIN}..{YEAR_MAX}", found=shown)


def to_int(v) -> int | None:
    try:
        return int(float(str(v).strip()))
    except (TypeError, ValueError, OverflowError):      # OverflowError: "1e400", 5,000 digits
        return None


class SheetIndex:
    """One sheet prepared for finding labels: values by (row, col), merged boxes, text index."""

    def __init__(self, sheet: Sheet):
        self.name = sheet.name
        self.values = sheet.grid()
        self.boxes: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        self.covered: set[tuple[int, int]] = set()       # cells inside a merge, top-left excluded
        for r1, c1, r2, c2 in sheet.merges:
            self.boxes[(r1, c1)] = (r1, c1, r2, c2)
            if (r2 - r1 + 1) * (c2 - c1 + 1) <= 400:
                self.covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
                self.covered.discard((r1, c1))
        self.exact: dict[str, list[tuple[int, int]]] = {}
        self.loose: dict[str, list[tuple[int, int]]] = {}
        for rc, v in self.values.items():
            if isinstance(v, str):
                n = norm_label(v)
                if n:
                    self.exact.setdefault(n, []).append(rc)
                    self.loose.setdefault(loose_label(n), []).append(rc)

    def box(self, rc: tuple[int, int]) -> tuple[int, int, int, int]:
        return self.boxes.get(rc, (rc[0], rc[1], rc[0], rc[1]))

    def span(self, rc: tuple[int, int]) -> tuple[int, int]:
        """Columns a header covers: its merged range; unmerged, up to the next filled cell of
        its row (a group label typed once over blank cells, as people do without merging)."""
        b = self.boxes.get(rc)
        if b is not None:
            return b[1], b[3]
        r, c = rc
        end = c
        while end - c < 15 and (r, end + 1) not in self.values and (r, end + 1) not in self.covered:
            end += 1
        return c, end

    def find(self, label: str) -> list[tuple[tuple[int, int], int]]:
        """Cells holding a label: exact matches score 2, matches without a trailing note 1."""
        n = norm_label(label)
        hits = [(rc, 2) for rc in self.exact.get(n, [])]
        seen = {rc for rc, _ in hits}
        hits += [(rc, 1) for rc in self.loose.get(loose_label(n), []) if rc not in seen]
        return hits

    def has_above(self, label: str, rc: tuple[int, int]) -> bool:
        """A header `label` above rc whose (merged) columns cover rc's column."""
        return any(r < rc[0] and self.span((r, c))[0] <= rc[1] <= self.span((r, c))[1]
                   for (r, c), _s in self.find(label))

    def has_left(self, label: str, rc: tuple[int, int]) -> bool:
        """A row label `label` left of rc whose (merged) rows cover rc's row."""
        return any(c < rc[1] and self.box((r, c))[0] <= rc[0] <= self.box((r, c))[2]
                   for (r, c), _s in self.find(label))


def _paths(nodes, parents=()):
    """(leaf, labels of its ancestors nearest first) for a row or column tree."""
    for n in nodes:
        if n.children:
            yield from _paths(n.children, ((n.label,) if n.label else ()) + parents)
        else:
            yield n, parents


def locate_table(ix: SheetIndex, t: Table) -> dict | None:
    """Where a table's data cells are on one sheet, by labels: {"sheet", "cells": {(row key,
    column key): "D7"}, "found": n}. None when no row of it is found."""
    rows: dict[str, int] = {}
    for r, parents in _paths(t.rows):
        if not r.label:
            continue
        best = None
        for rc, score in ix.find(r.label):
            s = score + sum(1 for p in parents if ix.has_left(p, rc))
            if best is None or s > best[0]:
                best = (s, rc)
        if best is not None:
            rows[r.key] = best[1][0]
    headers = []
    for c, parents in _paths(t.columns):
        cands = []
        for rc, score in ix.find(c.label):
            cands.append((score + sum(1 for p in parents if ix.has_above(p, rc)), rc))
        cands.sort(key=lambda x: (-x[0], -x[1][0]))
        headers.append((c, cands))
    if not any(r.label for r in t.data_rows):
        # A table without row labels (四): its one data row is right under the header leaves.
        picks = [cands[0][1] for _c, cands in headers if cands]
        if len(picks) < len(headers) / 2:
            return None
        below = max(ix.box(rc)[2] for rc in picks) + 1
        rows = {r.key: below for r in t.data_rows}
    if not rows:
        return None
    cells: dict[tuple[str, str], str] = {}
    for r in t.data_rows:
        rr = rows.get(r.key)
        if rr is None:
            continue
        used: set = set()                   # one header cell serves one column
        for c, cands in headers:
            pick = next((rc for _s, rc in cands if rc[0] < rr and rc not in used), None)
            if pick is None:
                continue
            used.add(pick)
            _r1, c1, _r2, c2 = ix.box(pick)
            col = next((cc for cc in range(c1, c2 + 1) if (rr, cc) in ix.values), c1)
            cells[(r.key, c.key)] = addr(rr, col)
    return {"sheet": ix.name, "cells": cells, "found": len(cells)}


def _label_key(s: str) -> str:
    return loose_label(norm_label(s))


def detect_layout(indexes: list[SheetIndex]) -> Detection:
    """The format by the labels the sheets show (gaixl.spec.detect: derived from the layouts)."""
    return detect({n for ix in indexes for n in ix.loose}, _label_key)


@dataclass
class LabelRead:
    """What reading by labels gives (gaixl.workbook.read wraps it in a ReadResult)."""

    layout: Layout
    data: ReportData
    findings: list[Finding]
    locator: dict
    text_locator: dict
    info_locator: dict
    uncached: list[CellRef] = field(default_factory=list)   # totals: formulas without a saved result


def read_by_labels(path: Path, sheets: list[Sheet], layout: Layout | None, date1904: bool) -> LabelRead:
    """Every table of the official format found by its labels on any sheet; totals as given."""
    where = str(path)
    indexes = [SheetIndex(s) for s in sheets if s.name not in (names.CHECK_SHEET, names.GUIDE_SHEET)]
    findings = [meta_finding("not-gaixl-workbook", "info",
                              "本文件不是由本系统生成的模板，已按官方格式的表格标签读取，合计数按填写值校验",
                              "not a gaixl template: read by the official labels; totals are checked as given")]
    if layout is None:
        detection = detect_layout(indexes)
        why = detection.why
        candidates = [load_layout(lid) for lid in detection.winners] or available_layouts()
    else:
        candidates, why = [layout], ""
    best = None
    for cand in candidates:
        located = {}
        for t in cand.tables.values():
            options = [x for x in (locate_table(ix, t) for ix in indexes) if x]
            if options:
                located[t.key] = max(options, key=lambda x: x["found"])
        total = sum(x["found"] for x in located.values())
        if best is None or total > best[0]:
            best = (total, cand, located)
    if best is None or best[0] == 0:
        raise WorkbookError("not a report workbook: no table of the official format found", where=where,
                            zh="不是年度报告工作簿：未找到符合规定格式的表格")
    _total, layout, located = best
    if len(candidates) > 1 or why:
        findings.append(meta_finding(
            "layout-detected", "info", f"按{layout.id}年版格式读取" + (f"（依据：“{why}”）" if why else ""),
            f"read as the {layout.id} format" + (f" (because of {why!r})" if why else "")))
    by_name = {ix.name: ix for ix in indexes}
    info, info_locator = _info_by_labels(indexes)
    year = to_int(re.sub(r"[^\d.]", "", info.get("year", ""))) if info.get("year") else None
    unit_name = info.get("unit", "")
    if year is None or not unit_name:
        t_unit, t_year = _title(indexes)
        year = year if year is not None else t_year
        unit_name = unit_name or t_unit
    if year is not None and report_year(year) is None:
        findings.append(year_invalid(info.get("year") or year, *info_locator.get("year", (None, None))))
        year = None
    elif year is None:
        findings.append(meta_finding("year-unknown", "warning", "未能在文件中找到报告年度",
                                      "the report year was not found in the file"))
    data = ReportData(layout=layout.id, year=year or 0, unit={"code": info.get("code", ""), "name": unit_name})
    locator: dict = {}
    sheet_of = {sh.name: sh for sh in sheets}
    formulas = computed_cells(layout)
    uncached: list[CellRef] = []            # totals that are formulas without a saved result
    for t in layout.tables.values():
        found = located.get(t.key)
        group = data.tables.setdefault(t.group, {})
        if found is None:
            findings.append(table_missing(t, None, layout))
        missing = []
        for r, c, (rk, ck) in t.cells():
            a = found["cells"].get((r.key, c.key)) if found else None
            group.setdefault(rk, {})[ck] = None
            if a is None:
                if found:
                    missing.append(f"{rk} / {ck}")
                continue
            assert found is not None                      # (a cell address was found in it)
            ref = CellRef(t.key, r.key, c.key)
            locator[ref] = (found["sheet"], a)
            raw = by_name[found["sheet"]].values.get(split_addr(a))
            cell = sheet_of[found["sheet"]].cells.get(a)
            if raw is None and ref in formulas:
                if cell is not None and cell.formula is not None:
                    uncached.append(ref)
            elif cell is not None and cell.formula and ref not in formulas:
                problem = input_formula(cell.formula, template=False)
                if problem is not None:
                    findings.append(cell_finding(problem, t, found["sheet"], a, rk, ck, "=" + cell.formula))
                    if problem.severity == "error":
                        raw = None
            value, problem = parse_cell(raw, c.kind)
            if problem is not None:
                findings.append(cell_finding(problem, t, found["sheet"], a, rk, ck, raw))
            group[rk][ck] = value
        if missing and found:                           # (missing cells are listed only in a found table)
            findings.append(meta_finding(
                "label-missing", "warning", f"表{t.group}中未找到以下项目，按空白处理：{'；'.join(missing[:5])}"
                + ("等" if len(missing) > 5 else ""), f"table {t.group}: not found, read as blank: {'; '.join(missing[:5])}",
                table=t.group, sheet=found["sheet"]))
    text_locator = _text_by_labels(layout, indexes, data)
    raw_date = info.get("date_raw")
    date = parse_date(raw_date, date1904) if raw_date is not None else None
    data.signature = {"unit": unit_name, "date": date or text_of(raw_date).strip()}
    data.contact = {k: info[k] for k in CONTACT_KEYS if info.get(k)}
    return LabelRead(layout, data, findings, locator, text_locator, info_locator, uncached)


def _info_by_labels(indexes: list[SheetIndex]) -> tuple[dict, dict]:
    """基本信息 fields: a label cell (填报单位, 联系人, …) and the first value to its right,
    or the text after a colon in the label cell itself (“填报单位：某某局”)."""
    out, locator = {}, {}
    for key, label, _locked in names.INFO_FIELDS:
        for ix in indexes:
            hit = None
            for (r, c), _s in ix.find(label):
                right = ix.box((r, c))[3]
                nxt = next(((r, cc) for cc in range(right + 1, right + 4) if (r, cc) in ix.values), None)
                if nxt is not None:
                    hit = (nxt, ix.values[nxt])
                    break
            if hit is None:
                for n, cells in ix.exact.items():
                    if n.startswith(norm_label(label) + "：") and len(n) > len(label) + 1:
                        rc = cells[0]
                        hit = (rc, text_of(ix.values[rc]).split("：", 1)[-1].split(":", 1)[-1])
                        break
            if hit is not None:
                (rc, value) = hit
                locator[key] = (ix.name, addr(*rc))
                if key == "date":
                    out["date_raw"] = value
                else:
                    out[key] = text_of(value).strip()
                break
    return out, locator


_PARA_NO = re.compile(r"^第\d+段$")
_TITLE = re.compile(r"^(.*?)(20\d\d)年度?政府信息公开(?:工作)?年度报告")


def _title(indexes: list[SheetIndex]) -> tuple[str, int | None]:
    """Unit and year from a title like “某某局2020年政府信息公开工作年度报告”."""
    for ix in indexes:
        for v in ix.values.values():
            if isinstance(v, str):
                m = _TITLE.match("".join(v.split()))
                if m:
                    return m[1].strip("《》“” "), int(m[2])
    return "", None


def _text_by_labels(layout: Layout, indexes: list[SheetIndex], data: ReportData) -> dict:
    """Narrative of a hand-made workbook: a sheet named like the section, or the text cells
    under a cell holding the section heading (until the next heading)."""
    headings = {norm_label(s.heading) for s in layout.sections}
    out: dict = {}         # section key → sheet; (section key, paragraph index) → cell
    for s in layout.text_sections:
        paras: list[str] = []
        for ix in indexes:
            if norm_label(ix.name) in (norm_label(s.sheet), norm_label(s.heading)):
                # The sheet of this section: its text cells in reading order, without headings,
                # the prompt and the row/column captions of a gaixl text sheet.
                skip = headings | {norm_label(s.prompt), "段落", norm_label("内容（每段一个单元格）")}
                cells = sorted((rc for rc, v in ix.values.items() if isinstance(v, str)))
                kept = [rc for rc in cells
                        if norm_label(ix.values[rc]) not in skip and not _PARA_NO.match(str(ix.values[rc]))
                        and text_of(ix.values[rc]).strip()]
                paras = [text_of(ix.values[rc]).rstrip() for rc in kept]
                out.update({(s.key, i): addr(*rc) for i, rc in enumerate(kept)})   # paragraph → cell
                out[s.key] = ix.name
                break
            hits = ix.exact.get(norm_label(s.heading))
            if hits:
                r0, c0 = hits[0]
                for r in range(r0 + 1, r0 + 500):
                    v = ix.values.get((r, c0))
                    if isinstance(v, str) and norm_label(v) in headings:
                        break
                    if v is not None and text_of(v).strip():
                        out[(s.key, len(paras))] = addr(r, c0)
                        paras.append(text_of(v).rstrip())
                out[s.key] = ix.name
                break
        data.text[s.heading] = paras
    return out
