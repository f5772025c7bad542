"""Chapter diagram of docs/data.*.md: a data set split into parts, drawn as one bar."""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

COLORS = ("#4c72b0", "#dd8452", "#55a868", "#8172b3")


def split_bar(parts: dict, width: float = 6.0, height: float = 0.9):
    """A horizontal bar cut into named parts, e.g. {"train_set": 70, "val_set": 30}."""
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    total = sum(parts.values())
    left = 0
    for (name, size), color in zip(parts.items(), COLORS):
        ax.add_patch(Rectangle((left, 0), size, 1, facecolor=color, edgecolor="white",
                               linewidth=2))
        ax.text(left + size / 2, 0.5, f"{name}\n{100 * size / total:.0f}%", ha="center",
                va="center", color="white", fontsize=9)
        left += size
    ax.set_xlim(0, total)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    return fig
