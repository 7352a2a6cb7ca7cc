"""The valid ranges the fuzz tests hold gaixl to (issue 15), stated once for both the property
tests (tests/test_fuzz_inputs.py) and the campaign (tests/fuzz/campaign.py).

Written here independently of gaixl's own limits (gaixl.report.values.LIMITS): the tests say
what a report may hold, the library must agree — a shared constant would let both drift together.
"""
from __future__ import annotations

import math

# A count is an integer 0–10⁹ (signed: ±10⁹), an amount of money at most 10¹³ (two decimals).
LIMITS = {"count": 10 ** 9, "signed": 10 ** 9, "amount": 10 ** 9, "money": 10 ** 13}
# A computed total adds up to ten items: a value read may be up to ten times its kind's limit.
TOTAL_FACTOR = 10
YEARS = (2008, 2100)          # a report year, inclusive


def out_of_range(data, layout) -> list[str]:
    """Every value of `data` that is not None or a finite number within its kind's range, as
    'table/row/column=value' (empty when all are valid)."""
    bad = []
    for t in layout.tables.values():
        for _r, c, (rk, ck) in t.cells():
            row = data.tables.get(t.group, {}).get(rk)
            v = row.get(ck) if isinstance(row, dict) else None
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                    or abs(v) > LIMITS[c.kind] * TOTAL_FACTOR:
                bad.append(f"{t.group}/{rk}/{ck}={v!r:.40}")
    return bad


def year_ok(year) -> bool:
    return type(year) is int and YEARS[0] <= year <= YEARS[1]
