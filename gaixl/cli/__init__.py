"""The command line: a thin shell over the library, one module per command group.

Each command parses its options, calls one library function and prints; the commands are
registered here, in the order `gaixl --help` lists them. Exit codes: 0 ok, 1 findings with
errors, 2 usage or unreadable input.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from gaixl.cli import collect, consolidate, core, imports, send

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="gaixl：政府信息公开工作年度报告——模板生成、读取校验、汇总。 / Toolkit for the annual "
                       "government-information-disclosure report.")

COMMANDS: list[tuple[str, Callable[..., Any]]] = [
    ("layouts", core.layouts),
    ("generate", core.generate),
    ("fill", core.fill),
    ("export", core.export),
    ("check", core.check),
    ("report", core.report),
    ("consolidate", consolidate.consolidate),
    ("history", consolidate.history),
    ("collect", collect.collect),
    ("distribute", send.distribute),
    ("feedback", send.feedback),
    ("import", imports.import_cmd),
    ("version", core.version),
]
for _name, _func in COMMANDS:
    app.command(_name)(_func)


def main() -> None:
    app()
