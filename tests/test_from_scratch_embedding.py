"""The from-scratch embedding losses (snippets/from_scratch/losses.py: cosine_embedding_loss,
triplet_margin_loss, triplet_margin_with_distance_loss) against torch.nn.functional.

Values, in float64 (and a few other dtypes), two ways:
- a grid: every combination of the options (margin, p, eps, swap, reduction, target kind,
  distance function) on fixed shapes, batched and unbatched, including broadcast sizes and
  empty batches; inputs with zero, tiny and duplicate rows, where the eps matter;
- hypothesis: random shapes, seeds and options. Tensors come from a torch.Generator seeded
  by a drawn integer; derandomize=True, database=None, so every run draws the same examples.
Every comparison compares the warnings too, and the gradients of the inputs where the loss
is differentiable. Errors: the same exception type with the same message.
The last tests prove that the value, gradient and error checks fail on wrong code.
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
from tests.parity import Case, Warnings, assert_same_error, describe

DOUBLE = torch.float64
INF = float("inf")
REDUCTIONS = ("none", "mean", "sum")
NAMES = ("cosine_embedding_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss")
SECTIONS = {"cosine-embedding-loss": "cosine_embedding_loss",
            "triplet-margin-loss": "triplet_margin_loss",
            "triplet-margin-with-distance-loss": "triplet_margin_with_distance_loss"}
COSINE_MARGINS = (-0.5, 0.0, 0.3, 1.0, 1.5)
P_VALUES = (2, 1, 3, 0.5, INF, -INF, 0, -1)  # p = 0 counts nonzero differences
EPS_VALUES = (1e-6, 0.0, 0.1)
TRIPLET_MARGINS = (0.5, 2.0)

# database=None: no failing example is saved, and none saved by another run is replayed.
SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=40)


def test_each_section_runs_with_the_sections_before_it():
    """The page includes the `reduce` section, then these three, verbatim: given `import
    torch` and the sections above it in losses.py, each must define its function."""
    text = Path(losses.__file__).read_text(encoding="utf-8")
    sections = re.findall(r"^# --8<-- \[start:([\w-]+)\]\n(.*?)^# --8<-- \[end:\1\]$",
                          text, re.S | re.M)
    names = [name for name, _ in sections]
    assert [n for n in names if n in SECTIONS] == list(SECTIONS)
    g = generator(0)
    a, p, n = randn((3, 4), g), randn((3, 4), g), randn((3, 4), g)
    y = torch.tensor([1.0, -1.0, 1.0], dtype=DOUBLE)
    shown = {name: code for name, code in sections}
    for i, name in enumerate(SECTIONS):
        namespace: dict[str, Any] = {}
        code = [shown["reduce"]] + [shown[s] for s in list(SECTIONS)[:i + 1]]
        exec("import torch\n" + "".join(code), namespace)
        function = namespace[SECTIONS[name]]
        args = (a, p, y) if name == "cosine-embedding-loss" else (a, p, n)
        assert torch.equal(function(*args, reduction="sum"),
                           getattr(losses, SECTIONS[name])(*args, reduction="sum")), name


# --- comparison helpers --------------------------------------------------------------------

def call(function, case: Case, grad: bool) -> tuple[Any, Warnings, list[Any]]:
    """The result, every warning as (category, message, file), and the gradients of the
    floating-point tensor arguments of the 'sum' of the result (if grad)."""
    args = [a.detach().clone().requires_grad_(grad) if isinstance(a, torch.Tensor)
            and a.is_floating_point() else a for a in case.args]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        result = function(*args, **case.kwargs)
    grads: list[Any] = []
    if grad:
        differentiable = [a for a in args if isinstance(a, torch.Tensor) and a.requires_grad]
        grads = list(torch.autograd.grad(result.sum(), differentiable, allow_unused=True))
    return result.detach(), [(w.category, str(w.message), w.filename) for w in record], grads


def assert_same_as_torch(name: str, case: Case, *, grad: bool = False,
                         float32_inside: bool = False) -> None:
    """ours == torch: same dtype, shape, values (nan == nan), warnings, and with grad=True
    the same gradients of the floating-point inputs. float32_inside: float32's tolerance,
    for a float64 result computed partly in float32 (from Long inputs), where torch's
    summation order and ours differ in the last bits."""
    tolerance = dict(rtol=1.3e-6, atol=1e-5) if float32_inside else {}
    expected, theirs, expected_grads = call(getattr(F, name), case, grad)
    actual, ours, actual_grads = call(getattr(losses, name), case, grad)  # patchable
    assert ours == theirs, (
        f"{describe(name, case)}: warnings differ:\ntorch: {theirs}\nours:  {ours}")
    torch.testing.assert_close(actual, expected, equal_nan=True, **tolerance,
                               msg=lambda m: f"{describe(name, case)}:\n{m}")
    for i, (ours_grad, theirs_grad) in enumerate(zip(actual_grads, expected_grads,
                                                     strict=True)):
        torch.testing.assert_close(ours_grad, theirs_grad, equal_nan=True,
                                   msg=lambda m, i=i: f"{describe(name, case)}: "
                                                      f"gradient of argument {i}:\n{m}")


# --- case builders, shared by the grid and hypothesis --------------------------------------

def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(shape, g: torch.Generator) -> torch.Tensor:
    return torch.randn(shape, generator=g, dtype=DOUBLE)


def rows(shape, g: torch.Generator, special: bool) -> torch.Tensor:
    """randn embeddings; with `special`, some rows (vectors along the last dimension) are
    zero or tiny (norm about 1e-7, where the 1e-12 of the cosine loss counts)."""
    x = randn(shape, g)
    if special and len(shape) >= 1:
        kind = torch.randint(0, 4, tuple(shape[:-1]) + (1,), generator=g)
        scale = torch.tensor([1.0, 3.0, 1e-7, 0.0], dtype=DOUBLE)[kind]
        x = x * scale
    return x


TARGET_KINDS = ("+-1 float", "+-1 long", "with other values")


def cosine_target(shape, g: torch.Generator, kind: str) -> torch.Tensor:
    """Labels 1 / -1; or also 0, 2 and 0.5, which torch gives a loss of 0."""
    if kind == "with other values":
        values = torch.tensor([1.0, -1.0, 0.0, 2.0, 0.5], dtype=DOUBLE)
        return values[torch.randint(0, 5, shape, generator=g)]
    y = torch.randint(0, 2, shape, generator=g) * 2 - 1
    return y.to(DOUBLE) if kind == "+-1 float" else y


def cosine_case(shapes, *, seed: int, margin: float, reduction: str, target_kind: str,
                special: bool = True) -> Case:
    shape1, shape2, target_shape = shapes
    g = generator(seed)
    x1 = rows(shape1, g, special)
    x2 = rows(shape2, g, special)
    if special and x1.shape == x2.shape and x1.dim() == 2 and x1.shape[0] > 1:
        x2[0] = x1[0] * 2.5  # the same direction: cos = 1 (up to the eps)
    y = cosine_target(target_shape, g, target_kind)
    return Case((x1, x2, y), dict(margin=margin, reduction=reduction))


def triplet_inputs(shapes, *, seed: int, special: bool) -> tuple[torch.Tensor, ...]:
    """Anchor, positive, negative; with `special`, a positive equal to its anchor (distance
    eps * D^(1/p), 0 for eps = 0) and a negative equal to its positive (swap distance)."""
    g = generator(seed)
    a, pos, neg = (randn(shape, g) for shape in shapes)
    if special and a.shape == pos.shape == neg.shape and a.dim() >= 2 and a.shape[0] > 1:
        pos[0] = a[0]
        neg[1] = pos[1]
    return a, pos, neg


def triplet_case(shapes, *, seed: int, margin: float, p: float, eps: float, swap: bool,
                 reduction: str, special: bool = False) -> Case:
    return Case(triplet_inputs(shapes, seed=seed, special=special),
                dict(margin=margin, p=p, eps=eps, swap=swap, reduction=reduction))


def cosine_distance(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    return 1 - F.cosine_similarity(u, v, dim=-1)


def l_infinity(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    return (u - v).abs().amax(-1)


def squared_euclidean(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    return ((u - v) ** 2).sum(-1)


DISTANCES = {"default": None, "cosine": cosine_distance, "l_inf": l_infinity,
             "squared": squared_euclidean, "PairwiseDistance(p=1)": torch.nn.PairwiseDistance(1)}


def distance_case(shapes, *, seed: int, distance: str, margin: float, swap: bool,
                  reduction: str) -> Case:
    return Case(triplet_inputs(shapes, seed=seed, special=False),
                dict(distance_function=DISTANCES[distance], margin=margin, swap=swap,
                     reduction=reduction))


# --- values: every combination of options on fixed shapes ----------------------------------

COSINE_SHAPES = [
    ((5,), (5,), ()),  # unbatched: a 0-d target, a 0-d loss
    ((4, 5), (4, 5), (4,)),
    ((1, 5), (4, 5), (4,)),  # input1 broadcast over the batch
    ((4, 5), (4, 5), (1,)),  # one target for all
    ((4, 1), (4, 5), (4,)),  # input1 broadcast along D
    ((6, 2), (6, 2), (6,)),
]
TRIPLET_SHAPES = [
    ((), (), ()),  # 0-d: |a - p + eps| and |a - n + eps|
    ((5,), (5,), (5,)),  # unbatched
    ((4, 5), (4, 5), (4, 5)),
    ((2, 3, 5), (2, 3, 5), (2, 3, 5)),  # the distance over the last dimension: (2, 3) losses
    ((1, 5), (4, 5), (4, 5)),  # sizes broadcast (the numbers of dimensions must be equal)
    ((4, 5), (4, 5), (1, 5)),
    ((4, 1), (4, 5), (4, 5)),
]
EMPTY_COSINE = [((0, 5), (0, 5), (0,)), ((3, 0), (3, 0), (3,))]  # no pairs; D = 0: cos = 0
EMPTY_TRIPLET = [((0, 5), (0, 5), (0, 5)), ((3, 0), (3, 0), (3, 0))]


def shapes_id(shapes) -> str:
    return " ".join(str(list(s)) for s in shapes)


@pytest.mark.parametrize("shapes", COSINE_SHAPES, ids=shapes_id)
def test_grid_cosine_embedding_loss(shapes):
    """Zero and tiny rows in every other case."""
    options = itertools.product(COSINE_MARGINS, REDUCTIONS, TARGET_KINDS)
    for seed, (margin, reduction, target_kind) in enumerate(options):
        assert_same_as_torch("cosine_embedding_loss", cosine_case(
            shapes, seed=seed, margin=margin, reduction=reduction, target_kind=target_kind,
            special=seed % 2 == 0), grad=True)


@pytest.mark.parametrize("shapes", TRIPLET_SHAPES, ids=shapes_id)
def test_grid_triplet_margin_loss(shapes):
    """Gradients where the distances are differentiable: no zero difference (eps > 0, no
    duplicate rows) and p >= 1 (|d|^p for p < 1 has an infinite slope at 0). The margin
    alternates between a small and a large one."""
    options = itertools.product(P_VALUES, EPS_VALUES, (False, True), REDUCTIONS)
    for seed, (p, eps, swap, reduction) in enumerate(options):
        margin = TRIPLET_MARGINS[seed % 2]
        assert_same_as_torch("triplet_margin_loss", triplet_case(
            shapes, seed=seed, margin=margin, p=p, eps=eps, swap=swap, reduction=reduction),
            grad=eps > 0 and (p >= 1 or p == -INF))


@pytest.mark.parametrize("shapes", TRIPLET_SHAPES[2:4], ids=shapes_id)
def test_grid_triplet_margin_loss_zero_distances(shapes):
    """A positive equal to its anchor and a negative equal to its positive: with eps = 0 the
    distances are 0 (a negative p: (sum of inf)^(1/p) = 0 too). Values only."""
    options = itertools.product(P_VALUES, EPS_VALUES, (False, True), REDUCTIONS)
    for seed, (p, eps, swap, reduction) in enumerate(options):
        assert_same_as_torch("triplet_margin_loss", triplet_case(
            shapes, seed=seed, margin=1.0, p=p, eps=eps, swap=swap, reduction=reduction,
            special=True))


@pytest.mark.parametrize("shapes", [s for s in TRIPLET_SHAPES if len(s[0]) >= 1],
                         ids=shapes_id)
def test_grid_triplet_margin_with_distance_loss(shapes):
    """The cosine distance needs a dimension to work on: not for the 0-d inputs."""
    options = itertools.product(DISTANCES, TRIPLET_MARGINS, (False, True), REDUCTIONS)
    for seed, (distance, margin, swap, reduction) in enumerate(options):
        assert_same_as_torch("triplet_margin_with_distance_loss", distance_case(
            shapes, seed=seed, distance=distance, margin=margin, swap=swap,
            reduction=reduction), grad=True)


def test_default_distance_is_triplet_margin_loss():
    """distance_function=None is pairwise_distance with p = 2, eps = 1e-6: in torch and in
    ours, the same values as triplet_margin_loss with its defaults."""
    for seed, (swap, reduction) in enumerate(itertools.product((False, True), REDUCTIONS)):
        a, pos, neg = triplet_inputs(((4, 5),) * 3, seed=seed, special=False)
        for module in (F, losses):
            torch.testing.assert_close(
                module.triplet_margin_with_distance_loss(a, pos, neg, swap=swap,
                                                         reduction=reduction),
                module.triplet_margin_loss(a, pos, neg, swap=swap, reduction=reduction))


def test_empty_inputs_match_torch():
    """No pairs or triplets: 'sum' is 0, 'mean' is nan. D = 0: cos = 0 and distances 0."""
    for shapes, reduction in itertools.product(EMPTY_COSINE, REDUCTIONS):
        assert_same_as_torch("cosine_embedding_loss", cosine_case(
            shapes, seed=0, margin=0.3, reduction=reduction, target_kind="+-1 float"))
    for shapes, reduction in itertools.product(EMPTY_TRIPLET, REDUCTIONS):
        for p, swap in itertools.product((2, 1, 0.5), (False, True)):
            assert_same_as_torch("triplet_margin_loss", triplet_case(
                shapes, seed=0, margin=1.0, p=p, eps=1e-6, swap=swap, reduction=reduction))
        assert_same_as_torch("triplet_margin_with_distance_loss", distance_case(
            shapes, seed=0, distance="default", margin=1.0, swap=True, reduction=reduction))


def test_edge_values_match_torch():
    """A NaN margin passes torch's check (NaN <= 0 is False) and gives NaN losses; an
    infinite input gives an infinite or NaN loss; a margin far beyond 1 for the cosine
    loss makes every y = -1 loss 0."""
    a, pos, neg = triplet_inputs(((3, 4),) * 3, seed=1, special=False)
    for reduction in REDUCTIONS:
        for name in NAMES[1:]:
            assert_same_as_torch(name, Case((a, pos, neg), dict(margin=float("nan"),
                                                                reduction=reduction)))
        pos_inf = pos.clone()
        pos_inf[0, 0] = INF
        assert_same_as_torch("triplet_margin_loss", Case((a, pos_inf, neg),
                                                         dict(reduction=reduction)))
        y = torch.tensor([-1.0, -1.0, 1.0], dtype=DOUBLE)
        assert_same_as_torch("cosine_embedding_loss", Case((a, pos, y), dict(
            margin=5.0, reduction=reduction)))


MIXED_DTYPES = [(torch.float32, torch.float32), (torch.float32, DOUBLE),
                (DOUBLE, torch.int64), (torch.int64, torch.int64)]


@pytest.mark.parametrize("dtypes", MIXED_DTYPES, ids=str)
def test_mixed_dtypes_match_torch(dtypes):
    """Type promotion: the result's dtype is torch's. Long inputs: the eps (a Python float)
    promotes the differences, and the cosine's 1e-12 the squared norms, to float32."""
    first, second = dtypes
    inside = torch.float32 in dtypes or torch.int64 in dtypes
    for reduction in REDUCTIONS:
        (x1, x2, y), kwargs = cosine_case(((4, 5), (4, 5), (4,)), seed=2, margin=0.2,
                                          reduction=reduction, target_kind="+-1 long",
                                          special=False)
        assert_same_as_torch("cosine_embedding_loss", Case(
            ((3 * x1).to(first), (3 * x2).to(second), y.to(second)), kwargs),
            float32_inside=inside)
        a, pos, neg = (3 * t for t in triplet_inputs(((4, 5),) * 3, seed=3, special=False))
        for p, swap in itertools.product((2, 1, INF), (False, True)):
            assert_same_as_torch("triplet_margin_loss", Case(
                (a.to(first), pos.to(second), neg.to(second)),
                dict(p=p, swap=swap, reduction=reduction)), float32_inside=inside)
        assert_same_as_torch("triplet_margin_with_distance_loss", Case(
            (a.to(first), pos.to(second), neg.to(second)), dict(reduction=reduction)),
            float32_inside=inside)


