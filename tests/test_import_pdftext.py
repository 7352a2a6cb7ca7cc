"""`pdftotext -layout` text of real-looking government PDFs, imported whole, cell for cell.

Two kinds of test text: (1) the 三 table written the way such text comes out of reports made with
Word/WPS — header over six lines with split words, the group label one character per line in the
margin between data rows, split sub-group labels, wrapped labels with their numbers on the middle
line, a page footer and a page break inside the table (with a label split across it), varying
runs of spaces, left- and right-aligned numbers; (2) reports rendered by LibreOffice Writer
(HTML tables with merged row headers and narrow columns, crossing pages), printed to PDF and put
through `pdftotext -layout`. Never a wrong cell; every cell the text shows is placed.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest
from needs import require
from textdamage import compare

from gaixl.importers import import_report
from gaixl.spec.load import load_layout

L21 = load_layout("2021")

# (label lines before the numbers, label on the numbers' line, label lines after, values)
NUMS = {
    "new": [447, 7, 0, 0, 1, 0, 455], "carried_in": [3, 0, 0, 0, 0, 0, 3],
    "granted": [210, 3, 0, 0, 0, 0, 213], "partial": [447, 7, 0, 0, 0, 0, 454],
    "denied_1": [0] * 7, "denied_2": [0] * 7, "denied_3": [1, 0, 0, 0, 0, 0, 1], "denied_4": [2, 0, 0, 0, 0, 0, 2],
    "denied_5": [0] * 7, "denied_6": [4, 0, 0, 0, 0, 0, 4], "denied_7": [0] * 7, "denied_8": [0] * 7,
    "unable_1": [35, 1, 0, 0, 1, 0, 37], "unable_2": [0] * 7, "unable_3": [0] * 7,
    "noproc_1": [0] * 7, "noproc_2": [0] * 7, "noproc_3": [0] * 7, "noproc_4": [0] * 7, "noproc_5": [0] * 7,
    "other_1": [0] * 7, "other_2": [0] * 7, "other_3": [0] * 7,
    "results_total": [699, 11, 0, 0, 1, 0, 711], "carried_out": [0] * 7,
}


def _nums(key, right=True):
    v = NUMS[key]
    if right:
        return "".join(f"{x:>6}" for x in v[:-1]) + f"{v[-1]:>8}"
    return "".join(f"{x:<6}" for x in v)


PAGE_TEXT = f"""某区人民政府办公室2022年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
                                               申请人情况
（本列数据的勾稽关系为：                        法人或其他组织
第一项加第二项之和，等于              自然人   商业企   科研机   社会公益   法律服务   其他    总计
第三项加第四项之和）                           业       构       组织       机构
一、本年新收政府信息公开申请数量       {_nums("new")}
二、上年结转政府信息公开申请数量       {_nums("carried_in")}
三、   （一）予以公开                  {_nums("granted")}
       （二）部分公开（区分处理的，只计这一情
本                                     {_nums("partial")}
       形，不计其他情形）
年     （三）不    1.属于国家秘密       {_nums("denied_1")}
       予公开      2.其他法律行政法规禁止公开  {_nums("denied_2")}
度                 3.危及“三安全一稳定”      {_nums("denied_3")}
                   4.保护第三方合法权益    {_nums("denied_4")}
办                 5.属于三类内部事务信息  {_nums("denied_5", right=False)}
                   6.属于四类过程性信息    {_nums("denied_6", right=False)}
理                 7.属于行政执法案卷      {_nums("denied_7")}
                                                 -4-
\f                                               申请人情况
（本列数据的勾稽关系为：                        法人或其他组织
第一项加第二项之和，等于              自然人   商业企   科研机   社会公益   法律服务   其他    总计
第三项加第四项之和）                           业       构       组织       机构
结                 8.属于行政查询事项      {_nums("denied_8")}
       （四）无    1.本机关不掌握相关政府信息   {_nums("unable_1")}
果     法提供      2.没有现成信息需要另行制作   {_nums("unable_2")}
                   3.补正后申请内容仍不明确     {_nums("unable_3")}
       （五）不    1.信访举报投诉类申请    {_nums("noproc_1")}
       予处理      2.重复申请              {_nums("noproc_2")}
                   3.要求提供公开出版物    {_nums("noproc_3")}
                   4.无正当理由大量反复申请  {_nums("noproc_4")}
                   5.要求行政机关确认或重新出具已获取信息 {_nums("noproc_5")}
       （六）其    1.申请人无正当理由逾期不补正、行政机关不再
       他处理      处理其政府信息公开申请   {_nums("other_1")}
                   2.申请人逾期未按收费通知要求缴纳费用、行政
                                          {_nums("other_2")}
                   机关不再处理其政府信息公开申请
                   3.其他                  {_nums("other_3")}
       （七）总计                          {_nums("results_total")}
