"""交叉熵 / Cross-entropy: the code of docs/cross-entropy.zh.md and docs/cross-entropy.en.md, in page order.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/cross-entropy.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:softmax]
# raw scores (logits): N = 3 samples, C = 2 classes
scores = torch.tensor([[-1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])
probs = torch.softmax(scores, dim=1)  # softmax over the classes of each row
print(probs)
print(probs.sum(dim=1))  # every row sums to 1
# --8<-- [end:softmax]

# --8<-- [start:ce-loss]
target = torch.tensor([1, 1, 0])  # class indices, dtype int64, shape (N,)
loss_fn = nn.CrossEntropyLoss()  # reduction="mean" by default
loss = loss_fn(scores, target)
print(loss)

# the formula, sample by sample
per_sample = -torch.log(probs[torch.arange(3), target])
print(per_sample)
print(per_sample.mean())
print(nn.CrossEntropyLoss(reduction="none")(scores, target))
# --8<-- [end:ce-loss]

# --8<-- [start:variants]
variants = {
    "right class, scores +/-1": [[-1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]],
    "right class, scores +/-3": [[-3.0, 3.0], [-3.0, 3.0], [3.0, -3.0]],
    "undecided, all 0": [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]],
    "wrong class, scores +/-1": [[1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]],
    "wrong class, scores +/-3": [[3.0, -3.0], [3.0, -3.0], [-3.0, 3.0]],
}
print(f"{'scores':28s} {'margin':>6s} {'loss':>8s}")
for name, s in variants.items():
    s = torch.tensor(s)
    margin = (s[0, 1] - s[0, 0]).item()  # z_correct - z_wrong for the first sample
    print(f"{name:28s} {margin:6.1f} {loss_fn(s, target).item():8.4f}")
# --8<-- [end:variants]

# --8<-- [start:margin-plot]
margins = torch.linspace(-6, 6, 121)
# one sample whose correct class is 1: logits [0, m], margin = m
logits = torch.stack([torch.zeros_like(margins), margins], dim=1)
curve = nn.CrossEntropyLoss(reduction="none")(logits, torch.ones(121, dtype=torch.long))

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(margins, curve, label="cross-entropy")
ax.plot(margins, torch.clamp(-margins, min=0), "--", color="gray", label=r"$\max(0, -m)$")
for m in (-6.0, -2.0, 0.0, 2.0, 6.0):
    value = F.softplus(torch.tensor(-m)).item()  # the same loss: log(1 + e^{-m})
    ax.plot(m, value, "o", color="C1")
ax.set_xlabel(r"margin $m = z_{correct} - z_{wrong}$")
ax.set_ylabel("loss of one sample")
ax.set_title("Cross-entropy against the logit margin")
ax.legend()
plt.show()
# --8<-- [end:margin-plot]

# --8<-- [start:nll]
ce = F.cross_entropy(scores, target)
nll_of_log_softmax = F.nll_loss(F.log_softmax(scores, dim=1), target)
nll_of_log_of_softmax = nn.NLLLoss()(torch.log(torch.softmax(scores, dim=1)), target)
print(ce, nll_of_log_softmax, nll_of_log_of_softmax)
print(torch.allclose(ce, nll_of_log_softmax), torch.allclose(ce, nll_of_log_of_softmax))
# --8<-- [end:nll]

# --8<-- [start:stability]
big = torch.tensor([[0.0, 200.0]])  # very sure of class 1 ...
wrong = torch.tensor([0])  # ... but the answer is class 0
print(torch.softmax(big, dim=1))  # e^{-200} underflows to 0 in float32
print(-torch.log(torch.softmax(big, dim=1))[0, 0])  # softmax, then log: inf
print(F.cross_entropy(big, wrong))  # log-sum-exp inside: the exact 200
# --8<-- [end:stability]

# --8<-- [start:double-softmax]
print(loss_fn(scores, target))  # right: raw logits
print(loss_fn(torch.softmax(scores, dim=1), target))  # wrong: softmax applied twice
sure = torch.tensor([[-10.0, 10.0]])
print(loss_fn(sure, torch.tensor([1])), loss_fn(torch.softmax(sure, dim=1), torch.tensor([1])))
# --8<-- [end:double-softmax]

# --8<-- [start:binary]
z = scores[:, 1] - scores[:, 0]  # one logit per sample: z_1 - z_0
bce = nn.BCEWithLogitsLoss()(z, target.float())  # float targets 0. / 1.
print(bce, loss_fn(scores, target))
print(torch.allclose(bce, loss_fn(scores, target)))
# --8<-- [end:binary]
