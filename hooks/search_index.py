"""One search index per language, without the code blocks' markup and the formulas' TeX.

Material's search plugin writes one index for the whole site, and mkdocs-static-i18n
(``reconfigure_search``) fills it with both languages (its issue #271): every page
downloaded 2.8 MB of JSON, half of it in the other language, and an English query listed
Chinese pages. This hook replaces the index, not the plugin (the plugin still draws the
search box and ships the worker):

* ``on_page_context`` (before the plugin's): the page is indexed here, with Material's own
  parser (``SearchIndex``: sections per heading, jieba for Chinese), from a lean copy of
  its HTML (:func:`searchable`), then marked ``search.exclude`` so the plugin skips it;
* ``on_post_page``: a page of language ``xx`` gets ``xx/`` as its ``base`` in Material's
  ``__config``; the theme's script fetches ``<base>search/search_index.json`` and resolves
  every result against ``base``, so a Chinese page loads ``zh/search/search_index.json``,
  whose locations are relative to ``zh/``. Nothing else on the page reads ``base`` (no
  versions, no instant navigation);
* ``on_post_build`` (after mkdocs-static-i18n's, priority -100, which builds the other
  languages and rewrites the plugin's now empty index): one file per language.

What a lean copy keeps of a code block: its error and warning lines (``#> ValueError:
...``: readers paste messages into the search box), the messages it raises, the autograd
nodes it prints (``AddBackward0``) and, in the English index, the names that the page's
prose does not already hold: library calls (``nn.init.trunc_normal_``), methods
(``register_buffer``), keyword arguments (``pos_weight``); not the numbers, not the
Pygments spans. Display formulas are dropped and inline ones longer than ``SHORT_MATH``
characters too: their TeX is not a word anyone searches (``x_n``, ``\\ln 2`` stay). The
separator (``mkdocs.yml``) also splits on punctuation, so "(speech" and '"void"' are found
as speech and void.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from material.plugins.search.plugin import SearchIndex
from mkdocs import plugins, utils

DEFAULT = "en"
PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.S)
# Material's code block (``<div class="language-x highlight">``) and a notebook cell's
# (``<div class="highlight hl-ipython3">``) wrap their <pre>; the wrapper goes with it.
CODE_BLOCK = re.compile(r'<div class="[^"]*\bhighlight\b[^"]*">\s*<pre\b.*?</pre>\s*</div>', re.S)
MATH = re.compile(r'<(span|div) class="arithmatex">.*?</\1>', re.S)
TAG = re.compile(r"<[^>]+>")
# What of a code block is worth a search: the library names it calls
# (``nn.init.trunc_normal_``, ``F.cross_entropy``) and the keyword arguments with an
# underscore (``pos_weight=``), not the page's own variable names.
IDENTIFIER = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
LIBRARY_NAME = re.compile(r"\b(?:torch|nn|F|monai|kornia|pytorch_metric_learning|transformers)"
                          r"(?:\.[A-Za-z_]\w*)+")
KEYWORD = re.compile(r"\b([a-z]\w*_\w*)=(?!=)")
# ... the methods it calls (``.register_buffer(``, ``.is_floating_point(``), the autograd
# nodes it prints (``<AddBackward0>``) and the messages it raises (``raise ValueError("...")``).
METHOD = re.compile(r"\.([A-Za-z_]\w{3,})\(")
GRAD_FN = re.compile(r"<(\w+Backward\d*)>")
RAISED = re.compile(r"\braise\s+\w+\(\s*f?([\"'])(.+?)\1")
INLINE_MATH = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.S)
SHORT_MATH = 16  # an inline formula up to this long stays as its TeX (x_n, \ln 2)
MESSAGE = re.compile(r"^#>\s*(.*\b\w*(?:Error|Warning|Exception)\b.*)$")
BASE = re.compile(r'(<script id="__config" type="application/json">\{.*?"base": ")([^"]*)(")')

# location -> (language, entries), refreshed page by page (``mkdocs serve`` rebuilds).
_entries: dict[str, tuple[str, list[dict]]] = {}


def language(page) -> str:
    """The page's language: mkdocs-static-i18n sets ``file.locale``."""
    return getattr(page.file, "locale", None) or DEFAULT


def code_summary(code_html: str, known: set[str], names: bool = True) -> list[str]:
    """A code block's error/warning lines and raised messages, and (``names``) its new
    library names, keyword arguments and methods (added to ``known``)."""
    words = []
    for line in html.unescape(TAG.sub("", code_html)).splitlines():
        message = MESSAGE.match(line.strip())
        if message:
            words.append(message.group(1))
            continue
        if line.lstrip().startswith("#>"):  # printed values: only the autograd node names
            for node in GRAD_FN.findall(line):
                if node not in known:
                    known.add(node)
                    words.append(node)
            continue
        raised = RAISED.search(line)
        if raised:
            words.append(raised.group(2))
        if not names:
            continue
        for word in LIBRARY_NAME.findall(line) + KEYWORD.findall(line) + METHOD.findall(line):
            if word not in known:
                known.add(word)
                words.append(word)
    return words


