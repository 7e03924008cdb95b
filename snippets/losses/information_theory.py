"""Examples for docs/losses/information_theory.md: entropy, KL divergence, cross-entropy."""

# --8<-- [start:setup]
import math

import torch
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
