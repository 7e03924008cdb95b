"""Examples for docs/training/stability.md: why torch's fused losses stay finite."""

# --8<-- [start:setup]
import math
import warnings  # noqa: F401  (the from-scratch log_softmax shown below warns with it)

import torch
import torch.nn.functional as F
from torch import nn

inf = math.inf
# --8<-- [end:setup]

# --8<-- [start:overflow-threshold]
# exp(x) is finite only while x <= log(largest float): about 88.7228 in float32.
for dtype in (torch.float32, torch.float64):
    largest = torch.finfo(dtype).max
    print(f"{dtype}: largest {largest:.4e}, log of it {math.log(largest):.4f}")
#> torch.float32: largest 3.4028e+38, log of it 88.7228
#> torch.float64: largest 1.7977e+308, log of it 709.7827
print(torch.exp(torch.tensor([88.7228, 88.7229])).isinf())
#> tensor([False,  True])
print(torch.exp(torch.tensor([709.7827, 709.7828], dtype=torch.float64)).isinf())
#> tensor([False,  True])
# --8<-- [end:overflow-threshold]

# --8<-- [start:naive-overflow]
logits = torch.tensor([1000.0, 999.0, 998.0])  # one sample, three classes, float32
exact = 1000 + math.log(1 + math.exp(-1) + math.exp(-2))  # by hand, in float64
print(f"exact {exact:.3f}")
#> exact 1000.408
print(torch.exp(logits), torch.log(torch.exp(logits).sum()))  # the naive formula
#> tensor([inf, inf, inf]) tensor(inf)
m = logits.max()
print(torch.exp(logits - m))  # shifted: the largest term is exactly 1
#> tensor([1.0000, 0.3679, 0.1353])
shifted = m + torch.log(torch.exp(logits - m).sum())
print(f"shifted {shifted:.3f}, torch.logsumexp {torch.logsumexp(logits, dim=0):.3f}")
#> shifted 1000.408, torch.logsumexp 1000.408
# Cross-entropy of class 0: -x_0 + logsumexp(x). Naive: -log(exp(x_0) / sum exp(x)).
target = torch.tensor([0])
naive_ce = -torch.log(torch.exp(logits[0]) / torch.exp(logits).sum())
print(naive_ce, F.cross_entropy(logits[None], target))
#> tensor(nan) tensor(0.4076)
# --8<-- [end:naive-overflow]

# --8<-- [start:naive-underflow]
low = logits - 2000  # -1000, -1001, -1002: every exp underflows to 0
print(torch.exp(low), torch.log(torch.exp(low).sum()))
#> tensor([0., 0., 0.]) tensor(-inf)
print(f"exact {exact - 2000:.3f}, torch.logsumexp {torch.logsumexp(low, dim=0):.3f}")
#> exact -999.592, torch.logsumexp -999.592
naive_ce = -torch.log(torch.exp(low[0]) / torch.exp(low).sum())  # -log(0 / 0)
print(naive_ce, F.cross_entropy(low[None], target))  # the loss ignores a common shift
#> tensor(nan) tensor(0.4076)
# --8<-- [end:naive-underflow]

from snippets.from_scratch.numerics import (  # noqa: E402  (shown above)
    log_softmax,
    logsumexp,
    softmax,
)

# --8<-- [start:from-scratch-check]
print(f"{logsumexp(logits, 0):.3f} {logsumexp(low, 0):.3f}")
#> 1000.408 -999.592
# Large random logits in float64, a row at a time and over every element:
g = torch.Generator().manual_seed(0)
x = 300 * torch.randn(4, 5, generator=g, dtype=torch.float64)
print(torch.allclose(logsumexp(x, 1), torch.logsumexp(x, 1)),
      torch.allclose(logsumexp(x, (0, 1)), torch.logsumexp(x, (0, 1))),
      torch.allclose(log_softmax(x, 1), F.log_softmax(x, 1)),
      torch.allclose(softmax(x, 1), F.softmax(x, 1)))
