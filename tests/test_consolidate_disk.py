"""`gaixl consolidate` on a full or read-only disk, as a clerk runs it (a subprocess of the CLI):
one line, exit 2, and the output folder all or nothing — the previous good output stays as it
was (byte for byte, the sent log of feedback/distribute included) and no staging folder is left.

The disk is real where the machine allows it: a small tmpfs mounted for the test (root), filled
by the run, and the same tmpfs remounted read-only. Without root, a file-size limit
(RLIMIT_FSIZE, the write fails as on a full disk) and a folder without write permission."""
from __future__ import annotations

import contextlib
import hashlib
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbook"
SENT_LOG = '{"version": 1, "kind": "feedback", "sent": {"331122-01|abc": {"to": ["a@b.cn"]}}}'

# slow: each test runs `gaixl consolidate` of the demo as a process, twice or more (~5–13 s).
pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="POSIX file systems and limits"), pytest.mark.slow]


def consolidate(out: Path, *, preexec=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "gaixl.cli", "consolidate", str(DEMO / "returned"),
                           "--roster", str(DEMO / "roster.csv"), "--out", str(out)],
                          capture_output=True, text=True, env=env, preexec_fn=preexec, timeout=300)


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line_exit_2(r: subprocess.CompletedProcess, *needles: str) -> str:
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert ".staging" not in r.stderr, r.stderr           # the output folder is named, not our scratch
    for n in needles:
        assert n in r.stderr, r.stderr
    return r.stderr


def good_output(out: Path) -> dict[str, str]:
    """A good run's output plus what feedback/distribute keep in it (the sent log, drafts)."""
    r = consolidate(out)
    assert r.returncode in (0, 1), r.stderr
    (out / ".gaixl-sent.json").write_text(SENT_LOG, encoding="utf-8")
    (out / "mail").mkdir()
    (out / "mail" / "331122-01.eml").write_text("a feedback draft", encoding="utf-8")
    return hashes(out)


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@contextlib.contextmanager
def tmpfs(where: Path, size_kb: int):
    where.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({r.stderr.strip()}); the RLIMIT_FSIZE variant covers a full disk")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _limited(limit: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("disk", ["tmpfs", "file-size-limit"])
def test_full_disk_keeps_the_previous_output(tmp_path, disk):
    probe = tmp_path / "probe"
    good_output(probe)
    size = sum(p.stat().st_size for p in probe.rglob("*") if p.is_file())
    shutil.rmtree(probe)
    if disk == "tmpfs":
        if not can_mount():
            pytest.skip("mounting a tmpfs needs root; the file-size-limit variant covers a full disk")
        ctx = tmpfs(tmp_path / "disk", size * 5 // 2 // 1024 + 64)
        preexec = None
    else:
        (tmp_path / "disk").mkdir()
        ctx = contextlib.nullcontext(tmp_path / "disk")
        preexec = _limited(20_000)              # long.csv, the workbooks … are larger
    with ctx as disk_dir:
        out = disk_dir / "out"
        before = good_output(out)
        filler = disk_dir / "filler"
        if disk == "tmpfs":                     # the disk fills up half-way through the re-run
            filler.write_bytes(b"\0" * size)
        line = one_line_exit_2(consolidate(out, preexec=preexec), str(out))
        assert any(w in line for w in ("空间", "过大", "大小")), line       # said in Chinese why
        assert hashes(out) == before                                       # the previous output, intact
        assert sorted(p.name for p in disk_dir.iterdir() if p.name not in ("filler", "lost+found")) == ["out"]
        filler.unlink(missing_ok=True)          # room again: the re-run writes a whole output
        r = consolidate(out)
        assert r.returncode in (0, 1), r.stderr
        after = hashes(out)
        assert after[".gaixl-sent.json"] == before[".gaixl-sent.json"] and "mail/331122-01.eml" in after
        assert after == before                  # the same bytes again, the sent log and drafts kept
        assert sorted(p.name for p in disk_dir.iterdir() if p.name != "lost+found") == ["out"]


def test_read_only_folder(tmp_path):
    """A read-only disk (a tmpfs remounted read-only; without root, folders without write
    permission): one line, exit 2; the existing output untouched; nothing made."""
    if can_mount():
        ctx = tmpfs(tmp_path / "disk", 8192)
    else:
        (tmp_path / "disk").mkdir()
        ctx = contextlib.nullcontext(tmp_path / "disk")
    with ctx as disk_dir:
        out = disk_dir / "out"
        before = good_output(out)
        if can_mount():
            r = subprocess.run(["mount", "-o", "remount,ro", str(disk_dir)], capture_output=True, text=True)
            assert r.returncode == 0, r.stderr
        else:
            for p in [out, *[q for q in out.rglob("*") if q.is_dir()], disk_dir]:
                p.chmod(0o555)
        try:
            one_line_exit_2(consolidate(out), str(out))
            one_line_exit_2(consolidate(disk_dir / "new"), str(disk_dir / "new"))
            assert hashes(out) == before
            assert sorted(p.name for p in disk_dir.iterdir() if p.name != "lost+found") == ["out"]
        finally:
            if can_mount():
                subprocess.run(["mount", "-o", "remount,rw", str(disk_dir)], capture_output=True)
            else:
                for p in [disk_dir, out, *[q for q in out.rglob("*") if q.is_dir()]]:
                    p.chmod(0o755)
