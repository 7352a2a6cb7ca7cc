"""The files a consolidation run writes into its output folder (all atomic, all byte-stable).

    write_outputs(c: Consolidation, out_dir, *, reports=True) -> dict[str, Path]

For people (Chinese names):
- <county><year>年政府信息公开工作年度报告（汇总稿）.docx   the county report (gaixl.consolidation.status)
- 报送情况.html, 报送情况表.xlsx   who sent what, when (Beijing time), late or not
- <county>-<year>-汇总.xlsx       the consolidated workbook: sums locked, narrative open, sheet 汇总范围
- 各单位数据汇总表.xlsx          one sheet per table group (二/三/四), a row per accepted unit + total
- 反馈意见/<code>-<name>.txt      per unit with findings (gaixl.consolidation.letters)
- 各单位报告/<code>-<name>.docx   per accepted unit (gaixl.document's document model)
For programs (stable English names and keys, docs/consolidation-outputs.md):
- manifest.csv, manifest.json   every input file's state, sha256, reason, late; counts; missing units
- data/long.csv, data/long.parquet, data/<code>-<name>.json

Nothing carries the clock: the one timestamp used everywhere (`generated_at`) is the latest
submission time of the inputs, so a re-run on the same inbox writes the same bytes.
"""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

from gaixl import peakmem, timefmt
from gaixl.atomic import atomic_dir, atomic_file, atomic_path, ensure_dir, write_bytes, write_text
from gaixl.consolidation.letters import needs_template
from gaixl.consolidation.model import Accepted, Consolidation, MadeAsTaken, UnitStatus, cells_of, generated_at, unit_of
from gaixl.csvcell import defuse, field
from gaixl.errors import OutputError, os_reason_zh
from gaixl.report.data import dump_data
from gaixl.workbook.names import DEFAULT_PASSWORD, safe_filename

MANIFEST_COLUMNS = ["file", "sha256", "state", "reason", "unit_code", "unit_name", "submitted_at", "source",
                    "late", "errors", "warnings"]
LONG_COLUMNS = ["unit_code", "unit_name", "year", "table", "row", "column", "value"]
# What people open has a Chinese name; what programs read (manifest.*, data/) keeps its English
# name and keys (docs/consolidation-outputs.md). The keys of Consolidation.outputs stay English.
FEEDBACK_DIR = "反馈意见"
REPORTS_DIR = "各单位报告"
STATUS_HTML = "报送情况.html"
STATUS_XLSX = "报送情况表.xlsx"
SUMMARY_XLSX = "各单位数据汇总表.xlsx"


def county_report_name(c: Consolidation) -> str:
    return safe_filename(f"{c.county}{c.year}年政府信息公开工作年度报告（汇总稿）", ".docx")
COVERAGE_SHEET = "汇总范围"
STATUS_ZH = {"accepted": "已采用", "rejected": "退回", "missing": "未报送"}


def unit_stem(code: str, name: str) -> str:
    return safe_filename(f"{code}-{name}" if code else name, suffix="")


def consolidated_name(c: Consolidation) -> str:
    return safe_filename(f"{c.county}-{c.year}-汇总")


# ---------------------------------------------------------------- manifest
def summary(c: Consolidation, missing: list[dict] | None = None) -> dict:
    n = c.counts()
    return {"county": c.county, "year": c.year, "layout": c.layout.id, "files": n["files"],
            "received": n["files"], "accepted": n["accepted"], "superseded": n["superseded"],
            "rejected": n["rejected"], "unknown": n["unknown-unit"],
            "units": len(c.units), "units_accepted": sum(1 for u in c.units if u.status == "accepted"),
            "units_rejected": sum(1 for u in c.units if u.status == "rejected"),
            "missing": len(missing_units(c) if missing is None else missing)}


def missing_units(c: Consolidation) -> list[dict]:
    """Every roster unit without an accepted file, saying whether it sent nothing or only rejected files."""
    wanted = {u.code for u in c.units if u.status != "accepted"}
    by_unit: dict[str, list[str]] = {}
    for e in c.entries:
        if e.unit_code in wanted and e.state != "unknown-unit":
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
            "source": e.source, "late": e.late, "email_from": e.email_from, "message_id": e.message_id,
            "errors": e.errors, "warnings": e.warnings,
            "needs_template": e.state == "rejected" and needs_template(e.findings)}


