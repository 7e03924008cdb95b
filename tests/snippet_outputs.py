"""The ``#>`` output convention: parse, run, compare and rewrite.

A snippet module is plain Python. Whatever a piece of code prints is written once,
right under it, as ``#> `` lines at column 0::

    print(torch.tensor([1.0, 2.0]))
    #> tensor([1., 2.])

The module is cut into *chunks* at every run of ``#>`` lines: a chunk is the code
since the previous run plus the run that follows it. Running the chunks in order in
one namespace must print exactly each chunk's ``#>`` lines. The code after the last
run is a final chunk that must print nothing. So three mistakes fail:

* a changed output (one digit is enough: only trailing whitespace is forgiven),
* a missing block (code prints, but no ``#>`` lines follow it),
* a stale block (``#>`` lines shown, but nothing printed them).

Used by the sybil parser (conftest.py), by the page-contract test, and by
``python -m tests.snippet_outputs --update``, which rewrites the ``#>`` lines from a
real run so that a deliberate change becomes a reviewable diff (``make outputs``).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "#>"
SECTION_END = re.compile(r"^\s*# --8<-- \[end:[\w-]+\]\s*$")
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Chunk:
    """Code since the previous ``#>`` run, and the run that follows it (if any)."""

    code_lines: list[str]
    first_line: int  # 1-based line number of code_lines[0] in the source
    expected: list[str] | None  # None for the trailing chunk: it must print nothing
    output_line: int | None = None  # 1-based line of the first #> line
    start: int = 0  # character offsets in the source, for sybil regions
    end: int = 0
    printed: str = field(default="", repr=False)

    @property
    def code(self) -> str:
        return "\n".join(self.code_lines)

    @property
    def expected_text(self) -> str:
        return normalise("\n".join(self.expected or []))


def output_text(line: str) -> str:
    """``'#> abc'`` -> ``'abc'``; a bare ``'#>'`` is an empty output line."""
    rest = line[len(PREFIX):]
    return rest[1:] if rest.startswith(" ") else rest


def parse(text: str) -> list[Chunk]:
    """Cut a module into chunks; the last chunk has ``expected=None``."""
    chunks: list[Chunk] = []
    lines = text.splitlines(keepends=True)
    code: list[str] = []
    first_line, offset, chunk_start = 1, 0, 0
    i = 0
    while i < len(lines):
        if lines[i].startswith(PREFIX):
            output_line = i + 1
            expected = []
            while i < len(lines) and lines[i].startswith(PREFIX):
                expected.append(output_text(lines[i].rstrip("\r\n")))
                offset += len(lines[i])
                i += 1
            chunks.append(Chunk([c.rstrip("\r\n") for c in code], first_line, expected,
                                output_line, chunk_start, offset))
            code, first_line, chunk_start = [], i + 1, offset
            continue
        code.append(lines[i])
        offset += len(lines[i])
        i += 1
    chunks.append(Chunk([c.rstrip("\r\n") for c in code], first_line, None, None,
                        chunk_start, offset))
    return chunks


def normalise(text: str) -> str:
    """Forgive trailing spaces and trailing blank lines; nothing else."""
    return "\n".join(line.rstrip() for line in text.splitlines()).rstrip("\n")


def run_chunk(chunk: Chunk, namespace: dict, filename: str) -> str:
    """Execute one chunk in ``namespace``; return what it printed."""
    source = "\n" * (chunk.first_line - 1) + chunk.code + "\n"
    code = compile(source, filename, "exec")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(code, namespace)
    chunk.printed = buffer.getvalue()
    return chunk.printed


def mismatch(chunk: Chunk, filename: str) -> str | None:
    """None when the chunk printed what it shows, else a readable report."""
    printed = normalise(chunk.printed)
    if chunk.expected is None:
        if not printed:
            return None
        last = chunk.first_line + len(chunk.code_lines) - 1
        return (f"{filename}:{chunk.first_line}-{last}: this code prints, but no #> block "
                f"shows it. It printed:\n" + indent(printed))
    if printed == chunk.expected_text:
        return None
    where = f"{filename}:{chunk.output_line}"
    if not printed:
        return f"{where}: stale #> block: the code above it printed nothing."
    diff = difflib.unified_diff(
        chunk.expected_text.splitlines(), printed.splitlines(),
        fromfile="shown (#> lines)", tofile="printed", lineterm="",
    )
    return f"{where}: the #> block differs from what the code printed:\n" + "\n".join(diff)


def indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def reset_printing() -> None:
    """Undo what a module did with ``torch.set_printoptions``, as a fresh process would.

    The harness runs many modules in one process; a page may set its print precision
    in its first block, and the next module must not inherit it.
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_printoptions(profile="default")


def fresh_namespace(filename: str) -> dict:
    """A module's namespace, as ``python -m`` gives it; also resets torch's printing."""
    reset_printing()
    return {"__name__": "__main__", "__file__": filename}


def check_source(text: str, filename: str) -> list[str]:
    """Run every chunk in a fresh namespace and return the mismatch reports."""
    namespace = fresh_namespace(filename)
    problems = []
    for chunk in parse(text):
        run_chunk(chunk, namespace, filename)
        report = mismatch(chunk, filename)
        if report:
            problems.append(report)
    return problems


def rewrite(text: str, filename: str) -> str:
    """Return ``text`` with every ``#>`` block replaced by what the code really prints.

    Top-level statements run one at a time, and each one's output is written right
    under its last line: the ``#>`` lines always sit under the code that printed them
    (a loop's output under the loop, a ``try`` block's under the ``try``).
    """
    namespace = fresh_namespace(filename)
    source_lines = [line for line in text.splitlines() if not line.startswith(PREFIX)]
    code = "\n".join(source_lines) + "\n"
    tree = ast.parse(code, filename)
    outputs: dict[int, str] = {}  # last line of a statement (1-based) -> its output
    for statement in tree.body:
        module = ast.Module(body=[statement], type_ignores=[])
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(module, filename, "exec"), namespace)
        printed = normalise(buffer.getvalue())
        if printed:
            outputs[statement.end_lineno] = printed
    out: list[str] = []
    for number, line in enumerate(source_lines, start=1):
        out.append(line)
        if number in outputs:
            out.extend(f"{PREFIX} {o}".rstrip() for o in outputs[number].split("\n"))
    return "\n".join(out) + "\n"


def snippet_modules() -> list[Path]:
    """Every module whose outputs are checked: all of snippets/ but package files."""
    return sorted(
        p for p in (ROOT / "snippets").rglob("*.py")
        if p.name != "__init__.py" and p.name != "figures.py"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="modules (default: all)")
    parser.add_argument("--update", action="store_true",
                        help="rewrite the #> lines from a real run")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    paths = [p.resolve() for p in args.paths] or snippet_modules()
    failed = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        if args.update:
            new = rewrite(text, name)
            if new != text:
                path.write_text(new, encoding="utf-8")
                print(f"rewrote {name}")
        else:
            for report in check_source(text, name):
                failed += 1
                print(report, end="\n\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
