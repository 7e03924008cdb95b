"""The default initialization of every torch.nn module, by introspection of the installed torch.

docs/init/defaults.md shows the table that ``hooks/tables.py`` renders from ``rows()``, and
tests/test_init_defaults.py checks it two ways: every module class that ``torch.nn``
exports is built (``build``) and, if it has parameters, must be in the table with every one
of them; and each parameter's values pass a Kolmogorov-Smirnov test against the distribution
stated here (or equal the stated constant).

Two things are separate on purpose:

* what is *introspected*: the list of classes (``module_classes``), their parameters, names
  and shapes (``named_parameters`` of a real instance built with ``EXAMPLE_ARGS``);
* what is *stated*: the rule of each parameter (``RULES``), written from the shapes and the
  constructor arguments (``in_features``, ``groups``, ``kernel_size``, ...), not by calling
  torch's fan helpers, so that the test compares two independent things.

A parameter of a composite module (``TransformerEncoderLayer``'s ``linear1.weight``) takes the
rule of the submodule that owns it, unless an ancestor re-initializes it (``OVERRIDES``:
``MultiheadAttention`` zeroes ``out_proj.bias``, ``nn.Transformer`` applies
``xavier_uniform_`` to every parameter with more than one dimension).
"""

from __future__ import annotations

import functools
import inspect
import math
import warnings
from dataclasses import dataclass
from collections.abc import Callable

import torch
from torch import nn


@dataclass(frozen=True)
class Rule:
    """How one parameter is drawn. ``scale(module, param)`` is the uniform bound, the normal
    std, or the constant; ``formula`` is its TeX in terms of the constructor arguments."""

    kind: str  # "uniform" (on [-scale, scale]), "normal" (mean 0, std scale), "constant"
    scale: Callable[[nn.Module, torch.Tensor], float]
    formula: str
    call: str  # the torch code that draws it


def _prod(values) -> int:
    return math.prod(values)


def _conv_fan_in(m) -> int:
    """in_channels / groups * k1 * ... * kd: the products summed into one output."""
    return m.in_channels // m.groups * _prod(m.kernel_size)


def _conv_transpose_dim1(m) -> int:
    """out_channels / groups * k1 * ... * kd: what torch reads as fan_in of a transposed
    weight (in, out/groups, k...) — the real fan_out; see docs/init/in_practice.md."""
    return m.out_channels // m.groups * _prod(m.kernel_size)


def _xavier_uniform_bound(_, p) -> float:
    """sqrt(6 / (fan_in + fan_out)) with fan_in = size(1) * rf, fan_out = size(0) * rf."""
    rf = _prod(p.shape[2:])
    return math.sqrt(6.0 / (p.shape[1] * rf + p.shape[0] * rf))


def _xavier_normal_std(_, p) -> float:
    rf = _prod(p.shape[2:])
    return math.sqrt(2.0 / (p.shape[1] * rf + p.shape[0] * rf))


# Linear and the convolutions draw weight and bias from the same uniform: the weight with
# kaiming_uniform_(a=sqrt(5)), whose bound is 1/sqrt(fan_in), the bias with uniform_.
KAIMING_SQRT5 = "kaiming_uniform_(w, a=sqrt(5)); uniform_(b, -bound, bound)"


def _uniform_rule(fan, fan_tex: str) -> Rule:
    return Rule("uniform", lambda m, p: 1 / math.sqrt(fan(m)),
                rf"\mathcal{{U}}\left(\pm\frac{{1}}{{\sqrt{{{fan_tex}}}}}\right)", KAIMING_SQRT5)


LINEAR = _uniform_rule(lambda m: m.in_features, r"\text{in\_features}")
CONV = _uniform_rule(_conv_fan_in, r"C_\text{in}/g \cdot \prod k")
CONV_T = _uniform_rule(_conv_transpose_dim1, r"C_\text{out}/g \cdot \prod k")
BILINEAR = Rule("uniform", lambda m, p: 1 / math.sqrt(m.in1_features),
                r"\mathcal{U}\left(\pm\frac{1}{\sqrt{\text{in1\_features}}}\right)",
                "uniform_(w, -bound, bound)")
