"""Saving workbooks into INBOX: unique names, content stored once, provenance sidecars, state.

Crash safety: a file is written (atomically) before its sidecar, and the state file after both.
On the next run the store hashes the workbooks already in INBOX, so a file whose sidecar or state
entry was never written is recognised by its content and not saved a second time.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from gaixl import atomic
from gaixl.mail.collect.filenames import safe_name, with_suffix

SIDECAR = ".gaixl.json"
STATE = ".gaixl-collect.json"
STATE_VERSION = 1


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()




@dataclass
class MessageMeta:
    """Provenance of one message (what a sidecar records about it)."""
    from_addr: str = ""
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: str | None = None          # ISO 8601 with offset
    subject: str = ""
    message_id: str = ""
    source: str = ""
    uidvalidity: int | None = None
    uid: int | None = None

    def brief(self) -> dict:
        return {"date": self.date, "from": self.from_addr, "subject": self.subject,
                "message_id": self.message_id}


def _instant(iso: str | None) -> dt.datetime | None:
    if not iso:
        return None
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


class Store:
    """INBOX as collect sees it: saved workbooks by content hash, and the state file."""

    def __init__(self, out_dir: Path):
        self.dir = Path(out_dir)
        atomic.ensure_dir(self.dir)
        atomic.remove_stale_temps(self.dir)   # debris of a run killed mid-write
        self.by_hash: dict[str, str] = {}
        self._index()
        self.state = self._load_state()

    # ------------------------------------------------------------ content index
    def _index(self) -> None:
        sidecars: dict[str, dict] = {}
        for p in sorted(self.dir.iterdir()):
            if p.name.startswith(".") or not p.is_file():
                continue
            if p.name.endswith(SIDECAR):
                meta = self._read_json(p)
                if meta and isinstance(meta.get("sha256"), str):
                    sidecars[p.name[: -len(SIDECAR)]] = meta
                continue
        for p in sorted(self.dir.iterdir()):
            if p.name.startswith(".") or p.name.endswith(SIDECAR) or not p.is_file():
                continue
            digest = sidecars.get(p.name, {}).get("sha256")
            # Trust a sidecar's hash only when the file's size still matches a cheap check:
            # rehash otherwise (and when the sidecar is missing: a run interrupted in between).
            if not digest or p.stat().st_size != sidecars[p.name].get("size", p.stat().st_size):
                digest = atomic.file_sha256(p)
            self.by_hash.setdefault(digest, p.name)

    @staticmethod
    def _read_json(p: Path) -> dict | None:
        try:
            data = json.loads(p.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    # ------------------------------------------------------------ state
    def _load_state(self) -> dict:
        p = self.dir / STATE
        data = self._read_json(p) if p.exists() else None
        if not data or data.get("version") != STATE_VERSION:
            data = {"version": STATE_VERSION, "imap": {}, "messages": {}}
        data.setdefault("imap", {})
        data.setdefault("messages", {})
        return data

    def save_state(self) -> None:
        atomic.write_text(self.dir / STATE, json.dumps(self.state, ensure_ascii=False, indent=1))

    def seen(self, key: str) -> bool:
        return key in self.state["messages"]

    def imap_uids(self, source: str, uidvalidity: int) -> set[int]:
        entry = self.state["imap"].get(source)
        if not entry or entry.get("uidvalidity") != uidvalidity:
            return set()
        return set(entry.get("uids", []))

    def mark_done(self, key: str, meta: MessageMeta, saved: list[str]) -> None:
        """Remember a processed message (by Message-ID or content hash, and IMAP UID) and persist."""
        self.state["messages"][key] = {"source": meta.source, "date": meta.date, "subject": meta.subject,
                                       "files": saved, "processed_at": now_iso()}
        if meta.uid is not None and meta.uidvalidity is not None:
            entry = self.state["imap"].get(meta.source)
            if not entry or entry.get("uidvalidity") != meta.uidvalidity:
                entry = self.state["imap"][meta.source] = {"uidvalidity": meta.uidvalidity, "uids": []}
            if meta.uid not in entry["uids"]:
                entry["uids"].append(meta.uid)
                entry["uids"].sort()
        self.save_state()

    # ------------------------------------------------------------ saving
    def _taken(self, name: str) -> bool:
        return (self.dir / name).exists() or (self.dir / (name + SIDECAR)).exists()

    def unique_name(self, name: str) -> str:
        if not self._taken(name):
            return name
        n = 2
        while self._taken(with_suffix(name, n)):
            n += 1
        return with_suffix(name, n)

    def save(self, original_name: str, data: bytes, meta: MessageMeta, fallback: str,
             suffix: str = "") -> tuple[str, bool]:
        """Save one workbook → (file name, True if new content). Same content: sidecar updated."""
        digest = sha256(data)
        existing = self.by_hash.get(digest)
        if existing:
            self._add_provenance(existing, digest, len(data), original_name, meta)
            return existing, False
        name = self.unique_name(safe_name(original_name, fallback, suffix))
        target = self.dir / name
        atomic.write_bytes(target, data)        # OutputError when it cannot be written
        self.by_hash[digest] = name
        self._add_provenance(name, digest, len(data), original_name, meta)
        return name, True

    def _add_provenance(self, name: str, digest: str, size: int, original_name: str, meta: MessageMeta) -> None:
        path = self.dir / (name + SIDECAR)
        side = self._read_json(path) if path.exists() else None
        messages = list(side.get("messages", [])) if side else []
        key = meta.message_id or None
        if not any((m.get("message_id") or None) == key and key is not None
                   or (key is None and m == meta.brief()) for m in messages):
            messages.append(meta.brief())
        # The top level describes the LATEST message that carried this content (by Date), so a
        # unit that sends A, then B, then A again has A dated last and consolidate picks A.
        newer = side is None or _newer(meta.date, side.get("date"))
        if newer:
            side = {
                "file": name, "sha256": digest, "size": size, "original_name": original_name,
                "from": meta.from_addr, "from_name": meta.from_name, "to": meta.to, "cc": meta.cc,
                "date": meta.date, "subject": meta.subject, "message_id": meta.message_id,
                "source": meta.source,
            }
            if meta.uid is not None:
                side["uidvalidity"], side["uid"] = meta.uidvalidity, meta.uid
        side["collected_at"] = now_iso()
        side["messages"] = sorted(messages, key=lambda m: (_instant(m.get("date")) or _EPOCH).timestamp())
        atomic.write_text(path, json.dumps(side, ensure_ascii=False, indent=1))


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def _newer(candidate: str | None, current: str | None) -> bool:
    a, b = _instant(candidate), _instant(current)
    if a is None:
        return False
    return b is None or a > b
