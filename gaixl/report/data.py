"""ReportData: the one in-memory form of a report, and its data-file (JSON) form.

Keys are the official labels (design.md, "The data file"), so a person can read the file.
Values are int/float, or None for a blank cell (blank is kept as blank: it is not zero).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gaixl import jsonsafe
from gaixl.errors import DataFileError, InputError
from gaixl.findings import Finding
from gaixl.inputs import read_input
from gaixl.report.values import YEAR_MAX, YEAR_MIN, report_year
from gaixl.spec.load import load_layout
from gaixl.spec.model import Layout
from gaixl.spec.rules import CellRef, compute

# The 基本信息 fields: (key in data["contact"] or a top-level slot, Chinese label).
CONTACT_FIELDS = [
    ("contact", "联系人"),
    ("phone", "联系电话"),
    ("email", "电子邮箱"),
    ("address", "通讯地址"),
    ("postcode", "邮政编码"),
    ("url", "报告电子版网址"),
]


@dataclass
class ReportData:
    layout: str
    year: int
    unit: dict = field(default_factory=lambda: {"code": "", "name": ""})
    tables: dict = field(default_factory=dict)        # group -> row key -> column key -> value
    text: dict = field(default_factory=dict)          # section heading -> [paragraph, …]
    signature: dict = field(default_factory=lambda: {"unit": "", "date": ""})
    contact: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)         # other top-level keys, kept as they came

    # -- cells through the layout
    def value(self, layout: Layout, ref: CellRef):
        group, rk, ck = layout.cell_keys[ref]
        row = self.tables.get(group, {}).get(rk)
        return row.get(ck) if isinstance(row, dict) else None

    def raw_values(self, layout: Layout) -> dict:
        """Every cell of the layout at once: CellRef → value as stored (None when blank)."""
        out = {}
        tables = self.tables
        for ref, (group, rk, ck) in layout.cell_keys.items():
            row = tables.get(group, {}).get(rk)
            out[ref] = row.get(ck) if isinstance(row, dict) else None
        return out

    def set_value(self, layout: Layout, ref: CellRef, v) -> None:
        group, rk, ck = layout.cell_keys[ref]
        self.tables.setdefault(group, {}).setdefault(rk, {})[ck] = v

    def number(self, layout: Layout, ref: CellRef) -> float:
        v = self.value(layout, ref)
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0

    def with_totals(self, layout: Layout) -> "ReportData":
        """A copy whose computed cells are recomputed from the inputs."""
        out = ReportData.from_json(self.to_json(), where="(memory)")
        for ref, v in compute(layout, lambda r: self.number(layout, r)).items():
            out.set_value(layout, ref, v)
        return out

    # -- data file
    def to_json(self, copy: bool = True) -> dict:
        """The data-file form: a deep copy in JSON types, or with copy=False this report's own
        dicts (only to be turned into JSON text at once: nothing copied, nothing to mutate)."""
        d = {"layout": self.layout, "year": self.year, "unit": dict(self.unit), "tables": self.tables,
             "text": self.text, "signature": dict(self.signature)}
        if self.contact:
            d["contact"] = dict(self.contact)
        for k, v in self.extra.items():
            d.setdefault(k, v)
        return json.loads(json.dumps(d, ensure_ascii=False)) if copy else d

    @classmethod
    def from_json(cls, obj: Any, where: str) -> "ReportData":
        """A data file's JSON object → ReportData. Every field's type is checked, and the year's
        range: a wrong type anywhere is one DataFileError naming the field, never a crash later."""
        if not isinstance(obj, dict):
            raise DataFileError("a data file must be a JSON object", where=where, zh="数据文件必须是一个JSON对象")
        for k in ("layout", "year"):
            if k not in obj:
                raise DataFileError(f"the data file lacks {k!r}", where=where, zh=f"数据文件缺少“{k}”项")
        if not isinstance(obj["layout"], str):
            raise _field_error(where, "layout", "the format id as text, e.g. \"2021\"", "文本形式的格式编号（如“2021”）",
                               obj["layout"])
        year = report_year(obj["year"])
        if year is None:
            raise _field_error(where, "year", f"a whole number from {YEAR_MIN} to {YEAR_MAX}",
                               f"{YEAR_MIN}至{YEAR_MAX}之间的整数", obj["year"])
        unit = _text_fields(obj.get("unit"), where, "unit", ("code", "name"))
        tables = obj.get("tables") or {}
        if not isinstance(tables, dict) or not all(isinstance(v, dict) for v in tables.values()):
            raise DataFileError("tables must be an object of tables", where=where,
                                zh="“tables”（表格数据）必须是由各表格组成的对象")
        for group, rows in tables.items():
            for rk, cols in rows.items():
                if isinstance(cols, dict):
                    for ck, v in cols.items():
                        if isinstance(v, (dict, list)):
                            raise _field_error(where, f"tables.{group}.{rk}.{ck}", "a number, text or null",
                                               "数值、文本或null", v)
        text = obj.get("text") or {}
        if not isinstance(text, dict):
            raise DataFileError("text must be an object of section heading → paragraphs", where=where,
                                zh="“text”（文字部分）必须是“部分标题→段落”形式的对象")
        paras = {}
        for k, v in text.items():
            if isinstance(v, str):
                paras[k] = [v]
            elif v is None or (isinstance(v, list) and all(isinstance(p, str) for p in v)):
                paras[k] = list(v or [])
            else:
                raise _field_error(where, f"text.{k}", "a paragraph or a list of paragraphs (text)",
                                   "段落文本或段落文本的列表", v)
        signature = _text_fields(obj.get("signature"), where, "signature", ("unit", "date"))
        contact = _text_fields(obj.get("contact"), where, "contact", None)
        known = {"layout", "year", "unit", "tables", "text", "signature", "contact"}
        return cls(layout=obj["layout"], year=year, unit=unit, tables=json.loads(json.dumps(tables)), text=paras,
                   signature=signature, contact=contact,
                   extra={k: v for k, v in obj.items() if k not in known})

    @classmethod
    def empty(cls, layout: Layout, year: int, code: str = "", name: str = "") -> "ReportData":
        d = cls(layout=layout.id, year=year, unit={"code": code, "name": name},
                signature={"unit": name, "date": ""})
        for t in layout.tables.values():
            for _r, _c, (rk, ck) in t.cells():
                d.tables.setdefault(t.group, {}).setdefault(rk, {})[ck] = None
        for s in layout.text_sections:
            d.text[s.heading] = []
        return d


MAX_DATA_FILE = 20 * 1024 * 1024       # a full report's data file is about 20 KB


def _show(v: Any) -> str:
    text = json.dumps(v, ensure_ascii=False) if not isinstance(v, float) or v == v else "NaN"
    return text if len(text) <= 40 else text[:37] + "…"


def _field_error(where: str, name: str, expected: str, expected_zh: str, found: Any) -> DataFileError:
    return DataFileError(f"field {name!r} must be {expected}, not {_show(found)}", where=where,
                         zh=f"“{name}”项应为{expected_zh}，不能是{_show(found)}")


def _text_fields(v: Any, where: str, name: str, keys: tuple[str, ...] | None) -> dict:
    """An object of short texts (unit, signature, contact): numbers become text (a code typed
    as 331122), anything else — a list, an object, true, 1e308 — is refused by field."""
    if v is None:
        v = {}
    if not isinstance(v, dict):
        raise _field_error(where, name, "an object of texts", "由文本组成的对象", v)
    out = {}
    for k in keys or v.keys():
        x = v.get(k)
        if x is None:
            out[k] = ""
        elif isinstance(x, str):
            out[k] = x
        elif isinstance(x, int) and not isinstance(x, bool) and abs(x) < 10 ** 30:
            out[k] = str(x)
        else:
            raise _field_error(where, f"{name}.{k}", "text", "文本", x)
    return out


def load_data_file(path: str | Path) -> ReportData:
    """A data file (.json, the contract of shared/design.md) → ReportData; DataFileError when
    it cannot be read or does not follow the contract."""
    p = Path(path)
    try:
        raw = read_input(p, MAX_DATA_FILE)      # a regular file only: never blocks on a FIFO
    except InputError as e:
        raise DataFileError(e.message, where=e.where, zh=e.message_zh) from None
    try:
        obj = jsonsafe.loads(raw)
    except UnicodeDecodeError:
        raise DataFileError("not UTF-8 text", where=str(p), zh="不是UTF-8编码的文本文件") from None
    except json.JSONDecodeError as e:
        raise DataFileError(f"not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})", where=str(p),
                            zh=f"不是有效的JSON格式（第{e.lineno}行第{e.colno}列有误）") from None
    except jsonsafe.JSONError as e:
        raise DataFileError(f"not a usable data file: {e.reason}", where=str(p),
                            zh=f"不是可用的数据文件：{e.reason_zh}") from None
    data = ReportData.from_json(obj, where=str(p))
    load_layout(data.layout)  # unknown layout → UsageError naming the available ones
    return data


class _NotPlain(Exception):
    """Something json.dumps would handle in its own way (non-str keys, subclasses …)."""


def json_text(obj: Any) -> str:
    """json.dumps(obj, ensure_ascii=False, indent=1), the same text, about twice as fast: with an
    indent the standard library falls back to its pure-Python encoder, and a consolidation writes
    thousands of data files. Anything but plain JSON values goes to json.dumps itself."""
    enc = json.encoder.encode_basestring
    out: list[str] = []
    append = out.append

    def put(o: Any, pad: str) -> None:
        t = o.__class__
        if t is str:
            append(enc(o))
        elif o is None:
            append("null")
        elif o is True:
            append("true")
        elif o is False:
            append("false")
        elif t is int:
            append(int.__repr__(o))
        elif t is float:
            append(json.dumps(o))               # repr, or NaN/Infinity as json writes them
        elif t is dict:
            if not o:
                append("{}")
                return
            inner = pad + " "
            sep = "{" + inner
            for k, v in o.items():
                if k.__class__ is not str:
                    raise _NotPlain
                append(sep)
                append(enc(k))
                append(": ")
                put(v, inner)
                sep = "," + inner
            append(pad + "}")
        elif t is list or t is tuple:
            if not o:
                append("[]")
                return
            inner = pad + " "
            sep = "[" + inner
            for v in o:
                append(sep)
                put(v, inner)
                sep = "," + inner
            append(pad + "]")
        else:
            raise _NotPlain

    try:
        put(obj, "\n")
    except (_NotPlain, RecursionError):
        return json.dumps(obj, ensure_ascii=False, indent=1)
    return "".join(out)


_FRAMES: dict[int, tuple[Layout, list[str]]] = {}
_SLOT = re.compile(r'"\\u0001(\d+)\\u0002"')


def _tables_frame(layout: Layout) -> list[str]:
    """The text of a complete `tables` object of `layout` (every cell, in cell_keys order) as the
    data file has it, split where the values go: n + 1 pieces around n values."""
    hit = _FRAMES.get(id(layout))
    if hit is not None and hit[0] is layout:
        return hit[1]
    tables: dict = {}
    for i, (group, rk, ck) in enumerate(layout.cell_keys.values()):
        tables.setdefault(group, {}).setdefault(rk, {})[ck] = f"\x01{i}\x02"
    text = json_text({"tables": tables})[len('{\n "tables": '):-len("\n}")]
    parts = _SLOT.split(text)
    pieces, order = parts[0::2], [int(x) for x in parts[1::2]]
    if order != list(range(len(layout.cell_keys))):
        raise ValueError("the layout's cells are not in table order")
    _FRAMES[id(layout)] = (layout, pieces)
    return pieces


def _scalar(v: Any, enc) -> str:
    t = v.__class__
    if t is str:
        return enc(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is int:
        return int.__repr__(v)
    if t is float:
        return json.dumps(v)
    raise _NotPlain


def dump_data_cells(data: ReportData, layout: Layout, values: tuple) -> str:
    """dump_data of `data` whose tables are every cell of `layout` with `values` (in cell_keys
    order; data.tables itself is not read): the same text, without building the tables' dicts —
    a consolidation writes a country's 100,000 data files."""
    pieces = _tables_frame(layout)
    if len(values) + 1 != len(pieces):
        raise ValueError("values do not match the layout's cells")
    enc = json.encoder.encode_basestring
    try:
        cells = [int.__repr__(v) if v.__class__ is int else "null" if v is None else _scalar(v, enc) for v in values]
    except _NotPlain:
        return dump_data(ReportData(layout=data.layout, year=data.year, unit=data.unit, tables=_nest(layout, values),
                                    text=data.text, signature=data.signature, contact=data.contact,
                                    extra=data.extra))
    out = [pieces[0]] * (2 * len(cells) + 1)
    out[1::2] = cells
    out[2::2] = pieces[1:]
    shell = dump_data(ReportData(layout=data.layout, year=data.year, unit=data.unit, tables={}, text=data.text,
                                 signature=data.signature, contact=data.contact, extra=data.extra))
    head, sep, tail = shell.partition(',\n "tables": {}')
    if not sep:
        raise ValueError("no tables in the data file")
    return head + ',\n "tables": ' + "".join(out) + tail