EMBEDDING = Rule("normal", lambda m, p: 1.0, r"\mathcal{N}(0, 1)\text{, row padding\_idx} = 0",
                 "normal_(w)")
RNN = Rule("uniform", lambda m, p: 1 / math.sqrt(m.hidden_size),
           r"\mathcal{U}\left(\pm\frac{1}{\sqrt{\text{hidden\_size}}}\right)",
           "uniform_(p, -stdv, stdv)")
ONES = Rule("constant", lambda m, p: 1.0, "1", "ones_(w)")
ZEROS = Rule("constant", lambda m, p: 0.0, "0", "zeros_(b)")
PRELU = Rule("constant", lambda m, p: m.init, r"\text{init} = 0.25", "constant_(w, init)")
XAVIER_UNIFORM = Rule("uniform", _xavier_uniform_bound,
                      r"\mathcal{U}\left(\pm\sqrt{\frac{6}{\text{fan\_in} + \text{fan\_out}}}\right)",
                      "xavier_uniform_(w)")
XAVIER_NORMAL = Rule("normal", _xavier_normal_std,
                     r"\mathcal{N}\left(0, \frac{2}{\text{fan\_in} + \text{fan\_out}}\right)",
                     "xavier_normal_(w)")
MHA_IN_PROJ = Rule("uniform", lambda m, p: math.sqrt(6.0 / (4 * m.embed_dim)),
                   r"\mathcal{U}\left(\pm\sqrt{\frac{6}{E + 3E}}\right)",
                   "xavier_uniform_(in_proj_weight)")
MHA_QKV = Rule("uniform", lambda m, p: math.sqrt(6.0 / (p.shape[0] + p.shape[1])),
               r"\mathcal{U}\left(\pm\sqrt{\frac{6}{E + d}}\right)",
               "xavier_uniform_(w)")
MHA_BIAS_KV = Rule("normal", lambda m, p: math.sqrt(2.0 / (2 * m.embed_dim)),
                   r"\mathcal{N}\left(0, \frac{1}{E}\right)", "xavier_normal_(w)")

# The rule of each parameter a class creates itself, found through the MRO (so
# LazyLinear uses Linear's, and NonDynamicallyQuantizableLinear too).
RULES: dict[type, dict[str, Rule]] = {
    nn.Linear: {"weight": LINEAR, "bias": LINEAR},
    nn.Bilinear: {"weight": BILINEAR, "bias": BILINEAR},
    nn.modules.conv._ConvNd: {"weight": CONV, "bias": CONV},
    nn.modules.conv._ConvTransposeNd: {"weight": CONV_T, "bias": CONV_T},
    nn.Embedding: {"weight": EMBEDDING},
    nn.EmbeddingBag: {"weight": EMBEDDING},
    nn.RNNBase: {"*": RNN},
    nn.modules.rnn.RNNCellBase: {"*": RNN},
    nn.modules.batchnorm._NormBase: {"weight": ONES, "bias": ZEROS},
    nn.GroupNorm: {"weight": ONES, "bias": ZEROS},
    nn.LayerNorm: {"weight": ONES, "bias": ZEROS},
    nn.RMSNorm: {"weight": ONES},
    nn.PReLU: {"weight": PRELU},
    nn.MultiheadAttention: {"in_proj_weight": MHA_IN_PROJ, "in_proj_bias": ZEROS,
                            "q_proj_weight": MHA_QKV, "k_proj_weight": MHA_QKV,
                            "v_proj_weight": MHA_QKV, "bias_k": MHA_BIAS_KV,
                            "bias_v": MHA_BIAS_KV},
}

