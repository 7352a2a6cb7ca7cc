"""Each process's own peak memory, for bench/consolidate.py (issue 14) and nothing else.

With the environment variable GAIXL_PEAK_LOG naming a file, a consolidation run notes there,
one JSON line each, the peak resident size (VmHWM of /proc/<pid>/status, in kB) of:
- the main process for each phase of the run ("read": reading the inbox, while the reading
  processes run; "match": matching, summing and the duplicate-text check, alone; "write": the
  outputs, while the per-unit writer runs) — its peak is reset at each phase boundary
  (/proc/self/clear_refs "5"), so each phase's figure is that phase's own;
- each reading process ("reader", read by the main process just before they are stopped);
- the per-unit writer ("writer", read by itself at its end: a process started afresh, whose
  getrusage ru_maxrss would carry the main process's peak across fork + exec).
Unset (every run outside the bench): one environment lookup, nothing written. Linux only
(elsewhere nothing is noted). Not an output of the library: the bench reads the file.
"""
from __future__ import annotations

import json
import os
import time

ENV = "GAIXL_PEAK_LOG"


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def _status(pid: int | str) -> dict[str, int]:
    out = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def note(role: str, pid: int | None = None, *, reset: bool = False) -> None:
    """Append `role`'s peak (that of process `pid`, this process when None) to the log; `reset`:
    start this process's peak afresh from its present size (the next phase's figure is its own)."""
    path = os.environ.get(ENV)
    if not path:
        return
    st = _status(pid if pid is not None else "self")
    if not st:
        return
    was_reset = False
    if reset and pid is None:
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
                fh.write("5")
            was_reset = True
        except OSError:                              # not allowed here: the later figures include this one's
            pass
    line = json.dumps({"role": role, "pid": pid if pid is not None else os.getpid(), "hwm_kb": st.get("VmHWM", 0),
                       "rss_kb": st.get("VmRSS", 0), "reset": was_reset, "t": round(time.time(), 3)}) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("ascii"))          # one short write with O_APPEND: whole lines
    finally:
        os.close(fd)
