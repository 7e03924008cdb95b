"""Make mkdocs-jupyter notebooks real pages in both languages, and offer a .ipynb download.

The trap (mkdocs-static-i18n issue #198): i18n's ``on_files`` runs last (priority
-100) and rebuilds every ``File`` as a plain ``mkdocs`` File. mkdocs-jupyter had
wrapped the notebooks in ``NotebookFile`` (which claims to be a documentation page);
the rebuilt ``.py`` files are no longer pages, so they were copied raw to
``index.html``. This hook runs after i18n, keeps the destination and URL i18n chose
(``zh/`` prefix, no ``.zh`` suffix), wraps the file again, and gives it the language
alternates that i18n only computes for Markdown pages, so the language switcher works.

It also writes ``<name>.ipynb`` (converted with jupytext) beside each notebook page and
adds a download link, because mkdocs-jupyter's ``include_source`` would offer the
``.py`` source instead. ``tests/test_site.py`` proves both languages render executed output.

Each language's notebook is executed: a translation (``name.zh.py``) runs the code of its
English notebook with its own words in the figures (labels, legends; ``tests/test_pages.py``
checks that only string literals differ), so its plots speak Chinese.

Alt text: nbconvert's lab template gives a figure a cell draws the placeholder alt "No
description has been provided for this image", in English on every page. A code cell
that draws a figure says what the figure shows in its ``alt`` metadata, in its own
notebook's language (jupytext: ``# %% alt="..."``; nbconvert's classic template reads
the same key), and ``describe_figures`` writes that into the page; a figure whose cell
has no ``alt`` fails the build. Keyboard: nbconvert makes each cell's input wrapper
focusable, but what scrolls sideways is the code inside it (``.highlight-ipynb``), and the
arrow keys scroll only the focused element or its ancestors; ``focus_the_code`` moves the
tab stop of a code cell onto its code (axe-core's ``scrollable-region-focusable``).

Execution beside the build: at the first ``on_pre_build`` a thread runs every notebook that
mkdocs-jupyter would execute and has no cached result for, through mkdocs-jupyter's own
``on_pre_page`` and render on a stand-in page, so the result lands in its cache
(``.cache/mkdocs-jupyter``); the kernel works on one core while the build renders the
Markdown pages on the other. When the notebook's page comes, its render waits for that
thread and then finds the cache entry (a failed run raises its error there). With the
cache off (``cache: false``) nothing runs ahead.

Page weight: mkdocs-jupyter inlines JupyterLab's whole stylesheet (~575 KB, mostly
rules for JupyterLab widgets and ~80 KB of icon data URLs) into every notebook page, and
it has no option to leave it out. ``prune_css`` keeps only the rules whose class names
occur in the notebook's own HTML, and only the custom properties those rules use, so a
notebook page keeps its look at about a tenth of the weight (``tests/test_site.py``).
"""

from __future__ import annotations

import functools
import pathlib
import re
from concurrent.futures import Future, ThreadPoolExecutor
from html import escape
from pathlib import Path, PurePosixPath
from types import SimpleNamespace

import jupytext
import tinycss2
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs_jupyter.plugin import NotebookFile

# nbconvert's template embeds a module script that imports Mermaid from a CDN. Our
# notebooks have no diagrams, and the site must not contact third-party hosts.
_REMOTE_SCRIPT = re.compile(
    r"<script[^>]*>(?:(?!</script>).)*?import\(\s*[\"'](?:https?:)?//.*?</script>", re.S)

# nbconvert's MathJax loader: with mkdocs-jupyter's default ``custom_mathjax_url`` it is
# an empty ``<script src="">`` plus a configuration that never runs. KaTeX renders the
# notebooks' formulas, as on every other page, so the whole block goes.
_MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)

DOWNLOAD_LABEL = {"en": "Download this notebook", "zh": "下载此笔记本"}

_STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S)
_CLASS_ATTR = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_VAR_USE = re.compile(r"var\(\s*(--[\w-]+)")


