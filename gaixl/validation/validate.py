"""The validator: every layout rule re-computed in Python, plus the checks a layout
declares on narrative sections, the report date and the metadata.

Findings are collected, never raised. The same rule text that becomes the template's
check formulas is evaluated here (gaixl.spec.rules), so the two cannot drift apart.
"""
from __future__ import annotations

import datetime as dt
import re

from gaixl.findings import Finding
from gaixl.report.data import ReportData
from gaixl.report.values import has_text, report_year
from gaixl.spec.load import layout_for_year
from gaixl.spec.model import Layout
from gaixl.spec.rules import CellRef, compute, computed_cells, computed_rules, evaluate, expand_checks
from gaixl.validation.textcopy import stale_year
from gaixl.validation.textnumbers import check_text_numbers

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
Locator = dict  # CellRef -> (sheet, "D7")


def cell_label(layout: Layout, ref: CellRef) -> tuple[str, str]:
    t = layout.tables[ref.table]
    return t.data_key(t.row(ref.row), t.column(ref.col))


def _where(layout: Layout, ref: CellRef, locator: Locator | None) -> tuple[str | None, str | None, str]:
    """(sheet, cell, human label) of a cell: '三、申请情况!J28（三、（七）总计 / 总计）'."""
    rk, ck = cell_label(layout, ref)
    group = layout.tables[ref.table].group
    sheet, cell = (locator or {}).get(ref, (None, None))
    place = f"{sheet}!{cell}" if sheet else f"表{group}"
    return sheet, cell, f"{place}（{rk} / {ck}）"


def _fmt(v) -> str:
    if v is None:
        return "空白"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def rule_values(data: ReportData, layout: Layout, uncomputable=frozenset()) -> tuple[dict, dict]:
    """The numbers the rules see: CellRef → number (blank = 0), and the blank totals.

    A total left blank beside non-zero values (published reports do this) is said once
    (total-blank); the other rules see the sum it should hold. `uncomputable` are inputs of a
    template holding text the spreadsheet cannot add (减3, ３, 无): there the template's totals
    are #VALUE! and its checks ✗, so here they are NaN and every check over them fails."""
    formulas = computed_cells(layout)
    raw = data.raw_values(layout)
    numbers = {ref: (v if v.__class__ in (int, float) else 0) for ref, v in raw.items()}
    blanks: dict[CellRef, float] = {}
    for ref, tree in formulas.items():
        if raw[ref] is None:
            expected = evaluate(tree, numbers.__getitem__)
            if expected:
                blanks[ref] = numbers[ref] = expected
    if uncomputable:
        nan = float("nan")
        for ref in uncomputable:
            numbers[ref] = nan
        for ref, v in compute(layout, numbers.__getitem__).items():
            if v != v:
                numbers[ref] = nan
    return numbers, blanks


def check_rules(data: ReportData, layout: Layout, locator: Locator | None = None,
                uncomputable: set | frozenset = frozenset(), sheet_values: dict | None = None) -> list[Finding]:
    """Every rule of the layout on the numbers of `data` (see rule_values), or, for a gaixl
    template, on `sheet_values`: the numbers its own check formulas see (ReadResult.sheet_values),
    so that the workbook and this fail the same checks."""
    findings: list[Finding] = []
    blank_totals: dict
    if sheet_values is not None:
        numbers, blank_totals = sheet_values, {}
    else:
        numbers, blank_totals = rule_values(data, layout, uncomputable)
    for ref, expected in blank_totals.items():
        sheet, cell, label = _where(layout, ref, locator)
        rk, ck = cell_label(layout, ref)
        findings.append(Finding(
            code="total-blank", severity="error", table=layout.tables[ref.table].group,
            message=f"{label}：合计栏为空白，但各分项之和为 {_fmt(expected)}，请填写合计",
            message_en=f"{label}: the total is blank but its items add up to {_fmt(expected)}",
            sheet=sheet, cell=cell, row=rk, column=ck, expected=_num(expected), found=None))
    for check in expand_checks(layout):
        ok, found, expected = check.run_on(numbers)
        if ok or check.at in blank_totals:
            continue
        rule = check.rule
        sheet, cell, label = _where(layout, check.at, locator)
        rk, ck = cell_label(layout, check.at)
        if found != found or expected != expected:   # NaN: a cell it needs is not a number
            findings.append(Finding(
                code=rule.id, severity=rule.severity, table=layout.tables[check.table].group,
                message=f"{label}：无法校验“{rule.hint}”，所涉单元格中有不是数值的内容，请先改正",
                message_en=f"{label}: cannot check “{rule.message_en}”: a cell it needs is not a number",
                sheet=sheet, cell=cell, row=rk, column=ck))
            continue
        op = _op(check)
        detail = f"（{_OP_ZH[op]} {_fmt(expected)}，实为 {_fmt(found)}）" if expected is not None else ""
        detail_en = f" (expected {_OP_EN[op]}{_fmt(expected)}, found {_fmt(found)})" if expected is not None else ""
        findings.append(Finding(
            code=rule.id, severity=rule.severity, table=layout.tables[check.table].group,
            message=f"{label}：{rule.message}{detail}", message_en=f"{label}: {rule.message_en}{detail_en}",
            sheet=sheet, cell=cell, row=rk, column=ck, expected=expected, found=found))
    return findings