四、结转下年度继续办理                     {_nums("carried_out")}
四、政府信息公开行政复议、行政诉讼情况
                     行政复议                                          行政诉讼
                                                       未经复议直接起诉                复议后起诉
结果   结果   其他   尚未   总计   结果   结果   其他   尚未   总计   结果   结果   其他   尚未   总计
维持   纠正   结果   审结          维持   纠正   结果   审结          维持   纠正   结果   审结
 1      0      0      0      1      0      0      0      1      1      0      0      0      0      0
五、存在的主要问题及改进情况
无。
                                                 -5-
"""


def _check(res, nums=NUMS):
    t3 = L21.tables["t3"]
    wrong, placed, missing = [], 0, []
    for r in t3.data_rows:
        for c, want in zip(t3.data_columns, nums[r.key]):
            rk, ck = t3.data_key(r, c)
            got = res.data.tables["三"][rk][ck]
            if got is None:
                missing.append((rk, ck))
            elif want is None or got != want:
                wrong.append((rk, ck, got, want))
            else:
                placed += 1
    return wrong, placed, missing


def test_word_made_report_text_imports_whole(tmp_path):
    src = tmp_path / "r.txt"
    src.write_text(PAGE_TEXT, encoding="utf-8")
    res = import_report(src, year=2022)
    assert res.source_format == "spaced"
    wrong, placed, missing = _check(res)
    assert wrong == [] and missing == [] and placed == 25 * 7
    t4 = res.data.tables["四"]
    assert t4["行政复议"]["总计"] == 1 and t4["未经复议直接起诉"]["总计"] == 1 and t4["复议后起诉"]["总计"] == 0
    assert not [u for u in res.not_placed if u["table"] in ("三", "四")], res.not_placed


def test_a_row_with_blank_cells_is_unknown_not_blank(tmp_path):
    """A row whose blank cells do not show: its numbers cannot be put in columns; the other rows still can."""
    text = PAGE_TEXT.replace(_nums("denied_3"), "     1                                       1")
    src = tmp_path / "r.txt"
    src.write_text(text, encoding="utf-8")
    res = import_report(src, year=2022)
    nums = dict(NUMS)
    nums["denied_3"] = [None] * 7
    wrong, placed, missing = _check(res, nums)
    assert wrong == [] and placed == 24 * 7
    row = res.data.tables["三"]["三、（三）3.危及“三安全一稳定”"]
    assert all(v is None for v in row.values())
    said = [u for u in res.not_placed if u["row"] == "三、（三）3.危及“三安全一稳定”"]
    assert len(said) == 7
    assert not [f for f in res.findings if f.code == "import-blank" and f.row == "三、（三）3.危及“三安全一稳定”"]


def test_a_row_split_across_the_page_break(tmp_path):
    """The label's first half at the foot of one page, the rest and the numbers under the repeated
    header of the next."""
    text = PAGE_TEXT.replace(f"理                 7.属于行政执法案卷      {_nums('denied_7')}\n",
                             "理                 7.属于行政执法\n")
    text = text.replace("第三项加第四项之和）                           业       构       组织       机构\n结",
                        "第三项加第四项之和）                           业       构       组织       机构\n"
                        f"                   案卷                    {_nums('denied_7')}\n结")
    assert text.count("7.属于行政执法\n") == 1 and "\f" in text
    src = tmp_path / "r.txt"
    src.write_text(text, encoding="utf-8")
    wrong, placed, missing = _check(import_report(src, year=2022))
    assert wrong == [] and missing == [] and placed == 25 * 7


def test_a_row_blank_throughout_leaves_the_others_in_order(tmp_path):
    """A row with every cell left blank prints no number: the other rows still fall in place
    (one assignment fits their labels and totals), the blank row is unknown."""
    text = PAGE_TEXT.replace(f"2.其他法律行政法规禁止公开  {_nums('denied_2')}", "2.其他法律行政法规禁止公开")
    src = tmp_path / "r.txt"
    src.write_text(text, encoding="utf-8")
    res = import_report(src, year=2022)
    nums = dict(NUMS)
    nums["denied_2"] = [None] * 7
    wrong, placed, missing = _check(res, nums)
    assert wrong == [] and placed == 24 * 7 and len(missing) == 7


def test_a_missing_row_places_nothing_by_order(tmp_path):
    """One row's numbers lost: the lines no longer match the rows one for one, so order proves nothing."""
    lines = [ln for ln in PAGE_TEXT.split("\n") if "4.保护第三方合法权益" not in ln]
    src = tmp_path / "r.txt"
    src.write_text("\n".join(lines), encoding="utf-8")
    res = import_report(src, year=2022)
    wrong, _placed, _missing = _check(res)
    assert wrong == []


