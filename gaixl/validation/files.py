"""check: read any report file (filled workbook, hand-made workbook, data file) and validate it."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from gaixl.errors import GaixlError
from gaixl.findings import FileReport, Finding
from gaixl.spec.load import load_layout
from gaixl.validation.history import HistoryStore, history_findings
from gaixl.validation.validate import validate


def check_file(path: str | Path, *, year: int | None = None, unit_code: str | None = None,
               unit_name: str | None = None, history: HistoryStore | None = None) -> FileReport:
    """Read and validate one file. Unreadable input raises InputError (the caller says it).
    With `history`, also where the report disagrees with the unit's stored report of year-1."""
    from gaixl.workbook.read import read_any  # the reader is heavier; import it when needed

    p = Path(path)
    res = read_any(p)
    data = res.data
    layout = load_layout(data.layout)
    findings = list(res.findings)
    findings += validate(data, layout, locator=res.locator,
                         text_locator=getattr(res, "text_locator", None),
                         info_locator=getattr(res, "info_locator", None),
                         uncomputable=getattr(res, "uncomputable", frozenset()),
                         sheet_values=getattr(res, "sheet_values", None))
    findings += expectation_findings(data, res.meta, year=year, unit_code=unit_code, unit_name=unit_name)
    if history is not None:
        findings += history_findings(history, data, res.locator)
    return FileReport(file=str(p), findings=findings, data=data, kind=res.kind, meta=res.meta,
                      locator=dict(res.locator or {}))


def expectation_findings(data, meta: dict, *, year=None, unit_code=None, unit_name=None) -> list[Finding]:
    """What the office expected (year, unit) against what the file is."""
    out = []
    if year is not None and data.year != year:
        out.append(Finding(code="template-other-year", severity="error", table="meta",
                           message=f"本文件为{data.year}年度报告，应报送{year}年度报告",
                           message_en=f"this file is the {data.year} report, expected {year}",
                           expected=year, found=data.year))
    if unit_code and data.unit.get("code") and data.unit["code"] != unit_code:
        out.append(Finding(code="template-other-unit", severity="error", table="meta",
                           message=f"本文件是“{data.unit.get('name')}”（{data.unit['code']}）的模板，不是“{unit_name or unit_code}”的",
                           message_en=f"this is the template of {data.unit.get('name')} ({data.unit['code']}), not of {unit_name or unit_code}",
                           expected=unit_code, found=data.unit["code"]))
    return out


def check_files(paths: Iterable[str | Path], *, year: int | None = None, unit_code: str | None = None,
                history: HistoryStore | None = None,
                progress: Callable[[int, int], None] | None = None) -> list[FileReport]:
    """check_file for each path, in order; a file that cannot be read becomes an unreadable report
    (kind "unreadable", its error in `.error`) instead of stopping the others.
    `progress(done, total)` is called after each file."""
    paths = list(paths)
    reports = []
    for p in paths:
        try:
            reports.append(check_file(p, year=year, unit_code=unit_code, history=history))
        except GaixlError as e:
            reports.append(unreadable_report(p, e))
        if progress is not None:
            progress(len(reports), len(paths))
    return reports


def unreadable_report(path: str | Path, err: GaixlError) -> FileReport:
    """An input that could not be read at all, as a report (so nothing is silently skipped)."""
    return FileReport(file=str(path), kind="unreadable", error=err, findings=[Finding(
        code="unreadable", severity="error", table="meta", message=f"无法读取：{err.message_zh or err.message}",
        message_en=f"cannot read: {err.message}")])
