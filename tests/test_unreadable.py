"""Hostile and broken inputs: each is refused with one InputError line naming the file, never
another exception, and before anything large is inflated or parsed."""
from __future__ import annotations

import io
import random
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaixl.errors import InputError
from gaixl.spec.load import load_layout
from gaixl.workbook.read import read_any, read_workbook
from gaixl.workbook.template import generate_workbook
from gaixl.workbook.xlsx import MAX_FILE, MAX_UNZIPPED, OLE_MAGIC, Book


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    d = tmp_path_factory.mktemp("tpl")
    return generate_workbook(load_layout("2021"), 2023, "U-01", "测试局", d / "t.xlsx",
                             generated_at="2026-01-05T08:00:00Z")


def refused(path: Path, *needles: str) -> InputError:
    for fn in (read_workbook, read_any):
        with pytest.raises(InputError) as e:
            fn(path)
        msg = str(e.value)
        assert msg.startswith(str(path) + ": "), msg
        assert "\n" not in msg
        for n in needles:
            assert n in msg, msg
    return e.value


def rezip(src: Path, dst: Path, replace: dict) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
    return dst


def test_empty_file(tmp_path):
    p = tmp_path / "empty.xlsx"
    p.write_bytes(b"")
    refused(p, "empty")


def test_missing_file(tmp_path):
    refused(tmp_path / "nope.xlsx", "cannot read")


