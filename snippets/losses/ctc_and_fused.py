"""Examples for docs/losses/ctc_and_fused.md: CTCLoss, LinearCrossEntropyLoss and
AdaptiveLogSoftmaxWithLoss."""

# --8<-- [start:setup]
import itertools
import re
import textwrap
import warnings

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn import LinearCrossEntropyOptions
# --8<-- [end:setup]

# --8<-- [start:ctc-example]
torch.manual_seed(0)
T, N, C = 6, 2, 4  # frames, batch size, classes including the blank (class 0)
logits = torch.randn(T, N, C)  # what a model outputs for each frame: (T, N, C)
log_probs = logits.log_softmax(dim=2)  # log-probabilities over the C classes
targets = torch.tensor([[1, 2, 2],  # padded (N, S): the first target is "1 2 2",
                        [3, 1, 0]])  # the second "3 1"; the padding value is never read
input_lengths = torch.tensor([6, 5])  # the second sequence uses only 5 of the 6 frames
target_lengths = torch.tensor([3, 2])
ctc = nn.CTCLoss()  # blank=0, reduction='mean', zero_infinity=False
print(ctc(log_probs, targets, input_lengths, target_lengths))
#> tensor(1.9944)
l = nn.CTCLoss(reduction="none")(log_probs, targets, input_lengths, target_lengths)
print(l)
#> tensor([6.1647, 3.8677])
# --8<-- [end:ctc-example]

# --8<-- [start:ctc-target-forms]
# The same targets concatenated, without padding: (sum(target_lengths),).
concatenated = torch.cat([targets[0, :3], targets[1, :2]])
print(concatenated)
#> tensor([1, 2, 2, 3, 1])
print(nn.CTCLoss(reduction="none")(log_probs, concatenated, input_lengths, target_lengths))
#> tensor([6.1647, 3.8677])
# --8<-- [end:ctc-target-forms]

# --8<-- [start:ctc-reduction]
print(l.mean())  # the plain mean of the two losses: not what 'mean' returns
#> tensor(5.0162)
# 'mean': each loss divided by its target length, then the mean over the batch.
print(l / target_lengths, (l / target_lengths).mean())
#> tensor([2.0549, 1.9338]) tensor(1.9944)
print(ctc(log_probs, targets, input_lengths, target_lengths))
#> tensor(1.9944)
# 'sum': the plain sum, no division by the lengths.
print(nn.CTCLoss(reduction="sum")(log_probs, targets, input_lengths, target_lengths), l.sum())
#> tensor(10.0323) tensor(10.0323)
# --8<-- [end:ctc-reduction]

# --8<-- [start:ctc-by-hand]
# T = 3 frames, C = 3 classes (0 = blank), target "1 2": small enough to list every path.
p = torch.tensor([[0.5, 0.4, 0.1],  # p[t, c]: probability of class c at frame t
                  [0.3, 0.3, 0.4],
                  [0.6, 0.1, 0.3]])


def collapse(path, blank=0):
    """Merge repeated labels, then drop the blanks: (1, 1, 0, 2) -> (1, 2)."""
    merged = [c for c, _ in itertools.groupby(path)]
    return tuple(c for c in merged if c != blank)


total = 0.0
for path in itertools.product(range(3), repeat=3):  # all 3^3 = 27 paths
    if collapse(path) == (1, 2):
        prob = p[0, path[0]] * p[1, path[1]] * p[2, path[2]]
        total += prob
        print(path, f"{prob:.3f}")
#> (0, 1, 2) 0.045
#> (1, 0, 2) 0.036
#> (1, 1, 2) 0.036
#> (1, 2, 0) 0.096
#> (1, 2, 2) 0.048
print(f"p(1 2) = {total:.3f}, -log p = {-torch.log(total):.4f}")
#> p(1 2) = 0.261, -log p = 1.3432
loss = nn.CTCLoss(reduction="sum")(p.log().unsqueeze(1), torch.tensor([[1, 2]]),
                                   torch.tensor([3]), torch.tensor([2]))
print(loss)
#> tensor(1.3432)
# --8<-- [end:ctc-by-hand]

