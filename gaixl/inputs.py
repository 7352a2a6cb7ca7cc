"""Opening an input file: only a regular file is read.

A FIFO named `x.xlsx` blocks a reader forever, a device (/dev/zero, /dev/urandom) never
ends, a socket cannot be opened: every input is opened without blocking, checked on the open
descriptor (no window between the check and the read), and refused unless it is a regular file.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from gaixl.errors import InputError, os_reason_zh

_KIND = ((stat.S_ISFIFO, "a named pipe (FIFO)", "命名管道（FIFO）"), (stat.S_ISCHR, "a character device", "字符设备"),
         (stat.S_ISBLK, "a block device", "块设备"), (stat.S_ISSOCK, "a socket", "套接字"))


def _refuse(path: Path, mode: int) -> InputError:
    if stat.S_ISDIR(mode):
        return InputError("this is a folder, not a file", where=str(path), zh="这是文件夹，不是文件")
    en, zh = next(((e, z) for test, e, z in _KIND if test(mode)), ("not a regular file", "特殊文件"))
    return InputError(f"refused: this is {en}, not a regular file", where=str(path),
                      zh=f"拒绝读取：这是{zh}，不是普通文件")


def check_regular(path: str | Path) -> os.stat_result:
    """The file's stat, or InputError when it is missing, unreadable or not a regular file."""
    p = Path(path)
    try:
        st = os.stat(p)
    except (OSError, ValueError) as e:
        raise _os_error(p, e) from None
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(p, st.st_mode)
    return st


def read_input(path: str | Path, limit: int | None = None, head: int | None = None) -> bytes:
    """The bytes of a regular file (the first `head` bytes if given). More than `limit` bytes
    → InputError naming the limit. Never blocks on a FIFO, never reads a device."""
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError) as e:
        raise _os_error(p, e) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(p, st.st_mode)
        if limit is not None and st.st_size > limit:
            raise InputError(f"the file is too large ({st.st_size / 1048576:.1f} MB; at most {limit / 1048576:.0f} MB)",
                             where=str(p), zh=f"文件过大（{st.st_size / 1048576:.1f}MB，上限{limit / 1048576:.0f}MB）")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(head if head is not None else (limit + 1 if limit is not None else -1))
    except OSError as e:
        raise _os_error(p, e) from None
    finally:
        os.close(fd)


def _os_error(p: Path, e: Exception) -> InputError:
    if isinstance(e, IsADirectoryError):
        return InputError("this is a folder, not a file", where=str(p), zh="这是文件夹，不是文件")
    if isinstance(e, OSError):
        return InputError(f"cannot read the file: {e.strerror or e}", where=str(p),
                          zh=f"无法读取文件：{os_reason_zh(e)}")
    return InputError(f"cannot read the file: {e}", where=str(p), zh="无法读取文件：文件名无效")
