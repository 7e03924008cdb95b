"""The from-scratch initializations (snippets/from_scratch/init.py) against torch.nn.init.

Random draws, bit for bit: torch's function and ours fill two tensors from generators with
the same seed (or from the global generator, seeded the same way); the results must be
torch.equal, and both generators must end in the same state (the same number of draws).
This holds for every random function but sparse_ with a generator (torch 2.13 draws its
permutations from the global generator; ours from the given one): there, and for the
distributions themselves, properties are checked too (bounds and moments of trunc_normal_,
Q^T Q = gain^2 I for orthogonal_, zeros per column for sparse_).
Grid: every combination of the options on fixed shapes; hypothesis: random shapes, seeds and
options (derandomize=True, so every run draws the same examples).
Errors and warnings: same type, same message.
The last tests prove that the checks fail on a wrong implementation.
"""

from __future__ import annotations

import inspect
import itertools
import math
import re
import warnings
from typing import Any

import pytest
import torch
from hypothesis import event, given, settings
from hypothesis import strategies as st
from torch import nn

from snippets.from_scratch import init

SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=60)
DTYPES = (torch.float32, torch.float64)

RANDOM = ("uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "xavier_normal_",
          "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_")
DETERMINISTIC = ("constant_", "ones_", "zeros_", "eye_", "dirac_")
OURS_TO_TORCH = {"calculate_fan_in_and_fan_out": "_calculate_fan_in_and_fan_out"}


# The global CPU generator. torch.manual_seed would also seed every other device, lazily,
# saving a stack trace each time: an order of magnitude slower here.
GLOBAL = torch.default_generator


def torch_function(name: str):
    return getattr(nn.init, OURS_TO_TORCH.get(name, name))


@pytest.fixture(autouse=True)
def keep_global_rng():
    """Tests seed the global generator; leave it as it was for the other modules."""
    state = GLOBAL.get_state()
    yield
    GLOBAL.set_state(state)


def test_signatures_match_torch():
    """Same parameter names, kinds and defaults (annotations are simplified: str, not
    Literal[...], and torch.Generator for torch._C.Generator)."""
    for name in ("calculate_gain", "calculate_fan_in_and_fan_out", *RANDOM, *DETERMINISTIC):
        ours = inspect.signature(getattr(init, name)).parameters.values()
        theirs = inspect.signature(torch_function(name)).parameters.values()
        assert [(p.name, p.kind, p.default) for p in ours] == [
            (p.name, p.kind, p.default) for p in theirs], name


# --- comparison helpers --------------------------------------------------------------------

