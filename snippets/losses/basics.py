"""Examples for docs/losses/basics.md: loss, cost and objective; fitting; reduction."""

# --8<-- [start:setup]
import inspect
import math
import warnings

import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:setup]

# --8<-- [start:loss-cost-objective]
# A linear model y_hat = w * x + b on 4 points.
x = torch.tensor([1.0, 2.0, 3.0, 4.0])
y = torch.tensor([2.5, 3.5, 6.5, 8.0])
w, b = torch.tensor(2.0), torch.tensor(0.0)
y_hat = w * x + b

loss = (y_hat - y) ** 2  # loss function: one value per sample
cost = loss.mean()  # cost function: the average over the training set
lam = 0.1
objective = cost + lam * w**2  # objective: cost + regularization (here L2 on w)
print(loss)
#> tensor([0.2500, 0.2500, 0.2500, 0.0000])
print(cost, objective)
#> tensor(0.1875) tensor(0.5875)
# --8<-- [end:loss-cost-objective]

# --8<-- [start:reduction]
# A torch loss module computes the per-sample losses and then reduces them.
print(nn.MSELoss(reduction="none")(y_hat, y))
#> tensor([0.2500, 0.2500, 0.2500, 0.0000])
print(nn.MSELoss(reduction="sum")(y_hat, y), nn.MSELoss(reduction="mean")(y_hat, y))
#> tensor(0.7500) tensor(0.1875)
# --8<-- [end:reduction]

# --8<-- [start:weight-decay]
# One optimizer step from w = 2 on the cost above, plus a penalty term; lr = 0.01.
def one_step(optimizer_class, penalty=None, reduction="mean", **options):
    w = torch.tensor(2.0, requires_grad=True)
    optimizer = optimizer_class([w], lr=0.01, **options)
    loss = nn.MSELoss(reduction=reduction)(w * x, y)
    if penalty is not None:
        loss = loss + penalty(w)
    loss.backward()
    optimizer.step()
    return f"{w.item():.4f}"


# SGD on the objective (cost + lam * w**2) takes the same step as SGD with
# weight_decay = 2 * lam on the cost alone: it adds 2 * lam * w to the gradient.
print(one_step(torch.optim.SGD, lambda w: lam * w**2),
      one_step(torch.optim.SGD, weight_decay=2 * lam))
#> 2.0010 2.0010
# Adam's weight_decay does the same; AdamW's decoupled decay shrinks w directly,
# outside the gradient, and is the gradient of no term of the loss:
print(one_step(torch.optim.Adam, lambda w: lam * w**2),
      one_step(torch.optim.Adam, weight_decay=2 * lam),
      one_step(torch.optim.AdamW, weight_decay=2 * lam))
#> 2.0100 2.0100 2.0060
# --8<-- [end:weight-decay]

# --8<-- [start:zero-one]
# Three samples, three classes: the predicted class is the one with the largest score.
scores = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.3, 0.2], [1.0, 3.0, 0.0]])
labels = torch.tensor([0, 2, 1])
predicted = scores.argmax(dim=1)
zero_one = (predicted != labels).float()  # 0 when prediction == target, 1 otherwise
print(predicted, zero_one)
#> tensor([0, 1, 1]) tensor([0., 1., 0.])
print(zero_one.mean())  # the error rate: 1 - accuracy
#> tensor(0.3333)
# --8<-- [end:zero-one]

# --8<-- [start:zero-one-gradient]
# One binary score s per sample, target "positive": the prediction is right when s > 0.
s = torch.tensor([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0], requires_grad=True)
step = (1 - torch.sign(s)) / 2  # the 0-1 loss as a function of s: 1 if s < 0, 0 if s > 0
step.sum().backward()
print(step.detach(), s.grad)
#> tensor([1., 1., 1., 0., 0., 0.]) tensor([0., 0., 0., 0., 0., 0.])
s.grad = None
surrogate = F.softplus(-s)  # the logistic loss -log sigmoid(s), i.e. BCEWithLogitsLoss
surrogate.sum().backward()
print(s.grad)
#> tensor([-0.8808, -0.7311, -0.6225, -0.3775, -0.2689, -0.1192])
# Measured in bits (divided by ln 2), the surrogate is never below the 0-1 loss:
print(bool((surrogate / math.log(2) >= step).all()))
#> True
# --8<-- [end:zero-one-gradient]

