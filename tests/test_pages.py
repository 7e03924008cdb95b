"""The reader's contract, checked on the Markdown sources.

* Both languages have the same pages, and each page pair includes the same snippet
  sections in the same order, so a Chinese page's program (its code blocks, in order) is
  the English page's.
* That program, run in a fresh process, prints exactly the ``#>`` lines shown: checked
  in tests/test_portability.py, where every English page's program runs once, under
  other kernel paths and threads than the test process's.
* The Chinese text keeps to one term per concept (the glossary's), one line per paragraph
  and one typography (README, "Chinese typography").
"""

from __future__ import annotations

import ast
import re
import unicodedata

import pytest
import yaml

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


def code_shape(source: str) -> str:
    """A code cell's syntax tree with every string literal blanked: two cells with the
    same shape run the same code with other words (a figure's labels, its font)."""
    import ast

    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return ast.dump(tree)


def test_notebook_translations_run_the_same_code():
    """A notebook exists once per language; its Markdown cells, comments and string
    literals may differ (the Chinese figures' words), nothing else."""
    import jupytext

    notebooks = sorted((DOCS / "notebooks").glob("*.py"))
    english = [p for p in notebooks if len(p.suffixes) == 1]
    assert english
    for path in english:
        zh = path.with_suffix(".zh.py")
        code = [[c.source for c in jupytext.read(p).cells if c.cell_type == "code"]
                for p in (path, zh)]
        assert len(code[0]) == len(code[1]), f"{zh.name} has other code cells"
        for en, other in zip(*code, strict=True):
            assert code_shape(en) == code_shape(other), f"{zh.name} runs other code:\n{other}"
        assert code[0] != code[1]  # the Chinese figures have Chinese words


def test_code_shape_sees_code_but_not_words():
    assert code_shape('ax.set_xlabel("layer")  # x') == code_shape('ax.set_xlabel("层")')
    assert code_shape('f(text["x"])') == code_shape('f(text["y"])')  # a key is a string too
    assert code_shape("x = 1") != code_shape("x = 2")
    assert code_shape('f("a")') != code_shape('f("a", "b")')


# Chinese terms the glossary retired, and the term that replaced each (one term per
# concept: weight, class index, batch, padding, the glossary's hinge loss and CTC blank,
# the two terms of the distillation loss).
RETIRED_TERMS = {
    "权值": "权重", "类别下标": "类别索引", "批次": "批量", "批大小": "批量大小",
    "补齐": "填充", "合页损失": "hinge 损失", "空白符": "blank", "偏置硬币": "不均匀的硬币",
    "软目标项": "软损失项", "硬标签项": "硬损失项",
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


# Chinese typography (README, "Chinese typography"): each check below takes a Markdown
# text and returns its findings, ``'line n: what: excerpt'``. They read the prose only:
# ``prose()`` blanks code fences, ``--8<--`` lines, display math and link definitions,
# turns inline code, inline math, entities and bare URLs into one MASK character (a Latin
# word, as far as spacing goes), and drops link targets, HTML tags and comments,
# attribute lists, block markers (headings, list items, quotes) and an admonition's
# syntax (its title in quotes stays, without the quotes). A notebook is checked through
# ``notebook_markdown()``, a Python module through ``chinese_strings()``, ``mkdocs.yml``
# through ``chinese_nav()``: each keeps the line numbers of its source.
MASK = "\ue000"
HAN = "[\u3400-\u4dbf\u4e00-\u9fff]"
WIDE = "[\u3000-\u303f\uff00-\uffef]"  # full-width punctuation and forms, quotes excluded
_INLINE = re.compile(
    r"(?P<mask>(?<!`)(`+)(?!`).+?(?<!`)\2(?!`)"  # inline code
    r"|(?<![\\$])\$(?!\$)(?:\\.|[^$\\\n])+?\$"  # inline math
    r"|&#?\w+;|<https?://[^>\s]+>|https?://[!-~]+)"  # entities, URLs
    r"|(?<=\])\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"]*\")?\)"  # a link's target
    r"|<!--.*?-->|</?[A-Za-z][^<>]*>"  # HTML
    r"|\{\s*[:#.][^{}]*\}")  # attribute list
