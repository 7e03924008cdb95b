"""Examples for docs/init/architectures.md: the init recipes of current architectures."""

# --8<-- [start:setup]
import math
from functools import partial
from types import SimpleNamespace

import torch
import torch.nn.functional as F
from torch import nn

f64 = torch.float64  # every model on this page is built and initialized in float64


def stats(t):
    return f"std {t.std():.5f}"
# --8<-- [end:setup]

from snippets.from_scratch.recipes import (  # noqa: E402  (shown above)
    bert_init_weights,
    gpt2_init_weights,
    vit_init_weights,
)


# --8<-- [start:small-gpt]
# A small GPT-2 from scratch (nanoGPT's layout, HF's module names), pre-LayerNorm:
# x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)). Weights are nn.Linear, stored (out, in).
class CausalSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head = c.n_head
        self.c_attn = nn.Linear(c.n_embd, 3 * c.n_embd, dtype=f64)
        self.c_proj = nn.Linear(c.n_embd, c.n_embd, dtype=f64)  # residual projection

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
                   for t in self.c_attn(x).split(C, dim=2))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c.n_embd, 4 * c.n_embd, dtype=f64)
        self.c_proj = nn.Linear(4 * c.n_embd, c.n_embd, dtype=f64)  # residual projection

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(c.n_embd, dtype=f64), nn.LayerNorm(c.n_embd, dtype=f64)
        self.attn, self.mlp = CausalSelfAttention(c), MLP(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(c.vocab_size, c.n_embd, dtype=f64),
            wpe=nn.Embedding(c.block_size, c.n_embd, dtype=f64),
            h=nn.ModuleList(Block(c) for _ in range(c.n_layer)),
            ln_f=nn.LayerNorm(c.n_embd, dtype=f64)))
        self.lm_head = nn.Linear(c.n_embd, c.vocab_size, bias=False, dtype=f64)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying, nanoGPT's way

    def residual_stds(self, idx):
        """The std of the residual stream after the embeddings and after each block."""
        pos = torch.arange(idx.shape[1])
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)
        stds = [x.std().item()]
        for block in self.transformer.h:
            x = block(x)
            stds.append(x.std().item())
        return stds


config = SimpleNamespace(vocab_size=512, block_size=32, n_embd=64, n_head=4, n_layer=12,
                         initializer_range=0.02)
torch.manual_seed(0)
gpt = GPT(config).apply(partial(gpt2_init_weights, config=config))  # children first, like HF
# --8<-- [end:small-gpt]


# --8<-- [start:gpt2-param-stds]
def group(model, *suffixes):
    """All parameters whose name ends with one of the suffixes, flattened into one."""
    return torch.cat([p.flatten() for n, p in model.named_parameters() if n.endswith(suffixes)])


L = config.n_layer
print(f"0.02 / sqrt(2 * {L}) = {0.02 / math.sqrt(2 * L):.5f}")
#> 0.02 / sqrt(2 * 12) = 0.00408
for name, suffixes in [("wte (= lm_head)", ("wte.weight",)), ("wpe", ("wpe.weight",)),
                       ("attn.c_attn", ("c_attn.weight",)),
                       ("attn.c_proj", ("attn.c_proj.weight",)),
                       ("mlp.c_fc", ("c_fc.weight",)), ("mlp.c_proj", ("mlp.c_proj.weight",))]:
    print(f"{name:<16} {stats(group(gpt, *suffixes))}")
#> wte (= lm_head)  std 0.01992
#> wpe              std 0.02027
#> attn.c_attn      std 0.01997
#> attn.c_proj      std 0.00406
#> mlp.c_fc         std 0.01999
#> mlp.c_proj       std 0.00408
ln_weights, biases = group(gpt, "ln_1.weight", "ln_2.weight", "ln_f.weight"), group(gpt, "bias")
print(f"LayerNorm weights all 1: {bool((ln_weights == 1).all())}, "
      f"biases (Linear and LayerNorm) all 0: {bool((biases == 0).all())}")
#> LayerNorm weights all 1: True, biases (Linear and LayerNorm) all 0: True
# --8<-- [end:gpt2-param-stds]


