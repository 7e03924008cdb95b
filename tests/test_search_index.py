"""hooks/search_index.py: one lean search index per language.

The unit tests feed the hook's functions small inputs; the last ones read the built site.
The browser side (a query finds the page, results stay in the page's language, a page
fetches only its language's index) is in tests/test_browser_features.py.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from hooks import search_index as hook
from tests.pages import ROOT

ZWSP = "\u200b"


class _EnvLoader(yaml.SafeLoader):
    pass


_EnvLoader.add_constructor("!ENV", lambda loader, node: None)
CONFIG = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_EnvLoader)
SEPARATOR = next(p["search"] for p in CONFIG["plugins"]
                 if isinstance(p, dict) and "search" in p)["separator"]


def tokens(text: str) -> list[str]:
    """Split like the search worker (same regular expression; Python and JS agree on it)."""
    return [t for t in re.split(SEPARATOR, text) if t]


CODE = ('<div class="language-python highlight"><pre><span></span><code>'
        '<span class="n">w</span> = <span class="n">nn</span><span class="o">.</span>'
        '<span class="n">init</span><span class="o">.</span><span class="n">trunc_normal_</span>'
        '(<span class="n">w</span>, <span class="n">std</span>=0.02)\n'
        'loss = F.cross_entropy(x, y, ignore_index=-100, label_smoothing=0.1)\n'
        'my_logits = torch.randn(3)\n'
        '#&gt; tensor([0.1234, 0.5678])\n'
        '#&gt; ValueError: Expected input batch_size (8) to match target batch_size (2).\n'
        '</code></pre></div>')


def test_a_code_block_leaves_its_library_names_and_messages_not_its_numbers():
    page = f"<p>Use <code>F.cross_entropy</code> here.</p>{CODE}"
    text = hook.searchable(page)
    assert "nn.init.trunc_normal_" in text and "ignore_index" in text
    assert "label_smoothing" in text and "torch.randn" in text
    assert "ValueError: Expected input batch_size (8)" in text
    assert "0.1234" not in text and "<span" not in text and "<pre" not in text
    assert "my_logits" not in text  # the page's own variable names are not API
    assert text.count("F.cross_entropy") == 1  # the prose has it already


def test_a_code_block_leaves_the_methods_it_calls_grad_fns_and_raised_messages():
    block = ('<div class="language-python highlight"><pre><code>'
             'self.register_buffer("inv_freq", f)\nok = x.is_floating_point()\n'
             'if beta &lt; 0:\n    raise ValueError("beta must be non-negative")\n'
             'print(y)\n#&gt; tensor(1., grad_fn=&lt;AddBackward0&gt;)\n</code></pre></div>')
    text = hook.searchable(f"<p>x</p>{block}")
    for word in ("register_buffer", "is_floating_point", "AddBackward0",
                 "beta must be non-negative"):
        assert word in text, word


def test_the_words_of_two_table_cells_stay_two_words():
    text = hook.plain_text("<p>angle</p><table><tr><td>TripletMarginLoss</td>"
                           "<td>focal_loss</td></tr></table>\n  <li>a</li>")
    assert tokens(text) == ["angle", "TripletMarginLoss", "focal_loss", "a"]


def test_a_block_with_nothing_worth_a_search_leaves_nothing():
    block = ('<div class="language-python highlight"><pre><code>x = 1\n#&gt; 2\n'
             '</code></pre></div>')
    assert hook.searchable(f"<p>a</p>{block}<p>b</p>") == "<p>a</p> <p>b</p>"


def test_formulas_leave_short_tex_and_drop_the_rest():
    page = ('<p>the logit <span class="arithmatex">\\(x_n\\)</span> and '
            '<span class="arithmatex">\\(\\sum_{n=1}^{N} \\log(1 + e^{-x_n})\\)</span></p>'
            '<div class="arithmatex">\\[ \\ell(x, y) = L \\]</div>')
    text = hook.searchable(page)
    assert "x_n" in text and "\\sum" not in text and "\\ell" not in text


def test_the_separator_splits_on_punctuation_of_both_widths():
    assert "speech" in tokens("alignment (speech or handwriting)")
    assert "void" in tokens('"void" pixels')
    assert "void" in tokens("的 “void” 像素")
    assert "损失" in tokens("损失，以及")
    assert tokens("nn.init.trunc_normal_(w)") == ["nn", "init", "trunc_normal_", "w"]
    assert "ignore_index" in tokens("ignore_index=-100")  # "_" is inside a word
    assert "0.02" in tokens("std 0.02.")  # a decimal point is not a separator
    assert "分类器" in tokens(f"的{ZWSP}分类器{ZWSP}的")
    assert "Leibler" in tokens("Kullback–Leibler divergence")  # an en dash
    assert "alpha" in tokens("with \\alpha = 0.25")


def test_only_the_breaks_between_two_words_stay():
    text = f"{ZWSP}目标{ZWSP}取{ZWSP} x_n{ZWSP}，{ZWSP}二{ZWSP}分类器{ZWSP}"
    assert hook.drop_redundant_breaks(text, SEPARATOR) == f"目标{ZWSP}取 x_n，二{ZWSP}分类器"
    # the tokens are the same either way
    assert tokens(hook.drop_redundant_breaks(text, SEPARATOR)) == tokens(text)


@pytest.mark.parametrize(("url", "base"), [
    ("zh/losses/margin/", "../../"), ("zh/", "./"), ("zh/reference/errors/", "../../"),
])
def test_a_page_of_another_language_gets_its_root_as_base(url, base):
    assert hook.relative_base(url, "zh") == base


def test_the_config_base_is_rewritten_in_the_config_script_only():
    class Page:
        url = "zh/init/variance/"
        file = type("F", (), {"locale": "zh"})()

    html = ('<a data-x=\'"base": "x"\'></a><script id="__config" type="application/json">'
            '{"annotate": null, "base": "../../..", "features": []}</script>')
    out = hook.on_post_page(html, Page(), None)
    assert '"base": "../../"' in out and out.startswith('<a data-x=\'"base": "x"\'>')


def test_each_language_gets_its_own_file_relative_to_its_root():
    config = {"lang": ["en", "zh"], "separator": SEPARATOR, "pipeline": ["stopWordFilter"],
              "fields": {}}
    entries = {
        "losses/basics/": ("en", [{"location": "losses/basics/", "title": "Basics",
                                   "text": "<p>a loss</p>"}]),
        "zh/losses/basics/": ("zh", [{"location": "zh/losses/basics/#x", "title": "基础",
                                      "text": f"<p>{ZWSP}损失{ZWSP}函数{ZWSP}</p>"}]),
    }
    files = hook.index_files(entries, config)
    assert set(files) == {"search/search_index.json", "zh/search/search_index.json"}
    en, zh = (json.loads(files[f]) for f in sorted(files))
    assert en["config"]["lang"] == zh["config"]["lang"] == ["en", "zh"]  # lunr's trimmer
    assert [d["location"] for d in en["docs"]] == ["losses/basics/"]
    assert [d["location"] for d in zh["docs"]] == ["losses/basics/#x"]
    assert en["docs"][0]["text"] == "a loss"  # no tags, no padding
    assert zh["docs"][0]["text"] == f"损失{ZWSP}函数"
    assert "损失" in files["zh/search/search_index.json"]  # UTF-8, not \\u escapes


# --- On the built site ---------------------------------------------------------------

def _index(site, lang: str) -> dict:
    path = site / ("" if lang == "en" else f"{lang}/") / "search/search_index.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_result_leads_to_a_page_of_its_language(built_site, lang):
    index = _index(built_site, lang)
    root = built_site if lang == "en" else built_site / lang
    pages = {d["location"].split("#")[0] for d in index["docs"]}
    assert len(pages) > 30
    for page in pages:
        assert (root / page / "index.html").is_file(), page
        assert not page.startswith("zh/"), page
    text = " ".join(d["text"] for d in index["docs"])
    han = len(re.findall(r"[\u4e00-\u9fff]", text)) / len(text)
    # the English glossary names the Chinese terms: a few Han characters, not the pages
    assert (han > 0.3) if lang == "zh" else (han < 0.001), han
    assert "<span" not in text and "\\[" not in text and "#>" not in text


def test_the_indexes_find_what_the_pages_say(built_site):
    def hits(lang, word):
        # a Chinese word may be one token or two (jieba): look for it in the plain text
        def found(text):
            return word in text.replace(ZWSP, "") if lang == "zh" else word in tokens(text)
        return [d["location"] for d in _index(built_site, lang)["docs"]
                if found(d["title"] + " " + d["text"])]

    assert any(loc.startswith("losses/cross_entropy/") for loc in hits("en", "ignore_index"))
    assert any(loc.startswith("losses/ctc_and_fused/") for loc in hits("en", "speech"))
    assert any(loc.startswith("losses/cross_entropy/") for loc in hits("en", "void"))
    assert any(loc.startswith("losses/cross_entropy/") for loc in hits("zh", "交叉熵"))
    assert any(loc.startswith("init/variance/") for loc in hits("zh", "初始化"))
    assert any(loc.startswith("reference/errors/") for loc in hits("zh", "ValueError:"))


def test_material_s_own_index_is_not_left_shared(built_site):
    # the plugin's file is overwritten by the English one: no Chinese page in it
    index = _index(built_site, "en")
    assert not any(re.search(r"[\u4e00-\u9fff]", d["title"]) for d in index["docs"])


@pytest.mark.parametrize(("page", "base"), [
    ("zh/losses/margin/index.html", "../../"), ("zh/index.html", "./"),
    ("losses/margin/index.html", "../.."), ("index.html", "."),
])
def test_each_page_resolves_search_against_its_language_root(built_site, page, base):
    html = (built_site / page).read_text(encoding="utf-8")
    config = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)</script>',
                                  html, re.S)[1])
    assert config["base"] == base


def test_without_names_a_block_leaves_only_its_messages():
    text = hook.searchable(f"<p>x</p>{CODE}", names=False)
    assert "ValueError: Expected input batch_size (8)" in text
    assert "trunc_normal_" not in text and "ignore_index" not in text
