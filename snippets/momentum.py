"""动量 SGD / SGD with momentum: the code of docs/momentum.zh.md and docs/momentum.en.md, in page order.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/momentum.py`.
"""
# --8<-- [start:imports]
import copy
import math

import matplotlib.pyplot as plt
import torch
from torch import nn

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:by-hand]
mu, lr = 0.9, 0.1


def grad_f(t):
    return 2 * (t - 2)  # f(theta) = (theta - 2)^2


# by hand: v <- mu * v + g, theta <- theta - lr * v
theta_hand, v = 0.0, 0.0
theta_plain = 0.0  # plain gradient descent, for comparison
hand, plain = [], []
for step in range(3):
    g = grad_f(theta_hand)
    v = mu * v + g
    theta_hand = theta_hand - lr * v
    hand.append(theta_hand)
    theta_plain = theta_plain - lr * grad_f(theta_plain)
    plain.append(theta_plain)

# with torch.optim.SGD
theta = torch.tensor(0.0, requires_grad=True)
opt = torch.optim.SGD([theta], lr=lr, momentum=mu)
auto = []
for step in range(3):
    loss = (theta - 2) ** 2
    opt.zero_grad()
    loss.backward()
    opt.step()
    auto.append(theta.item())

for step in range(3):
    print(f"step {step + 1}: by hand {hand[step]:.6f}   optim.SGD {auto[step]:.6f}"
          f"   (no momentum: {plain[step]:.6f})")
print(torch.allclose(torch.tensor(hand), torch.tensor(auto)))
buf = opt.state[theta]["momentum_buffer"]  # the velocity kept by the optimizer
print(f"velocity: by hand {v:.6f}   optim.SGD {buf.item():.6f}")
# --8<-- [end:by-hand]

# --8<-- [start:constant-gradient]
v = 0.0
for t in range(1, 51):
    v = mu * v + 1.0  # the gradient is always 1
    if t in (1, 2, 5, 10, 20, 50):
        print(f"after {t:2d} steps: v = {v:.4f}")
print("limit 1 / (1 - mu) =", 1 / (1 - mu))
# --8<-- [end:constant-gradient]

# --8<-- [start:data]
x = torch.linspace(-1, 1, 200).unsqueeze(1)  # shape (200, 1)
y = 4 * torch.sin(math.pi * x) * torch.cos(6 * math.pi * x**2)
y = y + 0.1 * torch.randn_like(y)  # a little seeded noise
print(x.shape, y.shape)
# --8<-- [end:data]

# --8<-- [start:model]
base = nn.Sequential(
    nn.Linear(1, 32), nn.Tanh(),
    nn.Linear(32, 32), nn.Tanh(),
    nn.Linear(32, 1),
)
print(sum(p.numel() for p in base.parameters()), "parameters")


def train(model, momentum, epochs=2500, lr=0.05, every=250):
    """Full-batch SGD on (x, y); returns the loss of every epoch."""
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    loss_fn = nn.MSELoss()
    history = []
    for epoch in range(epochs):
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.item())
        if epoch % every == 0:
            print(f"momentum={momentum}  epoch {epoch:4d}  loss {loss.item():.4f}")
    return history
# --8<-- [end:model]

# --8<-- [start:train]
model_sgd = copy.deepcopy(base)  # the same initial weights
model_mom = copy.deepcopy(base)
hist_sgd = train(model_sgd, momentum=0.0)
hist_mom = train(model_mom, momentum=0.9)
print(f"final loss, plain SGD:     {hist_sgd[-1]:.4f}")
print(f"final loss, momentum 0.9:  {hist_mom[-1]:.4f}")
# --8<-- [end:train]

# --8<-- [start:plot-loss]
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(hist_sgd, label="SGD, lr=0.05")
ax.plot(hist_mom, label="SGD + momentum 0.9, lr=0.05")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("MSE loss (log scale)")
ax.set_title("Full-batch training, same initial weights")
ax.legend()
plt.show()
# --8<-- [end:plot-loss]

# --8<-- [start:plot-fit]
with torch.no_grad():
    pred_sgd = model_sgd(x)
    pred_mom = model_mom(x)
fig, ax = plt.subplots(figsize=(6, 4))
ax.scatter(x.squeeze(), y.squeeze(), s=8, color="gray", label="data")
ax.plot(x.squeeze(), pred_sgd.squeeze(), label="SGD")
ax.plot(x.squeeze(), pred_mom.squeeze(), label="SGD + momentum")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_title(r"$y = 4\sin(\pi x)\cos(6\pi x^2)$ + noise")
ax.legend(loc="lower center", ncol=3, fontsize=8)
plt.show()
# --8<-- [end:plot-fit]
