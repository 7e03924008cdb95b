"""Edge cases of every from-scratch loss (snippets/from_scratch/losses.py) against
torch.nn.functional, on fixed tensors, in float64 unless a case is about another dtype.

Each case runs torch's function and ours on the same tensors and compares what comes out:
- a result: the value (dtype, shape, nan == nan, inf == inf), the warnings, and the
  gradients (torch.autograd.grad) of the arguments the case names, with a grad_output that
  differs from element to element, so that no error can hide in a sum;
- or an exception: the same type (not a subclass) with the same message
  (tests/parity.py:assert_same_error).
The edges: gradients on the boundary of the domain (probabilities 0 and 1, zero distances,
margins met exactly, zero counts, zero variances), infinite and -inf-masked logits, empty
batches for every reduction, 0-d inputs, integer and mixed dtypes, every documented
broadcast, weights of the wrong shape or dtype.

Where torch itself misbehaves (uninitialised memory, a nan where the loss is finite, a
backward that fails after a forward that worked, an unchecked index), a test below pins
torch's behaviour and ours side by side, and says why ours differs (or, for the soft
margin's overflow and the nan of poisson_nll_loss and kl_div, why it does not). The last
tests show that the comparison fails on wrong implementations.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import pytest
import torch
import torch.nn.functional as F

from snippets.from_scratch import losses
from tests.parity import Case, assert_same_error, describe

DOUBLE, FLOAT, LONG = torch.float64, torch.float32, torch.long
INF, NAN = float("inf"), float("nan")
REDUCTIONS = ("none", "mean", "sum")


def T(values, dtype=DOUBLE) -> torch.Tensor:
    return torch.tensor(values, dtype=dtype)


def L(values) -> torch.Tensor:
    return torch.tensor(values, dtype=LONG)


def E(*shape, dtype=DOUBLE) -> torch.Tensor:
    """An empty tensor (a 0 in the shape), or zeros of that shape."""
    return torch.zeros(shape, dtype=dtype)


# --- the comparison -------------------------------------------------------------------------

class Raised(NamedTuple):
    type: type
    message: str


class Returned(NamedTuple):
    value: torch.Tensor
    grads: tuple[torch.Tensor, ...] | None  # None: the result is not differentiable
    warnings: list[tuple[type, str, str]]


def run(function, case: Case, wrt: tuple[int | str, ...]) -> Raised | Returned:
    """Call function on the case, with fresh leaves (requires_grad) for the arguments named
    in wrt (positions or keywords); the gradients of the result against a grad_output of
    1, 1.1, 1.2, ... (so that two wrong elements cannot cancel)."""
    args, kwargs = list(case.args), dict(case.kwargs)
    leaves = []
    for key in wrt:
        where: Any = args if isinstance(key, int) else kwargs
        where[key] = where[key].detach().clone().requires_grad_()
        leaves.append(where[key])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            result = function(*args, **kwargs)
        except Exception as error:  # compared with torch's by the caller
            return Raised(type(error), str(error))
    warned = [(w.category, str(w.message), w.filename) for w in record]
    grads = None
    if leaves and result.requires_grad:
        grad_output = (1 + 0.1 * torch.arange(result.numel(), dtype=result.dtype)).reshape(
            result.shape)
        grads = torch.autograd.grad(result, leaves, grad_output, allow_unused=True,
                                    materialize_grads=True)
    return Returned(result.detach(), grads, warned)


def assert_close(actual: torch.Tensor, expected: torch.Tensor, where: str) -> None:
    """Equal dtypes, shapes, nan and inf; otherwise torch's default relative tolerance of
    the dtype, and an absolute one scaled to the largest finite |expected| instead of
    torch's fixed 1e-7 or 1e-5: a loss of 1e-7 (float32's BCE for a prediction of 1e-7)
    must be right to its own digits, and an element that cancels to near 0 in a gradient
    of order 1 may differ in the last bits of that order."""
    rtol = {DOUBLE: 1e-7, FLOAT: 1.3e-6}.get(expected.dtype, 0.0)
    finite = expected[expected.isfinite()] if rtol else expected
    atol = rtol * finite.abs().max().item() if finite.numel() and rtol else 0.0
    torch.testing.assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=True,
                               msg=lambda m: f"{where}:\n{m}")


def assert_same_outcome(name: str, case: Case, wrt: tuple[int | str, ...] = (), *,
                        through=None) -> None:
    """ours and torch's F.<name> raise the same exception (type and message), or return the
    same value, warnings and gradients of the arguments in wrt. through(function) wraps
    both functions the same way (ctc_loss: log_softmax of logits first)."""
    def get(module):
        function = getattr(module, name)  # looked up now: patchable
        return through(function) if through else function

    expected, actual = run(get(F), case, wrt), run(get(losses), case, wrt)
    where = describe(name, case)
    if isinstance(expected, Raised) or isinstance(actual, Raised):
        assert isinstance(expected, Raised) and isinstance(actual, Raised) and (
            actual == expected), f"{where}:\ntorch: {expected}\nours:  {actual}"
        return
    assert actual.warnings == expected.warnings, (
        f"{where}: warnings differ:\ntorch: {expected.warnings}\nours:  {actual.warnings}")
    assert_close(actual.value, expected.value, f"{where}: value")
    assert (actual.grads is None) == (expected.grads is None), (
        f"{where}: differentiable: torch {expected.grads is not None}, "
        f"ours {actual.grads is not None}")
    if actual.grads is not None:
        for key, ours, theirs in zip(wrt, actual.grads, expected.grads, strict=True):
            assert_close(ours, theirs, f"{where}: gradient of {key!r}")


def edge(name: str, id: str, *args, wrt=None, reductions=(None,), **kwargs):
    """One case; wrt: the arguments to differentiate, by default the input if it is floating;
    reductions: run it with each (None: as it is)."""
    if wrt is None:
        wrt = (0,) if args[0].is_floating_point() else ()
    return pytest.param(name, Case(args, kwargs), wrt, reductions, id=f"{name}: {id}")


def every_reduction(name: str, id: str, *args, wrt=None, **kwargs):
    """One case, run with each reduction (one test item: the failure message names it)."""
    return [edge(name, id, *args, wrt=wrt, reductions=REDUCTIONS, **kwargs)]


def error(name: str, id: str, *args, raises: type[Exception], match: str, **kwargs):
    return pytest.param(name, args, kwargs, raises, match, id=f"{name}: {id}")


# --- classification: cross_entropy, nll_loss, binary cross-entropies -----------------------

LOGITS = T([[1.0, 2.0, 3.0], [0.0, -INF, 1.0], [-INF, -INF, 0.5]])  # row 3: one class left
LOG_P = LOGITS.log_softmax(1)
CLASSES = L([2, 0, 2])
CLASSIFICATION = [
    *every_reduction("cross_entropy", "-inf-masked classes", LOGITS, CLASSES),
    *every_reduction("cross_entropy", "-inf-masked classes, smoothing: an inf loss", LOGITS,
                     CLASSES, label_smoothing=0.1),
    *every_reduction("cross_entropy", "-inf-masked, weighted", LOGITS, CLASSES,
                     weight=T([1.0, 2.0, 0.5])),
    *every_reduction("cross_entropy", "+inf logit: nan", T([[INF, 0.0, 0.0]]), L([0])),
    *every_reduction("cross_entropy", "target class masked: inf", LOGITS[1:2], L([1])),
    *every_reduction("cross_entropy", "every target ignored: nan, zero gradient", LOGITS,
                     L([-100, -100, -100])),
    *every_reduction("cross_entropy", "every target ignored, smoothing", LOGITS,
                     L([-100, -100, -100]), label_smoothing=0.2),
    *every_reduction("cross_entropy", "every target ignored, weighted smoothing", LOGITS[:1],
                     L([1]), ignore_index=1, label_smoothing=0.2, weight=T([1.0, 2.0, 3.0])),
    *every_reduction("cross_entropy", "weights all 0: nan", LOGITS[:1], L([2]),
                     weight=T([0.0, 0.0, 0.0])),
    *every_reduction("cross_entropy", "empty batch", E(0, 3), E(0, dtype=LONG)),
    *every_reduction("cross_entropy", "empty batch, weighted, smoothing", E(0, 3),
                     E(0, dtype=LONG), weight=T([1.0, 2.0, 3.0]), label_smoothing=0.1),
    *every_reduction("cross_entropy", "empty batch, probabilities", E(0, 3), E(0, 3), wrt=(0, 1)),
    *every_reduction("cross_entropy", "empty K-dim", E(2, 3, 0), E(2, 0, dtype=LONG)),
    *every_reduction("cross_entropy", "probabilities, one-hot, finite", LOGITS[:1],
                     T([[0.0, 0.0, 1.0]]), wrt=(0, 1)),
    *every_reduction("cross_entropy", "probabilities, smoothing, masked class: inf",
                     LOGITS[1:2], T([[1.0, 0.0, 0.0]]), label_smoothing=0.1, wrt=(0, 1)),
    *every_reduction("cross_entropy", "K-dim, masked and ignored", LOGITS.T[None],
                     L([[0, -100, 2]]), label_smoothing=0.1),
    edge("cross_entropy", "unbatched, 0-d target", T([1.0, -INF, 3.0]), L(2)),
    edge("cross_entropy", "unbatched, 0-d target, smoothing", T([1.0, 2.0, 3.0]), L(2),
         label_smoothing=0.3),
    edge("cross_entropy", "unbatched, (1,) target (no gradient: see the pinned test)",
         T([1.0, 2.0, 3.0]), L([2]), wrt=()),
    edge("cross_entropy", "Byte target", LOGITS, CLASSES.to(torch.uint8)),
    edge("cross_entropy", "probabilities float32, input float64", LOGITS[:1],
         T([[0.2, 0.3, 0.5]], FLOAT), wrt=(0, 1)),
    edge("cross_entropy", "probabilities float64, input float32", LOGITS[:1].float(),
         T([[0.2, 0.3, 0.5]]), wrt=(0, 1)),
    edge("cross_entropy", "probabilities, float32 weight", LOGITS[:1], T([[0.2, 0.3, 0.5]]),
         weight=T([1.0, 2.0, 3.0], FLOAT), wrt=(0, 1)),
    edge("cross_entropy", "float32 throughout", LOGITS.float(), CLASSES,
         weight=T([1.0, 2.0, 3.0], FLOAT), label_smoothing=0.1),
    edge("cross_entropy", "K-dim: a (1, C) weight is accepted", LOGITS.T[None],
         L([[0, 1, 2]]), weight=T([[1.0, 2.0, 3.0]])),
    edge("cross_entropy", "4-D: a (1, C) weight is accepted", LOGITS.T[None, :, :, None],
         L([[[0], [1], [2]]]), weight=T([[1.0, 2.0, 3.0]])),
    *every_reduction("nll_loss", "-inf log-probabilities", LOG_P, CLASSES),
    *every_reduction("nll_loss", "target at -inf: inf", LOG_P[1:2], L([1])),
    *every_reduction("nll_loss", "every target ignored: nan, zero gradient", LOG_P,
                     L([-100, -100, -100])),
    *every_reduction("nll_loss", "empty batch, weighted", E(0, 3), E(0, dtype=LONG),
                     weight=T([1.0, 2.0, 3.0])),
    *every_reduction("nll_loss", "no classes, every target ignored", E(2, 0),
                     L([-100, -100])),
    edge("nll_loss", "unbatched, 0-d target", LOG_P[0], L(1)),
    edge("nll_loss", "unbatched, (1,) target (no gradient: see the pinned test)", LOG_P[0],
         L([1]), wrt=()),
    edge("nll_loss", "K-dim: a (1, C) weight is accepted", LOG_P.T[None], L([[0, 1, 2]]),
         weight=T([[1.0, 2.0, 3.0]])),

    # BCE: probabilities at 0 and 1. torch's gradient is (x - y) / max(x (1 - x), 1e-12):
    # 0 where the prediction is right, -1e12 (x = 0, y = 1) or 1e12 (x = 1, y = 0) where it
    # is certain and wrong, (x - y) 1e12 below 1e-12. The target's gradient: interior only.
    *every_reduction("binary_cross_entropy", "x and y at 0 and 1", T([0.0, 0.0, 1.0, 1.0]),
                     T([0.0, 1.0, 0.0, 1.0])),
    *every_reduction("binary_cross_entropy", "soft targets at x = 0 and 1", T([0.0, 1.0]),
                     T([0.5, 0.25])),
    *every_reduction("binary_cross_entropy", "x(1 - x) below 1e-12, log below -100",
                     T([1e-13, 1 - 1e-13, 1e-50, 0.0]), T([1.0, 0.0, 1.0, 0.5])),
    *every_reduction("binary_cross_entropy", "weighted, at 0 and 1", T([0.0, 1.0, 1.0]),
                     T([1.0, 0.0, 1.0]), weight=T([2.0, 0.5, 3.0])),
    *every_reduction("binary_cross_entropy", "interior, both gradients", T([0.3, 0.7, 1e-7]),
                     T([0.2, 1.0, 0.0]), wrt=(0, 1)),
    *every_reduction("binary_cross_entropy", "empty batch, (C,) weight", E(0, 3), E(0, 3),
                     weight=T([1.0, 2.0, 3.0])),
    edge("binary_cross_entropy", "float32, x = 1e-7: log1p(-x), not log(1 - x)",
         T([1e-7, 1 - 1e-7], FLOAT), T([0.0, 1.0], FLOAT), reduction="none"),
    edge("binary_cross_entropy", "0-d, 0-d weight", T(0.3), T(1.0), weight=T(2.0),
         wrt=(0, 1)),
    edge("binary_cross_entropy", "(C,) weight", T([[0.3, 0.2]]), T([[1.0, 0.0]]),
         weight=T([2.0, 1.0]), wrt=(0, 1)),
    edge("binary_cross_entropy", "(N, 1) weight", T([[0.3, 0.2], [0.9, 0.5]]),
         T([[1.0, 0.0], [0.0, 1.0]]), weight=T([[2.0], [0.5]]), wrt=(0, 1)),
    edge("binary_cross_entropy", "0-d weight", T([[0.3, 0.2]]), T([[1.0, 0.0]]),
         weight=T(2.0), wrt=(0, 1)),
    edge("binary_cross_entropy", "float32 weight, float64 input", T([0.3, 0.0]),
         T([1.0, 0.0]), weight=T([2.0, 3.0], FLOAT)),
    edge("binary_cross_entropy", "float64 weight, float32 input: float32", T([0.3, 0.0], FLOAT),
         T([1.0, 0.0], FLOAT), weight=T([2.0, 3.0])),
    edge("binary_cross_entropy", "Long weight", T([0.2, 1.0]), T([0.0, 1.0]),
         weight=L([1, 2])),
    edge("binary_cross_entropy", "bool weight", T([0.2, 1.0]), T([0.0, 1.0]),
         weight=torch.tensor([True, False])),

    # BCE with logits: x = 0 (the logits of a zero-initialized classifier), where the usual
    # stable min(x, 0) - log(1 + exp(-|x|)) has two kinks that autograd takes as slopes 1
    # and 0: the slope of log sigma at 0 is 1/2.
    *every_reduction("binary_cross_entropy_with_logits", "logits 0",
                     T([0.0, 0.0, 0.0]), T([0.0, 1.0, 0.5]), wrt=(0, 1)),
    *every_reduction("binary_cross_entropy_with_logits", "logits 0, pos_weight",
                     T([[0.0, 0.0, 0.0]]), T([[0.0, 1.0, 0.5]]), pos_weight=T([3.0, 0.0, 2.0]),
                     wrt=(0, 1)),
    *every_reduction("binary_cross_entropy_with_logits", "+inf for y < 1: inf (torch too)",
                     T([INF, INF]), T([0.0, 0.5]), wrt=(0,)),
    *every_reduction("binary_cross_entropy_with_logits", "logits of +-800",
                     T([800.0, -800.0, 800.0, -800.0]), T([0.0, 1.0, 1.0, 0.0]),
                     pos_weight=T(3.0), wrt=(0, 1)),
    *every_reduction("binary_cross_entropy_with_logits", "empty batch, weight and pos_weight",
                     E(0, 3), E(0, 3), weight=T([1.0, 2.0, 3.0]), pos_weight=T([1.0, 2.0, 3.0]),
                     wrt=(0, 1)),
    edge("binary_cross_entropy_with_logits", "0-d, 0-d weights", T(1.0), T(1.0),
         pos_weight=T(2.0), weight=T(3.0), wrt=(0, 1)),
    edge("binary_cross_entropy_with_logits", "(N, 1) weight, (C,) pos_weight",
         T([[1.0, -2.0], [0.5, 3.0]]), T([[1.0, 0.0], [0.0, 1.0]]), weight=T([[2.0], [0.5]]),
         pos_weight=T([1.0, 4.0]), wrt=(0, 1)),
    edge("binary_cross_entropy_with_logits", "float32 target, float64 input: float32",
         T([1.0, -2.0]), T([0.0, 1.0], FLOAT), wrt=(0, 1)),
    edge("binary_cross_entropy_with_logits", "float32 input, float64 target: float64",
         T([1.0, -2.0], FLOAT), T([0.0, 1.0]), wrt=(0, 1)),
    edge("binary_cross_entropy_with_logits", "float64 pos_weight, float32: float32",
         T([1.0, -2.0], FLOAT), T([0.0, 1.0], FLOAT), pos_weight=T([1.0, 2.0]), wrt=(0, 1)),
    edge("binary_cross_entropy_with_logits", "float64 weight, float32: float32",
         T([1.0, -2.0], FLOAT), T([0.0, 1.0], FLOAT), weight=T([1.0, 2.0]), wrt=(0, 1)),
    edge("binary_cross_entropy_with_logits", "Long weight and pos_weight", T([1.0, -2.0]),
         T([0.0, 1.0]), weight=L([1, 2]), pos_weight=L([3, 1]), wrt=(0, 1)),
    edge("binary_cross_entropy_with_logits", "nan logit", T([NAN, 1.0]), T([0.0, 1.0]),
         wrt=(0, 1)),
]

CLASSIFICATION_ERRORS = [
    error("cross_entropy", "Long logits", L([[1, 2, 3]]), L([1]), raises=NotImplementedError,
          match="\"log_softmax_lastdim_kernel_impl\" not implemented for 'Long'"),
    error("cross_entropy", "Long logits, unbatched", L([1, 2, 3]), L(1),
          raises=NotImplementedError, match="\"log_softmax_lastdim_kernel_impl\""),
    error("cross_entropy", "Int K-dim logits", L([[[1, 2], [3, 4]]]).int(), L([[1, 0]]),
          raises=NotImplementedError,
          match="\"log_softmax_kernel_impl\" not implemented for 'Int'"),
    error("cross_entropy", "Long logits, smoothing", L([[1, 2, 3]]), L([1]), label_smoothing=0.1,
          raises=NotImplementedError, match="\"log_softmax_lastdim_kernel_impl\""),
    error("cross_entropy", "Long logits, probabilities", L([[1, 2, 3]]), T([[0.0, 1.0, 0.0]]),
          raises=NotImplementedError, match="\"log_softmax_lastdim_kernel_impl\""),
    error("cross_entropy", "Long logits before a Double target", L([[1, 2, 3]]), T([1.0]),
          raises=NotImplementedError, match="\"log_softmax_lastdim_kernel_impl\""),
    error("cross_entropy", "float32 weight, float64 input", LOGITS, CLASSES,
          weight=T([1.0, 2.0, 3.0], FLOAT), raises=RuntimeError,
          match="expected scalar type Double but found Float"),
    error("cross_entropy", "float64 weight, float32 input", LOGITS.float(), CLASSES,
          weight=T([1.0, 2.0, 3.0]), raises=RuntimeError,
          match="expected scalar type Float but found Double"),
    error("cross_entropy", "Long weight", LOGITS, CLASSES, weight=L([1, 2, 3]),
          raises=RuntimeError, match="expected scalar type Double but found Long"),
    error("cross_entropy", "weight dtype before a target out of range", LOGITS, L([0, 1, 5]),
          weight=T([1.0, 2.0, 3.0], FLOAT), raises=RuntimeError, match="expected scalar type"),
    error("cross_entropy", "float32 weight, smoothing", LOGITS, CLASSES, label_smoothing=0.1,
          weight=T([1.0, 2.0, 3.0], FLOAT), raises=RuntimeError,
          match="expected scalar type Double but found Float"),
    error("cross_entropy", "a (1, C) weight that would broadcast", LOGITS, CLASSES,
          weight=T([[1.0, 2.0, 3.0]]), raises=RuntimeError,
          match="weight tensor should be defined either for all 3 classes or no classes but got "
                "weight tensor of shape: [1, 3]"),
    error("cross_entropy", "a (1, C) weight, smoothing", LOGITS, CLASSES, label_smoothing=0.1,
          weight=T([[1.0, 2.0, 3.0]]), raises=RuntimeError, match="got weight tensor of shape"),
    error("cross_entropy", "a (1, C) weight, probabilities", LOGITS, LOGITS.softmax(1),
          weight=T([[1.0, 2.0, 3.0]]), raises=RuntimeError,
          match="cross_entropy: weight tensor should be defined either for all 3 classes"),
    error("cross_entropy", "a 0-d weight for one class", LOGITS[:, :1], L([0, 0, 0]),
          weight=T(1.0), raises=RuntimeError, match="got weight tensor of shape: []"),
    error("cross_entropy", "K-dim input, weight too long", LOGITS.T[None], L([[0, 1, 2]]),
          weight=T([1.0, 2.0, 3.0, 4.0]), raises=RuntimeError,
          match="weight tensor should be defined either for all or no classes"),
    error("cross_entropy", "K-dim, Int target before the weight", LOGITS.T[None],
          L([[0, 1, 2]]).int(), weight=T([1.0, 2.0]), raises=RuntimeError,
          match="expected target dtype to be Long or Byte, but got Int"),
    error("cross_entropy", "Int target before the weight", LOGITS, CLASSES.int(),
          weight=T([1.0, 2.0]), raises=RuntimeError,
          match="expected target dtype to be Long or Byte, but got Int"),
    error("cross_entropy", "4-D, target of another size", E(2, 3, 4, 1), E(2, 2, 1, dtype=LONG),
          raises=RuntimeError, match="size mismatch (got input: [2, 3, 4, 1] , target: [2, 2, 1]"),
    error("cross_entropy", "4-D, 2-D target", E(2, 3, 4, 1), E(2, 4, dtype=LONG),
          raises=RuntimeError, match="only batches of spatial targets supported (3D tensors) but "
                                     "got targets of dimension: 2"),
    error("cross_entropy", "4-D, a (1, C) weight, smoothing: refused", LOGITS.T[None, :, :, None],
          L([[[0], [1], [2]]]), weight=T([[1.0, 2.0, 3.0]]), label_smoothing=0.1,
          raises=RuntimeError, match="shape '[1, 1, 1, 1]' is invalid for input of size 3"),
    error("cross_entropy", "unbatched, (1,) target, smoothing", T([1.0, 2.0, 3.0]), L([2]),
          label_smoothing=0.1, raises=RuntimeError,
          match="output with shape [] doesn't match the broadcast shape [1]"),
    error("cross_entropy", "0-d input, 0-d float target", T(1.0), T(0.0), raises=IndexError,
          match="Dimension specified as 1 but tensor has no dimensions"),
    error("cross_entropy", "no classes", E(2, 0), L([0, 0]), raises=IndexError,
          match="Target 0 is out of bounds."),
    error("nll_loss", "0-d input", T(1.0), L(0), raises=ValueError,
          match="Expected 1 or more dimensions (got 0)"),
    error("nll_loss", "Long input", L([[1, 2, 3]]), L([1]), raises=NotImplementedError,
          match="\"nll_loss_out_frame\" not implemented for 'Long'"),
    error("nll_loss", "Long K-dim input", L([[[1, 2], [3, 4]]]), L([[1, 0]]),
          raises=NotImplementedError,
          match="\"nll_loss2d_forward_out_frame\" not implemented for 'Long'"),
    error("nll_loss", "empty Long input", E(0, 3, dtype=LONG), E(0, dtype=LONG),
          raises=NotImplementedError, match="\"nll_loss_out_frame\" not implemented"),
    error("nll_loss", "float32 weight, float64 input", LOG_P, CLASSES,
          weight=T([1.0, 2.0, 3.0], FLOAT), raises=RuntimeError,
          match="expected scalar type Double but found Float"),
    error("nll_loss", "Long weight, K-dim", LOG_P.T[None], L([[0, 1, 2]]), weight=L([1, 2, 3]),
          raises=RuntimeError, match="expected scalar type Double but found Long"),
    error("nll_loss", "a (1, C) weight", LOG_P, CLASSES, weight=T([[1.0, 2.0, 3.0]]),
          raises=RuntimeError, match="but got weight tensor of shape: [1, 3]"),
    error("nll_loss", "4-D, weight before the target's size", E(1, 1, 1, 3),
          E(1, 1, 1, dtype=LONG), weight=T([1.0, 2.0]), raises=RuntimeError,
          match="weight tensor should be defined either for all or no classes"),

    error("binary_cross_entropy", "float32 target, float64 input", T([0.3]), T([1.0], FLOAT),
          raises=RuntimeError, match="Found dtype Float but expected Double"),
    error("binary_cross_entropy", "float64 target, float32 input", T([0.3], FLOAT), T([1.0]),
          raises=RuntimeError, match="Found dtype Double but expected Float"),
    error("binary_cross_entropy", "Long target", T([0.3, 1.0]), L([0, 1]), raises=RuntimeError,
          match="Found dtype Long but expected Double"),
    error("binary_cross_entropy", "bool target", T([0.3, 1.0]), torch.tensor([True, False]),
          raises=RuntimeError, match="Found dtype Bool but expected Double"),
    error("binary_cross_entropy", "Long input and target", L([0, 1]), L([0, 1]),
          raises=NotImplementedError, match="\"binary_cross_entropy\" not implemented for 'Long'"),
    error("binary_cross_entropy", "dtype before range", T([0.2, 1.5]), T([0.0, 1.0], FLOAT),
          raises=RuntimeError, match="Found dtype Float but expected Double"),
    error("binary_cross_entropy", "(N, 1) weight for (N,)", T([0.3, 0.2]), T([1.0, 0.0]),
          weight=T([[2.0], [1.0]]), raises=RuntimeError,
          match="output with shape [2] doesn't match the broadcast shape [2, 2]"),
    error("binary_cross_entropy", "(1,) weight for 0-d", T(0.3), T(1.0), weight=T([2.0]),
          raises=RuntimeError, match="output with shape [] doesn't match the broadcast shape [1]"),
    error("binary_cross_entropy", "weight too long", T([0.3, 0.2]), T([1.0, 0.0]),
          weight=T([1.0, 2.0, 3.0]), raises=RuntimeError,
          match="Attempting to broadcast a dimension of length 3"),
    error("binary_cross_entropy_with_logits", "Long logits", L([1, 2]), T([0.0, 1.0]),
          raises=NotImplementedError, match="\"log_sigmoid_cpu\" not implemented for 'Long'"),
    error("binary_cross_entropy_with_logits", "Long target", T([1.0, 2.0]), L([0, 1]),
          raises=RuntimeError,
          match="result type Double can't be cast to the desired output type Long"),
    error("binary_cross_entropy_with_logits", "bool target", T([1.0, 2.0]),
          torch.tensor([True, False]), raises=RuntimeError,
          match="Subtraction, the `-` operator, with two bool tensors is not supported."),
    error("binary_cross_entropy_with_logits", "(2, 2) weight for (2,)", T([1.0, 2.0]),
          T([0.0, 1.0]), weight=T([[1.0, 2.0], [3.0, 4.0]]), raises=RuntimeError,
          match="output with shape [2] doesn't match the broadcast shape [2, 2]"),
    error("binary_cross_entropy_with_logits", "(N, 1) pos_weight for (1, C)", T([[1.0, 2.0]]),
          T([[0.0, 1.0]]), pos_weight=T([[1.0], [2.0]]), raises=RuntimeError,
          match="output with shape [1, 2] doesn't match the broadcast shape [2, 2]"),
    error("binary_cross_entropy_with_logits", "(1,) pos_weight for 0-d", T(1.0), T(1.0),
          pos_weight=T([2.0]), raises=RuntimeError, match="output with shape [] doesn't match"),
    error("binary_cross_entropy_with_logits", "(1,) weight for 0-d", T(1.0), T(1.0),
          weight=T([2.0]), raises=RuntimeError, match="output with shape [] doesn't match"),
    error("binary_cross_entropy_with_logits", "pos_weight too long", T([1.0, 2.0]),
          T([0.0, 1.0]), pos_weight=T([1.0, 2.0, 3.0]), raises=RuntimeError,
          match="The size of tensor a (3) must match the size of tensor b (2)"),
    error("binary_cross_entropy_with_logits", "weight too long", T([1.0, 2.0]), T([0.0, 1.0]),
          weight=T([1.0, 2.0, 3.0]), raises=RuntimeError,
          match="The size of tensor a (2) must match the size of tensor b (3)"),
]


# --- regression: l1, mse, smooth L1, Huber ---------------------------------------------------

X_REG = T([0.0, 1.0, 2.0, 0.5, -INF, 3.0])
Y_REG = T([0.0, 0.0, 1.0, 1.5, 0.0, NAN])  # |x - y|: 0, 1 (= beta, delta), 1, 1, inf, nan
W_REG = T([1.0, 2.0, 0.0, 3.0, 1.0, 1.0])
REGRESSION = [
    *[case for name in ("l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss") for case in [
        *every_reduction(name, "zero, at beta or delta, -inf, nan differences", X_REG, Y_REG,
                         wrt=(0, 1)),
        *every_reduction(name, "empty batch", E(0, 2), E(0, 2), wrt=(0, 1)),
        *every_reduction(name, "empty input, target (2,) broadcast: warns", E(0, 1), E(2),
                         wrt=(0, 1)),
        edge(name, "0-d", T(0.5), T(2.0), wrt=(0, 1)),
        edge(name, "0-d input, (2,) target: broadcast, warns", T(0.5), T([2.0, 0.1]),
             wrt=(0, 1)),
        edge(name, "(N,) input, (N, 1) target: an (N, N) loss, warns", T([1.0, 2.0]),
             T([[0.0], [1.5]]), reduction="none", wrt=(0, 1)),
        edge(name, "float32 input, float64 target", T([1.0, 2.0], FLOAT), T([0.0, 3.5]),
             wrt=() if name == "huber_loss" else (0, 1)),
        edge(name, "float64 input, float32 target", T([1.0, 2.0]), T([0.0, 3.5], FLOAT),
             wrt=() if name == "huber_loss" else (0, 1)),
        edge(name, "float64 input, Long target", T([1.0, 2.0]), L([0, 4]),
             wrt=() if name == "huber_loss" else (0,)),
    ]],
    *[case for name in ("l1_loss", "mse_loss", "huber_loss") for case in [
        *every_reduction(name, "weighted, zero, -inf, nan differences", X_REG, Y_REG,
                         weight=W_REG, wrt=(0, 1, "weight")),
        *every_reduction(name, "weights all 0", T([1.0, 2.0]), T([0.0, 0.0]),
                         weight=T([0.0, 0.0]), wrt=(0, 1, "weight")),
        *every_reduction(name, "empty, weighted", E(0), E(0), weight=E(0),
                         wrt=(0, 1, "weight")),
        edge(name, "weight of the input's shape, target broadcast", T([1.0, 2.0]),
             T([[0.0], [1.5]]), weight=T([2.0, 0.5]), wrt=(0, 1, "weight")),
        edge(name, "float32 weight, float64 input", T([1.0, 2.0]), T([0.0, 3.5]),
             weight=T([2.0, 0.5], FLOAT), wrt=(0, 1, "weight")),
        edge(name, "float64 weight, float32 input", T([1.0, 2.0], FLOAT), T([0.0, 3.5], FLOAT),
             weight=T([2.0, 0.5]), wrt=(0, 1, "weight")),
    ]],
    *[edge(name, f"Long input and target, {r}", L([1, 5]), L([0, 2]), reduction=r)
      for name in ("l1_loss",) for r in ("none", "sum")],
    *[edge(name, f"Long input and target, weighted, {r}", L([1, 5]), L([0, 2]),
           weight=L([1, 2]), reduction=r) for name in ("l1_loss", "mse_loss") for r in REDUCTIONS],
    edge("smooth_l1_loss", "Long, beta = 0: the L1 loss", L([1, 5]), L([0, 2]), beta=0.0,
         reduction="sum"),
    *[edge(name, "bool target: 0 and 1", T([0.5, 2.0]), torch.tensor([True, False]), wrt=(0,))
      for name in ("mse_loss", "smooth_l1_loss")],
    edge("huber_loss", "bool target: 0 and 1 (forward only, see the pinned test)", T([0.5, 2.0]),
         torch.tensor([True, False]), wrt=()),
    *[edge("smooth_l1_loss", f"beta = {beta}, {r}", X_REG, Y_REG, beta=beta, reduction=r,
           wrt=(0, 1)) for beta in (0.0, 1e-300, 2.0, INF) for r in ("none", "sum")],
    *[edge("huber_loss", f"delta = {delta}, {r}", X_REG, Y_REG, delta=delta, reduction=r,
           wrt=(0, 1)) for delta in (1e-300, 2.0, INF) for r in ("none", "sum")],
    edge("huber_loss", "delta = inf, weighted: 0.5 w (x - y)^2", X_REG, Y_REG, delta=INF,
         weight=W_REG, wrt=(0, 1, "weight")),
]

REGRESSION_ERRORS = [
    error("l1_loss", "Long, mean", L([1, 5]), L([0, 2]), raises=RuntimeError,
          match="mean(): could not infer output dtype. Input dtype must be either a floating "
                "point or complex dtype. Got: Long"),
    error("l1_loss", "bool target", T([0.5, 2.0]), torch.tensor([True, False]),
          raises=RuntimeError, match="Subtraction, the `-` operator, with a bool tensor"),
    error("smooth_l1_loss", "Long, beta = 0, mean", L([1, 5]), L([0, 2]), beta=0.0,
          raises=RuntimeError, match="mean(): could not infer output dtype"),
    *[error(name, f"Long input and target, {r}", L([1, 5]), L([0, 2]), reduction=r,
            raises=NotImplementedError, match=f"\"{kernel}\" not implemented for 'Long'")
      for name, kernel in (("mse_loss", "mse_cpu"), ("smooth_l1_loss", "smooth_l1_cpu"),
                           ("huber_loss", "huber_cpu")) for r in ("none", "sum")],
    error("huber_loss", "Long input and target, weighted", L([1, 5]), L([0, 2]),
          weight=T([1.0, 2.0]), raises=NotImplementedError,
          match="\"huber_cpu\" not implemented for 'Long'"),
    error("huber_loss", "Long input, float64 target", L([1, 5]), T([0.0, 2.0]),
          raises=RuntimeError, match="result type Double can't be cast to the desired output "
                                     "type Long"),
    *[error(name, "weight of the broadcast shape", T([1.0, 2.0]), T([[0.0], [1.5]]),
            weight=E(2, 2), raises=ValueError, match="Weights and input must have the same size.")
      for name in ("l1_loss", "mse_loss", "huber_loss")],
    *[error(name, "a (1,) weight for 0-d", T(1.0), T(2.0), weight=T([1.0]), raises=ValueError,
            match="Weights and input must have the same size.")
      for name in ("l1_loss", "mse_loss", "huber_loss")],
    *[error(name, "shapes that do not broadcast", T([1.0, 2.0]), T([1.0, 2.0, 3.0]),
            raises=RuntimeError, match="The size of tensor a (2) must match the size of tensor b")
      for name in ("l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss")],
    error("smooth_l1_loss", "negative beta", T([1.0]), T([2.0]), beta=-1.0, raises=RuntimeError,
          match="smooth_l1_loss does not support negative values for beta."),
    error("smooth_l1_loss", "nan beta", T([1.0]), T([2.0]), beta=NAN, raises=RuntimeError,
          match="smooth_l1_loss does not support negative values for beta."),
    error("huber_loss", "delta 0", T([1.0]), T([2.0]), delta=0.0, raises=RuntimeError,
          match="huber_loss does not support non-positive values for delta."),
]


# --- distributions: Poisson, Gaussian, KL ------------------------------------------------

DISTRIBUTIONS = [
    # Poisson, log_input: l = exp(x) - y x. Counts of 0 (the gradient is exp(x)), -inf and
    # +inf log-rates with a count (inf losses), large counts with full=True (Stirling).
    *[case for full in (False, True) for case in [
        *every_reduction("poisson_nll_loss", f"counts 0, 1, 2, 100, full={full}",
                         T([0.0, -1.0, 2.0, 3.0, INF, -INF]), T([0.0, 1.0, 2.0, 100.0, 0.0, 3.0]),
                         full=full, wrt=(0, 1)),
        *every_reduction("poisson_nll_loss", f"rates, counts 0, full={full}",
                         T([0.0, 1e-9, 1.0, 2.0, INF]), T([0.0, 0.0, 3.0, 1.0, 2.0]),
                         log_input=False, full=full, wrt=(0, 1)),
        *every_reduction("poisson_nll_loss", f"empty, full={full}", E(0, 2), E(0, 2), full=full,
                         wrt=(0, 1)),
    ]],
    edge("poisson_nll_loss", "rate 0 with a count, eps = 0: inf", T([0.0, 1.0]), T([2.0, 1.0]),
         log_input=False, eps=0.0, wrt=(0, 1)),
    edge("poisson_nll_loss", "0-d input, (2,) target: silent broadcast", T(0.5), T([0.0, 3.0]),
         wrt=(0, 1)),
    edge("poisson_nll_loss", "(N,) input, (N, 1) target", T([0.5, 1.0]), T([[0.0], [3.0]]),
         full=True, reduction="none", wrt=(0, 1)),
    edge("poisson_nll_loss", "float32 input, float64 target", T([0.5, 1.0], FLOAT),
         T([0.0, 3.0]), full=True, wrt=(0, 1)),
    edge("poisson_nll_loss", "float64 input, float32 target", T([0.5, 1.0]),
         T([0.0, 3.0], FLOAT), full=True, wrt=(0, 1)),
    edge("poisson_nll_loss", "Long input and target", L([1, 2]), L([0, 3]), full=True),
    # Gaussian: var clamped at eps, a clamp autograd does not see: var's gradient is the
    # formula's slope at max(var, eps) (-5e11 for var = 0, x - y = 1), not 0; var 0 with
    # eps 0 (0 / 0 = nan where x = y, inf elsewhere); an infinite var.
    *every_reduction("gaussian_nll_loss", "var 0, 1e-9, inf", T([0.0, 1.0, 2.0, 0.5]),
                     T([0.0, 0.0, 2.0, 1.0]), T([0.0, 1e-9, 0.0, INF]), wrt=(0, 1, 2)),
    *every_reduction("gaussian_nll_loss", "var 0, eps 0", T([0.0, 1.0]), T([0.0, 0.0]),
                     T([0.0, 0.0]), eps=0.0, wrt=(0, 1, 2)),
    *every_reduction("gaussian_nll_loss", "infinite input and target, full", T([INF, 1.0]),
                     T([0.0, -INF]), T([1.0, 2.0]), full=True, wrt=(0, 1, 2)),
    *every_reduction("gaussian_nll_loss", "empty, (N,) var", E(0, 2), E(0, 2), E(0),
                     wrt=(0, 1, 2)),
    *every_reduction("gaussian_nll_loss", "empty, (N, 1) var", E(0, 2), E(0, 2), E(0, 1),
                     wrt=(0, 1, 2)),
    *every_reduction("gaussian_nll_loss", "empty, float var", E(0, 2), E(0, 2), 1.0,
                     wrt=(0, 1)),
    edge("gaussian_nll_loss", "one variance per sample, (N,)", T([[1.0, 2.0], [0.0, 3.0]]),
         T([[0.0, 1.0], [1.0, 1.0]]), T([0.5, 0.0]), wrt=(0, 1, 2)),
    edge("gaussian_nll_loss", "(1, D) var: one dimension of size 1",
         T([[1.0, 2.0], [0.0, 3.0]]), T([[0.0, 1.0], [1.0, 1.0]]), T([[0.5, 2.0]]),
         wrt=(0, 1, 2)),
    edge("gaussian_nll_loss", "0-d input, 0-d var", T(1.0), T(0.0), T(0.0), wrt=(0, 1, 2)),
    edge("gaussian_nll_loss", "float var 0", T([1.0, 2.0]), T([0.0, 2.0]), 0.0, wrt=(0, 1)),
    edge("gaussian_nll_loss", "target (D,) broadcast over the batch", T([[1.0, 2.0]] * 2),
         T([0.0, 1.0]), T([1.0, 2.0]), wrt=(0, 1, 2)),
    edge("gaussian_nll_loss", "float32 input, float64 target and var", T([1.0, 2.0], FLOAT),
         T([0.0, 1.0]), T([1.0, 2.0]), wrt=(0, 1, 2)),
    edge("gaussian_nll_loss", "float32 var, float64 input", T([1.0, 2.0]), T([0.0, 1.0]),
         T([1.0, 2.0], FLOAT), wrt=(0, 1, 2)),
    edge("gaussian_nll_loss", "Long var", T([1.0, 2.0]), T([0.0, 1.0]), L([1, 2]), wrt=(0, 1)),
    # KL: l = y (log y - x), 0 where y = 0 (where the target's gradient is nan in both).
    *[case for log_target in (False, True) for r in ("none", "sum", "batchmean", "mean")
      for case in [
          edge("kl_div", f"targets 0 (or 0.2) and 1, log_target={log_target}, {r}",
               T([[-1.0, -0.5, -INF]]), T([[0.2, 1.0, 0.5]]).log() if log_target
               else T([[0.0, 1.0, 0.5]]), log_target=log_target, reduction=r, wrt=(0, 1)),
          edge("kl_div", f"empty, log_target={log_target}, {r}", E(0, 3), E(0, 3),
               log_target=log_target, reduction=r, wrt=(0, 1)),
          edge("kl_div", f"0-d, log_target={log_target}, {r}", T(-1.0), T(0.5),
               log_target=log_target, reduction=r, wrt=(0, 1)),
      ]],
    edge("kl_div", "(3,) input, (2, 3) target: batchmean divides by 3", T([-1.0, -2.0, -0.5]),
         T([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]), reduction="batchmean", wrt=(0, 1)),
    edge("kl_div", "float32 input, float64 target", T([[-1.0, -2.0]], FLOAT), T([[0.3, 0.7]]),
         reduction="batchmean", wrt=(0, 1)),
    edge("kl_div", "float64 input, float32 target", T([[-1.0, -2.0]]), T([[0.3, 0.7]], FLOAT),
         reduction="batchmean", wrt=(0, 1)),
]

DISTRIBUTION_ERRORS = [
    error("poisson_nll_loss", "reduction", T([1.0]), T([1.0]), reduction="batchmean",
          raises=ValueError, match="batchmean is not a valid value for reduction"),
    error("poisson_nll_loss", "shapes that do not broadcast", T([1.0, 2.0]), T([1.0, 2.0, 3.0]),
          raises=RuntimeError,
          match="The size of tensor a (3) must match the size of tensor b (2)"),
    error("gaussian_nll_loss", "a negative var", T([1.0, 2.0]), T([0.0, 1.0]), T([1.0, -0.5]),
          raises=ValueError, match="var has negative entry/entries"),
    error("gaussian_nll_loss", "a negative float var", T([1.0, 2.0]), T([0.0, 1.0]), -1.0,
          raises=ValueError, match="var has negative entry/entries"),
    error("gaussian_nll_loss", "var of two dimensions of size 1", T([[[1.0, 2.0]]] * 2),
          T([[[1.0, 2.0]]] * 2), E(1, 1, 1), raises=ValueError, match="var is of incorrect size"),
    error("gaussian_nll_loss", "(N + 1,) var", T([[1.0, 2.0]] * 2), T([[1.0, 2.0]] * 2), E(3),
          raises=ValueError, match="var is of incorrect size"),
    error("gaussian_nll_loss", "reduction", T([1.0]), T([1.0]), T([1.0]), reduction="batchmean",
          raises=ValueError, match="batchmean is not valid"),
    error("kl_div", "Long input", L([-1, -2]), T([0.3, 0.7]), raises=RuntimeError,
          match="kl_div: Integral inputs not supported."),
    error("kl_div", "Long target", T([-1.0, -2.0]), L([0, 1]), raises=RuntimeError,
          match="kl_div: Integral inputs not supported."),
    error("kl_div", "reduction", T([-1.0]), T([1.0]), reduction="average", raises=ValueError,
          match="average is not a valid value for reduction"),
]


# --- margin losses -------------------------------------------------------------------------

SCORES = T([[1.0, 0.0, 2.0, 3.0], [1.0, 2.0, 0.0, 0.0]])  # margins met exactly below
MARGIN = [
    # margin_ranking: max(0, -y (x1 - x2) + margin), torch's clamp_min: gradient 1 at 0.
    *every_reduction("margin_ranking_loss", "margin met exactly, -inf, inf, y = 0",
                     T([1.0, 0.0, 2.0, INF, -INF, 1.0]), T([0.0, 0.0, 1.0, 0.0, 0.0, 5.0]),
                     T([1.0, 1.0, -1.0, -1.0, 1.0, 0.0]), margin=1.0, wrt=(0, 1, 2)),
    *every_reduction("margin_ranking_loss", "empty", E(0), E(0), E(0), wrt=(0, 1, 2)),
    edge("margin_ranking_loss", "0-d", T(1.0), T(0.0), T(-1.0), wrt=(0, 1, 2)),
    edge("margin_ranking_loss", "sizes broadcast: (1, 2), (2, 1), (1, 1)", T([[1.0, 2.0]]),
         T([[2.0], [1.0]]), T([[1.0]]), margin=0.5, wrt=(0, 1, 2)),
    edge("margin_ranking_loss", "float32 and float64", T([1.0, 2.0], FLOAT), T([2.0, 1.0]),
         T([1.0, -1.0], FLOAT), wrt=(0, 1, 2)),
    edge("margin_ranking_loss", "Long inputs: a float loss", L([1, 2]), L([2, 1]), L([1, -1]),
         margin=1),
    # hinge_embedding: x where y = 1, max(0, margin - x) where y = -1, both elsewhere.
    *every_reduction("hinge_embedding_loss", "margin met exactly, inf, other targets",
                     T([1.0, 0.0, 2.0, 0.5, INF, -INF, 0.3]), T([1.0, -1.0, -1.0, 0.0, -1.0, 1.0,
                                                                 2.0]), wrt=(0, 1)),
    *every_reduction("hinge_embedding_loss", "empty", E(0, 3), E(0, 3), wrt=(0, 1)),
    edge("hinge_embedding_loss", "0-d", T(0.5), T(-1.0), margin=2.0, wrt=(0, 1)),
    edge("hinge_embedding_loss", "target broadcast", T([[0.5, 2.0]]), T([[1.0], [-1.0]]),
         wrt=(0, 1)),
    edge("hinge_embedding_loss", "float32 input, float64 target", T([0.5, 2.0], FLOAT),
         T([1.0, -1.0]), wrt=(0, 1)),
    # soft_margin: log(1 + exp(-y x)), computed as written (see the pinned overflow test).
    *every_reduction("soft_margin_loss", "y x = 0, y = 0, large", T([1.0, 0.0, 2.0, 30.0, -30.0]),
                     T([1.0, -1.0, 0.0, 1.0, 1.0])),
    *every_reduction("soft_margin_loss", "empty", E(0, 2), E(0, 2)),
    edge("soft_margin_loss", "0-d", T(1.0), T(-1.0)),
    edge("soft_margin_loss", "target broadcast to the input's shape", T([[1.0, 2.0]] * 2),
         T([1.0, -1.0])),
    edge("soft_margin_loss", "float32 input, float64 target: float32", T([1.0, 2.0], FLOAT),
         T([1.0, -1.0])),
    edge("soft_margin_loss", "float64 input, float32 target", T([1.0, 2.0]),
         T([1.0, -1.0], FLOAT)),
    edge("soft_margin_loss", "Long target", T([1.0, 2.0]), L([1, -1])),
    # multilabel_soft_margin: one BCE with logits per class, averaged over C.
    *every_reduction("multilabel_soft_margin_loss", "logits 0", T([[0.0, 0.0, 0.0]]),
                     T([[0.0, 1.0, 0.5]]), wrt=(0, 1)),
    *every_reduction("multilabel_soft_margin_loss", "logits 0, weighted", T([[0.0, 0.0, 2.0]]),
                     T([[0.0, 1.0, 1.0]]), weight=T([1.0, 3.0, 0.5]), wrt=(0, 1)),
    *every_reduction("multilabel_soft_margin_loss", "+inf and -inf where torch is right",
                     T([[INF, -INF, 800.0]]), T([[0.0, 1.0, 0.0]]), wrt=(0, 1)),
    *every_reduction("multilabel_soft_margin_loss", "empty batch", E(0, 3), E(0, 3), wrt=(0, 1)),
    *every_reduction("multilabel_soft_margin_loss", "no classes: 0 / 0", E(2, 0), E(2, 0),
                     wrt=(0, 1)),
    edge("multilabel_soft_margin_loss", "one sample (C,)", T([1.0, 0.0]), T([1.0, 0.0]),
         wrt=(0, 1)),
    edge("multilabel_soft_margin_loss", "(N, C) weight", T([[1.0, 2.0], [0.0, -1.0]]),
         T([[1.0, 0.0], [0.0, 1.0]]), weight=T([[1.0, 2.0], [3.0, 0.5]]), wrt=(0, 1)),
    edge("multilabel_soft_margin_loss", "(N, 1) weight", T([[1.0, 2.0], [0.0, -1.0]]),
         T([[1.0, 0.0], [0.0, 1.0]]), weight=T([[2.0], [0.5]]), wrt=(0, 1)),
    edge("multilabel_soft_margin_loss", "target (C,) broadcast", T([[1.0, 2.0], [0.0, -1.0]]),
         T([1.0, 0.0]), wrt=(0, 1)),
    edge("multilabel_soft_margin_loss", "float32 input, float64 target and weight",
         T([[1.0, 2.0]], FLOAT), T([[1.0, 0.0]]), weight=T([1.0, 2.0]), wrt=(0, 1)),
    edge("multilabel_soft_margin_loss", "Long target", T([[1.0, 2.0]]), L([[1, 0]])),
    # multilabel_margin: torch's kernel adds a pair only where its z > 0, so a margin met
    # exactly has a gradient of 0 (clamp would give 1).
    *every_reduction("multilabel_margin_loss", "margins met exactly", SCORES, L([[3, 2, -1, 0],
                                                                              [0, -1, 2, 2]])),
    *every_reduction("multilabel_margin_loss", "an infinite score, a target -inf",
                     T([[1.0, INF, -INF, 3.0]]), L([[1, 2, -1, 0]])),
    *every_reduction("multilabel_margin_loss", "no targets, all targets",
                     T([[1.0, 2.0], [0.5, 1.0]]), L([[-1, 0], [1, 0]])),
    edge("multilabel_margin_loss", "empty batch, none", E(0, 3), E(0, 3, dtype=LONG),
         reduction="none"),
    *every_reduction("multilabel_margin_loss", "one sample (C,)", T([1.0, 0.0, 0.5]),
                     L([1, -1, 0])),
    *every_reduction("multilabel_margin_loss", "0-d: one sample of one class", T(1.0), L(0)),
    edge("multilabel_margin_loss", "float32", SCORES.float(), L([[3, 2, -1, 0], [0, -1, 2, 2]])),
    # multi_margin: the same z > 0 rule; the target's own z (margin) is not a term, and an
    # infinite target score must not give inf - inf = nan.
    *[case for p in (1, 2) for case in every_reduction(
        "multi_margin_loss", f"margins met exactly, p={p}", SCORES, L([3, 0]), p=p)],
    *every_reduction("multi_margin_loss", "margins met exactly, weighted", SCORES, L([3, 0]),
                     weight=T([1.0, 2.0, 3.0, 4.0])),
    *every_reduction("multi_margin_loss", "inf target score; inf other score",
                     T([[1.0, INF, -INF, 3.0], [1.0, INF, -INF, 3.0]]), L([1, 3])),
    edge("multi_margin_loss", "empty batch, none", E(0, 3), E(0, dtype=LONG), reduction="none"),
    *[edge("multi_margin_loss", f"one sample (C,), target {list(y.shape)}, {r}",
           T([1.0, 0.0, 0.5]), y, reduction=r) for y in (L(1), L([1])) for r in REDUCTIONS],
    edge("multi_margin_loss", "0-d", T(1.0), L(0)),
    edge("multi_margin_loss", "float32, float32 weight", SCORES.float(), L([3, 0]),
         weight=T([1.0, 2.0, 3.0, 4.0], FLOAT), margin=0.5),
]

MARGIN_ERRORS = [
    error("margin_ranking_loss", "numbers of dimensions differ", T([1.0, 2.0]), T([[2.0, 1.0]]),
          T([1.0, -1.0]), raises=RuntimeError,
          match="margin_ranking_loss : All input tensors should have same dimension"),
    error("margin_ranking_loss", "sizes that do not broadcast", T([1.0, 2.0]), T([2.0, 1.0, 0.0]),
          T([1.0, -1.0]), raises=RuntimeError, match="The size of tensor a"),
    error("hinge_embedding_loss", "shapes that do not broadcast", T([1.0, 2.0]),
          T([1.0, -1.0, 1.0]), raises=RuntimeError, match="The size of tensor a"),
    error("hinge_embedding_loss", "reduction", T([1.0, 2.0]), T([1.0, -1.0]), reduction="avg",
          raises=ValueError, match="avg is not a valid value for reduction"),
    error("soft_margin_loss", "target broadcast beyond the input", T([1.0, 2.0]),
          T([[1.0, -1.0]] * 2), raises=RuntimeError,
          match="output with shape [2] doesn't match the broadcast shape [2, 2]"),
    error("soft_margin_loss", "Long input", L([1, 2]), L([1, -1]), raises=RuntimeError,
          match="result type Float can't be cast to the desired output type Long"),
    error("multilabel_soft_margin_loss", "Long input", L([[1, 2]]), T([[1.0, 0.0]]),
          raises=NotImplementedError, match="\"log_sigmoid_cpu\" not implemented for 'Long'"),
    error("multilabel_soft_margin_loss", "0-d input", T(1.0), T(1.0), raises=IndexError,
          match="Dimension specified as -1 but tensor has no dimensions"),
    error("multilabel_soft_margin_loss", "weight too long", T([[1.0, 2.0]]), T([[1.0, 0.0]]),
          weight=T([1.0, 2.0, 3.0]), raises=RuntimeError,
          match="The size of tensor a (2) must match the size of tensor b (3)"),
    error("multilabel_margin_loss", "float target", SCORES, SCORES, raises=RuntimeError,
          match="expected scalar type Long but found Double"),
    error("multilabel_margin_loss", "Int target", SCORES, L([[3, 2, -1, 0]] * 2).int(),
          raises=RuntimeError, match="expected scalar type Long but found Int"),
    error("multilabel_margin_loss", "Long input", L([[1, 2]]), L([[1, -1]]),
          raises=NotImplementedError, match="\"multilabel_margin_loss_forward_out_frame\" not "
                                            "implemented for 'Long'"),
    error("multilabel_margin_loss", "no classes", E(2, 0), E(2, 0, dtype=LONG),
          raises=RuntimeError, match="Expected non-empty vector or matrix with optional 0-dim "
                                     "batch size, but got: [2, 0]"),
    error("multilabel_margin_loss", "target out of range after the -1", SCORES,
          L([[3, -1, 7, 0], [0, -1, 2, 2]]), raises=RuntimeError,
          match="argument #2 'target' is out of range"),
    error("multi_margin_loss", "float32 weight, float64 input", SCORES, L([3, 0]),
          weight=T([1.0, 2.0, 3.0, 4.0], FLOAT), raises=RuntimeError,
          match="expected scalar type Double but found Float"),
    error("multi_margin_loss", "Long weight", SCORES, L([3, 0]), weight=L([1, 2, 3, 4]),
          raises=RuntimeError, match="expected scalar type Double but found Long"),
    error("multi_margin_loss", "(1, C) weight", SCORES, L([3, 0]),
          weight=T([[1.0, 2.0, 3.0, 4.0]]), raises=ValueError,
          match="weight must be one-dimensional"),
    error("multi_margin_loss", "weight too short", SCORES, L([3, 0]), weight=T([1.0, 2.0]),
          raises=RuntimeError, match="inconsistent weight size, expected 4 but got [2]"),
    error("multi_margin_loss", "Int target", SCORES, L([3, 0]).int(), raises=RuntimeError,
          match="expected scalar type Long but found Int"),
    error("multi_margin_loss", "Long input", L([[1, 2]]), L([1]), raises=NotImplementedError,
          match="\"multi_margin_loss_cpu_kernel\" not implemented for 'Long'"),
    error("multi_margin_loss", "target out of range", SCORES, L([4, 0]), raises=RuntimeError,
          match="target out of range"),
    error("multi_margin_loss", "target (N, 1)", SCORES, L([[3], [0]]), raises=RuntimeError,
          match="multi_margin_loss: target tensor should be 1-D"),
]


# --- embedding losses ------------------------------------------------------------------------

ANCHOR = T([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0], [2.0, -2.0]])
POSITIVE = T([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [0.0, 0.0]])  # rows 0, 1: the anchor's own
NEGATIVE = T([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [2.0, -2.0]])  # rows 2, 3: the anchor's own
EMBEDDING = [
    # cosine_embedding: zero vectors (cos = 0 from the 1e-12), equal and opposite vectors,
    # cos - margin exactly 0, other target values (loss 0).
    *[case for margin in (0.0, 0.5, -1.0) for case in every_reduction(
        "cosine_embedding_loss", f"zero, equal, orthogonal rows, margin {margin}",
        T([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [2.0, 0.0]]),
        T([[1.0, 0.0], [0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]),
        T([1.0, -1.0, -1.0, -1.0, 0.0]), margin=margin, wrt=(0, 1))],
    *every_reduction("cosine_embedding_loss", "an infinite coordinate: nan",
                     T([[INF, 0.0]]), T([[1.0, 0.0]]), T([1.0]), wrt=(0, 1)),
    *every_reduction("cosine_embedding_loss", "empty batch", E(0, 3), E(0, 3), E(0), wrt=(0, 1)),
    *every_reduction("cosine_embedding_loss", "D = 0: cos = 0", E(2, 0), E(2, 0), T([1.0, -1.0]),
                     wrt=(0, 1)),
    edge("cosine_embedding_loss", "unbatched (D,), 0-d target", T([1.0, 2.0]), T([2.0, 1.0]),
         T(-1.0), wrt=(0, 1)),
    edge("cosine_embedding_loss", "(1, D) against (N, D), a (1,) target", T([[1.0, 2.0]]),
         T([[2.0, 1.0], [0.0, 1.0]]), T([1.0]), wrt=(0, 1)),
    edge("cosine_embedding_loss", "float32 and float64", T([[1.0, 2.0]], FLOAT), T([[2.0, 1.0]]),
         T([1.0], FLOAT), wrt=(0, 1)),
    edge("cosine_embedding_loss", "Long inputs and target", L([[1, 2]]), L([[2, 1]]), L([-1])),
    # triplet: with eps = 0, an anchor equal to its positive (or its negative) is at distance
    # 0, where the slope of the p-norm is infinite: torch's gradient is 0 there.
    *[case for p in (2.0, 1.0, 3.0, 0.5, INF, -INF, 0.0, -1.0) for eps in (0.0, 1e-6)
      for swap in (False, True) for case in [
          edge("triplet_margin_loss", f"zero distances, p={p}, eps={eps}, swap={swap}",
               ANCHOR, POSITIVE, NEGATIVE, p=p, eps=eps, swap=swap, margin=5.0, reduction="none",
               wrt=(0, 1, 2)),
          edge("triplet_margin_loss", f"all three equal, p={p}, eps={eps}, swap={swap}",
               ANCHOR, ANCHOR, ANCHOR, p=p, eps=eps, swap=swap, reduction="sum", wrt=(0, 1, 2)),
      ]],
    *every_reduction("triplet_margin_loss", "margin met exactly", T([[0.0, 0.0]]),
                     T([[1.0, 0.0]]), T([[2.0, 0.0]]), eps=0.0, wrt=(0, 1, 2)),
    *every_reduction("triplet_margin_loss", "empty batch", E(0, 2), E(0, 2), E(0, 2),
                     wrt=(0, 1, 2)),
    *every_reduction("triplet_margin_loss", "D = 0", E(3, 0), E(3, 0), E(3, 0), wrt=(0, 1, 2)),
    edge("triplet_margin_loss", "0-d", T(1.0), T(2.0), T(0.0), eps=0.0, wrt=(0, 1, 2)),
    edge("triplet_margin_loss", "unbatched (D,)", T([1.0, 2.0]), T([2.0, 1.0]), T([0.0, 0.0]),
         wrt=(0, 1, 2)),
    edge("triplet_margin_loss", "sizes broadcast", T([[1.0, 2.0]]), T([[2.0, 1.0], [1.0, 2.0]]),
         T([[0.0, 0.0]]), eps=0.0, wrt=(0, 1, 2)),
    edge("triplet_margin_loss", "an infinite coordinate", T([[INF, 0.0]]), T([[1.0, 0.0]]),
         T([[0.0, 0.0]]), wrt=(0, 1, 2)),
    edge("triplet_margin_loss", "float32 and float64", T([[1.0, 2.0]], FLOAT), T([[2.0, 1.0]]),
         T([[0.0, 0.0]], FLOAT), wrt=(0, 1, 2)),
    edge("triplet_margin_loss", "Long inputs", L([[1, 2]]), L([[2, 1]]), L([[0, 0]])),
    *every_reduction("triplet_margin_with_distance_loss", "zero distances, default distance",
                     ANCHOR, POSITIVE, NEGATIVE, swap=True, wrt=(0, 1, 2)),
    *every_reduction("triplet_margin_with_distance_loss", "margin met exactly, L1 distance",
                     T([[0.0, 0.0]]), T([[1.0, 0.0]]), T([[2.0, 0.0]]),
                     distance_function=lambda a, b: (a - b).abs().sum(-1), wrt=(0, 1, 2)),
    *every_reduction("triplet_margin_with_distance_loss", "empty batch", E(0, 2), E(0, 2),
                     E(0, 2), wrt=(0, 1, 2)),
    edge("triplet_margin_with_distance_loss", "a distance of 0-d tensors", T(1.0), T(2.0),
         T(0.0), distance_function=lambda a, b: (a - b) ** 2, swap=True, wrt=(0, 1, 2)),
]

EMBEDDING_ERRORS = [
    error("cosine_embedding_loss", "(N, 1) target", T([[1.0, 2.0]]), T([[2.0, 1.0]]), T([[1.0]]),
          raises=RuntimeError, match="0D or 1D target tensor expected, multi-target not supported"),
    error("cosine_embedding_loss", "0-d target, 2-D inputs", T([[1.0, 2.0]]), T([[2.0, 1.0]]),
          T(1.0), raises=RuntimeError, match="0D target tensor expects 1D input tensors"),
    error("cosine_embedding_loss", "0-d inputs", T(1.0), T(2.0), T(1.0), raises=RuntimeError,
          match="0D target tensor expects 1D input tensors, but found inputs with sizes [] and "
                "[]."),
    error("triplet_margin_loss", "margin 0", ANCHOR, POSITIVE, NEGATIVE, margin=0.0,
          raises=ValueError, match="margin must be greater than 0, got 0.0"),
    error("triplet_margin_loss", "numbers of dimensions differ", ANCHOR, POSITIVE[0], NEGATIVE,
          raises=RuntimeError, match="The anchor, positive, and negative tensors are expected to "
                                     "have the same number of dimensions"),
    error("triplet_margin_with_distance_loss", "margin -1", ANCHOR, POSITIVE, NEGATIVE,
          margin=-1.0, raises=ValueError, match="margin must be greater than 0, got -1.0"),
]


# --- CTC and the fused linear cross-entropy --------------------------------------------------

def via_log_softmax(function):
    """ctc_loss of log_softmax(logits): torch's gradient with respect to log_probs is not the
    derivative of its loss (tests/test_from_scratch_ctc_and_fused.py), but with respect to the
    logits it is."""
    return lambda logits, *args, **kwargs: function(logits.log_softmax(-1), *args, **kwargs)


Z = torch.randn(4, 2, 3, generator=torch.Generator().manual_seed(0), dtype=DOUBLE)  # (T, N, C)
CTC = [
    *[case for zero_infinity in (False, True) for case in [
        *every_reduction("ctc_loss", f"repeats need a blank, zero_infinity={zero_infinity}",
                         Z, L([[1, 1], [2, 2]]), L([4, 3]), L([2, 2]), zero_infinity=zero_infinity),
        *every_reduction("ctc_loss", f"empty targets, zero_infinity={zero_infinity}", Z,
                         L([[1, 1], [2, 0]]), L([4, 2]), L([0, 0]), zero_infinity=zero_infinity),
        *every_reduction("ctc_loss", f"no frames, empty target, zero_infinity={zero_infinity}",
                         Z, L([[1, 1], [2, 0]]), L([0, 4]), L([0, 1]), zero_infinity=zero_infinity),
        *every_reduction("ctc_loss", f"empty batch, zero_infinity={zero_infinity}", Z[:, :0],
                         E(0, 2, dtype=LONG), E(0, dtype=LONG), E(0, dtype=LONG),
                         zero_infinity=zero_infinity),
    ]],
    *every_reduction("ctc_loss", "impossible alignment, zero_infinity", Z, L([[1, 1], [2, 0]]),
                     L([2, 4]), L([2, 1]), zero_infinity=True),
    *every_reduction("ctc_loss", "unbatched", Z[:, 0], L([1, 2]), L(4), L(2)),
    edge("ctc_loss", "concatenated targets, blank 2", Z, L([1, 0, 0]), L([4, 3]), L([2, 1]),
         blank=2),
    edge("ctc_loss", "lengths as tuples, Int targets", Z, L([[1, 2], [2, 1]]).int(), (4, 4),
         (2, 2)),
    edge("ctc_loss", "float targets", Z, T([[1.0, 2.0], [2.0, 1.0]]), L([4, 4]), L([2, 2])),
    edge("ctc_loss", "float32", Z.float(), L([[1, 2], [2, 1]]), L([4, 4]), L([2, 2])),
]

CTC_ERRORS = [
    error("ctc_loss", "Long log_probs", L([[[0, 0, 0]]]), L([[1]]), L([1]), L([1]),
          raises=NotImplementedError, match="\"ctc_loss_cpu\" not implemented for 'Long'"),
    error("ctc_loss", "float lengths", Z, L([[1, 2], [2, 1]]), T([4.0, 4.0]), L([2, 2]),
          raises=RuntimeError, match="input_lengths must be integral"),
    error("ctc_loss", "blank out of range", Z, L([[1, 2], [2, 1]]), L([4, 4]), L([2, 2]),
          blank=3, raises=RuntimeError, match="blank must be in label range"),
    error("ctc_loss", "input length beyond T", Z, L([[1, 2], [2, 1]]), L([5, 4]), L([2, 2]),
          raises=RuntimeError, match="Expected input_lengths to have value at most 4, but got "
                                     "value 5"),
    error("ctc_loss", "negative target length", Z, L([[1, 2], [2, 1]]), L([4, 4]), L([-1, 2]),
          raises=RuntimeError, match="Expected target_lengths to have value at least 0"),
    error("ctc_loss", "empty log_probs", Z[:0], L([[1], [2]]), L([0, 0]), L([1, 1]),
          raises=RuntimeError, match="log_probs tensor must not be empty"),
]

X_LCE = torch.randn(3, 4, generator=torch.Generator().manual_seed(1), dtype=DOUBLE)
W_LCE = torch.randn(5, 4, generator=torch.Generator().manual_seed(2), dtype=DOUBLE)
LINEAR_CE = [
    *every_reduction("linear_cross_entropy", "a class masked by a -inf bias", X_LCE, W_LCE,
                     L([0, 4, -100]), linear_bias=T([0.0, -INF, 0.0, 0.0, 0.0]), wrt=(0, 1)),
    *every_reduction("linear_cross_entropy", "every target ignored", X_LCE, W_LCE,
                     L([-100, -100, -100]), label_smoothing=0.1, wrt=(0, 1)),
    *every_reduction("linear_cross_entropy", "empty batch", X_LCE[:0], W_LCE, E(0, dtype=LONG),
                     wrt=(0, 1)),
    *every_reduction("linear_cross_entropy", "probabilities", X_LCE, W_LCE,
                     (X_LCE @ W_LCE.T).softmax(1), label_smoothing=0.2, wrt=(0, 1, 2)),
    edge("linear_cross_entropy", "unbatched, 0-d target", X_LCE[0], W_LCE, L(3), wrt=(0, 1)),
    edge("linear_cross_entropy", "float32, float32 weight", X_LCE.float(), W_LCE.float(),
         L([0, 4, 1]), weight=T([1.0, 2.0, 3.0, 4.0, 5.0], FLOAT), wrt=(0, 1)),
]

LINEAR_CE_ERRORS = [
    error("linear_cross_entropy", "float32 bias, float64", X_LCE, W_LCE, L([0, 4, 1]),
          linear_bias=E(5, dtype=FLOAT), raises=RuntimeError,
          match="self and mat2 must have the same dtype, but got Float and Double"),
    error("linear_cross_entropy", "float32 weight, float64", X_LCE, W_LCE, L([0, 4, 1]),
          weight=E(5, dtype=FLOAT), raises=RuntimeError,
          match="expected scalar type Double but found Float"),
    error("linear_cross_entropy", "float32 input, float64 linear_weight", X_LCE.float(), W_LCE,
          L([0, 4, 1]), raises=RuntimeError,
          match="expected m1 and m2 to have the same dtype, but got: float != double"),
    error("linear_cross_entropy", "Long input and linear_weight", L([[1, 2]]), L([[1, 0], [0, 1]]),
          L([1]), raises=NotImplementedError,
          match="\"log_softmax_lastdim_kernel_impl\" not implemented for 'Long'"),
    error("linear_cross_entropy", "unbatched, (1,) target, smoothing", X_LCE[0], W_LCE, L([3]),
          label_smoothing=0.1, raises=RuntimeError,
          match="output with shape [] doesn't match the broadcast shape [1]"),
]



# --- where torch misbehaves: torch's behaviour and ours, pinned -----------------------------
# Each test asserts what torch does (so that a torch that changes fails here and is looked
# at again) and what ours does instead, and why.

def outcomes(name: str, *args, wrt=(0,), **kwargs) -> tuple[Returned, Returned]:
    case = Case(args, kwargs)
    theirs, ours = run(getattr(F, name), case, wrt), run(getattr(losses, name), case, wrt)
    assert isinstance(theirs, Returned) and isinstance(ours, Returned), (theirs, ours)
    return theirs, ours


def test_torch_bce_target_gradient_ignores_its_own_clamp():
    """torch's gradient with respect to the target is -logit(x) = log(1 - x) - log(x),
    without the clamp at -100 that its loss has: +-inf at x = 0 or 1, where the loss is a
    finite, linear function of y (100 y or 100 (1 - y)). Ours is that function's slope, +-100.
    The gradients with respect to the input agree (the table above)."""
    theirs, ours = outcomes("binary_cross_entropy", T([0.0, 0.0, 1.0, 1.0]),
                            T([0.0, 1.0, 0.0, 1.0]), reduction="sum", wrt=(0, 1))
    torch.testing.assert_close(ours.value, theirs.value)
    torch.testing.assert_close(ours.grads[0], theirs.grads[0])
    assert torch.equal(theirs.grads[1], T([INF, INF, -INF, -INF]))
    assert torch.equal(ours.grads[1], T([100.0, 100.0, -100.0, -100.0]))


@pytest.mark.parametrize("name", ["binary_cross_entropy_with_logits",
                                  "multilabel_soft_margin_loss"])
def test_torch_bce_with_logits_is_nan_at_infinite_logits(name):
    """torch computes (1 - y) x - log sigma(x): 0 * inf or inf - inf at x = -inf, and at
    x = +inf for y = 1, so a certain prediction gives nan, right (x = -inf, y = 0: the loss
    is 0) or wrong (x = -inf, y = 1: the loss is inf). A logit masked with -inf and a weight
    of 0 poisons torch's whole loss. Ours: 0 for the right ones (0 log 0 = 0), inf for the
    wrong one. Input gradients agree (sigma(x) - y, finite); the target's gradient, -x,
    is +-inf in torch, and 0 in ours where ours sets 0 log 0 = 0."""
    x, y = T([[-INF, INF, -INF, -INF, INF]]), T([[0.0, 1.0, 1.0, 0.5, 0.5]])
    theirs, ours = outcomes(name, x, y, reduction="none", wrt=(0, 1))
    if name == "binary_cross_entropy_with_logits":
        assert torch.isnan(theirs.value).tolist() == [[True, True, True, True, False]]
        assert torch.equal(ours.value, T([[0.0, 0.0, INF, INF, INF]]))
        assert torch.equal(ours.grads[1], T([[0.0, 0.0, INF, INF, -INF]]))
    else:  # -(1/C) sum_c [y log sigma(x) + (1 - y) log sigma(-x)]: the nan sums in
        assert torch.isnan(theirs.value).all()
        assert torch.equal(ours.value, T([INF]))
    torch.testing.assert_close(ours.grads[0], theirs.grads[0])
    assert torch.isinf(theirs.grads[1]).all()
    theirs, ours = outcomes(name, x[:, :2], y[:, :2], weight=T([0.0, 0.0]), reduction="sum")
    assert torch.isnan(theirs.value) and ours.value == 0


def test_torch_cross_entropy_with_probabilities_is_nan_for_masked_classes():
    """A class masked with a -inf logit and given a probability of 0: torch computes
    0 * -inf = nan. Ours takes 0 log 0 = 0, as torch's own kl_div does for y log y: the loss
    over the other classes, log(e^0 + e^1) - 1 for logits [0, -inf, 1] and target [0, 0, 1]
    (0 for a single unmasked class). The input
    gradient (softmax - y) agrees; the target's gradient at the masked class is -log p =
    +inf in torch, 0 in ours."""
    x, y = T([[0.0, -INF, 1.0], [-INF, -INF, 2.0]]), T([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    theirs, ours = outcomes("cross_entropy", x, y, reduction="none", wrt=(0, 1))
    assert torch.isnan(theirs.value).all()
    log_sum = torch.tensor([0.0, 1.0], dtype=DOUBLE).logsumexp(0)  # over the unmasked classes
    torch.testing.assert_close(ours.value, torch.stack([log_sum - 1, T(0.0)]))
    torch.testing.assert_close(ours.grads[0], theirs.grads[0])
    assert theirs.grads[1][0, 1] == INF and ours.grads[1][0, 1] == 0


def test_torch_cross_entropy_with_no_classes_divides_0_by_0():
    """Probabilities over C = 0 classes: torch's 'mean' divides by numel / C = 0 / 0. Each of
    the N samples has a loss of 0 (an empty sum); ours averages those: 0."""
    theirs, ours = outcomes("cross_entropy", E(2, 0), E(2, 0), wrt=(0, 1))
    assert torch.isnan(theirs.value) and ours.value == 0
    theirs, ours = outcomes("cross_entropy", E(2, 0), E(2, 0), reduction="none")
    assert torch.equal(theirs.value, ours.value)


@pytest.mark.parametrize("name, args", [
    ("cross_entropy", (T([1.0, 2.0, 3.0]), L([2]))),
    ("nll_loss", (T([1.0, 2.0, 3.0]).log_softmax(0), L([2]))),
    ("linear_cross_entropy", (X_LCE[0], W_LCE, L([3]))),
])
def test_torch_unbatched_target_of_shape_1_has_no_backward(name, args):
    """One sample, a (1,) target instead of a 0-d one: torch's forward accepts it, its
    backward raises. Ours returns the gradient of the same sample with the 0-d target, which
    torch computes."""
    case = Case(args, {})
    with pytest.raises(RuntimeError, match=r"size mismatch \(got input: \[\d\], target: \[1\]\)"):
        run(getattr(F, name), case, (0,))
    ours = run(getattr(losses, name), case, (0,))
    zero_d = run(getattr(F, name), Case(args[:-1] + (args[-1].reshape(()),), {}), (0,))
    torch.testing.assert_close(ours.value, zero_d.value)
    torch.testing.assert_close(ours.grads, zero_d.grads)


@pytest.mark.parametrize("x, y", [
    (T([1.0, 3.0], FLOAT), T([0.0, 1.5])),
    (T([1.0, 3.0]), T([0.0, 1.5], FLOAT)),
    (T([1.0, 3.0]), L([0, 1])),
    (T([1.0, 3.0]), torch.tensor([False, True])),
])
@pytest.mark.parametrize("weighted", [False, True])
def test_torch_huber_loss_of_mixed_dtypes_has_no_backward(x, y, weighted):
    """torch's Huber forward promotes a target of another dtype; its backward refuses it
    ("Found dtype Double but expected Float"). Ours differentiates: the gradients are
    torch's for the target converted to the input's dtype."""
    kwargs = {"weight": T([2.0, 0.5], x.dtype)} if weighted else {}
    case = Case((x, y), kwargs)
    wrt = (0, 1) if y.is_floating_point() else (0,)
    with pytest.raises(RuntimeError, match="Found dtype .* but expected"):
        run(F.huber_loss, case, wrt)
    ours = run(losses.huber_loss, case, wrt)
    same_dtype = run(F.huber_loss, Case((x, y.to(x.dtype)), kwargs), wrt)
    torch.testing.assert_close(ours.value, same_dtype.value)
    for mine, theirs in zip(ours.grads, same_dtype.grads, strict=True):
        torch.testing.assert_close(mine, theirs.to(mine.dtype))


@pytest.mark.parametrize("name, args, out_args", [
    ("multi_margin_loss", (E(0, 3), E(0, dtype=LONG)), (1, 1.0, None)),
    ("multilabel_margin_loss", (E(0, 3), E(0, 3, dtype=LONG)), ()),
])
def test_torch_margin_losses_of_an_empty_batch_are_uninitialised(name, args, out_args):
    """torch's kernels allocate the reduced output and return before writing it when there
    is no sample: 'mean' and 'sum' give whatever that memory held (values like 6.9e-310 in
    a normal run; nan under torch.use_deterministic_algorithms(True), which fills fresh
    memory with nan). The out= form of the same kernel shows it: an output filled with
    12345 beforehand still holds 12345 after. Ours: the sum of no losses is 0, their mean
    nan (0 / 0), as every other loss gives for an empty batch."""
    kernel = getattr(torch.ops.aten, name).out
    for reduction, enum in (("mean", 1), ("sum", 2)):
        out = torch.full((), 12345.0, dtype=DOUBLE)
        kernel(*args, *out_args, enum, out=out)
        assert out == 12345.0, reduction
        assert getattr(F, name)(*args, reduction=reduction).shape == ()
    assert getattr(losses, name)(*args, reduction="sum") == 0
    assert torch.isnan(getattr(losses, name)(*args, reduction="mean"))


def test_torch_hinge_embedding_loss_truncates_the_margin_of_an_integer_input():
    """torch computes margin - x in the input's dtype: with a Long input, a margin of 1.5
    becomes 1 (a loss of 1, not 1.5, where y = -1 and x = 0), and the integer loss then has
    no 'mean'. Ours keeps the margin: a float loss."""
    x, y = L([0, 2]), L([-1, -1])
    theirs, ours = outcomes("hinge_embedding_loss", x, y, margin=1.5, reduction="none", wrt=())
    assert theirs.value.dtype == LONG and theirs.value.tolist() == [1, 0]
    assert ours.value.tolist() == [1.5, 0.0]
    with pytest.raises(RuntimeError, match="mean"):
        F.hinge_embedding_loss(x, y, margin=1.5)
    assert losses.hinge_embedding_loss(x, y, margin=1.5) == 0.75


def test_soft_margin_loss_overflows_in_torch_and_in_ours_on_purpose():
    """torch takes log(1 + exp(-y x)) as written: exp overflows for -y x above 709 in
    float64, the loss is inf and the gradient nan (the margin page shows this pitfall in
    float32). Ours is the same formula on purpose (its docstring says so): the same inf and
    nan. BCEWithLogits on (y + 1) / 2 gives the finite loss, 800."""
    theirs, ours = outcomes("soft_margin_loss", T([-800.0, 800.0]), T([1.0, -1.0]),
                            reduction="none")
    for outcome in (theirs, ours):
        assert torch.equal(outcome.value, T([INF, INF]))
        assert torch.isnan(outcome.grads[0]).all()
    fused = F.binary_cross_entropy_with_logits(T([-800.0, 800.0]), T([1.0, 0.0]), reduction="none")
    assert torch.equal(fused, T([800.0, 800.0]))


def test_torch_poisson_nll_loss_and_kl_div_are_nan_where_0_meets_log_0_and_so_are_ours():
    """A count of 0 at a rate of 0 has probability 1 (a loss of 0); a target probability of
    0 costs nothing in a KL divergence. torch computes 0 * -inf = nan for both: exp(x) - y x
    at x = log rate = -inf; y (log y - x) at x = -inf, y = 0; and with log_target=True,
    exp(y) (y - x) at every target y = -inf (a log of a one-hot target), whatever x.
    Ours keeps torch's nan here, unlike the cross-entropies: the property tests of
    tests/test_from_scratch_regression.py compare these very inputs with torch (zero
    targets with log targets, eps = 0, float16 rates that round to 0)."""
    cases = [
        ("poisson_nll_loss", (T([-INF, 0.0]), T([0.0, 0.0])), {}),
        ("poisson_nll_loss", (T([0.0]), T([0.0])), {"log_input": False, "eps": 0.0}),
        ("kl_div", (T([[-INF, -1.0]]), T([[0.0, 1.0]])), {}),
        ("kl_div", (T([[-2.0, -1.0]]), T([[-INF, 0.0]])), {"log_target": True}),
    ]
    for name, args, kwargs in cases:
        theirs, ours = outcomes(name, *args, reduction="sum", **kwargs)
        assert torch.isnan(theirs.value) and torch.isnan(ours.value), (name, kwargs)


def test_torch_ctc_gradient_is_nan_for_a_masked_class():
    """A class masked with a -inf logit, used by no target: the losses are finite, and
    torch's gradient (exp(log p) - a posterior computed as exp(log alpha beta - log p))
    is nan at that class, which log_softmax's backward spreads over the whole frame. Ours
    differentiates the forward recursion, where the masked class has no path: its
    gradient is 0 and the rest finite."""
    logits = Z.clone()
    logits[:, :, 2] = -INF
    case = Case((logits, L([[1, 1], [1, 0]]), L([4, 4]), L([2, 1])), {"reduction": "sum"})
    theirs = run(via_log_softmax(F.ctc_loss), case, (0,))
    ours = run(via_log_softmax(losses.ctc_loss), case, (0,))
    torch.testing.assert_close(ours.value, theirs.value)
    assert torch.isfinite(theirs.value) and torch.isnan(theirs.grads[0]).all()
    assert torch.isfinite(ours.grads[0]).all() and (ours.grads[0][:, :, 2] == 0).all()


def test_torch_ctc_does_not_check_target_values():
    """Target values must be classes in [0, C); torch does not check them and reads past
    the class dimension (class 3 of 3 of the first sample is, in memory, class 0 of the
    next): a finite loss, without an error. Ours raises IndexError, as nll_loss does for a
    class out of range."""
    args = (Z.log_softmax(-1), L([[3, 1], [1, 0]]), L([4, 4]), L([2, 1]))
    assert torch.isfinite(F.ctc_loss(*args))
    with pytest.raises(IndexError, match="Target 3 is out of bounds."):
        losses.ctc_loss(*args)


VALUES = CLASSIFICATION + REGRESSION + DISTRIBUTIONS + MARGIN + EMBEDDING + LINEAR_CE
ERRORS = (CLASSIFICATION_ERRORS + REGRESSION_ERRORS + DISTRIBUTION_ERRORS + MARGIN_ERRORS
          + EMBEDDING_ERRORS + CTC_ERRORS + LINEAR_CE_ERRORS)


def with_reduction(case: Case, reduction: str | None) -> Case:
    return case if reduction is None else Case(case.args, {**case.kwargs, "reduction": reduction})


@pytest.mark.parametrize("name, case, wrt, reductions", VALUES)
def test_edge_matches_torch(name, case, wrt, reductions):
    for reduction in reductions:
        assert_same_outcome(name, with_reduction(case, reduction), wrt)


@pytest.mark.parametrize("name, args, kwargs, raises, match", ERRORS)
def test_edge_error_matches_torch(name, args, kwargs, raises, match):
    assert_same_error(name, args, kwargs, raises, match)


@pytest.mark.parametrize("name, case, wrt, reductions", CTC)
def test_ctc_edge_matches_torch(name, case, wrt, reductions):
    """Gradients with respect to the logits: see via_log_softmax."""
    for reduction in reductions:
        assert_same_outcome(name, with_reduction(case, reduction), wrt, through=via_log_softmax)


def test_every_functional_loss_has_edge_cases():
    """All 22 losses of tests/test_coverage.py: value cases (an empty batch among them) and
    error cases."""
    from tests.test_coverage import functional_losses

    names = functional_losses()
    assert len(names) == 22
    valued = {p.values[0] for p in VALUES + CTC}
    empty = {p.values[0] for p in VALUES + CTC if "empty" in p.id}
    failing = {p.values[0] for p in ERRORS}
    assert set(names) == valued == empty == failing


# --- the checks can fail -------------------------------------------------------------------

def bce_naive(input, target, weight=None, reduction="mean"):
    """The textbook formula: log(0) = -inf, 0 * -inf = nan at x = 0 or 1."""
    x, y = input, target
    l = -(y * x.log() + (1 - y) * (1 - x).log())
    return losses._reduce(l if weight is None else l * weight, reduction)


def bce_clamped_autograd(input, target, weight=None, reduction="mean"):
    """torch's clamped formula (its values at 0 and 1), differentiated by autograd: the
    clamp has no slope below -100, times the infinite slope of log at 0: nan. And
    log(1 - x) instead of log1p(-x)."""
    x, y = input, target
    l = -(y * x.log().clamp(min=-100) + (1 - y) * (1 - x).log().clamp(min=-100))
    return losses._reduce(l if weight is None else l * weight, reduction)


BOUNDARY = Case((T([0.0, 0.0, 1.0, 1.0]), T([0.0, 1.0, 0.0, 1.0])), {"reduction": "sum"})
TINY = Case((T([1e-7, 1 - 1e-7], FLOAT), T([0.0, 1.0], FLOAT)), {"reduction": "none"})


@pytest.mark.parametrize("wrong, case, caught", [
    (bce_naive, BOUNDARY, "value"),
    (bce_clamped_autograd, BOUNDARY, "gradient of 0"),
    (bce_clamped_autograd, TINY, "value"),
], ids=["naive: nan values", "clamped, autograd: nan gradients", "log(1 - x): 19 % off"])
def test_bce_check_fails_on_textbook_formulas(monkeypatch, wrong, case, caught):
    assert_same_outcome("binary_cross_entropy", case, (0,))  # the right one passes
    monkeypatch.setattr(losses, "binary_cross_entropy", wrong)
    with pytest.raises(AssertionError, match=caught):
        assert_same_outcome("binary_cross_entropy", case, (0,))


def test_float32_log_of_1_minus_x_is_19_percent_off():
    """Why the case above fails: in float32, 1 - 1e-7 rounds to 1 - 1.19e-7."""
    x = T([1e-7], FLOAT)
    naive, precise = -(1 - x).log(), -(-x).log1p()
    assert f"{(naive / precise).item():.3f}" == "1.192"
    torch.testing.assert_close(precise, F.binary_cross_entropy(x, T([0.0], FLOAT),
                                                               reduction="none"))


def test_gradient_check_fails_on_a_naive_distance(monkeypatch):
    """||x1 - x2 + eps||_p by autograd: at eps = 0 and a positive equal to its anchor, the
    slope of the norm at 0 (x / ||x|| = 0 / 0) is nan; torch's is 0."""
    case = Case((ANCHOR, POSITIVE, NEGATIVE), {"eps": 0.0, "margin": 5.0})
    assert_same_outcome("triplet_margin_loss", case, (0, 1, 2))

    def naive(x1, x2, p=2.0, eps=1e-6):
        return ((x1 - x2 + eps).abs() ** p).sum(-1) ** (1 / p)

    monkeypatch.setattr(losses, "_pairwise_distance", naive)
    with pytest.raises(AssertionError, match="gradient of 0"):
        assert_same_outcome("triplet_margin_loss", case, (0, 1, 2))


