"""Loss functions from scratch, with the signatures of ``torch.nn.functional``.

Each function is built from elementary tensor operations (arithmetic, exp, log,
max, sum, gather, comparisons) and follows the formula on its page, with the same
symbols: ``x`` the input, ``y`` the target, ``w`` the weights, ``l`` the unreduced
loss. The deprecated ``size_average``/``reduce`` arguments are left out on purpose.
tests/test_from_scratch_losses.py checks every function against torch in float64
over random shapes and options, including the errors torch raises.

The ``# --8<--`` markers cut sections that the pages include.
"""

import torch

# --8<-- [start:reduce]
REDUCTIONS = ("none", "mean", "sum")


def _check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(l: torch.Tensor, reduction: str) -> torch.Tensor:
    """Apply reduction to the unreduced losses l: 'none' keeps them, 'sum' adds them
    up, 'mean' divides the sum by their number."""
    _check_reduction(reduction)
    if reduction == "none":
        return l
    if reduction == "sum":
        return l.sum()
    return l.sum() / l.numel()
# --8<-- [end:reduce]


# --8<-- [start:log-softmax]
def _log_softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    """log(exp(x_c) / sum_j exp(x_j)), shifted by max_j x_j so exp never overflows."""
    m = x.amax(dim=dim, keepdim=True)
    return x - m - (x - m).exp().sum(dim=dim, keepdim=True).log()
# --8<-- [end:log-softmax]


# --8<-- [start:nll-loss]
def nll_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> torch.Tensor:
    """l_n = -w_{y_n} x_{n, y_n}, and 0 where y_n == ignore_index.

    'mean' divides by sum_n w_{y_n} over the kept targets: a weighted mean.
    input: (C), (N, C) or (N, C, d1, ..., dK); target: (), (N) or (N, d1, ..., dK).
    """
    _check_reduction(reduction)
    x, y = input, target
    _check_nll_shapes(x, y, weight)
    if x.dim() == 1 and y.dim() == 1:  # one sample given as a target of shape (1,)
        y = y.reshape(())
    class_dim = 0 if x.dim() == 1 else 1
    C = x.shape[class_dim]
    y = y.long()
    keep = y != ignore_index
    out_of_range = keep & ((y < 0) | (y >= C))
    if out_of_range.any():
        raise IndexError(f"Target {y[out_of_range][0].item()} is out of bounds.")
    if weight is None:
        weight = torch.ones(C, dtype=x.dtype, device=x.device)
    y_safe = torch.where(keep, y, torch.zeros_like(y))  # any valid index; masked below
    x_y = x.gather(class_dim, y_safe.unsqueeze(class_dim)).squeeze(class_dim)
    w_y = weight[y_safe] * keep
    l = -w_y * x_y
    if reduction == "mean":
        return l.sum() / w_y.sum()
    return _reduce(l, reduction)


