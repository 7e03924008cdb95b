"""The from-scratch recipes (snippets/from_scratch/recipes.py) against transformers 5.24.0.

Tiny GPT-2, BERT and ViT models are built from configs (nothing is downloaded). Every
parameter and floating buffer is first poisoned with 7.0 and every integer buffer with 5
(HF's ``_is_hf_initialized`` flags cleared), so that a value a recipe forgets to set cannot
match by luck. Two copies are then re-initialized from the same seed, one with HF's own
``model._init_weights`` and one with ours, both through ``model.apply`` (children first,
the order of HF's ``initialize_weights``). The draws happen in the same order, so every
parameter and buffer, non-persistent buffers included, must be bit-equal (torch.equal),
and the global generator must end in the same state. A recipe without the norm, bias and
buffer branches fails that comparison (``test_the_comparison_catches_a_missing_branch``),
and ``_hf_base_init``'s branches that these three models do not reach (LSTM,
MultiheadAttention, BatchNorm, GroupNorm, RMSNorm, ...) are compared on single modules.
Then the recipe itself is checked per parameter group on a model with enough elements:
means and stds within 5 standard errors (the std of a sample std of n normal draws is
about std / sqrt(2n); of a mean, std / sqrt(n)), and exact zeros and ones where the recipe
puts them. Edges: LayerNorm, biases, the padding_idx row, tied weights (which draw wins
in HF's own init-then-tie path, and in a plain apply over a tied model), and the GPT-2
residual scaling. The last tests show that the checks catch a wrong std (0.01) and a
missing 1/sqrt(2L).

transformers is imported only here; its import alone takes about 5 s, so this file cannot
stay under the 3 s budget of the other from-scratch tests.
"""

from __future__ import annotations

import copy
import math
from functools import partial

import pytest
import torch
from torch import nn

transformers = pytest.importorskip("transformers")

from snippets.from_scratch.recipes import (  # noqa: E402
    bert_init_weights,
    gpt2_init_weights,
    vit_init_weights,
)

GLOBAL = torch.default_generator


@pytest.fixture(autouse=True)
def keep_global_rng():
    state = GLOBAL.get_state()
    yield
    GLOBAL.set_state(state)


def gpt2(n_layer=3, tie=True):
    config = transformers.GPT2Config(vocab_size=300, n_positions=16, n_embd=32,
                                     n_layer=n_layer, n_head=4, tie_word_embeddings=tie,
                                     bos_token_id=0, eos_token_id=0)
    return transformers.GPT2LMHeadModel(config), config


def bert():
    config = transformers.BertConfig(vocab_size=200, hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=4, intermediate_size=64,
                                     max_position_embeddings=24, pad_token_id=0)
    return transformers.BertForMaskedLM(config), config


def vit():
    config = transformers.ViTConfig(image_size=16, patch_size=4, num_channels=3,
                                    hidden_size=32, num_hidden_layers=2,
                                    num_attention_heads=4, intermediate_size=64,
                                    num_labels=5)
    return transformers.ViTForImageClassification(config), config


MODELS = {"gpt2": (gpt2, gpt2_init_weights), "bert": (bert, bert_init_weights),
          "vit": (vit, vit_init_weights)}


def tensors(model):
    """Every parameter and buffer by name, tied ones under each of their names, and
    non-persistent buffers (not in state_dict) too."""
    return {**dict(model.named_parameters(remove_duplicate=False)),
            **dict(model.named_buffers(remove_duplicate=False))}


def clear_hf_flags(model):
    for m in model.modules():
        m.__dict__.pop("_is_hf_initialized", None)
    for t in [*model.parameters(), *model.buffers()]:
        t.__dict__.pop("_is_hf_initialized", None)


def poison(model):
    """7.0 in every parameter and floating buffer, 5 in every integer buffer."""
    with torch.no_grad():
        for t in [*model.parameters(), *model.buffers()]:
            t.fill_(7.0 if t.is_floating_point() else 5)
    clear_hf_flags(model)
    return model


def reinit_both(build, ours, seed):
    model, config = build()
    poison(model)
    theirs_model, ours_model = model, copy.deepcopy(model)
    GLOBAL.manual_seed(seed)
    theirs_model.apply(theirs_model._init_weights)
    theirs_state = GLOBAL.get_state()
    GLOBAL.manual_seed(seed)
    ours_model.apply(partial(ours, config=config))
    ours_state = GLOBAL.get_state()
    return theirs_model, ours_model, torch.equal(theirs_state, ours_state)


