"""手写数字的固定划分 / The fixed split of scikit-learn's 8x8 digits, shared by several pages.

docs/softmax-digits.*.md shows the `split` section below and explains it; later pages
(saving-loading, cnn-basics) import it: `from digits import load_digits_split`.
Run `python snippets/digits.py` to print the sizes of the three parts.
"""
# --8<-- [start:split]
import torch
from sklearn.datasets import load_digits
from torch.utils.data import TensorDataset, random_split


# zh: 返回 (训练集, 验证集, 测试集) 三个 TensorDataset：70% / 15% / 15%，已标准化
# en: returns (train, val, test) TensorDatasets: 70% / 15% / 15%, standardized
def load_digits_split(seed=0, flat=True):
    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32)  # (1797, 8, 8), 0..16
    x = x.unsqueeze(1)  # (1797, 1, 8, 8)
    y = torch.tensor(digits.target, dtype=torch.long)  # (1797,), 0..9
    # zh: 和“数据集与 DataLoader”一页相同的划分：同一个种子，同样的比例
    # en: the split of the Datasets and DataLoader page: same seed, same fractions
    generator = torch.Generator().manual_seed(seed)
    parts = random_split(range(len(y)), [0.7, 0.15, 0.15], generator=generator)
    train_idx, val_idx, test_idx = (torch.tensor(part.indices) for part in parts)
    # zh: 只用训练集的像素计算均值和标准差
    # en: mean and standard deviation of the training pixels only
    mean, std = x[train_idx].mean(), x[train_idx].std()
    x = (x - mean) / std
    if flat:
        x = x.flatten(start_dim=1)  # (1797, 64)
    return tuple(TensorDataset(x[i], y[i]) for i in (train_idx, val_idx, test_idx))
# --8<-- [end:split]


if __name__ == "__main__":
    for name, part in zip(("train", "val", "test"), load_digits_split()):
        print(name, len(part), tuple(part.tensors[0].shape))
