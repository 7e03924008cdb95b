"""Language links for search engines: ``hreflang`` alternates in every page's head.

mkdocs-static-i18n gives each page, through Material's ``extra.alternate``, the URL of the
same page in each language, and Material's ``base.html`` writes them into the head as
``<link rel="alternate" href="../../zh/init/variance/" hreflang="zh">``. Search engines
want them absolute, on every page of every language, the page itself included, plus an
``x-default`` for readers whose language is neither. ``on_post_page`` rewrites the links
Material wrote into that form (``absolute_alternates``).

Material's script reads those same head links as the roots of *other versions of the
site*: its ``setupAlternate`` (``integrations/alternate/index.ts``) fetches
``new URL("sitemap.xml", link.href)`` for every ``link[rel=alternate]``, so every page view
requested ``<page>/sitemap.xml`` for each language (two 404s and two console errors per
page). No setting of Material 9.8 or of i18n separates the two: Material documents
``extra.alternate`` as language *roots*, and i18n makes it per page so that the switcher
stays on the page. Pointing the links at the roots would tell search engines that the
Chinese version of every page is the Chinese home page, and our one ``sitemap.xml``
(i18n's, at the root, with ``xhtml:link`` alternates) is not under ``/zh/`` anyway.

So the links stay per page, and ``on_post_build`` narrows the one selector in Material's
built bundle to ``link[rel=alternate]:not([hreflang])`` (``narrow_alternate_selector``):
language links are alternates of this page, not version roots. Nothing is lost: the
switcher's links are already the same page in the other language (i18n), and this site
has no other versions. The patch fails the build if Material's bundle no longer holds the
selector exactly once, so an upgrade cannot silently bring the requests back;
``tests/test_browser.py`` checks that no page view requests a ``sitemap.xml``.

The 404 page is rendered outside the page loop, with whatever alternates the last page
left in the config (a 404 page named a notebook as its own alternate, and its language
switcher led to that notebook): its head links go, and its switcher leads to the two home
pages (``on_post_template``). It is rendered once, in the last language built (Chinese).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

DEFAULT_LANGUAGE = "en"  # mkdocs.yml's i18n default: the page for x-default

_LINK = re.compile(r'(?P<indent>[ \t]*)<link rel="alternate" href="(?P<href>[^"]*)" '
                   r'hreflang="(?P<lang>[^"]*)">\n?')
SELECTOR = 'M("link[rel=alternate]")'
NARROWED = 'M("link[rel=alternate]:not([hreflang])")'


def absolute_alternates(html: str, page_url: str) -> str:
    """Material's head alternates, resolved against the page's absolute URL, plus x-default.

    ``page_url`` is the page's canonical URL (``site_url`` + its path). A page without
    alternates is returned unchanged.
    """
    links = list(_LINK.finditer(html))
    if not links:
        return html
    indent = links[0]["indent"]
    hrefs = {m["lang"]: urljoin(page_url, m["href"]) for m in links}
    if DEFAULT_LANGUAGE in hrefs:
        hrefs["x-default"] = hrefs[DEFAULT_LANGUAGE]
    block = "".join(f'{indent}<link rel="alternate" hreflang="{lang}" href="{href}">\n'
                    for lang, href in hrefs.items())
    start, end = links[0].start(), links[-1].end()
    between = _LINK.sub("", html[start:end])  # anything Material put between them stays
    return html[:start] + block + between + html[end:]


def narrow_alternate_selector(bundle: str) -> str:
    """Material's bundle with its version-root selector skipping ``hreflang`` links.

    Idempotent (a dirty ``mkdocs serve`` rebuild keeps the patched copy); raises
    ``ValueError`` unless the bundle holds the selector exactly once, patched or not.
    """
    found, done = bundle.count(SELECTOR), bundle.count(NARROWED)
    if (found, done) == (0, 1):
        return bundle
    if (found, done) != (1, 0):
        raise ValueError(f"Material's bundle holds {SELECTOR} {found} times and {NARROWED} "
                         f"{done} times, not once: see hooks/alternates.py")
    return bundle.replace(SELECTOR, NARROWED)


def on_post_page(output: str, page, config) -> str:
    return absolute_alternates(output, page.canonical_url or urljoin(config.site_url, page.url))


_SWITCHER = re.compile(r'<a href="[^"]*" hreflang="(?P<lang>[^"]*)" class="md-select__link">')


def page_not_found(output: str, base: str) -> str:
    """The 404 page without head alternates, its language switcher pointing at the two
    home pages (``base`` is the site's path, ``/`` or ``/book/``)."""
    def home(match: re.Match) -> str:
        lang = match["lang"]
        href = base if lang == DEFAULT_LANGUAGE else f"{base}{lang}/"
        return f'<a href="{href}" hreflang="{lang}" class="md-select__link">'

    return _SWITCHER.sub(home, _LINK.sub("", output))


def on_post_template(output: str, template_name: str, config) -> str:
    if template_name == "404.html":
        return page_not_found(output, urlsplit(config.site_url or "/").path or "/")
    return output


def on_post_build(config) -> None:
    bundles = sorted(Path(config.site_dir).glob("assets/javascripts/bundle.*.min.js"))
    if len(bundles) != 1:
        raise ValueError(f"expected one Material bundle, found {[b.name for b in bundles]}")
    text = bundles[0].read_text(encoding="utf-8")
    patched = narrow_alternate_selector(text)
    if patched != text:
        bundles[0].write_text(patched, encoding="utf-8")
