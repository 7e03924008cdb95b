"""Examples for docs/beyond/distillation.md: the knowledge distillation loss of Hinton et al."""

# --8<-- [start:setup]
import math
import warnings

import torch
import torch.nn.functional as F
from torch import nn

# Two samples, three classes, in float64: the student's logits z, the teacher's v, labels y.
z = torch.tensor([[2.0, 1.0, 0.0], [0.0, 1.0, 0.5]], dtype=torch.float64)
v = torch.tensor([[4.0, 1.0, -1.0], [0.0, 3.0, 1.0]], dtype=torch.float64)
y = torch.tensor([0, 1])
T, alpha = 2.0, 0.5
# --8<-- [end:setup]

# --8<-- [start:worked-example]
p = F.softmax(v / T, dim=1)      # the teacher at temperature T: the soft targets
log_q = F.log_softmax(z / T, dim=1)  # the student at the same temperature, as logs
kl = nn.KLDivLoss(reduction="none")(log_q, p).sum(dim=1)  # one KL per sample
hard = F.cross_entropy(z, y, reduction="none")            # at T = 1, on the raw logits
l = alpha * T**2 * kl + (1 - alpha) * hard
print("KL  ", " ".join(f"{x:.4f}" for x in kl))
#> KL   0.1486 0.0913
print("CE  ", " ".join(f"{x:.4f}" for x in hard))
#> CE   0.4076 0.6803
print("l_n ", " ".join(f"{x:.4f}" for x in l), f"  batchmean {l.mean():.4f}")
#> l_n  0.5010 0.5227   batchmean 0.5119
# Sample 0 by hand, with Python floats:
p0 = [math.exp(a / T) / sum(math.exp(b / T) for b in (4, 1, -1)) for a in (4, 1, -1)]
q0 = [math.exp(a / T) / sum(math.exp(b / T) for b in (2, 1, 0)) for a in (2, 1, 0)]
kl0 = sum(pc * math.log(pc / qc) for pc, qc in zip(p0, q0, strict=True))
ce0 = -math.log(math.exp(2) / (math.exp(2) + math.exp(1) + math.exp(0)))
print(f"0.5 * 4 * {kl0:.4f} + 0.5 * {ce0:.4f} = {0.5 * 4 * kl0 + 0.5 * ce0:.4f}")
#> 0.5 * 4 * 0.1486 + 0.5 * 0.4076 = 0.5010
# --8<-- [end:worked-example]

from snippets.from_scratch.distillation import distillation_loss  # noqa: E402  (shown above)

# --8<-- [start:from-scratch-check]
# A batch of 8 samples, 10 classes, in float64, against the direct formula with torch's losses.
g = torch.Generator().manual_seed(0)
student = torch.randn(8, 10, generator=g, dtype=torch.float64, requires_grad=True)
teacher = 3 * torch.randn(8, 10, generator=g, dtype=torch.float64)
labels = teacher.argmax(dim=1)


def direct(z, v, y, T=4.0, alpha=0.5, log_target=False):
    target = F.log_softmax(v / T, dim=1) if log_target else F.softmax(v / T, dim=1)
    soft = nn.KLDivLoss(reduction="batchmean", log_target=log_target)(
        F.log_softmax(z / T, dim=1), target)
    return alpha * T**2 * soft + (1 - alpha) * F.cross_entropy(z, y)


ours = distillation_loss(student, teacher, labels, temperature=4.0, alpha=0.5)
(grad_ours,) = torch.autograd.grad(ours, student)
print(f"ours {ours:.6f}")
#> ours 3.430149
for log_target in (False, True):
    theirs = direct(student, teacher, labels, log_target=log_target)
    (grad_theirs,) = torch.autograd.grad(theirs, student)
    print(f"log_target={log_target}: {theirs:.6f}", torch.allclose(ours, theirs),
          torch.allclose(grad_ours, grad_theirs))
#> log_target=False: 3.430149 True True
#> log_target=True: 3.430149 True True
# The worked example again:
print(f"{distillation_loss(z, v, y, temperature=2.0, alpha=0.5):.4f}")
#> 0.5119
# --8<-- [end:from-scratch-check]

# --8<-- [start:soft-cross-entropy]
# Hinton et al. write the soft term as a cross-entropy with soft targets, H(p, q). It is
# the KL plus the teacher's entropy H(p), which does not depend on the student.
p4 = F.softmax(teacher / 4, dim=1)
entropy = -(p4 * p4.log()).sum(dim=1).mean()  # H(p), averaged over the batch
kl_term = 16 * nn.KLDivLoss(reduction="batchmean")(F.log_softmax(student / 4, dim=1), p4)
ce_term = 16 * F.cross_entropy(student / 4, p4)  # probability targets, mean over samples
print(f"T^2 KL {kl_term:.4f}   T^2 H(p, q) {ce_term:.4f}   T^2 H(p) {16 * entropy:.4f}")
#> T^2 KL 3.7794   T^2 H(p, q) 37.5021   T^2 H(p) 33.7227
print(torch.allclose(ce_term - 16 * entropy, kl_term))
#> True
(g_kl,) = torch.autograd.grad(kl_term, student)
(g_ce,) = torch.autograd.grad(ce_term, student)
print(torch.allclose(g_kl, g_ce))  # the same gradient: the same training
#> True
# --8<-- [end:soft-cross-entropy]

