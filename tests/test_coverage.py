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


# Every loss criterion of torch.nn: its class name must be a heading in both languages.
LOSS_PAGES = {
    "CrossEntropyLoss": "losses/cross_entropy", "NLLLoss": "losses/cross_entropy",
    "BCELoss": "losses/binary_cross_entropy",
    "BCEWithLogitsLoss": "losses/binary_cross_entropy",
    "L1Loss": "losses/regression", "MSELoss": "losses/regression",
    "SmoothL1Loss": "losses/regression", "HuberLoss": "losses/regression",
    "PoissonNLLLoss": "losses/distributions", "GaussianNLLLoss": "losses/distributions",
    "KLDivLoss": "losses/distributions",
    "MarginRankingLoss": "losses/margin", "HingeEmbeddingLoss": "losses/margin",
    "SoftMarginLoss": "losses/margin", "MultiLabelSoftMarginLoss": "losses/margin",
    "MultiLabelMarginLoss": "losses/margin", "MultiMarginLoss": "losses/margin",
    "CosineEmbeddingLoss": "losses/embedding", "TripletMarginLoss": "losses/embedding",
    "TripletMarginWithDistanceLoss": "losses/embedding",
    "CTCLoss": "losses/ctc_and_fused", "LinearCrossEntropyLoss": "losses/ctc_and_fused",
}
# Not criteria, but documented beside them.
MODULE_PAGES = {"AdaptiveLogSoftmaxWithLoss": "losses/ctc_and_fused"}


def torch_criteria() -> dict[str, type]:
    """Every loss class of torch.nn: the subclasses of _Loss, less the deprecated NLLLoss2d."""
    from torch.nn.modules.loss import _Loss

    return {
        name: cls for name, cls in vars(torch.nn).items()
        if isinstance(cls, type) and issubclass(cls, _Loss) and name != "NLLLoss2d"
    }


def functional_losses() -> list[str]:
    """The torch.nn.functional function that each criterion's forward calls."""
    names = set()
    for cls in torch_criteria().values():
        names |= set(re.findall(r"F\.(\w+)\(", inspect.getsource(cls.forward)))
    return sorted(names)


def test_every_torch_criterion_has_a_page():
    criteria = torch_criteria()
    assert len(criteria) == 22  # torch 2.13: a new criterion must get a page before this passes
    assert set(LOSS_PAGES) == set(criteria)
    assert not issubclass(torch.nn.AdaptiveLogSoftmaxWithLoss, torch.nn.modules.loss._Loss)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("loss", [*LOSS_PAGES, *MODULE_PAGES])
def test_every_loss_has_a_section(built_site, lang, loss):
    page_path = {**LOSS_PAGES, **MODULE_PAGES}[loss]
    page = built_site / ("zh/" if lang == "zh" else "") / page_path / "index.html"
    ids = heading_ids(page.read_text(encoding="utf-8"))
    assert loss.lower() in {word for id_ in ids for word in id_.split("-")}, (lang, loss)


def test_the_functional_list_is_what_we_think():
    names = functional_losses()
    assert len(names) == 22
    assert {"cross_entropy", "ctc_loss", "linear_cross_entropy", "kl_div"} <= set(names)


@pytest.mark.parametrize("name", functional_losses())
def test_every_functional_loss_has_a_from_scratch_twin_with_its_signature(name):
    from snippets.from_scratch import losses

    assert hasattr(losses, name), f"snippets.from_scratch.losses has no {name}"
    deprecated = {"size_average", "reduce"}
    theirs = [(p.name, p.kind, p.default)
              for p in inspect.signature(getattr(torch.nn.functional, name)).parameters.values()
              if p.name not in deprecated]
    ours = [(p.name, p.kind, p.default)
            for p in inspect.signature(getattr(losses, name)).parameters.values()]
    assert ours == theirs
