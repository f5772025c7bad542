"""词窗口分类 / Word window classification.

The code of docs/word-window.zh.md and docs/word-window.en.md, in page order.
Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/word-window.py`.
"""
# --8<-- [start:imports]
import math
from functools import partial

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader

import plot

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:corpus]
corpus = [
    "we always come to paris",
    "the professor is from australia",
    "i live in stanford",
    "he comes from taiwan",
    "the capital of turkey is ankara",
]
locations = {"australia", "ankara", "paris", "stanford", "taiwan", "turkey"}

# zh: 已经是小写
# en: already lower-case
sentences = [s.split() for s in corpus]
labels = [[1 if w in locations else 0 for w in s] for s in sentences]
for words, y in zip(sentences, labels):
    print(words)
    print(y)
n_words = sum(len(s) for s in sentences)
n_locations = sum(sum(y) for y in labels)
print(f"{n_words=}  {n_locations=}")
# --8<-- [end:corpus]

# --8<-- [start:vocab]
PAD, UNK = "<pad>", "<unk>"
words = sorted({w for s in sentences for w in s})
# zh: <pad> 的编号是 0
# en: <pad> gets index 0
vocab = [PAD, UNK] + words
word_to_ix = {w: i for i, w in enumerate(vocab)}
pad_ix, unk_ix = word_to_ix[PAD], word_to_ix[UNK]
print(f"{len(vocab)=}")
print(word_to_ix)


def to_indices(words):
    # zh: 词表里没有的词 -> <unk>
    # en: a word missing from the vocabulary -> <unk>
    return [word_to_ix.get(w, unk_ix) for w in words]


print(to_indices("the professor is from paris".split()))
print(to_indices("she lives in berlin".split()))
# --8<-- [end:vocab]

# --8<-- [start:batching]
window_size = 2
data = [(to_indices(s), y) for s, y in zip(sentences, labels)]


def collate(batch, window_size, pad_ix):
    xs, ys, lengths = [], [], []
    for ids, y in batch:
        padded = [pad_ix] * window_size + ids + [pad_ix] * window_size
        xs.append(torch.tensor(padded))
        ys.append(torch.tensor(y, dtype=torch.float32))
        lengths.append(len(ids))
    x = pad_sequence(xs, batch_first=True, padding_value=pad_ix)
    # zh: 补出来的标签之后用掩码去掉
    # en: the padded labels are masked out later
    y = pad_sequence(ys, batch_first=True, padding_value=0.0)
    return x, y, torch.tensor(lengths)


g = torch.Generator().manual_seed(0)
loader = DataLoader(
    data,
    batch_size=2,
    shuffle=True,
    generator=g,
    collate_fn=partial(collate, window_size=window_size, pad_ix=pad_ix),
)
x, y, lengths = next(iter(loader))
print(f"x =\n{x}")
print(f"y =\n{y}")
print(f"{lengths=}")
# --8<-- [end:batching]

# --8<-- [start:unfold]
# zh: 形状 (批, 词, 窗口)
# en: shape (batch, words, window)
windows = x.unfold(1, 2 * window_size + 1, 1)
print(x.shape, "->", windows.shape)
n = lengths[0].item()
for word_ix, win in zip(x[0, window_size:window_size + n], windows[0, :n]):
    print(f"{vocab[word_ix]:>10}:", [vocab[i] for i in win])
# --8<-- [end:unfold]

# --8<-- [start:embedding]
torch.manual_seed(0)
# zh: 5 个词，每个词一个 3 维向量；编号 0 是填充
# en: 5 words, a 3-dimensional vector for each; index 0 is padding
emb = nn.Embedding(num_embeddings=5, embedding_dim=3, padding_idx=0)
print(emb.weight)

ids = torch.tensor([[1, 4, 0], [2, 2, 3]])
vectors = emb(ids)
print(ids.shape, "->", vectors.shape)
# zh: 查表：编号 4 取出的就是权重的第 4 行
# en: a table lookup: index 4 gives row 4 of the weight
print(torch.equal(vectors[0, 1], emb.weight[4]))
# zh: 和独热向量乘权重矩阵的结果相同
# en: the same as one-hot vectors times the weight matrix
print(torch.allclose(F.one_hot(ids, 5).float() @ emb.weight, vectors))
# --8<-- [end:embedding]


# --8<-- [start:model]
class WordWindowClassifier(nn.Module):
    def __init__(self, vocab_size, pad_ix, window_size=2, embed_dim=25,
                 hidden_dim=25, freeze_embeddings=False):
        super().__init__()
        self.window_size = window_size
        self.embeds = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_ix)
        if freeze_embeddings:
            # zh: 真实存在的层名
            # en: the real name of the layer
            self.embeds.weight.requires_grad_(False)
        window_len = 2 * window_size + 1
        self.hidden = nn.Sequential(nn.Linear(window_len * embed_dim, hidden_dim),
                                    nn.Tanh())
        # zh: 每个词输出一个 logit，不加 Sigmoid
        # en: one logit per word, no sigmoid
        self.output = nn.Linear(hidden_dim, 1)

    def forward(self, x):
        # zh: x：(B, L + 2w) 个词的编号；窗口大小读 self.window_size，而不是全局变量
        # en: x: (B, L + 2w) word indices; the window size is self's, not a global
        w = self.window_size
        # (B, L, 2w+1)
        windows = x.unfold(1, 2 * w + 1, 1)
        # (B, L, 2w+1, D)
        e = self.embeds(windows)
        # (B, L, (2w+1)*D)
        e = e.flatten(start_dim=2)
        # (B, L)
        return self.output(self.hidden(e)).squeeze(-1)


