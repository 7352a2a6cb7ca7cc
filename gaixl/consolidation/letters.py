"""Feedback letters: one Chinese text per roster unit with findings, ready to paste into an email.

    write_feedback(c: Consolidation, folder, *, when) -> list[Path]
    letter(c, unit) -> str
    group_findings(findings) -> list[Problem]      root causes, each with the checks it blocked

A letter is written as a person would write it: the problems that need the unit's hand (root
causes) first, in sheet and row order, each saying where it is (sheet!cell and the row/column
labels), what was found and what to type or do; checks that could not run because of a root
cause (a total over a cell holding text) are folded under it, not counted as problems of their
own. "应为" appears only when there is a value to expect; a blank is never an expectation.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gaixl import codes, timefmt
from gaixl.atomic import write_text
from gaixl.consolidation.model import Consolidation, UnitStatus
from gaixl.findings import Finding
from gaixl.report.values import parse_cell
from gaixl.spec.model import Layout
from gaixl.workbook.names import safe_filename

# What to do, by finding code: the registry's advice (gaixl.codes, and the layout's own for its
# rule codes), else the generic advice of the finding's severity.
# Findings whose fix is a new template: the reply attaches the unit's correct template (the
# letter's closing paragraph says so).
NEEDS_TEMPLATE = {"template-other-year", "template-other-unit", "layout-year-mismatch", "template-other-layout",
                  "wrong-format"}
TABLE_ORDER = {"meta": 0, "二": 1, "三": 2, "四": 3, "text": 4}
_CELL = re.compile(r"^([A-Z]+)(\d+)$")


def _show(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def is_knock_on(f: Finding) -> bool:
    """A check that could not run because a cell it needs is not a number (the root cause is
    that cell's own finding)."""
    return "无法校验" in f.message and f.expected is None and f.found is None


@dataclass
class Problem:
    root: Finding
    blocked: list[Finding] = field(default_factory=list)   # checks that could not run because of it


def _place(f: Finding) -> tuple:
    m = _CELL.match(f.cell or "")
    row, col = (int(m.group(2)), (len(m.group(1)), m.group(1))) if m else (0, (0, ""))
    return TABLE_ORDER.get(f.table, 9), f.sheet or "", row, col, f.code


def group_findings(findings: list[Finding]) -> list[Problem]:
    """Root causes in sheet and row order, each with the knock-on checks it blocked (matched by
    the same table and the same row or column labels; else the first root cause of the table)."""
    typed = [f for f in findings if f.code == "cell-not-number"]

    def follows(f: Finding) -> bool:
        # A check over a cell holding text: it could not run, or ran with the text counted as 0
        # (as the template's own formulas count it) — either way the text is the cause.
        if is_knock_on(f):
            return True
        if f.code.startswith("cell-") or f.severity != "error":
            return False
        return any(t.table == f.table and ((f.column and f.column == t.column) or (f.row and f.row == t.row)
                                           or any(w in (f.column or "") for w in ("总计", "合计")))
                   for t in typed)

    roots = sorted((f for f in findings if not follows(f)), key=_place)
    problems = [Problem(f) for f in roots]
    orphans = []
    for k in sorted((f for f in findings if follows(f)), key=_place):
        cands = [p for p in problems if p.root.code.startswith("cell-") and p.root.table == k.table]
        best = next((p for p in cands if (k.column and p.root.column == k.column) or (k.row and p.root.row == k.row)),
                    cands[0] if cands else None)
        if best is None:
            orphans.append(Problem(k))
        else:
            best.blocked.append(k)
    return problems + orphans


def root_count(findings: list[Finding], severity: str = "error") -> int:
    return sum(1 for p in group_findings(findings) if p.root.severity == severity)


def _where(f: Finding) -> str:
    where = []
    if f.location and f.location not in f.message:
        where.append(f.location)
        labels = " / ".join(x for x in (f.row, f.column) if x)
        if labels and labels not in f.message:
            where.append(f"（{labels}）")
    return "".join(where)


def _full_where(f: Finding) -> str:
    """sheet!cell（row / column） whatever the message says."""
    labels = " / ".join(x for x in (f.row, f.column) if x)
    return (f.location or "") + (f"（{labels}）" if labels else "")


def _typed_text(f: Finding) -> str | None:
    """For text in a number cell: “填写了‘83件’，请只填数字 83” (or: what to type instead)."""
    if f.code != "cell-not-number" or not isinstance(f.found, str) or not f.found.strip():
        return None
    typed = f.found.strip()
    value, _problem = parse_cell(typed, "amount" if any(u in typed for u in ("元", "万元")) else "count")
    if value is not None:
        return f"填写了“{typed}”，请只填数字 {_show(value)}（不带单位或文字）"
    return f"填写了“{typed}”，本栏只能填写数字（没有发生的填 0）"


def finding_line(i: int, f: Finding, layout: Layout | None = None, blocked: Sequence[Finding] = ()) -> str:
    typed = _typed_text(f)
    where = _full_where(f) if typed else _where(f)
    text = typed if typed else f.message.rstrip("。")
    parts = [f"{i}. " + (where + "：" if where else "") + text + "。"]
    # "应为 …；实际 …" only where the message does not already say what is expected (应为、应不小于、
    # 应报送、实为 …) and there is a value to expect.
    if typed is None and not re.search(r"应|实为", f.message) and f.expected not in (None, ""):
        found = "未填写" if f.found in (None, "") else _show(f.found)
        parts.append(f"   应为：{_show(f.expected)}；实际：{found}。")
    if typed is None:
        todo = codes.todo(f.code, f.severity, [layout] if layout is not None else None)
        parts.append(f"   处理：{todo.rstrip('。')}。")
    if blocked:
        names = "；".join(_full_where(k) or k.message for k in blocked)
        parts.append(f"   因此以下{len(blocked)}项合计或校验暂无法正确进行，改正后会自动核对：{names}。")
    return "\n".join(parts)


def needs_template(findings: list[Finding]) -> bool:
    return any(f.code in NEEDS_TEMPLATE for f in findings)


def signed(c: Consolidation) -> str:
    return c.office or "政府信息公开工作主管部门"


def letter(c: Consolidation, u: UnitStatus) -> str:
    e = u.entry
    assert e is not None                              # a letter answers a file the unit sent
    shown = [f for f in e.findings if f.severity in ("error", "warning")]
    problems = group_findings(shown)
    errors = [p for p in problems if p.root.severity == "error"]
    warnings = [p for p in problems if p.root.severity == "warning"]
    when = f"（{timefmt.zh_time(e.submitted_at, c.zone)}收到）" if e.submitted_at else ""
    lines = [f"{u.name}：", "",
             f"您好！我们已收到贵单位报送的{c.year}年政府信息公开工作年度报告，文件“{Path(e.file).name}”{when}。"
             f"经系统校验，发现以下问题："]
    n = 0
    if errors:
        lines += ["", f"一、须改正的问题（共{len(errors)}项）"]
        for p in errors:
            n += 1
            lines.append(finding_line(n, p.root, c.layout, blocked=p.blocked))
    if warnings:
        lines += ["", f"{'二' if errors else '一'}、请核实的事项（共{len(warnings)}项）"]
        for p in warnings:
            n += 1
            lines.append(finding_line(n, p.root, c.layout, blocked=p.blocked))
    lines.append("")
    if e.late and c.deadline is not None:
        lines.append(f"另：本文件在报送截止日期（{timefmt.zh_date(c.deadline)}）之后收到，已按逾期报送登记，"
                     "请今后注意按时报送。")
    if u.status == "accepted":
        lines.append("本次报送的文件已采用。上述提醒事项请核实；如确需修改，请在原文件中修改后重新发送，我们将以最新报送的文件为准。")
    elif needs_template(shown):
        lines.append("本次报送的文件未能采用。请使用随本函附上的本单位模板重新填报，"
                     "保存后将填好的文件回复至本邮箱，我们将以最新报送的文件为准。")
    else:
        lines.append("本次报送的文件未能采用。请在原模板中按上述说明修改（请勿改动表格结构），"
                     "保存后将修改后的文件回复至本邮箱，我们将以最新报送的文件为准。")
    lines += ["如有疑问，请与我们联系。谢谢！", "", signed(c), ""]
    return "\n".join(lines)


def write_feedback(c: Consolidation, folder: Path, *, when: str = "") -> list[Path]:
    written = []
    for u in c.units:
        e = u.entry
        if e is None or not any(f.severity in ("error", "warning") for f in e.findings):
            continue
        written.append(write_text(Path(folder) / safe_filename(f"{u.code}-{u.name}", ".txt"), letter(c, u)))
    return written


__all__ = ["write_feedback", "letter", "finding_line", "group_findings", "root_count", "needs_template",
           "is_knock_on", "Problem", "NEEDS_TEMPLATE"]
