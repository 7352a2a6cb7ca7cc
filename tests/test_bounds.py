"""Every input answered within a time and a memory limit (issue 15, gaixl.bounds): a workbook,
data file, report document or mail message that would take too long or too much memory is
refused in one line naming the file and the limit (exit 2), and the other files of the same
run still get their verdicts."""
from __future__ import annotations

import json
import random
import re
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaixl import bounds
from gaixl.cli import app
from gaixl.errors import InputError
from gaixl.spec.load import load_layout
from gaixl.workbook.template import generate_workbook


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("bd")
    return generate_workbook(load_layout("2021"), 2023, "U-01", "测试局", d / "t.xlsx",
                             generated_at="2026-01-05T08:00:00Z")


def _sheet_part(template: Path, sheet: str) -> str:
    from gaixl.workbook.xlsx import Book
    with Book(template) as b:
        return b.sheet_info(sheet).part


def _rezip(src: Path, dst: Path, replace: dict) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
    return dst


def _many_cells(template: Path, dst: Path, rows: int) -> Path:
    """A template whose sheet 三 holds `rows` more rows of 8 cells each: within the file-size
    and zip-bomb limits, but far more than any report."""
    part = _sheet_part(template, "三、申请情况")
    with zipfile.ZipFile(template) as z:
        text = z.read(part)
    cols = (b"A", b"B", b"C", b"D", b"E", b"F", b"G", b"H")
    extra = b"".join(b'<row r="%d">' % i + b"".join(b'<c r="%s%d"><v>%d</v></c>' % (c, i, i % 97) for c in cols)
                     + b"</row>" for i in range(200, 200 + rows))
    return _rezip(template, dst, {part: text.replace(b"</sheetData>", extra + b"</sheetData>", 1)})


def _huge_shared_strings(template: Path, dst: Path, n: int) -> Path:
    r = random.Random(15)
    ss = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
          b' count="%d" uniqueCount="%d">' % (n, n) + b"".join(b"<si><t>%08x</t></si>" % r.getrandbits(32)
                                                               for _ in range(n)) + b"</sst>")
    return _rezip(template, dst, {"xl/sharedStrings.xml": ss})


def _one_error_line(output: str, path: Path, limit_zh: str) -> None:
    lines = [ln for ln in output.splitlines() if ln.startswith("错误：")]
    assert len(lines) == 1, output
    assert lines[0].startswith(f"错误：{path}: 拒绝读取：") and limit_zh in lines[0], lines[0]
    assert "Traceback" not in output


# ------------------------------------------------------------------ the mechanism
def test_time_limit_interrupts_and_names_it(tmp_path):
    t = time.monotonic()
    with pytest.raises(InputError) as e:
        with bounds.bounded("slow.xlsx", seconds=0.3):
            while True:
                sum(range(1000))
    assert time.monotonic() - t < 3
    assert e.value.where == "slow.xlsx" and "longer than 0.3 s (the limit for one file)" in str(e.value)
    assert "读取时间超过" in e.value.message_zh and "单个文件的上限" in e.value.message_zh


def test_memory_limit_refuses_and_names_it():
    with pytest.raises(InputError) as e:
        with bounds.bounded("big.json", memory=64 << 20):
            hoard = [bytearray(8 << 20) for _ in range(100)]     # 800 MB, never reached
            del hoard
    assert e.value.where == "big.json" and "64 MB of memory" in str(e.value)
    assert "读取所需内存超过64MB" in e.value.message_zh


