"""PDF reports (text PDFs) → blocks: paragraphs and tables rebuilt from where the words stand.

A PDF has no tables, only characters at positions and, usually, the ruling lines of the table
borders. So:
- a table with borders is read from its borders (pdfplumber finds the cells from the lines): each
  cell's text is what stands inside it, a merged cell is repeated over the grid positions it covers
  (and listed in `Table.spans`), exactly as an HTML or Word table would come out;
- everything else goes to the positional engine (gaixl.importers.positions): borderless tables get
  their columns from where the numbers sit, the rest becomes paragraphs;
- text that the layout split physically is joined (a cell's wrapped lines, a narrow header's
  characters standing one per line), page numbers (`— 3 —`, `第 3 页`) are dropped, and a table
  continued on the next page comes out as one table.

A file that is not a PDF, is encrypted, or has no text layer (a scan) raises InputError naming
the file; nothing else escapes, whatever the bytes.
"""
from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from pathlib import Path

from gaixl.errors import InputError, os_reason_zh
from gaixl.importers import limits
from gaixl.importers.blocks import Block, Table
from gaixl.importers.positions import (
    Line,
    Placed,
    Seg,
    fix_radicals,
    geometry,
    is_page_mark,
    join_pieces,
    layout_blocks,
    stitch,
)

_SPACE = re.compile(r"\s")
_ALNUM = re.compile(r"[A-Za-z0-9]")


