"""随机梯度下降 / Stochastic gradient descent: the code of
docs/stochastic-gradient-descent.zh.md and docs/stochastic-gradient-descent.en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/stochastic-gradient-descent.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch

import plot
from plot.stochastic_gradient_descent import batch_size_curves

# zh: 沿用原教程的种子
# en: the seed of the original notebook
torch.manual_seed(446)
# --8<-- [end:imports]

# --8<-- [start:cost-zip]
x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]
# zh: zip 把第 i 个 x 和第 i 个 y 配成一对
# en: zip pairs the i-th x with the i-th y
print(list(zip(x_data, y_data)))

w = 1.0


# zh: 笔记写成了 X * w，而 X 没有定义
# en: the notes wrote X * w, with X undefined
def forward(x):
    return x * w


def cost(xs, ys):
    total = 0
    for x, y in zip(xs, ys):
        # zh: 笔记把下面两行挤在了同一行
        # en: the notes ran the next two lines together
        y_pred = forward(x)
        total += (y_pred - y) ** 2
    return total / len(xs)


print(f"{w=}  cost={cost(x_data, y_data):.4f}")
# --8<-- [end:cost-zip]


# --8<-- [start:batch-gd]
def gradient(xs, ys):
    grad = 0
    for x, y in zip(xs, ys):
        # d(x*w - y)^2 / dw
        grad += 2 * x * (x * w - y)
    return grad / len(xs)


w = 1.0
print(f"y_hat(4) = {forward(4):.4f}")
cost_history = []
for epoch in range(100):
    # zh: 更新之前的代价
    # en: the cost before the update
    cost_val = cost(x_data, y_data)
    grad_val = gradient(x_data, y_data)
    cost_history.append(cost_val)
    if epoch % 10 == 0:
        print(f"{epoch=:3d}  w={w:.4f}  cost={cost_val:.6f}")
    # zh: 每扫过一遍整个数据集，更新一次
    # en: one update per pass over the whole data set
    w -= 0.01 * grad_val
print(f"y_hat(4) = {forward(4):.4f}")
# --8<-- [end:batch-gd]

# --8<-- [start:cost-epoch]
plot.curves(range(100), {"MSE": cost_history}, xlabel="epoch", ylabel="MSE")
plt.show()
# --8<-- [end:cost-epoch]


# --8<-- [start:sgd]
def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2


# zh: 单个样本损失的梯度
# en: the gradient of ONE sample's loss
def gradient(x, y):
    return 2 * x * (x * w - y)


w = 1.0
print(f"y_hat(4) = {forward(4):.4f}")
for epoch in range(100):
    for x, y in zip(x_data, y_data):
        # zh: 更新之前的损失
        # en: the loss before the update
        l = loss(x, y)
        grad = gradient(x, y)
        # zh: 每个样本之后都更新一次
        # en: an update after every single sample
        w = w - 0.01 * grad
        if epoch == 0:
            print(f"    {x=} {y=} grad={grad:.4f}")
    if epoch % 10 == 0 or epoch == 99:
        print(f"{epoch=:2d}  w={w:.6f}  loss={l:.8f}")
print(f"y_hat(4) = {forward(4):.6f}")
# --8<-- [end:sgd]

# --8<-- [start:minibatch-data]
g = torch.Generator().manual_seed(0)
N = 256
X_syn = torch.randn(N, 1, generator=g)
# zh: 真实参数 w = 3，b = 2
# en: the true parameters: w = 3, b = 2
y_syn = 3 * X_syn + 2 + 0.5 * torch.randn(N, 1, generator=g)
print(X_syn.shape, y_syn.shape)
# --8<-- [end:minibatch-data]


# --8<-- [start:minibatch-train]
def full_loss(w, b):
    return ((X_syn * w + b - y_syn) ** 2).mean().item()


# zh: 每次用 batch_size 个样本的梯度下降拟合 y = w x + b；
# en: fit y = w x + b by gradient descent on batches of batch_size samples;
# zh: 返回训练前和每次更新后在全部 N 个样本上的损失
# en: returns the loss on all N samples before training and after every update
def train(batch_size, epochs=15, lr=0.05, seed=0):
    gen = torch.Generator().manual_seed(seed)
    w, b = torch.zeros(1), torch.zeros(1)
    losses = [full_loss(w, b)]
    for _ in range(epochs):
        # zh: 每轮开始时打乱顺序
        # en: a new random order every epoch
        order = torch.randperm(N, generator=gen)
        for start in range(0, N, batch_size):
            idx = order[start:start + batch_size]
            xb, yb = X_syn[idx], y_syn[idx]
            # zh: 一组样本一起算，梯度是这一组 MSE 的梯度
            # en: the whole batch at once; the gradient of the batch's MSE
            err = xb * w + b - yb
            w -= lr * 2 * (err * xb).mean(0)
            b -= lr * 2 * err.mean(0)
            losses.append(full_loss(w, b))
    return losses, w.item(), b.item()


results = {}
for batch_size in (N, 16, 1):
    losses, w_hat, b_hat = train(batch_size)
    results[f"{batch_size=}"] = (batch_size, losses)
    print(f"{batch_size=:3d}  updates={len(losses) - 1:4d}  w={w_hat:.3f}  "
          f"b={b_hat:.3f}  loss={losses[-1]:.4f}")
# --8<-- [end:minibatch-train]

# --8<-- [start:minibatch-plot]
batch_size_curves(results, N)
plt.show()
# --8<-- [end:minibatch-plot]

# --8<-- [start:linreg-data]
d = 2
n = 50
X = torch.randn(n, d)
true_w = torch.tensor([[-1.0], [2.0]])
# zh: y 约等于 X w，再加一点噪声
# en: y is about X w, plus a little noise
y = X @ true_w + torch.randn(n, 1) * 0.1
print(f"{X.shape=}")
print(f"{y.shape=}")
print(f"{true_w.shape=}")
# --8<-- [end:linreg-data]


# --8<-- [start:rss-grad]
# zh: 没有偏置的线性模型
# en: a linear model with no bias
def model(X, w):
    return X @ w


# zh: 残差平方和除以 n
# en: the residual sum of squares, divided by n
def rss(y, y_hat):
    return torch.linalg.vector_norm(y - y_hat) ** 2 / n


# zh: 手推的梯度
# en: the gradient worked out by hand
def grad_rss(X, y, w):
    return -2 * X.T @ (y - X @ w) / n


w = torch.tensor([[1.0], [0.0]], requires_grad=True)
y_hat = model(X, w)
loss = rss(y, y_hat)
loss.backward()

print(f"{grad_rss(X, y, w.detach()).view(2)=}")
print(f"{w.grad.view(2)=}")
print(torch.allclose(grad_rss(X, y, w.detach()), w.grad))
# --8<-- [end:rss-grad]

# --8<-- [start:linreg-gd]
# zh: 忘掉上一段算出的梯度
# en: forget the gradient computed in the block above
w.grad.zero_()
step_size = 0.1

print("iter,\tloss,\tw")
for i in range(20):
    y_hat = model(X, w)
    loss = rss(y, y_hat)
    loss.backward()
    with torch.no_grad():
        w -= step_size * w.grad
    print(f"{i},\t{loss.item():.2f},\t{w.detach().view(2)}")
    w.grad.zero_()

w_gd = w.detach().clone()
print(f"{true_w.view(2)=}")
print(f"{w_gd.view(2)=}")
# --8<-- [end:linreg-gd]

# --8<-- [start:linreg-sgd]
gen = torch.Generator().manual_seed(446)
step_size = 0.01
w_sgd = torch.tensor([[1.0], [0.0]], requires_grad=True)

print("iter,\tloss,\tw")
for i in range(200):
    # zh: 随机取数据集中的一个点，只用它的损失
    # en: one random point of the data set, and its loss only
    j = torch.randint(n, (1,), generator=gen)
    loss = ((model(X[j], w_sgd) - y[j]) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w_sgd -= step_size * w_sgd.grad
    w_sgd.grad.zero_()
    if i % 20 == 0:
        print(f"{i},\t{loss.item():.2f},\t{w_sgd.detach().view(2)}")
print(f"{w_sgd.detach().view(2)=}")
# --8<-- [end:linreg-sgd]

# --8<-- [start:linreg-compare]
runs = [("GD", w_gd, 20, 20 * n), ("SGD", w_sgd.detach(), 200, 200)]
final = {}
for name, w_hat, steps, samples in runs:
    final[name] = rss(y, model(X, w_hat)).item()
    print(f"{name:3s}  steps={steps:3d}  samples={samples:4d}  loss={final[name]:.4f}")
# --8<-- [end:linreg-compare]

# --8<-- [start:ex1]
for batch_size in (N, 16, 1):
    updates = (N + batch_size - 1) // batch_size
    print(f"{batch_size=:3d}  {updates=}")
# --8<-- [end:ex1]

# --8<-- [start:ex2]
final_loss = {}
for batch_size in (64, 4):
    losses, w_hat, b_hat = train(batch_size)
    final_loss[batch_size] = losses[-1]
    print(f"{batch_size=:2d}  updates={len(losses) - 1:4d}  w={w_hat:.3f}  "
          f"b={b_hat:.3f}  loss={losses[-1]:.4f}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
# zh: 出发点 w = [1, 0] 处每个样本的梯度 2 x_i (x_i w - y_i)，形状 (50, 2)
# en: every sample's gradient 2 x_i (x_i w - y_i) at the start w = [1, 0], shape (50, 2)
w0 = torch.tensor([[1.0], [0.0]])
G = 2 * X * (X @ w0 - y)
# zh: 2000 个随机小批量（各 10 个样本）的平均梯度
# en: the average gradient of 2000 random mini-batches of 10 samples each
gen_var = torch.Generator().manual_seed(0)
batch_means = torch.stack(
    [G[torch.randperm(n, generator=gen_var)[:10]].mean(0) for _ in range(2000)]
)
var_one, var_ten = G.var(0), batch_means.var(0)
print(f"{var_one=}")
print(f"{var_ten=}")
print(f"{var_ten / var_one=}")

gen = torch.Generator().manual_seed(446)
w_mb = torch.tensor([[1.0], [0.0]], requires_grad=True)
for epoch in range(20):
    order = torch.randperm(n, generator=gen)
    for start in range(0, n, 10):
        idx = order[start:start + 10]
        loss = ((model(X[idx], w_mb) - y[idx]) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w_mb -= 0.05 * w_mb.grad
        w_mb.grad.zero_()
    if epoch % 5 == 4:
        with torch.no_grad():
            loss_all = rss(y, model(X, w_mb)).item()
        print(f"{epoch=:2d}  loss={loss_all:.4f}  w={w_mb.detach().view(2)}")
# --8<-- [end:ex3]


# --8<-- [start:ex4]
# zh: 批量大小为 1 的 SGD；返回最后一轮每次更新后全部 N 个样本上的损失
# en: SGD with batch size 1; returns the loss on all N samples after each update
# en: of the last epoch
def sgd_last_epoch(decay, epochs=15, lr=0.05, seed=0):
    gen = torch.Generator().manual_seed(seed)
    w, b = torch.zeros(1), torch.zeros(1)
    for epoch in range(epochs):
        lr_epoch = lr / (1 + epoch) if decay else lr
        last = []
        for i in torch.randperm(N, generator=gen):
            err = X_syn[i] * w + b - y_syn[i]
            w -= lr_epoch * 2 * err * X_syn[i]
            b -= lr_epoch * 2 * err
            last.append(full_loss(w, b))
    return torch.tensor(last)


# zh: 最小二乘解：这个数据集上能达到的最低损失
# en: the least-squares solution: the lowest loss possible on this data set
A = torch.cat([X_syn, torch.ones(N, 1)], dim=1)
best = ((A @ torch.linalg.lstsq(A, y_syn).solution - y_syn) ** 2).mean().item()
print(f"{best=:.4f}")
spread = {}
for decay in (False, True):
    last = sgd_last_epoch(decay)
    spread[decay] = (last.min().item(), last.max().item())
    print(f"{decay=!s:5}  min={last.min():.4f}  max={last.max():.4f}")
# --8<-- [end:ex4]
