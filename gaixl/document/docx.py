"""The report as a Word document (.docx), laid out by GB/T 9704 (党政机关公文格式) conventions.

    render_docx(doc, out) -> Path         doc: gaixl.document.model.Document

What the page looks like: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title
方正小标宋简体 22 pt (二号) centred; body 仿宋_GB2312 16 pt (三号) with a first-line indent of two
characters and fixed 28.9 pt lines (22 lines a page); 一、… headings 黑体, （一）… headings 楷体_GB2312;
page numbers "— 1 —" (宋体 14 pt, a PAGE field) at the right on odd pages and at the left on even
pages; tables as wide as the text block, 宋体 10.5 pt, merged cells exactly as the official form,
caption and header rows repeated on every page a table runs onto; signature at the end, the date
four characters from the right margin and the unit centred over it.

Fonts are written so Word and WPS on Chinese Windows choose them: every style and every run
carries w:rFonts with w:eastAsia (the Chinese font) and w:ascii/w:hAnsi = Times New Roman, and
the font table names the usual fall-backs (仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体, …).

How it is built (fast: ≈ 2 ms a report): the package around the body — styles, page set-up,
footers, settings, font table — is made once per process with python-docx and kept as bytes;
a report only writes its own word/document.xml (paragraphs as text, each table from a cached
skeleton per table shape into which only the value cells are filled) and its docProps/core.xml.
Text is data, never markup: it is XML-escaped, only the characters XML cannot hold at all
(C0 controls, lone surrogates, U+FFFE/U+FFFF) are dropped; emoji and rare CJK (𠀀) stay.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import re
import time
import zipfile
from pathlib import Path

from gaixl.atomic import atomic_file
from gaixl.document.model import TODO_MARK, BarChart, Cell, Document, TableBlock, chart_share, chart_value

# ---------------------------------------------------------------- the conventions, as numbers
A4_W, A4_H = 11906, 16838                  # twips (210 × 297 mm)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
HEADER_MM, FOOTER_MM = 15, 25              # header / footer distance from the page edge
DRAFT_SLOT = "GAIXLDRAFTSLOT"              # the header's text in the cached base: the draft mark, or nothing
TEXT_WIDTH = round((210 - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 1440)  # 8844 twips = 156 mm

LATIN = "Times New Roman"
FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
FONT_TABLE = "宋体"
FONT_PAGE = "宋体"
SIZE_TITLE, SIZE_BODY, SIZE_TABLE, SIZE_PAGE = 22, 16, 10.5, 14   # pt: 二号, 三号, 五号, 四号
LINE_BODY = 578                            # twips: fixed 28.9 pt lines (GB/T 9704: 22 lines on the page)
LINE_TITLE = 700                           # twips: fixed 35 pt lines for a two-line title
ROW_MIN = 340                              # twips: table rows at least 6 mm high
LINE_TABLE = 260                           # twips: fixed 13 pt lines in tables (same height in Word and WPS
                                           # and in LibreOffice, whatever font stands in)
KEEP_TABLE_ROWS = 10                       # a table this short is kept on one page whole
KEEP_GROUP_ROWS = 8                        # a merged label over at most this many rows is not split
CELL_MARGIN = 57                           # twips: 1 mm left/right inside table cells

STYLE_TITLE, STYLE_H1, STYLE_H2, STYLE_TABLE = "Title", "Heading1", "Heading2", "gaixlTableText"

# Fonts the font table describes, with the name Word/WPS falls back to when the first is missing.
_FONT_TABLE = [
    # name, altName, panose, charset (86 = GB2312), family, pitch
    (LATIN, None, "02020603050405020304", "00", "roman", "variable"),
    ("宋体", "SimSun", "02010600030101010101", "86", "auto", "variable"),
    ("黑体", "SimHei", "02010609060101010101", "86", "modern", "fixed"),
    ("仿宋_GB2312", "仿宋", "02010609030101010101", "86", "modern", "fixed"),
    ("楷体_GB2312", "楷体", "02010609030101010101", "86", "modern", "fixed"),
    ("方正小标宋简体", "宋体", "02000000000000000000", "86", "auto", "variable"),
]

# A paragraph of 一、总体情况 etc. that starts with （一）…（十） is a level-2 heading; its lead-in
# (up to the first 。：; within a short span) is set in 楷体, the rest of the paragraph in 仿宋.
_LEVEL2 = re.compile(r"\s*[（(][一二三四五六七八九十]{1,3}[）)]")
_LEAD_END = "。：:；;！？!?"
_LEAD_MAX = 30

# Characters XML 1.0 cannot hold (python-docx and lxml refuse them): dropped, nothing else.
_XML_ILLEGAL = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# "Keep with next": on table rows where a page must not break (keep_rows), and on the last
# paragraph of text before the signature (the signature never stands alone on a page).
_KEEP = "<w:keepNext/>"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def clean_text(text) -> str:
    """Text as it can be stored in XML: only XML-illegal characters removed."""
    return _XML_ILLEGAL.sub("", str(text))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------- runs and paragraphs as XML text
def _rpr(east_asia: str, *, size: float | None = None, bold: bool = False, highlight: bool = False) -> str:
    s = (f'<w:rPr><w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:cs="{LATIN}" w:eastAsia="{east_asia}" '
         f'w:hint="eastAsia"/>')
    if bold:
        s += "<w:b/><w:bCs/>"
    if highlight:
        s += '<w:highlight w:val="yellow"/>'
    if size:
        s += f'<w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/>'
    return s + "</w:rPr>"


@functools.cache
def _rpr_cached(east_asia: str, size: float | None = None, bold: bool = False, highlight: bool = False) -> str:
    return _rpr(east_asia, size=size, bold=bold, highlight=highlight)


def _run(text, east_asia: str, *, size: float | None = None, bold: bool = False, highlight: bool = False) -> str:
    """One or more w:r for `text`: tabs become w:tab, line breaks w:br, everything else literal."""
    rpr = _rpr_cached(east_asia, size, bold, highlight)
    text = clean_text(text)
    if "\t" not in text and "\n" not in text and "\r" not in text:
        return f'<w:r>{rpr}<w:t xml:space="preserve">{_esc(text)}</w:t></w:r>' if text else ""
    parts = []
    for i, line in enumerate(re.split(r"\r\n|\r|\n", text)):
        if i:
            parts.append("<w:br/>")
        for j, chunk in enumerate(line.split("\t")):
            if j:
                parts.append("<w:tab/>")
            if chunk:
                parts.append(f'<w:t xml:space="preserve">{_esc(chunk)}</w:t>')
    return f"<w:r>{rpr}{''.join(parts)}</w:r>"


def _para(runs: str, style: str | None = None, ppr: str = "") -> str:
    head = f'<w:pStyle w:val="{style}"/>' if style else ""
    return f"<w:p><w:pPr>{head}{ppr}</w:pPr>{runs}</w:p>" if head or ppr else f"<w:p>{runs}</w:p>"


def split_level2(text: str) -> tuple[str, str] | None:
    """A （一）… paragraph → (lead-in in 楷体, rest in 仿宋); None for an ordinary paragraph.
    A short paragraph that is only the heading gives (text, "")."""
    m = _LEVEL2.match(text)
    if not m:
        return None
    after = text[m.end():]
    cut = next((i for i, ch in enumerate(after[:_LEAD_MAX + 1]) if ch in _LEAD_END), None)
    if cut is not None:
        return text[:m.end() + cut + 1], text[m.end() + cut + 1:]
    if len(after) <= _LEAD_MAX:
        return text, ""
    return text[:m.end()], after


def _narrative(text: str, keep: bool = False) -> list[str]:
    """A narrative paragraph (a line break inside starts a new paragraph) as w:p XML texts.
    keep: the last one is kept with the next paragraph (so the signature never stands alone)."""
    out = []
    lines = [line for line in re.split(r"\r\n|\r|\n", clean_text(text)) if line.strip()]
    for i, line in enumerate(lines):
        keep_next = keep and i == len(lines) - 1
        lead = split_level2(line)
        if line.startswith(TODO_MARK):       # a gap left for a person: marked so nobody prints it unseen
            out.append(_para(_run(line, FONT_BODY, bold=True, highlight=True), None, _KEEP if keep_next else ""))
        elif lead is None:
            out.append(_para(_run(line, FONT_BODY), None, _KEEP if keep_next else ""))
        elif not lead[1]:                    # a heading line of its own: kept with what follows (style)
            out.append(_para(_run(lead[0], FONT_H2), STYLE_H2))
        else:                                # heading and text in one paragraph: may part from the next
            out.append(_para(_run(lead[0], FONT_H2) + _run(lead[1], FONT_BODY), STYLE_H2,
                             _KEEP if keep_next else '<w:keepNext w:val="0"/>'))
    return out


def _display_width(text: str) -> float:
    """Width in characters of the body font: CJK and full-width 1, ASCII ½."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def _signature(unit: str, date: str) -> list[str]:
    """GB/T 9704: the date four characters from the right margin, the unit centred over the date."""
    unit, date = clean_text(unit).strip(), clean_text(date).strip()
    out = []
    base = "<w:ind w:firstLine=\"0\" w:firstLineChars=\"0\" w:right=\"{tw}\" w:rightChars=\"{ch}\"/><w:jc w:val=\"right\"/>"

    def ind(chars: float) -> str:
        chars = max(0.0, chars)
        return base.format(tw=round(chars * SIZE_BODY * 20), ch=round(chars * 100))

    if unit:
        right = 4 + (_display_width(date) - _display_width(unit)) / 2 if date else 4
        out.append(_para(_run(unit, FONT_BODY), None, (_KEEP if date else "")
                         + f'<w:spacing w:before="{LINE_BODY * 2}"/>' + ind(right)))
    if date:
        out.append(_para(_run(date, FONT_BODY), None, ("" if unit else f'<w:spacing w:before="{LINE_BODY * 2}"/>')
                         + ind(4)))
    return out


