"""The from-scratch margin softmax losses (snippets/from_scratch/margin_softmax.py: cosface_loss,
arcface_loss) against pytorch_metric_learning's CosFaceLoss and ArcFaceLoss (2.9.0).

PML keeps the class centres as ``W`` of shape (D, C); ours take ``weight`` of shape (C, D),
so every comparison sets ``W = weight.T``. PML's ArcFace margin is in degrees, ours in
radians: the comparisons pass ``math.degrees(margin)`` to PML. PML's reducers stand for our
``reduction``: MeanReducer (its default) = 'mean', SumReducer = 'sum', DoNothingReducer =
'none'. Values and gradients (embeddings and weight) in float64: hypothesis over shapes,
margins (ArcFace's up to 3 rad, so that many samples fall beyond pi - m, where both switch
to cos(theta) - m sin(m)), scales and reductions; then the edges (empty batch, a zero
embedding, an embedding exactly on its centre, where acos' has an infinite derivative and
both give nan gradients) and the errors, with PML's exception types and messages.
Targets are single class indices, so "all-negative targets" and infinite logits have no
meaning here (the logits are bounded by the scale).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from pytorch_metric_learning import losses as pml_losses
from pytorch_metric_learning import reducers

from snippets.from_scratch import margin_softmax
from snippets.from_scratch.margin_softmax import arcface_loss, cosface_loss

DOUBLE = torch.float64
SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=60)
REDUCERS = {"mean": reducers.MeanReducer, "sum": reducers.SumReducer,
            "none": reducers.DoNothingReducer}


def pml_loss(kind: str, weight: torch.Tensor, margin: float, scale: float,
             reduction: str = "mean"):
    """The PML loss object with our weight (transposed) and our margin in its unit."""
    C, D = weight.shape
    if kind == "arcface":
        loss = pml_losses.ArcFaceLoss(C, D, margin=math.degrees(margin), scale=scale,
                                      reducer=REDUCERS[reduction]())
    else:
        loss = pml_losses.CosFaceLoss(C, D, margin=margin, scale=scale,
                                      reducer=REDUCERS[reduction]())
    loss.W.data = weight.detach().T.clone()
    return loss


def run_pml(kind, embeddings, labels, weight, margin, scale, reduction="mean"):
    loss = pml_loss(kind, weight, margin, scale, reduction)
    out = loss(embeddings, labels)
    if reduction == "none":
        out = out["loss"]["losses"]
    return out, loss


OURS = {"arcface": arcface_loss, "cosface": cosface_loss}


def compare(kind, embeddings, labels, weight, margin, scale, reduction="mean", grads=True):
    """Values (and gradients of the sum of the output) of ours and PML's, float64."""
    x1 = embeddings.clone().requires_grad_()
    w1 = weight.clone().requires_grad_()
    x2 = embeddings.clone().requires_grad_()
    ours = OURS[kind](x1, labels, w1, margin=margin, scale=scale, reduction=reduction)
    theirs, module = run_pml(kind, x2, labels, weight, margin, scale, reduction)
    torch.testing.assert_close(ours, theirs, rtol=1e-10, atol=1e-10, equal_nan=True)
    if grads and ours.numel():
        ours.sum().backward()
        theirs.sum().backward()
        torch.testing.assert_close(x1.grad, x2.grad, rtol=1e-9, atol=1e-9, equal_nan=True)
        torch.testing.assert_close(w1.grad, module.W.grad.T, rtol=1e-9, atol=1e-9,
                                   equal_nan=True)


def random_batch(seed, N, D, C):
    g = torch.Generator().manual_seed(seed)
    embeddings = torch.randn(N, D, generator=g, dtype=DOUBLE) * 3
    weight = torch.randn(C, D, generator=g, dtype=DOUBLE)
    labels = torch.randint(0, C, (N,), generator=g)
    return embeddings, labels, weight


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), N=st.integers(1, 8), D=st.integers(1, 6),
       C=st.integers(1, 6), margin=st.floats(0.0, 3.0), scale=st.sampled_from([1.0, 30.0, 64.0]),
       reduction=st.sampled_from(["mean", "sum", "none"]))
