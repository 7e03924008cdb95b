"""The site in headless Chromium, once, on representative pages: the language switcher,
search in both languages, dark mode, a notebook's output and download, and screenshots.

tests/test_browser.py holds the browser set-up and visits every page; this file is apart
so that `make test`'s second pytest worker runs it (with its own Chromium) while the first
visits every page.
"""

from __future__ import annotations

import base64

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.pages import ROOT
from tests.test_browser import WAIT, open_page

SCREENSHOTS = ROOT / ".artifacts" / "screenshots"


# --- Once, on representative pages ---------------------------------------------------

def click(browser, element) -> None:
    """Click like a reader; Material hides some controls in menus, so click through JS."""
    browser.execute_script("arguments[0].click()", element)


@pytest.mark.parametrize(("start", "lang", "landing"), [
    ("losses/cross_entropy/", "zh", "zh/losses/cross_entropy/"),
    ("zh/init/variance/", "en", "init/variance/"),
    ("zh/notebooks/fresh_classifier_loss/", "en", "notebooks/fresh_classifier_loss/"),
])
def test_language_switcher_leads_to_the_same_page(driver, base_url, start, lang, landing):
    open_page(driver, base_url + start)
    link = driver.find_element(By.CSS_SELECTOR, f"a.md-select__link[hreflang='{lang}']")
    click(driver, link)
    WebDriverWait(driver, WAIT).until(lambda b: b.current_url != base_url + start)
    assert driver.current_url == base_url + landing


def search(browser, base_url: str, start: str, query: str) -> list[str]:
    """Type a query into Material's search box; the pages it lists, site-relative."""
    open_page(browser, base_url + start)
    box = browser.find_element(By.CSS_SELECTOR, "input.md-search__input")
    click(browser, browser.find_element(By.CSS_SELECTOR, "label.md-header__button[for=__search]"))
    box.send_keys(query)
    results = "ol.md-search-result__list > li a.md-search-result__link"
    wait = WebDriverWait(browser, WAIT, poll_frequency=0.05)
    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, results))
    links = [a.get_attribute("href").removeprefix(base_url).split("?")[0]
             for a in browser.find_elements(By.CSS_SELECTOR, results)]
    box.send_keys(Keys.ESCAPE)
    return list(dict.fromkeys(links))  # the pages found, best first


@pytest.mark.parametrize(("start", "query", "expected"), [
    ("", "ignore_index", "losses/cross_entropy/"),
    ("", "speech", "losses/ctc_and_fused/"),  # "(speech": punctuation splits words
    ("", "void", "losses/cross_entropy/"),  # '"void"'
    ("zh/", "交叉熵", "zh/losses/cross_entropy/"),
    ("zh/", "初始化", "zh/init/variance/"),
    ("zh/", "void", "zh/losses/cross_entropy/"),  # “void”, full-width quotes
])
def test_search_finds_the_right_pages(driver, base_url, start, query, expected):
    # One index per language (hooks/search_index.py); jieba segments the Chinese text at
    # build time.
    pages = search(driver, base_url, start, query)
    assert expected in pages[:8], pages


@pytest.mark.parametrize("start", ["", "zh/", "losses/margin/", "zh/losses/margin/"])
def test_search_results_stay_in_the_page_s_language(driver, base_url, start):
    pages = search(driver, base_url, start, "CrossEntropyLoss")  # a word of both languages
    assert len(pages) > 3, pages
    chinese = [p for p in pages if p.startswith("zh/")]
    assert chinese == (pages if start.startswith("zh/") else []), pages


INDEX_REQUESTS_JS = """
return performance.getEntriesByType("resource")
  .map(e => new URL(e.name).pathname).filter(p => p.endsWith("search_index.json"));
"""


@pytest.mark.parametrize(("start", "index"), [
    ("init/variance/", "/search/search_index.json"),
    ("zh/init/variance/", "/zh/search/search_index.json"),
    ("zh/", "/zh/search/search_index.json"),
])
def test_a_page_downloads_only_its_language_s_index(driver, base_url, start, index):
    open_page(driver, base_url + start)
    WebDriverWait(driver, WAIT).until(lambda b: b.execute_script(INDEX_REQUESTS_JS))
    assert driver.execute_script(INDEX_REQUESTS_JS) == [index]