def different_tensors(theirs_model, ours_model):
    theirs, mine = tensors(theirs_model), tensors(ours_model)
    assert theirs.keys() == mine.keys()
    return [k for k in theirs if not torch.equal(theirs[k], mine[k])]


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("seed", [0, 1])
def test_bit_equal_to_hf(name, seed):
    build, ours = MODELS[name]
    theirs_model, ours_model, same_state = reinit_both(build, ours, seed)
    assert same_state, "not the same number of draws"
    assert not different_tensors(theirs_model, ours_model)
    # nothing is left at the poison value
    assert not any(bool((t == 7).any()) for t in tensors(ours_model).values()
                   if t.is_floating_point())


def _draws_only(module, std):
    """A wrong base recipe: the weight draws alone, no bias, norm or buffer branch."""
    if isinstance(module, (nn.Linear, nn.Conv2d, nn.Embedding)):
        nn.init.normal_(module.weight, std=std)
        if getattr(module, "padding_idx", None) is not None:
            with torch.no_grad():
                module.weight[module.padding_idx].zero_()


def gpt2_draws_only(module, config):
    _draws_only(module, config.initializer_range)
    if type(module).__name__ == "Conv1D":
        nn.init.normal_(module.weight, std=config.initializer_range)
    if isinstance(getattr(module, "c_proj", None), nn.Module):
        nn.init.normal_(module.c_proj.weight,
                        std=config.initializer_range / math.sqrt(2 * config.n_layer))


def bert_draws_only(module, config):
    _draws_only(module, config.initializer_range)


def vit_draws_only(module, config):
    _draws_only(module, config.initializer_range)
    if hasattr(module, "cls_token") and hasattr(module, "position_embeddings"):
        nn.init.trunc_normal_(module.position_embeddings, std=config.initializer_range)
        nn.init.trunc_normal_(module.cls_token, std=config.initializer_range)


@pytest.mark.parametrize("name, wrong, expected", [
    ("gpt2", gpt2_draws_only, ["transformer.h.0.ln_1.weight", "transformer.h.0.attn.c_attn.bias"]),
    ("bert", bert_draws_only, ["bert.embeddings.LayerNorm.weight", "cls.predictions.bias",
                               "bert.embeddings.position_ids"]),
    ("vit", vit_draws_only, ["vit.layers.0.layernorm_before.weight",
                             "vit.embeddings.patch_embeddings.projection.bias"]),
])
def test_the_comparison_catches_a_missing_branch(name, wrong, expected):
    """Same draws, same generator state, but no norm / bias / buffer branch: on the
    poisoned model those tensors keep 7.0 (or 5) and the comparison names them. BERT's
    position_ids is a non-persistent buffer, absent from state_dict."""
    build, _ = MODELS[name]
    theirs_model, wrong_model, same_state = reinit_both(build, wrong, 0)
    assert same_state
    different = different_tensors(theirs_model, wrong_model)
    assert set(expected) <= set(different), different


class _MyRMSNorm(nn.Module):  # matched by class name, like HF's LlamaRMSNorm
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(8))


def _single_modules():
    return [nn.LSTM(4, 8, num_layers=2), nn.MultiheadAttention(8, 2),
            nn.BatchNorm1d(8), nn.BatchNorm2d(8), nn.BatchNorm3d(8), nn.GroupNorm(2, 8),
            nn.RMSNorm(8), _MyRMSNorm(), nn.LayerNorm(8, bias=False),
            nn.LayerNorm(8, elementwise_affine=False), nn.Conv1d(2, 3, 2), nn.Conv3d(2, 3, 2),
            nn.ConvTranspose1d(2, 3, 2), nn.ConvTranspose2d(2, 3, 2),
            nn.Linear(4, 3, bias=False), nn.Embedding(10, 4, padding_idx=3), nn.PReLU()]


def test_hf_base_init_branches_match_pretrained_model():
    """_hf_base_init against PreTrainedModel._init_weights on single poisoned modules,
    including the branches GPT-2, BERT and ViT never reach. nn.PReLU matches no branch:
    both leave it alone (7.0)."""
    from snippets.from_scratch.recipes import _hf_base_init

    config = transformers.PretrainedConfig(initializer_range=0.02)
    fake_self = type("Fake", (), {"config": config})()  # all _init_weights reads of self
    for module in _single_modules():
        module.to(torch.float64)
        poison(module)
        theirs, mine = module, copy.deepcopy(module)
        GLOBAL.manual_seed(0)
        transformers.PreTrainedModel._init_weights(fake_self, theirs)
        theirs_state = GLOBAL.get_state()
        GLOBAL.manual_seed(0)
        _hf_base_init(mine, 0.02)
        assert torch.equal(theirs_state, GLOBAL.get_state()), type(module).__name__
        assert not different_tensors(theirs, mine), type(module).__name__
    # and the poison is gone where a branch applies
    lstm = poison(nn.LSTM(4, 8))
    _hf_base_init(lstm, 0.02)
    assert bool((lstm.bias_ih_l0 == 0).all()) and not bool((lstm.weight_ih_l0 == 7).any())


