"""Examples for docs/training/reductions.md: reductions across micro-batches and ranks."""

# --8<-- [start:setup]
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

# A tiny linear model (4 classes from 3 features), all in float64 so that sums taken
# in another order agree to about 1e-16 and every comparison below is exact in practice.
g = torch.Generator().manual_seed(0)
features = torch.randn(8, 3, generator=g, dtype=torch.float64)
W = torch.randn(4, 3, generator=g, dtype=torch.float64, requires_grad=True)
target = torch.tensor([0, 1, 2, 3, 1, 2, 3, 0])


def same(a, b):
    """Equal to 12 significant digits: float64 rounding, not a real difference."""
    return torch.allclose(a, b, rtol=1e-12, atol=1e-14)


def full_batch(loss_fn, y):
    """Loss and gradient of W for the whole batch in one backward pass."""
    W.grad = None
    loss = loss_fn(features @ W.T, y)
    loss.backward()
    return loss.detach(), W.grad.clone()


def accumulated(loss_fn, y, chunks, divide_by=1):
    """The same batch in micro-batches: one backward each, gradients add up in W.grad.
    chunks: a number of micro-batches, or the indices to cut at (as in tensor_split)."""
    W.grad = None
    total = torch.zeros((), dtype=torch.float64)
    for x_mb, y_mb in zip(features.tensor_split(chunks), y.tensor_split(chunks), strict=True):
        loss = loss_fn(x_mb @ W.T, y_mb) / divide_by
        loss.backward()
        total += loss.detach()
    return total, W.grad.clone()


def compare(full, acc):
    """Same loss? Same gradient? And the largest gradient difference."""
    (loss_f, grad_f), (loss_a, grad_a) = full, acc
    return (f"loss {loss_f:.4f} vs {loss_a:.4f}  same loss: {same(loss_f, loss_a)}"
            f"  same grad: {same(grad_f, grad_a)}"
            f"  max |grad diff| {(grad_f - grad_a).abs().max():.4f}")
# --8<-- [end:setup]

# --8<-- [start:equal-micro-batches]
# Plain CrossEntropyLoss, 2 micro-batches of 4 samples, each micro loss divided by 2.
ce = nn.CrossEntropyLoss()
print(compare(full_batch(ce, target), accumulated(ce, target, chunks=2, divide_by=2)))
#> loss 1.9176 vs 1.9176  same loss: True  same grad: True  max |grad diff| 0.0000
# --8<-- [end:equal-micro-batches]

# --8<-- [start:ignore-index]
# Padding (-100) spread unevenly: micro-batch 0 keeps 4 targets, micro-batch 1 keeps 1.
padded = torch.tensor([0, 1, 2, 3, -100, -100, -100, 0])
print([int((y != -100).sum()) for y in padded.tensor_split(2)])
#> [4, 1]
print(compare(full_batch(ce, padded), accumulated(ce, padded, chunks=2, divide_by=2)))
#> loss 2.6836 vs 2.9618  same loss: False  same grad: False  max |grad diff| 0.5001
# --8<-- [end:ignore-index]

# --8<-- [start:ignore-index-weights]
# What each kept sample weighs in the total: 1/5 in the full batch; with accumulation,
# 1/(2*4) in micro-batch 0 and 1/(2*1) in micro-batch 1.
per_sample = F.cross_entropy(features @ W.T, padded, reduction="none").detach()
kept = (padded != -100).double()
share_full = kept / kept.sum()
share_acc = torch.cat([k / k.sum() / 2 for k in kept.tensor_split(2)])
print(share_full)
#> tensor([0.2000, 0.2000, 0.2000, 0.2000, 0.0000, 0.0000, 0.0000, 0.2000],
#>        dtype=torch.float64)
print(share_acc)
#> tensor([0.1250, 0.1250, 0.1250, 0.1250, 0.0000, 0.0000, 0.0000, 0.5000],
#>        dtype=torch.float64)
print(f"{(share_full * per_sample).sum():.4f} {(share_acc * per_sample).sum():.4f}")
#> 2.6836 2.9618
# --8<-- [end:ignore-index-weights]

# --8<-- [start:class-weight]
# No padding, equal micro-batches, but class weights: each micro-batch's 'mean'
# divides by the sum of ITS targets' weights.
class_weight = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
weighted = nn.CrossEntropyLoss(weight=class_weight)
skewed = torch.tensor([0, 0, 0, 1, 3, 3, 2, 3])
print([f"{class_weight[y].sum():.0f}" for y in skewed.tensor_split(2)])
#> ['5', '15']
print(compare(full_batch(weighted, skewed), accumulated(weighted, skewed, chunks=2, divide_by=2)))
#> loss 2.9871 vs 2.8408  same loss: False  same grad: False  max |grad diff| 0.2105
# --8<-- [end:class-weight]

