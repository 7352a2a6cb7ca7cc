"""What a consolidation run knows: every input file's fate, every roster unit's status, and
the totals. Produced by gaixl.consolidation.run, read by the outputs (status, summary, reports).

The contract between consolidate.py (building it) and the writers of its outputs.
"""
from __future__ import annotations

import datetime as dt
import marshal
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from gaixl import timefmt
from gaixl.atomic import output_error
from gaixl.findings import FileReport, Finding
from gaixl.report.data import ReportData, dump_data, dump_data_cells
from gaixl.spec.model import Layout

STATES = ("accepted", "superseded", "rejected", "unknown-unit")


@dataclass(slots=True)
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


class Spill:
    """Where a large run keeps its per-file records while it runs: one anonymous temporary file
    (removed by the system however the run ends), appended to, read back by position. Memory
    holds only one int per record (its offset and length: `put` gives it, `get` takes it) —
    a country's 100,000 reports are not held in RAM.
    The per-unit writer reads it too, its descriptor handed over (os.pread: no shared file position)."""

    def __init__(self, folder: str | Path | None = None, where: str | Path | None = None):
        # `folder`: where the file goes (beside the output: the disk it is written to, not a /tmp
        # that may be memory); `where`: what an error names (the output folder).
        self._where = where or folder or tempfile.gettempdir()
        try:
            self._file: IO[bytes] = tempfile.TemporaryFile(dir=folder, prefix=".gaixl-spill-")
        except OSError as e:
            raise output_error(self._where, e, "folder") from None
        self._fd = self._file.fileno()
        self._end = 0

    def put(self, data: bytes) -> int:
        if len(data) >> 32:
            raise ValueError("a record of the scratch file is 4 GB or more")
        at = self._end << 32 | len(data)        # one int (~32 bytes), not a tuple of two (~112)
        view = memoryview(data)
        try:
            while view:
                n = os.pwrite(self._fd, view, self._end)
                self._end += n
                view = view[n:]
        except OSError as e:                # the disk is full
            raise output_error(self._where, e, "folder") from None
        return at

    def get(self, at: int) -> bytes:
        off, n = at >> 32, at & 0xFFFFFFFF
        data = os.pread(self._fd, n, off)
        if len(data) != n:
            raise OSError(f"the run's scratch file was cut short ({len(data)} of {n} bytes at {off})")
        return data

    def close(self) -> None:
        self._file.close()

    def __reduce__(self):
        # Pickled as its descriptor's number, for the per-unit writer (gaixl.consolidation.outputs),
        # a process started with this descriptor passed on (pass_fds): the file itself is never copied.
        return _attach, (self._fd, str(self._where))


def _attach(fd: int, where: str) -> Spill:
    """The Spill of the process that started this one (its descriptor passed on), read only."""
    s = Spill.__new__(Spill)
    s._fd = fd
    s._file = open(fd, "rb", buffering=0)      # closes the descriptor with it
    s._where, s._end = where, os.fstat(fd).st_size
    return s


class Stowed(Mapping):
    """A dict kept in a Spill (a file's metadata, read once more when it is classified)."""

    __slots__ = ("_spill", "_at")

    def __init__(self, d: dict, spill: Spill):
        self._spill, self._at = spill, spill.put(marshal.dumps(d))

    def load(self) -> dict:
        return marshal.loads(self._spill.get(self._at))

    def __getitem__(self, k):
        return self.load()[k]

    def __iter__(self):
        return iter(self.load())

    def __len__(self) -> int:
        return len(self.load())