def blank(shape: tuple[int, ...], dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A tensor to initialize, filled with NaN so that an element left untouched fails."""
    if dtype.is_floating_point:
        return torch.full(shape, math.nan, dtype=dtype)
    return torch.full(shape, -7, dtype=dtype)


def assert_identical(actual: torch.Tensor, expected: torch.Tensor, what: str) -> None:
    """Same dtype, shape and bits: torch.equal (-0.0 == 0.0; NaN, never equal, is what an
    element left untouched holds)."""
    assert (actual.dtype, actual.shape) == (expected.dtype, expected.shape), (
        f"{what}: {actual.dtype} {list(actual.shape)}, torch: "
        f"{expected.dtype} {list(expected.shape)}")
    if not torch.equal(actual, expected):
        differ = actual != expected
        first = [i.item() for i in differ.nonzero()[0]]
        raise AssertionError(
            f"{what}: not bit-identical, {differ.sum().item()} of {differ.numel()} elements "
            f"differ; at {first}: {actual[tuple(first)].item()!r}, torch: "
            f"{expected[tuple(first)].item()!r}")


def assert_same_as_torch(name: str, shape: tuple[int, ...], kwargs: dict[str, Any], *,
                         seed: int = 0, dtype: torch.dtype = torch.float32,
                         use_generator: bool = True) -> None:
    """torch's name(tensor, **kwargs) and ours, from the same generator state: the same
    tensor object is returned, filled with the same bits, and the generators end equal.

    use_generator=False: no generator argument; the global generator is seeded instead.
    """
    what = f"{name}({dtype} {list(shape)}, {kwargs}, seed={seed}, generator={use_generator})"
    results, states = [], []
    for function in (torch_function(name), getattr(init, name)):  # looked up now: patchable
        tensor = blank(shape, dtype)
        if use_generator:
            g = torch.Generator().manual_seed(seed)
            returned = function(tensor, **kwargs, generator=g)
            states.append(g.get_state())
        else:
            GLOBAL.manual_seed(seed)
            returned = function(tensor, **kwargs)
            states.append(GLOBAL.get_state())
        assert returned is tensor, f"{what}: {function.__module__} returned another tensor"
        results.append(tensor)
    expected, actual = results
    assert_identical(actual, expected, what)
    assert torch.equal(states[0], states[1]), f"{what}: the generators end in different states"


# --- single draws: a grid on fixed shapes -------------------------------------------------

LINEAR_SHAPES = [(5, 3), (3, 5), (4, 4), (1, 1), (1, 7)]
CONV_SHAPES = [(4, 3, 5), (2, 6, 3, 3), (8, 2, 1, 2), (3, 2, 2, 3, 2)]
SHAPES = LINEAR_SHAPES + CONV_SHAPES
RNG = {"generator": True, "global RNG": False}

UNIFORM_BOUNDS = [dict(), dict(a=-2.0, b=3.5), dict(a=-0.125, b=0.1), dict(a=1, b=1)]
NORMAL_PARAMS = [dict(), dict(mean=1.5, std=0.2), dict(mean=-3.0, std=10.0), dict(std=0.0)]
XAVIER_GAINS = [dict(), dict(gain=nn.init.calculate_gain("relu")), dict(gain=5.0 / 3),
                dict(gain=0.75), dict(gain=2), dict(gain=0.0)]
NONLINEARITIES = [  # (nonlinearity, a); None: the argument is left out
    (None, None), ("leaky_relu", None), ("leaky_relu", 0), ("leaky_relu", 0.01),
    ("leaky_relu", 0.2), ("leaky_relu", 1), ("leaky_relu", -0.5), ("leaky_relu", 3),
    ("relu", None), ("relu", 0.3), ("tanh", None), ("selu", None), ("linear", None),
    ("sigmoid", None), ("conv2d", None), ("conv_transpose3d", None),
]
MODES = [None, "fan_in", "fan_out", "FAN_OUT", "Fan_In"]


def kaiming_kwargs(nonlinearity: str | None, a: float | None, mode: str | None) -> dict:
    given_ = dict(nonlinearity=nonlinearity, a=a, mode=mode)
    return {k: v for k, v in given_.items() if v is not None}


@pytest.mark.parametrize("rng", RNG.values(), ids=RNG.keys())
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_grid_single_draws(shape, dtype, rng):
    seeds = itertools.count()
    cases = ([("uniform_", kw) for kw in UNIFORM_BOUNDS]
             + [("normal_", kw) for kw in NORMAL_PARAMS]
             + [(name, kw) for name in ("xavier_uniform_", "xavier_normal_")
                for kw in XAVIER_GAINS]
             + [(name, kaiming_kwargs(nonlinearity, a, mode))
                for name in ("kaiming_uniform_", "kaiming_normal_")
                for (nonlinearity, a), mode in itertools.product(NONLINEARITIES, MODES)])
    for name, kwargs in cases:
        assert_same_as_torch(name, shape, kwargs, seed=next(seeds), dtype=dtype,
                             use_generator=rng)


@pytest.mark.parametrize("name", ["uniform_", "normal_", "trunc_normal_", "xavier_uniform_",
                                  "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
                                  "orthogonal_"])
def test_non_contiguous_tensors_match_torch(name):
    """A transposed weight (x @ w in a layer, see torch's kaiming docstring)."""
    for use_generator in (True, False):
        tensors = []
        for function in (getattr(nn.init, name), getattr(init, name)):
            GLOBAL.manual_seed(1)
            g = torch.Generator().manual_seed(1) if use_generator else None
            tensors.append(function(blank((6, 4)).T, generator=g))
        assert not tensors[0].is_contiguous()
        assert_identical(tensors[1], tensors[0], name)


# --- single draws: random shapes and options (hypothesis) ----------------------------------

seeds = st.integers(min_value=0, max_value=2**63 - 1)


@st.composite
def weight_shapes(draw) -> tuple[int, ...]:
    """(out_features, in_features) or (out_channels, in_channels, k1[, k2[, k3]])."""
    dims = draw(st.sampled_from([2, 2, 3, 4, 5]))
    if dims == 2:
        return (draw(st.integers(1, 64)), draw(st.integers(1, 64)))
    channels = (draw(st.integers(1, 16)), draw(st.integers(1, 16)))
    return channels + tuple(draw(st.lists(st.integers(1, 5), min_size=dims - 2,
                                          max_size=dims - 2)))


finite = dict(allow_nan=False, allow_infinity=False)
slopes = st.none() | st.integers(-3, 3) | st.floats(-5, 5, **finite)
nonlinearity_and_a = st.tuples(st.just("leaky_relu"), slopes) | st.tuples(
    st.sampled_from(["relu", "tanh", "selu", "linear", "sigmoid", "conv1d"]), st.none())


@st.composite
def single_draw_cases(draw) -> tuple[str, dict]:
    name = draw(st.sampled_from(["uniform_", "normal_", "xavier_uniform_", "xavier_normal_",
                                 "kaiming_uniform_", "kaiming_normal_"]))
    if name == "uniform_":
        a = draw(st.floats(-10, 10, **finite))
        return name, dict(a=a, b=a + draw(st.floats(0, 10, **finite)))
    if name == "normal_":
        return name, dict(mean=draw(st.floats(-10, 10, **finite)),
                          std=draw(st.floats(0, 10, **finite)))
    if name.startswith("xavier"):
        return name, dict(gain=draw(st.floats(0, 4, **finite) | st.integers(0, 4)))
    nonlinearity, a = draw(nonlinearity_and_a)
    return name, kaiming_kwargs(nonlinearity, a, draw(st.sampled_from(MODES)))


@settings(SETTINGS, max_examples=150)
@given(weight_shapes(), single_draw_cases(), seeds, st.sampled_from(DTYPES), st.booleans())
def test_single_draws_match_torch(shape, case, seed, dtype, use_generator):
    name, kwargs = case
    assert_same_as_torch(name, shape, kwargs, seed=seed, dtype=dtype,
                         use_generator=use_generator)


# --- deterministic fills -------------------------------------------------------------------

def assert_fill_same_as_torch(name: str, shape: tuple[int, ...], dtype: torch.dtype,
                              **kwargs) -> None:
    expected = blank(shape, dtype)
    actual = blank(shape, dtype)
    assert getattr(nn.init, name)(expected, **kwargs) is expected
    assert getattr(init, name)(actual, **kwargs) is actual
    assert_identical(actual, expected, f"{name}({dtype} {list(shape)}, {kwargs})")


FILL_DTYPES = (torch.float32, torch.float64, torch.float16, torch.int64)


@pytest.mark.parametrize("dtype", FILL_DTYPES, ids=str)
def test_constant_ones_zeros_match_torch(dtype):
    for shape in [(), (5,), (3, 4), (2, 3, 4), (0, 3)]:
        for val in (0, 1, -2.5, 3, 1e-3):
            if dtype == torch.int64 and val != int(val):
                continue
            assert_fill_same_as_torch("constant_", shape, dtype, val=val)
        assert_fill_same_as_torch("ones_", shape, dtype)
        assert_fill_same_as_torch("zeros_", shape, dtype)


@pytest.mark.parametrize("dtype", FILL_DTYPES, ids=str)
def test_eye_matches_torch(dtype):
    for shape in [(3, 3), (2, 5), (5, 2), (1, 1), (1, 4), (0, 3), (3, 0)]:
        assert_fill_same_as_torch("eye_", shape, dtype)
        transposed = [blank(shape[::-1], dtype).T for _ in range(2)]  # not contiguous
        nn.init.eye_(transposed[0])
        init.eye_(transposed[1])
        assert_identical(transposed[1], transposed[0], f"eye_ of a transposed {shape}")


DIRAC_SHAPES = [  # out_channels divisible by 2, so that groups=2 is valid
    (4, 4, 3), (2, 4, 3), (6, 2, 4), (4, 3, 1), (2, 2, 2),
    (4, 4, 3, 3), (2, 4, 3, 2), (6, 2, 4, 5), (4, 1, 1, 1),
    (4, 4, 3, 3, 3), (2, 3, 2, 3, 4), (6, 2, 1, 1, 2),
]


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("dtype", FILL_DTYPES, ids=str)
@pytest.mark.parametrize("shape", DIRAC_SHAPES, ids=str)
def test_dirac_matches_torch(shape, dtype, groups):
    assert_fill_same_as_torch("dirac_", shape, dtype, groups=groups)


def test_dirac_with_more_groups_matches_torch():
    for shape, groups in [((6, 2, 3), 3), ((6, 2, 3, 3), 6), ((8, 5, 3, 3, 3), 4)]:
        assert_fill_same_as_torch("dirac_", shape, torch.float32, groups=groups)


def test_dirac_copies_its_input():
    """What the identity is for: a conv with the dirac weight returns its input."""
    x = torch.randn(2, 3, 7, 6, dtype=torch.float64)
    weight = init.dirac_(torch.empty(3, 3, 3, 3, dtype=torch.float64))
    assert torch.equal(torch.nn.functional.conv2d(x, weight, padding=1), x)


# --- calculate_gain and the fans -----------------------------------------------------------

def assert_gain_same_as_torch(*args) -> None:
    expected = nn.init.calculate_gain(*args)
    actual = init.calculate_gain(*args)
    assert actual == expected and type(actual) is type(expected), (args, actual, expected)


def test_calculate_gain_matches_torch():
    for name in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                 "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
                 "leaky_relu", "selu"):
        assert_gain_same_as_torch(name)
        assert_gain_same_as_torch(name, None)
    for slope in (0, 1, -1, 3, 0.01, 0.2, -0.5, 1e-3, 100.0, 1e100, 10**100):
        assert_gain_same_as_torch("leaky_relu", slope)
    assert_gain_same_as_torch("relu", "a param the other nonlinearities ignore")
    assert type(nn.init.calculate_gain("linear")) is int  # 1, not 1.0, in torch 2.13


@pytest.mark.parametrize("shape", [(2, 3), (3, 2), (1, 1), (4, 3, 5), (2, 6, 3, 3),
                                   (3, 2, 2, 3, 2), (0, 3), (3, 0, 2), (2, 3, 0, 4)], ids=str)
def test_fans_match_torch(shape):
    tensor = torch.empty(shape)
    fans = init.calculate_fan_in_and_fan_out(tensor)
    assert fans == nn.init._calculate_fan_in_and_fan_out(tensor)
    assert all(type(fan) is int for fan in fans)


# --- trunc_normal_ -------------------------------------------------------------------------

# Large enough for moments within a few percent, small enough for torch to keep each
# operation on one thread (at most 32768 elements): on a busy machine, a parallel region
# per operation of the rejection loops (up to ~80 of them) takes seconds.
LARGE = (150, 200)

TRUNC_NORMAL_PARAMS = [  # (mean, std, a, b); p: the normal's mass inside [a, b]
    (0.0, 1.0, -2.0, 2.0),    # torch's default, p = 0.95: normal draws, redrawn outside
    (0.5, 2.0, -1.0, 3.0),    # p = 0.67
    (0.0, 1.0, -1.0, 3.0),    # p = 0.84, asymmetric
    (0.0, 0.02, -0.04, 0.04),  # a ViT-style init
    (0.0, 1.0, -0.1, 0.1),    # p = 0.08: uniform draws, accepted with pdf(x) / pdf(mode)
    (0.0, 1.0, 1.0, 3.0),     # p = 0.16, a one-sided tail
    (2.0, 0.5, -1.0, 1.5),    # p = 0.16, the mean above b (by one std)
    (0.0, 1.0, 0.5, 0.5),     # a = b: every value is a
]


def truncated_normal_moments(mean: float, std: float, a: float, b: float) -> tuple[float, float]:
    """Mean and standard deviation of N(mean, std^2) conditioned on [a, b], a < b."""
    def Phi(z):
        return (1 + math.erf(z / math.sqrt(2))) / 2

    def phi(z):
        return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)

    alpha, beta = (a - mean) / std, (b - mean) / std
    Z = Phi(beta) - Phi(alpha)
    shift = (phi(alpha) - phi(beta)) / Z
    variance = 1 + (alpha * phi(alpha) - beta * phi(beta)) / Z - shift**2
    return mean + std * shift, std * math.sqrt(variance)


