"""Generate every figure registered in ``snippets.figures.FIGURES`` at build time.

Each figure is drawn in both languages: English pages link to
``assets/figures/<name>.svg``, Chinese pages to ``assets/figures/<name>.zh.svg``. The
SVGs are written to ``.cache/figures/`` (git-ignored) and added to the site as files, so no
plot image is ever committed and a figure can't drift from the code that draws it. The
digest also covers the machine's CJK font files (``fc-list``), which set the Chinese text.
Figures are redrawn only when a module they were drawn from changes (``mkdocs serve``
watches ``snippets/``): ``.cache/figures/manifest.json`` records those modules and their
digest, so a build whose sources match it neither imports torch and matplotlib nor
draws anything (~6 s of every warm build before).

When the cache is stale, drawing (~15 s: torch, matplotlib, two small training runs, both
languages) runs
in a separate process started at ``on_files``, beside the build, which meanwhile renders
the pages on the other core: the figures are registered at once (pages link to them; the
names come from the ``FIGURES`` dictionary, read without importing it) and written into
the site at ``on_post_build``, which waits for the process and fails the build with its
error output if it failed.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "figures"
DEST = "assets/figures"
MANIFEST = CACHE / "manifest.json"  # {"digest": ..., "names": [...], "sources": [...]}
LANGUAGES = ("en", "zh")  # the site's; snippets.figures.render_svg draws each


def svg_names(name: str) -> list[str]:
    """``'margin_losses'`` -> ``['margin_losses.svg', 'margin_losses.zh.svg']``."""
    return [f"{name}.svg" if lang == "en" else f"{name}.{lang}.svg" for lang in LANGUAGES]


DRAWN_WITH = ("torch", "matplotlib", "numpy")  # their versions are part of the digest


def _digest(sources: list[str]) -> str:
    """Digest of the named files (paths relative to the repository), in order, of this
    hook and of the versions of the libraries that draw."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name in DRAWN_WITH:
        digest.update(f"{name}=={importlib.metadata.version(name)}".encode())
    for rel in sources:
        digest.update(rel.encode() + b"\0" + (ROOT / rel).read_bytes())
    digest.update(_cjk_fonts().encode())  # the Chinese figures' font comes from the machine
    return digest.hexdigest()


def _cjk_fonts() -> str:
    """The machine's CJK font files, by path and size (fc-list; empty without fontconfig)."""
    try:
        listing = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True,
                                 text=True, check=False).stdout
    except OSError:
        return ""
    paths = sorted(line.split(":")[0] for line in listing.splitlines() if line.strip())
    return "\n".join(f"{p} {os.path.getsize(p) if os.path.exists(p) else 0}" for p in paths)


def _cached_names() -> list[str] | None:
    """The figure names of the cache, if the sources it was drawn from are unchanged.

    The sources are the ``snippets`` modules the drawing imported (``snippets/figures.py``
    and the experiments it runs), so an edit to any other page's module leaves the
    figures alone (``mkdocs serve --dirty`` then rebuilds in about a second).
    """
    try:
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
        sources = manifest["sources"]
        if not all((ROOT / rel).is_file() for rel in sources) or \
                manifest["digest"] != _digest(sources):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    names = manifest.get("names", [])
    if not all((CACHE / svg).is_file() for name in names for svg in svg_names(name)):
        return None
    return names


def registered_names() -> list[str]:
    """The keys of ``snippets.figures.FIGURES``, read from its source (no torch import)."""
    tree = ast.parse((ROOT / "snippets" / "figures.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
                and any(getattr(t, "id", None) == "FIGURES" for t in node.targets)):
            return [key.value for key in node.value.keys]
    raise PluginError("snippets/figures.py has no FIGURES = {...} dictionary")


class _BeingDrawn(File):
    """A figure the drawing process has not written yet: a file of the site (links to it
    are valid), copied by ``on_post_build`` instead of with the other static files."""

    def copy_file(self, dirty: bool = False) -> None:
        pass


# The drawing process of this build (and the names it draws), until on_post_build.
_drawing: tuple[subprocess.Popen, list[str]] | None = None


@event_priority(-110)  # after mkdocs-static-i18n's on_files, which rebuilds every File
def on_files(files: Files, config) -> Files:
    global _drawing
    names = _cached_names()
    kind = File
    if names is None:
        if _drawing is None:  # the other language's build may have started it already
            env = {**os.environ}
            env.setdefault("OMP_NUM_THREADS", "1")  # the build uses the other core
            process = subprocess.Popen([sys.executable, __file__], cwd=ROOT, env=env,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       text=True)
            _drawing = (process, registered_names())
        names, kind = _drawing[1], _BeingDrawn
    for svg in (svg for name in names for svg in svg_names(name)):
        files.append(kind.generated(config, f"{DEST}/{svg}", abs_src_path=str(CACHE / svg)))
    return files


@event_priority(-110)  # the first on_post_build after the drawing started
def on_post_build(config) -> None:
    global _drawing
    if _drawing is None:
        return
    (process, names), _drawing = _drawing, None
    output, _ = process.communicate()
    if process.returncode != 0:
        raise PluginError(f"drawing the figures failed:\n{output[-4000:]}")
    drawn = _cached_names()
    if drawn != names:
        raise PluginError(f"the figures drawn ({drawn}) are not the ones registered ({names})")
    dest = Path(config.site_dir) / DEST
    dest.mkdir(parents=True, exist_ok=True)
    for svg in (svg for name in names for svg in svg_names(name)):
        shutil.copyfile(CACHE / svg, dest / svg)


def _write(path: Path, text: str) -> None:
    """Write whole or not at all: a build copying the cache meanwhile never reads half."""
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _draw_all() -> list[str]:
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
        for lang, svg in zip(LANGUAGES, svg_names(name), strict=True):
            _write(CACHE / svg, module.render_svg(draw, lang))
    names = list(module.FIGURES)
    modules = [m for n, m in list(sys.modules.items())
               if (n == "snippets" or n.startswith("snippets.")) and getattr(m, "__file__", None)]
    sources = sorted({Path(m.__file__).resolve().relative_to(ROOT).as_posix() for m in modules})
    _write(MANIFEST, json.dumps({"digest": _digest(sources), "names": names,
                                 "sources": sources}))
    return names


if __name__ == "__main__":  # the drawing process started by on_files
    _draw_all()
