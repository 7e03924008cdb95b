"""The from-scratch distillation loss (snippets/from_scratch/distillation.py) against the direct
formula of docs/beyond/distillation.md, written with torch's own losses:

    alpha * T**2 * nn.KLDivLoss(reduction, log_target)(log_softmax(z / T), target(v / T))
    + (1 - alpha) * F.cross_entropy(z, y)

with target = softmax, or log_softmax when log_target=True. Values and gradients (student and
teacher logits) in float64, on a grid over T, alpha, reduction, shapes and log_target, and on
hypothesis draws (derandomized, no database). Then the edges: an empty batch, a class masked
(-inf) in the teacher, in both, logits far apart, mixed dtypes, and every rejected argument,
with the exception type of the direct formula where it checks.

Where the direct formula does not check, ours refuses on purpose (the test says so): a 3-d
(N, C, L) input, for which KLDivLoss's 'batchmean' divides by N and cross_entropy's 'mean' by
N * L; a teacher of shape (1, C), which KLDivLoss broadcasts silently; a target of -100, which
cross_entropy ignores (ignore_index) while the KL term keeps the sample.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from snippets.from_scratch import distillation
from snippets.from_scratch.distillation import distillation_loss

DOUBLE = torch.float64
INF = float("inf")
SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=60)


def direct(z, v, y, temperature=4.0, alpha=0.5, reduction="batchmean", log_target=False):
    """The direct formula with torch's losses. 'none': per-sample sums of the KL terms."""
    T = temperature
    target = F.log_softmax(v / T, dim=1) if log_target else F.softmax(v / T, dim=1)
    kl_reduction = "none" if reduction == "none" else reduction
    soft = nn.KLDivLoss(reduction=kl_reduction, log_target=log_target)(
        F.log_softmax(z / T, dim=1), target)
    if reduction == "none":
        soft = soft.sum(dim=1)
    hard = F.cross_entropy(z, y, reduction="mean" if reduction == "batchmean" else reduction)
    return alpha * T**2 * soft + (1 - alpha) * hard


def draw(seed: int, N: int, C: int, scale: float = 3.0):
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(N, C, generator=g, dtype=DOUBLE)
    v = scale * torch.randn(N, C, generator=g, dtype=DOUBLE)
    y = torch.randint(0, C, (N,), generator=g)
    return z, v, y


def values_and_grads(function, z, v, y, **options):
    z, v = z.clone().requires_grad_(), v.clone().requires_grad_()
    out = function(z, v, y, **options)
    if out.numel():
        gz, gv = torch.autograd.grad(out.sum(), (z, v))
    else:
        gz, gv = torch.zeros_like(z), torch.zeros_like(v)
    return out.detach(), gz, gv


def assert_same(z, v, y, log_target=False, teacher_grad=True, rtol=1e-10, atol=1e-12,
                **options):
    """Value, student gradient and (unless teacher_grad=False) teacher gradient agree."""
    ours = values_and_grads(distillation_loss, z, v, y, **options)
    theirs = values_and_grads(direct, z, v, y, log_target=log_target, **options)
    what = ("value", "grad z", "grad v")[:3 if teacher_grad else 2]
    for a, b, name in zip(ours, theirs, what, strict=False):
        assert a.dtype == b.dtype and a.shape == b.shape, (name, a.dtype, b.dtype, a.shape)
        torch.testing.assert_close(a, b, equal_nan=True, rtol=rtol, atol=atol,
                                   msg=lambda m, w=name: f"{w} {options} {log_target}:\n{m}")
    return ours, theirs


# --- the page includes the section verbatim --------------------------------------------------

def test_the_section_runs_on_its_own():
    text = Path(distillation.__file__).read_text(encoding="utf-8")
    (code,) = re.findall(r"^# --8<-- \[start:distillation-loss\]\n(.*?)^# --8<-- \[end:",
                         text, re.S | re.M)
    namespace: dict[str, Any] = {}
    exec("import torch\n" + code, namespace)
    z, v, y = draw(0, 3, 4)
    assert torch.equal(namespace["distillation_loss"](z, v, y), distillation_loss(z, v, y))


# --- values and gradients ------------------------------------------------------------------

@pytest.mark.parametrize("log_target", [False, True])
def test_grid(log_target):
    options = itertools.product((0.5, 1.0, 4.0, 20.0), (0.0, 0.3, 1.0),
                                ("none", "batchmean", "sum"))
    shapes = [(1, 2), (4, 3), (7, 10)]
    for (T, alpha, reduction), (N, C) in itertools.product(options, shapes):
        z, v, y = draw(N * 100 + C, N, C)
        assert_same(z, v, y, log_target, temperature=T, alpha=alpha, reduction=reduction)


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), N=st.integers(1, 9), C=st.integers(1, 12),
       T=st.floats(0.25, 30.0), alpha=st.floats(0.0, 1.0), scale=st.floats(0.0, 20.0),
       reduction=st.sampled_from(("none", "batchmean", "sum")), log_target=st.booleans())
