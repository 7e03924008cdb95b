"""The from-scratch segmentation losses (snippets/from_scratch/segmentation.py: dice_loss,
tversky_loss, dice_ce_loss) against monai.losses.DiceLoss, TverskyLoss and DiceCELoss
(MONAI 1.6.1), in float64.

- grids: every combination of the options docs/beyond/segmentation.md shows, on fixed
  shapes, with the target as class indices (to_onehot_y=True) and as a float64 one-hot;
- hypothesis: random shapes (empty batch, one channel, 0 to 3 spatial dims), seeds and
  options; derandomize=True, database=None, so every run draws the same examples;
- edges: empty batch, images without foreground, +-inf logits, one channel (MONAI's warnings);
- errors: the same exception type as MONAI (and the same message where MONAI writes its own).
Values, dtypes, shapes, warnings and gradients are compared. MONAI's one-hot target is float32:
with squared_pred it takes sum g^2 as a squared float32 vector_norm, so that one case is
compared to 1e-6 (the page shows why), everything else to 1e-12.
"""

from __future__ import annotations

import itertools
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from monai.losses import DiceCELoss, DiceLoss, TverskyLoss

from snippets.from_scratch.segmentation import dice_ce_loss, dice_loss, tversky_loss

D = torch.float64
SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=20)
ACTS = ("none", "sigmoid", "softmax")


def _data(seed, shape, classes, scale=2.0):
    gen = torch.Generator().manual_seed(seed)
    x = scale * torch.randn(shape[0], classes, *shape[1:], generator=gen, dtype=D)
    idx = torch.randint(0, classes, (shape[0], 1, *shape[1:]), generator=gen)
    onehot = torch.zeros(shape[0], classes, *shape[1:], dtype=D).scatter_(1, idx, 1.0)
    return x, idx, onehot


def _run(fn, x, y):
    """Value, gradient with respect to x, and warnings (category, message)."""
    x = x.clone().requires_grad_()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        value = fn(x, y)
    grad = None
    if value.requires_grad:
        grad = torch.autograd.grad(value.sum(), x, allow_unused=True)[0]
    return value, grad, [(w.category, str(w.message)) for w in record]


def _compare(ours_fn, theirs_fn, x, y, tol=1e-12):
    v1, g1, w1 = _run(ours_fn, x, y)
    v2, g2, w2 = _run(theirs_fn, x, y)
    assert w1 == w2
    assert v1.dtype == v2.dtype and v1.shape == v2.shape
    torch.testing.assert_close(v1, v2, rtol=1e-10, atol=tol, equal_nan=True)
    if g2 is None:
        assert g1 is None or not g1.any()
    else:
        torch.testing.assert_close(g1, g2, rtol=1e-10, atol=tol, equal_nan=True)


def _check(fn, cls, x, y, tol=1e-12, **opts):
    """fn(x, y, **opts) against cls(**opts)(x, y)."""
    _compare(lambda a, b: fn(a, b, **opts), lambda a, b: cls(**opts)(a, b), x, y, tol)


def _act(act):
    return dict(sigmoid=act == "sigmoid", softmax=act == "softmax")


@pytest.mark.parametrize("to_onehot_y", [True, False])
def test_dice_grid(to_onehot_y):
    x, idx, onehot = _data(0, (2, 4, 5), 3)
    y = idx if to_onehot_y else onehot
    for inc, act, sq, jac, batch, red in itertools.product(
            (True, False), ("sigmoid", "softmax"), (False, True), (False, True), (False, True),
            ("mean", "none")):  # no activation and 'sum': in test_random
        opts = dict(include_background=inc, to_onehot_y=to_onehot_y, squared_pred=sq,
                    jaccard=jac, batch=batch, reduction=red, **_act(act))
        tol = 1e-6 if sq and to_onehot_y else 1e-12
        _compare(lambda a, b, o=opts: dice_loss(a, b, **o),
                 lambda a, b, o=opts: DiceLoss(**o)(a, b), x, y, tol)


