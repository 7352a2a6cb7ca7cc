"""The hardening campaign of issue 15, re-runnable: N hostile inputs over every input kind, each
judged as the issue judges them, with the five figures that must stay 0.

    python tests/fuzz/campaign.py [-n 10000] [--seed 1] [--workers 2] [--json out.json]

Not collected by pytest (no test_ functions; tests/fuzz is outside the default pattern's use).
Run it after every change to a reader. Classes (drawn in proportion, each input built fresh
from the seed, so a run is reproducible):

  datafile   a valid data file with one field replaced by a hostile JSON value (huge ints,
             1e400, NaN, wrong types, deep nesting, years −1/0/99999/1e20)
  cell       a template with one input cell set to a hostile <c> (5,000 digits, 1E400, formulas
             reaching outside, text)
  damaged    a template with one sheet/shared-strings part cut, or given a NUL/control byte, or a
             duplicate zip member                                 → must be refused (exit 2)
  roster     a roster with hostile names/emails (CR LF, bidi, =HYPERLINK, -rf, con)
  mail       a message whose From decodes to CR LF + Bcc, or reusing a Message-ID, or with a
             hostile attachment name                              → nothing lost, no redirect
  csv        hostile unit names through consolidate → manifest.csv / data/long.csv
  document   import of hostile sizes (PDF operators, Word rows, text lines, HTML tables)
  special    FIFOs and devices as inputs and outputs

Figures: tracebacks (any exception that is not a GaixlError), hangs (an input not answered in
10 s), wrong acceptances (a damaged input read as whole; an out-of-range value accepted), injected
cells (a CSV cell starting with = + - @ TAB CR), lost files (a workbook mailed but not saved, a
redirect recorded as sender). Also the slowest input and the largest memory of a worker.
"""
from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
import zipfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gaixl.errors import GaixlError  # noqa: E402

HANG = 10.0
LIMITS = {"count": 10 ** 9, "signed": 10 ** 9, "amount": 10 ** 9, "money": 10 ** 13}
# Shares of the N inputs. csv (a whole consolidation of three hostile units) and document (an
# import of a size near or past the limits) cost seconds each, the others milliseconds.
WEIGHTS = {"datafile": 300, "cell": 250, "damaged": 220, "roster": 80, "mail": 80, "csv": 3, "document": 20,
           "special": 30}
# A consolidation run (csv) is many inputs at once: it gets more than one input's 10 s.
HANG_BY_CLASS = {"csv": 60.0}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_TEXT = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "\t=1+1", "-2+3",
                "局\r\nBcc: evil@evil.example", "x\u202eslx.exe", "-rf", "--json", "con", "con.xlsx", "LPT1",
                "_x000D_局", "局\u2028办", "a\x00b", "正常局", "局" * 300]
HOSTILE_JSON = ["9" * 5000, "1e308", "1e400", "-1e308", "NaN", "Infinity", "-1", "0", "99999", "1e20", "true",
                "null", '"减5"', '"３"', '[1, 2]', '{"a": 1}', '"' + "x" * 100 + '"', "[" * 5000 + "]" * 5000,
                "1000000001", "2.345", '"2023年"', '""']
HOSTILE_CELL = ["<v>" + "9" * 5000 + "</v>", "<v>1E400</v>", "<v>NaN</v>", "<v>1e308</v>", "<v>-5</v>",
                '<f>WEBSERVICE("http://evil.example")</f><v>5</v>', "<f>[1]Sheet1!A1</f><v>3</v>",
                "<f>cmd|' /C calc'!A0</f><v>1</v>", "<f>1+1</f><v>2</v>", "<v>2.5</v>", "<v>1000000001</v>"]

_state: dict = {}


