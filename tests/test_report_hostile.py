"""Hostile narrative text through the HTML, Markdown and Word renderers: it stays text.

Markup, formulas, a 20,000-character paragraph, emoji and ZWJ sequences, rare CJK beyond the BMP,
Markdown punctuation, whitespace-only and multi-line paragraphs: parsed back from the HTML each paragraph
equals its input exactly and no element appears that the plain report does not have; the Markdown holds
no unescaped '<', its escaping inverts exactly, and a CommonMark renderer gives the input back; Word
(render/docx.py) read back with python-docx gives the input back (XML-illegal characters excepted).
"""
from __future__ import annotations

import copy
import re
from html.parser import HTMLParser

import pytest
from helpers import consistent_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from gaixl.document.html import clean_text, html_text, render_html
from gaixl.document.markdown import escape_markdown, markdown_text, render_markdown, unescape_markdown
from gaixl.document.model import Document, build_document
from gaixl.spec.load import load_layout

LONG = ("政府信息公开<td>&amp;|*_`#[x](y)\n" * 1000)[:19_990] + "最后十个字符到此为止"
assert len(LONG) == 20_000

HOSTILE = [
    "<script>alert(1)</script>",
    "</td></tr></table>",
    "<b>x</b>",
    "&amp;",
    "]]>",
    "<![CDATA[x]]> <!-- comment --> <?pi?> <!DOCTYPE x>",
    "<img src=x onerror=alert(1)>",
    "<style>body{display:none}</style>",
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3",
    "=1+1",
    LONG,
    "点赞👍🏽，国旗🇨🇳，家庭👨‍👩‍👧，👩🏽‍💻",
    "生僻字：𠀀 𪚥 \U00020000\U0002A6A5 𰻞",
    "# x",
    "## 一、总体情况",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "[link](http://x)",
    "![img](http://x/i.png)",
    "<http://x> http://x.example www.example.com a@b.example",
    "[ref]: http://x",
    "**bold** *it* _u_ __u__ ~~del~~ `code` ``` ~~~ $x^2$",
    "- item",
    "* item",
    "+ item",
    "> quote",
    "1. one",
    "1) one",
    "2020.1 起施行",
    "---",
    "***",
    "===",
    "a\\",
    "\\",
    "\\*not emphasis\\*",
    "&lt;already escaped&gt; &#60; &#x3C; &copy; &",
    "\"double\" 'single' `back`",
    "   ",
    "\t",
    "    four-space code?",
    "　　全角空格缩进的段落",
    "  leading and trailing  ",
    "line one\nline two",
    "\nstarts with a break",
    "ends with a break\n",
    "a\n\nb",
    "a\n   \n- b\n# c\n> d\n1. e\n===",
    "\u200b\u200d\u2028\u2029\ufeff\u00a0 invisible",
    "\u202eright-to-left override\u202c",
    "{{ template }} ${expr} %s %(x)s {0}",
    "控制字符：响铃\x07、竖向制表\x0b、转义\x1b[31m红\x1b[0m、空\x00字符",     # dropped: no format holds them
]

