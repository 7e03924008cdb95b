"""The from-scratch Jensen–Shannon distance (snippets/from_scratch/information_theory.py)
against ``scipy.spatial.distance.jensenshannon`` (scipy 1.17.1), which it mirrors on
torch tensors.

- The signature, and values in float64 on a grid of shapes, axes, keepdims and bases, on
  hypothesis draws with zeros and unnormalised inputs, and in float32.
- The dtypes, as scipy's: of float16, float32, float64, integer and boolean inputs, mixed
  ones, and of bases given as Python numbers and as numpy scalars of several dtypes.
- rel_entr, the elementwise term, against ``scipy.special.rel_entr`` on every pair of
  special values (0, -0, negatives, subnormals, inf, nan), where x / y underflows or
  overflows, and its dtypes.
- The edges, each as scipy computes it: zeros, p == q, disjoint supports, all-zero inputs,
  empty inputs, inf, nan and negative entries, bases 1, 0 and below 0, complex bases, 0-d
  inputs, broadcasting, tuple and None axes, the subnormal mixtures (scipy/scipy#19436) and
  the nearly equal inputs that give nan (scipy/scipy#20083, with the page's pair from its
  duplicate #20779). The same exception types for shapes that do not broadcast, an axis out
  of range (a tuple axis on a 0-d input), a duplicate, a float or a bool axis, a str base,
  complex inputs.
- Gradients, which scipy does not have: gradcheck of the distance and of the divergence in
  the interior; the true gradient with respect to q where p has zeros; a finite gradient
  with respect to p at p_i = 0, where the one-sided derivative is -inf, and where P / M
  underflows; zero with respect to the shift of the page's bump on disjoint supports; nan
  for the distance and for its square at p == q.

Values are compared to 1e-12, not bit for bit: torch's log1p and sqrt can differ from
numpy's in the last bit, and its sums of more than a few terms add in another order.
"""

from __future__ import annotations

import inspect
import itertools
import math
import warnings

import numpy as np
import pytest
import scipy
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon as scipy_jensenshannon
from scipy.special import rel_entr as scipy_rel_entr

from snippets.from_scratch.information_theory import _rel_entr, jensenshannon

DOUBLE = torch.float64
SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=60)


