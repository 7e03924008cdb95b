"""The portability check: every page's code, run in a fresh process under other kernel paths.

A reader copies a page's code blocks, in order, into a fresh Python process on another
CPU, with another thread count, where torch and its BLAS pick other kernels and add in
another order. Every shown ``#>`` line must survive that. The normal run (sybil, one
thread, this CPU's best ATen kernels) checks each module's outputs in the test process;
this check runs what the reader runs: each English page's *program* (its code blocks
concatenated, ``tests/pages.py``; a Chinese page's is the same, ``tests/test_pages.py``)
in a fresh namespace, plus the few modules no page shows (the table modules), in one
extra process with the switches torch and its BLAS expose set the other way:

* ``ATEN_CPU_CAPABILITY=default``: ATen's kernels compiled without AVX2/AVX-512. On this
  x86 build that changes float32 ``randn`` draws, the ops a vectorized kernel turns into
  fused multiply-adds (``uniform_``, ``linspace``, ``add`` with ``alpha``), ``sigmoid``,
  ``log1p``, ``softplus``, ``logsigmoid`` and ``log_softmax``; not the reduction trees
  (the default build keeps 8-lane vectors) and not ``exp``/``log``/``tanh``, which go
  through MKL's vector math;
* ``MKL_CBWR=COMPATIBLE``: MKL's most conservative code path for matrix products, float32
  and float64 (another blocking, so another summation order inside every ``x @ W``);
* ``OMP_NUM_THREADS=2``: parallel reductions over more than 32768 elements split in two.

What it cannot simulate: AVX-512's 16-lane reduction trees, ARM's NEON/SVE kernels,
macOS Accelerate. The static digit rule below, and the rounding-edge audit in
``tests/perturb.py`` (``--perturb``), cover what the switches do not reach.

The three are set together, in one process, to keep the cost at one torch import for
all pages; a line that depends on any of them moves. To tell which one, run
``python -m tests.portability --env NAME=VALUE`` with one switch at a time. The pages run
one after another in that process, each in a fresh namespace with torch's print options
reset, as a fresh interpreter has them; a report names the module and line of the moved
``#>`` line and the page whose program it is part of.

The comparison is exact, as the reader's contract is: no tolerance. A second, static
rule catches what no kernel switch on this machine moves (a float32 printed with all the
digits of its double repr moved on an AVX-512 machine and not here): no ``#>`` line shows
a number with more than ``MAX_DIGITS`` significant digits.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from hooks import page_notebooks
from tests.pages import DOCS, MARKER, includes, markdown_pages, page_program, section_text
from tests.snippet_outputs import PREFIX, ROOT, normalise, output_text, snippet_modules

VARIANT = {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE", "OMP_NUM_THREADS": "2"}
# How the idle OpenMP threads of the run wait between parallel regions: asleep, not spinning.
# It changes no result (the number of threads and the split of the work are set by
# OMP_NUM_THREADS alone), only the CPU burnt: on two cores shared with the other pytest
# worker and Chromium, libgomp's spinning thread waited on a descheduled partner, and the
# run took ~90-130 s of CPU instead of ~40 s.
QUIET_THREADS = {"OMP_WAIT_POLICY": "PASSIVE"}
# float32 keeps about 7 significant digits; a float's repr shows 16-17. A float64 value
# that needs more than 7 is shown by a comparison (==, allclose) instead.
MAX_DIGITS = 7
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+(?=[eE]))(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class Program:
    """What a reader runs: a page's code blocks in order, or a module no page shows.

    ``origins[i]`` is the (file, line) that line ``i + 1`` of ``text`` comes from, so a
    report points at the ``#>`` line to fix, not at a line of the concatenation. A
    ``reader`` program runs as a reader's copy does, without the repository on the import
    path: ``from snippets... import`` fails there, as it would on the reader's machine.
    """

    name: str  # "init/variance.md", or "snippets/init/default_table.py"
    text: str
    origins: tuple[tuple[str, int], ...]
    reader: bool = False
    # A chapter page runs as its notebook (hooks/page_notebooks.py): one (code, the output
    # it shows, the program line of that output) per code cell, executed by IPython.
    cells: tuple[tuple[str, str, int], ...] = ()


def module_program(path: Path, root: Path = ROOT) -> Program:
    name = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    text = path.read_text(encoding="utf-8")
    return Program(name, text, tuple((name, n) for n in range(1, text.count("\n") + 2)))


def section_lines(path: str, section: str) -> list[int]:
    """Module line numbers of a section's body, as ``tests.pages.sections`` returns it."""
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines)
                 if (m := MARKER.match(line)) and m["kind"] == "start" and m["name"] == section)
    end = next(n for n in range(start + 1, len(lines))
               if (m := MARKER.match(lines[n])) and m["kind"] == "end" and m["name"] == section)
    return [n + 1 for n in range(start + 1, end) if not MARKER.match(lines[n])]


