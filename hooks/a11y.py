"""Accessible names Material's markup leaves out, written into each page at build time.

Material's search overlay is ``<div class="md-search" role="dialog">`` with no name, and
a dialog must have one (axe-core's ``aria-dialog-name``; WAI-ARIA 1.2: a dialog's name is
required). The hook gives it the name Material already gives the search box inside it
(``<input class="md-search__input" aria-label="Search">``, in the page's language:
"搜索" on a Chinese page), so the words come from Material's own translations.
tests/test_browser.py audits every built page with axe-core.
"""

from __future__ import annotations

import re

SEARCH_DIALOG = re.compile(r'<div class="md-search" data-md-component="search" role="dialog">')
SEARCH_LABEL = re.compile(r'<input [^>]*class="md-search__input"[^>]*aria-label="([^"]+)"')


def name_search_dialog(html: str) -> str:
    """Label Material's search dialog with its search box's label (left as it is when
    the page has no such dialog or box)."""
    label = SEARCH_LABEL.search(html)
    if not label:
        return html
    return SEARCH_DIALOG.sub(
        lambda m: m.group().removesuffix(">") + f' aria-label="{label[1]}">', html, count=1)


def on_post_page(output: str, page, config) -> str:
    return name_search_dialog(output)


def on_post_template(output_content: str, template_name: str, config) -> str:
    """The 404 page is a template, not a page: it has the same header."""
    return name_search_dialog(output_content)
