"""Tables arrive in the wrapper Material's script would put them in, so nothing moves.

Material's script replaces every ``table:not([class])`` of the content with
``<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table>`` after the
page loads. The wrapper changes the table's layout (a table wider than the text is no
longer squeezed to its width), so the cells of a wide table, and the formulas in them,
moved after load (the layout-shift check saw it on the glossary, the finder and
losses/basics). This hook writes the wrapper into the HTML at build time; the script
still wraps the table once more inside it, and ``docs/assets/extra.css`` gives that
inner wrapper ``display: contents``, so it adds no box and the layout is the one the
first paint had. Tables with a class (Pygments' line numbers, notebook data frames) are
not Material's to wrap and are left alone.
"""

from __future__ import annotations

import re

TABLE_TAG = re.compile(r"<table\b[^>]*>|</table>")
OPEN = '<div class="md-typeset__scrollwrap"><div class="md-typeset__table">'
CLOSE = "</div></div>"


def wrap_tables(html: str) -> str:
    """Wrap every bare ``<table>`` (no attributes) in Material's two wrapper divs."""
    out, last, wrapped = [], 0, []
    for tag in TABLE_TAG.finditer(html):
        if tag.group() == "</table>":
            if not wrapped:
                continue  # a stray closing tag: leave it
            out += [html[last:tag.end()], CLOSE if wrapped.pop() else ""]
        else:
            bare = tag.group() == "<table>" and not html.endswith(OPEN, 0, tag.start())
            wrapped.append(bare)
            out += [html[last:tag.start()], OPEN if bare else "", tag.group()]
        last = tag.end()
    return "".join(out) + html[last:]


def on_page_content(html: str, page, config, files) -> str:
    return wrap_tables(html)
