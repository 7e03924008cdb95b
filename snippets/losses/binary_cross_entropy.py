"""Examples for docs/losses/binary_cross_entropy.md: BCELoss and BCEWithLogitsLoss."""

# --8<-- [start:setup]
import math

import torch
import torch.nn.functional as F
from torch import nn

# 4 samples, 2 independent binary outputs each: logits and 0/1 targets (floats).
logits = torch.tensor([[1.0, 2.0], [2.0, 2.0], [3.0, 4.0], [4.0, 5.0]])
target = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
probs = torch.sigmoid(logits)  # BCELoss wants probabilities in [0, 1]
# Three decimals: the exact loss of logit 4 with target 0, 4 + log(1 + e^-4), lies this
# far below 4.01815, where its 4th decimal turns; one float32 ulp (5e-7 near 4) decides.
print(f"{4 + math.log1p(math.exp(-4)) - 4.01815:.1e}")
#> -7.2e-08
torch.set_printoptions(precision=3)
# --8<-- [end:setup]

# --8<-- [start:bce-reduction]
print(probs)
#> tensor([[0.731, 0.881],
#>         [0.881, 0.881],
#>         [0.953, 0.982],
#>         [0.982, 0.993]])
print(nn.BCELoss(reduction="none")(probs, target))
#> tensor([[0.313, 2.127],
#>         [0.127, 2.127],
#>         [3.049, 0.018],
#>         [4.018, 0.007]])
print(nn.BCELoss(reduction="sum")(probs, target), nn.BCELoss()(probs, target))
#> tensor(11.786) tensor(1.473)
# --8<-- [end:bce-reduction]

# --8<-- [start:bce-by-hand]
x, y = probs[0, 0], target[0, 0]  # sigmoid(1) and a positive target
l = -(y * torch.log(x) + (1 - y) * torch.log(1 - x))
print(l)
#> tensor(0.313)
# --8<-- [end:bce-by-hand]

# --8<-- [start:bce-mean-is-plain]
# 'mean' divides by the number of elements, here 8, even with weights.
print(nn.BCELoss(reduction="sum")(probs, target) / target.numel())
#> tensor(1.473)
# --8<-- [end:bce-mean-is-plain]

# --8<-- [start:bce-weight]
# weight is broadcast to the input's shape and multiplies each element's loss.
per_column = torch.tensor([1.0, 2.0])  # shape (2,): broadcast over the rows
print(nn.BCELoss(weight=per_column, reduction="none")(probs, target))
#> tensor([[0.313, 4.254],
#>         [0.127, 4.254],
#>         [3.049, 0.036],
#>         [4.018, 0.013]])
per_sample = torch.tensor([[1.0], [0.0], [0.0], [1.0]])  # shape (4, 1): one per row
print(nn.BCELoss(weight=per_sample, reduction="none")(probs, target))
#> tensor([[0.313, 2.127],
#>         [0.000, 0.000],
#>         [0.000, 0.000],
#>         [4.018, 0.007]])
# The mean still divides by 8, not by the sum of the weights:
print(nn.BCELoss(weight=per_sample, reduction="sum")(probs, target))
#> tensor(6.465)
print(nn.BCELoss(weight=per_sample)(probs, target))
#> tensor(0.808)
# --8<-- [end:bce-weight]

# --8<-- [start:bce-no-ignore-index]
try:
    nn.BCELoss(ignore_index=0)
except TypeError as err:
    print(err)
#> _WeightedLoss.__init__() got an unexpected keyword argument 'ignore_index'
# --8<-- [end:bce-no-ignore-index]

