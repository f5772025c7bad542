"""设备：CPU 与 GPU / Devices: CPU and GPU: the code of docs/devices.zh.md and docs/devices.en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Every block picks its device at run time: `python snippets/devices.py` runs unchanged on a
CPU-only machine and on a CUDA machine.
"""
# --8<-- [start:setup]
import time

import torch
from torch import nn

torch.manual_seed(0)

# pick the device once, at the top / 只在开头选一次设备
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("torch.cuda.is_available():", torch.cuda.is_available())
print("CUDA devices:", torch.cuda.device_count())
print("This build ran on:", device)
if device.type == "cuda":
    print("GPU:", torch.cuda.get_device_name(0))
# --8<-- [end:setup]

# --8<-- [start:to-new-tensor]
x = torch.rand(3)
y = x.to(device)  # returns a tensor on `device`; x itself is untouched
print(y)
print(x.device, y.device)
print("y is x:", y is x)  # True only when no copy was needed

x.to(device)  # result thrown away: x does not move
print("x is still on:", x.device)

z = torch.rand(3)
z.to(torch.float64)  # same rule for dtypes: nothing happens to z
print(z.dtype)
z = z.to(torch.float64)  # assign the result
print(z.dtype)
# --8<-- [end:to-new-tensor]

# --8<-- [start:no-cuda-error]
gpu = torch.device("cuda")  # making the device object never fails
print(gpu)
try:
    on_gpu = x.to(gpu)  # this line needs a GPU
    print("moved:", on_gpu.device)
except (AssertionError, RuntimeError) as error:
    print(type(error).__name__ + ":", error)
# --8<-- [end:no-cuda-error]

# --8<-- [start:cpu-numpy]
t = torch.rand(3, device=device)  # create directly on the device
print(t.device)
print(t.cpu().device)  # .cpu() is .to("cpu"): also a new tensor
print(t.cpu().numpy())  # NumPy only sees CPU memory
if device.type == "cuda":
    try:
        t.numpy()
    except (TypeError, RuntimeError) as error:
        print(type(error).__name__ + ":", error)

w = torch.ones(2, device=device, requires_grad=True)
print((w * 2).detach().cpu().numpy())  # the safe chain for any tensor
# --8<-- [end:cpu-numpy]

# --8<-- [start:model-to]
model = nn.Linear(3, 1)
print("before:", next(model.parameters()).device)
returned = model.to(device)  # modules are moved in place
print("after:", next(model.parameters()).device)
print("returned is model:", returned is model)
# --8<-- [end:model-to]

# --8<-- [start:same-device]
inputs = torch.rand(2, 3)  # made on the CPU
if device.type == "cuda":
    try:
        model(inputs)  # model on the GPU, inputs on the CPU
    except RuntimeError as error:
        print("RuntimeError:", error)
else:
    print("Only the CPU here: model and inputs are always on the same device")

out = model(inputs.to(device))  # the fix: move the inputs too
print(out.shape, out.device)
# --8<-- [end:same-device]

# --8<-- [start:train]
torch.manual_seed(0)
# seeded data, made on the CPU so it is the same on every machine
X = torch.linspace(-1, 1, 256).unsqueeze(1)
Y = torch.sin(3 * X) + 0.1 * torch.randn(X.shape)
X, Y = X.to(device), Y.to(device)

net = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
net = net.to(device)
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)

