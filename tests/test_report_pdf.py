"""`gaixl report … --out x.pdf`: the Word document converted by LibreOffice headless, and looked at —
a page rendered to pixels (pdftoppm) is not blank, every word lies inside the text block (the
tables fit the page width), the numbers are there; without LibreOffice, one clear line and exit 2."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import consistent_data
from needs import require
from typer.testing import CliRunner

from gaixl.cli import app
from gaixl.document import render
from gaixl.errors import GaixlError
from gaixl.spec.load import load_layout
from gaixl.workbook import engine
from gaixl.workbook.fill import fill_workbook
from gaixl.workbook.template import generate_workbook

ROOT = Path(__file__).resolve().parents[1]
SEED_FILE = ROOT / "workbook" / "sources" / "331122-01-jinyun-hrss-2020.json"
PT_PER_MM = 72 / 25.4
runner = CliRunner()


@pytest.fixture(scope="session")
def poppler() -> str:
    exe = shutil.which("pdftoppm")
    return require(exe if shutil.which("pdftotext") else None, "poppler-utils (pdftoppm, pdftotext)")


@pytest.fixture(scope="module")
def seed_pdf(soffice, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "seed.pdf"
    path, findings = render(SEED_FILE, out)
    # as published: a warning (warnings never block)
    assert path == out and [(f.code, f.severity) for f in findings] == [("t2-items-negative", "warning")]
    return out


def pgm(path: Path) -> tuple[int, int, bytes]:
    """A binary PGM (P5) → (width, height, pixels)."""
    raw = path.read_bytes()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", raw)
    assert m, raw[:20]
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, raw[m.end():m.end() + w * h]


def page_pixels(pdf: Path, page: int, tmp: Path, dpi: int = 40) -> tuple[int, int, bytes]:
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf),
                    str(tmp / "page")], check=True, capture_output=True, timeout=120)
    (out,) = tmp.glob("page*.pgm")
    try:
        return pgm(out)
    finally:
        out.unlink()


def words(pdf: Path) -> list[tuple[int, float, float, str]]:
    """Every word of the PDF: (page, xMin, xMax, text), from pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True,
                          timeout=120).stdout
    out, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*)</word>', line)
        if m:
            out.append((page, float(m.group(1)), float(m.group(2)), m.group(3)))
    return out


def outside_the_block(ws) -> list:
    """Words that stick out of the 156 mm text block. A line may end in one full-width punctuation
    mark hanging into the right margin (CJK hanging punctuation, as Word and WPS also set it)."""
    left, right = 28 * PT_PER_MM, (210 - 26) * PT_PER_MM
    return [(p, a, b, t) for p, a, b, t in ws
            if a < left - 1 or b > right + (17 if t[-1:] in "，。、；：？！”）》" else 1)]


@pytest.mark.engine
@pytest.mark.pdf
def test_pdf_is_a4_and_pages_are_not_blank(seed_pdf, poppler, tmp_path):
    assert seed_pdf.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(seed_pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 3 <= pages <= 8
    for page in (1, pages // 2 + 1):
        w, h, px = page_pixels(seed_pdf, page, tmp_path)
        assert (w, h) == (round(210 / 25.4 * 40), round(297 / 25.4 * 40)) or abs(w - 331) <= 1
        dark = sum(1 for b in px if b < 128)
        assert dark > 0.01 * w * h, f"page {page} looks blank ({dark} dark pixels)"
        # and nothing is printed in the side margins: the outer 15 mm strips are white
        strip = round(15 / 25.4 * 40)
        for y in range(h):
            row = px[y * w:(y + 1) * w]
            assert min(row[:strip]) > 200 and min(row[w - strip:]) > 200, f"ink in the margin, page {page} y {y}"


@pytest.mark.engine
@pytest.mark.pdf
def test_every_word_lies_inside_the_text_block(seed_pdf, poppler):
    ws = words(seed_pdf)
    assert len(ws) > 200
    assert not outside_the_block(ws), outside_the_block(ws)[:5]
    text = " ".join(t for *_x, t in ws)
    for needle in ("缙云县人力资源和社会保障局",
                   "245848", "532934.41", "减5", "增45", "第二十条第（九）项", "申请人情况", "复议后起诉", "2021年1月11日"):
        assert needle in text.replace(" ", ""), needle


@pytest.mark.engine
@pytest.mark.pdf
def test_both_formats_convert(soffice, poppler, tmp_path):
    for lid, year in (("2019", 2020), ("2021", 2023)):
        layout = load_layout(lid)
        data = consistent_data(layout, year, seed=4, name="某县某某局")
        out, _ = render(data, tmp_path / f"r{lid}.pdf")
        assert out.read_bytes()[:5] == b"%PDF-"
        assert not outside_the_block(words(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r2019.pdf", "r2021.pdf"]


# ---------------------------------------------------------------- the command
@pytest.fixture(scope="module")
def filled_xlsx(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("filled")
    layout = load_layout("2021")
    tpl = generate_workbook(layout, 2023, "331122-05", "缙云县财政局", tmp / "tpl.xlsx")
    return fill_workbook(tpl, consistent_data(layout, 2023, seed=6, code="331122-05", name="缙云县财政局"),
                         tmp / "已填报.xlsx")


@pytest.mark.engine
@pytest.mark.pdf
def test_cli_report_pdf(soffice, filled_xlsx, tmp_path):
    out = tmp_path / "报告 2023.pdf"
    r = runner.invoke(app, ["report", str(filled_xlsx), "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"out": str(out), "format": "pdf", "written": True, "draft": False, "findings": []}
    assert out.read_bytes()[:5] == b"%PDF-"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_cli_report_pdf_without_libreoffice(monkeypatch, filled_xlsx, tmp_path):
    # engine.find_soffice falls back to PATH when GAIXL_SOFFICE is not a program, so the
    # engine's finder itself is replaced: this is what a machine without LibreOffice sees.
    monkeypatch.setenv("GAIXL_SOFFICE", str(tmp_path / "no-such-soffice"))
    monkeypatch.setattr(engine, "find_soffice", lambda: None)
    out = tmp_path / "r.pdf"
    r = runner.invoke(app, ["report", str(filled_xlsx), "--out", str(out)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"错误：{out}: 生成PDF需要LibreOffice（soffice），本机未安装")
    r = runner.invoke(app, ["report", str(filled_xlsx), "--out", str(out), "--lang", "en"])
    assert r.exit_code == 2
    assert r.output.strip() == (f"Error: {out}: PDF output needs LibreOffice (soffice), which is not installed; "
                                "write .docx instead, or install it (Debian: apt-get install libreoffice-writer-nogui)")
    assert not out.exists() and list(tmp_path.iterdir()) == []
    with pytest.raises(GaixlError) as ei:
        render(SEED_FILE, out)
    assert "LibreOffice" in str(ei.value) and ei.value.message_zh
    # .docx needs no LibreOffice
    assert runner.invoke(app, ["report", str(filled_xlsx), "--out", str(tmp_path / "r.docx")]).exit_code == 0
