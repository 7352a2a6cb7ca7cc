"""Walking a message for workbooks: MIME parts, forwarded messages, winmail.dat, zip files.

`find_workbooks(msg, limits)` yields `Found` (a workbook to save) and `Skipped` (anything else that
looked like an attachment, with the reason). It never raises on a hostile or broken message: every
problem becomes a `Skipped`.
"""
from __future__ import annotations

import email
import email.policy
import io
import zipfile
from dataclasses import dataclass, field
from typing import Iterator

from gaixl.mail.collect.filenames import decode_bytes, header, part_filename, zip_member_name
from gaixl.mail.collect.text import reason

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": ".xlsm",
    "application/vnd.ms-excel": ".xls",
    "application/x-excel": ".xls",
    "application/excel": ".xls",
    "application/x-msexcel": ".xls",
}
ZIP_TYPES = {"application/zip", "application/x-zip-compressed", "application/x-zip"}
TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Limits:
    max_size: int = 50 * 1024 * 1024     # one attachment (decoded) or one zip member
    zip_max_members: int = 500
    zip_max_total: int = 200 * 1024 * 1024   # declared uncompressed total of one zip
    zip_max_ratio: int = 100                 # uncompressed / compressed, per member
    zip_max_depth: int = 2                   # a zip inside a zip, no deeper
    message_max_depth: int = 5               # forwarded inside forwarded …


@dataclass
class Found:
    name: str              # decoded original name (not yet sanitised)
    data: bytes
    via: list[str] = field(default_factory=list)   # e.g. ["转发邮件", "年报.zip"]
    suffix: str = ""       # .xlsx/.xlsm/.xls: what it was taken for (kept in the saved name)


@dataclass
class Skipped:
    name: str
    code: str              # machine reason: not-workbook, too-large, zip-bomb, …
    detail: str = ""
    via: list[str] = field(default_factory=list)

    def text(self, lang: str = "zh") -> str:
        return reason(self.code, lang, self.detail)


def parse_message(raw: bytes) -> email.message.Message:
    """compat32 keeps headers raw, so names are decoded here, by our tolerant rules."""
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def _payload_size_estimate(part) -> int:
    payload = part.get_payload()
    if not isinstance(payload, str):
        return 0
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    return len(payload) * 3 // 4 if cte == "base64" else len(payload)


def _decoded(part) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def sniff_suffix(data: bytes) -> str | None:
    """.xlsx/.xlsm by the zip's content, .xls by the OLE signature, .zip for other zips."""
    if data.startswith(OLE_MAGIC):
        return ".xls"
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            return None
        if "xl/workbook.xml" in names:
            return ".xlsm" if "xl/vbaProject.bin" in names else ".xlsx"
        return ".zip"
    return None


def _suffix(name: str) -> str:
    # Trailing dots and spaces are dropped as Windows drops them: "年报.xlsx." is a workbook
    # (taken for no suffix, it was skipped as "not a workbook" and lost).
    name = name.rstrip("\0 \t.")
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def find_workbooks(msg, limits: Limits, subject: str = "") -> Iterator[Found | Skipped]:
    yield from _walk(msg, limits, subject or header(msg, "subject"), [], 0)


def _walk(msg, limits: Limits, subject: str, via: list[str], depth: int) -> Iterator[Found | Skipped]:
    try:
        parts = [msg] if not msg.is_multipart() else msg.get_payload()
    except Exception:  # noqa: BLE001 — a malformed message is reported, never a traceback
        yield Skipped("", "malformed", via=via)
        return
    if not isinstance(parts, list):
        parts = [parts]
    for part in parts:
        if not isinstance(part, email.message.Message):
            continue
        try:
            yield from _part(part, limits, subject, via, depth)
        except Exception as e:  # noqa: BLE001 — one broken part must not stop the others
            yield Skipped(_safe_filename(part), "malformed", f"{type(e).__name__}", via=via)


def _safe_filename(part) -> str:
    try:
        return part_filename(part)
    except Exception:  # noqa: BLE001
        return ""


def _part(part, limits: Limits, subject: str, via: list[str], depth: int) -> Iterator[Found | Skipped]:
    ctype = part.get_content_type().lower()
    if part.is_multipart() and ctype != "message/rfc822":
        yield from _walk(part, limits, subject, via, depth)
        return
    name = part_filename(part)
    if ctype == "message/rfc822" or name.lower().endswith(".eml"):
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        if not isinstance(inner, email.message.Message):
            data = _decoded(part) if isinstance(part.get_payload(), str) else b""
            if not data:
                yield Skipped(name, "malformed", via=via)
                return
            inner = parse_message(data)
        if depth + 1 > limits.message_max_depth:
            yield Skipped(name, "too-deep", via=via)
            return
        inner_subject = header(inner, "subject") or subject
        yield from _walk(inner, limits, inner_subject, via + [reason("via-forward", "zh")], depth + 1)
        return
    disposition = str(part.get("content-disposition", "")).split(";", 1)[0].strip().lower()
    is_tnef = ctype in TNEF_TYPES or name.lower() == "winmail.dat"
    is_candidate = bool(name) or disposition == "attachment" or ctype in WORKBOOK_TYPES \
        or ctype in ZIP_TYPES or is_tnef or ctype == "application/octet-stream"
    if not is_candidate:
        return      # a message body (text/plain, text/html) or an unnamed inline image
    if _payload_size_estimate(part) > limits.max_size * 1.1:
        yield Skipped(name, "too-large", _mb(_payload_size_estimate(part), limits), via=via)
        return
    data = _decoded(part)
    if is_tnef:
        yield from _tnef(name or "winmail.dat", data, limits, subject, via)
        return
    yield from classify(name, data, limits, subject, via, ctype=ctype)


