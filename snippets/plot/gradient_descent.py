"""Figures of the gradient-descent page that are not its lesson.

Figure text is language-neutral: symbols, formulas and numbers only.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from plot import figure


def cost_contour(W, B, cost, levels=(0.1, 0.5, 1, 2, 4, 8, 16, 32)):
    """Contour lines of a cost over a (w, b) grid from np.meshgrid; returns the axes."""
    _, ax = figure(4.0, 3.6)
    lines = ax.contour(W, B, cost, levels=list(levels), cmap="viridis")
    ax.clabel(lines, fontsize=8)
    ax.set_xlabel("$w$")
    ax.set_ylabel("$b$")
    ax.set_aspect("equal")
    return ax


def chord(ax, f, a, b, label, xs=None):
    """Draw f on [-4, 4] and the chord from (a, f(a)) to (b, f(b)) on the axes."""
    xs = torch.linspace(-4, 4, 200) if xs is None else xs
    ends = torch.tensor([a, b])
    ax.plot(xs, f(xs), label=label)
    ax.plot(ends, f(ends), "r--o", label=r"$\lambda f(a) + (1 - \lambda) f(b)$")
    ax.set_xlabel("$x$")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", fontsize=8)
    return ax


def saddle_surface(f, lim=2.0, n=25):
    """A small, coarse 3D surface of z = f(x, y), origin marked; returns the axes."""
    fig = plt.figure(figsize=(4.4, 3.4), layout="constrained")
    ax = fig.add_subplot(projection="3d")
    gx, gy = np.meshgrid(np.linspace(-lim, lim, n), np.linspace(-lim, lim, n))
    z = f(torch.tensor(np.stack([gx, gy]))).numpy()
    ax.plot_surface(gx, gy, z, cmap="coolwarm", alpha=0.7, rstride=2, cstride=2,
                    linewidth=0.2, edgecolor="gray")
    ax.scatter([0], [0], [0], color="black", s=40, depthshade=False)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_zlabel("$z$")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_ticks([-lim, 0, lim])
    ax.tick_params(labelsize=7)
    return ax
