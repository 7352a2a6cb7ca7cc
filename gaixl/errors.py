"""One exception hierarchy for gaixl. Every error carries where it happened.

The CLI turns any GaixlError into one line `Error: <where>: <message>` and exit code 2;
nothing below the CLI prints or exits.
"""
from __future__ import annotations


class GaixlError(Exception):
    """Base of every error gaixl raises on purpose."""

    def __init__(self, message: str, *, where: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:  # "file:line: message" or just the message
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
