"""Issue 15, "damaged files accepted": every XML part gaixl reads must parse completely, or the
file is unreadable — exit 2 and one line naming the file and the part, never a report read
from part of a sheet. The damage a disk, a transfer or a careless edit does: a part cut short
(mid-tag, mid-value, anywhere), a NUL or another control character inside, garbage after the
root element, tags that do not match (a tag lost, a chunk lost, tags swapped)."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import consistent_data

from gaixl.errors import InputError
from gaixl.spec.load import load_layout
from gaixl.workbook import xlsx
from gaixl.workbook.fill import fill_workbook
from gaixl.workbook.read import read_workbook
from gaixl.workbook.template import generate_workbook

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """A template as gaixl writes it, and the same filled and re-saved by openpyxl (the two
    forms of XML the fast readers meet most)."""
    d = tmp_path_factory.mktemp("dmg")
    layout = load_layout("2021")
    tpl = generate_workbook(layout, 2023, "U-01", "测试局", d / "t.xlsx", generated_at="2026-01-05T08:00:00Z")
    filled = fill_workbook(tpl, consistent_data(layout, 2023, 7, code="U-01", name="测试局"), d / "f.xlsx")
    return {"template": tpl, "filled": Path(filled)}


def parts_read(path: Path) -> list[str]:
    """The zip members a check of this file reads (seen by watching the reader)."""
    seen: list[str] = []
    original = xlsx.Book._read

    def watch(self, name):
        seen.append(name)
        return original(self, name)

    xlsx.Book._read = watch
    try:
        read_workbook(path)
    finally:
        xlsx.Book._read = original
    return list(dict.fromkeys(seen))


def rezip(src: Path, dst: Path, part: str, data: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, data if info.filename == part else zin.read(info.filename))
    return dst


def damages(data: bytes) -> list[tuple[str, bytes]]:
    """Damaged copies of one part's XML, each named."""
    out = []
    n = len(data)
    # Cut short at many places: spread over the part, and just inside tags and values.
    cuts = {n * k // 23 for k in range(1, 23)} | {n - 1, n - 2, n - len(b"</worksheet>") // 2}
    for needle in (b"<c ", b'r="', b"<v>", b"</row>", b"<t", b"&#"):
        i = data.find(needle, n // 3)
        if i > 0:
            cuts |= {i + 1, i + len(needle) - 1, i + len(needle) + 1}
    out += [(f"cut at {at}", data[:at]) for at in sorted(cuts) if 0 < at < n]
    for at in (n // 5, n // 2, n - 3):
        out.append((f"NUL at {at}", data[:at] + b"\x00" + data[at:]))
        out.append((f"ESC at {at}", data[:at] + b"\x1b" + data[at:]))
    root_end = data.rstrip()
    out += [("text after the root", data + b"garbage"), ("an element after the root", data + b"<x/>"),
            ("a second root", root_end + root_end[root_end.rfind(b"</"):]),
            ("a whole copy appended", data + data[data.find(b"<", 1 if data.startswith(b"<?") else 0):])]
    for tag in (b"</row>", b"</c>", b"</sheetData>", b"</si>", b"</sheet>", b"</definedName>", b"</Relationship>"):
        i = data.find(tag, n // 2)
        if i < 0:
            i = data.find(tag)
        if i >= 0:
            out.append((f"{tag.decode()} lost", data[:i] + data[i + len(tag):]))
    i = data.find(b"<row", n // 2)
    if i >= 0:
        j = data.index(b">", i)
        out.append(("a <row> lost", data[:i] + data[j + 1:]))
        k = data.find(b"<row", j)
        if k > 0:
            out.append(("a chunk lost", data[:i + 20] + data[k + 7:]))
    i = data.find(b"</c></row>")
    if i >= 0:
        out.append(("tags swapped", data[:i] + b"</row></c>" + data[i + 10:]))
    return out


@pytest.mark.slow              # over 300 damaged copies read one by one (~9 s each)
@pytest.mark.parametrize("which", ["template", "filled"])
def test_every_damaged_part_is_unreadable(books, which, tmp_path):
    src = books[which]
    parts = parts_read(src)
    assert "xl/workbook.xml" in parts and sum(p.startswith("xl/worksheets/") for p in parts) >= 5, parts
    tried = 0
    with zipfile.ZipFile(src) as z:
        originals = {p: z.read(p) for p in parts}
    for part, data in originals.items():
        for what, damaged in damages(data):
            p = rezip(src, tmp_path / "d.xlsx", part, damaged)
            with pytest.raises(InputError) as e:
                read_workbook(p)
            line = str(e.value)
            assert part in line and str(p) in line and "\n" not in line, (part, what, line)
            tried += 1
    assert tried > 300


def test_the_command_says_it_in_one_line(books, tmp_path):
    """As a user runs it (the real command line, both of its paths: one file, and many files
    with --json), exit 2 and one line naming the file and the part."""
    src = books["filled"]
    with zipfile.ZipFile(src) as z:
        part = next(p for p in parts_read(src) if p.startswith("xl/worksheets/") and b"</row>" in z.read(p))
        data = z.read(part)
    i = data.find(b"</row>", len(data) // 2)
    bad = rezip(src, tmp_path / "unbalanced.xlsx", part, data[:i] + data[i + 6:])
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for args in (["check", "--lang", "en", str(bad)], ["check", "--json", "--lang", "en", str(src), str(bad)]):
        r = subprocess.run([sys.executable, "-c", "from gaixl.cli import main; main()", *args],
                           capture_output=True, text=True, env=env)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr
        if "--json" in args:
            import json
            reports = json.loads(r.stdout)
            assert reports[0]["data"] is not None and reports[1]["data"] is None
            said = [f["message"] for f in reports[1]["findings"] if f["code"] == "unreadable"]
        else:
            said = r.stderr.strip().splitlines()
            assert len(said) == 1, r.stderr
        assert any(part in s and "damaged" in s and "mismatched tag" in s for s in said), said
        if "--json" not in args:
            assert said[0].startswith(f"Error: {bad}: part {part} is damaged")


def test_a_whole_part_in_another_form_still_reads(books, tmp_path):
    """Verified is not stricter than XML: a declaration, line breaks, single quotes, spaces in
    tags and an attribute value holding '>' are all well-formed, and read as before."""
    src = books["filled"]
    before = read_workbook(src)
    part = next(p for p in parts_read(src) if p.startswith("xl/worksheets/"))
    with zipfile.ZipFile(src) as z:
        data = z.read(part)
    if not data.startswith(b"<?xml"):
        data = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + data
    data = data.replace(b"<row ", b"\n  <row ").replace(b"</row>", b"</row >", 3)
    p = rezip(src, tmp_path / "other.xlsx", part, data)
    after = read_workbook(p)
    assert after.data.tables == before.data.tables
    assert [f.code for f in after.findings] == [f.code for f in before.findings]
