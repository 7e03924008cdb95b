"""The from-scratch contrastive losses (snippets/from_scratch/contrastive.py) against their
references, values and gradients in float64:
- nt_xent_loss and supcon_loss against pytorch_metric_learning's NTXentLoss and SupConLoss
  (embeddings + labels, default cosine similarity and reducers), by hypothesis over batch size,
  dimension, number of classes, temperature and zero rows, and at the edges (empty batch,
  one sample, every label distinct = no positive pair, one label = no negative, labels of the
  wrong length or rank, integer embeddings);
- info_nce_loss against F.cross_entropy(q @ k.T / t, arange(N)), a grid over reductions, extra
  keys, temperatures, and the edges (empty batch, fewer keys than queries, an infinite entry,
  a wrong reduction);
- clip_loss against the two-cross-entropy formula (open_clip's ClipLoss on one process).
Tensors come from a torch.Generator seeded by a drawn integer; derandomize=True, database=None.
The last tests show that the comparison fails on wrong code.
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
from pytorch_metric_learning import losses as pml

from snippets.from_scratch import contrastive

DOUBLE = torch.float64
SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=40)
TEMPERATURES = (0.05, 0.07, 0.1, 0.5, 1.0)
SECTIONS = ("info-nce", "pairs", "nt-xent", "supcon", "clip")


def randn(shape, seed: int) -> torch.Tensor:
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=DOUBLE)


def value_and_grads(function, tensors, *rest):
    leaves = [t.detach().clone().requires_grad_() for t in tensors]
    loss = function(*leaves, *rest)
    grads = torch.autograd.grad(loss.sum(), leaves, allow_unused=True)
    return loss.detach(), [torch.zeros_like(t) if g is None else g
                           for t, g in zip(leaves, grads, strict=True)]


def assert_same(ours, theirs, tensors, *rest, atol=1e-12):
    value, grads = value_and_grads(ours, tensors, *rest)
    ref_value, ref_grads = value_and_grads(theirs, tensors, *rest)
    assert value.dtype == ref_value.dtype and value.shape == ref_value.shape
    torch.testing.assert_close(value, ref_value, rtol=1e-12, atol=atol, equal_nan=True)
    for g, ref_g in zip(grads, ref_grads, strict=True):
        torch.testing.assert_close(g, ref_g, rtol=1e-9, atol=1e-10, equal_nan=True)


def pml_loss(name):
    cls = {"nt_xent_loss": pml.NTXentLoss, "supcon_loss": pml.SupConLoss}[name]
    return lambda embeddings, labels, temperature: cls(temperature=temperature)(embeddings, labels)


def test_each_section_runs_with_the_sections_before_it():
    """The page shows these sections verbatim: with `import torch` and the sections above
    them, each defines its function, equal to the module's."""
    text = Path(contrastive.__file__).read_text(encoding="utf-8")
    sections = dict(re.findall(r"^# --8<-- \[start:([\w-]+)\]\n(.*?)^# --8<-- \[end:\1\]$",
                               text, re.S | re.M))
    assert list(sections) == list(SECTIONS)
    namespace: dict[str, Any] = {}
    exec("import torch\n" + "".join(sections.values()), namespace)
    x, y = randn((6, 3), 0), torch.tensor([0, 1, 2, 0, 1, 2])
    for name in ("nt_xent_loss", "supcon_loss"):
        assert torch.equal(namespace[name](x, y, 0.5), getattr(contrastive, name)(x, y, 0.5))
    assert torch.equal(namespace["info_nce_loss"](x, x), contrastive.info_nce_loss(x, x))
    assert torch.equal(namespace["clip_loss"](x, x, 3.0), contrastive.clip_loss(x, x, 3.0))


# --- NT-Xent and SupCon against pytorch_metric_learning --------------------------------------

@SETTINGS
@given(name=st.sampled_from(("nt_xent_loss", "supcon_loss")), n=st.integers(0, 10),
       d=st.integers(2, 5), classes=st.integers(1, 5), temperature=st.sampled_from(TEMPERATURES),
       zero_row=st.booleans(), seed=st.integers(0, 2**31 - 1))
def test_same_as_pytorch_metric_learning(name, n, d, classes, temperature, zero_row, seed):
    x = 3 * randn((n, d), seed)
    if zero_row and n:
        x[0] = 0  # F.normalize's eps: a zero vector, cosine 0 with everything
    labels = torch.randint(0, classes, (n,), generator=torch.Generator().manual_seed(seed + 1))
    assert_same(getattr(contrastive, name), pml_loss(name), [x], labels, temperature)


def test_two_views_one_label_per_image():
    """SimCLR's setting: every label twice; NT-Xent is then SupCon (one positive each)."""
    x, labels = randn((8, 4), 3), torch.arange(4).repeat(2)
    for name in ("nt_xent_loss", "supcon_loss"):
        assert_same(getattr(contrastive, name), pml_loss(name), [x], labels, 0.5)
    torch.testing.assert_close(contrastive.nt_xent_loss(x, labels, 0.5),
                               contrastive.supcon_loss(x, labels, 0.5), rtol=1e-12, atol=0)


@pytest.mark.parametrize("name", ["nt_xent_loss", "supcon_loss"])
@pytest.mark.parametrize("labels", [torch.zeros(0, dtype=torch.long), torch.tensor([3]),
                                    torch.arange(5), torch.zeros(5, dtype=torch.long),
                                    torch.tensor([1, 1, 2])])
def test_edges(name, labels):
    """Empty batch, one sample, no positive pair, no negative, one positive pair: a zero with
    zero gradients where the library gives one, the same loss otherwise."""
    x = randn((len(labels), 3), 4)
    assert_same(getattr(contrastive, name), pml_loss(name), [x], labels, 0.1)


