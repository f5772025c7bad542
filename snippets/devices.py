"""设备：CPU 与 GPU / Devices: CPU and GPU: the code of docs/devices.zh.md and .en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Every block picks its device at run time: `python snippets/devices.py` runs unchanged
on a CPU-only machine and on a machine with an accelerator (CUDA, MPS, ...).
"""
# --8<-- [start:setup]
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

# zh: 只在开头选一次设备：有加速器就用它，否则用 CPU
# en: pick the device once, at the top: the accelerator if there is one, else the CPU
if torch.accelerator.is_available():
    device = torch.accelerator.current_accelerator()
else:
    device = torch.device("cpu")
print(f"{torch.accelerator.is_available()=}")
print(f"{torch.cuda.is_available()=}  {torch.backends.mps.is_available()=}")
print(f"{device=}")
if device.type == "cuda":
    print(torch.cuda.get_device_name(0))
# --8<-- [end:setup]

# --8<-- [start:to-new-tensor]
x = torch.rand(3)
# zh: 返回一个在 device 上的张量；x 本身不变
# en: returns a tensor on `device`; x itself is untouched
y = x.to(device)
print(y)
print(x.device, y.device)
# zh: 只有不需要复制时才是 True
# en: True only when no copy was needed
print(f"{y is x=}")

# zh: 结果被丢掉了：x 没有移动
# en: the result is thrown away: x does not move
x.to(device)
print(x.device)

z = torch.rand(3)
# zh: 换 dtype 也是同样的规则：z 不变
# en: the same rule for dtypes: nothing happens to z
z.to(torch.float64)
print(z.dtype)
# zh: 接住返回值
# en: keep the result
z = z.to(torch.float64)
print(z.dtype)
# --8<-- [end:to-new-tensor]

# --8<-- [start:no-cuda-error]
# zh: 创建设备对象本身永远不会出错
# en: making the device object never fails
gpu = torch.device("cuda")
print(gpu)
try:
    # zh: 这一行需要一块 CUDA GPU
    # en: this line needs a CUDA GPU
    on_gpu = x.to(gpu)
    print(on_gpu.device)
except (AssertionError, RuntimeError) as error:
    print(type(error).__name__ + ":", error)
# --8<-- [end:no-cuda-error]

# --8<-- [start:cpu-numpy]
# zh: 直接在设备上创建
# en: create directly on the device
t = torch.rand(3, device=device)
print(t.device)
# zh: .cpu() 就是 .to("cpu")：同样返回新张量
# en: .cpu() is .to("cpu"): also a new tensor
print(t.cpu().device)
# zh: NumPy 只能访问主机内存
# en: NumPy only sees host memory
print(t.cpu().numpy())
if device.type != "cpu":
    try:
        t.numpy()
    except (TypeError, RuntimeError) as error:
        print(type(error).__name__ + ":", error)

w = torch.ones(2, device=device, requires_grad=True)
# zh: 对任何张量都稳妥的写法
# en: the safe chain for any tensor
print((w * 2).detach().cpu().numpy())
# --8<-- [end:cpu-numpy]

# --8<-- [start:model-to]
model = nn.Linear(3, 1)
print(next(model.parameters()).device)
# zh: 模块是原地移动的
# en: modules are moved in place
returned = model.to(device)
print(next(model.parameters()).device)
print(f"{returned is model=}")
# --8<-- [end:model-to]

# --8<-- [start:same-device]
# zh: 在 CPU 上创建
# en: made on the CPU
inputs = torch.rand(2, 3)
print(next(model.parameters()).device, inputs.device)
if device.type != "cpu":
    try:
        # zh: 模型在加速器上，输入在 CPU 上
        # en: the model on the accelerator, the inputs on the CPU
        model(inputs)
    except RuntimeError as error:
        print("RuntimeError:", error)

# zh: 修正：把输入也搬过去
# en: the fix: move the inputs too
out = model(inputs.to(device))
print(out.shape, out.device)
# --8<-- [end:same-device]

# --8<-- [start:train]
torch.manual_seed(0)
# zh: 数据在 CPU 上按种子生成，每台机器上都一样
# en: seeded data, made on the CPU, so it is the same on every machine
X = torch.linspace(-1, 1, 256).unsqueeze(1)
Y = torch.sin(3 * X) + 0.1 * torch.randn(X.shape)
X, Y = X.to(device), Y.to(device)

net = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(),
                    nn.Linear(32, 1))
net = net.to(device)
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)