# --8<-- [start:squared-mse-mae]
y_true = torch.tensor([3.0, -0.5, 2.0, 7.0])
y_pred = torch.tensor([2.5, 0.0, 2.0, 8.0])
squared = (y_true - y_pred) ** 2  # squared loss: one value per sample
print(squared)
#> tensor([0.2500, 0.2500, 0.0000, 1.0000])
print(squared.mean(), nn.MSELoss()(y_pred, y_true))  # MSE: the mean of the squared losses
#> tensor(0.3750) tensor(0.3750)
print((y_true - y_pred).abs().mean(), nn.L1Loss()(y_pred, y_true))  # MAE: mean |y - y_hat|
#> tensor(0.5000) tensor(0.5000)
print(squared.sum(), squared.sum() / 2)  # sum of squares, and with the 1/2: not MSELoss
#> tensor(1.5000) tensor(0.7500)
# --8<-- [end:squared-mse-mae]

# --8<-- [start:softmax-loss]
probs = torch.softmax(scores, dim=1)  # the scores of the 0-1 example, as probabilities
picked = -torch.log(probs[torch.arange(3), labels])  # -log of the true class's probability
print(picked)
#> tensor([0.2413, 1.1019, 0.1698])
print(F.cross_entropy(scores, labels, reduction="none"))
#> tensor([0.2413, 1.1019, 0.1698])
# The same with a one-hot target P: -sum_c P_c log S_c. Without the minus sign it is negative.
one_hot = F.one_hot(labels, num_classes=3).float()
print(-(one_hot * torch.log(probs)).sum(dim=1))
#> tensor([0.2413, 1.1019, 0.1698])
# --8<-- [end:softmax-loss]

# --8<-- [start:fitting]
# Noisy samples of a smooth curve; fit polynomials of growing degree by least squares.
g = torch.Generator().manual_seed(0)
x_train = torch.linspace(-1, 1, 12, dtype=torch.float64)
x_test = torch.linspace(-0.95, 0.95, 200, dtype=torch.float64)


def curve(x):
    return torch.sin(3 * x)


y_train = curve(x_train) + 0.2 * torch.randn(12, generator=g, dtype=torch.float64)
y_test = curve(x_test) + 0.2 * torch.randn(200, generator=g, dtype=torch.float64)


def fit_and_score(degree):
    def features(x):
        return torch.stack([x**k for k in range(degree + 1)], dim=1)

    coef = torch.linalg.lstsq(features(x_train), y_train.unsqueeze(1)).solution
    train = nn.MSELoss()(features(x_train) @ coef, y_train.unsqueeze(1))
    test = nn.MSELoss()(features(x_test) @ coef, y_test.unsqueeze(1))
    return train.item(), test.item()


for degree in (1, 3, 11):
    train, test = fit_and_score(degree)
    print(f"degree {degree:>2}: train MSE {train:.4f}   test MSE {test:.4f}")
#> degree  1: train MSE 0.3302   test MSE 0.2236
#> degree  3: train MSE 0.0351   test MSE 0.0448
#> degree 11: train MSE 0.0000   test MSE 0.2565
# --8<-- [end:fitting]

# --8<-- [start:loss-is-a-module]
criteria = [getattr(nn, name) for name in dir(nn) if name.endswith("Loss")]
print([c.__name__ for c in criteria if not issubclass(c, nn.modules.loss._Loss)])
#> ['AdaptiveLogSoftmaxWithLoss']
print([c.__name__ for c in criteria if issubclass(c, nn.modules.loss._WeightedLoss)])
#> ['BCELoss', 'CrossEntropyLoss', 'LinearCrossEntropyLoss', 'MultiLabelSoftMarginLoss', 'MultiMarginLoss', 'NLLLoss']
print([c.__name__ for c in nn.CrossEntropyLoss.__mro__])
#> ['CrossEntropyLoss', '_WeightedLoss', '_Loss', 'Module', 'object']
# The class weight is a buffer: it is saved in the state_dict and moves with the module.
weighted_ce = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 3.0]))
print(weighted_ce.reduction, dict(weighted_ce.state_dict()))
#> mean {'weight': tensor([1., 3.])}
print(weighted_ce.double().weight.dtype, weighted_ce.to("meta").weight.device)
#> torch.float64 meta
# The criterion is not part of the model: moving the model leaves it where it was.
model, criterion = nn.Linear(2, 2), nn.CrossEntropyLoss(weight=torch.tensor([1.0, 3.0]))
model.to("meta")
print(model.weight.device, criterion.weight.device)
#> meta cpu
model.to(torch.float64)
print(model.weight.dtype, criterion.weight.dtype)
#> torch.float64 torch.float32
# A criterion made a submodule moves with the model, and its weight joins the state_dict.
class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)
        self.criterion = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 3.0]))


