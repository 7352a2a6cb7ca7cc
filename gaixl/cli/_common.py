"""What the command modules share: the consoles, the common options, errors and progress.

Exit codes: 0 ok, 1 findings with errors, 2 usage or unreadable input.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from gaixl.errors import GaixlError
from gaixl.i18n import t
from gaixl.spec.load import use_layouts

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

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



def _progress(label: str, total: int, quiet: bool) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), console=err,
                    disable=quiet or total < 2 or not err.is_terminal, transient=True)



def _emit_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=1) + "\n")



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
        msg = f.text(lang)
        where = f" {f.location}" if f.location and f.location not in msg else ""
        # The message leads; the rule id follows in brackets, for searching (docs/findings.md).
        code = f"（{f.code}）" if lang != "en" else f" ({f.code})"
        out.print(f"  [{style.get(f.severity, '')}]{mark.get(f.severity, '')} {t('sev.' + f.severity, lang)}[/]"
                  f"{escape(where)} {escape(msg)}[dim]{escape(code)}[/]")
