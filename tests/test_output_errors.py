"""An output that cannot be written, as a user meets it on the command line: one line naming the
output and the reason, in Chinese (or English with --lang en), exit code 2 — never a traceback,
never exit 1 (that code means findings)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import consistent_data

from gaixl.report.data import dump_data
from gaixl.spec.load import load_layout

pytestmark = pytest.mark.slow          # every case is a gaixl process

ROOT = Path(__file__).resolve().parents[1]
MISSING = Path("/proc/gaixl-nope")          # a folder that cannot be made (not even by root)


def gaixl(*args, lang: str = "zh") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "gaixl.cli", *map(str, args), "--lang", lang],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A template, a data file for it and the filled workbook."""
    tmp = tmp_path_factory.mktemp("outputs")
    r = gaixl("generate", "--year", 2021, "--unit", "某县审计局", "--code", "X-1", "--out", tmp)
    assert r.returncode == 0, r.stderr
    template = tmp / "X-1-某县审计局-2021.xlsx"
    data = tmp / "d.json"
    data.write_text(dump_data(consistent_data(load_layout("2021"), 2021, 3, code="X-1", name="某县审计局")),
                    encoding="utf-8")
    filled = tmp / "filled.xlsx"
    assert gaixl("fill", template, "--data", data, "--out", filled).returncode == 0
    blocker = tmp / "a-file"
    blocker.write_text("not a folder")
    return {"template": template, "data": data, "filled": filled, "blocker": blocker}


@pytest.fixture(params=["missing", "not-a-folder", "a-file-as-folder"])
def place(request, made) -> Path:
    """Where the output cannot go: a folder that cannot be made, a path through a file, a file
    given as the output folder."""
    return {"missing": MISSING, "not-a-folder": made["blocker"] / "sub",
            "a-file-as-folder": made["blocker"]}[request.param]


def _commands(m: dict, where: Path) -> dict[str, tuple[list, Path]]:
    """command → (arguments, the output named in the error)."""
    return {
        "generate": (["generate", "--year", 2021, "--unit", "某局", "--code", "Y", "--out", where], where),
        "export": (["export", m["filled"], "--out", where / "d.json"], where / "d.json"),
        "fill": (["fill", m["template"], "--data", m["data"], "--out", where / "f.xlsx"], where / "f.xlsx"),
        "report": (["report", m["data"], "--out", where / "r.md"], where / "r.md"),
        "report-docx": (["report", m["data"], "--out", where / "r.docx"], where / "r.docx"),
    }


@pytest.mark.parametrize("command", ["generate", "export", "fill", "report", "report-docx"])
def test_an_unwritable_output_is_one_line_and_exit_2(made, command, place):
    args, named = _commands(made, place)[command]
    r = gaixl(*args)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    reason = "文件或文件夹不存在" if place == MISSING else "路径中有一级不是文件夹"
    what = "文件夹" if command == "generate" else "文件"
    assert lines[0] == f"错误：{named}: 无法写入输出{what}：{reason}"
    assert not list(made["blocker"].parent.glob(".*.part"))


def test_in_english_too(made):
    r = gaixl("fill", made["template"], "--data", made["data"], "--out", made["blocker"] / "f.xlsx", lang="en")
    assert r.returncode == 2
    assert r.stderr.strip() == f"Error: {made['blocker'] / 'f.xlsx'}: cannot write the output file: Not a directory"


def test_a_folder_in_the_way_of_the_output_file(made, tmp_path):
    (tmp_path / "r.md").mkdir()
    r = gaixl("report", made["data"], "--out", tmp_path / "r.md")
    assert r.returncode == 2 and r.stderr.strip().startswith(f"错误：{tmp_path / 'r.md'}: 无法写入输出文件：")
    assert "Traceback" not in r.stderr
