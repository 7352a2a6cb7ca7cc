"""`check` on a data file: values as published are understood and said; totals as given."""
from __future__ import annotations

import json

from helpers import consistent_data

from gaixl.report.data import dump_data
from gaixl.spec.load import load_layout
from gaixl.validation.files import check_file


def _write(tmp_path, obj, name="d.json"):
    p = tmp_path / name
    p.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return p


def test_published_spellings_are_understood(tmp_path):
    layout = load_layout("2019")
    d = consistent_data(layout, 2020, seed=7).to_json()
    t2 = d["tables"]["二"]
    t2["行政许可"].update({"上一年项目数量": 11, "本年增/减": "减5"})
    t2["其他对外管理服务事项"]["本年增/减"] = "+4"
    row = d["tables"]["三"]["一、本年新收政府信息公开申请数量"]
    row["自然人"] = str(row["自然人"])                      # a number as text
    d["tables"]["三"]["三、（二）部分公开"]["科研机构"] = "—"
    report = check_file(_write(tmp_path, d))
    data = report.data
    assert data.tables["二"]["行政许可"]["本年增/减"] == -5
    assert data.tables["二"]["其他对外管理服务事项"]["本年增/减"] == 4
    codes = {f.code: f for f in report.findings}
    assert codes["cell-text-number"].severity == "warning" and codes["cell-text-number"].row == "一、本年新收政府信息公开申请数量"
    assert codes["cell-dash"].column == "科研机构"
    assert "t3-balance" not in codes


def test_given_totals_are_checked_not_recomputed(tmp_path):
    layout = load_layout("2021")
    d = consistent_data(layout, 2022, seed=8)
    d.tables["四"]["复议后起诉"]["总计"] += 2
    p = tmp_path / "wrong-sum.json"
    p.write_text(dump_data(d), encoding="utf-8")
    report = check_file(p)
    f = [x for x in report.findings if x.code == "t4-total"]
    assert len(f) == 1 and f[0].row == "复议后起诉" and f[0].found == f[0].expected + 2
    assert report.data.tables["四"]["复议后起诉"]["总计"] == d.tables["四"]["复议后起诉"]["总计"]


def test_unknown_cells_and_words_in_count_cells(tmp_path):
    layout = load_layout("2021")
    d = consistent_data(layout, 2022, seed=8).to_json()
    d["tables"]["三"]["三、（八）不存在的项目"] = {"自然人": 1}
    d["tables"]["三"]["三、（一）予以公开"]["自然人"] = "三个"
    report = check_file(_write(tmp_path, d))
    by = {f.code: f for f in report.findings}
    assert by["data-unknown-cell"].severity == "warning" and by["data-unknown-cell"].row == "三、（八）不存在的项目"
    assert by["cell-not-number"].severity == "error" and by["cell-not-number"].found == "三个"
    assert not report.ok
