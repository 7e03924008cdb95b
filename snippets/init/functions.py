"""Examples for docs/init/functions.md: calculate_gain and every torch.nn.init function."""

# --8<-- [start:setup]
import math
import warnings

import torch
import torch.nn.functional as F
from torch import nn


def stats(w: torch.Tensor) -> str:
    """Summary statistics of an initialized tensor, as printed on this page."""
    return (f"mean {w.mean():+.4f}  std {w.std():.4f}  "
            f"min {w.min():+.4f}  max {w.max():+.4f}")
# --8<-- [end:setup]

# --8<-- [start:overview-dims]
# Which tensor dimensions each initializer accepts (it raises ValueError for the others).
initializers = {
    "uniform_": nn.init.uniform_, "normal_": nn.init.normal_,
    "trunc_normal_": nn.init.trunc_normal_, "constant_": lambda t: nn.init.constant_(t, 0.5),
    "ones_": nn.init.ones_, "zeros_": nn.init.zeros_,
    "eye_": nn.init.eye_, "dirac_": nn.init.dirac_,
    "xavier_uniform_": nn.init.xavier_uniform_, "xavier_normal_": nn.init.xavier_normal_,
    "kaiming_uniform_": nn.init.kaiming_uniform_, "kaiming_normal_": nn.init.kaiming_normal_,
    "orthogonal_": nn.init.orthogonal_, "sparse_": lambda t: nn.init.sparse_(t, 0.5),
}
for name, init in initializers.items():
    accepted = []
    for dims in range(1, 7):
        try:
            init(torch.empty((2,) * dims))
            accepted.append(dims)
        except ValueError:
            pass
    print(f"{name:<16} {accepted}")
#> uniform_         [1, 2, 3, 4, 5, 6]
#> normal_          [1, 2, 3, 4, 5, 6]
#> trunc_normal_    [1, 2, 3, 4, 5, 6]
#> constant_        [1, 2, 3, 4, 5, 6]
#> ones_            [1, 2, 3, 4, 5, 6]
#> zeros_           [1, 2, 3, 4, 5, 6]
#> eye_             [2]
#> dirac_           [3, 4, 5]
#> xavier_uniform_  [2, 3, 4, 5, 6]
#> xavier_normal_   [2, 3, 4, 5, 6]
#> kaiming_uniform_ [2, 3, 4, 5, 6]
#> kaiming_normal_  [2, 3, 4, 5, 6]
#> orthogonal_      [2, 3, 4, 5, 6]
#> sparse_          [2]
# --8<-- [end:overview-dims]

# --8<-- [start:gain-table]
for name in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
             "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
             "leaky_relu", "selu"):
    print(f"{name:<17} {nn.init.calculate_gain(name):.4f}")
#> linear            1.0000
#> conv1d            1.0000
#> conv2d            1.0000
#> conv3d            1.0000
#> conv_transpose1d  1.0000
#> conv_transpose2d  1.0000
#> conv_transpose3d  1.0000
#> sigmoid           1.0000
#> tanh              1.6667
#> relu              1.4142
#> leaky_relu        1.4141
#> selu              0.7500
print(f"{'leaky_relu, 0.2':<17} {nn.init.calculate_gain('leaky_relu', 0.2):.4f}")
#> leaky_relu, 0.2   1.3868
# --8<-- [end:gain-table]

# --8<-- [start:gain-measured]
g = torch.Generator().manual_seed(0)
x = torch.randn(1_000_000, generator=g)
print(f"std(x) / std(tanh(x)) = {x.std() / torch.tanh(x).std():.4f}")
#> std(x) / std(tanh(x)) = 1.5924
print(f"var(x) / var(tanh(x)) = {x.var() / torch.tanh(x).var():.4f}")
#> var(x) / var(tanh(x)) = 2.5356
print(f"gain = {nn.init.calculate_gain('tanh'):.4f}, gain**2 = {5 / 3 * 5 / 3:.4f}")
#> gain = 1.6667, gain**2 = 2.7778
# --8<-- [end:gain-measured]

# --8<-- [start:selu]
# Self-normalizing networks want Var(w) = 1/n, i.e. nonlinearity='linear', not 'selu'.
torch.manual_seed(0)
for nonlinearity in ("linear", "selu"):
    x = torch.randn(256, 256)
    for _ in range(50):
        w = nn.init.kaiming_normal_(torch.empty(256, 256), nonlinearity=nonlinearity)
        x = F.selu(x @ w.T)
    print(f"{nonlinearity:<6}: after 50 SELU layers mean {x.mean():+.3f}, std {x.std():.3f}")
