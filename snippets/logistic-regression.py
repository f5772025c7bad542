"""逻辑回归 / Logistic regression: the code of docs/logistic-regression.zh.md and docs/logistic-regression.en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page on its own with `python snippets/logistic-regression.py`.
The MNIST and CIFAR-10 loaders are in snippets/not_run/ (they download data).
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
from sklearn.datasets import load_breast_cancer, load_digits
from torch import nn

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:sigmoid]
z = torch.tensor([-10.0, -2.0, 0.0, 2.0, 10.0])
print(torch.sigmoid(z))
print(1 / (1 + torch.exp(-z)))  # the same, from the formula

zs = torch.linspace(-8, 8, 200)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(zs, torch.sigmoid(zs), label=r"$\sigma(z) = 1 / (1 + e^{-z})$")
ax.axhline(0.5, color="gray", linestyle="--", linewidth=1)
ax.axvline(0.0, color="gray", linestyle=":", linewidth=1)
ax.set_xlabel("z")
ax.set_ylabel(r"$\sigma(z)$")
ax.set_title("The sigmoid function")
ax.legend(loc="upper left")
plt.show()
# --8<-- [end:sigmoid]

# --8<-- [start:bce]
y_hat = torch.tensor([0.9, 0.2, 0.6])  # predicted probabilities
y_true = torch.tensor([1.0, 0.0, 1.0])  # labels
by_formula = -(y_true * torch.log(y_hat) + (1 - y_true) * torch.log(1 - y_hat)).mean()
print(by_formula)
print(nn.BCELoss()(y_hat, y_true))
# --8<-- [end:bce]

# --8<-- [start:hours-data]
x_data = torch.tensor([[1.0], [2.0], [3.0]], dtype=torch.float32)  # hours studied
y_data = torch.tensor([[0.0], [0.0], [1.0]], dtype=torch.float32)  # 0 = fail, 1 = pass
# --8<-- [end:hours-data]


# --8<-- [start:hours-model]
class LogisticRegressionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))  # a probability in (0, 1)


model = LogisticRegressionModel()
criterion = nn.BCELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
# --8<-- [end:hours-model]

# --8<-- [start:hours-train]
for epoch in range(1000):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 100 == 0 or epoch == 999:
        print(f"epoch {epoch:4d}  loss {loss.item():.4f}")

w = model.linear.weight.item()
b = model.linear.bias.item()
print(f"w = {w:.4f}, b = {b:.4f}")
with torch.no_grad():
    print(model(torch.tensor([[1.0], [2.0], [3.0], [4.0]])).squeeze())
# --8<-- [end:hours-train]

# --8<-- [start:hours-plot]
hours = torch.linspace(0, 10, 200).view(-1, 1)
with torch.no_grad():
    p_pass = model(hours)
x_half = -b / w  # sigmoid(w x + b) = 0.5 where w x + b = 0
print(f"the probability crosses 0.5 at {x_half:.3f} hours")

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(hours.squeeze(), p_pass.squeeze(), label="P(pass)")
ax.axhline(0.5, color="red", linestyle="--", linewidth=1, label="0.5")
ax.plot([x_half], [0.5], "o", color="red")
ax.annotate(f"x = {x_half:.2f}", xy=(x_half, 0.5), xytext=(x_half + 1.0, 0.35),
            arrowprops=dict(arrowstyle="->"))
ax.scatter(x_data.squeeze(), y_data.squeeze(), color="C1", zorder=3, label="training data")
ax.set_xlabel("hours studied")
ax.set_ylabel("probability of pass")
ax.set_ylim(-0.05, 1.05)
ax.grid(alpha=0.3)
ax.legend(loc="lower right")
plt.show()
# --8<-- [end:hours-plot]

# --8<-- [start:cancer-data]
data = load_breast_cancer()
X_all = torch.tensor(data.data, dtype=torch.float32)
y_all = torch.tensor(data.target, dtype=torch.float32).view(-1, 1)  # 1 = benign, 0 = malignant
print(X_all.shape, y_all.shape)
print(data.target_names, "counts:", torch.bincount(y_all.long().view(-1)).tolist())
for j in (3, 9):  # two features on very different scales
    print(f"{data.feature_names[j]:>24}: {X_all[:, j].min().item():9.4f} .. {X_all[:, j].max().item():9.4f}")

g = torch.Generator().manual_seed(0)
perm = torch.randperm(len(X_all), generator=g)  # a seeded shuffle
n_train = int(0.8 * len(X_all))
train_idx, test_idx = perm[:n_train], perm[n_train:]
X_train, y_train = X_all[train_idx], y_all[train_idx]
X_test, y_test = X_all[test_idx], y_all[test_idx]

mean = X_train.mean(dim=0)  # statistics of the training set only
std = X_train.std(dim=0)
X_train = (X_train - mean) / std
X_test = (X_test - mean) / std
print("train", X_train.shape, " test", X_test.shape)
print(f"train features now: |mean| <= {X_train.mean(dim=0).abs().max().item():.1e}, "
      f"std from {X_train.std(dim=0).min().item():.4f} to {X_train.std(dim=0).max().item():.4f}")
# --8<-- [end:cancer-data]

# --8<-- [start:logits-vs-probs]
target = torch.tensor([0.0])
logit = torch.tensor([30.0], requires_grad=True)  # a very confident, wrong score
p = torch.sigmoid(logit)
print(p.detach())  # rounds to exactly 1.0 in float32
loss_a = nn.BCELoss()(p, target)  # log(1 - 1) = -inf, clamped at -100
loss_a.backward()
print("Sigmoid + BCELoss:  ", loss_a.item(), " gradient", logit.grad.item())

logit = torch.tensor([30.0], requires_grad=True)
loss_b = nn.BCEWithLogitsLoss()(logit, target)  # sigmoid and log computed together
loss_b.backward()
print("BCEWithLogitsLoss:  ", loss_b.item(), " gradient", logit.grad.item())
# --8<-- [end:logits-vs-probs]

# --8<-- [start:cancer-train]
torch.manual_seed(0)
clf = nn.Linear(30, 1)  # logistic regression: outputs a logit, no sigmoid
loss_fn = nn.BCEWithLogitsLoss()
opt = torch.optim.SGD(clf.parameters(), lr=0.1)


def accuracy(logits, y):
    return ((logits > 0).float() == y).float().mean().item()  # logit > 0 <=> p > 0.5


for epoch in range(300):
    logits = clf(X_train)
    loss = loss_fn(logits, y_train)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 50 == 0 or epoch == 299:
        print(f"epoch {epoch:3d}  loss {loss.item():.4f}  train acc {accuracy(logits, y_train):.4f}")

with torch.no_grad():
    train_acc = accuracy(clf(X_train), y_train)
    test_logits = clf(X_test)
    test_acc = accuracy(test_logits, y_test)
print(f"train accuracy {train_acc:.4f}, test accuracy {test_acc:.4f}")
# --8<-- [end:cancer-train]

# --8<-- [start:cancer-hist]
p_test = torch.sigmoid(test_logits).squeeze().numpy()  # matplotlib wants NumPy arrays
labels = y_test.squeeze().numpy()
bins = torch.linspace(0, 1, 21).numpy()
fig, ax = plt.subplots(figsize=(6, 4))
ax.hist(p_test[labels == 0], bins=bins, alpha=0.7, label="malignant (y = 0)")
ax.hist(p_test[labels == 1], bins=bins, alpha=0.7, label="benign (y = 1)")
ax.axvline(0.5, color="gray", linestyle="--", linewidth=1)
ax.set_xlabel("predicted probability of benign")
ax.set_ylabel("test samples")
ax.set_title("Test set: predicted probabilities per class")
ax.legend()
plt.show()
# --8<-- [end:cancer-hist]

# --8<-- [start:digits]
digits = load_digits()
print(digits.images.shape, digits.data.shape, digits.target.shape)
images = torch.tensor(digits.images, dtype=torch.float32)  # 16 = black ink, 0 = white
print(images.min().item(), images.max().item())

fig, axes = plt.subplots(2, 5, figsize=(6, 3))
for i, ax in enumerate(axes.flat):
    ax.imshow(images[i].numpy(), cmap="gray_r")
    ax.set_title(f"label {digits.target[i]}")
    ax.axis("off")
fig.tight_layout()
plt.show()
# --8<-- [end:digits]
