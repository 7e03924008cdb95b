"""The built site in a real browser: headless Chromium (Debian's) driven by Selenium.

One Chromium per pytest worker (the ``driver`` fixture) and one local HTTP server
(``base_url``), both in tests/conftest.py. Every page of both languages is loaded once
(``visits``), and what the browser saw is recorded: console errors, every request it
sent (Chrome's performance log, i.e. CDP ``Network`` events), the KaTeX formulas it drew,
the copy buttons Material added, and what an accessibility audit (axe-core, from npm,
injected from ``node_modules``) found in the light and the dark colour scheme. The tests
below then check those records.

The interactions on representative pages (language switcher, search, dark mode, a
notebook) and the screenshots are in tests/test_browser_features.py.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium import webdriver  # pinned in requirements.txt: a missing browser fails, never skips
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

from hooks import formulas as math_hook
from tests.pages import ROOT

LOCAL_HOST = "127.0.0.1"
WAIT = 15  # seconds an explicit wait may take before the test fails

# What the page shows once Material's scripts have run (the formulas are KaTeX HTML from
# the build, hooks/formulas.py: no script draws them). Material 9.8 puts its
# copy button (``button.md-code__button[data-md-type=copy]``, the former ``.md-clipboard``)
# into each ``pre`` and points it at that block's code.
STATE_JS = """
const article = document.querySelector("article.md-content__inner") || document.body;
const roots = [...article.querySelectorAll(".katex")]
  .filter(e => !e.parentElement.closest(".katex"));
const prose = article.cloneNode(true);
prose.querySelectorAll("pre, code, script, style, .katex, .jp-OutputArea").forEach(e => e.remove());
const blocks = [...article.querySelectorAll("pre > code")]
  .filter(c => !c.closest(".jupyter-wrapper"));
return {
  ready: document.readyState === "complete",
  katex: roots.length,
  display: roots.filter(e => e.closest(".katex-display")).length,
  errors: article.querySelectorAll(".katex-error").length,
  raw: ["$$", "\\\\(", "\\\\["].filter(d => prose.textContent.includes(d)),
  code: blocks.length,
  copy: blocks.filter(c => c.parentElement.querySelector(
    `button[data-md-type=copy][data-clipboard-target="#${c.parentElement.id} > code"]`)).length,
};
"""


ARITHMATEX = re.compile(r'<(?:span|div) class="arithmatex">')


def source_formulas(html: str) -> int:
    """How many formulas the built HTML holds: arithmatex elements (hooks/formulas.py puts a
    notebook's rendered formulas in one too), plus any $...$ left in a notebook cell."""
    return len(ARITHMATEX.findall(html)) + len(math_hook._notebook_spans(html))


def site_pages(site: Path) -> list[str]:
    """URL paths of every page of the built site, both languages, from the files built."""
    folders = (p.parent.relative_to(site).as_posix() for p in site.rglob("index.html"))
    return sorted("" if folder == "." else folder + "/" for folder in folders)


def requested_urls(performance_log: list[dict]) -> list[str]:
    """URLs, from Chrome's performance log, of every request the page sent."""
    urls = []
    for entry in performance_log:
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def foreign_requests(performance_log: list[dict]) -> list[str]:
    """URLs, from Chrome's performance log, of requests to any host but 127.0.0.1."""
    return [url for url in requested_urls(performance_log)
            if (parts := urlsplit(url)).scheme not in ("data", "blob", "about")
            and parts.hostname != LOCAL_HOST]


def sitemap_requests(performance_log: list[dict]) -> list[str]:
    """URLs of ``sitemap.xml`` requests: Material fetches one for every head link it takes
    for the root of another version of the site (hooks/alternates.py)."""
    return [url for url in requested_urls(performance_log)
            if urlsplit(url).path.endswith("/sitemap.xml")]


def test_foreign_requests_reads_the_performance_log():
    def sent(url):
        event = {"method": "Network.requestWillBeSent", "params": {"request": {"url": url}}}
        return {"message": json.dumps({"message": event})}

    log = [sent("http://127.0.0.1:8123/assets/x.js"), sent("data:image/png;base64,AA"),
           sent("https://fonts.example.com/css"), sent("http://localhost:8123/"),
           {"message": json.dumps({"message": {"method": "Network.dataReceived",
                                               "params": {}}})}]
    assert foreign_requests(log) == ["https://fonts.example.com/css", "http://localhost:8123/"]


def test_source_formulas_counts_arithmatex_and_notebook_math():
    html = ('<span class="arithmatex">\\(x\\)</span><div class="arithmatex">\\[y\\]</div>'
            '<div class="jp-RenderedMarkdown"><p>near $\\ln 2$ and $$a$$</p></div>'
            '<pre>costs $5</pre>')
    assert source_formulas(html) == 4
    assert source_formulas(math_hook.render_page(html, "p.md")) == 4


class _QuietHandler(SimpleHTTPRequestHandler):
    search_index: bytes | None = None  # if set, served instead of search/search_index.json

    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass

    def do_GET(self):  # noqa: N802 - the name of the base class's method
        if self.search_index is not None and self.path.endswith("/search/search_index.json"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.search_index)))
            self.end_headers()
            self.wfile.write(self.search_index)
            return
        super().do_GET()


