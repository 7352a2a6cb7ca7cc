"""Shared fixtures: the real spreadsheet engine, both layouts, the seed report.

Tests that need LibreOffice take the `soffice` fixture: it skips when LibreOffice is not
installed — except under CI=true, where a missing engine is a failure, never a skip.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from needs import require, require_shared

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