# --- values: random shapes and options (hypothesis) ----------------------------------------

seeds = st.integers(min_value=0, max_value=2**32 - 1)
reductions = st.sampled_from(REDUCTIONS)


@st.composite
def cosine_shapes(draw) -> tuple[tuple[int, ...], ...]:
    """Unbatched (D,) with a 0-d target, or (N, D) with (N,), some sizes set to 1 (broadcast)."""
    d = draw(st.integers(1, 6))
    if draw(st.booleans()):
        event("cosine: unbatched")
        return (d,), (d,), ()
    n = draw(st.integers(0, 5))

    def maybe_one(size: int) -> int:
        return 1 if draw(st.integers(0, 4)) == 0 else size

    event("cosine: batched")
    return (maybe_one(n), maybe_one(d)), (maybe_one(n), d), (maybe_one(n),)


@st.composite
def triplet_shapes(draw, min_dims: int = 0) -> tuple[tuple[int, ...], ...]:
    """Three shapes with the same number of dimensions (0 to 3), some sizes set to 1."""
    dims = draw(st.integers(min_dims, 3))
    full = tuple(draw(st.lists(st.integers(1, 5), min_size=dims, max_size=dims)))

    def part() -> tuple[int, ...]:
        ones = draw(st.lists(st.integers(0, 4), min_size=dims, max_size=dims))
        return tuple(1 if one == 0 else n for one, n in zip(ones, full, strict=True))

    event(f"triplet: {dims}-D")
    return part(), part(), part()


