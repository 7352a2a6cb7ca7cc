"""Attachment names: decoding whatever the sender's client did, and sanitising for saving."""
from __future__ import annotations

import zipfile

import mailmsgs as M
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaixl.mail.collect.filenames import (
    MAX_NAME_BYTES,
    MAX_NAME_CHARS,
    decode_words,
    header,
    params,
    safe_name,
    with_suffix,
    zip_member_name,
)
from gaixl.mail.collect.parts import Found, Limits, Skipped, find_workbooks, parse_message

NAME = "331122-01-缙云县人力资源和社会保障局-2020.xlsx"


def names_of(raw: bytes) -> list[str]:
    return [f.name for f in find_workbooks(parse_message(raw), Limits()) if isinstance(f, Found)]


@pytest.mark.parametrize("client", [M.outlook, M.foxmail, M.qqmail, M.netease, M.raw_gbk])
def test_each_clients_chinese_name(client):
    data = M.workbook(0)
    found = [f for f in find_workbooks(parse_message(client(NAME, data)), Limits()) if isinstance(f, Found)]
    assert [f.name for f in found] == [NAME]
    assert found[0].data == data


@pytest.mark.parametrize("client,subject", [(M.outlook, "报送2025年政府信息公开年报"), (M.qqmail, "年报"),
                                            (M.netease, "政府信息公开年报"), (M.foxmail, "年报报送")])
def test_subjects_decoded(client, subject):
    msg = parse_message(client(NAME, b"x", subject=subject))
    assert header(msg, "subject") == subject
    assert header(msg, "from") == "王闻 <wang@dept.example.cn>"


def test_raw_8bit_subject_is_gbk():
    assert header(parse_message(M.raw_gbk(NAME, b"x")), "subject") == "年度报告"


def test_partly_encoded_rfc2231_continuation():
    assert names_of(M.partly_encoded("缙云县财政局", "-2020.xlsx", M.workbook(1))) == ["缙云县财政局-2020.xlsx"]


def test_gb2312_label_decoded_as_gb18030():
    # 𠀀 and 镕 are outside GB2312 (and 镕 outside what strict decoders accept under that label):
    # senders' clients label GBK/GB18030 bytes gb2312 all the time.
    text = "朱镕基𠀀报表.xlsx"
    assert decode_words(M.word("gb2312", text.encode("gb18030"))) == text
    assert decode_words(M.word("GBK", text.encode("gb18030"))) == text


def test_encoded_words_split_mid_character_are_joined():
    raw = "政府信息公开年报.xlsx".encode("gb18030")
    words = " ".join(M.word("gb18030", raw[i:i + 3]) for i in range(0, len(raw), 3))
    assert decode_words(words) == "政府信息公开年报.xlsx"


def test_text_between_words_is_kept():
    assert decode_words(f"附件 {M.word('utf-8', '年报'.encode())} 终稿") == "附件 年报 终稿"


def test_rfc2231_parameters():
    p = params("attachment; filename*0*=UTF-8''%E5%B9%B4; filename*1*=%E6%8A%A5; filename*2=.xlsx; size=12")
    assert p["filename"] == "年报.xlsx" and p["size"] == "12"
    assert params("attachment; filename*=gbk'zh-cn'%C4%EA%B1%A8.xls")["filename"] == "年报.xls"
    assert params('attachment; filename="a;b.xlsx"')["filename"] == "a;b.xlsx"


def test_zip_member_names_gbk_and_utf8():
    z = zipfile.ZipFile(__import__("io").BytesIO(M.zip_gbk({"缙云县公安局.xlsx": b"1"})))
    info = z.infolist()[0]
    assert not info.flag_bits & 0x800
    assert zip_member_name(info) == "缙云县公安局.xlsx"
    buf = __import__("io").BytesIO()
    with zipfile.ZipFile(buf, "w") as w:
        w.writestr("财政局.xlsx", b"1")
    assert zip_member_name(zipfile.ZipFile(buf).infolist()[0]) == "财政局.xlsx"


def test_missing_name_falls_back_to_subject():
    assert names_of(M.nameless("缙云县教育局2025年报", M.workbook(3))) == ["缙云县教育局2025年报.xlsx"]


@pytest.mark.parametrize("hostile,expected", [
    ("../../etc/passwd.xlsx", "passwd.xlsx"),
    ("/etc/cron.d/x.xlsx", "x.xlsx"),
    ("C:\\Windows\\system32\\报表.xlsx", "报表.xlsx"),
    ("..", "附件"),
    ("...xlsx", "xlsx"),
    ("报表..xlsx", "报表.xlsx"),
    ("a/..", "附件"),
    (".hidden.xlsx", "hidden.xlsx"),
    ("a\0b\x1b[31m.xlsx", "ab[31m.xlsx"),
    ("报表\u202excod.xlsx", "报表xcod.xlsx"),
    ("CON.xlsx", "_CON.xlsx"),
    ("a<b>c:d|e?f*.xlsx", "a_b_c_d_e_f_.xlsx"),
    ("x.xlsx.gaixl.json", "x.xlsx.gaixl.json"),
])
def test_safe_name(hostile, expected):
    assert safe_name(hostile) == expected


