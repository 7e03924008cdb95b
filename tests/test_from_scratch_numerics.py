"""snippets/from_scratch/numerics.py against torch: logsumexp, log_softmax and softmax.

Each case calls torch's function and ours on the same tensors and compares what comes out:
either the same exception (type, not a subclass, and message), or the same value (dtype,
shape, nan == nan, inf == inf), the same warnings (category, text, and the file they point
at) and the same gradients of the floating inputs, against a grad_output of 1, 1.1, 1.2, ...
so that two wrong elements cannot cancel. The edges: +-inf entries, rows of -inf, nan,
empty tensors and empty dimensions, 0-d inputs, integer inputs, ``dtype=``, ``keepdim``,
negative and repeated dims. A hypothesis test covers random shapes and large logits. The
last tests show that the comparison fails on naive implementations.
"""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.from_scratch import numerics

DOUBLE, FLOAT, HALF, LONG = torch.float64, torch.float32, torch.float16, torch.long
INF, NAN = float("inf"), float("nan")
TORCH = {"logsumexp": torch.logsumexp, "log_softmax": F.log_softmax, "softmax": F.softmax}


def T(values, dtype=DOUBLE) -> torch.Tensor:
    return torch.tensor(values, dtype=dtype)


# --- the comparison -------------------------------------------------------------------------

class Raised(NamedTuple):
    type: type
    message: str


class Returned(NamedTuple):
    value: torch.Tensor
    grad: torch.Tensor | None  # None: the input is not differentiable
    warnings: list[tuple[type, str, str]]


def run(function, x: torch.Tensor, *args, **kwargs) -> Raised | Returned:
    """function(x, *args, **kwargs) on a fresh leaf, and the gradient of x."""
    leaf = x.detach().clone().requires_grad_(x.is_floating_point())
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            result = function(leaf, *args, **kwargs)
        except Exception as error:  # compared with torch's by the caller
            return Raised(type(error), str(error))
    warned = [(w.category, str(w.message), w.filename) for w in record]
    grad = None
    if result.requires_grad:
        grad_output = (1 + 0.1 * torch.arange(result.numel(), dtype=result.dtype)).reshape(
            result.shape)
        (grad,) = torch.autograd.grad(result, leaf, grad_output)
    return Returned(result.detach(), grad, warned)


def assert_close(actual: torch.Tensor, expected: torch.Tensor, where: str,
                 rtol: float | None = None,
                 atol_floor: float | torch.Tensor = 0.0) -> None:
    """Same dtype, shape, nan and inf; the dtype's relative tolerance (or rtol), with an
    absolute one scaled to the largest finite |expected| (an entry that cancels to near 0),
    and at least ``atol_floor``: one number, or one per entry (a tensor of expected's
    shape; an entry within its own floor counts as equal). Integer results (an empty
    integer tensor comes back as it is) must be equal."""
    if rtol is None:
        rtol = RTOL.get(expected.dtype, 0.0)
    if isinstance(atol_floor, torch.Tensor):
        if actual.shape == expected.shape and actual.dtype == expected.dtype:
            actual = torch.where((actual - expected).abs() <= atol_floor, expected, actual)
        atol_floor = 0.0
    finite = expected[expected.isfinite()] if rtol else expected
    atol = rtol * finite.abs().max().item() if finite.numel() and rtol else 0.0
    atol = max(atol, atol_floor)
    torch.testing.assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=True,
                               msg=lambda m: f"{where}:\n{m}")


RTOL = {DOUBLE: 1e-7, FLOAT: 1.3e-6, HALF: 1e-3, torch.bfloat16: 8e-3}


