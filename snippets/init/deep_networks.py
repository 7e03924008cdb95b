"""Examples for docs/init/deep_networks.md: residual streams, LayerNorm, LSUV, zero-init
residual branches (Fixup, ReZero, LayerScale) and muP's coordinate check.

The page starts with the set-up of the 100-layer experiment (snippets/init/experiment.py:
WIDTH 256, DEPTH 100, BATCH 16, float64, `MLP`) and its stream set-up (`kaiming_mlp`,
`stream`, `VARIANTS`, `F`, `f64`); everything here continues from them. snippets/figures.py
(`init_std_residual_layernorm`) draws its figure from the very same `kaiming_mlp` and
`stream`, so the printed numbers and the plotted curves are one experiment.
"""

import math
import torch
from torch import nn

# Shown on the page from snippets/init/experiment.py (its setup and stream-setup blocks):
from snippets.init.experiment import BATCH, DEPTH, MLP, VARIANTS, WIDTH, F, f64, kaiming_mlp, stream

# --8<-- [start:residual-stream]
model, x = kaiming_mlp()
with torch.no_grad():  # every variant once; the blocks below read these stds
    streams = {name: stream(model, x, kind, scale)[1] for name, (kind, scale) in VARIANTS.items()}
blocks = (1, 10, 50, 100)
print(f"{'':>20} {'block 1':>9} {'10':>9} {'50':>9} {'100':>9}")
#>                        block 1        10        50       100
for name in ("plain, Kaiming", "residual, Kaiming", "residual, 1/sqrt(L)"):
    print(f"{name:>20}", *(f"{streams[name][b - 1]:9.4g}" for b in blocks))
#>       plain, Kaiming    0.8149    0.4988     0.268    0.1667
#>    residual, Kaiming     1.409     27.75 2.067e+07 7.758e+14
#>  residual, 1/sqrt(L)    0.9945     1.038     1.296      1.72
# --8<-- [end:residual-stream]

# --8<-- [start:growth-formula]
# Var(x_{l+1}) = Var(x_l) (1 + c): each block multiplies the variance by 1 + c, where
# c = E[f(x)^2] / E[x^2] is the branch's relative variance. Kaiming W on relu(x) gives
# c = 1 in expectation; a branch scaled by s gives c = s^2. So std_l = std_0 (1 + c)^(l/2).
print(f"input std {x.std():.4f}")
#> input std 0.9907
for name, c in (("residual, Kaiming", 1.0), ("residual, 1/sqrt(L)", 1 / DEPTH)):
    print(f"{name:>20} predicted", *(f"{x.std() * (1 + c) ** (b / 2):9.4g}" for b in blocks))
    print(f"{'':>20}  measured", *(f"{streams[name][b - 1]:9.4g}" for b in blocks))
#>    residual, Kaiming predicted     1.401      31.7 3.324e+07 1.115e+15
#>                       measured     1.409     27.75 2.067e+07 7.758e+14
#>  residual, 1/sqrt(L) predicted    0.9956     1.041      1.27     1.629
#>                       measured    0.9945     1.038     1.296      1.72
# The c of each block, measured: one draw of 100 numbers around 1. E[x_{l+1}^2] is exactly
# E[x_l^2] (1 + c + 2 E[x_l f(x_l)] / E[x_l^2]); the last term is the cross term.
with torch.no_grad():
    h, cs, cross = x, [], []
    for layer in model.layers:
        fh = layer(F.relu(h))
        cs.append((fh.pow(2).mean() / h.pow(2).mean()).item())
        cross.append((2 * (h * fh).mean() / h.pow(2).mean()).item())
        h = h + fh
cs, cross = torch.tensor(cs, dtype=f64), torch.tensor(cross, dtype=f64)
product = x.std() * (1 + cs).prod().sqrt()
print(f"measured c: mean {cs.mean():.3f}, min {cs.min():.3f}, max {cs.max():.3f}; "
      f"std_0 * prod(1 + c) ** 0.5 = {product:.4g}")