def scheme(browser) -> str:
    return browser.execute_script("return document.body.dataset.mdColorScheme")


def toggle_palette(browser) -> None:
    before = scheme(browser)
    labels = browser.find_elements(By.CSS_SELECTOR, "form[data-md-component=palette] label")
    click(browser, next(label for label in labels if label.is_displayed()))
    WebDriverWait(browser, WAIT).until(lambda b: scheme(b) != before)


def test_dark_mode_toggles(driver, base_url):
    open_page(driver, base_url + "losses/cross_entropy/")
    assert scheme(driver) == "default"
    toggle_palette(driver)
    assert scheme(driver) == "slate"
    background = driver.execute_script(
        "return getComputedStyle(document.body).backgroundColor")
    toggle_palette(driver)
    assert scheme(driver) == "default"
    assert background != driver.execute_script(
        "return getComputedStyle(document.body).backgroundColor")


@pytest.mark.parametrize("lang", ["", "zh/"])
def test_notebook_shows_output_and_offers_its_ipynb(driver, base_url, lang):
    open_page(driver, base_url + lang + "notebooks/fresh_classifier_loss/")
    outputs = driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output pre")
    assert any("first loss of 20 fresh models: mean" in o.text for o in outputs)
    images = driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output img")
    assert images and all(driver.execute_script("return arguments[0].naturalWidth", i) > 100
                          for i in images)
    link = driver.find_element(By.CSS_SELECTOR, "a[download][href$='.ipynb']")
    assert link.is_displayed()
    notebook = driver.execute_async_script(
        "fetch(arguments[0]).then(r => r.json()).then(arguments[1])",
        link.get_attribute("href"))
    assert notebook["nbformat"] == 4 and notebook["cells"]


# Layout shift: Chrome's "layout-shift" performance entries, buffered from the start of
# the load. Formulas are HTML from the build (hooks/formulas.py), so nothing in the page's
# content should move once it is laid out. Material's header and sidebars do adjust once
# its script runs (the search box, the scrollbar): those shifts are not the content's, so
# only sources inside .md-content whose box moved or resized are collected.
LAYOUT_SHIFT_JS = """
const done = arguments[arguments.length - 1];
const moved = [];
const same = (a, b) => a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    for (const s of entry.sources) {
      const node = s.node && (s.node.nodeType === 1 ? s.node : s.node.parentElement);
      if (node && node.closest(".md-content") && !same(s.previousRect, s.currentRect)) {
        const math = !!(node.closest(".katex") || node.querySelector(".katex"));
        const text = (node.textContent || "").slice(0, 40);
        moved.push([`${node.tagName}.${node.className}: ${text}`, math]);
      }
    }
  }
}).observe({type: "layout-shift", buffered: true});
setTimeout(() => done(moved), 1500);
"""


def content_moves(browser, url: str, with_math: bool = False) -> list:
    """The elements of a page's content that moved after they were first laid out (with
    ``with_math``: [element, whether it is, holds or sits in a formula] pairs)."""
    open_page(browser, url)
    browser.set_script_timeout(WAIT)
    moved = browser.execute_async_script(LAYOUT_SHIFT_JS)
    return moved if with_math else [element for element, _ in moved]


@pytest.mark.parametrize("path", [
    "init/variance/", "zh/losses/distributions/", "init/variance/#kaiming-he-initialization",
    "zh/init/deep_networks/#mup", "notebooks/init_std_per_layer/",
])
def test_formulas_cause_no_layout_shift(driver, base_url, path):
    assert content_moves(driver, base_url + path) == []


FONT_REQUESTS_JS = """
return performance.getEntriesByType("resource")
  .filter(e => e.name.endsWith(".woff2"))
  .map(e => [e.name.split("/").pop(), e.initiatorType]);
"""


