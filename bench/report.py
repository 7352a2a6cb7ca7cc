"""Benchmark: report documents (.docx) per second for a county of N units, against a naive baseline.

    python bench/report.py [--units 200] [--layout 2021] [--baseline 20] [--json-files] [--pdf 0]

gaixl: build_document + render_docx per unit (gaixl.render.docx: the package around the body is
made once, each table filled into a cached skeleton) — and, with --json-files, also reading each
unit's data file first (gaixl.render.render on a path). The baseline is the straightforward
python-docx script: a new Document per unit, styles and page set up, every paragraph and run
through the API, every table by doc.add_table with the text set cell by cell and every merged
area joined with cell.merge — the same content, measured on `--baseline` units of the same county.
--pdf N also times N PDFs (LibreOffice, one soffice run per report). Target: ≥ 50 .docx/s in one
process on the 2-core reference machine.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from gaixl.document import render  # noqa: E402
from gaixl.document.docx import render_docx  # noqa: E402
from gaixl.document.model import build_document  # noqa: E402
from gaixl.report.data import dump_data  # noqa: E402
from gaixl.spec.load import load_layout  # noqa: E402

TARGET = 50


def county(layout, year: int, n: int):
    from helpers import consistent_data

    units = []
    for i in range(1, n + 1):
        d = consistent_data(layout, year, seed=i, code=f"331122-{i:03d}", name=f"缙云县第{i}局")
        d.text["一、总体情况"] = [f"{year}年，我局认真贯彻落实《条例》。" * 6, "（一）主动公开。" + "本年度主动公开政府信息。" * 10,
                              "（二）依申请公开。" + "依法依规办理政府信息公开申请。" * 8]
        units.append(d)
    return units


def naive_docx(doc, out: Path) -> None:
    """The straightforward python-docx script for the same document."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    d = docx.Document()
    s = d.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)

    def font(run, name: str, size: float) -> None:
        run.font.name = "Times New Roman"
        run.font.size = Pt(size)
        run._element.rPr.rFonts.set(qn("w:eastAsia"), name)

    def para(text: str, name: str, size: float, align=None, indent=True):
        p = d.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        p.paragraph_format.line_spacing = Pt(28.9)
        font(p.add_run(text), name, size)
        return p

    para(doc.title, "方正小标宋简体", 22, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    for p in doc.preamble:
        para(p, "仿宋_GB2312", 16)
    for sec in doc.sections:
        para(sec.heading, "黑体", 16)
        for p in sec.paragraphs:
            para(p, "楷体_GB2312" if p.startswith("（") else "仿宋_GB2312", 16)
        for tb in sec.tables:
            t = d.add_table(rows=tb.n_rows, cols=tb.n_cols)
            t.style = "Table Grid"
            for c in tb.cells:
                cell = t.cell(c.row, c.col)
                if c.rowspan > 1 or c.colspan > 1:
                    cell = cell.merge(t.cell(c.row + c.rowspan - 1, c.col + c.colspan - 1))
                run = cell.paragraphs[0].add_run(c.text)
                font(run, "宋体", 10.5)
            d.add_paragraph()
    para(doc.signature_unit, "仿宋_GB2312", 16, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    para(doc.signature_date, "仿宋_GB2312", 16, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    d.save(str(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--layout", default="2021")
    ap.add_argument("--baseline", type=int, default=20, help="units for the (slow) naive python-docx script")
    ap.add_argument("--json-files", action="store_true", help="also time read + render from data files")
    ap.add_argument("--pdf", type=int, default=0, help="also time this many PDFs (needs LibreOffice)")
    a = ap.parse_args()
    layout = load_layout(a.layout)
    year = layout.year_from + 2 if layout.year_to is None else layout.year_from
    units = county(layout, year, a.units)
    rows = []
    with tempfile.TemporaryDirectory(prefix="gaixl-bench-") as tmp:
        tmp = Path(tmp)
        render_docx(build_document(units[0], layout), tmp / "warm.docx")     # warm up: the package, skeletons
        t = time.perf_counter()
        for i, d in enumerate(units):
            render_docx(build_document(d, layout), tmp / f"g{i:04d}.docx")
        fast = a.units / (time.perf_counter() - t)
        rows.append(("gaixl build + render .docx", fast))
        size = sum((tmp / f"g{i:04d}.docx").stat().st_size for i in range(a.units)) / a.units
        if a.json_files:
            files = []
            for i, d in enumerate(units):
                p = tmp / f"d{i:04d}.json"
                p.write_text(dump_data(d), encoding="utf-8")
                files.append(p)
            t = time.perf_counter()
            for i, p in enumerate(files):
                render(p, tmp / f"j{i:04d}.docx")
            rows.append(("gaixl read .json + render", a.units / (time.perf_counter() - t)))
        sample = units[:max(1, min(a.baseline, a.units))]
        docs = [build_document(d, layout) for d in sample]
        naive_docx(docs[0], tmp / "warm-naive.docx")
        t = time.perf_counter()
        for i, doc in enumerate(docs):
            naive_docx(doc, tmp / f"n{i:04d}.docx")
        naive = len(docs) / (time.perf_counter() - t)
        rows.append(("naive python-docx script", naive))
        if a.pdf:
            t = time.perf_counter()
            for i, d in enumerate(units[:a.pdf]):
                render(d, tmp / f"p{i:04d}.pdf")
            rows.append(("gaixl .pdf (LibreOffice)", a.pdf / (time.perf_counter() - t)))
    print(f"{a.units} reports ({a.layout} format), 1 process, {os.cpu_count()} CPUs, "
          f"{size / 1024:.0f} KB a .docx")
    for name, rate in rows:
        print(f"  {name:<28} {rate:9.1f} documents/s   {rate / naive:6.1f}× naive")
    print(f"  target: ≥ {TARGET} .docx/s → {'met' if fast >= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
