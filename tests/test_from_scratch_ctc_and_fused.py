"""The from-scratch CTC and fused losses (snippets/from_scratch/losses.py: ctc_loss,
linear_cross_entropy) against torch.nn.functional.

ctc_loss, in float64 (and float32), three ways:
- a grid of hand-picked cases: repeated labels (a blank is needed between them), a target
  too long for its input (inf), empty targets, empty inputs, a non-zero blank, padded and
  concatenated targets, unbatched input; every reduction, with and without zero_infinity;
- hypothesis: random T, N, C, S, blank, lengths and labels (derandomize=True, database=None);
- gradients: autograd through our recursion against torch's backward.
linear_cross_entropy: a grid over batched/unbatched, K-dim out_features, bias, class
weights, reductions, ignore_index, label_smoothing, probability targets and options.
Errors: the same exception type with the same message, after the same warnings.
The last tests prove that the value, warning and error checks fail on wrong code.
"""

from __future__ import annotations

import itertools
import re
import warnings
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.nn import LinearCrossEntropyOptions

from snippets.from_scratch import losses
from tests.parity import Case, assert_same_as_torch, assert_same_error

DOUBLE = torch.float64
REDUCTIONS = ("none", "mean", "sum")
NAMES = ("ctc_loss", "linear_cross_entropy")
SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=30)
OPTIONS_IGNORED = ("linear_cross_entropy: ``options`` ignored; chunked path needs reduction "
                   "in {'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, "
                   "out_features == (). Got ")


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """torch's CPU kernels split even these tiny tensors over threads, which costs more than
    the work itself on a busy machine: one thread for this module, restored after it."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


SECTIONS = {"logsumexp": "_logsumexp", "ctc-loss": "ctc_loss",
            "linear-cross-entropy": "linear_cross_entropy"}


def test_each_section_runs_with_the_sections_before_it():
    """A page includes a section verbatim: given `import torch` and the sections above it in
    losses.py, it must define its function (and nothing after it may be needed)."""
    text = Path(losses.__file__).read_text(encoding="utf-8")
    sections = re.findall(r"^# --8<-- \[start:([\w-]+)\]\n(.*?)^# --8<-- \[end:\1\]$",
                          text, re.S | re.M)
    names = [name for name, _ in sections]
    start = names.index("logsumexp")  # our sections are together, wherever they are
    assert names[start:start + len(SECTIONS)] == list(SECTIONS)
    for i, (name, _) in enumerate(sections):
        if name not in SECTIONS:
            continue
        namespace: dict[str, Any] = {}
        exec("import torch\n" + "".join(code for _, code in sections[:i + 1]), namespace)
        assert callable(namespace[SECTIONS[name]]), name
    x = torch.randn(4, 3, dtype=DOUBLE).log_softmax(-1)
    args = (x, torch.tensor([1, 2]), torch.tensor(4), torch.tensor(2))
    assert torch.equal(namespace["ctc_loss"](*args), losses.ctc_loss(*args))
    args = (x, torch.randn(5, 3, dtype=DOUBLE), torch.tensor([0, 4, 1, 2]))
    assert torch.equal(namespace["linear_cross_entropy"](*args),
                       losses.linear_cross_entropy(*args))


# --- comparison helpers --------------------------------------------------------------------

# --- ctc_loss: cases -----------------------------------------------------------------------

class CTC(NamedTuple):
    """One batch: logits (T, N, C), padded targets (N, S), the lengths, the blank."""

    logits: torch.Tensor
    targets: torch.Tensor
    input_lengths: torch.Tensor
    target_lengths: torch.Tensor
    blank: int

    def case(self, *, form: str, batched: bool = True, **kwargs) -> Case:
        """form: 'padded' (N, S) or 'concatenated' (sum(target_lengths),). Unbatched: the
        first sequence, its log-probs (T, C) and 0-d lengths."""
        x = self.logits.log_softmax(-1)
        y, il, tl = self.targets, self.input_lengths, self.target_lengths
        if not batched:
            x, y, il, tl = x[:, 0], y[:1], il[0], tl[0]
        if form == "concatenated":
            rows = y if y.dim() == 2 else y[None]
            y = torch.cat([rows[n, :s] for n, s in enumerate(tl.reshape(-1).tolist())])
            if not batched:
                y = y.reshape(-1)
        return Case((x, y, il, tl), dict(blank=self.blank, **kwargs))


def ctc_batch(seed: int, T: int, C: int, blank: int, targets: list[list[int]],
              input_lengths: list[int], dtype=DOUBLE) -> CTC:
    """Random logits; the targets as given (padded with a label that must be ignored)."""
    g = torch.Generator().manual_seed(seed)
    N, S = len(targets), max(len(t) for t in targets)
    pad = next(c for c in range(C) if c != blank)
    y = torch.tensor([t + [pad] * (S - len(t)) for t in targets], dtype=torch.long)
    if S == 0:
        y = torch.zeros(N, 0, dtype=torch.long)
    return CTC(torch.randn(T, N, C, generator=g, dtype=dtype) * 2, y,
               torch.tensor(input_lengths), torch.tensor([len(t) for t in targets]), blank)


GRID = {
    "distinct labels": dict(T=6, C=4, blank=0, targets=[[1, 2, 3], [3, 1]],
                            input_lengths=[6, 5]),
    "repeated labels: a blank between them": dict(T=5, C=3, blank=0,
                                                 targets=[[1, 1, 2], [2, 2]],
                                                 input_lengths=[5, 3]),
    "just long enough: 1 1 needs 3 frames": dict(T=3, C=3, blank=0, targets=[[1, 1], [1]],
                                                 input_lengths=[3, 1]),
    "too short: inf": dict(T=4, C=3, blank=0, targets=[[1, 1, 1], [2, 1]],
                           input_lengths=[4, 4]),
    "too short, every sequence: inf": dict(T=2, C=3, blank=0, targets=[[1, 1], [2, 2]],
                                           input_lengths=[2, 2]),
    "empty targets": dict(T=4, C=3, blank=0, targets=[[], [1]], input_lengths=[4, 3]),
    "every target empty": dict(T=3, C=2, blank=0, targets=[[], []], input_lengths=[3, 2]),
    "empty inputs": dict(T=3, C=3, blank=0, targets=[[], [1], [2]], input_lengths=[0, 0, 3]),
    "blank in the middle": dict(T=6, C=5, blank=2, targets=[[0, 1, 3], [4, 4]],
                                input_lengths=[6, 6]),
    "blank last": dict(T=5, C=4, blank=3, targets=[[0, 1], [2, 0, 0]], input_lengths=[5, 5]),
    "one class besides the blank": dict(T=7, C=2, blank=1, targets=[[0, 0, 0], [0]],
                                        input_lengths=[7, 2]),
    "target as long as the input": dict(T=3, C=4, blank=0, targets=[[1, 2, 3]],
                                        input_lengths=[3]),
}


@pytest.mark.parametrize("name", GRID)
def test_ctc_grid(name):
    """Every reduction and zero_infinity on padded targets; both target forms, batched and
    unbatched, with 'none' and 'mean' (the reductions are the same code for every form)."""
    batch = ctc_batch(seed=len(name), **GRID[name])
    for reduction, zero_infinity in itertools.product(REDUCTIONS, (False, True)):
        assert_same_as_torch("ctc_loss", batch.case(
            form="padded", reduction=reduction, zero_infinity=zero_infinity))
    for form, batched, reduction in itertools.product(
            ("padded", "concatenated"), (True, False), ("none", "mean")):
        if form == "padded" and batched:
            continue  # above
        assert_same_as_torch("ctc_loss", batch.case(
            form=form, batched=batched, reduction=reduction, zero_infinity=batched))


def test_ctc_grid_float32_and_other_length_types():
    """float32 stays float32; int32 targets and lengths, and lengths as tuples, are accepted."""
    batch = ctc_batch(seed=1, dtype=torch.float32, **GRID["repeated labels: a blank between them"])
    for reduction in REDUCTIONS:
        case = batch.case(form="padded", reduction=reduction)
        assert_same_as_torch("ctc_loss", case)
        x, y, il, tl = case.args
        assert_same_as_torch("ctc_loss", Case((x, y.int(), il.int(), tl.int()), case.kwargs))
        assert_same_as_torch("ctc_loss", Case((x, y, tuple(il.tolist()), tuple(tl.tolist())),
                                              case.kwargs))


def test_padded_and_concatenated_targets_give_the_same_losses():
    batch = ctc_batch(seed=3, **GRID["distinct labels"])
    padded = losses.ctc_loss(*batch.case(form="padded").args, reduction="none")
    concatenated = losses.ctc_loss(*batch.case(form="concatenated").args, reduction="none")
    assert torch.equal(padded, concatenated)


@st.composite
def ctc_batches(draw):
    T = draw(st.integers(1, 6))
    C = draw(st.integers(2, 5))
    N = draw(st.integers(1, 3))
    blank = draw(st.integers(0, C - 1))
    labels = [c for c in range(C) if c != blank]
    targets = [draw(st.lists(st.sampled_from(labels), max_size=4)) for _ in range(N)]
    input_lengths = [draw(st.integers(0, T)) for _ in range(N)]
    return ctc_batch(draw(st.integers(0, 2**16)), T, C, blank, targets, input_lengths)


@SETTINGS
@given(batch=ctc_batches(), form=st.sampled_from(("padded", "concatenated")),
       batched=st.booleans(), reduction=st.sampled_from(REDUCTIONS),
       zero_infinity=st.booleans())
def test_ctc_property(batch, form, batched, reduction, zero_infinity):
    assert_same_as_torch("ctc_loss", batch.case(
        form=form, batched=batched, reduction=reduction, zero_infinity=zero_infinity))


# --- ctc_loss: gradients -------------------------------------------------------------------

def gradients(function, batch: CTC, **kwargs) -> tuple[torch.Tensor, torch.Tensor]:
    """d loss / d logits (through log_softmax), and d loss / d log_probs (a leaf)."""
    logits = batch.logits.clone().requires_grad_()
    x, y, il, tl = batch.case(form="padded").args
    loss = function(logits.log_softmax(-1), y, il, tl, batch.blank, **kwargs)
    (by_logits,) = torch.autograd.grad(loss, logits) if loss.grad_fn else (
        torch.zeros_like(logits),)
    log_probs = x.detach().requires_grad_()
    loss = function(log_probs, y, il, tl, batch.blank, **kwargs)
    (by_log_probs,) = torch.autograd.grad(loss, log_probs) if loss.grad_fn else (
        torch.zeros_like(log_probs),)
    return by_logits, by_log_probs


FINITE = [name for name in GRID if "inf" not in name]


@pytest.mark.parametrize("name", FINITE)
@pytest.mark.parametrize("reduction", ("mean", "sum"))
def test_ctc_gradient_through_log_softmax_matches_torch(name, reduction):
    """Autograd through our recursion gives torch's gradient with respect to the logits."""
    batch = ctc_batch(seed=len(name), **GRID[name])
    ours, _ = gradients(losses.ctc_loss, batch, reduction=reduction)
    theirs, _ = gradients(F.ctc_loss, batch, reduction=reduction)
    torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize("name", FINITE)
