"""The from-scratch margin losses (snippets/from_scratch/losses.py: margin_ranking_loss,
hinge_embedding_loss, soft_margin_loss, multilabel_soft_margin_loss, multilabel_margin_loss,
multi_margin_loss) against torch.nn.functional.

Values, in float64 (and a few mixed dtypes), two ways:
- a grid: every combination of the options on fixed shapes, batched and unbatched (0-d
  where torch accepts it), and the shapes torch broadcasts;
- hypothesis: random shapes, seeds and options. Tensors come from a torch.Generator seeded
  by a drawn integer; derandomize=True, database=None, so every run draws the same examples.
Every comparison checks dtype, shape, values and warnings (none of these losses warns).
Gradients: the same, on random inputs. Errors: the same exception type with the same message,
in torch's order when two things are wrong. The last tests prove that the value, shape and
error checks fail on wrong code.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.from_scratch import losses
from tests.parity import Case, assert_same_error, call, describe

DOUBLE = torch.float64
REDUCTIONS = ("none", "mean", "sum")
NAMES = ("margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
         "multilabel_soft_margin_loss", "multilabel_margin_loss", "multi_margin_loss")
SECTIONS = dict(zip([n.replace("_", "-") for n in NAMES], NAMES, strict=True))

# database=None: no failing example is saved, and none saved by another run is replayed.
SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=60)


def test_each_section_runs_with_the_sections_before_it():
    """A page includes a section verbatim: given `import torch` and the sections above it in
    losses.py, it must define its function."""
    text = Path(losses.__file__).read_text(encoding="utf-8")
    sections = re.findall(r"^# --8<-- \[start:([\w-]+)\]\n(.*?)^# --8<-- \[end:\1\]$",
                          text, re.S | re.M)
    names = [name for name, _ in sections]
    first = names.index("margin-ranking-loss")
    assert names[first:first + len(SECTIONS)] == list(SECTIONS)
    x = torch.tensor([[0.5, -1.0, 2.0], [2.0, 0.25, 0.0]], dtype=DOUBLE)
    args = {
        "margin-ranking-loss": (x, x.flip(0), x.sign()),
        "hinge-embedding-loss": (x.abs(), x.sign()),
        "soft-margin-loss": (x, x.sign()),
        "multilabel-soft-margin-loss": (x, (x > 0).to(DOUBLE)),
        "multilabel-margin-loss": (x, torch.tensor([[2, 0, -1], [1, -1, 0]])),
        "multi-margin-loss": (x, torch.tensor([2, 0])),
    }
    for i, (name, _) in enumerate(sections):
        if name not in SECTIONS:
            continue
        namespace: dict[str, Any] = {}
        exec("import torch\n" + "".join(code for _, code in sections[:i + 1]), namespace)
        function = namespace[SECTIONS[name]]
        assert torch.equal(function(*args[name], reduction="sum"),
                           getattr(losses, SECTIONS[name])(*args[name], reduction="sum")), name


# --- comparison helpers --------------------------------------------------------------------

def assert_same_as_torch(name: str, case: Case) -> None:
    """ours == torch: same dtype, shape, values (nan == nan, inf == inf), no warnings."""
    expected, theirs = call(getattr(F, name), case)
    actual, ours = call(getattr(losses, name), case)  # looked up now: patchable
    assert ours == theirs == [], f"{describe(name, case)}: warnings {theirs} {ours}"
    torch.testing.assert_close(actual, expected, equal_nan=True,
                               msg=lambda m: f"{describe(name, case)}:\n{m}")


# --- case builders, shared by the grid and hypothesis --------------------------------------

def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(shape, g: torch.Generator, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(shape, generator=g, dtype=DOUBLE) * scale


def signs(shape, g: torch.Generator, others: bool = False) -> torch.Tensor:
    """Targets in {-1, 1}; with `others`, also 0 and 2, which torch accepts silently."""
    values = torch.tensor([-1.0, 1.0, 0.0, 2.0] if others else [-1.0, 1.0], dtype=DOUBLE)
    return values[torch.randint(0, len(values), shape, generator=g)]


def ranking_case(shapes, *, seed: int, margin: float, reduction: str) -> Case:
    g = generator(seed)
    x1, x2 = randn(shapes[0], g), randn(shapes[1], g)
    return Case((x1, x2, signs(shapes[2], g)), dict(margin=margin, reduction=reduction))


def hinge_case(shapes, *, seed: int, margin: float, reduction: str,
               others: bool = False) -> Case:
    g = generator(seed)
    distance = randn(shapes[0], g).abs() * 1.5  # around the margin, on both sides
    return Case((distance, signs(shapes[1], g, others)), dict(margin=margin, reduction=reduction))


def soft_case(shapes, *, seed: int, reduction: str, scale: float = 1.0) -> Case:
    g = generator(seed)
    return Case((randn(shapes[0], g, scale), signs(shapes[1], g)), dict(reduction=reduction))


def multilabel_soft_case(shape, *, seed: int, weight: str, soft: bool,
                         reduction: str) -> Case:
    """weight: 'none', 'per class' (C) or 'per sample' (N, 1): torch broadcasts it."""
    g = generator(seed)
    x = randn(shape, g, 2.0)
    y = torch.rand(shape, generator=g, dtype=DOUBLE)
    y = y if soft else (y < 0.4).to(DOUBLE)
    kwargs: dict[str, Any] = {"reduction": reduction}
    if weight == "per class":
        kwargs["weight"] = torch.rand(shape[-1:], generator=g, dtype=DOUBLE) * 2
    elif weight == "per sample":
        kwargs["weight"] = torch.rand(shape[:-1] + (1,), generator=g, dtype=DOUBLE) * 2
    return Case((x, y), kwargs)


def padded_targets(N: int, C: int, g: torch.Generator, batched: bool) -> torch.Tensor:
    """Class indices padded with -1: a random number of targets first (duplicates
    possible), then -1, then anything in [-1, C - 1] (ignored by torch)."""
    y = torch.randint(-1, C, (N, C), generator=g)
    counts = torch.randint(0, C + 1, (N,), generator=g)
    for n, k in enumerate(counts.tolist()):
        y[n, :k] = torch.randint(0, C, (k,), generator=g)
        if k < C:
            y[n, k] = -1
    return y if batched else y[0]


def multilabel_margin_case(shape, *, seed: int, reduction: str) -> Case:
    """shape: (N, C), (C,) or () (one sample, one class)."""
    g = generator(seed)
    x = randn(shape, g, 0.6)  # scores within 1 of each other: most hinges are active
    if len(shape) == 0:
        y = torch.tensor([0, -1][seed % 2])
    else:
        y = padded_targets(shape[0] if len(shape) == 2 else 1, shape[-1], g, len(shape) == 2)
    return Case((x, y), dict(reduction=reduction))


def multi_margin_case(shape, *, seed: int, p: int, margin: float, weighted: bool,
                      reduction: str, target_dim: int = 1) -> Case:
    """shape: (N, C), (C,) or (); target_dim 0 or 1 for an unbatched input."""
    g = generator(seed)
    x = randn(shape, g, 0.6)
    N, C = (shape[0], shape[1]) if len(shape) == 2 else (1, max(1, sum(shape)))
    y = torch.randint(0, C, (N,), generator=g)
    if len(shape) < 2 and target_dim == 0:
        y = y[0]
    kwargs: dict[str, Any] = dict(p=p, margin=margin, reduction=reduction)
    if weighted:
        kwargs["weight"] = torch.rand(C, generator=g, dtype=DOUBLE) * 2
    return Case((x, y), kwargs)


# --- values: every combination of options on fixed shapes ----------------------------------

RANKING_SHAPES = [((), (), ()), ((5,), (5,), (5,)), ((3, 4), (3, 4), (3, 4)),
                  ((2, 3, 4), (2, 3, 4), (2, 3, 4)),
                  ((3, 1), (1, 4), (3, 4)), ((4,), (4,), (1,)),  # same dims: broadcast silently
                  ((0,), (0,), (0,))]
PAIRS = [((), ()), ((5,), (5,)), ((3, 4), (3, 4)), ((2, 3, 4), (2, 3, 4)), ((0,), (0,))]
HINGE_BROADCAST = [((4,), (3, 4)), ((3, 1), (4,)), ((), (3,)), ((3,), ())]
SOFT_BROADCAST = [((3, 4), (4,)), ((3, 4), (3, 1)), ((3,), ()), ((2, 3, 4), (3, 1))]
CLASS_SHAPES = [(4,), (1, 4), (3, 4), (5, 1), (2, 3, 4)]  # multilabel_soft_margin_loss
MARGIN_SHAPES = [(), (1,), (5,), (1, 5), (4, 5), (3, 1)]  # multilabel_margin, multi_margin


def shape_id(shapes) -> str:
    """(3, 4) -> "[3, 4]"; ((3, 4), (4,)) -> "[3, 4] vs [4]"."""
    if shapes and isinstance(shapes[0], tuple):
        return " vs ".join(str(list(s)) for s in shapes)
    return str(list(shapes))


@pytest.mark.parametrize("shapes", RANKING_SHAPES, ids=shape_id)
def test_grid_margin_ranking(shapes):
    for seed, (margin, reduction) in enumerate(itertools.product((0, 0.5, -0.3), REDUCTIONS)):
        assert_same_as_torch("margin_ranking_loss",
                             ranking_case(shapes, seed=seed, margin=margin, reduction=reduction))


@pytest.mark.parametrize("shapes", PAIRS + HINGE_BROADCAST, ids=shape_id)
def test_grid_hinge_embedding(shapes):
    options = itertools.product((1.0, 0.5, 2.0, -0.5), REDUCTIONS, (False, True))
    for seed, (margin, reduction, others) in enumerate(options):
        assert_same_as_torch("hinge_embedding_loss", hinge_case(
            shapes, seed=seed, margin=margin, reduction=reduction, others=others))


@pytest.mark.parametrize("shapes", PAIRS + SOFT_BROADCAST, ids=shape_id)
def test_grid_soft_margin(shapes):
    """scale 100: exp(-y x) overflows to inf in both, for y x < -709 (float64)."""
    for seed, (reduction, scale) in enumerate(itertools.product(REDUCTIONS, (1.0, 5.0, 800.0))):
        assert_same_as_torch("soft_margin_loss",
                             soft_case(shapes, seed=seed, reduction=reduction, scale=scale))


@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=shape_id)
def test_grid_multilabel_soft_margin(shape):
    options = itertools.product(("none", "per class", "per sample"), (False, True), REDUCTIONS)
    for seed, (weight, soft, reduction) in enumerate(options):
        if weight == "per sample" and len(shape) == 1:
            continue
        assert_same_as_torch("multilabel_soft_margin_loss", multilabel_soft_case(
            shape, seed=seed, weight=weight, soft=soft, reduction=reduction))


@pytest.mark.parametrize("shape", MARGIN_SHAPES, ids=shape_id)
def test_grid_multilabel_margin(shape):
    for seed in range(4):
        for reduction in REDUCTIONS:
            assert_same_as_torch("multilabel_margin_loss", multilabel_margin_case(
                shape, seed=seed, reduction=reduction))


@pytest.mark.parametrize("shape", MARGIN_SHAPES, ids=shape_id)
def test_grid_multi_margin(shape):
    options = itertools.product((1, 2), (1.0, 0.3, -0.5), (False, True), REDUCTIONS, (0, 1))
    for seed, (p, margin, weighted, reduction, target_dim) in enumerate(options):
        if len(shape) == 2 and target_dim == 0:
            continue
        assert_same_as_torch("multi_margin_loss", multi_margin_case(
            shape, seed=seed, p=p, margin=margin, weighted=weighted, reduction=reduction,
            target_dim=target_dim))


def test_worked_examples_of_the_page():
    """The numbers the page reproduces by hand."""
    x = torch.tensor([[0.1, 0.2, 0.4, 0.8]], dtype=DOUBLE)
    for y, expected in (([0, 3, -1, -1], (1.1 + 1.3 + 0.4 + 0.6) / 4),
                        ([0, 3, -1, 2], (1.1 + 1.3 + 0.4 + 0.6) / 4),  # 2 is ignored
                        ([3, -1, -1, -1], (0.3 + 0.4 + 0.6) / 4),  # 3 pairs, still / 4
                        ([0, 3, 2, -1], (1.1 + 0.4 + 0.8) / 4),
                        ([0, 0, -1, -1], 2 * (1.1 + 1.3 + 1.7) / 4)):  # twice: counted twice
        for module in (F, losses):
            value = module.multilabel_margin_loss(x, torch.tensor([y]))
            assert value.item() == pytest.approx(expected), (y, module.__name__)
    x = torch.tensor([[0.1, 0.2, 0.7], [0.2, 0.5, 0.3]], dtype=DOUBLE)
    y = torch.tensor([1, 2])
    for module in (F, losses):
        torch.testing.assert_close(module.multi_margin_loss(x, y, reduction="none"),
                                   torch.tensor([0.8, 0.7], dtype=DOUBLE))
        # The weight of the target class multiplies z^p: 2 * (0.9^2 + 1.5^2) / 3, not (2 z)^2.
        torch.testing.assert_close(
            module.multi_margin_loss(x, y, p=2, weight=torch.tensor([1.0, 2.0, 3.0], dtype=DOUBLE),
                                     reduction="none")[0],
            torch.tensor(2 * (0.9 ** 2 + 1.5 ** 2) / 3, dtype=DOUBLE))


def test_empty_batches():
    """No sample: 'none' is empty in both. (torch's 'mean' and 'sum' of multilabel_margin
    and multi_margin are not computed at all: its output is uninitialized memory.)"""
    for reduction in REDUCTIONS:
        assert_same_as_torch("margin_ranking_loss", ranking_case(
            ((0, 3),) * 3, seed=0, margin=0.5, reduction=reduction))
        assert_same_as_torch("hinge_embedding_loss", hinge_case(
            ((0, 3), (0, 3)), seed=0, margin=1.0, reduction=reduction))
        assert_same_as_torch("soft_margin_loss", soft_case(((2, 0), (2, 0)), seed=0,
                                                           reduction=reduction))
        assert_same_as_torch("multilabel_soft_margin_loss", multilabel_soft_case(
            (0, 3), seed=0, weight="per class", soft=False, reduction=reduction))
        assert_same_as_torch("multilabel_soft_margin_loss", multilabel_soft_case(
            (2, 0), seed=0, weight="none", soft=False, reduction=reduction))  # 0 / 0
    assert_same_as_torch("multilabel_margin_loss", Case(
        (torch.zeros(0, 4, dtype=DOUBLE), torch.zeros(0, 4, dtype=torch.long)),
        dict(reduction="none")))
    assert_same_as_torch("multi_margin_loss", Case(
        (torch.zeros(0, 4, dtype=DOUBLE), torch.zeros(0, dtype=torch.long)),
        dict(reduction="none")))


MIXED_DTYPES = [(torch.float32, DOUBLE), (DOUBLE, torch.float32), (DOUBLE, torch.int64)]


@pytest.mark.parametrize("dtypes", MIXED_DTYPES, ids=str)
def test_mixed_dtypes_match_torch(dtypes):
    """Type promotion, except soft_margin_loss, which keeps the input's dtype (float32 for a
    float32 input and a float64 target): torch multiplies the target into -x in place."""
    x_dtype, y_dtype = dtypes
    for reduction in REDUCTIONS:
        x1, x2, y = ranking_case(((3, 4),) * 3, seed=1, margin=0.5, reduction=reduction).args
        assert_same_as_torch("margin_ranking_loss", Case(
            (x1.to(x_dtype), x2.to(x_dtype), y.to(y_dtype)), dict(reduction=reduction)))
        (x, y), kwargs = hinge_case(((3, 4), (3, 4)), seed=2, margin=1.0, reduction=reduction,
                                    others=True)
        assert_same_as_torch("hinge_embedding_loss", Case((x.to(x_dtype), y.to(y_dtype)), kwargs))
        (x, y), kwargs = soft_case(((3, 4), (3, 4)), seed=3, reduction=reduction)
        assert_same_as_torch("soft_margin_loss", Case((x.to(x_dtype), y.to(y_dtype)), kwargs))
        (x, y), kwargs = multilabel_soft_case((3, 4), seed=4, weight="per class", soft=False,
                                              reduction=reduction)
        assert_same_as_torch("multilabel_soft_margin_loss",
                             Case((x.to(x_dtype), y.to(y_dtype)), kwargs))
    x = torch.zeros(3, dtype=torch.float32)
    assert F.soft_margin_loss(x, x.double()).dtype == torch.float32
    for name, case in (("multilabel_margin_loss", multilabel_margin_case((3, 4), seed=5,
                                                                           reduction="sum")),
                       ("multi_margin_loss", multi_margin_case((3, 4), seed=6, p=2, margin=1.0,
                                                               weighted=True, reduction="sum"))):
        (x, y), kwargs = case
        if "weight" in kwargs:
            kwargs["weight"] = kwargs["weight"].float()
        assert_same_as_torch(name, Case((x.float(), y), kwargs))


# --- values: random shapes and options (hypothesis) ----------------------------------------

seeds = st.integers(min_value=0, max_value=2**32 - 1)
reductions = st.sampled_from(REDUCTIONS)
sizes = st.integers(1, 4)


@st.composite
def broadcast_pair(draw, dims_min: int = 0) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two shapes of one full shape (some sizes set to 1 in each): they broadcast."""
    full = tuple(draw(st.lists(sizes, min_size=dims_min, max_size=3)))
    cut = [tuple(1 if draw(st.booleans()) else n for n in full) for _ in range(2)]
    return cut[0], cut[1]


