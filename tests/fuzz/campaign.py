"""The hardening campaign of issue 15, re-runnable: N hostile inputs over every input kind, each
judged as the issue judges them, with the five figures that must stay 0.

    python tests/fuzz/campaign.py [-n 10000] [--seed 1] [--workers 2] [--json out.json]

Not collected by pytest (no test_ functions; tests/fuzz is outside the default pattern's use).
Run it after every change to a reader. Classes (drawn in proportion, each input built fresh
from the seed, so a run is reproducible):

  datafile   a valid data file with one field replaced by a hostile JSON value (huge ints,
             1e400, NaN, wrong types, deep nesting, years −1/0/99999/1e20, "２０２３", lone
             surrogates), or broken as a whole: a key twice, BOM, UTF-16, bad UTF-8, a NUL, cut
             short, bytes after the object, 100,000 rows, a million-character narrative
  cell       a template with input cells set to hostile <c> (5,000 digits, 1E400, 1e308 pairs
             whose total no double holds, formulas reaching outside: WEBSERVICE, HYPERLINK,
             INDIRECT, DDE; wrong types t="b"/"e"/"s" out of range/"d"/"zz"), or a bad report
             year in the metadata sheet
  damaged    a template with one part cut, given a NUL/control byte or invalid UTF-8, two roots,
             a duplicate zip member (also differing in case or slash), the zip truncated, a part
             missing or garbage                                   → must be refused (exit 2)
             — and the same sheet in odd but valid XML (UTF-16, character references, CR LF,
             single quotes, a namespace prefix, no declaration) → must read the same numbers
  roster     hostile names/emails/codes (CR LF, bidi, zero-width, =HYPERLINK, -rf, con, 300
             characters, codes differing in case or width), in UTF-8/GB18030/UTF-16
  mail       a From that decodes to CR LF + Bcc (RFC 2047 b/q, NUL, bidi, quoted addresses,
             two addresses), Subjects with CR LF/NUL, file names in RFC 2231 with CR LF/NUL/
             bidi/traversal/trailing dots, a Message-ID reused with other content, forwarded
             messages                                             → nothing lost, no redirect
  csv        hostile unit and file names through consolidate → every CSV it writes; triggers
             = + - @ TAB CR and full-width ＝ ＋ － ＠
  document   import of hostile sizes (PDF operators, Word rows, text lines, HTML tables)
  special    FIFOs and devices as inputs and outputs
  output     export/fill/generate/write onto a FIFO, a device node, a socket, a folder under a
             file, a full disk (file-size limit)                   → one GaixlError, no partial
             output, the special file left as it was

Figures: tracebacks (any exception that is not a GaixlError), hangs (an input not answered in
10 s), wrong acceptances (a damaged input read as whole, a valid one read differently, an
out-of-range value or bad year accepted, an unsafe saved name, an output not refused), injected
cells (a CSV cell starting with = + - @ TAB CR), lost files (a workbook mailed but not saved, a
redirect recorded as sender). Also the slowest input and the largest memory of a worker.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
import zipfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gaixl.errors import GaixlError  # noqa: E402
from tests.fuzz.ranges import out_of_range, year_ok  # noqa: E402

HANG = 10.0
# Shares of the N inputs. csv (a whole consolidation of three hostile units) and document (an
# import of a size near or past the limits) cost seconds each, the others milliseconds.
WEIGHTS = {"datafile": 280, "cell": 250, "damaged": 220, "roster": 80, "mail": 90, "csv": 4, "document": 20,
           "special": 30, "output": 20}
# A consolidation run (csv) is many inputs at once: it gets more than one input's 10 s.
HANG_BY_CLASS = {"csv": 60.0, "output": 30.0}
# A CSV cell a spreadsheet may run as a formula: OWASP's six, and the full-width forms that
# East Asian Excel turns into = + - @ as it reads them.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
HOSTILE_TEXT = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "\t=1+1", "-2+3",
                "\r=1+1", "\uff1dHYPERLINK(\"http://evil.example\")", "\uff0b1+1", "\uff20SUM(A1)", "\uff0d1",
                "局\r\nBcc: evil@evil.example", "x\u202eslx.exe", "-rf", "--json", "con", "con.xlsx", "LPT1",
                "_x000D_局", "局\u2028办", "a\x00b", "正常局", "局" * 300, "局\u200f办", "局\x85办", "局\ufeff",
                "=1+1" + "局" * 150, " =1+1", "'=1+1", "&#x3D;1+1", "=?utf-8?b?PTErMQ==?="]
HOSTILE_JSON = ["9" * 5000, "1e308", "1e400", "-1e308", "NaN", "Infinity", "-1", "0", "99999", "1e20", "true",
                "null", '"减5"', '"３"', '[1, 2]', '{"a": 1}', '"' + "x" * 100 + '"', "[" * 5000 + "]" * 5000,
                "1000000001", "2.345", '"2023年"', '""', "-0", "1e-400", "5e-324", "0.1e1", "1E9", "2023.5",
                "-2147483649", "18446744073709551616", '"２０２３"', '"=1+1"', '"\\u0000"', '"\\ud800"',
                '"\\u202e2023"', '"1_000"', '"0x10"', '" 5 "', '"1,000,000"', '"5件"', "[[[[[[[[[[1]]]]]]]]]]",
                '{"' + '":{"'.join("a" * 70) + '":1' + "}" * 70, "2008", "2100", "2007", "2101",
                "-9223372036854775809", '"NaN"', '"inf"', "1" + "0" * 400]
# How a data file may be broken beyond one hostile value (kinds of the datafile class).
DATAFILE_SHAPES = ["value", "value", "value", "dup-key", "bom", "utf16", "bad-utf8", "nul", "rows", "text",
                   "cut", "trailing"]
HOSTILE_CELL = ["<v>" + "9" * 5000 + "</v>", "<v>1E400</v>", "<v>NaN</v>", "<v>1e308</v>", "<v>-5</v>",
                '<f>WEBSERVICE("http://evil.example")</f><v>5</v>', "<f>[1]Sheet1!A1</f><v>3</v>",
                "<f>cmd|' /C calc'!A0</f><v>1</v>", "<f>1+1</f><v>2</v>", "<v>2.5</v>", "<v>1000000001</v>",
                '<f>HYPERLINK("http://evil.example","x")</f><v>0</v>', "<f>INDIRECT(\"A1\")</f><v>4</v>",
                '<f t="shared" ref="A1:A2" si="0">1+1</f><v>2</v>', "<f>SUM(1E308,1E308)</f><v>1E308</v>",
                "<v>1E+308</v>", "<v>-0</v>", "<v>9.99999999999999E+307</v>", "<v>5E-324</v>", "<v> 5 </v>",
                "<v>0x10</v>", "<v>1_000</v>", "<v>1e9</v>", "<v>18446744073709551616</v>", "<v>inf</v>",
                "<v>" + "1" + "0" * 400 + "</v>", "<v>3.0000000001</v>", "<v></v>"]
# Cells of another type (t=...), whole <c> elements.
HOSTILE_TYPED = ['t="b"><v>1</v>', 't="e"><v>#DIV/0!</v>', 't="s"><v>999999</v>', 't="s"><v>-1</v>',
                 't="s"><v>x</v>', 't="inlineStr"><is><t>=1+1</t></is>', 't="inlineStr"><is><t>１２</t></is>',
                 't="str"><v>5</v>', 't="str"><f>WEBSERVICE("http://evil.example")</f><v>5</v>',
                 't="d"><v>2023-01-01T00:00:00</v>', 't="n"><v>TRUE</v>', 't="zz"><v>5</v>',
                 't="inlineStr"><is><t>' + "9" * 5000 + '</t></is>']
# Report years written into the hidden metadata sheet (_gaixl!B8).
HOSTILE_YEARS = ["-1", "0", "99999", "1E20", "1e400", "NaN", "2007", "2101", "2023.5", "9" * 5000, "", "二〇二三",
                 "２０２３", "2023\x0b", "0x7E7"]

_state: dict = {}


# ------------------------------------------------------------------ worker setup
def _init(base: str) -> None:
    from gaixl.spec.load import load_layout
    from gaixl.workbook.read import read_workbook
    from gaixl.workbook.template import generate_workbook
    base_dir = Path(base)
    tpl = base_dir / f"t{os.getpid()}.xlsx"
    generate_workbook(load_layout("2021"), 2023, "U-01", "测试局", tpl, generated_at="2026-01-05T08:00:00Z")
    from gaixl.report.data import ReportData
    from gaixl.spec.rules import computed_cells
    res = read_workbook(tpl)
    computed = computed_cells(load_layout("2021"))
    # The template's input cells, where the reader finds them (a total or a label is not one).
    inputs = sorted({loc for ref, loc in res.locator.items() if ref not in computed})
    _state.update(base=base_dir, template=tpl, read=res, data=ReportData.to_json(res.data), layout=load_layout("2021"),
                  inputs=inputs)
    signal.signal(signal.SIGALRM, _alarm)
    # A reader that eats memory meets MemoryError (counted) instead of the OOM killer.
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


class _Hang(BaseException):
    pass


def _alarm(*_):
    raise _Hang


def _in_range(data) -> bool:
    return not out_of_range(data, _state["layout"])


def _year_answered(r) -> bool:
    """A report year read is valid, or it is 0 with an error-level finding saying so."""
    return year_ok(r.data.year) or (r.data.year == 0 and any(f.severity == "error" for f in r.findings))


def _rezip(src: Path, dst: Path, replace: dict, extra=(), drop=()) -> Path:
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                if info.filename not in drop:
                    zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
            for name, data in extra:
                zout.writestr(name, data)
    return dst


# ------------------------------------------------------------------ one input per class
def c_datafile(rng: random.Random, d: Path) -> dict:
    from gaixl.validation.files import check_file
    data = json.loads(json.dumps(_state["data"]))
    field = rng.choice(["year", "layout", "unit", "signature", "contact", "text", "unit.name", "signature.date",
                        "tables.二.规章.本年制发件数", "tables.三.一、本年新收政府信息公开申请数量.自然人",
                        "tables.二.行政事业性收费.本年收费金额", "tables.二.规章", "x", "tables.四.行政复议.结果维持",
                        "text.一", "unit.code", "tables"])
    value = rng.choice(HOSTILE_JSON)
    shape = rng.choice(DATAFILE_SHAPES)
    where = data
    *path, last = field.split(".")
    for k in path:
        if not isinstance(where.get(k), dict):
            where[k] = {}
        where = where[k]
    where[last] = "@@V@@"
    text = json.dumps(data, ensure_ascii=False).replace('"@@V@@"', value)
    if shape == "dup-key":             # the same key twice: which one counts differs by reader
        text = text.replace('"year":', '"year": 0, "year":', 1) if rng.random() < 0.5 else \
            text[:-1] + ', "layout": "2019"}'
    elif shape == "rows":              # far more rows than any report has
        many = ", ".join(f'"行{i}": {{"本年制发件数": {i}}}' for i in range(rng.choice([50, 3000, 100_000])))
        text = text.replace('"tables": {', '"tables": {"二x": {' + many + '}, ', 1)
    elif shape == "text":              # a narrative of a million characters or a million parts
        big = rng.choice(['"' + "长" * 1_000_000 + '"', "{" + ", ".join(f'"k{i}": "x"' for i in range(300_000)) + "}"])
        text = text[:-1] + ', "text": ' + big + "}"
    raw = text.encode("utf-8")
    if shape == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif shape == "utf16":
        raw = text.encode("utf-16")
    elif shape == "bad-utf8":
        at = rng.randrange(len(raw))
        raw = raw[:at] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80"]) + raw[at:]
    elif shape == "nul":
        at = rng.randrange(len(raw))
        raw = raw[:at] + b"\x00" + raw[at:]
    elif shape == "cut":
        raw = raw[:rng.randrange(1, len(raw))]
    elif shape == "trailing":
        raw = raw + rng.choice([b"{}", b"\n\n", b"]", b"\x00", b' {"year": 0}'])
    p = d / "d.json"
    p.write_bytes(raw)
    try:
        r = check_file(p)
    except GaixlError:
        return {}
    bad = not year_ok(r.data.year) or not _in_range(r.data)
    # Two values for one key, or bytes after the object: either reading is a guess — refused.
    bad = bad or shape in ("dup-key", "cut") or (shape == "trailing" and raw.rstrip() != text.encode().rstrip())
    return {"wrong": bad, "what": f"{shape} {field}={value[:20]}"}


def _set_cell(text: str, cell: str, body: str) -> str:
    """Sheet XML with cell `cell` replaced by `<c r="cell" + body + </c>` (body starts with
    attributes or '>')."""
    new, n = re.subn(rf'<c r="{cell}"([^>/]*?)(?:/>|>.*?</c>)', lambda m: f'<c r="{cell}"{body}</c>', text, count=1,
                     flags=re.S)
    return new


def c_cell(rng: random.Random, d: Path) -> dict:
    from gaixl.validation.files import check_file
    from gaixl.workbook.xlsx import Book
    tpl = _state["template"]
    kind = rng.choice(["value", "value", "typed", "year", "many"])
    with Book(tpl) as b:
        meta_part = b.sheet_info("_gaixl").part
    replace = {}
    what = ""
    bodies: list[str] = []
    if kind == "year":
        with zipfile.ZipFile(tpl) as z:
            text = z.read(meta_part).decode("utf-8")
        y = rng.choice(HOSTILE_YEARS)
        body = rng.choice([f' t="inlineStr"><is><t>{y}</t></is>', f"><v>{y}</v>", f' t="str"><v>{y}</v>'])
        replace[meta_part] = _set_cell(text, "B8", body).encode("utf-8")
        what = f"year={y[:20]}"
    else:
        cells = rng.sample(_state["inputs"], 1 if kind != "many" else 6)
        by_part: dict = {}
        with Book(tpl) as b:
            for sheet, cell in cells:
                by_part.setdefault(b.sheet_info(sheet).part, []).append((sheet, cell))
        for part, where in by_part.items():
            with zipfile.ZipFile(tpl) as z:
                text = z.read(part).decode("utf-8")
            for sheet, cell in where:
                if kind == "typed":
                    body = " " + rng.choice(HOSTILE_TYPED)
                else:
                    body = ">" + rng.choice(HOSTILE_CELL)
                bodies.append(body)
                text = _set_cell(text, cell, body)
                what += f"{sheet}!{cell}={body[:30]} "
            replace[part] = text.encode("utf-8")
    p = _rezip(tpl, d / "c.xlsx", replace)
    try:
        r = check_file(p)
    except GaixlError:
        return {}
    bad = not _in_range(r.data) or not _year_answered(r)
    formulas = [b for b in bodies if "<f" in b and any(w in b for w in ("WEBSERVICE", "[1]", "cmd|", "HYPERLINK",
                                                                        "INDIRECT"))]
    if formulas:
        bad = bad or not any(f.code.startswith("cell-formula") for f in r.findings)
    return {"wrong": bad, "what": what.strip()}


def _odd_but_valid(data: bytes, how: str) -> bytes:
    """The same sheet XML written as a spreadsheet program or an XML tool also may: the values
    it holds do not change."""
    text = data.decode("utf-8")
    if how == "utf16":
        return text.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1).encode("utf-16")
    if how == "charref":                # every non-ASCII character as a character reference
        return re.sub(r"[^\x00-\x7f]", lambda m: f"&#{ord(m[0])};", text).replace(
            'encoding="UTF-8"', 'encoding="US-ASCII"', 1).encode("ascii")
    if how == "crlf":                   # line breaks and spaces between the elements
        return re.sub(r"><(?=[a-zA-Z/])", ">\r\n  <", text).encode("utf-8")
    if how == "squote":                 # attributes in single quotes
        return re.sub(r'(\s[\w:]+)="([^"]*)"', r"\1='\2'", text).encode("utf-8")
    if how == "prefix":                 # the main namespace on a prefix instead of the default
        body = re.sub(r"<(/?)(?!\?)([A-Za-z]+)(?=[\s>/])", r"<\1x:\2", text.split("?>", 1)[1])
        body = body.replace('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                            'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"', 1)
        return (text.split("?>", 1)[0] + "?>" + body).encode("utf-8")
    if how == "nodecl":
        return text.split("?>", 1)[1].encode("utf-8")
    raise ValueError(how)


def _same_numbers(a, b) -> bool:
    return json.dumps(a.tables, sort_keys=True, default=str) == json.dumps(b.tables, sort_keys=True, default=str) \
        and a.year == b.year


def c_damaged(rng: random.Random, d: Path) -> dict:
    from gaixl.workbook.read import read_workbook
    from gaixl.workbook.xlsx import Book
    tpl = _state["template"]
    with Book(tpl) as b:
        sheet_parts = [b.sheet_info(s).part for s in ("基本信息", "二、主动公开", "三、申请情况", "四、复议诉讼",
                                                         "一、总体情况", "五、问题及改进", "六、其他事项", "_gaixl")]
    parts = sheet_parts + ["xl/sharedStrings.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"]
    part = rng.choice(parts)
    with zipfile.ZipFile(tpl) as z:
        data = z.read(part)
    how = rng.choice(["cut", "nul", "ctrl", "dup", "dup-other", "trunc-zip", "missing", "garbage-member",
                      "utf16", "charref", "crlf", "squote", "prefix", "nodecl", "bad-utf8", "two-roots"])
    at = rng.randrange(len(data) // 20, len(data) - 1)
    valid = how in ("utf16", "charref", "crlf", "squote", "prefix", "nodecl")
    if how == "dup":
        p = _rezip(tpl, d / "d.xlsx", {}, [(part, data)])
    elif how == "dup-other":          # a second copy with other content, differing in case or slash
        other = data.replace(b"<v>", b"<v>9", 3)
        p = _rezip(tpl, d / "d.xlsx", {}, [(rng.choice([part.upper(), "/" + part, part.replace("/", "\\")]), other)])
    elif how == "trunc-zip":
        raw = tpl.read_bytes()
        p = d / "d.xlsx"
        p.write_bytes(raw[:rng.randrange(len(raw) // 4, len(raw) - 1)])
    elif how == "missing":
        p = _rezip(tpl, d / "d.xlsx", {}, drop=(part,))
    elif how == "garbage-member":
        p = _rezip(tpl, d / "d.xlsx", {part: bytes(rng.randrange(256) for _ in range(rng.randrange(1, 5000)))})
    elif how == "bad-utf8":
        p = _rezip(tpl, d / "d.xlsx", {part: data[:at] + rng.choice([b"\xff", b"\xc3(", b"\xed\xa0\x80"]) + data[at:]})
    elif how == "two-roots":
        p = _rezip(tpl, d / "d.xlsx", {part: data + b"<worksheet/>"})
    elif valid:
        if part not in sheet_parts:
            part = rng.choice(sheet_parts)
            with zipfile.ZipFile(tpl) as z:
                data = z.read(part)
        p = _rezip(tpl, d / "d.xlsx", {part: _odd_but_valid(data, how)})
    else:
        damaged = data[:at] if how == "cut" else data[:at] + bytes([0 if how == "nul" else rng.choice(
            [1, 2, 7, 8, 11, 12, 27, 31])]) + data[at:]
        p = _rezip(tpl, d / "d.xlsx", {part: damaged})
    try:
        r = read_workbook(p)
    except GaixlError:
        return {"refused_valid": valid, "what": f"{how} {part}"}
    if valid:               # an odd but valid file must read exactly as the original
        return {"wrong": not _same_numbers(r.data, _state["read"].data), "what": f"{how} {part} read differently"}
    if how == "missing" and part in ("xl/_rels/workbook.xml.rels", "xl/workbook.xml"):
        return {"wrong": True, "what": f"{how} {part}"}
    if how == "missing":    # a missing sheet may be read as a finding, never as the same numbers silently
        return {"wrong": not r.findings and _same_numbers(r.data, _state["read"].data) and part != sheet_parts[-1],
                "what": f"{how} {part}"}
    return {"wrong": True, "what": f"{how} {part} at {at}"}


def c_roster(rng: random.Random, d: Path) -> dict:
    import csv
    import unicodedata

    from gaixl.report.roster import read_roster
    p = d / "r.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["code", "name", "email"])
    codes = []
    for i in range(rng.randrange(1, 6)):
        code = rng.choice([f"U{i}", f"U{i}", rng.choice(HOSTILE_TEXT), "U0", "u0", " U0", "U0 ", "Ｕ0", "U0\r\n",
                           "=U0", "U" * 300])
        codes.append(code)
        w.writerow([code, rng.choice(HOSTILE_TEXT),
                    rng.choice(["a@b.cn", "a@b.cn\r\nBcc: evil@evil.example", "x", "", "=a@b.cn", "a@b.cn\x00",
                                "a@b.cn, evil@evil.example", "\"a\" <a@b.cn>", "a@b.cn\u202e", "a@" + "b" * 300 + ".cn",
                                "-a@b.cn"])])
    text = buf.getvalue()
    enc = rng.choice(["utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16"])
    try:
        p.write_bytes(text.encode(enc))
    except UnicodeEncodeError:
        p.write_bytes(text.encode("utf-8"))
    try:
        units = read_roster(p)
    except GaixlError:
        return {}
    ctrl = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u200e\u200f\u2066-\u2069\ufeff]")
    bad = any(ctrl.search(u[k]) for u in units for k in ("code", "name", "email"))
    bad = bad or len({unicodedata.normalize("NFKC", u["code"]).strip().casefold() for u in units}) != len(units)
    bad = bad or any(len(u[k]) > 200 for u in units for k in ("code", "name", "email"))
    return {"wrong": bad, "what": "roster accepted: " + ",".join(repr(u["code"])[:20] for u in units)}


def _attachment(tpl: bytes, tag: str) -> bytes:
    body = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(tpl)) as zin, zipfile.ZipFile(body, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
        zout.writestr("docProps/c.xml", f"<x>{tag}</x>")
    return body.getvalue()


def _b64(s: str) -> str:
    import base64
    return base64.b64encode(s.encode("utf-8")).decode()


def c_mail(rng: random.Random, d: Path) -> dict:
    import base64
    from email.message import EmailMessage

    from gaixl.mail.collect import Source, collect
    box = d / "mails"
    box.mkdir()
    tpl = _state["template"].read_bytes()
    n = rng.randrange(1, 4)
    kind = rng.choice(["redirect", "same-mid", "same-mid-same-content", "names", "rfc2231", "subject", "from-tricks",
                       "nested"])
    distinct = set()
    for i in range(n):
        m = EmailMessage()
        m["Message-ID"] = "<same@dept.cn>" if kind.startswith("same-mid") else f"<m{i}@dept.cn>"
        m.set_content(f"第{i}份")
        tag = "same" if kind == "same-mid-same-content" else f"{i}{rng.random()}"
        att = _attachment(tpl, tag)
        distinct.add(att)
        name = f"{i}.xlsx"
        if kind == "names":
            name = rng.choice(HOSTILE_TEXT) + rng.choice([".xlsx", ".XLSX", ".xlsx.", ".xlsx "])
        # The name travels as a sender's program writes it: an RFC 2047 word (CR LF and NUL
        # included — the email package refuses to build such a header itself, so it is put in
        # the raw message).
        if kind == "nested":           # forwarded as an attached message
            inner = EmailMessage()
            inner["Subject"] = "年报"
            inner.set_content("见附件")
            inner.add_attachment(att, maintype="application", subtype="octet-stream", filename="NAME-HERE.xlsx")
            m.add_attachment(inner)
        else:
            m.add_attachment(att, maintype="application", subtype="octet-stream", filename="NAME-HERE.xlsx")
        raw = m.as_bytes().replace(b"NAME-HERE.xlsx", f"=?utf-8?b?{_b64(name)}?=".encode(), 1)
        if kind == "rfc2231":          # the file name in RFC 2231 form, with what a name must not hold
            evil = rng.choice(["%0D%0ABcc: evil@evil.example", "%00", "%E2%80%AEslx.exe", "..%2F..%2Fx", "%FF%FE",
                               "-rf", "CON", "%0A", "=HYPERLINK(1)"])
            raw = re.sub(rb'filename="[^"]*"', lambda _m: b"filename*=utf-8''" + evil.encode() + b"%E5%B9%B4.xlsx", raw,
                         count=1)
            raw = raw.replace(b"filename*=utf-8''", rng.choice([b"filename*=utf-8''", b"filename*0*=utf-8''"]), 1)
        subject = "年报"
        if kind == "subject":
            subject = rng.choice([f"=?utf-8?b?{_b64('年报' + chr(13) + chr(10) + 'Bcc: evil@evil.example')}?=",
                                  "=?utf-8?q?=E5=B9=B4=0D=0ABcc:_evil@evil.example?=",
                                  f"=?utf-8?b?{_b64('年报' + chr(0))}?=", f"=?utf-8?b?{_b64(chr(0x202e) + 'xslx')}?=",
                                  "=?bogus?x?zz?=", "=?utf-8?b?" + "A" * 10000 + "?="])
        if kind == "redirect":
            evil = base64.b64encode(rng.choice(["局", "x", ""]).encode() + b"\r\nBcc: evil@evil.example").decode()
            sender = f"=?utf-8?b?{evil}?= <unit@dept.cn>".encode()
        elif kind == "from-tricks":
            sender = rng.choice([
                "=?utf-8?q?=E5=B1=80=0D=0ABcc:_evil@evil.example?= <unit@dept.cn>",
                f"=?utf-8?b?{_b64('局' + chr(0) + 'evil@evil.example')}?= <unit@dept.cn>",
                f"=?utf-8?b?{_b64(chr(0x202e) + 'moc.live')}?= <unit@dept.cn>",
                "\"evil@evil.example\" <unit@dept.cn>",
                "unit@dept.cn, evil@evil.example",
                "=?utf-8?b?PGV2aWxAZXZpbC5leGFtcGxlPg==?= <unit@dept.cn>",     # decodes to <evil@evil.example>
                "unit@dept.cn (evil@evil.example)",
                "<unit@dept.cn>\r\nFrom: evil@evil.example"]).encode()
        else:
            sender = b"unit@dept.cn"
        head = b"From: " + sender + b"\r\nSubject: " + subject.encode() + b"\r\n"
        (box / f"{i}.eml").write_bytes(head + raw)
    try:
        res = collect(Source("eml", str(box)), d / "inbox")
    except GaixlError:
        return {"lost": len(distinct), "what": f"collect refused ({kind})"}
    saved = [p for p in (d / "inbox").iterdir() if p.suffix.lower() == ".xlsx"]
    lost = len(distinct) - len({p.read_bytes() for p in saved})
    sidecars = [json.loads(p.read_text(encoding="utf-8")) for p in (d / "inbox").glob("*.gaixl.json")]
    redirect = any("evil" in json.dumps(s.get("from", "")) for s in sidecars)
    names = [p.name for p in (d / "inbox").iterdir() if not p.name.startswith(".")]
    ctrl = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u200e\u200f\u2066-\u2069]")
    unsafe = any(x.startswith(("-", "+")) or ctrl.search(x) or "/" in x or "\\" in x
                 or x.split(".")[0].rstrip(" ").upper() in {"CON", "PRN", "AUX", "NUL", "LPT1", "COM1"} for x in names)
    return {"lost": max(lost, 0) + int(redirect), "wrong": unsafe, "what": f"{kind} saved {res.saved}"}


def c_csv(rng: random.Random, d: Path) -> dict:
    import csv

    from gaixl.consolidation.run import consolidate
    from gaixl.report.data import ReportData
    from gaixl.workbook.fill import fill_workbook
    from gaixl.workbook.template import generate_workbook
    layout = _state["layout"]
    roster = d / "r.csv"
    inbox = d / "inbox"
    inbox.mkdir()
    names = rng.sample([t for t in HOSTILE_TEXT if not re.search(r"[\x00-\x1f\x85\u2028\u202e\u200f\ufeff]|_x000D_", t)
                        and len(t) < 100], 3)
    rows = ["code,name,email"]
    for i, n in enumerate(names):
        rows.append(f'H{i},"{n.replace(chr(34), chr(34) * 2)}",h{i}@example.cn')
        tpl = generate_workbook(layout, 2023, f"H{i}", n, d / f"t{i}.xlsx")
        data = ReportData.from_json(dict(_state["data"], unit={"code": f"H{i}", "name": n}), where="x")
        lead = rng.choice(["=HYPERLINK(x)", "+", "-", "@", "\uff1d", "\uff20", "\t", "正常"])
        fill_workbook(tpl, data, inbox / f"{lead}{i}.xlsx")
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    consolidate(inbox, roster, 2023, d / "out", reports=False)
    injected = 0
    for f in sorted((d / "out").rglob("*.csv")):
        with f.open(encoding="utf-8-sig", newline="") as fh:
            injected += sum(1 for row in csv.reader(fh) for c in row if c.startswith(TRIGGERS)
                            and not re.fullmatch(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?", c))
    return {"injected": injected, "what": ",".join(names)}


def c_document(rng: random.Random, d: Path) -> dict:
    from gaixl.importers import import_report
    kind = rng.choice(["pdf", "docx", "txt", "html"])
    scale = rng.choice([0.5, 1, 2, 10, 100])
    p = d / f"x.{kind}"
    if kind == "pdf":
        import zlib
        ops = b"BT /F1 10 Tf 20 800 Td " + b"(a) Tj 0 -0.01 Td " * int(10_000 * scale) + b"ET"
        comp = zlib.compress(ops, 9)
        objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R"
                b" >> >> >>", b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(comp) + comp + b"\nendstream",
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
        out, offs = io.BytesIO(), []
        out.write(b"%PDF-1.4\n")
        for i, o in enumerate(objs, 1):
            offs.append(out.tell())
            out.write(b"%d 0 obj\n" % i + o + b"\nendobj\n")
        x = out.tell()
        out.write(b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs))
        out.write(b"trailer << /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % x)
        p.write_bytes(out.getvalue())
    elif kind == "docx":
        rows = "".join(f"<w:tr><w:tc><w:p><w:r><w:t>行{i}</w:t></w:r></w:p></w:tc></w:tr>"
                       for i in range(int(300 * scale)))
        doc = ('<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
               "<w:body><w:tbl>" + rows + "</w:tbl></w:body></w:document>")
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("word/document.xml", doc)
    elif kind == "txt":
        p.write_text("某局2023年政府信息公开工作年度报告\n" + "\n".join(f"项{i % 9}   {i % 7}   {i % 5}"
                                                                for i in range(int(3000 * scale))), encoding="utf-8")
    else:
        row = "<tr>" + "<td>1</td>" * 30 + "</tr>"
        p.write_text("<html><body><table>" + row * int(200 * scale) + "</table></body></html>", encoding="utf-8")
    try:
        import_report(p, year=2023)
    except GaixlError:
        pass
    return {"what": f"{kind}×{scale}"}


def c_special(rng: random.Random, d: Path) -> dict:
    from gaixl.atomic import write_text
    from gaixl.importers import import_report
    from gaixl.report.data import load_data_file
    from gaixl.report.roster import read_roster
    from gaixl.workbook.read import read_any
    fifo = d / rng.choice(["x.xlsx", "x.json", "x.csv", "x.txt"])
    os.mkfifo(fifo)
    writing = rng.random() < 0.3
    # Writes go to the FIFO only: a writer that renamed over /dev/null would break the machine.
    target = fifo if writing else rng.choice([fifo, Path("/dev/zero"), Path("/dev/null")])
    reader = (lambda p: write_text(p, "x")) if writing else rng.choice(
        [read_any, load_data_file, read_roster, lambda p: import_report(p, year=2023)])
    try:
        reader(target)
    except GaixlError:
        return {"what": f"{getattr(reader, '__name__', 'fn')} {target}"}
    return {"wrong": True, "what": f"{'wrote' if writing else 'read'} {target}"}


def c_output(rng: random.Random, d: Path) -> dict:
    """Outputs onto what is not a plain file in a writable folder: a FIFO, a device node, a
    socket, a folder under a regular file, a full disk (the file-size limit of the process).
    Must be refused in one GaixlError, the special file left as it was, no partial output."""
    import socket
    import stat

    from gaixl import api
    from gaixl.atomic import write_text
    kind = rng.choice(["fifo", "device", "socket", "notdir", "full", "full", "full"])
    op = rng.choice(["export", "fill", "generate", "write"])
    src = d / "src"
    src.mkdir()
    filled = src / "f.xlsx"
    filled.write_bytes(_state["template"].read_bytes())
    roster = src / "r.csv"
    roster.write_text("code,name,email\n" + "".join(f"G{i},局{i},g{i}@example.cn\n" for i in range(12)), encoding="utf-8")
    data = src / "d.json"
    data.write_text(json.dumps(_state["data"], ensure_ascii=False), encoding="utf-8")
    out = d / "out"
    out.mkdir()
    target = out / ("templates" if op == "generate" else rng.choice(["x.json", "x.xlsx", "x.md"]))
    sock = None
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "device":                       # a node of our own for the zero device (1, 5)
        os.mknod(target, stat.S_IFCHR | 0o600, os.makedev(1, 5))
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(target))
    elif kind == "notdir":
        (out / "file").write_text("x")
        target = out / "file" / target.name
    before = {p: p.lstat().st_mode for p in out.rglob("*")}
    old = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_xfsz = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    if kind == "full":                           # the disk fills after a few KB (EFBIG on write)
        resource.setrlimit(resource.RLIMIT_FSIZE, (rng.choice([0, 4096, 40_000, 100_000]), old[1]))
    refused = True
    try:
        if op == "export":
            api.export(filled, target)
        elif op == "fill":
            api.fill(filled, data, target)
        elif op == "generate":
            api.generate_templates(2023, target, roster)
        else:
            write_text(target, "x" * rng.choice([10, 50_000]))
        refused = False
    except GaixlError:
        pass
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old)
        signal.signal(signal.SIGXFSZ, old_xfsz)
        if sock is not None:
            sock.close()
    after = {p: p.lstat().st_mode for p in out.rglob("*")}
    left = sorted(str(p.relative_to(out)) for p in after if p not in before)
    replaced = [str(p) for p, mode in before.items() if after.get(p) != mode]
    wrong = (not refused and kind != "full") or bool(replaced) or (refused and bool(left))
    return {"wrong": wrong, "what": f"{op} onto {kind}: {'refused' if refused else 'written'}"
                                    f"{' left ' + ','.join(left)[:80] if left and refused else ''}"
                                    f"{' replaced ' + ','.join(replaced)[:80] if replaced else ''}"}


CLASSES = {"datafile": c_datafile, "cell": c_cell, "damaged": c_damaged, "roster": c_roster, "mail": c_mail,
           "csv": c_csv, "document": c_document, "special": c_special, "output": c_output}


def one(job: tuple[int, int, str]) -> dict:
    i, seed, cls = job
    rng = random.Random(seed * 1_000_003 + i)
    out = {"i": i, "class": cls, "traceback": "", "hang": False, "wrong": False, "injected": 0, "lost": 0}
    t = time.monotonic()
    with tempfile.TemporaryDirectory(dir=_state["base"]) as tmp:
        signal.setitimer(signal.ITIMER_REAL, HANG_BY_CLASS.get(cls, HANG))
        try:
            r = CLASSES[cls](rng, Path(tmp))
            signal.setitimer(signal.ITIMER_REAL, 0)
            out.update({k: v for k, v in r.items() if k in ("wrong", "injected", "lost", "what", "refused_valid")})
        except _Hang:
            out["hang"] = True
        except GaixlError:
            signal.setitimer(signal.ITIMER_REAL, 0)
        except BaseException as e:  # noqa: BLE001 — this is what the campaign counts
            signal.setitimer(signal.ITIMER_REAL, 0)
            out["traceback"] = f"{type(e).__name__}: {str(e)[:200]} | " + traceback.format_exc().splitlines()[-3][:200]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    out["seconds"] = round(time.monotonic() - t, 3)
    out["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", help="one class only")
    ap.add_argument("--json", type=Path, help="write every input's outcome here")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    names = [a.only] if a.only else list(WEIGHTS)
    weights = [WEIGHTS[c] for c in names]
    jobs = [(i, a.seed, rng.choices(names, weights)[0]) for i in range(a.n)]
    t = time.monotonic()
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="gaixl-campaign-") as base:
        for start in range(0, len(jobs), 256):
            batch = jobs[start:start + 256]
            try:
                with ProcessPoolExecutor(a.workers, initializer=_init, initargs=(base,)) as pool:
                    results += list(pool.map(one, batch, chunksize=8))
            except BrokenProcessPool:
                # A worker died (killed by the kernel, a crash in C): find which inputs, one by one.
                for job in batch:
                    try:
                        with ProcessPoolExecutor(1, initializer=_init, initargs=(base,)) as pool:
                            results.append(pool.submit(one, job).result())
                    except BrokenProcessPool:
                        results.append({"i": job[0], "class": job[2], "traceback": "worker died (killed or crashed)",
                                        "hang": False, "wrong": False, "injected": 0, "lost": 0, "seconds": 0,
                                        "maxrss_mb": 0})
            print(f"{len(results)}/{len(jobs)} in {time.monotonic() - t:.0f} s: "
                  f"tracebacks {sum(1 for r in results if r['traceback'])}, "
                  f"hangs {sum(1 for r in results if r['hang'])}, wrong {sum(1 for r in results if r['wrong'])}, "
                  f"injected {sum(r['injected'] for r in results)}, "
                  f"lost {sum(r['lost'] for r in results)}", file=sys.stderr, flush=True)
    took = time.monotonic() - t
    figures = {
        "inputs": len(results), "seconds": round(took, 1),
        "per_class": {c: sum(1 for r in results if r["class"] == c) for c in names},
        "tracebacks": sum(1 for r in results if r["traceback"]),
        "hangs": sum(1 for r in results if r["hang"]),
        "wrong_acceptances": sum(1 for r in results if r["wrong"]),
        "injected_cells": sum(r["injected"] for r in results),
        "lost_files": sum(r["lost"] for r in results),
        "refused_valid": sum(1 for r in results if r.get("refused_valid")),
        "failures_per_class": {c: sum(1 for r in results if r["class"] == c and (
            r["traceback"] or r["hang"] or r["wrong"] or r["injected"] or r["lost"])) for c in names},
        "slowest_s": max((r["seconds"] for r in results), default=0),
        "slowest_per_class_s": {c: max((r["seconds"] for r in results if r["class"] == c), default=0) for c in names},
        "max_worker_rss_mb": max((r["maxrss_mb"] for r in results), default=0),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    for r in results:
        if r["traceback"] or r["hang"] or r["wrong"] or r["injected"] or r["lost"]:
            print("  ✗", r["class"], r.get("what", ""), r["traceback"] or ("hang" if r["hang"] else ""),
                  "wrong" if r["wrong"] else "", r["injected"] or "", r["lost"] or "")
    if a.json:
        a.json.write_text(json.dumps({"figures": figures, "results": results}, ensure_ascii=False, indent=1),
                          encoding="utf-8")
    bad = figures["tracebacks"] + figures["hangs"] + figures["wrong_acceptances"] + figures["injected_cells"] + \
        figures["lost_files"]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