def test_torch_gradient_wrt_log_probs_adds_exp_log_probs(name):
    """torch's backward is not the derivative of its forward with respect to log_probs: it
    adds exp(log_probs) times the incoming gradient, for t < input_length. Both differ by
    softmax(z) * sum of the incoming gradient over C, which log_softmax's backward removes:
    that is why the gradients with respect to the logits agree."""
    batch = ctc_batch(seed=len(name), **GRID[name])
    _, ours = gradients(losses.ctc_loss, batch, reduction="sum")
    _, theirs = gradients(F.ctc_loss, batch, reduction="sum")
    T = batch.logits.shape[0]
    inside = (torch.arange(T)[:, None] < batch.input_lengths[None, :])[..., None]
    log_probs = batch.logits.log_softmax(-1)
    torch.testing.assert_close(theirs, ours + log_probs.exp() * inside)


def test_ctc_gradient_matches_finite_differences():
    """Ours is the derivative of the forward: checked numerically."""
    batch = ctc_batch(seed=0, **GRID["repeated labels: a blank between them"])
    x, y, il, tl = batch.case(form="padded").args
    assert torch.autograd.gradcheck(
        lambda lp: losses.ctc_loss(lp, y, il, tl, reduction="sum"), x.requires_grad_())


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_zero_infinity_gradients(reduction):
    """A target too long for its input: with zero_infinity, the loss and the gradient of that
    sequence are 0, in both; the others are untouched."""
    batch = ctc_batch(seed=5, **GRID["too short: inf"])
    kwargs = dict(reduction=reduction, zero_infinity=True)
    if reduction == "none":
        kwargs["reduction"] = "sum"  # a scalar to differentiate
    ours, _ = gradients(losses.ctc_loss, batch, **kwargs)
    theirs, _ = gradients(F.ctc_loss, batch, **kwargs)
    assert torch.isfinite(ours).all() and torch.isfinite(theirs).all()
    assert (theirs[:, 0] == 0).all() and (ours[:, 0] == 0).all()
    torch.testing.assert_close(ours, theirs)