def test_limits_are_put_back_and_nest():
    import resource
    import signal
    before = resource.getrlimit(resource.RLIMIT_AS)
    handler = signal.getsignal(signal.SIGALRM)
    with bounds.bounded("outer", seconds=5, memory=256 << 20):
        lowered = resource.getrlimit(resource.RLIMIT_AS)
        with bounds.bounded("inner", seconds=0.01, memory=1):      # the outer bound stays in charge
            time.sleep(0.05)
        assert resource.getrlimit(resource.RLIMIT_AS) == lowered
        with bounds.paused():                                     # a child process's own limits
            assert resource.getrlimit(resource.RLIMIT_AS) == before
        assert resource.getrlimit(resource.RLIMIT_AS) == lowered
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert signal.getsignal(signal.SIGALRM) is handler
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_callers_own_timer_is_put_back():
    """A watchdog of the caller's (SIGALRM timer) outlives a bound inside it, less the time spent."""
    import signal
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 5.0)
        with bounds.bounded("x.json", seconds=2):
            time.sleep(0.1)
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 4.0 < left < 4.95 and signal.getsignal(signal.SIGALRM) is not None and not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_an_ordinary_error_inside_stays_itself():
    with pytest.raises(InputError, match="damaged"):
        with bounds.bounded("x.xlsx"):
            raise InputError("damaged", where="x.xlsx")
    with pytest.raises(KeyError):
        with bounds.bounded("x.xlsx"):
            raise KeyError("k")


# ------------------------------------------------------------------ hostile inputs, as a user runs check
@pytest.mark.slow                 # builds and reads 140 MB of XML
def test_check_refuses_enormous_cell_counts_others_still_checked(tmp_path, template, monkeypatch):
    """600,000 rows × 8 cells (140 MB of sheet XML in a 12 MB file, inside the zip-bomb limits):
    refused naming the limit it reached first — the memory limit on an idle machine, the time
    limit on a busy one; the good file of the same run still gets its verdict."""
    hostile = _many_cells(template, tmp_path / "cells.xlsx", 600_000)
    r = CliRunner().invoke(app, ["check", str(hostile), str(template)])
    assert r.exit_code == 2, r.output
    _one_error_line(r.output, hostile, "（单个文件的上限）")
    assert "读取所需内存超过400MB" in r.output or "读取时间超过8秒" in r.output, r.output
    assert f"{template}：测试局 2023年度" in r.output


@pytest.mark.slow                 # builds and reads 140 MB of XML
def test_check_refuses_huge_shared_strings(tmp_path, template):
    hostile = _huge_shared_strings(template, tmp_path / "ss.xlsx", 6_000_000)
    r = CliRunner().invoke(app, ["check", str(hostile)])
    assert r.exit_code == 2, r.output
    _one_error_line(r.output, hostile, "单个文件的上限")


def test_check_slow_workbook_refused_naming_the_time_limit(tmp_path, template, monkeypatch):
    """The same kind of input under a limit it cannot meet (0.2 s): the time limit is named."""
    monkeypatch.setattr(bounds, "SECONDS", 0.2)
    hostile = _many_cells(template, tmp_path / "slow.xlsx", 60_000)
    r = CliRunner().invoke(app, ["check", "--lang", "en", str(hostile), str(template)])
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.output.splitlines() if ln.startswith("Error:")]
    assert lines == [f"Error: {hostile}: refused: reading takes longer than 0.2 s (the limit for one file); the file is "
                     "too large or too complex for an annual report"], r.output


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["keys", "rows", "deep-xml"])
def test_pathological_inputs_answered(tmp_path, template, kind):
    """Inputs built to be slow that stay within the limits are answered: a verdict or a refusal,
    one line each, never a traceback."""
    from gaixl.report.data import ReportData
    from gaixl.workbook.read import read_workbook
    if kind == "deep-xml":
        part = _sheet_part(template, "三、申请情况")
        with zipfile.ZipFile(template) as z:
            text = z.read(part)
        r = random.Random(3)
        names = [b"x%d" % r.randrange(10 ** 6) for _ in range(20_000)]
        deep = b"".join(b"<" + n + b">" for n in names) + b"".join(b"</" + n + b">" for n in reversed(names))
        p = _rezip(template, tmp_path / "deep.xlsx", {part: text.replace(b"</sheetData>", b"</sheetData>" + deep, 1)})
    else:
        data = ReportData.to_json(read_workbook(template).data)
        if kind == "keys":
            data["text"] = {f"k{i}": "x" * 10 for i in range(600_000)}
        else:
            data["tables"]["二"] = {f"行{i}": {"本年制发件数": i} for i in range(200_000)}
        p = tmp_path / f"{kind}.json"
        p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = CliRunner().invoke(app, ["check", str(p), str(template)])
    assert r.exit_code in (1, 2), r.output
    assert "Traceback" not in r.output and f"{template}：测试局 2023年度" in r.output
    assert len([ln for ln in r.output.splitlines() if ln.startswith(("错误：", str(p)))]) == 1, r.output