# An ancestor that re-initializes its submodules' parameters after they are built:
# (class, test on the dotted name relative to it and the tensor, what the test selects
# in words, rule).
OVERRIDES: list[tuple[type, Callable[[str, torch.Tensor], bool], str, Rule]] = [
    (nn.MultiheadAttention, lambda name, p: name == "out_proj.bias", "out_proj.bias", ZEROS),
    (nn.Transformer, lambda name, p: p.dim() > 1, "dim() > 1", XAVIER_UNIFORM),
]

_LAYER = dict(d_model=512, nhead=2, dim_feedforward=512)

# Constructor arguments for every class that requires some, and for those whose defaults
# build nothing to test (no-argument RNNs). Output sizes of 512 give a bias enough values
# for the statistical tests after a few seeded rebuilds.
EXAMPLE_ARGS: dict[str, Callable[[], nn.Module]] = {
    "Linear": lambda: nn.Linear(64, 512),
    "LazyLinear": lambda: nn.LazyLinear(512),
    "Bilinear": lambda: nn.Bilinear(16, 8, 512),
    "Conv1d": lambda: nn.Conv1d(8, 512, 3),
    "Conv2d": lambda: nn.Conv2d(8, 512, 3, groups=2),
    "Conv3d": lambda: nn.Conv3d(4, 512, 3),
    "ConvTranspose1d": lambda: nn.ConvTranspose1d(8, 512, 3),
    "ConvTranspose2d": lambda: nn.ConvTranspose2d(8, 512, 3, groups=2),
    "ConvTranspose3d": lambda: nn.ConvTranspose3d(4, 512, 3),
    "LazyConv1d": lambda: nn.LazyConv1d(512, 3),
    "LazyConv2d": lambda: nn.LazyConv2d(512, 3),
    "LazyConv3d": lambda: nn.LazyConv3d(512, 3),
    "LazyConvTranspose1d": lambda: nn.LazyConvTranspose1d(512, 3),
    "LazyConvTranspose2d": lambda: nn.LazyConvTranspose2d(512, 3),
    "LazyConvTranspose3d": lambda: nn.LazyConvTranspose3d(512, 3),
    "Embedding": lambda: nn.Embedding(100, 16, padding_idx=0),
    "EmbeddingBag": lambda: nn.EmbeddingBag(100, 16),
    "RNN": lambda: nn.RNN(8, 512),
    "LSTM": lambda: nn.LSTM(8, 512, proj_size=4),
    "GRU": lambda: nn.GRU(8, 512, bidirectional=True),
    "RNNBase": lambda: nn.RNNBase("RNN_TANH", 8, 512),
    "RNNCell": lambda: nn.RNNCell(8, 512),
    "LSTMCell": lambda: nn.LSTMCell(8, 512),
    "GRUCell": lambda: nn.GRUCell(8, 512),
    "RNNCellBase": lambda: nn.modules.rnn.RNNCellBase(8, 512, True, 2),
    "MultiheadAttention": lambda: nn.MultiheadAttention(512, 2, add_bias_kv=True),
    "TransformerEncoderLayer": lambda: nn.TransformerEncoderLayer(**_LAYER),
    "TransformerDecoderLayer": lambda: nn.TransformerDecoderLayer(**_LAYER),
    "TransformerEncoder": lambda: nn.TransformerEncoder(
        nn.TransformerEncoderLayer(**_LAYER), num_layers=2, enable_nested_tensor=False),
    "TransformerDecoder": lambda: nn.TransformerDecoder(
        nn.TransformerDecoderLayer(**_LAYER), num_layers=2),
    "Transformer": lambda: nn.Transformer(
        num_encoder_layers=1, num_decoder_layers=1, **_LAYER),
    "BatchNorm1d": lambda: nn.BatchNorm1d(16),
    "BatchNorm2d": lambda: nn.BatchNorm2d(16),
    "BatchNorm3d": lambda: nn.BatchNorm3d(16),
    "SyncBatchNorm": lambda: nn.SyncBatchNorm(16),
    "InstanceNorm1d": lambda: nn.InstanceNorm1d(16),
    "InstanceNorm2d": lambda: nn.InstanceNorm2d(16),
    "InstanceNorm3d": lambda: nn.InstanceNorm3d(16),
    "GroupNorm": lambda: nn.GroupNorm(4, 16),
    "LayerNorm": lambda: nn.LayerNorm(16),
    "RMSNorm": lambda: nn.RMSNorm(16),
    "LocalResponseNorm": lambda: nn.LocalResponseNorm(2),
    "CrossMapLRN2d": lambda: nn.CrossMapLRN2d(2),
    "AdaptiveLogSoftmaxWithLoss": lambda: nn.AdaptiveLogSoftmaxWithLoss(512, 2000, [500, 1000]),
    "LinearCrossEntropyLoss": lambda: nn.LinearCrossEntropyLoss(64, 512),
    "DataParallel": lambda: nn.DataParallel(nn.Identity()),
    # Parameter-free modules that require arguments.
    **{name: (lambda name=name: getattr(nn, name)(2)) for name in [
        "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
        "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
        "ChannelShuffle", "CircularPad1d", "CircularPad2d", "CircularPad3d",
        "MaxPool1d", "MaxPool2d", "MaxPool3d",
        "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "PixelShuffle", "PixelUnshuffle",
        "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
        "ReplicationPad2d", "ReplicationPad3d", "Unfold", "ZeroPad1d", "ZeroPad2d",
        "ZeroPad3d"]},
    **{name: (lambda name=name: getattr(nn, name)(2, 0.0)) for name in [
        "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "Threshold"]},
    **{name: (lambda name=name: getattr(nn, name)(2, 2)) for name in [
        "LPPool1d", "LPPool2d", "LPPool3d", "Fold"]},
    "Unflatten": lambda: nn.Unflatten(1, (2, 2)),
    "FractionalMaxPool2d": lambda: nn.FractionalMaxPool2d(2, output_ratio=0.5),
    "FractionalMaxPool3d": lambda: nn.FractionalMaxPool3d(2, output_ratio=0.5),
    # Deprecated, warns when built: an empty nn.Module.
    "Container": lambda: nn.Module(),
}

# Options that create parameters the default construction does not: each gets its own
# rows (name shown in the table) and its own tests.
OPTION_ARGS: dict[str, Callable[[], nn.Module]] = {
    "InstanceNorm2d(affine=True)": lambda: nn.InstanceNorm2d(16, affine=True),
    "MultiheadAttention(kdim, vdim)": lambda: nn.MultiheadAttention(512, 2, kdim=64, vdim=96),
}

# Lazy modules are shown after a first forward with these inputs (their parameters are
# UninitializedParameter until then; docs/init/defaults.md#lazy-modules).
LAZY_INPUTS: dict[str, tuple[int, ...]] = {
    "LazyLinear": (2, 64), "LazyConv1d": (2, 8, 5), "LazyConv2d": (2, 8, 5, 5),
    "LazyConv3d": (2, 4, 5, 5, 5), "LazyConvTranspose1d": (2, 8, 5),
    "LazyConvTranspose2d": (2, 8, 5, 5), "LazyConvTranspose3d": (2, 4, 5, 5, 5),
    "LazyBatchNorm1d": (2, 16), "LazyBatchNorm2d": (2, 16, 3, 3),
    "LazyBatchNorm3d": (2, 16, 3, 3, 3), "LazyInstanceNorm1d": (2, 16, 3),
    "LazyInstanceNorm2d": (2, 16, 3, 3), "LazyInstanceNorm3d": (2, 16, 3, 3, 3),
}


def module_classes() -> dict[str, type]:
    """Every ``nn.Module`` subclass that ``torch.nn`` exports, by name (Module itself too)."""
    return {name: obj for name, obj in sorted(vars(nn).items())
            if inspect.isclass(obj) and issubclass(obj, nn.Module)}


def build(name: str) -> nn.Module:
    """An instance of ``torch.nn.<name>`` (or of an ``OPTION_ARGS`` key), materialized.

    Raises KeyError for a class that needs constructor arguments the table does not know:
    the coverage test turns that into "add it to the table"."""
    if name in OPTION_ARGS:
        return OPTION_ARGS[name]()
    if name in EXAMPLE_ARGS:
        module = EXAMPLE_ARGS[name]()
    else:
        cls = module_classes()[name]
        required = [p for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
                    if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if required:
            raise KeyError(f"nn.{name} needs {[p.name for p in required]}: add it to EXAMPLE_ARGS")
        module = cls()
    if name in LAZY_INPUTS:
        with torch.no_grad():
            module(torch.zeros(LAZY_INPUTS[name]))
    return module


def rule_for(module: nn.Module, name: str, param: torch.Tensor) -> tuple[Rule, str]:
    """The rule of parameter ``name`` (dotted, relative to ``module``) and the dotted path of
    the module that applies it (``""``: ``module`` itself). Raises KeyError when no rule
    covers the parameter."""
    prefix, _, local = name.rpartition(".")
    owner = prefix
    rule = None
    for cls in type(module.get_submodule(prefix)).__mro__:
        own = RULES.get(cls, {})
        if local in own or "*" in own:
            rule = own.get(local, own.get("*"))
            break
    # Ancestors, innermost first, so the outermost re-initialization wins.
    parts = prefix.split(".") if prefix else []
    for depth in range(len(parts), -1, -1):
        ancestor = ".".join(parts[:depth])
        relative = ".".join([*parts[depth:], local])
        for cls, applies, _, override in OVERRIDES:
            if isinstance(module.get_submodule(ancestor), cls) and applies(relative, param):
                rule, owner = override, ancestor
    if rule is None:
        raise KeyError(f"{type(module).__name__}.{name}: no rule")
    return rule, owner


@functools.cache
def instance(name: str) -> nn.Module:
    """``build(name)`` once per process, from seed 0 (the table reads names and shapes)."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return build(name)


def parameterized() -> list[str]:
    """The names (classes, then options) whose instance has at least one parameter."""
    names = [name for name in module_classes()
             if any(True for _ in instance(name).parameters())]
    return names + list(OPTION_ARGS)


# What the table adds in words to a module's lines (by module name).
NOTES: dict[str, dict[str, str]] = {
    "LSTM": {"en": "`weight_hr_l*` exists only with `proj_size > 0`.",
             "zh": "`weight_hr_l*` 仅在 `proj_size > 0` 时存在。"},
    "MultiheadAttention": {"en": "`bias_k`, `bias_v` exist only with `add_bias_kv=True`.",
                           "zh": "`bias_k`、`bias_v` 仅在 `add_bias_kv=True` 时存在。"},
    "TransformerEncoder": {"en": "The layers are deep copies of the one passed in: all start "
                                 "with the same values (in nn.Transformer only its 1-d "
                                 "parameters do).",
                           "zh": "各层是传入那一层的深拷贝：初始值全都相同（在 nn.Transformer "
                                 "中只有一维参数相同）。"},
    "TransformerDecoder": {"en": "The layers are deep copies of the one passed in: all start "
                                 "with the same values.",
                           "zh": "各层是传入那一层的深拷贝：初始值全都相同。"},
    "InstanceNorm2d(affine=True)": {"en": "InstanceNorm1d/2d/3d have no parameters with their "
                                          "default `affine=False`; the lazy ones default to "
                                          "`affine=True`.",
                                    "zh": "InstanceNorm1d/2d/3d 默认 `affine=False`，没有参数；"
                                          "惰性版本默认 `affine=True`。"},
    "LazyLinear": {"en": "Lazy modules: after the first forward.",
                   "zh": "惰性模块：第一次前向传播之后。"},
}


def rows() -> list[tuple[str, str, tuple[int, ...], Rule, float, str]]:
    """(module, parameter name, shape, rule, scale, owner path) for every parameter of every
    parameterized module, introspected from instances built with ``EXAMPLE_ARGS``."""
    out = []
    for name in parameterized():
        module = instance(name)
        for pname, param in module.named_parameters():
            rule, owner = rule_for(module, pname, param)
            scale = rule.scale(module.get_submodule(owner), param)
            out.append((name, pname, tuple(param.shape), rule, scale, owner))
    return out


def _pattern(name: str) -> str:
    """``layers.1.linear1.weight`` -> ``layers.*.linear1.weight``; ``weight_hh_l0_reverse``
    -> ``weight_hh_l*``: parameters that repeat per layer or direction are one table row."""
    import re

    name = re.sub(r"(?<=\.)\d+(?=\.)|^\d+(?=\.)", "*", name)
    return re.sub(r"_l\d+(_reverse)?$", "_l*", name)


def _child(module: nn.Module, name: str) -> tuple[str, nn.Module]:
    """The first submodule on the path of parameter ``name`` that is not a container:
    ``layers.1.linear1.weight`` of a TransformerEncoder -> ``layers.1``, its layer."""
    parts = name.split(".")
    for depth in range(1, len(parts)):
        sub = module.get_submodule(".".join(parts[:depth]))
        if not isinstance(sub, (nn.ModuleList, nn.Sequential, nn.ModuleDict)):
            return ".".join(parts[:depth]), sub
    raise ValueError(name)


def _table_class(sub: nn.Module) -> str:
    """The torch.nn class a submodule is shown as (NonDynamicallyQuantizableLinear: Linear)."""
    exported = set(module_classes().values())
    return next(cls.__name__ for cls in type(sub).__mro__ if cls in exported)


def table() -> list[tuple[list[str], list[str], str | Rule]]:
    """The page's table: (modules, parameters, rule). The rule is a ``Rule`` the module
    applies itself, or the name of the torch.nn class whose default its submodules keep
    (then the "parameters" are those submodules' paths). Modules whose lines are all
    equal (Conv1d and LazyConv1d, ...) share one group of lines."""
    by_module: dict[str, list[tuple[str, str | Rule]]] = {}
    for module, pname, _, rule, _, owner in rows():
        built = instance(module)
        selectors = [words for cls, applies, words, _ in OVERRIDES
                     if isinstance(built, cls) and applies(pname, built.get_parameter(pname))]
        if owner == "" and selectors:  # re-initialized by the module itself
            entry = (selectors[-1], rule)
        elif owner == "" or "." not in pname:  # created by the module itself
            entry = (_pattern(pname), rule)
        else:  # keeps the default of the submodule on its path
            path, sub = _child(built, pname)
            entry = (_pattern(path + ".x").removesuffix(".x"), _table_class(sub))
        if entry not in by_module.setdefault(module, []):
            by_module[module].append(entry)
    groups: dict[tuple, list[str]] = {}
    for module, entries in by_module.items():
        groups.setdefault(tuple(entries), []).append(module)
    out = []
    for entries, modules in groups.items():
        merged: dict[str, tuple[str | Rule, list[str]]] = {}
        for pattern, rule in entries:
            key = rule if isinstance(rule, str) else rule.formula
            merged.setdefault(key, (rule, []))[1].append(pattern)
        out.extend((modules, patterns, rule) for rule, patterns in merged.values())
    return out


@functools.cache
def cached_table() -> list[tuple[list[str], list[str], str | Rule]]:
    """``table()``, computed once per process (the build renders it for both languages).
    Building every class warns for the deprecated ``nn.Container`` and for nn.Transformer's
    nested tensors; silenced here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", UserWarning)  # nn.Transformer's nested-tensor note
        return table()
