"""Charts for the consolidation outputs, made in pure Python (no plotting library).

* inline SVG strings for status.html (``hbar_svg``, ``stacked_svg``, ``grouped_svg``,
  ``progress_svg``): every chart is ``<svg role="img">`` with ``<title>`` and ``<desc>``, every
  number is also printed as a text label next to its bar, and all text is escaped (unit names
  are data, never markup);
* the county report's charts are blocks of the document model (gaixl.document.model.BarChart,
  made of the same ``Bar`` items), drawn by each document renderer (Word: a borderless table of
  shaded cells, no picture).

The chart data itself comes from ``results_breakdown`` / ``applications`` (a ReportData through
its Layout: the official 三 table). Output is a pure function of the input: same data, same bytes.
"""
from __future__ import annotations

import re

from gaixl.document.html import esc
from gaixl.document.model import Bar
from gaixl.report.data import ReportData
from gaixl.spec.model import Layout
from gaixl.spec.rules import CellRef

FONT = '"Noto Sans CJK SC","Microsoft YaHei","PingFang SC","SimHei",sans-serif'
PALETTE = ("#2f6fb3", "#5aa05a", "#e0a030", "#c8553d", "#8a6fb5", "#7f8c8d", "#3aa3a3", "#b5656f")
THIS_YEAR, LAST_YEAR = "#2f6fb3", "#a9c4e4"
STATUS_COLOURS = {"accepted": "#2e8b57", "rejected": "#c0392b", "missing": "#9e9e9e"}
STATUS_ZH = {"accepted": "已采用", "rejected": "被退回", "missing": "未报送"}




# ---------------------------------------------------------------- chart data from a report
_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)+")
# Colours of the result groups in the order the layout lists them (予以公开 green, 部分公开 blue…).
RESULT_COLOURS = (PALETTE[1], PALETTE[0], PALETTE[3], PALETTE[2], PALETTE[4], PALETTE[5], PALETTE[6], PALETTE[7])


def result_groups(layout: Layout) -> list[tuple[str, list[str]]]:
    """The groups of 三、本年度办理结果 as the layout nests them: (short label, data row keys), one
    per row beside the computed total (（一）予以公开 … （六）其他处理, a group's rows together)."""
    def leaves(r) -> list[str]:
        return [r.key] if not r.children else [k for c in r.children for k in leaves(c)]

    stack = list(layout.tables["t3"].rows)
    while stack:
        r = stack.pop()
        if any(c.computed for c in r.children):
            return [(_NUMBER.sub("", c.label or "").split("（", 1)[0], leaves(c)) for c in r.children if not c.computed]
        stack.extend(r.children)
    return []


def t3_total_col(layout: Layout) -> str:
    t = layout.tables["t3"]
    computed = [c.key for c in t.data_columns if c.computed]
    return computed[-1] if computed else t.data_columns[-1].key


def applications(layout: Layout, data: ReportData) -> float:
    """三 一、本年新收政府信息公开申请数量 · 总计."""
    if "t3" not in layout.tables:
        return 0
    return data.number(layout, CellRef("t3", "new", t3_total_col(layout)))


def results_breakdown(layout: Layout, data: ReportData) -> list[Bar]:
    """How the applications were handled (三 三、本年度办理结果, 总计 column), in the groups the
    layout nests (result_groups): 予以公开, 部分公开, 不予公开 (（三）1–8), 无法提供 (（四）), 不予处理
    (（五）), 其他处理 (（六）)."""
    if "t3" not in layout.tables:
        return []
    col = t3_total_col(layout)
    return [Bar(label, sum(data.number(layout, CellRef("t3", k, col)) for k in keys), RESULT_COLOURS[i % len(RESULT_COLOURS)])
            for i, (label, keys) in enumerate(result_groups(layout))]


# ---------------------------------------------------------------- helpers
def _num(v: float) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return str(v)


def _pct(part: float, whole: float) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "0.0%"


