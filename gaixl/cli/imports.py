"""`gaixl import`: a published report (text, HTML, Word, PDF) → data file, filled workbook, history.

Thin: gaixl.import_report (gaixl.importers.outputs.import_file) reads, looks the code up, writes
and stores; this prints what was found like `check` does and says what could not be placed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from gaixl.cli._common import JSON_OPT, LANG_OPT, LAYOUTS_OPT, _check_lang, _emit_json, _fail, _print_report, out
from gaixl.errors import GaixlError, UsageError
from gaixl.i18n import both, t


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
    from gaixl.api import import_report

    lang = _check_lang(lang, layouts_dir)
    code = code.strip()
    try:
        if out_file is None and history_db is None:
            raise UsageError(**both("import.need_out"))
        res = import_report(file, year=year, unit=unit, code=code, roster=roster, layout=layout_id,
                            simplified_text=simplified, out=out_file, history=history_db)
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
        if roster is not None and not code:          # the code was looked up in the roster
            out.print(t("import.code_from", lang, code=res.data.unit["code"], what=f"名单 {roster}",
                        what_en=f"the roster {roster}"), markup=False)
        out.print(t("import.done", lang, src=file, out=out_file or history_db, fmt=res.format,
                    reader=res.source_format), markup=False)
        if res.not_placed:
            out.print(t("import.not_placed", lang, n=len(res.not_placed)), markup=False)
        if out_file is not None and out_file.suffix.lower() == ".xlsx":
            out.print(escape(t("import.xlsx_totals", lang)))
            out.print(escape(t("import.xlsx_blank", lang)))
        if history_db is not None:
            out.print(t("import.stored", lang, db=history_db, code=res.data.unit.get("code"), year=res.data.year),
                      markup=False)
    raise typer.Exit(1 if report.errors else 0)
