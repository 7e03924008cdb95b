"""Loss functions from scratch, with the signatures of ``torch.nn.functional``.

Each function is built from elementary tensor operations (arithmetic, exp, log,
max, sum, gather, comparisons) and follows the formula on its page, with the same
symbols: ``x`` the input, ``y`` the target, ``w`` the weights, ``l`` the unreduced
loss. The deprecated ``size_average``/``reduce`` arguments are left out on purpose.
tests/test_from_scratch_losses.py and tests/test_from_scratch_regression.py check every
function against torch in float64 over random shapes and options, including the errors
and warnings torch raises.

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


# --8<-- [start:l1-loss]
def _warn_if_sizes_differ(x: torch.Tensor, y: torch.Tensor) -> None:
    """torch's warning when target and input shapes differ: they are broadcast anyway.

    Given by l1, mse, smooth_l1 and huber only; poisson_nll, gaussian_nll and kl_div
    broadcast without a word. stacklevel 3: the warning points at the loss's caller.
    """
    if y.shape != x.shape:
        import warnings
        warnings.warn(
            f"Using a target size ({y.shape}) that is different to the input size "
            f"({x.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", stacklevel=3)


def _check_weight(x: torch.Tensor, w: torch.Tensor) -> None:
    """w must have the input's shape, even where the loss is broadcast to a larger one."""
    if w.shape != x.shape:
        raise ValueError("Weights and input must have the same size.")


def _reduce_weighted(
    l: torch.Tensor, reduction: str, mean_divisor: torch.Tensor | int
) -> torch.Tensor:
    """torch's reduction of weighted losses, with its own message for a bad reduction
    (checked last: after the loss is computed)."""
    if reduction == "none":
        return l
    if reduction == "sum":
        return l.sum()
    if reduction == "mean":
        return l.sum() / mean_divisor
    raise ValueError(
        f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def l1_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """l_n = |x_n - y_n|; with a weight w (of the input's shape), l_n = w_n |x_n - y_n|.

    x and y are broadcast (with a warning if their shapes differ). 'mean' divides
    sum_n l_n by N, the number of elements, or with a weight by sum_n w_n (summed over the
    input's shape: when y broadcasts x to more elements, that is no longer a mean).
    """
    x, y, w = input, target, weight
    _warn_if_sizes_differ(x, y)
    l = (x - y).abs()  # the broadcast; torch's error if the shapes cannot broadcast
    if w is None:
        return _reduce(l, reduction)
    _check_weight(x, w)
    return _reduce_weighted(l * w, reduction, w.sum())
# --8<-- [end:l1-loss]


# --8<-- [start:mse-loss]
def mse_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """l_n = (x_n - y_n)^2; with a weight w (of the input's shape), l_n = w_n (x_n - y_n)^2.

    No factor 1/2. x and y are broadcast (with a warning if their shapes differ).
    'mean' divides sum_n l_n by N, or with a weight by sum_n w_n.
    """
    x, y, w = input, target, weight
    _warn_if_sizes_differ(x, y)
    l = (x - y) ** 2
    if w is None:
        return _reduce(l, reduction)
    _check_weight(x, w)
    return _reduce_weighted(l * w, reduction, w.sum())
# --8<-- [end:mse-loss]


# --8<-- [start:smooth-l1-loss]
def smooth_l1_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    beta: float = 1.0,
) -> torch.Tensor:
    """l_n = 0.5 (x_n - y_n)^2 / beta   if |x_n - y_n| < beta,
           |x_n - y_n| - 0.5 * beta     otherwise.

    beta = 0 is the L1 loss (torch calls l1_loss: the quadratic piece would divide by 0);
    a negative beta is refused. Smooth L1 = Huber / beta, with delta = beta.
    """
    x, y = input, target
    _warn_if_sizes_differ(x, y)
    z = (x - y).abs()
    _check_reduction(reduction)
    if not beta >= 0:  # written so that NaN fails too, as in torch
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return _reduce(z, reduction)
    l = torch.where(z < beta, 0.5 * z ** 2 / beta, z - 0.5 * beta)
    return _reduce(l, reduction)
# --8<-- [end:smooth-l1-loss]


# --8<-- [start:huber-loss]
def huber_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """l_n = 0.5 (x_n - y_n)^2                   if |x_n - y_n| < delta,
           delta * (|x_n - y_n| - 0.5 * delta)  otherwise;
    with a weight w (of the input's shape), l_n is multiplied by w_n.

    delta must be positive. Unlike l1 and mse, a weighted 'mean' divides by the number
    of elements, not by sum_n w_n. Before any weighting, the loss keeps the input's dtype
    (a float32 input and a float64 target give float32): torch's kernel writes into a
    tensor like x.
    """
    x, y, w = input, target, weight
    _warn_if_sizes_differ(x, y)
    z = (x - y).abs()
    if w is None:
        _check_reduction(reduction)
    else:
        _check_weight(x, w)
    if not delta > 0:  # NaN fails too
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    l = torch.where(z < delta, 0.5 * z ** 2, delta * (z - 0.5 * delta))
    if not torch.can_cast(l.dtype, x.dtype):
        raise RuntimeError(f"result type {_dtype_name(l.dtype)} can't be cast to the "
                           f"desired output type {_dtype_name(x.dtype)}")
    l = l.to(x.dtype)
    if w is None:
        return _reduce(l, reduction)
    l = l * w
    return _reduce_weighted(l, reduction, l.numel())
