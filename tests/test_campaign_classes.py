"""One test per class of failure the second campaign (tests/fuzz/campaign.py --seed 151) looked
for with its new inputs, each fixed at its root: data files with a key twice, sheet parts that
are not UTF-8 (and odd but valid encodings, read exactly as the original), roster codes that
differ only in case or width, zero-width characters in names, attachments whose name ends in a
dot, full-width formula triggers in CSV cells, writes that meet a full disk or a file-size limit."""
from __future__ import annotations

import json
import re
import resource
import signal
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from gaixl.errors import DataFileError, GaixlError, InputError, OutputError, RosterError
from gaixl.spec.load import load_layout
from gaixl.workbook.template import generate_workbook


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("cc")
    return generate_workbook(load_layout("2021"), 2023, "U-01", "测试局", d / "t.xlsx",
                             generated_at="2026-01-05T08:00:00Z")


def _rezip(src: Path, dst: Path, replace: dict) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
    return dst


def _part(template: Path, sheet: str) -> tuple[str, bytes]:
    from gaixl.workbook.xlsx import Book
    with Book(template) as b:
        part = b.sheet_info(sheet).part
    with zipfile.ZipFile(template) as z:
        return part, z.read(part)


# ------------------------------------------------------------------ data files
@pytest.mark.parametrize("text", ['{"layout": "2021", "year": 0, "year": 2023}',
                                  '{"layout": "2021", "year": 2023, "tables": {"二": {"规章": {"本年制发件数": 1, '
                                  '"本年制发件数": 9}}}}'])
def test_data_file_key_twice_is_refused(tmp_path, text):
    """Which of two values counts differs by reader (Python: the last): neither is guessed."""
    from gaixl.report.data import load_data_file
    p = tmp_path / "d.json"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as e:
        load_data_file(p)
    assert "appears twice in one object" in str(e.value) and "出现了两次" in e.value.message_zh
    assert e.value.where == str(p)


# ------------------------------------------------------------------ workbooks
@pytest.mark.parametrize("bad", [b"\xff", b"\xc3(", b"\xed\xa0\x80"])
def test_sheet_part_not_utf8_is_refused(tmp_path, template, bad):
    part, data = _part(template, "三、申请情况")
    at = data.index(b"<sheetData>") + 200
    p = _rezip(template, tmp_path / "bad.xlsx", {part: data[:at] + bad + data[at:]})
    from gaixl.workbook.read import read_workbook
    with pytest.raises(InputError, match=f"part {re.escape(part)} is damaged: invalid UTF-8"):
        read_workbook(p)


def _odd(data: bytes, how: str) -> bytes:
    text = data.decode("utf-8")
    if how == "utf16":
        return text.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1).encode("utf-16")
    if how == "charref":
        return re.sub(r"[^\x00-\x7f]", lambda m: f"&#{ord(m[0])};", text).replace(
            'encoding="UTF-8"', 'encoding="US-ASCII"', 1).encode("ascii")
    if how == "squote":
        return re.sub(r'(\s[\w:]+)="([^"]*)"', r"\1='\2'", text).encode("utf-8")
    head, body = text.split("?>", 1) if text.startswith("<?xml") else ("", text)   # prefix: the namespace on a prefix
    body = re.sub(r"<(/?)([A-Za-z]+)(?=[\s>/])", r"<\1x:\2", body).replace(
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
        'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"', 1)
    return ((head + "?>" if head else "") + body).encode("utf-8")