# --8<-- [start:conv1d-layout]
# HF's GPT-2 uses Conv1D, an x @ W layer with W stored (in, out): c_fc's weight is
# (64, 256) there, (256, 64) in nn.Linear. torch reads fans from the shape, so they swap.
for layout, shape in [("nn.Linear (out, in)", (256, 64)), ("HF Conv1D (in, out)", (64, 256))]:
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    print(f"{layout}: shape {shape}, torch's fan_in {fan_in}, fan_out {fan_out}")
#> nn.Linear (out, in): shape (256, 64), torch's fan_in 64, fan_out 256
#> HF Conv1D (in, out): shape (64, 256), torch's fan_in 256, fan_out 64
# --8<-- [end:conv1d-layout]


# --8<-- [start:residual-growth]
# The same draws without the 1/sqrt(2L) step: multiply the c_proj weights back up.
unscaled = GPT(config)
unscaled.load_state_dict(gpt.state_dict())
with torch.no_grad():
    for n, p in unscaled.named_parameters():
        if n.endswith("c_proj.weight"):
            p.mul_(math.sqrt(2 * L))

idx = torch.randint(config.vocab_size, (4, config.block_size),
                    generator=torch.Generator().manual_seed(0))
with torch.no_grad():
    with_scaling, without = gpt.residual_stds(idx), unscaled.residual_stds(idx)
print("block  std (1/sqrt(2L))  std (plain 0.02)  (var_l - var_0) / l, plain")
#> block  std (1/sqrt(2L))  std (plain 0.02)  (var_l - var_0) / l, plain
for l in (0, 1, 2, 3, 6, 9, 12):
    growth = "" if l == 0 else f"{(without[l] ** 2 - without[0] ** 2) / l:.2e}"
    print(f"{l:>5}  {with_scaling[l]:>16.4f}  {without[l]:>16.4f}  {growth:>10}".rstrip())
#>     0            0.0284            0.0284
#>     1            0.0289            0.0393    7.40e-04
#>     2            0.0295            0.0491    8.01e-04
#>     3            0.0300            0.0555    7.56e-04
#>     6            0.0315            0.0733    7.61e-04
#>     9            0.0331            0.0889    7.88e-04
#>    12            0.0347            0.1045    8.43e-04
# What the 24 scaled branches add in all, against one plain branch (half a plain block):
print(f"scaled, all 24 branches: {with_scaling[L] ** 2 - with_scaling[0] ** 2:.1e}; "
      f"plain, one branch: {(without[L] ** 2 - without[0] ** 2) / (2 * L):.1e}")
#> scaled, all 24 branches: 4.0e-04; plain, one branch: 4.2e-04
# --8<-- [end:residual-growth]


# --8<-- [start:weight-tying]
print(gpt.lm_head.weight is gpt.transformer.wte.weight)
#> True
# One Parameter, listed once by parameters() (under its first name), twice in state_dict:
names = [n for n, _ in gpt.named_parameters()]
print("lm_head.weight" in names, "lm_head.weight" in gpt.state_dict(), len(names),
      len(gpt.state_dict()))
#> False True 148 149
tied_count = sum(p.numel() for p in gpt.parameters())
untied_count = tied_count + gpt.lm_head.weight.numel()  # a separate (512, 64) head
print(f"parameters: tied {tied_count:,}, untied {untied_count:,}")
#> parameters: tied 634,752, untied 667,520


# Which init wins? apply() visits wte (an Embedding) before lm_head (a Linear): both
# draw into the one shared matrix, and the last draw stays. A recipe where they differ:
def embeddings_at_1_linears_at_002(module):
    if isinstance(module, nn.Embedding):
        nn.init.normal_(module.weight, std=1.0)
    elif isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, std=0.02)