#> True True True True
# A row in which every entry is -inf: log-sum-exp -inf, log-softmax nan, in both.
nothing = torch.full((1, 3), -inf)
print(torch.logsumexp(nothing, 1), logsumexp(nothing, 1))
#> tensor([-inf]) tensor([-inf])
print(F.log_softmax(nothing, 1), log_softmax(nothing, 1))
#> tensor([[nan, nan, nan]]) tensor([[nan, nan, nan]])
nothing.requires_grad_()
print(torch.autograd.grad(torch.logsumexp(nothing, 1).sum(), nothing)[0],
      torch.autograd.grad(logsumexp(nothing, 1).sum(), nothing)[0])  # the gradients: nan
#> tensor([[nan, nan, nan]]) tensor([[nan, nan, nan]])
# Integer logits: logsumexp promotes them to float, the softmaxes refuse them.
counts = torch.tensor([1, 2, 3])
print(torch.logsumexp(counts, 0), logsumexp(counts, 0))
#> tensor(3.4076) tensor(3.4076)
for function in (F.log_softmax, log_softmax):
    try:
        function(counts, 0)
    except NotImplementedError as e:
        print(f"{type(e).__name__}: {e}")
#> NotImplementedError: "log_softmax_lastdim_kernel_impl" not implemented for 'Long'
#> NotImplementedError: "log_softmax_lastdim_kernel_impl" not implemented for 'Long'
# --8<-- [end:from-scratch-check]

# --8<-- [start:ce-gradient]
# Three samples: confidently wrong, confidently right, and an ordinary one.
x = torch.tensor([[1000.0, 0.0, -1000.0],
                  [1000.0, 0.0, -1000.0],
                  [2.0, 1.0, 0.0]], requires_grad=True)
y = torch.tensor([1, 0, 2])
loss = F.cross_entropy(x, y, reduction="sum")
(grad,) = torch.autograd.grad(loss, x)
print(f"{loss:.2f}")  # 1000 + 0 + 2.41: large, but finite
#> 1002.41
print(grad)
#> tensor([[ 1.0000, -1.0000,  0.0000],
#>         [ 0.0000,  0.0000,  0.0000],
#>         [ 0.6652,  0.2447, -0.9100]])
by_formula = F.softmax(x, dim=1) - F.one_hot(y, num_classes=3)
print(torch.allclose(grad, by_formula),
      bool((grad.abs() <= 1).all()),
      torch.allclose(grad.sum(dim=1), torch.zeros(3), atol=1e-6))
#> True True True
# reduction='mean' divides the same gradient by N = 3:
(grad_mean,) = torch.autograd.grad(F.cross_entropy(x, y), x)
print(torch.allclose(grad_mean, by_formula / 3))
#> True
# Unless: ignore_index leaves its targets out of N (here sample 1: N = 2), class weights
# scale each row by w[y_n] and divide by their sum, label smoothing changes the target.
(g_ignore,) = torch.autograd.grad(F.cross_entropy(x, y, ignore_index=0), x)
w = torch.tensor([1.0, 2.0, 3.0])
(g_weight,) = torch.autograd.grad(F.cross_entropy(x, y, weight=w), x)
(g_smooth,) = torch.autograd.grad(F.cross_entropy(x, y, label_smoothing=0.1), x)
smoothed = 0.9 * F.one_hot(y, num_classes=3) + 0.1 / 3
print(torch.allclose(g_ignore, by_formula * (y != 0)[:, None] / 2),
      torch.allclose(g_weight, w[y][:, None] * by_formula / w[y].sum()),
      torch.allclose(g_smooth, (F.softmax(x, dim=1) - smoothed) / 3))
#> True True True
# --8<-- [end:ce-gradient]

# --8<-- [start:mse-on-probabilities]
# MSE between softmax(x) and the one-hot target: the softmax's Jacobian is 0 where
# the softmax saturates, so the confidently wrong sample gets no gradient at all.
mse = ((F.softmax(x, dim=1) - F.one_hot(y, num_classes=3)) ** 2).sum()
(grad_mse,) = torch.autograd.grad(mse, x)
print(grad_mse.abs().amax(dim=1))  # the largest |gradient| of each sample
#> tensor([0.0000, 0.0000, 0.3256])
# --8<-- [end:mse-on-probabilities]

# --8<-- [start:bce-formula]
# Every logit of a grid against every target, in float64, with and without pos_weight.
x, y = torch.meshgrid(torch.tensor([-1000.0, -100, -3, 0, 3, 100, 1000], dtype=torch.float64),
                      torch.tensor([0.0, 0.3, 1.0], dtype=torch.float64), indexing="ij")
