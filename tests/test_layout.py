"""Layout files: loading, the labels of the spec, and the errors a layout author gets."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gaixl.errors import LayoutError, RuleError, UsageError
from gaixl.spec.load import available_layouts, layout_for_year, load_layout, parse_layout, templates_dir

SRC_2021 = (templates_dir() / "2021.yaml").read_text(encoding="utf-8")

HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
T3_COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
T3_ROWS_COMMON = [
    "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "三、（一）予以公开", "三、（二）部分公开",
    "三、（三）1.属于国家秘密", "三、（三）2.其他法律行政法规禁止公开", "三、（三）3.危及“三安全一稳定”",
    "三、（三）4.保护第三方合法权益", "三、（三）5.属于三类内部事务信息", "三、（三）6.属于四类过程性信息",
    "三、（三）7.属于行政执法案卷", "三、（三）8.属于行政查询事项", "三、（四）1.本机关不掌握相关政府信息",
    "三、（四）2.没有现成信息需要另行制作", "三、（四）3.补正后申请内容仍不明确", "三、（五）1.信访举报投诉类申请",
    "三、（五）2.重复申请", "三、（五）3.要求提供公开出版物", "三、（五）4.无正当理由大量反复申请",
    "三、（五）5.要求行政机关确认或重新出具已获取信息"]
T3_ROWS_2019 = T3_ROWS_COMMON + ["三、（六）其他处理", "三、（七）总计", "四、结转下年度继续办理"]
T3_ROWS_2021 = T3_ROWS_COMMON + [
    "三、（六）1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "三、（六）2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "三、（六）3.其他", "三、（七）总计", "四、结转下年度继续办理"]
T4 = [(g, c) for g in ("行政复议", "未经复议直接起诉", "复议后起诉") for c in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]


def data_keys(layout, group):
    keys = {}
    for t in layout.tables_in_group(group):
        for _r, _c, (rk, ck) in t.cells():
            keys.setdefault(rk, []).append(ck)
    return keys


def test_two_formats_and_their_years():
    ids = [l.id for l in available_layouts()]
    assert ids == ["2019", "2021"]
    assert layout_for_year(2019).id == "2019" and layout_for_year(2020).id == "2019"
    assert layout_for_year(2021).id == "2021" and layout_for_year(2026).id == "2021"
    with pytest.raises(UsageError):
        layout_for_year(2018)
    with pytest.raises(UsageError, match="available: 2019, 2021"):
        load_layout("2030")


@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_sections_and_tables_3_4(lid):
    layout = load_layout(lid)
    assert [s.heading for s in layout.sections] == HEADINGS
    keys = data_keys(layout, "三")
    assert list(keys) == (T3_ROWS_2019 if lid == "2019" else T3_ROWS_2021)
    assert all(cols == T3_COLUMNS for cols in keys.values())
    t3 = layout.tables["t3"]
    assert t3.corner == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert t3.label_columns == 3 and t3.header_depth == 3
    results = t3.rows[2]
    assert results.label == "三、本年度办理结果"
    assert len(results.leaves()) == (20 if lid == "2019" else 22)
    assert [r.label for r in results.children][1] == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    four = [(rk, ck) for rk, cks in data_keys(layout, "四").items() for ck in cks]
    assert four == T4
    t4 = layout.tables["t4"]
    assert [c.label for c in t4.columns] == ["行政复议", "行政诉讼"]
    assert [c.label for c in t4.columns[1].children] == ["未经复议直接起诉", "复议后起诉"]


def test_table_2_labels_2019():
    l = load_layout("2019")
    assert [t.caption for t in l.tables_in_group("二")] == [f"第二十条第（{n}）项" for n in "一五六八九"]
    assert data_keys(l, "二") == {
        "规章": ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
        "规范性文件": ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
        "行政许可": ["上一年项目数量", "本年增/减", "处理决定数量"],
        "其他对外管理服务事项": ["上一年项目数量", "本年增/减", "处理决定数量"],
        "行政处罚": ["上一年项目数量", "本年增/减", "处理决定数量"],
        "行政强制": ["上一年项目数量", "本年增/减", "处理决定数量"],
        "行政事业性收费": ["上一年项目数量", "本年增/减"],
        "政府集中采购": ["采购项目数量", "采购总金额"]}
    assert l.tables["art20_5"].column("delta").kind == "signed"


def test_table_2_labels_2021():
    l = load_layout("2021")
    assert [t.caption for t in l.tables_in_group("二")] == [f"第二十条第（{n}）项" for n in "一五六八"]
    assert data_keys(l, "二") == {
        "规章": ["本年制发件数", "本年废止件数", "现行有效件数"],
        "行政规范性文件": ["本年制发件数", "本年废止件数", "现行有效件数"],
        "行政许可": ["本年处理决定数量"], "行政处罚": ["本年处理决定数量"], "行政强制": ["本年处理决定数量"],
        "行政事业性收费": ["本年收费金额"]}
    fee = l.tables["art20_8"].column("amount")
    assert fee.label == "本年收费金额（单位：万元）" and fee.kind == "amount" and fee.span == 3


def _broken(old: str, new: str) -> str:
    assert old in SRC_2021
    return SRC_2021.replace(old, new, 1)


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("old,new,match", [
    ("    grid: 3\n", "    grid: 3\n    colour: red\n", "unknown key 'colour'"),
    ("tables: [t3]", "tables: [t3, t9]", "unknown table 't9'"),
    ("check: new + carried_in == results_total + carried_out", "check: new + carried_in == results_totl + carried_out",
     "does not exist: 'results_totl'"),
    ("computed: sum(natural..other)", "computed: sum(natural..nobody)", "'nobody' is not a key"),
    ("check: new + carried_in == results_total + carried_out", "check: new + + == carried_out", "unexpected"),
    ("kind: count, span: 3}", "kind: counts, span: 3}", "unknown cell kind 'counts'"),
])
def test_layout_errors_say_file_and_line(old, new, match):
    text = _broken(old, new)
    with pytest.raises(LayoutError, match=match) as ei:
        parse_layout(text, "templates/broken.yaml")
    where = ei.value.where
    assert where.startswith("templates/broken.yaml:")
    line = int(where.split(":")[1])
    # the reported line is the line of the mistake itself (for a rule: its check/computed expression)
    assert line == _line_of(text, new.strip().splitlines()[-1].strip()), (where, new)


@pytest.mark.parametrize("old,new", [
    ("check: new + carried_in == results_total + carried_out", "check: new + carried_in == results_totl + carried_out"),
    ("check: new + carried_in == results_total + carried_out", "check: new + + == carried_out"),
    ("computed: sum(natural..other)", "computed: sum(natural..nobody)"),
    ("computed: sum(rev_upheld..rev_pending)", "computed: sum(rev_upheld..rev_nobody)"),
])
def test_rule_error_points_at_the_expression(old, new):
    # Not the rule's first line (id:), nor the mapping: the line and column where the expression starts.
    text = _broken(old, new)
    with pytest.raises(LayoutError) as ei:
        parse_layout(text, "templates/broken.yaml")
    _path, line, col = ei.value.where.rsplit(":", 2)
    expr = new.split(": ", 1)[1]
    start = text.index(new) + len(new) - len(expr)
    assert int(line) == text[:start].count("\n") + 1
    assert int(col) == start - text.rfind("\n", 0, start)


def test_rule_error_is_a_layout_error():
    text = _broken("check: new + carried_in == results_total + carried_out", "check: nobody == 1")
    with pytest.raises(RuleError):
        parse_layout(text, "x.yaml")


def test_duplicate_key_and_bad_yaml():
    with pytest.raises(LayoutError, match="duplicate key"):
        parse_layout(SRC_2021.replace('id: "2021"', 'id: "2021"\nid: "x"'), "d.yaml")
    with pytest.raises(LayoutError, match="not valid YAML") as ei:
        parse_layout("id: [\n", "bad.yaml")
    assert ei.value.where.startswith("bad.yaml:")


def test_layout_files_round_trip_through_yaml():
    # The files are plain YAML: loading and dumping keeps every key (no custom tags).
    for p in sorted(Path(templates_dir()).glob("*.yaml")):
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
        again = yaml.safe_load(yaml.safe_dump(doc, allow_unicode=True))
        assert again == doc
        parse_layout(yaml.safe_dump(doc, allow_unicode=True), str(p))


def test_the_form_digest_ignores_what_does_not_shape_the_workbook():
    # Templates in circulation carry the digest: a heading variant for the importer, a history
    # link or a what-to-do text must not mark them all "changed"; a label must.
    base = parse_layout(SRC_2021, "a.yaml").digest
    assert parse_layout("# a comment\n" + SRC_2021, "b.yaml").digest == base
    more = SRC_2021.replace("    heading_words: [总体]\n", "    heading_words: [总体, 概述]\n    heading_variants: [工作概述]\n")
    assert more != SRC_2021 and parse_layout(more, "c.yaml").digest == base
    todo = SRC_2021.replace("    todo: 请核对该列各项数字", "    todo: 请逐项核对该列各项数字")
    assert todo != SRC_2021 and parse_layout(todo, "d.yaml").digest == base
    relabel = SRC_2021.replace("label: 1.属于国家秘密,", "label: 1.属于国家的秘密,")
    assert relabel != SRC_2021 and parse_layout(relabel, "e.yaml").digest != base
