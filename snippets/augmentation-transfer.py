"""数据增强与迁移学习 / Augmentation and transfer learning: the code of
docs/augmentation-transfer.zh.md and docs/augmentation-transfer.en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page, exercises included, with `python snippets/augmentation-transfer.py`.
"""
# --8<-- [start:imports]
import statistics
from collections import OrderedDict

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

import plot
import plot.augmentation_transfer
from digits import load_digits_split

train_set, val_set, test_set = load_digits_split(seed=0, flat=False)
x_train, y_train = train_set.tensors  # (1257, 1, 8, 8), (1257,)
x_val, y_val = val_set.tensors
x_test, y_test = test_set.tensors
# zh: 标准化以后，空白像素（原始值 0）的值
# en: the value of a blank pixel (raw value 0) after standardizing
blank = x_train.min().item()
print(tuple(x_train.shape), len(x_val), len(x_test), f"{blank=:.4f}")
# --8<-- [end:imports]


# --8<-- [start:dataset]
class Augmented(Dataset):
    def __init__(self, x, y, max_shift=1, noise=0.0):
        self.x, self.y = x, y
        self.max_shift, self.noise = max_shift, noise

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        image = self.x[i]  # (1, 8, 8)
        s = self.max_shift
        if s > 0:
            # zh: 四周各补 s 圈空白像素，再随机裁出 8×8：平移 -s 到 s 个像素
            # en: pad s blank pixels on every side, crop 8×8 at random: a shift of -s..s
            padded = F.pad(image, (s, s, s, s), value=blank)  # (1, 8 + 2s, 8 + 2s)
            top, left = torch.randint(0, 2 * s + 1, (2,)).tolist()
            image = padded[:, top:top + 8, left:left + 8]
        if self.noise > 0:
            image = image + self.noise * torch.randn(image.shape)
        return image, self.y[i]


augmented = Augmented(x_train, y_train, max_shift=1, noise=0.3)
torch.manual_seed(0)
first, _ = augmented[0]
second, _ = augmented[0]
print(tuple(first.shape), torch.equal(first, second))
torch.manual_seed(0)
print(torch.equal(augmented[0][0], first))
# --8<-- [end:dataset]

# --8<-- [start:grid]
torch.manual_seed(0)
rows = [x_train[:8, 0]] + [torch.stack([augmented[i][0][0] for i in range(8)])
                           for _ in range(3)]
labels = [f"y={y}" for y in y_train[:8].tolist()] + [""] * 24
plot.images(torch.cat(rows), labels=labels,
            columns=8, vmin=blank, vmax=x_train.max().item())
plt.show()
# --8<-- [end:grid]


# --8<-- [start:model]
def make_features():
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),  # (N, 32 * 2 * 2)
    )


def make_net(n_classes, head="head"):
    return nn.Sequential(OrderedDict([
        ("features", make_features()),
        (head, nn.Linear(32 * 2 * 2, n_classes)),
    ]))


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def fit(model, optimizer, dataset, epochs, batch_size, seed):
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model


print(make_net(10))
# --8<-- [end:model]

# --8<-- [start:augment-seeds]
# zh: 只用 200 个训练样本：数据越少，增强越可能有用
# en: only 200 training samples: the less data, the more augmentation may help
n_small = 200
recipes = {"plain": dict(max_shift=0, noise=0.0),
           "augmented": dict(max_shift=1, noise=0.1)}
seeds = range(4)
aug_models = {name: [] for name in recipes}
for name, options in recipes.items():
    data = Augmented(x_train[:n_small], y_train[:n_small], **options)
    for seed in seeds:
        torch.manual_seed(seed)
        model = make_net(10)
        optimizer = torch.optim.AdamW(model.parameters(), lr=0.01)
        aug_models[name].append(fit(model, optimizer, data, epochs=12,
                                    batch_size=50, seed=seed))

# zh: 另一份验证集：每张验证图片随机平移至多一个像素（固定的种子）
# en: a second validation set: each image shifted by up to one pixel (fixed seed)
torch.manual_seed(100)
shifter = Augmented(x_val, y_val, max_shift=1)
x_val_shifted = torch.stack([shifter[i][0] for i in range(len(y_val))])


def summary(name, x, y):
    accs = [accuracy(m, x, y) for m in aug_models[name]]
    return statistics.mean(accs), statistics.stdev(accs), accs


