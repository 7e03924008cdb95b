"""Examples for docs/beyond/margin_softmax.md: CosFace (AM-Softmax) and ArcFace."""

# --8<-- [start:setup]
import math

import torch
import torch.nn.functional as F

torch.set_printoptions(precision=4)
DOUBLE = torch.float64


def unit(degrees):
    """The 2-D unit vector at this angle."""
    return [math.cos(math.radians(degrees)), math.sin(math.radians(degrees))]


# 3 classes in a 2-D embedding space: weight holds one centre per row, shape (C, D).
weight = torch.tensor([unit(0), unit(90), unit(180)], dtype=DOUBLE)
# 2 samples, of norms 2 and 0.5: sample 0 (class 0) at 30 degrees, sample 1 (class 1) at 80.
embeddings = torch.tensor([[2 * v for v in unit(30)], [0.5 * v for v in unit(80)]], dtype=DOUBLE)
labels = torch.tensor([0, 1])
s = 10.0  # a small scale, so that the numbers are easy to read (the papers use 64)
# --8<-- [end:setup]

# --8<-- [start:cosines]
cos = F.normalize(embeddings, dim=1) @ F.normalize(weight, dim=1).T  # (N, C)
print(cos)
#> tensor([[ 0.8660,  0.5000, -0.8660],
#>         [ 0.1736,  0.9848, -0.1736]], dtype=torch.float64)
print(torch.rad2deg(torch.acos(cos)))  # theta_{n,j} in degrees; the norms are gone
#> tensor([[ 30.0000,  60.0000, 150.0000],
#>         [ 80.0000,  10.0000, 100.0000]], dtype=torch.float64)
print(F.cross_entropy(s * cos, labels, reduction="none"))  # no margin: normalised softmax
#> tensor([0.0254, 0.0003], dtype=torch.float64)
# Without s, logits differ by at most 2: the target's probability is at most e^2/(e^2 + C - 1).
print(f"C = 3: {math.e**2 / (math.e**2 + 2):.2f}, C = 100: {math.e**2 / (math.e**2 + 99):.2f}")
#> C = 3: 0.79, C = 100: 0.07
# --8<-- [end:cosines]

# --8<-- [start:cosface-by-hand]
m = 0.35
is_target = F.one_hot(labels, num_classes=3).to(DOUBLE)  # 1 at j = y_n
cosface_logits = s * (cos - m * is_target)
print(cosface_logits)
#> tensor([[ 5.1603,  5.0000, -8.6603],
#>         [ 1.7365,  6.3481, -1.7365]], dtype=torch.float64)
print(F.cross_entropy(cosface_logits, labels, reduction="none"))
#> tensor([0.6162, 0.0102], dtype=torch.float64)
# Sample 0 by hand: -s(cos 30 - m) + log(e^{s(cos 30 - m)} + e^{s cos 60} + e^{s cos 150})
z = [s * (math.cos(math.radians(30)) - m), s * math.cos(math.radians(60)),
     s * math.cos(math.radians(150))]
print(f"{-z[0] + math.log(sum(math.exp(v) for v in z)):.4f}")
#> 0.6162
# --8<-- [end:cosface-by-hand]

# --8<-- [start:arcface-by-hand]
m = 0.5  # radians: 28.65 degrees
theta_y = torch.acos(cos[torch.arange(2), labels])
print(torch.rad2deg(theta_y), torch.rad2deg(theta_y + m))
#> tensor([30.0000, 10.0000], dtype=torch.float64) tensor([58.6479, 38.6479], dtype=torch.float64)
arcface_logits = s * torch.where(is_target.bool(), torch.cos(theta_y + m).unsqueeze(1), cos)
print(arcface_logits)
#> tensor([[ 5.2030,  5.0000, -8.6603],
#>         [ 1.7365,  7.8100, -1.7365]], dtype=torch.float64)
print(F.cross_entropy(arcface_logits, labels, reduction="none"))
#> tensor([0.5968, 0.0024], dtype=torch.float64)
# Sample 0 by hand: the target logit is s cos(30 + 28.65 degrees)
z = [s * math.cos(math.radians(30) + m), s * math.cos(math.radians(60)),
     s * math.cos(math.radians(150))]
