"""History: the SQLite store of accepted unit-years, carry-over into next year's template,
and the warnings where a report disagrees with last year's."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from helpers import consistent_data
from typer.testing import CliRunner

from gaixl.cli import app
from gaixl.errors import InputError, UsageError
from gaixl.report.data import dump_data
from gaixl.spec.load import load_layout
from gaixl.spec.rules import CellRef
from gaixl.validation.history import HistoryStore, carry_over, previous_year_findings
from gaixl.workbook.read import read_workbook
from gaixl.workbook.template import PREFILL_NOTE

L19, L21 = load_layout("2019"), load_layout("2021")
CARRIED_IN = "二、上年结转政府信息公开申请数量"
CARRIED_OUT = "四、结转下年度继续办理"
INPUT_COLS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
ITEM_ROWS = ["行政许可", "其他对外管理服务事项", "行政处罚", "行政强制", "行政事业性收费"]
runner = CliRunner()


def prov(stored_at="2021-02-01T09:00:00+08:00", file="a.xlsx"):
    return {"file": file, "sha256": "0" * 64, "submitted_at": "2021-01-20T10:00:00+08:00",
            "source": "inbox/" + file, "stored_at": stored_at}


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def db(tmp_path):
    """A history holding unit A1's 2020 report (2019 format)."""
    path = tmp_path / "gaixl-history.sqlite"
    with HistoryStore(path) as s:
        s.store(consistent_data(L19, 2020, 7, code="A1", name="甲局"), prov())
    return path


# ---------------------------------------------------------------- the store
def test_store_get_round_trip_and_listing(tmp_path):
    path = tmp_path / "h.sqlite"
    d19 = consistent_data(L19, 2019, 1, code="A1", name="甲局")
    d20 = consistent_data(L19, 2020, 2, code="A1", name="甲局")
    b20 = consistent_data(L19, 2020, 3, code="B2", name="乙局")
    with HistoryStore(path) as s:
        s.store(d19, prov("2020-02-01"))
        assert s.store_many([(d20, prov("2021-02-01", "a20.xlsx")), (b20, prov("2021-02-02", "b20.xlsx"))]) == 2
    with HistoryStore(path, create=False) as s:          # reopened: the data survived
        got = s.get("A1", 2019)
        assert got is not None and got.to_json() == d19.to_json()
        assert s.get("A1", 2020).to_json() == d20.to_json()
        assert s.get("A1", 2018) is None and s.get("ZZ", 2019) is None
        assert s.years() == [2019, 2020]
        assert [(u["code"], u["year"]) for u in s.units()] == [("A1", 2019), ("A1", 2020), ("B2", 2020)]
        assert s.units(2020)[1] == {"code": "B2", "name": "乙局", "year": 2020, "layout": "2019",
                                    "stored_at": "2021-02-02", "submitted_at": "2021-01-20T10:00:00+08:00", "file": "b20.xlsx", "source": "inbox/b20.xlsx"}
        assert s.provenance("A1", 2020)["sha256"] == "0" * 64
    # Canonical JSON: sorted keys, Chinese kept as is.
    row = sqlite3.connect(path).execute("SELECT data FROM unit_years WHERE unit_code='A1' AND year=2019").fetchone()
    assert row[0] == json.dumps(d19.to_json(), sort_keys=True, ensure_ascii=False)
    assert sqlite3.connect(path).execute("SELECT version FROM schema_version").fetchall() == [(1,)]


def test_storing_again_replaces(tmp_path):
    path = tmp_path / "h.sqlite"
    first = consistent_data(L21, 2021, 1, code="A1", name="甲局")
    second = consistent_data(L21, 2021, 2, code="A1", name="甲局（更名）")
    with HistoryStore(path) as s:
        s.store(first, prov("2022-01-01"))
        s.store(second, prov("2022-01-05", "resubmitted.xlsx"))
        assert s.get("A1", 2021).to_json() == second.to_json()
        assert [(u["name"], u["stored_at"], u["file"]) for u in s.units()] == [("甲局（更名）", "2022-01-05", "resubmitted.xlsx")]