# ------------------------------------------------------------------ worker setup
def _init(base: str) -> None:
    from gaixl.spec.load import load_layout
    from gaixl.workbook.read import read_workbook
    from gaixl.workbook.template import generate_workbook
    base_dir = Path(base)
    tpl = base_dir / f"t{os.getpid()}.xlsx"
    generate_workbook(load_layout("2021"), 2023, "U-01", "测试局", tpl, generated_at="2026-01-05T08:00:00Z")
    from gaixl.report.data import ReportData
    from gaixl.spec.rules import computed_cells
    res = read_workbook(tpl)
    computed = computed_cells(load_layout("2021"))
    # The template's input cells, where the reader finds them (a total or a label is not one).
    inputs = sorted({loc for ref, loc in res.locator.items() if ref not in computed})
    _state.update(base=base_dir, template=tpl, data=ReportData.to_json(res.data), layout=load_layout("2021"),
                  inputs=inputs)
    signal.signal(signal.SIGALRM, _alarm)
    # A reader that eats memory meets MemoryError (counted) instead of the OOM killer.
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


class _Hang(BaseException):
    pass


def _alarm(*_):
    raise _Hang


def _in_range(data) -> bool:
    layout = _state["layout"]
    for t in layout.tables.values():
        for _r, c, (rk, ck) in t.cells():
            row = data.tables.get(t.group, {}).get(rk)
            v = row.get(ck) if isinstance(row, dict) else None
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                    or abs(v) > LIMITS[c.kind] * 10:
                return False
    return True


def _rezip(src: Path, dst: Path, replace: dict, extra=()) -> Path:
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
            for name, data in extra:
                zout.writestr(name, data)
    return dst


# ------------------------------------------------------------------ one input per class
def c_datafile(rng: random.Random, d: Path) -> dict:
    from gaixl.validation.files import check_file
    data = json.loads(json.dumps(_state["data"]))
    field = rng.choice(["year", "layout", "unit", "signature", "contact", "text", "unit.name", "signature.date",
                        "tables.二.规章.本年制发件数", "tables.三.一、本年新收政府信息公开申请数量.自然人",
                        "tables.二.行政事业性收费.本年收费金额", "tables.二.规章", "x"])
    value = rng.choice(HOSTILE_JSON)
    where = data
    *path, last = field.split(".")
    for k in path:
        where = where.setdefault(k, {})
    where[last] = "@@V@@"
    p = d / "d.json"
    p.write_text(json.dumps(data, ensure_ascii=False).replace('"@@V@@"', value), encoding="utf-8")
    try:
        r = check_file(p)
    except GaixlError:
        return {}
    bad = not (2008 <= r.data.year <= 2100) or not _in_range(r.data)
    return {"wrong": bad, "what": f"{field}={value[:20]}"}


def c_cell(rng: random.Random, d: Path) -> dict:
    from gaixl.validation.files import check_file
    from gaixl.workbook.xlsx import Book
    tpl = _state["template"]
    sheet, cell = rng.choice(_state["inputs"])
    xml = rng.choice(HOSTILE_CELL)
    with Book(tpl) as b:
        part = b.sheet_info(sheet).part
    with zipfile.ZipFile(tpl) as z:
        text = z.read(part).decode("utf-8")
    text, n = re.subn(rf'<c r="{cell}"([^>/]*?)(?:/>|>.*?</c>)', lambda m: f'<c r="{cell}"{m[1]}>{xml}</c>', text,
                      count=1, flags=re.S)
    p = _rezip(tpl, d / "c.xlsx", {part: text.encode("utf-8")})
    try:
        r = check_file(p)
    except GaixlError:
        return {}
    bad = not _in_range(r.data)
    if "WEBSERVICE" in xml or "[1]" in xml or "cmd|" in xml:
        bad = bad or not any(f.code == "cell-formula-external" for f in r.findings)
    return {"wrong": bad, "what": f"{sheet}!{cell}={xml[:30]}"}


