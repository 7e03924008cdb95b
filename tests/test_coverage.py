"""Nothing of torch.nn.init can be missed silently: a new torch function fails here."""

from __future__ import annotations

import inspect
import re

import pytest
import torch

from snippets.from_scratch import init as scratch_init

PUBLIC_INIT = [n for n in torch.nn.init.__all__ if n.endswith("_") or n == "calculate_gain"]
DEPRECATED_INIT = [n for n in torch.nn.init.__all__ if n not in PUBLIC_INIT]


def heading_ids(html: str) -> set[str]:
    return set(re.findall(r'<h[23] id="([^"]+)"', html))


def test_the_public_list_is_what_we_think():
    assert len(PUBLIC_INIT) == 15  # calculate_gain and the 14 initializers of torch 2.13
    assert all(hasattr(torch.nn.init, name + "_") for name in DEPRECATED_INIT)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_init_function_has_an_entry(built_site, lang):
    page = built_site / ("zh/" if lang == "zh" else "") / "init/functions/index.html"
    ids = heading_ids(page.read_text(encoding="utf-8"))
    words = {word for id_ in ids for word in id_.split("-")}
    missing = [name for name in PUBLIC_INIT if name not in words]
    assert not missing, f"{lang}: no heading for {missing}"


@pytest.mark.parametrize("name", PUBLIC_INIT)
def test_every_init_function_has_a_from_scratch_twin_with_its_signature(name):
    ours = inspect.signature(getattr(scratch_init, name))
    theirs = inspect.signature(getattr(torch.nn.init, name))
    assert [(p.name, p.default) for p in ours.parameters.values()] == [
        (p.name, p.default) for p in theirs.parameters.values()]


# Every loss with a section so far: its class name must be a heading in both languages.
LOSS_PAGES = {
    "CrossEntropyLoss": "losses/cross_entropy", "NLLLoss": "losses/cross_entropy",
    "BCELoss": "losses/binary_cross_entropy",
    "BCEWithLogitsLoss": "losses/binary_cross_entropy",
    "L1Loss": "losses/regression", "MSELoss": "losses/regression",
    "SmoothL1Loss": "losses/regression", "HuberLoss": "losses/regression",
    "PoissonNLLLoss": "losses/distributions", "GaussianNLLLoss": "losses/distributions",
    "KLDivLoss": "losses/distributions",
}


def test_loss_pages_name_real_criteria():
    criteria = {n for n in dir(torch.nn) if n.endswith("Loss")}
    assert set(LOSS_PAGES) <= criteria


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("loss", LOSS_PAGES)
def test_every_loss_has_a_section(built_site, lang, loss):
    page = built_site / ("zh/" if lang == "zh" else "") / LOSS_PAGES[loss] / "index.html"
    ids = heading_ids(page.read_text(encoding="utf-8"))
    assert loss.lower() in {word for id_ in ids for word in id_.split("-")}, (lang, loss)