def test_store_needs_code_and_stored_at(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite") as s:
        with pytest.raises(UsageError) as ei:
            s.store(consistent_data(L21, 2021, 1, code=""), prov())
        assert ei.value.message_zh
        with pytest.raises(UsageError):
            s.store(consistent_data(L21, 2021, 1), {"file": "a.xlsx"})
        assert s.units() == []                            # nothing half-written


@pytest.mark.parametrize("content", [b"this is not a database at all " * 50, b"SQLite format 3\x00" + b"\xff" * 200])
def test_corrupt_file_is_an_input_error_naming_the_file(tmp_path, content):
    bad = tmp_path / "坏的历史库.sqlite"
    bad.write_bytes(content)
    for create in (True, False):
        with pytest.raises(InputError) as ei:
            HistoryStore(bad, create=create)
        e = ei.value
        assert str(bad) in e.text("zh") and str(bad) in str(e)
        assert e.message_zh and "历史数据库" in e.message_zh


def test_other_sqlite_database_and_missing_file(tmp_path):
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE t (x)")
    with pytest.raises(InputError, match="not a gaixl history"):
        HistoryStore(other)
    missing = tmp_path / "missing.sqlite"
    with pytest.raises(InputError) as ei:
        HistoryStore(missing, create=False)
    assert ei.value.message_zh == "历史数据库不存在" and not missing.exists()


# ---------------------------------------------------------------- carry-over
def test_carry_over_2019_to_2019():
    prev = consistent_data(L19, 2019, 5, code="A1")
    pre = carry_over(prev, L19)
    t = prev.tables
    assert pre["tables"]["三"] == {CARRIED_IN: {c: t["三"][CARRIED_OUT][c] for c in INPUT_COLS}}
    assert "总计" not in pre["tables"]["三"][CARRIED_IN]          # a formula, never prefilled
    assert pre["tables"]["二"] == {r: {"上一年项目数量": t["二"][r]["上一年项目数量"] + t["二"][r]["本年增/减"]}
                                   for r in ITEM_ROWS}
    # Blank last year stays an input this year; a negative count is not carried.
    prev.tables["三"][CARRIED_OUT]["自然人"] = None
    prev.tables["二"]["行政许可"]["上一年项目数量"] = 1
    prev.tables["二"]["行政许可"]["本年增/减"] = -3
    pre = carry_over(prev, L19)
    assert "自然人" not in pre["tables"]["三"][CARRIED_IN] and "行政许可" not in pre["tables"]["二"]


def test_carry_over_2020_to_2021_carries_only_the_applications():
    prev = consistent_data(L19, 2020, 6, code="A1")
    pre = carry_over(prev, L21)
    assert list(pre["tables"]) == ["三"]
    assert pre["tables"]["三"][CARRIED_IN] == {c: prev.tables["三"][CARRIED_OUT][c] for c in INPUT_COLS}


# ---------------------------------------------------------------- findings
def _matching(prev, layout, year, seed):
    """This year's data agreeing with `prev` (carried-in and item counts as last year says)."""
    d = consistent_data(layout, year, seed, code=prev.unit["code"], name=prev.unit["name"])
    for group, rows in carry_over(prev, layout)["tables"].items():
        for rk, cols in rows.items():
            d.tables[group][rk].update(cols)
    # Keep this year's 一 + 二 = 三 + 四 (per column) with the new 二.
    t3 = d.tables["三"]
    for c in INPUT_COLS:
        new = t3["三、（七）总计"][c] + t3[CARRIED_OUT][c] - t3[CARRIED_IN][c]
        if new < 0:
            t3[CARRIED_OUT][c] -= new
            new = 0
        t3["一、本年新收政府信息公开申请数量"][c] = new
    return d.with_totals(layout)


def test_previous_year_findings():
    prev = consistent_data(L19, 2019, 5, code="A1")
    now = _matching(prev, L19, 2020, 8)
    assert previous_year_findings(now, prev, L19) == []
    now.tables["三"][CARRIED_IN]["商业企业"] = prev.tables["三"][CARRIED_OUT]["商业企业"] + 2
    now.tables["二"]["行政强制"]["上一年项目数量"] += 1
    got = previous_year_findings(now, prev, L19)
    assert [(f.code, f.severity, f.row, f.column) for f in got] == [
        ("history-carry-over", "warning", CARRIED_IN, "商业企业"),
        ("history-items", "warning", "行政强制", "上一年项目数量")]
    f = got[0]
    assert f.expected == prev.tables["三"][CARRIED_OUT]["商业企业"] and f.found == f.expected + 2
    assert all(s in f.message for s in ("2019年", "2020年", str(f.expected), str(f.found)))
    # Placed on the sheet when the reader's locator is given.
    got = previous_year_findings(now, prev, L19, locator={CellRef("t3", "carried_in", "commercial"): ("三、申请情况", "D7")})
    assert (got[0].sheet, got[0].cell) == ("三、申请情况", "D7") and "三、申请情况!D7" in got[0].message
    # 2019 format → 2021 format: only the applications are compared.
    now21 = consistent_data(L21, 2021, 9, code="A1")
    assert {f.code for f in previous_year_findings(now21, consistent_data(L19, 2020, 5), L21)} <= {"history-carry-over"}


# ---------------------------------------------------------------- the CLI
def test_generate_with_history_prefills_and_locks(db, tmp_path):
    prev = HistoryStore(db, create=False).get("A1", 2020)
    out = tmp_path / "模板"
    r = run("generate", "--year", 2021, "--unit", "甲局", "--code", "A1", "--out", out, "--history", db, "--json")
    assert r.exit_code == 0, r.output
    made = json.loads(r.stdout)["templates"]
    assert made[0]["prefilled"] == 6
    path = Path(made[0]["file"])
    res = read_workbook(path)
    expected = {c: prev.tables["三"][CARRIED_OUT][c] for c in INPUT_COLS}
    assert {c: res.data.tables["三"][CARRIED_IN][c] for c in INPUT_COLS} == expected
    wb = openpyxl.load_workbook(path)
    for c in INPUT_COLS:
        sheet, addr = res.locator[CellRef("t3", "carried_in", _col_key(c))]
        cell = wb[sheet][addr]
        assert cell.value == expected[c] and cell.protection.locked
        assert cell.comment is not None and PREFILL_NOTE in cell.comment.text
    # 一、本年新收 stays an unlocked input.
    sheet, addr = res.locator[CellRef("t3", "new", "natural")]
    assert not wb[sheet][addr].protection.locked and wb[sheet][addr].value is None
    # A unit without last year's report gets the plain template.
    r = run("generate", "--year", 2021, "--unit", "乙局", "--code", "B2", "--out", out, "--history", db, "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["templates"][0]["prefilled"] == 0


def _col_key(label: str) -> str:
    return next(c.key for c in L21.tables["t3"].data_columns if c.label == label)


def test_generate_2020_with_history_prefills_items(db, tmp_path):
    with HistoryStore(db) as s:
        s.store(consistent_data(L19, 2019, 3, code="A1", name="甲局"), prov())
        prev = s.get("A1", 2019)
    r = run("generate", "--year", 2020, "--unit", "甲局", "--code", "A1", "--out", tmp_path, "--history", db, "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["templates"][0]["prefilled"] == 11
    data = read_workbook(json.loads(r.stdout)["templates"][0]["file"]).data
    for row in ITEM_ROWS:
        assert data.tables["二"][row]["上一年项目数量"] == prev.tables["二"][row]["上一年项目数量"] + prev.tables["二"][row]["本年增/减"]


def test_check_with_history_warns_on_a_mismatch(db, tmp_path):
    prev = HistoryStore(db, create=False).get("A1", 2020)
    good = _matching(prev, L21, 2021, 4)
    f_good = tmp_path / "good.json"
    f_good.write_text(dump_data(good), encoding="utf-8")
    r = run("check", f_good, "--history", db, "--json")
    assert r.exit_code == 0, r.output
    assert not [f for f in json.loads(r.stdout)["findings"] if f["code"].startswith("history-")]

    bad = _matching(prev, L21, 2021, 4)
    v = prev.tables["三"][CARRIED_OUT]["自然人"]
    bad.tables["三"][CARRIED_IN]["自然人"] = v + 1
    bad.tables["三"]["一、本年新收政府信息公开申请数量"]["自然人"] -= 1    # still balanced this year
    bad = bad.with_totals(L21)
    f_bad = tmp_path / "bad.json"
    f_bad.write_text(dump_data(bad), encoding="utf-8")
    r = run("check", f_bad, "--history", db, "--json")
    assert r.exit_code == 0, r.output                     # a warning, not an error
    hist = [f for f in json.loads(r.stdout)["findings"] if f["code"].startswith("history-")]
    assert [(f["code"], f["severity"], f["column"], f["expected"], f["found"]) for f in hist] == [
        ("history-carry-over", "warning", "自然人", v, v + 1)]
    # Without --history: no such warning; the text output names the code.
    r = run("check", f_bad, "--json")
    assert not [f for f in json.loads(r.stdout)["findings"] if f["code"].startswith("history-")]
    r = run("check", f_bad, "--history", db)
    assert "history-carry-over" in r.stdout and "2020年" in r.stdout


def test_check_and_generate_with_a_missing_history(tmp_path):
    missing = tmp_path / "nope.sqlite"
    r = run("check", tmp_path / "x.json", "--history", missing)
    assert r.exit_code == 2 and "历史数据库不存在" in r.output and "Traceback" not in r.output
    r = run("generate", "--year", 2021, "--unit", "甲局", "--out", tmp_path, "--history", missing)
    assert r.exit_code == 2 and str(missing) in r.output
    assert not missing.exists()


def test_history_command_lists_and_json(db, tmp_path):
    with HistoryStore(db) as s:
        s.store(consistent_data(L21, 2021, 1, code="B2", name="乙局"), prov("2022-02-01T09:00:00+08:00", "b.xlsx"))
    r = run("history", "--db", db, "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert [(u["code"], u["name"], u["year"], u["layout"], u["file"]) for u in got["units"]] == [
        ("A1", "甲局", 2020, "2019", "a.xlsx"), ("B2", "乙局", 2021, "2021", "b.xlsx")]
    r = run("history", "--db", db, "--year", 2021, "--json")
    assert [u["code"] for u in json.loads(r.stdout)["units"]] == ["B2"]
    r = run("history", "--db", db)
    assert r.exit_code == 0 and "甲局" in r.stdout and "乙局" in r.stdout and "2 条记录" in r.stdout
    r = run("history", "--db", db, "--year", 2030)
    assert r.exit_code == 0 and "没有2030年度的记录" in r.stdout
    r = run("history", "--db", tmp_path / "none.sqlite")
    assert r.exit_code == 2 and "历史数据库不存在" in r.output
    r = run("history", "--db", tmp_path / "none.sqlite", "--lang", "en")
    assert r.exit_code == 2 and "no history database here" in r.output


def test_check_workbook_with_history_places_the_warning_at_its_cell(db, tmp_path):
    """A filled workbook: the carry-over warning names the sheet and cell the department must fix."""
    import openpyxl

    from gaixl import fill, generate

    prev = HistoryStore(db, create=False).get("A1", 2020)
    bad = _matching(prev, L21, 2021, 4)
    v = prev.tables["三"][CARRIED_OUT]["自然人"]
    bad.tables["三"][CARRIED_IN]["自然人"] = v + 1
    bad.tables["三"]["一、本年新收政府信息公开申请数量"]["自然人"] -= 1
    template = tmp_path / "t.xlsx"
    generate(L21, 2021, bad.unit["code"], bad.unit["name"], template)
    filled = tmp_path / "filled.xlsx"
    fill(template, bad.with_totals(L21), filled)
    r = run("check", filled, "--history", db, "--json")
    hist = [f for f in json.loads(r.stdout)["findings"] if f["code"] == "history-carry-over"]
    assert len(hist) == 1, r.stdout
    sheet, cell = hist[0]["sheet"], hist[0]["cell"]
    assert sheet and cell and f"{sheet}!{cell}" in hist[0]["message"]
    ws = openpyxl.load_workbook(filled)[sheet]
    assert ws[cell].value == v + 1                        # the very cell that holds the wrong number