def empty_search_index(site: Path) -> bytes:
    """The site's search index with its configuration and no documents."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return json.dumps({"config": index["config"], "docs": []}).encode()


@contextlib.contextmanager
def serve(site: Path, search_index: bytes | None = None):
    """Serve `site` on 127.0.0.1 (a free port) from a thread; yields the base URL.
    `search_index`, if given, is served in place of the site's search index."""
    handler_class = type("Handler", (_QuietHandler,), {"search_index": search_index})
    handler = functools.partial(handler_class, directory=str(site))
    server = ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def start_chromium() -> webdriver.Chrome:
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and chromedriver):
        pytest.fail("Chromium is missing: `apt-get install -y chromium chromium-driver` "
                    "(.ci/run does it) and run `make test` again.")
    # Explicit paths: Selenium Manager never tries to download a browser or a driver.
    service = webdriver.ChromeService(executable_path=chromedriver)
    browser = webdriver.Chrome(options=chromium_options(), service=service)
    browser.set_page_load_timeout(WAIT)
    return browser


# Headless Chromium reports a device that can neither hover nor point finely (the
# media queries "(hover)" and "(pointer: fine)" do not match), unlike the 1280x900
# desktop window it stands for; Material then treats it as a touch screen and leaves
# code blocks that scroll out of the tab order. Blink's settings make it a mouse
# (HoverType 2: hover; PointerType 4: fine).
DESKTOP_POINTER = ("--blink-settings=primaryHoverType=2,availableHoverTypes=2,"
                   "primaryPointerType=4,availablePointerTypes=4")


def chromium_options() -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1280,900",
                 "--lang=en-US", DESKTOP_POINTER):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return options


def page_state(browser) -> dict:
    return browser.execute_script(STATE_JS)


def open_page(browser, url: str, timeout: float = WAIT) -> dict:
    """Load a page and wait until KaTeX and Material's copy buttons are done with it."""
    browser.get(url)
    wait = WebDriverWait(browser, timeout, poll_frequency=0.05)
    try:
        wait.until(lambda b: (s := page_state(b))["ready"] and s["copy"] >= s["code"])
    except TimeoutException:
        pass  # the assertions report what the page looks like
    return page_state(browser)


# --- Accessibility: axe-core (package.json pins it; `npm ci` installs it) ----------

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")  # the impacts a page may not have
AXE_TIMEOUT = 120  # seconds one audit may take (a long page on a busy machine: ~10 s)

AXE_RUN_JS = """
const [rules, include, blocking, done] = arguments;
const options = {resultTypes: ["violations"]};
if (rules) options.runOnly = {type: "rule", values: rules};
axe.run(include ? {include: [[include]]} : document, options).then(
  results => done(results.violations.filter(v => blocking.includes(v.impact)).map(v => ({
    rule: v.id, impact: v.impact,
    targets: v.nodes.map(n => n.target.join(" ")),
    summary: v.nodes[0].failureSummary.replace(/\\s+/g, " "),
  }))),
  error => done([{rule: "axe-error", impact: "critical", targets: [], summary: String(error)}]));
"""

# Material's palette toggle sets its palette's data-md-color-* attributes on <body>; ours
# differ in the scheme only (same primary and accent). The toggle also stores the choice,
# which would carry it to the next page, so the audit sets the attribute itself. Colours
# change through CSS transitions: the audit waits until none is running.
SCHEME_JS = """
const [scheme, done] = arguments;
document.body.setAttribute("data-md-color-scheme", scheme);
const settled = () => document.getAnimations().some(a => a.playState === "running")
  ? requestAnimationFrame(settled) : done();
requestAnimationFrame(settled);
"""

