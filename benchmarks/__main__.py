"""Measure the project's budgets and print them against their targets: ``python -m benchmarks``.

* full verification: ``python -m pytest`` (what ``make test`` runs, minus the venv step);
* cold and warm ``mkdocs build --strict``;
* edit-to-rebuild under ``mkdocs serve --dirty`` (what ``make serve`` runs): append an HTML
  comment to one page, time until the served page shows it;
* first visit of every page in headless Chromium with an empty cache: every file the page
  requests (HTML, CSS, JS, fonts, images, its language's search index), gzipped as a
  server would send it, plus the lunr scripts the search worker imports for that index's
  languages (a worker's requests are not in the page's network log); the heaviest and the
  median regular page, and the heaviest notebook page;
* layout shift: the elements of a page's content that move after they are laid out
  (Chrome's layout-shift entries, as tests/test_browser_features.py reads them), on every
  page loaded at its top.

The builds, the server and the edit run in a throw-away copy of the working tree (no
``.cache``, its own site folder), so nothing tracked is touched and a build running in
the real tree at the same time is not disturbed. Budgets are never asserted in tests:
timings depend on the machine. Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
EDITED_PAGE = "docs/losses/regression.md"
EDITED_URL = "losses/regression/"
NOT_COPIED = {".git", ".venv", "node_modules", ".cache", "site", ".artifacts", ".pytest_cache",
              ".hypothesis", ".ruff_cache", "__pycache__"}
KB = 1000

# (label, target, unit): the targets of the developers' brief.
TARGETS = {
    "test": ("full verification (python -m pytest)", 60.0, "s"),
    "cold": ("cold mkdocs build --strict", 20.0, "s"),
    "warm": ("warm mkdocs build --strict", None, "s"),
    "rebuild": ("edit-to-rebuild under mkdocs serve", 2.0, "s"),
    "page": ("first visit, heaviest regular page (gz)", 350 * KB, "B"),
    "median": ("first visit, median regular page (gz)", 350 * KB, "B"),
    "notebook": ("first visit, heaviest notebook (gz)", 350 * KB, "B"),
    "math": ("formulas moved after load", 0, "n"),
    "shift": ("other content elements moved after load", None, "n"),
}
SERVE = ["mkdocs", "serve", "--dirty", "--no-strict"]  # the Makefile's serve target
# Material's search worker imports these for an index whose languages are not just "en"
# (assets/javascripts/workers/search.*.js: stemmer support, each lunr.<lang>, then
# lunr.multi); tinyseg/wordcut are for ja/th, which this site does not have.
LUNR = "assets/javascripts/lunr/min"


def worker_scripts(langs: list[str]) -> list[str]:
    if langs == ["en"]:
        return []
    scripts = [f"{LUNR}/lunr.{lang}.min.js" for lang in langs if lang != "en"]
    if len(langs) > 1:
        scripts.append(f"{LUNR}/lunr.multi.min.js")
    return [f"{LUNR}/lunr.stemmer.support.min.js", *scripts]


def env() -> dict:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def run(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env(), capture_output=True, text=True)
    return time.perf_counter() - start, result


def timed(command: list[str], cwd: Path) -> float:
    elapsed, result = run(command, cwd)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n"
                         f"{result.stderr[-3000:]}")
    return elapsed


def time_tests() -> tuple[float, str]:
    """Wall time of the suite; a failing suite is still timed, and says so."""
    elapsed, result = run([sys.executable, "-m", "pytest"], ROOT)  # what `make test` runs
    counts = re.findall(r"^=*\s*(\d+ (?:passed|failed).*?)\s*=*$", result.stdout, re.M)
    return elapsed, counts[-1] if counts else "no summary line (see python -m pytest)"


def copy_tree(dest: Path) -> Path:
    """The working tree as it is now (tracked or not), without caches; shared node_modules."""
    shutil.copytree(ROOT, dest, ignore=lambda _, names: [n for n in names if n in NOT_COPIED])
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    return dest


def build(tree: Path, site: Path) -> float:
    return timed([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                 tree)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def edit_to_rebuild(tree: Path, timeout: float = 120) -> float:
    """Seconds from appending a marker to a page until `mkdocs serve` serves it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/{EDITED_URL}"
    server = subprocess.Popen(
        [sys.executable, "-m", *SERVE, "--dev-addr", f"127.0.0.1:{port}"],
        cwd=tree, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while fetch(url) is None:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("mkdocs serve did not start")
            time.sleep(0.1)
        time.sleep(1.0)  # let the file watcher settle after the first build
        marker = f"<!-- bench {uuid.uuid4()} -->"
        page = tree / EDITED_PAGE
        start = time.perf_counter()
        with page.open("a", encoding="utf-8") as f:  # the copy's page, never the real one
            f.write(f"\n{marker}\n")
        while marker not in (fetch(url) or ""):
            if time.monotonic() > deadline:
                raise SystemExit("mkdocs serve never served the edited page")
            time.sleep(0.05)
        return time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)


INDEX_FETCHED_JS = """
return performance.getEntriesByType("resource").map(e => e.name)
  .filter(n => n.endsWith("search/search_index.json"));
"""


