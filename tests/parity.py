"""The error check shared by the from-scratch loss tests: ours must fail as torch fails."""

from __future__ import annotations

import re
import warnings

import pytest
import torch.nn.functional as F

from snippets.from_scratch import losses


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
