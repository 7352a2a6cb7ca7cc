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
    _print_report,
    _progress,
    err,
    out,
)
from gaixl.errors import GaixlError, UsageError
from gaixl.i18n import both, t


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
    from gaixl.api import generate_templates

    lang = _check_lang(lang, layouts_dir)
    try:
        units: Path | list[dict]
        if roster:
            units = roster
        elif unit:
            units = [{"code": code, "name": unit, "email": "", "parent": ""}]
        else:
            raise UsageError(**both("generate.need_unit"))
        with _progress(t("generate.progress", lang), 2, json_out) as prog:
            task = prog.add_task("", total=None)
            made = generate_templates(year, out_dir, units, layout=layout_id, password=password, deadline=deadline,
                                      send_to=send_to, history=history_db,
                                      allow_layout_mismatch=allow_layout_mismatch,
                                      progress=lambda i, n: prog.update(task, completed=i, total=n))
    except GaixlError as e:
        _fail(e, lang)
    if json_out:
        _emit_json(made.to_json())
    else:
        out.print(t("generate.done", lang, n=len(made.templates), layout=made.layout.id, year=year, out=out_dir))



def fill(
    template: Path = typer.Argument(..., help="模板 / the generated template"),
    data_file: Path = typer.Option(..., "--data", help="数据文件 JSON / data file"),
    out_file: Path = typer.Option(..., "--out", help="输出的已填报工作簿 / filled workbook"),
    json_out: bool = JSON_OPT,
    layouts_dir: Optional[Path] = LAYOUTS_OPT,
    lang: str = LANG_OPT,
):
    """用数据文件填写模板。 / Fill a template from a data file."""
    from gaixl.api import fill as run

    lang = _check_lang(lang, layouts_dir)
    try:
        filled = run(template, data_file, out_file)
    except GaixlError as e:
        _fail(e, lang)
    if json_out:
        _emit_json({"out": str(out_file), "findings": [f.to_json(lang) for f in filled.notes]})
        return
    out.print(t("fill.done", lang, out=out_file))
    if filled.lost_totals:
        out.print(t("fill.totals", lang, n=len(filled.lost_totals)))
    for f in filled.notes:          # the message leads; the rule id follows in brackets
        out.print(f"  ! {escape(f.text(lang))}" + (f"（{escape(f.code)}）" if lang != "en" else f" ({escape(f.code)})"))



def export(
    file: Path = typer.Argument(..., help="已填报的工作簿 / a filled workbook"),
    out_file: Optional[Path] = typer.Option(None, "--out", help="数据文件 JSON（默认输出到屏幕） / data file"),
    json_out: bool = JSON_OPT,
    layouts_dir: Optional[Path] = LAYOUTS_OPT,
    lang: str = LANG_OPT,
):
    """把已填报的工作簿导出为数据文件。 / Export a filled workbook to a data file."""
    from gaixl.api import export as run

    lang = _check_lang(lang, layouts_dir)
    try:
        res = run(file, out_file)
    except GaixlError as e:
        _fail(e, lang)
    report = res.report
    if out_file:
        if json_out:
            _emit_json({"out": str(out_file), "errors": report.errors, "warnings": report.warnings})
        else:
            out.print(t("export.done", lang, out=out_file))
            _print_report(report, lang, only_errors=True)
    else:
        sys.stdout.write(res.text)
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
    from gaixl.cli.checking import run_check

    lang = _check_lang(lang, layouts_dir)
    raise typer.Exit(run_check(files, year=year, code=code, history_db=history_db, json_out=json_out,
                               layouts_dir=layouts_dir, lang=lang))



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
            err.print(f"{t('error', lang)}{e.text(lang)}", markup=False)
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
        out.print(f"  {'✗' if f.severity == 'error' else '!'} {escape(f.text(lang))}"
                  + (f"（{escape(f.code)}）" if lang != "en" else f" ({escape(f.code)})"))



def version():
    """显示版本。 / Show the version."""
    out.print(__version__)

