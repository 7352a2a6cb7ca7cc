"""collect from mailbox files: mbox, Maildir, a folder of .eml files; hostile mail; resuming."""
from __future__ import annotations

import datetime as dt
import json
import mailbox
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import mailmsgs as M
import pytest
from typer.testing import CliRunner

from gaixl.cli import app
from gaixl.consolidation.run import inbox_files
from gaixl.mail.collect import Source, collect

runner = CliRunner()
WB = [p.name for p in M.workbooks()]


def county_messages() -> list[tuple[bytes, str, bytes]]:
    """(message, expected saved name, workbook bytes) for every client shape."""
    wb = [M.workbook(i) for i in range(8)]
    return [
        (M.outlook(WB[0], wb[0], date="Mon, 19 Jan 2026 09:00:00 +0800"), WB[0], wb[0]),
        (M.foxmail(WB[1], wb[1], date="Mon, 19 Jan 2026 10:00:00 +0800"), WB[1], wb[1]),
        (M.qqmail(WB[3], wb[3], date="Mon, 19 Jan 2026 11:00:00 +0800"), WB[3], wb[3]),
        (M.netease(WB[4], wb[4], date="Mon, 19 Jan 2026 12:00:00 +0800"), WB[4], wb[4]),
        (M.raw_gbk(WB[5], wb[5], date="Mon, 19 Jan 2026 13:00:00 +0800"), WB[5], wb[5]),
        (M.nameless("缙云县住房和城乡建设局年报", wb[6], date="Mon, 19 Jan 2026 14:00:00 +0800"),
         "缙云县住房和城乡建设局年报.xlsx", wb[6]),
        (M.forwarded(M.qqmail(WB[7], wb[7]), date="Mon, 19 Jan 2026 15:00:00 +0800"), WB[7], wb[7]),
    ]


def write_mbox(path: Path, messages: list[bytes]) -> None:
    box = mailbox.mbox(str(path))
    for m in messages:
        box.add(m)
    box.flush()
    box.close()


def write_maildir(path: Path, messages: list[bytes]) -> None:
    box = mailbox.Maildir(str(path), create=True)
    for m in messages:
        box.add(m)
    box.close()


def write_emls(path: Path, messages: list[bytes]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    for i, m in enumerate(messages):
        (path / f"{i:03d}.eml").write_bytes(m)


def saved(inbox: Path) -> dict[str, str]:
    """{file name: sha256} of the saved workbooks (sidecars and dot files excluded)."""
    return {p.name: M.sha(p.read_bytes()) for p in inbox.iterdir()
            if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".gaixl.json")}


def sidecar(inbox: Path, name: str) -> dict:
    return json.loads((inbox / f"{name}.gaixl.json").read_text(encoding="utf-8"))


def tree_snapshot(p: Path) -> dict[str, bytes]:
    return {str(f.relative_to(p)): f.read_bytes() for f in sorted(p.rglob("*")) if f.is_file()}


@pytest.mark.parametrize("kind", ["mbox", "maildir", "eml"])
def test_every_client_from_every_file_source(tmp_path, kind):
    cases = county_messages()
    src = tmp_path / "box"
    {"mbox": write_mbox, "maildir": write_maildir, "eml": write_emls}[kind](src, [c[0] for c in cases])
    before = tree_snapshot(src)
    inbox = tmp_path / "inbox"
    r = collect(Source(kind, str(src)), inbox)
    assert saved(inbox) == {name: M.sha(data) for _, name, data in cases}
    assert r.messages_seen == r.messages_new == len(cases) and r.saved == len(cases) and r.skipped == 0
    assert tree_snapshot(src) == before, "the mailbox must never be modified"
    side = sidecar(inbox, WB[0])
    assert side["file"] == WB[0] and side["sha256"] == M.sha(M.workbook(0)) and side["original_name"] == WB[0]
    assert side["from"] == "wang@dept.example.cn" and side["from_name"] == "王闻"
    assert side["to"] == ["report@163.com"] and side["cc"] == []
    assert side["date"] == "2026-01-19T09:00:00+08:00"
    assert side["subject"] == "报送2025年政府信息公开年报"
    assert side["message_id"].startswith("<gaixl-test-") and side["source"] == str(src.resolve())
    assert side["collected_at"] and [m["message_id"] for m in side["messages"]] == [side["message_id"]]
    # consolidate sees exactly the workbooks, with their sidecars attached.
    files, sidecars = inbox_files(inbox)
    assert sorted(p.name for p in files) == sorted(saved(inbox))
    assert set(sidecars) == set(files)


