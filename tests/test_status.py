"""status.html, status.xlsx and county-report.docx from a hand-built Consolidation: read back
(lxml, openpyxl, python-docx), self-contained, hostile unit names escaped, byte-identical on re-run,
charts present beside (never instead of) the official tables; status.html screenshotted in headless
Chromium (skipped when it is not installed, a failure under CI=true)."""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib

import docx
import lxml.etree
import lxml.html
import openpyxl
import pytest
from docx.oxml.ns import qn
from helpers import consistent_data
from needs import require

from gaixl.consolidation import charts
from gaixl.consolidation.model import Consolidation, Entry, UnitStatus
from gaixl.consolidation.status import (
    FILE_COLUMNS,
    UNIT_COLUMNS,
    county_report_bytes,
    status_html,
    status_xlsx_bytes,
    write_county_report,
    write_status_html,
    write_status_xlsx,
)
from gaixl.report.data import ReportData
from gaixl.spec.load import load_layout
from gaixl.spec.rules import CellRef, compute, input_cells

HOSTILE = '<script>alert("x")</script>&amp;局\'"'
HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def total_of(layout, datas, year, name=""):
    out = ReportData.empty(layout, year, "", name)
    for ref, _c in input_cells(layout):
        out.set_value(layout, ref, sum(d.number(layout, ref) for d in datas))
    for ref, v in compute(layout, lambda r: out.number(layout, r)).items():
        out.set_value(layout, ref, v)
    return out


def make(lid: str = "2021", year: int = 2023, history: bool = True) -> Consolidation:
    layout = load_layout(lid)
    roster = [("U01", "缙云县人力资源和社会保障局"), ("U02", HOSTILE), ("U03", "缙云县教育局"),
              ("U04", "缙云县财政局"), ("U05", "缙云县卫生健康局")]
    accepted = {code: consistent_data(layout, year, seed=i, code=code, name=name)
                for i, (code, name) in enumerate(roster[:3])}
    entries = [
        Entry("inbox/U01.xlsx", "a" * 64, "accepted", unit_code="U01", unit_name=roster[0][1],
              submitted_at="2024-01-10T09:00:00", source="email", warnings=1),
        Entry("inbox/U02 新.xlsx", "b" * 64, "accepted", unit_code="U02", unit_name=HOSTILE,
              submitted_at="2024-01-12T10:30:00", source="file"),
        Entry("inbox/U02 旧.xlsx", "c" * 64, "superseded", reason="已由较新的报送文件替代", unit_code="U02",
              unit_name=HOSTILE, submitted_at="2024-01-11T10:30:00", source="file"),
        Entry("inbox/U03.xlsx", "d" * 64, "accepted", unit_code="U03", unit_name=roster[2][1],
              submitted_at="2024-01-09T08:00:00", source="email"),
        Entry("inbox/U04.xlsx", "e" * 64, "rejected", reason="发现2处错误", unit_code="U04",
              unit_name=roster[3][1], submitted_at="2024-01-15T16:00:00", source="email", errors=2, warnings=3),
        Entry("inbox/other.xlsx", "f" * 64, "unknown-unit", reason="单位代码X99不在名单中", unit_code="X99",
              unit_name="外县某局<b>"),
    ]
    by = {e.unit_code: e for e in entries if e.state in ("accepted", "rejected")}
    units = [UnitStatus(code, name, status="accepted" if code in accepted else
                        "rejected" if code == "U04" else "missing", entry=by.get(code))
             for code, name in roster]
    previous = {}
    if history:
        previous = {code: consistent_data(layout, year - 1, seed=10 + i, code=code, name=name)
                    for i, (code, name) in enumerate(roster[:2])}
    return Consolidation(year=year, layout=layout, inbox="inbox", entries=entries, units=units,
                         accepted=accepted, total=total_of(layout, list(accepted.values()), year),
                         previous=previous,
                         previous_total=total_of(layout, list(previous.values()), year - 1) if history else None,
                         county="缙云县")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    c = make()
    d = tmp_path_factory.mktemp("status")
    return c, write_status_html(c, d / "status.html"), write_status_xlsx(c, d / "status.xlsx"), \
        write_county_report(c, d / "county-report.docx")


# ---------------------------------------------------------------- charts
def test_results_breakdown_adds_up_to_the_total():
    for lid, year in (("2019", 2020), ("2021", 2023)):
        layout = load_layout(lid)
        d = consistent_data(layout, year, seed=5)
        bars = charts.results_breakdown(layout, d)
        assert [b.label for b in bars] == ["予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"]
        assert sum(b.value for b in bars) == d.number(layout, CellRef("t3", "results_total", "total"))
        denied = sum(d.number(layout, CellRef("t3", f"denied_{i}", "total")) for i in range(1, 9))
        assert bars[2].value == denied


