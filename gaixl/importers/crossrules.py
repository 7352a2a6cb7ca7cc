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
only one that fits (25|0|14|0|2|0 published with 总计 50 fits 25|0|1|4|0|20|50). A false split
needs a mistake in its own row, and then leaves the rules of at least two columns failing (the
digits moved change two numbers; one wrong cell sits in the rules of one column only). So a split
that needed the arithmetic (confirm_inferred; a row whose every number is certain from its
digits alone is not such a split) is kept only when
- the table reads consistent: no glued row that no split fits, and some reading of the rows
  still open between splits with which every rule holds; or
- one published mistake accounts for every rule that fails: with some reading of the open rows
  and of the one row no split fits (any split of its digits), every failing rule goes through one
  cell of that row; or else
- the rules across rows pin it: in every column its digits leave open, no rule through that cell
  fails with its number, and one holds with it and with none of the other numbers its digits could
  put there, whatever the open rows and the rows no split fits hold.
Otherwise the row is taken out again, with the reason. 四 has no rule across its rows: its split
stands on its own totals only, and is kept only while every other table of the report reads
consistent. What stays beyond reach: a mistake that another row's other split makes up for
exactly, so that the glued digits are those of a consistent report (tests/test_import_glued.py,
test_a_mistake_made_up_for_by_another_split_reads_as_consistent).
"""
from __future__ import annotations

import itertools

from gaixl.importers.glued import certain_parts, digit_splits, possible_parts
from gaixl.importers.numbers import read_value
from gaixl.importers.placing import Placed, Unplaced
from gaixl.spec.rules import CellRef, expand_checks

MAX_COMBINATIONS = 50_000      # beyond it the rows stay not placed (said with their own reason)
MAX_READINGS = 5_000          # readings of a table's open rows tried for one published mistake


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
    """Keep a split inferred from the arithmetic only where the published table vouches for it
    (see the module's docstring); take out the others, with the reason. Returns the number of
    rows taken out."""
    layout = mapped.layout
    by_table: dict[str, list[dict]] = {}
    for g in mapped.inferred:
        if "tkey" in g and None in certain_parts(g["digits"], len(g["split"])):
            by_table.setdefault(g["tkey"], []).append(g)
    if not by_table:
        return 0
    # whether each table with rules across its rows reads consistent
    consistent = {t.key: _reads_consistent(mapped, t) for t in layout.tables.values()
                  if _cross_checks(layout, t.key) and any((t.key, r.key) in mapped.rows_seen for r in t.data_rows)}
    out = 0
    for tkey, rows in by_table.items():
        t = layout.tables[tkey]
        if _cross_checks(layout, tkey):
            if consistent[tkey] or _one_mistake(mapped, t):
                continue
            doubtful = _unconfirmed(mapped, t, rows)
            why = ("本表的合计或勾稽关系有不成立之处（原文数字可能有误），而该拆分未能由其他行的数值通过本表的合计或勾稽关系印证",
                   "the table's totals or balance do not all hold (the published numbers may be wrong), and no rule "
                   "across its rows confirms the split")
        else:
            # nothing but the row's own totals speaks for the split (四 has no rule across rows):
            # kept only when no other table of the report shows a published mistake
            if all(consistent.values()):
                continue
            doubtful = rows
            why = ("本表没有跨行的合计关系可以印证该拆分，而本报告其他表格的合计或勾稽关系有不成立之处（原文数字可能有误）",
                   "nothing across rows can confirm the split, and other tables of the report do not add up (the "
                   "published numbers may be wrong)")
        if doubtful:
            # rows split by the table's rules were split with the others taken as read: not now
            doubtful += [g for g in rows if g.get("by") == "table" and g not in doubtful]
        for g in doubtful:
            _withdraw(mapped, t, g, why)
            out += 1
    return out


def _cross_checks(layout, tkey: str) -> list:
    """The checks of a table that read cells of more than one of its rows (column totals, 勾稽)."""
    return [ch for ch in _table_checks(layout, tkey) if len({ref.row for ref in ch.refs()}) > 1]


def _table_checks(layout, tkey: str) -> list:
    return [ch for ch in expand_checks(layout) if ch.refs() and all(ref.table == tkey for ref in ch.refs())]


def _placed_values(mapped, t) -> dict[CellRef, float]:
    values: dict[CellRef, float] = {}
    for r in t.data_rows:
        for c in t.data_columns:
            p = mapped.cells.get((t.key, r.key, c.key))
            if p is not None and (p.value is None or isinstance(p.value, (int, float))):
                values[CellRef(t.key, r.key, c.key)] = p.value or 0
    return values


def _split_choices(t, row: str, splits: list[list[str]]) -> dict[CellRef, set[int]]:
    """The numbers each cell of an open row takes among its possible splits."""
    return {CellRef(t.key, row, c.key): {int(s[i]) for s in splits} for i, c in enumerate(t.data_columns)}


def _digit_choices(t, row: str, digits: str) -> dict[CellRef, set[int] | None]:
    """The numbers each cell of a glued row takes among every split of its digits (its own
    total not trusted)."""
    return {CellRef(t.key, row, c.key): v for c, v in zip(t.data_columns, possible_parts(digits, len(t.data_columns)))}


def _open_rows(mapped, t) -> dict[str, list[list[str]]]:
    return {a["row"]: a["splits"] for a in mapped.ambiguous if a["table"] == t.key
            and (t.key, a["row"], t.data_columns[0].key) not in mapped.cells}


def _reads_consistent(mapped, t) -> bool:
    """Whether the published table can be read with every rule holding: no glued row that no
    split fits (a total that does not add up), and some reading of its open rows with which every
    rule holds. Cells nothing is known of (a row not found) leave their rules undecided."""
    if any(u["table"] == t.key and not u["fits"] and (t.key, u["row"], t.data_columns[0].key) not in mapped.cells
           for u in mapped.unsplit):
        return False
    values = _placed_values(mapped, t)
    open_rows = _open_rows(mapped, t)
    choices: dict[CellRef, set[int] | None] = {}
    for u in mapped.unsplit:
        if u["table"] == t.key and u["row"] not in open_rows and (t.key, u["row"], t.data_columns[0].key) not in mapped.cells:
            choices.update(_digit_choices(t, u["row"], u["digits"]))
    for rk, splits in open_rows.items():
        choices.update(_split_choices(t, rk, splits))
    checks = _table_checks(mapped.layout, t.key)
    if any(_can_hold(ch, values, choices) is False for ch in checks):
        return False
    # the open rows together: one reading of all of them must make every rule hold at once
    if not open_rows:
        return True
    total = 1
    for splits in open_rows.values():
        total *= len(splits)
    if total > MAX_COMBINATIONS:
        return True                                   # each rule can hold; more cannot be tried
    known = set(values) | {CellRef(t.key, rk, c.key) for rk in open_rows for c in t.data_columns}
    involved = [ch for ch in checks if any(ref.row in open_rows for ref in ch.refs()) and set(ch.refs()) <= known]
    for combo in itertools.product(*open_rows.values()):
        trial = dict(values)
        for rk, split in zip(open_rows, combo):
            for c, part in zip(t.data_columns, split):
                trial[CellRef(t.key, rk, c.key)] = int(part)
        if all(ch.run_on(trial)[0] for ch in involved):
            return True
    return False


def _one_mistake(mapped, t) -> bool:
    """Whether one published mistake accounts for every rule of the table that fails: some reading
    of its rows (the open ones by one of their possible splits, a row no split fits by any split of
    its digits) with which every rule holds but those through one cell. A false split needs a
    mistake in its own row and leaves the rules of at least two columns failing, so with such a
    reading the splits inferred stand."""
    values = _placed_values(mapped, t)
    open_rows = _open_rows(mapped, t)
    choices: dict[CellRef, set[int] | None] = {}
    misfits = []
    for u in mapped.unsplit:
        if u["table"] != t.key or u["row"] in open_rows or (t.key, u["row"], t.data_columns[0].key) in mapped.cells:
            continue
        if u["fits"]:
            choices.update(_digit_choices(t, u["row"], u["digits"]))
        else:
            misfits.append(u)
    if len(misfits) > 1:
        return False                                  # two rows whose totals do not add up: two mistakes
    rows: dict[str, list] = {rk: [[int(v) for v in split] for split in splits] for rk, splits in open_rows.items()}
    for u in misfits:
        found = digit_splits(u["digits"], len(t.data_columns), MAX_READINGS)
        if not found:
            return False
        rows[u["row"]] = found
    total = 1
    for options in rows.values():
        total *= len(options)
    if total > MAX_READINGS:
        return False                                  # too many readings to try: not shown
    checks = _table_checks(mapped.layout, t.key)
    misfit_cells = {CellRef(t.key, u["row"], c.key) for u in misfits for c in t.data_columns}
    for combo in itertools.product(*rows.values()):
        trial = dict(values)
        for rk, split in zip(rows, combo):
            for c, v in zip(t.data_columns, split):
                trial[CellRef(t.key, rk, c.key)] = v
        # the mistake is in the row that does not add up, when there is one
        common: set | None = set(misfit_cells) if misfit_cells else None
        for ch in checks:
            refs = ch.refs()
            ok = ch.run_on(trial)[0] if all(ref in trial for ref in refs) else _can_hold(ch, trial, choices) is not False
            if not ok:
                common = set(refs) if common is None else common & set(refs)
                if not common:
                    break
        if common is None or common:
            return True
    return False


def _unconfirmed(mapped, t, rows: list[dict]) -> list[dict]:
    """The inferred rows of a table that does not read consistent which the rules across rows do
    not confirm. A row is confirmed when, in every column its digits leave open, no rule across
    rows fails with its number and one of them pins it: holds with it, and with none of the other
    numbers the row's digits could put there, whatever the rows still open hold."""
    values = _placed_values(mapped, t)
    choices: dict[CellRef, set[int] | None] = {}
    open_rows = _open_rows(mapped, t)
    for rk, splits in open_rows.items():
        choices.update(_split_choices(t, rk, splits))
    for u in mapped.unsplit:
        if u["table"] == t.key and u["row"] not in open_rows and (t.key, u["row"], t.data_columns[0].key) not in mapped.cells:
            choices.update(_digit_choices(t, u["row"], u["digits"]))
    checks = _cross_checks(mapped.layout, t.key)
    return [g for g in rows if not _pinned(g, t, checks, values, choices)]


def _pinned(g: dict, t, checks: list, values: dict, choices: dict) -> bool:
    alternatives = possible_parts(g["digits"], len(g["split"]))
    for i, part in enumerate(certain_parts(g["digits"], len(g["split"]))):
        if part is not None:
            continue
        cell = CellRef(t.key, g["rkey"], t.data_columns[i].key)
        mine = int(g["split"][i])
        rules = [ch for ch in checks if cell in ch.refs()]
        if any(_can_hold(ch, values, choices, {cell: mine}) is False for ch in rules):
            return False
        others = alternatives[i]
        if others is None or not any(
                _can_hold(ch, values, choices, {cell: mine})
                and all(_can_hold(ch, values, choices, {cell: v}) is False for v in others - {mine}) for ch in rules):
            return False
    return True


def _withdraw(mapped, t, g: dict, why: tuple[str, str]) -> None:
    """Take an inferred row out again: its cells not placed, each with the reason."""
    r = next(x for x in t.data_rows if x.key == g["rkey"])
    split = "|".join(g["split"])
    for c in t.data_columns:
        mapped.cells.pop((t.key, r.key, c.key), None)
        rk, ck = t.data_key(r, c)
        mapped.unplaced.append(Unplaced(
            t.group, rk, ck, f"原文该行各数字连写在一起（“{g['digits']}”），按本行合计可拆为{split}，但{why[0]}，"
            "无法确认数字的拆分，未导入",
            f"the row's digits run together ({g['digits']}); the split {split} fits its own total, but {why[1]}; "
            "not imported", value=g["digits"] if c is t.data_columns[0] else None, where=g["where"]))
    mapped.inferred.remove(g)


def _can_hold(check, values: dict, choices: dict, fixed: dict | None = None) -> bool | None:
    """Whether the rule holds for some choice of the numbers its open cells could hold; None when
    a cell is unknown or there are too many choices to try."""
    fixed = fixed or {}
    base: dict = {}
    opts: list[tuple] = []
    for ref in set(check.refs()):
        if ref in fixed:
            base[ref] = fixed[ref]
        elif ref in values:
            base[ref] = values[ref]
        elif choices.get(ref):
            opts.append((ref, sorted(choices[ref])))
        else:
            return None
    total = 1
    for _ref, o in opts:
        total *= len(o)
    if total > MAX_COMBINATIONS:
        return None
    trial = dict(base)
    for combo in itertools.product(*(o for _ref, o in opts)):
        for (ref, _o), v in zip(opts, combo):
            trial[ref] = v
        if check.run_on(trial)[0]:
            return True
    return False
