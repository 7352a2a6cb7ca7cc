"""Every input answered within a time and a memory limit (issue 15): reading one file — a
workbook, a data file, a published report — either finishes within SECONDS and MEMORY, or is
refused with InputError naming the file and the limit. Other files of the same run go on.

    with bounded(path):          # SECONDS of wall-clock time, MEMORY bytes more than now
        ...read and check the file...

Time: a real-time interval timer (POSIX, main thread) interrupts the reader wherever it is.
Memory: the address-space limit (RLIMIT_AS, Linux/BSD) is lowered to what the process uses
now plus MEMORY for the duration, so an allocation beyond it fails (MemoryError) instead of
the machine swapping or the kernel killing the whole run; the old limit is put back after.
Where neither is available (another thread, Windows) the readers' own size limits apply.

Bounds nest: an inner `bounded` inside an outer one (check_file inside a consolidation's
reading of one file) leaves the outer one in charge. `paused()` lifts both for a block that
has its own limits (LibreOffice converting an old .doc: a child process with its own timeout,
which must not inherit the lowered address-space limit).
"""
from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager

from gaixl.errors import InputError

REPEAT = 0.1                 # s between repeats of the time limit's alarm (see bounded)
SECONDS = 8.0                # of the 10 s promised: what is left covers starting up and printing
MEMORY = 400 << 20           # bytes beyond what the process held when reading began: a `check` run
                             # (about 60 MB before) stays within the 500 MB promised

try:
    import resource
except ImportError:          # Windows
    resource = None  # type: ignore[assignment]

_active = threading.local()


class _OutOfTime(BaseException):
    """Raised by the alarm inside whatever the reader was doing. A BaseException, so that the
    readers' own `except Exception` (a damaged PDF, a bad cell …) cannot take it for another
    error and carry on."""


def _vm(*fields: str) -> list[int | None]:
    """VmSize / VmPeak … of this process in bytes (Linux), None each where unknown; one read of
    /proc/self/status for all (it is read around every file of a run)."""
    out: list[int | None] = [None] * len(fields)
    try:
        with open("/proc/self/status", "rb") as fh:
            text = fh.read()
    except OSError:
        return out
    for i, field in enumerate(fields):
        at = text.find(field.encode() + b":")
        if at >= 0:
            try:
                out[i] = int(text[at:text.index(b"\n", at)].split()[1]) * 1024
            except (ValueError, IndexError):
                pass
    return out


class OverLimit(InputError):
    """An input refused at the time or memory limit; `limit` says which ("8 s", "400 MB")."""

    def __init__(self, message: str, *, limit: str, where: str | None = None, zh: str | None = None):
        super().__init__(message, where=where, zh=zh)
        self.limit = limit


def out_of_time(where: str, seconds: float) -> OverLimit:
    return OverLimit(f"refused: reading takes longer than {seconds:g} s (the limit for one file); the file is too "
                     "large or too complex for an annual report", limit=f"{seconds:g} s", where=where,
                     zh=f"拒绝读取：读取时间超过{seconds:g}秒（单个文件的上限），文件过大或结构过于复杂，不像是年度报告")


def out_of_memory(where: str, memory: int) -> OverLimit:
    return OverLimit(f"refused: reading needs more than {memory >> 20} MB of memory (the limit for one file); the "
                     "file is too large or too complex for an annual report", limit=f"{memory >> 20} MB", where=where,
                     zh=f"拒绝读取：读取所需内存超过{memory >> 20}MB（单个文件的上限），文件过大或结构过于复杂，不像是年度报告")


@contextmanager
def bounded(where: str, seconds: float | None = None, memory: int | None = None):
    """Run the block within `seconds` (SECONDS) and `memory` (MEMORY) more bytes, else
    InputError naming `where` and the limit that was reached."""
    seconds = SECONDS if seconds is None else seconds
    memory = MEMORY if memory is None else memory
    if getattr(_active, "on", False):
        yield                                   # an outer bound is in charge
        return
    main = threading.current_thread() is threading.main_thread()
    timed = main and hasattr(signal, "setitimer")
    old_limit = None
    peak_before = limit = None
    if main and resource is not None and hasattr(resource, "RLIMIT_AS"):
        size, peak = _vm("VmSize", "VmPeak")
        if size is not None:
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            limit = size + memory
            if (soft == resource.RLIM_INFINITY or soft > limit) and (hard == resource.RLIM_INFINITY or hard >= limit):
                peak_before = peak
                resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
                old_limit = (soft, hard)
    previous, outer_left, started = None, 0.0, time.monotonic()
    if timed:
        def alarm(_signum, _frame):
            if getattr(_active, "on", False):
                raise _OutOfTime

        previous = signal.signal(signal.SIGALRM, alarm)
        # A timer of the caller's own (a watchdog around gaixl) is put back after, less the time spent.
        # The alarm repeats (every REPEAT s) until the block ends: Python runs a signal handler
        # wherever the main thread is, and an exception raised inside a finalizer (__del__, a
        # weakref callback, run by the garbage collector mid-read) is printed and dropped — a
        # single alarm delivered there would let the reading run on unbounded.
        outer_left = signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT)[0]
    _active.on, _active.old_limit = True, old_limit
    try:
        yield
    except BaseException as e:
        _active.on = False                      # from here on, a repeat of the alarm does nothing
        if isinstance(e, _OutOfTime):
            raise out_of_time(where, seconds) from None
        if isinstance(e, MemoryError):
            raise out_of_memory(where, memory) from None
        # A C library that met the memory limit says so in its own words (lxml: "Memory
        # allocation failed", which a reader then calls damaged XML): when this reading came
        # close to the limit, that is what happened.
        if isinstance(e, Exception) and old_limit is not None and limit is not None and _near_limit(peak_before, limit):
            raise out_of_memory(where, memory) from e
        raise
    finally:
        _active.on, _active.old_limit = False, None
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            if outer_left > 0:
                signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 0.001))
        if old_limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, old_limit)


def _near_limit(peak_before: int | None, limit: int) -> bool:
    peak = _vm("VmPeak")[0]
    return peak is not None and (peak_before is None or peak > peak_before) and peak > limit - (32 << 20)


@contextmanager
def paused():
    """Lift the time and memory bounds for a block with limits of its own (a child process with
    a timeout); they resume, with the time that was left, after it."""
    if not getattr(_active, "on", False) or threading.current_thread() is not threading.main_thread():
        yield
        return
    left = signal.setitimer(signal.ITIMER_REAL, 0)[0] if hasattr(signal, "setitimer") else 0
    original, lowered = getattr(_active, "old_limit", None), None
    if original is not None:
        lowered = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, original)
    try:
        yield
    finally:
        if lowered is not None:
            resource.setrlimit(resource.RLIMIT_AS, lowered)
        if left > 0:
            signal.setitimer(signal.ITIMER_REAL, left, REPEAT)

