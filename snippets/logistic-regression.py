"""逻辑回归 / Logistic regression: the code of docs/logistic-regression.zh.md and .en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page,
in page order.
Run the whole page on its own with `python snippets/logistic-regression.py`.
The MNIST and CIFAR-10 loaders are in snippets/not_run/ (they download data).
"""
# --8<-- [start:imports]
import warnings

import matplotlib.pyplot as plt
import torch
from sklearn.datasets import load_breast_cancer
from torch import nn

import plot

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:sigmoid]
z = torch.tensor([-10.0, -2.0, 0.0, 2.0, 10.0])
print(torch.sigmoid(z))
# zh: 按公式再算一遍，结果相同
# en: the same values, from the formula
print(1 / (1 + torch.exp(-z)))
# zh: nn.functional.sigmoid（讲义里的 F.sigmoid）是同一个函数，没有弃用警告
# en: nn.functional.sigmoid (F.sigmoid in the notes) is the same function, no warning
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    same = torch.equal(nn.functional.sigmoid(z), torch.sigmoid(z))
print(same, len(caught))

zs = torch.linspace(-8, 8, 200)
ax = plot.curves(zs, {r"$\sigma(z) = 1 / (1 + e^{-z})$": torch.sigmoid(zs)},
                 xlabel="$z$", ylabel=r"$\sigma(z)$")
ax.axhline(0.5, color="gray", linestyle="--", linewidth=1)
ax.legend(loc="upper left")
plt.show()
# --8<-- [end:sigmoid]

# --8<-- [start:bce]
# zh: 模型预测的概率和真实标签
# en: predicted probabilities and the true labels
y_hat = torch.tensor([0.9, 0.2, 0.6])
y_true = torch.tensor([1.0, 0.0, 1.0])
by_formula = -(y_true * torch.log(y_hat) + (1 - y_true) * torch.log(1 - y_hat)).mean()
print(by_formula)
print(nn.BCELoss()(y_hat, y_true))
# --8<-- [end:bce]

# --8<-- [start:logits-vs-probs]
target = torch.tensor([0.0])
# zh: 一个非常自信、却错了的分数
# en: a very confident, wrong score
logit = torch.tensor([30.0], requires_grad=True)
p = torch.sigmoid(logit)
# zh: 在 float32 里被舍入成恰好 1.0
# en: rounds to exactly 1.0 in float32
print(p.detach())
# zh: log(1 - 1) = -inf，被 BCELoss 截断在 -100
# en: log(1 - 1) = -inf, clamped at -100 by BCELoss
loss_a = nn.BCELoss()(p, target)
loss_a.backward()
print(f"Sigmoid + BCELoss:  loss={loss_a.item():.4f}  grad={logit.grad.item():.4f}")

logit = torch.tensor([30.0], requires_grad=True)
# zh: sigmoid 和对数合在一起算
# en: the sigmoid and the log computed together
loss_b = nn.BCEWithLogitsLoss()(logit, target)
loss_b.backward()
print(f"BCEWithLogitsLoss:  loss={loss_b.item():.4f}  grad={logit.grad.item():.4f}")
# --8<-- [end:logits-vs-probs]

# --8<-- [start:hours-data]
# zh: 学习时长（小时）和是否通过：0 = 没通过，1 = 通过
# en: hours studied, and whether the exam was passed: 0 = fail, 1 = pass
x_data = torch.tensor([[1.0], [2.0], [3.0]], dtype=torch.float32)
y_data = torch.tensor([[0.0], [0.0], [1.0]], dtype=torch.float32)
# --8<-- [end:hours-data]


# --8<-- [start:hours-model]
class LogisticRegressionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        # zh: 只输出 logit z = w x + b；sigmoid 由损失函数在内部计算
        # en: output the logit z = w x + b only; the loss applies the sigmoid inside
        return self.linear(x)


model = LogisticRegressionModel()
criterion = nn.BCEWithLogitsLoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
# --8<-- [end:hours-model]

# --8<-- [start:hours-train]
model.train()
for epoch in range(1000):
    loss = criterion(model(x_data), y_data)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 200 == 0 or epoch == 999:
        print(f"{epoch=:4d}  loss={loss.item():.4f}")

w = model.linear.weight.item()
b = model.linear.bias.item()
print(f"{w=:.4f}  {b=:.4f}")

