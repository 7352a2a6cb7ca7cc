"""Times as people read them: Beijing time by default, written the Chinese way.

    zone(name=None) -> tzinfo                       "Asia/Shanghai" unless told otherwise (--tz)
    local_iso(value, tz) -> "2026-01-19T07:45:00+08:00" | None   ISO 8601 / RFC 2822 in, ISO with offset out
    zh_time(iso, tz) -> "2026年1月19日 07:45"        what a status page, a letter or the terminal shows
    en_time(iso, tz) -> "2026-01-19 07:45"
    deadline_end(date, tz) -> aware datetime         the end of that day (23:59:59) in `tz`
    is_late(iso, date, tz) -> bool

Machine files (JSON, CSV) keep ISO 8601 with the offset, so the instant is never ambiguous; the
offset is the one of `tz`, so times of one run sort as strings. A time without an offset (a
workbook's own save time is UTC by the standard; "Z") is read as UTC.
"""
from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime

from gaixl.errors import UsageError

DEFAULT_TZ = "Asia/Shanghai"
_BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")


def zone(name: str | None = None) -> dt.tzinfo:
    """The named IANA zone (default Asia/Shanghai); +08:00 when the system has no zone data."""
    name = (name or DEFAULT_TZ).strip()
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except (ImportError, ValueError, OSError, KeyError):
        if name == DEFAULT_TZ:
            return _BEIJING
        if name.upper() in ("UTC", "ETC/UTC", "Z"):
            return dt.timezone.utc
    except Exception:  # noqa: BLE001 — zoneinfo raises ZoneInfoNotFoundError (a KeyError) on most systems
        pass
    raise UsageError(f"unknown time zone {name!r} (e.g. Asia/Shanghai)", where="--tz",
                     zh=f"无法识别的时区“{name}”（例如 Asia/Shanghai）")


def parse(value) -> dt.datetime | None:
    """An ISO 8601 or RFC 2822 date as an aware datetime (no offset: UTC); None if unreadable."""
    if not value:
        return None
    if isinstance(value, dt.datetime):
        t = value
    else:
        s = str(value).strip()
        try:
            t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            try:
                t = parsedate_to_datetime(s)
            except (TypeError, ValueError, IndexError):
                return None
    if t is None:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.timezone.utc)


def local_iso(value, tz: dt.tzinfo | None = None) -> str | None:
    t = parse(value)
    return None if t is None else t.astimezone(tz or zone()).isoformat(timespec="seconds")


def zh_time(value, tz: dt.tzinfo | None = None) -> str:
    t = parse(value)
    if t is None:
        return ""
    t = t.astimezone(tz or zone())
    return f"{t.year}年{t.month}月{t.day}日 {t.hour:02d}:{t.minute:02d}"


def en_time(value, tz: dt.tzinfo | None = None) -> str:
    t = parse(value)
    return "" if t is None else t.astimezone(tz or zone()).strftime("%Y-%m-%d %H:%M")


def zh_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def deadline_end(day: dt.date, tz: dt.tzinfo | None = None) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz or zone())


def is_late(value, day: dt.date | None, tz: dt.tzinfo | None = None) -> bool | None:
    """True when `value` is after the end of `day` in `tz`; None when either is unknown."""
    t = parse(value)
    if t is None or day is None:
        return None
    return t > deadline_end(day, tz)


__all__ = ["DEFAULT_TZ", "zone", "parse", "local_iso", "zh_time", "en_time", "zh_date", "deadline_end", "is_late"]
