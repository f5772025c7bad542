"""进阶卷积网络 / Advanced CNNs: the code of docs/cnn-advanced.zh.md and docs/cnn-advanced.en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page, exercises included, with `python snippets/cnn-advanced.py`.
"""
# --8<-- [start:imports]
import math

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader

import plot
import plot.cnn
from digits import load_digits_split

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:conv1x1]
torch.manual_seed(0)
conv1x1 = nn.Conv2d(6, 2, kernel_size=1)
print("weight", tuple(conv1x1.weight.shape))

# zh: 同样的权重放进一个线性层，作用在每个像素的 6 个通道上
# en: the same weights in a linear layer, applied to the 6 channels of every pixel
linear = nn.Linear(6, 2)
with torch.no_grad():
    linear.weight.copy_(conv1x1.weight.view(2, 6))
    linear.bias.copy_(conv1x1.bias)

x = torch.randn(1, 6, 4, 4)
by_conv = conv1x1(x)  # (1, 2, 4, 4)
by_linear = linear(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)  # NCHW -> NHWC -> NCHW
print(tuple(by_conv.shape), torch.allclose(by_conv, by_linear, atol=1e-6))
# --8<-- [end:conv1x1]

# --8<-- [start:mult-adds]
def mult_adds(model, x):
    # zh: 用前向钩子数出 model 在输入 x 上所有 Conv2d 的乘加次数
    # en: multiply-adds of every Conv2d of model on input x, counted with forward hooks
    total = 0

    def count(conv, inputs, output):
        nonlocal total
        c_in, (kh, kw) = conv.in_channels // conv.groups, conv.kernel_size
        # C_out * H_out * W_out * C_in * k * k
        total += output[0].numel() * c_in * kh * kw

    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    handles = [conv.register_forward_hook(count) for conv in convs]
    with torch.no_grad():
        model(x)
    for handle in handles:
        handle.remove()
    return total


def n_params(model):
    return sum(p.numel() for p in model.parameters())


x = torch.zeros(1, 192, 28, 28)
direct = nn.Conv2d(192, 32, kernel_size=5, padding=2)
reduced = nn.Sequential(nn.Conv2d(192, 16, kernel_size=1),
                        nn.Conv2d(16, 32, kernel_size=5, padding=2))
for name, model in [("direct", direct), ("reduced", reduced)]:
    print(f"{name:>8}: output {tuple(model(x).shape)}"
          f"  mult-adds {mult_adds(model, x):>11,}  params {n_params(model):>7,}")
print(f"5*5*28*28*192*32 = {5 * 5 * 28 * 28 * 192 * 32:,}")
print(f"ratio {mult_adds(direct, x) / mult_adds(reduced, x):.1f}")
# --8<-- [end:mult-adds]

# --8<-- [start:inception]
def conv_relu(c_in, c_out, kernel_size):
    conv = nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2)
    return nn.Sequential(conv, nn.ReLU())


class Inception(nn.Module):
    def __init__(self, c_in, c1, c3_reduce, c3, c5_reduce, c5, pool_proj):
        super().__init__()
        self.branch1 = conv_relu(c_in, c1, 1)
        self.branch3 = nn.Sequential(conv_relu(c_in, c3_reduce, 1),
                                     conv_relu(c3_reduce, c3, 3))
        self.branch5 = nn.Sequential(conv_relu(c_in, c5_reduce, 1),
                                     conv_relu(c5_reduce, c5, 5))
        self.branch_pool = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1),
                                         conv_relu(c_in, pool_proj, 1))

    def forward(self, x):
        branches = [self.branch1, self.branch3, self.branch5, self.branch_pool]
        return torch.cat([branch(x) for branch in branches], dim=1)  # NCHW: 1 = C


inception = Inception(192, 64, 96, 128, 16, 32, 32)  # GoogLeNet: 3a
x = torch.zeros(1, 192, 28, 28)
for name, branch in inception.named_children():
    print(f"{name:>11}: {tuple(branch(x).shape)}")
print(f"{'torch.cat':>11}: {tuple(inception(x).shape)}")
# --8<-- [end:inception]