_OP_ZH = {"==": "应为", "!=": "不应为", ">=": "应不小于", ">": "应大于", "<=": "应不大于", "<": "应小于"}
_OP_EN = {"==": "", "!=": "not ", ">=": "≥ ", ">": "> ", "<=": "≤ ", "<": "< "}
_FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">"}


def _op(check) -> str:
    """The comparison as seen from the cell the finding points at (found OP expected)."""
    from gaixl.spec.rules import refs_of

    e = check.expr
    if e[0] != "cmp":
        return "=="
    if check.at in refs_of(e[3]) and check.at not in refs_of(e[2]):
        return _FLIP.get(e[1], e[1])
    return e[1]


def _num(v):
    return int(v) if isinstance(v, float) and v.is_integer() else v


def lost_totals(data: ReportData, layout: Layout) -> list[Finding]:
    """The totals of `data` a template cannot keep: its totals are formulas, so a total given
    differently from the sum of its items (or left blank) is recomputed when the data fill a
    template. Said, so that a published report's wrong sum is not lost without a word."""
    formula_rules = {r.id for r in computed_rules(layout)} | {"total-blank"}
    return [f for f in check_rules(data, layout) if f.code in formula_rules]


def check_text(data: ReportData, layout: Layout, text_locator: dict | None = None) -> list[Finding]:
    """Narrative sections: present, mentioning what the format requires (2021: 信息处理费), and
    stating the same figures as the tables (text-table-mismatch)."""
    out = []
    for s in layout.text_sections:
        paras = [p for p in data.text.get(s.heading, []) if has_text(p)]
        sheet = (text_locator or {}).get(s.key)
        if not paras:
            zh_hint = "；没有需要报告的事项的，请填写“无”" if s.required != "error" else ""
            out.append(Finding(code="text-empty", severity=s.required, table="text",
                               message=f"第{s.heading[0]}部分“{s.heading}”未填写{zh_hint}",
                               message_en=f"section “{s.heading}” is empty", sheet=sheet, row=s.heading))
            continue
        body = "".join(paras)
        for m in s.mentions:
            if m.text not in body and body.strip() not in ("无", "无。"):
                out.append(Finding(code=m.code, severity=m.severity, table="text", message=m.message,
                                   message_en=m.message_en, sheet=sheet, row=s.heading, expected=m.text))
    return out + check_text_numbers(data, layout, text_locator) + stale_year(data, layout, text_locator)