def page_program_of(page: Path) -> Program:
    """A page's program (``tests.pages.page_program``) with the origin of every line; a
    chapter page's also with its notebook's code cells."""
    origins = [(path, line) for path, section in includes(DOCS / page)
               for line in (section_lines(path, section) or [0])]
    text = page_program(DOCS / page)
    assert len(origins) == text.count("\n"), page
    cells, line = [], 1
    if page_notebooks.is_chapter(page.as_posix()):
        for cell in page_notebooks.code_cells((DOCS / page).read_text(encoding="utf-8")):
            lines = section_text(cell.path, cell.section).split("\n")
            shown = next((n for n, raw in enumerate(lines) if raw.startswith("#>")), 0)
            cells.append((cell.source, normalise(cell.stdout), line + shown))
            line += len(lines)
    return Program(str(page), text, tuple(origins) + ((str(page), 0),), reader=True,
                   cells=tuple(cells))


def programs() -> list[Program]:
    """Every English page with code, then every page module that no page includes."""
    pages = [p for p in markdown_pages("en") if includes(DOCS / p)]
    shown = {path for page in pages for path, _ in includes(DOCS / page)}
    unshown = [p for p in snippet_modules()
               if "from_scratch" not in p.parts and str(p.relative_to(ROOT)) not in shown]
    return [page_program_of(p) for p in pages] + [module_program(p) for p in unshown]


