"""Examples for docs/losses/margin.md: MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss,
MultiLabelSoftMarginLoss, MultiLabelMarginLoss, MultiMarginLoss."""

# --8<-- [start:setup]
import math

import torch
from torch import nn
from torch.nn import functional as F
# --8<-- [end:setup]

# --8<-- [start:margin-ranking]
x1 = torch.tensor([1.0, 2.0, 3.0])
x2 = torch.tensor([2.0, 2.0, 2.0])
y = torch.tensor([1.0, 1.0, -1.0])  # 1: x1 should rank higher; -1: x2 should
print(nn.MarginRankingLoss(reduction="none")(x1, x2, y))  # margin = 0
#> tensor([1., 0., 1.])
loss_fn = nn.MarginRankingLoss(margin=0.5, reduction="none")
print(loss_fn(x1, x2, y))
#> tensor([1.5000, 0.5000, 1.5000])
# By hand, the first pair: max(0, -y (x1 - x2) + margin)
print(max(0.0, -1.0 * (1.0 - 2.0) + 0.5))
#> 1.5
print(nn.MarginRankingLoss(margin=0.5)(x1, x2, y))  # 'mean': (1.5 + 0.5 + 1.5) / 3
#> tensor(1.1667)
# --8<-- [end:margin-ranking]

# --8<-- [start:boundary-gradient]
# Exactly at the margin the loss is 0, but MarginRankingLoss still passes a gradient:
a = torch.tensor([2.0], requires_grad=True)
loss = nn.MarginRankingLoss(margin=0.5)(a, torch.tensor([1.5]), torch.tensor([1.0]))
loss.backward()  # y (a - b) = 0.5 = margin
print(loss, a.grad)
#> tensor(0., grad_fn=<MeanBackward0>) tensor([-1.])
# So does HingeEmbeddingLoss at a distance equal to its margin:
d = torch.tensor([1.0], requires_grad=True)
loss = nn.HingeEmbeddingLoss(margin=1.0)(d, torch.tensor([-1.0]))
loss.backward()
print(loss, d.grad)
#> tensor(0., grad_fn=<MeanBackward0>) tensor([-1.])
# MultiMarginLoss at a gap of exactly 1 (its margin): loss 0 and gradient 0.
s = torch.tensor([[2.0, 1.0, 0.0]], requires_grad=True)
loss = nn.MultiMarginLoss()(s, torch.tensor([0]))
loss.backward()
print(loss, s.grad)
#> tensor(0., grad_fn=<MultiMarginLossBackward0>) tensor([[0., 0., 0.]])
# --8<-- [end:boundary-gradient]

# --8<-- [start:hinge-embedding]
# Four pairs of embeddings; the loss takes their distance, which you compute.
a = torch.zeros(4, 2)
b = torch.tensor([[0.3, 0.4], [1.2, 1.6], [0.3, 0.4], [1.2, 1.6]])
distance = (a - b).norm(dim=1)
print(distance)
#> tensor([0.5000, 2.0000, 0.5000, 2.0000])
y = torch.tensor([1.0, 1.0, -1.0, -1.0])  # 1: similar pair, -1: dissimilar pair
print(nn.HingeEmbeddingLoss(reduction="none")(distance, y))  # margin = 1
#> tensor([0.5000, 2.0000, 0.5000, 0.0000])
# By hand, the third pair (dissimilar, closer than the margin): max(0, 1 - 0.5)
print(max(0.0, 1.0 - 0.5))
#> 0.5
print(nn.HingeEmbeddingLoss()(distance, y))  # (0.5 + 2 + 0.5 + 0) / 4
#> tensor(0.7500)
# --8<-- [end:hinge-embedding]

# --8<-- [start:soft-margin]
x = torch.tensor([[0.3, 0.7], [0.5, 0.5]])
y = torch.tensor([[-1.0, 1.0], [1.0, -1.0]])
print(nn.SoftMarginLoss(reduction="none")(x, y))
#> tensor([[0.8544, 0.4032],
#>         [0.4741, 0.9741]])
# By hand, the first element: log(1 + exp(-y x)) with y x = -0.3
print(round(math.log(1 + math.exp(0.3)), 4))
#> 0.8544
print(nn.SoftMarginLoss()(x, y))  # 'mean' over the 4 elements
#> tensor(0.6764)
# --8<-- [end:soft-margin]

