"""Attachment names as senders' clients really write them, decoded and made safe to save.

Chinese mail clients disagree on how to put 中文 in a file name:
- Outlook: an RFC 2047 word `=?gb2312?B?…?=` inside a quoted `name=`/`filename=` (non-compliant,
  but the commonest of all);
- Foxmail: RFC 2231 `filename*=GBK''%C4%EA…`;
- QQ Mail: `=?gb18030?B?…?=` split over several encoded words and folded lines — sometimes in the
  middle of a character, so adjacent words are joined as bytes before decoding;
- NetEase/163: RFC 2231 continuations `filename*0*=UTF-8''…; filename*1*=…`;
- old clients: raw 8-bit GBK bytes in the header.
GBK and GB2312 labels are decoded as GB18030 (a superset, so nothing a sender wrote is lost).
"""
from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
import unicodedata
from urllib.parse import unquote_to_bytes

# Chinese charset labels → GB18030, which contains GB2312 and GBK.
_GB_LABELS = {"gb2312", "gbk", "gb_2312-80", "gb_2312", "x-gbk", "cp936", "euc-cn", "euccn", "gb18030",
              "x-euc-cn", "csgb2312", "chinese", "ms936", "windows-936", "hz-gb-2312"}
MAX_NAME_CHARS = 120          # characters of a saved name (well under the 255-byte limit)
MAX_NAME_BYTES = 200          # UTF-8 bytes of a saved name
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", *(f"COM{i}" for i in "123456789¹²³"),
                    *(f"LPT{i}" for i in "123456789¹²³")}


def codec_for(label: str | None) -> str | None:
    """A Python codec name for a MIME charset label (GB labels → gb18030), None if unknown."""
    if not label:
        return None
    label = label.strip().strip('"').lower().split("*", 1)[0]   # RFC 2231 `utf-8*zh` language suffix
    if label in _GB_LABELS:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_bytes(data: bytes, label: str | None = None) -> str:
    """Bytes in the declared charset; undeclared or wrong → UTF-8 if valid, else GB18030."""
    codec = codec_for(label)
    if codec and codec not in ("ascii", "us-ascii"):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("gb18030", "replace")


def raw_bytes(text: str) -> bytes:
    """A header string as read by the email package (8-bit bytes kept as surrogates) → bytes."""
    return text.encode("utf-8", "surrogateescape")


def header_text(value) -> str:
    """A raw header value → text: 8-bit bytes decoded (UTF-8 else GB18030), RFC 2047 words decoded."""
    if value is None:
        return ""
    if not isinstance(value, str):   # an email.header.Header (8-bit header under compat32)
        value = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        value = decode_bytes(raw_bytes(value))
    return decode_words(value)


_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_FOLD = re.compile(r"\r?\n[ \t]+")


def _word_bytes(enc: str, text: str) -> bytes | None:
    try:
        if enc.lower() == "b":
            text = re.sub(r"[^A-Za-z0-9+/]", "", text)
            return base64.b64decode(text + "=" * (-len(text) % 4))
        return quopri.decodestring(text.replace("_", " ").encode("ascii", "replace"), header=True)
    except (binascii.Error, ValueError):
        return None


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words anywhere in `text`, tolerantly.

    Whitespace between adjacent encoded words is dropped (RFC 2047 §6.2) and adjacent words of the
    same charset are joined as bytes before decoding: QQ Mail splits multi-byte characters across
    words. Undecodable words are left as they were."""
    text = _FOLD.sub(" ", text)
    out: list[str] = []
    pending: bytes = b""
    pending_cs: str | None = None
    pos = 0

    def flush() -> None:
        nonlocal pending, pending_cs
        if pending:
            out.append(decode_bytes(pending, pending_cs))
        pending, pending_cs = b"", None

    for m in _WORD.finditer(text):
        between = text[pos:m.start()]
        if between and (not pending or between.strip()):
            flush()
            out.append(between)
        data = _word_bytes(m.group(2), m.group(3))
        if data is None:
            flush()
            out.append(m.group(0))
        else:
            cs = codec_for(m.group(1)) or m.group(1).lower()
            if pending and cs != pending_cs:
                flush()
            pending += data
            pending_cs = cs
        pos = m.end()
    flush()
    out.append(text[pos:])
    return "".join(out)


# ---------------------------------------------------------------- parameters
def split_params(value: str) -> list[tuple[str, str, bool]]:
    """`type; a=1; b="x;y"` → [(key, value, was_quoted)] (the type itself is dropped).

    A tolerant tokenizer: quoted strings may hold `;`, unbalanced quotes run to the end."""
    items: list[tuple[str, str, bool]] = []
    parts: list[str] = []
    buf, quoted, i = [], False, 0
    while i < len(value):
        ch = value[i]
        if ch == '"':
            quoted = not quoted
            buf.append(ch)
        elif ch == "\\" and quoted and i + 1 < len(value):
            buf.append(ch + value[i + 1])
            i += 1
        elif ch == ";" and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append("".join(buf))
    for part in parts[1:]:
        if "=" not in part:
            continue
        key, _, val = part.partition("=")
        key, val = key.strip().lower(), val.strip()
        was_quoted = val.startswith('"')
        if was_quoted:
            val = val[1:-1] if val.endswith('"') and len(val) > 1 else val[1:]
            # Unescape only \" and \\: a Windows path in a quoted name keeps its other backslashes.
            val = val.replace('\\"', '"').replace("\\\\", "\\")
        items.append((key, val, was_quoted))
    return items


_SECTION = re.compile(r"^(?P<name>[^*]+)(?:\*(?P<num>\d+))?(?P<star>\*)?$")


def params(value: str) -> dict[str, str]:
    """Every parameter of a Content-Type/Content-Disposition value, decoded to text.

    RFC 2231 (`x*=cs'lang'%..`, continuations `x*0*=…; x*1=…`, partly encoded sections), RFC 2047
    words inside quoted values (Outlook, QQ Mail), raw 8-bit bytes (UTF-8 else GB18030)."""
    plain: dict[str, str] = {}
    sections: dict[str, dict[int, tuple[str, bool]]] = {}
    extended_single: dict[str, str] = {}
    for key, val, _quoted in split_params(value):
        m = _SECTION.match(key)
        if not m:
            continue
        name = m.group("name").strip()
        if m.group("num") is not None:
            sections.setdefault(name, {})[int(m.group("num"))] = (val, bool(m.group("star")))
        elif m.group("star"):
            extended_single[name] = val
        else:
            plain.setdefault(name, val)
    result: dict[str, str] = {k: header_text(v) for k, v in plain.items()}
    for name, val in extended_single.items():
        sections.setdefault(name, {}).setdefault(0, (val, True))
    for name, secs in sections.items():
        charset: str | None = None
        data = b""
        for n, (val, encoded) in sorted(secs.items()):
            if encoded:
                if n == sorted(secs)[0] and val.count("'") >= 2:
                    charset, _lang, val = val.split("'", 2)
                data += unquote_to_bytes(val.encode("utf-8", "surrogateescape"))
            else:
                data += raw_bytes(val)
        text = decode_bytes(data, charset)
        # Some clients put RFC 2047 words into RFC 2231 continuations; decode those too.
        result[name] = decode_words(text) if "=?" in text else text
    return result


def part_filename(part) -> str:
    """The decoded file name of a MIME part: Content-Disposition filename, else Content-Type name."""
    for header, key in (("content-disposition", "filename"), ("content-type", "name")):
        for raw in raw_header_values(part, header):
            name = params(raw).get(key, "")
            if name.strip():
                return name.strip()
    return ""


def header(msg, name: str) -> str:
    """A header of `msg` decoded to text (first occurrence; "" when absent)."""
    values = raw_header_values(msg, name)
    return header_text(values[0]) if values else ""


def headers(msg, name: str) -> list[str]:
    return [header_text(v) for v in raw_header_values(msg, name)]


def raw_header_values(msg, name: str) -> list[str]:
    """A header's values exactly as they arrived (8-bit bytes as surrogates), unfolded."""
    name = name.lower()
    return [_FOLD.sub(" ", v) if isinstance(v, str) else str(v)
            for k, v in msg.raw_items() if k.lower() == name]