# Runs in the extra process: every program's chunks (tests/snippet_outputs.py) in a fresh
# namespace; prints, as JSON, the chunks whose output differs and any program that raised.
# Between programs it puts back what a fresh interpreter has: torch's print options (in
# fresh_namespace) and the global switches below; a reader's program also gets an import
# path without the repository, and none of the modules an earlier program imported from
# it. Warning filters a library adds when it is imported are left: a fresh process
# importing that library would add them too.
RUNNER = f"""
import json, os, sys, traceback
sys.path.insert(0, {str(ROOT)!r})
if os.environ.get('PORTABILITY_PERTURB'):
    from tests.perturb import Perturb
    Perturb().__enter__()
from tests.snippet_outputs import fresh_namespace, normalise, parse, run_chunk
import torch

def switches():
    return (torch.get_default_dtype(), torch.is_grad_enabled(), torch.get_num_threads(),
            torch.are_deterministic_algorithms_enabled(),
            torch.is_deterministic_algorithms_warn_only_enabled(),
            torch.is_anomaly_enabled(), torch.get_float32_matmul_precision())

def restore(state):
    dtype, grad, threads, deterministic, warn_only, anomaly, precision = state
    torch.set_default_dtype(dtype)
    torch.set_grad_enabled(grad)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(deterministic, warn_only=warn_only)
    torch.set_anomaly_enabled(anomaly)
    torch.set_float32_matmul_precision(precision)

fresh, path = switches(), list(sys.path)
repository = {{'', os.getcwd(), {str(ROOT)!r}}}
harness = set(sys.modules)

def from_repository(file):
    real = os.path.realpath(file) if file else ''
    return (any(real.startswith(os.path.realpath(r or '.') + os.sep) for r in repository)
            and not real.startswith(os.path.realpath(sys.prefix) + os.sep))
shell = None

def run_cell(source):
    # What a Jupyter kernel shows under a cell: its stdout, and the value of a last bare
    # expression (IPython's displayhook prints it as "Out[n]: ...").
    global shell
    if shell is None:
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance(colors="nocolor")
    from IPython.utils.capture import capture_output
    with capture_output(stdout=True, stderr=False, display=True) as captured:
        result = shell.run_cell(source, store_history=True)
    shown = captured.stdout + "".join(str(o.data.get("text/plain", o.data))
                                      for o in captured.outputs)
    error = result.error_before_exec or result.error_in_exec
    if error is not None:
        raise error
    return shown

results = {{}}
for name, text, reader, cells in json.load(sys.stdin):
    restore(fresh)
    sys.path[:] = [p for p in path if p not in repository] if reader else path
    if reader:  # forget the repository's modules an earlier program imported
        for module in [m for m, mod in list(sys.modules.items()) if m not in harness
                       and from_repository(getattr(mod, '__file__', None))]:
            del sys.modules[module]
    moved, namespace, cell_line = [], fresh_namespace(name), None
    try:
        if cells:  # a chapter page: its notebook, in a fresh IPython session
            if shell is not None:
                shell.reset(new_session=True)
            for source, expected, line in cells:
                cell_line = line
                printed = normalise(run_cell(source))
                if printed != expected:
                    moved.append([line, expected.split(chr(10)) if expected else None, printed])
        else:
            for chunk in parse(text):
                printed = normalise(run_chunk(chunk, namespace, name))
                if printed != chunk.expected_text:
                    moved.append([chunk.output_line or chunk.first_line, chunk.expected,
                                  printed])
        results[name] = {{"moved": moved, "error": None}}
    except BaseException:
        where = (f"in the code cell whose output is at line {{cell_line}}" + chr(10)
                 if cell_line else "")
        results[name] = {{"moved": moved, "error": where + traceback.format_exc()[-3000:]}}
print(json.dumps(results))
"""


def run_programs(units: list[Program], env: dict[str, str],
                 root: Path = ROOT) -> dict[str, dict]:
    """Run every program, in order, in one process with ``env`` added (and QUIET_THREADS,
    which ``env`` may override); ``root`` is its working directory and first import path.
    Returns, per program name, the chunks that printed something else and its error."""
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(root)!r})\n" + RUNNER],
        input=json.dumps([[u.name, u.text, u.reader, u.cells] for u in units]), cwd=root,
        env={**os.environ, **QUIET_THREADS, **env}, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"running the programs under {describe(env)} failed:\n"
                           f"{result.stderr[-3000:]}")
    return json.loads(result.stdout.splitlines()[-1])


def reports(unit: Program, outcome: dict, env: dict[str, str]) -> list[str]:
    """One report per moved ``#>`` block of a program, and one if it raised."""
    found = []
    for line, expected, printed in outcome["moved"]:
        file, number = unit.origins[line - 1]
        where = f"{file}:{number}" + ("" if file == unit.name else f" (in {unit.name})")
        shown = "\n".join(expected) if expected is not None else ""
        diff = difflib.unified_diff(shown.split("\n"), printed.split("\n"),
                                    fromfile="shown (#> lines)",
                                    tofile=f"printed under {describe(env)}", lineterm="", n=1)
        if re.search(r"^Out\[\d+\]:", printed, re.M):
            why = ("a notebook shows the value of the cell's last expression, which a script "
                   "does not print; assign it (`_ = ...`) or print it")
        else:
            why = (f"a shown output changes under {describe(env)}; print fewer digits, a "
                   "comparison, or compute it in float64")
        found.append(f"{where}: {why}:\n" + "\n".join(diff))
    if outcome["error"]:
        found.append(f"{unit.name} raised under {describe(env)}:\n"
                     + traceback_at_origins(outcome["error"], unit))
    return found