HEADINGS = ["一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


@pytest.fixture(scope="module")
def base_doc() -> Document:
    layout = load_layout("2021")
    return build_document(consistent_data(layout, 2023, seed=3), layout)


def with_paragraphs(doc: Document, paras: list[str], preamble: list[str] | None = None) -> Document:
    """The document with `paras` as the paragraphs of 一, 五 (reversed) and 六 (first only)."""
    d = copy.deepcopy(doc)
    for s in d.sections:
        if s.heading == HEADINGS[0]:
            s.paragraphs = list(paras)
        elif s.heading == HEADINGS[1]:
            s.paragraphs = list(reversed(paras))
        elif s.heading == HEADINGS[2]:
            s.paragraphs = list(paras[:1])
    if preamble is not None:
        d.preamble = list(preamble)
    return d


def expected_paragraphs(doc: Document) -> list[str]:
    """Every paragraph of the page as text, after dropping what HTML cannot carry (clean_text)."""
    return [clean_text(p) for p in list(doc.preamble) + [p for s in doc.sections for p in s.paragraphs]
            + [x for x in (doc.signature_unit, doc.signature_date) if x]]


# ---------------------------------------------------------------- reading back
class Reader(HTMLParser):
    """Tags in order and the text of every <p> (a <br> inside reads as a line break)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple]] = []
        self.paras: list[str] = []
        self.inside: list[str] = []             # tags met inside the current <p>
        self._p: list[str] | None = None
        self._after_br = False
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(attrs)))
        if tag == "p":
            self._p = []
        elif self._p is not None:
            self.inside.append(tag)
            if tag == "br":
                self._p.append("\n")
                self._after_br = True
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        self.tags.append(("/" + tag, ()))
        if tag == "p" and self._p is not None:
            self.paras.append("".join(self._p))
            self._p = None
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._p is not None:
            if self._after_br and data.startswith("\n"):   # markdown-it writes "<br />\n"
                data = data[1:]
            self._p.append(data)
        self._after_br = False
        if self._in_title:
            self.title += data


def read(text: str) -> Reader:
    r = Reader()
    r.feed(text)
    r.close()
    return r


def md_render(text: str) -> str:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)


# ---------------------------------------------------------------- HTML
def test_hostile_paragraphs_survive_html(base_doc, tmp_path):
    doc = with_paragraphs(base_doc, HOSTILE, preamble=base_doc.preamble + HOSTILE[:3])
    text = render_html(doc, tmp_path / "h.html").read_text(encoding="utf-8")
    r = read(text)
    assert r.paras == expected_paragraphs(doc)
    assert r.inside == []                                     # nothing inside any <p>
    # the same page with harmless paragraphs has exactly the same elements and attributes
    plain = read(html_text(with_paragraphs(base_doc, ["x"] * len(HOSTILE),
                                           preamble=base_doc.preamble + ["x"] * 3)))
    assert r.tags == plain.tags
    for bad in ("<script", "<b>", "</td></tr></table>", "<img", "<![CDATA[", "<!--", "<style>body"):
        assert bad not in text
    assert text.count("<script") == 0 and text.count("<table") == 6
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_hostile_unit_name_in_title_and_signature():
    layout = load_layout("2019")
    name = '<b>局</b>&amp;"\'</title><script>x</script>'
    doc = build_document(consistent_data(layout, 2020, name=name), layout)
    assert doc.title.startswith(name)
    text = html_text(doc)
    r = read(text)
    assert r.title == doc.title
    assert r.paras[-2:] == [name, "2021年1月20日"]
    assert "<script" not in text and "<b>" not in text
    md = markdown_text(doc)
    assert md.startswith("# " + escape_markdown(doc.title) + "\n")
    rendered = read(md_render(md))
    assert rendered.paras[-1] == name + "\n2021年1月20日"
    assert "<script" not in md and "<b>" not in md


def test_hostile_text_through_the_data_file_path(base_doc):
    """Through build_document (which drops blank paragraphs and trailing spaces) the rest is unchanged."""
    layout = load_layout("2021")
    data = consistent_data(layout, 2023)
    data.text["一、总体情况"] = list(HOSTILE)
    doc = build_document(data, layout)
    assert doc.sections[0].paragraphs == [p.rstrip() for p in HOSTILE if p.strip()]
    kept = [clean_text(p.rstrip()) for p in HOSTILE if p.strip()]
    assert read(html_text(doc)).paras[1:1 + len(kept)] == kept
    assert read(md_render(markdown_text(doc))).paras[1:1 + len(kept)] == kept


def test_html_drops_only_what_html_cannot_carry():
    assert clean_text("a\r\nb\rc") == "a\nb\nc"
    assert clean_text("x\x00\x01\x08\x0b\x1f\x7f\x85\x9f\ufdd0\ufffe\U0010ffffy") == "xy"
    assert clean_text("\t\n\x0c") == "\t\n\x0c"
    assert clean_text("a\ud800b") == "a\ufffdb"


# ---------------------------------------------------------------- Markdown
@pytest.mark.parametrize("para", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_paragraph_markdown_escaping(para):
    src = escape_markdown(para)
    assert "<" not in src and ">" not in src                 # markup can never open
    assert "\n\n" not in src and not src.endswith("\n")     # one paragraph, always
    assert unescape_markdown(src) == clean_text(para)
    # any literal '#', '|', '*', '_', '`', '[' , ']' , '~', '$' is escaped
    bare = re.sub(r"&#[0-9]+;", "", src)                    # the references escape_markdown writes
    assert not re.search(r"(?<!\\)(?:\\\\)*[#|*_`\[\]~$]", bare)


def test_hostile_paragraphs_survive_markdown(base_doc, tmp_path):
    doc = with_paragraphs(base_doc, HOSTILE, preamble=base_doc.preamble + HOSTILE[-3:])
    text = render_markdown(doc, tmp_path / "h.md").read_text(encoding="utf-8")
    assert text == markdown_text(doc)
    # the paragraphs' own text brings no '<' : every '<' in the file belongs to the tables/signature
    stripped = re.sub(r"(?ms)^<table>\n.*?^</table>$", "", text)
    stripped = re.sub(r'(?s)<p align="right">.*?</p>\n$', "", stripped)
    assert "<" not in stripped and ">" not in stripped
    # headings are exactly the six (no '# x' paragraph became one)
    assert [ln for ln in text.split("\n") if ln.startswith("#")] == \
        [f"# {doc.title}"] + [f"## {s.heading}" for s in doc.sections]
    # a CommonMark renderer (with GFM tables and strikethrough) gives every paragraph back as text
    r = read(md_render(text))
    paras = [clean_text(p) for p in list(doc.preamble) + [p for s in doc.sections for p in s.paragraphs] if p != ""]
    assert r.paras == paras + [doc.signature_unit + "\n" + doc.signature_date]
    assert set(r.inside) <= {"br"}
    tags = [t for t, _ in r.tags if not t.startswith("/")]
    assert tags.count("table") == 6 and tags.count("h2") == 6 and tags.count("h1") == 1
    for t in ("a", "img", "script", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "hr", "del",
              "s", "h3"):
        assert t not in tags, t


# ---------------------------------------------------------------- property tests
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
CLEAN = st.text(st.characters(exclude_categories=("Cs", "Cc", "Cn"), include_characters="\n\t"), max_size=60)
MARKDOWNISH = st.lists(st.sampled_from(list("#|*_`[]()!<>&;\\-+=.1 \t\n\u3000~$:@x中")
                                      + ["&amp;", "&#60;", "http://", "<p>", "```", "1. ", "- "]),
                       max_size=30).map("".join)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paras=st.lists(TEXT | CLEAN | MARKDOWNISH, min_size=1, max_size=4))
def test_property_html_round_trip(base_doc, paras):
    doc = with_paragraphs(base_doc, paras)
    r = read(html_text(doc))
    assert r.paras == expected_paragraphs(doc)
    assert r.inside == []


@settings(max_examples=200, deadline=None)
@given(text=CLEAN)
def test_property_clean_text_keeps_ordinary_text(text):
    assert clean_text(text) == text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(para=CLEAN | MARKDOWNISH)
def test_property_markdown_round_trip(base_doc, para):
    src = escape_markdown(para)
    assert "<" not in src and "\n\n" not in src
    assert unescape_markdown(src) == para
    if para == "":
        return
    r = read(md_render(escape_markdown("前") + "\n\n" + src + "\n\n" + escape_markdown("后") + "\n"))
    assert r.paras == ["前", para, "后"]
    assert set(r.inside) <= {"br"}


# ---------------------------------------------------------------- Word
# XML 1.0 cannot hold C0 controls other than tab/LF/CR, nor U+FFFE/U+FFFF or lone surrogates.
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def word_lines(para: str) -> list[str]:
    """What Word shows of a narrative paragraph (render/docx.py): each line of it its own paragraph,
    blank lines left out, every other character kept (XML-illegal ones excepted)."""
    return [ln for ln in re.split(r"\r\n|\r|\n", _XML_ILLEGAL.sub("", para)) if ln.strip()]


def test_hostile_paragraphs_survive_docx(base_doc, tmp_path):
    import docx  # python-docx: a dependency of gaixl

    from gaixl.document.docx import render_docx

    doc = with_paragraphs(base_doc, HOSTILE)
    out = render_docx(doc, tmp_path / "h.docx")
    assert out == tmp_path / "h.docx" and [p.name for p in tmp_path.iterdir()] == ["h.docx"]
    word = docx.Document(str(out))
    texts = [p.text for p in word.paragraphs]
    lines = [ln for p in HOSTILE for ln in word_lines(p)]
    start = texts.index(HEADINGS[0])
    assert texts[start + 1:start + 1 + len(lines)] == lines
    assert texts[start + 1 + len(lines)] == "二、主动公开政府信息情况"
    start = texts.index(HEADINGS[1])
    assert texts[start + 1:start + 1 + len(lines)] == [ln for p in reversed(HOSTILE) for ln in word_lines(p)]
    # text runs only: the hostile document has exactly the elements of one with harmless text
    plain = with_paragraphs(base_doc, ["\n".join("x" if ln.strip() else ln for ln in re.split(r"\r\n|\r|\n", p))
                                       for p in HOSTILE])
    plain_word = docx.Document(str(render_docx(plain, tmp_path / "plain.docx")))

    def shape(d):
        return [el.tag for el in d.element.body.iter() if el.tag not in (_W + "t", _W + "tab")]

    assert shape(word) == shape(plain_word)
    for tag in ("hyperlink", "fldSimple", "instrText", "object", "drawing"):
        assert not list(word.element.body.iter(_W + tag)), tag