# --8<-- [start:bce-mask]
# To leave elements out, weigh them by 0 and divide by the number kept.
mask = torch.tensor([[1.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
per_element = nn.BCELoss(reduction="none")(probs, target)
print((per_element * mask).sum() / mask.sum())
#> tensor(0.940)
# --8<-- [end:bce-mask]

# --8<-- [start:bce-mask-all-masked]
# A batch in which every element is masked: 0 / 0, and a nan gradient.
leaf = probs.clone().requires_grad_()
nothing_kept = torch.zeros_like(mask)
loss = (nn.BCELoss(reduction="none")(leaf, target) * nothing_kept).sum() / nothing_kept.sum()
print(loss, bool(torch.autograd.grad(loss, leaf)[0].isnan().all()))
#> tensor(nan, grad_fn=<DivBackward0>) True


# The fix: clamp the count to at least 1. The loss is 0 and the gradient finite (0).
def masked_mean(per_element, mask):
    return (per_element * mask).sum() / mask.sum().clamp(min=1)


loss = masked_mean(nn.BCELoss(reduction="none")(leaf, target), nothing_kept)
print(loss, torch.autograd.grad(loss, leaf)[0].abs().sum())
#> tensor(0., grad_fn=<DivBackward0>) tensor(0.)
# With something kept, the count is at least 1 and the clamp changes nothing:
print(masked_mean(nn.BCELoss(reduction="none")(probs, target), mask))
#> tensor(0.940)
# --8<-- [end:bce-mask-all-masked]

# --8<-- [start:with-logits]
print(nn.BCEWithLogitsLoss(reduction="none")(logits, target))
#> tensor([[0.313, 2.127],
#>         [0.127, 2.127],
#>         [3.049, 0.018],
#>         [4.018, 0.007]])
print(nn.BCEWithLogitsLoss(reduction="sum")(logits, target),
      nn.BCEWithLogitsLoss()(logits, target))
#> tensor(11.786) tensor(1.473)
# Computed in other float32 steps than BCELoss: equal up to rounding (here to a
# relative 1e-4), not necessarily bit for bit.
print(torch.allclose(nn.BCEWithLogitsLoss(reduction="none")(logits, target),
                     nn.BCELoss(reduction="none")(probs, target), rtol=1e-4))
#> True
# --8<-- [end:with-logits]

# --8<-- [start:pos-weight]
pos_weight = torch.tensor([3.0])  # e.g. 100 positives for 300 negatives
loss = nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="none")(logits, target)
print(loss)
#> tensor([[0.940, 2.127],
#>         [0.381, 2.127],
#>         [3.049, 0.054],
#>         [4.018, 0.020]])
print(loss.sum(), loss.mean())
#> tensor(12.716) tensor(1.589)
print(3 * nn.BCEWithLogitsLoss(reduction="none")(logits, target)[0, 0])
#> tensor(0.940)
# --8<-- [end:pos-weight]

# --8<-- [start:pos-weight-per-class]
# One pos_weight per output column (class), broadcast along the last dimension.
loss = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.0, 3.0]), reduction="none")
print(loss(logits, target))
#> tensor([[0.313, 2.127],
#>         [0.127, 2.127],
#>         [3.049, 0.054],
#>         [4.018, 0.020]])
# --8<-- [end:pos-weight-per-class]

# --8<-- [start:pos-weight-broadcast]
# Segmentation: 2 classes, maps of 2 x 2 pixels, every pixel positive, all logits 0.
maps = torch.zeros(1, 2, 2, 2)  # (N, C, H, W)
ones = torch.ones(1, 2, 2, 2)
per_class = torch.tensor([1.0, 3.0])  # meant: class 0 -> 1, class 1 -> 3
unweighted = F.binary_cross_entropy_with_logits(maps, ones, reduction="none")
wrong = F.binary_cross_entropy_with_logits(maps, ones, pos_weight=per_class, reduction="none")
# The factor applied to each pixel's loss, rounded to whole numbers:
print((wrong / unweighted).round())  # (C,) is aligned with the LAST dim, W: columns
#> tensor([[[[1., 3.],
#>           [1., 3.]],
#>
#>          [[1., 3.],
#>           [1., 3.]]]])
right = F.binary_cross_entropy_with_logits(
    maps, ones, pos_weight=per_class.view(2, 1, 1), reduction="none")
print((right / unweighted).round())  # (C, 1, 1) is aligned with C: classes
#> tensor([[[[1., 1.],
#>           [1., 1.]],
#>
#>          [[3., 3.],
#>           [3., 3.]]]])
# Only W == C hides the mistake; with W != C the shapes do not broadcast:
try:
    F.binary_cross_entropy_with_logits(torch.zeros(1, 2, 2, 5), torch.ones(1, 2, 2, 5),
                                       pos_weight=per_class)
except RuntimeError as err:
    print(err)
#> The size of tensor a (2) must match the size of tensor b (5) at non-singleton dimension 3
# --8<-- [end:pos-weight-broadcast]

# --8<-- [start:pos-weight-shifts-probabilities]
# Fit one constant logit b to 8 labels with base rate 0.25, in float64.
labels = torch.tensor([1.0, 0, 0, 0, 1, 0, 0, 0], dtype=torch.float64)