# --8<-- [end:huber-loss]


# --8<-- [start:poisson-nll-loss]
def poisson_nll_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> torch.Tensor:
    """y ~ Poisson(x): l_n = x_n - y_n log(x_n) + log(y_n!).

    log_input=True (x is the log of the rate): l_n = exp(x_n) - y_n x_n.
    log_input=False (x is the rate):           l_n = x_n - y_n log(x_n + eps).
    log(y_n!) is left out, or with full=True replaced by Stirling's approximation
    y_n log(y_n) - y_n + 0.5 log(2 pi y_n) where y_n > 1 (0 where y_n <= 1).
    x and y are broadcast without a warning.
    """
    _check_reduction(reduction)  # first: before any shape is looked at
    x, y = input, target
    if log_input:
        l = x.exp() - y * x
    else:
        l = x - y * (x + eps).log()
    if full:
        stirling = y * y.log() - y + 0.5 * (2 * torch.pi * y).log()
        # In place, as torch: l keeps its dtype. A NaN target keeps its NaN, as in torch.
        l += torch.where(y <= 1, 0, stirling)
    return _reduce(l, reduction)
# --8<-- [end:poisson-nll-loss]


# --8<-- [start:gaussian-nll-loss]
def gaussian_nll_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    var: torch.Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> torch.Tensor:
    """l_n = 0.5 (log(max(var_n, eps)) + (x_n - y_n)^2 / max(var_n, eps)) (+ const.)

    const. = 0.5 log(2 pi), added only with full=True. var is one variance per element
    (the input's shape), one per sample (the input's shape without its last dimension, or
    with it set to 1: homoscedastic), the input's shape with exactly one other dimension
    set to 1, or a Python float for every element. The clamp at eps is invisible to
    autograd: var's gradient is that of the unclamped formula. y is broadcast silently.
    """
    x, y = input, target
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * torch.ones_like(x)
    elif torch.any(var < 0):  # torch.any, not var.any(): a Python int fails as in torch
        raise ValueError("var has negative entry/entries")
    if var.shape != x.shape:
        if x.shape[:-1] == var.shape:  # one variance per sample: (N, *) -> (N, *, 1)
            var = var.unsqueeze(-1)
        # torch's test: same number of dimensions, and var's sizes where they differ from
        # the input's add up to 1 (so one dimension of size 1).
        elif not (var.dim() == x.dim()
                  and sum(v for n, v in zip(x.shape, var.shape, strict=True) if n != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with torch.no_grad():
        var.clamp_(min=eps)  # max(var, eps), in place out of autograd's sight
    l = 0.5 * (var.log() + (x - y) ** 2 / var)
    if full:
        # 0.5 log(2 pi) as a Python float, the same double as torch's math.log
        l = l + 0.5 * torch.tensor(2 * torch.pi, dtype=torch.float64).log().item()
    return _reduce(l, reduction)
# --8<-- [end:gaussian-nll-loss]


# --8<-- [start:kl-div]
def kl_div(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    log_target: bool = False,
) -> torch.Tensor:
    """L(y_pred, y_true) = y_true (log y_true - log y_pred), pointwise, with x = log y_pred
    (the input is in log space) and y = y_true:

    l_n = y_n (log y_n - x_n), taken as 0 - y_n x_n where y_n = 0;
    log_target=True (y = log y_true): l_n = exp(y_n) (y_n - x_n).

    'batchmean' divides the sum by x.shape[0] (the input's first dimension, even when the
    target broadcasts to a larger one; the plain sum for a 0-d input): the KL divergence
    per sample. 'mean' divides by the number of elements, with a warning.
    x and y are broadcast without a warning.
    """
    x, y = input, target
    if reduction == "mean":
        import warnings  # torch's text, missing spaces included
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.", stacklevel=2)
    if reduction != "batchmean":
        _check_reduction(reduction)
    if x.is_complex() or y.is_complex():
        raise RuntimeError("kl_div: Complex inputs not supported.")
    if not (x.is_floating_point() and y.is_floating_point()):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        l = y.exp() * (y - x)
    else:
        l = torch.where(y == 0, 0, y * y.log()) - y * x
    if reduction == "batchmean":
        return l.sum() / x.shape[0] if x.dim() != 0 else l.sum()
    return _reduce(l, reduction)
# --8<-- [end:kl-div]
