"""The files a consolidation run writes into its output folder (all atomic, all byte-stable).

    write_outputs(c: Consolidation, out_dir, *, reports=True) -> dict[str, Path]

- manifest.csv, manifest.json   every input file's state, sha256, reason; counts; missing units
- feedback/<code>-<name>.txt      per unit with findings (gaixl.consolidation.letters)
- reports/<code>-<name>.docx      per accepted unit (gaixl.document's document model)
- data/long.csv, data/long.parquet, data/<code>-<name>.json
- summary.xlsx                    one sheet per table group (二/三/四), a row per accepted unit + total
- <county>-<year>-汇总.xlsx       the consolidated workbook: sums locked, narrative open, sheet 汇总范围
- status.html, status.xlsx, county-report.docx   when gaixl.consolidation.status is installed (another module)

Nothing carries the clock: the one timestamp used everywhere (`generated_at`) is the latest
submission time of the inputs, so a re-run on the same inbox writes the same bytes.
"""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import multiprocessing
import re
import sys
import zipfile
from pathlib import Path

from gaixl.atomic import ensure_dir, remove_stale_temps, write_bytes, write_text
from gaixl.consolidation.model import Consolidation
from gaixl.errors import OutputError, os_reason_zh
from gaixl.report.data import dump_data
from gaixl.workbook.names import safe_filename

MANIFEST_COLUMNS = ["file", "sha256", "state", "reason", "unit_code", "unit_name", "submitted_at", "source",
                    "errors", "warnings"]
LONG_COLUMNS = ["unit_code", "unit_name", "year", "table", "row", "column", "value"]
COVERAGE_SHEET = "汇总范围"
STATUS_ZH = {"accepted": "已采用", "rejected": "退回", "missing": "未报送"}


def generated_at(c: Consolidation) -> str:
    times = [e.submitted_at for e in c.entries if e.submitted_at]
    return max(times) if times else f"{c.year + 1}-01-01T00:00:00Z"


def unit_stem(code: str, name: str) -> str:
    return safe_filename(f"{code}-{name}" if code else name, suffix="")


def consolidated_name(c: Consolidation) -> str:
    return safe_filename(f"{c.county}-{c.year}-汇总")


# ---------------------------------------------------------------- manifest
def summary(c: Consolidation) -> dict:
    n = c.counts()
    return {"county": c.county, "year": c.year, "layout": c.layout.id, "files": n["files"],
            "received": n["files"], "accepted": n["accepted"], "superseded": n["superseded"],
            "rejected": n["rejected"], "unknown": n["unknown-unit"],
            "units": len(c.units), "units_accepted": sum(1 for u in c.units if u.status == "accepted"),
            "units_rejected": sum(1 for u in c.units if u.status == "rejected"),
            "missing": len(missing_units(c))}


def missing_units(c: Consolidation) -> list[dict]:
    """Every roster unit without an accepted file, saying whether it sent nothing or only rejected files."""
    by_unit: dict[str, list[str]] = {}
    for e in c.entries:
        if e.unit_code and e.state != "unknown-unit":
            by_unit.setdefault(e.unit_code, []).append(e.file)
    out = []
    for u in c.units:
        if u.status == "accepted":
            continue
        files = sorted(by_unit.get(u.code, []))
        out.append({"code": u.code, "name": u.name, "email": u.email, "parent": u.parent, "status": u.status,
                    "sent": "rejected-only" if files else "nothing",
                    "reason": (u.entry.reason if u.entry is not None else "未报送"), "files": files})
    return out


def _row(e) -> dict:
    return {"file": e.file, "sha256": e.sha256, "state": e.state, "reason": e.reason, "reason_en": e.reason_en,
            "unit_code": e.unit_code or "", "unit_name": e.unit_name or "", "submitted_at": e.submitted_at or "",
            "source": e.source, "email_from": e.email_from, "message_id": e.message_id,
            "errors": e.errors, "warnings": e.warnings}


def manifest(c: Consolidation) -> dict:
    missing = missing_units(c)
    return {"county": c.county, "year": c.year, "layout": c.layout.id, "generated_at": generated_at(c),
            "inbox": c.inbox,
            "counts": {**{k: v for k, v in c.counts().items() if k != "missing"}, "missing": len(missing)},
            "summary": summary(c),
            "files": [_row(e) for e in sorted(c.entries, key=lambda e: e.file)],
            "units": [{"code": u.code, "name": u.name, "email": u.email, "parent": u.parent, "status": u.status,
                       "file": u.entry.file if u.entry is not None else ""} for u in c.units],
            "missing": missing}


