"""Builders of real test documents for the PDF and spaced-text readers.

Published reports look unlike gaixl's own output: borderless tables, value columns so narrow
that headers stand one character per line, right-aligned numbers, blank cells, a table broken
over two pages with or without its header repeated. These builders write such reports as HTML
from the official layouts (every label from templates/*.yaml) with numbers we choose, print them
to PDF with headless Chromium (or LibreOffice), and remember what every cell must hold — so a
test can compare each number at its row and column in the reader's grid.
"""
from __future__ import annotations

import html
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from needs import require

from gaixl.spec.load import load_layout


def need(tool: str) -> str:
    """The path of an external tool; skip locally when it is missing, fail under CI=true."""
    return require(shutil.which(tool), tool)


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        exe = shutil.which(name)
        if exe:
            return exe
    return None


def need_chromium() -> str:
    return require(find_chromium(), "chromium")


# ----------------------------------------------------------------------------- documents

@dataclass
class Style:
    borders: bool = True
    narrow: bool = False          # value columns ~1.6em wide: headers stand one character per line
    align: str = "right"          # numbers: right | center | left
    repeat_header: bool = True    # a table broken over pages repeats its header (thead)
    push: float = 0.0             # mm of blank space before section 三, so its table breaks across pages
    font_pt: float = 10.5


@dataclass
class Expected:
    """What one table must come out as: its data rows (most specific label, values in column
    order, "" for a blank cell), its leaf column headers, and the fully expanded grid."""

    key: str
    leaves: list[str]
    rows: list[tuple[str, list[str]]]
    grid: list[list[str]] = field(default_factory=list)


def _leaves(cols) -> list:
    out = []
    for c in cols:
        out.extend(_leaves(c.children) if c.children else [c])
    return out


def _depth(cols) -> int:
    return max((1 + _depth(c.children) if c.children else 1) for c in cols) if cols else 0


def _row_leaves(rows) -> list:
    out = []
    for r in rows:
        out.extend(_row_leaves(r.children) if r.children else [r])
    return out


def random_values(layout_id: str, seed: int, *, blank: float = 0.0, big: bool = True) -> dict[str, list[list[str]]]:
    """Values as published for every table of a layout: {table key: rows × columns of text}."""
    rnd = random.Random(seed)
    lay = load_layout(layout_id)
    out: dict[str, list[list[str]]] = {}
    for key, t in lay.tables.items():
        leaves = _leaves(t.columns)
        nrows = len(_row_leaves(t.rows)) if t.label_columns else 1
        grid = []
        for _ in range(nrows):
            row = []
            for c in leaves:
                if rnd.random() < blank:
                    row.append("")
                elif c.label == "本年增/减":
                    row.append(rnd.choice(["增3", "减5", "0", "+2", "-1"] if big else ["0", "+2", "-1"]))
                elif "金额" in c.label:
                    row.append(f"{rnd.uniform(0, 900):.2f}" if big else f"{rnd.uniform(0, 9):.1f}")
                else:
                    row.append(str(rnd.randint(0, 999 if big else 99)))
            grid.append(row)
        out[key] = grid
    return out


