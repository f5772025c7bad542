"""性能：测量与加速 / Performance: measuring and speeding up: the code of docs/performance.zh.md and .en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page on its own with `python snippets/performance.py`.
Every timing depends on the machine and changes from run to run; printed timings end in µs, ms or s.
"""
# --8<-- [start:imports]
import os
import time

import torch
import torch.utils.benchmark as benchmark
from torch import nn
from torch.profiler import ProfilerActivity, profile

torch.manual_seed(0)
print("threads:", torch.get_num_threads())
# --8<-- [end:imports]


# --8<-- [start:benchmark]
# zh: 两种算两两平方距离的写法：广播相减，和展开成矩阵乘法
# en: two ways to compute pairwise squared distances: broadcasting, and a matmul
def dist_broadcast(a, b):
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(dim=2)


def dist_matmul(a, b):
    return (a * a).sum(1)[:, None] - 2 * a @ b.T + (b * b).sum(1)[None, :]


a, b = torch.randn(200, 64), torch.randn(300, 64)
gap = (dist_broadcast(a, b) - dist_matmul(a, b)).abs().max()
print("max abs difference:", f"{gap:.1e}")
medians = {}
for f in (dist_broadcast, dist_matmul):
    timer = benchmark.Timer(stmt="f(a, b)", globals={"f": f, "a": a, "b": b})
    # zh: blocked_autorange 自己决定每次测量重复几遍，总共至少测 min_run_time 秒
    # en: blocked_autorange picks the runs per measurement, for min_run_time s or more
    m = timer.blocked_autorange(min_run_time=0.3)
    medians[f.__name__] = m.median
    print(f"{f.__name__:<15} median {m.median * 1e6:8.1f} µs")
# --8<-- [end:benchmark]


# --8<-- [start:profiler]
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(512, 64), torch.randint(0, 10, (512,))


def train_step():
    loss = nn.functional.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


train_step()  # zh: 先热身一步 / en: one warm-up step first
# zh: 关掉剖析器底层库 Kineto 的日志（它往 stderr 写带时间戳的行）
# en: silence the log of Kineto, the profiler's library (timestamped lines on stderr)
os.environ["KINETO_LOG_LEVEL"] = "99"
with profile(activities=[ProfilerActivity.CPU]) as prof:
    for _ in range(5):
        train_step()
events = {e.key: e for e in prof.key_averages()}
# zh: 按自身 CPU 时间排序的前 5 个算子（顺序和时间随机器而变，所以不打印）
# en: the top 5 ops by self CPU time (order and times vary by machine: not printed)
top = sorted(events.values(), key=lambda e: e.self_cpu_time_total, reverse=True)[:5]
for name in ["aten::addmm", "aten::mm", "aten::relu", "aten::threshold_backward",
             "aten::_log_softmax", "aten::add_"]:
    e = events[name]
    self_ms = e.self_cpu_time_total / 1e3
    print(f"{name:<26} calls {e.count:3d}  self CPU {self_ms:7.3f} ms")
# --8<-- [end:profiler]


# --8<-- [start:profiler-table]
table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=5)
# zh: 表很宽；这里只看表头的列名
# en: the table is wide; here only its column names
print([c.strip() for c in table.splitlines()[1].split("  ") if c.strip()])
# --8<-- [end:profiler-table]


# --8<-- [start:inference-mode]
def time_forward(context, repeat=200):
    start = time.perf_counter()
    for _ in range(repeat):
        with context():
            model(x)
    return (time.perf_counter() - start) / repeat


time_forward(torch.no_grad), time_forward(torch.inference_mode)  # zh: 热身 / en: warm-up
t_no_grad, t_inference = time_forward(torch.no_grad), time_forward(torch.inference_mode)
print(f"no_grad        {t_no_grad * 1e6:8.1f} µs")
print(f"inference_mode {t_inference * 1e6:8.1f} µs")

with torch.inference_mode():
    h = model(x)
print("inference tensor:", h.is_inference(), "requires_grad:", h.requires_grad)
w = torch.ones(10, requires_grad=True)
try:
    (h * w).sum().backward()
