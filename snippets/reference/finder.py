"""The task -> loss finder: the one data source of docs/reference/finder.md (both languages).

Every row states what the model outputs and what the target is (shape, dtype, values),
the recommended loss, the alternatives and the key options, in English and Chinese,
and carries a minimal example: a function that builds a fake output and target of
exactly the stated formats and runs the recommended loss. ``hooks/tables.py`` renders
the table from ``ROWS``; ``tests/test_finder.py`` runs every example and checks it
against what its row states.
"""

# --8<-- [start:setup]
import torch
from torch import nn

# The sizes the shapes in the table are written in.
SIZES = {"N": 4, "C": 5, "D": 8, "H": 6, "W": 6, "T": 12, "S": 3, "V": 50, "F": 16}
N, C, D, H, W, T, S, V, F = SIZES.values()
# --8<-- [end:setup]

from dataclasses import dataclass, field  # noqa: E402
from collections.abc import Callable  # noqa: E402

from snippets.from_scratch import contrastive, distillation as kd, focal  # noqa: E402
from snippets.from_scratch import margin_softmax, segmentation as seg  # noqa: E402

# Losses torch.nn does not ship: the handbook's from-scratch functions (docs/beyond/), each
# tested against the library that defines it. A row may recommend one by name; the
# examples call it through its module, so the tests can count the call.
FROM_SCRATCH = {
    "sigmoid_focal_loss": focal, "focal_loss": focal,
    "dice_loss": seg, "dice_ce_loss": seg, "tversky_loss": seg,
    "nt_xent_loss": contrastive, "supcon_loss": contrastive, "info_nce_loss": contrastive,
    "clip_loss": contrastive,
    "arcface_loss": margin_softmax, "cosface_loss": margin_softmax,
    "distillation_loss": kd,
}


@dataclass(frozen=True)
class Spec:
    """One tensor the loss receives: its name, shape (symbols from SIZES), dtype, values."""

    name: str
    shape: tuple
    dtype: torch.dtype
    values: str = ""  # a key of VALUES, or "" for any value


@dataclass(frozen=True)
class Row:
    id: str  # the row's anchor on the finder page
    task: dict  # {"en": ..., "zh": ...}
    outputs: tuple  # Spec, ... : what the model produces
    output_note: dict
    targets: tuple  # Spec, ... : what the data provides (may be empty)
    target_note: dict
    recommended: str  # a class name of torch.nn, or a key of FROM_SCRATCH
    alternatives: tuple  # (class name, {"en": note, "zh": note}), ...
    options: dict
    example: Callable = field(repr=False)  # () -> (outputs dict, targets dict, loss)


# Value constraints a Spec may state, with the check the tests apply to the example.
VALUES = {
    "0/1": ({"en": "0 or 1", "zh": "取 0 或 1"}, lambda t: bool(((t == 0) | (t == 1)).all())),
    "±1": ({"en": "−1 or 1", "zh": "取 −1 或 1"}, lambda t: bool(((t == -1) | (t == 1)).all())),
    "class": ({"en": "in [0, C)", "zh": "取值 [0, C)"},
              lambda t: bool(((t >= 0) & (t < C)).all())),
    "vocab": ({"en": "in [0, V)", "zh": "取值 [0, V)"},
              lambda t: bool(((t >= 0) & (t < V)).all())),
    "label": ({"en": "in [1, C), 0 is the blank", "zh": "取值 [1, C)，0 留给 blank"},
              lambda t: bool(((t >= 1) & (t < C)).all())),
    "padded": ({"en": "class indices, then −1 padding",
                "zh": "类别索引，后面用 −1 填充"},
               lambda t: bool(((t >= -1) & (t < C)).all())),
    "probs": ({"en": "rows sum to 1", "zh": "每行和为 1"},
              lambda t: bool((t >= 0).all() and torch.allclose(t.sum(-1), torch.ones(()))
                             )),
    "log-probs": ({"en": "log_softmax over the last dim", "zh": "最后一维做 log_softmax"},
                  lambda t: bool(torch.allclose(t.exp().sum(-1), torch.ones(())))),
    "counts": ({"en": "counts ≥ 0", "zh": "非负计数"},
               lambda t: bool(((t >= 0) & (t == t.round())).all())),
    "positive": ({"en": "> 0", "zh": "> 0"}, lambda t: bool((t > 0).all())),
    "≥0": ({"en": "≥ 0", "zh": "≥ 0"}, lambda t: bool((t >= 0).all())),
    "lengths-T": ({"en": "≤ T", "zh": "≤ T"}, lambda t: bool(((t >= 1) & (t <= T)).all())),
    "lengths-S": ({"en": "≤ S", "zh": "≤ S"}, lambda t: bool(((t >= 1) & (t <= S)).all())),
    "pairs": ({"en": "the two views of an image share a label",
               "zh": "同一张图像的两个视图共用一个标签"},
              lambda t: bool((torch.bincount(t) == 2)[torch.unique(t)].all())),
}