# --8<-- [start:soft-margin-is-bce]
# The same loss as BCEWithLogitsLoss with the targets mapped from {-1, 1} to {0, 1}:
for reduction in ("none", "mean", "sum"):
    soft = F.soft_margin_loss(x, y, reduction=reduction)
    bce = F.binary_cross_entropy_with_logits(x, (y + 1) / 2, reduction=reduction)
    print(reduction, torch.allclose(soft, bce))
#> none True
#> mean True
#> sum True
# --8<-- [end:soft-margin-is-bce]

# --8<-- [start:multilabel-soft-margin]
x = torch.tensor([[0.3, 0.7, 0.8], [0.3, 0.7, 0.8]])
y = torch.tensor([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])  # multi-hot: several classes per sample
print(nn.MultiLabelSoftMarginLoss(reduction="none")(x, y))  # one loss per sample
#> tensor([0.5429, 0.6762])
# By hand, sample 0: class 0 is absent (log(1 + e^x)), classes 1, 2 present (log(1 + e^-x))
terms = [math.log(1 + math.exp(0.3)), math.log(1 + math.exp(-0.7)), math.log(1 + math.exp(-0.8))]
print([round(t, 4) for t in terms], round(sum(terms) / 3, 4))
#> [0.8544, 0.4032, 0.3711] 0.5429
print(nn.MultiLabelSoftMarginLoss()(x, y))  # 'mean' over the 2 samples
#> tensor(0.6095)
# --8<-- [end:multilabel-soft-margin]

# --8<-- [start:multilabel-soft-margin-is-bce]
bce = F.binary_cross_entropy_with_logits(x, y, reduction="none")  # (N, C)
C = x.shape[1]
print(torch.allclose(F.multilabel_soft_margin_loss(x, y, reduction="none"), bce.mean(dim=1)))
#> True
print(torch.allclose(F.multilabel_soft_margin_loss(x, y), bce.mean()))  # 'mean' = 'mean'
#> True
print(torch.allclose(F.multilabel_soft_margin_loss(x, y, reduction="sum"), bce.sum() / C))
#> True
# --8<-- [end:multilabel-soft-margin-is-bce]

# --8<-- [start:multilabel-soft-margin-weight]
w = torch.tensor([1.0, 2.0, 3.0])  # one weight per class, for every sample
weighted = nn.MultiLabelSoftMarginLoss(weight=w, reduction="none")(x, y)
print(weighted)
#> tensor([0.9247, 1.2913])
# w_c scales each class's term, and the sum is still divided by C = 3, as BCE's mean does:
print(F.binary_cross_entropy_with_logits(x, y, weight=w, reduction="none").mean(dim=1))
#> tensor([0.9247, 1.2913])
# By hand, sample 0: (1 * 0.8544 + 2 * 0.4032 + 3 * 0.3711) / 3
print(round((1 * terms[0] + 2 * terms[1] + 3 * terms[2]) / 3, 4))
#> 0.9247
# --8<-- [end:multilabel-soft-margin-weight]

# --8<-- [start:multilabel-margin]
x = torch.tensor([[0.1, 0.2, 0.4, 0.8]])
y = torch.tensor([[0, 3, -1, -1]])  # classes 0 and 3, padded with -1
print(nn.MultiLabelMarginLoss()(x, y))
#> tensor(0.8500)
# By hand: every (target j, non-target i) pair, hinge max(0, 1 - (x[j] - x[i])), over C = 4.
s = x[0].tolist()
hinges = {(j, i): max(0.0, 1 - (s[j] - s[i])) for j in (0, 3) for i in (1, 2)}
print({pair: round(h, 4) for pair, h in hinges.items()})
#> {(0, 1): 1.1, (0, 2): 1.3, (3, 1): 0.4, (3, 2): 0.6}
print(round(sum(hinges.values()) / 4, 4))
#> 0.85
# --8<-- [end:multilabel-margin]

# --8<-- [start:target-format]
# Everything after the first -1 is ignored: a 2 there changes nothing ...
print(nn.MultiLabelMarginLoss()(x, torch.tensor([[0, 3, -1, 2]])))
#> tensor(0.8500)
# ... while before the -1 it makes class 2 a target:
print(nn.MultiLabelMarginLoss()(x, torch.tensor([[0, 3, 2, -1]])))
#> tensor(0.5750)
# The divisor is C = 4, not the number of pairs: one target (3) gives 3 pairs.
print(nn.MultiLabelMarginLoss()(x, torch.tensor([[3, -1, -1, -1]])))
#> tensor(0.3250)
print(round((0.3 + 0.4 + 0.6) / 4, 4), "not", round((0.3 + 0.4 + 0.6) / 3, 4))
#> 0.325 not 0.4333
# --8<-- [end:target-format]

