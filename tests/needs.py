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


# ----------------------------------------------------------------------------- markers that tell the truth
# A test that needs something from outside Python carries its marker (registered in pyproject.toml),
# so that `pytest -m "not slow"` is a quick core that needs none of them. conftest.py makes each
# of these markers imply `slow`, and fails a test that uses the thing without saying so.
TOOL_MARKS = ("engine", "browser", "mail", "pdf")

# programs a test may launch (itself, or through gaixl in the test's own process — not through a
# `gaixl` subprocess), by file name → the marker it needs
PROGRAM_MARK = {
    "soffice": "engine", "soffice.bin": "engine", "libreoffice": "engine", "ssconvert": "engine",
    "chromium": "browser", "chromium-browser": "browser", "google-chrome": "browser", "chrome": "browser",
    "pdftoppm": "pdf", "pdftotext": "pdf",
    "dovecot": "mail",
}

# fixtures that start or need one of those → the marker a test using them (even indirectly) needs
FIXTURE_MARK = {"soffice": "engine", "ssconvert": "engine", "poppler": "pdf", "dovecot_server": "mail",
                "dovecot_plain": "mail"}

current: pytest.Item | None = None        # the test being run (set by conftest.py)


def uses(mark: str, what: str) -> None:
    """Fail the running test unless it is marked `mark`: it uses `what` (e.g. an SMTP server)."""
    if current is not None and current.get_closest_marker(mark) is None:
        pytest.fail(f"{current.nodeid} uses {what} but is not marked @pytest.mark.{mark}", pytrace=False)
