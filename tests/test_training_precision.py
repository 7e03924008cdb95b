"""The autocast table of docs/training/precision.md: its header parser and its coverage.

The page's table is generated from the installed torch: the CUDA policy lists are parsed
from the header ATen/autocast_mode.h that ships inside the wheel, the aten ops come from
tracing each call. These checks cannot be a `#>` line: a parser that silently finds
nothing, or a criterion added to torch.nn and missing from the table, must fail here.
"""

from __future__ import annotations

import contextlib
import io
import re
import types
from pathlib import Path

import pytest
import torch
from torch import nn

MODULE = Path(__file__).resolve().parent.parent / "snippets" / "training" / "precision.py"
TABLE_SECTIONS = ("setup", "dispatch-keys", "header-lists", "trace-ops", "criteria-inputs",
                  "autocast-table")


def load_sections(names) -> types.SimpleNamespace:
    """Run only the page's table sections (the GradScaler part imports torch.optim, ~1.5 s)."""
    source = MODULE.read_text()
    namespace = {"__name__": "precision_table"}
    for name in names:
        match = re.search(rf"# --8<-- \[start:{name}\]\n(.*?)# --8<-- \[end:{name}\]",
                          source, re.S)
        assert match, f"no section {name} in {MODULE}"
        with contextlib.redirect_stdout(io.StringIO()):  # the sections print their #> lines
            exec(compile(match.group(1), str(MODULE), "exec"), namespace)
    return types.SimpleNamespace(**namespace)


page = load_sections(TABLE_SECTIONS)

FAKE_HEADER = r"""
// a comment mentioning _(not_an_op)
#define AT_FORALL_LOWER_PRECISION_FP(_) \
  _(conv2d)                            \
  _(conv_transpose2d, input)           \
  _(linear)

#define AT_FORALL_FP32(_)             \
  _(mse_loss)                         \
  _(pow, Tensor_Scalar)               \
  _(binary_cross_entropy_with_logits)

#define AT_FORALL_FP32_SET_OPT_DTYPE(_) \
  _(log_softmax, int)                   \
  _(sum)

#define AT_FORALL_DIFFERENT_REDISPATCH_SIGNATURE(_)   \
  _(ADD_NS(norm),                                     \
    "norm.Scalar",                                    \
    Tensor(const Tensor&, const Scalar&),             \
    Tensor(const Tensor&, const std::optional<Scalar>&, ScalarType), \
    fp32_append_dtype)

#define AT_FORALL_PROMOTE(_) \
  _(addcmul)                 \
  _(index_put)

#define SOMETHING_ELSE(_) _(ignored)
"""


def test_parser_on_a_small_fake_header():
    lists = page.autocast_lists(FAKE_HEADER)
    assert lists == {
        "AT_FORALL_LOWER_PRECISION_FP": {"conv2d", "conv_transpose2d.input", "linear"},
        "AT_FORALL_FP32": {"mse_loss", "pow.Tensor_Scalar", "binary_cross_entropy_with_logits"},
        "AT_FORALL_FP32_SET_OPT_DTYPE": {"log_softmax.int", "sum"},
        "AT_FORALL_DIFFERENT_REDISPATCH_SIGNATURE": {"norm.Scalar"},
        "AT_FORALL_PROMOTE": {"addcmul", "index_put"},
    }
    expected = {
        "linear": "float16", "conv_transpose2d": "float16", "mse_loss": "float32",
        "pow": "float32", "log_softmax": "float32 via dtype arg", "sum": "float32 via dtype arg",
        "norm": "float32 via dtype arg", "addcmul": "promote",
        # in no fake list: BCE's CUDA autocast kernel "raises", another one is "unlisted",
        # none at all is "no autocast kernel"
        "binary_cross_entropy": "raises", "cudnn_convolution": "unlisted",
        "sigmoid": "no autocast kernel", "not_an_op": "no autocast kernel",
    }
    assert {op: page.cuda_policy(op, lists) for op in expected} == expected


def test_parser_fails_loudly_on_an_empty_header():
    assert page.autocast_lists("") == {}
    # with no lists every CUDA autocast kernel would look unlisted: the real-header test
    # below therefore checks that all five lists are found
    assert page.cuda_policy("mse_loss", {}) == "unlisted"


def test_real_header_lists():
    lists = page.autocast_lists(page.HEADER.read_text())
    assert set(lists) == set(page.POLICIES)
    listed = {e.split(".")[0] for entries in lists.values() for e in entries}
    assert "binary_cross_entropy" not in listed
    fp32 = {e.split(".")[0] for e in lists["AT_FORALL_FP32"]}
    # the criteria the page calls float32 on CUDA
    assert {"binary_cross_entropy_with_logits", "cosine_embedding_loss", "hinge_embedding_loss",
            "huber_loss", "kl_div", "l1_loss", "margin_ranking_loss", "mse_loss",
            "multilabel_margin_loss", "multi_margin_loss", "nll_loss", "poisson_nll_loss",
            "smooth_l1_loss", "soft_margin_loss", "triplet_margin_loss"} <= fp32
    assert {"log_softmax.int", "softmax.int"} <= lists["AT_FORALL_FP32_SET_OPT_DTYPE"]
    # every listed op really has an AutocastCUDA kernel in this build
    missing = [e for entries in lists.values() for e in entries
               if not page.has_autocast_kernel(f"aten::{e}", "AutocastCUDA")]
    assert not missing


