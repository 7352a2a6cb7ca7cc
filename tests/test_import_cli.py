"""`gaixl import` as a user runs it: data file, filled workbook, history, --json, exit codes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaixl.cli import app

runner = CliRunner()


def seed(shared) -> Path:
    return shared / "seed" / "2020-jinyun-hrss-as-scraped.txt"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_import_to_data_file_then_check_finds_the_same(shared, tmp_path):
    out = tmp_path / "seed.json"
    r = run("import", seed(shared), "--year", 2020, "--out", out)
    assert r.exit_code == 0, r.output
    assert "t2-items-negative" in r.output and "缙云县人力资源和社会保障局" in r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["layout"] == "2019" and data["tables"]["二"]["行政许可"]["本年增/减"] == -5
    assert data["import"]["not_placed"] == [] and data["import"]["format_detected"] == "2019"
    assert data["signature"] == {"unit": "缙云县人力资源和社会保障局", "date": "2021-01-11"}
    c = run("check", out, "--json")
    assert c.exit_code == 0
    assert [f["code"] for f in json.loads(c.output)["findings"]] == ["t2-items-negative"]


def test_import_to_filled_workbook_reads_back(shared, tmp_path):
    out = tmp_path / "seed.xlsx"
    r = run("import", seed(shared), "--year", 2020, "--out", out, "--lang", "en")
    assert r.exit_code == 0, r.output
    assert "totals are formulas" in r.output
    expected = json.loads((shared / "samples" / "2020-jinyun-hrss.json").read_text(encoding="utf-8"))
    e = run("export", out)
    back = json.loads(e.output)
    for group, rows in expected["tables"].items():
        for rk, cols in rows.items():
            for ck, v in cols.items():
                assert back["tables"][group][rk][ck] == v, (group, rk, ck)
    assert back["unit"]["name"] == "缙云县人力资源和社会保障局"


def test_import_json_output_and_history(shared, tmp_path):
    db = tmp_path / "h.sqlite"
    r = run("import", seed(shared), "--year", 2020, "--history", db, "--code", "331122-01", "--json")
    assert r.exit_code == 0, r.output
    payload = json.loads(r.output)
    assert payload["format"] == "2019" and payload["reader"] == "text" and payload["errors"] == 0
    assert [f["code"] for f in payload["findings"]] == ["t2-items-negative"]
    from gaixl.validation.history import HistoryStore

    with HistoryStore(db, create=False) as store:
        stored = store.get("331122-01", 2020)
    assert stored.tables["三"]["一、本年新收政府信息公开申请数量"]["总计"] == 3


def test_findings_with_errors_exit_1(tmp_path):
    p = tmp_path / "r.txt"
    p.write_text("某局2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
                 "一、本年新收政府信息公开申请数量 | 3 | 0 | 0 | 0 | 0 | 0 | 4 |\n某局\n2023年1月5日\n", encoding="utf-8")
    r = run("import", p, "--year", 2022, "--out", tmp_path / "o.json", "--json")
    assert r.exit_code == 1
    codes = {f["code"] for f in json.loads(r.output)["findings"]}
    assert "t3-row-total" in codes and "import-table-missing" in codes


@pytest.mark.parametrize("name,content,args", [
    ("nothing.txt", "与年度报告无关的一段文字。", []),
    pytest.param("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, [],
                 marks=pytest.mark.engine, id="old.doc"),                          # LibreOffice tries to open it
    ("broken.docx", b"PK\x03\x04 not really a zip", []),
    ("seed.txt", None, ["--out", "x.csv"]),
    ("seed.txt", None, ["--history", "h.db"]),
    ("seed.txt", None, []),
])
def test_unusable_input_or_usage_exits_2(shared, tmp_path, name, content, args):
    p = tmp_path / name
    if content is None:
        p.write_bytes(seed(shared).read_bytes())
    else:
        p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    args = [a if a in ("--out", "--history") else str(tmp_path / a) if "." in a else a for a in args]
    out_args = args or []
    if not args and content is not None:
        out_args = ["--out", str(tmp_path / "o.json")]
    r = run("import", p, "--year", 2020, *out_args)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert not (tmp_path / "o.json").exists()


def test_missing_file_exits_2(tmp_path):
    r = run("import", tmp_path / "nope.txt", "--year", 2020, "--out", tmp_path / "o.json")
    assert r.exit_code == 2 and "nope.txt" in r.output


@pytest.mark.slow
def test_subprocess_as_a_user(shared, tmp_path):
    out = tmp_path / "o.json"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    exe = shutil.which("gaixl")
    cmd = [exe] if exe else [sys.executable, "-c", "from gaixl.cli import main; main()"]
    p = subprocess.run(cmd + ["import", str(seed(shared)), "--year", "2020", "--out", str(out)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["unit"]["name"] == "缙云县人力资源和社会保障局"


def _seed_pdf(shared, tmp_path):
    """The seed's numbers (with short text) rendered to PDF by `gaixl report` → (data, pdf)."""
    src = shared / "samples" / "2020-jinyun-hrss.json"
    data = json.loads(src.read_text(encoding="utf-8"))
    data["text"] = {"一、总体情况": ["概述。"], "五、存在的主要问题及改进情况": ["问题。"], "六、其他需要报告的事项": ["无。"]}
    p = tmp_path / "seed.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    pdf = tmp_path / "seed.pdf"
    r = run("report", p, "--out", pdf)
    assert r.exit_code == 0 and pdf.exists(), r.output
    return data, pdf


