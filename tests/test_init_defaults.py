"""The default-initialization table (snippets/init/default_table.py) against the installed torch.

* Coverage: every nn.Module class torch.nn exports is built; each one with parameters is in
  the table with a rule for every parameter. A class torch adds later fails here.
* Statistics: every parameter of every module in the table is drawn from the stated rule:
  a Kolmogorov-Smirnov test of (value / scale) against U(-1, 1) or N(0, 1), pooled over
  seeded rebuilds until there are at least ``SAMPLES`` values; constants are compared
  exactly. The seeds are fixed, so the p-values are the same on every run of this torch.
"""

from __future__ import annotations

import math
import warnings

import pytest
import torch
from scipy import stats
from torch import nn

from snippets.init import default_table as dt

SAMPLES = {"uniform": 4000, "normal": 20000}  # pooled values per parameter, at least
# (a 10 % error in a uniform bound gives p < 1e-6 at 4000; the KS test is less sensitive to
# the scale of a normal, hence 20000 and a direct check of the std as well)
MAX_SAMPLES = 40000  # larger parameters are tested on an evenly strided subset
ALPHA = 1e-4  # deterministic seeds: a real rule passes with a large margin (see below)


with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # nn.Container, nn.NLLLoss2d are deprecated
    warnings.simplefilter("ignore", UserWarning)  # nn.Transformer's nested tensors
    PARAMETERIZED = dt.parameterized()


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def draws(name: str) -> dict[str, tuple[dt.Rule, float, torch.Tensor]]:
    """Parameter -> (rule, scale, pooled values / scale) over seeded rebuilds of ``name``.
    Embedding's padding row is checked for zeros and left out of the pool."""
    first = dt.build(name)
    params = dict(first.named_parameters())
    needed = [math.ceil(SAMPLES[rule.kind] / p.numel()) for pname, p in params.items()
              if (rule := dt.rule_for(first, pname, p)[0]).kind != "constant"]
    rebuilds = min(50, max(needed)) if needed else 1
    pooled: dict[str, list[torch.Tensor]] = {pname: [] for pname in params}
    for seed in range(rebuilds):
        torch.manual_seed(seed)
        module = dt.build(name)
        for pname, param in module.named_parameters():
            value = param.detach().double()
            padding = getattr(module, "padding_idx", None)
            if isinstance(module, (nn.Embedding, nn.EmbeddingBag)) and padding is not None:
                assert torch.all(value[padding] == 0), f"{name}: padding row not zero"
                value = torch.cat([value[:padding], value[padding + 1:]])
            value = value.flatten()
            pooled[pname].append(value[::max(1, value.numel() * rebuilds // MAX_SAMPLES)])
    out = {}
    for pname, param in params.items():
        rule, owner = dt.rule_for(first, pname, param)
        scale = rule.scale(first.get_submodule(owner), param)
        out[pname] = (rule, scale, torch.cat(pooled[pname]))
    return out


def failures(name: str, rules=None) -> list[str]:
    """The parameters of ``name`` whose values do not follow their rule (empty: all do).
    ``rules`` (optional) replaces the stated rules: the can-fail tests use it."""
    found = []
    for pname, (rule, scale, values) in draws(name).items():
        if rules is not None:
            rule, scale = rules(pname, rule, scale)
        if rule.kind == "constant":
            if not torch.all(values == scale):
                found.append(f"{pname}: not all {scale}")
            continue
        z = (values / scale).numpy()
        if rule.kind == "uniform":
            p = stats.kstest(z, "uniform", args=(-1, 2)).pvalue
            if abs(z).max() > 1:
                found.append(f"{pname}: |value| above the bound {scale}")
        else:
            p = stats.kstest(z, "norm").pvalue
            if abs(z.std() / 1.0 - 1) > 4 / math.sqrt(2 * len(z)):  # 4 standard errors
                found.append(f"{pname}: std {z.std():.4f} x the stated one")
        if p < ALPHA:
            found.append(f"{pname}: KS p = {p:.2e} against {rule.kind} scale {scale:.4g}")
    return found


def test_every_torch_nn_module_class_is_built_or_named():
    missing = []
    for name in dt.module_classes():
        try:
            dt.build(name)
        except KeyError as error:
            missing.append(str(error))
    assert not missing, missing


def test_every_parameter_of_every_module_has_a_rule():
    # rows() raises KeyError for a parameter no rule covers; every class with parameters
    # appears in it.
    names = {row[0] for row in dt.rows()}
    assert names == set(dt.parameterized())
    assert len(names) >= 45, sorted(names)  # 47 classes and 2 options in torch 2.13


def test_the_table_lists_every_parameterized_module_once():
    listed = [m for modules, _, _ in dt.table() for m in modules]
    assert set(listed) == set(dt.parameterized())


@pytest.mark.parametrize("name", PARAMETERIZED)
def test_each_parameter_follows_its_stated_distribution(name):
    assert failures(name) == []


# ---- the checks can fail -------------------------------------------------------------

def test_a_new_module_with_required_arguments_is_reported(monkeypatch):
    class Gadget(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.weight = nn.Parameter(torch.zeros(width))

    monkeypatch.setattr(nn, "Gadget", Gadget, raising=False)
    with pytest.raises(KeyError, match="Gadget needs \\['width'\\]"):
        dt.build("Gadget")


def test_a_new_parameter_without_a_rule_is_reported(monkeypatch):
    class Widget(nn.Module):
        def __init__(self):
            super().__init__()
            self.gain = nn.Parameter(torch.ones(3))

    monkeypatch.setattr(nn, "Widget", Widget, raising=False)
    assert "Widget" in dt.parameterized()
    with pytest.raises(KeyError, match="Widget.gain: no rule"):
        dt.rows()


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_a_bound_off_by_ten_percent_is_rejected(factor):
    def wrong(pname, rule, scale):
        return rule, scale * factor

    assert any(line.startswith("weight:") for line in failures("Linear", wrong))
    assert any(line.startswith("bias:") for line in failures("Linear", wrong))
    assert any(line.startswith("in_proj_weight:") for line in failures("MultiheadAttention", wrong))
    # normal rules too: Embedding's N(0, 1) and MultiheadAttention's bias_k
    assert any(line.startswith("weight:") for line in failures("Embedding", wrong))
    assert any(line.startswith("bias_k:") for line in failures("MultiheadAttention", wrong))


def test_the_wrong_family_is_rejected():
    def normal_instead(pname, rule, scale):
        return dt.Rule("normal", rule.scale, rule.formula, rule.call), scale / math.sqrt(3)

    # Same std as the uniform, other shape: the KS test sees it.
    assert any("KS p" in line for line in failures("Conv2d", normal_instead))


def test_a_wrong_constant_is_rejected():
    def half(pname, rule, scale):
        return rule, 0.5 if rule.kind == "constant" else scale

    assert failures("LayerNorm", half) == ["weight: not all 0.5", "bias: not all 0.5"]


def test_torch_own_fans_agree_with_the_stated_bounds():
    # The rules are written from constructor arguments; torch's helper, read independently,
    # gives the same bound for the weights drawn with kaiming_uniform_(a=sqrt(5)).
    for name in ["Linear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
                 "ConvTranspose3d"]:
        module = dt.build(name)
        fan_in, _ = nn.init._calculate_fan_in_and_fan_out(module.weight)
        rule, owner = dt.rule_for(module, "weight", module.weight)
        assert rule.scale(module, module.weight) == pytest.approx(1 / math.sqrt(fan_in))
