"""Loss functions from scratch, with the signatures of ``torch.nn.functional``.

Each function is built from elementary tensor operations (arithmetic, exp, log,
max, sum, gather, comparisons, where) and follows the formula on its page, with the same
symbols: ``x`` the input, ``y`` the target, ``w`` the weights, ``l`` the unreduced
loss; autograd differentiates it, except binary_cross_entropy, whose gradient is torch's
own formula. The deprecated ``size_average``/``reduce`` arguments are left out on purpose.
The tests/test_from_scratch_*.py files check every function against torch in float64 over
random shapes and options, including the errors and warnings torch raises, and
tests/test_from_scratch_edges.py at the edges: gradients on the domain's boundary,
infinite logits, empty batches, 0-d inputs, mixed dtypes, weights of the wrong shape.
Where torch's cross-entropies compute 0 * log 0 as 0 * -inf = nan (a class masked with a
-inf logit and a probability of 0, an infinite logit with its certain label), these take
0 log 0 = 0 and say so; poisson_nll_loss and kl_div keep torch's nan.

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
    up, 'mean' divides the sum by their number (nan for no losses at all, as in torch)."""
    _check_reduction(reduction)
    if reduction == "none":
        return l
    if reduction == "sum":
        return l.sum()
    return l.mean()  # = l.sum() / l.numel(), bit for bit; like torch's, refuses integers


def _dtype_name(dtype: torch.dtype) -> str:
    """The name torch's error messages give a dtype: Float, Double, Long, ..."""
    return {torch.float32: "Float", torch.float64: "Double", torch.float16: "Half",
            torch.int32: "Int", torch.int16: "Short", torch.int8: "Char",
            torch.bool: "Bool", torch.bfloat16: "BFloat16", torch.int64: "Long",
            torch.uint8: "Byte"}.get(dtype, str(dtype))
# --8<-- [end:reduce]


# --8<-- [start:log-softmax]
def _log_softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    """log(exp(x_c) / sum_j exp(x_j)), shifted by max_j x_j so exp never overflows."""
    if x.numel() == 0:  # no classes, or no samples: nothing to normalize (torch returns x)
        return x
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
    _check_nll_arguments(x, y, weight)
    if x.dim() == 1 and y.dim() == 1:  # one sample given as a target of shape (1,)
        y = y.reshape(())
    class_dim = 0 if x.dim() == 1 else 1
    C = x.shape[class_dim]
    y = y.long()
    keep = y != ignore_index
    out_of_range = keep & ((y < 0) | (y >= C))
    if out_of_range.any():
        raise IndexError(f"Target {y[out_of_range][0].item()} is out of bounds.")
    if C == 0:  # no classes: every target is ignored (any other is out of bounds, above)
        l = x.sum(class_dim)  # a loss of 0 for each, still a function of x (as in torch)
        return l.sum() / 0.0 if reduction == "mean" else _reduce(l, reduction)
    if weight is None:
        weight = torch.ones(C, dtype=x.dtype, device=x.device)
    y_safe = torch.where(keep, y, 0)  # any valid index; masked below
    x_y = x.gather(class_dim, y_safe.unsqueeze(class_dim)).squeeze(class_dim)
    w_y = torch.where(keep, weight.reshape(C)[y_safe], 0)
    # where, not a product with the mask: an ignored target gets a loss of 0 and a gradient
    # of 0, even when 'mean' divides by sum w_{y_n} = 0 (every target ignored: torch's loss
    # is nan, its gradient 0; a product would give 0 * inf = nan).
    l = torch.where(keep, -w_y * x_y, 0)
    if reduction == "mean":
        return l.sum() / w_y.sum()
    return _reduce(l, reduction)


def _check_nll_arguments(x: torch.Tensor, y: torch.Tensor, weight: torch.Tensor | None) -> None:
    """The checks torch makes, in torch's order, with torch's messages. Inputs of more than
    two dimensions go through torch's spatial kernel (nll_loss2d), whose checks and messages
    differ: the weight only needs C elements there, in any shape."""
    if x.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.dim()})")
    y_batch = y.shape[0] if y.dim() > 0 else 0
    if x.dim() != 1 and x.shape[0] != y_batch:
        raise ValueError(
            f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({y_batch}).")
    C = x.shape[0] if x.dim() == 1 else x.shape[1]
    if x.dim() <= 2:
        if y.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if x.dim() == 1 and y.dim() == 1 and y.shape[0] != 1:
            raise ValueError(
                f"For 1D input, 1D target must have size 1, but got target size: {y.shape[0]}")
        _check_target_dtype(y)
        if weight is not None and (weight.dim() != 1 or weight.numel() != C):
            raise RuntimeError(
                f"weight tensor should be defined either for all {C} classes or no classes "
                f"but got weight tensor of shape: {list(weight.shape)}")
        kernel = "nll_loss_out_frame"
    else:
        spatial = x.shape[:1] + x.shape[2:]  # the target's shape: (N, d1, ..., dK)
        if x.dim() != 4 and y.shape != spatial:
            raise RuntimeError(f"Expected target size {list(spatial)}, got {list(y.shape)}")
        if x.dim() == 4 and y.dim() != 3:
            raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                               f"targets of dimension: {y.dim()}")
        _check_target_dtype(y)
        if weight is not None and weight.numel() != C:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
        if y.shape != spatial:  # 4-D input: its own message (and no closing parenthesis)
            raise RuntimeError(
                f"size mismatch (got input: {list(x.shape)} , target: {list(y.shape)}")
        kernel = "nll_loss2d_forward_out_frame"
    if not x.is_floating_point():
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtype_name(x.dtype)}\'')
    if weight is not None and weight.dtype != x.dtype:  # no type promotion in the kernel
        raise RuntimeError(f"expected scalar type {_dtype_name(x.dtype)} but found "
                           f"{_dtype_name(weight.dtype)}")