# --8<-- [start:last-micro-batch]
# No padding, no weights, but 8 samples in micro-batches of 3: sizes 3, 3 and 2.
print([len(y) for y in target.split(3)])
#> [3, 3, 2]
# chunks=[3, 6]: cut before samples 3 and 6, three steps.
print(compare(full_batch(ce, target), accumulated(ce, target, chunks=[3, 6], divide_by=3)))
#> loss 1.9176 vs 1.9576  same loss: False  same grad: False  max |grad diff| 0.0636
# A DataLoader makes the same last batch, unless drop_last=True drops it:
print([len(batch) for batch in DataLoader(target, batch_size=3)],
      [len(batch) for batch in DataLoader(target, batch_size=3, drop_last=True)])
#> [3, 3, 2] [3, 3]
# --8<-- [end:last-micro-batch]

# --8<-- [start:global-count]
# The fix: 'sum' in every micro-batch, divided by a denominator of the WHOLE batch,
# computed before the first backward pass.
def global_denominator(y, weight=None, ignore_index=-100):
    """Number of kept targets, or the sum of their class weights."""
    kept = y[y != ignore_index]
    return kept.numel() if weight is None else weight[kept].sum()


for name, y, weight, chunks in [("ignore_index", padded, None, 2),
                                ("class weight", skewed, class_weight, 2),
                                ("sizes 3, 3, 2", target, None, [3, 6])]:
    denominator = global_denominator(y, weight)
    summed = nn.CrossEntropyLoss(weight=weight, reduction="sum")
    fixed = accumulated(summed, y, chunks, divide_by=denominator)
    print(f"{name:13}", compare(full_batch(nn.CrossEntropyLoss(weight=weight), y), fixed))
#> ignore_index  loss 2.6836 vs 2.6836  same loss: True  same grad: True  max |grad diff| 0.0000
#> class weight  loss 2.9871 vs 2.9871  same loss: True  same grad: True  max |grad diff| 0.0000
#> sizes 3, 3, 2 loss 1.9176 vs 1.9176  same loss: True  same grad: True  max |grad diff| 0.0000
# --8<-- [end:global-count]

# --8<-- [start:all-padding-micro-batch]
# A micro-batch that is all padding: its 'mean' is 0/0 = nan, and so is the total
# (torch gives that micro-batch a zero gradient, so the gradient stays finite).
all_pad = torch.tensor([0, 1, 2, 3, -100, -100, -100, -100])
loss, grad = accumulated(ce, all_pad, chunks=2, divide_by=2)
print(loss, bool(grad.isfinite().all()))
#> tensor(nan, dtype=torch.float64) True
# 'sum' over the global count: that micro-batch adds 0, and the result is the full mean.
summed = nn.CrossEntropyLoss(reduction="sum")
print(compare(full_batch(ce, all_pad),
              accumulated(summed, all_pad, chunks=2, divide_by=global_denominator(all_pad))))
#> loss 2.4981 vs 2.4981  same loss: True  same grad: True  max |grad diff| 0.0000
# --8<-- [end:all-padding-micro-batch]

# --8<-- [start:count-afterwards]
# When the count is not known in advance (streamed data): backward each micro-batch's
# 'sum', count on the way, and divide the accumulated gradients once, before the step.
W.grad = None
summed, count = nn.CrossEntropyLoss(reduction="sum"), 0
for x_mb, y_mb in zip(features.tensor_split(2), padded.tensor_split(2), strict=True):
    summed(x_mb @ W.T, y_mb).backward()
    count += int((y_mb != -100).sum())
W.grad /= count  # before clipping, and before optimizer.step()
print(count, same(W.grad, full_batch(ce, padded)[1]))
#> 5 True
# --8<-- [end:count-afterwards]

# --8<-- [start:ddp-simulated]
# Two ranks in one process: rank 0 gets samples 0-3, rank 1 gets samples 4-7.
world_size = 2


def ddp_gradient(rank_step, y):
    """The gradient DDP leaves on every rank: each rank's own gradient, divided by
    world_size and summed over the ranks (all-reduce)."""
    grads = []
    for x_rank, y_rank in zip(features.tensor_split(world_size), y.tensor_split(world_size),
                              strict=True):
        W.grad = None
        rank_step(x_rank, y_rank)  # this rank's forward and backward pass(es)
        grads.append(W.grad.clone())
    return sum(grad / world_size for grad in grads)


def plain_step(x, y):
    nn.CrossEntropyLoss()(x @ W.T, y).backward()


_, full_grad = full_batch(ce, padded)
print(same(ddp_gradient(plain_step, padded), full_grad))
#> False
_, accumulated_grad = accumulated(ce, padded, chunks=2, divide_by=2)
print(same(ddp_gradient(plain_step, padded), accumulated_grad))
#> True
# --8<-- [end:ddp-simulated]

# --8<-- [start:ddp-fix]
def rank_loss(logits, y, denominator, world_size, weight=None, ignore_index=-100):
    """One rank's (or one micro-batch's) loss: summed, divided by the denominator of the
    whole global batch, times world_size, which DDP's averaging divides out again."""
    loss_sum = F.cross_entropy(logits, y, weight=weight, ignore_index=ignore_index,
                               reduction="sum")
    return loss_sum / denominator * world_size