_ADMONITION = re.compile(r'\s*(?:!!!|\?\?\?\+?)\s+[\w-]+(?:\s+[\w-]+)*\s*(?:"(?P<title>.*)")?\s*$')
_BLOCK = re.compile(r"\s*(?:>\s*)*(?:(?:[-*+]|\d+\.)\s+)?(?:#{1,6}\s+)?")
_LINK_DEFINITION = re.compile(r"\s*\[[^\]]+\]:\s")


def prose(text: str) -> list[str]:
    """The prose of a Markdown text, line by line (item n - 1 is line n)."""
    found, fenced, math = [], False, False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced, line = not fenced, ""
        elif fenced:
            line = ""
        elif math or stripped.startswith("$$"):  # a display formula, on one line or more
            math = not stripped.endswith("$$", 0 if math else 2)
            line = ""
        elif "--8<--" in line or _LINK_DEFINITION.match(line):
            line = ""
        elif admonition := _ADMONITION.match(line):
            line = admonition["title"] or ""
        else:
            line = line[_BLOCK.match(line).end():]
        found.append(_INLINE.sub(lambda m: MASK if m["mask"] else "", line).rstrip())
    return found


def notebook_markdown(text: str) -> str:
    """The Markdown cells of a jupytext percent notebook (without their ``# ``); every
    other line is left empty."""
    found, markdown = [], False
    for line in text.split("\n"):
        if line.startswith("# %%"):
            markdown = "[markdown]" in line
            line = ""
        found.append(line[1:].removeprefix(" ") if markdown and line.startswith("#") else "")
    return "\n".join(found)


def chinese_strings(source: str) -> str:
    """Every string constant of a Python module that holds a Chinese character, on the
    line where it starts (two on one line are joined with ``' | '``)."""
    lines = [[] for _ in source.split("\n")]
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and re.search(HAN, node.value)):
            lines[node.lineno - 1].append(node.value.replace("\n", " "))
    return "\n".join(" | ".join(strings) for strings in lines)


def chinese_nav(config: str) -> str:
    """The Chinese titles of ``nav_translations`` in mkdocs.yml, each on its line."""
    found = []
    for line in config.split("\n"):
        entry = yaml.safe_load(line) if re.search(HAN, line) and ":" in line else None
        found.append(next(iter(entry.values())) if isinstance(entry, dict) else "")
    return "\n".join(found)


def _chinese_lines(text: str):
    for number, line in enumerate(prose(text), start=1):
        if re.search(HAN, line):
            yield number, line


def _finding(number: int, what: str, line: str, start: int, end: int) -> str:
    excerpt = line[max(0, start - 8):end + 8].replace(MASK, "`…`")
    return f"line {number}: {what}: {excerpt}"


def _matches(text: str, what: str, pattern: str) -> list[str]:
    return [_finding(number, what, line, m.start(), m.end())
            for number, line in _chinese_lines(text) for m in re.finditer(pattern, line)]


# A half-width pair that belongs to an expression stays: a call or an index written
# without a space (log(0), N(0, 1), .to()), a tuple or shape ((1, 0), (N,)), an
# arithmetic group ((1 − p_t)^γ, y (x1 - x2)).
_CALL = re.compile(rf"[A-Za-z0-9_.'){MASK}\]\(]$")
_TUPLE = re.compile(r"\s*[^\s,()]*(?:\s*,\s*[^\s,()]*)+\s*")
_SHAPE = re.compile(r"形状[为是]?\s*$")  # 形状为 (N) 的目标: a shape of one dimension
_DIMENSION = re.compile(r"\s*[A-Za-z](?:_\w+|\d+)?\s*")
_OPERATOR = re.compile(r"\s[-−+=×·/<>≤≥]\s")
_BESIDE = re.compile(rf"{HAN}|{WIDE}")


