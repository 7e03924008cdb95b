"""Examples for docs/training/troubleshooting.md: troubleshooting a loss by what you see."""

# --8<-- [start:setup]
import math
import warnings

import torch
import torch.nn.functional as F
from torch import nn

# Everything that trains below runs in float64 and takes its randomness from a seed.
# --8<-- [end:setup]

# --8<-- [start:nan-all-ignored]
# A batch in which every target is padding (-100, the default ignore_index).
logits = torch.tensor([[1.0, 2.0, 0.5], [0.3, 0.1, 2.0]])
all_padding = torch.tensor([-100, -100])
loss = nn.CrossEntropyLoss()(logits, all_padding)  # 'mean': 0 / 0
print(loss)
#> tensor(nan)
running = 0.0
for batch_loss in (0.5, loss.item(), 0.4):  # one such batch in an epoch's log
    running += batch_loss
print(running / 3)
#> nan


# The fix: the sum, divided by the number of kept targets, at least 1.
def masked_ce(logits, target, ignore_index=-100):
    kept = (target != ignore_index).sum()
    total = nn.CrossEntropyLoss(reduction="sum", ignore_index=ignore_index)(logits, target)
    return total / kept.clamp(min=1)


print(masked_ce(logits, all_padding))  # 0, not nan
#> tensor(0.)
print(masked_ce(logits, torch.tensor([1, -100])),  # the usual mean otherwise
      nn.CrossEntropyLoss()(logits, torch.tensor([1, -100])))
#> tensor(0.4644) tensor(0.4644)
# --8<-- [end:nan-all-ignored]

# --8<-- [start:nan-log-zero]
# float32 sigmoid rounds confident logits to exactly 1 and 0.
p = torch.sigmoid(torch.tensor([20.0, -120.0]))
y = torch.tensor([0.0, 0.0])
print(p)
#> tensor([1., 0.])
by_hand = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))
print(by_hand)  # -log(0) = inf, and 0 * log(0) = 0 * (-inf) = nan
#> tensor([inf, nan])
print(nn.BCELoss(reduction="none")(p, y))  # torch clamps each log at -100
#> tensor([100.,   0.])
# The fix: give the logits to BCEWithLogitsLoss; the true losses are about 20 and 0.
print(nn.BCEWithLogitsLoss(reduction="none")(torch.tensor([20.0, -120.0]), y))
#> tensor([20.,  0.])
# --8<-- [end:nan-log-zero]

# --8<-- [start:nan-float16-overflow]
print(torch.tensor(256.0, dtype=torch.float16) ** 2, torch.finfo(torch.float16).max)
#> tensor(inf, dtype=torch.float16) 65504.0
big = torch.tensor([300.0, 300.0], dtype=torch.float16)
print(big * big - big * big)  # inf - inf
#> tensor([nan, nan], dtype=torch.float16)
# --8<-- [end:nan-float16-overflow]

# --8<-- [start:nan-learning-rate]
# Linear regression, 64 samples and 4 features, trained with SGD in float64.
g = torch.Generator().manual_seed(0)
X = torch.randn(64, 4, generator=g, dtype=torch.float64)
w_true = torch.tensor([[1.0], [-2.0], [0.5], [3.0]], dtype=torch.float64)
Y = X @ w_true + 0.1 * torch.randn(64, 1, generator=g, dtype=torch.float64)


