"""The fast plain-workbook writer (summary.xlsx): what Excel-compatible readers see in it."""
from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaixl.workbook.sheetxml import BOLD, BORDER, HEAD, SheetSpec, col_letter, xlsx_bytes


def test_col_letter():
    assert [col_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == \
        ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


def _book(rows, **kw):
    spec = SheetSpec("三", iter(rows), widths=[(0, 0, 12), (1, 1, 30)], heights={0: 90}, freeze=(1, 2), **kw)
    return xlsx_bytes([spec, SheetSpec("四", iter([(["x"], 0)]))], title="汇总", created=datetime(2021, 1, 2, 3, 4, 5))


def test_values_styles_and_layout_read_back():
    data = _book([(["单位代码", "单位名称", "一、本年新收｜自然人"], HEAD),
                  (["A1", "甲局 & <乙>", 3], BORDER),
                  (["A2", "控制\x01字符", 2.5], BORDER),
                  (["合计", "合计", None], BOLD)])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["三", "四"]
    ws = wb["三"]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [
        ["单位代码", "单位名称", "一、本年新收｜自然人"], ["A1", "甲局 & <乙>", 3], ["A2", "控制\ufffd字符", 2.5],
        ["合计", "合计", None]]
    assert ws.freeze_panes == "C2"
    assert ws["A1"].font.b and ws["A1"].alignment.wrap_text and ws["A1"].border.left.style == "thin"
    assert not ws["A2"].font.b and ws["B2"].border.bottom.style == "thin"
    assert ws["A4"].font.b
    assert ws.column_dimensions["B"].width == 30 and ws.row_dimensions[1].height == 90
    assert wb.properties.title == "汇总" and wb.properties.created == datetime(2021, 1, 2, 3, 4, 5)


def test_same_input_same_bytes():
    rows = [(["a", 1, 2.0], BORDER)] * 3
    assert _book(rows) == _book(rows)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.integers(-10**12, 10**12),
                                   st.floats(allow_nan=False, allow_infinity=False, width=64),
                                   st.text(max_size=40)), min_size=1, max_size=6), min_size=1, max_size=8))
def test_any_cells_round_trip(rows):
    wb = openpyxl.load_workbook(io.BytesIO(_book([(r, BORDER) for r in rows])))
    got = [[c.value for c in r] for r in wb["三"].iter_rows(max_col=max(map(len, rows)))]
    for want, have in zip(rows, got):
        for w, h in zip(want, have):
            if isinstance(w, str):
                # XML 1.0 cannot hold control characters: they come back as U+FFFD; "" reads as None
                w = "".join("\ufffd" if (ord(ch) < 32 and ch not in "\t\n\r") or ch in "\ufffe\uffff" else ch
                            for ch in w).replace("\r\n", "\n").replace("\r", "\n") or None
                h = h.replace("\r\n", "\n").replace("\r", "\n") if isinstance(h, str) else h
            assert h == w or (isinstance(w, float) and h == pytest.approx(w))


@pytest.mark.engine
def test_libreoffice_reads_it(soffice, tmp_path):
    from gaixl.workbook.engine import convert

    src = tmp_path / "s.xlsx"
    src.write_bytes(xlsx_bytes([SheetSpec("三", iter([(["代码", "数"], HEAD), (["A1", 7], BORDER), (["合计", 7.5], BOLD)]))]))
    csv = convert(src, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "out")   # 76: UTF-8
    assert csv.read_text(encoding="utf-8-sig").splitlines() == ["代码,数", "A1,7", "合计,7.5"]
