"""Diagrams of the modules chapter (docs/modules.*.md).

Every function draws one figure and returns it; the page calls `plt.show()`. All text is
language-neutral (symbols, code names, numbers).
"""
from __future__ import annotations

from matplotlib.patches import Circle

import plot


def draw_linear(n_in: int = 3, n_out: int = 2):
    """nn.Linear(n_in, n_out) drawn: an arrow per weight A[j, i], a bias per output."""
    fig, ax = plot.figure(4.6, 0.9 * max(n_in, n_out) + 0.9)
    top = max(n_in, n_out) - 1
    xs = [(0.0, top - i * top / max(n_in - 1, 1)) for i in range(n_in)]
    ys = [(3.0, top - (j + 0.5) * top / n_out) for j in range(n_out)]
    for i, (x0, y0) in enumerate(xs):
        for j, (x1, y1) in enumerate(ys):
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                        arrowprops=dict(arrowstyle="-|>", color="gray", lw=1.1,
                                        shrinkA=15, shrinkB=15))
            if i == 0:
                ax.text(0.55 * x1, y0 + 0.55 * (y1 - y0) + 0.1,
                        f"$A_{{{j + 1}{i + 1}}}$", fontsize=9, color="tab:red",
                        ha="center")
    for i, (px, py) in enumerate(xs):
        ax.add_patch(Circle((px, py), 0.28, color="tab:blue", alpha=0.3))
        ax.text(px, py, f"$x_{i + 1}$", ha="center", va="center")
    for j, (px, py) in enumerate(ys):
        ax.add_patch(Circle((px, py), 0.28, color="tab:orange", alpha=0.3))
        ax.text(px, py, f"$y_{j + 1}$", ha="center", va="center")
        ax.text(px + 0.4, py, f"$+\\,b_{j + 1}$", va="center", color="tab:green")
    ax.text(1.5, top + 0.45,
            rf"$y_j = \sum_i A_{{ji}} x_i + b_j$,  A: ({n_out}, {n_in})",
            ha="center", fontsize=10)
    ax.set_xlim(-0.6, 4.1)
    ax.set_ylim(-0.5, top + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def draw_module_tree(model):
    """A container and its children, with the shapes of each child's parameters."""
    children = list(model.named_children())
    width = 1.9 * len(children)
    fig, ax = plot.figure(width + 0.4, 2.0)
    total = sum(p.numel() for p in model.parameters())
    ax.text(width / 2, 1.85, f"model.parameters(): {total}", ha="center", va="center",
            family="monospace", fontsize=9,
            bbox=dict(boxstyle="round", fc="tab:blue", alpha=0.25))
    for k, (name, child) in enumerate(children):
        cx = 1.9 * k + 0.95
        ax.annotate("", xy=(cx, 1.22), xytext=(width / 2, 1.7),
                    arrowprops=dict(arrowstyle="-|>", color="gray"))
        ax.text(cx, 1.05, f"{name}: {type(child).__name__}", ha="center", va="center",
                family="monospace", fontsize=9,
                bbox=dict(boxstyle="round", fc="tab:orange", alpha=0.25))
        shapes = [f"{n} {tuple(p.shape)}" for n, p in child.named_parameters()]
        ax.text(cx, 0.55, "\n".join(shapes) if shapes else "—", ha="center",
                va="center", family="monospace", fontsize=8,
                color="tab:red" if shapes else "gray")
    ax.set_xlim(0, width)
    ax.set_ylim(0.25, 2.05)
    ax.axis("off")
    return fig
