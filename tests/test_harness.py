"""The #> harness must catch wrong outputs: each way of being wrong has a test here."""

from __future__ import annotations

import pytest
from sybil import Sybil
from sybil.example import SybilFailure

from tests.snippet_outputs import check_source, parse, rewrite
from tests.sybil_outputs import SnippetModule, parse_outputs

PRINTS_TENSOR = "import torch\nprint(torch.tensor([1.31326, 0.12693]))\n"


def test_parse_cuts_chunks_at_output_blocks():
    chunks = parse("a = 1\nprint(a)\n#> 1\nb = 2\n#> x\n#>\nc = 3\n")
    assert [c.code_lines for c in chunks] == [["a = 1", "print(a)"], ["b = 2"], ["c = 3"]]
    assert [c.expected for c in chunks] == [["1"], ["x", ""], None]
    assert [c.first_line for c in chunks] == [1, 4, 7]
    assert [c.output_line for c in chunks] == [3, 5, None]


def test_matching_output_passes():
    assert check_source(PRINTS_TENSOR + "#> tensor([1.3133, 0.1269])\n", "ok.py") == []


def test_trailing_spaces_are_forgiven():
    assert check_source(PRINTS_TENSOR + "#> tensor([1.3133, 0.1269])   \n#>\n", "ok.py") == []


def test_a_changed_fourth_decimal_fails_with_file_line_and_diff():
    [report] = check_source(PRINTS_TENSOR + "#> tensor([1.3134, 0.1269])\n", "page.py")
    assert report.startswith("page.py:3:")
    assert "-tensor([1.3134, 0.1269])" in report
    assert "+tensor([1.3133, 0.1269])" in report


def test_a_missing_block_fails():
    [report] = check_source(PRINTS_TENSOR, "page.py")
    assert "page.py:1-2: this code prints, but no #> block shows it" in report


def test_a_stale_block_fails():
    [report] = check_source("x = 1\n#> 1\n", "page.py")
    assert report == "page.py:2: stale #> block: the code above it printed nothing."


def run_with_sybil(tmp_path, text):
    """Parse a file with the real sybil set-up and evaluate every example in it."""
    path = tmp_path / "module.py"
    path.write_text(text)
    document = Sybil(parsers=[parse_outputs], pattern="*.py",
                     document_types={".py": SnippetModule}).parse(path)
    examples = list(document.examples())
    for example in examples:
        example.evaluate()
    return examples


def test_sybil_runs_one_example_per_chunk_in_a_shared_namespace(tmp_path):
    examples = run_with_sybil(tmp_path, "x = 2\nprint(x)\n#> 2\nprint(x + 1)\n#> 3\n")
    assert len(examples) == 3  # two checked chunks and the (empty) trailing chunk


@pytest.mark.parametrize("text", ["print(1 + 1)\n#> 3\n", "print(1 + 1)\n", "x = 1\n#> 1\n"],
                         ids=["wrong", "missing", "stale"])
def test_sybil_fails_a_wrong_example(tmp_path, text):
    with pytest.raises(SybilFailure):
        run_with_sybil(tmp_path, text)


def test_rewrite_puts_each_output_under_the_statement_that_printed_it():
    text = (
        "# --8<-- [start:demo]\n"
        "for i in range(2):\n"
        "    print(i)\n"
        "#> 7\n"
        "x = 5\n"
        "print(x)  # shown\n"
        "# --8<-- [end:demo]\n"
    )
    new = rewrite(text, "demo.py")
    assert new == (
        "# --8<-- [start:demo]\n"
        "for i in range(2):\n"
        "    print(i)\n"
        "#> 0\n"
        "#> 1\n"
        "x = 5\n"
        "print(x)  # shown\n"
        "#> 5\n"
        "# --8<-- [end:demo]\n"
    )
    assert rewrite(new, "demo.py") == new  # a second run changes nothing
    assert check_source(new, "demo.py") == []


SETS_PRECISION = ("import torch\ntorch.set_printoptions(precision=2)\n"
                  "print(torch.tensor(1 / 3))\n#> tensor(0.33)\n")
PRINTS_THIRD = "import torch\nprint(torch.tensor(1 / 3))\n#> tensor(0.3333)\n"


def test_a_module_does_not_inherit_another_modules_print_options():
    assert check_source(SETS_PRECISION, "sets.py") == []
    assert check_source(PRINTS_THIRD, "next.py") == []  # fresh_namespace reset it


def test_sybil_resets_print_options_before_each_document():
    import torch

    from tests.sybil_outputs import sybil

    torch.set_printoptions(precision=2)
    sybil.setup({})
    assert str(torch.tensor(1 / 3)) == "tensor(0.3333)"

