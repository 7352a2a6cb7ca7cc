"""Benchmark: `consolidate` over N synthetic returned workbooks (a city, a province, the country).

    python bench/consolidate.py [-n 5000] [--also 1000] [--naive-sample 200] [--workers 2] [--no-docx]
    python bench/consolidate.py -n 100000 --also 10000 --no-docx        # the whole country

One filled workbook per unit (distinct code, name and numbers: bench/pool.py patches them from
one master made by gaixl generate + fill, a few ms each), made once and cached under
bench/out/consolidate-pool (the first N of the pool are used, linked into a fresh inbox).
Every measurement runs in a fresh process; its peak RSS (getrusage ru_maxrss) is that run's
alone, for the main process and for the largest of its children (the forked reading workers,
whose RSS counts the pages they share with the main process; the writer of per-unit files,
a process started afresh).
Reported: files/s end to end (read, check, supersede, sum, every output written) without the
per-unit .docx and (unless --no-docx) with them; peak RSS; the time ratio of the N run to the
--also run (linear growth: ≈ N/also); and a naive openpyxl loop over a sample, extrapolated to N.
Targets (issue 14): 100,000 files in < 5 minutes, peak RSS < 1 GB, time ratio 100k/10k ≤ 10.5.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from pool import YEAR, make_pool, unit_code, unit_name  # noqa: E402

POOL = HERE / "out" / "consolidate-pool"
_code = unit_code


def inbox_for(n: int, root: Path) -> tuple[Path, Path]:
    inbox = root / f"inbox-{n}"
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    for i in range(n):
        os.link(POOL / "files" / f"{i:05d}.xlsx", inbox / f"{i:05d}.xlsx")
    roster = root / f"roster-{n}.csv"
    roster.write_text("code,name,email,parent\n" + "".join(f"{_code(i)},{unit_name(i)},u{i}@example.cn,基准市\n"
                                                          for i in range(n)), encoding="utf-8")
    return inbox, roster


def _cpu() -> float:
    """CPU seconds of this process and its finished children (a busy machine disturbs it less
    than the wall time)."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def one(n: int, docx: bool, workers: int) -> dict:
    """A single measured run (in this process)."""
    from gaixl.consolidation.run import consolidate

    root = HERE / "out" / "consolidate-runs"
    inbox, roster = inbox_for(n, root)
    out = root / f"out-{n}-{int(docx)}"
    if out.exists():
        shutil.rmtree(out)
    t, cpu = time.perf_counter(), _cpu()
    c = consolidate(inbox, roster, YEAR, out, reports=docx, workers=workers)
    dt, cpu = time.perf_counter() - t, _cpu() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The largest child: a forked reading worker (its resident size counts the pages it still
    # shares with this process) or the writer of per-unit files (started afresh).
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    shutil.rmtree(out, ignore_errors=True)            # hundreds of MB at N=5000
    shutil.rmtree(inbox, ignore_errors=True)
    return {"n": n, "docx": docx, "seconds": round(dt, 2), "files_per_s": round(n / dt, 1), "cpu_s": round(cpu, 1),
            "load": round(os.getloadavg()[0], 1),
            "peak_rss_mb": round(rss, 1), "peak_child_rss_mb": round(child, 1), "accepted": c.counts()["accepted"]}


def naive(n: int, sample: int) -> dict:
    import openpyxl

    files = [POOL / "files" / f"{i:05d}.xlsx" for i in range(min(n, sample))]
    t = time.perf_counter()
    total = 0.0
    for p in files:
        wb = openpyxl.load_workbook(p, data_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                total += sum(v for v in row if isinstance(v, (int, float)) and not isinstance(v, bool))
        wb.close()
    dt = time.perf_counter() - t
    return {"sample": len(files), "files_per_s": round(len(files) / dt, 1)}


def run_child(n: int, docx: bool, workers: int) -> dict:
    r = subprocess.run([sys.executable, __file__, "--one", str(n), "--workers", str(workers)]
                       + (["--docx"] if docx else []), capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"the run of {n} files failed (exit {r.returncode}):\n{r.stderr[-4000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5000)
    ap.add_argument("--also", type=int, default=1000)
    ap.add_argument("--naive-sample", type=int, default=200)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--one", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--docx", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--no-docx", action="store_true", help="skip the run with per-unit .docx reports")
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(a.one, a.docx, a.workers)))
        return
    t = time.perf_counter()
    make_pool(POOL, max(a.n, a.also), a.workers)
    print(f"pool of {max(a.n, a.also)} distinct workbooks ready in {time.perf_counter() - t:.1f} s "
          f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    runs = {}
    for n in sorted({a.also, a.n}):
        runs[n] = run_child(n, False, a.workers)
        print(json.dumps(runs[n], ensure_ascii=False), flush=True)
    with_docx = None if a.no_docx else run_child(a.n, True, a.workers)
    if with_docx is not None:
        print(json.dumps(with_docx, ensure_ascii=False), flush=True)
    nv = naive(a.n, a.naive_sample)
    big, small = runs[a.n], runs[a.also]
    docx = (f"{with_docx['files_per_s']} files/s with .docx (peak RSS {with_docx['peak_rss_mb']} MB); "
            if with_docx else "")
    print(f"\nN={a.n}: {big['files_per_s']} files/s end to end without .docx ({big['seconds']} s); {docx}"
          f"peak RSS {big['peak_rss_mb']} MB, largest child process {big['peak_child_rss_mb']} MB "
          f"(sum {big['peak_rss_mb'] + big['peak_child_rss_mb']:.0f} MB); workers={a.workers}")
    if a.also != a.n:
        print(f"growth: time({a.n}) / time({a.also}) = {big['seconds'] / small['seconds']:.2f}, "
              f"CPU {big.get('cpu_s', 0) / max(small.get('cpu_s', 1), 0.1):.2f} (linear would be {a.n / a.also:.2f})")
    if a.n >= 100_000:
        ok = big["seconds"] < 300 and big["peak_rss_mb"] + big["peak_child_rss_mb"] < 1024 and \
            (a.also == a.n or big["seconds"] / small["seconds"] <= 1.05 * a.n / a.also)
        print(f"target (issue 14): {a.n} files < 5 min, peak RSS < 1 GB, time ratio ≤ 1.05 × linear → "
              f"{'met' if ok else 'NOT met'}")
    print(f"naive openpyxl loop (load + visit every cell, {nv['sample']} files): {nv['files_per_s']} files/s "
          f"→ {a.n / nv['files_per_s']:.0f} s for N; gaixl end to end is {big['files_per_s'] / nv['files_per_s']:.1f}× faster")


if __name__ == "__main__":
    main()
