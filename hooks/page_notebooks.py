"""Every chapter page as a downloadable notebook, in its language, built from the page.

A chapter page (``init/``, ``losses/``, ``beyond/``, ``training/``) gets
``<page>/<name>.ipynb`` beside its ``index.html`` and a download link under its title.
The notebook is generated at build time from the page's own Markdown source, so there is
no second copy to maintain:

* each code block (an include ``--8<-- "snippets/x.py:section"``) becomes a code cell: the
  section's code without its ``#>`` lines, with those lines as the cell's output
  (``code_cells``, which ``tests/portability.py`` also uses: it executes every page's
  cells with IPython, as a Jupyter kernel does, and compares each cell's output with them);
* the prose between them becomes Markdown cells (``markdown_cells``): admonitions become
  block quotes with their title in bold, attribute lists go, headings keep their ids as
  ``<a id>`` anchors (so the page's ``#fragment`` links work inside the notebook), links
  to other pages become absolute links to the site (``site_url``, the page's language),
  and figures are embedded as cell attachments, so a downloaded notebook is complete
  offline;
* a first cell says where the notebook comes from and what to install, with the pins of
  ``requirements.txt`` for every package the code imports.

Cells are collected at ``on_post_page`` and written at ``on_post_build``, after
``hooks/figures.py`` has put the figures into the site. The link is added to the page's
HTML after the search plugin has read it, so "Download" is not indexed on every page.
"""

from __future__ import annotations

import ast
import base64
import json
import posixpath
import re
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin

from mkdocs.plugins import event_priority

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # mkdocs loads hooks by path; the include reader is shared
    sys.path.insert(0, str(ROOT))

from tests.pages import INCLUDE, section_text  # noqa: E402
from tests.snippet_outputs import PREFIX, output_text  # noqa: E402

CHAPTERS = ("init", "losses", "beyond", "training")
LABEL = {"en": "Download this page as a notebook", "zh": "下载本页的 Jupyter 笔记本"}
BOOK = {"en": "PyTorch Init & Loss Handbook", "zh": "PyTorch 初始化与损失函数手册"}
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})")
_ADMONITION = re.compile(r'^(?P<indent>\s*)(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)'
                         r'(?:\s+"(?P<title>(?:[^"\\]|\\.)*)")?\s*$')
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*(?:\{(?P<attrs>[^}]*)\})?\s*$")
_ATTR_LINE = re.compile(r"^\s*\{:?\s*(?P<attrs>[^}]*)\}\s*$")
_TRAILING_ATTRS = re.compile(r"(?<=\))\s*\{:?\s*[.#][^}]*\}\s*$")
_ID = re.compile(r"#([\w-]+)")
# Content tabs, reference-style link definitions and HTML that links or embeds: the
# converter would leave them as they are, wrong in a notebook; it refuses them instead.
_UNSUPPORTED = re.compile(r'^\s*===\s+"|^\s{0,3}\[[^\]]+\]:\s|<(?:a|img)\s[^>]*(?:href|src)='
                          r'|\smarkdown(?:=|\s|>)')
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<url>[^)\s]+)\)")
_LINK = re.compile(r"(?<!!)\[(?P<text>(?:[^\[\]]|\[[^\]]*\])*)\]\((?P<url>[^)\s]+)\)")


@dataclass(frozen=True)
class CodeCell:
    """One code block of a page: where it comes from, its code, what it prints."""

    path: str  # snippets/x.py
    section: str
    source: str  # the section's code without its #> lines
    outputs: tuple[str, ...]  # the #> lines, without the prefix

    @property
    def stdout(self) -> str:
        return "".join(line + "\n" for line in self.outputs)


def is_chapter(src_uri: str) -> bool:
    return PurePosixPath(src_uri).parts[0] in CHAPTERS


def code_cell(path: str, section: str) -> CodeCell:
    lines = section_text(path, section).split("\n")
    source = "\n".join(line for line in lines if not line.startswith(PREFIX)).strip("\n")
    outputs = tuple(output_text(line) for line in lines if line.startswith(PREFIX))
    return CodeCell(path, section, source, outputs)