#> measured c: mean 0.989, min 0.747, max 1.427; std_0 * prod(1 + c) ** 0.5 = 7.558e+14
with_cross = ((1 + cs + cross) / (1 + cs)).prod().sqrt()
std_not_rms = (h.std() / h.pow(2).mean().sqrt()) / (x.std() / x.pow(2).mean().sqrt())
print(f"x {with_cross:.3f} (cross terms) x {std_not_rms:.3f} (std, not root mean square) "
      f"= {product * with_cross * std_not_rms:.4g}, measured {h.std():.4g}")
#> x 1.036 (cross terms) x 0.991 (std, not root mean square) = 7.758e+14, measured 7.758e+14
# --8<-- [end:growth-formula]

# --8<-- [start:layernorm-std]
# Pre-LN: the branch sees LN(x), so it adds a variance of about 1 whatever the stream's:
# Var(x_l) = Var(x_0) + l, linear growth. Post-LN: every block ends with a LayerNorm.
for name in ("pre-LN residual", "post-LN residual"):
    print(f"{name:>17}", *(f"{streams[name][b - 1]:7.4f}" for b in blocks))
#>   pre-LN residual  1.4128  3.2722  7.2889 10.6015
#>  post-LN residual  1.0001  1.0001  1.0001  1.0001
print("pre-LN predicted ", *(f"{math.sqrt(x.var() + b):7.4f}" for b in blocks))
#> pre-LN predicted   1.4076  3.3138  7.1401 10.0490
# --8<-- [end:layernorm-std]

# --8<-- [start:layernorm-gradients]
# Loss: a fixed random linear read-out of the last block's output (pre-LN nets end with a
# final LayerNorm, like GPT-2's ln_f; the loss reads its output). The gradient of each W:
probe = torch.randn(BATCH, WIDTH, dtype=f64, generator=torch.Generator().manual_seed(1))
last = {}  # the last block's |grad W|, for the next block
for name in ("residual, 1/sqrt(L)", "pre-LN residual", "post-LN residual"):
    kind, scale = VARIANTS[name]
    model.zero_grad()
    out, _ = stream(model, x, kind, scale)
    if kind == "pre-LN":
        out = F.layer_norm(out, (WIDTH,))
    (out * probe).sum().backward()
    norms = [model.layers[b - 1].weight.grad.norm().item() for b in blocks]
    last[name] = norms[-1]
    print(f"{name:>19}: |grad W|", *(f"{n:6.1f}" for n in norms),
          f" first / last {norms[0] / norms[-1]:.2f}")
#> residual, 1/sqrt(L): |grad W|  120.2  119.6  117.3  124.7  first / last 0.96
#>     pre-LN residual: |grad W|  542.0  223.1   96.1   68.8  first / last 7.88
#>    post-LN residual: |grad W|  414.0  411.3  598.9  543.6  first / last 0.76
# Pre-LN, backwards: block l's branch sees x_{l-1} / std(x_{l-1}) with Var(x_{l-1}) ~ l, so
# it multiplies the gradient's variance by 1 + 1/l; at block l it is (L + 1) / (l + 1)
# times the last block's.
print(f"{'pre-LN predicted':>19}: ratio to the last",
      *(f"{math.sqrt((DEPTH + 1) / (b + 1)):.2f}" for b in blocks))
#>    pre-LN predicted: ratio to the last 7.11 3.03 1.41 1.00
# --8<-- [end:layernorm-gradients]

