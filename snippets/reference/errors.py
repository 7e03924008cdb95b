"""The error-message index, docs/reference/errors.md: each message produced by torch itself.

Every entry has two sections: ``<name>`` makes the mistake and prints what torch says
(``type: message`` for an error, ``category: message`` for a warning), and
``<name>-fix`` makes the same call the right way and prints the working result.
tests/test_errors_index.py checks that every message a chapter shows is also here.
"""

# --8<-- [start:setup]
import warnings

import torch
import torch.nn.functional as F
from torch import nn


def show_warnings(call):
    """Run call(), print every warning it raises as 'Category: message', return its result."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    for w in caught:
        print(f"{w.category.__name__}: {w.message}")
    return result


# 2 samples, 3 classes: raw scores (logits) and class indices.
logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.3, 1.2]])
labels = torch.tensor([0, 2])
# --8<-- [end:setup]

# --8<-- [start:target-dtype]
float_labels = torch.tensor([0.0, 2.0])  # class indices stored as float, e.g. from NumPy
for wrong in (float_labels, labels.int()):  # int32: integers, but neither int64 nor uint8
    try:
        nn.CrossEntropyLoss()(logits, wrong)
    except RuntimeError as e:
        print(f"{type(e).__name__}: {e}")
#> RuntimeError: expected target dtype to be Long or Byte, but got Float
#> RuntimeError: expected target dtype to be Long or Byte, but got Int
try:
    nn.MultiMarginLoss()(logits, float_labels)  # the margin losses still use the old wording
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: expected scalar type Long but found Float
# --8<-- [end:target-dtype]

# --8<-- [start:target-dtype-fix]
print(nn.CrossEntropyLoss()(logits, float_labels.long()))
#> tensor(0.3974)
print(nn.MultiMarginLoss()(logits, float_labels.long()))
#> tensor(0.0167)
# --8<-- [end:target-dtype-fix]

# --8<-- [start:target-out-of-bounds]
labels_1_to_3 = torch.tensor([1, 3])  # labels numbered from 1, as in many data sets
try:
    nn.CrossEntropyLoss()(logits, labels_1_to_3)
except IndexError as e:
    print(f"{type(e).__name__}: {e}")
#> IndexError: Target 3 is out of bounds.
padded_labels = torch.tensor([0, -1])  # -1 marks "no label", but the loss was not told
try:
    nn.CrossEntropyLoss()(logits, padded_labels)
except IndexError as e:
    print(f"{type(e).__name__}: {e}")
#> IndexError: Target -1 is out of bounds.
# --8<-- [end:target-out-of-bounds]

# --8<-- [start:target-out-of-bounds-fix]
print(labels_1_to_3 - 1, nn.CrossEntropyLoss()(logits, labels_1_to_3 - 1))  # classes 0..C-1
#> tensor([0, 2]) tensor(0.3974)
print(nn.CrossEntropyLoss(ignore_index=-1)(logits, padded_labels))  # the mean of the kept one
#> tensor(0.2413)
# --8<-- [end:target-out-of-bounds-fix]

# --8<-- [start:multi-target]
column = labels.view(-1, 1)  # shape (N, 1), e.g. read from a CSV column
try:
    nn.CrossEntropyLoss()(logits, column)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: 0D or 1D target tensor expected, multi-target not supported
one_hot = F.one_hot(labels, num_classes=3)  # shape (N, C), int64
try:
    nn.NLLLoss()(torch.log_softmax(logits, dim=1), one_hot)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: 0D or 1D target tensor expected, multi-target not supported
# --8<-- [end:multi-target]

# --8<-- [start:multi-target-fix]
print(nn.CrossEntropyLoss()(logits, column.squeeze(1)))  # (N, 1) -> (N,)
#> tensor(0.3974)
print(nn.CrossEntropyLoss()(logits, one_hot.argmax(dim=1)))  # one-hot -> class indices
#> tensor(0.3974)
print(nn.CrossEntropyLoss()(logits, one_hot.float()))  # or: float one-hot = probabilities
#> tensor(0.3974)
# --8<-- [end:multi-target-fix]

# --8<-- [start:batch-size]
# A sequence model: N=2 sequences of T=4 steps, C=3 classes.
seq_logits = torch.randn(2, 4, 3, generator=torch.Generator().manual_seed(0))
seq_labels = torch.tensor([[0, 1, 2, 1], [2, 2, 0, 1]])  # (N, T)
try:
    nn.CrossEntropyLoss()(seq_logits.reshape(-1, 3), seq_labels)  # logits flattened, labels not
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
#> ValueError: Expected input batch_size (8) to match target batch_size (2).
try:
    nn.CrossEntropyLoss()(seq_logits, seq_labels)  # (N, T, C): classes are not in dim 1
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: Expected target size [2, 3], got [2, 4]
# --8<-- [end:batch-size]

# --8<-- [start:batch-size-fix]
flat = nn.CrossEntropyLoss()(seq_logits.reshape(-1, 3), seq_labels.reshape(-1))
moved = nn.CrossEntropyLoss()(seq_logits.permute(0, 2, 1), seq_labels)  # (N, C, T)
print(flat, moved)
#> tensor(0.8418) tensor(0.8418)
# --8<-- [end:batch-size-fix]

# --8<-- [start:spatial-target]
images = torch.randn(2, 3, 4, 5, generator=torch.Generator().manual_seed(0))  # (N, C, H, W)
# Masks loaded as images keep a channel axis: (N, 1, H, W), one class index per pixel.
masks = torch.randint(0, 3, (2, 1, 4, 5), generator=torch.Generator().manual_seed(1))
try:
    nn.CrossEntropyLoss()(images, masks)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: only batches of spatial targets supported (3D tensors) but got targets of dimension: 4
# --8<-- [end:spatial-target]

# --8<-- [start:spatial-target-fix]
print(nn.CrossEntropyLoss()(images, masks.squeeze(1)))  # (N, H, W): one index per pixel
#> tensor(1.6313)
# --8<-- [end:spatial-target-fix]

# --8<-- [start:ignore-index-float-target]
soft = torch.tensor([[0.8, 0.1, 0.1], [0.0, 0.5, 0.5]])  # probabilities, not indices
try:
    nn.CrossEntropyLoss(ignore_index=0)(logits, soft)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: ignore_index is not supported for floating point target
# --8<-- [end:ignore-index-float-target]

# --8<-- [start:ignore-index-float-target-fix]
keep = torch.tensor([True, False])  # drop samples by masking them instead (skip a batch
# with no sample kept: the mean over no sample is nan)
print(nn.CrossEntropyLoss()(logits[keep], soft[keep]))
#> tensor(0.6913)
# --8<-- [end:ignore-index-float-target-fix]

# --8<-- [start:label-smoothing-range]
try:
    nn.CrossEntropyLoss(label_smoothing=1.5)(logits, labels)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: label_smoothing must be between 0.0 and 1.0. Got: 1.5
# --8<-- [end:label-smoothing-range]

# --8<-- [start:label-smoothing-range-fix]
print(nn.CrossEntropyLoss(label_smoothing=0.1)(logits, labels))
#> tensor(0.5058)
# --8<-- [end:label-smoothing-range-fix]

# --8<-- [start:class-weight-double]
class_weights = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64)  # e.g. from NumPy
try:
    nn.CrossEntropyLoss(weight=class_weights)(logits, labels)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: expected scalar type Float but found Double
# --8<-- [end:class-weight-double]

# --8<-- [start:class-weight-double-fix]
print(nn.CrossEntropyLoss(weight=class_weights.to(logits.dtype))(logits, labels))
#> tensor(0.3454)
# --8<-- [end:class-weight-double-fix]

# --8<-- [start:bce-input-range]
scores = torch.tensor([1.5, -0.3, 0.8])  # logits: the model has no sigmoid
flags = torch.tensor([1.0, 0.0, 1.0])
try:
    nn.BCELoss()(scores, flags)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: all elements of input should be between 0 and 1
mask_255 = torch.tensor([0.0, 255.0, 255.0])  # a mask saved as an image: 0 and 255
try:
    nn.BCELoss()(torch.sigmoid(scores), mask_255)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: all elements of target should be between 0 and 1
# --8<-- [end:bce-input-range]

# --8<-- [start:bce-input-range-fix]
print(nn.BCEWithLogitsLoss()(scores, flags))  # logits go to the fused loss
#> tensor(0.3756)
print(nn.BCELoss()(torch.sigmoid(scores), flags))  # the same number, less stable
#> tensor(0.3756)
print(nn.BCELoss()(torch.sigmoid(scores), mask_255 / 255))  # targets in [0, 1]
#> tensor(0.9756)
# --8<-- [end:bce-input-range-fix]

# --8<-- [start:bce-target-dtype]
int_flags = torch.tensor([1, 0, 1])  # 0/1 labels stored as int64
try:
    nn.BCELoss()(torch.sigmoid(scores), int_flags)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: Found dtype Long but expected Float
try:
    nn.BCEWithLogitsLoss()(scores, int_flags)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: result type Float can't be cast to the desired output type Long
# --8<-- [end:bce-target-dtype]

# --8<-- [start:bce-target-dtype-fix]
print(nn.BCEWithLogitsLoss()(scores, int_flags.float()))
#> tensor(0.3756)
# --8<-- [end:bce-target-dtype-fix]

# --8<-- [start:bce-target-double]
double_flags = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)  # e.g. from a NumPy array
try:
    nn.BCELoss()(torch.sigmoid(scores), double_flags)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: Found dtype Double but expected Float
# BCEWithLogitsLoss (and MSELoss) accept it by type promotion, and return float64:
print(nn.BCEWithLogitsLoss()(scores, double_flags).dtype)
#> torch.float64
# --8<-- [end:bce-target-double]

# --8<-- [start:bce-target-double-fix]
print(nn.BCELoss()(torch.sigmoid(scores), double_flags.to(scores.dtype)))
#> tensor(0.3756)
# --8<-- [end:bce-target-double-fix]

# --8<-- [start:bce-target-size]
flag_column = flags.view(-1, 1)  # shape (N, 1), the output is (N,)
try:
    nn.BCELoss()(torch.sigmoid(scores), flag_column)
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
#> ValueError: Using a target size (torch.Size([3, 1])) that is different to the input size (torch.Size([3])) is deprecated. Please ensure they have the same size.
try:
    nn.BCEWithLogitsLoss()(scores, flag_column)
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
#> ValueError: Target size (torch.Size([3, 1])) must be the same as input size (torch.Size([3]))
# --8<-- [end:bce-target-size]

# --8<-- [start:bce-target-size-fix]
print(nn.BCEWithLogitsLoss()(scores, flag_column.squeeze(1)))
#> tensor(0.3756)
# --8<-- [end:bce-target-size-fix]

# --8<-- [start:bce-ignore-index]
try:
    nn.BCELoss(ignore_index=0)
except TypeError as e:
    print(f"{type(e).__name__}: {e}")
#> TypeError: _WeightedLoss.__init__() got an unexpected keyword argument 'ignore_index'
# --8<-- [end:bce-ignore-index]

# --8<-- [start:bce-ignore-index-fix]
known = torch.tensor([1.0, 0.0, 1.0])  # 0 where the label is missing
per_element = nn.BCEWithLogitsLoss(reduction="none")(scores, flags)
# The mean over the known labels; clamp: a batch with no known label gives 0, not 0 / 0.
print((per_element * known).sum() / known.sum().clamp(min=1))
#> tensor(0.2863)
# --8<-- [end:bce-ignore-index-fix]

# --8<-- [start:pos-weight-size]
logit_maps = torch.zeros(1, 2, 4, 5)  # (N, C, H, W): 2 classes, maps of 4 x 5 pixels
pixel_flags = torch.ones(1, 2, 4, 5)
class_weight = torch.tensor([1.0, 3.0])  # one pos_weight per class, shape (C,)
try:
    F.binary_cross_entropy_with_logits(logit_maps, pixel_flags, pos_weight=class_weight)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: The size of tensor a (2) must match the size of tensor b (5) at non-singleton dimension 3
# --8<-- [end:pos-weight-size]

# --8<-- [start:pos-weight-size-fix]
per_class_weight = class_weight.view(2, 1, 1)  # (C, 1, 1): broadcast over H and W
print(F.binary_cross_entropy_with_logits(logit_maps, pixel_flags, pos_weight=per_class_weight))
#> tensor(1.3863)
# --8<-- [end:pos-weight-size-fix]

# --8<-- [start:mse-broadcasting]
prediction = torch.tensor([[1.0], [2.0], [3.0]])  # (N, 1), from a Linear(..., 1)
target = torch.tensor([1.0, 2.0, 3.0])  # (N,)
loss = show_warnings(lambda: nn.MSELoss()(prediction, target))
#> UserWarning: Using a target size (torch.Size([3])) that is different to the input size (torch.Size([3, 1])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.
print(loss)  # a perfect prediction, yet not 0: (3, 1) - (3,) is a (3, 3) matrix
#> tensor(1.3333)
# --8<-- [end:mse-broadcasting]

# --8<-- [start:mse-broadcasting-fix]
print(nn.MSELoss()(prediction.squeeze(1), target))
#> tensor(0.)
# --8<-- [end:mse-broadcasting-fix]

# --8<-- [start:silent-broadcasting]
# The same (N, 1) vs (N,) mistake, with losses that do not warn: a perfect prediction.
loss = show_warnings(lambda: nn.PoissonNLLLoss(log_input=False)(prediction, target))
print(loss)  # no warning printed
#> tensor(0.8055)
loss = show_warnings(lambda: nn.GaussianNLLLoss()(prediction, target, torch.ones(3, 1)))
print(loss)
#> tensor(0.6667)
# --8<-- [end:silent-broadcasting]

# --8<-- [start:silent-broadcasting-fix]
print(nn.PoissonNLLLoss(log_input=False)(prediction.squeeze(1), target),
      nn.GaussianNLLLoss()(prediction.squeeze(1), target, torch.ones(3)))
#> tensor(0.4393) tensor(0.)
# --8<-- [end:silent-broadcasting-fix]

# --8<-- [start:size-average-reduce]
show_warnings(lambda: nn.MSELoss(size_average=False))
#> UserWarning: size_average and reduce args will be deprecated, please use reduction='sum' instead.
show_warnings(lambda: nn.MSELoss(reduce=False))
#> UserWarning: size_average and reduce args will be deprecated, please use reduction='none' instead.
# --8<-- [end:size-average-reduce]

# --8<-- [start:size-average-reduce-fix]
print(show_warnings(lambda: nn.MSELoss(reduction="sum")).reduction)  # no warning
#> sum
# --8<-- [end:size-average-reduce-fix]

# --8<-- [start:invalid-reduction]
try:
    nn.MSELoss(reduction="avg")(prediction.squeeze(1), target)
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
#> ValueError: avg is not a valid value for reduction
# --8<-- [end:invalid-reduction]

# --8<-- [start:invalid-reduction-fix]
print(nn.MSELoss(reduction="mean")(prediction.squeeze(1), target))
#> tensor(0.)
# --8<-- [end:invalid-reduction-fix]

# --8<-- [start:kldiv-mean]
log_q = torch.log_softmax(logits, dim=1)  # the model: log-probabilities
p = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])  # the target: probabilities
kl_mean = show_warnings(lambda: nn.KLDivLoss()(log_q, p))  # reduction='mean' by default
#> UserWarning: reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the same as 'batchmean' in the next major release.
print(kl_mean)
#> tensor(0.0257)
# --8<-- [end:kldiv-mean]

# --8<-- [start:kldiv-mean-fix]
kl = nn.KLDivLoss(reduction="batchmean")(log_q, p)
print(kl, kl_mean * 3)  # batchmean = sum / N; 'mean' divided by N * C as well
#> tensor(0.0770) tensor(0.0770)
# --8<-- [end:kldiv-mean-fix]

# --8<-- [start:kldiv-negative]
print(nn.KLDivLoss(reduction="batchmean")(torch.softmax(logits, dim=1), p))  # probabilities
#> tensor(-1.2661)
# --8<-- [end:kldiv-negative]

# --8<-- [start:kldiv-negative-fix]
print(nn.KLDivLoss(reduction="batchmean")(torch.log_softmax(logits, dim=1), p))  # log-probs
#> tensor(0.0770)
# --8<-- [end:kldiv-negative-fix]

# --8<-- [start:gaussian-var]
mean = torch.tensor([[0.5, 1.0], [2.0, -1.0], [0.0, 0.3]])  # (N, D) = (3, 2)
y = torch.tensor([[0.4, 1.2], [1.5, -1.0], [0.2, 0.0]])
try:
    nn.GaussianNLLLoss()(mean, y, torch.ones(2))  # a variance per feature: (D,)
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
#> ValueError: var is of incorrect size
try:
    nn.GaussianNLLLoss()(mean, y, -torch.ones(3, 2))  # a raw output used as the variance
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
#> ValueError: var has negative entry/entries
# --8<-- [end:gaussian-var]

# --8<-- [start:gaussian-var-fix]
var = F.softplus(-torch.ones(3))  # one positive variance per sample, from any raw output
for v in (var.unsqueeze(1).expand(3, 2), var.unsqueeze(1), var):  # (N, D), (N, 1), (N,)
    print(tuple(v.shape), nn.GaussianNLLLoss()(mean, y, v))
#> (3, 2) tensor(-0.4660)
#> (3, 1) tensor(-0.4660)
#> (3,) tensor(-0.4660)
# --8<-- [end:gaussian-var-fix]

# --8<-- [start:margin-ranking-dims]
s1 = torch.tensor([[1.0], [2.0], [3.0]])  # (N, 1): a model with one output unit
s2 = torch.tensor([[2.0], [2.0], [2.0]])
order = torch.tensor([1.0, 1.0, -1.0])  # (N,)
try:
    nn.MarginRankingLoss()(s1, s2, order)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: torch.Size([3, 1]), input2: torch.Size([3, 1]), target: torch.Size([3])
# --8<-- [end:margin-ranking-dims]

# --8<-- [start:margin-ranking-dims-fix]
print(nn.MarginRankingLoss()(s1.squeeze(1), s2.squeeze(1), order))
#> tensor(0.6667)
# --8<-- [end:margin-ranking-dims-fix]

# --8<-- [start:multi-margin-target]
attempts = {
    "one-hot target": lambda: nn.MultiMarginLoss()(logits, one_hot),
    "class 3 of 3": lambda: nn.MultiMarginLoss()(logits, torch.tensor([1, 3])),
    "p = 3": lambda: nn.MultiMarginLoss(p=3)(logits, labels),
    "multi-label index 7": lambda: nn.MultiLabelMarginLoss()(
        logits, torch.tensor([[0, -1, 7], [2, -1, -1]])),
}
for name, attempt in attempts.items():
    try:
        attempt()
    except (RuntimeError, ValueError) as e:
        print(f"{name}: {type(e).__name__}: {e}")
#> one-hot target: RuntimeError: multi_margin_loss: target tensor should be 1-D with size equal to the number of input samples (batch size). Expected target size [2], but got [2, 3]. Input has shape [2, 3].
#> class 3 of 3: RuntimeError: target out of range
#> p = 3: ValueError: only p == 1 and p == 2 supported
#> multi-label index 7: RuntimeError: argument #2 'target' is out of range
# --8<-- [end:multi-margin-target]

# --8<-- [start:multi-margin-target-fix]
print(nn.MultiMarginLoss()(logits, labels), nn.MultiMarginLoss(p=2)(logits, labels))
#> tensor(0.0167) tensor(0.0017)
# Multi-label: the class indices first, then -1; anything after the first -1 is ignored.
print(nn.MultiLabelMarginLoss()(logits, torch.tensor([[0, -1, 2], [2, -1, -1]])))
#> tensor(0.0167)
# --8<-- [end:multi-margin-target-fix]

# --8<-- [start:cosine-target]
x1 = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
x2 = torch.tensor([[1.0, 0.2], [1.0, 0.0]])
try:
    nn.CosineEmbeddingLoss()(x1, x2, torch.tensor([[1.0], [-1.0]]))  # target (N, 1)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: 0D or 1D target tensor expected, multi-target not supported
# --8<-- [end:cosine-target]

# --8<-- [start:cosine-target-fix]
print(nn.CosineEmbeddingLoss()(x1, x2, torch.tensor([1.0, -1.0])))  # target (N,)
#> tensor(0.0097)
# --8<-- [end:cosine-target-fix]

# --8<-- [start:triplet]
g = torch.Generator().manual_seed(0)
anchors, positives = torch.randn(4, 8, generator=g), torch.randn(4, 8, generator=g)
one_negative = torch.randn(8, generator=g)  # (D,): one negative for the whole batch
try:
    nn.TripletMarginLoss()(anchors, positives, one_negative)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor 2D, positive 2D, and negative 1D inputs
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
try:
    nn.TripletMarginWithDistanceLoss(nn.PairwiseDistance())  # the distance, positionally
except TypeError as e:
    print(f"{type(e).__name__}: {e}")
#> TypeError: TripletMarginWithDistanceLoss.__init__() takes 1 positional argument but 2 were given
# --8<-- [end:triplet]

# --8<-- [start:triplet-fix]
print(nn.TripletMarginLoss(margin=1.0)(anchors, positives, one_negative.unsqueeze(0)))
#> tensor(0.9724)
criterion = nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance())
print(criterion(anchors, positives, one_negative.unsqueeze(0)))
#> tensor(0.9724)
# --8<-- [end:triplet-fix]

# --8<-- [start:ctc-inf]
T, C = 3, 5  # only 3 time steps ...
log_probs = torch.randn(T, 1, C, generator=torch.Generator().manual_seed(0)).log_softmax(2)
targets = torch.tensor([[1, 2, 2]])  # ... for 3 labels with a repeat: needs 4 steps
ctc_args = (log_probs, targets, torch.tensor([T]), torch.tensor([3]))
print(nn.CTCLoss()(*ctc_args))
#> tensor(inf)
# --8<-- [end:ctc-inf]

# --8<-- [start:ctc-inf-fix]
print(nn.CTCLoss(zero_infinity=True)(*ctc_args))  # impossible samples count as 0
#> tensor(0.)
longer = torch.randn(4, 1, C, generator=torch.Generator().manual_seed(0)).log_softmax(2)
print(nn.CTCLoss()(longer, targets, torch.tensor([4]), torch.tensor([3])))  # T >= 4: finite
#> tensor(1.9240)
# --8<-- [end:ctc-inf-fix]

# --8<-- [start:ctc-input-lengths]
ctc = nn.CTCLoss()
log_probs = torch.randn(6, 2, 4, generator=torch.Generator().manual_seed(0)).log_softmax(2)
targets = torch.tensor([[1, 2], [3, 3]])  # (N, S) = (2, 2)
input_lengths, target_lengths = torch.tensor([6, 6]), torch.tensor([2, 2])
try:
    ctc(log_probs.transpose(0, 1), targets, input_lengths, target_lengths)  # (N, T, C)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: input_lengths must be of size batch_size
try:
    ctc(log_probs, targets, input_lengths.float(), target_lengths)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: input_lengths must be integral
# --8<-- [end:ctc-input-lengths]

# --8<-- [start:ctc-input-lengths-fix]
print(ctc(log_probs, targets, input_lengths, target_lengths))  # (T, N, C), int64 lengths
#> tensor(3.2347)
# --8<-- [end:ctc-input-lengths-fix]

# --8<-- [start:linear-cross-entropy]
hidden = torch.randn(8, 16, generator=torch.Generator().manual_seed(0))
W = torch.randn(50, 16, generator=torch.Generator().manual_seed(1), requires_grad=True)
tokens = torch.randint(0, 50, (8,), generator=torch.Generator().manual_seed(2))
loss = F.linear_cross_entropy(hidden, W, tokens, options=nn.LinearCrossEntropyOptions())
loss.backward(retain_graph=True)
try:
    loss.backward()  # a second backward pass through the chunked path
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: linear_cross_entropy chunked backward called twice; retain_graph=True / double backward are not supported.
show_warnings(lambda: F.linear_cross_entropy(
    hidden, W, tokens, label_smoothing=0.1, options=nn.LinearCrossEntropyOptions()))
#> UserWarning: linear_cross_entropy: ``options`` ignored; chunked path needs reduction in {'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, out_features == (). Got reduction='mean', label_smoothing=0.1, target.dtype=torch.int64, out_features=(), tracing=False, linear_bias.shape=None.
# --8<-- [end:linear-cross-entropy]

# --8<-- [start:linear-cross-entropy-fix]
again = nn.LinearCrossEntropyOptions(allow_retain_graph=True)
loss = F.linear_cross_entropy(hidden, W, tokens, options=again)
loss.backward(retain_graph=True)
loss.backward()
print("two backward passes")
#> two backward passes
smoothed = F.linear_cross_entropy(hidden, W, tokens, label_smoothing=0.1)  # no options
print(smoothed)
#> tensor(10.9971, grad_fn=<AddBackward0>)
# --8<-- [end:linear-cross-entropy-fix]

# --8<-- [start:adaptive-output]
asm = nn.AdaptiveLogSoftmaxWithLoss(16, 50, cutoffs=[10, 30])
out = asm(hidden, tokens)
try:
    out.backward()
except AttributeError as e:
    print(f"{type(e).__name__}: {e}")
#> AttributeError: '_ASMoutput' object has no attribute 'backward'
# --8<-- [end:adaptive-output]

# --8<-- [start:adaptive-output-fix]
out.loss.backward()  # the module returns (output, loss): backpropagate the loss field
print(type(out).__name__, out._fields)
#> _ASMoutput ('output', 'loss')
# --8<-- [end:adaptive-output-fix]

# --8<-- [start:integer-logits]
int_scores = torch.tensor([[2, 0, -1], [0, 1, 3]])  # scores built from Python ints: int64
try:
    nn.CrossEntropyLoss()(int_scores, labels)
except NotImplementedError as e:
    print(f"{type(e).__name__}: {e}")
#> NotImplementedError: "log_softmax_lastdim_kernel_impl" not implemented for 'Long'
# --8<-- [end:integer-logits]

# --8<-- [start:integer-logits-fix]
print(nn.CrossEntropyLoss()(int_scores.float(), labels))
#> tensor(0.1698)
# --8<-- [end:integer-logits-fix]

# --8<-- [start:weight-device]
# A class weight left behind on another device than the logits. This machine has no GPU:
# the "meta" device stands in for it, and CPU torch words the check its own way.
on_other_device = torch.tensor([1.0, 2.0, 0.5], device="meta")
try:
    nn.CrossEntropyLoss(weight=on_other_device)(logits, labels)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: Tensor on device meta is not on the expected device cpu!
# --8<-- [end:weight-device]

# --8<-- [start:weight-device-fix]
criterion = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5]))
print(list(dict(criterion.named_buffers())))  # the weight is a buffer of the module,
#> ['weight']
print(nn.CrossEntropyLoss(weight=torch.ones(3)).to("meta").weight.device)  # so .to() moves it
#> meta
criterion = criterion.to(logits.device)  # in a script: criterion.to(device), like the model
print(criterion(logits, labels))
#> tensor(0.3454)
# --8<-- [end:weight-device-fix]

# --8<-- [start:no-grad-fn]
w = torch.tensor([0.5, -0.5], requires_grad=True)
prediction = (torch.tensor([[1.0, 2.0], [3.0, 4.0]]) @ w).detach()  # .detach() cuts the graph
try:
    nn.MSELoss()(prediction, torch.tensor([0.0, 1.0])).backward()
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn
# --8<-- [end:no-grad-fn]

# --8<-- [start:no-grad-fn-fix]
prediction = torch.tensor([[1.0, 2.0], [3.0, 4.0]]) @ w  # keep the graph from w to the loss
nn.MSELoss()(prediction, torch.tensor([0.0, 1.0])).backward()
print(w.grad)
#> tensor([-5., -7.])
# --8<-- [end:no-grad-fn-fix]

# --8<-- [start:numpy-requires-grad]
w = torch.tensor([0.5, -0.5], requires_grad=True)
scores = torch.tensor([[1.0, 2.0], [3.0, 4.0]]) @ w
try:
    scores.numpy()  # e.g. to post-process the scores or to compute a metric
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.
# --8<-- [end:numpy-requires-grad]

# --8<-- [start:numpy-requires-grad-fix]
print(scores.detach().numpy())  # for a metric or a plot: right
#> [-0.5 -0.5]
# For the loss, stay in torch: a NumPy round trip cuts the graph (see no-grad-fn above).
# --8<-- [end:numpy-requires-grad-fix]

# --8<-- [start:anomaly-nan]
# A distance written by hand, sqrt(sum(d ** 2)), between two equal points: d = 0.
a = torch.zeros(3, requires_grad=True)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        with torch.autograd.detect_anomaly():
            torch.sqrt((a**2).sum()).backward()
    except RuntimeError as e:
        print(f"{type(e).__name__}: {e}")
#> RuntimeError: Function 'PowBackward0' returned nan values in its 0th output.
for w in caught:  # the second warning goes on with the forward traceback: first line only
    print(f"{w.category.__name__}: {str(w.message).splitlines()[0]}")
#> UserWarning: Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled for debugging.
#> UserWarning: Error detected in PowBackward0. Traceback of forward call that caused the error:
# --8<-- [end:anomaly-nan]

# --8<-- [start:anomaly-nan-fix]
a.grad = None
torch.linalg.vector_norm(a).backward()  # its gradient at 0 is defined as 0
print(a.grad)
#> tensor([0., 0., 0.])
# --8<-- [end:anomaly-nan-fix]

# --8<-- [start:unsafe-to-autocast]
# On a GPU, `with torch.autocast("cuda"): nn.BCELoss()(p, y)` refuses. This machine has no
# GPU, so the CUDA autocast kernel of binary_cross_entropy is called by hand; it raises
# before it looks at the data.
p, y = torch.tensor([0.8, 0.3]), torch.tensor([1.0, 0.0])
cuda_autocast = torch._C.DispatchKeySet(torch._C.DispatchKey.AutocastCUDA)
try:
    torch.ops.aten.binary_cross_entropy.default.redispatch(cuda_autocast, p, y, None, 1)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.
#> Many models use a sigmoid layer right before the binary cross entropy layer.
#> In this case, combine the two layers using torch.nn.functional.binary_cross_entropy_with_logits
#> or torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and BCEWithLogits are
#> safe to autocast.
# --8<-- [end:unsafe-to-autocast]

# --8<-- [start:unsafe-to-autocast-fix]
z = torch.logit(p)  # the logits the model had before its sigmoid
print(nn.BCEWithLogitsLoss()(z, y), nn.BCELoss()(p, y))  # the same loss, from logits
#> tensor(0.2899) tensor(0.2899)
# --8<-- [end:unsafe-to-autocast-fix]

# --8<-- [start:unscale-twice]
# Gradient clipping under a GradScaler, with the unscale_ call written twice (e.g. once in
# a clipping helper and once in the loop).
model = nn.Linear(2, 1)
nn.init.constant_(model.weight, 0.5)
nn.init.zeros_(model.bias)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scaler = torch.amp.GradScaler("cpu")
scaler.scale(model(torch.ones(1, 2)).sum()).backward()
scaler.unscale_(optimizer)
try:
    scaler.unscale_(optimizer)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: unscale_() has already been called on this optimizer since the last update().
# --8<-- [end:unscale-twice]

# --8<-- [start:unscale-twice-fix]
nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)  # on the unscaled gradients
scaler.step(optimizer)  # does not unscale again
scaler.update()  # resets the per-optimizer state: the next step may unscale_ once more
print(scaler.get_scale())
#> 65536.0
# --8<-- [end:unscale-twice-fix]

# --8<-- [start:optimizer-state-dtype]
w = nn.Parameter(torch.ones(2))
optimizer = torch.optim.Adam([w])
w.sum().backward()
optimizer.step()  # Adam creates its state now, in w's dtype: float32
w.data = w.data.double()  # in place, as PML's losses cast W to float64 embeddings
w.grad = None
w.sum().backward()
try:
    optimizer.step()
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: expected dtype float for `end` but got dtype double
# --8<-- [end:optimizer-state-dtype]

# --8<-- [start:optimizer-state-dtype-fix]
optimizer = torch.optim.Adam([w])  # a new optimizer (its moments start again from 0)
optimizer.step()
print(w.dtype, optimizer.state[w]["exp_avg"].dtype)
#> torch.float64 torch.float64
# --8<-- [end:optimizer-state-dtype-fix]

# --8<-- [start:init-dimensions]
for init, shape in ((nn.init.eye_, (3, 3, 3)), (nn.init.dirac_, (4, 4))):
    try:
        init(torch.empty(shape))
    except ValueError as e:
        print(f"{init.__name__}{shape}: {type(e).__name__}: {e}")
#> eye_(3, 3, 3): ValueError: Only tensors with 2 dimensions are supported
#> dirac_(4, 4): ValueError: Only tensors with 3, 4, or 5 dimensions are supported
# --8<-- [end:init-dimensions]

# --8<-- [start:init-dimensions-fix]
print(nn.init.eye_(torch.empty(2, 3)))  # a Linear weight: 2-D
#> tensor([[1., 0., 0.],
#>         [0., 1., 0.]])
print(nn.init.dirac_(torch.empty(2, 2, 3)).shape)  # a Conv1d weight: 3-D
#> torch.Size([2, 2, 3])
# --8<-- [end:init-dimensions-fix]

# --8<-- [start:init-leaf-in-place]
weight = nn.Parameter(torch.empty(2, 2))
try:
    weight.fill_(0.5)  # writing into a parameter with autograd on
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: a leaf Variable that requires grad is being used in an in-place operation.
# --8<-- [end:init-leaf-in-place]

# --8<-- [start:init-leaf-in-place-fix]
with torch.no_grad():
    weight.fill_(0.5)
print(weight.requires_grad, weight.sum().item())
#> True 2.0
nn.init.constant_(weight, 0.25)  # the init functions do the no_grad for you
print(weight.sum().item())
#> 1.0
# --8<-- [end:init-leaf-in-place-fix]

# --8<-- [start:init-bias-none]
def init_conv(module):
    if isinstance(module, nn.Conv2d):
        nn.init.zeros_(module.bias)


conv_bn = nn.Sequential(nn.Conv2d(3, 8, 3, bias=False), nn.BatchNorm2d(8))
try:
    conv_bn.apply(init_conv)
except AttributeError as e:
    print(f"{type(e).__name__}: {e}")
#> AttributeError: 'NoneType' object has no attribute 'zero_'
# --8<-- [end:init-bias-none]

# --8<-- [start:init-bias-none-fix]
def init_conv(module):
    if isinstance(module, nn.Conv2d) and module.bias is not None:
        nn.init.zeros_(module.bias)


conv_bn.apply(init_conv)
print(conv_bn[0].bias)
#> None
# --8<-- [end:init-bias-none-fix]

# --8<-- [start:init-gain-unsupported]
for name in ("gelu", "silu"):  # the activations of transformers and recent CNNs
    try:
        nn.init.calculate_gain(name)
    except ValueError as e:
        print(f"{type(e).__name__}: {e}")
#> ValueError: Unsupported nonlinearity gelu
#> ValueError: Unsupported nonlinearity silu
# --8<-- [end:init-gain-unsupported]

# --8<-- [start:init-gain-unsupported-fix]
conv_weight = torch.empty(64, 32, 3, 3)  # a conv followed by BatchNorm, with SiLU after
nn.init.kaiming_normal_(conv_weight, mode="fan_out", nonlinearity="relu",
                        generator=torch.Generator().manual_seed(0))
print(f"std {conv_weight.std():.3f}, sqrt(2 / fan_out) = {(2 / (64 * 9)) ** 0.5:.3f}")
#> std 0.059, sqrt(2 / fan_out) = 0.059
# --8<-- [end:init-gain-unsupported-fix]

# --8<-- [start:init-deprecated]
show_warnings(lambda: nn.init.normal(torch.empty(3)))
#> FutureWarning: `nn.init.normal` is now deprecated in favor of `nn.init.normal_`.
# --8<-- [end:init-deprecated]

# --8<-- [start:init-deprecated-fix]
show_warnings(lambda: nn.init.normal_(torch.empty(3)))  # no warning
# --8<-- [end:init-deprecated-fix]

# --8<-- [start:init-uninitialized]
import re  # noqa: E402

lazy = nn.LazyLinear(8)  # its input size is known only at the first forward
for init in (nn.init.kaiming_normal_, nn.init.normal_):
    try:
        init(lazy.weight)
    except (RuntimeError, ValueError) as e:  # the message names the function: drop its address
        print(f"{type(e).__name__}: {re.sub(r' at 0x[0-9a-f]+', '', str(e))}")
#> RuntimeError: Can't access the shape of an uninitialized parameter or buffer. This error usually happens in `load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call `forward` to initialize the parameters before accessing their attributes.
#> ValueError: Attempted to use an uninitialized parameter in <function normal_>. This error happens when you are using a `LazyModule` or explicitly manipulating `torch.nn.parameter.UninitializedParameter` objects. When using LazyModules Call `forward` with a dummy batch to initialize the parameters before calling torch functions
# --8<-- [end:init-uninitialized]

# --8<-- [start:init-uninitialized-fix]
lazy(torch.zeros(1, 16))  # a dry run sizes the weight (8, 16) and draws Linear's default
nn.init.kaiming_uniform_(lazy.weight, generator=torch.Generator().manual_seed(0))
print(type(lazy).__name__, tuple(lazy.weight.shape))
#> Linear (8, 16)
# --8<-- [end:init-uninitialized-fix]

# --8<-- [start:meta-to]
with torch.device("meta"):  # shapes only, no storage
    big = nn.Linear(4096, 4096)
try:
    big.to("cpu")
except NotImplementedError as e:
    print(f"{type(e).__name__}: {e}")
#> NotImplementedError: Cannot copy out of meta tensor; no data! Please use torch.nn.Module.to_empty() instead of torch.nn.Module.to() when moving module from meta to a different device.
# --8<-- [end:meta-to]

# --8<-- [start:meta-to-fix]
big = big.to_empty(device="cpu")  # storage, uninitialized: initialize it next
nn.init.kaiming_uniform_(big.weight, generator=torch.Generator().manual_seed(0))
nn.init.zeros_(big.bias)
print(big.weight.device, f"{big.weight.std():.4f}")
#> cpu 0.0221
# --8<-- [end:meta-to-fix]

# --8<-- [start:skip-init-device]
class Scale(nn.Module):  # no `device` argument in its constructor
    def __init__(self, n):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(n))


try:
    torch.nn.utils.skip_init(Scale, 8)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: Module must support a 'device' arg to skip initialization
# --8<-- [end:skip-init-device]

# --8<-- [start:skip-init-device-fix]
class Scale(nn.Module):  # accepts `device` and gives it to every parameter it creates
    def __init__(self, n, device=None):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(n, device=device))


print(Scale(8).gain.sum().item())  # built normally it still starts at ones
#> 8.0
scale = torch.nn.utils.skip_init(Scale, 8)
nn.init.ones_(scale.gain)  # skip_init leaves the storage uninitialized: fill it
print(scale.gain.device, scale.gain.sum().item())
#> cpu 8.0
# --8<-- [end:skip-init-device-fix]

# --8<-- [start:meta-item]
class Normalized(nn.Module):  # reads a value of its own parameter in __init__
    def __init__(self, n, device=None):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n, n, device=device))
        self.scale = 1 / self.weight.norm().item()


try:
    with torch.device("meta"):
        Normalized(4)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: Tensor.item() cannot be called on meta tensors
# --8<-- [end:meta-item]

# --8<-- [start:meta-item-fix]
model = Normalized(4)  # build it on a real device (or compute the value after to_empty)
print(model.weight.device, model.scale > 0)
#> cpu True
# --8<-- [end:meta-item-fix]

# --8<-- [start:library-reduction]
# The losses torch.nn does not ship come from libraries, each with its own wording.
import kornia.losses  # noqa: E402
import monai.losses  # noqa: E402

scores = torch.tensor([[2.0, -1.0], [0.5, 1.5]])
flags_2d = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
try:
    kornia.losses.binary_focal_loss_with_logits(scores, flags_2d, reduction="average")
except NotImplementedError as e:
    print(f"{type(e).__name__}: {e}")
#> NotImplementedError: Invalid reduction mode: average
try:
    monai.losses.FocalLoss(reduction="average")
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
#> ValueError: 'average' is not a valid LossReduction
# --8<-- [end:library-reduction]

# --8<-- [start:library-reduction-fix]
print(kornia.losses.binary_focal_loss_with_logits(scores, flags_2d, reduction="mean"),
      monai.losses.FocalLoss(reduction="mean")(scores, flags_2d))
#> tensor(0.0755) tensor(0.1021)
# --8<-- [end:library-reduction-fix]

# --8<-- [start:kornia-4d]
volume_logits = torch.zeros(1, 2, 3, 3, 3)  # (B, C, D, H, W): a 3-D volume
try:
    kornia.losses.dice_loss(volume_logits, torch.zeros(1, 3, 3, 3, dtype=torch.long))
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
#> ValueError: Invalid pred shape, we expect BxNxHxW. Got: torch.Size([1, 2, 3, 3, 3])
# --8<-- [end:kornia-4d]

# --8<-- [start:kornia-4d-fix]
volume_labels = torch.zeros(1, 1, 3, 3, 3, dtype=torch.long)  # MONAI takes 2-D and 3-D
print(monai.losses.DiceLoss(softmax=True, to_onehot_y=True)(volume_logits, volume_labels))
#> tensor(0.6667)
# --8<-- [end:kornia-4d-fix]

# --8<-- [start:monai-target-shape]
seg_logits = torch.tensor([[[[2.0, 0.1], [0.3, 1.2]], [[0.5, 1.5], [1.0, 0.2]],
                            [[0.1, 0.2], [2.2, 0.4]]]])  # (B, C, H, W) = (1, 3, 2, 2)
seg_labels = torch.tensor([[[[0, 1], [2, 0]]]])  # class indices, (B, 1, H, W)
try:  # class indices, but to_onehot_y=False: the target must then be one-hot (B, C, H, W)
    monai.losses.DiceLoss(softmax=True)(seg_logits, seg_labels)
except AssertionError as e:
    print(f"{type(e).__name__}: {e}")
#> AssertionError: ground truth has different shape (torch.Size([1, 1, 2, 2])) from input (torch.Size([1, 3, 2, 2]))
try:  # class indices without their channel dimension, (B, H, W)
    monai.losses.DiceLoss(softmax=True, to_onehot_y=True)(seg_logits, seg_labels.squeeze(1))
except AssertionError as e:
    print(f"{type(e).__name__}: {e}")
#> AssertionError: labels should have a channel with length equal to one.
# --8<-- [end:monai-target-shape]

# --8<-- [start:monai-target-shape-fix]
print(monai.losses.DiceLoss(softmax=True, to_onehot_y=True)(seg_logits, seg_labels))
#> tensor(0.3562)
# --8<-- [end:monai-target-shape-fix]

# --8<-- [start:monai-single-channel]
one_channel = torch.tensor([[[[2.0, -1.0], [0.5, -0.3]]]])  # (B, 1, H, W): one logit per pixel
mask = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])
loss = show_warnings(lambda: monai.losses.DiceLoss(softmax=True, to_onehot_y=True)(one_channel, mask))
#> UserWarning: single channel prediction, `softmax=True` ignored.
#> UserWarning: single channel prediction, `to_onehot_y=True` ignored.
# --8<-- [end:monai-single-channel]

# --8<-- [start:monai-single-channel-fix]
print(show_warnings(lambda: monai.losses.DiceLoss(sigmoid=True)(one_channel, mask)))  # no warning
#> tensor(0.2838)
# --8<-- [end:monai-single-channel-fix]

# --8<-- [start:monai-background-alpha]
loss = show_warnings(lambda: monai.losses.FocalLoss(
    use_softmax=True, to_onehot_y=True, include_background=False, alpha=0.25)(seg_logits, seg_labels))
#> UserWarning: `include_background=False`, scalar `alpha` ignored when using softmax.
# --8<-- [end:monai-background-alpha]

# --8<-- [start:monai-background-alpha-fix]
print(show_warnings(lambda: monai.losses.FocalLoss(  # keep the background, or drop alpha
    use_softmax=True, to_onehot_y=True, include_background=True, alpha=0.25)(seg_logits, seg_labels)))
#> tensor(0.0108)
# --8<-- [end:monai-background-alpha-fix]

# --8<-- [start:monai-ce-weight]
try:  # the name older MONAI releases used for DiceCELoss's class weights
    monai.losses.DiceCELoss(ce_weight=torch.tensor([1.0, 2.0, 2.0]))
except TypeError as e:
    print(f"{type(e).__name__}: {e}")
#> TypeError: DiceCELoss.__init__() got an unexpected keyword argument 'ce_weight'
# --8<-- [end:monai-ce-weight]

# --8<-- [start:monai-ce-weight-fix]
dice_ce = monai.losses.DiceCELoss(to_onehot_y=True, softmax=True, weight=torch.tensor([1.0, 2.0, 2.0]))
print(dice_ce(seg_logits, seg_labels))
#> tensor(1.0354)
# --8<-- [end:monai-ce-weight-fix]

# --8<-- [start:pml-labels]
from pytorch_metric_learning import losses as pml_losses  # noqa: E402

views = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.2, 0.8]])  # 2 images, 2 views each
try:  # one label per image instead of one per view
    pml_losses.NTXentLoss(temperature=0.5)(views, torch.tensor([0, 1]))
except ValueError as e:
    print(f"{type(e).__name__}: {e}")
#> ValueError: Number of embeddings must equal number of labels
# --8<-- [end:pml-labels]

# --8<-- [start:pml-labels-fix]
print(pml_losses.NTXentLoss(temperature=0.5)(views, torch.tensor([0, 0, 1, 1])))  # one per view
#> tensor(0.3438)
# --8<-- [end:pml-labels-fix]
