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
    inbox: Optional[Path] = typer.Argument(None, help="收件文件夹（默认：示例 workbook/returned） / the inbox folder"),
    roster: Optional[Path] = typer.Option(None, "--roster", help="单位名单（默认：收件文件夹旁的 roster.csv）"),
    year: Optional[int] = typer.Option(None, "--year", help="报告年度（默认：多数文件的年度） / report year"),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="输出目录（默认 out/consolidated） / output folder"),
    history: Optional[Path] = typer.Option(None, "--history", help="历史库（默认：名单旁的 gaixl-history.sqlite）"),
    layout_id: Optional[str] = typer.Option(None, "--layout", help="指定格式（默认按年度） / format id"),
    json_out: bool = JSON_OPT,
    layouts_dir: Optional[Path] = LAYOUTS_OPT,
    lang: str = LANG_OPT,
):
    """汇总各单位报回的文件：状态、反馈、报告、数据、汇总工作簿。 / Consolidate an inbox of returned files."""
    from gaixl.consolidation.outputs import manifest, missing_units, summary
    from gaixl.consolidation.run import consolidate as run

    lang = _check_lang(lang, layouts_dir)
    try:
        if inbox is None:
            if not (Path("workbook") / "returned").is_dir():
                raise UsageError(**both("consolidate.need_inbox"))
            inbox = Path("workbook") / "returned"
        if roster is None:
            roster = next((p / "roster.csv" for p in (inbox.parent, inbox) if (p / "roster.csv").is_file()), None)
            if roster is None:
                raise UsageError(**both("consolidate.need_roster"))
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
    table = RichTable(title=t("history.title", lang, db=db))
    for col in ("code", "name", "year", "layout", "stored_at", "file"):
        table.add_column(t("history." + col, lang), overflow="fold")
    for i in items:
        table.add_row(escape(i["code"]), escape(i["name"]), str(i["year"]), i["layout"], escape(i["stored_at"]),
                      escape(i["file"] or i["source"] or ""))
    out.print(table)
    years = sorted({i["year"] for i in items})
    out.print(t("history.summary", lang, n=len(items), years="、".join(map(str, years)) if lang != "en"
                   else ", ".join(map(str, years))), markup=False)

