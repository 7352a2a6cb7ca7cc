"""Programs some tests need (LibreOffice, Chromium, Dovecot, poppler): a test skips when one is
missing on a developer's machine, but FAILS under CI=true — CI installs them all (.ci/run), so a
missing one there is a broken set-up, never a reason to pass quietly."""
from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require(exe: str | None, what: str) -> str:
    """`exe` (the program's path) when found; else skip, or fail under CI=true."""
    if exe is None:
        msg = f"{what} is not installed"
        if in_ci():
            pytest.fail(f"{msg}, and CI=true: these tests must run in CI (.ci/run installs it)", pytrace=False)
        pytest.skip(msg)
    return exe
