"""Arbitrary input never crashes the importer: it imports, or says (a GaixlError) what it could
not find. Random text built from real labels and numbers, random HTML, random bytes under every
file name, and real files cut short or damaged."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaixl.errors import GaixlError
from gaixl.importers import ImportResult, import_report, import_source
from gaixl.importers.text import text_source

WORDS = ["第二十条第(一)项", "第二十条第（五）项", "信息内容", "本年新", "本年制发件数", "规章", "规范性文件", "行政规范性文件",
         "行政许可", "行政处罚", "政府集中采购", "三、收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量",
         "三、本年度办理结果", "(一)予以公开", "(三)不予公开", "1.属于国家秘密", "3.其他", "(七)总计", "总计", "自然人",
         "四、政府信息公开行政复议、行政诉讼情况", "行政复议", "结果维持", "四、结转下年度继续办理", "一、总体情况",
         "六、其他需要报告的事项", "2021年1月11日", "某局", "0", "3", "减4", "+3", "251000元", "—", "-", "/", "無", "|",
         "||||", " ", "\t", "\n", "\n\n", "1,234", "３", "(jù)", "據", "本年收费金额(单位:万元)"]

settings_ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                             HealthCheck.too_slow])


def outcome(fn) -> ImportResult | None:
    try:
        res = fn()
    except GaixlError as e:
        assert e.message and e.message_zh     # said in both languages
        return None
    assert isinstance(res, ImportResult)
    # never a number where none was published: every placed value is a number or blank
    for rows in res.data.tables.values():
        for cols in rows.values():
            assert all(v is None or isinstance(v, (int, float)) for v in cols.values())
    return res


@settings_
@given(parts=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=120),
       year=st.sampled_from([None, 2019, 2020, 2021, 2025]))
def test_random_text(parts, year):
    text = "".join(p if p in ("\n", "\n\n", "\t", " ") else p + random.Random(len(p)).choice([" | ", "\n", " "])
                   for p in parts)
    outcome(lambda: import_source(text_source(text), year=year))


@settings_
@given(st.text(max_size=3000))
def test_any_unicode_text(text):
    outcome(lambda: import_source(text_source(text), year=2022))


TAGS = ["table", "tr", "td", "th", "p", "div", "br", "span", "script", "style", "nav", "tbody", "h2"]


@st.composite
def html_docs(draw):
    out = []
    for _ in range(draw(st.integers(0, 80))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            tag = draw(st.sampled_from(TAGS))
            attrs = ""
            if tag in ("td", "th"):
                attrs = f' rowspan="{draw(st.sampled_from(["0", "1", "2", "5", "x", "-3", "9999"]))}"' \
                        f' colspan="{draw(st.sampled_from(["1", "3", "", "1.5", "1000"]))}"'
            out.append(f"<{tag}{attrs}>")
        elif kind == 1:
            out.append(f"</{draw(st.sampled_from(TAGS))}>")
        else:
            out.append(draw(st.sampled_from(WORDS)))
    return "".join(out)


@settings_
@given(doc=html_docs())
def test_random_html(tmp_path, doc):
    p = tmp_path / "r.html"
    p.write_text(doc, encoding="utf-8")
    outcome(lambda: import_report(p, year=2021))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4000), suffix=st.sampled_from([".txt", ".html", ".docx", ".pdf", ".doc", ""]))
def test_random_bytes_under_any_name(tmp_path, data, suffix):
    p = tmp_path / f"r{suffix}"
    p.write_bytes(data)
    outcome(lambda: import_report(p, year=2020))


def _real_files(shared, tmp: Path) -> list[Path]:
    """The seed as text, and as HTML, Word and PDF rendered by gaixl itself."""
    import json

    from gaixl.document import render

    files = [shared / "seed" / "2020-jinyun-hrss-as-scraped.txt"]
    data = json.loads((shared / "samples" / "2020-jinyun-hrss.json").read_text(encoding="utf-8"))
    data["text"] = {"一、总体情况": ["概述。"], "五、存在的主要问题及改进情况": ["无。"]}   # required: else no report
    src = tmp / "seed.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for suffix in (".html", ".docx", ".pdf"):     # PDF through LibreOffice: callers take the soffice fixture
        out, _ = render(src, tmp / f"seed{suffix}")
        files.append(Path(out))
    return files


@pytest.mark.parametrize("how", ["truncate", "damage", "shuffle"])
def test_real_files_cut_short_or_damaged(shared, tmp_path, how, soffice):
    rnd = random.Random(how)
    for f in _real_files(shared, tmp_path):
        raw = f.read_bytes()
        for i in range(12):
            if how == "truncate":
                data = raw[: rnd.randrange(len(raw))]
            elif how == "damage":
                b = bytearray(raw)
                for _ in range(rnd.randrange(1, 40)):
                    b[rnd.randrange(len(b))] = rnd.randrange(256)
                data = bytes(b)
            else:
                lines = raw.split(b"\n")
                rnd.shuffle(lines)
                data = b"\n".join(lines)
            p = tmp_path / f"cut{i}{f.suffix}"
            p.write_bytes(data)
            outcome(lambda p=p: import_report(p, year=2020))


@settings_
@given(rows=st.lists(st.lists(st.sampled_from(WORDS + ["", "5", "12"]), min_size=1, max_size=12), min_size=1, max_size=25),
       spans=st.lists(st.tuples(st.integers(-1, 30), st.integers(-1, 14), st.integers(0, 5), st.integers(0, 5)), max_size=6),
       positional=st.booleans())
def test_random_grids_from_any_reader(rows, spans, positional):
    """Whatever grid a reader (HTML, Word, PDF, spaced text) hands over, the mapper copes."""
    from gaixl.importers.blocks import Para, Table
    from gaixl.importers.lines import block_lines

    src = block_lines([Para("二、主动公开政府信息情况"), Table(rows=rows, spans=spans)], positional=positional)
    outcome(lambda: import_source(src, year=2021))
