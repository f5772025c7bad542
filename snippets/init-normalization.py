"""初始化与归一化 / Initialization and normalization: the code of docs/init-normalization.zh.md
and docs/init-normalization.en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page, exercises included, with
`python snippets/init-normalization.py`.
"""
# --8<-- [start:imports]
import math

import matplotlib.pyplot as plt
import torch
from sklearn.datasets import load_digits, load_wine
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import plot.init_normalization
from digits import load_digits_split

torch.manual_seed(0)
train_set, val_set, test_set = load_digits_split(seed=0)
x_train, y_train = train_set.tensors  # (1258, 64), (1258,)
n_classes = 10
loss_fn = nn.CrossEntropyLoss()
# --8<-- [end:imports]

# --8<-- [start:initial-loss]
def mlp(n_in=64, hidden=64, n_out=n_classes):
    return nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_out))


def first_loss(x, y, seed, **sizes):
    torch.manual_seed(seed)
    model = mlp(**sizes)
    with torch.no_grad():
        return loss_fn(model(x), y).item()


# zh: 同样的图片，不做标准化：像素值是 0 到 16
# en: the same images without standardization: pixel values from 0 to 16
digits = load_digits()
x_raw = torch.tensor(digits.data, dtype=torch.float32)  # (1797, 64)
y_raw = torch.tensor(digits.target)

log_c = math.log(n_classes)
print(f"log(C) = log({n_classes}) = {log_c:.4f}")
seeds = range(5)
standardized = [first_loss(x_train, y_train, seed) for seed in seeds]
raw = [first_loss(x_raw, y_raw, seed) for seed in seeds]
print("standardized:", " ".join(f"{loss:.3f}" for loss in standardized))
print("raw 0..16:   ", " ".join(f"{loss:.3f}" for loss in raw))
# --8<-- [end:initial-loss]

# --8<-- [start:default-init]
torch.manual_seed(0)
layer = nn.Linear(256, 256)
fan_in = layer.in_features
bound = 1 / math.sqrt(fan_in)
w = layer.weight.detach()
print(f"{bound=:.4f}  min {w.min():.4f}  max {w.max():.4f}")
print(f"std {w.std():.4f}  1/sqrt(3*fan_in) {1 / math.sqrt(3 * fan_in):.4f}")
gain = nn.init.calculate_gain("leaky_relu", math.sqrt(5))
print(f"gain {gain:.4f}  sqrt(1/3) {math.sqrt(1 / 3):.4f}")

# zh: 同一个种子，自己调用 kaiming_uniform_(a=√5)：得到完全相同的权重
# en: the same seed, kaiming_uniform_(a=√5) called by hand: exactly the same weights
torch.manual_seed(0)
weight = nn.init.kaiming_uniform_(torch.empty(256, 256), a=math.sqrt(5))
print(torch.equal(weight, w))
# --8<-- [end:default-init]

# --8<-- [start:kaiming-xavier]
inits = {
    "default": lambda w: nn.init.kaiming_uniform_(w, a=math.sqrt(5)),
    "xavier": nn.init.xavier_normal_,
    "kaiming": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
}
theory = {"default": math.sqrt(1 / (3 * 256)), "xavier": math.sqrt(2 / (256 + 256)),
          "kaiming": math.sqrt(2 / 256)}
per_layer = {}
for name, init in inits.items():
    torch.manual_seed(0)
    w = init(torch.empty(256, 256))
    # zh: 每经过一层“线性层 → ReLU”，信号的标准差乘以 sqrt(fan_in · Var(w) / 2)
    # en: each "linear → ReLU" multiplies a signal's std by sqrt(fan_in · Var(w) / 2)
    per_layer[name] = math.sqrt(256 * w.var().item() / 2)
    print(f"{name:>8}: std {w.std():.4f}  theory {theory[name]:.4f}"
          f"  per layer x{per_layer[name]:.3f}  20 layers x{per_layer[name] ** 20:.1e}")
# --8<-- [end:kaiming-xavier]

# --8<-- [start:layer-stats]
class DeepMLP(nn.Module):
    def __init__(self, depth=20, width=128, init=inits["default"], norm=None,
                 residual=False, act=torch.relu):
        super().__init__()
        self.linears = nn.ModuleList([nn.Linear(64, width)])
        self.linears.extend(nn.Linear(width, width) for _ in range(depth - 1))
        # zh: norm 是 nn.BatchNorm1d、nn.LayerNorm 或 None（不归一化）
        # en: norm is nn.BatchNorm1d, nn.LayerNorm or None (no normalization)
        self.norms = nn.ModuleList(norm(width) if norm else nn.Identity()
                                   for _ in range(depth))
        self.head = nn.Linear(width, n_classes)
        self.residual, self.act = residual, act
        # zh: 偏置设为 0，只看权重的初始化
        # en: biases set to 0, to watch the weights' initialization alone
        for linear in self.linears:
            init(linear.weight)
            nn.init.zeros_(linear.bias)

    def forward(self, x):
        for i, (linear, norm) in enumerate(zip(self.linears, self.norms)):
            out = self.act(norm(linear(x)))
            # zh: 残差连接：第一层之后，每层的输出加上它的输入
            # en: residual connection: after the first layer, each output adds its input
            x = x + out if self.residual and i > 0 else out
        return self.head(x)


