"""What some tests need from outside the repository — programs (LibreOffice, Chromium, Dovecot,
poppler) and the reference material in shared/ — found in one place. A test skips when one is
missing on a developer's machine, but FAILS under CI=true: CI installs every program (.ci/run)
and clones shared/ beside the repository, so a missing one there is a broken set-up, never a
reason to pass quietly."""
from __future__ import annotations

import os
from pathlib import Path

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def missing(msg: str, ci_has_it: str = ".ci/run installs it") -> None:
    """Skip the test (locally) or fail it (under CI=true) because of `msg` (what is missing)."""
    if in_ci():
        pytest.fail(f"{msg}, and CI=true: these tests must run in CI ({ci_has_it})", pytrace=False)
    pytest.skip(msg)


def require(exe: str | None, what: str) -> str:
    """`exe` (the program's path) when found; else skip, or fail under CI=true."""
    if exe is None:
        missing(f"{what} is not installed")
    return exe


def shared_dir() -> Path:
    """shared/ (the reference samples and seed): $GAIXL_SHARED when set, else ../shared beside
    the clone (…/shared next to …/gaixl), which is where CI puts it."""
    env = os.environ.get("GAIXL_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"


def require_shared(sub: str = "samples") -> Path:
    """shared/ when its `sub` folder is there; else skip, or fail under CI=true."""
    p = shared_dir()
    if not (p / sub).is_dir():
        missing(f"shared/{sub} not found at {p} (set GAIXL_SHARED)", "CI clones shared/ beside the repository")
    return p