def test_gradient_check_fails_on_a_log_sigmoid_with_a_kink_at_0(monkeypatch):
    """min(z, 0) - log(1 + exp(-|z|)) has the right values, but autograd takes the slope of
    min(z, 0) at 0 as 1 and that of |z| as 0: a slope of 1 instead of 1/2 at z = 0, the
    logits of a zero-initialized classifier."""
    case = Case((T([[0.0, 0.0, 2.0]]), T([[0.0, 1.0, 1.0]])), {})
    assert_same_outcome("multilabel_soft_margin_loss", case, (0,))
    monkeypatch.setattr(losses, "_log_sigmoid", lambda z: z.clamp(max=0) - (-z.abs()).exp().log1p())
    with pytest.raises(AssertionError, match="gradient of 0"):
        assert_same_outcome("multilabel_soft_margin_loss", case, (0,))


def test_outcome_check_fails_when_ours_accepts_what_torch_refuses(monkeypatch):
    right = losses.cross_entropy
    monkeypatch.setattr(losses, "cross_entropy",
                        lambda input, target, *args, **kwargs: right(input.double(), target,
                                                                     *args, **kwargs))
    with pytest.raises(AssertionError, match="torch: Raised"):
        assert_same_outcome("cross_entropy", Case((L([[1, 2, 3]]), L([1])), {}))


