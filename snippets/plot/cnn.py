"""Diagrams of the convolution chapters (cnn-basics, cnn-advanced): drawing code kept out of the lessons.

Every text drawn is language-neutral: numbers, layer names as PyTorch spells them, symbols.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, Rectangle

from plot import images


def _grid(ax, values, x0, y0, highlight=None, color="#4c72b0", fmt="{:g}"):
    """Draw a 2-D array as a grid of numbered cells, its top-left corner at (x0, y0)."""
    rows, cols = len(values), len(values[0])
    for r in range(rows):
        for c in range(cols):
            lit = highlight is not None and highlight[0] <= r < highlight[2] and highlight[1] <= c < highlight[3]
            ax.add_patch(Rectangle((x0 + c, y0 - r - 1), 1, 1, facecolor=color if lit else "white",
                                   alpha=0.35 if lit else 1.0, edgecolor="black", linewidth=0.8))
            ax.text(x0 + c + 0.5, y0 - r - 0.5, fmt.format(float(values[r][c])), ha="center", va="center",
                    fontsize=9)


def convolution(x, kernel, out, at=(0, 0)):
    """Input * kernel = output, with the window that gives output[at] and that output cell highlighted."""
    x, kernel, out = x.tolist(), kernel.tolist(), out.tolist()
    k = len(kernel)
    i, j = at
    fig, ax = plt.subplots(figsize=(7.2, 2.6), layout="constrained")
    width = len(x[0])
    _grid(ax, x, 0, 0, highlight=(i, j, i + k, j + k))
    ax.text(width + 0.6, -len(x) / 2, "$\\star$", fontsize=26, ha="center", va="center")
    _grid(ax, kernel, width + 1.2, -(len(x) - k) / 2, highlight=(0, 0, k, k), color="#dd8452")
    ax.text(width + k + 1.8, -len(x) / 2, "=", fontsize=18, ha="center", va="center")
    _grid(ax, out, width + k + 2.4, -(len(x) - len(out)) / 2, highlight=(i, j, i + 1, j + 1), color="#55a868")
    ax.set_xlim(-0.2, width + k + 2.6 + len(out[0]))
    ax.set_ylim(-len(x) - 0.2, 0.2)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig


def _box(ax, x, y, text, color, w=1.9, h=0.55):
    ax.add_patch(Rectangle((x - w / 2, y - h / 2), w, h, facecolor=color, edgecolor="black", linewidth=0.8))
    ax.text(x, y, text, ha="center", va="center", fontsize=8.5)


def _arrow(ax, start, end):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, linewidth=0.9, color="black"))


def inception(c1, c3r, c3, c5r, c5, pool):
    """The four branches of an Inception block, with their channel counts, joined by torch.cat."""
    fig, ax = plt.subplots(figsize=(7.2, 3.4), layout="constrained")
    reduce_color, conv_color, pool_color = "#c6dbef", "#fdd0a2", "#d9d9d9"
    xs = [0, 2.3, 4.6, 6.9]
    _box(ax, 3.45, 4.0, "x", "white", w=1.2)
    columns = [
        [(f"1×1 conv, {c1}", reduce_color)],
        [(f"1×1 conv, {c3r}", reduce_color), (f"3×3 conv, {c3}", conv_color)],
        [(f"1×1 conv, {c5r}", reduce_color), (f"5×5 conv, {c5}", conv_color)],
        [("3×3 max pool", pool_color), (f"1×1 conv, {pool}", reduce_color)],
    ]
    for x, column in zip(xs, columns):
        _arrow(ax, (3.45, 3.72), (x, 3.08))
        y = 2.8
        for n, (text, color) in enumerate(column):
            if n:
                _arrow(ax, (x, y + 0.85 - 0.28), (x, y + 0.28))
            _box(ax, x, y, text, color)
            last = y
            y -= 0.85
        _arrow(ax, (x, last - 0.28), (3.45, 0.58))
    _box(ax, 3.45, 0.3, f"torch.cat(dim=1): {c1 + c3 + c5 + pool}", "#c7e9c0", w=2.6)
    ax.set_xlim(-1.1, 8.0)
    ax.set_ylim(-0.1, 4.4)
    ax.set_axis_off()
    return fig


def residual():
    """A plain two-layer block beside a residual block: the same layers, plus the identity path."""
    fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.4), layout="constrained")
    for ax, shortcut in zip(axes, (False, True)):
        _box(ax, 1.0, 4.0, "x", "white", w=1.0)
        _box(ax, 1.0, 3.0, "3×3 conv", "#fdd0a2")
        _box(ax, 1.0, 2.2, "ReLU", "#c6dbef")
        _box(ax, 1.0, 1.4, "3×3 conv", "#fdd0a2")
        _arrow(ax, (1.0, 3.72), (1.0, 3.28))
        _arrow(ax, (1.0, 2.72), (1.0, 2.48))
        _arrow(ax, (1.0, 1.92), (1.0, 1.68))
        if shortcut:
            ax.text(1.0, 0.7, "+", ha="center", va="center", fontsize=14,
                    bbox=dict(boxstyle="circle", facecolor="white"))
            _arrow(ax, (1.0, 1.12), (1.0, 0.88))
            ax.plot([1.5, 2.3, 2.3], [4.0, 4.0, 0.7], color="black", linewidth=0.9)
            _arrow(ax, (2.3, 0.7), (1.22, 0.7))
            ax.text(2.4, 2.3, "x", fontsize=10, va="center")
            ax.text(-0.05, 0.7, "$F(x) + x$", fontsize=10, ha="right", va="center")
        else:
            ax.text(-0.05, 1.4, "$F(x)$", fontsize=10, ha="right", va="center")
        _box(ax, 1.0, -0.1, "ReLU", "#c6dbef")
        _arrow(ax, (1.0, 0.5 if shortcut else 1.12), (1.0, 0.18))
        ax.set_xlim(-1.1, 2.9)
        ax.set_ylim(-0.5, 4.4)
        ax.set_axis_off()
    return fig


def filters(weights, columns: int = 8, size: float = 0.9):
    """Small kernels (K, kH, kW) as images on one symmetric color scale: red > 0, blue < 0."""
    limit = float(abs(weights).max())
    return images(list(weights), labels=range(len(weights)), columns=columns, size=size, cmap="RdBu_r",
                  vmin=-limit, vmax=limit)
