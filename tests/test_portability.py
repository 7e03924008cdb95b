"""Every shown output holds under other kernel paths and thread counts (tests/portability.py).

The normal run of the outputs is sybil's (conftest.py). Here every page module runs once
more as a script, in one extra process, under ATEN_CPU_CAPABILITY=default,
MKL_CBWR=COMPATIBLE and two threads, and must print exactly its #> lines; and no #> line
may show more digits than a float32 keeps. Each check is shown failing on a module built
to fail it.
"""

from __future__ import annotations

import pytest
import torch

from tests.portability import (
    MAX_DIGITS,
    VARIANT,
    check,
    long_numbers,
    script_modules,
    significant_digits,
)
from tests.snippet_outputs import ROOT, snippet_modules


def test_every_module_prints_its_lines_under_other_kernels_and_threads():
    reports = check(script_modules())
    assert not reports, "\n\n".join(reports)


def test_no_shown_number_has_more_digits_than_a_float32_keeps():
    found = [f"{path.relative_to(ROOT)}:{line}: {token}"
             for path in snippet_modules()
             for line, token in long_numbers(path.read_text(encoding="utf-8"))]
    assert not found, (f"#> lines with more than {MAX_DIGITS} significant digits (print "
                       "with an explicit precision):\n" + "\n".join(found))


# --- The checks can fail -------------------------------------------------------------------

SETS_PRECISION = ("import torch\ntorch.set_printoptions(precision=2)\n"
                  "print(torch.tensor(1 / 3))\n#> tensor(0.33)\n")
PRINTS_THIRD = "import torch\nprint(torch.tensor(1 / 3))\n#> tensor(0.3333)\n"


@pytest.fixture(scope="module")
def fake_run(tmp_path_factory):
    """Fake modules, run under the variant by one ``check`` (one process, one torch import,
    instead of one per test): a module whose output depends on the kernel path, one whose
    lines hold, and one that sets its print precision followed by one that must not
    inherit it. Returns the modules by name, their reports and this process's kernels."""
    root = tmp_path_factory.mktemp("portability")
    here = f"{torch.backends.cpu.get_cpu_capability()} {torch.get_num_threads()}"
    package = root / "fake"
    package.mkdir()
    (package / "__init__.py").write_text("")
    sources = {
        "kernels": ("import torch\n"
                    "print(torch.backends.cpu.get_cpu_capability(), torch.get_num_threads())\n"
                    f"#> {here}\n"
                    "print('stable')\n"
                    "#> stable\n"),
        "stable": "import torch\nprint(torch.tensor([0.1, 0.2]).sum())\n#> tensor(0.3000)\n",
        "sets_precision": SETS_PRECISION,
        "prints_third": PRINTS_THIRD,
    }
    modules = {}
    for name, source in sources.items():
        modules[name] = package / f"{name}.py"
        modules[name].write_text(source)
    return modules, check(list(modules.values()), VARIANT, root=root), here


def reports_for(fake_run, name: str) -> list[str]:
    modules, reports, _ = fake_run
    return [r for r in reports if r.startswith(f"{modules[name]}:")]


def test_the_variant_check_catches_an_output_that_depends_on_the_kernel_path(fake_run):
    """A module that prints its kernel path and thread count moves under the variant."""
    modules, _, here = fake_run
    [report] = reports_for(fake_run, "kernels")
    assert f"{modules['kernels']}:3: a shown output changes under ATEN_CPU_CAPABILITY=default" \
        in report
    assert f"-{here}" in report and "+DEFAULT 2" in report
    assert "stable" in report  # context line of the diff, not a change
    assert "-stable" not in report


def test_the_variant_check_passes_a_module_whose_lines_hold(fake_run):
    modules, reports, _ = fake_run
    assert reports_for(fake_run, "stable") == []
    assert len(reports) == 1  # the kernels module's, above: every other fake module holds


def test_the_portability_runner_resets_print_options_between_modules(fake_run):
    assert reports_for(fake_run, "sets_precision") == []
    assert reports_for(fake_run, "prints_third") == []  # did not inherit precision=2


def test_a_float_repr_is_flagged_and_short_numbers_are_not():
    text = ("x = 1\n"
            "#> 0.6931471805599453 tensor(0.6931) 4,194,304,000 bytes\n"
            "#> 1.0446995990509578e-07 1.5e-07 220.095 0.0441940 layer 99\n")
    assert long_numbers(text) == [(2, "0.6931471805599453"), (3, "1.0446995990509578e-07")]
    assert [significant_digits(n) for n in ("0.044194", "1.4999980", "1e+20", "-0.000")] \
        == [5, 8, 1, 1]
    assert long_numbers("#> 1.499998 1.4999980\n") == [(1, "1.4999980")]  # 8 > MAX_DIGITS