def _unit_row(u) -> dict:
    return {"code": u.code, "name": u.name, "email": u.email, "parent": u.parent, "status": u.status,
            "file": u.entry.file if u.entry is not None else "",
            "late": u.entry.late if u.entry is not None else None}


def manifest(c: Consolidation, *, lazy: bool = False) -> dict:
    """The manifest as a dict (json.dumps(…, indent=1) is manifest.json). `lazy`: its rows of
    files and units made as they are read (for writing it; they can be gone through many times)."""
    missing = missing_units(c)
    entries = sorted(c.entries, key=lambda e: e.file)
    files = MadeAsTaken(len(entries), lambda: map(_row, entries))
    units = MadeAsTaken(len(c.units), lambda: map(_unit_row, c.units))
    return {"county": c.county, "office": c.office, "office_given": c.office_given, "year": c.year,
            "layout": c.layout.id,
            "generated_at": generated_at(c), "tz": c.tz,
            "deadline": c.deadline.isoformat() if c.deadline is not None else None,
            "inbox": c.inbox,
            "counts": {**{k: v for k, v in c.counts().items() if k != "missing"}, "missing": len(missing)},
            "summary": summary(c, missing),
            "files": files if lazy else list(files),
            "units": units if lazy else list(units),
            "missing": missing}


def write_manifest(c: Consolidation, out: Path) -> list[Path]:
    m = manifest(c, lazy=True)
    csv_path = out / "manifest.csv"
    with atomic_file(csv_path) as fh:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        buf.write("\ufeff")
        w.writerow(MANIFEST_COLUMNS)
        for i, r in enumerate(m["files"]):
            w.writerow([defuse({True: "true", False: "false", None: ""}[r[k]] if k == "late" else r[k])
                        for k in MANIFEST_COLUMNS])      # no cell opens as a formula
            if i % 4096 == 4095:
                fh.write(buf.getvalue().encode("utf-8"))
                buf.seek(0)
                buf.truncate()
        fh.write(buf.getvalue().encode("utf-8"))
    # Encoded piece by piece into the file (the same bytes as json.dumps): a country's manifest
    # is never held as one string.
    path = out / "manifest.json"
    with atomic_file(path) as fh:
        pieces = []
        for piece in json.JSONEncoder(ensure_ascii=False, indent=1).iterencode(m):
            pieces.append(piece)
            if len(pieces) >= 4096:
                fh.write("".join(pieces).encode("utf-8"))
                pieces = []
        fh.write(("".join(pieces) + "\n").encode("utf-8"))
    return [csv_path, path]


# ---------------------------------------------------------------- data/
_q = field          # one CSV field, quoted as csv.writer does and defused (gaixl.csvcell)


def long_rows(c: Consolidation) -> list[list]:
    """[unit_code, unit_name, year, table, row, column, value] per cell of every accepted unit."""
    codes, keys, values = long_columns(c)
    names = {u.code: u.name for u in c.units}
    n = len(keys)
    return [[code, names[code], c.year, *keys[j], values[i * n + j]] for i, code in enumerate(codes) for j in range(n)]


def long_columns(c: Consolidation, codes: list[str] | None = None) -> tuple[list[str], list[tuple], list]:
    """Accepted unit codes (sorted, or those given), the layout's cell keys, and the values unit-major."""
    keys = list(c.layout.cell_keys.values())
    codes = sorted(c.accepted) if codes is None else codes
    values: list = []
    for code in codes:
        values.extend(cells_of(c.accepted, code, c.layout))
    return codes, keys, values


