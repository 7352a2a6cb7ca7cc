"""collect against a real IMAP server (a private Dovecot on 127.0.0.1): TLS, STARTTLS, incremental
runs, read-only access, the password kept secret, resuming an interrupted run."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import mailmsgs as M
import pytest
from imapserver import PASSWORD, dovecot_plain, dovecot_server  # noqa: F401 — fixtures
from typer.testing import CliRunner

from gaixl.cli import app
from gaixl.errors import InputError, UsageError
from gaixl.mail.collect import Source, collect

runner = CliRunner()
WB = [p.name for p in M.workbooks()]


@pytest.fixture
def server(dovecot_server):  # noqa: F811
    """The shared server with an empty INBOX for each test."""
    dovecot_server.clear("INBOX")
    return dovecot_server


def imaps(server, folder: str = "") -> str:
    return f"imaps://{server.user}@127.0.0.1:{server.tls_port}" + (f"/{folder}" if folder else "")


def run_cli(server, url: str, out: Path, *extra: str, password: str | None = PASSWORD):
    env = {"GAIXL_IMAP_PASSWORD": password} if password is not None else {"GAIXL_IMAP_PASSWORD": ""}
    return runner.invoke(app, ["collect", "--imap", url, "--cafile", str(server.cafile), "--out", str(out),
                               "--json", *extra], env=env)


def saved(inbox: Path) -> dict[str, str]:
    return {p.name: M.sha(p.read_bytes()) for p in inbox.iterdir()
            if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".gaixl.json")}


def every_output(result, inbox: Path) -> str:
    """Everything the run showed or wrote: stdout, stderr, the state file, every sidecar."""
    texts = [result.stdout, result.stderr]
    texts += [p.read_text(encoding="utf-8") for p in inbox.glob("*.json")] if inbox.exists() else []
    texts += [p.read_text(encoding="utf-8") for p in inbox.glob(".*.json")] if inbox.exists() else []
    return "\n".join(texts)


def client_messages():
    wb = [M.workbook(i) for i in range(6)]
    return [
        (M.outlook(WB[0], wb[0], date="Mon, 19 Jan 2026 09:00:00 +0800"), WB[0], wb[0]),
        (M.foxmail(WB[1], wb[1], date="Mon, 19 Jan 2026 10:00:00 +0800"), WB[1], wb[1]),
        (M.qqmail(WB[3], wb[3], date="Mon, 19 Jan 2026 11:00:00 +0800"), WB[3], wb[3]),
        (M.netease(WB[4], wb[4], date="Mon, 19 Jan 2026 12:00:00 +0800"), WB[4], wb[4]),
    ], [
        (M.raw_gbk(WB[5], wb[5], date="Tue, 20 Jan 2026 13:00:00 +0800"), WB[5], wb[5]),
        (M.forwarded(M.outlook("转发的年报.xlsx", wb[2]), date="Tue, 20 Jan 2026 14:00:00 +0800"),
         "转发的年报.xlsx", wb[2]),
    ]


@pytest.mark.mail
def test_imaps_collects_each_client_then_only_new_mail(server, tmp_path):
    first, second = client_messages()
    for raw, _, _ in first:
        server.append(raw)
    inbox = tmp_path / "inbox"
    r = run_cli(server, imaps(server), inbox)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert (out["messages_seen"], out["messages_new"], out["saved"]) == (4, 4, 4)
    assert saved(inbox) == {name: M.sha(data) for _, name, data in first}
    side = json.loads((inbox / f"{WB[0]}.gaixl.json").read_text(encoding="utf-8"))
    assert side["source"] == f"imaps://{server.user}@127.0.0.1:{server.tls_port}/INBOX"
    assert isinstance(side["uidvalidity"], int) and side["uid"] == 1
    assert side["date"] == "2026-01-19T09:00:00+08:00" and side["from"] == "wang@dept.example.cn"
    assert PASSWORD not in every_output(r, inbox)
    # Read-only: still four unseen messages, none moved or flagged.
    assert server.count() == 4 and not any("Seen" in f for f in server.flags())

    for raw, _, _ in second:
        server.append(raw)
    r = run_cli(server, imaps(server), inbox)
    out = json.loads(r.stdout)
    assert (out["messages_seen"], out["messages_old"], out["messages_new"], out["saved"]) == (6, 4, 2, 2)
    assert saved(inbox) == {name: M.sha(data) for _, name, data in first + second}
    r = run_cli(server, imaps(server), inbox)
    assert json.loads(r.stdout)["messages_new"] == 0
    state = json.loads((inbox / ".gaixl-collect.json").read_text(encoding="utf-8"))
    entry = state["imap"][f"imaps://{server.user}@127.0.0.1:{server.tls_port}/INBOX"]
    assert entry["uids"] == [1, 2, 3, 4, 5, 6]
    assert not any("Seen" in f for f in server.flags())


@pytest.mark.mail
def test_starttls_and_mark_seen(server, tmp_path):
    raw, name, data = client_messages()[0][2]
    server.append(raw)
    url = f"imap://{server.user}@127.0.0.1:{server.starttls_port}"
    r = run_cli(server, url, tmp_path / "in", "--mark-seen")
    assert r.exit_code == 0, r.output
    assert saved(tmp_path / "in") == {name: M.sha(data)}
    assert json.loads(r.stdout)["source"] == f"imap://{server.user}@127.0.0.1:{server.starttls_port}/INBOX"
    assert server.count() == 1 and all("\\Seen" in f for f in server.flags())


@pytest.mark.mail
def test_certificate_is_verified(server, tmp_path):
    server.append(client_messages()[0][0][0])
    for url in (imaps(server), f"imap://{server.user}@127.0.0.1:{server.starttls_port}"):
        r = runner.invoke(app, ["collect", "--imap", url, "--out", str(tmp_path / "in")],
                          env={"GAIXL_IMAP_PASSWORD": PASSWORD})
        assert r.exit_code == 2 and "证书" in r.stderr and "--cafile" in r.stderr, r.output
    assert not (tmp_path / "in").exists() or not saved(tmp_path / "in")


@pytest.mark.mail
def test_insecure_plain_only_for_a_local_server(server, tmp_path):
    raw, name, data = client_messages()[0][1]
    server.append(raw)
    r = run_cli(server, f"imap://{server.user}@127.0.0.1:{server.starttls_port}", tmp_path / "in", "--insecure")
    assert r.exit_code == 0, r.output
    assert saved(tmp_path / "in") == {name: M.sha(data)}
    r = run_cli(server, f"imap://{server.user}@mail.example.cn", tmp_path / "x", "--insecure")
    assert r.exit_code == 2 and "本机" in r.stderr
    r = run_cli(server, imaps(server), tmp_path / "x", "--insecure")
    assert r.exit_code == 2 and "--insecure" in r.stderr


@pytest.mark.mail
def test_no_starttls_offered_fails_clearly(dovecot_plain, tmp_path):  # noqa: F811
    with pytest.raises(InputError, match="STARTTLS"):
        collect(Source("imap", f"imap://{dovecot_plain.user}@127.0.0.1:{dovecot_plain.starttls_port}"),
                tmp_path / "in", password=PASSWORD)


@pytest.mark.mail
def test_password_handling(server, tmp_path):
    r = run_cli(server, imaps(server), tmp_path / "in", password=None)     # not set, stdin not a terminal
    assert r.exit_code == 2 and "GAIXL_IMAP_PASSWORD" in r.stderr
    r = run_cli(server, imaps(server), tmp_path / "in", password="wrong-" + PASSWORD)
    assert r.exit_code == 2 and "登录失败" in r.stderr and PASSWORD not in r.output
    r = run_cli(server, f"imaps://{server.user}:{PASSWORD}@127.0.0.1:{server.tls_port}", tmp_path / "in")
    assert r.exit_code == 2 and "密码" in r.stderr and PASSWORD not in r.output
    r = runner.invoke(app, ["collect", "--imap", imaps(server), "--cafile", str(server.cafile), "--out",
                            str(tmp_path / "in"), "--lang", "en"], env={"GAIXL_IMAP_PASSWORD": ""})
    assert r.exit_code == 2 and "GAIXL_IMAP_PASSWORD" in r.stderr
    r = runner.invoke(app, ["collect", "--help"])
    assert "GAIXL_IMAP_PASSWORD" in r.stdout


@pytest.mark.mail
def test_folder_since_subject(server, tmp_path):
    wb = [M.workbook(i) for i in range(3)]
    server.append(M.foxmail("旧的.xlsx", wb[0]), folder="年报", when=dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc))
    server.append(M.foxmail("新的.xlsx", wb[1], subject="年报报送"), folder="年报",
                  when=dt.datetime(2026, 1, 20, tzinfo=dt.timezone.utc))
    server.append(M.foxmail("无关.xlsx", wb[2], subject="会议通知"), folder="年报",
                  when=dt.datetime(2026, 1, 21, tzinfo=dt.timezone.utc))
    r = run_cli(server, imaps(server), tmp_path / "in", "--folder", "年报", "--since", "2026-01-01",
                "--subject", "年报")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert saved(tmp_path / "in") == {"新的.xlsx": M.sha(wb[1])}
    assert (out["messages_seen"], out["messages_filtered"]) == (2, 1)
    assert out["source"].endswith("/年报")


@pytest.mark.mail
def test_interrupted_imap_run_resumes(server, tmp_path):
    first, second = client_messages()
    for raw, _, _ in first + second:
        server.append(raw)
    src = Source("imap", imaps(server))

    def stop_after_2(done, total):
        if done == 2:
            raise KeyboardInterrupt
    inbox = tmp_path / "inbox"
    with pytest.raises(KeyboardInterrupt):
        collect(src, inbox, password=PASSWORD, cafile=server.cafile, progress=stop_after_2)
    assert len(saved(inbox)) == 2
    r = collect(src, inbox, password=PASSWORD, cafile=server.cafile)
    assert (r.messages_old, r.messages_new, r.saved, r.duplicates) == (2, 4, 4, 0)
    assert saved(inbox) == {name: M.sha(data) for _, name, data in first + second}
    for p in inbox.glob("*.gaixl.json"):
        assert len(json.loads(p.read_text(encoding="utf-8"))["messages"]) == 1


@pytest.mark.mail
def test_same_mail_from_a_file_and_imap_is_not_doubled(server, tmp_path):
    raw, name, data = client_messages()[0][0]
    (tmp_path / "eml").mkdir()
    (tmp_path / "eml" / "a.eml").write_bytes(raw)
    server.append(raw)
    inbox = tmp_path / "inbox"
    assert collect(Source("eml", str(tmp_path / "eml")), inbox).saved == 1
    r = collect(Source("imap", imaps(server)), inbox, password=PASSWORD, cafile=server.cafile)
    assert (r.messages_old, r.saved) == (1, 0)
    assert saved(inbox) == {name: M.sha(data)}


@pytest.mark.mail
def test_hostile_names_over_imap_stay_inside(server, tmp_path):
    server.append(M.with_parts("路径", [M.raw_name_part(b"../../../../tmp/imap-escape.xlsx", M.workbook(0))]))
    inbox = tmp_path / "a" / "inbox"
    r = run_cli(server, imaps(server), inbox)
    assert r.exit_code == 0, r.output
    assert saved(inbox) == {"imap-escape.xlsx": M.sha(M.workbook(0))}
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["inbox"]


def test_bad_urls_are_usage_errors(tmp_path):
    for url in ("http://x@host", "imaps://host-without-user", "imaps://"):
        with pytest.raises(UsageError):
            collect(Source("imap", url), tmp_path / "in", password="x")


def test_unreachable_server_is_a_clear_error(tmp_path):
    from imapserver import free_port
    r = runner.invoke(app, ["collect", "--imap", f"imaps://u@127.0.0.1:{free_port()}", "--out", str(tmp_path)],
                      env={"GAIXL_IMAP_PASSWORD": "x"})
    assert r.exit_code == 2 and "无法连接" in r.stderr and "Traceback" not in r.output


@pytest.mark.mail
def test_password_prompt_on_a_terminal_is_hidden(server, tmp_path):
    """No GAIXL_IMAP_PASSWORD, a real terminal (pty): getpass asks, echo off, nothing shown."""
    import os
    import pty
    import select
    import shutil
    import sys

    raw, name, data = client_messages()[0][0]
    server.append(raw)
    exe = shutil.which("gaixl")
    argv = [exe] if exe else [sys.executable, "-c", "from gaixl.cli import main; main()"]
    argv += ["collect", "--imap", imaps(server), "--cafile", str(server.cafile), "--out", str(tmp_path / "in")]
    env = {k: v for k, v in os.environ.items() if k != "GAIXL_IMAP_PASSWORD"}
    pid, fd = pty.fork()
    if pid == 0:     # the child: a session with the pty as its controlling terminal
        os.execvpe(argv[0], argv, env)
    output, sent = b"", False
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 60)
            if not ready:
                break                  # guard against a hang; the assertions below then fail
            try:
                chunk = os.read(fd, 4096)
            except OSError:            # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if not sent and "密码".encode() in output:
                os.write(fd, PASSWORD.encode() + b"\n")
                sent = True
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    text = output.decode("utf-8", "replace")
    assert sent and os.waitstatus_to_exitcode(status) == 0, text
    assert PASSWORD not in text
    assert saved(tmp_path / "in") == {name: M.sha(data)}


@pytest.mark.mail
def test_rebuilt_folder_new_uidvalidity_nothing_doubled(server, tmp_path):
    """The server renumbers a folder (new UIDVALIDITY): known messages are recognised by
    Message-ID, only the really new one is collected."""
    msgs = [M.foxmail(f"重建{i}.xlsx", M.workbook(i)) for i in range(3)]
    for m in msgs[:2]:
        server.append(m, folder="重建")
    inbox = tmp_path / "in"
    src = Source("imap", imaps(server, "重建"))
    assert collect(src, inbox, password=PASSWORD, cafile=server.cafile).saved == 2
    conn = server.connect()
    try:
        from gaixl.mail.collect.sources import imap_utf7
        assert conn.delete('"' + imap_utf7("重建") + '"')[0] == "OK"
    finally:
        conn.logout()
    for m in msgs:
        server.append(m, folder="重建")
    r = collect(src, inbox, password=PASSWORD, cafile=server.cafile)
    assert (r.messages_old, r.messages_new, r.saved, r.duplicates) == (2, 1, 1, 0)
    assert saved(inbox) == {f"重建{i}.xlsx": M.sha(M.workbook(i)) for i in range(3)}
    state = json.loads((inbox / ".gaixl-collect.json").read_text(encoding="utf-8"))
    assert state["imap"][src_id(server, "重建")]["uids"] == [1, 2, 3]
    r = collect(src, inbox, password=PASSWORD, cafile=server.cafile)
    assert (r.messages_old, r.messages_new) == (3, 0)


def src_id(server, folder: str) -> str:
    return f"imaps://{server.user}@127.0.0.1:{server.tls_port}/{folder}"


@pytest.mark.mail
def test_size_limit_over_imap_and_a_later_larger_limit(server, tmp_path):
    raw, name, data = client_messages()[0][1]
    server.append(raw)
    inbox = tmp_path / "in"
    r = run_cli(server, imaps(server), inbox, "--max-size", "10KB")
    out = json.loads(r.stdout)
    assert r.exit_code == 0 and out["saved"] == 0
    assert [x["reason"] for x in out["records"]] == ["message-too-large"]    # not even downloaded
    r = run_cli(server, imaps(server), inbox, "--max-size", "20KB")
    out = json.loads(r.stdout)
    assert [x["reason"] for x in out["records"]] == ["too-large"]             # fetched, attachment too big
    r = run_cli(server, imaps(server), inbox)
    out = json.loads(r.stdout)
    assert (out["messages_new"], out["saved"]) == (1, 1)
    assert saved(inbox) == {name: M.sha(data)}
    assert not any("Seen" in f for f in server.flags())
