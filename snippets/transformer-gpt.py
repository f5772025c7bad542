"""Transformer 与小型 GPT / Transformers and a small GPT: the code of docs/transformer-gpt.zh.md
and .en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page on its own with `python snippets/transformer-gpt.py`.
The poems come from snippets/data/poems.txt (Tang poems, in the public domain; see
snippets/data/README.md).
"""
# --8<-- [start:imports]
import math
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from plot.transformer_gpt import draw_losses, draw_positions

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:data]
path = next(Path(p, "data", "poems.txt") for p in sys.path
            if Path(p, "data", "poems.txt").is_file())
rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")]
poems = [text for author, title, text in rows]
print(rows[0])

# zh: 每 8 首取 1 首作验证集；每首诗后面加一个换行符 "\n"，表示“这首诗结束了”
# en: every 8th poem goes to validation; a newline "\n" after each poem: "it ends"
train_text = "".join(p + "\n" for i, p in enumerate(poems) if i % 8 != 0)
val_text = "".join(p + "\n" for i, p in enumerate(poems) if i % 8 == 0)
chars = sorted(set(train_text + val_text))
stoi = {c: i for i, c in enumerate(chars)}
V = len(chars)


def encode(s):
    return torch.tensor([stoi[c] for c in s])


def decode(ids):
    return "".join(chars[i] for i in ids)


train_ids, val_ids = encode(train_text), encode(val_text)
unseen = sum(c not in train_text for c in val_text)
print(f"{len(poems)=} {V=} {len(train_ids)=} {len(val_ids)=} {unseen=}")
print(encode("床前明月光").tolist(), decode(encode("床前明月光").tolist()))
# --8<-- [end:data]

# --8<-- [start:embedding]
torch.manual_seed(0)
d_model = 32
tok_emb = nn.Embedding(V, d_model)
ids = encode("明月")
x = tok_emb(ids)
print(tuple(tok_emb.weight.shape), tuple(x.shape))  # (V, d_model), (T, d_model)
# zh: 查表等于独热编码乘以权重矩阵，只是快得多
# en: a lookup equals one-hot times the weight matrix, only much faster
print(torch.equal(x, tok_emb.weight[ids]),
      torch.allclose(F.one_hot(ids, V).float() @ tok_emb.weight, x))
# --8<-- [end:embedding]

# --8<-- [start:baselines]
block_size = 32


# zh: 把一段文本切成不重叠的窗口：x 是输入，y 是往后错一位的目标
# en: cut a text into non-overlapping windows: x the inputs, y the targets one step later
def windows(ids):
    n = (len(ids) - 1) // block_size
    x = ids[:n * block_size].view(n, block_size)
    y = ids[1:n * block_size + 1].view(n, block_size)
    return x, y


counts = torch.bincount(train_ids, minlength=V).float()
p = counts[counts > 0] / counts.sum()
entropy = -(p * p.log()).sum().item()  # nats
# zh: 一元模型：每个字按它在训练集里的频率出现（加一平滑，没见过的字也有一点概率）
# en: unigram model: each character at its training frequency (add-one smoothing)
p_uni = (counts + 1) / (counts.sum() + V)
# zh: 二元模型：按前一个字统计下一个字，平滑时向一元模型靠拢
# en: bigram model: the next character given the previous one, smoothed towards the unigram
pairs = torch.zeros(V, V)
pairs.index_put_((train_ids[:-1], train_ids[1:]), torch.ones(len(train_ids) - 1),
                 accumulate=True)
k = 30.0
p_bi = (pairs + k * p_uni) / (pairs.sum(dim=1, keepdim=True) + k)

x_val, y_val = windows(val_ids)
baseline = {"uniform": math.log(V),
            "unigram": -p_uni[y_val].log().mean().item(),
            "bigram": -p_bi[x_val, y_val].log().mean().item()}
print(f"{entropy=:.3f}", {name: round(v, 3) for name, v in baseline.items()})
# zh: 验证集里的字对，有多少在训练集里出现过
# en: the share of the validation set's pairs that occur in the training set
seen_pairs = (pairs[x_val, y_val] > 0).float().mean().item()
print(f"{seen_pairs=:.3f}")
# --8<-- [end:baselines]

# --8<-- [start:sinusoidal]
def sinusoidal(n_positions, d):
    t = torch.arange(n_positions).unsqueeze(1)  # (n_positions, 1)
    freq = 10000 ** (-torch.arange(0, d, 2) / d)  # (d / 2,)
    pe = torch.zeros(n_positions, d)
    pe[:, 0::2] = torch.sin(t * freq)
    pe[:, 1::2] = torch.cos(t * freq)
    return pe