aug_val = {name: summary(name, x_val, y_val) for name in recipes}
aug_shifted = {name: summary(name, x_val_shifted, y_val) for name in recipes}
for name in recipes:
    (m, s, _), (ms, ss, _) = aug_val[name], aug_shifted[name]
    print(f"{name:>9}  val {m:.3f} ± {s:.3f}   shifted val {ms:.3f} ± {ss:.3f}")


# zh: 同一个种子的两次训练配成一对，看差值的均值和标准误差
# en: pair the two runs of each seed: mean and standard error of the differences
def paired(a, b):
    d = [x - y for x, y in zip(a, b)]
    return statistics.mean(d), statistics.stdev(d) / len(d) ** 0.5


gain = paired(aug_val["augmented"][2], aug_val["plain"][2])
gain_shifted = paired(aug_shifted["augmented"][2], aug_shifted["plain"][2])
print(f"augmented - plain: val {gain[0]:+.3f} (standard error {gain[1]:.3f})"
      f"  shifted val {gain_shifted[0]:+.3f} (standard error {gain_shifted[1]:.3f})")
# --8<-- [end:augment-seeds]


# --8<-- [start:tasks]
def task(x, y, classes):
    keep = (y >= classes[0]) & (y <= classes[-1])
    return x[keep], y[keep] - classes[0]


source, target = range(0, 5), range(5, 10)
# zh: 源任务：数字 0–4，全部训练样本；目标任务：数字 5–9，标签改成 0–4
# en: source task: digits 0-4, every training sample; target: digits 5-9, labels 0-4
xs_train, ys_train = task(x_train, y_train, source)
xs_val, ys_val = task(x_val, y_val, source)
xt_train, yt_train = task(x_train, y_train, target)
xt_val, yt_val = task(x_val, y_val, target)
xt_test, yt_test = task(x_test, y_test, target)
print(len(xs_train), len(xt_train), len(xt_val), len(xt_test))
# --8<-- [end:tasks]

# --8<-- [start:pretrain]
torch.manual_seed(0)
pretrained = make_net(5)
fit(pretrained, torch.optim.AdamW(pretrained.parameters(), lr=0.01),
    TensorDataset(xs_train, ys_train), epochs=10, batch_size=64, seed=0)
source_acc = accuracy(pretrained, xs_val, ys_val)
print(f"source val acc {source_acc:.3f}")
state = pretrained.state_dict()
print(list(state))
# --8<-- [end:pretrain]

# --8<-- [start:load]
model = make_net(5, head="classifier")
result = model.load_state_dict(state, strict=False)
print("missing_keys:   ", result.missing_keys)
print("unexpected_keys:", result.unexpected_keys)
print(torch.equal(model.features[0].weight, pretrained.features[0].weight))
# --8<-- [end:load]


# --8<-- [start:few-shot]
# zh: 每类随机抽 k 个训练样本；种子决定抽到哪些
# en: k random training samples per class; the seed decides which
def few_shot(k, seed):
    generator = torch.Generator().manual_seed(seed)
    picks = [torch.nonzero(yt_train == c).flatten() for c in range(5)]
    picks = [p[torch.randperm(len(p), generator=generator)[:k]] for p in picks]
    index = torch.cat(picks)
    return TensorDataset(xt_train[index], yt_train[index])


shots = 5
print(len(few_shot(shots, seed=0)))
# --8<-- [end:few-shot]


# --8<-- [start:methods]
def prepare(method, lr, seed):
    torch.manual_seed(seed)
    model = make_net(5, head="classifier")
    if method == "scratch":
        params = model.parameters()
    else:
        model.load_state_dict(state, strict=False)
    if method == "probe":
        # zh: 冻结主干：只有新的头在训练
        # en: freeze the backbone: only the new head trains
        model.features.requires_grad_(False)
        params = model.classifier.parameters()
    if method == "finetune":
        # zh: 两个参数组：主干的学习率是头的十分之一
        # en: two parameter groups: the backbone's learning rate is a tenth of the head's
        params = [{"params": model.features.parameters(), "lr": lr / 10},
                  {"params": model.classifier.parameters()}]
    return model, torch.optim.AdamW(params, lr=lr)


