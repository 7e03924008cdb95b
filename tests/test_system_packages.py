"""tests/system_packages.sh, which `make test` runs first: install what is missing, or stop.

Each case runs the script with a PATH of stand-ins (fake chromium, apt-get, id, sudo, ...)
so that nothing is installed and every branch is taken on any machine.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

from tests.pages import ROOT

SCRIPT = ROOT / "tests/system_packages.sh"
ALL = "chromium chromium-driver fonts-noto-cjk"


def fake_bin(tmp_path: Path, **programs: str) -> Path:
    """A folder of executables: name -> shell body; grep is the real one."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, body in programs.items():
        path = folder / name.replace("_", "-")
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    os.symlink(shutil.which("grep"), folder / "grep")
    return folder


def run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/bash", str(SCRIPT), *args], env={"PATH": str(folder)},
                          capture_output=True, text=True)


def test_nothing_to_do_when_everything_is_there(tmp_path):
    folder = fake_bin(tmp_path, chromium="", chromedriver="",
                      fc_list="echo 'NotoSansCJK.ttc: Noto Sans CJK SC'",
                      apt_get="echo called >> $0.log")
    result = run(folder)
    assert (result.returncode, result.stderr) == (0, "")
    assert not (folder / "apt-get.log").exists()


def test_installs_the_missing_packages_as_root(tmp_path):
    folder = fake_bin(tmp_path, chromium="", id="echo 0", apt_get='echo "$@" >> $0.log')
    result = run(folder)
    assert result.returncode == 0, result.stderr
    calls = (folder / "apt-get.log").read_text().splitlines()
    assert calls == ["update -qq",
                     "install -y -qq --no-install-recommends chromium-driver fonts-noto-cjk"]


def test_a_build_asks_for_the_font_only(tmp_path):
    """`make serve` and `make build` run it with `font`: no browser for a build."""
    folder = fake_bin(tmp_path, id="echo 0", apt_get='echo "$@" >> $0.log')
    result = run(folder, "font")
    assert result.returncode == 0, result.stderr
    calls = (folder / "apt-get.log").read_text().splitlines()
    assert calls == ["update -qq", "install -y -qq --no-install-recommends fonts-noto-cjk"]


def test_a_build_accepts_any_cjk_font_the_figures_accept(tmp_path):
    """macOS: no fc-list and no apt-get, but matplotlib knows PingFang SC."""
    folder = fake_bin(tmp_path, python="""case "$*" in *PingFang*) exit 0;; esac; exit 1""")
    env = {"PATH": str(folder), "PYTHON": str(folder / "python")}
    result = subprocess.run(["/bin/bash", str(SCRIPT), "font"], env=env,
                            capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (0, "")
    (tmp_path / "fc").mkdir()
    folder_fc = fake_bin(tmp_path / "fc", fc_list="echo 'wqy.ttc: WenQuanYi Zen Hei'")
    assert run(folder_fc, "font").returncode == 0


def test_the_script_and_the_figures_accept_the_same_fonts():
    from snippets.figures import CJK_FONTS

    listed = SCRIPT.read_text().split("cjk_fonts=(", 1)[1].split(")", 1)[0]
    assert tuple(re.findall(r'"([^"]+)"', listed)) == CJK_FONTS


def test_uses_sudo_when_not_root(tmp_path):
    folder = fake_bin(tmp_path, id="echo 1000", sudo=r'printf "%s\n" "$*" >> $0.log',
                      apt_get="exit 0")
    result = run(folder)
    assert result.returncode == 0, result.stderr
    assert (folder / "sudo.log").read_text().splitlines() == [
        "-n true", "apt-get update -qq", f"apt-get install -y -qq --no-install-recommends {ALL}"]


def test_stops_with_the_command_to_run_when_there_is_no_apt(tmp_path):
    result = run(fake_bin(tmp_path, id="echo 0"))
    assert result.returncode == 1
    assert f"needs the Debian packages {ALL} and cannot install them: apt-get is not on " \
           "this machine" in result.stderr
    assert f"apt-get install -y --no-install-recommends {ALL}" in result.stderr


def test_stops_when_neither_root_nor_sudo(tmp_path):
    result = run(fake_bin(tmp_path, id="echo 1000", apt_get="exit 0", sudo="exit 1"))
    assert result.returncode == 1
    assert "not root and has no password-less sudo" in result.stderr


def test_stops_when_apt_get_fails(tmp_path):
    result = run(fake_bin(tmp_path, id="echo 0", apt_get="exit 100"))
    assert result.returncode == 1
    assert "apt-get update failed" in result.stderr


def test_make_test_runs_it_before_anything_else():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\ntest: system-packages venv\n" in makefile
    assert "bash tests/system_packages.sh" in makefile.split("\nsystem-packages:")[1]
    assert "system_packages" not in makefile.split("\nserve:")[1].split("\n\n")[0]