def text_width(text: str, size: float) -> float:
    """Approximate width in px: CJK / full-width characters one em, others half an em."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.55 for ch in str(text))


def _clip(text: str, size: float, width: float) -> str:
    text = str(text)
    if text_width(text, size) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > width:
            break
        out += ch
    return out + "…"


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(width: float, height: float, title: str, desc: str, body: list[str], cls: str = "chart") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" role="img" width="{_f(width)}" '
            f'height="{_f(height)}" viewBox="0 0 {_f(width)} {_f(height)}" '
            f"font-family='{FONT}' font-size=\"13\">"
            f"<title>{esc(title)}</title><desc>{esc(desc)}</desc>" + "".join(body) + "</svg>")


def _legend(items: list[tuple[str, str]], y: float, x0: float = 8, width: float = 720) -> tuple[list[str], float]:
    out, x = [], x0
    for label, colour in items:
        w = 14 + 6 + text_width(label, 12) + 18
        if x + w > width and x > x0:
            x, y = x0, y + 20
        out.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{_f(x + 17)}" y="{_f(y + 11)}" font-size="12">{esc(label)}</text>')
        x += w
    return out, y + 20


# ---------------------------------------------------------------- SVG charts
def hbar_svg(title: str, bars: list[Bar], *, desc: str = "", unit: str = "件", width: int = 720) -> str:
    """A horizontal bar chart: one bar per item, its label at the left and its value at the right."""
    return "".join(hbar_svg_pieces(title, bars, desc=desc, unit=unit, width=width))


def hbar_svg_pieces(title: str, bars: list[Bar], *, desc: str = "", unit: str = "件", width: int = 720):
    """hbar_svg as pieces, made as they are taken (a country's chart has a bar per unit: its
    text is never held whole)."""
    size, row, top = 13, 26, 8
    label_w = min(max([text_width(b.label, size) for b in bars] + [40]) + 12, width * 0.4)
    value_w = 70
    plot = width - label_w - value_w - 8
    vmax = max([b.value for b in bars] + [0])
    height = top * 2 + row * max(len(bars), 1)
    yield (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{_f(width)}" '
           f'height="{_f(height)}" viewBox="0 0 {_f(width)} {_f(height)}" '
           f"font-family='{FONT}' font-size=\"13\">"
           f"<title>{esc(title)}</title><desc>")
    # The description, escaped piece by piece (escaping is character by character: the same text).
    if desc or not bars:
        yield esc(desc or "无数据")
    else:
        for i, b in enumerate(bars):
            yield ("；" if i else "") + esc(f"{b.label}：{_num(b.value)}{unit}")
    yield "</desc>"
    if not bars:
        yield f'<text x="{_f(width / 2)}" y="{_f(height / 2 + 4)}" text-anchor="middle">（无数据）</text>'
    for i, b in enumerate(bars):
        y = top + i * row
        w = plot * b.value / vmax if vmax > 0 else 0
        label = _clip(b.label, size, label_w - 12)
        yield (f'<text x="{_f(label_w - 6)}" y="{_f(y + 17)}" text-anchor="end">{esc(label)}</text>'
               f'<rect x="{_f(label_w)}" y="{_f(y + 4)}" width="{_f(max(w, 0))}" height="{row - 8}" '
               f'fill="{b.colour}"><title>{esc(b.label)}：{_num(b.value)}{esc(unit)}</title></rect>'
               f'<text x="{_f(label_w + w + 4)}" y="{_f(y + 17)}">{_num(b.value)}</text>')
    yield "</svg>"


def stacked_svg(title: str, bars: list[Bar], *, desc: str = "", unit: str = "件", width: int = 720,
                height_bar: int = 34) -> str:
    """A 100 % bar: the parts side by side in proportion, with a legend that gives each part's
    number and share (so the figures can be read without the colours)."""
    total = sum(b.value for b in bars)
    x0, y0, plot = 8, 8, width - 16
    body, x = [], float(x0)
    if total <= 0:
        body.append(f'<rect x="{x0}" y="{y0}" width="{plot}" height="{height_bar}" fill="#eeeeee"/>'
                    f'<text x="{_f(x0 + plot / 2)}" y="{_f(y0 + height_bar / 2 + 5)}" text-anchor="middle">'
                    f"（无数据）</text>")
    else:
        for b in bars:
            w = plot * b.value / total
            if w <= 0:
                continue
            share = _pct(b.value, total)
            body.append(f'<rect x="{_f(x)}" y="{y0}" width="{_f(w)}" height="{height_bar}" fill="{b.colour}">'
                        f"<title>{esc(b.label)}：{_num(b.value)}{esc(unit)}（{share}）</title></rect>")
            text = _num(b.value)
            if text_width(text, 12) + 6 < w:
                body.append(f'<text x="{_f(x + w / 2)}" y="{_f(y0 + height_bar / 2 + 5)}" text-anchor="middle" '
                            f'fill="#ffffff" font-size="12">{text}</text>')
            x += w
    legend, end = _legend([(f"{b.label} {_num(b.value)}（{_pct(b.value, total)}）", b.colour) for b in bars],
                          y0 + height_bar + 10, width=width)
    body += legend
    if not desc:
        desc = f"合计{_num(total)}{unit}。" + "；".join(
            f"{b.label}{_num(b.value)}{unit}，占{_pct(b.value, total)}" for b in bars)
    return _svg(width, end + 4, title, desc, body)


def progress_svg(title: str, accepted: int, rejected: int, missing: int, *, width: int = 720) -> str:
    """Submission progress of the roster: accepted / rejected / missing units as one 100 % bar."""
    bars = [Bar(STATUS_ZH[k], v, STATUS_COLOURS[k]) for k, v in
            (("accepted", accepted), ("rejected", rejected), ("missing", missing))]
    n = accepted + rejected + missing
    desc = (f"名单内共{n}个单位：已采用{accepted}个（{_pct(accepted, n)}），被退回{rejected}个，"
            f"未报送{missing}个。")
    return stacked_svg(title, bars, desc=desc, unit="个", width=width)


def grouped_svg(title: str, categories: list[str], series: list[tuple[str, str, list[float]]], *,
                desc: str = "", unit: str = "件", width: int = 720) -> str:
    """Grouped horizontal bars: for each category one bar per series (e.g. 本年 / 上年).
    series: [(name, colour, values per category)]."""
    size, bar_h, gap, top = 13, 16, 10, 8
    label_w = min(max([text_width(c, size) for c in categories] + [40]) + 12, width * 0.4)
    plot = width - label_w - 70 - 8
    vmax = max([v for _n, _c, vals in series for v in vals] + [0])
    group_h = bar_h * len(series) + gap
    body = []
    y = top
    for i, cat in enumerate(categories):
        body.append(f'<text x="{_f(label_w - 6)}" y="{_f(y + group_h / 2)}" text-anchor="end">'
                    f"{esc(_clip(cat, size, label_w - 12))}</text>")
        for j, (name, colour, vals) in enumerate(series):
            v = vals[i] if i < len(vals) else 0
            w = plot * v / vmax if vmax > 0 else 0
            by = y + j * bar_h
            body.append(f'<rect x="{_f(label_w)}" y="{_f(by + 1)}" width="{_f(w)}" height="{bar_h - 2}" '
                        f'fill="{colour}"><title>{esc(cat)}（{esc(name)}）：{_num(v)}{esc(unit)}</title></rect>'
                        f'<text x="{_f(label_w + w + 4)}" y="{_f(by + bar_h - 4)}" font-size="12">{_num(v)}</text>')
        y += group_h
    legend, end = _legend([(name, colour) for name, colour, _v in series], y + 4, width=width)
    body += legend
    if not desc:
        desc = "；".join(cat + "：" + "，".join(f"{name}{_num(vals[i] if i < len(vals) else 0)}{unit}"
                                              for name, _c, vals in series) for i, cat in enumerate(categories))
    return _svg(width, end + 4, title, desc, body)
