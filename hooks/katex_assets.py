"""Serve KaTeX's CSS and fonts from the npm package installed by `make venv` (node_modules/katex).

Nothing is copied into docs/ and nothing is committed: at build time this hook adds the
files the browser needs to draw the formulas that hooks/formulas.py rendered at build time
(the CSS and the woff2 fonts; no script) to the site under ``assets/katex/``. The
browser downloads only the fonts a page's formulas use. hooks/formulas.py renders with the
same package, so the HTML and the CSS can never disagree on KaTeX's version.
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
    return ["katex.min.css"] + [f"fonts/{name}" for name in fonts]


def on_files(files: Files, config) -> Files:
    if not (KATEX_DIST / "katex.min.css").is_file():
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
