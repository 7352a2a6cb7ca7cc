"""Issue 15, class by class: no traceback, no hang, no damaged file accepted, no injection, no
silent loss. Each test builds the hostile input the campaign found (or its kind) and runs it the
way a user does — the CLI in-process or as a subprocess — asserting one line, the exit code, and
what is (not) written."""
from __future__ import annotations

import copy
import json
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaixl.cli import app
from gaixl.errors import InputError, RosterError
from gaixl.report.data import load_data_file
from gaixl.report.values import parse_cell, report_year
from gaixl.spec.load import load_layout
from gaixl.workbook.read import read_workbook
from gaixl.workbook.template import generate_workbook

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def one_error_line(r, *needles: str) -> str:
    """The run ended with exit 2 and said why in one `错误：`/`Error:` line, no traceback."""
    text = r.output
    assert r.exit_code == 2, text
    assert "Traceback" not in text and r.exception is None or isinstance(r.exception, SystemExit), text
    lines = [ln for ln in text.splitlines() if ln.startswith(("错误", "Error"))]
    assert lines, text
    for n in needles:
        assert any(n in ln for ln in lines), text
    return lines[0]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("tpl")
    return generate_workbook(load_layout("2021"), 2023, "U-01", "测试局", d / "t.xlsx",
                             generated_at="2026-01-05T08:00:00Z")


@pytest.fixture(scope="module")
def datafile(tmp_path_factory, template) -> dict:
    r = run("export", template)
    return json.loads(r.stdout)


def rezip(src: Path, dst: Path, replace: dict, extra: list = ()) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, data in extra:
            zout.writestr(name, data)
    return dst


def sheet_part(template: Path, sheet: str) -> str:
    """The zip member of a sheet, by its name."""
    from gaixl.workbook.xlsx import Book
    with Book(template) as b:
        return b.sheet_info(sheet).part


# ------------------------------------------------------------------ crashes: ranges and types
@pytest.mark.parametrize("value,code", [
    ("9" * 5000, "cell-not-number"),           # past Python's 4,300-digit int limit: read as inf
    ("1e308", "cell-out-of-range"), ("1e400", "cell-not-number"), ("-1e308", "cell-out-of-range"),
    ("1000000001", "cell-out-of-range"), ("2.5", "cell-not-integer"),
])
def test_data_file_numbers_out_of_range_are_findings(tmp_path, datafile, value, code):
    text = json.dumps(datafile, ensure_ascii=False).replace('"本年制发件数": null', f'"本年制发件数": {value}', 1)
    p = tmp_path / "d.json"
    p.write_text(text, encoding="utf-8")
    r = run("check", p, "--json")
    assert r.exit_code == 1, r.output
    found = [f for f in json.loads(r.stdout)["findings"] if f["row"] == "规章" and f["column"] == "本年制发件数"]
    assert found and found[0]["severity"] == "error"
    assert found[0]["code"] in (code, "cell-out-of-range")


@pytest.mark.parametrize("field,value,needle", [
    ("year", -1, "year"), ("year", 0, "year"), ("year", 99999, "year"), ("year", 1e20, "year"),
    ("year", True, "year"), ("year", "2023年x", "year"), ("signature", 1e308, "signature"),
    ("signature", [1], "signature"), ("unit", "局", "unit"), ("contact", [1, 2], "contact"),
    ("text", {"一、总体情况": {"a": 1}}, "text"), ("layout", [2021], "layout"),
])
def test_data_file_wrong_types_and_years_are_one_line(tmp_path, datafile, field, value, needle):
    d = copy.deepcopy(datafile)
    d[field] = value
    p = tmp_path / "d.json"
    p.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    line = one_error_line(run("check", p, "--lang", "en"), str(p), needle)
    assert "\n" not in line


@pytest.mark.parametrize("text", ['{"layout": "2021", "year": 2023, "x": ' + "[" * 5000 + "]" * 5000 + "}",
                                  '{"layout": "2021", "year": NaN}', '{"layout": "2021", "year": Infinity}',
                                  '{"layout": "2021", "year": ' + "9" * 5000 + "}"])
