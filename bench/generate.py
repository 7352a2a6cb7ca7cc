"""Benchmark: templates per second for a 500-unit roster, against a naive baseline.

    python bench/generate.py [--units 500] [--layout 2021] [--baseline 100]

gaixl.generate.generate_all renders one master workbook per run and stamps it per unit.
The baseline is the straightforward way: a full xlsxwriter render of every template
(gaixl.generate.render with the unit's values, then an atomic write) — the same workbook,
byte for byte in every XML part, measured on `--baseline` units of the same roster.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gaixl.atomic import write_bytes  # noqa: E402
from gaixl.spec.load import load_layout  # noqa: E402
from gaixl.workbook import names  # noqa: E402
from gaixl.workbook.template import _created, generate_all, make_meta, render  # noqa: E402

GA = "2026-01-05T08:00:00Z"


def roster(n: int) -> list[dict]:
    return [{"code": f"331122-{i:03d}", "name": f"缙云县第{i}局", "email": f"u{i}@example.cn", "parent": "331122"}
            for i in range(1, n + 1)]


def baseline(layout, year, units, out: Path) -> float:
    t = time.perf_counter()
    for u in units:
        meta = make_meta(layout, year, u["code"], u["name"], GA)
        data = render(layout, year, meta, password=names.DEFAULT_PASSWORD, deadline=None, send_to=None,
                      filled={}, created=_created(GA))
        write_bytes(out / names.template_filename(u["code"], u["name"], year), data)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=500)
    ap.add_argument("--layout", default="2021")
    ap.add_argument("--baseline", type=int, default=100, help="units for the (slow) baseline")
    args = ap.parse_args()
    layout = load_layout(args.layout)
    year = layout.year_from
    units = roster(args.units)
    with tempfile.TemporaryDirectory() as d:
        out = Path(d)
        t = time.perf_counter()
        paths = generate_all(layout, year, units, out / "fast", generated_at=GA)   # includes the master render
        fast = time.perf_counter() - t
        assert len(paths) == len(units)
        (out / "base").mkdir()
        slow = baseline(layout, year, units[:args.baseline], out / "base")
        size = sum(p.stat().st_size for p in paths) / len(paths)
    fast_rate, slow_rate = len(units) / fast, args.baseline / slow
    print(f"layout {layout.id}, {len(units)} units, {size / 1024:.1f} KiB per template")
    print(f"gaixl generate_all : {fast_rate:8.0f} templates/s  ({fast * 1000 / len(units):.2f} ms each, {fast:.2f} s total)")
    print(f"baseline full render: {slow_rate:8.0f} templates/s  ({slow * 1000 / args.baseline:.2f} ms each)")
    print(f"ratio               : {fast_rate / slow_rate:8.1f}x")


if __name__ == "__main__":
    main()
