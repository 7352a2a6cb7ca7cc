"""Rule expressions: one text, compiled to an Excel formula and evaluated in Python.

The little language (see templates/*.yaml):
    new + carried_in == results_total + carried_out      names are row or column keys
    sum(natural..other)                                  a range of keys, in table order
    t3.new.natural                                       table.row.column, fully qualified
    +, -, *, ( ), ==, !=, <, <=, >, >=, and, or, not, sum(), abs(), min(), max(), numbers
In a rule with `for_each: column` a bare name is a row (the column is the one being checked);
with `for_each: row` a bare name is a column. Equality is compared after rounding to 4
decimals in both Python and Excel, so the template and the validator cannot disagree on
amounts such as 0.1 + 0.2.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable

from gaixl.errors import RuleError
from gaixl.spec.model import CellRef, Column, Layout, RuleSpec, Table

# ---------------------------------------------------------------- parsing
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(\.\.|==|!=|<=|>=|[-+*/(),<>]))")
_FUNCS = {"sum", "abs", "min", "max"}


def _tokens(text: str, where: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise RuleError(f"cannot read rule expression at {text[pos:pos + 10]!r} in {text!r}", where=where,
                            zh=f"无法解析规则表达式{text!r}中自{text[pos:pos + 10]!r}起的内容")
        pos = m.end()
        num, name, op = m.groups()
        if num is not None:
            out.append(("num", num))
        elif name is not None:
            out.append(("kw", name) if name in ("and", "or", "not") else ("name", name))
        else:
            out.append(("op", op))
    return out


class _Parser:
    def __init__(self, text: str, where: str):
        self.text, self.where = text, where
        self.toks = _tokens(text, where)
        self.i = 0

    def peek(self, *vals: str) -> bool:
        return self.i < len(self.toks) and self.toks[self.i][1] in vals

    def take(self):
        if self.i >= len(self.toks):
            raise RuleError(f"rule expression ends too early: {self.text!r}", where=self.where,
                            zh=f"规则表达式不完整（提前结束）：{self.text!r}")
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, val: str):
        tok = self.take()
        if tok[1] != val:
            raise RuleError(f"expected {val!r} but found {tok[1]!r} in {self.text!r}", where=self.where,
                            zh=f"规则表达式{self.text!r}中此处应为{val!r}，实际为{tok[1]!r}")

    def parse(self):
        node = self.or_()
        if self.i != len(self.toks):
            raise RuleError(f"unexpected {self.toks[self.i][1]!r} in {self.text!r}", where=self.where,
                            zh=f"规则表达式{self.text!r}中出现多余的{self.toks[self.i][1]!r}")
        return node

    def or_(self):
        node = self.and_()
        while self.peek("or"):
            self.take()
            node = ("or", node, self.and_())
        return node

    def and_(self):
        node = self.not_()
        while self.peek("and"):
            self.take()
            node = ("and", node, self.not_())
        return node

    def not_(self):
        if self.peek("not"):
            self.take()
            return ("not", self.not_())
        return self.cmp()

    def cmp(self):
        node = self.add()
        if self.peek("==", "!=", "<", "<=", ">", ">="):
            op = self.take()[1]
            node = ("cmp", op, node, self.add())
        return node

    def add(self):
        node = self.mul()
        while self.peek("+", "-"):
            op = self.take()[1]
            node = ("bin", op, node, self.mul())
        return node

    def mul(self):
        node = self.unary()
        while self.peek("*", "/"):
            op = self.take()[1]
            node = ("bin", op, node, self.unary())
        return node

    def unary(self):
        if self.peek("-"):
            self.take()
            return ("neg", self.unary())
        return self.atom()

    def atom(self):
        kind, val = self.take()
        if kind == "num":
            return ("num", float(val) if "." in val else int(val))
        if kind == "name":
            if val in _FUNCS and self.peek("("):
                self.take()
                args = [self.arg()]
                while self.peek(","):
                    self.take()
                    args.append(self.arg())
                self.expect(")")
                return ("call", val, args)
            return ("name", val)
        if val == "(":
            node = self.or_()
            self.expect(")")
            return node
        raise RuleError(f"unexpected {val!r} in {self.text!r}", where=self.where,
                        zh=f"规则表达式{self.text!r}中出现无法识别的{val!r}")

    def arg(self):
        if (self.i + 2 < len(self.toks) + 1 and self.toks[self.i][0] == "name" and self.i + 1 < len(self.toks)
                and self.toks[self.i + 1][1] == ".."):
            a = self.take()[1]
            self.take()
            kind, b = self.take()
            if kind != "name":
                raise RuleError(f"a range needs a key after '..' in {self.text!r}", where=self.where,
                                zh=f"规则表达式{self.text!r}中，区间的“..”之后须为键名")
            return ("range", a, b)
        return self.or_()


def parse(text: str, where: str = "") -> tuple:
    """Parse a rule expression into a small tuple tree (names not yet resolved)."""
    return _Parser(text, where).parse()


# ---------------------------------------------------------------- resolved form

def _resolve(node: tuple, layout: Layout, table: Table, axis: str | None, fixed: str | None, where: str) -> tuple:
    """Replace names by ("ref", CellRef) and ranges by lists of refs."""
    kind = node[0]

    def ref(row: str, col: str, tname: str | None = None) -> tuple:
        t = layout.tables.get(tname or table.key)
        if t is None:
            raise RuleError(f"rule names unknown table {tname!r}", where=where,
                            zh=f"规则引用了不存在的表格{tname!r}")
        rows = {r.key for r in t.data_rows}
        cols = {c.key for c in t.data_columns}
        if row not in rows or col not in cols:
            missing = row if row not in rows else col
            raise RuleError(f"rule names a cell that does not exist: {missing!r} in table {t.key}", where=where,
                            zh=f"规则引用了不存在的单元格：表格{t.key}中没有{missing!r}")
        return ("ref", CellRef(t.key, row, col))

    def bare(name: str) -> tuple:
        if axis == "column":
            return ref(name, fixed)
        if axis == "row":
            return ref(fixed, name)
        raise RuleError(f"name {name!r} needs table.row.column outside for_each", where=where,
                        zh=f"名称{name!r}不在for_each规则中，须写成“表格.行.列”（table.row.column）形式")

    if kind == "num":
        return node
    if kind == "name":
        parts = node[1].split(".")
        if len(parts) == 1:
            return bare(parts[0])
        if len(parts) == 2:
            return ref(parts[0], parts[1])
        if len(parts) == 3:
            return ref(parts[1], parts[2], parts[0])
        raise RuleError(f"cannot read name {node[1]!r}", where=where, zh=f"无法解析名称{node[1]!r}")
    if kind == "range":
        keys = [r.key for r in table.data_rows] if axis == "column" else [c.key for c in table.data_columns]
        if axis is None:
            raise RuleError("a range a..b needs for_each", where=where, zh="区间a..b只能用于设有for_each的规则")
        a, b = node[1], node[2]
        if a not in keys or b not in keys:
            raise RuleError(f"range {a}..{b}: {a if a not in keys else b!r} is not a key of table {table.key}", where=where,
                            zh=f"区间{a}..{b}：{a if a not in keys else b!r}不是表格{table.key}中的键")
        i, j = keys.index(a), keys.index(b)
        if j < i:
            raise RuleError(f"range {a}..{b} runs backwards", where=where, zh=f"区间{a}..{b}首尾颠倒（起点位于终点之后）")
        return ("list", [bare(k) for k in keys[i:j + 1]])
    if kind == "call":
        return ("call", node[1], [_resolve(a, layout, table, axis, fixed, where) for a in node[2]])
    if kind in ("bin", "cmp"):
        return (kind, node[1], _resolve(node[2], layout, table, axis, fixed, where), _resolve(node[3], layout, table, axis, fixed, where))
    if kind in ("and", "or"):
        return (kind, _resolve(node[1], layout, table, axis, fixed, where), _resolve(node[2], layout, table, axis, fixed, where))
    if kind in ("not", "neg"):
        return (kind, _resolve(node[1], layout, table, axis, fixed, where))
    raise RuleError(f"unknown node {kind}", where=where, zh=f"未知的表达式节点类型{kind}")


def column_totals(layout: Layout, table: Table) -> list[tuple[list[int], int]]:
    """The row totals of a table as (indices of the summed data columns, index of the total
    column): from its computed columns (三: one total of six; 四: three totals of four each)."""
    leaves = table.data_columns
    if not table.data_rows:
        return []
    index = {c.key: i for i, c in enumerate(leaves)}
    row = table.data_rows[0].key
    out = []
    for i, c in enumerate(leaves):
        if not c.computed:
            continue
        expr = _resolve(parse(c.computed, c.formula_where or c.where), layout, table, "row", row,
                        c.formula_where or c.where)
        refs = refs_of(expr)
        if refs and all(r.table == table.key and r.row == row and r.col in index for r in refs):
            out.append(([index[r.col] for r in refs], i))
    return out


def refs_of(node: tuple) -> list[CellRef]:
    kind = node[0]
    if kind == "ref":
        return [node[1]]
    if kind == "num":
        return []
    if kind == "list":
        return [r for n in node[1] for r in refs_of(n)]
    if kind == "call":
        return [r for a in node[2] for r in refs_of(a)]
    if kind in ("bin", "cmp"):
        return refs_of(node[2]) + refs_of(node[3])
    return [r for n in node[1:] if isinstance(n, tuple) for r in refs_of(n)]


# ---------------------------------------------------------------- evaluation
def evaluate(node: tuple, get: Callable[[CellRef], float]):
    """Evaluate a resolved expression; `get` gives a cell's number (blank = 0)."""
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "ref":
        return get(node[1])
    if kind == "list":
        return [evaluate(n, get) for n in node[1]]
    if kind == "bin":
        a, b = evaluate(node[2], get), evaluate(node[3], get)
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b if b else 0}[node[1]]()
    if kind == "neg":
        return -evaluate(node[1], get)
    if kind == "cmp":
        return _compare(node[1], evaluate(node[2], get), evaluate(node[3], get))
    if kind == "and":
        return bool(evaluate(node[1], get)) and bool(evaluate(node[2], get))
    if kind == "or":
        return bool(evaluate(node[1], get)) or bool(evaluate(node[2], get))
    if kind == "not":
        return not evaluate(node[1], get)
    if kind == "call":
        vals = []
        for a in node[2]:
            v = evaluate(a, get)
            vals.extend(v if isinstance(v, list) else [v])
        f = node[1]
        if f == "sum":
            return sum(vals)
        if f == "abs":
            return abs(vals[0])
        return min(vals) if f == "min" else max(vals)
    raise ValueError(kind)


