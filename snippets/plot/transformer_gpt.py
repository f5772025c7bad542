"""Figures of the transformer-gpt page: the sinusoidal positional encoding and the loss curves.

Only symbols and numbers appear in the figures (no Chinese characters: the build machine has no
CJK font), so both languages share them; line styles are explained in the page's captions.
"""
from __future__ import annotations

import matplotlib.pyplot as plt

from plot import figure


def draw_positions(pe):
    """Heat map of a (positions, d_model) positional-encoding matrix; returns the figure."""
    fig, ax = figure(6.0, 3.2)
    image = ax.imshow(pe.T, aspect="auto", cmap="RdBu", vmin=-1, vmax=1, origin="lower")
    ax.set_xlabel(r"$t$")
    ax.set_ylabel(r"$i$")
    fig.colorbar(image, ax=ax, label=r"$PE_{t,i}$")
    return fig


def draw_losses(histories, baselines):
    """Training (solid) and validation (dashed) loss per seed, baselines as dotted lines."""
    fig, ax = figure(6.0, 3.5)
    for k, history in enumerate(histories):
        steps = [h[0] for h in history]
        color = f"C{k}"
        ax.plot(steps, [h[1] for h in history], color=color, marker="o", markersize=3,
                label=f"seed={k}")
        ax.plot(steps, [h[2] for h in history], color=color, linestyle="--", marker="o",
                markersize=3)
    for j, (name, value) in enumerate(baselines.items()):
        ax.axhline(value, color="gray", linestyle=":", linewidth=1)
        # labels above and below their lines in turn, so that close baselines stay readable
        ax.annotate(name, (steps[-1], value), textcoords="offset points",
                    xytext=(4, 2 if j % 2 == 0 else -10), fontsize=9, color="gray")
    ax.set_xlabel("step")
    ax.set_ylabel(r"$\mathcal{L}$")
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


__all__ = ["draw_positions", "draw_losses", "plt"]
