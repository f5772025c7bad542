"""Figures of docs/augmentation-transfer.*.md that are not the lesson."""
from __future__ import annotations

import plot


def strips(results: dict, ylabel: str = "val acc"):
    """One column of points per method (one point per seed) with its mean as a bar."""
    _, ax = plot.figure(5.0, 3.2)
    for i, (name, values) in enumerate(results.items()):
        ax.scatter([i] * len(values), values, color=f"C{i}", alpha=0.7, zorder=3)
        mean = sum(values) / len(values)
        ax.hlines(mean, i - 0.25, i + 0.25, color=f"C{i}", linewidth=2.5)
    ax.set_xticks(range(len(results)), list(results))
    ax.set_xlim(-0.6, len(results) - 0.4)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    return ax