@pytest.mark.parametrize("name", ["nt_xent_loss", "supcon_loss"])
@pytest.mark.parametrize("embeddings, labels, error", [
    (torch.zeros(4, 3, dtype=DOUBLE), torch.arange(2), ValueError),        # one label per image
    (torch.zeros(4, 3, dtype=DOUBLE), torch.arange(4)[:, None], ValueError),  # (N, 1) labels
    (torch.ones(4, 3, dtype=torch.long), torch.tensor([0, 0, 1, 1]), RuntimeError),
])
def test_same_errors(name, embeddings, labels, error):
    raised = []
    for function in (getattr(contrastive, name), pml_loss(name)):
        with pytest.raises(error) as info:
            function(embeddings, labels, 0.1)
        assert type(info.value) is error
        raised.append(str(info.value))
    assert raised[0] == raised[1]


# --- InfoNCE against cross-entropy ------------------------------------------------------------

def info_nce_reference(query, key, temperature=0.1, reduction="mean"):
    return F.cross_entropy(query @ key.T / temperature, torch.arange(query.shape[0]),
                           reduction=reduction)


@pytest.mark.parametrize("n, extra, temperature, reduction",
                         list(itertools.product((1, 4), (0, 3), (0.07, 1.0),
                                                ("none", "mean", "sum"))))
def test_info_nce_is_cross_entropy(n, extra, temperature, reduction):
    q, k = randn((n, 5), n), randn((n + extra, 5), extra + 10)
    assert_same(contrastive.info_nce_loss, info_nce_reference, [q, k], temperature, reduction)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_info_nce_empty_batch(reduction):
    q, k = randn((0, 3), 0), randn((2, 3), 1)  # no query; mean of nothing is nan
    assert_same(contrastive.info_nce_loss, info_nce_reference, [q, k], 0.1, reduction)


def test_info_nce_infinite_entry():
    q, k = randn((3, 2), 5), randn((3, 2), 6)
    q[1, 0] = float("inf")
    torch.testing.assert_close(contrastive.info_nce_loss(q, k, 0.1, "none"),
                               info_nce_reference(q, k, 0.1, "none"), equal_nan=True)


@pytest.mark.parametrize("query, key, reduction, error", [
    (randn((4, 3), 0), randn((3, 3), 1), "mean", IndexError),  # fewer keys than queries
    (randn((2, 3), 0), randn((2, 3), 1), "bad", ValueError),
    (randn((2, 3), 0), randn((2, 4), 1), "mean", RuntimeError),  # dimensions differ
])
def test_info_nce_same_errors(query, key, reduction, error):
    raised = []
    for function in (contrastive.info_nce_loss, info_nce_reference):
        with pytest.raises(error) as info:
            function(query, key, 0.1, reduction)
        assert type(info.value) is error
        raised.append(str(info.value))
    assert raised[0] == raised[1]


# --- CLIP against the two cross-entropies -----------------------------------------------------

def clip_reference(image_features, text_features, logit_scale):
    logits_per_image = logit_scale * image_features @ text_features.T
    labels = torch.arange(image_features.shape[0])
    return (F.cross_entropy(logits_per_image, labels)
            + F.cross_entropy(logits_per_image.T, labels)) / 2


@SETTINGS
@given(n=st.integers(0, 8), d=st.integers(1, 6), log_scale=st.floats(0.0, 4.6052),
       seed=st.integers(0, 2**31 - 1))
def test_clip_is_two_cross_entropies(n, d, log_scale, seed):
    image = F.normalize(randn((n, d), seed), dim=1)
    text = F.normalize(randn((n, d), seed + 1), dim=1)
    scale = torch.tensor(log_scale, dtype=DOUBLE).exp()
    assert_same(contrastive.clip_loss, clip_reference, [image, text, scale])


def test_clip_batch_sizes_must_agree():
    image, text = randn((3, 2), 0), randn((4, 2), 1)
    with pytest.raises(ValueError, match="same batch size, got 3 and 4"):
        contrastive.clip_loss(image, text, 1.0)
    with pytest.raises((ValueError, IndexError)):  # the formula fails too, by accident
        clip_reference(image, text, 1.0)


# --- the comparisons can fail -----------------------------------------------------------------

def all_others_nt_xent(embeddings, labels, temperature=0.07):
    """SimCLR's denominator (every other sample) with several positives: not PML's loss."""
    z = F.normalize(embeddings, dim=1)
    eye = torch.eye(len(labels), dtype=torch.bool)
    s = (z @ z.T / temperature).masked_fill(eye, float("-inf"))
    a, p = ((labels[:, None] == labels[None, :]) & ~eye).nonzero(as_tuple=True)
    return (torch.logsumexp(s[a], dim=1) - s[a, p]).mean()


def test_comparison_catches_a_wrong_loss():
    x, labels = randn((6, 3), 7), torch.tensor([0, 0, 0, 1, 1, 2])
    with pytest.raises(AssertionError):
        assert_same(all_others_nt_xent, pml_loss("nt_xent_loss"), [x], labels, 0.5)
    with pytest.raises(AssertionError):  # SupCon averaged over every anchor, singletons too
        assert_same(lambda e, y, t: contrastive.supcon_loss(e, y, t) * 5 / 6,
                    pml_loss("supcon_loss"), [x], labels, 0.5)


def test_gradient_comparison_catches_a_detached_term():
    image, text = F.normalize(randn((4, 3), 8), dim=1), F.normalize(randn((4, 3), 9), dim=1)

    def detached_text(i, t, s):
        return contrastive.clip_loss(i, t.detach() + 0 * t, s)

    with pytest.raises(AssertionError):
        assert_same(detached_text, clip_reference, [image, text, torch.tensor(10.0, dtype=DOUBLE)])