def test_unlisted_cuda_kernels():
    """Three AutocastCUDA kernels are in no list; the page says only BCE's raises."""
    listed = {e.split(".")[0] for entries in page.LISTS.values() for e in entries}
    unlisted = sorted({op.split(".")[0].removeprefix("aten::")
                       for op in torch._C._dispatch_get_all_op_names()
                       if op.startswith("aten::")
                       and page.has_autocast_kernel(op, "AutocastCUDA")} - listed)
    assert unlisted == ["binary_cross_entropy", "cudnn_convolution", "cudnn_convolution_transpose"]
    assert {op: page.cuda_policy(op, page.LISTS) for op in unlisted} == {
        "binary_cross_entropy": "raises", "cudnn_convolution": "unlisted",
        "cudnn_convolution_transpose": "unlisted"}
    keys = torch._C.DispatchKeySet(torch._C.DispatchKey.AutocastCUDA)
    with pytest.raises(RuntimeError, match="unsafe to autocast"):
        torch.ops.aten.binary_cross_entropy.default.redispatch(
            keys, torch.tensor([0.5]), torch.tensor([1.0]), None, 1)
    # the two cudnn kernels do not raise: they pass the call on to the CPU backend, which
    # has no such kernel
    with pytest.raises(NotImplementedError, match="from the 'CPU' backend"):
        torch.ops.aten.cudnn_convolution.default.redispatch(
            keys, torch.ones(1, 1, 3, 3), torch.ones(1, 1, 1, 1),
            [0, 0], [1, 1], [1, 1], 1, False, False, False)
    with pytest.raises(NotImplementedError, match="from the 'CPU' backend"):
        torch.ops.aten.cudnn_convolution_transpose.default.redispatch(
            keys, torch.ones(1, 1, 3, 3), torch.ones(1, 1, 1, 1),
            [0, 0], [0, 0], [1, 1], [1, 1], 1, False, False, False)


def test_set_opt_dtype_keeps_a_given_dtype():
    """The header's fp32_set_opt_dtype rule, on which the "keeps the caller's dtype" rows rest."""
    header = page.HEADER.read_text()
    assert "If the user has explicitly specified a dtype, respect it." in header
    assert re.search(r"return dtype\.has_value\(\) \? dtype : to_type;", header)
    # dtype_arg reads the argument from the profiler, with and without a dtype, any overload
    x = torch.randn(2, 3)
    traced = page.trace({
        "none": lambda: x.log_softmax(1), "given": lambda: x.log_softmax(1, dtype=torch.float64),
        "sum": lambda: x.sum(), "sum dim": lambda: x.sum(1, dtype=torch.float64)})
    args = {name: page.dtype_arg(events[0]) for name, events in traced.items()}
    assert args["none"] is None and args["sum"] is None
    assert args["given"] == args["sum dim"] is not None
    policies = {name: page.call_policy(events[0], page.LISTS) for name, events in traced.items()}
    assert policies == {"none": "float32 via dtype arg", "given": "keeps the caller's dtype",
                        "sum": "float32 via dtype arg", "sum dim": "keeps the caller's dtype"}


def test_every_criterion_is_in_the_table():
    criteria = sorted(n for n in dir(nn) if n.endswith("Loss"))
    assert [r["name"] for r in page.ROWS[:len(page.CRITERIA)]] == list(page.CRITERIA)
    assert sorted(page.CRITERIA) == criteria
    from torch.nn.modules.loss import _Loss

    subclasses = {n for n, c in vars(nn).items()
                  if isinstance(c, type) and issubclass(c, _Loss) and n != "NLLLoss2d"}
    assert subclasses <= set(page.CRITERIA)


def test_table_rows_claimed_in_the_prose():
    rows = {r["name"]: r for r in page.ROWS}
    assert rows["BCELoss"]["cuda"] == {"binary_cross_entropy": "raises"}
    # cross_entropy_loss calls log_softmax with the logits' own dtype: CUDA autocast keeps it
    assert rows["CrossEntropyLoss"]["cuda"] == {
        "log_softmax": "keeps the caller's dtype", "nll_loss": "float32"}
    assert rows["LinearCrossEntropyLoss"]["cuda"] == {
        "linear": "float16", "log_softmax": "keeps the caller's dtype", "nll_loss": "float32"}
    # F.log_softmax without a dtype gets float32
    assert rows["F.log_softmax"]["cuda"] == {"log_softmax": "float32 via dtype arg"}
    assert rows["AdaptiveLogSoftmaxWithLoss"]["cuda"]["log_softmax"] == "float32 via dtype arg"
    assert rows["CrossEntropyLoss"]["cpu_ops"] == ["aten::cross_entropy_loss"]
    assert rows["F.log_softmax"]["cpu_ops"] == [] and rows["F.softmax"]["cpu_ops"] == []
    raises = [n for n, r in rows.items() if "raises" in r["cuda"].values()]
    assert raises == ["BCELoss"]
    unlisted = [n for n, r in rows.items() if "unlisted" in r["cuda"].values()]
    assert unlisted == []
