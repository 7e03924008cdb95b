"""Examples for docs/beyond/segmentation.md: soft Dice, Tversky and Dice + CE (MONAI, kornia)."""

# --8<-- [start:setup]
import warnings

import torch
import torch.nn.functional as F

torch.set_printoptions(precision=4)
D = torch.float64  # everything compared across libraries runs in float64

# One image (B = 1), one foreground channel (C = 1), a 1 x 4 map: probabilities p, target g.
p = torch.tensor([0.9, 0.8, 0.3, 0.1], dtype=D).view(1, 1, 1, 4)
g = torch.tensor([1.0, 1.0, 1.0, 0.0], dtype=D).view(1, 1, 1, 4)
# --8<-- [end:setup]

# --8<-- [start:dice-monai]
import monai  # noqa: E402
from monai.losses import DiceLoss  # noqa: E402

print(monai.__version__)
#> 1.6.1
print(DiceLoss()(p, g))  # smooth_nr = smooth_dr = 1e-5 by default
#> tensor(0.2157, dtype=torch.float64)
# --8<-- [end:dice-monai]

# --8<-- [start:dice-by-hand]
I, P, G = (p * g).sum(), p.sum(), g.sum()  # 0.9 + 0.8 + 0.3, 2.1, 3
print(f"I={I:.1f} P={P:.1f} G={G:.1f}  loss={1 - (2 * I + 1e-5) / (P + G + 1e-5):.4f}")
#> I=2.0 P=2.1 G=3.0  loss=0.2157
# --8<-- [end:dice-by-hand]

# --8<-- [start:squared-pred]
# V-Net's denominator: sum p^2 + sum g^2 = 1.55 + 3.
print(DiceLoss(squared_pred=True)(p, g))
#> tensor(0.1209, dtype=torch.float64)
print(f"{1 - (2 * I + 1e-5) / ((p**2).sum() + (g**2).sum() + 1e-5):.4f}")
#> 0.1209
# On hard 0/1 predictions p^2 = p: the two losses are the same.
hard = (p > 0.5).to(D)
print(DiceLoss()(hard, g), DiceLoss(squared_pred=True)(hard, g))
#> tensor(0.2000, dtype=torch.float64) tensor(0.2000, dtype=torch.float64)
# --8<-- [end:squared-pred]

# --8<-- [start:jaccard]
# jaccard=True: soft IoU, I / (P + G - I), MONAI's smoothing terms included as 1e-5 / 2.
print(DiceLoss(jaccard=True)(p, g))
#> tensor(0.3548, dtype=torch.float64)
dice = 2 * I / (P + G)
print(f"IoU {I / (P + G - I):.4f} = Dice / (2 - Dice) {dice / (2 - dice):.4f}")
#> IoU 0.6452 = Dice / (2 - Dice) 0.6452
# --8<-- [end:jaccard]

# --8<-- [start:softmax-onehot]
# Three mutually exclusive classes (0 = background), a 2 x 2 image, raw logits.
logits = torch.tensor([[[2.0, -1.0], [0.0, 0.5]],
                       [[0.0, 1.5], [1.0, 0.0]],
                       [[-1.0, 0.0], [2.0, 1.0]]], dtype=D).unsqueeze(0)  # (1, 3, 2, 2)
labels = torch.tensor([[0, 1], [2, 2]]).view(1, 1, 2, 2)  # class indices, (B, 1, H, W)
per_class = DiceLoss(softmax=True, to_onehot_y=True, reduction="none")(logits, labels)
print(per_class.shape, per_class.flatten())
#> torch.Size([1, 3, 1, 1]) tensor([0.2675, 0.3371, 0.3076], dtype=torch.float64)
# The same by hand: softmax over channel 1, one-hot target, one Dice per class.
q = logits.softmax(dim=1)
y = F.one_hot(labels.squeeze(1), 3).permute(0, 3, 1, 2).to(D)  # (1, 3, 2, 2)
print(1 - (2 * (q * y).sum((2, 3)) + 1e-5) / (q.sum((2, 3)) + y.sum((2, 3)) + 1e-5))
#> tensor([[0.2675, 0.3371, 0.3076]], dtype=torch.float64)
# include_background=False drops channel 0 before the mean:
print(DiceLoss(softmax=True, to_onehot_y=True)(logits, labels),
      DiceLoss(softmax=True, to_onehot_y=True, include_background=False)(logits, labels))
