"""Simulate another CPU's rounding: nudge the float32 results of the ops that differ.

Two CPUs give bit-identical results for a single correctly rounded IEEE operation (``+ -
* /``, ``sqrt``, comparisons, copies, indexing) and may give different last bits for the
rest: reductions and matrix products (another summation order), transcendental functions
(another approximation), random normals (Box-Muller on vectorized ``log``/``cos``), and
operations that a vectorized kernel turns into a fused multiply-add (``a + alpha * b``,
``uniform_``'s ``x * (to - from) + from``, ``linspace``). ``Perturb`` is a
``TorchDispatchMode`` that multiplies each float32 result of those ops by ``1 ± 2**-22``
(about two float32 ulps), the sign a hash of the value's bits, so the same value is always
nudged the same way (two identical computations stay identical). A result whose low 8
mantissa bits are all zero (6.0, 0.5, sums of such numbers) is taken to be exact and left
alone.

A shown ``#>`` line that changes under ``Perturb`` sits within a few ulps of a rounding
edge, or shows more digits than float32 keeps: on some reader's machine it may change.
It can also be a false alarm, to be read, not trusted: an op that is exact for the values
at hand but not in general (``x @ eye``, a norm with ``p=inf``), or a line that prints an
autograd node's name (under a dispatch mode some ops record another overload, e.g.
``CtcLossBackward1``), or a value whose few ulps are the lesson itself: 1 - sigmoid(15)
is 6 float32 steps below 1, so a nudge of two moves BCELoss(sigmoid(15)) on the stability
page (every correctly rounded exp and division give those 6 steps).
``python -m tests.portability --perturb`` runs every page's program
under it. It is an audit, slower than the kernel-switch check, and not part of
``make test``.
"""

from __future__ import annotations

import torch
from torch.utils._python_dispatch import TorchDispatchMode

RELATIVE = 2.0**-22
# Ops whose float32 results are the same on every CPU: IEEE-exact arithmetic, selection,
# data movement (add, sub and rsub: see WITH_ALPHA). Everything else is nudged.
EXACT = {
    "mul", "div", "neg", "abs", "sign", "sgn", "sqrt", "reciprocal",
    "clamp", "clamp_min", "clamp_max", "clip", "maximum", "minimum", "fmax", "fmin",
    "max", "min", "amax", "amin", "aminmax", "relu", "threshold", "threshold_backward",
    "hardtanh", "hardtanh_backward", "where", "masked_fill", "masked_scatter", "masked_select",
    "floor", "ceil", "round", "trunc", "frac", "remainder", "fmod",
    "copy", "to_copy", "clone", "contiguous", "fill", "zero", "zeros", "zeros_like", "ones",
    "ones_like", "full", "full_like", "empty", "empty_like", "empty_strided", "new_empty",
    "new_zeros", "new_ones", "new_full", "new_empty_strided", "scalar_tensor", "lift_fresh",
    "arange", "eye", "tril", "triu", "diag", "diag_embed", "diagonal_copy",
    "deg2rad", "rad2deg", "cat", "stack", "index", "index_select", "gather", "scatter",
    "index_put",
    "index_copy", "index_fill", "take", "take_along_dim", "flip", "roll", "repeat",
    "repeat_interleave", "constant_pad_nd", "sort", "topk", "kthvalue", "median", "argsort",
    "eq", "ne", "lt", "le", "gt", "ge", "logical_not", "logical_and", "logical_or",
    "isnan", "isinf", "isfinite", "nan_to_num", "bernoulli", "rand", "rand_like",
    "randint", "randperm", "set", "alias", "detach", "unfold", "im2col", "col2im",
    "embedding", "embedding_dense_backward", "one_hot", "unique", "unique2", "nonzero",
    "select_backward", "slice_backward", "index_put_impl",
}


# Exact only when their `alpha` is 1: otherwise `a + alpha * b` may become one FMA.
WITH_ALPHA = {"add", "sub", "rsub", "index_add"}


def _name(func) -> str:
    return func.overloadpacket.__name__.removesuffix("_").lstrip("_")


def is_exact(func, kwargs: dict) -> bool:
    name = _name(func)
    if name in WITH_ALPHA:
        return kwargs.get("alpha", 1) == 1
    return name in EXACT


def nudge(t: torch.Tensor) -> torch.Tensor:
    """``t`` (float32) times ``1 ± RELATIVE``, the sign from each value's bits."""
    bits = t.view(torch.int32)
    inexact = (bits & 0xFF) != 0
    sign = ((bits * 1103515245 + 12345) >> 16) & 1
    factor = torch.where(sign.bool(), 1.0 + RELATIVE, 1.0 - RELATIVE).to(t.dtype)
    return torch.where(inexact, t * factor, t)


class Perturb(TorchDispatchMode):
    """Nudge every float32 result of an op that is not in ``EXACT``."""

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if is_exact(func, kwargs) or func.is_view:
            return out
        mutable = func._schema.is_mutable
        results = out if isinstance(out, tuple | list) else (out,)
        for r in results:
            if isinstance(r, torch.Tensor) and r.dtype == torch.float32 and r.numel():
                if mutable:  # in-place (normal_, add_...) or out=: nudge the tensor itself
                    r.copy_(nudge(r))
        if mutable:
            return out
        nudged = [nudge(r) if isinstance(r, torch.Tensor) and r.dtype == torch.float32
                  and r.numel() and not r.is_sparse else r for r in results]
        if isinstance(out, tuple | list):
            return type(out)(nudged)
        return nudged[0]
