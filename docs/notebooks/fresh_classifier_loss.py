# %% [markdown]
# # Why a fresh classifier starts at ln 2
#
# A binary classifier trained with binary cross-entropy usually reports a first loss
# close to $\ln 2 \approx 0.693$. This notebook shows why, and what it means when the
# loss *stays* there. It runs on a CPU in about a second.

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch import nn

torch.manual_seed(0)
print(f"ln 2 = {math.log(2):.4f}")

# %% [markdown]
# ## Data: two overlapping clouds
#
# 512 points in 2-D; class 1 is shifted by $(1.5, 1.5)$.

# %%
n = 256
x = torch.cat([torch.randn(n, 2), torch.randn(n, 2) + 1.5])
y = torch.cat([torch.zeros(n), torch.ones(n)]).unsqueeze(1)
print(x.shape, y.shape, y.mean().item())

# %% [markdown]
# ## The first loss
#
# A freshly initialized network outputs logits near 0, i.e. probabilities near 0.5 for
# every point. The binary cross-entropy of predicting 0.5 is $-\log 0.5 = \ln 2$,
# whatever the labels are. Random weights make each fresh model a little off, so the
# first losses of 20 fresh models scatter around $\ln 2$.

# %%
def make_model():
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))


loss_fn = nn.BCEWithLogitsLoss()
with torch.no_grad():
    first = torch.tensor([loss_fn(make_model()(x), y).item() for _ in range(20)])
print(f"first loss of 20 fresh models: mean {first.mean():.4f}, "
      f"min {first.min():.4f}, max {first.max():.4f}")


# %% [markdown]
# ## Training, and a model that learns nothing
#
# The second model gets the same data but shuffled labels: nothing links $x$ to $y$, so
# the best it can do is predict 0.5 everywhere, and its loss stays near $\ln 2$.

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

# %% alt="BCE loss against the training step, over 200 steps: with the real labels the loss starts a little above the dashed line at ln 2 and soon falls far below it; with shuffled labels it stays on that line throughout"
# The figure's words and their font (the Chinese notebook names a CJK font here).
text = {"font": "DejaVu Sans", "real": "real labels", "shuffled": "shuffled labels", "x": "step", "y": "BCE loss"}
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
# A loss that starts at 0.69 is healthy. A loss that *stays* at 0.69 means the model
# predicts 0.5 for everything: check the labels, the learning rate, and that the last
# layer is not followed by a second sigmoid.