# --8<-- [start:t-squared-balance]
# The size of each term's gradient with respect to the student's logits, at alpha = 0.5:
# the soft term with and without the factor T^2, and the hard term (which has no T).
def kl_at(T, v=teacher):
    """KL(softmax(v / T) || softmax(student / T)), 'batchmean': the soft term without T^2."""
    return nn.KLDivLoss(reduction="batchmean")(F.log_softmax(student / T, dim=1),
                                               F.softmax(v / T, dim=1))


def grad_norm(loss):
    (grad,) = torch.autograd.grad(loss, student)
    return torch.linalg.vector_norm(grad).item()


hard_norm = grad_norm(0.5 * F.cross_entropy(student, labels))
for T in (1, 2, 4, 8):
    without, with_t2 = grad_norm(0.5 * kl_at(T)), grad_norm(0.5 * T**2 * kl_at(T))
    print(f"T = {T}: soft/hard without T^2 {without / hard_norm:.3f}, "
          f"with T^2 {with_t2 / hard_norm:.3f}")
#> T = 1: soft/hard without T^2 0.746, with T^2 0.746
#> T = 2: soft/hard without T^2 0.231, with T^2 0.923
#> T = 4: soft/hard without T^2 0.058, with T^2 0.922
#> T = 8: soft/hard without T^2 0.013, with T^2 0.864
# --8<-- [end:t-squared-balance]

# --8<-- [start:alpha-conventions]
# The same alpha = 0.1 in the two conventions:
#   alpha on the soft term (this page): alpha T^2 KL + (1 - alpha) CE
#   alpha on the hard term:            alpha CE + (1 - alpha) T^2 KL
def on_soft(alpha, T=4.0):
    return alpha * T**2 * kl_at(T) + (1 - alpha) * F.cross_entropy(student, labels)


def on_hard(alpha, T=4.0):
    return on_soft(1 - alpha, T)  # the same two terms, the weights swapped


print(f"alpha = 0.1 on the soft term: {on_soft(0.1):.4f}")
#> alpha = 0.1 on the soft term: 3.1508
print(f"alpha = 0.1 on the hard term: {on_hard(0.1):.4f}")
#> alpha = 0.1 on the hard term: 3.7095
# What each gives the soft term, as a share of the two gradients' sizes:
soft_norm, ce_norm = grad_norm(16 * kl_at(4)), grad_norm(F.cross_entropy(student, labels))
for name, a_soft in (("on the soft term", 0.1), ("on the hard term", 0.9)):
    share = a_soft * soft_norm / (a_soft * soft_norm + (1 - a_soft) * ce_norm)
    print(f"alpha = 0.1 {name}: soft share {share:.2f}")
#> alpha = 0.1 on the soft term: soft share 0.09
#> alpha = 0.1 on the hard term: soft share 0.89
print(f"{distillation_loss(student, teacher, labels, alpha=0.9):.4f}")  # = on_hard(0.1)
#> 3.7095
# --8<-- [end:alpha-conventions]

# --8<-- [start:pitfall-softmax-input]
# A student equal to its teacher: the KL is 0. With probabilities as the input, it is not.
same = F.softmax(teacher / 4, dim=1)
print(f"{nn.KLDivLoss(reduction='batchmean')(same.log(), same):.4f}")  # log-probabilities
#> 0.0000
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    wrong = nn.KLDivLoss(reduction="batchmean")(same, same)  # probabilities as the input
print(f"{wrong:.4f}, warnings: {len(caught)}")
#> -2.2567, warnings: 0
# --8<-- [end:pitfall-softmax-input]

# --8<-- [start:pitfall-mean]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    soft_mean = nn.KLDivLoss(reduction="mean")(F.log_softmax(student / 4, dim=1),
                                               F.softmax(teacher / 4, dim=1))
print(f"{caught[0].category.__name__}: {caught[0].message}")
#> UserWarning: reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the same as 'batchmean' in the next major release.
print(f"'batchmean' {kl_at(4):.4f}   'mean' {soft_mean:.4f}   ratio {kl_at(4) / soft_mean:.1f}")
#> 'batchmean' 0.2362   'mean' 0.0236   ratio 10.0
# The from-scratch function refuses the ambiguous name:
try:
    distillation_loss(student, teacher, labels, reduction="mean")
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
#> ValueError: reduction='mean' is ambiguous for a distillation loss (KLDivLoss's 'mean' also divides by C): use 'batchmean'
# --8<-- [end:pitfall-mean]

# --8<-- [start:pitfall-student-temperature]
# The temperature on the student only: KL(softmax(v) || softmax(z / T)).
def student_only(z, T=4.0):
    return nn.KLDivLoss(reduction="batchmean")(F.log_softmax(z / T, dim=1),
                                               F.softmax(teacher, dim=1))


