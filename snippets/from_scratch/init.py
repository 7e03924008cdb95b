"""Weight initializations from scratch, with the signatures of ``torch.nn.init``.

Each function fills the given tensor in place under ``torch.no_grad()`` and returns it,
like torch. The symbols are those of the formulas on the pages: ``fan_in``, ``fan_out``,
``gain``, ``std``, ``bound``, and ``a``, ``b`` for the ends of an interval (``a`` is also
the negative slope of a leaky ReLU in the Kaiming functions, as in torch).

Randomness comes only from the tensor's own ``uniform_``/``normal_`` (and ``randperm``
in ``sparse_``), drawn from ``generator`` (the global generator when it is None). Where
torch makes the same draws, ours calls the same primitive with bounds computed the same
way, so one seed gives bit-identical tensors: tests/test_from_scratch_init.py checks it
with ``torch.equal``, and checks the errors and warnings torch raises.

``calculate_fan_in_and_fan_out`` is torch's private ``_calculate_fan_in_and_fan_out``.
The ``# --8<--`` markers cut sections that the pages include; each needs only ``math``
and ``torch``, and the helpers of the sections before it.
"""

import math

import torch

# --8<-- [start:calculate-gain]
LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d",
              "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


def calculate_gain(nonlinearity: str, param: int | float | None = None) -> float:
    """The gain that keeps the variance of activations through the nonlinearity.

    linear, conv*, sigmoid: 1    tanh: 5/3    relu: sqrt(2)    selu: 3/4
    leaky_relu: sqrt(2 / (1 + negative_slope^2)), negative_slope = param (default 0.01).
    """
    if nonlinearity in LINEAR_FNS or nonlinearity == "sigmoid":
        return 1  # an int, as torch returns
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, int | float) and not isinstance(param, bool):
            negative_slope = param
        else:  # a string, a bool (an int in Python), a numpy float32, ...
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4  # found empirically (pytorch/pytorch#50664)
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")
# --8<-- [end:calculate-gain]


# --8<-- [start:fans]
def calculate_fan_in_and_fan_out(tensor: torch.Tensor) -> tuple[int, int]:
    """A weight of shape (out_channels, in_channels, k1, ..., kd), d >= 0:

    receptive_field = k1 * ... * kd    (1 for a Linear weight (out_features, in_features))
    fan_in  = in_channels * receptive_field
    fan_out = out_channels * receptive_field
    """
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive_field = 1
    for k in tensor.shape[2:]:
        receptive_field *= k
    fan_in = tensor.shape[1] * receptive_field
    fan_out = tensor.shape[0] * receptive_field
    return fan_in, fan_out
# --8<-- [end:fans]


# --8<-- [start:uniform]
def uniform_(tensor: torch.Tensor, a: float = 0.0, b: float = 1.0,
             generator: torch.Generator | None = None) -> torch.Tensor:
    """Every element drawn from U(a, b)."""
    with torch.no_grad():
        return tensor.uniform_(a, b, generator=generator)
# --8<-- [end:uniform]


# --8<-- [start:normal]
def normal_(tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0,
            generator: torch.Generator | None = None) -> torch.Tensor:
    """Every element drawn from N(mean, std^2)."""
    with torch.no_grad():
        return tensor.normal_(mean, std, generator=generator)
# --8<-- [end:normal]


