"""泛化与正则化 / Generalization and regularization: the code of docs/generalization.zh.md and .en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page on its own with `python snippets/generalization.py`.
"""
# --8<-- [start:imports]
import copy
import statistics

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from sklearn import metrics
from torch import nn

import plot
from digits import load_digits_split
from plot.generalization import loss_curves

train_set, val_set, test_set = load_digits_split(seed=0)
# zh: 只用训练集的前 100 个样本：数据少，过拟合来得快
# en: only the first 100 training samples: with little data, overfitting comes soon
x_train, y_train = (t[:100] for t in train_set.tensors)
x_val, y_val = val_set.tensors
# zh: 测试集先放着不动，直到最后一节
# en: the test set stays untouched until the last section
print(len(x_train), len(x_val), len(test_set))
# --8<-- [end:imports]


# --8<-- [start:model]
class MLP(nn.Module):
    def __init__(self, hidden=128, p=0.0):
        super().__init__()
        self.p = p
        self.fc1 = nn.Linear(64, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, 10)
        self.drop = nn.Dropout(p)

    def forward(self, x):
        h = self.drop(F.relu(self.fc1(x)))
        h = self.drop(F.relu(self.fc2(h)))
        return self.out(h)


# zh: 平均交叉熵和准确率：评估模式，不建计算图
# en: mean cross-entropy and accuracy: evaluation mode, no graph
def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        logits = model(x)
    accuracy = (logits.argmax(dim=1) == y).float().mean().item()
    return F.cross_entropy(logits, y).item(), accuracy