@pytest.mark.parametrize("how", ["utf16", "charref", "squote", "prefix"])
def test_odd_but_valid_sheet_xml_reads_the_same(tmp_path, template, how):
    """The refusals above never catch a valid file: the same sheet in another valid spelling
    gives the same numbers."""
    from gaixl.report.data import ReportData
    from gaixl.workbook.fill import fill_workbook
    from gaixl.workbook.read import read_workbook
    data = ReportData.to_json(read_workbook(template).data)
    data["tables"]["三"]["一、本年新收政府信息公开申请数量"]["自然人"] = 17
    filled = fill_workbook(template, ReportData.from_json(data, where="x"), tmp_path / "f.xlsx")
    part, raw = _part(filled, "三、申请情况")
    p = _rezip(filled, tmp_path / "odd.xlsx", {part: _odd(raw, how)})
    a, b = read_workbook(filled).data, read_workbook(p).data
    assert b.tables == a.tables and b.tables["三"]["一、本年新收政府信息公开申请数量"]["自然人"] == 17


# ------------------------------------------------------------------ rosters
@pytest.mark.parametrize("second", ["u01", "Ｕ01", " U01 "])
def test_roster_codes_differing_in_case_or_width_are_duplicates(tmp_path, second):
    """U01 and u01 name the same file on Windows and macOS: one template would overwrite the other."""
    from gaixl.report.roster import read_roster
    p = tmp_path / "r.csv"
    p.write_text(f"code,name,email\nU01,甲局,a@b.cn\n{second},乙局,b@b.cn\n", encoding="utf-8")
    with pytest.raises(RosterError) as e:
        read_roster(p)
    assert e.value.where == f"{p}:3" and "重复" in e.value.message_zh


@pytest.mark.parametrize("name", ["局\ufeff", "局\u200b办", "\u2060局"])
def test_roster_zero_width_characters_refused(tmp_path, name):
    from gaixl.report.roster import read_roster
    p = tmp_path / "r.csv"
    p.write_text(f"code,name,email\nU01,{name},a@b.cn\n", encoding="utf-8")
    with pytest.raises(RosterError, match="control or invisible character"):
        read_roster(p)


# ------------------------------------------------------------------ mail
@pytest.mark.parametrize("name", ["年报.xlsx.", "年报.xlsx. . ", "年报.XLSX."])
def test_attachment_name_ending_in_a_dot_is_saved(tmp_path, template, name):
    """Windows drops trailing dots and spaces: "年报.xlsx." is a workbook, never skipped and lost."""
    from gaixl.mail.collect import Source, collect
    box = tmp_path / "mails"
    box.mkdir()
    m = EmailMessage()
    m["From"], m["Subject"], m["Message-ID"] = "unit@dept.cn", "年报", "<a@dept.cn>"
    m.set_content("见附件")
    m.add_attachment(template.read_bytes(), maintype="application", subtype="octet-stream", filename=name)
    (box / "0.eml").write_bytes(m.as_bytes())
    res = collect(Source("eml", str(box)), tmp_path / "inbox")
    saved = [r for r in res.records if r.action == "saved"]
    assert res.saved == 1 and saved[0].file.lower().endswith(".xlsx"), res.records
    assert (tmp_path / "inbox" / saved[0].file).read_bytes() == template.read_bytes()


# ------------------------------------------------------------------ CSV
@pytest.mark.parametrize("text", ["＝HYPERLINK(\"http://evil.example\")", "＋1+1", "－1+1", "＠SUM(A1)"])
def test_full_width_formula_triggers_are_defused(text):
    from gaixl.csvcell import defuse, field
    assert defuse(text) == "'" + text and field(text).lstrip('"').startswith("'")
    assert defuse("正常局") == "正常局" and defuse(-5) == -5


# ------------------------------------------------------------------ outputs on a full disk
@pytest.fixture
def full_disk():
    """Files may grow to `limit` bytes (RLIMIT_FSIZE): a write past it fails as on a full disk."""
    old, old_handler = resource.getrlimit(resource.RLIMIT_FSIZE), signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def fill(limit: int) -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, old[1]))
    yield fill
    resource.setrlimit(resource.RLIMIT_FSIZE, old)
    signal.signal(signal.SIGXFSZ, old_handler)


