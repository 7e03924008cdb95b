"""Examples for docs/losses/information_theory.md: entropy, KL divergence, Jensen–Shannon
divergence, cross-entropy."""

# --8<-- [start:setup]
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Bernoulli, Categorical, kl_divergence
# --8<-- [end:setup]

# --8<-- [start:self-information]
# I(x) = -log P(x): rare events carry more information than likely ones.
for p in (0.99, 0.5, 0.01):
    print(f"P = {p:<4}  I = {-math.log(p):.4f} nats")
#> P = 0.99  I = 0.0101 nats
#> P = 0.5   I = 0.6931 nats
#> P = 0.01  I = 4.6052 nats
# --8<-- [end:self-information]


# --8<-- [start:entropy]
def entropy(P: torch.Tensor) -> torch.Tensor:
    """H(P) = -sum_i P(x_i) log P(x_i) = sum_i P(x_i) I(x_i), with 0 log 0 taken as 0."""
    self_information = (1 / P).log()  # -log P, written so that -log 1 is +0, not -0
    return torch.where(P > 0, P * self_information, 0.0).sum(-1)


fair_coin = torch.tensor([0.5, 0.5])
biased_coin = torch.tensor([0.9, 0.1])
print(entropy(fair_coin), entropy(biased_coin))
#> tensor(0.6931) tensor(0.3251)
print(Categorical(probs=biased_coin).entropy())  # torch.distributions agrees
#> tensor(0.3251)
# Without the minus sign the sum is negative, which no amount of uncertainty can be:
print((biased_coin * biased_coin.log()).sum())
#> tensor(-0.3251)
# --8<-- [end:entropy]

# --8<-- [start:bernoulli-entropy]
p = torch.linspace(0.0, 1.0, 11)
H = entropy(torch.stack([p, 1 - p], dim=-1))
print(H)
#> tensor([0.0000, 0.3251, 0.5004, 0.6109, 0.6730, 0.6931, 0.6730, 0.6109, 0.5004,
#>         0.3251, 0.0000])
print(H.max(), f"{math.log(2):.4f}")
#> tensor(0.6931) 0.6931
# --8<-- [end:bernoulli-entropy]

# --8<-- [start:fresh-classifier]
# A freshly initialized binary classifier outputs logits near 0, i.e. p near 0.5,
# so its binary cross-entropy starts near -log(0.5) = ln 2 whatever the labels are.
torch.manual_seed(0)
model = nn.Linear(20, 1)
features = torch.randn(1000, 20)
labels = torch.randint(0, 2, (1000, 1)).float()
print(nn.BCEWithLogitsLoss()(model(features), labels))
#> tensor(0.7349, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)
# Not exactly ln 2, because random weights give logits that are not exactly 0.
# With all-zero weights every probability is exactly 0.5:
nn.init.zeros_(model.weight)
nn.init.zeros_(model.bias)
print(nn.BCEWithLogitsLoss()(model(features), labels))
#> tensor(0.6931, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)
# With C classes, the same reasoning gives ln C at the start of training.
model = nn.Linear(20, 10)
classes = torch.randint(0, 10, (1000,))
print(nn.CrossEntropyLoss()(model(features), classes), f"{math.log(10):.4f}")
#> tensor(2.4238, grad_fn=<NllLossBackward0>) 2.3026
# --8<-- [end:fresh-classifier]


# --8<-- [start:kl-divergence]
def kl(P: torch.Tensor, Q: torch.Tensor) -> torch.Tensor:
    """D_KL(P || Q) = sum_i P(x_i) log(P(x_i) / Q(x_i))."""
    return torch.where(P > 0, P * (P / Q).log(), 0.0).sum(-1)


P = torch.tensor([0.7, 0.2, 0.1])
Q = torch.tensor([0.3, 0.4, 0.3])
print(kl(P, Q), kl(Q, P))  # not symmetric: KL is not a distance
#> tensor(0.3446) tensor(0.3527)
print(kl_divergence(Categorical(probs=P), Categorical(probs=Q)))
#> tensor(0.3446)
print(kl(P, P))  # zero only when the two distributions are equal
#> tensor(0.)
# --8<-- [end:kl-divergence]

# --8<-- [start:kl-asymmetry-strong]
# The asymmetry can be large: a Q that puts little mass where P has some is punished
# hard by D(P || Q), much less by D(Q || P).
P = torch.tensor([0.5, 0.5])
Q = torch.tensor([0.99, 0.01])
print(kl(P, Q), kl(Q, P))
#> tensor(1.6145) tensor(0.6371)
# --8<-- [end:kl-asymmetry-strong]


