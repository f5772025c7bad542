"""Diagrams of the autograd page: the small computation graph, a tensor and its grad.

Both take the real tensors of the page, so the numbers drawn are the numbers computed.
Figure text is language-neutral: code names, values and formulas only.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from plot import figure


def small_graph(a, b, c, d, e):
    """e = (a + b)(b + 1): forward values in the nodes, local gradients on the edges."""
    fig, ax = figure(6.0, 3.0)
    v = {k: t.item() for k, t in dict(a=a, b=b, c=c, d=d, e=e).items()}
    pos = {"a": (0, 2), "b": (0, 0), "c": (2.4, 2), "d": (2.4, 0), "e": (4.8, 1)}
    label = {
        "a": f"a = {v['a']:g}",
        "b": f"b = {v['b']:g}",
        "c": f"c = a + b\n= {v['c']:g}",
        "d": f"d = b + 1\n= {v['d']:g}",
        "e": f"e = c * d\n= {v['e']:g}",
    }
    edges = [  # (from, to, local gradient, label offset)
        ("a", "c", r"$\partial c/\partial a = 1$", (0, 0.15)),
        ("b", "c", r"$\partial c/\partial b = 1$", (-0.55, 0.1)),
        ("b", "d", r"$\partial d/\partial b = 1$", (0, -0.45)),
        ("c", "e", rf"$\partial e/\partial c = d = {v['d']:g}$", (0.35, 0.2)),
        ("d", "e", rf"$\partial e/\partial d = c = {v['c']:g}$", (0.35, -0.55)),
    ]
    for src, dst, text, (dx, dy) in edges:
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color="gray", lw=1.5,
                                    shrinkA=27, shrinkB=29))
        ax.text((x0 + x1) / 2 + dx, (y0 + y1) / 2 + dy, text, ha="center",
                va="bottom", fontsize=9, color="tab:red")
    for name, (px, py) in pos.items():
        color = "tab:blue" if name in "ab" else "tab:orange"
        ax.add_patch(plt.Circle((px, py), 0.5, color=color, alpha=0.25))
        ax.text(px, py, label[name], ha="center", va="center", fontsize=9)
    ax.text(4.8, -0.35,
            f"a.grad = 1*{v['d']:g} = {a.grad.item():g}\n"
            f"b.grad = 1*{v['d']:g} + 1*{v['c']:g} = {b.grad.item():g}",
            ha="center", va="top", fontsize=9, color="tab:red")
    ax.set_xlim(-0.6, 5.8)
    ax.set_ylim(-1.1, 2.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def tensor_and_grad(w):
    """A tensor `w` as two boxes, its value and its grad, and what changes each."""
    fig, ax = figure(5.6, 2.4)
    ax.add_patch(FancyBboxPatch((0.02, 0.2), 0.96, 0.76, boxstyle="round,pad=0.02",
                                fc="whitesmoke", ec="black", lw=1.5))
    ax.text(0.5, 0.88, "w", ha="center", va="center", fontsize=14, weight="bold",
            family="monospace")
    boxes = [
        (0.07, "w.detach()", str(w.detach()), "tab:blue"),
        (0.53, "w.grad", f"{w.grad}\n"
         + r"$\partial\, \mathrm{loss} / \partial w$", "tab:red"),
    ]
    for x0, title, text, color in boxes:
        ax.add_patch(FancyBboxPatch((x0, 0.27), 0.40, 0.48, boxstyle="round,pad=0.02",
                                    fc=color, alpha=0.15, ec=color, lw=1.5))
        ax.text(x0 + 0.20, 0.64, title, ha="center", va="center", fontsize=11,
                weight="bold", color=color, family="monospace")
        ax.text(x0 + 0.20, 0.42, text, ha="center", va="center", fontsize=9)
    ax.text(0.12, 0.08, "with torch.no_grad():\n    w -= lr * w.grad", ha="left",
            va="center", multialignment="left", fontsize=8.5, family="monospace",
            color="tab:blue")
    ax.text(0.73, 0.08, "loss.backward()", ha="center", va="center", fontsize=8.5,
            family="monospace", color="tab:red")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.05, 1)
    ax.axis("off")
    return fig
