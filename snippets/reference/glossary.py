"""The glossary: the one data source of docs/reference/glossary.md and glossary.zh.md.

Each term has an English and a Chinese name, a one-line meaning in each language and
the sections where the site uses it (links relative to docs/reference/).
``hooks/tables.py`` renders the table in the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    id: str  # the term's anchor on the glossary page
    term: dict  # {"en": ..., "zh": ...}
    meaning: dict
    used_in: tuple  # ({"en": title, "zh": title}, "../part/page.md#anchor"), ...


def _t(en: str, zh: str) -> dict:
    return {"en": en, "zh": zh}


BASICS = "../losses/basics.md"
VARIANCE = "../init/variance.md"
FUNCTIONS = "../init/functions.md"
PRACTICE = "../init/in_practice.md"
INFO = "../losses/information_theory.md"
CE = "../losses/cross_entropy.md"
BCE = "../losses/binary_cross_entropy.md"
REGRESSION = "../losses/regression.md"
DISTRIBUTIONS = "../losses/distributions.md"
MARGIN = "../losses/margin.md"
EMBEDDING = "../losses/embedding.md"
CTC = "../losses/ctc_and_fused.md"
PRECISION = "../training/precision.md"
STABILITY = "../training/stability.md"
REDUCTIONS = "../training/reductions.md"
SYMPTOMS = "../training/troubleshooting.md"


def _at(en: str, zh: str, url: str) -> tuple:
    return (_t(en, zh), url)


TERMS = [
    Term("loss-function", _t("loss function", "损失函数"),
         _t("the error of the model on one sample, as one number",
            "模型在单个样本上的误差，用一个数表示"),
         (_at("Loss basics", "损失函数基础", f"{BASICS}#loss-cost-and-objective"),)),
    Term("cost-function", _t("cost function", "代价函数"),
         _t("the average loss over the training set (`reduction='mean'`)",
            "整个训练集上损失的平均值（`reduction='mean'`）"),
         (_at("Loss basics", "损失函数基础", f"{BASICS}#loss-cost-and-objective"),)),
    Term("objective-function", _t("objective function", "目标函数"),
         _t("what the optimizer minimizes: the cost plus regularization",
            "优化器真正最小化的量：代价加上正则项"),
         (_at("Loss basics", "损失函数基础", f"{BASICS}#loss-cost-and-objective"),)),
    Term("zero-one-loss", _t("0-1 loss", "0-1 损失"),
         _t("0 when the predicted class equals the target, 1 otherwise; not trainable by gradient",
            "预测类别等于目标时为 0，否则为 1；无法用梯度训练"),
         (_at("Loss basics", "损失函数基础", f"{BASICS}#the-0-1-loss"),)),
    Term("squared-loss", _t("squared loss", "平方损失"),
         _t("the per-sample loss $(y - \\hat y)^2$; its mean is the MSE",
            "单个样本的损失 $(y - \\hat y)^2$；对它取平均就是 MSE"),
         (_at("Loss basics", "损失函数基础", f"{BASICS}#squared-loss-mse-and-mae"),)),
    Term("mse", _t("mean squared error (MSE)", "均方误差（MSE）"),
         _t("the mean of the squared errors: `MSELoss`", "平方误差的平均值：`MSELoss`"),
         (_at("MSELoss", "MSELoss", f"{REGRESSION}#mseloss"),)),
    Term("mae", _t("mean absolute error (MAE)", "平均绝对误差（MAE）"),
         _t("the mean of the absolute errors: `L1Loss`", "绝对误差的平均值：`L1Loss`"),
         (_at("L1Loss", "L1Loss", f"{REGRESSION}#l1loss"),)),
    Term("overfitting", _t("overfitting / underfitting", "过拟合 / 欠拟合"),
         _t("a model that fits the training noise / that is too simple for the data",
            "模型连训练数据中的噪声也拟合了 / 模型太简单，拟合不了数据"),
         (_at("Loss basics", "损失函数基础", f"{BASICS}#is-a-smaller-loss-always-better"),)),
    Term("regularization", _t("regularization", "正则化"),
         _t("a penalty on the parameters added to the cost, e.g. weight decay",
            "加在代价上的参数惩罚项，例如权重衰减"),
         (_at("Loss basics", "损失函数基础", f"{BASICS}#loss-cost-and-objective"),)),
    Term("reduction", _t("reduction", "归约方式 (reduction)"),
         _t("how per-element losses become the result: `'none'`, `'mean'` or `'sum'`",
            "逐元素的损失如何合成结果：`'none'`、`'mean'` 或 `'sum'`"),
         (_at("Loss basics", "损失函数基础", f"{BASICS}#reduction-none-mean-or-sum"),)),
    Term("weight-initialization", _t("weight initialization", "权重初始化"),
         _t("how the weights are drawn before training", "训练开始前如何设定权重"),
         (_at("Why initialization matters", "为什么初始化很重要", VARIANCE),)),
    Term("vanishing-gradients", _t("vanishing / exploding gradients", "梯度消失 / 梯度爆炸"),
         _t("signals and gradients that shrink to 0 / grow without bound through the layers",
            "信号与梯度逐层缩小到 0 / 逐层增大到上溢"),
         (_at("Why initialization matters", "为什么初始化很重要",
              f"{VARIANCE}#vanishing-and-exploding-gradients"),)),
    Term("saturating-activation", _t("saturating / non-saturating activation",
                                      "饱和 / 非饱和激活函数"),
         _t("an activation whose slope goes to 0 for large inputs (tanh, sigmoid) / does not (ReLU)",
            "输入很大时斜率趋于 0 的激活函数（tanh、sigmoid）/ 不趋于 0 的（ReLU）"),
         (_at("Why initialization matters", "为什么初始化很重要",
              f"{VARIANCE}#with-activations"),)),
    Term("fan-in", _t("fan-in / fan-out", "输入扇入 (fan_in) / 输出扇出 (fan_out)"),
         _t("the number of inputs / outputs of each unit of a layer",
            "层中每个单元的输入个数 / 输出个数"),
         (_at("fan_in or fan_out", "fan_in 还是 fan_out", f"{VARIANCE}#fan_in-or-fan_out"),
          _at("The fans of a weight", "权重的扇入与扇出",
              f"{PRACTICE}#fan_in-and-fan_out-of-a-weight"))),
    Term("gain", _t("gain", "增益 (gain)"),
         _t("the factor on the standard deviation that makes up for an activation",
            "为抵消激活函数的影响而乘在标准差上的因子"),
         (_at("calculate_gain", "calculate_gain", f"{FUNCTIONS}#calculate_gain"),)),
    Term("xavier", _t("Xavier (Glorot) initialization", "Xavier（Glorot）初始化"),
         _t("variance $2 / (\\text{fan\\_in} + \\text{fan\\_out})$, for tanh-like activations",
            "方差为 $2 / (\\text{fan\\_in} + \\text{fan\\_out})$，适用于 tanh 一类的激活函数"),
         (_at("Xavier", "Xavier", f"{VARIANCE}#xavier-glorot-initialization"),)),
    Term("kaiming", _t("Kaiming (He) initialization", "Kaiming（He）初始化"),
         _t("variance $2 / \\text{fan\\_in}$, for ReLU", "方差为 $2 / \\text{fan\\_in}$，适用于 ReLU"),
         (_at("Kaiming", "Kaiming", f"{VARIANCE}#kaiming-he-initialization"),)),
    Term("orthogonal", _t("orthogonal initialization", "正交初始化"),
         _t("a (semi-)orthogonal weight matrix, which keeps the norm of the signal",
            "（半）正交的权重矩阵，能保持信号的范数"),
         (_at("orthogonal_", "orthogonal_", f"{FUNCTIONS}#orthogonal_"),)),
    Term("self-information", _t("self-information", "自信息"),
         _t("$-\\log p$: the surprise of an outcome of probability $p$",
            "$-\\log p$：概率为 $p$ 的结果带来的“意外程度”"),
         (_at("Self-information", "自信息", f"{INFO}#self-information"),)),
    Term("entropy", _t("entropy", "信息熵"),
         _t("the expected self-information of a distribution", "一个分布的自信息的期望"),
         (_at("Entropy", "信息熵", f"{INFO}#entropy"),)),
    Term("kl-divergence", _t("relative entropy (KL divergence)", "相对熵（KL 散度）"),
         _t("$D_{\\mathrm{KL}}(P \\Vert Q) = H(P, Q) - H(P)$: the extra cost of using $Q$ for $P$",
            "$D_{\\mathrm{KL}}(P \\Vert Q) = H(P, Q) - H(P)$：用 $Q$ 代替 $P$ 多付出的代价"),
         (_at("KL divergence", "KL 散度", f"{INFO}#kl-divergence"),
          _at("KLDivLoss", "KLDivLoss", f"{DISTRIBUTIONS}#kldivloss"))),
    Term("cross-entropy", _t("cross-entropy", "交叉熵"),
         _t("$H(P, Q) = -\\sum_c P(c) \\log Q(c)$; with one-hot $P$, the NLL of the true class",
            "$H(P, Q) = -\\sum_c P(c) \\log Q(c)$；$P$ 为 one-hot 时就是真实类别的负对数似然"),
         (_at("Cross-entropy", "交叉熵", f"{INFO}#cross-entropy"),
          _at("CrossEntropyLoss", "CrossEntropyLoss", f"{CE}#crossentropyloss"))),
    Term("softmax-loss", _t("softmax loss", "softmax 损失"),
         _t("another name for cross-entropy applied to softmax outputs",
            "对 softmax 输出计算交叉熵的另一个名字"),
         (_at("Loss basics", "损失函数基础", f"{BASICS}#softmax-loss-is-cross-entropy"),)),
    Term("negative-log-likelihood", _t("negative log-likelihood", "负对数似然"),
         _t("$-\\log$ of the probability the model gives the true answer",
            "模型给真实答案的概率取 $-\\log$"),
         (_at("NLLLoss", "NLLLoss", f"{CE}#nllloss"),)),
    Term("logits", _t("logits", "logits（未归一化分数）"),
         _t("raw scores before sigmoid or softmax; what `*WithLogits` and `CrossEntropyLoss` take",
            "sigmoid 或 softmax 之前的原始分数；`*WithLogits` 与 `CrossEntropyLoss` 的输入"),
         (_at("CrossEntropyLoss", "CrossEntropyLoss", f"{CE}#crossentropyloss"),
          _at("BCEWithLogitsLoss", "BCEWithLogitsLoss", f"{BCE}#bcewithlogitsloss"))),
    Term("multi-class", _t("multi-class / multi-label", "多分类 / 多标签"),
         _t("exactly one class is right / any number of classes can be right",
            "恰好一个类别正确 / 可以有任意多个类别正确"),
         (_at("Finder", "对照表", "finder.md#multi-class"),
          _at("Finder", "对照表", "finder.md#multi-label"))),
    Term("one-hot", _t("one-hot / multi-hot", "one-hot / multi-hot 编码"),
         _t("a 0/1 vector with a single 1 / with any number of 1s",
            "只有一个 1 的 0/1 向量 / 可以有多个 1 的 0/1 向量"),
         (_at("Finder", "对照表", "finder.md#choosing-between-neighbours"),)),
    Term("class-weight", _t("class weight / positive weight", "类别权重 / 正样本权重 (pos_weight)"),
         _t("`weight` scales the loss of each class; `pos_weight` scales the positive term of BCE",
            "`weight` 缩放每个类别的损失；`pos_weight` 缩放 BCE 中正样本那一项"),
         (_at("Class weights", "类别权重", f"{CE}#class-weights"),
          _at("pos_weight", "pos_weight", f"{BCE}#pos_weight"))),
    Term("ignore-index", _t("ignore_index", "ignore_index（忽略的目标值）"),
         _t("a target value whose samples are skipped, e.g. padding", "取这个目标值的样本被跳过，例如填充位"),
         (_at("ignore_index", "ignore_index", f"{CE}#ignore_index"),)),
    Term("label-smoothing", _t("label smoothing", "标签平滑"),
         _t("mixing the one-hot target with the uniform distribution",
            "把 one-hot 目标与均匀分布按比例混合"),
         (_at("label_smoothing", "label_smoothing", f"{CE}#label_smoothing"),)),
    Term("soft-labels", _t("soft labels (probability targets)", "软标签（概率目标）"),
         _t("a target distribution over the classes instead of one class index",
            "目标是类别上的一个分布，而不是一个类别索引"),
         (_at("Probability targets", "概率目标", f"{CE}#probability-soft-targets"),)),
    Term("distillation", _t("knowledge distillation", "知识蒸馏"),
         _t("training a student to match a teacher's softened output distribution",
            "训练学生模型去匹配教师模型软化后的输出分布"),
         (_at("Finder", "对照表", "finder.md#distillation"),
          _at("KLDivLoss", "KLDivLoss", f"{DISTRIBUTIONS}#kldivloss"))),
    Term("outlier", _t("outlier / residual", "离群点 / 残差"),
         _t("a target far from the others / the difference $x - y$",
            "远离其他数据的目标值 / 差值 $x - y$"),
         (_at("Why MSE is sensitive to outliers", "为什么 MSE 对离群点敏感",
              f"{REGRESSION}#why-mse-is-sensitive-to-outliers"),)),
    Term("broadcasting", _t("broadcasting", "广播"),
         _t("torch's rule for combining tensors of different shapes; a silent bug in a loss",
            "torch 组合不同形状张量的规则；在损失函数里会造成悄无声息的错误"),
         (_at("Regression pitfalls", "回归损失的常见陷阱", f"{REGRESSION}#pitfalls"),
          _at("Error messages", "报错信息索引", "errors.md#mse-broadcasting"))),
    Term("variance", _t("predicted variance (heteroscedastic)", "预测方差（异方差）"),
         _t("a model that outputs how uncertain each prediction is",
            "模型同时输出每个预测有多不确定"),
         (_at("GaussianNLLLoss", "GaussianNLLLoss", f"{DISTRIBUTIONS}#gaussiannllloss"),)),
    Term("margin", _t("margin", "间隔 (margin)"),
         _t("how far past the decision boundary a score must be before the loss is 0",
            "得分越过决策边界多远之后损失才为 0"),
         (_at("Margin losses", "间隔损失", MARGIN),)),
    Term("hinge-loss", _t("hinge loss", "合页损失（hinge loss）"),
         _t("$\\max(0, \\text{margin} - \\text{score})$: zero once the margin is met",
            "$\\max(0, \\text{margin} - \\text{score})$：满足间隔后即为 0"),
         (_at("Margin losses", "间隔损失", MARGIN),)),
    Term("embedding", _t("embedding", "嵌入"),
         _t("a learned vector representing an input, compared by a distance or a cosine",
            "表示一个输入的可学习向量，用距离或余弦相似度比较"),
         (_at("Embedding losses", "嵌入损失", EMBEDDING),)),
    Term("triplet", _t("triplet: anchor, positive, negative", "三元组：锚点、正样本、负样本"),
         _t("a sample, one of the same identity and one of another identity",
            "一个样本、一个同身份的样本、一个不同身份的样本"),
         (_at("Embedding losses", "嵌入损失", EMBEDDING),
          _at("Finder", "对照表", "finder.md#metric-learning"))),
    Term("alignment", _t("alignment", "对齐"),
         _t("which time step produces which label; CTC sums over all alignments",
            "哪个时间步对应哪个标签；CTC 对所有可能的对齐求和"),
         (_at("CTCLoss", "CTCLoss", CTC),)),
    Term("blank", _t("blank (CTC)", "空白符 blank（CTC）"),
         _t("the extra class CTC emits between labels and for repeats; index 0 by default",
            "CTC 在标签之间及重复标签之间输出的额外类别；默认索引为 0"),
         (_at("CTCLoss", "CTCLoss", CTC),
          _at("Finder", "对照表", "finder.md#ctc"))),
    Term("mixed-precision", _t("mixed precision / autocast", "混合精度 / 自动类型转换 (autocast)"),
         _t("running chosen ops in float16 or bfloat16 and the rest in float32; "
            "`torch.autocast` picks the dtype per op",
            "选定的算子用 float16 或 bfloat16 计算，其余用 float32；`torch.autocast` 逐个算子选择数据类型"),
         (_at("Precision and autocast", "精度与自动类型转换", f"{PRECISION}#autocast-table"),)),
    Term("kernel", _t("kernel", "内核"),
         _t("the compiled function that runs one op for one device and dtype; the dispatcher "
            "picks it (autocast is a step of that choice)",
            "针对某种设备和数据类型执行某个算子的已编译函数；由分发器选择（autocast 是这一选择中的一步）"),
         (_at("Precision and autocast", "精度与自动类型转换", f"{PRECISION}#dispatch-keys"),)),
    Term("overflow", _t("overflow / underflow", "上溢 / 下溢"),
         _t("a result too large for the dtype becomes inf / too small becomes 0 "
            "(float16 holds magnitudes from about 6e-8 to 65504)",
            "结果太大、超出数据类型的范围时变成 inf / 太小时变成 0（float16 能表示的绝对值约为 6e-8 到 65504）"),
         (_at("Precision and autocast", "精度与自动类型转换", f"{PRECISION}#float16-limits"),)),
    Term("loss-scaling", _t("loss scaling", "损失缩放 (loss scaling)"),
         _t("multiplying the loss by a power of two before backward so float16 gradients "
            "do not underflow; `GradScaler` does it and undoes it before the step",
            "反向传播前把损失乘以 2 的幂，使 float16 梯度不下溢；`GradScaler` 负责缩放，并在更新前还原"),
         (_at("GradScaler", "GradScaler", f"{PRECISION}#grad-scaler"),)),
    Term("log-sum-exp", _t("log-sum-exp", "log-sum-exp"),
         _t("$\\log \\sum_i e^{x_i}$ computed as $m + \\log \\sum_i e^{x_i - m}$, "
            "$m = \\max_i x_i$, so no exponential overflows",
            "把 $\\log \\sum_i e^{x_i}$ 写成 $m + \\log \\sum_i e^{x_i - m}$（$m = \\max_i x_i$）来计算，"
            "这样任何一项指数都不会上溢"),
         (_at("Numerical stability", "数值稳定性", f"{STABILITY}#log-sum-exp"),)),
    Term("gradient-accumulation", _t("gradient accumulation", "梯度累积"),
         _t("summing the gradients of several micro-batches before one optimizer step",
            "先把若干个微批量的梯度累加起来，再做一次优化器更新"),
         (_at("Reductions across batches", "跨批量的归约",
              f"{REDUCTIONS}#gradient-accumulation"),)),
    Term("micro-batch", _t("micro-batch", "微批量"),
         _t("one of the pieces a batch is split into for gradient accumulation; its "
            "`'mean'` is not the batch's",
            "为了梯度累积把一个批量拆成的若干份之一；它的 `'mean'` 只是这一份的平均，不是整个批量的平均值"),
         (_at("Reductions across batches", "跨批量的归约", f"{REDUCTIONS}#global-count"),)),
    Term("data-parallel", _t("data parallelism (DDP)", "数据并行 (DDP)"),
         _t("each process runs a shard of the batch; `DistributedDataParallel` averages "
            "the gradients over processes",
            "每个进程处理批量的一部分；`DistributedDataParallel` 在进程之间对梯度取平均"),
         (_at("Reductions across batches", "跨批量的归约", f"{REDUCTIONS}#data-parallel"),)),
    Term("early-stopping", _t("early stopping", "早停"),
         _t("stopping training when the validation loss stops improving, keeping the best "
            "weights",
            "验证集损失不再改善时停止训练，并保留最好的那组权重"),
         (_at("Troubleshooting", "按症状排查", f"{SYMPTOMS}#validation-loss-up"),)),
    Term("from-scratch", _t("from scratch", "从零实现"),
         _t("a reference implementation from elementary tensor ops, tested against torch",
            "只用基本张量运算写成的参考实现，并与 torch 对照测试"),
         (_at("Regression from scratch", "回归损失从零实现", f"{REGRESSION}#from-scratch"),)),
    Term("pitfall", _t("pitfall", "常见陷阱"),
         _t("a common mistake, shown with the real error or warning torch gives",
            "常见的错误用法，配上 torch 给出的真实报错或警告"),
         (_at("Error messages", "报错信息索引", "errors.md"),)),
]