def half_width_parentheses(text: str) -> list[str]:
    """``(…)`` as punctuation in a Chinese sentence: around Chinese text, or next to a
    Chinese character or full-width punctuation (``间隔 (margin)``, ``(DDP) 为``)."""
    found = []
    for number, line in _chinese_lines(text):
        for m in re.finditer(r"\(([^()]*)\)", line):
            before, inside, after = line[:m.start()], m[1], line[m.end():]
            chinese = re.search(HAN, inside)
            if _CALL.search(before) or not chinese and (
                    _TUPLE.fullmatch(inside) or _OPERATOR.search(inside)
                    or after.startswith(("^", "²"))
                    or _SHAPE.search(before) and _DIMENSION.fullmatch(inside)):
                continue
            neighbours = before.rstrip(" *")[-1:] + after.lstrip(" *")[:1]
            if chinese or _BESIDE.search(neighbours):
                found.append(_finding(number, "half-width parentheses", line,
                                      m.start(), m.end()))
    return found


_SINGLE_QUOTED = re.compile(r"(?<![A-Za-z0-9])'[^'\s]+'(?![A-Za-z0-9])")
_LINK_TEXT = re.compile(r"\[[^\]]*\]")


def straight_quotes(text: str) -> list[str]:
    """A straight ``"`` or a corner bracket in Chinese prose: Chinese quotes are “”. Also a
    word in straight single quotes (``使用 'same' 填充``), outside headings, link texts
    and admonition titles: there the site writes a Python literal such as ``'mean'``
    without backticks, as the English pages do (``## KLDivLoss：'mean' 与 'batchmean'``)."""
    found = _matches(text, "quote", r'["「」『』]')
    for (number, line), raw in zip(enumerate(prose(text), start=1), text.split("\n"),
                                   strict=True):
        if (not re.search(HAN, line) or raw.lstrip().startswith("#")
                or _ADMONITION.match(raw)):
            continue
        body = _LINK_TEXT.sub(lambda m: " " * len(m[0]), line)
        found += [_finding(number, "single quotes", line, m.start(), m.end())
                  for m in _SINGLE_QUOTED.finditer(body)]
    return found


def chinese_italics(text: str) -> list[str]:
    """``*中文*`` or ``_中文_``: Chinese characters are not set in italics."""
    found = []
    for number, line in _chinese_lines(text):
        unbold = re.sub(r"\*\*(.+?)\*\*", r"\1", line)
        for m in re.finditer(r"(?<!\*)\*(?![\s*])([^*]+?)(?<![\s*])\*(?!\*)"
                             r"|(?<!\w)_(?![\s_])([^_]+?)(?<![\s_])_(?!\w)", unbold):
            if re.search(HAN, m[1] or m[2]):
                found.append(_finding(number, "italics on Chinese", unbold,
                                      m.start(), m.end()))
    return found


def half_width_punctuation(text: str) -> list[str]:
    """``,`` ``.`` ``:`` ``;`` ``?`` ``!`` right after a Chinese character, or ``,`` ``:``
    ``;`` ``?`` ``!`` before one, or a ``.`` that ends a Chinese sentence after inline code
    or a number (``请改用 `torch.long`.``, ``结果是 0.5.``): a Chinese sentence takes
    full-width punctuation."""
    return _matches(text, "half-width punctuation", rf"{HAN}[,.:;?!]|[,:;?!]\s*{HAN}"
                    rf"|{HAN}{_MARKUP}\s*{_MARKUP}(?:{MASK}|\d+(?:\.\d+)?%?){_MARKUP}"
                    rf"\.(?=\s|$|{HAN})")


# inline code, or one Latin word, that does not belong to a phrase of several words
_LATIN = "[A-Za-z0-9_.]"
_BEFORE_SLASH = rf"(?:{MASK}|(?<!{_LATIN}\s)(?<!{_LATIN})[A-Za-z]{_LATIN}*)"
_AFTER_SLASH = rf"(?:{MASK}|[A-Za-z]{_LATIN}*(?!{_LATIN}))(?!\s+[A-Za-z])"


