"""The from-scratch focal losses (snippets/from_scratch/focal.py) against kornia 0.9.0 and
MONAI 1.6.1, in float64.

- sigmoid_focal_loss (torchvision.ops.sigmoid_focal_loss's signature) against
  kornia.losses.binary_focal_loss_with_logits, where the two coincide: 0/1 targets,
  alpha in [0, 1] (torchvision's alpha = -1 is kornia's alpha=None); against MONAI's
  FocalLoss(use_softmax=False), which computes in float32, to a relative 1e-5; against
  torch's BCE at gamma = 0. Values and gradients, on a grid and on hypothesis draws.
- focal_loss (kornia.losses.focal_loss's signature) against kornia, with alpha, weight,
  ignore_index and every reduction; against MONAI's FocalLoss(use_softmax=True,
  to_onehot_y=True).
- The edges: empty batches, all-negative targets, infinite logits, errors.
torchvision is not installed: its behaviour is pinned by the page's claims tested here
(alpha = -1, the reduction error, the ValueError for alpha outside [0, 1]).
"""

from __future__ import annotations

import itertools
import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from kornia.core.exceptions import BaseError, ShapeError
from kornia.losses import binary_focal_loss_with_logits
from kornia.losses import focal_loss as kornia_focal_loss
from monai.losses import FocalLoss

from snippets.from_scratch.focal import focal_loss, sigmoid_focal_loss

DOUBLE = torch.float64
REDUCTIONS = ("none", "mean", "sum")
SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=40)


def random_binary(shape, seed, scale=4.0, rate=0.3):
    g = torch.Generator().manual_seed(seed)
    x = scale * torch.randn(*shape, generator=g, dtype=DOUBLE)
    y = (torch.rand(*shape, generator=g, dtype=DOUBLE) < rate).to(DOUBLE)
    return x, y


def random_classes(shape, C, seed, ignore=False, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    x = scale * torch.randn(shape[0], C, *shape[1:], generator=g, dtype=DOUBLE)
    t = torch.randint(0, C, shape, generator=g)
    if ignore and t.numel():
        t.view(-1)[:: 3] = -100
    return x, t


def kornia_alpha(alpha):
    return None if alpha == -1 else alpha


def assert_values_and_grads(ours_fn, theirs_fn, x, rtol=1e-10, atol=1e-12):
    xa = x.clone().requires_grad_()
    xb = x.clone().requires_grad_()
    ours, theirs = ours_fn(xa), theirs_fn(xb)
    torch.testing.assert_close(ours, theirs, rtol=rtol, atol=atol, equal_nan=True)
    (ga,) = torch.autograd.grad(ours.sum(), xa)
    (gb,) = torch.autograd.grad(theirs.sum(), xb)
    torch.testing.assert_close(ga, gb, rtol=rtol, atol=atol, equal_nan=True)


# --- sigmoid focal loss -------------------------------------------------------------

@pytest.mark.parametrize("alpha,gamma,reduction", list(itertools.product(
    (-1, 0.0, 0.25, 0.6, 1.0), (0.0, 1.0, 2.0, 3.5), REDUCTIONS)))
def test_sigmoid_grid_against_kornia(alpha, gamma, reduction):
    x, y = random_binary((3, 4, 5), seed=7)
    assert_values_and_grads(
        lambda v: sigmoid_focal_loss(v, y, alpha=alpha, gamma=gamma, reduction=reduction),
        lambda v: binary_focal_loss_with_logits(v, y, alpha=kornia_alpha(alpha), gamma=gamma,
                                                reduction=reduction),
        x)


@SETTINGS
@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=4), seed=st.integers(0, 10**6),
       alpha=st.sampled_from([-1, 0.1, 0.25, 0.5, 0.9]), gamma=st.floats(1.0, 5.0),
       reduction=st.sampled_from(REDUCTIONS))
def test_sigmoid_random_against_kornia(shape, seed, alpha, gamma, reduction):
    x, y = random_binary(shape, seed, scale=8.0)
    assert_values_and_grads(
        lambda v: sigmoid_focal_loss(v, y, alpha=alpha, gamma=gamma, reduction=reduction),
        lambda v: binary_focal_loss_with_logits(v, y, alpha=kornia_alpha(alpha), gamma=gamma,
                                                reduction=reduction),
        x)


@pytest.mark.parametrize("alpha,gamma,reduction", list(itertools.product(
    (-1, 0.25, 0.75), (0.0, 2.0), ("none", "mean"))))
