"""The core commands: layouts, generate, fill, export, check, report, version."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from gaixl import __version__
from gaixl.cli._common import (
    JSON_OPT,
    LANG_OPT,
    LAYOUTS_OPT,
    _check_lang,
    _emit_json,
    _fail,
    _history_findings,
    _history_prefill,
    _open_history,
    _print_report,
    _progress,
    err,
    out,
)
from gaixl.errors import GaixlError, UsageError
from gaixl.i18n import t


def layouts(json_out: bool = JSON_OPT, lang: str = LANG_OPT, layouts_dir: Optional[Path] = LAYOUTS_OPT):
    """列出可用的报告格式及其适用年度。 / List the official formats and their years."""
    from gaixl.spec.load import available_layouts

    lang = _check_lang(lang, layouts_dir)
    try:
        items = available_layouts()
    except GaixlError as e:
        _fail(e, lang)
    if json_out:
        _emit_json([{"id": l.id, "version": l.version, "name": l.name, "notice": l.notice,
                     "years": {"from": l.year_from, "to": l.year_to}, "source": l.source} for l in items])
        return
    table = RichTable(title=t("layouts.title", lang))
    for col in ("layouts.id", "layouts.name", "layouts.notice", "layouts.years"):
        table.add_column(t(col, lang), overflow="fold")  # names wrap at 80 columns, never cut
    for l in items:
        table.add_row(l.id, l.name, l.notice, l.years_text)
    out.print(table)



def generate(
    year: int = typer.Option(..., "--year", help="报告年度 / report year"),
    out_dir: Path = typer.Option(..., "--out", help="输出目录 / output folder"),
    roster: Optional[Path] = typer.Option(None, "--roster", help="单位名单 CSV/xlsx（code,name,email[,parent]）"),
    unit: Optional[str] = typer.Option(None, "--unit", help="单个单位名称 / one unit's name"),
    code: str = typer.Option("", "--code", help="单位代码 / the unit's code"),
    layout_id: Optional[str] = typer.Option(None, "--layout", help="指定格式（默认按年度） / format id"),
    password: Optional[str] = typer.Option(None, "--password", help="工作表保护密码 / sheet password"),
    deadline: Optional[str] = typer.Option(None, "--deadline", help="报送截止日期 / deadline, e.g. 2026-01-20"),
    send_to: Optional[str] = typer.Option(None, "--send-to", help="报送邮箱或地址 / where to send it back"),
    history_db: Optional[Path] = typer.Option(None, "--history", help="历史数据库：据上年报告预填上年结转等 / "
                                                                      "history database: prefill from last year"),
    allow_layout_mismatch: bool = typer.Option(False, "--allow-layout-mismatch",
                                               help="测试用：允许生成格式与年度不符的模板（模板内将显示为错误） / "
                                                    "for tests: allow a format that does not apply to the year "
                                                    "(the template shows it as an error)"),
    json_out: bool = JSON_OPT,
    layouts_dir: Optional[Path] = LAYOUTS_OPT,
    lang: str = LANG_OPT,
):
    """为名单中的每个单位生成锁定的填报模板。 / Generate one locked template per unit."""
    from gaixl.report.roster import read_roster
    from gaixl.spec.load import layout_for_year, load_layout
    from gaixl.workbook.names import DEFAULT_PASSWORD, template_filename
    from gaixl.workbook.template import check_layout_year, check_units, generate_workbook, now_iso

    lang = _check_lang(lang, layouts_dir)
    try:
        layout = load_layout(layout_id) if layout_id else layout_for_year(year)
        if not allow_layout_mismatch:
            check_layout_year(layout, year)
        if roster:
            units = read_roster(roster)
        elif unit:
            units = [{"code": code, "name": unit, "email": "", "parent": ""}]
        else:
            raise UsageError(t("generate.need_unit", "en"), zh=t("generate.need_unit", "zh"))
        check_units(units, year)
        stamp = now_iso()      # one generation time for the whole run
        written = []
        store = _open_history(history_db)
        try:
            with _progress(t("generate.progress", lang), len(units), json_out) as prog:
                task = prog.add_task("", total=len(units))
                for u in units:
                    path = out_dir / template_filename(u["code"], u["name"], year)
                    prefill = _history_prefill(store, u["code"], year, layout)
                    generate_workbook(layout, year, u["code"], u["name"], path, password=password or DEFAULT_PASSWORD,
                                      deadline=deadline, send_to=send_to, generated_at=stamp, prefill=prefill,
                                      allow_layout_mismatch=allow_layout_mismatch)
                    item = {"code": u["code"], "name": u["name"], "file": str(path)}
                    if store is not None:
                        item["prefilled"] = sum(len(c) for rows in (prefill or {}).get("tables", {}).values()
                                                for c in rows.values())
                    written.append(item)
                    prog.advance(task)
        finally:
            if store is not None:
                store.close()
    except GaixlError as e:
        _fail(e, lang)
    if json_out:
        _emit_json({"layout": layout.id, "year": year, "out": str(out_dir), "templates": written})
    else:
        out.print(t("generate.done", lang, n=len(written), layout=layout.id, year=year, out=out_dir))



def fill(
    template: Path = typer.Argument(..., help="模板 / the generated template"),
    data_file: Path = typer.Option(..., "--data", help="数据文件 JSON / data file"),
    out_file: Path = typer.Option(..., "--out", help="输出的已填报工作簿 / filled workbook"),
    json_out: bool = JSON_OPT,
    layouts_dir: Optional[Path] = LAYOUTS_OPT,
    lang: str = LANG_OPT,
):
    """用数据文件填写模板。 / Fill a template from a data file."""
    from gaixl.report.datafile import read_datafile
    from gaixl.spec.load import load_layout
    from gaixl.spec.rules import all_rules
    from gaixl.validation.validate import check_rules
    from gaixl.workbook.fill import fill_workbook

    lang = _check_lang(lang, layouts_dir)
    try:
        res = read_datafile(data_file)          # values as published (减5, “3”) understood by kind
        layout = load_layout(res.data.layout)
        fill_workbook(template, res.data, out_file)
    except GaixlError as e:
        _fail(e, lang)
    # The template's totals are formulas: a total the data file gives differently cannot be
    # kept. Say so, so that a published report's wrong sum is not lost without a word.
    formula_rules = {r.id for r in all_rules(layout) if r not in layout.rules} | {"total-blank"}
    lost = [f for f in check_rules(res.data, layout) if f.code in formula_rules]
    notes = [f for f in res.findings if f.severity != "info"] + lost
    if json_out:
        _emit_json({"out": str(out_file), "findings": [f.to_json(lang) for f in notes]})
        return
    out.print(t("fill.done", lang, out=out_file))
    if lost:
        out.print(t("fill.totals", lang, n=len(lost)))
    for f in notes:
        msg = f.message_en if lang == "en" and f.message_en else f.message
        out.print(f"  ! {escape(msg)}" + (f"（{escape(f.code)}）" if lang != "en" else f" ({escape(f.code)})"))



def export(
    file: Path = typer.Argument(..., help="已填报的工作簿 / a filled workbook"),
    out_file: Optional[Path] = typer.Option(None, "--out", help="数据文件 JSON（默认输出到屏幕） / data file"),
    json_out: bool = JSON_OPT,
    layouts_dir: Optional[Path] = LAYOUTS_OPT,
    lang: str = LANG_OPT,
):
    """把已填报的工作簿导出为数据文件。 / Export a filled workbook to a data file."""
    from gaixl.atomic import write_text
    from gaixl.report.data import dump_data
    from gaixl.validation.files import check_file

    lang = _check_lang(lang, layouts_dir)
    try:
        report = check_file(file)
    except GaixlError as e:
        _fail(e, lang)
    text = dump_data(report.data)
    if out_file:
        write_text(out_file, text)
        if json_out:
            _emit_json({"out": str(out_file), "errors": report.errors, "warnings": report.warnings})
        else:
            out.print(t("export.done", lang, out=out_file))
            _print_report(report, lang, only_errors=True)
    else:
        sys.stdout.write(text)
    raise typer.Exit(1 if report.errors else 0)



def check(
    files: List[Path] = typer.Argument(..., help="工作簿或数据文件 / workbooks or data files"),
    year: Optional[int] = typer.Option(None, "--year", help="应报年度 / the expected report year"),
    code: Optional[str] = typer.Option(None, "--code", help="应报单位代码 / the expected unit's code"),
    history_db: Optional[Path] = typer.Option(None, "--history", help="历史数据库：与上年报告比对 / "
                                                                      "history database: compare with last year"),
    json_out: bool = JSON_OPT,
    layouts_dir: Optional[Path] = LAYOUTS_OPT,
    lang: str = LANG_OPT,
):
    """读取并校验已填报的工作簿或数据文件。 / Read and check filled workbooks or data files."""
    from gaixl.validation.files import check_file, unreadable_report

    lang = _check_lang(lang, layouts_dir)
    reports, unreadable = [], 0
    try:
        store = _open_history(history_db)
    except GaixlError as e:
        _fail(e, lang)
    with _progress(t("check.progress", lang), len(files), json_out) as prog:
        task = prog.add_task("", total=len(files))
        for f in files:
            try:
                reports.append(check_file(f, year=year, unit_code=code))
            except GaixlError as e:
                unreadable += 1
                reports.append(unreadable_report(f, e))
                if not json_out:
                    err.print(f"{t('error', lang)}: {e.text(lang)}", markup=False)
            prog.advance(task)
    if store is not None:
        try:
            with store:
                for r in reports:
                    r.findings += _history_findings(store, r.data, r.locator)
        except GaixlError as e:
            _fail(e, lang)
    if json_out:
        payload = [r.to_json(lang) for r in reports]
        _emit_json(payload[0] if len(payload) == 1 else payload)
    else:
        for r in reports:
            if r.data is not None:
                _print_report(r, lang)
        if len(reports) > 1:
            bad = sum(1 for r in reports if r.data is not None and r.errors)
            out.print(t("check.summary", lang, n=len(reports), ok=len(reports) - bad - unreadable, bad=bad,
                        unreadable=unreadable))
    if unreadable:
        raise typer.Exit(2)
    raise typer.Exit(1 if any(r.errors for r in reports) else 0)



def report(
    file: Path = typer.Argument(..., help="已填报的工作簿或数据文件 / a filled workbook or data file"),
    out_file: Path = typer.Option(..., "--out", help="输出的报告：.docx、.pdf、.md 或 .html / the report: "
                                                      ".docx, .pdf, .md or .html"),
    draft: bool = typer.Option(False, "--draft", help="数据有错误时仍生成，每页标注“草稿（未通过校验）” / "
                                                      "write it even with errors, every page marked as a draft"),
    json_out: bool = JSON_OPT,
    layouts_dir: Optional[Path] = LAYOUTS_OPT,
    lang: str = LANG_OPT,
):
    """生成报告全文（Word、PDF、Markdown、HTML）；数据有错误时不生成。 / Write the report as a document
    (.docx, .pdf, .md, .html); refused while the data have errors."""
    from gaixl.document import output_format, render
    from gaixl.errors import ReportRejected

    lang = _check_lang(lang, layouts_dir)
    try:
        fmt = output_format(out_file)
        written, findings = render(file, out_file, draft=draft)
    except ReportRejected as e:
        if json_out:
            _emit_json({"out": None, "format": output_format(out_file), "written": False,
                        "error": e.text(lang), "findings": [f.to_json(lang) for f in e.findings]})
        else:
            err.print(f"{t('error', lang)}: {e.text(lang)}", markup=False)
            for f in e.findings:
                msg = f.message_en if lang == "en" and f.message_en else f.message
                where = f" {f.location}" if f.location and f.location not in msg else ""
                err.print(f"  ✗ {f.code}{where}  {msg}", markup=False)
        raise typer.Exit(1) from None
    except GaixlError as e:
        _fail(e, lang)
    if json_out:
        _emit_json({"out": str(written), "format": fmt, "written": True, "draft": draft,
                    "findings": [f.to_json(lang) for f in findings]})
        return
    out.print(t("report.draft" if draft else "report.done", lang, out=written), markup=False)
    if findings:
        out.print(t("report.notes", lang, n=len(findings)))
    for f in findings:
        msg = f.message_en if lang == "en" and f.message_en else f.message
        out.print(f"  ! {escape(msg)}" + (f"（{escape(f.code)}）" if lang != "en" else f" ({escape(f.code)})"))



def version():
    """显示版本。 / Show the version."""
    out.print(__version__)

