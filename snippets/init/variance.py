"""Examples for docs/init/variance.md: why initialization matters, Xavier and Kaiming."""

import math

import torch
from torch import nn

# Shown on the page from snippets/init/experiment.py, which the figure also uses:
from snippets.init.experiment import BATCH, DEPTH, MLP, STRATEGIES, WIDTH, run  # noqa: F401

# --8<-- [start:chain-rule]
# Two layers: H1 = X W1, out = H1 W2. The gradient of the loss with respect to W2 is
# H1^T (d loss / d out): it is proportional to the previous layer's output H1.
torch.manual_seed(0)
X = torch.randn(4, 3)
W1 = torch.randn(3, 3)
for scale in (1.0, 10.0, 0.1):
    W2 = torch.randn(3, 1, generator=torch.Generator().manual_seed(1), requires_grad=True)
    H1 = scale * (X @ W1)
    (H1 @ W2).sum().backward()
    print(f"H1 scaled by {scale:>4}: |grad W2| = {W2.grad.norm():.2f}")
#> H1 scaled by  1.0: |grad W2| = 10.24
#> H1 scaled by 10.0: |grad W2| = 102.40
#> H1 scaled by  0.1: |grad W2| = 1.02
# --8<-- [end:chain-rule]

# --8<-- [start:hundred-layers]
# Weights ~ N(0, 1), in float32 as in training: float32 is what overflows (run's default
# is float64).
x, stds = run(nn.init.normal_, dtype=torch.float32)
for i, std in enumerate(stds):
    print(f"layer {i:>2}: std {std:.3g}")
#> layer  0: std 16.1
#> layer  1: std 258
#> layer  2: std 4.16e+03
#> layer  3: std 6.66e+04
#> layer  4: std 1.07e+06
#> layer  5: std 1.69e+07
#> layer  6: std 2.66e+08
#> layer  7: std 4.35e+09
#> layer  8: std 7e+10
#> layer  9: std 1.15e+12
#> layer 10: std 1.8e+13
#> layer 11: std 2.89e+14
#> layer 12: std 4.75e+15
#> layer 13: std 7.66e+16
#> layer 14: std 1.2e+18
#> layer 15: std 1.88e+19
#> layer 16: std 2.94e+20
#> layer 17: std 4.69e+21
#> layer 18: std 7.45e+22
#> layer 19: std 1.19e+24
#> layer 20: std 1.83e+25
#> layer 21: std 2.87e+26
#> layer 22: std 4.52e+27
#> layer 23: std 7.12e+28
#> layer 24: std 1.15e+30
#> layer 25: std 1.85e+31
#> layer 26: std 2.95e+32
#> layer 27: std 4.7e+33
#> layer 28: std 7.61e+34
#> layer 29: std 1.18e+36
#> layer 30: std nan
# --8<-- [end:hundred-layers]

# --8<-- [start:overflow]
# At layer 30 every activation is still a finite float32; only the std is nan.
print(torch.isfinite(x).all().item(), f"{x.abs().max().item():.3g}")
#> True 7.83e+37
print(f"float32 max: {torch.finfo(torch.float32).max:.3g}")
#> float32 max: 3.4e+38
# Computing a std adds up the 4096 values: partial sums pass 3.4e38 and become +inf
# and -inf, and inf - inf is nan.
print(x.sum(), x.var(), x.std())
#> tensor(nan) tensor(nan) tensor(nan)
# In float64 the same activations have a perfectly ordinary std:
print(f"{x.double().std().item():.4g}")
#> 1.914e+37
# --8<-- [end:overflow]

# --8<-- [start:nan-layer-seeds]
# nan or inf depends on the order of the partial sums (the CPU); the layer does not.
for seed in range(5):
    _, stds = run(nn.init.normal_, seed=seed, dtype=torch.float32)
    print(f"seed {seed}: the std is first not finite at layer {len(stds) - 1}")
#> seed 0: the std is first not finite at layer 30
#> seed 1: the std is first not finite at layer 30
#> seed 2: the std is first not finite at layer 30
#> seed 3: the std is first not finite at layer 30
#> seed 4: the std is first not finite at layer 30
# --8<-- [end:nan-layer-seeds]

