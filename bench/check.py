"""Benchmark: `gaixl check --json` as a user runs it, over N distinct filled workbooks.

    python bench/check.py [-n 1000] [--naive-sample 100] [--repeat 3]

The files are N distinct units' workbooks (bench/pool.py: own code, name and numbers; cached
in bench/out/check-pool). In one run, on the same files:
- gaixl check --json FILE… (the installed command's entry point, a fresh process: start-up,
  imports, reading, validation and the JSON on stdout all counted; both cores);
- a bare python-calamine read of every sheet of every file, in one process (one core);
- a raw unzip + lxml parse of the sheets, shared strings and workbook part (one core);
- the reading floor: gaixl opening each file and inflating and parsing whole (expat) the sheets a
  check reads, nothing else (one core) — what issue 15 requires before any cell is believed;
- a naive openpyxl loop (load_workbook + every cell), over a sample.
Each timed run is repeated (--repeat) and the fastest taken, since the machine may be shared;
the CPU time of each (all of gaixl's processes together) is printed beside, which a busy
machine disturbs less than the wall time.
Targets (issue 14): ≥ 1,000 files/s, ≥ 30× the naive openpyxl loop, ≥ 1.0× bare calamine.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from pool import make_pool  # noqa: E402

CPU: dict[str, float] = {}        # CPU seconds (user + system) of the fastest run of each


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _timed(name: str, fn, files) -> float:
    t, cpu = time.perf_counter(), time.process_time()
    fn(files)
    CPU[name] = min(CPU.get(name, 1e9), time.process_time() - cpu)
    return time.perf_counter() - t


def gaixl_check(files: list[Path], tree: Path = HERE.parent, name: str = "gaixl") -> tuple[float, list]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = [sys.executable, "-c", "from gaixl.cli import main; main()", "check", "--json", *map(str, files)]
    t, cpu = time.perf_counter(), _children_cpu()
    # From the tree's own folder: `python -c` puts the current folder first on sys.path, ahead
    # of PYTHONPATH, so run from elsewhere the checkout in the current folder would be timed.
    r = subprocess.run(cmd, capture_output=True, env=env, cwd=tree)
    dt = time.perf_counter() - t
    CPU[name] = min(CPU.get(name, 1e9), _children_cpu() - cpu)
    if r.returncode not in (0, 1):
        sys.exit(f"gaixl check failed ({r.returncode}): {r.stderr.decode()[-2000:]}")
    return dt, json.loads(r.stdout)


def calamine(files: list[Path]) -> float:
    from python_calamine import CalamineWorkbook

    t = time.perf_counter()
    for p in files:
        wb = CalamineWorkbook.from_path(str(p))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
    return time.perf_counter() - t


def raw_lxml(files: list[Path]) -> float:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    t = time.perf_counter()
    for p in files:
        with zipfile.ZipFile(p) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/sheet") or name in ("xl/sharedStrings.xml", "xl/workbook.xml"):
                    etree.fromstring(z.read(name), parser)
    return time.perf_counter() - t


def floor(files: list[Path]) -> float:
    """The least any check can do that keeps issue 15's promise (every XML part read is parsed
    whole before a cell is believed): open each file and inflate and expat-parse the sheets a
    check reads — no cell picked out, nothing checked, nothing printed. One core."""
    from check_stages import sheets_read

    from gaixl.workbook.xlsx import Book, sniff_read

    sheets = sheets_read(files[0])
    t = time.perf_counter()
    for f in files:
        _kind, data = sniff_read(f)
        with Book(f, data) as b:
            for s in sheets:
                b._safe(b.sheet_info(s).part)
    return time.perf_counter() - t


def naive_openpyxl(files: list[Path]) -> float:
    import openpyxl

    t = time.perf_counter()
    for p in files:
        wb = openpyxl.load_workbook(p, data_only=True)
        cells = [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
        assert cells
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--naive-sample", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of each; the fastest counts")
    ap.add_argument("--pool", type=Path, default=HERE / "out" / "check-pool")
    ap.add_argument("--before", type=Path, help="another checkout of gaixl (e.g. the code before a change), "
                                                "timed in the same run")
    a = ap.parse_args()
    files = make_pool(a.pool, a.n, workers=os.cpu_count() or 1)
    sample = files[: min(a.naive_sample, len(files))]
    calamine(files[:20])                            # warm the page cache and the imports
    # An installed gaixl has its bytecode compiled; a checkout may not (PYTHONDONTWRITEBYTECODE,
    # files just edited), and compiling the changed modules on every run would be timed with it.
    for tree in [HERE.parent] + ([a.before] if a.before else []):
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "gaixl")], check=False)
    best: dict[str, float] = {}
    reports: list = []
    for _ in range(a.repeat):
        dt, reports = gaixl_check(files)
        best["gaixl"] = min(best.get("gaixl", dt), dt)
        if a.before:
            dt, before_reports = gaixl_check(files, a.before, "before")
            best["before"] = min(best.get("before", dt), dt)
            if before_reports != reports:
                print("  (the reports differ from those of --before)", flush=True)
        dt = _timed("calamine", calamine, files)
        best["calamine"] = min(best.get("calamine", dt), dt)
        dt = _timed("lxml", raw_lxml, files)
        best["lxml"] = min(best.get("lxml", dt), dt)
        dt = _timed("floor", floor, files)
        best["floor"] = min(best.get("floor", dt), dt)
    naive = len(sample) / naive_openpyxl(sample)
    rate = {k: len(files) / v for k, v in best.items()}
    errors = sum(1 for r in reports if any(f["severity"] == "error" for f in r["findings"]))
    print(f"{len(files)} distinct workbooks, {os.cpu_count()} CPUs, best of {a.repeat} "
          f"(load average {os.getloadavg()[0]:.1f})")
    ms = {k: 1000 * v / len(files) for k, v in CPU.items()}
    print(f"  gaixl check --json (command)   {rate['gaixl']:7.0f} files/s  ({best['gaixl']:.2f} s, "
          f"{len(reports)} reports, {errors} with errors; CPU {ms['gaixl']:.2f} ms a file, all processes)")
    if a.before:
        print(f"  gaixl check, {str(a.before):<17} {rate['before']:7.0f} files/s  ({best['before']:.2f} s; "
              f"CPU {ms['before']:.2f} ms a file)   now {rate['gaixl'] / rate['before']:.2f}× as fast")
    print(f"  bare python-calamine (1 core)  {rate['calamine']:7.0f} files/s  (CPU {ms['calamine']:.2f} ms a file)")
    print(f"  raw unzip + lxml (1 core)      {rate['lxml']:7.0f} files/s  (CPU {ms['lxml']:.2f} ms a file)")
    cores = os.cpu_count() or 1
    print(f"  reading floor (1 core)         {rate['floor']:7.0f} files/s  (CPU {ms['floor']:.2f} ms a file: open, "
          f"inflate and parse whole the sheets a check reads, nothing else; on {cores} cores at most "
          f"{cores * rate['floor']:.0f} files/s)")
    print(f"  naive openpyxl loop            {naive:7.1f} files/s  ({len(sample)} files)")
    ok = rate["gaixl"] >= 1000 and rate["gaixl"] / naive >= 30 and rate["gaixl"] / rate["calamine"] >= 1.0
    print(f"  gaixl / openpyxl {rate['gaixl'] / naive:.1f}×   "
          f"gaixl / calamine {rate['gaixl'] / rate['calamine']:.2f}×   "
          f"gaixl / lxml {rate['gaixl'] / rate['lxml']:.2f}×")
    print(f"  target: ≥ 1000 files/s, ≥ 30× openpyxl, ≥ 1.0× calamine → {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
