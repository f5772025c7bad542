"""数据集与 DataLoader / Datasets and DataLoader: the code of docs/data.zh.md and .en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page,
in page order. Run the whole page on its own with `python snippets/data.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import (DataLoader, Dataset, TensorDataset, default_collate,
                              random_split)

import plot
from plot.data import split_bar

torch.manual_seed(0)
np.random.seed(0)
# --8<-- [end:imports]

# --8<-- [start:split-diagram]
split_bar({"train_set": 70, "val_set": 15, "test_set": 15})
plt.show()
# --8<-- [end:split-diagram]

# --8<-- [start:random-split]
# zh: 任何有 len() 和 [] 的对象都可以：这里是 100 个样本的编号
# en: any object with len() and [] will do: here, the numbers of 100 samples
samples = range(100)
train_part, val_part, test_part = random_split(
    samples, [0.7, 0.15, 0.15], generator=torch.Generator().manual_seed(0)
)
print(len(train_part), len(val_part), len(test_part))
print(list(val_part)[:5])
# zh: 没有样本同时出现在两份里
# en: no sample is in two parts
print(len(set(train_part) | set(val_part) | set(test_part)) == 100)

# zh: 同样的种子，每次得到同样的划分
# en: the same seed gives the same split every time
again, _, _ = random_split(samples, [70, 15, 15],
                           generator=torch.Generator().manual_seed(0))
print(list(again) == list(train_part))
# --8<-- [end:random-split]


# --8<-- [start:custom-dataset]
class ArrayDataset(Dataset):
    # zh: 由两个等长数组组成的样本对 (x[i], y[i])
    # en: pairs (x[i], y[i]) from two arrays of the same length

    def __init__(self, x, y):
        self.x = torch.tensor(x, dtype=torch.float32)
        self.y = torch.tensor(y, dtype=torch.float32)

    def __len__(self):
        # zh: 样本个数
        # en: the number of samples
        return len(self.x)

    def __getitem__(self, idx):
        # zh: 第 idx 个样本：(特征, 目标)
        # en: sample number idx: (features, target)
        return self.x[idx], self.y[idx]


# zh: 100 个样本，每个 10 个特征，一个目标值
# en: 100 samples with 10 features each, and one target per sample
x = np.random.rand(100, 10)
y = np.random.rand(100)
dataset = ArrayDataset(x, y)
print(len(dataset))
x0, y0 = dataset[0]
print(x0.shape, y0.shape)
# --8<-- [end:custom-dataset]

# --8<-- [start:tensor-dataset]
x_t = torch.tensor(x, dtype=torch.float32)
y_t = torch.tensor(y, dtype=torch.float32)
# zh: 张量已经在内存里时，不必自己写类
# en: when the tensors are already in memory, no class is needed
tensor_set = TensorDataset(x_t, y_t)
print(len(tensor_set))
x0_t, y0_t = tensor_set[0]
print(torch.equal(x0_t, x0), torch.equal(y0_t, y0))
# --8<-- [end:tensor-dataset]

# --8<-- [start:dataloader]
loader = DataLoader(
    dataset, batch_size=4, shuffle=True, num_workers=0,
    generator=torch.Generator().manual_seed(0),
)
# zh: 第一批
# en: the first batch
xb, yb = next(iter(loader))
print(xb.shape, yb.shape)
# zh: 每一轮的批数：100 / 4
# en: batches per epoch: 100 / 4
print(len(loader))
# zh: 完整地走一轮，数一数看到的样本
# en: one full epoch, counting the samples seen
n_seen = sum(len(xb) for xb, yb in loader)
print(n_seen)
# --8<-- [end:dataloader]

# --8<-- [start:shuffle]
# zh: 一个只含编号 0..11 的数据集，这样就能看清每批里是哪些样本
# en: a data set of the numbers 0..11 only, to see which samples each batch holds
numbers = TensorDataset(torch.arange(12))
number_loader = DataLoader(numbers, batch_size=4, shuffle=True,
                           generator=torch.Generator().manual_seed(0))
for epoch in (1, 2):
    batches = [batch.tolist() for (batch,) in number_loader]
    print(f"{epoch=}  {batches}")
# --8<-- [end:shuffle]

# --8<-- [start:collate]
# zh: 4 个 (x, y) 样本
# en: 4 samples (x, y)
samples_list = [dataset[0], dataset[1], dataset[2], dataset[3]]
# zh: DataLoader 对每一批做的正是这件事
# en: what DataLoader does with every batch
xb, yb = default_collate(samples_list)
print(xb.shape, yb.shape)
# --8<-- [end:collate]

# --8<-- [start:digits-dataset]
# zh: 随 scikit-learn 安装，不下载任何东西；像素取值 0..16
# en: installed with scikit-learn, nothing is downloaded; pixels are 0..16
digits_raw = load_digits()
x_digits = torch.tensor(digits_raw.data / 16.0, dtype=torch.float32)
y_digits = torch.tensor(digits_raw.target, dtype=torch.long)
digits = TensorDataset(x_digits, y_digits)
x0, y0 = digits[0]
print(len(digits), x0.shape, x0.dtype, y0.item())
print(f"{x_digits.min():.1f} .. {x_digits.max():.1f}")

train_set, val_set, test_set = random_split(
    digits, [0.7, 0.15, 0.15], generator=torch.Generator().manual_seed(0)
)
print(len(train_set), len(val_set), len(test_set))

train_loader = DataLoader(
    train_set, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0)
)
# zh: 只用来评估，不需要打乱
# en: used only to evaluate: no shuffling needed
val_loader = DataLoader(val_set, batch_size=256)
test_loader = DataLoader(test_set, batch_size=256)
print(len(train_loader))
# --8<-- [end:digits-dataset]

# --8<-- [start:train-eval]
torch.manual_seed(0)
drop = nn.Dropout(p=0.5)
ones = torch.ones(8)
# zh: 训练模式：约一半置 0，其余乘以 1 / (1 - p) = 2
# en: training mode: about half set to 0, the rest multiplied by 1 / (1 - p) = 2
drop.train()
print(drop.training, drop(ones))
# zh: 评估模式：原样输出
# en: evaluation mode: the input passes unchanged
drop.eval()
print(drop.training, drop(ones))

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Dropout(p=0.2),
                      nn.Linear(64, 10))
# zh: eval() 递归地切换所有子模块
# en: eval() switches every submodule, recursively
model.eval()
print([m.training for m in model])
# zh: eval() 不会关闭梯度记录，那是 no_grad() 的事
# en: eval() does not stop recording gradients: that is no_grad()'s job
print(model(x_digits[:2]).requires_grad)
with torch.no_grad():
    print(model(x_digits[:2]).requires_grad)
# --8<-- [end:train-eval]


# --8<-- [start:train]
def accuracy(model, data_loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in data_loader:
            correct += (model(xb).argmax(dim=1) == yb).sum().item()
    return correct / len(data_loader.dataset)


torch.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Dropout(p=0.2),
                      nn.Linear(64, 10))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

train_losses, val_accs = [], []
for epoch in range(1, 11):
    # zh: accuracy() 把模型切到了 eval()，每一轮开始时切回来
    # en: accuracy() switched the model to eval(): switch back at each epoch
    model.train()
    total = 0.0
    # zh: 每次一个 32 个样本的小批量
    # en: one mini-batch of 32 samples at a time
    for xb, yb in train_loader:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    # zh: 这一轮的平均损失（按样本数加权）
    # en: the mean loss over the epoch, weighted by batch size
    train_losses.append(total / len(train_set))
    val_accs.append(accuracy(model, val_loader))
    print(f"{epoch=:2d}  train_loss={train_losses[-1]:.4f}  val_acc={val_accs[-1]:.3f}")
# --8<-- [end:train]

# --8<-- [start:test]
# zh: 只在最后测量一次
# en: measured once, at the very end
test_acc = accuracy(model, test_loader)
print(f"{test_acc=:.3f}")
# --8<-- [end:test]

# --8<-- [start:plot]
epochs = range(1, len(train_losses) + 1)
fig, (ax1, ax2) = plot.figure(7.0, 2.8, ncols=2)
plot.curves(epochs, {"train_loss": train_losses}, xlabel="epoch", ylabel="train_loss",
            ax=ax1, marker="o")
plot.curves(epochs, {"val_acc": val_accs}, xlabel="epoch", ylabel="val_acc",
            ax=ax2, marker="o", color="C1")
plt.show()
# --8<-- [end:plot]

# --8<-- [start:ex1]
for drop_last in (False, True):
    n_batches = len(DataLoader(train_set, batch_size=32, drop_last=drop_last))
    print(f"{drop_last=}  {n_batches=}")
print(len(train_set) // 32, len(train_set) % 32)
# --8<-- [end:ex1]

# --8<-- [start:ex2]
def val_acc_after(lr, seed, epochs=10):
    # zh: 和正文同样的网络、批量大小和轮数，只换学习率和种子；返回验证准确率
    # en: the main text's network, batch size and epochs; only lr and seed change
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Dropout(p=0.2),
                        nn.Linear(64, 10))
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)
    loader = DataLoader(train_set, batch_size=32, shuffle=True, generator=order)
    for epoch in range(epochs):
        net.train()
        for xb, yb in loader:
            loss = loss_fn(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return accuracy(net, val_loader)


# zh: 每个学习率 3 个种子；只看验证集
# en: 3 seeds per learning rate; the validation set only
val_by_lr = {lr: [val_acc_after(lr, seed) for seed in range(3)] for lr in (1e-3, 1e-2)}
for lr, accs in val_by_lr.items():
    print(f"{lr=}  val_acc={[round(a, 3) for a in accs]}")
# --8<-- [end:ex2]
