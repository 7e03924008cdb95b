"""The 100-layer experiment shared by docs/init/variance.md and its figure.

The page shows these sections; snippets/figures.py draws the figure from the very same
`run` and `STRATEGIES`, so the printed numbers and the plotted curves are one experiment.
"""

# --8<-- [start:setup]
import math

import torch
from torch import nn

WIDTH, DEPTH, BATCH = 256, 100, 16


class MLP(nn.Module):
    """DEPTH linear layers of WIDTH units, no bias, the same activation after each."""

    def __init__(self, activation: nn.Module | None = None):
        super().__init__()
        self.layers = nn.ModuleList(
            nn.Linear(WIDTH, WIDTH, bias=False) for _ in range(DEPTH))
        self.activation = activation or nn.Identity()

    def forward(self, x):
        stds = []  # the standard deviation of each layer's output
        for layer in self.layers:
            x = self.activation(layer(x))
            stds.append(x.std().item())
            if math.isnan(stds[-1]):
                break
        return x, stds


def run(init, activation=None, seed=0):
    """Initialize every weight with init(weight), feed N(0, 1) inputs, return the stds."""
    torch.manual_seed(seed)
    model = MLP(activation)
    for layer in model.layers:
        init(layer.weight)
    x = torch.randn(BATCH, WIDTH)
    with torch.no_grad():
        return model(x)
# --8<-- [end:setup]

# --8<-- [start:strategies]
tanh_gain = nn.init.calculate_gain("tanh")  # 5/3
STRATEGIES = {  # name: (init function for a weight, activation)
    "linear, N(0, 1)": (nn.init.normal_, None),
    "linear, N(0, 1/n)": (lambda w: nn.init.normal_(w, std=1 / math.sqrt(WIDTH)), None),
    "tanh, N(0, 1/n)": (lambda w: nn.init.normal_(w, std=1 / math.sqrt(WIDTH)), nn.Tanh()),
    "tanh, Xavier (gain 5/3)": (lambda w: nn.init.xavier_uniform_(w, gain=tanh_gain),
                                nn.Tanh()),
    "relu, Xavier (gain 1)": (nn.init.xavier_uniform_, nn.ReLU()),
    "relu, Xavier (gain 5/3)": (lambda w: nn.init.xavier_uniform_(w, gain=tanh_gain),
                                nn.ReLU()),
    "relu, Kaiming": (lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"), nn.ReLU()),
}
# --8<-- [end:strategies]