def _nest(layout: Layout, values: tuple) -> dict:
    tables: dict = {}
    for (group, rk, ck), v in zip(layout.cell_keys.values(), values):
        tables.setdefault(group, {}).setdefault(rk, {})[ck] = v
    return tables


def dump_data(data: ReportData) -> str:
    d = {"layout": data.layout, "year": data.year, "unit": data.unit, "tables": data.tables,
         "text": data.text, "signature": data.signature}
    if data.contact:
        d["contact"] = data.contact
    for k, v in data.extra.items():
        d.setdefault(k, v)
    return json_text(d) + "\n"


@dataclass
class ReadResult:
    """One report file as read: its data, the findings of reading it, and where each value
    stood in the file (for findings that name sheet!cell)."""

    data: ReportData
    findings: list[Finding]
    kind: str                                          # template | workbook | datafile
    meta: dict = field(default_factory=dict)
    locator: dict = field(default_factory=dict)        # CellRef -> (sheet, "D7")
    text_locator: dict = field(default_factory=dict)   # section key -> sheet; (key, paragraph index) -> cell
    info_locator: dict = field(default_factory=dict)   # 基本信息 field -> (sheet, "B3")
    uncomputable: set = field(default_factory=set)     # template inputs that are not numbers
    sheet_values: dict | None = None                   # template: CellRef -> number its formulas see
