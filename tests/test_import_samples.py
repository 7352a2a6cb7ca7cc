"""The seed and every partial sample of real published reports, imported cell by cell.

Each sample says which cells could be read (a number) and which could not (null): the importer
must give exactly those numbers and must not place anything where the sample says null.
"""
from __future__ import annotations

import json

import pytest
from needs import require_shared, shared_dir

from gaixl.importers import import_report
from gaixl.importers.normalize import norm

# The partial samples, by name. Collected from $GAIXL_SHARED or ../shared; when that is missing the
# one placeholder still runs, so the test skips locally and fails under CI=true (an empty
# parameter list would be skipped silently, even in CI).
PARTIAL = sorted(p.name for p in (shared_dir() / "samples" / "partial").glob("*.json")) or ["missing"]
GROUPS = (("active_disclosure", "二"), ("applications", "三"), ("review_litigation", "四"))


def test_seed_every_cell_right_and_only_the_real_mistake(shared):
    expected = json.loads((shared / "samples" / "2020-jinyun-hrss.json").read_text(encoding="utf-8"))
    res = import_report(shared / "seed" / "2020-jinyun-hrss-as-scraped.txt", year=2020)
    assert res.format == "2019" and res.source_format == "text"
    for group, rows in expected["tables"].items():
        for rk, cols in rows.items():
            for ck, v in cols.items():
                assert res.data.tables[group][rk][ck] == v, (group, rk, ck)
    assert res.not_placed == []
    # the only finding: 行政强制 has 上一年项目数量 0 and 本年增/减 减3 (as published)
    assert [(f.code, f.row, f.column) for f in res.findings] == [("t2-items-negative", "行政强制", "本年增/减")]
    assert res.data.unit["name"] == "缙云县人力资源和社会保障局"
    assert res.data.signature == {"unit": "缙云县人力资源和社会保障局", "date": "2021-01-11"}
    # narrative by its headings, as published (Traditional), the pinyin noise removed
    text = res.data.text
    assert text["一、总体情况"][0].startswith("2020年,我局按照縣委")
    assert len(text["一、总体情况"]) == 5 and len(text["五、存在的主要问题及改进情况"]) == 2
    assert text["六、其他需要报告的事项"] == ["無其他需要報告的事項。"]
    assert all("(jù)" not in p for ps in text.values() for p in ps)
    preamble = res.data.extra["import"]["unplaced_text"]
    assert len(preamble) == 1 and preamble[0]["text"].startswith("根據《中華人民共和國政府信息公開條例》")


def test_seed_simplified_option(shared):
    res = import_report(shared / "seed" / "2020-jinyun-hrss-as-scraped.txt", year=2020, simplified_text=True)
    assert res.data.text["六、其他需要报告的事项"] == ["无其他需要报告的事项。"]


@pytest.mark.parametrize("name", PARTIAL, ids=[n.removesuffix(".json") for n in PARTIAL])
def test_partial_sample(name: str, tmp_path):
    path = require_shared("samples/partial") / "samples" / "partial" / name
    sample = json.loads(path.read_text(encoding="utf-8"))
    src = tmp_path / f"{path.stem}.txt"
    src.write_text(sample["raw_tables_text"], encoding="utf-8")
    res = import_report(src, year=sample["year"])
    assert res.format == sample["format"]
    not_placed_rows = {(u["table"], norm(u["row"] or "")) for u in res.not_placed}
    checked = 0
    for key, group in GROUPS:
        rows = sample.get(key) or {}
        for rk, cols in rows.items():
            if rk not in res.data.tables[group]:
                # a row the official format does not have: said, never placed
                if any(v is not None for v in cols.values()):
                    assert any(g == group and r.startswith(rk) for g, r in not_placed_rows), rk
                continue
            for ck, v in cols.items():
                got = res.data.tables[group][rk].get(ck)
                if v is None:
                    assert got is None, (rk, ck, got)
                    continue
                if v in ("-", "—", "/"):
                    # published as a dash: recorded as 0, with a note saying so
                    assert got == 0
                    assert any(f.code == "import-dash" and f.row == rk and f.column == ck for f in res.findings)
                else:
                    assert got == v, (rk, ck)
                checked += 1
    # nothing outside what the sample saw was placed as a number
    seen = {(g, rk, ck) for key, g in GROUPS for rk, cols in (sample.get(key) or {}).items()
            for ck, v in cols.items() if v is not None}
    for group, rows in res.data.tables.items():
        for rk, cols in rows.items():
            for ck, v in cols.items():
                if v is not None:
                    assert (group, rk, ck) in seen, (group, rk, ck, v)
    # every cell left empty is accounted for: a published blank (said) or in not_placed with a reason
    said = {(u["table"], u["row"], u["column"]) for u in res.not_placed}
    said_rows = {(u["table"], u["row"]) for u in res.not_placed if u["column"] is None}
    blank_rows = {(f.table, f.row) for f in res.findings if f.code == "import-blank"}
    for group, rows in res.data.tables.items():
        for rk, cols in rows.items():
            for ck, v in cols.items():
                if v is None:
                    assert ((group, rk, ck) in said or (group, rk) in said_rows or (group, rk) in blank_rows), (rk, ck)
    assert all(u["reason"] for u in res.not_placed)


def test_ambiguous_columns_are_not_guessed(shared, tmp_path):
    """温州鹿城: '103 / 3 / 1 / 107' with collapsed blank lines — the 1 has no certain column."""
    sample = json.loads((shared / "samples" / "partial" / "2022-wenzhou-lucheng-zigui-fenju.json").read_text("utf-8"))
    src = tmp_path / "wz.txt"
    src.write_text(sample["raw_tables_text"], encoding="utf-8")
    res = import_report(src, year=2022)
    row = res.data.tables["三"]["一、本年新收政府信息公开申请数量"]
    assert (row["自然人"], row["商业企业"], row["总计"]) == (103, 3, 107)
    assert all(row[c] is None for c in ("科研机构", "社会公益组织", "法律服务机构", "其他"))
    reasons = [u["reason"] for u in res.not_placed if u["row"] == "一、本年新收政府信息公开申请数量"]
    assert reasons and all("无法确定" in r for r in reasons) and any("1" in r.split("未能定位的数值：")[-1] for r in reasons)
    assert any(f.code == "import-column-assumed" for f in res.findings)


def test_old_format_in_new_year_is_said(shared, tmp_path):
    sample = json.loads((shared / "samples" / "partial" / "2022-jiaxian-xizhen-oldformat.json").read_text("utf-8"))
    src = tmp_path / "jx.txt"
    src.write_text(sample["raw_tables_text"], encoding="utf-8")
    res = import_report(src, year=2022)
    assert res.format == "2019"
    codes = {f.code for f in res.findings}
    assert "import-format-year" in codes and "layout-year-mismatch" in codes
    # labels only, numbers lost: nothing invented
    assert all(v is None for rows in res.data.tables.values() for cols in rows.values() for v in cols.values())
