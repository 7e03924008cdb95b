"""pytest entry point: sybil checks the #> outputs of every snippet module.

The parser lives in tests/sybil_outputs.py; the #> convention in tests/snippet_outputs.py.
"""

from tests.sybil_outputs import sybil

pytest_collect_file = sybil.pytest()
