"""pytest entry point: sybil checks the #> outputs of every snippet module.

The parser lives in tests/sybil_outputs.py; the #> convention in tests/snippet_outputs.py.
"""

import os

# One torch thread per process, set before torch is imported (the subprocesses the tests
# start, such as the strict build, inherit it). `make test` runs two pytest workers and
# Chromium on two cores: torch's default of one thread per core makes its threads spin
# against each other, and the suite took ~80 s instead of ~40 s. The tiny tensors of the
# pages gain nothing from threads; the printed outputs are the same either way.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from tests.sybil_outputs import sybil  # noqa: E402

pytest_collect_file = sybil.pytest()
