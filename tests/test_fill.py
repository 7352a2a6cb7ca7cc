"""fill.py: ReportData → a copy of the template, protection and metadata intact."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from helpers import consistent_data

from gaixl.errors import UsageError, WorkbookError
from gaixl.spec.load import load_layout
from gaixl.spec.rules import CellRef
from gaixl.workbook import names
from gaixl.workbook.fill import fill_workbook
from gaixl.workbook.read import read_workbook
from gaixl.workbook.template import generate_workbook
from gaixl.workbook.xlsx import Book


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    d = tmp_path_factory.mktemp("tpl")
    return {lid: generate_workbook(load_layout(lid), y, "F-01", "填报测试局", d / f"t{lid}.xlsx",
                                   generated_at="2026-01-05T08:00:00Z") for lid, y in (("2019", 2020), ("2021", 2023))}


def test_fill_writes_inputs_and_keeps_the_template_intact(templates, tmp_path):
    layout = load_layout("2019")
    data = consistent_data(layout, 2020)
    data.set_value(layout, CellRef("art20_5", "licensing", "delta"), -5)
    data.set_value(layout, CellRef("art20_9", "procurement", "total_amount"), 532934.41)
    data.set_value(layout, CellRef("t3", "carried_in", "other"), None)
    out = fill_workbook(templates["2019"], data, tmp_path / "out" / "filled.xlsx")
    assert out.exists() and [p.name for p in out.parent.iterdir()] == ["filled.xlsx"]   # no temp left over
    wb = openpyxl.load_workbook(out)
    ws = wb["二、主动公开"]
    delta = next(c for row in ws.iter_rows() for c in row if c.value == -5)
    assert isinstance(delta.value, int)
    t3 = wb["三、申请情况"]
    assert t3["J6"].value.startswith("=")                       # totals stay formulas
    assert t3["I7"].value is None                               # None stays blank
    assert all(ws.protection.sheet for ws in wb.worksheets)
    assert wb[names.INFO_SHEET]["B12"].value == dt.datetime(2021, 1, 20)
    assert wb[names.INFO_SHEET]["B6"].value == "张三"
    with Book(out) as b:
        assert b.sheet_info(names.META_SHEET).state == "veryHidden"
        assert names.META in b.names
    res = read_workbook(out)
    assert res.findings == []
    assert res.data.tables["二"]["行政许可"]["本年增/减"] == -5
    assert res.data.tables["二"]["政府集中采购"]["采购总金额"] == 532934.41
    assert res.data.tables["三"]["二、上年结转政府信息公开申请数量"]["其他"] is None


def test_fill_refuses_another_format(templates, tmp_path):
    data = consistent_data(load_layout("2021"), 2023)
    with pytest.raises(UsageError, match="2019 format but the data is of the 2021 format"):
        fill_workbook(templates["2019"], data, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_fill_refuses_too_many_paragraphs(templates, tmp_path):
    layout = load_layout("2021")
    data = consistent_data(layout, 2023)
    data.text["五、存在的主要问题及改进情况"] = [f"第{i}段" for i in range(25)]
    with pytest.raises(UsageError, match=r"五、存在的主要问题及改进情况.*25 paragraphs.*room for 20"):
        fill_workbook(templates["2021"], data, tmp_path / "x.xlsx")


def test_fill_refuses_control_characters(templates, tmp_path):
    layout = load_layout("2021")
    data = consistent_data(layout, 2023)
    data.text["一、总体情况"] = ["正常", "含\x01控制字符"]
    with pytest.raises(UsageError, match=r"一、总体情况.*paragraph 2.*U\+0001"):
        fill_workbook(templates["2021"], data, tmp_path / "x.xlsx")


def test_fill_refuses_a_non_number(templates, tmp_path):
    layout = load_layout("2021")
    data = consistent_data(layout, 2023)
    data.set_value(layout, CellRef("t3", "new", "natural"), "三个")
    with pytest.raises(UsageError, match="三 › 一、本年新收政府信息公开申请数量 › 自然人"):
        fill_workbook(templates["2021"], data, tmp_path / "x.xlsx")


def test_fill_accepts_signed_words_from_a_data_file(templates, tmp_path):
    layout = load_layout("2019")
    data = consistent_data(layout, 2020)
    data.set_value(layout, CellRef("art20_6", "coercion", "delta"), "减3")
    res = read_workbook(fill_workbook(templates["2019"], data, tmp_path / "x.xlsx"))
    assert res.data.tables["二"]["行政强制"]["本年增/减"] == -3


def test_fill_a_filled_workbook_again_replaces_everything(templates, tmp_path):
    layout = load_layout("2021")
    first = fill_workbook(templates["2021"], consistent_data(layout, 2023, 1), tmp_path / "a.xlsx")
    second = consistent_data(layout, 2023, 2)
    second.text["一、总体情况"] = ["只剩一段。"]
    res = read_workbook(fill_workbook(first, second, tmp_path / "b.xlsx"))
    assert res.data.tables == second.tables
    assert res.data.text["一、总体情况"] == ["只剩一段。"]


def test_fill_needs_a_template(tmp_path):
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "plain.xlsx")
    data = consistent_data(load_layout("2021"), 2023)
    with pytest.raises(WorkbookError, match="not a gaixl template"):
        fill_workbook(tmp_path / "plain.xlsx", data, tmp_path / "x.xlsx")
