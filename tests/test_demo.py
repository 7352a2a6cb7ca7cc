"""The bundled demo county (workbook/): what the README's first command shows a new user."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gaixl.cli import app
from gaixl.report.roster import read_roster

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbook"

EXPECTED = {   # file code → the error/warning codes a county office should see
    "331122-01": {"t2-items-negative"},              # the seed's real numbers: 行政强制 上一年0 减3
    "331122-02": set(),
    "331122-02（初报）": {"t3-balance"},
    "331122-03": {"t3-balance"},
    # numbers typed as text: errors, as the template shows them (its formulas count text 0, so the
    # balance and 行政处罚's 上一年+增减 fail too)
    "331122-04": {"cell-not-number", "t3-balance", "t2-items-negative"},
    "331122-10": {"text-empty"},
    "331122-13": {"template-other-year"},
}


def test_roster_lists_every_unit():
    units = read_roster(DEMO / "roster.csv")
    assert len(units) == 13 and units[0]["name"] == "缙云县人力资源和社会保障局"
    assert all(u["email"] for u in units)


def test_check_of_the_returned_workbooks(tmp_path):
    files = sorted((DEMO / "returned").glob("*.xlsx"))
    assert len(files) == 13
    r = CliRunner().invoke(app, ["check", "--year", "2020", "--json", *map(str, files)])
    assert r.exit_code == 1, r.output
    got = {}
    for rep in json.loads(r.stdout):
        name = Path(rep["file"]).name
        key = name.split("-缙云县")[0].split("-丽水市")[0]
        if "（初报）" in name:
            key += "（初报）"
        got[key] = {f["code"] for f in rep["findings"] if f["severity"] != "info"}
    for key, codes in EXPECTED.items():
        assert got[key] == codes, key
    assert all(not v for k, v in got.items() if k not in EXPECTED)
    assert "331122-11" not in got                      # 农业农村局 never returned


def test_readme_first_block_is_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2
    assert block[0].startswith("pip install -e") and "gaixl" in block[0]
    assert block[1] == "python -m pytest -q"
