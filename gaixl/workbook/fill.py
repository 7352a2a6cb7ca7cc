"""fill: write a ReportData into a gaixl template (the inverse of reading it).

Used by `gaixl fill`, by importers (a published report → a filled workbook) and by tests
(random data → fill → read must give the same data). openpyxl keeps the protection, the
defined names and the very hidden metadata sheet when it re-saves; it drops the cached
formula values, which is fine: the reader never trusts them, and Excel recalculates on open.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from gaixl.atomic import collect_quietly, io_error, output_error, write_bytes
from gaixl.errors import UsageError, WorkbookError
from gaixl.report.data import CONTACT_FIELDS, ReportData
from gaixl.report.values import parse_cell, parse_date
from gaixl.spec.load import available_layouts, load_layout
from gaixl.spec.model import Layout
from gaixl.spec.rules import CellRef, computed_cells
from gaixl.workbook import names
from gaixl.workbook.xlsx import Book, sniff


def template_layout(template: str | Path) -> tuple[Layout, dict]:
    """The layout and metadata of a gaixl template (read with the safe raw reader)."""
    p = Path(template)
    if sniff(p) != "xlsx":
        raise WorkbookError("not a gaixl template (.xlsx expected)", where=str(p),
                            zh="不是gaixl生成的模板（应为.xlsx文件）")
    with Book(p) as book:
        ref = book.resolve(names.META)
        if ref is None:
            raise WorkbookError("not a gaixl template: no metadata (GAIXL_META)", where=str(p),
                                zh="不是gaixl生成的模板：缺少元数据（GAIXL_META）")
        cells = book.sheet(ref[0]).cells
        meta = {}
        for row in ref[1]:
            k, v = cells.get(row[0]), cells.get(row[1]) if len(row) > 1 else None
            if k is not None and k.value is not None:
                meta[str(k.value)] = "" if v is None or v.value is None else str(v.value)
    try:
        if meta.get("layout") not in {l.id for l in available_layouts()}:     # an id, never a path
            raise UsageError("unknown layout", zh="未知的报告格式")
        return load_layout(meta["layout"]), meta
    except UsageError:
        raise WorkbookError(f"the template names an unknown report format {meta.get('layout')!r}",
                            where=str(p), zh=f"模板标注的报告格式“{meta.get('layout')}”无法识别") from None


def _destination(wb, name: str, where: str):
    """The cells of a workbook-level defined name, row-major: (worksheet, [cell, ...])."""
    dn = wb.defined_names.get(name)
    if dn is None:
        raise WorkbookError(f"the template lacks the defined name {name} (damaged template?)", where=where,
                            zh=f"模板缺少已定义的名称{name}（模板可能已损坏）")
    dests = list(dn.destinations)
    if len(dests) != 1:
        raise WorkbookError(f"the defined name {name} does not point at one range", where=where,
                            zh=f"已定义的名称{name}未指向单一区域（模板可能已损坏）")
    title, coord = dests[0]
    ws = wb[title]
    got = ws[coord.replace("$", "")]
    if not isinstance(got, tuple):
        return ws, [got]
    return ws, [c for row in (got if isinstance(got[0], tuple) else (got,)) for c in row]


def _number(v, kind: str, what: str):
    """A data-file value as the cell should hold it: int for whole numbers, None for blank.
    Text such as "减5" (a hand-edited data file) is read as the reader would read it."""
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise UsageError(f"{what}: {v!r} is not a number", zh=f"{what}：“{v}”不是数字")
    value, problem = parse_cell(v, kind)
    if value is None:
        if problem is not None:
            raise UsageError(f"{what}: {v!r} is not a number", zh=f"{what}：“{v}”不是数字")
        return None
    return int(value) if kind in ("count", "signed") and float(value).is_integer() else value


def _text(v, what: str, where: str, what_zh: str | None = None) -> str:
    """Text for a cell; control characters (which Excel cannot store) are refused by name."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = str(v)
    bad = ILLEGAL_CHARACTERS_RE.search(text)
    if bad:
        raise UsageError(f"{what} holds the control character U+{ord(bad.group()):04X}, which a workbook cannot store",
                         where=where,
                         zh=f"{what_zh or what}含有控制字符U+{ord(bad.group()):04X}，工作簿无法保存该字符，请删除")
    return text