@SETTINGS
@given(st.sampled_from(NAMES), seeds, reductions, st.data())
def test_margin_losses_match_torch(name, seed, reduction, data):
    draw = data.draw
    if name == "margin_ranking_loss":
        a, b = draw(broadcast_pair())
        case = ranking_case((a, b, draw(st.sampled_from([a, b]))), seed=seed,
                            margin=draw(st.floats(-1, 2)), reduction=reduction)
    elif name == "hinge_embedding_loss":
        case = hinge_case(draw(broadcast_pair()), seed=seed, margin=draw(st.floats(-1, 3)),
                          reduction=reduction, others=draw(st.booleans()))
    elif name == "soft_margin_loss":
        shape = draw(broadcast_pair())[0]
        target = tuple(1 if draw(st.booleans()) else n for n in shape)
        case = soft_case((shape, target[draw(st.integers(0, len(target))):]), seed=seed,
                         reduction=reduction, scale=draw(st.sampled_from([1.0, 10.0])))
    elif name == "multilabel_soft_margin_loss":
        shape = tuple(draw(st.lists(sizes, min_size=1, max_size=3)))
        weight = draw(st.sampled_from(["none", "per class"]
                                      + (["per sample"] if len(shape) > 1 else [])))
        case = multilabel_soft_case(shape, seed=seed, weight=weight, soft=draw(st.booleans()),
                                    reduction=reduction)
    elif name == "multilabel_margin_loss":
        shape = tuple(draw(st.lists(st.integers(1, 6), min_size=0, max_size=2)))
        case = multilabel_margin_case(shape, seed=seed, reduction=reduction)
    else:
        shape = tuple(draw(st.lists(st.integers(1, 6), min_size=0, max_size=2)))
        case = multi_margin_case(shape, seed=seed, p=draw(st.sampled_from([1, 2])),
                                 margin=draw(st.floats(-1, 2)), weighted=draw(st.booleans()),
                                 reduction=reduction, target_dim=draw(st.sampled_from([0, 1])))
    assert_same_as_torch(name, case)


