"""Margin-based softmax losses from scratch: CosFace (AM-Softmax) and ArcFace.

``cosface_loss(embeddings, labels, weight, margin, scale, reduction)`` and
``arcface_loss(...)`` take the arguments of pytorch_metric_learning's
``CosFaceLoss.forward`` / ``ArcFaceLoss.forward`` (embeddings of shape (N, D), labels of
shape (N,)) plus what those classes keep as attributes: ``weight`` is the (C, D) matrix
of class centres, one row per class (the layout of ``nn.Linear.weight``; PML stores its
transpose, ``loss_fn.W``, of shape (D, C)), ``margin`` and ``scale``. ArcFace's margin is
in RADIANS here, as in the paper and insightface; PML's is in degrees. ``reduction`` is
torch's: PML's default MeanReducer is ``'mean'``.

Both normalise the rows of ``embeddings`` and ``weight`` (x / max(||x||, 1e-12), as
``F.normalize``), put the margin on the target class only, multiply by ``scale`` and hand
the logits to torch's cross-entropy (its from-scratch version is on the CrossEntropyLoss
page). Labels are checked the way PML meets them: a float label or one >= C fails with
the IndexError of the indexing that builds the target mask, a label < 0 (but >= -C) with
cross_entropy's IndexError. tests/test_from_scratch_margin_softmax.py checks values,
gradients and those errors against PML 2.9.0 in float64.

The ``# --8<--`` markers cut the sections that docs/beyond/margin_softmax.md includes.
"""

import math

import torch
import torch.nn.functional as F


# --8<-- [start:cosine-logits]
def _normalize_rows(x: torch.Tensor) -> torch.Tensor:
    """x / ||x|| row by row; a zero row stays zero (the norm is clamped at 1e-12)."""
    return x / torch.linalg.vector_norm(x, dim=1, keepdim=True).clamp(min=1e-12)


def _cosines_and_target(embeddings: torch.Tensor, labels: torch.Tensor,
                        weight: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """cos(theta_{n,j}) for every sample n and class j, shape (N, C), and the boolean
    mask of the target entries, j == y_n (one True per row)."""
    if embeddings.shape[0] != labels.shape[0]:
        raise ValueError("Number of embeddings must equal number of labels")
    if labels.dim() != 1:
        raise ValueError("labels must be a 1D tensor of shape (batch_size,)")
    N, C = labels.shape[0], weight.shape[0]
    is_target = torch.zeros(N, C, dtype=torch.bool, device=embeddings.device)
    is_target[torch.arange(N, device=embeddings.device), labels] = True
    if embeddings.dim() != 2:
        raise ValueError("embeddings must be a 2D tensor of shape (batch_size, embedding_size)")
    cos = _normalize_rows(embeddings) @ _normalize_rows(weight).T
    return cos, is_target
# --8<-- [end:cosine-logits]


# --8<-- [start:cosface-loss]
def cosface_loss(embeddings: torch.Tensor, labels: torch.Tensor, weight: torch.Tensor,
                 margin: float = 0.35, scale: float = 64.0,
                 reduction: str = "mean") -> torch.Tensor:
    """CosFace / AM-Softmax: cross-entropy over the logits s (cos theta_j - m [j = y]).

    embeddings (N, D); labels (N,) class indices; weight (C, D), the class centres, one
    row per class. margin m is a difference of cosines; scale s multiplies every logit.
    """
    cos, is_target = _cosines_and_target(embeddings, labels, weight)
    # is_target as cos's dtype: margin * a bool tensor would be float32, m rounded to float32
    logits = scale * (cos - margin * is_target.to(cos.dtype))
    return F.cross_entropy(logits, labels, reduction=reduction)
# --8<-- [end:cosface-loss]


# --8<-- [start:arcface-loss]
def arcface_loss(embeddings: torch.Tensor, labels: torch.Tensor, weight: torch.Tensor,
                 margin: float = 0.5, scale: float = 64.0,
                 reduction: str = "mean") -> torch.Tensor:
    """ArcFace: the target logit is s cos(theta_y + m), the others s cos(theta_j).

    The same arguments as cosface_loss; margin m is an angle in RADIANS. Where
    theta_y + m would pass pi, cos(theta_y + m) would grow again as theta_y grows, so
    for theta_y > pi - m the target logit is s (cos theta_y - m sin m) instead (insightface's
    `th`/`mm` trick, which PML's ArcFaceLoss also uses).
    """
    cos, is_target = _cosines_and_target(embeddings, labels, weight)
    cos_y = cos[is_target]  # (N,): the target cosine of each sample
    theta_y = torch.acos(cos_y.clamp(-1, 1))
    target = torch.where(theta_y <= math.pi - margin,
                         torch.cos(theta_y + margin),
                         cos_y - margin * math.sin(margin))
    logits = scale * torch.where(is_target, target.unsqueeze(1), cos)
    return F.cross_entropy(logits, labels, reduction=reduction)
# --8<-- [end:arcface-loss]
