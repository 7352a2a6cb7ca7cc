"""Messages as real bytes, shaped the way each mail client sends Chinese attachment names.

Every builder returns the complete message (RFC 5322 bytes, CRLF line ends) so the tests feed
exactly what a server would store: Outlook, Foxmail, QQ Mail, NetEase/163, old clients writing
raw GBK bytes, nameless parts, forwarded messages, zips with GBK member names, winmail.dat.
"""
from __future__ import annotations

import base64
import hashlib
import io
import struct
import zipfile
from pathlib import Path
from urllib.parse import quote_from_bytes

RETURNED = Path(__file__).resolve().parents[1] / "workbook" / "returned"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbooks() -> list[Path]:
    """The real returned workbooks shipped with the repository (made by gaixl)."""
    files = sorted(RETURNED.glob("*.xlsx"))
    assert len(files) >= 6, RETURNED
    return files


def workbook(i: int) -> bytes:
    return workbooks()[i].read_bytes()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def b64_lines(data: bytes) -> bytes:
    s = base64.b64encode(data)
    return b"\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def word(charset: str, data: bytes) -> str:
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


_counter = [0]


def envelope(subject_header: str | bytes, parts: list[bytes], *, sender: str = "=?gb2312?B?zfXOxQ==?= <wang@dept.example.cn>",
             to: str = "report@163.com", date: str = "Tue, 20 Jan 2026 09:30:00 +0800",
             message_id: str | None = None, mailer: str = "") -> bytes:
    """A multipart/mixed message: a short GBK body, then the given attachment parts."""
    _counter[0] += 1
    mid = message_id if message_id is not None else f"<gaixl-test-{_counter[0]}-{sha(repr(parts).encode())[:12]}@dept.example.cn>"
    boundary = f"----=_NextPart_{_counter[0]:04d}_GAIXL"
    subj = subject_header if isinstance(subject_header, bytes) else subject_header.encode("ascii")
    head = [b"From: " + sender.encode(), b"To: " + to.encode(), b"Subject: " + subj, b"Date: " + date.encode()]
    if mid:
        head.append(b"Message-ID: " + mid.encode())
    if mailer:
        head.append(b"X-Mailer: " + mailer.encode())
    head += [b"MIME-Version: 1.0", f'Content-Type: multipart/mixed;\r\n\tboundary="{boundary}"'.encode()]
    body = [b"--" + boundary.encode(),
            b'Content-Type: text/plain;\r\n\tcharset="gb2312"', b"Content-Transfer-Encoding: base64", b"",
            b64_lines("附件为我单位的年度报告表，请查收。".encode("gb18030"))]
    for p in parts:
        body += [b"--" + boundary.encode(), p]
    body.append(b"--" + boundary.encode() + b"--")
    return b"\r\n".join(head) + b"\r\n\r\n" + b"\r\n".join(body) + b"\r\n"


def attachment(headers: str | bytes, data: bytes) -> bytes:
    h = headers if isinstance(headers, bytes) else headers.encode("ascii")
    return h + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64_lines(data)


def subject_gb(text: str) -> str:
    return word("gb2312", text.encode("gb18030"))


# ---------------------------------------------------------------- one builder per client
def outlook(name: str, data: bytes, subject: str = "报送2025年政府信息公开年报", **kw) -> bytes:
    """Outlook: RFC 2047 words in quoted name=/filename= (non-compliant), folded inside the quotes."""
    raw = name.encode("gb18030")
    cut = len(name) // 2
    first, second = name[:cut].encode("gb18030"), name[cut:].encode("gb18030")
    assert first + second == raw
    encoded = f"{word('gb2312', first)}\r\n {word('gb2312', second)}"
    h = (f'Content-Type: {XLSX};\r\n\tname="{encoded}"\r\n'
         f'Content-Disposition: attachment;\r\n\tfilename="{encoded}"')
    return envelope(subject_gb(subject), [attachment(h, data)], mailer="Microsoft Outlook 16.0", **kw)


