"""Examples for docs/losses/distributions.md: PoissonNLLLoss, GaussianNLLLoss, KLDivLoss."""

# --8<-- [start:setup]
import math
import warnings

import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:setup]

# --8<-- [start:poisson-log-input]
# Counts (e.g. visits per hour) and the model's predicted log-rates log(lambda).
counts = torch.tensor([0.0, 1.0, 2.0, 5.0, 10.0])
log_rate = torch.log(torch.tensor([0.5, 1.0, 2.0, 4.0, 12.0]))
print(nn.PoissonNLLLoss(reduction="none")(log_rate, counts))  # log_input=True
#> tensor([  0.5000,   1.0000,   0.6137,  -2.9315, -12.8491])
# By hand: l = exp(x) - y x
print(torch.exp(log_rate) - counts * log_rate)
#> tensor([  0.5000,   1.0000,   0.6137,  -2.9315, -12.8491])
# --8<-- [end:poisson-log-input]

# --8<-- [start:poisson-rate-input]
rate = torch.exp(log_rate)  # now the rates themselves
loss = nn.PoissonNLLLoss(log_input=False, reduction="none")(rate, counts)
print(loss)
#> tensor([  0.5000,   1.0000,   0.6137,  -2.9315, -12.8491])
# By hand: l = x - y log(x + eps), eps = 1e-8
print(rate - counts * torch.log(rate + 1e-8))
#> tensor([  0.5000,   1.0000,   0.6137,  -2.9315, -12.8491])
# --8<-- [end:poisson-rate-input]

# --8<-- [start:poisson-minimum]
# For one count y = 3, the loss over candidate rates is smallest at lambda = y:
candidates = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
loss = nn.PoissonNLLLoss(log_input=False, reduction="none")(candidates, torch.full((5,), 3.0))
print(loss, candidates[loss.argmin()])
#> tensor([ 1.0000, -0.0794, -0.2958, -0.1589,  0.1717]) tensor(3.)
# --8<-- [end:poisson-minimum]

# --8<-- [start:poisson-full]
# full=True adds the Stirling approximation of log(y!), only where y > 1:
# y log y - y + 0.5 log(2 pi y)
plain = nn.PoissonNLLLoss(reduction="none")(log_rate, counts)
full = nn.PoissonNLLLoss(full=True, reduction="none")(log_rate, counts)
print(full - plain)
#> tensor([ 0.0000,  0.0000,  0.6518,  4.7708, 15.0961])
y = counts[counts > 1]
print(y * torch.log(y) - y + 0.5 * torch.log(2 * math.pi * y))
#> tensor([ 0.6518,  4.7708, 15.0961])
# The exact log(y!) for comparison: the term does not depend on the prediction,
# so it changes the loss value, never the gradient.
print(torch.lgamma(y + 1))
#> tensor([ 0.6931,  4.7875, 15.1044])
# --8<-- [end:poisson-full]

# --8<-- [start:poisson-eps]
# With log_input=False a predicted rate of 0 would need log(0); eps keeps it finite.
print(nn.PoissonNLLLoss(log_input=False, reduction="none")(torch.tensor([0.0]),
                                                            torch.tensor([2.0])))
#> tensor([36.8414])
print(f"{-2 * math.log(1e-8):.4f}")
#> 36.8414
# --8<-- [end:poisson-eps]

# --8<-- [start:gaussian]
# The model predicts a mean and a variance for each target.
mean = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
target = torch.tensor([[1.5, 2.0], [2.0, 6.0]])
var = torch.tensor([[0.5, 1.0], [1.0, 4.0]])
print(nn.GaussianNLLLoss(reduction="none")(mean, target, var))
#> tensor([[-0.0966,  0.0000],
#>         [ 0.5000,  1.1931]])
# By hand: l = 0.5 (log var + (x - y)^2 / var)
print(0.5 * (torch.log(var) + (mean - target) ** 2 / var))
#> tensor([[-0.0966,  0.0000],
#>         [ 0.5000,  1.1931]])
# --8<-- [end:gaussian]

