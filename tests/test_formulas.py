"""Formulas are rendered at build time by hooks/formulas.py, with the KaTeX the site serves.

A formula KaTeX rejects fails the build (the strict build of the ``built_site`` fixture
would not exist otherwise), so there is no separate parse step. These tests check that the
built pages hold rendered formulas only, and that the hook finds, renders and rejects
what it should: its checks must be able to fail.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from fontTools.ttLib import TTFont
from mkdocs.exceptions import PluginError

from hooks import formulas as hook

RENDERED = re.compile(r'<(span|div) class="arithmatex"><span class="katex')


def test_every_formula_of_the_built_site_is_rendered(built_site):
    pages = sorted(built_site.rglob("index.html"))  # both languages (zh/ is inside)
    rendered = unrendered = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        rendered += len(RENDERED.findall(text))
        unrendered += len(hook.formulas(text))  # what is left in source form
        assert "katex.min.js" not in text and "auto-render" not in text, page
    assert unrendered == 0
    assert rendered > 1000  # the site has ~2000: the check is not vacuous


NOT_PROSE = re.compile(r"<(pre|code|script|style|annotation|textarea)\b.*?</\1>", re.S)


def leftover_math(page_html: str) -> list[str]:
    """TeX delimiters left in a page's text outside code: formulas nothing rendered."""
    text = NOT_PROSE.sub("", page_html)
    return re.findall(r"\\[(\[].{0,30}|\$\$.{0,30}", text)


def test_no_formula_is_left_as_source_text(built_site):
    left = {}
    for page in sorted(built_site.rglob("index.html")):
        found = leftover_math(page.read_text(encoding="utf-8"))
        if found:
            left[page.relative_to(built_site).as_posix()] = found
    assert left == {}


def test_leftover_math_sees_a_heading_formula_left_in_the_toc():
    page = ('<span class="md-ellipsis">Why \\(1/\\sqrt{2L}\\)</span>'
            '<pre><code>re.compile(r"\\(x\\)")</code></pre>')
    assert leftover_math(page) == ["\\(1/\\sqrt{2L}\\)</span>"]  # the code is not prose
    assert leftover_math(hook.render_page(page, "p.md")) == []


def test_inline_display_and_notebook_formulas_are_found_and_unescaped():
    page = ('<p>If <span class="arithmatex">\\(p &lt; q\\)</span> then '
            '<code>\\(not a formula\\)</code></p>\n'
            '<div class="arithmatex">\\[\n\\ell = -\\log p &amp; \\text{“ok”}\n\\]</div>'
            '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown"><p>costs $\\ln 2$ and'
            '<div>$$a^2$$</div></p></div><pre>$5 and $6</pre>')
    assert [(tex, display) for _, _, tex, display, _ in hook.formulas(page)] == [
        ("p < q", False),
        ("\\ell = -\\log p & \\text{“ok”}", True),
        ("\\ln 2", False),
        ("a^2", True),
    ]


def test_a_page_is_rendered_in_place():
    page = ('<p>a <span class="arithmatex">\\(x^2\\)</span> b</p>'
            '<div class="jp-RenderedMarkdown"><p>c $y$ d</p></div>')
    out = hook.render_page(page, "p.md")
    assert hook.formulas(out) == []
    assert out.startswith('<p>a <span class="arithmatex"><span class="katex">')
    assert out.count('class="katex"') == 2 and " b</p>" in out and " d</p>" in out
    assert "<annotation encoding=\"application/x-tex\">x^2</annotation>" in out  # MathML


def test_a_malformed_formula_fails_the_build_with_its_page_and_line():
    source = "# Title\n\nA line.\n\n$$\n\\frac{1}{\n$$\n\nAnd $\\notacommand x$.\n"
    page = ('<div class="arithmatex">\\[\n\\frac{1}{\n\\]</div>'
            '<span class="arithmatex">\\(\\notacommand x\\)</span>'
            '<span class="arithmatex">\\(x^2\\)</span>')
    with pytest.raises(PluginError) as error:
        hook.render_page(page, "zh/losses/bad.md", source)
    lines = str(error.value).splitlines()
    assert lines[0] == "2 formula(s) KaTeX cannot render:"
    assert lines[1].startswith("zh/losses/bad.md:6: \\frac{1}{: KaTeX parse error:")
    assert lines[2].startswith("zh/losses/bad.md:9: \\notacommand x: ")
    assert "Undefined control sequence: \\notacommand" in lines[2]


def test_the_source_line_is_that_of_the_formula_not_of_a_mention():
    source = ("# Café prices\n\nThe command `\\foo` is unknown.\n\n$$\n\\begin{aligned} a &= b\n"
              "\\end{aligned}\n$$\n\nAgain:\n\n$$\n\\begin{aligned} a &= b\n\\end{aligned}\n$$\n")
    tex = "\\begin{aligned} a &= b\n\\end{aligned}"
    assert hook.source_line(source, tex) == 6
    assert hook.source_line(source, tex, occurrence=1) == 13
    assert hook.source_line(source, "\\notthere") is None
    assert hook.source_line(source, "é") == 1  # a bare character: its first copy


