"""Examples for docs/losses/cross_entropy.md: CrossEntropyLoss and NLLLoss."""

# --8<-- [start:setup]
import math

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

# --8<-- [start:gradient]
x = inputs.clone().requires_grad_()
nn.CrossEntropyLoss(reduction="sum")(x, target).backward()
print(x.grad)
#> tensor([[-0.7311,  0.7311],
#>         [ 0.1192, -0.1192],
#>         [ 0.1192, -0.1192]])
# dl_n / dx_{n,c} = softmax(x_n)_c - 1{c = y_n}
by_formula = torch.softmax(inputs, dim=1) - F.one_hot(target, num_classes=2)
print(torch.allclose(x.grad, by_formula))
#> True
# Every component lies in [-1, 1], and each row sums to 0:
in_range = bool((by_formula.abs() <= 1).all())
print(in_range, torch.allclose(by_formula.sum(dim=1), torch.zeros(3), atol=1e-6))
#> True True
# 'mean' divides it by N = 3:
x.grad = None
nn.CrossEntropyLoss()(x, target).backward()
print(torch.allclose(x.grad, by_formula / 3))
#> True
# --8<-- [end:gradient]

# --8<-- [start:large-logit-gap]
# The true class 0 scores 120 below class 1: a confident mistake, in float32.
z = torch.tensor([[0.0, 120.0]], requires_grad=True)
t = torch.tensor([0])
print(torch.softmax(z, dim=1))  # exp(-120) underflows: the probability is exactly 0
#> tensor([[0., 1.]], grad_fn=<SoftmaxBackward0>)
naive = -torch.log(torch.softmax(z, dim=1))[0, t]
print(naive, torch.autograd.grad(naive.sum(), z)[0])
#> tensor([inf], grad_fn=<NegBackward0>) tensor([[nan, nan]])
fused = F.cross_entropy(z, t)  # log-softmax computed as x - max - log(sum exp(x - max))
print(fused, torch.autograd.grad(fused, z)[0])
#> tensor(120., grad_fn=<NllLossBackward0>) tensor([[-1.,  1.]])
# --8<-- [end:large-logit-gap]

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

# --8<-- [start:single-class-batch]
# A batch whose targets are all class 1: every l_n carries the same w_1, and 'mean'
# divides it out again. Whatever the weights, the unweighted mean comes back.
all_class_1 = torch.tensor([1, 1, 1])
for w in ([1.0, 2.0], [1.0, 50.0], [7.0, 0.5], None):
    weight = None if w is None else torch.tensor(w)
    print(w, f"{nn.CrossEntropyLoss(weight=weight)(inputs, all_class_1).item():.4f}")
#> [1.0, 2.0] 0.1890
#> [1.0, 50.0] 0.1890
#> [7.0, 0.5] 0.1890
#> None 0.1890
# With a batch of one sample, this is every batch. 'sum' keeps the weights:
print(nn.CrossEntropyLoss(weight=torch.tensor([1.0, 50.0]), reduction="sum")(inputs, all_class_1))
#> tensor(28.3559)
# With label smoothing the weights act again: its term weighs every class by its own w_c.
for w in ([1.0, 2.0], [1.0, 50.0], None):
    weight = None if w is None else torch.tensor(w)
    smoothed = nn.CrossEntropyLoss(weight=weight, label_smoothing=0.1)(inputs, all_class_1)
    print(w, f"{smoothed.item():.4f}")
#> [1.0, 2.0] 0.2260
#> [1.0, 50.0] 0.1814
#> None 0.2724
# --8<-- [end:single-class-batch]

# --8<-- [start:class-weights-shift-probabilities]
# Fit one constant logit vector b to 8 labels, two of them class 1 (frequency 0.25).
labels = torch.tensor([0, 0, 0, 1, 0, 0, 0, 1])


