"""Examples for docs/beyond/conventions.md: one name, two computations, printed side by side."""

# --8<-- [start:setup]
import math
import warnings

import kornia
import monai
import pytorch_metric_learning
import torch
import torch.nn.functional as F
from monai.losses import DiceLoss, FocalLoss
from pytorch_metric_learning.losses import ArcFaceLoss, NTXentLoss
from torch import nn

f64 = torch.float64
print(torch.__version__.split("+")[0], kornia.__version__, monai.__version__,
      pytorch_metric_learning.__version__)
#> 2.13.0 0.9.0 1.6.1 2.9.0
# --8<-- [end:setup]

# The page shows these functions' code instead, included from the same modules (its block
# "The from-scratch functions compared below"), so that its code runs on its own.
from snippets.from_scratch.contrastive import info_nce_loss, nt_xent_loss  # noqa: E402
from snippets.from_scratch.distillation import distillation_loss  # noqa: E402
from snippets.from_scratch.focal import sigmoid_focal_loss  # noqa: E402
from snippets.from_scratch.margin_softmax import arcface_loss  # noqa: E402

# --8<-- [start:label-smoothing]
# Three classes, target class 0, smoothing eps = 0.1.
logits = torch.tensor([[2.0, 0.5, -1.0]], dtype=f64)
target, eps, C = torch.tensor([0]), 0.1, 3
log_p = F.log_softmax(logits, dim=1)
# torch: (1 - eps) * one-hot + eps / C, so the true class keeps 1 - eps + eps / C.
torch_target = (1 - eps) * F.one_hot(target, C).to(f64) + eps / C
# fairseq's label_smoothed_nll_loss: the true class gets 1 - eps, each other eps / (C - 1).
fairseq_target = torch.full((1, C), eps / (C - 1), dtype=f64).scatter(1, target[:, None], 1 - eps)
print(torch_target, fairseq_target)
#> tensor([[0.9333, 0.0333, 0.0333]], dtype=torch.float64) tensor([[0.9000, 0.0500, 0.0500]], dtype=torch.float64)
torch_loss = F.cross_entropy(logits, target, label_smoothing=eps)
print(f"torch {torch_loss:.4f} = {-(torch_target * log_p).sum():.4f}   "
      f"fairseq {-(fairseq_target * log_p).sum():.4f}")
#> torch 0.3913 = 0.3913   fairseq 0.4663
# --8<-- [end:label-smoothing]

# --8<-- [start:focal-alpha]
# Four anchors' logits and their 0/1 targets (one positive is hard, one negative hard).
x = torch.tensor([3.0, -1.0, -4.0, 1.0], dtype=f64)
y = torch.tensor([1.0, 1.0, 0.0, 0.0], dtype=f64)
ours = sigmoid_focal_loss(x, y, reduction="mean")  # torchvision's default: alpha = 0.25
kornia_mean = kornia.losses.binary_focal_loss_with_logits(x[None], y[None], reduction="mean")
monai_mean = FocalLoss(reduction="mean")(x[None], y[None])  # MONAI's default: no alpha
print(f"ours (torchvision's formula) {ours:.4f}  kornia {kornia_mean:.4f}  MONAI {monai_mean:.4f}")
#> ours (torchvision's formula) 0.1755  kornia 0.1755  MONAI 0.3510
# MONAI's 'sum' averages over the spatial dimensions first: on (B, C) input there are
# none, and the mean over an empty list of dimensions is the mean over all of them.
print(f"sum {sigmoid_focal_loss(x, y, alpha=-1, reduction='sum'):.4f}  "
      f"MONAI 'sum' {FocalLoss(reduction='sum')(x[None], y[None]):.4f}")
#> sum 1.4039  MONAI 'sum' 0.3510
# --8<-- [end:focal-alpha]

# --8<-- [start:focal-normalisation]
# 'mean' divides by every anchor and class; RetinaNet divides the sum by the positives.
per_anchor = sigmoid_focal_loss(x, y)
print(f"'mean' {per_anchor.mean():.4f}  sum / positives {per_anchor.sum() / y.sum():.4f}")
#> 'mean' 0.1755  sum / positives 0.3510
# 96 more easy background anchors (logit -6): 'mean' drops, the RetinaNet loss does not.
x_more = torch.cat([x, torch.full((96,), -6.0, dtype=f64)])
y_more = torch.cat([y, torch.zeros(96, dtype=f64)])
per_anchor = sigmoid_focal_loss(x_more, y_more)
print(f"'mean' {per_anchor.mean():.4f}  sum / positives {per_anchor.sum() / y_more.sum():.4f}")
#> 'mean' 0.0070  sum / positives 0.3510
# --8<-- [end:focal-normalisation]

# --8<-- [start:dice-aggregation]
# Two 2x2 images, two channels (background, foreground); softmax probabilities.
p = torch.tensor([[[0.9, 0.8, 0.3, 0.4], [0.1, 0.2, 0.7, 0.6]],
                  [[0.6, 0.9, 0.9, 0.2], [0.4, 0.1, 0.1, 0.8]]], dtype=f64).view(2, 2, 2, 2)
g = torch.tensor([[[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]],
                  [[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]]],
                 dtype=f64).view(2, 2, 2, 2)  # image 1: no object
