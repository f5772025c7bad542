"""损失与优化器 / Losses and optimizers: the code of docs/losses-optimizers.zh.md and
docs/losses-optimizers.en.md, in page order.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/losses-optimizers.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
from torch import nn, optim

torch.manual_seed(0)
print(torch.__version__)
# --8<-- [end:imports]

# --8<-- [start:mse]
mse_loss_fn = nn.MSELoss()
input = torch.tensor([[0.0, 0, 0]])
target = torch.tensor([[1.0, 0, -1]])
loss = mse_loss_fn(input, target)
print(loss)
print(((input - target) ** 2).mean())  # (1 + 0 + 1) / 3, by hand
# --8<-- [end:mse]

# --8<-- [start:reduction]
for reduction in ["mean", "sum", "none"]:
    print(f"{reduction:>5}:", nn.MSELoss(reduction=reduction)(input, target))
# --8<-- [end:reduction]

# --8<-- [start:loss-graph]
w = torch.tensor([[0.5]], requires_grad=True)
x_data = torch.tensor([[1.0], [2.0], [3.0]])
y_data = torch.tensor([[2.0], [4.0], [6.0]])
loss = nn.MSELoss()(x_data @ w, y_data)
print(loss.grad_fn.name())  # the loss is a node of the graph, like any operation
# --8<-- [end:loss-graph]

# --8<-- [start:reduction-gradient]
for reduction in ["mean", "sum"]:
    w.grad = None
    nn.MSELoss(reduction=reduction)(x_data @ w, y_data).backward()
    print(f"{reduction:>4}: dloss/dw = {w.grad.item():.4f}")
print("N =", len(x_data))
# --8<-- [end:reduction-gradient]

# --8<-- [start:one-step]
torch.manual_seed(0)
model = nn.Linear(1, 1)
X_simple = torch.tensor([[1.0]])
y_simple = torch.tensor([[2.0]])
optimizer = optim.SGD(model.parameters(), lr=1e-2)
mse_loss_fn = nn.MSELoss()

y_hat = model(X_simple)
print("model params before:", model.weight)
loss = mse_loss_fn(y_hat, y_simple)
optimizer.zero_grad()
loss.backward()
w_before = model.weight.detach().clone()
optimizer.step()
print("model params after:", model.weight)
# --8<-- [end:one-step]

# --8<-- [start:one-step-check]
lr = optimizer.param_groups[0]["lr"]
grad = model.weight.grad
print("grad:", grad.item())  # 2 * (y_hat - y) * x
print("by hand:", (2 * (y_hat - y_simple) * X_simple).item())
print(torch.allclose(model.weight, w_before - lr * grad))
# --8<-- [end:one-step-check]

# --8<-- [start:no-graph]
print(model.weight.is_leaf, model.weight.grad_fn)  # still a leaf: step() ran under no_grad

w_manual = model.weight - lr * model.weight.grad  # a hand-written update, graph on
print(w_manual.is_leaf, w_manual.grad_fn.name())  # no longer a leaf: recorded in the graph
with torch.no_grad():
    w_manual = model.weight - lr * model.weight.grad
print(w_manual.requires_grad)
# --8<-- [end:no-graph]

# --8<-- [start:param-groups]
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
optimizer = optim.SGD(
    [
        {"params": net[0].parameters(), "lr": 0.1},  # first layer: its own lr
        {"params": net[2].parameters()},  # last layer: the default below
    ],
    lr=0.01,
)
print([group["lr"] for group in optimizer.param_groups])
# --8<-- [end:param-groups]

# --8<-- [start:param-groups-step]
X = torch.randn(8, 2)
y = torch.randn(8, 1)
before = [p.detach().clone() for p in net.parameters()]
optimizer.zero_grad()
nn.MSELoss()(net(X), y).backward()
optimizer.step()
names = [name for name, _ in net.named_parameters()]
for name, p, p0 in zip(names, net.parameters(), before):
    ratio = (p0 - p.detach()) / p.grad  # = the lr this parameter was updated with
    print(f"{name:9} moved by lr = {ratio.mean().item():.4f}")
# --8<-- [end:param-groups-step]

# --8<-- [start:compare-setup]
x_data = torch.tensor([[1.0], [2.0], [3.0]])
y_data = torch.tensor([[2.0], [4.0], [6.0]])
optimizers = {  # name -> (class, keyword arguments)
    "Adagrad": (optim.Adagrad, dict(lr=0.5)),
    "Adam": (optim.Adam, dict(lr=0.1)),
    "Adamax": (optim.Adamax, dict(lr=0.1)),
    "ASGD": (optim.ASGD, dict(lr=0.02)),
    "LBFGS": (optim.LBFGS, dict(lr=1.0)),
    "RMSprop": (optim.RMSprop, dict(lr=0.05)),
    "Rprop": (optim.Rprop, dict(lr=0.01)),
    "SGD": (optim.SGD, dict(lr=0.02)),
}
# --8<-- [end:compare-setup]

# --8<-- [start:compare-train]
def train(opt_class, kwargs, steps=100):
    torch.manual_seed(0)  # the same starting weights for every optimizer
    model = nn.Linear(1, 1)
    criterion = nn.MSELoss()
    optimizer = opt_class(model.parameters(), **kwargs)

    def closure():  # re-evaluates the loss; LBFGS may call it several times per step
        optimizer.zero_grad()
        loss = criterion(model(x_data), y_data)
        loss.backward()
        return loss

    losses = []
    for _ in range(steps):
        losses.append(optimizer.step(closure).item())  # every optimizer accepts a closure
    with torch.no_grad():
        final = criterion(model(x_data), y_data).item()
    return losses, final, model


curves = {}
print(f"{'optimizer':9} {'lr':>5} {'final loss':>11} {'w':>8} {'b':>8}")
for name, (opt_class, kwargs) in optimizers.items():
    losses, final, model = train(opt_class, kwargs)
    curves[name] = losses
    w, b = model.weight.item(), model.bias.item()
    print(f"{name:9} {kwargs['lr']:5} {final:11.2e} {w:8.4f} {b:8.4f}")
# --8<-- [end:compare-train]

# --8<-- [start:compare-figure]
floor = 1e-10  # a log axis cannot show 0: losses below the floor are drawn on it
fig, ax = plt.subplots(figsize=(6, 4))
for name, losses in curves.items():
    ax.plot(range(1, len(losses) + 1), [max(v, floor) for v in losses], label=name,
            linestyle="--" if name == "SGD" else "-")
ax.set_yscale("log")
ax.set_ylim(floor / 3, 100)
ax.annotate("LBFGS: exactly 0 from step 2", xy=(2, floor), xytext=(12, 1e-8),
            arrowprops=dict(arrowstyle="->", color="gray"), fontsize=8)
ax.set_xlabel("step")
ax.set_ylabel("MSE loss (log scale)")
ax.set_title("y = 2x with nn.Linear(1, 1): 100 steps per optimizer")
ax.legend(ncol=2, fontsize=8)
plt.show()
# --8<-- [end:compare-figure]

# --8<-- [start:lbfgs-plain-step]
model = nn.Linear(1, 1)
lbfgs = optim.LBFGS(model.parameters())
try:
    lbfgs.step()  # no closure
except TypeError as error:
    print("TypeError:", error)
# --8<-- [end:lbfgs-plain-step]

# --8<-- [start:bce-setup]
class MultilayerPerceptron(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.model = nn.Sequential(
            nn.Linear(input_size, hidden_size),
            nn.ReLU(),
            nn.Linear(hidden_size, input_size),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.model(x)


torch.manual_seed(0)
y = torch.ones(10, 5)  # the target
x = y + torch.randn_like(y)  # the input: the target plus noise
print(x)
# --8<-- [end:bce-setup]

# --8<-- [start:bce-loss]
model = MultilayerPerceptron(5, 3)
adam = optim.Adam(model.parameters(), lr=1e-1)
loss_function = nn.BCELoss()

y_pred = model(x)
print(y_pred.shape)
print(loss_function(y_pred, y).item())
print((-torch.log(y_pred)).mean().item())  # the BCE formula with every y_i = 1
# --8<-- [end:bce-loss]
