"""数据集与 DataLoader / Datasets and DataLoader: the code of docs/data.zh.md and docs/data.en.md, in page order.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/data.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Rectangle
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, Dataset, default_collate, random_split

torch.manual_seed(0)
np.random.seed(0)
# --8<-- [end:imports]

# --8<-- [start:split-diagram]
parts = [
    ("train\n70%", 70, "#4c72b0", "fit the parameters\n(weights, biases)"),
    ("validation\n15%", 15, "#dd8452", "tune hyper-\nparameters,\nstop early"),
    ("test\n15%", 15, "#55a868", "final\nestimate,\nused once"),
]
fig, ax = plt.subplots(figsize=(6.5, 2.4))
left = 0
for name, width, color, role in parts:
    ax.add_patch(Rectangle((left, 0), width, 1, facecolor=color, edgecolor="white", linewidth=2))
    ax.text(left + width / 2, 0.5, name, ha="center", va="center", color="white", fontsize=8)
    ax.text(left + width / 2, -0.12, role, ha="center", va="top", fontsize=8)
    left += width
ax.text(50, 1.15, "the whole data set (100%)", ha="center", va="bottom", fontsize=10)
ax.set_xlim(0, 100)
ax.set_ylim(-1.0, 1.5)
ax.axis("off")
plt.show()
# --8<-- [end:split-diagram]

# --8<-- [start:random-split]
samples = range(100)  # any object with len() and [] will do: here 100 sample indices
train_part, val_part, test_part = random_split(
    samples, [0.7, 0.15, 0.15], generator=torch.Generator().manual_seed(0)
)
print("sizes:", len(train_part), len(val_part), len(test_part))
print("first validation samples:", list(val_part)[:5])
print("no sample in two parts:", len(set(train_part) | set(val_part) | set(test_part)) == 100)

# the same seed gives the same split every time
again, _, _ = random_split(samples, [70, 15, 15], generator=torch.Generator().manual_seed(0))
print("same split again:", list(again) == list(train_part))
# --8<-- [end:random-split]

# --8<-- [start:custom-dataset]
class ArrayDataset(Dataset):
    """Pairs (x[i], y[i]) from two arrays of the same length."""

    def __init__(self, x, y):
        self.x = torch.tensor(x, dtype=torch.float32)
        self.y = torch.tensor(y, dtype=torch.float32)

    def __len__(self):
        return len(self.x)  # number of samples

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]  # one sample


x = np.random.rand(100, 10)  # 100 samples, 10 features each
y = np.random.rand(100)  # one target per sample
dataset = ArrayDataset(x, y)
print("len(dataset):", len(dataset))
x0, y0 = dataset[0]
print("one sample:", x0.shape, y0.shape)
# --8<-- [end:custom-dataset]

# --8<-- [start:dataloader]
loader = DataLoader(
    dataset, batch_size=4, shuffle=True, num_workers=0,
    generator=torch.Generator().manual_seed(0),
)
xb, yb = next(iter(loader))  # the first batch
print("batch x:", xb.shape, " batch y:", yb.shape)
print("batches per epoch:", len(loader))  # 100 / 4
n_seen = sum(len(xb) for xb, yb in loader)  # one full epoch
print("samples seen in one epoch:", n_seen)
# --8<-- [end:dataloader]

# --8<-- [start:shuffle]
# each epoch the loader asks its sampler for a fresh order of the indices
for epoch in range(1, 3):
    order = list(loader.sampler)
    print(f"epoch {epoch}: first indices {order[:8]}")
# --8<-- [end:shuffle]

# --8<-- [start:collate]
samples_list = [dataset[0], dataset[1], dataset[2], dataset[3]]  # 4 pairs (x, y)
xb, yb = default_collate(samples_list)  # what DataLoader does with every batch
print(xb.shape, yb.shape)
# --8<-- [end:collate]

# --8<-- [start:digits-dataset]
class DigitsDataset(Dataset):
    """scikit-learn's 8x8 digits: 64 pixel features in [0, 1] and a label 0-9."""

    def __init__(self):
        digits = load_digits()  # bundled with scikit-learn, nothing is downloaded
        self.x = torch.tensor(digits.data / 16.0, dtype=torch.float32)  # pixels are 0..16
        self.y = torch.tensor(digits.target, dtype=torch.long)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]


digits = DigitsDataset()
print("samples:", len(digits))
x0, y0 = digits[0]
print("one sample:", x0.shape, x0.dtype, " label:", y0.item())
print(f"pixel range: {digits.x.min():.1f} to {digits.x.max():.1f}")

train_set, val_set, test_set = random_split(
    digits, [0.7, 0.15, 0.15], generator=torch.Generator().manual_seed(0)
)
print("train / validation / test:", len(train_set), len(val_set), len(test_set))

train_loader = DataLoader(
    train_set, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0)
)
val_loader = DataLoader(val_set, batch_size=256)  # no shuffling needed to evaluate
test_loader = DataLoader(test_set, batch_size=256)
print("train batches per epoch:", len(train_loader))
# --8<-- [end:digits-dataset]

# --8<-- [start:train]
def accuracy(model, data_loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in data_loader:
            correct += (model(xb).argmax(dim=1) == yb).sum().item()
    return correct / len(data_loader.dataset)


torch.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

train_losses, val_accs = [], []
for epoch in range(1, 11):
    model.train()
    total = 0.0
    for xb, yb in train_loader:  # one mini-batch of 32 at a time
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    train_losses.append(total / len(train_set))  # mean loss over the epoch
    val_accs.append(accuracy(model, val_loader))
    print(f"epoch {epoch:2d}  train loss {train_losses[-1]:.4f}  val acc {val_accs[-1]:.3f}")
# --8<-- [end:train]

# --8<-- [start:test]
print(f"test accuracy: {accuracy(model, test_loader):.3f}")  # measured once, at the very end
# --8<-- [end:test]

# --8<-- [start:plot]
epochs = range(1, len(train_losses) + 1)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7, 3))
ax1.plot(epochs, train_losses, marker="o")
ax1.set_xlabel("epoch")
ax1.set_ylabel("cross-entropy")
ax1.set_title("training loss")
ax2.plot(epochs, val_accs, marker="o", color="#dd8452")
ax2.set_xlabel("epoch")
ax2.set_ylabel("accuracy")
ax2.set_title("validation accuracy")
fig.tight_layout()
plt.show()
# --8<-- [end:plot]