torch.manual_seed(0)
tied = GPT(config)
tied.apply(embeddings_at_1_linears_at_002)
print(f"tie, then init: std {tied.transformer.wte.weight.std():.3f}")
#> tie, then init: std 0.020
# HF's init_weights() does the opposite order: initialize the untied model, then tie
# (tie_weights sets lm_head.weight = wte.weight).
untied = GPT(config)
untied.lm_head.weight = nn.Parameter(torch.empty(512, 64, dtype=f64))  # untie
untied.apply(embeddings_at_1_linears_at_002)
untied.lm_head.weight = untied.transformer.wte.weight  # tie afterwards, HF's way
print(f"init, then tie: std {untied.lm_head.weight.std():.3f}")
#> init, then tie: std 0.998
# --8<-- [end:weight-tying]


# --8<-- [start:bert]
# torch's defaults first: nn.Embedding draws N(0, 1) and zeroes the padding row;
# nn.Linear draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)), std 1/sqrt(3 fan_in).
torch.manual_seed(0)
emb = nn.Embedding(1000, 64, padding_idx=0, dtype=f64)
lin = nn.Linear(64, 64, dtype=f64)
print(f"default Embedding: {stats(emb.weight[1:])}, padding row 0: "
      f"{bool((emb.weight[0] == 0).all())}")
#> default Embedding: std 1.00353, padding row 0: True
print(f"default Linear:    std {lin.weight.std():.4f} (1/sqrt(3 * 64) = "
      f"{1 / math.sqrt(3 * 64):.4f}), bias max |b| {lin.bias.abs().max():.3f}")
#> default Linear:    std 0.0724 (1/sqrt(3 * 64) = 0.0722), bias max |b| 0.123


# A BERT-like embedding + encoder layer from scratch, BERT's names.
class BertLike(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size,
                                            padding_idx=c.pad_token_id, dtype=f64)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size,
                                                dtype=f64)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, dtype=f64)
        self.query = nn.Linear(c.hidden_size, c.hidden_size, dtype=f64)
        self.output_dense = nn.Linear(4 * c.hidden_size, c.hidden_size, dtype=f64)


bert_config = SimpleNamespace(vocab_size=1000, hidden_size=64, max_position_embeddings=128,
                              pad_token_id=0, initializer_range=0.02)
bert = BertLike(bert_config)
bert.apply(partial(bert_init_weights, config=bert_config))
w = bert.word_embeddings.weight
print(f"word_embeddings: {stats(w[1:])}, padding row 0: {bool((w[0] == 0).all())}")
#> word_embeddings: std 0.01992, padding row 0: True
print(f"position_embeddings: {stats(bert.position_embeddings.weight)}")
#> position_embeddings: std 0.02012
print(f"query: {stats(bert.query.weight)}, output_dense: {stats(bert.output_dense.weight)}")
#> query: std 0.02044, output_dense: std 0.01996
print("biases 0:", bool((bert.query.bias == 0).all() & (bert.output_dense.bias == 0).all()),
      " LayerNorm (1, 0):", bool((bert.LayerNorm.weight == 1).all()
                                 & (bert.LayerNorm.bias == 0).all()))
#> biases 0: True  LayerNorm (1, 0): True
# At BERT-base's width 768, 0.02 is below 1/sqrt(768): each Linear shrinks the variance,
# and the LayerNorm after it restores the scale.
d = 768
print(f"1/sqrt({d}) = {1 / math.sqrt(d):.4f}; 0.02 is {0.02 * math.sqrt(d):.2f} of it; "
      f"variance factor of one Linear {d} * 0.02^2 = {d * 0.02 ** 2:.2f}")
#> 1/sqrt(768) = 0.0361; 0.02 is 0.55 of it; variance factor of one Linear 768 * 0.02^2 = 0.31
g = torch.Generator().manual_seed(0)
h = torch.randn(256, d, generator=g, dtype=f64)
dense = nn.Linear(d, d, dtype=f64)
nn.init.normal_(dense.weight, std=0.02, generator=g)
nn.init.zeros_(dense.bias)
with torch.no_grad():
    out = dense(h)
    normed = F.layer_norm(out, (d,))
