"""训练可视化 / Watching training: the code of docs/visualization.zh.md and .en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page,
in page order. Run the whole page on its own with `python snippets/visualization.py`.
The Visdom example is in snippets/not_run/ (it needs a running server).
"""
# --8<-- [start:imports]
import math

import matplotlib.pyplot as plt
import torch
from sklearn.datasets import load_digits
from torch import nn

import plot

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:record]
# zh: y = 2x + 1 附近的带噪声数据
# en: noisy data around y = 2x + 1
x = torch.rand(100, 1) * 2 - 1
y = 2 * x + 1 + 0.3 * torch.randn(100, 1)

model = nn.Linear(1, 1)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.02)

# zh: 每步记一个数
# en: one number per step
losses = []
model.train()
for step in range(200):
    # zh: 批量大小为 1：随机取一个样本
    # en: batch size 1: one random sample
    i = torch.randint(0, 100, (1,))
    loss = loss_fn(model(x[i]), y[i])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    # zh: 存 Python 浮点数：不保留计算图
    # en: a Python float: no graph is kept
    losses.append(loss.item())

print(len(losses))
print([round(v, 3) for v in losses[:5]])
print([round(v, 3) for v in losses[-5:]])
w, b = model.weight.item(), model.bias.item()
print(f"{w=:.3f}  {b=:.3f}")
# --8<-- [end:record]

# --8<-- [start:plot-raw]
steps = range(1, len(losses) + 1)
plot.curves(steps, {"losses": losses}, xlabel="step", ylabel=r"$\ell_t$",
            color="gray", linewidth=0.8)
plt.show()
# --8<-- [end:plot-raw]


# --8<-- [start:ewma]
def ewma(values, beta, bias_correction=True):
    # zh: 一串数的指数加权移动平均
    # en: the exponentially weighted moving average of a list of numbers
    s, smoothed = 0.0, []
    for t, x_t in enumerate(values, start=1):
        s = beta * s + (1 - beta) * x_t
        smoothed.append(s / (1 - beta**t) if bias_correction else s)
    return smoothed


ones = [1.0, 1.0, 1.0, 1.0]
print([round(v, 3) for v in ewma(ones, beta=0.9, bias_correction=False)])
print([round(v, 3) for v in ewma(ones, beta=0.9)])
# --8<-- [end:ewma]

# --8<-- [start:window]
for beta in (0.9, 0.98):
    n = round(1 / (1 - beta))
    print(f"{beta=}  window={n}  1 - beta**{n} = {1 - beta**n:.3f}")
# zh: β 趋于 1 时的极限
# en: the limit as β goes to 1
print(f"1 - 1/e = {1 - math.exp(-1):.3f}")
# --8<-- [end:window]

# --8<-- [start:plot-smooth]
smooth_90 = ewma(losses, beta=0.9)
smooth_98 = ewma(losses, beta=0.98)
ax = plot.curves(steps, {r"$x_t = \ell_t$": losses,
                         r"$\hat{s}_t,\ \beta = 0.9$": smooth_90,
                         r"$\hat{s}_t,\ \beta = 0.98$": smooth_98},
                 xlabel="step", ylabel=r"$\ell_t$")
ax.lines[0].set(color="lightgray", linewidth=0.8)
ax.legend()
# zh: 最开始的几个原始尖峰更高，这里截掉
# en: the first raw spikes go higher and are cut off
ax.set_ylim(0, 6)
plt.show()
# --8<-- [end:plot-smooth]

# --8<-- [start:plot-bias]
raw_98 = ewma(losses, beta=0.98, bias_correction=False)
for t in (1, 10, 50):
    print(f"{t=:2d}  s_t={raw_98[t - 1]:.3f}  s_hat_t={smooth_98[t - 1]:.3f}")
ax = plot.curves(steps[:60], {r"$x_t = \ell_t$": losses[:60], r"$s_t$": raw_98[:60],
                              r"$\hat{s}_t$": smooth_98[:60]},
                 xlabel="step", ylabel=r"$\ell_t$")
ax.lines[0].set(color="lightgray", linewidth=0.8)
ax.legend()
ax.set_ylim(0, 6)
plt.show()
# --8<-- [end:plot-bias]

# --8<-- [start:train-val]
digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
Y = torch.tensor(digits.target)
perm = torch.randperm(len(X), generator=torch.Generator().manual_seed(0))
# zh: 故意只用 150 个训练样本，另取 500 个作验证集
# en: on purpose, only 150 training samples; another 500 for validation
train_idx, val_idx = perm[:150], perm[150:650]


def train_curves(train_idx, epochs=100):
    # zh: 全批量训练；每一轮后记下训练损失、验证损失和验证准确率
    # en: full-batch training; record both losses and val accuracy after each epoch
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    ce = nn.CrossEntropyLoss()
    history = {"train_loss": [], "val_loss": [], "val_acc": []}
    for epoch in range(epochs):
        net.train()
        loss = ce(net(X[train_idx]), Y[train_idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        net.eval()
        with torch.no_grad():
            val_out = net(X[val_idx])
            history["train_loss"].append(ce(net(X[train_idx]), Y[train_idx]).item())
            history["val_loss"].append(ce(val_out, Y[val_idx]).item())
            val_acc = (val_out.argmax(dim=1) == Y[val_idx]).float().mean().item()
            history["val_acc"].append(val_acc)
    return history


history = train_curves(train_idx)
val_loss = history["val_loss"]
best = min(range(len(val_loss)), key=val_loss.__getitem__)
for epoch in (best, len(val_loss) - 1):
    print(f"epoch={epoch + 1:3d}  train_loss={history['train_loss'][epoch]:.4f}  "
          f"val_loss={val_loss[epoch]:.3f}  val_acc={history['val_acc'][epoch]:.3f}")
# --8<-- [end:train-val]

# --8<-- [start:plot-train-val]
epochs = range(1, len(val_loss) + 1)
# zh: 实线：训练损失；虚线：验证损失
# en: solid: training loss; dashed: validation loss
ax = plot.curves(epochs, {r"$\mathcal{L}$": history["train_loss"]},
                 xlabel="epoch", ylabel=r"$\mathcal{L}$", logy=True)
ax.plot(epochs, val_loss, linestyle="--")
ax.axvline(best + 1, color="gray", linestyle=":")
plt.show()
# --8<-- [end:plot-train-val]

# --8<-- [start:ex1]
beta = 0.95
print(f"window={1 / (1 - beta):.0f}")
for t in (1, 10, 50):
    print(f"{t=:2d}  1 - beta**t = {1 - beta**t:.3f}")
# --8<-- [end:ex1]

# --8<-- [start:ex2]
# zh: 再加 450 个训练样本，验证集不变
# en: 450 more training samples, the same validation set
more_idx = torch.cat([train_idx, perm[650:1100]])
more = train_curves(more_idx)
more_best = min(range(len(more["val_loss"])), key=more["val_loss"].__getitem__)
for n_train, h, e in ((150, history, best), (600, more, more_best)):
    print(f"{n_train=}  best_epoch={e + 1:3d}  min_val_loss={h['val_loss'][e]:.3f}  "
          f"last_val_loss={h['val_loss'][-1]:.3f}  last_val_acc={h['val_acc'][-1]:.3f}")
# --8<-- [end:ex2]