def fill_workbook(template: str | Path, data: ReportData, out: str | Path) -> Path:
    """Write `data` into a copy of `template` at `out` (atomically); returns `out`."""
    import openpyxl

    template, out = Path(template), Path(out)
    where = str(template)
    layout, meta = template_layout(template)
    if meta.get("layout") != data.layout:
        raise UsageError(f"the template {template.name} is of the {meta.get('layout')} format but the data is of the "
                         f"{data.layout} format", where=where,
                         zh=f"模板“{template.name}”为{meta.get('layout')}年版格式，而数据为{data.layout}年版格式")
    try:
        wb = openpyxl.load_workbook(template, keep_vba=False)
    except Exception as e:  # openpyxl raises many kinds; the raw reader already vetted the file
        raise WorkbookError(f"cannot open the template: {e}", where=where, zh="无法打开模板，文件可能已损坏") from e
    formulas = computed_cells(layout)
    for t in layout.tables.values():
        for r in t.data_rows:
            _ws, cells = _destination(wb, names.row_name(t.key, r.key), where)
            if len(cells) != sum(c.span for c in t.data_columns):
                raise WorkbookError(f"the defined name {names.row_name(t.key, r.key)} covers {len(cells)} cells, "
                                    f"not {sum(c.span for c in t.data_columns)}", where=where,
                                    zh=f"已定义的名称{names.row_name(t.key, r.key)}包含{len(cells)}个单元格，"
                                       f"应为{sum(c.span for c in t.data_columns)}个（模板可能已损坏）")
            off = 0
            for c in t.data_columns:
                ref = CellRef(t.key, r.key, c.key)
                cell = cells[off]
                off += c.span
                if ref in formulas:
                    continue                               # totals stay formulas
                rk, ck = t.data_key(r, c)
                cell.value = _number(data.value(layout, ref), c.kind, f"{t.group} › {rk} › {ck}")
    for s in layout.text_sections:
        _ws, cells = _destination(wb, names.text_name(s.key), where)
        paras = [p for p in data.text.get(s.heading, []) if p is not None and str(p).strip()]
        if len(paras) > len(cells):
            raise UsageError(f"section “{s.heading}” has {len(paras)} paragraphs but the template has room for "
                             f"{len(cells)} (one paragraph per cell): merge some paragraphs", where=where,
                             zh=f"“{s.heading}”部分有{len(paras)}段，但模板最多容纳{len(cells)}段"
                                "（每个单元格一段），请合并部分段落")
        for i, cell in enumerate(cells):
            cell.value = _text(paras[i], f"section “{s.heading}”, paragraph {i + 1}", where,
                               f"“{s.heading}”部分第{i + 1}段") if i < len(paras) else None
            if i < len(paras):
                cell.data_type = "s"                      # text that starts with '=' stays text
    for key, _label in CONTACT_FIELDS:
        _ws, cells = _destination(wb, names.info_name(key), where)
        v = (data.contact or {}).get(key)
        cells[0].value = _text(v, f"contact field {key}", where, f"联系信息“{_label}”") if v not in (None, "") else None
        if cells[0].value is not None:
            cells[0].data_type = "s"
    _ws, cells = _destination(wb, names.info_name("date"), where)
    raw = (data.signature or {}).get("date") or ""
    iso = parse_date(raw)
    cells[0].value = dt.date.fromisoformat(iso) if iso else (raw or None)
    # Saved into memory first (a filled template is well under a megabyte), then written in one
    # step. openpyxl still writes each sheet through a temporary file: on a full disk its
    # writer fails in lxml's words (IO_EFBIG/IO_ENOSPC) and leaves half-closed writers that
    # would print tracebacks ("Exception ignored in …") later; they are closed quietly here.
    buf = io.BytesIO()
    failed = None
    try:
        wb.save(buf)
    except Exception as e:  # noqa: BLE001 — only a write error is turned into OutputError
        failed = io_error(e)
        if failed is None:
            raise
    if failed is not None:
        collect_quietly()
        raise output_error(out, failed)
    write_bytes(out, buf.getvalue())
    return out
