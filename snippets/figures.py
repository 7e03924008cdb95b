"""Figures drawn at build time by hooks/figures.py, once per language: English pages link
to assets/figures/<name>.svg, Chinese pages to assets/figures/<name>.zh.svg.

Each entry of FIGURES draws on a fresh matplotlib Figure, with ``t`` for every text a
reader reads: ``t("layer")`` is "layer" in English and ``ZH["layer"]`` in Chinese (a text
without its Chinese fails the build). Symbols, formulas and the names of torch's losses
stay as they are. The experiments behind two figures are memoised, and the training run
is imported once, so the second language redraws without recomputing them. Chinese text
is set in a CJK font of the machine (CJK_FONTS; `make serve`, `make build` and `make test`
install Debian's Noto Sans CJK where none is there), Latin text in DejaVu Sans, as in the
English figures.
"""

from __future__ import annotations

import contextlib
import functools
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

plt.rcParams.update(
    {
        "svg.fonttype": "none",  # keep text as text: smaller files, page font
        "svg.hashsalt": "init-loss-handbook",  # stable ids, so rebuilds are byte-identical
        "font.size": 11,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "figure.facecolor": "white",
    }
)


def bernoulli_entropy(fig, t) -> None:
    """H(p) = -p ln p - (1-p) ln(1-p), which peaks at ln 2 for p = 0.5."""
    p = torch.linspace(1e-4, 1 - 1e-4, 501, dtype=torch.float64)
    entropy = -(p * p.log() + (1 - p) * (1 - p).log())
    ax = fig.add_subplot()
    ax.plot(p, entropy, color="#e65100", linewidth=2)
    ln2 = torch.log(torch.tensor(2.0)).item()
    ax.axhline(ln2, color="gray", linestyle="--", linewidth=1)
    ax.annotate(f"ln 2 ≈ {ln2:.3f}", xy=(0.5, ln2), xytext=(0.62, 0.52),
                arrowprops={"arrowstyle": "->", "color": "gray"})
    ax.set_xlabel("p = P(X = 1)")
    ax.set_ylabel(t("H(p)  [nats]"))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 0.75)


@functools.cache
def _strategy_stds() -> dict[str, list[float]]:
    from snippets.init.experiment import STRATEGIES, run

    return {name: run(init, activation, dtype=dtype)[1]
            for name, (init, activation, dtype) in STRATEGIES.items()}


def init_std_per_layer(fig, t) -> None:
    """The 100-layer experiment of docs/init/variance.md, one line per strategy."""
    from snippets.init.experiment import DEPTH

    ax = fig.add_subplot()
    for name, stds in _strategy_stds().items():
        ax.plot(range(len(stds)), stds, label=t(name), linewidth=1.6)
    ax.set_yscale("log")
    ax.set_xlabel(t("layer"))
    ax.set_ylabel(t("std of the layer's output"))
    ax.set_xlim(0, DEPTH - 1)
    ax.legend(fontsize=8, ncol=2, loc="upper right")


def regression_losses(fig, t) -> None:
    """L1, MSE, SmoothL1(beta=2) and Huber(delta=2) against the residual, with gradients."""
    from torch import nn

    r = torch.linspace(-4, 4, 401, requires_grad=True)
    zero = torch.zeros_like(r)
    losses = {
        "L1": nn.L1Loss(reduction="none"),
        "MSE": nn.MSELoss(reduction="none"),
        "SmoothL1, β = 2": nn.SmoothL1Loss(reduction="none", beta=2.0),
        "Huber, δ = 2": nn.HuberLoss(reduction="none", delta=2.0),
    }
    left, right = fig.subplots(1, 2)
    for name, loss_fn in losses.items():
        loss = loss_fn(r, zero)
        (grad,) = torch.autograd.grad(loss.sum(), r)
        left.plot(r.detach(), loss.detach(), label=t(name), linewidth=1.8)
        right.plot(r.detach(), grad, label=t(name), linewidth=1.8)
    left.set_ylim(0, 8)
    left.set_title(t("loss"))
    right.set_title(t("gradient"))
    for ax in (left, right):
        ax.set_xlabel(t("residual x - y"))
    left.legend(fontsize=8)


