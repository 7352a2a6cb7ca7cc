"""One exception hierarchy for gaixl. Every error carries where it happened.

Every error speaks both languages: `message` (English, also what `str(e)` shows, for
tests and logs) and `message_zh` (Chinese, for the user). The CLI turns any GaixlError
into one line `错误：<where>: <message>` (or `Error: …` with --lang en) and exit code 2;
nothing below the CLI prints or exits.
"""
from __future__ import annotations

import errno


class GaixlError(Exception):
    """Base of every error gaixl raises on purpose."""

    def __init__(self, message: str, *, where: str | None = None, zh: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_zh = zh
        self.where = where

    def text(self, lang: str = "zh") -> str:
        """"where: message" in Chinese (lang="zh", falling back to English) or English."""
        msg = self.message_zh if lang != "en" and self.message_zh else self.message
        return f"{self.where}: {msg}" if self.where else msg

    def __str__(self) -> str:  # "file:line: message" or just the message (always English)
        return f"{self.where}: {self.message}" if self.where else self.message


class LayoutError(GaixlError, ValueError):
    """A layout file in templates/ is malformed (where = 'templates/2021.yaml:14:7')."""


class RuleError(LayoutError):
    """A rule expression does not parse or names a cell that does not exist."""


class InputError(GaixlError, ValueError):
    """An input file cannot be read at all: corrupt, encrypted, not a workbook, too big."""


class WorkbookError(InputError):
    """A workbook opens but is not a usable report workbook (no tables found, …)."""


class DataFileError(InputError):
    """A data file (.json) does not follow the data-file contract."""


class RosterError(InputError):
    """A roster file is unreadable or lacks the required columns."""


class UsageError(GaixlError, ValueError):
    """The caller asked for something impossible (unknown layout, year without a format, …)."""


class ReportRejected(GaixlError):
    """`report`/render refused: the data have error-level findings (`findings`, all of them).
    Nothing was written; render(..., draft=True) writes a draft marked as such instead."""

    def __init__(self, message: str, *, findings: list, where: str | None = None, zh: str | None = None):
        super().__init__(message, where=where, zh=zh)
        self.findings = findings


class OutputError(GaixlError):
    """An output could not be written (disk full, no permission, a writing process failed)."""


class MailError(GaixlError):
    """Mail cannot be sent: a bad SMTP URL, no password, the connection, TLS or login failed."""


class EngineError(GaixlError):
    """LibreOffice is missing, failed, or did not finish in time."""


_OS_REASON_ZH = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有访问权限",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.EEXIST: "已存在同名的文件或文件夹",
    errno.ENOTDIR: "路径中有一级不是文件夹",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EIO: "读写出错（输入输出错误）",
    errno.ELOOP: "符号链接层级过多",
    errno.ENOSPC: "磁盘空间不足",
    errno.EFBIG: "文件过大，超出系统允许的文件大小（或磁盘配额）",
    errno.EDQUOT: "超出磁盘配额",
    errno.EROFS: "文件系统为只读",
}


def os_reason_zh(e: OSError) -> str:
    """An operating-system error's reason in Chinese (for the zh message of an error)."""
    reason = _OS_REASON_ZH.get(getattr(e, "errno", None) or -1)
    if reason:
        return reason
    detail = getattr(e, "strerror", None) or str(e)
    return f"系统错误（{detail}）" if detail else "系统错误"