@pytest.mark.parametrize("path", [
    "init/variance/", "losses/binary_cross_entropy/", "zh/beyond/segmentation/",
    "notebooks/init_std_per_layer/",
])
def test_every_font_a_page_loads_was_preloaded(driver, base_url, path):
    # With the cache off, a font the page needs but did not preload is requested by the
    # stylesheet ("css") when the first glyph needs it, late enough to reflow the formula.
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    try:
        open_page(driver, base_url + path)
        fonts = driver.execute_script(FONT_REQUESTS_JS)
    finally:
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
    assert fonts, "no KaTeX font requested: the check would be vacuous"
    assert [name for name, initiator in fonts if initiator != "link"] == []


def test_the_font_check_sees_a_font_that_was_not_preloaded(driver, built_site, tmp_path):
    from hooks import formulas
    from tests.test_browser import serve

    (tmp_path / "assets").symlink_to(built_site / "assets")
    formula = formulas.render_page('<span class="arithmatex">\\(x^2\\)</span>', "p.md")
    page = ('<!DOCTYPE html><html><head><link rel="stylesheet" href="assets/katex/'
            f'katex.min.css"></head><body>{formula}</body></html>')
    (tmp_path / "late.html").write_text(page, encoding="utf-8")
    (tmp_path / "early.html").write_text(formulas.preload_fonts(page), encoding="utf-8")
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    try:
        with serve(tmp_path) as url:
            initiators = {}
            for name in ("late", "early"):
                open_page(driver, f"{url}{name}.html", 1)
                initiators[name] = {i for _, i in driver.execute_script(FONT_REQUESTS_JS)}
    finally:
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
    assert initiators == {"late": {"css"}, "early": {"link"}}


def test_the_layout_shift_check_sees_a_shift(driver, tmp_path):
    # Content whose script inserts a block above the text after load: it moves.
    (tmp_path / "shift.html").write_text(
        "<!DOCTYPE html><html><body class='md-content'><p>text</p><script>"
        "setTimeout(() => document.body.insertAdjacentHTML("
        "'afterbegin', '<div style=\"height:300px\"></div>'), 800)</script></body></html>",
        encoding="utf-8")
    from tests.test_browser import serve

    with serve(tmp_path) as url:
        moved = content_moves(driver, url + "shift.html")
    assert moved and moved[0].startswith("BODY.md-content: text")


SCREENSHOT_PAGES = ["losses/cross_entropy/", "init/variance/"]


def full_page_png(browser) -> bytes:
    """A screenshot of the whole page, not only the viewport (CDP Page.captureScreenshot)."""
    width, height = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 16000), "scale": 1},
    })
    return base64.b64decode(shot["data"])


@pytest.mark.parametrize("lang", ["", "zh/"])
@pytest.mark.parametrize("page", SCREENSHOT_PAGES)
def test_screenshots(driver, base_url, page, lang):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    open_page(driver, base_url + lang + page)
    name = f"{(lang or 'en/').rstrip('/')}-{page.strip('/').replace('/', '-')}"
    for palette in ("light", "dark"):
        if palette == "dark":
            toggle_palette(driver)
        overflowing = driver.execute_script(
            "return document.documentElement.scrollWidth > window.innerWidth")
        (SCREENSHOTS / f"{name}-{palette}.png").write_bytes(full_page_png(driver))
        assert not overflowing, f"{name} is wider than the window"
    toggle_palette(driver)  # back to light for the tests that follow


GLYPH_WIDTHS_JS = """
const probe = document.createElement("span");
probe.style.whiteSpace = "pre";
(document.querySelector("article p") || document.body).appendChild(probe);
const width = text => { probe.textContent = text; return probe.getBoundingClientRect().width; };
const widths = ["“", "”", "……", "——", "中"].map(width);
probe.remove();
return widths;
"""


def test_chinese_quotation_marks_are_full_width(driver, base_url):
    """docs/assets/extra.css takes “”, …… and —— from the CJK font on Chinese pages; the
    English page keeps its narrow Latin quotes (so the check can tell them apart)."""
    open_page(driver, base_url + "zh/losses/basics/")
    *marks, han = driver.execute_script(GLYPH_WIDTHS_JS)
    assert [round(m / han, 2) for m in marks] == [1.0, 1.0, 2.0, 2.0]
    open_page(driver, base_url + "losses/basics/")
    *marks, han = driver.execute_script(GLYPH_WIDTHS_JS)
    assert marks[0] < 0.7 * han
