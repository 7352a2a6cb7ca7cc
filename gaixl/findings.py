"""Findings: problems as data. Frozen records with a stable code, collected, never raised."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from gaixl import codes

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    """One problem. `code` is registered in gaixl.codes (or defined by a layout file); severity,
    table and messages left out are taken from the registry (a table of "*" there means the
    table of the cell, which the caller must give)."""

    code: str                     # stable kebab-case code, e.g. t3-balance
    severity: str = ""            # error | warning | info
    table: str = ""               # 二 | 三 | 四 | text | meta
    message: str = ""             # Chinese
    message_en: str = ""
    sheet: str | None = None
    cell: str | None = None       # A1 address on `sheet`
    row: str | None = None        # data-file keys of the cell
    column: str | None = None
    expected: Any = None
    found: Any = None

    def __post_init__(self) -> None:
        reg = codes.get(self.code)
        if reg is None:
            return
        for name, default in (("severity", reg.severity), ("table", reg.table if reg.table != "*" else ""),
                              ("message", reg.zh), ("message_en", reg.en)):
            if not getattr(self, name):
                object.__setattr__(self, name, default)

    @property
    def location(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def text(self, lang: str = "zh") -> str:
        """The message in `lang`: English with "en" (when there is one), else Chinese."""
        return self.message_en if lang == "en" and self.message_en else self.message

    def to_json(self, lang: str = "zh") -> dict:
        d = asdict(self)
        d.pop("message_en")
        d["message"] = self.text(lang)
        return d


@dataclass(slots=True)          # no __dict__: a consolidation holds one per file (~100 bytes less each)
class FileReport:
    """Everything `check` learned about one input file."""

    file: str
    findings: list[Finding] = field(default_factory=list)
    data: Any = None              # ReportData, or None when unreadable
    kind: str = ""                # template | workbook | datafile
    meta: dict = field(default_factory=dict)
    # CellRef → (sheet, "D7") as the reader found the cells: later checks (history) place their
    # findings with it. Not part of the JSON form.
    locator: dict = field(default_factory=dict, repr=False, compare=False)
    # The error that made the file unreadable (kind "unreadable"), for a one-line message.
    error: Any = field(default=None, repr=False, compare=False)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 9))

    def to_json(self, lang: str = "zh", copy: bool = True) -> dict:
        """The JSON form; copy=False shares the data's dicts (for making JSON text at once)."""
        d = self.data
        return {
            "file": self.file,
            "unit": (d.unit if d is not None else None),
            "year": (d.year if d is not None else None),
            "layout": (d.layout if d is not None else None),
            "ok": self.ok,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [f.to_json(lang) for f in self.sorted_findings()],
            "data": (d.to_json(copy=copy) if d is not None else None),
        }