print(f"var in {h.var():.3f}, after the Linear {out.var():.3f}, after LayerNorm {normed.var():.3f}")
#> var in 1.000, after the Linear 0.308, after LayerNorm 1.000
# The factor is per input: the feed-forward output Linear has 3072 inputs.
print(f"Linear 3072 -> 768: 3072 * 0.02^2 = {3072 * 0.02 ** 2:.2f}")
#> Linear 3072 -> 768: 3072 * 0.02^2 = 1.23
# --8<-- [end:bert]


# --8<-- [start:vit-trunc-normal]
# trunc_normal_(std=0.02) with its default bounds a=-2, b=2, which are absolute values:
std = 0.02
g = torch.Generator().manual_seed(0)
w = nn.init.trunc_normal_(torch.empty(10**6, dtype=f64), std=std, generator=g)
normal_tail = math.erfc(2 / math.sqrt(2))  # P(|z| > 2) for a normal z: 0.0455
print(f"max |w| / std {w.abs().max() / std:.2f}; beyond 2 std: "
      f"{(w.abs() > 2 * std).double().mean():.4f} (a normal: {normal_tail:.4f})")
#> max |w| / std 4.96; beyond 2 std: 0.0453 (a normal: 0.0455)
# Cut at two standard deviations: a=-2*std, b=2*std. The std of a standard normal cut
# to [-2, 2] is sqrt(1 - 2 * 2 * phi(2) / (Phi(2) - Phi(-2))):
phi2 = math.exp(-2) / math.sqrt(2 * math.pi)
kept = 1 - normal_tail  # Phi(2) - Phi(-2)
shrink = math.sqrt(1 - 4 * phi2 / kept)
cut = nn.init.trunc_normal_(torch.empty(10**6, dtype=f64), std=std, a=-2 * std,
                            b=2 * std, generator=g)
print(f"cut at 2 std: all |w| <= 2 std {bool((cut.abs() <= 2 * std).all())}; std / 0.02: measured "
      f"{cut.std() / std:.4f}, formula {shrink:.4f}")
#> cut at 2 std: all |w| <= 2 std True; std / 0.02: measured 0.8797, formula 0.8796
print(f"variance of a standard normal cut to [-2, 2]: {shrink ** 2:.4f}")
#> variance of a standard normal cut to [-2, 2]: 0.7737
# For a std of 0.02 after the cut, ask for 0.02 / 0.8796 and scale the bounds with it:
wide = std / shrink
fixed = nn.init.trunc_normal_(torch.empty(10**6, dtype=f64), std=wide, a=-2 * wide,
                              b=2 * wide, generator=g)
print(f"std=0.02/{shrink:.4f}, cut at 2 of those: std {fixed.std():.5f}")
#> std=0.02/0.8796, cut at 2 of those: std 0.01999
# --8<-- [end:vit-trunc-normal]


# --8<-- [start:lecun-normal]
# timm's trunc_normal_tf_ cuts a standard normal at a, b (so: in units of std), then
# scales; its lecun_normal_ asks for std sqrt(1 / fan_in) / .87962566103423978.
def trunc_normal_tf_(tensor, std, a=-2.0, b=2.0, generator=None):
    nn.init.trunc_normal_(tensor, std=1.0, a=a, b=b, generator=generator)
    return tensor.mul_(std)


def lecun_normal_(tensor, generator=None):
    fan_in, _ = nn.init._calculate_fan_in_and_fan_out(tensor)
    return trunc_normal_tf_(tensor, std=math.sqrt(1 / fan_in) / 0.87962566103423978,
                            generator=generator)


print("timm's constant is the shrink factor above:", abs(shrink - 0.87962566103423978) < 1e-12)
#> timm's constant is the shrink factor above: True
g = torch.Generator().manual_seed(0)
# The patch projection of ViT-B/16: Conv2d(3, 768, 16, stride=16), fan_in 3 * 16 * 16 = 768.
torch.manual_seed(0)
proj = nn.Conv2d(3, 768, 16, stride=16, dtype=f64)  # torch's kaiming_uniform_(a=sqrt(5))
target = 1 / math.sqrt(3 * 16 * 16)
hf_proj = nn.init.normal_(torch.empty_like(proj.weight), std=0.02, generator=g)
jax_proj = lecun_normal_(torch.empty_like(proj.weight), generator=g)
for name, w in [("timm default (torch's own)", proj.weight), ("HF N(0, 0.02^2)", hf_proj),
                ("JAX / timm 'jax' lecun_normal", jax_proj)]:
    print(f"{name:<30} std {w.std():.4f}  max |w| / std {w.abs().max() / w.std():.2f}")
