"""A county clerk's whole round, as files on disk: the builder shared by test_clerk_round.py.

青田县 (made up) runs the 2025 round for eight units. The roster is a CSV saved by Excel on
Chinese Windows (GBK); two units have no email address. Templates come from `gaixl generate`,
units fill them (gaixl fill), and send them back by mail — an mbox whose messages are shaped the
way Outlook, Foxmail, QQ Mail, NetEase and an old GBK client write Chinese names, dated +0800:

    01 人力社保局   Outlook, 2026-01-19 07:45 +0800 (before 08:00: still the 19th in Beijing)  clean
    02 财政局       Foxmail, 2026-01-16 09:12 +0800                                             clean
    03 教育局       QQ Mail, 2026-01-18 10:05 +0800 — typed “5件” in 三 一、本年新收 · 自然人
    04 公安局       NetEase, 2026-01-15 16:30 +0800 with a 勾稽 error, then the corrected file
                    2026-01-22 08:20 +0800 (after the deadline 2026-01-20)
    05 自然资源局   Outlook, 2026-01-17 11:00 +0800 — an old 2019-format template
    06 住建局       (no email on the roster) sends from a personal address, clean
    07 卫健局       sends nothing (has an email: reminded)
    08 市场监管局   sends nothing (no email)
"""
from __future__ import annotations

import mailbox
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from gaixl.spec.load import layout_for_year, load_layout
from gaixl.spec.rules import CellRef
from gaixl.workbook import names
from gaixl.workbook.fill import fill_workbook
from gaixl.workbook.template import generate_workbook
from tests import mailmsgs as mm
from tests.helpers import consistent_data

YEAR = 2025
DEADLINE = "2026-01-20"
OFFICE = "青田县人民政府办公室"
UNITS = [  # code, name, email
    ("331121-01", "青田县人力资源和社会保障局", "rsj@qt.example.gov.cn"),
    ("331121-02", "青田县财政局", "czj@qt.example.gov.cn"),
    ("331121-03", "青田县教育局", "jyj@qt.example.gov.cn"),
    ("331121-04", "青田县公安局", "gaj@qt.example.gov.cn"),
    ("331121-05", "青田县自然资源和规划局", "zrzyj@qt.example.gov.cn"),
    ("331121-06", "青田县住房和城乡建设局", ""),
    ("331121-07", "青田县卫生健康局", "wjj@qt.example.gov.cn"),
    ("331121-08", "青田县市场监督管理局", ""),
]


