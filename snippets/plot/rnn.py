"""Diagrams of the recurrent-network pages (rnn-basics, rnn-advanced): boxes and arrows.

Only symbols and code names appear in the figures ($x_t$, $h_t$, `RNNCell`), so both languages
share them. Each function draws on a new figure and returns it; the page calls `plt.show()`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

BOX_W, BOX_H = 1.1, 0.6
CELL = "#fde0c5"
CELL_BACK = "#cfe3f5"
EDGE = "#444444"
BLUE = "#3b78b0"


def _box(ax, x, y, text, color=CELL, width=BOX_W, height=BOX_H, fontsize=10):
    """A rounded box centred on (x, y) with `text` in it."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.04,rounding_size=0.1",
                                facecolor=color, edgecolor=EDGE, linewidth=1.2))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, family="monospace")


def _arrow(ax, start, end, color=EDGE, **kwargs):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12,
                                 color=color, linewidth=1.3, shrinkA=0, shrinkB=0, **kwargs))


def _canvas(width, height, xlim, ylim):
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig, ax


def draw_unrolled(steps: int = 4, label: str = "RNNCell"):
    """Left: one cell looping back into itself; right: the same cell unrolled over `steps` steps."""
    gap = 1.9  # distance between the unrolled cells
    first = 4.1  # x of the first unrolled cell
    fig, ax = _canvas(8.2, 2.6, (-1.0, first + gap * (steps - 1) + 0.9), (-1.25, 1.3))
    low, high = -BOX_H / 2, BOX_H / 2

    # the folded view: x_t in, h_t out, h_t fed back as the next step's h_{t-1}
    _box(ax, 0, 0, label)
    _arrow(ax, (0, -1.0), (0, low - 0.05))
    ax.text(0, -1.05, r"$x_t$", ha="center", va="top", fontsize=12)
    _arrow(ax, (0, high + 0.05), (0, 1.0))
    ax.text(0, 1.05, r"$h_t$", ha="center", va="bottom", fontsize=12)
    _arrow(ax, (BOX_W / 2 + 0.05, 0.15), (BOX_W / 2 + 0.05, -0.15),
           connectionstyle="arc,angleA=0,angleB=0,armA=30,armB=30,rad=10")
    ax.text(BOX_W / 2 + 0.6, 0, r"$h_{t-1}$", ha="left", va="center", fontsize=11)
    ax.text(2.25, 0, "=", ha="center", va="center", fontsize=20)

    # the unrolled view: the same cell (the same weights) at every step
    ax.text(first - gap / 2 - 0.25, 0, r"$h_0$", ha="right", va="center", fontsize=12)
    for t in range(1, steps + 1):
        x = first + gap * (t - 1)
        _box(ax, x, 0, label)
        _arrow(ax, (x, -1.0), (x, low - 0.05))
        ax.text(x, -1.05, rf"$x_{t}$", ha="center", va="top", fontsize=12)
        _arrow(ax, (x, high + 0.05), (x, 1.0))
        ax.text(x, 1.05, rf"$h_{t}$", ha="center", va="bottom", fontsize=12)
        left = x - gap + BOX_W / 2 + 0.05 if t > 1 else first - gap / 2 - 0.2
        _arrow(ax, (left, 0), (x - BOX_W / 2 - 0.05, 0))
        if t > 1:
            ax.text(x - gap / 2, 0.08, rf"$h_{t - 1}$", ha="center", va="bottom", fontsize=10)
    return fig


def draw_bidirectional(steps: int = 4):
    """Two GRUs read the sequence in opposite directions; each step's output joins both states."""
    gap = 1.9
    w, h, dx = 0.7, 0.5, 0.3  # box size; each direction's box sits dx left or right of x_t
    fig, ax = _canvas(7.2, 3.9, (-1.5, gap * (steps - 1) + 1.1), (-1.75, 2.85))
    forward_y, backward_y, top = 0.0, 1.2, 2.3
    for t in range(1, steps + 1):
        x = gap * (t - 1)
        _box(ax, x - dx, forward_y, "GRU", width=w, height=h)
        _box(ax, x + dx, backward_y, "GRU", color=CELL_BACK, width=w, height=h)
        ax.text(x, -1.4, rf"$x_{t}$", ha="center", va="top", fontsize=12)
        _arrow(ax, (x - dx, -1.35), (x - dx, forward_y - h / 2 - 0.05))
        _arrow(ax, (x + dx, -1.35), (x + dx, backward_y - h / 2 - 0.05), color=BLUE)
        _arrow(ax, (x - dx, forward_y + h / 2 + 0.05), (x - dx, top))
        _arrow(ax, (x + dx, backward_y + h / 2 + 0.05), (x + dx, top), color=BLUE)
        ax.text(x, top + 0.05, rf"$[\overrightarrow{{h}}_{t}; \overleftarrow{{h}}_{t}]$",
                ha="center", va="bottom", fontsize=11)
        if t < steps:
            left, right = x + w / 2 + 0.05, x + gap - w / 2 - 0.05  # the gap between two boxes
            _arrow(ax, (left - dx, forward_y), (right - dx, forward_y))
            _arrow(ax, (right + dx, backward_y), (left + dx, backward_y), color=BLUE)
    edge = -dx - w / 2 - 0.2
    ax.text(edge, forward_y, r"$\overrightarrow{h}$", ha="right", va="center", fontsize=12)
    ax.text(edge, backward_y, r"$\overleftarrow{h}$", ha="right", va="center", fontsize=12,
            color=BLUE)
    return fig