#> tensor(0.3041, dtype=torch.float64) tensor(0.3223, dtype=torch.float64)
# sigmoid=True treats each channel as its own yes/no question: probabilities that need
# not sum to 1 over the classes, and another loss.
print(logits.sigmoid().sum(dim=1).flatten(), q.sum(dim=1).flatten())
#> tensor([1.6497, 1.5865, 2.1119, 1.8535], dtype=torch.float64) tensor([1.0000, 1.0000, 1.0000, 1.0000], dtype=torch.float64)
print(DiceLoss(sigmoid=True, to_onehot_y=True)(logits, labels))
#> tensor(0.4217, dtype=torch.float64)
# --8<-- [end:softmax-onehot]

# --8<-- [start:aggregation]
# Two images of 4 pixels, background and foreground channels (probabilities).
# Image 0: a 3-pixel object, well found. Image 1: a 1-pixel object, missed.
fg = torch.tensor([[0.9, 0.8, 0.7, 0.2], [0.3, 0.2, 0.1, 0.1]], dtype=D)
t = torch.tensor([[1.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]], dtype=D)
p2 = torch.stack([1 - fg, fg], dim=1).unsqueeze(2)  # (B=2, C=2, 1, 4)
g2 = torch.stack([1 - t, t], dim=1).unsqueeze(2)
print(DiceLoss(reduction="none")(p2, g2).view(2, 2))  # one loss per (sample, class)
#> tensor([[0.3333, 0.1429],
#>         [0.2381, 0.8823]], dtype=torch.float64)
print(DiceLoss(batch=True, reduction="none")(p2, g2).flatten())  # sums pooled over the batch
#> tensor([0.2644, 0.3151], dtype=torch.float64)
both = 1 - 2 * (p2 * g2).sum() / (p2.sum() + g2.sum())  # a hand-written "global" Dice
fg_only = 1 - 2 * (p2 * g2)[:, 1].sum() / (p2[:, 1].sum() + g2[:, 1].sum())
for name, value in [
    ("per sample and class, mean (default)", DiceLoss()(p2, g2)),
    ("per class over the batch (batch=True)", DiceLoss(batch=True)(p2, g2)),
    ("global: one sum over everything", both),
    ("foreground, per sample", DiceLoss(include_background=False)(p2, g2)),
    ("foreground over the batch = global", DiceLoss(include_background=False, batch=True)(p2, g2)),
    ("hand-written global foreground", fg_only),
]:
    print(f"{name:40s} {value:.4f}")
#> per sample and class, mean (default)     0.3992
#> per class over the batch (batch=True)    0.2897
#> global: one sum over everything          0.2875
#> foreground, per sample                   0.5126
#> foreground over the batch = global       0.3151
#> hand-written global foreground           0.3151
# --8<-- [end:aggregation]

# --8<-- [start:class-weight]
# weight multiplies each class's loss; 'mean' then divides by B * C, not by sum(weight).
l = DiceLoss(reduction="none")(p2, g2).view(2, 2)
print(DiceLoss(weight=[0.0, 1.0])(p2, g2), l[:, 1].mean() / 2)
#> tensor(0.2563, dtype=torch.float64) tensor(0.2563, dtype=torch.float64)
# --8<-- [end:class-weight]

# --8<-- [start:empty-class]
# An image without foreground: G = 0, I = 0, so l = 1 - smooth_nr / (P + smooth_dr).
empty = torch.zeros(1, 1, 1, 4, dtype=D)
print("predicted mass P:      0      0.04   0.8")
#> predicted mass P:      0      0.04   0.8
for nr, dr in [(1e-5, 1e-5), (0.0, 1e-5), (1.0, 1.0)]:
    row = [DiceLoss(smooth_nr=nr, smooth_dr=dr)(torch.full_like(empty, v), empty)
           for v in (0.0, 0.01, 0.2)]
    print(f"smooth_nr={nr:<4g} dr={dr:<4g}", " ".join(f"{v:.4f}" for v in row))