class PackedData:
    """A ReportData kept small while a large run holds it (a city's or a country's thousands):
    its cells as one value tuple in the layout's cell order, and its texts, all marshalled
    into one bytes object (~3 KB instead of ~25 KB of nested dicts), which `stow` moves to a
    Spill — its unit ({code, name}) with it, read back when asked for. `unpack()` gives the
    ReportData back exactly, order of keys included; a report that the tuple cannot hold
    exactly (cells outside the layout, keys in another order) keeps its tables whole."""

    __slots__ = ("layout", "year", "_unit", "_blob", "_exact", "_spill", "_at")

    def __init__(self, d: ReportData, layout: Layout):
        self.layout, self.year = d.layout, d.year
        self._unit: dict | None = d.unit
        values = None
        if d.layout == layout.id:
            values = tuple(d.raw_values(layout).values())
            if _flat(_tables(layout, values)) != _flat(d.tables):
                values = None
        self._exact = values is not None
        self._blob: bytes | None = marshal.dumps((values if self._exact else d.tables, d.unit, d.text, d.signature,
                                                  d.contact, d.extra))
        self._spill: Spill | None = None
        self._at = 0

    @property
    def unit(self) -> dict:
        """The report's unit as its file gives it ({code, name}); read back once stowed."""
        return self._unit if self._unit is not None else marshal.loads(self._bytes())[1]

    def __getstate__(self):
        # Sent from a reading process before it is stowed (the bytes go with it), or to the
        # per-unit writer after (only where they are: the Spill pickles once, as its descriptor).
        state = {k: getattr(self, k) for k in ("layout", "year", "_unit", "_blob", "_exact")}
        if self._spill is not None:
            state["_spill"], state["_at"] = self._spill, self._at
        return state

    def __setstate__(self, state) -> None:
        self._spill, self._at = None, 0
        for k, v in state.items():
            setattr(self, k, v)

    def stow(self, spill: Spill) -> None:
        """Keep the packed bytes (the unit's dict with them) in `spill`, on disk, instead of memory."""
        if self._blob is not None:
            self._at, self._spill, self._blob, self._unit = spill.put(self._blob), spill, None, None

    def _bytes(self) -> bytes:
        if self._blob is not None:
            return self._blob
        assert self._spill is not None
        return self._spill.get(self._at)

    def values(self, layout: Layout) -> tuple:
        """Every cell of the layout, in layout.cell_keys order (None when blank)."""
        return self.values_and_unit(layout)[0]

    def values_and_unit(self, layout: Layout) -> tuple[tuple, dict]:
        """values(layout) and the unit, read back at once."""
        body, unit = marshal.loads(self._bytes())[:2]
        if self._exact and layout.id == self.layout:
            return body, unit
        return tuple(ReportData(self.layout, self.year, tables=body).raw_values(layout).values()), unit

    def data_file(self, layout: Layout) -> str:
        """dump_data of the unpacked report — the same text, made straight from the packed cells."""
        body, unit, text, signature, contact, extra = marshal.loads(self._bytes())
        if self._exact and layout.id == self.layout:
            shell = ReportData(layout=self.layout, year=self.year, unit=unit, tables={}, text=text,
                               signature=signature, contact=contact, extra=extra)
            try:
                return dump_data_cells(shell, layout, body)
            except ValueError:
                pass
        return dump_data(self.unpack(layout))

    def texts(self) -> ReportData:
        """The report without its tables (unit, texts, signature, contact): what a look at its
        narrative needs, without building a dict per row."""
        _body, unit, text, signature, contact, extra = marshal.loads(self._bytes())
        return ReportData(layout=self.layout, year=self.year, unit=unit, tables={}, text=text, signature=signature,
                          contact=contact, extra=extra)

    def unpack(self, layout: Layout) -> ReportData:
        body, unit, text, signature, contact, extra = marshal.loads(self._bytes())
        tables = _tables(layout, body) if self._exact else body
        return ReportData(layout=self.layout, year=self.year, unit=unit, tables=tables, text=text,
                          signature=signature, contact=contact, extra=extra)


def pack(d: ReportData, layout: Layout):
    """PackedData of `d`, or `d` itself when it holds what marshal cannot keep."""
    try:
        return PackedData(d, layout)
    except ValueError:
        return d


def _tables(layout: Layout, values) -> dict:
    tables: dict = {}
    for (group, rk, ck), v in zip(layout.cell_keys.values(), values):
        tables.setdefault(group, {}).setdefault(rk, {})[ck] = v
    return tables


