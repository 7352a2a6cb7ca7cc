"""Benchmark: where one file's CPU goes in `gaixl check`, stage by stage, in one process.

    python bench/check_stages.py [-n 300] [--repeat 4]

Over N distinct filled workbooks of the check pool (bench/pool.py, the files bench/check.py
reads), after a first file has warmed every cache, each stage is timed with all the stages
before it, in CPU milliseconds a file (best of --repeat, the stages taking turns, so a busy
machine disturbs them alike):

  open      sniff + one read of the file + the zip directory + the workbook part
  verify    + every sheet a check reads inflated and parsed whole by expat (issue 15)
  cells     + the cells picked out of those sheets (the regular expression of xmlparts)
  check     + everything else: the template's reading, validation, the report's JSON line

`verify` is the floor of any reader that keeps issue 15's whole-part parse; `check - cells`
is what a faster template reading or validation could remove at most.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from pool import make_pool  # noqa: E402

from gaixl.cli.checking import _json_line  # noqa: E402
from gaixl.validation.files import _check_one  # noqa: E402
from gaixl.workbook.read import read_workbook  # noqa: E402
from gaixl.workbook.xlsx import Book, sniff_read  # noqa: E402


def sheets_read(path: Path) -> list[str]:
    """The sheets a check of this file reads (those its locators point at, and the metadata)."""
    res = read_workbook(path)
    names = {s for s, _a in res.locator.values()} | {s for s, _a in res.info_locator.values()}
    names |= {v for k, v in res.text_locator.items() if isinstance(k, str)}
    return sorted(names) + ["_gaixl"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=4)
    ap.add_argument("--pool", type=Path, default=HERE / "out" / "check-pool")
    a = ap.parse_args()
    files = make_pool(a.pool, a.n, workers=os.cpu_count() or 1)
    sheets = sheets_read(files[0])
    each = partial(_json_line, lang="zh")
    _check_one((files[0], None, None, each))

    def open_only() -> None:
        for f in files:
            _kind, data = sniff_read(f)
            with Book(f, data):
                pass

    def verify() -> None:
        for f in files:
            _kind, data = sniff_read(f)
            with Book(f, data) as b:
                for s in sheets:
                    info = b.sheet_info(s)
                    assert info is not None, s
                    b._safe(info.part)

    def cells() -> None:
        for f in files:
            _kind, data = sniff_read(f)
            with Book(f, data) as b:
                for s in sheets:
                    b.sheet(s)

    def check() -> None:
        for f in files:
            _check_one((f, None, None, each))

    stages = [("open", open_only), ("verify", verify), ("cells", cells), ("check", check)]
    best: dict[str, float] = {}
    for _ in range(a.repeat):
        for name, fn in stages:
            t = time.process_time()
            fn()
            best[name] = min(best.get(name, 1e9), time.process_time() - t)
    ms = {k: 1000 * v / len(files) for k, v in best.items()}
    print(f"{len(files)} distinct workbooks, {len(sheets)} sheets read a file, best of {a.repeat} "
          f"(load average {os.getloadavg()[0]:.1f}); CPU ms a file, cumulative:")
    prev = 0.0
    for name, _fn in stages:
        print(f"  {name:<7} {ms[name]:6.3f}   (+{ms[name] - prev:.3f})")
        prev = ms[name]


if __name__ == "__main__":
    main()
