"""Collecting returned workbooks from email: IMAP, mbox, Maildir, .eml and .msg files.

    collect(source, out_dir, *, password=None, folder=None, since=None, subject=None,
            mark_seen=False, insecure=False, cafile=None, max_size=50 MB, progress=None)
        -> CollectResult

`source` is a `Source` (kind "imap" | "mbox" | "maildir" | "eml", and a URL or path). Workbook
attachments (.xlsx/.xlsm/.xls, also inside .zip, forwarded messages and winmail.dat) are saved
into OUT with a provenance sidecar `<file>.gaixl.json`; identical content is stored once. The
state file OUT/.gaixl-collect.json is written after every message, so a run can be repeated or
resumed: what was processed (IMAP UIDVALIDITY/UID, Message-ID, else a hash of the message) is
not processed again. The mailbox is never changed (IMAP: read-only unless mark_seen).
"""
from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from gaixl.bounds import MEMORY, OverLimit, bounded
from gaixl.errors import UsageError
from gaixl.mail.collect.filenames import header, header_text, headers, raw_header_values
from gaixl.mail.collect.parts import Limits, Skipped, find_workbooks, parse_message
from gaixl.mail.collect.sources import FileSource, ImapSource, Incoming, parse_imap_url
from gaixl.mail.collect.store import MessageMeta, Store, sha256
from gaixl.mail.smtp import valid_address

DEFAULT_MAX_SIZE = 50 * 1024 * 1024
KINDS = ("imap", "mbox", "maildir", "eml")
RETRYABLE = {"too-large"}

__all__ = ["Source", "CollectResult", "Record", "collect", "parse_size", "DEFAULT_MAX_SIZE"]


@dataclass
class Source:
    kind: str          # imap | mbox | maildir | eml
    location: str      # imaps://user@host[:port][/folder], or a path


@dataclass
class Record:
    """One attachment (or message problem) and what became of it."""
    action: str                  # saved | duplicate | skipped
    name: str                    # the original (decoded) name
    file: str = ""               # the saved file (saved / duplicate)
    sha256: str = ""
    reason: str = ""             # skipped: machine code (not-workbook, too-large, zip-bomb, …)
    reason_zh: str = ""
    reason_en: str = ""
    via: list[str] = field(default_factory=list)
    message: dict = field(default_factory=dict)   # {date, from, subject, message_id}


@dataclass
class CollectResult:
    source: str
    out_dir: str
    messages_seen: int = 0        # messages found in the source (after --since)
    messages_new: int = 0         # processed in this run
    messages_old: int = 0         # processed by an earlier run (not again)
    messages_filtered: int = 0    # not matching --subject/--since
    saved: int = 0
    duplicates: int = 0
    skipped: int = 0
    records: list[Record] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        t = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if t is None:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.isoformat()


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def sender_of(msg) -> tuple[str, str, str]:
    """(display name, address, problem) of the From header, parsed strictly. The address is
    taken from the header as it arrived — RFC 2047 words are decoded only for the display
    name — so a name that decodes to CR LF + "Bcc: evil@…" cannot become the sender. A header
    that decodes to control characters, several From headers or addresses, or an address that
    is not plainly user@domain, gives address "" and the problem (recorded as unreadable)."""
    values = raw_header_values(msg, "from")
    if not values:
        return "", "", "no From header"
    if len(values) > 1:
        return "", "", "several From headers"
    raw = values[0]
    if _CONTROL.search(raw):
        return "", "", "the From header holds control characters"
    pairs = email.utils.getaddresses([raw])
    if len(pairs) != 1 or not pairs[0][1]:
        return "", "", "the From header does not hold exactly one address"
    name, addr = pairs[0]
    name = header_text(name)
    if _CONTROL.search(name) or _CONTROL.search(header_text(raw)):
        return "", "", "the From header decodes to control characters"
    if not valid_address(addr):
        return name, "", "the From address is not a valid address"
    return name, addr, ""


