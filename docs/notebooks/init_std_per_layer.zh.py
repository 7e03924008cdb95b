# %% [markdown]
# # 100 层网络的初始化实验
#
# 一个 100 层、每层 256 个单元、不带偏置的多层感知机，输入是一批 16 个服从 $\mathcal{N}(0, 1)$ 的样本。对每一种初始化策略，我们记录每一层输出的标准差。推导过程见“为什么初始化很重要”一页；这个笔记本独立地重新运行这个实验。

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch import nn

WIDTH, DEPTH, BATCH = 256, 100, 16


def run(init, activation=None, seed=0, dtype=torch.float64):
    """Initialize DEPTH square weights with init, return the std of each layer's output."""
    torch.manual_seed(seed)
    layers = [nn.Linear(WIDTH, WIDTH, bias=False, dtype=dtype) for _ in range(DEPTH)]
    for layer in layers:
        init(layer.weight)
    x = torch.randn(BATCH, WIDTH, dtype=dtype)
    stds = []
    with torch.no_grad():
        for layer in layers:
            x = layer(x)
            if activation is not None:
                x = activation(x)
            stds.append(x.std().item())
            if not math.isfinite(stds[-1]):
                break
    return stds


# %% [markdown]
# ## 各种策略
#
# $\mathcal{N}(0, 1)$、$\mathcal{N}(0, 1/n)$、使用 tanh 增益 $5/3$ 的 Xavier，以及针对 ReLU 的 Kaiming，分别搭配它们为之设计（或并非为之设计）的激活函数。除 $\mathcal{N}(0, 1)$ 外都用 float64 计算，这样打印出的数字不会随 CPU 上 float32 内核的不同而变化；$\mathcal{N}(0, 1)$ 用 float32，因为要演示的正是它在 float32 下的溢出。

# %%
tanh_gain = nn.init.calculate_gain("tanh")
f32, f64 = torch.float32, torch.float64
strategies = {  # name: (init function for a weight, activation, dtype)
    "linear, N(0, 1)": (nn.init.normal_, None, f32),  # float32: its overflow is the lesson
    "linear, N(0, 1/n)": (lambda w: nn.init.normal_(w, std=1 / math.sqrt(WIDTH)), None, f64),
    "tanh, N(0, 1/n)": (lambda w: nn.init.normal_(w, std=1 / math.sqrt(WIDTH)), torch.tanh,
                        f64),
    "tanh, Xavier (gain 5/3)": (lambda w: nn.init.xavier_uniform_(w, gain=tanh_gain),
                                torch.tanh, f64),
    "relu, Xavier (gain 1)": (nn.init.xavier_uniform_, torch.relu, f64),
    "relu, Xavier (gain 5/3)": (lambda w: nn.init.xavier_uniform_(w, gain=tanh_gain),
                                torch.relu, f64),
    "relu, Kaiming": (lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"), torch.relu,
                      f64),
}
results = {name: run(init, act, dtype=dtype) for name, (init, act, dtype) in strategies.items()}
for name, stds in results.items():
    last = f"{stds[-1]:.4g}" if math.isfinite(stds[-1]) else f"not finite from layer {len(stds) - 1}"
    print(f"{name:<24} std at layer 99: {last}")

# %% [markdown]
# ## 每一层输出的标准差
#
# 纵轴取对数：一路上升的直线表示各层输出逐层放大（爆炸），一路下降的表示逐层缩小（消失），水平的才是我们想要的。
#
# 在这个随机种子下，Kaiming 的曲线一路向下漂移，到第 99 层是 0.1667。这 100 个权重矩阵只是一次随机抽样，而 Kaiming 只在对抽样取期望的意义下保持二阶矩；“为什么初始化很重要”一页的“一个网络只是一次抽样”一节度量了这种漂移。

# %% alt="100 层中每一层输出的标准差，纵轴为对数刻度，每种初始化策略一条曲线：线性网络配 N(0, 1) 沿直线上升，直到超出 float32 的范围而中断；relu 配增益 5/3 的 Xavier 稳定上升，relu 配增益 1 的 Xavier 稳定下降；其余四种几乎水平，在这个刻度下都停在 1 附近"
# 图中的文字及其字体。没有 Noto Sans CJK SC 时，换成系统里的中文字体，如 PingFang SC（macOS）或 Microsoft YaHei（Windows）。
text = {"font": "Noto Sans CJK SC", "x": "层", "y": "该层输出的标准差"}
plt.rcParams["font.sans-serif"] = [text["font"], *plt.rcParams["font.sans-serif"]]
fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
for name, stds in results.items():
    ax.plot(range(len(stds)), stds, label=name)
ax.set_yscale("log")
ax.set_xlabel(text["x"])
ax.set_ylabel(text["y"])
ax.legend(fontsize=8, ncol=2)
plt.show()