# The page shows this function's code instead (its block "From scratch: jensenshannon"),
# included from the same module, so that its code runs on its own.
from snippets.from_scratch.information_theory import jensenshannon  # noqa: E402


# --8<-- [start:js-symmetric]
def js(P: torch.Tensor, Q: torch.Tensor) -> torch.Tensor:
    """JS(P || Q) = 1/2 D_KL(P || M) + 1/2 D_KL(Q || M), with M = (P + Q) / 2."""
    M = (P + Q) / 2
    return 0.5 * kl(P, M) + 0.5 * kl(Q, M)


# P and Q of the strong asymmetry above: the two KL divergences were 1.6145 and 0.6371.
print(js(P, Q), js(Q, P))
#> tensor(0.1932) tensor(0.1932)
# The entropy form: the entropy of the mixture minus the mean of the two entropies.
M = (P + Q) / 2
print(entropy(M) - (entropy(P) + entropy(Q)) / 2)
#> tensor(0.1932)
print(js(P, P))  # 0 for two equal distributions
#> tensor(0.)
# --8<-- [end:js-symmetric]

# --8<-- [start:js-bounded]
# Disjoint supports: no outcome is possible under both P and Q.
P = torch.tensor([0.5, 0.5, 0.0, 0.0])
Q = torch.tensor([0.0, 0.0, 0.25, 0.75])
print(kl(P, Q), kl(Q, P))  # each puts mass where the other has none
#> tensor(inf) tensor(inf)
print(js(P, Q), f"{math.log(2):.4f}")  # finite, and exactly the bound ln 2
#> tensor(0.6931) 0.6931
print(f"{js(P, Q) / math.log(2):.4f} bit")  # in bits (logs in base 2)
#> 1.0000 bit
# Between 0 and ln 2 for 10,000 random pairs of distributions over 5 outcomes.
g = torch.Generator().manual_seed(0)
A = torch.softmax(3 * torch.randn(10_000, 5, generator=g), dim=-1)
B = torch.softmax(3 * torch.randn(10_000, 5, generator=g), dim=-1)
J = js(A, B)
print(f"{J.min():.4f} {J.max():.4f}", bool((J >= 0).all() and (J <= math.log(2)).all()))
#> 0.0001 0.6927 True
# --8<-- [end:js-bounded]

# --8<-- [start:js-distance]
# scipy's jensenshannon, and this from-scratch twin, return the distance sqrt(JS):
print(jensenshannon(P, Q), js(P, Q).sqrt())
#> tensor(0.8326) tensor(0.8326)
print(jensenshannon(P, Q) ** 2, f"{jensenshannon(P, Q, base=2) ** 2:.4f} bit")  # nats, bits
#> tensor(0.6931) 1.0000 bit
# It normalises p and q first: counts give the same result as probabilities.
print(jensenshannon(torch.tensor([2.0, 2.0, 0.0, 0.0]), torch.tensor([0.0, 0.0, 1.0, 3.0])))
#> tensor(0.8326)
# The divergence breaks the triangle inequality; its square root, a metric, does not.
P1, P2, P3 = torch.tensor([1.0, 0.0]), torch.tensor([0.5, 0.5]), torch.tensor([0.0, 1.0])
print(js(P1, P2) + js(P2, P3), js(P1, P3))  # JS(P1, P2) + JS(P2, P3) < JS(P1, P3)
#> tensor(0.4315) tensor(0.6931)
print(jensenshannon(P1, P2) + jensenshannon(P2, P3), jensenshannon(P1, P3))
#> tensor(0.9290) tensor(0.8326)
# And on 100,000 random triples of distributions over 4 outcomes:
R = torch.softmax(2 * torch.randn(3, 100_000, 4, generator=g, dtype=torch.float64), dim=-1)
d01, d12, d02 = (jensenshannon(R[i], R[j], axis=-1) for i, j in ((0, 1), (1, 2), (0, 2)))
print(bool((d02 <= d01 + d12).all()))  # one distance per row (axis=-1)
#> True
# --8<-- [end:js-distance]

# --8<-- [start:js-rounding-nan]
# Two distributions one rounding step apart: x is the largest float64 below 0.5, and
# 1 - x rounds to 0.5. M rounds to (0.5, 0.5), so the computed JS is slightly negative.
x = 0.5 - 2**-54
p = torch.tensor([x, 1 - x], dtype=torch.float64)
q = p.flip(0)
print(js(p, q), jensenshannon(p, q))  # the square root of a negative number: nan
#> tensor(-5.5511e-17, dtype=torch.float64) tensor(nan, dtype=torch.float64)
print(js(p, q).clamp(min=0).sqrt())  # clamped at 0 first: the distance is 0
#> tensor(0., dtype=torch.float64)
# --8<-- [end:js-rounding-nan]