def test_reinit_really_draws():
    """The re-initialization changed the weights (a no-op recipe would pass the above)."""
    model, config = gpt2()
    before = model.transformer.h[0].attn.c_attn.weight.clone()
    GLOBAL.manual_seed(123)
    model.apply(partial(gpt2_init_weights, config=config))
    assert not torch.equal(before, model.transformer.h[0].attn.c_attn.weight)


def close(value, target, tolerance):
    return abs(value - target) <= tolerance


def check_normal(p, std):
    """mean and std of p against N(0, std^2), within 5 standard errors."""
    n = p.numel()
    return (close(p.mean().item(), 0.0, 5 * std / math.sqrt(n))
            and close(p.std().item(), std, 5 * std / math.sqrt(2 * n)))


def check_gpt2(model, config, scaled=True):
    std = config.initializer_range
    proj_std = std / math.sqrt(2 * config.n_layer) if scaled else std
    ok = True
    for name, p in model.named_parameters():
        if name.endswith("c_proj.weight"):
            ok &= check_normal(p, proj_std)
        elif name.endswith(("c_attn.weight", "c_fc.weight", "wte.weight", "wpe.weight")):
            ok &= check_normal(p, std)
        elif ".ln_" in name and name.endswith("weight"):
            ok &= bool((p == 1).all())
        elif name.endswith("bias"):
            ok &= bool((p == 0).all())
        else:
            raise AssertionError(f"unchecked parameter {name}")
    return ok


def test_gpt2_statistics():
    model, config = gpt2(n_layer=6)
    GLOBAL.manual_seed(0)
    model.apply(partial(gpt2_init_weights, config=config))
    assert check_gpt2(model, config)
    # Conv1D stores (in, out): c_fc maps 32 -> 128 and its weight is (32, 128).
    assert tuple(model.transformer.h[0].mlp.c_fc.weight.shape) == (32, 128)


def test_gpt2_check_catches_a_wrong_std():
    model, config = gpt2(n_layer=6)
    wrong = copy.deepcopy(config)
    wrong.initializer_range = 0.01
    GLOBAL.manual_seed(0)
    model.apply(partial(gpt2_init_weights, config=wrong))
    assert not check_gpt2(model, config)


def test_gpt2_check_catches_a_missing_residual_scaling():
    model, config = gpt2(n_layer=6)

    def unscaled(module, config):
        from snippets.from_scratch.recipes import _hf_base_init

        _hf_base_init(module, config.initializer_range)
        if type(module).__name__ == "Conv1D":
            nn.init.normal_(module.weight, std=config.initializer_range)
            nn.init.zeros_(module.bias)

    GLOBAL.manual_seed(0)
    model.apply(partial(unscaled, config=config))
    assert not check_gpt2(model, config)
    assert check_gpt2(model, config, scaled=False)
    # and the bit-for-bit comparison fails too
    theirs = copy.deepcopy(model)
    GLOBAL.manual_seed(0)
    theirs.apply(theirs._init_weights)
    assert not torch.equal(theirs.transformer.h[0].mlp.c_proj.weight,
                           model.transformer.h[0].mlp.c_proj.weight)


def test_gpt2_tied_lm_head_is_one_parameter():
    tied, _ = gpt2(tie=True)
    untied, _ = gpt2(tie=False)
    assert tied.lm_head.weight is tied.transformer.wte.weight
    assert untied.lm_head.weight is not untied.transformer.wte.weight
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(untied) - count(tied) == 300 * 32
    names = [n for n, _ in tied.named_parameters()]
    assert "lm_head.weight" not in names and "transformer.wte.weight" in names


