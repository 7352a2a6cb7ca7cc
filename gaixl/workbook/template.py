"""The locked template a unit fills in: one .xlsx per unit, written with xlsxwriter.

Everything that depends only on the layout (geometry, formulas, check rows, defined names,
cached values) is computed once per layout (grid.Plan). Templates of one run differ only in
the unit's code and name and in the ids derived from them, so the run renders one master
workbook with placeholders and stamps it per unit: the unchanged parts of the zip are
compressed once, only sharedStrings.xml and core.xml are rewritten. A template with prefilled
cells (different cells per unit) is rendered in full, and so is one whose code or name equals
another string of the workbook (xlsxwriter would share that string). So both paths always
give the same XML.
Sheet names and defined names come from gaixl.workbook.names, the contract with the reader.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol

from gaixl.atomic import batch, new_dir, write_bytes
from gaixl.errors import UsageError
from gaixl.spec.model import Layout, Section
from gaixl.spec.rules import CellRef
from gaixl.workbook import names
from gaixl.workbook.grid import (
    CHECK_TOP,
    INFO_TOP,
    NUMBERS_LABEL,
    NUMBERS_NOTE,
    TEXT_TOP,
    Box,
    Plan,
    SheetCheck,
    SheetGeo,
    numbers_condition,
    plan_for,
    text_units,
)
from gaixl.workbook.stamp import SLOTS, TOKEN, Master

FONT = {"font_name": "宋体", "font_size": 11, "font_charset": 134}   # 134 = GB2312, as Chinese Excel saves it
INPUT, COMPUTED, PREFILLED = "#FFF2CC", "#D9D9D9", "#DDEBF7"
NUMFMT = {"count": "0", "signed": '"增"0;"减"0;0', "amount": "0.00", "money": "#,##0.00"}
# Only input cells are unlocked; users may select anything but change only inputs.
PROTECT = {"select_locked_cells": True, "select_unlocked_cells": True, "format_cells": False}
PREFILL_NOTE = "据上年报告预填"

_BOX = {"border": 1, "valign": "vcenter", "text_wrap": True}
FORMATS = {
    "title": {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"},
    "note": {"text_wrap": True, "valign": "top", "font_color": "#595959"},
    "note_box": {**_BOX, "font_color": "#595959", "font_size": 9},
    "text": {"text_wrap": True, "valign": "top"},
    "bold": {"bold": True, "valign": "vcenter"},
    "header": {**_BOX, "bold": True, "align": "center"},
    "label": _BOX,
    "group": {**_BOX, "align": "center"},
    "blank": {"border": 1},
    "check": {**_BOX, "align": "center", "bold": True},
    "check_note": {**_BOX, "text_wrap": True, "bold": True},
    "info_fixed": {**_BOX, "bg_color": COMPUTED, "num_format": "@"},
    "info_text": {**_BOX, "locked": False, "bg_color": INPUT, "num_format": "@"},
    "info_date": {**_BOX, "locked": False, "bg_color": INPUT, "num_format": "yyyy-mm-dd", "align": "left"},
    "para": {"border": 1, "text_wrap": True, "valign": "top", "locked": False, "bg_color": INPUT, "num_format": "@"},
    "count_big": {**_BOX, "bold": True, "align": "center", "font_size": 14},
    **{f"input_{k}": {**_BOX, "locked": False, "bg_color": INPUT, "num_format": f} for k, f in NUMFMT.items()},
    **{f"computed_{k}": {**_BOX, "bg_color": COMPUTED, "num_format": f} for k, f in NUMFMT.items()},
    **{f"prefilled_{k}": {**_BOX, "bg_color": PREFILLED, "num_format": f} for k, f in NUMFMT.items()},
    # Conditional-format looks: red for a failing error check, orange for a warning, green for pass.
    "bad": {"bg_color": "#FFC7CE", "font_color": "#9C0006", "bold": True},
    "warn": {"bg_color": "#FFD8A8", "font_color": "#C65911", "bold": True},
    "good": {"bg_color": "#C6EFCE", "font_color": "#006100"},
}

VALIDATION = {
    "count": {"validate": "integer", "criteria": ">=", "value": 0, "input_title": "填写整数",
              "input_message": "请输入不小于0的整数；没有发生的填0。", "error_message": "请输入不小于0的整数。"},
    "signed": {"validate": "integer", "criteria": "between", "minimum": -999999999, "maximum": 999999999,
               "input_title": "填写增减数",
               "input_message": "比上一年增加的填正数，减少的填负数（减少5项填-5，显示为“减5”），没有变化填0。",
               "error_message": "请输入整数：增加填正数，减少填负数。"},
    "amount": {"validate": "decimal", "criteria": ">=", "value": 0, "input_title": "填写金额（万元）",
               "input_message": "单位为万元，可保留两位小数；没有的填0。", "error_message": "请输入不小于0的数（单位：万元）。"},
    "money": {"validate": "decimal", "criteria": ">=", "value": 0, "input_title": "填写金额（元）",
              "input_message": "单位为元，可保留两位小数；没有的填0。", "error_message": "请输入不小于0的金额（单位：元）。"},
}
TEXT_VALIDATION = {"validate": "length", "criteria": "<=", "value": 32767, "input_title": "填写文字",
                   "input_message": "每段填写在一个单元格内，按顺序自上而下填写。单元格内换行按Alt+Enter。",
                   "error_message": "一个单元格最多32767个字符，请分段填写。"}


def legacy_password_hash(password: str) -> str:
    """The 16-bit legacy hash of sheet and workbook protection (ECMA-376-4 §18.2.29)."""
    digest = 0
    for ch in password[::-1]:
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(ch)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    return f"{digest ^ len(password) ^ 0xCE4B:X}"


class _Workbook(xlsxwriter.Workbook):
    """xlsxwriter has no workbook (structure) protection API. The element belongs right after
    <workbookPr> in the CT_Workbook sequence, so it is written from that hook."""

    structure_hash: str | None = None

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        if self.structure_hash is not None:
            attrs = [("workbookPassword", self.structure_hash)] if self.structure_hash else []
            self._xml_empty_tag("workbookProtection", attrs + [("lockStructure", 1)])


# ---------------------------------------------------------------- sheets
def _guide(wb, F, pw, layout: Layout, year: int, code: str, name: str, deadline: str | None, send_to: str | None):
    ws = wb.add_worksheet(names.GUIDE_SHEET)
    guides = list(dict.fromkeys(c.guide for t in layout.tables.values() for c in t.data_columns if c.guide))
    texts = "、".join(s.heading.split("、")[0] for s in layout.text_sections)
    rules = [
        f"本模板依据{layout.notice}规定的报告格式制作，表格项目名称与官方格式一致，请勿改动。统计期为{year}年1月1日至{year}年12月31日。",
        "浅黄色单元格为填报区，其余单元格已锁定，不能修改；灰色单元格为自动计算的合计数，无需填写；浅蓝色单元格为据上年报告预填的数据，不能修改。",
        "表格中没有发生的事项请填写0，不要留空。数字请直接输入，不要带单位或文字。",
        *guides,        # the columns' own (layout file: guide)
        f"第{texts}部分为文字内容，每段填写在一个单元格内，自上而下按顺序填写，不必填满；单元格内换行按Alt+Enter。",
    ]
    checks = [
        "表格旁和“校验”工作表中的“✓”表示该项未发现问题，“✗”表示有问题：红色为错误，必须修改；橙色为警告，请核实后按实际情况填报。",
        "数字栏只能填写阿拉伯数字：带单位（如“5件”）、全角数字（如“１２”）、文字或空格均为错误，应删除后重新填写数字。",
        f"“校验”工作表顶部的“错误数量”（名称 {names.ERROR_COUNT}）为0时方可报送。报送后，上级主管部门还将核对表内无法校验的事项"
        "（本文件是否为下发给本单位的模板、隐藏的识别信息和合计公式是否被改动），因此请勿撤销工作表保护或改动合计。",
    ]
    cautions = [
        "请勿修改文件名，请勿重命名、增加、删除或移动工作表，请勿撤销工作表保护，请勿将文件另存为其他格式（如.xls、.et、.wps）；"
        "请使用Microsoft Excel或WPS表格填写并保存为.xlsx文件。",
        "本文件内含本单位的识别信息，仅供本单位填报使用，请勿复制给其他单位，也不要使用其他单位的模板。",
    ]
    lines = [(f"{year}年度政府信息公开工作年度报告填报模板", "title"),
             (f"填报单位：{name}（单位代码：{code}）", "bold"),
             (f"适用格式：《{layout.name}》（{layout.notice}）", "text"),
             (f"报送截止时间：{deadline or '按上级主管部门通知要求'}", "bold"),
             (f"报送方式：{'请将填写完成的本文件发送至 ' + send_to if send_to else '按上级主管部门通知要求报送'}", "bold")]
    n = 0
    for heading, items in (("一、填报要求", rules), ("二、校验", checks), ("三、注意事项", cautions)):
        lines.append((heading, "bold"))
        for item in items:
            n += 1
            lines.append((f"{n}. {item}", "text"))
    ws.set_column(0, 0, 72)            # fits A4 portrait unscaled, whatever the CJK font
    for r, (text, fmt) in enumerate(lines):
        ws.write_string(r, 0, text, F[fmt])
        # Rows of wrapped text get their height here: Excel does not re-fit rows on opening.
        # The unit line gets a fixed height (two lines): it must not depend on the unit's name,
        # because per-unit templates are stamped from one master rendering.
        height = 30 if fmt == "title" else 38 if r == 1 else -(-text_units(text) // 64) * 16 + 6
        ws.set_row(r, height)
    _finish(ws, pw, landscape=False)


def _info(wb, F, pw, plan: Plan, year: int, code: str, name: str, results: dict):
    ws = wb.add_worksheet(names.INFO_SHEET)
    ws.merge_range(0, 0, 0, 2, "基本信息", F["title"])
    ws.merge_range(1, 0, 1, 2, "灰色项目由模板预填，不可修改；请填写浅黄色单元格。", F["note"])
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 50)
    ws.set_column(2, 2, 36)
    fixed = {"unit": name, "code": code, "year": str(year)}
    hints = {"unit": "由模板预填", "code": "由模板预填", "year": "由模板预填", "email": "用于联系和退回修改",
             "url": "本单位报告公开发布的网址", "date": "格式：年-月-日，如2026-01-15"}
    for i, (key, label, locked) in enumerate(names.INFO_FIELDS):
        r = INFO_TOP + i
        ws.write_string(r, 0, label, F["header"])
        if locked:
            ws.write_string(r, 1, fixed.get(key, ""), F["info_fixed"])
        elif key == "date":
            ws.write_blank(r, 1, None, F["info_date"])
            ws.data_validation(r, 1, r, 1, {"validate": "date", "criteria": "between",
                                            "minimum": dt.date(2000, 1, 1), "maximum": dt.date(2100, 12, 31),
                                            "input_title": label, "input_message": "请输入日期，格式：年-月-日，如2026-01-15。",
                                            "error_message": "请输入有效日期，格式：年-月-日。"})
        else:
            ws.write_blank(r, 1, None, F["info_text"])
            ws.data_validation(r, 1, r, 1, {"validate": "length", "criteria": "<=", "value": 255,
                                            "input_title": label, "input_message": f"请填写{label}。",
                                            "error_message": "最多255个字符。"})
        ws.write_string(r, 2, hints.get(key, ""), F["note"])
        ws.set_row(r, 22)
    for x in plan.sheet_checks:
        if x.beside is not None and x.beside[0] == names.INFO_SHEET:
            b = x.beside[1]
            ok_text, bad_text = _year_texts(plan.layout, year)
            formula = f'IFERROR(IF({x.cond},"{ok_text}","{bad_text}"),"{bad_text}")'
            ws.write_formula(b.r1, b.c1, formula, F["check_note"], ok_text if results[x.id] else bad_text)
            ws.conditional_format(b.r1, b.c1, b.r1, b.c1, {"type": "formula", "criteria": f'=LEFT({b.cell()},1)="✗"',
                                                           "format": F["bad"]})
            ws.set_row(b.r1, 66)
    _finish(ws, pw, landscape=False)


def _year_texts(layout: Layout, year: int) -> tuple[str, str]:
    """What the 报告年度 row says: the format fits the year, or which template to use instead."""
    from gaixl.spec.load import layout_for_year

    try:
        right = layout_for_year(year)
        use = f"请使用{right.id}年版格式（{right.notice}）的模板"
    except UsageError:
        use = "没有适用于该年度的规定格式"
    return (f"✓ {layout.id}年版格式适用于{year}年度报告",
            f"✗ 本模板为{layout.id}年版格式，适用于{layout.years_text}年度报告，不适用于{year}年度报告；{use}")


def _text(wb, F, pw, plan: Plan, s: Section, results: dict):
    ws = wb.add_worksheet(s.sheet)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 92)
    ws.set_column(2, 2, 8)
    ws.merge_range(0, 0, 0, 1, s.heading, F["title"])
    ws.merge_range(1, 0, 1, 1, s.prompt, F["note"])
    ws.set_row(0, 28)
    ws.set_row(1, -(-text_units(s.prompt) // 94) * 16 + 6)
    ws.write_string(2, 0, "段落", F["header"])
    ws.write_string(2, 1, "内容（每段一个单元格）", F["header"])
    for i in range(s.paragraphs):
        ws.write_string(TEXT_TOP + i, 0, f"第{i + 1}段", F["group"])
        ws.write_blank(TEXT_TOP + i, 1, None, F["para"])
        ws.set_row(TEXT_TOP + i, 90)
    ws.data_validation(TEXT_TOP, 1, TEXT_TOP + s.paragraphs - 1, 1, dict(TEXT_VALIDATION))
    for x in plan.sheet_checks:
        if x.code == "text-empty" and x.subject == s.key:
            _beside(ws, F, x, x.cond, results[x.id])
    ws.repeat_rows(0, 2)
    _finish(ws, pw, landscape=False, rows=True)


def _tables(wb, F, pw, plan: Plan, sg: SheetGeo, prefilled: dict[CellRef, float], values, results,
            sheet_results: dict, note: str = PREFILL_NOTE):
    ws = wb.add_worksheet(sg.section.sheet)
    for c, w in enumerate(sg.widths):
        ws.set_column(c, c, w)
    for r, h in sg.heights.items():
        ws.set_row(r, h)
    ws.merge_range(0, 0, 0, sg.width - 1, sg.section.heading, F["title"])
    ws.set_row(0, 28)
    ws.merge_range(1, 0, 1, sg.width - 1, "浅黄色单元格为填报区，灰色单元格自动计算；没有发生的事项填0。", F["note"])
    inputs: dict[str, list[str]] = {}
    for g in sg.tables:
        if g.caption:
            _put(ws, g.caption, g.table.caption, F["header"])
        for box, text in g.headers:
            _put(ws, box, text, F["header"])
        for box, text, is_group in g.labels:
            _put(ws, box, text, F["group" if is_group else "label"])
        for box in g.blanks:
            _put(ws, box, "", F["blank"])
        for row in g.table.data_rows:
            for col in g.table.data_columns:
                ref = CellRef(g.table.key, row.key, col.key)
                box = g.cells[(row.key, col.key)]
                if ref in plan.formulas:
                    _put(ws, box, "", F[f"computed_{col.kind}"])
                    ws.write_formula(box.r1, box.c1, plan.formulas[ref], F[f"computed_{col.kind}"], values.get(ref, 0))
                elif ref in prefilled:
                    _put(ws, box, prefilled[ref], F[f"prefilled_{col.kind}"])
                    ws.write_comment(box.r1, box.c1, note, {"author": "gaixl"})
                else:
                    _put(ws, box, "", F[f"input_{col.kind}"])
                    inputs.setdefault(col.kind, []).append(box.cell())
        for box, text, hint in g.check_labels:
            _put(ws, box, text, F["header"])
            ws.data_validation(box.r1, box.c1, box.r2, box.c2, {"validate": "any", "input_title": "校验", "input_message": hint[:255]})
        for p, cond, i in plan.beside[g.table.key]:
            _put(ws, p.box, "", F["check"])
            ws.write_formula(p.box.r1, p.box.c1, f'IFERROR(IF({cond},"✓","✗"),"✗")', F["check"], "✓" if results[i] else "✗")
            bad = F["bad" if p.check.rule.severity == "error" else "warn"]
            ws.conditional_format(p.box.r1, p.box.c1, p.box.r1, p.box.c1,
                                  {"type": "cell", "criteria": "==", "value": '"✗"', "format": bad})
            if p.check.rule.severity == "error" and p.mark:
                # Also colour the cells on the side of the rule that the check points at.
                ws.conditional_format(p.mark[0].r1, p.mark[0].c1, p.mark[0].r1, p.mark[0].c1,
                                      {"type": "formula", "criteria": f'={p.box.ref()}="✗"', "format": bad,
                                       "multi_range": " ".join(b.cell() for b in p.mark)})
            ws.data_validation(p.box.r1, p.box.c1, p.box.r1, p.box.c1,
                               {"validate": "any", "input_title": "校验", "input_message": p.check.rule.hint[:255]})
        numbers = next(x for x in plan.sheet_checks if x.code == "cell-not-number" and x.subject == g.table.key)
        if g.numbers_label is not None:
            _put(ws, g.numbers_label, NUMBERS_LABEL, F["header"])
            ws.data_validation(g.numbers_label.r1, g.numbers_label.c1, g.numbers_label.r2, g.numbers_label.c2,
                               {"validate": "any", "input_title": "校验", "input_message": numbers.hint[:255]})
        _put(ws, g.numbers_cell, "", F["check"])
        if g.numbers_note is not None:
            _put(ws, g.numbers_note, NUMBERS_NOTE, F["note_box"])
        _beside(ws, F, numbers, numbers_condition(g, lambda b: b.ref()), sheet_results[numbers.id])
    for kind, cells in inputs.items():
        first = cells[0]
        r, c = xl_cell_to_rowcol(first)
        ws.data_validation(r, c, r, c, {**VALIDATION[kind], "error_title": "输入有误", "multi_range": " ".join(cells)})
    ws.repeat_rows(*sg.repeat)
    _finish(ws, pw, landscape=sg.landscape)


def _beside(ws, F, x: SheetCheck, cond: str, ok: bool) -> None:
    """The ✓/✗ cell of a sheet check beside its table or section (an array formula: Gnumeric
    evaluates a range inside IF/SUM element by element only in one)."""
    _sheet, b = x.beside
    text = f'IFERROR(IF({cond},"✓","✗"),"✗")'
    if x.array:
        ws.write_array_formula(b.r1, b.c1, b.r1, b.c1, "{=" + text + "}", F["check"], "✓" if ok else "✗")
    else:
        ws.write_formula(b.r1, b.c1, text, F["check"], "✓" if ok else "✗")
    bad = F["bad" if x.severity == "error" else "warn"]
    ws.conditional_format(b.r1, b.c1, b.r1, b.c1, {"type": "cell", "criteria": "==", "value": '"✗"', "format": bad})
    ws.data_validation(b.r1, b.c1, b.r1, b.c1, {"validate": "any", "input_title": "校验", "input_message": x.hint[:255]})


def _put(ws, box: Box, value, fmt) -> None:
    """Write a value (or a styled blank) into a cell, merging the box when it is larger."""
    if not box.single:
        ws.merge_range(box.r1, box.c1, box.r2, box.c2, value, fmt)
    elif isinstance(value, str):
        ws.write_string(box.r1, box.c1, value, fmt) if value else ws.write_blank(box.r1, box.c1, None, fmt)
    else:
        ws.write_number(box.r1, box.c1, value, fmt)


STATUS_OK = ("表内校验未发现错误。报送后还将核对表内无法校验的事项：本文件是否为下发给本单位的模板，"
             "隐藏的识别信息和合计公式是否被改动")


def _checks(wb, F, pw, plan: Plan, results: list[bool]):
    ws = wb.add_worksheet(names.CHECK_SHEET)
    n = len(plan.rows)
    first, last = CHECK_TOP + 1, CHECK_TOP + max(n, 1)
    errors = sum(1 for ok, row in zip(results, plan.rows) if not ok and row[2] == "错误")
    warnings = sum(1 for ok, row in zip(results, plan.rows) if not ok and row[2] != "错误")
    # Narrow enough for A4 portrait at a readable scale; long texts wrap inside their cells.
    widths = [9, 32, 6, 20, 30, 6, 6]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.merge_range(0, 0, 0, 6, "校验结果", F["title"])
    ws.set_row(0, 28)
    ws.write_string(1, 0, "错误数量", F["header"])
    ws.write_formula(1, 1, f"SUM(G{first}:G{last})", F["count_big"], errors)
    ws.write_string(2, 0, "校验状态", F["header"])
    # Never “校验通过”: some checks cannot be formulas (see STATUS_OK); they are named instead.
    status = f'IF(B2=0,"{STATUS_OK}","存在"&B2&"项错误，请按下表中标为✗的错误逐项修改后再报送")'
    ws.merge_range(2, 1, 2, 6, "", F["check_note"])
    ws.set_row(2, 48)
    ws.write_formula(2, 1, status, F["check_note"],
                     STATUS_OK if errors == 0 else f"存在{errors}项错误，请按下表中标为✗的错误逐项修改后再报送")
    ws.write_string(3, 0, "警告数量", F["header"])
    ws.write_formula(3, 1, f'COUNTIFS(F{first}:F{last},"✗",C{first}:C{last},"<>错误")', F["count_big"], warnings)
    ws.merge_range(3, 2, 3, 6, "警告不计入错误数量，请核实后按实际情况填报。", F["note"])
    ws.conditional_format(1, 1, 1, 1, {"type": "cell", "criteria": ">", "value": 0, "format": F["bad"]})
    ws.conditional_format(3, 1, 3, 1, {"type": "cell", "criteria": ">", "value": 0, "format": F["warn"]})
    ws.conditional_format(2, 1, 2, 1, {"type": "formula", "criteria": "=$B$2>0", "format": F["bad"]})
    ws.conditional_format(2, 1, 2, 1, {"type": "formula", "criteria": "=$B$2=0", "format": F["good"]})
    for c, label in enumerate(names.CHECK_COLUMNS):
        ws.write_string(CHECK_TOP - 1, c, label, F["header"])
    for (i, rule, level, where, about, cond, array), ok in zip(plan.rows, results):
        r = CHECK_TOP + i - 1
        ws.write_number(r, 0, i, F["group"])
        ws.write_string(r, 1, rule, F["label"])
        ws.write_string(r, 2, level, F["group"])
        ws.write_string(r, 3, where, F["label"])
        ws.write_string(r, 4, about, F["label"])
        # Row height for the wrapped texts (Excel does not grow rows written with wrapped text by
        # itself, and a printed 校验 page must show every word).
        lines = max(_lines(text, widths[c]) for c, text in ((1, rule), (3, where), (4, about)))
        ws.set_row(r, 15 * lines)
        if array:
            ws.write_array_formula(r, 5, r, 5, f'{{=IFERROR(IF({cond},"✓","✗"),"✗")}}', F["check"], "✓" if ok else "✗")
        else:
            ws.write_formula(r, 5, f'IFERROR(IF({cond},"✓","✗"),"✗")', F["check"], "✓" if ok else "✗")
        ws.write_formula(r, 6, f'IF(AND(F{r + 1}="✗",C{r + 1}="错误"),1,0)', F["group"],
                         0 if ok or level != "错误" else 1)
    ws.conditional_format(CHECK_TOP, 5, last - 1, 5,
                          {"type": "formula", "criteria": f'=AND($F{first}="✗",$C{first}="错误")', "format": F["bad"]})
    ws.conditional_format(CHECK_TOP, 5, last - 1, 5,
                          {"type": "formula", "criteria": f'=AND($F{first}="✗",$C{first}<>"错误")', "format": F["warn"]})
    ws.freeze_panes(CHECK_TOP, 0)
    ws.repeat_rows(CHECK_TOP - 1)
    _finish(ws, pw, landscape=False)


def _lines(text: str, width: float) -> int:
    """Lines `text` takes in a column `width` characters wide (a Chinese character is two)."""
    units = sum(2 if ord(ch) >= 0x2E80 else 1 for ch in str(text))
    return max(1, -(-units // max(int(width) - 1, 1)))


def _extra(wb, F, pw, title: str, rows) -> None:
    """A locked sheet of plain rows (first row a header), e.g. a consolidation's coverage.
    Its rows go to a temporary file as they are written, strings inline (xlsxwriter's
    constant_memory, for this sheet alone): a country's coverage has 100,000 rows."""
    wb.constant_memory = True
    try:
        ws = wb.add_worksheet(title)
    finally:
        wb.constant_memory = False
    widths: dict[int, int] = {}
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            fmt = F["header"] if r == 0 else F["label"]
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r, c, v, fmt)
            else:
                ws.write_string(r, c, "" if v is None else str(v), fmt)
            widths[c] = max(widths.get(c, 8), min(60, 2 * len(str(v)) + 2))
    for c, w in widths.items():
        ws.set_column(c, c, w)
    _finish(ws, pw, landscape=False)