def gaixl(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The command as a clerk runs it (a real process, its own environment)."""
    e = {**os.environ, "COLUMNS": "80", **(env or {})}
    e["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return subprocess.run([sys.executable, "-m", "gaixl.cli", *args], cwd=cwd, env=e, capture_output=True,
                          text=True, timeout=600)


def _set_text(path: Path, table: str, row: str, col: str, value) -> None:
    """What a person does in Excel: type into one cell of the filled template."""
    layout = layout_for_year(YEAR)
    wb = openpyxl.load_workbook(path)
    dn = wb.defined_names[names.row_name(table, row)]
    sheet, rng = next(iter(dn.destinations))
    first = rng.replace("$", "").split(":")[0]
    t = layout.tables[table]
    offset = 0
    for c in t.data_columns:
        if c.key == col:
            break
        offset += c.span
    letters, r = coordinate_from_string(first)
    wb[sheet][f"{get_column_letter(column_index_from_string(letters) + offset)}{r}"] = value
    wb.save(path)


def filled(templates: Path, i: int, seed: int, out: Path, year: int = YEAR) -> bytes:
    code, name, _ = UNITS[i]
    layout = layout_for_year(year)
    d = consistent_data(layout, year, seed, code=code, name=name)
    d.text["一、总体情况"] = [f"{YEAR}年，{name}认真贯彻落实《中华人民共和国政府信息公开条例》，"
                          "围绕中心工作主动公开政府信息，依法办理政府信息公开申请。",
                          "（一）主动公开。全年主动公开政府信息。"]
    d.text["五、存在的主要问题及改进情况"] = [f"{name}政务公开工作人员力量不足，部分信息更新不及时。下一步将加强培训。"]
    d.text["六、其他需要报告的事项"] = ["本年度未收取信息处理费。" if i % 2 else f"本年度收取信息处理费{i}件，共计{i * 100}元。"]
    tpl = next(templates.glob(f"{code}-*.xlsx"))
    return fill_workbook(tpl, d, out).read_bytes()


def build(root: Path) -> dict:
    """Roster, templates, mbox and the run's commands' results; → paths and outputs by name."""
    root.mkdir(parents=True, exist_ok=True)
    roster = root / "名单.csv"
    lines = ["单位代码,单位名称,电子邮箱,上级单位"] + [f"{c},{n},{e},青田县" for c, n, e in UNITS]
    roster.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    (root / "gaixl.toml").write_text(f'[office]\nname = "{OFFICE}"\n', encoding="utf-8")
    r = gaixl("generate", "--year", str(YEAR), "--roster", roster.name, "--out", "模板", "--deadline", DEADLINE,
              cwd=root)
    assert r.returncode == 0, r.stdout + r.stderr
    templates = root / "模板"
    work = root / "单位"
    work.mkdir()
    wb = {i: filled(templates, i, 10 + i, work / f"{UNITS[i][0]}.xlsx") for i in (0, 1, 3, 5)}
    # 03: “5件” typed into a number cell
    p3 = work / "03.xlsx"
    filled(templates, 2, 12, p3)
    _set_text(p3, "t3", "new", "natural", "5件")
    wb[2] = p3.read_bytes()
    # 04: first a 勾稽 error, then the corrected file
    p4 = work / "04-first.xlsx"
    filled(templates, 3, 13, p4)
    layout = layout_for_year(YEAR)
    d = consistent_data(layout, YEAR, 13, code=UNITS[3][0], name=UNITS[3][1])
    _set_text(p4, "t3", "carried_out", "natural", (d.number(layout, CellRef("t3", "carried_out", "natural")) or 0) + 3)
    first4 = p4.read_bytes()
    # 05: an old (2019-format) template
    old = load_layout("2019")
    p5 = work / "05-old.xlsx"
    generate_workbook(old, YEAR, UNITS[4][0], UNITS[4][1], work / "05-tpl.xlsx", allow_layout_mismatch=True)
    fill_workbook(work / "05-tpl.xlsx", consistent_data(old, YEAR, 15, code=UNITS[4][0], name=UNITS[4][1]), p5)
    wb[4] = p5.read_bytes()

    def fname(i: int, extra: str = "") -> str:
        return f"{UNITS[i][1]}{YEAR}年政府信息公开年报{extra}.xlsx"

    who = lambda i, addr=None: f"{mm.word('gb2312', UNITS[i][1].encode('gb18030'))} <{addr or UNITS[i][2]}>"  # noqa: E731
    msgs = [
        mm.outlook(fname(0), wb[0], sender=who(0), date="Mon, 19 Jan 2026 07:45:00 +0800"),
        mm.foxmail(fname(1), wb[1], sender=who(1), date="Fri, 16 Jan 2026 09:12:00 +0800"),
        mm.qqmail(fname(2), wb[2], sender=who(2), date="Sun, 18 Jan 2026 10:05:00 +0800"),
        mm.netease(fname(3), first4, sender=who(3), date="Thu, 15 Jan 2026 16:30:00 +0800"),
        mm.outlook(fname(4), wb[4], sender=who(4), date="Sat, 17 Jan 2026 11:00:00 +0800"),
        mm.raw_gbk(fname(5), wb[5], sender=who(5, "zhang.zjj@163.com"), date="Tue, 20 Jan 2026 17:59:00 +0800"),
        mm.foxmail(fname(3, "（修改）"), wb[3], sender=who(3), date="Thu, 22 Jan 2026 08:20:00 +0800",
                   subject="回复：回复：报送2025年政府信息公开年报（未通过校验，请修改后重新报送）"),
    ]
    box = root / "收件.mbox"
    mb = mailbox.mbox(str(box))
    for m in msgs:
        mb.add(m)
    mb.flush()
    mb.close()
    return {"root": root, "roster": roster, "templates": templates, "mbox": box}