print(f"{-z[0] + math.log(sum(math.exp(v) for v in z)):.4f}")
#> 0.5968
# --8<-- [end:arcface-by-hand]

from snippets.from_scratch.margin_softmax import (  # noqa: E402  (shown above)
    arcface_loss,
    cosface_loss,
)

# --8<-- [start:from-scratch-check]
print(cosface_loss(embeddings, labels, weight, margin=0.35, scale=s, reduction="none"))
#> tensor([0.6162, 0.0102], dtype=torch.float64)
print(arcface_loss(embeddings, labels, weight, margin=0.5, scale=s, reduction="none"))
#> tensor([0.5968, 0.0024], dtype=torch.float64)
# --8<-- [end:from-scratch-check]

# --8<-- [start:pml-check]
import pytorch_metric_learning  # noqa: E402
from pytorch_metric_learning.losses import ArcFaceLoss, CosFaceLoss  # noqa: E402

print(pytorch_metric_learning.__version__, torch.__version__.split("+")[0])
#> 2.9.0 2.13.0
torch.manual_seed(0)  # PML draws W with torch.nn.init.normal_ from the global generator
pml_cosface = CosFaceLoss(num_classes=3, embedding_size=2)  # the defaults
pml_arcface = ArcFaceLoss(num_classes=3, embedding_size=2)
print(pml_cosface.margin, pml_cosface.scale, tuple(pml_cosface.W.shape), pml_cosface.W.dtype)
#> 0.35 64 (2, 3) torch.float32
print(f"{pml_arcface.margin:.4f} rad = {math.degrees(pml_arcface.margin):.1f} degrees")
#> 0.4992 rad = 28.6 degrees
# W is a parameter of the loss module: give it to the optimizer, and move the loss with .to().
print([name for name, _ in pml_arcface.named_parameters()])
#> ['W']

# A random batch in float64: 6 samples, 4 classes, 5 dimensions.
g = torch.Generator().manual_seed(1)
x = torch.randn(6, 5, generator=g, dtype=DOUBLE)
w = torch.randn(4, 5, generator=g, dtype=DOUBLE)  # ours: (C, D)
y = torch.randint(0, 4, (6,), generator=g)
for ours, pml in ((lambda x, w: cosface_loss(x, y, w, margin=0.35, scale=64),
                   CosFaceLoss(num_classes=4, embedding_size=5, margin=0.35, scale=64)),
                  (lambda x, w: arcface_loss(x, y, w, margin=0.5, scale=64),
                   ArcFaceLoss(num_classes=4, embedding_size=5,
                               margin=math.degrees(0.5), scale=64))):
    pml.W.data = w.T.clone()  # PML's W is (D, C): our weight transposed
    x1, w1 = x.clone().requires_grad_(), w.clone().requires_grad_()
    x2 = x.clone().requires_grad_()
    a, b = ours(x1, w1), pml(x2, y)  # PML averages over the batch (MeanReducer)
    a.backward()
    b.backward()
    print(type(pml).__name__, f"{a.item():.4f} {b.item():.4f}",
          torch.allclose(x1.grad, x2.grad), torch.allclose(w1.grad, pml.W.grad.T))
#> CosFaceLoss 42.5592 42.5592 True True
#> ArcFaceLoss 46.4720 46.4720 True True
# --8<-- [end:pml-check]

