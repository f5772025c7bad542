"""多维特征输入 / Multi-dimensional input: the code of docs/multi-dim-input.zh.md and docs/multi-dim-input.en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page on its own with `python snippets/multi-dim-input.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
from sklearn.datasets import load_diabetes
from torch import nn

import plot
from plot.multi_dim_input import network

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:data]
# zh: scaled=False：特征保持原来的单位，不做预处理
# en: scaled=False: the features in their own units, not preprocessed
data = load_diabetes(scaled=False)
X_all = torch.tensor(data.data, dtype=torch.float32)
progression = torch.tensor(data.target, dtype=torch.float32)  # (442,)
print(X_all.shape, progression.shape)
print(data.feature_names)
print(X_all[:2])
print(f"{progression.min()=:.0f}  {progression.max()=:.0f}")
# --8<-- [end:data]

# --8<-- [start:split]
g = torch.Generator().manual_seed(0)
perm = torch.randperm(len(X_all), generator=g)
n_train = int(0.8 * len(X_all))
train_idx, test_idx = perm[:n_train], perm[n_train:]

# zh: 标签：病情指标高于训练集的中位数记为 1，否则记为 0
# en: the label: 1 if the progression is above the median of the training set, else 0
threshold = progression[train_idx].median()
y_all = (progression > threshold).float().view(-1, 1)  # (442, 1)
X_train, y_train = X_all[train_idx], y_all[train_idx]
X_test, y_test = X_all[test_idx], y_all[test_idx]

# zh: 每个特征一个均值、一个标准差，只用训练集计算
# en: one mean and one standard deviation per feature, from the training set only
mean = X_train.mean(dim=0)  # (10,)
std = X_train.std(dim=0)
X_train = (X_train - mean) / std
X_test = (X_test - mean) / std
print(f"{threshold=:.0f}")
print(X_train.shape, X_test.shape)
print(f"{y_train.mean()=:.3f}  {y_test.mean()=:.3f}")
# --8<-- [end:split]

# --8<-- [start:matrix]
torch.manual_seed(0)
layer = nn.Linear(10, 6)
print(layer.weight.shape, layer.bias.shape)  # W: (6, 10), b: (6,)

# zh: 一个样本：10 个特征
# en: one sample: 10 features
x1 = X_train[0]  # (10,)
print(x1.shape, layer(x1).shape)

# zh: 一批 N = 4 个样本，每行一个
# en: a batch of N = 4 samples, one per row
X = X_train[:4]  # (4, 10)
Z = X @ layer.weight.T + layer.bias  # (4, 10) @ (10, 6) + (6,) -> (4, 6)
print(X.shape, Z.shape)
print(torch.allclose(layer(X), Z))
# zh: Z 的第 i 行就是第 i 个样本单独算出的结果
# en: row i of Z is the output of sample i on its own
print(torch.allclose(Z[2], layer(X[2])))
# --8<-- [end:matrix]

# --8<-- [start:diagram]
fig = network(
    (10, 6, 4, 1),
    ["Linear(10, 6)\n+ ReLU", "Linear(6, 4)\n+ ReLU", "Linear(4, 1)"],
    ["$X$: (N, 10)", "(N, 6)", "(N, 4)", "logit: (N, 1)"],
    inputs=data.feature_names,
)
plt.show()
# --8<-- [end:diagram]

# --8<-- [start:model]
torch.manual_seed(0)
model = nn.Sequential(
    nn.Linear(10, 6), nn.ReLU(),
    nn.Linear(6, 4), nn.ReLU(),
    # zh: 输出 logit，不加 Sigmoid：BCEWithLogitsLoss 会做
    # en: a logit, no sigmoid: BCEWithLogitsLoss applies it
    nn.Linear(4, 1),
)
out = X_train
print(f"{str(tuple(out.shape)):<10} X_train")
# zh: nn.Sequential 可以遍历，按顺序给出每一层
# en: an nn.Sequential is iterable: it yields its layers in order
for layer in model:
    out = layer(out)
    n_params = sum(p.numel() for p in layer.parameters())
    print(f"{str(tuple(out.shape)):<10} {n_params=:<3} {layer}")
total = sum(p.numel() for p in model.parameters())
print(f"{total=}")
# --8<-- [end:model]


# --8<-- [start:train]
def accuracy(logits, y):
    return ((logits > 0).float() == y).float().mean().item()  # logit > 0 <=> p > 0.5


# zh: 在整个训练集上做全批量梯度下降，返回每一轮的损失
# en: full-batch gradient descent on the whole training set; returns the losses per epoch
def fit(model, epochs=1000, lr=0.1, every=100):
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = {"train": [], "test": []}
    for epoch in range(epochs):
        model.train()
        loss = loss_fn(model(X_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            test_loss = loss_fn(model(X_test), y_test)
        history["train"].append(loss.item())
        history["test"].append(test_loss.item())
        if every and (epoch % every == 0 or epoch == epochs - 1):
            print(f"{epoch=:4d}  {loss=:.4f}  {test_loss=:.4f}")
    return history


history = fit(model)
model.eval()
with torch.no_grad():
    train_acc = accuracy(model(X_train), y_train)
    test_acc = accuracy(model(X_test), y_test)
print(f"{train_acc=:.3f}  {test_acc=:.3f}")
# --8<-- [end:train]

# --8<-- [start:curves]
epochs = range(1, len(history["train"]) + 1)
ax = plot.curves(epochs, history, xlabel="epoch", ylabel="BCE")
plt.show()
# --8<-- [end:curves]

# --8<-- [start:baseline]
torch.manual_seed(0)
# zh: 在同样 10 个特征上的逻辑回归
# en: logistic regression on the same 10 features
linear = nn.Linear(10, 1)
fit(linear, every=0)
linear.eval()
with torch.no_grad():
    linear_train_acc = accuracy(linear(X_train), y_train)
    linear_test_acc = accuracy(linear(X_test), y_test)
print(f"{linear_train_acc=:.3f}  {linear_test_acc=:.3f}")
# --8<-- [end:baseline]

# --8<-- [start:seeds]
# zh: 两种模型各用 5 个初始化种子训练，记下训练准确率和测试集上答对的个数
# en: both models trained from 5 initialization seeds: training accuracy, test samples right
makers = {
    "network": lambda: nn.Sequential(nn.Linear(10, 6), nn.ReLU(), nn.Linear(6, 4),
                                     nn.ReLU(), nn.Linear(4, 1)),
    "linear": lambda: nn.Linear(10, 1),
}
train_accs = {name: [] for name in makers}
test_right = {name: [] for name in makers}
for seed in range(5):
    for name, make in makers.items():
        torch.manual_seed(seed)
        m = make()
        fit(m, every=0)
        m.eval()
        with torch.no_grad():
            train_accs[name].append(accuracy(m(X_train), y_train))
            test_right[name].append(int(((m(X_test) > 0).float() == y_test).sum()))
for name in makers:
    rounded = [round(a, 3) for a in train_accs[name]]
    print(f"{name:<8} train_acc={rounded}  test_right={test_right[name]}")
# --8<-- [end:seeds]

# --8<-- [start:ex1]
lecture = nn.Sequential(
    nn.Linear(8, 6), nn.Sigmoid(),
    nn.Linear(6, 4), nn.Sigmoid(),
    nn.Linear(4, 1), nn.Sigmoid(),
)
print([p.numel() for p in lecture.parameters()])
print(sum(p.numel() for p in lecture.parameters()))  # 8*6+6 + 6*4+4 + 4*1+1
print(lecture(torch.zeros(759, 8)).shape)  # (N, 8) -> (N, 1)
# --8<-- [end:ex1]

# --8<-- [start:ex2]
torch.manual_seed(0)
sigmoid_net = nn.Sequential(
    nn.Linear(10, 6), nn.Sigmoid(),
    nn.Linear(6, 4), nn.Sigmoid(),
    nn.Linear(4, 1),
)
sigmoid_history = fit(sigmoid_net, every=200)
sigmoid_net.eval()
with torch.no_grad():
    sigmoid_test_acc = accuracy(sigmoid_net(X_test), y_test)
print(f"{sigmoid_test_acc=:.3f}")
# zh: Sigmoid 的导数 sigma(z)(1 - sigma(z)) 在 z = 0 处最大
# en: the sigmoid's derivative sigma(z)(1 - sigma(z)) is largest at z = 0
s0 = torch.sigmoid(torch.tensor(0.0))
print(f"{(s0 * (1 - s0)).item():.2f}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
t_train, t_test = progression[train_idx].view(-1, 1), progression[test_idx].view(-1, 1)
# zh: 目标也用训练集的均值和标准差标准化
# en: standardize the target too, with the training mean and std
t_mean, t_std = t_train.mean(), t_train.std()
torch.manual_seed(0)
regressor = nn.Sequential(
    nn.Linear(10, 6), nn.ReLU(),
    nn.Linear(6, 4), nn.ReLU(),
    nn.Linear(4, 1),
)
optimizer = torch.optim.SGD(regressor.parameters(), lr=0.1)
regressor.train()
for epoch in range(500):
    loss = nn.functional.mse_loss(regressor(X_train), (t_train - t_mean) / t_std)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

regressor.eval()
with torch.no_grad():
    # zh: 换算回原来的单位
    # en: back to the original units
    predicted = regressor(X_test) * t_std + t_mean
rmse = (predicted - t_test).pow(2).mean().sqrt()
# zh: 对照：总是预测训练集的均值
# en: for comparison: always predict the training mean
rmse_mean = (t_mean - t_test).pow(2).mean().sqrt()
print(f"{rmse=:.1f}  {rmse_mean=:.1f}")
# --8<-- [end:ex3]
