"""Knowledge distillation loss from scratch (docs/beyond/distillation.md).

torch ships no distillation loss; the reference is the direct formula that the page writes
with ``nn.KLDivLoss(reduction='batchmean')`` and ``F.cross_entropy``:

    alpha * T**2 * KLDivLoss(log_softmax(z / T), softmax(v / T)) + (1 - alpha) * CE(z, y)

Built from elementary tensor operations only (arithmetic, exp, log, amax, sum, gather,
where), with the symbols of the page's formula: ``z`` the student's logits, ``v`` the
teacher's, ``y`` the class indices, ``T`` the temperature, ``l`` the unreduced loss.
tests/test_from_scratch_distillation.py checks it against the direct formula in float64
(values and gradients, both log_target settings) and at the edges. Where a class is masked
in the teacher (logit -inf, probability 0), this takes 0 log 0 = 0; the direct formula gives
nan there with log_target=True, and with either setting when the student masks it too.

The ``# --8<--`` markers cut the section that the page includes.
"""

import torch


# --8<-- [start:distillation-loss]
def _log_softmax_rows(x: torch.Tensor) -> torch.Tensor:
    """log softmax over dim 1, shifted by the row's max so that exp never overflows."""
    m = x.amax(dim=1, keepdim=True) if x.numel() else x.sum(dim=1, keepdim=True)
    return x - m - (x - m).exp().sum(dim=1, keepdim=True).log()


def distillation_loss(
    student_logits: torch.Tensor,
    teacher_logits: torch.Tensor,
    target: torch.Tensor,
    temperature: float = 4.0,
    alpha: float = 0.5,
    reduction: str = "batchmean",
) -> torch.Tensor:
    """Hinton et al. (2015), alpha on the soft term:

    l_n = alpha T^2 sum_c p_nc (log p_nc - log q_nc) + (1 - alpha) (-log softmax(z_n)_{y_n})
    p_n = softmax(v_n / T), q_n = softmax(z_n / T); 0 log 0 = 0 where p_nc = 0.

    reduction: 'none' gives (l_1, ..., l_N); 'batchmean' their mean (the KL per sample,
    the cross-entropy's 'mean'); 'sum' their sum. 'mean' is refused: in KLDivLoss it
    also divides by the number of classes. Shapes: z, v (N, C); y (N,) class indices.
    The teacher's logits are not detached: compute them under torch.no_grad().
    """
    z, v, y, T = student_logits, teacher_logits, target, temperature
    if reduction == "mean":
        raise ValueError("reduction='mean' is ambiguous for a distillation loss "
                         "(KLDivLoss's 'mean' also divides by C): use 'batchmean'")
    if reduction not in ("none", "batchmean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if not T > 0:
        raise ValueError(f"temperature must be positive, got {T}")
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    if z.dim() != 2:
        raise ValueError(f"student_logits must have shape (N, C), got {tuple(z.shape)}; "
                         "flatten tokens to (N * L, C) for token-level distillation")
    if v.shape != z.shape:
        raise RuntimeError(f"teacher_logits {tuple(v.shape)} and student_logits "
                           f"{tuple(z.shape)} must have the same shape")
    if not (z.is_floating_point() and v.is_floating_point()):
        raise NotImplementedError("distillation_loss: logits must be floating point")
    if y.dtype not in (torch.int64, torch.uint8):  # what cross_entropy accepts
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {y.dtype}")
    if y.dim() != 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if y.shape[0] != z.shape[0]:
        raise ValueError(f"Expected input batch_size ({z.shape[0]}) to match target "
                         f"batch_size ({y.shape[0]}).")
    C = z.shape[1]
    outside = (y < 0) | (y >= C)
    if outside.any():  # no ignore_index: a -100 would be ignored by CE but not by the KL
        raise IndexError(f"Target {y[outside][0].item()} is out of bounds.")

    log_q = _log_softmax_rows(z / T)  # student at temperature T
    log_p = _log_softmax_rows(v / T)  # teacher at temperature T
    p = log_p.exp()
    # 0 log 0 = 0: a class the teacher rules out (p = 0) adds nothing, even if log q = -inf.
    kl = (p * torch.where(p > 0, log_p - log_q, 0)).sum(dim=1)
    hard = -_log_softmax_rows(z).gather(1, y.long().unsqueeze(1)).squeeze(1)  # at T = 1
    l = alpha * T**2 * kl + (1 - alpha) * hard
    if reduction == "none":
        return l
    if reduction == "sum":
        return l.sum()
    return l.sum() / l.shape[0]  # batchmean: nan for an empty batch, as in torch
# --8<-- [end:distillation-loss]
