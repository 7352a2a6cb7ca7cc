"""gaixl — 政府信息公开工作年度报告工具 / toolkit for China's annual government-information-disclosure report.

The library is the product; the CLI (gaixl.cli) is a thin shell over these functions.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .data import ReportData, load_data_file  # noqa: E402
from .errors import (DataFileError, GaixlError, InputError, LayoutError, RosterError,  # noqa: E402
                     RuleError, UsageError, WorkbookError)
from .findings import FileReport, Finding  # noqa: E402
from .layout import Layout, available_layouts, layout_for_year, load_layout  # noqa: E402
from .validate import validate  # noqa: E402

# Load the submodules that share a name with an API function now: importing a submodule later
# would rebind the package attribute (gaixl.generate, gaixl.fill, gaixl.check) to the module.
from . import check as _check_mod, fill as _fill_mod, generate as _generate_mod  # noqa: E402,F401
from . import consolidate as _consolidate_mod  # noqa: E402,F401
from . import render as _render_mod  # noqa: E402,F401  (light: python-docx loads only when writing)


def generate(layout, year, code, name, path, **kw):
    """Write one locked template (see gaixl.generate.generate_workbook)."""
    return _generate_mod.generate_workbook(layout, year, code, name, path, **kw)


def read_workbook(path, layout=None):
    """A filled workbook → ReadResult(data, findings, …) (see gaixl.read)."""
    from .read import read_workbook as _read

    return _read(path, layout)


def fill(template, data, out):
    """Fill a template from a ReportData (see gaixl.fill.fill_workbook)."""
    return _fill_mod.fill_workbook(template, data, out)


def check(path, **kw) -> FileReport:
    """Read and validate any report file (see gaixl.check.check_file)."""
    return _check_mod.check_file(path, **kw)


def consolidate(inbox, roster, year=None, out_dir=None, **kw):
    """An inbox of returned files + a roster → Consolidation, outputs written to `out_dir` when given
    (see gaixl.consolidate.consolidate)."""
    return _consolidate_mod.consolidate(inbox, roster, year, out_dir, **kw)


def render(source, out, *, layout=None):
    """The report as a document: .docx, .pdf, .md or .html by the suffix of `out` → (path, findings)
    (see gaixl.render.render)."""
    return _render_mod.render(source, out, layout=layout)


__all__ = [
    "__version__", "ReportData", "load_data_file", "GaixlError", "LayoutError", "RuleError", "InputError",
    "WorkbookError", "DataFileError", "RosterError", "UsageError", "Finding", "FileReport", "Layout",
    "available_layouts", "layout_for_year", "load_layout", "validate", "generate", "read_workbook", "fill", "check",
    "render", "consolidate",
]