def theirs(p, q, *args, **kwargs):
    """scipy on the tensors' values, its RuntimeWarnings (0 / 0, sqrt of a negative) off."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(scipy_jensenshannon(p.numpy(), q.numpy(), *args, **kwargs))


def assert_same(ours, expected, rtol=1e-12, atol=1e-15):
    """Same shape, same values, nan where scipy has nan, the same infinities."""
    assert isinstance(ours, torch.Tensor)
    assert tuple(ours.shape) == expected.shape, (tuple(ours.shape), expected.shape)
    torch.testing.assert_close(ours.double(), torch.from_numpy(expected.astype(np.float64)),
                               rtol=rtol, atol=atol, equal_nan=True, check_dtype=False)


def draw(shape, seed, zeros=0.0, scale=1.0):
    """Positive entries (unnormalised, up to `scale`), a fraction `zeros` of them set to 0."""
    g = torch.Generator().manual_seed(seed)
    x = scale * torch.rand(tuple(shape), generator=g, dtype=DOUBLE)
    return torch.where(torch.rand(tuple(shape), generator=g, dtype=DOUBLE) < zeros, 0.0, x)


def test_installed_scipy_is_the_pinned_one():
    assert scipy.__version__ == "1.17.1"


def test_the_signature_is_scipys():
    def params(f):
        return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]

    assert params(jensenshannon) == params(scipy_jensenshannon)


# --- Values ------------------------------------------------------------------------------

SHAPES_AND_AXES = [((5,), 0), ((5,), -1), ((3, 4), 0), ((3, 4), 1), ((3, 4), -1),
                   ((2, 3, 4), 1), ((2, 3, 4), -3), ((2, 3, 4), None), ((2, 3, 4), (0, 2))]
BASES = [None, 2, 10, math.e, 0.5, 3.7]


@pytest.mark.parametrize("shape_axis,base,keepdims", list(itertools.product(
    SHAPES_AND_AXES, BASES, (False, True))))
def test_grid_against_scipy(shape_axis, base, keepdims):
    shape, axis = shape_axis
    p, q = draw(shape, seed=1, zeros=0.2, scale=3.0), draw(shape, seed=2, zeros=0.2)
    assert_same(jensenshannon(p, q, base, axis=axis, keepdims=keepdims),
                theirs(p, q, base, axis=axis, keepdims=keepdims))


@SETTINGS
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3), seed=st.integers(0, 10**6),
       zeros=st.sampled_from([0.0, 0.3, 0.7]), scale=st.sampled_from([1e-3, 1.0, 1e3]),
       base=st.sampled_from(BASES), keepdims=st.booleans(), data=st.data())
def test_random_against_scipy(shape, seed, zeros, scale, base, keepdims, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    p, q = draw(shape, seed, zeros, scale), draw(shape, seed + 1, zeros)
    assert_same(jensenshannon(p, q, base, axis=axis, keepdims=keepdims),
                theirs(p, q, base, axis=axis, keepdims=keepdims))


DTYPES = [torch.float16, torch.float32, torch.float64, torch.int64, torch.uint8, torch.bool]
DTYPE_PAIRS = [(d, d) for d in DTYPES] + [
    (torch.float32, torch.float64), (torch.float64, torch.int64), (torch.float32, torch.int64),
    (torch.float16, torch.float64), (torch.float16, torch.float32), (torch.bool, torch.int64)]
# Python numbers, and numpy scalars whose log numpy takes in float16, float32 or float64.
DTYPE_BASES = [None, 2, 2.5, True, np.float32(2.5), np.float16(3), np.int8(3), np.int16(3),
               np.int64(3), np.float64(10)]


def draw_as(dtype, shape, seed):
    """Entries 0 to 3 (0 or 1 for bool) in the given dtype: zeros, and integers to normalise."""
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 2 if dtype is torch.bool else 4, shape, generator=g).to(dtype)


@pytest.mark.parametrize("dtypes", DTYPE_PAIRS, ids=str)
@pytest.mark.parametrize("shape,axis,keepdims", [((), 0, False), ((), 0, True), ((5,), 0, False),
                                                 ((5,), 0, True), ((3, 4), 1, False),
                                                 ((3, 4), None, False)])
@pytest.mark.parametrize("base", DTYPE_BASES, ids=repr)
def test_dtypes_are_scipys(dtypes, shape, axis, keepdims, base):
    """Integers and booleans divide in float64; float16 leaves rel_entr as float32; a base
    divides an array in place (its dtype stays) and promotes a scalar (a 0-d result)."""
    p, q = draw_as(dtypes[0], shape, seed=3), draw_as(dtypes[1], shape, seed=4)
    ours, expected = (f(p, q, base, axis=axis, keepdims=keepdims) for f in (jensenshannon, theirs))
    assert str(ours.dtype) == f"torch.{expected.dtype}"
    # float32 and float16 inputs: scipy's rel_entr computes in double, ours in float32
    low = {torch.float16, torch.float32} & set(dtypes)
    assert_same(ours, expected, rtol=1e-5 if low else 1e-12, atol=1e-6 if low else 1e-15)


def test_integers_and_booleans_are_divided_in_float64():
    """As numpy's true division: a float64 p with an int64 q gives a float64 Q, unrounded."""
    p = torch.tensor([[3, 0, 1], [1, 1, 0]])
    q = torch.tensor([[1, 2, 0], [0, 1, 1]])
    for a, b in ((p, q), (p.bool(), q.bool()), (p.double() / 7, q)):
        ours = jensenshannon(a, b, axis=1)
        assert ours.dtype == torch.float64
        assert_same(ours, theirs(a, b, axis=1))


# --- rel_entr ----------------------------------------------------------------------------

SPECIAL = [0.0, -0.0, 1.0, 0.5, 2.0, -1.0, 5e-324, math.inf, -math.inf, math.nan]


@pytest.mark.parametrize("x,y", list(itertools.product(SPECIAL, SPECIAL)))
def test_rel_entr_is_scipys_on_special_values(x, y):
    ours = _rel_entr(torch.tensor(x, dtype=DOUBLE), torch.tensor(y, dtype=DOUBLE))
    expected = np.asarray(scipy_rel_entr(x, y))
    assert_same(ours, expected, rtol=0, atol=0)


@pytest.mark.parametrize("x,y", [(1e-300, 1e20), (2.5e-310, 3e15), (7e-320, 0.3),
                                 (1e-300, 1e300), (1e300, 1e-10)])
