"""Examples for docs/losses/regression.md: L1Loss, MSELoss, SmoothL1Loss, HuberLoss."""

# --8<-- [start:setup]
import warnings

import torch
from torch import nn

prediction = torch.tensor([2.5, 0.0, 2.0, 8.0])
target = torch.tensor([3.0, -0.5, 2.0, 7.0])
# --8<-- [end:setup]

# --8<-- [start:l1]
print(nn.L1Loss(reduction="none")(prediction, target))
#> tensor([0.5000, 0.5000, 0.0000, 1.0000])
print(nn.L1Loss(reduction="sum")(prediction, target), nn.L1Loss()(prediction, target))
#> tensor(2.) tensor(0.5000)
# --8<-- [end:l1]

# --8<-- [start:mse]
print(nn.MSELoss(reduction="none")(prediction, target))
#> tensor([0.2500, 0.2500, 0.0000, 1.0000])
print(nn.MSELoss(reduction="sum")(prediction, target), nn.MSELoss()(prediction, target))
#> tensor(1.5000) tensor(0.3750)
# By hand: the mean of the squared residuals, no 1/2 factor.
print(((prediction - target) ** 2).mean())
#> tensor(0.3750)
# --8<-- [end:mse]

# --8<-- [start:mse-gradient]
# d/dx (x - y)^2 = 2 (x - y): with 'mean' over N elements, the gradient is 2 (x - y) / N.
x = prediction.clone().requires_grad_()
nn.MSELoss()(x, target).backward()
print(x.grad, 2 * (prediction - target) / 4)
#> tensor([-0.2500,  0.2500,  0.0000,  0.5000]) tensor([-0.2500,  0.2500,  0.0000,  0.5000])
# The L1 gradient is sign(x - y) / N: the same size for every wrong element.
x = prediction.clone().requires_grad_()
nn.L1Loss()(x, target).backward()
print(x.grad)
#> tensor([-0.2500,  0.2500,  0.0000,  0.2500])
# --8<-- [end:mse-gradient]

# --8<-- [start:outlier]
# Nine good predictions and one outlier (a mislabelled target of 100 instead of 10).
y = torch.full((10,), 10.0)
y[9] = 100.0
for name, loss_fn in (("L1", nn.L1Loss()), ("MSE", nn.MSELoss())):
    x = torch.full((10,), 11.0, requires_grad=True)
    loss_fn(x, y).backward()
    share = x.grad[9].abs() / x.grad.abs().sum()
    print(f"{name:<4} gradient on the outlier {x.grad[9]:+.3f}, on a good point "
          f"{x.grad[0]:+.3f}: the outlier gets {share:.0%} of the signal")
#> L1   gradient on the outlier -0.100, on a good point +0.100: the outlier gets 10% of the signal
#> MSE  gradient on the outlier -17.800, on a good point +0.200: the outlier gets 91% of the signal
# --8<-- [end:outlier]

# --8<-- [start:broadcasting]
# A model output of shape (N, 1) against targets of shape (N,):
output = torch.tensor([[1.0], [2.0], [3.0]])
labels = torch.tensor([1.0, 2.0, 3.0])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    loss = nn.MSELoss()(output, labels)
for warning in caught:
    print(warning.category.__name__, warning.message)
#> UserWarning Using a target size (torch.Size([3])) that is different to the input size (torch.Size([3, 1])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.
print(loss)  # a perfect prediction, yet the loss is not 0
#> tensor(1.3333)
# (3, 1) - (3,) broadcasts to (3, 3): every output is compared with every label.
print((output - labels) ** 2)
#> tensor([[0., 1., 4.],
#>         [1., 0., 1.],
#>         [4., 1., 0.]])
print(nn.MSELoss()(output.squeeze(1), labels))  # the fix: the same shape
#> tensor(0.)
# --8<-- [end:broadcasting]

# --8<-- [start:smooth-l1-vs-huber]
r = torch.tensor([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])  # residuals x - y
zero = torch.zeros_like(r)
print(nn.SmoothL1Loss(reduction="none")(r, zero))  # beta = 1
#> tensor([2.5000, 0.5000, 0.1250, 0.0000, 0.1250, 0.5000, 2.5000])
print(nn.HuberLoss(reduction="none")(r, zero))  # delta = 1: the same for delta = 1
#> tensor([2.5000, 0.5000, 0.1250, 0.0000, 0.1250, 0.5000, 2.5000])
# --8<-- [end:smooth-l1-vs-huber]

# --8<-- [start:huber-is-scaled-smooth-l1]
for delta in (0.5, 2.0):
    huber = nn.HuberLoss(reduction="none", delta=delta)(r, zero)
    smooth = nn.SmoothL1Loss(reduction="none", beta=delta)(r, zero)
    print(delta, huber)
    print(delta, delta * smooth, torch.allclose(huber, delta * smooth))
