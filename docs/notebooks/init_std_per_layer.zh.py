# %% [markdown]
# # 100 层网络的初始化实验
#
# 一个 100 层、每层 256 个神经元、不带偏置的多层感知机，输入是一批 16 个服从
# $\mathcal{N}(0, 1)$ 的样本。对每一种初始化策略，我们记录每一层输出的标准差。
# 推导过程见“为什么初始化很重要”一页；这个笔记本独立地重新运行这个实验。

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch import nn

WIDTH, DEPTH, BATCH = 256, 100, 16


def run(init, activation=None, seed=0):
    """Initialize DEPTH square weights with init, return the std of each layer's output."""
    torch.manual_seed(seed)
    layers = [nn.Linear(WIDTH, WIDTH, bias=False) for _ in range(DEPTH)]
    for layer in layers:
        init(layer.weight)
    x = torch.randn(BATCH, WIDTH)
    stds = []
    with torch.no_grad():
        for layer in layers:
            x = layer(x)
            if activation is not None:
                x = activation(x)
            stds.append(x.std().item())
            if math.isnan(stds[-1]):
                break
    return stds


# %% [markdown]
# ## 各种策略
#
# $\mathcal{N}(0, 1)$、$\mathcal{N}(0, 1/n)$、使用 tanh 增益 $5/3$ 的 Xavier，以及针对 ReLU 的
# Kaiming，分别搭配它们为之设计（或并非为之设计）的激活函数。

# %%
tanh_gain = nn.init.calculate_gain("tanh")
strategies = {
    "linear, N(0, 1)": (nn.init.normal_, None),
    "linear, N(0, 1/n)": (lambda w: nn.init.normal_(w, std=1 / math.sqrt(WIDTH)), None),
    "tanh, N(0, 1/n)": (lambda w: nn.init.normal_(w, std=1 / math.sqrt(WIDTH)), torch.tanh),
    "tanh, Xavier (gain 5/3)": (lambda w: nn.init.xavier_uniform_(w, gain=tanh_gain),
                                torch.tanh),
    "relu, Xavier (gain 1)": (nn.init.xavier_uniform_, torch.relu),
    "relu, Xavier (gain 5/3)": (lambda w: nn.init.xavier_uniform_(w, gain=tanh_gain),
                                torch.relu),
    "relu, Kaiming": (lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"), torch.relu),
}
results = {name: run(init, act) for name, (init, act) in strategies.items()}
for name, stds in results.items():
    last = f"nan at layer {len(stds) - 1}" if math.isnan(stds[-1]) else f"{stds[-1]:.4g}"
    print(f"{name:<24} std at layer 99: {last}")

# %% [markdown]
# ## 每一层输出的标准差
#
# 纵轴取对数：一路上升的直线是梯度爆炸的前兆，一路下降的是梯度消失，水平的才是我们想要的。

# %%
fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
for name, stds in results.items():
    ax.plot(range(len(stds)), stds, label=name)
ax.set_yscale("log")
ax.set_xlabel("layer")
ax.set_ylabel("std of the layer's output")
ax.legend(fontsize=8, ncol=2)
plt.show()
