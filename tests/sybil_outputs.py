"""A small sybil parser: one example per chunk of a snippet module (see snippet_outputs).

Each example executes its chunk in the document's namespace, so a module runs top to
bottom exactly once, and fails with ``file:line`` and a diff when its ``#>`` lines are
not what the code printed.
"""

from __future__ import annotations

from pathlib import Path

from sybil import Document, Example, Region, Sybil

from tests.snippet_outputs import (
    ROOT,
    fresh_namespace,
    mismatch,
    parse,
    reset_printing,
    run_chunk,
)


def evaluate(example: Example) -> str | None:
    chunk = example.parsed
    path = Path(example.path)
    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    run_chunk(chunk, example.namespace, name)
    return mismatch(chunk, name)


def parse_outputs(document: Document):
    """The sybil parser: yield one region per chunk."""
    for chunk in parse(document.text):
        yield Region(chunk.start, chunk.end, chunk, evaluate)


class SnippetModule(Document):
    """A snippet module, read as text (sybil's default for .py would import it)."""

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text, path)
        self.namespace.update(fresh_namespace(path))


sybil = Sybil(
    parsers=[parse_outputs],
    path=str(ROOT),
    patterns=["snippets/**/*.py"],
    excludes=["__init__.py", "figures.py"],
    document_types={".py": SnippetModule},
    name="outputs",
    # Documents are made at collection time; each starts with torch's default printing.
    setup=lambda namespace: reset_printing(),
)