def compile_expr(tree: tuple):
    """A resolved expression as a Python function of a dict CellRef → number. Same meaning
    as evaluate(); used where thousands of checks run (validation of many workbooks)."""
    refs: list[CellRef] = []

    def src(node) -> str:
        kind = node[0]
        if kind == "num":
            return repr(node[1])
        if kind == "ref":
            refs.append(node[1])
            return f"v[R[{len(refs) - 1}]]"
        if kind == "tuple":
            return f"({src(node[1])}, {src(node[2])})"
        if kind == "list":
            return "+".join(src(n) for n in node[1]) or "0"
        if kind == "neg":
            return f"(-{src(node[1])})"
        if kind == "bin":
            if node[1] == "/":
                raise ValueError("division")
            return f"({src(node[2])}{node[1]}{src(node[3])})"
        if kind == "call" and node[1] == "sum":
            return "(" + ("+".join(src(a) for a in node[2]) or "0") + ")"
        if kind == "call" and all(a[0] != "list" for a in node[2]):
            return f"{node[1]}({','.join(src(a) for a in node[2])})"
        if kind == "cmp":
            return f"C({node[1]!r}, {src(node[2])}, {src(node[3])})"
        if kind in ("and", "or"):
            return f"(bool({src(node[1])}) {kind} bool({src(node[2])}))"
        if kind == "not":
            return f"(not {src(node[1])})"
        raise ValueError(kind)

    try:
        body = src(tree)
    except ValueError:
        return lambda v, tree=tree: (tuple(evaluate(n, v.__getitem__) for n in tree[1:]) if tree[0] == "tuple"
                                     else evaluate(tree, v.__getitem__))
    env = {"__builtins__": {}, "abs": abs, "min": min, "max": max, "bool": bool, "C": _compare, "R": tuple(refs)}
    return eval(f"lambda v: {body}", env)  # noqa: S307 — the source is built above from a parsed tree


