"""Benchmark: read + validate N filled workbooks, against a naive openpyxl script and a raw
unzip + lxml parse of the same files.

    python bench/read.py [-n 1000] [--layout 2021] [--workers 1] [--naive-sample 100] [--resave]

One template is generated and filled once (gaixl.generate + gaixl.fill), then copied N times,
so the timing is of reading only. --resave reads a LibreOffice re-save of the filled file
instead (shared strings, as Excel and WPS write them). Targets: ≥ 1,000 workbooks/s for
read + validate overall, ≥ 20× the naive openpyxl script.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from gaixl.spec.load import load_layout  # noqa: E402
from gaixl.workbook.fill import fill_workbook  # noqa: E402
from gaixl.workbook.read import read_workbook  # noqa: E402
from gaixl.workbook.template import generate_workbook  # noqa: E402

try:
    from gaixl.validation.validate import validate  # noqa: E402
except ImportError:  # the validator is optional for this benchmark
    validate = None


def make_files(n: int, lid: str, out: Path, resave: bool) -> list[Path]:
    from helpers import consistent_data

    layout = load_layout(lid)
    year = layout.year_from + 2 if layout.year_to is None else layout.year_from
    out.mkdir(parents=True, exist_ok=True)
    tpl = generate_workbook(layout, year, "B-01", "基准测试局", out / "template.xlsx")
    master = fill_workbook(tpl, consistent_data(layout, year, 7, code="B-01", name="基准测试局"), out / "master.xlsx")
    if resave:
        exe = shutil.which("soffice")
        if exe is None:
            sys.exit("--resave needs LibreOffice (soffice)")
        subprocess.run([exe, f"-env:UserInstallation=file://{out / 'lo-profile'}", "--headless", "--convert-to", "xlsx",
                        "--outdir", str(out / "lo"), str(master)], check=True, capture_output=True)
        master = out / "lo" / "master.xlsx"
    files = []
    for i in range(n):
        p = out / f"w{i:05d}.xlsx"
        shutil.copyfile(master, p)
        files.append(p)
    return files


def gaixl_one(p: Path) -> int:
    res = read_workbook(p)
    findings = list(res.findings)
    if validate is not None:
        layout = load_layout(res.data.layout)
        findings += validate(res.data, layout, locator=res.locator, text_locator=res.text_locator,
                             info_locator=res.info_locator)
    return len(findings)


def gaixl_read_only(p: Path) -> int:
    return len(read_workbook(p).findings)


def _chunk(args) -> int:
    fn, paths = args
    return sum(fn(p) for p in paths)


def run_gaixl(files: list[Path], fn, workers: int) -> float:
    start = time.perf_counter()
    if workers <= 1:
        for p in files:
            fn(p)
    else:
        size = max(1, len(files) // (workers * 8))
        chunks = [(fn, files[i:i + size]) for i in range(0, len(files), size)]
        with ProcessPoolExecutor(workers) as ex:
            list(ex.map(_chunk, chunks))
    return time.perf_counter() - start


def naive_openpyxl(files: list[Path]) -> float:
    import openpyxl

    start = time.perf_counter()
    for p in files:
        wb = openpyxl.load_workbook(p, data_only=True)
        cells = [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
        assert cells
    return time.perf_counter() - start


def raw_lxml(files: list[Path]) -> float:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    start = time.perf_counter()
    for p in files:
        with zipfile.ZipFile(p) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/sheet") or name in ("xl/sharedStrings.xml", "xl/workbook.xml"):
                    etree.fromstring(z.read(name), parser)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--layout", default="2021")
    ap.add_argument("--workers", type=int, default=1, help="processes for the gaixl runs (default 1)")
    ap.add_argument("--naive-sample", type=int, default=100, help="files for the (slow) openpyxl run")
    ap.add_argument("--resave", action="store_true", help="read LibreOffice re-saves (shared strings)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "read")
    a = ap.parse_args()
    files = make_files(a.n, a.layout, a.out, a.resave)
    gaixl_one(files[0])                        # warm up: layouts, plans, caches
    rows = []
    t_full = run_gaixl(files, gaixl_one, a.workers)
    rows.append(("gaixl read + validate" if validate else "gaixl read", len(files) / t_full))
    t_read = run_gaixl(files, gaixl_read_only, a.workers)
    rows.append(("gaixl read only", len(files) / t_read))
    sample = files[: min(a.naive_sample, len(files))]
    rows.append(("raw unzip + lxml parse", len(sample) / raw_lxml(sample)))
    rows.append(("naive openpyxl script", len(sample) / naive_openpyxl(sample)))
    naive = rows[-1][1]
    print(f"{len(files)} workbooks ({a.layout} format{', LibreOffice re-save' if a.resave else ''}), "
          f"{a.workers} process(es), {os.cpu_count()} CPUs")
    for i, (name, rate) in enumerate(rows):
        # The gaixl rows may use several processes; the ratio is also given per process, so
        # it compares like with like (the other scripts run in one).
        per = f"  ({rate / a.workers / naive:.1f}× per process)" if i < 2 and a.workers > 1 else ""
        print(f"  {name:<26} {rate:9.0f} workbooks/s   {rate / naive:6.1f}× openpyxl{per}")
    print(f"  target: ≥ 1000 workbooks/s read + validate, ≥ 20× openpyxl → "
          f"{'met' if rows[0][1] >= 1000 and rows[0][1] / naive >= 20 else 'NOT met'}")
    shutil.rmtree(a.out, ignore_errors=True)


if __name__ == "__main__":
    main()
