"""A fast, safe raw reader of .xlsx/.xlsm: zipfile + lxml, nothing executed, nothing trusted.

Why not openpyxl: it is 10–40× slower and reads every sheet and style; why not calamine: it
gives cached values only, and the reader must see formulas (a total typed over its formula is
an altered template). This module reads workbook.xml (sheets, visibility, defined names), the
relationships, the shared strings, and only the sheets asked for: per cell its typed value
and its formula text (the parsing itself is in xmlparts.py). It copes with files re-saved by
LibreOffice (hidden instead of very hidden, shared formulas, inline strings) and by openpyxl
(formulas without cached values, every character a reference). .xls files go through xlrd.

Everything that can be hostile is refused before parsing, as InputError naming the file:
not a zip (an .xls, an encrypted OOXML, HTML/CSV renamed), empty, too big, zip bombs, XML
with a DTD (entity bombs). Every XML part read is parsed whole by expat before cells are
picked out of it, so a part cut short, with a tag lost or text after its root, is refused
naming the part (issue 15). `sniff()` tells the caller what a file is without opening it.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.parsers import expat

from lxml import etree

from gaixl.errors import InputError
from gaixl.inputs import check_regular, read_input
from gaixl.report.values import XlError
from gaixl.workbook.xmlparts import (
    NS,
    PARSER,
    R_NS,
    Cell,
    LazyStrings,
    Sheet,
    addr,
    cells_fast,
    cells_lxml,
    decode_same,
    element_text,
    elements,
    is_plain,
    short,
    split_addr,
)

__all__ = ["Book", "Cell", "Sheet", "SheetInfo", "addr", "open_book", "parse_ref", "read_xls", "sniff", "sniff_read",
           "split_addr",
           "MAX_FILE", "MAX_UNZIPPED", "OLE_MAGIC"]

MAX_FILE = 50 * 1024 * 1024          # bytes on disk
MAX_UNZIPPED = 200 * 1024 * 1024     # sum of the uncompressed parts
MAX_RATIO = 200                      # uncompressed / compressed, for parts above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024            # small parts may compress well without being a threat

_CONTROL = bytes(range(9)) + b"\x0b\x0c" + bytes(range(14, 32))     # not allowed anywhere in XML 1.0
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")                           # the first element's name
# An XML declaration naming an encoding other than UTF-8 (lxml reads such parts itself).
_DECLARED_OTHER = re.compile(rb"<\?xml[^>]*encoding=[\"'](?!utf-?8[\"'])", re.I)

PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


@dataclass
class SheetInfo:
    name: str
    state: str               # visible | hidden | veryHidden
    part: str                # zip member, e.g. xl/worksheets/sheet3.xml


def _range_cells(ref: str) -> tuple[tuple[str, ...], ...]:
    """'$D$7:$J$8' → (('D7', …, 'J7'), ('D8', …, 'J8')) (rows of addresses)."""
    a, _, b = ref.partition(":")
    r1, c1 = split_addr(a)
    r2, c2 = split_addr(b) if b else (r1, c1)
    r1, r2, c1, c2 = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
    if (r2 - r1 + 1) * (c2 - c1 + 1) > 100_000:
        raise ValueError("range too large")
    return tuple(tuple(addr(r, c) for c in range(c1, c2 + 1)) for r in range(r1, r2 + 1))


@lru_cache(maxsize=8192)
def parse_ref(text: str) -> tuple[str, tuple[tuple[str, ...], ...]] | None:
    """A defined name's formula like `'三、申请情况'!$D$7:$J$7` → (sheet, rows of addresses).
    None when it does not point at one plain range (#REF!, a constant, a union of sheets)."""
    text = text.strip().lstrip("=")
    if text.startswith("'"):
        end = 1
        while True:
            end = text.find("'", end)
            if end < 0:
                return None
            if text[end + 1:end + 2] == "'":
                end += 2
                continue
            break
        sheet, rest = text[1:end].replace("''", "'"), text[end + 1:]
    else:
        sheet, sep, rest = text.partition("!")
        if not sep:
            return None
        rest = "!" + rest
    if not rest.startswith("!") or "#REF" in rest:
        return None
    try:
        return sheet, _range_cells(rest[1:])
    except ValueError:
        return None


# ---------------------------------------------------------------- sniffing
def sniff(path: str | Path) -> str:
    """What a file is, by content: 'xlsx' (any zip), 'xls', 'json'. Anything else → InputError."""
    p = Path(path)
    size = check_regular(p).st_size              # a FIFO or device is refused, never opened
    return _sniff(p, size, read_input(p, head=512))


def sniff_read(path: str | Path) -> tuple[str, bytes | None]:
    """sniff(path), and the file's bytes when it is a workbook of a size that is read (one
    open for both: a check of many small files opens each once)."""
    p = Path(path)
    size = check_regular(p).st_size
    if not 0 < size <= MAX_FILE:
        return sniff(p), None
    data = read_input(p, MAX_FILE)
    kind = _sniff(p, len(data), data[:512])
    return kind, (data if kind == "xlsx" else None)


def _sniff(p: Path, size: int, head: bytes) -> str:
    if size == 0:
        raise InputError("the file is empty (0 bytes)", where=str(p), zh="文件为空（0字节）")
    if size > MAX_FILE:
        raise InputError(f"the file is too large ({size / 1048576:.0f} MB; at most {MAX_FILE // 1048576} MB)",
                         where=str(p), zh=f"文件过大（{size / 1048576:.0f}MB，上限{MAX_FILE // 1048576}MB）")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        if _ENCRYPTED in p.read_bytes():
            raise InputError("the workbook is encrypted with a password; remove the password and save it again",
                             where=str(p), zh="工作簿设置了打开密码，请取消密码后重新保存")
        return "xls"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"{"):
        return "json"
    if text.startswith((b"<html", b"<!doctype", b"<?xml", b"<table", b"<head", b"<meta", b"mime-version")):
        raise InputError("not a workbook: an HTML/XML web page renamed .xlsx; save it as .xlsx in Excel", where=str(p),
                         zh="不是Excel工作簿：该文件是将扩展名改为.xlsx的网页（HTML）或XML文件，请在Excel中另存为.xlsx格式")
    if b"\x00" not in head:
        raise InputError("not a workbook: a CSV or text file renamed .xlsx; save it as .xlsx in Excel", where=str(p),
                         zh="不是Excel工作簿：该文件是将扩展名改为.xlsx的CSV或文本文件，请在Excel中另存为.xlsx格式")
    raise InputError("not a workbook: unknown content (neither .xlsx nor .xls)", where=str(p),
                     zh="不是Excel工作簿：无法识别文件内容（既不是.xlsx格式，也不是.xls格式）")