classifier = Classifier().to("meta")
print(list(classifier.state_dict()), classifier.criterion.weight.device)
#> ['linear.weight', 'linear.bias', 'criterion.weight'] meta
# LinearCrossEntropyLoss is a _Loss with a trainable parameter.
print([name for name, _ in nn.LinearCrossEntropyLoss(4, 3).named_parameters()])
#> ['linear.weight']
bce = nn.BCEWithLogitsLoss(weight=torch.tensor([1.0]), pos_weight=torch.tensor([2.0]))
print(isinstance(bce, nn.modules.loss._WeightedLoss), sorted(dict(bce.named_buffers())))
#> False ['pos_weight', 'weight']
# --8<-- [end:loss-is-a-module]

# --8<-- [start:which-losses-take-reduction]
loss_classes = [name for name in dir(nn) if name.endswith("Loss")]
without = [name for name in loss_classes
           if "reduction" not in inspect.signature(getattr(nn, name)).parameters]
print(len(loss_classes), without)
#> 23 ['AdaptiveLogSoftmaxWithLoss']
# --8<-- [end:which-losses-take-reduction]

# --8<-- [start:sum-and-the-learning-rate]
# The same step with 'mean' and with 'sum' over the 4 points (w starts at 2.0000):
for optimizer_class in (torch.optim.SGD, torch.optim.Adam):
    print(optimizer_class.__name__, one_step(optimizer_class, reduction="mean"),
          one_step(optimizer_class, reduction="sum"))
#> SGD 2.0050 2.0200
#> Adam 2.0100 2.0100
# --8<-- [end:sum-and-the-learning-rate]

