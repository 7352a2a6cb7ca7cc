"""A county clerk's round, end to end, read as the clerk and the units read it.

青田县 (tests/clerkround.py): GBK roster of 8 units (two without email), templates from
`gaixl generate`, returns in an mbox from Outlook/Foxmail/QQ Mail/NetEase/an old GBK client with
+0800 dates (one at 07:45, one after the deadline), a unit typing “5件”, an old-format template,
a resubmission, two units sending nothing. Then `gaixl collect`, `gaixl consolidate --deadline`,
`gaixl feedback --remind-missing`, each as a real process; every output is read back: the
status page (rendered in headless Chromium), the status workbook, manifest.json, the letters, the
replies, the county report (python-docx, and PDF through LibreOffice + pdftotext) and the help.
"""
from __future__ import annotations

import email
import json
import os
import re
import shutil
import subprocess
import unicodedata
from email import policy
from pathlib import Path

import docx
import lxml.html
import openpyxl
import pytest

from gaixl.cli import COMMANDS
from tests.clerkround import DEADLINE, OFFICE, UNITS, build, gaixl
from tests.needs import require
from tests.test_status import find_chromium, png_pixels

pytestmark = pytest.mark.slow          # the whole round as processes (collect → consolidate → feedback, help of every command)

NAMES = [n for _c, n, _e in UNITS]
REPORT = "青田县2025年政府信息公开工作年度报告（汇总稿）.docx"


@pytest.fixture(scope="module")
def rnd(tmp_path_factory):
    b = build(tmp_path_factory.mktemp("round") / "青田县")
    root = b["root"]
    b["collect"] = gaixl("collect", "--mbox", "收件.mbox", "--out", "已交回", cwd=root)
    assert b["collect"].returncode == 0, b["collect"].stdout + b["collect"].stderr
    b["consolidate"] = gaixl("consolidate", "已交回", "--roster", "名单.csv", "--year", "2025", "--out", "汇总",
                             "--deadline", DEADLINE, cwd=root)
    b["feedback"] = gaixl("feedback", "汇总", "--from", "青田县政务公开办 <gk@qt.example.gov.cn>",
                          "--remind-missing", "--deadline", "2026-01-27", cwd=root)
    b["out"] = root / "汇总"
    b["manifest"] = json.loads((root / "汇总" / "manifest.json").read_text(encoding="utf-8"))
    return b


def mails(out: Path) -> dict[str, email.message.EmailMessage]:
    return {p.stem: email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted((out / "mail").glob("*.eml"))}


def body(m) -> str:
    return m.get_body(("plain",)).get_content()


def width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


# ---------------------------------------------------------------- the terminal
def test_consolidate_says_units_late_files_and_every_output(rnd):
    r = rnd["consolidate"]
    assert r.returncode == 1, r.stdout + r.stderr             # a real inbox with missing units
    lines = r.stdout.splitlines()
    assert lines[0] == "青田县2025年度：名单共 8 个单位——已采用 4 个，被退回 2 个，未报送 2 个"
    assert lines[1] == "收到文件 7 个：采用 4 个，已被新文件替代 1 个，退回 2 个，名单外单位 0 个"
    assert "  - 青田县教育局（331121-03）：发现错误：共1处须改正，须改正后重新报送" in lines
    assert "逾期报送（2026年1月20日之后收到）的单位 1 个" in lines
    assert "  - 青田县公安局（331121-04）：2026年1月22日 08:20" in lines
    written = lines[lines.index("已写出（汇总）："):]
    assert REPORT in written[1]                                 # the county report first
    for name in ("报送情况.html", "报送情况表.xlsx", "青田县-2025-汇总.xlsx", "各单位数据汇总表.xlsx", "反馈意见",
                 "各单位报告", "data", "manifest.csv", "manifest.json"):
        assert any(name in w for w in written), name
        assert (rnd["out"] / name).exists(), name
    # a trial run leaves no history database behind (only --history or gaixl.toml write one)
    assert not list(rnd["root"].rglob("*.sqlite"))
    assert "Z" not in r.stdout and "T0" not in r.stdout


