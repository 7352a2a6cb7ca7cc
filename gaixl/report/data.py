"""ReportData: the one in-memory form of a report, and its data-file (JSON) form.

Keys are the official labels (design.md, "The data file"), so a person can read the file.
Values are int/float, or None for a blank cell (blank is kept as blank: it is not zero).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gaixl.errors import DataFileError, os_reason_zh
from gaixl.findings import Finding
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
    def to_json(self) -> dict:
        d = {"layout": self.layout, "year": self.year, "unit": dict(self.unit), "tables": self.tables,
             "text": self.text, "signature": dict(self.signature)}
        if self.contact:
            d["contact"] = dict(self.contact)
        for k, v in self.extra.items():
            d.setdefault(k, v)
        return json.loads(json.dumps(d, ensure_ascii=False))

    @classmethod
    def from_json(cls, obj: Any, where: str) -> "ReportData":
        if not isinstance(obj, dict):
            raise DataFileError("a data file must be a JSON object", where=where, zh="数据文件必须是一个JSON对象")
        for k in ("layout", "year"):
            if k not in obj:
                raise DataFileError(f"the data file lacks {k!r}", where=where, zh=f"数据文件缺少“{k}”项")
        try:
            year = int(obj["year"])
        except (TypeError, ValueError):
            raise DataFileError(f"year must be a number, not {obj['year']!r}", where=where,
                                zh=f"“year”（报告年度）必须是数字，不能是“{obj['year']}”") from None
        unit = obj.get("unit") or {}
        if not isinstance(unit, dict):
            raise DataFileError("unit must be an object {code, name}", where=where,
                                zh="“unit”（填报单位）必须是包含“code”“name”两项的对象")
        tables = obj.get("tables") or {}
        if not isinstance(tables, dict) or not all(isinstance(v, dict) for v in tables.values()):
            raise DataFileError("tables must be an object of tables", where=where,
                                zh="“tables”（表格数据）必须是由各表格组成的对象")
        text = obj.get("text") or {}
        if not isinstance(text, dict):
            raise DataFileError("text must be an object of section heading → paragraphs", where=where,
                                zh="“text”（文字部分）必须是“部分标题→段落”形式的对象")
        text = {k: ([v] if isinstance(v, str) else [str(p) for p in (v or [])]) for k, v in text.items()}
        known = {"layout", "year", "unit", "tables", "text", "signature", "contact"}
        return cls(layout=str(obj["layout"]), year=year,
                   unit={"code": str(unit.get("code") or ""), "name": str(unit.get("name") or "")},
                   tables=json.loads(json.dumps(tables)), text=text,
                   signature={"unit": str((obj.get("signature") or {}).get("unit") or ""),
                              "date": str((obj.get("signature") or {}).get("date") or "")},
                   contact={k: str(v) for k, v in (obj.get("contact") or {}).items()},
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


def load_data_file(path: str | Path) -> ReportData:
    """A data file (.json, the contract of shared/design.md) → ReportData; DataFileError when
    it cannot be read or does not follow the contract."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise DataFileError(f"cannot read: {e.strerror}", where=str(p), zh=f"无法读取：{os_reason_zh(e)}") from e
    try:
        obj = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DataFileError("not UTF-8 text", where=str(p), zh="不是UTF-8编码的文本文件") from None
    except json.JSONDecodeError as e:
        raise DataFileError(f"not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})", where=str(p),
                            zh=f"不是有效的JSON格式（第{e.lineno}行第{e.colno}列有误）") from None
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
