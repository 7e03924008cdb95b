"""Examples for docs/beyond/focal.md: sigmoid and softmax focal loss (Lin et al. 2017),
from scratch, against kornia and MONAI."""

# --8<-- [start:setup]
import math
import warnings

import torch
import torch.nn.functional as F


def show(name, t, digits=4):
    """One row of numbers with a fixed number of decimals (float64 in, portable out)."""
    print(f"{name:<12}" + " ".join(f"{v + 0.0:9.{digits}f}" for v in t.flatten().tolist()))  # + 0.0: no -0.0


def logit(p):
    return math.log(p / (1 - p))
# --8<-- [end:setup]


# --8<-- [start:worked-example]
# Four anchors: an easy and a hard positive, an easy and a hard negative.
x = torch.tensor([3.0, -1.0, -4.0, 1.0], dtype=torch.float64)  # logits
y = torch.tensor([1.0, 1.0, 0.0, 0.0], dtype=torch.float64)  # targets
alpha, gamma = 0.25, 2.0
p = torch.sigmoid(x)
p_t = p * y + (1 - p) * (1 - y)  # the probability given to the right answer
alpha_t = alpha * y + (1 - alpha) * (1 - y)
ce = -torch.log(p_t)  # binary cross-entropy
fl = alpha_t * (1 - p_t) ** gamma * ce
show("p", p)
#> p              0.9526    0.2689    0.0180    0.7311
show("p_t", p_t)
#> p_t            0.9526    0.2689    0.9820    0.2689
show("alpha_t", alpha_t)
#> alpha_t        0.2500    0.2500    0.7500    0.7500
show("(1-p_t)^2", (1 - p_t) ** gamma)
#> (1-p_t)^2      0.0022    0.5344    0.0003    0.5344
show("ce", ce)
#> ce             0.0486    1.3133    0.0181    1.3133
show("focal", fl, digits=6)
#> focal        0.000027  0.175467  0.000004  0.526401
# --8<-- [end:worked-example]

# --8<-- [start:worked-example-ratios]
# Easy over hard: the cross-entropy ratio, then the focal ratio (negatives).
print(f"{ce[2] / ce[3]:.4f} {fl[2] / fl[3]:.2e}")
#> 0.0138 8.37e-06
# --8<-- [end:worked-example-ratios]

from snippets.from_scratch.focal import focal_loss, sigmoid_focal_loss  # noqa: E402  (shown)

# --8<-- [start:sigmoid-check]
import kornia  # noqa: E402
import monai  # noqa: E402
from kornia.losses import binary_focal_loss_with_logits  # noqa: E402
from monai.losses import FocalLoss  # noqa: E402

print(kornia.__version__, monai.__version__)
#> 0.9.0 1.6.1
ours = sigmoid_focal_loss(x, y)  # alpha=0.25, gamma=2 by default, like torchvision
print(torch.allclose(ours, fl, rtol=1e-12, atol=0))
#> True
# kornia and MONAI want (B, C, *): one batch of 4 independent binary outputs.
theirs_kornia = binary_focal_loss_with_logits(x.view(1, 4), y.view(1, 4), alpha=0.25)
theirs_monai = FocalLoss(alpha=0.25, reduction="none")(x.view(1, 4), y.view(1, 4))
show("kornia", theirs_kornia, digits=6)
#> kornia       0.000027  0.175467  0.000004  0.526401
show("monai", theirs_monai, digits=6)
#> monai        0.000027  0.175467  0.000004  0.526401
print(theirs_kornia.dtype, theirs_monai.dtype)  # MONAI computes in float32
#> torch.float64 torch.float32
# A bigger random check: 2 images, 3 classes, 5 x 5 positions, about 1 positive in 5.
g = torch.Generator().manual_seed(0)
X = 4 * torch.randn(2, 3, 5, 5, generator=g, dtype=torch.float64)
Y = (torch.rand(2, 3, 5, 5, generator=g, dtype=torch.float64) < 0.2).double()
ours = sigmoid_focal_loss(X, Y, reduction="mean")
print(torch.allclose(ours, binary_focal_loss_with_logits(X, Y, reduction="mean"), rtol=1e-12),
      torch.allclose(ours, FocalLoss(alpha=0.25)(X, Y).double(), rtol=1e-5))