# The rules whose results depend on the colours, run again in the dark scheme.
DARK_RULES = ["color-contrast", "link-in-text-block"]

# Which elements the dark scheme's audit of this page has to look at: the visible ones
# with text of their own whose kind no earlier page's dark audit has seen. An element's
# colours come from the CSS rules that match it and its ancestors, and this site's CSS
# (Material's, KaTeX's, JupyterLab's, ours) selects by tag, class and attribute: its kind
# is, for itself and each ancestor, the tag, the classes, the names of the attributes and
# an inline style that sets a colour. Each new kind's element gets `data-a11y-dark`; the
# kinds come back as 64-bit hashes, for the next page. Every page is visited in the dark
# scheme, and every kind of text on the site is checked there once.
NEW_KINDS_JS = """
const known = new Set(arguments[0]);
const fnv = (text, seed) => {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
};
const kind = element => {
  const parts = [];
  for (let e = element; e; e = e.parentElement) {
    const names = [...e.attributes].map(a => a.name)
      .filter(n => !["id", "class", "style"].includes(n)).sort();
    const style = e.getAttribute("style") || "";
    parts.push(e.localName + [...e.classList].sort().map(c => "." + c).join("")
      + `[${names.join(" ")}]` + (/color|background|opacity|filter/i.test(style) ? style : ""));
  }
  return parts.join(" < ");
};
const fresh = [];
for (const element of document.body.querySelectorAll("*")) {
  const text = element.matches("input, select, textarea")
    || [...element.childNodes].some(c => c.nodeType === 3 && c.textContent.trim());
  if (!text || !element.checkVisibility({opacityProperty: true, visibilityProperty: true})) {
    continue;
  }
  const k = kind(element), hash = fnv(k, 2166136261) + fnv(k, 84696351);
  if (known.has(hash)) continue;
  known.add(hash);
  fresh.push(hash);
  element.setAttribute("data-a11y-dark", "");
}
return fresh;
"""


@functools.cache
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does it)")
    return AXE.read_text(encoding="utf-8")


def audit(browser, rules: list[str] | None = None, include: str | None = None) -> list[dict]:
    """axe-core's serious and critical violations on the loaded page (all its rules, or
    only `rules`; in the whole document, or in the elements `include` selects, and what
    they hold): rule id, impact, the selectors of the elements, and why the first fails.
    axe is injected from disk: the page requests nothing for it."""
    browser.set_script_timeout(AXE_TIMEOUT)
    if not browser.execute_script("return typeof axe !== 'undefined'"):
        browser.execute_script(axe_source())
    return browser.execute_async_script(AXE_RUN_JS, rules, include, BLOCKING)


def audit_both_schemes(browser, seen: set[str] | None = None) -> dict[str, list[dict]]:
    """Every rule on the whole page in the light scheme, then the colour rules again in the
    dark one: on the whole page, or, given the kinds of text that earlier pages' dark
    audits `seen` (which this one adds to), on the elements of kinds not seen yet
    (NEW_KINDS_JS). The page is left in the dark scheme."""
    light = audit(browser)
    browser.execute_async_script(SCHEME_JS, "slate")
    if seen is None:
        return {"light": light, "dark": audit(browser, DARK_RULES)}
    fresh = browser.execute_script(NEW_KINDS_JS, sorted(seen))
    seen.update(fresh)
    return {"light": light, "dark": audit(browser, DARK_RULES, "[data-a11y-dark]") if fresh else []}


def accessibility_report(audits: dict[str, dict[str, list[dict]]]) -> list[str]:
    """One line per violation: rule, scheme, page, and the elements (the first few)."""
    lines = []
    for page, schemes in audits.items():
        for scheme, violations in schemes.items():
            for v in violations:
                shown = ", ".join(v["targets"][:4]) + (" ..." if len(v["targets"]) > 4 else "")
                lines.append(f"{v['rule']} ({v['impact']}, {scheme}) on /{page}: "
                             f"{len(v['targets'])} element(s): {shown}; {v['summary'][:160]}")
    return lines


