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


_PLUGIN = "import gaixl.workbook.engine\ngaixl.workbook.engine.find_soffice = lambda: None\n"


@pytest.mark.parametrize("ci,outcome", [("true", "error"), ("", "skipped")])
def test_missing_engine_fails_under_ci_and_skips_otherwise(tmp_path, ci, outcome):
    (tmp_path / "no_soffice_plugin.py").write_text(_PLUGIN, encoding="utf-8")
    env = {**os.environ, "CI": ci, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no_soffice_plugin", "-p", "no:cacheprovider",
                           "tests/test_engine.py::test_find_soffice"], check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    assert f"1 {outcome}" in proc.stdout, proc.stdout + proc.stderr
    assert proc.returncode == (1 if outcome == "error" else 0)
    if outcome == "error":                          # a setup error: the run fails
        assert "CI=true" in proc.stdout
