"""The words a clerk and a unit read, unit by unit: letter lines, Beijing time, help language."""
from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from gaixl import timefmt
from gaixl.cli._help import lang_from, pick, translate_error
from gaixl.consolidation.letters import finding_line, group_findings, root_count
from gaixl.consolidation.run import office_name
from gaixl.findings import Finding
from gaixl.mail.replies import _subject

S3 = "三、申请情况"


def typed(text: str, cell: str = "D6", column: str = "自然人") -> Finding:
    return Finding(code="cell-not-number", severity="error", table="三",
                   message=f"{S3}!{cell}（一、本年新收政府信息公开申请数量 / {column}）：“{text}”不是数值",
                   sheet=S3, cell=cell, row="一、本年新收政府信息公开申请数量", column=column, found=text)


def blocked(cell: str, row: str, column: str, code: str = "t3-balance") -> Finding:
    return Finding(code=code, severity="error", table="三",
                   message=f"{S3}!{cell}（{row} / {column}）：无法校验“…”，所涉单元格中有不是数值的内容，请先改正",
                   sheet=S3, cell=cell, row=row, column=column)


# ---------------------------------------------------------------- letters
def test_text_in_a_number_cell_says_what_was_typed_and_what_to_type():
    line = finding_line(1, typed("83件"))
    assert line == (f"1. {S3}!D6（一、本年新收政府信息公开申请数量 / 自然人）：填写了“83件”，请只填数字 83（不带单位或文字）。")
    assert "（空白）" not in line and "应为" not in line
    assert "本栏只能填写数字" in finding_line(1, typed("约八十"))


def test_knock_on_checks_fold_under_their_cause_in_sheet_and_row_order(layouts):   # (layouts: its rule codes)
    findings = [blocked("D29", "三、（七）总计", "自然人"), blocked("J6", "一、本年新收政府信息公开申请数量", "总计", "t3-row-total"),
                typed("83件"), blocked("J29", "三、（七）总计", "总计"),
                Finding(code="test-t2", severity="error", table="二", message="二、主动公开!C5：某项有误", sheet="二、主动公开",
                        cell="C5", expected=3, found=4)]
    problems = group_findings(findings)
    assert [p.root.cell for p in problems] == ["C5", "D6"]          # 二 before 三, each root once
    assert sorted(k.cell for k in problems[1].blocked) == ["D29", "J29", "J6"]
    assert root_count(findings) == 2
    text = finding_line(2, problems[1].root, blocked=problems[1].blocked)
    assert "因此以下3项合计或校验暂无法正确进行" in text and f"{S3}!J6（一、本年新收政府信息公开申请数量 / 总计）" in text
    plain = finding_line(1, problems[0].root)
    assert "应为：3；实际：4。" in plain                                  # a value to expect: said once


def test_never_blank_as_an_expectation():
    f = Finding(code="test-x", severity="error", table="三", message="某处有误", expected=None, found="5")
    assert "应为" not in finding_line(1, f)
    f = Finding(code="test-x", severity="error", table="三", message="某处有误", expected=5, found=None)
    assert "应为：5；实际：未填写。" in finding_line(1, f)


def test_who_signs():
    assert office_name("青田县") == "青田县政府信息公开工作主管部门"
    assert office_name("青田县人民政府办公室") == "青田县人民政府办公室"
    assert office_name("") == "政府信息公开工作主管部门"


# ---------------------------------------------------------------- time
def test_beijing_time_the_chinese_way():
    assert timefmt.zh_time("Mon, 19 Jan 2026 07:45:00 +0800") == "2026年1月19日 07:45"
    assert timefmt.zh_time("2026-01-18T23:45:00Z") == "2026年1月19日 07:45"       # UTC the day before
    assert timefmt.local_iso("Mon, 19 Jan 2026 07:45:00 +0800") == "2026-01-19T07:45:00+08:00"
    assert timefmt.zh_time("2026-01-18T23:45:00Z", timefmt.zone("UTC")) == "2026年1月18日 23:45"


def test_deadline_is_the_end_of_the_day_in_beijing():
    day = dt.date(2026, 1, 20)
    assert timefmt.is_late("2026-01-20T23:59:59+08:00", day) is False
    assert timefmt.is_late("2026-01-21T00:00:00+08:00", day) is True
    assert timefmt.is_late("2026-01-20T16:30:00Z", day) is True                     # 00:30 on the 21st
    assert timefmt.is_late(None, day) is None and timefmt.is_late("2026-01-30T00:00:00Z", None) is None


@given(st.datetimes(min_value=dt.datetime(1992, 1, 1), max_value=dt.datetime(2090, 1, 1),
                    timezones=st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=-5)),
                                               dt.timezone(dt.timedelta(hours=8))])))
def test_local_iso_keeps_the_instant(t):
    # (from 1992: China kept summer time 1986–1991, +09:00)
    shown = timefmt.local_iso(t)
    assert shown.endswith("+08:00")
    assert timefmt.parse(shown) == t.replace(microsecond=0)


# ---------------------------------------------------------------- help language
def test_help_language_and_halves():
    assert lang_from(["consolidate", "--help"], environ={}) == "zh"
    assert lang_from(["--lang", "en", "--help"], environ={}) == "en"
    assert lang_from(["--lang=en"], environ={"LANG": "zh_CN.UTF-8"}) == "en"
    assert lang_from([], environ={"LANG": "en_US.UTF-8"}) == "en"
    assert lang_from([], environ={"LANG": "C.UTF-8"}) == "zh"
    text = "汇总各单位报回的文件：报送情况、反馈意见。 / Consolidate an inbox\n    of returned files."
    assert pick(text, "zh") == "汇总各单位报回的文件：报送情况、反馈意见。"
    assert pick(text, "en") == "Consolidate an inbox of returned files."
    assert pick("单位名单（默认：roster.csv）", "en") == "单位名单（默认：roster.csv）"


def test_usage_errors_translated():
    assert translate_error("No such option: --deadlin (Possible options: --deadline)") == \
        "没有选项 --deadlin（您是否要用：--deadline）"
    assert translate_error("Missing option '--year'.") == "缺少必填选项 --year"
    assert translate_error("Invalid value for '--year': 'abc' is not a valid integer.") == "'--year' 的值无效：“abc”不是整数"
    assert translate_error("something new") == "something new"


def test_reply_subjects_never_contradict():
    ours = "回复：回复：报送2025年政府信息公开年报（未通过校验，请修改后重新报送）"
    assert _subject("accepted", 2025, "某局", ours, resubmitted=True) == "回复：报送2025年政府信息公开年报（修改后的文件已采用）"
    assert _subject("rejected", 2025, "某局", "RE: 年报（已采用）") == "回复：年报（未通过校验，请修改后重新报送）"
    assert _subject("rejected", 2025, "某局", "年报", template=True) == "回复：年报（请使用附上的新模板重新报送）"
    assert _subject("accepted", 2025, "某局", "") == "2025年度政府信息公开工作年度报告已采用（某局）"