# ---------------------------------------------------------------- tables
def _cpl(n: int) -> int:
    """Characters a line for a header of n characters: 3 → one line, 4 → 2+2, 6 → 3+3, longer → 3 lines."""
    return n if n <= 3 else -(-n // 2) if n <= 6 else -(-n // 3)


def column_widths(tb: TableBlock, total: int = TEXT_WIDTH) -> list[int]:
    """Grid column widths (twips) that add up to the text width.

    Tables with one label column (二): the labels take 30 %, the values share the rest alike.
    Otherwise each value column is as wide as its own header wraps nicely (自然人 on one line,
    商业企业 as 商业/企业, 社会公益组织 as 社会公/益组织 …, never under 10 mm so four digits fit), and
    the label columns of table 三 share what is left (group, sub-group, then the widest: the
    leaf labels); a table without labels (四) is scaled to the full width."""
    n = tb.n_cols
    value_cols = [c.col for c in tb.cells if c.role == "value"]
    n_label = min(value_cols) if value_cols else 0
    if n_label == 1 or n <= n_label:
        weights = [0.3 / 0.7 * (n - 1)] + [1.0] * (n - 1) if n > 1 else [1.0]
    else:
        char = SIZE_TABLE * 20                       # twips a CJK character takes
        natural = []
        for k in range(n_label, n):
            leaf = [c.text for c in tb.cells if c.role == "header" and c.col == k and c.colspan == 1
                    and c.row + c.rowspan == tb.header_rows]
            need = _cpl(len(leaf[0])) * char + 2 * CELL_MARGIN + 20 if leaf else 0
            natural.append(max(need, 567))           # 10 mm
        if n_label == 0:
            weights = natural
        else:
            values = sum(natural)
            if values > 0.6 * total:
                natural = [w * 0.6 * total / values for w in natural]
                values = 0.6 * total
            # group columns hold 2 characters a line, the sub-group column 4, the leaf labels the rest
            lead = [2 * char + 2 * CELL_MARGIN + 40] * (n_label - 2) + [4 * char + 2 * CELL_MARGIN + 40]
            weights = lead + [max(total - values - sum(lead), 4 * char)] + natural
    scale = total / sum(weights)
    widths = [int(w * scale) for w in weights]
    widths[-1] += total - sum(widths)
    return widths


_BORDER = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
_TBL_BORDERS = "<w:tblBorders>" + "".join(_BORDER.format(side=s) for s in
                                          ("top", "left", "bottom", "right", "insideH", "insideV")) + "</w:tblBorders>"


def keep_rows(tb: TableBlock) -> set[int]:
    """Rows whose paragraphs are "kept with the next" row, so that a page break never falls
    there: every row of a short table (it stays whole), the header rows and the first data row
    (never a header alone at the foot of a page), and the rows inside a merged label of a few
    rows (（三）不予公开 1.–8. stay together; 三、本年度办理结果 over 20 rows may break)."""
    last = tb.n_rows - 1
    if tb.n_rows <= KEEP_TABLE_ROWS:
        return set(range(last))
    keep = set(range(min(tb.header_rows + 1, last)))
    for c in tb.cells:
        if 1 < c.rowspan <= KEEP_GROUP_ROWS and c.row >= tb.header_rows:
            keep.update(range(c.row, c.row + c.rowspan - 1))
    return keep


class _Skeleton:
    """A table's XML with holes where the value cells go: "".join(interleaved) per report."""

    def __init__(self, tb: TableBlock):
        widths = column_widths(tb)
        grid = tb.grid()
        covered: dict[tuple[int, int], Cell] = {}
        for c in tb.cells:
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    covered[(r, k)] = c
        value_index = {id(c): i for i, c in enumerate(c for c in tb.cells if c.role == "value")}
        keeps = keep_rows(tb)
        parts: list[str] = []
        slots: list[int] = []
        buf = ['<w:tbl><w:tblPr><w:tblW w:w="%d" w:type="dxa"/><w:jc w:val="center"/>%s'
               '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="%d" w:type="dxa"/>'
               '<w:right w:w="%d" w:type="dxa"/></w:tblCellMar>'
               '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
               'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>' % (sum(widths), _TBL_BORDERS, CELL_MARGIN,
                                                                         CELL_MARGIN)]
        buf += [f'<w:gridCol w:w="{w}"/>' for w in widths]
        buf.append("</w:tblGrid>")
        for r in range(tb.n_rows):
            head = "<w:tblHeader/>" if r < tb.header_rows else ""
            buf.append(f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{ROW_MIN}" w:hRule="atLeast"/>{head}'
                       f'<w:jc w:val="center"/></w:trPr>')
            k = 0
            while k < tb.n_cols:
                cell = covered.get((r, k))
                keep_next = _KEEP if r in keeps else ""
                if cell is None:             # a hole in the model: keep the grid square
                    buf.append(self._tc(widths[k], 1, None, _para("", STYLE_TABLE, keep_next)))
                    k += 1
                    continue
                span = cell.colspan
                width = sum(widths[cell.col:cell.col + span])
                if grid[r][k] is cell:       # the area starts here: its text
                    vmerge = "restart" if cell.rowspan > 1 else None
                    keep = r in keeps
                    if cell.role == "value":
                        buf.append(self._tc(width, span, vmerge, None, open_=True, keep=keep))
                        parts.append("".join(buf))
                        buf = [self._close_value()]
                        slots.append(value_index[id(cell)])
                    else:
                        buf.append(self._tc(width, span, vmerge, self._cell_para(cell, keep)))
                else:                        # under a vertically merged area: a continuation cell
                    buf.append(self._tc(width, span, "continue", _para("", STYLE_TABLE, keep_next)))
                k += span
            buf.append("</w:tr>")
        buf.append("</w:tbl>")
        parts.append("".join(buf))
        self.parts = parts
        self.slots = slots

    @staticmethod
    def _tc(width: int, span: int, vmerge: str | None, body: str | None, open_: bool = False,
            keep: bool = False) -> str:
        pr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if span > 1:
            pr += f'<w:gridSpan w:val="{span}"/>'
        if vmerge == "restart":
            pr += '<w:vMerge w:val="restart"/>'
        elif vmerge == "continue":
            pr += "<w:vMerge/>"
        pr += '<w:vAlign w:val="center"/>'
        if open_:                            # a value cell: its run text follows
            return f'<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:pPr><w:pStyle w:val="{STYLE_TABLE}"/>' \
                   f'{_KEEP if keep else ""}</w:pPr>' \
                   f'<w:r>{_rpr_cached(FONT_TABLE)}<w:t xml:space="preserve">'
        return f"<w:tc><w:tcPr>{pr}</w:tcPr>{body}</w:tc>"

    @staticmethod
    def _close_value() -> str:
        return "</w:t></w:r></w:p></w:tc>"

    @staticmethod
    def _cell_para(cell, keep: bool) -> str:
        ppr = _KEEP if keep else ""
        if cell.role == "label" and cell.rowspan == 1:
            ppr += '<w:jc w:val="left"/>'
        return _para(_run(cell.text, FONT_TABLE, bold=cell.role == "caption"), STYLE_TABLE, ppr)

    def fill(self, values: list[str]) -> str:
        parts, slots = self.parts, self.slots
        out = [parts[0]]
        for i, slot in enumerate(slots):
            text = values[slot]
            out.append(_esc(clean_text(text)).replace("\t", " ").replace("\n", " ").replace("\r", " "))
            out.append(parts[i + 1])
        return "".join(out)


_SKELETONS: dict[tuple, _Skeleton] = {}


def _table_xml(tb: TableBlock) -> str:
    shape = (tb.key, tb.n_rows, tb.n_cols, tb.header_rows,
             tuple((c.row, c.col, c.rowspan, c.colspan, c.role, None if c.role == "value" else c.text)
                   for c in tb.cells))
    sk = _SKELETONS.get(shape)
    if sk is None:
        if len(_SKELETONS) > 64:
            _SKELETONS.clear()
        sk = _SKELETONS[shape] = _Skeleton(tb)
    return sk.fill([c.text for c in tb.cells if c.role == "value"])


# ---------------------------------------------------------------- bar charts
CHART_CELLS = 40            # the bar area of a chart is split into this many equal grid columns


def chart_xml(ch: BarChart, total_width: int = TEXT_WIDTH) -> list[str]:
    """chart_xml_pieces as a list (its joined text is the block's XML)."""
    return list(chart_xml_pieces(ch, total_width))


def chart_xml_pieces(ch: BarChart, total_width: int = TEXT_WIDTH):
    """A bar chart block as Word XML: the lead paragraph (kept with the chart), a borderless table
    with per bar a row — the label, CHART_CELLS narrow grid columns of which a number in proportion
    to the value are shaded in the bar's colour, the value (and share) as text — and the caption
    centred in 楷体. Word and WPS draw it with their own fonts: no picture, the numbers stay text.
    Made a row at a time (a country's chart of units has 100,000 rows)."""
    if ch.lead:
        yield from _narrative(ch.lead, keep=True)
    label_w, value_w = 2600, (2300 if ch.share else 1400)
    cell_w = (total_width - label_w - value_w) // CHART_CELLS
    bar_total = cell_w * CHART_CELLS
    vmax = max([b.value for b in ch.bars] + [0])
    whole = sum(b.value for b in ch.bars)
    nob = "".join(f'<w:{s} w:val="nil"/>' for s in ("top", "left", "bottom", "right", "insideH", "insideV"))

    def para(text: str, jc: str) -> str:
        return _para(_run(text, FONT_TABLE), STYLE_TABLE, f'{_KEEP}<w:jc w:val="{jc}"/>')

    def tc(width: int, span: int, body: str, fill: str | None = None) -> str:
        pr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if span > 1:
            pr += f'<w:gridSpan w:val="{span}"/>'
        if fill:
            pr += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill.lstrip("#").upper()}"/>'
        return f'<w:tc><w:tcPr>{pr}<w:vAlign w:val="center"/></w:tcPr>{body}</w:tc>'

    yield (f'<w:tbl><w:tblPr><w:tblW w:w="{label_w + bar_total + value_w}" w:type="dxa"/><w:jc w:val="center"/>'
             f'<w:tblBorders>{nob}</w:tblBorders><w:tblLayout w:type="fixed"/>'
             '<w:tblCellMar><w:top w:w="30" w:type="dxa"/><w:left w:w="57" w:type="dxa"/>'
             '<w:bottom w:w="30" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
             '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
             'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>'
             f'<w:gridCol w:w="{label_w}"/>' + f'<w:gridCol w:w="{cell_w}"/>' * CHART_CELLS
             + f'<w:gridCol w:w="{value_w}"/></w:tblGrid>')
    for b in ch.bars:
        n = round(CHART_CELLS * b.value / vmax) if vmax > 0 else 0
        if b.value > 0:
            n = max(n, 1)
        value = f"{chart_value(b.value)}{ch.unit}" + (f"（{chart_share(b.value, whole)}）" if ch.share else "")
        row = [tc(label_w, 1, para(b.label, "right"))]
        if n:
            row.append(tc(cell_w * n, n, para("", "left"), b.colour))
        if CHART_CELLS - n:
            row.append(tc(cell_w * (CHART_CELLS - n), CHART_CELLS - n, para("", "left")))
        row.append(tc(value_w, 1, para(value, "left")))
        yield ('<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="360" w:hRule="atLeast"/></w:trPr>'
               + "".join(row) + "</w:tr>")
    yield "</w:tbl>"
    if ch.caption:
        yield _para(_run(ch.caption, FONT_H2), None,
                    '<w:spacing w:before="120" w:after="240"/><w:ind w:firstLine="0" w:firstLineChars="0"/>'
                    '<w:jc w:val="center"/>')