def distribution_losses(fig, t) -> None:
    """PoissonNLL against the rate, GaussianNLL against the variance, KL against q."""
    from torch import nn

    poisson, gaussian, kl = fig.subplots(1, 3)
    rate = torch.linspace(0.2, 10, 300)
    for count in (1.0, 3.0, 6.0):
        loss = nn.PoissonNLLLoss(log_input=False, reduction="none")(
            rate, torch.full_like(rate, count))
        poisson.plot(rate, loss, label=f"y = {count:g}")
    poisson.set_xlabel(t("predicted rate λ"))
    poisson.set_title("PoissonNLL")
    poisson.legend(fontsize=8)
    var = torch.logspace(-2, 1.5, 300)
    for residual in (0.5, 1.0, 2.0):
        loss = nn.GaussianNLLLoss(reduction="none")(
            torch.zeros_like(var), torch.full_like(var, residual), var)
        gaussian.plot(var, loss, label=f"|x - y| = {residual:g}")
    gaussian.set_xscale("log")
    gaussian.set_ylim(-3, 8)
    gaussian.set_xlabel(t("predicted variance"))
    gaussian.set_title("GaussianNLL")
    gaussian.legend(fontsize=8)
    q = torch.linspace(0.01, 0.99, 300)
    p = 0.3
    forward = p * torch.log(p / q) + (1 - p) * torch.log((1 - p) / (1 - q))
    backward = q * torch.log(q / p) + (1 - q) * torch.log((1 - q) / (1 - p))
    kl.plot(q, forward, label="KL(P ‖ Q)")
    kl.plot(q, backward, label="KL(Q ‖ P)")
    kl.set_xlabel(t("q = Q(X = 1), with p = 0.3"))
    kl.set_title(t("KL divergence"))
    kl.set_ylim(0, 2.5)
    kl.legend(fontsize=8)


def margin_losses(fig, t) -> None:
    """Left: the hinge-type losses against the margin m (y x, or x_y - x_i, or y (x1 - x2)).
    Right: HingeEmbeddingLoss against the distance, for similar and dissimilar pairs."""
    from torch import nn

    m = torch.linspace(-3, 3, 601)
    zero, one = torch.zeros_like(m), torch.ones_like(m)
    # MultiMarginLoss of two classes, target 0, scores (m, 0): one term, divided by C = 2.
    two_classes = torch.stack([m, zero], dim=1)
    target = torch.zeros(len(m), dtype=torch.long)
    curves = {
        "MarginRanking, margin 1 (= MultiMargin term, p = 1)":
            nn.MarginRankingLoss(margin=1.0, reduction="none")(m, zero, one),
        "MarginRanking, margin 0": nn.MarginRankingLoss(reduction="none")(m, zero, one),
        "MultiMargin term, p = 2": 2 * nn.MultiMarginLoss(p=2, reduction="none")(
            two_classes, target),
        "SoftMargin: log(1 + exp(-m))": nn.SoftMarginLoss(reduction="none")(m, one),
    }
    styles = ["-", "--", "-.", "-"]
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
    for (name, loss), style in zip(curves.items(), styles, strict=True):
        left.plot(m, loss, style, label=t(name), linewidth=1.8)
    left.plot(m, (m <= 0).float(), ":", color="gray", linewidth=1.2, label=t("0-1 loss"))
    left.set_ylim(0, 4)
    left.set_xlim(-3, 3)
    left.set_xlabel(t("margin m = y x  (or  x_y - x_i,  y (x1 - x2))"))
    left.set_title(t("loss against the margin"))
    left.legend(fontsize=7.5, loc="upper right")
    d = torch.linspace(0, 3, 301)
    for label, y in (("y = 1 (similar): d", 1.0), ("y = -1 (dissimilar): max(0, 1 - d)", -1.0)):
        right.plot(d, nn.HingeEmbeddingLoss(reduction="none")(d, torch.full_like(d, y)),
                   label=t(label), linewidth=1.8)
    right.axvline(1.0, color="gray", linestyle="--", linewidth=1)
    right.set_ylim(0, 3)
    right.set_xlim(0, 3)
    right.set_xlabel(t("distance d (margin 1)"))
    right.set_title("HingeEmbedding")
    right.legend(fontsize=7.5, loc="upper left")


