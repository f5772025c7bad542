"""Figures of the stochastic-gradient-descent page that are not its lesson.

Figure text is language-neutral: symbols, code names and numbers only.
"""
from __future__ import annotations

import numpy as np

from plot import figure


def batch_size_curves(results: dict, n: int):
    """Loss on the whole data set after every update, for several batch sizes.

    `results` maps a label to (batch_size, losses), losses[0] being the loss before
    training. Left: against epochs (passes over the n samples); right: against the
    number of updates, on a log scale.
    """
    fig, axes = figure(9, 3.4, ncols=2)
    for name, (batch_size, losses) in results.items():
        # at most about 300 points per curve: evenly spaced for the left panel,
        # geometrically spaced for the logarithmic right one (keeps the SVG light)
        last = len(losses) - 1
        even = sorted(set(np.linspace(0, last, 300).round().astype(int)))
        geometric = sorted(set(np.geomspace(1, last, 300).round().astype(int)))
        axes[0].plot([u * batch_size / n for u in even], [losses[u] for u in even],
                     label=name)
        axes[1].plot(geometric, [losses[u] for u in geometric], label=name)
    axes[0].set_xlabel("epoch")
    axes[1].set_xlabel("updates")
    axes[1].set_xscale("log")
    for ax in axes:
        ax.set_yscale("log")
        ax.set_ylabel(f"MSE (N = {n})")
        ax.grid(alpha=0.3)
        ax.legend()
    return fig