def train_regression(lr, steps=400):
    model = nn.Linear(4, 1, dtype=torch.float64)
    nn.init.zeros_(model.weight)
    nn.init.zeros_(model.bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.mse_loss(model(X), Y)
        history.append(loss.item())
        loss.backward()
        optimizer.step()
    return history


# Gradient descent on a quadratic diverges above lr = 2 / (largest Hessian eigenvalue).
X1 = torch.cat([X, torch.ones(64, 1, dtype=torch.float64)], dim=1)  # with the bias
hessian = 2 * X1.T @ X1 / 64
print(f"largest stable lr: {2 / torch.linalg.eigvalsh(hessian).max().item():.2f}")
#> largest stable lr: 0.69
for lr in (0.1, 3.0):
    history = train_regression(lr)
    print(f"lr {lr}:", " ".join(f"{v:.2g}" for v in history[::40]))
#> lr 0.1: 11 0.0082 0.0081 0.0081 0.0081 0.0081 0.0081 0.0081 0.0081 0.0081
#> lr 3.0: 11 3.1e+71 2.5e+142 2e+213 1.6e+284 inf inf inf inf nan
first_inf = next(i for i, v in enumerate(history) if math.isinf(v))
first_nan = next(i for i, v in enumerate(history) if math.isnan(v))
print(f"first inf at step {first_inf}, first nan at step {first_nan}")
#> first inf at step 173, first nan at step 348
# --8<-- [end:nan-learning-rate]

# --8<-- [start:nan-in-data]
# A nan already in the data: one missing value in one feature of one sample.
X_missing = X.clone()
X_missing[5, 2] = float("nan")
model = nn.Linear(4, 1, dtype=torch.float64)
nn.init.zeros_(model.weight)
nn.init.zeros_(model.bias)
loss = F.mse_loss(model(X_missing), Y)
print(loss, torch.isfinite(X_missing).all().item())  # one nan makes the mean nan
#> tensor(nan, dtype=torch.float64, grad_fn=<MseLossBackward0>) False
print(torch.nonzero(~torch.isfinite(X_missing)).tolist())  # where: [sample, feature]
#> [[5, 2]]
# Gradients that explode now and then at a sane learning rate: clip their norm.
# clip_grad_norm_ returns the norm before clipping; check it, and log it.
model.zero_grad()
(1e6 * F.mse_loss(model(X), Y)).backward()  # a huge gradient, for the demonstration
norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
after = torch.linalg.vector_norm(torch.cat([p.grad.flatten() for p in model.parameters()]))
print(f"norm before {norm.item():.3g}, after {after.item():.3g}")
#> norm before 6.5e+06, after 1
# --8<-- [end:nan-in-data]

# --8<-- [start:nan-detect-anomaly]
# The distance between two equal embeddings, written by hand: sqrt(sum(d ** 2)) at d = 0.
a = torch.zeros(3, dtype=torch.float64, requires_grad=True)
b = torch.zeros(3, dtype=torch.float64)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        with torch.autograd.detect_anomaly():
            distance = torch.sqrt(((a - b) ** 2).sum())
            distance.backward()
    except RuntimeError as e:
        print(f"{type(e).__name__}: {e}")
#> RuntimeError: Function 'PowBackward0' returned nan values in its 0th output.
for w in caught:  # the second warning goes on with a traceback: its first line only
    print(f"{w.category.__name__}: {str(w.message).splitlines()[0]}")
#> UserWarning: Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled for debugging.
#> UserWarning: Error detected in PowBackward0. Traceback of forward call that caused the error:
# Without anomaly mode, the same backward runs silently and leaves nan:
a.grad = None
torch.sqrt(((a - b) ** 2).sum()).backward()
print(a.grad)
#> tensor([nan, nan, nan], dtype=torch.float64)
# The fix: torch.linalg.vector_norm, whose gradient at 0 is defined as 0.
a.grad = None
torch.linalg.vector_norm(a - b).backward()
print(a.grad)
#> tensor([0., 0., 0.], dtype=torch.float64)
# --8<-- [end:nan-detect-anomaly]

# --8<-- [start:nan-forward]
# detect_anomaly checks what each backward function returns, not the forward values:
x = torch.tensor([-1.0, 2.0], dtype=torch.float64, requires_grad=True)
with warnings.catch_warnings(record=True):
    warnings.simplefilter("always")
    with torch.autograd.detect_anomaly():
        loss = torch.log(x).sum()  # log(-1) = nan in the forward pass
        loss.backward()  # no error: the gradient 1 / x is finite
print(loss, x.grad)
#> tensor(nan, dtype=torch.float64, grad_fn=<SumBackward0>) tensor([-1.0000,  0.5000], dtype=torch.float64)
# A forward check finds it: the first non-finite value and where it is.
values = torch.log(x.detach())
print(torch.isfinite(values).all().item(), torch.nonzero(~torch.isfinite(values)).flatten())
#> False tensor([0])
# --8<-- [end:nan-forward]

# --8<-- [start:stuck-constant-logits]
# Whatever the targets, constant logits give exactly ln C (and ln 2 for binary).
targets = torch.tensor([3, 7, 0, 9])
print(nn.CrossEntropyLoss()(torch.zeros(4, 10), targets), f"ln 10 = {math.log(10):.4f}")
#> tensor(2.3026) ln 10 = 2.3026
print(nn.CrossEntropyLoss()(torch.full((4, 10), 5.0), targets))  # any constant
#> tensor(2.3026)
print(nn.BCEWithLogitsLoss()(torch.zeros(4), torch.tensor([1.0, 0.0, 0.0, 1.0])),
      f"ln 2 = {math.log(2):.4f}")
#> tensor(0.6931) ln 2 = 0.6931
# --8<-- [end:stuck-constant-logits]

# --8<-- [start:stuck-training]
# 3 balanced classes (20 points each) in 2-D, a small MLP, plain SGD, float64.
g = torch.Generator().manual_seed(0)
C = 3
labels = torch.arange(60) % C
centers = torch.tensor([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]], dtype=torch.float64)
points = centers[labels] + 0.5 * torch.randn(60, 2, generator=g, dtype=torch.float64)