def train_validation_loss(fig, t) -> None:
    """Train and validation cross-entropy per epoch: the overfitting run of
    docs/training/troubleshooting.md, read from its module (its prints silenced)."""
    import contextlib
    import importlib
    import warnings

    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        page = importlib.import_module("snippets.training.troubleshooting")
    epochs = range(len(page.history))
    ax = fig.add_subplot()
    ax.plot(epochs, [h[0] for h in page.history], label=t("train"), linewidth=1.8)
    ax.plot(epochs, [h[1] for h in page.history], label=t("validation"), linewidth=1.8)
    ax.axvline(page.best_epoch, color="gray", linestyle="--", linewidth=1)
    ax.annotate(t("best validation: epoch {}").format(page.best_epoch),
                xy=(page.best_epoch, page.best_val), xytext=(80, 0.25),
                arrowprops={"arrowstyle": "->", "color": "gray"})
    ax.set_xlabel(t("epoch"))
    ax.set_ylabel(t("cross-entropy"))
    ax.set_xlim(0, len(page.history) - 1)
    ax.set_ylim(0, 0.75)
    ax.legend(fontsize=9, loc="center right")


@functools.cache
def _stream_stds() -> dict[str, list[float]]:
    from snippets.init.experiment import VARIANTS, kaiming_mlp, stream

    model, x = kaiming_mlp()
    with torch.no_grad():
        return {name: stream(model, x, kind, scale)[1]
                for name, (kind, scale) in VARIANTS.items()}


def init_std_residual_layernorm(fig, t) -> None:
    """The 100-layer experiment with a residual stream, scaled branches, pre-LN and post-LN:
    the std after every block, from snippets/init/experiment.py's stream set-up (the same
    `kaiming_mlp` and `stream` as docs/init/deep_networks.md). Left: all five, log scale;
    right: the three that stay bounded, linear scale."""
    from snippets.init.experiment import DEPTH, VARIANTS

    stds = _stream_stds()
    colors = dict(zip(VARIANTS, plt.rcParams["axes.prop_cycle"].by_key()["color"],
                      strict=False))
    log_ax, linear_ax = fig.subplots(1, 2)
    for name, values in stds.items():
        log_ax.plot(range(1, DEPTH + 1), values, label=t(name), color=colors[name],
                    linewidth=1.6)
    log_ax.set_yscale("log")
    log_ax.set_ylabel(t("std of the block's output"))
    log_ax.legend(fontsize=8, loc="upper left")
    for name in ("residual, 1/sqrt(L)", "pre-LN residual", "post-LN residual"):
        linear_ax.plot(range(1, DEPTH + 1), stds[name], label=t(name), color=colors[name],
                       linewidth=1.6)
    linear_ax.set_ylim(0, None)
    linear_ax.legend(fontsize=8, loc="upper left")
    for ax in (log_ax, linear_ax):
        ax.set_xlabel(t("block (layer)"))
        ax.set_xlim(1, DEPTH)


FIGURES = {
    "bernoulli_entropy": bernoulli_entropy,
    "init_std_per_layer": init_std_per_layer,
    "regression_losses": regression_losses,
    "distribution_losses": distribution_losses,
    "margin_losses": margin_losses,
    "train_validation_loss": train_validation_loss,
    "init_std_residual_layernorm": init_std_residual_layernorm,
}


SIZES = {"init_std_per_layer": (7, 4.6), "init_std_residual_layernorm": (11, 4.4),
         "regression_losses": (8, 3.4),
         "distribution_losses": (9, 3.2), "margin_losses": (9, 3.6)}