# zh: 全批量：100 个样本一次送入，一轮就是一步
# en: full batch: all 100 samples at once, so one epoch is one step
def train_step(model, optimizer):
    model.train()
    loss = F.cross_entropy(model(x_train), y_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def train(model, optimizer, epochs=100):
    history = {"train": [], "val": [], "val_acc": []}
    for epoch in range(epochs):
        history["train"].append(train_step(model, optimizer))
        val_loss, val_acc = evaluate(model, x_val, y_val)
        history["val"].append(val_loss)
        history["val_acc"].append(val_acc)
    return history
# --8<-- [end:model]


# --8<-- [start:plain]
torch.manual_seed(0)
model = MLP()
n_params = sum(p.numel() for p in model.parameters())
# zh: AdamW 默认带一点权重衰减，这里先关掉
# en: AdamW decays weights a little by default; switched off here
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
plain = train(model, optimizer)
for epoch in (1, 10, 20, 40, 70, 100):
    i = epoch - 1
    print(f"{epoch=:3d}  train={plain['train'][i]:.4f}  val={plain['val'][i]:.4f}"
          f"  val_acc={plain['val_acc'][i]:.3f}")
best = min(range(100), key=plain["val"].__getitem__)
print(f"{n_params=}  best_epoch={best + 1}  min_val={plain['val'][best]:.4f}")
# --8<-- [end:plain]

# --8<-- [start:plot-overfitting]
# zh: 实线：训练损失；虚线：验证损失；点线：验证损失最小的那一轮
# en: solid: training loss; dashed: validation loss; dotted: the epoch of the lowest
# en: validation loss
loss_curves({"-": plain["train"], "--": plain["val"]}, best=best + 1)
plt.show()
# --8<-- [end:plot-overfitting]


# --8<-- [start:groups]
# zh: 两维及以上的参数（权重矩阵）衰减；一维的（偏置、归一化层的参数）不衰减
# en: parameters of two or more dimensions (weight matrices) decay; one-dimensional
# en: ones (biases, normalization parameters) do not
def param_groups(model, weight_decay):
    named = list(model.named_parameters())
    matrices = [(n, p) for n, p in named if p.ndim >= 2]
    others = [(n, p) for n, p in named if p.ndim < 2]
    return [{"params": matrices, "weight_decay": weight_decay},
            {"params": others, "weight_decay": 0.0}]


# zh: 一个带批归一化层的小网络，只用来看分组
# en: a small network with a batch normalization layer, only to look at the groups
demo = nn.Sequential(nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(),
                     nn.Linear(32, 10))
lr, wd = 0.01, 0.1
optimizer = torch.optim.AdamW(param_groups(demo, wd), lr=lr)
for group in optimizer.param_groups:
    print(group["weight_decay"], group["param_names"])

# zh: 梯度全为 0 的一步：Adam 的部分不动，只剩权重衰减
# en: one step with all-zero gradients: Adam's part is zero, only weight decay is left
before = {n: p.detach().clone() for n, p in demo.named_parameters()}
for p in demo.parameters():
    p.grad = torch.zeros_like(p)
optimizer.step()
for name, p in demo.named_parameters():
    print(f"{name:>8}  unchanged={torch.equal(p, before[name])}")
# zh: 权重矩阵的每个元素都乘以 1 - lr * wd
# en: every element of a weight matrix was multiplied by 1 - lr * wd
factor = demo[0].weight / before["0.weight"]
print(f"{factor.min():.6f}  {factor.max():.6f}  {1 - lr * wd:.6f}")
# --8<-- [end:groups]


# --8<-- [start:weight-decay]
# zh: 权重矩阵的平方和 ||W||^2
# en: the sum of squares of the weight matrices, ||W||^2
def weight_norm2(model):
    return sum((p**2).sum().item() for p in model.parameters() if p.ndim >= 2)


norm_plain = weight_norm2(model)
torch.manual_seed(0)
model = MLP()
optimizer = torch.optim.AdamW(param_groups(model, 3.0), lr=3e-3)
decay = train(model, optimizer)
norm_decay = weight_norm2(model)
for name, h in (("plain", plain), ("decay", decay)):
    print(f"{name:>6}  min_val={min(h['val']):.4f}  last_val={h['val'][-1]:.4f}"
          f"  last_train={h['train'][-1]:.4f}")
print(f"{norm_plain=:.1f}  {norm_decay=:.1f}")
# --8<-- [end:weight-decay]

# --8<-- [start:dropout-layer]
torch.manual_seed(0)
drop = nn.Dropout(p=0.5)
x = torch.ones(8)
# zh: 训练模式：约一半置 0，其余乘以 1 / (1 - p) = 2
# en: training mode: about half set to 0, the rest multiplied by 1 / (1 - p) = 2
print(drop(x))
drop.eval()
# zh: 评估模式：原样输出
# en: evaluation mode: the input unchanged
print(drop(x))
# --8<-- [end:dropout-layer]

# --8<-- [start:dropout-train]
torch.manual_seed(0)
model = MLP(p=0.5)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
dropout = train(model, optimizer)
runs = {"plain": plain, "decay": decay, "dropout": dropout}
bests = {name: min(range(100), key=h["val"].__getitem__) for name, h in runs.items()}
for name, h in runs.items():
    b = bests[name]
    print(f"{name:>8}  best_epoch={b + 1:3d}  min_val={h['val'][b]:.4f}"
          f"  last_val={h['val'][-1]:.4f}  last_val_acc={h['val_acc'][-1]:.3f}")
# --8<-- [end:dropout-train]

# --8<-- [start:plot-regularized]
# zh: 验证损失：实线 plain，虚线 decay，点线 dropout
# en: validation losses: solid plain, dashed decay, dotted dropout
loss_curves({"-": plain["val"], "--": decay["val"], ":": dropout["val"]})
plt.show()
# --8<-- [end:plot-regularized]


# --8<-- [start:dropout-functional]
# zh: 同样的层，前向传播改用函数形式 F.dropout，并把模式传进去
# en: the same layers; the forward pass uses the function F.dropout, given the mode
class FunctionalMLP(MLP):
    def forward(self, x):
        h = F.dropout(F.relu(self.fc1(x)), self.p, training=self.training)
        h = F.dropout(F.relu(self.fc2(h)), self.p, training=self.training)
        return self.out(h)


# zh: 忘了 training=self.training：training 的默认值是 True
# en: training=self.training forgotten: training defaults to True
class ForgetfulMLP(MLP):
    def forward(self, x):
        h = F.dropout(F.relu(self.fc1(x)), self.p)
        h = F.dropout(F.relu(self.fc2(h)), self.p)
        return self.out(h)


torch.manual_seed(1)
for cls in (MLP, FunctionalMLP, ForgetfulMLP):
    # zh: 同一组训练好的参数
    # en: the same trained parameters
    twin = cls(p=0.5)
    twin.load_state_dict(model.state_dict())
    runs = [evaluate(twin, x_val, y_val) for _ in range(2)]
    shown = "  ".join(f"val={v:.4f} acc={a:.3f}" for v, a in runs)
    print(f"{cls.__name__:>13}  {shown}")
forgetful = runs
# --8<-- [end:dropout-functional]


# --8<-- [start:early-stopping]
def fit(model, optimizer, max_epochs=100, patience=20):
    best_loss, best_epoch = float("inf"), 0
    for epoch in range(1, max_epochs + 1):
        train_step(model, optimizer)
        val_loss, _ = evaluate(model, x_val, y_val)
        if val_loss < best_loss:
            best_loss, best_epoch = val_loss, epoch
            # zh: 一份拷贝：不用 deepcopy，它会跟着模型一起变
            # en: a copy: without deepcopy it would change along with the model
            best_state = copy.deepcopy(model.state_dict())
        elif epoch - best_epoch >= patience:
            break
    model.load_state_dict(best_state)
    return best_epoch, epoch, best_loss


torch.manual_seed(0)
model = MLP()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
best_epoch, stopped, best_loss = fit(model, optimizer)
restored_val, restored_acc = evaluate(model, x_val, y_val)
print(f"{best_epoch=}  {stopped=}  {best_loss=:.4f}")
print(f"{restored_val=:.4f}  {restored_acc=:.3f}  {restored_val == best_loss}")
# --8<-- [end:early-stopping]

# --8<-- [start:alias]
alias = model.state_dict()
snapshot = copy.deepcopy(model.state_dict())
train_step(model, optimizer)
# zh: alias 和模型共用内存，跟着变了；snapshot 还是原来的值
# en: alias shares memory with the model and changed with it; snapshot kept the values
print(torch.equal(alias["fc1.weight"], model.fc1.weight))
print(torch.equal(snapshot["fc1.weight"], model.fc1.weight))
# --8<-- [end:alias]


# --8<-- [start:seeds]
recipes = {
    "plain": {"p": 0.0, "weight_decay": 0.0},
    "decay": {"p": 0.0, "weight_decay": 3.0},
    "dropout": {"p": 0.5, "weight_decay": 0.0},
}
seeds = range(5)


# zh: 一个配方、一个种子：种子决定初始权重和 Dropout 的随机掩码
# en: one recipe, one seed: the seed decides the initial weights and the dropout masks
def run(recipe, seed):
    torch.manual_seed(seed)
    model = MLP(p=recipe["p"])
    optimizer = torch.optim.AdamW(param_groups(model, recipe["weight_decay"]), lr=3e-3)
    fit(model, optimizer)
    return model


# zh: “均值 ± 标准差”：除以 n - 1 的样本标准差
# en: "mean ± standard deviation": the sample standard deviation, dividing by n - 1
def mean_std(values, digits=4):
    m, s = statistics.mean(values), statistics.stdev(values)
    return f"{m:.{digits}f} ± {s:.{digits}f}"


models = {name: [run(r, seed) for seed in seeds] for name, r in recipes.items()}
val = {}
for name, ms in models.items():
    losses, accs = zip(*(evaluate(m, x_val, y_val) for m in ms))
    val[name] = losses, accs
    print(f"{name:>8}  val={mean_std(losses)}  val_acc={mean_std(accs, 3)}"
          f"  {[round(a, 3) for a in accs]}")
# zh: 在验证集上选：平均验证损失最低的配方
# en: chosen on validation: the recipe with the lowest mean validation loss
chosen = min(recipes, key=lambda name: statistics.mean(val[name][0]))
print(f"{chosen=}")
# --8<-- [end:seeds]

# --8<-- [start:spread]
n = len(seeds)
mean = {name: statistics.mean(accs) for name, (_, accs) in val.items()}
std = {name: statistics.stdev(accs) for name, (_, accs) in val.items()}
# zh: 标准误差：n 个种子的平均值本身有多不确定
# en: standard error: how uncertain the mean of n seeds is itself
se = {name: std[name] / n**0.5 for name in val}
diff, se_diff = {}, {}
for a, b in (("decay", "plain"), ("dropout", "plain"), ("dropout", "decay")):
    diff[a, b] = mean[a] - mean[b]
    se_diff[a, b] = (se[a] ** 2 + se[b] ** 2) ** 0.5
    print(f"{a:>8} - {b:<6} {diff[a, b]:+.4f} ± {se_diff[a, b]:.4f}"
          f"  ({diff[a, b] / se_diff[a, b]:.1f} SE)")
# zh: 另一份同样大小的验证集会让准确率变动多少（二项分布）
# en: how much another validation set of the same size would move an accuracy (binomial)
binomial_se = (mean[chosen] * (1 - mean[chosen]) / len(y_val)) ** 0.5
print(f"{binomial_se=:.4f}  one sample={1 / len(y_val):.4f}")
# --8<-- [end:spread]

# --8<-- [start:test]
# zh: 测试集只用这一次：选中的配方，5 个种子
# en: the test set, used this once: the chosen recipe, 5 seeds
x_test, y_test = test_set.tensors
test_acc = [evaluate(m, x_test, y_test)[1] for m in models[chosen]]
test_mean, test_std = statistics.mean(test_acc), statistics.stdev(test_acc)
print(f"{chosen}  test_acc={test_mean:.3f} ± {test_std:.3f}"
      f"  {[round(a, 3) for a in test_acc]}")
# zh: 两份各有 270 个左右样本的数据，各自的波动合起来
# en: two sets of about 270 samples, each with its own fluctuation, combined
gap = mean[chosen] - test_mean
test_se = (test_mean * (1 - test_mean) / len(y_test)) ** 0.5
gap_se = (binomial_se**2 + test_se**2) ** 0.5
print(f"{gap=:.4f}  {gap_se=:.4f}  {gap / gap_se=:.1f}")
# --8<-- [end:test]

# --8<-- [start:confusion]
model = models[chosen][0]
model.eval()
with torch.no_grad():
    y_pred = model(x_test).argmax(dim=1)
# zh: 第 i 行第 j 列：真实为 i、预测为 j 的个数
# en: row i, column j: how many are truly i and predicted as j
cm = torch.bincount(10 * y_test + y_pred, minlength=100).reshape(10, 10)
tp = cm.diag()
# zh: 列和：预测为 k 的个数；行和：真实为 k 的个数
# en: column sums: how many are predicted as k; row sums: how many truly are k
precision = tp / cm.sum(dim=0)
recall = tp / cm.sum(dim=1)
f1 = 2 * precision * recall / (precision + recall)
print("k          ", "  ".join(f"{k:5d}" for k in range(10)))
for name, values in (("precision", precision), ("recall", recall), ("f1", f1)):
    print(f"{name:<11}", "  ".join(f"{v:.3f}" for v in values))
accuracy = (tp.sum() / cm.sum()).item()
macro_f1 = f1.mean().item()
print(f"{accuracy=:.4f}  {macro_f1=:.4f}")
# zh: 最常见的一种错误：对角线以外最大的格子
# en: the most common mistake: the largest cell off the diagonal
off = cm - torch.diag(tp)
worst_true, worst_pred = divmod(off.argmax().item(), 10)
low_recall, low_precision = recall.argmin().item(), precision.argmin().item()
print(f"{worst_true=}  {worst_pred=}  count={off.max().item()}"
      f"  {low_recall=}  {low_precision=}")
# --8<-- [end:confusion]

# --8<-- [start:sklearn]
print((metrics.confusion_matrix(y_test, y_pred) == cm.numpy()).all())
p_sk, r_sk, f1_sk, support = metrics.precision_recall_fscore_support(y_test, y_pred)
print(all(torch.allclose(ours.double(), torch.from_numpy(theirs))
          for ours, theirs in ((precision, p_sk), (recall, r_sk), (f1, f1_sk))))
print(support.tolist() == cm.sum(dim=1).tolist())
print(f"{metrics.f1_score(y_test, y_pred, average='macro'):.4f}"
      f"  {metrics.accuracy_score(y_test, y_pred):.4f}")
# --8<-- [end:sklearn]

# --8<-- [start:plot-confusion]
plot.confusion(cm)
plt.show()
# --8<-- [end:plot-confusion]

# --8<-- [start:ex1]
k = 9
# zh: “是不是 9”：把 10 类看成两类
# en: "is it a 9?": the 10 classes seen as two
is_k, said_k = y_test == k, y_pred == k
tp_k = (is_k & said_k).sum().item()
print(f"{k=}  precision={tp_k / said_k.sum().item():.3f}"
      f"  recall={tp_k / is_k.sum().item():.3f}")
# zh: 一个从不说“是 9”的分类器
# en: a classifier that never says "9"
never = torch.zeros_like(is_k)
never_acc = (never == is_k).float().mean().item()
never_f1 = metrics.f1_score(is_k, never, zero_division=0)
print(f"{never_acc=:.3f}  recall=0.000  {never_f1=:.3f}")
# --8<-- [end:ex1]

# --8<-- [start:ex2]
model = models[chosen][0]
model.eval()
with torch.no_grad():
    correct = (model(x_val).argmax(dim=1) == y_val).float()
# zh: 有放回地重抽 1000 份同样大小的验证集（自助法）
# en: draw 1000 validation sets of the same size, with replacement (the bootstrap)
g = torch.Generator().manual_seed(0)
idx = torch.randint(len(y_val), (1000, len(y_val)), generator=g)
boot = correct[idx].mean(dim=1)
boot_std = boot.std().item()
print(f"acc={correct.mean():.3f}  bootstrap std={boot_std:.4f}"
      f"  seeds std={std[chosen]:.4f}  {binomial_se=:.4f}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
# zh: λ = 3 的 5 次训练上面已经做过（配方 decay）
# en: the 5 runs of λ = 3 were done above (recipe decay)
sweep = {3.0: val["decay"]}
for lam in (1.0, 10.0):
    recipe = {"p": 0.0, "weight_decay": lam}
    results = [evaluate(run(recipe, seed), x_val, y_val) for seed in seeds]
    sweep[lam] = tuple(zip(*results))
for lam, (losses, accs) in sorted(sweep.items()):
    print(f"{lam=:4}  val={mean_std(losses)}  val_acc={mean_std(accs, 3)}")
best_lam = min(sweep, key=lambda lam: statistics.mean(sweep[lam][0]))
print(f"{best_lam=}")
# --8<-- [end:ex3]
