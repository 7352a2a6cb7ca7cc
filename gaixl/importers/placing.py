"""Placing the values of one row in their columns, or saying why not (see gaixl.importers.mapper).

A mixin of the mapper: it reads the mapper's source (how cells were written), the grid header
and the value columns the mapper found, and writes into the mapper's result.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gaixl.importers.glued import MAX_ALTERNATIVES, splits, total_groups
from gaixl.importers.labels import Index, Target
from gaixl.importers.lines import Cell, Line, Source
from gaixl.importers.normalize import loose, norm
from gaixl.importers.numbers import Note, is_value, read_value
from gaixl.spec.model import Layout, Table
from gaixl.spec.rules import column_totals


@dataclass
class Placed:
    value: int | float | None          # None: published blank
    text: str                           # the cell as published
    where: str
    note: Note | None = None
    assumed: bool = False               # column inferred (see module docstring), said as a finding


@dataclass
class Unplaced:
    table: str                          # data-file group (二/三/四) or ""
    row: str | None
    column: str | None
    reason: str
    reason_en: str
    value: str | None = None
    where: str = ""

    def to_json(self) -> dict:
        d = {"table": self.table, "row": self.row, "column": self.column, "reason": self.reason,
             "reason_en": self.reason_en}
        if self.value is not None:
            d["value"] = self.value
        if self.where:
            d["where"] = self.where
        return d


class Placing:
    """The placing half of the mapper (mixed into mapper._Mapper)."""

    # What the mapper provides (set in mapper._Mapper.__init__ and run); declared for the type checker.
    src: Source
    layout: Layout
    others: list[Index]
    ix: Index
    out: Any                                       # mapper.Mapped
    units: dict[str, str]
    section: str
    value_cols: dict[tuple[int, str], set[int]]

    def header_columns(self, table: Table) -> dict[int, int] | None:
        raise NotImplementedError                  # mapper._Mapper's

    # ---------------------------------------------------------------- placing
    def put(self, target: Target, idx: int, cell: Cell, where: str, assumed: bool = False) -> None:
        t = target.table
        col = t.data_columns[idx]
        rk, ck = t.data_key(target.row, col)
        key = (t.key, target.row.key, col.key)
        text = cell.text.strip()
        if not text and self.src.positional:
            # a grid rebuilt from positions shows an empty position where a cell is blank, but
            # also where a number was pushed elsewhere (a long label, a page break): unknown
            self.miss(target, idx, "按位置重建的表格中这一位置没有数值（可能是空白格，也可能是数值错位），未导入",
                      "no number at this position of a grid rebuilt from positions (a blank cell, or a "
                      "shifted number); not imported", where=where)
            return
        if not text:
            value, note = None, None
        elif not is_value(text):
            value, note = None, Note("import-unreadable-value", "warning", f"“{text}”不是数字，未导入",
                                     f"{text!r} is not a number; not imported")
        else:
            value, note = read_value(text, col.kind)
            value, note = self.header_unit(col, text, value, note)
        if key in self.out.cells:
            old = self.out.cells[key]
            if old.value != value:
                self.out.unplaced.append(Unplaced(t.group, rk, ck, f"该单元格在原文中出现两次，取第一次的“{old.text}”，"
                                                  f"另一次为“{text}”", f"the cell appears twice; kept {old.text!r}, "
                                                  f"other {text!r}", value=text, where=where))
            return
        if value is None and text and note is not None:
            self.out.unplaced.append(Unplaced(t.group, rk, ck, note.message, note.message_en, value=text, where=where))
        self.out.cells[key] = Placed(value=value, text=text, where=where, note=note, assumed=assumed)

    def header_unit(self, col, text: str, value, note):
        """A money column whose header prints another unit than the layout's: convert, and say so."""
        hint = self.units.get(loose(norm(col.label)))
        if not isinstance(value, (int, float)) or hint is None or "元" in text:
            return value, note
        if col.kind == "money" and hint == "万元":
            factor, target = Decimal(10000), "元"
        elif col.kind == "amount" and hint == "元":
            factor, target = Decimal("0.0001"), "万元"
        else:
            return value, note
        d = Decimal(repr(value)) * factor
        new = int(d) if d == d.to_integral_value() else float(d)
        return new, Note("import-header-unit", "info", f"原文表头单位为{hint}，“{text}”已换算为{new}{target}",
                         f"the header prints {hint}; {text!r} converted to {new} ({target})")

    def miss(self, target: Target, idx: int | None, reason: str, reason_en: str, value: str | None = None,
             where: str = "") -> None:
        t = target.table
        if idx is None:
            rk = t.data_key(target.row, t.data_columns[0])[0]
            self.out.unplaced.append(Unplaced(t.group, rk, None, reason, reason_en, value=value, where=where))
            return
        rk, ck = t.data_key(target.row, t.data_columns[idx])
        self.out.unplaced.append(Unplaced(t.group, rk, ck, reason, reason_en, value=value, where=where))

    def place(self, target: Target, cells: list[Cell], mode: str, line: Line | None, label_end: int = 0) -> None:
        t = target.table
        where = line.where if line else ""
        n = len(t.data_columns)
        if mode == "grid":
            cols = self.header_columns(t)
            if cols is None and line is not None:
                used = sorted(self.value_cols.get((line.block, t.key), ()))
                if len(used) == n:
                    cols = {c: i for i, c in enumerate(used)}
            if cols is not None and any(c < label_end for c in cols):
                # this row's label stands in a value column: its cells are not where the other
                # rows' are (a row shifted by a wrapped label or a page break), so the columns say nothing
                cols = None
            if cols is not None:
                self.place_by_header(target, cells, cols, where)
                return
            if self.src.positional:
                self.place_positional(target, cells, where)
                return
        # trailing empty cells beyond the table's columns are padding of the copy
        while len(cells) > n and not cells[-1].text.strip():
            cells = cells[:-1]
        digits = self.glued(target, cells)
        if digits is not None:
            self.place_glued(target, digits, where)
            return
        vals = [c for c in cells if c.text.strip()]
        if len(cells) > n:
            shown = "、".join(c.text.strip() or "（空）" for c in cells)
            self.miss(target, None, f"该行有{len(cells)}格（{shown}），多于本表的{n}列，无法确定各数值所在列，未导入",
                      f"the row has {len(cells)} cells for {n} columns; not imported", where=where)
            return
        if len(cells) == n and (mode != "stream" or self.src.explicit_empties or len(vals) == n):
            for i, c in enumerate(cells):
                self.put(target, i, c, where)
            return
        if not vals:
            if mode != "stream" or self.src.explicit_empties:
                for i, c in enumerate(cells):
                    self.put(target, i, c, where)
            for i in range(len(cells) if (mode != "stream" or self.src.explicit_empties) else 0, n):
                self.miss(target, i, "原文该行没有这一格的数值", "no value for this cell in the source", where=where)
            return
        if mode == "stream" and not self.src.explicit_empties:
            self.place_gapped(target, vals, line, where)
            return
        # fewer cells than columns: some were lost on the way, so only the values written one after
        # another from the first column, and a total that is the sum of the others, are certain
        chain = 0
        if any(c.explicit for c in cells):     # empties are shown: a run of values from the start is adjacent
            while chain < len(cells) and cells[chain].text.strip():
                chain += 1
        else:                                   # no empty cell shown at all: only the first is taken as first
            chain = 1
        self.place_short(target, vals, where, chain=chain)

    def glued(self, target: Target, cells: list[Cell]) -> str | None:
        """The digits of a row whose cells ran together, when the row is one: a single run of
        digits at least as long as the table has columns, in a table with row totals (a count of
        millions in one applicant column is not a number these tables hold)."""
        vals = [c.text.strip() for c in cells if c.text.strip()]
        t = target.table
        if (len(vals) == 1 and vals[0].isdigit() and len(t.data_columns) > 1
                and len(vals[0]) >= max(len(t.data_columns), 7) and total_groups(t)):
            return vals[0]
        return None

    def place_glued(self, target: Target, digits: str, where: str) -> None:
        """Place a glued row only when exactly one split fits its digits and its totals (module glued)."""
        t = target.table
        n = len(t.data_columns)
        if not digits.isdigit():
            # 政府集中采购759115.34: a count and an amount run together — where the count ends
            # and the amount begins (7|59115.34, 75|9115.34 …) no rule of the table tells
            for i in range(n):
                self.miss(target, i, f"原文该行各数字连写在一起（“{digits}”），含小数，无法确定各数值的分界，未导入",
                          f"the row's digits run together with a decimal ({digits}); where the numbers divide "
                          "cannot be told; not imported", value=digits if i == 0 else None, where=where)
            return
        found, complete = splits(digits, t)
        rk = t.data_key(target.row, t.data_columns[0])[0]
        if len(found) == 1 and complete:
            for i, part in enumerate(found[0]):
                self.put(target, i, Cell(part), where)
            self.out.inferred.append({"table": t.group, "row": rk, "digits": digits, "split": found[0], "where": where,
                                      "tkey": t.key, "rkey": target.row.key})
            return
        rule = "及本行合计关系" if total_groups(t) else ""
        # the table's rules read this row by its digits' possible splits (crossrules.confirm_inferred)
        self.out.unsplit.append({"table": t.key, "row": target.row.key, "digits": digits, "fits": bool(found)})
        if not found and complete:
            why = (f"原文该行各数字连写在一起（“{digits}”），拆成{n}个数值{rule}的方式一种也没有"
                   + ("（原文本行合计与分项之和可能不符）" if rule else "") + "，未导入")
            why_en = (f"the row's digits run together ({digits}); no split into {n} numbers fits"
                      + (" its total (the published total may be wrong)" if rule else "") + "; not imported")
        elif found and len(found) > 1:
            shown = "；".join("|".join(f) for f in found[:2])
            every, done = splits(digits, t, limit=MAX_ALTERNATIVES + 1)
            if done and len(every) <= MAX_ALTERNATIVES:
                # the table's own rules (column totals, 勾稽) may still tell: glued.resolve_by_table_rules
                self.out.ambiguous.append({"table": t.key, "row": target.row.key, "digits": digits,
                                           "splits": every, "where": where})
            why = f"原文该行各数字连写在一起（“{digits}”），符合{n}列{rule}的拆分不止一种（如{shown}），无法确定，未导入"
            why_en = f"the row's digits run together ({digits}); more than one split fits ({shown}); not imported"
        else:
            why = f"原文该行各数字连写在一起（“{digits}”），可能的拆分过多，无法确定，未导入"
            why_en = f"the row's digits run together ({digits}); too many possible splits; not imported"
        for i in range(n):
            self.miss(target, i, why, why_en, value=digits if i == 0 else None, where=where)

    def place_positional(self, target: Target, cells: list[Cell], where: str) -> None:
        """A grid rebuilt from positions whose columns could not be matched to the table's: the
        order of the values is evidence only when every column holds one."""
        n = len(target.table.data_columns)
        vals = [c for c in cells if c.text.strip()]
        if len(vals) == n:
            for i, c in enumerate(vals):
                self.put(target, i, c, where)
            return
        shown = "、".join(c.text.strip() for c in vals)
        for i in range(n):
            self.miss(target, i, f"未能由位置确定各列（该行有{len(vals)}个数值：{shown}，本表{n}列），这一格未导入",
                      f"the columns could not be told from the positions ({len(vals)} values for {n} columns); "
                      "not imported", where=where)

    def place_gapped(self, target: Target, vals: list[Cell], line: Line | None, where: str) -> None:
        g0 = self.src.typical_gap
        chain = 0
        if vals[0].gap == g0:
            chain = 1
            while chain < len(vals) and vals[chain].gap == g0:
                chain += 1
        self.place_short(target, vals, where, chain=chain)

    def place_short(self, target: Target, vals: list[Cell], where: str, chain: int) -> None:
        """Fewer values than columns, empty cells not shown: place only what is certain."""
        t = target.table
        n = len(t.data_columns)
        placed: dict[int, Cell] = {}
        for i in range(min(chain, n, len(vals))):
            placed[i] = vals[i]
        last_total = t.data_columns[-1].computed and sum(1 for c in t.data_columns if c.computed) == 1
        if len(vals) >= 2 and last_total and (len(vals) - 1) not in range(chain) and n - 1 not in placed:
            nums = []
            for c in vals:
                v, _ = read_value(c.text, "signed")
                nums.append(v if isinstance(v, (int, float)) else None)
            known = [v for v in nums if v is not None]
            if len(known) == len(nums) and abs(sum(known[:-1]) - known[-1]) < 1e-9:
                placed[n - 1] = vals[-1]
        used = {id(c) for c in placed.values()}
        for i, c in placed.items():
            self.put(target, i, c, where, assumed=len(vals) < n)
        left = [c.text.strip() for c in vals if id(c) not in used]
        for i in range(n):
            if i not in placed:
                self.miss(target, i, f"原文该行只有{len(vals)}个数值（空白格未显示），这一格的数值无法确定"
                          + (f"；未能定位的数值：{'、'.join(left)}" if left else ""),
                          f"the row shows {len(vals)} values for {n} columns (empty cells not shown); "
                          f"this cell cannot be determined" + (f"; values not placed: {', '.join(left)}" if left else ""),
                          where=where)

    def place_by_header(self, target: Target, cells: list[Cell], cols: dict[int, int], where: str) -> None:
        n = len(target.table.data_columns)
        done: set[int] = set()
        if self.src.positional and self.suspect_shift(target, cells, cols):
            vals = "、".join(c.text.strip() for c in cells if c.text.strip())
            for i in range(n):
                self.miss(target, i, f"该行有空白格，且按位置读出的合计与分项之和不符，数值可能错位（{vals}），未导入",
                          "the row has blank cells and, read by position, its total is not the sum of its items: "
                          "the numbers may be shifted; not imported", where=where)
            return
        for c in cells:
            if c.col is None:
                continue
            hit = {cols[k] for k in range(c.col, c.col + max(1, c.span)) if k in cols}
            if len(hit) == 1:
                i = hit.pop()
                if i in done:
                    continue
                done.add(i)
                self.put(target, i, c, where)
            elif c.text.strip():
                self.miss(target, None, f"数值“{c.text.strip()}”所在位置没有对应的列标题，未导入",
                          f"no column header above {c.text.strip()!r}; not imported", value=c.text.strip(), where=where)
        for i in range(n):
            if i not in done:
                self.miss(target, i, "原文该行这一列没有单元格", "no cell under this column in the source", where=where)

    def suspect_shift(self, target: Target, cells: list[Cell], cols: dict[int, int]) -> bool:
        """In a grid rebuilt from positions, a row with blank cells can be printed shifted (text
        pushed right by a long label, `pdftotext -layout`), which positions cannot show. Where the
        table has a row total, a total that is not the sum of the items read says so."""
        t = target.table
        leaves = t.data_columns
        # groups of (items, total), from the layout's computed columns: the row total of 三;
        # the three totals of 四
        groups = column_totals(self.layout, t)
        if not groups:
            return False
        got: dict[int, str] = {}
        for c in cells:
            if c.col is None or not c.text.strip():
                continue
            hit = {cols[k] for k in range(c.col, c.col + max(1, c.span)) if k in cols}
            if len(hit) == 1:
                got[hit.pop()] = c.text
        if len(got) >= len(leaves) or not got:
            return False                        # every column filled: the order is certain
        read = {i: read_value(v, "signed")[0] for i, v in got.items()}
        nums = {i: v for i, v in read.items() if isinstance(v, (int, float))}
        if len(nums) < len(read):
            return False
        for items, tot in groups:
            present = [nums[i] for i in items if i in nums]
            total = nums.get(tot)
            if (present or total is not None) and (total is None or abs(total - sum(present)) > 1e-9):
                return True
        return False

    def place_t4(self, cells: list[Cell], mode: str, line: Line | None) -> None:
        t4 = self.ix.bare_table
        if t4 is None or not t4.data_rows:
            return
        target = Target(t4, t4.data_rows[0])
        self.out.rows_seen.add(target.key)
        n = len(t4.data_columns)
        where = line.where if line else ""
        if mode == "grid":
            cols = self.header_columns(t4)
            if cols is not None:
                self.place_by_header(target, cells, cols, where)
                return
        while len(cells) > n and not cells[-1].text.strip():
            cells = cells[:-1]
        digits = self.glued(target, cells)
        if digits is not None:
            self.place_glued(target, digits, where)          # 四's fifteen numbers run together
            return
        vals = [c for c in cells if c.text.strip()]
        if len(cells) == n and not (mode == "grid" and self.src.positional) and (
                mode != "stream" or self.src.explicit_empties or len(vals) == n):
            for i, c in enumerate(cells):
                self.put(target, i, c, where)
            return
        if len(vals) == n:
            for i, c in enumerate(vals):
                self.put(target, i, c, where)
            return
        shown = "、".join(c.text.strip() for c in vals)
        for i in range(n):
            self.miss(target, i, f"表四应有{n}个数值，原文为{len(vals)}个（{shown}），无法确定各数值所在列，未导入",
                      f"table 四 needs {n} values, the source shows {len(vals)}; not imported", where=where)

    def extra_row(self, cells: list[Cell], line: Line | None) -> None:
        label = cells[0].text.strip() if cells else ""
        vals = [c.text.strip() for c in cells[1:] if c.text.strip()]
        if not vals and (self.ix.is_group(norm(label)) or not any(o.match_row(norm(label)) for o in self.others)):
            return          # no numbers: a group label of this format (（六）其他处理 in 2021), or text
        n = norm(label)
        other = next((o.layout.id for o in self.others if o.match_row(n)), None)
        if other:
            reason = f"“{label}”是{other}年版格式的行，不属于{self.layout.id}年版格式，未导入"
            reason_en = f"{label!r} is a row of the {other} format, not of {self.layout.id}; not imported"
        else:
            reason = f"“{label}”不是规定格式中的行，未导入"
            reason_en = f"{label!r} is not a row of the official format; not imported"
        group = "二" if self.section in ("", "二") else self.section
        self.out.unplaced.append(Unplaced(group, label, None, reason, reason_en,
                                          value="、".join(vals) if vals else None, where=line.where if line else ""))