def test_fill_onto_a_full_disk_is_one_output_error(tmp_path, template, full_disk):
    """openpyxl's writer (lxml) says IO_EFBIG in its own exception type: still one OutputError
    naming the output, and no temporary file left."""
    from gaixl import api
    from gaixl.report.data import ReportData
    from gaixl.workbook.read import read_workbook
    data = tmp_path / "d.json"
    data.write_text(json.dumps(ReportData.to_json(read_workbook(template).data), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    full_disk(4096)
    with pytest.raises(OutputError) as e:
        api.fill(template, data, out / "f.xlsx")
    assert e.value.where == str(out / "f.xlsx") and "文件过大" in e.value.message_zh
    assert list(out.iterdir()) == []


def test_generate_onto_a_full_disk_leaves_no_folder(tmp_path, full_disk):
    from gaixl import api
    roster = tmp_path / "r.csv"
    roster.write_text("code,name,email\n" + "".join(f"G{i},局{i},g{i}@example.cn\n" for i in range(12)),
                      encoding="utf-8")
    full_disk(8192)                 # a template is about 32 KB
    with pytest.raises(GaixlError):
        api.generate_templates(2023, tmp_path / "new" / "templates", roster)
    assert not (tmp_path / "new").exists()


@pytest.mark.slow                     # a gaixl process of its own
def test_fill_on_a_full_disk_prints_one_line(tmp_path, template):
    """As a user meets it: `gaixl fill` with the file-size limit of a full disk says one line,
    exit 2 — and no "Exception ignored" traceback from openpyxl's half-closed writers after it."""
    import subprocess
    import sys

    from gaixl.report.data import ReportData
    from gaixl.workbook.read import read_workbook
    data = tmp_path / "d.json"
    data.write_text(json.dumps(ReportData.to_json(read_workbook(template).data), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "f.xlsx"

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
    r = subprocess.run([sys.executable, "-m", "gaixl.cli", "fill", str(template), "--data", str(data), "--out", str(out)],
                       capture_output=True, text=True, preexec_fn=limit, timeout=120)
    assert r.returncode == 2, r.stderr
    assert r.stderr.splitlines() == [f"错误：{out}: 无法写入输出文件：文件过大，超出系统允许的文件大小（或磁盘配额）"], r.stderr
    assert not out.exists()


# ------------------------------------------------------------------ numbers beyond any double
@pytest.mark.parametrize("cells", [("1e308", "1e308"), ("1" + "0" * 400, "5"), ("1e308", "18446744073709551616")])
def test_numbers_beyond_doubles_in_cells_are_findings(tmp_path, template, cells):
    """Two huge numbers in one row: their total is beyond any double. Each is an out-of-range
    finding; the rules run on what a spreadsheet holds (±infinity), never an OverflowError."""
    from gaixl.validation.files import check_file
    part, data = _part(template, "三、申请情况")
    text = data.decode("utf-8")
    for addr, v in zip(("G16", "G28"), cells):
        text = re.sub(rf'<c r="{addr}"([^>/]*?)(?:/>|>.*?</c>)', f'<c r="{addr}"><v>{v}</v></c>', text, count=1,
                      flags=re.S)
    p = _rezip(template, tmp_path / "big.xlsx", {part: text.encode("utf-8")})
    report = check_file(p)
    assert [f for f in report.findings if f.code == "cell-out-of-range"], [f.code for f in report.findings]


@pytest.mark.parametrize("enc", ["UTF-9", "x-unknown", "GBK"])
def test_part_declaring_an_unknown_encoding_is_one_error(tmp_path, template, enc):
    """An encoding no parser knows is a damaged part (InputError), never a LookupError."""
    from gaixl.workbook.read import read_workbook
    with zipfile.ZipFile(template) as z:
        data = z.read("xl/sharedStrings.xml")
    p = _rezip(template, tmp_path / "enc.xlsx", {"xl/sharedStrings.xml": data.replace(b'encoding="UTF-8"',
                                                                                      f'encoding="{enc}"'.encode(), 1)})
    try:
        read_workbook(p)
    except InputError as e:
        assert e.where == str(p)
