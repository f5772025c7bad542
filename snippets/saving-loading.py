"""保存与加载模型 / Saving and loading models: the code of docs/saving-loading.zh.md and .en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page on its own with `python snippets/saving-loading.py`.
Every file is written into a temporary folder that is deleted at the end, never into the repository.
"""
# --8<-- [start:imports]
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import plot
from digits import load_digits_split

torch.manual_seed(0)
train_set, val_set, test_set = load_digits_split(seed=0)
# zh: 本页的所有文件都写在这个临时目录里，页末删除
# en: every file of this page goes into this temporary folder, deleted at the end
workdir = tempfile.TemporaryDirectory()
folder = Path(workdir.name)
# --8<-- [end:imports]


# --8<-- [start:setup]
def make_model():
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))


# zh: 用小批量训练一轮，返回这一轮的平均损失
# en: one epoch of mini-batch training; returns the mean loss of the epoch
def train_epoch(model, optimizer, loader):
    model.train()
    total = 0.0
    for x, y in loader:
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(x)
    return total / len(loader.dataset)


def accuracy(model, dataset):
    model.eval()
    x, y = dataset.tensors
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


torch.manual_seed(0)
model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
order = torch.Generator().manual_seed(0)
loader = DataLoader(train_set, batch_size=64, shuffle=True, generator=order)
for epoch in range(5):
    loss = train_epoch(model, optimizer, loader)
val_acc = accuracy(model, val_set)
print(f"{loss=:.4f}  {val_acc=:.3f}")
# --8<-- [end:setup]

# --8<-- [start:state-dict]
state = model.state_dict()
print(type(state).__name__)
for name, tensor in state.items():
    print(f"{name:>8}  {tuple(tensor.shape)}")
print(state["0.bias"][:4])
# zh: 同一块内存，不是拷贝
# en: the same memory, not a copy
print(state["0.bias"].data_ptr() == model[0].bias.data_ptr())
# --8<-- [end:state-dict]

# --8<-- [start:optimizer-state]
opt_state = optimizer.state_dict()
print(list(opt_state))
group = opt_state["param_groups"][0]
print(group["lr"], group["momentum"], group["params"])
first = opt_state["state"][0]  # 0 -> 0.weight
print(list(first), tuple(first["momentum_buffer"].shape))
# --8<-- [end:optimizer-state]

# --8<-- [start:save-load]
path = folder / "digits-mlp.pt"
torch.save(model.state_dict(), path)
n_numbers = sum(t.numel() for t in model.state_dict().values())
size = path.stat().st_size
print(f"{size=}  {n_numbers=}  {4 * n_numbers=}")

# zh: 新建的模型：新的随机权重
# en: a fresh model: new random weights
restored = make_model()
print(torch.equal(restored[0].weight, model[0].weight))
result = restored.load_state_dict(torch.load(path))  # weights_only=True
print(result)
print(all(torch.equal(a, b) for a, b in zip(restored.parameters(), model.parameters())))
print(f"{accuracy(restored, val_set)=:.3f}")
# --8<-- [end:save-load]

# --8<-- [start:mismatch]
wider = nn.Sequential(nn.Linear(64, 48), nn.ReLU(), nn.Linear(48, 10))
try:
    wider.load_state_dict(torch.load(path))
except RuntimeError as error:
    print(str(error).splitlines()[0])
    print(str(error).splitlines()[1].strip())
# --8<-- [end:mismatch]

# --8<-- [start:weights-only]
whole = folder / "whole-model.pt"
# zh: 把整个模块对象连同它的类一起 pickle
# en: pickles the module object itself, class and all
torch.save(model, whole)
try:
    torch.load(whole)  # weights_only=True
except Exception as error:  # pickle.UnpicklingError
    message = str(error)
    print(type(error).__name__)
    print(message[message.index("Unsupported global"):].split(". ")[0])
# zh: 只对可信的文件这样做
# en: only for files you trust
trusted = torch.load(whole, weights_only=False)
print(type(trusted).__name__)
# --8<-- [end:weights-only]

# --8<-- [start:map-location]
if torch.accelerator.is_available():
    device = torch.accelerator.current_accelerator()
else:
    device = torch.device("cpu")
# zh: 每个张量都创建在 device 上
# en: every tensor is created on device
state = torch.load(path, map_location=device)
print(device, state["0.weight"].device)
# zh: 例如在 GPU 上保存的文件，在笔记本电脑上读
# en: e.g. a file saved on a GPU, read on a laptop
state = torch.load(path, map_location="cpu")
print(state["0.weight"].device)
# --8<-- [end:map-location]


