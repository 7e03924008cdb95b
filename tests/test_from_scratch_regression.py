"""The from-scratch regression and distribution losses (snippets/from_scratch/losses.py:
l1_loss, mse_loss, smooth_l1_loss, huber_loss, poisson_nll_loss, gaussian_nll_loss, kl_div)
against torch.nn.functional.

Values, in float64 (and a few mixed dtypes), two ways:
- a grid: every combination of the options on fixed shape pairs, the same shape or two
  shapes torch broadcasts ((N,) against (N, 1), (3, 4) against (4,), ...);
- hypothesis: random broadcastable shape pairs (0-d to 3-D), seeds and options. Tensors come
  from a torch.Generator seeded by a drawn integer; derandomize=True, database=None, so every
  run draws the same examples.
Every comparison compares the warnings too: same category, message and file (the caller's).
Errors: the same exception type with the same message, after the same warnings.
The last tests prove that the value, dtype, warning and error checks fail on wrong code.
"""

from __future__ import annotations

import itertools
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from hypothesis import event, given, settings
from hypothesis import strategies as st

from snippets.from_scratch import losses
from tests import parity
from tests.parity import Case, assert_same_as_torch, assert_same_error

DOUBLE = torch.float64
REDUCTIONS = ("none", "mean", "sum")
KL_REDUCTIONS = ("none", "batchmean", "sum", "mean")
ELEMENTWISE = ("l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss")  # warn when broadcasting
WEIGHTED = ("l1_loss", "mse_loss", "huber_loss")  # torch 2.13 added `weight` to these three
SILENT = ("poisson_nll_loss", "gaussian_nll_loss", "kl_div")  # broadcast without a warning
NAMES = ELEMENTWISE + SILENT
BETAS = (0.0, 0.5, 1.0, 2.0)  # 0: torch's smooth_l1 is its l1
DELTAS = (0.5, 1.0, 2.0)
SCALES = (0.3, 1.0, 3.0)  # of x - y: mostly inside, around, mostly outside the quadratic part
VAR_KINDS = ("float", "full", "one per sample", "last dim 1", "first dim 1")

# database=None: no failing example is saved, and none saved by another run is replayed.
SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=50)

BROADCAST_WARNING = ("Using a target size ({}) that is different to the input size ({}). "
                     "This will likely lead to incorrect results due to broadcasting. "
                     "Please ensure they have the same size.")
KL_MEAN_WARNING = ("reduction: 'mean' divides the total loss by both the batch size and the "
                   "support size.'batchmean' divides only by the batch size, and aligns with "
                   "the KL div math definition.'mean' will be changed to behave the same as "
                   "'batchmean' in the next major release.")


SECTIONS = {"l1-loss": "l1_loss", "mse-loss": "mse_loss", "smooth-l1-loss": "smooth_l1_loss",
            "huber-loss": "huber_loss", "poisson-nll-loss": "poisson_nll_loss",
            "gaussian-nll-loss": "gaussian_nll_loss", "kl-div": "kl_div"}


def test_each_section_runs_with_the_sections_before_it():
    """A page includes a section verbatim: given `import math`, `import torch` and the
    sections above it in losses.py, it must define its function (and nothing after it may
    be needed)."""
    text = Path(losses.__file__).read_text(encoding="utf-8")
    sections = re.findall(r"^# --8<-- \[start:([\w-]+)\]\n(.*?)^# --8<-- \[end:\1\]$",
                          text, re.S | re.M)
    names = [name for name, _ in sections]
    first = names.index(next(iter(SECTIONS)))
    assert names[first:first + len(SECTIONS)] == list(SECTIONS)
    x = torch.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=DOUBLE)
    y = x.flip(0).abs()
    for i, (name, _) in enumerate(sections):
        if name not in SECTIONS:
            continue
        namespace: dict[str, Any] = {}
        exec("import math\nimport torch\n" + "".join(code for _, code in sections[:i + 1]),
             namespace)
        function = namespace[SECTIONS[name]]
        args = (x, y, 0.5) if name == "gaussian-nll-loss" else (x, y)
        assert torch.equal(function(*args, reduction="sum"),
                           getattr(losses, SECTIONS[name])(*args, reduction="sum")), name


# --- comparison helpers --------------------------------------------------------------------

# --- case builders, shared by the grid and hypothesis --------------------------------------

def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(shape, g: torch.Generator) -> torch.Tensor:
    return torch.randn(shape, generator=g, dtype=DOUBLE)


def positive(shape, g: torch.Generator) -> torch.Tensor:
    return torch.rand(shape, generator=g, dtype=DOUBLE) * 3 + 0.05


def some(shape, g: torch.Generator, p: float = 0.25) -> torch.Tensor:
    """A random mask, True with probability p."""
    return torch.rand(shape, generator=g) < p


def elementwise_case(name: str, shapes, *, seed: int, reduction: str, scale: float = 1.0,
                     weighted: bool = False, param: float | None = None) -> Case:
    """l1, mse, smooth_l1 (param: beta), huber (param: delta); weight of the input's shape."""
    input_shape, target_shape = shapes
    g = generator(seed)
    x = randn(input_shape, g) * scale
    y = randn(target_shape, g) * scale
    kwargs: dict[str, Any] = {"reduction": reduction}
    if weighted:
        kwargs["weight"] = positive(input_shape, g)
    if param is not None:
        kwargs["beta" if name == "smooth_l1_loss" else "delta"] = param
    return Case((x, y), kwargs)