# --8<-- [start:multi-margin]
x = torch.tensor([[0.1, 0.2, 0.7], [0.2, 0.5, 0.3]])
y = torch.tensor([1, 2])  # one class index per sample
print(nn.MultiMarginLoss(reduction="none")(x, y))
#> tensor([0.8000, 0.7000])
# By hand, sample 0 (target 1): the other classes 0 and 2, over C = 3
print(round((max(0, 1 - 0.2 + 0.1) + max(0, 1 - 0.2 + 0.7)) / 3, 4))
#> 0.8
# --8<-- [end:multi-margin]

# --8<-- [start:multi-margin-options]
print(nn.MultiMarginLoss(p=2, reduction="none")(x, y))  # squared hinge: (0.9² + 1.5²) / 3
#> tensor([1.0200, 0.7500])
print(nn.MultiMarginLoss(margin=0.5, reduction="none")(x, y))  # sample 0: (0.4 + 1.0) / 3
#> tensor([0.4667, 0.3667])
w = torch.tensor([1.0, 2.0, 3.0])
print(nn.MultiMarginLoss(weight=w, reduction="none")(x, y))  # w[y]: 2 and 3
#> tensor([1.6000, 2.1000])
# The weight multiplies the powered hinge: w[y] * z^p, not (w[y] * z)^p.
print(nn.MultiMarginLoss(p=2, weight=w, reduction="none")(x, y)[0], 2 * (0.9**2 + 1.5**2) / 3)
#> tensor(2.0400) 2.04
# --8<-- [end:multi-margin-options]

# --8<-- [start:multi-margin-vs-cross-entropy]
target = torch.tensor([0])
cases = {
    "past the margin": torch.tensor([[4.0, 1.0, 0.5]]),  # x_0 beats both others by >= 1
    "right, within margin": torch.tensor([[1.0, 0.6, 0.2]]),  # argmax right, gaps < 1
}
for name, scores in cases.items():
    for loss_fn in (nn.MultiMarginLoss(), nn.CrossEntropyLoss()):
        s = scores.clone().requires_grad_()
        loss = loss_fn(s, target)
        loss.backward()
        print(f"{name:<21} {type(loss_fn).__name__:<16} {loss.item():.4f} "
              f"grad {[round(g, 4) for g in s.grad[0].tolist()]}")
#> past the margin       MultiMarginLoss  0.0000 grad [0.0, 0.0, 0.0]
#> past the margin       CrossEntropyLoss 0.0769 grad [-0.0741, 0.0461, 0.028]
#> right, within margin  MultiMarginLoss  0.2667 grad [-0.6667, 0.3333, 0.3333]
#> right, within margin  CrossEntropyLoss 0.7513 grad [-0.5282, 0.3162, 0.212]
# --8<-- [end:multi-margin-vs-cross-entropy]

# --8<-- [start:ranking-shapes]
# Scores of shape (N, 1), as a model with one output unit gives them, and targets (N,):
s1 = torch.tensor([[1.0], [2.0], [3.0]])
s2 = torch.tensor([[2.0], [2.0], [2.0]])
y = torch.tensor([1.0, 1.0, -1.0])
try:
    nn.MarginRankingLoss()(s1, s2, y)
except RuntimeError as e:
    print(f"{type(e).__name__}: {str(e).rstrip()}")  # torch's message ends with a space
#> RuntimeError: margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: torch.Size([3, 1]), input2: torch.Size([3, 1]), target: torch.Size([3])
# Broadcast, (3, 1) against (3,) would compare every pair with every target: 3 x 3.
print((-y * (s1 - s2) + 0.0).clamp(min=0))  # the formula with margin 0
#> tensor([[1., 1., 0.],
#>         [0., 0., 0.],
#>         [0., 0., 1.]])
# The fix: the same shape for all three.
print(nn.MarginRankingLoss(reduction="none")(s1.squeeze(1), s2.squeeze(1), y))
#> tensor([1., 0., 1.])
# Only the number of dimensions is checked: a (1, 3) target still broadcasts, silently.
print(nn.MarginRankingLoss(reduction="none")(s1, s2, y.reshape(1, 3)).shape)
#> torch.Size([3, 3])
# --8<-- [end:ranking-shapes]

