"""A small, fast writer of plain data workbooks (.xlsx): text and numbers, four cell styles,
a frozen header, column widths.

Why not xlsxwriter here: summary.xlsx holds one row per unit by every cell of the layout —
over a million cells for a prefecture-level city — and xlsxwriter's per-cell Python cost made it
the slowest part of a consolidation. This writer builds each row's XML with one join, uses inline
strings (no shared-string table to keep in memory), and writes fixed zip entry times so the same
input gives the same bytes.
"""
from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Sequence
from xml.sax.saxutils import escape

from gaixl.workbook.xmlparts import col_letters

# Cell styles (cellXfs indexes in styles.xml below).
PLAIN, BORDER, BOLD, HEAD = 0, 1, 2, 3

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0


col_letter = col_letters      # 0 → A, 25 → Z, 26 → AA (the reader's own function)


def _text(s: str) -> str:
    return escape(_ILLEGAL.sub("\ufffd", s))


@dataclass
class SheetSpec:
    """One worksheet: rows of cells, each row with one style for all its cells."""

    name: str
    rows: Iterable[tuple[Sequence, int]]            # (cells, style); a cell is str, int, float or None
    widths: list[tuple[int, int, float]] = field(default_factory=list)   # (first col, last col, width)
    heights: dict[int, float] = field(default_factory=dict)              # row index → height (points)
    freeze: tuple[int, int] | None = None           # rows, columns frozen above/left


def _sheet_xml(spec: SheetSpec) -> bytes:
    return b"".join(_sheet_chunks(spec))


def _sheet_chunks(spec: SheetSpec, rows_per_chunk: int = 500):
    """The sheet's XML in pieces of a few hundred rows (a sheet of a million cells is never
    held whole)."""
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">']
    out.append('<sheetViews><sheetView workbookViewId="0"')
    if spec.freeze:
        r, c = spec.freeze
        top = f"{col_letter(c)}{r + 1}"
        out.append(f'><pane xSplit="{c}" ySplit="{r}" topLeftCell="{top}" activePane="bottomRight" state="frozen"/>'
                   f'<selection pane="bottomRight" activeCell="{top}" sqref="{top}"/></sheetView></sheetViews>')
    else:
        out.append("/></sheetViews>")
    out.append('<sheetFormatPr defaultRowHeight="15"/>')
    if spec.widths:
        out.append("<cols>" + "".join(f'<col min="{a + 1}" max="{b + 1}" width="{w}" customWidth="1"/>'
                                      for a, b, w in spec.widths) + "</cols>")
    out.append("<sheetData>")
    letters: list[str] = []
    for i, (cells, style) in enumerate(spec.rows):
        n = i + 1
        while len(letters) < len(cells):
            letters.append(col_letter(len(letters)))
        s = f' s="{style}"' if style else ""
        h = spec.heights.get(i)
        parts = [f'<row r="{n}"' + (f' ht="{h}" customHeight="1"' if h else "") + ">"]
        for j, v in enumerate(cells):
            ref = f"{letters[j]}{n}"
            if v is None or v == "" or isinstance(v, bool):   # an empty text is a blank cell
                parts.append(f'<c r="{ref}"{s}/>')
            elif isinstance(v, int):
                parts.append(f'<c r="{ref}"{s}><v>{v}</v></c>')
            elif isinstance(v, float):
                parts.append(f'<c r="{ref}"{s}><v>{v!r}</v></c>' if math.isfinite(v) else f'<c r="{ref}"{s}/>')
            else:
                parts.append(f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(str(v))}</t></is></c>')
        parts.append("</row>")
        out.append("".join(parts))
        if len(out) >= rows_per_chunk:
            yield "".join(out).encode("utf-8")
            out = []
    out.append('</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
               "</worksheet>")
    yield "".join(out).encode("utf-8")


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
    '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def xlsx_bytes(sheets: list[SheetSpec], *, title: str = "", author: str = "gaixl",
               created: datetime | None = None) -> bytes:
    """The workbook as bytes (deterministic for the same arguments)."""
    buf = io.BytesIO()
    write_xlsx(buf, sheets, title=title, author=author, created=created)
    return buf.getvalue()


def write_xlsx(fh, sheets: list[SheetSpec], *, title: str = "", author: str = "gaixl",
               created: datetime | None = None, large: bool = False) -> None:
    """The workbook into a seekable binary file, each sheet's XML compressed as it is made
    (deterministic for the same arguments). `large`: sheets may pass 2 GB uncompressed."""
    when = (created or datetime(2000, 1, 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    n = len(sheets)
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                    for i in range(1, n + 1))
          + '<Override PartName="/xl/styles.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
          '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
          '<Override PartName="/docProps/app.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
            'Target="docProps/app.xml"/></Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          '<bookViews><workbookView/></bookViews><sheets>'
          + "".join(f'<sheet name="{_text(s.name)}" sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, 1))
          + "</sheets></workbook>")
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               + "".join(f'<Relationship Id="rId{i}" '
                         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                         f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
               + f'<Relationship Id="rId{n + 1}" '
               'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
               "</Relationships>")
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{_text(title)}</dc:title><dc:creator>{_text(author)}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified></cp:coreProperties>')
    app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           "<Application>gaixl</Application></Properties>")
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        def put(name: str, body) -> None:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=large) as w:
                for chunk in ([body] if isinstance(body, (str, bytes)) else body):
                    w.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        put("[Content_Types].xml", ct)
        put("_rels/.rels", rels)
        put("docProps/app.xml", app)
        put("docProps/core.xml", core)
        put("xl/workbook.xml", wb)
        put("xl/_rels/workbook.xml.rels", wb_rels)
        put("xl/styles.xml", _STYLES)
        for i, s in enumerate(sheets, 1):
            put(f"xl/worksheets/sheet{i}.xml", _sheet_chunks(s))


__all__ = ["SheetSpec", "xlsx_bytes", "write_xlsx", "col_letter", "PLAIN", "BORDER", "BOLD", "HEAD"]