# --8<-- [start:gaussian-shapes]
loss = nn.GaussianNLLLoss(reduction="none")
print(loss(mean, target, var).shape)  # full: one variance per element, (N, D)
#> torch.Size([2, 2])
print(loss(mean, target, torch.tensor([[1.0], [2.0]])).shape)  # one per sample, (N, 1)
#> torch.Size([2, 2])
print(loss(mean, target, torch.tensor([1.0, 2.0])).shape)  # one per sample, (N,)
#> torch.Size([2, 2])
print(loss(mean, target, torch.ones(2, 2)).mean(), nn.MSELoss()(mean, target) / 2)
#> tensor(0.6562) tensor(0.6562)
# --8<-- [end:gaussian-shapes]

# --8<-- [start:gaussian-eps-full]
# Variances below eps (1e-6) are clamped, so a 0 variance does not divide by zero
# (float64 here: float32 cannot hold 1.001, and its loss prints -6.4077, not -6.4078):
f64 = dict(dtype=torch.float64)
print(nn.GaussianNLLLoss(reduction="none")(torch.tensor([1.0], **f64),
                                           torch.tensor([1.001], **f64),
                                           torch.tensor([0.0], **f64)))
#> tensor([-6.4078], dtype=torch.float64)
print(f"{0.5 * (math.log(1e-6) + 0.001**2 / 1e-6):.4f}")
#> -6.4078
# full=True adds the constant 0.5 log(2 pi):
plain = nn.GaussianNLLLoss()(mean, target, var)
print(nn.GaussianNLLLoss(full=True)(mean, target, var) - plain, f"{0.5 * math.log(2 * math.pi):.4f}")
#> tensor(0.9189) 0.9189
# torch clamps under torch.no_grad(), so a variance below eps still gets a gradient,
# the derivative at eps, 0.5 (1 / eps - (x - y)^2 / eps^2):
v = torch.tensor([0.0], **f64, requires_grad=True)
nn.GaussianNLLLoss()(torch.tensor([1.0], **f64), torch.tensor([1.01], **f64), v).backward()
print(f"{v.grad.item():.6g} {0.5 * (1 / 1e-6 - 0.01**2 / 1e-6**2):.6g}")
#> -4.95e+07 -4.95e+07
# torch.clamp inside the graph would give 0 there, and the variance could never grow:
w = torch.tensor([0.0], **f64, requires_grad=True)
w_eps = w.clamp(min=1e-6)
(0.5 * (torch.log(w_eps) + 0.01**2 / w_eps)).sum().backward()
print(w.grad)
#> tensor([0.], dtype=torch.float64)
# --8<-- [end:gaussian-eps-full]

# --8<-- [start:gaussian-negative-variance]
try:
    nn.GaussianNLLLoss()(mean, target, -var)
except ValueError as err:
    print(err)
#> var has negative entry/entries
# --8<-- [end:gaussian-negative-variance]

# --8<-- [start:heteroscedastic]
# Noise that grows with x: y = 2x + noise of std x. Compare two predicted variances,
# both with the right mean: one constant, one that follows the noise.
g = torch.Generator().manual_seed(0)
x = torch.linspace(0.1, 3.0, 200)
y = 2 * x + x * torch.randn(200, generator=g)
mu = 2 * x
constant = torch.full_like(x, ((y - mu) ** 2).mean().item())  # the best single variance
following = x**2  # the true variance at each x
loss = nn.GaussianNLLLoss()
print(f"constant variance:  {loss(mu, y, constant):.4f}")
#> constant variance:  0.9586
print(f"variance x^2:       {loss(mu, y, following):.4f}")
#> variance x^2:       0.6776
# --8<-- [end:heteroscedastic]

# --8<-- [start:kl-basic]
logits = torch.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]])
log_q = F.log_softmax(logits, dim=1)  # the model's distribution, as log-probabilities
p = torch.tensor([[0.2, 0.7, 0.1], [0.1, 0.1, 0.8]])  # the target distribution
print(nn.KLDivLoss(reduction="none")(log_q, p))
#> tensor([[-0.0290,  0.0754, -0.0338],
#>         [ 0.0707,  0.0607, -0.0908]])
# By hand: l = y (log y - x), with x = log q
print(p * (torch.log(p) - log_q))
#> tensor([[-0.0290,  0.0754, -0.0338],
#>         [ 0.0707,  0.0607, -0.0908]])
# --8<-- [end:kl-basic]

