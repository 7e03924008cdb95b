"""What a page shows: its snippet includes, read the way pymdownx.snippets reads them.

A page includes code with a line ``--8<-- "snippets/x.py:section"`` inside a fence.
``includes()`` lists those (path, section) pairs in page order, and ``section_text()``
returns the lines a section expands to, so tests can rebuild the exact program a reader
copies from a page.
"""

from __future__ import annotations

import functools
import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^":]+):(?P<section>[\w-]+)"\s*$')
MARKER = re.compile(r"^\s*# --8<-- \[(?P<kind>start|end):(?P<name>[\w-]+)\]\s*$")


def includes(page: Path) -> list[tuple[str, str]]:
    """(snippet path, section) for every include line of a Markdown page, in order."""
    found = []
    for line in page.read_text(encoding="utf-8").splitlines():
        match = INCLUDE.match(line)
        if match:
            found.append((match["path"], match["section"]))
    return found


def sections(path: str | Path) -> dict[str, str]:
    """Every section of a snippet module: name -> text, without marker lines, dedented."""
    return dict(_sections(str(path), (ROOT / path).read_text(encoding="utf-8")))


# Cached on the text (an edited file is read again): a page asks for a module's sections once
# per include, 10-100 times, and the tests walk every page of both languages.
@functools.cache
def _sections(path: str, text: str) -> dict[str, str]:
    lines = text.splitlines()
    result: dict[str, str] = {}
    open_at: dict[str, int] = {}
    for number, line in enumerate(lines):
        match = MARKER.match(line)
        if not match:
            continue
        if match["kind"] == "start":
            open_at[match["name"]] = number
        else:
            start = open_at.pop(match["name"])
            body = [raw for raw in lines[start + 1:number] if not MARKER.match(raw)]
            result[match["name"]] = textwrap.dedent("\n".join(body))
    if open_at:
        raise ValueError(f"{path}: sections never closed: {sorted(open_at)}")
    return result


def section_text(path: str, section: str) -> str:
    return sections(path)[section]


def page_program(page: Path) -> str:
    """The code a reader gets by copying the page's code blocks in order."""
    return "\n".join(section_text(path, name) for path, name in includes(page)) + "\n"


def markdown_pages(lang: str) -> list[Path]:
    """Pages of one language, relative to docs/ (suffix layout: page.zh.md)."""
    md = sorted(p.relative_to(DOCS) for p in DOCS.rglob("*.md"))
    if lang == "en":
        return [p for p in md if len(p.suffixes) == 1]
    return [p for p in md if p.suffixes == [f".{lang}", ".md"]]


def translation(page: Path, lang: str) -> Path:
    """docs-relative path of the translation of an English page."""
    return page.with_suffix(f".{lang}.md")
