"""The command line: a thin shell over the library, one function per command.

Exit codes: 0 ok, 1 findings with errors, 2 usage or unreadable input.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.markup import escape
from rich.table import Table as RichTable

from . import __version__
from .errors import GaixlError, UsageError
from .i18n import t

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="gaixl：政府信息公开工作年度报告——模板生成、读取校验、汇总。 / Toolkit for the annual government-information-disclosure report.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

JSON_OPT = typer.Option(False, "--json", help="输出 JSON（供程序使用） / print JSON for machines")
LANG_OPT = typer.Option("zh", "--lang", help="zh 或 en / language of messages: zh or en")


def _fail(e: GaixlError, lang: str, code: int = 2) -> None:
    err.print(f"{t('error', lang)}: {e.text(lang)}", markup=False)
    raise typer.Exit(code)


def _check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise typer.BadParameter("--lang must be zh or en")
    return lang


def _progress(label: str, total: int, quiet: bool) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), console=err,
                    disable=quiet or total < 2 or not err.is_terminal, transient=True)


def _emit_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=1) + "\n")


@app.command()
def layouts(json_out: bool = JSON_OPT, lang: str = LANG_OPT):
    """列出可用的报告格式及其适用年度。 / List the official formats and their years."""
    from .layout import available_layouts

    lang = _check_lang(lang)
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
        table.add_column(t(col, lang))
    for l in items:
        table.add_row(l.id, l.name, l.notice, l.years_text)
    out.print(table)


def _open_history(path: Optional[Path]):
    """The history database given by --history (it must exist), or None."""
    if path is None:
        return None
    from .history import HistoryStore
    return HistoryStore(path, create=False)


def _history_prefill(store, code: str, year: int, layout) -> Optional[dict]:
    """generate --history: the prefill from the unit's report of year-1, when stored."""
    if store is None or not code:
        return None
    from .history import carry_over
    previous = store.get(code, year - 1)
    return carry_over(previous, layout) if previous is not None else None


def _history_findings(store, data, locator: Optional[dict] = None) -> list:
    """check --history: where a report disagrees with the unit's stored report of year-1
    (`locator`, from the reader, places the findings at sheet!cell)."""
    if data is None or not data.unit.get("code"):
        return []
    from .history import previous_year_findings
    from .layout import load_layout
    previous = store.get(data.unit["code"], data.year - 1)
    return [] if previous is None else previous_year_findings(data, previous, load_layout(data.layout),
                                                              locator=locator)


@app.command()
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
    json_out: bool = JSON_OPT,
    lang: str = LANG_OPT,
):
    """为名单中的每个单位生成锁定的填报模板。 / Generate one locked template per unit."""
    from .generate import check_units, generate_workbook, now_iso
    from .layout import layout_for_year, load_layout
    from .names import DEFAULT_PASSWORD, template_filename
    from .roster import read_roster

    lang = _check_lang(lang)
    try:
        layout = load_layout(layout_id) if layout_id else layout_for_year(year)
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
                                      deadline=deadline, send_to=send_to, generated_at=stamp, prefill=prefill)
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


@app.command()
def fill(
    template: Path = typer.Argument(..., help="模板 / the generated template"),
    data_file: Path = typer.Option(..., "--data", help="数据文件 JSON / data file"),
    out_file: Path = typer.Option(..., "--out", help="输出的已填报工作簿 / filled workbook"),
    json_out: bool = JSON_OPT,
    lang: str = LANG_OPT,
):
    """用数据文件填写模板。 / Fill a template from a data file."""
    from .datafile import read_datafile
    from .fill import fill_workbook
    from .layout import load_layout
    from .validate import check_rules

    lang = _check_lang(lang)
    try:
        res = read_datafile(data_file)          # values as published (减5, “3”) understood by kind
        layout = load_layout(res.data.layout)
        fill_workbook(template, res.data, out_file)
    except GaixlError as e:
        _fail(e, lang)
    # The template's totals are formulas: a total the data file gives differently cannot be
    # kept. Say so, so that a published report's wrong sum is not lost without a word.
    formula_rules = {r.id for r in layout.all_rules() if r not in layout.rules} | {"total-blank"}
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
        out.print(f"  ! {f.code}  {escape(msg)}")


