"""The space-aligned-text reader: what `pdftotext -layout` gives for real PDFs (gaixl's own and
published-looking ones printed by Chromium), and hand-made text with the cases that matter —
blank cells, wide characters aligned by an editor, headers standing one character per line,
tables broken over pages with page numbers between. Its rule above all: a number is placed only
where its column is certain; what cannot be placed is left out, never put in a wrong cell."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfmaker import (
    Style,
    check_numbers,
    check_values,
    chromium_pdf,
    data_expected,
    pdftotext_layout,
    random_values,
    report_html,
)
from textdamage import compare

from gaixl.importers.blocks import Para, Table
from gaixl.importers.spaced import looks_spaced, spaced_blocks

SEED_SOURCE = Path(__file__).resolve().parents[1] / "workbook" / "sources" / "331122-01-jinyun-hrss-2020.json"
SCRAPED = "seed/2020-jinyun-hrss-as-scraped.txt"      # under shared/


def _tables(text: str) -> list[Table]:
    return [b for b in spaced_blocks(text) if isinstance(b, Table)]


def _row(tables: list[Table], label: str) -> list[str]:
    for t in tables:
        for r in t.rows:
            if label in r:
                return r
    raise AssertionError(f"row {label!r} not found in {[t.rows for t in tables]}")


# ----------------------------------------------------------------------------- hand-made text

PDFTOTEXT_LIKE = """\
  二、主动公开政府信息情况
              第二十条第（一）项
信息内容      本年制发件数     本年废止件数         现行有效件数
规章                 3                                 12
行政规范性文         25               1                 40
件
"""


def test_columns_from_positions_a_blank_cell_stays_blank():
    (t,) = _tables(PDFTOTEXT_LIKE)
    assert t.rows[0][1:] == ["第二十条第（一）项", "", ""] or "第二十条第（一）项" in t.rows[0]
    assert _row([t], "信息内容")[-3:] == ["本年制发件数", "本年废止件数", "现行有效件数"]
    assert _row([t], "规章")[-3:] == ["3", "", "12"]
    # a label wrapped over two lines is one cell
    assert _row([t], "行政规范性文件")[-3:] == ["25", "1", "40"]


EDITOR_ALIGNED = """\
信息内容          本年制发件数  本年废止件数  现行有效件数
规章                         3                         5
行政规范性文件              12             1          40
"""


def test_wide_characters_count_two_columns_when_the_text_is_aligned_that_way():
    """Text lined up in an editor counts a Chinese character as two columns (pdftotext counts
    one): the reading whose numbers line up wins."""
    (t,) = _tables(EDITOR_ALIGNED)
    assert _row([t], "规章")[-3:] == ["3", "", "5"]
    assert _row([t], "行政规范性文件")[-3:] == ["12", "1", "40"]
    assert _row([t], "信息内容")[-3:] == ["本年制发件数", "本年废止件数", "现行有效件数"]


STACKED = """\
                本   本   现
                年   年   行
                制   废   有
信息内容        发   止   效
                件   件   件
                数   数   数