def spaced_slashes(text: str) -> list[str]:
    """A space around ``/`` next to Chinese text, or between inline code and inline code
    or one Latin word (``Linear / `Conv1D```): the separator is written 是/否. Two
    phrases of several words keep their spaces (``input_lengths must be of size batch_size
    / input_lengths must be integral``), and so does a division (``logits / T``)."""
    return _matches(text, "spaced slash", rf"(?:{HAN}|[）”])\s+/|/\s+{HAN}"
                    rf"|{MASK}\s+/\s*{_AFTER_SLASH}|{_BEFORE_SLASH}\s+/\s*{MASK}(?!\s+[A-Za-z])"
                    rf"|{MASK}\s*/\s+{_AFTER_SLASH}|{_BEFORE_SLASH}\s*/\s+{MASK}(?!\s+[A-Za-z])")


def missing_spaces(text: str) -> list[str]:
    """A Chinese character touching a Latin letter, a digit, inline code or math (bold
    and link brackets in between do not count): they are one space apart."""
    latin = f"[A-Za-z0-9{MASK}]"
    return _matches(text, "no space between Chinese and Latin",
                    rf"{HAN}(?=[*\[\]]*{latin})|{latin}[*\[\]]*(?={HAN})")


_FULL_PUNCTUATION = "[，。、；：？！（）“”《》【】]"  # not ‘’: English apostrophes
_MARKUP = r"[*\[\]]*"  # bold or italic markers, a link's brackets


def stray_spaces(text: str) -> list[str]:
    """A space between two Chinese characters, or between full-width punctuation and the
    text beside it (bold markers and link brackets in between): full-width punctuation
    carries its own spacing (``使用“same”填充``, ``**何时使用**：作为``)."""
    return _matches(text, "stray space", rf"{HAN}{_MARKUP}\s+{_MARKUP}{HAN}"
                    rf"|[^\s|]{_MARKUP}\s+{_MARKUP}(?:{_FULL_PUNCTUATION}|——|……)"
                    rf"|(?:{_FULL_PUNCTUATION}|——|……){_MARKUP}\s+{_MARKUP}[^\s|*\[\]]")


def ellipses_and_dashes(text: str) -> list[str]:
    """Beside Chinese text, the ellipsis is …… and the dash ——; a range of numbers
    beside Chinese text is written with ～ (0.1～0.5), not an en dash or ``~``, and a range
    of percentages keeps both signs (15%～30%, GB/T 15835-2011). (English in a Chinese
    line keeps its own: ``“… but found”``, ``PMLR 9: 249–256.``)"""
    marks = r"(?:\.\.\.|(?<!…)…(?!…)|(?<!—)—(?!—)|(?<!-)--(?!-))"
    side = f"(?:{HAN}|{WIDE})"
    return (_matches(text, "ellipsis or dash",
                     rf"{HAN}{marks}|{marks}{HAN}|(?:^|{side}){marks}(?:{side}|$)")
            + _matches(text, "range", rf"{HAN}\s*[\d.]+\s*–\s*\d"
                       rf"|\d\s*–\s*[\d.]+(?:\s*[A-Za-z%°]{{1,3}})?\s*(?:{HAN}|{WIDE})"
                       r"|\d\s*~\s*[\d.]|(?<![\d.])\d+(?:\.\d+)?\s*～\s*\d+(?:\.\d+)?\s*%"))


_EXPRESSION = r"(?:\d+(?:\.\d+)?|[A-Za-z](?:_\w+)?)"  # a number, or a one-letter symbol
_FULL_TUPLE = re.compile(rf"\s*{_EXPRESSION}(?:\s*,\s*{_EXPRESSION})+\s*")
_FULL_ARGUMENTS = re.compile(rf"\s*{_EXPRESSION}(?:\s*,\s*{_EXPRESSION})*\s*")
_FULL_CALL = re.compile(r"(?:\b(?:log|ln|exp|sqrt|max|min|softmax|sigmoid|tanh)|\b[A-Za-z])$")


def full_width_parentheses(text: str) -> list[str]:
    """``（…）`` around an expression: a call (``log（0）``, ``f（x）``), a tuple of numbers and
    symbols (``（N, 1）``) or a group raised to a power (``（1 − p_t）^γ``). An expression
    keeps its half-width parentheses, ``log(0)``, ``(N, 1)``; a gloss or an aside with
    no Chinese in it stays full-width (``Xavier（Glorot）``, ``Dice（0.3151）``)."""
    found = []
    for number, line in _chinese_lines(text):
        for m in re.finditer(r"（([^（）]*)）", line):
            inside = m[1]
            if re.search(f"{HAN}|{WIDE}", inside):
                continue
            call = _FULL_CALL.search(line[:m.start()]) and _FULL_ARGUMENTS.fullmatch(inside)
            if call or _FULL_TUPLE.fullmatch(inside) or line[m.end():].startswith(("^", "²")):
                found.append(_finding(number, "full-width parentheses on an expression",
                                      line, m.start(), m.end()))
    return found