def test_data_file_deep_or_non_json_numbers(tmp_path, text):
    p = tmp_path / "deep.json"
    p.write_text(text, encoding="utf-8")
    one_error_line(run("check", p), str(p))


def test_valid_ranges():
    assert report_year(2008) == 2008 and report_year("2023") == 2023 and report_year("2023年") == 2023
    assert report_year(2023.0) == 2023
    for bad in (2007, 2101, -1, 0, 99999, 1e20, float("inf"), float("nan"), True, None, "", "二〇二三", "2023.5"):
        assert report_year(bad) is None, bad
    assert parse_cell(10 ** 9, "count") == (10 ** 9, None)
    assert parse_cell(10 ** 9 + 1, "count")[1].code == "cell-out-of-range"
    assert parse_cell(-(10 ** 9), "signed") == (-(10 ** 9), None)
    assert parse_cell(10 ** 13, "money")[1] is None and parse_cell(10 ** 13 + 1, "money")[1].code == "cell-out-of-range"
    assert parse_cell(10 ** 4000, "count") == (None, parse_cell(10 ** 4000, "count")[1])


def _set_cell(template: Path, dst: Path, sheet: str, cell: str, xml_value: str) -> Path:
    """A copy of the template whose `sheet`!`cell` holds the raw <c> inner XML given."""
    part = sheet_part(template, sheet)
    with zipfile.ZipFile(template) as z:
        data = z.read(part).decode("utf-8")
    import re
    new, n = re.subn(rf'<c r="{cell}"([^>]*?)(/>|>.*?</c>)',
                     lambda m: f'<c r="{cell}"{m[1].replace("/", "")}>{xml_value}</c>', data, count=1, flags=re.S)
    assert n == 1
    return rezip(template, dst, {part: new.encode("utf-8")})


@pytest.mark.parametrize("value", ["9" * 5000, "1e308", "1E400", "NaN", "-1e308"])
def test_workbook_cell_huge_numbers_are_findings(tmp_path, template, value):
    p = _set_cell(template, tmp_path / "big.xlsx", "二、主动公开", "B5", f"<v>{value}</v>")
    r = run("check", p, "--json")
    assert r.exit_code in (1, 2), r.output
    assert "Traceback" not in r.output
    if r.exit_code == 1:
        assert any(f["cell"] == "B5" and f["severity"] == "error" for f in json.loads(r.stdout)["findings"])


@pytest.mark.parametrize("year", ["-1", "0", "99999", "1e20", "9" * 5000],
                         ids=["-1", "0", "99999", "1e20", "5000-digits"])
def test_metadata_year_out_of_range(tmp_path, template, year):
    import re

    from gaixl.workbook import names
    from gaixl.workbook.xlsx import Book
    with Book(template) as b:
        cells = b.sheet(names.META_SHEET).cells
        row = next(a[1:] for a in cells if a.startswith("A") and cells[a].value == "year")
    part = sheet_part(template, names.META_SHEET)
    with zipfile.ZipFile(template) as z:
        data = z.read(part).decode("utf-8")
    data, n = re.subn(rf'<c r="B{row}"[^>]*>.*?</c>', f'<c r="B{row}" t="inlineStr"><is><t>{year}</t></is></c>', data)
    assert n == 1
    p = rezip(template, tmp_path / "y.xlsx", {part: data.encode("utf-8")})
    r = run("check", p, "--json")
    assert r.exit_code == 1, r.output
    codes = {f["code"] for f in json.loads(r.stdout)["findings"]}
    assert "year-invalid" in codes


def test_one_bad_file_does_not_abort_check(tmp_path, template, datafile):
    deep = tmp_path / "deep.json"
    deep.write_text('{"layout": "2021", "year": ' + "[" * 3000 + "]" * 3000 + "}", encoding="utf-8")
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(template.read_bytes()[:5000])
    good = tmp_path / "good.json"
    good.write_text(json.dumps(datafile, ensure_ascii=False), encoding="utf-8")
    r = run("check", deep, template, cut, good, "--json")
    assert r.exit_code == 2
    reports = json.loads(r.stdout)
    assert [x["file"] for x in reports] == [str(deep), str(template), str(cut), str(good)]
    assert [x["data"] is None for x in reports] == [True, False, True, False]