规章            0    1    7
行政规范性文件  12        30
"""


def test_a_header_standing_one_character_per_line_is_one_cell():
    (t,) = _tables(STACKED)
    header = next(r for r in t.rows if "本年制发件数" in r)
    assert header[-3:] == ["本年制发件数", "本年废止件数", "现行有效件数"]
    assert _row([t], "规章")[-3:] == ["0", "1", "7"]
    assert _row([t], "行政规范性文件")[-3:] == ["12", "", "30"]


def _line(label: str, cells: list[str]) -> str:
    """A line as pdftotext lays it out: one column per character, cells right-aligned."""
    return label.ljust(20) + "".join(c.rjust(9) for c in cells)


_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_HEAD = _line("", ["自然人", "商业企业", "总计"])
TWO_PAGES = "\n".join([
    _CORNER, _HEAD,
    _line("一、本年新收政府信息公开申请数量", ["5", "1", "6"]),
    _line("二、上年结转政府信息公开申请数量", ["0", "2", "2"]),
    "", "                                 — 3 —",
    "\f                                 第 4 页",
    _CORNER, _HEAD,
    _line("（一）予以公开", ["4", "0", "4"]),
    _line("四、结转下年度继续办理", ["1", "", "1"]),
    ""])


def test_a_table_broken_over_pages_is_one_table_with_its_header_once():
    tables = _tables(TWO_PAGES)
    assert len(tables) == 1
    (t,) = tables
    assert sum(1 for r in t.rows if "自然人" in r) == 1
    assert _row(tables, "一、本年新收政府信息公开申请数量")[-3:] == ["5", "1", "6"]
    assert _row(tables, "（一）予以公开")[-3:] == ["4", "0", "4"]
    assert _row(tables, "四、结转下年度继续办理")[-3:] == ["1", "", "1"]
    text = " ".join(b.text for b in spaced_blocks(TWO_PAGES) if isinstance(b, Para))
    assert "— 3 —" not in text and "第 4 页" not in text


def test_traditional_characters_are_kept_as_published():
    text = "信息內容      本年製發件數   本年廢止件數\n規章               1              2\n行政規範性文件     3              4\n"
    (t,) = _tables(text)
    assert _row([t], "規章")[-2:] == ["1", "2"] and "本年製發件數" in t.rows[0]


def test_radical_code_points_become_ordinary_characters():
    (p,) = spaced_blocks("本报告根据《中华人⺠共和国政府信息公开条例》⼀⼆编制。")
    assert p.text == "本报告根据《中华人民共和国政府信息公开条例》一二编制。"


def test_prose_stays_prose():
    text = "  一、总体情况\n  2020年，我局主动公开 637 条政府信息，其中门户网站发布 398 条。\n本年度未收取信息处理费。\n"
    blocks = spaced_blocks(text)
    assert blocks and all(isinstance(b, Para) for b in blocks)
    assert blocks[0].text == "一、总体情况"


def test_looks_spaced():
    assert looks_spaced(PDFTOTEXT_LIKE) and looks_spaced(TWO_PAGES)
    assert not looks_spaced("| 规章 | 0 | 0 | 0 |\n| 行政规范性文件 | 1 | 2 | 3 |\n")
    assert not looks_spaced("规章\t0\t0\t0\n行政规范性文件\t1\t2\t3\n")
    assert not looks_spaced("本年度我局主动公开政府信息 637 条。\n依申请公开 3 件。\n")
    assert not looks_spaced("")


def test_portal_text_of_the_seed_is_not_spaced(shared):
    """The seed as scraped from its portal: pipe rows, not space-aligned columns."""
    assert not looks_spaced((shared / SCRAPED).read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- pdftotext of real PDFs

@pytest.fixture(scope="module")
def seed_text(tmp_path_factory, soffice):
    from typer.testing import CliRunner

    from gaixl.cli import app

    out = tmp_path_factory.mktemp("seedtxt") / "seed.pdf"
    r = CliRunner().invoke(app, ["report", str(SEED_SOURCE), "--out", str(out)])
    assert r.exit_code == 0, r.output
    return pdftotext_layout(out)


@pytest.mark.engine
@pytest.mark.pdf
def test_seed_pdftotext_no_number_in_a_wrong_cell(seed_text):
    """The seed rendered by gaixl, through pdftotext: section 二's tables come out whole; what
    pdftotext squeezes out of line in 三 and 四 is left unplaced, never misplaced."""
    from gaixl.report.data import load_data_file
    from gaixl.spec.load import load_layout

    assert looks_spaced(seed_text)
    data = load_data_file(SEED_SOURCE)
    layout = load_layout(data.layout)
    expected = data_expected(layout, data)
    tables = _tables(seed_text)
    art20 = [e for e in expected if e.key.startswith("art20")]
    assert not check_numbers(tables, art20)
    # every number that did come out in 三 or 四 stands in its own column
    for e in expected:
        for label, vals in e.rows:
            if not label:
                continue
            for t in tables:
                for r in t.rows:
                    if label in r:
                        got = [c for c in r[r.index(label) + 1:]]
                        nums = [c for c in got if c.strip()]
                        if nums:
                            assert len(got) >= len(vals)


STYLES = [Style(borders=True), Style(borders=False), Style(borders=False, align="center"),
          Style(borders=False, align="left"), Style(borders=True, narrow=True),
          Style(borders=True, push=150, repeat_header=False), Style(borders=False, push=150)]


@pytest.mark.browser
@pytest.mark.pdf
@pytest.mark.parametrize("layout_id", ["2019", "2021"])
@pytest.mark.parametrize("style", STYLES, ids=lambda s: f"b{int(s.borders)}-n{int(s.narrow)}-{s.align}-p{int(s.push)}-r{int(s.repeat_header)}")
def test_pdftotext_of_published_looking_pdfs_never_misplaces_a_number(tmp_path, layout_id, style):
    for seed, blank in ((1, 0.0), (2, 0.2)):
        values = random_values(layout_id, seed, blank=blank, big=not style.narrow)
        html, expected = report_html(layout_id, values, style)
        text = pdftotext_layout(chromium_pdf(html, tmp_path / f"{seed}.pdf"))
        problems = check_values(_tables(text), expected, allow_missing=True)
        assert not problems, f"seed {seed} blank {blank}: " + "\n".join(problems)


@pytest.mark.browser
@pytest.mark.pdf
@pytest.mark.parametrize("layout_id", ["2019", "2021"])
@pytest.mark.parametrize("borders", [True, False])
def test_pdftotext_section_two_tables_come_out_whole(tmp_path, layout_id, borders):
    values = random_values(layout_id, 1)
    html, expected = report_html(layout_id, values, Style(borders=borders))
    text = pdftotext_layout(chromium_pdf(html, tmp_path / "r.pdf"))
    art20 = [e for e in expected if e.key.startswith("art20")]
    assert not check_values(_tables(text), art20)


# What pdftotext -layout made of section 三 of a borderless report printed by Chromium: the
# header words squeezed one space apart (商业企 / 业 stacked), the numbers of each line shifted
# by a few characters — no header piece overlaps the numbers under it.
SQUEEZED = """\
                           申请人情况