# --8<-- [start:ranking-target-zero]
# 0/1 labels: a target 0 is not refused. It pays the margin, with a zero gradient.
s1 = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
loss = nn.MarginRankingLoss(margin=0.5, reduction="none")(s1, torch.full((3,), 2.0),
                                                          torch.tensor([1.0, 1.0, 0.0]))
loss.sum().backward()
print(loss, s1.grad)
#> tensor([1.5000, 0.5000, 0.5000], grad_fn=<ClampMinBackward0>) tensor([-1., -1., -0.])
# --8<-- [end:ranking-target-zero]

# --8<-- [start:empty-batch]
# An empty batch: 'mean' is 0 / 0 = nan and 'sum' is 0 for these four losses.
none = torch.empty(0)
print(nn.MarginRankingLoss()(none, none, none), nn.MarginRankingLoss(reduction="sum")(none, none, none))
#> tensor(nan) tensor(0.)
print(nn.SoftMarginLoss()(none, none), nn.HingeEmbeddingLoss(reduction="sum")(none, none))
#> tensor(nan) tensor(0.)
# MultiMarginLoss and MultiLabelMarginLoss return uninitialised memory here (torch 2.13):
# not 0, not nan, and not the same from one call to the next. Skip empty batches:
x, target = torch.empty(0, 3), torch.empty(0, dtype=torch.long)
loss = nn.MultiMarginLoss()(x, target) if len(target) else x.sum()  # 0, with a graph
print(loss)
#> tensor(0.)
# --8<-- [end:empty-batch]

# --8<-- [start:hinge-target-zero]
# Labels in {0, 1}, as for BCE: 0 is neither 1 nor -1, and torch adds BOTH terms.
y01 = torch.tensor([1.0, 1.0, 0.0, 0.0])
print(nn.HingeEmbeddingLoss(reduction="none")(distance, y01))
#> tensor([0.5000, 2.0000, 1.0000, 2.0000])
print(distance + (1.0 - distance).clamp(min=0))  # x + max(0, margin - x) = max(x, margin)
#> tensor([1., 2., 1., 2.])
print(nn.HingeEmbeddingLoss(reduction="none")(distance, 2 * y01 - 1))  # the fix: {-1, 1}
#> tensor([0.5000, 2.0000, 0.5000, 0.0000])
# --8<-- [end:hinge-target-zero]

# --8<-- [start:hinge-signed-input]
# A signed difference instead of a distance: similar pairs (y = 1) get a negative loss.
e1 = torch.tensor([0.0, 0.0, 0.0])
e2 = torch.tensor([0.5, -2.0, 3.0])
print(nn.HingeEmbeddingLoss(reduction="none")(e1 - e2, torch.ones(3)))
#> tensor([-0.5000,  2.0000, -3.0000])
print(nn.HingeEmbeddingLoss(reduction="none")((e1 - e2).abs(), torch.ones(3)))
#> tensor([0.5000, 2.0000, 3.0000])
# --8<-- [end:hinge-signed-input]

# --8<-- [start:soft-margin-overflow]
x = torch.tensor([-100.0, -50.0, 100.0], requires_grad=True)
y = torch.tensor([1.0, 1.0, -1.0])  # y x = -100, -50, -100: confidently wrong
loss = F.soft_margin_loss(x, y, reduction="none")
loss.sum().backward()
print(loss, x.grad)
#> tensor([inf, 50., inf], grad_fn=<SoftMarginLossBackward0>) tensor([nan, -1., nan])
x.grad = None
loss = F.binary_cross_entropy_with_logits(x, (y + 1) / 2, reduction="none")
loss.sum().backward()
print(loss, x.grad)
#> tensor([100.,  50., 100.], grad_fn=<BinaryCrossEntropyWithLogitsBackward0>) tensor([-1., -1.,  1.])
# --8<-- [end:soft-margin-overflow]