torch.manual_seed(0)
model = WordWindowClassifier(len(vocab), pad_ix, window_size=window_size)
print(model)
for name, p in model.named_parameters():
    print(f"{name:18} {tuple(p.shape)}")
n_params = sum(p.numel() for p in model.parameters())
print(n_params)
# zh: 这一批里每个词一个 logit
# en: one logit per word of the batch
print(model(x).shape)
# --8<-- [end:model]

# --8<-- [start:loss]
# zh: sigmoid 和 BCE 合在一起算；先不取平均
# en: the sigmoid and the BCE computed together; no averaging yet
bce = nn.BCEWithLogitsLoss(reduction="none")


def masked_bce(logits, y, lengths):
    # zh: 真实的词 mask[b, t] = 1，填充位置为 0
    # en: mask[b, t] = 1 for real words, 0 for padding
    mask = torch.arange(y.shape[1])[None, :] < lengths[:, None]
    # zh: 每个词各自的损失，填充位置清零
    # en: per-word losses, padding zeroed out
    losses = bce(logits, y) * mask
    # zh: 只在真实的词上取平均
    # en: the mean over real words only
    return losses.sum() / mask.sum()


with torch.no_grad():
    initial_loss = masked_bce(model(x), y, lengths).item()
print(f"{initial_loss=:.4f}  log(2)={math.log(2):.4f}")
# --8<-- [end:loss]

# --8<-- [start:train]
optimizer = torch.optim.SGD(model.parameters(), lr=0.02)
history = []
model.train()
for epoch in range(500):
    total, count = 0.0, 0
    for x, y, lengths in loader:
        optimizer.zero_grad()
        loss = masked_bce(model(x), y, lengths)
        loss.backward()
        optimizer.step()
        total += loss.item() * lengths.sum().item()
        count += lengths.sum().item()
    # zh: 这一轮每个词的平均损失
    # en: the mean loss per word over the epoch
    history.append(total / count)
    if epoch % 100 == 0 or epoch == 499:
        print(f"{epoch=:4d}  loss={history[-1]:.4f}")
# --8<-- [end:train]

# --8<-- [start:loss-curve]
plot.curves(range(1, len(history) + 1), {"history": history}, xlabel="epoch",
            ylabel=r"$L$")
plt.show()
# --8<-- [end:loss-curve]


# --8<-- [start:predict]
def predict(model, sentence):
    ids = to_indices(sentence.split())
    x, _, _ = collate([(ids, [0] * len(ids))], model.window_size, pad_ix)
    model.eval()
    with torch.no_grad():
        # zh: 预测时才把 logit 变成概率
        # en: logits become probabilities only when predicting
        probs = torch.sigmoid(model(x)[0])
    for w, i, p in zip(sentence.split(), ids, probs):
        note = "  <unk>" if i == unk_ix else ""
        print(f"{w:>10}  {p.item():.3f}{note}")
    return probs.tolist()


paris = predict(model, "she comes from paris")
# --8<-- [end:predict]

# --8<-- [start:unknown]
from_berlin = predict(model, "she comes from berlin")
print()
capital = predict(model, "berlin is the capital of germany")
# --8<-- [end:unknown]

# --8<-- [start:ex1]
torch.manual_seed(0)
wide = WordWindowClassifier(len(vocab), pad_ix, window_size=3)
x3, _, _ = collate(data[:2], 3, pad_ix)
w3 = x3.unfold(1, 7, 1)
print(x3.shape, w3.shape, wide.embeds(w3).shape, wide.embeds(w3).flatten(2).shape)
print(wide(x3).shape, wide.hidden[0].weight.shape)
# --8<-- [end:ex1]

# --8<-- [start:ex2]
torch.manual_seed(0)
frozen = WordWindowClassifier(len(vocab), pad_ix, freeze_embeddings=True)
trainable = sum(p.numel() for p in frozen.parameters() if p.requires_grad)
print(f"{trainable=}")
# zh: 只把需要梯度的参数交给优化器
# en: hand only the parameters that need gradients to the optimizer
opt = torch.optim.SGD([p for p in frozen.parameters() if p.requires_grad], lr=0.05)
before = frozen.embeds.weight.clone()
frozen.train()
for epoch in range(200):
    for xb, yb, lb in loader:
        loss = masked_bce(frozen(xb), yb, lb)
        opt.zero_grad()
        loss.backward()
        opt.step()
print(f"loss={loss.item():.4f}  {torch.equal(before, frozen.embeds.weight)=}")
frozen_berlin = predict(frozen, "she comes from berlin")
# --8<-- [end:ex2]
