"""History: a SQLite store of every accepted unit-year, and what last year says about this one.

One row per (unit code, year): the data file (canonical JSON) and its provenance (which file,
its sha256, when it was submitted, where it came from, when it was stored). Storing a unit-year
again replaces the row: the store keeps the accepted version, not every version (the manifest
of a consolidation says which file superseded which).

Last year's data is used twice:
- `carry_over` pre-fills this year's template by the layout's `carry_over` links: 三 二、上年结转
  from last year's 四、结转下年度继续办理, and in the 2019 format 二 上一年项目数量 from last
  year's 上一年项目数量 + 本年增/减;
- `previous_year_findings` warns when a submitted report disagrees with last year's.

Nothing here asks the clock: `stored_at` comes in the provenance, so runs are reproducible.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

from gaixl.errors import InputError, UsageError
from gaixl.findings import Finding
from gaixl.report.data import ReportData
from gaixl.spec.load import load_layout
from gaixl.spec.model import CarryLink, Layout
from gaixl.spec.rules import CellRef, computed_cells
from gaixl.validation.textcopy import copied_last_year

SCHEMA_VERSION = 1


_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
    """CREATE TABLE IF NOT EXISTS unit_years (
        unit_code  TEXT NOT NULL,
        unit_name  TEXT NOT NULL,
        year       INTEGER NOT NULL,
        layout     TEXT NOT NULL,
        data       TEXT NOT NULL,
        provenance TEXT NOT NULL,
        stored_at  TEXT NOT NULL,
        PRIMARY KEY (unit_code, year))""",
]


def _canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False)


class HistoryStore:
    """The history database at `path`. With create=False a missing file is an InputError
    (reading commands must not leave an empty database behind a typo)."""

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        where = str(self.path)
        if not create and not self.path.is_file():
            raise InputError("no history database here", where=where, zh="历史数据库不存在")
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(str(self.path), timeout=30)
            else:
                self._db = sqlite3.connect(self.path.resolve().as_uri() + "?mode=rw", uri=True, timeout=30)
        except (sqlite3.Error, OSError) as e:
            raise InputError(f"cannot open the history database: {e}", where=where,
                             zh="无法打开历史数据库文件") from None
        try:
            self._init_schema(create)
        except sqlite3.DatabaseError as e:
            self._db.close()
            raise InputError(f"not a gaixl history database (SQLite says: {e})", where=where,
                             zh="不是历史数据库文件，或文件已损坏") from None
        except InputError:
            self._db.close()
            raise

    def _init_schema(self, create: bool) -> None:
        where = str(self.path)
        names = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "schema_version" not in names:
            if names or not create:
                raise InputError("not a gaixl history database (it has no schema_version table)", where=where,
                                 zh="不是历史数据库文件（缺少结构版本表）")
            with self._db:
                for stmt in _SCHEMA:
                    self._db.execute(stmt)
                self._db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            return
        row = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        version = row[0] if row else None
        if version is None or version > SCHEMA_VERSION or "unit_years" not in names:
            raise InputError(f"history database schema version {version} is not one this gaixl reads "
                             f"(it reads {SCHEMA_VERSION})", where=where,
                             zh=f"历史数据库的结构版本（{version}）与本程序能读取的版本（{SCHEMA_VERSION}）不符，请升级本程序")

    # -- context manager
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing
    def store(self, data: ReportData, provenance: dict) -> None:
        """Store one accepted unit-year (replacing any earlier one of the same unit and year)."""
        self.store_many([(data, provenance)])

    def store_many(self, items: Iterable[tuple[ReportData, dict]]) -> int:
        """Store several unit-years in one transaction (all or none). Returns how many."""
        rows = [self._row(d, p) for d, p in items]
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO unit_years (unit_code, unit_name, year, layout, data, provenance, stored_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        except sqlite3.Error as e:
            raise InputError(f"cannot write to the history database: {e}", where=str(self.path),
                             zh="无法写入历史数据库（文件可能被占用、只读或已损坏）") from None
        return len(rows)

    def _row(self, data: ReportData, provenance: dict) -> tuple:
        code = str(data.unit.get("code") or "").strip()
        if not code:
            raise UsageError(f"a unit-year needs the unit's code to be stored in the history ({data.unit.get('name')})",
                             zh=f"单位代码为空，无法存入历史数据库（{data.unit.get('name')}）")
        if not isinstance(provenance, dict) or not provenance.get("stored_at"):
            raise UsageError("the provenance of a stored unit-year needs stored_at",
                             zh="存入历史数据库的来源信息须包含存入时间（stored_at）")
        return (code, str(data.unit.get("name") or ""), int(data.year), data.layout,
                _canonical(data.to_json()), _canonical(provenance), str(provenance["stored_at"]))

    # -- reading
    def get(self, code: str, year: int) -> ReportData | None:
        row = self._one("SELECT data FROM unit_years WHERE unit_code = ? AND year = ?", (str(code), int(year)))
        if row is None:
            return None
        return ReportData.from_json(json.loads(row[0]), where=f"{self.path} [{code} {year}]")

    def provenance(self, code: str, year: int) -> dict | None:
        row = self._one("SELECT provenance FROM unit_years WHERE unit_code = ? AND year = ?", (str(code), int(year)))
        return json.loads(row[0]) if row else None

    def units(self, year: int | None = None) -> list[dict]:
        """What is stored: [{code, name, year, layout, stored_at, submitted_at, file, source}], by year
        then code (submitted_at: when the unit sent it, from the provenance; None when not known)."""
        sql = "SELECT unit_code, unit_name, year, layout, stored_at, provenance FROM unit_years"
        args: tuple = ()
        if year is not None:
            sql += " WHERE year = ?"
            args = (int(year),)
        out = []
        for code, name, y, layout, stored_at, prov in self._all(sql + " ORDER BY year, unit_code", args):
            p = json.loads(prov)
            out.append({"code": code, "name": name, "year": y, "layout": layout, "stored_at": stored_at,
                        "submitted_at": p.get("submitted_at") or None, "file": p.get("file"),
                        "source": p.get("source")})
        return out

    def years(self) -> list[int]:
        return [r[0] for r in self._all("SELECT DISTINCT year FROM unit_years ORDER BY year", ())]

    def _all(self, sql: str, args: tuple) -> list:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as e:
            raise InputError(f"cannot read the history database: {e}", where=str(self.path),
                             zh="无法读取历史数据库（文件可能被占用或已损坏）") from None

    def _one(self, sql: str, args: tuple):
        rows = self._all(sql, args)
        return rows[0] if rows else None


# ---------------------------------------------------------------- last year → this year
def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _keys(t, axis: str) -> list[str]:
    """The data-column keys (axis "column") or data-row keys of a table."""
    return [x.key for x in (t.data_columns if axis == "column" else t.data_rows) if x.key]


def _link_ref(link: CarryLink, tk: str, line: str, inst: str) -> CellRef:
    """The cell of a link's row (for_each column) or column (for_each row) `line` in instance `inst`."""
    return CellRef(tk, line, inst) if link.for_each == "column" else CellRef(tk, inst, line)


