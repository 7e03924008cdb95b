"""Examples for docs/losses/basics.md: loss, cost and objective; fitting; reduction."""

# --8<-- [start:setup]
import warnings

import torch
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