# ---------------------------------------------------------------- manifest.json (for programs)
def test_manifest_keeps_iso_times_with_offset_and_late_flags(rnd):
    m = rnd["manifest"]
    assert m["tz"] == "Asia/Shanghai" and m["deadline"] == DEADLINE and m["office"] == OFFICE
    files = {f["file"]: f for f in m["files"]}
    hrss = files["青田县人力资源和社会保障局2025年政府信息公开年报.xlsx"]
    # 07:45 +0800 is the 19th in Beijing (23:45 on the 18th in UTC): never shown as the day before
    assert hrss["submitted_at"] == "2026-01-19T07:45:00+08:00" and hrss["late"] is False
    assert files["青田县财政局2025年政府信息公开年报.xlsx"]["submitted_at"] == "2026-01-16T09:12:00+08:00"
    final = files["青田县公安局2025年政府信息公开年报（修改）.xlsx"]
    first = files["青田县公安局2025年政府信息公开年报.xlsx"]
    assert (final["state"], final["late"]) == ("accepted", True)
    assert (first["state"], first["late"]) == ("superseded", False)
    assert files["青田县住房和城乡建设局2025年政府信息公开年报.xlsx"]["late"] is False    # 17:59 on the day
    old = files["青田县自然资源和规划局2025年政府信息公开年报.xlsx"]
    assert old["state"] == "rejected" and old["needs_template"] is True
    assert all(f["late"] in (True, False) for f in m["files"])
    units = {u["name"]: u["status"] for u in m["units"]}
    assert units == {NAMES[0]: "accepted", NAMES[1]: "accepted", NAMES[2]: "rejected", NAMES[3]: "accepted",
                     NAMES[4]: "rejected", NAMES[5]: "accepted", NAMES[6]: "missing", NAMES[7]: "missing"}


# ---------------------------------------------------------------- 报送情况.html and 报送情况表.xlsx
@pytest.mark.browser
def test_status_page_in_beijing_time_with_late_marks(rnd, tmp_path):
    page = rnd["out"] / "报送情况.html"
    root = lxml.html.fromstring(page.read_text(encoding="utf-8"))
    units, files = root.xpath("//table")
    head = [th.text_content() for th in units.xpath(".//thead//th")]
    rows = {r.xpath("./td")[1].text_content(): [td.text_content() for td in r.xpath("./td")]
            for r in units.xpath("./tbody/tr")}
    at = {k: head.index(k) for k in ("报送状态", "报送时间", "是否逾期")}
    assert rows[NAMES[3]][at["报送时间"]] == "2026年1月22日 08:20" and rows[NAMES[3]][at["是否逾期"]] == "逾期报送"
    assert rows[NAMES[0]][at["报送时间"]] == "2026年1月19日 07:45" and rows[NAMES[0]][at["是否逾期"]] == "按时"
    assert rows[NAMES[2]][head.index("须改正")] == "1"            # the letter's count: “5件”, not its knock-ons
    assert rows[NAMES[6]][at["报送状态"]] == "未报送"
    states = {r.xpath("./td")[0].text_content(): r.xpath("./td")[1].text_content() for r in files.xpath("./tbody/tr")}
    assert states["青田县公安局2025年政府信息公开年报.xlsx"] == "已被新文件替代"
    text = root.text_content()
    assert "时间均为北京时间" in text and "报送截止日期：2026年1月20日" in text
    assert not re.search(r"\d{4}-\d\d-\d\dT|\d\dZ\b", text)            # no machine times for people
    cards = {dt.text_content(): dd.text_content() for dt, dd in zip(root.xpath("//dt"), root.xpath("//dd"))}
    assert cards["名单内单位"] == "8" and cards["已采用的单位"] == "4" and cards["逾期报送的单位"] == "1"

    exe = require(find_chromium(), "chromium")
    shot = Path(os.environ.get("GAIXL_SHOTS", tmp_path)) / "clerk-status.png"
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
           f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1280,2400",
           page.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=dict(os.environ, HOME=str(tmp_path)))
    assert shot.is_file(), proc.stderr
    w, h, pixels = png_pixels(shot.read_bytes())
    assert (w, h) == (1280, 2400)
    late = sum(1 for p in pixels if p[:3] == bytes.fromhex("fde9d9"))     # the 逾期报送 badge's background
    assert late > 50, late


