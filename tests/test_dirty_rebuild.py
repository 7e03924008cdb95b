"""hooks/dirty_rebuild.py: under ``mkdocs serve --dirty`` a page is rebuilt when a file it
includes (its snippets, its table's data module) is newer than its HTML."""

from __future__ import annotations

import os
from types import SimpleNamespace

from hooks import dirty_rebuild as hook
from tests.pages import ROOT


def test_a_page_depends_on_what_it_includes_and_its_tables():
    markdown = ('# T\n\n```python\n--8<-- "snippets/losses/basics.py:reduction"\n```\n\n'
                '--8<-- "snippets/init/experiment.py"\n\n<!-- glossary-table -->\n'
                'text that mentions --8<-- "snippets/not/an/include.py" inline\n')
    tables = {"<!-- glossary-table -->": "snippets/reference/glossary.py",
              "<!-- finder-table -->": "snippets/reference/finder.py"}
    assert hook.dependencies(markdown, tables) == {
        ROOT / "snippets/losses/basics.py", ROOT / "snippets/init/experiment.py",
        ROOT / "snippets/reference/glossary.py", ROOT / "mkdocs.yml"}


def test_every_page_s_includes_exist():
    tables = hook._table_sources()
    for page in (ROOT / "docs").rglob("*.md"):
        for dep in hook.dependencies(page.read_text(encoding="utf-8"), tables):
            assert dep.is_file(), (page, dep)


def _file(tmp_path, built_at: float):
    dest = tmp_path / "index.html"
    dest.write_text("built")
    os.utime(dest, (built_at, built_at))
    return SimpleNamespace(abs_dest_path=str(dest), is_modified=lambda: False)


def test_a_newer_include_makes_the_page_modified(tmp_path):
    snippet = tmp_path / "snippet.py"
    snippet.write_text("x = 1")
    os.utime(snippet, (1000, 1000))
    assert hook.modified_with(_file(tmp_path, 2000), {snippet})() is False
    assert hook.modified_with(_file(tmp_path, 500), {snippet})() is True


def test_the_page_s_own_check_still_counts(tmp_path):
    file = _file(tmp_path, 2000)
    file.is_modified = lambda: True
    assert hook.modified_with(file, set())() is True