def _check_target_dtype(y: torch.Tensor) -> None:
    if y.dtype not in (torch.int64, torch.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {_dtype_name(y.dtype)}")
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
    probabilities = y.shape == x.shape
    if probabilities and not y.is_floating_point():
        raise RuntimeError("Expected floating point type for target with class "
                           f"probabilities, got {_dtype_name(y.dtype)}")
    if x.dim() == 0:  # torch asks a 0-d input for its class dimension, 1
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    class_dim = 0 if x.dim() == 1 else 1
    C = x.shape[class_dim]
    if probabilities:
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if weight is not None and (weight.dim() != 1 or weight.numel() != C):
            raise RuntimeError(
                f"cross_entropy: weight tensor should be defined either for all {C} classes "
                f"or no classes but got weight tensor of shape: {list(weight.shape)}")
    if not x.is_floating_point() and x.numel() > 0:  # torch's log_softmax refuses integers
        kernel = "log_softmax_lastdim_kernel_impl" if class_dim == x.dim() - 1 else (
            "log_softmax_kernel_impl")
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtype_name(x.dtype)}\'')
    log_p = _log_softmax(x, class_dim)

    def class_weights() -> torch.Tensor:
        """w_c, shaped to broadcast along the class dimension."""
        w = torch.ones(C, dtype=x.dtype, device=x.device) if weight is None else weight
        return w.reshape([C if d == class_dim else 1 for d in range(x.dim())])

    if probabilities:
        if eps > 0:
            y = y * (1 - eps) + eps / C
        # 0 log 0 = 0: a class of probability 0 costs nothing, even when its logit is -inf
        # (a masked class). torch multiplies 0 by -inf there: its loss is nan.
        log_p = torch.where((y == 0) & (log_p == float("-inf")), 0, log_p)
        l = -(class_weights() * y * log_p).sum(class_dim)
        return _reduce(l, reduction)  # 'mean': over the samples, whatever the weights

    nll = nll_loss(log_p, y, weight, ignore_index, reduction)
    if eps == 0.0:
        return nll
    if x.dim() == 1 and y.shape == (1,):  # torch fills the 0-d smoothing loss with a (1,) mask
        raise RuntimeError("output with shape [] doesn't match the broadcast shape [1]")
    if weight is not None and weight.dim() != 1:  # torch views it as w_c along the class
        shape = [weight.shape[0] if d == class_dim else 1 for d in range(x.dim())]  # dim
        raise RuntimeError(f"shape '{shape}' is invalid for input of size {weight.numel()}")
    # The uniform part: -sum_c w_c log p_c / C for every kept target (0, with a gradient of
    # 0, for the ignored ones: where, as in nll_loss).
    w = class_weights()
    keep = y != ignore_index
    smooth = torch.where(keep, -(w * log_p).sum(class_dim), 0)
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

    x must be probabilities in [0, 1], y of the same shape and dtype. w is broadcast to the
    input's shape, not beyond: it rescales elements, it is not a per-class weight. 'mean'
    divides by the number of elements. The gradients are torch's: see _BinaryCrossEntropy.
    """
    _check_reduction(reduction)
    x, y, w = input, target, weight
    if y.shape != x.shape:
        raise ValueError(
            f"Using a target size ({y.shape}) that is different to the input size "
            f"({x.shape}) is deprecated. Please ensure they have the same size.")
    if w is not None:  # torch's error if w does not broadcast to the target's shape
        w = w.expand(torch.broadcast_shapes(y.shape, w.shape))
    if y.dtype != x.dtype:  # no type promotion: an integer or bool target is refused too
        raise RuntimeError(f"Found dtype {_dtype_name(y.dtype)} but expected "
                           f"{_dtype_name(x.dtype)}")
    if not x.is_floating_point():
        raise NotImplementedError(
            f'"binary_cross_entropy" not implemented for \'{_dtype_name(x.dtype)}\'')
    if not ((x >= 0) & (x <= 1)).all():  # written so that NaN fails too
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not ((y >= 0) & (y <= 1)).all():
        raise RuntimeError("all elements of target should be between 0 and 1")
    l = _BinaryCrossEntropy.apply(x, y)
    if w is not None:
        if w.shape != x.shape:  # torch multiplies l by w in place: w may not enlarge it
            raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the "
                               f"broadcast shape {list(w.shape)}")
        l = (l * w).to(x.dtype)  # in place in torch: the input's dtype, whatever w's
    return _reduce(l, reduction)


class _BinaryCrossEntropy(torch.autograd.Function):
    """l = -[y log x + (1 - y) log(1 - x)], each log clamped at -100, with torch's gradients.

    torch does not differentiate this formula: it has a backward formula of its own,
        dl/dx = (x - y) / max(x (1 - x), 1e-12),
    the exact derivative wherever x (1 - x) >= 1e-12. At x = 0 or 1 it is finite: 0 if the
    prediction is right (x = y), -1e12 for x = 0 and y = 1, 1e12 for x = 1 and y = 0 (the
    derivative of the clamped logs would be 0 * inf = nan there). dl/dy is the derivative
    of the clamped formula, log(1 - x) - log(x): +-100 at x = 0 or 1 (torch's, not clamped,
    is +-inf there).
    """

    @staticmethod
    def forward(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        log_x = x.log().clamp(min=-100)
        log_1mx = (-x).log1p().clamp(min=-100)  # log(1 - x), precise for a tiny x
        return -(y * log_x + (1 - y) * log_1mx)

    @staticmethod
    def setup_context(ctx, inputs, output) -> None:
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = ctx.saved_tensors
        d_x = (x - y) / (x * (1 - x)).clamp(min=1e-12)
        d_y = (-x).log1p().clamp(min=-100) - x.log().clamp(min=-100)
        return grad * d_x, grad * d_y
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

    Computed from the logits x with log sigma(x) = log_sigmoid(x) below, which never takes
    the log of 0, and log(1 - sigma(x)) = log sigma(-x). p (pos_weight) scales the positive
    term and is broadcast along the last dimension, one value per class.
    torch computes l in place, in a tensor of the input's shape and the target's dtype: p
    and w may broadcast to the input's shape but not beyond, an integer or bool target is
    refused, and the loss has the target's dtype.
    """
    _check_reduction(reduction)
    x, y = input, target
    if y.shape != x.shape:
        raise ValueError(f"Target size ({y.shape}) must be the same as input size ({x.shape})")

    def log_sigmoid(z: torch.Tensor) -> torch.Tensor:
        """-log(1 + exp(-z)) for z >= 0, z - log(1 + exp(z)) for z < 0: exp never overflows.
        Each branch sees z only where it is taken (0 elsewhere), so the other's exp stays
        finite (no 0 * inf = nan in the gradient), and the slope at z = 0 is 1/2."""
        if not z.is_floating_point():
            raise NotImplementedError(
                f"\"log_sigmoid_cpu\" not implemented for '{_dtype_name(z.dtype)}'")
        pos = z >= 0
        z_pos, z_neg = torch.where(pos, z, 0), torch.where(pos, 0, z)
        return torch.where(pos, -(-z_pos).exp().log1p(), z_neg - z_neg.exp().log1p())

    def check_in_place(t: torch.Tensor) -> None:
        if t.shape != x.shape:
            raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the "
                               f"broadcast shape {list(t.shape)}")

    log_p, log_q = log_sigmoid(x), log_sigmoid(-x)  # log sigma(x), log(1 - sigma(x))
    # A certain and right prediction costs nothing (0 log 0 = 0): x = -inf for y = 0,
    # x = +inf for y = 1. torch's formula multiplies 0 by inf there: its loss is nan.
    log_p = torch.where((y == 0) & (x == float("-inf")), 0, log_p)
    log_q = torch.where((y == 1) & (x == float("inf")), 0, log_q)
    positive = (1 if pos_weight is None else pos_weight) * y * log_p
    check_in_place(positive)
    if y.dtype == torch.bool:  # torch's 1 - y
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if not torch.can_cast(torch.promote_types(x.dtype, y.dtype), y.dtype):
        raise RuntimeError(f"result type {_dtype_name(torch.promote_types(x.dtype, y.dtype))}"
                           f" can't be cast to the desired output type {_dtype_name(y.dtype)}")
    l = -(positive + (1 - y) * log_q)
    if weight is not None:
        l = l * weight
        check_in_place(l)
    return _reduce(l.to(y.dtype), reduction)
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


