"""Chapter diagram of docs/multi-dim-input.*.md: a stack of fully connected layers."""
from __future__ import annotations

import matplotlib.pyplot as plt


def network(sizes, layer_names, shapes, inputs=None, width: float = 6.4, height: float = 3.6):
    """Columns of neurons joined by every edge of a fully connected layer.

    sizes: neurons per column, e.g. (10, 6, 4, 1); layer_names: one label per gap between
    columns (e.g. "Linear(10, 6)"); shapes: one label per column (e.g. "(N, 10)");
    inputs: optional names written left of the input neurons.
    """
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    tallest = max(sizes)
    center = (tallest - 1) / 2
    columns = [[(i * 3.0, center + (n - 1) / 2 - k) for k in range(n)] for i, n in enumerate(sizes)]
    for left, right in zip(columns, columns[1:]):
        for x0, y0 in left:
            for x1, y1 in right:
                ax.plot([x0, x1], [y0, y1], color="#9aa5b1", linewidth=0.5, zorder=1)
    for i, column in enumerate(columns):
        xs, ys = zip(*column)
        color = "#4c72b0" if i == 0 else ("#dd8452" if i == len(columns) - 1 else "#55a868")
        ax.scatter(xs, ys, s=90, color=color, edgecolor="white", zorder=2)
        ax.text(xs[0], -1.1, shapes[i], ha="center", va="top", fontsize=9)
    for name, (x, y) in zip(inputs or [], columns[0]):
        ax.text(x - 0.35, y, name, ha="right", va="center", fontsize=8)
    for i, name in enumerate(layer_names):
        ax.text(i * 3.0 + 1.5, tallest - 0.2, name, ha="center", va="bottom", fontsize=8)
    ax.set_xlim(-1.6 if inputs else -0.8, (len(sizes) - 1) * 3.0 + 0.8)
    ax.set_ylim(-2.0, tallest + 0.6)
    ax.axis("off")
    return fig
