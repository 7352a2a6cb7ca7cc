"""The report as a document: what every renderer (Word, Markdown, HTML) lays out.

Built from ReportData and its Layout only, so a renderer never decides content: the title,
the customary opening paragraph, the six sections in official order with their paragraphs
and tables (caption, header cells, row labels and merges exactly as the template places them,
gaixl.workbook.grid), and the signature. Cell texts are final strings: zero prints 0, never blank;
2019-format 本年增/减 prints 增5 / 减5 / 0; amounts keep their decimals.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gaixl.findings import Finding
from gaixl.report.data import ReportData
from gaixl.spec.load import load_layout
from gaixl.spec.model import Layout
from gaixl.spec.rules import CellRef
from gaixl.workbook.grid import place_table


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    role: str           # caption | corner | header | label | value | blank


@dataclass
class TableBlock:
    key: str
    caption: str | None
    n_rows: int
    n_cols: int
    header_rows: int    # rows at the top that are caption or header (repeated across pages)
    cells: list[Cell]   # top-left cells of every (merged) area, row-major

    def grid(self) -> list[list[Cell | None]]:
        """n_rows × n_cols: each position holds its Cell where an area starts, else None."""
        g: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for c in self.cells:
            g[c.row][c.col] = c
        return g


@dataclass
class DocSection:
    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[TableBlock] = field(default_factory=list)


@dataclass
class Document:
    title: str
    preamble: list[str]
    sections: list[DocSection]
    signature_unit: str
    signature_date: str            # 2021年1月11日, or "" when unknown
    layout: str
    year: int
    warnings: list[Finding] = field(default_factory=list)
    draft: str = ""                # a draft's mark (“草稿（未通过校验）”), shown on every page; "" for a report


DRAFT_MARK = "草稿（未通过校验）"


def format_value(value, kind: str) -> str:
    """A cell as printed: zero (and blank) print 0; 增/减 as 增5 / 减5 / 0; decimals kept."""
    if value is None or value == "":
        value = 0
    if isinstance(value, str):          # a data file may still hold text: print it as given
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if kind == "signed":
        return f"增{value}" if value > 0 else f"减{-value}" if value < 0 else "0"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def chinese_date(iso: str) -> str:
    try:
        d = dt.date.fromisoformat((iso or "").strip())
    except ValueError:
        return iso or ""
    return f"{d.year}年{d.month}月{d.day}日"


def table_block(layout: Layout, data: ReportData, key: str) -> TableBlock:
    """One table laid out as the official form (the template's own geometry, top row 0)."""
    t = layout.tables[key]
    geo = place_table(layout, t, "", 0)
    cells: list[Cell] = []

    def add(box, text, role):
        cells.append(Cell(box.r1, box.c1, box.r2 - box.r1 + 1, box.c2 - box.c1 + 1, text, role))

    if geo.caption is not None:
        add(geo.caption, t.caption or "", "caption")
    for box, text in geo.headers:
        corner = t.label_columns and box.c1 == 0 and box.r1 == geo.header_rows[0]
        add(box, text, "corner" if corner else "header")
    for box, text, _group in geo.labels:
        add(box, text, "label")
    for (rk, ck), box in geo.cells.items():
        col = t.column(ck)
        add(box, format_value(data.value(layout, CellRef(key, rk, ck)), col.kind), "value")
    for box in geo.blanks:
        add(box, "", "blank")
    cells.sort(key=lambda c: (c.row, c.col))
    n_rows = max(c.row + c.rowspan for c in cells)
    n_cols = max(c.col + c.colspan for c in cells)
    return TableBlock(key=key, caption=t.caption, n_rows=n_rows, n_cols=n_cols,
                      header_rows=geo.header_rows[1] + 1, cells=cells)


def preamble(layout: Layout, data: ReportData) -> list[str]:
    """The customary opening paragraph: the statute, the period, where the copy is, whom to ask."""
    unit = data.unit.get("name") or data.signature.get("unit") or ""
    y = data.year
    basis = "《中华人民共和国政府信息公开条例》（以下简称《条例》）"
    if layout.notice_title:
        basis += f"和{layout.notice_title}（{layout.notice}）"
    parts = [f"本报告根据{basis}要求，由{unit}编制。",
             f"全文包括{'、'.join(s.bare_heading for s in layout.sections)}。",
             f"本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"]
    c = data.contact or {}
    if c.get("url"):
        parts.append(f"本报告电子版可在{c['url']}查阅和下载。")
    ways = [f"{label}：{c[k]}" for k, label in (("address", "地址"), ("postcode", "邮编"), ("phone", "电话"),
                                               ("email", "电子邮箱")) if c.get(k)]
    if ways:
        parts.append(f"如对本报告有疑问，请与{unit}联系（{'；'.join(ways)}）。")
    elif c.get("contact"):
        parts.append(f"如对本报告有疑问，请与{unit}{c['contact']}联系。")
    return ["".join(parts)]


def build_document(data: ReportData, layout: Layout | None = None) -> Document:
    layout = layout or load_layout(data.layout)
    unit = data.unit.get("name") or data.signature.get("unit") or ""
    warnings: list[Finding] = []
    sections = []
    for s in layout.sections:
        sec = DocSection(key=s.key, heading=s.heading)
        if s.kind == "tables":
            sec.tables = [table_block(layout, data, k) for k in s.tables]
        else:
            sec.paragraphs = [p.rstrip() for p in data.text.get(s.heading, []) if p and p.strip()]
            if not sec.paragraphs:
                # Official practice writes 无 under 六 when there is nothing to report; the other
                # narrative sections must be written by the unit: the heading stays, and we warn.
                if s.required != "error":
                    sec.paragraphs = ["无。"]
                warnings.append(Finding(code="text-empty", severity="warning", table="text",
                                        message=f"第{s.heading[0]}部分“{s.heading}”未填写"
                                                + ("，报告中写作“无。”" if s.required != "error" else "，报告中该部分为空"),
                                        message_en=f"section “{s.heading}” is empty"
                                                   + (": written as 无。" if s.required != "error" else ": left empty"),
                                        row=s.heading))
        sections.append(sec)
    return Document(title=f"{unit}{data.year}年政府信息公开工作年度报告", preamble=preamble(layout, data),
                    sections=sections, signature_unit=data.signature.get("unit") or unit,
                    signature_date=chinese_date(data.signature.get("date", "")), layout=layout.id, year=data.year,
                    warnings=warnings)
