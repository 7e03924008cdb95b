"""Figures drawn at build time by hooks/figures.py; pages link to assets/figures/<name>.svg.

Each entry of FIGURES draws on a fresh matplotlib Figure. Labels stay in math and
English-free symbols where possible, so one figure serves both languages.
"""

from __future__ import annotations

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


def bernoulli_entropy(fig) -> None:
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
    ax.set_ylabel("H(p)  [nats]")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 0.75)


def init_std_per_layer(fig) -> None:
    """The 100-layer experiment of docs/init/variance.md, one line per strategy."""
    from snippets.init.experiment import DEPTH, STRATEGIES, run

    ax = fig.add_subplot()
    for name, (init, activation) in STRATEGIES.items():
        _, stds = run(init, activation)
        ax.plot(range(len(stds)), stds, label=name, linewidth=1.6)
    ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel("std of the layer's output")
    ax.set_xlim(0, DEPTH - 1)
    ax.legend(fontsize=8, ncol=2, loc="upper right")


FIGURES = {
    "bernoulli_entropy": bernoulli_entropy,
    "init_std_per_layer": init_std_per_layer,
}


SIZES = {"init_std_per_layer": (7, 4.6)}


def render_svg(draw) -> str:
    """Draw one figure and return its SVG text (no timestamp, so it is reproducible)."""
    fig = plt.figure(figsize=SIZES.get(draw.__name__, (6, 3.4)), layout="constrained")
    try:
        draw(fig)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    return buffer.getvalue()