#> timm default (torch's own)     std 0.0208  max |w| / std 1.73
#> HF N(0, 0.02^2)                std 0.0200  max |w| / std 4.96
#> JAX / timm 'jax' lecun_normal  std 0.0361  max |w| / std 2.27
print(f"1/sqrt(fan_in) = {target:.4f}, 1/sqrt(3 fan_in) = {target / math.sqrt(3):.4f}")
#> 1/sqrt(fan_in) = 0.0361, 1/sqrt(3 fan_in) = 0.0208
# --8<-- [end:lecun-normal]


# --8<-- [start:vit-init]
# A ViT embedding from scratch, HF's names: patch projection, [CLS] token, positions.
class ViTEmbeddingsLike(nn.Module):
    def __init__(self, c):
        super().__init__()
        num_patches = (c.image_size // c.patch_size) ** 2
        self.cls_token = nn.Parameter(torch.randn(1, 1, c.hidden_size, dtype=f64))
        self.position_embeddings = nn.Parameter(
            torch.randn(1, num_patches + 1, c.hidden_size, dtype=f64))
        self.projection = nn.Conv2d(3, c.hidden_size, c.patch_size, stride=c.patch_size,
                                    dtype=f64)


vit_config = SimpleNamespace(image_size=64, patch_size=4, hidden_size=64,
                             initializer_range=0.02)
torch.manual_seed(0)
emb = ViTEmbeddingsLike(vit_config)
emb.apply(partial(vit_init_weights, config=vit_config))
for name, p in [("position_embeddings", emb.position_embeddings),
                ("projection.weight", emb.projection.weight)]:
    print(f"{name:<19} {stats(p)}  max |w| / 0.02 {p.abs().max() / 0.02:.2f}")
#> position_embeddings std 0.02005  max |w| / 0.02 4.19
#> projection.weight   std 0.01985  max |w| / 0.02 3.77
print(f"cls_token std {emb.cls_token.std():.4f} (64 values), projection bias 0: "
      f"{bool((emb.projection.bias == 0).all())}")
#> cls_token std 0.0212 (64 values), projection bias 0: True
# --8<-- [end:vit-init]


# --8<-- [start:zero-init-residual]
# torchvision's BasicBlock, from scratch: conv-BN-ReLU-conv-BN, plus the shortcut, ReLU.
class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False, dtype=f64)
        self.bn1 = nn.BatchNorm2d(planes, dtype=f64)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False, dtype=f64)
        self.bn2 = nn.BatchNorm2d(planes, dtype=f64)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + identity)


