"""The from-scratch losses (snippets/from_scratch/losses.py) against torch.nn.functional.

Values, in float64, two ways:
- a grid: every combination of the options (reduction, weight, ignore_index, label
  smoothing, pos_weight, ...) on a few fixed shapes, so that no combination is left to luck;
- hypothesis: random shapes, seeds and options. Tensors come from a torch.Generator seeded
  by a drawn integer (fast, and the seed reproduces them); derandomize=True, so every run
  draws the same examples.
Errors: torch and ours raise the same exception type with the same message.
The last tests prove that both comparison helpers fail on a wrong implementation.
"""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F
from hypothesis import event, given, settings
from hypothesis import strategies as st

from snippets.from_scratch import losses
from tests.parity import Case, assert_same_error

DOUBLE = torch.float64
REDUCTIONS = ("none", "mean", "sum")
IGNORED = ("-100, none ignored", "-100, some ignored", "-100, all ignored", "a class")
WEIGHT_KINDS = ("none", "same shape", "last dim", "one per row")
# Multipliers of randn logits. 1000: exp(x) overflows float64 unless the code is stable
# (log-softmax shifted by the max, log-sigmoid without exp of a large positive number).
LOGIT_SCALES = (1.0, 50.0, 1000.0)

# database=None: no failing example is saved, and none saved by another run is replayed.
SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=50)


def assert_same_as_torch(name: str, case: Case, *, torch_args=None) -> None:
    """ours(*case.args) == torch(*case.args): same dtype, shape and values; nan == nan.

    torch_args replaces case.args on torch's side only (Byte targets that torch refuses,
    see test_byte_targets_match_torch).
    """
    expected = getattr(F, name)(*(torch_args or case.args), **case.kwargs)
    actual = getattr(losses, name)(*case.args, **case.kwargs)  # looked up now: patchable

    def describe(message: str) -> str:
        options = {k: v if not isinstance(v, torch.Tensor) else f"tensor{list(v.shape)}"
                   for k, v in case.kwargs.items()}
        shapes = [f"{a.dtype} {list(a.shape)}" for a in case.args]
        return f"{name}({', '.join(shapes)}, {options}):\n{message}"

    torch.testing.assert_close(actual, expected, equal_nan=True, msg=describe)


# --- case builders, shared by the grid and hypothesis --------------------------------------

def positive(shape, g: torch.Generator) -> torch.Tensor:
    return torch.rand(shape, generator=g, dtype=DOUBLE) * 3 + 0.05


def class_index_case(shape: tuple[int, ...], *, seed: int, scale: float = 1.0,
                     ignored: str = IGNORED[0], ignore_class: int = 0, weighted: bool,
                     reduction: str, label_smoothing: float | None,
                     byte: bool = False) -> Case:
    """Input (C,), (N, C) or (N, C, d1, ..., dK); target (), (N) or (N, d1, ..., dK).

    label_smoothing None: no such argument (nll_loss).
    """
    g = torch.Generator().manual_seed(seed)
    C = shape[0] if len(shape) == 1 else shape[1]
    target_shape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    x = torch.randn(shape, generator=g, dtype=DOUBLE) * scale
    y = torch.randint(0, C, target_shape, generator=g)
    ignore_index = ignore_class if ignored == "a class" else -100
    if ignored == "-100, some ignored":
        dropped = torch.rand(target_shape, generator=g) < 0.4
        dropped.view(-1)[0] = True  # at least one ignored, and one kept if there are two
        if dropped.numel() > 1:
            dropped.view(-1)[-1] = False
        y = y.masked_fill(dropped, -100)
    elif ignored == "-100, all ignored":
        y = torch.full_like(y, -100)
    elif ignored == "a class":
        y.view(-1)[0] = ignore_class  # at least one target is the ignored class
    if byte:
        assert ignored in ("-100, none ignored", "a class"), "uint8 cannot hold -100"
        y = y.to(torch.uint8)
    kwargs = dict(weight=positive(C, g) if weighted else None, ignore_index=ignore_index,
                  reduction=reduction)
    if label_smoothing is not None:
        kwargs["label_smoothing"] = label_smoothing
    return Case((x, y), kwargs)


