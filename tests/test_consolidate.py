"""gaixl consolidate: end to end from the bundled demo county (workbook/), every output read back."""
from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from gaixl.cli import app
from gaixl.consolidation.run import consolidate, sum_reports
from gaixl.report.data import load_data_file
from gaixl.spec.load import load_layout
from gaixl.validation.history import HistoryStore
from gaixl.workbook.fill import fill_workbook
from gaixl.workbook.read import read_workbook
from gaixl.workbook.template import generate_workbook

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbook"
FIRST = "331122-02-缙云县财政局（初报）-2020.xlsx"
FINAL = "331122-02-缙云县财政局-2020.xlsx"


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def demo_copy(dst: Path) -> Path:
    shutil.copytree(DEMO / "returned", dst / "workbook" / "returned")
    shutil.copy2(DEMO / "roster.csv", dst / "workbook" / "roster.csv")
    return dst / "workbook"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    wb = demo_copy(tmp)
    before = hashes(wb / "returned")
    out = tmp / "out"
    c = consolidate(wb / "returned", wb / "roster.csv", None, out)
    return c, out, wb, before


def states(c) -> dict[str, str]:
    return {e.file: e.state for e in c.entries}


def test_every_file_in_the_manifest_once_with_a_state(run):
    c, out, wb, _ = run
    files = sorted(p.name for p in (wb / "returned").iterdir())
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(r["file"] for r in m["files"]) == files
    with open(out / "manifest.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["file"] for r in rows) == files
    for r in m["files"]:
        assert r["state"] in ("accepted", "superseded", "rejected", "unknown-unit")
        assert r["sha256"] == hashlib.sha256((wb / "returned" / r["file"]).read_bytes()).hexdigest()
        assert (r["reason"] == "") == (r["state"] == "accepted")
    n = m["counts"]
    assert n["files"] == len(files) == n["accepted"] + n["superseded"] + n["rejected"] + n["unknown-unit"]
    assert (n["accepted"], n["superseded"], n["rejected"], n["unknown-unit"]) == (8, 1, 4, 0)
    assert c.year == 2020 and c.county == "缙云县"


def test_states_of_the_demo(run):
    c, out, _, _ = run
    s = states(c)
    assert s[FIRST] == "superseded" and s[FINAL] == "accepted"
    first = next(e for e in c.entries if e.file == FIRST)
    assert FINAL in first.reason
    assert s["331122-13-缙云县壶镇镇人民政府-2019.xlsx"] == "rejected"
    assert "年度不符" in next(e.reason for e in c.entries if "壶镇镇" in e.file)
    assert s["331122-03-缙云县教育局-2020.xlsx"] == "rejected"
    assert "发现错误" in next(e.reason for e in c.entries if "教育局" in e.file)
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    missing = {u["code"]: u for u in m["missing"]}
    assert missing["331122-11"]["sent"] == "nothing" and missing["331122-11"]["status"] == "missing"
    assert missing["331122-03"]["sent"] == "rejected-only"
    assert set(missing) == {"331122-03", "331122-04", "331122-10", "331122-11", "331122-13"}
    assert [u.code for u in c.missing] == ["331122-11"]


def test_totals_equal_the_sum_of_the_accepted_units(run):
    c, out, _, _ = run
    layout = c.layout
    units = [load_data_file(p) for p in sorted((out / "data").glob("331122-*.json"))]
    assert sorted(d.unit["code"] for d in units) == sorted(c.accepted)
    book = next(out.glob("缙云县-2020-汇总.xlsx"))
    total = read_workbook(book).data
    assert total.unit == {"code": "缙云县-汇总", "name": "缙云县（汇总）"}
    for ref in layout.cell_keys:
        want = sum(d.number(layout, ref) for d in units)
        assert total.number(layout, ref) == pytest.approx(want), ref
    # the coverage sheet says which units the totals cover
    ws = openpyxl.load_workbook(book, read_only=True)["汇总范围"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    covered = {r[0] for r in rows[1:] if r[4] == "是"}
    assert covered == set(c.accepted)
    # summary.xlsx: the total row of sheet 三 is the sum of the unit rows
    ws = openpyxl.load_workbook(out / "各单位数据汇总表.xlsx", read_only=True)["三"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert len(rows) == 1 + len(c.accepted) + 1 and rows[-1][1] == "合计"
    for j in range(2, len(rows[0])):
        assert rows[-1][j] == pytest.approx(sum(r[j] or 0 for r in rows[1:-1]))
    # long.csv and long.parquet hold the same cells
    import pyarrow.parquet as pq

    with open(out / "data" / "long.csv", encoding="utf-8", newline="") as f:
        long = list(csv.DictReader(f))
    t = pq.read_table(out / "data" / "long.parquet").to_pylist()
    assert len(long) == len(t) == len(units) * len(layout.cell_keys)
    assert list(long[0]) == ["unit_code", "unit_name", "year", "table", "row", "column", "value"]
    granted = sum(float(r["value"] or 0) for r in long if r["row"] == "三、（一）予以公开" and r["column"] == "自然人")
    assert granted == total.tables["三"]["三、（一）予以公开"]["自然人"]


def test_feedback_and_reports(run):
    c, out, _, _ = run
    fb = {p.name.split("-")[1] for p in (out / "反馈意见").glob("*.txt")}
    assert {"03", "10", "13"} <= fb
    text = next((out / "反馈意见").glob("331122-03-*.txt")).read_text(encoding="utf-8")
    assert text.startswith("缙云县教育局：") and "三、申请情况!" in text and "处理：" in text and "谢谢" in text
    docs = sorted(p.stem for p in (out / "各单位报告").glob("*.docx"))
    assert len(docs) == len(c.accepted) and all(p.split("-")[0] + "-" + p.split("-")[1] in c.accepted for p in docs)


def test_rerun_is_byte_identical_and_inputs_unmodified(run):
    c, out, wb, before = run
    first = hashes(out)
    consolidate(wb / "returned", wb / "roster.csv", 2020, out)
    assert hashes(out) == first
    assert hashes(wb / "returned") == before


def test_email_date_decides_the_resubmission(tmp_path):
    wb = demo_copy(tmp_path)
    inbox = wb / "returned"

    def sidecar(name, date):
        (inbox / (name + ".gaixl.json")).write_text(json.dumps(
            {"file": name, "from": "czj@jinyun.example.gov.cn", "date": date, "message_id": f"<{date}@x>"}),
            encoding="utf-8")
    sidecar(FIRST, "2021-01-10T09:00:00+08:00")
    sidecar(FINAL, "2021-01-15T09:00:00+08:00")
    c = consolidate(inbox, wb / "roster.csv", 2020, None)
    assert states(c)[FINAL] == "accepted" and states(c)[FIRST] == "superseded"
    final = next(e for e in c.entries if e.file == FINAL)
    # ISO 8601 with the offset of Beijing time (the default --tz): the same instant as 01:00 UTC
    assert final.source == "email" and final.submitted_at == "2021-01-15T09:00:00+08:00"
    assert not any(e.file.endswith(".gaixl.json") for e in c.entries)
    # the mistaken file sent last wins: the unit is rejected, the corrected one superseded
    sidecar(FIRST, "2021-01-20T09:00:00+08:00")
    c = consolidate(inbox, wb / "roster.csv", 2020, None)
    assert states(c)[FIRST] == "rejected" and states(c)[FINAL] == "superseded"
    assert next(u for u in c.units if u.code == "331122-02").status == "rejected"


def test_unknown_other_county_unreadable_wrong_format(tmp_path):
    wb = demo_copy(tmp_path)
    inbox = wb / "returned"
    layout = load_layout("2019")
    sub = inbox / "more"
    generate_workbook(layout, 2020, "331122-99", "缙云县某局", sub / "a.xlsx", generated_at="2020-12-15T09:00:00Z")
    generate_workbook(layout, 2020, "330102-01", "杭州市某局", sub / "b.xlsx", generated_at="2020-12-15T09:00:00Z")
    (sub / "broken.xlsx").write_bytes(b"not a workbook")
    (sub / "readme.txt").write_text("hello", encoding="utf-8")
    c = consolidate(inbox, wb / "roster.csv", 2020, None)
    e = {x.file: x for x in c.entries}
    assert e["more/a.xlsx"].state == "unknown-unit"
    assert e["more/b.xlsx"].state == "rejected" and "非本地区单位" in e["more/b.xlsx"].reason
    assert e["more/broken.xlsx"].state == "rejected" and "无法读取" in e["more/broken.xlsx"].reason
    assert e["more/readme.txt"].state == "rejected" and "格式不符" in e["more/readme.txt"].reason
    assert c.counts()["files"] == 17


def _county(tmp: Path, county: str, drop: tuple[str, ...]) -> Path:
    """A county's consolidated workbook, its narrative written by the county office."""
    wb = tmp / county
    shutil.copytree(DEMO / "returned", wb / "returned")
    for name in drop:
        (wb / "returned" / name).unlink()
    rows = (DEMO / "roster.csv").read_text(encoding="utf-8-sig").replace(",缙云县\n", f",{county}\n")
    (wb / "roster.csv").write_text(rows, encoding="utf-8")
    c = consolidate(wb / "returned", wb / "roster.csv", 2020, wb / "out")
    assert c.county == county
    book = wb / "out" / f"{county}-2020-汇总.xlsx"
    data = read_workbook(book).data
    for heading in data.text:
        data.text[heading] = [f"{county}{heading}的内容。"]
    data.signature = {"unit": f"{county}人民政府办公室", "date": "2021-01-25"}
    inbox = tmp / "city"
    inbox.mkdir(exist_ok=True)
    return fill_workbook(book, data, inbox / book.name)


@pytest.mark.slow
def test_consolidation_of_consolidations(tmp_path):
    a = _county(tmp_path, "缙云县", ())
    b = _county(tmp_path, "莲都区", ("331122-05-缙云县自然资源和规划局-2020.xlsx",))
    roster = tmp_path / "city.csv"
    roster.write_text("code,name,email,parent\n缙云县-汇总,缙云县（汇总）,a@x.cn,丽水市\n"
                      "莲都区-汇总,莲都区（汇总）,b@x.cn,丽水市\n", encoding="utf-8")
    city = consolidate(tmp_path / "city", roster, 2020, tmp_path / "city-out")
    assert states(city) == {a.name: "accepted", b.name: "accepted"}, [e.reason for e in city.entries]
    assert city.county == "丽水市"
    layout = city.layout
    ta, tb = read_workbook(a).data, read_workbook(b).data
    total = read_workbook(tmp_path / "city-out" / "丽水市-2020-汇总.xlsx").data
    assert total.unit["code"] == "丽水市-汇总"
    differs = 0
    for ref in layout.cell_keys:
        assert total.number(layout, ref) == pytest.approx(ta.number(layout, ref) + tb.number(layout, ref)), ref
        differs += ta.number(layout, ref) != tb.number(layout, ref)
    assert differs                       # the two counties are not the same


def test_sum_reports_blank_counts_zero():
    layout = load_layout("2021")
    from gaixl.report.data import ReportData

    a, b = ReportData.empty(layout, 2025), ReportData.empty(layout, 2025)
    a.tables["三"]["一、本年新收政府信息公开申请数量"]["自然人"] = 3
    t = sum_reports(layout, 2025, [a, b], "x", "y")
    assert t.tables["三"]["一、本年新收政府信息公开申请数量"]["总计"] == 3
    assert t.tables["三"]["二、上年结转政府信息公开申请数量"]["自然人"] == 0


def test_cli_demo_defaults(tmp_path, monkeypatch):
    demo_copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, ["consolidate"])
    # The README's first command: the demo's planted problems are its expected output (exit 0) …
    assert r.exit_code == 0, r.output
    assert "out/consolidated" in r.output and "331122-11" in r.output and "演示" in r.output
    assert (tmp_path / "out" / "consolidated" / "manifest.json").is_file()
    # … and a trial run leaves no history database behind unless asked (--history).
    assert not list(tmp_path.rglob("*.sqlite"))
    r = CliRunner().invoke(app, ["consolidate", "--json", "--lang", "en"])
    assert r.exit_code == 0 and json.loads(r.stdout)["demo"] is True
    # A real inbox (given on the command line) with missing and rejected units ends with 1.
    r = CliRunner().invoke(app, ["consolidate", "workbook/returned", "--roster", "workbook/roster.csv", "--json"])
    assert r.exit_code == 1, r.output
    d = json.loads(r.stdout)
    assert d["demo"] is False
    assert d["summary"]["received"] == 13 and d["summary"]["accepted"] == 8
    assert any(m["code"] == "331122-11" for m in d["manifest"]["missing"])


def test_cli_exit_codes(tmp_path):
    wb = demo_copy(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("foo,bar\n1,2\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["consolidate", str(wb / "returned"), "--roster", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    # only the clean units on the roster, nothing missing → 0
    keep = [line for line in (wb / "roster.csv").read_text(encoding="utf-8-sig").splitlines()
            if line.startswith(("code", "331122-05", "331122-06"))]
    clean = tmp_path / "clean"
    clean.mkdir()
    for p in (wb / "returned").glob("331122-0[56]-*"):
        shutil.copy2(p, clean / p.name)
    (tmp_path / "r.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["consolidate", str(clean), "--roster", str(tmp_path / "r.csv"), "--year", "2020",
                                 "--out", str(tmp_path / "o2"), "--history", str(tmp_path / "h.sqlite")])
    assert r.exit_code == 0, r.output


def test_generate_extra_sheets_and_note(tmp_path):
    layout = load_layout("2021")
    p = generate_workbook(layout, 2025, "x-汇总", "某县（汇总）", tmp_path / "a.xlsx",
                          prefill={"tables": {"三": {"一、本年新收政府信息公开申请数量": {"自然人": 4}}}},
                          prefill_note="汇总数", extra_sheets=[("范围", [["代码", "名称"], ["01", "甲"]])],
                          generated_at="2025-01-01T00:00:00Z")
    wb = openpyxl.load_workbook(p)
    assert [list(r) for r in wb["范围"].iter_rows(values_only=True)] == [["代码", "名称"], ["01", "甲"]]
    assert read_workbook(p).data.tables["三"]["一、本年新收政府信息公开申请数量"]["自然人"] == 4


def test_history_store_and_previous_year(tmp_path):
    wb = demo_copy(tmp_path)
    db = tmp_path / "h.sqlite"
    c = consolidate(wb / "returned", wb / "roster.csv", 2020, None, history=db)
    assert c.previous == {}
    store = HistoryStore(db)
    assert store.get("331122-01", 2020) is not None and store.get("331122-03", 2020) is None
    store.close()
    # a year later: last year's accepted reports come back as `previous` (this year's files are all 2020 → rejected)
    c = consolidate(wb / "returned", wb / "roster.csv", 2021, None, history=db)
    assert set(c.previous) == {u for u in ("331122-01", "331122-02", "331122-05", "331122-06",
                                           "331122-07", "331122-08", "331122-09", "331122-12")}
    assert not c.accepted and all(e.state == "rejected" for e in c.entries)


def test_stale_outputs_are_removed(tmp_path):
    wb = demo_copy(tmp_path)
    out = tmp_path / "out"
    consolidate(wb / "returned", wb / "roster.csv", 2020, out)
    assert len(list((out / "各单位报告").glob("*.docx"))) == 8
    (wb / "returned" / "331122-05-缙云县自然资源和规划局-2020.xlsx").unlink()
    consolidate(wb / "returned", wb / "roster.csv", 2020, out)
    assert len(list((out / "各单位报告").glob("*.docx"))) == 7
    assert not list((out / "data").glob("331122-05-*.json"))


def test_parallel_outputs_equal_sequential_ones(tmp_path):
    """The per-unit files written by a second process are the very bytes one process writes."""
    from gaixl.consolidation.outputs import write_outputs

    c = consolidate(DEMO / "returned", DEMO / "roster.csv", None, None)
    seq, par = tmp_path / "seq", tmp_path / "par"
    write_outputs(c, seq, parallel=False)
    write_outputs(c, par, parallel=True)
    files = sorted(p.relative_to(seq) for p in seq.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(par) for p in par.rglob("*") if p.is_file())
    assert any(f.parts[0] == "各单位报告" for f in files) and any(f.parts[0] == "data" for f in files)
    for f in files:
        assert (seq / f).read_bytes() == (par / f).read_bytes(), f


def test_the_second_writer_does_not_run_the_callers_script_again(tmp_path):
    """A clerk's script calling the library without an `if __name__ == "__main__"` guard: the
    process writing the per-unit files is a fresh interpreter that runs only its share (it does
    not import the script again, which would start the whole run anew in it)."""
    import subprocess
    import sys

    script = tmp_path / "run.py"
    script.write_text(f"""from gaixl.consolidation.run import consolidate
from gaixl.consolidation.outputs import write_outputs
print("run")
c = consolidate({str(DEMO / "returned")!r}, {str(DEMO / "roster.csv")!r}, None, None)
write_outputs(c, {str(tmp_path / "out")!r}, parallel=True)
""", encoding="utf-8")
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    assert r.stdout == "run\n"
    assert (tmp_path / "out" / "各单位数据汇总表.xlsx").exists()
    assert len(list((tmp_path / "out" / "data").glob("*.json"))) == 8


def test_an_unwritable_output_is_a_clear_error(tmp_path):
    from gaixl.consolidation.outputs import write_outputs
    from gaixl.errors import OutputError

    c = consolidate(DEMO / "returned", DEMO / "roster.csv", None, None)
    (tmp_path / "file").write_text("a file where a folder should be")
    with pytest.raises(OutputError) as e:
        write_outputs(c, tmp_path / "file" / "out", reports=False)
    assert "file" in e.value.where and "无法写入输出" in e.value.text("zh") and "不是文件夹" in e.value.text("zh")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]         # no staging folder left


@pytest.mark.parametrize("parallel", [False, True])
def test_a_failed_run_leaves_the_previous_output_as_it_was(tmp_path, monkeypatch, parallel):
    """The outputs are written into a staging folder that replaces the output folder only when
    all is written: a write failing half-way (here: the disk full when summary.xlsx is written,
    or, when parallel, a read failing in the second process that writes the per-unit files)
    leaves the previous output, byte for byte, and no staging folder; the sent log of feedback/distribute survives a good re-run."""
    import errno

    from gaixl.consolidation import outputs
    from gaixl.errors import OutputError

    c = consolidate(DEMO / "returned", DEMO / "roster.csv", None, None)
    out = tmp_path / "out"
    outputs.write_outputs(c, out, reports=False, parallel=parallel)
    (out / "data").joinpath("stale.json").write_text("{}")          # ours: not carried over
    (out / ".gaixl-sent.json").write_text('{"version": 1, "sent": {}}')
    (out / "mail").mkdir()
    (out / "mail" / "draft.eml").write_text("a feedback draft")
    (out / "说明.txt").write_text("the clerk's own note")
    before = hashes(out)

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "x"))

    def cut_short(c):
        # The writer is a process started afresh: what fails there must travel with its work.
        # Here each report it reads lies past the end of the scratch file, as a failing disk would.
        slim = for_writer(c)
        moved = {}
        for code, d in slim.accepted._d.items():
            moved[code] = copy.copy(d)
            moved[code]._at = d._at + (10**9 << 32)          # the offset (the high bits) moved on
        slim.accepted = outputs.Accepted(c.layout)
        slim.accepted._d = moved
        return slim
    for_writer = outputs._for_writer
    with monkeypatch.context() as m:
        if parallel:
            m.setattr(outputs, "_for_writer", cut_short)
        else:
            m.setattr(outputs, "write_summary", full)
        with pytest.raises(OutputError) as e:
            outputs.write_outputs(c, out, reports=False, parallel=parallel)
    assert ".staging" not in e.value.text("zh")
    assert ("各单位文件" in e.value.text("zh")) if parallel else ("No space" in e.value.text("en"))
    assert hashes(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    written = outputs.write_outputs(c, out, reports=False, parallel=parallel)
    assert all(p.exists() and p.is_relative_to(out) for p in written.values())
    assert not (out / "data" / "stale.json").exists()
    kept = {k: v for k, v in hashes(out).items() if k in (".gaixl-sent.json", "mail/draft.eml", "说明.txt")}
    assert kept == {k: before[k] for k in kept} and len(kept) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("workers", [1, 2])
def test_history_warnings_name_the_cell_whichever_process_read_the_file(tmp_path, workers):
    from gaixl.validation.history import HistoryStore

    CARRIED_IN, CARRIED_OUT = "carried_in", "carried_out"      # table 三's row keys (the carry_over link)

    wb = demo_copy(tmp_path)
    c = consolidate(wb / "returned", wb / "roster.csv", 2020, None)
    this = c.accepted["331122-01"]
    layout = c.layout
    import copy

    from gaixl.spec.rules import CellRef

    col = next(ck for (tk, rk, ck) in layout.cell_keys if tk == "t3" and rk == CARRIED_IN)
    last = copy.deepcopy(this)
    last.year = 2019
    got = this.value(layout, CellRef("t3", CARRIED_IN, col))
    last.set_value(layout, CellRef("t3", CARRIED_OUT, col), (got or 0) + 2)
    db = tmp_path / "h.sqlite"
    with HistoryStore(db) as store:
        store.store(last, {"file": "2019.json", "stored_at": "2020-03-01T00:00:00Z"})
    c = consolidate(wb / "returned", wb / "roster.csv", 2020, None, history=db, workers=workers)
    hist = [f for f in c.units[0].entry.findings if f.code == "history-carry-over"]
    assert len(hist) == 1 and hist[0].sheet and hist[0].cell, hist
    assert f"{hist[0].sheet}!{hist[0].cell}" in hist[0].message
    ws = openpyxl.load_workbook(wb / "returned" / c.units[0].entry.file)[hist[0].sheet]
    assert ws[hist[0].cell].value in (got, None) and layout.id == "2019"


def test_a_report_sent_as_a_document_is_rejected_with_the_way_in(tmp_path):
    """A unit mails its report as Word instead of the template: consolidate never sums it unseen,
    and says how to bring it in; `gaixl import --roster` then turns it into a data file that counts."""
    from helpers import consistent_data

    from gaixl.document import render

    wb = demo_copy(tmp_path)
    layout = load_layout("2019")
    data = consistent_data(layout, 2020, 11, code="", name="缙云县农业农村局")
    data.signature = {"unit": "缙云县农业农村局", "date": "2021-01-20"}
    src = tmp_path / "src.json"
    src.write_text(json.dumps(data.to_json(), ensure_ascii=False), encoding="utf-8")
    doc = wb / "returned" / "农业农村局2020年政府信息公开工作年度报告.docx"
    render(src, doc)
    c = consolidate(wb / "returned", wb / "roster.csv", 2020, None)
    row = next(e for e in c.entries if e.file == doc.name)
    assert row.state == "rejected" and "gaixl import" in row.reason
    assert next(u for u in c.units if u.code == "331122-11").status == "missing"

    r = CliRunner().invoke(app, ["import", str(doc), "--year", "2020", "--roster", str(wb / "roster.csv"),
                                 "--out", str(wb / "returned" / "331122-11-imported.json")])
    assert r.exit_code == 0, r.output
    c = consolidate(wb / "returned", wb / "roster.csv", 2020, None)
    u = next(u for u in c.units if u.code == "331122-11")
    assert u.status == "accepted" and u.entry.file == "331122-11-imported.json"
    for ref in layout.cell_keys:
        assert c.accepted["331122-11"].value(layout, ref) == data.value(layout, ref)


def test_password_of_the_consolidated_workbook(tmp_path):
    """consolidate --password sets the sheet protection of the consolidated workbook (the default
    is the templates' own, names.DEFAULT_PASSWORD); only a guard against accidents (README)."""
    from gaixl.workbook.names import DEFAULT_PASSWORD
    from gaixl.workbook.template import legacy_password_hash

    wb = demo_copy(tmp_path)
    r = CliRunner().invoke(app, ["consolidate", str(wb / "returned"), "--roster", str(wb / "roster.csv"),
                                 "--out", str(tmp_path / "o"), "--password", "青田2026", "--json"])
    assert r.exit_code == 1, r.output
    path = Path(json.loads(r.stdout)["outputs"]["consolidated"])
    book = openpyxl.load_workbook(path)
    protected = [ws for ws in book.worksheets if ws.protection.sheet]
    assert protected and all(ws.protection.password == legacy_password_hash("青田2026") for ws in protected)
    c = consolidate(wb / "returned", wb / "roster.csv", None, tmp_path / "d")
    book = openpyxl.load_workbook(c.outputs["consolidated"])
    assert all(ws.protection.password == legacy_password_hash(DEFAULT_PASSWORD)
               for ws in book.worksheets if ws.protection.sheet)


def test_a_packed_reports_data_file_is_dump_data_of_it():
    """The per-unit data files of a large run are made straight from the packed cells
    (PackedData.data_file): the very text dump_data writes of the unpacked report, whatever the
    cells hold (blanks, floats, texts with quotes, booleans) and with texts and extra keys."""
    import random

    from gaixl.consolidation.model import PackedData
    from gaixl.report.data import ReportData, dump_data
    from gaixl.spec.load import load_layout

    lay = load_layout("2021")
    rnd = random.Random(3)
    for t in range(40):
        d = ReportData.empty(lay, 2025, "C1", '单位"名\n')
        for ref in list(lay.cell_keys)[: rnd.randint(0, len(lay.cell_keys))]:
            d.set_value(lay, ref, rnd.choice([None, 0, 7, 2.5, 1e20, '文字"x', True, -3]))
        d.text = {"一、总体情况": ["段落\u2028", "x"]}
        d.extra = {"note": {"a": [1, 2]}}
        p = PackedData(d, lay)
        assert p.data_file(lay) == dump_data(p.unpack(lay)), t