def test_repeat_is_incremental_and_new_mail_only_comes_once(tmp_path):
    cases = county_messages()
    box = tmp_path / "box.mbox"
    write_mbox(box, [c[0] for c in cases[:3]])
    inbox = tmp_path / "inbox"
    assert collect(Source("mbox", str(box)), inbox).saved == 3
    again = collect(Source("mbox", str(box)), inbox)
    assert (again.messages_new, again.messages_old, again.saved) == (0, 3, 0)
    write_mbox(box, [c[0] for c in cases[3:]])     # mailbox.mbox appends
    more = collect(Source("mbox", str(box)), inbox)
    assert (more.messages_new, more.messages_old, more.saved) == (len(cases) - 3, 3, len(cases) - 3)
    assert len(saved(inbox)) == len(cases)
    state = json.loads((inbox / ".gaixl-collect.json").read_text(encoding="utf-8"))
    assert len(state["messages"]) == len(cases)


def test_same_content_stored_once_and_latest_date_on_top(tmp_path):
    """A unit sends A, then B, then A again: A is stored once and dated by its latest message."""
    a, b = M.workbook(1), M.workbook(2)
    msgs = [M.foxmail("财政局.xlsx", a, date="Mon, 19 Jan 2026 09:00:00 +0800"),
            M.foxmail("财政局.xlsx", b, date="Tue, 20 Jan 2026 09:00:00 +0800"),
            M.outlook("财政局（更正）.xlsx", a, date="Wed, 21 Jan 2026 09:00:00 +0800")]
    # Given out of order: the latest Date wins, not the order in the mailbox.
    write_emls(tmp_path / "eml", [msgs[2], msgs[0], msgs[1]])
    inbox = tmp_path / "inbox"
    r = collect(Source("eml", str(tmp_path / "eml")), inbox)
    assert (r.saved, r.duplicates) == (2, 1)
    assert saved(inbox) == {"财政局（更正）.xlsx": M.sha(a), "财政局.xlsx": M.sha(b)}
    side = sidecar(inbox, "财政局（更正）.xlsx")
    assert side["date"] == "2026-01-21T09:00:00+08:00" and side["original_name"] == "财政局（更正）.xlsx"
    assert [m["date"] for m in side["messages"]] == ["2026-01-19T09:00:00+08:00", "2026-01-21T09:00:00+08:00"]
    assert sidecar(inbox, "财政局.xlsx")["date"] == "2026-01-20T09:00:00+08:00"


def test_same_name_different_content_gets_a_unique_name_and_older_date_stays_below(tmp_path):
    a, b = M.workbook(1), M.workbook(2)
    write_emls(tmp_path / "eml", [M.foxmail("财政局.xlsx", a, date="Mon, 19 Jan 2026 09:00:00 +0800"),
                                  M.foxmail("财政局.xlsx", b, date="Tue, 20 Jan 2026 09:00:00 +0800"),
                                  M.outlook("财政局.xlsx", a, date="Wed, 21 Jan 2026 09:00:00 +0800"),
                                  M.outlook("财政局.xlsx", a, date="Sun, 18 Jan 2026 09:00:00 +0800")])
    inbox = tmp_path / "inbox"
    collect(Source("eml", str(tmp_path / "eml")), inbox)
    assert saved(inbox) == {"财政局.xlsx": M.sha(a), "财政局 (2).xlsx": M.sha(b)}
    side = sidecar(inbox, "财政局.xlsx")
    assert side["date"] == "2026-01-21T09:00:00+08:00" and len(side["messages"]) == 3
    assert side["messages"][0]["date"] == "2026-01-18T09:00:00+08:00"