def _compare(op: str, a, b) -> bool:
    # The difference rounded to 4 decimals, as the Excel side does (ROUND(a-b,4) op 0).
    try:
        d = round(a - b, 4)
    except OverflowError:        # an integer beyond any double met a float: compare as doubles
        d = round(_double(a) - _double(b), 4)
    if op == "==":
        return d == 0
    if op == "!=":
        return d != 0
    if op == "<":
        return d < 0
    if op == "<=":
        return d <= 0
    if op == ">":
        return d > 0
    return d >= 0


# ---------------------------------------------------------------- Excel
def to_excel(node: tuple, addr: Callable[[CellRef], str], legacy: bool = False) -> str:
    """The same expression as an Excel formula body (no leading '=').

    Every cell is read through SUM(): SUM skips text (and blanks) in a reference in Excel, WPS,
    LibreOffice and Gnumeric alike, so a cell holding text counts 0 in every program — while
    plain arithmetic converts some text (“3”, and in Gnumeric even “３” or “1,000”) and turns
    other text into #VALUE!, differently in each. Text in a number cell is an error of its own
    (the template counts it, gaixl.workbook.grid), so the verdict never depends on how a program
    converts text. `legacy` gives the formulas of templates generated before (plain '+'), which
    the reader still accepts as unaltered."""
    kind = node[0]
    if kind == "num":
        return str(node[1])
    if kind == "ref":
        return addr(node[1]) if legacy else f"SUM({addr(node[1])})"
    if kind == "list":
        if legacy:
            return "+".join(to_excel(n, addr, legacy) for n in node[1])
        return f"SUM({','.join(addr(n[1]) for n in node[1])})"
    if kind == "bin":
        return f"{_wrap(node[2], addr, legacy)}{node[1]}{_wrap(node[3], addr, legacy)}"
    if kind == "neg":
        return f"-{_wrap(node[1], addr, legacy)}"
    if kind == "cmp":
        op = {"==": "=", "!=": "<>"}.get(node[1], node[1])
        return f"ROUND(({to_excel(node[2], addr, legacy)})-({to_excel(node[3], addr, legacy)}),4){op}0"
    if kind in ("and", "or"):
        return f"{kind.upper()}({to_excel(node[1], addr, legacy)},{to_excel(node[2], addr, legacy)})"
    if kind == "not":
        return f"NOT({to_excel(node[1], addr, legacy)})"
    if kind == "call":
        if node[1] == "sum":
            if legacy:
                return "(" + "+".join(to_excel(a, addr, legacy) for a in node[2]) + ")"
            args = []
            for a in node[2]:
                if a[0] == "ref":
                    args.append(addr(a[1]))
                elif a[0] == "list":
                    args += [addr(n[1]) for n in a[1]]
                else:
                    args.append(to_excel(a, addr, legacy))
            return f"SUM({','.join(args)})"
        return f"{node[1].upper()}({','.join(to_excel(a, addr, legacy) for a in node[2])})"
    raise ValueError(kind)


