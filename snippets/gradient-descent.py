"""梯度下降 / Gradient descent: the code of docs/gradient-descent.zh.md and .en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/gradient-descent.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import numpy as np
import torch

import plot
from plot.gradient_descent import chord, cost_contour, saddle_surface

# zh: 沿用原教程的种子
# en: the seed of the original notebook
torch.manual_seed(446)
np.random.seed(446)
# --8<-- [end:imports]

# --8<-- [start:mse-search]
x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]


# zh: 模型：y_hat = x * w
# en: the model: y_hat = x * w
def forward(x, w):
    return x * w


def mse(w):
    errors = [(forward(x, w) - y) ** 2 for x, y in zip(x_data, y_data)]
    return sum(errors) / len(errors)


# 0.0, 0.1, ..., 4.0
w_list = np.round(np.arange(0.0, 4.0 + 1e-9, 0.1), 1)
mse_list = [mse(w) for w in w_list]
for w, cost in zip(w_list, mse_list):
    # zh: 只打印几行
    # en: a few rows only
    if w in (0.0, 1.0, 1.5, 1.9, 2.0, 2.1, 2.5, 3.0, 4.0):
        print(f"w = {w:.1f}   MSE = {cost:.4f}")
best = int(np.argmin(mse_list))
print(f"argmin: w = {w_list[best]}, MSE = {mse_list[best]}")
# --8<-- [end:mse-search]

# --8<-- [start:mse-plot]
ax = plot.curves(w_list, {"MSE": mse_list}, xlabel="$w$", ylabel=r"$\mathrm{cost}(w)$")
ax.plot(w_list[best], mse_list[best], "ro")
plt.show()
# --8<-- [end:mse-plot]

# --8<-- [start:meshgrid-demo]
# zh: w 的 3 个取值，b 的 2 个取值
# en: 3 values of w, 2 values of b
a = np.array([0.0, 1.0, 2.0])
b = np.array([-1.0, 1.0])
W, B = np.meshgrid(a, b)
print(W)
print(B)
# (len(b), len(a))
print(W.shape)
# --8<-- [end:meshgrid-demo]

# --8<-- [start:cost-surface]
x_np = np.array(x_data)
y_np = np.array(y_data)
# zh: 40 x 40 的网格
# en: a 40 x 40 grid
W, B = np.meshgrid(np.linspace(0, 4, 40), np.linspace(-2, 2, 40))
# (40, 40, 1) * (3,) -> (40, 40, 3)
errors = W[..., None] * x_np + B[..., None] - y_np
cost = (errors**2).mean(axis=-1)
print(W.shape, errors.shape, cost.shape)
i, j = np.unravel_index(np.argmin(cost), cost.shape)
print(f"argmin: w = {W[i, j]:.2f}, b = {B[i, j]:.2f}, cost = {cost[i, j]:.4f}")
# --8<-- [end:cost-surface]

# --8<-- [start:cost-contour]
ax = cost_contour(W, B, cost)
ax.plot(2, 0, "r*", markersize=12)
plt.show()
# --8<-- [end:cost-contour]


# --8<-- [start:gd-1d]
def f(x):
    return (x - 2) ** 2


# zh: 手推的导数 f'(x)
# en: f'(x), derived by hand
def fp(x):
    return 2 * (x - 2)


x = torch.tensor([5.0], requires_grad=True)
step_size = 0.25

print("iter,\tx,\tf(x),\tf'(x),\tf'(x) pytorch")
for i in range(15):
    y = f(x)
    y.backward()
    print(f"{i},\t{x.item():.3f},\t{y.item():.3f},\t{fp(x).item():.3f},"
          f"\t{x.grad.item():.3f}")
    # zh: 原地更新，不记入计算图
    # en: an in-place update, not recorded in the graph
    with torch.no_grad():
        x -= step_size * x.grad
    # zh: backward() 会累加，所以要清零
    # en: backward() accumulates, so reset the gradient
    x.grad.zero_()
# --8<-- [end:gd-1d]


# --8<-- [start:learning-rate]
# zh: 从 start 出发对 f 做梯度下降，返回走过的每一个点
# en: gradient descent on f from start; returns every point visited
def gradient_descent(f, start, lr, steps):
    x = torch.tensor(start, requires_grad=True)
    path = [x.detach().clone()]
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad():
            x -= lr * x.grad
        x.grad.zero_()
        path.append(x.detach().clone())
    return torch.stack(path)


paths = {}
for lr in (0.05, 0.25, 0.9, 1.05):
    paths[f"lr = {lr}"] = gradient_descent(f, [5.0], lr, steps=15)
    print(f"lr = {lr:4}: x_15 = {paths[f'lr = {lr}'][-1].item():8.4f}")
# --8<-- [end:learning-rate]

# --8<-- [start:learning-rate-plot]
distance = {name: (path - 2).abs().squeeze() for name, path in paths.items()}
plot.curves(range(16), distance, xlabel="$t$", ylabel="$|x_t - 2|$", logy=True,
            marker=".")
plt.show()
# --8<-- [end:learning-rate-plot]


# --8<-- [start:non-convex]
def f_convex(x):
    return x**2


# zh: 碗形加上波纹：有好几个局部最小值
# en: a bowl with ripples: several local minima
def f_nonconvex(x):
    return 0.1 * x**2 + torch.sin(2 * x)


# zh: 从 (a, f(a)) 到 (b, f(b)) 的弦处处不低于曲线时返回 True
# en: True if the chord from (a, f(a)) to (b, f(b)) is nowhere below the curve
def chord_is_above(f, a, b, num=101):
    lam = torch.linspace(0, 1, num)
    chord_values = lam * f(torch.tensor(a)) + (1 - lam) * f(torch.tensor(b))
    curve = f(lam * a + (1 - lam) * b)
    return bool(torch.all(chord_values >= curve - 1e-5))


print(f"{chord_is_above(f_convex, -2.0, 1.5)=}")
print(f"{chord_is_above(f_nonconvex, -2.4, 2.3)=}")
# --8<-- [end:non-convex]

# --8<-- [start:non-convex-gd]
ends = []
for start in (-3.0, 0.0, 3.0):
    end = gradient_descent(f_nonconvex, [start], lr=0.1, steps=100)[-1]
    ends.append(end)
    print(f"x_0 = {start:4}: x_100 = {end.item():7.4f}, "
          f"f(x_100) = {f_nonconvex(end).item():7.4f}")
# --8<-- [end:non-convex-gd]

# --8<-- [start:non-convex-plot]
fig, axes = plot.figure(8, 3, ncols=2)
chord(axes[0], f_convex, -2.0, 1.5, label="$x^2$")
chord(axes[1], f_nonconvex, -2.4, 2.3, label=r"$0.1x^2 + \sin 2x$")
x_end = torch.cat(ends)
axes[1].plot(x_end, f_nonconvex(x_end), "k*", markersize=10)
plt.show()
# --8<-- [end:non-convex-plot]


# --8<-- [start:saddle]
def saddle(p):
    return p[0] ** 2 - p[1] ** 2


p = torch.tensor([0.0, 0.0], requires_grad=True)
saddle(p).backward()
print(f"{p.grad=}")
print("f(0.5, 0) =", saddle(torch.tensor([0.5, 0.0])).item())
print("f(0, 0.5) =", saddle(torch.tensor([0.0, 0.5])).item())
# --8<-- [end:saddle]

# --8<-- [start:saddle-plot]
saddle_surface(saddle)
plt.show()
# --8<-- [end:saddle-plot]

# --8<-- [start:saddle-gd]
for start in ([1.0, 0.0], [1.0, 0.001]):
    end = gradient_descent(saddle, start, lr=0.1, steps=40)[-1]
    print(f"p_0 = {start} -> p_40 = {[round(v, 4) for v in end.tolist()]}")
# --8<-- [end:saddle-gd]

# --8<-- [start:ex1]
for lr in (0.5, 1.0):
    path = gradient_descent(f, [5.0], lr, steps=4)
    print(f"lr = {lr}:", [round(v, 4) for v in path.squeeze().tolist()])
# --8<-- [end:ex1]

# --8<-- [start:ex2]
# y = 2x + 1
y2 = np.array([3.0, 5.0, 7.0])
# zh: 步长 0.1 的网格，包含 (2, 1)
# en: a grid with step 0.1 that contains (2, 1)
W2, B2 = np.meshgrid(np.linspace(0, 4, 41), np.linspace(-2, 2, 41))
cost2 = ((W2[..., None] * x_np + B2[..., None] - y2) ** 2).mean(axis=-1)
i, j = np.unravel_index(np.argmin(cost2), cost2.shape)
print(f"argmin: w = {W2[i, j]:.2f}, b = {B2[i, j]:.2f}")

x_t = torch.tensor(x_data)
y_t = torch.tensor(y2, dtype=torch.float32)


def cost_wb(p):
    return ((p[0] * x_t + p[1] - y_t) ** 2).mean()


path = gradient_descent(cost_wb, [0.0, 0.0], lr=0.1, steps=500)
for t in (0, 10, 100, 500):
    w, b = path[t].tolist()
    print(f"t = {t:3}: w = {w:.4f}, b = {b:.4f}, cost = {cost_wb(path[t]).item():.6f}")
# --8<-- [end:ex2]