#> linear: after 50 SELU layers mean -0.018, std 0.991
#> selu  : after 50 SELU layers mean -0.027, std 0.196
# --8<-- [end:selu]

# --8<-- [start:gain-unsupported]
for name in ("gelu", "silu"):
    try:
        nn.init.calculate_gain(name)
    except ValueError as e:
        print(f"{type(e).__name__}: {e}")
#> ValueError: Unsupported nonlinearity gelu
#> ValueError: Unsupported nonlinearity silu
# --8<-- [end:gain-unsupported]

# --8<-- [start:gain-gelu-silu]
# The gain that keeps E[h^2] for inputs ~ N(0, q): 1 / sqrt(E[phi(sqrt(q) z)^2] / q),
# z ~ N(0, 1), by quadrature on a fine grid (float64, no sampling).
z = torch.linspace(-12, 12, 240_001, dtype=torch.float64)
density = torch.exp(-z**2 / 2) / math.sqrt(2 * math.pi) * (z[1] - z[0])


def second_moment(phi, q=1.0):
    return (phi(math.sqrt(q) * z) ** 2 * density).sum() / q


activations = {"relu": F.relu, "gelu": F.gelu, "silu": F.silu, "tanh": torch.tanh}
for name, phi in activations.items():
    print(f"{name}: gain {1 / second_moment(phi).sqrt():.4f}")
#> relu: gain 1.4142
#> gelu: gain 1.5335
#> silu: gain 1.6765
#> tanh: gain 1.5925
# ReLU is homogeneous: its gain holds at every scale. GELU and SiLU are not: with their
# q = 1 gain, a layer shrinks a smaller signal and grows a larger one.
for name in ("gelu", "silu"):
    gain2 = 1 / second_moment(activations[name])
    print(name, " ".join(f"q={q}: x{gain2 * second_moment(activations[name], q):.3f}"
                         for q in (0.25, 1.0, 4.0)))
#> gelu q=0.25: x0.786 q=1.0: x1.000 q=4.0: x1.135
#> silu q=0.25: x0.812 q=1.0: x1.000 q=4.0: x1.235
# It is the second moment, not the variance: the outputs' mean counts in the next layer.
# The ratio of standard deviations used for tanh above would give another "gain":
for name in ("gelu", "silu"):
    mean = (activations[name](z) * density).sum()
    std = (second_moment(activations[name]) - mean**2).sqrt()
    print(f"{name}: mean {mean:.2f}, std ratio {1 / std:.2f}")
#> gelu: mean 0.28, std ratio 1.70
#> silu: mean 0.21, std ratio 1.79
# So q = 1 is an unstable fixed point of the variance map q -> gain^2 E[phi(sqrt(q) z)^2]:
# start 10% off it and iterate 50 layers (no sampling; the exact gain, not 4 digits).
for name in ("gelu", "silu"):
    gain2 = 1 / second_moment(activations[name])
    ends = []
    for q0 in (0.9, 1.0, 1.1):
        q = q0
        for _ in range(50):
            q = float(gain2 * q * second_moment(activations[name], q))
        ends.append(f"q0={q0}: {q:.3g}")
    slope = float(gain2 * (1.001 * second_moment(activations[name], 1.001)
                           - 0.999 * second_moment(activations[name], 0.999)) / 0.002)
    print(f"{name}, 50 layers:", "  ".join(ends), f" slope at q=1: {slope:.2f}")
#> gelu, 50 layers: q0=0.9: 2.9e-08  q0=1.0: 1  q0=1.1: 268  slope at q=1: 1.14
#> silu, 50 layers: q0=0.9: 3.83e-06  q0=1.0: 1  q0=1.1: 1.71e+05  slope at q=1: 1.17
# Applying a computed gain to a Linear weight (out, in): std = gain / sqrt(fan_in).
w = nn.init.normal_(torch.empty(256, 512, dtype=torch.float64), 0.0,
                    1.5335 / math.sqrt(512), generator=torch.Generator().manual_seed(0))
print(f"sample std {w.std():.4f}, target 1.5335 / sqrt(512) = {1.5335 / math.sqrt(512):.4f}")
#> sample std 0.0679, target 1.5335 / sqrt(512) = 0.0678
# --8<-- [end:gain-gelu-silu]