def searchable(content: str, names: bool = True) -> str:
    """The page's HTML as the index should see it (see the module docstring); ``names``
    False leaves the code's names out (the Chinese index, see ``on_page_context``)."""
    content = INLINE_MATH.sub(lambda m: m.group(1) if len(m.group(1)) <= SHORT_MATH else " ",
                              content)
    content = MATH.sub(" ", content)
    prose = CODE_BLOCK.sub(" ", content)
    known = set(IDENTIFIER.findall(TAG.sub(" ", prose)))

    def summary(block: re.Match) -> str:
        code = PRE.search(block.group(0)).group(1)
        words = code_summary(code, known, names)
        return f"<p>{html.escape(' '.join(words), quote=False)}</p>" if words else " "

    return CODE_BLOCK.sub(summary, content)


class _Lean:
    """What ``SearchIndex.add_entry_from_context`` reads of a page, with lean content."""

    def __init__(self, page, content: str, meta: dict):
        self.content, self.meta = content, meta
        self.toc, self.url, self.title = page.toc, page.url, page.title


def _search_plugin(config):
    plugins_ = config.plugins
    return plugins_.get("material/search") or plugins_.get("search")


@plugins.event_priority(10)  # before the search plugin (0) looks at the page
def on_page_context(context, page, config, nav):
    search = _search_plugin(config)
    if search is None:
        return context
    meta = dict(page.meta)
    own = dict(meta.get("search") or {})
    if not own.get("exclude"):
        index = SearchIndex(**search.config)
        # The budget of a first visit (350 KB gzipped, the index included) is tightest on
        # the Chinese pages: their index keeps the code's messages but not its names (a
        # Chinese page's prose names the APIs it teaches; the English index has them all).
        names = language(page) == DEFAULT
        index.add_entry_from_context(_Lean(page, searchable(page.content, names), meta))
        _entries[page.url] = (language(page), index.entries)
    page.meta["search"] = {**own, "exclude": True}
    return context


def relative_base(page_url: str, lang: str) -> str:
    """From a page of a non-default language to that language's root: ``../../``."""
    inside = page_url.removeprefix(f"{lang}/")
    depth = inside.count("/") if inside else 0
    return "../" * depth or "./"


def on_post_page(output: str, page, config) -> str:
    lang = language(page)
    if lang == DEFAULT:
        return output
    new = relative_base(page.url, lang)
    return BASE.sub(lambda m: m.group(1) + new + m.group(3), output, count=1)


ZWSP = "\u200b"
SPACES = re.compile(r"[ \t\n\r\f\v]+")  # not the zero-width space


def plain_text(text: str) -> str:
    """Material keeps some tags in an entry's text; the index needs none. A tag becomes a
    space, so the words of two table cells or list items stay two words."""
    return SPACES.sub(" ", TAG.sub(" ", text)).strip()


def drop_redundant_breaks(text: str, separator: str) -> str:
    """Remove the zero-width spaces jieba's segmentation put where the separator splits anyway.

    Material puts one before and after every run of Chinese characters and one between
    its words; only those between two characters the separator does not split on
    (``分类​器`` is two words) change a token. The rest (about half) are bytes for nothing.
    """
    splits = re.compile(separator)

    def keep(match: re.Match) -> str:
        start, end = match.start(), match.end()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if not before or not after or splits.fullmatch(before) or splits.fullmatch(after):
            return ""
        return ZWSP

    return re.sub(f"{ZWSP}+", keep, text)


def index_files(entries: dict[str, tuple[str, list[dict]]], search_config: dict) -> dict[str, str]:
    """Site-relative path -> JSON of that language's index (locations relative to its root)."""
    by_lang: dict[str, list[dict]] = {}
    for lang, docs in entries.values():
        by_lang.setdefault(lang, []).extend(docs)
    files = {}
    for lang, docs in sorted(by_lang.items()):
        prefix = "" if lang == DEFAULT else f"{lang}/"
        config = {key: search_config[key] for key in ("separator", "pipeline", "fields")}
        # Every index keeps all the site's lunr languages: with "en" alone, Material's
        # English pipeline (stop words only) has no trimmer, and a word that punctuation
        # the separator leaves in place (\alpha, **kwargs) becomes unreachable; the other
        # languages' scripts cost 2.8 KB gzipped.
        config["lang"] = list(search_config["lang"])
        separator = search_config["separator"]
        docs = [{**doc, "location": doc["location"].removeprefix(prefix),
                 "title": drop_redundant_breaks(doc["title"], separator),
                 "text": drop_redundant_breaks(plain_text(doc["text"]), separator)}
                for doc in docs]
        data = {"config": config, "docs": docs}
        files[f"{prefix}search/search_index.json"] = json.dumps(
            data, ensure_ascii=False, separators=(",", ":"), default=str)
    return files


@plugins.event_priority(-110)  # after mkdocs-static-i18n's last write of the shared index
def on_post_build(config) -> None:
    search = _search_plugin(config)
    if search is None or not _entries:
        return
    for path, data in index_files(_entries, search.config).items():
        utils.write_file(data.encode("utf-8"), str(Path(config.site_dir) / path))
