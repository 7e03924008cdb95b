"""The error-message index can never fall behind the chapters.

Every chapter module (snippets/losses/*.py, snippets/init/*.py) is run the way the
harness runs it (tests/snippet_outputs.py), while two things are recorded: every
exception that reaches the module's own code (a ``try``/``except`` in a pitfall) and
every warning raised. A message the module also *shows* in its ``#>`` lines is a message
a reader can paste into a search engine, so it must appear in the ``#>`` lines of the
index, snippets/reference/errors.py. Numbers inside a message (sizes, class indices)
may differ between a chapter and the index: they are compared as ``N``.

A module can only show a caught message through an ``except`` clause or a
``catch_warnings`` block, so modules with neither (the long init experiments) are not
run again.
"""

from __future__ import annotations

import functools
import re
import sys
import warnings
from pathlib import Path

import pytest

from tests.snippet_outputs import ROOT, fresh_namespace, normalise, parse, run_chunk

INDEX = ROOT / "snippets" / "reference" / "errors.py"
CHAPTERS = sorted(
    p for part in ("losses", "init", "training", "beyond")
    for p in (ROOT / "snippets" / part).glob("*.py")
    if p.name != "__init__.py"
)
CATCHES = re.compile(r"\bexcept\b|catch_warnings")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def shown_lines(path: Path) -> str:
    """Everything a module shows in its ``#>`` lines, as one text."""
    return normalise("\n".join(
        line for chunk in parse(path.read_text(encoding="utf-8"))
        for line in (chunk.expected or [])
    ))


def generic(text: str) -> str:
    """Compare messages up to their numbers: ``Target 2 is out of bounds.`` ~ ``Target 3 ...``."""
    return NUMBER.sub("N", text)


class _Recorder(warnings.WarningMessage):
    """Stands in for warnings.WarningMessage, which every shown warning is built as."""

    seen: list[str] = []

    def __init__(self, message, *args, **kwargs):
        super().__init__(message, *args, **kwargs)
        _Recorder.seen.append(str(message))


def caught_messages(path: Path) -> list[str]:
    """Messages of the exceptions and warnings a module raises and shows in its #> lines."""
    filename = str(path)
    seen: list[str] = []

    def local(frame, event, arg):
        if event == "exception" and not raised_by_the_site(arg[2]):
            seen.append(str(arg[1]))
        return local

    def tracer(frame, event, arg):  # trace only the module's own frames
        if frame.f_code.co_filename != filename:
            return None
        # Only 'exception' events are wanted: no call per line of the module's loops
        # ('exception' and 'return' events still come).
        frame.f_trace_lines = False
        return local

    namespace = fresh_namespace(filename)
    _Recorder.seen = []
    original, previous = warnings.WarningMessage, sys.gettrace()
    warnings.WarningMessage = _Recorder
    sys.settrace(tracer)
    try:
        for chunk in parse(path.read_text(encoding="utf-8")):
            run_chunk(chunk, namespace, filename)
    finally:
        sys.settrace(previous)
        warnings.WarningMessage = original
    shown = generic(shown_lines(path))
    own = own_messages(path.read_text(encoding="utf-8"))
    messages = []
    for message in seen + _Recorder.seen:
        text = normalise(message)
        if (text.strip() and generic(text) in shown and text not in messages
                and not text.startswith(own)):
            messages.append(text)
    return messages


def raised_by_the_site(traceback) -> bool:
    """Was the exception raised by a ``raise`` or ``assert`` statement of the site's own code
    (a file under snippets/), such as a from-scratch function refusing an option? Those are
    the handbook's words, not torch's or a library's, and the index does not list them."""
    import linecache

    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    filename = traceback.tb_frame.f_code.co_filename
    if not Path(filename).resolve().is_relative_to(ROOT / "snippets"):
        return False
    line = traceback.tb_lineno
    return any(first <= line <= last
               for first, last in raise_statements("".join(linecache.getlines(filename))))


@functools.cache
def raise_statements(source: str) -> tuple[tuple[int, int], ...]:
    """(first, last) line of every ``raise`` and ``assert`` statement of a source.

    Cached on the text: a module that catches an exception in a loop gets an 'exception'
    event per pass (hundreds in training/precision.py), and parsing the whole module
    again for each one was most of this file's run time.
    """
    import ast

    return tuple((node.lineno, node.end_lineno or node.lineno)
                 for node in ast.walk(ast.parse(source))
                 if isinstance(node, (ast.Raise, ast.Assert)))


