"""`ruff check` is clean on the code (configuration in pyproject.toml)."""

import subprocess
import sys

from tests.pages import ROOT


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "snippets", "tests", "hooks", "conftest.py"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