# --8<-- [start:pml-casts-w]
# PML casts its W to the embeddings' dtype, in place (W.data = ...), at every call:
pml = CosFaceLoss(num_classes=4, embedding_size=5)
W, before = pml.W, pml.W.dtype
pml(x, y)
print(before, "->", pml.W.dtype, pml.W is W)  # the same Parameter, holding a new tensor
#> torch.float32 -> torch.float64 True
# An optimizer still holds that Parameter, but Adam's state keeps the dtype of its first
# step: one step on float32 embeddings, then a float64 call, and the next step fails.
pml = CosFaceLoss(num_classes=4, embedding_size=5)
optimizer = torch.optim.Adam(pml.parameters())
for embeddings_ in (x.float(), x):
    optimizer.zero_grad()
    pml(embeddings_, y).backward()
    try:
        optimizer.step()
    except RuntimeError as e:
        print(f"{type(e).__name__}: {e}")
#> RuntimeError: expected dtype float for `end` but got dtype double
print(pml.W.dtype, optimizer.state[pml.W]["exp_avg"].dtype)
#> torch.float64 torch.float32
# PML skips the cast when torch.is_autocast_enabled(), which without a device checks CUDA
# only. Under CPU autocast it still casts:
pml = CosFaceLoss(num_classes=4, embedding_size=5)
with torch.autocast("cpu", dtype=torch.bfloat16):
    pml(x, y)
    print(torch.is_autocast_enabled(), torch.is_autocast_enabled("cpu"), pml.W.dtype)
#> False True torch.float64
# --8<-- [end:pml-casts-w]

# --8<-- [start:units]
# The same embeddings and centres; margin=0.5 means two different angles.
ours = arcface_loss(embeddings, labels, weight, margin=0.5, scale=s, reduction="none")
pml = ArcFaceLoss(num_classes=3, embedding_size=2, margin=0.5, scale=s)  # 0.5 DEGREES
pml.W.data = weight.T.clone()
print(f"{pml.margin:.5f} rad")  # what PML stores: np.radians(0.5)
#> 0.00873 rad
print(ours, pml(embeddings, labels))  # ours (0.5 rad) and PML's mean (0.5 degrees)
#> tensor([0.5968, 0.0024], dtype=torch.float64) tensor(0.0134, dtype=torch.float64, grad_fn=<MeanBackward0>)
print(ours.mean(), F.cross_entropy(s * cos, labels))  # ours' mean; no margin at all
#> tensor(0.2996, dtype=torch.float64) tensor(0.0129, dtype=torch.float64)
pml = ArcFaceLoss(num_classes=3, embedding_size=2, margin=math.degrees(0.5), scale=s)
pml.W.data = weight.T.clone()
print(pml(embeddings, labels))  # 28.65 degrees: the same as ours
#> tensor(0.2996, dtype=torch.float64, grad_fn=<MeanBackward0>)
# PML's default, 28.6 degrees, is 0.4992 rad, not quite 0.5:
print(f"{math.degrees(0.5):.3f} degrees, {math.radians(28.6):.4f} rad")
#> 28.648 degrees, 0.4992 rad
# --8<-- [end:units]

# --8<-- [start:past-pi]
m = 0.5
print(f"pi - m = {math.degrees(math.pi - m):.2f} degrees")
#> pi - m = 151.35 degrees
# Each target logit (over s) and its derivative in theta_y: negative = it falls as theta_y grows.
print("theta_y  cos(theta+m)  d/dtheta  cos(theta)-m*sin(m)  d/dtheta")
#> theta_y  cos(theta+m)  d/dtheta  cos(theta)-m*sin(m)  d/dtheta
for degrees in (90, 120, 140, 150, 155, 165, 178):
    t = math.radians(degrees)
    print(f"{degrees:7d}  {math.cos(t + m):12.4f}  {-math.sin(t + m):8.4f}"
          f"  {math.cos(t) - m * math.sin(m):19.4f}  {-math.sin(t):8.4f}")
#>      90       -0.4794   -0.8776              -0.2397   -1.0000
#>     120       -0.8540   -0.5203              -0.7397   -0.8660
#>     140       -0.9804   -0.1968              -1.0058   -0.6428
#>     150       -0.9997   -0.0236              -1.1057   -0.5000
#>     155       -0.9980    0.0636              -1.1460   -0.4226
#>     165       -0.9718    0.2360              -1.2056   -0.2588
#>     178       -0.8938    0.4485              -1.2391   -0.0349
# At theta_y = pi - m the switch jumps down by cos(m) + m sin(m) - 1:
print(f"{math.cos(m) + m * math.sin(m) - 1:.4f}, times s = 64: {64 * (math.cos(m) + m * math.sin(m) - 1):.2f}")
#> 0.1173, times s = 64: 7.51
# --8<-- [end:past-pi]