def test_hf_init_then_tie_keeps_the_embedding_draw():
    """HF's init_weights() initializes the untied model, then ties: the tied matrix is
    the embedding's draw, and the lm_head draw is discarded. A plain apply over an
    already tied model draws into the shared matrix twice: the lm_head (visited last)
    wins."""
    model, config = gpt2()
    model.lm_head.weight = nn.Parameter(model.lm_head.weight.detach().clone())  # untie
    reference = copy.deepcopy(model)
    clear_hf_flags(model)
    GLOBAL.manual_seed(7)
    model.init_weights()  # HF: initialize_weights(), then tie_weights()
    assert model.lm_head.weight is model.transformer.wte.weight
    GLOBAL.manual_seed(7)
    reference.apply(partial(gpt2_init_weights, config=config))  # untied: two draws
    assert torch.equal(model.transformer.wte.weight, reference.transformer.wte.weight)
    assert not torch.equal(model.lm_head.weight, reference.lm_head.weight)

    tied, config = gpt2()
    GLOBAL.manual_seed(7)
    tied.apply(partial(gpt2_init_weights, config=config))
    assert torch.equal(tied.transformer.wte.weight, reference.lm_head.weight)


def test_bert_statistics_and_padding_row():
    model, config = bert()
    model.cls.predictions.decoder.weight = nn.Parameter(  # untie, to see the embedding
        model.cls.predictions.decoder.weight.detach().clone())
    GLOBAL.manual_seed(0)
    model.apply(partial(bert_init_weights, config=config))
    word = model.bert.embeddings.word_embeddings.weight
    assert bool((word[0] == 0).all()) and bool((word[1:] != 0).all())
    std = config.initializer_range
    for name, p in model.named_parameters():
        if "LayerNorm.weight" in name:
            assert bool((p == 1).all()), name
        elif name.endswith("bias"):
            assert bool((p == 0).all()), name
        elif name.endswith("word_embeddings.weight"):
            assert check_normal(word[1:], std), name
        else:
            assert check_normal(p, std), name
    e = model.bert.embeddings
    assert torch.equal(e.position_ids, torch.arange(24).expand((1, -1)))
    assert bool((e.token_type_ids == 0).all())


def test_bert_apply_over_a_tied_model_overwrites_the_padding_row():
    """The MLM decoder is tied to the word embeddings; apply visits it after them, and
    its Linear draw replaces the embedding's, padding row included (HF and ours alike).
    HF's own init_weights() initializes before tying, and keeps the row at 0."""
    model, config = bert()
    assert model.cls.predictions.decoder.weight is model.bert.embeddings.word_embeddings.weight
    for fn in (model._init_weights, partial(bert_init_weights, config=config)):
        GLOBAL.manual_seed(0)
        model.apply(fn)
        assert bool((model.bert.embeddings.word_embeddings.weight[0] != 0).all())
    model.cls.predictions.decoder.weight = nn.Parameter(
        model.cls.predictions.decoder.weight.detach().clone())
    clear_hf_flags(model)
    GLOBAL.manual_seed(0)
    model.init_weights()
    assert model.cls.predictions.decoder.weight is model.bert.embeddings.word_embeddings.weight
    assert bool((model.bert.embeddings.word_embeddings.weight[0] == 0).all())


def test_vit_statistics():
    model, config = vit()
    GLOBAL.manual_seed(0)
    model.apply(partial(vit_init_weights, config=config))
    std = config.initializer_range
    e = model.vit.embeddings
    # trunc_normal_ with the default absolute bounds (-2, 2) cuts nothing at std 0.02.
    for p in (e.position_embeddings, e.cls_token):
        assert p.abs().max().item() < 10 * std
    assert check_normal(e.position_embeddings, std)
    assert check_normal(e.patch_embeddings.projection.weight, std)
    for name, p in model.named_parameters():
        if "layernorm" in name and name.endswith("weight"):
            assert bool((p == 1).all()), name
        elif name.endswith("bias"):
            assert bool((p == 0).all()), name


def test_vit_uses_normal_not_trunc_normal_for_linear():
    """HF 5.24's ViT draws Linear weights with normal_ (the base recipe), not
    trunc_normal_: the same seed gives normal_'s draws exactly."""
    model, config = vit()
    GLOBAL.manual_seed(3)
    layer = model.classifier
    model._init_weights(layer)
    GLOBAL.manual_seed(3)
    expected = torch.empty_like(layer.weight).normal_(0.0, config.initializer_range)
    assert torch.equal(layer.weight, expected)


def test_check_catches_a_wrong_vit_std():
    model, config = vit()
    wrong = copy.deepcopy(config)
    wrong.initializer_range = 0.01
    GLOBAL.manual_seed(0)
    model.apply(partial(vit_init_weights, config=wrong))
    assert not check_normal(model.vit.embeddings.position_embeddings, config.initializer_range)
    theirs = copy.deepcopy(model)
    GLOBAL.manual_seed(0)
    theirs.apply(theirs._init_weights)
    assert not torch.equal(theirs.vit.embeddings.cls_token, model.vit.embeddings.cls_token)
