"""卷积神经网络基础 / CNN basics: the code of docs/cnn-basics.zh.md and docs/cnn-basics.en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page, exercises included, with `python snippets/cnn-basics.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader

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
torch.manual_seed(0)
cnn = nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(16, 32, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(32 * 2 * 2, 10),
)

h = torch.zeros(5, 1, 8, 8)  # (N, C, H, W)
print(f"{'input':>10}  {tuple(h.shape)}")
for layer in cnn:
    h = layer(h)
    n = sum(p.numel() for p in layer.parameters())
    print(f"{type(layer).__name__:>10}  {str(tuple(h.shape)):16} params {n}")
print("total params", sum(p.numel() for p in cnn.parameters()))
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


def train(model, optimizer, epochs, log=True):
    loader = DataLoader(train_set, batch_size=64, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
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
torch.manual_seed(0)
mlp = nn.Sequential(
    nn.Flatten(),
    nn.Linear(64, 128), nn.ReLU(),
    nn.Linear(128, 64), nn.ReLU(),
    nn.Linear(64, 10),
)
train(mlp, torch.optim.SGD(mlp.parameters(), lr=0.05, momentum=0.9), epochs=20,
      log=False)

x_test, y_test = test_set.tensors
for name, model in [("MLP", mlp), ("CNN", cnn)]:
    model.eval()
    with torch.no_grad():
        errors = (model(x_test).argmax(dim=1) != y_test).sum().item()
    params = sum(p.numel() for p in model.parameters())
    print(f"{name}: params {params:6,}  test acc {accuracy(model, test_set):.3f}"
          f"  errors {errors} / {len(y_test)}")
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
            labels=["x", "blurred", "edges"], columns=3, size=1.6)
plt.show()
# --8<-- [end:ex2]

# --8<-- [start:ex3]
torch.manual_seed(0)
strided = nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=3, padding=1, stride=2),
    nn.ReLU(),
    nn.Conv2d(16, 32, kernel_size=3, padding=1, stride=2),
    nn.ReLU(),
    nn.Flatten(),
    nn.Linear(32 * 2 * 2, 10),
)
h = torch.zeros(5, 1, 8, 8)
for layer in strided:
    h = layer(h)
    print(f"{type(layer).__name__:>10}  {tuple(h.shape)}")
train(strided, torch.optim.AdamW(strided.parameters(), lr=0.01), epochs=10, log=False)
params = sum(p.numel() for p in strided.parameters())
print(f"params {params:,}  test acc {accuracy(strided, test_set):.3f}")
# --8<-- [end:ex3]

# --8<-- [start:ex4]
# zh: 整体右移一个像素；空出的第一列填成空白像素标准化后的值
# en: shift right by one pixel; fill the empty first column with a blank pixel's value
background = x_test.min()
shifted = torch.roll(x_test, shifts=1, dims=3)
shifted[..., 0] = background
for name, model in [("MLP", mlp), ("CNN", cnn)]:
    model.eval()
    with torch.no_grad():
        acc = (model(shifted).argmax(dim=1) == y_test).float().mean().item()
    print(f"{name}: test acc {accuracy(model, test_set):.3f}  shifted {acc:.3f}")
# --8<-- [end:ex4]
