"""Diagrams of the backpropagation chapter (docs/backprop.*.md): boxes, circles, arrows.

Every function draws one figure and returns it; the page calls `plt.show()`. All text is
language-neutral (symbols and formulas); the page gives the caption in its own language.
"""
from __future__ import annotations

from matplotlib.patches import Circle, FancyBboxPatch

import plot

COLORS = {"data": "tab:blue", "op": "tab:gray", "param": "tab:green",
          "out": "tab:orange"}
GRAD = "tab:red"


def draw_layer(n_in: int = 5, n_out: int = 6):
    """A fully connected layer: each input joined to each output, a weight per line."""
    fig, ax = plot.figure(3.4, 3.6)
    xs = [(0.0, (n_out - n_in) / 2 + i) for i in range(n_in)]
    hs = [(3.0, float(j)) for j in range(n_out)]
    for px, py in xs:
        for qx, qy in hs:
            ax.plot([px, qx], [py, qy], color="gray", lw=0.7, alpha=0.7, zorder=1)
    for i, (px, py) in enumerate(xs):
        ax.add_patch(Circle((px, py), 0.25, color=COLORS["data"], zorder=2))
        ax.text(px - 0.4, py, f"$x_{i + 1}$", ha="right", va="center")
    for j, (qx, qy) in enumerate(hs):
        ax.add_patch(Circle((qx, qy), 0.25, color=COLORS["out"], zorder=2))
        ax.text(qx + 0.4, qy, f"$h_{j + 1}$", ha="left", va="center")
    ax.text(1.5, n_out - 0.3, rf"$h = xW + b,\ \ W: {n_in} \times {n_out}$",
            ha="center", va="bottom")
    ax.set_xlim(-1.0, 4.0)
    ax.set_ylim(-0.5, n_out + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


BOX_W, BOX_H, GAP = 0.9, 0.5, 0.08


def _box(ax, x, y, text, kind, width=BOX_W, height=BOX_H):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.05", fc=COLORS[kind], alpha=0.25,
                                ec=COLORS[kind]))
    ax.text(x, y, text, ha="center", va="center", fontsize=11)


def _arrow(ax, start, end, color="black"):
    """An arrow from the edge of the box at `start` to the edge of the box at `end`."""
    (x0, y0), (x1, y1) = start, end
    if y0 == y1:
        dx = BOX_W / 2 + GAP
        start, end = (x0 + dx, y0), (x1 - dx, y1)
    else:
        dy = BOX_H / 2 + GAP
        start, end = (x0, y0 - dy), (x1, y1 + dy)
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="-|>", color=color, lw=1.2,
                                shrinkA=0, shrinkB=0))


def draw_chain(chain, params, grads=None, step: float = 1.4):
    """A computation graph drawn as a chain of nodes left to right.

    chain:  [(text, kind), ...] along the bottom row, each feeding the next one;
    params: {index in chain: text} of parameter nodes, drawn above the node they feed;
    grads:  {text of a node: gradient text}, written in red under that node.
    """
    grads = grads or {}
    fig, ax = plot.figure(step * len(chain) + 0.4, 2.4 if grads else 2.0)
    for k, (text, kind) in enumerate(chain):
        _box(ax, k * step, 0.0, text, kind)
        if k:
            _arrow(ax, ((k - 1) * step, 0.0), (k * step, 0.0))
        if text in grads:
            ax.text(k * step, -0.4, grads[text], ha="center", va="top", color=GRAD,
                    fontsize=11)
    for k, text in params.items():
        _box(ax, k * step, 1.0, text, "param")
        _arrow(ax, (k * step, 1.0), (k * step, 0.0))
        if text in grads:
            ax.text(k * step + BOX_W / 2 + 0.1, 1.0, grads[text], ha="left",
                    va="center", color=GRAD, fontsize=11)
    ax.set_xlim(-0.6, step * (len(chain) - 1) + 0.6)
    ax.set_ylim(-0.95 if grads else -0.45, 1.4)
    ax.axis("off")
    return fig


def draw_graph(values: dict, grads: dict):
    """x, w (, b) -> y_hat -> r -> L: forward values in the nodes, gradients in red."""
    fig, ax = plot.figure(6.0, 2.5 if "b" in values else 1.75)
    pos = {"x": (0, 2.4), "w": (0, 1.2), "b": (0, 0), "y_hat": (2.4, 1.2),
           "y": (4.6, 2.4), "r": (4.6, 1.2), "loss": (6.8, 1.2)}
    name_tex = {"y_hat": r"\hat{y}", "loss": r"L"}
    edges = [("x", "y_hat"), ("w", "y_hat"), ("b", "y_hat"), ("y_hat", "r"), ("y", "r"),
             ("r", "loss")]
    for src, dst in edges:
        if src in values:
            (x0, y0), (x1, y1) = pos[src], pos[dst]
            shrink = 14 if x0 == x1 else 24
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                        arrowprops=dict(arrowstyle="-|>", color="gray", shrinkA=shrink,
                                        shrinkB=shrink))
    for name, value in values.items():
        px, py = pos[name]
        kind = "param" if name in ("w", "b") else "data"
        ax.add_patch(FancyBboxPatch((px - 0.5, py - 0.22), 1.0, 0.44,
                                    boxstyle="round,pad=0.05", fc=COLORS[kind],
                                    alpha=0.2, ec=COLORS[kind]))
        ax.text(px, py, f"${name_tex.get(name, name)} = {value:g}$", ha="center",
                va="center")
        if name in grads:
            ax.text(px, py - 0.35, grads[name], ha="center", va="top", color=GRAD,
                    fontsize=9)
    ax.set_xlim(-0.8, 7.6)
    ax.set_ylim(-0.6 if "b" in values else 0.55, 2.75)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig
