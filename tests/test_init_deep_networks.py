"""Checks behind docs/init/deep_networks.md that the page states but does not print.

* its written-out Adam (``adam_step``) is torch.optim.Adam, bit for bit;
* the plain stream of ``experiment.stream`` is the 100-layer experiment of
  docs/init/variance.md (``experiment.run`` with Kaiming and ReLU), draw for draw.
"""

from __future__ import annotations

import contextlib
import io

import pytest
import torch
from torch import nn

from snippets.init import experiment

f64 = torch.float64


@pytest.fixture(scope="module")
def deep_networks():
    """The page module, imported when a test first needs it: importing runs the page's
    examples (~3 s), which at collection every pytest worker paid, this file's or not."""
    with contextlib.redirect_stdout(io.StringIO()):  # the page module prints its examples
        from snippets.init import deep_networks
    return deep_networks


@pytest.mark.parametrize("width", [64, 256])
def test_adam_step_is_torch_adam_bit_for_bit(width, deep_networks):
    g = torch.Generator().manual_seed(width)
    weights = [torch.randn(width, 8, dtype=f64, generator=g),
               torch.randn(width, width, dtype=f64, generator=g),
               torch.randn(1, width, dtype=f64, generator=g)]
    lrs = [1e-2, 1e-2 * 64 / width, 1e-2 * 64 / width]  # muP-style per-group rates
    ours = [w.clone() for w in weights]
    groups = [{"params": w, "lr": lr} for w, lr in zip(ours, lrs, strict=True)]
    state = [(torch.zeros_like(w), torch.zeros_like(w)) for w in ours]
    params = [nn.Parameter(w.clone()) for w in weights]
    adam = torch.optim.Adam([{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)])
    for t in range(1, 6):
        grads = [torch.randn(w.shape, dtype=f64, generator=g) for w in weights]
        deep_networks.adam_step(groups, state, grads, t)
        for p, grad in zip(params, grads, strict=True):
            p.grad = grad.clone()
        adam.step()
    for mine, theirs in zip(ours, params, strict=True):
        assert torch.equal(mine, theirs.detach())


def test_adam_parity_can_fail(deep_networks):
    # A different eps moves the result: the comparison above is not vacuous.
    w = torch.ones(3, dtype=f64)
    p = nn.Parameter(w.clone())
    deep_networks.adam_step([{"params": w, "lr": 0.1}], [(torch.zeros(3, dtype=f64),
                            torch.zeros(3, dtype=f64))], [torch.full((3,), 1e-9, dtype=f64)], 1,
                            eps=1e-3)
    p.grad = torch.full((3,), 1e-9, dtype=f64)
    torch.optim.Adam([p], lr=0.1).step()
    assert not torch.equal(w, p.detach())


def test_the_plain_stream_is_the_100_layer_experiment():
    model, x = experiment.kaiming_mlp()
    with torch.no_grad():
        _, stds = experiment.stream(model, x, "plain")
    _, expected = experiment.run(lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
                                 nn.ReLU())
    assert stds == expected
    with torch.no_grad():
        _, residual = experiment.stream(model, x, "residual")
    assert residual != expected  # and the other kinds are not the plain one