def _bool_as_number(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """torch's kernels (mse, smooth L1, Huber) read a bool target as 0 and 1; Python's -
    refuses a bool tensor (so l1_loss, computed with it, refuses one too)."""
    return y.to(torch.result_type(x, y)) if y.dtype == torch.bool else y


def _check_floating(dtype: torch.dtype, kernel: str) -> None:
    """torch's kernel `kernel` has no integer version: an integer input and target fail."""
    if not dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtype_name(dtype)}\'')


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
    l = (x - _bool_as_number(y, x)) ** 2
    if w is None:
        _check_floating(l.dtype, "mse_cpu")  # (the weighted loss is computed in Python)
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
    Each branch sees the difference only where it is taken (0 or beta elsewhere): the
    branch not taken has no slope, so an infinite difference or beta gives no 0 * inf = nan
    in the gradient.
    """
    x, y = input, target
    _warn_if_sizes_differ(x, y)
    d = x - _bool_as_number(y, x)
    z = d.abs()
    _check_reduction(reduction)
    if not beta >= 0:  # written so that NaN fails too, as in torch
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return _reduce(z, reduction)
    _check_floating(z.dtype, "smooth_l1_cpu")
    large = z >= beta  # a NaN difference is not: its gradient is nan, as in torch
    d_small, z_large = torch.where(large, 0, d), torch.where(large, z, beta)
    l = torch.where(large, z_large - 0.5 * beta, 0.5 * d_small ** 2 / beta)
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
    tensor like x. Each branch sees the difference only where it is taken, as in
    smooth_l1_loss.
    """
    x, y, w = input, target, weight
    _warn_if_sizes_differ(x, y)
    d = x - _bool_as_number(y, x)
    z = d.abs()
    if w is None:
        _check_reduction(reduction)
    else:
        _check_weight(x, w)
    if not delta > 0:  # NaN fails too
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _check_floating(z.dtype, "huber_cpu")
    large = z >= delta  # a NaN difference is not: its gradient is nan, as in torch
    d_small, z_large = torch.where(large, 0, d), torch.where(large, z, delta)
    l = torch.where(large, delta * (z_large - 0.5 * delta), 0.5 * d_small ** 2)
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
    # A count of 0 at a rate of 0 (log rate -inf) gives 0 * -inf = nan, as in torch.
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
    # As in torch, a target of 0 against an input of -inf gives 0 * -inf = nan, and so does
    # every log target of -inf (exp(-inf) * (-inf - x)).
    if log_target:
        l = y.exp() * (y - x)
    else:
        l = torch.where(y == 0, 0, y * y.log()) - y * x
    if reduction == "batchmean":
        return l.sum() / x.shape[0] if x.dim() != 0 else l.sum()
    return _reduce(l, reduction)