def test_an_unexpected_error_is_that_files_verdict(tmp_path, template, monkeypatch):
    """A defect met on one file (forced here) is that file's one-line verdict, not a crash."""
    import gaixl.validation.files as files
    real = files.check_file

    def check_file(path, **kw):
        if Path(path).name == "boom.xlsx":
            raise RecursionError("maximum recursion depth exceeded")
        return real(path, **kw)
    monkeypatch.setattr(files, "check_file", check_file)
    boom = tmp_path / "boom.xlsx"
    boom.write_bytes(template.read_bytes())
    r = run("check", boom, template)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "boom.xlsx" in r.output and "RecursionError" in r.output and "测试局" in r.output


# ------------------------------------------------------------------ crashes: outputs
def test_output_into_a_path_under_a_file_is_one_line(tmp_path, template):
    f = tmp_path / "afile"
    f.write_text("x")
    one_error_line(run("export", template, "--out", f / "sub" / "x.json"), "afile")
    data = tmp_path / "d.json"
    data.write_text(run("export", template).stdout, encoding="utf-8")
    one_error_line(run("fill", template, "--data", data, "--out", f / "x.xlsx"), "afile")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_output_onto_a_fifo_or_device_is_refused(tmp_path, template):
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    one_error_line(run("export", template, "--out", fifo), str(fifo))
    assert fifo.is_fifo()                                   # not replaced by a regular file
    one_error_line(run("export", template, "--out", "/dev/null"), "/dev/null")
    assert Path("/dev/null").is_char_device()
    one_error_line(run("export", template, "--out", tmp_path), str(tmp_path))


def _roster(path: Path, n: int) -> Path:
    path.write_text("code,name,email\n" + "".join(f"U{i:02d},单位{i},u{i}@example.cn\n" for i in range(n)),
                    encoding="utf-8")
    return path


def _limited(limit: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))   # a disk that fills up after `limit` bytes
    return apply


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE")
def test_generate_on_a_full_disk_writes_nothing(tmp_path):
    """A file-size limit makes the 4th template's write fail (EFBIG), as a full disk would:
    one line, exit 2, and none of the 12 templates left behind (all or nothing)."""
    roster = _roster(tmp_path / "r.csv", 12)
    out = tmp_path / "out"
    one = len(generate_workbook(load_layout("2021"), 2023, "U00", "单位0", tmp_path / "one.xlsx").read_bytes())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "gaixl.cli", "generate", "--year", "2023", "--roster", str(roster),
                        "--out", str(out)], capture_output=True, text=True, env=env, preexec_fn=_limited(one // 3),
                       timeout=300)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not out.exists() or list(out.iterdir()) == []
    r = subprocess.run([sys.executable, "-m", "gaixl.cli", "generate", "--year", "2023", "--roster", str(roster),
                        "--out", str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0 and len(list(out.iterdir())) == 12


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE")
def test_export_on_a_full_disk_is_one_line_and_leaves_no_part(tmp_path, template):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "gaixl.cli", "export", str(template), "--out", str(tmp_path / "d.json")],
                       capture_output=True, text=True, env=env, preexec_fn=_limited(1000), timeout=300)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ roster: one check for all
@pytest.mark.parametrize("name", ["好局\r\nBcc: evil@x.cn", "局\n办", "a\x00b", "x\u202eslx.exe", "_x000D_局",
                                  "局\u2028办"], ids=["crlf-bcc", "lf", "nul", "bidi", "xescape", "u2028"])
def test_roster_control_characters_refused_by_every_command(tmp_path, name):
    roster = tmp_path / "r.csv"
    roster.write_text('code,name,email\nA1,"' + name.replace('"', '""') + '",a@b.cn\nA2,好局,b@b.cn\n',
                      encoding="utf-8", newline="")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    runs = {"generate": run("generate", "--year", 2023, "--roster", roster, "--out", tmp_path / "g"),
            "consolidate": run("consolidate", inbox, "--roster", roster, "--year", 2023, "--out", tmp_path / "c"),
            "distribute": run("distribute", tmp_path / "g", "--roster", roster, "--year", 2023,
                              "--from", "gk@county.cn", "--out", tmp_path / "m")}
    for cmd, r in runs.items():
        one_error_line(r, "r.csv")
    for d in ("g", "c", "m"):
        assert not (tmp_path / d).exists() or not any((tmp_path / d).rglob("*.*")), d