def layer_stats(model, x, y):
    # zh: 每个线性层输出的标准差（前向），以及损失对它的梯度的标准差（反向）
    # en: std of each linear layer's output (forward) and of the loss's gradient on it
    outputs = []

    def keep(module, inputs, output):
        output.retain_grad()
        outputs.append(output)

    handles = [linear.register_forward_hook(keep) for linear in model.linears]
    loss_fn(model(x), y).backward()
    for handle in handles:
        handle.remove()
    return ([out.std().item() for out in outputs],
            [out.grad.std().item() for out in outputs])


def print_table(stats, layers=(1, 5, 10, 15, 20)):
    print("layer " + "".join(f"{name:>13}" for name in stats))
    for i, kind in enumerate(["act", "grad"]):
        for n in layers:
            row = "".join(f"{stat[i][n - 1]:13.2e}" for stat in stats.values())
            print(f"{kind:>4} {n:2d}{row}")


xb, yb = x_train[:256], y_train[:256]
stats = {}
for name, init in inits.items():
    torch.manual_seed(0)
    stats[name] = layer_stats(DeepMLP(init=init), xb, yb)
print_table(stats)
# --8<-- [end:layer-stats]

# --8<-- [start:layer-stats-figure]
plot.init_normalization.layer_stats(stats)
plt.show()
# --8<-- [end:layer-stats-figure]

# --8<-- [start:layer-stats-seeds]
# zh: 换 3 个种子，第 20 层的统计量差多少？
# en: how much do layer 20's statistics move over 3 seeds?
last = {}
for name, init in inits.items():
    last[name] = []
    for seed in range(3):
        torch.manual_seed(seed)
        acts, grads = layer_stats(DeepMLP(init=init), xb, yb)
        last[name].append(acts[-1])
    print(f"{name:>8}: act std at layer 20, seeds 0-2:",
          " ".join(f"{a:.2e}" for a in last[name]))
# --8<-- [end:layer-stats-seeds]

# --8<-- [start:batchnorm]
torch.manual_seed(0)
bn = nn.BatchNorm1d(3)
print("parameters:", [name for name, _ in bn.named_parameters()])
print("buffers:   ", [name for name, _ in bn.named_buffers()])
for name, value in bn.state_dict().items():
    print(f"{name:>19}: {value}")

batch = torch.randn(8, 3) * 2 + 5  # (N, features)
out = bn(batch).detach()
# zh: 训练模式：每个特征用这一批的均值和方差标准化
# en: training mode: each feature standardized with this batch's mean and variance
print(f"max |mean| {out.mean(dim=0).abs().max():.1e}",
      "std", out.std(dim=0, correction=0))
# --8<-- [end:batchnorm]

# --8<-- [start:running-stats]
# zh: 新的滑动统计量 = (1 - momentum) · 旧值 + momentum · 这一批的统计量
# en: new running statistic = (1 - momentum) · old value + momentum · this batch's
m = bn.momentum
expected_mean = (1 - m) * 0 + m * batch.mean(dim=0)
expected_var = (1 - m) * 1 + m * batch.var(dim=0)  # var: unbiased, correction=1
print(f"momentum {m}")
print("running_mean", bn.running_mean, torch.allclose(bn.running_mean, expected_mean))
print("running_var ", bn.running_var, torch.allclose(bn.running_var, expected_var))
print("num_batches_tracked", bn.num_batches_tracked)
# --8<-- [end:running-stats]

# --8<-- [start:train-vs-eval]
x = batch[:4]
bn.train()
out_train = bn(x).detach()
bn.eval()
out_eval = bn(x).detach()
print("train()", out_train[0])
print("eval() ", out_eval[0])
# zh: 评估模式只用滑动统计量：一个固定的线性变换
# en: evaluation mode uses only the running statistics: a fixed affine map
x_hat = (x - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps)
by_hand = x_hat * bn.weight + bn.bias
print(torch.allclose(out_eval, by_hand))

# zh: 训练模式下，一个样本的输出取决于同一批里还有谁
# en: in training mode a sample's output depends on who else is in the batch
bn.train()
print("train()", torch.allclose(bn(batch)[0], bn(batch[:4])[0]))
bn.eval()
print("eval() ", torch.allclose(bn(batch)[0], bn(batch[:4])[0]))
print("num_batches_tracked", bn.num_batches_tracked)
# --8<-- [end:train-vs-eval]

# --8<-- [start:batch-of-one]
bn.train()
try:
    bn(torch.randn(1, 3))
except ValueError as error:
    print("ValueError:", error)

