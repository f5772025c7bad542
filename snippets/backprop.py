"""反向传播与计算图 / Backpropagation and computation graphs: the code of docs/backprop.zh.md
and docs/backprop.en.md, in page order.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/backprop.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
from matplotlib.patches import FancyBboxPatch

torch.manual_seed(0)
print(torch.__version__)
# --8<-- [end:imports]

# --8<-- [start:fc-figure]
fig, ax = plt.subplots(figsize=(5, 4))
xs = [(0, 1.0 + i) for i in range(5)]  # 5 inputs
hs = [(3, 0.5 + i) for i in range(6)]  # 6 outputs
for px, py in xs:
    for qx, qy in hs:
        ax.plot([px, qx], [py, qy], color="gray", lw=0.7, alpha=0.7, zorder=1)
for i, (px, py) in enumerate(xs):
    ax.add_patch(plt.Circle((px, py), 0.25, color="tab:blue", zorder=2))
    ax.text(px - 0.45, py, f"$x_{i + 1}$", ha="right", va="center")
for j, (qx, qy) in enumerate(hs):
    ax.add_patch(plt.Circle((qx, qy), 0.25, color="tab:orange", zorder=2))
    ax.text(qx + 0.45, qy, f"$h_{j + 1}$", ha="left", va="center")
ax.text(1.5, 6.6, "$h = Wx + b$,  $W$: 6 x 5 = 30 weights", ha="center")
ax.text(0, -0.2, "input (5)", ha="center")
ax.text(3, -0.4, "hidden (6)", ha="center")
ax.set_xlim(-1.2, 4.2)
ax.set_ylim(-0.7, 7)
ax.set_aspect("equal")
ax.axis("off")
plt.show()
# --8<-- [end:fc-figure]

# --8<-- [start:count-weights]
layer = nn.Linear(5, 6)  # 5 inputs -> 6 outputs
print(layer.weight.shape, layer.weight.numel())  # (out, in) = (6, 5): 30 weights
print(layer.bias.shape, layer.bias.numel())  # one bias per output: 6
print(sum(p.numel() for p in layer.parameters()))  # 36 parameters in all
x = torch.randn(5)
h = layer(x)
print(h.shape)
print(torch.allclose(h, layer.weight @ x + layer.bias))  # the layer is h = W x + b
# --8<-- [end:count-weights]

# --8<-- [start:two-layer-figure]
fig, ax = plt.subplots(figsize=(6, 2.6))
nodes = [  # (x, y, text, kind)
    (0.0, 1.0, "$x$", "data"), (1.4, 1.0, "MM", "op"), (1.4, 2.0, "$W_1$", "param"),
    (2.8, 1.0, "ADD", "op"), (2.8, 2.0, "$b_1$", "param"), (4.2, 1.0, "MM", "op"),
    (4.2, 2.0, "$W_2$", "param"), (5.6, 1.0, "ADD", "op"), (5.6, 2.0, "$b_2$", "param"),
    (7.0, 1.0, r"$\hat{y}$", "data"),
]
colors = {"data": "tab:blue", "op": "tab:gray", "param": "tab:green"}
for px, py, text, kind in nodes:
    ax.add_patch(FancyBboxPatch((px - 0.35, py - 0.25), 0.7, 0.5, boxstyle="round,pad=0.05",
                                fc=colors[kind], alpha=0.25, ec=colors[kind]))
    ax.text(px, py, text, ha="center", va="center", fontsize=11)
arrow = dict(arrowstyle="-|>", color="black", lw=1.2, shrinkA=14, shrinkB=14)
chain = [n for n in nodes if n[1] == 1.0]  # x -> MM -> ADD -> MM -> ADD -> y_hat
for (x0, y0, *_), (x1, y1, *_) in zip(chain[:-1], chain[1:]):
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops=arrow)
for px, py, text, kind in nodes:
    if kind == "param":  # each parameter feeds the operation below it
        ax.annotate("", xy=(px, 1.0), xytext=(px, py), arrowprops=arrow)
ax.text(2.1, 0.35, "$W_1 x + b_1$ (layer 1)", ha="center", fontsize=9)
ax.text(4.9, 0.35, "$W_2(\\cdot) + b_2$ (layer 2)", ha="center", fontsize=9)
ax.set_xlim(-0.5, 7.5)
ax.set_ylim(0.1, 2.5)
ax.axis("off")
plt.show()
# --8<-- [end:two-layer-figure]

# --8<-- [start:collapse]
layer1 = nn.Linear(5, 6)
layer2 = nn.Linear(6, 2)
X = torch.randn(100, 5)  # 100 inputs, one per row
with torch.no_grad():
    Y = layer2(layer1(X))  # two layers, no activation
    W = layer2.weight @ layer1.weight  # (2, 6) @ (6, 5) -> (2, 5)
    b = layer2.weight @ layer1.bias + layer2.bias
    Y_one = X @ W.T + b  # ONE linear layer
print(W.shape, b.shape)
print(torch.allclose(Y, Y_one, atol=1e-6))
# --8<-- [end:collapse]

# --8<-- [start:nonlinear]
def best_linear_error(X, Y):
    """Largest error of the best single linear map (least squares) from X to Y."""
    A = torch.cat([X, torch.ones(len(X), 1)], dim=1)  # a column of ones for the bias
    coef = torch.linalg.lstsq(A, Y).solution
    return (A @ coef - Y).abs().max().item()


with torch.no_grad():
    Y_relu = layer2(torch.relu(layer1(X)))  # the same layers with ReLU in between
print("without activation:", best_linear_error(X, Y))
print("with ReLU:         ", best_linear_error(X, Y_relu))
print("size of the outputs:", Y_relu.abs().max().item())
print(torch.allclose(Y_relu, Y_one, atol=1e-6))
# --8<-- [end:nonlinear]

# --8<-- [start:activations]
z = torch.linspace(-4, 4, 200)
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(z, torch.sigmoid(z), label="sigmoid")
ax.plot(z, torch.tanh(z), label="tanh")
ax.plot(z, torch.relu(z), label="ReLU", lw=2.5, alpha=0.6)
ax.plot(z, nn.functional.leaky_relu(z, negative_slope=0.1), "--", label="LeakyReLU (0.1)")
ax.axhline(0, color="gray", lw=0.5)
ax.axvline(0, color="gray", lw=0.5)
ax.set_ylim(-1.5, 4)
ax.set_xlabel("z")
ax.set_ylabel("activation(z)")
ax.set_title("Common activation functions")
ax.legend()
plt.show()
# --8<-- [end:activations]

# --8<-- [start:by-hand]
x, y, w = 1.0, 2.0, 1.0
# forward
y_hat = x * w  # 1
r = y_hat - y  # -1
loss = r**2  # 1
print("forward: y_hat =", y_hat, " r =", r, " loss =", loss)
# backward: downstream gradient = upstream gradient * local gradient
dloss_dr = 2 * r  # -2
dloss_dyhat = dloss_dr * 1  # dr/dy_hat = 1
dloss_dw = dloss_dyhat * x  # dy_hat/dw = x
print("backward: dloss/dr =", dloss_dr, " dloss/dy_hat =", dloss_dyhat, " dloss/dw =", dloss_dw)
# --8<-- [end:by-hand]

# --8<-- [start:by-autograd]
w_t = torch.tensor(1.0, requires_grad=True)
y_hat_t = x * w_t
y_hat_t.retain_grad()  # keep the gradient of an intermediate node, to print it
loss_t = (y_hat_t - y) ** 2
loss_t.backward()
print("loss =", loss_t.item(), " dloss/dy_hat =", y_hat_t.grad.item(), " dloss/dw =", w_t.grad.item())
# --8<-- [end:by-autograd]

# --8<-- [start:graph-figure]
def draw_graph(values, grads, title):
    """Draw x, w (, b) -> y_hat -> r -> loss: forward values in the nodes, gradients in red."""
    fig, ax = plt.subplots(figsize=(6, 3))
    pos = {"x": (0, 2.4), "w": (0, 1.2), "b": (0, 0), "y_hat": (2.4, 1.2),
           "y": (4.6, 2.4), "r": (4.6, 1.2), "loss": (6.8, 1.2)}
    name_tex = {"y_hat": r"\hat{y}", "loss": r"L"}
    edges = [("x", "y_hat"), ("w", "y_hat"), ("b", "y_hat"), ("y_hat", "r"), ("y", "r"),
             ("r", "loss")]
    for src, dst in edges:
        if src in values:
            (x0, y0), (x1, y1) = pos[src], pos[dst]
            shrink = 14 if x0 == x1 else 24  # boxes are wider than tall
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                        arrowprops=dict(arrowstyle="-|>", color="gray", shrinkA=shrink,
                                        shrinkB=shrink))
    for name, value in values.items():
        px, py = pos[name]
        color = "tab:green" if name in ("w", "b") else "tab:blue"
        ax.add_patch(FancyBboxPatch((px - 0.5, py - 0.22), 1.0, 0.44, boxstyle="round,pad=0.05",
                                    fc=color, alpha=0.2, ec=color))
        ax.text(px, py, f"${name_tex.get(name, name)} = {value:g}$", ha="center", va="center")
        if name in grads:
            ax.text(px, py - 0.35, grads[name], ha="center", va="top", color="tab:red",
                    fontsize=9)
    ax.set_xlim(-0.8, 7.6)
    ax.set_ylim(-0.5 if "b" in values else 0.5, 2.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)
    plt.show()


draw_graph(
    {"x": 1, "w": 1, "y_hat": 1, "y": 2, "r": -1, "loss": 1},
    {"w": r"$\partial L/\partial w$ = -2", "y_hat": r"$\partial L/\partial \hat{y}$ = -2",
     "r": r"$\partial L/\partial r = 2r$ = -2", "loss": r"$\partial L/\partial L$ = 1"},
    r"$\hat{y} = xw$,  $r = \hat{y} - y$,  $L = r^2$: forward values, gradients (red)",
)
# --8<-- [end:graph-figure]

# --8<-- [start:bias-by-hand]
x, y, w, b = 1.0, 2.0, 1.0, 2.0
y_hat = x * w + b  # 3
r = y_hat - y  # 1
loss = r**2  # 1
dloss_dr = 2 * r  # 2
dloss_dw = dloss_dr * 1 * x  # dy_hat/dw = x
dloss_db = dloss_dr * 1 * 1  # dy_hat/db = 1
print("forward: y_hat =", y_hat, " r =", r, " loss =", loss)
print("backward: dloss/dw =", dloss_dw, " dloss/db =", dloss_db)
# --8<-- [end:bias-by-hand]

# --8<-- [start:bias-by-autograd]
w_t = torch.tensor(1.0, requires_grad=True)
b_t = torch.tensor(2.0, requires_grad=True)
loss_t = (x * w_t + b_t - y) ** 2
loss_t.backward()
print("loss =", loss_t.item(), " dloss/dw =", w_t.grad.item(), " dloss/db =", b_t.grad.item())
# --8<-- [end:bias-by-autograd]

# --8<-- [start:bias-figure]
draw_graph(
    {"x": 1, "w": 1, "b": 2, "y_hat": 3, "y": 2, "r": 1, "loss": 1},
    {"w": r"$\partial L/\partial w$ = 2", "b": r"$\partial L/\partial b$ = 2",
     "y_hat": r"$\partial L/\partial \hat{y}$ = 2", "r": r"$\partial L/\partial r = 2r$ = 2",
     "loss": r"$\partial L/\partial L$ = 1"},
    r"$\hat{y} = xw + b$,  $r = \hat{y} - y$,  $L = r^2$: forward values, gradients (red)",
)
# --8<-- [end:bias-figure]