def foxmail(name: str, data: bytes, subject: str = "年报报送", **kw) -> bytes:
    """Foxmail: RFC 2231 `filename*=GBK''%..`."""
    pct = quote_from_bytes(name.encode("gb18030"), safe="")
    h = (f"Content-Type: application/octet-stream;\r\n\tname*=GBK''{pct}\r\n"
         f"Content-Disposition: attachment;\r\n\tfilename*=GBK''{pct}")
    return envelope(subject_gb(subject), [attachment(h, data)], mailer="Foxmail 7.2.25.228", **kw)


def qqmail(name: str, data: bytes, subject: str = "年报", **kw) -> bytes:
    """QQ Mail: gb18030 base64 words split mid-character over several folded lines."""
    raw = name.encode("gb18030")
    chunks = [raw[i:i + 7] for i in range(0, len(raw), 7)]   # 7 bytes: cuts 2-byte characters in half
    assert any(len(c) % 2 for c in chunks[:-1]) or len(chunks) == 1
    encoded = "\r\n\t".join(word("gb18030", c) for c in chunks)
    h = (f'Content-Type: application/octet-stream;\r\n\tcharset="gb18030";\r\n\tname="{encoded}"\r\n'
         f'Content-Disposition: attachment; filename="{encoded}"')
    subj = "\r\n ".join(word("gb18030", c) for c in [subject.encode("gb18030")[i:i + 5]
                                                       for i in range(0, len(subject.encode("gb18030")), 5)])
    return envelope(subj, [attachment(h, data)], mailer="QQMail 2.x", **kw)


def netease(name: str, data: bytes, subject: str = "政府信息公开年报", **kw) -> bytes:
    """NetEase/163: RFC 2231 continuations in UTF-8, split inside a character."""
    raw = name.encode("utf-8")
    a, b, c = raw[:5], raw[5:16], raw[16:]
    h = (f'Content-Type: {XLSX};\r\n\tname="{word("UTF-8", raw)}"\r\n'
         f"Content-Disposition: attachment;\r\n\tfilename*0*=UTF-8''{quote_from_bytes(a, safe='')};\r\n"
         f"\tfilename*1*={quote_from_bytes(b, safe='')};\r\n\tfilename*2*={quote_from_bytes(c, safe='')}")
    return envelope(word("UTF-8", subject.encode()), [attachment(h, data)], mailer="NetEase Mail", **kw)


def partly_encoded(name_head: str, name_tail: str, data: bytes, **kw) -> bytes:
    """RFC 2231 continuation mixing an encoded GBK section and a plain ASCII one."""
    pct = quote_from_bytes(name_head.encode("gb18030"), safe="")
    h = (f"Content-Type: application/octet-stream\r\n"
         f"Content-Disposition: attachment; filename*0*=gb2312''{pct};\r\n\tfilename*1=\"{name_tail}\"")
    return envelope(subject_gb("年报"), [attachment(h, data)], **kw)


def raw_gbk(name: str, data: bytes, **kw) -> bytes:
    """An old client: raw 8-bit GBK bytes in the header (and in the subject)."""
    h = (b"Content-Type: application/vnd.ms-excel; name=\"" + name.encode("gb18030") + b"\"\r\n"
         b"Content-Disposition: attachment; filename=\"" + name.encode("gb18030") + b"\"")
    return envelope("年度报告".encode("gb18030"), [attachment(h, data)], **kw)


def nameless(subject: str, data: bytes, **kw) -> bytes:
    """A workbook part with no name at all: saved under the message's subject."""
    h = f"Content-Type: {XLSX}\r\nContent-Disposition: attachment"
    return envelope(subject_gb(subject), [attachment(h, data)], **kw)


def forwarded(inner: bytes, subject: str = "转发：年报", **kw) -> bytes:
    """A message forwarded as an attachment (message/rfc822)."""
    part = b"Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n" + inner
    return envelope(subject_gb(subject), [part], **kw)


def with_parts(subject: str, parts: list[bytes], **kw) -> bytes:
    return envelope(subject_gb(subject), parts, **kw)