def test_random(seed, N, C, T, alpha, scale, reduction, log_target):
    z, v, y = draw(seed, N, C, scale)
    assert_same(z, v, y, log_target, temperature=T, alpha=alpha, reduction=reduction)


def test_defaults_are_T_4_alpha_half_batchmean():
    z, v, y = draw(1, 5, 6)
    torch.testing.assert_close(distillation_loss(z, v, y), direct(z, v, y, 4.0, 0.5))


def test_soft_cross_entropy_minus_entropy():
    """The soft term is T^2 (H(p, q) - H(p)): cross-entropy with soft targets, minus the
    teacher's entropy, which does not depend on the student: equal student gradients."""
    z, v, y = draw(2, 6, 5)
    T = 3.0
    p = F.softmax(v / T, dim=1)
    entropy = -(p * p.log()).sum(dim=1).mean()

    def soft_ce(z):
        return T**2 * (F.cross_entropy(z / T, p) - entropy)

    a, ga, _ = values_and_grads(lambda z, v, y: distillation_loss(z, v, y, T, 1.0), z, v, y)
    zz = z.clone().requires_grad_()
    b = soft_ce(zz)
    (gb,) = torch.autograd.grad(b, zz)
    torch.testing.assert_close(a, b.detach())
    torch.testing.assert_close(ga, gb)


# --- edges -----------------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", ["none", "batchmean", "sum"])
def test_empty_batch(reduction):
    z, v = torch.zeros(0, 3, dtype=DOUBLE), torch.zeros(0, 3, dtype=DOUBLE)
    y = torch.zeros(0, dtype=torch.long)
    for log_target in (False, True):
        assert_same(z, v, y, log_target, reduction=reduction)
    if reduction == "batchmean":
        assert distillation_loss(z, v, y).isnan()


def test_teacher_masks_a_class():
    """Teacher logit -inf: p = 0 there. log_target=False agrees with ours in value and student
    gradient, but its teacher gradient is nan everywhere (xlogy(p, p) has slope -inf at p = 0);
    log_target=True is nan (exp(-inf) * (-inf - x)). Ours: finite, 0 for the masked logit."""
    z, v, y = draw(3, 4, 5)
    v[:, 2] = -INF
    y[y == 2] = 0
    for reduction in ("none", "batchmean", "sum"):
        (_, _, gv), (_, _, gv_direct) = assert_same(z, v, y, False, teacher_grad=False,
                                                    reduction=reduction)
        assert direct(z, v, y, reduction=reduction, log_target=True).isnan().all()
        assert gv_direct.isnan().all()
        assert gv.isfinite().all() and torch.equal(gv[:, 2], torch.zeros(4, dtype=DOUBLE))
    # The teacher's gradient on the other classes is the one without the masked class:
    keep = [0, 1, 3, 4]
    y_kept = torch.tensor([keep.index(c) for c in y.tolist()])
    _, _, gv_kept = values_and_grads(direct, z[:, keep], v[:, keep], y_kept)
    _, _, gv = values_and_grads(distillation_loss, z, v, y)
    torch.testing.assert_close(gv[:, keep], gv_kept)


def test_both_mask_a_class():
    """Student and teacher both -inf on class 2: the direct formula is nan (0 * -inf) with
    either log_target; ours equals the loss on the other classes, with a 0 gradient there."""
    z, v, y = draw(4, 4, 5)
    y[y == 2] = 1
    z[:, 2] = v[:, 2] = -INF
    keep = [0, 1, 3, 4]
    y_kept = torch.tensor([keep.index(c) for c in y.tolist()])
    for log_target in (False, True):
        assert direct(z, v, y, log_target=log_target).isnan()
    ours = values_and_grads(distillation_loss, z, v, y, temperature=2.0, alpha=0.7)
    kept = values_and_grads(direct, z[:, keep], v[:, keep], y_kept, temperature=2.0, alpha=0.7)
    torch.testing.assert_close(ours[0], kept[0])
    for g_ours, g_kept in zip(ours[1:], kept[1:], strict=True):
        torch.testing.assert_close(g_ours[:, keep], g_kept)
        assert torch.equal(g_ours[:, 2], torch.zeros(4, dtype=DOUBLE))


def test_logits_far_apart():
    """Logits hundreds apart: values and student gradients agree. Where a teacher probability
    underflows to 0, the direct formula's teacher gradient is nan (log_target=False) like a
    masked class; ours stays finite."""
    z, v, y = draw(5, 6, 7)
    (_, _, gv), (_, _, gv_direct) = assert_same(800 * z, 900 * v, y, teacher_grad=False,
                                                temperature=1.0)
    assert gv_direct.isnan().any() and gv.isfinite().all()
    assert_same(800 * z, 900 * v, y, True, temperature=1.0)  # log_target=True: no 0 * log 0
    assert_same(800 * z, 900 * v, y, True, temperature=20.0, alpha=0.9)


