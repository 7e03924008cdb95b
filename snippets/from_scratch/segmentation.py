"""Segmentation overlap losses from scratch: soft Dice, Tversky and Dice + cross-entropy.

Each function takes the options of a MONAI 1.6.1 loss class's constructor as keyword
arguments, followed by that class's ``forward(input, target)``:

- ``dice_loss``     mirrors ``monai.losses.DiceLoss``   (monai/losses/dice.py)
- ``tversky_loss``  mirrors ``monai.losses.TverskyLoss`` (monai/losses/tversky.py)
- ``dice_ce_loss``  mirrors ``monai.losses.DiceCELoss`` (monai/losses/dice.py)

Left out on purpose: ``other_act``, ``soft_label`` and ``ignore_index`` (with hard 0/1
targets, ``soft_label`` changes nothing). The symbols are the page's: ``p`` the
predicted probabilities, ``g`` the one-hot target, both of shape (B, C, *spatial);
``I`` the intersection, ``P`` and ``G`` their sums, ``l`` the per-(sample, class) loss.
MONAI itself is only imported by tests/test_from_scratch_segmentation.py, which checks
values, gradients, warnings and exception types against it in float64.

The ``# --8<--`` markers cut sections that docs/beyond/segmentation.md includes.
"""

import warnings

import torch
import torch.nn.functional as F


# --8<-- [start:prepare]
def _prepare(input, target, *, include_background, to_onehot_y, sigmoid, softmax):
    """Activation, one-hot target and background removal, in MONAI's order."""
    if sigmoid and softmax:
        raise ValueError("Incompatible values: more than 1 of "
                         "[sigmoid=True, softmax=True, other_act is not None].")
    p, g = input, target
    if sigmoid:
        p = torch.sigmoid(p)
    C = p.shape[1]  # channel 1 holds the classes
    if softmax:
        if C == 1:
            warnings.warn("single channel prediction, `softmax=True` ignored.", stacklevel=3)
        else:
            p = torch.softmax(p, dim=1)
    if to_onehot_y:
        if C == 1:
            warnings.warn("single channel prediction, `to_onehot_y=True` ignored.", stacklevel=3)
        else:
            if g.dim() < 2 or g.shape[1] != 1:  # class indices of shape (B, 1, *spatial)
                raise AssertionError("labels should have a channel with length equal to one.")
            # MONAI's one_hot builds the target in float32, whatever the input's dtype.
            g = torch.zeros(g.shape[0], C, *g.shape[2:], dtype=torch.float32)
            g = g.scatter_(1, target.long(), 1.0)
    if not include_background:
        if C == 1:
            warnings.warn("single channel prediction, `include_background=False` ignored.",
                          stacklevel=3)
        else:
            p, g = p[:, 1:], g[:, 1:]  # channel 0 is the background
    return p, g


def _sum_axes(p, batch):
    """The spatial axes, plus the batch axis when batch=True."""
    axes = list(range(2, p.dim()))
    return [0, *axes] if batch else axes
# --8<-- [end:prepare]


# --8<-- [start:dice-loss]
def dice_loss(input, target, *, include_background=True, to_onehot_y=False, sigmoid=False,
              softmax=False, squared_pred=False, jaccard=False, reduction="mean",
              smooth_nr=1e-5, smooth_dr=1e-5, batch=False, weight=None):
    """monai.losses.DiceLoss(**options)(input, target), as one function.

    l_{b,c} = 1 - (2 I + smooth_nr) / (P + G + smooth_dr), with I = sum p g,
    P = sum p (sum p^2 if squared_pred) and G likewise, summed over the spatial axes
    (and over the batch too if batch=True). jaccard=True uses 2 (P + G - I) as the
    denominator. 'mean' averages l over samples and classes, after multiplying class c
    by weight[c]; 'none' returns shape (B, C, 1, ...), or (C, 1, ...) with batch=True.
    A (B, C) input without spatial axes gives one Dice pooled over everything, as in MONAI.
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"'{reduction}' is not a valid LossReduction")
    p, g = _prepare(input, target, include_background=include_background,
                    to_onehot_y=to_onehot_y, sigmoid=sigmoid, softmax=softmax)
    if g.shape != p.shape:
        raise AssertionError(f"ground truth has different shape ({g.shape}) from input ({p.shape})")
    axes = _sum_axes(p, batch)
    I = (p * g).sum(axes)
    P, G = (p**2, g**2) if squared_pred else (p, g)
    P, G = P.sum(axes), G.sum(axes)
    denominator = 2 * (P + G - I) if jaccard else P + G
    l = 1 - (2 * I + smooth_nr) / (denominator + smooth_dr)
    C = g.shape[1]
    if weight is not None and C != 1:  # one weight per class that is kept
        w = torch.as_tensor(weight)
        w = w.repeat(C) if w.dim() == 0 else w
        if w.shape[0] != C:
            raise ValueError("The length of the `weight` sequence should be the same as the "
                             "number of classes. If `include_background=False`, the weight "
                             "should not include the background category class 0.")
        if w.min() < 0:
            raise ValueError("the value/values of the `weight` should be no less than 0.")
        l = l * w.to(l)
    if reduction == "mean":
        return l.mean()  # a plain mean over (b, c): weights are not normalised
    if reduction == "sum":
        return l.sum()
    # (B, C, 1, ...). Without spatial axes, (B, C), MONAI sums over an empty list of axes,
    # which torch takes as ALL axes: l is one pooled Dice (a 0-d tensor; (C,) with batch).
    return l.view([*l.shape[:2], *[1] * (p.dim() - 2)])
# --8<-- [end:dice-loss]


# --8<-- [start:tversky-loss]
def tversky_loss(input, target, *, include_background=True, to_onehot_y=False, sigmoid=False,
                 softmax=False, alpha=0.5, beta=0.5, reduction="mean", smooth_nr=1e-5,
                 smooth_dr=1e-5, batch=False):
    """monai.losses.TverskyLoss(**options)(input, target), as one function.

    l_{b,c} = 1 - (TP + smooth_nr) / (TP + alpha FP + beta FN + smooth_dr), with
    TP = sum p g, FP = sum p (1 - g), FN = sum (1 - p) g: alpha weighs the false
    positives, beta the false negatives. 'none' returns shape (B, C), not (B, C, 1, ...).
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"'{reduction}' is not a valid LossReduction")
    p, g = _prepare(input, target, include_background=include_background,
                    to_onehot_y=to_onehot_y, sigmoid=sigmoid, softmax=softmax)
    if g.shape != p.shape:
        raise AssertionError(f"ground truth has differing shape ({g.shape}) from input ({p.shape})")
    axes = _sum_axes(p, batch)
    TP = (p * g).sum(axes)
    FP = (p * (1 - g)).sum(axes)
    FN = ((1 - p) * g).sum(axes)
    l = 1 - (TP + smooth_nr) / (TP + alpha * FP + beta * FN + smooth_dr)
    if reduction == "mean":
        return l.mean()
    return l.sum() if reduction == "sum" else l
