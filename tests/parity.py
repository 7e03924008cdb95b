"""What the from-scratch loss tests share: one call of a loss, the comparison of ours with
torch (values, dtype, shape, warnings), and the check that ours fails as torch fails."""

from __future__ import annotations

import re
import warnings
from typing import Any, NamedTuple

import pytest
import torch
import torch.nn.functional as F

from snippets.from_scratch import losses


class Case(NamedTuple):
    """Positional arguments and keyword options of one call."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]


Warnings = list[tuple[type, str, str]]


def call(function, case: Case) -> tuple[Any, Warnings]:
    """The result, and every warning as (category, message, file it points at)."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        result = function(*case.args, **case.kwargs)
    return result, [(w.category, str(w.message), w.filename) for w in record]


def describe(name: str, case: Case) -> str:
    def show(v):
        return f"{v.dtype} {list(v.shape)}" if isinstance(v, torch.Tensor) else repr(v)
    options = {k: show(v) for k, v in case.kwargs.items()}
    return f"{name}({', '.join(show(a) for a in case.args)}, {options})"


def assert_same_as_torch(name: str, case: Case) -> Warnings:
    """ours == torch: same dtype, shape, values (nan == nan, inf == inf) and warnings.
    Returns the warnings, so that a test can check that torch did give some (or none)."""
    expected, theirs = call(getattr(F, name), case)
    actual, ours = call(getattr(losses, name), case)  # looked up now: patchable
    assert ours == theirs, (
        f"{describe(name, case)}: warnings differ:\ntorch: {theirs}\nours:  {ours}")
    torch.testing.assert_close(actual, expected, equal_nan=True,
                               msg=lambda m: f"{describe(name, case)}:\n{m}")
    return theirs


def assert_same_error(name: str, args, kwargs, error: type[Exception], message: str) -> None:
    """``F.<name>`` and ``losses.<name>`` raise exactly `error` (not a subclass), with equal
    messages that contain `message`, after the same warnings (category, text, file)."""
    raised = []
    for module in (F, losses):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            with pytest.raises(error, match=re.escape(message)) as info:
                getattr(module, name)(*args, **kwargs)
        raised.append((info.value, [(w.category, str(w.message), w.filename) for w in record]))
    (theirs, theirs_warned), (ours, ours_warned) = raised
    assert type(theirs) is error, "pytest.raises also accepts subclasses"
    assert type(ours) is error, f"{type(ours).__name__}, not {error.__name__}"
    assert str(ours) == str(theirs), f"messages differ:\ntorch: {theirs}\nours:  {ours}"
    assert ours_warned == theirs_warned, (
        f"warnings differ:\ntorch: {theirs_warned}\nours:  {ours_warned}")