# --8<-- [start:pre-ln-last-layer]
# Xiong et al. (2020, theorem 1) bound the last layer's gradient: O(d sqrt(ln d)) for
# post-LN, O(d sqrt(ln d / L)) for pre-LN. Here: the last block's |grad W| at L = 25 blocks
# (the first 25 of the same weights), and at L = 100 from the block above.
row = {}
for kind in ("pre-LN", "post-LN"):
    model.zero_grad()
    h = x
    for layer in model.layers[:25]:
        h = h + layer(F.relu(F.layer_norm(h, (WIDTH,)))) if kind == "pre-LN" else (
            F.layer_norm(h + layer(F.relu(h)), (WIDTH,)))
    if kind == "pre-LN":
        h = F.layer_norm(h, (WIDTH,))
    (h * probe).sum().backward()
    row[kind] = model.layers[24].weight.grad.norm().item()
for depth, pre, post in ((25, row["pre-LN"], row["post-LN"]),
                         (100, last["pre-LN residual"], last["post-LN residual"])):
    print(f"L = {depth:>3}: last block |grad W| pre-LN {pre:6.1f}, post-LN {post:6.1f}, "
          f"post-LN / pre-LN {post / pre:.1f}")
#> L =  25: last block |grad W| pre-LN  148.0, post-LN  497.0, post-LN / pre-LN 3.4
#> L = 100: last block |grad W| pre-LN   68.8, post-LN  543.6, post-LN / pre-LN 7.9
# --8<-- [end:pre-ln-last-layer]

# --8<-- [start:lsuv]
def lsuv(model, x, activation, tol=0.1, max_iter=10):
    """LSUV (Mishkin & Matas 2016, algorithm 1), after an orthogonal init: layer by layer
    on the batch x, divide W by the std of the layer's output until that output's variance
    is within tol of 1, at most max_iter times. Returns the rescalings of each layer."""
    rescalings = []
    with torch.no_grad():
        for layer in model.layers:
            for i in range(max_iter + 1):
                var = layer(x).var()
                if abs(var - 1) < tol or i == max_iter:
                    break
                layer.weight /= var.sqrt()
            rescalings.append(i)
            x = activation(layer(x))
    return rescalings


def pre_activation_stds(model, x, activation):
    """The std of every layer's output, before its activation."""
    stds = []
    with torch.no_grad():
        for layer in model.layers:
            h = layer(x)
            stds.append(h.std().item())
            x = activation(h)
    return stds


torch.manual_seed(0)
net = MLP()
for layer in net.layers:
    nn.init.orthogonal_(layer.weight)  # step 1 of LSUV
orthogonal = {name: w.clone() for name, w in net.state_dict().items()}  # to start again
# --8<-- [end:lsuv]

# --8<-- [start:lsuv-run]
batch, other = torch.randn(2, BATCH, WIDTH, dtype=f64)  # calibrate on one, check on the other
for activation in (nn.Tanh(), nn.ReLU()):
    name = type(activation).__name__
    net.load_state_dict(orthogonal)
    before = pre_activation_stds(net, batch, activation)
    rescalings = lsuv(net, batch, activation)
    after = pre_activation_stds(net, batch, activation)
    second = torch.tensor(pre_activation_stds(net, other, activation), dtype=f64)
    print(f"{name}: orthogonal  ", *(f"{before[b - 1]:9.3g}" for b in blocks))
    print(f"{name}: after LSUV  ", *(f"{after[b - 1]:9.4f}" for b in blocks))
    counts = {i: rescalings.count(i) for i in sorted(set(rescalings))}
    print(f"{name}: rescalings per layer {counts}")
    print(f"{name}: second batch: layer 100 {second[-1]:.4f}, layers 1-100 "
          f"from {second.min():.4f} to {second.max():.4f}")
