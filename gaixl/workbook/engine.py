"""LibreOffice headless as a real spreadsheet engine (and document converter).

gaixl never trusts a workbook's cached formula values, but the tests and a few tools need
the values a real spreadsheet program computes from the template's own formulas. A plain
`soffice --convert-to xlsx` keeps the stale cached values; the private profile written here
tells LibreOffice to recalculate every formula on load (OOXMLRecalcMode = ODFRecalcMode = 0,
"always"), so the converted copy holds true values. Use the copy to read values; never ship it
(LibreOffice turns a very hidden sheet into a hidden one and rewrites the styles).

Each call runs one soffice process with its own throw-away profile, so calls may run in
parallel; convert many files in one call (~1 s per call, ~70 ms per file).

How LibreOffice (7.4, as measured with this module) treats a NUMBER STORED AS TEXT in a
cell that a formula uses — openpyxl writes a Python str as a text cell:
  * arithmetic converts it: A1 = "3" (text), A2 = 4 → `=A1+A2` gives 7, `=-A1` gives -3,
    `=A1*1` gives 3, and `=IF(ROUND((A1+A2)-(A3),4)=0,"✓","✗")` with A3 = 7 gives "✓".
    LibreOffice applies the locale-dependent conversion Excel uses for OOXML files, so
    " 3 " → 3, "3.5" → 3.5, "-3" → -3, "1e3" → 1000 and even "1,000" → 1000 (en-US/C locale).
  * text that is not a number in that sense gives #VALUE!, and so does every formula built
    on it: "abc", and also the full-width "３" → `=C1+A2` is #VALUE!, and the ✓/✗ formula
    above is #VALUE! (neither ✓ nor ✗, so COUNTIF(…,"✗") does not count it, while SUM over a
    range holding #VALUE! is itself #VALUE!).
  * SUM() skips text entirely: `=SUM(A1:A2)` with A1 = "3" gives 4.
  * an empty cell counts 0.
Gnumeric (`ssconvert --recalc`) converts more text in arithmetic (“３” → 3, “1,000” → 1000, even
inside N()), and Excel less — so no template formula does arithmetic on a cell directly: every
cell is read through SUM(), which skips text in all of them, and text in a number cell is an
error of its own (the 数字栏 check beside each table, gaixl.workbook.grid.numbers_condition,
an array formula: Gnumeric evaluates ranges inside IF/SUM element-wise only in one). The
reader does the same (text counts 0 in the rules, cell-not-number with the meaning as the fix).
tests/test_engine.py::test_text_numbers_in_formulas pins LibreOffice's behaviour down;
tests/test_verdict.py saves every kind of filled template with both programs.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from gaixl.atomic import atomic_path, ensure_dir
from gaixl.errors import EngineError, os_reason_zh

_CANDIDATES = ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
               "/opt/libreoffice/program/soffice", "/Applications/LibreOffice.app/Contents/MacOS/soffice")

XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def find_soffice() -> str | None:
    """The path of LibreOffice's `soffice`, or None when it is not installed."""
    env = os.environ.get("GAIXL_SOFFICE")
    if env and Path(env).is_file() and os.access(env, os.X_OK):
        return env
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for p in _CANDIDATES:
        if Path(p).is_file() and os.access(p, os.X_OK):
            return p
    return None


def version(soffice: str | None = None) -> str | None:
    """`LibreOffice 7.4.7.2 …`, or None when it is not installed or does not answer."""
    exe = soffice or find_soffice()
    if not exe:
        return None
    with tempfile.TemporaryDirectory(prefix="gaixl-lo-") as prof:
        _write_profile(Path(prof))
        try:
            out = _run(exe, ["--version"], Path(prof), 60, exe)
        except EngineError:
            return None
    return out.stdout.strip() or None