# In a real run every rank counts its own kept targets and all-reduces the count:
#     count = (y_local != -100).sum().double()
#     torch.distributed.all_reduce(count)  # op=SUM: the global count, on every rank
# Simulated: the sum of the two ranks' counts.
global_count = sum(global_denominator(y_rank) for y_rank in padded.tensor_split(world_size))
print(global_count)
#> 5


def fixed_step(x, y):
    rank_loss(x @ W.T, y, global_count, world_size).backward()


print(same(ddp_gradient(fixed_step, padded), full_grad))
#> True


# With gradient accumulation inside each rank as well: the same global count, taken
# over every micro-batch of every rank, and the same factor world_size.
def fixed_step_two_micro_batches(x, y):
    for x_mb, y_mb in zip(x.tensor_split(2), y.tensor_split(2), strict=True):
        rank_loss(x_mb @ W.T, y_mb, global_count, world_size).backward()


print(same(ddp_gradient(fixed_step_two_micro_batches, padded), full_grad))
#> True
# The loss to log: the ranks' losses summed (an all-reduce), divided by world_size.
rank_losses = [rank_loss(x_rank @ W.T, y_rank, global_count, world_size).detach()
               for x_rank, y_rank in zip(features.tensor_split(world_size),
                                         padded.tensor_split(world_size), strict=True)]
print(f"{sum(rank_losses) / world_size:.4f} {full_batch(ce, padded)[0]:.4f}")
#> 2.6836 2.6836
# --8<-- [end:ddp-fix]

# --8<-- [start:token-level-mean]
# A language-model batch: 3 sequences of 5, 2 and 1 tokens, padded to 5 with -100.
# Vocabulary of 4 tokens; logits straight from a generator, as a leaf to differentiate.
lm_logits = torch.randn(3, 5, 4, generator=g, dtype=torch.float64, requires_grad=True)
labels = torch.tensor([[1, 2, 3, 0, 1],
                       [2, 0, -100, -100, -100],
                       [3, -100, -100, -100, -100]])
per_token = F.cross_entropy(lm_logits.reshape(-1, 4), labels.reshape(-1),
                            reduction="none").reshape(3, 5)
print(per_token.detach())  # an ignored position's loss is 0
#> tensor([[0.2853, 1.9157, 2.1592, 2.4963, 0.9523],
#>         [1.4072, 2.0113, 0.0000, 0.0000, 0.0000],
#>         [0.6487, 0.0000, 0.0000, 0.0000, 0.0000]], dtype=torch.float64)
lengths = (labels != -100).sum(dim=1)
print(lengths)
#> tensor([5, 2, 1])
token_mean = per_token.sum() / lengths.sum()  # every real token weighs 1/8
per_sequence = per_token.sum(dim=1) / lengths  # each sequence's own mean
sequence_mean = per_sequence.mean()  # every sequence weighs 1/3
print(f"token mean {token_mean:.4f}  sequence means {per_sequence.detach()}  "
      f"their mean {sequence_mean:.4f}")
#> token mean 1.4845  sequence means tensor([1.5617, 1.7093, 0.6487], dtype=torch.float64)  their mean 1.3066
# The default 'mean' on the flattened batch is the token mean:
print(same(F.cross_entropy(lm_logits.reshape(-1, 4), labels.reshape(-1)), token_mean))
#> True
# Weight of each sequence in the token mean, and of one of its tokens:
print(lengths / lengths.sum(), 1 / lengths.sum())
#> tensor([0.6250, 0.2500, 0.1250]) tensor(0.1250)
print(torch.full((3,), 1 / 3), 1 / (3 * lengths))
#> tensor([0.3333, 0.3333, 0.3333]) tensor([0.0667, 0.1667, 0.3333])
# --8<-- [end:token-level-mean]

# --8<-- [start:token-level-accumulation]
# One sequence per micro-batch, three backward passes.
def accumulate_lm(micro_loss):
    lm_logits.grad = None
    total = torch.zeros((), dtype=torch.float64)
    for logits_seq, labels_seq in zip(lm_logits, labels, strict=True):
        loss = micro_loss(logits_seq, labels_seq)
        loss.backward()
        total += loss.detach()
    return total, lm_logits.grad.clone()


def full_lm(loss):
    return loss.detach(), torch.autograd.grad(loss, lm_logits, retain_graph=True)[0]


plain = accumulate_lm(lambda x, y: F.cross_entropy(x, y) / 3)  # usual loop, 3 steps
fixed = accumulate_lm(lambda x, y: F.cross_entropy(x, y, reduction="sum") / lengths.sum())
print("plain vs sequence mean:", compare(full_lm(sequence_mean), plain))
#> plain vs sequence mean: loss 1.3066 vs 1.3066  same loss: True  same grad: True  max |grad diff| 0.0000
print("plain vs token mean:   ", compare(full_lm(token_mean), plain))
#> plain vs token mean:    loss 1.4845 vs 1.3066  same loss: False  same grad: False  max |grad diff| 0.0994
print("fixed vs token mean:   ", compare(full_lm(token_mean), fixed))
#> fixed vs token mean:    loss 1.4845 vs 1.4845  same loss: True  same grad: True  max |grad diff| 0.0000
# --8<-- [end:token-level-accumulation]