def fitted_probability(pos_weight=None):
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([b], tolerance_grad=1e-10, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(b.expand(8), labels, pos_weight=pos_weight)
        loss.backward()
        return loss

    optimizer.step(closure)
    return torch.sigmoid(b.detach()).item(), b.item()


pi = labels.mean().item()
for w in (1.0, 3.0):
    p_fit, b_fit = fitted_probability(torch.tensor(w, dtype=torch.float64))
    p_closed = pi * w / (pi * w + 1 - pi)  # p* = pi w / (pi w + 1 - pi)
    print(f"pos_weight {w:.0f}: fitted p {p_fit:.4f}  closed form {p_closed:.4f}  "
          f"calibrated sigmoid(b - log w) {1 / (1 + math.exp(-(b_fit - math.log(w)))):.4f}")
#> pos_weight 1: fitted p 0.2500  closed form 0.2500  calibrated sigmoid(b - log w) 0.2500
#> pos_weight 3: fitted p 0.5000  closed form 0.5000  calibrated sigmoid(b - log w) 0.2500
# The closed form rate by rate: p* > 0.5 exactly where the rate is above 1 / (1 + 3).
for rate in (0.1, 0.2, 0.3, 0.4):
    print(f"base rate {rate:.1f} -> p* {rate * 3 / (rate * 3 + 1 - rate):.4f}")
#> base rate 0.1 -> p* 0.2500
#> base rate 0.2 -> p* 0.4286
#> base rate 0.3 -> p* 0.5625
#> base rate 0.4 -> p* 0.6667
# --8<-- [end:pos-weight-shifts-probabilities]

# --8<-- [start:stability]
# A confident logit of 20 for a negative example, and -120 for a positive one.
big = torch.tensor([20.0, -120.0], requires_grad=True)
y = torch.tensor([0.0, 1.0])
print(torch.sigmoid(big))  # float32 rounds these to exactly 1 and 0
#> tensor([1., 0.], grad_fn=<SigmoidBackward0>)
fused = F.binary_cross_entropy_with_logits(big, y, reduction="none")
print(fused)  # the true losses are 20 and 120
#> tensor([ 20., 120.], grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)
unfused = F.binary_cross_entropy(torch.sigmoid(big), y, reduction="none")
print(unfused)  # log(0) is clamped at -100: both losses are wrong
#> tensor([100., 100.], grad_fn=<BinaryCrossEntropyBackward0>)
(grad_fused,) = torch.autograd.grad(fused.sum(), big)
(grad_unfused,) = torch.autograd.grad(unfused.sum(), big)
print(grad_fused)  # sigmoid(x) - y: a strong signal to correct the mistake
#> tensor([ 1., -1.])
print(grad_unfused)  # no signal at all: training stalls on these examples
#> tensor([0., -0.])
# --8<-- [end:stability]

from snippets.from_scratch.losses import (  # noqa: E402  (shown above)
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
)

# --8<-- [start:from-scratch-check]
g = torch.Generator().manual_seed(2)
x = 30 * torch.randn(5, 3, generator=g, dtype=torch.float64)  # some large logits
y = torch.randint(0, 2, (5, 3), generator=g).double()
w = torch.rand(5, 1, generator=g, dtype=torch.float64)
p = torch.tensor([0.5, 1.0, 4.0], dtype=torch.float64)
ours = binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=p)
theirs = F.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=p)
print(f"{ours.item():.6g} {theirs.item():.6g}")
#> 7.16492 7.16492
probs64 = torch.sigmoid(x / 30)
print(torch.allclose(binary_cross_entropy(probs64, y, weight=w, reduction="none"),
                     F.binary_cross_entropy(probs64, y, weight=w, reduction="none")))
#> True
# --8<-- [end:from-scratch-check]

# --8<-- [start:pitfall-not-probabilities]
try:
    nn.BCELoss()(logits, target)  # logits, not probabilities
except RuntimeError as err:
    print(err)
#> all elements of input should be between 0 and 1
# --8<-- [end:pitfall-not-probabilities]

# --8<-- [start:pitfall-shape]
scores = torch.tensor([0.8, 0.3, 0.6])  # model output of shape (N,)
labels = torch.tensor([[1.0], [0.0], [1.0]])  # labels of shape (N, 1)
try:
    nn.BCELoss()(scores, labels)
except ValueError as err:
    print(err)
#> Using a target size (torch.Size([3, 1])) that is different to the input size (torch.Size([3])) is deprecated. Please ensure they have the same size.
print(nn.BCELoss()(scores, labels.squeeze(1)))  # the fix: the same shape
#> tensor(0.364)
try:
    nn.BCEWithLogitsLoss()(scores, labels)
except ValueError as err:
    print(err)
#> Target size (torch.Size([3, 1])) must be the same as input size (torch.Size([3]))
# --8<-- [end:pitfall-shape]

# --8<-- [start:pitfall-long-target]
try:
    nn.BCEWithLogitsLoss()(logits, target.long())
except RuntimeError as err:
    print(err)
#> result type Float can't be cast to the desired output type Long
print(nn.BCEWithLogitsLoss()(logits, target.long().float()))  # the fix: float targets
#> tensor(1.473)
# --8<-- [end:pitfall-long-target]