def write_manifest(c: Consolidation, out: Path) -> list[Path]:
    m = manifest(c)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(MANIFEST_COLUMNS)
    for r in m["files"]:
        w.writerow([r[k] for k in MANIFEST_COLUMNS])
    return [write_bytes(out / "manifest.csv", ("\ufeff" + buf.getvalue()).encode("utf-8")),
            write_text(out / "manifest.json", json.dumps(m, ensure_ascii=False, indent=1) + "\n")]


# ---------------------------------------------------------------- data/
def _q(v) -> str:
    """One CSV field as csv.writer (QUOTE_MINIMAL) writes it."""
    s = "" if v is None else str(v)
    return '"' + s.replace('"', '""') + '"' if any(ch in s for ch in ',"\r\n') else s


def long_rows(c: Consolidation) -> list[list]:
    """[unit_code, unit_name, year, table, row, column, value] per cell of every accepted unit."""
    codes, keys, values = long_columns(c)
    names = {u.code: u.name for u in c.units}
    n = len(keys)
    return [[code, names[code], c.year, *keys[j], values[i * n + j]] for i, code in enumerate(codes) for j in range(n)]


def long_columns(c: Consolidation) -> tuple[list[str], list[tuple], list]:
    """Accepted unit codes (sorted), the layout's cell keys, and the values unit-major."""
    keys = list(c.layout.cell_keys.values())
    codes = sorted(c.accepted)
    values: list = []
    for code in codes:
        tables = c.accepted[code].tables
        for group, rk, ck in keys:
            row = tables.get(group, {}).get(rk)
            values.append(row.get(ck) if isinstance(row, dict) else None)
    return codes, keys, values


