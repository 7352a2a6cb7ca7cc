"""Property tests, one per input kind gaixl reads (issue 15): whatever hypothesis builds, the
reader answers with a result inside the valid ranges or with one GaixlError — never another
exception, never a damaged file read as whole, never an injected cell or a redirected sender.
Bounded by max_examples (no timed assertions); the long campaign is tests/fuzz/campaign.py."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gaixl.errors import GaixlError, InputError, RosterError
from gaixl.spec.load import load_layout
from gaixl.workbook.template import generate_workbook
from tests.fuzz.ranges import out_of_range, year_ok

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("fz")
    return generate_workbook(load_layout("2021"), 2023, "U-01", "测试局", d / "t.xlsx",
                             generated_at="2026-01-05T08:00:00Z")


@pytest.fixture(scope="module")
def datafile(template) -> dict:
    from gaixl.report.data import ReportData
    from gaixl.workbook.read import read_workbook
    return ReportData.to_json(read_workbook(template).data)


def _in_range(data, layout) -> None:
    """Every value read is None or a finite number within its kind's range."""
    assert not out_of_range(data, layout)


# ------------------------------------------------------------------ data files (.json)
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(),
                      st.integers(min_value=20, max_value=6000).map(lambda n: f"@DIGITS{n}"),
                      st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                      st.sampled_from(["1e400", "NaN", "Infinity", "减5", "３", "1,000", "—"]))
JSON_ANY = st.recursive(JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                        max_leaves=12)
FIELDS = ["layout", "year", "unit", "tables", "text", "signature", "contact", "unit.name", "signature.date",
          "tables.二.规章.本年制发件数", "tables.三.一、本年新收政府信息公开申请数量.自然人", "tables.二.规章"]


