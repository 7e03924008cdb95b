"""Examples for docs/losses/embedding.md: CosineEmbeddingLoss, TripletMarginLoss,
TripletMarginWithDistanceLoss."""

# --8<-- [start:setup]
import torch
import torch.nn.functional as F
from torch import nn

# Two pairs of 3-D embeddings: the first pair is "similar" (y = 1), the second not (y = -1).
x1 = torch.tensor([[0.3, 0.5, 0.7], [0.3, 0.5, 0.7]])
x2 = torch.tensor([[0.1, 0.3, 0.5], [0.1, 0.3, 0.5]])
y = torch.tensor([1.0, -1.0])  # shape (N,): one label per pair
# --8<-- [end:setup]

# --8<-- [start:cosine]
print(nn.CosineEmbeddingLoss(reduction="none")(x1, x2, y))
#> tensor([0.0167, 0.9833])
print(nn.CosineEmbeddingLoss(reduction="sum")(x1, x2, y), nn.CosineEmbeddingLoss()(x1, x2, y))
#> tensor(1.) tensor(0.5000)
# --8<-- [end:cosine]

# --8<-- [start:cosine-by-hand]
# cos(x1, x2) = x1 . x2 / sqrt((|x1|^2 + 1e-12) (|x2|^2 + 1e-12)), in float64:
a = torch.tensor([0.3, 0.5, 0.7], dtype=torch.float64)
b = torch.tensor([0.1, 0.3, 0.5], dtype=torch.float64)
cos = (a * b).sum() / (((a * a).sum() + 1e-12) * ((b * b).sum() + 1e-12)).sqrt()
print(f"cos = {cos.item():.6f}; 1 - cos = {1 - cos.item():.6f}; max(0, cos - 0) = {cos.item():.6f}")
#> cos = 0.983338; 1 - cos = 0.016662; max(0, cos - 0) = 0.983338
loss = nn.CosineEmbeddingLoss(reduction="none")(torch.stack([a, a]), torch.stack([b, b]), y)
print(loss.tolist() == [1 - cos.item(), cos.item()])  # bit for bit
#> True
# --8<-- [end:cosine-by-hand]

# --8<-- [start:cosine-margin]
# x1 = (1, 0) against unit vectors at 0, 60, 90, 120 and 180 degrees: cos = 1, 0.5, 0, -0.5, -1.
angles = torch.deg2rad(torch.tensor([0.0, 60.0, 90.0, 120.0, 180.0]))
u = torch.tensor([[1.0, 0.0]]).expand(5, 2)
v = torch.stack([angles.cos(), angles.sin()], dim=1)
dissimilar = -torch.ones(5)  # all five pairs labelled y = -1
for margin in (-0.5, 0.0, 0.5, 1.0):
    print(f"margin {margin:+.1f}:", nn.CosineEmbeddingLoss(margin, reduction="none")(u, v, dissimilar))
#> margin -0.5: tensor([1.5000, 1.0000, 0.5000, 0.0000, 0.0000])
#> margin +0.0: tensor([1.0000, 0.5000, 0.0000, 0.0000, 0.0000])
#> margin +0.5: tensor([0.5000, 0.0000, 0.0000, 0.0000, 0.0000])
#> margin +1.0: tensor([0., 0., 0., 0., 0.])
# --8<-- [end:cosine-margin]

# --8<-- [start:cosine-unbatched]
# One pair: inputs of shape (D,) and a 0-d target give a 0-d loss, whatever the reduction.
print(nn.CosineEmbeddingLoss(reduction="none")(x1[1], x2[1], torch.tensor(-1.0)))
#> tensor(0.9833)
# --8<-- [end:cosine-unbatched]