# --8<-- [start:mean-divisor]
# For each loss with a weight: is 'mean' the sum of L divided by N (the number of
# unreduced losses) or by the sum of the weights that go with them?
g = torch.Generator().manual_seed(0)
N, C = 4, 3
x = torch.randn(N, C, generator=g, dtype=torch.float64)  # scores or logits
r = torch.randn(N, C, generator=g, dtype=torch.float64)  # regression targets
y = torch.tensor([0, 2, 1, 2])  # class indices
P = torch.softmax(r, dim=1)  # probability targets
t = torch.tensor([[1.0, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=torch.float64)
w = torch.tensor([1.0, 2.0, 5.0], dtype=torch.float64)  # one weight per class
w_el = torch.rand(N, C, generator=g, dtype=torch.float64) + 0.5  # one per element
hidden = torch.randn(N, 5, generator=g, dtype=torch.float64)
W_out = torch.randn(C, 5, generator=g, dtype=torch.float64)
cases = {  # name: (the loss for a given reduction, the weight that goes with each l_n)
    "NLLLoss(weight)": (
        lambda red: F.nll_loss(F.log_softmax(x, 1), y, w, reduction=red), w[y]),
    "CrossEntropyLoss(weight), class indices": (
        lambda red: F.cross_entropy(x, y, w, reduction=red), w[y]),
    "  ... and label_smoothing=0.1": (
        lambda red: F.cross_entropy(x, y, w, reduction=red, label_smoothing=0.1), w[y]),
    "CrossEntropyLoss(weight), probabilities": (
        lambda red: F.cross_entropy(x, P, w, reduction=red), (w * P).sum(1)),
    "LinearCrossEntropyLoss(weight)": (
        lambda red: F.linear_cross_entropy(hidden, W_out, y, weight=w, reduction=red), w[y]),
    "MultiMarginLoss(weight)": (
        lambda red: F.multi_margin_loss(x, y, weight=w, reduction=red), w[y]),
    "MultiLabelSoftMarginLoss(weight)": (
        lambda red: F.multilabel_soft_margin_loss(x, t, w, reduction=red), w.mean().expand(N)),
    "BCELoss(weight)": (
        lambda red: F.binary_cross_entropy(torch.sigmoid(x), t, w_el, reduction=red), w_el),
    "BCEWithLogitsLoss(weight)": (
        lambda red: F.binary_cross_entropy_with_logits(x, t, w_el, reduction=red), w_el),
    "BCEWithLogitsLoss(pos_weight)": (
        lambda red: F.binary_cross_entropy_with_logits(x, t, reduction=red, pos_weight=w),
        torch.where(t == 1, w, 1.0)),
    "F.l1_loss(weight)": (lambda red: F.l1_loss(x, r, reduction=red, weight=w_el), w_el),
    "F.mse_loss(weight)": (lambda red: F.mse_loss(x, r, reduction=red, weight=w_el), w_el),
    "F.huber_loss(weight)": (lambda red: F.huber_loss(x, r, reduction=red, weight=w_el), w_el),
}
print(f"{'loss':<40} 'mean' = sum(L) / ...")
#> loss                                     'mean' = sum(L) / ...
for name, (loss, weight_of_l) in cases.items():
    unreduced, total, mean = loss("none"), loss("sum"), loss("mean")
    by_n = torch.allclose(mean, total / unreduced.numel())
    by_weights = torch.allclose(mean, total / weight_of_l.sum())
    print(f"{name:<40} {'N' if by_n and not by_weights else ''}"
          f"{'the sum of the weights' if by_weights and not by_n else ''}")
#> NLLLoss(weight)                          the sum of the weights
#> CrossEntropyLoss(weight), class indices  the sum of the weights
#>   ... and label_smoothing=0.1            the sum of the weights
#> CrossEntropyLoss(weight), probabilities  N
#> LinearCrossEntropyLoss(weight)           the sum of the weights
#> MultiMarginLoss(weight)                  N
#> MultiLabelSoftMarginLoss(weight)         N
#> BCELoss(weight)                          N
#> BCEWithLogitsLoss(weight)                N
#> BCEWithLogitsLoss(pos_weight)            N
#> F.l1_loss(weight)                        the sum of the weights
#> F.mse_loss(weight)                       the sum of the weights
#> F.huber_loss(weight)                     N
# The weight of l1, mse and huber exists in the functional forms only:
print([name for name in ("L1Loss", "MSELoss", "HuberLoss")
       if "weight" in inspect.signature(getattr(nn, name)).parameters])
#> []
# --8<-- [end:mean-divisor]

# --8<-- [start:legacy-warning]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    nn.CrossEntropyLoss(size_average=False)
for warning in caught:
    print(warning.category.__name__, warning.message)
#> UserWarning size_average and reduce args will be deprecated, please use reduction='sum' instead.
# --8<-- [end:legacy-warning]

# --8<-- [start:legacy-mapping]
inputs = torch.tensor([[1.0, 2.0], [1.0, 3.0], [1.0, 3.0]])
target = torch.tensor([0, 1, 1])
per_sample = nn.CrossEntropyLoss(reduction="none")(inputs, target)
candidates = {"none": per_sample, "sum": per_sample.sum(), "mean": per_sample.mean()}
print("size_average  reduce  ->  reduction   output equals")
#> size_average  reduce  ->  reduction   output equals
for size_average in (None, True, False):
    for reduce in (None, True, False):
        if size_average is None and reduce is None:
            continue  # no legacy argument: `reduction` alone decides
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            legacy = nn.CrossEntropyLoss(size_average=size_average, reduce=reduce)
        out = legacy(inputs, target)  # what the legacy arguments really compute
        equals = [name for name, value in candidates.items()
                  if value.shape == out.shape and torch.allclose(value, out)]
        print(f"{size_average!s:<13} {reduce!s:<7} ->  {legacy.reduction!r:<11} {equals}")
#> None          True    ->  'mean'      ['mean']
#> None          False   ->  'none'      ['none']
#> True          None    ->  'mean'      ['mean']
#> True          True    ->  'mean'      ['mean']
#> True          False   ->  'none'      ['none']
#> False         None    ->  'sum'       ['sum']
#> False         True    ->  'sum'       ['sum']
#> False         False   ->  'none'      ['none']
# --8<-- [end:legacy-mapping]
