"""Examples for docs/beyond/contrastive.md: InfoNCE, NT-Xent (SimCLR), CLIP and SupCon,
checked against pytorch_metric_learning where it ships the loss."""

# --8<-- [start:setup]
import math

import pytorch_metric_learning
import torch
import torch.nn.functional as F
from pytorch_metric_learning import distances, losses

f64 = torch.float64  # every tensor below is float64
print(torch.__version__.split("+")[0], pytorch_metric_learning.__version__)  # checked against
#> 2.13.0 2.9.0
# --8<-- [end:setup]

# --8<-- [start:infonce]
# Three queries and their three keys, unit vectors in 2-D: key i is query i's positive.
q = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=f64)
k = torch.tensor([[0.8, 0.6], [0.6, 0.8], [0.0, 1.0]], dtype=f64)
t = 0.5
s = q @ k.T / t  # similarity logits s_ij = q_i . k_j / t
print(s)
#> tensor([[1.6000, 1.2000, 0.0000],
#>         [1.2000, 1.6000, 2.0000],
#>         [1.9200, 2.0000, 1.6000]], dtype=torch.float64)
labels = torch.arange(3)  # the positive of row i is column i
print(f"{F.cross_entropy(s, labels):.4f}")
#> 1.0438
# Row 0 by hand: -log(e^1.6 / (e^1.6 + e^1.2 + e^0))
by_hand = -math.log(math.exp(1.6) / (math.exp(1.6) + math.exp(1.2) + math.exp(0.0)))
print(f"{by_hand:.4f} {F.cross_entropy(s, labels, reduction='none')[0]:.4f}")
#> 0.6271 0.6271
# --8<-- [end:infonce]

from snippets.from_scratch.contrastive import (  # noqa: E402  (shown on the page)
    clip_loss,
    info_nce_loss,
    nt_xent_loss,
    supcon_loss,
)

# --8<-- [start:infonce-check]
print(f"{info_nce_loss(q, k, temperature=0.5):.4f}")
#> 1.0438
# Extra keys are extra negatives (a MoCo-style queue): one more column in the softmax.
queue = torch.tensor([[-1.0, 0.0], [0.0, -1.0]], dtype=f64)
keys = torch.cat([k, queue])
print(f"{info_nce_loss(q, keys, temperature=0.5):.4f} "
      f"{F.cross_entropy(q @ keys.T / t, labels):.4f}")
#> 1.1143 1.1143
# --8<-- [end:infonce-check]

# --8<-- [start:nt-xent]
# SimCLR: N = 3 images, two augmented views each; rows 0-2 are view 1, rows 3-5 view 2.
g = torch.Generator().manual_seed(0)
view1 = torch.randn(3, 4, generator=g, dtype=f64)
view2 = view1 + 0.5 * torch.randn(3, 4, generator=g, dtype=f64)  # the other view: close, not equal
z = F.normalize(torch.cat([view1, view2]), dim=1)      # 2N unit vectors
N, tau = 3, 0.5
s = z @ z.T / tau
s = s.masked_fill(torch.eye(2 * N, dtype=torch.bool), float("-inf"))  # no self-similarity
partner = torch.cat([torch.arange(N, 2 * N), torch.arange(N)])  # i <-> i + N
simclr = F.cross_entropy(s, partner)  # mean over the 2N anchors
print(f"{simclr:.4f}")
#> 0.8647
# SimCLR's TF code returns loss_a + loss_b: the mean over the first views PLUS the mean
# over the second views, twice the 1/(2N) mean above.
loss_a, loss_b = F.cross_entropy(s[:N], partner[:N]), F.cross_entropy(s[N:], partner[N:])
print(f"{loss_a + loss_b:.4f} {2 * simclr:.4f}")
#> 1.7295 1.7295
# The same with labels: the two views of image i share label i.
pair_labels = torch.cat([torch.arange(N), torch.arange(N)])
print(pair_labels)
#> tensor([0, 1, 2, 0, 1, 2])
embeddings = torch.cat([view1, view2])  # NTXentLoss normalises them itself
print(f"{nt_xent_loss(embeddings, pair_labels, temperature=0.5):.4f} "
      f"{losses.NTXentLoss(temperature=0.5)(embeddings, pair_labels):.4f}")
