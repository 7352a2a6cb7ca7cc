"""gaixl feedback: replies from a consolidation of the demo county (some files with errors), with
collect-style sidecars giving the submitters' addresses — drafts, then a real SMTP server."""
from __future__ import annotations

import base64
import datetime as dt
import email
import json
import shutil
import zipfile
from email import policy
from pathlib import Path

import pytest
from smtpserver import PASSWORD, USER, self_signed_cert, smtp_server
from typer.testing import CliRunner

from gaixl.cli import app
from gaixl.mail import smtp as M
from gaixl.mail.distribute import Options
from gaixl.mail.replies import feedback, feedback_messages, letter_core, totals_lines

pytestmark = [pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
              pytest.mark.filterwarnings("ignore:Session.login_data is deprecated")]

runner = CliRunner()
DEMO = Path(__file__).resolve().parents[1] / "workbook"
SENDER = "缙云县人民政府办公室 <gk@jinyun.example.gov.cn>"
# Files that came by mail (collect's sidecars): the submitter's own address, not the roster's.
SIDECARS = {
    "331122-01-缙云县人力资源和社会保障局-2020.xlsx": {
        "from": "人社局办公室 <rsj-bgs@jinyun.example.gov.cn>", "message_id": "<rsj-2021-0110@jinyun.example.gov.cn>",
        "subject": "Re: 【请填报】2020年度政府信息公开工作年度报告填报模板（缙云县人力资源和社会保障局）",
        "date": "Sun, 10 Jan 2021 09:12:00 +0800"},
    "331122-03-缙云县教育局-2020.xlsx": {
        "from": "jyj-xxgk@jinyun.example.gov.cn", "message_id": "edu-0111@mail.jinyun.example.gov.cn",
        "subject": "教育局2020年度政府信息公开年报", "date": "2021-01-11T10:00:00+08:00"},
}


def write_sidecar(inbox: Path, name: str, meta: dict) -> None:
    p = inbox / name
    doc = {**meta, "to": "gk@jinyun.example.gov.cn", "original_name": name,
           "sha256": __import__("hashlib").sha256(p.read_bytes()).hexdigest()}
    (inbox / (name + ".gaixl.json")).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    return self_signed_cert(tmp_path_factory.mktemp("cert"))


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory) -> Path:
    """The demo county consolidated once: roster (331122-04 without an email), inbox with sidecars."""
    root = tmp_path_factory.mktemp("county")
    shutil.copytree(DEMO / "returned", root / "inbox")
    roster = (DEMO / "roster.csv").read_text(encoding="utf-8-sig").replace("gaj@jinyun.example.gov.cn", "")
    (root / "roster.csv").write_text(roster, encoding="utf-8")
    for name, meta in SIDECARS.items():
        write_sidecar(root / "inbox", name, meta)
    r = runner.invoke(app, ["consolidate", str(root / "inbox"), "--roster", str(root / "roster.csv"),
                            "--out", str(root / "out")])
    assert r.exit_code == 1, r.output          # some units rejected
    return root


@pytest.fixture
def county(consolidated, tmp_path) -> Path:
    shutil.copytree(consolidated, tmp_path / "c")
    return tmp_path / "c"


def parse(p: Path):
    return email.message_from_bytes(p.read_bytes(), policy=policy.default)


def body_of(m) -> str:
    return m.get_body(("plain",)).get_content()


