"""A new official format is a new file: a synthetic 2027.yaml (the 2021 format with a new notice
number and one renamed row) in a folder named by GAIXL_LAYOUTS (or --layouts) works end to end
— layouts, generate, fill, check, export, report, import, consolidate, history — with no code
changed. And which layout a year gets when several claim it; two starting in the same year are
refused.

The end-to-end tests run the `gaixl` command as a user does: a subprocess with the variable set.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import consistent_data

from gaixl.errors import LayoutError, UsageError
from gaixl.report.data import dump_data
from gaixl.spec.load import available_layouts, layout_for_year, load_layout, templates_dir

OLD_LABEL, NEW_LABEL = "1.本机关不掌握相关政府信息", "1.本机关未掌握相关政府信息"
NOTICE_2027 = "国办公开办函〔2026〕88号"


def layout_2027_text(year_from: int = 2027, layout_id: str = "2027") -> str:
    src = (templates_dir() / "2021.yaml").read_text(encoding="utf-8")
    out = (src.replace('id: "2021"', f'id: "{layout_id}"')
              .replace("notice: 国办公开办函〔2021〕30号", f"notice: {NOTICE_2027}")
              .replace("years: {from: 2021}", f"years: {{from: {year_from}}}")
              .replace(f"label: {OLD_LABEL}, name: 三、（四）{OLD_LABEL}", f"label: {NEW_LABEL}, name: 三、（四）{NEW_LABEL}"))
    assert out.count(NEW_LABEL) == 2 and NOTICE_2027 in out and f'id: "{layout_id}"' in out
    return out


@pytest.fixture
def extra(tmp_path, monkeypatch):
    """A folder holding 2027.yaml, named by GAIXL_LAYOUTS for this test."""
    d = tmp_path / "layouts"
    d.mkdir()
    (d / "2027.yaml").write_text(layout_2027_text(), encoding="utf-8")
    monkeypatch.setenv("GAIXL_LAYOUTS", str(d))
    return d


def gaixl(*args, env_layouts: Path | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("GAIXL_LAYOUTS", None)
    if env_layouts is not None:
        env["GAIXL_LAYOUTS"] = str(env_layouts)
    return subprocess.run([sys.executable, "-m", "gaixl.cli", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=600)


# ---------------------------------------------------------------- which layout a year gets
def test_the_latest_starting_layout_takes_its_years(extra):
    assert [l.id for l in available_layouts()] == ["2019", "2021", "2027"]
    assert layout_for_year(2020).id == "2019"
    assert layout_for_year(2021).id == "2021" and layout_for_year(2026).id == "2021"
    assert layout_for_year(2027).id == "2027" and layout_for_year(2035).id == "2027"
    l27 = load_layout("2027")
    assert l27.notice == NOTICE_2027 and l27.source == str(extra / "2027.yaml")
    assert l27.tables["t3"].row("unable_1").label == NEW_LABEL


def test_without_the_variable_the_built_in_formats_only(extra, monkeypatch):
    monkeypatch.delenv("GAIXL_LAYOUTS")
    assert [l.id for l in available_layouts()] == ["2019", "2021"]
    assert layout_for_year(2027).id == "2021"
    with pytest.raises(UsageError):
        load_layout("2027")


def test_two_layouts_starting_in_the_same_year_are_refused(extra):
    (extra / "2027-draft.yaml").write_text(layout_2027_text(layout_id="2027-draft"), encoding="utf-8")
    with pytest.raises(LayoutError) as ei:
        layout_for_year(2027)
    e = ei.value
    for text in (e.text("zh"), e.text("en")):
        assert "2027.yaml" in text and "2027-draft.yaml" in text and "2027" in text
    assert "都自2027年起" in e.text("zh") and "both start in 2027" in e.text("en")


def test_a_second_file_with_a_built_in_id_is_refused(extra):
    (extra / "mine.yaml").write_text(layout_2027_text(year_from=2030, layout_id="2021"), encoding="utf-8")
    with pytest.raises(LayoutError, match="two layout files have the id '2021'") as ei:
        available_layouts()
    assert "templates/2021.yaml" in str(ei.value) and "mine.yaml" in str(ei.value)


def test_a_layout_file_changed_in_place_is_read_again(extra):
    assert load_layout("2027").notice == NOTICE_2027
    text = layout_2027_text().replace(NOTICE_2027, "国办公开办函〔2026〕99号")
    (extra / "2027.yaml").write_text(text, encoding="utf-8")
    os.utime(extra, None)        # editors replace the file; the folder changes with it
    assert load_layout("2027").notice == "国办公开办函〔2026〕99号"


# ---------------------------------------------------------------- the CLI
def test_cli_layouts_lists_the_extra_format_from_the_variable_and_the_option(extra, tmp_path):
    r = gaixl("layouts", "--json", env_layouts=extra)
    assert r.returncode == 0, r.stderr
    items = {i["id"]: i for i in json.loads(r.stdout)}
    assert list(items) == ["2019", "2021", "2027"]
    assert items["2027"]["notice"] == NOTICE_2027 and items["2027"]["years"] == {"from": 2027, "to": None}
    assert items["2027"]["source"] == str(extra / "2027.yaml")
    r = gaixl("layouts", "--layouts", extra)
    assert r.returncode == 0 and NOTICE_2027 in r.stdout
    r = gaixl("layouts")
    assert r.returncode == 0 and NOTICE_2027 not in r.stdout


def test_cli_refuses_clashing_layouts_and_missing_folders_in_one_line(extra, tmp_path):
    (extra / "2027-draft.yaml").write_text(layout_2027_text(layout_id="2027-draft"), encoding="utf-8")
    for args in (("layouts",), ("generate", "--year", 2027, "--unit", "某局", "--out", tmp_path / "o")):
        r = gaixl(*args, env_layouts=extra)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert "2027.yaml" in r.stderr and "2027-draft.yaml" in r.stderr
    r = gaixl("layouts", "--lang", "en", env_layouts=extra)
    assert r.returncode == 2 and "both start in 2027" in r.stderr
    r = gaixl("layouts", "--layouts", tmp_path / "nowhere")
    assert r.returncode == 2 and "nowhere" in r.stderr and "Traceback" not in r.stderr
    r = gaixl("layouts", env_layouts=tmp_path / "nowhere")
    assert r.returncode == 2 and "GAIXL_LAYOUTS" in r.stderr and "Traceback" not in r.stderr


def test_2027_end_to_end_as_a_user_runs_it(extra, tmp_path):
    """generate → fill → check → export → report → import → check → consolidate for 2027, from
    the layout file alone."""
    work = tmp_path / "work"
    work.mkdir()
    l27 = load_layout("2027")
    data = consistent_data(l27, 2027, 7, code="331122-01", name="缙云县人力资源和社会保障局")
    data.text = {s.heading: [f"{s.heading}的内容。"] for s in l27.sections if s.kind == "text"}
    data.text[l27.sections[-1].heading] = ["本年度未收取信息处理费。"]
    data.signature = {"unit": "缙云县人力资源和社会保障局", "date": "2028-01-15"}
    (work / "data.json").write_text(dump_data(data), encoding="utf-8")

    def ok(*args) -> subprocess.CompletedProcess:
        r = gaixl(*args, env_layouts=extra, cwd=work)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
        return r

    r = ok("generate", "--year", 2027, "--unit", "缙云县人力资源和社会保障局", "--code", "331122-01",
           "--out", "tpl", "--json")
    made = json.loads(r.stdout)
    assert made["layout"] == "2027"
    template = Path(made["templates"][0]["file"])
    template = template if template.is_absolute() else work / template
    ok("fill", template, "--data", "data.json", "--out", "filled.xlsx")
    checked = json.loads(ok("check", "filled.xlsx", "--year", 2027, "--json").stdout)
    assert (checked["layout"], checked["year"], checked["errors"], checked["warnings"]) == ("2027", 2027, 0, 0), checked
    ok("export", "filled.xlsx", "--out", "out.json")
    exported = json.loads((work / "out.json").read_text(encoding="utf-8"))
    assert exported["layout"] == "2027" and exported["tables"] == json.loads(dump_data(data))["tables"]
    assert NEW_LABEL in json.dumps(exported["tables"], ensure_ascii=False)
    ok("report", "filled.xlsx", "--out", "report.md")
    md = (work / "report.md").read_text(encoding="utf-8")
    assert NEW_LABEL in md and OLD_LABEL not in md
    # Imported without a year: the renamed row tells 2027 from 2021.
    ok("import", "report.md", "--out", "imported.json", "--json")
    imported = json.loads((work / "imported.json").read_text(encoding="utf-8"))
    assert imported["layout"] == "2027" and imported["import"]["format_detected"] == "2027"
    assert imported["tables"] == exported["tables"]
    again = json.loads(ok("check", "imported.json", "--json").stdout)
    assert (again["layout"], again["errors"]) == ("2027", 0), again
    # Consolidation of the county's inbox for 2027.
    (work / "returned").mkdir()
    (work / "filled.xlsx").rename(work / "returned" / "filled.xlsx")
    (work / "roster.csv").write_text("code,name,email\n331122-01,缙云县人力资源和社会保障局,a@example.gov.cn\n",
                                     encoding="utf-8")
    r = ok("consolidate", "returned", "--roster", "roster.csv", "--year", 2027, "--out", "county", "--json")
    summary = json.loads(r.stdout)
    assert "2027" in json.dumps(summary, ensure_ascii=False)
    assert (work / "county").is_dir() and any((work / "county").iterdir())


def test_the_option_works_like_the_variable(extra, tmp_path):
    r = gaixl("generate", "--year", 2027, "--unit", "某局", "--code", "X1", "--out", tmp_path / "t", "--json",
              "--layouts", extra)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["layout"] == "2027"
    template = next((tmp_path / "t").glob("*.xlsx"))
    r = gaixl("check", template, "--json", "--layouts", extra)
    assert r.returncode in (0, 1), r.stderr          # an empty template: findings, but read as 2027
    assert '"layout": "2027"' in r.stdout
    r = gaixl("check", template, "--json")          # without it, the 2027 template is not understood
    assert r.returncode == 2 and "unreadable" in r.stdout and "2027" in r.stdout


def test_a_2021_report_is_still_read_as_2021_beside_2027(extra, tmp_path):
    # The published 2021 labels (OLD_LABEL) tell 2021 apart from 2027, whatever the year says.
    l21 = load_layout("2021")
    d = consistent_data(l21, 2023, 3, code="C1", name="某局")
    (tmp_path / "d.json").write_text(dump_data(d), encoding="utf-8")
    r = gaixl("report", tmp_path / "d.json", "--out", tmp_path / "r.md", env_layouts=extra)
    assert r.returncode == 0, r.stderr
    r = gaixl("import", tmp_path / "r.md", "--out", tmp_path / "i.json", env_layouts=extra)
    assert r.returncode == 0, r.stderr
    got = json.loads((tmp_path / "i.json").read_text(encoding="utf-8"))
    assert got["layout"] == "2021" and got["import"]["format_detected"] == "2021"


def test_history_carries_2026_over_into_a_2027_template(extra, tmp_path):
    """The carry_over links of the 2027 file join a 2021-format report to a 2027 one."""
    from gaixl.validation.history import HistoryStore, carry_over, previous_year_findings

    l21, l27 = load_layout("2021"), load_layout("2027")
    last = consistent_data(l21, 2026, 5, code="C1", name="某局")
    pre = carry_over(last, l27)
    carried = pre["tables"]["三"]["二、上年结转政府信息公开申请数量"]
    assert carried == {k: v for k, v in last.tables["三"]["四、结转下年度继续办理"].items() if k != "总计"}
    this = consistent_data(l27, 2027, 6, code="C1", name="某局")
    found = previous_year_findings(this, last, l27)
    assert found and {f.code for f in found} == {"history-carry-over"}
    with HistoryStore(tmp_path / "h.sqlite") as store:
        store.store(last, {"file": "x", "sha256": "0", "submitted_at": "", "source": "test", "stored_at": "2027-01-01"})
    r = gaixl("generate", "--year", 2027, "--unit", "某局", "--code", "C1", "--out", tmp_path / "t",
              "--history", tmp_path / "h.sqlite", "--json", env_layouts=extra)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["templates"][0]["prefilled"] == len(carried)