# --8<-- [end:kl-div]


# === Margin losses (docs/losses/margin.md): insert below this line ===

# --8<-- [start:margin-ranking-loss]
def margin_ranking_loss(
    input1: torch.Tensor,
    input2: torch.Tensor,
    target: torch.Tensor,
    margin: float = 0,
    reduction: str = "mean",
) -> torch.Tensor:
    """l_n = max(0, -y_n (x1_n - x2_n) + margin): y_n = 1 asks for x1_n > x2_n + margin,
    y_n = -1 for x2_n > x1_n + margin.

    The three tensors must have the same number of dimensions; their sizes are then
    broadcast without a word. 'mean' divides by the number of elements.
    """
    _check_reduction(reduction)
    x1, x2, y = input1, input2, target
    if x1.dim() != x2.dim() or x1.dim() != y.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {x1.size()}, input2: {x2.size()}, target: {y.size()} ")
    l = (-y * (x1 - x2) + float(margin)).clamp(min=0)  # a float margin, as torch's C++ takes
    return _reduce(l, reduction)  # it: integer inputs give a float loss
# --8<-- [end:margin-ranking-loss]


# --8<-- [start:hinge-embedding-loss]
def hinge_embedding_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    margin: float = 1.0,
    reduction: str = "mean",
) -> torch.Tensor:
    """l_n = x_n if y_n = 1, max(0, margin - x_n) if y_n = -1.

    x is a distance that you computed (e.g. |x1 - x2| or a norm). torch adds the first term
    wherever y_n != -1 and the second wherever y_n != 1: any other target value (0, 2, 0.5)
    gets both, x_n + max(0, margin - x_n) = max(x_n, margin), without an error.
    x and y are broadcast without a warning.
    """
    _check_reduction(reduction)
    x, y = input, target
    zeros = torch.zeros_like(x)
    l = torch.where(y != 1, (margin - x).clamp(min=0), zeros) + torch.where(y != -1, x, zeros)
    return _reduce(l, reduction)
# --8<-- [end:hinge-embedding-loss]


# --8<-- [start:soft-margin-loss]
def soft_margin_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
) -> torch.Tensor:
    """l_n = log(1 + exp(-y_n x_n)), with y_n in {-1, 1}: BCEWithLogits with targets (y + 1) / 2.

    Computed as torch does, literally: exp(-y x) overflows to inf where -y x is large
    (above about 88 in float32), where BCEWithLogits stays finite. y is multiplied into a
    tensor like x, in place: it may broadcast to x's shape, not beyond, and the loss keeps
    x's dtype.
    """
    _check_reduction(reduction)
    x, y = input, target
    l = x.neg()
    l.mul_(y)  # torch's error if y does not broadcast to x's shape
    if not l.is_floating_point():  # torch takes exp in place: an integer tensor cannot hold it
        raise RuntimeError(f"result type {_dtype_name(torch.get_default_dtype())} can't be "
                           f"cast to the desired output type {_dtype_name(l.dtype)}")
    l = l.exp().log1p()
    return _reduce(l, reduction)
# --8<-- [end:soft-margin-loss]


# --8<-- [start:multilabel-soft-margin-loss]
def _log_sigmoid(z: torch.Tensor) -> torch.Tensor:
    """log sigma(z) = -log(1 + exp(-z)) for z >= 0, z - log(1 + exp(z)) for z < 0: exp
    never overflows, and it is never the log of 0. Each branch sees z only where it is
    taken (0 elsewhere), so the other's exp stays finite (no 0 * inf = nan in the
    gradient), and the slope at z = 0 is 1/2."""
    if not z.is_floating_point():
        raise NotImplementedError(
            f"\"log_sigmoid_cpu\" not implemented for '{_dtype_name(z.dtype)}'")
    pos = z >= 0
    z_pos, z_neg = torch.where(pos, z, 0), torch.where(pos, 0, z)
    return torch.where(pos, -(-z_pos).exp().log1p(), z_neg - z_neg.exp().log1p())


def multilabel_soft_margin_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """l_n = -(1/C) sum_c w_c [y_nc log sigma(x_nc) + (1 - y_nc) log sigma(-x_nc)].

    One binary cross-entropy per class, on logits, averaged over the C classes (the last
    dimension) to one loss per sample; then 'mean' averages over the samples. w (optional,
    broadcast like y) is one weight per class; the divisor stays C, not sum_c w_c.
    The reduction is checked last, with torch's other message.
    """
    x, y, w = input, target, weight
    log_p, log_q = _log_sigmoid(x), _log_sigmoid(-x)  # log sigma(x), log(1 - sigma(x))
    # A certain and right prediction costs nothing (0 log 0 = 0): x = -inf for y = 0,
    # x = +inf for y = 1. torch multiplies 0 by inf there: its loss is nan.
    log_p = torch.where((y == 0) & (x == float("-inf")), 0, log_p)
    log_q = torch.where((y == 1) & (x == float("inf")), 0, log_q)
    l = -(y * log_p + (1 - y) * log_q)
    if w is not None:
        l = l * w
    class_dim = x.dim() - 1
    C = x.size(class_dim)  # torch's IndexError for a 0-d input
    l = l.sum(dim=class_dim) / C
    if reduction == "none":
        return l
    if reduction == "mean":
        return l.sum() / l.numel()
    if reduction == "sum":
        return l.sum()
    raise ValueError(reduction + " is not valid")