def _wrap(node: tuple, addr, legacy: bool = False) -> str:
    s = to_excel(node, addr, legacy)
    return f"({s})" if node[0] in ("bin",) else s


# ---------------------------------------------------------------- checks
@dataclass(frozen=True)
class Check:  # noqa: PLW1641 (cached_property needs __dict__: frozen dataclasses have one)
    """One instance of a rule: e.g. t3-balance for the column 自然人."""

    rule: RuleSpec
    table: str
    instance: str | None      # the row or column key this instance is for
    expr: tuple
    at: CellRef               # the cell a finding points at

    @property
    def id(self) -> str:
        """Unique per instance: the rule and the cell a finding points at."""
        return f"{self.rule.id}[{self.at.table}.{self.at.row}.{self.at.col}]"

    def refs(self) -> list[CellRef]:
        return refs_of(self.expr)

    def run(self, get: Callable[[CellRef], float]) -> tuple[bool, float | None, float | None]:
        """(ok, found, expected): for a comparison, found is the side holding `at`."""
        e = self.expr
        if e[0] != "cmp":
            return bool(evaluate(e, get)), None, None
        left, right = evaluate(e[2], get), evaluate(e[3], get)
        ok = _compare(e[1], left, right)
        if self._at_right:
            left, right = right, left
        return ok, _num(left), _num(right)

    def run_on(self, values: dict) -> tuple[bool, float | None, float | None]:
        """As run(), on a dict CellRef → number holding every cell (fast: compiled once)."""
        fn = self._compiled
        e = self.expr
        if e[0] != "cmp":
            return bool(fn(values)), None, None
        left, right = fn(values)
        ok = _compare(e[1], left, right)
        if self._at_right:
            left, right = right, left
        return ok, _num(left), _num(right)

    @cached_property
    def _compiled(self):
        e = self.expr
        if e[0] == "cmp":
            return compile_expr(("tuple", e[2], e[3]))
        return compile_expr(e)

    @cached_property
    def _at_right(self) -> bool:
        e = self.expr
        return self.at in refs_of(e[3]) and self.at not in refs_of(e[2])

    def excel(self, addr: Callable[[CellRef], str]) -> str:
        return to_excel(self.expr, addr)


