"""The init recipes of GPT-2, BERT and ViT from scratch, for docs/init/architectures.md.

Each function has the shape of the Hugging Face method it mirrors, ``_init_weights(self,
module)`` of ``GPT2PreTrainedModel``, ``BertPreTrainedModel`` and ``ViTPreTrainedModel``
(transformers 5.24.0, models/<name>/modeling_<name>.py), with the model's config passed
explicitly: ``fn(module, config)``. Like HF's, it initializes ``module``'s own parameters
only and is meant for ``model.apply(partial(fn, config=config))``, which visits every
module after its children, the order HF's ``initialize_weights`` uses. The config is the
HF config object or anything with the same attribute names (``initializer_range``,
``n_layer``).

``_hf_base_init`` mirrors ``PreTrainedModel._init_weights`` (modeling_utils.py), which all
three call first (HF takes its std as ``config.initializer_range or 0.02``; here the caller
passes it), for the modules these models contain: Linear and convolutions, nn.LSTM,
Embedding (with its padding row zeroed), nn.MultiheadAttention, and norms (matched like
HF: BatchNorm and GroupNorm by type, LayerNorm and RMSNorm by class name). Its rotary
embedding branch is left out: none of the three models has one. HF's own ``init.*``
functions skip a tensor flagged ``_is_hf_initialized`` (set while loading a checkpoint);
these never do, which is the same on a model built from a config.

HF's modules are matched by duck typing, since transformers is imported only by
tests/test_from_scratch_recipes.py: GPT-2's ``Conv1D`` by class name; ``GPT2Attention``
and ``GPT2MLP`` as the modules with a ``c_proj`` child; ``BertLMPredictionHead`` by class
name; ``BertEmbeddings`` and ``ViTEmbeddings`` by their attributes. A from-scratch model
that uses the same names gets the same recipe.
"""

import math

import torch
from torch import nn


# --8<-- [start:hf-base-init]
def _hf_base_init(module: nn.Module, std: float) -> None:
    """PreTrainedModel._init_weights: N(0, std^2) weights, zero biases, norms at (1, 0).

    HF computes std as ``config.initializer_range or 0.02``; the callers below pass
    ``config.initializer_range``, the same for any non-zero value."""
    conv_or_linear = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d,
                      nn.ConvTranspose1d, nn.ConvTranspose2d)
    name = type(module).__name__
    if isinstance(module, conv_or_linear):
        if getattr(module, "weight", None) is not None:
            nn.init.normal_(module.weight, mean=0.0, std=std)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.LSTM):
        for param_name, param in module.named_parameters():
            if "weight" in param_name:
                nn.init.xavier_uniform_(param)
            elif "bias" in param_name:
                nn.init.constant_(param, 0.0)
    elif isinstance(module, nn.Embedding):
        nn.init.normal_(module.weight, mean=0.0, std=std)
        if module.padding_idx is not None:
            with torch.no_grad():
                module.weight[module.padding_idx].zero_()  # the padding row: 0
    elif isinstance(module, nn.MultiheadAttention):
        module._reset_parameters()  # torch's own init
    elif (isinstance(module, (nn.GroupNorm, nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d))
          or "LayerNorm" in name or "RMSNorm" in name):
        if getattr(module, "weight", None) is not None:
            nn.init.ones_(module.weight)
        if getattr(module, "bias", None) is not None:
            nn.init.zeros_(module.bias)
        if getattr(module, "running_mean", None) is not None:
            nn.init.zeros_(module.running_mean)
            nn.init.ones_(module.running_var)
            nn.init.zeros_(module.num_batches_tracked)
# --8<-- [end:hf-base-init]


# --8<-- [start:gpt2-init]
def gpt2_init_weights(module: nn.Module, config) -> None:
    """GPT2PreTrainedModel._init_weights: N(0, 0.02^2) everywhere, then the residual
    projections c_proj again, at std 0.02 / sqrt(2 * n_layer)."""
    std = config.initializer_range
    _hf_base_init(module, std)
    if type(module).__name__ == "Conv1D":  # HF's x @ W layer, weight stored (in, out)
        nn.init.normal_(module.weight, mean=0.0, std=std)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    # GPT2Attention and GPT2MLP: the two residual branches of a block. apply() visits
    # them after their c_proj child, so this draw replaces the N(0, std^2) one.
    if isinstance(getattr(module, "c_proj", None), nn.Module):
        nn.init.normal_(module.c_proj.weight, mean=0.0,
                        std=std / math.sqrt(2 * config.n_layer))
# --8<-- [end:gpt2-init]


# --8<-- [start:bert-init]
def bert_init_weights(module: nn.Module, config) -> None:
    """BertPreTrainedModel._init_weights: the base recipe (no residual scaling), the
    MLM head's bias at 0, and BertEmbeddings' index buffers refilled."""
    _hf_base_init(module, config.initializer_range)
    if type(module).__name__ == "BertLMPredictionHead":
        nn.init.zeros_(module.bias)
    elif hasattr(module, "position_ids") and hasattr(module, "token_type_ids"):
        with torch.no_grad():  # BertEmbeddings: position ids 0, 1, 2, ...; types 0
            module.position_ids.copy_(
                torch.arange(module.position_ids.shape[-1]).expand((1, -1)))
            module.token_type_ids.zero_()
# --8<-- [end:bert-init]


# --8<-- [start:vit-init]
def vit_init_weights(module: nn.Module, config) -> None:
    """ViTPreTrainedModel._init_weights (transformers 5.24): N(0, 0.02^2) for Linear and the
    patch Conv2d, trunc_normal_(std=0.02) for the position embeddings and the [CLS]
    token, with torch's default bounds a=-2, b=2 (absolute: nothing is cut)."""
    std = config.initializer_range
    _hf_base_init(module, std)
    if hasattr(module, "cls_token") and hasattr(module, "position_embeddings"):
        if module.position_embeddings is not None:
            nn.init.trunc_normal_(module.position_embeddings, mean=0.0, std=std)
        nn.init.trunc_normal_(module.cls_token, mean=0.0, std=std)
        if getattr(module, "mask_token", None) is not None:
            nn.init.zeros_(module.mask_token)
# --8<-- [end:vit-init]