@pytest.mark.parametrize("params", TRUNC_NORMAL_PARAMS, ids=str)
def test_trunc_normal_matches_torch(params):
    """Ours makes torch 2.13's rejection sampling draws (not the inverse-CDF of older
    torch versions), so the bits are the same as well."""
    mean, std, a, b = params
    kwargs = dict(mean=mean, std=std, a=a, b=b)
    for (shape, dtype), rng in itertools.product(
            [((300,), torch.float32), ((40, 30), torch.float64), ((3, 4, 5), torch.float16)],
            (True, False)):
        assert_same_as_torch("trunc_normal_", shape, kwargs, seed=11, dtype=dtype,
                             use_generator=rng)


def assert_truncated_normal(x: torch.Tensor, mean: float, std: float, a: float,
                            b: float) -> None:
    """Every value in [a, b]; mean and std within 6 standard errors of the theory's."""
    assert a <= x.min() and x.max() <= b, (x.min(), x.max())
    mu, sigma = truncated_normal_moments(mean, std, a, b)
    n = x.numel()
    x = x.double()
    assert abs(x.mean().item() - mu) < 6 * sigma / math.sqrt(n), (x.mean().item(), mu)
    # the standard error of a sample std is < sigma / sqrt(n) for these light tails
    assert abs(x.std().item() - sigma) < 6 * sigma / math.sqrt(n), (x.std().item(), sigma)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("params", TRUNC_NORMAL_PARAMS[:-1], ids=str)
