"""Rule expressions: the same text evaluated in Python and compiled to Excel."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gaixl.errors import RuleError
from gaixl.spec.load import load_layout
from gaixl.spec.rules import CellRef, compute, evaluate, expand_checks, parse, to_excel


def test_parse_and_evaluate_arithmetic():
    tree = parse("1 + 2 * 3 == 7 and not 1 > 2")
    assert evaluate(tree, lambda r: 0) is True
    assert evaluate(parse("abs(-3) + max(1, 4) - min(2, 5)"), lambda r: 0) == 5


@pytest.mark.parametrize("bad", ["1 +", "a ==", "(1", "sum(a..)", "1 $ 2"])
def test_parse_errors(bad):
    with pytest.raises(RuleError):
        parse(bad, "here")


def test_excel_formula_of_balance_rule():
    layout = load_layout("2021")
    check = next(c for c in expand_checks(layout) if c.id == "t3-balance[t3.results_total.natural]")
    f = check.excel(lambda r: f"{r.row}!{r.col}")
    assert f == ("ROUND((SUM(new!natural)+SUM(carried_in!natural))"
                 "-(SUM(results_total!natural)+SUM(carried_out!natural)),4)=0")
    # templates of earlier versions wrote plain arithmetic; the reader still accepts it
    assert to_excel(check.expr, lambda r: f"{r.row}!{r.col}", legacy=True) == \
        "ROUND((new!natural+carried_in!natural)-(results_total!natural+carried_out!natural),4)=0"
    assert check.at == CellRef("t3", "results_total", "natural")


def test_check_ids_are_unique():
    for lid in ("2019", "2021"):
        ids = [c.id for c in expand_checks(load_layout(lid))]
        assert len(ids) == len(set(ids))
        assert "t4-total[t4.cases.dir_total]" in ids


def test_every_rule_instance_counts():
    l19, l21 = load_layout("2019"), load_layout("2021")
    ids19 = [c.rule.id for c in expand_checks(l19)]
    # 23 row totals, 7 （七）总计 columns, 3 四 totals, 7 balance columns, 5 增/减 warnings
    assert ids19.count("t3-row-total") == 23 and ids19.count("t3-results-total") == 7
    assert ids19.count("t4-total") == 3 and ids19.count("t3-balance") == 7 and ids19.count("t2-items-negative") == 5
    ids21 = [c.rule.id for c in expand_checks(l21)]
    assert ids21.count("t3-row-total") == 25 and "t2-items-negative" not in ids21


counts = st.integers(min_value=0, max_value=10_000)


@given(st.lists(counts, min_size=25 * 6, max_size=25 * 6))
def test_computed_totals_satisfy_their_rules(values):
    layout = load_layout("2021")
    t3 = layout.tables["t3"]
    inputs = {}
    it = iter(values)
    for r in t3.data_rows:
        for c in t3.data_columns:
            if not (r.computed or c.computed):
                inputs[CellRef("t3", r.key, c.key)] = next(it)
    totals = compute(layout, lambda ref: inputs.get(ref, 0))
    allv = {**inputs, **totals}
    for check in expand_checks(layout):
        if check.rule.id in ("t3-row-total", "t3-results-total", "t4-total"):
            ok, _found, _exp = check.run(lambda ref: allv.get(ref, 0))
            assert ok, check.id


def test_python_and_excel_agree_on_rounding():
    # 0.1 + 0.2 == 0.3 must hold on both sides: both round the difference to 4 decimals.
    tree = ("cmp", "==", ("bin", "+", ("num", 0.1), ("num", 0.2)), ("num", 0.3))
    assert evaluate(tree, lambda r: 0) is True
    assert to_excel(tree, str) == "ROUND((0.1+0.2)-(0.3),4)=0"
