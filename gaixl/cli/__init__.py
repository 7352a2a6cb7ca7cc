"""The command line: a thin shell over the library, one module per command group.

Each command parses its options, calls one library function and prints; the commands are
registered here, in the order `gaixl --help` lists them. Exit codes: 0 ok, 1 findings with
errors, 2 usage or unreadable input.
"""
from __future__ import annotations

import typer

from gaixl.cli import collect, consolidate, core, imports, send
from gaixl.cli._help import LocalizedCommand, LocalizedGroup

# Help in Chinese (English with --lang en or LANG=en…), the framework's words included: gaixl.cli._help.
app = typer.Typer(add_completion=False, no_args_is_help=True, cls=LocalizedGroup,
                  help="gaixl：政府信息公开工作年度报告——模板生成、读取校验、汇总。 / Toolkit for the annual "
                       "government-information-disclosure report.")

COMMANDS = [
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
    app.command(_name, cls=LocalizedCommand)(_func)


def main() -> None:
    app()