def _mb(size: int, limits: Limits) -> str:
    return f"{size / 1048576:.1f} MB > {limits.max_size / 1048576:.0f} MB"


def classify(name: str, data: bytes, limits: Limits, subject: str, via: list[str], *,
             ctype: str = "", zip_depth: int = 0) -> Iterator[Found | Skipped]:
    """One attachment's bytes: a workbook (Found), a zip (looked into), or skipped with why."""
    if len(data) > limits.max_size:
        yield Skipped(name, "too-large", _mb(len(data), limits), via=via)
        return
    if not data:
        yield Skipped(name, "empty", via=via)
        return
    suffix = _suffix(name)
    if not suffix or suffix not in WORKBOOK_SUFFIXES + (".zip",):
        sniffed = sniff_suffix(data) if (not suffix or suffix in (".bin", ".dat")) else None
        if sniffed is None and not suffix:
            sniffed = WORKBOOK_TYPES.get(ctype) or (".zip" if ctype in ZIP_TYPES else None)
        if sniffed is None:
            yield Skipped(name, "not-workbook", suffix, via=via)
            return
        # A nameless workbook is named after the message's subject (what senders write there).
        base = name if name else (subject or "")
        name = (base[: -len(suffix)] if suffix and base.endswith(suffix) else base) + sniffed
        suffix = sniffed
    if suffix == ".zip":
        yield from _zip(name, data, limits, subject, via, zip_depth)
        return
    yield Found(name, data, via=list(via), suffix=suffix)


def _zip(name: str, data: bytes, limits: Limits, subject: str, via: list[str],
         depth: int) -> Iterator[Found | Skipped]:
    if depth >= limits.zip_max_depth:
        yield Skipped(name, "zip-too-deep", via=via)
        return
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        yield Skipped(name, "zip-unreadable", via=via)
        return
    files = [i for i in infos if not i.is_dir()]
    # Checked before anything is extracted: member count, declared sizes, compression ratio.
    if len(files) > limits.zip_max_members:
        yield Skipped(name, "zip-bomb", f"{len(files)} > {limits.zip_max_members}", via=via)
        return
    total = sum(i.file_size for i in files)
    if total > limits.zip_max_total:
        yield Skipped(name, "zip-bomb", f"{total / 1048576:.0f} MB", via=via)
        return
    inner_via = via + [name]
    with z:
        for info in files:
            member = zip_member_name(info).replace("\\", "/").rsplit("/", 1)[-1]
            if member.startswith("._") or "__MACOSX/" in info.filename:
                continue      # macOS resource forks, not the sender's files
            if info.compress_size and info.file_size / info.compress_size > limits.zip_max_ratio \
                    and info.file_size > 1048576:
                yield Skipped(member, "zip-bomb", f"{info.file_size // max(info.compress_size, 1)}:1",
                              via=inner_via)
                continue
            if info.file_size > limits.max_size:
                yield Skipped(member, "too-large", _mb(info.file_size, limits), via=inner_via)
                continue
            if info.flag_bits & 0x1:
                yield Skipped(member, "zip-encrypted", via=inner_via)
                continue
            suffix = _suffix(member)
            if suffix not in WORKBOOK_SUFFIXES + (".zip",):
                yield Skipped(member, "not-workbook", suffix, via=inner_via)
                continue
            try:
                content = _read_member(z, info, limits.max_size)
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError,
                    RuntimeError) as e:
                yield Skipped(member, "zip-unreadable", type(e).__name__, via=inner_via)
                continue
            yield from classify(member, content, limits, subject, inner_via, zip_depth=depth + 1)


def _read_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """Read in blocks and stop past the cap: a member that lies about its size cannot grow."""
    out = bytearray()
    with z.open(info) as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                break
            out += block
            if len(out) > cap:
                raise ValueError("member larger than declared")
    return bytes(out)


def _tnef(name: str, data: bytes, limits: Limits, subject: str, via: list[str]) -> Iterator[Found | Skipped]:
    """winmail.dat (Outlook's TNEF): the attachments inside it."""
    try:
        from tnefparse import TNEF
        tnef = TNEF(data, do_checksum=False)
        attachments = list(tnef.attachments)
    except Exception:  # noqa: BLE001 — tnefparse raises assorted errors on bad input
        yield Skipped(name, "tnef-unreadable", via=via)
        return
    inner_via = via + [name]
    if not attachments:
        yield Skipped(name, "tnef-empty", via=via)
    for att in attachments:
        yield from classify(_tnef_name(att, tnef), bytes(att.data or b""), limits, subject, inner_via)


def _tnef_name(att, tnef) -> str:
    """The attachment's long file name (MAPI), else its title in the TNEF's OEM code page —
    tnefparse would decode GBK titles as UTF-8 and fail, so the raw bytes are decoded here."""
    from tnefparse import properties as Attribute
    for a in getattr(att, "mapi_attrs", []):
        if a.name == Attribute.MAPI_ATTACH_LONG_FILENAME:
            value = a.data[0] if isinstance(a.data, list) and a.data else a.data
            if isinstance(value, bytes):
                value = decode_bytes(value.rstrip(b"\0"), getattr(tnef, "codepage", None))
            if isinstance(value, str) and value.strip("\0").strip():
                return value.strip("\0")
    raw = getattr(att, "_name", b"")
    if isinstance(raw, bytes):
        return decode_bytes(raw.rstrip(b"\0"), getattr(tnef, "codepage", None))
    return str(raw or "").strip("\0")
