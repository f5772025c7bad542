"""分布式训练与部署 / Distributed training and deployment: the code of docs/distributed-deploy.*.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page on its own with `python snippets/distributed-deploy.py`.
The two DDP ranks run snippets/ddp_worker.py in one new process each; every file goes
into a temporary folder that is deleted at the end.
"""
# --8<-- [start:imports]
import os
import socket
import tempfile
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
digits = load_digits()
x_all = torch.tensor(digits.data[:64] / 16, dtype=torch.float32)  # (64, 64)
y_all = torch.tensor(digits.target[:64])
model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
workdir = tempfile.TemporaryDirectory()
folder = Path(workdir.name)
torch.save({"model": model.state_dict(), "x": x_all, "y": y_all}, folder / "start.pt")
print(x_all.shape, y_all.shape)
# --8<-- [end:imports]

# --8<-- [start:launch]
import subprocess
import sys

import ddp_worker

# zh: 向操作系统要一个空闲端口，两个进程在 127.0.0.1 的这个端口上会合
# en: ask the OS for a free port; the two processes meet on it at 127.0.0.1
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
world_size = 2
# zh: 和 torchrun 一样：每个 rank 一个新的 Python 进程，环境变量告诉它自己是谁、在哪里会合
# en: as torchrun does: one fresh Python process per rank, told by environment variables
# en: who it is and where to meet
env = {**os.environ, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port),
       "WORLD_SIZE": str(world_size)}
ranks = [subprocess.Popen([sys.executable, ddp_worker.__file__, str(folder)],
                          env={**env, "RANK": str(rank)}) for rank in range(world_size)]
codes = [rank.wait(timeout=90) for rank in ranks]
assert codes == [0] * world_size, codes
results = [torch.load(folder / f"rank{r}.pt") for r in range(world_size)]
for r, res in enumerate(results):
    print(f"rank={r} rows={res['rows']} loss={res['loss']:.4f}")
# --8<-- [end:launch]

# --8<-- [start:compare]
# zh: 对照：一个进程、整批 64 个样本、同样的初始参数
# en: the reference: one process, the full batch of 64 samples, the same initial parameters
single = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
single.load_state_dict(torch.load(folder / "start.pt")["model"])
opt = torch.optim.SGD(single.parameters(), lr=0.1)
nn.functional.cross_entropy(single(x_all), y_all).backward()
grads_single = [p.grad.clone() for p in single.parameters()]
opt.step()
same_ranks = all(torch.equal(a, b) for a, b in
                 zip(results[0]["params"], results[1]["params"]))
grads_close = all(torch.allclose(g, s, atol=1e-6) for g, s in
                  zip(results[0]["grads"], grads_single))
params_close = all(torch.allclose(p, s, atol=1e-6) for p, s in
                   zip(results[0]["params"], single.parameters()))
max_diff = max((g - s).abs().max().item() for g, s in
               zip(results[0]["grads"], grads_single))
print(f"{same_ranks=} {grads_close=} {params_close=} {max_diff=:.2e}")
# --8<-- [end:compare]

# --8<-- [start:export]
model = single.eval()
example = (x_all[:8],)
exported = torch.export.export(model, example)
# zh: 只看计算图的前几行：每个节点是一个 ATen 运算
# en: only the first lines of the graph: each node is one ATen operation
for node in list(exported.graph.nodes)[:8]:
    print(node.op, node.target)
with torch.no_grad():
    same = torch.equal(exported.module()(x_all[:8]), model(x_all[:8]))
print(f"{same=}")
# --8<-- [end:export]

# --8<-- [start:onnx]
import logging
import warnings

import onnxruntime as ort

# zh: 关掉导出器的提示（缺少 torchvision 的警告等），让输出只剩结果
# en: silence the exporter's notices (torchvision missing etc.), so only the results print
logging.getLogger("torch.onnx").setLevel(logging.ERROR)
warnings.filterwarnings("ignore", category=FutureWarning)

onnx_path = folder / "digits.onnx"
program = torch.onnx.export(model, example, onnx_path, dynamo=True, verbose=False,
                            input_names=["x"], output_names=["logits"])
session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
ort_out = session.run(None, {"x": x_all[:8].numpy()})[0]
with torch.no_grad():
    torch_out = model(x_all[:8]).numpy()
onnx_diff = np.abs(ort_out - torch_out).max()
print(ort_out.shape, f"max_abs_diff={onnx_diff:.2e}")
print(f"{onnx_path.stat().st_size=}")
# --8<-- [end:onnx]

# --8<-- [start:ex1]
from torch.utils.data.distributed import DistributedSampler

data = torch.utils.data.TensorDataset(x_all, y_all)
for rank in range(2):
    sampler = DistributedSampler(data, num_replicas=2, rank=rank, shuffle=True, seed=0)
    sampler.set_epoch(0)
    print(f"{rank=}", list(sampler)[:8])
# --8<-- [end:ex1]

# --8<-- [start:ex2]
# zh: 每个进程用求和的损失，DDP 仍然求平均：结果是整批求和梯度的一半
# en: each rank sums its loss; DDP still averages: half the full-batch summed gradient
def grad_of(x, y, reduction):
    net = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    net.load_state_dict(torch.load(folder / "start.pt")["model"])
    nn.functional.cross_entropy(net(x), y, reduction=reduction).backward()
    return net[0].weight.grad


shards = [grad_of(x_all[r::2], y_all[r::2], "sum") for r in range(2)]
ddp_like = (shards[0] + shards[1]) / 2
full_sum = grad_of(x_all, y_all, "sum")
print(torch.allclose(ddp_like, full_sum / 2, atol=1e-5),
      torch.allclose(ddp_like, full_sum, atol=1e-5))
# --8<-- [end:ex2]

# --8<-- [start:ex3]
batch = torch.export.Dim("batch")
flexible = torch.export.export(model, example, dynamic_shapes=({0: batch},))
with torch.no_grad():
    out = flexible.module()(x_all[:5])
print(out.shape, torch.allclose(out, model(x_all[:5])))
try:
    exported.module()(x_all[:5])
except Exception as err:
    print(type(err).__name__)
workdir.cleanup()
# --8<-- [end:ex3]