def test_svg_charts_are_accessible_and_escaped():
    bars = [charts.Bar(HOSTILE, 3), charts.Bar("乙", 0)]
    for svg in (charts.hbar_svg("标题<", bars), charts.stacked_svg("标题<", bars),
                charts.grouped_svg("标题<", [HOSTILE], [("本年", "#000", [1]), ("上年", "#888", [2])]),
                charts.progress_svg("进度", 1, 2, 3)):
        root = lxml.etree.fromstring(svg.encode())       # well-formed XML
        assert root.get("role") == "img"
        ns = "{http://www.w3.org/2000/svg}"
        assert root.find(f"{ns}title").text and root.find(f"{ns}desc").text
        assert "<script" not in svg
    svg = charts.hbar_svg("t", [charts.Bar("甲", 7)])
    assert ">7</text>" in svg                             # numbers as text labels too
    # nothing to draw: no division by zero
    assert "无数据" in charts.hbar_svg("t", []) and "无数据" in charts.stacked_svg("t", [charts.Bar("a", 0)])



# ---------------------------------------------------------------- status.html
def test_status_html_self_contained(outputs):
    _c, html_path, _x, _d = outputs
    text = html_path.read_text(encoding="utf-8")
    root = lxml.html.fromstring(text)
    assert root.get("lang") == "zh-CN"
    assert root.findtext(".//title") == "缙云县2023年度政府信息公开工作年度报告报送情况"
    assert not root.xpath("//script") and not root.xpath("//link") and not root.xpath("//iframe")
    for el in root.xpath("//*[@src or @href]"):
        assert not (el.get("src") or el.get("href") or "").startswith(("http:", "https:", "//"))
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in text
    # the hostile name is text, never markup
    assert HOSTILE not in text and "&lt;script&gt;" in text
    svgs = root.xpath("//svg")
    assert len(svgs) == 4                                 # progress, by unit, breakdown, year over year
    for s in svgs:
        assert s.get("role") == "img" and s.find("title") is not None and s.find("title").text


def test_status_html_rows(outputs):
    c, html_path, _x, _d = outputs
    root = lxml.html.fromstring(html_path.read_text(encoding="utf-8"))
    tables = root.xpath("//table")
    units, files = tables
    assert [th.text_content() for th in units.xpath(".//thead//th")] == UNIT_COLUMNS
    rows = units.xpath("./tbody/tr")
    assert len(rows) == len(c.units)
    got = {r.xpath("./td")[0].text_content(): (r.xpath("./td")[1].text_content(), r.xpath("./td")[2].text_content())
           for r in rows}
    assert got == {"U01": ("缙云县人力资源和社会保障局", "已采用"), "U02": (HOSTILE, "已采用"),
                   "U03": ("缙云县教育局", "已采用"), "U04": ("缙云县财政局", "被退回"),
                   "U05": ("缙云县卫生健康局", "未报送")}
    r4 = next(r for r in rows if r.xpath("./td")[0].text_content() == "U04")
    assert [td.text_content() for td in r4.xpath("./td")][3:] == ["inbox/U04.xlsx", "2024-01-15 16:00:00", "2", "3",
                                                                 "发现2处错误"]
    assert r4.xpath(".//span[contains(@class,'s-rejected')]")     # colour and text
    frows = files.xpath("./tbody/tr")
    assert len(frows) == len(c.entries)
    states = {r.xpath("./td")[0].text_content(): r.xpath("./td")[1].text_content() for r in frows}
    assert states["inbox/U02 旧.xlsx"] == "已被新文件替代" and states["inbox/other.xlsx"] == "单位不在名单中"
    summary = {dt.text_content(): dd.text_content() for dt, dd in zip(root.xpath("//dt"), root.xpath("//dd"))}
    assert summary == {"名单内单位": "5", "已采用": "3", "被退回": "1", "未报送": "1", "收到文件": "6",
                       "已被替代的文件": "1", "名单外单位的文件": "1"}


def test_status_html_without_history_has_no_year_over_year():
    c = make(history=False)
    root = lxml.html.fromstring(status_html(c))
    assert len(root.xpath("//svg")) == 3
    assert "与上年对比" not in status_html(c)