def _double(v) -> float:
    """v as the double a spreadsheet holds: beyond the largest one, ±infinity."""
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def _num(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, float):
        return round(v, 4)
    return v


def computed_rules(layout: Layout) -> list[RuleSpec]:
    """The checks implied by computed cells: a given total must equal its formula."""
    out = []
    for t in layout.tables.values():
        for c in t.data_columns:
            if c.computed and c.rule is not None:           # (load_layout requires a rule for each)
                out.append(RuleSpec(id=c.rule["id"], severity="error", tables=(t.key,), for_each="row",
                                    check=f"{c.key} == {c.computed}", at=c.key, hint=c.rule["message"],
                                    message=c.rule["message"], message_en=c.rule.get("message_en", c.rule["message"]),
                                    where=c.where, check_where=c.formula_where))
        for r in t.data_rows:
            if r.computed and r.rule is not None:
                out.append(RuleSpec(id=r.rule["id"], severity="error", tables=(t.key,), for_each="column",
                                    check=f"{r.key} == {r.computed}", at=r.key, hint=r.rule["message"],
                                    message=r.rule["message"], message_en=r.rule.get("message_en", r.rule["message"]),
                                    where=r.where, check_where=r.formula_where))
    return out


def _instances(rule: RuleSpec, table: Table) -> Iterable[str | None]:
    if rule.for_each == "column":
        keys = [c.key for c in table.data_columns]
    elif rule.for_each == "row":
        keys = [r.key for r in table.data_rows]
    else:
        return [None]
    return [k for k in keys if not rule.only or k in rule.only]


