"""Generate every figure registered in ``snippets.figures.FIGURES`` at build time.

Pages link to ``assets/figures/<name>.svg``. The SVGs are written to
``.cache/figures/`` (git-ignored) and added to the site as files, so no plot image
is ever committed and a figure can't drift from the code that draws it.
Figures are redrawn only when a module under ``snippets/`` changes (``mkdocs serve``
watches that folder): ``.cache/figures/manifest.json`` records the digest of the sources
the cached SVGs were drawn from, so a build whose sources match it neither imports torch
and matplotlib nor draws anything (~6 s of every warm build before).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
from pathlib import Path

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "figures"
DEST = "assets/figures"
MANIFEST = CACHE / "manifest.json"  # {"digest": ..., "names": [...]}

def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "snippets").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _cached_names(digest: str) -> list[str] | None:
    """The figure names of the cache, if it was drawn from exactly these sources."""
    try:
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    names = manifest.get("names", [])
    if manifest.get("digest") != digest or not all(
            (CACHE / f"{name}.svg").is_file() for name in names):
        return None
    return names


def on_files(files: Files, config) -> Files:
    digest = _sources_digest()
    names = _cached_names(digest)
    if names is None:
        names = _draw_all(digest)
    for name in names:
        files.append(File.generated(config, f"{DEST}/{name}.svg",
                                    abs_src_path=str(CACHE / f"{name}.svg")))
    return files


def _draw_all(digest: str) -> list[str]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # Under `mkdocs serve` a snippet may have changed since the last draw: forget every
    # snippets.* module, so the figures and whatever they import are read again.
    for name in [m for m in sys.modules if m == "snippets" or m.startswith("snippets.")]:
        del sys.modules[name]
    module = importlib.import_module("snippets.figures")
    CACHE.mkdir(parents=True, exist_ok=True)
    MANIFEST.unlink(missing_ok=True)  # never a manifest for a half-drawn cache
    for name, draw in module.FIGURES.items():
        (CACHE / f"{name}.svg").write_text(module.render_svg(draw), encoding="utf-8")
    names = list(module.FIGURES)
    MANIFEST.write_text(json.dumps({"digest": digest, "names": names}), encoding="utf-8")
    return names
