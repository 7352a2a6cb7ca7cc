"""The front door's functions: every capability as one typed call (gaixl/__init__ exports them).

Each `gaixl` command is a thin shell over one of these: generate_templates, fill, export, check /
check_files, render, import_report, consolidate, collect, distribute, feedback and the
HistoryStore. They compose the stages below them (a template with last year's prefill is the
workbook stage fed by the history); the stages never import this module. The heavier stages are
imported inside the functions, so `import gaixl` stays quick.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gaixl.findings import FileReport, Finding
from gaixl.report.data import ReportData
from gaixl.spec.model import Layout

if TYPE_CHECKING:
    from gaixl.consolidation.model import Consolidation
    from gaixl.importers.api import ImportResult
    from gaixl.validation.history import HistoryStore
    from gaixl.workbook.read import ReadResult

Progress = Callable[[int, int], None]          # progress(done, total)


@contextmanager
def _history(history: HistoryStore | str | Path | None, *, create: bool = False) -> Iterator[HistoryStore | None]:
    """The history store given as a store (left open) or as a path (opened here and closed
    after; a missing database is an InputError unless `create`)."""
    if history is None:
        yield None
        return
    from gaixl.validation.history import HistoryStore

    if isinstance(history, HistoryStore):
        yield history
        return
    with HistoryStore(history, create=create) as store:
        yield store


def _layout(layout: Layout | str | None, year: int) -> Layout:
    from gaixl.spec.load import layout_for_year, load_layout

    if isinstance(layout, Layout):
        return layout
    return load_layout(layout) if layout else layout_for_year(year)


# ---------------------------------------------------------------- generate
def generate(layout: Layout, year: int, code: str, name: str, path: str | Path, **kw) -> Path:
    """Write one locked template (see gaixl.workbook.template.generate_workbook) → its path."""
    from gaixl.workbook.template import generate_workbook

    return generate_workbook(layout, year, code, name, path, **kw)


@dataclass
class GeneratedTemplate:
    code: str
    name: str
    file: Path
    prefilled: int | None = None       # cells prefilled from last year (None: no history given)

    def to_json(self) -> dict:
        d: dict = {"code": self.code, "name": self.name, "file": str(self.file)}
        if self.prefilled is not None:
            d["prefilled"] = self.prefilled
        return d


@dataclass
class Generated:
    layout: Layout
    year: int
    out: Path
    templates: list[GeneratedTemplate] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"layout": self.layout.id, "year": self.year, "out": str(self.out),
                "templates": [g.to_json() for g in self.templates]}


def generate_templates(year: int, out: str | Path, units: str | Path | list[dict], *,
                       layout: Layout | str | None = None, password: str | None = None,
                       deadline: str | None = None, send_to: str | None = None,
                       history: HistoryStore | str | Path | None = None, generated_at: str | None = None,
                       allow_layout_mismatch: bool = False, progress: Progress | None = None) -> Generated:
    """One locked template per unit in the folder `out` (`gaixl generate`).

    `units`: a roster file (CSV/xlsx: code, name, email[, parent]) or a list of {code, name}.
    `layout`: the format (a Layout or its id; default: the year's). With `history` (a database
    path, which must exist, or an open HistoryStore) each unit's 上年结转 is prefilled from its
    report of year-1. A format that does not apply to `year` is refused (UsageError) unless
    `allow_layout_mismatch` (tests of old templates). `progress(done, total)` is called after
    each template."""
    from gaixl.workbook.names import DEFAULT_PASSWORD
    from gaixl.workbook.template import check_layout_year, check_units, generate_all

    lay = _layout(layout, year)
    if not allow_layout_mismatch:
        check_layout_year(lay, year)
    if isinstance(units, (str, Path)):
        from gaixl.report.roster import read_roster

        units = read_roster(units)
    check_units(units, year)                   # before the history is opened: a bad roster fails first
    out = Path(out)
    counts: dict[str, int] = {}
    with _history(history) as store:
        prefill = None
        if store is not None:
            from gaixl.validation.history import prefill_for, prefilled_cells

            from_history = prefill_for(store, year, lay)

            def prefill(code: str) -> dict | None:
                p = from_history(code)
                counts[code] = prefilled_cells(p)
                return p
        paths = generate_all(lay, year, units, out, prefill=prefill, progress=progress,
                             password=password or DEFAULT_PASSWORD, deadline=deadline, send_to=send_to,
                             generated_at=generated_at, allow_layout_mismatch=allow_layout_mismatch)
    made = [GeneratedTemplate(str(u.get("code") or "").strip(), str(u.get("name") or "").strip(), p)
            for u, p in zip(units, paths)]
    if store is not None:
        for g in made:
            g.prefilled = counts.get(g.code, 0)
    return Generated(lay, year, out, made)


# ---------------------------------------------------------------- read, fill, check, export
def read_workbook(path: str | Path, layout: Layout | str | None = None) -> ReadResult:
    """A filled workbook → ReadResult(data, findings, …) (see gaixl.workbook.read)."""
    from gaixl.workbook.read import read_workbook as _read

    return _read(path, layout)


@dataclass
class Filled:
    out: Path
    notes: list[Finding]               # what to know: the data file's findings and lost_totals
    lost_totals: list[Finding]         # totals of the data the template recomputed (its totals are formulas)


def fill(template: str | Path, data: ReportData | str | Path, out: str | Path) -> Filled:
    """Fill a template (`gaixl fill`) from a ReportData or a data file (values as published —
    减5, “3” — understood by kind) → Filled(out, notes, lost_totals). A total the data give
    differently from the sum of its items cannot be kept (the template's totals are formulas):
    such totals are listed in `lost_totals`, so that a published wrong sum is not lost silently."""
    from gaixl.spec.load import load_layout
    from gaixl.validation.validate import lost_totals
    from gaixl.workbook.fill import fill_workbook

    notes: list[Finding] = []
    if isinstance(data, ReportData):
        report = data
    else:
        from gaixl.report.datafile import read_datafile

        res = read_datafile(data)
        report = res.data
        notes = [f for f in res.findings if f.severity != "info"]
    layout = load_layout(report.layout)
    written = fill_workbook(template, report, out)
    lost = lost_totals(report, layout)
    return Filled(Path(written), notes + lost, lost)


def check(path: str | Path, *, year: int | None = None, unit_code: str | None = None,
          unit_name: str | None = None, history: HistoryStore | str | Path | None = None) -> FileReport:
    """Read and validate any report file: filled or hand-made workbook, data file (`gaixl check`).
    `year`/`unit_code`: what the office expected. With `history` (a database path, which must
    exist, or a HistoryStore) also where it disagrees with the unit's report of year-1.
    Unreadable input raises InputError."""
    from gaixl.validation.files import check_file

    with _history(history) as store:
        return check_file(path, year=year, unit_code=unit_code, unit_name=unit_name, history=store)


def check_files(paths: Iterable[str | Path], *, year: int | None = None, unit_code: str | None = None,
                history: HistoryStore | str | Path | None = None,
                progress: Progress | None = None) -> list[FileReport]:
    """check() for several files; one that cannot be read is a report of kind "unreadable" (its
    error in `.error`) and the others go on."""
    from gaixl.validation.files import check_files as _check

    with _history(history) as store:
        return _check(paths, year=year, unit_code=unit_code, history=store, progress=progress)


@dataclass
class Exported:
    report: FileReport                 # the check of the workbook
    text: str                          # the data file (JSON)
    out: Path | None                   # where it was written (None: not written)


def export(path: str | Path, out: str | Path | None = None) -> Exported:
    """A filled workbook → its data file (`gaixl export`), checked; written to `out` when given."""
    from gaixl.atomic import write_text
    from gaixl.report.data import dump_data
    from gaixl.validation.files import check_file

    report = check_file(path)
    text = dump_data(report.data)
    if out is not None:
        out = write_text(out, text)
    return Exported(report, text, Path(out) if out is not None else None)


# ---------------------------------------------------------------- documents, imports, consolidation
def render(source: ReportData | str | Path, out: str | Path, *, layout: Layout | str | None = None,
           draft: bool = False) -> tuple[Path, list[Finding]]:
    """The report as a document: .docx, .pdf, .md or .html by the suffix of `out` → (path, findings)
    (`gaixl report`); refused (ReportRejected) when the data have errors, unless `draft` (see
    gaixl.document.render)."""
    from gaixl.document import render as _render

    return _render(source, out, layout=layout, draft=draft)


def import_report(path: str | Path, *, year: int | None = None, unit: str | None = None, code: str = "",
                  roster: str | Path | None = None, layout: Layout | str | None = None,
                  simplified_text: bool = False, out: str | Path | None = None,
                  history: str | Path | None = None) -> ImportResult:
    """A published report (text, HTML, Word, PDF) → ImportResult (`gaixl import`): the unit's code
    from `roster` by its name when `code` is not given, written to `out` (.json data file or
    .xlsx filled workbook) and stored in the `history` database when given."""
    from gaixl.importers.outputs import import_file

    return import_file(path, year=year, unit=unit, code=code, roster=roster, layout=layout,
                       simplified_text=simplified_text, out=out, history=history)


def consolidate(inbox: str | Path, roster: str | Path, year: int | None = None, out_dir: str | Path | None = None,
                **kw) -> Consolidation:
    """An inbox of returned files + a roster → Consolidation, outputs written to `out_dir` when given
    (`gaixl consolidate`; keywords history=, layout=, progress= as gaixl.consolidation.run.consolidate)."""
    from gaixl.consolidation.run import consolidate as _run

    return _run(inbox, roster, year, out_dir, **kw)


__all__ = ["generate", "generate_templates", "Generated", "GeneratedTemplate", "read_workbook", "fill", "Filled",
           "check", "check_files", "export", "Exported", "render", "import_report", "consolidate", "Progress"]
