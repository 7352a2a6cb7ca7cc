"""values.py: one cell as a department typed it → (value, problem)."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gaixl.report.values import XlError, format_signed, loose_label, norm_label, parse_cell, parse_date


def code(raw, kind="count"):
    v, p = parse_cell(raw, kind)
    return v, (p.code if p else None), (p.severity if p else None)


@pytest.mark.parametrize("raw,kind,expected", [
    (3, "count", (3, None, None)),
    (3.0, "count", (3, None, None)),
    (0, "count", (0, None, None)),
    (" 3 ", "count", (3, "cell-text-number", "warning")),
    ("3", "count", (3, "cell-text-number", "warning")),
    ("3.0", "count", (3, "cell-text-number", "warning")),
    ("1,234", "count", (1234, "cell-text-number", "warning")),
    ("3件", "count", (3, "cell-text-number", "warning")),
    ("３", "count", (3, "cell-fullwidth-number", "warning")),
    ("１２", "count", (12, "cell-fullwidth-number", "warning")),
    ("—", "count", (0, "cell-dash", "warning")),
    ("-", "count", (0, "cell-dash", "warning")),
    ("/", "count", (0, "cell-dash", "warning")),
    ("无", "count", (0, "cell-dash", "warning")),
    ("－", "count", (0, "cell-dash", "warning")),
    ("——", "signed", (0, "cell-dash", "warning")),
    (None, "count", (None, None, None)),
    ("", "count", (None, None, None)),
    ("   ", "count", (None, None, None)),
    ("\u3000", "count", (None, None, None)),
    (2.5, "count", (2.5, "cell-not-integer", "error")),
    ("2.5", "count", (2.5, "cell-not-integer", "error")),
    (-1, "count", (-1, "cell-negative", "error")),
    ("-5", "count", (-5, "cell-negative", "error")),
    ("减5", "count", (-5, "cell-negative", "error")),
    ("减5", "signed", (-5, None, None)),
    ("减少5", "signed", (-5, None, None)),
    ("增3", "signed", (3, None, None)),
    ("增加3", "signed", (3, None, None)),
    ("+3", "signed", (3, None, None)),
    ("-5", "signed", (-5, None, None)),
    (-5, "signed", (-5, None, None)),
    (-5.0, "signed", (-5, None, None)),
    ("0", "signed", (0, "cell-text-number", "warning")),
    (1.5, "signed", (1.5, "cell-not-integer", "error")),
    (0.24, "amount", (0.24, None, None)),
    (12, "amount", (12, None, None)),
    (1.234, "amount", (1.234, "cell-amount-precision", "warning")),
    (-1, "amount", (-1, "cell-negative", "error")),
    ("0.24万元", "amount", (0.24, "cell-money-unit", "warning")),
    ("2400元", "amount", (0.24, "cell-money-unit", "warning")),
    ("251000元", "money", (251000, "cell-money-unit", "warning")),
    ("53.29万元", "money", (532900, "cell-money-unit", "warning")),
    (532934.41, "money", (532934.41, None, None)),
    ("三个", "count", (None, "cell-not-number", "error")),
    ("abc", "count", (None, "cell-not-number", "error")),
    ("12abc", "count", (None, "cell-not-number", "error")),
    (True, "count", (None, "cell-not-number", "error")),
    (XlError("#VALUE!"), "count", (None, "cell-not-number", "error")),
    (dt.date(2021, 1, 1), "count", (None, "cell-not-number", "error")),
    (float("nan"), "count", (None, "cell-not-number", "error")),
])
def test_parse_cell(raw, kind, expected):
    assert code(raw, kind) == expected


def test_float_noise_from_excel_is_not_precision():
    # Excel stores a typed 1.05 as 1.0500000000000000444 at worst; 0.1+0.2 lands at 0.30000000000000004.
    assert code(0.1 + 0.2, "amount") == (0.3, None, None)
    assert code(1.0049999999999999, "amount")[1] == "cell-amount-precision"   # typed 1.005


def test_messages_are_chinese_and_english():
    _v, p = parse_cell("—", "count")
    assert "已按0读取" in p.message and "read as 0" in p.message_en
    _v, p = parse_cell("三个", "count")
    assert "不是数字" in p.message and "三个" in p.message
    _v, p = parse_cell(" 3 ", "count")
    assert "“ 3 ”" in p.message


def test_no_negative_zero():
    assert parse_cell("-0", "signed")[0] == 0
    assert str(parse_cell("-0", "signed")[0]) == "0"


@given(st.integers(min_value=0, max_value=10**9))
def test_count_roundtrip(v):
    for text in (v, float(v), str(v), f" {v} ", str(v).translate(str.maketrans("0123456789", "０１２３４５６７８９"))):
        assert parse_cell(text, "count")[0] == v


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_signed_roundtrip(v):
    for text in (v, float(v), format_signed(v), f"{v:+d}", str(v)):
        value, problem = parse_cell(text, "signed")
        assert value == v
        assert problem is None or problem.severity == "warning"
    assert parse_cell(format_signed(v), "signed")[1] is None or v == 0


@given(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False))
def test_amount_roundtrip(d):
    v = float(d)
    value, problem = parse_cell(v, "amount")
    assert value == pytest.approx(v) and problem is None
    value, problem = parse_cell(str(d), "amount")
    assert value == pytest.approx(v) and problem.code == "cell-text-number"


@pytest.mark.parametrize("raw,expected", [
    (44207, "2021-01-11"),
    (44207.5, "2021-01-11"),
    ("2021年1月11日", "2021-01-11"),
    ("2021-01-11", "2021-01-11"),
    ("2021.1.11", "2021-01-11"),
    ("2021/1/11", "2021-01-11"),
    (" 2021 年 1 月 11 日 ", "2021-01-11"),
    ("２０２１年１月１１日", "2021-01-11"),
    ("20210111", "2021-01-11"),
    (dt.date(2021, 1, 11), "2021-01-11"),
    (dt.datetime(2021, 1, 11, 9, 30), "2021-01-11"),
    ("2021-02-30", None),
    ("一月", None),
    ("", None),
    (None, None),
    (-3, None),
])
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


def test_parse_date_1904():
    assert parse_date(42745, date1904=True) == "2021-01-11"


@pytest.mark.parametrize("a,b", [
    ("（二）部分公开(区分处理的，只计这一情况，不计其他情形)", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("1、属于国家秘密", "1.属于国家秘密"),
    ("１．属于国家秘密", "1.属于国家秘密"),
    ('3.危及"三安全一稳定"', "3.危及“三安全一稳定”"),
    ("商业\n企业", "商业企业"),
    ("本年新\n制作数量", "本年新制作数量"),
    ("第二十条 第(一)项", "第二十条第（一）项"),
    ("5.属于三类内容事务信息", "5.属于三类内部事务信息"),
    ("采购项目数", "采购项目数量"),
])
def test_norm_label(a, b):
    assert norm_label(a) == norm_label(b)


def test_loose_label():
    assert loose_label(norm_label("本年收费金额(单位:万元)")) == "本年收费金额"
    assert loose_label(norm_label("现行有效件数（历史累计）")) == "现行有效件数"
    assert loose_label(norm_label("（一）予以公开")) == "（一）予以公开"