def test_rel_entr_where_the_ratio_underflows_or_overflows(x, y):
    """x / y below the smallest normal number (a subnormal, with few bits left, or 0) or
    inf: x (log(x) - log(y)), not x log(x / y). The gradient is finite: the unused branch
    takes the log of 1, not of a ratio of 0 (whose log's derivative, times 0, is nan)."""
    x = torch.tensor(x, dtype=DOUBLE, requires_grad=True)
    ours = _rel_entr(x, torch.tensor(y, dtype=DOUBLE))
    assert_same(ours.detach(), np.asarray(scipy_rel_entr(x.item(), y)), rtol=1e-15, atol=0)
    (grad,) = torch.autograd.grad(ours, x)
    assert torch.isfinite(grad)


@pytest.mark.parametrize("dtypes,expected", [
    ((torch.float16, torch.float16), torch.float32), ((torch.bfloat16,) * 2, torch.float32),
    ((torch.float32, torch.float32), torch.float32),
    ((torch.float16, torch.float64), torch.float64),
    ((torch.float64, torch.float64), torch.float64)])
def test_rel_entr_dtypes(dtypes, expected):
    """scipy's rel_entr has only float32 and float64 loops: float16 is computed in float32
    (numpy has no bfloat16; it goes the same way)."""
    x = torch.tensor([0.0, 1.0, -1.0, 0.5], dtype=dtypes[0])
    y = torch.tensor([0.0, 0.25, 1.0, 2.0], dtype=dtypes[1])
    ours = _rel_entr(x, y)
    assert ours.dtype == expected
    if torch.bfloat16 not in dtypes:
        numpy_args = (x.numpy(), y.numpy())
        assert f"torch.{scipy_rel_entr(*numpy_args).dtype}" == str(expected)
        assert_same(ours, scipy_rel_entr(*numpy_args), rtol=1e-6, atol=0)


# --- Edges -------------------------------------------------------------------------------

def test_equal_inputs_give_exactly_zero():
    p = draw((3, 6), seed=7, zeros=0.3)
    assert torch.equal(jensenshannon(p, p, axis=1), torch.zeros(3, dtype=DOUBLE))
    assert_same(jensenshannon(p, 5 * p, axis=1), theirs(p, 5 * p, axis=1))  # proportional


def test_disjoint_supports_give_the_bound():
    p = torch.tensor([1.0, 3.0, 0.0, 0.0], dtype=DOUBLE)
    q = torch.tensor([0.0, 0.0, 2.0, 2.0], dtype=DOUBLE)
    assert_same(jensenshannon(p, q), theirs(p, q))
    assert jensenshannon(p, q) ** 2 == pytest.approx(math.log(2), rel=1e-15)
    assert jensenshannon(p, q, base=2) == pytest.approx(1.0, rel=1e-15)


@pytest.mark.parametrize("p,q", [
    ([0.0, 0.0], [0.5, 0.5]),                  # an all-zero p: 0 / 0
    ([0.5, 0.5], [0.0, 0.0]),
    ([math.inf, 1.0], [0.5, 0.5]),             # inf / inf
    ([math.nan, 1.0], [0.5, 0.5]),
    ([0.5, 0.5], [1.0, math.nan]),
    ([-1.0, 2.0], [0.5, 0.5]),                 # a negative entry: rel_entr is +inf
    ([0.5, 0.5], [-1.0, 2.0]),
    ([-1.0, -1.0], [0.5, 0.5]),                # normalises to positive numbers
    ([1.0, -1.0], [0.5, 0.5]),                 # sums to 0: inf and nan entries
    ([0.0, 1.0], [5e-324, 1.0]),               # M = 5e-324 / 2 rounds to 0: inf (#19436)
    ([5e-324, 1.0], [5e-324, 1.0]),            # M = (P + Q) / 2 = 5e-324 (P / 2 + Q / 2 = 0)
    ([0.5 - 2**-54, 0.5], [0.5, 0.5 - 2**-54]),  # a negative sum under the root: nan (#20083)
])
def test_edges_against_scipy(p, q):
    p, q = torch.tensor(p, dtype=DOUBLE), torch.tensor(q, dtype=DOUBLE)
    assert_same(jensenshannon(p, q), theirs(p, q))


def test_the_pages_pair_gives_nan_in_scipy():
    """The page's pair, from scipy/scipy#20779 (a duplicate of #20083): x = nextafter(0.5, 0),
    p = (x, 1 - x), q = (1 - x, x); 1 - x rounds to 0.5."""
    x = 0.5 - 2**-54
    assert x == np.nextafter(0.5, 0)
    p = torch.tensor([x, 1 - x], dtype=DOUBLE)
    q = p.flip(0)
    assert np.isnan(theirs(p, q)) and jensenshannon(p, q).isnan()


