"""Atomic outputs: whole or nothing, normal permissions, nothing left behind."""
from __future__ import annotations

import os

import pytest

from gaixl.atomic import atomic_path, write_bytes, write_text


def test_write_replaces_whole_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "报告.json"
    write_text(target, "旧")
    write_text(target, "新内容\n")
    assert target.read_bytes() == "新内容\n".encode("utf-8")
    assert sorted(p.name for p in target.parent.iterdir()) == ["报告.json"]


def test_permissions_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        p = write_bytes(tmp_path / "a.bin", b"x")
        with atomic_path(tmp_path / "b.bin") as tmp:
            tmp.write_bytes(b"y")
    finally:
        os.umask(old)
    assert (p.stat().st_mode & 0o777) == 0o644
    assert ((tmp_path / "b.bin").stat().st_mode & 0o777) == 0o644


def test_a_failure_keeps_the_old_file_and_removes_the_temp(tmp_path):
    target = tmp_path / "out.txt"
    write_text(target, "good")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash while writing")
    with pytest.raises(TypeError):
        write_bytes(target, "not bytes")       # type: ignore[arg-type]
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_stale_temp_name_is_skipped(tmp_path, monkeypatch):
    import gaixl.atomic as A

    monkeypatch.setattr(A, "_counter", iter([7, 7, 8]))
    (tmp_path / f".x.txt.{os.getpid()}.7.part").write_text("stale")   # as if left by a crashed run
    write_text(tmp_path / "x.txt", "ok")
    assert (tmp_path / "x.txt").read_text() == "ok"
    assert (tmp_path / f".x.txt.{os.getpid()}.7.part").read_text() == "stale"


def test_temps_of_dead_writers_are_removed_others_kept(tmp_path):
    import subprocess
    import sys

    from gaixl.atomic import remove_stale_temps

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        stale = tmp_path / f".state.json.{dead_pid}.3.part"
        mine = tmp_path / f".state.json.{os.getpid()}.4.part"
        alive = tmp_path / f".state.json.{live.pid}.5.part"
        other = tmp_path / ".notes.part"
        for p in (stale, mine, alive, other):
            p.write_text("half")
        assert remove_stale_temps(tmp_path) == 1
        assert not stale.exists() and mine.exists() and alive.exists() and other.exists()
        assert remove_stale_temps(tmp_path / "missing") == 0
    finally:
        live.kill()
        live.wait()
