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

Faster code blocks: a Chinese page shows the same code as its English page, and Pygments
was a fifth of the build. ``on_config`` wraps pymdownx's ``Highlight.highlight`` in a
memo keyed on every argument and on the highlighter's own settings, so the second
language's blocks cost a lookup. Only a block's HTML string is memoised; an inline
code span (``inline=True``, an element that the caller inserts into its tree) and a
block with a title (which may go through the page's own HTML stash) are always computed
afresh.
"""

from __future__ import annotations

import functools
import re

from pymdownx import highlight as _highlight

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


def _memoised(highlight):
    memo: dict[tuple, str] = {}

    @functools.wraps(highlight)
    def wrapper(self, src, language, *args, **kwargs):
        inline = kwargs.get("inline") or (len(args) > 5 and args[5])
        titled = kwargs.get("title") or len(args) > 9 or self.auto_title  # may use md's stash
        if inline or titled:
            return highlight(self, src, language, *args, **kwargs)
        # the settings, not the Markdown instance (one per page): md is read only for titles
        settings = tuple(sorted((k, repr(v)) for k, v in vars(self).items() if k != "md"))
        key = (settings, src, language, repr(args), repr(sorted(kwargs.items())))
        if key not in memo:
            html = highlight(self, src, language, *args, **kwargs)
            if not isinstance(html, str):  # not a block's HTML: never shared
                return html
            memo[key] = html
        return memo[key]

    wrapper.memo = memo
    return wrapper


def on_config(config):
    if not hasattr(_highlight.Highlight.highlight, "memo"):
        _highlight.Highlight.highlight = _memoised(_highlight.Highlight.highlight)
    return config