def test_sigmoid_against_monai(alpha, gamma, reduction):
    """MONAI casts to float32, hence the tolerance; its 'sum' is another convention."""
    x, y = random_binary((2, 3, 4, 4), seed=3)
    monai = FocalLoss(alpha=kornia_alpha(alpha), gamma=gamma, reduction=reduction)
    assert_values_and_grads(
        lambda v: sigmoid_focal_loss(v, y, alpha=alpha, gamma=gamma, reduction=reduction),
        lambda v: monai(v, y).double(), x, rtol=1e-5, atol=1e-6)


def test_monai_sum_averages_spatial_dims_and_is_a_mean_without_them():
    x, y = random_binary((2, 3, 4, 5), seed=4)
    ours = sigmoid_focal_loss(x, y, reduction="sum")
    torch.testing.assert_close(FocalLoss(alpha=0.25, reduction="sum")(x, y).double(),
                               ours / 20, rtol=1e-5, atol=0)
    x2, y2 = x[:, :, 0, 0], y[:, :, 0, 0]
    torch.testing.assert_close(FocalLoss(alpha=0.25, reduction="sum")(x2, y2).double(),
                               sigmoid_focal_loss(x2, y2, reduction="mean"), rtol=1e-5, atol=0)


def test_gamma_zero_is_bce():
    x, y = random_binary((5, 7), seed=5)
    bce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    assert torch.equal(sigmoid_focal_loss(x, y, alpha=-1, gamma=0), bce)
    assert torch.equal(2 * sigmoid_focal_loss(x, y, alpha=0.5, gamma=0), bce)
    weighted = 0.75 * F.binary_cross_entropy_with_logits(
        x, y, pos_weight=torch.tensor(1 / 3, dtype=DOUBLE), reduction="none")
    torch.testing.assert_close(sigmoid_focal_loss(x, y, alpha=0.25, gamma=0), weighted)


def test_sigmoid_soft_targets_follow_torchvision_formula():
    """Soft targets: alpha_t (1 - p_t)^gamma BCE, with p_t and alpha_t linear in y."""
    g = torch.Generator().manual_seed(6)
    x = 3 * torch.randn(4, 6, generator=g, dtype=DOUBLE)
    y = torch.rand(4, 6, generator=g, dtype=DOUBLE)
    p = torch.sigmoid(x)
    p_t = p * y + (1 - p) * (1 - y)
    expected = ((0.25 * y + 0.75 * (1 - y)) * (1 - p_t) ** 2
                * F.binary_cross_entropy_with_logits(x, y, reduction="none"))
    torch.testing.assert_close(sigmoid_focal_loss(x, y), expected)
    # ... which kornia and MONAI do not share:
    assert not torch.allclose(binary_focal_loss_with_logits(x, y), expected)
    assert not torch.allclose(FocalLoss(alpha=0.25, reduction="none")(x, y).double(), expected)


def test_sigmoid_edges():
    empty = torch.zeros(0, 3, dtype=DOUBLE)
    assert sigmoid_focal_loss(empty, empty).shape == (0, 3)
    assert sigmoid_focal_loss(empty, empty, reduction="sum").item() == 0
    assert sigmoid_focal_loss(empty, empty, reduction="mean").isnan()
    x, _ = random_binary((4, 5), seed=8)
    y = torch.zeros_like(x)  # all negatives: only the 1 - alpha term
    assert_values_and_grads(lambda v: sigmoid_focal_loss(v, y, reduction="sum"),
                            lambda v: binary_focal_loss_with_logits(v, y, reduction="sum"), x)
    inf = float("inf")
    xi = torch.tensor([[inf, -inf, inf, -inf]], dtype=DOUBLE)
    yi = torch.tensor([[1.0, 0.0, 0.0, 1.0]], dtype=DOUBLE)
    ours = sigmoid_focal_loss(xi, yi)
    # torch's BCE is nan where the (infinite) logit agrees with its label, and at -inf for
    # a positive; torchvision and ours inherit it. A wrong +inf costs inf, as in kornia.
    assert torch.equal(ours.isnan(), F.binary_cross_entropy_with_logits(
        xi, yi, reduction="none").isnan())
    assert ours[0, 2] == inf == binary_focal_loss_with_logits(xi, yi)[0, 2]


def test_sigmoid_gamma_below_one_saturated_gradient_is_nan():
    """The page's pitfall: torchvision's (1 - p_t) ** gamma, gamma < 1, at p_t == 1."""
    x = torch.tensor([20.0, 0.5], requires_grad=True)
    y = torch.tensor([1.0, 1.0])
    (g,) = torch.autograd.grad(sigmoid_focal_loss(x, y, gamma=0.5).sum(), x)
    assert g[0].isnan() and g[1].isfinite()


