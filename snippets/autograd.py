"""自动求导 / Autograd: the code of docs/autograd.zh.md and docs/autograd.en.md, in page order.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/autograd.py`.
"""
# --8<-- [start:imports]
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import FancyBboxPatch

torch.manual_seed(0)
print(torch.__version__)
# --8<-- [end:imports]

# --8<-- [start:requires-grad]
# requires_grad=True: record the operations on x so that gradients can be computed
x = torch.tensor([2.0], requires_grad=True)
print(x.grad)  # nothing computed yet: None
print(x.requires_grad, x.is_leaf)
# --8<-- [end:requires-grad]

# --8<-- [start:first-backward]
y = x * x * 3  # y = 3x^2
print(y)  # y remembers the operation that made it: grad_fn
y.backward()  # compute dy/dx and store it in x.grad
print(x.grad)  # dy/dx = 6x = 12
# --8<-- [end:first-backward]

# --8<-- [start:accumulate]
z = x * x * 3  # the same function, a new graph
z.backward()
print(x.grad)  # 12 + 12 = 24: added to the old value, not overwritten
# --8<-- [end:accumulate]

# --8<-- [start:zero-grad]
x.grad.zero_()  # clear the accumulated gradient (in place)
print(x.grad)
u = x * x * 3
u.backward()
print(x.grad)  # 12 again
# --8<-- [end:zero-grad]

# --8<-- [start:non-scalar]
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
y = x**2  # a 2x2 matrix, not a scalar
grad_tensor = torch.ones_like(y)  # one weight per element of y
y.backward(grad_tensor)
print(x.grad)  # 2x
# --8<-- [end:non-scalar]

# --8<-- [start:non-scalar-sum]
x.grad = None  # another way to forget the old gradient
(x**2).sum().backward()  # the same thing, written as a scalar
print(x.grad)
x.grad = None
(x**2).backward(torch.tensor([[1.0, 0.0], [0.0, 10.0]]))  # other weights
print(x.grad)
# --8<-- [end:non-scalar-sum]

# --8<-- [start:small-graph]
a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(1.0, requires_grad=True)
c = a + b
d = b + 1
e = c * d
print("c", c)
print("d", d)
print("e", e)
# --8<-- [end:small-graph]

# --8<-- [start:small-graph-backward]
e.backward()
print("de/da =", a.grad)  # = d = 2
print("de/db =", b.grad)  # = d + c = 2 + 3 = 5
print(a.is_leaf, c.is_leaf)  # only leaves keep .grad; c is an intermediate result
# --8<-- [end:small-graph-backward]

# --8<-- [start:small-graph-figure]
fig, ax = plt.subplots(figsize=(6, 3.8))
pos = {"a": (0, 2), "b": (0, 0), "c": (2.4, 2), "d": (2.4, 0), "e": (4.8, 1)}
label = {"a": "a = 2", "b": "b = 1", "c": "c = a + b\n= 3",
         "d": "d = b + 1\n= 2", "e": "e = c * d\n= 6"}