def own_messages(source: str) -> tuple[str, ...]:
    """The texts of a page's own checks: ``assert c, "msg"``, ``torch._assert_async(c, "msg")``.

    They are the page's words, not torch's, so the index does not list them. An f-string
    message gives its literal pieces; a message starting with one of them is the page's.
    """
    import ast

    pieces = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert) and node.msg is not None:
            message = node.msg
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "_assert_async" and len(node.args) > 1):
            message = node.args[1]
        else:
            continue
        first = next(iter(message.values), None) if isinstance(message, ast.JoinedStr) else message
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value:
            pieces.append(first.value)
    return tuple(pieces)


def missing_from_index(messages: list[str], index: Path = INDEX) -> list[str]:
    shown = generic(shown_lines(index))
    return [m for m in messages if generic(m) not in shown]


@pytest.fixture(scope="module")
def chapter_messages() -> dict[str, list[str]]:
    return {str(p.relative_to(ROOT)): caught_messages(p) for p in CHAPTERS
            if CATCHES.search(p.read_text(encoding="utf-8"))}


def test_every_message_a_chapter_shows_is_in_the_index(chapter_messages):
    missing = {name: missing_from_index(messages)
               for name, messages in chapter_messages.items()}
    missing = {name: m for name, m in missing.items() if m}
    assert not missing, f"add these messages to {INDEX.relative_to(ROOT)}: {missing}"


def test_the_collector_sees_the_chapters_messages(chapter_messages):
    """Errors and warnings, printed with or without their type: none may slip through."""
    found = {m for messages in chapter_messages.values() for m in messages}
    for expected in ("Target 2 is out of bounds.",
                     "0D or 1D target tensor expected, multi-target not supported",
                     "all elements of input should be between 0 and 1",
                     "var has negative entry/entries"):
        assert expected in found
    assert any(m.startswith("reduction: 'mean' divides the total loss") for m in found)
    assert any(m.startswith("size_average and reduce args will be deprecated") for m in found)


FAKE_CHAPTER = '''\
import warnings
try:
    raise ValueError("a brand-new message 42 that the index lacks")
except ValueError as err:
    print(err)
#> a brand-new message 42 that the index lacks
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    warnings.warn("a brand-new warning", UserWarning)
print(caught[0].message)
#> a brand-new warning
try:
    raise KeyError("caught but never shown")
except KeyError:
    pass
low = 1
try:
    assert low >= 2, f"the page's own check: low is {low}"
except AssertionError as err:
    print(err)
#> the page's own check: low is 1
from snippets.from_scratch.losses import _check_reduction
try:
    _check_reduction("avg")  # raised by the site's own code, not by torch
except ValueError as err:
    print("from scratch:", err)
#> from scratch: avg is not a valid value for reduction
'''


def test_the_check_fails_when_a_chapter_shows_a_message_the_index_lacks(tmp_path):
    chapter = tmp_path / "chapter.py"
    chapter.write_text(FAKE_CHAPTER, encoding="utf-8")
    messages = caught_messages(chapter)
    assert messages == ["a brand-new message 42 that the index lacks", "a brand-new warning"]
    assert missing_from_index(messages) == messages
    index = tmp_path / "index.py"
    index.write_text('print("ValueError: a brand-new message 7 that the index lacks")\n'
                     '#> ValueError: a brand-new message 7 that the index lacks\n')
    assert missing_from_index(messages, index) == ["a brand-new warning"]


# The index quotes two CUDA-only wordings of a device mismatch that no CPU run can print.
# Both are format strings compiled into the installed libtorch_cpu (its device checks
# live there for every backend), so a torch whose wording changes fails here.
CUDA_DEVICE_WORDINGS = (
    b"Expected all tensors to be on the same device, but got ",
    b", different from other tensors on ",
    b" (when checking argument in method ",
    b"Expected all tensors to be on the same device, but found at least two devices, ",
)


def compiled_strings_missing(library: Path, wanted=CUDA_DEVICE_WORDINGS) -> list[bytes]:
    import mmap

    with library.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return [w for w in wanted if data.find(w) < 0]


def test_the_quoted_cuda_device_messages_are_in_the_installed_torch():
    import torch

    library = Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"
    assert compiled_strings_missing(library) == []
    page = " ".join((ROOT / "docs" / "reference" / "errors.md").read_text("utf-8").split())
    for quoted in ("Expected all tensors to be on the same device, but got weight is on cpu, "
                   "different from other tensors on cuda:0 (when checking argument in method",
                   "but found at least two devices, cuda:0 and cpu!"):
        assert quoted in page


def test_compiled_strings_missing_reports_a_wording_torch_lacks(tmp_path):
    library = tmp_path / "lib.so"
    library.write_bytes(b"\0junk Expected all tensors to be on the same device, but got \0")
    assert compiled_strings_missing(library, (b"but got ", b"no such wording")) == [
        b"no such wording"]