# --8<-- [start:ctc-blank]
# The blank can be any class. Move class 0 to the end (blank=3) and renumber the labels
# 1, 2, 3 as 0, 1, 2: the same problem, the same losses.
blank_last = log_probs[..., [1, 2, 3, 0]]
print(nn.CTCLoss(blank=3, reduction="none")(blank_last, targets - 1, input_lengths,
                                            target_lengths))
#> tensor([6.1647, 3.8677])
# --8<-- [end:ctc-blank]

# --8<-- [start:ctc-unbatched]
# One sequence: log_probs (T, C), a 1-D target, 0-d lengths.
one = nn.CTCLoss(reduction="none")(log_probs[:, 0], targets[0], torch.tensor(6),
                                   torch.tensor(3))
print(one, one.shape)
#> tensor(6.1647) torch.Size([])
# --8<-- [end:ctc-unbatched]

# --8<-- [start:ctc-min-length]
def min_frames(target):
    """S frames, plus one blank between every two equal neighbours."""
    repeats = sum(a == b for a, b in itertools.pairwise(target))
    return len(target) + repeats


print(min_frames([1, 2, 3]), min_frames([1, 1]), min_frames([1, 1, 2, 2, 2]))
#> 3 3 8
# --8<-- [end:ctc-min-length]

# --8<-- [start:zero-infinity]
# Target "1 1" needs 3 frames (1, blank, 1), but the first sequence has only 2.
logits = torch.randn(4, 2, 3, requires_grad=True)
targets_11 = torch.tensor([[1, 1], [1, 2]])
input_lengths_11 = torch.tensor([2, 4])
loss = nn.CTCLoss(reduction="none")(logits.log_softmax(2), targets_11, input_lengths_11,
                                    torch.tensor([2, 2]))
print(loss)
#> tensor([   inf, 1.9174], grad_fn=<CtcLossBackward0>)
loss.sum().backward()
print(logits.grad.isnan().any().item())  # inf has no gradient: NaN, which poisons training
#> True
# The fix: zero_infinity=True zeroes the infinite losses and their gradients.
logits.grad = None
loss = nn.CTCLoss(reduction="none", zero_infinity=True)(
    logits.log_softmax(2), targets_11, input_lengths_11, torch.tensor([2, 2]))
print(loss)
#> tensor([0.0000, 1.9174], grad_fn=<WhereBackward0>)
loss.sum().backward()
print(logits.grad.isfinite().all().item(), logits.grad[:, 0].abs().sum().item())
#> True 0.0
# With 'mean', the zeroed sequence still counts in the batch: (0 / 2 + 1.9174 / 2) / 2.
mean = nn.CTCLoss(zero_infinity=True)(logits.log_softmax(2), targets_11, input_lengths_11,
                                      torch.tensor([2, 2]))
print(f"{mean.item():.3f}", torch.allclose(mean, (loss / 2).mean()))
#> 0.479 True
# The real fix is data: an input long enough (3 frames) gives a finite loss.
print(nn.CTCLoss(reduction="none")(logits.log_softmax(2), targets_11, torch.tensor([3, 4]),
                                   torch.tensor([2, 2])))
#> tensor([2.9168, 1.9174], grad_fn=<CtcLossBackward0>)
# --8<-- [end:zero-infinity]

# --8<-- [start:ctc-cuda]
# The two notes of torch's CTCLoss docstring, printed from the installed torch
# (reST markup removed). Both are about CUDA and cuDNN:
def plain(text):
    text = re.sub(r":\w+:`([^`]*)`|``([^`]*)``|`([^`]*)`", lambda m: "".join(m.groups("")), text)
    return " ".join(text.replace("\\leq", "≤").split())


