"""``mkdocs serve --dirty`` (``make serve``): rebuild a page when a file it shows changed.

A dirty build renders only the pages whose source is newer than their HTML, so an edit
to one page is served in about a second instead of after a rebuild of both languages
(~20 s). But a page's code and outputs live in the ``snippets`` package
(``--8<-- "snippets/losses/basics.py:reduction"``) and its tables in their data modules
(hooks/tables.py): an edit there leaves the page's own source untouched. This hook
gives each page's file a modification check that also looks at those files, so a page is
rebuilt when anything it includes changed, in both languages; an edit to ``mkdocs.yml``
(navigation, titles) rebuilds every page. A plain build ignores it. MkDocs loads a hook
once per process: an edit to a file under ``hooks/`` needs a restart of ``make serve``.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files

ROOT = Path(__file__).resolve().parent.parent
INCLUDE = re.compile(r'^\s*-{1,}8<-{1,}\s+"(?P<path>[^":]+)(?::[^"]*)?"', re.M)


@functools.cache  # hooks/tables.py is loaded once per process, like the hooks themselves
def _table_sources() -> dict[str, str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("_tables_sources", ROOT / "hooks" / "tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SOURCES


def dependencies(markdown: str, tables: dict[str, str]) -> set[Path]:
    """The files a page's Markdown includes or draws a table from, and ``mkdocs.yml``
    (the navigation and the titles every page shows)."""
    paths = {m["path"] for m in INCLUDE.finditer(markdown)} | {"mkdocs.yml"}
    paths |= {source for placeholder, source in tables.items() if placeholder in markdown}
    return {ROOT / path for path in paths}


def modified_with(file, deps: set[Path]):
    """``file.is_modified`` that is also true when a dependency is newer than the HTML."""
    own = file.is_modified

    def is_modified() -> bool:
        if own():
            return True
        try:
            built = os.path.getmtime(file.abs_dest_path)
        except OSError:
            return True
        return any(dep.is_file() and os.path.getmtime(dep) > built for dep in deps)

    return is_modified


_dirty = False


def on_startup(command, dirty) -> None:
    global _dirty
    _dirty = dirty


@event_priority(-120)  # after mkdocs-static-i18n rebuilt the Files (-100)
def on_files(files: Files, config) -> Files:
    if not _dirty:
        return files
    tables = _table_sources()
    for file in files.documentation_pages():
        if file.src_uri.endswith(".md") and file.abs_src_path:
            markdown = Path(file.abs_src_path).read_text(encoding="utf-8")
            file.is_modified = modified_with(file, dependencies(markdown, tables))
    return files
