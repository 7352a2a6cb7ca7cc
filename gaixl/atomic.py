"""Atomic output: write beside the target, then rename, so a crash never leaves half a file.

Every file gaixl writes goes through here, so that an output that cannot be written (a folder
that cannot be made, no permission, a full disk, a directory in the way) is one OutputError
naming the output and the reason, in Chinese and English — never an OSError traceback.
"""
from __future__ import annotations

import errno
import hashlib
import itertools
import os
import re
import shutil
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from gaixl.errors import OutputError, os_reason_zh

_counter = itertools.count()


def output_error(target: str | Path, e: OSError, what: str = "file") -> OutputError:
    """An OSError met while writing `target` → OutputError('<target>: cannot write …: <reason>')."""
    reason = e.strerror or str(e) or type(e).__name__
    what_zh = "文件夹" if what == "folder" else "文件"
    return OutputError(f"cannot write the output {what}: {reason}", where=str(target),
                       zh=f"无法写入输出{what_zh}：{os_reason_zh(e)}")


def _mkdir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:                 # a file where the folder should be: say so
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder)) from None


@contextmanager
def new_dir(folder: str | Path) -> Iterator[Path]:
    """ensure_dir for a block that writes into the folder: when the block fails, the folders this
    made (if still empty) are removed again, so a failed run leaves nothing behind."""
    folder = Path(folder)
    made = []
    f = folder
    while not f.exists() and f != f.parent:
        made.append(f)
        f = f.parent
    ensure_dir(folder)
    try:
        yield folder
    except BaseException:
        for f in made:                       # innermost first
            try:
                f.rmdir()
            except OSError:
                break                        # not empty (or gone): left as it is
        raise


def ensure_dir(folder: str | Path) -> Path:
    """Make the output folder `folder` (and its parents) → the path; OutputError when it cannot be
    made (a file in the way, no permission, a read-only file system)."""
    folder = Path(folder)
    try:
        _mkdir(folder)
    except OSError as e:
        raise output_error(folder, e, "folder") from None
    return folder
def check_target(target: str | Path) -> None:
    """Refuse an output path that exists and is not a regular file: renaming over a FIFO, a
    device (/dev/null, a disk), a socket or a folder would replace it, not write into it."""
    target = Path(target)
    try:
        st = os.lstat(target)
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError:
        return                  # not inspectable: the write itself says why it fails
    if stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
        return
    if stat.S_ISDIR(st.st_mode):        # worded as the system's own refusal would be
        raise output_error(target, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target)))
    what, what_zh = (("a folder", "文件夹") if stat.S_ISDIR(st.st_mode) else
                     ("a named pipe (FIFO)", "命名管道（FIFO）") if stat.S_ISFIFO(st.st_mode) else
                     ("a device", "设备文件") if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                     ("not a regular file", "特殊文件"))
    raise OutputError(f"cannot write the output file: the path is {what}, not a regular file (refused)",
                      where=str(target), zh=f"无法写入输出文件：输出路径是{what_zh}，不是普通文件（已拒绝）")