#> smooth_nr=1e-05 dr=1e-05 0.0000 0.9998 1.0000
#> smooth_nr=0    dr=1e-05 1.0000 1.0000 1.0000
#> smooth_nr=1    dr=1    0.0000 0.0385 0.4444
print(DiceLoss(smooth_nr=0.0, smooth_dr=0.0)(empty, empty))  # 0 / 0
#> tensor(nan, dtype=torch.float64)
# Image 1 of the aggregation example without its object: alone it costs 1 (foreground
# channel, per sample); pooled over the batch (batch=True), image 0's object decides.
no_fg = g2.clone()
no_fg[1] = torch.tensor([1.0, 0.0], dtype=D).view(2, 1, 1)
print(DiceLoss(reduction="none")(p2, no_fg)[:, 1].flatten(),
      DiceLoss(batch=True, reduction="none")(p2, no_fg)[1].flatten())
#> tensor([0.1429, 1.0000], dtype=torch.float64) tensor([0.2381], dtype=torch.float64)
# The gradient at an empty class: dl/dp_i = smooth_nr / (P + smooth_dr)^2 for every pixel,
# 1e-5 / 1e-10 = 1e5 at P = 0 with the defaults.
for P in (0.0, 1e-4, 1e-2):
    q = torch.full((1, 1, 1, 4), P / 4, dtype=D, requires_grad=True)
    (grad,) = torch.autograd.grad(DiceLoss()(q, empty), q)
    print(f"P = {P:<6g} dl/dp = {grad[0, 0, 0, 0]:.4g}  by hand {1e-5 / (P + 1e-5) ** 2:.4g}")
#> P = 0      dl/dp = 1e+05  by hand 1e+05
#> P = 0.0001 dl/dp = 826.4  by hand 826.4
#> P = 0.01   dl/dp = 0.0998  by hand 0.0998
# --8<-- [end:empty-class]

# --8<-- [start:tversky-is-dice]
from monai.losses import TverskyLoss  # noqa: E402

# Tversky's numerator is TP + smooth_nr, Dice's 2 TP + smooth_nr: with alpha = beta = 0.5
# Tversky is Dice with both smoothing terms doubled.
tversky = TverskyLoss(alpha=0.5, beta=0.5)(p, g)
print(tversky, f"{tversky - DiceLoss()(p, g):.1e}")
#> tensor(0.2157, dtype=torch.float64) -4.2e-07
print(torch.equal(tversky, DiceLoss(smooth_nr=2e-5, smooth_dr=2e-5)(p, g)),
      torch.allclose(TverskyLoss(smooth_nr=0, smooth_dr=0)(p, g),
                     DiceLoss(smooth_nr=0, smooth_dr=0)(p, g), rtol=0, atol=1e-15))
#> True True
# --8<-- [end:tversky-is-dice]

# --8<-- [start:tversky-fp-fn]
# Two hard predictions, each with 2 pixels right and 1 pixel wrong:
# "over" marks one pixel too many (FP = 1), "under" misses one (FN = 1). Dice gives both 0.2.
pred_over, true_over = (torch.tensor(v, dtype=D).view(1, 1, 1, 4)
                        for v in ([1.0, 1, 1, 0], [1.0, 1, 0, 0]))
pred_under, true_under = (torch.tensor(v, dtype=D).view(1, 1, 1, 4)
                          for v in ([1.0, 1, 0, 0], [1.0, 1, 1, 0]))
print("alpha beta   over   under")
#> alpha beta   over   under
for alpha, beta in [(0.5, 0.5), (0.7, 0.3), (0.3, 0.7)]:
    loss = TverskyLoss(alpha=alpha, beta=beta, smooth_nr=0, smooth_dr=0)
    print(f" {alpha}  {beta}   {loss(pred_over, true_over):.4f} {loss(pred_under, true_under):.4f}")
#>  0.5  0.5   0.2000 0.2000
#>  0.7  0.3   0.2593 0.1304
#>  0.3  0.7   0.1304 0.2593
# --8<-- [end:tversky-fp-fn]

# --8<-- [start:dice-ce-parts]
from monai.losses import DiceCELoss  # noqa: E402

# CE takes the logits and class indices (target (B, 1, H, W) squeezed to (B, H, W)).
ce = F.cross_entropy(logits, labels.squeeze(1))
dice_part = DiceLoss(softmax=True, to_onehot_y=True)(logits, labels)
print(DiceCELoss(softmax=True, to_onehot_y=True)(logits, labels), dice_part + ce)
#> tensor(0.6851, dtype=torch.float64) tensor(0.6851, dtype=torch.float64)
print(DiceCELoss(softmax=True, to_onehot_y=True, lambda_dice=0.5, lambda_ce=2.0)(logits, labels),
      0.5 * dice_part + 2.0 * ce)
