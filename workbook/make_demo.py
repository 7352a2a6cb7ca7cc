"""Regenerate the bundled demo county: roster.csv and the returned workbooks in returned/.

    python workbook/make_demo.py

The demo is 缙云县 (2020 reports, the 2019 format). 缙云县人力资源和社会保障局 carries the seed's real
numbers and text (sources/); the other units get plausible, deterministic numbers. Some returns carry
the mistakes a county office really meets, so that `gaixl check` / `gaixl consolidate` have something
to say:
  331122-03 教育局        一+二 ≠ 三（七）总计+四 in one column
  331122-04 公安局        numbers typed as text (an error: the template counts text 0)
  331122-10 交通运输局     section 五 left empty
  331122-02 财政局        sent twice: a first file with a mistake, then the corrected one
  331122-11 农业农村局     never returned
  331122-13 壶镇镇        returned last year's (2019) template
"""
from __future__ import annotations

import csv
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from gaixl.report.data import ReportData  # noqa: E402
from gaixl.spec.load import layout_for_year  # noqa: E402
from gaixl.spec.rules import CellRef, compute, input_cells  # noqa: E402
from gaixl.workbook.fill import fill_workbook  # noqa: E402
from gaixl.workbook.names import template_filename  # noqa: E402
from gaixl.workbook.template import generate_workbook  # noqa: E402

YEAR = 2020
GENERATED_AT = "2020-12-15T09:00:00+08:00"
UNITS = [
    ("331122-01", "缙云县人力资源和社会保障局", "rsj"),
    ("331122-02", "缙云县财政局", "czj"),
    ("331122-03", "缙云县教育局", "jyj"),
    ("331122-04", "缙云县公安局", "gaj"),
    ("331122-05", "缙云县自然资源和规划局", "zrzyj"),
    ("331122-06", "缙云县住房和城乡建设局", "zjj"),
    ("331122-07", "缙云县卫生健康局", "wjj"),
    ("331122-08", "缙云县市场监督管理局", "scjgj"),
    ("331122-09", "丽水市生态环境局缙云分局", "sthjfj"),
    ("331122-10", "缙云县交通运输局", "jtysj"),
    ("331122-11", "缙云县农业农村局", "nyncj"),
    ("331122-12", "缙云县五云街道办事处", "wyjd"),
    ("331122-13", "缙云县壶镇镇人民政府", "hzz"),
]


def demo_numbers(layout, name: str, seed: int) -> ReportData:
    """Deterministic, consistent numbers of a plausible size for a county department."""
    rnd = random.Random(seed)
    d = ReportData.empty(layout, YEAR, "", name)
    for ref, c in input_cells(layout):
        if ref.table == "t3":
            v = 0
            if c.key == "natural" and ref.row in ("granted", "unable_1", "noproc_2", "partial"):
                v = rnd.choice([0, 1, 1, 2, 3, 5])
            elif c.key == "commercial" and ref.row == "granted":
                v = rnd.choice([0, 0, 1])
        elif ref.table == "t4":
            v = rnd.choice([0, 0, 0, 1]) if c.key in ("rev_upheld", "dir_upheld") else 0
        elif c.kind == "signed":
            v = rnd.randint(-2, 4)
        elif c.kind == "money":
            v = round(rnd.uniform(10_000, 900_000), 2)
        else:
            v = rnd.randint(0, 60) if ref.row != "rules" else 0
        d.set_value(layout, ref, v)
    # prev_items large enough that no 增/减 goes below zero
    for t in layout.tables.values():
        for r in t.data_rows:
            if any(c.key == "delta" for c in t.data_columns):
                d.set_value(layout, CellRef(t.key, r.key, "prev_items"), rnd.randint(3, 40))
    # 勾稽: 一 + 二 = （七）总计 + 四 in every column
    totals = compute(layout, lambda ref: d.number(layout, ref))
    for c in layout.tables["t3"].data_columns:
        if c.computed:
            continue
        results = totals[CellRef("t3", "results_total", c.key)]
        carried_in = rnd.choice([0, 0, 1]) if results else 0
        carried_out = rnd.choice([0, 0, 1]) if c.key == "natural" else 0
        d.set_value(layout, CellRef("t3", "carried_in", c.key), carried_in)
        d.set_value(layout, CellRef("t3", "carried_out", c.key), carried_out)
        d.set_value(layout, CellRef("t3", "new", c.key), results + carried_out - carried_in)
    for ref, v in compute(layout, lambda ref: d.number(layout, ref)).items():
        d.set_value(layout, ref, v)
    return d


