"""Figures of the attention page: kernel-regression fits and attention-weight heat maps.

Only symbols, numbers and the names' letters appear in the figures, so both languages share them.
Each function draws on a new figure and returns it; the page calls `plt.show()`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt

from plot import figure


def pooling_fits(x_test, y_truth, x_train, y_train, fits: dict):
    """The training points, the true curve (dashed) and each named prediction."""
    fig, ax = figure(6.0, 3.2)
    ax.plot(x_train, y_train, "o", color="0.6", markersize=4, label="$(x_i, y_i)$")
    ax.plot(x_test, y_truth, "k--", label="$f(x)$")
    for name, y in fits.items():
        ax.plot(x_test, y, label=name)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


def heatmaps(matrices: dict, xlabel: str = "", ylabel: str = ""):
    """Attention-weight matrices side by side (rows: queries, columns: keys), one colour scale."""
    fig, axes = plt.subplots(1, len(matrices), figsize=(3.2 * len(matrices), 3.2),
                             layout="constrained", squeeze=False)
    top = max(float(m.max()) for m in matrices.values())
    for ax, (name, m) in zip(axes[0], matrices.items()):
        image = ax.imshow(m, cmap="Reds", vmin=0, vmax=top, aspect="auto")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8)
    return fig


def letters(names, weights):
    """One row per name, one cell per letter, shaded by its attention weight."""
    longest = max(len(n) for n in names)
    fig, ax = figure(0.45 * longest + 1.5, 0.45 * len(names) + 0.6)
    ax.imshow(weights[:, :longest], cmap="Reds", vmin=0, aspect="auto")
    for i, name in enumerate(names):
        for j, ch in enumerate(name):
            w = float(weights[i, j])
            ax.text(j, i, ch, ha="center", va="center", fontsize=10,
                    color="white" if w > 0.5 * float(weights.max()) else "black")
    ax.set_xticks(range(longest), [str(t) for t in range(longest)])
    ax.set_yticks([])
    ax.set_xlabel("$t$")
    return fig