#> True True
# --8<-- [end:sigmoid-check]

# --8<-- [start:alpha-direction]
# One image: 10 positive anchors the model finds hard (p = 0.3), 9900 easy negatives
# (p = 0.01) and 100 hard ones (p = 0.2).
x_img = torch.tensor([logit(0.3)] * 10 + [logit(0.01)] * 9900 + [logit(0.2)] * 100,
                     dtype=torch.float64)
y_img = torch.cat([torch.ones(10), torch.zeros(10000)]).double()
for gamma, alpha in ((0.0, -1), (0.0, 0.75), (2.0, -1), (2.0, 0.25), (2.0, 0.75)):
    l = sigmoid_focal_loss(x_img, y_img, alpha=alpha, gamma=gamma)
    pos, neg = l[y_img == 1].sum(), l[y_img == 0].sum()
    print(f"gamma {gamma:.0f}, alpha {alpha:5.2f}: positives {pos:8.4f}, "
          f"negatives {neg:8.4f}, positives' share {pos / (pos + neg):6.1%}")
#> gamma 0, alpha -1.00: positives  12.0397, negatives 121.8127, positives' share   9.0%
#> gamma 0, alpha  0.75: positives   9.0298, negatives  30.4532, positives' share  22.9%
#> gamma 2, alpha -1.00: positives   5.8995, negatives   0.9025, positives' share  86.7%
#> gamma 2, alpha  0.25: positives   1.4749, negatives   0.6769, positives' share  68.5%
#> gamma 2, alpha  0.75: positives   4.4246, negatives   0.2256, positives' share  95.1%
# --8<-- [end:alpha-direction]

# --8<-- [start:gamma-zero]
g = torch.Generator().manual_seed(1)
x_r = 3 * torch.randn(6, generator=g, dtype=torch.float64)
y_r = torch.tensor([1.0, 0.0, 0.0, 1.0, 0.0, 0.0], dtype=torch.float64)
bce = F.binary_cross_entropy_with_logits(x_r, y_r, reduction="none")
print(torch.equal(sigmoid_focal_loss(x_r, y_r, alpha=-1, gamma=0), bce))
#> True
print(torch.equal(2 * sigmoid_focal_loss(x_r, y_r, alpha=0.5, gamma=0), bce))
#> True
# gamma = 0 with alpha: alpha-balanced BCE, that is (1 - alpha) * BCE with pos_weight.
a = 0.25
weighted = (1 - a) * F.binary_cross_entropy_with_logits(
    x_r, y_r, pos_weight=torch.tensor(a / (1 - a), dtype=torch.float64), reduction="none")
print(torch.allclose(sigmoid_focal_loss(x_r, y_r, alpha=a, gamma=0), weighted, rtol=1e-12))
#> True
# Only for 0/1 targets: with soft targets the two weightings differ.
y_soft = torch.tensor([0.9, 0.1, 0.2, 0.7, 0.0, 0.5], dtype=torch.float64)
weighted_soft = (1 - a) * F.binary_cross_entropy_with_logits(
    x_r, y_soft, pos_weight=torch.tensor(a / (1 - a), dtype=torch.float64), reduction="none")
print(torch.allclose(sigmoid_focal_loss(x_r, y_soft, alpha=a, gamma=0), weighted_soft))
#> False
# --8<-- [end:gamma-zero]

# --8<-- [start:normalisation]
# Anchors x classes of one image: 12 positive anchors among A, K = 3 classes.
def detection_batch(A, seed):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(A, 3, generator=g, dtype=torch.float64) - 6  # easy negatives
    targets = torch.zeros(A, 3, dtype=torch.float64)
    targets[torch.arange(12), torch.arange(12) % 3] = 1  # anchors 0..11 are objects
    logits[:12] += 7 * targets[:12]  # the model roughly recognises them
    return logits, targets


for A in (10_000, 20_000):  # the same 12 objects in a bigger image: twice the anchors
    logits, targets = detection_batch(A, seed=2)
    total = sigmoid_focal_loss(logits, targets, reduction="sum")
    num_pos = int(targets.sum())
    print(f"A {A}: sum {total:.4f}  sum / num_pos {total / max(1, num_pos):.4f}  "
          f"'mean' {sigmoid_focal_loss(logits, targets, reduction='mean'):.2e}")