def all_rules(layout: Layout) -> list[RuleSpec]:
    """Every RuleSpec: the explicit rules and those implied by computed cells."""
    return computed_rules(layout) + list(layout.rules)


def expand_rule(layout: Layout, rule: RuleSpec) -> list[Check]:
    where = rule.check_where or rule.where
    tree = parse(rule.check, where)
    out = []
    for tname in rule.tables:
        table = layout.tables[tname]
        for inst in _instances(rule, table):
            expr = _resolve(tree, layout, table, rule.for_each, inst, where)
            if rule.at:
                at_node = _resolve(("name", rule.at), layout, table, rule.for_each, inst, rule.where)
                at = at_node[1]
            else:
                refs = refs_of(expr)
                if not refs:
                    raise RuleError(f"rule {rule.id} refers to no cell", where=where,
                                    zh=f"规则{rule.id}未引用任何单元格")
                at = refs[0]
            out.append(Check(rule=rule, table=tname, instance=inst, expr=expr, at=at))
    return out


_CHECKS: dict[int, tuple[Layout, list[Check]]] = {}


def expand_checks(layout: Layout) -> list[Check]:
    """Every check instance of a layout: computed-cell rules first, then the explicit rules."""
    hit = _CHECKS.get(id(layout))
    if hit is None or hit[0] is not layout:   # id() may be reused by a later layout object
        hit = _CHECKS[id(layout)] = (layout, [c for r in all_rules(layout) for c in expand_rule(layout, r)])
    return hit[1]


_COMPUTED: dict[int, tuple[Layout, dict]] = {}


def computed_cells(layout: Layout) -> dict[CellRef, tuple]:
    """Formula of every computed cell. Where a computed row meets a computed column, the
    column's formula (the row total) is used: both give the same number. Cached per layout."""
    hit = _COMPUTED.get(id(layout))
    if hit is not None and hit[0] is layout:
        return hit[1]
    out = _computed_cells(layout)
    _COMPUTED[id(layout)] = (layout, out)
    return out


def _computed_cells(layout: Layout) -> dict[CellRef, tuple]:
    out: dict[CellRef, tuple] = {}
    for t in layout.tables.values():
        for r in t.data_rows:
            if r.computed:
                tree = parse(r.computed, r.formula_where or r.where)
                for c in t.data_columns:
                    out[CellRef(t.key, r.key, c.key)] = _resolve(tree, layout, t, "column", c.key, r.formula_where or r.where)
        for c in t.data_columns:
            if c.computed:
                tree = parse(c.computed, c.formula_where or c.where)
                for r in t.data_rows:
                    out[CellRef(t.key, r.key, c.key)] = _resolve(tree, layout, t, "row", r.key, c.formula_where or c.where)
    return out


def input_cells(layout: Layout) -> list[tuple[CellRef, Column]]:
    """Every cell a department types (not computed), with its column (for its kind)."""
    formulas = computed_cells(layout)
    return [(ref, c) for t in layout.tables.values() for r in t.data_rows for c in t.data_columns
            if (ref := CellRef(t.key, r.key, c.key)) not in formulas]


def compute(layout: Layout, get_input: Callable[[CellRef], float],
            fixed: dict[CellRef, float] | None = None) -> dict[CellRef, float]:
    """Values of all computed cells from the inputs (blank inputs count 0). `fixed` holds
    computed cells whose formula a user replaced: their value is the given one, and the
    totals built on them use it, as the spreadsheet does."""
    formulas = computed_cells(layout)
    memo: dict[CellRef, float] = dict(fixed or {})

    def get(ref: CellRef) -> float:
        if ref in formulas:
            if ref not in memo:
                memo[ref] = _num(evaluate(formulas[ref], get))
            return memo[ref]
        return get_input(ref)

    for ref in formulas:
        get(ref)
    return memo