net.train()
for step in range(201):
    loss = loss_fn(net(X), Y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 50 == 0:
        # zh: .item() 得到 CPU 上的一个 Python 浮点数
        # en: .item() gives a Python float, on the CPU
        print(f"{step=:3d}  loss={loss.item():.4f}")
# --8<-- [end:train]

# --8<-- [start:underflow]
# zh: 梯度大小的数
# en: gradient-sized numbers
tiny = torch.tensor([1e-3, 1e-6, 1e-8, 3e-8, 2.9e-8])
print(f"{torch.finfo(torch.float16).smallest_normal=}")
print(f"{2**-24=}")
print(tiny.to(torch.float16))
# zh: 损失缩放：先乘再转 float16，五个数都保住了
# en: loss scaling: multiply first, then all five survive in float16
scaled = (tiny * 65536).to(torch.float16)
print(scaled)
# zh: 在 float32 里除回去
# en: divide back in float32
print(scaled.float() / 65536)
# zh: bfloat16 有 float32 的指数范围
# en: bfloat16 has float32's exponent range
print(tiny.to(torch.bfloat16))
# --8<-- [end:underflow]

# --8<-- [start:amp]
use_cuda = device.type == "cuda"
amp_dtype = torch.float16 if use_cuda else torch.bfloat16
scaler = torch.amp.GradScaler(device.type, enabled=use_cuda)
print(f"{amp_dtype=}  {scaler.is_enabled()=}")

P = torch.rand(4, 4, device=device)
with torch.autocast(device_type=device.type, dtype=amp_dtype):
    print((P @ P).dtype)
print((P @ P).dtype)

torch.manual_seed(0)
amp_net = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1)).to(device)
amp_optimizer = torch.optim.Adam(amp_net.parameters(), lr=0.01)

amp_net.train()
for step in range(5):
    with torch.autocast(device_type=device.type, dtype=amp_dtype):
        # zh: 矩阵乘法用低精度计算
        # en: the matmuls run in the low-precision dtype
        pred = amp_net(X)
        # zh: 损失在 float32 里计算
        # en: compute the loss in float32
        loss = loss_fn(pred.float(), Y)
    amp_optimizer.zero_grad()
    # zh: loss * scale（关闭时就是 loss）
    # en: loss * scale (just loss when disabled)
    scaler.scale(loss).backward()
    # zh: 先把梯度除以 scale，遇到 inf/NaN 就跳过这一步
    # en: unscales the gradients, skips the step on inf/NaN
    scaler.step(amp_optimizer)
    # zh: 调整下一步的 scale
    # en: adjusts the scale for the next step
    scaler.update()
    if step == 0:
        print(f"{pred.dtype=}")
        print(f"{amp_net[0].weight.dtype=}  {amp_net[0].weight.grad.dtype=}")
    print(f"{step=}  loss={loss.item():.3f}")
print(f"{scaler.get_scale()=}")
# --8<-- [end:amp]

# --8<-- [start:timing]
n = 1024
A = torch.randn(n, n)
B = torch.randn(n, n)
flop = 2 * n**3
print(tuple(A.shape), "@", tuple(B.shape), "->", tuple((A @ B).shape))
print(f"{flop=:,}")


def best_time(fn, repeats=3):
    # zh: 运行几次，取最短的墙钟时间（秒）
    # en: the best wall-clock time of `fn` over a few runs, in seconds
    # zh: 热身一次，不计时
    # en: one warm-up run, not timed
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


cpu_time = best_time(lambda: A @ B)
print(f"{torch.get_num_threads()=}")
print(f"cpu: {cpu_time * 1e3:.1f} ms  {flop / cpu_time / 1e9:.0f} GFLOP/s")

if device.type != "cpu":
    A_dev, B_dev = A.to(device), B.to(device)

    def device_matmul():
        A_dev @ B_dev
        # zh: 等加速器真正算完
        # en: wait until the accelerator has really finished
        torch.accelerator.synchronize()

    dev_time = best_time(device_matmul)
    print(f"{device.type}: {dev_time * 1e3:.2f} ms  "
          f"{flop / dev_time / 1e9:.0f} GFLOP/s")
# --8<-- [end:timing]

# --8<-- [start:precision]
reference = A.double() @ B.double()


# zh: 相对误差，以 float64 的结果为准
# en: the relative error, against the float64 result
def matmul_error(C):
    return ((C.cpu().double() - reference).abs().max() / reference.abs().max()).item()


A_on, B_on = A.to(device), B.to(device)


def matmul_on_device():
    C = A_on @ B_on
    if device.type != "cpu":
        torch.accelerator.synchronize()
    return C


print(f"{torch.get_float32_matmul_precision()=}")
errors = {}
for precision in ("highest", "high"):
    torch.set_float32_matmul_precision(precision)
    seconds = best_time(matmul_on_device)
    errors[precision] = matmul_error(matmul_on_device())
    print(f"{device.type} {precision:>7}: {seconds * 1e3:.1f} ms  "
          f"error {errors[precision]:.1e}")
