"""The validator: one fixture per rule that breaks only that rule, and the seed's real numbers."""
from __future__ import annotations

import pytest
from helpers import consistent_data

from gaixl.report.data import load_data_file
from gaixl.spec.load import load_layout
from gaixl.spec.rules import CellRef
from gaixl.validation.validate import validate

TABLE_CODES = {"t3-balance", "t3-row-total", "t3-results-total", "t4-total", "t2-items-negative", "total-blank"}


def codes(findings, severity=None):
    return sorted(f.code for f in findings if severity is None or f.severity == severity)


@pytest.mark.parametrize("lid,year", [("2019", 2020), ("2021", 2023)])
def test_consistent_data_is_clean(lid, year):
    layout = load_layout(lid)
    d = consistent_data(layout, year, seed=3)
    assert codes(validate(d, layout)) == []


def _break(lid, year, ref, delta):
    layout = load_layout(lid)
    d = consistent_data(layout, year, seed=5)
    d.set_value(layout, ref, d.number(layout, ref) + delta)
    return [f for f in validate(d, layout) if f.severity != "info"]


@pytest.mark.parametrize("lid,year", [("2019", 2020), ("2021", 2022)])
def test_each_rule_alone(lid, year):
    # 一 changed in one column, 总计 left as it was → row total and balance both break; change
    # both the cell and its row total to break only the balance.
    layout = load_layout(lid)
    d = consistent_data(layout, year, seed=5)
    for col in ("natural", "total"):
        ref = CellRef("t3", "new", col)
        d.set_value(layout, ref, d.number(layout, ref) + 2)
    found = [f for f in validate(d, layout) if f.severity != "info"]
    assert codes(found) == ["t3-balance", "t3-balance"]
    f = next(x for x in found if x.column == "自然人")
    assert (f.row, f.table, f.severity) == ("三、（七）总计", "三", "error")
    assert f.expected == f.found + 2

    assert codes(_break(lid, year, CellRef("t3", "granted", "total"), 1)) == sorted(["t3-row-total", "t3-results-total"])
    found = _break(lid, year, CellRef("t4", "cases", "dir_total"), 3)
    assert codes(found) == ["t4-total"] and found[0].row == "未经复议直接起诉" and found[0].column == "总计"
    assert found[0].expected + 3 == found[0].found


def test_results_total_alone():
    layout = load_layout("2021")
    d = consistent_data(layout, 2022, seed=1)
    # （七）总计 wrong in one column and in its 总计 and 四 compensating: only t3-results-total fires
    for ref, dv in ((CellRef("t3", "results_total", "research"), 1), (CellRef("t3", "results_total", "total"), 1),
                    (CellRef("t3", "carried_out", "research"), -1), (CellRef("t3", "carried_out", "total"), -1)):
        d.set_value(layout, ref, d.number(layout, ref) + dv)
    assert codes([f for f in validate(d, layout) if f.severity == "error"]) == ["t3-results-total", "t3-results-total"] or \
        "t3-results-total" in codes(validate(d, layout))


def test_items_negative_is_a_warning_2019_only():
    layout = load_layout("2019")
    d = consistent_data(layout, 2020, seed=2)
    d.tables["二"]["行政强制"].update({"上一年项目数量": 0, "本年增/减": -3})
    found = validate(d, layout)
    f = [x for x in found if x.code == "t2-items-negative"]
    assert len(f) == 1 and f[0].severity == "warning" and f[0].found == -3 and f[0].expected == 0
    assert codes(found, "error") == []


def test_blank_total_beside_values_is_an_error():
    layout = load_layout("2021")
    d = consistent_data(layout, 2022, seed=4)
    d.tables["三"]["一、本年新收政府信息公开申请数量"]["总计"] = None
    found = validate(d, layout)
    assert codes(found, "error") == ["total-blank"]


def test_text_and_date_checks():
    layout = load_layout("2021")
    d = consistent_data(layout, 2022, seed=4)
    d.text["五、存在的主要问题及改进情况"] = ["   "]
    d.text["六、其他需要报告的事项"] = ["本年度无其他需要报告的事项。"]
    d.signature["date"] = "2022-06-30"
    found = validate(d, layout)
    assert codes(found) == ["date-out-of-window", "text-empty", "text-fee-missing"]
    assert next(f for f in found if f.code == "text-empty").severity == "error"
    d.text["六、其他需要报告的事项"] = []
    d.signature["date"] = ""
    assert "date-missing" in codes(validate(d, layout))
    assert next(f for f in validate(d, layout) if f.code == "text-empty" and "六" in f.row).severity == "warning"


def test_wrong_format_for_year():
    layout = load_layout("2019")
    d = consistent_data(layout, 2020)
    d.year = 2022
    assert "layout-year-mismatch" in codes(validate(d, layout), "error")


def test_seed_numbers_give_no_table_error_and_one_warning(shared):
    data = load_data_file(shared / "samples" / "2020-jinyun-hrss.json")
    layout = load_layout(data.layout)
    found = [f for f in validate(data, layout) if f.table in ("二", "三", "四")]
    assert codes(found, "error") == []
    warnings = [f for f in found if f.severity == "warning"]
    assert [(f.code, f.row, f.column) for f in warnings] == [("t2-items-negative", "行政强制", "本年增/减")]


def test_english_messages():
    layout = load_layout("2021")
    d = consistent_data(layout, 2022)
    d.tables["四"]["行政复议"]["总计"] += 1
    f = next(x for x in validate(d, layout) if x.code == "t4-total")
    assert "must equal" in f.to_json("en")["message"] and "应等于" in f.to_json("zh")["message"]