@app.command()
def export(
    file: Path = typer.Argument(..., help="已填报的工作簿 / a filled workbook"),
    out_file: Optional[Path] = typer.Option(None, "--out", help="数据文件 JSON（默认输出到屏幕） / data file"),
    json_out: bool = JSON_OPT,
    lang: str = LANG_OPT,
):
    """把已填报的工作簿导出为数据文件。 / Export a filled workbook to a data file."""
    from .atomic import write_text
    from .check import check_file
    from .data import dump_data

    lang = _check_lang(lang)
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


@app.command()
def check(
    files: List[Path] = typer.Argument(..., help="工作簿或数据文件 / workbooks or data files"),
    year: Optional[int] = typer.Option(None, "--year", help="应报年度 / the expected report year"),
    code: Optional[str] = typer.Option(None, "--code", help="应报单位代码 / the expected unit's code"),
    history_db: Optional[Path] = typer.Option(None, "--history", help="历史数据库：与上年报告比对 / "
                                                                      "history database: compare with last year"),
    json_out: bool = JSON_OPT,
    lang: str = LANG_OPT,
):
    """读取并校验已填报的工作簿或数据文件。 / Read and check filled workbooks or data files."""
    from .check import check_file, unreadable_report

    lang = _check_lang(lang)
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


@app.command()
def report(
    file: Path = typer.Argument(..., help="已填报的工作簿或数据文件 / a filled workbook or data file"),
    out_file: Path = typer.Option(..., "--out", help="输出的报告：.docx、.pdf、.md 或 .html / the report: "
                                                      ".docx, .pdf, .md or .html"),
    json_out: bool = JSON_OPT,
    lang: str = LANG_OPT,
):
    """生成报告全文（Word、PDF、Markdown、HTML）。 / Write the report as a document (.docx, .pdf, .md, .html)."""
    from .render import output_format, render

    lang = _check_lang(lang)
    try:
        fmt = output_format(out_file)
        written, findings = render(file, out_file)
    except GaixlError as e:
        _fail(e, lang)
    if json_out:
        _emit_json({"out": str(written), "format": fmt, "findings": [f.to_json(lang) for f in findings]})
        return
    out.print(t("report.done", lang, out=written), markup=False)
    if findings:
        out.print(t("report.notes", lang, n=len(findings)))
    for f in findings:
        msg = f.message_en if lang == "en" and f.message_en else f.message
        out.print(f"  ! {f.code}  {escape(msg)}")


@app.command()
def consolidate(
    inbox: Optional[Path] = typer.Argument(None, help="收件文件夹（默认：示例 workbook/returned） / the inbox folder"),
    roster: Optional[Path] = typer.Option(None, "--roster", help="单位名单（默认：收件文件夹旁的 roster.csv）"),
    year: Optional[int] = typer.Option(None, "--year", help="报告年度（默认：多数文件的年度） / report year"),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="输出目录（默认 out/consolidated） / output folder"),
    history: Optional[Path] = typer.Option(None, "--history", help="历史库（默认：名单旁的 gaixl-history.sqlite）"),
    layout_id: Optional[str] = typer.Option(None, "--layout", help="指定格式（默认按年度） / format id"),
    json_out: bool = JSON_OPT,
    lang: str = LANG_OPT,
):
    """汇总各单位报回的文件：状态、反馈、报告、数据、汇总工作簿。 / Consolidate an inbox of returned files."""
    from .consolidate import consolidate as run
    from .outputs import manifest, missing_units, summary

    lang = _check_lang(lang)
    try:
        if inbox is None:
            if not (Path("workbook") / "returned").is_dir():
                raise UsageError(t("consolidate.need_inbox", "en"), zh=t("consolidate.need_inbox", "zh"))
            inbox = Path("workbook") / "returned"
        if roster is None:
            roster = next((p / "roster.csv" for p in (inbox.parent, inbox) if (p / "roster.csv").is_file()), None)
            if roster is None:
                raise UsageError(t("consolidate.need_roster", "en"), zh=t("consolidate.need_roster", "zh"))
        out_dir = out_dir or Path("out") / "consolidated"
        history = history if history is not None else roster.parent / "gaixl-history.sqlite"
        with _progress(t("consolidate.progress", lang), 100, json_out) as prog:
            task = prog.add_task("", total=None)
            c = run(inbox, roster, year, out_dir, history=history, layout=layout_id,
                    progress=lambda i, n: prog.update(task, completed=i, total=n))
    except GaixlError as e:
        _fail(e, lang)
    s = summary(c)
    bad = any(u.status != "accepted" for u in c.units)
    if json_out:
        _emit_json({"summary": s, "out": str(out_dir), "manifest": manifest(c),
                    "notes": c.notes})
        raise typer.Exit(1 if bad else 0)
    out.print(t("consolidate.summary", lang, **{k: s[k] for k in ("county", "year", "received", "accepted",
                                                                   "superseded", "rejected", "unknown", "units",
                                                                   "missing")}), markup=False)
    miss = missing_units(c)
    if miss:
        out.print(t("consolidate.missing", lang), markup=False)
        for m in miss:
            why = t("consolidate.nothing", lang) if m["sent"] == "nothing" else m["reason"]
            out.print(f"  - {m['code']} {m['name']}：{why}", markup=False)
    for note in c.notes:
        out.print(t("consolidate.note", lang, note=note["en" if lang == "en" else "zh"]), markup=False)
    out.print(t("consolidate.out", lang, out=out_dir), markup=False)
    out.print(t("consolidate.workbook", lang, path=c.outputs.get("consolidated", "")), markup=False)
    raise typer.Exit(1 if bad else 0)