# ---------------------------------------------------------------- the workbook
_BROKEN = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, etree.XMLSyntaxError, KeyError, ValueError,
           IndexError, NotImplementedError, RuntimeError, OSError, OverflowError)


def _guarded(method):
    """Whatever a damaged part makes go wrong inside a Book method becomes one InputError."""
    def wrapper(self, *args):
        try:
            return method(self, *args)
        except InputError:
            raise
        except _BROKEN as e:
            raise InputError(f"not a readable .xlsx workbook ({short(e)})", where=str(self.path),
                             zh="无法读取该.xlsx工作簿，文件可能已损坏") from None
    wrapper.__name__, wrapper.__doc__ = method.__name__, method.__doc__
    return wrapper


# expat's words for the damage met most, in Chinese (any other is said as expat says it).
_EXPAT_ZH = {
    expat.errors.XML_ERROR_TAG_MISMATCH: "开始标签与结束标签不匹配",
    expat.errors.XML_ERROR_INVALID_TOKEN: "含有无效的字符或标记",
    expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT: "根元素之后还有多余内容",
    expat.errors.XML_ERROR_UNCLOSED_TOKEN: "标记未闭合",
    expat.errors.XML_ERROR_NO_ELEMENTS: "内容不完整",
    expat.errors.XML_ERROR_SYNTAX: "语法错误",
    expat.errors.XML_ERROR_PARTIAL_CHAR: "字符不完整",
    expat.errors.XML_ERROR_DUPLICATE_ATTRIBUTE: "属性重复",
    expat.errors.XML_ERROR_UNDEFINED_ENTITY: "引用了未定义的实体",
    expat.errors.XML_ERROR_BAD_CHAR_REF: "引用了无效的字符编号",
    expat.errors.XML_ERROR_UNBOUND_PREFIX: "命名空间前缀未声明",
    expat.errors.XML_ERROR_MISPLACED_XML_PI: "XML声明不在开头",
    expat.errors.XML_ERROR_INCORRECT_ENCODING: "编码与声明不符",
}

# (folder of the workbook part, its relationships, the workbook part) → (sheets, sheets by name,
# date1904, shared-strings part, defined names): shared, never modified, by every Book of them.
_STRUCTURE: dict[tuple, tuple] = {}
_STRUCTURE_MAX_PART = 1024 * 1024