# --8<-- [start:fresh-run]
# zh: 一次新训练的模型、优化器和数据顺序，全部由种子决定
# en: the model, optimizer and data order of a new training run, all seeded
def fresh_run(seed=0):
    torch.manual_seed(seed)
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    # zh: 它决定每一轮的打乱顺序
    # en: it decides the shuffling of every epoch
    order = torch.Generator().manual_seed(seed)
    loader = DataLoader(train_set, batch_size=64, shuffle=True, generator=order)
    return model, optimizer, order, loader


model, optimizer, order, loader = fresh_run()
uninterrupted = [train_epoch(model, optimizer, loader) for epoch in range(6)]
print([round(loss, 4) for loss in uninterrupted])
# --8<-- [end:fresh-run]

# --8<-- [start:checkpoint]
model, optimizer, order, loader = fresh_run()
losses = [train_epoch(model, optimizer, loader) for epoch in range(3)]
checkpoint = {
    "epoch": 3,
    "model": model.state_dict(),
    "optimizer": optimizer.state_dict(),
    "order": order.get_state(),
    "losses": losses,
}
torch.save(checkpoint, folder / "checkpoint.pt")
# zh: 程序在这里结束
# en: the program stops here
del model, optimizer, order, loader
print(sorted(p.name for p in folder.iterdir()))
# --8<-- [end:checkpoint]

# --8<-- [start:resume]
# zh: 一个新的程序：另一个种子，另一组权重
# en: a new program: another seed, other weights
model, optimizer, order, loader = fresh_run(seed=1)
checkpoint = torch.load(folder / "checkpoint.pt")
model.load_state_dict(checkpoint["model"])
optimizer.load_state_dict(checkpoint["optimizer"])
order.set_state(checkpoint["order"])
resumed = checkpoint["losses"]  # epoch 1..3
for epoch in range(checkpoint["epoch"], 6):
    resumed.append(train_epoch(model, optimizer, loader))
print([round(loss, 4) for loss in resumed])
# zh: 完全相等，而不只是接近
# en: exactly equal, not just close
print(resumed == uninterrupted)
# --8<-- [end:resume]

# --8<-- [start:resume-plot]
# zh: 圆点：不中断；叉号：从检查点恢复
# en: dots: uninterrupted; crosses: resumed from the checkpoint
ax = plot.curves(range(1, 7), {"": uninterrupted}, xlabel="epoch",
                 ylabel=r"$\mathcal{L}$", logy=True, marker="o")
ax.plot(range(1, 7), resumed, "x", color="#dd8452", markersize=9)
ax.axvline(3.5, color="gray", linestyle="--", linewidth=1)
plt.show()
# --8<-- [end:resume-plot]

# --8<-- [start:scheduler]
# zh: 学习率调度器：每 2 轮把学习率减半
# en: a learning-rate scheduler: halve the learning rate every 2 epochs
def scheduled_run(seed=0):
    model, optimizer, order, loader = fresh_run(seed)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    return model, optimizer, scheduler, order, loader


# zh: 训练若干轮，返回每一轮用的学习率
# en: train some epochs; returns the learning rate each epoch used
def train_scheduled(model, optimizer, scheduler, loader, epochs):
    lrs = []
    for epoch in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        train_epoch(model, optimizer, loader)
        # zh: 每轮结束时调一次
        # en: once at the end of every epoch
        scheduler.step()
    return lrs


model, optimizer, scheduler, order, loader = scheduled_run()
lrs_uninterrupted = train_scheduled(model, optimizer, scheduler, loader, 6)
print(lrs_uninterrupted)

model, optimizer, scheduler, order, loader = scheduled_run()
lrs_before = train_scheduled(model, optimizer, scheduler, loader, 3)
sched_checkpoint = {
    "model": model.state_dict(),
    "optimizer": optimizer.state_dict(),
    "scheduler": scheduler.state_dict(),
    "order": order.get_state(),
}
torch.save(sched_checkpoint, folder / "checkpoint-scheduler.pt")
print(sched_checkpoint["scheduler"]["last_epoch"])
# --8<-- [end:scheduler]

