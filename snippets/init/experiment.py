"""The 100-layer experiment shared by docs/init/variance.md, docs/init/deep_networks.md and
their figures.

The pages show these sections; snippets/figures.py draws the figures from the very same
`run` and `STRATEGIES` (variance.md) and `kaiming_mlp`, `stream` and `VARIANTS`
(deep_networks.md, its last section), so the printed numbers and the plotted curves are one
experiment.

It runs in float64 unless a strategy says otherwise, for the printed digits to be the
same on every machine. In float32 they are not: a seeded float32 `torch.randn` draws
other last bits on other CPU kernels (AVX2 vs the non-vectorized path), and through 100
layers those bits, and the kernels' rounding, change the 4th digit (0.6476 on one
machine, 0.6477 on another). Float64 `randn` draws the same numbers on every kernel path;
`uniform_` (Xavier) may differ in its last bit even in float64 (a fused multiply-add on
vectorized kernels), and float64 rounding stays far below the printed digits either way.
Only N(0, 1) runs in float32, because its float32 overflow is the lesson.
"""

# --8<-- [start:setup]
import math

import torch
from torch import nn

WIDTH, DEPTH, BATCH = 256, 100, 16


class MLP(nn.Module):
    """DEPTH linear layers of WIDTH units, no bias, the same activation after each."""

    def __init__(self, activation: nn.Module | None = None, dtype=torch.float64):
        super().__init__()
        self.layers = nn.ModuleList(
            nn.Linear(WIDTH, WIDTH, bias=False, dtype=dtype) for _ in range(DEPTH))
        self.activation = activation or nn.Identity()

    def forward(self, x):
        stds = []  # the standard deviation of each layer's output
        for layer in self.layers:
            x = self.activation(layer(x))
            stds.append(x.std().item())
            if not math.isfinite(stds[-1]):  # nan or inf: the experiment ends
                break
        return x, stds


def run(init, activation=None, seed=0, dtype=torch.float64):
    """Initialize every weight with init(weight), feed N(0, 1) inputs, return the stds."""
    torch.manual_seed(seed)
    model = MLP(activation, dtype)
    for layer in model.layers:
        init(layer.weight)
    x = torch.randn(BATCH, WIDTH, dtype=dtype)
    with torch.no_grad():
        return model(x)
# --8<-- [end:setup]

# --8<-- [start:strategies]
tanh_gain = nn.init.calculate_gain("tanh")  # 5/3
f32, f64 = torch.float32, torch.float64
STRATEGIES = {  # name: (init function for a weight, activation, dtype)
    "linear, N(0, 1)": (nn.init.normal_, None, f32),  # float32: its overflow is the lesson
    "linear, N(0, 1/n)": (lambda w: nn.init.normal_(w, std=1 / math.sqrt(WIDTH)), None, f64),
    "tanh, N(0, 1/n)": (lambda w: nn.init.normal_(w, std=1 / math.sqrt(WIDTH)), nn.Tanh(),
                        f64),
    "tanh, Xavier (gain 5/3)": (lambda w: nn.init.xavier_uniform_(w, gain=tanh_gain),
                                nn.Tanh(), f64),
    "relu, Xavier (gain 1)": (nn.init.xavier_uniform_, nn.ReLU(), f64),
    "relu, Xavier (gain 5/3)": (lambda w: nn.init.xavier_uniform_(w, gain=tanh_gain),
                                nn.ReLU(), f64),
    "relu, Kaiming": (lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"), nn.ReLU(),
                      f64),
}
# --8<-- [end:strategies]

# --8<-- [start:stream-setup]
F, f64 = nn.functional, torch.float64  # torch.nn.functional


def kaiming_mlp(seed=0):
    """The plain Kaiming MLP of run() and its batch: the same seed, the same draws."""
    torch.manual_seed(seed)
    model = MLP(nn.ReLU())
    for layer in model.layers:
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    return model, torch.randn(BATCH, WIDTH, dtype=f64)


def stream(model, x, kind, scale=1.0):
    """Push x through DEPTH blocks whose branch is f(x) = scale * W relu(x), W = one of
    the plain MLP's weights. Returns the output and the std after every block."""
    stds = []
    for layer in model.layers:
        if kind == "plain":
            x = F.relu(layer(x))  # the MLP of the 100-layer experiment
        elif kind == "residual":
            x = x + scale * layer(F.relu(x))
        elif kind == "pre-LN":
            x = x + scale * layer(F.relu(F.layer_norm(x, (WIDTH,))))
        elif kind == "post-LN":
            x = F.layer_norm(x + scale * layer(F.relu(x)), (WIDTH,))
        stds.append(x.std().item())
    return x, stds


VARIANTS = {  # name: (kind, branch scale)
    "plain, Kaiming": ("plain", 1.0),
    "residual, Kaiming": ("residual", 1.0),
    "residual, 1/sqrt(L)": ("residual", 1 / math.sqrt(DEPTH)),
    "pre-LN residual": ("pre-LN", 1.0),
    "post-LN residual": ("post-LN", 1.0),
}
# --8<-- [end:stream-setup]