# ---------------------------------------------------------------- the package around the body
@functools.lru_cache(maxsize=1)
def _base() -> tuple[dict[str, bytes], str, str]:
    """(static parts by name, document.xml up to the body content, the rest from w:sectPr on)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, Twips

    d = docx.Document()
    # Parts a report does not need (a 440 KB stylesWithEffects, a thumbnail, custom XML, numbering).
    for rels, drop in ((d.part.rels, ("/stylesWithEffects", "/customXml", "/numbering")),
                       (d.part.package.rels, ("/thumbnail",))):
        for rId in [rId for rId, rel in rels.items() if rel.reltype.endswith(drop)]:
            rels.pop(rId)

    # Page: A4, GB/T 9704 margins.
    sec = d.sections[0]
    sec.page_width, sec.page_height = Twips(A4_W), Twips(A4_H)
    sec.top_margin, sec.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    sec.left_margin, sec.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    sec.header_distance, sec.footer_distance = Mm(HEADER_MM), Mm(FOOTER_MM)
    sec.gutter = 0

    def fonts(rpr, east_asia: str, size: float | None = None) -> None:
        rf = rpr.find(qn("w:rFonts"))
        if rf is None:
            rf = OxmlElement("w:rFonts")
            rpr.insert(0, rf)
        for a in list(rf.attrib):
            del rf.attrib[a]
        for a in ("w:ascii", "w:hAnsi", "w:cs"):
            rf.set(qn(a), LATIN)
        rf.set(qn("w:eastAsia"), east_asia)
        rf.set(qn("w:hint"), "eastAsia")

    # Styles: docDefaults and the used styles rebuilt; everything else dropped.
    styles = d.styles
    root = styles.element
    defaults = root.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts(rpr_default, FONT_BODY)
    lang = rpr_default.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    for el in rpr_default.findall(qn("w:sz")) + rpr_default.findall(qn("w:szCs")):
        el.set(qn("w:val"), str(SIZE_BODY * 2))
    ppr_default = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(ppr_default):
        ppr_default.remove(child)

    keep = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList", STYLE_TITLE, STYLE_H1, STYLE_H2, "Footer",
            "Header"}
    for st in root.findall(qn("w:style")):
        if st.get(qn("w:styleId")) not in keep:
            root.remove(st)
        else:
            for tag in ("w:link", "w:rsid"):
                for el in st.findall(qn(tag)):
                    st.remove(el)

    def reset(style, east_asia: str, size: float) -> None:
        el = style.element
        for tag in ("w:pPr", "w:rPr"):
            old = el.find(qn(tag))
            if old is not None:
                el.remove(old)
        fonts(el.get_or_add_rPr(), east_asia)
        style.font.size = Pt(size)
        style.font.bold = False
        pf = style.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing = Twips(LINE_BODY)          # a Length: fixed ("exact") line spacing
        pf.widow_control = False

    def first_line(style, chars: int) -> None:
        pf = style.paragraph_format
        pf.first_line_indent = Pt(SIZE_BODY * chars)
        pf.left_indent = pf.right_indent = Pt(0)
        ind = style.element.pPr.find(qn("w:ind"))
        ind.set(qn("w:firstLineChars"), str(chars * 100))

    def outline(style, level: int) -> None:
        el = OxmlElement("w:outlineLvl")
        el.set(qn("w:val"), str(level))
        style.element.pPr.append(el)                # last child of pPr: schema order kept

    normal = styles["Normal"]
    reset(normal, FONT_BODY, SIZE_BODY)
    first_line(normal, 2)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    title = styles["Title"]
    reset(title, FONT_TITLE, SIZE_TITLE)
    first_line(title, 0)
    title.paragraph_format.line_spacing = Twips(LINE_TITLE)
    title.paragraph_format.space_after = Twips(LINE_BODY)   # one blank body line under the title
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    for style, font, level in ((styles["Heading 1"], FONT_H1, 0), (styles["Heading 2"], FONT_H2, 1)):
        reset(style, font, SIZE_BODY)
        first_line(style, 2)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        outline(style, level)

    from docx.enum.style import WD_STYLE_TYPE

    table_text = styles.add_style("表格文字", WD_STYLE_TYPE.PARAGRAPH)
    table_text.element.set(qn("w:styleId"), STYLE_TABLE)
    table_text.base_style = None
    reset(table_text, FONT_TABLE, SIZE_TABLE)
    first_line(table_text, 0)
    table_text.paragraph_format.line_spacing = Twips(LINE_TABLE)
    table_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table_text.paragraph_format.keep_together = True
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    table_text.element.pPr.find(qn("w:spacing")).addprevious(snap)

    for name in ("Footer", "Header"):
        st = styles[name]
        reset(st, FONT_PAGE, SIZE_PAGE)
        first_line(st, 0)
        st.paragraph_format.line_spacing = 1.0

    # Page numbers: "— 1 —", 宋体 四号; odd pages at the right, even at the left, one character in.
    d.settings.odd_and_even_pages_header_footer = True
    for footer, align, side in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = styles["Footer"]
        p.paragraph_format.alignment = align
        setattr(p.paragraph_format, f"{side}_indent", Pt(SIZE_PAGE))
        ind = p._p.pPr.find(qn("w:ind"))
        ind.set(qn(f"w:{side}Chars"), "100")

        def run(text: str | None = None, fld: str | None = None, instr: str | None = None, p=p):
            r = p.add_run(text)
            fonts(r._r.get_or_add_rPr(), FONT_PAGE)
            r.font.size = Pt(SIZE_PAGE)
            if fld:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), fld)
                r._r.append(el)
            if instr:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = instr
                r._r.append(el)

        run("— ")
        run(fld="begin")
        run(instr=" PAGE ")
        run(fld="separate")
        run("1")
        run(fld="end")
        run(" —")

    # Header: empty, except on a draft (Document.draft), whose mark goes on every page here.
    for header in (sec.header, sec.even_page_header):
        header.is_linked_to_previous = False
        p = header.paragraphs[0]
        p.style = styles["Header"]
        p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run(DRAFT_SLOT)
        fonts(r._r.get_or_add_rPr(), FONT_PAGE)
        r.font.size = Pt(SIZE_PAGE)
        r.font.bold = True

    # Settings: Chinese theme-font language, no preview picture.
    settings = d.settings.element
    for el in settings.findall(qn("w:savePreviewPicture")) + settings.findall(qn("w:rsids")):
        settings.remove(el)
    tfl = settings.find(qn("w:themeFontLang"))
    if tfl is not None:
        tfl.set(qn("w:eastAsia"), "zh-CN")

    buf = io.BytesIO()
    d.save(buf)
    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(buf) as z:
        for name in z.namelist():
            parts[name] = z.read(name)
    parts["word/fontTable.xml"] = _font_table().encode("utf-8")
    document = parts.pop("word/document.xml").decode("utf-8")
    cut = document.index("<w:sectPr")
    start = document.index("<w:body>") + len("<w:body>")
    head, tail = document[:start], document[cut:]
    del parts["docProps/core.xml"]
    return parts, head, tail


def _font_table() -> str:
    fonts = []
    for name, alt, panose, charset, family, pitch in _FONT_TABLE:
        fonts.append(f'<w:font w:name="{name}">' + (f'<w:altName w:val="{alt}"/>' if alt else "")
                     + f'<w:panose1 w:val="{panose}"/><w:charset w:val="{charset}"/><w:family w:val="{family}"/>'
                       f'<w:pitch w:val="{pitch}"/></w:font>')
    return ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            f'<w:fonts xmlns:w="{W_NS}">' + "".join(fonts) + "</w:fonts>")


def _core(doc: Document) -> str:
    now = doc.created or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    title = _esc(clean_text(doc.title))
    creator = _esc(clean_text(doc.signature_unit))
    return ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{title}</dc:title><dc:subject>政府信息公开工作年度报告</dc:subject>"
            f"<dc:creator>{creator}</dc:creator><cp:lastModifiedBy>gaixl</cp:lastModifiedBy>"
            f"<cp:keywords>{doc.year}</cp:keywords>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>')


# ---------------------------------------------------------------- the document
def body_xml(doc: Document) -> str:
    """The body content of word/document.xml (without w:sectPr), in official order."""
    return "".join(body_pieces(doc))


def body_pieces(doc: Document):
    """body_xml a piece at a time (a country's county report: never held as one text)."""
    yield _para(_run(doc.title, FONT_TITLE), STYLE_TITLE)
    for p in doc.preamble:
        yield from _narrative(p)
    last = len(doc.sections) - 1
    has_signature = bool(clean_text(doc.signature_unit).strip() or clean_text(doc.signature_date).strip())
    for i, sec in enumerate(doc.sections):
        yield _para(_run(sec.heading, FONT_H1), STYLE_H1)
        for j, p in enumerate(sec.paragraphs):
            yield from _narrative(p, keep=has_signature and i == last and j == len(sec.paragraphs) - 1
                                  and not sec.tables)
        for tb in sec.tables:
            yield _table_xml(tb)
            # A paragraph after every table: two tables side by side would merge into one.
            yield _para("", STYLE_TABLE, '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>')
        for ch in sec.charts:
            yield from chart_xml_pieces(ch)
    yield from _signature(doc.signature_unit, doc.signature_date)


def docx_bytes(doc: Document) -> bytes:
    """The .docx file of `doc`, in memory."""
    buf = io.BytesIO()
    write_docx(doc, buf)
    return buf.getvalue()


def write_docx(doc: Document, fh) -> None:
    """The .docx file of `doc` into the binary file `fh` (seekable): the same bytes as
    docx_bytes, its document.xml compressed as it is made (a country's report is never held)."""
    parts, head, tail = _base()
    # A document with a fixed creation time is byte-stable: its zip entries carry a fixed time too.
    stamp = (1980, 1, 1, 0, 0, 0) if doc.created else None

    def put(z, name: str, data) -> None:
        z.writestr(zipfile.ZipInfo(name, date_time=stamp) if stamp else name, data,
                   compress_type=zipfile.ZIP_DEFLATED)

    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        put(z, "[Content_Types].xml", parts["[Content_Types].xml"])
        put(z, "_rels/.rels", parts["_rels/.rels"])
        # As writestr would (its default level is the zlib default, 6), but fed piece by piece.
        info = zipfile.ZipInfo("word/document.xml", date_time=stamp or time.localtime(time.time())[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w") as dest:
            pending: list[str] = [head]
            size = len(head)
            for piece in body_pieces(doc):
                pending.append(piece)
                size += len(piece)
                if size >= 1 << 20:
                    dest.write("".join(pending).encode("utf-8"))
                    pending, size = [], 0
            pending.append(tail)
            dest.write("".join(pending).encode("utf-8"))
        put(z, "docProps/core.xml", _core(doc))
        for name, data in parts.items():
            if name not in ("[Content_Types].xml", "_rels/.rels"):
                if name.startswith("word/header"):
                    data = data.replace(DRAFT_SLOT.encode(), _esc(clean_text(doc.draft)).encode("utf-8"))
                put(z, name, data)


def render_docx(doc: Document, out: str | Path) -> Path:
    """Write `doc` as a Word document at `out` (atomically: a crash never leaves half a file)."""
    with atomic_file(out) as fh:
        write_docx(doc, fh)
    return Path(out)