per_sample = DiceLoss()(p, g)  # a Dice per image and class, then the mean
per_batch = DiceLoss(batch=True)(p, g)  # sums over the batch first, per class
micro = kornia.losses.dice_loss(p.log(), g.argmax(dim=1))  # one Dice per image, all classes
print(f"per sample {per_sample:.4f}  per batch {per_batch:.4f}  kornia 'micro' {micro:.4f}")
#> per sample 0.4293  per batch 0.3491  kornia 'micro' 0.3000
# With probabilities and one-hot masks, every image's 'micro' denominator is 2 * H * W:
print(f"1 - mean probability of the true class {1 - (p * g).sum(dim=1).mean():.4f}")
#> 1 - mean probability of the true class 0.3000
# --8<-- [end:dice-aggregation]

# --8<-- [start:infonce-vs-nt-xent]
# Two images, two views each, stacked [view 1 of each image; view 2 of each image].
views = F.normalize(torch.tensor([[1.0, 0.2], [0.1, 1.0], [0.9, 0.4], [0.3, 0.9]],
                                 dtype=f64), dim=1)
pair_labels = torch.tensor([0, 1, 0, 1])
first, second = views[:2], views[2:]
# InfoNCE: each first view against the N second views (one direction, N - 1 negatives).
# NT-Xent: every view against the other 2N - 1 (both directions, 2N - 2 negatives).
print(f"InfoNCE {info_nce_loss(first, second, temperature=0.5):.4f}  "
      f"NT-Xent {nt_xent_loss(views, pair_labels, temperature=0.5):.4f}")
#> InfoNCE 0.3242  NT-Xent 0.5756
# The same NT-Xent with pytorch-metric-learning's default temperature, 0.07:
print(f"PML default {NTXentLoss()(views, pair_labels):.4f}  "
      f"at 0.5 {NTXentLoss(temperature=0.5)(views, pair_labels):.4f}")
#> PML default 0.0078  at 0.5 0.5756
# --8<-- [end:infonce-vs-nt-xent]

# --8<-- [start:arcface-margin]
# Two embeddings (the losses normalise them), three class centres; scale 10.
emb = torch.tensor([[math.cos(0.5), math.sin(0.5)], [0.2, 1.0]], dtype=f64)
centres = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], dtype=f64)  # (C, D)
ids = torch.tensor([0, 1])
pml = ArcFaceLoss(num_classes=3, embedding_size=2, margin=0.5, scale=10.0)  # 0.5 DEGREES
with torch.no_grad():
    pml.W.copy_(centres.T)  # PML stores the centres as (D, C)
print(f"margin 0.5 rad {arcface_loss(emb, ids, centres, margin=0.5, scale=10.0):.4f}  "
      f"PML margin=0.5 {pml(emb, ids):.4f}  "
      f"no margin {arcface_loss(emb, ids, centres, margin=0.0, scale=10.0):.4f}")
#> margin 0.5 rad 0.2189  PML margin=0.5 0.0098  no margin 0.0094
# --8<-- [end:arcface-margin]

# --8<-- [start:kl-mean]
# KL divergence of 2 samples over 4 classes: 'mean' also divides by the 4 classes.
student = F.log_softmax(torch.tensor([[1.0, 0.0, -1.0, 0.5], [0.2, 0.3, 0.1, -0.4]],
                                     dtype=f64), dim=1)
teacher = F.softmax(torch.tensor([[2.0, 0.0, -1.0, 0.0], [0.0, 1.0, 0.0, 0.0]],
                                 dtype=f64), dim=1)
kl_sum = nn.KLDivLoss(reduction="sum")(student, teacher)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    kl_mean = nn.KLDivLoss(reduction="mean")(student, teacher)
print(f"{caught[0].category.__name__}: {caught[0].message}")
#> UserWarning: reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the same as 'batchmean' in the next major release.
print(f"'batchmean' {nn.KLDivLoss(reduction='batchmean')(student, teacher):.4f} = "
      f"{kl_sum / 2:.4f}   'mean' {kl_mean:.4f} = {kl_sum / 8:.4f}")
#> 'batchmean' 0.1253 = 0.1253   'mean' 0.0313 = 0.0313
# --8<-- [end:kl-mean]

# --8<-- [start:kd-alpha]
# alpha = 0.1: on the soft (teacher) term, as on this site, or on the hard term.
s_logits = torch.tensor([[1.0, 0.0, -1.0, 0.5], [0.2, 0.3, 0.1, -0.4]], dtype=f64)
t_logits = torch.tensor([[2.0, 0.0, -1.0, 0.0], [0.0, 1.0, 0.0, 0.0]], dtype=f64)
hard = torch.tensor([0, 1])
soft_first = distillation_loss(s_logits, t_logits, hard, temperature=4.0, alpha=0.1)
hard_first = distillation_loss(s_logits, t_logits, hard, temperature=4.0, alpha=1 - 0.1)
print(f"alpha on the soft term {soft_first:.4f}  on the hard term {hard_first:.4f}")
#> alpha on the soft term 0.8746  on the hard term 0.2078
# The teacher term's share of each loss: alpha=1 keeps the soft term alone, T^2 KL.
soft_term = distillation_loss(s_logits, t_logits, hard, temperature=4.0, alpha=1.0)
print(f"teacher term's share {0.1 * soft_term / soft_first:.1%}  "
      f"{0.9 * soft_term / hard_first:.0%}")
#> teacher term's share 1.4%  54%
# --8<-- [end:kd-alpha]
