"""The reader's contract, checked on the Markdown sources.

* Both languages have the same pages, and each page pair includes the same snippet
  sections in the same order, so a Chinese page's program (its code blocks, in order) is
  the English page's.
* That program, run in a fresh process, prints exactly the ``#>`` lines shown: checked
  in tests/test_portability.py, where every English page's program runs once, under
  other kernel paths and threads than the test process's.
"""

from __future__ import annotations

import re

import pytest

from tests.pages import (
    DOCS,
    includes,
    markdown_pages,
    page_program,
    sections,
    translation,
)

EN_PAGES = markdown_pages("en")
ZH_PAGES = markdown_pages("zh")
PAGES_WITH_CODE = [p for p in EN_PAGES + ZH_PAGES if includes(DOCS / p)]
EN_PAGES_WITH_CODE = [p for p in EN_PAGES if includes(DOCS / p)]


def test_both_languages_have_the_same_pages():
    assert [translation(p, "zh") for p in EN_PAGES] == ZH_PAGES


@pytest.mark.parametrize("page", EN_PAGES, ids=str)
def test_translation_includes_the_same_sections(page):
    assert includes(DOCS / translation(page, "zh")) == includes(DOCS / page)


@pytest.mark.parametrize("page", EN_PAGES_WITH_CODE, ids=str)
def test_the_chinese_page_runs_the_same_program(page):
    """So the portability run of the English page's program checks the Chinese page too."""
    assert page_program(DOCS / translation(page, "zh")) == page_program(DOCS / page)


def test_every_page_starts_with_its_imports():
    """The first block a page includes is where its imports live."""
    for page in PAGES_WITH_CODE:
        path, first = includes(DOCS / page)[0]
        if path.startswith("snippets/from_scratch/"):
            continue
        assert "import torch" in sections(path)[first], f"{page}: first block {first}"


def test_every_include_names_an_existing_section():
    """The strict build fails on this too; this says which page and section."""
    for page in EN_PAGES + ZH_PAGES:
        for path, section in includes(DOCS / page):
            assert section in sections(path), f"{page}: {path}:{section} does not exist"


def test_notebook_translations_run_the_same_code():
    """A notebook exists once per language; only its Markdown cells may differ."""
    import jupytext

    notebooks = sorted((DOCS / "notebooks").glob("*.py"))
    english = [p for p in notebooks if len(p.suffixes) == 1]
    assert english
    for path in english:
        zh = path.with_suffix(".zh.py")
        code = [[c.source for c in jupytext.read(p).cells if c.cell_type == "code"]
                for p in (path, zh)]
        assert code[0] == code[1], f"{zh.name} runs different code from {path.name}"


# Chinese terms the glossary retired, and the term that replaced each (one term per
# concept: weight, class index, batch, padding, the glossary's hinge loss and CTC blank).
RETIRED_TERMS = {
    "权值": "权重", "类别下标": "类别索引", "批次": "批量", "批大小": "批量大小",
    "补齐": "填充", "合页损失": "hinge 损失", "空白符": "blank", "偏置硬币": "不均匀的硬币",
}


def retired_terms(text: str) -> list[str]:
    """``'old -> new (line n)'`` for every retired Chinese term in a text (bold markers
    inside a term do not hide it: ``类别**下标**``)."""
    return [f"{old} -> {new} (line {number})"
            for number, line in enumerate(text.replace("**", "").splitlines(), start=1)
            for old, new in RETIRED_TERMS.items() if old in line]


