"""Reading the XML parts of an .xlsx fast: cells, shared strings, workbook elements.

Spreadsheet programs write a regular subset of XML in which '<' never occurs inside text or
attribute values. The common forms (Excel, WPS, LibreOffice, openpyxl, xlsxwriter) are read
here by splitting bytes and by regular expressions over the few non-empty cells — several
times faster than building an lxml tree of a template's many styled blanks. Only the five
XML entities and character references are decoded, so nothing can expand; anything unusual
(namespace prefixes, CDATA, another encoding, cells without an address) goes through lxml,
with entity resolution, network and DTD loading off. DTDs are refused before this (xlsx.py).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from gaixl.errors import InputError
from gaixl.report.values import XlError

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_C, _V, _F, _IS, _T, _R, _ROW = NS + "c", NS + "v", NS + "f", NS + "is", NS + "t", NS + "r", NS + "row"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                         remove_comments=True, remove_pis=True)
_ESC = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ADDR = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


class Cell(NamedTuple):
    value: object            # int | float | str | bool | XlError | None
    formula: str | None      # formula text without '=' ("" for a shared-formula dependent)


def _plain_int(c: Cell | None) -> int | Cell | None:
    """Sheet.take's form of a cell: a whole number ≥ 0 without a formula as the int itself."""
    return c.value if c is not None and c.formula is None and c.value.__class__ is int and c.value >= 0 else c


class Sheet:
    """One sheet: non-empty cells by address, and (on demand) its merged ranges."""

    def __init__(self, name: str, cells: dict[str, Cell], merges=None, merge_xml: bytes = b""):
        self.name = name
        self.cells = cells                                   # "D7" -> Cell
        self._merges = merges
        self._merge_xml = merge_xml

    def take(self, addrs) -> list[int | Cell | None]:
        """The cells at these addresses, in one call: the reader's inner loop. A plain whole
        number without a formula (most of a filled table) comes as the int itself, skipping
        the general conversion and the Cell; any other cell as its Cell, None where empty (or
        where the address is None)."""
        cells = self.cells
        if not isinstance(cells, LazyCells):
            return [_plain_int(c) for c in map(cells.get, addrs)]
        raw, done, out = cells._raw, dict.get, []
        for a in addrs:
            c = done(cells, a)
            if c is None:
                m = raw.get(a)
                if m is not None:
                    t, f, v = m[1], m[2], m[3]
                    if not f and v and (not t or t == b"n") and v.isdigit() and len(v) < 19:
                        c = int(v)
                    else:
                        c = _plain_int(cells.get(a))
            else:
                c = _plain_int(c)
            out.append(c)
        return out

    @property
    def merges(self) -> list[tuple[int, int, int, int]]:
        """Merged ranges, 0-based (r1, c1, r2, c2)."""
        if self._merges is None:
            self._merges = []
            for m in _MERGE_RE.finditer(self._merge_xml):
                a, _, b = m[1].decode("ascii", "replace").partition(":")
                try:
                    r1, c1 = split_addr(a)
                    r2, c2 = split_addr(b) if b else (r1, c1)
                except ValueError:
                    continue
                self._merges.append((r1, c1, r2, c2))
        return self._merges

    def grid(self) -> dict[tuple[int, int], object]:
        """Values by 0-based (row, column), for reading by labels."""
        return {split_addr(a): c.value for a, c in self.cells.items() if c.value is not None}


# ---------------------------------------------------------------- addresses
_COL_CACHE: dict[str, int] = {}


def col_index(letters: str) -> int:
    """'A' → 0, 'AA' → 26."""
    n = _COL_CACHE.get(letters)
    if n is None:
        n = 0
        for ch in letters.upper():
            n = n * 26 + ord(ch) - 64
        n -= 1
        _COL_CACHE[letters] = n
    return n