# --- gradients -----------------------------------------------------------------------------

def test_gradients_match_torch():
    """d loss / d input (and input2, and the weights of multilabel_soft_margin_loss)."""
    cases = {
        "margin_ranking_loss": ranking_case(((4, 5),) * 3, seed=0, margin=0.5, reduction="mean"),
        "hinge_embedding_loss": hinge_case(((4, 5), (4, 5)), seed=1, margin=1.0,
                                           reduction="sum", others=True),
        "soft_margin_loss": soft_case(((4, 5), (4, 5)), seed=2, reduction="mean"),
        "multilabel_soft_margin_loss": multilabel_soft_case(
            (4, 5), seed=3, weight="per class", soft=True, reduction="mean"),
        "multilabel_margin_loss": multilabel_margin_case((4, 5), seed=4, reduction="mean"),
        "multi_margin_loss": multi_margin_case((4, 5), seed=5, p=2, margin=1.0, weighted=True,
                                               reduction="sum"),
    }
    for name, (args, kwargs) in cases.items():
        grads = []
        for module in (F, losses):
            inputs = [a.clone().requires_grad_() for a in args[:-1]]  # all but the target
            options = dict(kwargs)
            if name == "multilabel_soft_margin_loss":
                options["weight"] = kwargs["weight"].clone().requires_grad_()
                inputs.append(options["weight"])
            getattr(module, name)(*inputs[:len(args) - 1], args[-1], **options).backward()
            grads.append([t.grad for t in inputs])
        for theirs, ours in zip(*grads, strict=True):
            torch.testing.assert_close(ours, theirs, msg=lambda m, name=name: f"{name}: {m}")