softplus_neg = torch.log1p(torch.exp(-x.abs()))  # log(1 + exp(-|x|)): never overflows
reference = x.clamp(min=0) - x * y + softplus_neg
fused = F.binary_cross_entropy_with_logits(x, y, reduction="none")
print(torch.allclose(fused, reference, rtol=1e-12, atol=1e-12))
#> True
# What torch computes, bit for bit: (1 - y) x - log(sigmoid(x)), log-sigmoid fused too.
print(torch.equal(fused, (1 - y) * x - F.logsigmoid(x)))
#> True
# That difference of two numbers near 100 loses a loss of 4e-44 (x = -100, y = 0):
print(f"{reference[1, 0]:.2e} {fused[1, 0]:.2e}")
#> 3.72e-44 0.00e+00
# With pos_weight p, log(sigmoid(x)) is weighted by 1 + (p - 1) y:
p = torch.tensor(3.0, dtype=torch.float64)
reference_p = (1 - y) * x + (1 + (p - 1) * y) * ((-x).clamp(min=0) + softplus_neg)
fused_p = F.binary_cross_entropy_with_logits(x, y, pos_weight=p, reduction="none")
print(torch.allclose(fused_p, reference_p, rtol=1e-12, atol=1e-12),
      torch.equal(fused_p, (1 - y) * x - (1 + (p - 1) * y) * F.logsigmoid(x)))
#> True True
# The textbook formula on sigmoid(x), in float32: sigmoid(100) rounds to 1, log(1 - 1) = -inf.
z = torch.tensor([-1000.0, -100.0, 100.0, 1000.0])
t = torch.tensor([1.0, 1.0, 1.0, 0.0])
s = torch.sigmoid(z)
print(-(t * torch.log(s) + (1 - t) * torch.log(1 - s)))
#> tensor([inf, inf, nan, inf])
print([f"{v:.3f}" for v in F.binary_cross_entropy_with_logits(z, t, reduction="none").tolist()])
#> ['1000.000', '100.000', '0.000', '1000.000']
# --8<-- [end:bce-formula]

# --8<-- [start:bce-gradient]
z = torch.tensor([-1000.0, -100.0, 100.0, 1000.0], requires_grad=True)
(grad,) = torch.autograd.grad(
    F.binary_cross_entropy_with_logits(z, t, reduction="sum"), z)
print(grad, torch.sigmoid(z) - t)  # sigmoid(x) - y, in [-1, 1]
#> tensor([-1., -1.,  0.,  1.]) tensor([-1., -1.,  0.,  1.], grad_fn=<SubBackward0>)
# With pos_weight p the gradient is sigmoid(x) (1 + (p - 1) y) - p y: at most p in size.
(grad,) = torch.autograd.grad(
    F.binary_cross_entropy_with_logits(z, t, pos_weight=torch.tensor(3.0), reduction="sum"), z)
print(grad)
#> tensor([-3., -3.,  0.,  1.])
# --8<-- [end:bce-gradient]

# --8<-- [start:log-of-softmax]
# A model whose last step is log(softmax(...)), trained with NLLLoss.
head = nn.Linear(2, 2, bias=False)
with torch.no_grad():
    head.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
features = torch.tensor([[0.0, 200.0]])  # logits (0, 200): the gap is 200
label = torch.tensor([0])  # and the true class is the one 200 below
log_probs = torch.log(torch.softmax(head(features), dim=1))
print(log_probs)  # exp(-200) underflows: softmax is exactly (0, 1)
#> tensor([[-inf, 0.]], grad_fn=<LogBackward0>)
loss = nn.NLLLoss()(log_probs, label)
loss.backward()
print(loss, head.weight.grad)
#> tensor(inf, grad_fn=<NllLossBackward0>) tensor([[nan, nan],
#>         [nan, nan]])
# With the high class as the target the loss is 0, and the gradient is nan all the same:
# log's backward divides the zero gradient of the -inf entry by its probability, 0.
head.zero_grad()
loss = nn.NLLLoss()(torch.log(torch.softmax(head(features), dim=1)), torch.tensor([1]))
loss.backward()
print(loss, bool(head.weight.grad.isnan().all()))
#> tensor(0., grad_fn=<NllLossBackward0>) True
head.zero_grad()
loss = nn.NLLLoss()(F.log_softmax(head(features), dim=1), label)  # the fix
loss.backward()
print(loss, head.weight.grad + 0.0)  # + 0.0: a -0.0 prints as 0.
#> tensor(200., grad_fn=<NllLossBackward0>) tensor([[   0., -200.],
#>         [   0.,  200.]])
# --8<-- [end:log-of-softmax]