# What each unit's own text is about: units write their own reports (the same paragraph in two
# units' reports is said as text-duplicate-units).
FOCUS = {
    "缙云县财政局": ("部门预决算和“三公”经费", "财政资金直达和惠企资金兑付", "预算执行情况解读"),
    "缙云县教育局": ("招生入学政策和学区划分", "教育收费和学生资助", "中考招生政策解读"),
    "缙云县公安局": ("户籍办理指南和交通管理", "警情通报和执法公示", "出入境证件办理流程"),
    "缙云县自然资源和规划局": ("国土空间规划和用地审批", "征地补偿安置方案", "不动产登记办事指南"),
    "缙云县住房和城乡建设局": ("保障性住房分配和工程招投标", "建筑市场信用信息", "老旧小区改造项目"),
    "缙云县卫生健康局": ("医疗机构执业许可和疫情防控", "公共卫生服务项目", "医保报销政策"),
    "缙云县市场监督管理局": ("市场主体登记和食品安全抽检", "行政处罚决定", "企业信用修复指引"),
    "丽水市生态环境局缙云分局": ("环境影响评价审批和空气质量", "重点排污单位名录", "生态环境执法检查"),
    "缙云县交通运输局": ("公路建设项目和客运班线调整", "道路运输行政许可", "农村公路养护计划"),
    "缙云县五云街道办事处": ("辖区民生事项和村（社区）事务", "低保救助和征迁补偿", "社区网格化服务"),
    "缙云县壶镇镇人民政府": ("镇级财务和惠农补贴发放", "农村宅基地审批", "乡村振兴项目进度"),
}


def demo_text(name: str) -> dict:
    short = name.replace("缙云县", "").replace("丽水市", "")
    a, b, c = FOCUS.get(name, ("机构职能和政策文件", "行政执法信息", "政策文件解读"))
    return {
        "一、总体情况": [
            f"{YEAR}年，{name}认真贯彻落实《中华人民共和国政府信息公开条例》，围绕{a}等群众关注事项，"
            "坚持以公开为常态、不公开为例外，扎实做好政府信息公开工作。",
            f"（一）主动公开。通过县政府门户网站{short}专栏及时公开{a}、{b}等信息。",
            f"（二）依申请公开。对涉及{b}的申请严格按照法定程序和时限办理，做到件件有回复。",
            f"（三）政府信息管理。落实公开前保密审查制度，对{c}等信息逐条审核后发布。",
            f"（四）平台建设和监督保障。明确分管领导和专人负责{c}等栏目的更新，将政务公开工作纳入年度考核。",
        ],
        "五、存在的主要问题及改进情况": [
            f"{c}的形式还不够丰富，{b}的发布时效性有待提高。下一步将加强业务培训，完善信息发布审核流程，"
            "丰富图文、视频等解读形式。",
        ],
        "六、其他需要报告的事项": ["无其他需要报告的事项。"],
    }


def main(out: Path = HERE) -> None:
    returned = out / "returned"
    if returned.exists():
        shutil.rmtree(returned)
    returned.mkdir(parents=True)
    with open(out / "roster.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "email", "parent"])
        for code, name, mail in UNITS:
            w.writerow([code, name, f"{mail}@jinyun.example.gov.cn", "缙云县"])

    layout = layout_for_year(YEAR)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for i, (code, name, _mail) in enumerate(UNITS):
            if code == "331122-11":  # never returned
                continue
            year = 2019 if code == "331122-13" else YEAR
            template = tmp / template_filename(code, name, year)
            generate_workbook(layout_for_year(year), year, code, name, template, generated_at=GENERATED_AT,
                              deadline="2021-01-20", send_to="gkb@jinyun.example.gov.cn")
            if code == "331122-01":
                src = json.loads((HERE / "sources" / "331122-01-jinyun-hrss-2020.json").read_text(encoding="utf-8"))
                data = ReportData.from_json(src, where="sources")
            else:
                data = demo_numbers(layout, name, seed=i)
                data.text = demo_text(name)
            data.year = year
            data.unit = {"code": code, "name": name}
            data.signature = {"unit": name, "date": f"{year + 1}-01-{10 + i:02d}"}
            if code == "331122-03":    # 一+二 ≠ 三+四 in 自然人 (the sum was typed one too high)
                t = data.tables["三"]["一、本年新收政府信息公开申请数量"]
                t["自然人"] += 1
            if code == "331122-10":    # 五 left empty
                data.text["五、存在的主要问题及改进情况"] = []
            target = returned / template_filename(code, name, year)
            if code == "331122-02":    # first submission with a mistake, then the corrected one
                first = ReportData.from_json(data.to_json(), where="demo")
                first.tables["三"]["三、（一）予以公开"]["自然人"] += 2
                fill_workbook(template, first, returned / template_filename(code, name + "（初报）", year))
            fill_workbook(template, data, target)
            if code == "331122-04":    # numbers typed as text
                _numbers_as_text(target)
    print(f"demo county written to {out}")


def _numbers_as_text(path: Path) -> None:
    """Re-type a few numbers as text, as a department copying from Word does."""
    from openpyxl import load_workbook

    from gaixl.workbook.names import row_name

    wb = load_workbook(path)
    for table, row in (("t3", "granted"), ("art20_6", "penalty")):
        dn = wb.defined_names[row_name(table, row)]
        (sheet, ref), = list(dn.destinations)
        ws = wb[sheet]
        first = ref.split(":")[0].replace("$", "")
        cell = ws[first]
        cell.value = str(cell.value if cell.value is not None else 0)
    wb.save(path)


if __name__ == "__main__":
    main()
