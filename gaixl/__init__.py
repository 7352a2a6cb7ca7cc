"""gaixl — 政府信息公开工作年度报告工具 / toolkit for China's annual government-information-disclosure report.

The library is the product; the CLI (gaixl.cli) is a thin shell over these functions.
The package is arranged by pipeline stage: spec (formats as data) → report (one report's data)
→ workbook (templates, reading) → validation → document (rendering) → importers →
consolidation → mail → cli. Lower stages never import higher ones.
"""
from __future__ import annotations

__version__ = "0.1.0"

from gaixl.errors import (  # noqa: E402
    DataFileError,
    GaixlError,
    InputError,
    LayoutError,
    ReportRejected,
    RosterError,
    RuleError,
    UsageError,
    WorkbookError,
)
from gaixl.findings import FileReport, Finding  # noqa: E402
from gaixl.report.data import ReportData, load_data_file  # noqa: E402
from gaixl.spec.load import available_layouts, layout_for_year, load_layout  # noqa: E402
from gaixl.spec.model import Layout  # noqa: E402
from gaixl.validation.validate import validate  # noqa: E402


def generate(layout, year, code, name, path, **kw):
    """Write one locked template (see gaixl.workbook.template.generate_workbook)."""
    from gaixl.workbook.template import generate_workbook

    return generate_workbook(layout, year, code, name, path, **kw)


def read_workbook(path, layout=None):
    """A filled workbook → ReadResult(data, findings, …) (see gaixl.workbook.read)."""
    from gaixl.workbook.read import read_workbook as _read

    return _read(path, layout)


def fill(template, data, out):
    """Fill a template from a ReportData (see gaixl.workbook.fill.fill_workbook)."""
    from gaixl.workbook.fill import fill_workbook

    return fill_workbook(template, data, out)


def check(path, **kw) -> FileReport:
    """Read and validate any report file (see gaixl.validation.files.check_file)."""
    from gaixl.validation.files import check_file

    return check_file(path, **kw)


def consolidate(inbox, roster, year=None, out_dir=None, **kw):
    """An inbox of returned files + a roster → Consolidation, outputs written to `out_dir` when given
    (see gaixl.consolidation.run.consolidate)."""
    from gaixl.consolidation.run import consolidate as _run

    return _run(inbox, roster, year, out_dir, **kw)


def render(source, out, *, layout=None, draft=False):
    """The report as a document: .docx, .pdf, .md or .html by the suffix of `out` → (path, findings);
    refused (ReportRejected) when the data have errors, unless `draft` (see gaixl.document.render)."""
    from gaixl.document import render as _render

    return _render(source, out, layout=layout, draft=draft)


__all__ = [
    "__version__", "ReportData", "load_data_file", "GaixlError", "LayoutError", "RuleError", "InputError",
    "WorkbookError", "DataFileError", "RosterError", "UsageError", "ReportRejected", "Finding", "FileReport", "Layout",
    "available_layouts", "layout_for_year", "load_layout", "validate", "generate", "read_workbook", "fill", "check",
    "render", "consolidate",
]