# --8<-- [start:pml-past-pi]
# A class-0 sample at 170 degrees from its centre: what does PML use as its target logit?
far = torch.tensor([unit(170)], dtype=DOUBLE)
pml = ArcFaceLoss(num_classes=3, embedding_size=2, margin=math.degrees(m), scale=s)
pml.W.data = weight.T.clone()
t = math.radians(170)
for name, target in (("cos(theta+m)", math.cos(t + m)),
                     ("cos(theta)-m*sin(m)", math.cos(t) - m * math.sin(m))):
    z = [s * target, s * math.cos(math.radians(80)), s * math.cos(math.radians(10))]
    print(f"{name:20s} {-z[0] + math.log(sum(math.exp(v) for v in z)):.4f}")
#> cos(theta+m)         19.3234
#> cos(theta)-m*sin(m)  22.0936
print(f"{'PML':20s} {pml(far, torch.tensor([0])).item():.4f}")
#> PML                  22.0936
print(f"{'ours':20s} {arcface_loss(far, torch.tensor([0]), weight, margin=m, scale=s).item():.4f}")
#> ours                 22.0936
# --8<-- [end:pml-past-pi]

# --8<-- [start:insightface-straight-through]
# insightface's current ArcFace edits the cosines in place under torch.no_grad(): the logit
# is s cos(theta_y + m) at every angle, but autograd only sees s * cosines. The same idea:
def straight_through_logits(cosines, labels, margin, scale):
    cosines = cosines.clone()
    with torch.no_grad():  # invisible to autograd
        angles = cosines.acos()
        angles[torch.arange(len(labels)), labels] += margin
        cosines.copy_(angles.cos())
    return scale * cosines


# A class-0 sample at phi degrees from its centre: the loss and its derivative in phi.
for degrees in (30, 150, 170):
    losses_and_slopes = []
    for straight_through in (False, True):
        phi = torch.tensor(math.radians(degrees), dtype=DOUBLE, requires_grad=True)
        sample = torch.stack([phi.cos(), phi.sin()])[None]
        if straight_through:
            cosines = F.normalize(sample, dim=1) @ F.normalize(weight, dim=1).T
            loss = F.cross_entropy(straight_through_logits(cosines, torch.tensor([0]), m, s),
                                   torch.tensor([0]))
        else:
            loss = arcface_loss(sample, torch.tensor([0]), weight, margin=m, scale=s)
        (slope,) = torch.autograd.grad(loss, phi)
        losses_and_slopes.append(f"{loss.item():7.4f} {slope.item():7.4f}")
    print(f"{degrees:3d} degrees  ours {losses_and_slopes[0]}  straight-through {losses_and_slopes[1]}")
#>  30 degrees  ours  0.5968  7.7303  straight-through  0.5968  6.1394
#> 150 degrees  ours 18.6829  4.8934  straight-through 18.6829  9.6574
#> 170 degrees  ours 22.0936  3.4695  straight-through 19.3234  3.4695
# --8<-- [end:insightface-straight-through]

# --8<-- [start:pitfall-unnormalised]
# The margin on raw dot products (an nn.Linear without normalisation): the loss can be
# driven down by growing the norms alone, the angles unchanged.
for r in (1.0, 4.0, 16.0):
    raw = (r * embeddings) @ weight.T
    unnormalised = F.cross_entropy(s * (raw - 0.35 * is_target), labels)
    print(f"norm x{r:4.0f}: unnormalised {unnormalised.item():.4f}  "
          f"cosface_loss {cosface_loss(r * embeddings, labels, weight, 0.35, s).item():.4f}")
