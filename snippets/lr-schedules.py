"""学习率调度与梯度裁剪 / Learning-rate schedules and gradient clipping: the code of
docs/lr-schedules.zh.md and .en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page on its own with `python snippets/lr-schedules.py`.
"""
# --8<-- [start:imports]
import io
import statistics
import warnings

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.lr_scheduler import (CosineAnnealingLR, LinearLR, OneCycleLR,
                                      SequentialLR)
from torch.utils.data import DataLoader

from digits import load_digits_split
from plot.lr_schedules import lr_curves, norm_panels, seed_curves

torch.manual_seed(0)
train_set, val_set, test_set = load_digits_split(seed=0)
# --8<-- [end:imports]

# --8<-- [start:warmup-cosine]
model = nn.Linear(64, 10)
optimizer = torch.optim.SGD(model.parameters(), lr=0.3, momentum=0.9)
warmup, total = 4, 12
# zh: 前 4 步从 0.01 × lr 线性升到 lr，之后 8 步按余弦降到 0
# en: 4 steps rising linearly from 0.01 × lr to lr, then 8 steps of cosine decay to 0
scheduler = SequentialLR(
    optimizer,
    schedulers=[
        LinearLR(optimizer, start_factor=0.01, total_iters=warmup),
        CosineAnnealingLR(optimizer, T_max=total - warmup),
    ],
    milestones=[warmup],
)
for step in range(total):
    lr = optimizer.param_groups[0]["lr"]
    # zh: 真实训练里，这里是 前向传播、backward() 和 optimizer.step()
    # en: in real training: the forward pass, backward() and optimizer.step()
    optimizer.step()
    scheduler.step()
    print(f"{step=:2d}  {lr=:.4f}")
print(scheduler.get_last_lr())
# --8<-- [end:warmup-cosine]

# --8<-- [start:schedules]
epochs, batch_size, peak_lr = 10, 64, 0.3
steps_per_epoch = -(-len(train_set) // batch_size)  # ceil
total_steps = epochs * steps_per_epoch


# zh: 给一个优化器配上三种调度之一（"constant" 不用调度器）
# en: attaches one of three schedules to an optimizer ("constant" uses no scheduler)
def make_scheduler(kind, optimizer):
    if kind == "constant":
        return None
    if kind == "warmup-cosine":
        warmup = steps_per_epoch  # one epoch
        return SequentialLR(
            optimizer,
            schedulers=[
                LinearLR(optimizer, start_factor=0.01, total_iters=warmup),
                CosineAnnealingLR(optimizer, T_max=total_steps - warmup),
            ],
            milestones=[warmup],
        )
    return OneCycleLR(optimizer, max_lr=peak_lr, total_steps=total_steps)


kinds = ["constant", "warmup-cosine", "one-cycle"]
traces, momenta = {}, {}
for kind in kinds:
    params = nn.Linear(64, 10).parameters()
    optimizer = torch.optim.SGD(params, lr=peak_lr, momentum=0.9)
    scheduler = make_scheduler(kind, optimizer)
    traces[kind], momenta[kind] = [], []
    for step in range(total_steps):
        traces[kind].append(optimizer.param_groups[0]["lr"])
        momenta[kind].append(optimizer.param_groups[0]["momentum"])
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
print(f"{steps_per_epoch=}  {total_steps=}")
for kind in kinds:
    mean_lr = statistics.mean(traces[kind])
    print(f"{kind:>13}: first={traces[kind][0]:.4f}  max={max(traces[kind]):.4f}  "
          f"last={traces[kind][-1]:.2e}  {mean_lr=:.4f}")
print(f"one-cycle momentum: {min(momenta['one-cycle'])}..{max(momenta['one-cycle'])}")
# --8<-- [end:schedules]

# --8<-- [start:schedules-plot]
labels = {"constant": f"SGD(lr={peak_lr})",
          "warmup-cosine": "LinearLR + CosineAnnealingLR",
          "one-cycle": "OneCycleLR"}
lr_curves({labels[kind]: traces[kind] for kind in kinds}, xlabel="step", ylabel="lr")
plt.show()
# --8<-- [end:schedules-plot]

# --8<-- [start:step-order]
optimizer = torch.optim.SGD(nn.Linear(64, 10).parameters(), lr=peak_lr)
scheduler = CosineAnnealingLR(optimizer, T_max=4)
lrs_wrong = []
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for step in range(4):
        # zh: 错误的顺序：先 scheduler.step()，后 optimizer.step()
        # en: the wrong order: scheduler.step() before optimizer.step()
        scheduler.step()
        lrs_wrong.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
for warning in caught:
    print(warning.category.__name__, str(warning.message)[:75])
print([round(lr, 4) for lr in lrs_wrong])
print([round(lr, 4) for lr in [peak_lr] + lrs_wrong[:3]])
# --8<-- [end:step-order]


# --8<-- [start:train]
def val_loss_and_accuracy(model):
    x, y = val_set.tensors
    with torch.no_grad():
        logits = model(x)
    accuracy = (logits.argmax(1) == y).float().mean().item()
    return F.cross_entropy(logits, y).item(), accuracy


# zh: 一次训练：种子决定初始权重和数据顺序；返回每轮结束时的验证损失和最终准确率
# en: one run: the seed fixes the initial weights and the data order; returns the
# en: validation loss after each epoch and the final accuracy
def train(kind, seed):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=peak_lr, momentum=0.9)
    scheduler = make_scheduler(kind, optimizer)
    order = torch.Generator().manual_seed(seed)
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, generator=order)
    val_losses = []
    for epoch in range(epochs):
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                # zh: 每个小批量之后一次：total_steps 数的是小批量
                # en: once per mini-batch: total_steps counts mini-batches
                scheduler.step()
        val_losses.append(val_loss_and_accuracy(model)[0])
    return val_losses, val_loss_and_accuracy(model)[1]