def nested_parentheses(text: str) -> list[str]:
    """``（…（…）…）``: full-width parentheses inside full-width parentheses, which read as
    one aside too many; rephrase, drop the gloss, or set the aside off with ——."""
    return _matches(text, "nested parentheses", r"（[^（）]*（[^（）]*）")


def full_width_alphanumerics(text: str) -> list[str]:
    """A full-width letter or digit (``第３层的ＭＬＰ``): Latin letters and digits are
    half-width, and one space apart from Chinese."""
    return _matches(text, "full-width letter or digit", "[０-９Ａ-Ｚａ-ｚ]+")


def _punctuation(char: str) -> bool:
    """CommonMark's "Unicode punctuation character": categories P and S."""
    return char != "" and unicodedata.category(char)[0] in "PS"


_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_CODE_SPAN = re.compile(r"(`+)((?:(?!\1).)+?)\1")


def _lines_with_bold(text: str):
    """``(n, line, masked)`` for each line outside fences that holds ``**``; ``masked`` is
    the line with the content of its code spans replaced by ``x``."""
    fenced = False
    for number, line in enumerate(text.split("\n"), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and "**" in line:
            yield number, line, _CODE_SPAN.sub(lambda m: m[1] + "x" * len(m[2]) + m[1], line)


def commonmark_bold(text: str) -> list[str]:
    """Bold that CommonMark (Jupyter, GitHub, the downloadable notebooks) leaves as
    literal ``**``: a closing ``**`` right after punctuation and right before a letter
    (``**原因：**二分类``), or an opening one the other way round (``的**“void”**像素``).
    Python-Markdown renders both, so only this check sees them; the fix is to keep the
    punctuation outside the bold (``**原因**：二分类``)."""
    found = []
    for number, line, masked in _lines_with_bold(text):
        for m in _BOLD.finditer(masked):
            before = masked[m.start() - 1] if m.start() else ""
            after = masked[m.end()] if m.end() < len(masked) else ""
            body = m[1]
            opens = not _punctuation(body[0]) or before.isspace() or _punctuation(before) \
                or not before
            closes = not _punctuation(body[-1]) or after.isspace() or _punctuation(after) \
                or not after
            if not (opens and closes):
                found.append(_finding(number, "bold CommonMark does not close", line,
                                      m.start(), m.end()))
    return found


_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(?:\\.|[^$\\\n])+?\$")


def bold_in_formulas(text: str) -> list[str]:
    """``**`` inside an inline formula (``**因子 $T^2**$``): KaTeX draws the asterisks and
    the bold never closes where it was meant to; the fix is ``**因子 $T^2$**``."""
    return [_finding(number, "bold inside a formula", line, m.start(), m.end())
            for number, line, masked in _lines_with_bold(text)
            for m in _INLINE_MATH.finditer(masked) if "**" in m[0]]


TYPOGRAPHY = (half_width_parentheses, full_width_parentheses, nested_parentheses,
              straight_quotes, chinese_italics, half_width_punctuation, spaced_slashes,
              missing_spaces, full_width_alphanumerics, stray_spaces, ellipses_and_dashes,
              commonmark_bold, bold_in_formulas)


def typography(text: str) -> list[str]:
    """Every finding of every check, in the order of TYPOGRAPHY."""
    return [finding for check in TYPOGRAPHY for finding in check(text)]


def chinese_sources() -> dict[str, str]:
    """Every Chinese source, as the Markdown text the checks read: path -> text."""
    root = DOCS.parent
    found = {str(p.relative_to(root)): p.read_text(encoding="utf-8")
             for p in sorted(DOCS.rglob("*.zh.md"))}
    found |= {str(p.relative_to(root)): notebook_markdown(p.read_text(encoding="utf-8"))
              for p in sorted((DOCS / "notebooks").glob("*.zh.py"))}
    found |= {path: chinese_strings((root / path).read_text(encoding="utf-8")) for path in (
        "snippets/reference/glossary.py", "snippets/reference/finder.py",
        "snippets/init/default_table.py", "hooks/tables.py", "snippets/figures.py")}
    found["mkdocs.yml"] = chinese_nav((root / "mkdocs.yml").read_text(encoding="utf-8"))
    return found


def test_chinese_typography():
    """README, "Chinese typography": every Chinese source follows the convention."""
    found = {path: hits for path, text in chinese_sources().items()
             if (hits := typography(text))}
    assert found == {}


def test_chinese_sources_are_all_read():
    sources = chinese_sources()
    assert len([p for p in sources if p.endswith(".zh.md")]) == len(ZH_PAGES)
    assert len([p for p in sources if p.endswith(".zh.py")]) == 2
    assert all(re.search(HAN, text) for text in sources.values())


def _lines(findings: list[str]) -> list[int]:
    return [int(finding.split(":")[0].removeprefix("line ")) for finding in findings]


def test_prose_leaves_code_math_links_html_and_syntax_out():
    page = ('## 标题 (x) {#id}\n'
            '```python\nprint("中文 (x)")\n```\n'
            '    --8<-- "snippets/a.py:b"\n'
            '$$\n\\text{中文 (x)}\n$$\n'
            '!!! failure "常见陷阱：`a`"\n'
            '[中文](a.md#x "标题") `f(中文)` $g(中文)$ <span title="中文 (x)">\n'
            '[ref]: https://example.org "中文 (x)"\n'
            '- 列表 <https://example.org/(a)>\n')
    assert prose(page) == ["标题 (x)", "", "", "", "", "", "", "", f"常见陷阱：{MASK}",
                           f"[中文] {MASK} {MASK}", "", f"列表 {MASK}", ""]
    assert typography(page) == ["line 1: half-width parentheses: 标题 (x)"]


def test_notebook_markdown_strings_and_nav_keep_their_lines():
    notebook = '# %% [markdown]\n# 正文 (x)\n\n# %%\n# 注释 (x)\nx = "中文"\n'
    assert notebook_markdown(notebook).split("\n") == ["", "正文 (x)", "", "", "", "", ""]
    source = 'A = {"en": "a", "zh": "中文"}\nB = ("x",\n     "乙" "丙", "丁")\n'
    assert chinese_strings(source).split("\n") == ["中文", "", "乙丙 | 丁", ""]
    config = 'nav_translations:\n  Home: 首页\n  "Deep: more": 深层网络：方差\n'
    assert chinese_nav(config).split("\n") == ["", "首页", "深层网络：方差", ""]


def test_half_width_parentheses_finds_a_gloss_and_leaves_expressions_alone():
    assert half_width_parentheses(
        "归约方式 (reduction) 汇总\n`nn.Module` (DDP) 为每张 GPU\n见 Martens (2010)，它\n"
        "（例如 (不是这个) 中文）\n**残差流** (residual stream) 上") == [
        "line 1: half-width parentheses: 归约方式 (reduction) 汇总",
        "line 2: half-width parentheses: `…` (DDP) 为每张 GPU",
        "line 3: half-width parentheses: Martens (2010)，它",
        "line 4: half-width parentheses: （例如 (不是这个) 中文）",
        "line 5: half-width parentheses: **残差流** (residual stream) 上"]
    assert half_width_parentheses(
        "计算 log(0) 时\n层归一化为 (1, 0)，形状为 (N,) 的目标\n乘以 (1 − p_t)^γ 的\n"
        "或 y (x1 - x2)\n间隔（margin）\nThe loss (reduction) only\n`f (x)` 和 $g (x)$\n"
        "形状为 (N) 的目标\n形状 (C) 的权重，形状是 (d_1) 的\n") == []
    assert _lines(half_width_parentheses("见 (总和 / 个数)\n见 (甲, 乙)\n温度 (T) 下\n"
                                         "形状为 (DDP) 的\n")) == [1, 2, 3, 4]


def test_full_width_parentheses_finds_an_expression_and_leaves_glosses_alone():
    assert _lines(full_width_parentheses(
        "计算 log（0）时\n形状为（N, 1）的\n乘以（1 − p_t）^γ 的\n即 f（x）\n")) == [1, 2, 3, 4]
    assert full_width_parentheses(
        "Xavier（Glorot）初始化\n是 Dice（0.3151）；\nMartens（2010），它\n间隔（margin）\n"
        "再除以 8（1.473）\n即（0.0284 = 0.1137 / 4）\nHuber（δ = 2）的\n"
        "展平成（size(0)，其余维度）\n层归一化为 (1, 0)\n") == []


def test_nested_parentheses_finds_a_parenthesis_inside_another():
    assert _lines(nested_parentheses(
        "同类别（即假阴性（false negative），很常见）\n（见[有监督对比损失（SupCon）](#supcon)）\n"
        "（见 [SupCon](#supcon)）和（另一个）\n（log(0) 时）\n")) == [1, 2]


def test_full_width_alphanumerics_finds_wide_letters_and_digits():
    assert _lines(full_width_alphanumerics("第３层的ＭＬＰ\n第 3 层的 MLP（见上文）\n")) == [1, 1]


def test_straight_quotes_finds_straight_and_corner_quotes():
    assert _lines(straight_quotes('报错是 "Expected"。\n简体用「引号」\n“对的”\n`"a"` 中文\n'
                                  '!!! failure "常见陷阱"\nEnglish "only"\n')) == [1, 1, 2, 2]
    assert _lines(straight_quotes("使用 'same' 填充\n默认的 'mean' 结果\n")) == [1, 2]
    # a Python literal in a heading, a link's text or an admonition title, as in English;
    # apostrophes; code
    assert straight_quotes("## KLDivLoss：'mean' 与 'batchmean' {#kl-mean}\n"
                           "见 [KL 的 'mean'](#kl-mean)。\n"
                           "!!! failure \"常见陷阱：用了 reduction='mean'\"\n"
                           "PyTorch's 中文，don't 和 it's\n`'same'` 填充\n") == []


def test_chinese_italics_finds_italic_chinese_and_leaves_bold_and_english_alone():
    assert _lines(chinese_italics("让*学生*网络\n用 _下划线_ 强调\n***粗斜体***\n")) == [1, 2, 3]
    # Two bare wildcards on a line open and close emphasis in Python-Markdown and in
    # CommonMark alike (所有 nn.Conv<em>d 和 nn.Lazy</em> 模块): write them as code.
    assert _lines(chinese_italics("所有 nn.Conv*d 和 nn.Lazy* 模块\n所有 `nn.Conv*d` 和 "
                                  "`nn.Lazy*` 模块\n所有 nn.Conv*d 模块\n")) == [1]
    assert chinese_italics("**粗体**和**加粗**\n论文 *Deep Residual Learning*\n"
                           "snake_case 的 a_b_c\n- 列表\n$a * b$ 与 `*中文*`\n") == []


def test_half_width_punctuation_finds_a_latin_comma_in_a_chinese_sentence():
    assert _lines(half_width_punctuation(
        "损失,以及\n原因: 它\n`a`, 以及\n是吗?\n结束.\n")) == [1, 2, 3, 4, 5]
    assert _lines(half_width_punctuation(
        "请改用 `torch.long`.\n结果是 0.5.\n占 **41%**. 其余\n是 `a`.然后\n")) == [1, 2, 3, 4]
    assert half_width_punctuation("中文 e.g. a, b: c\n5. 列表项\n调用 `f(a, b)` 时\n"
                                  "引用 PMLR 9: 249–256.\n见 torch 2.13.\n是 0.5。\n") == []


def test_spaced_slashes_finds_a_space_around_a_chinese_slash():
    assert _lines(spaced_slashes("过拟合 / 欠拟合\n（fan_in）/ 输出\n是/否\n0/1 目标\n"
                                 "`'mean'`/`'sum'`\n$a / b$ 中\n")) == [1, 2]
    assert _lines(spaced_slashes("每个 Linear / `Conv1D` 的\n用 `'mean'` / `'sum'` 时\n"
                                 "用 `a`/ b 时\n")) == [1, 2, 3]
    # two phrases of several words keep their spaces; a division between Latin words
    assert spaced_slashes("中文 size batch_size / input_lengths must be integral\n"
                          "报 `a` called twice / `options` ignored 时\n除以 logits / T 的\n"
                          "报 `x` must be / `y` must not 时\n") == []


def test_missing_spaces_finds_chinese_touching_latin():
    assert _lines(missing_spaces(
        "使用torch的\n第3层\n调用`f`时\n见[KL 散度]\n公式$x$中\n")) == [1, 1, 2, 2, 3, 3, 4, 5, 5]
    assert missing_spaces("使用 torch 的第 3 层，调用 `f` 时见 [KL 散度]，占 41%。\n") == []


def test_stray_spaces_finds_spaces_beside_full_width_punctuation():
    assert _lines(stray_spaces(
        "使用 “same” 填充\niPhone ，好\n**何时使用：** 作为\n[共享（tying）](a.md) 让\n"
        "如 多标签\n**模型** 没有\n生成器 —— 数据\n等等 ……\n")) == [1, 1, 2, 3, 4, 5, 6, 7, 8]
    assert stray_spaces("| 是 | 否 |\n- “引号”开头\n使用“same”填充，iPhone，好\n"
                        "## 标题？ {#id}\n报错“the users’ data”\n") == []


def test_ellipses_and_dashes_finds_latin_marks_and_en_dash_ranges():
    assert _lines(ellipses_and_dashes(
        "等等...\n然后…\n生成器—数据\n提升 0.2–0.3% 的\n第 2–4 阶段\n约 12–15 s，\n"
        "取 0.1~0.5 之间\n提升 0.2～0.3% 的\n")) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert ellipses_and_dashes("等等……\n生成器——数据\n报的是“… but found”\n"
                               "Kullback–Leibler 散度\n0.1～0.5 之间\n0-1 损失\n"
                               "引用 PMLR 9: 249–256.\n提升 0.2%～0.3% 的\n约 ~5 s 的\n") == []


ADMONITION_TITLE = re.compile(r'^\s*(?:!!!|\?\?\?\+?)\s+[\w-]+\s+"(.*)"\s*$', re.M)


def escaped_quotes_in_titles(text: str) -> list[str]:
    """Admonition titles with ``\\"``: Python-Markdown shows the backslash, as it is."""
    return [title for title in ADMONITION_TITLE.findall(text) if '\\"' in title]


def test_no_admonition_title_shows_a_backslash():
    assert escaped_quotes_in_titles('!!! warning "A \\"quote\\""\n!!! note "“fine”"') == [
        'A \\"quote\\"']
    found = {str(p): hits for p in EN_PAGES + ZH_PAGES
             if (hits := escaped_quotes_in_titles((DOCS / p).read_text(encoding="utf-8")))}
    assert found == {}


def test_commonmark_bold_finds_bold_that_jupyter_and_github_leave_open():
    """Checked against CommonMark's flanking rules, as markdown-it and mistune apply them."""
    assert _lines(commonmark_bold(
        "**原因：**二分类\n的**“void”**像素\n**原因**：二分类\n**`weight`** 和\n"
        "见**元设备（meta）**上\n```\n**代码：**里\n```\n`**x：**y` 代码\n")) == [1, 2, 5]


def test_bold_in_formulas_finds_bold_markers_inside_a_formula():
    assert _lines(bold_in_formulas(
        "- **因子 $T^2**$。\n- **因子 $T^2$**。\n`$a**b$` 与 **粗**\n$a * b$ 与 **粗**\n"
        "```\n**x $y**$\n```\n")) == [1]


def test_english_bold_closes_in_commonmark_too():
    """The English pages become notebooks as well (hooks/page_notebooks.py)."""
    found = {str(p): hits for p in EN_PAGES
             if (hits := commonmark_bold(text := (DOCS / p).read_text(encoding="utf-8"))
                 + bold_in_formulas(text))}
    assert found == {}