#> Tanh: orthogonal       0.991     0.241     0.102    0.0718
#> Tanh: after LSUV      0.9907    1.0000    1.0000    1.0000
#> Tanh: rescalings per layer {0: 1, 1: 99}
#> Tanh: second batch: layer 100 1.0013, layers 1-100 from 0.9862 to 1.0134
#> ReLU: orthogonal       0.991    0.0393   2.9e-08  4.92e-16
#> ReLU: after LSUV      0.9907    1.0000    1.0000    1.0000
#> ReLU: rescalings per layer {0: 1, 1: 99}
#> ReLU: second batch: layer 100 1.0431, layers 1-100 from 0.9846 to 1.0431
# ReLU halves the second moment on average, 99 times from layer 1 to layer 100:
print(f"ReLU, orthogonal: predicted at layer 100 {before[0]:.4f} * 2 ** -49.5 = "
      f"{before[0] * 2 ** -49.5:.2g}")
#> ReLU, orthogonal: predicted at layer 100 0.9907 * 2 ** -49.5 = 1.2e-15
# --8<-- [end:lsuv-run]

# --8<-- [start:lsuv-limits]
# 1. A small batch: calibrate on 1 sample, then look at 64 new ones.
torch.manual_seed(1)
one, new = torch.randn(1, WIDTH, dtype=f64), torch.randn(64, WIDTH, dtype=f64)
for activation in (nn.Tanh(), nn.ReLU()):
    net.load_state_dict(orthogonal)
    lsuv(net, one, activation)
    stds = torch.tensor(pre_activation_stds(net, new, activation), dtype=f64)
    print(f"{type(activation).__name__}, calibrated on 1 sample: 64 new ones at layer "
          f"100 {stds[-1]:.4f} (layers from {stds.min():.4f} to {stds.max():.4f})")
#> Tanh, calibrated on 1 sample: 64 new ones at layer 100 0.9997 (layers from 0.9447 to 1.0453)
#> ReLU, calibrated on 1 sample: 64 new ones at layer 100 0.7477 (layers from 0.7377 to 0.9447)
# 2. The data shift: inputs with std 3 instead of the calibration batch's 1.
for activation in (nn.Tanh(), nn.ReLU()):
    net.load_state_dict(orthogonal)
    lsuv(net, new, activation)
    stds = pre_activation_stds(net, 3 * new, activation)
    print(f"{type(activation).__name__}, inputs x 3: layer 1 {stds[0]:.4f}, "
          f"layer 100 {stds[-1]:.4f}")
#> Tanh, inputs x 3: layer 1 2.9959, layer 100 1.0003
#> ReLU, inputs x 3: layer 1 2.9959, layer 100 3.0000
# 3. BatchNorm right after the layer (training mode) undoes any scale LSUV sets, in the
# forward pass. Not in training: the gradient of W shrinks like 1 / a when W is a times
# larger, so the relative step |grad W| / |W| (per unit of learning rate) like 1 / a^2.
bn = nn.BatchNorm1d(WIDTH, dtype=f64)
bn_probe = torch.randn(64, WIDTH, dtype=f64, generator=torch.Generator().manual_seed(2))
outputs = []
for a in (1.0, 3.0):
    w = (a * net.layers[0].weight).detach().requires_grad_()
    outputs.append(bn(new @ w.T))
    (outputs[-1] * bn_probe).sum().backward()
    print(f"W x {a:g}: |grad W| {w.grad.norm():6.1f}, |grad W| / |W| {w.grad.norm() / w.norm():5.1f}")
#> W x 1: |grad W| 2028.1, |grad W| / |W| 126.8
#> W x 3: |grad W|  676.0, |grad W| / |W|  14.1
print("BatchNorm(3 h) == BatchNorm(h):", (outputs[1] - outputs[0]).abs().max().item() < 1e-4)
#> BatchNorm(3 h) == BatchNorm(h): True
# --8<-- [end:lsuv-limits]

# --8<-- [start:rezero]
class ReZeroBlock(nn.Module):
    """x + alpha * f(x) with a learnable scalar alpha, initialized to 0."""

    def __init__(self, width):
        super().__init__()
        self.fc1 = nn.Linear(width, width, dtype=f64)
        self.fc2 = nn.Linear(width, width, dtype=f64)
        self.alpha = nn.Parameter(torch.zeros((), dtype=f64))

    def forward(self, x):
        return x + self.alpha * self.fc2(F.relu(self.fc1(x)))


