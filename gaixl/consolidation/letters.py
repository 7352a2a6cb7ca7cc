"""Feedback letters: one Chinese text per roster unit with findings, ready to paste into an email.

    write_feedback(c: Consolidation, folder, *, when) -> list[Path]
    letter(c, unit) -> str

A letter names the file it is about, lists each problem with where it is (sheet!cell and the
row/column labels), what was expected and what was found, and says what to do.
"""
from __future__ import annotations

from pathlib import Path

from gaixl import codes
from gaixl.atomic import write_text
from gaixl.consolidation.model import Consolidation, UnitStatus
from gaixl.findings import SEVERITY_ORDER, Finding
from gaixl.spec.model import Layout
from gaixl.workbook.names import safe_filename

# What to do, by finding code: the registry's advice (gaixl.codes, and the layout's own for its
# rule codes), else the generic advice of the finding's severity.


def _show(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "（空白）" if v is None or v == "" else str(v)


def finding_line(i: int, f: Finding, layout: Layout | None = None) -> str:
    where = []
    if f.location and f.location not in f.message:
        where.append(f.location)
        labels = " / ".join(x for x in (f.row, f.column) if x)
        if labels and labels not in f.message:
            where.append(f"（{labels}）")
    head = f"{i}. " + ("".join(where) + "：" if where else "")
    parts = [head + f.message.rstrip("。") + "。"]
    if (f.expected is not None or f.found is not None) and "应为" not in f.message:
        parts.append(f"   应为：{_show(f.expected)}；实际：{_show(f.found)}。")
    parts.append(f"   处理：{codes.todo(f.code, f.severity, [layout] if layout is not None else None)}。")
    return "\n".join(parts)


def letter(c: Consolidation, u: UnitStatus) -> str:
    e = u.entry
    findings = sorted((f for f in e.findings if f.severity in ("error", "warning")),
                      key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.table, f.sheet or "", f.cell or "", f.code))
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity == "warning"]
    when = f"（报送时间：{e.submitted_at}）" if e.submitted_at else ""
    lines = [f"{u.name}：", "",
             f"您好！我们已收到贵单位报送的{c.year}年政府信息公开工作年度报告，文件“{Path(e.file).name}”{when}。"
             f"经系统校验，发现以下问题："]
    n = 0
    if errors:
        lines += ["", f"一、错误（共{len(errors)}项，须改正）"]
        for f in errors:
            n += 1
            lines.append(finding_line(n, f, c.layout))
    if warnings:
        lines += ["", f"{'二' if errors else '一'}、提醒（共{len(warnings)}项，请核实）"]
        for f in warnings:
            n += 1
            lines.append(finding_line(n, f, c.layout))
    lines.append("")
    if u.status == "accepted":
        lines.append("本次报送的文件已采用。上述提醒事项请核实；如确需修改，请在原文件中修改后重新发送，我们将以最新报送的文件为准。")
    else:
        lines.append("本次报送的文件未能采用。请在原模板中按上述说明修改（请勿改动表格结构），"
                     "保存后将修改后的文件回复至本邮箱，我们将以最新报送的文件为准。")
    lines += ["如有疑问，请与我们联系。谢谢！", "", f"{c.county}政府信息公开工作主管部门", ""]
    return "\n".join(lines)


def write_feedback(c: Consolidation, folder: Path, *, when: str = "") -> list[Path]:
    written = []
    for u in c.units:
        e = u.entry
        if e is None or not any(f.severity in ("error", "warning") for f in e.findings):
            continue
        written.append(write_text(Path(folder) / safe_filename(f"{u.code}-{u.name}", ".txt"), letter(c, u)))
    return written


__all__ = ["write_feedback", "letter", "finding_line"]