#> A 10000: sum 0.5049  sum / num_pos 0.0421  'mean' 1.68e-05
#> A 20000: sum 0.5282  sum / num_pos 0.0440  'mean' 8.80e-06
# --8<-- [end:normalisation]

# --8<-- [start:normalisation-per-image]
# torchvision's RetinaNet: per image, sum / max(1, positives), then the mean over images.
def retinanet_classification_loss(images):
    losses = [sigmoid_focal_loss(lg, t, reduction="sum") / max(1, int(t.sum()))
              for lg, t in images]
    print(" ".join(f"{v:.4f}" for v in losses), end="  mean ")
    return sum(losses) / len(images)


with_objects = detection_batch(10_000, seed=2)
background_only = (with_objects[0][12:], with_objects[1][12:])  # no positive at all
print(f"{retinanet_classification_loss([with_objects, background_only]):.4f}")
#> 0.0421 0.0206  mean 0.0313
# --8<-- [end:normalisation-per-image]

# --8<-- [start:prior-bias]
# A RetinaNet-like classifier at initialisation: logits = features @ w + b, small random w.
g = torch.Generator().manual_seed(3)
A, K, D = 10_000, 3, 16  # anchors, classes, feature size
features = torch.randn(A, D, generator=g, dtype=torch.float64)
w = 0.01 * torch.randn(D, K, generator=g, dtype=torch.float64)
targets = torch.zeros(A, K, dtype=torch.float64)
targets[torch.arange(12), torch.arange(12) % 3] = 1  # 12 objects, all else background
pi = 0.01
for name, b in (("bias 0", 0.0), ("prior bias", -math.log((1 - pi) / pi))):
    l = sigmoid_focal_loss(features @ w + b, targets)
    neg = l[targets == 0].sum() / 12
    print(f"{name:<10} b {b:7.4f}: loss / num_pos {l.sum() / 12:8.4f}, "
          f"from negatives {neg:8.4f} ({neg / (l.sum() / 12):6.1%})")
#> bias 0     b  0.0000: loss / num_pos 325.2341, from negatives 325.1905 (100.0%)
#> prior bias b -4.5951: loss / num_pos   1.1312, from negatives   0.0019 (  0.2%)
# --8<-- [end:prior-bias]

# --8<-- [start:softmax-check]
from kornia.losses import focal_loss as kornia_focal_loss  # noqa: E402

# 3 samples, 4 classes; class 0 is the background.
z = torch.tensor([[2.0, 0.5, -1.0, 0.0], [0.5, 1.5, 0.2, -2.0], [1.0, 0.0, 0.0, 3.0]],
                 dtype=torch.float64)
t = torch.tensor([0, 2, 3])
ours = focal_loss(z, t, alpha=0.25, gamma=2.0)  # reduction='none': a (3, 4) map
for row in ours:
    show("", row)
#>                0.0216    0.0000    0.0000    0.0000
#>                0.0000    0.0000    0.3175    0.0000
#>                0.0000    0.0000    0.0000    0.0019
# By hand, sample 1: p = softmax(z[1])[2], alpha_2 = alpha = 0.25.
p_y = torch.softmax(z[1], dim=0)[2]
print(f"{p_y:.4f} {-0.25 * (1 - p_y) ** 2 * torch.log(p_y):.4f}")
#> 0.1631 0.3175
print(torch.allclose(ours, kornia_focal_loss(z, t, alpha=0.25, gamma=2.0), rtol=1e-12))
#> True
monai_softmax = FocalLoss(use_softmax=True, to_onehot_y=True, alpha=0.25, reduction="none")
print(torch.allclose(ours, monai_softmax(z, t.view(3, 1)).double(), rtol=1e-5))
#> True
# 'mean' divides by all 3 x 4 = 12 entries of the map, not by the 3 samples:
print(f"{focal_loss(z, t, 0.25, reduction='mean'):.4f} {ours.sum() / 12:.4f} "
      f"{ours.sum() / 3:.4f}")
#> 0.0284 0.0284 0.1137
# So gamma = 0 without alpha is cross-entropy divided by C:
print(f"{4 * focal_loss(z, t, None, gamma=0.0, reduction='mean'):.4f} "
      f"{F.cross_entropy(z, t):.4f}")