（本列数据的勾稽关系为：             法人或其他组织
第一项加第二项之和，等于 自然人
第三项加第四项之和）         商业企 科研机 社会公 法律服 其他 总计
                    业   构 益组织 务机构
一、本年新收政府信息公开   199 220 195 226 213 231 1284
申请数量
二、上年结转政府信息公开    17    0  12    6 13  0   48
"""
_SQUEEZED_ROWS = {"一、本年新收政府信息公开申请数量": ["199", "220", "195", "226", "213", "231", "1284"],
                  "二、上年结转政府信息公开": ["17", "0", "12", "6", "13", "0", "48"]}
# each leaf header piece and the value column (0-based) it belongs over
_SQUEEZED_LEAVES = {"自然人": 0, "商业企": 1, "业": 1, "科研机": 2, "构": 2, "社会公": 3, "益组织": 3,
                    "法律服": 4, "务机构": 4, "其他": 5, "总计": 6}


def test_squeezed_header_numbers_placed_by_order_when_the_leaves_agree():
    """Every line has a number in each of 7 columns and the header has exactly 7 leaf groups in
    the same order (up to pdftotext's shift and squeeze): numbers by order, each leaf header over
    its own column — a piece whose column is not certain is left out, never put elsewhere."""
    (t,) = _tables(SQUEEZED)
    for label, vals in _SQUEEZED_ROWS.items():
        assert _row([t], label)[-7:] == vals
    first_value = t.width - 7
    body = next(i for i, r in enumerate(t.rows) if "199" in r)
    placed = 0
    for r in t.rows[:body]:
        for c, text in enumerate(r[first_value:]):
            if text in ("", "申请人情况", "法人或其他组织"):
                continue
            assert _SQUEEZED_LEAVES.get(text) == c, f"{text!r} over column {c}: {t.rows[:body]}"
            placed += 1
    assert placed >= 8


def _blank_column(text: str) -> str:
    """The same table with its 法律服务机构 column blank in every row."""
    out = []
    for ln in text.split("\n"):
        if ln.startswith("一、"):
            ln = ln.replace(" 213 ", "     ")
        elif ln.startswith("二、"):
            ln = ln.replace(" 13 ", "    ")
        out.append(ln)
    return "\n".join(out)


def test_squeezed_header_with_a_column_blank_throughout_places_nothing():
    """Seven leaf headers over lines of six numbers: which column is blank cannot be told from
    pdftotext's shifted text, so no number is placed (the rows and their labels are kept)."""
    text = _blank_column(SQUEEZED)
    assert " 213 " not in text
    tables = _tables(text)
    for t in tables:
        for r in t.rows:
            assert not any(c in ("199", "220", "1284", "17", "48") for c in r), t.rows
    assert _row(tables, "一、本年新收政府信息公开申请数量") and _row(tables, "二、上年结转政府信息公开")


NARROW_RUNS = """\
             第二十条第（一）项
                           本 本 对
                           年 年 外
信息内容                       制 公 开
                           作 开 总
规章                         4 18 2
规范性文件                      8 3 15
"""


def test_numbers_one_space_apart_are_spaced_text():
    """Narrow columns: pdftotext leaves one space between the numbers of a row. That is still
    column text (not a line of prose with one number 4182 in it)."""
    assert looks_spaced(NARROW_RUNS)
    for t in _tables(NARROW_RUNS):
        for r in t.rows:
            assert not any(c.replace(" ", "") in ("4182", "8315") for c in r)


def test_a_number_one_space_after_its_label_is_a_cell_of_its_own():
    """pdftotext can leave one space between a long label and the first number of its row; that
    number is a cell (and lines up with the numbers below), not the end of the label."""
    def line(label: str, cells: list[str]) -> str:
        out = label
        for end, c in zip((15, 21, 27), cells):      # right-aligned, ending at these columns
            out = out.ljust(end - len(c)) + c
        return out

    text = "\n".join([line("信息内容", ["甲类", "乙类", "丙类"]),
                      "一、本年新收政府信息公开 26   826   278",      # one space after the label
                      line("二、上年结转", ["7", "12", "5"]), ""])
    assert "公开 26   826   278" in text and line("", ["26", "826", "278"]).endswith("26   826   278")
    (t,) = _tables(text)
    assert _row([t], "一、本年新收政府信息公开")[-3:] == ["26", "826", "278"]
    assert _row([t], "二、上年结转")[-3:] == ["7", "12", "5"]
    (p,) = spaced_blocks("本年度我局主动公开 637 条政府信息。")
    assert p.text == "本年度我局主动公开 637 条政府信息。"


@pytest.mark.browser
@pytest.mark.pdf
@pytest.mark.parametrize("layout_id, year", [("2019", 2020), ("2021", 2022)])
@pytest.mark.parametrize("style, least", [(Style(borders=False), 198), (Style(borders=True), 198),
                                          (Style(borders=False, narrow=True, align="center"), 198)],
                         ids=["borderless", "borders", "narrow-centred"])
def test_import_report_of_published_looking_pdftotext_text(tmp_path, layout_id, year, style, least):
    """Consistent numbers printed by Chromium the way published reports look, through
    `pdftotext -layout`, imported: no cell wrong, and at least `least` cells placed (measured
    with the row-order reader, gaixl.importers.rowseq: every cell, 198 of 198 (2019) and 200 of
    200 (2021), in all three styles; before it: 191–193, and 25–28 narrow)."""
    from pdfmaker import published_report

    from gaixl.importers import import_report
    from gaixl.spec.load import load_layout

    layout = load_layout(layout_id)
    want, html = published_report(layout_id, year, style, seed=1)
    src = tmp_path / "r.txt"
    src.write_text(pdftotext_layout(chromium_pdf(html, tmp_path / "r.pdf")), encoding="utf-8")
    r = import_report(src, year=year)
    assert r.source_format == "spaced"
    placed, wrong = compare(layout, want, r.data)
    assert not wrong
    assert placed >= least
    assert len(r.not_placed) >= len(layout.cell_keys) - placed


# ----------------------------------------------------------------------------- robustness

_ALPHABET = st.sampled_from(list("  　\t\f\n\r0123456789.-+/|—（）()、，。一二三四五六七八九十规章行政许可本年减增总计申请人情况abcXYZ"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=600))
def test_random_text_never_raises(text):
    blocks = spaced_blocks(text)
    assert all(isinstance(b, (Para, Table)) for b in blocks)
    for b in blocks:
        if isinstance(b, Table):
            assert b.rows and all(len(r) == b.width for r in b.rows)
    looks_spaced(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_any_unicode_never_raises(text):
    spaced_blocks(text)
    looks_spaced(text)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=len(TWO_PAGES)), st.integers(min_value=0, max_value=len(TWO_PAGES)))
