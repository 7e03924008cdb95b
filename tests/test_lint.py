"""`ruff check` is clean on the code (configuration in pyproject.toml)."""

import subprocess
import sys

from tests.pages import ROOT

CHECKED = ["snippets", "tests", "hooks", "benchmarks", "conftest.py"]


def ruff(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", "check", *args],
                          cwd=cwd, capture_output=True, text=True)


def test_ruff_is_clean():
    result = ruff(*CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_with_the_project_config_catches_a_mistake(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nimport sys\n\nprint( sys.path )   \n", encoding="utf-8")
    result = ruff("--config", str(ROOT / "pyproject.toml"), "--no-cache", str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert "F401" in result.stdout and "W291" in result.stdout