def test_long_names_are_limited_and_keep_the_extension():
    name = safe_name("年" * 1000 + ".xlsx")
    assert name.endswith(".xlsx") and len(name) <= MAX_NAME_CHARS and len(name.encode()) <= MAX_NAME_BYTES
    assert with_suffix(name, 12).endswith(" (12).xlsx") and len(with_suffix(name, 12).encode()) <= MAX_NAME_BYTES


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_safe_name_is_always_one_safe_component(text):
    name = safe_name(text)
    assert name and "/" not in name and "\\" not in name and "\0" not in name
    assert name not in (".", "..") and not name.startswith(".")
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert all(ord(c) >= 32 for c in name)
    kept = safe_name(text, "年报", ".xlsx")
    assert kept.lower().endswith(".xlsx") and len(kept) > 5 and not kept.startswith(".")
    assert "/" not in kept and ".." not in kept and len(kept.encode("utf-8")) <= MAX_NAME_BYTES


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn")), min_size=1,
               max_size=40).filter(lambda s: s.strip(" .") == s and "/" not in s and "\\" not in s))
def test_every_encoding_round_trips(text):
    """RFC 2231 and RFC 2047 (UTF-8 and GB18030 where representable) give back the name."""
    name = text + ".xlsx"
    for charset in ("utf-8", "gb18030"):
        raw = name.encode(charset)
        pct = __import__("urllib.parse").parse.quote_from_bytes(raw, safe="")
        assert params(f"attachment; filename*={charset}''{pct}")["filename"] == name
        assert decode_words(M.word(charset, raw)) == name


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_garbage_messages_never_raise(data):
    items = list(find_workbooks(parse_message(b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n" + data),
                                Limits()))
    assert all(isinstance(i, (Found, Skipped)) for i in items)


def test_raw_8bit_utf8_name():
    raw = M.with_parts("x", [M.raw_name_part("缙云县教育局.xlsx".encode("utf-8"), M.workbook(0))])
    assert names_of(raw) == ["缙云县教育局.xlsx"]


def skipped_of(raw: bytes, limits: Limits | None = None) -> list[tuple[str, str]]:
    return [(s.name, s.code) for s in find_workbooks(parse_message(raw), limits or Limits()) if isinstance(s, Skipped)]


def test_nested_zips_limited_in_depth():
    wb = M.workbook(0)
    level2 = M.zip_gbk({"二层.xlsx": wb})
    level3 = M.zip_gbk({"三层.zip": M.zip_gbk({"三层.xlsx": wb})})
    outer = M.zip_gbk({"一层.xlsx": wb, "二层.zip": level2, "深.zip": level3})
    raw = M.with_parts("嵌套", [M.simple_part("外层.zip", outer, "application/zip")])
    assert sorted(names_of(raw)) == ["一层.xlsx", "二层.xlsx"]
    assert skipped_of(raw) == [("三层.zip", "zip-too-deep")]


def test_zip_with_too_many_members_is_not_extracted():
    many = M.zip_gbk({f"{i}.xlsx": b"x" for i in range(20)})
    raw = M.with_parts("多", [M.simple_part("多.zip", many, "application/zip")])
    assert skipped_of(raw, Limits(zip_max_members=10)) == [("多.zip", "zip-bomb")]
    assert len(names_of(raw)) == 20


def test_workbook_sniffed_when_the_name_lacks_an_extension():
    raw = M.with_parts("缙云县公安局年报", [M.simple_part("年报", M.workbook(0))])
    assert names_of(raw) == ["年报.xlsx"]
    raw = M.with_parts("缙云县公安局年报", [M.simple_part("附件.bin", M.workbook(0))])
    assert names_of(raw) == ["附件.xlsx"]


@pytest.mark.parametrize("name,suffix,expected", [
    ("报表..xlsx", ".xlsx", "报表.xlsx"),
    ("", ".xlsx", "缙云县年报.xlsx"),
    ("...", ".xls", "缙云县年报.xls"),
    ("年报.XLSX", ".xlsx", "年报.XLSX"),
    ("年报.pdf", ".xlsx", "年报.pdf.xlsx"),
    ("长" * 500 + ".xlsm", ".xlsm", "长" * ((200 - 5) // 3) + ".xlsm"),
])
def test_saved_names_keep_the_workbook_suffix(name, suffix, expected):
    assert safe_name(name, "缙云县年报", suffix) == expected


def test_nameless_part_without_subject():
    raw = M.envelope("", [M.attachment(f"Content-Type: {M.XLSX}", M.workbook(0))])
    found = [f for f in find_workbooks(parse_message(raw), Limits()) if isinstance(f, Found)]
    assert len(found) == 1 and found[0].suffix == ".xlsx"
    assert safe_name(found[0].name, "附件", found[0].suffix) == "附件.xlsx"
