"""Checks on the built site (one strict build per session, see conftest.built_site)."""

from __future__ import annotations

import functools
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.pages import ROOT, markdown_pages

NOTEBOOKS = {  # notebook page -> a line it prints, the start of its Chinese title, and a
    # word of its Chinese figure
    "notebooks/fresh_classifier_loss": ("first loss of 20 fresh models: mean", "为什么新分类器",
                                        "训练步数"),
    "notebooks/init_std_per_layer": ("relu, Kaiming            std at layer 99: 0.1667",
                                     "100 层网络的初始化实验", "该层输出的标准差"),
}
THIRD_PARTY = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
CSS_OR_IMPORT_URL = re.compile(r"""(?:url\(|import\(|@import\s)\s*["']?((?:https?:)?//[^"')\s]+)""")


class Resources(HTMLParser):
    """Collects what a browser would fetch when it loads the page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.alternates: dict[str, str] = {}
        self._in_inline: bool = False
        self.inline: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "audio", "video") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("href") and a.get("rel") not in ("alternate", "canonical"):
            self.urls.append(a["href"])
        if tag == "a" and a.get("hreflang") and "md-select__link" in (a.get("class") or ""):
            self.alternates[a["hreflang"]] = a["href"]
        self._in_inline = tag in ("script", "style")

    def handle_endtag(self, tag):
        self._in_inline = False

    def handle_data(self, data):
        if self._in_inline:
            self.inline.append(data)


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("index.html")) + [site / "404.html"]


def third_party_requests(html: str) -> list[str]:
    parser = Resources()
    parser.feed(html)
    found = [u for u in parser.urls if THIRD_PARTY.match(u)]
    found += CSS_OR_IMPORT_URL.findall("\n".join(parser.inline))
    return found


def test_the_checker_catches_third_party_requests():
    page = ('<link rel="stylesheet" href="https://fonts.example.com/css">'
            '<script type="module">await import("https://cdn.example.com/m.mjs")</script>'
            '<style>@font-face{src:url(//cdn.example.com/f.woff2)}</style>'
            '<a href="https://example.com/">a link is not a request</a>')
    assert third_party_requests(page) == [
        "https://fonts.example.com/css", "https://cdn.example.com/m.mjs",
        "//cdn.example.com/f.woff2",
    ]


def test_no_page_requests_a_third_party_host(built_site):
    offenders = {}
    for page in html_pages(built_site):
        found = third_party_requests(page.read_text(encoding="utf-8"))
        if found:
            offenders[str(page.relative_to(built_site))] = found
    for css in built_site.rglob("*.css"):
        found = CSS_OR_IMPORT_URL.findall(css.read_text(encoding="utf-8"))
        if found:
            offenders[str(css.relative_to(built_site))] = found
    assert not offenders


def test_katex_is_served_locally(built_site):
    # Formulas are rendered at build time (hooks/formulas.py): the pages need KaTeX's CSS and
    # fonts, and no KaTeX script at all.
    html = (built_site / "losses/cross_entropy/index.html").read_text(encoding="utf-8")
    assert "assets/katex/katex.min.css" in html
    assert (built_site / "assets/katex/katex.min.css").is_file()
    assert not list((built_site / "assets").rglob("*katex*.js"))
    assert "katex.min.js" not in html and "auto-render" not in html
    css = (built_site / "assets/katex/katex.min.css").read_text(encoding="utf-8")
    for font in re.findall(r"url\((fonts/[^)]+\.woff2)\)", css):
        assert (built_site / "assets/katex" / font).is_file(), font


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_exists_in_both_languages_with_a_switcher(built_site, lang):
    other = "zh" if lang == "en" else "en"
    for page in markdown_pages("en"):
        url = "" if page.stem == "index" else page.with_suffix("").as_posix() + "/"
        prefix = "" if lang == "en" else "zh/"
        html_path = built_site / prefix / url / "index.html"
        parser = Resources()
        parser.feed(html_path.read_text(encoding="utf-8"))
        href = parser.alternates[other]
        # The home pages link to the site root ("/zh/"); the others use relative links.
        base = built_site if href.startswith("/") else html_path.parent
        target = (base / href.lstrip("/")).resolve()
        expected = built_site / ("" if other == "en" else "zh/") / url
        assert target == expected.resolve(), f"{lang} {url} switches to {target}"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_page_is_executed_and_downloadable(built_site, lang, notebook):
    folder = built_site / ("zh" if lang == "zh" else "") / notebook
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert "jupyter-wrapper" in html, "rendered as a raw file, not a notebook page"
    printed, zh_title, zh_word = NOTEBOOKS[notebook]
    assert printed in html  # a printed output
    assert "data:image/png;base64," in html  # the matplotlib figure
    # each language's notebook runs and draws its own figure, in a font that has its words
    assert (zh_word in html) == (lang == "zh")
    assert "findfont" not in html and "Glyph" not in html, "a figure's font is missing"
    name = Path(notebook).name + ".ipynb"
    assert f'href="{name}" download' in html
    ipynb = json.loads((folder / name).read_text(encoding="utf-8"))
    assert ipynb["nbformat"] == 4 and len(ipynb["cells"]) > 5
    # the same file in every build: cell ids from their position, not random
    assert [cell["id"] for cell in ipynb["cells"][:2]] == ["cell-0", "cell-1"]
    english_title = (ROOT / "docs" / f"{notebook}.py").read_text(encoding="utf-8").split("\n")[1]
    heading = zh_title if lang == "zh" else english_title.removeprefix("# # ")
    assert heading in "".join(ipynb["cells"][0]["source"])


def test_figures_are_generated_not_committed(built_site):
    svg = built_site / "assets/figures/bernoulli_entropy.svg"
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    tracked = subprocess.run(["git", "ls-files", "*.png", "*.svg", "*.jpg", "*.gif"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert tracked.strip() == ""


HAN = re.compile("[\u4e00-\u9fff]")
FIGURE_SRC = re.compile(r'<img [^>]*src="[^"]*assets/figures/([\w.]+\.svg)"')


def test_every_figure_speaks_its_page_s_language(built_site):
    """English pages show <name>.svg, Chinese pages <name>.zh.svg; the Chinese figure's
    labels are Chinese (set in a CJK font), the English figure has no Chinese text."""
    pages = {path.parent.relative_to(built_site).as_posix(): path.read_text(encoding="utf-8")
             for path in built_site.rglob("index.html")}
    shown = {page: FIGURE_SRC.findall(html) for page, html in pages.items()}
    english = {svg for page, svgs in shown.items() if not page.startswith("zh") for svg in svgs}
    chinese = {svg for page, svgs in shown.items() if page.startswith("zh") for svg in svgs}
    assert english and all(not svg.endswith(".zh.svg") for svg in english)
    assert chinese == {svg.removesuffix(".svg") + ".zh.svg" for svg in english}
    from snippets.figures import CJK_FONTS

    for svg in english | chinese:
        source = (built_site / "assets/figures" / svg).read_text("utf-8")
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", source)
        assert bool(HAN.search(" ".join(texts))) == svg.endswith(".zh.svg"), svg
        assert any(font in source for font in CJK_FONTS) == svg.endswith(".zh.svg"), svg
        if svg.endswith(".zh.svg"):
            assert english_labels(texts) == [], svg


# Texts a Chinese figure keeps as they are: names of losses, and the site's term "epoch".
NEUTRAL = {"GaussianNLL", "HingeEmbedding", "MSE", "PoissonNLL", "epoch"}


def english_labels(texts: list[str]) -> list[str]:
    """The texts of a Chinese figure that read as English: a word of three Latin letters
    or more, with no Chinese character or full-width punctuation (which a translated label
    has: "relu，Kaiming"), and not a name kept as it is."""
    chinese = re.compile("[\u3000-\u9fff\uff00-\uffef]")
    return [text for text in texts if re.search("[A-Za-z]{3,}", text)
            and not chinese.search(text) and text not in NEUTRAL]


def test_english_labels_finds_a_label_left_in_english():
    assert english_labels(["层", "layer", "relu，Kaiming", "PoissonNLL", "0.5", "train"]) == [
        "layer", "train"]


def test_a_figure_text_without_its_chinese_fails():
    from snippets.figures import ZH, words

    assert words("zh")("layer") == ZH["layer"] and words("en")("layer") == "layer"
    with pytest.raises(KeyError, match="no Chinese for the figure text 'a new label'"):
        words("zh")("a new label")


def test_the_chinese_figures_need_a_cjk_font(monkeypatch):
    from snippets import figures

    monkeypatch.setattr(figures, "CJK_FONTS", ("No Such Font SC",))
    figures.cjk_font.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="apt-get install fonts-noto-cjk"):
            figures.cjk_font()
    finally:
        figures.cjk_font.cache_clear()


# mkdocs-jupyter inlines ~575 KB of JupyterLab CSS into each notebook page;
# hooks/notebooks.py keeps only what the notebook's HTML can use.
NOTEBOOK_HTML_LIMIT = 300_000


@pytest.mark.parametrize("lang", ["", "zh/"])
def test_notebook_pages_carry_only_the_css_they_use(built_site, lang):
    for notebook in NOTEBOOKS:
        html = (built_site / lang / notebook / "index.html").read_text(encoding="utf-8")
        assert len(html.encode()) < NOTEBOOK_HTML_LIMIT, notebook
        styles = "".join(re.findall(r"<style[^>]*>(.*?)</style>", html, re.S))
        assert ".jupyter-wrapper .jp-OutputArea-output" in styles  # outputs keep their look
        assert "--jp-icon-" not in styles  # JupyterLab's toolbar icons (~80 KB) are gone
        assert 'id=""' not in html  # headings keep the ids the TOC links to


def test_prune_css_keeps_used_rules_and_the_properties_they_need():
    from hooks.notebooks import prune_css

    css = (".w .used{color:var(--a)}.w .unused{color:var(--b)}"
           ".w{--a:var(--c);--b:red;--c:blue;--d:green}"
           "@media (max-width:10px){.w .used{margin:0}.w .unused{margin:1px}}"
           ".w :root{--e:1}.w .used,.w .other{padding:0}")
    assert prune_css(css, {"w", "used"}) == (
        ".w .used{color:var(--a)}.w{--a:var(--c);--c:blue}"
        "@media (max-width:10px){.w .used{margin:0}}.w .used{padding:0}")


# nbconvert's HTML of a code cell (hooks/notebooks.py finds cells by their doubled wrapper).
def _cell(code: str, output: str = "") -> str:
    outputs = f'<div class="jp-OutputArea">{output}</div>' if output else ""
    return (f'<div class="jp-Cell jp-CodeCell jp-Notebook-cell">\n'
            f'<div class="jp-Cell jp-CodeCell jp-Notebook-cell" id="cell-id=1">'
            f'<div class="jp-InputArea"><pre>{code}</pre></div>{outputs}</div>\n</div>')


def test_figures_are_redrawn_only_when_their_sources_change(tmp_path, monkeypatch):
    import json

    from hooks import figures

    monkeypatch.setattr(figures, "ROOT", tmp_path)
    monkeypatch.setattr(figures, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(figures, "MANIFEST", tmp_path / "cache" / "manifest.json")
    (tmp_path / "cache").mkdir()
    (tmp_path / "a.py").write_text("A = 1")
    (tmp_path / "b.py").write_text("B = 1")
    assert figures._cached_names() is None  # no cache yet
    (tmp_path / "cache" / "one.svg").write_text("<svg/>")
    figures.MANIFEST.write_text(json.dumps(
        {"digest": figures._digest(["a.py"]), "names": ["one"], "sources": ["a.py"]}))
    assert figures._cached_names() is None  # the Chinese figure is missing
    (tmp_path / "cache" / "one.zh.svg").write_text("<svg/>")
    figures.MANIFEST.write_text(json.dumps(
        {"digest": figures._digest(["a.py"]), "names": ["one"], "sources": ["a.py"]}))
    assert figures._cached_names() == ["one"]
    (tmp_path / "b.py").write_text("B = 2")  # a module the figures do not use
    assert figures._cached_names() == ["one"]
    (tmp_path / "a.py").write_text("A = 2")  # one they were drawn from
    assert figures._cached_names() is None
    figures.MANIFEST.write_text(json.dumps(
        {"digest": figures._digest(["a.py"]), "names": ["one"], "sources": ["a.py"]}))
    (tmp_path / "cache" / "one.svg").unlink()
    assert figures._cached_names() is None  # a drawing is missing
    (tmp_path / "cache" / "one.svg").write_text("<svg/>")
    (tmp_path / "a.py").unlink()
    assert figures._cached_names() is None  # a source is gone


# --- Accessible structure: headings, alt text, table headers (every built page) -------

class Outline(HTMLParser):
    """What a screen reader navigates by: every heading's level in the document, and,
    inside the page's content (``<article>``), each image's alt text and each table's
    header cells."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.images: list[tuple[str, str | None]] = []  # (src, alt; None if absent)
        self.tables: list[int] = []  # the number of <th> of each content table
        self._article = 0
        self._open_tables: list[int] = []  # indices into self.tables, innermost last

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if re.fullmatch("h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "article":
            self._article += 1
        elif not self._article:
            return
        elif tag == "img":
            self.images.append((a.get("src") or "", a.get("alt")))
        elif tag == "table":
            self._open_tables.append(len(self.tables))
            self.tables.append(0)
        elif tag == "th" and self._open_tables:
            self.tables[self._open_tables[-1]] += 1

    def handle_endtag(self, tag):
        if tag == "article" and self._article:
            self._article -= 1
        elif tag == "table" and self._article and self._open_tables:
            self._open_tables.pop()


# Only these tags matter to the outline; feeding the parser just them (not the text, the
# inline CSS and SVG) makes it ~30 times faster on this site's pages.
_OUTLINE_TAGS = re.compile(r"</?(?:h[1-6]|article|img|table|th)\b[^>]*>", re.IGNORECASE)
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.IGNORECASE | re.DOTALL)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed("".join(_OUTLINE_TAGS.findall(_SCRIPT_OR_STYLE.sub("", html))))
    return parser