#> 0.8647 0.8647
# --8<-- [end:nt-xent]

# --8<-- [start:nt-xent-default-temperature]
print(losses.NTXentLoss().temperature)
#> 0.07
print(f"{losses.NTXentLoss()(embeddings, pair_labels):.4f}")
#> 0.8197
# --8<-- [end:nt-xent-default-temperature]

# --8<-- [start:nt-xent-more-positives]
# Three views of image 0, two of image 1: label 0 has 3 x 2 = 6 ordered positive pairs.
views = torch.cat([view1[:2], view2[:2], view1[:1] + 0.3])
group = torch.tensor([0, 1, 0, 1, 0])
positive = (group[:, None] == group[None, :]) & ~torch.eye(5, dtype=torch.bool)
print(int(positive.sum()), positive.sum(dim=1).tolist())
#> 8 [2, 1, 2, 1, 2]
pml = losses.NTXentLoss(temperature=0.5)(views, group)
print(f"{pml:.4f} {nt_xent_loss(views, group, temperature=0.5):.4f}")
#> 0.1603 0.1603
# One term per pair; the other positives of the anchor are NOT in the denominator.
# Keeping them in (every other sample, as in SimCLR's formula) gives another number:
u = F.normalize(views, dim=1)
s = (u @ u.T / 0.5).masked_fill(torch.eye(5, dtype=torch.bool), float("-inf"))
a, p = positive.nonzero(as_tuple=True)
all_others = (torch.logsumexp(s[a], dim=1) - s[a, p]).mean()
print(f"{all_others:.4f}")
#> 0.6307
# And the mean is over the 8 pairs, so anchors with more positives weigh more:
pair_terms = torch.logsumexp(torch.cat([s[a, p][:, None],
                                        s[a].masked_fill(positive[a], float("-inf"))], 1), 1) - s[a, p]
per_anchor = torch.zeros(5, dtype=f64).index_add(0, a, pair_terms) / positive.sum(dim=1)
print(f"pairs {pair_terms.mean():.4f}  anchors {per_anchor.mean():.4f}")
#> pairs 0.1603  anchors 0.1736
# --8<-- [end:nt-xent-more-positives]

# --8<-- [start:clip]
# A batch of 3 image-caption pairs; the encoders' outputs, normalised as CLIP does.
g = torch.Generator().manual_seed(1)
image = F.normalize(torch.randn(3, 4, generator=g, dtype=f64), dim=1)
text = F.normalize(image + 0.8 * torch.randn(3, 4, generator=g, dtype=f64), dim=1)
log_scale = torch.nn.Parameter(torch.tensor(math.log(1 / 0.07), dtype=f64))  # learnable, in log space
scale = log_scale.exp()  # the inverse temperature, 1 / 0.07
print(f"{log_scale.item():.4f} {scale.item():.4f}")
#> 2.6593 14.2857
logits_per_image = scale * image @ text.T  # row i: image i against every caption
logits_per_text = logits_per_image.T       # row i: caption i against every image
targets = torch.arange(3)
two_ce = (F.cross_entropy(logits_per_image, targets)
          + F.cross_entropy(logits_per_text, targets)) / 2
print(f"{F.cross_entropy(logits_per_image, targets):.4f} "
      f"{F.cross_entropy(logits_per_text, targets):.4f} {two_ce:.4f}")
#> 5.7586 2.3607 4.0597
ours = clip_loss(image, text, scale)
print(f"{ours:.4f}")
#> 4.0597
(grad_ours,) = torch.autograd.grad(ours, log_scale, retain_graph=True)  # scale is shared
(grad_two_ce,) = torch.autograd.grad(two_ce, log_scale)
print(f"{grad_ours:.4f} {grad_two_ce:.4f}")  # the temperature learns
#> 3.9990 3.9990
# --8<-- [end:clip]

# --8<-- [start:clip-clamp]
# CLIP clips the scale at 100. open_clip clamps the parameter in place after each step:
with torch.no_grad():
    log_scale.fill_(5.0)                      # e.g. where an optimizer step left it
    log_scale.clamp_(0, math.log(100))        # as open_clip's train.py does
print(f"{log_scale.item():.4f} {log_scale.exp().item():.4f}")
#> 4.6052 100.0000
# Clamping inside the forward pass instead stops the gradient at the bound:
with torch.no_grad():
    log_scale.fill_(5.0)