pe = sinusoidal(64, d_model)
# zh: 两个位置的编码的点积只取决于它们相隔多远
# en: the dot product of two positions' encodings depends only on how far apart they are
print(f"{pe[3] @ pe[8]:.4f} {pe[20] @ pe[25]:.4f} {pe[3] @ pe[30]:.4f}")
draw_positions(pe)
plt.show()
# --8<-- [end:sinusoidal]

# --8<-- [start:order]
torch.manual_seed(0)
q = k_ = v = torch.randn(1, 5, d_model)  # (batch, T, d_model)
perm = torch.tensor([4, 2, 0, 1, 3])
out = F.scaled_dot_product_attention(q, k_, v)
out_perm = F.scaled_dot_product_attention(q[:, perm], k_[:, perm], v[:, perm])
# zh: 没有位置信息、也没有掩码时，打乱输入的顺序只是打乱输出的顺序
# en: with no positions and no mask, shuffling the inputs only shuffles the outputs
print(torch.allclose(out_perm, out[:, perm], atol=1e-6))
# --8<-- [end:order]

# --8<-- [start:attention]
class CausalSelfAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.causal = True

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        # (B, T, C) -> (B, n_heads, T, C / n_heads)
        q, k, v = (t.view(B, T, self.n_heads, C // self.n_heads).transpose(1, 2)
                   for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


# zh: is_causal=True 等于一个下三角掩码：位置 t 只看得到 0..t
# en: is_causal=True equals a lower-triangular mask: position t sees only 0..t
torch.manual_seed(0)
q, k_, v = torch.randn(3, 1, 2, 5, 8).unbind(0)  # (batch, heads, T, d_head)
mask = torch.ones(5, 5, dtype=torch.bool).tril()
scores = (q @ k_.transpose(-2, -1) / math.sqrt(8)).masked_fill(~mask, float("-inf"))
print(mask.int())
sdpa = F.scaled_dot_product_attention(q, k_, v, is_causal=True)
print(torch.allclose(scores.softmax(dim=-1) @ v, sdpa, atol=1e-6))
# --8<-- [end:attention]

# --8<-- [start:block]
class Block(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, n_heads)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(),
                                 nn.Linear(4 * d_model, d_model))

    def forward(self, x):
        # zh: 先归一化（pre-norm），再加回残差
        # en: normalize first (pre-norm), then add back the residual
        x = x + self.attn(self.ln1(x))
        x = x + self.mlp(self.ln2(x))
        return x


class TinyGPT(nn.Module):
    def __init__(self, vocab_size, block_size, d_model=32, n_heads=4, n_layers=2):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(block_size, d_model)  # learned positions
        self.blocks = nn.Sequential(*[Block(d_model, n_heads) for _ in range(n_layers)])
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, idx):  # (B, T) -> (B, T, vocab_size)
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
        return self.head(self.ln_f(self.blocks(x)))


torch.manual_seed(0)
model = TinyGPT(V, block_size)
n_params = sum(p.numel() for p in model.parameters())
n_blocks = sum(p.numel() for p in model.blocks.parameters())
for name, part in model.named_children():
    print(f"{name:7}", sum(p.numel() for p in part.parameters()))
print(f"{n_params=}")

x, y = windows(train_ids)
logits = model(x[:4])
loss0 = F.cross_entropy(logits.reshape(-1, V), y[:4].reshape(-1)).item()
print(tuple(logits.shape), f"{loss0=:.3f}", f"log(V)={math.log(V):.3f}")

# zh: 因果性：改动最后一个字，前面所有位置的输出都不变
# en: causality: changing the last character leaves all earlier outputs unchanged
changed = x[:1].clone()
changed[0, -1] = stoi["月"]
with torch.no_grad():
    a, b = model(x[:1]), model(changed)
print(torch.equal(a[0, :-1], b[0, :-1]), torch.equal(a[0, -1], b[0, -1]))
# --8<-- [end:block]

# --8<-- [start:train]
@torch.no_grad()
def evaluate(model, ids):
    model.eval()
    x, y = windows(ids)
    loss = F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1)).item()
    model.train()
    return loss