def test_zip_tnef_and_non_workbooks(tmp_path):
    wb = [M.workbook(i) for i in range(4)]
    z = M.zip_gbk({"年报/缙云县公安局.xlsx": wb[0], "说明.docx": b"doc", "内层.zip": M.zip_gbk({"教育局.xlsx": wb[1]})})
    tnef = M.tnef([("缙云县卫生健康局.xlsx".encode("gb18030"), wb[2]), ("缙云县市场监督管理局-长名字.xlsx", wb[3])])
    msg = M.with_parts("材料", [M.simple_part("材料.zip", z, "application/zip"), M.tnef_part(tnef),
                              M.simple_part("盖章页.pdf", b"%PDF-1.4 x", "application/pdf")])
    write_emls(tmp_path / "eml", [msg])
    r = collect(Source("eml", str(tmp_path / "eml")), tmp_path / "inbox")
    assert saved(tmp_path / "inbox") == {"缙云县公安局.xlsx": M.sha(wb[0]), "教育局.xlsx": M.sha(wb[1]),
                                         "缙云县卫生健康局.xlsx": M.sha(wb[2]),
                                         "缙云县市场监督管理局-长名字.xlsx": M.sha(wb[3])}
    skipped = {(x.name, x.reason) for x in r.records if x.action == "skipped"}
    assert skipped == {("说明.docx", "not-workbook"), ("盖章页.pdf", "not-workbook")}
    assert all(x.reason_zh and x.reason_en for x in r.records if x.action == "skipped")


@pytest.mark.slow
def test_hostile_mail_writes_nothing_outside_and_never_crashes(tmp_path):
    wb = M.workbook(0)
    big = os.urandom(51 * 1024 * 1024)
    hostile = [
        M.with_parts("路径", [M.raw_name_part(b"../../../escape.xlsx", wb)]),
        M.with_parts("绝对", [M.raw_name_part(b"/tmp/abs-escape.xlsx", M.workbook(1))]),
        M.with_parts("长名", [M.raw_name_part(("长" * 1000 + ".xlsx").encode("gb18030"), M.workbook(2))]),
        M.with_parts("空字节", [M.raw_name_part(b"nul\x00byte\x01.xlsx", M.workbook(3))]),
        M.with_parts("炸弹", [M.simple_part("bomb.zip", M.zip_bomb(), "application/zip")]),
        M.with_parts("太大", [M.simple_part("huge.xlsx", big)]),
        b"From: x\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: application/zip; "
        b"name=\"bad.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64PK\r\n--zz",
        b"\x00\xff garbage that is not a message at all",
        M.with_parts("坏压缩包", [M.simple_part("bad.zip", b"PK\x03\x04broken", "application/zip")]),
        M.with_parts("坏winmail", [M.tnef_part(b"\x00\x01\x02\x03garbage")]),
        M.with_parts("空winmail", [M.tnef_part(b"\x78\x9f\x3e\x22\x00\x00")]),
    ]
    write_emls(tmp_path / "mail", hostile)
    outside = tmp_path / "outside"
    outside.mkdir()
    inbox = outside / "inbox"
    result = runner.invoke(app, ["collect", "--eml-dir", str(tmp_path / "mail"), "--out", str(inbox), "--json"])
    assert result.exit_code == 0, result.output
    r = json.loads(result.stdout)
    assert {p.name for p in outside.iterdir()} == {"inbox"}
    assert not Path("/tmp/abs-escape.xlsx").exists()
    names = saved(inbox)
    assert set(names.values()) == {M.sha(M.workbook(i)) for i in range(4)}
    assert "escape.xlsx" in names and "abs-escape.xlsx" in names and "nulbyte.xlsx" in names
    long = next(n for n in names if n.startswith("长"))
    assert long.endswith(".xlsx") and len(long.encode()) <= 200
    reasons = {x["reason"] for x in r["records"] if x["action"] == "skipped"}
    assert {"zip-bomb", "too-large", "zip-unreadable", "tnef-unreadable", "tnef-empty"} <= reasons
    too_large = next(x for x in r["records"] if x["reason"] == "too-large")
    assert "MB" in too_large["reason_zh"] and "--max-size" in too_large["reason_zh"]
    # every message is accounted for; a higher limit lets the big one through on request: the
    # message with the too-large attachment was not recorded as done.
    assert r["messages_seen"] == len(hostile)
    r2 = collect(Source("eml", str(tmp_path / "mail")), inbox, max_size=60 * 1024 * 1024)
    assert (r2.messages_new, r2.saved, r2.messages_old) == (1, 1, len(hostile) - 1)
    assert M.sha(big) in saved(inbox).values()


def test_cli_text_summary_and_english(tmp_path):
    write_emls(tmp_path / "eml", [c[0] for c in county_messages()[:2]]
               + [M.with_parts("附件", [M.simple_part("说明.pdf", b"%PDF")])])
    r = runner.invoke(app, ["collect", "--eml-dir", str(tmp_path / "eml"), "--out", str(tmp_path / "in")])
    assert r.exit_code == 0, r.output
    assert "保存工作簿 2 个" in r.stdout and "说明.pdf" in r.stdout and "不是报告工作簿" in r.stdout
    r = runner.invoke(app, ["collect", "--eml-dir", str(tmp_path / "eml"), "--out", str(tmp_path / "in2"),
                            "--lang", "en"])
    assert r.exit_code == 0 and "2 workbooks saved" in r.stdout and "not a workbook" in r.stdout


