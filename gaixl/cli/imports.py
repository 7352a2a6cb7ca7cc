"""`gaixl import`: a published report (text, HTML, Word, PDF) → data file, filled workbook, history.

Thin: gaixl.importers.import_report does the work; this prints what was found like `check`
does, writes the output and says what could not be placed.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from gaixl.cli._common import JSON_OPT, LANG_OPT, LAYOUTS_OPT, _check_lang, _emit_json, _fail, _print_report, out
from gaixl.errors import GaixlError, UsageError

_MSG = {
    "done": ("已导入：{src} → {out}（{fmt}年版格式，读取方式：{reader}）", "imported: {src} → {out} ({fmt} format, read as {reader})"),
    "stored": ("已存入历史数据库：{db}（{code} {year}年度）", "stored in the history database: {db} ({code} {year})"),
    "not_placed": ("未能导入的单元格 {n} 项（逐项原因见输出文件的 import.not_placed）",
                   "{n} cell(s) could not be placed (reasons cell by cell in import.not_placed of the output)"),
    "xlsx_totals": ("注意：工作簿中的合计为公式，会按导入的分项重新计算；原文合计与分项不符之处已列为上面的问题。",
                    "note: the workbook's totals are formulas and recompute from the imported items; where the "
                    "published totals disagree, the findings above say so."),
    "xlsx_blank": ("注意：工作簿中无法保留“未导入”与“原文空白”的区别，均为空白单元格；请以JSON输出核对。",
                   "note: a workbook cannot tell a cell not placed from a published blank; both are empty cells."),
    "bad_out": ("输出文件须为 .json 或 .xlsx：{out}", "the output must be .json or .xlsx: {out}"),
    "need_out": ("请用 --out 指定输出文件（.json 或 .xlsx），或用 --history 存入历史数据库",
                 "give --out (a .json or .xlsx file) or --history"),
    "need_code": ("存入历史数据库须知道单位代码：请用 --code 指定，或用 --roster 按单位名称从名单中查找",
                  "--history needs the unit's code: give --code, or --roster to look it up by the unit's name"),
    "no_match": ("名单 {roster} 中没有名为“{name}”的单位，请用 --code 指定单位代码",
                 "no unit named {name} in the roster {roster}: give --code"),
    "many_match": ("名单 {roster} 中有多个名为“{name}”的单位（{codes}），请用 --code 指定",
                   "several units named {name} in the roster {roster} ({codes}): give --code"),
    "code_from": ("单位代码 {code} 取自{what}", "unit code {code} from {what_en}"),
    "need_unit": ("生成工作簿须知道单位名称：原文未找到，请用 --unit 指定", "a workbook needs the unit's name: not found in the source, give --unit"),
}


def _m(key: str, lang: str, **kw) -> str:
    zh, en = _MSG[key]
    return (en if lang == "en" else zh).format(**kw)


def import_cmd(
    file: Path = typer.Argument(..., help="已发布的报告：.txt、.html、.docx、.doc 或 .pdf / a published report (.txt .html .docx .doc .pdf)"),
    year: Optional[int] = typer.Option(None, "--year", help="报告年度 / report year"),
    unit: Optional[str] = typer.Option(None, "--unit", help="单位名称（默认取自标题或落款） / the unit's name"),
    code: str = typer.Option("", "--code", help="单位代码（存入历史数据库时必填，或用 --roster 查找） / the unit's code"),
    roster: Optional[Path] = typer.Option(None, "--roster", help="单位名单：按单位名称查找单位代码 / a roster to look "
                                                                 "the unit's code up by its name"),
    out_file: Optional[Path] = typer.Option(None, "--out", help="输出：数据文件 .json 或已填报工作簿 .xlsx / "
                                                                 "output: data file .json or filled workbook .xlsx"),
    history_db: Optional[Path] = typer.Option(None, "--history", help="存入历史数据库 / store in the history database"),
    layout_id: Optional[str] = typer.Option(None, "--layout", help="指定格式（默认按表格标签判断） / format id"),
    simplified: bool = typer.Option(False, "--simplified", help="文字部分转为简体字（默认保持原文） / "
                                                                "convert the narrative to Simplified characters"),
    json_out: bool = JSON_OPT,
    layouts_dir: Optional[Path] = LAYOUTS_OPT,
    lang: str = LANG_OPT,
):
    """把已发布的报告（文本、网页、Word、PDF）导入为数据文件或已填报工作簿。 / Import a published report."""
    from gaixl.importers import import_report

    lang = _check_lang(lang, layouts_dir)
    try:
        if out_file is None and history_db is None:
            raise UsageError("give --out or --history", zh=_MSG["need_out"][0])
        if out_file is not None and out_file.suffix.lower() not in (".json", ".xlsx"):
            raise UsageError(f"the output must be .json or .xlsx: {out_file}", zh=_MSG["bad_out"][0].format(out=out_file))
        if history_db is not None and not code.strip() and roster is None:
            raise UsageError("--history needs --code or --roster", zh=_MSG["need_code"][0])
        res = import_report(file, year=year, unit=unit, layout=layout_id, code=code.strip(), simplified_text=simplified)
        code_from = _code_from_roster(res, roster) if roster is not None and not code.strip() else ""
        if out_file is not None:
            _write(res, out_file)
        if history_db is not None:
            _store(res, history_db, file)
    except GaixlError as e:
        _fail(e, lang)
    report = res.report()
    if json_out:
        payload = report.to_json(lang)
        payload.update({"out": str(out_file) if out_file else None, "format": res.format, "reader": res.source_format,
                        "not_placed": res.not_placed})
        _emit_json(payload)
    else:
        _print_report(report, lang)
        if code_from:
            out.print(_m("code_from", lang, code=res.data.unit["code"], what=f"名单 {roster}", what_en=f"the roster {roster}"),
                      markup=False)
        out.print(_m("done", lang, src=file, out=out_file or history_db, fmt=res.format, reader=res.source_format),
                  markup=False)
        if res.not_placed:
            out.print(_m("not_placed", lang, n=len(res.not_placed)), markup=False)
        if out_file is not None and out_file.suffix.lower() == ".xlsx":
            out.print(escape(_m("xlsx_totals", lang)))
            out.print(escape(_m("xlsx_blank", lang)))
        if history_db is not None:
            out.print(_m("stored", lang, db=history_db, code=res.data.unit.get("code"), year=res.data.year), markup=False)
    raise typer.Exit(1 if report.errors else 0)


def _code_from_roster(res, roster: Path) -> str:
    """The unit's code from the roster, by its name (as imported or given by --unit): spaces and
    full-/half-width differences do not count. Sets it on the data; → the code."""
    import unicodedata

    from gaixl.report.roster import read_roster

    def key(s: str) -> str:
        return "".join(unicodedata.normalize("NFKC", s or "").split())

    name = res.data.unit.get("name") or ""
    codes = [u["code"] for u in read_roster(roster) if key(u["name"]) == key(name)] if name else []
    if not codes:
        raise UsageError(f"no unit named {name!r} in the roster", where=str(roster),
                         zh=_MSG["no_match"][0].format(roster=roster, name=name))
    if len(set(codes)) > 1:
        raise UsageError(f"several units named {name!r} in the roster: {', '.join(codes)}", where=str(roster),
                         zh=_MSG["many_match"][0].format(roster=roster, name=name, codes="、".join(codes)))
    res.data.unit["code"] = codes[0]
    return codes[0]


def _write(res, out_file: Path) -> None:
    from gaixl.atomic import write_text
    from gaixl.report.data import dump_data

    if out_file.suffix.lower() == ".json":
        write_text(out_file, dump_data(res.data))
        return
    from gaixl.spec.load import load_layout
    from gaixl.workbook.fill import fill_workbook
    from gaixl.workbook.template import generate_workbook

    data = res.data
    if not data.unit.get("name"):
        raise UsageError("a workbook needs the unit's name (--unit)", zh=_MSG["need_unit"][0])
    layout = load_layout(data.layout)
    with tempfile.TemporaryDirectory(prefix="gaixl-import-") as tmp:
        template = Path(tmp) / "template.xlsx"
        # A report published in a format not meant for its year is kept as published: the
        # workbook's own 校验 shows the mismatch (and import said it: import-format-year).
        generate_workbook(layout, data.year, data.unit.get("code") or "", data.unit["name"], template,
                          allow_layout_mismatch=True)
        fill_workbook(template, data, out_file)


def _store(res, db: Path, source: Path) -> None:
    from gaixl.validation.history import HistoryStore

    prov = {"stored_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "source": str(source),
            "file": str(source), "kind": "import", "format": res.format, "reader": res.source_format,
            "not_placed": len(res.not_placed)}
    with HistoryStore(db) as store:
        store.store(res.data, prov)
