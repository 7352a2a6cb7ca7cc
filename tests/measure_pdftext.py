"""Measure the import of published-report text over every variation the tests build: how many
cells are placed and how many are wrong, per kind of text.

    PYTHONPATH=. python tests/measure_pdftext.py [--copies N]

Kinds: reports printed by Chromium in nine styles (borders or none, numbers right / centred /
left, narrow columns, the 三 table broken over pages with or without its header repeated) with busy
and mostly-zero data, as `pdftotext -layout` gives them, whole and damaged (a data line lost;
lines lost or doubled); reports rendered by LibreOffice Writer (merged row headers, narrow
columns, crossing pages; numbers right or left); the Word-made 三 table written by hand
(tests/test_import_pdftext.py); glued portal text, consistent and with published mistakes.
Needs chromium, soffice and pdftotext; takes a few minutes. Not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import consistent_data, sparse_data  # noqa: E402
from pdfmaker import Style, chromium_pdf, pdftotext_layout, published_report  # noqa: E402
from textdamage import MODES, compare, damaged, glued_report  # noqa: E402

from gaixl.importers import import_report, import_source  # noqa: E402
from gaixl.importers.text import text_source  # noqa: E402
from gaixl.spec.load import load_layout  # noqa: E402
from gaixl.spec.rules import CellRef  # noqa: E402

FORMATS = (("2019", 2020), ("2021", 2022))
STYLES = {
    "borders": Style(borders=True), "borderless": Style(borders=False),
    "centred": Style(borders=False, align="center"), "left": Style(borders=False, align="left"),
    "narrow": Style(borders=True, narrow=True), "break-no-repeat": Style(borders=True, push=150, repeat_header=False),
    "break": Style(borders=False, push=150), "left-break": Style(borders=False, push=100, repeat_header=False, align="left"),
    "narrow-break": Style(borders=False, narrow=True, push=60),
}


def _import_text(tmp: Path, text: str, year: int):
    src = tmp / "r.txt"
    src.write_text(text, encoding="utf-8")
    return import_report(src, year=year).data


def _writer_text(tmp: Path, layout_id: str, year: int, seed: int, align: str, sparse: bool) -> tuple:
    want, html = published_report(layout_id, year, Style(borders=True, narrow=True, align=align), seed, sparse=sparse)
    html = html.replace('<col class="lab">', '<col width="30">').replace('<col class="val">', '<col width="44">')
    src = tmp / "w.html"
    src.write_text(html, encoding="utf-8")
    subprocess.run([shutil.which("soffice") or "soffice", "--headless", "--infilter=HTML (StarWriter)", "--convert-to",
                    "pdf", "--outdir", str(tmp), str(src)], check=True, capture_output=True, timeout=240)
    return want, pdftotext_layout(tmp / "w.pdf")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=6, help="damaged copies per text and damage kind")
    args = ap.parse_args()
    tally: Counter = Counter()

    def add(kind: str, layout, want, got) -> None:
        right, wrong = compare(layout, want, got)
        tally[(kind, "placed")] += right
        tally[(kind, "wrong")] += len(wrong)
        tally[(kind, "cells")] += len(layout.cell_keys)

    with tempfile.TemporaryDirectory(prefix="gaixl-measure-") as t:
        tmp = Path(t)
        for layout_id, year in FORMATS:
            layout = load_layout(layout_id)
            for name, style in STYLES.items():
                for data in ("busy", "zeros"):
                    want, html = published_report(layout_id, year, style, seed=1, sparse=data == "zeros")
                    text = pdftotext_layout(chromium_pdf(html, tmp / "c.pdf"))
                    add(f"chromium {name} {data} {layout_id}", layout, want, _import_text(tmp, text, year))
                    for mode in MODES:
                        for k in range(args.copies):
                            cut = damaged(text.split("\n"), random.Random(k), mode)
                            add(f"chromium damaged: {mode} {layout_id}", layout, want, _import_text(tmp, "\n".join(cut), year))
            for align in ("right", "left"):
                for data in ("busy", "zeros"):
                    want, text = _writer_text(tmp, layout_id, year, 2, align, data == "zeros")
                    add(f"writer {align} {data} {layout_id}", layout, want, _import_text(tmp, text, year))
            for data, make in (("busy", consistent_data), ("zeros", sparse_data)):
                for seed in range(args.copies * 2):
                    want = make(layout, year, seed=seed)
                    add(f"glued {data} {layout_id}", layout, want,
                        import_source(text_source(glued_report(layout, want, year)), year=year).data)
                    rnd = random.Random(seed)                      # the published report with a mistake
                    tk = rnd.choice(["t3", "t3", "t4"])
                    tb = layout.tables[tk]
                    ref = CellRef(tk, rnd.choice(tb.data_rows).key, rnd.choice(tb.data_columns).key)
                    want.set_value(layout, ref, max(0, (want.value(layout, ref) or 0) + rnd.choice([-10, -1, 1, 9, 10])))
                    add(f"glued with a published mistake {data} {layout_id}", layout, want,
                        import_source(text_source(glued_report(layout, want, year)), year=year).data)
        from test_import_pdftext import NUMS, PAGE_TEXT, _check
        (tmp / "w.txt").write_text(PAGE_TEXT, encoding="utf-8")
        wrong, placed, _missing = _check(import_report(tmp / "w.txt", year=2022))
        tally[("word-made 三 table by hand 2021", "placed")] += placed
        tally[("word-made 三 table by hand 2021", "wrong")] += len(wrong)
        tally[("word-made 三 table by hand 2021", "cells")] += sum(len(v) for v in NUMS.values())
    kinds = sorted({k for k, _ in tally})
    width = max(len(k) for k in kinds)
    print(f"{'kind':<{width}}  placed/cells        wrong")
    for k in kinds:
        p, c, w = tally[(k, "placed")], tally[(k, "cells")], tally[(k, "wrong")]
        print(f"{k:<{width}}  {p:>6}/{c:<6} {100 * p / c:5.1f} %  {w}")
    print(f"{'ALL':<{width}}  {sum(tally[(k, 'placed')] for k in kinds):>6}/{sum(tally[(k, 'cells')] for k in kinds):<6}"
          f"          {sum(tally[(k, 'wrong')] for k in kinds)}")


if __name__ == "__main__":
    main()