def test_no_chinese_text_uses_a_retired_term():
    sources = ([DOCS / p for p in ZH_PAGES] + sorted((DOCS / "notebooks").glob("*.zh.py"))
               + [DOCS.parent / path for path in (
                   "snippets/reference/glossary.py", "snippets/reference/finder.py",
                   "snippets/init/default_table.py", "hooks/tables.py", "mkdocs.yml")])
    found = {str(p.relative_to(DOCS.parent)): hits for p in sources
             if (hits := retired_terms(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_retired_terms_finds_an_old_term():
    assert retired_terms("初始化\n所有权值都变成 NaN") == ["权值 -> 权重 (line 2)"]
    assert retired_terms("存放的是类别**下标**") == ["类别下标 -> 类别索引 (line 1)"]


# A line break inside a paragraph renders as a space. Between two Chinese characters, or
# after full-width punctuation, that space is a visible gap ("什么时候用， 以及"); beside
# Latin text it is the usual space between Chinese and English. A Chinese paragraph is
# therefore written on one source line (Markdown cells of a notebook, the ``# `` comment
# lines of its jupytext source, too). Code fences are code, not prose; a line that starts
# a block (a list item, a table row, a heading, an admonition, an attribute list, HTML, or
# an indented block) starts a new paragraph.
CJK = "[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
# full-width punctuation, and the quotes, ellipsis and dash Chinese text sets full width
FULL_WIDTH = "[\u3000-\u303f\uff00-\uffef\u2018-\u201d\u2026\u2014]"
GAP = re.compile(f"(?:{CJK}[ \t]*\n[ \t]*{CJK}|{FULL_WIDTH}[ \t]*\n|\n[ \t]*{FULL_WIDTH})")
BLOCK_START = re.compile(
    r"(?:[-*+] |\d+\. |\||>|#|\?\?\?|!!!|```|<(?!https?:)[A-Za-z/!]|\{\s*[:#]|\$\$)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def cjk_line_breaks(text: str, notebook: bool = False) -> list[int]:
    """Line numbers where a paragraph breaks into a visible gap, outside fences and
    headings. ``notebook``: the text is a jupytext source; only its ``#`` lines are
    Markdown, without their ``# ``."""
    found, fenced = [], False
    lines = text.split("\n")
    if notebook:
        lines = [line[1:].removeprefix(" ") if line.startswith("#") else None
                 for line in lines]
    for number, (line, following) in enumerate(zip(lines, lines[1:], strict=False), 1):
        if line is None or following is None:
            continue
        if line.lstrip().startswith("```"):
            fenced = not fenced
        continues = (following.strip() and not BLOCK_START.match(following.lstrip())
                     and _indent(following) < _indent(line) + 4)
        if (not fenced and line.strip() and not line.lstrip().startswith("#") and continues
                and GAP.search(f"{line}\n{following.lstrip()}")):
            found.append(number)
    return found


def test_no_chinese_paragraph_breaks_between_two_chinese_characters():
    sources = [DOCS / p for p in ZH_PAGES] + sorted((DOCS / "notebooks").glob("*.zh.py"))
    found = {str(p.relative_to(DOCS)): lines for p in sources
             if (lines := cjk_line_breaks(p.read_text(encoding="utf-8"), p.suffix == ".py"))}
    assert found == {}, "join these lines (one line per Chinese paragraph)"


def test_cjk_line_breaks_finds_a_break_and_leaves_code_headings_and_latin_alone():
    page = ("什么时候用，\n以及为什么\n\n```python\nx = 1  # 中文\n注释\n```\n"
            "使用\n`torch` 的\ntorch\n## 标题\n正文\n\n一句话。\n`margin=0` 时\n\n"
            "列表：\n- 一项\n- 两项\n\n段落。\n{ #anchor }\n\n"
            "论文“Title”\n中提出\n\n分母是 $C$\n（不是 $N$）\n\n见：\n<https://pytorch.org>\n")
    assert cjk_line_breaks(page) == [1, 14, 24, 27, 30]
    notebook = ("# %% [markdown]\n# # 标题\n#\n# 笔记本的一段，\n# 分成两行\n\n# %%\n"
                "x = '中文'\ny = '中文'\n")
    assert cjk_line_breaks(notebook, notebook=True) == [4]


def test_sections_reads_an_edited_module_again(tmp_path):
    """sections() is cached on the module's text, never on its path alone."""
    module = tmp_path / "page.py"
    module.write_text("# --8<-- [start:a]\nx = 1\n# --8<-- [end:a]\n")
    assert sections(module) == {"a": "x = 1"}
    module.write_text("# --8<-- [start:a]\nx = 2\n# --8<-- [end:a]\n")
    assert sections(module) == {"a": "x = 2"}