def page_weights(site: Path) -> dict[str, tuple[int, dict[str, int], list[list]]]:
    """Every page -> (gzipped bytes of its first visit, gzipped bytes per file type, the
    elements of its content that moved after load, each [description, is it math])."""
    sys.path.insert(0, str(ROOT))
    from selenium import webdriver

    from tests.test_browser import _QuietHandler, chromium_options, site_pages
    from tests.test_browser_features import content_moves

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=chromium_options(), service=service)
    weights = {}
    try:
        for path in site_pages(site):
            driver.get("about:blank")
            driver.get_log("performance")
            # Each page as a first visit: nothing from the memory or disk cache.
            driver.execute_cdp_cmd("Network.clearBrowserCache", {})
            # loads the page, watches 1.5 s; [element, is it math] as the tests read them
            moved = content_moves(driver, base + path, with_math=True)
            deadline = time.monotonic() + 10
            while not driver.execute_script(INDEX_FETCHED_JS) and time.monotonic() < deadline:
                time.sleep(0.05)
            urls = set()
            for entry in driver.get_log("performance"):
                message = json.loads(entry["message"])["message"]
                if message["method"] == "Network.requestWillBeSent":
                    urls.add(message["params"]["request"]["url"])
            files = set()
            for url in urls:
                parts = urlsplit(url)
                if parts.scheme not in ("http", "https"):
                    continue
                rel = parts.path.lstrip("/")
                file = site / rel
                if file.is_dir() or rel == "" or rel.endswith("/"):
                    file = file / "index.html"
                if file.is_file():
                    files.add(file)
                if rel.endswith("search/search_index.json") and file.is_file():
                    langs = json.loads(file.read_text(encoding="utf-8"))["config"]["lang"]
                    files |= {site / script for script in worker_scripts(langs)}
            by_type: dict[str, int] = {}
            for file in files:
                kind = "index" if file.name == "search_index.json" else (
                    file.suffix.lstrip(".") or "other")
                by_type[kind] = by_type.get(kind, 0) + len(gzip.compress(file.read_bytes()))
            weights[path] = (sum(by_type.values()), by_type, moved)
    finally:
        driver.quit()
        server.shutdown()
    return weights


def verdict(key: str, value: float) -> str:
    _, target, _ = TARGETS[key]
    return "-" if target is None else ("pass" if value <= target else "FAIL")


def show(key: str, value: float, note: str = "") -> str:
    label, target, unit = TARGETS[key]
    if unit == "s":
        measured, wanted = f"{value:.1f} s", "-" if target is None else f"<= {target:.0f} s"
    elif unit == "n":
        measured, wanted = f"{value:.0f}", "-" if target is None else f"{target}"
    else:
        measured = f"{value / KB:.0f} KB"
        wanted = "-" if target is None else f"<= {target / KB:.0f} KB"
    return f"| {label:<40} | {measured:>9} | {wanted:>10} | {verdict(key, value):<4} | {note}"


def describe(path: str, weight: tuple[int, dict[str, int], list[list]]) -> str:
    _, by_type, _ = weight
    parts = ", ".join(f"{k} {v / KB:.0f}" for k, v in sorted(by_type.items(),
                                                             key=lambda kv: -kv[1]))
    return f"/{path} ({parts} KB)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-tests", action="store_true",
                        help="do not time the full test suite (it is the slowest item)")
    args = parser.parse_args()

    results: dict[str, tuple[float, str]] = {}
    if not args.skip_tests:
        print("timing python -m pytest ...", flush=True)
        results["test"] = time_tests()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        tree = copy_tree(Path(tmp) / "tree")
        print("timing cold and warm builds ...", flush=True)
        results["cold"] = (build(tree, Path(tmp) / "site-cold"), "no .cache, new site dir")
        results["warm"] = (build(tree, Path(tmp) / "site"), ".cache kept")
        print("timing edit-to-rebuild under mkdocs serve ...", flush=True)
        results["rebuild"] = (edit_to_rebuild(tree),
                              f"{' '.join(SERVE)}; appended a comment to {EDITED_PAGE}")
        print("loading every page in Chromium ...", flush=True)
        weights = page_weights(Path(tmp) / "site")
    notebooks = {p: w for p, w in weights.items() if "/notebooks/" in f"/{p}"}
    regular = {p: w for p, w in weights.items() if p not in notebooks}
    ranked = sorted(regular.items(), key=lambda item: item[1][0])
    heaviest, median = ranked[-1], ranked[len(ranked) // 2]
    results["page"] = (heaviest[1][0], describe(*heaviest))
    results["median"] = (median[1][0], describe(*median))
    notebook = max(notebooks.items(), key=lambda item: item[1][0])
    results["notebook"] = (notebook[1][0], describe(*notebook))
    for key, math in (("math", True), ("shift", False)):
        moved = {p: [d for d, m in w[2] if m == math] for p, w in weights.items()}
        moved = {p: m for p, m in moved.items() if m}
        results[key] = (sum(len(m) for m in moved.values()), f"{len(weights)} pages; " + (
            "; ".join(f"/{p}: {m[0]!r}" for p, m in sorted(moved.items())) or "none moved"))
    over = sorted(p for p, w in regular.items() if w[0] > TARGETS["page"][1])
    if over:
        results["page"] = (results["page"][0],
                           results["page"][1] + f"; {len(over)} over the target: {over}")

    print()
    print(f"| {'measure':<40} | {'measured':>9} | {'target':>10} | ok   | note")
    print(f"|{'-' * 42}|{'-' * 11}|{'-' * 12}|------|------")
    for key, (value, note) in results.items():
        print(show(key, value, note))
    missed = [k for k, (v, _) in results.items() if verdict(k, v) == "FAIL"]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
