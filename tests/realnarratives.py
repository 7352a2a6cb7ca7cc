"""Real published narratives (tests/data/narratives/*.yaml) as reports, and the measurement of the
narrative checks on them.

`python tests/realnarratives.py` prints the measurement: alarms on the consistent real reports
(must be 0), the real inconsistencies caught, and the synthetic inconsistent versions (one stated
figure changed) caught with the right expected/found/section/paragraph. tests/test_text_real.py
asserts the same figures.

A fixture's tables: every input cell 0 (so that a figure the check reads by mistake is compared,
not skipped as unknown), then the figures the page's own tables show (`table`), then the figures
the text states (`stated`, read by hand), the 勾稽 balanced where a figure is left free.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent
if str(ROOT.parent) not in sys.path:                  # run as a script from the repository
    sys.path.insert(0, str(ROOT.parent))

from gaixl.report.data import ReportData  # noqa: E402
from gaixl.spec.load import load_layout  # noqa: E402
from gaixl.spec.rules import CellRef, compute  # noqa: E402
from gaixl.validation.textnumbers import check_text_numbers, cn_number  # noqa: E402

DATA = ROOT / "data" / "narratives"

# quantity name (templates/narrative/*.yaml) → the input cell that carries it here
_T3 = {"本年新收政府信息公开申请数量": "new", "上年结转政府信息公开申请数量": "carried_in",
       "结转下年度继续办理的申请数量": "carried_out", "予以公开": "granted", "部分公开": "partial",
       "不予公开": "denied_1", "无法提供": "unable_1", "不予处理": "noproc_1"}
CELLS = {
    "2021": {**{k: ("t3", v, "natural") for k, v in _T3.items()},
             "政府信息公开行政复议": ("t4", "cases", "rev_upheld"),
             "政府信息公开行政诉讼": ("t4", "cases", "dir_upheld"),
             "本年制发规章": ("art20_1", "rules", "issued"), "本年废止规章": ("art20_1", "rules", "repealed"),
             "现行有效规章": ("art20_1", "rules", "in_force"),
             "本年制发行政规范性文件": ("art20_1", "normative", "issued"),
             "本年废止行政规范性文件": ("art20_1", "normative", "repealed"),
             "现行有效行政规范性文件": ("art20_1", "normative", "in_force"),
             "行政许可处理决定数量": ("art20_5", "licensing", "decisions"),
             "行政处罚处理决定数量": ("art20_6", "penalty", "decisions"),
             "行政强制处理决定数量": ("art20_6", "coercion", "decisions"),
             "行政事业性收费金额": ("art20_8", "fees", "amount")},
    "2019": {**{k: ("t3", v, "natural") for k, v in _T3.items()},
             "政府信息公开行政复议": ("t4", "cases", "rev_upheld"),
             "政府信息公开行政诉讼": ("t4", "cases", "dir_upheld"),
             "本年新制作规章": ("art20_1", "rules", "made"),
             "本年新制作规范性文件": ("art20_1", "normative", "made"),
             "行政许可处理决定数量": ("art20_5", "licensing", "decisions"),
             "行政处罚处理决定数量": ("art20_6", "penalty", "decisions"),
             "行政强制处理决定数量": ("art20_6", "coercion", "decisions")},
}
_OTHER = {"2021": "other_3", "2019": "other_proc"}
TOTAL = "本年度办理结果总计"


@dataclass
class Fixture:
    name: str
    source: str
    unit: str
    year: int
    layout: str
    text: dict
    table: dict
    stated: list
    inconsistent: list = field(default_factory=list)

    def table_values(self) -> dict:
        """quantity → the table's figure: the page's table, else what the text states."""
        out = {q: v for q, v, _w in self.stated}
        out.update(self.table)
        return out


def load(path: Path) -> Fixture:
    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    bad = [p for ps in d["text"].values() for p in ps if not isinstance(p, str)]
    assert not bad, f"{path.name}: a paragraph read as {type(bad[0]).__name__} (quote it)"
    return Fixture(name=path.stem, source=d["source"], unit=d["unit"], year=int(d["year"]), layout=str(d["layout"]),
                   text=d["text"], table=d.get("table") or {}, stated=[tuple(s) for s in d.get("stated") or []],
                   inconsistent=[tuple(s) for s in d.get("inconsistent") or []])


def fixtures() -> list[Fixture]:
    return [load(p) for p in sorted(DATA.glob("*.yaml"))]


_FULL = str.maketrans({",": "，", "(": "（", ")": "）", ";": "；", ":": "："})


def full_width(s: str) -> str:
    """The same text with the full-width punctuation most published copies use (not in URLs)."""
    return re.sub(r"https?://\S+|www\.\S+", lambda m: m.group(0).translate({ord(k): v for k, v in
                                                                          {"，": ",", "：": ":"}.items()}),
                  s.translate(_FULL))


def narrative(fx: Fixture, layout, *, wide: bool = False, text: dict | None = None, fold: bool = True) -> dict:
    """Section heading → paragraphs as a workbook holds them: text the page printed in a table
    section (三/四) goes to 一、总体情况, after its own paragraphs (where a unit filling the
    template writes it); with fold=False it is left out (the published text puts it back)."""
    src = text if text is not None else fx.text
    headings = {s.heading for s in layout.text_sections}
    out: dict = {h: [] for h in headings}
    for h, paras in src.items():
        if h not in headings and not fold:
            continue
        target = h if h in headings else "一、总体情况"
        out[target] += [full_width(p) if wide else p for p in paras]
    for h in headings:
        if not out[h]:
            out[h] = ["无。"]
    return out


def build(fx: Fixture, *, wide: bool = False, text: dict | None = None, fold: bool = True) -> ReportData:
    layout = load_layout(fx.layout)
    d = ReportData.empty(layout, fx.year, code="REAL-" + fx.name[:20], name=fx.unit)
    for t in layout.tables.values():
        for r in t.data_rows:
            if r.computed:
                continue
            for c in t.data_columns:
                if not c.computed:
                    d.set_value(layout, CellRef(t.key, r.key, c.key), 0)
    values = fx.table_values()
    cells = CELLS[fx.layout]
    for q, v in values.items():
        if q in cells:
            d.set_value(layout, CellRef(*cells[q]), v)
        elif q != TOTAL:
            raise KeyError(f"{fx.name}: no cell for {q}")
    num = lambda key: d.number(layout, CellRef("t3", key, "natural"))  # noqa: E731
    totals = compute(layout, lambda ref: d.number(layout, ref))
    results = totals[CellRef("t3", "results_total", "natural")]
    if TOTAL in values and values[TOTAL] > results:          # the rest of a stated total: 其他处理
        d.set_value(layout, CellRef("t3", _OTHER[fx.layout], "natural"), values[TOTAL] - results)
        results = values[TOTAL]
    new = "本年新收政府信息公开申请数量" in values
    if new and "结转下年度继续办理的申请数量" in values and TOTAL not in values:   # the rest was answered
        rest = num("new") + num("carried_in") - num("carried_out") - results
        if rest > 0:
            other = CellRef("t3", _OTHER[fx.layout], "natural")
            d.set_value(layout, other, d.number(layout, other) + rest)
            results += rest
    if "结转下年度继续办理的申请数量" not in values and new:
        d.set_value(layout, CellRef("t3", "carried_out", "natural"), max(0, num("new") + num("carried_in") - results))
    elif not new:
        d.set_value(layout, CellRef("t3", "new", "natural"), max(0, results + num("carried_out") - num("carried_in")))
    for ref, v in compute(layout, lambda ref: d.number(layout, ref)).items():
        d.set_value(layout, ref, v)
    d.text = narrative(fx, layout, wide=wide, text=text, fold=fold)
    return d


def published(fx: Fixture, folder: Path, *, wide: bool = False, text: dict | None = None) -> Path:
    """The whole report as a portal publishes it: rendered by gaixl to Markdown (title, sections,
    tables), the text the page printed inside a table section put back under that heading."""
    from gaixl.document import render

    layout = load_layout(fx.layout)
    d = build(fx, wide=wide, text=text, fold=False)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{fx.name}.md"
    render(d, path, layout=layout)
    md = path.read_text(encoding="utf-8")
    headings = {s.heading for s in layout.text_sections}
    for h, paras in (text if text is not None else fx.text).items():
        if h in headings:
            continue
        body = "\n\n".join(full_width(p) if wide else p for p in paras)
        md = md.replace(f"## {h}\n", f"## {h}\n\n{body}\n", 1)
    path.write_text(md, encoding="utf-8")
    return path


def import_mismatches(path: Path):
    from gaixl.importers.api import import_report

    return [f for f in import_report(path).findings if f.code == "text-table-mismatch"]


def mismatches(d: ReportData, layout_id: str):
    return [f for f in check_text_numbers(d, load_layout(layout_id)) if f.code == "text-table-mismatch"]


# ---------------------------------------------------------------- synthetic inconsistent versions
_NUM = re.compile(r"\d+(?:\.\d+)?|[〇零一二两三四五六七八九十百千万]+")


def _changed(shown: str) -> str:
    """The figure said differently: 8 → 9, 0 → 1, 一 → 两 (by value + 1)."""
    if shown[0].isdigit():
        return str(int(shown) + 1) if "." not in shown else str(float(shown) + 1)
    n = cn_number(shown)
    return "二" if n == 1 else "十" if n is None else _cn(n + 1)


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


@dataclass
class Altered:
    fixture: Fixture
    quantity: str
    words: str
    changed: str
    section: str
    paragraph: int          # 1-based, as the finding's column says 第N段
    expected: float
    found: float
    data: ReportData
    text: dict                       # the fixture's text with the figure changed
    published_section: str           # where the published text has it (a table section stays one)
    published_paragraph: int


def altered(fx: Fixture, *, wide: bool = False) -> list[Altered]:
    """One version per stated figure, that figure said differently in the text (the table not)."""
    layout = load_layout(fx.layout)
    out = []
    table = fx.table_values()
    for q, v, words in fx.stated:
        if q in dict((i[0], i) for i in fx.inconsistent):
            continue
        m = None
        for m in _NUM.finditer(words):      # the figure: the last number before a unit
            if re.match(r"\s*(?:万元|件|个|宗|起|部|份|条)", words[m.end():]):
                break
        assert m is not None, (fx.name, words)
        new_words = words[:m.start()] + _changed(m.group(0)) + words[m.end():]
        hits = [(h, i) for h, ps in fx.text.items() for i, p in enumerate(ps) if words in p]
        assert len(hits) == 1, (fx.name, words, hits)
        h, i = hits[0]
        text = {k: [p.replace(words, new_words) if (k, j) == (h, i) else p for j, p in enumerate(ps)]
                for k, ps in fx.text.items()}
        d = build(fx, wide=wide, text=text)
        changed_para = text[h][i]
        shown = full_width(changed_para) if wide else changed_para
        heading = h if h in {s.heading for s in layout.text_sections} else "一、总体情况"
        paras = [p for p in d.text[heading]]
        in_text = h in {s.heading for s in layout.text_sections}
        pub_section = h if in_text else next(s.heading for s in layout.sections if s.number == h.partition("、")[0])
        pub_paragraph = paras.index(shown) + 1 if in_text else i + 1
        out.append(Altered(fx, q, words, new_words, heading, paras.index(shown) + 1, table[q],
                           _value(new_words, m.start()), d, text, pub_section, pub_paragraph))
    return out


def _value(words: str, at: int) -> float:
    s = _NUM.match(words, at).group(0)
    return float(s) if s[0].isdigit() else float(cn_number(s) or 0)


# ---------------------------------------------------------------- the measurement
@dataclass
class Measurement:
    reports: int = 0
    paragraphs: int = 0
    figures_stated: int = 0
    false_alarms: list = field(default_factory=list)       # (fixture, message) on consistent reports
    unexpected_reads: list = field(default_factory=list)   # figures read that the text does not state
    misread: list = field(default_factory=list)            # stated figures not read (the misses)
    real_caught: list = field(default_factory=list)
    real_missed: list = field(default_factory=list)
    altered: int = 0
    altered_caught: int = 0
    altered_wrong: list = field(default_factory=list)       # caught, but with the wrong figures/place
    altered_missed: list = field(default_factory=list)


def reads(fx: Fixture, m: Measurement) -> None:
    """What the check reads in the text against what a reader finds there (`stated`)."""
    from collections import Counter

    from gaixl.validation.textnumbers import is_government, quantities, statements

    vocab = quantities(fx.layout)
    got = Counter((st.quantity.name, st.value) for ps in fx.text.values() for p in ps
                  for st in statements(p, vocab, fx.year, is_government(fx.unit)))
    want = Counter((q, float(v)) for q, v, _w in fx.stated)
    m.unexpected_reads += [(fx.name, k) for k in (got - want).elements()]
    m.misread += [(fx.name, k) for k in (want - got).elements()]


def measure(wide: bool = False, route: str = "data", folder: Path | None = None) -> Measurement:
    """route "data": the library check on the report data (what `check` runs on a data file or a
    workbook); "import": the whole report published as text and read by `gaixl import`."""
    import tempfile

    folder = folder or Path(tempfile.mkdtemp(prefix="gaixl-narr-"))
    m = Measurement()

    def run(fx, text=None):
        if route == "import":
            return import_mismatches(published(fx, folder, wide=wide, text=text))
        return mismatches(build(fx, wide=wide, text=text), fx.layout)

    for fx in fixtures():
        m.reports += 1
        m.paragraphs += sum(len(ps) for ps in fx.text.values())
        m.figures_stated += len(fx.stated)
        reads(fx, m)
        got = run(fx)
        real = {(q, t, s) for q, t, s in fx.inconsistent}
        for f in got:
            key = next((r for r in real if r[0] in f.message and (f.expected, f.found) == (r[1], r[2])), None)
            if key:
                m.real_caught.append((fx.name, f.message))
                real.discard(key)
            else:
                m.false_alarms.append((fx.name, f.message))
        m.real_missed += [(fx.name, r) for r in real]
        for a in altered(fx, wide=wide):
            m.altered += 1
            found = run(fx, a.text) if route == "import" else mismatches(a.data, fx.layout)
            got = [f for f in found if a.quantity in f.message and f.found == a.found]
            if not got:
                m.altered_missed.append((fx.name, a.quantity, a.changed))
            elif (len(got) == 1 and got[0].expected == a.expected and got[0].row == (a.section if route == "data" else a.published_section)
                  and got[0].column == f"第{a.paragraph if route == 'data' else a.published_paragraph}段"
                  and a.changed in got[0].message):
                m.altered_caught += 1
            else:
                m.altered_wrong.append((fx.name, a.quantity, [(f.expected, f.found, f.row, f.column) for f in got]))
    return m


def report(m: Measurement, label: str) -> str:
    lines = [f"[{label}] {m.reports} real reports, {m.paragraphs} paragraphs, {m.figures_stated} figures stated "
             f"for table quantities (read by hand)",
             f"  figures read: {m.figures_stated - len(m.misread)} of {m.figures_stated} stated; read where the text "
             f"states none: {len(m.unexpected_reads)}",
             *[f"    unexpected {n}: {k}" for n, k in m.unexpected_reads],
             f"  false alarms on consistent reports: {len(m.false_alarms)}",
             *[f"    {n}: {msg}" for n, msg in m.false_alarms],
             f"  real published inconsistencies caught: {len(m.real_caught)} of {len(m.real_caught) + len(m.real_missed)}",
             *[f"    {n}: {msg}" for n, msg in m.real_caught],
             *[f"    MISSED {n}: {r}" for n, r in m.real_missed],
             f"  altered versions (one stated figure changed) caught exactly: {m.altered_caught} of {m.altered}",
             *[f"    wrong {n} {q}: {x}" for n, q, x in m.altered_wrong],
             *[f"    missed {n} {q}: “{w}”" for n, q, w in m.altered_missed]]
    return "\n".join(lines)


# ---------------------------------------------------------------- §4: copied and stale text
STOCK_OPENING = ("本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》要求编制，"
                 "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况、"
                 "存在的主要问题及改进情况和其他需要报告的事项。本年度报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"
                 "如对本报告有疑问，请与本单位办公室联系。")
STOCK_FEES = "根据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）规定，本年度本机关未收取信息处理费。"


def copy_of(p: str, source_unit: str, unit: str) -> str:
    """A paragraph as another unit copies it: the other unit's name put in, 我局 → 我办, the
    figures changed (a copy is never quite the same)."""
    from gaixl.validation.textcopy import unit_names

    for n in unit_names(source_unit):
        p = p.replace(n, unit)
    p = p.replace("我局", "我办").replace("本局", "本办")
    return re.sub(r"\d+", lambda m: str(int(m.group(0)) + 3), p)


@dataclass
class CopyMeasurement:
    units: int = 0
    paragraphs: int = 0
    duplicate_alarms: list = field(default_factory=list)   # on the real reports as they are (+ stock text)
    stale_alarms: list = field(default_factory=list)
    last_year_alarms: list = field(default_factory=list)   # a report against another unit's as "last year"
    copies: int = 0
    copies_caught: int = 0
    copies_missed: list = field(default_factory=list)
    stale: int = 0
    stale_caught: int = 0
    stale_missed: list = field(default_factory=list)
    stale_plain_caught: int = 0                            # the page's own text only (no stock opening)
    stale_plain_missed: list = field(default_factory=list)
    reused: int = 0
    reused_caught: int = 0


def measure_copies() -> CopyMeasurement:
    from gaixl.validation.textcopy import _paragraphs, copied_last_year, duplicate_units, stale_year

    m = CopyMeasurement()
    fxs = fixtures()
    datas = {}
    for fx in fxs:
        layout = load_layout(fx.layout)
        d = build(fx)
        d.text["一、总体情况"] = [STOCK_OPENING.format(y=fx.year)] + d.text["一、总体情况"]
        d.text["六、其他需要报告的事项"] = [STOCK_FEES]
        datas[fx.name] = (fx, d, layout)
        m.units += 1
        m.paragraphs += sum(len(ps) for ps in d.text.values())
        m.stale_alarms += [(fx.name, f.message) for f in stale_year(d, layout)]
    for lid in ("2019", "2021"):
        group = [(fx.name, fx.unit, d, None) for fx, d, layout in datas.values() if fx.layout == lid]
        found = duplicate_units(group, load_layout(lid))
        m.duplicate_alarms += [(c, f.message) for c, fs in found.items() for f in fs]
        # copies: each unit's first paragraph of its own words, copied into the next unit's report
        names = [g[0] for g in group]
        for k, name in enumerate(names):
            fx, d, layout = datas[name]
            own = [(s, i, p) for s, i, p, _o in _paragraphs(d, layout)]
            if not own:
                continue
            other = names[(k + 1) % len(names)]
            ofx, od, _l = datas[other]
            copied = ReportData.from_json(od.to_json(), "copy")
            copied.text["五、存在的主要问题及改进情况"] = [copy_of(own[0][2], fx.unit, ofx.unit)]
            m.copies += 1
            got = duplicate_units([(name, fx.unit, d, None), (other, ofx.unit, copied, None)], layout)
            if (set(got) == {name, other} and fx.unit in got[other][0].message
                    and ofx.unit in got[name][0].message):
                m.copies_caught += 1
            else:
                m.copies_missed.append((name, other, own[0][2][:40]))
    for fx, d, layout in datas.values():
        # last year's report sent again as this year's: the year moved on, the text not
        again = ReportData.from_json(d.to_json(), "again")
        again.year = fx.year + 1
        m.stale += 1
        if stale_year(again, layout):
            m.stale_caught += 1
        else:
            m.stale_missed.append(fx.name)
        plain = build(fx)
        plain.year = fx.year + 1
        plain.text["六、其他需要报告的事项"] = [STOCK_FEES]
        if stale_year(plain, layout):
            m.stale_plain_caught += 1
        else:
            m.stale_plain_missed.append(fx.name)
        m.reused += 1
        if copied_last_year(again, d, layout):
            m.reused_caught += 1
    # another unit's report as “last year”: nothing in common
    order = list(datas.values())
    for k, (fx, d, layout) in enumerate(order):
        pfx, pd, _l = order[(k + 1) % len(order)]
        prev = ReportData.from_json(pd.to_json(), "prev")
        prev.year = fx.year - 1
        m.last_year_alarms += [(fx.name, f.message) for f in copied_last_year(d, prev, layout)]
    return m


def report_copies(m: CopyMeasurement) -> str:
    return "\n".join([
        f"[copied and stale text] {m.units} real reports, {m.paragraphs} paragraphs (with the stock opening and "
        f"信息处理费 sentence every report has)",
        f"  text-duplicate-units among the real reports: {len(m.duplicate_alarms)}",
        *[f"    {c}: {msg}" for c, msg in m.duplicate_alarms],
        f"  text-stale-year on the real reports: {len(m.stale_alarms)}",
        *[f"    {c}: {msg}" for c, msg in m.stale_alarms],
        f"  text-copied-last-year against another unit's report: {len(m.last_year_alarms)}",
        f"  a real paragraph copied into another unit's report (names, 我局, figures changed) caught: "
        f"{m.copies_caught} of {m.copies}",
        *[f"    missed {a} → {b}: {p}" for a, b, p in m.copies_missed],
        f"  last year's real report sent again as this year's: text-stale-year {m.stale_caught} of {m.stale}, "
        f"text-copied-last-year {m.reused_caught} of {m.reused}",
        *[f"    stale missed: {n}" for n in m.stale_missed],
        f"  … the page's own text only (without the stock opening and its 统计期限): text-stale-year "
        f"{m.stale_plain_caught} of {m.stale}",
        *[f"    stale missed: {n}" for n in m.stale_plain_missed],
    ])


if __name__ == "__main__":
    for route in ("data", "import"):
        for wide in (False, True):
            label = f"{'check (report data)' if route == 'data' else 'import (published text)'}, " + \
                ("full-width punctuation" if wide else "punctuation as stored")
            print(report(measure(wide, route), label))
    print(report_copies(measure_copies()))