def message_meta(msg, source: str, item: Incoming) -> MessageMeta:
    from_name, from_addr, from_problem = sender_of(msg)

    def addresses(name: str) -> list[str]:
        values = headers(msg, name)
        return [a for _, a in email.utils.getaddresses(values) if a]
    mid = header(msg, "message-id").strip()
    return MessageMeta(from_addr=from_addr, from_name=from_name, from_problem=from_problem,
                       to=addresses("to"), cc=addresses("cc"),
                       date=_iso_date(header(msg, "date")) or item.internal_date,
                       subject=header(msg, "subject").strip(), message_id=mid, source=source,
                       uidvalidity=item.uidvalidity, uid=item.uid)


def message_key(msg, raw: bytes | None) -> str:
    """A message's identity: (Message-ID, sha256 of its bytes). A Message-ID alone is not an
    identity — any sender may reuse one, and a second, different message under a seen ID would
    be skipped as "old" and its workbook lost. The same message reached again (another UID,
    another folder, a re-run) has the same bytes, and so the same key."""
    mid = header(msg, "message-id").strip() if msg is not None else ""
    digest = sha256(raw or b"")
    return f"mid:{mid}|sha256:{digest}" if mid else f"sha256:{digest}"


def _open(source: Source, *, password: str | None, folder: str | None, since: dt.date | None,
          mark_seen: bool, insecure: bool, cafile: Path | None, max_size: int):
    if source.kind not in KINDS:
        raise UsageError(f"unknown source kind {source.kind}", zh=f"未知的邮件来源类型：{source.kind}")
    if source.kind == "imap":
        target = parse_imap_url(source.location, folder, insecure)
        if not password:
            raise UsageError("no IMAP password given (GAIXL_IMAP_PASSWORD)", where=target.id,
                             zh="未提供 IMAP 密码（环境变量 GAIXL_IMAP_PASSWORD）")
        return ImapSource(target, password, cafile=cafile, since=since, mark_seen=mark_seen,
                          max_message=max_size * 4)
    return FileSource(source.kind, Path(source.location))


def collect(source: Source, out_dir: str | Path, *, password: str | None = None, folder: str | None = None,
            since: dt.date | None = None, subject: str | None = None, mark_seen: bool = False,
            insecure: bool = False, cafile: str | Path | None = None, max_size: int = DEFAULT_MAX_SIZE,
            progress: Callable[[int, int], None] | None = None) -> CollectResult:
    """Collect the workbooks of `source` into `out_dir` (see the module docstring)."""
    if max_size <= 0:
        raise UsageError("--max-size must be positive", zh="--max-size 必须大于 0")
    # The source is opened first: a wrong path, URL or password leaves no output folder behind.
    src = _open(source, password=password, folder=folder, since=since, mark_seen=mark_seen,
                insecure=insecure, cafile=Path(cafile) if cafile else None, max_size=max_size)
    limits = Limits(max_size=max_size)
    result = CollectResult(source=src.id, out_dir=str(out_dir))
    try:
        store = Store(Path(out_dir))
        keys = src.items()
        done_uids = store.imap_uids(src.id, src.uidvalidity) if isinstance(src, ImapSource) else set()
        result.messages_seen = len(keys)
        if progress:
            progress(0, len(keys))
        for n, key in enumerate(keys, 1):
            if isinstance(src, ImapSource) and key in done_uids:
                result.messages_old += 1
            else:
                _one(src, key, store, limits, result, since=since if not isinstance(src, ImapSource) else None,
                     subject=subject)
            if progress:
                progress(n, len(keys))
    finally:
        src.close()
    return result


def _memory(limits: Limits) -> int:
    """The memory one message may take: a message may carry an attachment of --max-size (50 MB
    by default), and the email parser holds it several times over while decoding it."""
    return MEMORY + 6 * limits.max_size