def table_html(layout_id: str, key: str, values: list[list[str]], style: Style) -> tuple[str, Expected]:
    """One official table as an HTML <table> (merged cells as rowspan/colspan) and what it holds."""
    t = load_layout(layout_id).tables[key]
    leaves = _leaves(t.columns)
    depth = _depth(t.columns)
    nlab = t.label_columns
    spans = [max(1, c.span or 1) for c in leaves]
    width = nlab + sum(spans)

    def cell(tag: str, text: str, rs: int = 1, cs: int = 1, cls: str = "") -> str:
        a = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "") + (f' class="{cls}"' if cls else "")
        return f"<{tag}{a}>{html.escape(text)}</{tag}>"

    # header rows: caption row, then the column tree (corner cell over the label columns)
    head: list[str] = []
    placed: dict[tuple[int, int], str] = {}

    def put(r: int, c: int, rs: int, cs: int, text: str) -> None:
        for i in range(r, r + rs):
            for j in range(c, c + cs):
                placed[(i, j)] = text

    r0 = 0
    if t.caption:
        head.append("<tr>" + cell("th", t.caption, 1, width, "cap") + "</tr>")
        put(0, 0, 1, width, t.caption)
        r0 = 1
    level_rows: list[list[str]] = [[] for _ in range(depth)]
    if nlab:
        level_rows[0].append(cell("th", t.corner or "", depth, nlab, "corner"))
        put(r0, 0, depth, nlab, t.corner or "")
    col = [nlab]

    def walk(cols, d: int) -> None:
        for c in cols:
            n = sum(max(1, x.span or 1) for x in _leaves([c]))
            rs = 1 if c.children else depth - d
            level_rows[d].append(cell("th", c.label, rs, n, "leaf" if not c.children else "group"))
            if c.children:
                start = col[0]
                walk(c.children, d + 1)
                put(r0 + d, start, 1, n, c.label)
            else:
                put(r0 + d, col[0], rs, n, c.label)
                col[0] += n

    walk(t.columns, 0)
    head.extend("<tr>" + "".join(r) + "</tr>" for r in level_rows)
    body_top = r0 + depth
    # body rows: the row tree; a leaf above the deepest level spans the label columns left
    leaves_rows = _row_leaves(t.rows) if nlab else [None]
    expected_rows: list[tuple[str, list[str]]] = []
    body: list[str] = []
    row_cells: list[list[str]] = [[] for _ in leaves_rows]
    idx = [0]

    def walk_rows(rows, d: int) -> None:
        for r in rows:
            n = len(_row_leaves([r]))
            first = idx[0]
            if r.children:
                row_cells[first].append(cell("th", r.label, n, 1, "rl"))
                put(body_top + first, d, n, 1, r.label)
                walk_rows(r.children, d + 1)
            else:
                cs = nlab - d
                row_cells[first].append(cell("th", r.label, 1, cs, "rl"))
                put(body_top + first, d, 1, cs, r.label)
                idx[0] += 1

    if nlab:
        walk_rows(t.rows, 0)
    for i, leaf in enumerate(leaves_rows):
        vals = values[i]
        c = nlab
        tds = []
        for v, sp in zip(vals, spans):
            tds.append(cell("td", v, 1, sp, "num"))
            put(body_top + i, c, 1, sp, v)
            c += sp
        body.append("<tr>" + "".join(row_cells[i]) + "".join(tds) + "</tr>")
        expected_rows.append((leaf.label if leaf is not None else "", list(vals)))
    nrows = body_top + len(leaves_rows)
    grid = [[placed.get((i, j), "") for j in range(width)] for i in range(nrows)]
    cols_html = "".join(
        f'<col class="{"lab" if j < nlab else "val"}">' for j in range(width))
    out = (f'<table class="{"b" if style.borders else "nb"}"><colgroup>{cols_html}</colgroup>'
           f'<thead>{"".join(head)}</thead><tbody>{"".join(body)}</tbody></table>')
    return out, Expected(key, [c.label for c in leaves], expected_rows, grid)


def report_html(layout_id: str, values: dict[str, list[list[str]]], style: Style, *,
                unit: str = "测试县测试局", year: int = 2020) -> tuple[str, list[Expected]]:
    """A whole report: title, prose, the six sections, the tables, the signature."""
    lay = load_layout(layout_id)
    css = f"""
    @page {{ size: A4; margin: 25mm 22mm 25mm 22mm; }}
    body {{ font-family: "Noto Sans CJK SC", sans-serif; font-size: 14pt; line-height: 1.6; }}
    h1 {{ font-size: 20pt; text-align: center; font-weight: normal; }}
    p {{ text-indent: 2em; margin: 0; text-align: justify; }}
    h2 {{ font-size: 14pt; font-weight: normal; text-indent: 2em; margin: 0.6em 0 0.3em; }}
    table {{ border-collapse: collapse; width: 100%; font-size: {style.font_pt}pt; line-height: 1.35;
             margin: 0.4em 0 0.8em; table-layout: fixed; }}
    td, th {{ padding: 3px 4px; font-weight: normal; vertical-align: middle; text-align: left; }}
    table.b td, table.b th {{ border: 1px solid #000; }}
    th.cap, th.group, th.leaf {{ text-align: center; }}
    td.num {{ text-align: {style.align}; }}
    col.val {{ width: {"2.4em" if style.narrow else "auto"}; }}
    tr {{ break-inside: avoid; }}
    thead {{ display: {"table-header-group" if style.repeat_header else "table-row-group"}; }}
    .sig {{ text-align: right; text-indent: 0; }}
    """
    parts = [f"<h1>{html.escape(unit)}{year}年政府信息公开工作年度报告</h1>",
             "<p>本报告根据《中华人民共和国政府信息公开条例》编制，所列数据的统计期限自"
             f"{year}年1月1日起至{year}年12月31日止。</p>"]
    expected: list[Expected] = []
    for s in lay.sections:
        if s.key == "s3" and style.push:
            parts.append(f'<div style="height:{style.push}mm"></div>')
        parts.append(f"<h2>{html.escape(s.heading)}</h2>")
        if getattr(s, "kind", "") == "tables":
            for key in s.tables:
                h, e = table_html(layout_id, key, values[key], style)
                parts.append(h)
                expected.append(e)
        else:
            parts.append(f"<p>{html.escape(s.heading)}的情况说明：本年度工作有序开展，各项任务按计划完成，"
                         "没有发生需要特别说明的问题。</p>")
    parts.append(f'<p class="sig">{html.escape(unit)}</p><p class="sig">{year + 1}年1月20日</p>')
    doc = f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>{css}</style></head><body>{"".join(parts)}</body></html>'
    return doc, expected