model.eval()
with torch.no_grad():
    # zh: 预测时才把 logit 变成概率
    # en: turn logits into probabilities only when predicting
    p_pass = torch.sigmoid(model(torch.tensor([[1.0], [2.0], [3.0], [4.0]])))
print(p_pass.squeeze())
# --8<-- [end:hours-train]

# --8<-- [start:hours-plot]
hours = torch.linspace(0, 10, 200).view(-1, 1)
with torch.no_grad():
    p_curve = torch.sigmoid(model(hours))
# zh: w x + b = 0 处，sigmoid(w x + b) = 0.5
# en: sigmoid(w x + b) = 0.5 where w x + b = 0
x_half = -b / w
print(f"{x_half=:.3f}")

ax = plot.curves(hours.squeeze(), {r"$\sigma(wx + b)$": p_curve.squeeze()},
                 xlabel="$x$ (h)", ylabel=r"$P(y = 1 \mid x)$")
ax.scatter(x_data.squeeze(), y_data.squeeze(), color="C1", zorder=3,
           label="$(x_i, y_i)$")
ax.axhline(0.5, color="gray", linestyle="--", linewidth=1)
ax.axvline(x_half, color="C3", linestyle=":", label=f"$x = -b/w = {x_half:.2f}$")
ax.legend(loc="lower right")
plt.show()
# --8<-- [end:hours-plot]

# --8<-- [start:cancer-data]
data = load_breast_cancer()
X_all = torch.tensor(data.data, dtype=torch.float32)
# zh: 1 = 良性，0 = 恶性
# en: 1 = benign, 0 = malignant
y_all = torch.tensor(data.target, dtype=torch.float32).view(-1, 1)
print(X_all.shape, y_all.shape)
print(data.target_names, torch.bincount(y_all.long().view(-1)).tolist())
# zh: 两个尺度相差很大的特征
# en: two features on very different scales
for j in (3, 9):
    column = X_all[:, j]
    print(f"{data.feature_names[j]:>22}: {column.min():9.4f} .. {column.max():9.4f}")

# zh: 固定种子打乱，80% 训练、20% 测试
# en: a seeded shuffle; 80% for training, 20% for testing
perm = torch.randperm(len(X_all), generator=torch.Generator().manual_seed(0))
n_train = int(0.8 * len(X_all))
train_idx, test_idx = perm[:n_train], perm[n_train:]
X_train, y_train = X_all[train_idx], y_all[train_idx]
X_test, y_test = X_all[test_idx], y_all[test_idx]

# zh: 均值和标准差只用训练集计算
# en: mean and standard deviation of the training set only
mean = X_train.mean(dim=0)
std = X_train.std(dim=0)
X_train = (X_train - mean) / std
X_test = (X_test - mean) / std
print(X_train.shape, X_test.shape)
print(f"max |mean| = {X_train.mean(dim=0).abs().max():.1e}, "
      f"std in [{X_train.std(dim=0).min():.4f}, {X_train.std(dim=0).max():.4f}]")
# --8<-- [end:cancer-data]

# --8<-- [start:cancer-train]
torch.manual_seed(0)
# zh: 逻辑回归：输出 logit，不加 sigmoid
# en: logistic regression: it outputs a logit, no sigmoid
clf = nn.Linear(30, 1)
loss_fn = nn.BCEWithLogitsLoss()
opt = torch.optim.SGD(clf.parameters(), lr=0.1)


def accuracy(logits, y):
    # zh: logit > 0 等价于 p > 0.5
    # en: logit > 0 is the same as p > 0.5
    return ((logits > 0).float() == y).float().mean().item()


clf.train()
for epoch in range(300):
    logits = clf(X_train)
    loss = loss_fn(logits, y_train)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 50 == 0 or epoch == 299:
        train_acc = accuracy(logits, y_train)
        print(f"{epoch=:3d}  loss={loss.item():.4f}  {train_acc=:.4f}")

clf.eval()
with torch.no_grad():
    train_acc = accuracy(clf(X_train), y_train)
    test_logits = clf(X_test)
    test_acc = accuracy(test_logits, y_test)
errors = int(((test_logits > 0).float() != y_test).sum())
print(f"{train_acc=:.4f}  {test_acc=:.4f}  test errors: {errors}/{len(y_test)}")
# --8<-- [end:cancer-train]