# ---------------------------------------------------------------- status.xlsx
def test_status_xlsx(outputs):
    c, _h, xlsx_path, _d = outputs
    wb = openpyxl.load_workbook(xlsx_path)
    assert wb.sheetnames == ["报送情况", "收到的文件"]
    ws = wb["报送情况"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == UNIT_COLUMNS
    assert len(rows) - 1 == len(c.units)
    assert [r[0] for r in rows[1:]] == [u.code for u in c.units]
    assert rows[2][:3] == ("U02", HOSTILE, "已采用")
    assert rows[4][2:] == ("被退回", "inbox/U04.xlsx", "2024-01-15 16:00:00", 2, 3, "发现2处错误")
    assert rows[5][2] == "未报送" and rows[5][3] is None
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:H6"
    assert len(ws.conditional_formatting) >= 1
    files = list(wb["收到的文件"].iter_rows(values_only=True))
    assert list(files[0]) == FILE_COLUMNS and len(files) - 1 == len(c.entries)
    assert sorted(r[0] for r in files[1:]) == [r[0] for r in files[1:]]
    assert wb.properties.created.year == 2000


# ---------------------------------------------------------------- county-report.docx
def test_county_report(outputs):
    c, _h, _x, docx_path = outputs
    d = docx.Document(str(docx_path))
    paras = [p.text for p in d.paragraphs]
    assert paras[0] == "缙云县2023年政府信息公开工作年度报告"
    pos = [paras.index(h) for h in HEADINGS]
    assert pos == sorted(pos)                              # the six headings, in official order
    body = d.element.body
    # official tables intact: 二 (4 tables in 2021), 三, 四 — plus the chart tables
    official = [t for t in d.tables if "本年新收政府信息公开申请数量" in "".join(c_.text for c_ in t._cells)]
    assert len(official) == 1
    t3 = official[0]
    cells = {(cell.text) for cell in t3._cells}
    assert "（一）予以公开" in cells or any("予以公开" in x for x in cells)
    new_total = str(int(charts.applications(c.layout, c.total)))
    assert new_total in cells
    captions = [p for p in paras if p.startswith("图")]
    assert captions == ["图1  2023年政府信息公开申请办理结果", "图2  2023年各单位新收政府信息公开申请数量",
                        "图3  2023年与2022年政府信息公开申请情况对比"]
    # the figures come after the 三 table and before heading 四
    order = [el for el in body.iterchildren() if el.tag.endswith(("}p", "}tbl"))]

    def text(el) -> str:
        return "".join(t.text or "" for t in el.iter(qn("w:t")))

    idx_t3 = order.index(t3._tbl)
    idx_4 = next(i for i, el in enumerate(order) if text(el) == HEADINGS[3])
    idx_caps = [next(i for i, el in enumerate(order) if text(el) == cap) for cap in captions]
    assert all(idx_t3 < i < idx_4 for i in idx_caps)
    chart_tables = [t for t in d.tables if t._tbl in order[idx_t3 + 1:idx_4]]
    assert len(chart_tables) == 3
    first = chart_tables[0]
    labels = [r.cells[0].text for r in first.rows]
    assert labels == ["予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"]
    assert 'w:fill=' in first._tbl.xml                     # bars are shaded cells
    by_unit = [r.cells[0].text for r in chart_tables[1].rows]
    assert sorted(by_unit) == sorted(u.name for u in c.units if u.code in c.accepted)
    assert d.core_properties.created.year == 2000
    assert any("新收政府信息公开申请" in p and "件" in p for p in paras)
    # what it is built from, said in it: the accepted files only
    n = {k: sum(u.status == k for u in c.units) for k in ("accepted", "rejected", "missing")}
    (said,) = [p for p in paras if p.startswith("本报告仅汇总")]
    assert f"予以采用的{n['accepted']}个单位" in said and n["accepted"] == len(c.accepted)
    assert paras.index(said) < paras.index(HEADINGS[0])


def test_county_report_without_history():
    c = make(history=False)
    import io
    d = docx.Document(io.BytesIO(county_report_bytes(c)))
    assert [p.text for p in d.paragraphs if p.text.startswith("图")] == [
        "图1  2023年政府信息公开申请办理结果", "图2  2023年各单位新收政府信息公开申请数量"]


def test_county_report_2019_layout():
    import io
    c = make("2019", 2020)
    d = docx.Document(io.BytesIO(county_report_bytes(c)))
    assert any(p.text.startswith("图3") for p in d.paragraphs)


# ---------------------------------------------------------------- determinism
def test_byte_identical_rerun(outputs, tmp_path):
    c, html_path, xlsx_path, docx_path = outputs
    c2 = make()
    for fn, old in ((write_status_html, html_path), (write_status_xlsx, xlsx_path),
                    (write_county_report, docx_path)):
        new = fn(c2, tmp_path / old.name)
        assert new.read_bytes() == old.read_bytes(), old.name
    assert status_xlsx_bytes(c) == status_xlsx_bytes(c) and county_report_bytes(c) == county_report_bytes(c)


# ---------------------------------------------------------------- headless Chromium
def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        exe = shutil.which(name)
        if exe:
            return exe
    return None


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of raw pixel bytes, unfiltered) of an 8-bit RGB/RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    w, h, depth, ctype, _c, _f, interlace = ihdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, [bytes(r[i:i + 3]) for r in rows for i in range(0, stride, bpp)]


def test_status_html_in_headless_chromium(outputs, tmp_path):
    exe = require(find_chromium(), "chromium")
    _c, html_path, _x, _d = outputs
    shot = tmp_path / "status.png"
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
           f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
           f"--screenshot={shot}", "--window-size=1280,2000", html_path.resolve().as_uri()]
    env = dict(os.environ, HOME=str(tmp_path))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, check=False)
    log = proc.stdout + proc.stderr
    assert shot.exists() and shot.stat().st_size > 0, log
    console = [line for line in log.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, "\n".join(console)
    w, h, pixels = png_pixels(shot.read_bytes())
    assert (w, h) == (1280, 2000)
    ink = sum(1 for p in pixels if p != b"\xff\xff\xff")
    assert ink > 0.02 * w * h, ink                         # text, tables, coloured bars: not blank
    colours = set(pixels)
    assert bytes.fromhex("2e8b57") in colours or len(colours) > 50   # the charts' colours drawn