print(f"student = teacher:     {student_only(teacher):.4f}")
#> student = teacher:     0.6121
print(f"student = 4 x teacher: {abs(student_only(4 * teacher)):.4f}")  # the minimum, 0
#> student = 4 x teacher: 0.0000
# That minimum predicts, at T = 1, far more confidently than the teacher:
print(f"teacher's top probability {F.softmax(teacher, dim=1).amax(dim=1).mean():.3f}, "
      f"such a student's {F.softmax(4 * teacher, dim=1).amax(dim=1).mean():.3f}")
#> teacher's top probability 0.711, such a student's 0.979
# --8<-- [end:pitfall-student-temperature]

# --8<-- [start:pitfall-teacher-grad]
torch.manual_seed(0)
teacher_net, student_net = nn.Linear(6, 4).double(), nn.Linear(6, 4).double()
x = torch.randn(5, 6, dtype=torch.float64)
y_batch = torch.tensor([0, 1, 2, 3, 0])
loss = distillation_loss(student_net(x), teacher_net(x), y_batch)
loss.backward()
print(teacher_net.weight.grad is not None)  # the backward pass reached the teacher
#> True
teacher_net.zero_grad(set_to_none=True)
with torch.no_grad():  # the fix (or teacher_net(x).detach())
    teacher_logits = teacher_net(x)
distillation_loss(student_net(x), teacher_logits, y_batch).backward()
print(teacher_net.weight.grad is None, student_net.weight.grad is not None)
#> True True
# And eval(): in train() mode, dropout gives the same input two different targets.
dropout_teacher = nn.Sequential(nn.Linear(6, 4), nn.Dropout(0.5)).double()
with torch.no_grad():
    same_in_train = torch.equal(dropout_teacher(x), dropout_teacher(x))
    dropout_teacher.eval()
    same_in_eval = torch.equal(dropout_teacher(x), dropout_teacher(x))
print(same_in_train, same_in_eval)
#> False True
# BatchNorm in train() mode updates its running statistics even under torch.no_grad():
bn_teacher = nn.BatchNorm1d(6).double()
with torch.no_grad():
    bn_teacher(x)
print(f"batches tracked {bn_teacher.num_batches_tracked.item()}, "
      f"sum |running_mean| {bn_teacher.running_mean.abs().sum():.4f} (was 0)")
#> batches tracked 1, sum |running_mean| 0.1377 (was 0)
bn_teacher.eval()  # eval() uses the running statistics and leaves them alone
with torch.no_grad():
    bn_teacher(x)
print(f"batches tracked {bn_teacher.num_batches_tracked.item()}")
#> batches tracked 1
# --8<-- [end:pitfall-teacher-grad]

# --8<-- [start:pitfall-t-squared-forgotten]
# Without T^2, alpha = 0.5 at T = 4 is, up to a constant factor c, the loss WITH T^2 at
# alpha' = alpha / (alpha + T^2 (1 - alpha)): the same gradient direction.
a, T = 0.5, 4.0
a_eff = a / (a + T**2 * (1 - a))
c = (1 - a) / (1 - a_eff)
forgot = a * kl_at(T) + (1 - a) * F.cross_entropy(student, labels)
print(f"alpha' = {a_eff:.4f}, c = {c:.4f}")
#> alpha' = 0.0588, c = 0.5312
(g_forgot,) = torch.autograd.grad(forgot, student)
(g_eff,) = torch.autograd.grad(distillation_loss(student, teacher, labels, T, a_eff), student)
print(torch.allclose(g_forgot, c * g_eff))
#> True
# --8<-- [end:pitfall-t-squared-forgotten]

# --8<-- [start:pitfall-masked-teacher]
# A class the teacher rules out with a -inf logit (a masked token): p = 0 there.
v_masked = teacher.detach().clone()
v_masked[:, 3] = float("-inf")
# The student may mask the same class too: then 0 * (-inf) in both KLDivLoss formulas.
z_masked = student.detach().clone()
z_masked[:, 3] = float("-inf")
for who, z_s in (("teacher masks", student), ("both mask", z_masked)):
    for log_target in (False, True):
        target = (F.log_softmax if log_target else F.softmax)(v_masked / 4, dim=1)
        soft = nn.KLDivLoss(reduction="batchmean", log_target=log_target)(
            F.log_softmax(z_s / 4, dim=1), target)
        print(f"{who}, log_target={log_target}: {soft:.4f}")
    print(f"{who}, from scratch: {distillation_loss(z_s, v_masked, labels, alpha=1.0) / 16:.4f}")
#> teacher masks, log_target=False: 0.3642
#> teacher masks, log_target=True: nan
#> teacher masks, from scratch: 0.3642
#> both mask, log_target=False: nan
#> both mask, log_target=True: nan
#> both mask, from scratch: 0.2396
# --8<-- [end:pitfall-masked-teacher]
