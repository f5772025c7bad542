"""交叉熵 / Cross-entropy: the code of docs/cross-entropy.zh.md and docs/cross-entropy.en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page,
in page order. Run the whole page on its own with `python snippets/cross-entropy.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

import plot

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:softmax]
# zh: 原始分数（logits）：N = 3 个样本，C = 2 个类别
# en: raw scores (logits): N = 3 samples, C = 2 classes
scores = torch.tensor([[-1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])
# zh: 对每一行的各个类别做 softmax
# en: softmax over the classes of each row
probs = torch.softmax(scores, dim=1)
print(probs)
print(probs.sum(dim=1))
# --8<-- [end:softmax]


# --8<-- [start:definition]
def cross_entropy(q, p):
    # H(q, p) = -sum_k q_k log p_k
    return -(q * torch.log(p)).sum()


# zh: 真实分布 q，以及三个候选的预测分布 p
# en: a true distribution q and three candidate predictions p
q = torch.tensor([0.7, 0.2, 0.1])
for p in ([0.7, 0.2, 0.1], [0.5, 0.3, 0.2], [1 / 3, 1 / 3, 1 / 3]):
    h = cross_entropy(q, torch.tensor(p))
    print(f"p={[round(v, 2) for v in p]}  H(q, p)={h:.4f}")

# zh: q 是独热向量时，H(q, p) 只剩正确类别那一项
# en: with a one-hot q, only the term of the right class is left
one_hot = torch.tensor([0.0, 1.0])
print(cross_entropy(one_hot, probs[0]), -torch.log(probs[0, 1]))
# --8<-- [end:definition]

# --8<-- [start:ce-loss]
# zh: 类别编号：int64，形状 (N,)
# en: class indices: int64, shape (N,)
target = torch.tensor([1, 1, 0])
# zh: 默认 reduction="mean"
# en: reduction="mean" by default
loss_fn = nn.CrossEntropyLoss()
loss = loss_fn(scores, target)
print(loss)

# zh: 按公式逐个样本计算：-log p_y
# en: the formula, sample by sample: -log p_y
per_sample = -torch.log(probs[torch.arange(3), target])
print(per_sample)
print(per_sample.mean())
print(nn.CrossEntropyLoss(reduction="none")(scores, target))
# --8<-- [end:ce-loss]

# --8<-- [start:target-shape]
# zh: 错误：类别编号存成了一列，形状 (N, 1)
# en: wrong: the class indices stored as a column, shape (N, 1)
column = target.view(-1, 1)
print(column.shape)
try:
    loss_fn(scores, column)
except RuntimeError as e:
    print("RuntimeError:", str(e).splitlines()[0])
# zh: 修正：squeeze(1) 去掉长度为 1 的第 1 维，回到 (N,)
# en: the fix: squeeze(1) drops dimension 1, of length 1, back to (N,)
print(column.squeeze(1).shape, loss_fn(scores, column.squeeze(1)))
# --8<-- [end:target-shape]

# --8<-- [start:likelihood]
# zh: 模型给每个样本的正确标签的概率，及其乘积（似然）
# en: the probability the model gives each sample's label, and their product
p_labels = probs[torch.arange(3), target]
likelihood = p_labels.prod()
print(p_labels, likelihood)
print(-torch.log(likelihood) / 3, loss)
# --8<-- [end:likelihood]

# --8<-- [start:why-not-mse]
# zh: 一个样本，标签 y = 1，logit z 从“错得很有把握”到“对”
# en: one sample with label y = 1, logits z from confidently wrong to right
z_values = [-10.0, -5.0, -2.0, 0.0, 2.0]
for z0 in z_values:
    z = torch.tensor(z0, requires_grad=True)
    mse = (torch.sigmoid(z) - 1.0) ** 2
    mse.backward()
    grad_mse = z.grad.item()
    z = torch.tensor(z0, requires_grad=True)
    bce = F.binary_cross_entropy_with_logits(z, torch.tensor(1.0))
    bce.backward()
    grad_bce = z.grad.item()
    print(f"z={z0:5.1f}  mse={mse.item():.4f}  dmse/dz={grad_mse:+.2e}  "
          f"bce={bce.item():7.4f}  dbce/dz={grad_bce:+.4f}")

# zh: softmax 也一样：3 个类别，正确的是类别 2，模型却很有把握地选了类别 0
# en: the same with softmax: 3 classes, the right one is 2, the model is sure of 0
logits = torch.tensor([[8.0, 0.0, 0.0]], requires_grad=True)
label = torch.tensor([2])
mse = ((torch.softmax(logits, dim=1) - F.one_hot(label, 3)) ** 2).sum()
mse.backward()
mse_grad = logits.grad
logits.grad = None
F.cross_entropy(logits, label).backward()
ce_grad = logits.grad
print(f"{mse_grad=}")
print(f"{ce_grad=}")
# --8<-- [end:why-not-mse]

# --8<-- [start:why-not-mse-plot]
z = torch.linspace(-10, 4, 200, requires_grad=True)
s = torch.sigmoid(z)
# zh: 两个损失对 z 的导数的绝对值（y = 1）
# en: absolute derivatives of both losses with respect to z (y = 1)
grad_mse = (2 * (s - 1) * s * (1 - s)).abs().detach()
grad_bce = (s - 1).abs().detach()
plot.curves(z.detach(), {r"MSE: $|2(\sigma - 1)\sigma(1 - \sigma)|$": grad_mse,
                         r"BCE: $|\sigma - 1|$": grad_bce},
            xlabel="$z$", ylabel=r"$|\partial \ell / \partial z|$", logy=True)
plt.show()
# --8<-- [end:why-not-mse-plot]

# --8<-- [start:variants]
# zh: 间隔 m = z_正确 - z_错误；三个样本都用同一个间隔，目标仍是 [1, 1, 0]
# en: margin m = z_correct - z_wrong, the same for all three samples; target [1, 1, 0]
for m in (2.0, 6.0, 0.0, -2.0, -6.0):
    s = torch.tensor([[-m / 2, m / 2], [-m / 2, m / 2], [m / 2, -m / 2]])
    print(f"m={m:+.0f}  loss={loss_fn(s, target).item():.4f}")
# --8<-- [end:variants]

# --8<-- [start:margin-plot]
margins = torch.linspace(-6, 6, 121)
# zh: 一个正确类别为 1 的样本：logits [0, m]，间隔就是 m
# en: one sample whose correct class is 1: logits [0, m], so the margin is m
logits = torch.stack([torch.zeros_like(margins), margins], dim=1)
curve = nn.CrossEntropyLoss(reduction="none")(logits, torch.ones(121, dtype=torch.long))

ax = plot.curves(margins, {r"$\ell = \log(1 + e^{-m})$": curve,
                           r"$\max(0, -m)$": torch.clamp(-margins, min=0)},
                 xlabel="$m$", ylabel=r"$\ell$")
ax.lines[1].set(linestyle="--", color="gray")
ax.legend()
points = torch.tensor([-6.0, -2.0, 0.0, 2.0, 6.0])
ax.plot(points, F.softplus(-points), "o", color="C1")
plt.show()
# --8<-- [end:margin-plot]

# --8<-- [start:nll]
ce = F.cross_entropy(scores, target)
nll_of_log_softmax = F.nll_loss(F.log_softmax(scores, dim=1), target)
nll_of_log_of_softmax = nn.NLLLoss()(torch.log(torch.softmax(scores, dim=1)), target)
print(ce, nll_of_log_softmax, nll_of_log_of_softmax)
print(torch.allclose(ce, nll_of_log_softmax), torch.allclose(ce, nll_of_log_of_softmax))
# --8<-- [end:nll]

# --8<-- [start:stability]
# zh: 非常确定是类别 1……但答案是类别 0
# en: very sure of class 1 ... but the answer is class 0
big = torch.tensor([[0.0, 200.0]])
wrong = torch.tensor([0])
# zh: e^{-200} 在 float32 里下溢成 0
# en: e^{-200} underflows to 0 in float32
print(torch.softmax(big, dim=1))
# zh: 先 softmax 再 log：inf
# en: softmax, then log: inf
print(-torch.log(torch.softmax(big, dim=1))[0, 0])
# zh: 内部用 log-sum-exp：精确的 200
# en: log-sum-exp inside: exactly 200
print(F.cross_entropy(big, wrong))
# --8<-- [end:stability]

# --8<-- [start:double-softmax]
# zh: 对：原始分数
# en: right: raw logits
print(loss_fn(scores, target))
# zh: 错：softmax 做了两次
# en: wrong: softmax applied twice
print(loss_fn(torch.softmax(scores, dim=1), target))
sure, one = torch.tensor([[-10.0, 10.0]]), torch.tensor([1])
print(loss_fn(sure, one), loss_fn(torch.softmax(sure, dim=1), one))
# --8<-- [end:double-softmax]

# --8<-- [start:soft-labels]
# zh: 软标签：每行是一个概率分布 q，形状 (N, C)，浮点数
# en: soft labels: each row is a distribution q, shape (N, C), floating point
soft = torch.tensor([[0.1, 0.9], [0.2, 0.8], [0.9, 0.1]])
by_formula = -(soft * F.log_softmax(scores, dim=1)).sum(dim=1).mean()
print(loss_fn(scores, soft), by_formula)

# zh: 标签平滑 eps = 0.1：q = (1 - eps) * one_hot + eps / C
# en: label smoothing with eps = 0.1: q = (1 - eps) * one_hot + eps / C
smoothed = nn.CrossEntropyLoss(label_smoothing=0.1)(scores, target)
q_smooth = 0.9 * F.one_hot(target, 2).float() + 0.1 / 2
print(q_smooth)
print(smoothed, loss_fn(scores, q_smooth))
# --8<-- [end:soft-labels]

# --8<-- [start:binary]
# zh: 每个样本一个 logit：z_1 - z_0
# en: one logit per sample: z_1 - z_0
z = scores[:, 1] - scores[:, 0]
# zh: 目标是浮点数 0. / 1.
# en: float targets 0. / 1.
bce = nn.BCEWithLogitsLoss()(z, target.float())
print(bce, loss_fn(scores, target))
print(torch.allclose(bce, loss_fn(scores, target)))
# --8<-- [end:binary]

# --8<-- [start:multi-label]
# zh: 3 个样本、C = 3 个标签，每个样本可以同时有任意几个标签
# en: 3 samples, C = 3 tags; a sample may have any number of them
logits = torch.tensor([[2.0, -1.0, 0.5], [-2.0, 3.0, 1.0], [0.0, -3.0, -2.0]])
tags = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
# zh: 每个标签各自一个 sigmoid，互不相关；每一行的和不必是 1
# en: one independent sigmoid per tag; rows need not sum to 1
p_tags = torch.sigmoid(logits)
print(p_tags)
print((p_tags > 0.5).int())
print(nn.BCEWithLogitsLoss()(logits, tags))
# --8<-- [end:multi-label]

# --8<-- [start:ex1]
logits = torch.tensor([[2.0, 0.0, -1.0]])
label = torch.tensor([0])
# zh: log-sum-exp 减去正确类别的分数
# en: log-sum-exp minus the score of the right class
by_hand = torch.log(torch.exp(logits).sum()) - logits[0, 0]
print(by_hand, F.cross_entropy(logits, label))
# --8<-- [end:ex1]

# --8<-- [start:ex2]
smooth_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
for m in (2.0, 6.0, 0.0, -2.0, -6.0):
    s = torch.tensor([[-m / 2, m / 2], [-m / 2, m / 2], [m / 2, -m / 2]])
    print(f"m={m:+.0f}  loss={loss_fn(s, target).item():.4f}  "
          f"smoothed={smooth_fn(s, target).item():.4f}")
# zh: 平滑后损失最小的间隔：sigma(m) = 0.95，即 m = log 19
# en: the margin where the smoothed loss is smallest: sigma(m) = 0.95, m = log 19
print(torch.log(torch.tensor(19.0)))
# --8<-- [end:ex2]

# --8<-- [start:ex3]
s = scores.clone().requires_grad_()
accuracy = (s.argmax(dim=1) == target).float().mean()
print(accuracy, accuracy.requires_grad)
# --8<-- [end:ex3]