#> norm x   1: unnormalised 0.2686  cosface_loss 0.3132
#> norm x   4: unnormalised 0.0000  cosface_loss 0.3132
#> norm x  16: unnormalised 0.0000  cosface_loss 0.3132
# --8<-- [end:pitfall-unnormalised]

# --8<-- [start:pitfall-margin-all-classes]
# CosFace's margin subtracted from EVERY logit: softmax ignores a common shift.
every_class = F.cross_entropy(s * (cos - 0.35), labels)
print(f"{every_class.item():.4f} {F.cross_entropy(s * cos, labels).item():.4f} "
      f"{cosface_loss(embeddings, labels, weight, 0.35, s).item():.4f}")
#> 0.0129 0.0129 0.3132
# ArcFace's on every class: the other classes get easier too, and the loss goes DOWN.
theta = torch.acos(cos)
every_class = F.cross_entropy(s * torch.cos(theta + 0.5), labels)
print(f"{every_class.item():.4f} {arcface_loss(embeddings, labels, weight, 0.5, s).item():.4f}")
#> 0.0035 0.2996
# --8<-- [end:pitfall-margin-all-classes]

# --8<-- [start:pitfall-margin-too-large]
# Hard data: 10 overlapping classes, 16 features, a linear model to a 3-D embedding.
g = torch.Generator().manual_seed(0)
C, N = 10, 500
centres = torch.randn(C, 16, generator=g, dtype=DOUBLE)
y = torch.arange(N) % C
x = centres[y] + 2 * torch.randn(N, 16, generator=g, dtype=DOUBLE)
A0 = torch.randn(16, 3, generator=g, dtype=DOUBLE) / 4
W0 = torch.randn(C, 3, generator=g, dtype=DOUBLE)


def train(loss_fn, margin, steps=150):
    """SGD from the same start. Prints the loss and the training accuracy of the nearest
    centre by cosine (no margin at test time) after 50 and after 150 steps, then the share
    of samples whose theta_y ends within 10 degrees of the centre, and beyond pi - m."""
    A, W = A0.clone().requires_grad_(), W0.clone().requires_grad_()
    optimizer = torch.optim.SGD([A, W], lr=0.01, momentum=0.9)
    history = []
    for step in range(1, steps + 1):
        optimizer.zero_grad()
        loss = loss_fn(x @ A, y, W, margin=margin, scale=64.0)
        loss.backward()
        optimizer.step()
        if step in (50, steps):
            with torch.no_grad():
                cos = F.normalize(x @ A, dim=1) @ F.normalize(W, dim=1).T
                accuracy = (cos.argmax(dim=1) == y).double().mean().item()
            history.append(f"loss {loss.item():4.1f} acc {accuracy:.2f}")
    theta_y = torch.acos(cos[torch.arange(N), y].clamp(-1, 1))
    near = (theta_y < math.radians(10)).double().mean().item()
    beyond = (theta_y > math.pi - margin).double().mean().item()
    print(f"{loss_fn.__name__[:7]} m={margin:.2f}: " + " -> ".join(history)
          + f" | theta_y<10deg {near:.2f} >pi-m {beyond:.2f}")


for margin in (0.0, 0.2, 0.5):
    train(arcface_loss, margin)
#> arcface m=0.00: loss  5.8 acc 0.34 -> loss  1.7 acc 0.39 | theta_y<10deg 0.05 >pi-m 0.00
#> arcface m=0.20: loss 14.6 acc 0.40 -> loss  4.0 acc 0.23 | theta_y<10deg 0.53 >pi-m 0.44
#> arcface m=0.50: loss 29.5 acc 0.40 -> loss 13.5 acc 0.17 | theta_y<10deg 0.55 >pi-m 0.45
train(cosface_loss, 0.35)
#> cosface m=0.35: loss 26.6 acc 0.38 -> loss 23.6 acc 0.41 | theta_y<10deg 0.01 >pi-m 0.00
# --8<-- [end:pitfall-margin-too-large]