def train(model, steps=150, seed=0, batch_size=16, lr=3e-3, every=25):
    g = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    history = []  # (step, train loss, val loss)
    for step in range(steps + 1):
        if step % every == 0:
            history.append((step, evaluate(model, train_ids), evaluate(model, val_ids)))
        if step == steps:
            return history
        # zh: 随机取 batch_size 个长为 block_size 的片段；目标是往后错一位的片段
        # en: batch_size random pieces of length block_size; targets are shifted by one
        i = torch.randint(len(train_ids) - block_size - 1, (batch_size, 1), generator=g)
        pos = i + torch.arange(block_size)
        xb, yb = train_ids[pos], train_ids[pos + 1]
        loss = F.cross_entropy(model(xb).reshape(-1, V), yb.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


models, histories = [], []
for seed in (0, 1):
    torch.manual_seed(seed)
    models.append(TinyGPT(V, block_size))
    histories.append(train(models[-1], seed=seed))
    print(f"{seed=}", " ".join(f"{s}:{tr:.2f}/{va:.2f}" for s, tr, va in histories[-1]))
best_val = [min(h[2] for h in history) for history in histories]
best_step = [min(history, key=lambda h: h[2])[0] for history in histories]
final_train = [history[-1][1] for history in histories]
final_val = [history[-1][2] for history in histories]
# --8<-- [end:train]

# --8<-- [start:train-plot]
draw_losses(histories, {"1-gram": baseline["unigram"], "2-gram": baseline["bigram"],
                        "H": entropy})
plt.show()
# --8<-- [end:train-plot]

# --8<-- [start:what-generalizes]
# zh: 把验证集的损失拆成两部分：标点和换行（诗的格式），以及汉字（诗的内容）
# en: split the validation loss: punctuation and newlines (form), characters (content)
form = torch.isin(y_val, encode("，。\n"))
model = models[0]
model.eval()
with torch.no_grad():
    nll = F.cross_entropy(model(x_val).transpose(1, 2), y_val, reduction="none")
nll_uni = -p_uni[y_val].log()
split = {"form": (nll[form].mean().item(), nll_uni[form].mean().item()),
         "chars": (nll[~form].mean().item(), nll_uni[~form].mean().item())}
for part, (ours, uni) in split.items():
    print(f"{part:5} model={ours:.3f} unigram={uni:.3f}")
print(f"form share: {form.float().mean():.3f}")
# --8<-- [end:what-generalizes]

# --8<-- [start:temperature]
torch.manual_seed(0)
logits = torch.randn(8) * 2
for temperature in (0.5, 1.0, 2.0):
    probs = F.softmax(logits / temperature, dim=-1)
    print(f"{temperature=}", [round(p, 2) for p in probs.tolist()])
# --8<-- [end:temperature]

# --8<-- [start:sample]
@torch.no_grad()
def generate(model, start, n, temperature=1.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    model.eval()
    ids = encode(start)
    for _ in range(n):
        logits = model(ids[-block_size:].unsqueeze(0))[0, -1]  # (V,)
        probs = F.softmax(logits / temperature, dim=-1)
        ids = torch.cat([ids, torch.multinomial(probs, 1, generator=g)])
    return decode(ids.tolist())


# zh: 生成的四字片段里，有多少原样出现在训练集里
# en: how many of the generated four-character pieces appear verbatim in the training set
def copied(text):
    pieces = [text[i:i + 4] for i in range(len(text) - 3) if "\n" not in text[i:i + 4]]
    return sum(piece in train_text for piece in pieces) / max(len(pieces), 1)


copied_share = {}
for temperature in (0.7, 1.5):
    text = generate(model, "春", 60, temperature)
    copied_share[temperature] = copied(text)
    print(f"{temperature=} copied={copied_share[temperature]:.2f}")
    print(text)
# --8<-- [end:sample]

# --8<-- [start:scale]
for T in (32, 1024, 8192):
    print(f"T={T:5}  attention weights per head: {T * T:>11,}")
tokens_seen = 150 * 16 * block_size
print(f"{tokens_seen=:,} {len(train_ids)=:,} passes={tokens_seen / len(train_ids):.1f}")
# --8<-- [end:scale]

# --8<-- [start:ex1]
def block_params(d):
    # zh: 两个 LayerNorm 4d；qkv 3d²+3d；proj d²+d；MLP 8d²+5d
    # en: two LayerNorms 4d; qkv 3d²+3d; proj d²+d; MLP 8d²+5d
    return 12 * d * d + 13 * d


for d in (32, 768):
    print(d, block_params(d), sum(p.numel() for p in Block(d, 4).parameters()))
# --8<-- [end:ex1]

# --8<-- [start:ex2]
torch.manual_seed(0)
leaky = TinyGPT(V, block_size)
for block in leaky.blocks:
    block.attn.causal = False
with torch.no_grad():
    a, b = leaky(x[:1]), leaky(changed)
# zh: 改动最后一个字，前面的位置也变了：每个位置都“偷看”了后面的字
# en: changing the last character now changes earlier positions: each one peeks ahead
print(torch.equal(a[0, :-1], b[0, :-1]))
print(f"{(a[0, 0] - b[0, 0]).abs().max():.4f}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
@torch.no_grad()
def generate_greedy(model, start, n):
    model.eval()
    ids = encode(start)
    for _ in range(n):
        logits = model(ids[-block_size:].unsqueeze(0))[0, -1]
        ids = torch.cat([ids, logits.argmax().view(1)])
    return decode(ids.tolist())


greedy = generate_greedy(models[0], "春", 60)
print(greedy)
print(f"copied={copied(greedy):.2f}")
# --8<-- [end:ex3]