def probability_case(shape: tuple[int, ...], *, seed: int, scale: float = 1.0,
                     one_hot: bool, weighted: bool, ignore_index: int, reduction: str,
                     label_smoothing: float) -> Case:
    """Target of the input's shape, floating, summing to 1 along the class dimension."""
    g = torch.Generator().manual_seed(seed)
    class_dim = 0 if len(shape) == 1 else 1
    C = shape[class_dim]
    x = torch.randn(shape, generator=g, dtype=DOUBLE) * scale
    if one_hot:
        index = torch.randint(0, C, shape, generator=g).select(class_dim, 0)
        y = F.one_hot(index, C).to(DOUBLE).movedim(-1, class_dim)
    else:
        y = (torch.randn(shape, generator=g, dtype=DOUBLE) * 2).softmax(class_dim)
    return Case((x, y), dict(weight=positive(C, g) if weighted else None,
                             ignore_index=ignore_index, reduction=reduction,
                             label_smoothing=label_smoothing))


def binary_weight_shape(kind: str, shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """A weight shape broadcastable to `shape`, with no more dimensions than it."""
    return {"none": None, "same shape": shape, "last dim": shape[-1:],
            "one per row": shape[:-1] + (1,) if shape else ()}[kind]


def binary_target(shape, g: torch.Generator, *, hard: bool) -> torch.Tensor:
    if hard:
        return (torch.rand(shape, generator=g) < 0.5).to(DOUBLE)
    return torch.rand(shape, generator=g, dtype=DOUBLE)


def bce_case(shape: tuple[int, ...], *, seed: int, weight_shape: tuple[int, ...] | None,
             exact_ends: bool, hard: bool, reduction: str) -> Case:
    """Probabilities x; exact_ends puts 0s and 1s in x, where log is clamped at -100."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(shape, generator=g, dtype=DOUBLE)
    if exact_ends:
        x = x.masked_fill(torch.rand(shape, generator=g) < 0.25, 0.0)
        x = x.masked_fill(torch.rand(shape, generator=g) < 0.25, 1.0)
    y = binary_target(shape, g, hard=hard)
    weight = None if weight_shape is None else positive(weight_shape, g)
    return Case((x, y), dict(weight=weight, reduction=reduction))


def bce_with_logits_case(shape: tuple[int, ...], *, seed: int, scale: float,
                         weight_shape: tuple[int, ...] | None, pos_weighted: bool,
                         hard: bool, reduction: str) -> Case:
    """Logits x. scale 50: saturated sigmoids; 1000: exp(|x|) overflows even in float64,
    and a naive log(sigmoid(x)) gives -inf."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g, dtype=DOUBLE) * scale
    y = binary_target(shape, g, hard=hard)
    weight = None if weight_shape is None else positive(weight_shape, g)
    pos_weight = positive(shape[-1:], g) if pos_weighted else None  # one per class
    return Case((x, y), dict(weight=weight, reduction=reduction, pos_weight=pos_weight))


def torch_takes_byte_target(name: str, case: Case) -> bool:
    """torch (2.13) refuses Byte targets for K-dimensional inputs ("expected scalar type Long
    but found Byte") and, in cross_entropy with label smoothing, a weight and 'mean', fails
    in its own gather ("Expected dtype int32/int64 for index"). Ours takes them all."""
    kw = case.kwargs
    smoothing_gather = (name == "cross_entropy" and kw["label_smoothing"] > 0
                        and kw["weight"] is not None and kw["reduction"] == "mean")
    return case.args[0].dim() <= 2 and not smoothing_gather


def assert_byte_case_same_as_torch(name: str, case: Case) -> None:
    x, y = case.args
    assert y.dtype == torch.uint8
    if torch_takes_byte_target(name, case):
        assert_same_as_torch(name, case)
    else:  # torch gets the same target as Long
        assert_same_as_torch(name, case, torch_args=(x, y.long()))


# --- values: every combination of options on fixed shapes ----------------------------------

CLASS_SHAPES = [(4,), (3, 4), (2, 4, 3), (2, 4, 3, 2)]  # C = 4
BINARY_SHAPES = [(), (5,), (3, 4), (2, 3, 4)]


@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
def test_grid_nll_loss(shape):
    for seed, (ignored, weighted, reduction) in enumerate(
            itertools.product(IGNORED, (False, True), REDUCTIONS)):
        assert_same_as_torch("nll_loss", class_index_case(
            shape, seed=seed, ignored=ignored, ignore_class=2, weighted=weighted,
            reduction=reduction, label_smoothing=None))


@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
def test_grid_cross_entropy_class_indices(shape):
    for seed, (ignored, weighted, reduction, label_smoothing, scale) in enumerate(
            itertools.product(IGNORED, (False, True), REDUCTIONS, (0.0, 0.3), LOGIT_SCALES)):
        assert_same_as_torch("cross_entropy", class_index_case(
            shape, seed=seed, scale=scale, ignored=ignored, ignore_class=2,
            weighted=weighted, reduction=reduction, label_smoothing=label_smoothing))


@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
def test_grid_cross_entropy_probabilities(shape):
    options = itertools.product((False, True), (False, True), REDUCTIONS, (0.0, 0.3),
                                (-100, -1), LOGIT_SCALES)  # a negative ignore_index is allowed
    for seed, (one_hot, weighted, reduction, smoothing, ignore_index, scale) in enumerate(options):
        assert_same_as_torch("cross_entropy", probability_case(
            shape, seed=seed, scale=scale, one_hot=one_hot, weighted=weighted,
            ignore_index=ignore_index, reduction=reduction, label_smoothing=smoothing))


@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
def test_grid_byte_targets(shape):
    for seed, (name, ignored, weighted, reduction, label_smoothing) in enumerate(
            itertools.product(("nll_loss", "cross_entropy"), ("-100, none ignored", "a class"),
                              (False, True), REDUCTIONS, (0.0, 0.3))):
        if name == "nll_loss" and label_smoothing:
            continue
        assert_byte_case_same_as_torch(name, class_index_case(
            shape, seed=seed, ignored=ignored, ignore_class=2, weighted=weighted,
            reduction=reduction, byte=True,
            label_smoothing=label_smoothing if name == "cross_entropy" else None))


@pytest.mark.parametrize("shape", BINARY_SHAPES, ids=str)
def test_grid_binary_cross_entropy(shape):
    for seed, (weight_kind, exact_ends, hard, reduction) in enumerate(
            itertools.product(WEIGHT_KINDS, (False, True), (False, True), REDUCTIONS)):
        assert_same_as_torch("binary_cross_entropy", bce_case(
            shape, seed=seed, weight_shape=binary_weight_shape(weight_kind, shape),
            exact_ends=exact_ends, hard=hard, reduction=reduction))


@pytest.mark.parametrize("shape", BINARY_SHAPES, ids=str)
def test_grid_binary_cross_entropy_with_logits(shape):
    for seed, (weight_kind, pos_weighted, scale, hard, reduction) in enumerate(
            itertools.product(WEIGHT_KINDS, (False, True), LOGIT_SCALES, (False, True),
                              REDUCTIONS)):
        assert_same_as_torch("binary_cross_entropy_with_logits", bce_with_logits_case(
            shape, seed=seed, scale=scale, weight_shape=binary_weight_shape(weight_kind, shape),
            pos_weighted=pos_weighted, hard=hard, reduction=reduction))


@pytest.mark.parametrize("name, label_smoothing", [
    ("nll_loss", None), ("cross_entropy", 0.0), ("cross_entropy", 0.25)])
@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
def test_every_target_ignored_gives_a_nan_mean(shape, name, label_smoothing):
    """torch's nan is checked here; the grid compares it with ours."""
    for weighted in (False, True):
        case = class_index_case(shape, seed=0, ignored="-100, all ignored", weighted=weighted,
                                reduction="mean", label_smoothing=label_smoothing)
        assert getattr(F, name)(*case.args, **case.kwargs).isnan()
        assert_same_as_torch(name, case)


# --- values: random shapes and options (hypothesis) ----------------------------------------

seeds = st.integers(min_value=0, max_value=2**32 - 1)
label_smoothings = st.just(0.0) | st.floats(0.0, 1.0, exclude_min=True, exclude_max=True)


@st.composite
def class_shapes(draw) -> tuple[int, ...]:
    """(C,), (N, C) or (N, C, d1, ..., dK) with K up to 2."""
    C = draw(st.integers(1, 5))
    if draw(st.booleans()):
        return (C,)
    return (draw(st.integers(1, 4)), C, *draw(st.lists(st.integers(1, 3), max_size=2)))


@st.composite
def class_index_cases(draw, *, smoothing: bool = True, byte: bool = False) -> Case:
    shape = draw(class_shapes())
    C = shape[0] if len(shape) == 1 else shape[1]
    ignored = draw(st.sampled_from(("-100, none ignored", "a class") if byte else IGNORED))
    case = class_index_case(
        shape, seed=draw(seeds), scale=draw(st.sampled_from(LOGIT_SCALES)), ignored=ignored,
        ignore_class=draw(st.integers(0, C - 1)), weighted=draw(st.booleans()),
        reduction=draw(st.sampled_from(REDUCTIONS)),
        label_smoothing=draw(label_smoothings) if smoothing else None, byte=byte)
    event(f"dims={len(shape)}, {ignored}")
    return case


@st.composite
def probability_cases(draw) -> Case:
    shape = draw(class_shapes())
    return probability_case(
        shape, seed=draw(seeds), scale=draw(st.sampled_from(LOGIT_SCALES)),
        one_hot=draw(st.booleans()), weighted=draw(st.booleans()),
        ignore_index=draw(st.sampled_from([-100, -1])),
        reduction=draw(st.sampled_from(REDUCTIONS)), label_smoothing=draw(label_smoothings))


binary_shapes = st.lists(st.integers(1, 4), max_size=3).map(tuple)


@st.composite
def binary_weight_shapes(draw, shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """None, or some dimensions of shape set to 1 and some leading ones dropped."""
    if draw(st.booleans()):
        return None
    ones = draw(st.lists(st.booleans(), min_size=len(shape), max_size=len(shape)))
    weight_shape = tuple(1 if one else n for one, n in zip(ones, shape, strict=True))
    return weight_shape[draw(st.integers(0, len(shape))):]


@st.composite
def bce_cases(draw) -> Case:
    shape = draw(binary_shapes)
    return bce_case(shape, seed=draw(seeds), weight_shape=draw(binary_weight_shapes(shape)),
                    exact_ends=draw(st.booleans()), hard=draw(st.booleans()),
                    reduction=draw(st.sampled_from(REDUCTIONS)))


@st.composite
def bce_with_logits_cases(draw) -> Case:
    shape = draw(binary_shapes)
    return bce_with_logits_case(
        shape, seed=draw(seeds), scale=draw(st.sampled_from(LOGIT_SCALES)),
        weight_shape=draw(binary_weight_shapes(shape)), pos_weighted=draw(st.booleans()),
        hard=draw(st.booleans()), reduction=draw(st.sampled_from(REDUCTIONS)))


@SETTINGS
@given(class_index_cases(smoothing=False))
def test_nll_loss_matches_torch(case):
    assert_same_as_torch("nll_loss", case)


@settings(SETTINGS, max_examples=80)
@given(class_index_cases())
def test_cross_entropy_class_indices_match_torch(case):
    assert_same_as_torch("cross_entropy", case)


@SETTINGS
@given(probability_cases())
def test_cross_entropy_probabilities_match_torch(case):
    assert_same_as_torch("cross_entropy", case)


@SETTINGS
@given(st.sampled_from(["nll_loss", "cross_entropy"]), st.data())
def test_byte_targets_match_torch(name, data):
    case = data.draw(class_index_cases(smoothing=name == "cross_entropy", byte=True))
    assert_byte_case_same_as_torch(name, case)


@SETTINGS
@given(bce_cases())
def test_binary_cross_entropy_matches_torch(case):
    assert_same_as_torch("binary_cross_entropy", case)


@SETTINGS
@given(bce_with_logits_cases())
def test_binary_cross_entropy_with_logits_matches_torch(case):
    assert_same_as_torch("binary_cross_entropy_with_logits", case)


# --- errors --------------------------------------------------------------------------------

X = torch.tensor([[0.5, -1.0, 2.0, 0.0], [1.5, 0.25, -0.5, 3.0], [0.0, 1.0, 2.0, -2.0]],
                 dtype=DOUBLE)  # (N, C) = (3, 4)
X3 = X.reshape(1, 3, 4).expand(2, 3, 4).clone()  # (N, C, d1) = (2, 3, 4)
Y = torch.tensor([0, 3, 1])
P = torch.tensor([[0.1, 0.2, 0.3, 0.4], [1.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]],
                 dtype=DOUBLE)  # class probabilities; also BCE inputs and targets

CLASS_INDEX_ERRORS = [
    ("float target", (X, Y.to(DOUBLE)), {}, RuntimeError,
     "expected target dtype to be Long or Byte, but got Double"),
    ("float32 target", (X, Y.float()), {}, RuntimeError,
     "expected target dtype to be Long or Byte, but got Float"),
    ("int32 target", (X, Y.int()), {}, RuntimeError,
     "expected target dtype to be Long or Byte, but got Int"),
    ("int16 target", (X, Y.short()), {}, RuntimeError,
     "expected target dtype to be Long or Byte, but got Short"),
    ("bool target", (X, Y.bool()), {}, RuntimeError,
     "expected target dtype to be Long or Byte, but got Bool"),
    ("target C", (X, torch.tensor([0, 4, 1])), {}, IndexError, "Target 4 is out of bounds."),
    ("target -1", (X, torch.tensor([0, -1, 1])), {}, IndexError,
     "Target -1 is out of bounds."),
    ("target -1, ignore_index 2", (X, torch.tensor([2, -1, 1])), {"ignore_index": 2},
     IndexError, "Target -1 is out of bounds."),
    ("target -100, ignore_index 2", (X, torch.tensor([2, -100, 1])), {"ignore_index": 2},
     IndexError, "Target -100 is out of bounds."),
    ("two targets out of range: the first is reported", (X, torch.tensor([1, -1, 7])), {},
     IndexError, "Target -1 is out of bounds."),
    ("Byte target C", (X, torch.tensor([0, 4, 1], dtype=torch.uint8)), {}, IndexError,
     "Target 4 is out of bounds."),
    ("unbatched target C", (X[0], torch.tensor(4)), {}, IndexError,
     "Target 4 is out of bounds."),
    ("K-dim target C", (X3, torch.full((2, 4), 3)), {}, IndexError,
     "Target 3 is out of bounds."),
    ("(N, 1) target", (X, Y[:, None]), {}, RuntimeError,
     "0D or 1D target tensor expected, multi-target not supported"),
    ("K-dim target of the wrong size", (X3, torch.zeros(2, 5, dtype=torch.long)), {},
     RuntimeError, "Expected target size [2, 4], got [2, 5]"),
    ("reduction", (X, Y), {"reduction": "average"}, ValueError,
     "average is not a valid value for reduction"),
    ("batch sizes differ", (X, Y[:2]), {}, ValueError,
     "Expected input batch_size (3) to match target batch_size (2)."),
    ("0-d target for a batch", (X, Y[0]), {}, ValueError,
     "Expected input batch_size (3) to match target batch_size (0)."),
    ("unbatched input, target of size 2", (X[0], Y[:2]), {}, ValueError,
     "For 1D input, 1D target must have size 1, but got target size: 2"),
    ("K-dim input, 1-D target", (X3, Y[:2]), {}, RuntimeError,
     "Expected target size [2, 4], got [2]"),
    ("weight too long", (X, Y), {"weight": torch.ones(5, dtype=DOUBLE)}, RuntimeError,
     "weight tensor should be defined either for all 4 classes or no classes"),
    ("weight too short", (X, Y), {"weight": torch.ones(3, dtype=DOUBLE)}, RuntimeError,
     "weight tensor should be defined either for all 4 classes or no classes"),
]


@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
@pytest.mark.parametrize("args, kwargs, error, message",
                         [case[1:] for case in CLASS_INDEX_ERRORS],
                         ids=[case[0] for case in CLASS_INDEX_ERRORS])
def test_class_index_errors_match_torch(name, args, kwargs, error, message):
    assert_same_error(name, args, kwargs, error, message)


OTHER_ERRORS = [
    ("cross_entropy", "probabilities, ignore_index 0", (X, P), {"ignore_index": 0},
     RuntimeError, "ignore_index is not supported for floating point target"),
    ("cross_entropy", "probabilities, ignore_index 3", (X, P), {"ignore_index": 3},
     RuntimeError, "ignore_index is not supported for floating point target"),
    ("cross_entropy", "probabilities, reduction", (X, P), {"reduction": "batchmean"},
     ValueError, "batchmean is not a valid value for reduction"),
    ("cross_entropy", "integer probabilities", (X, P.long()), {}, RuntimeError,
     "Expected floating point type for target with class probabilities, got Long"),
    ("cross_entropy", "probabilities, weight too long", (X, P),
     {"weight": torch.ones(5, dtype=DOUBLE)}, RuntimeError,
     "cross_entropy: weight tensor should be defined either for all 4 classes"),
    ("cross_entropy", "label_smoothing above 1", (X, Y), {"label_smoothing": 1.5},
     RuntimeError, "label_smoothing must be between 0.0 and 1.0. Got: 1.5"),
    ("cross_entropy", "probabilities, label_smoothing above 1", (X, P),
     {"label_smoothing": 2.0}, RuntimeError, "label_smoothing must be between 0.0 and 1.0"),
    ("nll_loss", "0-d input", (X[0, 0], Y[0]), {}, ValueError,
     "Expected 1 or more dimensions (got 0)"),
    ("nll_loss", "float target shaped like the input", (X, P), {}, RuntimeError,
     "0D or 1D target tensor expected, multi-target not supported"),
    ("binary_cross_entropy", "NaN input", (P * float("nan"), P), {}, RuntimeError,
     "all elements of input should be between 0 and 1"),
    ("binary_cross_entropy", "bad reduction and shape: reduction first", (P, P[:, :3]),
     {"reduction": "avg"}, ValueError, "avg is not a valid value for reduction"),
    ("binary_cross_entropy_with_logits", "bad reduction and shape: reduction first",
     (X, P[:, :3]), {"reduction": "avg"}, ValueError, "avg is not a valid value for reduction"),
    ("binary_cross_entropy", "input above 1", (P + 0.5, P), {}, RuntimeError,
     "all elements of input should be between 0 and 1"),
    ("binary_cross_entropy", "input below 0", (P - 0.5, P), {}, RuntimeError,
     "all elements of input should be between 0 and 1"),
    ("binary_cross_entropy", "target above 1", (P, P + 0.5), {}, RuntimeError,
     "all elements of target should be between 0 and 1"),
    ("binary_cross_entropy", "target below 0", (P, P - 0.5), {}, RuntimeError,
     "all elements of target should be between 0 and 1"),
    ("binary_cross_entropy", "target shape", (P, P[:, :3]), {}, ValueError,
     "that is different to the input size"),
    ("binary_cross_entropy", "target transposed", (P, P.T), {}, ValueError,
     "that is different to the input size"),
    # Not "elementwise_mean": torch still maps it to "mean", with a UserWarning.
    ("binary_cross_entropy", "reduction", (P, P), {"reduction": "avg"}, ValueError,
     "avg is not a valid value for reduction"),
    ("binary_cross_entropy_with_logits", "target shape", (X, P[:, :3]), {}, ValueError,
     "must be the same as input size"),
    ("binary_cross_entropy_with_logits", "target unsqueezed", (X, P[None]), {}, ValueError,
     "must be the same as input size"),
    ("binary_cross_entropy_with_logits", "reduction", (X, P), {"reduction": "Mean"},
     ValueError, "Mean is not a valid value for reduction"),
]


@pytest.mark.parametrize("name, args, kwargs, error, message",
                         [case[:1] + case[2:] for case in OTHER_ERRORS],
                         ids=[f"{case[0]}: {case[1]}" for case in OTHER_ERRORS])
def test_other_errors_match_torch(name, args, kwargs, error, message):
    assert_same_error(name, args, kwargs, error, message)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_edge_values_match_torch(reduction):
    """A negative label_smoothing is ignored by torch; one sample may have a (1,) target."""
    for target in (Y, P):
        assert_same_as_torch("cross_entropy",
                             Case((X, target), {"label_smoothing": -0.5, "reduction": reduction}))
    for name in ("nll_loss", "cross_entropy"):
        assert_same_as_torch(name, Case((X[1], Y[:1]), {"reduction": reduction}))


# --- the checks can fail -------------------------------------------------------------------

def test_value_check_fails_on_a_plain_mean_of_weighted_losses(monkeypatch):
    """A cross_entropy that divides by N instead of sum_n w_{y_n} must be caught."""
    right = losses.cross_entropy

    def plain_mean(input, target, weight=None, ignore_index=-100, reduction="mean",
                   label_smoothing=0.0):
        if reduction != "mean":
            return right(input, target, weight, ignore_index, reduction, label_smoothing)
        return right(input, target, weight, ignore_index, "none", label_smoothing).mean()

    weighted = Case((X, Y), dict(weight=torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=DOUBLE)))
    assert_same_as_torch("cross_entropy", weighted)  # the right one passes
    monkeypatch.setattr(losses, "cross_entropy", plain_mean)
    assert_same_as_torch("cross_entropy", Case((X, Y), {}))  # no weight: no difference
    with pytest.raises(AssertionError, match="Scalars are not close"):
        assert_same_as_torch("cross_entropy", weighted)


def test_error_check_fails_on_another_message(monkeypatch):
    def wrong(input, target, *args, **kwargs):
        raise RuntimeError("expected target dtype to be Long, but got Double")

    monkeypatch.setattr(losses, "nll_loss", wrong)
    with pytest.raises(AssertionError, match="messages differ"):
        assert_same_error("nll_loss", (X, Y.to(DOUBLE)), {}, RuntimeError,
                          "expected target dtype to be Long")


def test_error_check_fails_on_a_subclass_of_the_exception(monkeypatch):
    class NotQuiteValueError(ValueError):
        """pytest.raises(ValueError) takes it; the exact-type check must not."""

    def wrong(input, target, *args, **kwargs):
        raise NotQuiteValueError(f"Target size ({target.size()}) must be the same as input "
                                 f"size ({input.size()})")

    monkeypatch.setattr(losses, "binary_cross_entropy_with_logits", wrong)
    with pytest.raises(AssertionError, match="NotQuiteValueError, not ValueError"):
        assert_same_error("binary_cross_entropy_with_logits", (X, P[:, :3]), {}, ValueError,
                          "must be the same as input size")