def code_cells(markdown: str) -> list[CodeCell]:
    """The page's code blocks, in page order, as notebook code cells."""
    return [code_cell(m["path"], m["section"])
            for m in map(INCLUDE.match, markdown.splitlines()) if m]


def requirements(cells: list[CodeCell], pins: dict[str, str]) -> list[str]:
    """torch's pin, then the ``requirements.txt`` pins of every other non-standard module
    the cells import.

    ``pins`` maps a distribution name (``pytorch-metric-learning``) to its pin line. A
    module that is neither in the standard library nor pinned raises ``ValueError``: a
    notebook must not name a package the site does not check."""
    names = []
    for cell in cells:
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                names += [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module.split(".")[0])
    if any(re.search(r"\.numpy\(|\bfrom_numpy\b", cell.source) for cell in cells):
        names.append("numpy")  # torch does not require numpy; these calls do
    found = [pins["torch"]]
    for name in dict.fromkeys(names):
        if name in sys.stdlib_module_names or name in ("__future__", "torch"):
            continue
        pin = pins.get(name) or pins.get(name.replace("_", "-"))
        if pin is None:
            raise ValueError(f"the page's code imports {name!r}, which requirements.txt "
                             "does not pin")
        found.append(pin)
    return found


def pinned(requirements_txt: str) -> dict[str, str]:
    """``{"torch": "torch==2.13.0", ...}`` from a requirements file."""
    pins = {}
    for line in requirements_txt.splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            pins[line.split("==")[0].strip().lower()] = line
    return pins


# --- Markdown ---------------------------------------------------------------------------

def page_url(src_uri: str, lang: str) -> str:
    """``losses/basics.md`` -> ``losses/basics/``; ``zh/`` in front for Chinese."""
    path = re.sub(r"(\.zh)?\.(md|py)$", "", src_uri)
    path = "" if path in ("index", "") else (path.removesuffix("/index") + "/")
    return ("zh/" if lang == "zh" else "") + path


def resolve_link(url: str, src_uri: str, lang: str, site_url: str) -> str:
    """A page's link as an absolute URL on the site, in the page's language; a fragment of
    the page itself and external links stay as they are."""
    if url.startswith("#") or re.match(r"^[a-z][a-z0-9+.-]*:", url):
        return url
    target, _, fragment = url.partition("#")
    path = posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), target))
    if re.search(r"\.(md|py)$", path) and not path.startswith("assets/"):
        absolute = urljoin(site_url, page_url(path, lang))
    else:
        absolute = urljoin(site_url, path)
    return absolute + (f"#{fragment}" if fragment else "")


def _prose_outside_fences(text: str, link, image) -> str:
    """Links and images of a cell's Markdown, outside its fenced blocks (a link or an image
    may run over several lines of a paragraph)."""
    parts = re.split(r"(^(?:> )?(?P<f>`{3,}|~{3,}).*?^(?:> )?(?P=f)[ \t]*$)", text,
                     flags=re.M | re.S)
    out = []
    for number, part in enumerate(parts):
        kind = number % 3  # re.split: text, a whole fenced block, its fence
        if kind == 0:
            out.append(_prose(part, link, image))
        elif kind == 1:
            out.append(part)
    return "".join(out)


def _prose(text: str, link, image) -> str:
    """Links and images of prose; code spans are left alone, and may be a link's text."""
    spans: list[str] = []

    def hide(match: re.Match) -> str:
        spans.append(match[0])
        return f"\0{len(spans) - 1}\0"

    text = _inline(_CODE_SPAN.sub(hide, text), link, image)
    return re.sub(r"\0(\d+)\0", lambda m: spans[int(m[1])], text)


def _inline(text: str, link, image) -> str:
    text = _IMAGE.sub(lambda m: f"![{m['alt']}]({image(m['url'])})", text)
    return _LINK.sub(lambda m: f"[{m['text']}]({link(m['url'])})", text)


