"""线性回归 / Linear regression: the code of docs/linear-regression.zh.md and
docs/linear-regression.en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page
order.
Run the whole page on its own with `python snippets/linear-regression.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
from torch import nn

import plot

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:data]
# zh: 形状 (3, 1)：3 个样本，每个 1 个特征
# en: shape (3, 1): 3 samples, 1 feature each
x_data = torch.tensor([[1.0], [2.0], [3.0]], dtype=torch.float32)
y_data = torch.tensor([[2.0], [4.0], [6.0]], dtype=torch.float32)
print(x_data.shape, y_data.shape)
# --8<-- [end:data]


# --8<-- [start:model]
class LinearModel(nn.Module):
    def __init__(self):
        super().__init__()
        # y = w x + b
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x)


model = LinearModel()
print(model)
print(model.linear.weight.item(), model.linear.bias.item())
# --8<-- [end:model]

# --8<-- [start:loss-optimizer]
# zh: 误差平方和，不是平均
# en: the sum of squared errors, not the mean
criterion = nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
# --8<-- [end:loss-optimizer]

# --8<-- [start:train]
losses = []
model.train()
for epoch in range(1000):
    # zh: 1. 前向  2. 损失  3. 清零梯度  4. 反向传播  5. 更新 w 和 b
    # en: 1. forward  2. loss  3. clear old gradients  4. backward  5. update w and b
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if epoch % 100 == 0 or epoch == 999:
        print(f"{epoch=:4d} {loss=:.3e}")
# --8<-- [end:train]

# --8<-- [start:gradients]
for name, param in model.named_parameters():
    print(name, param.item(), param.grad)
# --8<-- [end:gradients]

# --8<-- [start:result]
print(model.linear.weight.item(), model.linear.bias.item())

x_test = torch.tensor([[4.0], [5.0]])
# zh: 评估模式，且不记录计算图
# en: evaluation mode, and no graph recorded
model.eval()
with torch.no_grad():
    y_test = model(x_test)
print(y_test)
# zh: 一个 Python 数
# en: a plain Python number
print(y_test[0].item())
# --8<-- [end:result]

# --8<-- [start:plot-fit]
xs = torch.linspace(0, 5, 50).view(-1, 1)
with torch.no_grad():
    ys = model(xs)
ax = plot.curves(xs.squeeze().numpy(), {"$wx + b$": ys.squeeze().numpy()},
                 xlabel="$x$", ylabel="$y$")
ax.scatter(x_data.squeeze().numpy(), y_data.squeeze().numpy(), color="C1", zorder=3)
ax.scatter(x_test.squeeze().numpy(), y_test.squeeze().numpy(), marker="*", s=150,
           color="C2", zorder=3)
plt.show()
# --8<-- [end:plot-fit]

# --8<-- [start:plot-loss]
plot.curves(range(len(losses)), {"loss": losses}, xlabel="epoch",
            ylabel=r"$\sum_i (\hat{y}_i - y_i)^2$", logy=True)
plt.show()
# --8<-- [end:plot-loss]

# --8<-- [start:pytorch-way-data]
# zh: 原 Notebook 的随机种子
# en: the seed of the original notebook
torch.manual_seed(446)
d = 2
n = 50
X = torch.randn(n, d)
true_w = torch.tensor([[-1.0], [2.0]])
# zh: y 约等于 X w，再加一点噪声
# en: y is about X w, plus a little noise
y = X @ true_w + torch.randn(n, 1) * 0.1
print(X.shape, y.shape, true_w.shape)
# --8<-- [end:pytorch-way-data]

# --8<-- [start:pytorch-way-train]
step_size = 0.1

linear_module = nn.Linear(d, 1, bias=False)
# zh: 默认对 50 个样本取平均
# en: the mean over the 50 samples, by default
loss_func = nn.MSELoss()
optim = torch.optim.SGD(linear_module.parameters(), lr=step_size)

history = []
print("i  loss  w")
for i in range(20):
    y_hat = linear_module(X)
    loss = loss_func(y_hat, y)
    optim.zero_grad()
    loss.backward()
    optim.step()
    history.append(loss.item())
    w = linear_module.weight.view(2).detach().numpy()
    print(f"{i:2d}  {history[-1]:.2f}  {w}")

print(true_w.view(2).numpy())
print(linear_module.weight.view(2).detach().numpy())
# --8<-- [end:pytorch-way-train]

# --8<-- [start:three-ways]
n_steps, lr = 100, 0.01
# zh: 三种写法的起点相同
# en: the same start for all three
w_start, b_start = 1.0, 0.0

# zh: 1) 手推的梯度：dL/dw = sum 2x(wx + b - y)，dL/db = sum 2(wx + b - y)
# en: 1) the gradient by hand: dL/dw = sum 2x(wx + b - y), dL/db = sum 2(wx + b - y)
w1 = torch.tensor(w_start)
b1 = torch.tensor(b_start)
for _ in range(n_steps):
    err = w1 * x_data + b1 - y_data
    w1 = w1 - lr * (2 * x_data * err).sum()
    b1 = b1 - lr * (2 * err).sum()

# zh: 2) 用自动求导算梯度，手写更新
# en: 2) autograd computes the gradient, the update is written by hand
w2 = torch.tensor(w_start, requires_grad=True)
b2 = torch.tensor(b_start, requires_grad=True)
for _ in range(n_steps):
    loss = ((w2 * x_data + b2 - y_data) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w2 -= lr * w2.grad
        b2 -= lr * b2.grad
    w2.grad.zero_()
    b2.grad.zero_()

# 3) nn.Linear + nn.MSELoss + torch.optim.SGD
lin = nn.Linear(1, 1)
with torch.no_grad():
    lin.weight.fill_(w_start)
    lin.bias.fill_(b_start)
crit = nn.MSELoss(reduction="sum")
opt = torch.optim.SGD(lin.parameters(), lr=lr)
for _ in range(n_steps):
    loss = crit(lin(x_data), y_data)
    opt.zero_grad()
    loss.backward()
    opt.step()

print(f"1) w = {w1.item():.6f}  b = {b1.item():.6f}")
print(f"2) w = {w2.item():.6f}  b = {b2.item():.6f}")
print(f"3) w = {lin.weight.item():.6f}  b = {lin.bias.item():.6f}")
# --8<-- [end:three-ways]

# --8<-- [start:ex1]
torch.manual_seed(0)
wrong = nn.Linear(1, 1)
w_before = wrong.weight.item()
opt = torch.optim.SGD(wrong.parameters(), lr=0.01)
for epoch in range(100):
    loss = criterion(wrong(x_data), y_data)
    loss.backward()
    # zh: 错误的位置：在 backward 之后、step 之前清零
    # en: the wrong place: cleared after backward, before step
    opt.zero_grad()
    opt.step()
print(w_before, wrong.weight.item(), loss.item())
# --8<-- [end:ex1]

# --8<-- [start:ex2]
torch.manual_seed(0)
model_adam = LinearModel()
adam = torch.optim.Adam(model_adam.parameters(), lr=0.1)
for epoch in range(1000):
    loss = criterion(model_adam(x_data), y_data)
    adam.zero_grad()
    loss.backward()
    adam.step()
    if epoch in (99, 999):
        w, b = model_adam.linear.weight.item(), model_adam.linear.bias.item()
        print(f"{epoch=} {loss=:.3e} {w=:.4f} {b=:.4f}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
# zh: 最小二乘解：使这 50 个样本上的均方误差最小的 w
# en: the least-squares solution: the w with the lowest MSE on these 50 samples
best = torch.linalg.lstsq(X, y).solution
print(true_w.view(2).numpy())
print(best.view(2).numpy().round(4))

long_run = nn.Linear(d, 1, bias=False)
opt = torch.optim.SGD(long_run.parameters(), lr=step_size)
for i in range(500):
    loss = loss_func(long_run(X), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(long_run.weight.view(2).detach().numpy())
print(f"{loss_func(X @ true_w, y).item():.5f} {loss_func(X @ best, y).item():.5f}")
# --8<-- [end:ex3]