def col_letters(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def split_addr(addr: str) -> tuple[int, int]:
    """'D7' → (6, 3), 0-based."""
    m = _ADDR.fullmatch(addr)
    if not m:
        raise ValueError(f"not a cell address: {addr!r}")
    return int(m[2]) - 1, col_index(m[1])


def addr(row: int, col: int) -> str:
    return f"{col_letters(col)}{row + 1}"


# ---------------------------------------------------------------- sheet XML → cells
_R_ATTR = re.compile(rb"\sr\s*=\s*[\"']([^\"']*)[\"']")
_T_ATTR = re.compile(rb"\st\s*=\s*[\"']([^\"']*)[\"']")
_RPH = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref\s*=\s*[\"']([^\"']*)[\"']")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def is_plain(data: bytes) -> bool:
    """True when the fast path applies: UTF-8 and no CDATA (the rest is checked per element)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"<![CDATA[" in data:
        return False
    head = data[:100].lower()
    return not (b"encoding=" in head and b"utf-8" not in head)


@lru_cache(maxsize=16384)
def decode_same(b: bytes) -> str:
    """_decode for texts that recur in every workbook of a run (sheet and defined names, formulas)."""
    return _decode(b)


def _formula(f: bytes) -> str:
    """A formula's text: the totals' formulas recur in every file of a template, so short ones
    are decoded once (long ones are not kept: the cache must not grow with a hostile file)."""
    return decode_same(f) if len(f) <= 200 else _decode(f)


def _decode(b: bytes) -> str:
    """Text between tags → str: XML entities and character references decoded. openpyxl
    writes every non-ASCII character as &#NNNNN;, which lxml decodes 4× faster than Python;
    the text holds no '<' (it came from between tags), so no markup or DTD can get in."""
    if b"&" not in b and b"_x" not in b:
        return b.decode("utf-8")
    if b"&#" in b and b"<" not in b:
        try:
            return _unescape(etree.fromstring(b"<t>" + b + b"</t>", PARSER).text or "")
        except etree.XMLSyntaxError:
            pass                                  # a reference lxml refuses: say so below
    s = b.decode("utf-8")
    if "&" in s:
        s = _ENTITY.sub(_entity, s)
    return _unescape(s)


def _entity(m) -> str:
    e = m[1]
    if e[0] == "#":
        return chr(int(e[2:], 16) if e[1] in "xX" else int(e[1:]))
    return _ENTITIES[e]


def _rich_text(b: bytes) -> str:
    """Text of the inside of <si>/<is>: one <t>, or runs <r><t>…; phonetic runs left out."""
    if b"<rPh" in b:
        b = _RPH.sub(b"", b)
    out = []
    for part in b.split(b"<t")[1:]:
        gt = part.index(b">")
        if part[:1] not in (b">", b" ", b"/", b"\t", b"\n", b"\r") or part[gt - 1:gt] == b"/":
            continue                          # another tag starting with t, or an empty <t/>
        out.append(part[gt + 1:part.index(b"</t>", gt)])
    return _decode(b"".join(out)) if out else ""


class LazyStrings:
    """The shared-string table, split at once but decoded only when a cell asks (a reader
    needs a few dozen of a template's hundreds of strings)."""

    def __init__(self, data: bytes):
        self._raw = data.split(b"<si")[1:]
        self._done: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._raw)

    def __getitem__(self, i: int) -> str:
        s = self._done.get(i)
        if s is None:
            piece = self._raw[i]
            if piece.lstrip().startswith(b"/>"):
                s = ""
            else:
                gt = piece.index(b">")
                inner = piece[gt + 1:piece.index(b"</si>", gt)]
                if inner.startswith(b"<t>") and inner.endswith(b"</t>") and inner.count(b"<") == 2:
                    s = _decode(inner[3:-4])
                else:
                    s = _rich_text(inner)
            self._done[i] = s
        return s

    def __iter__(self):
        return (self[i] for i in range(len(self)))


# Possessive (++, ?+, *+): every part of a cell is followed by a character it cannot hold
# ('"', '<', '>'), so giving a part back can never lead to another match; the engine is told so
# and does not try (a third less time on a filled sheet, the same matches).
_SIMPLE = re.compile(rb'<c r="([A-Z]++[0-9]++)"(?: s="[0-9]++")?+(?: t="([a-zA-Z]++)")?+>'
                     rb'(?:<f(?: [a-zA-Z]++="[^"]*+")*+>([^<]*+)</f>)?+'
                     rb'(?:<v>([^<]*+)</v>)?+(?:<is><t(?: xml:space="preserve")?+>([^<]*+)</t></is>)?+</c>')


class LazyCells(dict):
    """Cells of one sheet, {address: Cell}, converted from their raw text on first access:
    a reader looks at a few hundred named cells of a sheet and never at most of its labels,
    whose inline strings (openpyxl writes every character as &#NNNNN;) are costly to decode."""

    __slots__ = ("_raw", "_book")

    def __init__(self, raw: dict, book):
        super().__init__()
        self._raw, self._book = raw, book

    def get(self, a, default=None):
        c = dict.get(self, a)
        if c is None:
            m = self._raw.get(a)
            if m is None:
                return default
            try:
                c = _convert(m, self._book)
            except InputError:
                raise
            except (ValueError, IndexError, UnicodeDecodeError, OverflowError) as e:
                raise InputError(f"cell {a} cannot be read ({short(e)})", where=str(self._book.path),
                                 zh=f"单元格{a}无法读取，文件可能已损坏") from None
            self[a] = c
        return c

    def __getitem__(self, a):
        c = self.get(a)
        if c is None:
            raise KeyError(a)
        return c

    def __contains__(self, a):
        return a in self._raw

    def __iter__(self):
        return iter(self._raw)

    def __len__(self):
        return len(self._raw)

    def keys(self):
        return self._raw.keys()

    def items(self):
        return ((a, self.get(a)) for a in self._raw)

    def values(self):
        return (self.get(a) for a in self._raw)

    def __eq__(self, other):
        return dict(self.items()) == (dict(other.items()) if isinstance(other, dict) else other)


def _convert(m: tuple, book) -> Cell:
    _a, t, f, v, inline = m
    if inline:
        return Cell(_decode(inline), _formula(f) if f else None)
    if not t or t == b"n":
        value = _number(v.decode("ascii")) if v else None
    elif t == b"s":
        value = book.strings[int(v)] if v else None
    elif t == b"inlineStr":
        value = ""
    else:
        value = _typed(t, v)
    return Cell(value, _formula(f) if f else None)


def cells_fast(data: bytes, book) -> dict[str, Cell]:
    """Non-empty cells: the cells in the plain form every spreadsheet program writes are
    picked out by one regular expression over the sheet (C speed) and converted when asked for;
    styled blanks (<c r="B4" s="5"/>), most of a template, never close with '</c>' and cost
    nothing. When any cell is in another form, every cell goes through the general loop below
    ('<' never occurs inside text or attribute values, so the start of each cell is the last
    '<c ' before its end)."""
    # Every cell that closes with '</c>' in the plain form matches once (each match ends at
    # its own '</c>', and '<' occurs in no text): as many matches as '</c>' means all of them.
    found = _SIMPLE.findall(data)
    if len(found) != data.count(b"</c>"):
        pieces = data.split(b"</c>")
        # <c r="B3" s="25" t="n"></c> (openpyxl's styled blank) holds nothing: left out at once.
        tails = [p[p.rfind(b"<c "):] for p in pieces[:-1] if not p.endswith(b'">')]
        return _cells_general(tails, data, book)
    raw = {m[0].decode("ascii"): m for m in found if m[2] or m[3] or m[4]}
    return LazyCells(raw, book)


def _typed(t: bytes, v):
    """A cell value of type str/inlineStr/b/e/d from its text (bytes or already str)."""
    if t == b"inlineStr":
        return v if isinstance(v, str) else _decode(v)
    if t == b"str":
        return _decode(v) if v is not None else None
    if t == b"b":
        return v in (b"1", b"true") if v else None
    if t == b"e":
        return XlError(v.decode("utf-8") if v else "#N/A")
    return _decode(v) if v else None          # 'd' (ISO date) and unknown types: keep the text


def _cells_general(tails: list[bytes], data: bytes, book) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    strings = None
    for piece in tails:
        if not piece.startswith(b"<c "):                     # '<c>' or '<x:c': leave it to lxml
            return cells_lxml(etree.fromstring(data, PARSER), book)
        gt = piece.index(b">")
        attrs = piece[3:gt]
        if attrs.startswith(b'r="'):
            a = attrs[3:attrs.index(b'"', 3)]
        else:
            m = _R_ATTR.search(b" " + attrs)
            if m is None:                                     # no address: leave it to lxml
                return cells_lxml(etree.fromstring(data, PARSER), book)
            a = m[1]
        ti = attrs.find(b't="')
        t = attrs[ti + 3:attrs.index(b'"', ti + 3)] if ti > 0 and attrs[ti - 1:ti] == b" " else None
        if t is None and b"t='" in attrs:
            m = _T_ATTR.search(b" " + attrs)
            t = m[1] if m else None
        inner = piece[gt + 1:]
        v: bytes | str | None = None                      # str: the text of an inline string
        f = None
        i = inner.find(b"<f")
        if i >= 0:
            j = inner.index(b">", i)
            f = "" if inner[j - 1:j] == b"/" else _decode(inner[j + 1:inner.index(b"</f>", j)])
        i = inner.find(b"<v")
        if i >= 0:
            j = inner.index(b">", i)
            v = b"" if inner[j - 1:j] == b"/" else inner[j + 1:inner.index(b"</v>", j)]
        i = inner.find(b"<is")
        if i >= 0:
            v, t = _rich_text(inner[i:]), b"inlineStr"
        if v is None and f is None:
            continue
        if t is None or t == b"n":
            value = _number(v.decode("ascii")) if isinstance(v, bytes) and v else None
        elif t == b"s":
            if strings is None:
                strings = book.strings
            value = strings[int(v)] if v else None
        else:
            value = _typed(t, v)
        cells[a.decode("ascii")] = Cell(value, f)
    return cells


def cells_lxml(root, book) -> dict[str, Cell]:
    """The same as cells_fast, through a real XML parser (unusual files only)."""
    cells: dict[str, Cell] = {}
    row_no, last = 0, None
    for el in root.iter(_ROW, _C):
        if el.tag == _ROW:
            r = el.get("r")
            row_no = int(r) if r else row_no + 1
            last = None
            continue
        a = el.get("r")
        if a is None:                                   # position implied by order
            col = col_index(last.rstrip("0123456789")) + 1 if last else 0
            a = addr(row_no - 1, col)
        last = a
        t = el.get("t")
        v = f = None
        for ch in el:
            if ch.tag == _V:
                v = ch.text
            elif ch.tag == _F:
                f = ch.text or ""
            elif ch.tag == _IS:
                v, t = element_text(ch), "inlineStr"
        if v is None and f is None:
            continue
        if t is None or t == "n":
            value = _number(v) if v else None
        elif t == "s":
            value = book.strings[int(v)] if v else None
        elif t in ("str", "inlineStr"):
            value = _unescape(v) if v is not None else None
        elif t == "b":
            value = v in ("1", "true") if v else None
        elif t == "e":
            value = XlError(v or "#N/A")
        else:
            value = v
        cells[a] = Cell(value, f)
    return cells


_ATTR = re.compile(rb'([\w:.-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')


def elements(data: bytes, tag: bytes, qname: str, text: bool = False) -> list[dict]:
    """Attributes (and with `text`, the text under key "") of every <tag> element. Split on
    '<tag ' in the common unprefixed form (a quarter of lxml's time on workbook.xml, which
    declares a namespace on every sheet); through lxml otherwise."""
    if not is_plain(data) or (b"<" + tag + b" ") not in data:
        out = []
        for el in etree.fromstring(data, PARSER).iter(qname):
            d = {k.replace(R_NS, "r:"): v for k, v in el.attrib.items()}
            if text:
                d[""] = el.text or ""
            out.append(d)
        return out
    out = []
    for piece in data.split(b"<" + tag + b" ")[1:]:
        gt = piece.index(b">")
        d = {k.decode("ascii"): decode_same(v1 or v2) for k, v1, v2 in _ATTR.findall(piece[:gt])}
        if text:
            d[""] = "" if piece[gt - 1:gt] == b"/" else decode_same(piece[gt + 1:piece.index(b"</", gt)])
        out.append(d)
    return out


def _number(v: str):
    """A <v> number: int when whole and short, else float. Longer digit strings (past Python's
    4,300-digit int limit, or 1e400) become a float, inf at worst: the cell's range check says so."""
    if len(v) < 19:
        try:
            return int(v)
        except ValueError:
            pass
    return float(v)


def _unescape(s: str) -> str:
    # OOXML writes control characters as _xHHHH_ (e.g. _x000D_ for a carriage return).
    return _ESC.sub(lambda m: chr(int(m[1], 16)), s) if "_x" in s else s


def element_text(el) -> str:
    """Text of an <si>/<is>: plain <t>, or rich-text runs <r><t>; phonetic runs (<rPh>) left out."""
    parts = []
    for ch in el:
        if ch.tag == _T:
            parts.append(ch.text or "")
        elif ch.tag == _R:
            for t in ch.iter(_T):
                parts.append(t.text or "")
    return _unescape("".join(parts))


def short(e: Exception) -> str:
    """The first line of an exception's message, for one-line errors."""
    msg = str(e).splitlines()[0] if str(e) else type(e).__name__
    return msg[:120]
