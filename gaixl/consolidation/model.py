"""What a consolidation run knows: every input file's fate, every roster unit's status, and
the totals. Produced by gaixl.consolidation.run, read by the outputs (status, summary, reports).

The contract between consolidate.py (building it) and the writers of its outputs.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from gaixl import timefmt
from gaixl.findings import FileReport, Finding
from gaixl.report.data import ReportData
from gaixl.spec.model import Layout

STATES = ("accepted", "superseded", "rejected", "unknown-unit")


@dataclass
class Entry:
    """One input file found in the inbox. Every file ends in exactly one state."""

    file: str                         # path relative to the inbox (POSIX separators)
    sha256: str
    state: str                        # one of STATES
    reason: str = ""                  # Chinese; empty when accepted
    reason_en: str = ""
    unit_code: str | None = None      # from the file's own metadata / content, not its name
    unit_name: str | None = None
    submitted_at: str | None = None   # ISO 8601 with the offset of the run's time zone (Beijing time by default):
                                      # the email's date (collect sidecar), else the workbook's save time
    late: bool | None = None          # received after the deadline (None: no deadline or no time known)
    source: str = ""                  # "email" | "file": where submitted_at came from
    email_date: str | None = None     # ISO 8601 (with offset) date of the message that brought it (collect sidecar)
    file_saved: str | None = None     # ISO 8601 save time recorded inside the workbook (docProps/core.xml)
    email_from: str = ""              # the sender's address (collect sidecar): where feedback goes
    message_id: str = ""              # the carrying message's Message-ID (collect sidecar), for replies
    places: str = ""                  # where each layout cell sat in the file, packed (consolidate.entry_locator)
    errors: int = 0
    warnings: int = 0
    findings: list[Finding] = field(default_factory=list)
    report: FileReport | None = None  # None when unreadable


@dataclass
class UnitStatus:
    """One roster unit and what came of it."""

    code: str
    name: str
    email: str = ""
    parent: str = ""
    status: str = "missing"           # accepted | rejected | missing
    entry: Entry | None = None        # the accepted file, else the latest file of the unit


@dataclass
class Consolidation:
    year: int
    layout: Layout
    inbox: str
    entries: list[Entry]
    units: list[UnitStatus]
    accepted: dict[str, ReportData]           # unit code → its accepted data
    total: ReportData                         # the sum over accepted units (same layout)
    by_parent: dict[str, ReportData] = field(default_factory=dict)   # roster parent → sub-total
    previous: dict[str, ReportData] = field(default_factory=dict)    # unit code → last year's (history)
    previous_total: ReportData | None = None
    county: str = ""                          # name of the consolidating body (e.g. 缙云县)
    office: str = ""                          # who signs letters and the county report
    office_given: bool = False                # named by the clerk (--signature, gaixl.toml), not derived
    tz: str = "Asia/Shanghai"                 # the zone times are shown to people in
    deadline: dt.date | None = None           # submissions after the end of this day are late
    password: str | None = None               # sheet protection of the consolidated workbook (None: default)
    notes: list[dict] = field(default_factory=list)             # {"zh", "en"}: what was done besides (history …)
    outputs: dict[str, Path] = field(default_factory=dict)      # output name → path, once written

    @property
    def missing(self) -> list[UnitStatus]:
        return [u for u in self.units if u.status == "missing"]

    @property
    def zone(self):
        return timefmt.zone(self.tz)

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATES}
        for e in self.entries:
            out[e.state] += 1
        out["files"] = len(self.entries)
        out["missing"] = len(self.missing)
        return out


def generated_at(c: Consolidation) -> str:
    """The latest submission time (UTC, 'Z'): the one timestamp of every output, so a re-run on
    the same inbox writes the same bytes."""
    times = [t for t in (timefmt.parse(e.submitted_at) for e in c.entries) if t is not None]
    if not times:
        return f"{c.year + 1}-01-01T00:00:00Z"
    return max(times).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