def test_sigmoid_errors():
    x, y = random_binary((2, 3), seed=9)
    for alpha in (-0.5, 1.5, -2):
        with pytest.raises(ValueError, match=r"Invalid alpha value: .* or -1 for ignore\.$"):
            sigmoid_focal_loss(x, y, alpha=alpha)
    with pytest.raises(ValueError) as info:
        sigmoid_focal_loss(x, y, reduction="average")
    assert str(info.value) == ("Invalid Value for arg 'reduction': 'average \n Supported "
                               "reduction modes: 'none', 'mean', 'sum'")
    for bad_y in (y[:, :2], y.long(), y.bool()):
        with pytest.raises((ValueError, RuntimeError)) as ours:
            sigmoid_focal_loss(x, bad_y)
        with pytest.raises(type(ours.value)) as torch_bce:
            F.binary_cross_entropy_with_logits(x, bad_y)
        assert str(ours.value) == str(torch_bce.value)


# --- softmax focal loss -------------------------------------------------------------

@pytest.mark.parametrize("alpha,gamma,reduction,weighted,ignore", list(itertools.product(
    (None, 0.0, 0.25, 1.0), (0.0, 1.0, 2.0), REDUCTIONS, (False, True), (False, True))))
def test_softmax_grid_against_kornia(alpha, gamma, reduction, weighted, ignore):
    x, t = random_classes((3, 4), C=5, seed=11, ignore=ignore)
    w = torch.tensor([0.5, 1.0, 2.0, 0.0, 3.0], dtype=DOUBLE) if weighted else None
    assert_values_and_grads(
        lambda v: focal_loss(v, t, alpha, gamma, reduction, weight=w),
        lambda v: kornia_focal_loss(v, t, alpha, gamma, reduction, weight=w), x)


@SETTINGS
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), C=st.integers(1, 5),
       seed=st.integers(0, 10**6), alpha=st.sampled_from([None, 0.25, 0.5, 0.8]),
       gamma=st.one_of(st.floats(0.01, 0.99), st.floats(1.0, 4.0)),
       reduction=st.sampled_from(REDUCTIONS), ignore=st.booleans(),
       scale=st.sampled_from([3.0, 60.0]))
def test_softmax_random_against_kornia(shape, C, seed, alpha, gamma, reduction, ignore, scale):
    # scale 60: many positions saturate (p rounds to 1 in float64), where gamma < 1 needs
    # kornia's detached factor to keep the gradient finite.
    x, t = random_classes(shape, C, seed, ignore=ignore, scale=scale)
    assert_values_and_grads(lambda v: focal_loss(v, t, alpha, gamma, reduction),
                            lambda v: kornia_focal_loss(v, t, alpha, gamma, reduction), x)


@pytest.mark.parametrize("alpha,reduction",
                         list(itertools.product((None, 0.25), ("none", "mean"))))
