"""卷积神经网络基础 / CNN basics: the code of docs/cnn-basics.zh.md and docs/cnn-basics.en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page, exercises included, with `python snippets/cnn-basics.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import plot
import plot.cnn

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:conv-by-hand]
x = torch.tensor([[1.0, 0.0, 2.0, 3.0, 1.0],
                  [4.0, 1.0, 0.0, 2.0, 2.0],
                  [2.0, 3.0, 1.0, 0.0, 4.0],
                  [0.0, 2.0, 4.0, 1.0, 3.0],
                  [1.0, 1.0, 3.0, 2.0, 0.0]])
kernel = torch.tensor([[1.0, 0.0, -1.0],
                       [2.0, 0.0, -2.0],
                       [1.0, 0.0, -1.0]])

# zh: 手算：卷积核在输入上滑动，每个位置上对应元素相乘再求和
# en: by hand: slide the kernel; at each position, multiply elementwise and sum
out = torch.zeros(3, 3)
for i in range(3):
    for j in range(3):
        out[i, j] = (x[i:i + 3, j:j + 3] * kernel).sum()
print(out)

conv = nn.Conv2d(in_channels=1, out_channels=1, kernel_size=3, bias=False)
with torch.no_grad():
    conv.weight.copy_(kernel.view(1, 1, 3, 3))  # (out_channels, in_channels, kH, kW)
y = conv(x.view(1, 1, 5, 5))  # (N, C, H, W)
print(y.shape)
print(torch.equal(y[0, 0], out))
# --8<-- [end:conv-by-hand]

# --8<-- [start:conv-figure]
plot.cnn.convolution(x, kernel, out, at=(1, 2))
plt.show()
# --8<-- [end:conv-figure]

# --8<-- [start:channels]
torch.manual_seed(0)
conv = nn.Conv2d(in_channels=3, out_channels=2, kernel_size=3)
print("weight", tuple(conv.weight.shape), " bias", tuple(conv.bias.shape))
print("parameters:", sum(p.numel() for p in conv.parameters()))  # 2*3*3*3 + 2

x3 = torch.randn(1, 3, 5, 5)  # (N, C, H, W)
y3 = conv(x3)
print("output", tuple(y3.shape))

# zh: 输出通道 o 在 (i, j) 处的值：窗口覆盖全部 3 个输入通道
# en: output channel o at (i, j): the window covers all 3 input channels
o, i, j = 1, 2, 0
window = x3[0, :, i:i + 3, j:j + 3]  # (3, 3, 3)
by_hand = (window * conv.weight[o]).sum() + conv.bias[o]
print(f"{by_hand.item():.6f} {y3[0, o, i, j].item():.6f}")
# --8<-- [end:channels]

# --8<-- [start:padding-stride]
def conv_out(size, kernel_size, padding=0, stride=1):
    return (size + 2 * padding - kernel_size) // stride + 1


image = torch.zeros(1, 1, 8, 8)
for k, p, s in [(3, 0, 1), (3, 1, 1), (5, 2, 1), (3, 1, 2), (2, 0, 2), (5, 0, 3)]:
    shape = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s)(image).shape
    print(f"kernel_size={k} padding={p} stride={s}:  formula {conv_out(8, k, p, s)}"
          f"  Conv2d {tuple(shape[2:])}")

same = nn.Conv2d(1, 1, kernel_size=5, padding="same")
print("padding='same':", tuple(same(image).shape[2:]))
# --8<-- [end:padding-stride]

# --8<-- [start:pooling]
grid = torch.tensor([[1.0, 3.0, 2.0, 0.0],
                     [4.0, 6.0, 1.0, 2.0],
                     [0.0, 2.0, 5.0, 7.0],
                     [1.0, 1.0, 8.0, 3.0]]).view(1, 1, 4, 4)
pool = nn.MaxPool2d(kernel_size=2)  # stride = kernel_size
print(pool(grid))
print("parameters:", list(pool.parameters()))
# zh: 每个通道分别池化：通道数不变
# en: each channel is pooled on its own: the channel count stays
print(tuple(pool(torch.randn(2, 16, 8, 8)).shape))
# --8<-- [end:pooling]

# --8<-- [start:model]
def make_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 10),
    )


torch.manual_seed(0)
cnn = make_cnn()

h = torch.zeros(5, 1, 8, 8)  # (N, C, H, W)
print(f"{'input':>10}  {tuple(h.shape)}")
for layer in cnn:
    h = layer(h)
    n = sum(p.numel() for p in layer.parameters())
    print(f"{type(layer).__name__:>10}  {str(tuple(h.shape)):16} params {n}")
cnn_params = sum(p.numel() for p in cnn.parameters())
conv_params = sum(p.numel() for p in cnn[:6].parameters())
print("total params", cnn_params, " convolutions", conv_params)
# --8<-- [end:model]

# --8<-- [start:data]
from digits import load_digits_split

train_set, val_set, test_set = load_digits_split(seed=0, flat=False)
print(len(train_set), len(val_set), len(test_set))
xb, yb = train_set[:4]
print(tuple(xb.shape), yb.tolist())
# --8<-- [end:data]

# --8<-- [start:train]
def accuracy(model, dataset):
    model.eval()
    x, y = dataset.tensors
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def train(model, optimizer, epochs, seed=0, log=True):
    loader = DataLoader(train_set, batch_size=64, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(1, epochs + 1):
        model.train()
        total = 0.0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        if log:
            train_loss, val_acc = total / len(train_set), accuracy(model, val_set)
            print(f"{epoch=:2d}  train loss {train_loss:.4f}  val acc {val_acc:.3f}")


train(cnn, torch.optim.AdamW(cnn.parameters(), lr=0.01), epochs=10)
# --8<-- [end:train]

# --8<-- [start:baseline]
def make_mlp():
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(64, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10),
    )


def errors(model, dataset):
    model.eval()
    x, y = dataset.tensors
    with torch.no_grad():
        return (model(x).argmax(dim=1) != y).sum().item()


# zh: 两种模型用同一个配方训练：AdamW，学习率 0.01，10 轮
# en: both models get the same recipe: AdamW, learning rate 0.01, 10 epochs
# zh: 种子决定初始权重和小批量的顺序
# en: the seed sets the initial weights and the order of the mini-batches
def trained(make, seed):
    torch.manual_seed(seed)
    model = make()
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.01)
    train(model, optimizer, epochs=10, seed=seed, log=False)
    return model


seeds = range(5)
mlps = [trained(make_mlp, seed) for seed in seeds]
# zh: 种子 0 的卷积网络就是上面训练好的 cnn
# en: the CNN of seed 0 is the cnn trained above
cnns = [cnn] + [trained(make_cnn, seed) for seed in seeds[1:]]
mlp = mlps[0]
mlp_params = sum(p.numel() for p in mlp.parameters())

mlp_errors = [errors(model, test_set) for model in mlps]
cnn_errors = [errors(model, test_set) for model in cnns]
print(f"params  MLP {mlp_params:,}  CNN {cnn_params:,}")
print(f"test errors / {len(test_set)}, seeds {list(seeds)}")
mlp_mean = sum(mlp_errors) / len(seeds)
cnn_mean = sum(cnn_errors) / len(seeds)
cnn_fewer = sum(c < m for c, m in zip(cnn_errors, mlp_errors))
print("MLP", mlp_errors, " mean", mlp_mean)
print("CNN", cnn_errors, " mean", cnn_mean)
# --8<-- [end:baseline]

# --8<-- [start:filters]
w = cnn[0].weight.detach()[:, 0].numpy()  # (16, 3, 3)
plot.cnn.filters(w)
plt.show()
# --8<-- [end:filters]

# --8<-- [start:feature-maps]
digit, label = test_set[4]
with torch.no_grad():
    maps = cnn[1](cnn[0](digit.unsqueeze(0)))[0]  # Conv2d + ReLU: (16, 8, 8)
plot.images([digit[0].numpy()] + list(maps.numpy()),
            labels=[f"y={label.item()}"] + list(range(16)), columns=9)
plt.show()
# --8<-- [end:feature-maps]

# --8<-- [start:ex1]
conv = nn.Conv2d(3, 8, kernel_size=5, stride=2, padding=1)
batch = torch.randn(4, 3, 32, 32)
print(tuple(conv(batch).shape), conv_out(32, 5, padding=1, stride=2))
print(sum(p.numel() for p in conv.parameters()), 8 * 3 * 5 * 5 + 8)
# --8<-- [end:ex1]

# --8<-- [start:ex2]
blur = torch.tensor([[1.0, 2.0, 1.0],
                     [2.0, 4.0, 2.0],
                     [1.0, 2.0, 1.0]]) / 16
hand = nn.Conv2d(1, 2, kernel_size=3, bias=False)
with torch.no_grad():
    hand.weight[0, 0] = blur
    hand.weight[1, 0] = kernel
    blurred, edges = hand(digit.unsqueeze(0))[0]
plot.images([digit[0].numpy(), blurred.numpy(), edges.numpy()],
            labels=["$x$", r"$B \star x$", r"$K \star x$"], columns=3, size=1.6)
plt.show()
# --8<-- [end:ex2]

# --8<-- [start:ex3]
def make_strided():
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1, stride=2),
        nn.ReLU(),
        nn.Conv2d(16, 32, kernel_size=3, padding=1, stride=2),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 10),
    )


h = torch.zeros(5, 1, 8, 8)
for layer in make_strided():
    h = layer(h)
    print(f"{type(layer).__name__:>10}  {tuple(h.shape)}")
strideds = [trained(make_strided, seed) for seed in seeds]
strided_params = sum(p.numel() for p in strideds[0].parameters())
print("params", strided_params)

# zh: 在验证集上比较，测试集留给最后的报告
# en: compare on the validation set; the test set stays for the final report
pool_val = [errors(model, val_set) for model in cnns]
stride_val = [errors(model, val_set) for model in strideds]
print(f"val errors / {len(val_set)}, seeds {list(seeds)}")
pool_mean = sum(pool_val) / len(seeds)
stride_mean = sum(stride_val) / len(seeds)
print("MaxPool2d", pool_val, " mean", pool_mean)
print("stride=2 ", stride_val, " mean", stride_mean)
# --8<-- [end:ex3]

# --8<-- [start:ex4]
# zh: 整体右移一个像素；空出的第一列填成空白像素标准化后的值
# en: shift right by one pixel; fill the empty first column with a blank pixel's value
x_test, y_test = test_set.tensors
background = x_test.min()
shifted = torch.roll(x_test, shifts=1, dims=3)
shifted[..., 0] = background
shifted_set = TensorDataset(shifted, y_test)


# zh: 5 个种子的平均准确率
# en: the mean accuracy over the 5 seeds
def mean_accuracy(models, data):
    wrong = sum(errors(model, data) for model in models)
    return 1 - wrong / (len(models) * len(data))


mlp_acc, mlp_shifted = mean_accuracy(mlps, test_set), mean_accuracy(mlps, shifted_set)
cnn_acc, cnn_shifted = mean_accuracy(cnns, test_set), mean_accuracy(cnns, shifted_set)
print(f"MLP: test acc {mlp_acc:.3f}  shifted {mlp_shifted:.3f}")
print(f"CNN: test acc {cnn_acc:.3f}  shifted {cnn_shifted:.3f}")
# --8<-- [end:ex4]