notes = nn.CTCLoss.__doc__.split("Note:")[1:]
print("\n\n".join(textwrap.fill(plain(note), 88) for note in notes))
#> In order to use CuDNN, the following must be satisfied: the targets must be in
#> concatenated format, all input_lengths must be T. blank=0, target_lengths ≤ 256, the
#> integer arguments must be of dtype torch.int32, and the log_probs itself must be of
#> dtype torch.float32. The regular implementation uses the (more common in PyTorch)
#> torch.long dtype.
#>
#> In some circumstances when using the CUDA backend with CuDNN, this operator may select a
#> nondeterministic algorithm to increase performance. If this is undesirable, you can try
#> to make the operation deterministic (potentially at a performance cost) by setting
#> torch.backends.cudnn.deterministic = True. Please see the notes on /notes/randomness for
#> background.
# And CTCLoss in the list of torch.use_deterministic_algorithms:
doc = torch.use_deterministic_algorithms.__doc__
print(next(plain(line.strip()) for line in doc.splitlines() if "CTCLoss" in line))
#> * torch.nn.CTCLoss when attempting to differentiate a CUDA tensor
# On CPU neither note applies. int32 targets and lengths are accepted and give the same
# loss as int64, and with deterministic algorithms required the backward still runs:
loss_int32 = ctc(log_probs, targets.int(), input_lengths.int(), target_lengths.int())
print(torch.equal(loss_int32, ctc(log_probs, targets, input_lengths, target_lengths)))
#> True
torch.use_deterministic_algorithms(True)
try:
    z = log_probs.detach().clone().requires_grad_()
    ctc(z.log_softmax(2), targets, input_lengths, target_lengths).backward()
finally:
    torch.use_deterministic_algorithms(False)
print(z.grad.isfinite().all().item())
#> True
# --8<-- [end:ctc-cuda]

# --8<-- [start:lce-module]
torch.manual_seed(0)
criterion = nn.LinearCrossEntropyLoss(in_features=8, num_classes=10)
print(criterion)
#> LinearCrossEntropyLoss(
#>   in_features=8, num_classes=10, out_features=(), bias=False, reduction=mean, ignore_index=None, label_smoothing=0.0, options=None
#>   (linear): Linear(in_features=8, out_features=10, bias=False)
#> )
print([(name, tuple(p.shape)) for name, p in criterion.named_parameters()])
#> [('linear.weight', (10, 8))]
hidden = torch.randn(4, 8)  # the last hidden states of 4 tokens
labels = torch.tensor([3, 0, 9, 3])
print(criterion(hidden, labels))
#> tensor(2.2653, grad_fn=<NllLossBackward0>)
# --8<-- [end:lce-module]

# --8<-- [start:lce-equality]
# The same weight in a plain Linear, then CrossEntropyLoss: the same loss and gradient.
linear = nn.Linear(8, 10, bias=False)
with torch.no_grad():
    linear.weight.copy_(criterion.linear.weight)
fused = criterion(hidden, labels)
plain = nn.CrossEntropyLoss()(linear(hidden), labels)
print(f"{fused.item():.4f} {plain.item():.4f}", torch.equal(fused, plain))  # bit for bit
#> 2.2653 2.2653 True
fused.backward()
plain.backward()
print(torch.equal(criterion.linear.weight.grad, linear.weight.grad))
#> True
# --8<-- [end:lce-equality]

# --8<-- [start:lce-options]
W = criterion.linear.weight.detach()
b = torch.randn(10)
w = torch.rand(10) + 0.5
y = torch.tensor([3, -100, 9, 3])  # -100: ignored, since ignore_index=None means -100
kwargs = dict(weight=w, label_smoothing=0.1)
print(F.linear_cross_entropy(hidden, W, y, linear_bias=b, **kwargs))
#> tensor(3.7503)
print(F.cross_entropy(hidden @ W.T + b, y, **kwargs))
#> tensor(3.7503)
# --8<-- [end:lce-options]

# --8<-- [start:lce-k-dim]
# out_features=(3,): 3 predictions per sample, e.g. 3 heads; logits (N, C, 3).
k_dim = nn.LinearCrossEntropyLoss(8, 10, out_features=(3,), bias=True)
print(tuple(k_dim.linear.weight.shape), tuple(k_dim.linear.bias.shape))
#> (30, 8) (30,)
y3 = torch.randint(0, 10, (4, 3))
logits3 = k_dim.linear(hidden).reshape(4, 10, 3)  # row c * 3 + k of W: class c, head k
fused3, plain3 = k_dim(hidden, y3), F.cross_entropy(logits3, y3)
print(f"{fused3.item():.4f} {plain3.item():.4f}", torch.allclose(fused3, plain3))
#> 2.1072 2.1072 True
# --8<-- [end:lce-k-dim]

