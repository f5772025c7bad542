"""示例：词窗口分类 / Demo: word window classification.

The code of docs/word-window.zh.md and docs/word-window.en.md, in page order.
Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/word-window.py`.
"""
# --8<-- [start:imports]
from functools import partial

import matplotlib.pyplot as plt
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader

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

sentences = [s.split() for s in corpus]  # already lower-case
labels = [[1 if w in locations else 0 for w in s] for s in sentences]
for words, y in zip(sentences, labels):
    print(words)
    print(y)
# --8<-- [end:corpus]

# --8<-- [start:vocab]
PAD, UNK = "<pad>", "<unk>"
words = sorted({w for s in sentences for w in s})
vocab = [PAD, UNK] + words  # <pad> gets index 0
word_to_ix = {w: i for i, w in enumerate(vocab)}
pad_ix, unk_ix = word_to_ix[PAD], word_to_ix[UNK]
print(len(vocab), "tokens")
print(word_to_ix)


def to_indices(words):
    return [word_to_ix.get(w, unk_ix) for w in words]  # unknown -> <unk>


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
    y = pad_sequence(ys, batch_first=True, padding_value=0.0)  # masked later
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
print("x =", x, sep="\n")
print("y =", y, sep="\n")
print("lengths =", lengths)
# --8<-- [end:batching]

# --8<-- [start:unfold]
windows = x.unfold(1, 2 * window_size + 1, 1)  # (batch, words, window)
print(x.shape, "->", windows.shape)
n = lengths[0].item()
for word_ix, win in zip(x[0, window_size:window_size + n], windows[0, :n]):
    print(f"{vocab[word_ix]:>10}:", [vocab[i] for i in win])
# --8<-- [end:unfold]

# --8<-- [start:model]
class WordWindowClassifier(nn.Module):
    def __init__(self, vocab_size, pad_ix, window_size=2, embed_dim=25,
                 hidden_dim=25, freeze_embeddings=False):
        super().__init__()
        self.window_size = window_size
        self.embeds = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_ix)
        if freeze_embeddings:
            self.embeds.weight.requires_grad_(False)  # the real layer name
        window_len = 2 * window_size + 1
        self.hidden = nn.Sequential(nn.Linear(window_len * embed_dim, hidden_dim),
                                    nn.Tanh())
        self.output = nn.Sequential(nn.Linear(hidden_dim, 1), nn.Sigmoid())

    def forward(self, x):  # x: (B, L + 2w) word indices
        w = self.window_size  # not a global
        windows = x.unfold(1, 2 * w + 1, 1)  # (B, L, 2w+1)
        e = self.embeds(windows)  # (B, L, 2w+1, D)
        e = e.flatten(start_dim=2)  # (B, L, (2w+1)*D)
        return self.output(self.hidden(e)).squeeze(-1)  # (B, L) probabilities


model = WordWindowClassifier(len(vocab), pad_ix, window_size=window_size)
print(model)
for name, p in model.named_parameters():
    print(f"{name:18} {tuple(p.shape)}")
print("parameters:", sum(p.numel() for p in model.parameters()))
print(model(x).shape)  # one probability per word of the batch
# --8<-- [end:model]

# --8<-- [start:loss]
bce = nn.BCELoss(reduction="none")  # the model already ends in a Sigmoid


def masked_bce(probs, y, lengths):
    # mask[b, t] = 1 for real words, 0 for padding
    mask = torch.arange(y.shape[1])[None, :] < lengths[:, None]
    losses = bce(probs, y) * mask  # per-word losses, padding zeroed out
    return losses.sum() / mask.sum()  # mean over real words only


with torch.no_grad():
    print(masked_bce(model(x), y, lengths))
# --8<-- [end:loss]

# --8<-- [start:train]
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
history = []
for epoch in range(1000):
    total, count = 0.0, 0
    for x, y, lengths in loader:
        optimizer.zero_grad()
        loss = masked_bce(model(x), y, lengths)
        loss.backward()
        optimizer.step()
        total += loss.item() * lengths.sum().item()
        count += lengths.sum().item()
    history.append(total / count)  # mean loss per word over the epoch
    if epoch % 100 == 0 or epoch == 999:
        print(f"epoch {epoch:4d}  loss {history[-1]:.4f}")
# --8<-- [end:train]

# --8<-- [start:loss-curve]
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(history)
ax.set_xlabel("epoch")
ax.set_ylabel("mean BCE per word")
ax.set_title("Training loss")
plt.show()
# --8<-- [end:loss-curve]

# --8<-- [start:predict]
def predict(sentence):
    ids = to_indices(sentence.split())
    x, _, _ = collate([(ids, [0] * len(ids))], model.window_size, pad_ix)
    with torch.no_grad():
        probs = model(x)[0]
    for w, i, p in zip(sentence.split(), ids, probs):
        note = "  (<unk>)" if i == unk_ix else ""
        print(f"{w:>10}  {p.item():.3f}{note}")


model.eval()
predict("she comes from paris")
# --8<-- [end:predict]

# --8<-- [start:unknown]
predict("she comes from berlin")
print()
predict("berlin is the capital of germany")
# --8<-- [end:unknown]