# --8<-- [start:kl-reductions]
pointwise = nn.KLDivLoss(reduction="none")(log_q, p)
per_sample = pointwise.sum(dim=1)  # the KL divergence of each sample
print("per sample KL", per_sample)
#> per sample KL tensor([0.0126, 0.0406])
batchmean = nn.KLDivLoss(reduction="batchmean")(log_q, p)  # sum / N
print("batchmean    ", batchmean, torch.allclose(batchmean, per_sample.mean()))
#> batchmean     tensor(0.0266) True
print("sum          ", nn.KLDivLoss(reduction="sum")(log_q, p))
#> sum           tensor(0.0531)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    mean = nn.KLDivLoss(reduction="mean")(log_q, p)  # sum / (N * C), N = 2, C = 3
print("mean         ", mean, torch.allclose(mean * 3, batchmean))
#> mean          tensor(0.0089) True
for warning in caught:
    print(warning.category.__name__, warning.message)
#> UserWarning reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the same as 'batchmean' in the next major release.
# --8<-- [end:kl-reductions]

# --8<-- [start:kl-log-target]
print(nn.KLDivLoss(reduction="batchmean", log_target=True)(log_q, torch.log(p)))
#> tensor(0.0266)
# --8<-- [end:kl-log-target]

# --8<-- [start:kl-probabilities-mistake]
q = torch.softmax(logits, dim=1)
print(nn.KLDivLoss(reduction="batchmean")(q, p))  # probabilities instead of log-probabilities
#> tensor(-1.3342)
print(nn.KLDivLoss(reduction="batchmean")(q.log(), p))  # the fix
#> tensor(0.0266)
# --8<-- [end:kl-probabilities-mistake]

# --8<-- [start:kl-vs-cross-entropy]
# With soft targets, cross-entropy = entropy of the target + KL:
ce = nn.CrossEntropyLoss()(logits, p)  # probability targets, mean over the batch
kl = nn.KLDivLoss(reduction="batchmean")(log_q, p)
entropy = -(p * torch.log(p)).sum(dim=1).mean()
print(ce, kl + entropy, ce - kl)
#> tensor(0.7470) tensor(0.7470) tensor(0.7204)
print(entropy)
#> tensor(0.7204)
# The entropy does not depend on the logits: both give the same gradient.
z_ce, z_kl = logits.clone().requires_grad_(), logits.clone().requires_grad_()
nn.CrossEntropyLoss()(z_ce, p).backward()
nn.KLDivLoss(reduction="batchmean")(F.log_softmax(z_kl, dim=1), p).backward()
print(torch.allclose(z_ce.grad, z_kl.grad))
#> True
# --8<-- [end:kl-vs-cross-entropy]

# --8<-- [start:distillation-temperature]
# A teacher's logits for one sample, and its softmax at temperatures T = 1, 2, 4.
# Dividing the logits by T > 1 flattens the distribution: the probabilities the
# teacher gives to the wrong classes, what the student can learn from, become visible.
teacher_row = torch.tensor([[6.0, 2.0, 1.0, -1.0]])
for T in (1, 2, 4):
    print(f"T = {T}:", " ".join(f"{q:.4f}" for q in F.softmax(teacher_row / T, dim=1)[0]))
#> T = 1: 0.9747 0.0179 0.0066 0.0009
#> T = 2: 0.8015 0.1085 0.0658 0.0242
#> T = 4: 0.5470 0.2012 0.1567 0.0951
# --8<-- [end:distillation-temperature]

# --8<-- [start:distillation-gradient-scale]
# A batch of N = 8 samples, C = 10 classes, in float64: the student's logits z, the
# teacher's v, and hard labels (here the teacher's top class).
g = torch.Generator().manual_seed(0)
student_logits = torch.randn(8, 10, generator=g, dtype=torch.float64)
teacher_logits = 3 * torch.randn(8, 10, generator=g, dtype=torch.float64)
labels = teacher_logits.argmax(dim=1)


def soft_loss(z, T):
    """KL(teacher || student) at temperature T, 'batchmean'."""
    return nn.KLDivLoss(reduction="batchmean")(F.log_softmax(z / T, dim=1),
                                               F.softmax(teacher_logits / T, dim=1))


def student_gradient(loss_fn, *args):
    """d loss / d student logits, for loss_fn(student_logits, *args)."""
    z = student_logits.clone().requires_grad_()
    loss_fn(z, *args).backward()
    return z.grad