def _link_cells(link: CarryLink, prev_layout: Layout, layout: Layout):
    """(this year's cell, last year's source cells) of a carry-over link, for every instance
    that both layouts have and that is typed by hand this year (a formula is never prefilled)."""
    formulas = computed_cells(layout)
    lines = "row" if link.for_each == "column" else "column"
    for tk in link.tables:
        t, pt = layout.tables.get(tk), prev_layout.tables.get(tk)
        if t is None or pt is None or not set(link.sources) <= set(_keys(pt, lines)):
            continue
        there = set(_keys(pt, link.for_each))
        for inst in _keys(t, link.for_each):
            to = _link_ref(link, tk, link.to, inst)
            if inst in there and to not in formulas:
                yield to, [_link_ref(link, tk, src, inst) for src in link.sources]


def _links(prev_layout: Layout, layout: Layout):
    """(link, this year's cell, last year's source cells) of this year's layout's carry_over."""
    for link in layout.carry_over:
        for to, sources in _link_cells(link, prev_layout, layout):
            yield link, to, sources


def _expected(previous: ReportData, prev_layout: Layout, sources: list[CellRef]):
    """Last year's sources added up (blank counts 0), or None when all are blank."""
    vals = [previous.value(prev_layout, ref) for ref in sources]
    if not any(_is_num(v) for v in vals):
        return None
    return sum(v for v in vals if _is_num(v))