# --8<-- [start:uniform]
g = torch.Generator().manual_seed(0)
w = nn.init.uniform_(torch.empty(256, 512), a=-0.5, b=0.5, generator=g)
print(stats(w), f"  expected std {1 / math.sqrt(12):.4f}")
#> mean +0.0009  std 0.2884  min -0.5000  max +0.5000   expected std 0.2887
# --8<-- [end:uniform]

# --8<-- [start:normal]
g = torch.Generator().manual_seed(0)
w = nn.init.normal_(torch.empty(256, 512), mean=0.0, std=0.02, generator=g)
print(stats(w))
#> mean -0.0001  std 0.0200  min -0.0869  max +0.0913
# --8<-- [end:normal]

# --8<-- [start:trunc-normal]
g = torch.Generator().manual_seed(0)
w = nn.init.trunc_normal_(torch.empty(256, 512), std=1.0, a=-2.0, b=2.0, generator=g)
print(stats(w))
#> mean -0.0017  std 0.8808  min -1.9999  max +2.0000
# --8<-- [end:trunc-normal]

# --8<-- [start:trunc-normal-pitfall]
# a and b are absolute values, not multiples of std: with std=0.02 the default
# bounds (-2, 2) lie 100 standard deviations away and cut nothing.
g = torch.Generator().manual_seed(0)
w = nn.init.trunc_normal_(torch.empty(256, 512), std=0.02, generator=g)
print(stats(w))
#> mean -0.0001  std 0.0200  min -0.0869  max +0.0913
# To cut at two standard deviations, scale the bounds yourself:
w = nn.init.trunc_normal_(torch.empty(256, 512), std=0.02, a=-0.04, b=0.04, generator=g)
print(stats(w))
#> mean -0.0000  std 0.0176  min -0.0400  max +0.0400
# --8<-- [end:trunc-normal-pitfall]

# --8<-- [start:constant]
print(nn.init.constant_(torch.empty(2, 3), 0.5))
#> tensor([[0.5000, 0.5000, 0.5000],
#>         [0.5000, 0.5000, 0.5000]])
print(nn.init.ones_(torch.empty(2, 3)))
#> tensor([[1., 1., 1.],
#>         [1., 1., 1.]])
print(nn.init.zeros_(torch.empty(2, 3)))
#> tensor([[0., 0., 0.],
#>         [0., 0., 0.]])
# --8<-- [end:constant]

# --8<-- [start:constant-symmetry]
# A 2-layer MLP, 3 inputs -> 4 tanh units -> 2 outputs, trained by plain SGD on one batch,
# in float64. Hidden unit j is row j of W1 (its incoming weights) and column j of W2 (its
# outgoing weights); all biases start at 0.
data = torch.Generator().manual_seed(0)
x = torch.randn(8, 3, generator=data, dtype=torch.float64)
y = torch.randn(8, 2, generator=data, dtype=torch.float64)
w2_random = torch.randn(2, 4, generator=data, dtype=torch.float64)


def mlp(w1, w2, activation=nn.Tanh):
    net = nn.Sequential(nn.Linear(3, 4), activation(), nn.Linear(4, 2)).double()
    with torch.no_grad():
        net[0].weight.copy_(w1)
        net[2].weight.copy_(w2)
        net[0].bias.zero_()
        net[2].bias.zero_()
    return net


def sgd(net, steps):
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(steps):
        opt.zero_grad()
        F.mse_loss(net(x), y).backward()
        opt.step()
    return net


def equal_rows(w):  # every row equal to the first (up to rounding)
    return torch.allclose(w, w[:1].expand_as(w))


def show(w):
    for row in w.tolist():
        print("  " + " ".join(f"{v:+.4f}" for v in row))


# W1 = 0.1 and W2 = 0.1 everywhere: the hidden units are interchangeable and stay so.
net = sgd(mlp(torch.full((4, 3), 0.1), torch.full((2, 4), 0.1)), steps=100)
print("rows of W1 equal:", equal_rows(net[0].weight),
      " columns of W2 equal:", equal_rows(net[2].weight.T))
