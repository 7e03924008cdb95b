"""Every chapter page as a notebook (hooks/page_notebooks.py): the conversion, and the
notebooks of the built site. Their execution is tests/test_portability.py's: each chapter
page runs there as its notebook's code cells, in IPython, and every cell must print the
page's #> lines."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from hooks import page_notebooks as hook
from tests.pages import DOCS, markdown_pages, translation

CJK = re.compile(r"[\u4e00-\u9fff]")
SITE = "https://example.org/book/"


def test_a_page_becomes_markdown_and_code_cells():
    figures = []
    page = "\n".join([
        "# Title",
        "",
        "See [the finder](../reference/finder.md#bce), [below](#pitfalls) and `[x](y.md)`.",
        "",
        "```python",
        '--8<-- "snippets/losses/basics.py:setup"',
        "```",
        "",
        "## Pitfalls {#pitfalls}",
        "",
        "![Loss against margin](../assets/figures/margin.svg){ .figure }",
        "",
        '!!! failure "Passing [probabilities](basics.md)"',
        "",
        "    The error:",
        "",
        "    ```python",
        '    --8<-- "snippets/losses/basics.py:reduction"',
        "    ```",
        "",
        "    ```text",
        "    not a code cell",
        "    ```",
        "",
        "After the box.",
    ])
    cells = hook.markdown_cells(
        page, link=lambda url: hook.resolve_link(url, "losses/cross_entropy.md", "zh", SITE),
        image=lambda url: figures.append(url) or "attachment:margin.svg")
    kinds = ["code" if isinstance(c, hook.CodeCell) else "markdown" for c in cells]
    assert kinds == ["markdown", "code", "markdown", "markdown", "code", "markdown", "markdown"]
    first, _, pitfalls, box, reduction, after_code, last = cells
    assert first["source"] == (
        "# Title\n\nSee [the finder](https://example.org/book/zh/reference/finder/#bce), "
        "[below](#pitfalls) and `[x](y.md)`.")
    assert pitfalls["source"] == ('<a id="pitfalls"></a>\n## Pitfalls\n\n'
                                  "![Loss against margin](attachment:margin.svg)")
    assert figures == ["../assets/figures/margin.svg"]
    assert box["source"] == ("> **Passing [probabilities](https://example.org/book/zh/losses/"
                             "basics/)**\n>\n> The error:")
    assert reduction.section == "reduction" and "#>" not in reduction.source
    assert reduction.outputs and reduction.stdout.endswith("\n")
    assert after_code["source"] == "> ```text\n> not a code cell\n> ```"
    assert last["source"] == "After the box."


def test_headings_take_the_built_page_s_ids():
    cells = hook.markdown_cells("# A\n\n## B {#bee}\n\ntext", link=str, image=str,
                                heading_ids=["a", "bee"])
    assert cells[0]["source"] == '<a id="a"></a>\n# A\n\n<a id="bee"></a>\n## B\n\ntext'
    assert hook.headings("# A\n\n```\n# not a heading\n```\n## B {#bee}\n") == 2


@pytest.mark.parametrize(("url", "expected"), [
    ("regression.md", f"{SITE}zh/losses/regression/"),
    ("../init/variance.md#the-100-layer-experiment", f"{SITE}zh/init/variance/"
                                                     "#the-100-layer-experiment"),
    ("../index.md", f"{SITE}zh/"),
    ("../notebooks/init_std_per_layer.py", f"{SITE}zh/notebooks/init_std_per_layer/"),
    ("../assets/figures/x.zh.svg", f"{SITE}assets/figures/x.zh.svg"),
    ("#formula", "#formula"),
    ("https://pytorch.org/docs/", "https://pytorch.org/docs/"),
])
def test_links_become_absolute_links_to_the_site(url, expected):
    assert hook.resolve_link(url, "losses/cross_entropy.md", "zh", SITE) == expected


def test_the_header_pins_what_the_code_imports_and_refuses_an_unpinned_package():
    pins = hook.pinned("torch==2.13.0\nmonai==1.6.1  # comment\n# kornia==0\n")
    cells = [hook.CodeCell("p.py", "s", "import math\nimport torch\nfrom monai.losses import "
                           "DiceLoss\nfrom . import x", ())]
    assert hook.requirements(cells, pins) == ["torch==2.13.0", "monai==1.6.1"]
    unpinned = [hook.CodeCell("p.py", "s", "import kornia", ())]
    with pytest.raises(ValueError, match="'kornia', which requirements.txt does not pin"):
        hook.requirements(unpinned, pins)


# --- The built site ----------------------------------------------------------------------

CHAPTERS = [p for p in markdown_pages("en") if hook.is_chapter(p.as_posix())]


def _built(site, page, lang):
    folder = site / hook.page_url(page.as_posix(), lang)
    name = hook.ipynb_name(page.as_posix())
    return (folder / "index.html").read_text(encoding="utf-8"), folder / name, name


def test_every_chapter_page_is_covered():
    assert len(CHAPTERS) >= 25
    assert {p.parts[0] for p in CHAPTERS} == set(hook.CHAPTERS)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_chapter_page_offers_itself_as_a_notebook(built_site, lang):
    problems = []
    for page in CHAPTERS:
        html, path, name = _built(built_site, page, lang)
        source = DOCS / (translation(page, "zh") if lang == "zh" else page)
        link = f'</h1><p class="page-notebook"><a href="{name}" download>{hook.LABEL[lang]}'
        if link not in html:
            problems.append(f"{page} {lang}: no download link under the title")
        book = nbformat.read(path, as_version=4)
        nbformat.validate(book)
        code = [c for c in book.cells if c.cell_type == "code"]
        expected = hook.code_cells(source.read_text(encoding="utf-8"))
        got = [(c.source, "".join(o.text for o in c.outputs)) for c in code]
        if got != [(c.source, c.stdout) for c in expected]:
            problems.append(f"{page} {lang}: code cells differ from the page's code blocks")
        prose = "\n".join(c.source for c in book.cells if c.cell_type == "markdown")
        for pattern, what in ((r"\]\((?!https?://|#|attachment:)[^)]*\)", "a relative link"),
                              (r"--8<--|^\s*(?:!!!|\?\?\?)|\{\s*[.#:][^}]*\}", "MkDocs syntax")):
            if (found := re.search(pattern, prose, re.M)):
                problems.append(f"{page} {lang}: {what} left: {found[0]!r}")
        anchors = set(re.findall(r'<a id="([^"]+)"></a>', prose))
        problems += [f"{page} {lang}: #{a} has no anchor"
                     for a in re.findall(r"\]\(#([^)]+)\)", prose) if a not in anchors]
        for cell in book.cells:
            for used in re.findall(r"\(attachment:([^)]+)\)", cell.source):
                if used not in cell.get("attachments", {}):
                    problems.append(f"{page} {lang}: attachment {used} missing")
        if bool(CJK.search(prose)) != (lang == "zh"):
            problems.append(f"{page} {lang}: prose in the wrong language")
        if re.search(r"!\[[^\]]*\]\((?!attachment:)", prose):
            problems.append(f"{page} {lang}: a figure linked, not attached")
    assert problems == []


def test_a_chinese_notebook_has_the_english_code_and_the_chinese_figures(built_site):
    for page in CHAPTERS:
        _, english, _ = _built(built_site, page, "en")
        _, chinese, _ = _built(built_site, page, "zh")
        en, zh = (json.loads(p.read_text(encoding="utf-8")) for p in (english, chinese))
        assert [c["source"] for c in en["cells"] if c["cell_type"] == "code"] == [
            c["source"] for c in zh["cells"] if c["cell_type"] == "code"], page
        figures = [name for c in zh["cells"] for name in c.get("attachments", {})]
        assert all(name.endswith(".zh.svg") for name in figures), (page, figures)
    _, variance, _ = _built(built_site, DOCS.joinpath("init/variance.md").relative_to(DOCS),
                            "zh")
    assert "init_std_per_layer.zh.svg" in variance.read_text(encoding="utf-8")


def test_links_over_two_lines_and_escaped_quotes_in_titles():
    page = ('A [wrapped\nlink](regression.md) and ![a wrapped\nalt](../assets/figures/f.svg)'
            '{ .figure }\n\n!!! warning "Common mistake: \\"a quote\\""\n\n    Body.\n')
    cells = hook.markdown_cells(
        page, link=lambda url: hook.resolve_link(url, "losses/x.md", "en", SITE),
        image=lambda url: "attachment:f.svg")
    assert [c["source"] for c in cells] == [
        f"A [wrapped\nlink]({SITE}losses/regression/) and ![a wrapped\nalt](attachment:f.svg)",
        '> **Common mistake: "a quote"**\n>\n> Body.']


@pytest.mark.parametrize("construct", [
    '=== "CPU"\n\n    text\n',
    "[b]: basics.md\n",
    'See <a href="basics.md">basics</a>.\n',
    '<div markdown="1">x</div>\n',
    '!!! note "Outer"\n\n    !!! tip "Inner"\n\n        text\n',
])
def test_a_construct_the_converter_does_not_know_fails_the_build(construct):
    with pytest.raises(ValueError, match="line"):
        hook.markdown_cells(construct, link=str, image=str)


def test_an_admonition_without_a_title_has_none_in_the_notebook():
    cells = hook.markdown_cells('!!! note ""\n\n    Body.\n\n!!! tip\n\n    More.\n',
                                link=str, image=str)
    assert [c["source"] for c in cells] == ["> Body.", "> **Tip**\n>\n> More."]


def test_numpy_is_pinned_where_the_code_converts_to_it():
    pins = hook.pinned("torch==2.13.0\nnumpy==2.4.6\n")
    cell = hook.CodeCell("p.py", "s", "x = torch.ones(2)\nprint(x.numpy())", ())
    assert hook.requirements([cell], pins) == ["torch==2.13.0", "numpy==2.4.6"]
    page = DOCS / "training/troubleshooting.md"
    pins = hook.pinned((DOCS.parent / "requirements.txt").read_text(encoding="utf-8"))
    assert pins["numpy"] in hook.requirements(hook.code_cells(page.read_text()), pins)


def test_every_page_with_code_outside_the_reference_is_a_chapter():
    """A new part of the site gets notebooks only if CHAPTERS names it."""
    from tests.pages import includes

    assert [p for p in markdown_pages("en") if includes(DOCS / p)
            and p.parts[0] not in ("reference", "notebooks")
            and not hook.is_chapter(p.as_posix())] == []
