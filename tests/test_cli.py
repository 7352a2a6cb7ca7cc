"""The CLI as a user runs it: in-process (typer's runner) and as a subprocess. Exit codes and
`Error: …` lines are part of the contract."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import consistent_data
from typer.testing import CliRunner

from gaixl.cli import app
from gaixl.report.data import dump_data
from gaixl.spec.load import load_layout

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_layouts_lists_both_formats():
    r = run("layouts", "--json")
    assert r.exit_code == 0
    items = json.loads(r.stdout)
    assert [(i["id"], i["years"]) for i in items] == [("2019", {"from": 2019, "to": 2020}), ("2021", {"from": 2021, "to": None})]
    r = run("layouts")
    assert "国办公开办函〔2021〕30号" in r.stdout


def test_every_command_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for cmd in app.registered_commands:
        name = cmd.name or cmd.callback.__name__
        if name == "version":
            continue
        assert f"gaixl {name}" in readme, name


@pytest.fixture
def roster_gbk(tmp_path):
    # A roster as Excel on Chinese Windows saves it: GBK, CRLF.
    p = tmp_path / "名单.csv"
    p.write_bytes("code,name,email\r\n331122-01,缙云县人力资源和社会保障局,a@example.gov.cn\r\n"
                  "331122-02,缙云县财政局/国资办,b@example.gov.cn\r\n".encode("gbk"))
    return p


def test_generate_fill_export_check_round_trip(tmp_path, roster_gbk):
    out = tmp_path / "模板"
    r = run("generate", "--year", 2023, "--roster", roster_gbk, "--out", out, "--json")
    assert r.exit_code == 0, r.stdout
    made = json.loads(r.stdout)["templates"]
    assert len(made) == 2 and all(Path(m["file"]).exists() for m in made)
    assert all("/" not in Path(m["file"]).name.replace("模板/", "") for m in made)
    template = Path(made[0]["file"])

    layout = load_layout("2021")
    data = consistent_data(layout, 2023, seed=9, code="331122-01", name="缙云县人力资源和社会保障局")
    data_file = tmp_path / "data.json"
    data_file.write_text(dump_data(data), encoding="utf-8")
    filled = tmp_path / "filled.xlsx"
    r = run("fill", template, "--data", data_file, "--out", filled)
    assert r.exit_code == 0, r.stdout
    r = run("check", filled, "--json")
    assert r.exit_code == 0, r.stdout
    report = json.loads(r.stdout)
    assert report["ok"] and report["errors"] == 0 and report["layout"] == "2021"
    assert report["data"]["tables"] == data.to_json()["tables"]

    exported = tmp_path / "exported.json"
    r = run("export", filled, "--out", exported)
    assert r.exit_code == 0
    assert json.loads(exported.read_text(encoding="utf-8"))["tables"] == data.to_json()["tables"]


def test_check_finds_errors_and_exits_1(tmp_path):
    layout = load_layout("2021")
    data = consistent_data(layout, 2022, seed=2)
    data.tables["三"]["一、本年新收政府信息公开申请数量"]["自然人"] += 1
    p = tmp_path / "bad.json"
    p.write_text(dump_data(data), encoding="utf-8")
    r = run("check", p, "--json")
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    codes = [f["code"] for f in report["findings"] if f["severity"] == "error"]
    assert "t3-balance" in codes and "t3-row-total" in codes
    f = next(f for f in report["findings"] if f["code"] == "t3-balance")
    assert set(f) == {"code", "severity", "table", "sheet", "cell", "row", "column", "expected", "found", "message"}
    r = run("check", p)
    assert r.exit_code == 1 and "t3-balance" in r.stdout and "勾稽" in r.stdout
    r = run("check", p, "--lang", "en")
    assert "must equal" in r.stdout


def test_unreadable_input_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_text("<html><body>not a workbook</body></html>", encoding="utf-8")
    r = run("check", bad)
    assert r.exit_code == 2
    assert "坏文件.xlsx" in r.output and "Traceback" not in r.output
    r = run("check", tmp_path / "missing.xlsx")
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_usage_errors_exit_2(tmp_path):
    assert run("generate", "--year", 2023, "--out", tmp_path).exit_code == 2
    assert run("generate", "--year", 2015, "--unit", "某局", "--out", tmp_path).exit_code == 2
    assert run("check", "--lang", "fr", tmp_path / "x.json").exit_code == 2
    assert run("nonsense").exit_code == 2


def test_generate_refuses_a_format_that_does_not_fit_the_year(tmp_path):
    r = run("generate", "--year", 2025, "--layout", "2019", "--unit", "某局", "--out", tmp_path)
    assert r.exit_code == 2 and not list(tmp_path.iterdir())
    assert "2019年版格式（国办公开办函〔2019〕60号）适用于2019–2020年度报告，不适用于2025年度" in r.output
    assert "--layout 2021" in r.output
    r = run("generate", "--year", 2020, "--layout", "2021", "--unit", "某局", "--out", tmp_path, "--lang", "en")
    assert r.exit_code == 2 and "applies to report years 2021–, not 2020: use --layout 2019" in r.output
    # plainly asked for (tests of old templates): written, and the workbook itself says it is wrong
    r = run("generate", "--year", 2025, "--layout", "2019", "--unit", "某局", "--code", "X", "--out", tmp_path,
            "--allow-layout-mismatch")
    assert r.exit_code == 0, r.output
    r = run("check", tmp_path / "X-某局-2025.xlsx", "--json")
    (f,) = [f for f in json.loads(r.stdout)["findings"] if f["code"] == "layout-year-mismatch"]
    assert f["severity"] == "error" and "应使用2021年版格式（国办公开办函〔2021〕30号）的模板" in f["message"]
    assert (f["sheet"], f["cell"]) == ("基本信息", "B5")


def test_subprocess_entry_point(tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run([sys.executable, "-m", "gaixl.cli", "generate", "--year", "2020", "--unit", "某县审计局",
                        "--code", "X-1", "--out", str(tmp_path)], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    files = list(tmp_path.glob("*.xlsx"))
    assert [f.name for f in files] == ["X-1-某县审计局-2020.xlsx"]
    r = subprocess.run([sys.executable, "-m", "gaixl.cli", "check", str(files[0])], capture_output=True, text=True, env=env)
    # an empty template: narrative sections are missing → errors, exit 1, no traceback
    assert r.returncode == 1 and "Traceback" not in r.stderr


def test_fill_understands_published_values_and_says_lost_totals(tmp_path):
    layout = load_layout("2019")
    data = consistent_data(layout, 2020, seed=4, code="X-1", name="某县审计局").to_json()
    data["tables"]["二"]["行政许可"]["本年增/减"] = "减2"
    data["tables"]["三"]["三、（七）总计"]["自然人"] += 1          # a published wrong sum
    p = tmp_path / "published.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert run("generate", "--year", 2020, "--unit", "某县审计局", "--code", "X-1", "--out", tmp_path).exit_code == 0
    template = tmp_path / "X-1-某县审计局-2020.xlsx"
    r = run("fill", template, "--data", p, "--out", tmp_path / "f.xlsx", "--json")
    assert r.exit_code == 0, r.output
    said = {f["code"] for f in json.loads(r.stdout)["findings"]}
    assert {"t3-results-total", "t3-row-total"} <= said
    r = run("export", tmp_path / "f.xlsx", "--out", tmp_path / "back.json")
    back = json.loads((tmp_path / "back.json").read_text(encoding="utf-8"))
    assert back["tables"]["二"]["行政许可"]["本年增/减"] == -2


def test_check_says_another_units_or_years_template(tmp_path):
    assert run("generate", "--year", 2023, "--unit", "甲局", "--code", "A-1", "--out", tmp_path).exit_code == 0
    layout = load_layout("2021")
    data = consistent_data(layout, 2023, seed=1, code="A-1", name="甲局")
    p = tmp_path / "d.json"
    p.write_text(dump_data(data), encoding="utf-8")
    filled = tmp_path / "f.xlsx"
    assert run("fill", tmp_path / "A-1-甲局-2023.xlsx", "--data", p, "--out", filled).exit_code == 0
    assert run("check", filled, "--year", 2023, "--code", "A-1").exit_code == 0
    r = run("check", filled, "--year", 2024, "--code", "B-2", "--json")
    assert r.exit_code == 1
    codes = {f["code"] for f in json.loads(r.stdout)["findings"]}
    assert {"template-other-unit", "template-other-year"} <= codes