def test_corrupt_zip(tmp_path, template):
    p = tmp_path / "cut.xlsx"
    p.write_bytes(template.read_bytes()[: template.stat().st_size // 2])
    refused(p, "not a readable .xlsx")
    q = tmp_path / "noise.xlsx"
    q.write_bytes(b"PK\x03\x04" + bytes(random.Random(1).randrange(256) for _ in range(3000)))
    refused(q)


def test_damaged_part_checksum(tmp_path, template):
    data = bytearray(template.read_bytes())
    with zipfile.ZipFile(template) as z:
        info = z.getinfo("xl/worksheets/sheet5.xml")
    off = info.header_offset + 30 + len(info.filename) + 40      # inside the deflated sheet
    data[off] ^= 0xFF
    p = tmp_path / "flip.xlsx"
    p.write_bytes(bytes(data))
    refused(p)


def test_html_renamed(tmp_path):
    p = tmp_path / "report.xlsx"
    p.write_text("<!DOCTYPE html><html><body><table><tr><td>自然人</td></tr></table></body></html>", encoding="utf-8")
    refused(p, "HTML")


def test_csv_renamed(tmp_path):
    p = tmp_path / "report.xlsx"
    p.write_text("信息内容,本年制发件数\n规章,0\n", encoding="utf-8-sig")
    refused(p, "CSV")


def test_unknown_binary(tmp_path):
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"\x00\x01\x02GIF89a" * 10)
    refused(p, "unknown content")


def _ole(stream_name: str) -> bytes:
    """A minimal OLE2 compound file whose directory names one stream (enough for sniffing)."""
    header = OLE_MAGIC + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\x00" * 478
    entry = stream_name.encode("utf-16-le").ljust(64, b"\x00") + bytes([len(stream_name) * 2 + 2, 0, 2, 1])
    return header + entry.ljust(128, b"\x00") + b"\x00" * 384


def test_encrypted_ooxml(tmp_path):
    p = tmp_path / "locked.xlsx"
    p.write_bytes(_ole("EncryptedPackage") + _ole("EncryptionInfo")[512:])
    refused(p, "encrypted with a password")


def test_encrypted_ooxml_made_by_msoffcrypto(tmp_path, template):
    from msoffcrypto.format.ooxml import OOXMLFile  # a test dependency (pyproject's [test] extra)

    out = io.BytesIO()
    with template.open("rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    p = tmp_path / "locked.xlsx"
    p.write_bytes(out.getvalue())
    refused(p, "encrypted with a password")


def test_not_really_xls(tmp_path):
    p = tmp_path / "old.xls"
    p.write_bytes(_ole("Workbook"))
    refused(p, "not a readable .xls")


def test_oversized_file(tmp_path):
    p = tmp_path / "huge.xlsx"
    with p.open("wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(MAX_FILE + 1)              # sparse: no disk used
    refused(p, "too large")


def test_zip_bomb(tmp_path, template):
    """A sheet that inflates beyond the limit (its size declared honestly)."""
    p = tmp_path / "bomb.xlsx"
    shutil.copy(template, p)
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet99.xml", "w", force_zip64=True) as fh:
            chunk = b" " * (1 << 20)
            for _ in range(MAX_UNZIPPED // (1 << 20) + 2):
                fh.write(chunk)
    assert p.stat().st_size < 2 * 1024 * 1024
    refused(p, "zip bomb")


def test_zip_bomb_with_lying_sizes(tmp_path, template):
    """A sheet whose directory entry claims a small size but which inflates to far more."""
    big = b"<worksheet>" + b" " * (8 << 20) + b"</worksheet>"
    p = rezip(template, tmp_path / "liar.xlsx", {"xl/worksheets/sheet5.xml": big})
    data = bytearray(p.read_bytes())
    with zipfile.ZipFile(p) as z:
        info = z.getinfo("xl/worksheets/sheet5.xml")
    small = (1000).to_bytes(4, "little")
    data[info.header_offset + 22:info.header_offset + 26] = small          # local header
    i = 0
    while True:                                                             # central directory entry
        i = data.find(b"PK\x01\x02", i + 1)
        if i < 0:
            break
        n = int.from_bytes(data[i + 28:i + 30], "little")
        if data[i + 46:i + 46 + n] == b"xl/worksheets/sheet5.xml":
            data[i + 24:i + 28] = small
    p.write_bytes(bytes(data))
    refused(p, "declares")


def test_billion_laughs(tmp_path, template):
    lol = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/><definedNames>
<definedName name="x">&lol9;</definedName></definedNames></workbook>"""
    p = rezip(template, tmp_path / "lol.xlsx", {"xl/workbook.xml": lol})
    refused(p, "DTD")


def test_external_entity_in_a_sheet(tmp_path, template):
    xxe = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>')
    with Book(template) as b:
        part = b.sheet_info("三、申请情况").part
    p = rezip(template, tmp_path / "xxe.xlsx", {part: xxe})
    refused(p, "DTD")


def test_docx_is_not_a_workbook(tmp_path):
    p = tmp_path / "report.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    refused(p, "no workbook part")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9), part=st.sampled_from(["xl/workbook.xml", "xl/sharedStrings.xml",
                                                          "xl/worksheets/sheet5.xml", "xl/worksheets/sheet10.xml",
                                                          "xl/_rels/workbook.xml.rels"]))
def test_mutated_xml_never_raises_anything_else(tmp_path, template, seed, part):
    rnd = random.Random(seed)
    with zipfile.ZipFile(template) as z:
        xml = bytearray(z.read(part))
    for _ in range(rnd.randint(1, 8)):
        i = rnd.randrange(len(xml))
        op = rnd.randrange(3)
        if op == 0:
            xml[i] = rnd.choice(b'<>/"=&;#x0123456789abcvfrst ')
        elif op == 1:
            del xml[i:i + rnd.randint(1, 40)]
        else:
            xml[i:i] = rnd.choice([b"<c ", b"</c>", b"<v>", b"</v>", b"&#99999999;", b"&#x41;", b"<f/>", b"<is>"])
    p = rezip(template, tmp_path / f"m{seed}.xlsx", {part: bytes(xml)})
    try:
        read_workbook(p)
    except InputError as e:
        assert str(e).startswith(str(p)) and "\n" not in str(e)


@pytest.mark.engine
def test_mutated_xls_never_raises_anything_else(tmp_path, template, soffice):
    """xlrd parses a hostile binary format and raises dozens of kinds: all become InputError."""
    import subprocess

    from gaixl.errors import WorkbookError

    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "xls",
                    "--outdir", str(tmp_path), str(template)], check=True, capture_output=True, timeout=180)
    src = (tmp_path / "t.xls").read_bytes()
    for seed in range(150):
        rnd = random.Random(seed)
        data = bytearray(src)
        for _ in range(rnd.randint(1, 20)):
            data[rnd.randrange(512, len(data))] = rnd.randrange(256)
        p = tmp_path / "m.xls"
        p.write_bytes(bytes(data))
        try:
            read_workbook(p)
        except (InputError, WorkbookError) as e:
            assert str(e).startswith(str(p)) and "\n" not in str(e)
