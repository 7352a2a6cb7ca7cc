"""The report as one self-contained HTML5 page (no scripts, no external assets, printable on A4).

Everything comes from the Document (document.py); this module only lays it out:

* the title (方正小标宋 stack), the preamble and the six sections in order, paragraphs with a
  two-character first-line indent (仿宋 stack), headings in the 黑体 stack — the usual look of a
  Chinese official document (GB/T 9704: A4, margins 37/26/35/28 mm);
* tables as real <table>s: the 第二十条第（…）项 caption row becomes the <caption>; a table without a
  caption gets a visually hidden one naming its section; the header rows go into <thead> (repeated on
  every printed page), column headers are <th scope="col|colgroup">, row labels <th scope="row|rowgroup">,
  values right-aligned <td>, and rowspan/colspan are exactly the model's;
* the signature (unit, date) right-aligned at the end.

Text is data, never markup: every string is HTML-escaped. The only change made to text is dropping
what an HTML document cannot carry (see clean_text): a paragraph reads back exactly as given.
"""
from __future__ import annotations

import html
import itertools
import re
from pathlib import Path

from gaixl.atomic import write_text
from gaixl.document.model import Cell, Document, TableBlock

# Characters HTML forbids in text (control characters other than ASCII whitespace, noncharacters);
# a carriage return is a line break (HTML parsing turns CR and CR LF into LF anyway).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
                        "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff"
                        "\U0004fffe\U0004ffff\U0005fffe\U0005ffff\U0006fffe\U0006ffff"
                        "\U0007fffe\U0007ffff\U0008fffe\U0008ffff\U0009fffe\U0009ffff"
                        "\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
                        "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff"
                        "\U0010fffe\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")

TITLE_FONTS = '"方正小标宋简体","FZXiaoBiaoSong-B05S","SimSun","Noto Serif CJK SC",serif'
BODY_FONTS = '"仿宋_GB2312","FangSong","STFangsong","Noto Serif CJK SC",serif'
HEADING_FONTS = '"黑体","SimHei","Noto Sans CJK SC",sans-serif'

STYLE = f"""
html {{ background: #fff; color: #000; }}
body {{ margin: 0; font-family: {BODY_FONTS}; font-size: 16pt; line-height: 1.75; }}
.report {{ box-sizing: border-box; max-width: 210mm; margin: 0 auto; padding: 24mm 20mm; }}
.draft {{ text-align: center; font-weight: bold; color: #c00000; font-size: 14pt; padding: 2mm 0;
         border-bottom: 1px solid #c00000; background: #fff; }}
@media print {{ .draft {{ position: fixed; top: 0; left: 0; right: 0; }} }}
h1 {{ font-family: {TITLE_FONTS}; font-size: 22pt; font-weight: normal; line-height: 1.5;
      text-align: center; margin: 0 0 1em; }}
h2 {{ font-family: {HEADING_FONTS}; font-size: 16pt; font-weight: normal; margin: 1em 0 0.25em;
      text-indent: 2em; break-after: avoid; page-break-after: avoid; }}
p {{ margin: 0; text-indent: 2em; text-align: justify; white-space: pre-wrap; overflow-wrap: anywhere; }}
table {{ border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; font-size: 10.5pt; line-height: 1.4;
         break-inside: auto; }}
caption {{ caption-side: top; text-align: left; font-size: 12pt; padding: 0.25em 0; }}
th, td {{ border: 1px solid #000; padding: 0.25em 0.4em; white-space: pre-line; overflow-wrap: anywhere; }}
table.fixed {{ table-layout: fixed; }}
thead th {{ font-weight: bold; text-align: center; vertical-align: middle; }}
table:not(.fixed) thead th[scope="col"] {{ min-width: 2.2em; }}
table.wide {{ font-size: 9pt; }}
table.wide th, table.wide td {{ padding: 0.2em 0.15em; }}
th.corner {{ font-weight: normal; font-size: 9pt; }}
tbody th {{ font-weight: normal; text-align: left; vertical-align: middle; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
.visually-hidden {{ position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
                    overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;
                    border: 0; }}
.signature {{ margin-top: 2em; text-align: right; }}
.signature p {{ text-indent: 0; text-align: right; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
@page {{ size: A4; margin: 37mm 26mm 35mm 28mm; }}
@media print {{
  .report {{ max-width: none; padding: 0; }}
  thead {{ display: table-header-group; }}
  tr, th, td {{ break-inside: avoid; page-break-inside: avoid; }}
  table.keep {{ break-inside: avoid; page-break-inside: avoid; }}
  thead, thead tr {{ break-after: avoid; page-break-after: avoid; }}
  tbody:first-of-type tr:first-child {{ break-before: avoid; page-break-before: avoid; }}
  h2 {{ break-after: avoid; page-break-after: avoid; }}
}}
""".strip("\n")


