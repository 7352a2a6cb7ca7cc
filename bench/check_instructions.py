"""Benchmark: the instructions one file's check costs, counted by valgrind — for changes too
small for a clock to see on a shared machine.

    python bench/check_instructions.py [-n 100] [--before TREE]

A 2-core virtual machine shared with other work times `gaixl check` to ±5 % from run to run
(bench/check.py), so a change worth 3 % cannot be told from noise by the clock. The number of
instructions a process executes does not depend on what else the machine runs: this bench
counts them (valgrind --tool=callgrind; this machine's VM offers no hardware counters) for a
serial check of 5 files and of 5 + N files of the check pool (bench/pool.py), in one process
each, with the same each-report JSON as `gaixl check --json`; the difference over N is what one
file costs, start-up and first-file warm-up left out. With --before, another checkout of gaixl
is counted on the same files, and the ratio printed. Instructions are not time (a cache miss
costs more than an add), but the same code path on the same bytes gives the same count, so a
ratio below 1.00 is a real saving. About a minute a tree for N = 100.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from pool import make_pool  # noqa: E402

_LOOP = r"""
import sys
from functools import partial
from pathlib import Path
from gaixl.cli.checking import _json_line
from gaixl.validation.files import check_many
files = sorted(Path(sys.argv[1]).iterdir())[:int(sys.argv[2])]
for text, _bad, _lost in check_many(files, workers=1, each=partial(_json_line, lang="zh")):
    pass
"""


def instructions(tree: Path, folder: Path, n: int) -> int:
    """Instructions executed by a serial check of the first n files, start-up included."""
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                        sys.executable, "-c", _LOOP, str(folder), str(n)], env=env, capture_output=True, text=True,
                       cwd=tree)          # `-c` puts the current folder first on sys.path: the tree's own
    m = re.search(r"Collected\s*:\s*([0-9]+)", r.stderr)
    if r.returncode != 0 or m is None:
        sys.exit(f"valgrind failed ({r.returncode}): {r.stderr[-1500:]}")
    return int(m[1])


def per_file(tree: Path, folder: Path, n: int) -> float:
    return (instructions(tree, folder, 5 + n) - instructions(tree, folder, 5)) / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100)
    ap.add_argument("--pool", type=Path, default=HERE / "out" / "check-pool")
    ap.add_argument("--before", type=Path, help="another checkout of gaixl, counted on the same files")
    a = ap.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is needed (apt-get install valgrind)")
    make_pool(a.pool, 5 + a.n, workers=os.cpu_count() or 1)
    folder = a.pool / "files"
    for tree in [HERE.parent] + ([a.before] if a.before else []):
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "gaixl")], check=False)
    now = per_file(HERE.parent, folder, a.n)
    print(f"{a.n} distinct workbooks, serial check with each report's JSON, instructions a file:")
    print(f"  gaixl check          {now / 1e6:8.2f} M")
    if a.before:
        before = per_file(a.before, folder, a.n)
        print(f"  {str(a.before):<20} {before / 1e6:8.2f} M   now {now / before:.3f}× the instructions")


if __name__ == "__main__":
    main()