def _flat(tables: dict) -> list:
    return [(g, rk, ck, v.__class__, v) for g, rows in tables.items() for rk, row in rows.items()
            for ck, v in (row.items() if isinstance(row, dict) else [(None, row)])]


class Accepted(Mapping):
    """Unit code → its accepted ReportData, held packed (see PackedData): each lookup unpacks a
    fresh copy, `values()` of one unit gives its cells without building the dicts."""

    def __init__(self, layout: Layout, items=()):
        self.layout = layout
        self._d: dict = {}
        for code, d in items:
            self[code] = d

    def __setitem__(self, code: str, d) -> None:
        self._d[code] = pack(d, self.layout) if isinstance(d, ReportData) else d

    def __getitem__(self, code: str) -> ReportData:
        d = self._d[code]
        return d.unpack(self.layout) if isinstance(d, PackedData) else d

    def __iter__(self):
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __contains__(self, code) -> bool:
        return code in self._d

    def data_file(self, code: str) -> str:
        """The unit's data file text (dump_data), from its packed cells when it is packed."""
        d = self._d[code]
        return d.data_file(self.layout) if isinstance(d, PackedData) else dump_data(d)

    def texts(self, code: str) -> ReportData:
        """The unit's report without its tables (PackedData.texts), or whole when not packed."""
        d = self._d[code]
        return d.texts() if isinstance(d, PackedData) else d

    def cells(self, code: str) -> tuple:
        """The unit's cells in layout.cell_keys order (see cells_of)."""
        d = self._d[code]
        return d.values(self.layout) if isinstance(d, PackedData) else tuple(d.raw_values(self.layout).values())

    def cells_and_unit(self, code: str) -> tuple[tuple, dict]:
        """cells(code) and the unit as its file gives it (unit_of), read back at once."""
        d = self._d[code]
        if isinstance(d, PackedData):
            return d.values_and_unit(self.layout)
        return tuple(d.raw_values(self.layout).values()), d.unit


def cells_of(accepted: Mapping, code: str, layout: Layout) -> tuple:
    """One accepted unit's cells in layout.cell_keys order, from an Accepted or a plain dict."""
    if isinstance(accepted, Accepted) and accepted.layout is layout:
        return accepted.cells(code)
    return tuple(accepted[code].raw_values(layout).values())


def unit_of(accepted: Mapping, code: str) -> dict:
    """One accepted unit's {code, name} as its file gives them, without unpacking it."""
    if isinstance(accepted, Accepted):
        return accepted._d[code].unit
    return accepted[code].unit


@dataclass(slots=True)
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
    accepted: Mapping[str, ReportData]        # unit code → its accepted data (an Accepted, or a dict)
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
    spill: Spill | None = None                # where the reports are kept while the run needs them
    generated: str = ""                       # generated_at, once known (a writer given no entries)

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


_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)")


def generated_at(c: Consolidation) -> str:
    """The latest submission time (UTC, 'Z'): the one timestamp of every output, so a re-run on
    the same inbox writes the same bytes."""
    if c.generated:
        return c.generated
    # Times of one offset in the fixed ISO form compare as strings: only the latest of each
    # offset is parsed (a country's 100,000 times, asked for by every output).
    latest: dict[str, str] = {}
    others = []
    for e in c.entries:
        t = e.submitted_at
        if not t:
            continue
        m = _ISO.fullmatch(t)
        if m is None:
            others.append(t)
        elif t > latest.get(m.group(1), ""):
            latest[m.group(1)] = t
    times = [t for t in (timefmt.parse(x) for x in [*latest.values(), *others]) if t is not None]
    if not times:
        return f"{c.year + 1}-01-01T00:00:00Z"
    return max(times).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class MadeAsTaken(list):
    """A list — to a loop, json's encoder, a renderer and len() — whose items are made anew each
    time it is gone through: a country's manifest rows or drafted paragraphs (one per file or
    unit) are never all held. Not for indexing or comparing."""

    def __init__(self, n: int, make):
        super().__init__()
        self._n, self._make = n, make

    def __iter__(self):
        return iter(self._make())

    def __len__(self) -> int:
        return self._n
