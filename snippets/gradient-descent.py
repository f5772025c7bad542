"""梯度下降 / Gradient descent: the code of docs/gradient-descent.zh.md and docs/gradient-descent.en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page on its own with `python snippets/gradient-descent.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(446)  # the seed of the original notebook
np.random.seed(446)
# --8<-- [end:imports]

# --8<-- [start:mse-search]
x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]


def forward(x, w):
    return x * w  # the model: y_hat = x * w


def mse(w):
    return sum((forward(x, w) - y) ** 2 for x, y in zip(x_data, y_data)) / len(x_data)


w_list = np.round(np.arange(0.0, 4.0 + 1e-9, 0.1), 1)  # 0.0, 0.1, ..., 4.0
mse_list = [mse(w) for w in w_list]
for w, cost in zip(w_list, mse_list):
    if w in (0.0, 1.0, 1.5, 1.9, 2.0, 2.1, 2.5, 3.0, 4.0):  # a few rows only
        print(f"w = {w:.1f}\tMSE = {cost:.4f}")
best = int(np.argmin(mse_list))
print("best w:", w_list[best], "with MSE", mse_list[best])
# --8<-- [end:mse-search]

# --8<-- [start:mse-plot]
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(w_list, mse_list)
ax.scatter([w_list[best]], [mse_list[best]], color="red", zorder=3)
ax.annotate("minimum at w = 2", (w_list[best], mse_list[best]), xytext=(2.3, 6),
            arrowprops=dict(arrowstyle="->"))
ax.set_xlabel("w")
ax.set_ylabel("MSE (cost)")
ax.set_title(r"MSE of $\hat{y} = x w$ against $w$")
plt.show()
# --8<-- [end:mse-plot]

# --8<-- [start:meshgrid-demo]
a = np.array([0.0, 1.0, 2.0])  # 3 values of w
b = np.array([-1.0, 1.0])  # 2 values of b
W, B = np.meshgrid(a, b)
print(W)
print(B)
print(W.shape)  # (len(b), len(a)): one row per b, one column per w
# --8<-- [end:meshgrid-demo]

# --8<-- [start:cost-surface]
x_np = np.array(x_data)
y_np = np.array(y_data)
W, B = np.meshgrid(np.linspace(0, 4, 40), np.linspace(-2, 2, 40))  # 40 x 40 grid
# broadcast the 3 samples on a new last axis: (40, 40, 1) with (3,) -> (40, 40, 3)
cost = ((W[..., None] * x_np + B[..., None] - y_np) ** 2).mean(axis=-1)
print(W.shape, cost.shape)
i, j = np.unravel_index(np.argmin(cost), cost.shape)
print(f"grid minimum: w = {W[i, j]:.2f}, b = {B[i, j]:.2f}, cost = {cost[i, j]:.4f}")

fig = plt.figure(figsize=(6, 4.5))
ax = fig.add_subplot(projection="3d")
ax.plot_surface(W, B, cost, cmap="viridis", alpha=0.9)
ax.set_xlabel("w")
ax.set_ylabel("b")
ax.set_zlabel("cost")
ax.set_title(r"cost of $\hat{y} = w x + b$")
plt.show()
# --8<-- [end:cost-surface]

# --8<-- [start:cost-contour]
fig, ax = plt.subplots(figsize=(5, 4))
contours = ax.contour(W, B, cost, levels=[0.1, 0.5, 1, 2, 4, 8, 16, 32])
ax.clabel(contours, fontsize=8)
ax.plot(2, 0, "r*", markersize=12, label="w = 2, b = 0")
ax.set_xlabel("w")
ax.set_ylabel("b")
ax.legend()
plt.show()
# --8<-- [end:cost-contour]


# --8<-- [start:non-convex]
def f_convex(x):
    return x**2


def f_nonconvex(x):
    return 0.1 * x**2 + np.sin(2 * x)  # a bowl with ripples: several local minima


def chord_is_above(f, a, b, num=101):
    """True if the segment from (a, f(a)) to (b, f(b)) is nowhere below the curve."""
    lam = np.linspace(0, 1, num)
    chord = lam * f(a) + (1 - lam) * f(b)
    curve = f(lam * a + (1 - lam) * b)
    return bool(np.all(chord >= curve - 1e-12))


print("convex x^2, chord from -2 to 1.5:", chord_is_above(f_convex, -2, 1.5))
print("non-convex, chord from -2.4 to 2.3:", chord_is_above(f_nonconvex, -2.4, 2.3))

xs = np.linspace(-4, 4, 400)
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
for ax, f, (p, q), title in [(axes[0], f_convex, (-2, 1.5), "convex"),
                             (axes[1], f_nonconvex, (-2.4, 2.3), "non-convex")]:
    ax.plot(xs, f(xs), label="f(x)")
    ax.plot([p, q], [f(p), f(q)], "r--o", label="chord")
    ax.set_title(title)
    ax.set_xlabel("x")
    ax.legend()
plt.show()
# --8<-- [end:non-convex]


# --8<-- [start:saddle]
def saddle(p):
    return p[0] ** 2 - p[1] ** 2


p = torch.tensor([0.0, 0.0], requires_grad=True)
saddle(p).backward()
print("gradient at (0, 0):", p.grad)  # zero, yet (0, 0) is not a minimum
print("f(0.5, 0) =", saddle(torch.tensor([0.5, 0.0])).item(), " f(0, 0.5) =", saddle(torch.tensor([0.0, 0.5])).item())

gx, gy = np.meshgrid(np.linspace(-2, 2, 40), np.linspace(-2, 2, 40))
fig = plt.figure(figsize=(6, 4.5))
ax = fig.add_subplot(projection="3d")
ax.plot_surface(gx, gy, gx**2 - gy**2, cmap="coolwarm", alpha=0.6)
ax.scatter([0], [0], [0], color="black", s=60, depthshade=False)
ax.text(0.2, 0, 1.2, "saddle point (0, 0)", color="black")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_zlabel("z")
ax.set_title(r"$z = x^2 - y^2$")
plt.show()
# --8<-- [end:saddle]


# --8<-- [start:saddle-gd]
def descend(start, steps=40, lr=0.1):
    p = torch.tensor(start, requires_grad=True)
    for _ in range(steps):
        saddle(p).backward()
        with torch.no_grad():
            p -= lr * p.grad  # w <- w - lr * gradient
        p.grad.zero_()
    return [round(v, 4) for v in p.tolist()]


print("start (1, 0)    ->", descend([1.0, 0.0]))  # slides into the saddle and stays
print("start (1, 0.001) ->", descend([1.0, 1e-3]))  # a tiny push lets it escape along y
# --8<-- [end:saddle-gd]

# --8<-- [start:cost-zip]
print(list(zip(x_data, y_data)))  # zip pairs the i-th x with the i-th y

w = 1.0


def forward(x):
    return x * w  # the notes wrote X * w: X is undefined


def cost(xs, ys):
    cost = 0
    for x, y in zip(xs, ys):
        y_pred = forward(x)
        cost += (y_pred - y) ** 2  # the notes had these two lines run together
    return cost / len(xs)


print("cost at w = 1.0:", cost(x_data, y_data))
# --8<-- [end:cost-zip]


# --8<-- [start:batch-gd]
def gradient(xs, ys):
    grad = 0
    for x, y in zip(xs, ys):
        grad += 2 * x * (x * w - y)  # d(x*w - y)^2 / dw
    return grad / len(xs)


print("Predict (before training)", 4, forward(4))
w = 1.0
cost_history = []
for epoch in range(100):
    cost_val = cost(x_data, y_data)
    grad_val = gradient(x_data, y_data)
    cost_history.append(cost_val)
    if epoch % 10 == 0:
        print(f"epoch {epoch:3d}  w = {w:.4f}  cost = {cost_val:.6f}")
    w -= 0.01 * grad_val  # one update per pass over the whole data set
print("Predict (after training)", 4, round(forward(4), 4))
# --8<-- [end:batch-gd]

# --8<-- [start:cost-epoch]
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(range(100), cost_history)
ax.set_xlabel("epoch")
ax.set_ylabel("cost (MSE)")
ax.set_title("batch gradient descent, lr = 0.01")
plt.show()
# --8<-- [end:cost-epoch]


# --8<-- [start:sgd]
def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2


def gradient(x, y):
    return 2 * x * (x * w - y)  # gradient of ONE sample's loss


w = 1.0
print("Predict (before training)", 4, forward(4))
for epoch in range(100):
    for x, y in zip(x_data, y_data):
        grad = gradient(x, y)
        w = w - 0.01 * grad  # update after every single sample
        if epoch == 0:
            print("\tgrad:", x, y, round(grad, 4))
        l = loss(x, y)
    if epoch % 10 == 0 or epoch == 99:
        print("progress:", epoch, "w =", round(w, 6), "loss =", round(l, 8))
print("Predict (after training)", 4, round(forward(4), 6))
# --8<-- [end:sgd]

# --8<-- [start:minibatch-data]
g = torch.Generator().manual_seed(0)
N = 256
X_syn = torch.randn(N, 1, generator=g)
y_syn = 3 * X_syn + 2 + 0.5 * torch.randn(N, 1, generator=g)  # true w = 3, b = 2
print(X_syn.shape, y_syn.shape)
# --8<-- [end:minibatch-data]


# --8<-- [start:minibatch-train]
def train(batch_size, epochs=15, lr=0.05, seed=0):
    """Linear regression y = w x + b by gradient descent on batches of batch_size samples.
    Returns the loss on the full data set before training and after every update, and w, b."""
    gen = torch.Generator().manual_seed(seed)
    w, b = torch.zeros(1), torch.zeros(1)
    losses = [((X_syn * w + b - y_syn) ** 2).mean().item()]  # loss before training
    for _ in range(epochs):
        order = torch.randperm(N, generator=gen)  # shuffle every epoch
        for start in range(0, N, batch_size):
            idx = order[start:start + batch_size]
            xb, yb = X_syn[idx], y_syn[idx]
            err = xb * w + b - yb  # all samples of the batch at once
            w -= lr * 2 * (err * xb).mean(0)  # analytic gradient of the batch MSE
            b -= lr * 2 * err.mean(0)
            losses.append(((X_syn * w + b - y_syn) ** 2).mean().item())
    return losses, w.item(), b.item()


results = {}
for name, bs in [("full batch (256)", N), ("mini-batch (16)", 16), ("SGD (1)", 1)]:
    losses, w_hat, b_hat = train(bs)
    results[name] = (bs, losses)
    print(f"{name:17s} updates: {len(losses) - 1:5d}  w = {w_hat:.3f}  b = {b_hat:.3f}  "
          f"final loss = {losses[-1]:.4f}")
# --8<-- [end:minibatch-train]

# --8<-- [start:minibatch-plot]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
for name, (bs, losses) in results.items():
    updates = np.arange(len(losses))  # 0 = before training
    axes[0].plot(updates * bs / N, losses, label=name)  # x axis: epochs (passes over the data)
    axes[1].plot(updates[1:], losses[1:], label=name)  # x axis: number of updates (log scale)
axes[0].set_xlabel("epoch")
axes[1].set_xlabel("number of updates")
axes[1].set_xscale("log")
for ax in axes:
    ax.set_yscale("log")
    ax.set_ylabel("MSE on all 256 points")
    ax.legend()
plt.show()
# --8<-- [end:minibatch-plot]


# --8<-- [start:gd-1d]
def f(x):
    return (x - 2) ** 2


def fp(x):
    return 2 * (x - 2)  # f'(x) by hand


x = torch.tensor([5.0], requires_grad=True)
step_size = 0.25

print("iter,\tx,\tf(x),\tf'(x),\tf'(x) pytorch")
for i in range(15):
    y = f(x)
    y.backward()  # compute the gradient
    print("{},\t{:.3f},\t{:.3f},\t{:.3f},\t{:.3f}".format(
        i, x.item(), f(x).item(), fp(x).item(), x.grad.item()))
    with torch.no_grad():
        x -= step_size * x.grad  # in-place update, not recorded in the graph
    x.grad.zero_()  # backward() accumulates, so reset the gradient
# --8<-- [end:gd-1d]

# --8<-- [start:linreg-data]
d = 2
n = 50
X = torch.randn(n, d)
true_w = torch.tensor([[-1.0], [2.0]])
y = X @ true_w + torch.randn(n, 1) * 0.1  # y is about X w, plus a little noise
print("X shape", X.shape)
print("y shape", y.shape)
print("w shape", true_w.shape)
# --8<-- [end:linreg-data]


# --8<-- [start:rss-grad]
def model(X, w):
    return X @ w  # a linear model with no bias


def rss(y, y_hat):
    return torch.norm(y - y_hat) ** 2 / n  # residual sum of squares, divided by n


def grad_rss(X, y, w):
    return -2 * X.t() @ (y - X @ w) / n  # the gradient worked out by hand


w = torch.tensor([[1.0], [0.0]], requires_grad=True)
y_hat = model(X, w)
loss = rss(y, y_hat)
loss.backward()

print("Analytical gradient", grad_rss(X, y, w).detach().view(2).numpy())
print("PyTorch's gradient ", w.grad.view(2).numpy())
print("close:", torch.allclose(grad_rss(X, y, w), w.grad))
# --8<-- [end:rss-grad]

# --8<-- [start:linreg-gd]
w.grad.zero_()  # forget the gradient computed in the block above
step_size = 0.1

print("iter,\tloss,\tw")
for i in range(20):
    y_hat = model(X, w)
    loss = rss(y, y_hat)
    loss.backward()  # compute the gradient of the loss
    with torch.no_grad():
        w -= step_size * w.grad  # one gradient descent step
    print("{},\t{:.2f},\t{}".format(i, loss.item(), w.view(2).detach().numpy()))
    w.grad.zero_()

print("\ntrue w\t\t", true_w.view(2).numpy())
print("estimated w\t", w.view(2).detach().numpy())
# --8<-- [end:linreg-gd]

# --8<-- [start:linreg-sgd]
rng = np.random.default_rng(446)  # seeded source of the random indices
step_size = 0.01

linear_module = nn.Linear(d, 1)
loss_func = nn.MSELoss()
optim = torch.optim.SGD(linear_module.parameters(), lr=step_size)

print("iter,\tloss,\tw")
for i in range(200):
    rand_idx = rng.integers(n)  # take one random point of the data set
    y_hat = linear_module(X[rand_idx])
    loss = loss_func(y_hat, y[rand_idx])  # the loss on that single point only
    optim.zero_grad()
    loss.backward()
    optim.step()
    if i % 20 == 0:
        print("{},\t{:.2f},\t{}".format(i, loss.item(), linear_module.weight.view(2).detach().numpy()))

print("\ntrue w\t\t", true_w.view(2).numpy())
print("estimated w\t", linear_module.weight.view(2).detach().numpy())
print("estimated b\t", round(linear_module.bias.item(), 4))  # the data has no bias: close to 0
# --8<-- [end:linreg-sgd]
