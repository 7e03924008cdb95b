"""The two slow steps of a cold build that run beside it: drawing the figures (a process,
hooks/figures.py) and executing the notebooks (a thread, hooks/notebooks.py).

That they produce the right files is checked on the built site (tests/test_site.py: the
figures, a notebook's executed output); here, that their plumbing holds and fails loudly.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError

from hooks import figures, notebooks
from tests.pages import ROOT


def test_the_registered_names_are_the_figures_dictionary():
    from snippets.figures import FIGURES

    assert figures.registered_names() == list(FIGURES)


def test_a_figures_module_without_the_dictionary_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "figures.py").write_text("DRAWINGS = {'a': 1}\n")
    monkeypatch.setattr(figures, "ROOT", tmp_path)
    with pytest.raises(PluginError, match="no FIGURES"):
        figures.registered_names()


def test_a_figure_being_drawn_is_not_copied_with_the_static_files(tmp_path):
    config = SimpleNamespace(docs_dir=str(tmp_path), site_dir=str(tmp_path / "site"),
                             use_directory_urls=True,
                             plugins=SimpleNamespace(_current_plugin=None))
    file = figures._BeingDrawn.generated(config, "assets/figures/x.svg",
                                         abs_src_path=str(tmp_path / "missing.svg"))
    file.copy_file()  # the source does not exist yet: nothing happens
    assert not (tmp_path / "site").exists()


def test_a_failed_drawing_fails_the_build_with_its_output(monkeypatch, tmp_path):
    process = subprocess.Popen([sys.executable, "-c", "print('no figure today'); exit(3)"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    monkeypatch.setattr(figures, "_drawing", (process, ["x"]))
    with pytest.raises(PluginError, match="no figure today"):
        figures.on_post_build(SimpleNamespace(site_dir=str(tmp_path)))
    assert figures._drawing is None


def test_drawn_figures_other_than_the_registered_ones_are_an_error(monkeypatch, tmp_path):
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    monkeypatch.setattr(figures, "_drawing", (process, ["x"]))
    monkeypatch.setattr(figures, "_cached_names", lambda: ["y"])
    with pytest.raises(PluginError, match="not the ones registered"):
        figures.on_post_build(SimpleNamespace(site_dir=str(tmp_path)))


@pytest.fixture(scope="module")
def config():
    return load_config(str(ROOT / "mkdocs.yml"))


def test_every_notebook_of_both_languages_runs_ahead(config):
    jupyter = config.plugins["mkdocs-jupyter"]
    names = [p.relative_to(ROOT / "docs").as_posix()
             for p in notebooks._to_execute(jupyter, config)]
    assert names == ["notebooks/fresh_classifier_loss.py", "notebooks/fresh_classifier_loss.zh.py",
                     "notebooks/init_std_per_layer.py", "notebooks/init_std_per_layer.zh.py"]


def test_nothing_runs_ahead_without_mkdocs_jupyter_s_cache(config, monkeypatch):
    jupyter = config.plugins["mkdocs-jupyter"]
    monkeypatch.setitem(jupyter.config, "cache", False)
    assert notebooks._to_execute(jupyter, config) == []


def test_a_page_waits_for_its_run_and_gets_its_error():
    run: Future = Future()
    run.set_exception(RuntimeError("cell 3 failed"))
    path = str(Path("docs/notebooks/x.py").resolve())
    page = SimpleNamespace(file=SimpleNamespace(abs_src_path=path),
                           render=lambda config, files: "rendered")
    notebooks._ahead[path] = run
    notebooks.on_pre_page(page, None, None)
    with pytest.raises(RuntimeError, match="cell 3 failed"):
        page.render(None, None)
    assert path not in notebooks._ahead  # one wait per run

    done: Future = Future()
    done.set_result(None)
    notebooks._ahead[path] = done
    page.render = lambda config, files: "rendered"
    notebooks.on_pre_page(page, None, None)
    assert page.render(None, None) == "rendered"