# zh: 修正一：预测时先 eval()
# en: fix 1: eval() before predicting
bn.eval()
print(bn(torch.randn(1, 3)).shape)

# zh: 修正二：训练时丢掉最后那个只剩一个样本的批量
# en: fix 2: in training, drop the last batch when it holds a single sample
small = TensorDataset(x_train[:129], y_train[:129])  # 129 = 2 * 64 + 1
last_batch = {}
for drop_last in [False, True]:
    loader = DataLoader(small, batch_size=64, drop_last=drop_last)
    sizes = [len(yb) for _, yb in loader]
    last_batch[drop_last] = sizes[-1]
    print(f"{drop_last=}  batches {len(sizes)}  last {sizes[-1]}")
# --8<-- [end:batch-of-one]

# --8<-- [start:layernorm]
torch.manual_seed(0)
ln = nn.LayerNorm(3)
print("state_dict:", list(ln.state_dict()))
out = ln(batch).detach()
# zh: 每个样本（每一行）各自标准化
# en: each sample (each row) standardized on its own
print(f"max |mean| {out.mean(dim=1).abs().max():.1e}",
      "std", out.std(dim=1, correction=0)[:4])
ln.eval()
print("train() == eval():", torch.equal(ln(batch), out))
print("alone == in batch:", torch.allclose(ln(batch[:1]), out[:1]))
# --8<-- [end:layernorm]

# --8<-- [start:norm-stats]
fixes = {"default": {}, "BN": {"norm": nn.BatchNorm1d}, "LN": {"norm": nn.LayerNorm},
         "residual": {"residual": True}}
fixed_stats = {}
for name, options in fixes.items():
    torch.manual_seed(0)
    fixed_stats[name] = layer_stats(DeepMLP(**options), xb, yb)
print_table(fixed_stats)
# --8<-- [end:norm-stats]

# --8<-- [start:norm-stats-figure]
plot.init_normalization.layer_stats(fixed_stats)
plt.show()
# --8<-- [end:norm-stats-figure]

# --8<-- [start:train-deep]
def accuracy(model, dataset):
    model.eval()
    x, y = dataset.tensors
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def train(model, seed, epochs=2, lr=0.02):
    loader = DataLoader(train_set, batch_size=64, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    model.train()
    for epoch in range(epochs):
        losses = []
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    # zh: 最后一轮的平均训练损失，以及验证集准确率
    # en: the last epoch's mean training loss, and the validation accuracy
    return sum(losses) / len(losses), accuracy(model, val_set)


recipes = {"default": {}, "kaiming": {"init": inits["kaiming"]},
           "BN": {"norm": nn.BatchNorm1d}}
results = {}
for name, options in recipes.items():
    results[name] = []
    for seed in range(3):
        torch.manual_seed(seed)
        results[name].append(train(DeepMLP(**options), seed))
    losses, accs = zip(*results[name])
    print(f"{name:>8}: loss", " ".join(f"{loss:.3f}" for loss in losses),
          "  val acc", " ".join(f"{acc:.3f}" for acc in accs))
# --8<-- [end:train-deep]

# --8<-- [start:ex1]
wine = load_wine()
x_wine = torch.tensor(wine.data, dtype=torch.float32)  # (178, 13)
x_wine = (x_wine - x_wine.mean(dim=0)) / x_wine.std(dim=0)
y_wine = torch.tensor(wine.target)
n_wine = len(wine.target_names)
wine_losses = [first_loss(x_wine, y_wine, seed, n_in=13, n_out=n_wine)
               for seed in range(3)]
print(f"log({n_wine}) = {math.log(n_wine):.4f}  first loss, 3 seeds:",
      " ".join(f"{loss:.3f}" for loss in wine_losses))
# --8<-- [end:ex1]

# --8<-- [start:ex2]
def kaiming_times_3(w):
    # zh: Kaiming 初始化的 3 倍标准差
    # en: three times the standard deviation of Kaiming initialization
    return nn.init.normal_(w, std=3 * math.sqrt(2 / w.shape[1]))


scaled = {}
for name, options in {"x3": {}, "x3+BN": {"norm": nn.BatchNorm1d}}.items():
    torch.manual_seed(0)
    scaled[name] = layer_stats(DeepMLP(init=kaiming_times_3, **options), xb, yb)
print_table(scaled, layers=(1, 10, 20))
# --8<-- [end:ex2]

# --8<-- [start:ex3]
tanh_inits = {
    "default": inits["default"],
    "xavier": nn.init.xavier_normal_,
    "xavier_5/3": lambda w: nn.init.xavier_normal_(w, gain=5 / 3),
}
tanh_stats = {}
for name, init in tanh_inits.items():
    torch.manual_seed(0)
    tanh_stats[name] = layer_stats(DeepMLP(init=init, act=torch.tanh), xb, yb)
print(f"gain tanh {nn.init.calculate_gain('tanh'):.4f}")
print_table(tanh_stats, layers=(1, 10, 20))
# --8<-- [end:ex3]