def simple_part(name: str, data: bytes, ctype: str = "application/octet-stream") -> bytes:
    """A part named by an RFC 2231 UTF-8 filename (a well-behaved client)."""
    pct = quote_from_bytes(name.encode("utf-8"), safe="")
    return attachment(f"Content-Type: {ctype}\r\nContent-Disposition: attachment; filename*=UTF-8''{pct}", data)


def raw_name_part(name_bytes: bytes, data: bytes) -> bytes:
    """A part whose quoted filename is given as raw bytes (hostile names)."""
    return attachment(b'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="'
                      + name_bytes + b'"', data)


# ---------------------------------------------------------------- zip with GBK names
class _GbkInfo(zipfile.ZipInfo):
    """Stores the member name as GBK bytes with flag bit 11 unset, as Windows' zip tools do."""

    def _encodeFilenameFlags(self):  # noqa: N802 — zipfile's own hook
        return self.filename.encode("gb18030"), self.flag_bits & ~0x800


def zip_gbk(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            info = _GbkInfo(name, date_time=(2026, 1, 20, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def zip_bomb(size: int = 300 * 1024 * 1024) -> bytes:
    """One member of `size` zero bytes declared in the header (compresses ~1000:1)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("报表.xlsx")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as f:
            block = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                f.write(block)
    return buf.getvalue()


# ---------------------------------------------------------------- winmail.dat (TNEF)
def _tnef_attr(level: int, name: int, typ: int, data: bytes) -> bytes:
    return (struct.pack("<BHHI", level, name, typ, len(data)) + data
            + struct.pack("<H", sum(data) & 0xFFFF))


def tnef(attachments: list[tuple[bytes | str, bytes]], codepage: int = 936) -> bytes:
    """A winmail.dat holding `attachments`: (title bytes in the OEM code page, data) or
    (long Unicode name as str → stored as a MAPI PR_ATTACH_LONG_FILENAME, data)."""
    out = struct.pack("<IH", 0x223E9F78, 0x1234)
    out += _tnef_attr(1, 0x9006, 0x0008, struct.pack("<I", 0x10000))       # attTnefVersion
    out += _tnef_attr(1, 0x9007, 0x0006, struct.pack("<II", codepage, 0))  # attOemCodepage
    for name, data in attachments:
        out += _tnef_attr(2, 0x9002, 0x0006, b"\x01\x00" + b"\xff" * 4 + b"\0" * 8)   # attAttachRendData
        if isinstance(name, bytes):
            out += _tnef_attr(2, 0x8010, 0x0001, name + b"\0")                      # attAttachTitle
        else:
            out += _tnef_attr(2, 0x8010, 0x0001, b"ATTACH~1.XLS\0")
        out += _tnef_attr(2, 0x800F, 0x0006, data)                                   # attAttachData
        if isinstance(name, str):
            value = name.encode("utf-16-le") + b"\0\0"
            prop = struct.pack("<HH", 0x001F, 0x3707) + struct.pack("<II", 1, len(value)) + value
            prop += b"\0" * (-len(value) % 4)
            out += _tnef_attr(2, 0x9005, 0x0006, struct.pack("<I", 1) + prop)       # attAttachment (MAPI)
    return out


def tnef_part(data: bytes) -> bytes:
    return attachment('Content-Type: application/ms-tnef; name="winmail.dat"\r\n'
                      'Content-Disposition: attachment; filename="winmail.dat"', data)


# ---------------------------------------------------------------- Outlook .msg (OLE compound file)
# No library in the dependencies writes .msg files, so this writes a genuine one: a Compound File
# Binary (MS-CFB, version 3, 512-byte sectors, a mini stream for small streams) holding the MAPI
# property streams of MS-OXMSG. extract-msg (the reader gaixl uses) opens it like Outlook's own.
_FREE, _END, _FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def cfb(tree: dict) -> bytes:
    """A compound file from a tree: {name: bytes (a stream) | dict (a storage)}."""
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "children": [], "data": b""}]

    def add(node: dict, parent: int) -> None:
        for name, value in node.items():
            i = len(entries)
            if isinstance(value, dict):
                entries.append({"name": name, "type": 1, "children": [], "data": b""})
                entries[parent]["children"].append(i)
                add(value, i)
            else:
                entries.append({"name": name, "type": 2, "children": [], "data": bytes(value)})
                entries[parent]["children"].append(i)
    add(tree, 0)
    # Small streams live in the mini stream (64-byte mini sectors), big ones in regular sectors.
    mini, minifat = bytearray(), []
    for e in entries[1:]:
        if e["type"] == 2 and len(e["data"]) < 4096:
            n = -(-len(e["data"]) // 64)
            e["start"] = len(mini) // 64 if n else _END
            for k in range(n):
                minifat.append(e["start"] + k + 1 if k < n - 1 else _END)
            mini += e["data"] + b"\0" * (n * 64 - len(e["data"]))
    big = [e for e in entries[1:] if e["type"] == 2 and len(e["data"]) >= 4096]
    secs = lambda size: -(-size // 512)  # noqa: E731
    n_dir = secs(len(entries) * 128)
    n_minifat = secs(len(minifat) * 4)
    n_mini = secs(len(mini))
    n_big = sum(secs(len(e["data"])) for e in big)
    n_fat = 1
    while n_fat * 128 < n_fat + n_dir + n_minifat + n_mini + n_big:
        n_fat += 1
    assert n_fat <= 109
    fat: list[int] = [_FATSECT] * n_fat
    sectors: list[bytes] = []

    def chain(data: bytes) -> int:
        n = secs(len(data))
        if not n:
            return _END
        start = n_fat + len(sectors)
        for k in range(n):
            fat.append(start + k + 1 if k < n - 1 else _END)
            sectors.append(data[k * 512:(k + 1) * 512].ljust(512, b"\0"))
        return start
    dir_start_placeholder = len(sectors)
    sectors += [b""] * n_dir                      # filled once every start sector is known
    for k in range(n_dir):
        fat.append(n_fat + k + 1 if k < n_dir - 1 else _END)
    minifat_start = chain(b"".join(struct.pack("<I", x) for x in minifat)) if minifat else _END
    entries[0]["start"] = chain(bytes(mini)) if mini else _END
    entries[0]["size"] = len(mini)
    for e in big:
        e["start"] = chain(e["data"])
    for e in entries[1:]:
        e.setdefault("start", _END if e["type"] == 2 else 0)

    def key(i: int):
        return (len(entries[i]["name"]), entries[i]["name"].upper())
    for e in entries:          # siblings as a sorted chain of right links (a valid search tree)
        kids = sorted(e["children"], key=key)
        e["child"] = kids[0] if kids else _FREE
        for a, b in zip(kids, kids[1:] + [None]):
            entries[a]["right"] = b if b is not None else _FREE
    directory = bytearray()
    for e in entries:
        name = e["name"].encode("utf-16-le") + b"\0\0"
        size = e.get("size", len(e["data"])) if e["type"] != 1 else 0
        start = e["start"] if e["type"] != 1 else 0
        directory += (name.ljust(64, b"\0") + struct.pack("<HBBIII", len(name), e["type"], 1, _FREE,
                                                           e.get("right", _FREE), e["child"])
                      + b"\0" * 16 + struct.pack("<I", 0) + b"\0" * 16 + struct.pack("<IQ", start, size))
    directory += b"\0" * (n_dir * 512 - len(directory))
    for k in range(n_dir):
        sectors[dir_start_placeholder + k] = bytes(directory[k * 512:(k + 1) * 512])
    fat += [_FREE] * (n_fat * 128 - len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, n_fat, n_fat, 0, 4096, minifat_start, n_minifat, _END, 0)
              + b"".join(struct.pack("<I", k) for k in range(n_fat)) + struct.pack("<I", _FREE) * (109 - n_fat))
    assert len(header) == 512
    fat_bytes = b"".join(struct.pack("<I", x) for x in fat)
    return header + fat_bytes + b"".join(sectors)


def _props(props: list[tuple[int, int, object]], header: bytes) -> tuple[bytes, dict]:
    """MS-OXMSG property stream + the value streams: props are (id, type, value)."""
    stream, streams = bytearray(header), {}
    for pid, ptype, value in props:
        tag = (pid << 16) | ptype
        if ptype == 0x001F:     # the stream holds no terminator; the size counts it (MS-OXMSG 2.4.2.2)
            data = str(value).encode("utf-16-le")
            streams[f"__substg1.0_{pid:04X}{ptype:04X}"] = data
            stream += struct.pack("<IIII", tag, 6, len(data) + 2, 0)
        elif ptype == 0x0102:
            streams[f"__substg1.0_{pid:04X}{ptype:04X}"] = bytes(value)
            stream += struct.pack("<IIII", tag, 6, len(value), 0)
        elif ptype == 0x0003:
            stream += struct.pack("<IIiI", tag, 6, int(value), 0)
        elif ptype == 0x0040:
            stream += struct.pack("<IIQ", tag, 6, int(value))
        else:
            raise ValueError(ptype)
    return bytes(stream), streams


def outlook_msg(subject: str, attachments: list[tuple[str, bytes]], *, sender: str = "wang@dept.example.cn",
                sender_name: str = "王闻", to: str = "report@163.com",
                date: str = "Wed, 21 Jan 2026 10:00:00 +0800", message_id: str = "<msg-file-1@dept.example.cn>",
                transport_headers: bool = True) -> bytes:
    """An Outlook .msg file: message properties, transport headers (a received message; a saved
    draft or sent item has none), one recipient, attachments."""
    from email.utils import parsedate_to_datetime
    when = parsedate_to_datetime(date)
    filetime = int((when.timestamp() + 11644473600) * 10_000_000)
    headers = (f"From: {sender_name} <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n"
               f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\n\r\n")
    top, streams = _props([(0x001A, 0x001F, "IPM.Note"), (0x0037, 0x001F, subject),
                           (0x0C1A, 0x001F, sender_name), (0x0C1F, 0x001F, sender),
                           (0x0C1E, 0x001F, "SMTP"), (0x0E04, 0x001F, to), (0x1000, 0x001F, "附件为年报，请查收。"),
                           (0x1035, 0x001F, message_id), (0x0039, 0x0040, filetime), (0x0E06, 0x0040, filetime)]
                          + ([(0x007D, 0x001F, headers)] if transport_headers else []),
                          b"\0" * 8 + struct.pack("<IIII", 1, len(attachments), 1, len(attachments)) + b"\0" * 8)
    tree: dict = {"__properties_version1.0": top, **streams,
                  "__nameid_version1.0": {"__substg1.0_00020102": b"", "__substg1.0_00030102": b"",
                                          "__substg1.0_00040102": b""}}
    rprops, rstreams = _props([(0x0C15, 0x0003, 1), (0x3001, 0x001F, to), (0x3003, 0x001F, to),
                               (0x3002, 0x001F, "SMTP"), (0x39FE, 0x001F, to)], b"\0" * 8)
    tree["__recip_version1.0_#00000000"] = {"__properties_version1.0": rprops, **rstreams}
    for i, (name, data) in enumerate(attachments):
        ext = name[name.rfind("."):] if "." in name else ""
        aprops, astreams = _props([(0x3705, 0x0003, 1), (0x3707, 0x001F, name), (0x3704, 0x001F, "ATTACH~1" + ext[:4]),
                                   (0x3001, 0x001F, name), (0x3703, 0x001F, ext), (0x370E, 0x001F, XLSX),
                                   (0x3701, 0x0102, data), (0x0E20, 0x0003, len(data))], b"\0" * 8)
        tree[f"__attach_version1.0_#{i:08X}"] = {"__properties_version1.0": aprops, **astreams}
    return cfb(tree)