def _page_classes(html: str) -> set[str]:
    return {name for a, b in _CLASS_ATTR.findall(html) for name in (a or b).split()}


def _selectors(prelude) -> list[list]:
    """A rule's selector list split at its top-level commas."""
    parts: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _can_match(selector, classes: set[str]) -> bool:
    """False if the selector names a class the page never uses (or ``:root`` inside it).

    Classes inside functional pseudo-classes (``:not(.x)``) are not looked at: keeping
    a rule is always safe, dropping one is not.
    """
    tokens = [t for t in selector if t.type not in ("whitespace", "comment")]
    for before, token in zip(tokens, tokens[1:], strict=False):
        if token.type == "ident" and before.type == "literal":
            if before.value == "." and token.value not in classes:
                return False
            if before.value == ":" and token.lower_value == "root" and before is not tokens[0]:
                return False
    return True


def _prune_rules(rules, classes: set[str]) -> list[tuple]:
    """("rule", selectors, declarations), ("block", at-rule prelude, items), ("raw", css)."""
    kept: list[tuple] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [s for s in _selectors(rule.prelude) if _can_match(s, classes)]
            if selectors:
                prelude = ",".join(tinycss2.serialize(s).strip() for s in selectors)
                body = [d for d in tinycss2.parse_blocks_contents(rule.content)
                        if d.type == "declaration"]
                kept.append(("rule", prelude, body))
        elif rule.type == "at-rule" and rule.content is not None:
            keyword = rule.lower_at_keyword
            if keyword in ("media", "supports", "layer"):
                inner = _prune_rules(tinycss2.parse_rule_list(rule.content, True, True), classes)
                if inner:
                    prelude = f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}"
                    kept.append(("block", prelude, inner))
            elif keyword in ("keyframes", "font-face"):
                kept.append(("raw", "", rule.serialize()))
    return kept


def _used_properties(kept: list[tuple]) -> set[str]:
    """Custom properties the kept rules need: the ones they use, and what those use."""
    defined: dict[str, set[str]] = {}
    used: set[str] = set()

    def walk(items):
        for kind, _, body in items:
            if kind == "raw":
                used.update(_VAR_USE.findall(body))
            elif kind == "block":
                walk(body)
            else:
                for d in body:
                    refs = set(_VAR_USE.findall(tinycss2.serialize(d.value)))
                    if d.name.startswith("--"):
                        defined.setdefault(d.name, set()).update(refs)
                    else:
                        used.update(refs)

    walk(kept)
    todo = list(used)
    while todo:
        for ref in defined.get(todo.pop(), ()):
            if ref not in used:
                used.add(ref)
                todo.append(ref)
    return used


def _serialize(kept: list[tuple], used: set[str]) -> str:
    out = []
    for kind, prelude, body in kept:
        if kind == "raw":
            out.append(body)
            continue
        if kind == "block":
            text = _serialize(body, used)
        else:
            text = ";".join(
                f"{d.name}:{tinycss2.serialize(d.value).strip()}"
                + ("!important" if d.important else "")
                for d in body if not d.name.startswith("--") or d.name in used
            )
        if text:
            out.append(f"{prelude}{{{text}}}")
    return "".join(out)


@functools.lru_cache(maxsize=8)
def _parse_stylesheet(css: str) -> tuple:
    """Every notebook page inlines the same stylesheets: tokenize each one once."""
    return tuple(tinycss2.parse_stylesheet(css, True, True))


def prune_css(css: str, classes: set[str]) -> str:
    """The part of one stylesheet that can apply to HTML using only ``classes``."""
    kept = _prune_rules(tinycss2.parse_stylesheet(css, True, True), classes)
    return _serialize(kept, _used_properties(kept))