def _one(src, key, store: Store, limits: Limits, result: CollectResult, *, since: dt.date | None,
         subject: str | None) -> None:
    item = src.read(key)
    if item.error:
        if item.error.startswith("too-large"):
            # Not recorded: a later run with a larger --max-size can still take it.
            _skip(result, Skipped(item.label, "message-too-large", item.error.split(":", 1)[1] + " bytes"), {})
            return
        _skip(result, Skipped(item.label, "message-unreadable", item.error), {})
        _remember(src, store, f"error:{item.label}", item, None, [])
        return
    try:
        with bounded(item.label, memory=_memory(limits)):    # every message answered in bounds
            msg = item.parsed if item.parsed is not None else parse_message(item.raw or b"")
    except OverLimit as e:
        _skip(result, Skipped(item.label, "message-over-limit", e.limit), {})
        return
    except Exception as e:  # noqa: BLE001 — the email parser is lenient; this is the last guard
        _skip(result, Skipped(item.label, "message-unreadable", type(e).__name__), {})
        return
    meta = message_meta(msg, src.id, item)
    if not _matches(meta, since, subject):
        result.messages_filtered += 1
        return
    key_id = message_key(msg, item.raw)
    if store.seen(key_id) and item.uid is None:
        result.messages_old += 1
        return
    if store.seen(key_id):     # the same message reached again by another UID (copied/moved)
        result.messages_old += 1
        _remember(src, store, key_id, item, meta, None)
        return
    result.messages_new += 1
    saved: list[str] = []
    brief = meta.brief()
    retry = False
    try:
        # Taking the attachments apart (zip, nested messages, encoded parts) is bounded like any
        # input; what it finds is saved after, outside the bound (a save is never cut short).
        with bounded(item.label, memory=_memory(limits)):
            attachments = list(find_workbooks(msg, limits, meta.subject))
    except OverLimit as e:
        # Not recorded as done (like a message over --max-size): each run says it again.
        _skip(result, Skipped(item.label, "message-over-limit", e.limit), brief)
        return
    for found in attachments:
        if isinstance(found, Skipped):
            _skip(result, found, brief)
            retry = retry or found.code in RETRYABLE
            continue
        fallback = meta.subject or "附件"
        name, new = store.save(found.name, found.data, meta, fallback, found.suffix)
        saved.append(name)
        result.records.append(Record("saved" if new else "duplicate", found.name, file=name,
                                     sha256=sha256(found.data), via=found.via, message=brief))
        if new:
            result.saved += 1
        else:
            result.duplicates += 1
    if retry:
        # An attachment over --max-size: the message is not recorded as done, so a run with a
        # larger limit takes it (what was saved from it is recognised by content, not doubled).
        return
    _remember(src, store, key_id, item, meta, saved)


def _remember(src, store: Store, key_id: str, item: Incoming, meta: MessageMeta | None,
              saved: list[str] | None) -> None:
    if meta is None:
        meta = MessageMeta(source=src.id, uidvalidity=item.uidvalidity, uid=item.uid)
    if saved is None:     # already known by Message-ID: only the UID is added
        entry = dict(store.state["messages"].get(key_id, {}))
        store.mark_done(key_id, meta, entry.get("files", []))
    else:
        store.mark_done(key_id, meta, saved)
    if item.uid is not None:
        src.done(item.uid)


def _skip(result: CollectResult, s: Skipped, brief: dict) -> None:
    result.skipped += 1
    result.records.append(Record("skipped", s.name, reason=s.code, reason_zh=s.text("zh"), reason_en=s.text("en"),
                                 via=s.via, message=brief))


def _matches(meta: MessageMeta, since: dt.date | None, subject: str | None) -> bool:
    if subject and subject.casefold() not in meta.subject.casefold():
        return False
    if since and meta.date:
        try:
            if dt.datetime.fromisoformat(meta.date).date() < since:
                return False
        except ValueError:
            pass
    return True


def parse_size(text: str) -> int:
    """'50' (MB), '50MB', '500KB', '1G', '1048576B' → bytes."""
    s = str(text).strip().upper().replace(" ", "")
    units = {"": 1 << 20, "B": 1, "K": 1 << 10, "KB": 1 << 10, "M": 1 << 20, "MB": 1 << 20, "G": 1 << 30, "GB": 1 << 30}
    num = s.rstrip("KMGB")
    unit = s[len(num):]
    try:
        value = float(num)
    except ValueError:
        raise UsageError(f"not a size: {text}", zh=f"不是有效的大小：{text}") from None
    if unit not in units or value <= 0:
        raise UsageError(f"not a size: {text}", zh=f"不是有效的大小：{text}")
    return int(value * units[unit])

