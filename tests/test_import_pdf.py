"""The PDF reader on real PDFs: gaixl's own rendering of the seed (LibreOffice), and reports
shaped like published ones printed by headless Chromium — with and without borders, narrow
value columns whose headers stand one character per line, numbers right-, centre- or
left-aligned, blank cells, section 三's table broken over pages with and without its header
repeated. Every number is compared at its row (found by its label) and column (its position)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfmaker import (
    Style,
    check_numbers,
    check_values,
    chromium_pdf,
    data_expected,
    leaf_headers_in_place,
    need_chromium,
    random_values,
    report_html,
)

from gaixl.errors import InputError
from gaixl.importers.blocks import Para, Table
from gaixl.importers.pdf import pdf_blocks
from gaixl.spec.load import load_layout

SEED_SOURCE = Path(__file__).resolve().parents[1] / "workbook" / "sources" / "331122-01-jinyun-hrss-2020.json"


def _tables(blocks):
    return [b for b in blocks if isinstance(b, Table)]


def _print_pdf(tmp_path: Path, layout_id: str, style: Style, seed: int) -> tuple[Path, list]:
    values = random_values(layout_id, seed, blank=0.0 if style.align == "right" and not style.narrow else 0.15,
                           big=not style.narrow)
    html, expected = report_html(layout_id, values, style)
    return chromium_pdf(html, tmp_path / f"{layout_id}-{seed}.pdf"), expected


# ----------------------------------------------------------------------------- gaixl's own PDF

@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory, soffice):
    from typer.testing import CliRunner

    from gaixl.cli import app

    out = tmp_path_factory.mktemp("seedpdf") / "seed.pdf"
    r = CliRunner().invoke(app, ["report", str(SEED_SOURCE), "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


@pytest.mark.engine
@pytest.mark.pdf
def test_seed_rendered_by_gaixl_every_cell_in_place(seed_pdf):
    from gaixl.report.data import load_data_file

    data = load_data_file(SEED_SOURCE)
    layout = load_layout(data.layout)
    blocks = pdf_blocks(seed_pdf)
    tables = _tables(blocks)
    assert not check_numbers(tables, data_expected(layout, data))
    # section 三's table is broken over two pages: one table, its repeated header dropped
    t3 = [t for t in tables if any("本年新收政府信息公开申请数量" in c for r in t.rows for c in r)]
    assert len(t3) == 1
    assert sum(1 for r in t3[0].rows if "申请人情况" in r) == 1
    assert any("四、结转下年度继续办理" in r for r in t3[0].rows)
    # the label merged over the page break carries on into the rows of the second page
    row = next(r for r in t3[0].rows if "1.本机关不掌握相关政府信息" in r)
    assert row[0] == "三、本年度办理结果" and row[1] == "（四）无法提供"
    # a narrow header wrapped in its cell is one cell text; merged cells repeat and are listed
    assert any("社会公益组织" in r for r in t3[0].rows)
    assert t3[0].spans
    # prose: the title, the headings, the signature; page numbers (— 2 —) gone; a paragraph cut
    # by a page break is whole
    paras = [b.text for b in blocks if isinstance(b, Para)]
    assert paras[0] == "缙云县人力资源和社会保障局2020年政府信息公开工作年度报告"
    for h in ("一、总体情况", "二、主动公开政府信息情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert h in paras
    assert not any(p.strip("—- 0123456789") == "" for p in paras)
    assert any(p.startswith("（一）高度重视") and p.endswith("协调和落实。") for p in paras)
    assert paras[-1] == "2021年1月11日"


# ----------------------------------------------------------------------------- published-looking PDFs

EXACT = [
    Style(borders=True),
    Style(borders=False),
    Style(borders=True, narrow=True),
    Style(borders=True, push=150),                              # 三 broken over pages, header repeated
    Style(borders=False, push=150),
]


@pytest.mark.browser
@pytest.mark.pdf
@pytest.mark.parametrize("layout_id", ["2019", "2021"])
@pytest.mark.parametrize("style", EXACT, ids=lambda s: f"b{int(s.borders)}-n{int(s.narrow)}-{s.align}-p{int(s.push)}-r{int(s.repeat_header)}")
def test_published_looking_pdf_every_cell_in_place(tmp_path, layout_id, style):
    need_chromium()
    for seed in (1, 2):
        pdf, expected = _print_pdf(tmp_path, layout_id, style, seed)
        tables = _tables(pdf_blocks(pdf))
        problems = check_values(tables, expected)
        for e in expected:
            problems += leaf_headers_in_place(tables, e)
        assert not problems, f"seed {seed}: " + "\n".join(problems)


SAFE = [
    Style(borders=False, align="center"),
    Style(borders=True, push=150, repeat_header=False),         # a row broken over the page
    Style(borders=False, align="left"),
    Style(borders=False, narrow=True),
    Style(borders=False, push=150, repeat_header=False),
]


@pytest.mark.browser
@pytest.mark.pdf
@pytest.mark.parametrize("layout_id", ["2019", "2021"])
@pytest.mark.parametrize("style", SAFE, ids=lambda s: f"b{int(s.borders)}-n{int(s.narrow)}-{s.align}-p{int(s.push)}-r{int(s.repeat_header)}")
def test_harder_layouts_never_put_a_number_in_a_wrong_cell(tmp_path, layout_id, style):
    """Where a row cannot be rebuilt it may be missing (the importer then says what it could
    not place) — but a row that comes out carries every number in its own column."""
    need_chromium()
    for seed in (1, 2):
        pdf, expected = _print_pdf(tmp_path, layout_id, style, seed)
        tables = _tables(pdf_blocks(pdf))
        problems = check_values(tables, expected, allow_missing=True)
        assert not problems, f"seed {seed}: " + "\n".join(problems)


@pytest.mark.browser
@pytest.mark.pdf
def test_a_blank_cell_stays_blank_and_numbers_keep_their_columns(tmp_path):
    """Borderless, right-aligned, a third of the cells blank: a number's column comes from where
    it stands, never from its order in the line."""
    need_chromium()
    values = random_values("2021", 7, blank=0.35)
    html, expected = report_html("2021", values, Style(borders=False))
    tables = _tables(pdf_blocks(chromium_pdf(html, tmp_path / "blank.pdf")))
    assert not check_values(tables, expected, allow_missing=True)
    t3_rows = [r for t in tables for r in t.rows if any("本年新收政府信息公开申请数量" in c for c in r)]
    assert t3_rows and "" in t3_rows[0]
    t3 = next(e for e in expected if e.key == "t3")
    assert any(v == "" for _, vals in t3.rows for v in vals[:-1])     # the case really occurs


# ----------------------------------------------------------------------------- unreadable PDFs

def test_not_a_pdf(tmp_path):
    p = tmp_path / "报告.pdf"
    p.write_text("这不是PDF文件，只是一段文字。", encoding="utf-8")
    with pytest.raises(InputError) as ei:
        pdf_blocks(p)
    assert str(p) in ei.value.text("zh") and "不是PDF文件" in ei.value.text("zh")
    assert "not a PDF" in str(ei.value)


def test_empty_and_missing(tmp_path):
    p = tmp_path / "empty.pdf"
    p.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        pdf_blocks(p)
    with pytest.raises(InputError) as ei:
        pdf_blocks(tmp_path / "nowhere.pdf")
    assert "不存在" in ei.value.text("zh")


@pytest.fixture(scope="module")
def small_pdf(tmp_path_factory) -> Path:
    need_chromium()
    html, _ = report_html("2021", random_values("2021", 3), Style(borders=True))
    return chromium_pdf(html, tmp_path_factory.mktemp("small") / "small.pdf")


@pytest.mark.browser
@pytest.mark.pdf
def test_truncated_pdf_is_a_typed_error(small_pdf, tmp_path):
    data = small_pdf.read_bytes()
    for cut in (20, 200, len(data) // 3, len(data) // 2, len(data) - 300):
        p = tmp_path / f"cut{cut}.pdf"
        p.write_bytes(data[:cut])
        try:
            blocks = pdf_blocks(p)
        except InputError as e:
            assert str(p) in e.text("zh") and e.message_zh
        else:
            assert isinstance(blocks, list)


@pytest.mark.browser
@pytest.mark.pdf
def test_scanned_pdf_has_no_text_layer(tmp_path):
    """A page with only a picture (what a scan is) — told apart from a broken file."""
    need_chromium()
    svg = ("<svg xmlns='http://www.w3.org/2000/svg' width='400' height='300'>"
           "<rect width='400' height='300' fill='#eee'/><circle cx='200' cy='150' r='80' fill='#333'/></svg>")
    pdf = chromium_pdf(f"<!DOCTYPE html><html><body>{svg}</body></html>", tmp_path / "scan.pdf")
    with pytest.raises(InputError) as ei:
        pdf_blocks(pdf)
    assert "文字层" in ei.value.text("zh") and "OCR" in str(ei.value)


@pytest.mark.engine
@pytest.mark.pdf
def test_encrypted_pdf(soffice, tmp_path):
    """A password-protected PDF, made for real by LibreOffice's PDF export with a password."""
    src = tmp_path / "doc.html"
    src.write_text("<html><body><p>规章 1 2 3</p></body></html>", encoding="utf-8")
    opts = ('pdf:writer_web_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
            '"DocumentOpenPassword":{"type":"string","value":"secret"}}')
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", opts, "--outdir", str(tmp_path / "out"), str(src)],
                   check=True, capture_output=True, timeout=180)
    locked = tmp_path / "out" / "doc.pdf"
    assert locked.exists()
    with pytest.raises(InputError) as ei:
        pdf_blocks(locked)
    assert "加密" in ei.value.text("zh") and "encrypted" in str(ei.value) and str(locked) in ei.value.text("zh")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000))
