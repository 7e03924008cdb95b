"""The Jensen–Shannon distance from scratch, for docs/losses/information_theory.md.

jensenshannon has the signature and semantics of ``scipy.spatial.distance.jensenshannon``
(scipy 1.17.1) on torch tensors: it normalises p and q along ``axis``, computes the
Jensen–Shannon divergence with scipy's ``rel_entr`` conventions and returns its square
root, the *distance* (square it for the divergence). The same operations in the same
order, so the same results at the edges: nan for an all-zero p or q (0 / 0), for an inf
or nan entry; +inf for a negative entry after normalisation (rel_entr's x < 0 or y < 0)
and where M rounds to 0 beside a subnormal entry (scipy/scipy#19436); 0 for an empty axis; nan when rounding leaves the divergence of two nearly equal inputs
slightly below 0 (scipy/scipy#20083: scipy takes the square root without clamping). The
same exception types: ValueError for shapes that do not broadcast, an AxisError (a
ValueError and an IndexError, as numpy's) for an axis out of range, ValueError for a
duplicate axis, TypeError for a float axis and for complex inputs. Integers and booleans are divided as torch divides
them, so they give torch's default dtype (scipy: float64). In float32, scipy's rel_entr
computes in double and rounds the result; this computes in float32 (the tests compare the
two to float32 precision).

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
    ndim = max(x.dim(), 1)  # numpy, like torch, lets a 0-d array take axis 0 or -1
    axes = range(ndim) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    dims = []
    for a in axes:
        a = operator.index(a)  # a float axis is a TypeError, as in numpy
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
    x / y neither underflows nor overflows, log(x) - log(y) when it does."""
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
    if base is not None:  # log(base) in float64, as numpy's: -inf for 0, nan below
        js = js / torch.tensor(float(base), dtype=torch.float64).log().item()
    return (js / 2).sqrt()
# --8<-- [end:jensenshannon]