def _number_or_none(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def write_data(c: Consolidation, out: Path) -> list[Path]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    codes, keys, values = long_columns(c)
    names = {u.code: u.name for u in c.units}
    n = len(keys)
    # Over a million cells for a large city: quote only what needs it (numbers never do).
    cells = ["" if v is None else (str(v) if type(v) in (int, float) else _q(v)) for v in values]
    key_part = [",".join(_q(x) for x in k) + "," for k in keys]
    lines = [",".join(LONG_COLUMNS) + "\n"]
    for i, code in enumerate(codes):
        head = f"{_q(code)},{_q(names[code])},{c.year},"
        base = i * n
        lines.append("".join([f"{head}{key_part[j]}{cells[base + j]}\n" for j in range(n)]))
    del cells
    written = [write_text(out / "data" / "long.csv", "".join(lines))]
    del lines

    def dictionary(items: list[str], per_unit: bool):
        # Unique dictionary values (a dictionary with duplicates makes the writer's output vary).
        uniq = list(dict.fromkeys(items))
        pos = {v: i for i, v in enumerate(uniq)}
        at = np.array([pos[v] for v in items], dtype=np.int32)
        idx = np.repeat(at, n) if per_unit else np.tile(at, len(codes))
        return pa.DictionaryArray.from_arrays(pa.array(idx, pa.int32()), pa.array(uniq, pa.string()))
    numbers = [v if type(v) in (int, float) else (None if v is None else _number_or_none(v)) for v in values]
    table = pa.table({
        "unit_code": dictionary(codes, True),
        "unit_name": dictionary([names[k] for k in codes], True),
        "year": pa.array(np.full(len(values), c.year, dtype=np.int32)),
        "table": dictionary([k[0] for k in keys], False),
        "row": dictionary([k[1] for k in keys], False),
        "column": dictionary([k[2] for k in keys], False),
        "value": pa.array(numbers, pa.float64()),
    })
    del numbers
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    written.append(write_bytes(out / "data" / "long.parquet", sink.getvalue().to_pybytes()))
    return written


def write_unit_data(c: Consolidation, out: Path, codes: list[str] | None = None) -> list[Path]:
    """data/<code>-<name>.json: the data file of each accepted unit (all, or those of `codes`)."""
    written = []
    for code in sorted(c.accepted) if codes is None else codes:
        d = c.accepted[code]
        written.append(write_text(out / "data" / (unit_stem(code, d.unit.get("name") or "") + ".json"), dump_data(d)))
    return written


# ---------------------------------------------------------------- summary.xlsx
def _created(c: Consolidation):
    from gaixl.workbook.template import _created as parse

    return parse(generated_at(c))


def write_summary(c: Consolidation, out: Path) -> Path:
    """summary.xlsx: a sheet per table group, a row per accepted unit (roster order), the total last."""
    from gaixl.workbook.sheetxml import BOLD, BORDER, HEAD, SheetSpec, xlsx_bytes

    groups: dict[str, list] = {}
    for group, rk, ck in c.layout.cell_keys.values():
        groups.setdefault(group, []).append((rk, ck))
    units = [(code, c.accepted[code]) for code in (u.code for u in c.units) if code in c.accepted]

    def rows(group: str, keys: list):
        yield ["单位代码", "单位名称", *(f"{rk}｜{ck}" for rk, ck in keys)], HEAD
        for code, name, d, style in [*((code, d.unit.get("name") or code, d, BORDER) for code, d in units),
                                     (c.total.unit["code"], "合计", c.total, BOLD)]:
            table = d.tables.get(group, {})
            cells: list = [code, name]
            for rk, ck in keys:
                row = table.get(rk)
                v = row.get(ck) if isinstance(row, dict) else None
                cells.append(v if isinstance(v, (int, float)) and not isinstance(v, bool) else None)
            yield cells, style

    sheets = [SheetSpec(group, rows(group, keys), widths=[(0, 0, 12), (1, 1, 30), (2, 1 + len(keys), 14)],
                        heights={0: 90}, freeze=(1, 2)) for group, keys in groups.items()]
    return write_bytes(out / "summary.xlsx", xlsx_bytes(sheets, title=f"{c.county}{c.year}年政府信息公开工作年度报告汇总",
                                                        created=_created(c)))


# ---------------------------------------------------------------- consolidated workbook
def coverage_rows(c: Consolidation) -> list[list]:
    rows = [["单位代码", "单位名称", "上级", "状态", "计入汇总", "采用的文件", "报送时间"]]
    for u in c.units:
        e = u.entry
        rows.append([u.code, u.name, u.parent, STATUS_ZH.get(u.status, u.status), "是" if u.status == "accepted" else "否",
                     e.file if e is not None and u.status == "accepted" else "",
                     (e.submitted_at or "") if e is not None and u.status == "accepted" else ""])
    rows.append(["合计", f"计入汇总{len(c.accepted)}个单位，名单共{len(c.units)}个单位", "", "", "", "", ""])
    return rows


def write_consolidated(c: Consolidation, out: Path) -> Path:
    from gaixl.workbook.template import generate_workbook

    inputs = {}
    for ref, (group, rk, ck) in c.layout.cell_keys.items():
        v = c.total.value(c.layout, ref)
        if v is not None:
            inputs.setdefault(group, {}).setdefault(rk, {})[ck] = v
    return generate_workbook(c.layout, c.year, c.total.unit["code"], c.total.unit["name"], out / consolidated_name(c),
                             prefill={"tables": inputs}, prefill_note="汇总数：各单位之和（见“汇总范围”工作表）",
                             extra_sheets=[(COVERAGE_SHEET, coverage_rows(c))], generated_at=generated_at(c))


# ---------------------------------------------------------------- reports/
_CORE_TIME = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def stable_zip(data: bytes, when: str) -> bytes:
    """A zip (docx/xlsx) with fixed entry times and core.xml dates set to `when`."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _CORE_TIME.sub(lambda m: m.group(1) + when + m.group(2), body.decode("utf-8")).encode("utf-8")
            z.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), body,
                       compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def write_reports(c: Consolidation, out: Path, codes: list[str] | None = None) -> list[Path]:
    """reports/<code>-<name>.docx for each accepted unit (all, or those of `codes`)."""
    from gaixl.document.docx import docx_bytes
    from gaixl.document.model import build_document

    when = generated_at(c)
    written = []
    for code in sorted(c.accepted) if codes is None else codes:
        d = c.accepted[code]
        data = stable_zip(docx_bytes(build_document(d, c.layout)), when)
        written.append(write_bytes(out / "reports" / (unit_stem(code, d.unit.get("name") or "") + ".docx"), data))
    return written


# ---------------------------------------------------------------- status (another module)
def write_status(c: Consolidation, out: Path) -> list[Path]:
    """status.html, status.xlsx, county-report.docx — only when gaixl.consolidation.status exists."""
    if importlib.util.find_spec("gaixl.consolidation.status") is None:
        return []
    from gaixl.consolidation import status

    status.write_status_html(c, out / "status.html")
    status.write_status_xlsx(c, out / "status.xlsx")
    status.write_county_report(c, out / "county-report.docx")
    return [out / "status.html", out / "status.xlsx", out / "county-report.docx"]


def _prune(folder: Path, keep: list[Path], suffix: str) -> None:
    """Remove what an earlier run left in one of our folders (a unit no longer accepted …)."""
    if not folder.is_dir():
        return
    kept = {p.name for p in keep}
    for p in folder.iterdir():
        if p.is_file() and p.suffix == suffix and p.name not in kept:
            p.unlink()


PARALLEL_FROM = 200     # accepted units; below this a second process costs more than it saves


def _can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _child(task, conn) -> None:
    try:
        conn.send(("ok", [str(p) for p in task()]))
    except BaseException as e:  # noqa: BLE001 — whatever it was, the parent must hear of it
        conn.send(("error", f"{type(e).__name__}: {e}"))
    finally:
        conn.close()


def _beside(task, rest):
    """Run `task` in a forked child while this process runs `rest`; → (task's paths, rest's result).
    A fork inherits the consolidation in memory, so nothing is pickled but the list of paths."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(task, send), daemon=True)
    proc.start()
    send.close()
    try:
        result = rest()
    finally:
        try:
            status, value = recv.recv()
        except EOFError:
            status, value = "error", f"the writing process ended without a word (exit code {proc.exitcode})"
        proc.join()
    if status != "ok":
        raise OutputError(f"writing the per-unit files failed: {value}", zh=f"写出各单位文件时出错：{value}")
    return [Path(p) for p in value], result


def write_outputs(c: Consolidation, out: Path, *, reports: bool = True, parallel: bool | None = None) -> dict[str, Path]:
    """Every output of a consolidation into `out`. With many units (and on Linux) the per-unit
    files are written by a second process at the same time as the county-wide ones."""
    from gaixl.consolidation.letters import write_feedback

    out = ensure_dir(out)
    for folder in (out, out / "data", out / "feedback", out / "reports"):
        remove_stale_temps(folder)            # debris of a run killed mid-write
    codes = sorted(c.accepted)
    if parallel is None:
        parallel = len(codes) >= PARALLEL_FROM and _can_fork()
    # The child writes every data file, summary.xlsx and the first half of the .docx reports;
    # this process the other half and the rest (the two take about as long).
    half = len(codes) // 2 if parallel else 0

    def beside() -> list[Path]:
        return (write_unit_data(c, out, codes) + [write_summary(c, out)]
                + (write_reports(c, out, codes[:half]) if reports else []))

    def county_wide() -> tuple[dict[str, Path], list[Path]]:
        written: dict[str, Path] = {}
        for p in write_manifest(c, out):
            written[p.name] = p
        written["feedback"] = out / "feedback"
        _prune(out / "feedback", write_feedback(c, out / "feedback", when=generated_at(c)), ".txt")
        docx = write_reports(c, out, codes[half:]) if reports else []
        write_data(c, out)
        written["data"] = out / "data"
        written["consolidated"] = write_consolidated(c, out)
        for p in write_status(c, out):
            written[p.name] = p
        return written, docx

    try:
        if parallel:
            unit_files, (written, docx) = _beside(beside, county_wide)
        else:
            written, docx = county_wide()
            unit_files = beside()
    except OSError as e:
        raise OutputError(f"cannot write the outputs: {e.strerror or e}", where=str(e.filename or out),
                          zh=f"无法写出汇总结果：{os_reason_zh(e)}") from e
    written["summary.xlsx"] = out / "summary.xlsx"
    _prune(out / "data", [p for p in unit_files if p.suffix == ".json"], ".json")
    if reports:
        _prune(out / "reports", docx + [p for p in unit_files if p.suffix == ".docx"], ".docx")
        written["reports"] = out / "reports"
    return written


__all__ = ["write_outputs", "write_unit_data", "write_data", "write_reports", "write_summary", "manifest", "summary", "missing_units", "generated_at", "consolidated_name", "unit_stem",
           "stable_zip", "coverage_rows"]