# Where each loss is explained (relative to docs/reference/).
LOSS_LINKS = {
    "CrossEntropyLoss": "../losses/cross_entropy.md#crossentropyloss",
    "NLLLoss": "../losses/cross_entropy.md#nllloss",
    "BCELoss": "../losses/binary_cross_entropy.md#bceloss",
    "BCEWithLogitsLoss": "../losses/binary_cross_entropy.md#bcewithlogitsloss",
    "L1Loss": "../losses/regression.md#l1loss",
    "MSELoss": "../losses/regression.md#mseloss",
    "SmoothL1Loss": "../losses/regression.md#smoothl1loss-and-huberloss",
    "HuberLoss": "../losses/regression.md#smoothl1loss-and-huberloss",
    "PoissonNLLLoss": "../losses/distributions.md#poissonnllloss",
    "GaussianNLLLoss": "../losses/distributions.md#gaussiannllloss",
    "KLDivLoss": "../losses/distributions.md#kldivloss",
    "MarginRankingLoss": "../losses/margin.md#marginrankingloss",
    "HingeEmbeddingLoss": "../losses/margin.md#hingeembeddingloss",
    "SoftMarginLoss": "../losses/margin.md#softmarginloss",
    "MultiLabelSoftMarginLoss": "../losses/margin.md#multilabelsoftmarginloss",
    "MultiLabelMarginLoss": "../losses/margin.md#multilabelmarginloss",
    "MultiMarginLoss": "../losses/margin.md#multimarginloss",
    "CosineEmbeddingLoss": "../losses/embedding.md#cosineembeddingloss",
    "TripletMarginLoss": "../losses/embedding.md#tripletmarginloss",
    "TripletMarginWithDistanceLoss": "../losses/embedding.md#tripletmarginwithdistanceloss",
    "CTCLoss": "../losses/ctc_and_fused.md#ctcloss",
    "LinearCrossEntropyLoss": "../losses/ctc_and_fused.md#linearcrossentropyloss",
    "AdaptiveLogSoftmaxWithLoss": "../losses/ctc_and_fused.md#adaptivelogsoftmaxwithloss",
    "sigmoid_focal_loss": "../beyond/focal.md#sigmoid-focal-loss",
    "focal_loss": "../beyond/focal.md#softmax-focal-loss",
    "dice_loss": "../beyond/segmentation.md#dice",
    "dice_ce_loss": "../beyond/segmentation.md#dice-ce",
    "tversky_loss": "../beyond/segmentation.md#tversky",
    "nt_xent_loss": "../beyond/contrastive.md#nt-xent",
    "supcon_loss": "../beyond/contrastive.md#supcon",
    "info_nce_loss": "../beyond/contrastive.md#infonce",
    "clip_loss": "../beyond/contrastive.md#clip",
    "arcface_loss": "../beyond/margin_softmax.md#arcface",
    "cosface_loss": "../beyond/margin_softmax.md#cosface",
    "distillation_loss": "../beyond/distillation.md#hinton-loss",
}


def binary_classification():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(N, generator=g)  # one raw score per sample, no sigmoid
    target = torch.randint(0, 2, (N,), generator=g).float()  # 0./1. as float
    loss = nn.BCEWithLogitsLoss()(logits, target)
    return {"input": logits}, {"target": target}, loss


def multi_class():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(N, C, generator=g)  # one raw score per class, no softmax
    target = torch.randint(0, C, (N,), generator=g)  # the index of the true class (int64)
    loss = nn.CrossEntropyLoss()(logits, target)
    return {"input": logits}, {"target": target}, loss


def multi_label():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(N, C, generator=g)
    target = torch.randint(0, 2, (N, C), generator=g).float()  # several 1s per row allowed
    loss = nn.BCEWithLogitsLoss()(logits, target)
    return {"input": logits}, {"target": target}, loss


def segmentation():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(N, C, H, W, generator=g)  # the class dimension is dim 1
    target = torch.randint(0, C, (N, H, W), generator=g)
    loss = nn.CrossEntropyLoss()(logits, target)
    return {"input": logits}, {"target": target}, loss


def regression():
    g = torch.Generator().manual_seed(0)
    prediction = torch.randn(N, D, generator=g)
    target = torch.randn(N, D, generator=g)  # the same shape as the prediction
    loss = nn.MSELoss()(prediction, target)
    return {"input": prediction}, {"target": target}, loss


