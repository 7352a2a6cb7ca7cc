"""What the command modules share: the consoles, the common options, errors and progress.

Exit codes: 0 ok, 1 findings with errors, 2 usage or unreadable input.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from gaixl.cli._output import _emit_json, _print_report, _progress, err, out
from gaixl.errors import GaixlError
from gaixl.i18n import t
from gaixl.spec.load import use_layouts

__all__ = ["JSON_OPT", "LANG_OPT", "LAYOUTS_OPT", "_check_lang", "_emit_json", "_fail", "_print_report", "_progress",
           "err", "out"]

JSON_OPT = typer.Option(False, "--json", help="输出 JSON（供程序使用） / print JSON for machines")
LANG_OPT = typer.Option("zh", "--lang", help="zh 或 en / language of messages: zh or en")
LAYOUTS_OPT = typer.Option(None, "--layouts", help="另外的格式文件所在文件夹（同环境变量 GAIXL_LAYOUTS） / "
                                                   "folder of extra layout files (as GAIXL_LAYOUTS)")



def _fail(e: GaixlError, lang: str, code: int = 2) -> None:
    err.print(f"{t('error', lang)}{e.text(lang)}", markup=False)
    raise typer.Exit(code)



def _check_lang(lang: str, layouts_dir: Optional[Path] = None) -> str:
    """--lang checked; --layouts (when the command has it) put to use for this run."""
    if lang not in ("zh", "en"):
        raise typer.BadParameter("--lang must be zh or en")
    try:
        use_layouts(layouts_dir)
    except GaixlError as e:
        _fail(e, lang)
    return lang