@contextmanager
def _quiet_pdfminer():
    """pdfminer logs a warning for every odd font descriptor; a reader should not print them."""
    log = logging.getLogger("pdfminer")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def _chars_to_lines(chars: list[dict]) -> list[Line]:
    """Characters → lines of segments (a segment ends at a gap wider than ~half a character)."""
    chars = [c for c in chars if c.get("upright", True) and c.get("text") and not _SPACE.fullmatch(c["text"])]
    chars.sort(key=lambda c: (c["top"], c["x0"]))
    rows: list[list[dict]] = []
    for c in chars:
        size = max(c.get("size") or (c["bottom"] - c["top"]), 1.0)
        placed = False
        for row in reversed(rows[-3:]):
            top = min(x["top"] for x in row)
            bottom = max(x["bottom"] for x in row)
            overlap = min(bottom, c["bottom"]) - max(top, c["top"])
            if overlap >= 0.5 * min(size, bottom - top):
                row.append(c)
                placed = True
                break
        if not placed:
            rows.append([c])
    lines: list[Line] = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        size = sorted(max(c.get("size") or 0, c["bottom"] - c["top"]) for c in row)[len(row) // 2]
        segs: list[Seg] = []
        cur: list[dict] = []

        def flush() -> None:
            if cur:
                segs.append(Seg(cur[0]["x0"], cur[-1]["x1"], _text(cur, size),
                                min(c["top"] for c in cur), max(c["bottom"] for c in cur)))

        for c in row:
            if cur and c["x0"] - cur[-1]["x1"] > 0.45 * size:
                flush()
                cur = []
            cur.append(c)
        flush()
        lines.append(Line(segs, min(c["top"] for c in row), max(c["bottom"] for c in row), size))
    lines.sort(key=lambda ln: ln.top)
    return lines


def _text(chars: list[dict], size: float) -> str:
    """Characters of one line → text, with a space where two Latin words stand apart."""
    out = ""
    prev = None
    for c in chars:
        t = fix_radicals(c["text"])
        if prev is not None and c["x0"] - prev["x1"] > 0.2 * size and _ALNUM.match(prev["text"][-1:]) \
                and _ALNUM.match(t[:1]):
            out += " "
        out += t
        prev = c
    return out


def _cell_text(chars: list[dict]) -> str:
    lines = _chars_to_lines(chars)
    return join_pieces([" ".join(s.text for s in ln.segs) for ln in lines])


def _boundaries(values: list[float], tol: float = 1.5) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _index(bounds: list[float], v: float) -> int:
    return min(range(len(bounds)), key=lambda k: abs(bounds[k] - v))


def _ruled_table(table, chars: list[dict]) -> tuple[Table, list[float]] | None:
    """A table found from its borders → grid (merged cells repeated) and its column boundaries."""
    cells = [c for c in table.cells if c and c[2] - c[0] > 0.5 and c[3] - c[1] > 0.5]
    if len(cells) < 2:
        return None
    xs = _boundaries([c[0] for c in cells] + [c[2] for c in cells])
    ys = _boundaries([c[1] for c in cells] + [c[3] for c in cells])
    ncol, nrow = len(xs) - 1, len(ys) - 1
    if ncol < 1 or nrow < 1:
        return None
    grid = [["" for _ in range(ncol)] for _ in range(nrow)]
    spans: list[tuple[int, int, int, int]] = []
    for x0, top, x1, bottom in cells:
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        if c1 <= c0 or r1 <= r0:
            continue
        inside = [ch for ch in chars
                  if x0 - 0.5 <= (ch["x0"] + ch["x1"]) / 2 <= x1 + 0.5 and top - 0.5 <= (ch["top"] + ch["bottom"]) / 2 <= bottom + 0.5]
        text = _cell_text(inside)
        for r in range(r0, r1):
            for c in range(c0, c1):
                grid[r][c] = text
        if r1 - r0 > 1 or c1 - c0 > 1:
            spans.append((r0, c0, r1 - r0, c1 - c0))
    # rows and columns that are empty everywhere are artefacts of stray lines
    keep_c = [c for c in range(ncol) if any(grid[r][c] for r in range(nrow))]
    keep_r = [r for r in range(nrow) if any(grid[r][c] for c in range(ncol))]
    if len(keep_c) < 2 or len(keep_r) < 2:
        return None
    if len(keep_c) != ncol or len(keep_r) != nrow:
        cmap = {c: k for k, c in enumerate(keep_c)}
        rmap = {r: k for k, r in enumerate(keep_r)}
        new_spans = []
        for r0, c0, rs, cs in spans:
            rr = [rmap[r] for r in range(r0, r0 + rs) if r in rmap]
            cc = [cmap[c] for c in range(c0, c0 + cs) if c in cmap]
            if rr and cc and (len(rr) > 1 or len(cc) > 1):
                new_spans.append((rr[0], cc[0], len(rr), len(cc)))
        spans = new_spans
        grid = [[grid[r][c] for c in keep_c] for r in keep_r]
        xs = [xs[c] for c in keep_c] + [xs[keep_c[-1] + 1]]
    return Table(grid, "", spans), xs


def _page_blocks(page, page_no: int, table_no: list[int]) -> tuple[list[Placed], int]:
    """One page → placed blocks (sorted by position) and how many characters it had."""
    try:
        page = page.dedupe_chars()
    except Exception:  # noqa: BLE001 — an odd page keeps its duplicates rather than failing
        pass
    chars = [c for c in page.chars if c.get("text") and not _SPACE.fullmatch(c["text"])]
    if not chars:
        return [], 0
    height = float(page.height or 0) or max(c["bottom"] for c in chars)
    placed: list[Placed] = []
    bboxes: list[tuple[float, float, float, float]] = []
    try:
        found = page.find_tables()
    except Exception:  # noqa: BLE001 — broken vector graphics: read the page as borderless
        found = []
    for t in found:
        x0, top, x1, bottom = t.bbox
        inside = [c for c in chars if x0 - 1 <= (c["x0"] + c["x1"]) / 2 <= x1 + 1 and top - 1 <= (c["top"] + c["bottom"]) / 2 <= bottom + 1]
        got = _ruled_table(t, inside)
        if got is None:
            continue
        tbl, xs = got
        placed.append(Placed(top, tbl, xs=xs))
        bboxes.append((x0, top, x1, bottom))

    def in_table(c: dict) -> bool:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        return any(x0 - 1 <= cx <= x1 + 1 and t - 1 <= cy <= b + 1 for x0, t, x1, b in bboxes)

    lines = _chars_to_lines([c for c in chars if not in_table(c)])
    # page furniture: a page number in the top or bottom band of the page
    lines = [ln for ln in lines
             if not ((ln.top < 0.1 * height or ln.bottom > 0.88 * height) and is_page_mark("".join(s.text for s in ln.segs)))]
    if lines:
        g = geometry(lines, 12.0, 14.0)
        # cut the text at each ruled table so neither a paragraph nor a borderless table crosses it
        cuts = sorted(b[1] for b in bboxes)
        chunks: list[list[Line]] = [[]]
        k = 0
        for ln in lines:
            while k < len(cuts) and ln.top >= cuts[k]:
                chunks.append([])
                k += 1
            chunks[-1].append(ln)
        for chunk in chunks:
            if chunk:
                placed.extend(layout_blocks(chunk, g, f"第{page_no}页", table_no))
    placed.sort(key=lambda p: p.top)
    for p in placed:
        if isinstance(p.block, Table) and not p.block.where:
            table_no[0] += 1
            p.block.where = f"第{page_no}页 表{table_no[0]}"
    return placed, len(chars)


def _cause_names(e: BaseException) -> str:
    names = []
    seen = 0
    while e is not None and seen < 10:
        names.append(type(e).__name__ + " " + str(e)[:200])
        e = e.__cause__ or e.__context__  # type: ignore[assignment]
        seen += 1
    return " ".join(names)


_TEXT_OPS = re.compile(rb"(?:Tj|TJ|'|\")(?=[\s\[\]()<>/%]|$)")


def _streams(obj, seen: set, depth: int = 0):
    """The content streams of a page or form XObject (resolved), forms nested up to 8 deep."""
    from pdfminer.pdftypes import PDFStream, resolve1

    obj = resolve1(obj)
    if isinstance(obj, list):
        for o in obj:
            yield from _streams(o, seen, depth)
    elif isinstance(obj, PDFStream) and id(obj) not in seen:
        seen.add(id(obj))
        yield obj
        res = resolve1(obj.attrs.get("Resources")) if depth < 8 else None
        xobjects = resolve1(res.get("XObject")) if isinstance(res, dict) else None
        if isinstance(xobjects, dict):
            for x in xobjects.values():
                yield from _streams(x, seen, depth + 1)


def _check_content(page_obj, k: int, where: str) -> None:
    """Refuse a page whose content streams hold more than any report page (limits): counted on
    the decoded bytes, before pdfminer interprets a single operator (a 27 KB page of a million
    `Tj` took 77 s and 2.4 GB to lay out). Flate streams are inflated with a bound."""
    import zlib

    from pdfminer.pdftypes import resolve1

    size = ops = 0
    seen: set = set()
    sources = [page_obj.attrs.get("Contents")]
    res = resolve1(page_obj.attrs.get("Resources"))
    xobjects = resolve1(res.get("XObject")) if isinstance(res, dict) else None
    if isinstance(xobjects, dict):
        sources += list(xobjects.values())
    for src in sources:
        for s in _streams(src, seen):
            room = limits.MAX_PAGE_CONTENT - size + 1
            filters = s.get_filters()
            if len(filters) == 1 and getattr(filters[0][0], "name", filters[0][0]) in ("FlateDecode", "Fl") \
                    and not filters[0][1]:
                try:
                    data = zlib.decompressobj().decompress(s.rawdata or b"", room)
                except zlib.error:
                    data = b""
            elif not filters:
                data = (s.rawdata or b"")[:room]
            else:
                data = s.get_data()[:room]          # other filters: pdfminer's own decoding
            size += len(data)
            ops += len(_TEXT_OPS.findall(data))
            if size > limits.MAX_PAGE_CONTENT:
                raise limits.too_many(where, f"bytes of content on page {k}", f"第{k}页的内容字节数", size,
                                      limits.MAX_PAGE_CONTENT)
            if ops > limits.MAX_PAGE_OPERATORS:
                raise limits.too_many(where, f"text operators on page {k}", f"第{k}页的文字绘制指令", ops,
                                      limits.MAX_PAGE_OPERATORS)


def pdf_blocks(path: Path) -> list[Block]:
    """A PDF file → paragraphs and tables in reading order (see the module docstring)."""
    path = Path(path)
    where = str(path)
    try:
        with open(path, "rb") as f:
            head = f.read(1024)
    except OSError as e:
        raise InputError(f"cannot read the file: {e.strerror or e}", where=where, zh=f"无法读取文件：{os_reason_zh(e)}") from None
    if not head:
        raise InputError("the file is empty (0 bytes)", where=where, zh="文件为空（0字节）")
    if b"%PDF" not in head:
        raise InputError("not a PDF file", where=where, zh="不是PDF文件")
    import pdfplumber  # imported here: a text import should not pay for pdfminer

    pages: list[list[Placed]] = []
    total = 0
    table_no = [0]
    budget = limits.Budget(where)
    try:
        with _quiet_pdfminer(), pdfplumber.open(path) as pdf:
            limits.check(where, "pages", "页数", len(pdf.pages), limits.MAX_PAGES)
            for k, page in enumerate(pdf.pages, 1):
                _check_content(page.page_obj, k, where)
                budget.tick(f"第{k}页 / page {k}")
                blocks, n = _page_blocks(page, k, table_no)
                pages.append(blocks)
                total += n
    except InputError:
        raise
    except RecursionError:
        raise InputError("the PDF is damaged (its structure nests without end)", where=where,
                         zh="PDF文件已损坏（结构嵌套异常）") from None
    except Exception as e:  # noqa: BLE001 — pdfminer raises many kinds on damaged files
        names = _cause_names(e)
        if re.search(r"Password|Encrypt|encrypt|password", names):
            raise InputError("the PDF is encrypted (password protected); save it without a password first",
                             where=where, zh="PDF文件已加密（设有密码），请先另存为无密码的文件") from None
        raise InputError("the PDF is damaged or truncated and cannot be read", where=where,
                         zh="PDF文件已损坏或不完整，无法读取") from None
    if total == 0:
        raise InputError("the PDF has no text layer (a scanned document needs OCR, which gaixl does not do)",
                         where=where, zh="PDF文件没有文字层（扫描件需要先做文字识别，本工具不做文字识别）")
    return stitch(pages)


__all__ = ["pdf_blocks"]
