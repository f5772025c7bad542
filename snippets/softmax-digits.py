"""用 Softmax 分类手写数字 / Softmax classification of digits: the code of docs/softmax-digits.zh.md and .en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page on its own with `python snippets/softmax-digits.py`.
The page also shows (and runs) snippets/digits.py:split, imported here; the torchvision MNIST
version is snippets/not_run/softmax-digits_mnist.py (it downloads MNIST).
"""
from digits import load_digits_split  # noqa: F401

# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader

import plot
from plot.softmax_digits import scores

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:split]
train_set, val_set, test_set = load_digits_split(seed=0)
print(len(train_set), len(val_set), len(test_set))
x0, y0 = train_set[0]
print(x0.shape, x0.dtype, y0.dtype)
x_train, y_train = train_set.tensors
print(f"{x_train.mean()=:.3f}  {x_train.std()=:.3f}")
# zh: 训练集里每个类别的样本数
# en: training samples per class
print(torch.bincount(y_train))
# --8<-- [end:split]

# --8<-- [start:model]
torch.manual_seed(0)
model = nn.Sequential(
    nn.Linear(64, 128), nn.ReLU(),
    nn.Linear(128, 64), nn.ReLU(),
    # zh: 10 个 logit，每个数字一个；这里不加 softmax
    # en: 10 logits, one per digit; no softmax here
    nn.Linear(64, 10),
)
n_params = sum(p.numel() for p in model.parameters())
print(f"{n_params=}")

order = torch.Generator().manual_seed(0)
train_loader = DataLoader(train_set, batch_size=64, shuffle=True, generator=order)
val_loader = DataLoader(val_set, batch_size=256)
test_loader = DataLoader(test_set, batch_size=256)
xb, yb = next(iter(train_loader))
# zh: 一批数据、它的 logit，以及每一轮的批数
# en: one batch, its logits, and the number of batches per epoch
print(xb.shape, yb.shape, model(xb).shape)
print(f"{len(train_loader)=}")
# --8<-- [end:model]


# --8<-- [start:train]
def accuracy(model, loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
    return correct / len(loader.dataset)


loss_fn = nn.CrossEntropyLoss()  # log_softmax + NLLLoss
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
history = {"train_loss": [], "val_acc": []}
for epoch in range(1, 21):
    model.train()
    total = 0.0
    for x, y in train_loader:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(x)
    train_loss = total / len(train_set)
    val_acc = accuracy(model, val_loader)
    history["train_loss"].append(train_loss)
    history["val_acc"].append(val_acc)
    print(f"{epoch=:2d}  {train_loss=:.4f}  {val_acc=:.3f}")
# zh: 验证准确率第一次达到 0.98 的那一轮
# en: the first epoch whose validation accuracy reaches 0.98
first_98 = next(e for e, a in enumerate(history["val_acc"], 1) if a >= 0.98)
# --8<-- [end:train]

# --8<-- [start:curves]
fig, (ax1, ax2) = plot.figure(7.0, 2.8, ncols=2)
epochs = range(1, len(history["val_acc"]) + 1)
plot.curves(epochs, {"train_loss": history["train_loss"]}, xlabel="epoch",
            ylabel="train_loss", ax=ax1)
plot.curves(epochs, {"val_acc": history["val_acc"]}, xlabel="epoch",
            ylabel="val_acc", ax=ax2, color="#dd8452")
plt.show()
# --8<-- [end:curves]

# --8<-- [start:test]
# zh: 只在最后测试一次
# en: tested once, at the very end
test_acc = accuracy(model, test_loader)
print(f"{test_acc=:.3f}")
# --8<-- [end:test]

# --8<-- [start:probs]
x_test, y_test = test_set.tensors
model.eval()
with torch.no_grad():
    logits = model(x_test)  # (269, 10)
probs = torch.softmax(logits, dim=1)  # (269, 10)
# zh: 每个样本最大的概率和它的类别；再找出最没把握的测试样本
# en: the largest probability of each sample and its class; then the least sure test sample
confidence, predicted = probs.max(dim=1)
i = confidence.argmin().item()
torch.set_printoptions(precision=3, sci_mode=False)
print(f"{i=}  y={y_test[i].item()}  ŷ={predicted[i].item()}")
print(logits[i])
print(probs[i])
print(f"{probs[i].sum()=:.6f}")
torch.set_printoptions(profile="default")
# --8<-- [end:probs]

# --8<-- [start:probs-plot]
image = x_test[i].view(8, 8)
# zh: 交给 matplotlib 的是 NumPy 数组
# en: matplotlib gets NumPy arrays
fig = scores(image.numpy(), logits[i].numpy(), probs[i].numpy())
plt.show()
# --8<-- [end:probs-plot]

# --8<-- [start:confusion]
# cm[y, ŷ]
cm = torch.bincount(y_test * 10 + predicted, minlength=100).view(10, 10)
per_class = cm.diag() / cm.sum(dim=1)
for digit in range(10):
    right, total = cm[digit, digit].item(), cm[digit].sum().item()
    print(f"{digit}: {right:2d}/{total:2d} = {per_class[digit]:.3f}")
n_errors = (predicted != y_test).sum().item()
print(f"{n_errors=} / {len(y_test)}")
# --8<-- [end:confusion]

# --8<-- [start:confusion-plot]
plot.confusion(cm.numpy())
plt.show()
# --8<-- [end:confusion-plot]

# --8<-- [start:mistakes]
wrong = (predicted != y_test).nonzero().squeeze(1)
print(wrong.tolist())
fig = plot.images(
    x_test[wrong].view(-1, 8, 8).numpy(),
    [f"{y_test[i]}→{predicted[i]} ({probs[i, predicted[i]]:.2f})" for i in wrong],
    columns=len(wrong), size=1.1,
)
plt.show()
# --8<-- [end:mistakes]

# --8<-- [start:ex1]
print(torch.equal(logits.argmax(dim=1), probs.argmax(dim=1)))
# --8<-- [end:ex1]

# --8<-- [start:ex2]
def val_hits(model, seed):
    # zh: 和正文同样的优化器、批量大小和轮数；返回验证集上答对的个数
    # en: the optimizer, batch size and epochs of the main text; returns validation hits
    order = torch.Generator().manual_seed(seed)
    loader = DataLoader(train_set, batch_size=64, shuffle=True, generator=order)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(20):
        model.train()
        for x, y in loader:
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return round(accuracy(model, val_loader) * len(val_set))


val_right = {"mlp": [], "softmax_regression": []}
for seed in range(5):
    torch.manual_seed(seed)
    mlp = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                        nn.Linear(64, 10))
    val_right["mlp"].append(val_hits(mlp, seed))
    torch.manual_seed(seed)
    softmax_regression = nn.Linear(64, 10)  # 64*10 + 10 = 650
    val_right["softmax_regression"].append(val_hits(softmax_regression, seed))
print(val_right, f"of {len(val_set)}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
off_diagonal = cm - torch.diag(cm.diag())
true_digit, guess = divmod(off_diagonal.argmax().item(), 10)
count = off_diagonal.max().item()
print(f"{true_digit=}  {guess=}  {count=}")
# zh: 每个真实类别各错了几个
# en: mistakes per true class
print(off_diagonal.sum(dim=1))
# --8<-- [end:ex3]