# --8<-- [start:lce-memory]
# A language model's last layer: N tokens, D features, a vocabulary of C tokens, float32.
N_tokens, D, V = 8192, 4096, 128_000
GiB = 2**30
print(f"input  (N, D): {N_tokens * D * 4 / GiB:6.3f} GiB")
#> input  (N, D):  0.125 GiB
print(f"weight (C, D): {V * D * 4 / GiB:6.3f} GiB")
#> weight (C, D):  1.953 GiB
print(f"logits (N, C): {N_tokens * V * 4 / GiB:6.3f} GiB = {N_tokens * V * 4:,} bytes")
#> logits (N, C):  3.906 GiB = 4,194,304,000 bytes
# Chunks of 128 rows: one (128, C) block of logits at a time.
print(f"logits (128, C): {128 * V * 4 / GiB:6.3f} GiB")
#> logits (128, C):  0.061 GiB
# --8<-- [end:lce-memory]

# --8<-- [start:lce-saved-tensors]
def saved_for_backward(compute):
    """The shapes of the tensors that autograd keeps for the backward pass."""
    shapes = []

    def pack(t):
        shapes.append(tuple(t.shape))
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = compute()
    return loss, shapes


x = torch.randn(16, 8, requires_grad=True)
W = torch.randn(50, 8, requires_grad=True)
y = torch.randint(0, 50, (16,))
reference, shapes = saved_for_backward(lambda: F.linear_cross_entropy(x, W, y))
print(f"{reference.item():.4f}", shapes)
#> 7.7414 [(8, 50), (16, 8), (16, 50), (16, 50), (16,), ()]
options = LinearCrossEntropyOptions(batch_chunk_size=4)  # 16 rows in 4 chunks
chunked, shapes = saved_for_backward(lambda: F.linear_cross_entropy(x, W, y, options=options))
print(f"{chunked.item():.4f}", shapes, torch.allclose(reference, chunked))
#> 7.7414 [] True
gx, gW = torch.autograd.grad(reference, (x, W))
gx_chunked, gW_chunked = torch.autograd.grad(chunked, (x, W))
# Rounding apart: float32 sums in another order differ by about 1e-7 of their terms.
# Norm-wise relative difference of the chunked gradients to the plain ones:
for plain, chunk in ((gx, gx_chunked), (gW, gW_chunked)):
    print((torch.linalg.vector_norm(chunk - plain) / torch.linalg.vector_norm(plain)).item() < 1e-6)
#> True
#> True
# --8<-- [end:lce-saved-tensors]

# --8<-- [start:lce-chunks-by-hand]
# Why chunks are exact: the loss is a sum over rows. Each chunk's (4, 50) logits are
# used and dropped; only the running sum is kept.
with torch.no_grad():
    total = sum(F.cross_entropy(x[i:i + 4] @ W.T, y[i:i + 4], reduction="sum")
                for i in range(0, 16, 4))
print(total / 16)
#> tensor(7.7414)
# --8<-- [end:lce-chunks-by-hand]

# --8<-- [start:adaptive]
torch.manual_seed(0)
# 10,000 words sorted by frequency: the 100 most frequent in the head, then two tail
# clusters (100-999 and 1000-9999) with smaller projections (64 / 4 and 64 / 16 features).
asm = nn.AdaptiveLogSoftmaxWithLoss(in_features=64, n_classes=10_000, cutoffs=[100, 1000],
                                    div_value=4.0)
print(asm.head, [tuple(layer.weight.shape) for cluster in asm.tail for layer in cluster])
#> Linear(in_features=64, out_features=102, bias=False) [(16, 64), (900, 16), (4, 64), (9000, 4)]
full = nn.Linear(64, 10_000)
print(sum(p.numel() for p in asm.parameters()), sum(p.numel() for p in full.parameters()))
#> 58208 650000
hidden = torch.randn(8, 64)
words = torch.tensor([3, 17, 250, 42, 7, 5000, 1, 99])
out = asm(hidden, words)
print(out.output.shape, out.loss)  # output: log p(target) per sample; loss: -mean(output)
#> torch.Size([8]) tensor(7.0026, grad_fn=<MeanBackward0>)
print(-out.output.mean())
#> tensor(7.0026, grad_fn=<NegBackward0>)
log_p = asm.log_prob(hidden)  # the full (N, n_classes) log-distribution, when needed
print(log_p.shape, log_p.exp().sum(dim=1))
#> torch.Size([8, 10000]) tensor([1.0000, 1.0000, 1.0000, 1.0000, 1.0000, 1.0000, 1.0000, 1.0000],
#>        grad_fn=<SumBackward1>)
print(isinstance(asm, nn.modules.loss._Loss))
#> False
# --8<-- [end:adaptive]