def poisson_case(shapes, *, seed: int, log_input: bool, full: bool, eps: float,
                 reduction: str, long_target: bool = False) -> Case:
    """Counts 0..5 and some fractions in (0, 2), so that targets <= 1 (no Stirling term),
    = 1 and > 1 all appear. log_input=False: rates, a quarter of them exactly 0 (eps counts)."""
    input_shape, target_shape = shapes
    g = generator(seed)
    if log_input:
        x = randn(input_shape, g)
    else:
        x = positive(input_shape, g).masked_fill(some(input_shape, g), 0.0)
    y = torch.randint(0, 6, target_shape, generator=g)
    if not long_target:
        fractions = torch.rand(target_shape, generator=g, dtype=DOUBLE) * 2
        y = torch.where(some(target_shape, g, 0.3), fractions, y.to(DOUBLE))
    return Case((x, y), dict(log_input=log_input, full=full, eps=eps, reduction=reduction))


def var_shape(kind: str, input_shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape of var that torch accepts, or None where the kind does not apply.

    "one per sample" of a 1-D input is a 0-d var."""
    n = len(input_shape)
    if kind == "full":
        return input_shape
    if kind == "one per sample" and n >= 1:
        return input_shape[:-1]
    if kind == "last dim 1" and n >= 1:
        return input_shape[:-1] + (1,)
    if kind == "first dim 1" and n >= 2:
        return (1,) + input_shape[1:]
    return None


def gaussian_case(shapes, *, seed: int, var_kind: str, full: bool, eps: float,
                  reduction: str) -> Case:
    """Variances in (0.05, 3.05), a quarter of them below eps (0 or eps / 10): clamped."""
    input_shape, target_shape = shapes
    g = generator(seed)
    x = randn(input_shape, g)
    y = randn(target_shape, g)
    if var_kind == "float":
        var: Any = [0.0, eps / 10, 0.7, 2.5][seed % 4]
    else:
        shape = var_shape(var_kind, input_shape)
        assert shape is not None
        var = positive(shape, g)
        var = var.masked_fill(some(shape, g), 0.0).masked_fill(some(shape, g), eps / 10)
    return Case((x, y, var), dict(full=full, eps=eps, reduction=reduction))


def kl_case(shapes, *, seed: int, log_target: bool, zeros: bool, reduction: str) -> Case:
    """x: log-probabilities; y: probabilities (or their logs), some exactly 0 if `zeros`
    (y log y is then 0; with log_target, y = -inf and torch's exp(y)(y - x) is nan)."""
    input_shape, target_shape = shapes
    g = generator(seed)
    z = randn(input_shape, g) * 2
    x = z - z.exp().sum(-1, keepdim=True).log()  # log softmax (torch's first softmax is slow)
    e = (randn(target_shape, g) * 2).exp()
    p = e / e.sum(-1, keepdim=True)
    if zeros:
        p = p.masked_fill(some(target_shape, g), 0.0)
    y = p.log() if log_target else p
    return Case((x, y), dict(reduction=reduction, log_target=log_target))


# --- values: every combination of options on fixed shape pairs -----------------------------

SAME = [((), ()), ((5,), (5,)), ((3, 4), (3, 4)), ((2, 3, 4), (2, 3, 4))]
BROADCAST = [
    ((4,), (4, 1)),  # the classic mistake: a (N,) prediction against a (N, 1) target: N x N
    ((4, 1), (4,)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),  # the target has more elements than the input
    ((2, 1, 4), (3, 1)),  # both grow: (2, 3, 4)
    ((), (3,)),
    ((3,), ()),
    ((1, 4), (3, 4)),  # kl_div 'batchmean' divides by the input's 1, not 3
]
PAIRS = SAME + BROADCAST
EMPTY = [((0,), (0,)), ((2, 0), (2, 1)), ((0, 3), (3,))]


def pair_id(shapes) -> str:
    return f"{list(shapes[0])} vs {list(shapes[1])}"


@pytest.mark.parametrize("shapes", PAIRS, ids=pair_id)
def test_grid_l1_and_mse(shapes):
    """No threshold here: one scale is enough."""
    options = itertools.product(("l1_loss", "mse_loss"), (False, True), REDUCTIONS)
    for seed, (name, weighted, reduction) in enumerate(options):
        assert_same_as_torch(name, elementwise_case(
            name, shapes, seed=seed, reduction=reduction, weighted=weighted))


@pytest.mark.parametrize("shapes", PAIRS, ids=pair_id)
def test_grid_smooth_l1(shapes):
    for seed, (beta, reduction, scale) in enumerate(
            itertools.product(BETAS, REDUCTIONS, SCALES)):
        assert_same_as_torch("smooth_l1_loss", elementwise_case(
            "smooth_l1_loss", shapes, seed=seed, reduction=reduction, scale=scale, param=beta))


@pytest.mark.parametrize("shapes", PAIRS, ids=pair_id)
def test_grid_huber(shapes):
    for seed, (delta, weighted, reduction, scale) in enumerate(
            itertools.product(DELTAS, (False, True), REDUCTIONS, SCALES)):
        assert_same_as_torch("huber_loss", elementwise_case(
            "huber_loss", shapes, seed=seed, reduction=reduction, scale=scale,
            weighted=weighted, param=delta))


@pytest.mark.parametrize("shapes", PAIRS, ids=pair_id)
def test_grid_poisson_nll(shapes):
    """eps 0: log(0) = -inf, and 0 * -inf = nan where the target is 0, in both. (Other
    values of eps: hypothesis.)"""
    for seed, (log_input, full, eps, reduction, long_target) in enumerate(itertools.product(
            (True, False), (False, True), (1e-8, 0.0), REDUCTIONS, (False, True))):
        assert_same_as_torch("poisson_nll_loss", poisson_case(
            shapes, seed=seed, log_input=log_input, full=full, eps=eps, reduction=reduction,
            long_target=long_target))


@pytest.mark.parametrize("shapes", PAIRS, ids=pair_id)
def test_grid_gaussian_nll(shapes):
    count = 0
    for seed, (var_kind, full, eps, reduction) in enumerate(
            itertools.product(VAR_KINDS, (False, True), (1e-6, 0.5), REDUCTIONS)):
        if var_shape(var_kind, shapes[0]) is None and var_kind != "float":
            continue  # e.g. no "first dim 1" for a 1-D input
        assert_same_as_torch("gaussian_nll_loss", gaussian_case(
            shapes, seed=seed, var_kind=var_kind, full=full, eps=eps, reduction=reduction))
        count += 1
    assert count >= 2 * 2 * 3 * 2  # "float" and "full" at least


@pytest.mark.parametrize("shapes", PAIRS, ids=pair_id)
def test_grid_kl_div(shapes):
    for seed, (log_target, zeros, reduction) in enumerate(
            itertools.product((False, True), (False, True), KL_REDUCTIONS)):
        assert_same_as_torch("kl_div", kl_case(
            shapes, seed=seed, log_target=log_target, zeros=zeros, reduction=reduction))


@pytest.mark.parametrize("shapes", EMPTY, ids=pair_id)
def test_empty_tensors_match_torch(shapes):
    """No elements: 'sum' is 0, 'mean' (and 'batchmean' of a (0, ...) input) is nan."""
    for reduction in REDUCTIONS:
        for name in ELEMENTWISE:
            assert_same_as_torch(name, elementwise_case(name, shapes, seed=0,
                                                        reduction=reduction))
        for name in WEIGHTED:
            assert_same_as_torch(name, elementwise_case(name, shapes, seed=0,
                                                        reduction=reduction, weighted=True))
        assert_same_as_torch("poisson_nll_loss", poisson_case(
            shapes, seed=0, log_input=True, full=True, eps=1e-8, reduction=reduction))
        for var_kind in ("float", "full", "one per sample"):
            assert_same_as_torch("gaussian_nll_loss", gaussian_case(
                shapes, seed=0, var_kind=var_kind, full=True, eps=1e-6, reduction=reduction))
    for reduction in KL_REDUCTIONS:
        assert_same_as_torch("kl_div", kl_case(shapes, seed=0, log_target=False, zeros=False,
                                               reduction=reduction))


MIXED_DTYPES = [(torch.float32, DOUBLE), (DOUBLE, torch.float32), (DOUBLE, torch.int64),
                (torch.float16, torch.int64)]


@pytest.mark.parametrize("dtypes", MIXED_DTYPES, ids=str)
def test_mixed_dtypes_match_torch(dtypes):
    """The result dtype is torch's too: type promotion everywhere, except huber_loss
    (unweighted), which keeps the input's dtype (float32 for a float32 input and a float64
    target). A Long target of poisson_nll_loss with full=True: torch's Stirling term is
    computed in float32 (log of a Long tensor), then added in place to the loss, which
    keeps its dtype (float64, or float16 for a float16 input)."""
    x_dtype, y_dtype = dtypes
    for shapes, reduction in itertools.product([((3, 4), (3, 4)), ((4,), (4, 1))], REDUCTIONS):
        for name in ELEMENTWISE:
            case = elementwise_case(name, shapes, seed=1, reduction=reduction, scale=3.0)
            (x, y), kwargs = case
            assert_same_as_torch(name, Case((x.to(x_dtype), (y * 2).to(y_dtype)), kwargs))
        for log_input, full in itertools.product((True, False), (False, True)):
            (x, y), kwargs = poisson_case(shapes, seed=2, log_input=log_input, full=full,
                                          eps=1e-8, reduction=reduction, long_target=True)
            assert_same_as_torch("poisson_nll_loss",
                                 Case((x.to(x_dtype), y.to(y_dtype)), kwargs))
        if y_dtype.is_floating_point:
            (x, y, var), kwargs = gaussian_case(shapes, seed=3, var_kind="full", full=True,
                                                eps=1e-6, reduction=reduction)
            assert_same_as_torch("gaussian_nll_loss", Case(
                (x.to(x_dtype), y.to(y_dtype), var.to(y_dtype)), kwargs))
            (x, y), kwargs = kl_case(shapes, seed=4, log_target=False, zeros=True,
                                     reduction=reduction)
            assert_same_as_torch("kl_div", Case((x.to(x_dtype), y.to(y_dtype)), kwargs))
    x, y = torch.zeros(3, dtype=torch.float32), torch.zeros(3, dtype=DOUBLE)
    assert F.huber_loss(x, y).dtype == torch.float32
    assert F.smooth_l1_loss(x, y).dtype == DOUBLE


# --- values: random shapes and options (hypothesis) ----------------------------------------

seeds = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def shape_pairs(draw) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(input shape, target shape), 0-d to 3-D: about half the time equal, else two
    different shapes cut from one full shape (some sizes set to 1, some leading dimensions
    dropped): they broadcast to it, like (N,) and (N, 1) do to (N, N)."""
    dims = draw(st.integers(0, 3))
    full = tuple(draw(st.lists(st.integers(1, 4), min_size=dims, max_size=dims)))

    def part() -> tuple[int, ...]:
        ones = draw(st.lists(st.booleans(), min_size=len(full), max_size=len(full)))
        shape = tuple(1 if one else n for one, n in zip(ones, full, strict=True))
        dropped = draw(st.integers(0, len(full))) if draw(st.booleans()) else 0
        return shape[dropped:]

    input_shape = part()
    target_shape = input_shape
    if draw(st.sampled_from(("broadcast", "same"))) == "broadcast":
        target_shape = part()
        if target_shape == input_shape:  # cut alike: one more leading 1, or one less size
            target_shape = (1, *input_shape) if len(input_shape) < 3 else input_shape[1:]
    event(f"{len(input_shape)}-D input, " + (
        "same shape" if input_shape == target_shape else "broadcast"))
    return input_shape, target_shape


reductions = st.sampled_from(REDUCTIONS)


@SETTINGS
@given(st.sampled_from(ELEMENTWISE), shape_pairs(), seeds, reductions,
       st.sampled_from(SCALES), st.booleans(), st.data())
def test_elementwise_losses_match_torch(name, shapes, seed, reduction, scale, weighted, data):
    param = None
    if name == "smooth_l1_loss":
        param = data.draw(st.just(0.0) | st.floats(0.0, 3.0))
    elif name == "huber_loss":
        param = data.draw(st.floats(0.0, 3.0, exclude_min=True))
    assert_same_as_torch(name, elementwise_case(
        name, shapes, seed=seed, reduction=reduction, scale=scale,
        weighted=weighted and name in WEIGHTED, param=param))


@SETTINGS
@given(shape_pairs(), seeds, st.booleans(), st.booleans(),
       st.sampled_from([1e-8, 0.0]) | st.floats(0.0, 1.0), reductions, st.booleans())
def test_poisson_nll_matches_torch(shapes, seed, log_input, full, eps, reduction, long_target):
    assert_same_as_torch("poisson_nll_loss", poisson_case(
        shapes, seed=seed, log_input=log_input, full=full, eps=eps, reduction=reduction,
        long_target=long_target))


@SETTINGS
@given(shape_pairs(), seeds, st.booleans(), st.sampled_from([1e-6]) | st.floats(1e-9, 1.0),
       reductions, st.data())
def test_gaussian_nll_matches_torch(shapes, seed, full, eps, reduction, data):
    kinds = [k for k in VAR_KINDS if k == "float" or var_shape(k, shapes[0]) is not None]
    var_kind = data.draw(st.sampled_from(kinds))
    event(f"var: {var_kind}")
    assert_same_as_torch("gaussian_nll_loss", gaussian_case(
        shapes, seed=seed, var_kind=var_kind, full=full, eps=eps, reduction=reduction))


@SETTINGS
@given(shape_pairs(), seeds, st.booleans(), st.booleans(), st.sampled_from(KL_REDUCTIONS))
def test_kl_div_matches_torch(shapes, seed, log_target, zeros, reduction):
    assert_same_as_torch("kl_div", kl_case(shapes, seed=seed, log_target=log_target,
                                           zeros=zeros, reduction=reduction))


# --- warnings ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("shapes", BROADCAST, ids=pair_id)
def test_broadcasting_warns_like_torch(shapes, name):
    """torch's exact text, a UserWarning pointing at the caller (tests/parity.py, whose
    `call` calls the loss), once."""
    for weighted in (False, True) if name in WEIGHTED else (False,):
        case = elementwise_case(name, shapes, seed=0, reduction="mean", weighted=weighted)
        theirs = assert_same_as_torch(name, case)
        sizes = [torch.Size(s) for s in reversed(shapes)]
        assert theirs == [(UserWarning, BROADCAST_WARNING.format(*sizes), parity.__file__)]


@pytest.mark.parametrize("shapes", BROADCAST, ids=pair_id)
def test_other_losses_broadcast_without_a_warning(shapes):
    """poisson_nll_loss, gaussian_nll_loss and kl_div ('sum') say nothing; nor does any loss
    when the shapes are equal."""
    cases = {
        "poisson_nll_loss": poisson_case(shapes, seed=0, log_input=True, full=True, eps=1e-8,
                                         reduction="sum"),
        "gaussian_nll_loss": gaussian_case(shapes, seed=0, var_kind="float", full=True,
                                           eps=1e-6, reduction="sum"),
        "kl_div": kl_case(shapes, seed=0, log_target=False, zeros=True, reduction="sum"),
    }
    for name, case in cases.items():
        assert assert_same_as_torch(name, case) == [], name
    same = (shapes[0], shapes[0])
    for name in ELEMENTWISE:
        assert assert_same_as_torch(name, elementwise_case(name, same, seed=0,
                                                           reduction="sum")) == [], name


@pytest.mark.parametrize("reduction", KL_REDUCTIONS)
def test_kl_div_mean_warns_like_torch(reduction):
    """Only 'mean': torch's text, with its missing spaces after the full stops."""
    theirs = assert_same_as_torch("kl_div", kl_case(((3, 4), (3, 4)), seed=0, log_target=False,
                                                    zeros=False, reduction=reduction))
    expected = [(UserWarning, KL_MEAN_WARNING, parity.__file__)] if reduction == "mean" else []
    assert theirs == expected


@pytest.mark.parametrize("name", ELEMENTWISE + ("kl_div",))
def test_elementwise_mean_only_in_torch(name):
    """torch still maps the deprecated reduction 'elementwise_mean' to 'mean' with a
    UserWarning (through torch.nn._reduction.get_enum; not in poisson_nll_loss, gaussian_nll_loss
    or a weighted loss, which refuse it). Ours leaves it out, like size_average and reduce."""
    x = torch.ones(2, 3, dtype=DOUBLE)
    with pytest.warns(UserWarning, match="reduction='elementwise_mean' is deprecated"):
        expected = getattr(F, name)(x, x / 2, reduction="elementwise_mean")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's 'mean' warning
        assert torch.equal(expected, getattr(F, name)(x, x / 2, reduction="mean"))
    with pytest.raises(ValueError, match="^elementwise_mean is not a valid value for reduction$"):
        getattr(losses, name)(x, x / 2, reduction="elementwise_mean")


def test_gaussian_nll_clamp_is_invisible_to_autograd():
    """torch clamps var in place under no_grad: var's gradient is that of the unclamped
    formula, even where var < eps (d/dvar = 0.5 (1 / var - (x - y)^2 / var^2), at the
    clamped value). Ours does the same."""
    x = torch.tensor([0.5, -1.0, 2.0], dtype=DOUBLE)
    y = torch.tensor([0.0, 0.5, 2.5], dtype=DOUBLE)
    grads = []
    for module in (F, losses):
        var = torch.tensor([1e-9, 0.0, 2.0], dtype=DOUBLE, requires_grad=True)
        module.gaussian_nll_loss(x, y, var, eps=1e-3, reduction="sum").backward()
        grads.append(var.grad)
    torch.testing.assert_close(grads[1], grads[0])
    clamped = torch.tensor([1e-3, 1e-3, 2.0], dtype=DOUBLE)
    torch.testing.assert_close(grads[0], 0.5 * (1 / clamped - (x - y) ** 2 / clamped ** 2))


# --- errors --------------------------------------------------------------------------------

X = torch.tensor([[0.5, -1.0, 2.0, 0.0], [1.5, 0.25, -0.5, 3.0], [0.0, 1.0, 2.0, -2.0]],
                 dtype=DOUBLE)  # (3, 4)
Y = torch.tensor([[1.0, 0.0, 2.0, 3.0], [0.5, 1.0, 0.0, 4.0], [2.0, 1.0, 1.0, 0.0]],
                 dtype=DOUBLE)  # (3, 4), non-negative: also Poisson counts
W = torch.tensor([[1.0, 2.0, 0.5, 1.0]], dtype=DOUBLE).expand(3, 4)
V = Y + 0.5  # variances
X3 = X.expand(2, 3, 4)
CANNOT_BROADCAST = ("The size of tensor a (4) must match the size of tensor b (3) "
                    "at non-singleton dimension 1")
CANNOT_BROADCAST_TARGET_FIRST = ("The size of tensor a (3) must match the size of tensor b (4) "
                                 "at non-singleton dimension 1")  # torch computes y * x
BAD_REDUCTION = "avg is not a valid value for reduction"
INVALID_MODE = "Invalid reduction mode: avg. Expected one of 'none', 'mean', 'sum'."
WRONG_WEIGHT = "Weights and input must have the same size."

ELEMENTWISE_ERRORS = [  # for each of l1, mse, smooth_l1 and huber; the warning comes first
    ("shapes cannot broadcast", (X, Y[:, :3]), {}, RuntimeError, CANNOT_BROADCAST),
    ("3-D against 2-D", (X3, Y[:2]), {}, RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"),
    ("bad reduction and bad shapes: the shapes first", (X, Y[:, :3]), {"reduction": "avg"},
     RuntimeError, CANNOT_BROADCAST),
    ("reduction", (X, Y), {"reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("reduction batchmean", (X, Y), {"reduction": "batchmean"}, ValueError,
     "batchmean is not a valid value for reduction"),
    ("reduction after a broadcast", (X, Y[0]), {"reduction": "Sum"}, ValueError,
     "Sum is not a valid value for reduction"),
]

WEIGHTED_ERRORS = [  # for each of l1, mse and huber
    ("weight, bad reduction: torch's other message", (X, Y), {"weight": W, "reduction": "avg"},
     ValueError, INVALID_MODE),
    ("weight, elementwise_mean", (X, Y), {"weight": W, "reduction": "elementwise_mean"},
     ValueError, "Invalid reduction mode: elementwise_mean. Expected one of"),
    ("weight too short", (X, Y), {"weight": W[0]}, ValueError, WRONG_WEIGHT),
    ("weight of the loss's shape, not the input's", (X[0], Y), {"weight": W}, ValueError,
     WRONG_WEIGHT),
    ("weight wrong, bad reduction: the weight first", (X, Y), {"weight": W[0], "reduction": "x"},
     ValueError, WRONG_WEIGHT),
    ("weight wrong, bad shapes: the shapes first", (X, Y[:, :3]), {"weight": W[0]},
     RuntimeError, CANNOT_BROADCAST),
]

OTHER_ERRORS = [
    ("smooth_l1_loss", "negative beta", (X, Y), {"beta": -1.0}, RuntimeError,
     "smooth_l1_loss does not support negative values for beta."),
    ("smooth_l1_loss", "NaN beta", (X, Y), {"beta": float("nan")}, RuntimeError,
     "smooth_l1_loss does not support negative values for beta."),
    ("smooth_l1_loss", "negative beta, bad reduction: the reduction first", (X, Y),
     {"beta": -1.0, "reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("smooth_l1_loss", "negative beta, bad shapes: the shapes first", (X, Y[:, :3]),
     {"beta": -1.0}, RuntimeError, CANNOT_BROADCAST),
    ("huber_loss", "delta 0", (X, Y), {"delta": 0.0}, RuntimeError,
     "huber_loss does not support non-positive values for delta."),
    ("huber_loss", "negative delta", (X, Y), {"delta": -1.0}, RuntimeError,
     "huber_loss does not support non-positive values for delta."),
    ("huber_loss", "NaN delta", (X, Y), {"delta": float("nan")}, RuntimeError,
     "huber_loss does not support non-positive values for delta."),
    ("huber_loss", "delta 0, weight", (X, Y), {"delta": 0.0, "weight": W}, RuntimeError,
     "huber_loss does not support non-positive values for delta."),
    ("huber_loss", "delta 0, bad reduction: the reduction first", (X, Y),
     {"delta": 0.0, "reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("huber_loss", "delta 0, bad reduction, weight: the delta first", (X, Y),
     {"delta": 0.0, "reduction": "avg", "weight": W}, RuntimeError,
     "huber_loss does not support non-positive values for delta."),
    ("huber_loss", "delta 0, weight wrong: the weight first", (X, Y),
     {"delta": 0.0, "weight": W[0]}, ValueError, WRONG_WEIGHT),
    ("huber_loss", "Long input: the loss keeps the input's dtype", (X.long(), Y), {},
     RuntimeError, "result type Double can't be cast to the desired output type Long"),
    ("huber_loss", "Long input, bad reduction: the reduction first", (X.long(), Y),
     {"reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("poisson_nll_loss", "reduction", (X, Y), {"reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("poisson_nll_loss", "elementwise_mean: refused, unlike the others", (X, Y),
     {"reduction": "elementwise_mean"}, ValueError,
     "elementwise_mean is not a valid value for reduction"),
    ("poisson_nll_loss", "bad reduction and shapes: the reduction first", (X, Y[:, :3]),
     {"reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("poisson_nll_loss", "shapes cannot broadcast", (X, Y[:, :3]), {}, RuntimeError,
     CANNOT_BROADCAST_TARGET_FIRST),
    ("poisson_nll_loss", "shapes cannot broadcast, rates", (X.abs(), Y[:, :3]),
     {"log_input": False, "full": True}, RuntimeError, CANNOT_BROADCAST_TARGET_FIRST),
    ("gaussian_nll_loss", "negative variance", (X, Y, V - 1), {}, ValueError,
     "var has negative entry/entries"),
    ("gaussian_nll_loss", "negative float variance", (X, Y, -0.5), {}, ValueError,
     "var has negative entry/entries"),
    ("gaussian_nll_loss", "negative variance of a bad shape: negative first",
     (X, Y, -V[:, :3]), {}, ValueError, "var has negative entry/entries"),
    ("gaussian_nll_loss", "var (3, 3) for (3, 4)", (X, Y, V[:, :3]), {}, ValueError,
     "var is of incorrect size"),
    ("gaussian_nll_loss", "var (4,) for (3, 4)", (X, Y, V[0]), {}, ValueError,
     "var is of incorrect size"),
    ("gaussian_nll_loss", "0-d var for (3, 4)", (X, Y, V[0, 0]), {}, ValueError,
     "var is of incorrect size"),
    ("gaussian_nll_loss", "var (1, 1) for (3, 4): broadcastable, but two sizes differ",
     (X, Y, V[:1, :1]), {}, ValueError, "var is of incorrect size"),
    ("gaussian_nll_loss", "var (3, 4, 1) for (3, 4)", (X, Y, V[..., None]), {}, ValueError,
     "var is of incorrect size"),
    ("gaussian_nll_loss", "var (3, 1) for (3,)", (X[:, 0], Y[:, 0], V[:, :1]), {}, ValueError,
     "var is of incorrect size"),
    ("gaussian_nll_loss", "var (1, 0) for (3, 4): passes torch's size test (1 + 0 = 1)",
     (X, Y, V[:1, :0]), {}, RuntimeError,
     "The size of tensor a (4) must match the size of tensor b (0) at non-singleton dimension 1"),
    ("gaussian_nll_loss", "var as a Python int: torch.any(bool)", (X, Y, 2), {}, TypeError,
     "any() received an invalid combination of arguments - got (bool), but expected one of:"),
    ("gaussian_nll_loss", "reduction: torch's other message", (X, Y, V), {"reduction": "avg"},
     ValueError, "avg is not valid"),
    ("gaussian_nll_loss", "bad var shape and reduction: the shape first", (X, Y, V[0]),
     {"reduction": "avg"}, ValueError, "var is of incorrect size"),
    ("gaussian_nll_loss", "target cannot broadcast", (X, Y[:, :3], V), {}, RuntimeError,
     CANNOT_BROADCAST),
    ("kl_div", "reduction", (X, Y), {"reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("kl_div", "bad reduction and shapes: the reduction first", (X, Y[:, :3]),
     {"reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("kl_div", "shapes cannot broadcast", (X, Y[:, :3]), {"reduction": "sum"}, RuntimeError,
     CANNOT_BROADCAST_TARGET_FIRST),
    ("kl_div", "shapes cannot broadcast, log target", (X, Y[:, :3]),
     {"reduction": "batchmean", "log_target": True}, RuntimeError,
     CANNOT_BROADCAST_TARGET_FIRST),
    ("kl_div", "shapes cannot broadcast, 'mean': the warning first", (X, Y[:, :3]), {},
     RuntimeError, CANNOT_BROADCAST_TARGET_FIRST),
    ("kl_div", "Long target", (X, Y.long()), {"reduction": "sum"}, RuntimeError,
     "kl_div: Integral inputs not supported."),
    ("kl_div", "Long input", (X.long(), Y), {"reduction": "sum"}, RuntimeError,
     "kl_div: Integral inputs not supported."),
    ("kl_div", "Bool target", (X, Y.bool()), {"reduction": "none"}, RuntimeError,
     "kl_div: Integral inputs not supported."),
    ("kl_div", "complex input", (X.to(torch.complex128), Y), {"reduction": "sum"},
     RuntimeError, "kl_div: Complex inputs not supported."),
    ("kl_div", "Long target, bad reduction: the reduction first", (X, Y.long()),
     {"reduction": "avg"}, ValueError, BAD_REDUCTION),
]


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("args, kwargs, error, message",
                         [case[1:] for case in ELEMENTWISE_ERRORS],
                         ids=[case[0] for case in ELEMENTWISE_ERRORS])
def test_elementwise_errors_match_torch(name, args, kwargs, error, message):
    assert_same_error(name, args, kwargs, error, message)


@pytest.mark.parametrize("name", WEIGHTED)
@pytest.mark.parametrize("args, kwargs, error, message",
                         [case[1:] for case in WEIGHTED_ERRORS],
                         ids=[case[0] for case in WEIGHTED_ERRORS])
def test_weighted_errors_match_torch(name, args, kwargs, error, message):
    assert_same_error(name, args, kwargs, error, message)


@pytest.mark.parametrize("name, args, kwargs, error, message",
                         [case[:1] + case[2:] for case in OTHER_ERRORS],
                         ids=[f"{case[0]}: {case[1]}" for case in OTHER_ERRORS])
def test_other_errors_match_torch(name, args, kwargs, error, message):
    assert_same_error(name, args, kwargs, error, message)


def test_errors_come_after_torch_warnings():
    """The broadcasting warning is given before the shapes are found not to broadcast,
    and kl_div's 'mean' warning before its errors: assert_same_error compares them."""
    for name in ELEMENTWISE:
        with pytest.warns(UserWarning, match="Using a target size"), \
                pytest.raises(RuntimeError):
            getattr(F, name)(X, Y[:, :3])
    with pytest.warns(UserWarning, match="reduction: 'mean' divides"), \
            pytest.raises(RuntimeError):
        F.kl_div(X, Y.long())


# --- the checks can fail -------------------------------------------------------------------

def test_value_check_fails_on_an_mse_with_a_half_factor(monkeypatch):
    right = losses.mse_loss
    case = elementwise_case("mse_loss", ((3, 4), (3, 4)), seed=0, reduction="mean")
    assert_same_as_torch("mse_loss", case)  # the right one passes
    monkeypatch.setattr(losses, "mse_loss", lambda *a, **k: right(*a, **k) / 2)
    with pytest.raises(AssertionError, match="Scalars are not close"):
        assert_same_as_torch("mse_loss", case)


def test_value_check_fails_on_a_smooth_l1_that_mixes_beta_and_delta(monkeypatch):
    """A smooth_l1 computed as huber with delta = beta: the same only at beta = 1."""
    def huber_as_smooth_l1(input, target, reduction="mean", beta=1.0):
        return losses.huber_loss(input, target, reduction, delta=beta)

    monkeypatch.setattr(losses, "smooth_l1_loss", huber_as_smooth_l1)
    assert_same_as_torch("smooth_l1_loss", elementwise_case(
        "smooth_l1_loss", ((3, 4), (3, 4)), seed=0, reduction="none", scale=3.0, param=1.0))
    for beta in (0.5, 2.0):
        with pytest.raises(AssertionError, match="Tensor-likes are not close"):
            assert_same_as_torch("smooth_l1_loss", elementwise_case(
                "smooth_l1_loss", ((3, 4), (3, 4)), seed=0, reduction="none", scale=3.0,
                param=beta))


def test_value_check_fails_on_stirling_for_every_target(monkeypatch):
    """A poisson_nll_loss that adds the Stirling term for targets <= 1 too: right when every
    target is above 1, wrong (and finite) for targets in (0, 1]."""
    right = losses.poisson_nll_loss

    def stirling_everywhere(input, target, log_input=True, full=False, eps=1e-8,
                            reduction="mean"):
        l = right(input, target, log_input, False, eps, "none")
        if full:
            y = target
            l = l + y * y.log() - y + 0.5 * (2 * torch.pi * y).log()
        return losses._reduce(l, reduction)

    monkeypatch.setattr(losses, "poisson_nll_loss", stirling_everywhere)
    x = torch.tensor([0.5, -1.0, 2.0], dtype=DOUBLE)
    options = dict(full=True, reduction="none")
    assert_same_as_torch("poisson_nll_loss", Case((x, torch.tensor([1.5, 2.0, 7.0],
                                                                     dtype=DOUBLE)), options))
    with pytest.raises(AssertionError, match="Tensor-likes are not close"):
        assert_same_as_torch("poisson_nll_loss", Case((x, torch.tensor([0.5, 1.0, 7.0],
                                                                         dtype=DOUBLE)), options))


def test_value_check_fails_on_batchmean_over_the_broadcast_batch(monkeypatch):
    """kl_div 'batchmean' divides by the input's first size, not the loss's."""
    right = losses.kl_div

    def broadcast_batch(input, target, reduction="mean", log_target=False):
        if reduction != "batchmean":
            return right(input, target, reduction, log_target)
        l = right(input, target, "none", log_target)
        return l.sum() / l.shape[0]

    monkeypatch.setattr(losses, "kl_div", broadcast_batch)
    options = dict(seed=0, log_target=False, zeros=False, reduction="batchmean")
    assert_same_as_torch("kl_div", kl_case(((3, 4), (3, 4)), **options))
    with pytest.raises(AssertionError, match="Scalars are not close"):
        assert_same_as_torch("kl_div", kl_case(((1, 4), (3, 4)), **options))


def test_value_check_fails_on_a_huber_weighted_mean_like_l1s(monkeypatch):
    """torch's weighted huber 'mean' divides by the number of elements; l1 and mse divide
    by sum_n w_n. A huber that does the latter must be caught (w is not all ones)."""
    right = losses.huber_loss

    def weighted_mean(input, target, reduction="mean", delta=1.0, weight=None):
        if weight is None or reduction != "mean":
            return right(input, target, reduction, delta, weight)
        return right(input, target, "sum", delta, weight) / weight.sum()

    monkeypatch.setattr(losses, "huber_loss", weighted_mean)
    case = elementwise_case("huber_loss", ((3, 4), (3, 4)), seed=0, reduction="mean",
                            weighted=True, param=1.0)
    with pytest.raises(AssertionError, match="Scalars are not close"):
        assert_same_as_torch("huber_loss", case)


def test_value_check_fails_on_a_gaussian_nll_without_the_clamp(monkeypatch):
    right = losses.gaussian_nll_loss

    def unclamped(input, target, var, full=False, eps=1e-6, reduction="mean"):
        return right(input, target, var, full, 0.0, reduction)  # eps 0: no clamp

    monkeypatch.setattr(losses, "gaussian_nll_loss", unclamped)
    with pytest.raises(AssertionError, match="Tensor-likes are not close"):
        assert_same_as_torch("gaussian_nll_loss", gaussian_case(
            ((3, 4), (3, 4)), seed=0, var_kind="full", full=False, eps=0.5, reduction="none"))


def test_dtype_check_fails_on_a_huber_that_promotes(monkeypatch):
    right = losses.huber_loss

    def promoting(input, target, *args, **kwargs):
        return right(input.to(torch.promote_types(input.dtype, target.dtype)), target,
                     *args, **kwargs)

    monkeypatch.setattr(losses, "huber_loss", promoting)
    case = Case((X.float(), Y), {})
    with pytest.raises(AssertionError, match="dtype"):
        assert_same_as_torch("huber_loss", case)


def test_warning_check_fails_without_the_warning(monkeypatch):
    monkeypatch.setattr(losses, "_warn_if_sizes_differ", lambda x, y: None)
    assert_same_as_torch("l1_loss", Case((X, Y), {}))  # same shapes: nothing to miss
    with pytest.raises(AssertionError, match="warnings differ"):
        assert_same_as_torch("l1_loss", Case((X, Y[0]), {}))


@pytest.mark.parametrize("category, stacklevel", [(FutureWarning, 3), (UserWarning, 2)])
def test_warning_check_fails_on_another_category_or_place(monkeypatch, category, stacklevel):
    """A FutureWarning instead of a UserWarning; or stacklevel 2, which points into
    losses.py instead of at the caller."""
    def wrong(x, y):
        if y.shape != x.shape:
            warnings.warn(BROADCAST_WARNING.format(y.shape, x.shape), category,
                          stacklevel=stacklevel)

    monkeypatch.setattr(losses, "_warn_if_sizes_differ", wrong)
    with pytest.raises(AssertionError, match="warnings differ"):
        assert_same_as_torch("mse_loss", Case((X, Y[0]), {}))


def test_error_check_fails_on_another_message(monkeypatch):
    def wrong(input, target, *args, **kwargs):
        raise RuntimeError("smooth_l1_loss does not support negative values for beta")

    monkeypatch.setattr(losses, "smooth_l1_loss", wrong)
    with pytest.raises(AssertionError, match="messages differ"):
        assert_same_error("smooth_l1_loss", (X, Y), {"beta": -1.0}, RuntimeError,
                          "smooth_l1_loss does not support negative values for beta")


def test_error_check_fails_on_a_subclass_of_the_exception(monkeypatch):
    class NotQuiteValueError(ValueError):
        """pytest.raises(ValueError) takes it; the exact-type check must not."""

    def wrong(*args, **kwargs):
        raise NotQuiteValueError("var has negative entry/entries")

    monkeypatch.setattr(losses, "gaussian_nll_loss", wrong)
    with pytest.raises(AssertionError, match="NotQuiteValueError, not ValueError"):
        assert_same_error("gaussian_nll_loss", (X, Y, -1.0), {}, ValueError,
                          "var has negative entry/entries")


def test_error_check_fails_without_the_warning_before_the_error(monkeypatch):
    monkeypatch.setattr(losses, "_warn_if_sizes_differ", lambda x, y: None)
    with pytest.raises(AssertionError, match="warnings differ"):
        assert_same_error("l1_loss", (X, Y[:, :3]), {}, RuntimeError, CANNOT_BROADCAST)