clamped = log_scale.exp().clamp(max=100)
(grad,) = torch.autograd.grad(clip_loss(image, text, clamped), log_scale)
print(f"{clamped.item():.4f} {grad.item():.4f}")
#> 100.0000 0.0000
# --8<-- [end:clip-clamp]

# --8<-- [start:supcon]
# Six embeddings of three classes; class 2 has a single sample (no positive).
g = torch.Generator().manual_seed(2)
x = torch.randn(6, 4, generator=g, dtype=f64)
y = torch.tensor([0, 0, 0, 1, 1, 2])
tau = 0.1
u = F.normalize(x, dim=1)
s = u @ u.T / tau
eye = torch.eye(6, dtype=torch.bool)
pos = (y[:, None] == y[None, :]) & ~eye                       # P(i)
log_prob = s - torch.logsumexp(s.masked_fill(eye, float("-inf")), dim=1, keepdim=True)
n_pos = pos.sum(dim=1)
print(n_pos.tolist())
#> [2, 2, 2, 1, 1, 0]
# L_out: the mean over positives OUTSIDE the log.
l_out = torch.where(pos, -log_prob, 0).sum(dim=1) / n_pos.clamp(min=1)
# L_in: the mean over positives INSIDE the log.
l_in = -torch.log(torch.where(pos, log_prob.exp(), 0).sum(dim=1) / n_pos.clamp(min=1))
has_pos = n_pos > 0
print(l_out)
#> tensor([0.9352, 2.1166, 2.7831, 0.9257, 0.3344, 0.0000], dtype=torch.float64)
print(f"L_out {l_out[has_pos].mean():.4f}  L_in {l_in[has_pos].mean():.4f}")
#> L_out 1.4190  L_in 0.6811
print(f"SupConLoss {losses.SupConLoss(temperature=0.1)(x, y):.4f}  "
      f"ours {supcon_loss(x, y, temperature=0.1):.4f}")
#> SupConLoss 1.4190  ours 1.4190
# The anchor without a positive is left out of the mean (5 anchors, not 6):
print(f"{l_out.sum() / 6:.4f}")
#> 1.1825
# SupContrast (HobbitLong/SupContrast, losses.py) averages over all 6 anchors (0 for one
# without a positive) and multiplies by temperature / base_temperature, base 0.07 by default:
base_temperature = 0.07
print(f"{(tau / base_temperature) * l_out.sum() / 6:.4f}")
#> 1.6893
# --8<-- [end:supcon]

# --8<-- [start:supcon-gradients]
leaf_pml, leaf_ours = x.clone().requires_grad_(), x.clone().requires_grad_()
(grad_pml,) = torch.autograd.grad(losses.SupConLoss(temperature=0.1)(leaf_pml, y), leaf_pml)
(grad_ours,) = torch.autograd.grad(supcon_loss(leaf_ours, y, temperature=0.1), leaf_ours)
print(torch.allclose(grad_ours, grad_pml, rtol=1e-12, atol=1e-14))
#> True
print(losses.SupConLoss().temperature)
#> 0.1
# With two views per image and one label per image, SupCon is NT-Xent:
print(f"{supcon_loss(embeddings, pair_labels, 0.5):.4f} "
      f"{nt_xent_loss(embeddings, pair_labels, 0.5):.4f}")
#> 0.8647 0.8647
# --8<-- [end:supcon-gradients]

# --8<-- [start:temperature]
# One anchor's similarities: its positive (0.9), a hard negative (0.8), easier ones.
sim = torch.tensor([0.9, 0.8, 0.5, 0.0, -0.5], dtype=f64)
for tau in (1.0, 0.5, 0.1, 0.05):
    leaf = sim.clone().requires_grad_()
    loss = F.cross_entropy(leaf[None] / tau, torch.tensor([0]))
    (grad,) = torch.autograd.grad(loss, leaf)  # (softmax - onehot) / tau
    push = grad[1:].sum()                      # the total push, (1 - p_pos) / tau
    hard_share = grad[1] / push                # the hard negative's part of it
    print(f"tau {tau:<4}  loss {loss:.4f}  d/d s_pos {grad[0]:8.4f}  "
          f"d/d s_neg {grad[1]:.4f} {grad[2]:.4f} {grad[3]:.4f} {grad[4]:.4f}  "
          f"push {push:.2f}  hard share {hard_share:.3f}")
