"""Render the reference tables from their one data source, in the page's language.

A page asks for a table with a placeholder on a line of its own:

* ``<!-- finder-table -->``: the task -> loss finder, from ``snippets/reference/finder.py``;
* ``<!-- glossary-table -->``: the glossary, from ``snippets/reference/glossary.py``;
* ``<!-- init-defaults-table -->``: the default initialization of every torch.nn module,
  introspected by ``snippets/init/default_table.py``.

The page's language comes from its source file name: ``*.zh.md`` is Chinese, any other
page English. The output is ordinary Markdown (a table inside a ``<div markdown>``), so
links to ``.md`` files are checked by the strict build and the rows are found by the
search. A placeholder the hook does not know is left alone; a data module that fails
to import fails the build.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.metadata
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LABELS = {
    "en": {
        "finder": ("Task", "Model output", "Target", "Recommended", "Alternatives",
                   "Key options"),
        "filter": "Filter: type a task, a loss or an option (e.g. multi-label, pos_weight)",
        "none": "none",
        "glossary": ("English", "中文", "Meaning", "Where it is used"),
        "defaults": ("Modules", "Parameters", "Default", "torch code"),
        "submodule": "default of `{}`",
    },
    "zh": {
        "finder": ("任务", "模型输出", "目标", "推荐", "备选", "关键参数"),
        "filter": "筛选：输入任务、损失函数或参数名（如多标签、pos_weight）",
        "none": "无",
        "glossary": ("中文", "English", "含义", "用在哪里"),
        "defaults": ("模块", "参数", "默认初始化", "torch 代码"),
        "submodule": "`{}` 的默认初始化",
    },
}


def page_language(src_uri: str) -> str:
    """``'reference/finder.zh.md'`` -> ``'zh'``; every other page is English."""
    return "zh" if src_uri.endswith(".zh.md") else "en"


def _module(name: str):
    """Import a data module. The page modules print their examples when they run; that
    output belongs to the pages (and to the #> checks), not to the build log."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    with contextlib.redirect_stdout(io.StringIO()):
        return importlib.import_module(name)


def _cell(text: str) -> str:
    """Table cells cannot hold a raw ``|`` or a line break."""
    return text.replace("|", r"\|").replace("\n", " ")


def render_spec(spec, values: dict, lang: str) -> str:
    """``Spec('target', ('N',), torch.int64, 'class')`` -> ``target `(N,)` int64, in [0, C)``."""
    dims = ", ".join(str(d) for d in spec.shape)
    shape = f"({dims},)" if len(spec.shape) == 1 else f"({dims})"
    text = f"`{spec.name}` `{shape}` {str(spec.dtype).removeprefix('torch.')}"
    if spec.values:
        text += ("，" if lang == "zh" else ", ") + values[spec.values][0][lang]
    return text


def render_finder(lang: str) -> str:
    # Its data module imports torch and the from-scratch losses its rows name (~2 s).
    sources = [ROOT / SOURCES["<!-- finder-table -->"], Path(__file__),
               *sorted((ROOT / "snippets" / "from_scratch").glob("*.py"))]
    return _cached("finder", lang, sources, _draw_finder)


def _draw_finder(lang: str) -> str:
    finder = _module("snippets.reference.finder")
    labels = LABELS[lang]
    link = finder.LOSS_LINKS

    def loss(name: str) -> str:
        return f"[`{name}`]({link[name]})"

    lines = [
        # Shown from the start, so that nothing moves when finder.js arms it; a reader
        # without JavaScript does not see it (it would filter nothing).
        '<noscript><style>.finder-filter { display: none; }</style></noscript>'
        '<div class="finder-filter">'
        f'<input type="search" id="finder-filter" placeholder="{labels["filter"]}" '
        f'aria-label="{labels["filter"]}"></div>',
        "",
        '<div class="finder-table" markdown>',
        "",
        "| " + " | ".join(labels["finder"]) + " |",
        "|" + "---|" * len(labels["finder"]),
    ]
    for row in finder.ROWS:
        outputs = "<br>".join(render_spec(s, finder.VALUES, lang) for s in row.outputs)
        targets = "<br>".join(render_spec(s, finder.VALUES, lang) for s in row.targets)
        alternatives = "<br>".join(
            f"{loss(name)}: {note[lang]}" for name, note in row.alternatives
        ) or labels["none"]
        cells = [
            f'<span id="{row.id}"></span>**{row.task[lang]}**',
            f"{outputs}<br>{row.output_note[lang]}",
            f"{targets}<br>{row.target_note[lang]}" if targets else row.target_note[lang],
            loss(row.recommended),
            alternatives,
            row.options[lang],
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "</div>"]
    return "\n".join(lines)


def render_glossary(lang: str) -> str:
    glossary = _module("snippets.reference.glossary")
    other = "en" if lang == "zh" else "zh"
    lines = [
        "| " + " | ".join(LABELS[lang]["glossary"]) + " |",
        "|---|---|---|---|",
    ]
    for term in glossary.TERMS:
        where = ", ".join(f"[{title[lang]}]({url})" for title, url in term.used_in)
        cells = [
            f'<span id="{term.id}"></span>**{term.term[lang]}**',
            term.term[other],
            term.meaning[lang],
            where,
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


CACHE = ROOT / ".cache" / "tables"


def _cached(name: str, lang: str, sources: list[Path], draw) -> str:
    """``draw(lang)``, kept in ``.cache/tables/`` under a digest of its sources and of the
    installed torch (whose modules and dtypes the tables describe): a warm build skips
    importing torch for them (~2-4 s)."""
    digest = hashlib.sha256(importlib.metadata.version("torch").encode())
    for source in sources:
        digest.update(source.read_bytes())
    path = CACHE / f"{name}.{lang}.{digest.hexdigest()[:16]}.md"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    text = draw(lang)
    CACHE.mkdir(parents=True, exist_ok=True)
    for old in CACHE.glob(f"{name}.{lang}.*.md"):
        old.unlink(missing_ok=True)  # a build beside this one may have removed it
    # Whole or not at all: a build beside this one never reads a half-written table.
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return text


def render_init_defaults(lang: str) -> str:
    return _cached("init-defaults", lang, [ROOT / SOURCES["<!-- init-defaults-table -->"],
                                           Path(__file__)], _draw_init_defaults)


def _draw_init_defaults(lang: str) -> str:
    table = _module("snippets.init.default_table")
    labels = LABELS[lang]
    lines = [
        "| " + " | ".join(labels["defaults"]) + " |",
        "|---|---|---|---|",
    ]
    noted: set[str] = set()
    for modules, params, rule in table.cached_table():
        notes = [table.NOTES[m][lang] for m in modules if m in table.NOTES and m not in noted]
        noted.update(modules)
        names = "<br>".join([", ".join(f"`{name}`" for name in modules), *notes])
        if isinstance(rule, str):
            default, code = labels["submodule"].format(rule), ""
        else:
            default, code = f"${rule.formula}$", f"`{rule.call}`"
        cells = [names, ", ".join(f"`{p}`" for p in params), default, code]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


# placeholder -> (its table in a language, the module the table is drawn from; a page is
# rebuilt under ``serve --dirty`` when that module changes: hooks/dirty_rebuild.py)
TABLES = {
    "<!-- finder-table -->": (render_finder, "snippets/reference/finder.py"),
    "<!-- glossary-table -->": (render_glossary, "snippets/reference/glossary.py"),
    "<!-- init-defaults-table -->": (render_init_defaults, "snippets/init/default_table.py"),
}
SOURCES = {placeholder: source for placeholder, (_, source) in TABLES.items()}


def render(markdown: str, lang: str) -> str:
    """Replace every known placeholder of ``markdown`` by its table in ``lang``."""
    for placeholder, (draw, _) in TABLES.items():
        if placeholder in markdown:
            markdown = markdown.replace(placeholder, draw(lang))
    return markdown


def on_page_markdown(markdown: str, page, config, files) -> str:
    return render(markdown, page_language(page.file.src_uri))