# --8<-- [start:underflow-gap]
def first_broken_gap(dtype):
    """The smallest whole gap g at which log(softmax((0, -g)))[1] is -inf."""
    g = 1
    while torch.log(torch.softmax(torch.tensor([0.0, -g], dtype=dtype), dim=0))[1] > -inf:
        g += 1
    return g


for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
    info = torch.finfo(dtype)
    print(f"{dtype}: breaks at gap {first_broken_gap(dtype)}; "
          f"-log(smallest normal) {-math.log(info.tiny):.2f}, "
          f"-log(smallest subnormal) {-math.log(info.tiny * info.eps):.2f}")
#> torch.float16: breaks at gap 18; -log(smallest normal) 9.70, -log(smallest subnormal) 16.64
#> torch.bfloat16: breaks at gap 93; -log(smallest normal) 87.34, -log(smallest subnormal) 92.19
#> torch.float32: breaks at gap 104; -log(smallest normal) 87.34, -log(smallest subnormal) 103.28
#> torch.float64: breaks at gap 746; -log(smallest normal) 708.40, -log(smallest subnormal) 744.44
# Before it breaks, a subnormal probability has few bits left: its log is off.
for gap in (80.0, 100.0, 103.0):
    two_step = torch.log(torch.softmax(torch.tensor([0.0, -gap]), dim=0))[1]
    fused = F.log_softmax(torch.tensor([0.0, -gap]), dim=0)[1]
    print(f"gap {gap:.0f}: log(softmax) {two_step:.3f}, log_softmax {fused:.3f}")
#> gap 80: log(softmax) -80.000, log_softmax -80.000
#> gap 100: log(softmax) -99.983, log_softmax -100.000
#> gap 103: log(softmax) -103.279, log_softmax -103.000
# --8<-- [end:underflow-gap]

# --8<-- [start:flush-denormal]
# Flushing subnormals to 0 (a CPU speed setting) removes them: it breaks at the normals.
print(torch.set_flush_denormal(True))  # True where the CPU supports it (x86, AArch64)
#> True
for gap in (87.0, 88.0):
    two_step = torch.log(torch.softmax(torch.tensor([0.0, -gap]), dim=0))[1]
    fused = F.log_softmax(torch.tensor([0.0, -gap]), dim=0)[1]
    print(f"gap {gap:.0f}: log(softmax) {two_step:.3f}, log_softmax {fused:.3f}")
#> gap 87: log(softmax) -87.000, log_softmax -87.000
#> gap 88: log(softmax) -inf, log_softmax -88.000
print(f"breaks at gap {first_broken_gap(torch.float32)} (float32), "
      f"{first_broken_gap(torch.float64)} (float64)")
#> breaks at gap 88 (float32), 709 (float64)
_ = torch.set_flush_denormal(False)  # back to the default: subnormals kept
# --8<-- [end:flush-denormal]

# --8<-- [start:bce-clamp]
# BCELoss on probabilities: p = 0 for a positive is clamped to a loss of 100.
prob = torch.tensor([0.0, 1e-6, 0.5], requires_grad=True)
ones = torch.ones(3)
loss = F.binary_cross_entropy(prob, ones, reduction="none")
(grad,) = torch.autograd.grad(loss.sum(), prob)
print(loss)
#> tensor([100.0000,  13.8155,   0.6931], grad_fn=<BinaryCrossEntropyBackward0>)
print(grad)  # (p - y) / max(p (1 - p), 1e-12): -1 / p, down to -1e12
#> tensor([-1.0000e+12, -1.0000e+06, -2.0000e+00])
# --8<-- [end:bce-clamp]