@SETTINGS
@given(cosine_shapes(), seeds, st.floats(-1.5, 1.5), reductions,
       st.sampled_from(TARGET_KINDS), st.booleans())
def test_cosine_embedding_loss_matches_torch(shapes, seed, margin, reduction, target_kind,
                                             special):
    assert_same_as_torch("cosine_embedding_loss", cosine_case(
        shapes, seed=seed, margin=margin, reduction=reduction, target_kind=target_kind,
        special=special), grad=True)


@SETTINGS
@given(triplet_shapes(), seeds, st.floats(0.01, 3.0),
       st.sampled_from(P_VALUES) | st.floats(-3.0, 4.0), st.sampled_from(EPS_VALUES)
       | st.floats(0.0, 0.5), st.booleans(), reductions)
def test_triplet_margin_loss_matches_torch(shapes, seed, margin, p, eps, swap, reduction):
    assert_same_as_torch("triplet_margin_loss", triplet_case(
        shapes, seed=seed, margin=margin, p=p, eps=eps, swap=swap, reduction=reduction),
        grad=eps > 0 and (p >= 1 or p == -INF))


@SETTINGS
@given(triplet_shapes(min_dims=1), seeds, st.sampled_from(list(DISTANCES)),
       st.floats(0.01, 3.0), st.booleans(), reductions)