#> rows of W1 equal: True  columns of W2 equal: True
show(net[0].weight)  # W1 has learned, but its 4 rows moved together
#>   +0.0281 +0.1664 +0.4215
#>   +0.0281 +0.1664 +0.4215
#>   +0.0281 +0.1664 +0.4215
#>   +0.0281 +0.1664 +0.4215
show(net[2].weight)  # the two outputs have different targets: W2's rows differ
#>   -0.4421 -0.4421 -0.4421 -0.4421
#>   +0.1038 +0.1038 +0.1038 +0.1038
# W1 = 0.1 everywhere, W2 random: unit j's gradient comes through column j of W2.
net = sgd(mlp(torch.full((4, 3), 0.1), w2_random), steps=1)
print("rows of W1 equal after one step:", equal_rows(net[0].weight))
#> rows of W1 equal after one step: False
show(net[0].weight)
#>   +0.1055 +0.0980 +0.1893
#>   +0.1030 +0.0994 +0.1394
#>   -0.0257 +0.0389 -0.0112
#>   -0.1285 -0.0188 +0.0360
# --8<-- [end:constant-symmetry]

# --8<-- [start:zero-layer]
# W1 = 0, W2 random. The hidden activations are tanh(0) = 0, so W2 gets no gradient at the
# first step; W1 does, and its row j is column j of W2 times one shared matrix:
net = mlp(torch.zeros(4, 3), w2_random)
F.mse_loss(net(x), y).backward()
err = 2 * (net(x) - y) / y.numel()  # d loss / d output, one row per sample
print(torch.allclose(net[0].weight.grad, w2_random.T @ (err.T @ x)),
      "nonzero in W2.grad:", torch.count_nonzero(net[2].weight.grad).item())
#> True nonzero in W2.grad: 0
show(net[0].weight.grad)
#>   -0.0901 +0.0158 -0.9137
#>   -0.0416 +0.0066 -0.4001
#>   +0.4744 +0.0542 +0.6009
#>   +0.7490 +0.1284 -0.3595
# W1 random, W2 = 0 (the zeroed last layer of a residual branch): the mirror image.
# W1 waits one step for W2 to move, then learns too.
net = mlp(torch.randn(4, 3, generator=data, dtype=torch.float64), torch.zeros(2, 4))
w1_start = net[0].weight.detach().clone()
F.mse_loss(net(x), y).backward()
print("nonzero in W1.grad:", torch.count_nonzero(net[0].weight.grad).item(),
      " in W2.grad:", torch.count_nonzero(net[2].weight.grad).item())
#> nonzero in W1.grad: 0  in W2.grad: 8
after_1 = sgd(net, steps=1)[0].weight.detach().clone()
after_2 = sgd(net, steps=1)[0].weight.detach().clone()
print("W1 unchanged after step 1:", torch.equal(after_1, w1_start),
      " after step 2:", torch.equal(after_2, w1_start))
#> W1 unchanged after step 1: True  after step 2: False
# W1 = 0 and W2 = 0: no weight ever gets a gradient; only the output bias learns, and the
# network predicts the mean target whatever the input.
net = sgd(mlp(torch.zeros(4, 3), torch.zeros(2, 4)), steps=100)
print("nonzero weights:", torch.count_nonzero(net[0].weight).item(),
      torch.count_nonzero(net[2].weight).item(), " hidden bias:",
      torch.count_nonzero(net[0].bias).item(),
      " output bias = mean of y:", torch.allclose(net[2].bias, y.mean(0), atol=1e-4))
#> nonzero weights: 0 0  hidden bias: 0  output bias = mean of y: True
# With ReLU, W1 = 0 (and bias 0) is dead even with a random W2: torch takes relu'(0) = 0.
net = mlp(torch.zeros(4, 3), w2_random, activation=nn.ReLU)
F.mse_loss(net(x), y).backward()
print("ReLU: nonzero in W1.grad:", torch.count_nonzero(net[0].weight.grad).item(),
      " in W2.grad:", torch.count_nonzero(net[2].weight.grad).item())
#> ReLU: nonzero in W1.grad: 0  in W2.grad: 0
# --8<-- [end:zero-layer]

# --8<-- [start:eye]
w = nn.init.eye_(torch.empty(3, 5))
print(w)
#> tensor([[1., 0., 0., 0., 0.],
#>         [0., 1., 0., 0., 0.],
#>         [0., 0., 1., 0., 0.]])
# As an nn.Linear weight (out=3, in=5), it passes on the first 3 of the 5 inputs:
x = torch.randn(2, 5, generator=torch.Generator().manual_seed(0))
print(torch.equal(x @ w.T, x[:, :3]))
#> True
# --8<-- [end:eye]

# --8<-- [start:eye-pitfall]
try:
    nn.init.eye_(torch.empty(3, 3, 3))
except ValueError as err:
    print(err)
#> Only tensors with 2 dimensions are supported
# --8<-- [end:eye-pitfall]