# --8<-- [start:variance-of-product]
g = torch.Generator().manual_seed(0)
n = 1_000_000
X = 2.0 * torch.randn(n, generator=g, dtype=torch.float64)  # mean 0, Var 4
Y = 3.0 * torch.randn(n, generator=g, dtype=torch.float64)  # mean 0, Var 9
print(f"Var(XY) = {(X * Y).var():.3f}   Var(X) Var(Y) = {X.var() * Y.var():.3f}")
#> Var(XY) = 35.809   Var(X) Var(Y) = 35.960
# Without zero means the rule breaks: Var(XY) = Var(X)Var(Y) + Var(X)E[Y]^2 + Var(Y)E[X]^2
X1, Y1 = X + 1.0, Y + 2.0  # means 1 and 2, same variances
print(f"Var(XY) = {(X1 * Y1).var():.3f}   Var(X) Var(Y) = {X1.var() * Y1.var():.3f}")
#> Var(XY) = 60.779   Var(X) Var(Y) = 35.960
print(f"formula: {4 * 9 + 4 * 2**2 + 9 * 1**2}")
#> formula: 61
# --8<-- [end:variance-of-product]

# --8<-- [start:linear-layer-variance]
# One output of a linear layer is a sum of n products w_i x_i, so its variance is
# n Var(w) Var(x): with Var(w) = Var(x) = 1 and n = 256, the std grows by 16.
g = torch.Generator().manual_seed(0)
x = torch.randn(10_000, WIDTH, generator=g)
w = torch.randn(WIDTH, WIDTH, generator=g)
print(f"{(x @ w.T).std():.2f}", math.sqrt(WIDTH))
#> 16.01 16.0
# --8<-- [end:linear-layer-variance]

# --8<-- [start:scaled-normal]
# Var(w) = 1/n cancels the factor n: std stays near 1 through all 100 layers.
_, stds = run(lambda w: nn.init.normal_(w, std=1 / math.sqrt(WIDTH)))
print(" ".join(f"{s:.2f}" for s in stds[::10]), f"... layer 99: {stds[-1]:.4f}")
#> 1.00 1.02 1.02 1.04 0.97 0.92 0.91 0.98 0.91 0.84 ... layer 99: 0.8718
# --8<-- [end:scaled-normal]

# --8<-- [start:tanh-vanishing]
# Add tanh: it shrinks its input (|tanh x| < |x|), so the std decays layer after layer.
_, stds = run(lambda w: nn.init.normal_(w, std=1 / math.sqrt(WIDTH)), nn.Tanh())
print(" ".join(f"{s:.2f}" for s in stds[::10]), f"... layer 99: {stds[-1]:.4f}")
#> 0.63 0.22 0.16 0.13 0.11 0.09 0.09 0.09 0.07 0.07 ... layer 99: 0.0641
# --8<-- [end:tanh-vanishing]


# --8<-- [start:xavier-by-hand]
def xavier_uniform_by_hand(w, gain=1.0):
    fan_out, fan_in = w.shape  # nn.Linear stores weights as (out_features, in_features)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))  # U(-a, a) has variance a^2 / 3
    return nn.init.uniform_(w, -a, a)


tanh_gain = nn.init.calculate_gain("tanh")  # 5/3
_, stds = run(lambda w: xavier_uniform_by_hand(w, tanh_gain), nn.Tanh())
print(" ".join(f"{s:.2f}" for s in stds[::10]), f"... layer 99: {stds[-1]:.4f}")
#> 0.76 0.65 0.65 0.65 0.65 0.65 0.66 0.66 0.65 0.65 ... layer 99: 0.6449
# --8<-- [end:xavier-by-hand]

# --8<-- [start:xavier-builtin]
_, builtin = run(lambda w: nn.init.xavier_uniform_(w, gain=tanh_gain), nn.Tanh())
print(builtin == stds)  # the same draws, so the same numbers
#> True
# --8<-- [end:xavier-builtin]

# --8<-- [start:relu-xavier]
# Xavier's gain was chosen for tanh. With ReLU the result depends on the gain:
for gain in (1.0, tanh_gain):
    _, stds = run(lambda w, gain=gain: nn.init.xavier_uniform_(w, gain=gain), nn.ReLU())
    print(f"gain {gain:.3f}: layer 0 {stds[0]:.3f}, layer 50 {stds[50]:.3g}, "
          f"layer 99 {stds[-1]:.3g}")
#> gain 1.000: layer 0 0.582, layer 50 8.79e-09, layer 99 4.65e-16
#> gain 1.667: layer 0 0.971, layer 50 1.81e+03, layer 99 7.11e+06
# --8<-- [end:relu-xavier]