def test_random_bytes_only_ever_raise_the_typed_error(tmp_path, data):
    p = tmp_path / "random.pdf"
    p.write_bytes(b"%PDF-1.4\n" + data)
    try:
        out = pdf_blocks(p)
    except InputError as e:
        assert e.message_zh and str(p) in e.text("zh")
    else:
        assert isinstance(out, list)


@pytest.mark.browser
@pytest.mark.pdf
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_damaged_real_pdf_only_ever_raises_the_typed_error(small_pdf, tmp_path, data):
    raw = bytearray(small_pdf.read_bytes())
    n = data.draw(st.integers(min_value=1, max_value=20))
    for _ in range(n):
        i = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
        raw[i] = data.draw(st.integers(min_value=0, max_value=255))
    cut = data.draw(st.integers(min_value=len(raw) // 2, max_value=len(raw)))
    p = tmp_path / "damaged.pdf"
    p.write_bytes(bytes(raw[:cut]))
    try:
        out = pdf_blocks(p)
    except InputError as e:
        assert e.message_zh
    else:
        assert all(isinstance(b, (Para, Table)) for b in out)


# ----------------------------------------------------------------------------- end to end

def _differences(layout, want, got) -> list[str]:
    out = []
    for ref in layout.cell_keys:
        a, b = want.value(layout, ref), got.value(layout, ref)
        if (a is None) != (b is None) or (a is not None and abs(float(a) - float(b)) > 1e-9):
            out.append(f"{ref}: expected {a!r}, imported {b!r}")
    return out


@pytest.mark.engine
@pytest.mark.pdf
def test_import_report_of_the_seed_pdf_every_cell_equal(seed_pdf):
    """gaixl renders the seed to PDF (LibreOffice); `import_report` reads it back: every cell
    equals the source data file, nothing left unplaced."""
    from gaixl.importers import import_report
    from gaixl.report.data import load_data_file

    want = load_data_file(SEED_SOURCE)
    layout = load_layout(want.layout)
    r = import_report(seed_pdf, year=want.year)
    assert r.format == want.layout
    assert not _differences(layout, want, r.data)
    assert not r.not_placed


@pytest.mark.browser
@pytest.mark.pdf
@pytest.mark.parametrize("layout_id, year", [("2019", 2020), ("2021", 2022)])
@pytest.mark.parametrize("style", [Style(borders=False), Style(borders=False, narrow=True, align="center"),
                                   Style(borders=True, push=150, repeat_header=False)],
                         ids=["borderless", "narrow-centred", "split-no-header"])
def test_import_report_of_published_looking_pdfs(tmp_path, layout_id, year, style):
    """Consistent numbers printed the way published reports look, read back by import_report:
    every cell equal, or (a row broken over a page) honestly listed as not placed."""
    from pdfmaker import published_report

    from gaixl.importers import import_report

    need_chromium()
    layout = load_layout(layout_id)
    want, html = published_report(layout_id, year, style, seed=5)
    r = import_report(chromium_pdf(html, tmp_path / "r.pdf"), year=year)
    assert r.format == layout_id
    placed_wrong = [d for d in _differences(layout, want, r.data) if "imported None" not in d]
    assert not placed_wrong
    missing = [d for d in _differences(layout, want, r.data) if "imported None" in d]
    assert r.not_placed or not missing               # what is missing is said to be missing
    if not style.push:
        assert not missing


@pytest.mark.browser
@pytest.mark.pdf
def test_radical_code_points_of_extraction_are_undone(small_pdf):
    """Chromium's PDFs map 一 二 人 民 行 … to Kangxi/radical code points (⼀ ⼆ ⼈ ⺠ ⾏); the
    reader gives the ordinary characters back (what was published), nothing else changed."""
    import re

    blocks = pdf_blocks(small_pdf)
    text = " ".join(b.text if isinstance(b, Para) else " ".join(c for r in b.rows for c in r) for b in blocks)
    assert not re.search("[\u2e80-\u2eff\u2f00-\u2fdf]", text)
    assert "中华人民共和国政府信息公开条例" in text and "第二十条第（一）项" in text
