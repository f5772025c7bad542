"""综合项目 / Capstone: a complete training script, shown and run by docs/capstone.*.md.

A small MLP classifies wines into 3 cultivars from a CSV file (13 feature columns,
then an integer label; the page writes wine.csv from scikit-learn's load_wine). Copy
this file as a template for a new problem: change load_data and build_model.

    python snippets/capstone_template/train.py --help
    python snippets/capstone_template/train.py --data wine.csv --out runs/wine
    python snippets/capstone_template/train.py --data wine.csv --out runs/wine --resume
"""
# --8<-- [start:imports]
import argparse
import csv
import json
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:imports]


# --8<-- [start:config]
def parse_args(argv=None):
    # zh: 所有可调的设置都是命令行参数，带默认值；argv=None 时读 sys.argv
    # en: every setting is a command-line option with a default; argv=None: sys.argv
    parser = argparse.ArgumentParser(description="Train an MLP on load_wine.")
    parser.add_argument("--data", type=Path, default=Path("wine.csv"))
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--patience", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("runs/wine"))
    parser.add_argument("--log-every", type=int, default=1)
    parser.add_argument("--resume", action="store_true")
    return parser.parse_args(argv)
# --8<-- [end:config]


# --8<-- [start:data]
def load_data(path, seed):
    # zh: 每行是若干个特征，最后一列是类别编号；第一行是列名
    # en: each row holds the features, then the class index; the first row: column names
    with path.open(newline="") as f:
        rows = list(csv.reader(f))[1:]
    x = torch.tensor([[float(v) for v in row[:-1]] for row in rows])
    y = torch.tensor([int(row[-1]) for row in rows])
    # zh: 划分只由 seed 决定（用自己的生成器），不受训练中随机数的影响
    # en: the split depends on the seed alone (a generator of its own), not on training
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    n = len(y) // 5
    index = {"test": order[:n], "val": order[n:2 * n], "train": order[2 * n:]}
    # zh: 标准化用的均值和标准差只在训练集上计算，验证集和测试集沿用
    # en: the mean and std of the standardization come from the training set alone
    mean, std = x[index["train"]].mean(0), x[index["train"]].std(0)
    x = (x - mean) / std
    splits = {name: (x[i], y[i]) for name, i in index.items()}
    return splits, {"mean": mean, "std": std}
# --8<-- [end:data]


# --8<-- [start:model]
def build_model(n_features, n_classes, hidden, dropout):
    return nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(hidden, n_classes))


@torch.no_grad()
def evaluate(model, x, y):
    model.eval()
    logits = model(x)
    loss = F.cross_entropy(logits, y).item()
    accuracy = (logits.argmax(1) == y).float().mean().item()
    return loss, accuracy


def train_epoch(model, optimizer, x, y, batch_size):
    model.train()
    # zh: 每轮重新打乱；用的是全局随机数，所以检查点要存它的状态
    # en: reshuffled every epoch with the global RNG, so the checkpoint keeps its state
    order = torch.randperm(len(y))
    total = 0.0
    for start in range(0, len(y), batch_size):
        batch = order[start:start + batch_size]
        loss = F.cross_entropy(model(x[batch]), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch)
    return total / len(y)
# --8<-- [end:model]


# --8<-- [start:checkpoint]
def save(path, state):
    # zh: 先写临时文件再改名：保存到一半被打断，也不会留下坏掉的检查点
    # en: write a temporary file, then rename: a save cut short leaves no broken file
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)


def checkpoint(model, optimizer, scheduler, epoch, best_loss, bad_epochs):
    return {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(), "epoch": epoch, "best_loss": best_loss,
            "bad_epochs": bad_epochs, "rng": torch.get_rng_state()}
# --8<-- [end:checkpoint]


# --8<-- [start:loop]
def fit(args, model, optimizer, scheduler, splits, norm, epoch, best_loss, bad_epochs):
    x_train, y_train = splits["train"]
    while epoch < args.epochs and bad_epochs < args.patience:
        epoch += 1
        train_loss = train_epoch(model, optimizer, x_train, y_train, args.batch_size)
        lr = scheduler.get_last_lr()[0]
        scheduler.step()
        val_loss, val_acc = evaluate(model, *splits["val"])
        if val_loss < best_loss:
            best_loss, bad_epochs = val_loss, 0
            # zh: 最好的模型连同预测时要用的标准化参数和配置一起存
            # en: the best model, with the normalization and config prediction needs
            config = {k: str(v) if isinstance(v, Path) else v
                      for k, v in vars(args).items()}
            save(args.out / "best.pt", {"model": model.state_dict(), "epoch": epoch,
                                        "val_loss": val_loss, "norm": norm,
                                        "config": config})
        else:
            bad_epochs += 1
        state = checkpoint(model, optimizer, scheduler, epoch, best_loss, bad_epochs)
        save(args.out / "last.pt", state)
        if epoch % args.log_every == 0 or bad_epochs == args.patience:
            print(f"{epoch=:3d} {lr=:.4f} {train_loss=:.4f} {val_loss=:.4f}",
                  f"{val_acc=:.3f}")
    if bad_epochs >= args.patience:
        print(f"early stop: no better val_loss for {args.patience} epochs")
    return epoch
# --8<-- [end:loop]


# --8<-- [start:report]
def test_report(args, model, splits, epochs_run):
    # zh: 训练结束后，在最好的检查点上用测试集评估一次
    # en: once training is over, the test set is evaluated once, on the best checkpoint
    best = torch.load(args.out / "best.pt", weights_only=True)
    model.load_state_dict(best["model"])
    test_loss, test_acc = evaluate(model, *splits["test"])
    report = {"epochs_run": epochs_run, "best_epoch": best["epoch"],
              "val_loss": best["val_loss"], "test_loss": test_loss,
              "test_acc": test_acc}
    (args.out / "report.json").write_text(json.dumps(report, indent=1))
    print("report", json.dumps(report))
    return report
# --8<-- [end:report]


# --8<-- [start:main]
def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    splits, norm = load_data(args.data, args.seed)
    x_train, y_train = splits["train"]
    n_classes = int(y_train.max()) + 1
    model = build_model(x_train.shape[1], n_classes, args.hidden, args.dropout)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr,
                                  weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.5)
    epoch, best_loss, bad_epochs = 0, float("inf"), 0
    if args.resume:
        # zh: 先建好所有对象，再把状态装回去；随机数状态最后恢复
        # en: build every object first, then load the states; the RNG state last
        state = torch.load(args.out / "last.pt", weights_only=True)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        epoch, best_loss = state["epoch"], state["best_loss"]
        bad_epochs = state["bad_epochs"]
        torch.set_rng_state(state["rng"])
        print(f"resume {epoch=} {best_loss=:.4f} {bad_epochs=}")
    epoch = fit(args, model, optimizer, scheduler, splits, norm,
                epoch, best_loss, bad_epochs)
    return test_report(args, model, splits, epoch)
# --8<-- [end:main]


if __name__ == "__main__":
    main()
