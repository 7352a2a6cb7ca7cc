"""Glued rows that more than one split fits, told apart by the table's own rules.

A glued row (module glued) is placed on its own only when exactly one split fits its digits and
its row totals. When several do, the table still knows more: in 三 the （七）总计 row is the sum
of the result rows, column by column, and 一 + 二 = （七） + 四 (勾稽); in 四 each 总计 is the sum of
its four results. So: when every other cell of the table was read, each combination of the
ambiguous rows' splits is put in the table and every rule of the table is run. Only when exactly
one combination makes every rule hold are those rows placed (and said as import-split-inferred,
naming the table's rules). A published table whose rules do not hold — a wrong total anywhere —
has no combination that fits, or more than one: nothing is placed from it, never a guess.

The other way round, too: a row whose one fitting split was taken on the strength of its own
total is only as good as that total. A published total that is wrong can make a false split the
only one that fits (25|0|14|0|2|0 published with 总计 50 fits 25|0|1|4|0|20|50). So a split
inferred from the arithmetic is confirmed by the table: when a rule of the table whose every cell
was read does not hold and it involves a row split by inference (not one digit a column), that
row is taken out again, with the reason — the published numbers do not add up, so the arithmetic
cannot tell where the row's numbers divide.
"""
from __future__ import annotations

import itertools

from gaixl.importers.numbers import read_value
from gaixl.importers.placing import Placed, Unplaced
from gaixl.spec.rules import CellRef, expand_checks

MAX_COMBINATIONS = 50_000      # beyond it the rows stay not placed (said with their own reason)


def resolve_by_table_rules(mapped) -> int:
    """Place the ambiguous glued rows of `mapped` (gaixl.importers.mapper.Mapped) that the
    table's rules decide. Returns the number of rows placed."""
    placed_rows = 0
    by_table: dict[str, list[dict]] = {}
    for amb in mapped.ambiguous:
        by_table.setdefault(amb["table"], []).append(amb)
    for tkey, rows in by_table.items():
        t = mapped.layout.tables[tkey]
        open_rows = {a["row"] for a in rows}
        if len(open_rows) != len(rows):
            continue                                  # a row met twice: nothing is certain
        known: dict[CellRef, float] = {}
        complete = True
        for r in t.data_rows:
            if r.key in open_rows:
                continue
            for c in t.data_columns:
                p = mapped.cells.get((tkey, r.key, c.key))
                if p is None or not isinstance(p.value, (int, float)):
                    complete = False
                known[CellRef(tkey, r.key, c.key)] = p.value if p is not None and p.value is not None else 0
        if not complete:
            continue                                  # the rules need every other cell of the table
        checks = [ch for ch in expand_checks(mapped.layout) if all(ref.table == tkey for ref in ch.refs())]
        if not checks:
            continue
        total = 1
        for a in rows:
            total *= len(a["splits"])
        if total > MAX_COMBINATIONS:
            continue
        fitting = []
        for combo in itertools.product(*(a["splits"] for a in rows)):
            values = dict(known)
            for a, split in zip(rows, combo):
                for c, part in zip(t.data_columns, split):
                    values[CellRef(tkey, a["row"], c.key)] = int(part)
            if all(ch.run_on(values)[0] for ch in checks):
                fitting.append(combo)
                if len(fitting) > 1:
                    break
        if len(fitting) != 1:
            continue
        for a, split in zip(rows, fitting[0]):
            r = next(x for x in t.data_rows if x.key == a["row"])
            rk = t.data_key(r, t.data_columns[0])[0]
            for c, part in zip(t.data_columns, split):
                value, note = read_value(part, c.kind)
                mapped.cells[(tkey, r.key, c.key)] = Placed(value=value, text=part, where=a["where"], note=note)
            mapped.unplaced = [u for u in mapped.unplaced if not (u.table == t.group and u.row == rk)]
            mapped.inferred.append({"table": t.group, "row": rk, "digits": a["digits"], "split": list(split),
                                    "where": a["where"], "by": "table", "tkey": tkey, "rkey": r.key})
            mapped.rows_seen.add((tkey, r.key))
            placed_rows += 1
    return placed_rows


def confirm_inferred(mapped) -> int:
    """Take out the rows split by inference that a failing rule of their table involves (see the
    module's docstring). Returns the number of rows taken out."""
    layout = mapped.layout
    by_table: dict[str, list[dict]] = {}
    for g in mapped.inferred:
        if "tkey" in g and len(g["digits"]) > len(g["split"]):
            by_table.setdefault(g["tkey"], []).append(g)
    out = 0
    for tkey, rows in by_table.items():
        t = layout.tables[tkey]
        values: dict[CellRef, float] = {}
        for r in t.data_rows:
            for c in t.data_columns:
                p = mapped.cells.get((tkey, r.key, c.key))
                if p is not None and isinstance(p.value, (int, float)):
                    values[CellRef(tkey, r.key, c.key)] = p.value
        # rows still ambiguous: their possible splits stand in for the cells not read
        open_rows = {a["row"]: a["splits"] for a in mapped.ambiguous if a["table"] == tkey
                     and (tkey, a["row"], t.data_columns[0].key) not in mapped.cells}
        suspects: set[str] = set()
        for ch in expand_checks(layout):
            refs = ch.refs()
            if not refs or not all(ref.table == tkey for ref in refs):
                continue
            unknown = sorted({ref.row for ref in refs if ref not in values})
            if any(rk not in open_rows for rk in unknown):
                continue                               # a cell nothing is known of: the rule cannot tell
            if _can_hold(ch, values, t, unknown, open_rows):
                continue
            rows_in = {ref.row for ref in refs}
            suspects |= {g["rkey"] for g in rows if g["rkey"] in rows_in}
        if not suspects:
            continue
        for g in [g for g in rows if g["rkey"] in suspects]:
            r = next(x for x in t.data_rows if x.key == g["rkey"])
            for c in t.data_columns:
                mapped.cells.pop((tkey, r.key, c.key), None)
                rk, ck = t.data_key(r, c)
                mapped.unplaced.append(Unplaced(
                    t.group, rk, ck, f"原文该行各数字连写在一起（“{g['digits']}”），按本行合计拆为{'|'.join(g['split'])}，"
                    "但本表的合计或勾稽关系不成立，无法确认数字的拆分，未导入",
                    f"the row's digits run together ({g['digits']}); the split {'|'.join(g['split'])} fits its own "
                    "total, but the table's totals do not hold, so the split cannot be confirmed; not imported",
                    value=g["digits"] if c is t.data_columns[0] else None, where=g["where"]))
            mapped.inferred.remove(g)
            out += 1
    return out


def _can_hold(check, values: dict, t, unknown: list[str], open_rows: dict) -> bool:
    """Whether some choice among the open rows' possible splits makes the rule hold (True, too,
    when there are too many choices to try: no row is taken out on a guess)."""
    refs = check.refs()
    # only the cells the rule reads matter: a column total reads one cell of each row, so a row's
    # many splits come down to the few numbers they put in that column
    choices = []
    for rk in unknown:
        cols = [i for i, c in enumerate(t.data_columns) if CellRef(t.key, rk, c.key) in refs]
        choices.append(sorted({tuple((i, int(split[i])) for i in cols) for split in open_rows[rk]}))
    total = 1
    for ch in choices:
        total *= len(ch)
    if total > MAX_COMBINATIONS:
        return True
    for combo in itertools.product(*choices):
        trial = dict(values)
        for rk, picked in zip(unknown, combo):
            for i, v in picked:
                trial[CellRef(t.key, rk, t.data_columns[i].key)] = v
        if check.run_on(trial)[0]:
            return True
    return False