norm = torch.linalg.vector_norm
print(f"hard-label CE:  gradient norm {norm(student_gradient(F.cross_entropy, labels)):.4f}")
#> hard-label CE:  gradient norm 0.3658
for T in (1, 2, 4, 8):
    kl_norm = norm(student_gradient(soft_loss, T))
    print(f"KL at T = {T}: gradient norm {kl_norm:.5f}, times T^2 {T**2 * kl_norm:.4f}")
#> KL at T = 1: gradient norm 0.27287, times T^2 0.2729
#> KL at T = 2: gradient norm 0.08443, times T^2 0.3377
#> KL at T = 4: gradient norm 0.02109, times T^2 0.3374
#> KL at T = 8: gradient norm 0.00494, times T^2 0.3159
# The gradient is (q - p) / (N T), q and p the student's and teacher's softmax at T:
q_4, p_4 = (F.softmax(a / 4, dim=1) for a in (student_logits, teacher_logits))
print(torch.allclose(student_gradient(soft_loss, 4), (q_4 - p_4) / (8 * 4)))
#> True
# Large T: T^2 times the gradient tends to (z - v) / (N C), each row of z and v centred.
centred = [a - a.mean(dim=1, keepdim=True) for a in (student_logits, teacher_logits)]
print(f"the limit:      {norm((centred[0] - centred[1]) / 80):.4f}")
#> the limit:      0.2998
# --8<-- [end:distillation-gradient-scale]

# --8<-- [start:distillation-loss]
def distillation_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.5):
    """alpha T^2 KL(teacher || student) at temperature T + (1 - alpha) CE(labels) at T = 1."""
    soft = nn.KLDivLoss(reduction="batchmean", log_target=True)(
        F.log_softmax(student_logits / T, dim=1),  # the input: log-probabilities
        F.log_softmax(teacher_logits / T, dim=1))  # the target: log-probabilities too
    hard = F.cross_entropy(student_logits, labels)
    return alpha * T**2 * soft + (1 - alpha) * hard


print(f"{distillation_loss(student_logits, teacher_logits, labels):.4f}")
#> 3.4301
# By hand, the two terms (log_target=False with the teacher's probabilities: the same KL):
soft, hard = soft_loss(student_logits, 4.0), F.cross_entropy(student_logits, labels)
print(f"{0.5 * 16 * soft:.4f} + {0.5 * hard:.4f} = {0.5 * 16 * soft + 0.5 * hard:.4f}")
#> 1.8897 + 1.5405 = 3.4301
# The target gets a gradient too when it requires one: compute the teacher's logits under
# torch.no_grad() (or detach them), or the backward pass reaches into the teacher.
v = teacher_logits.clone().requires_grad_()
distillation_loss(student_logits, v, labels).backward()
print(v.grad is not None)
#> True
# --8<-- [end:distillation-loss]

from snippets.from_scratch.losses import (  # noqa: E402  (shown above)
    gaussian_nll_loss,
    kl_div,
    poisson_nll_loss,
)

# --8<-- [start:from-scratch-check]
g = torch.Generator().manual_seed(0)
x64 = torch.randn(4, 5, generator=g, dtype=torch.float64)
counts64 = torch.poisson(torch.full((4, 5), 3.0, dtype=torch.float64), generator=g)
var64 = torch.rand(4, 1, generator=g, dtype=torch.float64)
log_q64 = F.log_softmax(x64, dim=1)
p64 = F.softmax(torch.randn(4, 5, generator=g, dtype=torch.float64), dim=1)
checks = {
    "poisson_nll_loss": (poisson_nll_loss(x64, counts64, full=True),
                         F.poisson_nll_loss(x64, counts64, full=True)),
    "gaussian_nll_loss": (gaussian_nll_loss(x64, counts64, var64, full=True),
                          F.gaussian_nll_loss(x64, counts64, var64, full=True)),
    "kl_div": (kl_div(log_q64, p64, reduction="batchmean"),
               F.kl_div(log_q64, p64, reduction="batchmean")),
}
for name, (ours, theirs) in checks.items():
    print(f"{name:<18} {ours.item():.6g} {theirs.item():.6g} {torch.allclose(ours, theirs)}")
#> poisson_nll_loss   3.53951 3.53951 True
#> gaussian_nll_loss  15.4992 15.4992 True
#> kl_div             0.602799 0.602799 True
# --8<-- [end:from-scratch-check]