def test_arcface_matches_pml(seed, N, D, C, margin, scale, reduction):
    compare("arcface", *random_batch(seed, N, D, C), margin, scale, reduction)


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), N=st.integers(1, 8), D=st.integers(1, 6),
       C=st.integers(1, 6), margin=st.floats(-0.5, 1.5), scale=st.sampled_from([1.0, 30.0, 64.0]),
       reduction=st.sampled_from(["mean", "sum", "none"]))
def test_cosface_matches_pml(seed, N, D, C, margin, scale, reduction):
    compare("cosface", *random_batch(seed, N, D, C), margin, scale, reduction)


def test_beyond_pi_minus_m_is_exercised():
    """With m = 2.5 rad, pi - m is 37 degrees: most random samples are beyond it, and the
    comparison above then covers PML's second branch."""
    embeddings, labels, weight = random_batch(3, 64, 4, 5)
    cos = torch.nn.functional.normalize(embeddings) @ torch.nn.functional.normalize(weight).T
    theta_y = torch.acos(cos[torch.arange(64), labels])
    assert (theta_y > math.pi - 2.5).float().mean() > 0.5
    compare("arcface", embeddings, labels, weight, 2.5, 64.0, "none")


def test_defaults():
    """CosFace's defaults are PML's (0.35, 64); ArcFace's margin is 0.5 rad, PML's 28.6 degrees
    (0.4992 rad), so ours equals PML's default only with margin=radians(28.6)."""
    embeddings, labels, weight = random_batch(0, 6, 5, 4)
    pml = pml_losses.CosFaceLoss(4, 5)
    pml.W.data = weight.T.clone()
    torch.testing.assert_close(cosface_loss(embeddings, labels, weight), pml(embeddings, labels))
    pml = pml_losses.ArcFaceLoss(4, 5)
    pml.W.data = weight.T.clone()
    assert pml.scale == 64 and abs(pml.margin - math.radians(28.6)) < 1e-15
    torch.testing.assert_close(arcface_loss(embeddings, labels, weight, margin=math.radians(28.6)),
                               pml(embeddings, labels))
    assert not torch.allclose(arcface_loss(embeddings, labels, weight), pml(embeddings, labels))


def test_float32_close_to_pml():
    embeddings, labels, weight = random_batch(5, 8, 6, 5)
    for kind in OURS:
        ours = OURS[kind](embeddings.float(), labels, weight.float(), 0.4, 64.0, "none")
        theirs, _ = run_pml(kind, embeddings.float(), labels, weight.float(), 0.4, 64.0, "none")
        assert ours.dtype == theirs.dtype == torch.float32
        torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kind", OURS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_empty_batch(kind, reduction):
    """No samples: 'mean' is nan (a mean of nothing), 'sum' 0, 'none' empty, in both; the
    gradient of the weight is zero."""
    embeddings = torch.zeros(0, 3, dtype=DOUBLE)
    labels = torch.zeros(0, dtype=torch.long)
    weight = torch.randn(4, 3, generator=torch.Generator().manual_seed(0), dtype=DOUBLE)
    compare(kind, embeddings, labels, weight, 0.3, 64.0, reduction)
    w = weight.clone().requires_grad_()
    out = OURS[kind](embeddings, labels, w, 0.3, 64.0, reduction)
    if reduction == "mean":
        assert out.isnan()
    if reduction == "sum":
        out.backward()
        assert (w.grad == 0).all()


@pytest.mark.parametrize("kind", OURS)
def test_zero_embedding(kind):
    """A zero embedding has cosine 0 with every centre (the norm is clamped at 1e-12)."""
    embeddings, labels, weight = random_batch(1, 4, 3, 3)
    embeddings[1] = 0
    compare(kind, embeddings, labels, weight, 0.3, 64.0, "none")


