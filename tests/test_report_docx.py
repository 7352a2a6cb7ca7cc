"""`gaixl report … --out x.docx`: the Word document read back with python-docx — content in official
order, every table cell and merged area as the document model, GB/T 9704 page set-up and fonts,
text kept literally, the seed's 2020 report re-created number for number."""
from __future__ import annotations

import importlib
import json
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from helpers import consistent_data
from typer.testing import CliRunner

import gaixl
from gaixl.cli import app
from gaixl.document import render
from gaixl.document.docx import TEXT_WIDTH, render_docx, split_level2
from gaixl.document.model import build_document
from gaixl.errors import UsageError
from gaixl.report.data import dump_data, load_data_file
from gaixl.spec.load import load_layout
from gaixl.workbook.fill import fill_workbook
from gaixl.workbook.template import generate_workbook

ROOT = Path(__file__).resolve().parents[1]
SEED_FILE = ROOT / "workbook" / "sources" / "331122-01-jinyun-hrss-2020.json"
HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
runner = CliRunner()


def year_of(lid: str) -> int:
    return {"2019": 2020, "2021": 2023}[lid]


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "seed.docx"
    path, findings = render(SEED_FILE, out)
    # the seed as published: 行政强制 上一年0 减3, a warning (warnings never block)
    assert path == out and [(f.code, f.severity) for f in findings] == [("t2-items-negative", "warning")]
    return out


@pytest.fixture(scope="module", params=["2019", "2021"])
def case(request, tmp_path_factory):
    """(layout, data, Document model, python-docx Document) for random consistent data of each format."""
    lid = request.param
    layout = load_layout(lid)
    data = consistent_data(layout, year_of(lid), seed=11, code="X-1", name="某县测试局")
    out = tmp_path_factory.mktemp(f"r{lid}") / "r.docx"
    render(data, out)
    return layout, data, build_document(data, layout), docx.Document(str(out))


# ---------------------------------------------------------------- content and order
def blocks(d) -> list[tuple[str, str]]:
    """The body in order: ("p", style name) / ("t", "") — empty spacer paragraphs left out."""
    out = []
    for item in d.iter_inner_content():
        if isinstance(item, docx.table.Table):
            out.append(("t", ""))
        elif item.text:
            out.append(("p", item.style.name))
    return out