def _write_profile(prof: Path) -> None:
    (prof / "user").mkdir(parents=True, exist_ok=True)
    (prof / "user" / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")


def _run(exe: str, args: list[str], prof: Path, timeout: float, what: str) -> subprocess.CompletedProcess:
    cmd = [exe, f"-env:UserInstallation={prof.as_uri()}", "--headless", "--invisible", "--norestore",
           "--nolockcheck", "--nodefault", "--nofirststartwizard", *args]
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)  # its own process group, killed whole on timeout
    except OSError as e:
        raise EngineError(f"cannot start LibreOffice ({exe}): {e.strerror or e}", where=what,
                          zh=f"无法启动LibreOffice（{exe}）：{os_reason_zh(e)}") from e
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise EngineError(f"LibreOffice did not finish within {timeout:g} s (killed)", where=what,
                          zh=f"LibreOffice未在{timeout:g}秒内完成，已强制结束") from None
    if proc.returncode != 0:
        raise EngineError(f"LibreOffice failed (exit {proc.returncode}"
                          f"{', crashed' if proc.returncode > 128 else ''}): {_gist(err or out)}", where=what,
                          zh=f"LibreOffice运行失败（退出码{proc.returncode}"
                             f"{'，程序崩溃' if proc.returncode > 128 else ''}）：{_gist(err or out)}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _gist(text: str) -> str:
    """The useful part of soffice's output: its `Error:` lines, else the last line."""
    lines = [l.strip() for l in (text or "").splitlines()
             if l.strip() and "javaldx" not in l and not l.strip().startswith("/") and "(+0x" not in l]
    errors = [l for l in lines if "Error" in l]
    return ("; ".join(errors) or (lines[-1] if lines else "no message"))[:300]


def _convert_many(paths: list[Path], target: str, out_dir: Path, timeout: float) -> list[Path]:
    """Convert `paths` in one soffice call; outputs are out_dir/<stem>.<ext>, in input order.

    Inputs are staged under plain ASCII names in a private folder, so odd or non-ASCII file
    names, an input already in out_dir, or an output over its own input cannot trip soffice.
    """
    exe = find_soffice()
    if not exe:
        raise EngineError("LibreOffice (soffice) is not installed; on Debian: apt-get install "
                          "libreoffice-calc-nogui libreoffice-writer-nogui",
                          zh="未安装LibreOffice（soffice）；Debian系统可执行：apt-get install "
                             "libreoffice-calc-nogui libreoffice-writer-nogui")
    paths = [Path(p) for p in paths]
    if not paths:
        return []
    ext = target.split(":", 1)[0]
    out_dir = Path(out_dir)
    outs = [out_dir / f"{p.stem}.{ext}" for p in paths]
    seen: dict[Path, Path] = {}
    for p, o in zip(paths, outs):
        if not p.is_file():
            raise EngineError("no such file", where=str(p), zh="文件不存在")
        if o in seen:
            raise EngineError(f"two inputs would both be written as {o.name}: {seen[o]} and {p}", where=str(out_dir),
                              zh=f"两个输入文件将输出为同一文件{o.name}：{seen[o]}和{p}")
        seen[o] = p
    ensure_dir(out_dir)
    with tempfile.TemporaryDirectory(prefix="gaixl-lo-") as tmp:
        tmp = Path(tmp)
        prof, stage, conv = tmp / "profile", tmp / "in", tmp / "out"
        _write_profile(prof)
        stage.mkdir()
        staged = []
        for i, p in enumerate(paths):
            s = stage / f"f{i:04d}{p.suffix.lower()}"
            shutil.copyfile(p, s)
            staged.append(s)
        what = str(paths[0]) if len(paths) == 1 else f"{len(paths)} files ({paths[0].name}, …)"
        res = _run(exe, ["--convert-to", target, "--outdir", str(conv), *map(str, staged)], prof, timeout, what)
        missing = [p for p, s in zip(paths, staged) if not (conv / f"{s.stem}.{ext}").is_file()]
        if missing:
            detail = _gist(res.stderr or res.stdout)
            raise EngineError(f"LibreOffice did not convert {len(missing)} of {len(paths)} file(s): "
                              f"{', '.join(m.name for m in missing[:5])}" + (f" ({detail})" if detail else ""),
                              where=str(missing[0]),
                              zh=f"LibreOffice未能转换{len(paths)}个文件中的{len(missing)}个："
                                 f"{'、'.join(m.name for m in missing[:5])}" + (f"（{detail}）" if detail else ""))
        for s, o in zip(staged, outs):
            with atomic_path(o) as part:        # the outputs appear whole or not at all
                shutil.copyfile(conv / f"{s.stem}.{ext}", part)
    return outs


def recalculate(paths: list[Path], out_dir: Path, *, timeout: float = 180) -> list[Path]:
    """Recalculated .xlsx copies of `paths` (one soffice call), as out_dir/<stem>.xlsx in input order.

    Every formula is recomputed by LibreOffice on load, so the copies' cached values are true
    values (read them with openpyxl data_only=True or python-calamine). Raises EngineError
    (a GaixlError) when LibreOffice is missing, fails, or times out.
    """
    return _convert_many(list(paths), XLSX_FILTER, out_dir, timeout)


def convert(path: Path, fmt: str, out_dir: Path, *, timeout: float = 180) -> Path:
    """Convert one document with LibreOffice: fmt is an extension ("pdf") or "ext:Filter name".

    E.g. convert(report.docx, "pdf", out) → out/report.pdf. Same private-profile approach as
    recalculate(), so formulas in spreadsheets are recalculated before export.
    """
    return _convert_many([Path(path)], fmt, out_dir, timeout)[0]


def convert_many(paths: list[Path], fmt: str, out_dir: Path, *, timeout: float = 180) -> list[Path]:
    """convert() for several files in one soffice call."""
    return _convert_many(list(paths), fmt, out_dir, timeout)