def _print_report(r, lang: str, only_errors: bool = False) -> None:
    d = r.data
    out.print(t("check.file", lang, file=r.file, unit=d.unit.get("name") or "?", year=d.year, layout=d.layout,
                e=r.errors, w=r.warnings), markup=False)
    shown = [f for f in r.sorted_findings() if not only_errors or f.severity == "error"]
    if not shown:
        out.print("  ✓ " + t("check.clean", lang))
        return
    # One finding a line (not a table): long Chinese messages stay whole in any terminal width
    # and in logs, and a line can be searched for its code.
    style = {"error": "red", "warning": "yellow", "info": "dim"}
    mark = {"error": "✗", "warning": "!", "info": "·"}
    for f in shown:
        msg = f.message_en if lang == "en" and f.message_en else f.message
        where = f" {f.location}" if f.location and f.location not in msg else ""
        out.print(f"  [{style.get(f.severity, '')}]{mark.get(f.severity, '')} {t('sev.' + f.severity, lang)}[/] "
                  f"{f.code}{escape(where)}  {escape(msg)}")


@app.command()
def history(
    db: Path = typer.Option(Path("gaixl-history.sqlite"), "--db", help="历史数据库 / history database"),
    year: Optional[int] = typer.Option(None, "--year", help="只列该年度 / only this report year"),
    json_out: bool = JSON_OPT,
    lang: str = LANG_OPT,
):
    """列出历史数据库中存有的单位年度报告。 / List the unit-years stored in the history database."""
    from .history import HistoryStore, text

    lang = _check_lang(lang)
    try:
        with HistoryStore(db, create=False) as store:
            items = store.units(year)
    except GaixlError as e:
        _fail(e, lang)
    if json_out:
        _emit_json({"db": str(db), "year": year, "units": items})
        return
    if not items:
        out.print(text("empty", lang, what=f"{year}年度" if year else "任何",
                       what_en=f" {year}" if year else ""), markup=False)
        return
    table = RichTable(title=text("title", lang, db=db))
    for col in ("code", "name", "year", "layout", "stored_at", "file"):
        table.add_column(text(col, lang), overflow="fold")
    for i in items:
        table.add_row(escape(i["code"]), escape(i["name"]), str(i["year"]), i["layout"], escape(i["stored_at"]),
                      escape(i["file"] or i["source"] or ""))
    out.print(table)
    years = sorted({i["year"] for i in items})
    out.print(text("summary", lang, n=len(items), years="、".join(map(str, years)) if lang != "en"
                   else ", ".join(map(str, years))), markup=False)


@app.command()
def version():
    """显示版本。 / Show the version."""
    out.print(__version__)


# Commands kept in modules of their own register themselves on `app` when imported here.
from . import cli_collect  # noqa: E402,F401
from . import cli_send  # noqa: E402,F401
from . import cli_import  # noqa: E402,F401


def main() -> None:
    app()


if __name__ == "__main__":
    main()
