"""Distinct filled workbooks for the benchmarks, made fast and cached.

    make_pool(folder, n, workers=2) -> list[Path]     folder/files/00000.xlsx … (n of them)

Unit i has its own code (3311NN-NNN), name (基准测试第i局) and numbers
(tests/helpers.consistent_data with seed i: every rule holds). One master is made the way a
unit makes its file (gaixl generate, then fill, which re-saves through openpyxl); every other
file is that master with its unit strings, metadata fingerprint, template id and input cells
patched in the XML bytes — a few milliseconds instead of the ~70 ms of generate + fill, so a
pool of 100,000 is made in minutes, not hours. The first files of a new pool are read back
and compared with the data they were made from, so a patch that went wrong is seen at once.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

YEAR, LAYOUT = 2025, "2021"
STAMP = "2025-12-01T00:00:00Z"
VERSION = "1"                 # bump when the way files are made changes (the cache is then rebuilt)


def unit_code(i: int) -> str:
    return f"3311{i // 1000:02d}-{i % 1000:03d}"


def unit_name(i: int) -> str:
    return f"基准测试第{i}局"


def _xml_text(s: str) -> bytes:
    """A text as openpyxl writes it between tags: every non-ASCII character a reference."""
    return "".join(ch if ord(ch) < 128 else f"&#{ord(ch)};" for ch in s).encode("ascii")


def _number(v) -> bytes:
    return (repr(v) if isinstance(v, float) else str(v)).encode("ascii")


_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><v>([^<]*)</v></c>')


class _Master:
    """The master's parts and where each input cell of the layout sits in them."""

    def __init__(self, folder: Path):
        from helpers import consistent_data

        from gaixl.spec.load import load_layout
        from gaixl.spec.rules import input_cells
        from gaixl.workbook import names
        from gaixl.workbook.fill import fill_workbook
        from gaixl.workbook.read import read_workbook
        from gaixl.workbook.template import generate_workbook
        from gaixl.workbook.xlsx import Book

        self.layout = layout = load_layout(LAYOUT)
        self.consistent_data = consistent_data
        self.names = names
        folder.mkdir(parents=True, exist_ok=True)
        code, name = unit_code(0), unit_name(0)
        tpl = generate_workbook(layout, YEAR, code, name, folder / "master-template.xlsx", generated_at=STAMP)
        master = fill_workbook(tpl, consistent_data(layout, YEAR, 0, code=code, name=name), folder / "master.xlsx")
        res = read_workbook(master)
        self.meta = dict(res.meta)
        with Book(master) as book:
            part_of = {s.name: s.part for s in book.sheets}
        with zipfile.ZipFile(master) as z:
            self.parts = [(info, z.read(info)) for info in z.infolist()]
        self.inputs = [(ref, part_of[res.locator[ref][0]].encode(), res.locator[ref][1].encode())
                       for ref, _c in input_cells(layout) if ref in res.locator]
        self.old = {k: _xml_text(self.meta[k]) for k in ("unit_code", "unit_name", "template_id", "fingerprint")}

    def workbook(self, i: int) -> bytes:
        code, name = unit_code(i), unit_name(i)
        layout = self.layout
        data = self.consistent_data(layout, YEAR, i, code=code, name=name)
        meta = dict(self.meta, unit_code=code, unit_name=name,
                    template_id=hashlib.sha256(code.encode()).hexdigest()[:16])
        meta["fingerprint"] = self.names.fingerprint(meta)
        new = {k: _xml_text(meta[k]) for k in self.old}
        values: dict[bytes, dict[bytes, bytes]] = {}
        for ref, part, a in self.inputs:
            v = data.value(layout, ref)
            values.setdefault(part, {})[a] = b"" if v is None else _number(v)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for info, body in self.parts:
                cells = values.get(info.filename.encode())
                if cells:
                    body = _CELL.sub(lambda m: (m[0] if m[1] not in cells else
                                                b'<c r="' + m[1] + b'"' + m[2] + b"><v>" + cells[m[1]] + b"</v></c>"),
                                     body)
                # The master's unit strings are distinct from every other text of the file.
                for k, old in self.old.items():
                    if old in body:
                        body = body.replace(old, new[k])
                z.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
        return buf.getvalue()


_M: _Master | None = None


def _make(args) -> None:
    global _M
    folder, lo, hi = args
    if _M is None:
        _M = _Master(folder / "master")
    for i in range(lo, hi):
        target = folder / "files" / f"{i:05d}.xlsx"
        if not target.exists():
            tmp = target.with_suffix(".part")
            tmp.write_bytes(_M.workbook(i))
            tmp.replace(target)


def _verify(folder: Path, n: int) -> None:
    """The first files read back as the data they were made from, without errors."""
    from helpers import consistent_data

    from gaixl.spec.load import load_layout
    from gaixl.validation.files import check_file

    layout = load_layout(LAYOUT)
    for i in range(min(n, 3)):
        r = check_file(folder / "files" / f"{i:05d}.xlsx")
        want = consistent_data(layout, YEAR, i, code=unit_code(i), name=unit_name(i))
        if r.errors or r.data.unit != want.unit or r.data.tables != want.tables:
            sys.exit(f"bench pool: file {i} does not read back as made ({[f.code for f in r.findings]})")


def make_pool(folder: Path, n: int, workers: int = 2) -> list[Path]:
    """n distinct filled workbooks in folder/files (made once; later calls reuse them)."""
    files = folder / "files"
    stamp = folder / "pool.json"
    if stamp.exists() and json.loads(stamp.read_text()).get("version") != VERSION:
        for p in files.glob("*.xlsx"):
            p.unlink()
    files.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"version": VERSION}))
    paths = [files / f"{i:05d}.xlsx" for i in range(n)]
    missing = [i for i, p in enumerate(paths) if not p.exists()]
    if missing:
        print(f"making {len(missing)} distinct workbooks (cached in {files}) …", file=sys.stderr)
        lo, hi = missing[0], n
        step = max(50, (hi - lo) // (workers * 20) or 1)
        jobs = [(folder, a, min(hi, a + step)) for a in range(lo, hi, step)]
        if workers > 1:
            with ProcessPoolExecutor(workers) as ex:
                list(ex.map(_make, jobs))
        else:
            for j in jobs:
                _make(j)
        _verify(folder, n)
    return paths