def test_nearly_equal_inputs_give_nan_where_scipy_does():
    """scipy/scipy#20083: the sum under the square root can round below 0. Over random
    nearly equal pairs scipy gives nan for many; the sums are tiny either way, so ours is nan
    or tiny. On 2-entry pairs ours is nan on the same pairs: each sum is one addition, and
    the sign comes from the rounding of P, Q and M, basic operations that torch and numpy
    round alike (a last-bit difference of log1p is far below it)."""
    g = torch.Generator().manual_seed(8)
    nans = 0
    for n in (2, 3, 8):
        p = torch.rand(200, n, generator=g, dtype=DOUBLE) + 0.1
        q = p * (1 + 1e-9 * torch.randn(200, n, generator=g, dtype=DOUBLE))
        ours, expected = jensenshannon(p, q, axis=1), theirs(p, q, axis=1)
        nans += int(np.isnan(expected).sum())
        assert (ours.nan_to_num(0) < 1e-7).all()
        if n == 2:
            assert torch.equal(ours.isnan(), torch.from_numpy(np.isnan(expected)))
    assert nans > 50  # the quirk is real, not a one-off


@pytest.mark.parametrize("shape,axis", [((0,), 0), ((0, 3), 0), ((3, 0), 0), ((3, 0), 1),
                                        ((0, 0), 1)])
def test_empty_inputs(shape, axis):
    p, q = torch.zeros(shape, dtype=DOUBLE), torch.zeros(shape, dtype=DOUBLE)
    assert_same(jensenshannon(p, q, axis=axis), theirs(p, q, axis=axis))


@pytest.mark.parametrize("base", [1, 0, -1, 1.0 + 1e-12])
def test_degenerate_bases(base):
    """log(1) = 0 divides into inf; log(0) = -inf gives -0.0; a negative base gives nan."""
    p, q = draw((4,), seed=9), draw((4,), seed=10)
    ours, expected = jensenshannon(p, q, base), theirs(p, q, base)
    assert_same(ours, expected, rtol=1e-9)
    if not math.isnan(expected):  # -0.0 for base 0
        assert math.copysign(1, ours) == math.copysign(1, expected)