def test_trunc_normal_has_the_truncated_moments(params, dtype):
    mean, std, a, b = params
    g = torch.Generator().manual_seed(5)
    x = init.trunc_normal_(torch.empty(LARGE, dtype=dtype), mean, std, a, b, generator=g)
    assert_truncated_normal(x, mean, std, a, b)


@st.composite
def trunc_normal_kwargs(draw) -> dict:
    """[a, b] starting within 3 std of the mean, up to 6 std wide."""
    mean = draw(st.floats(-5, 5, **finite))
    std = draw(st.floats(0.01, 5, **finite))
    a = mean + std * draw(st.sampled_from([-3, -2, -1, 0.5]) | st.floats(-3, 3, **finite))
    width = draw(st.sampled_from([0.5, 2, 4, 6]) | st.floats(0, 6, **finite))
    return dict(mean=mean, std=std, a=a, b=a + std * width)


@settings(SETTINGS, max_examples=40)
@given(weight_shapes(), trunc_normal_kwargs(), seeds, st.sampled_from(DTYPES), st.booleans())
def test_trunc_normal_matches_torch_on_random_cases(shape, kwargs, seed, dtype, use_generator):
    alpha, beta = ((kwargs[end] - kwargs["mean"]) / kwargs["std"] for end in "ab")
    mass = (math.erf(beta / math.sqrt(2)) - math.erf(alpha / math.sqrt(2))) / 2
    event("normal draws (mass > 0.3)" if mass > 0.3 else "uniform draws (mass <= 0.3)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the mean more than 2 std from [a, b]: tested below
        assert_same_as_torch("trunc_normal_", shape, kwargs, seed=seed, dtype=dtype,
                             use_generator=use_generator)


# --- orthogonal_ ---------------------------------------------------------------------------

def assert_orthogonal(w: torch.Tensor, gain: float, atol: float = 1e-5) -> None:
    """W (flattened to rows x cols): W^T W = gain^2 I if rows >= cols, else W W^T, within
    atol * max(gain^2, 1)."""
    rows = w.shape[0]
    m = w.reshape(rows, -1).double()
    product = m.T @ m if rows >= m.shape[1] else m @ m.T
    eye = torch.eye(product.shape[0], dtype=torch.float64)
    error = (product - gain**2 * eye).abs().max().item()
    assert error < atol * max(gain**2, 1), f"{list(w.shape)}: |W^T W - gain^2 I| = {error}"


ORTHOGONAL_SHAPES = [(6, 6), (8, 3), (3, 8), (1, 5), (5, 1), (1, 1),
                     (4, 3, 2, 2), (16, 2, 3), (2, 3, 2, 2, 2), (20, 1, 3, 1)]


@pytest.mark.parametrize("gain", [1, 2.5, math.sqrt(2.0), 0.1])
@pytest.mark.parametrize("shape", ORTHOGONAL_SHAPES, ids=str)
def test_orthogonal_is_orthogonal_and_matches_torch(shape, gain):
    for seed, dtype in enumerate(DTYPES):
        g = torch.Generator().manual_seed(seed)
        w = init.orthogonal_(blank(shape, dtype), gain, generator=g)
        assert_orthogonal(w, gain)
        for rng in (True, False):
            assert_same_as_torch("orthogonal_", shape, dict(gain=gain), seed=seed, dtype=dtype,
                                 use_generator=rng)


@settings(SETTINGS, max_examples=40)
@given(weight_shapes(), st.floats(0, 4, **finite) | st.integers(0, 4), seeds,
       st.sampled_from(DTYPES))
def test_orthogonal_matches_torch_on_random_shapes(shape, gain, seed, dtype):
    g = torch.Generator().manual_seed(seed)
    assert_orthogonal(init.orthogonal_(torch.empty(shape, dtype=dtype), gain, generator=g),
                      gain, atol=1e-5 if dtype == torch.float32 else 1e-12)
    assert_same_as_torch("orthogonal_", shape, dict(gain=gain), seed=seed, dtype=dtype)


def test_orthogonal_of_zero_elements_is_a_no_op():
    for shape in [(0, 3), (3, 0), (2, 0, 4)]:
        for function in (nn.init.orthogonal_, init.orthogonal_):
            g = torch.Generator().manual_seed(0)
            state = g.get_state()
            assert function(torch.empty(shape), generator=g).shape == shape
            assert torch.equal(g.get_state(), state)


# --- sparse_ -------------------------------------------------------------------------------

SPARSE_CASES = [  # (shape, sparsity, std)
    ((300, 100), 0.1, 0.01), ((300, 100), 0.5, 1.0), ((301, 100), 0.9, 0.3),
    ((300, 100), 0.0, 0.05), ((10, 7), 0.33, 0.01), ((1, 5), 0.5, 0.01), ((6, 4), 1.0, 0.01),
]


def assert_sparse(w: torch.Tensor, sparsity: float, std: float) -> None:
    """Exactly ceil(sparsity * rows) zeros in every column; the others ~ N(0, std^2)."""
    rows = w.shape[0]
    zeros = (w == 0).sum(dim=0)
    assert torch.equal(zeros, torch.full_like(zeros, math.ceil(sparsity * rows))), zeros
    nonzero = w[w != 0].double()
    if nonzero.numel() > 1000:
        n = nonzero.numel()
        assert abs(nonzero.mean().item()) < 6 * std / math.sqrt(n)
        assert abs(nonzero.std().item() - std) < 6 * std / math.sqrt(n)


@pytest.mark.parametrize("shape, sparsity, std", SPARSE_CASES, ids=str)
def test_sparse_properties(shape, sparsity, std):
    for dtype in DTYPES:
        g = torch.Generator().manual_seed(3)
        assert_sparse(init.sparse_(torch.empty(shape, dtype=dtype), sparsity, std, generator=g),
                      sparsity, std)


@pytest.mark.parametrize("shape, sparsity, std", SPARSE_CASES, ids=str)
def test_sparse_matches_torch_with_the_global_generator(shape, sparsity, std):
    """Without a generator both draw the values, then one randperm per column, from the
    global generator: the same bits."""
    assert_same_as_torch("sparse_", shape, dict(sparsity=sparsity, std=std), seed=4,
                         use_generator=False)


def test_sparse_with_a_generator_depends_on_it_alone():
    """Ours: the seed of the generator fixes the result, the global generator is neither
    read nor advanced. torch 2.13 draws the zeros' rows from the global generator."""
    results = {}
    for global_seed, library in itertools.product((1, 2), ("torch", "ours")):
        GLOBAL.manual_seed(global_seed)
        before = GLOBAL.get_state()
        function = nn.init.sparse_ if library == "torch" else init.sparse_
        results[global_seed, library] = function(
            torch.empty(8, 6), 0.5, generator=torch.Generator().manual_seed(0))
        global_unchanged = torch.equal(GLOBAL.get_state(), before)
        assert global_unchanged == (library == "ours")
    assert torch.equal(results[1, "ours"], results[2, "ours"])
    assert not torch.equal(results[1, "torch"], results[2, "torch"])
    # the values, drawn before the zeros, come from the generator in both
    ours, theirs = results[1, "ours"], results[1, "torch"]
    both = (ours != 0) & (theirs != 0)
    assert both.any() and torch.equal(ours[both], theirs[both])


# --- every function: in place, without autograd --------------------------------------------

def call_with_defaults(name: str, tensor: torch.Tensor, module=init) -> torch.Tensor:
    """The required arguments are constant_'s val and sparse_'s sparsity."""
    extra = {"constant_": (0.5,), "sparse_": (0.25,)}.get(name, ())
    return getattr(module, name)(tensor, *extra)


@pytest.mark.parametrize("name", RANDOM + DETERMINISTIC)
def test_parameters_are_filled_in_place_without_a_graph(name):
    shape = (4, 4, 3) if name == "dirac_" else (5, 4)
    weight = nn.Parameter(torch.full(shape, math.nan))
    returned = call_with_defaults(name, weight)
    assert returned is weight and weight.requires_grad and weight.grad_fn is None
    assert not weight.isnan().any()


@pytest.mark.parametrize("name", RANDOM + DETERMINISTIC)
def test_meta_tensors_are_accepted_like_torch(name):
    """No storage, nothing to fill: torch returns early or runs on meta; so does ours."""
    shape = (4, 4, 3) if name == "dirac_" else (5, 4)
    for module in (nn.init, init):
        tensor = torch.empty(shape, device="meta")
        assert call_with_defaults(name, tensor, module) is tensor


# --- errors and warnings -------------------------------------------------------------------

def assert_same_error(name: str, args, kwargs, error: type[Exception], message: str) -> None:
    """torch and ours raise exactly `error`, with equal messages that contain `message`."""
    with pytest.raises(error, match=re.escape(message)) as theirs:
        torch_function(name)(*args, **kwargs)
    with pytest.raises(error, match=re.escape(message)) as ours:
        getattr(init, name)(*args, **kwargs)
    assert type(theirs.value) is error, "pytest.raises also accepts subclasses"
    assert type(ours.value) is error, f"{type(ours.value).__name__}, not {error.__name__}"
    assert str(ours.value) == str(theirs.value), (
        f"messages differ:\ntorch: {theirs.value}\nours:  {ours.value}")


FANS = "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
MODE = "not supported, please use one of ['fan_in', 'fan_out']"
W = torch.empty(3, 4)
V = torch.empty(5)
S = torch.tensor(1.0)
FAN_INITS = ("calculate_fan_in_and_fan_out", "xavier_uniform_", "xavier_normal_",
             "kaiming_uniform_", "kaiming_normal_")
KAIMING = ("kaiming_uniform_", "kaiming_normal_")

ERRORS = [
    *[(name, "1-D", (V,), {}, ValueError, FANS) for name in FAN_INITS],
    *[(name, "0-D", (S,), {}, ValueError, FANS) for name in FAN_INITS],
    *[(name, "mode", (W,), {"mode": "fan_avg"}, ValueError, f"Mode fan_avg {MODE}")
      for name in KAIMING],
    *[(name, "mode, lowered in the message", (W,), {"mode": "Fan_Avg"}, ValueError,
       f"Mode fan_avg {MODE}") for name in KAIMING],
    *[(name, "mode before the fans", (V,), {"mode": "in"}, ValueError, f"Mode in {MODE}")
      for name in KAIMING],
    *[(name, "mode None", (W,), {"mode": None}, AttributeError,
       "'NoneType' object has no attribute 'lower'") for name in KAIMING],
    *[(name, "fans before the nonlinearity", (V,), {"nonlinearity": "gelu"}, ValueError, FANS)
      for name in KAIMING],
    *[(name, "nonlinearity", (W,), {"nonlinearity": "gelu"}, ValueError,
       "Unsupported nonlinearity gelu") for name in KAIMING],
    *[(name, "a string slope", (W,), {"a": "0.1"}, ValueError,
       "negative_slope 0.1 not a valid number") for name in KAIMING],
    *[(name, "a bool slope", (W,), {"a": True}, ValueError,
       "negative_slope True not a valid number") for name in KAIMING],
    *[(name, "no elements at all", (torch.empty(0, 0),), {}, ZeroDivisionError,
       "float division by zero") for name in ("xavier_uniform_", "xavier_normal_")],
    ("calculate_gain", "unsupported", ("gelu",), {}, ValueError, "Unsupported nonlinearity gelu"),
    ("calculate_gain", "module name", ("ReLU",), {}, ValueError, "Unsupported nonlinearity ReLU"),
    ("calculate_gain", "empty", ("",), {}, ValueError, "Unsupported nonlinearity "),
    ("calculate_gain", "None", (None,), {}, ValueError, "Unsupported nonlinearity None"),
    ("calculate_gain", "string param", ("leaky_relu", "0.2"), {}, ValueError,
     "negative_slope 0.2 not a valid number"),
    ("calculate_gain", "True param", ("leaky_relu", True), {}, ValueError,
     "negative_slope True not a valid number"),
    ("calculate_gain", "False param", ("leaky_relu", False), {}, ValueError,
     "negative_slope False not a valid number"),
    ("calculate_gain", "list param", ("leaky_relu", [0.2]), {}, ValueError,
     "negative_slope [0.2] not a valid number"),
    ("calculate_gain", "complex param", ("leaky_relu", 0.2j), {}, ValueError,
     "negative_slope 0.2j not a valid number"),
    ("calculate_gain", "tensor param", ("leaky_relu", torch.tensor(0.2)), {}, ValueError,
     "negative_slope 0.20000000298023224 not a valid number"),
    ("calculate_gain", "a slope whose square overflows", ("leaky_relu", 1e200), {},
     OverflowError, "(34, 'Numerical result out of range')"),
    ("eye_", "1-D", (V,), {}, ValueError, "Only tensors with 2 dimensions are supported"),
    ("eye_", "3-D", (torch.empty(2, 2, 2),), {}, ValueError,
     "Only tensors with 2 dimensions are supported"),
    ("dirac_", "2-D", (W,), {}, ValueError,
     "Only tensors with 3, 4, or 5 dimensions are supported"),
    ("dirac_", "6-D", (torch.empty(2, 2, 1, 1, 1, 1),), {}, ValueError,
     "Only tensors with 3, 4, or 5 dimensions are supported"),
    ("dirac_", "groups", (torch.empty(4, 2, 3),), {"groups": 3}, ValueError,
     "dim 0 must be divisible by groups"),
    ("dirac_", "groups 0", (torch.empty(4, 2, 3),), {"groups": 0}, ZeroDivisionError,
     "integer modulo by zero"),
    ("dirac_", "a kernel size 0", (torch.empty(2, 2, 0),), {}, IndexError,
     "index 0 is out of bounds for dimension 2 with size 0"),
    ("orthogonal_", "1-D", (V,), {}, ValueError,
     "Only tensors with 2 or more dimensions are supported"),
    ("orthogonal_", "0-D", (S,), {}, ValueError,
     "Only tensors with 2 or more dimensions are supported"),
    ("sparse_", "1-D", (V, 0.5), {}, ValueError, "Only tensors with 2 dimensions are supported"),
    ("sparse_", "3-D", (torch.empty(2, 3, 4), 0.5), {}, ValueError,
     "Only tensors with 2 dimensions are supported"),
    ("trunc_normal_", "std 0", (W,), {"std": 0.0}, ZeroDivisionError, "float division by zero"),
]


@pytest.mark.parametrize("name, args, kwargs, error, message",
                         [case[:1] + case[2:] for case in ERRORS],
                         ids=[f"{case[0]}: {case[1]}" for case in ERRORS])
def test_errors_match_torch(name, args, kwargs, error, message):
    assert_same_error(name, args, kwargs, error, message)


@pytest.mark.parametrize("name", KAIMING)
@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 0), (4, 0, 3, 3)], ids=str)
def test_kaiming_of_zero_elements_warns_like_torch(name, shape):
    """A no-op with a UserWarning pointing at the caller, before any check: a 1-D
    (0,) tensor or a bad mode raise nothing."""
    for module in (nn.init, init):
        g = torch.Generator().manual_seed(0)
        state = g.get_state()
        with pytest.warns(UserWarning) as record:
            getattr(module, name)(torch.empty(shape), mode="no such mode", generator=g)
        assert [str(w.message) for w in record] == ["Initializing zero-element tensors is a no-op"]
        assert record[0].filename == __file__, module.__name__
        assert torch.equal(g.get_state(), state)