def test_dice_weights_and_smoothing():
    x, idx, _ = _data(1, (2, 3, 3), 3)
    for inc, weight, (nr, dr), batch in itertools.product(
            (True, False), (None, 2.0, "list"), ((1e-5, 1e-5), (0.0, 1e-5), (1.0, 1.0)),
            (False, True)):
        w = ([0.5, 1.0, 3.0] if inc else [1.0, 3.0]) if weight == "list" else weight
        opts = dict(include_background=inc, to_onehot_y=True, softmax=True, weight=w,
                    smooth_nr=nr, smooth_dr=dr, batch=batch)
        _compare(lambda a, b, o=opts: dice_loss(a, b, **o),
                 lambda a, b, o=opts: DiceLoss(**o)(a, b), x, idx)


def test_tversky_grid():
    x, idx, onehot = _data(2, (2, 3, 4), 3)
    for inc, act, (a, b), batch, red, onehot_y in itertools.product(
            (True, False), ("sigmoid", "softmax"), ((0.5, 0.5), (0.7, 0.3), (0.3, 0.7)),
            (False, True), ("mean", "none"), (True, False)):
        opts = dict(include_background=inc, to_onehot_y=onehot_y, alpha=a, beta=b,
                    batch=batch, reduction=red, **_act(act))
        _compare(lambda u, v, o=opts: tversky_loss(u, v, **o),
                 lambda u, v, o=opts: TverskyLoss(**o)(u, v), x, idx if onehot_y else onehot)


def test_dice_ce_grid():
    x, idx, onehot = _data(3, (2, 3, 4), 3)
    w = torch.tensor([1.0, 2.0, 4.0], dtype=D)
    for inc, act, weight, red, (ld, lc), smoothing, onehot_y in itertools.product(
            (True, False), ("sigmoid", "softmax"), (None, w), ("mean", "sum"),
            ((1.0, 1.0), (0.5, 2.0), (0.0, 1.0)), (0.0, 0.1), (True, False)):
        opts = dict(include_background=inc, to_onehot_y=onehot_y, weight=weight,
                    reduction=red, lambda_dice=ld, lambda_ce=lc, label_smoothing=smoothing,
                    **_act(act))
        _compare(lambda u, v, o=opts: dice_ce_loss(u, v, **o),
                 lambda u, v, o=opts: DiceCELoss(**o)(u, v), x, idx if onehot_y else onehot)


def test_dice_ce_one_channel_is_bce():
    x, _, _ = _data(4, (3, 5), 1)
    y = (torch.rand(x.shape, generator=torch.Generator().manual_seed(5), dtype=D) > 0.5).to(D)
    for weight in (None, torch.tensor([3.0], dtype=D)):
        opts = dict(sigmoid=True, weight=weight)
        _compare(lambda u, v, o=opts: dice_ce_loss(u, v, **o),
                 lambda u, v, o=opts: DiceCELoss(**o)(u, v), x, y)
        _compare(lambda u, v, o=opts: dice_ce_loss(u, v, **o),
                 lambda u, v, o=opts: DiceCELoss(**o)(u, v), x, y.long())


@SETTINGS
@given(seed=st.integers(0, 2**16), batch_size=st.integers(0, 3), classes=st.integers(1, 4),
       spatial=st.lists(st.integers(1, 4), min_size=0, max_size=3), act=st.sampled_from(ACTS),
       inc=st.booleans(), onehot_y=st.booleans(), sq=st.booleans(), jac=st.booleans(),
       batch=st.booleans(), red=st.sampled_from(["mean", "sum", "none"]),
       alpha=st.floats(0, 1), beta=st.floats(0, 1))
