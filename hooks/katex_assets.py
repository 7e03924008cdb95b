"""Serve KaTeX from the npm package installed by `make venv` (node_modules/katex).

Nothing is copied into docs/ and nothing is committed: at build time this hook adds
the few files the browser needs (JS, CSS, auto-render and the woff2 fonts) to the
site under ``assets/katex/``. The same package is used by tests/test_formulas.py to
parse every formula, so the site and the check can never disagree on KaTeX's version.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

KATEX_DIST = Path(__file__).resolve().parent.parent / "node_modules" / "katex" / "dist"
DEST = "assets/katex"


def katex_files() -> list[str]:
    """Paths, relative to KaTeX's dist folder, that the site serves."""
    fonts = sorted(p.name for p in (KATEX_DIST / "fonts").glob("*.woff2"))
    return ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js"] + [
        f"fonts/{name}" for name in fonts
    ]


def on_files(files: Files, config) -> Files:
    if not (KATEX_DIST / "katex.min.js").is_file():
        raise PluginError(
            f"KaTeX is missing from {KATEX_DIST}. Run `make venv` (it runs `npm ci`)."
        )
    for rel in katex_files():
        files.append(
            File.generated(
                config, f"{DEST}/{rel}", abs_src_path=str(KATEX_DIST / rel)
            )
        )
    return files