# zh: 这个设置对整个进程有效：用完改回默认值
# en: the setting holds for the whole process: back to the default
torch.set_float32_matmul_precision("highest")
error_highest, error_high = errors["highest"], errors["high"]
# --8<-- [end:precision]

# --8<-- [start:habits]
torch.manual_seed(0)
# zh: 1. 只在开头选一次设备
# en: 1. pick the device once, at the top
if torch.accelerator.is_available():
    device = torch.accelerator.current_accelerator()
else:
    device = torch.device("cpu")

X_cpu = torch.linspace(-1, 1, 256).unsqueeze(1)
Y_cpu = 2 * X_cpu + 1 + 0.1 * torch.randn(X_cpu.shape)
loader = DataLoader(TensorDataset(X_cpu, Y_cpu), batch_size=64, shuffle=True,
                    generator=torch.Generator().manual_seed(0))

# zh: 2. 模型只搬一次
# en: 2. move the model once
line = nn.Linear(1, 1).to(device)
sgd = torch.optim.SGD(line.parameters(), lr=0.1)

line.train()
for epoch in range(20):
    total = 0.0
    for xb, yb in loader:
        # zh: 3. 每一批都要搬，并接住返回值
        # en: 3. move every batch, and keep the result
        xb, yb = xb.to(device), yb.to(device)
        loss = nn.functional.mse_loss(line(xb), yb)
        sgd.zero_grad()
        loss.backward()
        sgd.step()
        # zh: 4. .item()：回到 CPU 上的普通浮点数
        # en: 4. .item(): a plain float, back on the CPU
        total += loss.item() * len(xb)
    if epoch % 5 == 4:
        print(f"epoch={epoch + 1:2d}  loss={total / len(X_cpu):.4f}")

w_fit = line.weight.detach().cpu().item()
b_fit = line.bias.detach().cpu().item()
print(f"{w_fit=:.2f}  {b_fit=:.2f}")
# --8<-- [end:habits]

# --8<-- [start:pin-memory-warning]
import warnings

# zh: 照抄 GPU 教程里的 pin_memory=True，在没有加速器的机器上
# en: pin_memory=True copied from a GPU tutorial, on a machine without an accelerator
pinned = DataLoader(TensorDataset(X_cpu, Y_cpu), batch_size=64, pin_memory=True)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    xb, yb = next(iter(pinned))
for warning in caught:
    print(f"{warning.category.__name__}: {warning.message}")
print(f"{xb.is_pinned()=}")
# --8<-- [end:pin-memory-warning]

# --8<-- [start:pin-memory]
# zh: 只在有 CUDA GPU 时才用锁页内存
# en: pinned memory only when there is a CUDA GPU
use_pinned = device.type == "cuda"
batches = DataLoader(TensorDataset(X_cpu, Y_cpu), batch_size=64, shuffle=True,
                     pin_memory=use_pinned, generator=torch.Generator().manual_seed(0))
xb, yb = next(iter(batches))
print(f"{use_pinned=}  {xb.is_pinned()=}")

# zh: 源在锁页内存里，这次复制就不让 CPU 等待
# en: from pinned memory, this copy does not keep the CPU waiting
xb = xb.to(device, non_blocking=True)
yb = yb.to(device, non_blocking=True)
pred = line(xb)

# zh: 反方向（GPU 到 CPU）也用 non_blocking 时，读结果之前要先同步
# en: non_blocking the other way (GPU to CPU): synchronize before reading
pred_cpu = pred.detach().to("cpu", non_blocking=True)
if device.type != "cpu":
    torch.accelerator.synchronize()
print(pred_cpu[:3, 0])
# --8<-- [end:pin-memory]

# --8<-- [start:ex1]
a = torch.zeros(2)
a.to(device)
layer = nn.Linear(2, 2)
layer.to(device)
print(a.device, next(layer.parameters()).device)
# --8<-- [end:ex1]

# --8<-- [start:ex2]
for size in (256, 512, 1024):
    M = torch.randn(size, size)
    seconds = best_time(lambda: M @ M)
    gflops = 2 * size**3 / seconds / 1e9
    print(f"n={size:4d}  {seconds * 1e3:7.2f} ms  {gflops:5.0f} GFLOP/s")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
line.train()
for epoch in range(5):
    # zh: 在设备上累加，一轮只同步一次
    # en: accumulate on the device; synchronize once per epoch
    total = torch.zeros((), device=device)
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        loss = nn.functional.mse_loss(line(xb), yb)
        sgd.zero_grad()
        loss.backward()
        sgd.step()
        total += loss.detach() * len(xb)
    print(f"{epoch=}  loss={total.item() / len(X_cpu):.4f}")
# --8<-- [end:ex3]