def test_0d_inputs_take_axis_0_and_minus_1():
    p, q = torch.tensor(2.0, dtype=DOUBLE), torch.tensor(3.0, dtype=DOUBLE)
    for axis, keepdims in itertools.product((0, -1), (False, True)):
        assert_same(jensenshannon(p, q, axis=axis, keepdims=keepdims),
                    theirs(p, q, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("p_shape,q_shape,axis", [((4,), (3, 4), -1), ((3, 4), (4,), -1),
                                                  ((3, 1), (3, 4), 1), ((4,), (3, 4), 0),
                                                  ((3, 4), (4,), 0)])
def test_broadcasting_as_scipy(p_shape, q_shape, axis):
    """Each input is normalised along the axis of its own shape, then they broadcast."""
    p, q = draw(p_shape, seed=11), draw(q_shape, seed=12)
    assert_same(jensenshannon(p, q, axis=axis), theirs(p, q, axis=axis))


@pytest.mark.parametrize("axis", [(), (1,), (2, 0), None])
def test_tuple_and_none_axes(axis):
    p, q = draw((2, 3, 4), seed=13), draw((2, 3, 4), seed=14)
    for keepdims in (False, True):
        assert_same(jensenshannon(p, q, axis=axis, keepdims=keepdims),
                    theirs(p, q, axis=axis, keepdims=keepdims))


# --- Errors: the exception types of scipy (and numpy) ----------------------------------------

def raised(f):
    try:
        f()
    except Exception as error:  # noqa: BLE001 - the type is what is compared
        return error
    raise AssertionError("no exception")


@pytest.mark.parametrize("p_shape,q_shape,axis", [
    ((3,), (2,), 0),            # shapes that do not broadcast
    ((3, 4), (4, 3), 1),
    ((3,), (3,), 1),            # an axis out of range
    ((3,), (3,), -2),
    ((), (), 1),
    ((), (), (0,)),             # a 0-d input takes axis 0 or -1, not in a tuple
    ((), (), (-1,)),
    ((), (), (0, -1)),
    ((2, 3), (2, 3), (0, 0)),   # a duplicate axis
    ((2, 3), (2, 3), (0, -2)),
    ((2, 3), (2, 3), (0, 5)),   # out of range before duplicate
    ((3,), (3,), 1.0),          # a float axis
    ((3,), (3,), True),         # a bool axis
    ((2, 3), (2, 3), (False, 1)),
])
def test_same_exception_types(p_shape, q_shape, axis):
    p, q = draw(p_shape, seed=15), draw(q_shape, seed=16)
    ours = raised(lambda: jensenshannon(p, q, axis=axis))
    expected = raised(lambda: theirs(p, q, axis=axis))
    assert type(ours).__mro__[1:] == type(expected).__mro__[1:] or type(ours) is type(expected), (
        type(ours), type(expected))
    for kind in (ValueError, IndexError, TypeError):
        assert isinstance(ours, kind) == isinstance(expected, kind), (kind, ours, expected)
    assert str(ours) == str(expected).strip()


def test_a_str_base_is_a_type_error():
    p, q = draw((3,), seed=15), draw((3,), seed=16)
    ours, expected = raised(lambda: jensenshannon(p, q, "2")), raised(lambda: theirs(p, q, "2"))
    assert isinstance(ours, TypeError) and isinstance(expected, TypeError)
    assert str(ours) == str(expected)


@pytest.mark.parametrize("shape,keepdims", [((3,), False), ((3,), True), ((2, 3), False)])
def test_a_complex_base(shape, keepdims):
    """np.log(2j) is complex: a scalar divergence becomes complex, an array one (divided in
    place) cannot hold it, a TypeError (numpy's UFuncTypeError)."""
    p, q = draw(shape, seed=15), draw(shape, seed=16)
    ours = raised_or(lambda: jensenshannon(p, q, 2j, keepdims=keepdims))
    expected = raised_or(lambda: theirs(p, q, 2j, keepdims=keepdims))
    if isinstance(expected, Exception):
        assert isinstance(ours, TypeError) and isinstance(expected, TypeError)
        assert str(ours) == str(expected)
    else:
        assert ours.dtype == torch.complex128 and expected.dtype == np.complex128
        torch.testing.assert_close(ours, torch.from_numpy(expected), rtol=1e-12, atol=0)


def raised_or(f):
    try:
        return f()
    except Exception as error:  # noqa: BLE001 - the type is what is compared
        return error


def test_complex_inputs_are_a_type_error():
    p = torch.tensor([1.0 + 1j, 2.0])
    q = torch.tensor([1.0 + 0j, 1.0])
    assert isinstance(raised(lambda: theirs(p, q)), TypeError)
    with pytest.raises(TypeError):
        jensenshannon(p, q)


# --- Gradients (scipy has none) ------------------------------------------------------------

def interior(shape, seed):
    """Entries in [0.1, 1.1): positive, so no entry is on the boundary of the domain."""
    return (draw(shape, seed) + 0.1).requires_grad_()


@pytest.mark.parametrize("axis,base", [(-1, None), (0, None), (-1, 2)])
def test_gradcheck_of_the_distance_and_the_divergence_in_the_interior(axis, base):
    p, q = interior((3, 5), seed=17), interior((3, 5), seed=18)
    assert torch.autograd.gradcheck(lambda p, q: jensenshannon(p, q, base, axis=axis), (p, q))
    assert torch.autograd.gradcheck(
        lambda p, q: jensenshannon(p, q, base, axis=axis) ** 2, (p, q))
    assert torch.autograd.gradgradcheck(
        lambda p, q: jensenshannon(p, q, base, axis=axis) ** 2, (p, q))


def test_the_gradient_with_respect_to_q_is_exact_where_p_has_zeros():
    """q > 0 stays inside the domain: gradcheck perturbs only q, p keeps its zeros (one or
    two of its four entries)."""
    p = torch.tensor([[0.0, 0.3, 0.7, 0.0], [0.0, 0.0, 0.5, 0.5]], dtype=DOUBLE)
    q = interior((2, 4), seed=19)
    assert torch.autograd.gradcheck(lambda q: jensenshannon(p, q, axis=1) ** 2, (q,))


def test_the_gradient_on_the_boundary_p_i_equals_0():
    """At p_i = 0 (q_i > 0) the one-sided derivative of JS in p_i is -inf: the difference
    quotient keeps falling like log(eps). Autograd gives a finite number instead, because
    rel_entr's branch there is the constant 0 (F.kl_div and torch.special.xlogy: nan)."""
    p = torch.tensor([0.0, 0.4, 0.6], dtype=DOUBLE, requires_grad=True)
    q = torch.tensor([0.2, 0.3, 0.5], dtype=DOUBLE)

    def js(p):
        return jensenshannon(p, q) ** 2

    (grad,) = torch.autograd.grad(js(p), p)
    assert torch.isfinite(grad).all()
    quotients = []
    for eps in (1e-4, 1e-6, 1e-8):
        shifted = p.detach().clone()
        shifted[0] = eps
        quotients.append(((js(shifted) - js(p.detach())) / eps).item())
    assert quotients[0] > quotients[1] > quotients[2] < -4  # -> -inf
    assert grad[0] > quotients[0]
    # The two torch functions that take 0 log 0 = 0 in value give nan gradients there.
    t = torch.tensor([0.0, 0.5], dtype=DOUBLE, requires_grad=True)
    (kl_grad,) = torch.autograd.grad(F.kl_div(torch.zeros(2, dtype=DOUBLE), t, reduction="sum"), t)
    (xlogy_grad,) = torch.autograd.grad(torch.special.xlogy(t, t).sum(), t)
    assert kl_grad[0].isnan() and xlogy_grad[0].isnan()


def test_the_gradient_where_p_over_m_underflows():
    """P_0 = 5e-324 beside Q_0 = 0.2: P_0 / M_0 is subnormal, so rel_entr takes
    log(x) - log(y), and the gradient is finite."""
    p = torch.tensor([5e-324, 0.5, 0.5], dtype=DOUBLE, requires_grad=True)
    q = torch.tensor([0.2, 0.3, 0.5], dtype=DOUBLE)
    (grad,) = torch.autograd.grad(jensenshannon(p, q) ** 2, p)
    assert torch.isfinite(grad).all()


def bump_gradient(theta):
    """The page's setup: the data, a bump of half-width 1 around -2 on the midpoints of 80
    cells of width 0.1 between -4 and 4; the model, the same bump around theta. JS and its
    derivative with respect to theta."""
    x = (torch.arange(80, dtype=DOUBLE) + 0.5) / 10 - 4
    theta = torch.tensor(theta, dtype=DOUBLE, requires_grad=True)
    js = jensenshannon(torch.relu(1 - (x + 2).abs()), torch.relu(1 - (x - theta).abs())) ** 2
    (grad,) = torch.autograd.grad(js, theta)
    return js.item(), grad.item()


@pytest.mark.parametrize("theta", [0.0, 0.5, 2.0, -4.5])
def test_the_gradient_is_zero_on_disjoint_supports(theta):
    """No cell has mass under both: JS is ln 2 and its derivative in theta 0, up to rounding."""
    js, grad = bump_gradient(theta)
    assert js == pytest.approx(math.log(2), rel=1e-14)
    assert abs(grad) < 1e-12


@pytest.mark.parametrize("theta", [-1.9, -1.5, -1.0, -0.5, -0.1])
def test_the_gradient_is_positive_while_the_supports_overlap(theta):
    """Moving theta towards -2 lowers JS; gradcheck confirms autograd's number."""
    js, grad = bump_gradient(theta)
    assert 0 < js < math.log(2) and grad > 0.01
    x = (torch.arange(80, dtype=DOUBLE) + 0.5) / 10 - 4
    assert torch.autograd.gradcheck(
        lambda t: jensenshannon(torch.relu(1 - (x + 2).abs()), torch.relu(1 - (x - t).abs())),
        (torch.tensor(theta, dtype=DOUBLE, requires_grad=True),))


def test_the_gradient_at_p_equals_q_is_nan_for_the_distance_and_its_square():
    """The divergence has a minimum at p == q (gradient 0); sqrt's derivative is infinite at
    0, so autograd computes inf * 0 terms: nan. Train on the divergence itself."""
    p = torch.tensor([0.2, 0.3, 0.5], dtype=DOUBLE, requires_grad=True)
    for f in (lambda p: jensenshannon(p, p.detach()), lambda p: jensenshannon(p, p.detach()) ** 2):
        (grad,) = torch.autograd.grad(f(p), p)
        assert grad.isnan().all()
    # Just off the diagonal, the distance's gradient is finite and of size about 1, not 0:
    # sqrt(JS) grows linearly away from p == q, like a norm, so it has no derivative there.
    near = (p.detach() + torch.tensor([1e-6, -1e-6, 0.0], dtype=DOUBLE)).requires_grad_()
    (grad,) = torch.autograd.grad(jensenshannon(near, p.detach()), near)
    assert torch.isfinite(grad).all() and 0.1 < grad.norm() < 10
