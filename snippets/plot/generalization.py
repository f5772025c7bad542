"""Chapter figures of docs/generalization.*.md: loss curves told apart by line style."""
from __future__ import annotations

from . import figure


def loss_curves(series: dict, best: int | None = None):
    """Loss per epoch on a log scale. `series` maps a line style ("-", "--", ":") to the
    losses of epochs 1, 2, ...; a dotted gray line marks epoch `best`. Returns the axes."""
    _, ax = figure(6.0, 3.3)
    for style, losses in series.items():
        ax.plot(range(1, len(losses) + 1), losses, linestyle=style, linewidth=1.6)
    if best is not None:
        ax.axvline(best, color="gray", linestyle=":", linewidth=1)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"$\mathcal{L}$")
    ax.grid(alpha=0.3)
    return ax