# --8<-- [start:dirac]
conv = nn.Conv2d(4, 4, kernel_size=3, padding=1, bias=False)
nn.init.dirac_(conv.weight)
x = torch.randn(1, 4, 5, 5, generator=torch.Generator().manual_seed(0))
print(torch.equal(conv(x), x))  # an identity convolution
#> True
print(conv.weight[0, :, 1, 1], conv.weight[0, 0])
#> tensor([1., 0., 0., 0.], grad_fn=<SelectBackward0>) tensor([[0., 0., 0.],
#>         [0., 1., 0.],
#>         [0., 0., 0.]], grad_fn=<SelectBackward0>)
# --8<-- [end:dirac]

# --8<-- [start:dirac-groups]
# groups=2: the output channels are split in two, each half an identity of the inputs.
w = nn.init.dirac_(torch.empty(4, 2, 1), groups=2)
print(w.squeeze(-1))
#> tensor([[1., 0.],
#>         [0., 1.],
#>         [1., 0.],
#>         [0., 1.]])
# --8<-- [end:dirac-groups]

# --8<-- [start:dirac-pitfall]
try:
    nn.init.dirac_(torch.empty(4, 4))
except ValueError as err:
    print(err)
#> Only tensors with 3, 4, or 5 dimensions are supported
# --8<-- [end:dirac-pitfall]

# --8<-- [start:xavier-uniform]
g = torch.Generator().manual_seed(0)
w = nn.init.xavier_uniform_(torch.empty(256, 512), gain=1.0, generator=g)
bound = math.sqrt(6 / (512 + 256))
print(stats(w), f"  bound {bound:.4f}, std {bound / math.sqrt(3):.4f}")
#> mean +0.0002  std 0.0510  min -0.0884  max +0.0884   bound 0.0884, std 0.0510
# --8<-- [end:xavier-uniform]

# --8<-- [start:xavier-normal]
g = torch.Generator().manual_seed(0)
w = nn.init.xavier_normal_(torch.empty(256, 512), gain=1.0, generator=g)
print(stats(w), f"  expected std {math.sqrt(2 / (512 + 256)):.4f}")
#> mean -0.0002  std 0.0511  min -0.2216  max +0.2328   expected std 0.0510
# --8<-- [end:xavier-normal]

# --8<-- [start:kaiming-uniform]
g = torch.Generator().manual_seed(0)
w = nn.init.kaiming_uniform_(torch.empty(256, 512), nonlinearity="relu", generator=g)
bound = math.sqrt(2) * math.sqrt(3 / 512)
print(stats(w), f"  bound {bound:.4f}")
#> mean +0.0002  std 0.0624  min -0.1083  max +0.1083   bound 0.1083
# --8<-- [end:kaiming-uniform]

# --8<-- [start:kaiming-normal]
g = torch.Generator().manual_seed(0)
w = nn.init.kaiming_normal_(torch.empty(64, 32, 3, 3), mode="fan_out",
                            nonlinearity="relu", generator=g)
print(stats(w), f"  expected std {math.sqrt(2 / (64 * 3 * 3)):.4f}")
#> mean -0.0006  std 0.0592  min -0.2559  max +0.2417   expected std 0.0589
# --8<-- [end:kaiming-normal]

# --8<-- [start:orthogonal]
g = torch.Generator().manual_seed(0)
w = nn.init.orthogonal_(torch.empty(4, 6), gain=2.0, generator=g)
# The rows are orthogonal, each of norm gain: W W^T = gain^2 I (up to rounding).
print((w @ w.T).diagonal(), torch.allclose(w @ w.T, 4 * torch.eye(4), atol=1e-5))
#> tensor([4.0000, 4.0000, 4.0000, 4.0000]) True
# --8<-- [end:orthogonal]

# --8<-- [start:sparse]
torch.manual_seed(0)  # see the pitfall below: sparse_ also uses the global generator
g = torch.Generator().manual_seed(0)
w = nn.init.sparse_(torch.empty(10, 1000), sparsity=0.3, std=0.01, generator=g)
print((w == 0).sum(dim=0).unique())  # zeros per column: ceil(0.3 * 10) = 3
#> tensor([3])
print(f"std of the non-zero entries {w[w != 0].std():.4f}, of all {w.std():.4f}")
#> std of the non-zero entries 0.0100, of all 0.0084
try:
    nn.init.sparse_(torch.empty(2, 3, 4), sparsity=0.5)
except ValueError as err:
    print(err)