def _temp_beside(target: Path) -> tuple[int, Path]:
    """Create a new, unique temporary file in the target's folder → (open fd, path).
    Mode 0666 minus the umask: the finished output gets the usual permissions (mkstemp's 0600
    would leave outputs unreadable to colleagues). O_EXCL makes the name ours alone."""
    check_target(target)
    try:
        _mkdir(target.parent)
    except OSError as e:
        raise output_error(target, e) from None
    while True:
        tmp = target.parent / f".{target.name}.{os.getpid()}.{next(_counter)}.part"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:     # left by a crashed run of a process that had our pid: take the next
            continue
        except OSError as e:
            raise output_error(target, e) from None


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces the target. An
    OSError in the block (it writes the temporary file) or in the rename is an OutputError."""
    target = Path(target)
    fd, tmp = _temp_beside(target)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise output_error(target, e) from None
    except BaseException as e:
        tmp.unlink(missing_ok=True)
        io = io_error(e)
        if io is not None:
            raise output_error(target, io) from None
        raise


def collect_quietly() -> None:
    """Close what a failed library writer left open (its generators, zip files), without the
    "Exception ignored in …" tracebacks their closing would print on a full disk."""
    import gc
    import sys
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook


def io_error(e: BaseException) -> OSError | None:
    """A write error that a library reports in its own type (lxml, under openpyxl: the
    SerialisationError "IO_EFBIG" of a full disk or file-size limit) as the OSError it is."""
    if isinstance(e, OSError):
        return e
    text = str(e)
    if type(e).__name__ == "SerialisationError" and text.startswith("IO_"):
        code = getattr(errno, text[3:], errno.EIO)
        return OSError(code, os.strerror(code))
    return None


@contextmanager
def atomic_file(target: str | Path) -> Iterator[BinaryIO]:
    """An open binary file whose content replaces `target` when the block ends without error:
    for writers that stream (a country's outputs are never held whole)."""
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        yield fh


def write_bytes(target: str | Path, data: bytes) -> Path:
    """Write `data` to `target` atomically → the path (OutputError when it cannot be written)."""
    target = Path(target)
    fd, tmp = _temp_beside(target)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise output_error(target, e) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def write_text(target: str | Path, text: str) -> Path:
    """Write `text` (UTF-8) to `target` atomically → the path."""
    return write_bytes(target, text.encode("utf-8"))


class Batch:
    """Several outputs that appear all together or not at all (`generate`: twelve templates,
    never seven). Each is written to a temporary file beside its target (`stage`); when the
    block ends without error all are renamed into place — renames need no space, so a full
    disk fails while staging — and on any error every staged file is removed."""

    def __init__(self):
        self._staged: list[tuple[Path, Path]] = []

    def stage(self, target: str | Path) -> Path:
        """A temporary path to write `target`'s content to (the file is created, empty)."""
        target = Path(target)
        fd, tmp = _temp_beside(target)
        os.close(fd)
        self._staged.append((tmp, target))
        return tmp

    def commit(self) -> None:
        for tmp, target in self._staged:
            check_target(target)
        for tmp, target in self._staged:
            os.replace(tmp, target)
        self._staged = []

    def discard(self) -> None:
        for tmp, _target in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged = []


@contextmanager
def batch():
    """`with batch() as b: write(b.stage(path1)); write(b.stage(path2))` → both or neither."""
    b = Batch()
    try:
        yield b
        b.commit()
    except OSError as e:
        where = getattr(e, "filename", None) or (b._staged[-1][1] if b._staged else None)
        b.discard()
        raise OutputError(f"cannot write the outputs: {e.strerror or e}; nothing was written",
                          where=str(where) if where else None,
                          zh=f"无法写入输出：{os_reason_zh(e)}；未写入任何文件") from None
    except BaseException as e:
        b.discard()
        io = io_error(e)
        if io is not None:
            raise OutputError(f"cannot write the outputs: {io.strerror}; nothing was written",
                              zh=f"无法写入输出：{os_reason_zh(io)}；未写入任何文件") from None
        raise


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


# ---------------------------------------------------------------- a whole folder, all or nothing
def _staging_name(target: Path, kind: str) -> Path:
    return target.parent / f".{target.name}.{os.getpid()}.{next(_counter)}.{kind}"


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE) → True; False where the
    system or the file system cannot (the caller then renames twice)."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _carry(old: Path, stage: Path, keep: Callable[[str], bool]) -> None:
    """Hard-link (or copy) what `keep` names of the old folder into the staging folder."""
    for p in old.iterdir():
        if not keep(p.name) or (stage / p.name).exists() or _STAGED.fullmatch(p.name) or _TEMP.fullmatch(p.name):
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.copytree(p, stage / p.name, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(p, stage / p.name)


def _link_or_copy(src, dst) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


@contextmanager
def _flock(path: Path | None):
    """An exclusive OS lock on `path` while the block runs (nothing when None, missing or no flock)."""
    try:
        import fcntl
    except ImportError:                         # pragma: no cover - Windows
        fcntl = None  # type: ignore[assignment]
    if path is None or fcntl is None or not path.exists():
        yield
        return
    with open(path, "rb") as fh:                  # a read-only folder can be locked too
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)     # waits for a writer of a carried file to finish
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextmanager
def atomic_dir(target: str | Path, keep: Callable[[str], bool] = lambda name: False,
               lock: str | None = None) -> Iterator[Path]:
    """A folder whose content replaces `target` as a whole when the block ends without error.
    The block writes into a fresh staging folder beside `target`; then the entries of the old
    `target` that `keep(name)` names (what other commands keep there: a sent log …) are linked
    into it, and the two are swapped in one step — the old folder is then removed. On any
    error the staging folder is removed and `target` is left exactly as it was: a full disk or
    a read-only folder never leaves half an output. `lock`: a file in `target` whose writers
    hold an flock on it (the sent log's lock); held while carrying and swapping, so nothing they
    write in between is lost. An OSError is an OutputError naming the folder."""
    target = Path(os.path.realpath(target))     # "." or a link: the folder itself, named by its parent
    if target.exists() and not target.is_dir():
        raise output_error(target, NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(target)),
                           "folder")
    remove_stale_staging(target)
    try:
        _mkdir(target.parent)
        stage = _staging_name(target, "staging")
        stage.mkdir()
    except OSError as e:
        raise output_error(target, e, "folder") from None
    try:
        yield stage
        with _flock(target / lock if lock else None):
            if target.is_dir():
                _carry(target, stage, keep)
            _swap(stage, target)
    except OSError as e:
        shutil.rmtree(stage, ignore_errors=True)
        raise output_error(getattr(e, "filename", None) or target, e, "folder") from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _swap(stage: Path, target: Path) -> None:
    """Put `stage` where `target` is; the old `target` (if any) is removed."""
    for _attempt in range(3):
        if not target.exists():
            try:
                os.rename(stage, target)
                return
            except OSError as e:
                if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
                continue                    # made by another run meanwhile: swap with it
        if _exchange(stage, target):
            shutil.rmtree(stage, ignore_errors=True)     # now the old folder
            return
        old = _staging_name(target, "old")
        os.rename(target, old)
        try:
            os.rename(stage, target)
        except OSError:
            os.rename(old, target)          # put the old output back
            raise
        shutil.rmtree(old, ignore_errors=True)
        return
    raise OSError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))


_STAGED = re.compile(r"\..+\.(\d+)\.\d+\.(staging|old)")


def remove_stale_staging(target: str | Path) -> int:
    """Remove the staging folders that runs killed mid-write left beside `target` (their process
    is gone) → how many. The target's own content is never touched."""
    target = Path(target)
    removed = 0
    prefix = f".{target.name}."
    try:
        candidates = [p for p in target.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return 0
    for p in candidates:
        m = _STAGED.fullmatch(p.name)
        if not m or p.name[len(prefix):].count(".") != 2 or int(m.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(m.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(p, ignore_errors=True)
            removed += 1
        except (PermissionError, OverflowError, OSError):
            pass
    return removed


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes (hex), read in 1 MiB blocks: how inputs are identified."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
