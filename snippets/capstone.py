"""综合项目 / Capstone: the page code of docs/capstone.zh.md and .en.md; the
training script it runs is snippets/capstone_template/train.py (shown on the page too).

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page on its own with `python snippets/capstone.py`.
"""
# --8<-- [start:setup]
import csv
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
from sklearn.datasets import load_wine

# zh: 脚本是 snippets/capstone_template/train.py；导入它不会开始训练
# en: the script is snippets/capstone_template/train.py; importing it starts no training
from capstone_template import train as template

script = Path(template.__file__)
# zh: 所有文件都写进一个临时文件夹
# en: every file goes into a temporary folder
work = Path(tempfile.mkdtemp())
wine = load_wine()
data = work / "wine.csv"
with data.open("w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow([*wine.feature_names, "target"])
    for row, target in zip(wine.data, wine.target):
        writer.writerow([*map(float, row), int(target)])
print(wine.data.shape, [int((wine.target == c).sum()) for c in range(3)])
print(data.read_text().splitlines()[1])


def train(*options):
    # zh: 用当前的 Python 解释器在子进程里运行脚本，打印它的输出
    # en: run the script in a child process with this Python, print its output
    command = [sys.executable, str(script), "--data", str(data), *options]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    print(result.stdout, end="")
    return json.loads(result.stdout.splitlines()[-1].removeprefix("report "))
# --8<-- [end:setup]

# --8<-- [start:full-run]
full = train("--out", str(work / "full"), "--log-every", "10")
# --8<-- [end:full-run]

# --8<-- [start:resume]
# zh: 只训练 15 轮就停下，当作被打断的训练
# en: stop after 15 epochs, as if the run had been interrupted
part = train("--out", str(work / "resumed"), "--epochs", "15", "--log-every", "5")
print()
# zh: 从 last.pt 接着训练，其余设置和完整的一次相同
# en: continue from last.pt, every other setting as in the full run
resumed = train("--out", str(work / "resumed"), "--resume", "--log-every", "10")
print(f"{resumed == full=}")
same_weights = all(torch.equal(a, b) for a, b in zip(
    torch.load(work / "full/best.pt", weights_only=True)["model"].values(),
    torch.load(work / "resumed/best.pt", weights_only=True)["model"].values()))
print(f"{same_weights=}")
# --8<-- [end:resume]

# --8<-- [start:ex1]
state = torch.load(work / "resumed/last.pt", weights_only=True)
for key, value in state.items():
    kind = type(value).__name__
    print(f"{key:10} {kind:6}", list(value) if isinstance(value, dict) else "")
print(state["epoch"], state["bad_epochs"], state["scheduler"]["last_epoch"],
      state["optimizer"]["param_groups"][0]["lr"], state["rng"].shape)
# --8<-- [end:ex1]

# --8<-- [start:ex2]
best = torch.load(work / "full/best.pt", weights_only=True)
config = best["config"]
model = template.build_model(13, 3, config["hidden"], config["dropout"])
model.load_state_dict(best["model"])
model.eval()
# zh: 新数据要用训练集的均值和标准差标准化，它们存在检查点里
# en: new data is standardized with the training set's mean and std from the checkpoint
raw = torch.tensor(wine.data[::30], dtype=torch.float32)
x = (raw - best["norm"]["mean"]) / best["norm"]["std"]
with torch.no_grad():
    print(model(x).argmax(1).tolist(), wine.target[::30].tolist())
# --8<-- [end:ex2]

# --8<-- [start:ex3]
seeds = range(5)
reports = [template.main(["--data", str(data), "--out", str(work / f"seed{s}"),
                       "--seed", str(s), "--log-every", "1000"]) for s in seeds]
test_acc = [r["test_acc"] for r in reports]
print([round(a, 3) for a in test_acc])
print(f"{statistics.mean(test_acc)=:.3f} {statistics.stdev(test_acc)=:.3f}")
# --8<-- [end:ex3]