@pytest.mark.engine
@pytest.mark.pdf
def test_pdf_end_to_end(shared, tmp_path, soffice):
    """gaixl report renders a real PDF of the seed numbers; gaixl import reads it back."""
    from gaixl.importers import import_report

    data, pdf = _seed_pdf(shared, tmp_path)
    res = import_report(pdf, year=2020)
    assert res.source_format == "pdf"
    for group, rows in data["tables"].items():
        for rk, cols in rows.items():
            for ck, v in cols.items():
                assert res.data.tables[group][rk][ck] == v, (group, rk, ck)
    assert [f.code for f in res.findings] == ["t2-items-negative"]


@pytest.mark.engine
@pytest.mark.pdf
def test_pdftotext_layout_text_end_to_end(shared, tmp_path, soffice):
    """The same PDF as `pdftotext -layout` gives it (space-aligned columns): imported as text."""
    from pdfmaker import need

    exe = need("pdftotext")        # skips locally when missing, fails under CI=true
    data, pdf = _seed_pdf(shared, tmp_path)
    txt = tmp_path / "seed.txt"
    subprocess.run([exe, "-layout", str(pdf), str(txt)], check=True, timeout=60)
    out = tmp_path / "o.json"
    r = run("import", txt, "--year", 2020, "--out", out, "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(out.read_text(encoding="utf-8"))
    for group, rows in data["tables"].items():
        for rk, cols in rows.items():
            for ck, v in cols.items():
                assert got["tables"][group][rk][ck] == v, (group, rk, ck)
    assert got["import"]["not_placed"] == []


def test_history_code_looked_up_in_the_roster(shared, tmp_path):
    """A county office imports last year's published report of a unit on its roster: the code
    comes from the roster by the unit's name (signature), and the report lands in the history."""
    from gaixl.validation.history import HistoryStore

    seed = shared / "seed" / "2020-jinyun-hrss-as-scraped.txt"
    roster = tmp_path / "名单.csv"
    roster.write_bytes("code,name,email\r\n331122-01,缙云县 人力资源和社会保障局,a@example.cn\r\n"
                       "331122-02,缙云县财政局,b@example.cn\r\n".encode("gbk"))
    db = tmp_path / "h.sqlite"
    r = run("import", seed, "--year", 2020, "--roster", roster, "--history", db)
    assert r.exit_code == 0, r.output
    assert "331122-01" in r.output
    with HistoryStore(db, create=False) as store:
        got = store.get("331122-01", 2020)
    assert got is not None and got.unit["name"] == "缙云县人力资源和社会保障局"
    # Not on the roster: a clear usage error, nothing stored.
    other = tmp_path / "other.csv"
    other.write_text("code,name,email\n9,别的局,c@example.cn\n", encoding="utf-8")
    db2 = tmp_path / "h2.sqlite"
    r = run("import", seed, "--year", 2020, "--roster", other, "--history", db2)
    assert r.exit_code == 2 and "没有名为“缙云县人力资源和社会保障局”的单位" in r.output
    assert not db2.exists()
    # Neither --code nor --roster with --history: said before anything is read.
    r = run("import", seed, "--year", 2020, "--history", db2)
    assert r.exit_code == 2 and "--roster" in r.output
