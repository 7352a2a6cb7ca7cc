"""Measure the import of glued portal text (every row's numbers run together) over a large random
set of reports: consistent ones, and ones published with 1, 2 or 3 mistakes in tables 三 and 四
(an item or a total off by 1, 9 or 10; tests/textdamage.published_mistakes). Prints, per format
and number of mistakes, the cells placed and the cells placed wrong, and the seeds that gave a
wrong cell (the regression cases of tests/test_import_glued.py).

    PYTHONPATH=. python tests/measure_glued.py [--reports 300] [--mistakes 0 1 2 3] [--jobs 2]

Report `seed` of a format is consistent_data (even seeds) or sparse_data (odd seeds) made with
that seed; its mistakes are drawn with random.Random(seed * 10 + mistakes). Not a test: it prints
figures (about 0.3 s a report).
"""
from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import consistent_data, sparse_data  # noqa: E402
from textdamage import compare, glued_report, published_mistakes  # noqa: E402

from gaixl.importers import import_source  # noqa: E402
from gaixl.importers.text import text_source  # noqa: E402
from gaixl.spec.load import load_layout  # noqa: E402

FORMATS = {"2019": 2020, "2021": 2022}


def published(layout_id: str, seed: int, mistakes: int):
    """(layout, the report as published, its year) of one case of the measurement."""
    layout, year = load_layout(layout_id), FORMATS[layout_id]
    want = (consistent_data if seed % 2 == 0 else sparse_data)(layout, year, seed=seed)
    published_mistakes(layout, want, random.Random(seed * 10 + mistakes), mistakes)
    return layout, want, year


def one(case: tuple[str, int, int]) -> tuple[str, int, int, int, int, list]:
    layout_id, seed, mistakes = case
    layout, want, year = published(layout_id, seed, mistakes)
    got = import_source(text_source(glued_report(layout, want, year)), year=year).data
    right, wrong = compare(layout, want, got)
    return layout_id, seed, mistakes, right, len(layout.cell_keys), wrong


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=300, help="reports per format and number of mistakes")
    ap.add_argument("--mistakes", type=int, nargs="+", default=[0, 1, 2, 3])
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    cases = [(f, s, m) for f in FORMATS for m in args.mistakes for s in range(args.reports)]
    tally: Counter = Counter()
    bad: list[tuple] = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for layout_id, seed, mistakes, right, cells, wrong in pool.map(one, cases, chunksize=8):
            kind = f"{layout_id} {mistakes} mistake(s)"
            tally[(kind, "placed")] += right
            tally[(kind, "cells")] += cells
            tally[(kind, "wrong")] += len(wrong)
            tally[(kind, "reports")] += 1
            if wrong:
                bad.append((layout_id, seed, mistakes, wrong))
    kinds = sorted({k for k, _ in tally})
    print(f"{'kind':<22} reports  placed/cells           wrong")
    for k in kinds:
        p, c = tally[(k, "placed")], tally[(k, "cells")]
        print(f"{k:<22} {tally[(k, 'reports')]:>7}  {p:>7}/{c:<7} {100 * p / c:5.1f} %  {tally[(k, 'wrong')]}")
    for layout_id, seed, mistakes, wrong in bad:
        shown = ", ".join(f"{ref.table}.{ref.row}.{ref.col}: {a}→{b}" for ref, a, b in wrong)
        print(f"wrong: format {layout_id} seed {seed} mistakes {mistakes}: {shown}")


if __name__ == "__main__":
    main()