def _split_row_text(first: str, rest: str) -> str:
    """PAGE_TEXT with 4.无正当理由大量反复申请 wrapped over four lines and its numbers left-aligned,
    the first number set on the label line above the others (as pdftotext does)."""
    line = f"                   4.无正当理由大量反复申请  {_nums('noproc_4')}\n"
    assert line in PAGE_TEXT
    return PAGE_TEXT.replace(line, "                   4.无正\n"
                                   f"                   当理由 {first}\n"
                                   f"                   大量反     {rest}\n"
                                   "                   复申请\n")


def test_a_row_whose_first_number_stands_on_the_line_above(tmp_path):
    """Left-aligned numbers beside a wrapped label: `当理由 3` / `大量反  0 0 0 0 0 3` is one row —
    the two lines continue each other, their label pieces are part of one row's label, and the
    row's total holds."""
    src = tmp_path / "r.txt"
    src.write_text(_split_row_text("3", "0     0     0     0     0     3"), encoding="utf-8")
    nums = dict(NUMS)
    nums["noproc_4"] = [3, 0, 0, 0, 0, 0, 3]
    wrong, placed, missing = _check(import_report(src, year=2022), nums)
    assert wrong == [] and missing == [] and placed == 25 * 7


def test_two_lines_whose_numbers_do_not_add_up_are_not_joined(tmp_path):
    """The same two lines with a total that does not hold: not one row by arithmetic — that row is
    not placed; the rows that prove themselves by their own label still are, none wrong."""
    src = tmp_path / "r.txt"
    src.write_text(_split_row_text("3", "0     0     0     0     0     4"), encoding="utf-8")
    res = import_report(src, year=2022)
    nums = dict(NUMS)
    nums["noproc_4"] = [None] * 7
    wrong, placed, missing = _check(res, nums)
    assert wrong == []
    assert ("三、（五）4.无正当理由大量反复申请", "自然人") in missing
    assert placed >= 20 * 7, placed


# ----------------------------------------------------------------------------- rendered by Writer

