"""gaixl.data.json_text writes exactly what json.dumps(ensure_ascii=False, indent=1) writes."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaixl.report.data import json_text

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner),
    st.dictionaries(st.text(max_size=8), inner, max_size=4),
    st.dictionaries(st.one_of(st.integers(), st.booleans(), st.none()), inner, max_size=3)), max_leaves=25)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(values)
def test_same_text_as_json_dumps(obj):
    assert json_text(obj) == json.dumps(obj, ensure_ascii=False, indent=1)


def test_chinese_and_control_characters():
    obj = {"三": {"一、本年新收": {"自然人": 3, "总计": 3.5}}, "text": ["第一段\n\t\"引号\"\u2028", []], "e": {}}
    assert json_text(obj) == json.dumps(obj, ensure_ascii=False, indent=1)


def test_what_json_cannot_write_fails_the_same_way():
    import pytest

    with pytest.raises(TypeError):
        json_text({"a": object()})