# --8<-- [end:multilabel-soft-margin-loss]


# --8<-- [start:multilabel-margin-loss]
def _samples_and_classes(x: torch.Tensor) -> tuple[int, int]:
    """(N, C) of an input (N, C), (C) or () (one sample of one class), as torch checks it."""
    if not ((x.dim() == 2 and x.shape[1] != 0) or (x.dim() == 1 and x.shape[0] != 0)
            or x.dim() == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {list(x.shape)}")
    if x.dim() == 2:
        return x.shape[0], x.shape[1]
    return 1, x.numel()


def multilabel_margin_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
) -> torch.Tensor:
    """l_n = (1/C) sum_{j in J_n} sum_{i not in Y_n} max(0, 1 - (x_{n, y_nj} - x_{n, i})).

    y_n holds class indices, padded with -1: J_n = the positions before the first -1,
    Y_n = {y_nj : j in J_n} (everything after the first -1 is ignored, but must still be
    in [-1, C - 1]). A class listed twice counts twice. The divisor is C, the number of
    classes, not the number of (j, i) pairs. 'none' gives (N) for a batch, () for one sample.
    """
    _check_reduction(reduction)
    x, y = input, target
    N, C = _samples_and_classes(x)
    same_size = y.dim() <= 1 and y.numel() == C if x.dim() <= 1 else y.shape == x.shape
    if not same_size:
        raise RuntimeError(
            f"inconsistent target size: {list(y.shape)} for input of size: {list(x.shape)}")
    if y.numel() > 0 and (y.min() < -1 or y.max() >= C):
        raise RuntimeError("argument #2 'target' is out of range")
    if x.dtype not in (torch.float32, torch.float64):
        raise NotImplementedError("\"multilabel_margin_loss_forward_out_frame\" not "
                                  f"implemented for '{_dtype_name(x.dtype)}'")
    if y.dtype != torch.int64:
        raise RuntimeError(f"expected scalar type Long but found {_dtype_name(y.dtype)}")
    x, y = x.reshape(N, C), y.reshape(N, C)
    kept = (y >= 0).cumprod(dim=1) == 1  # (N, C): the positions j before the first -1
    y_kept = torch.where(kept, y, 0)  # any valid index where not kept; masked below
    classes = torch.arange(C, device=x.device)
    # is_target[n, i]: class i is one of the sample's targets
    is_target = ((y_kept.unsqueeze(2) == classes) & kept.unsqueeze(2)).any(dim=1)
    x_target = x.gather(1, y_kept)  # x[n, y_nj], (N, C) over j
    z = 1 - x_target.unsqueeze(2) + x.unsqueeze(1)  # z[n, j, i] = 1 - (x[n, y_nj] - x[n, i])
    pairs = kept.unsqueeze(2) & ~is_target.unsqueeze(1)  # (j kept, i not a target)
    # max(0, z) as torch's kernel takes it: only where z > 0, so the gradient is 0 where a
    # margin is met exactly; where, not a product: a pair left out costs 0, even if its z
    # is inf or nan (0 * inf would be nan).
    l = torch.where(pairs & (z > 0), z, 0).sum(dim=(1, 2)) / C
    if reduction == "none":
        return l.reshape(()) if target.dim() <= 1 else l  # one sample: 0-d
    return _reduce(l, reduction)
# --8<-- [end:multilabel-margin-loss]


# --8<-- [start:multi-margin-loss]
def multi_margin_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """l_n = (1/C) sum_{i != y_n} w_{y_n} max(0, margin - x_{n, y_n} + x_{n, i})^p.

    The multi-class hinge (SVM) loss: every other class i whose score comes within margin
    of the target's score costs; p = 1 or 2. w (optional) is one weight per class, taken at
    the target class, outside the power. 'none' gives (N) for a (N) or (1) target, () for
    a 0-d one.
    """
    _check_reduction(reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    x, y, w = input, target, weight
    if w is not None and w.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    N, C = _samples_and_classes(x)
    if y.dim() > 1 or y.numel() != N:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{N}], but got "
            f"{list(y.shape)}. Input has shape {list(x.shape)}.")
    if w is not None and w.numel() != C:
        raise RuntimeError(f"inconsistent weight size, expected {C} but got {list(w.shape)}")
    if x.dtype not in (torch.float32, torch.float64):
        raise NotImplementedError(
            f"\"multi_margin_loss_cpu_kernel\" not implemented for '{_dtype_name(x.dtype)}'")
    if y.dtype != torch.int64:
        raise RuntimeError(f"expected scalar type Long but found {_dtype_name(y.dtype)}")
    if w is not None and w.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {_dtype_name(x.dtype)} but found "
                           f"{_dtype_name(w.dtype)}")
    if ((y < 0) | (y >= C)).any():
        raise RuntimeError("target out of range")
    x, y = x.reshape(N, C), y.reshape(N, 1)
    z = margin - x.gather(1, y) + x  # z[n, i] = margin - x[n, y_n] + x[n, i]
    others = torch.arange(C, device=x.device) != y  # i != y_n
    # max(0, z) as torch's kernel takes it: only where z > 0 (a margin met exactly has a
    # gradient of 0), and only for i != y_n, with where: z at i = y_n may be inf - inf = nan.
    h = torch.where(others & (z > 0), z, 0) ** p
    if w is not None:
        h = w[y] * h  # the target's weight, (N, 1)
    l = h.sum(dim=1) / C
    if reduction == "none":
        return l if target.dim() > 0 else l.reshape(())
    return _reduce(l, reduction)
# --8<-- [end:multi-margin-loss]