@pytest.fixture(scope="session")
def visits(driver, built_site) -> dict[str, dict]:
    """Every page of the site, loaded once: what the browser logged and rendered.

    The pages are served with an empty search index (same configuration, no documents).
    Material's search worker fetches the index and builds it on every page load; with
    the real ~1 MB index that was a third of these visits' time, and nothing here
    searches. Search runs on the real index in tests/test_browser_features.py.
    """
    driver.get_log("browser"), driver.get_log("performance")  # start from empty logs
    records, seen = {}, set()  # seen: the kinds of text checked in the dark scheme
    with serve(built_site, search_index=empty_search_index(built_site)) as base_url:
        for path in site_pages(built_site):
            records[path] = _visit(driver, base_url, built_site, path, seen)
    return records


def _visit(driver, base_url: str, built_site: Path, path: str, seen: set[str]) -> dict:
    """Load one page; what it rendered, logged and requested, and its audit (run before
    the logs are read, so a request or an error of the audit's would be seen too)."""
    state = open_page(driver, base_url + path)
    before = len(seen)
    state["a11y"] = audit_both_schemes(driver, seen)
    state["dark_kinds"] = len(seen) - before
    html = (built_site / path / "index.html").read_text(encoding="utf-8")
    state["source"] = source_formulas(html)
    state["console"] = [e["message"] for e in driver.get_log("browser")
                        if e["level"] == "SEVERE"]
    log = driver.get_log("performance")
    state["foreign"], state["sitemaps"] = foreign_requests(log), sitemap_requests(log)
    return state


def test_every_page_was_visited_in_both_languages(visits):
    english = {p for p in visits if not p.startswith("zh/")}
    chinese = {p.removeprefix("zh/") for p in visits if p.startswith("zh/")}
    assert english == chinese and len(english) > 10
    assert "notebooks/fresh_classifier_loss/" in english


def test_no_console_errors(visits):
    assert {p: v["console"] for p, v in visits.items() if v["console"]} == {}


def test_no_request_leaves_127_0_0_1(visits):
    assert {p: v["foreign"] for p, v in visits.items() if v["foreign"]} == {}


def test_no_page_view_requests_a_sitemap(visits):
    # Each page's head names its own translations (hreflang); Material must not take them
    # for version roots and fetch <page>/sitemap.xml (hooks/alternates.py).
    assert {p: v["sitemaps"] for p, v in visits.items() if v["sitemaps"]} == {}


def test_material_s_stock_bundle_requests_page_sitemaps_and_ours_does_not(
        driver, built_site, tmp_path):
    """The sitemap check sees the requests the hook prevents: a page with its hreflang
    links and Material's unpatched bundle asks for <page>/sitemap.xml; with the built
    (patched) bundle it does not."""
    import material

    from tests.test_static import site_url

    page = built_site / "zh/init/variance/index.html"
    html = page.read_text(encoding="utf-8")
    bundle = next((built_site / "assets/javascripts").glob("bundle.*.min.js"))
    stock = Path(material.__file__).parent / "templates/assets/javascripts" / bundle.name
    seen = {}
    for name, source in (("stock", stock), ("built", bundle)):
        folder = tmp_path / name / "zh/init/variance"
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(html, encoding="utf-8")
        scripts = tmp_path / name / "assets/javascripts"
        scripts.mkdir(parents=True)
        (scripts / bundle.name).write_text(source.read_text(encoding="utf-8"),
                                           encoding="utf-8")
        with serve(tmp_path / name) as url:
            # the head links point at site_url: point them here, so that no fetch leaves
            (folder / "index.html").write_text(html.replace(site_url(built_site), url),
                                               encoding="utf-8")
            driver.get_log("performance")
            driver.get(url + "zh/init/variance/")
            WebDriverWait(driver, WAIT).until(
                lambda b: b.execute_script("return document.readyState") == "complete")
            driver.execute_script("return new Promise(r => setTimeout(r, 300))")
            seen[name] = sorted({urlsplit(u).path
                                 for u in sitemap_requests(driver.get_log("performance"))})
    assert seen == {"stock": ["/init/variance/sitemap.xml", "/zh/init/variance/sitemap.xml"],
                    "built": []}


def test_every_formula_is_rendered_by_katex(visits):
    wrong = {p: {k: v[k] for k in ("source", "katex", "errors", "raw")}
             for p, v in visits.items()
             if v["katex"] != v["source"] or v["errors"] or v["raw"]}
    assert wrong == {}
    assert sum(v["katex"] for v in visits.values()) > 100
    assert sum(v["display"] for v in visits.values()) > 10