def _number_or_none(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


LONG_BATCH = 500        # units a time: long.csv and long.parquet are written as they are made
CSV_BATCH = 100         # of which long.csv's text is made this many at a time (the same bytes)


def write_data(c: Consolidation, out: Path) -> list[Path]:
    """data/long.csv and data/long.parquet, a batch of units at a time (a country's 100,000
    units are 30 million rows: never held at once)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    keys = list(c.layout.cell_keys.values())
    codes = sorted(c.accepted)
    names = {u.code: u.name for u in c.units}
    key_part = [",".join(_q(x) for x in k) + "," for k in keys]
    schema = pa.schema([(name, pa.dictionary(pa.int32(), pa.string())) for name in ("unit_code", "unit_name")]
                       + [("year", pa.int32())]
                       + [(name, pa.dictionary(pa.int32(), pa.string())) for name in ("table", "row", "column")]
                       + [("value", pa.float64())])
    ensure_dir(out / "data")
    csv_path, pq_path = out / "data" / "long.csv", out / "data" / "long.parquet"
    with atomic_path(pq_path) as pq_tmp:
        with atomic_file(csv_path) as fh:
            fh.write((",".join(LONG_COLUMNS) + "\n").encode("utf-8"))
            writer = pq.ParquetWriter(str(pq_tmp), schema, compression="zstd")
            try:
                for lo in range(0, max(len(codes), 1), LONG_BATCH):
                    batch = codes[lo:lo + LONG_BATCH]
                    _, _, values = long_columns(c, batch)
                    n = len(keys)
                    for at in range(0, len(batch), CSV_BATCH):      # the text a fifth at a time
                        fh.write(_long_csv(c, batch[at:at + CSV_BATCH], names, key_part,
                                           values[at * n:(at + CSV_BATCH) * n]).encode("utf-8"))
                    writer.write_table(_long_table(c, batch, names, keys, values, schema))
            finally:
                writer.close()
    return [csv_path, pq_path]


def _long_csv(c: Consolidation, codes: list[str], names: dict, key_part: list[str], values: list) -> str:
    n = len(key_part)
    # Over a million cells for a large city: quote only what needs it (numbers never do).
    cells = ["" if v is None else (str(v) if type(v) in (int, float) else _q(v)) for v in values]
    lines = []
    for i, code in enumerate(codes):
        head = f"{_q(code)},{_q(names[code])},{c.year},"
        base = i * n
        lines.append("".join([f"{head}{key_part[j]}{cells[base + j]}\n" for j in range(n)]))
    return "".join(lines)


def _long_table(c: Consolidation, codes: list[str], names: dict, keys: list, values: list, schema):
    import numpy as np
    import pyarrow as pa

    n = len(keys)

    def dictionary(items: list[str], per_unit: bool):
        # Unique dictionary values (a dictionary with duplicates makes the writer's output vary).
        uniq = list(dict.fromkeys(items))
        pos = {v: i for i, v in enumerate(uniq)}
        at = np.array([pos[v] for v in items], dtype=np.int32)
        idx = np.repeat(at, n) if per_unit else np.tile(at, len(codes))
        return pa.DictionaryArray.from_arrays(_int32s(idx), _strings(uniq))
    numbers = [v if type(v) in (int, float) else (None if v is None else _number_or_none(v)) for v in values]
    return pa.table({
        "unit_code": dictionary(codes, True),
        "unit_name": dictionary([names[k] for k in codes], True),
        "year": _int32s(np.full(len(values), c.year, dtype=np.int32)),
        "table": dictionary([k[0] for k in keys], False),
        "row": dictionary([k[1] for k in keys], False),
        "column": dictionary([k[2] for k in keys], False),
        "value": _float64s(numbers),
    }, schema=schema)


# The arrays are made from their buffers: pa.array() imports pandas (when installed) to ask
# whether its argument is a pandas object — half a second of a county's run, for nothing.
def _int32s(a):
    import numpy as np
    import pyarrow as pa

    a = np.ascontiguousarray(a, dtype=np.int32)
    return pa.Array.from_buffers(pa.int32(), len(a), [None, pa.py_buffer(a)])


def _strings(items: list[str]):
    import numpy as np
    import pyarrow as pa

    data = [s.encode("utf-8") for s in items]
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum([len(b) for b in data], out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), len(data), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))])


def _float64s(numbers: list):
    import numpy as np
    import pyarrow as pa

    valid = np.array([v is not None for v in numbers], dtype=bool)
    x = np.array([0.0 if v is None else v for v in numbers], dtype=np.float64)
    nulls = int(len(numbers) - valid.sum())
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    return pa.Array.from_buffers(pa.float64(), len(x), [bitmap, pa.py_buffer(x)], null_count=nulls)


def write_unit_data(c: Consolidation, out: Path, codes: list[str] | None = None) -> list[Path]:
    """data/<code>-<name>.json: the data file of each accepted unit (all, or those of `codes`)."""
    written = []
    acc = c.accepted
    for code in sorted(acc) if codes is None else codes:
        if isinstance(acc, Accepted) and acc.layout is c.layout:
            name, text = unit_of(acc, code).get("name") or "", acc.data_file(code)     # no dicts built
        else:
            d = acc[code]
            name, text = d.unit.get("name") or "", dump_data(d)
        written.append(write_text(out / "data" / (unit_stem(code, name) + ".json"), text))
    return written


# ---------------------------------------------------------------- summary.xlsx
def _created(c: Consolidation):
    from gaixl.workbook.template import _created as parse

    return parse(generated_at(c))


def write_summary(c: Consolidation, out: Path) -> Path:
    """summary.xlsx: a sheet per table group, a row per accepted unit (roster order), the total last.
    Written as it is made: the rows of a country's units are never held at once."""
    from gaixl.workbook.sheetxml import BOLD, BORDER, HEAD, SheetSpec, write_xlsx

    groups: dict[str, list] = {}
    for i, (group, rk, ck) in enumerate(c.layout.cell_keys.values()):
        groups.setdefault(group, []).append((i, rk, ck))
    units = [code for code in (u.code for u in c.units) if code in c.accepted]
    total = tuple(c.total.raw_values(c.layout).values())

    def rows(group: str, keys: list):
        yield ["单位代码", "单位名称", *(f"{rk}｜{ck}" for _i, rk, ck in keys)], HEAD
        for code in units:
            if isinstance(c.accepted, Accepted) and c.accepted.layout is c.layout:
                cells, unit = c.accepted.cells_and_unit(code)          # one read of the scratch file
            else:
                cells, unit = cells_of(c.accepted, code, c.layout), unit_of(c.accepted, code)
            name = unit.get("name") or code
            yield [code, name, *(_number(cells[i]) for i, _rk, _ck in keys)], BORDER
        yield [c.total.unit["code"], "合计", *(_number(total[i]) for i, _rk, _ck in keys)], BOLD

    sheets = [SheetSpec(group, rows(group, keys), widths=[(0, 0, 12), (1, 1, 30), (2, 1 + len(keys), 14)],
                        heights={0: 90}, freeze=(1, 2)) for group, keys in groups.items()]
    path = out / SUMMARY_XLSX
    with atomic_file(path) as fh:
        write_xlsx(fh, sheets, title=f"{c.county}{c.year}年政府信息公开工作年度报告汇总", created=_created(c),
                   large=len(units) * len(c.layout.cell_keys) > 20_000_000)
    return path


def _number(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


# ---------------------------------------------------------------- consolidated workbook
def coverage_rows(c: Consolidation) -> list[list]:
    return list(_coverage_rows(c))


def _coverage_rows(c: Consolidation):
    """The 汇总范围 sheet's rows (a header, a row per roster unit, a total), made as written."""
    yield ["单位代码", "单位名称", "上级", "状态", "计入汇总", "采用的文件", "报送时间（北京时间）" if c.tz == timefmt.DEFAULT_TZ
           else f"报送时间（{c.tz}）"]
    for u in c.units:
        e = u.entry
        state = STATUS_ZH.get(u.status, u.status) + ("（逾期报送）" if e is not None and e.late and u.status == "accepted"
                                                     else "")
        yield [u.code, u.name, u.parent, state, "是" if u.status == "accepted" else "否",
               e.file if e is not None and u.status == "accepted" else "",
               timefmt.zh_time(e.submitted_at, c.zone) if e is not None and u.status == "accepted" else ""]
    yield ["合计", f"计入汇总{len(c.accepted)}个单位，名单共{len(c.units)}个单位", "", "", "", "", ""]


def write_consolidated(c: Consolidation, out: Path) -> Path:
    from gaixl.workbook.template import generate_workbook

    inputs: dict = {}
    for ref, (group, rk, ck) in c.layout.cell_keys.items():
        v = c.total.value(c.layout, ref)
        if v is not None:
            inputs.setdefault(group, {}).setdefault(rk, {})[ck] = v
    return generate_workbook(c.layout, c.year, c.total.unit["code"], c.total.unit["name"], out / consolidated_name(c),
                             prefill={"tables": inputs}, prefill_note="汇总数：各单位之和（见“汇总范围”工作表）",
                             extra_sheets=[(COVERAGE_SHEET, _coverage_rows(c))], generated_at=generated_at(c),
                             password=c.password or DEFAULT_PASSWORD)


# ---------------------------------------------------------------- reports/
def write_reports(c: Consolidation, out: Path, codes: list[str] | None = None) -> list[Path]:
    """reports/<code>-<name>.docx for each accepted unit (all, or those of `codes`)."""
    from gaixl.document.docx import docx_bytes
    from gaixl.document.model import build_document

    when = generated_at(c)
    written = []
    for code in sorted(c.accepted) if codes is None else codes:
        d = c.accepted[code]
        doc = build_document(d, c.layout)
        doc.created = when                    # byte-stable: fixed properties date and zip entry times
        data = docx_bytes(doc)
        written.append(write_bytes(out / REPORTS_DIR / (unit_stem(code, d.unit.get("name") or "") + ".docx"), data))
    return written


# ---------------------------------------------------------------- status (another module)
def write_status(c: Consolidation, out: Path) -> list[Path]:
    """The county report, 报送情况.html and 报送情况表.xlsx — only when gaixl.consolidation.status exists."""
    if importlib.util.find_spec("gaixl.consolidation.status") is None:
        return []
    from gaixl.consolidation import status

    return [status.write_county_report(c, out / county_report_name(c)),
            status.write_status_html(c, out / STATUS_HTML), status.write_status_xlsx(c, out / STATUS_XLSX)]


SENT_LOG = ".gaixl-sent.json"       # written by feedback/distribute into this folder (gaixl.mail)
OURS = {"manifest.csv", "manifest.json", "data", FEEDBACK_DIR, REPORTS_DIR, STATUS_HTML, STATUS_XLSX, SUMMARY_XLSX}


def kept_across_runs(name: str) -> bool:
    """What a re-run keeps of the old output folder: everything but a consolidation's own outputs
    (also an earlier run's under another county's name) — the sent log of feedback/distribute,
    their drafts, the clerk's own files."""
    return not (name in OURS or name.endswith("-汇总.xlsx") or name.endswith("（汇总稿）.docx"))


# Accepted units from which the per-unit files are written by a second process. It is a fresh
# interpreter: ~0.3 s of start-up before it takes its half (measured, issue 14), so it pays from
# ~150 units with the .docx reports (~2.5 ms a unit on each side), from ~500 without (~0.6 ms).
PARALLEL_FROM = 200             # with the per-unit .docx
PARALLEL_FROM_DATA_ONLY = 500   # without them (reports=False)


def _can_start() -> bool:
    # Linux: the scratch file's descriptor is passed on to the writer as it starts (see Spill).
    return sys.platform.startswith("linux")


def _for_writer(c: Consolidation) -> Consolidation:
    """What the per-unit writer needs of `c`, and no more: the accepted units (their reports stay
    in the scratch file: only where each is goes), roster order, the total, the run's time — not
    the entries, findings and statuses of every file a country sent."""
    return Consolidation(year=c.year, layout=c.layout, inbox=c.inbox, entries=[],
                         units=[UnitStatus(code=u.code, name=u.name) for u in c.units if u.code in c.accepted],
                         accepted=c.accepted, total=c.total, county=c.county, office=c.office, tz=c.tz,
                         password=c.password, spill=c.spill, generated=generated_at(c))


def _write_beside(c: Consolidation, out: Path, codes: list[str], reports: bool) -> list[Path]:
    """The writer's share: every data file, summary.xlsx and the .docx reports of `codes`."""
    return write_unit_data(c, out, sorted(c.accepted)) + [write_summary(c, out)] + \
        (write_reports(c, out, codes) if reports else [])


def writer_main() -> None:
    """The per-unit writer's body (`python -c …`, see _beside): its work pickled on stdin, its
    answer — ("ok", number of files) or ("error", what went wrong) — pickled on stdout."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr             # whatever else is printed does not mix with the answer
    try:
        args = pickle.load(sys.stdin.buffer)      # as it comes: the whole of it is never held as bytes
        answer: tuple = ("ok", len(_write_beside(*args)))
    except BaseException as e:  # noqa: BLE001 — whatever it was, the parent must hear of it
        answer = ("error", f"{type(e).__name__}: {e}")
    peakmem.note("writer")              # its own peak, for the bench (gaixl.peakmem)
    out.write(pickle.dumps(answer))
    out.flush()


def _beside(args: tuple, rest):
    """Run _write_beside(*args) in a second process while this one runs `rest`; → rest's result.
    The process is a fresh interpreter, not a fork: a fork would begin as a copy of this process,
    which holds a country's entries (hundreds of MB); nor multiprocessing's "spawn", which would
    run the caller's own script again in it. It is given a slim Consolidation (_for_writer) on
    its stdin; the reports themselves it reads from the scratch file, whose descriptor it is passed."""
    spill = args[0].spill
    fds = (spill._fd,) if spill is not None else ()
    root = str(Path(__file__).resolve().parents[2])        # where gaixl is imported from
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])]))
    # Pickled here, before this process's share begins (nothing else reads `args` meanwhile);
    # the bytes are let go of once they are sent (a country's are tens of MB).
    payload = [pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL)]
    proc = subprocess.Popen([sys.executable, "-c", "from gaixl.consolidation.outputs import writer_main; writer_main()"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, pass_fds=fds, env=env)

    def feed() -> None:                 # while this process gets on with its share
        assert proc.stdin is not None
        try:
            proc.stdin.write(payload.pop())
            proc.stdin.close()
        except OSError:                 # the writer ended early: its answer (or silence) says why
            pass
    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        result = rest()
    finally:
        assert proc.stdout is not None
        answer = proc.stdout.read()
        proc.wait()
        feeder.join()
        try:
            status, value = pickle.loads(answer)
        except Exception:  # noqa: BLE001 — nothing (or not a whole answer) came back
            status, value = "error", f"the writing process ended without a word (exit code {proc.returncode})"
    if status != "ok":
        raise OutputError(f"writing the per-unit files failed: {value}", zh=f"写出各单位文件时出错：{value}")
    return result


def write_outputs(c: Consolidation, out: Path, *, reports: bool = True, parallel: bool | None = None) -> dict[str, Path]:
    """Every output of a consolidation into `out`, all or nothing: they are written into a
    staging folder beside `out` that replaces it only once everything is written (the sent log
    and the clerk's own files carried over; gaixl.atomic.atomic_dir). A failed run — a full disk,
    a read-only folder — leaves the previous output as it was. With many units (and on Linux)
    the per-unit files are written by a second process at the same time as the county-wide ones."""
    out = Path(out)
    staged = ""
    try:
        with atomic_dir(out, keep=kept_across_runs, lock=SENT_LOG + ".lock") as stage:
            staged = str(stage)
            written = _write_all(c, stage, reports=reports, parallel=parallel)
    except OutputError as e:
        if staged:                  # say where the output was to go, not the staging folder's name
            e.message = e.message.replace(staged, str(out))
            e.where = e.where.replace(staged, str(out)) if e.where else e.where
            e.message_zh = e.message_zh.replace(staged, str(out)) if e.message_zh else e.message_zh
        raise
    return {k: out / p.relative_to(stage) for k, p in written.items()}


def _write_all(c: Consolidation, out: Path, *, reports: bool, parallel: bool | None) -> dict[str, Path]:
    from gaixl.consolidation.letters import write_feedback

    codes = sorted(c.accepted)
    if parallel is None:
        parallel = len(codes) >= (PARALLEL_FROM if reports else PARALLEL_FROM_DATA_ONLY) and _can_start()
    # The child writes every data file, summary.xlsx and the first half of the .docx reports;
    # this process the other half and the rest (the two take about as long).
    half = len(codes) // 2 if parallel else 0

    def county_wide() -> dict[str, Path]:
        written: dict[str, Path] = {}
        for p in write_manifest(c, out):
            written[p.name] = p
        written["feedback"] = out / FEEDBACK_DIR
        write_feedback(c, out / FEEDBACK_DIR, when=generated_at(c))
        if reports:
            write_reports(c, out, codes[half:])
        write_data(c, out)
        written["data"] = out / "data"
        written["consolidated"] = write_consolidated(c, out)
        for key, p in zip(("county-report.docx", "status.html", "status.xlsx"), write_status(c, out)):
            written[key] = p
        return written

    try:
        if parallel:
            written = _beside((_for_writer(c), out, codes[:half], reports), county_wide)
        else:
            written = county_wide()
            _write_beside(c, out, codes[:half], reports)
    except OSError as e:
        raise OutputError(f"cannot write the outputs: {e.strerror or e}", where=str(e.filename or out),
                          zh=f"无法写出汇总结果：{os_reason_zh(e)}") from e
    written["summary.xlsx"] = out / SUMMARY_XLSX
    if reports:
        written["reports"] = out / REPORTS_DIR
    return written


__all__ = ["write_outputs", "write_unit_data", "write_data", "write_reports", "write_summary", "manifest", "summary",
           "missing_units", "generated_at", "consolidated_name", "unit_stem", "coverage_rows"]
