"""Shared fixtures: the real spreadsheet engine, both layouts, the seed report; and the hooks that
keep the markers true.

Tests that need LibreOffice take the `soffice` fixture: it skips when LibreOffice is not
installed — except under CI=true, where a missing engine is a failure, never a skip.

Markers (pyproject.toml): a test marked engine, browser, mail or pdf is also `slow`, so
`python -m pytest -m "not slow"` is the quick core. A test that launches LibreOffice, Chromium,
poppler or Dovecot, or takes a fixture that does, without its marker fails — so the quick core
never quietly grows slow, and `-m "not engine"` really leaves LibreOffice out.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import needs
import pytest
from hypothesis import settings
from needs import FIXTURE_MARK, PROGRAM_MARK, TOOL_MARKS, require, require_shared

# Property tests are judged by what they find, never by how fast an example ran: on a loaded
# machine (CI runs on both cores, helpers share them) hypothesis's per-example deadline made
# correct code fail. Speed is measured in bench/, not in tests.
settings.register_profile("gaixl", deadline=None)
settings.load_profile("gaixl")

SEED = "samples/2020-jinyun-hrss.json"


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
    """shared/ ($GAIXL_SHARED or ../shared): skips locally when missing, fails under CI=true."""
    return require_shared()


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


# ----------------------------------------------------------------------------- markers that tell the truth
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """engine, browser, mail and pdf tests are slow (before `-m` deselects anything)."""
    for item in items:
        if any(item.get_closest_marker(m) for m in TOOL_MARKS) and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


# what a test launched without the marker for it, and the markers each fixture needs: the known
# ones (FIXTURE_MARK) and those of programs a fixture launched while it was set up
_unmarked_launches: dict[str, set[str]] = {}
_fixture_marks: dict[str, set[str]] = {f: {m} for f, m in FIXTURE_MARK.items()}
_fixture_being_set_up: list[str] = []
_popen_init = subprocess.Popen.__init__


def _watching_popen_init(self, args, *a, **kw):
    """Notes a program launched for a test that lacks the program's marker; runs it as usual."""
    if isinstance(args, (str, bytes)):                     # a command line: its first word
        words = os.fsdecode(args).split()
        first = words[0] if words else ""
    else:                                                  # a path, or a sequence of arguments
        first = os.fsdecode(args if isinstance(args, os.PathLike) else (args[0] if args else ""))
    prog = os.path.basename(first)
    mark, item = PROGRAM_MARK.get(prog), needs.current
    if mark and _fixture_being_set_up:
        _fixture_marks.setdefault(_fixture_being_set_up[-1], set()).add(mark)
    if mark and item is not None and item.get_closest_marker(mark) is None:
        _unmarked_launches.setdefault(item.nodeid, set()).add(f"{prog} (needs @pytest.mark.{mark})")
    _popen_init(self, args, *a, **kw)


subprocess.Popen.__init__ = _watching_popen_init       # type: ignore[method-assign]


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef):
    _fixture_being_set_up.append(fixturedef.argname)
    try:
        return (yield)
    finally:
        _fixture_being_set_up.pop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    needs.current = item
    result = yield                                         # the fixtures are set up (or were already)
    missing = sorted({f"{f} (needs @pytest.mark.{m})" for f in item.fixturenames for m in _fixture_marks.get(f, ())
                      if item.get_closest_marker(m) is None})
    if missing:
        pytest.fail(f"{item.nodeid} uses the fixture {', '.join(missing)}", pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item):
    yield                                                  # the fixtures' own teardown first
    launched = _unmarked_launches.pop(item.nodeid, None)
    if launched:
        pytest.fail(f"{item.nodeid} launched {', '.join(sorted(launched))}", pytrace=False)
    needs.current = None