#> tensor(0.9141, dtype=torch.float64) tensor(0.9141, dtype=torch.float64)
# include_background=False removes channel 0 from the Dice part only; CE keeps all classes.
no_bg = DiceCELoss(softmax=True, to_onehot_y=True, include_background=False)(logits, labels)
print(f"{no_bg - DiceLoss(softmax=True, to_onehot_y=True, include_background=False)(logits, labels):.4f}"
      f" = CE {ce:.4f}")
#> 0.3810 = CE 0.3810
# --8<-- [end:dice-ce-parts]

# --8<-- [start:dice-ce-weight]
w = torch.tensor([1.0, 2.0, 4.0], dtype=D)
onehot = F.one_hot(labels.squeeze(1), 3).permute(0, 3, 1, 2).to(D)  # the same labels, one-hot
by_index = DiceCELoss(softmax=True, to_onehot_y=True, weight=w)(logits, labels)
by_onehot = DiceCELoss(softmax=True, weight=w)(logits, onehot)
print(by_index, by_onehot)
#> tensor(1.1835, dtype=torch.float64) tensor(1.9876, dtype=torch.float64)
# The Dice parts agree; the CE parts do not: with indices, torch's weighted mean divides
# by sum_n w_{y_n} = 1 + 2 + 4 + 4; with one-hot (probability) targets, by the 4 pixels.
ce_pixels = F.cross_entropy(logits, labels.squeeze(1), weight=w, reduction="sum")
print(f"{ce_pixels / 11:.4f} {ce_pixels / 4:.4f}",
      f"{F.cross_entropy(logits, labels.squeeze(1), weight=w):.4f}",
      f"{F.cross_entropy(logits, onehot, weight=w):.4f}")
#> 0.4595 1.2635 0.4595 1.2635
# MONAI 1.6.1 calls the argument weight (and uses it in the Dice part too):
try:
    DiceCELoss(ce_weight=w)
except TypeError as err:
    print(err)
#> DiceCELoss.__init__() got an unexpected keyword argument 'ce_weight'
# --8<-- [end:dice-ce-weight]

# --8<-- [start:dice-ce-gradients]
# One foreground pixel among N, background already right (logit -8), the object missed
# (logit -2, then a confident -10). The gradient each loss sends to the object's logit:
print("    N  logit     CE       Dice")
#>     N  logit     CE       Dice
for N in (16, 256, 4096):
    for logit in (-2.0, -10.0):
        x = torch.full((1, 1, 1, N), -8.0, dtype=D)
        x[..., 0] = logit
        x.requires_grad_()
        y1 = torch.zeros_like(x)
        y1[..., 0] = 1.0
        (g_ce,) = torch.autograd.grad(F.binary_cross_entropy_with_logits(x, y1), x)
        (g_dice,) = torch.autograd.grad(DiceLoss(sigmoid=True)(x, y1), x)
        print(f"{N:5d} {logit:6.0f} {g_ce[..., 0].item():9.1e} {g_dice[..., 0].item():9.1e}")
#>    16     -2  -5.5e-02  -1.7e-01
#>    16    -10  -6.2e-02  -9.0e-05
#>   256     -2  -3.4e-03  -1.6e-01
#>   256    -10  -3.9e-03  -8.4e-05
#>  4096     -2  -2.2e-04  -8.0e-02
#>  4096    -10  -2.4e-04  -3.8e-05
# --8<-- [end:dice-ce-gradients]

# --8<-- [start:libraries-disagree]
import kornia  # noqa: E402

print(kornia.__version__)
#> 0.9.0
# kornia takes logits (softmax inside) and class indices (B, H, W); same input as above.
k_logits, k_target = p2.log(), g2.argmax(dim=1)  # softmax(log p) = p
for name, value in [
    ("kornia dice_loss average='micro' (default)", kornia.losses.dice_loss(k_logits, k_target)),
    ("kornia dice_loss average='macro'", kornia.losses.dice_loss(k_logits, k_target, average="macro")),
    ("MONAI DiceLoss (default)", DiceLoss()(p2, g2)),
]:
    print(f"{name:44s} {value:.4f}")
#> kornia dice_loss average='micro' (default)   0.2875
#> kornia dice_loss average='macro'             0.3992
#> MONAI DiceLoss (default)                     0.3992
# A class absent from an image: MONAI counts it (loss ~1 if anything is predicted),
# kornia 'macro' leaves it out of the mean (no_fg: image 1 without foreground).
print(DiceLoss(reduction="none")(p2, no_fg).view(2, 2)[1],
      f"{kornia.losses.dice_loss(k_logits, no_fg.argmax(dim=1), average='macro'):.4f}",
      f"{DiceLoss()(p2, no_fg):.4f}")