torch.manual_seed(0)
blocks = nn.Sequential(*(ReZeroBlock(64) for _ in range(8)))
xs = torch.randn(32, 64, dtype=f64)
out = blocks(xs)
print("identity at init:", torch.equal(out, xs))
#> identity at init: True
readout = torch.randn(32, 64, dtype=f64)  # one fixed read-out for both backward passes
(out * readout).sum().backward()
block = blocks[0]
print(f"grad alpha {block.alpha.grad:.4g}, |grad fc1.weight| {block.fc1.weight.grad.norm():.4g}"
      f", |grad fc2.weight| {block.fc2.weight.grad.norm():.4g}")
#> grad alpha -2.122, |grad fc1.weight| 0, |grad fc2.weight| 0
# One SGD step moves alpha only; then the branch weights get gradients too.
with torch.no_grad():
    for p in blocks.parameters():
        p -= 0.01 * p.grad
blocks.zero_grad()
(blocks(xs) * readout).sum().backward()
print(f"after one step: alpha {block.alpha.item():.4g}, "
      f"|grad fc2.weight| {block.fc2.weight.grad.norm():.4g}")
#> after one step: alpha 0.02122, |grad fc2.weight| 3.174
# --8<-- [end:rezero]

# --8<-- [start:fixup]
class FixupBlock(nn.Module):
    """Fixup (Zhang et al. 2019) for a branch of m = 2 layers in a net of L branches:
    He init scaled by L ** (-1 / (2m - 2)) for the first layer, zero for the last,
    scalar biases (init 0) before each layer and activation, a scalar multiplier (init 1)."""

    def __init__(self, width, num_branches, m=2):
        super().__init__()
        self.fc1 = nn.Linear(width, width, bias=False, dtype=f64)
        self.fc2 = nn.Linear(width, width, bias=False, dtype=f64)
        nn.init.kaiming_normal_(self.fc1.weight, nonlinearity="relu")
        with torch.no_grad():
            self.fc1.weight *= num_branches ** (-1 / (2 * m - 2))
        nn.init.zeros_(self.fc2.weight)
        self.bias1a, self.bias1b, self.bias2a, self.bias2b = (
            nn.Parameter(torch.zeros((), dtype=f64)) for _ in range(4))
        self.scale = nn.Parameter(torch.ones((), dtype=f64))

    def forward(self, x):
        out = F.relu(self.fc1(x + self.bias1a) + self.bias1b)
        return x + self.scale * self.fc2(out + self.bias2a) + self.bias2b


torch.manual_seed(0)
blocks = nn.Sequential(*(FixupBlock(64, num_branches=8) for _ in range(8)))
print(f"fc1 std {blocks[0].fc1.weight.std():.4f}, He std / sqrt(8) = "
      f"{math.sqrt(2 / 64) / math.sqrt(8):.4f}")
#> fc1 std 0.0638, He std / sqrt(8) = 0.0625
out = blocks(xs)
print("identity at init:", torch.equal(out, xs))
#> identity at init: True
(out * torch.randn(32, 64, dtype=f64)).sum().backward()
for name, p in blocks[0].named_parameters():
    print(f"{name:>10}: |grad| {p.grad.norm():.4g}")
#>     bias1a: |grad| 0
#>     bias1b: |grad| 0
#>     bias2a: |grad| 0
#>     bias2b: |grad| 47.88
#>      scale: |grad| 0
#> fc1.weight: |grad| 0
#> fc2.weight: |grad| 127.4
# --8<-- [end:fixup]

# --8<-- [start:layerscale]
class LayerScale(nn.Module):
    """CaiT's diag(lambda): a learnable per-channel multiplier, initialized to eps."""

    def __init__(self, width, eps):
        super().__init__()
        self.gamma = nn.Parameter(torch.full((width,), eps, dtype=f64))

    def forward(self, x):
        return self.gamma * x


