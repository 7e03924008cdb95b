"""hooks/tables.py: the finder and glossary tables, rendered in the page's language."""

from __future__ import annotations

import re

import pytest
import torch

from hooks import tables
from snippets.reference import finder, glossary


def test_the_language_comes_from_the_source_file_name():
    assert tables.page_language("reference/finder.zh.md") == "zh"
    assert tables.page_language("reference/finder.md") == "en"
    assert tables.page_language("zh/notes.md") == "en"


def test_a_page_without_placeholder_is_unchanged():
    text = "# Title\n\n<!-- another-comment -->\n| a | b |\n"
    assert tables.render(text, "en") == text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_finder_table_has_a_header_and_one_line_per_row(lang):
    out = tables.render("before\n\n<!-- finder-table -->\n\nafter", lang)
    assert "<!-- finder-table -->" not in out and out.startswith("before") and "after" in out
    header = "| " + " | ".join(tables.LABELS[lang]["finder"]) + " |"
    assert header in out
    rows = [line for line in out.splitlines() if line.startswith('| <span id="')]
    assert len(rows) == len(finder.ROWS)
    for line, row in zip(rows, finder.ROWS, strict=True):
        assert line.count(" | ") == 5, line  # six cells, no stray pipe
        assert row.task[lang] in line and f"]({finder.LOSS_LINKS[row.recommended]})" in line


def test_the_cells_say_what_the_row_states():
    out = tables.render("<!-- finder-table -->", "en")
    ctc = next(line for line in out.splitlines() if 'id="ctc"' in line)
    assert "`log_probs` `(T, N, C)` float32, log_softmax over the last dim" in ctc
    assert "`targets` `(N, S)` int64, in [1, C), 0 is the blank" in ctc
    zh = tables.render("<!-- finder-table -->", "zh")
    assert "`target` `(N,)` int64，取值 [0, C)" in zh


def test_render_spec_and_cell_escaping():
    spec = finder.Spec("x", ("N",), torch.float32, "±1")
    assert tables.render_spec(spec, finder.VALUES, "en") == "`x` `(N,)` float32, −1 or 1"
    assert tables._cell("a | b\nc") == r"a \| b c"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_glossary_has_every_term_once(lang):
    out = tables.render("<!-- glossary-table -->", lang)
    ids = re.findall(r'<span id="([\w-]+)"></span>', out)
    assert ids == [t.id for t in glossary.TERMS]
    assert len(set(ids)) == len(ids)
    for term in glossary.TERMS:
        assert term.term[lang] in out and term.meaning[lang] in out


STYLE_GLOSSARY = [  # the glossary of the style guide: every pair must be in the table
    ("loss function", "损失函数"), ("cost function", "代价函数"),
    ("objective function", "目标函数"),
    ("weight initialization", "权重初始化"), ("vanishing", "梯度消失"), ("exploding", "梯度爆炸"),
    ("saturating", "饱和"), ("fan-in", "输入扇入（fan_in）"), ("fan-out", "输出扇出（fan_out）"),
    ("gain", "增益（gain）"), ("self-information", "自信息"), ("entropy", "信息熵"),
    ("relative entropy (KL divergence)", "相对熵（KL 散度）"), ("cross-entropy", "交叉熵"),
    ("negative log-likelihood", "负对数似然"), ("logits", "logits（未归一化分数）"),
    ("reduction", "归约方式（reduction）"), ("class weight", "类别权重"),
    ("positive weight", "正样本权重（pos_weight）"), ("margin", "间隔（margin）"),
    ("multi-class", "多分类"), ("multi-label", "多标签"), ("label smoothing", "标签平滑"),
    ("from scratch", "从零实现"), ("pitfall", "常见陷阱"),
]
SITE_TERMS = ["triplet", "anchor", "positive", "negative", "blank", "alignment", "pos_weight",
              "ignore_index", "0-1 loss", "squared loss", "softmax loss", "embedding",
              "hinge loss", "distillation", "outlier", "broadcasting"]


def test_the_glossary_has_the_style_guide_terms_and_the_site_terms():
    pairs = [(t.term["en"], t.term["zh"]) for t in glossary.TERMS]
    for en, zh in STYLE_GLOSSARY:
        assert any(en in e and zh in z for e, z in pairs), (en, zh)
    english = " ".join(e for e, _ in pairs) + " " + " ".join(
        t.meaning["en"] for t in glossary.TERMS)
    for term in SITE_TERMS:
        assert term in english, term


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_built_glossary_links_to_existing_sections(built_site, lang):
    root = built_site / ("zh" if lang == "zh" else "")
    page = root / "reference/glossary/index.html"
    html = page.read_text(encoding="utf-8")
    for term in glossary.TERMS:
        assert f'id="{term.id}"' in html
        for _, url in term.used_in:
            path, _, anchor = url.partition("#")
            # Links are relative to docs/reference/, i.e. to the folder reference/.
            folder = (page.parent.parent / path.removesuffix(".md")).resolve()
            target = (folder / "index.html").read_text(encoding="utf-8")
            assert not anchor or f'id="{anchor}"' in target, (lang, term.id, url)


def test_a_table_is_drawn_again_only_when_a_source_changes(tmp_path, monkeypatch):
    from hooks import tables

    monkeypatch.setattr(tables, "CACHE", tmp_path / "cache")
    source = tmp_path / "data.py"
    source.write_text("ROWS = 1")
    calls = []

    def draw(lang):
        calls.append(lang)
        return f"| table {len(calls)} |"

    assert tables._cached("t", "en", [source], draw) == "| table 1 |"
    assert tables._cached("t", "en", [source], draw) == "| table 1 |"  # from the cache
    assert tables._cached("t", "zh", [source], draw) == "| table 2 |"  # per language
    source.write_text("ROWS = 2")
    assert tables._cached("t", "en", [source], draw) == "| table 3 |"
    assert len(list((tmp_path / "cache").glob("t.en.*.md"))) == 1  # the stale one is gone
