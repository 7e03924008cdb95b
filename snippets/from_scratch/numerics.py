"""log-sum-exp, log-softmax and softmax from scratch, with the signatures of torch.

``logsumexp(input, dim, keepdim=False)`` is ``torch.logsumexp`` without its ``out=``;
``log_softmax`` and ``softmax`` have the signature of ``torch.nn.functional``'s, deprecated
implicit ``dim`` (and its warning) included. All three are built from elementary tensor
operations (amax, subtraction, exp, sum, log, where) and autograd differentiates them.
They follow torch where torch is odd, too: an all ``-inf`` row has a log-sum-exp of
``-inf`` but a log-softmax of nan; integers are promoted by logsumexp and refused by the
softmaxes, with torch's message; ``logsumexp(x, dim=())`` of a tensor with dimensions
fails as torch's does. Real dtypes only (torch's logsumexp also takes complex numbers).
They compute in the input's dtype: for float16 and bfloat16, torch's softmax kernels carry
some steps in float32, so the last bit may differ there.
tests/test_from_scratch_numerics.py checks them against torch: values, gradients,
warnings and errors, at the edges (infinities, nan, empty tensors, 0-d inputs).

The ``# --8<--`` markers cut the sections that docs/training/stability.md includes.
"""

import warnings

import torch


# --8<-- [start:logsumexp]
def logsumexp(input: torch.Tensor, dim: int | tuple[int, ...] | list[int],
              keepdim: bool = False) -> torch.Tensor:
    """log(sum_i exp(x_i)) over dim (an int or a tuple of ints), computed as
    m + log(sum_i exp(x_i - m)) with m = max_i x_i: each exp(x_i - m) is at most 1, so
    nothing overflows, and the largest is exactly 1, so the log never sees 0 (unless every
    x_i is -inf: then the answer is log 0 = -inf). Infinite x_i are left out of m."""
    x = input
    if not x.is_floating_point():  # integers and bools: the default float dtype, as torch
        x = x.to(torch.get_default_dtype())
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if dims == () and x.dim() > 0 and x.numel() > 0 and not keepdim:
        # torch reduces every dimension for dim=() and then fails to add the max back
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                           f"{[1] * x.dim()}")
    if x.numel() == 0:  # no max to take; a sum of no terms is 0, and log 0 = -inf
        return x.exp().sum(dims, keepdim).log()
    # The shift: the largest finite x_i (0 if there is none), so that an infinite entry
    # never meets an infinite shift (inf - inf = nan). A constant: its derivative cancels.
    # (Shifting by 0 when max = +inf is not enough: exp(710 - 0) = inf gives a nan gradient
    # to the finite 710, where torch's is 0.)
    m = torch.where(x.isfinite(), x, -torch.inf).detach().amax(dims, keepdim=True)
    m = torch.where(m == -torch.inf, 0.0, m)
    s = (x - m).exp().sum(dims, keepdim)
    return s.log() + (m if keepdim else m.squeeze(dims))
# --8<-- [end:logsumexp]


# --8<-- [start:log-softmax]
def log_softmax(input: torch.Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: torch.dtype | None = None) -> torch.Tensor:
    """x_i - log(sum_j exp(x_j)) along dim, as (x_i - m) - log(sum_j exp(x_j - m)) with
    m = max_j x_j. No infinity is masked here: a row of -inf (or one with +inf) is nan."""
    x, d = _softmax_input("log_softmax", input, dim, _stacklevel, dtype)
    if x.numel() == 0:
        return x
    shifted = x - x.detach().amax(d, keepdim=True)  # a constant shift, as in logsumexp
    return shifted - shifted.exp().sum(d, keepdim=True).log()


def softmax(input: torch.Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: torch.dtype | None = None) -> torch.Tensor:
    """exp(x_i - m) / sum_j exp(x_j - m) along dim, with the same shift m = max_j x_j."""
    x, d = _softmax_input("softmax", input, dim, _stacklevel, dtype)
    if x.numel() == 0:
        return x
    e = (x - x.detach().amax(d, keepdim=True)).exp()
    return e / e.sum(d, keepdim=True)


def _softmax_input(name: str, x: torch.Tensor, dim: int | None, stacklevel: int,
                   dtype: torch.dtype | None) -> tuple[torch.Tensor, int]:
    """The input cast to dtype and the dim to use, after torch's checks, in torch's order,
    with torch's messages."""
    if dim is None:  # deprecated: dim 0 for 0-, 1- and 3-d inputs, else 1
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                      "Change the call to include dim=X as an argument.",
                      stacklevel=stacklevel)  # as torch's helper: the caller's caller
        dim = 0 if x.dim() in (0, 1, 3) else 1
    if dtype is not None:
        x = x.to(dtype)
    n = max(x.dim(), 1)  # a 0-d tensor has one dimension to name: 0 (or -1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}]"
                         f", but got {dim})")
    if not x.is_floating_point() and x.numel() > 0:  # an empty tensor is returned as it is
        kernel = f"{name}_lastdim_kernel_impl" if dim % n == n - 1 else f"{name}_kernel_impl"
        type_name = x.type().removeprefix("torch.").removesuffix("Tensor")  # Long, Int, ...
        raise NotImplementedError(f'"{kernel}" not implemented for \'{type_name}\'')
    return x, dim
# --8<-- [end:log-softmax]