def traceback_at_origins(text: str, unit: Program) -> str:
    """``File "init/variance.md", line 21`` -> ``File "snippets/init/variance.py", line 30``."""
    def origin(match: re.Match) -> str:
        line = int(match[1])
        if not 0 < line <= len(unit.origins):
            return match[0]
        file, number = unit.origins[line - 1]
        return f'File "{file}", line {number}'

    def cell(match: re.Match) -> str:
        file, number = unit.origins[int(match[1]) - 1]
        return f"in the code cell of {file}:{number}"

    text = re.sub(r"in the code cell whose output is at line (\d+)", cell, text)
    return re.sub(rf'File "{re.escape(unit.name)}", line (\d+)', origin, text)


def shown_lines(text: str) -> list[tuple[int, str]]:
    """(line number, output text) of every ``#>`` line of a module, in order."""
    return [(number, output_text(line))
            for number, line in enumerate(text.splitlines(), start=1)
            if line.startswith(PREFIX)]


def significant_digits(number: str) -> int:
    """``'0.0441940'`` -> 6, ``'1.5e-07'`` -> 2, ``'220.095'`` -> 6."""
    mantissa = re.split(r"[eE]", number.lstrip("+-"))[0].replace(".", "")
    return len(mantissa.lstrip("0")) or 1


def long_numbers(text: str) -> list[tuple[int, str]]:
    """(line, number) for every number with more than MAX_DIGITS digits on a #> line."""
    return [(number, token)
            for number, line in shown_lines(text)
            for token in NUMBER.findall(line)
            if significant_digits(token) > MAX_DIGITS]


def describe(env: dict[str, str]) -> str:
    return " ".join(f"{key}={value}" for key, value in env.items())


# Names that only IPython defines: a notebook cell may use them, a reader's plain Python
# process (the same code copied from the page) may not.
IPYTHON_ONLY = {"display", "get_ipython", "In", "Out", "_", "__", "___", "_i", "_ii", "_iii",
                "_oh", "_dh", "exit", "quit"}


def plain_python_problems(unit: Program) -> list[str]:
    """What makes a notebook's cells fail as a plain Python program, though IPython runs
    them: a cell that is no Python (a ``%magic``, ``!command``, top-level ``await``), or a
    name only IPython defines, read before the program binds it."""
    found, bound = [], set()
    for source, _, line in unit.cells:
        file, number = unit.origins[line - 1]
        try:
            tree = ast.parse(source)
        except SyntaxError as error:
            found.append(f"{file}:{number} (in {unit.name}): not plain Python, a copy of the "
                         f"page fails: {error.msg}")
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                bound.add(node.id)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
                    and node.id in IPYTHON_ONLY - bound):
                found.append(f"{file}:{number} (in {unit.name}): `{node.id}` exists only in "
                             "IPython; a plain Python copy of the page fails")
    return found


def check(units: list[Program], env: dict[str, str] = VARIANT,
          root: Path = ROOT) -> list[str]:
    """Every report for ``units`` run under ``env``; empty when all lines hold. The
    notebooks run after the plain programs: IPython leaves names in ``builtins``."""
    ordered = sorted(units, key=lambda unit: bool(unit.cells))
    outcomes = run_programs(ordered, env, root)
    return [report for unit in units
            for report in plain_python_problems(unit) + reports(unit, outcomes[unit.name], env)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path,
                        help="pages (docs/...md) or modules (default: every page)")
    parser.add_argument("--env", action="append", metavar="NAME=VALUE",
                        help="run under these variables instead of the default variant")
    parser.add_argument("--perturb", action="store_true",
                        help="also nudge inexact float32 results (tests/perturb.py)")
    args = parser.parse_args(argv)
    env = dict(item.split("=", 1) for item in args.env) if args.env else dict(VARIANT)
    if args.perturb:
        env["PORTABILITY_PERTURB"] = "1"
    units = [page_program_of(p.resolve().relative_to(DOCS)) if p.suffix == ".md"
             else module_program(p.resolve()) for p in args.paths] or programs()
    found = check(units, env)
    for report in found:
        print(report, end="\n\n")
    print(f"{len(units)} programs run under {describe(env)}; {len(found)} moved blocks or errors")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