def _meta(wb, pw, meta: dict):
    ws = wb.add_worksheet(names.META_SHEET)
    for r, key in enumerate(names.META_KEYS):
        ws.write_string(r, 0, key)
        ws.write_string(r, 1, meta[key])
    ws.very_hidden()
    _finish(ws, pw, landscape=False)


def _finish(ws, pw: str, landscape: bool, rows: bool = False) -> None:
    ws.set_paper(9)                   # A4
    ws.fit_to_pages(1, 0)             # one page wide, as many pages tall as needed
    if landscape:
        ws.set_landscape()
    ws.protect(pw, {**PROTECT, "format_rows": rows})


# ---------------------------------------------------------------- rendering
def make_meta(layout: Layout, year: int, code: str, name: str, generated_at: str) -> dict:
    """The key/value block of the meta sheet, all strings, in names.META_KEYS order."""
    import gaixl

    meta = {"generator": "gaixl", "gaixl_version": str(getattr(gaixl, "__version__", "0.1.0")),
            "layout": layout.id, "layout_version": str(layout.version), "layout_digest": layout.digest,
            "unit_code": code, "unit_name": name, "year": str(year),
            "template_id": hashlib.sha256(f"{code}|{name}|{year}|{layout.id}|{generated_at}".encode()).hexdigest()[:16],
            "generated_at": generated_at}
    meta["fingerprint"] = names.fingerprint(meta)
    return meta