from snippets.from_scratch.losses import ctc_loss, linear_cross_entropy  # noqa: E402

# --8<-- [start:from-scratch-check]
g = torch.Generator().manual_seed(0)
lp = torch.randn(6, 2, 4, generator=g, dtype=torch.float64).log_softmax(2)
il, tl = torch.tensor([6, 5]), torch.tensor([3, 2])
hidden64 = torch.randn(5, 8, generator=g, dtype=torch.float64)
W64 = torch.randn(10, 8, generator=g, dtype=torch.float64)
b64 = torch.randn(10, generator=g, dtype=torch.float64)
y64 = torch.tensor([1, -100, 9, 3, 3])
checks = {
    "ctc padded, mean": (ctc_loss(lp, targets, il, tl), F.ctc_loss(lp, targets, il, tl)),
    "ctc concatenated, sum": (ctc_loss(lp, concatenated, il, tl, reduction="sum"),
                              F.ctc_loss(lp, concatenated, il, tl, reduction="sum")),
    "ctc blank 3": (ctc_loss(lp[..., [1, 2, 3, 0]], targets - 1, il, tl, blank=3),
                    F.ctc_loss(lp[..., [1, 2, 3, 0]], targets - 1, il, tl, blank=3)),
    "ctc unbatched": (ctc_loss(lp[:, 0], targets[0], il[0], tl[0]),
                      F.ctc_loss(lp[:, 0], targets[0], il[0], tl[0])),
    "ctc zero_infinity": (  # 3 frames for "1 2 2", which needs 4: inf, zeroed
        ctc_loss(lp, targets, torch.tensor([3, 5]), tl, zero_infinity=True),
        F.ctc_loss(lp, targets, torch.tensor([3, 5]), tl, zero_infinity=True)),
    "linear_cross_entropy": (
        linear_cross_entropy(hidden64, W64, y64, linear_bias=b64, label_smoothing=0.1),
        F.linear_cross_entropy(hidden64, W64, y64, linear_bias=b64, label_smoothing=0.1)),
}
for name, (ours, theirs) in checks.items():
    print(f"{name:<22} {ours.item():.6g} {theirs.item():.6g} {torch.allclose(ours, theirs)}")
#> ctc padded, mean       2.2344 2.2344 True
#> ctc concatenated, sum  11.2627 11.2627 True
#> ctc blank 3            2.2344 2.2344 True
#> ctc unbatched          2.32505 2.32505 True
#> ctc zero_infinity      1.07188 1.07188 True
#> linear_cross_entropy   5.28717 5.28717 True
# --8<-- [end:from-scratch-check]

# --8<-- [start:ctc-gradient]
# Autograd through the recursion, against torch's backward, with log_softmax in the graph:
z = torch.randn(6, 2, 4, generator=g, dtype=torch.float64)
z_ours, z_torch = z.clone().requires_grad_(), z.clone().requires_grad_()
ctc_loss(z_ours.log_softmax(2), targets, il, tl).backward()
F.ctc_loss(z_torch.log_softmax(2), targets, il, tl).backward()
print(torch.allclose(z_ours.grad, z_torch.grad))
#> True
# --8<-- [end:ctc-gradient]

