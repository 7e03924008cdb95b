"""The Jensen–Shannon distance from scratch, for docs/losses/information_theory.md.

jensenshannon has the signature and semantics of ``scipy.spatial.distance.jensenshannon``
(scipy 1.17.1) on torch tensors: it normalises p and q along ``axis``, computes the
Jensen–Shannon divergence with scipy's ``rel_entr`` conventions and returns its square
root, the *distance* (square it for the divergence). It follows scipy's code step by step,
with the same formula and the same branches, so it gives the same results at the edges:
nan for an all-zero p or q (0 / 0), for an inf or nan entry; +inf for a negative entry
after normalisation (rel_entr's x < 0 or y < 0) and where M rounds to 0 beside a
subnormal entry (scipy/scipy#19436); 0 for an empty axis; nan when rounding leaves the
divergence of two nearly equal inputs slightly below 0 (scipy/scipy#20083: scipy takes
the square root without clamping). Not the same bits: torch's log1p and sqrt can differ
from numpy's in the last bit, and its sums of more than a few terms add in another order;
the tests compare values to a relative 1e-12.

The same exception types: ValueError for shapes that do not broadcast, an AxisError (a
ValueError and an IndexError, as numpy's) for an axis out of range (a 0-d input takes an
int axis 0 or -1, not a tuple of them), ValueError for a duplicate axis, TypeError for a
float or bool axis, for a str base and for complex inputs. The same dtypes: integers and
booleans are divided in float64, as numpy divides them; float16 and bfloat16 reach
rel_entr as float32, as in scipy, whose rel_entr has only float32 and float64 loops;
log(base) has numpy's dtype (float64 for a Python number, a numpy scalar's or a tensor's
own float dtype), and the division by it is numpy's ``js /= log(base)``: an array keeps
its dtype, a scalar (a 0-d result) is promoted, so a complex base gives a complex 0-d
result and a TypeError for an array. In float32, scipy's rel_entr computes in double and
rounds the result; this computes in float32 (the tests compare the two to float32
precision).

Gradients: autograd differentiates the operations. In the interior (every entry of p and
q positive, p != q) they are those of the formula. At an entry that is 0, rel_entr's
branch is the constant 0 and its log is never evaluated, so that entry's term adds
nothing to the gradient (the one-sided derivative of x log(x / y) at x = 0 is -inf;
F.kl_div and torch.special.xlogy give nan there). At p == q the divergence is 0 and
sqrt'(0) is infinite: the distance's gradient is nan, and so is that of the distance
squared; train on the divergence computed without the square root.

tests/test_from_scratch_information_theory.py compares it with scipy; scipy is not
imported here. The ``# --8<--`` markers cut the section the page includes.
"""

# --8<-- [start:jensenshannon]
import operator

import torch


class AxisError(ValueError, IndexError):
    """An axis out of range: numpy's AxisError is both a ValueError and an IndexError."""


def _sum(x: torch.Tensor, axis, keepdims: bool) -> torch.Tensor:
    """np.sum(x, axis, keepdims=keepdims) for an int, a tuple of ints or None (every axis)."""
    if axis is None:
        return x.sum(dim=list(range(x.dim())), keepdim=keepdims)  # dim=[] on a 0-d x: x
    # numpy, like torch, lets a 0-d array take an int axis 0 or -1, but not in a tuple
    ndim = x.dim() if isinstance(axis, tuple) else max(x.dim(), 1)
    dims = []
    for a in axis if isinstance(axis, tuple) else (axis,):
        if isinstance(a, bool):  # an int to Python, not an axis to numpy
            raise TypeError("an integer is required")
        a = operator.index(a)  # a float axis (or numpy's bool) is a TypeError, as in numpy
        if not -ndim <= a < ndim:
            raise AxisError(f"axis {a} is out of bounds for array of dimension {x.dim()}")
        dims.append(a % ndim)
    if len(set(dims)) < len(dims):
        raise ValueError("duplicate value in 'axis'")
    return x.sum(dim=dims, keepdim=keepdims) if dims else x  # torch's dim=[] sums it all