#> 0.7888 0.7888
# --8<-- [end:softmax-check]

# --8<-- [start:softmax-per-class-alpha]
# Any alpha_c: alpha=None and weight=alpha_c here and in kornia; a sequence in MONAI.
alpha_c = torch.tensor([0.1, 0.3, 0.3, 0.3], dtype=torch.float64)
ours = focal_loss(z, t, None, weight=alpha_c)
monai_alpha_c = FocalLoss(use_softmax=True, to_onehot_y=True, alpha=[0.1, 0.3, 0.3, 0.3],
                          reduction="none")
print(torch.allclose(ours, kornia_focal_loss(z, t, None, weight=alpha_c), rtol=1e-12),
      torch.allclose(ours, monai_alpha_c(z, t.view(3, 1)).double(), rtol=1e-5))
#> True True
# --8<-- [end:softmax-per-class-alpha]

# --8<-- [start:conventions-alpha-default]
# The defaults, on the worked example's four anchors (1 x 4 for kornia and MONAI):
xb, yb = x.view(1, 4), y.view(1, 4)
print(f"{sigmoid_focal_loss(x, y, reduction='mean'):.4f}",  # torchvision: alpha = 0.25
      f"{binary_focal_loss_with_logits(xb, yb, reduction='mean'):.4f}",  # kornia: 0.25
      f"{FocalLoss(reduction='mean')(xb, yb):.4f}")  # MONAI: alpha = None
#> 0.1755 0.1755 0.3510
# --8<-- [end:conventions-alpha-default]

# --8<-- [start:conventions-soft-targets]
# A soft target y = 0.7 (label smoothing, IoU-aware scores): three formulas.
xs, ys = torch.tensor([[0.5, -1.0]], dtype=torch.float64), torch.tensor([[0.7, 0.7]], dtype=torch.float64)
show("ours", sigmoid_focal_loss(xs, ys))  # torchvision: alpha_t (1 - p_t)^g * BCE
#> ours           0.0508    0.1422
show("kornia", binary_focal_loss_with_logits(xs, ys))
#> kornia         0.0967    0.1279
show("monai", FocalLoss(alpha=0.25, reduction="none")(xs, ys))
#> monai          0.0506    0.1453
# --8<-- [end:conventions-soft-targets]

# --8<-- [start:conventions-monai-sum]
# MONAI's 'sum' first averages over the spatial dimensions (H x W = 25 here), then sums.
print(f"{sigmoid_focal_loss(X, Y, reduction='sum'):.4f} "
      f"{FocalLoss(alpha=0.25, reduction='sum')(X, Y):.4f} "
      f"{sigmoid_focal_loss(X, Y, reduction='sum') / 25:.4f}")
#> 146.9527 5.8781 5.8781
# Without spatial dimensions, (B, C), that average is over an empty list of dimensions,
# which torch's mean takes as ALL dimensions: MONAI's 'sum' is then the mean.
print(f"{sigmoid_focal_loss(xb, yb, alpha=-1).sum():.4f} "
      f"{FocalLoss(reduction='sum')(xb, yb):.4f} {FocalLoss(reduction='mean')(xb, yb):.4f}")
#> 1.4039 0.3510 0.3510
# --8<-- [end:conventions-monai-sum]

# --8<-- [start:conventions-monai-alpha-sequence]
# MONAI with one alpha per channel weights the positives only; a scalar also weights
# the negatives by 1 - alpha. Two channels, one negative element each:
xn, yn = torch.tensor([[1.0, 1.0]]), torch.tensor([[0.0, 0.0]])
unweighted = FocalLoss(reduction="none")(xn, yn)
print(FocalLoss(alpha=0.25, reduction="none")(xn, yn) / unweighted,
      FocalLoss(alpha=[0.25, 0.25], reduction="none")(xn, yn) / unweighted)
#> tensor([[0.7500, 0.7500]]) tensor([[1., 1.]])
# --8<-- [end:conventions-monai-alpha-sequence]

# --8<-- [start:conventions-monai-background]
# include_background=False drops channel 0 BEFORE the softmax: the other classes are
# renormalised among themselves, and a scalar alpha is dropped with a warning.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    no_bg = FocalLoss(use_softmax=True, to_onehot_y=True, include_background=False,
                      alpha=0.25, reduction="none")(z, t.view(3, 1))