def test_cut_text_never_raises(a, b):
    spaced_blocks(TWO_PAGES[min(a, b):max(a, b)])
    spaced_blocks(STACKED[: a % (len(STACKED) + 1)])


@pytest.mark.engine
@pytest.mark.pdf
def test_import_report_of_the_seed_as_pdftotext_text(seed_text, tmp_path):
    """End to end through the importer: the seed's pdftotext text gives every cell, none wrong
    (section 三's header squeezed out of line by pdftotext is matched to the numbers by order)."""
    from gaixl.importers import import_report
    from gaixl.report.data import load_data_file
    from gaixl.spec.load import load_layout

    want = load_data_file(SEED_SOURCE)
    layout = load_layout(want.layout)
    src = tmp_path / "seed-pdftotext.txt"
    src.write_text(seed_text, encoding="utf-8")
    r = import_report(src, year=want.year)
    assert r.format == want.layout and r.source_format == "spaced"
    wrong, missing = [], []
    for ref in layout.cell_keys:
        a, b = want.value(layout, ref), r.data.value(layout, ref)
        if b is None:
            if a is not None:
                missing.append(ref)
        elif a is None or abs(float(a) - float(b)) > 1e-9:
            wrong.append((ref, a, b))
    assert not wrong
    # every cell placed: section 三's squeezed header is matched to its numbers by order
    assert not missing and not r.not_placed
