"""One rank of the DDP example in docs/distributed-deploy.*.md (run as a script, one process per rank)."""
# --8<-- [start:worker]
import os
import sys

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP


def main(rank, world_size, folder):
    torch.set_num_threads(1)
    # zh: gloo 后端用于 CPU；init_method 默认是 env://（MASTER_ADDR、MASTER_PORT）
    # en: gloo works on CPUs; init_method defaults to env:// (MASTER_ADDR, MASTER_PORT)
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    start = torch.load(os.path.join(folder, "start.pt"))
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    model.load_state_dict(start["model"])
    ddp = DDP(model)
    optimizer = torch.optim.SGD(ddp.parameters(), lr=0.1)
    # zh: 每个进程只取自己的那一份：第 rank、rank + world_size……个样本
    # en: each process takes only its own shard: samples rank, rank + world_size, ...
    x = start["x"][rank::world_size]
    y = start["y"][rank::world_size]
    loss = nn.functional.cross_entropy(ddp(x), y)
    # zh: backward 里 DDP 把各进程的梯度求平均（all-reduce），每个进程得到同样的平均值
    # en: during backward DDP averages the gradients of all processes (all-reduce)
    loss.backward()
    grads = [p.grad.clone() for p in model.parameters()]
    optimizer.step()
    torch.save({"rows": len(x), "loss": loss.item(), "grads": grads,
                "params": [p.detach().clone() for p in model.parameters()]},
               os.path.join(folder, f"rank{rank}.pt"))
    dist.destroy_process_group()
# --8<-- [end:worker]


if __name__ == "__main__" and "RANK" in os.environ:  # torchrun --nproc-per-node=2 ...
    main(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), sys.argv[1])