# --8<-- [start:kaiming-by-hand]
# Kaiming: std = gain / sqrt(fan_in), gain = sqrt(2 / (1 + a^2)) = sqrt(2) for ReLU (a = 0)
_, by_hand = run(lambda w: nn.init.normal_(w, std=math.sqrt(2 / WIDTH)), nn.ReLU())
_, builtin = run(lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"), nn.ReLU())
print(" ".join(f"{s:.2f}" for s in builtin[::10]), f"... layer 99: {builtin[-1]:.4f}")
#> 0.81 0.56 0.45 0.47 0.35 0.28 0.21 0.16 0.14 0.11 ... layer 99: 0.1667
print(by_hand == builtin)
#> True
# --8<-- [end:kaiming-by-hand]

# --8<-- [start:relu-output-std]
# Layer 0 in numbers. A pre-activation h sums 256 terms w x, Var(w) = 2/256, Var(x) = 1,
# so h ~ N(0, 2). Its ReLU y keeps half the second moment, 1, but its mean is not 0.
g = torch.Generator().manual_seed(0)
h = math.sqrt(2) * torch.randn(1_000_000, generator=g, dtype=torch.float64)  # N(0, 2)
y = torch.relu(h)
print(f"sample: mean(y^2) {y.square().mean():.4f}, mean {y.mean():.4f}, std {y.std():.4f}")
#> sample: mean(y^2) 0.9970, mean 0.5631, std 0.8246
print(f"exact:  mean(y^2) 1, mean 1/sqrt(pi) = {1 / math.sqrt(math.pi):.4f}, "
      f"std sqrt(1 - 1/pi) = {math.sqrt(1 - 1 / math.pi):.4f}")
#> exact:  mean(y^2) 1, mean 1/sqrt(pi) = 0.5642, std sqrt(1 - 1/pi) = 0.8256
# --8<-- [end:relu-output-std]

# --8<-- [start:kaiming-identical]
# Not only the same statistics: the very same weights, draw for draw.
w1, w2 = torch.empty(WIDTH, WIDTH), torch.empty(WIDTH, WIDTH)
nn.init.normal_(w1, std=math.sqrt(2 / WIDTH), generator=torch.Generator().manual_seed(3))
nn.init.kaiming_normal_(w2, nonlinearity="relu", generator=torch.Generator().manual_seed(3))
print(torch.equal(w1, w2))
#> True
# --8<-- [end:kaiming-identical]

# --8<-- [start:fan-mode]
# A layer that widens 256 -> 1024, without activation (gain 1):
# fan_in keeps the forward activations' variance, fan_out the backward gradients'.
g = torch.Generator().manual_seed(0)
x = torch.randn(4096, 256, generator=g, requires_grad=True)
for mode in ("fan_in", "fan_out"):
    layer = nn.Linear(256, 1024, bias=False)
    nn.init.kaiming_normal_(layer.weight, mode=mode, nonlinearity="linear", generator=g)
    y = layer(x)
    grad_y = torch.randn(4096, 1024, generator=g)
    (grad_x,) = torch.autograd.grad(y, x, grad_y)
    print(f"{mode:<7}: std of y {y.std():.3f}, std of grad x {grad_x.std():.3f}")
#> fan_in : std of y 0.999, std of grad x 1.998
#> fan_out: std of y 0.500, std of grad x 1.002
# --8<-- [end:fan-mode]

# --8<-- [start:one-draw]
def kaiming_relu_net(seed):
    """The Kaiming + ReLU network that run() builds for this seed, and its input batch."""
    torch.manual_seed(seed)  # the same draws, in the same order, as in run()
    model = MLP(nn.ReLU())
    for layer in model.layers:
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    return model, torch.randn(BATCH, WIDTH, dtype=torch.float64)


def layer_by_layer(model, x):
    """Each layer's factor mean(y^2) / mean(x^2), its output over its input, and its std."""
    factors, stds = [], []
    with torch.no_grad():
        for layer in model.layers:
            y = model.activation(layer(x))
            factors.append(y.square().mean() / x.square().mean())
            stds.append(y.std())
            x = y
    return torch.stack(factors), torch.stack(stds)


model, x = kaiming_relu_net(seed=0)
factors, stds = layer_by_layer(model, x)
print(f"100 factors: mean {factors.mean():.3f}, from {factors.min():.3f} to {factors.max():.3f}")
#> 100 factors: mean 0.978, from 0.648 to 1.303
end_to_end = factors.prod()  # mean(x^2) at layer 99 over mean(x^2) of the input
print(f"their product: {end_to_end:.4f}")
#> their product: 0.0419
rms = (x.square().mean() * end_to_end).sqrt()  # root mean square at layer 99
print(f"layer 99: std {stds[-1]:.4f} = {stds[-1] / rms:.3f} x root mean square {rms:.4f}")
#> layer 99: std 0.1667 = 0.822 x root mean square 0.2027
# --8<-- [end:one-draw]

# --8<-- [start:batch-size]
# The same 100 weight matrices (seed 0), fed 1024 inputs instead of 16:
big_batch = torch.randn(1024, WIDTH, dtype=torch.float64,
                        generator=torch.Generator().manual_seed(1))
_, big_stds = layer_by_layer(model, big_batch)
for batch, s in ((BATCH, stds), (1024, big_stds)):
    print(f"batch {batch:>4}:", " ".join(f"{v:.3f}" for v in s[::10]),
          f"... layer 99: {s[-1]:.4f}")
#> batch   16: 0.815 0.560 0.452 0.472 0.347 0.280 0.208 0.164 0.142 0.114 ... layer 99: 0.1667
#> batch 1024: 0.819 0.582 0.470 0.483 0.350 0.289 0.218 0.175 0.150 0.120 ... layer 99: 0.1750
# Why more inputs do not help: after a few ReLU layers the inputs' activations point almost
# the same way (the mean cosine of two of them), so 1024 inputs act nearly as one, and each
# layer's factor is still one measurement on 256 units.
h = big_batch
with torch.no_grad():
    for i, layer in enumerate(model.layers):
        h = model.activation(layer(h))
        if i in (0, 10, 99):
            u = nn.functional.normalize(h, dim=1)
            cosine = ((u @ u.T).sum() - len(u)) / (len(u) * (len(u) - 1))
            print(f"layer {i:>2}: mean cosine {cosine:.3f}")
#> layer  0: mean cosine 0.321
#> layer 10: mean cosine 0.838
#> layer 99: mean cosine 0.995
# --8<-- [end:batch-size]

# --8<-- [start:seeds]
# Other seeds draw other weights:
draws = {0: factors}
for seed in (1, 2, 3):
    draws[seed], seed_stds = layer_by_layer(*kaiming_relu_net(seed))
    print(f"seed {seed}: mean factor {draws[seed].mean():.3f}, "
          f"product {draws[seed].prod():.3f}, std at layer 99 {seed_stds[-1]:.4f}")
#> seed 1: mean factor 1.004, product 0.626, std at layer 99 0.6609
#> seed 2: mean factor 1.009, product 0.876, std at layer 99 0.7773
#> seed 3: mean factor 1.004, product 0.580, std at layer 99 0.6205
# --8<-- [end:seeds]

# --8<-- [start:jensen]
pooled = torch.cat(list(draws.values()))  # 400 layers, each with its own weights
print(f"mean factor {pooled.mean():.4f}, mean log factor {pooled.log().mean():.4f}, "
      f"-Var/2 {-pooled.var() / 2:.4f}")
#> mean factor 0.9989, mean log factor -0.0108, -Var/2 -0.0097
# log(product) sums 100 log factors, each from its own weights: a random walk. The
# means add up, and the spread grows like sqrt(100).
drift, spread = DEPTH * pooled.log().mean(), math.sqrt(DEPTH) * pooled.log().std()
print(f"log of the product: {drift:.2f} +- {spread:.2f}, "
      f"so the typical product is exp({drift:.2f}) = {drift.exp():.2f}")
#> log of the product: -1.08 +- 1.39, so the typical product is exp(-1.08) = 0.34
# --8<-- [end:jensen]

# --8<-- [start:summary]
for name, (init, activation, dtype) in STRATEGIES.items():
    _, stds = run(init, activation, dtype=dtype)
    last = f"{stds[-1]:.4g}" if math.isfinite(stds[-1]) else f"not finite from layer {len(stds) - 1}"
    print(f"{name:<24} std at layer 99: {last}")
#> linear, N(0, 1)          std at layer 99: not finite from layer 30
#> linear, N(0, 1/n)        std at layer 99: 0.8718
#> tanh, N(0, 1/n)          std at layer 99: 0.06414
#> tanh, Xavier (gain 5/3)  std at layer 99: 0.6449
#> relu, Xavier (gain 1)    std at layer 99: 4.648e-16
#> relu, Xavier (gain 5/3)  std at layer 99: 7.115e+06
#> relu, Kaiming            std at layer 99: 0.1667
# --8<-- [end:summary]
