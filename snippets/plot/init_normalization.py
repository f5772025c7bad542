"""Figures of the chapter on initialization and normalization (init-normalization).

Only language-neutral text: the code's names, symbols and numbers.
"""
from __future__ import annotations

import matplotlib.pyplot as plt


def layer_stats(stats: dict):
    """Two panels over the layers: std of each layer's output (left), of its gradient (right).

    `stats` maps a name to (activation stds, gradient stds), one value per layer.
    """
    fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.2), layout="constrained")
    ylabels = [r"$\mathrm{std}(z_l)$",
               r"$\mathrm{std}(\partial \mathcal{L} / \partial z_l)$"]
    for i, (ax, ylabel) in enumerate(zip(axes, ylabels)):
        for name, values in stats.items():
            layers = range(1, len(values[i]) + 1)
            ax.plot(layers, values[i], marker="o", markersize=3, label=name)
        ax.set_yscale("log")
        ax.set_xlabel(r"$l$")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    return fig