def resnet_init(model, zero_init_residual):
    """torchvision's ResNet.__init__ loops, for BasicBlock only (Bottleneck and its bn3
    are left out: the model below has none)."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)
    if zero_init_residual:
        for m in model.modules():
            if isinstance(m, BasicBlock) and m.bn2.weight is not None:
                nn.init.constant_(m.bn2.weight, 0)


x = F.relu(torch.randn(8, 16, 8, 8, generator=torch.Generator().manual_seed(0), dtype=f64))
stds = {}
for zero in (False, True):
    torch.manual_seed(0)
    stack = nn.Sequential(*(BasicBlock(16, 16) for _ in range(16)))
    resnet_init(stack, zero_init_residual=zero)
    h, stds[zero] = x, {}
    with torch.no_grad():
        for i, block in enumerate(stack, start=1):
            h = block(h)  # training mode: BatchNorm uses the batch statistics
            stds[zero][i] = h.std().item()
print("block  std, zero_init_residual=False  std, True")
#> block  std, zero_init_residual=False  std, True
for i in (1, 2, 4, 8, 16):
    print(f"{i:>5}  {stds[False][i]:>28.3f}  {stds[True][i]:>9.3f}")
#>     1                         0.822      0.576
#>     2                         1.053      0.576
#>     4                         1.344      0.576
#>     8                         1.852      0.576
#>    16                         2.493      0.576
print(f"input std {x.std():.3f}; each block returns its input:", torch.equal(stack[0](x), x),
      "(x >= 0, as after a ReLU)")
#> input std 0.576; each block returns its input: True (x >= 0, as after a ReLU)
# --8<-- [end:zero-init-residual]


# --8<-- [start:zero-init-residual-limits]
# A downsampling block: its shortcut is conv1x1 + BN, not the identity.
down = BasicBlock(16, 32, stride=2, downsample=nn.Sequential(
    nn.Conv2d(16, 32, 1, stride=2, bias=False, dtype=f64), nn.BatchNorm2d(32, dtype=f64)))
resnet_init(down, zero_init_residual=True)
print(tuple(down(x).shape), torch.equal(down(x), F.relu(down.downsample(x))))
#> (8, 32, 4, 4) True
# At the first step only bn2 (weight and bias) gets a gradient in the branch: conv2 and
# everything before it sees a factor bn2.weight = 0.
block = stack[0]
block(x).square().mean().backward()
for name, p in block.named_parameters():
    grad = "all 0" if (p.grad == 0).all() else f"max |grad| {p.grad.abs().max():.4f}"
    print(f"{name:<13} {grad}")
#> conv1.weight  all 0
#> bn1.weight    all 0
#> bn1.bias      all 0
#> conv2.weight  all 0
#> bn2.weight    max |grad| 0.0112
#> bn2.bias      max |grad| 0.0555
# --8<-- [end:zero-init-residual-limits]


# --8<-- [start:log-prior-bias]
# 10 classes with a long-tailed prior; 10,000 labels drawn from it.
prior = torch.tensor([0.5, 0.2, 0.1, 0.06, 0.04, 0.03, 0.03, 0.02, 0.01, 0.01], dtype=f64)
g = torch.Generator().manual_seed(0)
labels = torch.multinomial(prior, 10_000, replacement=True, generator=g)
features = torch.randn(10_000, 64, generator=g, dtype=f64)
head = nn.Linear(64, 10, dtype=f64)
nn.init.normal_(head.weight, std=0.01, generator=g)  # small weights: logits ~ bias
entropy = -(prior * prior.log()).sum()
print(f"ln C = {math.log(10):.4f}, entropy of the prior H(pi) = {entropy:.4f}")
#> ln C = 2.3026, entropy of the prior H(pi) = 1.5770
for name, bias in [("0", torch.zeros(10, dtype=f64)), ("log pi", prior.log()),
                   ("log pi + 5", prior.log() + 5)]:
    with torch.no_grad():
        head.bias.copy_(bias)
        loss = F.cross_entropy(head(features), labels)
        expected = F.cross_entropy(bias.unsqueeze(0), prior.unsqueeze(0))  # E_y~pi, W = 0
    print(f"bias {name:<10}: loss {loss:.3f}  (expected under the prior {expected:.4f})")
#> bias 0         : loss 2.305  (expected under the prior 2.3026)
#> bias log pi    : loss 1.591  (expected under the prior 1.5770)
#> bias log pi + 5: loss 1.591  (expected under the prior 1.5770)
# The sigmoid version (RetinaNet): one logit per class, b = -log((1 - pi) / pi).
pi = 0.01
for b in (0.0, -math.log((1 - pi) / pi)):
    expected = F.binary_cross_entropy_with_logits(torch.tensor([b], dtype=f64),
                                                  torch.tensor([pi], dtype=f64))
    print(f"b {b:+.3f}: sigmoid(b) {torch.sigmoid(torch.tensor(b)):.3f}, "
          f"expected BCE {expected:.4f}")
#> b +0.000: sigmoid(b) 0.500, expected BCE 0.6931
#> b -4.595: sigmoid(b) 0.010, expected BCE 0.0560
# --8<-- [end:log-prior-bias]


# --8<-- [start:lstm-forget-bias]
hidden = 16
torch.manual_seed(0)
lstm = nn.LSTM(8, hidden, dtype=f64)
print(tuple(lstm.weight_ih_l0.shape), tuple(lstm.bias_ih_l0.shape),
      tuple(lstm.bias_hh_l0.shape))
#> (64, 8) (64,) (64,)
f_slice = slice(hidden, 2 * hidden)  # gates (i, f, g, o): the forget gate is the 2nd
x = torch.randn(1, 256, 8, generator=torch.Generator().manual_seed(0), dtype=f64)


def gates(lstm, x_t, h):
    """One step of layer 0: sigmoid/tanh of the 4 gate blocks, in the order (i, f, g, o)."""
    pre = (x_t @ lstm.weight_ih_l0.T + lstm.bias_ih_l0
           + h @ lstm.weight_hh_l0.T + lstm.bias_hh_l0)
    i, f, g, o = pre.chunk(4, dim=1)
    return torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)


def first_step_gates(lstm, x):
    """The gates of the first step, from h0 = 0."""
    return gates(lstm, x[0], torch.zeros(x.shape[1], hidden, dtype=f64))


# The order is (i, f, g, o): two steps rebuilt from these gates give nn.LSTM's h.
# The first starts from c0 = 0, where f * c0 = 0 whatever f is; the second has c != 0.
seq = torch.randn(2, 256, 8, generator=torch.Generator().manual_seed(1), dtype=f64)
with torch.no_grad():
    h = c = torch.zeros(256, hidden, dtype=f64)
    for t in range(2):
        i, f, g, o = gates(lstm, seq[t], h)
        c = f * c + i * g
        h = o * torch.tanh(c)
        print(f"step {t + 1}: h equals nn.LSTM's {torch.allclose(h, lstm(seq)[0][t])}")
    i, f, g, o = first_step_gates(lstm, x)
#> step 1: h equals nn.LSTM's True
#> step 2: h equals nn.LSTM's True
print(f"default init: forget gate mean {f.mean():.3f}")
#> default init: forget gate mean 0.526


def set_forget_bias(lstm, value):
    """Forget-gate bias `value` in total: bias_ih's slice at value, bias_hh's at 0."""
    with torch.no_grad():
        for name, p in lstm.named_parameters():
            if name.startswith("bias_ih"):
                p[f_slice] = value
            elif name.startswith("bias_hh"):
                p[f_slice] = 0.0


with torch.no_grad():
    lstm.bias_ih_l0[f_slice] = 1.0
    lstm.bias_hh_l0[f_slice] = 1.0  # both set to 1: the two biases add up
    total = (lstm.bias_ih_l0 + lstm.bias_hh_l0)[f_slice]
    print(f"both biases at 1: b_f = {total.min():.1f}, forget gate mean "
          f"{first_step_gates(lstm, x)[1].mean():.3f}")
    set_forget_bias(lstm, 1.0)
    print(f"b_f = 1 in total: forget gate mean {first_step_gates(lstm, x)[1].mean():.3f}, "
          f"sigmoid(1) = {torch.sigmoid(torch.tensor(1.0)):.3f}")
#> both biases at 1: b_f = 2.0, forget gate mean 0.874
#> b_f = 1 in total: forget gate mean 0.724, sigmoid(1) = 0.731
# GRU: 3 gate blocks (r, z, n), h' = (1 - z) * n + z * h. No forget gate: z keeps h.
gru = nn.GRU(8, hidden, dtype=f64)
print(tuple(gru.weight_ih_l0.shape))
#> (48, 8)
h0 = torch.randn(1, 256, hidden, generator=torch.Generator().manual_seed(1), dtype=f64)
with torch.no_grad():
    gi = x[0] @ gru.weight_ih_l0.T + gru.bias_ih_l0
    gh = h0[0] @ gru.weight_hh_l0.T + gru.bias_hh_l0
    (i_r, i_z, i_n), (h_r, h_z, h_n) = gi.chunk(3, 1), gh.chunk(3, 1)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    print(torch.allclose((1 - z) * n + z * h0[0], gru(x, h0)[0][0]))
#> True
# --8<-- [end:lstm-forget-bias]