@pytest.mark.parametrize("args,needle", [
    ([], "--imap"),
    (["--mbox", "nope.mbox"], "不存在"),
    (["--mbox", "a", "--maildir", "b"], "只能指定一个"),
    (["--eml-dir", ".", "--max-size", "lots"], "lots"),
    (["--eml-dir", ".", "--since", "yesterday"], "--since"),
])
def test_cli_usage_errors(tmp_path, args, needle):
    r = runner.invoke(app, ["collect", "--out", str(tmp_path / "in"), *args])
    assert r.exit_code == 2 and needle in r.stderr and "Traceback" not in r.output


def test_subject_and_since_filters(tmp_path):
    cases = county_messages()
    write_mbox(tmp_path / "box", [c[0] for c in cases])
    r = collect(Source("mbox", str(tmp_path / "box")), tmp_path / "a", subject="政府信息公开年报")
    assert r.saved == 2 and r.messages_filtered == len(cases) - 2     # Outlook's and NetEase's subjects
    r = collect(Source("mbox", str(tmp_path / "box")), tmp_path / "b",
                since=__import__("datetime").date(2026, 1, 20))
    assert r.saved == 0 and r.messages_filtered == len(cases)


def test_ctrl_c_then_resume_loses_and_duplicates_nothing(tmp_path):
    cases = county_messages()
    write_maildir(tmp_path / "md", [c[0] for c in cases])
    reference = tmp_path / "reference"
    collect(Source("maildir", str(tmp_path / "md")), reference)

    def interrupt_after_3(done, total):
        if done == 3:
            raise KeyboardInterrupt
    inbox = tmp_path / "inbox"
    with pytest.raises(KeyboardInterrupt):
        collect(Source("maildir", str(tmp_path / "md")), inbox, progress=interrupt_after_3)
    assert len(saved(inbox)) == 3
    r = collect(Source("maildir", str(tmp_path / "md")), inbox)
    assert (r.messages_old, r.messages_new) == (3, len(cases) - 3)
    assert saved(inbox) == saved(reference)
    for name in saved(inbox):
        assert len(sidecar(inbox, name)["messages"]) == 1


