"""Lighter code blocks: drop the Pygments spans that change nothing on screen.

Pygments wraps every token of a code block in ``<span class="…">``. With Material's
palette, two token classes draw in the code block's own colour: ``n`` (names:
``--md-code-hl-name-color`` is ``var(--md-code-fg-color)`` in both schemes) and ``w``
(whitespace, not styled at all). Their spans are unwrapped, and runs of adjacent spans of
one class (``<span class="p">(</span><span class="p">)</span>``) are merged into one.
Every other class keeps its span, so the colours are unchanged, and the text of the block
(what the copy button copies) is the same.

Only Material's code blocks are touched (``<div class="highlight"><pre>``); notebooks
(``highlight-ipynb``) use their own stylesheet, where names have a colour.
"""

from __future__ import annotations

import re

BLOCK = re.compile(r'(<div class="highlight"><pre>)(?P<code>.*?)(</pre></div>)', re.S)
PLAIN = re.compile(r'<span class="[nw]">([^<]*)</span>')
ADJACENT = re.compile(r'<span class="(?P<cls>[\w-]+)">(?P<a>[^<]*)</span>'
                      r'<span class="(?P=cls)">(?P<b>[^<]*)</span>')


def lighten(code: str) -> str:
    """A code block's HTML with the no-op spans unwrapped and same-class runs merged."""
    code = PLAIN.sub(r"\1", code)
    while True:
        merged = ADJACENT.sub(r'<span class="\g<cls>">\g<a>\g<b></span>', code)
        if merged == code:
            return code
        code = merged


def on_post_page(output: str, page, config) -> str:
    return BLOCK.sub(lambda m: m[1] + lighten(m["code"]) + m[3], output)
