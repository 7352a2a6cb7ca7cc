"""The report as Markdown (CommonMark / GitHub): headings, paragraphs, tables as HTML blocks.

`# title`, the preamble, `## 一、总体情况` … in official order, each section's paragraphs, the tables
as HTML tables (the official tables need rowspan/colspan, which Markdown tables cannot express;
html.table_html writes them without blank lines, so each is one HTML block), and the signature
right-aligned in a `<p align="right">` block at the end.

Text is data, never markup: in paragraphs and headings Markdown punctuation is backslash-escaped
and < & > are written as character references, so `# x`, `| a | b |`, `[link](http://x)`, `**bold**`
or `<script>` read as the text they are. Spaces at either end of a line (also U+3000 and the other
Unicode spaces) are written as references such as `&#32;` / `&#12288;` (Markdown would strip them), a
line break inside a paragraph as a hard break (backslash at end of line). unescape_markdown() inverts
the escaping exactly; characters HTML cannot carry are dropped first (html.clean_text). Bare URLs and
e-mail addresses may still be auto-linked by GitHub-flavoured viewers: the visible text is unchanged.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from gaixl.atomic import write_text
from gaixl.document.html import clean_text, esc, table_html
from gaixl.document.model import Document

# Backslash-escaped wherever they appear: inline markup (emphasis, code, links, tables, strikethrough,
# math) and the escape character itself. '#' everywhere too (closing sequences of ATX headings).
_INLINE = set("\\`*_[]|~$#")
# Escaped only at the start of a line: block quotes, list bullets, setext underlines / breaks.
_LINE_START = set(">-+=")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=[ \t]|$)")
_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _is_edge_space(ch: str) -> bool:
    # spaces and tabs, but also the Unicode spaces (U+3000 full-width indent, U+00A0, …) and the BOM,
    # which many renderers (markdown-it's trim()) strip from the ends of a paragraph
    return ch.isspace() or ch == "\ufeff"


def _ref(ch: str) -> str:
    return f"&#{ord(ch)};"


def _escape_line(line: str) -> str:
    """One line of a paragraph, no newline inside."""
    lead = 0
    while lead < len(line) and _is_edge_space(line[lead]):
        lead += 1
    if lead == len(line):                      # whitespace only
        return "".join(_ref(ch) for ch in line)
    trail = 0
    while _is_edge_space(line[len(line) - 1 - trail]):
        trail += 1
    core = line[lead:len(line) - trail]
    body = []
    for i, ch in enumerate(core):
        if ch in _ENTITY:
            body.append(_ENTITY[ch])
        elif ch in _INLINE or (i == 0 and ch in _LINE_START):
            body.append("\\" + ch)
        else:
            body.append(ch)
    text = "".join(body)
    m = _ORDERED.match(core)
    if m:                                      # "1." / "1)" would start an ordered list
        text = m.group(1) + "\\" + m.group(2) + text[m.end():]
    return ("".join(_ref(ch) for ch in line[:lead]) + text
            + "".join(_ref(ch) for ch in line[len(line) - trail:]))


def escape_markdown(text: str) -> str:
    """Paragraph text → Markdown source that renders as exactly that text (see module doc).

    Line breaks become hard breaks (`\\` + newline); line breaks at the very end (which Markdown
    cannot express as breaks) are written as `&#10;`. The result never holds a blank line.
    """
    text = clean_text(text)
    body = text.rstrip("\n")
    tail = len(text) - len(body)
    out = "\\\n".join(_escape_line(line) for line in body.split("\n")) if body else ""
    return out + "&#10;" * tail


_UNESCAPE = re.compile(r"\\\n|\\([!-/:-@\[-`{-~])|&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def unescape_markdown(src: str) -> str:
    """The inverse of escape_markdown (for checks): hard breaks, backslash escapes, references."""
    def sub(m: re.Match) -> str:
        if m.group(0) == "\\\n":
            return "\n"
        if m.group(1) is not None:
            return m.group(1)
        return html.unescape(m.group(0))
    return _UNESCAPE.sub(sub, src)


def _heading(level: int, text: str) -> str:
    one_line = " ".join(clean_text(text).split("\n"))
    return "#" * level + " " + escape_markdown(one_line.strip() or one_line)


def markdown_text(doc: Document) -> str:
    blocks = [f"**{escape_markdown(doc.draft)}**"] if doc.draft else []
    blocks.append(_heading(1, doc.title))
    blocks += [escape_markdown(p) for p in doc.preamble if p != ""]
    for s in doc.sections:
        blocks.append(_heading(2, s.heading))
        blocks += [escape_markdown(p) for p in s.paragraphs if p != ""]
        blocks += [table_html(t, markdown=True) for t in s.tables]
    sig = [esc(x).replace("\n", "&#10;") for x in (doc.signature_unit, doc.signature_date) if x]
    if sig:
        blocks.append('<p align="right">' + "<br>\n".join(sig) + "</p>")
    return "\n\n".join(blocks) + "\n"


def render_markdown(doc: Document, out: str | Path) -> Path:
    """Write the Markdown to `out` (atomically) and return its path."""
    return write_text(out, markdown_text(doc))