def test_every_code_block_has_a_copy_button(visits):
    missing = {p: f"{v['copy']} of {v['code']}" for p, v in visits.items()
               if v["copy"] != v["code"]}
    assert missing == {}
    assert sum(v["code"] for v in visits.values()) > 50


def test_no_page_has_a_serious_accessibility_violation(visits):
    # axe-core on every page of both languages: all rules in the light scheme, the colour
    # rules in the dark one too; none of impact "serious" or "critical".
    assert accessibility_report({p: v["a11y"] for p, v in visits.items()}) == []
    assert sum(v["dark_kinds"] for v in visits.values()) > 500  # the dark audit saw text


def test_the_audit_finds_a_missing_alt_and_low_contrast_in_either_scheme(driver, tmp_path):
    # An image without alt text (axe: image-alt, critical), grey text on white (3.5:1,
    # color-contrast, serious) and text that is readable only in the light scheme; then a
    # second page with the same text, seen already in the dark scheme, and a new kind.
    style = ("<style>.pale { color: #888; } [data-md-color-scheme=slate] .night, "
             "[data-md-color-scheme=slate] .dusk { color: #333; background: #222; }</style>")
    for name, body in {
        "index.html": "<p class='night'>Readable in the light scheme only.</p>"
                      "<p class='pale'>Grey on white.</p>"
                      "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='>",
        "next.html": "<p class='night'>The same kind.</p><p class='dusk'>A new kind.</p>",
    }.items():
        (tmp_path / name).write_text(
            f'<!DOCTYPE html><html lang="en"><head><title>Broken</title>{style}</head>'
            f"<body data-md-color-scheme='default'><main><h1>A page</h1>{body}</main></body>"
            "</html>", encoding="utf-8")
    seen: set[str] = set()
    found = {}
    with serve(tmp_path) as url:
        for page in ("", "next.html"):
            open_page(driver, url + page, 1)
            found[page] = audit_both_schemes(driver, seen)
        open_page(driver, url + "next.html", 1)
        whole = audit_both_schemes(driver)  # no kinds seen: the whole page

    def targets(audits):
        return {scheme: {v["rule"]: v["targets"] for v in audits[scheme]} for scheme in audits}

    assert targets(found[""]) == {
        "light": {"image-alt": ["img"], "color-contrast": [".pale"]},
        "dark": {"color-contrast": [".night", ".pale"]},
    }
    assert targets(found["next.html"]) == {"light": {}, "dark": {"color-contrast": [".dusk"]}}
    assert targets(whole)["dark"] == {"color-contrast": [".night", ".dusk"]}
    report = "\n".join(accessibility_report({"broken/": found[""]}))
    assert "image-alt (critical, light) on /broken/: 1 element(s): img; Fix any" in report
    assert report.count("\n") == 2  # three lines: image-alt, and contrast in each scheme


def test_the_page_checks_fail_on_a_broken_page(driver, built_site, tmp_path):
    """A page with every fault the per-page checks look for: each one is seen."""
    (tmp_path / "assets").symlink_to(built_site / "assets")
    rendered = math_hook.render_page('<span class="arithmatex">\\(x^2\\)</span>', "p.md")
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="assets/katex/katex.min.css">'
        '</head><body><article class="md-content__inner">'
        f"{rendered}"
        '<div class="arithmatex">\\[\\frac{1}{\\]</div>'  # left unrendered
        "<p>a formula left as text: $$ a + b</p>"
        "<pre id='c'><code>print(1)</code></pre>"
        '<img src="http://example.invalid/tracker.png" alt="">'
        "</article>"
        '<script>console.error("boom")</script></body></html>', encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        driver.get_log("browser"), driver.get_log("performance")
        # No copy button will ever come: wait a moment, not the full WAIT.
        state = open_page(driver, f"http://{LOCAL_HOST}:{server.server_address[1]}/", 1)
        console = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        foreign = foreign_requests(driver.get_log("performance"))
    finally:
        server.shutdown()
        server.server_close()
    assert source_formulas((tmp_path / "index.html").read_text(encoding="utf-8")) == 2
    # One formula drawn, one left as source text (and a stray $$ in the prose).
    assert (state["katex"], state["raw"]) == (1, ["$$", "\\["])
    assert (state["code"], state["copy"]) == (1, 0)
    assert any("boom" in message for message in console)
    assert set(foreign) == {"http://example.invalid/tracker.png"}
