"""The consolidation's status outputs and the county-wide report, from a Consolidation.

    write_status_html(c, path) -> Path    status.html: one self-contained page (inline CSS and SVG)
    write_status_xlsx(c, path) -> Path    status.xlsx: 报送情况 (one row per roster unit) + 收到的文件
    write_county_report(c, path) -> Path  county-report.docx: the official report from the totals,
                                          with charts (native Word tables) after the 三 table

All three are written atomically and are byte-identical for the same Consolidation: nothing
depends on the clock (the workbook's and the document's created dates are fixed, zip entries
carry a fixed time), rows are in roster / file order.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from gaixl.atomic import write_bytes, write_text
from gaixl.consolidation import charts
from gaixl.consolidation.model import Consolidation, Entry, UnitStatus
from gaixl.document.html import esc
from gaixl.report.data import ReportData
from gaixl.spec.model import Layout

FIXED_DATE = dt.datetime(2000, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

UNIT_STATUS_ZH = {"accepted": "已采用", "rejected": "被退回", "missing": "未报送"}
ENTRY_STATE_ZH = {"accepted": "已采用", "superseded": "已被新文件替代", "rejected": "被退回",
                  "unknown-unit": "单位不在名单中"}
UNIT_COLUMNS = ["单位代码", "单位名称", "报送状态", "文件", "报送时间", "错误数", "警告数", "说明"]
FILE_COLUMNS = ["文件", "状态", "单位代码", "单位名称", "报送时间", "时间来源", "错误数", "警告数", "原因", "SHA-256"]


# ---------------------------------------------------------------- the rows (shared by HTML and xlsx)
def title_of(c: Consolidation) -> str:
    return f"{c.county}{c.year}年度政府信息公开工作年度报告报送情况"


def _time(iso: str | None) -> str:
    return (iso or "").replace("T", " ")


def _source_zh(source: str) -> str:
    return {"email": "邮件日期", "file": "文件保存时间"}.get(source or "", source or "")


def unit_row(u: UnitStatus) -> list:
    e = u.entry
    reason = ""
    if u.status == "missing":
        reason = "未收到该单位的报送文件" if e is None else (e.reason or "")
    elif e is not None:
        reason = e.reason or ""
    return [u.code, u.name, UNIT_STATUS_ZH.get(u.status, u.status), e.file if e else "",
            _time(e.submitted_at) if e else "", e.errors if e else None, e.warnings if e else None, reason]


def file_row(e: Entry) -> list:
    return [e.file, ENTRY_STATE_ZH.get(e.state, e.state), e.unit_code or "", e.unit_name or "",
            _time(e.submitted_at), _source_zh(e.source), e.errors, e.warnings, e.reason or "", e.sha256]


def sorted_entries(c: Consolidation) -> list[Entry]:
    return sorted(c.entries, key=lambda e: (e.file, e.sha256))


def summary(c: Consolidation) -> dict[str, int]:
    n = c.counts()
    return {"units": len(c.units),
            "accepted": sum(u.status == "accepted" for u in c.units),
            "rejected": sum(u.status == "rejected" for u in c.units),
            "missing": sum(u.status == "missing" for u in c.units),
            "files": n["files"], "files_accepted": n["accepted"], "superseded": n["superseded"],
            "files_rejected": n["rejected"], "unknown": n["unknown-unit"]}


def unit_applications(c: Consolidation) -> list[charts.Bar]:
    """三 一、本年新收 总计 of every accepted unit, largest first (ties by roster order)."""
    names = {u.code: u.name for u in c.units}
    order = {u.code: i for i, u in enumerate(c.units)}
    rows = [(code, names.get(code) or d.unit.get("name") or code, charts.applications(c.layout, d))
            for code, d in c.accepted.items()]
    rows.sort(key=lambda r: (-r[2], order.get(r[0], len(order)), r[0]))
    return [charts.Bar(name, v) for _code, name, v in rows]


def year_over_year(c: Consolidation) -> tuple[list[str], list[float], list[float]] | None:
    """(categories, this year, last year) of the county total, or None without history."""
    prev = c.previous_total
    if prev is None and c.previous:
        prev = _sum(c.layout, list(c.previous.values()), c.year - 1)
    if prev is None:
        return None
    cats = ["新收申请"] + [b.label for b in charts.results_breakdown(c.layout, c.total)]
    this = [charts.applications(c.layout, c.total)] + [b.value for b in charts.results_breakdown(c.layout, c.total)]
    last = [charts.applications(c.layout, prev)] + [b.value for b in charts.results_breakdown(c.layout, prev)]
    return cats, this, last


def _sum(layout: Layout, datas: list[ReportData], year: int) -> ReportData:
    from gaixl.spec.rules import compute, input_cells
    out = ReportData.empty(layout, year)
    for ref, _col in input_cells(layout):
        out.set_value(layout, ref, sum(d.number(layout, ref) for d in datas))
    for ref, v in compute(layout, lambda r: out.number(layout, r)).items():
        out.set_value(layout, ref, v)
    return out


# ---------------------------------------------------------------- status.html
STYLE = """
html { background: #fff; color: #1a1a1a; }
body { margin: 0; font-family: "Noto Sans CJK SC","Microsoft YaHei","PingFang SC","SimHei",sans-serif;
       font-size: 14px; line-height: 1.6; }
main { box-sizing: border-box; max-width: 1200px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 24px; margin: 0 0 16px; text-align: center; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid #2f6fb3; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 4px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 0; padding: 0; }
.card { flex: 1 1 120px; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; margin: 0; }
.card dt { color: #555; font-size: 13px; }
.card dd { margin: 0; font-size: 24px; font-weight: bold; font-variant-numeric: tabular-nums; }
.card.accepted dd { color: #2e8b57; } .card.rejected dd { color: #c0392b; } .card.missing dd { color: #757575; }
figure { margin: 8px 0 16px; }
figcaption { font-size: 13px; color: #444; margin-top: 2px; }
svg.chart { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0 16px; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border: 1px solid #c8ced6; padding: 4px 6px; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #eef3f9; text-align: center; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.code, td.time { white-space: nowrap; }
.status { display: inline-block; padding: 0 8px; border-radius: 10px; font-weight: bold; white-space: nowrap; }
.status::before { content: "●"; margin-right: 4px; }
.s-accepted { color: #1e6b3f; background: #e3f4ea; }
.s-rejected { color: #a02c20; background: #fbe5e1; }
.s-missing { color: #555; background: #eeeeee; }
.s-superseded { color: #6b5a00; background: #fbf3d0; }
.s-unknown-unit { color: #6a3d8f; background: #efe6f7; }
tr.r-rejected td { background: #fff7f5; } tr.r-missing td { background: #fafafa; }
.note { color: #555; font-size: 13px; }
@media print { thead th { position: static; } }
""".strip("\n")


def _status_span(key: str, text: str) -> str:
    return f'<span class="status s-{esc(key)}">{esc(text)}</span>'


def _td(value, cls: str | None = None) -> str:
    text = "" if value is None else str(value)
    return f'<td class="{cls}">{esc(text)}</td>' if cls else f"<td>{esc(text)}</td>"


def _table(caption: str, columns: list[str], rows: list[str]) -> str:
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in columns)
    return (f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


def status_html(c: Consolidation) -> str:
    title = title_of(c)
    s = summary(c)
    parts = ['<!DOCTYPE html>', '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{esc(title)}</title>", f"<style>\n{STYLE}\n</style>", "</head>", "<body>", "<main>",
             f"<h1>{esc(title)}</h1>"]
    # summary numbers
    cards = [("units", "名单内单位", s["units"]), ("accepted", "已采用", s["accepted"]),
             ("rejected", "被退回", s["rejected"]), ("missing", "未报送", s["missing"]),
             ("files", "收到文件", s["files"]), ("superseded", "已被替代的文件", s["superseded"]),
             ("unknown", "名单外单位的文件", s["unknown"])]
    parts.append('<section aria-labelledby="h-summary"><h2 id="h-summary">概况</h2><dl class="cards">'
                 + "".join(f'<div class="card {k}"><dt>{esc(label)}</dt><dd>{v}</dd></div>' for k, label, v in cards)
                 + "</dl></section>")
    # charts
    parts.append('<section aria-labelledby="h-charts"><h2 id="h-charts">图表</h2>')
    parts.append(_figure(charts.progress_svg("报送进度", s["accepted"], s["rejected"], s["missing"]),
                         f"图1 报送进度：名单内{s['units']}个单位，已采用{s['accepted']}个，被退回{s['rejected']}个，"
                         f"未报送{s['missing']}个。"))
    apps = unit_applications(c)
    parts.append(_figure(charts.hbar_svg("各单位本年新收政府信息公开申请数量", apps),
                         "图2 各单位本年新收政府信息公开申请数量（件，仅含已采用的报表）。"))
    breakdown = charts.results_breakdown(c.layout, c.total)
    parts.append(_figure(charts.stacked_svg(f"{c.county}本年度申请办理结果", breakdown),
                         "图3 全部已采用单位合计的申请办理结果：不予公开为（三）1–8项之和，无法提供为（四）各项之和，"
                         "不予处理为（五）各项之和，其他处理为（六）。"))
    yoy = year_over_year(c)
    if yoy:
        cats, this, last = yoy
        parts.append(_figure(charts.grouped_svg(
            "与上年对比", cats, [(f"{c.year}年", charts.THIS_YEAR, this), (f"{c.year - 1}年", charts.LAST_YEAR, last)]),
            f"图4 {c.year}年与{c.year - 1}年对比（件，上年数据来自历史库）。"))
    parts.append("</section>")
    # units
    rows = []
    for u in c.units:
        r = unit_row(u)
        cells = [_td(r[0], "code"), _td(r[1]), f"<td>{_status_span(u.status, r[2])}</td>", _td(r[3]),
                 _td(r[4], "time"), _td(r[5], "num"), _td(r[6], "num"), _td(r[7])]
        rows.append(f'<tr class="r-{esc(u.status)}">' + "".join(cells) + "</tr>")
    parts.append('<section aria-labelledby="h-units"><h2 id="h-units">各单位报送情况</h2>'
                 + _table(f"名单内{len(c.units)}个单位", UNIT_COLUMNS, rows) + "</section>")
    # files
    rows = []
    for e in sorted_entries(c):
        r = file_row(e)
        cells = [_td(r[0]), f"<td>{_status_span(e.state, r[1])}</td>", _td(r[2], "code"), _td(r[3]),
                 _td(r[4], "time"), _td(r[5]), _td(r[6], "num"), _td(r[7], "num"), _td(r[8]),
                 f'<td class="code" title="{esc(r[9])}">{esc(r[9][:12])}…</td>' if r[9] else _td("")]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    parts.append('<section aria-labelledby="h-files"><h2 id="h-files">收到的文件</h2>'
                 + _table(f"共{len(c.entries)}个文件", FILE_COLUMNS, rows)
                 + '<p class="note">每个文件恰有一种状态；同一单位多次报送时，以最新的一次为准，较早的文件标为“已被新文件替代”。</p>'
                 + "</section>")
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def write_status_html(c: Consolidation, path: str | Path) -> Path:
    return write_text(path, status_html(c))


# ---------------------------------------------------------------- status.xlsx
def status_xlsx_bytes(c: Consolidation) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": title_of(c), "author": "gaixl", "created": FIXED_DATE})
    head = wb.add_format({"bold": True, "bg_color": "#EEF3F9", "border": 1, "align": "center", "valign": "vcenter",
                          "text_wrap": True})
    cell = wb.add_format({"border": 1, "valign": "top", "text_wrap": True})
    num = wb.add_format({"border": 1, "valign": "top"})
    fmt = {"已采用": wb.add_format({"bg_color": "#E3F4EA", "font_color": "#1E6B3F", "bold": True}),
           "被退回": wb.add_format({"bg_color": "#FBE5E1", "font_color": "#A02C20", "bold": True}),
           "未报送": wb.add_format({"bg_color": "#EEEEEE", "font_color": "#555555", "bold": True}),
           "已被新文件替代": wb.add_format({"bg_color": "#FBF3D0", "font_color": "#6B5A00", "bold": True}),
           "单位不在名单中": wb.add_format({"bg_color": "#EFE6F7", "font_color": "#6A3D8F", "bold": True})}

    def sheet(name: str, columns: list[str], rows: list[list], widths: list[int], status_col: int, numeric: set[int]):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, columns, head)
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row):
                if v is None or v == "":
                    ws.write_blank(i, j, None, cell)
                elif j in numeric:
                    ws.write_number(i, j, v, num)
                else:
                    ws.write_string(i, j, str(v), cell)
        for j, w in enumerate(widths):
            ws.set_column(j, j, w)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
        if rows:
            for text, f in fmt.items():
                ws.conditional_format(1, status_col, len(rows), status_col,
                                      {"type": "cell", "criteria": "==", "value": f'"{text}"', "format": f})
        return ws

    sheet("报送情况", UNIT_COLUMNS, [unit_row(u) for u in c.units], [16, 30, 10, 36, 18, 8, 8, 50], 2, {5, 6})
    sheet("收到的文件", FILE_COLUMNS, [file_row(e) for e in sorted_entries(c)],
          [40, 14, 16, 30, 18, 12, 8, 8, 50, 20], 1, {6, 7})
    wb.close()
    return buf.getvalue()


def write_status_xlsx(c: Consolidation, path: str | Path) -> Path:
    return write_bytes(path, status_xlsx_bytes(c))


# ---------------------------------------------------------------- county-report.docx
def county_data(c: Consolidation) -> ReportData:
    """The county total as a report of the county (its name as the unit, signature unit too)."""
    d = ReportData.from_json(c.total.to_json(), where="(memory)")
    d.unit = {"code": d.unit.get("code") or "", "name": c.county}
    d.signature = {"unit": c.county, "date": (c.total.signature or {}).get("date", "")}
    return d


def _caption_para(text: str) -> str:
    from gaixl.document.docx import FONT_H2, _para, _run
    return _para(_run(text, FONT_H2), None,
                 '<w:spacing w:before="120" w:after="240"/><w:ind w:firstLine="0" w:firstLineChars="0"/>'
                 '<w:jc w:val="center"/>')


def _body_para(text: str, keep: bool = True) -> str:
    from gaixl.document.docx import FONT_BODY, _para, _run
    return _para(_run(text, FONT_BODY), None, "<w:keepNext/>" if keep else "")


def chart_figures(c: Consolidation) -> list[tuple[str, str, str]]:
    """The county report's figures: (lead sentence, chart table XML, caption)."""
    from gaixl.document.docx import TEXT_WIDTH
    layout = c.layout
    out = []
    breakdown = charts.results_breakdown(layout, c.total)
    total = sum(b.value for b in breakdown)
    n_new = charts.applications(layout, c.total)
    lead = (f"{c.year}年，{c.county}{len(c.accepted)}个报送单位共新收政府信息公开申请{charts._num(n_new)}件，"
            f"办结{charts._num(total)}件。其中，" + "，".join(
                f"{b.label}{charts._num(b.value)}件（占{charts._pct(b.value, total)}）" for b in breakdown) + "。")
    n = 1
    out.append((lead, charts.hbar_docx_table(breakdown, share=True, total_width=TEXT_WIDTH),
                f"图{n}  {c.year}年政府信息公开申请办理结果"))
    apps = unit_applications(c)
    if apps:
        n += 1
        top = apps[0]
        out.append((f"各单位中，{top.label}新收申请最多（{charts._num(top.value)}件）。",
                    charts.hbar_docx_table(apps, total_width=TEXT_WIDTH),
                    f"图{n}  {c.year}年各单位新收政府信息公开申请数量"))
    yoy = year_over_year(c)
    if yoy:
        n += 1
        cats, this, last = yoy
        diff = this[0] - last[0]
        change = "持平" if diff == 0 else (f"增加{charts._num(diff)}件" if diff > 0 else f"减少{charts._num(-diff)}件")
        bars = []
        for cat, a, b in zip(cats, this, last):
            bars += [charts.Bar(f"{cat}（{c.year}年）", a, charts.THIS_YEAR),
                     charts.Bar(f"{cat}（{c.year - 1}年）", b, charts.LAST_YEAR)]
        out.append(((f"与{c.year - 1}年相比，新收申请{change}（{c.year - 1}年{charts._num(last[0])}件，"
                     f"{c.year}年{charts._num(this[0])}件）。"),
                    charts.hbar_docx_table(bars, total_width=TEXT_WIDTH),
                    f"图{n}  {c.year}年与{c.year - 1}年政府信息公开申请情况对比"))
    return out


_CORE = ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
         '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
         'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
         'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
         "<dc:title>{title}</dc:title><dc:subject>政府信息公开工作年度报告</dc:subject>"
         "<dc:creator>{creator}</dc:creator><cp:lastModifiedBy>gaixl</cp:lastModifiedBy>"
         "<cp:keywords>{year}</cp:keywords>"
         '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
         '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>')


def accepted_statement(c: Consolidation) -> str:
    """What the county report is built from: the accepted files only (a file with errors never
    counts), said in the report itself."""
    n = {k: sum(u.status == k for u in c.units) for k in ("accepted", "rejected", "missing")}
    left = "，".join(x for x in (f"被退回的{n['rejected']}个单位" if n["rejected"] else "",
                                 f"未报送的{n['missing']}个单位" if n["missing"] else "") if x)
    return (f"本报告仅汇总经校验无错误、予以采用的{n['accepted']}个单位报送的数据"
            + (f"；{left}的数据未计入" if left else "") + "。")


def county_report_bytes(c: Consolidation) -> bytes:
    """The county-wide report (.docx): build_document + docx_bytes of the county total, with the
    figures inserted after the official 三 table (the tables themselves are untouched), a fixed
    created date and fixed zip entry times."""
    from gaixl.document.docx import _esc, clean_text, docx_bytes
    from gaixl.document.model import build_document
    from gaixl.errors import GaixlError

    doc = build_document(county_data(c), c.layout)
    doc.preamble.append(accepted_statement(c))
    raw = docx_bytes(doc)
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        names = z.namelist()
        parts = {n: z.read(n) for n in names}
    xml = parts["word/document.xml"].decode("utf-8")
    heading = next((s.heading for s in doc.sections if s.tables and s.tables[0].key == "t3"), None)
    if heading is None:
        raise GaixlError("the layout has no section with table t3", zh="报告格式中没有第三部分（申请情况）表格")
    at = xml.find(f">{_esc(clean_text(heading))}<")
    end = xml.find("</w:tbl>", at) if at >= 0 else -1
    end = xml.find("</w:p>", end) if end >= 0 else -1
    if end < 0:
        raise GaixlError("cannot find the 三 table in the document", zh="在文档中找不到第三部分的表格")
    end += len("</w:p>")
    figures = "".join(_body_para(lead) + table + _caption_para(caption)
                      for lead, table, caption in chart_figures(c))
    parts["word/document.xml"] = (xml[:end] + figures + xml[end:]).encode("utf-8")
    parts["docProps/core.xml"] = _CORE.format(title=_esc(clean_text(doc.title)),
                                              creator=_esc(clean_text(doc.signature_unit)),
                                              year=doc.year).encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for n in names:
            info = zipfile.ZipInfo(n, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, parts[n])
    return buf.getvalue()


def write_county_report(c: Consolidation, path: str | Path) -> Path:
    return write_bytes(path, county_report_bytes(c))


__all__ = [
    "county_report_bytes",
    "file_row",
    "status_html",
    "status_xlsx_bytes",
    "summary",
    "title_of",
    "unit_row",
    "write_county_report",
    "write_status_html",
    "write_status_xlsx",
]
