"""训练可视化 / Watching training: the code of docs/visualization.zh.md and docs/visualization.en.md, in page order.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/visualization.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
from torch import nn

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:record]
# noisy data around y = 2x + 1
x = torch.rand(100, 1) * 2 - 1
y = 2 * x + 1 + 0.3 * torch.randn(100, 1)

model = nn.Linear(1, 1)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.02)

losses = []  # one number per step / 每步记一个数
for step in range(200):
    i = torch.randint(0, 100, (1,))  # batch size 1: one random sample
    loss = loss_fn(model(x[i]), y[i])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())  # a Python float: no graph is kept

print("steps recorded:", len(losses))
print("first 5 losses:", [round(v, 3) for v in losses[:5]])
print("last 5 losses: ", [round(v, 3) for v in losses[-5:]])
w, b = model.weight.item(), model.bias.item()
print(f"learned w = {w:.3f}, b = {b:.3f}  (true: 2, 1)")
# --8<-- [end:record]

# --8<-- [start:plot-raw]
steps = range(1, len(losses) + 1)
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(steps, losses, color="gray", linewidth=0.8)
ax.set_xlabel("step")
ax.set_ylabel("MSE loss of one sample")
ax.set_title("SGD with batch size 1: a noisy loss curve")
plt.show()
# --8<-- [end:plot-raw]

# --8<-- [start:ewma]
def ewma(values, beta, bias_correction=True):
    """Exponentially weighted moving average of a list of numbers."""
    s, smoothed = 0.0, []
    for t, x_t in enumerate(values, start=1):
        s = beta * s + (1 - beta) * x_t
        smoothed.append(s / (1 - beta**t) if bias_correction else s)
    return smoothed


ones = [1.0, 1.0, 1.0, 1.0]
print("uncorrected:", [round(v, 3) for v in ewma(ones, beta=0.9, bias_correction=False)])
print("corrected:  ", [round(v, 3) for v in ewma(ones, beta=0.9)])
# --8<-- [end:ewma]

# --8<-- [start:window]
for beta in (0.9, 0.98):
    n = round(1 / (1 - beta))
    print(f"beta = {beta}: window ~ {n} steps, weight of the last {n} steps = {1 - beta**n:.3f}")
# --8<-- [end:window]

# --8<-- [start:plot-smooth]
smooth_90 = ewma(losses, beta=0.9)
smooth_98 = ewma(losses, beta=0.98)
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(steps, losses, color="lightgray", linewidth=0.8, label="raw loss")
ax.plot(steps, smooth_90, label=r"EWMA, $\beta = 0.9$")
ax.plot(steps, smooth_98, label=r"EWMA, $\beta = 0.98$")
ax.set_xlabel("step")
ax.set_ylabel("loss")
ax.set_ylim(0, 6)  # the first raw spikes go higher
ax.set_title("Smoothing a noisy loss curve")
ax.legend()
plt.show()
# --8<-- [end:plot-smooth]

# --8<-- [start:plot-bias]
raw_98 = ewma(losses, beta=0.98, bias_correction=False)
for t in (1, 10, 50):
    print(f"step {t:2d}: uncorrected {raw_98[t - 1]:.3f}, corrected {smooth_98[t - 1]:.3f}")
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(steps[:60], losses[:60], color="lightgray", linewidth=0.8, label="raw loss")
ax.plot(steps[:60], raw_98[:60], label=r"$s_t$, no correction")
ax.plot(steps[:60], smooth_98[:60], label=r"$\hat{s}_t$, bias-corrected")
ax.set_xlabel("step")
ax.set_ylabel("loss")
ax.set_ylim(0, 6)
ax.set_title(r"The first 60 steps, $\beta = 0.98$")
ax.legend()
plt.show()
# --8<-- [end:plot-bias]
