"""Static checks on the built site and the sources, each with a test proving it can fail.

* Links: every local ``href``/``src`` of every built page points to a file that exists,
  and every ``#fragment`` to an ``id`` on the page it points to. External links are not
  followed; ``test_site.py`` and ``test_browser.py`` prove none is loaded as a resource.
* Snippets: every section of every module under ``snippets/`` is included by some page.
* Navigation: every built page of each language is linked from that language's nav.
* Heads: the sitemap lists every page of both languages (notebooks included) under the
  site's URL; every page names itself and its translation with absolute ``hreflang``
  links, plus ``x-default`` (hooks/alternates.py), the 404 page none; and no page carries
  an empty ``<script>``.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.pages import DOCS, ROOT, includes, markdown_pages, sections

SKIPPED_SCHEMES = ("http", "https", "mailto", "data", "javascript", "tel")


class _Links(HTMLParser):
    """The ids of a page, and every URL it links to or loads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.urls: list[str] = []
        self.nav: list[str] = []  # links of Material's primary navigation
        self._nav_depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key) and (key == "id" or tag == "a"):
                self.ids.add(a[key])
        for key in ("href", "src"):
            if a.get(key) is not None and not (tag == "link" and a.get("rel") == "canonical"):
                self.urls.append(a[key])
        classes = (a.get("class") or "").split()
        if self._nav_depth:
            self._nav_depth += tag == "nav"
            if tag == "a" and a.get("href") is not None:
                self.nav.append(a["href"])
        elif tag == "nav" and "md-nav--primary" in classes:
            self._nav_depth = 1

    def handle_endtag(self, tag):
        if self._nav_depth and tag == "nav":
            self._nav_depth -= 1


@functools.cache
def parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


def resolve(site: Path, page: Path, url: str) -> tuple[Path, str] | None:
    """The file a local URL of ``page`` points to, and its fragment; None if external."""
    parts = urlsplit(url)
    if parts.scheme in SKIPPED_SCHEMES or url.startswith("//"):
        return None
    path = unquote(parts.path)
    if not path:
        target = page
    else:
        base = site if path.startswith("/") else page.parent
        target = (base / path.lstrip("/")).resolve()
        if path.endswith("/") or target.is_dir():
            target = target / "index.html"
    return target, unquote(parts.fragment)


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def broken_links(site: Path) -> list[str]:
    """``page: url (why)`` for every local link or resource that leads nowhere."""
    site = site.resolve()
    broken = []
    for page in html_pages(site):
        for url in parse(page).urls:
            found = resolve(site, page, url)
            if found is None:
                continue
            target, fragment = found
            name = page.relative_to(site).as_posix()
            if not target.is_file() or not target.is_relative_to(site):
                broken.append(f"{name}: {url} (no such file)")
            elif fragment and target.suffix == ".html" and fragment not in parse(target).ids:
                broken.append(f"{name}: {url} (no id {fragment!r})")
    return broken


def unused_sections(pages: list[Path], modules: list[Path], root: Path = ROOT) -> list[str]:
    """``module:section`` for every snippet section that no page includes."""
    used = {(path, section) for page in pages for path, section in includes(page)}
    unused = []
    for module in modules:
        rel = module.relative_to(root).as_posix()
        unused += [f"{rel}:{name}" for name in sections(module) if (rel, name) not in used]
    return unused


def orphan_pages(site: Path, lang_prefix: str = "") -> list[str]:
    """Pages of one language (``""`` or ``"zh/"``) that its home page's nav never links."""
    site = site.resolve()
    home = site / lang_prefix / "index.html"
    linked = set()
    for url in parse(home).nav:
        found = resolve(site, home, url)
        if found is not None:
            linked.add(found[0])
    other = [p for p in ("zh/",) if p != lang_prefix]
    pages = [p for p in (site / lang_prefix).rglob("index.html")
             if not any(p.relative_to(site).as_posix().startswith(o) for o in other)
             and p.parent != site / "search"]
    return sorted(p.relative_to(site).as_posix() for p in pages if p.resolve() not in linked)


SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
              "x": "http://www.w3.org/1999/xhtml"}
_CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')
_EMPTY_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>\s*</script>", re.I)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"[^"]+"|'[^']+'|[^\s"'>]+)""", re.I)


def site_url(site: Path) -> str:
    """The site's URL, as the home page's canonical link gives it."""
    return _CANONICAL.search((site / "index.html").read_text(encoding="utf-8"))[1]


def sitemap_problems(site: Path, url: str) -> list[str]:
    """Pages missing from sitemap.xml, URLs in it that are no page, and URLs not under url."""
    tree = ET.parse(site / "sitemap.xml")
    locs = [e.text or "" for e in tree.iterfind("s:url/s:loc", SITEMAP_NS)]
    hrefs = [e.get("href", "") for e in tree.iterfind("s:url/x:link", SITEMAP_NS)]
    pages = {url + p.parent.relative_to(site).as_posix().removeprefix(".") + "/"
             for p in site.rglob("index.html") if p.parent.name != "search"}
    pages = {p.replace(url + "/", url) for p in pages}
    problems = [f"not under {url}: {u}" for u in locs + hrefs if not u.startswith(url)]
    problems += [f"missing: {p}" for p in sorted(pages - set(locs))]
    problems += [f"no such page: {u}" for u in sorted(set(locs) - pages)]
    problems += [f"twice: {u}" for u in sorted({u for u in locs if locs.count(u) > 1})]
    return problems


_HREFLANG = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')
_ANY_ALTERNATE = re.compile(r'<link rel="alternate"[^>]*>')


def hreflang_problems(site: Path, url: str) -> list[str]:
    """Pages whose head does not name exactly their English and Chinese URLs (absolute,
    under ``url``) and x-default (the English one), and a 404 page that names any."""
    problems = []
    for page in html_pages(site):
        name = page.relative_to(site).as_posix()
        html = page.read_text(encoding="utf-8")
        found = {}
        for lang, href in _HREFLANG.findall(html):
            if lang in found:
                problems.append(f"{name}: {lang} twice")
            found[lang] = href
        if name == "404.html":
            problems += [f"404.html: {tag}" for tag in _ANY_ALTERNATE.findall(html)]
            base = urlsplit(url).path
            switcher = dict(re.findall(
                r'<a href="([^"]*)" hreflang="([^"]*)" class="md-select', html))
            if switcher and sorted(switcher) != [base, base + "zh/"]:
                problems.append(f"404.html: its switcher leads to {sorted(switcher)}")
            continue
        if len(_ANY_ALTERNATE.findall(html)) != len(found):
            problems.append(f"{name}: an alternate link in another form")
        path = page.parent.relative_to(site).as_posix().removeprefix(".")
        english = (path + "/").removeprefix("/").removeprefix("zh/")
        own = "zh" if (path + "/").startswith("zh/") else "en"
        lang = re.search(r'<html lang="([^"]+)"', html)
        if lang and lang[1] != own:
            problems.append(f"{name}: <html lang={lang[1]}> on a page of {own}")
        expected = {"en": url + english, "zh": url + "zh/" + english, "x-default": url + english}
        if found != expected:
            problems.append(f"{name}: {found} instead of {expected}")
    return problems


def empty_scripts(site: Path) -> list[str]:
    """``page: tag`` for every ``<script>`` with neither a source nor a body."""
    return [f"{page.relative_to(site).as_posix()}: {match[0]}"
            for page in html_pages(site)
            for match in _EMPTY_SCRIPT.finditer(page.read_text(encoding="utf-8"))
            if not _SRC.search(match["attrs"])]


# --- On the real site and sources ------------------------------------------------------

def test_no_broken_internal_link_or_anchor(built_site):
    assert broken_links(built_site) == []


def test_every_snippet_section_is_used_by_a_page():
    pages = [DOCS / p for p in markdown_pages("en") + markdown_pages("zh")]
    modules = sorted(p for p in (ROOT / "snippets").rglob("*.py")
                     if re.search(r"^\s*# --8<-- \[start:", p.read_text(encoding="utf-8"), re.M))
    assert modules, "no snippet module has sections: the check would be vacuous"
    assert unused_sections(pages, modules) == []


def test_every_page_is_in_the_navigation(built_site):
    assert orphan_pages(built_site, "") == []
    assert orphan_pages(built_site, "zh/") == []
    assert len(parse(built_site / "zh/index.html").nav) > 10


def test_the_sitemap_lists_every_page_of_both_languages(built_site):
    url = site_url(built_site)
    assert url.startswith("http") and "None" not in url
    assert sitemap_problems(built_site, url) == []
    text = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"{url}zh/notebooks/init_std_per_layer/" in text and "None" not in text


def test_every_page_names_its_translations_for_search_engines(built_site):
    url = site_url(built_site)
    assert hreflang_problems(built_site, url) == []
    html = (built_site / "zh/init/variance/index.html").read_text(encoding="utf-8")
    assert f'hreflang="en" href="{url}init/variance/"' in html


def test_no_page_has_an_empty_script_tag(built_site):
    assert empty_scripts(built_site) == []


# --- The checkers themselves: each must be able to fail --------------------------------

def _write(path: Path, html: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")


def test_broken_links_finds_missing_files_and_anchors(tmp_path):
    _write(tmp_path / "index.html", (
        '<h2 id="intro">Intro</h2><a href="#intro">ok</a><a href="#nope">bad anchor</a>'
        '<a href="a/">ok</a><a href="a/#part">ok</a><a href="a/#gone">bad anchor</a>'
        '<a href="missing/">bad page</a><img src="img/x.svg">'
        '<a href="https://example.com/x">external, not followed</a>'
        '<link rel="stylesheet" href="/assets/site.css">'))
    _write(tmp_path / "a/index.html", '<p id="part"><a href="../index.html#intro">ok</a>'
                                      '<a href="/#intro">ok</a></p>')
    _write(tmp_path / "assets/site.css", "")
    assert broken_links(tmp_path) == [
        "index.html: #nope (no id 'nope')",
        "index.html: a/#gone (no id 'gone')",
        "index.html: missing/ (no such file)",
        "index.html: img/x.svg (no such file)",
    ]


def test_unused_sections_finds_a_dead_section(tmp_path):
    module = tmp_path / "snippets/part/page.py"
    _write(module, "# --8<-- [start:setup]\nimport torch\n# --8<-- [end:setup]\n"
                   "# --8<-- [start:dead]\nprint(1)\n# --8<-- [end:dead]\n")
    page = tmp_path / "docs/part/page.md"
    _write(page, '```python\n--8<-- "snippets/part/page.py:setup"\n```\n')
    assert unused_sections([page], [module], root=tmp_path) == ["snippets/part/page.py:dead"]


def test_orphan_pages_finds_a_page_missing_from_the_nav(tmp_path):
    nav = '<nav class="md-nav md-nav--primary"><nav class="md-nav"><a href="a/">A</a></nav>' \
          '<a href="./">Home</a></nav><a href="b/">a link outside the nav</a>'
    _write(tmp_path / "index.html", nav)
    _write(tmp_path / "a/index.html", nav)
    _write(tmp_path / "b/index.html", nav)
    _write(tmp_path / "zh/index.html", '<nav class="md-nav--primary"><a href="./">首页</a></nav>')
    _write(tmp_path / "zh/c/index.html", "")
    assert orphan_pages(tmp_path, "") == ["b/index.html"]
    assert orphan_pages(tmp_path, "zh/") == ["zh/c/index.html"]


def test_ci_and_the_workflow_run_the_same_command():
    import yaml

    assert "\nmake test\n" in (ROOT / ".ci/run").read_text(encoding="utf-8")
    workflow = yaml.safe_load((ROOT / ".github/workflows/docs.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    steps = workflow["jobs"]["test"]["steps"]
    assert [s["run"] for s in steps if "run" in s and ".ci/run" in s["run"]] == ["bash .ci/run"]
    uses = [s.get("uses", "").split("@")[0] for job in workflow["jobs"].values()
            for s in job["steps"]]
    assert {"actions/upload-pages-artifact", "actions/deploy-pages",
            "actions/upload-artifact"} <= set(uses)


def test_sitemap_problems_finds_missing_foreign_and_unknown_urls(tmp_path):
    url = "https://example.org/book/"
    for page in ("index.html", "a/index.html", "zh/index.html", "zh/nb/index.html",
                 "search/index.html"):
        _write(tmp_path / page, "")
    entries = [f"{url}", f"{url}a/", "None/zh/", f"{url}gone/", f"{url}a/"]
    (tmp_path / "sitemap.xml").write_text(
        f'<urlset xmlns="{SITEMAP_NS["s"]}" xmlns:xhtml="{SITEMAP_NS["x"]}">'
        + "".join(f"<url><loc>{u}</loc><xhtml:link rel='alternate' href='{u}'/></url>"
                  for u in entries) + "</urlset>")
    assert sitemap_problems(tmp_path, url) == [
        "not under https://example.org/book/: None/zh/",
        "not under https://example.org/book/: None/zh/",
        "missing: https://example.org/book/zh/",
        "missing: https://example.org/book/zh/nb/",
        "no such page: None/zh/",
        "no such page: https://example.org/book/gone/",
        "twice: https://example.org/book/a/",
    ]


def test_hreflang_problems_finds_missing_relative_wrong_and_404_links(tmp_path):
    url = "https://example.org/book/"

    def head(*links):
        return "".join(f'<link rel="alternate" hreflang="{lang}" href="{href}">'
                       for lang, href in links)

    good = (("en", f"{url}a/"), ("zh", f"{url}zh/a/"), ("x-default", f"{url}a/"))
    _write(tmp_path / "a/index.html", head(*good))
    _write(tmp_path / "zh/a/index.html", head(*good))
    _write(tmp_path / "index.html", head(("en", url), ("zh", f"{url}zh/")))  # no x-default
    _write(tmp_path / "zh/index.html", head(("en", "../"), ("zh", "./"), ("x-default", "../")))
    _write(tmp_path / "zh/b/index.html", '<link rel="alternate" href="x/" hreflang="en">')
    _write(tmp_path / "404.html", head(("en", f"{url}nb/"))
           + '<a href="/book/nb/" hreflang="en" class="md-select__link">')
    _write(tmp_path / "zh/c/index.html", '<html lang="en">' + head(
        ("en", f"{url}c/"), ("zh", f"{url}zh/c/"), ("x-default", f"{url}c/")))
    found = hreflang_problems(tmp_path, url)
    assert [line.split(":")[0] for line in found] == [
        "404.html", "404.html", "index.html", "zh/b/index.html", "zh/b/index.html",
        "zh/c/index.html", "zh/index.html"]
    assert found[0].startswith("404.html: <link") and "switcher" in found[1]
    assert "<html lang=en>" in found[5]


def test_empty_scripts_finds_a_script_with_no_source_and_no_body(tmp_path):
    _write(tmp_path / "index.html", '<script src=""> </script><script src="a.js"></script>'
                                    "<script>let x = 1;</script><script></script>")
    assert empty_scripts(tmp_path) == ['index.html: <script src=""> </script>',
                                       "index.html: <script></script>"]


def test_the_alternates_hook_makes_links_absolute_and_refuses_an_unknown_bundle():
    from hooks.alternates import NARROWED, SELECTOR, absolute_alternates, narrow_alternate_selector

    head = ('  <link rel="alternate" href="../../../init/variance/" hreflang="en">\n'
            '  <link rel="alternate" href="./" hreflang="zh">\n')
    assert absolute_alternates(head, "https://example.org/book/zh/init/variance/") == (
        '  <link rel="alternate" hreflang="en" href="https://example.org/book/init/variance/">\n'
        '  <link rel="alternate" hreflang="zh" href="https://example.org/book/zh/init/variance/">\n'
        '  <link rel="alternate" hreflang="x-default" '
        'href="https://example.org/book/init/variance/">\n')
    assert absolute_alternates("<head></head>", "https://example.org/") == "<head></head>"
    bundle = f"a;{SELECTOR};b"
    assert narrow_alternate_selector(bundle) == f"a;{NARROWED};b"
    assert narrow_alternate_selector(f"a;{NARROWED};b") == f"a;{NARROWED};b"  # idempotent
    for unknown in ("a;b", f"{SELECTOR}{SELECTOR}", f"{SELECTOR}{NARROWED}"):
        with pytest.raises(ValueError, match="not once"):
            narrow_alternate_selector(unknown)


def test_the_404_page_s_switcher_leads_home():
    from hooks.alternates import page_not_found

    page = ('<link rel="alternate" href="/nb/" hreflang="en">\n'
            '<a href="/book/nb/" hreflang="en" class="md-select__link">'
            '<a href="/book/zh/nb/" hreflang="zh" class="md-select__link">')
    assert page_not_found(page, "/book/") == (
        '<a href="/book/" hreflang="en" class="md-select__link">'
        '<a href="/book/zh/" hreflang="zh" class="md-select__link">')