def robust_regression():
    g = torch.Generator().manual_seed(0)
    prediction = torch.randn(N, D, generator=g)
    target = torch.randn(N, D, generator=g)
    target[0, 0] = 100.0  # an outlier
    loss = nn.HuberLoss(delta=1.0)(prediction, target)
    return {"input": prediction}, {"target": target}, loss


def counts():
    g = torch.Generator().manual_seed(0)
    log_rate = torch.randn(N, generator=g)  # the model predicts log(rate)
    target = torch.poisson(torch.full((N,), 3.0), generator=g)  # observed counts, float
    loss = nn.PoissonNLLLoss(log_input=True)(log_rate, target)
    return {"input": log_rate}, {"target": target}, loss


def uncertainty():
    g = torch.Generator().manual_seed(0)
    mean = torch.randn(N, D, generator=g)
    var = nn.functional.softplus(torch.randn(N, D, generator=g))  # a positive variance
    target = torch.randn(N, D, generator=g)
    loss = nn.GaussianNLLLoss()(mean, target, var)
    return {"input": mean, "var": var}, {"target": target}, loss


def distillation():
    g = torch.Generator().manual_seed(0)
    temperature = 2.0
    student = torch.randn(N, C, generator=g)
    teacher = torch.randn(N, C, generator=g)
    log_q = torch.log_softmax(student / temperature, dim=1)  # the student: log-probabilities
    p = torch.softmax(teacher / temperature, dim=1)  # the teacher: probabilities
    loss = nn.KLDivLoss(reduction="batchmean")(log_q, p) * temperature**2
    return {"input": log_q}, {"target": p}, loss


def ranking():
    g = torch.Generator().manual_seed(0)
    score_1 = torch.randn(N, generator=g)  # a score for each item of a pair
    score_2 = torch.randn(N, generator=g)
    target = torch.tensor([1.0, -1.0, 1.0, 1.0])  # 1: the first should rank higher
    loss = nn.MarginRankingLoss(margin=0.5)(score_1, score_2, target)
    return {"input1": score_1, "input2": score_2}, {"target": target}, loss


def metric_learning():
    g = torch.Generator().manual_seed(0)
    anchor = torch.randn(N, D, generator=g)
    positive = anchor + 0.1 * torch.randn(N, D, generator=g)  # the same identity
    negative = torch.randn(N, D, generator=g)  # another identity
    loss = nn.TripletMarginLoss(margin=1.0)(anchor, positive, negative)
    return {"anchor": anchor, "positive": positive, "negative": negative}, {}, loss


def embedding_similarity():
    g = torch.Generator().manual_seed(0)
    x1 = torch.randn(N, D, generator=g)
    x2 = torch.randn(N, D, generator=g)
    target = torch.tensor([1.0, -1.0, -1.0, 1.0])  # 1: similar pair, -1: dissimilar
    loss = nn.CosineEmbeddingLoss(margin=0.2)(x1, x2, target)
    return {"input1": x1, "input2": x2}, {"target": target}, loss


# --8<-- [start:ctc]
def ctc():
    g = torch.Generator().manual_seed(0)
    # (time, batch, classes) log-probabilities; class 0 is the blank.
    log_probs = torch.randn(T, N, C, generator=g).log_softmax(dim=2)
    input_lengths = torch.full((N,), T, dtype=torch.long)
    targets = torch.randint(1, C, (N, S), generator=g)  # label sequences, no blanks
    target_lengths = torch.tensor([3, 2, 3, 1])  # each sequence may be shorter than S
    # Every target fits its T = 12 frames (3 labels need at most 5), so no loss is
    # infinite and zero_infinity keeps its default, False.
    loss = nn.CTCLoss(blank=0)(log_probs, targets, input_lengths, target_lengths)
    return ({"log_probs": log_probs, "input_lengths": input_lengths},
            {"targets": targets, "target_lengths": target_lengths}, loss)
# --8<-- [end:ctc]


def large_vocabulary():
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)  # the loss owns a Linear(F, V) layer, initialized from the global RNG
    hidden = torch.randn(N, F, generator=g)  # hidden states, not logits
    target = torch.randint(0, V, (N,), generator=g)
    loss = nn.LinearCrossEntropyLoss(F, V)(hidden, target)
    return {"input": hidden}, {"target": target}, loss


def detection():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(N, C, generator=g)  # one score per anchor and class, no sigmoid
    target = torch.zeros(N, C)  # mostly background: one positive (anchor 0, class 2)
    target[0, 2] = 1.0
    num_positives = max(int(target.sum()), 1)  # RetinaNet divides by the positive anchors
    loss = focal.sigmoid_focal_loss(logits, target, alpha=0.25, gamma=2.0,
                                    reduction="sum") / num_positives
    return {"inputs": logits}, {"targets": target}, loss


