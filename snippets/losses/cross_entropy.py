"""Examples for docs/losses/cross_entropy.md: CrossEntropyLoss and NLLLoss."""

# --8<-- [start:setup]
import torch
import torch.nn.functional as F
from torch import nn

# 3 samples, 2 classes: raw scores (logits) and the index of the true class.
inputs = torch.tensor([[1.0, 2.0], [1.0, 3.0], [1.0, 3.0]])
target = torch.tensor([0, 1, 1])
# --8<-- [end:setup]

# --8<-- [start:reduction]
for reduction in ("none", "sum", "mean"):
    print(reduction, nn.CrossEntropyLoss(reduction=reduction)(inputs, target))
#> none tensor([1.3133, 0.1269, 0.1269])
#> sum tensor(1.5671)
#> mean tensor(0.5224)
# --8<-- [end:reduction]

# --8<-- [start:by-hand]
x0, y0 = inputs[0], target[0]
# l_0 = -x_{0, y_0} + log(sum_j exp(x_{0, j}))
l0 = -x0[y0] + torch.log(torch.exp(x0).sum())
print(l0)
#> tensor(1.3133)
# --8<-- [end:by-hand]

# --8<-- [start:class-weights]
weights = torch.tensor([1.0, 2.0])
for reduction in ("none", "sum", "mean"):
    loss = nn.CrossEntropyLoss(weight=weights, reduction=reduction)
    print(reduction, loss(inputs, target))
#> none tensor([1.3133, 0.2539, 0.2539])
#> sum tensor(1.8210)
#> mean tensor(0.3642)
# --8<-- [end:class-weights]

# --8<-- [start:weighted-mean]
w_y = weights[target]  # the weight of each sample's true class
print(w_y, w_y.sum())
#> tensor([1., 2., 2.]) tensor(5.)
per_sample = nn.CrossEntropyLoss(weight=weights, reduction="none")(inputs, target)
print(per_sample.sum() / w_y.sum())  # divided by 1 + 2 + 2 = 5 shares, not by 3 samples
#> tensor(0.3642)
print(per_sample.mean())  # what a plain average would give instead
#> tensor(0.6070)
# Only the ratio of the weights matters for 'mean': the scale cancels.
print(nn.CrossEntropyLoss(weight=torch.tensor([0.5, 1.0]))(inputs, target))
#> tensor(0.3642)
# --8<-- [end:weighted-mean]

# --8<-- [start:ignore-index]
# A padded position is marked -100 (the default ignore_index): it gets a loss of 0
# and is left out of the mean's denominator.
padded = torch.tensor([0, 1, -100])
print(nn.CrossEntropyLoss(reduction="none")(inputs, padded))
#> tensor([1.3133, 0.1269, 0.0000])
print(nn.CrossEntropyLoss()(inputs, padded))  # (1.3133 + 0.1269) / 2
#> tensor(0.7201)
# Any class can be ignored, e.g. a "void" class 1 in segmentation:
print(nn.CrossEntropyLoss(ignore_index=1)(inputs, target))  # only sample 0 is left
#> tensor(1.3133)
# If every target is ignored, 'mean' is 0 / 0:
print(nn.CrossEntropyLoss()(inputs, torch.tensor([-100, -100, -100])))
#> tensor(nan)
# --8<-- [end:ignore-index]

# --8<-- [start:label-smoothing]
eps = 0.1
smoothed = nn.CrossEntropyLoss(label_smoothing=eps, reduction="none")(inputs, target)
print(smoothed)
#> tensor([1.2633, 0.2269, 0.2269])
# The same as a soft target: (1 - eps) * one-hot + eps / C
C = inputs.shape[1]
soft = F.one_hot(target, C).float() * (1 - eps) + eps / C
print(soft)
#> tensor([[0.9500, 0.0500],
#>         [0.0500, 0.9500],
#>         [0.0500, 0.9500]])
print(nn.CrossEntropyLoss(reduction="none")(inputs, soft))
#> tensor([1.2633, 0.2269, 0.2269])
# --8<-- [end:label-smoothing]

# --8<-- [start:probability-targets]
# Soft labels, e.g. from a teacher model or from annotators who disagree.
probs = torch.tensor([[0.7, 0.3], [0.0, 1.0], [0.5, 0.5]])
loss = nn.CrossEntropyLoss(reduction="none")(inputs, probs)
print(loss)
#> tensor([1.0133, 0.1269, 1.1269])
# l_n = -sum_c y_{n,c} log softmax(x_n)_c
print(-(probs * torch.log_softmax(inputs, dim=1)).sum(dim=1))
#> tensor([1.0133, 0.1269, 1.1269])
# ignore_index has no meaning here: a non-negative one is refused.
try:
    nn.CrossEntropyLoss(ignore_index=0)(inputs, probs)
except RuntimeError as err:
    print(err)
#> ignore_index is not supported for floating point target
# --8<-- [end:probability-targets]