def assert_same_outcome(name: str, x: torch.Tensor, *args, **kwargs) -> None:
    """Same exception, or same value, warnings and gradient. Gradients are compared in
    float32 and float64 only: for float16 and bfloat16 torch's kernels carry some steps in
    float32 and its logsumexp backward rounds the result first (see the pinned test)."""
    expected = run(TORCH[name], x, *args, **kwargs)
    actual = run(getattr(numerics, name), x, *args, **kwargs)  # looked up now: patchable
    where = f"{name}({x.dtype} {list(x.shape)}, {args}, {kwargs})"
    if isinstance(expected, Raised) or isinstance(actual, Raised):
        assert actual == expected, f"{where}:\ntorch: {expected}\nours:  {actual}"
        return
    assert actual.warnings == expected.warnings, (
        f"{where}: warnings differ:\ntorch: {expected.warnings}\nours:  {actual.warnings}")
    assert_close(actual.value, expected.value, f"{where}: value")
    assert (actual.grad is None) == (expected.grad is None), f"{where}: differentiable"
    if expected.grad is None or expected.value.dtype not in (FLOAT, DOUBLE):
        return
    # Computed in the result's dtype (dtype= may differ from the input's). torch's logsumexp
    # backward is exp(x - result), with result rounded: off by up to |result| ulps of 1.
    rtol = RTOL[expected.value.dtype]
    if name == "logsumexp":
        finite = expected.value[expected.value.isfinite()]
        scale = finite.abs().max().item() if finite.numel() else 0.0
        rtol = max(rtol, 2 * torch.finfo(expected.value.dtype).eps * scale)
    # softmax's and log_softmax's backward subtract a sum along dim from terms of the size
    # of grad_output g: s_i * (g_i - sum(g s)) and g_i - s_i * sum(g). Where they cancel, an
    # entry is far below those terms (softmax of [0, 28]: 6.9e-14 from terms ~1.1, so one
    # rounding of a term is 0.3 % of it; log_softmax of [0, log 1.1]: 0 from terms ~1), and
    # its error is a few ulps of the terms: 4 ulps per term summed, times s_i for softmax,
    # whose difference is then scaled by s_i (a tiny s_i keeps a tiny floor, so an entry
    # cut to 0 is still caught: tests below).
    floor: float | torch.Tensor = 0.0
    if name in ("softmax", "log_softmax") and x.dim() > 0:
        g_max = 1 + 0.1 * (expected.value.numel() - 1)  # run()'s grad_output
        dim = args[0] if args else kwargs.get("dim")
        terms = x.shape[dim] if isinstance(dim, int) else max(x.shape)  # implicit dim: bound
        floor = 4 * torch.finfo(expected.value.dtype).eps * g_max * terms
        if name == "softmax":
            floor = floor * expected.value.abs()
    assert_close(actual.grad, expected.grad, f"{where}: gradient", rtol=rtol, atol_floor=floor)


# --- the edges ------------------------------------------------------------------------------

ROWS = T([[1.0, 2.0, 3.0],
          [1000.0, 999.0, 998.0],      # exp overflows
          [-1000.0, -1001.0, -1002.0],  # exp underflows
          [0.0, -INF, 1.0],            # one class masked
          [-INF, -INF, 0.5],           # one class left
          [-INF, -INF, -INF],          # every class masked
          [1.0, INF, 0.0],             # +inf
          [INF, -INF, 0.0],
          [INF, INF, 1.0],
          [1.0, NAN, 2.0]])
SCALARS = [T(3.0), T(INF), T(-INF), T(NAN)]
EMPTY = [torch.zeros(0, 3, dtype=DOUBLE), torch.zeros(3, 0, dtype=DOUBLE),
         torch.zeros(2, 0, 3, dtype=DOUBLE), torch.zeros(0, dtype=DOUBLE)]
INTEGERS = [torch.tensor([[1, 2, 3], [4, 5, 6]]), torch.tensor([[1, 2], [3, 4]]).int(),
            torch.tensor([1, 2], dtype=torch.uint8), torch.tensor([True, False]),
            torch.tensor(3), torch.zeros(0, 2, dtype=LONG)]
CUBE = torch.linspace(-600, 600, 24, dtype=DOUBLE).reshape(2, 3, 4)