# --8<-- [start:scheduler-forgot]
saved = torch.load(folder / "checkpoint-scheduler.pt")
# zh: 恢复时漏掉了调度器：新的调度器从第 0 轮数起
# en: resuming without the scheduler: the new one counts from epoch 0
model, optimizer, scheduler, order, loader = scheduled_run(seed=1)
model.load_state_dict(saved["model"])
optimizer.load_state_dict(saved["optimizer"])
order.set_state(saved["order"])
lrs_forgot = lrs_before + train_scheduled(model, optimizer, scheduler, loader, 3)
print(lrs_forgot, lrs_forgot == lrs_uninterrupted)
# --8<-- [end:scheduler-forgot]

# --8<-- [start:scheduler-resume]
# zh: 连调度器的状态一起恢复
# en: restore the scheduler's state too
model, optimizer, scheduler, order, loader = scheduled_run(seed=1)
model.load_state_dict(saved["model"])
optimizer.load_state_dict(saved["optimizer"])
scheduler.load_state_dict(saved["scheduler"])
order.set_state(saved["order"])
lrs_resumed = lrs_before + train_scheduled(model, optimizer, scheduler, loader, 3)
print(lrs_resumed, lrs_resumed == lrs_uninterrupted)
# --8<-- [end:scheduler-resume]

# --8<-- [start:inference]
final = folder / "digits-mlp-final.pt"
torch.save(model.state_dict(), final)

predictor = make_model()
predictor.load_state_dict(torch.load(final, map_location="cpu"))
# zh: 评估模式；不建计算图
# en: evaluation mode; no graph
predictor.eval()
x_test, y_test = test_set.tensors
with torch.no_grad():
    predicted = predictor(x_test).argmax(dim=1)
print(predicted[:10].tolist())
print(y_test[:10].tolist())
test_acc = (predicted == y_test).float().mean()
print(f"{test_acc=:.3f}")
# --8<-- [end:inference]

# --8<-- [start:cleanup]
workdir.cleanup()
print(folder.exists())
# --8<-- [end:cleanup]

# --8<-- [start:ex1]
print(list(checkpoint["optimizer"]["state"][0]))
buffer = checkpoint["optimizer"]["state"][0]["momentum_buffer"]
print(tuple(buffer.shape), f"{torch.linalg.vector_norm(buffer):.4f}")
# --8<-- [end:ex1]

# --8<-- [start:ex2]
with tempfile.TemporaryDirectory() as tmp:
    model, optimizer, order, loader = fresh_run()
    partial = [train_epoch(model, optimizer, loader) for epoch in range(3)]
    weights_only = {"model": model.state_dict(), "order": order.get_state()}
    torch.save(weights_only, Path(tmp) / "weights.pt")

    model, optimizer, order, loader = fresh_run(seed=1)
    saved = torch.load(Path(tmp) / "weights.pt")
    # zh: 只恢复了权重，没有动量缓冲区
    # en: the weights only, no momentum buffers
    model.load_state_dict(saved["model"])
    order.set_state(saved["order"])
    partial += [train_epoch(model, optimizer, loader) for epoch in range(3, 6)]
print([round(loss, 4) for loss in partial])
print([round(loss, 4) for loss in uninterrupted])
# --8<-- [end:ex2]

# --8<-- [start:ex3]
def mean_loss(model, dataset):
    model.eval()
    x, y = dataset.tensors
    with torch.no_grad():
        return nn.functional.cross_entropy(model(x), y).item()


# zh: 只用前 100 个训练样本，过拟合来得快
# en: only the first 100 training samples, so that it overfits soon
few = TensorDataset(*(t[:100] for t in train_set.tensors))
torch.manual_seed(0)
model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loader = DataLoader(few, batch_size=64, shuffle=True,
                    generator=torch.Generator().manual_seed(0))
with tempfile.TemporaryDirectory() as tmp:
    best_path = Path(tmp) / "best.pt"
    val_losses = []
    for epoch in range(1, 101):
        train_epoch(model, optimizer, loader)
        val_losses.append(mean_loss(model, val_set))
        # zh: 新的最低验证损失：覆盖旧文件
        # en: a new lowest validation loss: overwrite the file
        if val_losses[-1] == min(val_losses):
            best_epoch = epoch
            torch.save(model.state_dict(), best_path)
    best = make_model()
    best.load_state_dict(torch.load(best_path))
print([round(v, 3) for v in val_losses[::10]])
print(f"{best_epoch=}  val loss {mean_loss(best, val_set):.4f}"
      f"  val acc {accuracy(best, val_set):.3f}")
print(f"{epoch=}  val loss {mean_loss(model, val_set):.4f}"
      f"  val acc {accuracy(model, val_set):.3f}")
best_test_acc = accuracy(best, test_set)
print(f"{best_test_acc=:.3f}")
# --8<-- [end:ex3]