def test_mixed_dtypes():
    z, v, y = draw(6, 3, 4)
    assert_same(z, v.float(), y, rtol=1e-6, atol=1e-7)  # the teacher's side in float32
    assert_same(z.float(), v, y, True, rtol=1e-6, atol=1e-7)
    assert_same(z, v, y.to(torch.uint8))


# --- rejected arguments ----------------------------------------------------------------------

z0, v0, y0 = draw(7, 4, 3)
SAME_AS_DIRECT = [  # (student, teacher, target, exception the direct formula raises too)
    (z0, torch.zeros(4, 5, dtype=DOUBLE), y0, RuntimeError),
    (z0.long(), v0.long(), y0, NotImplementedError),
    (z0, v0, y0.double(), RuntimeError),
    (z0, v0, y0[:3], ValueError),
    (z0, v0, y0[:, None], RuntimeError),
    (z0, v0, torch.tensor([0, 1, 3, 0]), IndexError),
    (z0, v0, torch.tensor([0, -1, 2, 0]), IndexError),
]


@pytest.mark.parametrize("z, v, y, error", SAME_AS_DIRECT)
def test_rejected_like_the_direct_formula(z, v, y, error):
    for function in (direct, distillation_loss):
        with pytest.raises(error) as info:
            function(z, v, y)
        assert type(info.value) is error, (function, info.value)


def test_rejected_where_the_direct_formula_does_not_check():
    # (N, C, L): the direct formula runs, but its two means divide by N and by N * L.
    z, v = torch.randn(2, 3, 5, dtype=DOUBLE), torch.randn(2, 3, 5, dtype=DOUBLE)
    y = torch.zeros(2, 5, dtype=torch.long)
    soft = nn.KLDivLoss(reduction="batchmean")(F.log_softmax(z, 1), F.softmax(v, 1))
    summed = nn.KLDivLoss(reduction="sum")(F.log_softmax(z, 1), F.softmax(v, 1))
    torch.testing.assert_close(soft, summed / 2)
    direct(z, v, y)
    with pytest.raises(ValueError, match="flatten tokens"):
        distillation_loss(z, v, y)
    # A (1, C) teacher broadcasts in KLDivLoss, without a word:
    direct(z0, v0[:1], y0)
    with pytest.raises(RuntimeError, match="same shape"):
        distillation_loss(z0, v0[:1], y0)
    # -100 is cross_entropy's ignore_index: it drops the sample from the hard term only.
    y_pad = y0.clone()
    y_pad[0] = -100
    assert direct(z0, v0, y_pad).isfinite()
    with pytest.raises(IndexError, match="-100"):
        distillation_loss(z0, v0, y_pad)
    # 1-d logits: the direct formula fails on dim=1 (IndexError), ours says what it expects.
    with pytest.raises(IndexError):
        direct(z0[0], v0[0], y0[0])
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        distillation_loss(z0[0], v0[0], y0[0])


@pytest.mark.parametrize("options, message", [
    ({"reduction": "mean"}, "use 'batchmean'"),
    ({"reduction": "elementwise"}, "not a valid value"),
    ({"temperature": 0.0}, "temperature must be positive"),
    ({"temperature": -2.0}, "temperature must be positive"),
    ({"alpha": 1.5}, r"alpha must be in \[0, 1\]"),
    ({"alpha": -0.1}, r"alpha must be in \[0, 1\]"),
])
def test_rejected_options(options, message):
    with pytest.raises(ValueError, match=message):
        distillation_loss(z0, v0, y0, **options)


# --- the checks can fail ---------------------------------------------------------------------

def test_the_comparison_catches_a_wrong_loss(monkeypatch):
    """Forgetting T^2, or 'mean' for 'batchmean', must fail assert_same."""
    z, v, y = draw(8, 4, 5)

    def no_t_squared(z, v, y, temperature=4.0, alpha=0.5, reduction="batchmean"):
        T = temperature
        return (direct(z, v, y, T, alpha, reduction)
                - alpha * (T**2 - 1) * direct(z, v, y, T, 1.0, reduction) / T**2)

    def class_mean(z, v, y, temperature=4.0, alpha=0.5, reduction="batchmean"):
        return direct(z, v, y, temperature, alpha, reduction) - alpha * temperature**2 * (
            1 - 1 / z.shape[1]) * direct(z, v, y, temperature, 1.0, reduction) / temperature**2

    for wrong in (no_t_squared, class_mean):
        monkeypatch.setattr(f"{__name__}.distillation_loss", wrong)
        with pytest.raises(AssertionError):
            assert_same(z, v, y)