#> Only tensors with 2 dimensions are supported
# --8<-- [end:sparse]

# --8<-- [start:sparse-generator]
# The same generator seed twice, but different zero positions: in torch 2.13 sparse_
# draws the values from `generator` but the zero positions from the global RNG.
a = nn.init.sparse_(torch.empty(4, 3), 0.5, generator=torch.Generator().manual_seed(1))
b = nn.init.sparse_(torch.empty(4, 3), 0.5, generator=torch.Generator().manual_seed(1))
print(torch.equal(a, b), torch.equal(a == 0, b == 0))
#> False False
# Seeding the global RNG as well makes it reproducible:
torch.manual_seed(0)
a = nn.init.sparse_(torch.empty(4, 3), 0.5, generator=torch.Generator().manual_seed(1))
torch.manual_seed(0)
b = nn.init.sparse_(torch.empty(4, 3), 0.5, generator=torch.Generator().manual_seed(1))
print(torch.equal(a, b))
#> True
# --8<-- [end:sparse-generator]

from snippets.from_scratch.init import (  # noqa: E402  (shown above, section by section)
    dirac_,
    eye_,
    kaiming_normal_,
    kaiming_uniform_,
    normal_,
    orthogonal_,
    sparse_,
    trunc_normal_,
    uniform_,
    xavier_normal_,
    xavier_uniform_,
)

# --8<-- [start:from-scratch-check]
def same_draws(ours, theirs, shape, **options):
    a = ours(torch.empty(shape), generator=torch.Generator().manual_seed(7), **options)
    b = theirs(torch.empty(shape), generator=torch.Generator().manual_seed(7), **options)
    return torch.equal(a, b)


print("uniform_        ", same_draws(uniform_, nn.init.uniform_, (5, 7), a=-2.0, b=3.0))
#> uniform_         True
print("normal_         ", same_draws(normal_, nn.init.normal_, (5, 7), std=0.1))
#> normal_          True
print("xavier_uniform_ ", same_draws(xavier_uniform_, nn.init.xavier_uniform_, (8, 4, 3)))
#> xavier_uniform_  True
print("xavier_normal_  ", same_draws(xavier_normal_, nn.init.xavier_normal_, (8, 4, 3)))
#> xavier_normal_   True
print("kaiming_uniform_", same_draws(kaiming_uniform_, nn.init.kaiming_uniform_,
                                     (16, 8, 3, 3), a=math.sqrt(5)))
#> kaiming_uniform_ True
print("kaiming_normal_ ", same_draws(kaiming_normal_, nn.init.kaiming_normal_,
                                     (16, 8, 3, 3), mode="fan_out", nonlinearity="relu"))
#> kaiming_normal_  True
print("eye_, dirac_    ", torch.equal(eye_(torch.empty(3, 5)), nn.init.eye_(torch.empty(3, 5))),
      torch.equal(dirac_(torch.empty(4, 2, 3), groups=2),
                  nn.init.dirac_(torch.empty(4, 2, 3), groups=2)))
#> eye_, dirac_     True True
g = torch.Generator().manual_seed(7)
t = trunc_normal_(torch.empty(100_000), std=0.5, a=-0.4, b=0.8, generator=g)
print("trunc_normal_   ", f"min {t.min():.4f} max {t.max():.4f}")
#> trunc_normal_    min -0.4000 max 0.7999
q = orthogonal_(torch.empty(6, 4), gain=3.0, generator=g)
print("orthogonal_     ", torch.allclose(q.T @ q, 9 * torch.eye(4), atol=1e-5))
#> orthogonal_      True
sp = sparse_(torch.empty(10, 50), sparsity=0.25, generator=g)
print("sparse_         ", (sp == 0).sum(dim=0).unique().tolist())
#> sparse_          [3]
# --8<-- [end:from-scratch-check]

# --8<-- [start:deprecated]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    nn.init.normal(torch.empty(3))  # no trailing underscore
for warning in caught:
    print(warning.category.__name__, warning.message)
#> FutureWarning `nn.init.normal` is now deprecated in favor of `nn.init.normal_`.
deprecated = [n for n in nn.init.__all__ if not n.endswith("_") and n != "calculate_gain"]
print(deprecated)
#> ['uniform', 'normal', 'constant', 'eye', 'dirac', 'xavier_uniform', 'xavier_normal', 'kaiming_uniform', 'kaiming_normal', 'orthogonal', 'sparse']
# --8<-- [end:deprecated]