edges = [  # (from, to, local gradient, label offset)
    ("a", "c", r"$\partial c/\partial a = 1$", (0, 0.15)),
    ("b", "c", r"$\partial c/\partial b = 1$", (-0.55, 0.1)),
    ("b", "d", r"$\partial d/\partial b = 1$", (0, -0.45)),
    ("c", "e", r"$\partial e/\partial c = d = 2$", (0.35, 0.2)),
    ("d", "e", r"$\partial e/\partial d = c = 3$", (0.35, -0.55)),
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
ax.text(4.8, -0.35, "a.grad = 1*2 = 2\nb.grad = 1*2 + 1*3 = 5", ha="center",
        va="top", fontsize=9, color="tab:red")
ax.set_xlim(-0.6, 5.8)
ax.set_ylim(-1.1, 2.6)
ax.set_aspect("equal")
ax.axis("off")
ax.set_title("e = (a + b)(b + 1): values in nodes, local gradients on edges", fontsize=10)
plt.show()
# --8<-- [end:small-graph-figure]

# --8<-- [start:check-f]
def f(x):
    return (x - 2) ** 2


def fp(x):  # derived by hand: f'(x) = 2(x - 2)
    return 2 * (x - 2)


x = torch.tensor([1.0], requires_grad=True)
y = f(x)
y.backward()
print("Analytical f'(x):", fp(x))
print("PyTorch's f'(x):", x.grad)
# --8<-- [end:check-f]

# --8<-- [start:check-g]
def g(w):
    return 2 * w[0] * w[1] + w[1] * torch.cos(w[0])


def grad_g(w):  # by hand: [2 w1 - w1 sin(w0), 2 w0 + cos(w0)]
    return torch.stack([2 * w[1] - w[1] * torch.sin(w[0]), 2 * w[0] + torch.cos(w[0])])


w = torch.tensor([np.pi, 1], requires_grad=True)
z = g(w)
z.backward()
print("Analytical grad g(w)", grad_g(w.detach()))
print("PyTorch's grad g(w)", w.grad)
print("2*pi - 1 =", 2 * math.pi - 1)
# --8<-- [end:check-g]

# --8<-- [start:data-grad]
w = torch.tensor([1.0], requires_grad=True)
print(w.detach())  # the value, cut off from the graph
print(w.grad)  # None before any backward
loss = (2.0 * w - 4.0) ** 2  # x = 2, y = 4
loss.backward()
print(w.grad, type(w.grad))  # grad is a Tensor too: 2 * (2w - 4) * 2 = -8
print(w.grad.requires_grad)  # ...and it is not itself tracked
# --8<-- [end:data-grad]

# --8<-- [start:data-grad-figure]
fig, ax = plt.subplots(figsize=(5, 3))
ax.add_patch(FancyBboxPatch((0.05, 0.14), 0.9, 0.8, boxstyle="round,pad=0.02",
                            fc="whitesmoke", ec="black", lw=1.5))
ax.text(0.5, 0.86, "Tensor w", ha="center", va="center", fontsize=13, weight="bold")
boxes = [
    (0.09, "data", "the value\ntensor([1.])", "tab:blue"),
    (0.54, "grad", "a Tensor too\n" + r"$\partial loss/\partial w$ = tensor([-8.])", "tab:red"),
]
for x0, title, text, color in boxes:
    ax.add_patch(FancyBboxPatch((x0, 0.22), 0.37, 0.5, boxstyle="round,pad=0.02",
                                fc=color, alpha=0.15, ec=color, lw=1.5))
    ax.text(x0 + 0.185, 0.6, title, ha="center", va="center", fontsize=12,
            weight="bold", color=color)
    ax.text(x0 + 0.185, 0.38, text, ha="center", va="center", fontsize=8.5)
ax.text(0.5, 0.02, "backward() fills w.grad; the update changes w.data", ha="center",
        va="bottom", fontsize=9)
ax.set_xlim(0, 1)
ax.set_ylim(0, 1)
ax.axis("off")
plt.show()
# --8<-- [end:data-grad-figure]

# --8<-- [start:train-setup]
x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]
w = torch.tensor([1.0], requires_grad=True)  # one weight, tracked


def forward(x):
    return x * w  # x is a Python float; the result is a tensor in the graph


def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2


print("predict (before training)", 4, forward(4).item())
# --8<-- [end:train-setup]

# --8<-- [start:train-loop]
for epoch in range(100):
    for x, y in zip(x_data, y_data):
        l = loss(x, y)  # forward: builds the graph
        l.backward()  # backward: fills w.grad, then frees the graph
        if epoch < 2:
            print("\tgrad:", x, y, w.grad.item())
        with torch.no_grad():  # the update itself must not be recorded
            w -= 0.01 * w.grad
        w.grad.zero_()  # otherwise the next sample's gradient adds to this one
    if epoch < 2 or epoch % 20 == 19:
        print("progress:", epoch, "w =", round(w.item(), 4), "loss =", l.item())
print("predict (after training)", 4, forward(4).item())
# --8<-- [end:train-loop]