def cases(tensors, dims, name, **kwargs):
    return [pytest.param(name, x, d, kwargs, id=f"{name}: {x.dtype} {list(x.shape)} dim={d} "
                         f"{kwargs}") for x in tensors for d in dims]


LOGSUMEXP = [
    *cases([ROWS, ROWS.float()], [1, -1, 0, (0, 1), [1], (-1, 0)], "logsumexp"),
    *cases([ROWS], [1, (0, 1)], "logsumexp", keepdim=True),
    *cases(SCALARS, [0, -1, (), 1], "logsumexp"),
    *cases(SCALARS[:1], [0, ()], "logsumexp", keepdim=True),
    *cases(EMPTY, [0, -1, (0, -1), ()], "logsumexp"),
    *cases(EMPTY[:3], [1, (0, 1)], "logsumexp", keepdim=True),
    *cases(INTEGERS, [0, -1, ()], "logsumexp"),
    *cases(INTEGERS[:1], [1], "logsumexp", keepdim=True),
    *cases([CUBE], [0, 1, 2, -1, -2, -3, (0, 2), (2, 0), (0, 1, 2), 3, -4, (0, -3), (1, 1)],
           "logsumexp"),
    *cases([CUBE], [(), (0, 2)], "logsumexp", keepdim=True),
    *cases([CUBE[0], ROWS[0]], [()], "logsumexp"),  # torch's dim=() failure, mirrored
    *cases([ROWS[:3].half(), ROWS[:3].bfloat16()], [1], "logsumexp"),
]

SOFTMAXES = [case for name in ("log_softmax", "softmax") for case in [
    *cases([ROWS, ROWS.float()], [1, -1, 0, 2, -3], name),
    *cases([ROWS, CUBE, ROWS[0], SCALARS[0], CUBE[0, 0, None, None, None]], [None], name),
    *cases(SCALARS, [0, -1, 1, None], name),
    *cases(EMPTY, [0, -1, 1, 3], name),
    *cases(INTEGERS, [0, 1, -1, 2, None], name),
    *cases([CUBE], [0, 1, 2, -1, -2, -3, 3], name),
    *cases([ROWS.float(), INTEGERS[0]], [1, 0], name, dtype=DOUBLE),
    *cases([ROWS, ROWS.half()], [1], name, dtype=FLOAT),
    *cases([ROWS, INTEGERS[0], EMPTY[0]], [1], name, dtype=LONG),
    *cases([EMPTY[0]], [1], name, dtype=FLOAT),
    *cases([ROWS[:3].bfloat16()], [1], name),
]]


@pytest.mark.parametrize(("name", "x", "dim", "kwargs"), LOGSUMEXP + SOFTMAXES)
def test_same_as_torch_at_the_edges(name, x, dim, kwargs):
    if dim is None:  # the deprecated implicit dim: not passed at all
        assert_same_outcome(name, x, **kwargs)
    else:
        assert_same_outcome(name, x, dim, **kwargs)


def test_the_edges_are_the_documented_ones():
    """What the page and the module docstring say torch does, pinned."""
    every_class_masked = T([[-INF, -INF, -INF]])
    assert torch.logsumexp(every_class_masked, 1).item() == -INF
    assert F.log_softmax(every_class_masked, 1).isnan().all()
    assert torch.logsumexp(T([[1.0, 2.0]]), 1).dtype == DOUBLE
    assert torch.logsumexp(torch.tensor([1, 2]), 0).dtype == torch.get_default_dtype()
    (grad,) = torch.autograd.grad(numerics.logsumexp(every_class_masked.requires_grad_(), 1),
                                  every_class_masked)
    assert grad.isnan().all(), "torch's gradient on a row of -inf is nan, and so is ours"
    with pytest.raises(RuntimeError, match=r"doesn't match the broadcast shape \[1, 1\]"):
        torch.logsumexp(torch.ones(2, 3), ())
    assert torch.logsumexp(torch.ones(2, 3), (), keepdim=True).shape == (1, 1)