def markdown_cells(markdown: str, *, link, image, heading_ids=None) -> list[dict | CodeCell]:
    """The page as a list of Markdown cells (``{"source", "attachments"}``) and CodeCells.

    ``link(url)`` rewrites a link target, ``image(url)`` returns the attachment name of a
    figure (and records it); ``heading_ids``, if given, are the ids the built page gave its
    headings, in order (else an explicit ``{#id}`` or none).
    """
    cells: list[dict | CodeCell] = []
    buffer: list[str] = []
    ids = list(heading_ids) if heading_ids is not None else None
    quote: int | None = None  # the indent of the admonition body we are in, if any
    lines = markdown.split("\n")

    def flush():
        while buffer and buffer[-1] in ("", ">"):
            buffer.pop()
        while buffer and buffer[0] in ("", ">"):
            buffer.pop(0)
        text = _prose_outside_fences("\n".join(buffer).strip("\n"), link, image)
        if text.strip("> \n"):
            cells.append({"source": text})
        buffer.clear()

    def emit(line: str) -> None:
        line = ("> " + line if line else ">") if quote is not None else line
        if not (line in ("", ">") and buffer and buffer[-1] == line):  # one blank is enough
            buffer.append(line)

    for number, line in enumerate(lines, start=1):  # what the converter does not know
        if (_FENCE.match(line) is None and (found := _UNSUPPORTED.search(line))):
            raise ValueError(f"line {number}: {found[0]!r} is not converted to a notebook "
                             "(hooks/page_notebooks.py): write it another way or teach "
                             "the converter")
    i = 0
    while i < len(lines):
        line = lines[i]
        if quote is not None and line.strip() and len(line) - len(line.lstrip()) < quote:
            quote = None
            flush()
        body = line[quote:] if quote is not None else line
        if (fence := _FENCE.match(body)) is not None:
            end = next((j for j in range(i + 1, len(lines))
                        if lines[j].strip() == fence["fence"]), len(lines))
            block = lines[i:end + 1]
            include = next((m for m in map(INCLUDE.match, block) if m), None)
            if include:
                flush()
                cells.append(code_cell(include["path"], include["section"]))
            else:
                for raw in block:
                    emit(raw[quote:] if quote is not None else raw)
            i = end + 1
            continue
        if (admonition := _ADMONITION.match(body)) is not None:
            if quote is not None:
                raise ValueError(f"line {i + 1}: an admonition inside an admonition; "
                                 "hooks/page_notebooks.py does not convert it")
            flush()
            if admonition["title"] is None:
                title = admonition["kind"].capitalize()
            else:  # an explicit "" has no title on the page either
                title = re.sub(r"\\(.)", r"\1", admonition["title"])
            quote = len(line) - len(body) + len(admonition["indent"]) + 4
            if title:
                emit(f"**{title}**")
                emit("")
            i += 1
            continue
        if (attrs := _ATTR_LINE.match(body)) is not None:
            emit("".join(f'<a id="{x}"></a>' for x in _ID.findall(attrs["attrs"])))
            i += 1
            continue
        if quote is None and (heading := _HEADING.match(body)) is not None:
            explicit = _ID.findall(heading["attrs"] or "")
            anchor = ids.pop(0) if ids else (explicit[0] if explicit else None)
            if anchor:
                emit(f'<a id="{anchor}"></a>')
            emit(f"{heading['hashes']} {heading['text']}")
            i += 1
            continue
        emit(_TRAILING_ATTRS.sub("", body))
        i += 1
    flush()
    return cells


def headings(markdown: str) -> int:
    """How many ATX headings the page has outside code fences and admonitions."""
    count, fence = 0, None
    for line in markdown.split("\n"):
        if fence:
            fence = None if line.strip() == fence else fence
        elif (m := _FENCE.match(line)) and not m["indent"]:
            fence = m["fence"]
        elif _HEADING.match(line):
            count += 1
    return count


# --- The notebook -----------------------------------------------------------------------