#> tensor([0.0959, 1.0000], dtype=torch.float64) 0.1670 0.3930
# Class weights: MONAI divides by B * C, kornia 'macro' by the sum of the weights.
print(f"{DiceLoss(weight=[0.0, 1.0])(p2, g2):.4f}",
      f"{kornia.losses.dice_loss(k_logits, k_target, average='macro', weight=torch.tensor([0.0, 1.0], dtype=D)):.4f}")
#> 0.2563 0.5126
# Tversky: both weigh FP by alpha and FN by beta; kornia's eps is in the denominator only.
print(f"{TverskyLoss(alpha=0.7, beta=0.3)(p2, g2):.4f}",
      f"{kornia.losses.tversky_loss(k_logits, k_target, alpha=0.7, beta=0.3):.4f}")
#> 0.4046 0.4046
# ...but not when a class is absent from an image: kornia's Tversky, like 'macro', leaves
# it out of the mean; MONAI counts it.
print(f"{TverskyLoss()(p2, no_fg):.4f}",
      f"{kornia.losses.tversky_loss(k_logits, no_fg.argmax(dim=1), alpha=0.5, beta=0.5):.4f}")
#> 0.3930 0.1670
# kornia's dice_loss and tversky_loss take 4-D (B, C, H, W) only: no 3-D volumes.
volume = torch.zeros(1, 2, 3, 3, 3, dtype=D)
try:
    kornia.losses.dice_loss(volume, torch.zeros(1, 3, 3, 3, dtype=torch.long))
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
#> ValueError: Invalid pred shape, we expect BxNxHxW. Got: torch.Size([1, 2, 3, 3, 3])
print(f"{DiceLoss(softmax=True, to_onehot_y=True)(volume, torch.zeros(1, 1, 3, 3, 3)):.4f}")
#> 0.6667
# --8<-- [end:libraries-disagree]

from snippets.from_scratch.segmentation import (  # noqa: E402  (shown above)
    dice_ce_loss,
    dice_loss,
    tversky_loss,
)

# --8<-- [start:from-scratch-check]
# Random logits in float64; every combination of the options shown on this page, with the
# target as class indices (to_onehot_y=True) and as a float64 one-hot tensor.
import itertools  # noqa: E402

gen = torch.Generator().manual_seed(0)
x = torch.randn(2, 3, 4, 5, generator=gen, dtype=D, requires_grad=True)
idx = torch.randint(0, 3, (2, 1, 4, 5), generator=gen)
onehot64 = F.one_hot(idx.squeeze(1), 3).permute(0, 3, 1, 2).to(D)
worst = {True: 0.0, False: 0.0}
for include_background, act, squared_pred, jaccard, batch, reduction, to_onehot_y in (
        itertools.product((True, False), ("sigmoid", "softmax"), (False, True), (False, True),
                          (False, True), ("mean", "sum", "none"), (True, False))):
    opts = dict(include_background=include_background, to_onehot_y=to_onehot_y,
                sigmoid=act == "sigmoid", softmax=act == "softmax", squared_pred=squared_pred,
                jaccard=jaccard, batch=batch, reduction=reduction)
    y_in = idx if to_onehot_y else onehot64
    ours, theirs = dice_loss(x, y_in, **opts), DiceLoss(**opts)(x, y_in)
    (g_ours,) = torch.autograd.grad(ours.sum(), x)
    (g_theirs,) = torch.autograd.grad(theirs.sum(), x)
    assert ours.shape == theirs.shape
    worst[to_onehot_y] = max(worst[to_onehot_y], (ours - theirs).abs().max().item(),
                             (g_ours - g_theirs).abs().max().item())
print("192 option sets; values and gradients agree to 1e-12:", worst[False] < 1e-12,
      "(float64 one-hot),", worst[True] < 1e-12, "(to_onehot_y=True)")
