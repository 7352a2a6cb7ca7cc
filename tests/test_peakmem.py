"""The per-process peak memory that bench/consolidate.py reports (gaixl.peakmem, issue 14): each
process of a consolidation — the main one per phase, each reading process, the per-unit writer
(a process started afresh) — notes its own peak when GAIXL_PEAK_LOG names a file, and nothing
is noted, nor any output changed, without it."""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from gaixl import peakmem
from gaixl.consolidation.outputs import write_outputs
from gaixl.consolidation.run import _at_least, consolidate

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbook"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="peaks are read from /proc (Linux)")


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_each_process_notes_its_own_peak(tmp_path, monkeypatch):
    log = tmp_path / "peaks.jsonl"
    monkeypatch.setenv(peakmem.ENV, str(log))
    c = consolidate(DEMO / "returned", DEMO / "roster.csv", None, tmp_path / "out", reports=False, workers=2)
    write_outputs(c, tmp_path / "par", reports=False, parallel=True)
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    roles = [x["role"] for x in lines]
    # two reading processes (each noted once, by the main process, before they stop), then the
    # main process's phases in order; then the writer of the second write_outputs, by itself
    assert roles[:2] == ["reader", "reader"] and roles[2:5] == ["read", "match", "write"]
    assert roles[5:] == ["writer"]
    main = {x["pid"] for x in lines if x["role"] in ("read", "match", "write")}
    others = [x["pid"] for x in lines if x["role"] in ("reader", "writer")]
    assert len(main) == 1 and len(set(others)) == 3 and not main & set(others)
    for x in lines:
        assert 0 < x["rss_kb"] <= x["hwm_kb"]
    # whether the main process's peak could start afresh at the phase boundary is said (if not,
    # the bench's later phase figures include the earlier ones: still upper bounds)
    assert all(isinstance(x["reset"], bool) for x in lines)


def test_without_the_variable_nothing_is_noted_and_outputs_are_the_same(tmp_path, monkeypatch):
    monkeypatch.delenv(peakmem.ENV, raising=False)
    consolidate(DEMO / "returned", DEMO / "roster.csv", None, tmp_path / "a", reports=False, workers=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]
    monkeypatch.setenv(peakmem.ENV, str(tmp_path / "peaks.jsonl"))
    consolidate(DEMO / "returned", DEMO / "roster.csv", None, tmp_path / "b", reports=False, workers=2)
    assert (tmp_path / "peaks.jsonl").exists()
    assert hashes(tmp_path / "a") == hashes(tmp_path / "b")


def test_at_least_counts_files_as_the_inbox_does(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("a.xlsx", "sub/b.xlsx", "sub/b.xlsx.gaixl.json", ".c.xlsx", ".hidden/d.xlsx", "e.txt"):
        (tmp_path / name).write_text("x")
    assert _at_least(tmp_path, 3) and not _at_least(tmp_path, 4)     # a, sub/b, e.txt
    assert not _at_least(tmp_path / "missing", 1)
