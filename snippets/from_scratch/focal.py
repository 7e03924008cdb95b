"""Focal losses from scratch (Lin et al. 2017), for docs/beyond/focal.md.

sigmoid_focal_loss has the public signature and semantics of
``torchvision.ops.sigmoid_focal_loss`` (torchvision/ops/focal_loss.py): alpha weights the
positive term and 1 - alpha the negative one, alpha = -1 switches that weighting off, and
the default reduction is 'none'. Like torchvision, it takes -log p_t from torch's fused
F.binary_cross_entropy_with_logits, so it has the same values (nan for an infinite logit
with its own label), the same gradients and the same shape and dtype errors.

focal_loss has the signature and semantics of ``kornia.losses.focal_loss``
(kornia/losses/focal.py, kornia 0.9.0): softmax over dim 1, class indices as target,
alpha weights class 0 by 1 - alpha and every other class by alpha, 'none' returns the
(B, C, *) map whose only non-zero slice is the target class, and 'mean' divides by every
element of that map (C times the number of positions). Where p_{n,y_n} rounds to 1, the
modulating factor's value comes from a detached copy, as in kornia, so that gamma < 1 gives
a finite gradient there (torchvision's sigmoid form, and so sigmoid_focal_loss, gives nan).

No third-party library is imported here; tests/test_from_scratch_focal.py compares both
functions with kornia and MONAI. The ``# --8<--`` markers cut sections that the page
includes.
"""

import torch
import torch.nn.functional as F


# --8<-- [start:sigmoid-focal-loss]
def sigmoid_focal_loss(
    inputs: torch.Tensor,
    targets: torch.Tensor,
    alpha: float = 0.25,
    gamma: float = 2.0,
    reduction: str = "none",
) -> torch.Tensor:
    """l_n = -alpha_t (1 - p_t)^gamma log p_t, with p = sigmoid(x_n),
    p_t = p y_n + (1 - p)(1 - y_n) and alpha_t = alpha y_n + (1 - alpha)(1 - y_n).

    inputs: logits of any shape; targets: floats in [0, 1] of the same shape.
    alpha = -1: no alpha weighting. reduction: 'none' (default), 'mean' or 'sum'.
    """
    if not (0 <= alpha <= 1) and alpha != -1:
        raise ValueError(f"Invalid alpha value: {alpha}. "
                         "alpha must be in the range [0,1] or -1 for ignore.")
    x, y = inputs, targets
    # -log p_t is the binary cross-entropy; torch's fused version never takes log(0),
    # and checks the shapes and dtypes (a float target of the input's shape).
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p = torch.sigmoid(x)
    p_t = p * y + (1 - p) * (1 - y)
    l = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        alpha_t = alpha * y + (1 - alpha) * (1 - y)
        l = alpha_t * l
    if reduction == "none":
        return l
    if reduction == "mean":
        return l.mean()
    if reduction == "sum":
        return l.sum()
    raise ValueError(f"Invalid Value for arg 'reduction': '{reduction} \n "
                     "Supported reduction modes: 'none', 'mean', 'sum'")
# --8<-- [end:sigmoid-focal-loss]


# --8<-- [start:softmax-focal-loss]
def focal_loss(
    pred: torch.Tensor,
    target: torch.Tensor,
    alpha: float | None,
    gamma: float = 2.0,
    reduction: str = "none",
    weight: torch.Tensor | None = None,
    ignore_index: int | None = -100,
) -> torch.Tensor:
    """l_{n,c} = -alpha_c w_c (1 - p_{n,y_n})^gamma log p_{n,y_n} for c = y_n, else 0,
    with p = softmax(pred, dim=1), alpha_0 = 1 - alpha and alpha_c = alpha for c >= 1
    (all 1 if alpha is None), w = weight (all 1 if None).

    pred: logits (B, C, *); target: class indices (B, *); ignore_index: 0 everywhere.
    Returns (B, C, *) for 'none'; 'mean' divides the sum by B * C * (positions).
    """
    if pred.dim() < 2:
        raise ValueError(f"Expected pred of shape (B, C, *), got {list(pred.shape)}")
    if target.shape != pred.shape[:1] + pred.shape[2:]:
        raise ValueError(f"Expected target size {pred.shape[:1] + pred.shape[2:]}, "
                         f"got {target.shape}")
    C = pred.shape[1]
    keep = torch.ones_like(target, dtype=torch.bool) if ignore_index is None \
        else target != ignore_index
    y = torch.where(keep, target, 0)  # an ignored position gets class 0, then weight 0
    y_one_hot = F.one_hot(y, C).movedim(-1, 1).to(pred.dtype) * keep.unsqueeze(1)
    # An ignored position's logits are set to 0: a -inf there must not make a nan.
    log_p = torch.where(keep.unsqueeze(1), pred, 0).log_softmax(dim=1)
    log_p = torch.where(y_one_hot == 1, log_p, 0)  # log p_{n,y_n} in the target slice
    # For 0 < gamma < 1, u ** gamma has an infinite slope at u = 0: where p rounds to 1,
    # take the factor's value from a detached copy (as kornia does) instead of inf * 0 = nan.
    u = 1 - log_p.exp()
    saturated = u == 0
    factor = torch.where(saturated, u.detach() ** gamma, u.masked_fill(saturated, 1.0) ** gamma)
    l = -factor * log_p * y_one_hot
    shape = [-1] + [1] * (pred.dim() - 2)  # (C, 1, ..., 1): aligned with dim 1
    if alpha is not None:
        alpha_c = torch.tensor([1 - alpha] + [alpha] * (C - 1), dtype=pred.dtype)
        l = alpha_c.view(shape) * l
    if weight is not None:
        if weight.shape != (C,):
            raise ValueError(f"weight must hold one value per class of pred: got weight of "
                             f"shape {weight.shape} for pred of shape {pred.shape}")
        l = weight.view(shape) * l
    if reduction == "none":
        return l
    if reduction == "mean":
        return l.mean()
    if reduction == "sum":
        return l.sum()
    raise NotImplementedError(f"Invalid reduction mode: {reduction}")
# --8<-- [end:softmax-focal-loss]