#> 192 option sets; values and gradients agree to 1e-12: True (float64 one-hot), False (to_onehot_y=True)
# MONAI's one_hot makes a float32 target; with squared_pred, MONAI takes sum g^2 as a
# squared vector_norm, and a float32 square root is not exact (a class of 7 pixels):
n7 = torch.linalg.vector_norm(torch.ones(7))
print(n7.dtype, bool(n7**2 == 7), worst[True] < 1e-6)
#> torch.float32 False True
print(torch.allclose(tversky_loss(x, idx, to_onehot_y=True, softmax=True, alpha=0.7, beta=0.3),
                     TverskyLoss(to_onehot_y=True, softmax=True, alpha=0.7, beta=0.3)(x, idx)),
      torch.allclose(dice_ce_loss(x, idx, to_onehot_y=True, softmax=True, weight=w),
                     DiceCELoss(to_onehot_y=True, softmax=True, weight=w)(x, idx)))
#> True True
# (B, C) input, no spatial axes: MONAI sums over an empty list of axes, which torch takes
# as ALL axes, so even reduction='none' gives one Dice pooled over samples and classes.
p_bc = torch.tensor([[0.9, 0.1], [0.2, 0.8]], dtype=D)
g_bc = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=D)
print(DiceLoss(reduction="none")(p_bc, g_bc), dice_loss(p_bc, g_bc, reduction="none"))
#> tensor(0.1500, dtype=torch.float64) tensor(0.1500, dtype=torch.float64)
# --8<-- [end:from-scratch-check]

# --8<-- [start:pitfall-logits]
raw = torch.tensor([3.0, 2.0, -1.0, -3.0], dtype=D).view(1, 1, 1, 4)  # logits, not probabilities
print(DiceLoss()(raw, g))  # I = 3 + 2 - 1 = 4, P = 1, G = 3: 1 - 8 / 4
#> tensor(-1.0000, dtype=torch.float64)
print(DiceLoss(sigmoid=True)(raw, g))  # the fix: let the loss apply the activation
#> tensor(0.1835, dtype=torch.float64)
# --8<-- [end:pitfall-logits]

# --8<-- [start:pitfall-not-one-hot]
try:  # class indices (B, 1, H, W), but to_onehot_y=False
    DiceLoss(softmax=True)(logits, labels)
except AssertionError as err:
    print(f"{type(err).__name__}: {err}")
#> AssertionError: ground truth has different shape (torch.Size([1, 1, 2, 2])) from input (torch.Size([1, 3, 2, 2]))
try:  # class indices without the channel dimension, (B, H, W)
    DiceLoss(softmax=True, to_onehot_y=True)(logits, labels.squeeze(1))
except AssertionError as err:
    print(f"{type(err).__name__}: {err}")
#> AssertionError: labels should have a channel with length equal to one.
# With one channel, to_onehot_y (and softmax, include_background=False) are ignored, with a warning:
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    DiceLoss(softmax=True, to_onehot_y=True)(p, g)
for warning in caught:
    print(f"{warning.category.__name__}: {warning.message}")
#> UserWarning: single channel prediction, `softmax=True` ignored.
#> UserWarning: single channel prediction, `to_onehot_y=True` ignored.
# --8<-- [end:pitfall-not-one-hot]

# --8<-- [start:pitfall-background]
# One foreground pixel among 64; a model that predicts background everywhere.
t64 = torch.zeros(1, 64, dtype=D)
t64[0, 0] = 1.0
nothing = torch.stack([torch.ones(1, 64, dtype=D), torch.zeros(1, 64, dtype=D)], dim=1)
truth = torch.stack([1 - t64, t64], dim=1)  # (1, 2, 64): background, foreground
print(DiceLoss()(nothing, truth), DiceLoss(include_background=False)(nothing, truth))
#> tensor(0.5039, dtype=torch.float64) tensor(1.0000, dtype=torch.float64)
# --8<-- [end:pitfall-background]

# --8<-- [start:pitfall-argmax]
z = logits.clone().requires_grad_()
hard_pred = F.one_hot(z.argmax(dim=1), 3).permute(0, 3, 1, 2).to(D)  # no grad_fn
try:
    DiceLoss(to_onehot_y=True)(hard_pred, labels).backward()
except RuntimeError as err:
    print(err)
#> element 0 of tensors does not require grad and does not have a grad_fn
# Rounding keeps the graph, but its derivative is 0 everywhere:
rounded = z.softmax(dim=1).round()
(grad,) = torch.autograd.grad(DiceLoss(to_onehot_y=True)(rounded, labels), z)
print(grad.abs().max())
#> tensor(0., dtype=torch.float64)
# --8<-- [end:pitfall-argmax]