def _json_text(v) -> str:
    """JSON as a hostile writer may write it: huge integers verbatim, 1e400/NaN as bare words."""
    if isinstance(v, str) and v in ("1e400", "NaN", "Infinity"):
        return v
    if isinstance(v, str) and v.startswith("@DIGITS"):          # an integer of that many digits, verbatim
        return "9" * int(v[7:])
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k) + ":" + _json_text(x) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ",".join(_json_text(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)


@FUZZ
@given(field=st.sampled_from(FIELDS), value=JSON_ANY)
def test_data_file_any_field_any_value(tmp_path, datafile, field, value):
    from gaixl.validation.files import check_file
    d = json.loads(json.dumps(datafile))
    where = d
    *path, last = field.split(".")
    for k in path:
        where = where.setdefault(k, {})
    where[last] = "@@VALUE@@"
    text = json.dumps(d, ensure_ascii=False).replace('"@@VALUE@@"', _json_text(value))
    p = tmp_path / "d.json"
    p.write_text(text, encoding="utf-8")
    try:
        report = check_file(p)
    except GaixlError as e:
        assert str(e).startswith(str(p)) and "\n" not in str(e)
        return
    assert year_ok(report.data.year)
    _in_range(report.data, load_layout(report.data.layout))
    json.dumps(report.to_json())                     # what `check --json` prints


@FUZZ
@given(depth=st.integers(min_value=1, max_value=20_000), kind=st.sampled_from("[{"))
def test_data_file_nesting(tmp_path, depth, kind):
    from gaixl.report.datafile import read_datafile
    inner = ("[" * depth + "]" * depth) if kind == "[" else ('{"a":' * depth + "1" + "}" * depth)
    p = tmp_path / "n.json"
    p.write_text('{"layout": "2021", "year": 2023, "x": ' + inner + "}", encoding="utf-8")
    try:
        read_datafile(p)
    except GaixlError:
        assert depth > 60
        return
    assert depth <= 64


# ------------------------------------------------------------------ workbooks (.xlsx)
CELL_XML = st.one_of(
    st.integers().map(lambda i: f"<v>{i}</v>"),
    st.floats(allow_nan=False).map(lambda f: f"<v>{f!r}</v>"),
    st.sampled_from(["<v>" + "9" * 5000 + "</v>", "<v>1E400</v>", "<v>NaN</v>", "<v>-inf</v>", "<v></v>",
                     "<f>WEBSERVICE(\"http://x\")</f><v>5</v>", "<f>1+1</f><v>2</v>", "<f>SUM(A1:A3)</f>",
                     '<is><t>减5</t></is>', "<v>1e308</v>", "<v>0x10</v>", "<v>1_000</v>"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="<&\x00"), max_size=20)
    .map(lambda s: f'<is><t>{s}</t></is>'))


def _sheet(template: Path, name: str) -> str:
    from gaixl.workbook.xlsx import Book
    with Book(template) as b:
        return b.sheet_info(name).part


def _rezip(src: Path, dst: Path, part: str, data: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, data if info.filename == part else zin.read(info.filename))
    return dst


@FUZZ
@given(cell=st.sampled_from(["B5", "C5", "D5", "B6", "B19"]), xml=CELL_XML)
def test_workbook_any_cell_value(tmp_path, template, cell, xml):
    import re

    from gaixl.validation.files import check_file
    part = _sheet(template, "二、主动公开")
    with zipfile.ZipFile(template) as z:
        data = z.read(part).decode("utf-8")
    t = ' t="inlineStr"' if xml.startswith("<is>") else ""
    data, n = re.subn(rf'<c r="{cell}"([^>/]*?)(?:/>|>.*?</c>)', lambda m: f'<c r="{cell}"{m[1]}{t}>{xml}</c>', data,
                      count=1, flags=re.S)
    assume(n == 1)
    p = _rezip(template, tmp_path / "c.xlsx", part, data.encode("utf-8"))
    try:
        report = check_file(p)
    except GaixlError as e:
        assert str(e).startswith(str(p))
        return
    _in_range(report.data, load_layout("2021"))
    if "WEBSERVICE" in xml:
        assert any(f.code == "cell-formula-external" for f in report.findings)


@FUZZ
@given(sheet=st.sampled_from(["基本信息", "二、主动公开", "三、申请情况", "四、复议诉讼", "六、其他事项"]),
       cut=st.floats(min_value=0.05, max_value=0.98), how=st.sampled_from(["cut", "nul", "ctrl", "dup-tail"]))
def test_workbook_damaged_sheet_is_never_read_as_whole(tmp_path, template, sheet, cut, how):
    from gaixl.workbook.read import read_workbook
    part = _sheet(template, sheet)
    with zipfile.ZipFile(template) as z:
        data = z.read(part)
    at = int(len(data) * cut)
    damaged = {"cut": data[:at], "nul": data[:at] + b"\x00" + data[at:], "ctrl": data[:at] + b"\x1b" + data[at:],
               "dup-tail": data[:at] + data[at // 2:]}[how]
    assume(damaged != data)
    p = _rezip(template, tmp_path / "d.xlsx", part, damaged)
    if how == "dup-tail" and _well_formed(damaged):     # (rarely) still whole XML: read, or said why
        try:
            read_workbook(p)
        except GaixlError:
            pass
        return
    with pytest.raises(InputError, match=re.escape(part)):
        read_workbook(p)


def _well_formed(data: bytes) -> bool:
    from xml.parsers import expat
    try:
        expat.ParserCreate().Parse(data, True)
        return True
    except expat.ExpatError:
        return False


# ------------------------------------------------------------------ rosters
FIELD_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=25)


@FUZZ
@given(rows=st.lists(st.tuples(FIELD_TEXT, FIELD_TEXT, FIELD_TEXT), min_size=1, max_size=5))
def test_roster_any_text(tmp_path, rows):
    import re

    from gaixl.report.roster import read_roster
    p = tmp_path / "r.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["code", "name", "email"])
    w.writerows(rows)
    p.write_text(buf.getvalue(), encoding="utf-8", newline="")
    try:
        units = read_roster(p)
    except RosterError as e:
        assert str(e).startswith(str(p)) and "\n" not in str(e).replace("\\n", "")
        return
    bad = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]")
    for u in units:
        for k in ("code", "name", "email"):
            assert not bad.search(u[k]), u


# ------------------------------------------------------------------ mail headers
DISPLAY = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


def _encoded(text: str, enc: str) -> str:
    import base64
    import quopri
    raw = text.encode("utf-8")
    if enc == "b":
        return f"=?utf-8?b?{base64.b64encode(raw).decode()}?="
    return "=?utf-8?q?" + quopri.encodestring(raw, header=True).decode().replace("\n", "").replace("?", "=3F") + "?="


@FUZZ
@given(name=DISPLAY, enc=st.sampled_from(["b", "q", "raw"]), inject=st.booleans())
def test_from_header_never_yields_an_injected_address(name, enc, inject):
    from email import message_from_bytes, policy

    from gaixl.mail.collect import sender_of
    if inject:
        name = name + "\r\nBcc: evil@evil.example"
    shown = _encoded(name, enc) if enc != "raw" else name.replace("\r", "").replace("\n", "")
    raw = f"From: {shown} <unit@dept.cn>\r\nSubject: x\r\n\r\nbody\r\n".encode("utf-8", "surrogateescape")
    msg = message_from_bytes(raw, policy=policy.compat32)
    display, addr, problem = sender_of(msg)
    assert "evil" not in addr
    assert addr in ("", "unit@dept.cn")
    if inject and enc != "raw":
        assert addr == "" and problem


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(min_value=2, max_value=4), mid=st.sampled_from(["<same@dept.cn>", "", "<x>"]))
def test_messages_sharing_a_message_id_all_kept(tmp_path_factory, template, n, mid):
    from email.message import EmailMessage

    from gaixl.mail.collect import Source, collect
    d = tmp_path_factory.mktemp("mid")
    (d / "mails").mkdir()
    base = template.read_bytes()
    for i in range(n):
        m = EmailMessage()
        m["From"] = "unit@dept.cn"
        m["Subject"] = "年报"
        if mid:
            m["Message-ID"] = mid
        m.set_content(f"第{i}份")
        # a different workbook each time (same template, one more part): different content
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(base)) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                zout.writestr(info.filename, zin.read(info.filename))
            zout.writestr(f"docProps/custom{i}.xml", f"<x>{i}</x>")
        m.add_attachment(buf.getvalue(), maintype="application", subtype="octet-stream", filename=f"年报{i}.xlsx")
        (d / "mails" / f"{i}.eml").write_bytes(m.as_bytes())
    res = collect(Source("eml", str(d / "mails")), d / "inbox")
    assert res.saved == n and res.messages_new == n


# ------------------------------------------------------------------ CSV cells
@FUZZ
@given(value=st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_csv_fields_never_start_a_formula(value):
    from gaixl.csvcell import field
    row = next(csv.reader(io.StringIO(field(value) + "," + field(value))))
    for cell in row:
        if isinstance(value, str):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        else:
            assert cell == str(value)


# ------------------------------------------------------------------ imported documents (sizes)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.integers(min_value=1, max_value=3000), cols=st.integers(min_value=1, max_value=40),
       rowspan=st.integers(min_value=1, max_value=10 ** 6), colspan=st.integers(min_value=1, max_value=10 ** 6))
def test_html_tables_of_any_size_and_span(tmp_path, rows, cols, rowspan, colspan):
    from gaixl.importers import import_report
    head = f'<tr><td rowspan="{rowspan}" colspan="{colspan}">x</td></tr>'
    body = ("<tr>" + "<td>1</td>" * cols + "</tr>") * rows
    p = tmp_path / "t.html"
    p.write_text(f"<html><body><p>某局2023年政府信息公开工作年度报告</p><table>{head}{body}</table></body></html>",
                 encoding="utf-8")
    try:
        import_report(p, year=2023)
    except GaixlError as e:
        assert str(e).startswith(str(p))