# --8<-- [start:triplet]
# One triplet in 1-D: the anchor at 1, the positive at 2, the negative at 0.5.
anchor, positive, negative = torch.tensor([[1.0]]), torch.tensor([[2.0]]), torch.tensor([[0.5]])
print(nn.TripletMarginLoss(margin=1.0, p=1)(anchor, positive, negative))
#> tensor(1.5000)
# Not exactly 1.5: eps = 1e-6 is added to each difference. In float64, by hand:
# d(a, p) = |1 - 2 + 1e-6| = 0.999999, d(a, n) = |1 - 0.5 + 1e-6| = 0.500001.
loss = nn.TripletMarginLoss(margin=1.0, p=1)(anchor.double(), positive.double(), negative.double())
by_hand = 1.0 + abs(1.0 - 2.0 + 1e-6) - abs(1.0 - 0.5 + 1e-6)
print(f"{loss.item():.6f} {by_hand:.6f}", loss.item() == by_hand)  # == : bit for bit
#> 1.499998 1.499998 True
# --8<-- [end:triplet]

# --8<-- [start:triplet-batch]
# Two triplets of 2-D embeddings, Euclidean distance (p = 2, the default), in float64.
anchors = torch.tensor([[0.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
positives = torch.tensor([[3.0, 4.0], [1.0, 2.0]], dtype=torch.float64)
negatives = torch.tensor([[6.0, 8.0], [2.0, 1.5]], dtype=torch.float64)
losses = nn.TripletMarginLoss(reduction="none")(anchors, positives, negatives)
print(losses)
#> tensor([0.0000, 0.8820], dtype=torch.float64)
print(nn.TripletMarginLoss(reduction="sum")(anchors, positives, negatives),
      nn.TripletMarginLoss()(anchors, positives, negatives))
#> tensor(0.8820, dtype=torch.float64) tensor(0.4410, dtype=torch.float64)
# By hand, the second triplet, eps = 1e-6 added to each coordinate's difference:
eps = 1e-6
d_pos = ((1.0 - 1.0 + eps) ** 2 + (1.0 - 2.0 + eps) ** 2) ** 0.5
d_neg = ((1.0 - 2.0 + eps) ** 2 + (1.0 - 1.5 + eps) ** 2) ** 0.5
print(f"{d_pos:.6f} {d_neg:.6f} {max(1.0 + d_pos - d_neg, 0.0):.6f}",
      losses[1].item() == 1.0 + d_pos - d_neg)
#> 0.999999 1.118033 0.881966 True
# The first: d(a, p) = 5 and d(a, n) = 10 (up to eps): 5 - 10 + 1 < 0, so its loss is 0.
# --8<-- [end:triplet-batch]

# --8<-- [start:pairwise-eps]
# eps is added to every difference, so the distance of a vector to itself is not 0:
z = torch.zeros(1, 4, dtype=torch.float64)
print(F.pairwise_distance(z, z), 1e-6 * 4 ** 0.5)  # ||(eps, eps, eps, eps)||_2 = 2 eps
#> tensor([2.0000e-06], dtype=torch.float64) 2e-06
print(F.pairwise_distance(z, z, p=1), F.pairwise_distance(z, z, eps=0.0))
#> tensor([4.0000e-06], dtype=torch.float64) tensor([0.], dtype=torch.float64)
# --8<-- [end:pairwise-eps]

# --8<-- [start:triplet-p]
# The norm degree p changes both distances, and which of them is larger. From (0, 0),
# the positive (3, 4) is at 7, 5 and 4 for p = 1, 2 and inf; the negative (5, 2) at 7, 5.39, 5.
a = torch.tensor([[0.0, 0.0]])
pos = torch.tensor([[3.0, 4.0]])
neg = torch.tensor([[5.0, 2.0]])
for p in (1, 2, float("inf")):
    print(f"p = {p}:", F.pairwise_distance(a, pos, p=p), F.pairwise_distance(a, neg, p=p),
          nn.TripletMarginLoss(p=p)(a, pos, neg))
#> p = 1: tensor([7.0000]) tensor([7.0000]) tensor(1.)
#> p = 2: tensor([5.0000]) tensor([5.3852]) tensor(0.6148)
#> p = inf: tensor([4.0000]) tensor([5.0000]) tensor(0.)
# --8<-- [end:triplet-p]

# --8<-- [start:swap]
# The positive sits between the anchor and the negative, nearer to the negative.
a = torch.tensor([[0.0, 0.0]])
pos = torch.tensor([[1.0, 1.0]])
neg = torch.tensor([[2.0, 1.0]])
print(F.pairwise_distance(a, pos), F.pairwise_distance(a, neg), F.pairwise_distance(pos, neg))
#> tensor([1.4142]) tensor([2.2361]) tensor([1.0000])
print(nn.TripletMarginLoss()(a, pos, neg), nn.TripletMarginLoss(swap=True)(a, pos, neg))
#> tensor(0.1781) tensor(1.4142)
# swap=True uses min(d(a, n), d(p, n)) = 1 as the negative distance: 1.4142 - 1 + 1.
# --8<-- [end:swap]

# --8<-- [start:with-distance-default]
g = torch.Generator().manual_seed(0)
a, pos, neg = (torch.randn(8, 16, generator=g) for _ in range(3))
plain = nn.TripletMarginLoss()(a, pos, neg)
with_distance = nn.TripletMarginWithDistanceLoss()(a, pos, neg)  # distance_function=None
print(plain, with_distance, torch.equal(plain, with_distance))
#> tensor(0.1878) tensor(0.1878) True
# Any p of TripletMarginLoss: nn.PairwiseDistance(p) as the distance function.
print(torch.equal(nn.TripletMarginLoss(p=1, swap=True)(a, pos, neg),
                  nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1),
                                                   swap=True)(a, pos, neg)))
#> True
# --8<-- [end:with-distance-default]

# --8<-- [start:with-distance-cosine]
def cosine_distance(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """1 - cos(u, v), between 0 (same direction) and 2 (opposite): one value per row."""
    return 1 - F.cosine_similarity(u, v)


a = torch.tensor([[1.0, 0.0]])
pos = torch.tensor([[1.0, 1.0]])  # 45 degrees from the anchor
neg = torch.tensor([[0.0, 3.0]])  # 90 degrees: its length does not count
d_pos, d_neg = cosine_distance(a, pos), cosine_distance(a, neg)
print(d_pos, d_neg)  # 1 - cos 45 degrees and 1 - cos 90 degrees
#> tensor([0.2929]) tensor([1.])
for margin in (0.5, 1.0):
    criterion = nn.TripletMarginWithDistanceLoss(distance_function=cosine_distance, margin=margin)
    by_hand = (d_pos - d_neg + margin).clamp(min=0)
    print(f"margin {margin}:", criterion(a, pos, neg), by_hand)
#> margin 0.5: tensor(0.) tensor([0.])
#> margin 1.0: tensor(0.2929) tensor([0.2929])
# --8<-- [end:with-distance-cosine]

# --8<-- [start:face-verification]
# 3 people, 4 photos each. Raw 4-D features: the identity in the first two dimensions,
# lighting and pose (large, and the same for everyone) in the last two.
torch.manual_seed(0)
person = torch.arange(3).repeat_interleave(4)  # [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
centres = torch.tensor([[1.0, 0.0], [-0.5, 0.9], [-0.5, -0.9]])
faces = torch.cat([centres[person] + 0.15 * torch.randn(12, 2), 2.0 * torch.randn(12, 2)], 1)

same = person[:, None] == person[None, :]
other = ~torch.eye(12, dtype=torch.bool)  # pairs of two different photos
# Every triplet (anchor, positive: same person, negative: another person): 12 * 3 * 8.
i, j, k = torch.nonzero(same[:, :, None] & other[:, :, None] & ~same[:, None, :]).T
print(len(i))
#> 288

embed = nn.Linear(4, 2, bias=False)  # the "network": 4-D features to a 2-D embedding
criterion = nn.TripletMarginLoss(margin=1.0)


def report(when: str) -> None:
    with torch.no_grad():
        e = embed(faces)
        d = torch.cdist(e, e)  # all pairwise Euclidean distances
        loss = criterion(e[i], e[j], e[k])
    print(f"{when}: loss {loss:.4f}; largest same-person distance {d[same & other].max():.2f}, "
          f"smallest different-person distance {d[~same].min():.2f}")


report("before")
#> before: loss 0.9717; largest same-person distance 3.12, smallest different-person distance 0.25
weight_before = embed.weight.detach().abs().sum(0)
for _ in range(50):  # 50 steps of gradient descent
    e = embed(faces)
    loss = criterion(e[i], e[j], e[k])
    embed.zero_grad()
    loss.backward()
    with torch.no_grad():  # learning rate 0.1
        embed.weight -= 0.1 * embed.weight.grad
report("after ")
#> after : loss 0.0061; largest same-person distance 0.77, smallest different-person distance 1.08
# How much each raw feature counts (sum of |weights|): identity x2, lighting/pose x2.
print(weight_before, embed.weight.detach().abs().sum(0))
#> tensor([0.5596, 0.5285, 0.4625, 0.7276]) tensor([0.7372, 1.6175, 0.1842, 0.0440])
# --8<-- [end:face-verification]

from snippets.from_scratch.losses import (  # noqa: E402  (shown above)
    cosine_embedding_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)

# --8<-- [start:from-scratch-check]
g = torch.Generator().manual_seed(0)
u, v, w = (torch.randn(6, 5, generator=g, dtype=torch.float64) for _ in range(3))
labels = torch.tensor([1.0, -1.0, 1.0, -1.0, -1.0, 1.0], dtype=torch.float64)
checks = {
    "cosine_embedding_loss": (cosine_embedding_loss(u, v, labels, margin=-0.2),
                              F.cosine_embedding_loss(u, v, labels, margin=-0.2)),
    "triplet_margin_loss": (triplet_margin_loss(u, v, w, margin=2.0, p=1.5, swap=True),
                            F.triplet_margin_loss(u, v, w, margin=2.0, p=1.5, swap=True)),
    "triplet_margin_with_distance_loss": (
        triplet_margin_with_distance_loss(u, v, w, distance_function=cosine_distance,
                                          reduction="sum"),
        F.triplet_margin_with_distance_loss(u, v, w, distance_function=cosine_distance,
                                            reduction="sum")),
}
for name, (ours, theirs) in checks.items():
    print(f"{name:<34} {ours.item():.6g} {theirs.item():.6g} {torch.allclose(ours, theirs)}")
#> cosine_embedding_loss              0.582907 0.582907 True
#> triplet_margin_loss                2.70666 2.70666 True
#> triplet_margin_with_distance_loss  4.89142 4.89142 True
# --8<-- [end:from-scratch-check]

# --8<-- [start:pitfall-target-shape]
try:
    nn.CosineEmbeddingLoss()(x1, x2, torch.tensor([[1.0, -1.0]]))  # target of shape (1, N)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: 0D or 1D target tensor expected, multi-target not supported
print(nn.CosineEmbeddingLoss(reduction="none")(x1, x2, torch.tensor([1.0, -1.0])))  # (N,)
#> tensor([0.0167, 0.9833])
# --8<-- [end:pitfall-target-shape]

# --8<-- [start:pitfall-zero-one-labels]
# Labels 0/1 (as for BCELoss) instead of -1/1: the "dissimilar" pair gets no loss at all.
print(nn.CosineEmbeddingLoss(reduction="none")(x1, x2, torch.tensor([1.0, 0.0])))
#> tensor([0.0167, 0.0000])
zero_one = torch.tensor([1, 0])
print(nn.CosineEmbeddingLoss(reduction="none")(x1, x2, 2 * zero_one - 1))  # the fix
#> tensor([0.0167, 0.9833])
# --8<-- [end:pitfall-zero-one-labels]

# --8<-- [start:pitfall-tiny-embeddings]
# The 1e-12 under the square root matters when the embeddings are tiny: the same vector
# twice should give cos = 1 and a loss of 0.
for scale in (1.0, 1e-6, 1e-7, 1e-9):
    t = scale * torch.tensor([[0.6, 0.8]], dtype=torch.float64)  # norm = scale
    print(f"norm {scale:g}: loss {nn.CosineEmbeddingLoss()(t, t, torch.ones(1)).item():.4f}, "
          f"1 - F.cosine_similarity {1 - F.cosine_similarity(t, t).item():.4f}")
#> norm 1: loss 0.0000, 1 - F.cosine_similarity 0.0000
#> norm 1e-06: loss 0.5000, 1 - F.cosine_similarity 0.0000
#> norm 1e-07: loss 0.9901, 1 - F.cosine_similarity 0.0000
#> norm 1e-09: loss 1.0000, 1 - F.cosine_similarity 0.9900
# --8<-- [end:pitfall-tiny-embeddings]

# --8<-- [start:pitfall-triplet-dims]
anchors = torch.randn(4, 8, generator=g)
positives = torch.randn(4, 8, generator=g)
one_negative = torch.randn(8, generator=g)  # shape (D,): one negative for the whole batch
try:
    nn.TripletMarginLoss()(anchors, positives, one_negative)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor 2D, positive 2D, and negative 1D inputs
# The fix: give it the batch dimension; a size of 1 is broadcast to the 4 anchors.
print(nn.TripletMarginLoss(reduction="none")(anchors, positives, one_negative.unsqueeze(0)).shape)
#> torch.Size([4])
# --8<-- [end:pitfall-triplet-dims]

# --8<-- [start:pitfall-margin-zero]
for make in (lambda: nn.TripletMarginLoss(margin=0.0),
             lambda: nn.TripletMarginWithDistanceLoss(margin=0.0),
             lambda: F.triplet_margin_loss(anchors, positives, positives, margin=0.0)):
    try:
        make()
    except ValueError as e:
        print(f"{type(e).__name__}: {e}")
#> ValueError: TripletMarginLoss: expected margin to be greater than 0, got 0.0 instead
#> ValueError: TripletMarginWithDistanceLoss: expected margin to be greater than 0, got 0.0 instead
#> ValueError: margin must be greater than 0, got 0.0
# --8<-- [end:pitfall-margin-zero]

# --8<-- [start:pitfall-squared-distance]
# d(a, p) = 3 and d(a, n) = 4, margin 8:
a = torch.tensor([[0.0, 0.0]], dtype=torch.float64)
pos = torch.tensor([[3.0, 0.0]], dtype=torch.float64)
neg = torch.tensor([[0.0, 4.0]], dtype=torch.float64)
print(nn.TripletMarginLoss(margin=8.0, eps=0.0)(a, pos, neg))  # 3 - 4 + 8
#> tensor(7., dtype=torch.float64)
squared = nn.TripletMarginWithDistanceLoss(
    distance_function=lambda u, v: ((u - v) ** 2).sum(-1), margin=8.0)
print(squared(a, pos, neg))  # 9 - 16 + 8: squared distances need their own criterion
#> tensor(1., dtype=torch.float64)
# --8<-- [end:pitfall-squared-distance]

# --8<-- [start:pitfall-keyword-only]
try:
    nn.TripletMarginWithDistanceLoss(cosine_distance)  # positional: refused
except TypeError as e:
    print(f"{type(e).__name__}: {e}")
#> TypeError: TripletMarginWithDistanceLoss.__init__() takes 1 positional argument but 2 were given
criterion = nn.TripletMarginWithDistanceLoss(distance_function=cosine_distance)  # the fix
print(criterion(torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 1.0]]), torch.tensor([[0.0, 3.0]])))
#> tensor(0.2929)
# --8<-- [end:pitfall-keyword-only]
