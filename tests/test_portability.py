"""The reader's run: every page's code, in a fresh process, under other kernels and threads.

The normal run of the outputs is sybil's (conftest.py), module by module in the test
process. Here every English page's program (its code blocks in order, the program a
reader copies; tests/test_pages.py checks the Chinese page has the same) runs once more,
in one extra process, under ATEN_CPU_CAPABILITY=default, MKL_CBWR=COMPATIBLE and two
threads, and must print exactly its #> lines; and no #> line may show more digits than a
float32 keeps. Each check is shown failing on a program built to fail it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from hooks import page_notebooks
from tests.pages import DOCS
from tests.portability import (
    MAX_DIGITS,
    VARIANT,
    Program,
    check,
    long_numbers,
    page_program_of,
    programs,
    significant_digits,
)
from tests.snippet_outputs import ROOT, snippet_modules


def test_every_page_prints_its_lines_in_a_fresh_process_under_other_kernels():
    reports = check(programs())
    assert not reports, "\n\n".join(reports)


def test_every_chapter_page_runs_as_its_notebook():
    """A chapter page's cells are its notebook's code cells (hooks/page_notebooks.py), and
    together they are the page's program, without its #> lines."""
    units = {unit.name: unit for unit in programs()}
    chapters = [name for name in units if page_notebooks.is_chapter(name)]
    assert len(chapters) > 20 and "init/variance.md" in chapters
    for name in chapters:
        unit = units[name]
        assert unit.cells, name
        code = "\n".join(line for line in unit.text.split("\n") if not line.startswith("#>"))
        assert [c for c, _, _ in unit.cells] == [
            cell.source for cell in page_notebooks.code_cells(
                (DOCS / name).read_text(encoding="utf-8"))]
        assert "".join(c.replace("\n", "") for c, _, _ in unit.cells) == code.replace("\n", "")
    assert all(not units[n].cells for n in units if not page_notebooks.is_chapter(n))


def test_every_page_with_code_and_every_unshown_module_is_run():
    names = [unit.name for unit in programs()]
    assert "losses/cross_entropy.md" in names and "init/variance.md" in names
    assert "snippets/init/default_table.py" in names  # a table module: no page shows it
    assert not any(name.endswith(".zh.md") for name in names)  # the same programs
    assert "snippets/losses/cross_entropy.py" not in names  # run as its page's program


def test_every_shown_line_of_every_page_module_runs_in_some_program():
    """A section that no page includes, or a #> line outside the sections, would never run
    under the variant: every #> line of every page module is in some program."""
    covered = {origin for unit in programs() for origin in unit.origins}
    missing = [f"{path.relative_to(ROOT)}:{number}"
               for path in snippet_modules() if "from_scratch" not in path.parts
               for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if line.startswith("#>") and (str(path.relative_to(ROOT)), number) not in covered]
    assert not missing, missing


def test_a_report_points_at_the_module_line_of_the_moved_block():
    """A page's program is its sections joined: each line knows its module and line."""
    unit = page_program_of(Path("init/variance.md"))
    lines = unit.text.split("\n")
    for number, (file, line) in enumerate(unit.origins[:-1], start=1):
        source = (ROOT / file).read_text(encoding="utf-8").splitlines()[line - 1]
        assert source.strip() == lines[number - 1].strip(), (number, file, line)
    assert {file for file, _ in unit.origins[:-1]} == {
        "snippets/init/variance.py", "snippets/init/experiment.py"}


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
    """Fake programs, run under the variant by one ``check`` (one process, one torch import,
    instead of one per test): one whose output depends on the kernel path, one whose
    lines hold, one that sets its print precision followed by one that must not inherit
    it, and one that raises. Returns the programs by name, their reports and this
    process's kernels."""
    root = tmp_path_factory.mktemp("portability")
    here = f"{torch.backends.cpu.get_cpu_capability()} {torch.get_num_threads()}"
    sources = {
        "kernels": ("import torch\n"
                    "print(torch.backends.cpu.get_cpu_capability(), torch.get_num_threads())\n"
                    f"#> {here}\n"
                    "print('stable')\n"
                    "#> stable\n"),
        "stable": "import torch\nprint(torch.tensor([0.1, 0.2]).sum())\n#> tensor(0.3000)\n",
        "sets_precision": SETS_PRECISION,
        "prints_third": PRINTS_THIRD,
        "raises": "print('before')\n#> before\nraise ValueError('a page that fails')\n",
        # each program has a namespace of its own: `uses` cannot see `defines`'s x
        "defines": "x = 1\n",
        "uses": "try:\n    print(x)\nexcept NameError as e:\n    print(e)\n"
                "#> name 'x' is not defined\n",
        "prints_unshown": "print('shown nowhere')\n",
        # torch's global switches are put back: `reads_dtype` starts with float32
        "sets_dtype": "import torch\ntorch.set_default_dtype(torch.float64)\n",
        "reads_dtype": "import torch\nprint(torch.tensor(0.5).dtype)\n#> torch.float32\n",
        # a module of the repository: a module program imports it, a reader's program not
        "imports_helper": "import helper\nprint(helper.VALUE)\n#> 7\n",
    }
    (root / "helper.py").write_text("VALUE = 7\n")
    units = {}
    for name, source in sources.items():
        units[name] = Program(f"fake/{name}.py", source,
                              tuple((f"fake/{name}.py", n) for n in range(1, 10)))
    units["reader_imports_helper"] = Program(
        "fake/reader.md", sources["imports_helper"],
        tuple(("fake/helper_page.py", n) for n in range(11, 20)), reader=True)
    # Chapter pages run as notebooks: code cells in one IPython session per notebook
    notebooks = {
        "nb_holds": [("x = 2", "", 1), ("print(x * 3)", "6", 2)],
        # a last bare expression: a notebook shows its value under the cell
        "nb_displays": [("import torch", "", 1), ("torch.manual_seed(0)", "", 2)],
        "nb_raises": [("print('ok')", "ok", 1), ("raise ValueError('a cell fails')", "", 2)],
        "nb_defines": [("y = 1", "", 1)],
        "nb_uses": [("try:\n    print(y)\nexcept NameError as e:\n    print(e)",
                     "name 'y' is not defined", 1)],
        # IPython runs these; a reader's plain Python copy of the page does not
        "nb_ipython_only": [("x = 2\ndisplay(x)", "2", 1), ("!true", "", 2)],
    }
    for name, cells in notebooks.items():
        units[name] = Program(f"fake/{name}.md", "\n".join(c for c, _, _ in cells),
                              tuple((f"fake/{name}.py", n) for n in range(21, 30)),
                              reader=True, cells=tuple(cells))
    return units, check(list(units.values()), VARIANT, root=root), here