def slim_notebook_styles(html: str) -> str:
    """Prune every inline ``<style>`` of a notebook's HTML to what that HTML uses.

    A custom property defined in one ``<style>`` (the light/dark theme variables) and
    used in another is kept: usage is counted over all of them.
    """
    classes = _page_classes(html)
    styles = list(_STYLE.finditer(html))
    kept = [_prune_rules(_parse_stylesheet(m[2]), classes) for m in styles]
    used = _used_properties([item for items in kept for item in items])
    out, end = [], 0
    for match, items in zip(styles, kept, strict=True):
        css = _serialize(items, used)
        out.append(html[end:match.start()])
        if css:
            out.append(f"{match[1]}{css}{match[3]}")
        end = match.end()
    return "".join(out) + html[end:]


def _plugins(config):
    return config.plugins["mkdocs-jupyter"], config.plugins["i18n"]


def _is_notebook(jupyter, file) -> bool:
    # Not for Markdown: should_include would read every page with jupytext (slow).
    return not file.src_uri.endswith(".md") and jupyter.should_include(file)


def _alternates(file, i18n) -> dict:
    """URLs of the same notebook in every language that has a translation of it."""
    default = i18n.default_language
    norm = PurePosixPath(file.norm_src_uri)
    base_url = file.url
    if file.locale_alternate_of != default:
        base_url = base_url.removeprefix(f"{file.locale_alternate_of}/")
    alternates = {}
    docs_dir = Path(file.abs_src_path).parents[len(norm.parts) - 1]
    for lang in i18n.build_languages:
        src = norm if lang == default else norm.with_suffix(f".{lang}{norm.suffix}")
        if (docs_dir / src).is_file():
            prefix = "" if lang == default else f"{lang}/"
            # page=None: the sitemap template then writes site_url + url.
            alternates[lang] = SimpleNamespace(url=prefix + base_url, page=None)
    return alternates


@event_priority(-110)  # after mkdocs-static-i18n's on_files (-100)
def on_files(files: Files, config) -> Files:
    jupyter, i18n = _plugins(config)
    # Edit in place: ``files`` is i18n's own Files subclass, which resolves suffixed
    # paths; a new ``Files`` would lose that and break the localized navigation.
    for file in [f for f in files if _is_notebook(jupyter, f) and not f.is_documentation_page()]:
        wrapped = NotebookFile.__new__(NotebookFile)
        wrapped.file = file
        wrapped.dest_path = file.dest_path
        wrapped.abs_dest_path = file.abs_dest_path
        wrapped.url = file.url
        file.alternates = _alternates(file, i18n)
        files.remove(file)
        files.append(wrapped)
        # i18n's sitemap lists the pages it saw in its on_files: add the notebook.
        i18n.i18n_files_per_language[i18n.current_language].append(wrapped)
    return files


_HEADING = re.compile(r'<h([1-6]) id="([^"]*)"')


def _heading_ids_from_toc(html: str, toc) -> str:
    """Give headings the ids the page's table of contents links to.

    mkdocs-jupyter builds the TOC with Python-Markdown's slugs (a Chinese heading gets
    ``_1``, ``_2``, ...), while nbconvert writes ``id=""`` for headings with no ASCII
    letters, so the Chinese notebooks' TOC links led nowhere. Headings and TOC entries
    come in the same order; an id that is already set is kept.
    """
    ids: list[str] = []

    def walk(items):
        for item in items:
            ids.append(item.id)
            walk(item.children)

    walk(toc)
    headings = list(_HEADING.finditer(html))
    if len(headings) != len(ids):
        return html  # tests/test_static.py reports any TOC link left dangling
    out, end = [], 0
    for match, toc_id in zip(headings, ids, strict=True):
        out.append(html[end:match.start()])
        out.append(f'<h{match[1]} id="{match[2] or toc_id}"')
        end = match.end()
    return "".join(out) + html[end:]


def _ipynb_name(page) -> str:
    return PurePosixPath(page.file.norm_src_uri).with_suffix(".ipynb").name


_CODE_CELL = re.compile(r'<div\s+class="jp-Cell jp-CodeCell\b')
_DIV = re.compile(r"<div\b|</div>")
_PRE = re.compile(r"<pre[^>]*>(.*?)</pre>", re.S)


