"""gaixl consolidate and gaixl history."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from gaixl.cli._common import JSON_OPT, LANG_OPT, LAYOUTS_OPT, _check_lang, _emit_json, _fail, _progress, out
from gaixl.errors import GaixlError, UsageError
from gaixl.i18n import both, t


def consolidate(
    inbox: Optional[Path] = typer.Argument(None, help="收件文件夹（默认：示例 workbook/returned） / the inbox folder "
                                                      "(default: the demo's workbook/returned)"),
    roster: Optional[Path] = typer.Option(None, "--roster", help="单位名单（默认：收件文件夹旁的 roster.csv） / the "
                                                                 "roster (default: roster.csv beside the inbox)"),
    year: Optional[int] = typer.Option(None, "--year", help="报告年度（默认：多数文件的年度） / report year"),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="输出文件夹（默认 out/consolidated） / output folder"),
    deadline: Optional[str] = typer.Option(None, "--deadline", help="报送截止日期 YYYY-MM-DD（北京时间当日结束）；"
                                                                   "之后收到的文件标为逾期报送 / deadline: files "
                                                                   "received after that day are marked late"),
    tz: Optional[str] = typer.Option(None, "--tz", help="显示时间所用的时区（默认 Asia/Shanghai，北京时间） / time "
                                                        "zone of the times shown (default Asia/Shanghai)"),
    signature: Optional[str] = typer.Option(None, "--signature", help="落款单位（默认：设置文件 gaixl.toml 或名单的"
                                                                      "上级单位） / who signs letters and the county "
                                                                      "report"),
    history: Optional[Path] = typer.Option(None, "--history", help="把采用的报告存入该历史库并与上年比对（默认不写"
                                                                   "历史库） / store accepted reports in this history "
                                                                   "database (default: none)"),
    password: Optional[str] = typer.Option(None, "--password", help="汇总工作簿的工作表保护密码（默认与模板相同，"
                                                                    "见 README） / sheet-protection password of "
                                                                    "the consolidated workbook"),
    layout_id: Optional[str] = typer.Option(None, "--layout", help="指定格式（默认按年度） / format id"),
    json_out: bool = JSON_OPT,
    layouts_dir: Optional[Path] = LAYOUTS_OPT,
    lang: str = LANG_OPT,
):
    """汇总各单位报回的文件：报送情况、反馈意见、全县报告、数据、汇总工作簿。 / Consolidate an inbox of returned
    files."""
    from gaixl import settings as S
    from gaixl.consolidation.outputs import manifest, summary
    from gaixl.consolidation.run import consolidate as run
    from gaixl.mail.distribute import parse_deadline

    lang = _check_lang(lang, layouts_dir)
    demo = inbox is None
    try:
        if inbox is None:
            if not (Path("workbook") / "returned").is_dir():
                raise UsageError(**both("consolidate.need_inbox"))
            inbox = Path("workbook") / "returned"
        if roster is None:
            roster = next((p / "roster.csv" for p in (inbox.parent, inbox) if (p / "roster.csv").is_file()), None)
            if roster is None:
                raise UsageError(**both("consolidate.need_roster"))
        conf = S.load(roster.parent, Path.cwd())
        out_dir = out_dir or Path("out") / "consolidated"
        history = history if history is not None else (Path(conf["history"]) if conf.get("history") else None)
        with _progress(t("consolidate.progress", lang), 100, json_out) as prog:
            task = prog.add_task("", total=None)
            c = run(inbox, roster, year, out_dir, history=history, layout=layout_id,
                    progress=lambda i, n: prog.update(task, completed=i, total=n),
                    tz=tz or conf.get("tz"), deadline=parse_deadline(deadline),
                    office=signature or conf.get("office"), county=conf.get("county"),
                    password=password or conf.get("password"))
    except GaixlError as e:
        _fail(e, lang)
    s = summary(c)
    bad = any(u.status != "accepted" for u in c.units)
    # The demo county's problems are what the demo is for: they are the expected output, not a
    # failure. A real inbox with a missing or rejected unit ends with 1.
    code = 1 if bad and not demo else 0
    if json_out:
        _emit_json({"summary": s, "out": str(out_dir), "outputs": {k: str(v) for k, v in c.outputs.items()},
                    "manifest": manifest(c), "notes": c.notes, "demo": demo})
        raise typer.Exit(code)
    for line in terminal_lines(c, lang):
        out.print(line, markup=False)
    if demo:
        out.print(t("consolidate.demo", lang), markup=False)
    raise typer.Exit(code)


def terminal_lines(c, lang: str) -> list[str]:
    """What the clerk reads after a run: units (not files) by status, who is not in the totals and
    why, late units, then every file written — the county report first."""
    from gaixl import timefmt
    from gaixl.consolidation.outputs import missing_units, summary

    s = summary(c)
    units = {k: sum(1 for u in c.units if u.status == k) for k in ("accepted", "rejected", "missing")}
    late = [u for u in c.units if u.status != "missing" and u.entry is not None and u.entry.late]
    lines = [t("consolidate.units", lang, county=c.county, year=c.year, units=len(c.units), **units),
             t("consolidate.files", lang, received=s["received"], accepted=s["accepted"],
               superseded=s["superseded"], rejected=s["rejected"], unknown=s["unknown"])]
    miss = missing_units(c)
    if miss:
        lines.append(t("consolidate.missing", lang))
        reason_en = {u.code: u.entry.reason_en for u in c.units if u.entry is not None}
        for m in miss:
            if m["sent"] == "nothing":
                why = t("consolidate.nothing", lang)
            else:
                why = m["reason"] if lang != "en" else (reason_en.get(m["code"]) or m["reason"])
            lines.append(f"  - {m['name']}（{m['code']}）：{why}" if lang != "en" else f"  - {m['name']} ({m['code']}): {why}")
    if c.deadline is not None:
        lines.append(t("consolidate.late", lang, n=len(late), deadline=timefmt.zh_date(c.deadline) if lang != "en"
                       else c.deadline.isoformat()))
        for u in late:
            when = timefmt.zh_time(u.entry.submitted_at, c.zone) if lang != "en" else timefmt.en_time(
                u.entry.submitted_at, c.zone)
            lines.append(f"  - {u.name}（{u.code}）：{when}" if lang != "en" else f"  - {u.name} ({u.code}): {when}")
    for note in c.notes:
        lines.append(t("consolidate.note", lang, note=note["en" if lang == "en" else "zh"]))
    lines.append(t("consolidate.written", lang, out=c.outputs.get("manifest.json", Path(".")).parent))
    for key, label in OUTPUT_LABELS:
        p = c.outputs.get(key)
        if p is None:
            continue
        what = label[0 if lang != "en" else 1]
        if p.is_dir():                        # a folder: how many files it holds, then where
            n = sum(1 for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
            what += f"（{n} 个文件）" if lang != "en" else f" ({n} files)"
        lines.append(f"  {what}：{p}" if lang != "en" else f"  {what}: {p}")
    return lines


# Every output consolidate writes, as the clerk reads the list: the county report first.
OUTPUT_LABELS = [
    ("county-report.docx", ("全县年度报告（汇总稿，请核改后印发）", "county report (a draft to review)")),
    ("status.html", ("报送情况（网页）", "status page")),
    ("status.xlsx", ("报送情况表", "status workbook")),
    ("consolidated", ("汇总工作簿（数字为各单位之和）", "consolidated workbook (the sums)")),
    ("summary.xlsx", ("各单位数据汇总表", "per-unit summary workbook")),
    ("feedback", ("给各单位的反馈意见", "feedback letters")),
    ("reports", ("各单位报告", "per-unit reports")),
    ("data", ("供程序使用的数据文件", "data files for programs")),
    ("manifest.csv", ("文件清单（CSV）", "manifest (CSV)")),
    ("manifest.json", ("文件清单（JSON，供 gaixl feedback 和程序使用）", "manifest (JSON)")),
]



def history(
    db: Path = typer.Option(Path("gaixl-history.sqlite"), "--db", help="历史数据库 / history database"),
    year: Optional[int] = typer.Option(None, "--year", help="只列该年度 / only this report year"),
    json_out: bool = JSON_OPT,
    layouts_dir: Optional[Path] = LAYOUTS_OPT,
    lang: str = LANG_OPT,
):
    """列出历史数据库中存有的单位年度报告。 / List the unit-years stored in the history database."""
    from gaixl.validation.history import HistoryStore

    lang = _check_lang(lang, layouts_dir)
    try:
        with HistoryStore(db, create=False) as store:
            items = store.units(year)
    except GaixlError as e:
        _fail(e, lang)
    if json_out:
        _emit_json({"db": str(db), "year": year, "units": items})
        return
    if not items:
        out.print(t("history.empty", lang, what=f"{year}年度" if year else "任何",
                       what_en=f" {year}" if year else ""), markup=False)
        return
    from gaixl import timefmt

    table = RichTable(title=t("history.title", lang, db=db))
    for col in ("code", "name", "year", "layout", "submitted_at", "file"):
        table.add_column(t("history." + col, lang), overflow="fold")
    for i in items:
        # 报送时间: when the unit sent it (Beijing time); a report stored without one (an import)
        # shows when it was stored.
        when = i.get("submitted_at") or i["stored_at"]
        shown = (timefmt.zh_time(when) if lang != "en" else timefmt.en_time(when)) or str(when or "")
        table.add_row(escape(i["code"]), escape(i["name"]), str(i["year"]), i["layout"], escape(shown),
                      escape(i["file"] or i["source"] or ""))
    out.print(table)
    years = sorted({i["year"] for i in items})
    out.print(t("history.summary", lang, n=len(items), years="、".join(map(str, years)) if lang != "en"
                   else ", ".join(map(str, years))), markup=False)

