"""Shared fixtures: the real spreadsheet engine, both layouts, the seed report.

Tests that need LibreOffice take the `soffice` fixture: it skips when LibreOffice is not
installed — except under CI=true, where a missing engine is a failure, never a skip.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from needs import in_ci, require

SEED = "samples/2020-jinyun-hrss.json"


def shared_dir() -> Path:
    """shared/ beside the clone (…/shared next to …/main), or $GAIXL_SHARED."""
    env = os.environ.get("GAIXL_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def soffice() -> str:
    from gaixl.workbook.engine import find_soffice

    return require(find_soffice(), "LibreOffice (soffice)")


@pytest.fixture(scope="session")
def layouts():
    """Both official formats: {"2019": Layout, "2021": Layout}."""
    from gaixl.spec.load import load_layout

    return {lid: load_layout(lid) for lid in ("2019", "2021")}


@pytest.fixture(scope="session")
def shared() -> Path:
    p = shared_dir()
    if not (p / "samples").is_dir():
        if in_ci():
            pytest.fail(f"shared/ not found at {p} (CI clones it beside the repository)", pytrace=False)
        pytest.skip(f"shared/ samples not found at {p} (set GAIXL_SHARED)")
    return p


@pytest.fixture
def seed_data(shared):
    """The seed report (缙云县人力资源和社会保障局, 2020, 2019 format) as ReportData — a fresh copy per test."""
    from gaixl.report.data import load_data_file

    return load_data_file(shared / SEED)


# ---------------------------------------------------------------- every finding's code is registered
# Every Finding made while the suite runs is recorded; a test that made one whose code is neither
# in gaixl/codes.py nor defined by a layout file fails in its teardown (tests/test_codes.py checks
# the source statically; this checks what the suite actually produces). Codes starting "test-"
# are tests' own.
from gaixl import codes as _codes  # noqa: E402
from gaixl.findings import Finding as _Finding  # noqa: E402
from gaixl.spec.model import Layout as _Layout  # noqa: E402

_MADE: list[str] = []
_LAYOUT_CODES: set[str] = set()
_finding_post_init = _Finding.__post_init__
_layout_init = _Layout.__init__


def _recording_post_init(self) -> None:
    _MADE.append(self.code)
    _finding_post_init(self)


def _recording_layout_init(self, *args, **kwargs) -> None:
    _layout_init(self, *args, **kwargs)
    try:
        _LAYOUT_CODES.update(_codes.layout_codes([self]))
    except (KeyError, AttributeError, TypeError):   # a deliberately incomplete test layout
        pass


_Finding.__post_init__ = _recording_post_init
_Layout.__init__ = _recording_layout_init


@pytest.fixture(autouse=True)
def _finding_codes_are_registered():
    start = len(_MADE)
    yield
    made = set(_MADE[start:])
    del _MADE[start:]
    unknown = sorted(c for c in made if c not in _codes.CODES and c not in _LAYOUT_CODES and not c.startswith("test-"))
    if unknown:
        pytest.fail(f"findings with unregistered codes {unknown}: add them to gaixl/codes.py and "
                    f"regenerate docs/findings.md (python -m gaixl.spec.codes_page > docs/findings.md)", pytrace=False)
