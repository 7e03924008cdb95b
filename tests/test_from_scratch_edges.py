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
torch's behaviour and ours side by side, and says why ours differs. The last tests show
that the comparison fails on wrong implementations.
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
        except Exception as error:  # noqa: BLE001 (compared with torch's below)
            return Raised(type(error), str(error))
    warned = [(w.category, str(w.message), w.filename) for w in record]
    grads = None
    if leaves and result.requires_grad:
        grad_output = (1 + 0.1 * torch.arange(result.numel(), dtype=result.dtype)).reshape(
            result.shape)
        grads = torch.autograd.grad(result, leaves, grad_output, allow_unused=True,
                                    materialize_grads=True)
    return Returned(result.detach(), grads, warned)


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
        assert actual == expected, f"{where}:\ntorch: {expected}\nours:  {actual}"
        return
    assert actual.warnings == expected.warnings, (
        f"{where}: warnings differ:\ntorch: {expected.warnings}\nours:  {actual.warnings}")
    torch.testing.assert_close(actual.value, expected.value, equal_nan=True,
                               msg=lambda m: f"{where}: value:\n{m}")
    assert (actual.grads is None) == (expected.grads is None), (
        f"{where}: differentiable: torch {expected.grads is not None}, "
        f"ours {actual.grads is not None}")
    for key, ours, theirs in zip(wrt, actual.grads or (), expected.grads or (), strict=True):
        torch.testing.assert_close(ours, theirs, equal_nan=True,
                                   msg=lambda m, key=key: f"{where}: gradient of {key!r}:\n{m}")


def edge(name: str, id: str, *args, wrt=(0,), **kwargs):
    return pytest.param(name, Case(args, kwargs), wrt, id=f"{name}: {id}")


def every_reduction(name: str, id: str, *args, wrt=(0,), **kwargs):
    return [edge(name, f"{id}, {r}", *args, wrt=wrt, reduction=r, **kwargs) for r in REDUCTIONS]


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

    # BCE with logits: x = 0 (a zero-initialized classifier) is where |x| and the clamp of
    # a min(x, 0) - log(1 + exp(-|x|)) have a kink: the slope of log sigma at 0 is 1/2.
    *every_reduction("binary_cross_entropy_with_logits", "logits 0",
                     T([0.0, 0.0, 0.0]), T([0.0, 1.0, 0.5]), wrt=(0, 1)),
    *every_reduction("binary_cross_entropy_with_logits", "logits 0, pos_weight",
                     T([[0.0, 0.0, 0.0]]), T([[0.0, 1.0, 0.5]]), pos_weight=T([3.0, 0.0, 2.0]),
                     wrt=(0, 1)),
    *every_reduction("binary_cross_entropy_with_logits", "+inf where torch is right",
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
          raises=NotImplementedError, match="\"log_softmax_kernel_impl\" not implemented for 'Int'"),
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
    # Gaussian: var clamped at eps (invisible to autograd: var's gradient is that of the
    # unclamped formula), var 0 with eps 0 (0 / 0 = nan where x = y, inf elsewhere), inf var.
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
    # KL: l = y (log y - x), 0 where y = 0 (the target's gradient there is torch's too).
    *[case for log_target in (False, True) for r in ("none", "sum", "batchmean", "mean")
      for case in [
          edge("kl_div", f"targets 0 and 1, log_target={log_target}, {r}",
               T([[-1.0, -0.5, -INF]]), T([[0.0, 1.0, 0.5]]).log() if log_target
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
          raises=RuntimeError, match="The size of tensor a (3) must match the size of tensor b (2)"),
    error("gaussian_nll_loss", "a negative var", T([1.0, 2.0]), T([0.0, 1.0]), T([1.0, -0.5]),
          raises=ValueError, match="var has negative entry/entries"),
    error("gaussian_nll_loss", "a negative float var", T([1.0, 2.0]), T([0.0, 1.0]), -1.0,
          raises=ValueError, match="var has negative entry/entries"),
    error("gaussian_nll_loss", "var of two dimensions of size 1", T([[[1.0, 2.0]]] * 2),
          T([[[1.0, 2.0]]] * 2), E(1, 1, 2), raises=ValueError, match="var is of incorrect size"),
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


# === TABLES-END ===

VALUES = CLASSIFICATION + REGRESSION + DISTRIBUTIONS
ERRORS = CLASSIFICATION_ERRORS + REGRESSION_ERRORS + DISTRIBUTION_ERRORS


@pytest.mark.parametrize("name, case, wrt", VALUES)
def test_edge_matches_torch(name, case, wrt):
    assert_same_outcome(name, case, wrt)


@pytest.mark.parametrize("name, args, kwargs, raises, match", ERRORS)
def test_edge_error_matches_torch(name, args, kwargs, raises, match):
    assert_same_error(name, args, kwargs, raises, match)