def test_status_workbook(rnd):
    wb = openpyxl.load_workbook(rnd["out"] / "报送情况表.xlsx")
    rows = list(wb["报送情况"].iter_rows(values_only=True))
    head = list(rows[0])
    by = {r[1]: r for r in rows[1:]}
    assert by[NAMES[3]][head.index("是否逾期")] == "逾期报送"
    assert by[NAMES[3]][head.index("报送时间")] == "2026年1月22日 08:20"
    assert by[NAMES[1]][head.index("是否逾期")] == "按时" and by[NAMES[6]][head.index("是否逾期")] is None


# ---------------------------------------------------------------- the letters and replies
def test_letter_for_text_in_a_number_cell(rnd):
    text = (rnd["out"] / "反馈意见" / "331121-03-青田县教育局.txt").read_text(encoding="utf-8")
    assert "一、须改正的问题（共1项）" in text
    line = next(x for x in text.splitlines() if x.startswith("1. "))
    assert line == ("1. 三、申请情况!D6（一、本年新收政府信息公开申请数量 / 自然人）：填写了“5件”，"
                    "请只填数字 5（不带单位或文字）。")
    assert re.search(r"因此以下\d项合计或校验暂无法正确进行，改正后会自动核对：", text)   # knock-ons folded under it
    errors_part = text.split("一、须改正的问题", 1)[1].split("二、请核实的事项", 1)[0]
    assert "2. " not in errors_part              # the knock-ons are not counted as problems of their own
    assert "（空白）" not in text and "应为" not in text
    assert "2026年1月18日 10:05收到" in text
    assert text.rstrip().endswith(OFFICE) and "名单" not in text


def test_replies(rnd):
    r = rnd["feedback"]
    assert r.returncode == 0, r.stdout + r.stderr
    m = mails(rnd["out"])
    police = m["331121-04-青田县公安局"]
    # a resubmission answering our earlier reply: the subject speaks of this file only
    assert police["Subject"] == "回复：报送2025年政府信息公开年报（修改后的文件已采用）"
    assert "逾期报送" in body(police) and "2026年1月22日 08:20收到" in body(police)
    old = m["331121-05-青田县自然资源和规划局"]
    attached = {a.get_filename(): a.get_payload(decode=True) for a in old.iter_attachments()}
    assert "331121-05-青田县自然资源和规划局-2025.xlsx" in attached          # the right template, attached
    tpl = rnd["root"] / "附上的模板.xlsx"
    tpl.write_bytes(attached["331121-05-青田县自然资源和规划局-2025.xlsx"])
    chk = json.loads(gaixl("check", str(tpl), "--json", cwd=rnd["root"]).stdout)
    chk = chk[0] if isinstance(chk, list) else chk
    assert chk["layout"] == "2021" and chk["unit"]["code"] == "331121-05" and chk["year"] == 2025
    assert "随本函附上" in body(old)
    assert old["Subject"] == "回复：报送2025年政府信息公开年报（请使用附上的新模板重新报送）"
    edu = m["331121-03-青田县教育局"]
    assert edu["Subject"] == "回复：年报（未通过校验，请修改后重新报送）"
    assert "填写了“5件”，请只填数字 5" in body(edu)
    remind = m["331121-07-青田县卫生健康局-催报"]
    assert remind["To"].addresses[0].addr_spec == "wjj@qt.example.gov.cn" and "2026年1月27日" in body(remind)
    zjj = m["331121-06-青田县住房和城乡建设局"]                      # no roster email: the sender's address
    assert zjj["To"].addresses[0].addr_spec == "zhang.zjj@163.com"
    assert "331121-08" in r.stdout and "没有有效的电子邮箱" in r.stdout
    for name, msg in m.items():
        text = body(msg)
        assert OFFICE in text, name
        assert not ("未通过" in msg["Subject"] and "已采用" in msg["Subject"]), msg["Subject"]
        assert not re.search(r"\d{4}-\d\d-\d\dT|\d\dZ\b", text), name


# ---------------------------------------------------------------- the county report
def report_text(rnd) -> list[str]:
    return [p.text for p in docx.Document(str(rnd["out"] / REPORT)).paragraphs]