def code_cells(html: str) -> list[tuple[int, int]]:
    """(start, end) of every code cell's outermost ``<div>`` in nbconvert's HTML (which
    wraps each cell in a second div of the same classes)."""
    spans, position = [], 0
    while start := _CODE_CELL.search(html, position):
        depth = 0
        for tag in _DIV.finditer(html, start.start()):
            depth += 1 if tag.group() != "</div>" else -1
            if depth == 0:
                spans.append((start.start(), tag.end()))
                break
        else:
            raise ValueError("a code cell's <div> is never closed")
        position = spans[-1][1]
    return spans


NO_ALT = 'alt="No description has been provided for this image"'  # nbconvert's placeholder


def describe_figures(html: str, alts: list[str | None], name: str) -> str:
    """Give each code cell's figures the alt text of that cell (`alts`, one per code
    cell, in order: its ``alt`` metadata or None)."""
    spans = code_cells(html)
    if len(spans) != len(alts):
        raise ValueError(f"{name}: {len(spans)} code cells in the page, {len(alts)} in the source")
    for number, ((start, end), alt) in reversed(list(enumerate(zip(spans, alts, strict=True)))):
        cell = html[start:end]
        if NO_ALT not in cell:
            continue
        if not alt:
            raise ValueError(f'{name}: code cell {number + 1} draws a figure with no alt '
                             'text: say what it shows on its line, # %% alt="..."')
        cell = cell.replace(NO_ALT, f'alt="{escape(alt)}"')
        html = html[:start] + cell + html[end:]
    return html


_INPUT_WRAPPER = '<div class="jp-Cell-inputWrapper" tabindex="0">'
_CODE = re.compile(r'<div class="highlight-ipynb\b[^"]*"(?=>)')


def focus_the_code(html: str) -> str:
    """In each code cell, the tab stop of the input wrapper goes to the code, which is what
    scrolls."""
    spans = code_cells(html)
    for start, end in reversed(spans):
        cell = html[start:end]
        if _INPUT_WRAPPER in cell and _CODE.search(cell):
            cell = _CODE.sub(r'\g<0> tabindex="0"', cell.replace(
                _INPUT_WRAPPER, '<div class="jp-Cell-inputWrapper">', 1), count=1)
            html = html[:start] + cell + html[end:]
    return html


def _cell_alts(path: str) -> list[str | None]:
    return [cell.metadata.get("alt") for cell in jupytext.read(path).cells
            if cell.cell_type == "code"]


@event_priority(-110)
def on_page_content(html: str, page, config, files) -> str:
    jupyter, i18n = _plugins(config)
    if not _is_notebook(jupyter, page.file):
        return html
    html = describe_figures(html, _cell_alts(page.file.abs_src_path), page.file.src_uri)
    html = focus_the_code(html)
    html = slim_notebook_styles(_MATHJAX.sub("", _REMOTE_SCRIPT.sub("", html)))
    html = _heading_ids_from_toc(html, page.toc)
    label = DOWNLOAD_LABEL.get(page.file.locale, DOWNLOAD_LABEL["en"])
    name = _ipynb_name(page)
    link = (
        f'<p class="notebook-download"><a href="{name}" download class="md-button">'
        f'{label} (<code>{name}</code>)</a></p>'
    )
    return link + html


@event_priority(-110)
def on_post_page(output: str, page, config) -> str:
    jupyter, _ = _plugins(config)
    if _is_notebook(jupyter, page.file):
        notebook = jupytext.read(page.file.abs_src_path)
        notebook.metadata["kernelspec"] = {
            "name": "python3", "display_name": "Python 3", "language": "python",
        }
        # nbformat gives each cell a random id; its position makes the download the same
        # file in every build (a valid id: letters, digits, '-' and '_', 1-64 characters).
        for number, cell in enumerate(notebook.cells):
            cell["id"] = f"cell-{number}"
        target = Path(page.file.abs_dest_path).parent / _ipynb_name(page)
        target.parent.mkdir(parents=True, exist_ok=True)
        jupytext.write(notebook, target, fmt="ipynb")
    return output