def test_outcome_check_fails_on_a_result_without_gradient(monkeypatch):
    right = losses.mse_loss
    monkeypatch.setattr(losses, "mse_loss", lambda *args, **kwargs: right(*args, **kwargs).detach())
    with pytest.raises(AssertionError, match="differentiable: torch True, ours False"):
        assert_same_outcome("mse_loss", Case((T([1.0]), T([2.0])), {}), (0,))


def test_outcome_check_fails_on_a_gradient_that_a_sum_would_hide(monkeypatch):
    """Two gradients swapped: their sum is the same, the weighted grad_output tells them
    apart."""
    right = losses.l1_loss
    monkeypatch.setattr(losses, "l1_loss",
                        lambda input, target, *args, **kwargs: right(input.flip(0), target.flip(0),
                                                                     *args, **kwargs).flip(0))
    case = Case((T([1.0, 2.0]), T([0.0, 3.0])), {"reduction": "none"})
    assert_same_outcome("l1_loss", case, (0,))  # the same values and gradients, flipped back
    monkeypatch.setattr(losses, "l1_loss",
                        lambda input, target, *args, **kwargs: right(input, target.flip(0),
                                                                     *args, **kwargs).flip(0))
    with pytest.raises(AssertionError, match="value"):
        assert_same_outcome("l1_loss", Case((T([1.0, 3.0]), T([0.0, 2.0])), {"reduction": "none"}),
                            (0,))