def _writer_text(tmp_path, layout_id, year, seed, label_px=30, value_px=44):
    """A report as HTML with merged row headers in narrow columns, printed to PDF by LibreOffice
    Writer, put through pdftotext -layout."""
    from pdfmaker import Style, published_report

    soffice = require(shutil.which("soffice"), "LibreOffice (soffice)")
    pdftotext = require(shutil.which("pdftotext"), "pdftotext (poppler)")
    want, html = published_report(layout_id, year, Style(borders=True, narrow=True), seed)
    html = (html.replace('<col class="lab">', f'<col width="{label_px}">')
            .replace('<col class="val">', f'<col width="{value_px}">'))
    src = tmp_path / "r.html"
    src.write_text(html, encoding="utf-8")
    subprocess.run([soffice, "--headless", "--infilter=HTML (StarWriter)", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=240)
    txt = tmp_path / "r.txt"
    subprocess.run([pdftotext, "-layout", str(tmp_path / "r.pdf"), str(txt)], check=True, timeout=120)
    return want, txt


@pytest.mark.engine
@pytest.mark.pdf
@pytest.mark.parametrize("layout_id, year", [("2019", 2020), ("2021", 2022)])
def test_writer_rendered_report_every_cell(tmp_path, layout_id, year):
    layout = load_layout(layout_id)
    want, txt = _writer_text(tmp_path, layout_id, year, seed=1)
    text = txt.read_text(encoding="utf-8")
    assert "\f" in text                                 # the report crosses pages…
    assert any(len(ln.strip()) == 1 for ln in text.splitlines())   # …with one-character label lines
    res = import_report(txt, year=year)
    assert res.source_format == "spaced"
    placed, wrong = compare(layout, want, res.data)
    assert wrong == []
    assert placed == len(layout.cell_keys)          # measured: 198/198 (2019), 200/200 (2021); before: 14–66


def test_an_empty_position_in_a_grid_rebuilt_from_positions_is_unknown(tmp_path):
    from test_import_spaced import PDFTOTEXT_LIKE  # 规章: 3, a blank, 12 by position

    text = PDFTOTEXT_LIKE + "\n\n\n三、收到和处理政府信息公开申请情况\n"
    src = tmp_path / "r.txt"
    src.write_text(text, encoding="utf-8")
    res = import_report(src, year=2022)
    row = res.data.tables["二"]["规章"]
    assert (row["本年制发件数"], row["本年废止件数"], row["现行有效件数"]) == (3, None, 12)
    said = [u for u in res.not_placed if (u["row"], u["column"]) == ("规章", "本年废止件数")]
    assert said and "位置" in said[0]["reason"]
    assert not [f for f in res.findings if f.code == "import-blank" and f.row == "规章"]


@pytest.mark.engine
@pytest.mark.pdf
def test_writer_text_with_lines_lost_or_doubled_never_a_wrong_number(tmp_path):
    """A copy that lost or doubled a line (a label piece, a row of numbers, a header line): the
    order no longer proves anything where it changed, and no number lands in a wrong cell."""
    import random

    want, txt = _writer_text(tmp_path, "2021", 2022, seed=1)
    lines = txt.read_text(encoding="utf-8").split("\n")
    rnd = random.Random(5)
    wrong, placed = [], 0
    for i in range(12):
        ls = list(lines)
        for _ in range(rnd.randint(1, 2)):
            k = rnd.randrange(len(ls))
            if rnd.random() < 0.7:
                del ls[k]
            else:
                ls.insert(k, ls[k])
        src = tmp_path / f"cut{i}.txt"
        src.write_text("\n".join(ls), encoding="utf-8")
        res = import_report(src, year=2022)
        for ref in L21.cell_keys:
            a, b = want.value(L21, ref), res.data.value(L21, ref)
            if b is None:
                continue
            placed += 1
            if a is None or abs(float(a) - float(b)) > 1e-9:
                wrong.append((i, ref, a, b))
    assert wrong == [] and placed > 12 * 150          # most of each copy still placed


# ----------------------------------------------------------------------------- damaged copies

@pytest.fixture(scope="module")
def chromium_texts(tmp_path_factory):
    """Borderless reports printed by Chromium, through pdftotext -layout: per format, numbers
    right-aligned (busy data) and left-aligned with the 三 table broken over a page (mostly zeros)."""
    from pdfmaker import Style, chromium_pdf, pdftotext_layout, published_report

    out = {}
    tmp = tmp_path_factory.mktemp("damaged")
    for layout_id, year in (("2019", 2020), ("2021", 2022)):
        for name, style, sparse in (("right", Style(borders=False), False),
                                    ("left", Style(borders=False, align="left", push=100, repeat_header=False), True)):
            want, html = published_report(layout_id, year, style, seed=3, sparse=sparse)
            text = pdftotext_layout(chromium_pdf(html, tmp / f"{layout_id}-{name}.pdf"))
            out[(layout_id, name)] = (want, text)
    return out


@pytest.mark.browser
@pytest.mark.pdf
@pytest.mark.parametrize("layout_id, year", [("2019", 2020), ("2021", 2022)])
def test_damaged_copies_never_a_wrong_cell(chromium_texts, tmp_path, layout_id, year):
    """60 damaged copies per format (a whole data line lost in two of three, one to three lines
    lost or doubled in the third; right- and left-aligned numbers in turn): not one cell wrong,
    and what the damage did not touch still placed (measured: 0 wrong, 96.6 % (2019) and 96.2 % (2021)
    of the cells placed; before rowseq read a row by its own label when the lines do not all fit: 86 %)."""
    import random

    from textdamage import damaged

    layout = load_layout(layout_id)
    wrong, placed, total = [], 0, 0
    for seed in range(60):
        want, text = chromium_texts[(layout_id, "right" if seed % 2 else "left")]
        mode = "lines-lost-or-doubled" if seed % 3 == 2 else "data-line-lost"
        src = tmp_path / f"copy{seed}.txt"
        src.write_text("\n".join(damaged(text.split("\n"), random.Random(seed), mode)), encoding="utf-8")
        right, bad = compare(layout, want, import_report(src, year=year).data)
        wrong += [(seed, mode, *b) for b in bad]
        placed += right
        total += len(layout.cell_keys)
    assert wrong == []
    assert placed >= 0.9 * total, (placed, total)
