"""`gaixl check` without typer (gaixl.cli.checking): which command lines take the quick path,
and that a command line means and prints the same either way (issue 14: start-up is part of
every check)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gaixl.cli.checking import plain_check_args

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("args,want", [
    (["a.xlsx"], {"files": [Path("a.xlsx")], "json_out": False, "lang": "zh", "year": None, "code": None}),
    (["--json", "a.xlsx", "b.json"], {"files": [Path("a.xlsx"), Path("b.json")], "json_out": True}),
    (["a.xlsx", "--lang", "en", "--year", "2024", "--code", "U-01"], {"lang": "en", "year": 2024, "code": "U-01"}),
    (["--lang=en", "--year=2025", "a.xlsx"], {"lang": "en", "year": 2025}),
    (["--history", "h.sqlite", "--layouts", "lay", "a.xlsx"],
     {"history_db": Path("h.sqlite"), "layouts_dir": Path("lay")}),
    (["--", "-odd.xlsx", "--json"], {"files": [Path("-odd.xlsx"), Path("--json")], "json_out": False}),
])
def test_plain_forms(args, want):
    got = plain_check_args(args)
    assert got is not None
    for k, v in want.items():
        assert got[k] == v, k


@pytest.mark.parametrize("args", [
    [], ["--json"], ["--help", "a.xlsx"], ["-h", "a.xlsx"], ["--bogus", "a.xlsx"], ["--year", "x", "a.xlsx"],
    ["--year", "2024.0", "a.xlsx"], ["--year", "-1", "a.xlsx"], ["--year", "２０２４", "a.xlsx"],
    ["--lang", "fr", "a.xlsx"], ["--lang", "a.xlsx"], ["--code", "--json", "a.xlsx"], ["--code"],
    ["--json", "--json", "a.xlsx"], ["--json=1", "a.xlsx"], ["--code", "", "a.xlsx"], ["-", "a.xlsx"],
    ["--year", "2024", "--year", "2025", "a.xlsx"],
])
def test_everything_else_goes_to_typer(args):
    assert plain_check_args(args) is None


def _run(args, env=None):
    return subprocess.run([sys.executable, "-c", "from gaixl.cli import main; main()", *args], capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {})))


def test_same_words_either_way(tmp_path):
    """The quick path (the real command line) and typer's (the app, as `from gaixl.cli import
    app` gives it) say the same with the same exit code: files that cannot be read, one or
    several, in Chinese and English, and a folder of layouts that does not exist."""
    from typer.testing import CliRunner

    from gaixl.cli import app

    missing = tmp_path / "missing.xlsx"
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    for args in (["check", str(missing)], ["check", "--json", str(empty), str(missing)],
                 ["check", "--lang", "en", str(empty)], ["check", "--layouts", str(tmp_path / "nope"), str(empty)]):
        quick = _run(args)
        r = CliRunner().invoke(app, args)
        assert quick.returncode == r.exit_code, (args, quick.stderr, r.output)
        assert quick.stdout + quick.stderr == r.output or sorted((quick.stdout + quick.stderr).splitlines()) == \
            sorted(r.output.splitlines()), (args, quick.stdout, quick.stderr, r.output)


def test_help_and_bad_values_still_worded_by_typer():
    r = _run(["check", "--year", "x", "a.xlsx"])
    assert r.returncode == 2 and "整数" in r.stderr, r.stderr
    r = _run(["check", "--help"])
    assert r.returncode == 0 and "用法" in r.stdout