# Every text a figure shows, in Chinese (keys: the English text passed to ``t``).
ZH = {
    "H(p)  [nats]": "H(p)（单位：奈特）",
    "layer": "层",
    "std of the layer's output": "该层输出的标准差",
    "linear, N(0, 1)": "线性，N(0, 1)",
    "linear, N(0, 1/n)": "线性，N(0, 1/n)",
    "tanh, N(0, 1/n)": "tanh，N(0, 1/n)",
    "tanh, Xavier (gain 5/3)": "tanh，Xavier（增益 5/3）",
    "relu, Xavier (gain 1)": "relu，Xavier（增益 1）",
    "relu, Xavier (gain 5/3)": "relu，Xavier（增益 5/3）",
    "relu, Kaiming": "relu，Kaiming",
    "loss": "损失",
    "gradient": "梯度",
    "residual x - y": "残差 x - y",
    "predicted rate λ": "预测速率 λ",
    "predicted variance": "预测方差",
    "L1": "L1",
    "MSE": "MSE",
    "SmoothL1, β = 2": "SmoothL1，β = 2",
    "Huber, δ = 2": "Huber，δ = 2",
    "q = Q(X = 1), with p = 0.3": "q = Q(X = 1)，p = 0.3",
    "KL divergence": "KL 散度",
    "MarginRanking, margin 1 (= MultiMargin term, p = 1)":
        "MarginRanking，间隔 1（= MultiMargin 的一项，p = 1）",
    "MarginRanking, margin 0": "MarginRanking，间隔 0",
    "MultiMargin term, p = 2": "MultiMargin 的一项，p = 2",
    "SoftMargin: log(1 + exp(-m))": "SoftMargin：log(1 + exp(-m))",
    "0-1 loss": "0-1 损失",
    "margin m = y x  (or  x_y - x_i,  y (x1 - x2))": "间隔 m = y x（或 x_y - x_i、y (x1 - x2)）",
    "loss against the margin": "损失随间隔的变化",
    "y = 1 (similar): d": "y = 1（相似）：d",
    "y = -1 (dissimilar): max(0, 1 - d)": "y = -1（不相似）：max(0, 1 - d)",
    "distance d (margin 1)": "距离 d（间隔 1）",
    "train": "训练集",
    "validation": "验证集",
    "best validation: epoch {}": "验证集损失最小：第 {} 个 epoch",
    "epoch": "epoch",
    "cross-entropy": "交叉熵",
    "plain, Kaiming": "普通 MLP，Kaiming",
    "residual, Kaiming": "残差，Kaiming",
    "residual, 1/sqrt(L)": "残差，1/sqrt(L)",
    "pre-LN residual": "pre-LN 残差",
    "post-LN residual": "post-LN 残差",
    "std of the block's output": "该块输出的标准差",
    "block (layer)": "块（层）",
}
# The first of these the machine has sets the Chinese text (Debian: fonts-noto-cjk).
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
             "WenQuanYi Zen Hei")


def words(lang: str):
    """The ``t`` of a language: English is the text itself; Chinese is looked up in ZH."""
    if lang == "en":
        return lambda text: text

    def chinese(text: str) -> str:
        if text not in ZH:
            raise KeyError(f"snippets/figures.py: no Chinese for the figure text {text!r} "
                           "(add it to ZH)")
        return ZH[text]

    return chinese


@functools.cache
def cjk_font() -> str:
    """The first of CJK_FONTS matplotlib knows. Its font list is cached on disk and not
    rescanned while the cache is current, so a font installed since (by `make serve`) is
    looked for among the system's font files once more before giving up."""
    from matplotlib import font_manager

    def first_known() -> str | None:
        known = {font.name for font in font_manager.fontManager.ttflist}
        return next((name for name in CJK_FONTS if name in known), None)

    if (name := first_known()) is None:
        for path in font_manager.findSystemFonts():
            with contextlib.suppress(Exception):  # a font file matplotlib cannot read
                font_manager.fontManager.addfont(path)
        name = first_known()
    if name is None:
        raise RuntimeError(f"the Chinese figures need one of the fonts {', '.join(CJK_FONTS)}; "
                           "on Debian: apt-get install fonts-noto-cjk (make serve installs "
                           "it); if it is installed, remove matplotlib's font cache "
                           "(~/.cache/matplotlib)")
    return name


def render_svg(draw, lang: str = "en") -> str:
    """Draw one figure in a language and return its SVG text (no timestamp, so it is
    reproducible)."""
    # "sans-serif" ends the list with matplotlib's sans-serif fonts and the generic family:
    # a browser showing the SVG uses the reader's fonts, and falls back to a sans-serif one.
    family = ["DejaVu Sans", cjk_font(), "sans-serif"] if lang == "zh" \
        else ["DejaVu Sans", "sans-serif"]
    with plt.rc_context({"font.family": family}):
        fig = plt.figure(figsize=SIZES.get(draw.__name__, (6, 3.4)), layout="constrained")
        try:
            draw(fig, words(lang))
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    return buffer.getvalue()