# ---------------------------------------------------------------- sanitising
_UNSAFE = re.compile(r'[<>:"|?*]')


def _strip_controls(text: str) -> str:
    # Cc: NUL, newlines, escapes; Cf: bidi overrides that make "xslx.exe" look like "exe.xlsx".
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))


def _clean(name: str) -> str:
    name = _strip_controls(unicodedata.normalize("NFC", name or ""))
    name = re.split(r"[\\/]", name)[-1]          # the last path component only
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\.{2,}", ".", name)           # no `..` anywhere
    return re.sub(r"\s+", " ", name).strip(" .")  # no leading dot: consolidate ignores dot files


def safe_name(name: str, fallback: str = "附件", suffix: str = "") -> str:
    """A name safe to save in one folder: the last path component only, no control characters,
    no leading dots, no `..`, no reserved characters, length-limited. `suffix` (".xlsx") is kept
    or added, so a workbook stays recognisable; an empty name becomes `fallback` (the subject)."""
    if suffix and (name or "").strip().lower() == suffix.lower():
        name = ""           # a nameless part, named only by its detected type
    name = _clean(name)
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 10 or " " in ext:
        stem, ext = name, ""
    if suffix and f".{ext}".lower() != suffix.lower():
        stem, ext = name, suffix.lstrip(".")
    if not stem:
        stem = _clean(fallback) or "附件"
    stem = shorten(stem, MAX_NAME_CHARS - len(ext) - 1, MAX_NAME_BYTES - len(ext.encode()) - 1)
    return harmless(f"{stem}.{ext}" if ext else stem)


def harmless(name: str) -> str:
    """A saved name that no shell or Windows misreads: never beginning with '-' or '+' (read
    as an option by `rm *`, `ls *`), never a Windows device name before its first dot (CON,
    con.xlsx.xlsx, LPT1.txt, COM¹ … open the device, not a file)."""
    if name[:1] in ("-", "+"):
        name = "_" + name[1:]
    if name.split(".")[0].rstrip(" ").upper() in WINDOWS_RESERVED:
        name = "_" + name
    return name


def shorten(text: str, max_chars: int, max_bytes: int) -> str:
    text = text[:max(max_chars, 1)]
    while len(text.encode("utf-8")) > max_bytes and text:
        text = text[:-1]
    return text.rstrip(" .") or "附件"


def with_suffix(name: str, n: int) -> str:
    """`报表.xlsx`, 2 → `报表 (2).xlsx` (still within the length limits)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    tag = f" ({n})"
    stem = shorten(stem, MAX_NAME_CHARS - len(ext) - 1 - len(tag),
                   MAX_NAME_BYTES - len(ext.encode()) - 1 - len(tag))
    return harmless(f"{stem}{tag}.{ext}" if ext else f"{stem}{tag}")


def zip_member_name(info) -> str:
    """A zip member's name: UTF-8 when flag bit 11 says so (zipfile did it), else the raw bytes
    (zipfile read them as CP437) decoded as UTF-8 if valid, else GB18030 (Windows' Chinese zips)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    return decode_bytes(raw)