def test_collect_bounds_each_message(tmp_path, template, monkeypatch):
    """A message that takes too long to take apart is skipped, the limit named; the next message
    of the same run is collected."""
    from email.message import EmailMessage

    from gaixl.mail.collect import Source, collect
    box = tmp_path / "mails"
    box.mkdir()
    for i in range(2):
        m = EmailMessage()
        m["From"] = "unit@dept.cn"
        m["Subject"] = "年报"
        m["Message-ID"] = f"<m{i}@dept.cn>"
        m.set_content("见附件")
        m.add_attachment(template.read_bytes(), maintype="application", subtype="octet-stream",
                         filename=f"{i}.xlsx")
        (box / f"{i}.eml").write_bytes(m.as_bytes())
    from gaixl.mail import collect as pkg
    real = pkg.find_workbooks

    def slow_first(msg, limits, subject):
        if msg["Message-ID"] == "<m0@dept.cn>":
            while True:
                sum(range(1000))
        return real(msg, limits, subject)
    monkeypatch.setattr(pkg, "find_workbooks", slow_first)
    monkeypatch.setattr(bounds, "SECONDS", 0.3)
    res = collect(Source("eml", str(box)), tmp_path / "inbox")
    assert res.saved == 1
    skipped = [r for r in res.records if r.action == "skipped"]
    assert res.skipped == 1 and [r.reason for r in skipped] == ["message-over-limit"]
    assert skipped[0].reason_zh == "邮件拆解超出单封邮件的上限，已跳过（0.3 s）", skipped[0].reason_zh


def test_import_is_bounded_by_memory_too(tmp_path, monkeypatch):
    from gaixl.importers import api
    monkeypatch.setattr(bounds, "MEMORY", 32 << 20)

    def hungry(path):
        return [bytearray(8 << 20) for _ in range(100)]
    monkeypatch.setattr(api, "read_source", hungry)
    p = tmp_path / "r.txt"
    p.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape("more than 32 MB of memory")):
        api.import_report(p, year=2023)


def test_data_file_unknown_entries_are_counted_not_listed(tmp_path, template):
    """Thirty entries that are not the layout's: twenty named, the rest counted in one finding —
    a data file cannot bury the reader in lines (200,000 such entries are refused, above)."""
    from gaixl.report.data import ReportData
    from gaixl.validation.files import check_file
    from gaixl.workbook.read import read_workbook
    data = ReportData.to_json(read_workbook(template).data)
    data["tables"]["二"] = dict(data["tables"]["二"], **{f"行{i}": {"本年制发件数": i} for i in range(30)})
    p = tmp_path / "rows.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    unknown = [f for f in check_file(p).findings if f.code == "data-unknown-cell"]
    assert len(unknown) == 21
    assert unknown[-1].message == "数据文件中另有10项不是2021年版格式的项目，均已忽略（以上仅列出前20项）"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")   # the dropped alarm, as meant
def test_an_alarm_met_inside_a_finalizer_is_not_lost():
    """Python runs the alarm's handler wherever the main thread is; inside a finalizer (a __del__
    the garbage collector runs mid-read) its exception is printed and dropped. The alarm repeats
    until the block ends, so the reading is still stopped (a one-shot alarm let it run on: seen
    once in a serial run of the suite, a 60,000-row file read whole past a 0.2 s limit)."""
    class Slow:
        def __del__(self):
            end = time.monotonic() + 0.4           # the limit (0.1 s) passes in here
            while time.monotonic() < end:
                pass

    started = time.monotonic()
    with pytest.raises(bounds.OverLimit) as e:
        with bounds.bounded("x.xlsx", seconds=0.1):
            Slow()                                  # finalized at once
            while time.monotonic() < started + 5:   # the rest of the reading
                pass
    assert e.value.limit == "0.1 s"
