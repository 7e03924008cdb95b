"""hooks/code_spans.py: lighter Pygments markup, same colours, same text."""

from __future__ import annotations

import re

from hooks import code_spans

TAG = re.compile(r"<[^>]+>")


def test_name_and_whitespace_spans_are_unwrapped_and_runs_merged():
    code = ('<span class="n">loss</span><span class="w"> </span><span class="o">=</span>'
            '<span class="w"> </span><span class="n">fn</span><span class="p">(</span>'
            '<span class="p">)</span><span class="w">  </span><span class="c1"># done</span>')
    assert code_spans.lighten(code) == ('loss <span class="o">=</span> fn'
                                        '<span class="p">()</span>  <span class="c1"># done</span>')


def test_the_text_is_unchanged_and_styled_classes_are_kept():
    code = ('<span class="kn">import</span><span class="w"> </span><span class="nn">torch</span>\n'
            '<span class="hll"><span class="n">x</span><span class="o">=</span></span>'
            '<span class="s2">&quot;a&quot;</span><span class="s2">&quot;b&quot;</span>')
    out = code_spans.lighten(code)
    assert TAG.sub("", out) == TAG.sub("", code)
    for cls in ("kn", "nn", "hll", "o"):
        assert f'class="{cls}"' in out
    assert out.count('class="s2"') == 1 and 'class="n"' not in out


def test_only_material_code_blocks_are_touched():
    page = ('<div class="highlight"><pre><span></span><code><span class="n">a</span></code>'
            '</pre></div><div class="highlight-ipynb"><pre><span class="n">b</span></pre></div>'
            '<p><span class="n">c</span></p>')
    out = code_spans.on_post_page(page, None, None)
    assert '<code>a</code>' in out
    assert '<span class="n">b</span>' in out and '<span class="n">c</span>' in out


def test_the_built_site_has_no_name_spans_in_its_code_blocks(built_site):
    blocks = 0
    for page in built_site.rglob("index.html"):
        for match in code_spans.BLOCK.finditer(page.read_text(encoding="utf-8")):
            blocks += 1
            assert '<span class="n">' not in match["code"], page
    assert blocks > 500


def test_the_highlight_memo_returns_what_pymdownx_computes():
    from pymdownx.highlight import Highlight

    original = getattr(Highlight.highlight, "__wrapped__", Highlight.highlight)
    memoised = code_spans._memoised(original)
    import markdown

    plain, fancy = Highlight(markdown.Markdown()), Highlight(markdown.Markdown(), linenums=True)
    code = "x = torch.zeros(3)  # a comment\nprint(x)"
    for highlighter in (plain, fancy):
        for count in (0, 1):
            expected = original(highlighter, code, "python", code_block_count=count)
            assert memoised(highlighter, code, "python", code_block_count=count) == expected
            assert memoised(highlighter, code, "python", code_block_count=count) == expected
    # one entry per distinct (settings, arguments): line numbers and block ids differ
    assert len(memoised.memo) == 4
    other_page = Highlight(markdown.Markdown())  # a new page's Markdown, same settings
    assert memoised(other_page, code, "python", code_block_count=0) == original(
        plain, code, "python", code_block_count=0)
    assert len(memoised.memo) == 4  # a hit: the Markdown instance is not in the key
    before = len(memoised.memo)
    inline = memoised(plain, "x", "python", inline=True)
    assert not isinstance(inline, str) and len(memoised.memo) == before  # not stored