def test_triplet_margin_with_distance_loss_matches_torch(shapes, seed, distance, margin,
                                                        swap, reduction):
    event(f"distance: {distance}")
    assert_same_as_torch("triplet_margin_with_distance_loss", distance_case(
        shapes, seed=seed, distance=distance, margin=margin, swap=swap, reduction=reduction),
        grad=True)


def test_elementwise_mean_only_in_torch():
    """torch's cosine_embedding_loss and triplet_margin_loss still map the deprecated
    reduction 'elementwise_mean' to 'mean' with a UserWarning (triplet_margin_with_distance
    _loss refuses it). Ours leaves it out, like size_average and reduce."""
    a, pos, neg = triplet_inputs(((3, 4),) * 3, seed=4, special=False)
    y = torch.tensor([1.0, -1.0, 1.0], dtype=DOUBLE)
    for name, args in (("cosine_embedding_loss", (a, pos, y)),
                       ("triplet_margin_loss", (a, pos, neg))):
        with pytest.warns(UserWarning, match="reduction='elementwise_mean' is deprecated"):
            expected = getattr(F, name)(*args, reduction="elementwise_mean")
        assert torch.equal(expected, getattr(F, name)(*args, reduction="mean"))
        with pytest.raises(ValueError,
                           match="^elementwise_mean is not a valid value for reduction$"):
            getattr(losses, name)(*args, reduction="elementwise_mean")


