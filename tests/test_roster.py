"""Rosters as departments really save them: UTF-8, UTF-8 with BOM, GBK CSV, and .xlsx."""
from __future__ import annotations

import openpyxl
import pytest

from gaixl.errors import RosterError
from gaixl.report.roster import read_roster

ROWS = "code,name,email,parent\n331122-01, 缙云县人力资源和社会保障局 ,hr@jinyun.gov.cn,331122\n\n ,,, \n331122-02,缙云县财政局,cz@jinyun.gov.cn,\n"
EXPECTED = [
    {"code": "331122-01", "name": "缙云县人力资源和社会保障局", "email": "hr@jinyun.gov.cn", "parent": "331122"},
    {"code": "331122-02", "name": "缙云县财政局", "email": "cz@jinyun.gov.cn", "parent": ""},
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_every_encoding_excel_writes(tmp_path, encoding):
    p = tmp_path / "roster.csv"
    p.write_text(ROWS, encoding=encoding)
    assert read_roster(p) == EXPECTED


def test_gbk_with_chinese_headers_and_crlf(tmp_path):
    p = tmp_path / "名单.csv"
    p.write_bytes("单位代码,单位名称,电子邮箱,上级\r\n001,某某乡人民政府,x@y.cn,\r\n002,某某镇人民政府,,001\r\n".encode("gbk"))
    units = read_roster(p)
    assert [u["name"] for u in units] == ["某某乡人民政府", "某某镇人民政府"]
    assert units[1] == {"code": "002", "name": "某某镇人民政府", "email": "", "parent": "001"}


def test_short_chinese_headers_any_order_no_parent(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("邮箱,名称,代码\na@b.cn,甲局,A1\n", encoding="utf-8-sig")
    assert read_roster(p) == [{"code": "A1", "name": "甲局", "email": "a@b.cn", "parent": ""}]


def test_xlsx_roster_first_sheet(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位代码", "单位名称", "电子邮箱", "上级"])
    ws.append([331122, " 缙云县教育局 ", "jy@jinyun.gov.cn", None])
    ws.append([None, None, None, None])
    ws.append(["331122-09", "缙云县卫生健康局", None, "331122"])
    wb.create_sheet("其他").append(["code", "name", "email"])
    p = tmp_path / "roster.xlsx"
    wb.save(p)
    assert read_roster(p) == [
        {"code": "331122", "name": "缙云县教育局", "email": "jy@jinyun.gov.cn", "parent": ""},
        {"code": "331122-09", "name": "缙云县卫生健康局", "email": "", "parent": "331122"},
    ]


def test_missing_required_column_names_file_and_line(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("\ncode,name\n1,甲\n", encoding="utf-8")
    with pytest.raises(RosterError, match="email") as e:
        read_roster(p)
    assert e.value.where == f"{p}:2"


def test_duplicate_code_names_both_lines(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("code,name,email\n1,甲,\n2,乙,\n1,丙,\n", encoding="utf-8")
    with pytest.raises(RosterError, match="duplicate code '1' .first on line 2.") as e:
        read_roster(p)
    assert e.value.where == f"{p}:4"


def test_empty_name_is_an_error(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("code,name,email\n1,甲,\n2, ,b@c.cn\n", encoding="utf-8")
    with pytest.raises(RosterError, match="empty name") as e:
        read_roster(p)
    assert e.value.where == f"{p}:3"


def test_unreadable_inputs(tmp_path):
    with pytest.raises(RosterError, match="not found"):
        read_roster(tmp_path / "none.csv")
    p = tmp_path / "empty.csv"
    p.write_text("\n \n", encoding="utf-8")
    with pytest.raises(RosterError, match="empty"):
        read_roster(p)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(RosterError, match="cannot open"):
        read_roster(bad)