def _rel_entr(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """scipy.special.rel_entr: x log(x / y) if x > 0 and y > 0; 0 if x == 0 and y >= 0;
    +inf otherwise (x < 0, y < 0, or y == 0 < x); nan if x or y is nan. With scipy's three
    ways to take the log: log1p((x - y) / y) when x / y is in (1/2, 2), log(x / y) when
    x / y neither underflows nor overflows, log(x) - log(y) when it does. float16 and
    bfloat16 are computed in float32: scipy's rel_entr has float32 and float64 loops only."""
    if torch.promote_types(x.dtype, y.dtype).itemsize < 4:
        x, y = x.float(), y.float()
    positive = (x > 0) & (y > 0)
    # Every branch sees safe numbers, so autograd never meets 0 * inf in an unused one.
    xs, ys = torch.where(positive, x, 1), torch.where(positive, y, 1)
    ratio = xs / ys
    close = (0.5 < ratio) & (ratio < 2)
    plain = (torch.finfo(ratio.dtype).tiny < ratio) & (ratio < torch.inf)
    d = torch.where(close, (xs - ys) / ys, 0)  # log1p(d) = log(x / y), accurate near 1
    r = torch.where(plain, ratio, 1)
    log_ratio = torch.where(close, d.log1p(), torch.where(plain, r.log(), xs.log() - ys.log()))
    other = torch.full_like(xs, torch.inf).masked_fill((x == 0) & (y >= 0), 0)
    out = torch.where(positive, xs * log_ratio, other)
    return torch.where(x.isnan() | y.isnan(), torch.nan, out)


def _log(base) -> torch.Tensor:
    """np.log(base) as a 0-d tensor of numpy's dtype: float64 for a Python int or float
    (complex128 for a complex); a numpy scalar's or tensor's own float dtype; for an integer
    or bool dtype, the float numpy's log picks (float16 for 1 byte, float32 for 2, float64
    beyond)."""
    if isinstance(base, str | bytes):
        raise TypeError("ufunc 'log' not supported for the input types, and the inputs could"
                        " not be safely coerced to any supported types according to the"
                        " casting rule ''safe''")
    if isinstance(base, int | float | complex) and not isinstance(base, bool):
        dtype = torch.complex128 if isinstance(base, complex) else torch.float64
        return torch.tensor(base, dtype=dtype).log()  # -inf for 0, nan below
    b = torch.as_tensor(base)
    if not (b.is_floating_point() or b.is_complex()):
        b = b.to({1: torch.float16, 2: torch.float32}.get(b.dtype.itemsize, torch.float64))
    return b.log()


def jensenshannon(
    p: torch.Tensor,
    q: torch.Tensor,
    base: float | None = None,
    *,
    axis: int | tuple[int, ...] | None = 0,
    keepdims: bool = False,
) -> torch.Tensor:
    """The Jensen-Shannon distance sqrt(JS(P || Q)), as scipy.spatial.distance.jensenshannon:

    P = p / sum(p), Q = q / sum(q) along axis, M = (P + Q) / 2,
    l_i = 1/2 P_i log(P_i / M_i) + 1/2 Q_i log(Q_i / M_i), JS = sum_i l_i,
    logs in base (natural logs if None). Returns sqrt(JS): square it for the divergence.
    """
    if p.is_complex() or q.is_complex():
        raise TypeError("ufunc 'rel_entr' not supported for complex inputs")
    # numpy divides integers and booleans in float64
    p, q = (x if x.is_floating_point() else x.double() for x in (p, q))
    P = p / _sum(p, axis, keepdims=True)
    Q = q / _sum(q, axis, keepdims=True)
    try:
        torch.broadcast_shapes(P.shape, Q.shape)
    except RuntimeError:
        shapes = " ".join(str(tuple(s)).replace(" ", "") for s in (P.shape, Q.shape))
        message = f"operands could not be broadcast together with shapes {shapes}"
        raise ValueError(message) from None
    M = (P + Q) / 2
    js = _sum(_rel_entr(P, M), axis, keepdims) + _sum(_rel_entr(Q, M), axis, keepdims)
    if base is not None:  # scipy's js /= np.log(base)
        log_base = _log(base)  # numpy divides an array in place: a complex log cannot fit
        if js.dim() and log_base.is_complex():
            result = torch.promote_types(js.dtype, log_base.dtype)
            names = (str(t).removeprefix("torch.") for t in (result, js.dtype))
            raise TypeError("Cannot cast ufunc 'divide' output from dtype('{}') to dtype('{}')"
                            " with casting rule 'same_kind'".format(*names))
        js = js / log_base  # torch's promotion is numpy's here: an array keeps its dtype
    return (js / 2).sqrt()
# --8<-- [end:jensenshannon]