# model, x: the 100 Kaiming branches and the batch of the residual stream above.
for eps in (1e-1, 1e-5, 1e-6):
    scales = [LayerScale(WIDTH, eps) for _ in range(DEPTH)]
    h = x
    with torch.no_grad():
        for layer, scale in zip(model.layers, scales, strict=True):
            h = h + scale(layer(F.relu(h)))
    print(f"eps {eps:g}: stream std at block 100 / input std {h.std() / x.std():.6f}, "
          f"predicted (1 + eps^2) ** 50 = {(1 + eps ** 2) ** 50:.6f}")
#> eps 0.1: stream std at block 100 / input std 1.735784, predicted (1 + eps^2) ** 50 = 1.644632
#> eps 1e-05: stream std at block 100 / input std 1.000001, predicted (1 + eps^2) ** 50 = 1.000000
#> eps 1e-06: stream std at block 100 / input std 1.000000, predicted (1 + eps^2) ** 50 = 1.000000
# --8<-- [end:layerscale]


# --8<-- [start:mup-setup]
def adam_step(groups, state, grads, t, betas=(0.9, 0.999), eps=1e-8):
    """One step of torch.optim.Adam(groups) with its defaults, written out (the same
    in-place operations as torch/optim/adam.py's _single_tensor_adam): each group is
    {"params": weight, "lr": lr}, and muP is nothing but a per-group lr (and init)."""
    with torch.no_grad():
        for group, (m, v), g in zip(groups, state, grads, strict=True):
            m.lerp_(g, 1 - betas[0])
            v.mul_(betas[1]).addcmul_(g, g, value=1 - betas[1])
            denom = v.sqrt().div_(math.sqrt(1 - betas[1] ** t)).add_(eps)
            group["params"].addcdiv_(m, denom, value=-group["lr"] / (1 - betas[0] ** t))


def coord_check(widths, parametrization, steps=3, lr=1e-2, base=64, seed=0):
    """Train a 3-hidden-layer ReLU MLP (8 -> n -> n -> n -> 1, no biases) with Adam on one
    fixed batch and return, per width, the mean |coordinate| of each layer's output at
    initialization (t = 0) and after each of `steps` steps. "SP": every weight N(0, 1/fan_in), one lr. "muP" (Tensor Programs V,
    table 3, Adam): hidden lr * base/n, readout N(0, 1/fan_in * base/n) and lr * base/n;
    at n = base both are the same model."""
    data = torch.Generator().manual_seed(seed)
    inputs = torch.randn(32, 8, dtype=f64, generator=data)
    target = torch.randn(32, 1, dtype=f64, generator=data)
    sizes = {}
    for n in widths:
        torch.manual_seed(seed)
        layers = [nn.Linear(8, n, bias=False, dtype=f64), nn.Linear(n, n, bias=False, dtype=f64),
                  nn.Linear(n, n, bias=False, dtype=f64), nn.Linear(n, 1, bias=False, dtype=f64)]
        mult = base / n if parametrization == "muP" else 1.0
        groups = []
        for i, layer in enumerate(layers):
            kind = "input" if i == 0 else "readout" if i == len(layers) - 1 else "hidden"
            var = 1 / layer.in_features * (mult if kind == "readout" else 1.0)
            nn.init.normal_(layer.weight, std=math.sqrt(var))
            groups.append({"params": layer.weight,
                           "lr": lr * (1.0 if kind == "input" else mult)})
        state = [(torch.zeros_like(g["params"]), torch.zeros_like(g["params"])) for g in groups]
        sizes[n] = []
        for step in range(steps + 1):
            h, outputs = inputs, []
            for i, layer in enumerate(layers):
                h = layer(h if i == 0 else F.relu(h))
                outputs.append(h)  # each Linear's output, as mup's coord_check records
            sizes[n].append([o.abs().mean().item() for o in outputs])
            if step == steps:
                break
            grads = torch.autograd.grad(F.mse_loss(h, target), [g["params"] for g in groups])
            adam_step(groups, state, grads, step + 1)
    return sizes  # sizes[n][t][j]: mean |output| of layer j after step t (t = 0: at init)


