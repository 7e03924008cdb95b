"""Shared fixtures: the strict build of the whole site, made once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def built_site(request, tmp_path_factory) -> Path:
    """`mkdocs build --strict` into a temporary folder; any warning fails the session.

    Under pytest-xdist (``make test`` runs two workers) every worker asks for this fixture;
    a file lock in the run's shared temporary folder makes the first one build and the
    others wait for it and reuse the result (pytest-xdist's documented pattern).
    """
    if not hasattr(request.config, "workerinput"):  # a plain, single-process run
        return _build(tmp_path_factory.mktemp("site"))
    shared = tmp_path_factory.getbasetemp().parent  # one folder per run, shared by workers
    site, failed = shared / "site", shared / "site-build-failed.txt"
    with FileLock(shared / "site.lock"):
        if failed.exists():
            pytest.fail(failed.read_text())
        if not (site / "index.html").exists():
            try:
                _build(site)
            except pytest.fail.Exception as error:
                failed.write_text(str(error))
                raise
    return site


def _build(site: Path) -> Path:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}")
    return site


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the run for two workers (`--dist loadfile` hands out whole files, in order).

    The browser tests come first: their worker makes the strict build, then visits every
    page. Files with no test that needs the build come next, so the other worker keeps
    busy meanwhile; files that read the built site come last, when it is ready.
    """
    needs_site = {item.path for item in items
                  if "built_site" in getattr(item, "fixturenames", ())}

    def rank(item: pytest.Item) -> int:
        if item.path.name == "test_browser.py":
            return 0
        return 2 if item.path in needs_site else 1

    items.sort(key=rank)  # stable: within a rank, the collection order


# --- The browser: tests/test_browser.py (every page) and tests/test_browser_features.py --

@pytest.fixture(scope="session")
def base_url(built_site):
    """The built site, served on 127.0.0.1 by a thread of this process."""
    from tests.test_browser import serve

    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def driver():
    """Debian's headless Chromium, one per pytest worker (see tests/test_browser.py)."""
    from tests.test_browser import start_chromium

    browser = start_chromium()
    yield browser
    browser.quit()