class Book:
    """An opened .xlsx: sheets, defined names, shared strings; sheets parsed on demand."""

    def __init__(self, path: str | Path, data: bytes | None = None):
        """`data`: the file's bytes, when the caller has them from sniff_read()."""
        self.path = Path(path)
        where = str(self.path)
        if data is None and sniff(self.path) != "xlsx":
            raise InputError("not an .xlsx workbook", where=where, zh="不是.xlsx格式的工作簿")
        self._zip: zipfile.ZipFile | None = None
        self._inflated = 0
        self._sheets: dict[str, Sheet] = {}
        self._refs: dict[str, tuple | None] = {}
        try:
            self._bytes = read_input(self.path, MAX_FILE) if data is None else data
            self._zip = zipfile.ZipFile(io.BytesIO(self._bytes))
            self._check_members()
            self._check_sizes()
            self._load_workbook()
        except BaseException as e:
            if self._zip is not None:
                self._zip.close()
            if isinstance(e, (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, etree.XMLSyntaxError,
                              KeyError, ValueError, IndexError, UnicodeDecodeError, NotImplementedError, RuntimeError,
                              OSError)) and not isinstance(e, InputError):
                raise InputError(f"not a readable .xlsx workbook ({short(e)})", where=where,
                                 zh="无法读取该.xlsx工作簿，文件可能已损坏") from None
            raise

    @property
    def _open_zip(self) -> zipfile.ZipFile:
        assert self._zip is not None, "used after a failed open"
        return self._zip

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- safety
    def _check_members(self) -> None:
        """Two members of one name: which one a program reads differs (zipfile: the later,
        Excel: refuses), so the file means different things to different readers. Refused."""
        seen: set[str] = set()
        for info in self._open_zip.infolist():
            key = info.filename.replace("\\", "/").lstrip("/").lower()
            if key in seen:
                raise InputError(f"refused: the zip holds part {info.filename} twice (damaged, or built to mislead)",
                                 where=str(self.path),
                                 zh=f"拒绝读取：压缩包中部件{info.filename}出现了两次（文件已损坏或被刻意构造）")
            seen.add(key)

    def _check_sizes(self) -> None:
        total = 0
        for info in self._open_zip.infolist():
            total += info.file_size
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise InputError(f"refused: part {info.filename} expands {info.file_size // max(info.compress_size, 1)}× "
                                 "(a zip bomb?)", where=str(self.path),
                                 zh=f"拒绝读取：部件{info.filename}解压后膨胀"
                                    f"{info.file_size // max(info.compress_size, 1)}倍，可能是压缩炸弹")
        if total > MAX_UNZIPPED:
            raise InputError(f"refused: the parts expand to {total / 1048576:.0f} MB "
                             f"(at most {MAX_UNZIPPED // 1048576} MB; a zip bomb?)", where=str(self.path),
                             zh=f"拒绝读取：各部件解压后共{total / 1048576:.0f}MB"
                                f"（上限{MAX_UNZIPPED // 1048576}MB），可能是压缩炸弹")

    def _read(self, name: str) -> bytes:
        """A part's bytes. The sizes in the zip directory can lie: never inflate more than the
        limit. Deflated and stored parts are inflated straight from the file's bytes (half
        the cost of zipfile.open); anything else goes through zipfile."""
        info = self._open_zip.getinfo(name)
        budget = MAX_UNZIPPED - self._inflated
        data = None
        if info.compress_type in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED) and not info.flag_bits & 1:
            off, raw = info.header_offset, self._bytes
            if raw[off:off + 4] == b"PK\x03\x04":
                start = off + 30 + int.from_bytes(raw[off + 26:off + 28], "little") + \
                    int.from_bytes(raw[off + 28:off + 30], "little")
                body = raw[start:start + info.compress_size]
                # Never inflate beyond what the directory declares: a part that holds more is
                # damaged or hostile, and is refused before it can fill the memory.
                limit = min(budget, info.file_size) + 1
                if info.compress_type == zipfile.ZIP_STORED:
                    data = body[:limit]
                else:
                    data = zlib.decompressobj(-15).decompress(body, limit)
                if len(data) > info.file_size and len(data) <= budget:
                    raise InputError(f"refused: part {name} holds more than the {info.file_size} bytes it declares "
                                     "(damaged, or a zip bomb)", where=str(self.path),
                                     zh=f"拒绝读取：部件{name}的实际内容超过其声明的{info.file_size}字节，"
                                        "文件已损坏或可能是压缩炸弹")
                if len(data) <= budget and (zlib.crc32(data) != info.CRC or len(data) != info.file_size):
                    raise InputError(f"part {name} is damaged (checksum mismatch)", where=str(self.path),
                                     zh=f"部件{name}已损坏（校验和不符）")
        if data is None:
            with self._open_zip.open(name) as fh:
                data = fh.read(budget + 1)
        self._inflated += len(data)
        if self._inflated > MAX_UNZIPPED:
            raise InputError(f"refused: the parts expand beyond {MAX_UNZIPPED // 1048576} MB (a zip bomb?)",
                             where=str(self.path),
                             zh=f"拒绝读取：各部件解压后超过{MAX_UNZIPPED // 1048576}MB，可能是压缩炸弹")
        return data

    def _safe(self, name: str, verify: bool = True) -> bytes:
        """A part's bytes, refused if it declares a DTD (entity bombs, external entities) or,
        unless the caller verifies it later (`verify` False), if it is not whole, well-formed XML."""
        data = self._read(name)
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise InputError(f"refused: part {name} declares a DTD/XML entities (not made by a spreadsheet program)",
                             where=str(self.path),
                             zh=f"拒绝读取：部件{name}声明了DTD或XML实体（并非电子表格软件生成的文件）")
        if verify:
            self._verify(name, data)
        return data

    def _verify(self, name: str, data: bytes) -> None:
        """Refuse a part that is not well-formed XML to its last byte: cut short, a tag cut or
        lost in the middle, tags that do not match, text after the root element. The fast
        readers (xmlparts) pick cells out of the bytes and would not notice: expat parses the
        whole part first (C speed, no tree built, nothing called back: ~6 ms a MB), so what is
        read is what a strict XML parser reads. Encodings expat lacks (GBK…) go through lxml."""
        parser = expat.ParserCreate(namespace_separator=" ")
        try:
            parser.Parse(data, True)
            return
        except expat.ExpatError as e:
            detail, line, col = expat.ErrorString(e.code), e.lineno, e.offset + 1
            if detail not in (expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT, expat.errors.XML_ERROR_TAG_MISMATCH):
                self._complete(name, data)            # cut short, a NUL: the commonest damage, said plainly
        except (ValueError, LookupError):             # an encoding expat cannot read (or no such encoding)
            try:
                etree.fromstring(data, PARSER)
                return
            except etree.XMLSyntaxError as e:
                detail, (line, col) = short(e), e.position
        raise InputError(f"part {name} is damaged: its XML does not parse ({detail}, line {line}, column {col})",
                         where=str(self.path),
                         zh=f"部件{name}已损坏：XML格式错误或内容不完整（第{line}行第{col}列：{_EXPAT_ZH.get(detail, detail)}）")

    def _complete(self, name: str, data: bytes) -> None:
        """The plain words for the commonest damage of a part a parser refused: cut short (the
        root element is not closed at the end), or holding a NUL or another control character
        XML forbids (a damaged disk or transfer). Raises InputError saying so; returns when
        the damage is another (the caller then says the parser's words)."""
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return                                    # UTF-16: lxml reads these, strictly
        if len(data.translate(None, _CONTROL)) != len(data):
            raise InputError(f"part {name} is damaged: it holds a NUL or another control character XML forbids",
                             where=str(self.path), zh=f"部件{name}已损坏：含有XML不允许的空字符或控制字符")
        if not data.isascii() and _DECLARED_OTHER.match(data) is None:
            # A byte sequence that is not UTF-8 (a flipped bit, a cut multi-byte character) is
            # not XML: the fast reader would carry it along as garbled text or skip it.
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as e:
                raise InputError(f"part {name} is damaged: invalid UTF-8 at byte {e.start}", where=str(self.path),
                                 zh=f"部件{name}已损坏：第{e.start}字节处不是有效的UTF-8编码") from None
        m = _ROOT.search(data, 0, 4096)
        end = data.rstrip()
        if m is None or not (end.endswith(b"</" + m[1] + b">") or (end.endswith(b"/>") and end.count(b"<") - 1
                                                                     == data.count(b"<?", 0, m.start()))):
            raise InputError(f"part {name} is damaged: its XML is cut short or incomplete", where=str(self.path),
                             zh=f"部件{name}已损坏：XML内容不完整（文件可能被截断）")

    def _xml(self, name: str):
        data = self._safe(name, verify=False)
        try:
            return etree.fromstring(data, PARSER)     # lxml parses it whole
        except etree.XMLSyntaxError:
            self._complete(name, data)                # the commonest damage, said plainly
            raise

    # -- structure
    def _load_workbook(self) -> None:
        names = set(self._open_zip.namelist())
        wb_part = "xl/workbook.xml"
        if wb_part not in names and "_rels/.rels" in names:     # the usual place, else ask the package
            for rel in self._xml("_rels/.rels").iter(PKG_REL):
                if rel.get("Type", "").endswith("/officeDocument"):
                    wb_part = rel.get("Target", wb_part).lstrip("/")
        if wb_part not in names:
            raise InputError("not an .xlsx workbook (no workbook part; a .docx or another zip?)", where=str(self.path),
                             zh="不是.xlsx工作簿：缺少工作簿部件（可能是.docx文档或其他压缩包）")
        base = posixpath.dirname(wb_part)
        rels_part = posixpath.join(base, "_rels", posixpath.basename(wb_part) + ".rels")
        rels, wb = self._safe(rels_part, verify=False), self._safe(wb_part, verify=False)
        self._wb_xml = wb
        self._strings = None
        # The files of one run are mostly one template's: the same workbook part and
        # relationships, byte for byte. What is read from them (and that they are well-formed)
        # is kept for the next file.
        known = _STRUCTURE.get((base, rels, wb))
        if known is not None:
            self.sheets, self._by_name, self.date1904, self._sst_part, self._names, self._refs = known
            return
        self._verify(rels_part, rels)
        self._verify(wb_part, wb)
        targets, self._sst_part = {}, None
        for rel in elements(rels, b"Relationship", PKG_REL):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            targets[rel.get("Id")] = target
            if rel.get("Type", "").endswith("/sharedStrings"):
                self._sst_part = target
        pr = next(iter(elements(wb, b"workbookPr", NS + "workbookPr")), {})
        self.date1904 = pr.get("date1904") in ("1", "true")
        self.sheets = []
        for sh in elements(wb, b"sheet", NS + "sheet"):
            rid = sh.get("r:id") or sh.get(R_NS + "id") or next((v for k, v in sh.items() if k.endswith(":id")), "")
            self.sheets.append(SheetInfo(sh.get("name", ""), sh.get("state", "visible"), targets.get(rid, "")))
        self._by_name = {}
        for info in self.sheets:
            self._by_name.setdefault(info.name, info)
        self._wb_fast: bool | None = None          # names findable by a byte search?
        self._names = None
        self._refs = {}                             # resolve()'s answers, by name
        if b"<definedName" in wb and len(wb) < _STRUCTURE_MAX_PART:
            self.names                              # parsed once for every file of this template
            if len(_STRUCTURE) >= 16:
                _STRUCTURE.pop(next(iter(_STRUCTURE)))
            _STRUCTURE[(base, rels, wb)] = (self.sheets, self._by_name, self.date1904, self._sst_part, self._names,
                                            self._refs)

    @property
    @_guarded
    def names(self) -> dict[str, str]:
        """Every workbook-level defined name → its formula text (parsed on first use)."""
        if self._names is None:
            self._names = {}
            for d in elements(self._wb_xml, b"definedName", NS + "definedName", text=True):
                if d.get("localSheetId") is None and d.get("name"):
                    self._names.setdefault(d["name"], d.get("", ""))      # the first, as name_text finds
        return self._names

    @_guarded
    def name_text(self, name: str) -> str | None:
        """One workbook-level defined name's formula text, None if absent. A reader asks for a
        few dozen of a template's names: each is found by a byte search, without parsing all."""
        if self._names is not None:
            return self._names.get(name)
        key = name.encode("utf-8")
        wb = self._wb_xml
        if key not in wb:
            return None
        if self._wb_fast is None:
            self._wb_fast = is_plain(wb) and b"<definedName " in wb
        if not self._wb_fast:
            return self.names.get(name)
        head = b'<definedName name="' + key + b'"'
        i = wb.find(head)
        while i >= 0:
            gt = wb.index(b">", i)
            if b"localSheetId" not in wb[i:gt] and wb[gt - 1:gt] != b"/":
                return decode_same(wb[gt + 1:wb.index(b"</definedName>", gt)])
            i = wb.find(head, gt)
        return self.names.get(name)             # another attribute order: parse them all

    def sheet_info(self, name: str) -> SheetInfo | None:
        return self._by_name.get(name)

    @property
    @_guarded
    def strings(self):
        """The shared strings (a sequence of str)."""
        if self._strings is None:
            self._strings = []
            if self._sst_part and self._sst_part in self._open_zip.namelist():
                data = self._safe(self._sst_part)
                if is_plain(data) and b"<si" in data:
                    self._strings = LazyStrings(data)
                else:
                    self._strings = [element_text(si) for si in etree.fromstring(data, PARSER).iter(NS + "si")]
        return self._strings

    def resolve(self, name: str) -> tuple[str, tuple[tuple[str, ...], ...]] | None:
        """A workbook-level defined name → (sheet, rows of addresses); None if absent or broken.
        (What the workbook part says, so kept with its structure for the files of one template.)"""
        try:
            return self._refs[name]
        except KeyError:
            ref = self._refs[name] = self._resolve(name)
            return ref

    def _resolve(self, name: str) -> tuple[str, tuple[tuple[str, ...], ...]] | None:
        text = self.name_text(name)
        if text is None:
            return None
        ref = parse_ref(text)
        if ref is None or self.sheet_info(ref[0]) is None:
            return None
        return ref

    # -- cells
    def sheet(self, name: str) -> Sheet:
        """One sheet's cells and merges (parsed once)."""
        s = self._sheets.get(name)
        if s is None:
            info = self.sheet_info(name)
            if info is None:
                raise KeyError(name)
            try:
                data = self._safe(info.part)
                fast = is_plain(data) and (b"<c " in data or b"<sheetData/>" in data)
                cells = cells_fast(data, self) if fast else cells_lxml(etree.fromstring(data, PARSER), self)
                i = data.find(b"mergeCell")
                merge_xml = data[i - 1:] if i > 0 else b""
            except InputError:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, etree.XMLSyntaxError, KeyError, ValueError,
                    IndexError, NotImplementedError, RuntimeError, OSError, UnicodeDecodeError) as e:
                raise InputError(f"sheet {name!r} cannot be read ({short(e)})", where=str(self.path),
                                 zh=f"工作表“{name}”无法读取，文件可能已损坏") from None
            s = self._sheets[name] = Sheet(name, cells, merge_xml=merge_xml)
        return s