def test_county_report_says_what_it_covers(rnd):
    paras = report_text(rnd)
    cover = next(p for p in paras if p.startswith("本报告仅汇总"))
    assert "予以采用的4个单位" in cover and "名单所列8个单位中4个单位" in cover
    for name in (NAMES[2], NAMES[4], NAMES[6], NAMES[7]):
        assert name in cover, name
    for name in (NAMES[0], NAMES[1], NAMES[3], NAMES[5]):
        assert name not in cover, name
    h1, h2, h5, h6 = (paras.index(h) for h in ("一、总体情况", "二、主动公开政府信息情况", "五、存在的主要问题及改进情况",
                                               "六、其他需要报告的事项"))
    one = paras[h1 + 1:h2]
    assert any(p.startswith(NAMES[0] + "：") for p in one) and any(p.startswith("【待填写") for p in one)
    five = paras[h5 + 1:h6]
    assert any("力量不足" in p for p in five) and any(p.startswith("【待填写") for p in five)
    six = paras[h6 + 1:]
    fee = next(p for p in six if "信息处理费" in p)
    assert "青田县人力资源和社会保障局" in fee and "无。" not in six
    assert paras[-2:] == [OFFICE, "2026年1月22日"]                       # signed by the office, dated
    assert any(p.startswith("图1") for p in paras)
    assert f"由{OFFICE}编制" in paras[1]


@pytest.mark.engine
@pytest.mark.pdf
def test_county_report_as_pdf(rnd, soffice, tmp_path):
    pdftotext = require(shutil.which("pdftotext"), "poppler (pdftotext)")
    src = tmp_path / "report.docx"
    shutil.copy(rnd["out"] / REPORT, src)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(src)], capture_output=True, timeout=300, check=True)
    text = subprocess.run([pdftotext, "-layout", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(text.split())
    assert "名单所列8个单位中4个单位" in flat and "【待填写" in flat and "青田县市场监督管理局（未报送）" in flat
    assert "图1" in flat and OFFICE in flat and "2026年1月22日" in flat


# ---------------------------------------------------------------- help and check output
@pytest.mark.parametrize("cmd", [name for name, *_rest in COMMANDS])
def test_help_is_chinese_and_fits_80_columns(rnd, cmd):
    env = {k: "" for k in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    r = gaixl(cmd, "--help", cwd=rnd["root"], env=env)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "用法：" in out and "选项" in out and "显示本帮助并退出。" in out
    for english in ("Usage", "Options", "Show this message", "<bool>", "[required]", "[default", "list[", "{"):
        assert english not in out, english           # ({files}: an argument printed like a placeholder)
    assert not re.search(r"…\s*│", out), out               # nothing cut off at a column's edge
    assert all(width(line) <= 80 for line in out.splitlines()), max(out.splitlines(), key=width)
    if "--lang" in out:                                     # (version has no --lang: LANG alone)
        en = gaixl(cmd, "--help", "--lang", "en", cwd=rnd["root"], env=env).stdout
        assert "Usage:" in en and "Show this message and exit." in en
    assert "Usage:" in gaixl(cmd, "--help", cwd=rnd["root"], env={**env, "LANG": "en_US.UTF-8"}).stdout


def test_usage_errors_in_chinese(rnd):
    r = gaixl("consolidate", "--deadlin", "2026-01-20", cwd=rnd["root"], env={"LANG": ""})
    assert r.returncode == 2 and "没有选项 --deadlin" in r.stderr and "--deadline" in r.stderr
    r = gaixl("consolidate", "已交回", "--roster", "名单.csv", "--deadline", "1月20日", cwd=rnd["root"], env={"LANG": ""})
    assert r.returncode == 2 and "日期格式有误" in r.stderr


def test_check_lines_lead_with_the_message(rnd):
    r = gaixl("check", "已交回/青田县教育局2025年政府信息公开年报.xlsx", cwd=rnd["root"], env={"LANG": ""})
    shown = [line for line in r.stdout.splitlines() if "✗" in line]
    assert shown and all(re.match(r"^\s+✗ 错误 三、申请情况!", line) for line in shown), shown
    assert all(line.rstrip().endswith("）") and "（cell-not-number）" in shown[0] for line in shown)