# --8<-- [start:inception-figure]
plot.cnn.inception(64, 96, 128, 16, 32, 32)
plt.show()
# --8<-- [end:inception-figure]

# --8<-- [start:inception-cost]
class NaiveInception(nn.Module):
    def __init__(self, c_in, c1, c3, c5):
        super().__init__()
        self.branch1 = conv_relu(c_in, c1, 1)
        self.branch3 = conv_relu(c_in, c3, 3)
        self.branch5 = conv_relu(c_in, c5, 5)
        self.branch_pool = nn.MaxPool2d(3, stride=1, padding=1)

    def forward(self, x):
        branches = [self.branch1, self.branch3, self.branch5, self.branch_pool]
        return torch.cat([branch(x) for branch in branches], dim=1)


naive = NaiveInception(192, 64, 128, 32)
for name, model in [("Inception", inception), ("NaiveInception", naive)]:
    print(f"{name:>14}: output {tuple(model(x).shape)}"
          f"  mult-adds {mult_adds(model, x):>11,}  params {n_params(model):>7,}")
# --8<-- [end:inception-cost]

# --8<-- [start:global-pool]
features = torch.randn(2, 16, 8, 8)  # (N, C, H, W)
gap = nn.AdaptiveAvgPool2d(1)  # (N, C, H, W) -> (N, C, 1, 1)
print(tuple(gap(features).shape), torch.allclose(gap(features)[:, :, 0, 0],
                                                 features.mean(dim=(2, 3))))
flatten_head = nn.Sequential(nn.Flatten(), nn.Linear(16 * 8 * 8, 10))
gap_head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
for name, head in [("flatten_head", flatten_head), ("gap_head", gap_head)]:
    print(f"{name:>12}: {tuple(head(features).shape)}  params {n_params(head):,}")
print(f"GoogLeNet, 1024 x 7 x 7 -> 1000: flatten {1024 * 7 * 7 * 1000 + 1000:,}"
      f"  gap {1024 * 1000 + 1000:,}")
# --8<-- [end:global-pool]

# --8<-- [start:residual]
class Residual(nn.Module):
    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, kernel_size=3, padding=1, stride=stride)
        self.conv2 = nn.Conv2d(c_out, c_out, kernel_size=3, padding=1)
        self.shortcut = nn.Identity()
        if stride != 1 or c_in != c_out:
            # zh: 形状变了：用 1×1 卷积把 x 变成和 F(x) 一样的形状
            # en: the shape changes: a 1×1 convolution brings x to the shape of F(x)
            self.shortcut = nn.Conv2d(c_in, c_out, kernel_size=1, stride=stride)

    def forward(self, x):
        fx = self.conv2(torch.relu(self.conv1(x)))
        return torch.relu(fx + self.shortcut(x))


x = torch.zeros(1, 16, 8, 8)
for block in [Residual(16, 16), Residual(16, 32, stride=2)]:
    print(f"{tuple(x.shape)} -> {tuple(block(x).shape)}  params {n_params(block):,}"
          f"  shortcut {type(block.shortcut).__name__}")
# --8<-- [end:residual]

# --8<-- [start:residual-figure]
plot.cnn.residual()
plt.show()
# --8<-- [end:residual-figure]

# --8<-- [start:gradient-depth]
class Plain(Residual):
    def forward(self, x):
        # zh: 和 Residual 相同的层，只是少了 + x
        # en: the same layers as Residual, without the + x
        return torch.relu(self.conv2(torch.relu(self.conv1(x))))


def deep_net(block, n_blocks):
    layers = [nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU()]
    layers += [block(16, 16) for _ in range(n_blocks)]
    layers += [nn.Flatten(), nn.Linear(16 * 8 * 8, 10)]
    return nn.Sequential(*layers)


train_set, val_set, test_set = load_digits_split(seed=0, flat=False)
xb, yb = train_set[:128]
loss_fn = nn.CrossEntropyLoss()
depths, grad_norms = [], {"Plain": [], "Residual": []}
for n_blocks in [1, 2, 4, 8, 16]:
    depth = 1 + 2 * n_blocks
    depths.append(depth)
    for block in [Plain, Residual]:
        torch.manual_seed(0)
        net = deep_net(block, n_blocks)
        loss_fn(net(xb), yb).backward()
        grad = net[0].weight.grad
        grad_norms[block.__name__].append(torch.linalg.vector_norm(grad).item())
    plain, residual = grad_norms["Plain"][-1], grad_norms["Residual"][-1]
    print(f"{depth=:2d}  Plain {plain:.2e}  Residual {residual:.2e}")