_DATE = re.compile(r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str) -> dt.date | None:
    m = _DATE.match(text or "")
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def check_meta(data: ReportData, layout: Layout, info_locator: dict | None = None) -> list[Finding]:
    """Unit, year/format agreement and the report date (published 1 Jan – 31 Mar of the next year)."""
    out = []
    loc = info_locator or {}
    if not data.unit.get("name"):
        out.append(Finding(code="meta-unit-missing", severity="error", table="meta", message="未填写填报单位名称",
                           message_en="the reporting unit's name is missing", sheet=(loc.get("unit") or (None,))[0],
                           cell=(loc.get("unit") or (None, None))[1]))
    try:
        right = layout_for_year(data.year)
    except Exception:  # a year before any format: said below
        right = None
    if (right.id if right else None) != data.layout:
        sheet, cell = loc.get("year", (None, None))
        if right is not None:
            use = (f"{data.year}年度报告应使用{right.id}年版格式（{right.notice}）的模板，本文件为{data.layout}年版格式"
                   f"（{layout.notice}，适用于{layout.years_text}年度），请改用{right.id}年版格式的模板填报")
            use_en = (f"a {data.year} report must use the {right.id} format ({right.notice}); this file uses "
                      f"{data.layout} ({layout.years_text}): fill in a template of the {right.id} format")
        else:
            use = f"没有适用于{data.year}年度报告的规定格式，本文件为{data.layout}年版格式"
            use_en = f"no official format covers report year {data.year}; this file uses {data.layout}"
        out.append(Finding(code="layout-year-mismatch", severity="error", table="meta", message=use, message_en=use_en,
                           sheet=sheet, cell=cell, expected=right.id if right else None, found=data.layout))
    sheet, cell = loc.get("date", (None, None))
    raw = (data.signature or {}).get("date") or ""
    if not raw:
        out.append(Finding(code="date-missing", severity="warning", table="meta", message="未填写报告日期",
                           message_en="the report date is missing", sheet=sheet, cell=cell))
        return out
    d = parse_date(raw)
    if d is None:
        out.append(Finding(code="date-unreadable", severity="warning", table="meta",
                           message=f"报告日期“{raw}”无法识别，请按“2026-01-20”格式填写",
                           message_en=f"cannot read the report date {raw!r}", sheet=sheet, cell=cell, found=raw))
        return out
    if report_year(data.year) is None:       # unknown or invalid year: said by the reader
        return out
    lo, hi = dt.date(data.year + 1, 1, 1), dt.date(data.year + 1, 3, 31)
    if not lo <= d <= hi:
        out.append(Finding(code="date-out-of-window", severity="warning", table="meta",
                           message=f"报告日期{d.isoformat()}不在{lo.isoformat()}至{hi.isoformat()}之间（{data.year}年度报告应于次年1月1日至3月31日间发布）",
                           message_en=f"report date {d.isoformat()} is outside {lo.isoformat()}–{hi.isoformat()}",
                           sheet=sheet, cell=cell, expected=f"{lo.isoformat()}..{hi.isoformat()}", found=d.isoformat()))
    return out


def check_blanks(data: ReportData, layout: Layout, locator: Locator | None = None) -> list[Finding]:
    """Blank input cells: counted as 0, said once per data row so nothing is invented silently."""
    tables = data.tables
    rows: dict[tuple[str, str], list] = {}
    for group, rk, cells in _input_rows(layout):
        row = tables.get(group, {}).get(rk)
        if not isinstance(row, dict):
            rows.setdefault((group, rk), []).extend(cells)
            continue
        for ref, ck in cells:
            if row.get(ck) is None:
                rows.setdefault((group, rk), []).append((ref, ck))
    out = []
    for (group, rk), cells in rows.items():
        blanks = [ck for _ref, ck in cells]
        sheet, cell, _label = _where(layout, cells[0][0], locator)
        out.append(Finding(code="cell-blank", severity="info", table=group,
                           message=f"{rk}：{'、'.join(blanks)} 为空白，按0计算（未发生的请填写0）",
                           message_en=f"{rk}: {', '.join(blanks)} blank, counted as 0",
                           sheet=sheet, cell=cell, row=rk, column=blanks[0] if len(blanks) == 1 else None))
    return out


_INPUT_KEYS: dict[int, tuple] = {}


def _input_rows(layout: Layout) -> list[tuple[str, str, list[tuple[CellRef, str]]]]:
    """The layout's input cells (not computed) in the layout's order, in runs that live in one
    data row: (group, row key, [(cell, column key)…]); made once per layout, not per file."""
    hit = _INPUT_KEYS.get(id(layout))
    if hit is not None and hit[0] is layout:
        return hit[1]
    formulas = computed_cells(layout)
    rows: list[tuple[str, str, list[tuple[CellRef, str]]]] = []
    for ref, (g, rk, ck) in layout.cell_keys.items():
        if ref not in formulas:
            if not rows or rows[-1][:2] != (g, rk):
                rows.append((g, rk, []))
            rows[-1][2].append((ref, ck))
    _INPUT_KEYS[id(layout)] = (layout, rows)
    return rows


def validate(data: ReportData, layout: Layout, *, locator: Locator | None = None,
             text_locator: dict | None = None, info_locator: dict | None = None,
             uncomputable: set | frozenset = frozenset(), sheet_values: dict | None = None) -> list[Finding]:
    """All findings for one report: tables, narrative, metadata. Lazy: collects everything."""
    return (check_meta(data, layout, info_locator) + check_rules(data, layout, locator, uncomputable, sheet_values)
            + check_blanks(data, layout, locator) + check_text(data, layout, text_locator))