def clean_text(text: str) -> str:
    """The text as an HTML page carries it: CR / CR LF become LF, characters HTML forbids in text
    (C0/C1 controls other than tab, LF and form feed; noncharacters) are dropped, and a lone
    surrogate becomes U+FFFD. Anything else — markup, emoji, rare CJK, spaces — is kept as is."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _FORBIDDEN.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def esc(text: str) -> str:
    """Text → HTML text (also safe inside a double- or single-quoted attribute)."""
    return html.escape(clean_text(text), quote=True)


def _cell_text(text: str) -> str:
    # A line break inside a cell is written as a character reference so a table never holds a
    # blank source line (which would end a Markdown HTML block); the text reads back the same.
    return esc(text).replace("\n", "&#10;")


def _attrs(**attrs) -> str:
    out = []
    for k, v in attrs.items():
        if v is None:
            continue
        out.append(f' {k.rstrip("_")}="{html.escape(str(v), quote=True)}"')
    return "".join(out)


def _spans(c: Cell) -> dict:
    return {"rowspan": c.rowspan if c.rowspan > 1 else None, "colspan": c.colspan if c.colspan > 1 else None}


def _body_groups(table: TableBlock, top: int) -> list[tuple[int, int]]:
    """Row ranges [a, b) of the <tbody> elements: a new group at each row label of the first column
    when some of them span several rows (so scope="rowgroup" covers exactly its rows), else one."""
    rows = range(top, table.n_rows)
    if not rows:
        return []
    firsts = [c for c in table.cells if c.col == 0 and c.row >= top and c.role == "label"]
    starts = {top}
    if any(c.rowspan > 1 for c in firsts):
        starts |= {c.row for c in firsts} | {c.row + c.rowspan for c in firsts if c.row + c.rowspan < table.n_rows}
    # never cut through a merged area
    starts = {s for s in starts if s == top or not any(c.row < s < c.row + c.rowspan for c in table.cells)}
    edges = sorted(starts) + [table.n_rows]
    return [(a, b) for a, b in itertools.pairwise(edges) if a < b]


def table_html(table: TableBlock, *, fallback_caption: str | None = None, markdown: bool = False) -> str:
    """One table as HTML (no blank lines, so it is also a valid HTML block inside Markdown).

    fallback_caption: caption for a table whose model has none (visually hidden on the page;
    left out in Markdown, where the section heading sits right above). markdown=True uses
    align="right" attributes instead of CSS classes (Markdown viewers drop style sheets).
    """
    caption_cells = [c for c in table.cells if c.role == "caption"]
    caption_rows = {c.row for c in caption_cells}
    # a row holding nothing but the caption is not a table row: it becomes the <caption>
    caption_rows = {r for r in caption_rows
                    if all(c.role == "caption" for c in table.cells if c.row == r)}
    by_row: dict[int, list[Cell]] = {}
    for c in sorted(table.cells, key=lambda c: (c.row, c.col)):
        if c.row in caption_rows:
            continue
        by_row.setdefault(c.row, []).append(c)

    head_end = max(table.header_rows, 0)
    header_row_ids = [r for r in range(head_end) if r not in caption_rows]

    # equal columns (the section 二 tables line up, 四's fifteen columns share the width) unless
    # the row labels spread over several columns (三), where the browser sizes them best
    fixed = not markdown and not any(c.colspan > 1 for c in table.cells if c.role in ("label", "corner"))
    classes = [] if markdown else [name for name, on in (("fixed", fixed),
                                                          ("keep", table.n_rows <= 10),      # never split
                                                          ("wide", table.n_cols >= 12)) if on]
    lines = [f'<table class="{" ".join(classes)}">' if classes else "<table>"]
    if caption_cells:
        lines.append(f"<caption>{_cell_text(''.join(c.text for c in caption_cells))}</caption>")
    elif fallback_caption and not markdown:
        lines.append(f'<caption class="visually-hidden">{_cell_text(fallback_caption)}</caption>')

    # column groups from the top header row, so scope="colgroup" has groups to refer to
    if header_row_ids and not markdown:
        top = by_row.get(header_row_ids[0], [])
        if top and sum(c.colspan for c in top) == table.n_cols and any(c.colspan > 1 for c in top):
            lines.append("".join(f"<colgroup{_attrs(span=c.colspan if c.colspan > 1 else None)}></colgroup>"
                                 for c in top))

    def cell_html(c: Cell) -> str:
        text = _cell_text(c.text)
        sp = _spans(c)
        if c.role in ("header", "corner"):
            scope = "colgroup" if c.colspan > 1 else "col"
            # the 勾稽 note over the label columns of 三 reads as a note, not as a column title
            cls = "corner" if c.role == "corner" and c.colspan > 1 and not markdown else None
            return f"<th{_attrs(scope=scope, class_=cls, **sp)}>{text}</th>"
        if c.role == "label":
            scope = "rowgroup" if c.rowspan > 1 else "row"
            return f"<th{_attrs(scope=scope, **sp)}>{text}</th>"
        if c.role == "caption":                      # a caption cell sharing its row with others
            return f"<th{_attrs(scope='colgroup' if c.colspan > 1 else 'col', **sp)}>{text}</th>"
        if c.role == "value":
            if markdown:
                return f'<td{_attrs(align="right", **sp)}>{text}</td>'
            return f'<td{_attrs(class_="num", **sp)}>{text}</td>'
        cls = None if markdown else "blank"
        return f"<td{_attrs(class_=cls, **sp)}>{text}</td>"

    def rows_html(rows) -> list[str]:
        out = []
        for r in rows:
            cells = by_row.get(r, [])
            out.append("<tr>" + "".join(cell_html(c) for c in cells) + "</tr>")
        return out

    if header_row_ids:
        lines.append("<thead>")
        lines += rows_html(header_row_ids)
        lines.append("</thead>")
    for a, b in _body_groups(table, head_end):
        lines.append("<tbody>")
        lines += rows_html(r for r in range(a, b) if r not in caption_rows)
        lines.append("</tbody>")
    lines.append("</table>")
    return "\n".join(lines)


def _section_id(key: str, i: int) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]", "", str(key))
    return f"sec-{safe or i}"


def html_text(doc: Document) -> str:
    """The whole page as a string."""
    title = esc(doc.title)
    out = ["<!DOCTYPE html>",
           '<html lang="zh-CN">',
           "<head>",
           '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{title}</title>",
           f"<style>\n{STYLE}\n</style>",
           "</head>",
           "<body>"]
    if doc.draft:
        # Fixed: a browser prints it at the top of every page.
        out.append(f'<div class="draft" role="note">{esc(doc.draft)}</div>')
    out += ['<main class="report">', f"<h1>{title}</h1>"]
    out += [f"<p>{esc(p)}</p>" for p in doc.preamble]
    seen: set[str] = set()
    for i, s in enumerate(doc.sections, 1):
        sid = _section_id(s.key, i)
        while sid in seen:
            sid += f"-{i}"
        seen.add(sid)
        out.append(f'<section aria-labelledby="{sid}">')
        out.append(f'<h2 id="{sid}">{esc(s.heading)}</h2>')
        out += [f"<p>{esc(p)}</p>" for p in s.paragraphs]
        for j, t in enumerate(s.tables, 1):
            name = s.heading if len(s.tables) == 1 else f"{s.heading}（表{j}）"
            out.append(table_html(t, fallback_caption=name))
        out.append("</section>")
    sig = [x for x in (doc.signature_unit, doc.signature_date) if x]
    if sig:
        out.append('<div class="signature">')
        out += [f"<p>{esc(x)}</p>" for x in sig]
        out.append("</div>")
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


def render_html(doc: Document, out: str | Path) -> Path:
    """Write the page to `out` (atomically) and return its path."""
    return write_text(out, html_text(doc))