except RuntimeError as err:
    print("RuntimeError:", str(err).split(".")[0])
with torch.no_grad():
    h2 = model(x)
(h2 * w).sum().backward()
print("no_grad tensor works:", w.grad.shape)
# --8<-- [end:inference-mode]


# --8<-- [start:compile]
torch.manual_seed(0)
mlp = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
xb = torch.randn(32, 64)
compiled = torch.compile(mlp)
start = time.perf_counter()
with torch.no_grad():
    out = compiled(xb)
first_call = time.perf_counter() - start
print(f"first compiled call: {first_call:.1f} s")
with torch.no_grad():
    print("same result:", torch.allclose(out, mlp(xb), atol=1e-6))
times = {}
for name, f in (("eager", mlp), ("compiled", compiled)):
    timer = benchmark.Timer(stmt="with torch.no_grad(): f(xb)",
                            globals={"f": f, "xb": xb, "torch": torch})
    times[name] = timer.blocked_autorange(min_run_time=0.3).median
    print(f"{name:<9} median {times[name] * 1e6:7.1f} µs")
# --8<-- [end:compile]


# --8<-- [start:graph-break]
def with_print(t):
    t = t * 2
    print("inside")  # zh: print 不能放进图里 / en: print cannot go into a graph
    return t.relu()


def with_branch(t):
    if t.sum() > 0:  # zh: 分支取决于数据 / en: the branch depends on the data
        return t.sin()
    return t.cos()


for f in (with_print, with_branch):
    explanation = torch._dynamo.explain(f)(torch.randn(8))
    print(f.__name__, "graphs:", explanation.graph_count,
          "graph breaks:", explanation.graph_break_count)
    print("  reason:", explanation.break_reasons[0].reason.splitlines()[0][:70])
# --8<-- [end:graph-break]


# --8<-- [start:autocast]
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
xa = torch.randn(32, 64)
with torch.autocast("cpu", dtype=torch.bfloat16):
    hidden = net[0](xa)
    act = net[1](hidden)
    out_bf16 = net[2](act)
    soft = out_bf16.softmax(dim=1)
print("linear:", hidden.dtype, "relu:", act.dtype, "softmax:", soft.dtype)
print("weights stay:", net[0].weight.dtype)
out_fp32 = net(xa)
diff = (out_bf16.float() - out_fp32).abs().max().item()
print(f"max abs difference: {diff:.4f}, output scale: {out_fp32.abs().max():.2f}")
# --8<-- [end:autocast]


# --8<-- [start:ex1]
ex1 = {}
def dist_cdist(a, b):
    return torch.cdist(a, b) ** 2


for name, f in (("cdist", dist_cdist), ("matmul", dist_matmul)):
    timer = benchmark.Timer(stmt="f(a, b)", globals={"f": f, "a": a, "b": b})
    m = timer.blocked_autorange(min_run_time=0.2)
    ex1[name] = m.median
    print(f"{name:<7} median {m.median * 1e6:8.1f} µs")
gap = (dist_cdist(a, b) - dist_matmul(a, b)).abs().max()
print("max abs difference:", f"{gap:.1e}")
# --8<-- [end:ex1]


# --8<-- [start:ex2]
with torch.inference_mode():
    h = model(x)
h_normal = h.clone()  # zh: 在推理模式之外复制 / en: copied outside inference mode
print("is_inference:", h.is_inference(), "->", h_normal.is_inference())
w = torch.ones(10, requires_grad=True)
(h_normal * w).sum().backward()
print("backward works:", w.grad.shape)
# --8<-- [end:ex2]


# --8<-- [start:ex3]
def without_branch(t):
    return torch.where(t.sum() > 0, t.sin(), t.cos())


explanation = torch._dynamo.explain(without_branch)(torch.randn(8))
print("graphs:", explanation.graph_count,
      "graph breaks:", explanation.graph_break_count)
t = torch.randn(8)
print("same as with_branch:", torch.equal(without_branch(t), with_branch(t)))
# --8<-- [end:ex3]
