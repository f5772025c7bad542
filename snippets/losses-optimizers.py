"""损失与优化器 / Losses and optimizers: the code of docs/losses-optimizers.zh.md and
docs/losses-optimizers.en.md, in page order.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/losses-optimizers.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
from torch import nn, optim

import plot

torch.manual_seed(0)
print(torch.__version__)
# --8<-- [end:imports]

# --8<-- [start:mse]
mse_loss_fn = nn.MSELoss()
input = torch.tensor([[0.0, 0, 0]])
target = torch.tensor([[1.0, 0, -1]])
loss = mse_loss_fn(input, target)
print(loss)
# (1 + 0 + 1) / 3
print(((input - target) ** 2).mean())
# --8<-- [end:mse]

# --8<-- [start:reduction]
for reduction in ["mean", "sum", "none"]:
    print(f"{reduction=}", nn.MSELoss(reduction=reduction)(input, target))
# --8<-- [end:reduction]

# --8<-- [start:mse-shapes]
import warnings

# zh: 模型的输出是一列 (3, 1)，目标却是一个向量 (3,)
# en: the model's output is a column (3, 1), the target a vector (3,)
prediction = torch.tensor([[1.0], [2.0], [3.0]])
labels = torch.tensor([1.0, 2.0, 3.0])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    wrong = nn.MSELoss()(prediction, labels)
print("UserWarning:", caught[0].message)
# zh: 广播成了 (3, 3)：每个预测与每个目标都比了一次，预测全对，损失却不是 0
# en: broadcast to (3, 3): every prediction against every target; all predictions
# en: are right, yet the loss is not 0
print((prediction - labels).shape, wrong)
# zh: 修正：让两者形状相同
# en: the fix: give both the same shape
print(nn.MSELoss()(prediction.squeeze(1), labels))
print(nn.MSELoss()(prediction, labels.unsqueeze(1)))
# --8<-- [end:mse-shapes]

# --8<-- [start:loss-graph]
w = torch.tensor([[0.5]], requires_grad=True)
x_data = torch.tensor([[1.0], [2.0], [3.0]])
y_data = torch.tensor([[2.0], [4.0], [6.0]])
loss = nn.MSELoss()(x_data @ w, y_data)
print(loss.grad_fn.name())
# --8<-- [end:loss-graph]

# --8<-- [start:reduction-gradient]
for reduction in ["mean", "sum"]:
    w.grad = None
    nn.MSELoss(reduction=reduction)(x_data @ w, y_data).backward()
    print(f"{reduction=} {w.grad.item():.4f}")
print(f"N = {len(x_data)}")
# --8<-- [end:reduction-gradient]

# --8<-- [start:one-step]
torch.manual_seed(0)
model = nn.Linear(1, 1)
X_simple = torch.tensor([[1.0]])
y_simple = torch.tensor([[2.0]])
optimizer = optim.SGD(model.parameters(), lr=1e-2)
mse_loss_fn = nn.MSELoss()

y_hat = model(X_simple)
print(model.weight)
loss = mse_loss_fn(y_hat, y_simple)
optimizer.zero_grad()
loss.backward()
w_before = model.weight.detach().clone()
optimizer.step()
print(model.weight)
# --8<-- [end:one-step]

# --8<-- [start:one-step-check]
lr = optimizer.param_groups[0]["lr"]
grad = model.weight.grad
# 2 (y_hat - y) x
print(grad.item(), (2 * (y_hat - y_simple) * X_simple).item())
print(torch.allclose(model.weight, w_before - lr * grad))
# --8<-- [end:one-step-check]

# --8<-- [start:zero-grad]
print(model.weight.grad)
optimizer.zero_grad()
print(model.weight.grad)

mse_loss_fn(model(X_simple), y_simple).backward()
optimizer.zero_grad(set_to_none=False)
print(model.weight.grad)
# --8<-- [end:zero-grad]

# --8<-- [start:no-graph]
# zh: step() 在 no_grad 下更新，参数仍是叶子
# en: step() updates under no_grad: the parameter is still a leaf
print(model.weight.is_leaf, model.weight.grad_fn)

# zh: 手写更新而不关闭梯度记录：结果被记进了计算图
# en: a hand-written update with recording on: the result joins the graph
w_manual = model.weight - lr * model.weight.grad
print(w_manual.is_leaf, w_manual.grad_fn.name())
with torch.no_grad():
    w_manual = model.weight - lr * model.weight.grad
print(w_manual.requires_grad)
# --8<-- [end:no-graph]

# --8<-- [start:param-groups]
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
# zh: 第一层用自己的学习率 0.1，最后一层用下面的默认值 0.01
# en: the first layer gets its own lr 0.1, the last layer the default 0.01 below
optimizer = optim.SGD(
    [
        {"params": net[0].parameters(), "lr": 0.1},
        {"params": net[2].parameters()},
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
# zh: 参数的变化量 ÷ 梯度 = 这个参数实际用到的学习率
# en: change of the parameter / gradient = the lr it was updated with
for name, p, p0 in zip(names, net.parameters(), before):
    ratio = (p0 - p.detach()) / p.grad
    print(f"{name:9} {ratio.mean().item():.4f}")
# --8<-- [end:param-groups-step]

# --8<-- [start:optimizer-list]
optimizer_names = [
    n for n in dir(optim)
    if isinstance(getattr(optim, n), type)
    and issubclass(getattr(optim, n), optim.Optimizer)
    and n != "Optimizer"
]
print(len(optimizer_names))
print(optimizer_names)
# --8<-- [end:optimizer-list]

# --8<-- [start:compare-setup]
x_data = torch.tensor([[1.0], [2.0], [3.0]])
y_data = torch.tensor([[2.0], [4.0], [6.0]])
# zh: 名字 -> (优化器类, 关键字参数)
# en: name -> (class, keyword arguments)
optimizers = {
    "Adagrad": (optim.Adagrad, dict(lr=0.5)),
    "Adam": (optim.Adam, dict(lr=0.1)),
    "AdamW": (optim.AdamW, dict(lr=0.1)),
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
    # zh: 每个优化器都从相同的初始权重出发
    # en: the same starting weights for every optimizer
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    criterion = nn.MSELoss()
    optimizer = opt_class(model.parameters(), **kwargs)

    def closure():
        # zh: 清空梯度、计算损失、反向传播、返回损失
        # en: clear the gradients, compute the loss, backpropagate, return the loss
        optimizer.zero_grad()
        loss = criterion(model(x_data), y_data)
        loss.backward()
        return loss

    losses = []
    for _ in range(steps):
        # zh: 每个优化器的 step 都接受闭包；LBFGS 一步里会调用它多次
        # en: every optimizer's step accepts a closure; LBFGS calls it many times a step
        losses.append(optimizer.step(closure).item())
    with torch.no_grad():
        final = criterion(model(x_data), y_data).item()
    return losses, final, model


histories, finals = {}, {}
print(f"{'':9} {'lr':>5} {'loss':>9} {'w':>8} {'b':>8}")
for name, (opt_class, kwargs) in optimizers.items():
    losses, final, model = train(opt_class, kwargs)
    histories[name], finals[name] = losses, final
    w, b = model.weight.item(), model.bias.item()
    print(f"{name:9} {kwargs['lr']:5} {final:9.2e} {w:8.4f} {b:8.4f}")
# --8<-- [end:compare-train]

# --8<-- [start:compare-figure]
# zh: 对数坐标画不出 0：低于 1e-10 的损失画在 1e-10 处
# en: a log axis cannot show 0: losses below 1e-10 are drawn at 1e-10
floor = 1e-10
steps = range(1, 101)
series = {name: [max(v, floor) for v in h] for name, h in histories.items()}
ax = plot.curves(steps, series, xlabel="steps", ylabel="MSE", logy=True)
ax.legend(ncol=3, fontsize=8, loc="lower left", bbox_to_anchor=(0.04, 0.1))
plt.show()
# --8<-- [end:compare-figure]

# --8<-- [start:lbfgs-plain-step]
model = nn.Linear(1, 1)
lbfgs = optim.LBFGS(model.parameters())
try:
    lbfgs.step()
except TypeError as error:
    print("TypeError:", error)
# --8<-- [end:lbfgs-plain-step]

# --8<-- [start:adam-scale]
# zh: 三个参数，梯度分别是 0.001、1 和 1000
# en: three parameters whose gradients are 0.001, 1 and 1000
scales = torch.tensor([1e-3, 1.0, 1e3])
for opt_class in (optim.SGD, optim.Adam):
    p = torch.zeros(3, requires_grad=True)
    opt = opt_class([p], lr=0.1)
    (scales * p).sum().backward()
    opt.step()
    print(f"{opt_class.__name__:5}", p.detach())
# --8<-- [end:adam-scale]

# --8<-- [start:adam-by-hand]
lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8

# zh: 手写 Adam，最小化 f(theta) = (theta - 2)^2，从 theta = 0 出发
# en: Adam by hand, minimizing f(theta) = (theta - 2)^2 from theta = 0
theta_hand, m, v = 0.0, 0.0, 0.0
hand = []
for t in range(1, 4):
    g = 2 * (theta_hand - 2)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    theta_hand = theta_hand - lr * m_hat / (v_hat**0.5 + eps)
    hand.append(theta_hand)

theta = torch.tensor(0.0, requires_grad=True)
adam = optim.Adam([theta], lr=lr, betas=(beta1, beta2), eps=eps)
auto = []
for t in range(3):
    adam.zero_grad()
    ((theta - 2) ** 2).backward()
    adam.step()
    auto.append(theta.item())
print([round(v, 6) for v in hand])
print([round(v, 6) for v in auto])
print(torch.allclose(torch.tensor(hand), torch.tensor(auto)))
# --8<-- [end:adam-by-hand]

# --8<-- [start:adamw]
# zh: 损失的梯度为 0，只剩权重衰减在起作用
# en: the loss has zero gradient: only weight decay acts
for opt_class in (optim.Adam, optim.AdamW):
    p = torch.ones(1, requires_grad=True)
    opt = opt_class([p], lr=0.1, weight_decay=0.1)
    values = []
    for _ in range(3):
        opt.zero_grad()
        (0 * p).sum().backward()
        opt.step()
        values.append(round(p.item(), 4))
    print(f"{opt_class.__name__:5}", values)
# --8<-- [end:adamw]


# --8<-- [start:none-vs-zero]
def move_without_gradient(make_optimizer, set_to_none):
    # zh: b 在第 1 步有梯度，在第 2 步没有；返回 b 在第 2 步移动了多少
    # en: b has a gradient in step 1 but none in step 2; returns how far b moves
    # en: in step 2
    a = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    opt = make_optimizer([a, b])
    opt.zero_grad()
    (a**2 + b**2).backward()
    opt.step()
    # zh: 第 2 步的损失用不到 b：b.grad 是 None，或者是 0
    # en: step 2's loss does not use b: b.grad is None, or zeros
    opt.zero_grad(set_to_none=set_to_none)
    (a**2).backward()
    before = b.item()
    opt.step()
    return b.item() - before


makers = {
    "SGD": lambda params: optim.SGD(params, lr=0.1),
    "SGD(momentum=0.9)": lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
    "SGD(weight_decay=0.1)": lambda params: optim.SGD(params, lr=0.1, weight_decay=0.1),
    "Adam": lambda params: optim.Adam(params, lr=0.1),
}
moved = {}
for name, make in makers.items():
    for set_to_none in (True, False):
        moved[name, set_to_none] = move_without_gradient(make, set_to_none)
    print(f"{name:22} None: {moved[name, True]:+.4f}  zeros: {moved[name, False]:+.4f}")
# --8<-- [end:none-vs-zero]

# --8<-- [start:no-decay]
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
# zh: 一维的参数是偏置和归一化层的缩放、平移：它们不做权重衰减
# en: the 1-D parameters are biases and the norm layer's scale and shift: no decay
decay = [p for p in net.parameters() if p.ndim > 1]
no_decay = [p for p in net.parameters() if p.ndim == 1]
print([name for name, p in net.named_parameters() if p.ndim == 1])
optimizer = optim.AdamW(
    [
        {"params": decay, "weight_decay": 0.1},
        {"params": no_decay, "weight_decay": 0.0},
    ],
    lr=0.1,
)
print([(len(g["params"]), g["weight_decay"]) for g in optimizer.param_groups])
# zh: 梯度全为 0 的一步：只有权重衰减在起作用
# en: one step with all gradients zero: only weight decay acts
before = [p.detach().clone() for p in net.parameters()]
for p in net.parameters():
    p.grad = torch.zeros_like(p)
optimizer.step()
for (name, p), p0 in zip(net.named_parameters(), before):
    print(f"{name:9} changed: {not torch.equal(p, p0)}")
# --8<-- [end:no-decay]

# --8<-- [start:ex1]
N = len(x_data)
lin_mean, lin_sum = nn.Linear(1, 1), nn.Linear(1, 1)
lin_sum.load_state_dict(lin_mean.state_dict())
pairs = [
    (lin_mean, nn.MSELoss(reduction="mean"), 0.03),
    (lin_sum, nn.MSELoss(reduction="sum"), 0.03 / N),
]
for lin, criterion, lr in pairs:
    opt = optim.SGD(lin.parameters(), lr=lr)
    for _ in range(5):
        opt.zero_grad()
        criterion(lin(x_data), y_data).backward()
        opt.step()
print(lin_mean.weight.item(), lin_sum.weight.item())
print(torch.allclose(lin_mean.weight, lin_sum.weight))
# --8<-- [end:ex1]

# --8<-- [start:ex2]
candidates = [0.1, 0.3, 1.0]
best_final = {}
for name, (opt_class, kwargs) in optimizers.items():
    # zh: LBFGS 一步就解完了，不必再试
    # en: LBFGS already solves the problem in one step
    if name == "LBFGS":
        continue
    by_lr = {lr: train(opt_class, dict(lr=lr))[1] for lr in candidates}
    # zh: 发散的学习率得到 nan，不参加比较
    # en: a diverging learning rate gives nan and is left out
    by_lr = {lr: v for lr, v in by_lr.items() if v == v}
    best = min(by_lr, key=by_lr.get)
    best_final[name] = by_lr[best]
    print(f"{name:9} {kwargs['lr']:5} -> {best:4} {by_lr[best]:.2e}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
model = nn.Linear(1, 1)
losses = nn.MSELoss(reduction="none")(model(x_data), y_data)
print(losses.shape)
try:
    losses.backward()
except RuntimeError as error:
    print("RuntimeError:", error)
losses.mean().backward()
print(model.weight.grad)
# --8<-- [end:ex3]