def test_trunc_normal_warns_like_torch_when_the_mean_is_far():
    """Same message and category. torch's stacklevel points into torch/nn/init.py (the
    warning is raised one call deeper than its stacklevel assumes); ours, at the caller."""
    for mean, a, b in [(0.0, 2.5, 4.0), (0.0, -4.0, -2.5), (5.0, -1.0, 1.0)]:
        records = []
        for module in (nn.init, init):
            with pytest.warns(UserWarning) as record:
                x = module.trunc_normal_(torch.empty(100), mean, 1.0, a, b,
                                         generator=torch.Generator().manual_seed(0))
            assert a <= x.min() and x.max() <= b
            records.append(record)
        theirs, ours = ([(w.category, str(w.message)) for w in r] for r in records)
        assert ours == theirs == [(UserWarning, "mean is more than 2 std from [a, b] in "
                                   "nn.init.trunc_normal_. The distribution of values may "
                                   "be incorrect.")]
        assert records[0][0].filename == nn.init.__file__
        assert records[1][0].filename == __file__


def test_deprecated_aliases_exist_only_in_torch():
    """torch keeps nn.init.uniform, normal, ... (no underscore), with a FutureWarning;
    they are not reimplemented."""
    with pytest.warns(FutureWarning, match="`nn.init.uniform` is now deprecated"):
        nn.init.uniform(torch.empty(2))
    assert not hasattr(init, "uniform")