# === Embedding losses (docs/losses/embedding.md): insert below this line ===

# --8<-- [start:cosine-embedding-loss]
def _cosine_similarity(x1: torch.Tensor, x2: torch.Tensor, dim: int) -> torch.Tensor:
    """cos(x1, x2) as CosineEmbeddingLoss computes it, along dim:

    x1 . x2 / sqrt((||x1||^2 + 1e-12) (||x2||^2 + 1e-12)).

    The 1e-12 (torch's EPSILON, not a parameter) is added to the squared norms, so a zero
    vector gives cos = 0, never 0 / 0. This is not F.cosine_similarity, which divides by
    max(||x1||, eps) max(||x2||, eps) with eps = 1e-8.
    """
    EPSILON = 1e-12
    dot = (x1 * x2).sum(dim)
    squared_norm1 = (x1 * x1).sum(dim) + EPSILON
    squared_norm2 = (x2 * x2).sum(dim) + EPSILON
    return dot / (squared_norm1 * squared_norm2).sqrt()


def cosine_embedding_loss(
    input1: torch.Tensor,
    input2: torch.Tensor,
    target: torch.Tensor,
    margin: float = 0,
    reduction: str = "mean",
) -> torch.Tensor:
    """l_n = 1 - cos(x1_n, x2_n)                if y_n = 1,
           max(0, cos(x1_n, x2_n) - margin)    if y_n = -1,
           0                                  for any other target value (torch's too).

    input1, input2: (N, D) with a target (N), or (D) with a 0-d target; the two inputs (and
    the target against the N losses) are broadcast. 'mean' divides by N, so pairs whose
    target is neither 1 nor -1 still count in it.
    """
    _check_reduction(reduction)
    x1, x2, y = input1, input2, target
    if y.dim() not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if y.dim() == 1 and not (x1.dim() == 2 and x2.dim() == 2):
        raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs with "
                           f"sizes {list(x1.shape)} and {list(x2.shape)}.")
    if y.dim() == 0 and not (x1.dim() == 1 and x2.dim() == 1):
        raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {list(x1.shape)} and {list(x2.shape)}.")
    cos = _cosine_similarity(x1, x2, dim=y.dim())  # over D: the last dimension
    zeros = torch.zeros_like(cos)
    l = (torch.where(y == 1, 1 - cos, zeros)
         + torch.where(y == -1, (cos - margin).clamp(min=0), zeros))
    return _reduce(l, reduction)
# --8<-- [end:cosine-embedding-loss]


# --8<-- [start:triplet-margin-loss]
def _pairwise_distance(
    x1: torch.Tensor, x2: torch.Tensor, p: float = 2.0, eps: float = 1e-6
) -> torch.Tensor:
    """d(x1, x2) = ||x1 - x2 + eps||_p over the last dimension, as torch.pairwise_distance:
    eps is added to every difference (it is not a clamp), so d(x, x) = eps * D^(1/p).

    Any real p: p = inf is the largest |difference|, -inf the smallest, 0 counts the
    nonzero differences, a negative p gives (sum |d|^p)^(1/p) too. Where a difference, or
    the whole distance, is exactly 0 (an anchor equal to its positive with eps = 0, or
    x1 - x2 = -eps with any eps), the slope of t^p or s^(1/p) may be infinite; torch's
    gradient there is 0, and so is this one's.
    """
    d = (x1 - x2 + eps).abs()
    if p == float("inf"):
        return d.amax(-1)
    if p == float("-inf"):
        return d.amin(-1)
    if p == 0:  # 1 per nonzero difference; d itself (0) elsewhere: a zero gradient, as torch's
        return torch.where(d != 0, 1.0, d).sum(-1)
    return _power(_power(d, p).sum(-1), 1 / p)


def _power(t: torch.Tensor, e: float) -> torch.Tensor:
    """t ** e for t >= 0, with a gradient of 0 where t = 0 (its value there is 0 ** e)."""
    zero = t == 0
    return torch.where(zero, t.detach() ** e, torch.where(zero, 1.0, t) ** e)


def _check_triplet(
    a: torch.Tensor, pos: torch.Tensor, neg: torch.Tensor, margin: float, reduction: str
) -> None:
    """torch's checks, in torch's order: reduction, margin, numbers of dimensions."""
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not a.dim() == pos.dim() == neg.dim():
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a.dim()}D, positive {pos.dim()}D, and negative "
            f"{neg.dim()}D inputs")