def test_infinite_loss_gradient_is_nan_in_torch_only():
    """Without zero_infinity torch's gradient of an infinite loss is NaN (and poisons every
    parameter); ours is 0 there (our logsumexp never takes log 0). Not compared elsewhere."""
    batch = ctc_batch(seed=5, **GRID["too short: inf"])
    ours, _ = gradients(losses.ctc_loss, batch, reduction="sum")
    theirs, _ = gradients(F.ctc_loss, batch, reduction="sum")
    assert theirs[:4, 0].isnan().all() and (ours[:, 0] == 0).all()
    torch.testing.assert_close(ours[:, 1], theirs[:, 1])


def test_mean_divides_by_clamped_target_lengths():
    batch = ctc_batch(seed=2, **GRID["empty targets"])
    case = batch.case(form="padded")
    l = losses.ctc_loss(*case.args, blank=0, reduction="none")
    expected = (l / batch.target_lengths.clamp(min=1)).mean()
    assert torch.equal(losses.ctc_loss(*case.args, blank=0), expected)
    torch.testing.assert_close(F.ctc_loss(*case.args, blank=0), expected)


def test_elementwise_mean_only_in_torch():
    """torch maps the deprecated 'elementwise_mean' to 'mean' with a warning; ours leaves
    it out, like the rest of the module."""
    case = ctc_batch(seed=0, **GRID["distinct labels"]).case(form="padded")
    with pytest.warns(UserWarning, match="reduction='elementwise_mean' is deprecated"):
        expected = F.ctc_loss(*case.args, reduction="elementwise_mean")
    assert torch.equal(expected, F.ctc_loss(*case.args))
    with pytest.raises(ValueError, match="^elementwise_mean is not a valid value for reduction$"):
        losses.ctc_loss(*case.args, reduction="elementwise_mean")