def test_roster_email_with_crlf_refused(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text('code,name,email\nA1,局,"a@b.cn\r\nBcc: evil@x.cn"\n', encoding="utf-8", newline="")
    from gaixl.report.roster import read_roster
    with pytest.raises(RosterError) as e:
        read_roster(roster)
    assert "email" in str(e.value)


# ------------------------------------------------------------------ hangs and special files
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
@pytest.mark.parametrize("name", ["x.xlsx", "x.json", "x.pdf", "x.txt", "roster.csv"])
def test_fifo_inputs_are_refused_not_waited_on(tmp_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if name == "roster.csv":
        args = ["generate", "--year", "2023", "--roster", str(fifo), "--out", str(tmp_path / "g")]
    elif name.endswith((".pdf", ".txt")):
        args = ["import", str(fifo), "--out", str(tmp_path / "o.json")]
    else:
        args = ["check", str(fifo)]
    r = subprocess.run([sys.executable, "-m", "gaixl.cli", *args], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2 and "FIFO" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_device_input_refused():
    with pytest.raises(InputError, match="device"):
        read_workbook("/dev/zero")
    with pytest.raises(InputError, match="device"):
        load_data_file("/dev/zero")


def _pdf(ops_per_page: int, pages: int = 1) -> bytes:
    import io
    import zlib
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    kids, n, font = [], 3, 3 + 2 * pages
    for _ in range(pages):
        ops = b"BT /F1 10 Tf 20 800 Td " + b"(a) Tj 0 -0.01 Td " * ops_per_page + b"ET"
        comp = zlib.compress(ops, 9)
        objs[n] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                   b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (n + 1, font))
        objs[n + 1] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(comp) + comp + b"\nendstream"
        kids.append(n)
        n += 2
    objs[2] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % pages
    objs[font] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    out, offs = io.BytesIO(), {}
    out.write(b"%PDF-1.4\n")
    for i in sorted(objs):
        offs[i] = out.tell()
        out.write(b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n")
    x, m = out.tell(), max(objs) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % m + b"".join(b"%010d 00000 n \n" % offs[i] for i in range(1, m)))
    out.write(b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (m, x))
    return out.getvalue()


def _docx(rows: int) -> bytes:
    import io
    body = "".join(f"<w:tr><w:tc><w:p><w:r><w:t>行{i}</w:t></w:r></w:p></w:tc></w:tr>" for i in range(rows))
    doc = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
           'wordprocessingml/2006/main"><w:body><w:tbl>' + body + "</w:tbl></w:body></w:document>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", doc)
    return buf.getvalue()


@pytest.mark.parametrize("name,make,needle", [
    ("ops.pdf", lambda: _pdf(1_000_000), "page 1"),               # 27 KB, a million text operators
    ("pages.pdf", lambda: _pdf(1, 400), "pages"),
    ("rows.docx", lambda: _docx(30_000), "rows"),
    ("lines.txt", lambda: "\n".join(f"项{i % 9}   {i % 7}" for i in range(300_000)).encode(), "lines"),
    ("table.html", lambda: ("<table>" + "<tr>" + "<td>1</td>" * 30 + "</tr>" * 1 + "</table>").replace(
        "</tr>", "</tr>" + ("<tr>" + "<td>1</td>" * 30 + "</tr>") * 20_000, 1).encode(), "table"),
])
def test_hostile_documents_are_refused_with_the_limit_named(tmp_path, name, make, needle):
    p = tmp_path / name
    p.write_bytes(make())
    from gaixl.importers import import_report
    with pytest.raises(InputError) as e:
        import_report(p, year=2023)
    assert str(e.value).startswith(str(p)) and needle in str(e.value) and "at most" in str(e.value)


def test_import_time_limit_interrupts_a_slow_reader(tmp_path, monkeypatch):
    """The wall-clock limit reaches inside a reader (here made slow on purpose) and names the input."""
    import time

    from gaixl.importers import api, limits
    monkeypatch.setattr(limits, "SECONDS", 1.0)

    def slow(path):
        while True:
            time.sleep(0.01)
    monkeypatch.setattr(api, "read_source", slow)
    p = tmp_path / "slow.txt"
    p.write_text("x")
    t = time.monotonic()
    with pytest.raises(InputError, match="longer than"):
        with limits.time_limit(str(p), 1.0):
            api.read_source(p)
    assert time.monotonic() - t < 5


@pytest.mark.engine
def test_error_names_the_input_not_a_temp_copy(tmp_path, monkeypatch):
    from gaixl.importers import api
    from gaixl.workbook import engine
    if engine.find_soffice() is None:
        pytest.skip("needs LibreOffice to convert .doc")   # the other branch of the same code is tested below
    p = tmp_path / "old.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
    with pytest.raises(Exception) as e:
        api._doc_source(p)
    assert "gaixl-doc-" not in str(e.value)


# ------------------------------------------------------------------ damaged files
@pytest.mark.parametrize("sheet", ["二、主动公开", "三、申请情况", "六、其他事项", "基本信息"])
@pytest.mark.parametrize("how", ["cut", "nul", "ctrl"])
def test_damaged_sheet_xml_is_unreadable(tmp_path, template, sheet, how):
    part = sheet_part(template, sheet)
    with zipfile.ZipFile(template) as z:
        data = z.read(part)
    mid = len(data) * 2 // 3
    damaged = {"cut": data[:mid], "nul": data[:mid] + b"\x00" + data[mid:],
               "ctrl": data[:mid] + b"\x07" + data[mid:]}[how]
    p = rezip(template, tmp_path / "d.xlsx", {part: damaged})
    line = one_error_line(run("check", p, "--lang", "en"), part)
    assert "damaged" in line


def test_cut_shared_strings_unreadable(tmp_path, template):
    with zipfile.ZipFile(template) as z:
        sst = z.read("xl/sharedStrings.xml")
    p = rezip(template, tmp_path / "cut.xlsx", {"xl/sharedStrings.xml": sst[:-20]})
    with pytest.raises(InputError, match="sharedStrings"):
        read_workbook(p)


def test_duplicate_zip_members_refused(tmp_path, template):
    part = sheet_part(template, "二、主动公开")
    with zipfile.ZipFile(template) as z:
        data = z.read(part)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = rezip(template, tmp_path / "dup.xlsx", {}, [(part, data.replace(b"<v>", b"<v>9"))])
    one_error_line(run("check", p, "--lang", "en"), "twice")


@pytest.mark.parametrize("formula,code,used", [
    ('WEBSERVICE("http://evil.example/x")', "cell-formula-external", False),
    ("[1]Sheet1!A1", "cell-formula-external", False),
    ("cmd|' /C calc'!A0", "cell-formula-external", False),
    ("2+3", "cell-formula-input", True),
])
def test_formula_in_an_input_cell_is_a_finding(tmp_path, template, formula, code, used):
    from xml.sax.saxutils import escape
    p = _set_cell(template, tmp_path / "f.xlsx", "二、主动公开", "B5", f"<f>{escape(formula)}</f><v>7</v>")
    res = read_workbook(p)
    found = [f for f in res.findings if f.code == code]
    assert found and found[0].cell == "B5", [f.code for f in res.findings]
    v = res.data.tables["二"]["规章"]["本年制发件数"]
    assert v == (7 if used else None)


# ------------------------------------------------------------------ injection
def test_csv_outputs_escape_formula_cells(tmp_path, template):
    from gaixl.csvcell import defuse
    hostile = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1+1"]
    roster = tmp_path / "r.csv"
    lines = ["code,name,email"] + [f'H{i},"{n.replace(chr(34), chr(34) * 2)}",h{i}@example.cn'
                                   for i, n in enumerate(hostile)]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = tmp_path / "d.json"
    for i, n in enumerate(hostile):
        tpl = generate_workbook(load_layout("2021"), 2023, f"H{i}", n, tmp_path / f"t{i}.xlsx")
        d = json.loads(run("export", tpl).stdout)
        data.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
        r = run("fill", tpl, "--data", data, "--out", inbox / f"=HYPERLINK(x){i}.xlsx")
        assert r.exit_code == 0, r.output
    r = run("consolidate", inbox, "--roster", roster, "--year", 2023, "--out", tmp_path / "out")
    assert r.exit_code in (0, 1), r.output
    import csv
    bad = []
    for f in (tmp_path / "out" / "manifest.csv", tmp_path / "out" / "data" / "long.csv"):
        with f.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                bad += [c for c in row if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert bad == []
    assert defuse(-5) == -5 and defuse(3.5) == 3.5 and defuse("-5") == "'-5" and defuse("局") == "局"


def _mail(sender: str, mid: str, workbook: bytes, name: str = "年报.xlsx") -> bytes:
    from email.message import EmailMessage
    m = EmailMessage()
    m["Subject"] = "年报"
    m["Message-ID"] = mid
    m["Date"] = "Mon, 12 Jan 2026 09:00:00 +0800"
    m.set_content("见附件")
    m.add_attachment(workbook, maintype="application", subtype="octet-stream", filename=name)
    raw = m.as_bytes()
    return b"From: " + sender.encode() + b"\r\n" + raw


def _collect(tmp_path: Path, msgs: list[bytes]):
    from gaixl.mail.collect import Source, collect
    box = tmp_path / "mails"
    box.mkdir(exist_ok=True)
    for i, raw in enumerate(msgs):
        (box / f"{i:03d}.eml").write_bytes(raw)
    return collect(Source("eml", str(box)), tmp_path / "inbox")


@pytest.mark.parametrize("sender", [
    "=?utf-8?b?5bGA?=\r\n =?utf-8?b?DQpCY2M6IGV2aWxAZXZpbC5leGFtcGxl?= <unit@dept.cn>",
    "=?utf-8?q?x=0D=0ABcc=3A_evil=40evil=2Eexample?= <unit@dept.cn>",
    "unit@dept.cn, evil@evil.example",
])
def test_sender_redirect_is_never_recorded(tmp_path, template, sender):
    res = _collect(tmp_path, [_mail(sender, "<m1@dept.cn>", template.read_bytes())])
    assert res.saved == 1
    side = json.loads(next((tmp_path / "inbox").glob("*.gaixl.json")).read_text(encoding="utf-8"))
    assert "evil" not in side["from"]
    assert side["from"] == "" and side["from_unreadable"]


def test_a_reused_message_id_does_not_lose_the_second_workbook(tmp_path, template):
    other = generate_workbook(load_layout("2021"), 2023, "U-02", "另一局", tmp_path / "o.xlsx")
    a = _mail("unit@dept.cn", "<same@dept.cn>", template.read_bytes(), "a.xlsx")
    b = _mail("unit@dept.cn", "<same@dept.cn>", other.read_bytes(), "b.xlsx")
    res = _collect(tmp_path, [a, b])
    assert res.saved == 2 and res.messages_old == 0
    res = _collect(tmp_path, [a, b])                       # a re-run: both known, nothing new
    assert res.saved == 0 and res.messages_old == 2


@pytest.mark.parametrize("name,expect", [("-rf.xlsx", "_rf.xlsx"), ("--json.xlsx", "_-json.xlsx"),
                                          ("con.xlsx.xlsx", "_con.xlsx.xlsx"), ("LPT1.xlsx", "_LPT1.xlsx"),
                                          ("aux", "_aux.xlsx")])
def test_collect_saved_names_are_harmless(tmp_path, template, name, expect):
    res = _collect(tmp_path, [_mail("unit@dept.cn", "<n@dept.cn>", template.read_bytes(), name)])
    assert [r.file for r in res.records if r.action == "saved"] == [expect]


def test_feedback_answers_the_roster_when_the_sender_was_unreadable(tmp_path, template):
    from gaixl.mail.replies import _recipients
    assert _recipients("", "unit@dept.cn", "the From header decodes to control characters") == \
        (["unit@dept.cn"], "roster-sender-unreadable")
    assert _recipients("evil@evil.example", "unit@dept.cn", "several From headers")[0] == ["unit@dept.cn"]
    assert _recipients("unit2@dept.cn", "unit@dept.cn")[0] == ["unit2@dept.cn"]