# --8<-- [end:tversky-loss]


# --8<-- [start:dice-ce-loss]
def dice_ce_loss(input, target, *, include_background=True, to_onehot_y=False, sigmoid=False,
                 softmax=False, squared_pred=False, jaccard=False, reduction="mean",
                 smooth_nr=1e-5, smooth_dr=1e-5, batch=False, weight=None,
                 lambda_dice=1.0, lambda_ce=1.0, label_smoothing=0.0):
    """monai.losses.DiceCELoss(**options)(input, target), as one function.

    lambda_dice * dice_loss(...) + lambda_ce * CE, where CE always takes the logits
    `input` (sigmoid/softmax act on the Dice part only) and all C classes
    (include_background acts on the Dice part only). A target of shape (B, 1, ...)
    is read as class indices: F.cross_entropy with `weight` as class weights, a mean
    weighted by them. A target of shape (B, C, ...) is read as class probabilities:
    F.cross_entropy's mean over pixels, with no weight normalisation. One channel:
    BCE with logits and pos_weight=weight.
    """
    if reduction not in ("mean", "sum"):
        raise ValueError(f"Unsupported option '{reduction}', "
                         "Available options are {'sum', 'mean'}.\n")
    if lambda_dice < 0.0:
        raise ValueError("lambda_dice should be no less than 0.0.")
    if lambda_ce < 0.0:
        raise ValueError("lambda_ce should be no less than 0.0.")
    x, y = input, target
    if x.dim() != y.dim():
        raise ValueError(
            "the number of dimensions for input and target should be the same, "
            f"got shape {x.shape} (nb dims: {len(x.shape)}) and {y.shape} (nb dims: "
            f"{len(y.shape)}). if target is not one-hot encoded, please provide a tensor "
            "with shape B1H[WD].")
    if y.shape[1] != 1 and y.shape[1] != x.shape[1]:
        raise ValueError("number of channels for target is neither 1 (without one-hot "
                         f"encoding) nor the same as input, got shape {x.shape} and {y.shape}.")
    dice_weight = weight[1:] if weight is not None and not include_background else weight
    dice = dice_loss(x, y, include_background=include_background, to_onehot_y=to_onehot_y,
                     sigmoid=sigmoid, softmax=softmax, squared_pred=squared_pred,
                     jaccard=jaccard, reduction=reduction, smooth_nr=smooth_nr,
                     smooth_dr=smooth_dr, batch=batch, weight=dice_weight)
    if x.shape[1] == 1:  # one channel: binary cross-entropy on the logits
        ce = F.binary_cross_entropy_with_logits(
            x, y if y.is_floating_point() else y.to(x.dtype),
            pos_weight=weight, reduction=reduction)
    elif y.shape[1] == 1:  # class indices
        ce = F.cross_entropy(x, y.squeeze(1).long(), weight=weight, reduction=reduction,
                             label_smoothing=label_smoothing)
    else:  # one-hot (or soft) targets: class probabilities
        ce = F.cross_entropy(x, y if y.is_floating_point() else y.to(x.dtype), weight=weight,
                             reduction=reduction, label_smoothing=label_smoothing)
    return lambda_dice * dice + lambda_ce * ce
# --8<-- [end:dice-ce-loss]