# --8<-- [start:bce-clamp-through-sigmoid]
# Through a sigmoid, that 1e-12 floor shrinks the gradient long before the loss is
# clamped: sigmoid(x)(1 - sigmoid(x)) < 1e-12 from x < log(1e-12), about -27.6.
z = torch.tensor([-20.0, -28.0, -30.0, -50.0, -100.0], requires_grad=True)
ones = torch.ones(5)
two_step = F.binary_cross_entropy(torch.sigmoid(z), ones, reduction="none")
fused = F.binary_cross_entropy_with_logits(z, ones, reduction="none")
print(two_step.detach(), fused.detach())  # the losses agree up to the clamp at 100
#> tensor([ 20.,  28.,  30.,  50., 100.]) tensor([ 20.,  28.,  30.,  50., 100.])
(g_two_step,) = torch.autograd.grad(two_step.sum(), z)
(g_fused,) = torch.autograd.grad(fused.sum(), z)
print([f"{v:.3g}" for v in (g_two_step + 0.0).tolist()])  # + 0.0 turns -0.0 into 0.0
#> ['-1', '-0.691', '-0.0936', '-1.93e-10', '0']
print(g_fused)
#> tensor([-1., -1., -1., -1., -1.])
# --8<-- [end:bce-clamp-through-sigmoid]

# --8<-- [start:sigmoid-near-one]
# float32 is fine-grained near 0 and coarse near 1: the float below 1 is 1 - eps / 2.
info = torch.finfo(torch.float32)
print(f"below 1: 1 - {info.eps / 2:.2e}; near 0: down to {info.tiny * info.eps:.2e}")
#> below 1: 1 - 5.96e-08; near 0: down to 1.40e-45
z = torch.tensor([15.0, 17.0, 20.0], requires_grad=True)
print(torch.sigmoid(-z.detach()), torch.sigmoid(z.detach()) == 1)
#> tensor([3.0590e-07, 4.1399e-08, 2.0612e-09]) tensor([False,  True,  True])
# (torch.sigmoid computes 1 / (1 + exp(-x)): below x = -88.72 that exp overflows, so 0.)
print(torch.sigmoid(torch.tensor([-88.0, -89.0])))
#> tensor([6.0546e-39, 0.0000e+00])
# A negative target: the loss is -log(1 - sigmoid(z)), about z itself.
zeros = torch.zeros(3)
two_step = F.binary_cross_entropy(torch.sigmoid(z), zeros, reduction="none")
fused = F.binary_cross_entropy_with_logits(z, zeros, reduction="none")
print([f"{v:.2f}" for v in two_step.tolist()], [f"{v:.2f}" for v in fused.tolist()])
#> ['14.84', '100.00', '100.00'] ['15.00', '17.00', '20.00']
print(torch.autograd.grad(two_step.sum(), z)[0], torch.autograd.grad(fused.sum(), z)[0])
#> tensor([1.0000, 0.0000, 0.0000]) tensor([1.0000, 1.0000, 1.0000])
# --8<-- [end:sigmoid-near-one]

# --8<-- [start:mask-some-classes]
# Two samples, four classes; sample 0 may only be class 0 or 2.
scores = torch.tensor([[2.0, 1.0, 0.0, -1.0],
                       [0.5, 0.2, 0.1, 0.0]], requires_grad=True)
allowed = torch.tensor([[True, False, True, False],
                        [True, True, True, True]])
masked = scores.masked_fill(~allowed, -inf)
loss = F.cross_entropy(masked, torch.tensor([0, 1]))
(grad,) = torch.autograd.grad(loss, scores)
print(loss, grad)  # the masked classes get a gradient of exactly 0
#> tensor(0.7657, grad_fn=<NllLossBackward0>) tensor([[-0.0596,  0.0000,  0.0596,  0.0000],
#>         [ 0.1657, -0.3773,  0.1111,  0.1005]])
print(bool((grad[~allowed] == 0).all()))
#> True
# A target whose own class is masked: an infinite loss.
print(F.cross_entropy(masked[:1], torch.tensor([1])))
#> tensor(inf, grad_fn=<NllLossBackward0>)
# --8<-- [end:mask-some-classes]