# --8<-- [start:js-disjoint-gradient]
# The data P: a bump of half-width 1 around -2, on the midpoints of 80 cells of width 0.1
# between -4 and 4. The model Q_theta: the same bump around theta, its one parameter.
# jensenshannon normalises both, so they need not sum to 1.
x = (torch.arange(80, dtype=torch.float64) + 0.5) / 10 - 4


def bump(center):
    return torch.relu(1 - (x - center).abs())  # 0 outside (center - 1, center + 1)


P = bump(-2.0)


def js_and_gradient(theta):
    theta = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    J = jensenshannon(P, bump(theta)) ** 2  # the divergence, in nats
    (dJ_dtheta,) = torch.autograd.grad(J, theta)
    return J, dJ_dtheta


for theta in (-1.5, -1.0):  # the supports overlap
    J, dJ_dtheta = js_and_gradient(theta)
    print(f"theta = {theta}: JS = {J:.4f}, dJS/dtheta = {dJ_dtheta:.4f}")
#> theta = -1.5: JS = 0.1676, dJS/dtheta = 0.5077
#> theta = -1.0: JS = 0.4412, dJS/dtheta = 0.4829
for theta in (0.0, 2.0):  # disjoint supports
    J, dJ_dtheta = js_and_gradient(theta)
    print(f"theta = {theta}: JS = {J:.4f}, |dJS/dtheta| < 1e-12: {abs(dJ_dtheta) < 1e-12}")
#> theta = 0.0: JS = 0.6931, |dJS/dtheta| < 1e-12: True
#> theta = 2.0: JS = 0.6931, |dJS/dtheta| < 1e-12: True
Q = bump(-1.5)
print(kl(P / P.sum(), Q / Q.sum()))  # overlapping, yet Q misses part of P's support
#> tensor(inf, dtype=torch.float64)
# --8<-- [end:js-disjoint-gradient]