print(caught[0].category.__name__, caught[0].message)
#> UserWarning `include_background=False`, scalar `alpha` ignored when using softmax.
show("", no_bg[1])
#>                0.0000    0.9784    0.0000
show("", focal_loss(z, t, None)[1, 1:])
#>                0.0000    1.2699    0.0000
# --8<-- [end:conventions-monai-background]

# --8<-- [start:conventions-reduction-errors]
for name, make in (("ours/torchvision", lambda: sigmoid_focal_loss(x, y, reduction="average")),
                   ("kornia", lambda: binary_focal_loss_with_logits(xb, yb, reduction="average")),
                   ("MONAI", lambda: FocalLoss(reduction="average"))):
    try:
        make()
    except (ValueError, NotImplementedError) as e:
        print(f"{name}: {type(e).__name__}: {e!r}")
#> ours/torchvision: ValueError: ValueError("Invalid Value for arg 'reduction': 'average \n Supported reduction modes: 'none', 'mean', 'sum'")
#> kornia: NotImplementedError: NotImplementedError('Invalid reduction mode: average')
#> MONAI: ValueError: ValueError("'average' is not a valid LossReduction")
# --8<-- [end:conventions-reduction-errors]

# --8<-- [start:pitfall-alpha-both]
# alpha on every element, instead of alpha on positives and 1 - alpha on negatives:
wrong = 0.25 * (1 - p_t) ** 2 * ce
show("wrong", wrong, digits=6)
#> wrong        0.000027  0.175467  0.000001  0.175467
show("right", sigmoid_focal_loss(x, y), digits=6)
#> right        0.000027  0.175467  0.000004  0.526401
# --8<-- [end:pitfall-alpha-both]

# --8<-- [start:pitfall-softmax-binary]
# One logit per anchor through softmax: a softmax over one class is always 1.
x1 = x.view(4, 1).clone().requires_grad_()
wrong = focal_loss(x1, torch.zeros(4, dtype=torch.long), None, reduction="sum")
print(f"{wrong:.4f} {torch.autograd.grad(wrong, x1)[0].abs().sum():.4f}")
#> 0.0000 0.0000
# Two logits [0, x] through softmax are the sigmoid of x: the same loss as above.
two = torch.stack([torch.zeros(4, dtype=torch.float64), x], dim=1)
print(torch.allclose(focal_loss(two, y.long(), alpha=0.25).sum(dim=1),
                     sigmoid_focal_loss(x, y), rtol=1e-12))
#> True
# --8<-- [end:pitfall-softmax-binary]

# --8<-- [start:pitfall-naive-log]
# float32 logits: a positive at -120 and a negative at 20, both confidently wrong.
xw = torch.tensor([-120.0, 20.0], requires_grad=True)
yw = torch.tensor([1.0, 0.0])
p = torch.sigmoid(xw)
p_t = p * yw + (1 - p) * (1 - yw)  # rounds to exactly 0 for both
naive = 0.25 * (1 - p_t) ** 2 * -torch.log(p_t)
print(naive, torch.autograd.grad(naive.sum(), xw)[0])
#> tensor([inf, inf], grad_fn=<MulBackward0>) tensor([nan, nan])
right = sigmoid_focal_loss(xw, yw, alpha=0.25)
print(right, torch.autograd.grad(right.sum(), xw)[0])
#> tensor([30., 15.], grad_fn=<MulBackward0>) tensor([-0.2500,  0.7500])
# --8<-- [end:pitfall-naive-log]

# --8<-- [start:pitfall-gamma-below-one]
# gamma < 1 and a saturated float32 prediction: (1 - p_t) ** gamma has an infinite slope at 0.
xs32 = torch.tensor([20.0, 0.5], requires_grad=True)  # sigmoid(20) rounds to 1
ys32 = torch.tensor([1.0, 1.0])
loss = sigmoid_focal_loss(xs32, ys32, gamma=0.5, reduction="sum")
g_ours = torch.autograd.grad(loss, xs32)[0]
print(f"{g_ours[0]:.4f} {g_ours[1]:.4f}")
#> nan -0.0807
kornia_loss = binary_focal_loss_with_logits(xs32.view(1, 2), ys32.view(1, 2), gamma=0.5,
                                            reduction="sum")