# zh: 两组结果的均值之差，和这个差的标准误
# en: the difference of two groups' means, and the standard error of that difference
def difference(a, b):
    se = (statistics.variance(a) / len(a) + statistics.variance(b) / len(b)) ** 0.5
    return statistics.mean(a) - statistics.mean(b), se


seeds = range(5)
runs = {kind: [train(kind, seed) for seed in seeds] for kind in kinds}
final_loss, final_acc = {}, {}
for kind in kinds:
    final_loss[kind] = [losses[-1] for losses, _ in runs[kind]]
    final_acc[kind] = [acc for _, acc in runs[kind]]
    print(f"{kind:>13}  val_loss: {statistics.mean(final_loss[kind]):.4f} "
          f"± {statistics.stdev(final_loss[kind]):.4f}   "
          f"val_acc: {statistics.mean(final_acc[kind]):.3f} "
          f"± {statistics.stdev(final_acc[kind]):.3f}")
    print(" " * 15, [f"{loss:.3f}" for loss in final_loss[kind]])
for kind in kinds[1:]:
    diff, se = difference(final_loss[kind], final_loss["constant"])
    print(f"{kind} - constant: {diff:+.4f}, se={se:.4f}")
# --8<-- [end:train]

# --8<-- [start:train-plot]
seed_curves({labels[kind]: [losses for losses, _ in runs[kind]] for kind in kinds},
            xlabel="epoch", ylabel="val_loss")
plt.show()
# --8<-- [end:train-plot]

# --8<-- [start:checkpoint]
# zh: 和上面 train("warmup-cosine", 0) 相同的一次训练，在第 5 轮结束时保存检查点
# en: the run of train("warmup-cosine", 0) above, with a checkpoint after epoch 5
def setup(seed):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=peak_lr, momentum=0.9)
    scheduler = make_scheduler("warmup-cosine", optimizer)
    order = torch.Generator().manual_seed(seed)
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, generator=order)
    return model, optimizer, scheduler, order, loader


def train_epochs(model, optimizer, scheduler, loader, n):
    lrs = []
    for epoch in range(n):
        for x, y in loader:
            lrs.append(optimizer.param_groups[0]["lr"])
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
    return lrs