@functools.cache
def page_outline(page: Path) -> Outline:
    return outline(page.read_text("utf-8"))


def heading_problems(levels: list[int]) -> list[str]:
    """A page has one h1, first, and going down never skips a level (h2 -> h4)."""
    problems = []
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} h1 (one wanted)")
    if levels and levels[0] != 1:
        problems.append(f"starts at h{levels[0]}")
    problems += [f"h{a} -> h{b}" for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    return problems


# Alt texts that name the kind of picture instead of saying what it shows.
GENERIC_ALT = re.compile(
    r"(?:(?:an? |the )?(?:figure|fig\.?|image|img|picture|photo|chart|plot|graph|diagram"
    r"|screenshot|illustration)s?|图|图片|图像|插图|示意图|截图|曲线图)\s*\d*[.。]?"
    r"|no description has been provided for this image", re.IGNORECASE)


def alt_problems(images: list[tuple[str, str | None]], lang: str) -> list[str]:
    """Images without alt text, or whose alt is a placeholder, a file name, or not in the
    page's language (a Chinese page's alt has Chinese in it, an English page's none)."""
    problems = []
    for src, alt in images:
        name = src.split(";")[0] if src.startswith("data:") else src.rsplit("/", 1)[-1]
        text = (alt or "").strip()
        if not text:
            problems.append(f"{name}: no alt text")
        elif (GENERIC_ALT.fullmatch(text) or text == name.split(".")[0]
              or re.fullmatch(r"[\w.-]+\.\w{3,4}", text)):
            problems.append(f"{name}: placeholder alt {text!r}")
        elif bool(HAN.search(text)) != (lang == "zh"):
            problems.append(f"{name}: alt not in the page's language: {text[:40]!r}")
    return problems


def page_language(site: Path, page: Path) -> str:
    return "zh" if page.relative_to(site).parts[0] == "zh" else "en"


def test_every_page_has_one_h1_and_skips_no_heading_level(built_site):
    found = {str(p.relative_to(built_site)): problems for p in html_pages(built_site)
             if (problems := heading_problems(page_outline(p).headings))}
    assert found == {}


def test_heading_problems_sees_a_skipped_level_and_a_second_h1():
    assert heading_problems([1, 2, 3, 3, 2, 3, 4, 2]) == []
    assert heading_problems([1, 2, 4, 1]) == ["2 h1 (one wanted)", "h2 -> h4"]
    assert heading_problems([2, 3]) == ["0 h1 (one wanted)", "starts at h2"]
    assert heading_problems(outline("<h1>A</h1><h3>B</h3>").headings) == ["h1 -> h3"]


def test_every_image_says_what_it_shows_in_the_page_s_language(built_site):
    images = {str(p.relative_to(built_site)): page_outline(p).images
              for p in html_pages(built_site)}
    assert sum(map(len, images.values())) >= 2 * 9  # the figures and notebook plots
    found = {page: problems for page, found in images.items()
             if (problems := alt_problems(found, page_language(built_site, built_site / page)))}
    assert found == {}


def test_alt_problems_sees_missing_placeholder_and_wrong_language_alt():
    good_en = ("a.svg", "Entropy of a Bernoulli variable against p, peaking at ln 2")
    good_zh = ("a.zh.svg", "伯努利随机变量的熵随 p 变化的曲线")
    assert alt_problems([good_en], "en") == [] and alt_problems([good_zh], "zh") == []
    assert alt_problems([good_en], "zh") == [
        "a.svg: alt not in the page's language: 'Entropy of a Bernoulli variable against '"]
    assert alt_problems([good_zh], "en") != []
    html = ('<article><img src="x.png"><img src="y.png" alt=" "><img src="f.svg" alt="Figure 1">'
            '<img src="g.png" alt="图 2"><img src="d/p.svg" alt="p.svg"><img src="h.png" '
            'alt="No description has been provided for this image"></article>'
            '<img src="outside.png">')
    assert alt_problems(outline(html).images, "en") == [
        "x.png: no alt text", "y.png: no alt text", "f.svg: placeholder alt 'Figure 1'",
        "g.png: placeholder alt '图 2'", "p.svg: placeholder alt 'p.svg'",
        "h.png: placeholder alt 'No description has been provided for this image'"]


def test_every_content_table_has_header_cells(built_site):
    tables = {str(p.relative_to(built_site)): page_outline(p).tables
              for p in html_pages(built_site)}
    assert sum(map(len, tables.values())) > 50
    assert {page: t for page, t in tables.items() if 0 in t} == {}


def test_the_table_check_sees_a_table_without_header_cells():
    html = ("<article><table><tr><th>a</th></tr><tr><td>1<table><tr><td>inner</td></tr>"
            "</table></td></tr></table><table><tr><td>b</td></tr></table></article>"
            "<table><tr><td>outside the content</td></tr></table>")
    assert outline(html).tables == [1, 0, 0]


def test_describe_figures_writes_each_cell_s_alt_and_refuses_a_figure_without_one():
    from hooks.notebooks import NO_ALT, describe_figures

    figure = f'<img {NO_ALT} src="data:image/png;base64,AA">'
    html = f"<h1>T</h1>{_cell('x = 1', '<pre>1</pre>')}{_cell('plot()', figure)}"
    described = describe_figures(html, [None, 'Two curves: "a" falls, b stays'], "demo.py")
    assert described == html.replace(NO_ALT, 'alt="Two curves: &quot;a&quot; falls, b stays"')
    with pytest.raises(ValueError, match='demo.py: code cell 2 draws a figure with no alt'):
        describe_figures(html, ["the alt of the wrong cell", None], "demo.py")
    with pytest.raises(ValueError, match="demo.py: 2 code cells in the page, 1 in the source"):
        describe_figures(html, ["x"], "demo.py")


def test_the_search_dialog_is_named_after_its_search_box():
    from hooks.a11y import name_search_dialog

    page = ('<div class="md-search" data-md-component="search" role="dialog">'
            '<form><input type="text" class="md-search__input" name="query" '
            'aria-label="搜索" placeholder="搜索"></form></div>')
    assert name_search_dialog(page) == page.replace(
        'role="dialog">', 'role="dialog" aria-label="搜索">', 1)
    assert name_search_dialog("<p>no search here</p>") == "<p>no search here</p>"


def test_every_page_s_search_dialog_has_a_name(built_site):
    unnamed = [str(p.relative_to(built_site)) for p in html_pages(built_site)
               if re.search(r'role="dialog"(?![^>]*aria-label="[^"]+")', p.read_text("utf-8"))]
    assert unnamed == []


def test_focus_the_code_moves_a_code_cell_s_tab_stop_onto_its_code():
    from hooks.notebooks import focus_the_code

    def cell(code_attrs: str, wrapper_attrs: str) -> str:
        return ('<div class="jp-Cell jp-CodeCell jp-Notebook-cell">'
                f'<div class="jp-Cell-inputWrapper"{wrapper_attrs}>'
                f'<div class="highlight-ipynb hl-python"{code_attrs}><pre>x</pre>'
                '</div></div></div>')

    markdown = ('<div class="jp-Cell jp-MarkdownCell">'
                '<div class="jp-Cell-inputWrapper" tabindex="0">')
    html = markdown + cell("", ' tabindex="0"') + cell("", ' tabindex="0"')
    assert focus_the_code(html) == markdown + 2 * cell(' tabindex="0"', "")
