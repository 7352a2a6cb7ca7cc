"""consolidate: an inbox of returned files + the roster → a Consolidation and its outputs.

    consolidate(inbox, roster, year, out_dir, *, history=None, layout=None, progress=None,
                reports=True) -> Consolidation

Every file found under INBOX (recursively; provenance sidecars `*.gaixl.json` and dot files
excepted) ends in exactly one state (gaixl.consolidation.model.STATES):
- rejected: unreadable; not a workbook or data file (wrong format); another year (wrong year);
  another report format than the year's (wrong format); another county's unit (its code
  matches no roster unit, nor its name, and its code prefix — the part before the first "-" —
  is none of the roster's prefixes); errors found (the unit's latest file has errors).
- unknown-unit: code and name match no roster unit, but the code prefix is one of the roster's
  (or the file carries no code at all).
- superseded: an older file of the same unit. Only readable files of the right year and format
  compete; the latest wins: by email date when every competing file has one (collect's sidecar),
  else by the workbook's own save time (docProps/core.xml dcterms:modified), then by a version
  word in the file name (初报/初稿/原稿 < none < 更正/修改/修订/补报/重报/终稿/最终), then by
  file name. If the latest file has errors, the unit is rejected (the older files superseded).
A file is matched to the roster by the code in its own metadata, else by the exact unit name.
Nothing is modified in the inbox. Outputs: gaixl.consolidation.outputs.write_outputs.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import os
import re
import sys
import zipfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from gaixl import jsonsafe, peakmem, timefmt
from gaixl.atomic import file_sha256
from gaixl.consolidation.letters import root_count
from gaixl.consolidation.model import Accepted, Consolidation, Entry, PackedData, Spill, Stowed, UnitStatus, pack
from gaixl.errors import GaixlError, UsageError
from gaixl.findings import Finding
from gaixl.report.data import ReportData
from gaixl.report.roster import read_roster
from gaixl.spec.load import layout_for_year, load_layout
from gaixl.spec.model import Layout
from gaixl.spec.rules import compute, input_cells
from gaixl.validation.files import check_file, expectation_findings, unreadable_report
from gaixl.validation.textcopy import duplicate_units

SIDECAR = ".gaixl.json"
PARALLEL_FROM = 200          # files; below this a process pool costs more than it saves
SUFFIXES = {".xlsx", ".xlsm", ".xls", ".json"}
DOCUMENTS = {".docx", ".doc", ".wps", ".pdf", ".html", ".htm", ".txt", ".md", ".ofd"}   # reports as documents
OLDER_WORDS = ("初报", "初稿", "原稿", "旧")
NEWER_WORDS = ("更正", "修改", "修订", "补报", "重报", "终稿", "最终", "定稿")


# ---------------------------------------------------------------- inbox
def _visible_files(inbox: Path):
    """Every regular file under the inbox, as found, leaving out hidden names and folders
    (the sidecars are among them)."""
    for p in inbox.rglob("*"):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(inbox).parts):
            yield p


def inbox_files(inbox: Path) -> tuple[list[Path], dict[Path, dict]]:
    """Every input file (sorted) and the provenance sidecars by the file they describe."""
    files, sidecars = [], {}
    for p in sorted(_visible_files(inbox)):
        if p.name.endswith(SIDECAR):
            try:
                meta = jsonsafe.loads(p.read_bytes())
            except (OSError, ValueError):
                meta = None
            if isinstance(meta, dict):
                target = p.parent / str(meta.get("file") or p.name[: -len(SIDECAR)])
                sidecars[target] = meta
            continue
        files.append(p)
    return files, sidecars


sha256 = file_sha256          # the file's identity in the manifest


def utc_iso(value) -> str | None:
    """An ISO 8601 / RFC 2822 date → 'YYYY-MM-DDTHH:MM:SSZ' (naive dates taken as UTC)."""
    t = timefmt.parse(value)
    return None if t is None else t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")


def saved_at(p: Path) -> str | None:
    """The workbook's own save time (docProps/core.xml dcterms:modified), None if not a zip."""
    try:
        with zipfile.ZipFile(p) as z:
            m = _MODIFIED.search(z.read("docProps/core.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return None
    return utc_iso(m.group(1).decode("utf-8", "replace")) if m else None


def version_rank(name: str) -> int:
    if any(w in name for w in NEWER_WORDS):
        return 2
    if any(w in name for w in OLDER_WORDS):
        return 0
    return 1


# ---------------------------------------------------------------- reading
def _at_least(inbox: Path, n: int) -> bool:
    """Whether the inbox holds at least `n` input files (as inbox_files counts them, stopping at `n`)."""
    inputs = (p for p in _visible_files(inbox) if not p.name.endswith(SIDECAR))
    return next(itertools.islice(inputs, max(n - 1, 0), None), None) is not None


def _read(p: Path, rel: str, digest: str, sidecar: dict | None, tz=None) -> Entry:
    e = Entry(file=rel, sha256=digest, state="rejected")
    # ISO 8601 with the offset of `tz` (Beijing time by default): unambiguous in the manifest,
    # and the times of one run compare as strings.
    email = timefmt.local_iso((sidecar or {}).get("date"), tz)
    saved = saved_at(p) if p.suffix.lower() in (".xlsx", ".xlsm") else None
    e.file_saved = timefmt.local_iso(saved, tz) if saved else None
    e.email_date = email
    e.email_from = str((sidecar or {}).get("from") or "")
    e.message_id = str((sidecar or {}).get("message_id") or "")
    e.submitted_at, e.source = (email, "email") if email else (e.file_saved, "file" if e.file_saved else "")
    if p.suffix.lower() in DOCUMENTS:
        # A report sent as a document instead of the template: never summed unseen (its numbers
        # would come from reading labels, not from the unit's own cells) — but say the way in.
        e.reason = (f"格式不符：这是报告文稿（{p.suffix}），不是填报模板；请该单位用模板重新报送，"
                    f"或用 gaixl import 导入为数据文件（.json）核对后放入收件文件夹")
        e.reason_en = (f"wrong format: a report document ({p.suffix}), not the template; ask the unit to resend the "
                       f"template, or turn it into a data file with gaixl import, check it and put that in the inbox")
    elif p.suffix.lower() not in SUFFIXES:
        e.reason = f"格式不符：不是报告工作簿（.xlsx/.xlsm/.xls）或数据文件（.json），而是“{p.suffix or '无扩展名'}”文件"
        e.reason_en = f"wrong format: not a report workbook or data file ({p.suffix or 'no suffix'})"
    if p.suffix.lower() not in SUFFIXES:
        e.findings = [Finding(code="wrong-format", severity="error", table="meta", message=e.reason,
                              message_en=e.reason_en)]
        e.errors = 1
        return e
    try:
        e.report = check_file(p)
    except GaixlError as err:
        e.report = unreadable_report(p, err)
    except Exception as err:  # noqa: BLE001 — one broken file must not stop a county's run
        e.report = unreadable_report(p, GaixlError(f"{type(err).__name__}: {err}", zh=f"读取出错（{type(err).__name__}）"))
    e.findings = list(e.report.findings)
    if e.report.data is None:
        msg = e.findings[0]
        e.reason, e.reason_en = msg.message, msg.message_en
    else:
        e.unit_code = e.report.data.unit.get("code") or None
        e.unit_name = e.report.data.unit.get("name") or None
    return e


def _read_job(job) -> Entry:
    p, rel, sidecar, tz = job
    e = _read(p, rel, sha256(p), sidecar, timefmt.zone(tz))
    if e.report is not None and e.report.locator and e.report.data is not None:
        # Where each cell sat (for findings added later, e.g. history) travels back from the
        # reading process as one string: thousands of CellRef keys would cost more to unpickle
        # than the whole rest of the entry.
        layout = load_layout(e.report.data.layout)
        loc = e.report.locator
        e.places = "\x1f".join("!".join(loc[ref]) if ref in loc else "" for ref in layout.cell_keys)
        e.report.locator = {}
        # Held packed from here on (a few KB a file, however many files a run has).
        e.report.data = pack(e.report.data, layout)
    return e


def entry_locator(e: Entry, layout: Layout) -> dict:
    """CellRef → (sheet, cell) of an entry read by _read_job (the inverse of its packing)."""
    if e.report is not None and e.report.locator:
        return e.report.locator
    if not e.places:
        return {}
    out = {}
    for ref, place in zip(layout.cell_keys, e.places.split("\x1f")):
        if place:
            sheet, _, cell = place.rpartition("!")
            out[ref] = (sheet, cell)
    return out


def _count(e: Entry) -> None:
    e.errors = sum(1 for f in e.findings if f.severity == "error")
    e.warnings = sum(1 for f in e.findings if f.severity == "warning")


def _prefix(code: str | None) -> str:
    return (code or "").split("-", 1)[0]


# ---------------------------------------------------------------- classification
def _classify(entries: list[Entry], units: list[dict], year: int, layout: Layout,
              stale: dict[str, list[Entry]] | None = None) -> dict[str, list[Entry]]:
    """Set rejected/unknown states; return the competing (readable, right year/format) files per unit.
    Files of a roster unit rejected for their year or format are added to `stale` (by unit code)."""
    stale = {} if stale is None else stale
    by_code = {u["code"]: u for u in units}
    by_name = {u["name"]: u for u in units}
    prefixes = {_prefix(u["code"]) for u in units if "-" in u["code"]}
    competing: dict[str, list[Entry]] = {}
    for e in entries:
        if e.report is None or e.report.data is None:
            continue                                   # unreadable / wrong suffix: already rejected
        d = e.report.data
        meta = e.report.meta
        extra = expectation_findings(d, meta.load() if isinstance(meta, Stowed) else meta, year=year)
        e.findings += extra
        unit = by_code.get(e.unit_code or "") or by_name.get(e.unit_name or "")
        if unit is not None:
            e.unit_code, e.unit_name = unit["code"], unit["name"]
        if d.year != year:
            e.reason = f"年度不符：本文件为{d.year}年度报告，应报送{year}年度报告"
            e.reason_en = f"wrong year: a {d.year} report, expected {year}"
            if unit is not None:
                stale.setdefault(unit["code"], []).append(e)
        elif d.layout != layout.id:
            e.reason = f"格式不符：本文件为{d.layout}年版格式，{year}年度应使用{layout.id}年版格式"
            e.reason_en = f"wrong format: the {d.layout} layout, {year} uses {layout.id}"
            if unit is not None:
                stale.setdefault(unit["code"], []).append(e)
        elif unit is None:
            if e.unit_code and prefixes and _prefix(e.unit_code) not in prefixes:
                e.reason = f"非本地区单位：单位代码“{e.unit_code}”（{e.unit_name or '名称未填'}）不属于本名单所辖地区"
                e.reason_en = f"another county's unit: code {e.unit_code} is not of this roster's area"
            else:
                e.state = "unknown-unit"
                e.reason = f"单位不在名单中：“{e.unit_name or '名称未填'}”（代码“{e.unit_code or '未填'}”）"
                e.reason_en = f"unit not on the roster: {e.unit_name or '?'} ({e.unit_code or 'no code'})"
        else:
            competing.setdefault(unit["code"], []).append(e)
        _count(e)
    return competing


def _order_key(e: Entry, by_email: bool):
    t = e.email_date if by_email else e.file_saved
    return (t or "", version_rank(Path(e.file).name), e.file)


def _supersede(competing: dict[str, list[Entry]], stale: dict[str, list[Entry]] | None = None) -> None:
    """The latest file of each unit wins; older ones are superseded — also an older file that was
    rejected for its year or format (`stale`): the unit has sent the right one since."""
    for code, files in competing.items():
        newest = max(files, key=lambda e: e.submitted_at or "")
        for old in (stale or {}).get(code, []):
            if old.submitted_at and newest.submitted_at and old.submitted_at < newest.submitted_at:
                old.state = "superseded"
                old.reason = f"已被较晚报送的文件“{newest.file}”取代（本文件{old.reason}）"
                old.reason_en = f"superseded by the later file {newest.file} (this one: {old.reason_en})"
    for files in competing.values():
        by_email = all(e.email_date for e in files)
        files.sort(key=lambda e: _order_key(e, by_email))
        latest = files[-1]
        for e in files[:-1]:
            e.state = "superseded"
            e.reason = f"已被较晚报送的文件“{latest.file}”取代"
            e.reason_en = f"superseded by the later file {latest.file}"
        if latest.errors:
            # Counted as the letter counts them: problems to fix, not the checks they blocked.
            n = root_count(latest.findings) or latest.errors
            latest.state = "rejected"
            latest.reason = f"发现错误：共{n}处须改正，须改正后重新报送"
            latest.reason_en = f"errors found: {n} to correct, to be resent"
        else:
            latest.state, latest.reason, latest.reason_en = "accepted", "", ""


# ---------------------------------------------------------------- totals
def sum_reports(layout: Layout, year: int, reports: list[ReportData], code: str, name: str) -> ReportData:
    """The sum of every input cell over `reports` (blank counts 0), totals recomputed."""
    total = ReportData.empty(layout, year, code, name)
    cells = [(ref, layout.cell_keys[ref]) for ref, _c in input_cells(layout)]
    sums: list[int | float] = [0] * len(cells)
    # Unit-major, straight through each report's dicts: a large city sums over a million cells.
    for d in reports:
        tables = d.tables
        for i, (_ref, (group, rk, ck)) in enumerate(cells):
            row = tables.get(group, {}).get(rk)
            v = row.get(ck) if isinstance(row, dict) else None
            if v is not None and v.__class__ in (int, float):
                sums[i] += v
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                sums[i] += v
    for (ref, _k), v in zip(cells, sums):
        total.set_value(layout, ref, round(v, 6) if isinstance(v, float) else v)
    for ref, v in compute(layout, lambda r: total.number(layout, r)).items():
        total.set_value(layout, ref, round(v, 6) if isinstance(v, float) else v)
    return total


def _sum_accepted(layout: Layout, year: int, accepted: Accepted, codes: list[str], code: str,
                  name: str) -> ReportData:
    """sum_reports over accepted units, straight from their packed cells (no dicts built)."""
    at = {ref: i for i, ref in enumerate(layout.cell_keys)}
    inputs = [at[ref] for ref, _c in input_cells(layout)]
    sums: list[int | float] = [0] * len(inputs)
    for k in codes:
        cells = accepted.cells(k)
        for j, i in enumerate(inputs):
            v = cells[i]
            if v is not None and (v.__class__ is int or v.__class__ is float):
                sums[j] += v
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                sums[j] += v
    total = ReportData.empty(layout, year, code, name)
    refs = list(layout.cell_keys)
    for j, i in enumerate(inputs):
        v = sums[j]
        total.set_value(layout, refs[i], round(v, 6) if isinstance(v, float) else v)
    for ref, v in compute(layout, lambda r: total.number(layout, r)).items():
        total.set_value(layout, ref, round(v, 6) if isinstance(v, float) else v)
    return total


def county_name(units: list[dict], roster: Path) -> str:
    """The roster's common parent; else the roster file's name when it is a Chinese name
    (青田县名单.csv → 青田县名单 is not great, roster.csv → "" is worse: a title stays generic)."""
    parents = {u.get("parent") or "" for u in units}
    if len(parents) == 1 and "" not in parents:
        return parents.pop()
    stem = roster.stem
    for word in ("单位名单", "名单", "花名册"):
        stem = stem.replace(word, "")
    return stem if any("\u4e00" <= ch <= "\u9fff" for ch in stem) else ""


PLACES = ("县", "市", "区", "旗", "州", "盟", "镇", "乡", "街道", "省", "自治区")


def office_name(county: str) -> str:
    """Who signs when nobody said: an area's name → 〈area〉政府信息公开工作主管部门; an office's name
    (青田县人民政府办公室) as it is; nothing → 政府信息公开工作主管部门 (never a file name)."""
    county = (county or "").strip()
    if not county:
        return "政府信息公开工作主管部门"
    return f"{county}政府信息公开工作主管部门" if county.endswith(PLACES) else county


def infer_year(entries: list[Entry]) -> int | None:
    years = Counter(e.report.data.year for e in entries if e.report is not None and e.report.data is not None)
    if not years:
        return None
    return max(years, key=lambda y: (years[y], y))


# ---------------------------------------------------------------- history (optional module)
def _history(c: Consolidation, path) -> dict | None:
    """Store accepted unit-years and load last year's; a note ({"zh", "en"}) of what was done."""
    if path is None:
        return None
    from gaixl.consolidation.outputs import generated_at
    from gaixl.validation import history as H

    stamp = generated_at(c)                # deterministic: the latest submission time
    store = H.HistoryStore(path)
    try:
        items = []
        for u in c.units:
            if u.status == "accepted":
                e = u.entry
                assert e is not None                      # an accepted unit has its file
                items.append((c.accepted[u.code], {"file": e.file, "sha256": e.sha256, "submitted_at": e.submitted_at,
                                                   "source": e.source, "inbox": c.inbox, "stored_at": stamp}))
        if hasattr(store, "store_many"):
            store.store_many(items)
        else:
            for d, prov in items:
                store.store(d, prov)
        prev = {}
        for u in c.units:
            last = store.get(u.code, c.year - 1)
            if last is not None:
                prev[u.code] = last
    finally:
        getattr(store, "close", lambda: None)()
    c.previous = prev
    if prev:
        same = [d for _k, d in sorted(prev.items()) if d.layout == c.layout.id]
        if same:
            c.previous_total = sum_reports(c.layout, c.year - 1, same, c.total.unit["code"], c.total.unit["name"])
        finder = getattr(H, "previous_year_findings", None)
        for u in c.units:
            if u.status == "accepted" and u.code in prev and finder is not None:
                e = u.entry
                assert e is not None                      # an accepted unit has its file
                e.findings += list(finder(c.accepted[u.code], prev[u.code], c.layout,
                                          locator=entry_locator(e, c.layout)))
                _count(e)
    return {"zh": f"历史数据库 {path}：存入本年度采用的报告{len(c.accepted)}份，"
                  f"找到{c.year - 1}年度报告{len(prev)}份用于比对",
            "en": f"history {path}: stored {len(c.accepted)} accepted reports, "
                  f"found {len(prev)} reports of {c.year - 1} to compare with"}


# ---------------------------------------------------------------- entry point
def _duplicate_text(statuses: list[UnitStatus], layout: Layout) -> None:
    """text-duplicate-units: each unit's report (the one taken, or the latest rejected) against
    the others', added to its findings (and so to its letter)."""
    def texts(d):            # held packed (PackedData) in a large run: its texts are enough here
        return d.texts() if isinstance(d, PackedData) else d

    def reports():           # one at a time, when asked for: a country's reports are never all held
        for u in statuses:
            if u.entry is not None and u.entry.report is not None and u.entry.report.data is not None:
                yield u.code, u.name, functools.partial(texts, u.entry.report.data), None

    found = duplicate_units(reports, layout)
    for u in statuses:
        if u.code in found and u.entry is not None:
            u.entry.findings += found[u.code]
            _count(u.entry)


def consolidate(inbox, roster, year: int | None = None, out_dir=None, *, history=None, layout=None,
                progress=None, reports: bool = True, workers: int | None = None, tz: str | None = None,
                deadline: dt.date | None = None, office: str | None = None, county: str | None = None,
                password: str | None = None) -> Consolidation:
    """Read, match, check and sum an inbox; write the outputs to `out_dir` (when given).
    `progress(done, total)` is called after each file. `reports=False` skips per-unit .docx.
    `workers`: reading processes (default: one per CPU from PARALLEL_FROM files on, else 1).
    `tz`: the zone times are shown in (default Asia/Shanghai); `deadline`: files received after
    the end of that day (in `tz`) are marked late. `office` signs letters and the county report,
    `county` names the area (both default to the roster's common parent). `password`: the
    consolidated workbook's sheet protection (default: the templates' own)."""
    inbox, roster = Path(inbox), Path(roster)
    if not inbox.is_dir():
        raise UsageError("the inbox is not a folder", where=str(inbox), zh="收件文件夹不存在或不是文件夹")
    zone = timefmt.zone(tz)               # a wrong --tz fails before any work
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if _at_least(inbox, PARALLEL_FROM) else 1
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(ProcessPoolExecutor(workers)) if workers > 1 else None
        if pool is not None:
            # The reading processes start now, before the roster and the inbox's list are read:
            # each begins as a copy of this process, and a country's lists would be in all of them.
            pool.submit(int).result()
        units = read_roster(roster)
        files, sidecars = inbox_files(inbox)
        jobs = [(p, p.relative_to(inbox).as_posix(), sidecars.get(p), tz) for p in files]
        total_files = len(jobs)
        entries = []
        places: dict[str, str] = {}           # one copy of each packed locator (most files share one)
        # Each file's report and metadata wait on disk, beside the output folder when there is one.
        target = Path(out_dir) if out_dir is not None else None
        spill = Spill(target.parent if target is not None and target.parent.is_dir() else None, where=target)

        def keep(i: int, e: Entry) -> None:
            e.places = places.setdefault(e.places, e.places)
            if e.report is not None:
                e.report.kind = sys.intern(e.report.kind)          # a few kinds, not a copy per file
                if isinstance(e.report.data, PackedData):
                    e.report.data.stow(spill)
                if e.report.meta:
                    e.report.meta = Stowed(e.report.meta, spill)        # type: ignore[assignment]
            entries.append(e)
            if progress is not None:
                progress(i, total_files)

        if pool is not None and len(jobs) > 1:
            for i, e in enumerate(pool.map(_read_job, jobs, chunksize=16), 1):
                keep(i, e)
            if peakmem.enabled():                 # the bench's figures (gaixl.peakmem): each reader's own peak
                for pid in getattr(pool, "_processes", None) or {}:
                    peakmem.note("reader", pid)
        else:
            for i, job in enumerate(jobs, 1):
                keep(i, _read_job(job))
    del jobs, files, sidecars             # a Path and a tuple per file, no longer needed
    peakmem.note("read", reset=True)
    year = year if year is not None else infer_year(entries)
    if year is None:
        raise UsageError("no readable report in the inbox to tell the year from: give --year", where=str(inbox),
                         zh="收件文件夹中没有可读取的报告，无法判断年度，请用 --year 指定")
    if isinstance(layout, str):
        layout = load_layout(layout)
    layout = layout or layout_for_year(year)
    stale: dict[str, list[Entry]] = {}
    competing = _classify(entries, units, year, layout, stale)
    _supersede(competing, stale)
    for e in entries:
        e.late = timefmt.is_late(e.submitted_at, deadline, zone) if deadline is not None else None
    entries.sort(key=lambda e: e.file)

    of_unit: dict[str, list[Entry]] = {}
    for e in entries:
        if e.state != "unknown-unit" and e.unit_code:
            of_unit.setdefault(e.unit_code, []).append(e)
    statuses, accepted = [], Accepted(layout)
    for u in units:
        files_of = of_unit.get(u["code"], [])
        ok = next((e for e in files_of if e.state == "accepted"), None)
        if ok is not None:
            assert ok.report is not None                  # an accepted file was read
            st, entry = "accepted", ok
            accepted[u["code"]] = ok.report.data
        elif files_of:
            st = "rejected"
            entry = max(files_of, key=lambda e: (e.submitted_at or "", e.file))
        else:
            st, entry = "missing", None
        statuses.append(UnitStatus(code=u["code"], name=u["name"], email=u.get("email", ""),
                                   parent=u.get("parent", ""), status=st, entry=entry))
    _duplicate_text(statuses, layout)
    county = county or county_name(units, roster)
    order = [u["code"] for u in units if u["code"] in accepted]
    # What only the matching needed goes before the outputs are written (a country's roster
    # rows and lists per unit would otherwise sit in memory while they are).
    del units, competing, stale, of_unit
    total = _sum_accepted(layout, year, accepted, order, f"{county}-汇总", f"{county}（汇总）")
    total.signature = {"unit": office or office_name(county), "date": ""}
    by_parent = {}
    parent_codes: dict[str, list[str]] = {}
    for us in statuses:
        if us.parent and us.code in accepted:
            parent_codes.setdefault(us.parent, []).append(us.code)
    for parent in sorted({s.parent for s in statuses if s.parent}):
        by_parent[parent] = _sum_accepted(layout, year, accepted, parent_codes.get(parent, []), f"{parent}-汇总",
                                          f"{parent}（汇总）")
    c = Consolidation(year=year, layout=layout, inbox=str(inbox), entries=entries, units=statuses,
                      accepted=accepted, total=total, by_parent=by_parent, county=county,
                      office=office or office_name(county), office_given=bool(office),
                      tz=tz or timefmt.DEFAULT_TZ, deadline=deadline,
                      password=password, spill=spill)
    c.notes = [n for n in [_history(c, history)] if n]   # {"zh", "en"} each
    peakmem.note("match", reset=True)
    if out_dir is not None:
        from gaixl.consolidation.outputs import write_outputs

        c.outputs = write_outputs(c, Path(out_dir), reports=reports)
        peakmem.note("write")
    return c


__all__ = ["consolidate", "sum_reports", "inbox_files", "saved_at", "version_rank", "county_name", "office_name",
           "infer_year"]
