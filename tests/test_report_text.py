"""render/html.py and render/markdown.py: the report as an HTML page and as Markdown.

The HTML is parsed back (lxml.html for tables, the stdlib parser for the page) and compared with the
document model cell by cell: texts, rowspan/colspan, th/td and scope, <caption>, <thead>; the seed report's
own numbers sit in their cells; no external resource. The Markdown is checked the same way on its
HTML tables and rendered with markdown-it-py (a dependency of rich) to see headings and paragraphs
come out as the model's.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import lxml.html
import pytest
from helpers import consistent_data
from markdown_it import MarkdownIt

from gaixl.document.html import html_text, render_html
from gaixl.document.markdown import markdown_text, render_markdown
from gaixl.document.model import Document, TableBlock, build_document
from gaixl.report.data import load_data_file

YEARS = {"2019": 2020, "2021": 2023}
HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
SEED = Path(__file__).resolve().parents[1] / "workbook" / "sources" / "331122-01-jinyun-hrss-2020.json"
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@pytest.fixture(scope="module")
def docs():
    from gaixl.spec.load import load_layout

    out = {}
    for lid, year in YEARS.items():
        layout = load_layout(lid)
        out[lid] = build_document(consistent_data(layout, year, seed=7), layout)
    return out


@pytest.fixture(scope="module")
def seed_doc() -> Document:
    return build_document(load_data_file(SEED))


# ---------------------------------------------------------------- reading the HTML back
class Page(HTMLParser):
    """The stdlib parser's view: tags in order, headings, paragraphs, <title>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.texts: dict[str, list[str]] = {"h1": [], "h2": [], "p": [], "title": [], "caption": []}
        self._cur: list[str] | None = None
        self._cur_tag = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in self.texts:
            self._cur, self._cur_tag = [], tag
        if tag not in ("meta", "br", "col", "link", "img", "hr", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        if tag == self._cur_tag and self._cur is not None:
            self.texts[tag].append("".join(self._cur))
            self._cur = self._cur_tag = None

    def handle_data(self, data):
        if self._cur is not None:
            self._cur.append(data)


def page(text: str) -> Page:
    p = Page()
    p.feed(text)
    p.close()
    return p


def model_caption_rows(t: TableBlock) -> set[int]:
    rows = {c.row for c in t.cells if c.role == "caption"}
    return {r for r in rows if all(c.role == "caption" for c in t.cells if c.row == r)}


def html_grid(table) -> dict[tuple[int, int], object]:
    """(row, col) of the top-left of every <th>/<td>, by the HTML table algorithm (rows of all row groups)."""
    taken: set[tuple[int, int]] = set()
    out = {}
    for r, tr in enumerate(table.xpath("./thead/tr|./tbody/tr|./tr")):
        c = 0
        for cell in tr.xpath("./th|./td"):
            while (r, c) in taken:
                c += 1
            rs, cs = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
            out[(r, c)] = cell
            for i in range(rs):
                for j in range(cs):
                    taken.add((r + i, c + j))
            c += cs
    return out


def check_table(t: TableBlock, table, *, heading: str, markdown: bool = False) -> None:
    """One <table> against its model, cell by cell."""
    cap_rows = model_caption_rows(t)
    captions = [c for c in t.cells if c.role == "caption"]
    cap = table.xpath("./caption")
    if captions:
        assert len(cap) == 1 and cap[0].text_content() == "".join(c.text for c in captions)
        assert "visually-hidden" not in (cap[0].get("class") or "")
    elif markdown:
        assert cap == []
    else:                                   # named after its section, for screen readers only
        assert len(cap) == 1 and cap[0].text_content() == heading and cap[0].get("class") == "visually-hidden"

    # the caption row of the model is the <caption>, not a row: later rows move up by one
    shift = sorted(cap_rows)
    def to_model(r: int) -> int:
        for s in shift:
            if r >= s:
                r += 1
        return r

    got = {(to_model(r), c): cell for (r, c), cell in html_grid(table).items()}
    want = {(c.row, c.col): c for c in t.cells if c.row not in cap_rows}
    assert sorted(got) == sorted(want), t.key
    for pos, m in want.items():
        cell = got[pos]
        where = f"{t.key} {pos} {m.text!r}"
        assert cell.text_content() == m.text, where
        assert int(cell.get("rowspan", 1)) == m.rowspan, where
        assert int(cell.get("colspan", 1)) == m.colspan, where
        assert (cell.get("rowspan") != "1") and (cell.get("colspan") != "1"), where   # no noise spans
        if m.role in ("header", "corner"):
            assert cell.tag == "th" and cell.get("scope") == ("colgroup" if m.colspan > 1 else "col"), where
        elif m.role == "label":
            assert cell.tag == "th" and cell.get("scope") == ("rowgroup" if m.rowspan > 1 else "row"), where
        elif m.role == "value":
            assert cell.tag == "td" and m.text != "", where
            if markdown:
                assert cell.get("align") == "right", where
            else:
                assert "num" in cell.get("class", "").split(), where
        else:
            assert cell.tag == "td" and m.text == "" and cell.text_content() == "", where
    # <thead> holds exactly the header rows (caption excluded), each label/value row is in a <tbody>
    head = table.xpath("./thead/tr")
    assert len(head) == t.header_rows - len([r for r in cap_rows if r < t.header_rows])
    assert all(cell.tag == "th" or cell.get("class") == "blank" or markdown
               for tr in head for cell in tr)
    body = table.xpath("./tbody/tr")
    assert len(head) + len(body) == t.n_rows - len(cap_rows)
    assert table.xpath("./tr") == []


def tables_of(text: str):
    return lxml.html.document_fromstring(text).xpath("//table")


def find_value(t: TableBlock, label: str, header: str) -> str:
    g = t.grid()
    rows = [c.row for c in t.cells if c.role == "label" and c.text == label]
    cols = [c for c in t.cells if c.role == "header" and c.text == header]
    assert len(rows) == 1 and len(cols) == 1
    col = cols[0].col
    cell = g[rows[0]][col]
    assert cell is not None and cell.role == "value"
    return cell.text


# ---------------------------------------------------------------- HTML
@pytest.mark.parametrize("lid", list(YEARS))
def test_html_page_structure(docs, lid):
    doc = docs[lid]
    text = html_text(doc)
    assert text.startswith("<!DOCTYPE html>\n")
    p = page(text)
    tags = [t for t, _ in p.tags]
    assert dict(p.tags)["html"] == {"lang": "zh-CN"}
    assert ("meta", {"charset": "utf-8"}) in p.tags
    assert p.texts["title"] == [doc.title] and p.texts["h1"] == [doc.title]
    assert doc.title == f"测试县测试局{YEARS[lid]}年政府信息公开工作年度报告"
    assert p.texts["h2"] == HEADINGS                               # official order, exactly
    assert [s.heading for s in doc.sections] == HEADINGS
    # preamble, every section's paragraphs, then the signature — as text, in order
    want_p = list(doc.preamble) + [x for s in doc.sections for x in s.paragraphs] \
        + [doc.signature_unit, doc.signature_date]
    assert p.texts["p"] == want_p
    assert doc.signature_date == f"{YEARS[lid] + 1}年1月20日"
    # self-contained: no scripts, no links, no external or embedded resources
    assert "script" not in tags and "link" not in tags and "img" not in tags and "iframe" not in tags
    for _, attrs in p.tags:
        assert "src" not in attrs
        assert not any(k.startswith("on") for k in attrs)
        assert not str(attrs.get("href", "")).lower().startswith(("http:", "https:", "//"))
    style = text[text.index("<style>"):text.index("</style>")]
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    assert not re.search(r"(?i)(src|href)\s*=\s*[\"']?(https?:)?//", text)
    # the look: official font stacks, A4 print with repeated table headers, rows not broken
    assert '"方正小标宋简体","FZXiaoBiaoSong-B05S","SimSun","Noto Serif CJK SC",serif' in style
    assert '"仿宋_GB2312","FangSong","STFangsong","Noto Serif CJK SC",serif' in style
    assert '"黑体","SimHei","Noto Sans CJK SC",sans-serif' in style
    assert "text-indent: 2em" in style
    assert "@media print" in style and "size: A4" in style
    assert "thead { display: table-header-group; }" in style
    assert re.search(r"tr[^{]*\{[^}]*break-inside: avoid", style)
    assert re.search(r"td\.num \{[^}]*text-align: right", style)
    assert re.search(r"\.signature \{[^}]*text-align: right", style)
    # the signature closes the page
    root = lxml.html.document_fromstring(text)
    last = root.xpath("//main/*")[-1]
    assert last.get("class") == "signature"
    assert [x.text_content() for x in last.xpath("./p")] == [doc.signature_unit, doc.signature_date]


@pytest.mark.parametrize("lid", list(YEARS))
def test_html_tables_equal_the_model(docs, lid):
    doc = docs[lid]
    tables = tables_of(html_text(doc))
    model = [(s, t) for s in doc.sections for t in s.tables]
    assert len(tables) == len(model) == (7 if lid == "2019" else 6)
    for (s, t), table in zip(model, tables):
        # each table inside its own section, after the section's heading
        sec = table.getparent()
        assert sec.tag == "section" and sec.xpath("./h2")[0].text_content() == s.heading
        check_table(t, table, heading=s.heading)
    # captions of 二, in order
    n = ["一", "五", "六", "八", "九"] if lid == "2019" else ["一", "五", "六", "八"]
    assert [t.xpath("./caption")[0].text_content() for t in tables[:len(n)]] == [f"第二十条第（{x}）项" for x in n]


def _cell(table, text):
    hits = [c for c in table.xpath(".//th|.//td") if c.text_content() == text]
    assert len(hits) == 1, text
    return hits[0]


@pytest.mark.parametrize("lid", list(YEARS))
def test_html_merges_of_the_official_tables(docs, lid):
    tables = tables_of(html_text(docs[lid]))
    t3, t4 = tables[-2], tables[-1]
    corner = _cell(t3, NOTE)
    assert (corner.tag, corner.get("colspan"), corner.get("rowspan"), corner.get("scope")) == ("th", "3", "3", "colgroup")
    assert corner.getparent().getparent().tag == "thead"
    assert _cell(t3, "申请人情况").get("colspan") == "7"
    assert _cell(t3, "法人或其他组织").get("colspan") == "5"
    assert _cell(t3, "自然人").get("rowspan") == "2"
    results = _cell(t3, "三、本年度办理结果")
    assert (results.get("rowspan"), results.get("scope")) == ("20" if lid == "2019" else "22", "rowgroup")
    # the 勾稽 groups are row groups: 三、本年度办理结果 heads exactly its own <tbody>
    assert len(results.getparent().getparent().xpath("./tr")) == int(results.get("rowspan"))
    assert _cell(t3, "（三）不予公开").get("rowspan") == "8"
    assert _cell(t3, "（四）无法提供").get("rowspan") == "3"
    assert _cell(t3, "（五）不予处理").get("rowspan") == "5"
    other = _cell(t3, "（六）其他处理")
    assert (other.get("rowspan"), other.get("colspan")) == ((None, "2") if lid == "2019" else ("3", None))
    assert _cell(t3, "一、本年新收政府信息公开申请数量").get("colspan") == "3"
    assert _cell(t4, "行政复议").get("colspan") == "5"
    assert _cell(t4, "行政诉讼").get("colspan") == "10"
    assert _cell(t4, "未经复议直接起诉").get("colspan") == "5"
    assert _cell(t4, "复议后起诉").get("colspan") == "5"
    assert len(t4.xpath("./thead/tr")) == 3 and len(t4.xpath("./tbody/tr")) == 1
    assert len(t4.xpath("./tbody/tr/td")) == 15
    # (五)/(六)/(八) of 2021: the single value column spans columns 2–4
    if lid == "2021":
        assert _cell(tables[1], "本年处理决定数量").get("colspan") == "3"
        assert _cell(tables[3], "本年收费金额（单位：万元）").get("colspan") == "3"


def test_html_seed_report(seed_doc, tmp_path):
    doc = seed_doc
    assert doc.title == "缙云县人力资源和社会保障局2020年政府信息公开工作年度报告"
    tables = {t.key: t for s in doc.sections for t in s.tables}
    assert find_value(tables["art20_5"], "其他对外管理服务事项", "处理决定数量") == "245848"
    assert find_value(tables["art20_5"], "行政许可", "本年增/减") == "减5"
    assert find_value(tables["art20_9"], "政府集中采购", "采购总金额") == "532934.41"
    out = render_html(doc, tmp_path / "out" / "seed.html")
    assert out == tmp_path / "out" / "seed.html"
    assert [p.name for p in out.parent.iterdir()] == ["seed.html"]          # no temporary left behind
    text = out.read_text(encoding="utf-8")
    assert text == html_text(doc)
    html_tables = tables_of(text)
    model = [(s, t) for s in doc.sections for t in s.tables]
    for (s, t), table in zip(model, html_tables):
        check_table(t, table, heading=s.heading)
    by_caption = {t.xpath("./caption")[0].text_content(): t for t in html_tables}

    def at(table, label, header):
        # the value cell in the label's row, under the header (first data row when there is no label)
        grid = html_grid(table)
        hcol = [c for (r, c), cell in grid.items() if cell.text_content() == header]
        lrow = [r for (r, c), cell in grid.items() if cell.text_content() == label]
        assert len(hcol) == 1 and len(lrow) == 1, (label, header)
        return grid[(lrow[0], hcol[0])]

    cell = at(by_caption["第二十条第（五）项"], "其他对外管理服务事项", "处理决定数量")
    assert (cell.tag, cell.text_content(), cell.get("class")) == ("td", "245848", "num")
    assert at(by_caption["第二十条第（五）项"], "行政许可", "本年增/减").text_content() == "减5"
    assert at(by_caption["第二十条第（六）项"], "行政处罚", "本年增/减").text_content() == "增45"
    assert at(by_caption["第二十条第（九）项"], "政府集中采购", "采购总金额").text_content() == "532934.41"
    assert at(by_caption["第二十条第（八）项"], "行政事业性收费", "本年增/减").text_content() == "0"
    # zero prints 0, never blank: 四 is all zeros in the seed; every value cell has text
    t4 = html_tables[-1]
    assert [td.text_content() for td in t4.xpath("./tbody/tr/td")] == ["0"] * 15
    for table in html_tables:
        for td in table.xpath(".//td[@class='num']"):
            assert td.text_content().strip() != ""
    t3 = html_tables[-2]
    first = t3.xpath("./tbody/tr")[0]
    assert [x.text_content() for x in first] == ["一、本年新收政府信息公开申请数量", "3", "0", "0", "0", "0", "0", "3"]
    p = page(text)
    assert p.texts["h2"] == HEADINGS
    assert p.texts["p"][-2:] == ["缙云县人力资源和社会保障局", "2021年1月11日"]
    assert p.texts["p"][1:1 + len(doc.sections[0].paragraphs)] == doc.sections[0].paragraphs


def test_html_empty_required_section_keeps_its_heading(tmp_path):
    from gaixl.spec.load import load_layout

    layout = load_layout("2021")
    data = consistent_data(layout, 2023)
    data.text = {}
    doc = build_document(data, layout)
    p = page(html_text(doc))
    assert p.texts["h2"] == HEADINGS
    sections = {s.heading: s.paragraphs for s in doc.sections}
    assert p.texts["p"] == list(doc.preamble) + [x for h in HEADINGS for x in sections[h]] \
        + [doc.signature_unit, doc.signature_date]


# ---------------------------------------------------------------- Markdown
def md_renderer() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


@pytest.mark.parametrize("lid", list(YEARS))
def test_markdown_headings_paragraphs_tables(docs, lid, tmp_path):
    doc = docs[lid]
    text = markdown_text(doc)
    out = render_markdown(doc, tmp_path / "r.md")
    assert out.read_text(encoding="utf-8") == text and [p.name for p in tmp_path.iterdir()] == ["r.md"]
    lines = text.split("\n")
    assert lines[0] == f"# {doc.title}"
    assert [ln[3:] for ln in lines if ln.startswith("## ")] == HEADINGS
    assert not [ln for ln in lines if ln.startswith("#") and not ln.startswith(("# ", "## "))]
    # tables: one HTML block each (no blank line inside), same cells and merges as the model
    blocks = re.findall(r"(?ms)^<table>\n.*?^</table>$", text)
    model = [(s, t) for s in doc.sections for t in s.tables]
    assert len(blocks) == len(model)
    for (s, t), block in zip(model, blocks):
        assert "\n\n" not in block and "<caption class" not in block and "class=" not in block
        table = lxml.html.fragment_fromstring(block)
        check_table(t, table, heading=s.heading, markdown=True)
    assert lines[-2:] == [f"{doc.signature_date}</p>", ""]
    assert f'<p align="right">{doc.signature_unit}<br>' in text
    # rendered by a CommonMark parser: the same headings, paragraphs and tables come out
    rendered = md_renderer().render(text)
    p = page(rendered)
    assert p.texts["h1"] == [doc.title] and p.texts["h2"] == HEADINGS
    assert p.texts["p"] == list(doc.preamble) + [x for s in doc.sections for x in s.paragraphs] \
        + [doc.signature_unit + "\n" + doc.signature_date]
    assert rendered.count("<table>") == len(model)
    assert "rowspan=\"20\"" in rendered or "rowspan=\"22\"" in rendered


def test_markdown_seed_numbers(seed_doc):
    text = markdown_text(seed_doc)
    assert text.startswith("# 缙云县人力资源和社会保障局2020年政府信息公开工作年度报告\n\n本报告根据")
    for v in ("245848", "减5", "增45", "532934.41"):
        assert f'<td align="right">{v}</td>' in text
    assert f'<th scope="colgroup" rowspan="3" colspan="3">{NOTE}</th>' in text
    assert '<th scope="rowgroup" rowspan="20">三、本年度办理结果</th>' in text
    assert '<th scope="colgroup" colspan="10">行政诉讼</th>' in text
    assert "<caption>第二十条第（九）项</caption>" in text
    assert "## 六、其他需要报告的事项\n\n无其他需要报告的事项。\n\n" in text
    assert text.endswith('<p align="right">缙云县人力资源和社会保障局<br>\n2021年1月11日</p>\n')