# --- the checks can fail -------------------------------------------------------------------

def test_draw_check_fails_on_kaiming_with_the_wrong_fan(monkeypatch):
    """A kaiming_uniform_ that divides by fan_out where fan_in is asked for, and back."""
    right = init.kaiming_uniform_

    def wrong(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
        other = {"fan_in": "fan_out", "fan_out": "fan_in"}[mode.lower()]
        return right(tensor, a, other, nonlinearity, generator)

    assert_same_as_torch("kaiming_uniform_", (5, 3), {})  # the right one passes
    monkeypatch.setattr(init, "kaiming_uniform_", wrong)
    assert_same_as_torch("kaiming_uniform_", (4, 4), {})  # square: fan_in = fan_out
    assert_same_as_torch("kaiming_uniform_", (4, 4, 3, 3), {})  # in = out channels
    with pytest.raises(AssertionError, match="not bit-identical"):
        assert_same_as_torch("kaiming_uniform_", (5, 3), {})
    with pytest.raises(AssertionError, match="not bit-identical"):
        assert_same_as_torch("kaiming_uniform_", (4, 3, 3, 3), {"mode": "fan_out"})


def test_draw_check_fails_on_the_last_bit_of_the_bound(monkeypatch):
    """bound = gain * sqrt(3 / fan) is the same number on paper as sqrt(3) * gain / sqrt(fan),
    torch's, but not always in floating point: the bit-level check sees it."""
    def rewritten(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
        fan = init._calculate_correct_fan(tensor, mode)
        bound = init.calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
        with torch.no_grad():
            return tensor.uniform_(-bound, bound, generator=generator)

    gain = math.sqrt(2.0)
    fan = next(f for f in range(1, 100)
               if gain * math.sqrt(3.0 / f) != math.sqrt(3.0) * (gain / math.sqrt(f)))
    monkeypatch.setattr(init, "kaiming_uniform_", rewritten)
    assert_same_as_torch("kaiming_uniform_", (4, 1), {}, dtype=torch.float64)  # fan 1: equal
    with pytest.raises(AssertionError, match="not bit-identical"):
        assert_same_as_torch("kaiming_uniform_", (3, fan), {}, dtype=torch.float64)


def test_draw_check_fails_when_a_draw_is_added(monkeypatch):
    """Equal values but one more draw from the generator: the end states differ."""
    right = init.normal_

    def extra_draw(tensor, mean=0.0, std=1.0, generator=None):
        right(tensor, mean, std, generator)
        torch.empty(1).uniform_(generator=generator)
        return tensor

    monkeypatch.setattr(init, "normal_", extra_draw)
    with pytest.raises(AssertionError, match="the generators end in different states"):
        assert_same_as_torch("normal_", (3, 4), {})


def test_property_checks_fail_on_wrong_implementations():
    g = torch.Generator().manual_seed(0)
    assert_orthogonal(init.orthogonal_(torch.empty(6, 4), 2.0, generator=g), gain=2.0)
    with pytest.raises(AssertionError):  # orthogonal, but without the gain
        assert_orthogonal(init.orthogonal_(torch.empty(6, 4), generator=g), gain=2.0)
    with pytest.raises(AssertionError):  # a normal matrix is not orthogonal
        assert_orthogonal(torch.randn(6, 4, generator=g), gain=1.0)

    w = torch.randn(10, 6, generator=g) * 0.01
    w[:2] = 0  # floor(0.25 * 10) = 2 zeros per column, not ceil(2.5) = 3
    with pytest.raises(AssertionError):
        assert_sparse(w, 0.25, 0.01)

    # Clamped, not truncated: every value in [a, b], but the tails' mass sits on a and b.
    x = torch.randn(LARGE, generator=g).clamp_(-1.0, 3.0)
    assert -1.0 <= x.min() and x.max() <= 3.0
    with pytest.raises(AssertionError):
        assert_truncated_normal(x, 0.0, 1.0, -1.0, 3.0)


def test_error_check_fails_on_another_message(monkeypatch):
    def wrong(tensor, *args, **kwargs):
        raise ValueError("Only 2-D tensors are supported")

    monkeypatch.setattr(init, "eye_", wrong)
    with pytest.raises(AssertionError, match="messages differ"):
        assert_same_error("eye_", (V,), {}, ValueError, "are supported")


def test_error_check_fails_on_a_subclass_of_the_exception(monkeypatch):
    class NotQuiteValueError(ValueError):
        """pytest.raises(ValueError) takes it; the exact-type check must not."""

    def wrong(tensor, *args, **kwargs):
        raise NotQuiteValueError(FANS)

    monkeypatch.setattr(init, "xavier_normal_", wrong)
    with pytest.raises(AssertionError, match="NotQuiteValueError, not ValueError"):
        assert_same_error("xavier_normal_", (V,), {}, ValueError, FANS)