def test_content_in_official_order(case):
    layout, data, model, d = case
    paras = [p for p in d.paragraphs if p.text]
    assert paras[0].style.name == "Title"
    assert paras[0].text == f"某县测试局{data.year}年政府信息公开工作年度报告" == model.title
    assert paras[1].text == model.preamble[0] and paras[1].text.startswith("本报告根据《中华人民共和国政府信息公开条例》")
    assert [p.text for p in d.paragraphs if p.style.name == "Heading 1"] == HEADINGS
    n2 = len(model.sections[1].tables)
    assert n2 == (5 if layout.id == "2019" else 4)
    kinds = blocks(d)
    expect = [("p", "Title"), ("p", "Normal"), ("p", "Heading 1"), ("p", "Normal"), ("p", "Normal"),
              ("p", "Heading 1"), *[("t", "")] * n2, ("p", "Heading 1"), ("t", ""), ("p", "Heading 1"), ("t", ""),
              ("p", "Heading 1"), ("p", "Normal"), ("p", "Normal"), ("p", "Heading 1"), ("p", "Normal"),
              ("p", "Normal"), ("p", "Normal"), ("p", "Normal")]
    assert kinds == expect
    # narrative of 一, 五, 六 as given; the signature last: unit, then date, right-aligned
    texts = [p.text for p in d.paragraphs if p.text]
    assert texts[-2:] == ["某县测试局", f"{data.year + 1}年1月20日"]
    for p in [p for p in d.paragraphs if p.text][-2:]:
        assert p.paragraph_format.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    for heading in ("一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        i = texts.index(heading)
        assert texts[i + 1:i + 3] == data.text[heading]


@pytest.mark.slow
def test_every_table_cell_equals_the_model(case):
    _layout, _data, model, d = case
    tables = [tb for s in model.sections for tb in s.tables]
    assert len(d.tables) == len(tables)
    for tb, t in zip(tables, d.tables):
        assert len(t.rows) == tb.n_rows and len(t.columns) == tb.n_cols, tb.key
        for c in tb.cells:
            top = t.cell(c.row, c.col)
            assert top.text == c.text, (tb.key, c)
            # the merged area, exactly: every position it covers is the same cell, and no more
            tc = top._tc
            assert (tc.top, tc.bottom, tc.left, tc.right) == (c.row, c.row + c.rowspan, c.col, c.col + c.colspan), \
                (tb.key, c)
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    assert t.cell(r, k)._tc is tc and t.cell(r, k).text == c.text


def test_merged_header_cells_of_table_three(case):
    layout, _data, _model, d = case
    t3 = d.tables[len(d.tables) - 2]
    corner = t3.cell(0, 0)
    assert corner.text == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert (corner._tc.bottom, corner._tc.right) == (3, 3)          # 3 columns × 3 rows
    assert t3.cell(2, 2)._tc is corner._tc
    applicant = t3.cell(0, 3)
    assert applicant.text == "申请人情况" and applicant._tc.right - applicant._tc.left == 7
    assert t3.cell(1, 3).text == "自然人" and t3.cell(1, 3)._tc.bottom == 3
    assert t3.cell(1, 4).text == "法人或其他组织" and t3.cell(1, 4)._tc.right - t3.cell(1, 4)._tc.left == 5
    assert [t3.cell(2, k).text for k in range(3, 10)] == ["自然人", "商业企业", "科研机构", "社会公益组织",
                                                          "法律服务机构", "其他", "总计"]
    results = t3.cell(5, 0)
    assert results.text == "三、本年度办理结果"
    assert results._tc.bottom - results._tc.top == (20 if layout.id == "2019" else 22)
    t4 = d.tables[-1]
    assert t4.cell(0, 0).text == "行政复议" and t4.cell(0, 0)._tc.right == 5
    assert t4.cell(0, 5).text == "行政诉讼" and t4.cell(0, 5)._tc.right == 15
    assert t4.cell(1, 0).text == "结果维持" and t4.cell(1, 0)._tc.bottom == 3


def test_header_rows_repeat_and_tables_fit_the_page(case):
    _layout, _data, model, d = case
    tables = [tb for s in model.sections for tb in s.tables]
    for tb, t in zip(tables, d.tables):
        marked = [r._tr.trPr is not None and r._tr.trPr.find(qn("w:tblHeader")) is not None for r in t.rows]
        assert marked == [i < tb.header_rows for i in range(tb.n_rows)], tb.key
        grid = [int(g.get(qn("w:w"))) for g in t._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(grid) == TEXT_WIDTH == round(156 / 25.4 * 1440)          # 156 mm: the text block
        assert t._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    assert tables[1].header_rows == 2                                         # caption + header
    assert [tb.header_rows for tb in tables[-2:]] == [3, 3]


# ---------------------------------------------------------------- page and fonts
def rfonts(el) -> dict:
    rpr = el.find(qn("w:rPr"))
    rf = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return {} if rf is None else {k.split("}")[1]: v for k, v in rf.attrib.items()}


def test_page_setup_is_gbt_9704(seed_docx):
    d = docx.Document(str(seed_docx))
    s = d.sections[0]
    assert (s.page_width, s.page_height) == (Twips(11906), Twips(16838))      # A4 in twips
    assert abs(s.page_width - Mm(210)) < Mm(0.1) and abs(s.page_height - Mm(297)) < Mm(0.1)
    for got, mm in ((s.top_margin, 37), (s.bottom_margin, 35), (s.left_margin, 28), (s.right_margin, 26)):
        assert abs(got - Mm(mm)) <= Twips(1), (got, mm)
    assert s.orientation == docx.enum.section.WD_ORIENT.PORTRAIT


def test_style_fonts_sizes_and_spacing(seed_docx):
    d = docx.Document(str(seed_docx))
    want = {"Normal": ("仿宋_GB2312", 16), "Title": ("方正小标宋简体", 22), "Heading 1": ("黑体", 16),
            "Heading 2": ("楷体_GB2312", 16), "表格文字": ("宋体", 10.5), "Footer": ("宋体", 14)}
    for name, (east_asia, size) in want.items():
        st = d.styles[name]
        f = rfonts(st.element)
        assert f["eastAsia"] == east_asia and f["ascii"] == f["hAnsi"] == "Times New Roman", (name, f)
        assert "asciiTheme" not in f and "eastAsiaTheme" not in f
        assert st.font.size == Pt(size), name
        assert not st.font.bold
    defaults = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert rfonts(defaults)["eastAsia"] == "仿宋_GB2312"
    normal = d.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == docx.enum.text.WD_LINE_SPACING.EXACTLY
    assert Pt(28) <= normal.line_spacing <= Pt(29)
    assert normal.first_line_indent == Pt(32)                                   # two characters of 16 pt
    assert d.styles["Normal"].element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    title = d.styles["Title"].paragraph_format
    assert title.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER and not title.first_line_indent
    for h, level in (("Heading 1", "0"), ("Heading 2", "1")):
        assert d.styles[h].element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == level


def test_every_run_names_its_fonts(seed_docx):
    d = docx.Document(str(seed_docx))
    body = d.element.body
    runs = list(body.iter(qn("w:r")))
    assert len(runs) > 300
    for r in runs:
        f = rfonts(r)
        assert f.get("ascii") == f.get("hAnsi") == "Times New Roman" and f.get("eastAsia"), f
    by_style = {}
    for p in d.paragraphs:
        for r in p.runs:
            by_style.setdefault(p.style.name, set()).add(rfonts(r._r)["eastAsia"])
    assert by_style["Title"] == {"方正小标宋简体"} and by_style["Heading 1"] == {"黑体"}
    assert by_style["Normal"] == {"仿宋_GB2312"} and by_style["Heading 2"] == {"楷体_GB2312", "仿宋_GB2312"}
    cell_fonts = {rfonts(r)["eastAsia"] for t in d.tables for r in t._tbl.iter(qn("w:r"))}
    assert cell_fonts == {"宋体"}


def test_level_two_headings_are_detected_and_styled(seed_docx):
    d = docx.Document(str(seed_docx))
    p = next(p for p in d.paragraphs if p.text.startswith("（一）高度重视"))
    assert p.style.name == "Heading 2"
    assert p.runs[0].text == "（一）高度重视。" and rfonts(p.runs[0]._r)["eastAsia"] == "楷体_GB2312"
    assert rfonts(p.runs[1]._r)["eastAsia"] == "仿宋_GB2312"
    p = next(p for p in d.paragraphs if p.text.startswith("（一）存在问题"))
    assert p.runs[0].text == "（一）存在问题："
    assert split_level2("（一）主动公开") == ("（一）主动公开", "")
    assert split_level2("（四）2020年，我局通过政府门户网站、微信公众号等各类新媒体主动公开637条政府信息，其中")[0] == "（四）"
    assert split_level2("2020年，我局按照县委") is None and split_level2("一是（一）") is None


def test_page_number_field_in_the_footers(seed_docx):
    d = docx.Document(str(seed_docx))
    s = d.sections[0]
    assert d.settings.odd_and_even_pages_header_footer
    for footer, align in ((s.footer, "RIGHT"), (s.even_page_footer, "LEFT")):
        assert not footer.is_linked_to_previous
        p = footer.paragraphs[0]
        instr = "".join(el.text for el in p._p.iter(qn("w:instrText")))
        assert instr.strip() == "PAGE"
        assert [el.get(qn("w:fldCharType")) for el in p._p.iter(qn("w:fldChar"))] == ["begin", "separate", "end"]
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.paragraph_format.alignment == getattr(docx.enum.text.WD_ALIGN_PARAGRAPH, align)
        for r in p.runs:
            assert rfonts(r._r)["eastAsia"] == "宋体" and r.font.size == Pt(14)


# ---------------------------------------------------------------- the seed's report, number for number
def _num(v, column: str) -> str:
    if column == "本年增/减":
        return f"增{v}" if v > 0 else f"减{-v}" if v < 0 else "0"
    return str(v)


def _find(table, row_label: str, column: str) -> str:
    """The text at the row whose label is row_label and the column headed `column` (二 tables)."""
    header = [c.text for c in table.rows[1].cells]
    for row in table.rows[2:]:
        if row.cells[0].text == row_label:
            return row.cells[header.index(column)].text
    raise KeyError(row_label)


@pytest.mark.slow
def test_the_seed_report_recreated(seed_docx):
    data = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    d = docx.Document(str(seed_docx))
    assert d.paragraphs[0].text == "缙云县人力资源和社会保障局2020年政府信息公开工作年度报告"
    two = d.tables[:5]
    assert [t.cell(0, 0).text for t in two] == [f"第二十条第（{n}）项" for n in "一五六八九"]
    # every number of 二 at its row label and column header
    for label, row in data["tables"]["二"].items():
        t = next(t for t in two if label in [r.cells[0].text for r in t.rows])
        for column, v in row.items():
            assert _find(t, label, column) == _num(v, column), (label, column)
    assert _find(two[1], "其他对外管理服务事项", "处理决定数量") == "245848"
    assert _find(two[1], "行政许可", "本年增/减") == "减5"
    assert _find(two[4], "政府集中采购", "采购总金额") == "532934.41"
    # 三: a row is found by its label path (三、 + （三） + 1.属于国家秘密), a column by its header
    t3 = d.tables[5]
    columns = [t3.cell(2, k).text for k in range(3, 10)]
    keys = {}
    for r in range(3, len(t3.rows)):
        labels = []
        for k in range(3):
            text = t3.cell(r, k).text
            if not labels or labels[-1] != text:
                labels.append(text)
        key = labels[0] if len(labels) == 1 else \
            labels[0].split("、")[0] + "、" + "".join(x[:3] for x in labels[1:-1]) + labels[-1]
        keys[key] = r
    for label, row in data["tables"]["三"].items():
        r = next(r for key, r in keys.items() if key.startswith(label))
        for column, v in row.items():
            assert t3.cell(r, 3 + columns.index(column)).text == _num(v, column), (label, column)
    assert t3.cell(keys["一、本年新收政府信息公开申请数量"], 9).text == "3"
    # 四: group header + leaf header
    t4 = d.tables[6]
    for k in range(15):
        path = []
        for r in range(3):
            if not path or path[-1] != t4.cell(r, k).text:
                path.append(t4.cell(r, k).text)
        group, column = path[-2], path[-1]
        assert t4.cell(3, k).text == _num(data["tables"]["四"][group][column], column)
    # narrative as given, signature as given
    texts = [p.text for p in d.paragraphs]
    for heading in ("一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        i = texts.index(heading)
        assert texts[i + 1:i + 1 + len(data["text"][heading])] == data["text"][heading]
    assert [t for t in texts if t][-2:] == ["缙云县人力资源和社会保障局", "2021年1月11日"]


def test_zero_and_signed_and_amounts(tmp_path):
    layout = load_layout("2019")
    data = consistent_data(layout, 2020, seed=2)
    data.tables["二"]["行政许可"]["本年增/减"] = 5
    data.tables["二"]["行政强制"]["本年增/减"] = 0
    data.tables["二"]["行政处罚"]["本年增/减"] = -7
    data.tables["二"]["政府集中采购"]["采购总金额"] = 1234.5
    data.tables["二"]["规章"]["本年新制作数量"] = None                  # blank prints 0
    render(data, tmp_path / "r.docx")
    d = docx.Document(str(tmp_path / "r.docx"))
    assert _find(d.tables[1], "行政许可", "本年增/减") == "增5"
    assert _find(d.tables[2], "行政强制", "本年增/减") == "0"
    assert _find(d.tables[2], "行政处罚", "本年增/减") == "减7"
    assert _find(d.tables[4], "政府集中采购", "采购总金额") == "1234.5"
    assert _find(d.tables[0], "规章", "本年新制作数量") == "0"


# ---------------------------------------------------------------- text is data
def test_narrative_text_is_kept_literally(tmp_path):
    layout = load_layout("2021")
    data = consistent_data(layout, 2022, seed=5)
    odd = ["=SUM(A1:A2) 开头是等号", "<b>粗体</b> & &amp; \"引号\" 'x' ]]> <!-- 注释 -->",
           "表情😀与生僻字𠀀𪚥，全角（一）不在开头", "控\x00制\x01字\x0b符\x1f被\ufffe删除", "\t制表符在前"]
    data.text["一、总体情况"] = odd
    data.signature["unit"] = "某局<&>"
    render(data, tmp_path / "r.docx")
    d = docx.Document(str(tmp_path / "r.docx"))
    texts = [p.text for p in d.paragraphs]
    i = texts.index("一、总体情况")
    assert texts[i + 1:i + 6] == ["=SUM(A1:A2) 开头是等号", "<b>粗体</b> & &amp; \"引号\" 'x' ]]> <!-- 注释 -->",
                                  "表情😀与生僻字𠀀𪚥，全角（一）不在开头", "控制字符被删除", "\t制表符在前"]
    assert "某局<&>" in texts
    assert d.paragraphs[0].text == "测试县测试局2022年政府信息公开工作年度报告"


def test_a_line_break_in_a_paragraph_starts_a_new_one(tmp_path):
    layout = load_layout("2021")
    data = consistent_data(layout, 2022, seed=5)
    data.text["五、存在的主要问题及改进情况"] = ["（一）存在问题。第一行\n（二）改进措施：第二行\r\n\n第三行"]
    render(data, tmp_path / "r.docx")
    d = docx.Document(str(tmp_path / "r.docx"))
    texts = [p.text for p in d.paragraphs]
    i = texts.index("五、存在的主要问题及改进情况")
    assert texts[i + 1:i + 4] == ["（一）存在问题。第一行", "（二）改进措施：第二行", "第三行"]
    assert [p.style.name for p in d.paragraphs[i + 1:i + 4]] == ["Heading 2", "Heading 2", "Normal"]


def test_empty_sections_warn_and_six_says_none(tmp_path):
    layout = load_layout("2021")
    data = consistent_data(layout, 2022, seed=5)
    data.text = {}
    with pytest.raises(gaixl.ReportRejected):          # 一 and 五 are required: no report …
        render(data, tmp_path / "r.docx")
    assert not (tmp_path / "r.docx").exists()
    _path, findings = render(data, tmp_path / "r.docx", draft=True)     # … but a draft
    assert [(f.code, f.severity) for f in findings] == [("text-empty", "error")] * 2 + [("text-empty", "warning")]
    assert {f.row for f in findings} == {"一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"}
    texts = [p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs if p.text]
    i = texts.index("六、其他需要报告的事项")
    assert texts[i + 1] == "无。"
    assert texts[texts.index("一、总体情况") + 1] == "二、主动公开政府信息情况"       # 一 stays, empty
    header = docx.Document(str(tmp_path / "r.docx")).sections[0].header
    assert [p.text for p in header.paragraphs] == ["草稿（未通过校验）"]


# ---------------------------------------------------------------- API and files
def test_api_sources_and_atomic_output(tmp_path):
    assert callable(gaixl.render) and gaixl.render.__module__ == "gaixl.api"          # the front door's
    importlib.import_module("gaixl.document.docx")     # importing the package later must not shadow the function
    importlib.import_module("gaixl.document")
    assert callable(gaixl.render)
    out = tmp_path / "sub" / "r.docx"
    out.parent.mkdir()
    out.write_bytes(b"old")
    path, _ = gaixl.render(load_data_file(SEED_FILE), out)
    assert path == out and zipfile.is_zipfile(out)
    assert [p.name for p in out.parent.iterdir()] == ["r.docx"]             # no .part left behind
    with pytest.raises(UsageError) as ei:
        gaixl.render(SEED_FILE, tmp_path / "r.txt")
    assert ei.value.message_zh and ".docx" in ei.value.message_zh
    assert not (tmp_path / "r.txt").exists()
    with pytest.raises(UsageError):
        gaixl.render(SEED_FILE, tmp_path / "r.docx", layout="2021")          # the data are 2019-format
    path, _ = gaixl.render(str(SEED_FILE), tmp_path / "R.DOCX", layout=load_layout("2019"))
    assert zipfile.is_zipfile(path)


def test_render_docx_needs_only_the_model(tmp_path):
    data = load_data_file(SEED_FILE)
    model = build_document(data)
    out = render_docx(model, tmp_path / "m.docx")
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert names[0] == "[Content_Types].xml"
        assert "word/stylesWithEffects.xml" not in names and "docProps/thumbnail.jpeg" not in names
        core = z.read("docProps/core.xml").decode("utf-8")
    assert "<dc:title>缙云县人力资源和社会保障局2020年政府信息公开工作年度报告</dc:title>" in core
    assert docx.Document(str(out)).core_properties.title == model.title


# ---------------------------------------------------------------- the command
@pytest.fixture(scope="module")
def filled_xlsx(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("filled")
    layout = load_layout("2019")
    tpl = generate_workbook(layout, 2020, "331122-09", "缙云县测试局", tmp / "tpl.xlsx")
    data = consistent_data(layout, 2020, seed=8, code="331122-09", name="缙云县测试局")
    data.text["六、其他需要报告的事项"] = []
    return fill_workbook(tpl, data, tmp / "已填报.xlsx")


def test_cli_report_docx(filled_xlsx, tmp_path):
    out = tmp_path / "报告.docx"
    r = runner.invoke(app, ["report", str(filled_xlsx), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert f"已生成报告 {out}" in r.stdout
    assert "text-empty" in r.stdout and "六、其他需要报告的事项" in r.stdout
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "缙云县测试局2020年政府信息公开工作年度报告"
    assert [p.text for p in d.paragraphs if p.style.name == "Heading 1"] == HEADINGS
    r = runner.invoke(app, ["report", str(filled_xlsx), "--out", str(out), "--json", "--lang", "en"])
    assert r.exit_code == 0, r.output
    payload = json.loads(r.stdout)
    assert payload["out"] == str(out) and payload["format"] == "docx"
    assert [f["code"] for f in payload["findings"]] == ["text-empty"]
    assert payload["findings"][0]["message"].startswith("section “六、其他需要报告的事项” is empty")


def test_cli_report_from_a_data_file(tmp_path):
    layout = load_layout("2021")
    p = tmp_path / "d.json"
    p.write_text(dump_data(consistent_data(layout, 2024, seed=3, name="某局")), encoding="utf-8")
    r = runner.invoke(app, ["report", str(p), "--out", str(tmp_path / "r.docx"), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert f"Wrote the report {tmp_path / 'r.docx'}" in r.stdout


def test_cli_report_errors_exit_2(tmp_path, filled_xlsx):
    r = runner.invoke(app, ["report", str(filled_xlsx), "--out", str(tmp_path / "r.odt")])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert f"错误：{tmp_path / 'r.odt'}: 无法输出为“.odt”格式的报告" in r.output
    assert len(r.output.strip().splitlines()) == 1
    bad = tmp_path / "坏文件.xlsx"
    bad.write_text("<html>not a workbook</html>", encoding="utf-8")
    r = runner.invoke(app, ["report", str(bad), "--out", str(tmp_path / "r.docx"), "--lang", "en"])
    assert r.exit_code == 2 and r.output.startswith(f"Error: {bad}: ") and "Traceback" not in r.output
    assert not (tmp_path / "r.docx").exists()
    r = runner.invoke(app, ["report", str(tmp_path / "missing.json"), "--out", str(tmp_path / "r.docx")])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert runner.invoke(app, ["report", str(filled_xlsx)]).exit_code == 2          # --out is required
    (tmp_path / "folder.docx").mkdir()                                            # cannot be written
    r = runner.invoke(app, ["report", str(filled_xlsx), "--out", str(tmp_path / "folder.docx")])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.output == f"错误：{tmp_path / 'folder.docx'}: 无法写入输出文件：这是文件夹，不是文件\n", r.output