def segmentation_imbalance():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(N, C, H, W, generator=g)
    target = torch.zeros(N, 1, H, W, dtype=torch.long)  # MONAI's layout: a channel of 1
    target[:, 0, 2:4, 2:4] = 3  # a small foreground of class 3 on a background of class 0
    loss = seg.dice_ce_loss(logits, target, to_onehot_y=True, softmax=True)
    return {"input": logits}, {"target": target}, loss


def self_supervised():
    g = torch.Generator().manual_seed(0)
    views = torch.randn(N, D, generator=g)  # two augmented views of N/2 images, stacked
    labels = torch.arange(N // 2).repeat(2)  # [0, 1, 0, 1]: a view's positive is its twin
    loss = contrastive.nt_xent_loss(views, labels, temperature=0.1)
    return {"embeddings": views}, {"labels": labels}, loss


def face_recognition():
    g = torch.Generator().manual_seed(0)
    embeddings = torch.randn(N, D, generator=g)  # the network's features, not logits
    labels = torch.randint(0, C, (N,), generator=g)  # identities
    centres = torch.randn(C, D, generator=g)  # the loss's own parameter: one row per class
    loss = margin_softmax.arcface_loss(embeddings, labels, centres, margin=0.5, scale=64.0)
    return {"embeddings": embeddings}, {"labels": labels}, loss


def _t(en, zh):
    return {"en": en, "zh": zh}


ROWS = [
    Row(
        id="binary-classification",
        task=_t("Binary classification (yes/no)", "二分类（是/否）"),
        outputs=(Spec("input", ("N",), torch.float32),),
        output_note=_t("raw logits: no sigmoid in the model",
                       "原始 logits：模型里不要加 sigmoid"),
        targets=(Spec("target", ("N",), torch.float32, "0/1"),),
        target_note=_t("float, same shape as the output", "float 类型，与输出同形状"),
        recommended="BCEWithLogitsLoss",
        alternatives=(
            ("BCELoss", _t("only if the model already outputs probabilities (after sigmoid)",
                           "仅当模型已输出概率（sigmoid 之后）")),
            ("SoftMarginLoss", _t("the same logistic loss with ±1 targets",
                                  "同样是 logistic 损失，但目标取 ±1")),
        ),
        options=_t("`pos_weight` for class imbalance (e.g. negatives / positives)",
                   "类别不平衡时用 `pos_weight`（如负样本数与正样本数之比）"),
        example=binary_classification,
    ),
    Row(
        id="multi-class",
        task=_t("Multi-class, single-label (exactly one class is right)",
                "多分类、单标签（恰有一个类别正确）"),
        outputs=(Spec("input", ("N", "C"), torch.float32),),
        output_note=_t("raw logits: no softmax in the model",
                       "原始 logits：模型里不要加 softmax"),
        targets=(Spec("target", ("N",), torch.int64, "class"),),
        target_note=_t("class indices (or (N, C) float probabilities for soft labels)",
                       "类别索引（软标签时也可用 (N, C) 的 float 概率）"),
        recommended="CrossEntropyLoss",
        alternatives=(
            ("NLLLoss", _t("if the model ends with log_softmax", "模型以 log_softmax 结尾时")),
            ("MultiMarginLoss", _t("multi-class hinge loss, same target format",
                                   "多分类 hinge 损失，目标格式相同")),
        ),
        options=_t("`weight` for imbalance, `label_smoothing`, `ignore_index` for padding",
                   "`weight` 处理类别不平衡，`label_smoothing` 标签平滑，"
                   "`ignore_index` 跳过填充"),
        example=multi_class,
    ),
    Row(
        id="multi-label",
        task=_t("Multi-label (any number of classes can be right)",
                "多标签（可以同时属于任意多个类别）"),
        outputs=(Spec("input", ("N", "C"), torch.float32),),
        output_note=_t("raw logits, one independent yes/no per class",
                       "原始 logits，每个类别各自独立判断是/否"),
        targets=(Spec("target", ("N", "C"), torch.float32, "0/1"),),
        target_note=_t("a multi-hot float matrix", "multi-hot 的 float 矩阵"),
        recommended="BCEWithLogitsLoss",
        alternatives=(
            ("MultiLabelSoftMarginLoss", _t(
                "the same loss averaged over the C classes, same target",
                "同一个损失在 C 个类别上取平均，目标相同")),
            ("MultiLabelMarginLoss", _t(
                "hinge version; target (N, C) int64 class indices, −1-padded",
                "hinge 版本；目标是 (N, C) 的 int64 类别索引，用 −1 填充")),
        ),
        options=_t("`pos_weight` of shape (C,) for rare labels",
                   "标签稀少时用形状为 (C,) 的 `pos_weight`"),
        example=multi_label,
    ),
    Row(
        id="segmentation",
        task=_t("Dense prediction: semantic segmentation (one class per pixel)",
                "密集预测：语义分割（每个像素一个类别）"),
        outputs=(Spec("input", ("N", "C", "H", "W"), torch.float32),),
        output_note=_t("raw logits, classes in dim 1", "原始 logits，类别在第 1 维"),
        targets=(Spec("target", ("N", "H", "W"), torch.int64, "class"),),
        target_note=_t("a class index per pixel", "每个像素一个类别索引"),
        recommended="CrossEntropyLoss",
        alternatives=(
            ("NLLLoss", _t("on log_softmax(dim=1) outputs", "用于 log_softmax(dim=1) 的输出")),
        ),
        options=_t("`ignore_index` for unlabelled pixels, `weight` for rare classes",
                   "`ignore_index` 跳过未标注像素，`weight` 照顾稀有类别"),
        example=segmentation,
    ),
    Row(
        id="regression",
        task=_t("Regression (real-valued targets)", "回归（实数目标）"),
        outputs=(Spec("input", ("N", "D"), torch.float32),),
        output_note=_t("values, no activation", "直接输出数值，不加激活函数"),
        targets=(Spec("target", ("N", "D"), torch.float32),),
        target_note=_t("exactly the output's shape (no broadcasting)",
                       "与输出形状完全相同（不要依赖广播）"),
        recommended="MSELoss",
        alternatives=(
            ("L1Loss", _t("mean absolute error: predicts the median, robust to outliers",
                          "平均绝对误差：预测中位数，对离群点稳健")),
        ),
        options=_t("`reduction`; none for imbalance", "`reduction`；没有处理不平衡的参数"),
        example=regression,
    ),
    Row(
        id="robust-regression",
        task=_t("Regression with outliers", "带离群点的回归"),
        outputs=(Spec("input", ("N", "D"), torch.float32),),
        output_note=_t("values, no activation", "直接输出数值，不加激活函数"),
        targets=(Spec("target", ("N", "D"), torch.float32),),
        target_note=_t("exactly the output's shape", "与输出形状完全相同"),
        recommended="HuberLoss",
        alternatives=(
            ("SmoothL1Loss", _t("Huber divided by δ (β = δ)", "等于 Huber 除以 δ（β = δ）")),
            ("L1Loss", _t("linear everywhere, gradient ±1", "处处线性，梯度为 ±1")),
        ),
        options=_t("`delta` (Huber) or `beta` (SmoothL1): where quadratic turns linear",
                   "`delta`（Huber）或 `beta`（SmoothL1）：从二次变为线性的位置"),
        example=robust_regression,
    ),
    Row(
        id="counts",
        task=_t("Counts (events per interval)", "计数（单位时间内的事件数）"),
        outputs=(Spec("input", ("N",), torch.float32),),
        output_note=_t("the log of the rate (default `log_input=True`)",
                       "事件率的对数（默认 `log_input=True`）"),
        targets=(Spec("target", ("N",), torch.float32, "counts"),),
        target_note=_t("counts stored as float", "以 float 存储的计数"),
        recommended="PoissonNLLLoss",
        alternatives=(),
        options=_t("`log_input=False` if the model outputs the rate itself; `full` adds "
                   "the Stirling term", "模型直接输出事件率时设 `log_input=False`；"
                   "`full` 加上 Stirling 项"),
        example=counts,
    ),
    Row(
        id="uncertainty",
        task=_t("Regression with predicted uncertainty", "同时预测不确定性的回归"),
        outputs=(Spec("input", ("N", "D"), torch.float32),
                 Spec("var", ("N", "D"), torch.float32, "positive")),
        output_note=_t("a mean and a positive variance (e.g. through softplus)",
                       "均值与正的方差（例如经过 softplus）"),
        targets=(Spec("target", ("N", "D"), torch.float32),),
        target_note=_t("the mean's shape; `var` may also be (N, 1) or (N,)",
                       "与均值同形状；`var` 也可以是 (N, 1) 或 (N,)"),
        recommended="GaussianNLLLoss",
        alternatives=(),
        options=_t("`eps` clamps the variance, `full` adds ½ log 2π",
                   "`eps` 为方差设下限，`full` 加上常数 ½ log 2π"),
        example=uncertainty,
    ),
    Row(
        id="distillation",
        task=_t("Distillation and distribution matching", "知识蒸馏与分布匹配"),
        outputs=(Spec("input", ("N", "C"), torch.float32, "log-probs"),),
        output_note=_t("log-probabilities (log_softmax of logits / T)",
                       "对数概率（logits / T 再做 log_softmax）"),
        targets=(Spec("target", ("N", "C"), torch.float32, "probs"),),
        target_note=_t("probabilities (the teacher's softmax)", "概率（教师模型的 softmax）"),
        recommended="KLDivLoss",
        alternatives=(
            ("CrossEntropyLoss", _t("with probability targets: differs from KL by the "
                                    "teacher's entropy, same gradient",
                                    "使用概率目标：与 KL 只差教师分布的熵，梯度相同")),
            ("distillation_loss", _t("Hinton's mix of the soft and the hard term, with T²",
                                     "Hinton 的软损失项与硬损失项混合，含 T²")),
        ),
        options=_t("`reduction='batchmean'` (not the default 'mean'), `log_target`; "
                   "multiply by T² to keep the gradient on the scale of the hard-label loss "
                   "([the recipe](../losses/distributions.md#knowledge-distillation))",
                   "`reduction='batchmean'`（不要用默认的 `'mean'`）、`log_target`；结果乘以 T²，"
                   "让梯度与硬标签损失保持同一量级"
                   "（[完整做法](../losses/distributions.md#knowledge-distillation)）"),
        example=distillation,
    ),
    Row(
        id="ranking",
        task=_t("Ranking (which of two items should score higher)",
                "排序（一对样本中哪个得分应更高）"),
        outputs=(Spec("input1", ("N",), torch.float32), Spec("input2", ("N",), torch.float32)),
        output_note=_t("a score for each item of the pair", "一对样本各自的得分"),
        targets=(Spec("target", ("N",), torch.float32, "±1"),),
        target_note=_t("1: input1 should rank higher, −1: input2",
                       "1：input1 应排在前，−1：input2 应排在前"),
        recommended="MarginRankingLoss",
        alternatives=(
            ("SoftMarginLoss", _t("on input1 − input2: a smooth (logistic) ranking loss",
                                  "作用于 input1 − input2：平滑的 logistic 排序损失")),
        ),
        options=_t("`margin`: how much higher the better score must be",
                   "`margin`：更好的一方至少要高出多少（间隔）"),
        example=ranking,
    ),
    Row(
        id="detection",
        task=_t("Dense detection: many easy background anchors",
                "密集目标检测：大量易分的背景锚框"),
        outputs=(Spec("inputs", ("N", "C"), torch.float32),),
        output_note=_t("logits: one per anchor and class, no sigmoid",
                       "logits：每个锚框、每个类别一个，不加 sigmoid"),
        targets=(Spec("targets", ("N", "C"), torch.float32, "0/1"),),
        target_note=_t("0/1 per anchor and class; all 0 for background",
                       "每个锚框、每个类别取 0/1；背景锚框全为 0"),
        recommended="sigmoid_focal_loss",
        alternatives=(
            ("BCEWithLogitsLoss", _t("the focal loss at γ = 0, α = −1; the easy negatives "
                                     "dominate", "即 γ = 0、α = −1 的 Focal Loss；易负样本占主导")),
        ),
        options=_t("`alpha=0.25` weights the positives, `gamma=2`; `reduction='sum'` divided "
                   "by `max(1, positive anchors)` per image, then the mean over images, not "
                   "`'mean'`; start the classifier bias at −log((1 − π)/π), π = 0.01",
                   "`alpha=0.25` 是正样本的权重，`gamma=2`；每张图用 `reduction='sum'` 再除以"
                   " `max(1, 正样本锚框数)`，再对各图取平均，而不是 `'mean'`；分类器偏置初始化为"
                   " −log((1 − π)/π)，π = 0.01"),
        example=detection,
    ),
    Row(
        id="segmentation-imbalance",
        task=_t("Segmentation with a small foreground", "前景很小的语义分割"),
        outputs=(Spec("input", ("N", "C", "H", "W"), torch.float32),),
        output_note=_t("logits, the class dimension is dim 1", "logits，类别在第 1 维"),
        targets=(Spec("target", ("N", 1, "H", "W"), torch.int64, "class"),),
        target_note=_t("class indices with a channel of 1 (MONAI's layout)",
                       "带一个通道维的类别索引（MONAI 的格式）"),
        recommended="dice_ce_loss",
        alternatives=(
            ("dice_loss", _t("Dice alone: almost no gradient for confidently wrong pixels, and "
                             "an all-or-nothing loss on empty classes",
                             "只用 Dice：很自信的错误像素几乎得不到梯度，空类别上的损失非 0 即 1")),
            ("focal_loss", _t("softmax focal loss on the pixels", "对像素使用 softmax Focal Loss")),
            ("CrossEntropyLoss", _t("with class `weight`; target `(N, H, W)`",
                                    "配合类别 `weight`；目标形状为 `(N, H, W)`")),
        ),
        options=_t("`to_onehot_y=True`, `softmax=True`; `include_background=False` (Dice part "
                   "only) for a large background; `batch` (aggregate over the batch, not per "
                   "sample); `lambda_dice`, `lambda_ce`",
                   "`to_onehot_y=True`、`softmax=True`；背景很大时设 `include_background=False`"
                   "（只作用于 Dice 部分）；`batch`（在整个批量上聚合，而不是逐样本）；"
                   "`lambda_dice`、`lambda_ce`"),
        example=segmentation_imbalance,
    ),
    Row(
        id="self-supervised",
        task=_t("Self-supervised learning from two views (SimCLR)",
                "双视图自监督学习（SimCLR）"),
        outputs=(Spec("embeddings", ("N", "D"), torch.float32),),
        output_note=_t("projection-head outputs of both views, concatenated",
                       "两个视图经投影头的输出，上下拼接在一起"),
        targets=(Spec("labels", ("N",), torch.int64, "pairs"),),
        target_note=_t("made from the batch itself, not annotated", "由批量本身构造，不需要标注"),
        recommended="nt_xent_loss",
        alternatives=(
            ("info_nce_loss", _t("queries and keys from two encoders (MoCo v3; v1 and v2 take "
                                 "their negatives from a queue): key i is query i's "
                                 "positive, extra keys are negatives; cross-entropy with "
                                 "`arange` labels",
                                 "查询和键来自两个编码器（MoCo v3；v1、v2 的负样本来自队列）：键 i 是"
                                 "查询 i 的正样本，多出来的键"
                                 "都是负样本；以 `arange` 为标签的交叉熵")),
            ("clip_loss", _t("two modalities (image, text): the symmetric version",
                             "两种模态（图像、文本）：对称版本")),
            ("supcon_loss", _t("with class labels: every same-class sample is a positive",
                               "有类别标签时：同类样本都是正样本")),
        ),
        options=_t("`temperature` (0.07 in pytorch-metric-learning, 0.1–0.5 in SimCLR); "
                   "the embeddings are compared by cosine",
                   "`temperature`（pytorch-metric-learning 默认 0.07，SimCLR 用 0.1～0.5）；"
                   "嵌入之间用余弦相似度比较"),
        example=self_supervised,
    ),
    Row(
        id="face-recognition",
        task=_t("Face recognition: many identities, compared by embedding",
                "人脸识别：身份很多，按嵌入比较"),
        outputs=(Spec("embeddings", ("N", "D"), torch.float32),),
        output_note=_t("features; the class centres `(C, D)` are a learned parameter passed to "
                       "the loss (PML's loss owns them as `W`, `(D, C)`): put them in the "
                       "optimizer",
                       "特征；类别中心 `(C, D)` 是传给损失函数的可学习参数（PML 的损失把它们作为"
                       "自己的 `W`，形状为 `(D, C)`）：要把它们交给优化器"),
        targets=(Spec("labels", ("N",), torch.int64, "class"),),
        target_note=_t("identity indices", "身份索引"),
        recommended="arcface_loss",
        alternatives=(
            ("cosface_loss", _t("the margin on the cosine instead of the angle",
                                "把间隔加在余弦上，而不是角度上")),
            ("TripletMarginLoss", _t("no class centres: triplets", "没有类别中心：用三元组")),
        ),
        options=_t("`margin` (radians here; pytorch-metric-learning takes degrees), `scale` "
                   "(64)", "`margin`（这里用弧度；pytorch-metric-learning 用角度制）、`scale`（64）"),
        example=face_recognition,
    ),
    Row(
        id="metric-learning",
        task=_t("Metric learning and face verification", "度量学习与人脸验证"),
        outputs=(Spec("anchor", ("N", "D"), torch.float32),
                 Spec("positive", ("N", "D"), torch.float32),
                 Spec("negative", ("N", "D"), torch.float32)),
        output_note=_t("three embeddings: anchor, positive (same identity), negative",
                       "三个嵌入：anchor、positive（同一身份）、negative（不同身份）"),
        targets=(),
        target_note=_t("none: the triplet itself is the label", "无：三元组本身就是标签"),
        recommended="TripletMarginLoss",
        alternatives=(
            ("TripletMarginWithDistanceLoss", _t(
                "the same with any distance, e.g. cosine", "可换成任意距离，例如余弦距离")),
        ),
        options=_t("`margin`, `p` (the norm), `swap` (use the harder negative distance)",
                   "`margin` 间隔、`p` 范数阶数、`swap`（取更难的负样本距离）"),
        example=metric_learning,
    ),
    Row(
        id="embedding-similarity",
        task=_t("Embedding similarity of pairs (similar / dissimilar)",
                "成对嵌入的相似性（相似/不相似）"),
        outputs=(Spec("input1", ("N", "D"), torch.float32),
                 Spec("input2", ("N", "D"), torch.float32)),
        output_note=_t("two embeddings per pair", "每对两个嵌入向量"),
        targets=(Spec("target", ("N",), torch.float32, "±1"),),
        target_note=_t("1: similar, −1: dissimilar", "1：相似，−1：不相似"),
        recommended="CosineEmbeddingLoss",
        alternatives=(
            ("HingeEmbeddingLoss", _t("input is a distance (N,), e.g. ‖x1 − x2‖, same ±1 target",
                                      "输入是 (N,) 的距离，如 ‖x1 − x2‖，目标同样取 ±1")),
        ),
        options=_t("`margin` in [−1, 1]: dissimilar pairs are pushed below this cosine",
                   "`margin` 取值 [−1, 1]：不相似的一对余弦相似度要压到它以下"),
        example=embedding_similarity,
    ),
    Row(
        id="ctc",
        task=_t("Sequence labelling without alignment (speech, handwriting)",
                "无需对齐的序列标注（语音、手写识别）"),
        outputs=(Spec("log_probs", ("T", "N", "C"), torch.float32, "log-probs"),
                 Spec("input_lengths", ("N",), torch.int64, "lengths-T")),
        output_note=_t("log-probabilities over time, class 0 = blank; time first",
                       "随时间的对数概率，类别 0 是 blank；时间维在最前"),
        targets=(Spec("targets", ("N", "S"), torch.int64, "label"),
                 Spec("target_lengths", ("N",), torch.int64, "lengths-S")),
        target_note=_t("label sequences, padded to S, and their lengths",
                       "标签序列（填充到长度 S）及各自的长度"),
        recommended="CTCLoss",
        alternatives=(),
        options=_t("`blank`; check that every target fits its input: a target too long "
                   "gives an inf loss and NaN gradients. `zero_infinity=True` only as a "
                   "safety net: it zeroes those losses, and those samples teach nothing "
                   "([zero_infinity](../losses/ctc_and_fused.md#zero_infinity))",
                   "`blank`；先检查每个目标都放得下它的输入：目标太长时损失为 inf、梯度为 NaN。"
                   "`zero_infinity=True` 只作为保险：它把这些损失置为 0，这些样本也就什么都学不到"
                   "（[zero_infinity](../losses/ctc_and_fused.md#zero_infinity)）"),
        example=ctc,
    ),
    Row(
        id="large-vocabulary",
        task=_t("Large-vocabulary classification (language models)",
                "大词表分类（语言模型）"),
        outputs=(Spec("input", ("N", "F"), torch.float32),),
        output_note=_t("hidden states: the loss owns the final Linear(F, V), so pass "
                       "criterion.parameters() to the optimizer too",
                       "隐藏状态：最后的 Linear(F, V) 由损失函数自己持有，所以也要把 "
                       "criterion.parameters() 交给优化器"),
        targets=(Spec("target", ("N",), torch.int64, "vocab"),),
        target_note=_t("token indices", "词元索引"),
        recommended="LinearCrossEntropyLoss",
        alternatives=(
            ("AdaptiveLogSoftmaxWithLoss", _t(
                "a module, not a criterion: cheaper softmax for skewed frequencies",
                "是模块而非损失类：词频偏斜时 softmax 更省")),
            ("CrossEntropyLoss", _t("on the full (N, V) logits, if they fit in memory",
                                    "直接用完整的 (N, V) logits，前提是内存放得下")),
        ),
        options=_t("`ignore_index` for padding, `label_smoothing`; `cutoffs` for adaptive "
                   "softmax", "`ignore_index` 跳过填充、`label_smoothing`；"
                   "自适应 softmax 用 `cutoffs`"),
        example=large_vocabulary,
    ),
]


# --8<-- [start:run-a-row]
outputs, targets, loss = ctc()
for name, tensor in {**outputs, **targets}.items():
    print(f"{name:<15} {tuple(tensor.shape)!s:<12} {tensor.dtype}")
#> log_probs       (12, 4, 5)   torch.float32
#> input_lengths   (4,)         torch.int64
#> targets         (4, 3)       torch.int64
#> target_lengths  (4,)         torch.int64
print(loss)
#> tensor(8.7495)
# --8<-- [end:run-a-row]

# --8<-- [start:multilabel-soft-margin]
g = torch.Generator().manual_seed(0)
logits = torch.randn(N, C, generator=g)
labels = torch.randint(0, 2, (N, C), generator=g).float()  # multi-hot: any number of 1s
print(labels.sum(dim=1))  # how many labels each sample has
#> tensor([2., 4., 3., 4.])
print(nn.MultiLabelSoftMarginLoss()(logits, labels))
#> tensor(0.7122)
print(nn.BCEWithLogitsLoss()(logits, labels))  # the same number
#> tensor(0.7122)
# --8<-- [end:multilabel-soft-margin]
