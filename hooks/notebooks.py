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
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from types import SimpleNamespace

import jupytext
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs_jupyter.plugin import NotebookFile

# nbconvert's template embeds a module script that imports Mermaid from a CDN. Our
# notebooks have no diagrams, and the site must not contact third-party hosts.
_REMOTE_SCRIPT = re.compile(
    r"<script[^>]*>(?:(?!</script>).)*?import\(\s*[\"'](?:https?:)?//.*?</script>", re.S)

DOWNLOAD_LABEL = {"en": "Download this notebook", "zh": "下载此笔记本"}


def _plugins(config):
    return config.plugins["mkdocs-jupyter"], config.plugins["i18n"]


def _is_notebook(jupyter, file) -> bool:
    return jupyter.should_include(file)


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
            alternates[lang] = SimpleNamespace(url=prefix + base_url)
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
    return files


def _ipynb_name(page) -> str:
    return PurePosixPath(page.file.norm_src_uri).with_suffix(".ipynb").name


@event_priority(-110)
def on_page_content(html: str, page, config, files) -> str:
    jupyter, _ = _plugins(config)
    if not _is_notebook(jupyter, page.file):
        return html
    html = _REMOTE_SCRIPT.sub("", html)
    label = DOWNLOAD_LABEL.get(page.file.locale, DOWNLOAD_LABEL["en"])
    name = _ipynb_name(page)
    link = (
        f'<p class="notebook-download"><a href="{name}" download>'
        f':material-download: {label} (<code>{name}</code>)</a></p>'
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
    jupyter.on_post_build(config)  # evicts what no language used


on_post_build = CombinedEvent(_suspend_eviction, _evict_after_last_language)