# --8<-- [start:trunc-normal]
def trunc_normal_(tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0,
                  a: float = -2.0, b: float = 2.0,
                  generator: torch.Generator | None = None) -> torch.Tensor:
    """Every element drawn from N(mean, std^2) conditioned on [a, b] (absolute bounds).

    The mass of N(mean, std^2) inside [a, b] is p = Phi(beta) - Phi(alpha), with
    alpha = (a - mean) / std and beta = (b - mean) / std. Two rejection samplers:
    - p > 0.3: draw N(mean, std^2) and redraw the elements outside [a, b];
    - otherwise (a narrow or far interval): draw x ~ U(a, b) and keep it with probability
      pdf(x) / pdf(mode), mode = the point of [a, b] closest to mean; redraw the rest.
    These are torch 2.13's draws, in torch's order (older versions used the inverse CDF:
    u ~ U(Phi(alpha), Phi(beta)), x = mean + std * sqrt(2) * erfinv(2u - 1), clamped).
    """
    def Phi(z: float) -> float:  # the standard normal CDF
        return (1.0 + math.erf(z / math.sqrt(2.0))) / 2.0

    if mean < a - 2 * std or mean > b + 2 * std:
        import warnings
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    if tensor.is_meta:  # no values to draw (and .item() below would fail)
        return tensor
    p = Phi((b - mean) / std) - Phi((a - mean) / std)
    with torch.no_grad():
        if p > 0.3:
            # a and b rounded to the tensor's dtype, so the test sees representable bounds
            lo = torch.tensor(a, dtype=tensor.dtype).item()
            hi = torch.tensor(b, dtype=tensor.dtype).item()
            x = tensor.normal_(mean, std, generator=generator)
            outside = (x < lo) | (x > hi)
            while outside.any():
                redrawn = torch.empty_like(x).normal_(mean, std, generator=generator)
                x = torch.where(outside, redrawn, x)
                outside = (x < lo) | (x > hi)
        else:
            mode = max(a, min(mean, b))
            log_pdf_mode = -0.5 * ((mode - mean) / std) ** 2

            def log_ratio(x: torch.Tensor) -> torch.Tensor:  # log(pdf(x) / pdf(mode)) <= 0
                return ((x - mean) / std).pow(2).mul(-0.5).sub(log_pdf_mode)

            def rejected(x: torch.Tensor) -> torch.Tensor:  # log u > log ratio, u ~ U(0, 1)
                u = torch.empty_like(tensor).uniform_(generator=generator)
                return u.log() > log_ratio(x)

            x = tensor.uniform_(a, b, generator=generator)
            pending = rejected(x)
            while pending.any():
                candidates = torch.empty_like(tensor).uniform_(a, b, generator=generator)
                x = torch.where(pending, candidates, x)
                pending = torch.where(pending, rejected(candidates), pending)
        if x is not tensor:
            tensor.copy_(x)
    return tensor
# --8<-- [end:trunc-normal]


# --8<-- [start:constant]
def constant_(tensor: torch.Tensor, val: float) -> torch.Tensor:
    """Every element = val."""
    with torch.no_grad():
        return tensor.fill_(val)


def ones_(tensor: torch.Tensor) -> torch.Tensor:
    """Every element = 1."""
    with torch.no_grad():
        return tensor.fill_(1.0)


def zeros_(tensor: torch.Tensor) -> torch.Tensor:
    """Every element = 0."""
    with torch.no_grad():
        return tensor.zero_()
# --8<-- [end:constant]