def slope(widths, values):
    """Least-squares slope of log(value) against log(width): the growth exponent."""
    logw = torch.tensor(widths, dtype=f64).log()
    logv = torch.tensor(values, dtype=f64).log()
    logw = logw - logw.mean()
    return ((logw * (logv - logv.mean())).sum() / (logw * logw).sum()).item()
# --8<-- [end:mup-setup]

# --8<-- [start:coord-check]
widths = [64, 128, 256, 512, 1024]
names = ["layer 1", "layer 2", "layer 3", "readout"]
for parametrization in ("SP", "muP"):
    sizes = coord_check(widths, parametrization)
    print(f"{parametrization:<3} mean |x| after step 1", *(f"{n:>6}" for n in widths),
          "  slope after step 1, 2, 3")
    for j, name in enumerate(names):
        slopes = [slope(widths, [sizes[n][t][j] for n in widths]) for t in (1, 2, 3)]
        print(f"    {name:<18}", *(f"{sizes[n][1][j]:6.3f}" for n in widths), " ",
              *(f"{s:+.2f}" for s in slopes))
    wide = widths[2:]
    print(f"    readout slope at init {slope(widths, [sizes[n][0][3] for n in widths]):+.2f}, "
          f"after step 1 from n = 256 {slope(wide, [sizes[n][1][3] for n in wide]):+.2f}")
#> SP  mean |x| after step 1     64    128    256    512   1024   slope after step 1, 2, 3
#>     layer 1             0.821  0.802  0.762  0.790  0.783   -0.02 -0.02 -0.03
#>     layer 2             0.596  0.596  0.733  1.153  1.957   +0.44 +0.61 +0.71
#>     layer 3             0.400  0.544  0.875  2.017  4.322   +0.88 +1.11 +0.90
#>     readout             0.512  2.075  6.621 19.241 45.161   +1.61 +2.11 +1.49
#>     readout slope at init -0.09, after step 1 from n = 256 +1.38
#> muP mean |x| after step 1     64    128    256    512   1024   slope after step 1, 2, 3
#>     layer 1             0.821  0.802  0.762  0.790  0.783   -0.02 -0.02 -0.02
#>     layer 2             0.596  0.545  0.535  0.562  0.568   -0.01 -0.01 -0.01
#>     layer 3             0.400  0.395  0.408  0.438  0.431   +0.04 +0.01 -0.00
#>     readout             0.512  0.693  0.843  0.843  0.777   +0.15 -0.06 -0.08
#>     readout slope at init -0.59, after step 1 from n = 256 -0.06
# --8<-- [end:coord-check]

# --8<-- [start:attention-scale]
# Attention logits q . k once q and k are correlated (training aligns them): with
# coordinates of size 1, q . k grows like d, so q . k / sqrt(d) grows like sqrt(d)
# and muP's q . k / d stays put.
g = torch.Generator().manual_seed(0)
for d in (64, 256, 1024):
    q = torch.randn(d, dtype=f64, generator=g)
    k = q + 0.5 * torch.randn(d, dtype=f64, generator=g)
    print(f"d {d:>4}: q.k/sqrt(d) {q @ k / math.sqrt(d):7.3f}   q.k/d {q @ k / d:6.3f}")
#> d   64: q.k/sqrt(d)  10.497   q.k/d  1.312
#> d  256: q.k/sqrt(d)  14.310   q.k/d  0.894
#> d 1024: q.k/sqrt(d)  29.955   q.k/d  0.936
# --8<-- [end:attention-scale]