# --- errors --------------------------------------------------------------------------------

A = torch.tensor([[0.5, -1.0, 2.0, 0.0], [1.5, 0.25, -0.5, 3.0], [0.0, 1.0, 2.0, -2.0]],
                 dtype=DOUBLE)  # (3, 4)
B = A.flip(0) + 0.5
C = A.roll(1, dims=1) - 0.25
Y = torch.tensor([1.0, -1.0, 1.0], dtype=DOUBLE)
BAD_REDUCTION = "avg is not a valid value for reduction"
MULTI_TARGET = "0D or 1D target tensor expected, multi-target not supported"
TRIPLET_DIMS = ("The anchor, positive, and negative tensors are expected to have the same "
                "number of dimensions, but got: anchor {}D, positive {}D, and negative {}D "
                "inputs")


def size_mismatch(a: int, b: int, dim: int) -> str:
    return f"The size of tensor a ({a}) must match the size of tensor b ({b}) at " \
           f"non-singleton dimension {dim}"


COSINE_ERRORS = [
    ("target (1, N)", (A, B, Y[None]), {}, RuntimeError, MULTI_TARGET),
    ("target (N, 1)", (A, B, Y[:, None]), {}, RuntimeError, MULTI_TARGET),
    ("target (1, N), bad reduction: the reduction first", (A, B, Y[None]),
     {"reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("target (1, N), 1-D inputs: the target first", (A[0], B[0], Y[None]), {}, RuntimeError,
     MULTI_TARGET),
    ("1-D target, 1-D inputs", (A[0], B[0], Y), {}, RuntimeError,
     "1D target tensor expects 2D input tensors, but found inputs with sizes [4] and [4]."),
    ("1-D target, 3-D input", (A[None], B, Y), {}, RuntimeError,
     "1D target tensor expects 2D input tensors, but found inputs with sizes [1, 3, 4] "
     "and [3, 4]."),
    ("0-d target, 2-D inputs", (A, B, Y[0]), {}, RuntimeError,
     "0D target tensor expects 1D input tensors, but found inputs with sizes [3, 4] "
     "and [3, 4]."),
    ("0-d target, a 0-d input", (A[0, 0], B[0], Y[0]), {}, RuntimeError,
     "0D target tensor expects 1D input tensors, but found inputs with sizes [] and [4]."),
    ("target (2,) for 3 pairs", (A, B, Y[:2]), {}, RuntimeError, size_mismatch(2, 3, 0)),
    ("inputs (3, 4) and (2, 4)", (A, B[:2], Y), {}, RuntimeError, size_mismatch(3, 2, 0)),
    ("inputs (3, 4) and (3, 3)", (A, B[:, :3], Y), {}, RuntimeError, size_mismatch(4, 3, 1)),
    ("1-D inputs of sizes 4 and 3", (A[0], B[0, :3], Y[0]), {}, RuntimeError,
     size_mismatch(4, 3, 0)),
    ("reduction", (A, B, Y), {"reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("reduction batchmean", (A, B, Y), {"reduction": "batchmean"}, ValueError,
     "batchmean is not a valid value for reduction"),
]

TRIPLET_ERRORS = [  # for both triplet losses (the default distance)
    ("negative 1-D", (A, B, C[0]), {}, RuntimeError, TRIPLET_DIMS.format(2, 2, 1)),
    ("anchor 3-D", (A[None], B, C), {}, RuntimeError, TRIPLET_DIMS.format(3, 2, 2)),
    ("positive 0-d", (A[0], B[0, 0], C[0]), {}, RuntimeError, TRIPLET_DIMS.format(1, 0, 1)),
    ("margin 0", (A, B, C), {"margin": 0.0}, ValueError, "margin must be greater than 0, got 0.0"),
    ("margin -1 (an int)", (A, B, C), {"margin": -1}, ValueError,
     "margin must be greater than 0, got -1"),
    ("margin 0, bad dims: the margin first", (A, B, C[0]), {"margin": 0.0}, ValueError,
     "margin must be greater than 0, got 0.0"),
    ("margin 0, bad reduction: the reduction first", (A, B, C), {"margin": 0.0,
                                                                 "reduction": "avg"},
     ValueError, BAD_REDUCTION),
    ("reduction", (A, B, C), {"reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("batch sizes 3 and 2", (A, B[:2], C), {}, RuntimeError, size_mismatch(3, 2, 0)),
    ("negative batch 2", (A, B, C[:2]), {}, RuntimeError, size_mismatch(3, 2, 0)),
    ("positive batch 3, negative batch 2, anchor 1", (A[:1], B, C[:2]), {}, RuntimeError,
     size_mismatch(3, 2, 0)),
    ("positive batch 3, negative batch 2, anchor 1, swap", (A[:1], B, C[:2]),
     {"swap": True}, RuntimeError, size_mismatch(3, 2, 0)),
    ("D 4 and 3", (A, B, C[:, :3]), {}, RuntimeError, size_mismatch(4, 3, 1)),
]

OTHER_ERRORS = [
    ("triplet_margin_with_distance_loss", "elementwise_mean: refused", (A, B, C),
     {"reduction": "elementwise_mean"}, ValueError,
     "elementwise_mean is not a valid value for reduction"),
    ("triplet_margin_with_distance_loss", "custom distance, bad dims", (A, B, C[0]),
     {"distance_function": cosine_distance}, RuntimeError, TRIPLET_DIMS.format(2, 2, 1)),
    ("triplet_margin_with_distance_loss", "custom distance, margin 0", (A, B, C),
     {"distance_function": cosine_distance, "margin": 0.0}, ValueError,
     "margin must be greater than 0, got 0.0"),
]


@pytest.mark.parametrize("args, kwargs, error, message", [c[1:] for c in COSINE_ERRORS],
                         ids=[c[0] for c in COSINE_ERRORS])
def test_cosine_errors_match_torch(args, kwargs, error, message):
    assert_same_error("cosine_embedding_loss", args, kwargs, error, message)


@pytest.mark.parametrize("name", NAMES[1:])
@pytest.mark.parametrize("args, kwargs, error, message", [c[1:] for c in TRIPLET_ERRORS],
                         ids=[c[0] for c in TRIPLET_ERRORS])
def test_triplet_errors_match_torch(name, args, kwargs, error, message):
    assert_same_error(name, args, kwargs, error, message)


@pytest.mark.parametrize("name, args, kwargs, error, message",
                         [c[:1] + c[2:] for c in OTHER_ERRORS],
                         ids=[f"{c[0]}: {c[1]}" for c in OTHER_ERRORS])
def test_other_errors_match_torch(name, args, kwargs, error, message):
    assert_same_error(name, args, kwargs, error, message)


# --- the checks can fail -------------------------------------------------------------------

def test_value_check_fails_on_an_off_by_margin_triplet_loss(monkeypatch):
    """margin + 0.1: caught, though the clamp hides it on triplets far from the margin."""
    right = losses.triplet_margin_loss
    case = triplet_case(((4, 5),) * 3, seed=0, margin=1.0, p=2, eps=1e-6, swap=False,
                        reduction="none")
    assert_same_as_torch("triplet_margin_loss", case)

    def off_by_margin(anchor, positive, negative, margin=1.0, *args, **kwargs):
        return right(anchor, positive, negative, margin + 0.1, *args, **kwargs)

    monkeypatch.setattr(losses, "triplet_margin_loss", off_by_margin)
    with pytest.raises(AssertionError, match="Tensor-likes are not close"):
        assert_same_as_torch("triplet_margin_loss", case)


def test_value_check_fails_on_a_triplet_loss_that_ignores_swap(monkeypatch):
    """The grid's 'special' case puts a negative on its positive: swap must count."""
    right = losses.triplet_margin_loss

    def no_swap(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                reduction="mean"):
        return right(anchor, positive, negative, margin, p, eps, False, reduction)

    monkeypatch.setattr(losses, "triplet_margin_loss", no_swap)
    options = dict(seed=0, margin=1.0, p=2, eps=1e-6, reduction="none", special=True)
    assert_same_as_torch("triplet_margin_loss", triplet_case(((4, 5),) * 3, swap=False,
                                                             **options))
    with pytest.raises(AssertionError, match="Tensor-likes are not close"):
        assert_same_as_torch("triplet_margin_loss", triplet_case(((4, 5),) * 3, swap=True,
                                                                 **options))


def test_value_check_fails_on_a_cosine_loss_with_cosine_similarity(monkeypatch):
    """F.cosine_similarity's eps (a clamp of the norms at 1e-8) is not the loss's 1e-12 on
    the squared norms: the same on ordinary vectors, caught by the tiny rows."""
    def with_cosine_similarity(input1, input2, target, margin=0, reduction="mean"):
        cos = F.cosine_similarity(input1, input2, dim=-1)
        l = torch.where(target == 1, 1 - cos, 0) + torch.where(
            target == -1, (cos - margin).clamp(min=0), 0)
        return losses._reduce(l, reduction)

    monkeypatch.setattr(losses, "cosine_embedding_loss", with_cosine_similarity)
    ordinary = cosine_case(((4, 5), (4, 5), (4,)), seed=0, margin=0.0, reduction="none",
                           target_kind="+-1 float", special=False)
    assert_same_as_torch("cosine_embedding_loss", ordinary)
    x1 = torch.tensor([[0.6, 0.8], [3.0, 4.0]], dtype=DOUBLE) * torch.tensor(
        [[1e-7], [1.0]], dtype=DOUBLE)
    tiny = Case((x1, x1, torch.ones(2, dtype=DOUBLE)), dict(reduction="none"))
    with pytest.raises(AssertionError, match="Tensor-likes are not close"):
        assert_same_as_torch("cosine_embedding_loss", tiny)


def test_value_check_fails_on_zero_one_labels(monkeypatch):
    """A cosine loss that reads every target other than 1 as -1 (as if labels were 0/1)."""
    right = losses.cosine_embedding_loss

    def any_other_is_dissimilar(input1, input2, target, margin=0, reduction="mean"):
        return right(input1, input2, torch.where(target == 1, 1, -1), margin, reduction)

    monkeypatch.setattr(losses, "cosine_embedding_loss", any_other_is_dissimilar)
    case = cosine_case(((6, 3), (6, 3), (6,)), seed=1, margin=0.0, reduction="none",
                       target_kind="with other values", special=False)
    assert ((case.args[2] != 1) & (case.args[2] != -1)).any()
    with pytest.raises(AssertionError, match="Tensor-likes are not close"):
        assert_same_as_torch("cosine_embedding_loss", case)


def test_gradient_check_fails_on_a_detached_distance(monkeypatch):
    """The same values, but no gradient through the negative distance."""
    def detached_negative(anchor, positive, negative, *, distance_function=None,
                          margin=1.0, swap=False, reduction="mean"):
        return losses.triplet_margin_loss(anchor, positive, negative.detach(), margin,
                                          swap=swap, reduction=reduction)

    monkeypatch.setattr(losses, "triplet_margin_with_distance_loss", detached_negative)
    case = distance_case(((4, 5),) * 3, seed=2, distance="default", margin=2.0, swap=False,
                         reduction="sum")
    assert_same_as_torch("triplet_margin_with_distance_loss", case)  # values only: passes
    with pytest.raises(AssertionError, match="gradient of argument 2"):
        assert_same_as_torch("triplet_margin_with_distance_loss", case, grad=True)


def test_dtype_check_fails_on_a_loss_that_computes_in_float64(monkeypatch):
    right = losses.triplet_margin_loss
    monkeypatch.setattr(losses, "triplet_margin_loss",
                        lambda a, p, n, *args, **kwargs: right(a.double(), p.double(),
                                                               n.double(), *args, **kwargs))
    with pytest.raises(AssertionError, match="dtype"):
        assert_same_as_torch("triplet_margin_loss", Case((A.float(), B.float(), C.float()),
                                                         {}))


def test_error_check_fails_on_another_message(monkeypatch):
    def wrong(*args, **kwargs):
        raise RuntimeError("0D or 1D target tensor expected")

    monkeypatch.setattr(losses, "cosine_embedding_loss", wrong)
    with pytest.raises(AssertionError, match="messages differ"):
        assert_same_error("cosine_embedding_loss", (A, B, Y[None]), {}, RuntimeError,
                          "0D or 1D target tensor expected")


def test_error_check_fails_on_a_subclass_of_the_exception(monkeypatch):
    class NotQuiteValueError(ValueError):
        """pytest.raises(ValueError) takes it; the exact-type check must not."""

    def wrong(*args, **kwargs):
        raise NotQuiteValueError("margin must be greater than 0, got 0.0")

    monkeypatch.setattr(losses, "triplet_margin_loss", wrong)
    with pytest.raises(AssertionError, match="NotQuiteValueError, not ValueError"):
        assert_same_error("triplet_margin_loss", (A, B, C), {"margin": 0.0}, ValueError,
                          "margin must be greater than 0, got 0.0")