# --8<-- [start:mask-every-class]
allowed[1] = False  # sample 1 may take no class at all
additive = torch.zeros(2, 4).masked_fill(~allowed, -inf)  # an attention-style mask
loss = F.cross_entropy(scores + additive, torch.tensor([0, 1]))
(grad,) = torch.autograd.grad(loss, scores)
print(loss, grad)  # nan loss, and a nan gradient for the model
#> tensor(nan, grad_fn=<NllLossBackward0>) tensor([[-0.0596,  0.0000,  0.0596,  0.0000],
#>         [    nan,     nan,     nan,     nan]])
# masked_fill hands a gradient of 0 to the entries it replaces, nan included:
loss = F.cross_entropy(scores.masked_fill(~allowed, -inf), torch.tensor([0, 1]))
print(loss, torch.autograd.grad(loss, scores)[0][1])
#> tensor(nan, grad_fn=<NllLossBackward0>) tensor([0., 0., 0., 0.])
# --8<-- [end:mask-every-class]

# --8<-- [start:mask-finfo-min]
lowest = torch.finfo(scores.dtype).min  # -3.4028e+38 in float32: finite
additive = torch.zeros(2, 4).masked_fill(~allowed, lowest)
per_sample = F.cross_entropy(scores + additive, torch.tensor([0, 1]), reduction="none")
print(per_sample)  # sample 1 is now uniform over 4 classes: log 4
#> tensor([0.1269, 1.3863], grad_fn=<NllLossBackward0>)
loss = per_sample.mean()
(grad,) = torch.autograd.grad(loss, scores)
print(loss, grad)  # finite; but the mean counts sample 1, and it still gets a gradient
#> tensor(0.7566, grad_fn=<MeanBackward0>) tensor([[-0.0596,  0.0000,  0.0596,  0.0000],
#>         [ 0.1250, -0.3750,  0.1250,  0.1250]])
# Two caveats: two additive masks add up to -inf, and float32's min is -inf in float16.
print(torch.tensor(lowest) + torch.tensor(lowest), torch.tensor(lowest).half())
#> tensor(-inf) tensor(-inf, dtype=torch.float16)
# --8<-- [end:mask-finfo-min]

# --8<-- [start:mask-drop-or-ignore]
has_class = allowed.any(dim=1)  # tensor([True, False])
labels = torch.tensor([0, 1])
# Fix 1: drop the rows with no class left.
loss = F.cross_entropy((scores + additive)[has_class], labels[has_class])
print(loss, torch.autograd.grad(loss, scores)[0])
#> tensor(0.1269, grad_fn=<NllLossBackward0>) tensor([[-0.1192,  0.0000,  0.1192,  0.0000],
#>         [ 0.0000,  0.0000,  0.0000,  0.0000]])
# Fix 2: ignore_index for them, with a finite mask value.
ignored = labels.masked_fill(~has_class, -100)
loss = F.cross_entropy(scores + additive, ignored)
print(loss, torch.autograd.grad(loss, scores)[0])
#> tensor(0.1269, grad_fn=<NllLossBackward0>) tensor([[-0.1192,  0.0000,  0.1192,  0.0000],
#>         [ 0.0000,  0.0000,  0.0000,  0.0000]])
# ignore_index with a -inf mask: the loss is right, the gradient still nan.
minus_inf = torch.zeros(2, 4).masked_fill(~allowed, -inf)
loss = F.cross_entropy(scores + minus_inf, ignored)
print(loss, torch.autograd.grad(loss, scores)[0][1])
#> tensor(0.1269, grad_fn=<NllLossBackward0>) tensor([nan, nan, nan, nan])
# Zeroing the bad rows' losses with torch.where: the same right loss, the same nan.
per_sample = F.cross_entropy(scores + minus_inf, labels, reduction="none")
loss = torch.where(has_class, per_sample, 0).sum() / has_class.sum()
print(loss, torch.autograd.grad(loss, scores)[0][1])
#> tensor(0.1269, grad_fn=<DivBackward0>) tensor([nan, nan, nan, nan])
# It works with masked_fill (or a finite mask), whose backward drops the row's nan:
per_sample = F.cross_entropy(scores.masked_fill(~allowed, -inf), labels, reduction="none")
loss = torch.where(has_class, per_sample, 0).sum() / has_class.sum()
print(loss, torch.autograd.grad(loss, scores)[0][1])
#> tensor(0.1269, grad_fn=<DivBackward0>) tensor([0., 0., 0., 0.])
# --8<-- [end:mask-drop-or-ignore]
