"""Keep the language switcher, drop the ``<link rel="alternate" hreflang>`` head tags.

mkdocs-static-i18n gives each page, through Material's ``extra.alternate``, the URL of
the same page in the other language. Material renders those both as the language
switcher's links and as ``<link rel="alternate" hreflang>`` in the head, and its script
reads the head tags as *language roots*: it fetches ``<alternate>/sitemap.xml`` on every
page view (``init/variance/sitemap.xml``, ``zh/init/variance/sitemap.xml``), which is a
404 and a console error on every page. The switcher's own links already point to the same
page in the other language (``tests/test_browser.py`` clicks them), so the head tags go.
"""

from __future__ import annotations

import re

_HREFLANG_LINK = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">\n?')


def on_post_page(output: str, page, config) -> str:
    return _HREFLANG_LINK.sub("", output)
