"""gaixl distribute: templates mailed to their units — drafts, and real SMTP servers on 127.0.0.1
(plain, STARTTLS + AUTH, implicit TLS) that keep what arrived."""
from __future__ import annotations

import base64
import datetime as dt
import email
import email.header
import json
import shutil
from email import policy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smtpserver import PASSWORD, USER, self_signed_cert, smtp_server
from typer.testing import CliRunner

from gaixl.cli import app
from gaixl.mail import smtp as M
from gaixl.mail.distribute import Options, distribute, read_template

pytestmark = [pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
              pytest.mark.filterwarnings("ignore:Session.login_data is deprecated")]

runner = CliRunner()
SENDER = "缙云县人民政府办公室 <gk@jinyun.example.gov.cn>"
ROSTER = """code,name,email,parent
331122-01,缙云县人力资源和社会保障局,rsj@jinyun.example.gov.cn,缙云县
331122-02,缙云县财政局,czj@jinyun.example.gov.cn,缙云县
331122-03,丽水市生态环境局缙云分局,"sthj@jinyun.example.gov.cn; sthj2@jinyun.example.gov.cn",缙云县
331122-04,缙云县壶镇镇人民政府,,缙云县
"""
WITH_EMAIL = {"331122-01": ["rsj@jinyun.example.gov.cn"], "331122-02": ["czj@jinyun.example.gov.cn"],
              "331122-03": ["sthj@jinyun.example.gov.cn", "sthj2@jinyun.example.gov.cn"]}


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    return self_signed_cert(tmp_path_factory.mktemp("cert"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """Templates for the small roster, made once by `gaixl generate`."""
    root = tmp_path_factory.mktemp("gen")
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    r = runner.invoke(app, ["generate", "--year", "2025", "--roster", str(root / "roster.csv"), "--out",
                            str(root / "templates")])
    assert r.exit_code == 0, r.output
    return root


@pytest.fixture
def work(generated, tmp_path) -> Path:
    """A fresh copy (no drafts, no sent log) per test."""
    shutil.copytree(generated, tmp_path / "w")
    return tmp_path / "w"


def templates_by_code(folder: Path) -> dict[str, Path]:
    return {read_template(p).code: p for p in folder.glob("*.xlsx")}


def xlsx_of(msg) -> tuple[str, bytes]:
    (a,) = [a for a in msg.iter_attachments()]
    return a.get_filename(), a.get_payload(decode=True)


def invoke(args, env=None):
    return runner.invoke(app, args, env=env)


# ---------------------------------------------------------------- drafts
def test_drafts_one_per_unit_with_its_own_template(work):
    t = work / "templates"
    r = invoke(["distribute", str(t), "--roster", str(work / "roster.csv"), "--from", SENDER,
                "--contact", "张三，0578-3123456", "--json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    status = {u["code"]: u["status"] for u in res["units"]}
    assert status == {"331122-01": "drafted", "331122-02": "drafted", "331122-03": "drafted",
                      "331122-04": "no-address"}
    assert res["summary"]["drafted"] == 3 and res["summary"]["no-address"] == 1
    by_code = templates_by_code(t)
    drafts = sorted((t / "drafts").glob("*.eml"))
    assert [d.name for d in drafts] == ["331122-01-缙云县人力资源和社会保障局.eml", "331122-02-缙云县财政局.eml",
                                        "331122-03-丽水市生态环境局缙云分局.eml"]
    for d in drafts:
        code = d.name[:9]
        m = email.message_from_bytes(d.read_bytes(), policy=policy.default)
        name, data = xlsx_of(m)
        assert data == by_code[code].read_bytes() and name == by_code[code].name
        assert [a.addr_spec for a in m["To"].addresses] == WITH_EMAIL[code]
        assert m["From"].addresses[0].addr_spec == "gk@jinyun.example.gov.cn"
        assert m["From"].addresses[0].display_name == "缙云县人民政府办公室"
        assert "2025年度政府信息公开工作年度报告" in m["Subject"] and m["Message-ID"] and m["Date"]
        part = next(a for a in m.iter_attachments())
        assert part.get_content_type() == M.XLSX_MIME
        body = m.get_body(("plain",)).get_content()
        for words in ("2026年1月15日", "gk@jinyun.example.gov.cn", "“基本信息”", "“三、申请情况”", "不要另行制表或重新录入",
                      "张三，0578-3123456", by_code[code].name, "缙云县人民政府办公室"):
            assert words in body, words
        assert "“填报说明”" not in body and "_gaixl" not in body
    # drafts are proper 7-bit MIME: every line ASCII and short
    raw = drafts[0].read_bytes()
    assert raw.isascii() and max(len(x) for x in raw.split(b"\r\n")) <= 998 and b"\n" not in raw.replace(b"\r\n", b"")


def test_unit_without_email_listed_in_text_output(work):
    r = invoke(["distribute", str(work / "templates"), "--roster", str(work / "roster.csv"), "--from", SENDER])
    assert r.exit_code == 0, r.output
    assert "331122-04 缙云县壶镇镇人民政府：名单中没有该单位的电子邮箱" in r.output
    assert "草稿 3 封" in r.output and "无邮箱 1 个" in r.output
    r = invoke(["distribute", str(work / "templates"), "--roster", str(work / "roster.csv"), "--from", SENDER,
                "--lang", "en", "--out", str(work / "elsewhere")])
    assert "no email address in the roster" in r.output and "3 drafted" in r.output
    assert "Note: the deadline 2026-01-15 has passed" in r.output       # the default, for 2025, is past here
    r = invoke(["distribute", str(work / "templates"), "--roster", str(work / "roster.csv"), "--from", SENDER,
                "--deadline", "2999-01-01"])
    assert r.exit_code == 0 and "截止日期" not in r.output
    m = email.message_from_bytes((work / "templates" / "drafts" / "331122-02-缙云县财政局.eml").read_bytes(),
                                 policy=policy.default)
    assert "请于2999年1月1日前报送" in m.get_body(("plain",)).get_content()
    assert len(list((work / "elsewhere").glob("*.eml"))) == 3


def test_drafts_are_byte_stable_for_the_same_time(work):
    when = dt.datetime(2025, 12, 1, 9, 30, tzinfo=dt.timezone.utc)
    opts = Options(sender=M.sender(SENDER), deadline=dt.date(2026, 1, 20))
    a = distribute(work / "templates", work / "roster.csv", opts, out=work / "a", when=when)
    b = distribute(work / "templates", work / "roster.csv", opts, out=work / "b", when=when)
    for x in (work / "a").glob("*.eml"):
        assert x.read_bytes() == (work / "b" / x.name).read_bytes()
    assert [i.message_id for i in a.items] == [i.message_id for i in b.items]
    body = email.message_from_bytes(next((work / "a").glob("*.eml")).read_bytes(), policy=policy.default)
    assert "请于2026年1月20日前报送" in body.get_body(("plain",)).get_content()


def test_matched_by_metadata_not_file_name(work, tmp_path):
    t = work / "templates"
    by_code = templates_by_code(t)
    # Swap two files' names: each still goes to its own unit.
    a, b = by_code["331122-01"], by_code["331122-02"]
    tmp = t / "swap.tmp"
    a.rename(tmp), b.rename(a), tmp.rename(b)
    # A template of a unit not on the roster, a copy of a unit's template, something not a template.
    r = invoke(["generate", "--year", "2025", "--unit", "缙云县某某局", "--code", "331122-99", "--out", str(t)])
    assert r.exit_code == 0, r.output
    shutil.copy(by_code["331122-03"], t / "副本.xlsx")
    # A template of the wrong format for the year (it would be rejected on its return).
    r = invoke(["generate", "--year", "2025", "--unit", "缙云县财政局", "--code", "331122-02", "--layout", "2019",
                "--out", str(tmp_path / "old")])
    assert r.exit_code == 2 and "2019–2020" in r.output      # refused, with the reason …
    r = invoke(["generate", "--year", "2025", "--unit", "缙云县财政局", "--code", "331122-02", "--layout", "2019",
                "--allow-layout-mismatch", "--out", str(tmp_path / "old")])     # … unless asked for plainly
    assert r.exit_code == 0, r.output
    shutil.copy(next((tmp_path / "old").glob("*.xlsx")), t / "旧格式.xlsx")
    (t / "readme.xlsx").write_bytes(b"not a workbook")
    r = invoke(["distribute", str(t), "--roster", str(work / "roster.csv"), "--from", SENDER, "--json"])
    assert r.exit_code == 1, r.output                       # a conflict is a problem to fix
    res = json.loads(r.stdout)
    units = {u["code"]: u for u in res["units"]}
    assert units["331122-01"]["file"] == b.name and units["331122-02"]["file"] == a.name
    assert units["331122-03"]["status"] == "conflict" and "副本.xlsx" in units["331122-03"]["reason"]
    unmatched = {u["file"]: u["reason"] for u in res["unmatched"]}
    assert "331122-99" in unmatched["331122-99-缙云县某某局-2025.xlsx"]
    assert "readme.xlsx" in unmatched
    assert "2025年度应使用2021年版格式" in unmatched["旧格式.xlsx"]
    m = email.message_from_bytes((t / "drafts" / "331122-01-缙云县人力资源和社会保障局.eml").read_bytes(),
                                 policy=policy.default)
    assert xlsx_of(m)[1] == (t / b.name).read_bytes()
    # A roster unit without a template is listed.
    (t / "副本.xlsx").unlink()
    by_code["331122-03"].unlink()
    r = invoke(["distribute", str(t), "--roster", str(work / "roster.csv"), "--from", SENDER])
    assert "331122-03 丽水市生态环境局缙云分局：文件夹中没有该单位的模板" in r.output


# ---------------------------------------------------------------- sending
def sent_codes(server, by_code) -> dict[str, object]:
    """code → the received message, matched by its attachment's bytes."""
    by_bytes = {p.read_bytes(): c for c, p in by_code.items()}
    out = {}
    for rec in server.messages:
        _, data = xlsx_of(rec.message)
        out[by_bytes[data]] = rec
    return out


def test_send_over_starttls_with_login_then_never_twice(work, cert):
    t = work / "templates"
    by_code = templates_by_code(t)
    env = {M.PASSWORD_ENV: PASSWORD}
    with smtp_server(tls="starttls", auth=True, cert=cert) as s:
        args = ["distribute", str(t), "--roster", str(work / "roster.csv"), "--smtp", s.url(), "--cafile", str(cert[0]),
                "--send", "--reply-to", "tb@jinyun.example.gov.cn"]
        r = invoke(args + ["--json"], env=env)
        assert r.exit_code == 0, r.output
        assert s.handler.logins == [(USER, True)]
        got = sent_codes(s, by_code)
        assert sorted(got) == ["331122-01", "331122-02", "331122-03"]
        for code, rec in got.items():
            m = rec.message
            assert rec.rcpt_tos == WITH_EMAIL[code] and rec.mail_from == USER
            name, data = xlsx_of(m)
            assert data == by_code[code].read_bytes() and name == by_code[code].name      # byte for byte, name intact
            assert m["Reply-To"].addresses[0].addr_spec == "tb@jinyun.example.gov.cn"
            assert "tb@jinyun.example.gov.cn" in m.get_body(("plain",)).get_content()
        res = json.loads(r.stdout)
        assert res["summary"]["sent"] == 3 and res["summary"]["no-address"] == 1
        log = json.loads((t / ".gaixl-sent.json").read_text(encoding="utf-8"))
        assert sorted(log["sent"]) == ["2025|331122-01", "2025|331122-02", "2025|331122-03"]
        entry = log["sent"]["2025|331122-03"]
        assert entry["to"] == WITH_EMAIL["331122-03"] and entry["sha256"] == read_template(by_code["331122-03"]).sha256
        assert entry["message_id"] == str(got["331122-03"].message["Message-ID"]).strip()
        assert not (t / "drafts").exists()
        # The password is nowhere: not in the output, the log, nor base64-encoded.
        secret = [PASSWORD, base64.b64encode(PASSWORD.encode()).decode()]
        for text in (r.output, (t / ".gaixl-sent.json").read_text(encoding="utf-8")):
            assert not any(x in text for x in secret)
        # Second run: nothing sent, said so.
        r = invoke(args, env=env)
        assert r.exit_code == 0, r.output
        assert len(s.messages) == 3
        assert "此前已发送、本次跳过 3 个" in r.output and "已发送 0 封" in r.output
        # A template generated anew since is not sent by itself: the unit is listed, --resend named.
        # (a new deadline in it: regenerated within the same second, the same options give the same bytes)
        r = invoke(["generate", "--year", "2025", "--unit", "缙云县财政局", "--code", "331122-02", "--out", str(t),
                    "--deadline", "2026-01-25"])
        assert r.exit_code == 0 and read_template(by_code["331122-02"]).sha256 != entry_02_sha(t)
        r = invoke(args, env=env)
        assert r.exit_code == 0 and len(s.messages) == 3
        assert "331122-02 缙云县财政局：已于" in r.output and "--resend" in r.output
        # --resend sends that unit again, as a new message.
        r = invoke(args + ["--resend", "331122-02", "--json"], env=env)
        assert r.exit_code == 0 and len(s.messages) == 4
        assert s.messages[3].rcpt_tos == WITH_EMAIL["331122-02"]
        assert s.messages[3].message["Message-ID"] != got["331122-02"].message["Message-ID"]
        log = json.loads((t / ".gaixl-sent.json").read_text(encoding="utf-8"))
        assert len(log["sent"]["2025|331122-02"]["earlier"]) == 1


def entry_02_sha(t: Path) -> str:
    return json.loads((t / ".gaixl-sent.json").read_text(encoding="utf-8"))["sent"]["2025|331122-02"]["sha256"]


def test_send_over_implicit_tls(work, cert):
    t = work / "templates"
    with smtp_server(tls="implicit", auth=True, cert=cert) as s:
        r = invoke(["distribute", str(t), "--roster", str(work / "roster.csv"), "--smtp", s.url(),
                    "--cafile", str(cert[0]), "--send"], env={M.PASSWORD_ENV: PASSWORD})
        assert r.exit_code == 0, r.output
        assert len(s.messages) == 3 and s.handler.logins == [(USER, True)]
        assert s.url().startswith("smtps://")


def test_plain_server_refused_without_insecure(work):
    t = work / "templates"
    with smtp_server() as s:
        base = ["distribute", str(t), "--roster", str(work / "roster.csv"), "--smtp", s.url(None), "--send",
                "--from", SENDER]
        r = invoke(base + ["--json"])
        assert r.exit_code == 1 and not s.messages
        res = json.loads(r.stdout)
        assert res["summary"]["failed"] == 3 and "STARTTLS" in res["units"][0]["reason"]
        assert not (t / ".gaixl-sent.json").exists()
        r = invoke(base + ["--insecure"])
        assert r.exit_code == 0, r.output
        assert len(s.messages) == 3 and s.messages[0].mail_from == "gk@jinyun.example.gov.cn"


def test_untrusted_certificate_fails_clearly(work, cert):
    with smtp_server(tls="starttls", auth=True, cert=cert) as s:
        r = invoke(["distribute", str(work / "templates"), "--roster", str(work / "roster.csv"), "--smtp", s.url(),
                    "--send"], env={M.PASSWORD_ENV: PASSWORD})
        assert r.exit_code == 1 and not s.messages and not s.handler.logins     # no password sent to it
        assert "服务器证书未通过验证" in r.output and "--cafile" in r.output


def test_user_without_password_is_a_usage_error(work, cert):
    with smtp_server(tls="starttls", auth=True, cert=cert) as s:
        r = invoke(["distribute", str(work / "templates"), "--roster", str(work / "roster.csv"), "--smtp", s.url(),
                    "--cafile", str(cert[0]), "--send"], env={M.PASSWORD_ENV: ""})
        assert r.exit_code == 2 and "GAIXL_SMTP_PASSWORD" in r.output and "Traceback" not in r.output
        assert not s.messages and not s.handler.logins


def test_wrong_password_reported_per_unit_and_never_printed(work, cert):
    wrong = "wr0ng-密码-xyz"
    with smtp_server(tls="starttls", auth=True, cert=cert) as s:
        r = invoke(["distribute", str(work / "templates"), "--roster", str(work / "roster.csv"), "--smtp", s.url(),
                    "--cafile", str(cert[0]), "--send", "--lang", "en"], env={M.PASSWORD_ENV: wrong})
        assert r.exit_code == 1 and not s.messages
        assert r.output.count("login refused") == 3          # each unit says why
        assert len(s.handler.logins) <= 2                    # one session's attempts, not one per unit
        assert wrong not in r.output and base64.b64encode(wrong.encode()).decode() not in r.output
        assert not (work / "templates" / ".gaixl-sent.json").exists()


def test_refused_recipient_fails_that_unit_only(work, cert):
    t = work / "templates"
    with smtp_server(tls="starttls", auth=True, cert=cert, refuse={"czj@jinyun.example.gov.cn"}) as s:
        args = ["distribute", str(t), "--roster", str(work / "roster.csv"), "--smtp", s.url(), "--cafile",
                str(cert[0]), "--send", "--json"]
        r = invoke(args, env={M.PASSWORD_ENV: PASSWORD})
        assert r.exit_code == 1
        units = {u["code"]: u for u in json.loads(r.stdout)["units"]}
        assert units["331122-02"]["status"] == "failed" and "550" in units["331122-02"]["reason"]
        assert units["331122-01"]["status"] == units["331122-03"]["status"] == "sent"
        assert len(s.messages) == 2
        # The address is fixed on the server's side: a re-run sends that unit only.
        s.handler.refuse.clear()
        r = invoke(args, env={M.PASSWORD_ENV: PASSWORD})
        assert r.exit_code == 0 and len(s.messages) == 3 and s.messages[2].rcpt_tos == ["czj@jinyun.example.gov.cn"]


def test_one_of_two_addresses_refused_is_recorded(work, cert):
    with smtp_server(tls="starttls", auth=True, cert=cert, refuse={"sthj2@jinyun.example.gov.cn"}) as s:
        r = invoke(["distribute", str(work / "templates"), "--roster", str(work / "roster.csv"), "--smtp", s.url(),
                    "--cafile", str(cert[0]), "--send", "--json"], env={M.PASSWORD_ENV: PASSWORD})
        assert r.exit_code == 1
        unit = next(u for u in json.loads(r.stdout)["units"] if u["code"] == "331122-03")
        assert unit["status"] == "sent" and list(unit["refused"]) == ["sthj2@jinyun.example.gov.cn"]
        log = json.loads((work / "templates" / ".gaixl-sent.json").read_text(encoding="utf-8"))
        assert log["sent"]["2025|331122-03"]["to"] == ["sthj@jinyun.example.gov.cn"]


def test_a_run_cut_short_never_mails_those_already_sent(work, cert):
    """The log is written after each message: a run interrupted after the first unit (Ctrl-C)
    leaves that unit recorded, and the next run mails only the others."""
    t = work / "templates"
    opts = Options(sender=M.sender(SENDER))
    with smtp_server(tls="starttls", auth=True, cert=cert) as s:
        url = M.parse_smtp_url(s.url())

        def stop(i, n):
            if i == 1:
                raise KeyboardInterrupt

        with M.Mailer(url, PASSWORD, cafile=cert[0]) as m, pytest.raises(KeyboardInterrupt):
            distribute(t, work / "roster.csv", opts, mailer=m, progress=stop)
        assert len(s.messages) == 1
        log = json.loads((t / ".gaixl-sent.json").read_text(encoding="utf-8"))
        assert list(log["sent"]) == ["2025|331122-01"]
        with M.Mailer(url, PASSWORD, cafile=cert[0]) as m:
            res = distribute(t, work / "roster.csv", opts, mailer=m)
        assert [i.status for i in res.items] == ["already-sent", "sent", "sent", "no-address"]
        assert sorted(r.rcpt_tos[0] for r in s.messages) == sorted(a[0] for a in WITH_EMAIL.values())


# ---------------------------------------------------------------- options and the URL
@pytest.mark.parametrize("url, insecure, security, port, user", [
    ("smtps://gk@smtp.example.gov.cn", False, "tls", 465, "gk"),
    ("smtp://gk@smtp.example.gov.cn", False, "starttls", 587, "gk"),
    ("smtp://smtp.example.gov.cn:2525", True, "plain", 2525, ""),
    ("smtps://report@jinyun.gov.cn@smtp.163.com:994", False, "tls", 994, "report@jinyun.gov.cn"),
    ("smtp://report%40jinyun.gov.cn@smtp.163.com", False, "starttls", 587, "report@jinyun.gov.cn"),
])
def test_parse_smtp_url(url, insecure, security, port, user):
    u = M.parse_smtp_url(url, insecure)
    assert (u.security, u.port, u.user) == (security, port, user)


@pytest.mark.parametrize("url, words", [
    ("smtp://gk:secret@smtp.example.gov.cn", "GAIXL_SMTP_PASSWORD"),
    ("http://smtp.example.gov.cn", "smtps://"),
    ("smtp://smtp.example.gov.cn:99999", "端口"),
])
def test_bad_smtp_urls(work, url, words):
    r = invoke(["distribute", str(work / "templates"), "--roster", str(work / "roster.csv"), "--smtp", url])
    assert r.exit_code == 2 and words in r.output and "Traceback" not in r.output
    assert "secret" not in r.output


def test_sender_needed_and_deadline_checked(work):
    base = ["distribute", str(work / "templates"), "--roster", str(work / "roster.csv")]
    r = invoke(base)
    assert r.exit_code == 2 and "--from" in r.output
    r = invoke(base + ["--smtp", "smtps://gk@smtp.example.gov.cn"])
    assert r.exit_code == 2 and "--from" in r.output              # the user is not an address
    r = invoke(base + ["--from", SENDER, "--deadline", "2026-13-01"])
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.output
    r = invoke(base + ["--from", "not an address"])
    assert r.exit_code == 2 and "发件人地址无效" in r.output
    r = invoke(base + ["--from", SENDER, "--send"])
    assert r.exit_code == 2 and "--smtp" in r.output
    r = invoke(["distribute", str(work / "nothing"), "--roster", str(work / "roster.csv"), "--from", SENDER])
    assert r.exit_code == 2 and "模板文件夹不存在" in r.output


def test_unreadable_sent_log_stops_the_run(work):
    (work / "templates" / ".gaixl-sent.json").write_text("{broken", encoding="utf-8")
    r = invoke(["distribute", str(work / "templates"), "--roster", str(work / "roster.csv"), "--from", SENDER])
    assert r.exit_code == 2 and "已发送记录文件无法读取" in r.output


def test_help_documents_the_password_variable():
    r = invoke(["distribute", "--help"])
    assert "GAIXL_SMTP_PASSWORD" in r.output
    r = invoke(["feedback", "--help"])
    assert "GAIXL_SMTP_PASSWORD" in r.output


# ---------------------------------------------------------------- MIME properties
NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=80) \
    .map(lambda s: s.strip()).filter(lambda s: s and '"' not in s and "\\" not in s)


@settings(max_examples=60, deadline=None)
@given(name=NAMES, data=st.binary(max_size=300))
def test_attachment_names_and_bytes_round_trip(name, data):
    m = M.new_message(subject="【请填报】测试", sender_addr=M.sender("gk@jinyun.example.gov.cn"),
                      to=[M.address("缙云县财政局", "czj@jinyun.example.gov.cn")],
                      msg_id=M.message_id("t", "k", data, "jinyun.example.gov.cn"), when=dt.datetime(2026, 1, 1))
    M.set_body(m, "正文")
    M.attach(m, M.attachment_part(data, name + ".xlsx", M.XLSX_MIME))
    raw = M.finish(m)
    assert raw.isascii() and all(len(line) <= 998 for line in raw.split(b"\r\n"))
    got = email.message_from_bytes(raw, policy=policy.default)
    (a,) = list(got.iter_attachments())
    assert a.get_filename() == name + ".xlsx" and a.get_payload(decode=True) == data
    # the RFC 2047 name= on Content-Type, for old clients, says the same
    assert str(email.header.make_header(email.header.decode_header(a.get_param("name")))) == name + ".xlsx"


def test_two_runs_cannot_send_from_one_folder_at_once(work, cert):
    t = work / "templates"
    with smtp_server(tls="starttls", auth=True, cert=cert) as s:
        args = ["distribute", str(t), "--roster", str(work / "roster.csv"), "--smtp", s.url(), "--cafile",
                str(cert[0]), "--send"]
        with M.send_lock(t / ".gaixl-sent.json"):          # another run, sending
            r = invoke(args, env={M.PASSWORD_ENV: PASSWORD})
            assert r.exit_code == 2 and "另一个gaixl进程正在从该文件夹发送邮件" in r.output
            assert not s.messages
            r = invoke(["distribute", str(t), "--roster", str(work / "roster.csv"), "--from", SENDER])
            assert r.exit_code == 0                             # drafting needs no lock
        r = invoke(args, env={M.PASSWORD_ENV: PASSWORD})
        assert r.exit_code == 0 and len(s.messages) == 3


def test_password_prompt_on_a_terminal_is_hidden(work, cert):
    """No $GAIXL_SMTP_PASSWORD, stdin a terminal (a real pty): gaixl asks, the typed password is
    not echoed, and the login works."""
    import os
    import pty
    import select
    import sys
    import time

    t = work / "templates"
    with smtp_server(tls="starttls", auth=True, cert=cert) as s:
        argv = [sys.executable, "-c", "from gaixl.cli import main; main()", "distribute", str(t), "--roster", str(work / "roster.csv"),
                "--smtp", s.url(), "--cafile", str(cert[0]), "--send"]
        env = {k: v for k, v in os.environ.items() if k != M.PASSWORD_ENV}
        pid, fd = pty.fork()
        if pid == 0:                                       # the child: gaixl on the pty
            os.execve(sys.executable, argv, env)
        seen, sent, deadline = b"", False, time.monotonic() + 120
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:                            # the child closed the pty
                    break
                if not chunk:
                    break
                seen += chunk
            if not sent and b"password" in seen.lower():
                os.write(fd, PASSWORD.encode("utf-8") + b"\n")
                sent = True
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        text = seen.decode("utf-8", "replace")
        assert sent, text
        assert os.waitstatus_to_exitcode(status) == 0, text
        assert s.handler.logins == [(USER, True)] and len(s.messages) == 3
        assert PASSWORD not in text                        # not echoed, not printed