#> tau 1.0   loss 1.1720  d/d s_pos  -0.6902  d/d s_neg 0.2803 0.2076 0.1259 0.0764  push 0.69  hard share 0.406
#> tau 0.5   loss 0.9140  d/d s_pos  -1.1981  d/d s_neg 0.6565 0.3603 0.1325 0.0488  push 1.20  hard share 0.548
#> tau 0.1   loss 0.3267  d/d s_pos  -2.7867  d/d s_neg 2.6536 0.1321 0.0009 0.0000  push 2.79  hard share 0.952
#> tau 0.05  loss 0.1272  d/d s_pos  -2.3893  d/d s_neg 2.3834 0.0059 0.0000 0.0000  push 2.39  hard share 0.998
# --8<-- [end:temperature]

# --8<-- [start:pitfall-normalise]
# Cosine similarity ignores the length of the embeddings; a dot product does not.
longer = 10 * embeddings  # the same directions, 10 times longer
print(f"{nt_xent_loss(embeddings, pair_labels, 0.5):.4f} "
      f"{nt_xent_loss(longer, pair_labels, 0.5):.4f}")
#> 0.8647 0.8647
dot = losses.NTXentLoss(temperature=0.5,
                        distance=distances.DotProductSimilarity(normalize_embeddings=False))
print(f"{dot(embeddings, pair_labels):.4f} {dot(longer, pair_labels):.4f}")
#> 0.7242 39.9804
# DotProductSimilarity() alone normalises (normalize_embeddings=True by default):
print(f"{losses.NTXentLoss(temperature=0.5, distance=distances.DotProductSimilarity())(longer, pair_labels):.4f}")
#> 0.8647
# --8<-- [end:pitfall-normalise]

# --8<-- [start:pitfall-diagonal]
# Two identical views: the best case. SimCLR's loss with and without the diagonal masked.
same = F.normalize(torch.cat([view1, view1]), dim=1)
s = same @ same.T / 0.5
masked = s.masked_fill(torch.eye(6, dtype=torch.bool), float("-inf"))
print(f"masked {F.cross_entropy(masked, partner):.4f}  "
      f"unmasked {F.cross_entropy(s, partner):.4f}  ln 2 = {math.log(2):.4f}")
#> masked 0.6522  unmasked 1.0750  ln 2 = 0.6931
# --8<-- [end:pitfall-diagonal]

# --8<-- [start:pitfall-labels]
# Every sample its own label: no positive pair, and the loss is a silent 0.
leaf = embeddings.clone().requires_grad_()
loss = losses.NTXentLoss(temperature=0.5)(leaf, torch.arange(6))
(grad,) = torch.autograd.grad(loss, leaf)
print(f"{loss:.4f} {grad.abs().sum():.4f}")
#> 0.0000 0.0000
# Views stacked as [view1; view2] but labels made for interleaved views [a, a, b, b, ...]:
wrong = torch.arange(3).repeat_interleave(2)
print(wrong, f"{losses.NTXentLoss(temperature=0.5)(embeddings, wrong):.4f}")
#> tensor([0, 0, 1, 1, 2, 2]) 2.2761
# One label per image instead of one per view:
try:
    losses.NTXentLoss(temperature=0.5)(embeddings, torch.arange(3))
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
#> ValueError: Number of embeddings must equal number of labels
# --8<-- [end:pitfall-labels]

# --8<-- [start:pitfall-temperature-twice]
# Logits already divided by t, divided again: the loss runs at temperature t * t.
logits = q @ k.T / 0.5
print(f"{F.cross_entropy(logits / 0.5, labels):.4f} "
      f"{info_nce_loss(q, k, temperature=0.25):.4f} {info_nce_loss(q, k, temperature=0.5):.4f}")
#> 1.1113 1.1113 1.0438
# In CLIP: the model returns logit_scale.exp(); exponentiating it again gives 1.6 million.
twice = torch.tensor(1 / 0.07, dtype=f64).exp()
print(f"{twice.item():.3g} {clip_loss(image, text, twice):.3g}")
#> 1.6e+06 4.53e+05
# --8<-- [end:pitfall-temperature-twice]
