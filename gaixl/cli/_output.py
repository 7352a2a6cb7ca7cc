"""What the commands print through: the consoles, JSON on stdout, a report's lines, progress.

Kept apart from _common (the typer options) so that `gaixl check`, which may run without the
framework (gaixl.cli.checking), prints exactly as every other command does.
"""
from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from gaixl.i18n import t

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


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
