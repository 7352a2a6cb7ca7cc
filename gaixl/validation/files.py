"""check: read any report file (filled workbook, hand-made workbook, data file) and validate it."""
from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from gaixl.bounds import bounded
from gaixl.errors import GaixlError, InputError
from gaixl.findings import FileReport, Finding
from gaixl.spec.load import load_layout
from gaixl.validation.history import HistoryStore, history_findings
from gaixl.validation.validate import validate


def check_file(path: str | Path, *, year: int | None = None, unit_code: str | None = None,
               unit_name: str | None = None, history: HistoryStore | None = None) -> FileReport:
    """Read and validate one file. Unreadable input raises InputError (the caller says it).
    With `history`, also where the report disagrees with the unit's stored report of year-1.
    Bounded (gaixl.bounds): a file that takes more than 8 s or 400 MB more memory is refused, naming the limit."""
    p = Path(path)
    with bounded(str(p)):
        return _check_file(p, year=year, unit_code=unit_code, unit_name=unit_name, history=history)


def _check_file(p: Path, *, year, unit_code, unit_name, history) -> FileReport:
    from gaixl.workbook.read import read_any  # the reader is heavier; import it when needed

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
                           message=f"本文件是“{data.unit.get('name')}”（{data.unit['code']}）的模板，"
                                   f"不是“{unit_name or unit_code}”的",
                           message_en=f"this is the template of {data.unit.get('name')} ({data.unit['code']}), "
                                      f"not of {unit_name or unit_code}",
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
    if history is None:                    # (a database connection does not cross a fork)
        for report, _error in check_many(paths, year=year, unit_code=unit_code):
            reports.append(report)
            if progress is not None:
                progress(len(reports), len(paths))
        return reports
    for p in paths:
        try:
            reports.append(check_file(p, year=year, unit_code=unit_code, history=history))
        except Exception as e:  # noqa: BLE001 — each file gets its own verdict (as_input_error)
            reports.append(unreadable_report(p, as_input_error(p, e)))
        if progress is not None:
            progress(len(reports), len(paths))
    return reports


PARALLEL_FROM = 64        # files; below this, starting a second process costs more than it saves


def check_many(paths, *, year: int | None = None, unit_code: str | None = None, workers: int | None = None,
               each=None):
    """check_file over many files; yields one result per path, in the order given: with `each`
    None, (report, error) — error the GaixlError of an unreadable file, whose report is then
    unreadable_report — else each(report, error). From PARALLEL_FROM files on (or `workers`),
    one process per CPU reads, and `each` (a module-level function, or a partial of one) runs
    there: only its result travels back, e.g. a report's JSON text, far cheaper to send than
    the report itself."""
    paths = list(paths)
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if len(paths) >= PARALLEL_FROM else 1
    jobs = [(p, year, unit_code, each) for p in paths]
    if workers <= 1 or len(jobs) < 2:
        yield from map(_check_one, jobs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # The first file is checked here, before the workers start: forked workers (on Linux) then
    # begin with the reader imported, the layout loaded and its rules compiled, the template's
    # structure known — done once instead of once per worker. Elsewhere they start afresh.
    yield _check_one(jobs[0])
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    rest = jobs[1:]
    chunk = max(1, min(32, len(rest) // (workers * 8)))
    # What is alive now (modules, layouts, compiled rules, caches) lives as long as the run:
    # frozen, the workers' collections never walk it, nor copy its pages on the way (a few
    # percent of a check's CPU, measured with bench/check.py).
    gc.freeze()
    try:
        with ProcessPoolExecutor(workers, mp_context=ctx) as ex:
            yield from ex.map(_check_one, rest, chunksize=chunk)
    finally:
        gc.unfreeze()


def _check_one(job):
    path, year, unit_code, each = job
    try:
        report, error = check_file(path, year=year, unit_code=unit_code), None
    except Exception as e:  # noqa: BLE001 — each file gets its own verdict, the next file is read
        error = as_input_error(path, e)
        report = unreadable_report(path, error)
    return (report, error) if each is None else each(report, error)
def as_input_error(path: str | Path, e: BaseException) -> GaixlError:
    """Any failure to read one file of many, as that file's error. A GaixlError is itself; any
    other exception is a defect of gaixl met on this file (MemoryError, RecursionError, a bug):
    the file is unreadable for this run, said in one line naming it, and the next file is read."""
    if isinstance(e, GaixlError):
        return e
    detail = f"{type(e).__name__}: {str(e).splitlines()[0][:120]}" if str(e) else type(e).__name__
    return InputError(f"cannot be read (an internal error of gaixl: {detail}; please report it with this file)",
                      where=str(path), zh=f"无法读取（gaixl内部错误：{detail}；请将此文件反馈给开发人员）")


def unreadable_report(path: str | Path, err: GaixlError) -> FileReport:
    """An input that could not be read at all, as a report (so nothing is silently skipped)."""
    return FileReport(file=str(path), kind="unreadable", error=err, findings=[Finding(
        code="unreadable", severity="error", table="meta", message=f"无法读取：{err.message_zh or err.message}",
        message_en=f"cannot read: {err.message}")])
