"""gaixl — 政府信息公开工作年度报告工具 / toolkit for China's annual government-information-disclosure report.

The library is the product; the CLI (gaixl.cli) is a thin shell over these functions: each
`gaixl` command parses its options, calls one of them and prints.

    layouts      available_layouts, layout_for_year, load_layout
    generate     generate_templates (a roster, history prefill, progress), generate (one template)
    fill         fill → Filled(out, notes, lost_totals)
    export       export → Exported(report, text, out)
    check        check (one file, history=), check_files (several, unreadable ones reported), validate
    report       render (.docx .pdf .md .html)
    import       import_report (roster lookup, .json/.xlsx output, history storage)
    consolidate  consolidate
    history      HistoryStore
    collect      collect, CollectSource;  distribute, feedback (mail: MailOptions, Mailer)

The package is arranged by pipeline stage: spec (formats as data) → report (one report's data)
→ workbook (templates, reading) → validation → document (rendering) → importers →
consolidation → mail → cli. Lower stages never import higher ones. The functions of the later
stages are loaded when first used, so `import gaixl` stays quick.
"""
from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any  # noqa: E402

from gaixl.errors import (  # noqa: E402
    DataFileError,
    EngineError,
    GaixlError,
    InputError,
    LayoutError,
    MailError,
    OutputError,
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

if TYPE_CHECKING:
    from gaixl.api import (
        Exported,
        Filled,
        Generated,
        GeneratedTemplate,
        check,
        check_files,
        consolidate,
        export,
        fill,
        generate,
        generate_templates,
        import_report,
        read_workbook,
        render,
    )
    from gaixl.mail.collect import Source as CollectSource
    from gaixl.mail.collect import collect
    from gaixl.mail.distribute import Options as MailOptions
    from gaixl.mail.distribute import distribute
    from gaixl.mail.replies import feedback
    from gaixl.mail.smtp import Mailer
    from gaixl.validation.history import HistoryStore

# name → (module, attribute): loaded on first use (PEP 562), then kept in the module.
_LAZY = {
    **{name: ("gaixl.api", name) for name in (
        "generate", "generate_templates", "Generated", "GeneratedTemplate", "read_workbook", "fill", "Filled",
        "check", "check_files", "export", "Exported", "render", "import_report", "consolidate")},
    "HistoryStore": ("gaixl.validation.history", "HistoryStore"),
    "collect": ("gaixl.mail.collect", "collect"),
    "CollectSource": ("gaixl.mail.collect", "Source"),
    "distribute": ("gaixl.mail.distribute", "distribute"),
    "MailOptions": ("gaixl.mail.distribute", "Options"),
    "Mailer": ("gaixl.mail.smtp", "Mailer"),
    "feedback": ("gaixl.mail.replies", "feedback"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'gaixl' has no attribute {name!r}")
    import importlib

    module, attr = _LAZY[name]
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "__version__",
    # errors
    "GaixlError", "LayoutError", "RuleError", "InputError", "WorkbookError", "DataFileError", "RosterError",
    "UsageError", "OutputError", "MailError", "EngineError", "ReportRejected",
    # data
    "ReportData", "load_data_file", "Finding", "FileReport", "Layout",
    # layouts
    "available_layouts", "layout_for_year", "load_layout",
    # the pipeline, one call per command
    "generate_templates", "Generated", "GeneratedTemplate", "generate", "read_workbook", "fill", "Filled",
    "export", "Exported", "check", "check_files", "validate", "render", "import_report", "consolidate",
    "HistoryStore", "collect", "CollectSource", "distribute", "feedback", "MailOptions", "Mailer",
]