def c_damaged(rng: random.Random, d: Path) -> dict:
    from gaixl.workbook.read import read_workbook
    from gaixl.workbook.xlsx import Book
    tpl = _state["template"]
    with Book(tpl) as b:
        parts = [b.sheet_info(s).part for s in ("基本信息", "二、主动公开", "三、申请情况", "四、复议诉讼",
                                                   "一、总体情况", "五、问题及改进", "六、其他事项", "_gaixl")]
    parts += ["xl/sharedStrings.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"]
    part = rng.choice(parts)
    with zipfile.ZipFile(tpl) as z:
        data = z.read(part)
    how = rng.choice(["cut", "nul", "ctrl", "dup"])
    at = rng.randrange(len(data) // 20, len(data) - 1)
    if how == "dup":
        p = _rezip(tpl, d / "d.xlsx", {}, [(part, data)])
    else:
        damaged = data[:at] if how == "cut" else data[:at] + bytes([0 if how == "nul" else rng.choice(
            [1, 2, 7, 8, 11, 12, 27, 31])]) + data[at:]
        p = _rezip(tpl, d / "d.xlsx", {part: damaged})
    try:
        read_workbook(p)
    except GaixlError:
        return {}
    return {"wrong": True, "what": f"{how} {part} at {at}"}


def c_roster(rng: random.Random, d: Path) -> dict:
    import csv

    from gaixl.report.roster import read_roster
    p = d / "r.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["code", "name", "email"])
    for i in range(rng.randrange(1, 5)):
        w.writerow([rng.choice([f"U{i}", rng.choice(HOSTILE_TEXT)]), rng.choice(HOSTILE_TEXT),
                    rng.choice(["a@b.cn", "a@b.cn\r\nBcc: evil@evil.example", "x", ""])])
    p.write_text(buf.getvalue(), encoding="utf-8", newline="")
    try:
        units = read_roster(p)
    except GaixlError:
        return {}
    bad = any(re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]", u[k]) for u in units
              for k in ("code", "name", "email"))
    return {"wrong": bad, "what": "control character accepted in a roster"}


