"""The CI entry point (.ci/run) and the rule that CI never skips the real-engine tests."""
from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".ci" / "run"


def test_script_is_executable_bash_and_strict():
    assert SCRIPT.stat().st_mode & stat.S_IXUSR
    text = SCRIPT.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)


def test_script_installs_the_engine_and_runs_the_readme_command():
    text = SCRIPT.read_text(encoding="utf-8")
    for pkg in ("libreoffice-calc-nogui", "libreoffice-writer-nogui", "gnumeric", "fonts-noto-cjk", "poppler-utils",
                "chromium", "dovecot-imapd", "dovecot-core"):
        assert re.search(rf"\b{re.escape(pkg)}\b", text), pkg
    assert "apt-get update" in text and "--no-install-recommends" in text
    assert "pip install -q -e '.[test]'" in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python -m pytest -q" in readme           # the README's test command …
    assert re.search(r"^timeout .* python -m pytest -q \|\| rc=\$\?$", text, re.MULTILINE)   # … is what CI runs
    assert 'exit "$rc"' in text                      # and its status (5 = no tests, too) is CI's


def _env() -> dict[str, str]:
    """The environment for a pytest run inside a test: without CI's PYTEST_ADDOPTS (-n …), so the
    inner run is one process whatever the outer one is."""
    return {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}


_PLUGIN = "import gaixl.workbook.engine\ngaixl.workbook.engine.find_soffice = lambda: None\n"


@pytest.mark.slow
@pytest.mark.parametrize("ci,outcome", [("true", "error"), ("", "skipped")])
def test_missing_engine_fails_under_ci_and_skips_otherwise(tmp_path, ci, outcome):
    (tmp_path / "no_soffice_plugin.py").write_text(_PLUGIN, encoding="utf-8")
    env = {**_env(), "CI": ci, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no_soffice_plugin", "-p", "no:cacheprovider",
                           "tests/test_engine.py::test_find_soffice"], check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    assert f"1 {outcome}" in proc.stdout, proc.stdout + proc.stderr
    assert proc.returncode == (1 if outcome == "error" else 0)
    if outcome == "error":                          # a setup error: the run fails
        assert "CI=true" in proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("ci,outcome", [("true", "error"), ("", "skipped")])
def test_missing_shared_fails_under_ci_and_skips_otherwise(tmp_path, ci, outcome):
    """shared/ is found through $GAIXL_SHARED (else ../shared); when it is not there, the tests that
    read it skip locally and fail under CI=true — including a test file with its own parameters."""
    env = {**_env(), "CI": ci, "GAIXL_SHARED": str(tmp_path / "nowhere")}
    tests = ["tests/test_validate.py::test_seed_numbers_give_no_table_error_and_one_warning",
             "tests/test_import_samples.py::test_partial_sample"]
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *tests],
                          check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    if outcome == "error":
        assert "1 failed" in proc.stdout and "1 error" in proc.stdout, out
        assert proc.stdout.count("and CI=true") >= 2 and str(tmp_path / "nowhere") in proc.stdout, out
        assert proc.returncode == 1
    else:
        assert "2 skipped" in proc.stdout and proc.returncode == 0, out


def test_script_runs_ruff_and_mypy_and_they_are_test_extras():
    text = SCRIPT.read_text(encoding="utf-8")
    assert re.search(r"^ruff check gaixl/ \|\| lint_rc=1$", text, re.MULTILINE)
    assert re.search(r"^mypy \|\| lint_rc=1$", text, re.MULTILINE)
    assert 'if [ "$rc" -eq 0 ] && [ "$lint_rc" -ne 0 ]' in text        # a lint finding fails CI
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for pkg in ("ruff", "mypy", "pytest-xdist"):
        assert re.search(rf'"{pkg}>=', project), pkg
    assert 'files = ["gaixl"]' in project                             # `mypy` alone checks the package
    assert 'export PYTEST_ADDOPTS="${PYTEST_ADDOPTS:--n auto --dist loadfile}"' in text   # tests in parallel


def test_gaixl_is_ruff_clean():
    """The quick loop catches what CI's `ruff check gaixl/` would (rules in pyproject.toml)."""
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "gaixl/"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


_MARKED = '''
import subprocess
import pytest

@pytest.fixture(scope="module")
def printed(bin_dir):
    subprocess.run([str(bin_dir / "chromium")], check=True)   # a fixture that launches a browser
    return "pdf"

@pytest.fixture(scope="module")
def bin_dir():
    from pathlib import Path
    return Path(__file__).parent / "bin"

@pytest.mark.engine
def test_marked(bin_dir):
    subprocess.run([str(bin_dir / "soffice"), "--version"], check=True)

def test_unmarked(bin_dir):
    subprocess.run([str(bin_dir / "soffice"), "--version"], check=True)

@pytest.mark.browser
def test_fixture_marked(printed):
    pass

def test_fixture_unmarked(printed):
    pass

def test_plain():
    pass
'''


@pytest.mark.slow
def test_markers_tell_the_truth(tmp_path):
    """A test that launches LibreOffice (or takes a fixture that launches Chromium) without its
    marker fails; marked ones pass and are slow, so -m "not slow" leaves them out. Stand-in
    programs named soffice and chromium, so this runs anywhere in a second."""
    import shutil

    for f in ("conftest.py", "needs.py"):
        shutil.copy(ROOT / "tests" / f, tmp_path / f)
    (tmp_path / "bin").mkdir()
    for prog in ("soffice", "chromium"):
        (tmp_path / "bin" / prog).write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
        (tmp_path / "bin" / prog).chmod(0o755)
    (tmp_path / "test_sample.py").write_text(_MARKED, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n  engine\n  browser\n  mail\n  pdf\n  slow\n", encoding="utf-8")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", *args],
                              cwd=tmp_path, env=_env(), capture_output=True, text=True, check=False)

    every = run("-p", "no:xdist")
    out = every.stdout
    assert every.returncode == 1, out
    assert "PASSED test_sample.py::test_marked" in out and "PASSED test_sample.py::test_fixture_marked" in out
    assert "test_sample.py::test_unmarked launched soffice (needs @pytest.mark.engine)" in out
    assert "test_sample.py::test_fixture_unmarked uses the fixture printed (needs @pytest.mark.browser)" in out
    quick = run("-p", "no:xdist", "-m", "not slow", "test_sample.py::test_plain", "test_sample.py::test_marked",
                "test_sample.py::test_fixture_marked")
    assert "1 passed, 2 deselected" in quick.stdout, quick.stdout