def open_book(path: str | Path) -> Book:
    return Book(path)


# ---------------------------------------------------------------- .xls (BIFF), through xlrd
def read_xls(path: str | Path) -> tuple[list[Sheet], bool]:
    """Every sheet of an .xls as Sheet (values only: xlrd gives no formulas), and date1904."""
    p = Path(path)
    if sniff(p) != "xls":
        raise InputError("not an .xls workbook", where=str(p), zh="不是.xls格式的工作簿")
    try:
        return _xls_sheets(p)
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - xlrd parses a hostile binary format and raises dozens of kinds
        if "encrypt" in str(e).lower():
            raise InputError("the workbook is encrypted with a password; remove the password and save it again",
                             where=str(p), zh="工作簿设置了打开密码，请取消密码后重新保存") from None
        raise InputError(f"not a readable .xls workbook ({short(e)})", where=str(p),
                         zh="无法读取该.xls工作簿，文件可能已损坏") from None


def _xls_sheets(p: Path) -> tuple[list[Sheet], bool]:
    import xlrd

    try:
        wb = xlrd.open_workbook(str(p), formatting_info=True, ragged_rows=True, logfile=io.StringIO())
    except NotImplementedError:
        wb = xlrd.open_workbook(str(p), ragged_rows=True, logfile=io.StringIO())
    sheets = []
    for sh in wb.sheets():
        cells: dict[str, Cell] = {}
        for r in range(sh.nrows):
            for c, cell in enumerate(sh.row(r)):
                ct, v = cell.ctype, cell.value
                if ct in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    continue
                if ct == xlrd.XL_CELL_NUMBER or ct == xlrd.XL_CELL_DATE:
                    v = int(v) if float(v).is_integer() else v
                elif ct == xlrd.XL_CELL_BOOLEAN:
                    v = bool(v)
                elif ct == xlrd.XL_CELL_ERROR:
                    v = XlError(xlrd.error_text_from_code.get(v, "#N/A"))
                cells[addr(r, c)] = Cell(v, None)
        merges = [(r1, c1, r2 - 1, c2 - 1) for r1, r2, c1, c2 in sh.merged_cells]
        sheets.append(Sheet(sh.name, cells, merges))
    return sheets, bool(wb.datemode)
