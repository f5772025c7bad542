"""动量 SGD / SGD with momentum: the code of docs/momentum.zh.md and docs/momentum.en.md,
in page order.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/momentum.py`.
"""
# --8<-- [start:imports]
import copy
import math

import matplotlib.pyplot as plt
import torch
from torch import nn

import plot

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:by-hand]
mu, lr = 0.9, 0.1


def grad_f(theta):
    # f(theta) = (theta - 2)^2, f'(theta) = 2 (theta - 2)
    return 2 * (theta - 2)


# zh: 手写：g = f'(theta)，v <- mu v + g，theta <- theta - lr v
# en: by hand: g = f'(theta), v <- mu v + g, theta <- theta - lr v
theta_hand, v = 0.0, 0.0
# zh: 不带动量的梯度下降，作为对照
# en: plain gradient descent, for comparison
theta_plain = 0.0
hand, plain, steps = [], [], []
for t in range(3):
    g = grad_f(theta_hand)
    v = mu * v + g
    theta_hand = theta_hand - lr * v
    hand.append(theta_hand)
    steps.append(f"g={g:.2f}  v={v:.2f}")
    theta_plain = theta_plain - lr * grad_f(theta_plain)
    plain.append(theta_plain)

# zh: 同样三步交给 torch.optim.SGD
# en: the same three steps with torch.optim.SGD
theta = torch.tensor(0.0, requires_grad=True)
opt = torch.optim.SGD([theta], lr=lr, momentum=mu)
auto = []
for t in range(3):
    loss = (theta - 2) ** 2
    opt.zero_grad()
    loss.backward()
    opt.step()
    auto.append(theta.item())

for t in range(3):
    print(f"{t + 1}  {steps[t]}  {hand[t]:.6f}  {auto[t]:.6f}  ({plain[t]:.6f})")
print(torch.allclose(torch.tensor(hand), torch.tensor(auto)))
# zh: 优化器内部保存的速度
# en: the velocity kept inside the optimizer
buf = opt.state[theta]["momentum_buffer"]
print(f"v: {v:.6f}  {buf.item():.6f}")
# --8<-- [end:by-hand]

# --8<-- [start:constant-gradient]
v = 0.0
for t in range(1, 51):
    # zh: 梯度恒为 1
    # en: the gradient is always 1
    v = mu * v + 1.0
    if t in (1, 2, 5, 10, 20, 50):
        print(f"{t=:2d}  {v=:.4f}")
print(1 / (1 - mu))
# --8<-- [end:constant-gradient]

# --8<-- [start:data]
# (200, 1)
x = torch.linspace(-1, 1, 200).unsqueeze(1)
clean = 4 * torch.sin(math.pi * x) * torch.cos(6 * math.pi * x**2)
y = clean + 0.1 * torch.randn_like(clean)
print(x.shape, y.shape)
# zh: 完美的模型（就是 clean 本身）在这份数据上的均方误差 ≈ 噪声方差 0.1^2
# en: the MSE of the perfect model (clean itself) on these data ≈ noise variance 0.1^2
perfect_mse = ((clean - y) ** 2).mean().item()
print(f"{perfect_mse:.4f}")
# --8<-- [end:data]

# --8<-- [start:model]
def make_net():
    return nn.Sequential(
        nn.Linear(1, 32), nn.Tanh(),
        nn.Linear(32, 32), nn.Tanh(),
        nn.Linear(32, 1),
    )


base = make_net()
n_params = sum(p.numel() for p in base.parameters())
print(n_params)


def train(model, momentum, lr, epochs=2000, every=250):
    # zh: 在 (x, y) 上做全批量 SGD，返回每一轮的损失；every=None 时不打印
    # en: full-batch SGD on (x, y); returns the loss of every epoch; every=None: silent
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    loss_fn = nn.MSELoss()
    history = []
    model.train()
    for epoch in range(epochs):
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.item())
        # zh: 损失是 inf 或 NaN：发散了，停下
        # en: an inf or NaN loss: diverged, stop
        diverged = not math.isfinite(loss.item())
        last = diverged or epoch == epochs - 1
        if every and (epoch % every == 0 or last):
            print(f"{momentum=} {lr=} {epoch=:4d} {loss=:.4f}")
        if diverged:
            break
    return history
# --8<-- [end:model]

# --8<-- [start:train]
# zh: 同样的初始权重
# en: the same initial weights
model_sgd = copy.deepcopy(base)
model_mom = copy.deepcopy(base)
hist_sgd = train(model_sgd, momentum=0.0, lr=0.05)
hist_mom = train(model_mom, momentum=0.9, lr=0.05)
# --8<-- [end:train]

# --8<-- [start:plot-loss]
series = {"momentum=0.0, lr=0.05": hist_sgd, "momentum=0.9, lr=0.05": hist_mom}
plot.curves(range(len(hist_sgd)), series, xlabel="epoch", ylabel="MSE", logy=True)
plt.show()
# --8<-- [end:plot-loss]