def carry_over(previous: ReportData, layout_now: Layout) -> dict:
    """The prefill of this year's template from last year's report, by the layout's carry_over
    links: {"tables": {group: {row: {column: value}}}} (data-file keys of `layout_now`), for
    generate_workbook(prefill=…). Blank values of last year are not carried (the cell stays
    an input); nor is a negative value into a count cell."""
    prev_layout = load_layout(previous.layout)
    keys = layout_now.cell_keys
    tables: dict = {}
    for _link, to, sources in _links(prev_layout, layout_now):
        v = _expected(previous, prev_layout, sources)
        if v is None or (v < 0 and layout_now.tables[to.table].column(to.col).kind == "count"):
            continue
        group, rk, ck = keys[to]
        tables.setdefault(group, {}).setdefault(rk, {})[ck] = v
    return {"tables": tables}


def prefill_for(store: HistoryStore, year: int, layout: Layout) -> Callable[[str], dict | None]:
    """code → the prefill of the unit's template of `year` from its stored report of year-1
    (None when nothing is stored, or the unit has no code): for generate_all(prefill=…)."""
    def prefill(code: str) -> dict | None:
        previous = store.get(code, year - 1) if code else None
        return carry_over(previous, layout) if previous is not None else None
    return prefill


def prefilled_cells(prefill: dict | None) -> int:
    """How many cells a prefill fills."""
    return sum(len(cols) for rows in (prefill or {}).get("tables", {}).values() for cols in rows.values())


def _differs(expected, found) -> bool:
    if not _is_num(found):
        return expected != 0
    return round(found - expected, 4) != 0


def _show(v) -> str:
    if v is None:
        return "空白"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def _show_en(v) -> str:
    return "blank" if v is None else _show(v)


def _place(sheet, cell, group: str) -> str:
    return f"{sheet}!{cell}" if sheet and cell else f"表{group}"


def previous_year_findings(data: ReportData, previous: ReportData, layout: Layout, *,
                           locator: dict | None = None) -> list[Finding]:
    """Warnings where this year's report disagrees with last year's (`layout` is this year's).
    `locator` (CellRef → (sheet, "D7"), from the reader) places them on the sheet."""
    prev_layout = load_layout(previous.layout)
    keys = layout.cell_keys
    y, py = data.year, previous.year
    out: list[Finding] = []

    def where(ref: CellRef):
        return (locator or {}).get(ref, (None, None))

    for link, ref, sources in _links(prev_layout, layout):
        expected = _expected(previous, prev_layout, sources)
        if expected is None:
            continue
        found = data.value(layout, ref)
        if not _differs(expected, found):
            continue
        group, rk, col = keys[ref]
        sheet, cell = where(ref)
        place = _place(sheet, cell, group)
        if len(sources) == 1:
            _pg, prk, pcol = prev_layout.cell_keys[sources[0]]
            said = f"{py}年度报告的“{prk}”（{pcol}）为{_show(expected)}"
            said_en = f"the {py} report carried {_show(expected)} over ({prk})"
        else:
            parts = "加".join(f"“{prev_layout.cell_keys[s][2] if link.for_each == 'row' else prev_layout.cell_keys[s][1]}”"
                             for s in sources)
            said = f"按{py}年度报告应为{_show(expected)}（该年的{parts}）"
            said_en = f"the {py} report gives {_show(expected)} (the sum of its {len(sources)} source cells)"
        out.append(Finding(
            code=link.code, severity="warning", table=group,
            message=f"{place}（{rk} / {col}）本年度（{y}年）为{_show(found)}，但{said}，两者应当相等",
            message_en=f"{place} ({rk} / {col}) is {_show_en(found)} in the {y} report, but {said_en}; "
                       f"they should be equal",
            sheet=sheet, cell=cell, row=rk, column=col, expected=expected, found=found))
    return out + copied_last_year(data, previous, layout)


def history_findings(store: HistoryStore, data: ReportData | None, locator: dict | None = None) -> list[Finding]:
    """Where a report disagrees with the unit's stored report of year-1 (nothing when the report
    has no unit code or nothing is stored); `locator` (from the reader) places them at sheet!cell."""
    if data is None or not data.unit.get("code"):
        return []
    previous = store.get(data.unit["code"], data.year - 1)
    return [] if previous is None else previous_year_findings(data, previous, load_layout(data.layout),
                                                              locator=locator)