def test_softmax_against_monai(alpha, reduction):
    x, t = random_classes((2, 3, 3), C=4, seed=12)
    monai = FocalLoss(use_softmax=True, to_onehot_y=True, alpha=alpha, reduction=reduction)
    assert_values_and_grads(lambda v: focal_loss(v, t, alpha, 2.0, reduction),
                            lambda v: monai(v, t.unsqueeze(1)).double(), x,
                            rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("gamma", (0.0, 0.3, 0.5, 0.99, 1.0, 2.0))
def test_softmax_saturated_gradient_is_kornias(gamma):
    """p_{n,y_n} rounds to 1 (logit gap 40 in float64, 30 in float32): for 0 < gamma < 1
    a plain (1 - p) ** gamma gives a nan gradient; kornia and ours a finite one."""
    t = torch.tensor([0, 1])
    for dtype, gap in ((DOUBLE, 40.0), (torch.float32, 30.0)):
        x = torch.tensor([[gap, 0.0], [0.5, -0.5]], dtype=dtype)
        assert_values_and_grads(lambda v: focal_loss(v, t, 0.25, gamma, "sum"),
                                lambda v: kornia_focal_loss(v, t, 0.25, gamma, "sum"), x)
        xa = x.clone().requires_grad_()
        (g,) = torch.autograd.grad(focal_loss(xa, t, 0.25, gamma, "sum"), xa)
        assert g.isfinite().all()
        if 0 < gamma < 1:  # the plain formula, as before the fix (and MONAI's softmax form)
            xb = x.clone().requires_grad_()
            log_p = xb.log_softmax(1).gather(1, t[:, None])
            (gb,) = torch.autograd.grad((-(1 - log_p.exp()) ** gamma * log_p).sum(), xb)
            assert gb[0].isnan().all()


def test_softmax_per_class_alpha_is_weight():
    x, t = random_classes((6,), C=4, seed=13)
    a = [0.1, 0.3, 0.2, 0.4]
    monai = FocalLoss(use_softmax=True, to_onehot_y=True, alpha=a, reduction="none")
    torch.testing.assert_close(focal_loss(x, t, None, weight=torch.tensor(a, dtype=DOUBLE)),
                               monai(x, t.unsqueeze(1)).double(), rtol=1e-5, atol=1e-7)


def test_softmax_two_classes_is_sigmoid_of_the_difference():
    x, y = random_binary((7,), seed=14)
    two = torch.stack([torch.zeros_like(x), x], dim=1)
    torch.testing.assert_close(focal_loss(two, y.long(), 0.25).sum(dim=1),
                               sigmoid_focal_loss(x, y))


def test_softmax_mean_is_over_the_whole_map():
    x, t = random_classes((5,), C=3, seed=15)
    torch.testing.assert_close(3 * focal_loss(x, t, None, gamma=0.0, reduction="mean"),
                               F.cross_entropy(x, t))


def test_softmax_edges():
    x, t = random_classes((0, 2), C=3, seed=16)
    for reduction in REDUCTIONS:
        torch.testing.assert_close(focal_loss(x, t, 0.25, reduction=reduction),
                                   kornia_focal_loss(x, t, 0.25, reduction=reduction),
                                   equal_nan=True)
    inf = float("inf")
    xi = torch.tensor([[0.0, -inf, 1.0], [inf, 0.0, 0.0]], dtype=DOUBLE)
    ti = torch.tensor([0, 1])
    ours, theirs = focal_loss(xi, ti, 0.25), kornia_focal_loss(xi, ti, 0.25)
    # A -inf logit is fine in both. A +inf logit makes its row's log-softmax nan: kornia's
    # whole row is nan, ours only the target slice (the others are 0, as everywhere).
    torch.testing.assert_close(ours[0], theirs[0])
    assert theirs[1].isnan().all() and ours[1, 1].isnan()
    assert torch.equal(ours[1, [0, 2]], torch.zeros(2, dtype=DOUBLE))
    t_all_ignored = torch.full((2,), -100)
    assert focal_loss(xi, t_all_ignored, 0.25, reduction="sum") == 0


def test_softmax_errors():
    x, t = random_classes((2, 3), C=4, seed=17)
    for bad_t in (torch.tensor([[0, 4, 1], [1, 2, 3]]), torch.tensor([[0, -1, 1], [1, 2, 3]])):
        for fn in (focal_loss, kornia_focal_loss):
            with pytest.raises(RuntimeError, match="Class values must be"):
                fn(x, bad_t, 0.25)
    with pytest.raises(NotImplementedError, match="^Invalid reduction mode: avg$"):
        focal_loss(x, t, 0.25, reduction="avg")
    with pytest.raises(NotImplementedError, match="^Invalid reduction mode: avg$"):
        kornia_focal_loss(x, t, 0.25, reduction="avg")
    # kornia raises its own BaseError for a target of the wrong size; ours a ValueError
    # with kornia's message. A pred without a class dimension: ShapeError is a ValueError.
    with pytest.raises(ValueError, match="Expected target size") as ours:
        focal_loss(x, t[:1], 0.25)
    with pytest.raises(BaseError) as theirs:
        kornia_focal_loss(x, t[:1], 0.25)
    assert str(ours.value) == str(theirs.value)
    for fn in (focal_loss, kornia_focal_loss):
        with pytest.raises(ValueError):
            fn(x[0, 0], t[0], 0.25)
    assert issubclass(ShapeError, ValueError)


def test_monai_background_warning_and_renormalised_softmax():
    x, t = random_classes((3,), C=4, seed=18)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        no_bg = FocalLoss(use_softmax=True, to_onehot_y=True, include_background=False,
                          alpha=0.25, reduction="none")(x, t.unsqueeze(1))
    assert [str(w.message) for w in caught] == [
        "`include_background=False`, scalar `alpha` ignored when using softmax."]
    shifted = torch.where(t > 0, t - 1, 0)
    expected = focal_loss(x[:, 1:], shifted, None) * (t > 0).unsqueeze(1)
    torch.testing.assert_close(no_bg.double(), expected, rtol=1e-5, atol=1e-6)