# --8<-- [start:cancer-hist]
# zh: matplotlib 要的是 NumPy 数组
# en: matplotlib wants NumPy arrays
p_test = torch.sigmoid(test_logits).squeeze().numpy()
labels = y_test.squeeze().numpy()
bins = torch.linspace(0, 1, 21).numpy()
fig, ax = plot.figure()
ax.hist(p_test[labels == 0], bins=bins, alpha=0.7, label="$y = 0$")
ax.hist(p_test[labels == 1], bins=bins, alpha=0.7, label="$y = 1$")
ax.axvline(0.5, color="gray", linestyle="--", linewidth=1)
ax.set_xlabel(r"$\sigma(z)$")
ax.set_ylabel("$N$")
ax.legend()
plt.show()
# --8<-- [end:cancer-hist]

# --8<-- [start:ex1]
# zh: sigma(z) = 0.8 时 z = log(0.8 / 0.2) = log 4
# en: sigma(z) = 0.8 when z = log(0.8 / 0.2) = log 4
z = torch.log(torch.tensor([4.0]))
print(torch.sigmoid(z))
for y in (1.0, 0.0):
    loss = nn.BCEWithLogitsLoss()(z, torch.tensor([y]))
    print(f"{y=}  loss={loss.item():.4f}")
print(f"-log(0.8)={-torch.log(torch.tensor(0.8)).item():.4f}  "
      f"-log(0.2)={-torch.log(torch.tensor(0.2)).item():.4f}")
# --8<-- [end:ex1]

# --8<-- [start:ex2]
def mistakes(logits, y, threshold):
    # zh: 恶性（y = 0）被判为良性：漏诊；良性被判为恶性：误报；一次漏诊算 10 次误报
    # en: malignant (y = 0) called benign: missed; benign called malignant: false alarm;
    # en: one missed case costs as much as 10 false alarms
    benign = torch.sigmoid(logits) > threshold
    missed = int((benign & (y == 0)).sum())
    false_alarm = int((~benign & (y == 1)).sum())
    return missed, false_alarm, 10 * missed + false_alarm


# zh: 5 折交叉验证：每个训练样本都由一个没见过它的模型打分
# en: 5-fold cross-validation: each training sample is scored by a model that never saw it
fold = torch.arange(len(train_idx)) % 5
val_logits = torch.empty(len(train_idx), 1)
for k in range(5):
    fit, val = train_idx[fold != k], train_idx[fold == k]
    # zh: 标准化的统计量只用这一折的训练部分
    # en: standardization statistics from this fold's training part only
    mu, sd = X_all[fit].mean(dim=0), X_all[fit].std(dim=0)
    torch.manual_seed(0)
    m = nn.Linear(30, 1)
    sgd = torch.optim.SGD(m.parameters(), lr=0.1)
    for epoch in range(300):
        loss = loss_fn(m((X_all[fit] - mu) / sd), y_all[fit])
        sgd.zero_grad()
        loss.backward()
        sgd.step()
    with torch.no_grad():
        val_logits[fold == k] = m((X_all[val] - mu) / sd)

thresholds = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
for threshold in thresholds:
    missed, false_alarm, cost = mistakes(val_logits, y_train, threshold)
    print(f"validation {threshold=:<4}  {missed=}  {false_alarm=:<3}  {cost=}")
chosen = min(thresholds, key=lambda t: mistakes(val_logits, y_train, t)[2])
# zh: 阈值选定之后，才在测试集上评估一次（模型是正文里训练的 clf）
# en: only once the threshold is chosen, one evaluation on the test set (model: clf)
missed, false_alarm, cost = mistakes(test_logits, y_test, chosen)
print(f"test {chosen=}  {missed=}  {false_alarm=}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
for weight_decay in (0.0, 0.01):
    torch.manual_seed(0)
    m = nn.Linear(1, 1)
    sgd = torch.optim.SGD(m.parameters(), lr=1.0, weight_decay=weight_decay)
    for step in range(1, 1001):
        loss = nn.BCEWithLogitsLoss()(m(x_data), y_data)
        sgd.zero_grad()
        loss.backward()
        sgd.step()
        if step in (250, 500, 1000):
            print(f"{weight_decay=}  {step=:4d}  w={m.weight.item():.2f}  "
                  f"loss={loss.item():.4f}")
# --8<-- [end:ex3]