def test_random(seed, batch_size, classes, spatial, act, inc, onehot_y, sq, jac, batch, red,
                alpha, beta):
    x, idx, onehot = _data(seed, (batch_size, *spatial), classes)
    y = idx if onehot_y and classes > 1 else onehot  # one channel: to_onehot_y is ignored
    opts = dict(include_background=inc, to_onehot_y=onehot_y, batch=batch, reduction=red,
                **_act(act))
    dice = dict(opts, squared_pred=sq, jaccard=jac)
    tol = 1e-6 if sq and onehot_y and classes > 1 else 1e-12
    _compare(lambda a, b: dice_loss(a, b, **dice), lambda a, b: DiceLoss(**dice)(a, b), x, y, tol)
    tv = dict(opts, alpha=alpha, beta=beta)
    _compare(lambda a, b: tversky_loss(a, b, **tv), lambda a, b: TverskyLoss(**tv)(a, b), x, y)
    if red != "none" and act != "none" and batch_size > 0:
        ce = dict(dice, reduction=red)
        _compare(lambda a, b: dice_ce_loss(a, b, **ce), lambda a, b: DiceCELoss(**ce)(a, b),
                 x, y, tol)


def test_no_spatial_axes_pool_everything():
    """(B, C) input: MONAI's reduce_axis is [], and torch.sum(dim=[]) sums ALL axes, so
    DiceLoss is one pooled Dice, a 0-d tensor even with reduction='none' ((C,) with batch)."""
    p = torch.tensor([[0.9, 0.1], [0.2, 0.8]], dtype=D)
    g = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=D)
    for red, batch in itertools.product(("none", "mean", "sum"), (False, True)):
        _check(dice_loss, DiceLoss, p, g, reduction=red, batch=batch)
        _check(tversky_loss, TverskyLoss, p, g, reduction=red, batch=batch)
    none = dice_loss(p, g, reduction="none")
    assert none.shape == () and f"{none:.4f}" == "0.1500"
    assert dice_loss(p, g, reduction="none", batch=True).shape == (2,)


def test_edges():
    # empty batch: mean of nothing is nan in both
    x, idx, onehot = _data(6, (0, 3, 3), 3)
    for red in ("mean", "sum", "none"):
        _compare(lambda a, b, r=red: dice_loss(a, b, to_onehot_y=True, softmax=True, reduction=r),
                 lambda a, b, r=red: DiceLoss(to_onehot_y=True, softmax=True, reduction=r)(a, b),
                 x, idx)
    # no foreground anywhere (all-negative target), with and without smoothing
    x, _, _ = _data(7, (2, 4, 4), 1)
    zeros = torch.zeros_like(x)
    for nr, dr in ((1e-5, 1e-5), (0.0, 1e-5), (1.0, 1.0), (0.0, 0.0)):
        for fn, cls in ((dice_loss, DiceLoss), (tversky_loss, TverskyLoss)):
            _check(fn, cls, x, zeros, sigmoid=True, smooth_nr=nr, smooth_dr=dr)
        # probabilities exactly 0 against an empty target: 0 / 0 without smoothing
        _compare(lambda a, b, n=nr, d=dr: dice_loss(a, b, smooth_nr=n, smooth_dr=d),
                 lambda a, b, n=nr, d=dr: DiceLoss(smooth_nr=n, smooth_dr=d)(a, b), zeros, zeros)
    # +-inf logits through sigmoid and softmax
    x, idx, onehot = _data(8, (2, 3, 3), 3)
    x[0, 0, 0, 0], x[1, 2, 1, 1] = float("inf"), float("-inf")
    for act in ("sigmoid", "softmax"):
        for fn, cls in ((dice_loss, DiceLoss), (tversky_loss, TverskyLoss)):
            _check(fn, cls, x, onehot, **_act(act))
    # one channel: softmax, to_onehot_y and include_background=False are ignored, with warnings
    x, _, _ = _data(9, (2, 3), 1)
    y = (x > 0).to(D)
    for fn, cls in ((dice_loss, DiceLoss), (tversky_loss, TverskyLoss)):
        _check(fn, cls, x, y, softmax=True, to_onehot_y=True, include_background=False)
    # weight is ignored with one class; a 0-d weight is repeated over the classes
    _compare(lambda a, b: dice_loss(a, b, weight=[5.0]), lambda a, b: DiceLoss(weight=[5.0])(a, b),
             x.sigmoid(), y)


