"""HTML pages → blocks: paragraphs in reading order and every data <table> as a grid.

rowspan/colspan are expanded (a merged cell's text repeated in every position it covers, and
recorded in Table.spans); script, style, nav and the like are ignored; a <table> that holds other
tables is a page-layout table: its content is walked, not read as a grid.
"""
from __future__ import annotations

import re

from gaixl.importers import limits
from gaixl.importers.blocks import Block, Para, Table

_SKIP = {"script", "style", "nav", "head", "noscript", "template", "iframe", "object", "svg", "button", "select",
         "option", "textarea", "header", "footer"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "main",
          "blockquote", "pre", "dd", "dt", "dl", "center", "form", "body", "html", "caption", "figure", "hr", "address"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
_MAX_SPAN = 200


def decode_html(raw: bytes) -> str:
    m = _CHARSET.search(raw[:4096])
    encs = [m.group(1).decode("ascii", "replace").lower()] if m else []
    for enc in encs + ["utf-8-sig", "gb18030"]:
        if enc in ("gb2312", "gbk"):
            enc = "gb18030"
        try:
            return raw.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("utf-8", errors="replace")


def _tag(el) -> str:
    t = el.tag
    return t.lower() if isinstance(t, str) else ""


def _cell_text(el) -> str:
    parts: list[str] = []

    def walk(e) -> None:
        tag = _tag(e)
        if tag in _SKIP:
            return
        if tag == "br":
            parts.append("\n")
        elif tag in ("p", "div", "li") and parts and not parts[-1].endswith("\n"):
            parts.append("\n")
        if e.text and tag:
            parts.append(e.text)
        for ch in e:
            walk(ch)
            if ch.tail:
                parts.append(ch.tail)

    walk(el)
    text = "".join(parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", l).strip() for l in text.split("\n")]
    return "\n".join(l for l in lines if l)


def _int(v, default: int = 1) -> int:
    try:
        n = int(str(v).strip().split(".")[0] or default)
    except (TypeError, ValueError):
        return default
    return min(max(n, 1), _MAX_SPAN)


def table_grid(tbl, where: str = "", cells: list[int] | None = None) -> Table:
    """One <table> (without nested tables) → a rectangular grid with merges expanded. More rows
    or cells than any report has (gaixl.importers.limits) → InputError, before the grid is built."""
    rows_el = [tr for tr in tbl.iter("tr") if tr.getparent() is not None]
    limits.check(where, "rows in one table", "单个表格的行数", len(rows_el), limits.MAX_TABLE_ROWS)
    n = sum(len(tr) for tr in rows_el)
    if cells is not None:
        cells[0] += n
        n = cells[0]
    limits.check(where, "table cells", "表格单元格数", n, limits.MAX_CELLS)
    grid: dict[tuple[int, int], str] = {}
    spans: list[tuple[int, int, int, int]] = []
    width = filled = 0
    for r, tr in enumerate(rows_el):
        c = 0
        for td in tr:
            if _tag(td) not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            rs, cs = _int(td.get("rowspan")), _int(td.get("colspan"))
            rs = min(rs, len(rows_el) - r)
            filled += rs * cs                      # merged cells expand: bound the grid, not just the tags
            limits.check(where, "table cells (merges expanded)", "表格单元格数（含合并单元格）", filled,
                         limits.MAX_CELLS)
            text = _cell_text(td)
            for rr in range(r, r + rs):
                for cc in range(c, c + cs):
                    grid.setdefault((rr, cc), text)
            if rs > 1 or cs > 1:
                spans.append((r, c, rs, cs))
            c += cs
            width = max(width, c)
    rows = [[grid.get((r, c), "") for c in range(width)] for r in range(len(rows_el))]
    return Table(rows=rows, spans=spans)


def html_blocks(text: str, where: str = "") -> list[Block]:
    import lxml.html
    from lxml import etree

    if not text.strip():
        return []
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", errors="replace"),
                                             parser=lxml.html.HTMLParser(encoding="utf-8", recover=True))
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        return [Para(t) for t in text.splitlines() if t.strip()]
    blocks: list[Block] = []
    buf: list[str] = []
    ntables = [0]
    cells = [0]                     # table cells so far (gaixl.importers.limits.MAX_CELLS)

    def flush() -> None:
        s = "".join(buf).replace("\xa0", " ")
        buf.clear()
        for line in s.split("\n"):
            line = re.sub(r"[ \t\r\f\v]+", " ", line).strip()
            if line:
                blocks.append(Para(line))

    def walk(el) -> None:
        tag = _tag(el)
        if tag in _SKIP or not tag:
            return
        if tag == "table":
            if any(True for _ in el.iter("table") if _ is not el):
                flush()
                for ch in el:
                    walk_children_of(ch)
                flush()
                return
            flush()
            t = table_grid(el, where, cells)
            ntables[0] += 1
            t.where = f"表格{ntables[0]}"
            if t.rows:
                blocks.append(t)
            return
        if tag == "br":
            buf.append("\n")
            return
        block = tag in _BLOCK or tag in ("tr", "td", "th")
        if block:
            flush()
        if el.text:
            buf.append(el.text)
        for ch in el:
            walk(ch)
            if ch.tail:
                buf.append(ch.tail)
        if block:
            flush()

    def walk_children_of(el) -> None:
        # inside a layout table: rows and cells are only containers
        tag = _tag(el)
        if tag in ("tr", "td", "th", "tbody", "thead", "tfoot"):
            flush()
            if el.text:
                buf.append(el.text)
            for ch in el:
                walk_children_of(ch) if _tag(ch) in ("tr", "td", "th", "tbody", "thead", "tfoot") else walk(ch)
                if ch.tail:
                    buf.append(ch.tail)
            flush()
        else:
            walk(el)

    walk(root)
    flush()
    return blocks