# --- errors --------------------------------------------------------------------------------

X = torch.tensor([[0.1, 0.2, 0.4, 0.8], [0.5, -1.0, 2.0, 0.0], [1.5, 0.25, -0.5, 3.0]],
                 dtype=DOUBLE)  # (3, 4)
S = X.sign()  # targets in {-1, 1}
T = torch.tensor([[0, 3, -1, -1], [1, -1, 7, 2], [2, 2, 0, -1]])  # padded indices; 7 ignored?
T_OK = T.clamp(max=3)
Y = torch.tensor([1, 3, 0])
W = torch.tensor([1.0, 2.0, 0.5, 1.0], dtype=DOUBLE)
BAD_REDUCTION = "avg is not a valid value for reduction"
NOT_EMPTY = "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "


def target_size(expected: int, got, shape) -> str:
    return ("multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{expected}], but got {got}. "
            f"Input has shape {shape}.")


ERRORS = [
    ("margin_ranking_loss", "(N, 1) against (N,)", (X[:, :1], X[:, :1], S[:, 0]), {},
     RuntimeError, "margin_ranking_loss : All input tensors should have same dimension but "
     "got sizes: input1: torch.Size([3, 1]), input2: torch.Size([3, 1]), "
     "target: torch.Size([3]) "),
    ("margin_ranking_loss", "same dims, sizes cannot broadcast", (X, X[:, :3], S), {},
     RuntimeError, "The size of tensor a (4) must match the size of tensor b (3) at "
     "non-singleton dimension 1"),
    ("margin_ranking_loss", "target cannot broadcast", (X, X, S[:2]), {}, RuntimeError,
     "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
    ("margin_ranking_loss", "bad reduction and dims: the reduction first",
     (X, X[0], S), {"reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("margin_ranking_loss", "bool target", (X, X, S > 0), {}, RuntimeError,
     "Negation, the `-` operator, on a bool tensor is not supported."),
    ("hinge_embedding_loss", "shapes cannot broadcast", (X, S[:, :3]), {}, RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"),
    ("hinge_embedding_loss", "reduction", (X, S), {"reduction": "avg"}, ValueError,
     BAD_REDUCTION),
    ("soft_margin_loss", "target larger than the input", (X[0], S), {}, RuntimeError,
     "output with shape [4] doesn't match the broadcast shape [3, 4]"),
    ("soft_margin_loss", "shapes cannot broadcast", (X, S[:, :3]), {}, RuntimeError,
     "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1"),
    ("soft_margin_loss", "Long input", (X.long(), S), {}, RuntimeError,
     "result type Double can't be cast to the desired output type Long"),
    ("soft_margin_loss", "reduction", (X, S), {"reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("multilabel_soft_margin_loss", "0-d input", (X[0, 0], S[0, 0]), {}, IndexError,
     "Dimension specified as -1 but tensor has no dimensions"),
    ("multilabel_soft_margin_loss", "target of another size", (X, S[:, :3]), {}, RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"),
    ("multilabel_soft_margin_loss", "weight of another size", (X, S), {"weight": W[:3]},
     RuntimeError, "The size of tensor a (4) must match the size of tensor b (3) at "
     "non-singleton dimension 1"),
    ("multilabel_soft_margin_loss", "Long input", (X.long(), S), {}, NotImplementedError,
     "\"log_sigmoid_cpu\" not implemented for 'Long'"),
    ("multilabel_soft_margin_loss", "reduction: torch's other message, checked last",
     (X, S), {"reduction": "avg"}, ValueError, "avg is not valid"),
    ("multilabel_soft_margin_loss", "elementwise_mean: refused", (X, S),
     {"reduction": "elementwise_mean"}, ValueError, "elementwise_mean is not valid"),
    ("multilabel_margin_loss", "target after the first -1 out of range", (X, T), {},
     RuntimeError, "argument #2 'target' is out of range"),
    ("multilabel_margin_loss", "target below -1", (X, T_OK - 2), {}, RuntimeError,
     "argument #2 'target' is out of range"),
    ("multilabel_margin_loss", "Int target", (X, T_OK.int()), {}, RuntimeError,
     "expected scalar type Long but found Int"),
    ("multilabel_margin_loss", "Float (multi-hot) target", (X, (S > 0).float()), {},
     RuntimeError, "expected scalar type Long but found Float"),
    ("multilabel_margin_loss", "Float target out of range: the range first", (X, T.float()),
     {}, RuntimeError, "argument #2 'target' is out of range"),
    ("multilabel_margin_loss", "Long input", (X.long(), T_OK), {}, NotImplementedError,
     "\"multilabel_margin_loss_forward_out_frame\" not implemented for 'Long'"),
    ("multilabel_margin_loss", "Long input, Float target: the input first",
     (X.long(), T_OK.float()), {}, NotImplementedError,
     "\"multilabel_margin_loss_forward_out_frame\" not implemented for 'Long'"),
    ("multilabel_margin_loss", "target (N, C - 1)", (X, T_OK[:, :3]), {}, RuntimeError,
     "inconsistent target size: [3, 3] for input of size: [3, 4]"),
    ("multilabel_margin_loss", "target (C) for (N, C)", (X, T_OK[0]), {}, RuntimeError,
     "inconsistent target size: [4] for input of size: [3, 4]"),
    ("multilabel_margin_loss", "target (1, C) for (C)", (X[0], T_OK[:1]), {}, RuntimeError,
     "inconsistent target size: [1, 4] for input of size: [4]"),
    ("multilabel_margin_loss", "3-D input", (X[None], T_OK[None]), {}, RuntimeError,
     NOT_EMPTY + "[1, 3, 4]"),
    ("multilabel_margin_loss", "no class", (X[:, :0], T_OK[:, :0]), {}, RuntimeError,
     NOT_EMPTY + "[3, 0]"),
    ("multilabel_margin_loss", "bad size and reduction: the reduction first",
     (X, T_OK[0]), {"reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("multi_margin_loss", "p = 3", (X, Y), {"p": 3}, ValueError,
     "only p == 1 and p == 2 supported"),
    ("multi_margin_loss", "p = 1.5", (X, Y), {"p": 1.5}, ValueError,
     "only p == 1 and p == 2 supported"),
    ("multi_margin_loss", "p = 3 and bad reduction: the reduction first", (X, Y),
     {"p": 3, "reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("multi_margin_loss", "2-D weight", (X, Y), {"weight": W[None]}, ValueError,
     "weight must be one-dimensional"),
    ("multi_margin_loss", "p = 3 and a 2-D weight: p first", (X, Y),
     {"p": 3, "weight": W[None]}, ValueError, "only p == 1 and p == 2 supported"),
    ("multi_margin_loss", "weight of another size", (X, Y), {"weight": W[:3]}, RuntimeError,
     "inconsistent weight size, expected 4 but got [3]"),
    ("multi_margin_loss", "Float weight for Double input", (X, Y), {"weight": W.float()},
     RuntimeError, "expected scalar type Double but found Float"),
    ("multi_margin_loss", "target too short", (X, Y[:2]), {}, RuntimeError,
     target_size(3, [2], [3, 4])),
    ("multi_margin_loss", "target (N, 1)", (X, Y[:, None]), {}, RuntimeError,
     target_size(3, [3, 1], [3, 4])),
    ("multi_margin_loss", "one-hot target (N, C)", (X, F.one_hot(Y, 4)), {}, RuntimeError,
     target_size(3, [3, 4], [3, 4])),
    ("multi_margin_loss", "0-d target for a batch", (X, Y[0]), {}, RuntimeError,
     target_size(3, [], [3, 4])),
    ("multi_margin_loss", "target (2) for an unbatched input", (X[0], Y[:2]), {}, RuntimeError,
     target_size(1, [2], [4])),
    ("multi_margin_loss", "3-D input", (X[None], Y[:1]), {}, RuntimeError,
     NOT_EMPTY + "[1, 3, 4]"),
    ("multi_margin_loss", "target out of range", (X, Y + 1), {}, RuntimeError,
     "target out of range"),
    ("multi_margin_loss", "negative target", (X, Y - 1), {}, RuntimeError, "target out of range"),
    ("multi_margin_loss", "Float target", (X, Y.float()), {}, RuntimeError,
     "expected scalar type Long but found Float"),
    ("multi_margin_loss", "Int target out of range: the dtype first", (X, (Y + 1).int()), {},
     RuntimeError, "expected scalar type Long but found Int"),
    ("multi_margin_loss", "Float target and Float weight: the target first", (X, Y.float()),
     {"weight": W.float()}, RuntimeError, "expected scalar type Long but found Float"),
    ("multi_margin_loss", "Float weight, target out of range: the weight first", (X, Y + 1),
     {"weight": W.float()}, RuntimeError, "expected scalar type Double but found Float"),
    ("multi_margin_loss", "Long input", (X.long(), Y.float()), {}, NotImplementedError,
     "\"multi_margin_loss_cpu_kernel\" not implemented for 'Long'"),
    ("multi_margin_loss", "bad target size and weight size: the target first", (X, Y[:2]),
     {"weight": W[:3]}, RuntimeError, target_size(3, [2], [3, 4])),
]


@pytest.mark.parametrize("name, args, kwargs, error, message",
                         [case[:1] + case[2:] for case in ERRORS],
                         ids=[f"{case[0]}: {case[1]}" for case in ERRORS])
def test_errors_match_torch(name, args, kwargs, error, message):
    assert_same_error(name, args, kwargs, error, message)


def test_elementwise_mean_only_in_torch():
    """torch maps the deprecated 'elementwise_mean' to 'mean' with a warning (not in
    multilabel_soft_margin_loss, which refuses it); ours leaves it out."""
    cases = {"margin_ranking_loss": (X, X.flip(0), S), "hinge_embedding_loss": (X.abs(), S),
             "soft_margin_loss": (X, S), "multilabel_margin_loss": (X, T_OK),
             "multi_margin_loss": (X, Y)}
    for name, args in cases.items():
        with pytest.warns(UserWarning, match="reduction='elementwise_mean' is deprecated"):
            expected = getattr(F, name)(*args, reduction="elementwise_mean")
        torch.testing.assert_close(expected, getattr(losses, name)(*args, reduction="mean"))
        with pytest.raises(ValueError, match="^elementwise_mean is not a valid value"):
            getattr(losses, name)(*args, reduction="elementwise_mean")


# --- the checks can fail -------------------------------------------------------------------

def test_value_check_fails_on_a_multilabel_margin_that_divides_by_the_pairs(monkeypatch):
    """Divide by the number of (j, i) pairs instead of C: the same for [0, 3, -1, -1]
    (2 x 2 pairs, C = 4), wrong for [3, -1, -1, -1] (3 pairs)."""
    right = losses.multilabel_margin_loss

    def per_pair(input, target, reduction="mean"):
        C = input.shape[-1]
        kept = (target >= 0).long().cumprod(-1) == 1
        targets = kept.sum(-1)
        pairs = targets * (C - targets)
        return right(input, target, "none") * C / pairs

    x = torch.tensor([0.1, 0.2, 0.4, 0.8], dtype=DOUBLE)
    monkeypatch.setattr(losses, "multilabel_margin_loss", per_pair)
    assert_same_as_torch("multilabel_margin_loss",
                         Case((x, torch.tensor([0, 3, -1, -1])), dict(reduction="none")))
    with pytest.raises(AssertionError, match="Scalars are not close"):
        assert_same_as_torch("multilabel_margin_loss",
                             Case((x, torch.tensor([3, -1, -1, -1])), dict(reduction="none")))


def test_value_check_fails_on_a_multilabel_margin_that_reads_past_the_first_minus_one(
        monkeypatch):
    right = losses.multilabel_margin_loss

    def every_index(input, target, reduction="mean"):
        kept = target >= 0  # every non-negative index, not only those before the first -1
        first = torch.where(kept, target, -1).sort(dim=-1, descending=True).values
        return right(input, first, reduction)

    monkeypatch.setattr(losses, "multilabel_margin_loss", every_index)
    x = torch.tensor([0.1, 0.2, 0.4, 0.8], dtype=DOUBLE)
    assert_same_as_torch("multilabel_margin_loss", Case((x, torch.tensor([0, 3, -1, -1])), {}))
    with pytest.raises(AssertionError, match="Scalars are not close"):
        assert_same_as_torch("multilabel_margin_loss", Case((x, torch.tensor([0, 3, -1, 2])), {}))


def test_value_check_fails_on_a_multi_margin_with_the_weight_inside_the_power(monkeypatch):
    """(w z)^2 instead of w z^2: the same for p = 1 or w = 1."""
    right = losses.multi_margin_loss

    def inside(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
        l = right(input, target, p, margin, weight, reduction)
        return l if weight is None or p == 1 else l * weight[target]

    monkeypatch.setattr(losses, "multi_margin_loss", inside)
    case = multi_margin_case((3, 4), seed=0, p=2, margin=1.0, weighted=True, reduction="none")
    assert_same_as_torch("multi_margin_loss", case._replace(kwargs={**case.kwargs, "p": 1}))
    with pytest.raises(AssertionError, match="Tensor-likes are not close"):
        assert_same_as_torch("multi_margin_loss", case)


def test_value_check_fails_on_a_hinge_embedding_off_by_the_margin(monkeypatch):
    """max(0, margin - x) also for the similar pairs (y = 1)."""
    def off(input, target, margin=1.0, reduction="mean"):
        l = torch.where(target == 1, input + margin, (margin - input).clamp(min=0))
        return losses._reduce(l, reduction)

    monkeypatch.setattr(losses, "hinge_embedding_loss", off)
    with pytest.raises(AssertionError, match="Tensor-likes are not close"):
        assert_same_as_torch("hinge_embedding_loss", hinge_case(
            ((5,), (5,)), seed=0, margin=1.0, reduction="none"))


def test_shape_check_fails_on_a_batched_output_for_one_sample(monkeypatch):
    """multi_margin_loss of one sample with a 0-d target: torch gives (), not (1)."""
    right = losses.multi_margin_loss
    monkeypatch.setattr(losses, "multi_margin_loss",
                        lambda input, target, *a, **k: right(input, target.reshape(1), *a, **k))
    case = multi_margin_case((5,), seed=0, p=1, margin=1.0, weighted=False, reduction="none",
                             target_dim=0)
    with pytest.raises(AssertionError, match="shape"):
        assert_same_as_torch("multi_margin_loss", case)


def test_error_check_fails_on_another_message(monkeypatch):
    def wrong(*args, **kwargs):
        raise RuntimeError("target is out of range")

    monkeypatch.setattr(losses, "multilabel_margin_loss", wrong)
    with pytest.raises(AssertionError, match="messages differ"):
        assert_same_error("multilabel_margin_loss", (X, T), {}, RuntimeError, "out of range")


def test_error_check_fails_on_another_order(monkeypatch):
    """A multi_margin_loss that checks the range before the target's dtype."""
    right = losses.multi_margin_loss

    def range_first(input, target, *args, **kwargs):
        if ((target < 0) | (target >= input.shape[-1])).any():
            raise RuntimeError("target out of range")
        return right(input, target, *args, **kwargs)

    monkeypatch.setattr(losses, "multi_margin_loss", range_first)
    with pytest.raises(AssertionError, match="Regex pattern did not match"):
        assert_same_error("multi_margin_loss", (X, (Y + 1).int()), {}, RuntimeError,
                          "expected scalar type Long but found Int")  # ours: out of range