# --8<-- [start:plot-fit]
# zh: 评估模式 + 不记录计算图
# en: evaluation mode, and no graph recorded
model_sgd.eval()
model_mom.eval()
with torch.no_grad():
    fits = {"momentum=0.0": model_sgd(x), "momentum=0.9": model_mom(x)}
ax = plot.curves(x.squeeze().numpy(), {k: f.squeeze().numpy() for k, f in fits.items()},
                 xlabel="$x$", ylabel="$y$")
ax.scatter(x.squeeze().numpy(), y.squeeze().numpy(), s=6, color="gray")
plt.show()
# --8<-- [end:plot-fit]

# --8<-- [start:noise-floor]
torch.manual_seed(1)
y_new = clean + 0.1 * torch.randn_like(clean)
loss_fn = nn.MSELoss()
with torch.no_grad():
    loss_train = loss_fn(model_mom(x), y).item()
    loss_new = loss_fn(model_mom(x), y_new).item()
    loss_perfect_new = loss_fn(clean, y_new).item()
print(f"{loss_train:.4f}  {loss_new:.4f}  {loss_perfect_new:.4f}")
# --8<-- [end:noise-floor]

# --8<-- [start:effective-step]
# zh: 普通 SGD 从同样的初始权重出发，换几个学习率；0.5 是动量的有效步长 0.05 / (1 - 0.9)
# en: plain SGD from the same weights at several rates; 0.5 is momentum's effective step
sweep = {0.05: hist_sgd}
for lr in (0.1, 0.2, 0.3, 0.4, 0.5):
    sweep[lr] = train(copy.deepcopy(base), momentum=0.0, lr=lr, every=None)
for lr, hist in sweep.items():
    if math.isfinite(hist[-1]):
        print(f"momentum=0.0 lr={lr:<4}  last={hist[-1]:.4f}  lowest={min(hist):.4f}")
    else:
        print(f"momentum=0.0 lr={lr:<4}  diverged at epoch {len(hist) - 1}")
print(f"momentum=0.9 lr=0.05  last={hist_mom[-1]:.4f}  lowest={min(hist_mom):.4f}")
# zh: 普通 SGD 里最后一轮损失最低的学习率
# en: the plain-SGD learning rate with the lowest last loss
finished = {lr: hist[-1] for lr, hist in sweep.items() if math.isfinite(hist[-1])}
best_lr = min(finished, key=finished.get)
print(f"{best_lr=}")
# --8<-- [end:effective-step]

# --8<-- [start:seeds]
# zh: 再换两组初始权重（种子 1 和 2），比较最后一轮的损失
# en: two more sets of initial weights (seeds 1 and 2), comparing the last losses
last_mom, last_sgd = [hist_mom[-1]], [sweep[best_lr][-1]]
for seed in (1, 2):
    torch.manual_seed(seed)
    init = make_net()
    last_mom.append(train(copy.deepcopy(init), 0.9, lr=0.05, every=None)[-1])
    last_sgd.append(train(copy.deepcopy(init), 0.0, lr=best_lr, every=None)[-1])
print("momentum=0.9 lr=0.05:", [round(v, 4) for v in last_mom])
print(f"momentum=0.0 lr={best_lr}: ", [round(v, 4) for v in last_sgd])
# --8<-- [end:seeds]

# --8<-- [start:ex1]
mu99 = 0.99
v = 0.0
for t in range(1, 1001):
    v = mu99 * v + 1.0
    if t in (10, 100, 500, 1000):
        print(f"{t=:4d}  {v=:.2f}")
print(1 / (1 - mu99))
# --8<-- [end:ex1]

# --8<-- [start:ex2]
variants = [
    dict(momentum=0.0),
    dict(momentum=0.5),
    dict(momentum=0.9),
    dict(momentum=0.9, nesterov=True),
]
for kwargs in variants:
    theta = torch.tensor(0.0, requires_grad=True)
    opt = torch.optim.SGD([theta], lr=0.1, **kwargs)
    path = []
    for step in range(300):
        opt.zero_grad()
        ((theta - 2) ** 2).backward()
        opt.step()
        path.append(theta.item())
    # zh: 从第几步起 |theta - 2| 一直小于 0.01
    # en: the step from which |theta - 2| stays below 0.01
    settled = 2 + max(i for i, p in enumerate(path) if abs(p - 2) >= 0.01)
    print(kwargs, f"max={max(path):.4f}", f"{settled=}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
# zh: 二次函数 f = theta^2 / 2 上的带噪梯度 g = theta + 噪声；2000 条链并行
# en: noisy gradients g = theta + noise on f = theta^2 / 2; 2000 chains at once
torch.manual_seed(0)
settings = [(0.0, 0.01), (0.9, 0.001), (0.0, 0.001)]
for momentum, lr in settings:
    theta = torch.ones(2000)
    v = torch.zeros(2000)
    for step in range(3000):
        g = theta + torch.randn(2000)
        v = momentum * v + g
        theta = theta - lr * v
    print(f"{momentum=} {lr=}  mean={theta.mean():.3f}  var={theta.var():.4f}")
# --8<-- [end:ex3]
