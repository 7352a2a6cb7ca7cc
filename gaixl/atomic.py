"""Atomic output: write beside the target, then rename, so a crash never leaves half a file."""
from __future__ import annotations

import hashlib
import itertools
import os
import re
from contextlib import contextmanager
from pathlib import Path

_counter = itertools.count()


def _temp_beside(target: Path) -> tuple[int, Path]:
    """Create a new, unique temporary file in the target's folder → (open fd, path).
    Mode 0666 minus the umask: the finished output gets the usual permissions (mkstemp's 0600
    would leave outputs unreadable to colleagues). O_EXCL makes the name ours alone."""
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = target.parent / f".{target.name}.{os.getpid()}.{next(_counter)}.part"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:     # left by a crashed run of a process that had our pid: take the next
            continue


@contextmanager
def atomic_path(target: str | Path):
    """Yield a temporary path in the target's folder; on success it replaces the target."""
    target = Path(target)
    fd, tmp = _temp_beside(target)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(target: str | Path, data: bytes) -> Path:
    target = Path(target)
    fd, tmp = _temp_beside(target)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def write_text(target: str | Path, text: str) -> Path:
    return write_bytes(target, text.encode("utf-8"))


_TEMP = re.compile(r"\..+\.(\d+)\.\d+\.part")


def remove_stale_temps(folder: str | Path) -> int:
    """Remove the temporary files that writers killed mid-write left in `folder` (their process
    is gone: the pid is in the name). A run that resumes after a crash leaves no debris; files of
    live writers, of this process and of other naming schemes are not touched. → how many."""
    removed = 0
    try:
        candidates = [p for p in Path(folder).iterdir() if p.name.startswith(".") and p.name.endswith(".part")]
    except OSError:
        return 0
    for p in candidates:
        m = _TEMP.fullmatch(p.name)
        if not m or int(m.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(m.group(1)), 0)
        except ProcessLookupError:
            p.unlink(missing_ok=True)
            removed += 1
        except (PermissionError, OverflowError, OSError):
            pass                            # alive (another user's), or not a pid at all
    return removed


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes (hex), read in 1 MiB blocks: how inputs are identified."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