def adapted(method, lr, seed, data):
    model, optimizer = prepare(method, lr, seed)
    # zh: 同一份数据、同样的步数：每种做法都是 40 步全批量梯度下降
    # en: same data, same budget: every method takes 40 full-batch steps
    return fit(model, optimizer, data, epochs=40, batch_size=len(data), seed=seed)


_, optimizer = prepare("finetune", lr=0.01, seed=0)
print("finetune lr per group:", [group["lr"] for group in optimizer.param_groups])
probe = adapted("probe", lr=0.01, seed=0, data=few_shot(shots, seed=0))
trainable = sum(p.numel() for p in probe.parameters() if p.requires_grad)
total = sum(p.numel() for p in probe.parameters())
print(f"trainable {trainable} of {total}")
print(torch.equal(probe.features[0].weight, pretrained.features[0].weight))
# --8<-- [end:methods]

# --8<-- [start:compare]
methods, lrs = ["probe", "finetune", "scratch"], [0.003, 0.03]
runs = {(m, lr): [adapted(m, lr, seed, few_shot(shots, seed)) for seed in seeds]
        for m in methods for lr in lrs}
val = {key: [accuracy(model, xt_val, yt_val) for model in models]
       for key, models in runs.items()}
for (m, lr), accs in val.items():
    print(f"{m:>8}  lr={lr:<5}  val acc {statistics.mean(accs):.3f}"
          f" ± {statistics.stdev(accs):.3f}")
# zh: 每种做法在验证集上选出自己的学习率
# en: each method picks its own learning rate on the validation set
best_lr = {m: max(lrs, key=lambda lr: statistics.mean(val[m, lr])) for m in methods}
print(best_lr)
# --8<-- [end:compare]

# --8<-- [start:plot-compare]
plot.augmentation_transfer.strips({m: val[m, best_lr[m]] for m in methods})
plt.show()
# --8<-- [end:plot-compare]

# --8<-- [start:test]
test = {m: [accuracy(model, xt_test, yt_test) for model in runs[m, best_lr[m]]]
        for m in methods}
for m, accs in test.items():
    mean, std = statistics.mean(accs), statistics.stdev(accs)
    print(f"{m:>8}  test acc {mean:.3f} ± {std:.3f}")
p_test = statistics.mean(test["scratch"])
binomial_se = (p_test * (1 - p_test) / len(yt_test)) ** 0.5
print(f"binomial standard error {binomial_se:.3f}")
# zh: 微调以后，主干网络的权重相对预训练时变了多少（种子 0）
# en: how far fine-tuning moved the backbone from its pre-trained weights (seed 0)
tuned = runs["finetune", best_lr["finetune"]][0]
moved = [((a - b).norm() / b.norm()).item() for a, b in
         zip(tuned.features.parameters(), pretrained.features.parameters())]
print("relative change per backbone tensor", [f"{m:.4f}" for m in moved])


compared = [("finetune", "scratch"), ("probe", "scratch"), ("finetune", "probe")]
pairs = {(a, b): paired(test[a], test[b]) for a, b in compared}
for (a, b), (d, se) in pairs.items():
    print(f"{a} - {b}: {d:+.3f}  standard error {se:.3f}")
# --8<-- [end:test]

# --8<-- [start:ex1]
wide = make_net(10)
try:
    wide.load_state_dict(state, strict=False)
except RuntimeError as error:
    print(str(error).splitlines()[-1].strip())
same_name = make_net(5)
print(same_name.load_state_dict(state, strict=False))
print(torch.equal(same_name.head.weight, pretrained.head.weight))
# --8<-- [end:ex1]

# --8<-- [start:ex2]
image = torch.arange(9.0).view(1, 3, 3)
print(torch.roll(image, shifts=1, dims=2))
print(F.pad(image, (1, 0, 0, 0), value=-1.0)[:, :, :3])
# --8<-- [end:ex2]

# --8<-- [start:ex3]
many = 20
ex3 = {m: [accuracy(adapted(m, best_lr[m], seed, few_shot(many, seed)), xt_val, yt_val)
           for seed in seeds] for m in ["probe", "scratch"]}
for m, accs in ex3.items():
    mean, std = statistics.mean(accs), statistics.stdev(accs)
    print(f"{m:>8}  k={many}  val acc {mean:.3f} ± {std:.3f}")
# --8<-- [end:ex3]