# --- ctc_loss: errors ----------------------------------------------------------------------

LP = torch.randn(5, 2, 4, dtype=DOUBLE, generator=torch.Generator().manual_seed(0))
TG = torch.tensor([[1, 2, 2], [3, 1, 1]])
IL, TL = torch.tensor([5, 4]), torch.tensor([3, 2])
WHERE = " (while checking arguments for ctc_loss_allocate_outputs)"
BAD_REDUCTION = "avg is not a valid value for reduction"

CTC_ERRORS = [
    ("reduction", (LP, TG, IL, TL), {"reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("reduction before lengths", (LP, TG, IL.double(), TL), {"reduction": "avg"}, ValueError,
     BAD_REDUCTION),
    ("float input_lengths", (LP, TG, IL.double(), TL), {}, RuntimeError,
     "input_lengths must be integral"),
    ("float target_lengths", (LP, TG, IL, TL.float()), {}, RuntimeError,
     "target_lengths must be integral"),
    ("bool input_lengths", (LP, TG, IL.bool(), TL), {}, RuntimeError,
     "input_lengths must be integral"),
    ("lengths before dtype", (LP.long(), TG, IL.double(), TL), {}, RuntimeError,
     "input_lengths must be integral"),
    ("Long log_probs", (LP.long(), TG, IL, TL), {}, NotImplementedError,
     "\"ctc_loss_cpu\" not implemented for 'Long'"),
    ("Half log_probs", (LP.half(), TG, IL, TL), {}, NotImplementedError,
     "\"ctc_loss_cpu\" not implemented for 'Half'"),
    ("dtype before emptiness", (LP.long()[:, :0], TG, IL, TL), {}, NotImplementedError,
     "\"ctc_loss_cpu\" not implemented for 'Long'"),
    ("empty log_probs", (LP[:0], TG, IL, TL), {}, RuntimeError,
     "log_probs tensor must not be empty"),
    ("emptiness before the blank", (LP[:, :, :0], TG, IL, TL), {"blank": 9}, RuntimeError,
     "log_probs tensor must not be empty"),
    ("4-D log_probs: unsqueezed to 5-D", (LP[None], TG, IL, TL), {}, RuntimeError,
     "Expected 3-dimensional tensor, but got 5-dimensional tensor for argument #1 "
     "'log_probs'" + WHERE),
    ("1-D log_probs", (LP[:, 0, 0], TG, IL, TL), {}, RuntimeError,
     "Expected 3-dimensional tensor, but got 2-dimensional tensor for argument #1 "
     "'log_probs'" + WHERE),
    ("3-D targets", (LP, TG[None], IL, TL), {"blank": 9}, RuntimeError,
     "Expected 1 to 2 dimensions, but got 3-dimensional tensor for argument #2 'targets'"
     + WHERE),
    ("0-D targets", (LP, TG[0, 0], IL, TL), {}, RuntimeError,
     "Expected 1 to 2 dimensions, but got 0-dimensional tensor for argument #2 'targets'"
     + WHERE),
    ("blank = C", (LP, TG, IL, TL), {"blank": 4}, RuntimeError, "blank must be in label range"),
    ("negative blank", (LP, TG, IL, TL), {"blank": -1}, RuntimeError,
     "blank must be in label range"),
    ("blank before the lengths' sizes", (LP, TG, IL[:1], TL), {"blank": 4}, RuntimeError,
     "blank must be in label range"),
    ("input_lengths of another size", (LP, TG, IL[:1], TL[:1]), {}, RuntimeError,
     "input_lengths must be of size batch_size"),
    ("target_lengths of another size", (LP, TG, IL, torch.tensor([3, 2, 1])), {},
     RuntimeError, "target_lengths must be of size batch_size"),
    ("negative target length", (LP, TG[:1], IL, torch.tensor([-1, 2])), {}, RuntimeError,
     "Expected target_lengths to have value at least 0, but got value -1" + WHERE),
    ("padded targets of another batch size", (LP, TG[:1], IL, torch.tensor([4, 2])), {},
     RuntimeError, "Expected tensor to have size 2 at dimension 0, but got size 1 for "
     "argument #2 'targets'" + WHERE),
    ("a target length above S", (LP, TG, torch.tensor([9, 9]), torch.tensor([4, 2])), {},
     RuntimeError, "Expected tensor to have size at least 4 at dimension 1, but got size 3 "
     "for argument #2 'targets'" + WHERE),
    ("concatenated targets of another total", (LP, TG.reshape(-1)[:4], IL, TL), {},
     RuntimeError, "Expected tensor to have size 5 at dimension 0, but got size 4 for "
     "argument #2 'targets'" + WHERE),
    ("unbatched: a 1-D target is concatenated, of exactly target_length labels",
     (LP[:, 0], TG[0], IL[0], TL[1]), {}, RuntimeError,
     "Expected tensor to have size 2 at dimension 0, but got size 3 for argument #2 "
     "'targets'" + WHERE),
    ("an input length above T", (LP, TG, torch.tensor([6, 4]), TL), {}, RuntimeError,
     "Expected input_lengths to have value at most 5, but got value 6" + WHERE),
    ("a negative input length", (LP, TG, torch.tensor([5, -1]), TL), {}, RuntimeError,
     "Expected input_lengths to have value at least 0, but got value -1" + WHERE),
    ("input lengths checked in batch order", (LP, TG, torch.tensor([9, -1]), TL), {},
     RuntimeError, "Expected input_lengths to have value at most 5, but got value 9" + WHERE),
]


@pytest.mark.parametrize("args, kwargs, error, message", [c[1:] for c in CTC_ERRORS],
                         ids=[c[0] for c in CTC_ERRORS])
def test_ctc_errors_match_torch(args, kwargs, error, message):
    assert_same_error("ctc_loss", args, kwargs, error, message)


# --- linear_cross_entropy ------------------------------------------------------------------

def lce_case(seed: int, *, batched: bool, out_features: tuple[int, ...], bias: bool,
             class_weights: bool, probabilities: bool, **kwargs) -> Case:
    """N = 5 rows of 4 features, C = 6 classes; class-index targets include class 1 (for
    ignore_index=1) and every row's target is a valid class."""
    g = torch.Generator().manual_seed(seed)
    N, D, C = 5, 4, 6
    batch = (N,) if batched else ()
    x = torch.randn(*batch, D, generator=g, dtype=DOUBLE)
    W = torch.randn(C, *out_features, D, generator=g, dtype=DOUBLE)
    if bias:
        kwargs["linear_bias"] = torch.randn(C, *out_features, generator=g, dtype=DOUBLE)
    if class_weights:
        kwargs["weight"] = torch.rand(C, generator=g, dtype=DOUBLE) + 0.5
    if probabilities:
        y = torch.randn(*batch, C, *out_features, generator=g, dtype=DOUBLE).softmax(len(batch))
    else:
        y = torch.randint(0, C, (*batch, *out_features), generator=g)
        y.reshape(-1)[0] = 1
        if batched:
            y[-1] = 2  # never all ignored: a 'mean' over nothing is nan (checked too, below)
    return Case((x, W, y), kwargs)


LCE_SHAPES = [(True, ()), (False, ()), (True, (3,)), (True, (2, 3))]


@pytest.mark.parametrize("batched, out_features", LCE_SHAPES, ids=str)
def test_linear_cross_entropy_grid(batched, out_features):
    combos = itertools.product((False, True), (False, True), REDUCTIONS, (None, 1),
                               (0.0, 0.25), (None, "options"))
    for seed, (bias, probabilities, reduction, ignore_index, smoothing,
               options) in enumerate(combos):
        class_weights = bias == (seed % 2 == 0)  # with and without bias, each
        if probabilities and ignore_index is not None:
            continue  # an error: see LCE_ERRORS
        warned = assert_same_as_torch("linear_cross_entropy", lce_case(
            seed, batched=batched, out_features=out_features, bias=bias,
            class_weights=class_weights, probabilities=probabilities, reduction=reduction,
            ignore_index=ignore_index, label_smoothing=smoothing,
            options=LinearCrossEntropyOptions() if options else None))
        ignored = options and (out_features or smoothing or probabilities)
        assert [m for _, m, _ in warned] == ([m for _, m, _ in warned if m.startswith(
            OPTIONS_IGNORED)] if ignored else [])
        assert bool(warned) == bool(ignored)


def test_linear_cross_entropy_gradients_match_torch():
    for seed, (batched, out_features) in enumerate(LCE_SHAPES):
        case = lce_case(seed, batched=batched, out_features=out_features, bias=True,
                        class_weights=True, probabilities=False, label_smoothing=0.1)
        x, W, y = case.args
        grads = []
        for function in (F.linear_cross_entropy, losses.linear_cross_entropy):
            leaves = (x.clone().requires_grad_(), W.clone().requires_grad_(),
                      case.kwargs["linear_bias"].clone().requires_grad_())
            loss = function(leaves[0], leaves[1], y, **{**case.kwargs, "linear_bias": leaves[2]})
            grads.append(torch.autograd.grad(loss, leaves))
        torch.testing.assert_close(grads[1], grads[0])


def test_linear_cross_entropy_unbatched_ignored_target_is_nan():
    """One sample whose target is ignore_index: 'mean' is 0 / 0, in both."""
    case = lce_case(0, batched=False, out_features=(), bias=False, class_weights=False,
                    probabilities=False, ignore_index=1)
    assert assert_same_as_torch("linear_cross_entropy", case) == []
    assert losses.linear_cross_entropy(*case.args, ignore_index=1).isnan()


X2, W2, Y2 = torch.randn(3, 4, dtype=DOUBLE), torch.randn(6, 4, dtype=DOUBLE), torch.tensor(
    [0, 5, 2])
LCE_ERRORS = [
    ("3-D input", (X2[None], W2, Y2), {}, RuntimeError,
     "expected input with dimensionality 1 or 2, got 3"),
    ("0-D input", (X2[0, 0], W2, Y2), {}, RuntimeError,
     "expected input with dimensionality 1 or 2, got 0"),
    ("1-D weight", (X2, W2[0], Y2), {}, RuntimeError,
     "expected linear_weight with dimensionality at least 2, got 1"),
    ("in_features differ", (X2, W2[:, :3], Y2), {}, RuntimeError,
     "expected equal input and linear_weight last dimensions (in_features), got 4 and 3, "
     "respectively"),
    ("bias of another shape", (X2, W2, Y2), {"linear_bias": torch.zeros(5, dtype=DOUBLE)},
     RuntimeError, "expected linear_bias shape (6,), got (5,)"),
    ("K-dim needs a batch", (X2[0], W2.reshape(3, 2, 4), Y2[0]), {}, RuntimeError,
     "K-dimensional loss defined by linear_weight shape (3, 2, 4) requires batched input, "
     "(N, 4), got unbatched input with shape (4,)"),
    ("probabilities and ignore_index", (X2, W2, torch.full((3, 6), 1 / 6, dtype=DOUBLE)),
     {"ignore_index": -100}, RuntimeError,
     "ignore_index cannot be specified when target contains probabilities"),
    ("reduction", (X2, W2, Y2), {"reduction": "avg"}, ValueError, BAD_REDUCTION),
    ("reduction, with options: the warning first", (X2, W2, Y2),
     {"reduction": "avg", "options": LinearCrossEntropyOptions()}, ValueError, BAD_REDUCTION),
    ("label_smoothing above 1", (X2, W2, Y2), {"label_smoothing": 1.5}, RuntimeError,
     "label_smoothing must be between 0.0 and 1.0. Got: 1.5"),
    ("a target out of range", (X2, W2, torch.tensor([0, 6, 2])), {}, IndexError,
     "Target 6 is out of bounds."),
    ("class weights of another length", (X2, W2, Y2),
     {"weight": torch.ones(5, dtype=DOUBLE)}, RuntimeError,
     "weight tensor should be defined either for all 6 classes or no classes but got weight "
     "tensor of shape: [5]"),
]


@pytest.mark.parametrize("args, kwargs, error, message", [c[1:] for c in LCE_ERRORS],
                         ids=[c[0] for c in LCE_ERRORS])
def test_linear_cross_entropy_errors_match_torch(args, kwargs, error, message):
    assert_same_error("linear_cross_entropy", args, kwargs, error, message)


# --- the checks can fail -------------------------------------------------------------------

def test_value_check_fails_on_a_ctc_that_skips_between_repeated_labels(monkeypatch):
    """A recursion that always allows the skip s - 2 -> s for labels: right for targets
    without repeats, wrong (too small a loss) for '1 1'."""
    def skip_always(x, y, blank):
        T, S = x.shape[0], y.shape[0]
        l_ext = torch.full((2 * S + 1,), blank, dtype=torch.long)
        l_ext[1::2] = y
        can_skip = torch.arange(2 * S + 1) % 2 == 1
        can_skip[:2] = False
        alpha = torch.where(torch.arange(2 * S + 1) < 2, x[0, l_ext], float("-inf"))
        neg_inf = x.new_full((2,), float("-inf"))
        for t in range(1, T):
            step = torch.cat([neg_inf[:1], alpha])[:-1]
            skip = torch.where(can_skip, torch.cat([neg_inf, alpha])[:-2], float("-inf"))
            alpha = losses._logsumexp(torch.stack([alpha, step, skip]), 0) + x[t, l_ext]
        return -losses._logsumexp(alpha[-2:], 0)

    monkeypatch.setattr(losses, "_ctc_nll", skip_always)
    assert_same_as_torch("ctc_loss", ctc_batch(seed=0, **GRID["distinct labels"]).case(
        form="padded", reduction="none"))
    with pytest.raises(AssertionError, match="Tensor-likes are not close"):
        assert_same_as_torch("ctc_loss", ctc_batch(
            seed=0, **GRID["repeated labels: a blank between them"]).case(
            form="padded", reduction="none"))


def test_value_check_fails_on_a_mean_without_the_clamp(monkeypatch):
    right = losses.ctc_loss

    def unclamped(log_probs, targets, input_lengths, target_lengths, blank=0,
                  reduction="mean", zero_infinity=False):
        if reduction != "mean":
            return right(log_probs, targets, input_lengths, target_lengths, blank, reduction,
                         zero_infinity)
        l = right(log_probs, targets, input_lengths, target_lengths, blank, "none",
                  zero_infinity)
        return (l / target_lengths).mean()

    monkeypatch.setattr(losses, "ctc_loss", unclamped)
    assert_same_as_torch("ctc_loss", ctc_batch(seed=0, **GRID["distinct labels"]).case(
        form="padded"))
    with pytest.raises(AssertionError, match="Scalars are not close"):
        assert_same_as_torch("ctc_loss", ctc_batch(seed=0, **GRID["empty targets"]).case(
            form="padded"))


def test_value_check_fails_on_a_linear_cross_entropy_without_bias(monkeypatch):
    right = losses.linear_cross_entropy
    monkeypatch.setattr(losses, "linear_cross_entropy",
                        lambda *a, linear_bias=None, **k: right(*a, **k))
    options = dict(batched=True, out_features=(), class_weights=False, probabilities=False)
    assert_same_as_torch("linear_cross_entropy", lce_case(0, bias=False, **options))
    with pytest.raises(AssertionError, match="Scalars are not close"):
        assert_same_as_torch("linear_cross_entropy", lce_case(0, bias=True, **options))


def test_warning_check_fails_without_the_options_warning(monkeypatch):
    right = losses.linear_cross_entropy

    def silent(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return right(*args, **kwargs)

    monkeypatch.setattr(losses, "linear_cross_entropy", silent)
    case = lce_case(0, batched=True, out_features=(), bias=False, class_weights=False,
                    probabilities=False, label_smoothing=0.1,
                    options=LinearCrossEntropyOptions())
    with pytest.raises(AssertionError, match="warnings differ"):
        assert_same_as_torch("linear_cross_entropy", case)


def test_error_check_fails_on_another_message(monkeypatch):
    def wrong(*args, **kwargs):
        raise RuntimeError("blank must be in the label range")

    monkeypatch.setattr(losses, "ctc_loss", wrong)
    with pytest.raises(AssertionError, match="messages differ"):
        assert_same_error("ctc_loss", (LP, TG, IL, TL), {"blank": 4}, RuntimeError,
                          "blank must be in")