def test_a_katex_internal_error_and_an_untrusted_command_name_the_page():
    page = ('<span class="arithmatex">\\(\\textbf{\\textsf{\\textit{x}}}\\)</span>'
            '<span class="arithmatex">\\(\\href{http://example.invalid}{x}\\)</span>')
    with pytest.raises(PluginError) as error:
        hook.render_page(page, "p.md")
    lines = str(error.value).splitlines()
    assert "Font metrics not found" in lines[1] and lines[1].startswith("p.md:?:")
    assert "\\href is not allowed" in lines[2]


def test_strict_mode_rejects_unicode_in_math_but_not_in_text():
    # strict: "error" (see hooks/katex_render.cjs): a full-width IME parenthesis in math
    # mode is caught; Chinese inside \text{} is fine.
    ok, bad = hook.RENDER.render([("\\text{交叉熵}", False), ("f（x）", False)])
    assert "html" in ok
    assert "unicodeTextInMathMode" in bad["error"]


def test_an_arithmatex_element_without_delimiters_is_an_error():
    with pytest.raises(PluginError, match="without"):
        hook.formulas('<span class="arithmatex">x^2</span>')


def test_the_renderer_survives_a_restart():
    hook.RENDER.close()
    [result] = hook.RENDER.render([("\\sqrt{2}", True)])
    assert 'class="katex-display"' in result["html"]


# --- The fonts, cut down to the site's characters ----------------------------------------

KATEX_START = re.compile(r'<span class="katex(?:-display)?">')
SPAN_TAG = re.compile(r"<span\b[^>]*>|</span>")


def formula_characters(site: Path) -> set[str]:
    """The characters of every rendered formula of the site (the text inside each
    ``<span class="katex">``, found by counting its nested spans)."""
    chars: set[str] = set()
    for page in site.rglob("index.html"):
        text, end = page.read_text(encoding="utf-8"), 0
        for start in KATEX_START.finditer(text):
            if start.start() < end:
                continue  # inside the formula just read (katex-display wraps katex)
            depth = 0
            for tag in SPAN_TAG.finditer(text, start.start()):
                depth += -1 if tag.group() == "</span>" else 1
                if depth == 0:
                    end = tag.end()
                    break
            chars |= hook.characters(text[start.start():end])
    return chars


def cmap(font: Path) -> set[str]:
    return {chr(code) for code in TTFont(font).getBestCmap()}


def missing_glyphs(site: Path, chars: set[str]) -> dict[str, list[str]]:
    """Per served font: the characters its original draws and the served file does not."""
    missing = {}
    for served in sorted((site / hook.SERVED_FONTS).glob("*.woff2")):
        lost = (cmap(hook.KATEX_FONTS / served.name) & chars) - cmap(served)
        if lost:
            missing[served.name] = sorted(lost)
    return missing


def test_every_served_font_draws_every_character_of_the_site_s_formulas(built_site):
    chars = formula_characters(built_site)
    assert {"α", "∑", "ℓ", "x", "="} <= chars  # the check is not vacuous
    assert missing_glyphs(built_site, chars) == {}
    main = built_site / hook.SERVED_FONTS / "KaTeX_Main-Regular.woff2"
    original = hook.KATEX_FONTS / "KaTeX_Main-Regular.woff2"
    assert main.stat().st_size < 0.7 * original.stat().st_size  # it was cut


def test_the_glyph_check_sees_a_font_cut_too_far(tmp_path):
    fonts = tmp_path / hook.SERVED_FONTS
    fonts.mkdir(parents=True)
    original = (hook.KATEX_FONTS / "KaTeX_Main-Regular.woff2").read_bytes()
    (fonts / "KaTeX_Main-Regular.woff2").write_bytes(hook.subset_font(original, set("abc")))
    assert missing_glyphs(tmp_path, set("abcx+")) == {"KaTeX_Main-Regular.woff2": ["+", "x"]}


def test_a_cut_font_keeps_exactly_the_characters_asked_for():
    original = (hook.KATEX_FONTS / "KaTeX_Math-Italic.woff2").read_bytes()
    cut = hook.subset_font(original, set("xyzαβ"))
    font = TTFont(io.BytesIO(cut))
    assert {chr(c) for c in font.getBestCmap()} == set("xyzαβ")
    assert font.flavor == "woff2" and len(cut) < len(original)


def test_characters_of_a_rendered_formula_include_its_annotation():
    rendered = hook.RENDER.render([("\\alpha + \\sum_n x_n", False)])[0]["html"]
    chars = hook.characters(rendered)
    assert {"α", "∑", "x", "+"} <= chars and "<" not in chars


def test_a_build_that_rendered_only_some_pages_serves_the_whole_fonts(tmp_path, monkeypatch):
    # mkdocs build --dirty: the characters of the edited pages are not the site's
    served = tmp_path / hook.SERVED_FONTS
    served.mkdir(parents=True)
    monkeypatch.setattr(hook, "_PAGES_SEEN", {"losses/basics/", "losses/regression/"})
    monkeypatch.setattr(hook, "_PAGES_RENDERED", {"losses/regression/"})
    monkeypatch.setattr(hook, "CHARACTERS", set("x+"))
    monkeypatch.setattr(hook, "FONTS_USED", {"KaTeX_Main-Regular"})
    hook.on_post_build(SimpleNamespace(site_dir=str(tmp_path)))
    main = served / "KaTeX_Main-Regular.woff2"
    assert main.read_bytes() == (hook.KATEX_FONTS / "KaTeX_Main-Regular.woff2").read_bytes()
