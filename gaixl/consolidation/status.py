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
from pathlib import Path

from gaixl import timefmt
from gaixl.atomic import atomic_file, write_bytes
from gaixl.consolidation import charts
from gaixl.consolidation.letters import root_count
from gaixl.consolidation.model import Accepted, Consolidation, Entry, MadeAsTaken, UnitStatus, generated_at, unit_of
from gaixl.document.docx import docx_bytes, write_docx
from gaixl.document.html import esc
from gaixl.document.model import TODO_MARK, BarChart, Document, build_document, chinese_date
from gaixl.errors import GaixlError
from gaixl.report.data import ReportData
from gaixl.spec.model import CellRef, Layout

FIXED_DATE = dt.datetime(2000, 1, 1, 0, 0, 0)

UNIT_STATUS_ZH = {"accepted": "已采用", "rejected": "被退回", "missing": "未报送"}
ENTRY_STATE_ZH = {"accepted": "已采用", "superseded": "已被新文件替代", "rejected": "被退回",
                  "unknown-unit": "单位不在名单中"}
LATE = "逾期报送"
UNIT_COLUMNS = ["单位代码", "单位名称", "报送状态", "文件", "报送时间", "是否逾期", "须改正", "须核实", "说明"]
FILE_COLUMNS = ["文件", "状态", "单位代码", "单位名称", "报送时间", "是否逾期", "时间来源", "须改正", "须核实", "原因",
                "SHA-256"]


# ---------------------------------------------------------------- the rows (shared by HTML and xlsx)
def title_of(c: Consolidation) -> str:
    return f"{c.county}{c.year}年度政府信息公开工作年度报告报送情况"


def _time(iso: str | None, c: Consolidation | None = None) -> str:
    """Beijing time (or the run's --tz), the Chinese way: 2026年1月15日 09:12."""
    return timefmt.zh_time(iso, c.zone if c is not None else None)


def _late(e: Entry | None) -> str:
    """逾期报送 / 按时 against the deadline; nothing without one (or without a known time)."""
    if e is None or e.late is None:
        return ""
    return LATE if e.late else "按时"


def _errors(e: Entry) -> int:
    """Errors as the letter counts them: problems to fix, not the checks they blocked."""
    return root_count(e.findings) if e.findings else e.errors


def _source_zh(source: str) -> str:
    return {"email": "邮件日期", "file": "文件保存时间"}.get(source or "", source or "")


def unit_row(u: UnitStatus, c: Consolidation | None = None) -> list:
    e = u.entry
    reason = ""
    if u.status == "missing":
        reason = "未收到该单位的报送文件" if e is None else (e.reason or "")
    elif e is not None:
        reason = e.reason or ""
    return [u.code, u.name, UNIT_STATUS_ZH.get(u.status, u.status), e.file if e else "",
            _time(e.submitted_at, c) if e else "", _late(e), _errors(e) if e else None, e.warnings if e else None,
            reason]


def file_row(e: Entry, c: Consolidation | None = None) -> list:
    return [e.file, ENTRY_STATE_ZH.get(e.state, e.state), e.unit_code or "", e.unit_name or "",
            _time(e.submitted_at, c), _late(e), _source_zh(e.source), _errors(e), e.warnings, e.reason or "", e.sha256]


def sorted_entries(c: Consolidation) -> list[Entry]:
    return sorted(c.entries, key=lambda e: (e.file, e.sha256))


def summary(c: Consolidation) -> dict[str, int]:
    n = c.counts()
    return {"units": len(c.units),
            "accepted": sum(u.status == "accepted" for u in c.units),
            "rejected": sum(u.status == "rejected" for u in c.units),
            "missing": sum(u.status == "missing" for u in c.units),
            "files": n["files"], "files_accepted": n["accepted"], "superseded": n["superseded"],
            "files_rejected": n["rejected"], "unknown": n["unknown-unit"],
            "late": sum(1 for u in c.units if u.entry is not None and u.status != "missing" and bool(u.entry.late))}


