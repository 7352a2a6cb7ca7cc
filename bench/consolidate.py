"""Benchmark: `consolidate` over N synthetic returned workbooks (a city, a province, the country).

    python bench/consolidate.py [-n 5000] [--also 1000] [--naive-sample 200] [--workers 2] [--no-docx]
    python bench/consolidate.py -n 100000 --also 10000 --no-docx        # the whole country
    python bench/consolidate.py --one 10000 --workers 2 --no-docx       # one run, its figures printed;
    python bench/consolidate.py --one 100000 --workers 2 --no-docx      # then this one adds the time ratio

One filled workbook per unit (distinct code, name and numbers: bench/pool.py patches them from
one master made by gaixl generate + fill, a few ms each), made once and cached under
bench/out/consolidate-pool (the first N of the pool are used, linked into a fresh inbox).
Every measurement runs in a fresh process. Memory: each process of the run reports its own
peak resident size (VmHWM) through GAIXL_PEAK_LOG (gaixl.peakmem) — the main process once per
phase (its peak reset at each phase boundary), each reading process, the per-unit writer (a
process started afresh: its ru_maxrss would carry the main process's peak across fork + exec,
so getrusage cannot tell its size). The all-process peak is the largest, over the phases, of
the sum of the peaks of the processes that run in that phase: reading (main + the reading
processes, which end before it does), matching (main alone), writing (main + the writer,
started and waited for inside it). A sum of peaks is at least the real peak of the sum (the
peaks need not coincide, and pages a forked reader shares with the main process count twice).
A sampler (every 0.5 s, /proc of the process and its descendants) gives the largest sum it saw,
as a cross-check that can only be lower.
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
import threading
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


PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _rss_kb(pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * PAGE_KB
    except (OSError, ValueError, IndexError):
        return 0


class Sampler(threading.Thread):
    """`ps` every `every` seconds: the resident size of this process and of each of its
    descendants (their pages shared with this one count twice); the largest sum seen, and
    each process's largest size."""

    def __init__(self, every: float = 0.5):
        super().__init__(daemon=True)
        self.every, self.done = every, threading.Event()
        self.max_sum_kb = 0
        self.per: dict[int, list] = {}          # pid → [role, largest kB]

    def _tree(self) -> list[int]:
        me, kids = os.getpid(), {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat", encoding="ascii", errors="replace") as fh:
                        ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
                kids.setdefault(ppid, []).append(int(d))
        out, todo = [], [me]
        while todo:
            p = todo.pop()
            out.append(p)
            todo += kids.get(p, [])
        return out

    def _role(self, pid: int) -> str:
        if pid == os.getpid():
            return "main"
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read()
        except OSError:
            return "?"
        return "writer" if b"writer_main" in cmd else "reader" if b"consolidate.py" in cmd else "other"

    def run(self) -> None:
        while not self.done.wait(self.every):
            total = 0
            for pid in self._tree():
                kb = _rss_kb(pid)
                total += kb
                if pid not in self.per:
                    self.per[pid] = [self._role(pid), 0]
                self.per[pid][1] = max(self.per[pid][1], kb)
            self.max_sum_kb = max(self.max_sum_kb, total)

    def stop(self) -> None:
        self.done.set()
        self.join()


def peaks(log: Path) -> dict:
    """Each process's peak and the all-process peak, from gaixl.peakmem's lines (in MB)."""
    lines = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
    main = {x["role"]: x for x in lines if x["role"] in ("read", "match", "write")}
    readers = [x["hwm_kb"] for x in lines if x["role"] == "reader"]
    writers = [x["hwm_kb"] for x in lines if x["role"] == "writer"]
    reset = all(main[k]["reset"] for k in ("read", "match") if k in main)
    mb = lambda kb: round(kb / 1024, 1)               # noqa: E731
    phase_main = {k: main[k]["hwm_kb"] for k in ("read", "match", "write") if k in main}
    # Without a reset (a kernel refusing clear_refs) each later figure includes the earlier
    # ones: still an upper bound for its phase.
    sums = {"read": phase_main.get("read", 0) + sum(readers), "match": phase_main.get("match", 0),
            "write": phase_main.get("write", 0) + sum(writers)}
    return {"main_peak_mb": {k: mb(v) for k, v in phase_main.items()},
            "main_rss_after_mb": {k: mb(main[k]["rss_kb"]) for k in ("read", "match") if k in main},
            "reader_peaks_mb": [mb(v) for v in readers], "writer_peak_mb": [mb(v) for v in writers],
            "phase_sum_mb": {k: mb(v) for k, v in sums.items()}, "peaks_reset": reset,
            "all_process_peak_mb": mb(max(sums.values()))}


def one(n: int, docx: bool, workers: int) -> dict:
    """A single measured run (in this process)."""
    from gaixl.consolidation.run import consolidate

    root = HERE / "out" / "consolidate-runs"
    inbox, roster = inbox_for(n, root)
    out = root / f"out-{n}-{int(docx)}"
    if out.exists():
        shutil.rmtree(out)
    log = root / f"peaks-{n}-{os.getpid()}.jsonl"
    log.unlink(missing_ok=True)
    os.environ["GAIXL_PEAK_LOG"] = str(log)
    sampler = Sampler()
    before_kb = _rss_kb()
    sampler.start()
    t, cpu = time.perf_counter(), _cpu()
    c = consolidate(inbox, roster, YEAR, out, reports=docx, workers=workers)
    dt, cpu = time.perf_counter() - t, _cpu() - cpu
    sampler.stop()
    del os.environ["GAIXL_PEAK_LOG"]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Not a child's own size (see the docstring): the largest of the children's ru_maxrss, which
    # for the writer starts at this process's peak at the time it was started.
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    accepted = c.counts()["accepted"]
    del c
    shutil.rmtree(out, ignore_errors=True)            # hundreds of MB at N=5000
    shutil.rmtree(inbox, ignore_errors=True)
    p = peaks(log)
    log.unlink(missing_ok=True)
    held = p["main_rss_after_mb"].get("match", 0) * 1024 - before_kb
    sampled = {}
    for role, kb in sampler.per.values():
        sampled.setdefault(role, []).append(round(kb / 1024, 1))
    return {"n": n, "docx": docx, "seconds": round(dt, 2), "files_per_s": round(n / dt, 1), "cpu_s": round(cpu, 1),
            "load": round(os.getloadavg()[0], 1), "accepted": accepted,
            **p,
            # What the main process holds going into the writing (its size after matching less its
            # size before the run), per file: the part that grows with the number of files.
            "main_held_kb_per_file": round(held / n, 2),
            "sampled_sum_peak_mb": round(sampler.max_sum_kb / 1024, 1),
            "sampled_peaks_mb": {k: sorted(v, reverse=True) for k, v in sampled.items()},
            "ru_maxrss_main_mb": round(rss, 1), "ru_maxrss_children_mb": round(child, 1)}


def describe(r: dict) -> str:
    """The human-readable lines of one run."""
    m, ph = r["main_peak_mb"], r["phase_sum_mb"]
    return "\n".join([
        f"N={r['n']}{' with .docx' if r['docx'] else ''}: {r['seconds']} s, {r['files_per_s']} files/s, "
        f"CPU {r['cpu_s']} s, load {r['load']}",
        f"  main process peak by phase: reading {m.get('read')} MB, matching {m.get('match')} MB, "
        f"writing {m.get('write')} MB{'' if r['peaks_reset'] else ' (not reset between phases: cumulative)'}",
        f"  reading processes: {', '.join(f'{x} MB' for x in r['reader_peaks_mb']) or 'none (read in the main process)'}"
        f"; per-unit writer: {', '.join(f'{x} MB' for x in r['writer_peak_mb']) or 'none (written in the main process)'}",
        f"  all processes at once (sum of the peaks of each phase's processes): reading {ph['read']} MB, "
        f"matching {ph['match']} MB, writing {ph['write']} MB → peak {r['all_process_peak_mb']} MB",
        f"  cross-check, sampled every 0.5 s: largest sum {r['sampled_sum_peak_mb']} MB "
        f"({'; '.join(f'{k} {v}' for k, v in r['sampled_peaks_mb'].items())})",
        f"  main process holds {r['main_held_kb_per_file']} kB a file after matching "
        f"({r['main_rss_after_mb'].get('match')} MB)",
    ])


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


RESULTS = HERE / "out" / "consolidate-runs" / "results.json"


def _ratio_to_stored(r: dict) -> None:
    """A single run (--one) keeps its figures; the 100k run prints its time ratio to the last
    10k run kept (run that one first, in the same session: `--one 10000`) and the target line."""
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    key = f"{r['n']}-{int(r['docx'])}"
    kept[key] = {**r, "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(kept, ensure_ascii=False, indent=1))
    small = kept.get(f"{r['n'] // 10}-{int(r['docx'])}")
    if r["n"] >= 100_000:
        ratio = r["seconds"] / small["seconds"] if small else None
        if small:
            print(f"  time ratio {r['n']}/{small['n']} = {ratio:.2f} (the {small['n']} run: {small['seconds']} s, "
                  f"CPU {small['cpu_s']} s, load {small['load']}, at {small['at']}); CPU ratio "
                  f"{r['cpu_s'] / max(small['cpu_s'], 0.1):.2f}")
        else:
            print(f"  no {r['n'] // 10} run kept for the time ratio: run --one {r['n'] // 10} first")
        print("  " + target_line(r, ratio))


def target_line(big: dict, ratio: float | None, linear: float = 10.0) -> str:
    """Issue 14: N files in < 5 minutes, all processes < 1 GB, time ratio ≤ 1.05 × linear."""
    ok = big["seconds"] < 300 and big["all_process_peak_mb"] < 1024 and ratio is not None and ratio <= 1.05 * linear
    return (f"target (issue 14): {big['n']} files < 5 min ({big['seconds']} s), all processes < 1 GB "
            f"({big['all_process_peak_mb']} MB), time ratio ≤ {1.05 * linear:.1f} "
            f"({'?' if ratio is None else f'{ratio:.2f}'}) → {'met' if ok else 'NOT met'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=5000)
    ap.add_argument("--also", type=int, default=1000)
    ap.add_argument("--naive-sample", type=int, default=200)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--one", type=int, default=0, metavar="N",
                    help="one measured run of N files in this process, its figures printed (a 100,000 run also "
                         "gives its time ratio to the last --one 10000 run)")
    ap.add_argument("--docx", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--no-docx", action="store_true", help="skip the run with per-unit .docx reports")
    a = ap.parse_args()
    if a.one:
        r = one(a.one, a.docx, a.workers)
        print(describe(r))
        _ratio_to_stored(r)
        print(json.dumps(r, ensure_ascii=False))
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
    docx = (f"{with_docx['files_per_s']} files/s with .docx (all processes {with_docx['all_process_peak_mb']} MB); "
            if with_docx else "")
    print(f"\n{describe(big)}\nN={a.n}: {big['files_per_s']} files/s end to end without .docx ({big['seconds']} s); "
          f"{docx}all-process peak {big['all_process_peak_mb']} MB; workers={a.workers}")
    if a.also != a.n:
        print(f"growth: time({a.n}) / time({a.also}) = {big['seconds'] / small['seconds']:.2f}, "
              f"CPU {big.get('cpu_s', 0) / max(small.get('cpu_s', 1), 0.1):.2f} (linear would be {a.n / a.also:.2f})")
    if a.n >= 100_000:
        ratio = big["seconds"] / small["seconds"] if a.also != a.n else None
        print(target_line(big, ratio, a.n / a.also))
    print(f"naive openpyxl loop (load + visit every cell, {nv['sample']} files): {nv['files_per_s']} files/s "
          f"→ {a.n / nv['files_per_s']:.0f} s for N; gaixl end to end is {big['files_per_s'] / nv['files_per_s']:.1f}× faster")


if __name__ == "__main__":
    main()