def test_torchs_float16_logsumexp_gradient_rounds_the_result_first():
    """Pinned: torch's backward is exp(x - result); in float16 the result 1000.41 is
    rounded to 1000.5, so the gradient of the largest logit is exp(-0.5) = 0.607, not
    softmax's 0.665. Ours differentiates exp(x - m) / sum: the softmax, to float16's digits."""
    x = T([1000.0, 999.0, 998.0], HALF).requires_grad_()
    (theirs,) = torch.autograd.grad(torch.logsumexp(x, 0), x)
    (ours,) = torch.autograd.grad(numerics.logsumexp(x, 0), x)
    exact = torch.softmax(x.detach().double(), 0)
    assert torch.logsumexp(x, 0).item() == 1000.5
    assert abs(theirs[0].item() - 0.607) < 1e-3
    torch.testing.assert_close(ours.double(), exact, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("name", ["log_softmax", "softmax"])
@pytest.mark.parametrize("stacklevel", [3, 4])
def test_the_implicit_dim_warning_points_where_torchs_does(name, stacklevel):
    """The warning's file is part of the comparison: with _stacklevel=3 (the default) it
    names the function's caller (run, here), with 4 its caller's caller. (Below 3 it names
    a frame inside torch's functional.py or inside numerics.py: files that differ.)"""
    x = torch.ones(2, 3)
    assert_same_outcome(name, x, _stacklevel=stacklevel)


# --- random shapes and large logits -------------------------------------------------------

VALUES = st.one_of(st.floats(-1e3, 1e3, allow_nan=False), st.sampled_from([INF, -INF]),
                   st.floats(-5, 5))


@st.composite
def logits_and_dim(draw):
    shape = draw(st.lists(st.integers(0, 4), min_size=0, max_size=3))
    numel = 1
    for n in shape:
        numel *= n
    values = draw(st.lists(VALUES, min_size=numel, max_size=numel))
    x = torch.tensor(values, dtype=DOUBLE).reshape(shape)
    ndim = max(len(shape), 1)
    return x, draw(st.integers(-ndim, ndim - 1))


@settings(max_examples=100, deadline=None)
@given(logits_and_dim(), st.booleans())
def test_random_shapes_and_large_logits(x_dim, keepdim):
    x, dim = x_dim
    assert_same_outcome("logsumexp", x, dim, keepdim=keepdim)
    assert_same_outcome("log_softmax", x, dim)
    assert_same_outcome("softmax", x, dim)


@settings(max_examples=30, deadline=None)
@given(logits_and_dim())
def test_random_dim_tuples(x_dim):
    x, dim = x_dim
    dims = tuple(sorted({dim, -1})) if x.dim() > 1 else (dim,)
    assert_same_outcome("logsumexp", x, dims)


# --- can it fail? ---------------------------------------------------------------------------

def naive_logsumexp(input, dim, keepdim=False):
    return input.exp().sum(dim, keepdim).log()


def unmasked_logsumexp(input, dim, keepdim=False):
    """Shifted by the max, but an infinite max is not replaced: nan on a row of -inf."""
    m = input.detach().amax(dim, keepdim=True)
    s = (input - m).exp().sum(dim, keepdim)
    return s.log() + (m if keepdim else m.squeeze(dim))


def zero_shift_logsumexp(input, dim, keepdim=False):
    """Shifted by the max, and by 0 where the max is infinite (the values are right): a
    finite 710 next to +inf overflows exp(710 - 0) and gets a nan gradient; torch's is 0."""
    m = input.detach().amax(dim, keepdim=True)
    m = torch.where(m.isinf(), 0.0, m)
    s = (input - m).exp().sum(dim, keepdim)
    return s.log() + (m if keepdim else m.squeeze(dim))


def naive_log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return input.exp().div(input.exp().sum(dim, keepdim=True)).log()


def careless_log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Stable, but integers get another error."""
    if not input.is_floating_point():
        raise TypeError("log_softmax needs floating point logits")
    return numerics.log_softmax(input, dim)


def silent_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """No warning for an implicit dim."""
    return numerics.softmax(input, 0 if dim is None and input.dim() in (0, 1, 3) else
                            1 if dim is None else dim)


@pytest.mark.parametrize(("name", "wrong", "x", "args"), [
    ("logsumexp", naive_logsumexp, ROWS[1:2], (1,)),       # overflow: inf
    ("logsumexp", naive_logsumexp, ROWS[2:3], (1,)),       # underflow: -inf
    ("logsumexp", unmasked_logsumexp, ROWS[5:6], (1,)),     # every class masked: nan
    ("logsumexp", unmasked_logsumexp, ROWS[6:7], (1,)),     # +inf: nan
    ("logsumexp", zero_shift_logsumexp, T([[710.0, INF]]), (1,)),  # a nan gradient
    ("log_softmax", naive_log_softmax, ROWS[1:2], (1,)),    # overflow: nan
    ("log_softmax", careless_log_softmax, INTEGERS[0], (1,)),  # another exception
    ("softmax", silent_softmax, ROWS[:2], ()),              # a missing warning
])
def test_the_comparison_fails_on_wrong_implementations(monkeypatch, name, wrong, x, args):
    monkeypatch.setattr(numerics, name, wrong)
    with pytest.raises(AssertionError):
        assert_same_outcome(name, x, *args)


ORIGINAL_LOGSUMEXP = numerics.logsumexp


def test_the_comparison_fails_on_a_wrong_gradient(monkeypatch):
    """The same values, and a gradient off by 0.5 everywhere: the gradient check catches it."""
    def off_gradient(input, dim, keepdim=False):
        zero_valued = 0.5 * (input - input.detach()).sum(dim, keepdim)
        return ORIGINAL_LOGSUMEXP(input, dim, keepdim) + zero_valued

    monkeypatch.setattr(numerics, "logsumexp", off_gradient)
    with pytest.raises(AssertionError, match="gradient"):
        assert_same_outcome("logsumexp", ROWS[:1], 1)


@pytest.mark.parametrize(("name", "x"), [
    # hypothesis found [0, 28]: the gradient's small entry (6.9e-14) is a difference of
    # terms ~1.1; ours and torch's differ by one ulp of those terms (0.3 % of the entry)
    ("softmax", [0.0, 28.0]),
    # g - s * sum(g) with s * sum(g) = g exactly in real numbers: torch 1.3e-17, ours 0
    ("log_softmax", [0.0, math.log(1.1)]),
])
def test_a_cancelling_softmax_gradient_is_compared_at_the_scale_of_its_terms(name, x):
    assert_same_outcome(name, torch.tensor(x, dtype=DOUBLE), 0)


def test_the_gradient_floor_still_sees_an_error_above_rounding(monkeypatch):
    wrong = numerics.softmax

    def off(x, dim=None, *args, **kwargs):  # the gradient off by 1e-14, the value exact
        y = wrong(x, dim, *args, **kwargs)
        return y + 1e-14 * (x - x.detach())

    monkeypatch.setattr(numerics, "softmax", off)
    with pytest.raises(AssertionError, match="gradient"):
        assert_same_outcome("softmax", torch.tensor([0.0, 28.0], dtype=DOUBLE), 0)


def test_the_softmax_floor_scales_with_the_entry(monkeypatch):
    """A gradient cut to 0 where the softmax is tiny ([0, 40]: torch -4.2e-19) fails: the
    floor of an entry is scaled by its softmax value, not by the largest term."""
    wrong = numerics.softmax

    def cut(x, dim=None, *args, **kwargs):
        y = wrong(x, dim, *args, **kwargs)
        return torch.where(y < 1e-12, y.detach(), y)

    monkeypatch.setattr(numerics, "softmax", cut)
    with pytest.raises(AssertionError, match="gradient"):
        assert_same_outcome("softmax", torch.tensor([0.0, 40.0], dtype=DOUBLE), 0)