def triplet_margin_loss(
    anchor: torch.Tensor,
    positive: torch.Tensor,
    negative: torch.Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> torch.Tensor:
    """l_i = max(d(a_i, p_i) - d(a_i, n_i) + margin, 0), d(x, y) = ||x - y + eps||_p.

    a, pos, neg: the anchor a_i, positive p_i and negative n_i of the formula (the name p
    is taken by the norm degree). swap=True (Balntas et al.) replaces d(a_i, n_i) by
    min(d(a_i, n_i), d(p_i, n_i)): the negative counts as close as it is to either.
    The inputs have the same number of dimensions (sizes broadcast); the distance is
    taken over the last one, so (N, D) gives N losses and (D) one.
    """
    a, pos, neg = anchor, positive, negative
    _check_triplet(a, pos, neg, margin, reduction)
    d_pos = _pairwise_distance(a, pos, p, eps)
    d_neg = _pairwise_distance(a, neg, p, eps)
    if swap:
        d_neg = torch.minimum(d_neg, _pairwise_distance(pos, neg, p, eps))
    l = (margin + d_pos - d_neg).clamp(min=0)
    return _reduce(l, reduction)
# --8<-- [end:triplet-margin-loss]


# --8<-- [start:triplet-margin-with-distance-loss]
def triplet_margin_with_distance_loss(
    anchor: torch.Tensor,
    positive: torch.Tensor,
    negative: torch.Tensor,
    *,
    distance_function=None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> torch.Tensor:
    """l_i = max(d(a_i, p_i) - d(a_i, n_i) + margin, 0) with any distance d.

    d = distance_function, a callable (x1, x2) -> one distance per triplet; None is
    pairwise distance with p = 2 and eps = 1e-6, which makes this triplet_margin_loss
    with its defaults. swap as in triplet_margin_loss, with d.
    """
    a, pos, neg = anchor, positive, negative
    _check_triplet(a, pos, neg, margin, reduction)
    d = _pairwise_distance if distance_function is None else distance_function
    d_pos = d(a, pos)
    d_neg = d(a, neg)
    if swap:
        d_neg = torch.minimum(d_neg, d(pos, neg))
    l = (margin + d_pos - d_neg).clamp(min=0)
    return _reduce(l, reduction)
# --8<-- [end:triplet-margin-with-distance-loss]


# === CTC and fused losses (docs/losses/ctc_and_fused.md): insert below this line ===

# --8<-- [start:logsumexp]
def _logsumexp(a: torch.Tensor, dim: int) -> torch.Tensor:
    """log(sum_i exp(a_i)) along dim, shifted by the largest a_i so exp never overflows.

    Where every a_i is -inf the result is -inf (no path), and its gradient is 0, not NaN:
    log is only ever taken of a positive sum.
    """
    m = a.detach().amax(dim=dim, keepdim=True)
    m = torch.where(m == float("-inf"), 0.0, m)  # all -inf: any finite shift will do
    s = (a - m).exp().sum(dim)
    log_s = torch.where(s > 0, s, 1.0).log()
    return torch.where(s > 0, log_s, float("-inf")) + m.squeeze(dim)
# --8<-- [end:logsumexp]


# --8<-- [start:ctc-loss]
def ctc_loss(
    log_probs: torch.Tensor,
    targets: torch.Tensor,
    input_lengths: torch.Tensor,
    target_lengths: torch.Tensor,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> torch.Tensor:
    """l_n = -log of the sum, over the paths pi that collapse to y_n, of prod_t exp(x[t, n, pi_t]).

    x = log_probs, (T, N, C) or (T, C); y_n = the n-th target, given padded (N, S) or
    concatenated (sum(target_lengths),). The sum over alignments is the forward (alpha)
    recursion of Graves et al. (2006) over the blank-extended target
    l' = (blank, y_1, blank, y_2, ..., blank, y_S, blank), in log space.
    'mean' divides each l_n by its target length (at least 1), then averages over N.
    """
    _check_reduction(reduction)
    x = log_probs
    lengths = []
    for name, value in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
        if isinstance(value, torch.Tensor):
            if value.is_floating_point() or value.is_complex() or value.dtype == torch.bool:
                raise RuntimeError(f"{name} must be integral")
            value = value.tolist()
        lengths.append(torch.tensor(value, dtype=torch.long).reshape(-1).tolist())
    input_lengths, target_lengths = lengths
    if x.dtype not in (torch.float32, torch.float64):
        raise NotImplementedError(f'"ctc_loss_cpu" not implemented for \'{_dtype_name(x.dtype)}\'')
    if x.numel() == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    batched = x.dim() == 3
    if not batched:
        x = x.unsqueeze(1)  # (T, C) -> (T, 1, C): a batch of one
    _check_ctc_arguments(x, targets, input_lengths, target_lengths, blank)
    y = targets.long()
    N, C = x.shape[1], x.shape[2]
    start = 0  # where the n-th target begins in the concatenated form
    losses = []
    for n in range(N):
        T_n, S_n = input_lengths[n], target_lengths[n]
        y_n = y[start:start + S_n] if y.dim() == 1 else y[n, :S_n]
        start += S_n
        bad = (y_n < 0) | (y_n >= C)
        if bad.any():  # torch does not check: it reads past the class dimension
            raise IndexError(f"Target {y_n[bad][0].item()} is out of bounds.")
        losses.append(_ctc_nll(x[:T_n, n], y_n, blank))
    l = torch.stack(losses)
    if zero_infinity:
        l = torch.where(l == float("inf"), 0.0, l)
    if reduction == "mean":
        divisor = torch.tensor(target_lengths, dtype=l.dtype).clamp(min=1)
        return (l / divisor).mean()
    if reduction == "sum":
        return l.sum()
    return l if batched else l.squeeze(0)


def _ctc_nll(x: torch.Tensor, y: torch.Tensor, blank: int) -> torch.Tensor:
    """-log p(y | x) for one sequence: x (T, C) log-probabilities, y (S,) labels.

    alpha_t(s) = log of the total probability of the alignments of x_0..x_t that end in
    state s of l' (length 2S + 1). From s, an alignment stays in s, steps to s + 1, or
    skips the blank in between to s + 2, which is allowed only if l'_{s+2} != l'_s:
    a repeated label needs a blank between its two copies.
    """
    T, S = x.shape[0], y.shape[0]
    if T == 0:  # no frames: only the empty target has an alignment (the empty one)
        return x.new_tensor(0.0 if S == 0 else float("inf"))
    l_ext = torch.full((2 * S + 1,), blank, dtype=torch.long)
    l_ext[1::2] = y
    can_skip = torch.zeros(2 * S + 1, dtype=torch.bool)
    can_skip[2:] = l_ext[2:] != l_ext[:-2]
    neg_inf = x.new_full((2,), float("-inf"))
    # t = 0: an alignment starts with a blank (s = 0) or with the first label (s = 1).
    alpha = torch.where(torch.arange(2 * S + 1) < 2, x[0, l_ext], float("-inf"))
    for t in range(1, T):
        stay = alpha
        step = torch.cat([neg_inf[:1], alpha])[:-1]  # from s - 1
        skip = torch.where(can_skip, torch.cat([neg_inf, alpha])[:-2], float("-inf"))  # s - 2
        alpha = _logsumexp(torch.stack([stay, step, skip]), dim=0) + x[t, l_ext]
    # An alignment ends on the last label or on the blank after it.
    return -_logsumexp(alpha[-2:], dim=0)


def _check_ctc_arguments(
    x: torch.Tensor, y: torch.Tensor, input_lengths: list[int], target_lengths: list[int],
    blank: int,
) -> None:
    """torch's checks, in torch's order, with torch's messages."""
    where = " (while checking arguments for ctc_loss_allocate_outputs)"
    if x.dim() != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {x.dim()}-dimensional "
                           f"tensor for argument #1 'log_probs'{where}")
    if not 1 <= y.dim() <= 2:
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {y.dim()}-dimensional "
                           f"tensor for argument #2 'targets'{where}")
    T, N, C = x.shape
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    if len(input_lengths) != N:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(target_lengths) != N:
        raise RuntimeError("target_lengths must be of size batch_size")
    for S_n in target_lengths:
        if S_n < 0:
            raise RuntimeError(
                f"Expected target_lengths to have value at least 0, but got value {S_n}{where}")
    size = sum(target_lengths) if y.dim() == 1 else N
    if y.shape[0] != size:
        raise RuntimeError(f"Expected tensor to have size {size} at dimension 0, but got size "
                           f"{y.shape[0]} for argument #2 'targets'{where}")
    if y.dim() == 2 and y.shape[1] < max(target_lengths):
        raise RuntimeError(f"Expected tensor to have size at least {max(target_lengths)} at "
                           f"dimension 1, but got size {y.shape[1]} for argument #2 'targets'"
                           f"{where}")
    for T_n in input_lengths:
        if T_n < 0:
            raise RuntimeError(
                f"Expected input_lengths to have value at least 0, but got value {T_n}{where}")
        if T_n > T:
            raise RuntimeError(
                f"Expected input_lengths to have value at most {T}, but got value {T_n}{where}")
# --8<-- [end:ctc-loss]


# --8<-- [start:linear-cross-entropy]
def linear_cross_entropy(
    input: torch.Tensor,
    linear_weight: torch.Tensor,
    target: torch.Tensor,
    *,
    linear_bias: torch.Tensor | None = None,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    options: "torch.nn.LinearCrossEntropyOptions | None" = None,
) -> torch.Tensor:
    """cross_entropy(x W^T + b, y): the logits of a linear layer, then CrossEntropyLoss.

    x: (in_features) or (N, in_features); W: (C, in_features), or (C, d_1, ..., d_K,
    in_features) for logits of shape (N, C, d_1, ..., d_K). ignore_index=None means -100.
    `options` only tells torch to process the N rows in chunks, so that the (N, C) logits
    never exist at once: the loss is the same, so this reference ignores it (after
    torch's warning when torch would ignore it too).
    """
    x, W, b, y = input, linear_weight, linear_bias, target
    if not 1 <= x.dim() <= 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {x.dim()}")
    if W.dim() < 2:
        raise RuntimeError(
            f"expected linear_weight with dimensionality at least 2, got {W.dim()}")
    if x.shape[-1] != W.shape[-1]:
        raise RuntimeError(
            "expected equal input and linear_weight last dimensions (in_features), "
            f"got {x.shape[-1]} and {W.shape[-1]}, respectively")
    C, out_features = W.shape[0], tuple(W.shape[1:-1])
    if b is not None and tuple(b.shape) != (C, *out_features):
        raise RuntimeError(
            f"expected linear_bias shape {(C, *out_features)}, got {tuple(b.shape)}")
    if out_features and x.dim() == 1:
        raise RuntimeError(
            f"K-dimensional loss defined by linear_weight shape {tuple(W.shape)} requires"
            f" batched input, (N, {x.shape[-1]}), got unbatched input with shape"
            f" {tuple(x.shape)}")
    logits_shape = (*x.shape[:-1], C, *out_features)
    if y.shape == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    if options is not None and (out_features or reduction not in ("mean", "sum", "none")
                                or label_smoothing != 0.0 or y.dtype != torch.int64):
        import warnings
        warnings.warn(
            "linear_cross_entropy: ``options`` ignored; chunked path needs reduction in "
            "{'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, "
            f"out_features == (). Got reduction={reduction!r}, label_smoothing="
            f"{label_smoothing}, target.dtype={y.dtype}, out_features={out_features}, "
            "tracing=False, linear_bias.shape="
            f"{tuple(b.shape) if b is not None else None}.", stacklevel=2)
    if b is not None and b.dtype != W.dtype:  # torch's addmm: no type promotion
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{_dtype_name(b.dtype)} and {_dtype_name(W.dtype)}")
    # The linear layer: each of the C * d_1 * ... * d_K rows of W gives one logit.
    logits = x @ W.reshape(-1, x.shape[-1]).T
    if b is not None:
        logits = logits + b.reshape(-1)
    return cross_entropy(logits.reshape(logits_shape), y, weight,
                         -100 if ignore_index is None else ignore_index,
                         reduction, label_smoothing)
# --8<-- [end:linear-cross-entropy]