# --8<-- [start:multilabel-margin-multi-hot]
x = torch.tensor([[0.1, 0.2, 0.4, 0.8]])
multi_hot = torch.tensor([[1, 0, 0, 1]])  # classes 0 and 3, as BCE wants them
print(nn.MultiLabelMarginLoss()(x, multi_hot))  # read as indices 1, 0, 0, 1: wrong, silently
#> tensor(2.9000)
# The fix: the indices of the ones, then -1 (sorted descending, -1 comes last).
C = x.shape[1]
indices = torch.where(multi_hot.bool(), torch.arange(C), -1).sort(dim=1, descending=True).values
print(indices, nn.MultiLabelMarginLoss()(x, indices))
#> tensor([[ 3,  0, -1, -1]]) tensor(0.8500)
try:
    nn.MultiLabelMarginLoss()(x, multi_hot.float())
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: expected scalar type Long but found Float
try:
    nn.MultiLabelMarginLoss()(x, torch.tensor([[0, 3, -1, 7]]))  # after the -1, still checked
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: argument #2 'target' is out of range
# --8<-- [end:multilabel-margin-multi-hot]

# --8<-- [start:multi-margin-errors]
x = torch.tensor([[0.1, 0.2, 0.7], [0.2, 0.5, 0.3]])
attempts = {
    "one-hot target": lambda: nn.MultiMarginLoss()(x, torch.tensor([[0, 1, 0], [0, 0, 1]])),
    "float target": lambda: nn.MultiMarginLoss()(x, torch.tensor([1.0, 2.0])),
    "class 3 of 3": lambda: nn.MultiMarginLoss()(x, torch.tensor([1, 3])),
    "p = 3": lambda: nn.MultiMarginLoss(p=3)(x, torch.tensor([1, 2])),
}
for name, attempt in attempts.items():
    try:
        attempt()
    except (RuntimeError, ValueError) as e:
        print(f"{name}: {type(e).__name__}: {e}")
#> one-hot target: RuntimeError: multi_margin_loss: target tensor should be 1-D with size equal to the number of input samples (batch size). Expected target size [2], but got [2, 3]. Input has shape [2, 3].
#> float target: RuntimeError: expected scalar type Long but found Float
#> class 3 of 3: RuntimeError: target out of range
#> p = 3: ValueError: only p == 1 and p == 2 supported
# --8<-- [end:multi-margin-errors]

from snippets.from_scratch.losses import (  # noqa: E402  (shown above)
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    soft_margin_loss,
)

# --8<-- [start:from-scratch-check]
g = torch.Generator().manual_seed(0)
x1, x2 = torch.randn(2, 4, 5, generator=g, dtype=torch.float64)
sign = torch.randint(0, 2, (4, 5), generator=g).double() * 2 - 1  # targets in {-1, 1}
multi_hot = torch.randint(0, 2, (4, 5), generator=g).double()
padded = torch.tensor([[0, 3, -1, 2, 2], [4, -1, -1, -1, -1], [1, 2, 3, 0, -1], [-1, 0, 0, 0, 0]])
index = torch.tensor([0, 4, 2, 2])
w = torch.rand(5, generator=g, dtype=torch.float64)
checks = [  # (ours, torch's, a call with non-default options)
    (margin_ranking_loss, F.margin_ranking_loss, lambda f: f(x1, x2, sign, margin=0.5)),
    (hinge_embedding_loss, F.hinge_embedding_loss,
     lambda f: f((x1 - x2).abs(), sign, margin=2.0, reduction="sum")),
    (soft_margin_loss, F.soft_margin_loss, lambda f: f(x1, sign)),
    (multilabel_soft_margin_loss, F.multilabel_soft_margin_loss,
     lambda f: f(x1, multi_hot, weight=w)),
    (multilabel_margin_loss, F.multilabel_margin_loss, lambda f: f(x1, padded, reduction="sum")),
    (multi_margin_loss, F.multi_margin_loss, lambda f: f(x1, index, p=2, margin=0.7, weight=w)),
]
for ours_fn, torch_fn, check in checks:
    ours, theirs = check(ours_fn), check(torch_fn)
    print(f"{ours_fn.__name__:<28} {ours.item():.6g} {theirs.item():.6g} "
          f"{torch.allclose(ours, theirs)}")
#> margin_ranking_loss          0.74688 0.74688 True
#> hinge_embedding_loss         19.1029 19.1029 True
#> soft_margin_loss             0.614672 0.614672 True
#> multilabel_soft_margin_loss  0.15414 0.15414 True
#> multilabel_margin_loss       2.13183 2.13183 True
#> multi_margin_loss            0.490839 0.490839 True
# --8<-- [end:from-scratch-check]