# --8<-- [end:gradient-depth]

# --8<-- [start:gradient-figure]
plot.curves(depths, grad_norms, xlabel="depth",
            ylabel=r"$\|\partial \mathcal{L} / \partial W_1\|$", logy=True, marker="o")
plt.show()
# --8<-- [end:gradient-figure]

# --8<-- [start:train-deep]
def accuracy(model, dataset):
    model.eval()
    x, y = dataset.tensors
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def train(model, epochs=2, lr=1e-3):
    val_accs = []
    loader = DataLoader(train_set, batch_size=64, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    for epoch in range(1, epochs + 1):
        model.train()
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        val_accs.append(accuracy(model, val_set))
        print(f"  {epoch=}  val acc {val_accs[-1]:.3f}")
    return val_accs


val_accs = {}
for block in [Plain, Residual]:
    torch.manual_seed(0)
    net = deep_net(block, 6)
    print(f"{block.__name__}: {1 + 2 * 6} conv layers, params {n_params(net):,}")
    val_accs[block.__name__] = train(net)
# --8<-- [end:train-deep]

# --8<-- [start:batchnorm]
torch.manual_seed(0)
bn = nn.BatchNorm2d(16)
# zh: 训练模式：每个通道用这一批的 N×H×W 个值算均值和方差
# en: training mode: each channel's mean and variance over the batch's N×H×W values
out = bn(torch.randn(1, 16, 8, 8))
print(tuple(out.shape), f"{out[0, 0].mean().item() + 0:.3f}",
      f"{out[0, 0].std(correction=0).item():.3f}")

# zh: 全局平均池化之后只剩 1×1：批量为 1 时，每个通道只有一个值
# en: after global average pooling only 1×1 is left: one value per channel, batch of 1
pooled = torch.randn(1, 16, 1, 1)
try:
    bn(pooled)
except ValueError as error:
    print("ValueError:", error)

# zh: 修正一：预测时用评估模式，改用训练时记下的滑动平均
# en: fix 1: evaluation mode for predictions, with the running averages from training
bn.eval()
print(tuple(bn(pooled).shape))
# zh: 修正二：训练时每一批都多于一个样本
# en: fix 2: more than one sample in every training batch
bn.train()
print(tuple(bn(torch.randn(8, 16, 1, 1)).shape))
# --8<-- [end:batchnorm]

# --8<-- [start:ex1]
x = torch.zeros(1, 192, 28, 28)
direct3 = nn.Conv2d(192, 128, kernel_size=3, padding=1)
reduced3 = nn.Sequential(nn.Conv2d(192, 96, kernel_size=1),
                         nn.Conv2d(96, 128, kernel_size=3, padding=1))
for name, model in [("direct3", direct3), ("reduced3", reduced3)]:
    print(f"{name:>8}: mult-adds {mult_adds(model, x):>11,}  "
          f"params {n_params(model):,}")
# --8<-- [end:ex1]

# --8<-- [start:ex2]
def he_init(model):
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)


he_norms = {}
for n_blocks in [1, 4, 16]:
    norms = []
    for block in [Plain, Residual]:
        torch.manual_seed(0)
        net = deep_net(block, n_blocks)
        he_init(net)
        loss_fn(net(xb), yb).backward()
        norms.append(torch.linalg.vector_norm(net[0].weight.grad).item())
    he_norms[n_blocks] = norms
    print(f"depth={1 + 2 * n_blocks:2d}  Plain {norms[0]:.2e}  Residual {norms[1]:.2e}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
torch.manual_seed(0)
block = Residual(16, 16)
with torch.no_grad():
    block.conv2.weight.zero_()
    block.conv2.bias.zero_()
h = torch.relu(torch.randn(2, 16, 8, 8))  # h >= 0
print(torch.equal(block(h), h))
# --8<-- [end:ex3]
