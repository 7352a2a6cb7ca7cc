"""A city's worth of returned workbooks (3,000, made by bench/pool.py the way the benchmark makes
its 100,000): the outputs are byte for byte the same whether the inbox is read by one process or
by two, and whether the per-unit files are written by this process or by a forked writer — the
order in which reading processes finish, and the scratch file the reports wait in, change nothing."""
from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

N = 3000


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_one_reader_and_two_write_the_same_bytes(tmp_path):
    from pool import YEAR, make_pool, unit_code, unit_name

    from gaixl.consolidation.outputs import write_outputs
    from gaixl.consolidation.run import consolidate

    files = make_pool(tmp_path / "pool", N, workers=2)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for p in files:
        p.rename(inbox / p.name)
    # Not only accepted files: an unreadable one, an older copy of a unit (superseded by its
    # name's 初报), and a unit left off the roster.
    (inbox / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    shutil.copy(inbox / "00005.xlsx", inbox / "00005（初报）.xlsx")
    roster = tmp_path / "roster.csv"
    roster.write_text("code,name,email,parent\n" + "".join(
        f"{unit_code(i)},{unit_name(i)},u{i}@example.cn,{'基准市' if i % 3 else '基准县'}\n" for i in range(N - 1)),
        encoding="utf-8")

    one = consolidate(inbox, roster, YEAR, None, workers=1)
    write_outputs(one, tmp_path / "one", reports=False, parallel=False)
    two = consolidate(inbox, roster, YEAR, tmp_path / "two", reports=False, workers=2)
    counts = two.counts()
    assert counts["accepted"] == N - 1 and counts["superseded"] == 1 and counts["unknown-unit"] == 1
    assert counts["rejected"] == 1 and one.counts() == counts
    a, b = hashes(tmp_path / "one"), hashes(tmp_path / "two")
    assert len(a) > N and sorted(a) == sorted(b)
    assert [f for f in a if a[f] != b[f]] == []