# --8<-- [start:js-in-pytorch]
def js_divergence(log_p: torch.Tensor, log_q: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """JS(P || Q) in nats, from finite log-probabilities (log_softmax outputs) along dim."""
    log_m = torch.logaddexp(log_p, log_q) - math.log(2)  # log M = log((P + Q) / 2), stably
    # F.kl_div(input, target) is D_KL(target || exp(input)): the reference comes second.
    kl_pm = F.kl_div(log_m, log_p, reduction="none", log_target=True).sum(dim)
    kl_qm = F.kl_div(log_m, log_q, reduction="none", log_target=True).sum(dim)
    return 0.5 * kl_pm + 0.5 * kl_qm


g = torch.Generator().manual_seed(0)
log_p = torch.randn(4, 10, generator=g, dtype=torch.float64).log_softmax(dim=-1)
log_q = torch.randn(4, 10, generator=g, dtype=torch.float64).log_softmax(dim=-1)
print(js_divergence(log_p, log_q))  # one JS per row
#> tensor([0.0817, 0.1824, 0.0970, 0.2551], dtype=torch.float64)
print(jensenshannon(log_p.exp(), log_q.exp(), axis=-1) ** 2)  # the from-scratch one agrees
#> tensor([0.0817, 0.1824, 0.0970, 0.2551], dtype=torch.float64)
# Why logaddexp: log-probabilities of -800 are probabilities that underflow to 0, even in
# float64, and the log of their mean is then -inf.
a = torch.tensor(-800.0, dtype=torch.float64)
print(((a.exp() + a.exp()) / 2).log(), torch.logaddexp(a, a) - math.log(2))
#> tensor(-inf, dtype=torch.float64) tensor(-800., dtype=torch.float64)
# Like the divergence in scipy's function, it can round slightly below 0 for nearly equal
# inputs (float32 here): clamp at 0 before a square root.
logits = torch.randn(1000, 10, generator=g)
nearby = logits + 1e-4 * torch.randn(1000, 10, generator=g)
J = js_divergence(logits.log_softmax(dim=-1), nearby.log_softmax(dim=-1))
print(bool(J.sqrt().isnan().any()), bool(J.clamp(min=0).sqrt().isnan().any()))
#> True False
# --8<-- [end:js-in-pytorch]

# --8<-- [start:js-masked-class]
# A class masked out (logit -inf, log-probability -inf): F.kl_div computes
# exp(-inf) * (-inf - log M) = 0 * -inf = nan.
log_p = torch.tensor([0.0, -math.inf, 0.0]).log_softmax(dim=-1)
log_q = torch.zeros(3).log_softmax(dim=-1)
print(log_p, js_divergence(log_p, log_q))
#> tensor([-0.6931,    -inf, -0.6931]) tensor(nan)
# Clamped at the most negative finite number, the class's probability is still exactly 0,
# and F.kl_div computes 0 * (a finite number) = 0, in value and in gradient.
lowest = torch.finfo(log_p.dtype).min
print(js_divergence(log_p.clamp(min=lowest), log_q.clamp(min=lowest)))
#> tensor(0.1323)
print(jensenshannon(log_p.exp(), log_q.exp()) ** 2)  # the from-scratch one agrees
#> tensor(0.1323)
# At P == Q, with the same class masked in both: 0 and a zero gradient, up to rounding
# (in float64 here, so that rounding stays far below the threshold).
logits = torch.tensor([1.0, -math.inf, 3.0], dtype=torch.float64, requires_grad=True)
log_q = logits.log_softmax(dim=-1).clamp(min=torch.finfo(torch.float64).min)  # the model
J = js_divergence(log_q.detach(), log_q)  # the target, equal to the model
(grad,) = torch.autograd.grad(J, logits)
print(bool(J.abs() < 1e-12), bool(grad.abs().max() < 1e-12))
#> True True
# --8<-- [end:js-masked-class]

# --8<-- [start:js-gradient-at-equality]
# A model whose distribution already equals the target: the divergence's gradient is 0,
# the distance's is nan (sqrt's derivative is infinite at 0), and so is its square's.
def gradient_at_equality(loss):
    logits = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    log_q = logits.log_softmax(dim=-1)  # the model
    log_p = log_q.detach()  # the target, equal to the model
    (grad,) = torch.autograd.grad(loss(log_p, log_q), logits)
    return grad


print(bool(gradient_at_equality(js_divergence).abs().max() < 1e-12))  # 0, up to rounding
#> True
print(gradient_at_equality(lambda log_p, log_q: jensenshannon(log_p.exp(), log_q.exp())))
#> tensor([nan, nan, nan], dtype=torch.float64)
print(gradient_at_equality(lambda log_p, log_q: jensenshannon(log_p.exp(), log_q.exp()) ** 2))
#> tensor([nan, nan, nan], dtype=torch.float64)
# --8<-- [end:js-gradient-at-equality]


# --8<-- [start:cross-entropy-identity]
def cross_entropy(P: torch.Tensor, Q: torch.Tensor) -> torch.Tensor:
    """H(P, Q) = -sum_i P(x_i) log Q(x_i)."""
    return -(P * Q.log()).sum(-1)


g = torch.Generator().manual_seed(0)
P = torch.softmax(torch.randn(5, 4, generator=g), dim=-1)  # 5 "true" distributions
Q = torch.softmax(torch.randn(5, 4, generator=g), dim=-1)  # 5 model distributions
print(cross_entropy(P, Q))
#> tensor([1.3463, 1.5022, 1.7074, 1.5061, 1.8364])
print(entropy(P) + kl(P, Q))
#> tensor([1.3463, 1.5022, 1.7074, 1.5061, 1.8364])
print(torch.allclose(cross_entropy(P, Q), entropy(P) + kl(P, Q)))
#> True
# --8<-- [end:cross-entropy-identity]

# --8<-- [start:one-hot-target]
# With a one-hot P (a class label) H(P) = 0, so cross-entropy = KL = -log Q(true class):
# exactly what nn.CrossEntropyLoss computes, with Q = softmax(logits).
logits = torch.tensor([[1.0, 2.0]])
Q = torch.softmax(logits, dim=-1)
P = torch.tensor([[1.0, 0.0]])  # the true class is 0
print(entropy(P), cross_entropy(P, Q), kl(P, Q))
#> tensor([0.]) tensor([1.3133]) tensor([1.3133])
print(nn.CrossEntropyLoss()(logits, torch.tensor([0])))
#> tensor(1.3133)
# --8<-- [end:one-hot-target]

# --8<-- [start:bernoulli-kl]
# The binary case: BCE with a soft target y is H(y) + KL(Bernoulli(y) || Bernoulli(p)).
y, p = torch.tensor(0.8), torch.tensor(0.6)
bce = nn.BCELoss()(p, y)
print(bce, Bernoulli(probs=y).entropy() + kl_divergence(Bernoulli(probs=y), Bernoulli(probs=p)))
#> tensor(0.5919) tensor(0.5919)
# --8<-- [end:bernoulli-kl]