model, optimizer, scheduler, order, loader = setup(seed=0)
lrs_first = train_epochs(model, optimizer, scheduler, loader, 5)
buffer = io.BytesIO()
torch.save({"model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "order": order.get_state()}, buffer)
print({k: v for k, v in scheduler.state_dict().items() if k != "_schedulers"})
# --8<-- [end:checkpoint]


# --8<-- [start:resume]
# zh: 新的程序：先把所有对象建好，再把检查点里的状态加载进去
# en: a new program: build every object first, then load the checkpoint into them
def resume(load_scheduler):
    model, optimizer, scheduler, order, loader = setup(seed=1)
    buffer.seek(0)
    checkpoint = torch.load(buffer)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    order.set_state(checkpoint["order"])
    if load_scheduler:
        scheduler.load_state_dict(checkpoint["scheduler"])
    lrs = train_epochs(model, optimizer, scheduler, loader, epochs - 5)
    return lrs, val_loss_and_accuracy(model)[0]


lrs_forgot, loss_forgot = resume(load_scheduler=False)
lrs_resumed, loss_resumed = resume(load_scheduler=True)
lrs_uninterrupted = traces["warmup-cosine"]
resume_step = len(lrs_first)
print(f"{resume_step=}  {lrs_uninterrupted[resume_step]=:.4f}")
print(f"{lrs_forgot[0]=:.4f}  {max(lrs_forgot)=:.4f}")
print(lrs_first + lrs_resumed == lrs_uninterrupted)
uninterrupted_loss = runs["warmup-cosine"][0][0][-1]
print(f"{uninterrupted_loss=:.4f}  {loss_resumed=:.4f}  {loss_forgot=:.4f}")
# --8<-- [end:resume]

# --8<-- [start:resume-plot]
lr_curves({"lrs_uninterrupted": lrs_uninterrupted,
           "lrs_first + lrs_forgot": lrs_first + lrs_forgot},
          xlabel="step", ylabel="lr", mark=resume_step, logy=True)
plt.show()
# --8<-- [end:resume-plot]

# --8<-- [start:rnn]
seq_len, rnn_batch, hidden_size = 40, 32, 32


# zh: 任务：读完 40 个随机数，输出它们的和（除以 √40，让目标的方差为 1）
# en: the task: read 40 random numbers, output their sum (divided by √40: unit variance)
def make_batch(generator):
    x = torch.randn(rnn_batch, seq_len, 1, generator=generator)
    return x, x.sum(dim=(1, 2)) / seq_len**0.5


class SumRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(1, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x):
        _, h_n = self.rnn(x)  # h_n: (1, batch, hidden_size)
        return self.head(h_n[0]).squeeze(1)


def grad_norm(model):
    norms = [p.grad.norm() for p in model.parameters()]
    return torch.linalg.vector_norm(torch.stack(norms)).item()


# zh: max_norm=inf 时 clip_grad_norm_ 只计算范数，不改梯度
# en: with max_norm=inf, clip_grad_norm_ only computes the norm and changes nothing
def train_rnn(seed, max_norm, steps=150):
    torch.manual_seed(seed)
    model = SumRNN()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    data = torch.Generator().manual_seed(seed)
    log = {"before": [], "after": [], "loss": []}
    for step in range(steps):
        x, y = make_batch(data)
        loss = F.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        # zh: 在 backward() 之后、optimizer.step() 之前；返回的是裁剪前的总范数
        # en: after backward(), before optimizer.step(); returns the total norm before
        # en: clipping
        before = nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        log["before"].append(before.item())
        log["after"].append(grad_norm(model))
        optimizer.step()
        log["loss"].append(loss.item())
    return log


unclipped = train_rnn(seed=0, max_norm=float("inf"))
clipped = train_rnn(seed=0, max_norm=1.0)
for name, log in [("unclipped", unclipped), ("clipped", clipped)]:
    before = torch.tensor(log["before"])
    print(f"{name:>9}  median={before.median():.2f}  max={before.max():.1f}  "
          f"after_max={max(log['after']):.3f}  "
          f"last_50_loss={statistics.mean(log['loss'][-50:]):.3f}")
# --8<-- [end:rnn]

# --8<-- [start:rnn-plot]
norm_panels({"max_norm=inf": unclipped, "max_norm=1.0": clipped}, max_norm=1.0)
plt.show()
# --8<-- [end:rnn-plot]

# --8<-- [start:rnn-seeds]
settings = {"unclipped": float("inf"), "clipped": 1.0}
# zh: 种子 0 上面已经训练过了，再加两个种子
# en: seed 0 was trained above; two more seeds
logs = {"unclipped": [unclipped], "clipped": [clipped]}
for seed in (1, 2):
    for name, max_norm in settings.items():
        logs[name].append(train_rnn(seed, max_norm))
last_loss = {name: [statistics.mean(log["loss"][-50:]) for log in logs[name]]
             for name in logs}
for name, losses in last_loss.items():
    print(f"{name:>9}", [f"{loss:.3f}" for loss in losses])
# --8<-- [end:rnn-seeds]

# --8<-- [start:ex1]
# zh: 按轮调用：T_max 和 total_iters 都以“轮”为单位
# en: stepping once per epoch: T_max and total_iters count epochs
optimizer = torch.optim.SGD(nn.Linear(64, 10).parameters(), lr=peak_lr, momentum=0.9)
scheduler = SequentialLR(
    optimizer,
    schedulers=[
        LinearLR(optimizer, start_factor=0.1, total_iters=1),
        CosineAnnealingLR(optimizer, T_max=epochs - 1),
    ],
    milestones=[1],
)
per_epoch = []
for epoch in range(epochs):
    per_epoch.append(optimizer.param_groups[0]["lr"])
    for step in range(steps_per_epoch):
        optimizer.step()
    scheduler.step()
print([round(lr, 3) for lr in per_epoch])

# zh: OneCycleLR 被调用的次数超过 total_steps 会报错
# en: OneCycleLR raises once it is stepped more than total_steps times
optimizer = torch.optim.SGD(nn.Linear(64, 10).parameters(), lr=peak_lr, momentum=0.9)
scheduler = OneCycleLR(optimizer, max_lr=peak_lr, total_steps=epochs)
calls = 0
try:
    for step in range(total_steps):
        optimizer.step()
        scheduler.step()
        calls += 1
except ValueError as error:
    print(f"{calls=}:", error)
# --8<-- [end:ex1]

# --8<-- [start:ex2]
# zh: 恒定的 0.1，同样的 5 个种子（train 读全局的 peak_lr）
# en: a constant 0.1, the same 5 seeds (train reads the global peak_lr)
peak_lr = 0.1
small_lr_loss = [train("constant", seed)[0][-1] for seed in seeds]
peak_lr = 0.3
print(f"val_loss: {statistics.mean(small_lr_loss):.4f} "
      f"± {statistics.stdev(small_lr_loss):.4f}")
print([f"{loss:.3f}" for loss in small_lr_loss])
# --8<-- [end:ex2]

# --8<-- [start:ex3]
torch.manual_seed(0)
model = SumRNN()
x, y = make_batch(torch.Generator().manual_seed(0))
F.mse_loss(model(x), y).backward()
original = torch.cat([p.grad.flatten() for p in model.parameters()])


def clipped_gradient(clip):
    sizes = [p.numel() for p in model.parameters()]
    for p, g in zip(model.parameters(), original.split(sizes)):
        p.grad = g.view_as(p).clone()
    clip(model.parameters())
    return torch.cat([p.grad.flatten() for p in model.parameters()])


by_norm = clipped_gradient(lambda params: nn.utils.clip_grad_norm_(params, 0.1))
by_value = clipped_gradient(lambda params: nn.utils.clip_grad_value_(params, 0.01))
for name, g in [("norm", by_norm), ("value", by_value)]:
    cosine = F.cosine_similarity(g, original, dim=0).item()
    print(f"{name:>5}: norm={g.norm():.4f}  {cosine=:.4f}")
print(f"{original.norm()=:.4f}")
# --8<-- [end:ex3]