def _same_error(ours, theirs, error):
    with pytest.raises(error) as info_theirs:
        theirs()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error) as info_ours:
            ours()
    assert type(info_ours.value) is type(info_theirs.value) is error
    return str(info_ours.value), str(info_theirs.value)


def test_errors():
    x, idx, onehot = _data(10, (2, 3, 3), 3)
    cases = [
        (lambda: dice_loss(x, idx, sigmoid=True, softmax=True),
         lambda: DiceLoss(sigmoid=True, softmax=True)(x, idx), ValueError, True),
        (lambda: dice_loss(x, idx), lambda: DiceLoss()(x, idx), AssertionError, True),
        (lambda: dice_loss(x, idx.squeeze(1), to_onehot_y=True),
         lambda: DiceLoss(to_onehot_y=True)(x, idx.squeeze(1)), AssertionError, True),
        (lambda: dice_loss(x, onehot, weight=[1.0, 2.0]),
         lambda: DiceLoss(weight=[1.0, 2.0])(x, onehot), ValueError, True),
        (lambda: dice_loss(x, onehot, weight=[1.0, -2.0, 1.0]),
         lambda: DiceLoss(weight=[1.0, -2.0, 1.0])(x, onehot), ValueError, True),
        (lambda: dice_loss(x, onehot, reduction="avg"),
         lambda: DiceLoss(reduction="avg")(x, onehot), ValueError, True),
        (lambda: dice_loss(x, idx + 3, to_onehot_y=True),
         lambda: DiceLoss(to_onehot_y=True)(x, idx + 3), RuntimeError, False),
        (lambda: tversky_loss(x, idx), lambda: TverskyLoss()(x, idx), AssertionError, True),
        (lambda: tversky_loss(x, idx, sigmoid=True, softmax=True),
         lambda: TverskyLoss(sigmoid=True, softmax=True)(x, idx), ValueError, True),
        (lambda: dice_ce_loss(x, idx, reduction="none"),
         lambda: DiceCELoss(reduction="none")(x, idx), ValueError, False),  # prints a set
        (lambda: dice_ce_loss(x, idx, lambda_ce=-1.0),
         lambda: DiceCELoss(lambda_ce=-1.0)(x, idx), ValueError, True),
        (lambda: dice_ce_loss(x, idx, lambda_dice=-1.0),
         lambda: DiceCELoss(lambda_dice=-1.0)(x, idx), ValueError, True),
        (lambda: dice_ce_loss(x, idx.squeeze(1)),
         lambda: DiceCELoss()(x, idx.squeeze(1)), ValueError, True),
        (lambda: dice_ce_loss(x, onehot[:, :2]),
         lambda: DiceCELoss()(x, onehot[:, :2]), ValueError, True),
    ]
    for ours, theirs, error, compare_message in cases:
        m_ours, m_theirs = _same_error(ours, theirs, error)
        if compare_message:
            assert m_ours == m_theirs


def test_the_comparison_can_fail():
    """The checks above catch a wrong loss: Dice without the factor 2, and alpha/beta swapped."""
    x, _, onehot = _data(11, (2, 3, 3), 3)
    with pytest.raises(AssertionError):
        _compare(lambda a, b: dice_loss(a, b, softmax=True, smooth_nr=0.0) * 1.0001,
                 lambda a, b: DiceLoss(softmax=True, smooth_nr=0.0)(a, b), x, onehot)
    with pytest.raises(AssertionError):
        _compare(lambda a, b: tversky_loss(a, b, softmax=True, alpha=0.3, beta=0.7),
                 lambda a, b: TverskyLoss(softmax=True, alpha=0.7, beta=0.3)(a, b), x, onehot)