def test_embedding_on_its_centre():
    """cos theta_y == 1 exactly: acos has derivative -inf there, and the chain rule gives
    inf * 0 = nan. PML's ArcFace and ours both give nan gradients; CosFace has no acos."""
    weight = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=DOUBLE)
    embeddings = torch.tensor([[2.0, 0.0]], dtype=DOUBLE)
    labels = torch.tensor([0])
    compare("arcface", embeddings, labels, weight, 0.5, 64.0)
    x = embeddings.clone().requires_grad_()
    arcface_loss(x, labels, weight).backward()
    assert x.grad.isnan().all()
    x = embeddings.clone().requires_grad_()
    cosface_loss(x, labels, weight).backward()
    assert x.grad.isfinite().all()


ERRORS = [
    ("labels of another length", lambda x, y, w: (x, y[:-1], w), ValueError),
    ("labels 2-D", lambda x, y, w: (x, y[:, None], w), ValueError),
    ("embeddings 3-D", lambda x, y, w: (x[:, :, None], y, w), ValueError),
    ("label >= C", lambda x, y, w: (x, torch.tensor([0, 1, 3]), w), IndexError),
    ("label < -C", lambda x, y, w: (x, torch.tensor([0, 1, -4]), w), IndexError),
    ("label -1", lambda x, y, w: (x, torch.tensor([0, 1, -1]), w), IndexError),
    ("float labels", lambda x, y, w: (x, y.double(), w), IndexError),
    ("D differs", lambda x, y, w: (x[:, :2], y, w), RuntimeError),
]


@pytest.mark.parametrize("kind", OURS)
@pytest.mark.parametrize(("what", "make", "error"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(kind, what, make, error):
    """The same exception type, with the same message, as PML."""
    embeddings, labels, weight = make(*random_batch(2, 3, 4, 3))
    with pytest.raises(error) as theirs:
        run_pml(kind, embeddings, labels, weight, 0.3, 64.0)
    with pytest.raises(error) as ours:
        OURS[kind](embeddings, labels, weight, 0.3, 64.0)
    assert type(ours.value) is type(theirs.value) is error
    assert str(ours.value) == str(theirs.value)


def test_each_section_runs_with_the_page_setup():
    """The page includes the three sections verbatim after its set-up (math, torch, F)."""
    text = Path(margin_softmax.__file__).read_text(encoding="utf-8")
    sections = re.findall(r"^# --8<-- \[start:([\w-]+)\]\n(.*?)^# --8<-- \[end:\1\]$",
                          text, re.S | re.M)
    assert [name for name, _ in sections] == ["cosine-logits", "cosface-loss", "arcface-loss"]
    namespace = {}
    exec("import math\nimport torch\nimport torch.nn.functional as F\n"
         + "".join(body for _, body in sections), namespace)
    embeddings, labels, weight = random_batch(4, 5, 3, 4)
    for kind in OURS:
        torch.testing.assert_close(namespace[f"{kind}_loss"](embeddings, labels, weight),
                                   OURS[kind](embeddings, labels, weight))


def test_comparison_catches_a_wrong_margin():
    """Can it fail: the margin on every class (a common mistake), and ArcFace's margin in
    degrees, are both caught by compare()."""
    embeddings, labels, weight = random_batch(6, 6, 4, 3)

    def every_class(x, y, w, margin, scale, reduction):
        cos = torch.nn.functional.normalize(x) @ torch.nn.functional.normalize(w).T
        return torch.nn.functional.cross_entropy(scale * (cos - margin), y, reduction=reduction)

    original = OURS["cosface"]
    OURS["cosface"] = every_class
    try:
        with pytest.raises(AssertionError):
            compare("cosface", embeddings, labels, weight, 0.35, 64.0)
    finally:
        OURS["cosface"] = original
    with pytest.raises(AssertionError):
        torch.testing.assert_close(arcface_loss(embeddings, labels, weight, margin=0.5),
                                   run_pml("arcface", embeddings, labels, weight,
                                           math.radians(0.5), 64.0)[0])