def reports_for(fake_run, name: str) -> list[str]:
    units, reports, _ = fake_run
    unit = units[name]
    return [r for r in reports
            if r.startswith((f"{unit.origins[0][0]}:", f"{unit.name} raised"))]


def test_the_variant_check_catches_an_output_that_depends_on_the_kernel_path(fake_run):
    """A program that prints its kernel path and thread count moves under the variant."""
    _, _, here = fake_run
    [report] = reports_for(fake_run, "kernels")
    assert report.startswith(
        "fake/kernels.py:3: a shown output changes under ATEN_CPU_CAPABILITY=default")
    assert f"-{here}" in report and "+DEFAULT 2" in report
    assert "stable" not in report  # the next block held: it is not reported


def test_the_variant_check_reports_a_program_that_raises(fake_run):
    [report] = reports_for(fake_run, "raises")
    assert "ValueError: a page that fails" in report


def test_the_variant_check_passes_a_program_whose_lines_hold(fake_run):
    _, reports, _ = fake_run
    assert reports_for(fake_run, "stable") == []
    # the kernels, raises, prints_unshown and reader programs', and three notebooks':
    # every other one holds
    assert len(reports) == 8
    assert reports_for(fake_run, "nb_holds") == []


def test_a_notebook_cell_that_shows_a_value_is_reported(fake_run):
    """``torch.manual_seed(0)`` as a cell's last line prints nothing in a script, and
    ``Out[2]: <torch._C.Generator ...>`` under the cell in Jupyter."""
    [report] = reports_for(fake_run, "nb_displays")
    assert report.startswith("fake/nb_displays.py:22 (in fake/nb_displays.md): a notebook "
                             "shows the value of the cell's last expression")
    assert "+Out[2]: <torch._C.Generator" in report


def test_a_notebook_cell_that_raises_is_reported_at_its_module_line(fake_run):
    [report] = reports_for(fake_run, "nb_raises")
    assert "ValueError: a cell fails" in report
    assert "in the code cell of fake/nb_raises.py:22" in report


def test_each_notebook_runs_in_a_fresh_ipython_session(fake_run):
    assert reports_for(fake_run, "nb_uses") == []


def test_each_program_gets_a_fresh_namespace_and_fresh_switches(fake_run):
    assert reports_for(fake_run, "uses") == []
    assert reports_for(fake_run, "reads_dtype") == []


def test_output_that_no_block_shows_is_reported(fake_run):
    [report] = reports_for(fake_run, "prints_unshown")
    assert "+shown nowhere" in report


def test_a_reader_s_program_cannot_import_from_the_repository(fake_run):
    """A page that imports the site's own modules fails, as it would for a reader; the
    error names the module line it comes from."""
    assert reports_for(fake_run, "imports_helper") == []  # a module program may
    [report] = reports_for(fake_run, "reader_imports_helper")
    assert "ModuleNotFoundError: No module named 'helper'" in report
    assert 'File "fake/helper_page.py", line 11' in report


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


def test_a_cell_that_only_ipython_runs_is_reported(fake_run):
    """``display`` and ``!true`` work in a notebook and fail in a reader's plain copy."""
    found = reports_for(fake_run, "nb_ipython_only")
    assert len(found) == 2
    assert "`display` exists only in IPython" in found[0]
    assert found[1].startswith("fake/nb_ipython_only.py:22 (in fake/nb_ipython_only.md): "
                               "not plain Python")
