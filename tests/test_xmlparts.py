"""The cell picker of xmlparts: its possessive regular expression picks exactly what the plain
(backtracking) form of the same expression picks, on any run of cells a sheet may hold."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gaixl.workbook.xmlparts import _SIMPLE

# The expression as it was before its quantifiers were made possessive: the reference.
_PLAIN = re.compile(rb'<c r="([A-Z]+[0-9]+)"(?: s="[0-9]+")?(?: t="([a-zA-Z]+)")?>'
                    rb'(?:<f(?: [a-zA-Z]+="[^"]*")*>([^<]*)</f>)?'
                    rb'(?:<v>([^<]*)</v>)?(?:<is><t(?: xml:space="preserve")?>([^<]*)</t></is>)?</c>')

_bits = st.sampled_from([b"", b"A", b"AB", b"1", b"12", b"a", b"$", b'"', b"<", b">", b"/", b" ", b"=", b"x",
                         b"&#26657;", b"&amp;", b"s", b"t", b"n", b"inlineStr", b"preserve"])
_text = st.lists(_bits, max_size=4).map(b"".join)
_addr = st.one_of(st.sampled_from([b"A1", b"D7", b"AA10", b"a1", b"A", b"1", b"A1B", b""]), _text)
_attr_s = st.one_of(st.just(b""), st.builds(lambda v: b' s="' + v + b'"', st.sampled_from([b"5", b"12", b"", b"x"])))
_attr_t = st.one_of(st.just(b""), st.builds(lambda v: b' t="' + v + b'"',
                                           st.sampled_from([b"s", b"n", b"str", b"inlineStr", b"b", b"e", b"", b"1"])))
_formula = st.one_of(st.just(b""), st.builds(lambda a, f: b"<f" + a + b">" + f + b"</f>",
                                             st.sampled_from([b"", b' t="shared" si="0"', b' ref="A1"', b" t=x"]),
                                             _text))
_value = st.one_of(st.just(b""), st.builds(lambda v: b"<v>" + v + b"</v>", _text), st.just(b"<v/>"))
_inline = st.one_of(st.just(b""), st.builds(lambda p, v: b"<is><t" + p + b">" + v + b"</t></is>",
                                            st.sampled_from([b"", b' xml:space="preserve"', b" x"]), _text))
_end = st.sampled_from([b"</c>", b"</c>", b"/>", b"", b"</c", b"</v></c>"])
_cell = st.builds(lambda a, s, t, f, v, i, e: b'<c r="' + a + b'"' + s + t + b">" + f + v + i + e,
                  _addr, _attr_s, _attr_t, _formula, _value, _inline, _end)
_piece = st.one_of(_cell, _cell, _text, st.sampled_from([b'<row r="1">', b"</row>", b'<c r="B4" s="5"/>', b"<c>"]))


@settings(max_examples=400, deadline=None)
@given(st.lists(_piece, max_size=12).map(b"".join))
def test_the_possessive_picker_picks_what_the_plain_one_does(sheet):
    assert _SIMPLE.findall(sheet) == _PLAIN.findall(sheet)


def test_the_picker_on_the_forms_spreadsheet_programs_write():
    sheet = (b'<row r="7"><c r="D7" s="3"><v>12</v></c><c r="E7" s="4"><f>SUM(D7:D9)</f><v>30</v></c>'
             b'<c r="F7" t="inlineStr"><is><t xml:space="preserve"> &#26657; </t></is></c>'
             b'<c r="G7" s="2" t="s"><v>5</v></c><c r="H7" s="5"/><c r="I7" s="25" t="n"></c>'
             b'<c r="J7"><f t="shared" si="0"/><v>1</v></c></row>')
    found = _SIMPLE.findall(sheet)
    assert found == _PLAIN.findall(sheet)
    assert [m[0] for m in found] == [b"D7", b"E7", b"F7", b"G7", b"I7"]   # J7's <f …/> is not this form
    assert found[1] == (b"E7", b"", b"SUM(D7:D9)", b"30", b"")
    assert found[2][4] == b" &#26657; "
