# %% [markdown]
# # 为什么新分类器的损失从 ln 2 开始
#
# 用二分类交叉熵训练的分类器，第一次打印出的损失往往非常接近 $\ln 2 \approx 0.693$。这个笔记本解释其中的原因，以及损失一直停在这个值上意味着什么。在 CPU 上运行大约一秒。

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch import nn

torch.manual_seed(0)
print(f"ln 2 = {math.log(2):.4f}")

# %% [markdown]
# ## 数据：两团相互重叠的点
#
# 二维平面上的 512 个点，第 1 类整体平移了 $(1.5, 1.5)$。

# %%
n = 256
x = torch.cat([torch.randn(n, 2), torch.randn(n, 2) + 1.5])
y = torch.cat([torch.zeros(n), torch.ones(n)]).unsqueeze(1)
print(x.shape, y.shape, y.mean().item())

# %% [markdown]
# ## 第一次的损失
#
# 刚初始化的网络输出的 logits 都在 0 附近，也就是对每个点都预测概率约为 0.5。预测 0.5 时二分类交叉熵等于 $-\log 0.5 = \ln 2$，与标签是什么无关。随机初始化的权重会让每个新模型略有偏差，所以 20 个新模型的第一次损失分布在 $\ln 2$ 两侧。

# %%
def make_model():
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))


loss_fn = nn.BCEWithLogitsLoss()
with torch.no_grad():
    first = torch.tensor([loss_fn(make_model()(x), y).item() for _ in range(20)])
print(f"first loss of 20 fresh models: mean {first.mean():.4f}, "
      f"min {first.min():.4f}, max {first.max():.4f}")


# %% [markdown]
# ## 训练，以及一个什么也学不到的模型
#
# 第二个模型使用同样的数据，但标签被随机打乱：$x$ 和 $y$ 之间不再有任何联系，它能做到的最好结果就是处处预测 0.5，于是损失一直停在 $\ln 2$ 附近。

# %%
def train(model, x, y, steps=200):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        history.append(loss.item())
    return history


learns = train(make_model(), x, y)
shuffled = y[torch.randperm(len(y))]
stuck = train(make_model(), x, shuffled)
print(f"real labels:     {learns[0]:.4f} -> {learns[-1]:.4f}")
print(f"shuffled labels: {stuck[0]:.4f} -> {stuck[-1]:.4f}")

# %% alt="BCE 损失随训练步数变化的曲线（共 200 步）：使用真实标签时，损失从略高于 ln 2 虚线的位置开始，很快降到远低于这条线；标签被打乱时，损失始终停在 ln 2 这条虚线上"
# 图中的文字及其字体。没有 Noto Sans CJK SC 时，换成系统里的中文字体，如 PingFang SC（macOS）或 Microsoft YaHei（Windows）。
text = {"font": "Noto Sans CJK SC", "real": "真实标签", "shuffled": "打乱后的标签", "x": "训练步数", "y": "BCE 损失"}
plt.rcParams["font.sans-serif"] = [text["font"], *plt.rcParams["font.sans-serif"]]
fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
ax.plot(learns, label=text["real"])
ax.plot(stuck, label=text["shuffled"])
ax.axhline(math.log(2), color="gray", linestyle="--", label="ln 2")
ax.set_xlabel(text["x"])
ax.set_ylabel(text["y"])
ax.legend()
plt.show()

# %% [markdown]
# 损失从 0.69 开始是正常的；损失**一直停在** 0.69，说明模型对所有样本都只会预测 0.5。这时应当检查标签是否正确、学习率是否合适，以及最后一层之后是否又多套了一层 sigmoid。