def status_note(c: Consolidation) -> str:
    """The line under the title: as of when, in which time, against which deadline."""
    zone = "北京时间" if c.tz == timefmt.DEFAULT_TZ else c.tz
    last = timefmt.zh_time(generated_at(c), c.zone) if any(e.submitted_at for e in c.entries) else ""
    parts = [f"时间均为{zone}"]
    if last:
        parts.insert(0, f"统计截至最后收到的文件（{last}）")
    parts.append(f"报送截止日期：{timefmt.zh_date(c.deadline)}，之后收到的文件标为“{LATE}”" if c.deadline is not None
                 else "未指定报送截止日期（consolidate --deadline），不标注逾期")
    return "；".join(parts) + "。"


def unit_applications(c: Consolidation) -> list[charts.Bar]:
    """三 一、本年新收 总计 of every accepted unit, largest first (ties by roster order)."""
    names = {u.code: u.name for u in c.units}
    order = {u.code: i for i, u in enumerate(c.units)}
    acc = c.accepted
    if isinstance(acc, Accepted) and acc.layout is c.layout and "t3" in c.layout.tables:
        # Straight from the packed cells: the one number, without unpacking a country's reports.
        at = list(c.layout.cell_keys).index(CellRef("t3", "new", charts.t3_total_col(c.layout)))

        def number(code: str) -> float:
            v = acc.cells(code)[at]
            return v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0
        rows = [(code, names.get(code) or unit_of(acc, code).get("name") or code, number(code)) for code in acc]
    else:
        rows = [(code, names.get(code) or d.unit.get("name") or code, charts.applications(c.layout, d))
                for code, d in acc.items()]
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
.card.accepted dd { color: #2e8b57; } .card.rejected dd { color: #c0392b; }
.card.missing dd { color: #757575; } .card.late dd { color: #9c3d00; }
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
.s-late { color: #9c3d00; background: #fde9d9; }
tr.r-rejected td { background: #fff7f5; } tr.r-missing td { background: #fafafa; }
.note { color: #555; font-size: 13px; }
@media print { thead th { position: static; } }
""".strip("\n")


def _status_span(key: str, text: str) -> str:
    return f'<span class="status s-{esc(key)}">{esc(text)}</span>'


def _td(value, cls: str | None = None) -> str:
    text = "" if value is None else str(value)
    return f'<td class="{cls}">{esc(text)}</td>' if cls else f"<td>{esc(text)}</td>"


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


def _figure_pieces(svg_pieces, caption: str):
    yield "<figure>"
    yield from svg_pieces
    yield f"<figcaption>{esc(caption)}</figcaption></figure>"


def _status_parts(c: Consolidation) -> list:
    """The page's parts, joined by newlines: texts, and generators of the pieces of one part."""
    title = title_of(c)
    s = summary(c)
    parts = ['<!DOCTYPE html>', '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{esc(title)}</title>", f"<style>\n{STYLE}\n</style>", "</head>", "<body>", "<main>",
             f"<h1>{esc(title)}</h1>", f'<p class="note">{esc(status_note(c))}</p>']
    # summary numbers
    cards = [("units", "名单内单位", s["units"]), ("accepted", "已采用的单位", s["accepted"]),
             ("rejected", "被退回的单位", s["rejected"]), ("missing", "未报送的单位", s["missing"]),
             ("files", "收到文件", s["files"]), ("superseded", "已被新文件替代的文件", s["superseded"]),
             ("unknown", "名单外单位的文件", s["unknown"])]
    if c.deadline is not None:
        cards.insert(4, ("late", "逾期报送的单位", s["late"]))
    parts.append('<section aria-labelledby="h-summary"><h2 id="h-summary">概况</h2><dl class="cards">'
                 + "".join(f'<div class="card {k}"><dt>{esc(label)}</dt><dd>{v}</dd></div>' for k, label, v in cards)
                 + "</dl></section>")
    # charts
    parts.append('<section aria-labelledby="h-charts"><h2 id="h-charts">图表</h2>')
    parts.append(_figure(charts.progress_svg("报送进度", s["accepted"], s["rejected"], s["missing"]),
                         f"图1 报送进度：名单内{s['units']}个单位，已采用{s['accepted']}个，被退回{s['rejected']}个，"
                         f"未报送{s['missing']}个。"))
    apps = unit_applications(c)
    # A bar per accepted unit: made as it is written (see write_status_html), like the tables.
    parts.append(_figure_pieces(charts.hbar_svg_pieces("各单位本年新收政府信息公开申请数量", apps),
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
    # The two tables have a row per unit and per file (a country's hundreds of thousands): each
    # is a generator of pieces, joined here, written piece by piece by write_status_html.
    parts.append(_units_table(c))
    parts.append(_files_table(c))
    parts += ["</main>", "</body>", "</html>", ""]
    return parts


def _table_pieces(caption: str, columns: list[str], rows):
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in columns)
    yield f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead><tbody>"
    yield from rows
    yield "</tbody></table>"


def _units_table(c: Consolidation):
    def rows():
        for u in c.units:
            r = unit_row(u, c)
            cells = [_td(r[0], "code"), _td(r[1]), f"<td>{_status_span(u.status, r[2])}</td>", _td(r[3]),
                     _td(r[4], "time"), f"<td>{_status_span('late', r[5])}</td>" if r[5] == LATE else _td(r[5]),
                     _td(r[6], "num"), _td(r[7], "num"), _td(r[8])]
            yield f'<tr class="r-{esc(u.status)}">' + "".join(cells) + "</tr>"
    yield '<section aria-labelledby="h-units"><h2 id="h-units">各单位报送情况</h2>'
    yield from _table_pieces(f"名单内{len(c.units)}个单位", UNIT_COLUMNS, rows())
    yield "</section>"


def _files_table(c: Consolidation):
    def rows():
        for e in sorted_entries(c):
            r = file_row(e, c)
            cells = [_td(r[0]), f"<td>{_status_span(e.state, r[1])}</td>", _td(r[2], "code"), _td(r[3]),
                     _td(r[4], "time"), f"<td>{_status_span('late', r[5])}</td>" if r[5] == LATE else _td(r[5]),
                     _td(r[6]), _td(r[7], "num"), _td(r[8], "num"), _td(r[9]),
                     f'<td class="code" title="{esc(r[10])}">{esc(r[10][:12])}…</td>' if r[10] else _td("")]
            yield "<tr>" + "".join(cells) + "</tr>"
    yield '<section aria-labelledby="h-files"><h2 id="h-files">收到的文件</h2>'
    yield from _table_pieces(f"共{len(c.entries)}个文件", FILE_COLUMNS, rows())
    yield ('<p class="note">每个文件恰有一种状态；同一单位多次报送时，以最新的一次为准，'
           '较早的文件标为“已被新文件替代”。</p>')
    yield "</section>"


def status_html(c: Consolidation) -> str:
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in _status_parts(c))


def write_status_html(c: Consolidation, path: str | Path) -> Path:
    """status.html, written as it is made (the same bytes as status_html)."""
    path = Path(path)
    with atomic_file(path) as fh:
        for i, part in enumerate(_status_parts(c)):
            if i:
                fh.write(b"\n")
            for piece in ([part] if isinstance(part, str) else part):
                fh.write(piece.encode("utf-8"))
    return path


# ---------------------------------------------------------------- status.xlsx
def status_xlsx_bytes(c: Consolidation) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    # constant_memory: each row goes to a temporary file as it is written (a country's 100,000
    # units and files would otherwise be held as xlsxwriter cell objects, hundreds of MB).
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "strings_to_numbers": False,
                                   "strings_to_formulas": False, "strings_to_urls": False})
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

    def sheet(name: str, columns: list[str], rows, n: int, widths: list[int], status_col: int, numeric: set[int]):
        # `rows`: a generator of the n rows (a country's are never all held)
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
        ws.autofilter(0, 0, max(n, 1), len(columns) - 1)
        if n:
            for text, f in fmt.items():
                ws.conditional_format(1, status_col, n, status_col,
                                      {"type": "cell", "criteria": "==", "value": f'"{text}"', "format": f})
        return ws

    ws = sheet("报送情况", UNIT_COLUMNS, (unit_row(u, c) for u in c.units), len(c.units), [16, 30, 10, 36, 20, 10, 8, 8, 50], 2,
               {6, 7})
    late_fmt = wb.add_format({"bg_color": "#FDE9D9", "font_color": "#9C3D00", "bold": True})
    if c.units:
        ws.conditional_format(1, 5, len(c.units), 5, {"type": "cell", "criteria": "==", "value": f'"{LATE}"',
                                                      "format": late_fmt})
    ws = sheet("收到的文件", FILE_COLUMNS, (file_row(e, c) for e in sorted_entries(c)), len(c.entries),
               [40, 14, 16, 30, 20, 10, 12, 8, 8, 50, 20], 1, {7, 8})
    if c.entries:
        ws.conditional_format(1, 5, len(c.entries), 5, {"type": "cell", "criteria": "==", "value": f'"{LATE}"',
                                                        "format": late_fmt})
    wb.close()
    return buf.getvalue()


def write_status_xlsx(c: Consolidation, path: str | Path) -> Path:
    return write_bytes(path, status_xlsx_bytes(c))


# ---------------------------------------------------------------- county-report.docx
def county_data(c: Consolidation) -> ReportData:
    """The county total as a report of the county (its name as the unit; the office signs)."""
    d = ReportData.from_json(c.total.to_json(), where="(memory)")
    d.unit = {"code": d.unit.get("code") or "", "name": c.county}
    d.signature = {"unit": c.office or c.county, "date": report_date(c).isoformat()}
    return d


def report_date(c: Consolidation) -> dt.date:
    """The county report's date: the day (Beijing time) of the last file received — a fixed date,
    so a re-run writes the same file; the clerk changes it on signing."""
    t = timefmt.parse(generated_at(c))
    return (t.astimezone(c.zone) if t is not None else dt.datetime.now(c.zone)).date()


def not_included(c: Consolidation) -> list[tuple[UnitStatus, str]]:
    """Roster units whose numbers are not in the totals, each with why (in a few words)."""
    out = []
    for u in c.units:
        if u.status == "missing":
            out.append((u, "未报送"))
        elif u.status == "rejected":
            kind = (u.entry.reason if u.entry is not None else "").split("：")[0]
            kind = {"发现错误": "未通过校验", "": "未能采用"}.get(kind, kind)
            out.append((u, f"报送的文件{kind}，待重新报送"))
    return out


def coverage_text(c: Consolidation) -> str:
    """What the report is built from, in one paragraph: the accepted files only (a file with errors
    never counts), how many of the roster's units that is, and each unit not in it and why."""
    n, total = len(c.accepted), len(c.units)
    head = f"本报告仅汇总经校验无错误、予以采用的{n}个单位报送的数据"
    if n == total:
        return head + f"，即{c.county}名单所列全部{total}个单位。"
    out = not_included(c)
    names = "；".join(f"{u.name}（{why}）" for u, why in out)
    return (head + f"（{c.county}名单所列{total}个单位中{n}个单位），尚有{len(out)}个单位未计入：{names}。"
            "本报告中的数字不含上述单位，待其报送后应重新汇总。")


def _each_unit_text(c: Consolidation, heading: str):
    """(unit name, its paragraphs of `heading`) of every accepted unit with text there, roster
    order: one unit at a time, each read when it is reached (never all held)."""
    acc = c.accepted
    for u in c.units:
        if u.code not in acc:
            continue
        d = acc.texts(u.code) if isinstance(acc, Accepted) else acc[u.code]       # the texts are enough
        paras = [" ".join(str(p).split()) for p in d.text.get(heading, []) if p and str(p).strip()]
        paras = [p for p in paras if p.rstrip("。.") not in ("无", "没有", "暂无")]
        if paras:
            yield u.name, paras


def drafted(c: Consolidation, heading: str) -> list[str]:
    """A drafted section from the units' own texts: one paragraph per unit (its first paragraph),
    and a marked note for the clerk; or only the marker when no unit wrote anything."""
    n = sum(1 for _ in _each_unit_text(c, heading))
    if not n:
        return [f"{TODO_MARK}：各报送单位均未填写“{heading}”，请根据全县情况撰写本部分。】"]

    def make():
        for name, ps in _each_unit_text(c, heading):
            yield f"{name}：{ps[0]}"
        yield f"{TODO_MARK}：以上为根据{n}个单位报告整理的初稿，请归纳为全县情况、核实后删除本提示。】"
    return MadeAsTaken(n + 1, make)


def other_matters(c: Consolidation, heading: str) -> list[str]:
    """六 as the units reported it: who reported 信息处理费 and what, other matters per unit, and
    how many reported nothing — never an automatic “无。”."""
    fee: list = []
    n_other = n_texts = 0
    for name, ps in _each_unit_text(c, heading):
        n_texts += 1
        for p in ps:
            if "信息处理费" in p:
                fee.append(f"{name}：{p}")
            else:
                n_other += 1
    quiet = len(c.accepted) - n_texts
    head = ["关于信息处理费，各单位报告如下：" + "；".join(x.rstrip("。") for x in fee) + "。" if fee
            else "各报送单位均未报告收取信息处理费的情况。"]
    tail = ([f"其余{quiet}个报送单位未报告其他需要报告的事项。"] if quiet else []) + \
        [f"{TODO_MARK}：以上根据各单位报告整理，请核实后定稿，并删除本提示。】"]

    def make():
        yield from head
        for name, ps in _each_unit_text(c, heading):      # the other matters, one unit at a time
            for p in ps:
                if "信息处理费" not in p:
                    yield f"{name}：{p}"
        yield from tail
    return MadeAsTaken(len(head) + n_other + len(tail), make)


def chart_blocks(c: Consolidation) -> list[BarChart]:
    """The county report's figures (after the 三 table), as blocks of the document model."""
    layout = c.layout
    out = []
    breakdown = charts.results_breakdown(layout, c.total)
    total = sum(b.value for b in breakdown)
    n_new = charts.applications(layout, c.total)
    lead = (f"{c.year}年，{c.county}{len(c.accepted)}个报送单位共新收政府信息公开申请{charts._num(n_new)}件，"
            f"办结{charts._num(total)}件。其中，" + "，".join(
                f"{b.label}{charts._num(b.value)}件（占{charts._pct(b.value, total)}）" for b in breakdown) + "。")
    n = 1
    out.append(BarChart(breakdown, caption=f"图{n}  {c.year}年政府信息公开申请办理结果", lead=lead, share=True))
    apps = unit_applications(c)
    if apps:
        n += 1
        top = apps[0]
        out.append(BarChart(apps, caption=f"图{n}  {c.year}年各单位新收政府信息公开申请数量",
                            lead=f"各单位中，{top.label}新收申请最多（{charts._num(top.value)}件）。"))
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
        out.append(BarChart(bars, caption=f"图{n}  {c.year}年与{c.year - 1}年政府信息公开申请情况对比",
                            lead=(f"与{c.year - 1}年相比，新收申请{change}（{c.year - 1}年{charts._num(last[0])}件，"
                                  f"{c.year}年{charts._num(this[0])}件）。")))
    return out


def county_document(c: Consolidation) -> Document:
    """The county-wide report as a document: the official report of the totals, saying what it
    covers (and who is missing) after the opening paragraph, 一 and 五 drafted from the units'
    texts (or marked 【待填写】), 六 as the units reported it, the figures after the 三 table, and the
    office's signature with a date."""
    doc = build_document(county_data(c), c.layout)
    doc.preamble = [p.replace(f"由{c.county}编制", f"由{c.office}编制") if c.office else p for p in doc.preamble]
    doc.preamble.append(coverage_text(c))
    doc.created = generated_at(c)
    doc.signature_date = chinese_date(report_date(c).isoformat())
    text_sections = [s for s in c.layout.sections if s.kind != "tables"]
    last_text = text_sections[-1].key if text_sections else None
    for sec in doc.sections:
        spec = next(s for s in c.layout.sections if s.key == sec.key)
        if spec.kind == "tables":
            continue
        sec.paragraphs = other_matters(c, sec.heading) if sec.key == last_text else drafted(c, sec.heading)
    doc.warnings = [w for w in doc.warnings if w.code != "text-empty"]
    t3 = next((sec for sec in doc.sections if any(t.key == "t3" for t in sec.tables)), None)
    if t3 is None:
        raise GaixlError("the layout has no section with table t3", zh="报告格式中没有第三部分（申请情况）表格")
    t3.charts = chart_blocks(c)
    return doc


def county_report_bytes(c: Consolidation) -> bytes:
    """county-report.docx: the county document rendered by gaixl.document.docx (byte-stable:
    fixed created date and zip entry times)."""
    return docx_bytes(county_document(c))


def write_county_report(c: Consolidation, path: str | Path) -> Path:
    """county-report.docx written as it is made (the same bytes as county_report_bytes)."""
    with atomic_file(path) as fh:
        write_docx(county_document(c), fh)
    return Path(path)


__all__ = [
    "county_document",
    "county_report_bytes",
    "coverage_text",
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