# --- Keep mkdocs-jupyter's execution cache across the two language builds -----------
# mkdocs-jupyter evicts, after each build, every cached notebook that build did not
# use. i18n runs one nested build per language, so each language evicted the other's
# cache and every build re-executed every notebook. We share one "used" set across
# the nested builds and evict once, after the last language is built.
_used_cache_paths: set = set()
_cache_setting: list = []


@event_priority(-110)  # after mkdocs-jupyter's own on_pre_build resets its set
def on_pre_build(config) -> None:
    jupyter, i18n = _plugins(config)
    if not i18n.building:  # the first (default-language) build of a run
        _used_cache_paths.clear()
        _execute_ahead(jupyter, config)
    jupyter._used_cache_paths = _used_cache_paths
    if _cache_setting:  # a nested build started while eviction was suspended
        jupyter.config["cache"] = _cache_setting[0]


@event_priority(10)  # before mkdocs-jupyter's on_post_build (priority 0)
def _suspend_eviction(config) -> None:
    jupyter, _ = _plugins(config)
    if not _cache_setting:
        _cache_setting.append(jupyter.config["cache"])
    jupyter.config["cache"] = False


@event_priority(-120)  # after i18n's on_post_build (-100) has built the other languages
def _evict_after_last_language(config) -> None:
    jupyter, i18n = _plugins(config)
    if i18n.building or not _cache_setting:
        return
    jupyter.config["cache"] = _cache_setting.pop()
    if not _dirty:  # a dirty build (make serve) renders few pages: it would evict the rest
        jupyter.on_post_build(config)  # evicts what no language used


_dirty = False


def on_startup(command, dirty) -> None:
    global _dirty
    _dirty = dirty


on_post_build = CombinedEvent(_suspend_eviction, _evict_after_last_language)


# --- Execute the notebooks beside the build (see the module docstring) ------------------
_ahead: dict[str, Future] = {}  # notebook source path -> its run
_runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notebooks")  # one kernel


def _to_execute(jupyter, config) -> list[Path]:
    """The notebooks mkdocs-jupyter would execute: included, not ``execute_ignore``d."""
    if not (jupyter.config["execute"] and jupyter.config["cache"]):
        return []
    docs = Path(config.docs_dir)
    found = []
    for path in sorted(docs.rglob("*.py")):
        rel = path.relative_to(docs).as_posix()
        stand_in = SimpleNamespace(abs_src_path=str(path), src_uri=rel)
        ignored = any(pathlib.PurePath(path).match(p) for p in jupyter.config["execute_ignore"])
        if _is_notebook(jupyter, stand_in) and not ignored:
            found.append(path)
    return found


def _run(jupyter, config, path: Path) -> None:
    """mkdocs-jupyter's own conversion of ``path``, on a stand-in page: fills its cache."""
    docs = Path(config.docs_dir)
    file = SimpleNamespace(abs_src_path=str(path), src_path=str(path.relative_to(docs)),
                           src_uri=path.relative_to(docs).as_posix())
    page = SimpleNamespace(file=file, abs_url="/")
    jupyter.on_pre_page(page, config=config, files=None)
    page.render(config, None)


def _execute_ahead(jupyter, config) -> None:
    from mkdocs_jupyter.plugin import _compute_cache_key, _get_cache_path

    for path in _to_execute(jupyter, config):
        key = _compute_cache_key(str(path), jupyter.config, True)
        if not _get_cache_path(jupyter.config["cache_dir"], key).exists():
            _ahead[str(path)] = _runner.submit(_run, jupyter, config, path)


@event_priority(-110)  # after mkdocs-jupyter's on_pre_page gave the page its render
def on_pre_page(page, config, files):
    run = _ahead.pop(page.file.abs_src_path, None)
    if run is not None:
        render = page.render

        def render_when_run(config, files):
            run.result()  # the notebook's error, if its run failed
            return render(config, files)

        page.render = render_when_run
    return page
