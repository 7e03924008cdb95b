"""The portability check: every snippet module, run as a script under other kernel paths.

A reader runs a page on another CPU, with another thread count, where torch and its BLAS
pick other kernels and add in another order. Every shown ``#>`` line must survive that.
The normal run (sybil, one thread, this CPU's best ATen kernels) checks the outputs here;
this check runs every module once more, as ``python -m snippets.<part>.<page>`` would, in
one extra process with the switches torch and its BLAS expose set the other way:

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
all modules; a line that depends on any of them moves. To tell which one, run
``python -m tests.portability --env NAME=VALUE`` with one switch at a time.

The comparison is exact, as the reader's contract is: no tolerance. A second, static
rule catches what no kernel switch on this machine moves (a float32 printed with all the
digits of its double repr moved on an AVX-512 machine and not here): no ``#>`` line shows
a number with more than ``MAX_DIGITS`` significant digits.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.snippet_outputs import PREFIX, ROOT, normalise, output_text, snippet_modules

VARIANT = {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE", "OMP_NUM_THREADS": "2"}
# How the idle OpenMP threads of the run wait between parallel regions: asleep, not spinning.
# It changes no result (the number of threads and the split of the work are set by
# OMP_NUM_THREADS alone), only the CPU burnt: on two cores shared with the other pytest
# worker and Chromium, libgomp's spinning thread waited on a descheduled partner, and the
# run took ~90-130 s of CPU instead of ~40 s.
QUIET_THREADS = {"OMP_WAIT_POLICY": "PASSIVE"}
SEPARATOR = "\x1e=== "  # starts a module's output; no snippet prints it
# float32 keeps about 7 significant digits; a float's repr shows 16-17. A float64 value
# that needs more than 7 is shown by a comparison (==, allclose) instead.
MAX_DIGITS = 7
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+(?=[eE]))(?:[eE][-+]?\d+)?")

RUNNER = (
    "import os, runpy, sys\n"
    "if os.environ.get('PORTABILITY_PERTURB'):\n"
    "    from tests.perturb import Perturb\n"
    "    Perturb().__enter__()\n"
    "for name in sys.argv[1:]:\n"
    "    if 'torch' in sys.modules:  # a fresh process prints with torch's defaults\n"
    "        sys.modules['torch'].set_printoptions(profile='default')\n"
    f"    print({SEPARATOR!r} + name, flush=True)\n"
    "    runpy.run_module(name, run_name='__main__', alter_sys=True)\n"
)


def module_name(path: Path, root: Path = ROOT) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def script_modules() -> list[Path]:
    """The page modules (from_scratch/ holds implementations, which print nothing)."""
    return [p for p in snippet_modules() if "from_scratch" not in p.parts]


def run_as_scripts(modules: list[Path], env: dict[str, str],
                   root: Path = ROOT) -> dict[Path, str]:
    """Run each module as ``__main__``, in order, in one process with ``env`` added.

    Module names are relative to ``root``, the process's working directory. Returns
    what each printed. A module that raises fails the whole run, with its traceback.
    ``QUIET_THREADS`` is added too (``env`` may override it).
    """
    names = [module_name(module, root) for module in modules]
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, *names],
        cwd=root, env={**os.environ, **QUIET_THREADS, **env}, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"running the modules under {describe(env)} failed:\n"
                           f"{result.stderr[-3000:]}")
    blocks = result.stdout.split(SEPARATOR)[1:]
    printed = {}
    for module, expected_name, block in zip(modules, names, blocks, strict=True):
        name, _, output = block.partition("\n")
        assert name == expected_name, (name, expected_name)
        printed[module] = output
    return printed


def shown_lines(text: str) -> list[tuple[int, str]]:
    """(line number, output text) of every ``#>`` line of a module, in order."""
    return [(number, output_text(line))
            for number, line in enumerate(text.splitlines(), start=1)
            if line.startswith(PREFIX)]


def differences(path: Path, printed: str, env: dict[str, str]) -> str | None:
    """None when ``printed`` is exactly the module's ``#>`` lines, else a report.

    The report names the file and the line of the first ``#>`` line that moved, and
    shows a diff of all of them.
    """
    shown = shown_lines(path.read_text(encoding="utf-8"))
    expected = normalise("\n".join(text for _, text in shown)).split("\n")
    actual = normalise(printed).split("\n")
    if expected == actual:
        return None
    matcher = difflib.SequenceMatcher(a=expected, b=actual, autojunk=False)
    first = next(op for op in matcher.get_opcodes() if op[0] != "equal")
    line = shown[min(first[1], len(shown) - 1)][0] if shown else 1
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    diff = difflib.unified_diff(expected, actual, fromfile="shown (#> lines)",
                                tofile=f"printed under {describe(env)}", lineterm="", n=1)
    return (f"{name}:{line}: a shown output changes under {describe(env)}; print fewer "
            "digits, a comparison, or compute it in float64:\n" + "\n".join(diff))


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


def check(modules: list[Path], env: dict[str, str] = VARIANT,
          root: Path = ROOT) -> list[str]:
    """Every report for ``modules`` run under ``env``; empty when all lines hold."""
    printed = run_as_scripts(modules, env, root)
    return [report for path in modules
            if (report := differences(path, printed[path], env)) is not None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="modules (default: all)")
    parser.add_argument("--env", action="append", metavar="NAME=VALUE",
                        help="run under these variables instead of the default variant")
    parser.add_argument("--perturb", action="store_true",
                        help="also nudge inexact float32 results (tests/perturb.py)")
    args = parser.parse_args(argv)
    env = dict(item.split("=", 1) for item in args.env) if args.env else dict(VARIANT)
    if args.perturb:
        env["PORTABILITY_PERTURB"] = "1"
    modules = [p.resolve() for p in args.paths] or script_modules()
    reports = check(modules, env)
    for report in reports:
        print(report, end="\n\n")
    print(f"{len(modules) - len(reports)} of {len(modules)} modules print their #> lines "
          f"under {describe(env)}")
    return 1 if reports else 0


if __name__ == "__main__":
    raise SystemExit(main())