def test_drafts_reply_to_the_submitter_and_answer_the_message(county, monkeypatch):
    monkeypatch.chdir(county)                   # the manifest's inbox path is relative to where consolidate ran
    out = county / "out"
    r = runner.invoke(app, ["feedback", "out", "--from", SENDER, "--deadline", "2021-01-25", "--json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    units = {u["code"]: u for u in res["units"]}
    # Every unit that submitted gets a reply; 331122-11 sent nothing (no reminder asked for).
    assert sorted(units) == [f"331122-{i:02d}" for i in range(1, 14) if i != 11]
    assert units["331122-04"]["status"] == "no-address"          # no sidecar, no roster email
    assert {u["kind"] for c, u in units.items() if c in ("331122-03", "331122-10", "331122-13")} == {"rejected"}
    assert res["summary"]["drafted"] == 11 and res["summary"]["no-address"] == 1
    mail = out / "mail"
    # Rejected, came by mail: to the sender, In-Reply-To, "回复：<subject>", the feedback attached byte for byte.
    m = parse(mail / "331122-03-缙云县教育局.eml")
    assert [a.addr_spec for a in m["To"].addresses] == ["jyj-xxgk@jinyun.example.gov.cn"]
    assert m["In-Reply-To"] == m["References"] == "<edu-0111@mail.jinyun.example.gov.cn>"
    assert m["Subject"] == "回复：教育局2020年度政府信息公开年报（未通过校验，请修改后重新报送）"
    (att,) = list(m.iter_attachments())
    fb = out / "反馈意见" / "331122-03-缙云县教育局.txt"
    assert att.get_filename() == fb.name and att.get_payload(decode=True) == fb.read_bytes()
    assert att.get_content_type() == "text/plain" and att.get_content_charset() == "utf-8"
    body = body_of(m)
    assert "三、申请情况!D27" in body and "未能采用" in body and "请于2021年1月25日前将修改后的文件回复至gk@jinyun.example.gov.cn" in body
    assert body.startswith("缙云县教育局：") and body.count("缙云县教育局：") == 1
    # Accepted with a warning, came by mail: the sender's address (display name dropped), Re: stripped once.
    m = parse(mail / "331122-01-缙云县人力资源和社会保障局.eml")
    assert [a.addr_spec for a in m["To"].addresses] == ["rsj-bgs@jinyun.example.gov.cn"]
    assert m["Subject"] == "回复：【请填报】2020年度政府信息公开工作年度报告填报模板（缙云县人力资源和社会保障局）（已采用）"
    assert m["In-Reply-To"] == "<rsj-2021-0110@jinyun.example.gov.cn>"
    body = body_of(m)
    assert "本次报送的文件已采用" in body and "本年新收政府信息公开申请：3件" in body and "二、主动公开!C18" in body
    assert len(list(m.iter_attachments())) == 1
    # Accepted, clean, no sidecar: the roster's email, no threading, the totals as received, no attachment.
    m = parse(mail / "331122-02-缙云县财政局.eml")
    assert [a.addr_spec for a in m["To"].addresses] == ["czj@jinyun.example.gov.cn"]
    assert m["In-Reply-To"] is None and m["Subject"] == "2020年度政府信息公开工作年度报告已采用（缙云县财政局）"
    body = body_of(m)
    assert "经系统校验未发现问题，已予采用" in body and "本年新收政府信息公开申请：10件" in body
    assert "行政诉讼：" in body and not list(m.iter_attachments())
    assert not (mail / "331122-11-缙云县农业农村局-催报.eml").exists()


def test_text_output_lists_units_without_address(county):
    r = runner.invoke(app, ["feedback", str(county / "out"), "--from", SENDER, "--inbox", str(county / "inbox")])
    assert r.exit_code == 0, r.output
    assert "331122-04 缙云县公安局：既没有报送人的邮箱，名单中也没有有效的电子邮箱" in r.output
    assert "草稿 11 封" in r.output
    r = runner.invoke(app, ["feedback", str(county / "out"), "--from", SENDER, "--lang", "en"])
    assert "no sender address and no valid address in the roster" in r.output and "11 drafted" in r.output


@pytest.mark.mail
def test_send_then_never_twice_then_again_after_a_resubmission(county, cert):
    out, inbox = county / "out", county / "inbox"
    env = {M.PASSWORD_ENV: PASSWORD}
    with smtp_server(tls="starttls", auth=True, cert=cert) as s:
        args = ["feedback", str(out), "--smtp", s.url(), "--cafile", str(cert[0]), "--send", "--inbox", str(inbox),
                "--remind-missing", "--deadline", "2021-01-25", "--json"]
        r = runner.invoke(app, args, env=env)
        assert r.exit_code == 0, r.output
        assert s.handler.logins == [(USER, True)]
        rcpt = {rec.rcpt_tos[0]: rec for rec in s.messages}
        assert len(s.messages) == 12                     # 11 replies + 1 reminder; 331122-04 has no address
        assert "jyj-xxgk@jinyun.example.gov.cn" in rcpt and "jyj@jinyun.example.gov.cn" not in rcpt
        assert "rsj-bgs@jinyun.example.gov.cn" in rcpt and "czj@jinyun.example.gov.cn" in rcpt
        m = rcpt["jyj-xxgk@jinyun.example.gov.cn"].message
        assert m["In-Reply-To"] == "<edu-0111@mail.jinyun.example.gov.cn>"
        (att,) = list(m.iter_attachments())
        assert att.get_payload(decode=True) == (out / "反馈意见" / "331122-03-缙云县教育局.txt").read_bytes()
        assert att.get_filename() == "331122-03-缙云县教育局.txt"
        reminder = rcpt["nyncj@jinyun.example.gov.cn"].message
        assert reminder["Subject"].startswith("【催报】") and "2021年1月25日前" in body_of(reminder)
        assert all(rec.mail_from == USER for rec in s.messages)
        log = json.loads((out / ".gaixl-sent.json").read_text(encoding="utf-8"))
        assert len(log["sent"]) == 12
        sha03 = next(f["sha256"] for f in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
                     if f["file"] == "331122-03-缙云县教育局-2020.xlsx")
        entry = log["sent"][f"331122-03|{sha03}"]
        assert entry["to"] == ["jyj-xxgk@jinyun.example.gov.cn"] and entry["kind"] == "rejected"
        assert entry["in_reply_to"] == "<edu-0111@mail.jinyun.example.gov.cn>"
        assert PASSWORD not in r.output and base64.b64encode(PASSWORD.encode()).decode() not in r.output
        # A re-run mails nobody.
        r = runner.invoke(app, args, env=env)
        assert r.exit_code == 0 and len(s.messages) == 12
        assert json.loads(r.stdout)["summary"]["already-sent"] == 12
        # 331122-12 sends its file again (new bytes, same report); after a new consolidation only
        # that unit gets a new reply.
        f12 = inbox / "331122-12-缙云县五云街道办事处-2020.xlsx"
        with zipfile.ZipFile(f12) as z:
            parts = [(i, z.read(i)) for i in z.infolist()]
        with zipfile.ZipFile(f12, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for info, data in parts:
                z.writestr(info.filename, data)
        c = runner.invoke(app, ["consolidate", str(inbox), "--roster", str(county / "roster.csv"), "--out", str(out)])
        assert c.exit_code == 1, c.output
        r = runner.invoke(app, args, env=env)
        assert r.exit_code == 0, r.output
        assert len(s.messages) == 13 and s.messages[-1].rcpt_tos == ["wyjd@jinyun.example.gov.cn"]
        res = json.loads(r.stdout)
        assert res["summary"]["sent"] == 1 and res["summary"]["already-sent"] == 11


@pytest.mark.mail
def test_feedback_failures_per_unit(county, cert):
    with smtp_server(tls="starttls", auth=True, cert=cert, refuse={"czj@jinyun.example.gov.cn"}) as s:
        r = runner.invoke(app, ["feedback", str(county / "out"), "--smtp", s.url(), "--cafile", str(cert[0]), "--send",
                                "--inbox", str(county / "inbox")], env={M.PASSWORD_ENV: PASSWORD})
        assert r.exit_code == 1
        assert "331122-02 缙云县财政局：" in r.output and "550" in r.output
        assert len(s.messages) == 10


def test_not_a_consolidation_folder(tmp_path):
    r = runner.invoke(app, ["feedback", str(tmp_path), "--from", SENDER])
    assert r.exit_code == 2 and "manifest.json" in r.output and "Traceback" not in r.output


def test_library_api_builds_without_sending(county):
    opts = Options(sender=M.sender(SENDER), contact="张三 0578-3123456")
    when = dt.datetime(2021, 1, 12, 8, 0, tzinfo=dt.timezone.utc)
    replies, unmatched = feedback_messages(county / "out", opts, inbox=county / "inbox", when=when)
    assert unmatched == []
    again, _ = feedback_messages(county / "out", opts, inbox=county / "inbox", when=when)
    assert [r.raw for r in replies] == [r.raw for r in again]            # byte-stable for the same time
    r10 = next(r for r in replies if r.code == "331122-10")
    assert r10.kind == "rejected" and "张三 0578-3123456" in body_of(r10.message)
    res = feedback(county / "out", opts, inbox=county / "inbox", out=county / "drafts", when=when)
    assert not res.failed and (county / "drafts" / "331122-10-缙云县交通运输局.eml").read_bytes() == r10.raw


def test_letter_core_and_totals():
    letter = "某局：\n\n您好！问题如下：\n1. 错误。\n\n如有疑问，请与我们联系。谢谢！\n\n某县\n"
    assert letter_core(letter) == "您好！问题如下：\n1. 错误。"
    assert letter_core("意外的格式") == "意外的格式"
    data = {"tables": {"三": {"一、本年新收政府信息公开申请数量": {"总计": 5.0}, "三、（七）总计": {"总计": 4}},
                       "四": {"行政复议": {"总计": 1}, "未经复议直接起诉": {"总计": 2}, "复议后起诉": {"总计": 0}}}}
    lines = totals_lines(data)
    assert "　　本年新收政府信息公开申请：5件" in lines and "　　办理结果总计：4件" in lines
    assert "　　行政诉讼：2件（未经复议直接起诉2件，复议后起诉0件）" in lines
    assert totals_lines(None) == []


def test_rejected_without_a_feedback_letter_says_why():
    from gaixl.mail.replies import _body

    text = _body("rejected", "缙云县某局", 2020, file="某局.xls", submitted="2021年1月10日09:00", core="", totals=[],
                 reason="格式不符：不是报告工作簿。", attached="", deadline=None, back="gk@jinyun.example.gov.cn",
                 contact="", sign="缙云县政府信息公开工作主管部门", today=dt.date(2021, 1, 12))
    assert "文件“某局.xls”（2021年1月10日09:00收到），该文件未能采用，原因：格式不符：不是报告工作簿。" in text
    assert "请尽快将修改后的文件回复至gk@jinyun.example.gov.cn。" in text and text.endswith("2021年1月12日\n")