@pytest.mark.slow
def test_killed_process_resumes_without_loss_or_duplicates(tmp_path):
    """A real interruption: the collect process is killed (SIGKILL) in the middle of a run."""
    wb = [M.workbook(i) for i in range(8)]
    many = [M.foxmail(f"单位{i:03d}.xlsx", wb[i % 8] + str(i).encode(), date=f"Mon, 19 Jan 2026 09:{i % 60:02d}:00 +0800")
            for i in range(240)]
    write_mbox(tmp_path / "box", many)
    inbox = tmp_path / "inbox"
    state = inbox / ".gaixl-collect.json"
    proc = subprocess.Popen([sys.executable, "-c", "from gaixl.cli import main; main()", "collect", "--mbox", str(tmp_path / "box"),
                             "--out", str(inbox), "--json"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while proc.poll() is None:      # wait for progress, then kill: wherever it is, it is mid-run
            try:
                if len(json.loads(state.read_text(encoding="utf-8"))["messages"]) >= 20:
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.01)
        assert proc.poll() is None, "the run ended before it could be interrupted"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    done_before = len(json.loads(state.read_text(encoding="utf-8"))["messages"])
    assert 20 <= done_before < len(many)
    r = collect(Source("mbox", str(tmp_path / "box")), inbox)
    assert r.messages_old == done_before and r.messages_new == len(many) - done_before
    files = saved(inbox)
    assert len(files) == len(many) and sorted(files) == sorted(f"单位{i:03d}.xlsx" for i in range(len(many)))
    assert set(files.values()) == {M.sha(wb[i % 8] + str(i).encode()) for i in range(len(many))}
    assert not [p for p in inbox.iterdir() if p.name.endswith(".part")]
    for name in files:
        assert len(sidecar(inbox, name)["messages"]) == 1


def test_messages_without_message_id_are_remembered_by_hash(tmp_path):
    msg = M.foxmail("无编号.xlsx", M.workbook(0), message_id="")
    write_emls(tmp_path / "eml", [msg])
    assert collect(Source("eml", str(tmp_path / "eml")), tmp_path / "in").saved == 1
    r = collect(Source("eml", str(tmp_path / "eml")), tmp_path / "in")
    assert (r.messages_old, r.saved, r.duplicates) == (1, 0, 0)
    state = json.loads((tmp_path / "in" / ".gaixl-collect.json").read_text(encoding="utf-8"))
    assert list(state["messages"]) == [f"sha256:{M.sha(msg)}"]


@pytest.mark.parametrize("transport_headers", [True, False])
def test_outlook_msg_files(tmp_path, transport_headers):
    """Genuine .msg files (OLE compound files written by tests/mailmsgs.py) beside .eml files."""
    wb = [M.workbook(i) for i in range(3)]
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "报送.msg").write_bytes(M.outlook_msg("报送年报", [("缙云县人力资源和社会保障局.xlsx", wb[0]),
                                                               ("说明.txt", b"hello")],
                                                    transport_headers=transport_headers))
    (folder / "b.eml").write_bytes(M.foxmail("财政局.xlsx", wb[1]))
    before = tree_snapshot(folder)
    r = collect(Source("eml", str(folder)), tmp_path / "in")
    assert saved(tmp_path / "in") == {"缙云县人力资源和社会保障局.xlsx": M.sha(wb[0]), "财政局.xlsx": M.sha(wb[1])}
    assert [(x.name, x.reason) for x in r.records if x.action == "skipped"] == [("说明.txt", "not-workbook")]
    side = sidecar(tmp_path / "in", "缙云县人力资源和社会保障局.xlsx")
    assert side["subject"] == "报送年报" and side["from"] == "wang@dept.example.cn"
    assert side["date"] and dt.datetime.fromisoformat(side["date"]) == dt.datetime(2026, 1, 21, 2, tzinfo=dt.timezone.utc)
    assert tree_snapshot(folder) == before
    again = collect(Source("eml", str(folder)), tmp_path / "in")
    assert (again.messages_old, again.saved) == (2, 0)


def test_a_broken_msg_file_is_reported_not_fatal(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "坏.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (folder / "b.eml").write_bytes(M.foxmail("财政局.xlsx", M.workbook(1)))
    r = collect(Source("eml", str(folder)), tmp_path / "in")
    assert r.saved == 1 and [x.reason for x in r.records if x.action == "skipped"] == ["message-unreadable"]


def test_consolidate_takes_the_latest_submission_by_email_date(tmp_path):
    """A unit sends its first draft, then a correction, then the first draft again: consolidate
    must take the first draft, because collect dated it by its latest message. (Both workbooks
    carry the same save time, and the correction's name says 更正: without the email dates
    consolidate would pick the correction.) The draft has errors, so the unit is rejected."""
    draft = (M.RETURNED / "331122-02-缙云县财政局（初报）-2020.xlsx").read_bytes()
    final = (M.RETURNED / "331122-02-缙云县财政局-2020.xlsx").read_bytes()
    write_mbox(tmp_path / "box", [
        M.foxmail("财政局年报.xlsx", draft, date="Mon, 19 Jan 2026 09:00:00 +0800"),
        M.foxmail("财政局年报（更正）.xlsx", final, date="Tue, 20 Jan 2026 09:00:00 +0800"),
        M.outlook("财政局年报.xlsx", draft, date="Wed, 21 Jan 2026 09:00:00 +0800")])
    inbox = tmp_path / "inbox"
    collect(Source("mbox", str(tmp_path / "box")), inbox)
    assert saved(inbox) == {"财政局年报.xlsx": M.sha(draft), "财政局年报（更正）.xlsx": M.sha(final)}
    from gaixl.consolidation.run import consolidate
    roster = Path(__file__).resolve().parents[1] / "workbook" / "roster.csv"
    c = consolidate(inbox, roster, 2020, None, reports=False)
    states = {e.file: e.state for e in c.entries}
    assert states == {"财政局年报.xlsx": "rejected", "财政局年报（更正）.xlsx": "superseded"}
    latest = next(e for e in c.entries if e.file == "财政局年报.xlsx")
    assert latest.errors and latest.email_from == "wang@dept.example.cn" and latest.message_id
    assert latest.email_date == "2026-01-21T09:00:00+08:00"      # Beijing time, offset kept