#> 0.5 tensor([1.3750, 0.3750, 0.1250, 0.0000, 0.1250, 0.3750, 1.3750])
#> 0.5 tensor([1.3750, 0.3750, 0.1250, 0.0000, 0.1250, 0.3750, 1.3750]) True
#> 2.0 tensor([4.0000, 0.5000, 0.1250, 0.0000, 0.1250, 0.5000, 4.0000])
#> 2.0 tensor([4.0000, 0.5000, 0.1250, 0.0000, 0.1250, 0.5000, 4.0000]) True
# --8<-- [end:huber-is-scaled-smooth-l1]

# --8<-- [start:beta-to-zero]
for beta in (1.0, 0.1, 0.0):
    print(beta, nn.SmoothL1Loss(reduction="none", beta=beta)(r, zero))
#> 1.0 tensor([2.5000, 0.5000, 0.1250, 0.0000, 0.1250, 0.5000, 2.5000])
#> 0.1 tensor([2.9500, 0.9500, 0.4500, 0.0000, 0.4500, 0.9500, 2.9500])
#> 0.0 tensor([3.0000, 1.0000, 0.5000, 0.0000, 0.5000, 1.0000, 3.0000])
print(nn.L1Loss(reduction="none")(r, zero))
#> tensor([3.0000, 1.0000, 0.5000, 0.0000, 0.5000, 1.0000, 3.0000])
# --8<-- [end:beta-to-zero]

# --8<-- [start:mean-or-median]
# A right-skewed sample: 1001 log-normal values, in float64. Fit one constant c to it
# by minimising each loss. Every loss here is convex in c, so bisect on the sign of
# its derivative, which autograd gives.
g = torch.Generator().manual_seed(0)
y = torch.randn(1001, generator=g, dtype=torch.float64).exp()


def fit_constant(loss_fn, y, steps=100):
    low, high = y.min().item(), y.max().item()
    for _ in range(steps):
        c = torch.tensor((low + high) / 2, dtype=y.dtype, requires_grad=True)
        loss_fn(c.expand_as(y), y).backward()
        if c.grad > 0:
            high = c.item()
        elif c.grad < 0:
            low = c.item()
        else:
            break
    return c.detach()


print(f"mean {y.mean():.4f}, median {y.median():.4f}, largest value {y.max():.2f}")
#> mean 1.6244, median 0.9949, largest value 16.98
for name, loss_fn in (("MSE", nn.MSELoss()), ("L1", nn.L1Loss()),
                      ("Huber, delta = 0.1", nn.HuberLoss(delta=0.1)),
                      ("Huber, delta = 1", nn.HuberLoss(delta=1.0)),
                      ("Huber, delta = 30", nn.HuberLoss(delta=30.0))):
    print(f"{name:<18} fits c = {fit_constant(loss_fn, y):.4f}")
#> MSE                fits c = 1.6244
#> L1                 fits c = 0.9949
#> Huber, delta = 0.1 fits c = 1.0002
#> Huber, delta = 1   fits c = 1.1608
#> Huber, delta = 30  fits c = 1.6244
# Each loss is lowest at its own constant:
for name, loss_fn in (("MSE", nn.MSELoss()), ("L1", nn.L1Loss())):
    at_mean, at_median = (loss_fn(c.expand_as(y), y) for c in (y.mean(), y.median()))
    print(f"{name:<4} at the mean {at_mean:.4f}, at the median {at_median:.4f}")
#> MSE  at the mean 3.6564, at the median 4.0527
#> L1   at the mean 1.2184, at the median 1.0898
# --8<-- [end:mean-or-median]

from snippets.from_scratch.losses import (  # noqa: E402  (shown above)
    huber_loss,
    l1_loss,
    mse_loss,
    smooth_l1_loss,
)

# --8<-- [start:from-scratch-check]
g = torch.Generator().manual_seed(0)
x = 3 * torch.randn(4, 5, generator=g, dtype=torch.float64)
y = 3 * torch.randn(4, 5, generator=g, dtype=torch.float64)
checks = {
    "l1_loss": (l1_loss(x, y), nn.functional.l1_loss(x, y)),
    "mse_loss": (mse_loss(x, y, reduction="sum"), nn.functional.mse_loss(x, y, reduction="sum")),
    "smooth_l1_loss": (smooth_l1_loss(x, y, beta=0.7), nn.functional.smooth_l1_loss(x, y, beta=0.7)),
    "huber_loss": (huber_loss(x, y, delta=2.5), nn.functional.huber_loss(x, y, delta=2.5)),
}
for name, (ours, theirs) in checks.items():
    print(f"{name:<15} {ours.item():.6g} {theirs.item():.6g} {torch.allclose(ours, theirs)}")
#> l1_loss         2.50893 2.50893 True
#> mse_loss        220.095 220.095 True
#> smooth_l1_loss  2.18319 2.18319 True
#> huber_loss      3.92259 3.92259 True
# --8<-- [end:from-scratch-check]