def notebook(cells: list[dict | CodeCell], *, header: str,
             figures: dict[str, tuple[str, bytes]]) -> dict:
    """An nbformat 4.5 notebook; ``figures`` maps an attachment name to (MIME, bytes)."""
    out, count = [], 0
    for cell in [{"source": header}, *cells]:
        if isinstance(cell, CodeCell):
            count += 1
            outputs = ([{"name": "stdout", "output_type": "stream", "text": cell.stdout}]
                       if cell.outputs else [])
            out.append({"cell_type": "code", "execution_count": count, "metadata": {},
                        "outputs": outputs, "source": cell.source})
            continue
        item = {"cell_type": "markdown", "metadata": {}, "source": cell["source"]}
        used = {name for name in figures if f"(attachment:{name})" in cell["source"]}
        if used:
            item["attachments"] = {
                name: {figures[name][0]: base64.b64encode(figures[name][1]).decode("ascii")}
                for name in sorted(used)}
        out.append(item)
    for number, cell in enumerate(out):
        cell["id"] = f"cell-{number}"
    return {"cells": out, "metadata": {"kernelspec": KERNEL, "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def header(title: str, url: str, pins: list[str], lang: str) -> str:
    install = "`pip install " + " ".join(pins) + "`"
    if lang == "zh":
        return (f"> 本笔记本由《{BOOK['zh']}》的页面[{title}]({url})从同一份源文件生成。"
                f"每个代码单元格下的输出都是页面上显示的输出，由测试在 {pins[0]} 上运行核对。"
                f"运行前请先安装：{install}。")
    return (f"> This notebook is the page [{title}]({url}) of the *{BOOK['en']}*, generated "
            f"from the same sources. The output under each code cell is the one the page "
            f"shows, checked by running it on {pins[0]}. To run it: {install}.")


# --- mkdocs events ----------------------------------------------------------------------

_pending: dict[str, dict] = {}  # site path of the .ipynb -> what on_post_build needs


def ipynb_name(src_uri: str) -> str:
    return re.sub(r"(\.zh)?\.md$", "", PurePosixPath(src_uri).name) + ".ipynb"


def on_post_page(output: str, page, config) -> str:
    src = page.file.src_uri
    if not src.endswith(".md") or not is_chapter(src):
        return output
    lang = getattr(page.file, "locale", "en") or "en"
    markdown = Path(page.file.abs_src_path).read_text(encoding="utf-8")
    toc = [item for item in _flatten(page.toc)]
    ids = [item.id for item in toc] if len(toc) == headings(markdown) else None
    if ids is None:
        raise ValueError(f"{src}: {len(toc)} headings in the table of contents, "
                         f"{headings(markdown)} in the source (hooks/page_notebooks.py)")
    folder = PurePosixPath(page.file.dest_uri).parent
    name = ipynb_name(src)
    _pending[str(folder / name)] = {
        "markdown": markdown, "src": src.removesuffix(".zh.md").removesuffix(".md") + ".md",
        "lang": lang, "ids": ids, "title": page.title,
        "url": urljoin(config.site_url, page.url)}
    link = (f'<p class="page-notebook"><a href="{name}" download>{LABEL[lang]}'
            f" (<code>{name}</code>)</a></p>")
    head_end = output.find("</h1>")
    if head_end == -1:
        raise ValueError(f"{src}: no <h1> to put the notebook link under")
    cut = head_end + len("</h1>")
    return output[:cut] + link + output[cut:]


def _flatten(toc):
    for item in toc:
        yield item
        yield from _flatten(item.children)


@event_priority(-120)  # after hooks/figures.py's on_post_build (-110) wrote the figures
def on_post_build(config) -> None:
    site = Path(config.site_dir)
    pins = pinned((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    # mkdocs-static-i18n builds the Chinese pages in a nested build, from inside the English
    # build's on_post_build: each build writes, and forgets, what is pending when it ends.
    while _pending:
        target, page = _pending.popitem()
        figures: dict[str, tuple[str, bytes]] = {}

        def image(url: str, page=page, figures=figures) -> str:
            path = site / posixpath.normpath(posixpath.join(posixpath.dirname(page["src"]), url))
            kind = {".svg": "image/svg+xml", ".png": "image/png"}[path.suffix]
            figures[path.name] = (kind, path.read_bytes())
            return f"attachment:{path.name}"

        cells = markdown_cells(
            page["markdown"], heading_ids=page["ids"], image=image,
            link=lambda url, page=page: resolve_link(url, page["src"], page["lang"],
                                                     config.site_url))
        code = [cell for cell in cells if isinstance(cell, CodeCell)]
        top = header(page["title"], page["url"], requirements(code, pins),
                     page["lang"])
        book = notebook(cells, header=top, figures=figures)
        (site / target).write_text(json.dumps(book, ensure_ascii=False, indent=1) + "\n",
                                   encoding="utf-8")