def chromium_pdf(html_text: str, out: Path) -> Path:
    """Print an HTML document to PDF with headless Chromium (no network, private profile)."""
    exe = need_chromium()
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="gaixl-chromium-") as tmp:
        src = Path(tmp) / "doc.html"
        src.write_text(html_text, encoding="utf-8")
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-pdf-header-footer", f"--user-data-dir={tmp}/profile",
               f"--print-to-pdf={out}", src.as_uri()]
        subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    if not out.exists() or out.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no PDF for {out}")
    return out


def pdftotext_layout(pdf: Path) -> str:
    exe = need("pdftotext")
    r = subprocess.run([exe, "-layout", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, timeout=120)
    return r.stdout.decode("utf-8")


# ----------------------------------------------------------------------------- checking

def _norm(s: str) -> str:
    return "".join(s.split())


def find_row(tables, label: str, nvalues: int) -> list[str] | None:
    """The grid row carrying a data row's label (in any cell) — its last `nvalues` cells."""
    for t in tables:
        for r in t.rows:
            hits = [i for i, c in enumerate(r) if _norm(c) == _norm(label)]
            if hits:
                # the cells after the label: empty label columns first (a merged label is not
                # repeated in a borderless grid), maybe an empty column at the end
                vals = list(r[hits[-1] + 1:])
                extra = len(vals) - nvalues
                while extra > 0 and vals and vals[0] == "":
                    vals.pop(0)
                    extra -= 1
                vals = vals[:nvalues]
                return vals + [""] * (nvalues - len(vals))
    return None


def check_values(tables, expected: list[Expected], *, allow_missing: bool = False) -> list[str]:
    """Every expected number at its place: the row with its label, the column of its position.
    Returns the problems found (empty when every cell is right). With allow_missing, a row that
    was not found is no problem — only a row found with a wrong cell is (the safety property:
    never a number in the wrong cell)."""
    problems: list[str] = []
    for e in expected:
        for label, vals in e.rows:
            if not label:
                # a table without row labels (四): the row whose values are exactly these
                n = len(vals)
                cands = [r[len(r) - n:] for t in tables for r in t.rows if t.width >= n]
                if not allow_missing and not any([_norm(c) for c in r] == [_norm(v) for v in vals] for r in cands):
                    problems.append(f"{e.key}: row of {n} values {vals} not found")
                continue
            got = find_row(tables, label, len(vals))
            if got is None:
                if allow_missing or not any(vals):
                    continue      # a row of blanks has nothing to find it by: not placed, fine
                problems.append(f"{e.key}: row {label!r} not found")
                continue
            from gaixl.importers.positions import is_value

            for c, v in zip(got, vals):
                if _norm(c) == _norm(v):
                    continue
                if allow_missing and (not c.strip() or not is_value(c)):
                    continue      # not a number where one was expected: not placed, not wrong
                problems.append(f"{e.key}: row {label!r}: got {got}, expected {vals}")
                break
    return problems


def leaf_headers_in_place(tables, e: Expected) -> list[str]:
    """Each leaf column header must stand in the column of its numbers (a header split one
    character per line joined back into one cell)."""
    problems = []
    n = len(e.leaves)
    label, vals = e.rows[0]
    for t in tables:
        rows = t.rows
        hit = None
        for i, r in enumerate(rows):
            if (label and any(_norm(c) == _norm(label) for c in r)) or (not label and [_norm(c) for c in r[len(r) - n:]] == [_norm(v) for v in vals]):
                hit = i
                break
        if hit is None:
            continue
        for j, leaf in enumerate(e.leaves):
            col = t.width - n + j
            if not any(_norm(rows[i][col]) == _norm(leaf) for i in range(hit)):
                problems.append(f"{e.key}: header {leaf!r} not in column {col}: {[rows[i][col] for i in range(hit)]}")
        return problems
    return [f"{e.key}: table not found"]


def parse_number(text: str) -> float | None:
    """A published number as gaixl renders it: 12, 3.5, 增3, 减5, +2, -1 (None when blank)."""
    s = "".join(text.split()).replace("增", "+").replace("减", "-").replace("，", ",").replace(",", "")
    if not s:
        return None
    return float(s)


def data_expected(layout, data) -> list[Expected]:
    """The rows of every table of a data file: (row label, numbers in column order)."""
    from gaixl.spec.rules import CellRef

    out = []
    for key, t in layout.tables.items():
        leaves = _leaves(t.columns)
        rows = _row_leaves(t.rows)
        exp_rows = []
        for r in rows:
            vals = []
            for c in leaves:
                v = data.value(layout, CellRef(key, r.key, c.key))
                vals.append("" if v is None else repr(float(v)))
            exp_rows.append((r.label or "", vals))
        out.append(Expected(key, [c.label for c in leaves], exp_rows))
    return out


def check_numbers(tables, expected: list[Expected]) -> list[str]:
    """As check_values, comparing numbers (the renderer writes -5 as 减5)."""
    problems = []
    for e in expected:
        for label, vals in e.rows:
            want = [None if v == "" else float(v) for v in vals]
            n = len(vals)
            got = None
            for t in tables:
                for r in t.rows:
                    if label and any(_norm(c) == _norm(label) for c in r):
                        got = find_row([t], label, n)
                        break
                    if not label and t.width >= n:
                        try:
                            if [parse_number(c) for c in r[len(r) - n:]] == want:
                                got = r[len(r) - n:]
                                break
                        except ValueError:
                            pass
                if got is not None:
                    break
            if got is None:
                problems.append(f"{e.key}: row {label!r} not found")
                continue
            try:
                nums = [parse_number(c) for c in got]
            except ValueError:
                nums = got
            if nums != want:
                problems.append(f"{e.key}: row {label!r}: got {got}, expected {want}")
    return problems


def values_of(layout_id: str, data) -> dict[str, list[list[str]]]:
    """A data file's numbers as a report prints them, in the shape random_values gives."""
    from gaixl.spec.rules import CellRef

    lay = load_layout(layout_id)
    out: dict[str, list[list[str]]] = {}
    for key, t in lay.tables.items():
        rows = _row_leaves(t.rows)
        grid = []
        for r in rows:
            row = []
            for c in _leaves(t.columns):
                v = data.value(lay, CellRef(key, r.key, c.key))
                row.append("" if v is None else str(v))
            grid.append(row)
        out[key] = grid
    return out


def published_report(layout_id: str, year: int, style: Style, seed: int, *, sparse: bool = False):
    """Consistent data for a layout and the HTML page printing it the way `style` says → (data, html).
    Amounts are cut to fit a narrow column when the style is narrow. With `sparse`, the data is
    mostly zeros, as most published reports are (helpers.sparse_data)."""
    from helpers import consistent_data, sparse_data

    from gaixl.spec.load import load_layout

    layout = load_layout(layout_id)
    want = (sparse_data if sparse else consistent_data)(layout, year, seed=seed)
    if style.narrow:                                   # numbers that fit a narrow column
        for ref in layout.cell_keys:
            v = want.value(layout, ref)
            if isinstance(v, float):
                want.set_value(layout, ref, round(v % 10, 1))
    html, _ = report_html(layout_id, values_of(layout_id, want), style, year=year)
    return want, html
