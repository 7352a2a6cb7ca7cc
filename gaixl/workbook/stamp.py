"""Per-unit templates stamped from one master rendering.

A full xlsxwriter render costs ~25 ms; a county generates hundreds of templates. So each run
renders one master workbook whose unit-specific strings are placeholders, and each unit's
file is that master with the placeholders replaced: only the parts holding them are
re-compressed. Tests prove the stamped file is the full render, part by part.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from xml.sax.saxutils import escape

SLOTS = ("unit_code", "unit_name", "template_id", "fingerprint")
TOKEN = {k: f"GAIXLSLOT{i}X" for i, k in enumerate(SLOTS)}
TOKEN_RE = re.compile("|".join(TOKEN.values()).encode())
_DOS_DATE = (1 << 5) | 1                              # 1980-01-01, as xlsxwriter dates its parts


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


class Master:
    """A rendered workbook whose unit-specific strings are placeholders."""

    def __init__(self, xlsx: bytes):
        self.parts: list[tuple[bytes, bytes | None, int, int, bytes]] = []   # (name, raw text or None, crc, size, deflated)
        with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
            # The other shared strings: a unit string equal to one of them would be shared.
            self.strings = set(re.findall(rb"<t(?: [^>]*)?>([^<]*)</t>", z.read("xl/sharedStrings.xml")))
            for info in z.infolist():
                data = z.read(info)
                if TOKEN_RE.search(data):
                    self.parts.append((info.filename.encode(), data, 0, 0, b""))
                else:
                    self.parts.append((info.filename.encode(), None, zlib.crc32(data), len(data), _deflate(data)))

    def stamp(self, meta: dict) -> bytes | None:
        """The unit's workbook, or None when a unit string would be shared with another."""
        subs = {TOKEN[k].encode(): escape(meta[k]).encode() for k in SLOTS}
        if len(set(subs.values())) < len(subs) or not self.strings.isdisjoint(subs.values()):
            return None
        out, central = bytearray(), bytearray()
        for name, raw, crc, size, packed in self.parts:
            if raw is not None:
                data = TOKEN_RE.sub(lambda m: subs[m.group()], raw)
                crc, size, packed = zlib.crc32(data), len(data), _deflate(data)
            central += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, 0, 8, 0, _DOS_DATE, crc,
                                   len(packed), size, len(name), 0, 0, 0, 0, 0, len(out)) + name
            out += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, 8, 0, _DOS_DATE, crc,
                               len(packed), size, len(name), 0) + name + packed
        n = len(self.parts)
        return bytes(out + central + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, len(central), len(out), 0))