def fitted_probabilities(weight=None):
    b = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([b], tolerance_grad=1e-10, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(b.expand(len(labels), 2), labels, weight=weight)
        loss.backward()
        return loss

    optimizer.step(closure)
    return torch.softmax(b.detach(), dim=0)


print(fitted_probabilities())  # the class frequencies
#> tensor([0.7500, 0.2500], dtype=torch.float64)
w = torch.tensor([1.0, 3.0], dtype=torch.float64)
q = fitted_probabilities(w)
print(q)  # w_c * frequency_c, normalized: (0.75, 0.75) / 1.5
#> tensor([0.5000, 0.5000], dtype=torch.float64)
# Undo the shift: divide by w_c and normalize again.
print((q / w) / (q / w).sum())
#> tensor([0.7500, 0.2500], dtype=torch.float64)
# --8<-- [end:class-weights-shift-probabilities]

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
# --8<-- [end:ignore-index]

# --8<-- [start:all-ignored]
# If every target is ignored, 'mean' is 0 / 0. The value is nan, the gradient is 0:
all_padding = torch.tensor([-100, -100, -100])
x = inputs.clone().requires_grad_()
loss = nn.CrossEntropyLoss()(x, all_padding)
loss.backward()
print(loss, x.grad.abs().sum())
#> tensor(nan, grad_fn=<NllLossBackward0>) tensor(0.)
# A guard: the sum, divided by the number of kept targets, at least 1.
def guarded_mean(x, y):
    kept = (y != -100).sum()
    return nn.CrossEntropyLoss(reduction="sum")(x, y) / kept.clamp(min=1)


x.grad = None
loss = guarded_mean(x, all_padding)
loss.backward()
print(loss, x.grad.abs().sum())
#> tensor(0., grad_fn=<DivBackward0>) tensor(0.)
print(guarded_mean(inputs, padded))  # the same as 'mean' when something is kept
#> tensor(0.7201)
# --8<-- [end:all-ignored]

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

# --8<-- [start:label-smoothing-weight]
# With class weights, 'none' (and so 'sum') still equals the weighted soft target ...
print(nn.CrossEntropyLoss(weight=weights, label_smoothing=eps, reduction="none")(inputs, target))
#> tensor([1.2789, 0.3475, 0.3475])
print(nn.CrossEntropyLoss(weight=weights, reduction="none")(inputs, soft))
#> tensor([1.2789, 0.3475, 0.3475])
# ... but 'mean' does not: class indices divide by sum_n w_{y_n}, probabilities by N.
print(nn.CrossEntropyLoss(weight=weights, label_smoothing=eps)(inputs, target))
#> tensor(0.3948)
print(nn.CrossEntropyLoss(weight=weights)(inputs, soft))
#> tensor(0.6580)
# The formula: the smoothing term weighs each class c by its own w_c.
log_p = torch.log_softmax(inputs, dim=1)
w_y = weights[target]
l = -(1 - eps) * w_y * log_p[torch.arange(3), target] - eps / C * (weights * log_p).sum(dim=1)
print(l, l.sum() / w_y.sum(), l.sum() / 3)
#> tensor([1.2789, 0.3475, 0.3475]) tensor(0.3948) tensor(0.6580)
# --8<-- [end:label-smoothing-weight]

# --8<-- [start:label-smoothing-optimum]
# One sample of class 1 with logits [0, gap]. Smoothing gives the loss a minimum.
gaps = torch.tensor([2.0, 3.0, 5.0, 10.0], requires_grad=True)
two_logits = torch.stack([torch.zeros(4), gaps], dim=1)
class_1 = torch.ones(4, dtype=torch.long)
loss = F.cross_entropy(two_logits, class_1, label_smoothing=eps, reduction="none")
(slope,) = torch.autograd.grad(loss.sum(), gaps)
p_true = torch.softmax(two_logits, dim=1)[:, 1]
for row in zip(gaps.tolist(), loss.tolist(), p_true.tolist(), slope.tolist(), strict=True):
    print("gap {:4.1f}  loss {:.4f}  p_true {:.4f}  dl/dgap {:+.4f}".format(*row))
#> gap  2.0  loss 0.2269  p_true 0.8808  dl/dgap -0.0692
#> gap  3.0  loss 0.1986  p_true 0.9526  dl/dgap +0.0026
#> gap  5.0  loss 0.2567  p_true 0.9933  dl/dgap +0.0433
#> gap 10.0  loss 0.5000  p_true 1.0000  dl/dgap +0.0500
# The slope is p_true - (1 - eps + eps / C): zero where p_true = 0.95, at gap log(19).
best = torch.tensor([[0.0, math.log(19)]], requires_grad=True)
(g,) = torch.autograd.grad(F.cross_entropy(best, class_1[:1], label_smoothing=eps), best)
print(f"{torch.softmax(best, dim=1)[0, 1].item():.4f}", bool(g.abs().max() < 1e-6))
#> 0.9500 True
# --8<-- [end:label-smoothing-optimum]

# --8<-- [start:probability-targets]
# Soft labels, e.g. from a teacher model or from annotators who disagree.
probs = torch.tensor([[0.7, 0.3], [0.0, 1.0], [0.5, 0.5]])
loss = nn.CrossEntropyLoss(reduction="none")(inputs, probs)
print(loss)
#> tensor([1.0133, 0.1269, 1.1269])
# l_n = -sum_c y_{n,c} log softmax(x_n)_c
print(-(probs * torch.log_softmax(inputs, dim=1)).sum(dim=1))
#> tensor([1.0133, 0.1269, 1.1269])
# label_smoothing mixes these targets with the uniform distribution too:
smoothed_probs = probs * (1 - 0.1) + 0.1 / 2
print(torch.allclose(F.cross_entropy(inputs, probs, label_smoothing=0.1),
                     F.cross_entropy(inputs, smoothed_probs)))
#> True
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
# Probabilities lie in [0, 1], so even a perfect [0, 1] leaves log(1 + 1/e):
print(nn.CrossEntropyLoss()(torch.tensor([[0.0, 1.0]]), torch.tensor([1])))
#> tensor(0.3133)
# And a confident mistake hardly moves the logits any more:
wrong = torch.tensor([[0.0, 10.0]], requires_grad=True)  # true class 0
for name, out in (("logits", wrong), ("softmax", torch.softmax(wrong, dim=1))):
    loss = nn.CrossEntropyLoss()(out, torch.tensor([0]))
    (grad,) = torch.autograd.grad(loss, wrong)
    print(f"{name:<8} loss {loss.item():.4f}  d loss / d x_0 {grad[0, 0].item():+.1e}")
#> logits   loss 10.0000  d loss / d x_0 -1.0e+00
#> softmax  loss 1.3132  d loss / d x_0 -6.6e-05
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
for dtype in (torch.float32, torch.int32):  # int32 is an integer type, and refused too
    try:
        nn.CrossEntropyLoss()(inputs, target.to(dtype))
    except RuntimeError as err:
        print(err)
#> expected target dtype to be Long or Byte, but got Float
#> expected target dtype to be Long or Byte, but got Int
print(nn.CrossEntropyLoss()(inputs, target.to(torch.uint8)),  # uint8 is accepted
      nn.CrossEntropyLoss()(inputs, target.long()))
#> tensor(0.5224) tensor(0.5224)
# --8<-- [end:pitfall-float-target]

# --8<-- [start:pitfall-out-of-range]
for bad in ([0, 1, 2], [0, 1, -1]):  # only classes 0 and 1 exist; -1 is not ignored
    try:
        nn.CrossEntropyLoss()(inputs, torch.tensor(bad))
    except IndexError as err:
        print(err)
#> Target 2 is out of bounds.
#> Target -1 is out of bounds.
print(nn.CrossEntropyLoss()(inputs, torch.tensor([0, 1, -100])))  # ignore_index: no error
#> tensor(0.7201)
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
