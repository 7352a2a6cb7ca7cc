"""Word (.docx) → blocks: paragraphs and tables in body order, merged cells expanded.

Read from the XML parts directly (zip + lxml): horizontal merges are w:gridSpan (and rows may
start late, w:gridBefore), vertical merges are w:vMerge ("restart" opens, a bare w:vMerge
continues the cell above). Content controls (w:sdt) are looked into. A table nested in a cell
is read as that cell's text.
"""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from gaixl.errors import InputError
from gaixl.importers import limits
from gaixl.importers.blocks import Block, Para, Table

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAX_PART = 64 * 1024 * 1024


def _val(el, name: str) -> str | None:
    if el is None:
        return None
    x = el.find(W + name)
    return None if x is None else x.get(W + "val", "")


def _para_text(p) -> str:
    out = []
    for el in p.iter():
        tag = el.tag
        if tag == W + "t" and el.text:
            out.append(el.text)
        elif tag == W + "tab":
            out.append("\t")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
    return "".join(out)


def _cell_text(tc) -> str:
    paras = [_para_text(p) for p in tc.iter(W + "p")]
    return "\n".join(t for t in paras if t.strip())


def _int(v, default: int = 1) -> int:
    try:
        return min(max(int(v), 1), 200)
    except (TypeError, ValueError):
        return default


def table_grid(tbl, where: str = "", cells_so_far: list[int] | None = None) -> Table:
    """One Word table → a rectangular grid with merges expanded. More rows or cells than any
    report has (gaixl.importers.limits) → InputError, before the grid is built."""
    trs = tbl.findall(W + "tr")
    limits.check(where, "rows in one table", "单个表格的行数", len(trs), limits.MAX_TABLE_ROWS)
    if cells_so_far is not None:
        cells_so_far[0] += sum(len(tr) for tr in trs)
        limits.check(where, "table cells", "表格单元格数", cells_so_far[0], limits.MAX_CELLS)
    rows: list[dict[int, str]] = []
    starts: list[dict[int, int]] = []       # per row: col -> gridSpan of the cell starting there
    vm: list[dict[int, str | None]] = []    # per row: col -> vMerge value (None: no merge)
    width = 0
    for tr in trs:
        row: dict[int, str] = {}
        st: dict[int, int] = {}
        mer: dict[int, str | None] = {}
        gb = _val(tr.find(W + "trPr"), "gridBefore")
        c = min(int(gb), 200) if gb and gb.isdigit() else 0
        cells = []
        for ch in tr:
            if ch.tag == W + "tc":
                cells.append(ch)
            elif ch.tag == W + "sdt":
                cells.extend(ch.iter(W + "tc"))
        for tc in cells:
            pr = tc.find(W + "tcPr")
            span = _int(_val(pr, "gridSpan"), 1)
            v = _val(pr, "vMerge")
            text = _cell_text(tc)
            for k in range(c, c + span):
                row[k] = text
            st[c] = span
            mer[c] = v
            c += span
        width = max(width, c)
        rows.append(row)
        starts.append(st)
        vm.append(mer)
    limits.check(where, "table cells (merges expanded)", "表格单元格数（含合并单元格）", width * len(rows),
                 limits.MAX_CELLS)
    grid = [[rows[r].get(c, "") for c in range(width)] for r in range(len(rows))]
    spans = []
    for r in range(len(rows)):
        for c, span in starts[r].items():
            v = vm[r].get(c)
            if v is not None and v != "restart" and r > 0:
                continue  # continues the cell above: counted with it
            rs = 1
            while r + rs < len(rows) and c in vm[r + rs] and vm[r + rs][c] not in (None, "restart"):
                rs += 1
            for rr in range(r + 1, r + rs):
                for cc in range(c, c + span):
                    grid[rr][cc] = grid[r][cc]
            if rs > 1 or span > 1:
                spans.append((r, c, rs, span))
    return Table(rows=grid, spans=spans)


def _body_blocks(body, out: list[Block], n: list[int], where: str = "", cells: list[int] | None = None) -> None:
    cells = [0] if cells is None else cells
    for el in body:
        if el.tag == W + "p":
            t = _para_text(el)
            if t.strip():
                out.append(Para(t.strip(), where=f"第{len(out) + 1}段"))
        elif el.tag == W + "tbl":
            n[0] += 1
            table = table_grid(el, where, cells)
            table.where = f"表格{n[0]}"
            if table.rows:
                out.append(table)
        elif el.tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag"):
            _body_blocks(el, out, n, where, cells)


def _is_workbook(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return "xl/workbook.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def docx_blocks(path: Path) -> list[Block]:
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("word/document.xml")
            if info.file_size > _MAX_PART:
                raise InputError("word/document.xml is too large", where=str(path), zh="文档内容过大，无法读取")
            xml = z.read(info)
    except KeyError:
        if _is_workbook(path):
            raise InputError("this is an Excel workbook, not a published report: read it with gaixl check or "
                             "gaixl export", where=str(path),
                             zh="这是Excel工作簿，不是已发布的报告：请用 gaixl check 或 gaixl export 读取") from None
        raise InputError("not a Word document (no word/document.xml)", where=str(path),
                         zh="不是Word文档（缺少word/document.xml）") from None
    except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, NotImplementedError, EOFError, ValueError) as e:
        raise InputError(f"not a readable .docx file ({e})", where=str(path), zh="不是可读取的.docx文件（文件可能已损坏）") from None
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as e:
        raise InputError(f"the document part is not valid XML ({e})", where=str(path),
                         zh="文档内容不是有效的XML（文件可能已损坏）") from None
    body = root.find(W + "body")
    out: list[Block] = []
    if body is not None:
        _body_blocks(body, out, [0], str(path))
    return out
