"""Figures of the learning-rate schedules chapter (docs/lr-schedules.*.md).

Only language-neutral text: the code's names, symbols and numbers.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from plot import figure


def lr_curves(traces: dict, xlabel: str, ylabel: str, mark: int | None = None, logy=False):
    """The learning rate of each named schedule per step; `mark` draws a dashed line at a step."""
    _, ax = figure(6.4, 3.2)
    styles = ["-", "--", ":"]
    for (name, lrs), style in zip(traces.items(), styles):
        ax.plot(range(len(lrs)), lrs, style, label=name)
    if mark is not None:
        ax.axvline(mark, color="gray", linestyle="--", linewidth=1)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def seed_curves(runs: dict, xlabel: str, ylabel: str):
    """For each name, a list of curves (one per seed): thin lines per seed, a thick mean."""
    _, ax = figure(6.4, 3.4)
    for (name, curves), color in zip(runs.items(), ["C0", "C1", "C2"]):
        curves = np.asarray(curves)
        x = np.arange(1, curves.shape[1] + 1)
        ax.plot(x, curves.T, color=color, alpha=0.25, linewidth=0.8)
        ax.plot(x, curves.mean(axis=0), color=color, linewidth=2, label=name)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def norm_panels(logs: dict, max_norm: float):
    """Left: the total gradient norm per step before clipping (log scale) with max_norm dashed;
    right: the loss per step. `logs` maps a name to {"before": [...], "loss": [...]}."""
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.2), layout="constrained", sharex=True)
    for name, log in logs.items():
        axes[0].plot(log["before"], linewidth=0.9, label=name)
        axes[1].plot(log["loss"], linewidth=0.9, label=name)
    axes[0].axhline(max_norm, color="gray", linestyle="--", linewidth=1)
    axes[0].set_yscale("log")
    axes[0].set_ylabel(r"$\|g\|$")
    axes[1].set_ylabel("loss")
    for ax in axes:
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=8)
    return fig