# --8<-- [start:k-dimensional]
# Segmentation: a score per class for every pixel, a class index per pixel.
g = torch.Generator().manual_seed(0)
N, C, H, W = 2, 3, 4, 4
scores = torch.randn(N, C, H, W, generator=g)  # (N, C, H, W)
labels = torch.randint(0, C, (N, H, W), generator=g)  # (N, H, W), no class dimension
per_pixel = nn.CrossEntropyLoss(reduction="none")(scores, labels)
print(per_pixel.shape)
#> torch.Size([2, 4, 4])
print(nn.CrossEntropyLoss()(scores, labels))
#> tensor(1.7511)
# The same as flattening every pixel into a sample of an (N*H*W, C) batch:
flat_scores = scores.permute(0, 2, 3, 1).reshape(-1, C)
print(nn.CrossEntropyLoss()(flat_scores, labels.reshape(-1)))
#> tensor(1.7511)
# --8<-- [end:k-dimensional]

# --8<-- [start:nll-reduction]
# NLLLoss picks -x[n, y_n]; it does not apply log-softmax itself.
for reduction in ("none", "sum", "mean"):
    print(reduction, nn.NLLLoss(reduction=reduction)(inputs, target))
#> none tensor([-1., -3., -3.])
#> sum tensor(-7.)
#> mean tensor(-2.3333)
# --8<-- [end:nll-reduction]

# --8<-- [start:nll-more-than-minus]
# It is more than "a minus sign": it gathers the target column, weighs it,
# skips ignored targets and divides by the kept weights.
weights = torch.tensor([1.0, 2.0])
picked = inputs.gather(1, target.unsqueeze(1)).squeeze(1)  # x[n, y_n]
print(picked)
#> tensor([1., 3., 3.])
print(nn.NLLLoss(weight=weights, reduction="none")(inputs, target))
#> tensor([-1., -6., -6.])
print(nn.NLLLoss(weight=weights)(inputs, target))  # (-1 - 6 - 6) / (1 + 2 + 2)
#> tensor(-2.6000)
print(nn.NLLLoss(weight=weights)(inputs, torch.tensor([0, 1, -100])))  # (-1 - 6) / 3
#> tensor(-2.3333)
# --8<-- [end:nll-more-than-minus]

# --8<-- [start:ce-equals-logsoftmax-nll]
log_probs = nn.LogSoftmax(dim=1)(inputs)
print(nn.NLLLoss(reduction="none")(log_probs, target))
#> tensor([1.3133, 0.1269, 0.1269])
print(torch.allclose(nn.NLLLoss()(log_probs, target), nn.CrossEntropyLoss()(inputs, target)))
#> True
# A common mistake: a softmax at the end of the model, then CrossEntropyLoss.
# The loss applies its own log-softmax on top, and the result is distorted:
print(nn.CrossEntropyLoss()(torch.softmax(inputs, dim=1), target))
#> tensor(0.5723)
# Log-softmax twice, by contrast, changes nothing (log-probabilities are already
# normalized), so feeding log_probs to CrossEntropyLoss only hides the redundancy:
print(nn.CrossEntropyLoss()(log_probs, target))
#> tensor(0.5224)
# --8<-- [end:ce-equals-logsoftmax-nll]

from snippets.from_scratch.losses import cross_entropy, nll_loss  # noqa: E402  (shown above)

# --8<-- [start:from-scratch-check]
g = torch.Generator().manual_seed(1)
x = torch.randn(4, 5, 3, generator=g, dtype=torch.float64)
y = torch.randint(0, 5, (4, 3), generator=g)
w = torch.rand(5, generator=g, dtype=torch.float64)
ours = cross_entropy(x, y, weight=w, label_smoothing=0.2)
theirs = F.cross_entropy(x, y, weight=w, label_smoothing=0.2)
print(f"{ours.item():.6g} {theirs.item():.6g}")
#> 1.87005 1.87005
print(torch.allclose(ours, theirs))
#> True
print(torch.allclose(nll_loss(x, y, w, reduction="none"), F.nll_loss(x, y, w, reduction="none")))
#> True
# --8<-- [end:from-scratch-check]

# --8<-- [start:pitfall-float-target]
try:
    nn.CrossEntropyLoss()(inputs, target.float())
except RuntimeError as err:
    print(err)
#> expected target dtype to be Long or Byte, but got Float
# --8<-- [end:pitfall-float-target]

# --8<-- [start:pitfall-out-of-range]
try:
    nn.CrossEntropyLoss()(inputs, torch.tensor([0, 1, 2]))  # only classes 0 and 1 exist
except IndexError as err:
    print(err)
#> Target 2 is out of bounds.
# --8<-- [end:pitfall-out-of-range]

# --8<-- [start:pitfall-column-target]
column = target.view(-1, 1)  # shape (3, 1), e.g. read from a CSV column
try:
    nn.CrossEntropyLoss()(inputs, column)
except RuntimeError as err:
    print(err)
#> 0D or 1D target tensor expected, multi-target not supported
print(nn.CrossEntropyLoss()(inputs, column.squeeze(1)))  # the fix: shape (N,)
#> tensor(0.5224)
# --8<-- [end:pitfall-column-target]