def _prefill_cells(plan: Plan, prefill: dict | None) -> dict[CellRef, float]:
    out: dict[CellRef, float] = {}
    for group, rows in ((prefill or {}).get("tables") or {}).items():
        for rk, cols in (rows or {}).items():
            for ck, v in (cols or {}).items():
                ref = plan.cells.get((group, rk, ck))
                if ref is None:
                    raise UsageError(f"prefill names a cell that layout {plan.layout.id} does not have: {group} › {rk} › {ck}",
                                     zh=f"预填数据指定的单元格在{plan.layout.id}年版格式中不存在：{group} › {rk} › {ck}")
                if v is None or ref in plan.formulas:
                    continue                 # blanks stay inputs; totals stay formulas
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise UsageError(f"prefill value of {group} › {rk} › {ck} must be a number, not {v!r}",
                                     zh=f"预填数据中{group} › {rk} › {ck}的值必须是数字，不能是“{v}”")
                out[ref] = v
    return out


def render(layout: Layout, year: int, meta: dict, *, password: str, deadline: str | None, send_to: str | None,
           filled: dict[CellRef, float], created: dt.datetime, prefill_note: str = PREFILL_NOTE,
           extra_sheets: list | None = None, tmpdir: str | None = None) -> bytes:
    """The whole workbook as .xlsx bytes (the full xlsxwriter path). With `extra_sheets` its
    parts are made in temporary files (in `tmpdir`, else the system's), not in memory: xlsxwriter
    holds each part whole in memory otherwise, and a country's coverage sheet is ~100 MB of XML
    (twice, as text and as bytes)."""
    plan = plan_for(layout)
    code, name = meta["unit_code"], meta["unit_name"]
    values, results = plan.cached(filled) if filled else (plan.values, plan.results)
    # The sheet checks of a template as written: numbers as prefilled, narrative and date blank.
    sheet_results = {x.id: x.code == "cell-not-number" or (x.code == "layout-year-mismatch" and layout.applies_to(year))
                     for x in plan.sheet_checks}
    results = list(results) + [sheet_results[x.id] for x in plan.sheet_checks]
    buf = io.BytesIO()
    options: dict[str, Any] = {"in_memory": not extra_sheets, "default_format_properties": dict(FONT),
                               "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    if extra_sheets and tmpdir:
        options["tmpdir"] = tmpdir
    wb = _Workbook(buf, options)
    wb.structure_hash = legacy_password_hash(password) if password else ""
    wb.set_properties({"title": f"{name}{year}年政府信息公开工作年度报告", "author": "gaixl",
                       "comments": f"gaixl template, layout {layout.id}", "created": created})
    F = {k: wb.add_format(v) for k, v in FORMATS.items()}
    _guide(wb, F, password, layout, year, code, name, deadline, send_to)
    _info(wb, F, password, plan, year, code, name, sheet_results)
    table_sheets = {sg.section.key: sg for sg in plan.grid.sheets}
    for s in layout.sections:
        if s.kind == "text":
            _text(wb, F, password, plan, s, sheet_results)
        else:
            _tables(wb, F, password, plan, table_sheets[s.key], filled, values, results, sheet_results, prefill_note)
    _checks(wb, F, password, plan, results)
    for title, rows in extra_sheets or ():
        _extra(wb, F, password, title, rows)
    _meta(wb, password, meta)
    for n, ref in plan.names:
        wb.define_name(n, ref)
    wb.close()
    return buf.getvalue()


# ---------------------------------------------------------------- stamping
_MASTERS: dict[tuple, tuple[Layout, Master]] = {}


def _master(layout: Layout, year: int, generated_at: str, created: dt.datetime, **kw) -> Master:
    key = (id(layout), year, generated_at, tuple(sorted(kw.items())))
    hit = _MASTERS.get(key)
    if hit is None or hit[0] is not layout:
        meta = make_meta(layout, year, "", "", generated_at)
        meta.update({k: TOKEN[k] for k in SLOTS})
        if len(_MASTERS) >= 8:
            _MASTERS.clear()
        hit = _MASTERS[key] = (layout, Master(render(layout, year, meta, filled={}, created=created, **kw)))
    return hit[1]


# ---------------------------------------------------------------- public API
def _created(generated_at: str) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(generated_at.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"generated_at must be an ISO 8601 date-time, not {generated_at!r}",
                         zh=f"生成时间（generated_at）必须是ISO 8601格式的日期时间，不能是“{generated_at}”") from None
    return (t.astimezone(dt.timezone.utc) if t.tzinfo else t).replace(tzinfo=None)


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# Characters Excel stores escaped (_xHHHH_): never in a real unit name, and refusing them keeps
# the stamped strings identical to what xlsxwriter would write.
_UNSTAMPABLE = re.compile(r"[\x00-\x1f\x7f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


def generate_workbook(layout: Layout, year: int, code: str, name: str, path, *, password: str = names.DEFAULT_PASSWORD,
                      deadline: str | None = None, send_to: str | None = None, prefill: dict | None = None,
                      generated_at: str | None = None, prefill_note: str = PREFILL_NOTE,
                      extra_sheets: list | None = None, allow_layout_mismatch: bool = False) -> Path:
    """Write the locked template of one unit to `path` (atomically) and return the path.

    `prefill` ({"tables": {group: {row: {column: value}}}}, data-file keys) fills input cells
    and locks them, with the comment `prefill_note` (default 据上年报告预填). `extra_sheets`
    ([(title, rows)], rows of strings/numbers, the first a header) adds locked sheets after
    校验 (a consolidation's coverage). Given `generated_at`, output is byte-stable.
    A layout that does not apply to `year` is refused (UsageError) unless
    `allow_layout_mismatch` (tests of old templates): such a workbook shows the error itself."""
    path = Path(path)
    if not allow_layout_mismatch:
        check_layout_year(layout, year)
    code, name = str(code or "").strip(), str(name or "").strip()
    if not name:
        raise UsageError("a template needs the unit's name", zh="生成模板须提供单位名称")
    if _UNSTAMPABLE.search(code) or _UNSTAMPABLE.search(name):
        raise UsageError(f"unit code and name must not contain control characters or _xHHHH_: {code!r} {name!r}",
                         zh=f"单位代码和单位名称不得包含控制字符或“_xHHHH_”形式的字符串：“{code}”“{name}”")
    generated_at = generated_at or now_iso()
    created = _created(generated_at)
    plan = plan_for(layout)
    filled = _prefill_cells(plan, prefill)
    meta = make_meta(layout, year, code, name, generated_at)
    opts: dict[str, Any] = {"password": password, "deadline": deadline, "send_to": send_to}
    data = None if filled or extra_sheets else _master(layout, year, generated_at, created, **opts).stamp(meta)
    if data is None:
        data = render(layout, year, meta, filled=filled, created=created, prefill_note=prefill_note,
                      extra_sheets=extra_sheets, tmpdir=str(path.parent) if path.parent.is_dir() else None, **opts)
    return write_bytes(path, data)            # a temp file beside the target, then os.replace


def check_layout_year(layout: Layout, year: int) -> None:
    """Refuse a template whose format does not apply to its report year, naming the right one."""
    if layout.applies_to(year):
        return
    from gaixl.spec.load import layout_for_year

    try:
        right = layout_for_year(year)
        use_en, use_zh = f"use --layout {right.id} ({right.notice}), or leave --layout out", \
            f"应使用{right.id}年版格式（{right.notice}），即 --layout {right.id}，或不指定 --layout"
    except UsageError:
        use_en, use_zh = "no official format covers that year", "没有适用于该年度的规定格式"
    raise UsageError(f"the {layout.id} format ({layout.notice}) applies to report years {layout.years_text}, "
                     f"not {year}: {use_en}",
                     zh=f"{layout.id}年版格式（{layout.notice}）适用于{layout.years_text}年度报告，不适用于{year}年度；{use_zh}")


def check_units(units: list[dict], year: int) -> list[tuple[str, str, str]]:
    """(code, name, file name) per unit; refuses what would lose a template: a unit without a
    name, a duplicate code (codes identify units when the files come back), two units whose
    file names only differ in characters Windows does not allow."""
    jobs: list[tuple[str, str, str]] = []
    seen: dict[str, int] = {}
    files: dict[str, int] = {}
    for i, u in enumerate(units, 1):
        code, name = str(u.get("code") or "").strip(), str(u.get("name") or "").strip()
        if not name:
            raise UsageError(f"unit {i} of the roster ({code!r}) has no name",
                             zh=f"名单中第{i}个单位（代码“{code}”）缺少单位名称")
        if code in seen:
            raise UsageError(f"duplicate unit code {code!r}: units {seen[code]} and {i} of the roster",
                             zh=f"单位代码“{code}”重复：名单中第{seen[code]}个和第{i}个单位")
        seen[code] = i
        fn = names.template_filename(code, name, year)
        if fn.lower() in files:
            raise UsageError(f"units {files[fn.lower()]} and {i} would both be written to {fn!r}",
                             zh=f"名单中第{files[fn.lower()]}个和第{i}个单位将写入同一文件“{fn}”")
        files[fn.lower()] = i
        jobs.append((code, name, fn))
    return jobs


def generate_all(layout: Layout, year: int, units: list[dict], out_dir, *,
                 prefill: Callable[[str], dict | None] | None = None,
                 progress: Callable[[int, int], None] | None = None, **kw) -> list[Path]:
    """One template per unit ({code, name, email, parent}) in `out_dir`, named
    names.template_filename(code, name, year); keywords as for generate_workbook.

    `prefill(code)` gives a unit's prefill (or None), e.g. from last year's report in the history
    (gaixl.generate_templates does that); `progress(done, total)` is called after each template."""
    out = Path(out_dir)
    if not kw.get("allow_layout_mismatch"):
        check_layout_year(layout, year)
    jobs = check_units(units, year)
    kw["generated_at"] = kw.get("generated_at") or now_iso()      # one run, one timestamp: one master
    # All templates or none: each is staged beside its target and renamed into place at the end,
    # so a full disk or a bad unit never leaves 7 of 12 templates behind (nor an empty folder).
    with new_dir(out), batch() as staged:
        for i, (c, n, fn) in enumerate(jobs, 1):
            generate_workbook(layout, year, c, n, staged.stage(out / fn), prefill=prefill(c) if prefill else None, **kw)
            if progress is not None:
                progress(i, len(jobs))
    return [out / fn for _c, _n, fn in jobs]


__all__ = ["generate_workbook", "generate_all", "check_units", "check_layout_year", "now_iso", "make_meta", "render",
           "legacy_password_hash"]