def c_mail(rng: random.Random, d: Path) -> dict:
    import base64
    from email.message import EmailMessage

    from gaixl.mail.collect import Source, collect
    box = d / "mails"
    box.mkdir()
    tpl = _state["template"].read_bytes()
    n = rng.randrange(1, 4)
    kind = rng.choice(["redirect", "same-mid", "names"])
    for i in range(n):
        m = EmailMessage()
        m["Subject"] = "年报"
        m["Message-ID"] = "<same@dept.cn>" if kind == "same-mid" else f"<m{i}@dept.cn>"
        m.set_content(f"第{i}份")
        body = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(tpl)) as zin, zipfile.ZipFile(body, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                zout.writestr(info.filename, zin.read(info.filename))
            zout.writestr(f"docProps/c{i}.xml", f"<x>{i}{rng.random()}</x>")
        name = rng.choice(HOSTILE_TEXT).replace("\x00", "") + ".xlsx" if kind == "names" else f"{i}.xlsx"
        m.add_attachment(body.getvalue(), maintype="application", subtype="octet-stream", filename=name)
        raw = m.as_bytes()
        if kind == "redirect":
            evil = base64.b64encode(rng.choice(["局", "x", ""]).encode() + b"\r\nBcc: evil@evil.example").decode()
            sender = f"=?utf-8?b?{evil}?= <unit@dept.cn>".encode()
        else:
            sender = b"unit@dept.cn"
        (box / f"{i}.eml").write_bytes(b"From: " + sender + b"\r\n" + raw)
    try:
        res = collect(Source("eml", str(box)), d / "inbox")
    except GaixlError:
        return {"lost": n, "what": "collect refused"}
    lost = n - res.saved
    sidecars = [json.loads(p.read_text(encoding="utf-8")) for p in (d / "inbox").glob("*.gaixl.json")]
    redirect = any("evil" in s.get("from", "") for s in sidecars)
    names = [p.name for p in (d / "inbox").iterdir() if not p.name.startswith(".")]
    unsafe = any(x.startswith(("-", "+")) or x.split(".")[0].upper() in {"CON", "PRN", "AUX", "NUL", "LPT1", "COM1"}
                 for x in names)
    return {"lost": lost + int(redirect), "wrong": unsafe, "what": kind}


def c_csv(rng: random.Random, d: Path) -> dict:
    import csv

    from gaixl.consolidation.run import consolidate
    from gaixl.report.data import ReportData
    from gaixl.workbook.fill import fill_workbook
    from gaixl.workbook.template import generate_workbook
    layout = _state["layout"]
    roster = d / "r.csv"
    inbox = d / "inbox"
    inbox.mkdir()
    names = rng.sample([t for t in HOSTILE_TEXT if not re.search(r"[\x00-\x1f\u2028\u202e]|_x000D_", t)
                        and len(t) < 100], 3)
    rows = ["code,name,email"]
    for i, n in enumerate(names):
        rows.append(f'H{i},"{n.replace(chr(34), chr(34) * 2)}",h{i}@example.cn')
        tpl = generate_workbook(layout, 2023, f"H{i}", n, d / f"t{i}.xlsx")
        data = ReportData.from_json(dict(_state["data"], unit={"code": f"H{i}", "name": n}), where="x")
        fill_workbook(tpl, data, inbox / f"=HYPERLINK(x){i}.xlsx")
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    consolidate(inbox, roster, 2023, d / "out", reports=False)
    injected = 0
    for f in (d / "out" / "manifest.csv", d / "out" / "data" / "long.csv"):
        with f.open(encoding="utf-8-sig", newline="") as fh:
            injected += sum(1 for row in csv.reader(fh) for c in row if c.startswith(TRIGGERS))
    return {"injected": injected, "what": ",".join(names)}


def c_document(rng: random.Random, d: Path) -> dict:
    from gaixl.importers import import_report
    kind = rng.choice(["pdf", "docx", "txt", "html"])
    scale = rng.choice([0.5, 1, 2, 10, 100])
    p = d / f"x.{kind}"
    if kind == "pdf":
        import zlib
        ops = b"BT /F1 10 Tf 20 800 Td " + b"(a) Tj 0 -0.01 Td " * int(10_000 * scale) + b"ET"
        comp = zlib.compress(ops, 9)
        objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R"
                b" >> >> >>", b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(comp) + comp + b"\nendstream",
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
        out, offs = io.BytesIO(), []
        out.write(b"%PDF-1.4\n")
        for i, o in enumerate(objs, 1):
            offs.append(out.tell())
            out.write(b"%d 0 obj\n" % i + o + b"\nendobj\n")
        x = out.tell()
        out.write(b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs))
        out.write(b"trailer << /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % x)
        p.write_bytes(out.getvalue())
    elif kind == "docx":
        rows = "".join(f"<w:tr><w:tc><w:p><w:r><w:t>行{i}</w:t></w:r></w:p></w:tc></w:tr>"
                       for i in range(int(300 * scale)))
        doc = ('<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
               "<w:body><w:tbl>" + rows + "</w:tbl></w:body></w:document>")
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("word/document.xml", doc)
    elif kind == "txt":
        p.write_text("某局2023年政府信息公开工作年度报告\n" + "\n".join(f"项{i % 9}   {i % 7}   {i % 5}"
                                                                for i in range(int(3000 * scale))), encoding="utf-8")
    else:
        row = "<tr>" + "<td>1</td>" * 30 + "</tr>"
        p.write_text("<html><body><table>" + row * int(200 * scale) + "</table></body></html>", encoding="utf-8")
    try:
        import_report(p, year=2023)
    except GaixlError:
        pass
    return {"what": f"{kind}×{scale}"}


def c_special(rng: random.Random, d: Path) -> dict:
    from gaixl.atomic import write_text
    from gaixl.importers import import_report
    from gaixl.report.data import load_data_file
    from gaixl.report.roster import read_roster
    from gaixl.workbook.read import read_any
    fifo = d / rng.choice(["x.xlsx", "x.json", "x.csv", "x.txt"])
    os.mkfifo(fifo)
    writing = rng.random() < 0.3
    # Writes go to the FIFO only: a writer that renamed over /dev/null would break the machine.
    target = fifo if writing else rng.choice([fifo, Path("/dev/zero"), Path("/dev/null")])
    reader = (lambda p: write_text(p, "x")) if writing else rng.choice(
        [read_any, load_data_file, read_roster, lambda p: import_report(p, year=2023)])
    try:
        reader(target)
    except GaixlError:
        return {"what": f"{getattr(reader, '__name__', 'fn')} {target}"}
    return {"wrong": True, "what": f"{'wrote' if writing else 'read'} {target}"}


CLASSES = {"datafile": c_datafile, "cell": c_cell, "damaged": c_damaged, "roster": c_roster, "mail": c_mail,
           "csv": c_csv, "document": c_document, "special": c_special}


def one(job: tuple[int, int, str]) -> dict:
    i, seed, cls = job
    rng = random.Random(seed * 1_000_003 + i)
    out = {"i": i, "class": cls, "traceback": "", "hang": False, "wrong": False, "injected": 0, "lost": 0}
    t = time.monotonic()
    with tempfile.TemporaryDirectory(dir=_state["base"]) as tmp:
        signal.setitimer(signal.ITIMER_REAL, HANG_BY_CLASS.get(cls, HANG))
        try:
            r = CLASSES[cls](rng, Path(tmp))
            signal.setitimer(signal.ITIMER_REAL, 0)
            out.update({k: v for k, v in r.items() if k in ("wrong", "injected", "lost", "what")})
        except _Hang:
            out["hang"] = True
        except GaixlError:
            signal.setitimer(signal.ITIMER_REAL, 0)
        except BaseException as e:  # noqa: BLE001 — this is what the campaign counts
            signal.setitimer(signal.ITIMER_REAL, 0)
            out["traceback"] = f"{type(e).__name__}: {str(e)[:200]} | " + traceback.format_exc().splitlines()[-3][:200]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    out["seconds"] = round(time.monotonic() - t, 3)
    out["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", help="one class only")
    ap.add_argument("--json", type=Path, help="write every input's outcome here")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    names = [a.only] if a.only else list(WEIGHTS)
    weights = [WEIGHTS[c] for c in names]
    jobs = [(i, a.seed, rng.choices(names, weights)[0]) for i in range(a.n)]
    t = time.monotonic()
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="gaixl-campaign-") as base:
        for start in range(0, len(jobs), 256):
            batch = jobs[start:start + 256]
            try:
                with ProcessPoolExecutor(a.workers, initializer=_init, initargs=(base,)) as pool:
                    results += list(pool.map(one, batch, chunksize=8))
            except BrokenProcessPool:
                # A worker died (killed by the kernel, a crash in C): find which inputs, one by one.
                for job in batch:
                    try:
                        with ProcessPoolExecutor(1, initializer=_init, initargs=(base,)) as pool:
                            results.append(pool.submit(one, job).result())
                    except BrokenProcessPool:
                        results.append({"i": job[0], "class": job[2], "traceback": "worker died (killed or crashed)",
                                        "hang": False, "wrong": False, "injected": 0, "lost": 0, "seconds": 0,
                                        "maxrss_mb": 0})
            print(f"{len(results)}/{len(jobs)} in {time.monotonic() - t:.0f} s: "
                  f"tracebacks {sum(1 for r in results if r['traceback'])}, "
                  f"hangs {sum(1 for r in results if r['hang'])}, wrong {sum(1 for r in results if r['wrong'])}, "
                  f"injected {sum(r['injected'] for r in results)}, "
                  f"lost {sum(r['lost'] for r in results)}", file=sys.stderr, flush=True)
    took = time.monotonic() - t
    figures = {
        "inputs": len(results), "seconds": round(took, 1),
        "per_class": {c: sum(1 for r in results if r["class"] == c) for c in names},
        "tracebacks": sum(1 for r in results if r["traceback"]),
        "hangs": sum(1 for r in results if r["hang"]),
        "wrong_acceptances": sum(1 for r in results if r["wrong"]),
        "injected_cells": sum(r["injected"] for r in results),
        "lost_files": sum(r["lost"] for r in results),
        "slowest_s": max((r["seconds"] for r in results), default=0),
        "max_worker_rss_mb": max((r["maxrss_mb"] for r in results), default=0),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    for r in results:
        if r["traceback"] or r["hang"] or r["wrong"] or r["injected"] or r["lost"]:
            print("  ✗", r["class"], r.get("what", ""), r["traceback"] or ("hang" if r["hang"] else ""),
                  "wrong" if r["wrong"] else "", r["injected"] or "", r["lost"] or "")
    if a.json:
        a.json.write_text(json.dumps({"figures": figures, "results": results}, ensure_ascii=False, indent=1),
                          encoding="utf-8")
    bad = figures["tracebacks"] + figures["hangs"] + figures["wrong_acceptances"] + figures["injected_cells"] + \
        figures["lost_files"]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