# --8<-- [start:ctc-log-probs-gradient]
# With log_probs as the leaf, torch's gradient is not the derivative of its loss:
x_ours = lp.clone().requires_grad_()
x_torch = lp.clone().requires_grad_()
ctc_loss(x_ours, targets, il, tl, reduction="sum").backward()
F.ctc_loss(x_torch, targets, il, tl, reduction="sum").backward()
print(torch.allclose(x_ours.grad, x_torch.grad))
#> False
# The difference is exp(log_probs) on the frames each sequence uses:
used = (torch.arange(6)[:, None] < il)[..., None]
print(torch.allclose(x_torch.grad - x_ours.grad, lp.exp() * used))
#> True
# Ours is the derivative: a finite difference of the loss agrees with it.
step = torch.zeros_like(lp)
step[2, 0, 1] = 1e-6
finite_difference = (F.ctc_loss(lp + step, targets, il, tl, reduction="sum")
                     - F.ctc_loss(lp - step, targets, il, tl, reduction="sum")) / 2e-6
print(f"{finite_difference:.6f} {x_ours.grad[2, 0, 1]:.6f} {x_torch.grad[2, 0, 1]:.6f}")
#> -0.012928 -0.012928 0.202554
# --8<-- [end:ctc-log-probs-gradient]

# --8<-- [start:ctc-batch-first]
# A common mistake is to pass (N, T, C), as a batch_first RNN outputs it:
batch_first = log_probs.transpose(0, 1)  # (2, 6, 4)
try:
    ctc(batch_first, targets, input_lengths, target_lengths)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: input_lengths must be of size batch_size
# Read as T = 2 frames of a batch of 6. The fix: back to (T, N, C).
print(ctc(batch_first.transpose(0, 1), targets, input_lengths, target_lengths))
#> tensor(1.9944)
# --8<-- [end:ctc-batch-first]

# --8<-- [start:ctc-label-is-blank]
# A common mistake is to number the labels from 0 while the blank is 0 too. torch does
# not check: a target that contains the blank gives a finite, meaningless loss.
print(nn.CTCLoss(reduction="none")(log_probs, torch.tensor([[0, 1, 1], [2, 0, 0]]),
                                   input_lengths, target_lengths))
#> tensor([6.8755, 3.4259])
# Nor that labels are below C: the label C = 4 reads past the sample's C log-probabilities,
# and the loss is finite, with no error either.
print(nn.CTCLoss(reduction="none")(log_probs, torch.tensor([[1, 2, C], [2, 1, 0]]),
                                   input_lengths, target_lengths).isfinite())
#> tensor([True, True])
# The fix: shift the labels by one (blank=0, labels 1..C-1), or put the blank last.
# --8<-- [end:ctc-label-is-blank]

# --8<-- [start:ctc-float-lengths]
try:
    ctc(log_probs, targets, input_lengths.float(), target_lengths)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: input_lengths must be integral
# --8<-- [end:ctc-float-lengths]

# --8<-- [start:lce-second-backward]
# With options, the chunked backward uses gradients computed during the forward, once:
loss = F.linear_cross_entropy(x, W, y, options=LinearCrossEntropyOptions())
loss.backward(retain_graph=True)
try:
    loss.backward()
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: linear_cross_entropy chunked backward called twice; retain_graph=True / double backward are not supported.
# The fix, if you really need two backward passes:
again = LinearCrossEntropyOptions(allow_retain_graph=True)
loss = F.linear_cross_entropy(x, W, y, options=again)
loss.backward(retain_graph=True)
loss.backward()
print("two backward passes")
#> two backward passes
# --8<-- [end:lce-second-backward]

# --8<-- [start:lce-options-ignored]
# options and label_smoothing: torch falls back to the full logits, with a warning.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    F.linear_cross_entropy(x, W, y, label_smoothing=0.1, options=LinearCrossEntropyOptions())
for warning in caught:
    print(warning.category.__name__, warning.message)
#> UserWarning linear_cross_entropy: ``options`` ignored; chunked path needs reduction in {'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, out_features == (). Got reduction='mean', label_smoothing=0.1, target.dtype=torch.int64, out_features=(), tracing=False, linear_bias.shape=None.
# --8<-- [end:lce-options-ignored]

# --8<-- [start:adaptive-output]
# A common mistake is to treat the module's output as the loss:
try:
    out.backward()
except AttributeError as e:
    print(f"{type(e).__name__}: {e}")
#> AttributeError: '_ASMoutput' object has no attribute 'backward'
out.loss.backward()  # the fix: the .loss field
print(type(out).__name__, out._fields)
#> _ASMoutput ('output', 'loss')
# --8<-- [end:adaptive-output]