# --8<-- [start:eye]
def eye_(tensor: torch.Tensor) -> torch.Tensor:
    """W[i, j] = 1 if i == j else 0, for a 2-D (out_features, in_features) weight:
    y = W x keeps the first min(out_features, in_features) inputs."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with torch.no_grad():
        tensor.zero_()
        tensor.diagonal().fill_(1)
    return tensor
# --8<-- [end:eye]


# --8<-- [start:dirac]
def dirac_(tensor: torch.Tensor, groups: int = 1) -> torch.Tensor:
    """A convolution weight (out_channels, in_channels, k1[, k2[, k3]]) that copies its
    input: W[g * out_per_group + d, d, centre] = 1, everything else 0, for each group g
    and each d < min(out_per_group, in_channels); centre = (k1 // 2, ...).
    """
    if tensor.dim() not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if tensor.shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = tensor.shape[0] // groups
    centre = tuple(k // 2 for k in tensor.shape[2:])
    with torch.no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min(out_per_group, tensor.shape[1])):
                tensor[(g * out_per_group + d, d, *centre)] = 1
    return tensor
# --8<-- [end:dirac]


# --8<-- [start:xavier-uniform]
def xavier_uniform_(tensor: torch.Tensor, gain: float = 1.0,
                    generator: torch.Generator | None = None) -> torch.Tensor:
    """Glorot: U(-bound, bound), Var = gain^2 * 2 / (fan_in + fan_out).

    std = gain * sqrt(2 / (fan_in + fan_out)),  bound = sqrt(3) * std
    """
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std  # a uniform on [-bound, bound] has variance bound^2 / 3
    with torch.no_grad():
        return tensor.uniform_(-bound, bound, generator=generator)
# --8<-- [end:xavier-uniform]


# --8<-- [start:xavier-normal]
def xavier_normal_(tensor: torch.Tensor, gain: float = 1.0,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """Glorot: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    with torch.no_grad():
        return tensor.normal_(0.0, std, generator=generator)
# --8<-- [end:xavier-normal]


# --8<-- [start:fan-mode]
def _calculate_correct_fan(tensor: torch.Tensor, mode: str) -> int:
    """fan_in (mode 'fan_in', any case) or fan_out (mode 'fan_out')."""
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _has_no_elements(tensor: torch.Tensor) -> bool:
    """True, with torch's warning, when a dimension is 0: there is nothing to draw."""
    if 0 in tensor.shape:
        import warnings
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False
# --8<-- [end:fan-mode]


# --8<-- [start:kaiming-uniform]
def kaiming_uniform_(tensor: torch.Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """He: U(-bound, bound), Var = gain^2 / fan, fan = fan_in or fan_out (mode).

    gain = calculate_gain(nonlinearity, a): a is the negative slope of leaky_relu, and
    the default leaky_relu with a = 0 is a ReLU, gain = sqrt(2).
    std = gain / sqrt(fan),  bound = sqrt(3) * std
    """
    if _has_no_elements(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std  # not gain * sqrt(3 / fan): the last bit can differ
    with torch.no_grad():
        return tensor.uniform_(-bound, bound, generator=generator)
# --8<-- [end:kaiming-uniform]


# --8<-- [start:kaiming-normal]
def kaiming_normal_(tensor: torch.Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: torch.Generator | None = None) -> torch.Tensor:
    """He: N(0, std^2), std = gain / sqrt(fan), fan = fan_in or fan_out (mode),
    gain = calculate_gain(nonlinearity, a)."""
    if _has_no_elements(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    with torch.no_grad():
        return tensor.normal_(0.0, std, generator=generator)
# --8<-- [end:kaiming-normal]


# --8<-- [start:orthogonal]
def orthogonal_(tensor: torch.Tensor, gain: float = 1,
                generator: torch.Generator | None = None) -> torch.Tensor:
    """W = gain * Q, Q (semi-)orthogonal: Q^T Q = I if rows >= cols, Q Q^T = I otherwise.

    The tensor is seen as a matrix (rows, cols) = (shape[0], product of the rest).
    Q comes from the QR decomposition A = QR of a (rows, cols) matrix A of N(0, 1)
    entries (of A^T when rows < cols, so that the decomposed matrix is tall), each column
    of Q multiplied by the sign of R's diagonal entry: this makes Q uniformly distributed
    (Mezzadri 2007), not biased by the QR routine's sign convention.
    """
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    with torch.no_grad():
        A = tensor.new_empty((rows, cols)).normal_(0, 1, generator=generator)
        if rows < cols:
            A = A.T
        Q, R = torch.linalg.qr(A)
        Q = Q * R.diagonal().sign()
        if rows < cols:
            Q = Q.T
        tensor.view_as(Q).copy_(Q)
        tensor.mul_(gain)
    return tensor
# --8<-- [end:orthogonal]


# --8<-- [start:sparse]
def sparse_(tensor: torch.Tensor, sparsity: float, std: float = 0.01,
            generator: torch.Generator | None = None) -> torch.Tensor:
    """A 2-D (rows, cols) weight of N(0, std^2) entries, then in every column
    ceil(sparsity * rows) entries, at random rows, set to 0 (Martens 2010)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with torch.no_grad():
        tensor.normal_(0, std, generator=generator)
        for col in range(cols):
            # torch 2.13 calls randperm without the generator; ours passes it
            rows_to_zero = torch.randperm(rows, generator=generator,
                                          device=tensor.device)[:num_zeros]
            tensor[rows_to_zero, col] = 0
    return tensor
# --8<-- [end:sparse]
