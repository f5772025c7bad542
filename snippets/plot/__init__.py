"""Plotting helpers shared by the pages, as d2l keeps `d2l.plot`: the lesson's code stays in view.

A page imports what it needs (`import plot` or `from plot.backprop import ...`); snippets/ is on
the kernel's path. Figures carry no title (the page gives each one a numbered caption in its own
language) and only language-neutral text: symbols, formulas, numbers and code names.
Chapter-specific diagrams live in `plot/<page>.py` (e.g. `plot/backprop.py`).
"""
from __future__ import annotations

import matplotlib.pyplot as plt


def figure(width: float = 6.0, height: float = 3.5, **kwargs):
    """A new figure and axes with the site's default size; returns (fig, ax)."""
    return plt.subplots(figsize=(width, height), layout="constrained", **kwargs)


def curves(x, series: dict, xlabel: str = "", ylabel: str = "", logy: bool = False, ax=None, **style):
    """Line plot of several named series over the same x; returns the axes."""
    if ax is None:
        _, ax = figure()
    for name, ys in series.items():
        ax.plot(x, ys, label=name, **style)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if len(series) > 1:
        ax.legend()
    ax.grid(alpha=0.3)
    return ax


def images(pictures, labels=None, columns: int = 8, size: float = 0.9, cmap: str = "gray_r",
           **imshow):
    """A grid of small images (2-D arrays or tensors), each with an optional label; `imshow` options
    (e.g. vmin, vmax) apply to every image."""
    pictures = list(pictures)
    rows = (len(pictures) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(columns * size, rows * size * 1.15),
                             layout="constrained", squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < len(pictures):
            ax.imshow(pictures[i], cmap=cmap, **imshow)
            if labels is not None:
                ax.set_title(str(labels[i]), fontsize=9)
    return fig


def confusion(matrix, labels=None, ax=None):
    """A confusion matrix as a heat map with its counts written in the cells (rows: true class)."""
    import numpy as np

    matrix = np.asarray(matrix)
    if ax is None:
        _, ax = figure(4.2, 4.0)
    ax.imshow(matrix, cmap="Blues")
    n = matrix.shape[0]
    ticks = range(n)
    labels = list(labels) if labels is not None else [str(i) for i in ticks]
    ax.set_xticks(ticks, labels)
    ax.set_yticks(ticks, labels)
    ax.set_xlabel(r"$\hat{y}$")
    ax.set_ylabel(r"$y$")
    limit = matrix.max() / 2 if matrix.size else 0
    for i in range(n):
        for j in range(n):
            ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if matrix[i, j] > limit else "black")
    return ax