g_kornia = torch.autograd.grad(kornia_loss, xs32)[0]
print(f"{g_kornia[0]:.4f} {g_kornia[1]:.4f}")
#> -0.0000 -0.0807
# gamma = 0 is safe: torch's pow gives exponent 0 a zero gradient, at u = 0 too.
loss0 = sigmoid_focal_loss(xs32, ys32, gamma=0.0, reduction="sum")
print(torch.autograd.grad(loss0, xs32)[0].isfinite().all().item())
#> True
# The softmax form: class 0 saturates (p rounds to 1). Ours takes kornia's detached factor;
# MONAI's softmax form computes (1 - p) ** gamma as is.
z_sat = torch.tensor([[30.0, 0.0]], requires_grad=True)
t_sat = torch.tensor([0])
for name, fn in (("ours", lambda v: focal_loss(v, t_sat, 0.25, gamma=0.5, reduction="sum")),
                 ("kornia", lambda v: kornia_focal_loss(v, t_sat, 0.25, gamma=0.5, reduction="sum")),
                 ("monai", lambda v: FocalLoss(use_softmax=True, to_onehot_y=True, gamma=0.5,
                                                reduction="sum")(v, t_sat.view(1, 1)))):
    print(name, torch.autograd.grad(fn(z_sat), z_sat)[0] + 0.0)  # + 0.0: no -0.
#> ours tensor([[0., 0.]])
#> kornia tensor([[0., 0.]])
#> monai tensor([[nan, nan]])
# --8<-- [end:pitfall-gamma-below-one]

# --8<-- [start:pitfall-gamma-clamp]
# The fix for a hand-written sigmoid form: clamp 1 - p_t before the power.
def clamped_focal(x, y, alpha=0.25, gamma=0.5):
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p = torch.sigmoid(x)
    u = (1 - (p * y + (1 - p) * (1 - y))).clamp(min=torch.finfo(x.dtype).tiny)
    return (alpha * y + (1 - alpha) * (1 - y)) * u ** gamma * ce


g_clamped = torch.autograd.grad(clamped_focal(xs32, ys32).sum(), xs32)[0]
print(f"{g_clamped[0]:.4f} {g_clamped[1]:.4f}")
#> 0.0000 -0.0807
# --8<-- [end:pitfall-gamma-clamp]

# --8<-- [start:pitfall-alpha-range]
try:
    sigmoid_focal_loss(x, y, alpha=-0.5)  # only -1 means "no alpha"
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
#> ValueError: Invalid alpha value: -0.5. alpha must be in the range [0,1] or -1 for ignore.
# --8<-- [end:pitfall-alpha-range]

# --8<-- [start:pitfall-alpha-minus-one]
# torchvision's "no alpha" is alpha=-1. kornia and MONAI do not validate alpha: -1 there is
# alpha = -1 in the formula, so the positives get weight -1 and the negatives 1 - (-1) = 2.
print(f"{sigmoid_focal_loss(xb, yb, alpha=-1, reduction='mean'):.4f}",  # ours: no weighting
      f"{binary_focal_loss_with_logits(xb, yb, alpha=None, reduction='mean'):.4f}")  # kornia's way
#> 0.3510 0.3510
show("kornia", binary_focal_loss_with_logits(xb, yb, alpha=-1))
#> kornia        -0.0001   -0.7019    0.0000    1.4037
show("monai", FocalLoss(alpha=-1, reduction="none")(xb, yb))
#> monai         -0.0001   -0.7019    0.0000    1.4037
# The positives' terms are negative: minimising pushes the hard positive's logit DOWN.
xg = xb.clone().requires_grad_()
for name, a_k in (("alpha=None", None), ("alpha=-1", -1)):
    grad = torch.autograd.grad(binary_focal_loss_with_logits(xg, yb, alpha=a_k).sum(), xg)[0]
    print(f"{name:<10} d loss / d x of the hard positive: {grad[0, 1]:+.4f}")
#> alpha=None d loss / d x of the hard positive: -0.7682
#> alpha=-1   d loss / d x of the hard positive: +0.7682
# --8<-- [end:pitfall-alpha-minus-one]