def _check_nll_shapes(x: torch.Tensor, y: torch.Tensor, weight: torch.Tensor | None) -> None:
    """The checks torch makes, in torch's order, with torch's messages."""
    if x.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.dim()})")
    y_batch = y.shape[0] if y.dim() > 0 else 0
    if x.dim() != 1 and x.shape[0] != y_batch:
        raise ValueError(
            f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({y_batch}).")
    if x.dim() <= 2 and y.dim() > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if x.dim() == 1 and y.dim() == 1 and y.shape[0] != 1:
        raise ValueError(
            f"For 1D input, 1D target must have size 1, but got target size: {y.shape[0]}")
    if x.dim() > 2 and y.shape != x.shape[:1] + x.shape[2:]:
        raise RuntimeError(
            f"Expected target size {list(x.shape[:1] + x.shape[2:])}, got {list(y.shape)}")
    C = x.shape[0] if x.dim() == 1 else x.shape[1]
    if weight is not None and weight.numel() != C:
        raise RuntimeError(
            f"weight tensor should be defined either for all {C} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}")
    if y.dtype not in (torch.int64, torch.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {_dtype_name(y.dtype)}")


def _dtype_name(dtype: torch.dtype) -> str:
    return {torch.float32: "Float", torch.float64: "Double", torch.float16: "Half",
            torch.int32: "Int", torch.int16: "Short", torch.int8: "Char",
            torch.bool: "Bool", torch.bfloat16: "BFloat16", torch.int64: "Long",
            torch.uint8: "Byte"}.get(dtype, str(dtype))
# --8<-- [end:nll-loss]


# --8<-- [start:cross-entropy]
def cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """CrossEntropyLoss = log-softmax over the class dimension, then NLL.

    Class-index target:   l_n = -w_{y_n} log softmax(x_n)_{y_n}
    Probability target:   l_n = -sum_c w_c y_{n,c} log softmax(x_n)_c
    label_smoothing = eps mixes the target with the uniform distribution:
    (1 - eps) * (one-hot or probabilities) + eps / C.
    """
    _check_reduction(reduction)
    x, y, eps = input, target, label_smoothing
    if eps > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {eps:g}")
    eps = max(eps, 0.0)  # torch ignores a negative label_smoothing
    if y.shape == x.shape and not y.is_floating_point():
        raise RuntimeError("Expected floating point type for target with class "
                           f"probabilities, got {_dtype_name(y.dtype)}")
    if x.dim() == 1 and y.shape == (1,) != x.shape:
        y = y.reshape(())  # one sample given as a target of shape (1,)
    class_dim = 0 if x.dim() == 1 else 1
    C = x.shape[class_dim]
    log_p = _log_softmax(x, class_dim)

    def class_weights() -> torch.Tensor:
        """w_c, shaped to broadcast along the class dimension."""
        w = torch.ones(C, dtype=x.dtype, device=x.device) if weight is None else weight
        return w.reshape([C if d == class_dim else 1 for d in range(x.dim())])

    if y.shape == x.shape:  # probabilities per class
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if weight is not None and weight.numel() != C:
            raise RuntimeError(
                f"cross_entropy: weight tensor should be defined either for all {C} classes "
                f"or no classes but got weight tensor of shape: {list(weight.shape)}")
        y = y * (1 - eps) + eps / C
        l = -(class_weights() * y * log_p).sum(class_dim)
        if reduction == "mean":
            return l.sum() / (x.numel() / C)
        return _reduce(l, reduction)

    nll = nll_loss(log_p, y, weight, ignore_index, reduction)
    if eps == 0.0:
        return nll
    # The uniform part: -sum_c w_c log p_c / C for every kept target.
    w = class_weights()
    keep = y != ignore_index
    smooth = -(w * log_p).sum(class_dim) * keep
    if reduction == "mean":
        w_flat = w.reshape(C)
        denominator = w_flat[y[keep].long()].sum() if weight is not None else keep.sum()
        smooth = smooth.sum() / denominator
    else:
        smooth = _reduce(smooth, reduction)
    return (1 - eps) * nll + eps / C * smooth
# --8<-- [end:cross-entropy]


# --8<-- [start:binary-cross-entropy]
def binary_cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """l_n = -w_n [y_n log x_n + (1 - y_n) log(1 - x_n)], each log clamped at -100.

    x must be probabilities in [0, 1]. w is broadcast to the input's shape: it rescales
    elements, it is not a per-class weight. 'mean' divides by the number of elements.
    """
    _check_reduction(reduction)
    x, y = input, target
    if y.shape != x.shape:
        raise ValueError(
            f"Using a target size ({y.shape}) that is different to the input size "
            f"({x.shape}) is deprecated. Please ensure they have the same size.")
    if not ((x >= 0) & (x <= 1)).all():  # written so that NaN fails too
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not ((y >= 0) & (y <= 1)).all():
        raise RuntimeError("all elements of target should be between 0 and 1")
    log_x = x.log().clamp(min=-100)
    log_1mx = (1 - x).log().clamp(min=-100)
    l = -(y * log_x + (1 - y) * log_1mx)
    if weight is not None:
        l = l * weight.expand(torch.broadcast_shapes(y.shape, weight.shape))
    return _reduce(l, reduction)
# --8<-- [end:binary-cross-entropy]


# --8<-- [start:bce-with-logits]
def binary_cross_entropy_with_logits(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
    pos_weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """l_n = -w_n [p y_n log sigma(x_n) + (1 - y_n) log(1 - sigma(x_n))].

    Computed from the logits x with log sigma(x) = min(x, 0) - log(1 + exp(-|x|)),
    which never takes the log of 0. p (pos_weight) scales the positive term and is
    broadcast along the last dimension, one value per class.
    """
    _check_reduction(reduction)
    x, y = input, target
    if y.shape != x.shape:
        raise ValueError(f"Target size ({y.shape}) must be the same as input size ({x.shape})")

    def log_sigmoid(z: torch.Tensor) -> torch.Tensor:
        return z.clamp(max=0) - (-z.abs()).exp().log1p()

    p = 1 if pos_weight is None else pos_weight
    l = -(p * y * log_sigmoid(x) + (1 - y) * log_sigmoid(-x))
    if weight is not None:
        l = l * weight
    return _reduce(l, reduction)
# --8<-- [end:bce-with-logits]
