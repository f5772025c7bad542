"""Chapter diagram of docs/softmax-digits.*.md: one digit, its 10 logits and their softmax."""
from __future__ import annotations

import matplotlib.pyplot as plt


def scores(image, logits, probs):
    """Three panels: the image, the logits z_k as bars, the probabilities p_k as bars."""
    fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(7.2, 2.4), layout="constrained",
                                        gridspec_kw={"width_ratios": [1, 1.6, 1.6]})
    ax0.imshow(image, cmap="gray_r")
    ax0.set_axis_off()
    classes = range(len(logits))
    best = int(max(classes, key=lambda k: probs[k]))
    colors = ["#dd8452" if k == best else "#4c72b0" for k in classes]
    ax1.bar(classes, logits, color=colors)
    ax1.axhline(0, color="gray", linewidth=0.8)
    ax1.set_ylabel("$z_k$")
    ax2.bar(classes, probs, color=colors)
    ax2.set_ylim(0, 1)
    ax2.set_ylabel(r"$p_k = \mathrm{softmax}(z)_k$")
    for ax in (ax1, ax2):
        ax.set_xticks(list(classes))
        ax.set_xlabel("$k$")
    return fig