def make_mlp(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16, dtype=torch.float64), nn.ReLU(),
                         nn.Linear(16, C, dtype=torch.float64))


def train_classifier(model, x, y, steps=200, lr=0.5):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        history.append(loss.item())
    return history


def report(name, history):
    print(f"{name:<15} step 1: {history[0]:.4f}  step 50: {history[49]:.4f}  "
          f"step 200: {history[-1]:.4f}")


print(f"ln 3 = {math.log(3):.4f}")
#> ln 3 = 1.0986
report("working", train_classifier(make_mlp(), points, labels))
#> working         step 1: 1.1535  step 50: 0.0158  step 200: 0.0031
dead = make_mlp()
nn.init.constant_(dead[0].bias, -10.0)  # every ReLU is off for every input: a dead model
report("dead ReLUs", train_classifier(dead, points, labels))
#> dead ReLUs      step 1: 1.1054  step 50: 1.0986  step 200: 1.0986
print((dead[1](dead[0](points)) > 0).double().mean().item())  # the check: share of active ReLUs
#> 0.0
pixels = torch.tensor([0, 128, 254], dtype=torch.uint8)
print(pixels // 255, pixels / 255)  # integer division zeroes the inputs
#> tensor([0, 0, 0], dtype=torch.uint8) tensor([0.0000, 0.5020, 0.9961])
report("zero inputs", train_classifier(make_mlp(), torch.zeros_like(points), labels))
#> zero inputs     step 1: 1.1134  step 50: 1.0986  step 200: 1.0986
shuffled = labels[torch.randperm(60, generator=g)]  # labels independent of the inputs
report("shuffled labels", train_classifier(make_mlp(), points, shuffled))
#> shuffled labels step 1: 1.1490  step 50: 0.9286  step 200: 0.8515
# --8<-- [end:stuck-training]

# --8<-- [start:negative-kl]
target_probs = torch.tensor([[0.7, 0.2, 0.1]])
model_logits = torch.tensor([[2.0, 1.0, 0.0]])
kl = nn.KLDivLoss(reduction="batchmean")
print(kl(F.softmax(model_logits, dim=1), target_probs))  # probabilities: wrong
#> tensor(-1.3254)
print(kl(F.log_softmax(model_logits, dim=1), target_probs))  # log-probabilities: right
#> tensor(0.0058)
# --8<-- [end:negative-kl]

# --8<-- [start:negative-bce-target]
# A segmentation mask stored as 0/255, as image files store it, fed to BCEWithLogitsLoss:
mask = torch.tensor([0.0, 255.0, 255.0, 0.0], dtype=torch.float64)
mask_logits = torch.tensor([-2.0, 3.0, 1.0, -1.0], dtype=torch.float64)
print(F.binary_cross_entropy_with_logits(mask_logits, mask))  # no check of the target
#> tensor(-253.7995, dtype=torch.float64)
# BCELoss does check its target:
try:
    F.binary_cross_entropy(torch.sigmoid(mask_logits), mask)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: all elements of target should be between 0 and 1
print(F.binary_cross_entropy_with_logits(mask_logits, mask / 255))  # the fix: 0/1 targets
#> tensor(0.2005, dtype=torch.float64)
# --8<-- [end:negative-bce-target]

# --8<-- [start:negative-gaussian-nll]
# A confident, nearly right prediction: residual 0.05, predicted variance 0.01.
mean = torch.tensor([1.05])
target = torch.tensor([1.0])
var = torch.tensor([0.01])
print(nn.GaussianNLLLoss()(mean, target, var))  # 0.5 * (log 0.01 + 0.05**2 / 0.01)
#> tensor(-2.1776)
print(nn.GaussianNLLLoss(full=True)(mean, target, var))  # + 0.5 * log(2 pi)
#> tensor(-1.2586)
normal = torch.distributions.Normal(mean, var.sqrt())
print(-normal.log_prob(target), normal.log_prob(target).exp())  # the density exceeds 1
#> tensor([-1.2586]) tensor([3.5207])
# Clamping such a loss at 0 would leave this prediction without a gradient:
v = var.clone().requires_grad_()
nn.GaussianNLLLoss()(mean, target, v).clamp(min=0).backward()
print(v.grad)
#> tensor([0.])
# --8<-- [end:negative-gaussian-nll]

# --8<-- [start:negative-sign-error]
# Cross-entropy written by hand, minus sign forgotten: the mean log-likelihood.
def wrong_ce(logits, y):
    return F.log_softmax(logits, dim=1).gather(1, y.unsqueeze(1)).mean()  # no minus


torch.manual_seed(0)
linear = nn.Linear(2, C, dtype=torch.float64)
optimizer = torch.optim.SGD(linear.parameters(), lr=0.5)
for step in range(1, 31):
    optimizer.zero_grad()
    loss = wrong_ce(linear(points), labels)
    loss.backward()
    optimizer.step()
    if step in (1, 10, 30):
        with torch.no_grad():
            true_ce = F.cross_entropy(linear(points), labels)
            accuracy = (linear(points).argmax(1) == labels).double().mean()
        print(f"step {step:>2}: 'loss' {loss.item():8.2f}  true CE {true_ce.item():6.2f}  "
              f"accuracy {accuracy.item():.2f}")
#> step  1: 'loss'    -0.73  true CE   1.17  accuracy 0.02
#> step 10: 'loss'   -13.24  true CE  14.98  accuracy 0.00
#> step 30: 'loss'   -48.22  true CE  49.97  accuracy 0.00
# The check: a hand-written loss against torch's on one batch.
print(torch.allclose(-wrong_ce(linear(points), labels), F.cross_entropy(linear(points), labels)))
#> True
# --8<-- [end:negative-sign-error]

# --8<-- [start:overfitting]
# 30 training samples with 20 features; only feature 0 carries the class. float64.
g = torch.Generator().manual_seed(0)


def make_split(n):
    y = torch.arange(n) % 2
    x = torch.randn(n, 20, generator=g, dtype=torch.float64)
    x[:, 0] += 2.0 * y - 1.0  # classes at -1 and +1 along feature 0
    return x, y


x_train, y_train = make_split(30)
x_val, y_val = make_split(500)


def fresh_model():
    model = nn.Linear(20, 2, dtype=torch.float64)
    nn.init.zeros_(model.weight)
    nn.init.zeros_(model.bias)
    return model


def evaluate(model):
    with torch.no_grad():
        train_logits, val_logits = model(x_train), model(x_val)
        return (F.cross_entropy(train_logits, y_train).item(),
                F.cross_entropy(val_logits, y_val).item(),
                (val_logits.argmax(1) == y_val).double().mean().item())


def train_step(model, optimizer):
    optimizer.zero_grad()
    F.cross_entropy(model(x_train), y_train).backward()
    optimizer.step()


overfit = fresh_model()
optimizer = torch.optim.SGD(overfit.parameters(), lr=0.1)
history = [evaluate(overfit)]  # (train CE, validation CE, validation accuracy) per epoch
for _ in range(300):
    train_step(overfit, optimizer)  # one full-batch step per epoch
    history.append(evaluate(overfit))
for epoch in (0, 10, 30, 100, 200, 300):
    train_ce, val_ce, val_acc = history[epoch]
    print(f"epoch {epoch:>3}: train {train_ce:.3f}  validation {val_ce:.3f}  "
          f"validation accuracy {val_acc:.3f}")
#> epoch   0: train 0.693  validation 0.693  validation accuracy 0.500
#> epoch  10: train 0.325  validation 0.487  validation accuracy 0.786
#> epoch  30: train 0.196  validation 0.455  validation accuracy 0.792
#> epoch 100: train 0.097  validation 0.509  validation accuracy 0.794
#> epoch 200: train 0.059  validation 0.581  validation accuracy 0.788
#> epoch 300: train 0.043  validation 0.635  validation accuracy 0.788
# --8<-- [end:overfitting]

# --8<-- [start:early-stopping]
model = fresh_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
best_val, best_epoch, patience = math.inf, 0, 20
for epoch in range(1, 301):
    train_step(model, optimizer)
    val_ce = evaluate(model)[1]
    if val_ce < best_val:  # keep a copy of the best state, not a reference to it
        best_val, best_epoch = val_ce, epoch
        best_state = {k: v.clone() for k, v in model.state_dict().items()}
    elif epoch - best_epoch >= patience:
        break
print(f"stopped at epoch {epoch}; best epoch {best_epoch}, validation CE {best_val:.4f}")
#> stopped at epoch 48; best epoch 28, validation CE 0.4551
alias = model.state_dict()["weight"]  # without clone(): the live tensor itself
saved = alias.clone()
train_step(model, optimizer)
print(torch.equal(alias, saved))  # the "saved" state moved with the model
#> False
model.load_state_dict(best_state)
print(f"restored: validation CE {evaluate(model)[1]:.4f}")
#> restored: validation CE 0.4551
# --8<-- [end:early-stopping]

# --8<-- [start:weight-decay]
# The same 300 epochs with weight decay (SGD's L2 term on all parameters, bias included):
decayed = fresh_model()
optimizer = torch.optim.SGD(decayed.parameters(), lr=0.1, weight_decay=0.1)
for _ in range(300):
    train_step(decayed, optimizer)
train_ce, val_ce, val_acc = evaluate(decayed)
print(f"epoch 300: train {train_ce:.3f}  validation {val_ce:.3f}  "
      f"validation accuracy {val_acc:.3f}")
#> epoch 300: train 0.147  validation 0.471  validation accuracy 0.786
# --8<-- [end:weight-decay]

# --8<-- [start:overconfident]
def confidence(model):  # the mean probability of the predicted class, on validation
    with torch.no_grad():
        return F.softmax(model(x_val), dim=1).max(dim=1).values.mean().item()


for name, m in (("best (epoch 28)", model), ("last (epoch 300)", overfit)):
    _, val_ce, val_acc = evaluate(m)
    print(f"{name:<16}: validation CE {val_ce:.3f}  accuracy {val_acc:.3f}  "
          f"mean confidence {confidence(m):.3f}")
#> best (epoch 28) : validation CE 0.455  accuracy 0.794  mean confidence 0.780
#> last (epoch 300): validation CE 0.635  accuracy 0.788  mean confidence 0.906
# --8<-- [end:overconfident]

# --8<-- [start:detached]
torch.manual_seed(0)
net = nn.Linear(2, C, dtype=torch.float64)
try:
    loss = F.cross_entropy(net(points).detach(), labels)  # the graph is cut here
    loss.backward()
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn
# --8<-- [end:detached]

# --8<-- [start:numpy-round-trip]
try:
    scores = net(points).numpy()  # e.g. to post-process the scores with NumPy
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.
# Following the message literally, then asking for a gradient again, runs without error:
scores = torch.from_numpy(net(points).detach().numpy()).requires_grad_()
F.cross_entropy(scores, labels).backward()
print(net.weight.grad)  # but nothing reaches the model
#> None
# .item() does the same: a Python float has no graph.
print(type(F.cross_entropy(net(points), labels).item()).__name__)
#> float
# --8<-- [end:numpy-round-trip]

# --8<-- [start:not-in-optimizer]
body = make_mlp()
optimizer = torch.optim.SGD(body.parameters(), lr=0.5)
body[2] = nn.Linear(16, C, dtype=torch.float64)  # a new head, after the optimizer was built
head_before = body[2].weight.clone()
for _ in range(50):
    optimizer.zero_grad()
    F.cross_entropy(body(points), labels).backward()
    optimizer.step()
print(torch.equal(body[2].weight, head_before))  # the head never moved
#> True
# The check: every parameter of the model is in some param group.
in_optimizer = {id(p) for group in optimizer.param_groups for p in group["params"]}
print([name for name, p in body.named_parameters() if id(p) not in in_optimizer])
#> ['2.weight', '2.bias']
# --8<-- [end:not-in-optimizer]

# --8<-- [start:zero-grad-missing]
torch.manual_seed(0)
net = nn.Linear(2, C, dtype=torch.float64)
for call in (1, 2):  # two backward passes, no zero_grad in between
    F.cross_entropy(net(points), labels).backward()
    if call == 1:
        first = net.weight.grad.clone()
print(torch.allclose(net.weight.grad, 2 * first))  # gradients add up: twice the gradient
#> True
net.zero_grad()  # the fix: optimizer.zero_grad() (or model.zero_grad()) every step
print(net.weight.grad)  # None: the next backward starts afresh
#> None
# --8<-- [end:zero-grad-missing]

# --8<-- [start:frozen]
mlp = make_mlp()
mlp[0].requires_grad_(False)  # frozen, e.g. left over from fine-tuning
F.cross_entropy(mlp(points), labels).backward()
print(mlp[0].weight.grad, mlp[2].weight.grad is not None)
#> None True
mlp.requires_grad_(False)  # everything frozen: the same error as .detach()
try:
    F.cross_entropy(mlp(points), labels).backward()
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn
print([name for name, p in mlp.named_parameters() if not p.requires_grad])  # the check
#> ['0.weight', '0.bias', '2.weight', '2.bias']
# --8<-- [end:frozen]

# --8<-- [start:target-out-of-bounds]
# 3 classes, labels numbered from 1 (1, 2, 3) as in many data sets.
scores = torch.tensor([[0.2, 1.5, -0.3], [1.1, 0.0, 0.4]])
labels_from_1 = torch.tensor([1, 3])
try:
    nn.CrossEntropyLoss()(scores, labels_from_1)
except IndexError as e:
    print(f"{type(e).__name__}: {e}")
#> IndexError: Target 3 is out of bounds.
# A negative label that is not the ignore_index fails the same way:
try:
    nn.NLLLoss()(F.log_softmax(scores, dim=1), torch.tensor([0, -1]))
except IndexError as e:
    print(f"{type(e).__name__}: {e}")
#> IndexError: Target -1 is out of bounds.
# On CUDA, torch 2.13 raises torch.AcceleratorError, which is a RuntimeError:
print(issubclass(torch.AcceleratorError, RuntimeError))
#> True
# --8<-- [end:target-out-of-bounds]

# --8<-- [start:check-targets]
def check_targets(target, num_classes, ignore_index=-100):
    kept = target[target != ignore_index]  # padding is allowed, and only padding
    if kept.numel() > 0:
        assert 0 <= kept.min() and kept.max() < num_classes, (
            f"class indices must be in [0, {num_classes}), "
            f"got min {kept.min().item()} max {kept.max().item()}")


try:
    check_targets(labels_from_1, num_classes=3)
except AssertionError as e:
    print(f"{type(e).__name__}: {e}")
#> AssertionError: class indices must be in [0, 3), got min 1 max 3
check_targets(labels_from_1 - 1, num_classes=3)  # the fix: number the classes from 0
print(nn.CrossEntropyLoss()(scores, labels_from_1 - 1))
#> tensor(1.4836)
# Without a host sync: torch._assert_async (on CUDA it fails as a device-side assert).
try:
    valid = ((labels_from_1 >= 0) & (labels_from_1 < 3)) | (labels_from_1 == -100)
    torch._assert_async(valid.all(), "class index out of range")
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: class index out of range
# --8<-- [end:check-targets]