for step in range(201):
    loss = loss_fn(net(X), Y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 50 == 0:
        print(f"step {step:3d}  loss {loss.item():.4f}")  # .item(): a Python float on the CPU
# --8<-- [end:train]

# --8<-- [start:underflow]
tiny = torch.tensor([1e-3, 1e-6, 1e-8])  # gradient-sized numbers
print("float16: ", tiny.to(torch.float16))  # 1e-8 becomes 0
scaled = (tiny * 65536).to(torch.float16)  # loss scaling: multiply first
print("scaled:  ", scaled)  # all three survive in float16
print("unscaled:", scaled.float() / 65536)  # divide back in float32
print("bfloat16:", tiny.to(torch.bfloat16))  # float32's exponent range
print("float16 min normal:", torch.finfo(torch.float16).tiny)
print("bfloat16 min normal:", torch.finfo(torch.bfloat16).tiny)
# --8<-- [end:underflow]

# --8<-- [start:amp]
amp_dtype = torch.float16 if device.type == "cuda" else torch.bfloat16
scaler = torch.amp.GradScaler(device.type, enabled=(device.type == "cuda"))
print("autocast dtype:", amp_dtype, "| scaler enabled:", scaler.is_enabled())

P = torch.rand(4, 4, device=device)
with torch.autocast(device_type=device.type, dtype=amp_dtype):
    print("matmul inside autocast: ", (P @ P).dtype)
print("matmul outside autocast:", (P @ P).dtype)

torch.manual_seed(0)
amp_net = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1)).to(device)
amp_optimizer = torch.optim.Adam(amp_net.parameters(), lr=0.01)

for step in range(5):
    with torch.autocast(device_type=device.type, dtype=amp_dtype):
        pred = amp_net(X)  # the matmuls run in the low-precision dtype
        loss = loss_fn(pred.float(), Y)  # compute the loss in float32
    amp_optimizer.zero_grad()
    scaler.scale(loss).backward()  # loss * scale (or just loss when disabled)
    scaler.step(amp_optimizer)  # unscales the gradients, skips the step on inf/NaN
    scaler.update()  # adjusts the scale for the next step
    if step == 0:
        print("Linear output inside autocast:", pred.dtype)
        print("parameters:", amp_net[0].weight.dtype, "| gradients:", amp_net[0].weight.grad.dtype)
    print(f"step {step}  loss {loss.item():.3f}")
print("scale now:", scaler.get_scale())
# --8<-- [end:amp]

# --8<-- [start:timing]
n = 1024
A = torch.randn(n, n)
B = torch.randn(n, n)
print("shapes:", tuple(A.shape), "@", tuple(B.shape), "->", tuple((A @ B).shape))
print(f"floating-point operations per matmul: 2 * n^3 = {2 * n**3:,}")


def best_time(fn, repeats=3):
    """Best wall-clock time of `fn` in seconds over a few runs."""
    fn()  # warm-up run
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


cpu_time = best_time(lambda: A @ B)

if torch.cuda.is_available():
    A_gpu, B_gpu = A.to(device), B.to(device)

    def gpu_matmul():
        A_gpu @ B_gpu
        torch.cuda.synchronize()  # wait until the GPU has really finished

    gpu_time = best_time(gpu_matmul)
    print("GPU faster than CPU:", gpu_time < cpu_time)
else:
    print("CUDA not available: CPU timing only")
# --8<-- [end:timing]

# --8<-- [start:habits]
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")  # 1. once, at the top

X_cpu = torch.linspace(-1, 1, 256).unsqueeze(1)
Y_cpu = 2 * X_cpu + 1 + 0.1 * torch.randn(X_cpu.shape)
loader = DataLoader(TensorDataset(X_cpu, Y_cpu), batch_size=64, shuffle=True, num_workers=0)

line = nn.Linear(1, 1).to(device)  # 2. the model, once
sgd = torch.optim.SGD(line.parameters(), lr=0.1)

for epoch in range(20):
    total = 0.0
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)  # 3. every batch
        loss = nn.functional.mse_loss(line(xb), yb)
        sgd.zero_grad()
        loss.backward()
        sgd.step()
        total += loss.item() * len(xb)  # 4. .item(): a plain float, back on the CPU
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d}  loss {total / len(X_cpu):.4f}")

w_fit = line.weight.detach().cpu().item()
b_fit = line.bias.detach().cpu().item()
print(f"w = {w_fit:.2f}, b = {b_fit:.2f}")  # true: w = 2, b = 1
# --8<-- [end:habits]
