"""The command line: a thin shell over the library, one module per command group.

Each command parses its options, calls one library function and prints; the commands are
registered here, in the order `gaixl --help` lists them. A command's module is imported only
when that command runs (`gaixl check` loads no mail, import or document code: its start-up is
part of every check), and every one of them for `gaixl --help` or `from gaixl.cli import app`.
Exit codes: 0 ok, 1 findings with errors, 2 usage or unreadable input.
"""
from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

# Help in Chinese (English with --lang en or LANG=en…), the framework's words included: gaixl.cli._help.
HELP = ("gaixl：政府信息公开工作年度报告——模板生成、读取校验、汇总。 / Toolkit for the annual "
        "government-information-disclosure report.")

# (command, module under gaixl.cli, function)
COMMANDS = [
    ("layouts", "core", "layouts"),
    ("generate", "core", "generate"),
    ("fill", "core", "fill"),
    ("export", "core", "export"),
    ("check", "core", "check"),
    ("report", "core", "report"),
    ("consolidate", "consolidate", "consolidate"),
    ("history", "consolidate", "history"),
    ("collect", "collect", "collect"),
    ("distribute", "send", "distribute"),
    ("feedback", "send", "feedback"),
    ("import", "imports", "import_cmd"),
    ("version", "core", "version"),
]


def make_app(only: str | None = None) -> typer.Typer:
    """The application with every command, or with the one named `only` (still a group, so
    that `gaixl check FILE` parses exactly as with all commands)."""
    import typer

    from gaixl.cli._help import LocalizedCommand, LocalizedGroup

    app = typer.Typer(add_completion=False, no_args_is_help=True, help=HELP, cls=LocalizedGroup)
    for name, module, func in COMMANDS:
        if only is None or name == only:
            app.command(name, cls=LocalizedCommand)(getattr(importlib.import_module(f"gaixl.cli.{module}"), func))
    if only is not None:
        app.callback()(lambda: None)             # one command alone would otherwise be the whole app
    return app


def __getattr__(name: str):
    if name == "app":                            # `from gaixl.cli import app`: every command
        app = globals()["app"] = make_app()
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    first = sys.argv[1] if len(sys.argv) > 1 else ""
    if first == "check":
        # The plain forms of `gaixl check` skip the framework's start-up (gaixl.cli.checking).
        from gaixl.cli.checking import plain_check_args, run_check

        kw = plain_check_args(sys.argv[2:])
        if kw is not None:
            _exit(run_check, kw)
    make_app(first if first in {name for name, _m, _f in COMMANDS} else None)()


def _exit(run, kw: dict) -> None:
    """run(**kw)'s exit code as the process's, as typer would end it (stdout flushed; a reader
    that went away, e.g. `| head`, ends the run quietly with 1, as click does)."""
    try:
        code = run(**kw)
        sys.stdout.flush()
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)
