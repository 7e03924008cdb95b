"""Generate every figure registered in ``snippets.figures.FIGURES`` at build time.

Pages link to ``assets/figures/<name>.svg``. The SVGs are written to
``.cache/figures/`` (git-ignored) and added to the site as files, so no plot image
is ever committed and a figure can't drift from the code that draws it.
Figures are drawn once per process and redrawn only when a module under
``snippets/`` changes (``mkdocs serve`` watches that folder).
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from pathlib import Path

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "figures"
DEST = "assets/figures"

_drawn: dict[str, str] = {}  # figure name -> digest of the sources it was drawn from


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "snippets").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def on_files(files: Files, config) -> Files:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    digest = _sources_digest()
    if any(stamp != digest for stamp in _drawn.values()):
        # A snippet changed under `mkdocs serve`: forget every snippets.* module, so the
        # figures and whatever they import are read again.
        for name in [m for m in sys.modules if m == "snippets" or m.startswith("snippets.")]:
            del sys.modules[name]
    module = importlib.import_module("snippets.figures")
    CACHE.mkdir(parents=True, exist_ok=True)
    for name, draw in module.FIGURES.items():
        target = CACHE / f"{name}.svg"
        if _drawn.get(name) != digest or not target.is_file():
            target.write_text(module.render_svg(draw), encoding="utf-8")
            _drawn[name] = digest
        files.append(File.generated(config, f"{DEST}/{name}.svg", abs_src_path=str(target)))
    return files
