"""The task -> loss finder (snippets/reference/finder.py): every row runs as it states.

Each row's example builds a fake model output and target; the checker compares every
tensor with the row's stated shape, dtype and values, and requires a finite scalar loss
computed by the recommended criterion. Every criterion of torch.nn appears in some row.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
import torch

from snippets.reference import finder
from snippets.reference.finder import ROWS, Spec
from tests.test_coverage import torch_criteria

ISSUE_TASKS = {  # the tasks the issues ask for, plus dense prediction
    "binary-classification", "multi-class", "multi-label", "regression", "robust-regression",
    "counts", "uncertainty", "distillation", "ranking", "metric-learning",
    "embedding-similarity", "ctc", "large-vocabulary", "segmentation",
    # the losses torch.nn does not ship (issue 14)
    "detection", "segmentation-imbalance", "self-supervised", "face-recognition",
}


def resolve(shape: tuple) -> tuple:
    return tuple(finder.SIZES[d] if isinstance(d, str) else d for d in shape)


def row_problems(row) -> list[str]:
    """Run a row's example; list every way it differs from what the row states."""
    calls: list[str] = []
    if row.recommended in finder.FROM_SCRATCH:  # a function: count calls through its module
        owner, attribute = finder.FROM_SCRATCH[row.recommended], row.recommended
        original = getattr(owner, attribute)

        def counting(*args, **kwargs):
            calls.append(attribute)
            return original(*args, **kwargs)
    else:  # a torch.nn criterion: count calls of its forward
        owner, attribute = getattr(torch.nn, row.recommended), "forward"
        original = owner.forward

        def counting(self, *args, **kwargs):
            calls.append(type(self).__name__)
            return original(self, *args, **kwargs)

    setattr(owner, attribute, counting)
    try:
        outputs, targets, loss = row.example()
    finally:
        setattr(owner, attribute, original)
    problems = []
    if row.recommended not in calls:
        problems.append(f"the example does not run {row.recommended}")
    for kind, specs, tensors in (("output", row.outputs, outputs),
                                 ("target", row.targets, targets)):
        if [s.name for s in specs] != list(tensors):
            problems.append(f"{kind} names {list(tensors)}, stated {[s.name for s in specs]}")
            continue
        for spec in specs:
            tensor = tensors[spec.name]
            if tuple(tensor.shape) != resolve(spec.shape):
                problems.append(f"{spec.name}: shape {tuple(tensor.shape)}, "
                                f"stated {resolve(spec.shape)}")
            if tensor.dtype != spec.dtype:
                problems.append(f"{spec.name}: dtype {tensor.dtype}, stated {spec.dtype}")
            if spec.values and not finder.VALUES[spec.values][1](tensor):
                problems.append(f"{spec.name}: values are not {spec.values!r}")
    if not (isinstance(loss, torch.Tensor) and loss.dim() == 0 and torch.isfinite(loss)):
        problems.append(f"the loss is not a finite scalar: {loss!r}")
    return problems


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_every_row_runs_with_the_formats_it_states(row):
    assert row_problems(row) == []


def _replace(row_id: str, **changes):
    row = next(r for r in ROWS if r.id == row_id)
    return dataclasses.replace(row, **changes)


def test_the_checker_fails_on_a_wrong_row():
    # Stated int64, but the example's target is float (and so on).
    wrong_dtype = _replace("binary-classification",
                           targets=(Spec("target", ("N",), torch.int64, "0/1"),))
    assert row_problems(wrong_dtype) == [
        "target: dtype torch.float32, stated torch.int64"]
    wrong_shape = _replace("multi-class", outputs=(Spec("input", ("N",), torch.float32),))
    assert row_problems(wrong_shape) == ["input: shape (4, 5), stated (4,)"]
    wrong_values = _replace("ranking", targets=(Spec("target", ("N",), torch.float32, "0/1"),))
    assert row_problems(wrong_values) == ["target: values are not '0/1'"]
    wrong_loss = _replace("regression", recommended="L1Loss")
    assert row_problems(wrong_loss) == ["the example does not run L1Loss"]
    wrong_function = _replace("detection", recommended="focal_loss")
    assert row_problems(wrong_function) == ["the example does not run focal_loss"]
    infinite = _replace("ctc", example=lambda: ({"log_probs": torch.zeros(12, 4, 5),
                                                  "input_lengths": torch.full((4,), 12)},
                                                 {"targets": torch.ones(4, 3, dtype=torch.long),
                                                  "target_lengths": torch.full((4,), 3)},
                                                 torch.tensor(float("inf"))))
    problems = row_problems(infinite)
    assert "the loss is not a finite scalar: tensor(inf)" in problems
    assert "the example does not run CTCLoss" in problems
    assert "log_probs: values are not 'log-probs'" in problems


def test_every_torch_criterion_is_in_a_row():
    named = {r.recommended for r in ROWS} | {n for r in ROWS for n, _ in r.alternatives}
    missing = set(torch_criteria()) - named
    assert not missing, f"no finder row names {sorted(missing)}"


def test_every_loss_named_is_a_torch_module_with_a_section_link():
    named = {r.recommended for r in ROWS} | {n for r in ROWS for n, _ in r.alternatives}
    for name in named:
        if name in finder.FROM_SCRATCH:  # a loss torch.nn does not ship, on a beyond/ page
            assert callable(getattr(finder.FROM_SCRATCH[name], name)), name
            assert re.fullmatch(r"\.\./beyond/\w+\.md#[\w-]+", finder.LOSS_LINKS[name]), name
            continue
        assert isinstance(getattr(torch.nn, name), type), name
        assert re.fullmatch(r"\.\./losses/\w+\.md#[\w-]+", finder.LOSS_LINKS[name]), name


def test_the_rows_cover_the_issue_tasks_and_both_languages():
    assert {r.id for r in ROWS} >= ISSUE_TASKS
    assert len({r.id for r in ROWS}) == len(ROWS)
    for row in ROWS:
        texts = [row.task, row.output_note, row.target_note, row.options,
                 *(note for _, note in row.alternatives)]
        for text in texts:
            assert text["en"].strip() and text["zh"].strip(), row.id
        for spec in row.outputs + row.targets:
            assert not spec.values or spec.values in finder.VALUES, (row.id, spec)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_built_page_has_every_row_and_its_links(built_site, lang):
    page = built_site / ("zh/" if lang == "zh" else "") / "reference/finder/index.html"
    html = page.read_text(encoding="utf-8")
    for row in ROWS:
        assert f'<span id="{row.id}"></span>' in html, row.id
    assert 'id="finder-filter"' in html and "assets/finder.js" in html
    # Every section the table links to exists on the built loss page.
    for link in set(finder.LOSS_LINKS.values()):
        path, anchor = link.removeprefix("../").split("#")
        target = page.parent.parent.parent / path.removesuffix(".md") / "index.html"
        assert f'id="{anchor}"' in target.read_text(encoding="utf-8"), (lang, link)


def test_search_finds_the_rows(built_site):
    import json

    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    text = " ".join(d["text"] for d in index["docs"]
                    if d["location"].startswith("reference/finder/"))
    for row in ROWS:
        assert row.recommended in text
    assert "MultiLabelMarginLoss" in text
