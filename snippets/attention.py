"""注意力机制 / Attention: the code of docs/attention.zh.md and docs/attention.en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page, exercises included, with `python snippets/attention.py`.
The surnames come from snippets/data/names.csv (see snippets/data/README.md: compiled for this
project, CC0), loaded and split as on the rnn-advanced page.
"""
# --8<-- [start:imports]
import csv
import math
import string
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence
from torch.utils.data import DataLoader, TensorDataset

import plot
from plot.attention import heatmaps, letters, pooling_fits

torch.manual_seed(0)
# --8<-- [end:imports]


# --8<-- [start:pooling-data]
def f(x):
    return 2 * torch.sin(x) + x**0.8


def make_data(seed, n_train=50):
    g = torch.Generator().manual_seed(seed)
    x_train, _ = torch.sort(torch.rand(n_train, generator=g) * 5)
    y_train = f(x_train) + 0.5 * torch.randn(n_train, generator=g)
    return x_train, y_train


x_train, y_train = make_data(seed=0)
x_test = torch.arange(0, 5, 0.1)  # (50,) queries
y_truth = f(x_test)
print(x_train.shape, x_test.shape)
# --8<-- [end:pooling-data]


# --8<-- [start:pooling-fixed]
def attention_pool(queries, keys, values, w=1.0):
    # zh: 注意力分数：-(w (q - k))^2 / 2；每一行是一个查询对所有键的分数
    # en: attention scores: -(w (q - k))^2 / 2; one row per query, one column per key
    scores = -((queries.unsqueeze(1) - keys.unsqueeze(0)) * w) ** 2 / 2  # (Q, K)
    weights = torch.softmax(scores, dim=1)  # every row sums to 1
    return weights @ values, weights  # (Q,), (Q, K)


def mse(pred):
    return ((pred - y_truth) ** 2).mean().item()


y_avg = y_train.mean().expand(len(x_test))  # average pooling: the same for every query
y_kernel, weights_kernel = attention_pool(x_test, x_train, y_train)
print(f"average: mse={mse(y_avg):.3f}  gaussian w=1: mse={mse(y_kernel):.3f}")
print(weights_kernel.sum(dim=1)[:3])
pooling_fits(x_test, y_truth, x_train, y_train,
             {"$\\bar{y}$": y_avg, "$w=1$": y_kernel})
plt.show()
# --8<-- [end:pooling-fixed]


# --8<-- [start:pooling-learned]
# zh: 每个训练点只用其他 49 个点当键：否则它只要盯住自己，w 就会越学越大
# en: each training point uses only the other 49 as keys; otherwise it learns to
# en: look only at itself, and w grows without bound
def leave_one_out(x):
    n = len(x)
    others = ~torch.eye(n, dtype=torch.bool)  # (n, n), False on the diagonal
    return x.unsqueeze(0).expand(n, n)[others].view(n, n - 1)  # (n, n - 1)


def fit_width(x_train, y_train, steps=100, lr=0.5):
    w = torch.tensor(1.0, requires_grad=True)
    keys, values = leave_one_out(x_train), leave_one_out(y_train)
    optimizer = torch.optim.SGD([w], lr=lr)
    for _ in range(steps):
        scores = -((x_train.unsqueeze(1) - keys) * w) ** 2 / 2  # (n, n - 1)
        pred = (torch.softmax(scores, dim=1) * values).sum(dim=1)
        loss = ((pred - y_train) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return w.detach(), loss.item()


w_learned, loo_loss = fit_width(x_train, y_train)
y_learned, weights_learned = attention_pool(x_test, x_train, y_train, w_learned)
print(f"w={w_learned:.3f}  {loo_loss=:.3f}  mse={mse(y_learned):.3f}")
pooling_fits(x_test, y_truth, x_train, y_train,
             {"$w=1$": y_kernel, f"$w={w_learned:.2f}$": y_learned})
plt.show()
# --8<-- [end:pooling-learned]

# --8<-- [start:pooling-heatmap]
heatmaps({"$w=1$": weights_kernel, f"$w={w_learned:.2f}$": weights_learned},
         xlabel="$x_i$", ylabel="$x$")
plt.show()
# --8<-- [end:pooling-heatmap]

# --8<-- [start:pooling-seeds]
# zh: 换 5 份随机数据（5 个种子），三种方法各自的测试误差
# en: 5 random data sets (5 seeds), the test error of each method
results = {"average": [], "w=1": [], "learned": []}
widths = []
for seed in range(5):
    xs, ys = make_data(seed)
    w, _ = fit_width(xs, ys)
    widths.append(w.item())
    results["average"].append(mse(ys.mean().expand(len(x_test))))
    results["w=1"].append(mse(attention_pool(x_test, xs, ys)[0]))
    results["learned"].append(mse(attention_pool(x_test, xs, ys, w)[0]))
for name, errors in results.items():
    print(f"{name:8}", [round(e, 3) for e in errors])
print("w:", [round(w, 2) for w in widths])
# --8<-- [end:pooling-seeds]


# --8<-- [start:sdpa]
def attention(Q, K, V, mask=None):
    # zh: mask 为布尔张量，True 表示“可以看”，False 的位置在 softmax 之前填 -inf
    # en: mask is boolean, True meaning "may attend"; False becomes -inf before softmax
    d = Q.shape[-1]
    scores = Q @ K.transpose(-2, -1) / math.sqrt(d)  # (..., L, S)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ V, weights  # (..., L, d_v), (..., L, S)


torch.manual_seed(0)
Q = torch.randn(2, 3, 8)  # (batch, L queries, d)
K = torch.randn(2, 5, 8)  # (batch, S keys, d)
V = torch.randn(2, 5, 4)  # (batch, S values, d_v)
out, weights = attention(Q, K, V)
print("out:", tuple(out.shape), " weights:", tuple(weights.shape))
print(weights.sum(dim=-1))
print(torch.allclose(out, F.scaled_dot_product_attention(Q, K, V), atol=1e-6))
# --8<-- [end:sdpa]

# --8<-- [start:scale]
torch.manual_seed(0)
stds = {}
for d in (4, 64, 1024):
    q, k = torch.randn(1000, d), torch.randn(1000, d)
    stds[d] = (q * k).sum(dim=1).std().item()
    print(f"{d=:4d}  std(q.k)={stds[d]:6.2f}  std(q.k/sqrt(d))={stds[d] / d**0.5:.2f}")
# --8<-- [end:scale]

# --8<-- [start:padding-mask]
torch.manual_seed(0)
lengths = torch.tensor([5, 3])  # two sequences, padded to length 5
X = torch.randn(2, 5, 8)  # (batch, S, d)
key_mask = torch.arange(5) < lengths.unsqueeze(1)  # (batch, S): True = a real step
print(key_mask)
# zh: 形状 (batch, 1, S)：同一个序列的每个查询共用这个掩码（广播）
# en: shape (batch, 1, S): every query of a sequence shares the mask (broadcasting)
out, weights = attention(X, X, X, mask=key_mask.unsqueeze(1))
print(weights[1].round(decimals=3))
sdpa = F.scaled_dot_product_attention(X, X, X, attn_mask=key_mask.unsqueeze(1))
print(torch.allclose(out, sdpa, atol=1e-6))
# zh: 参照：第二个序列只保留 3 个真实步，不填充
# en: the reference: the second sequence alone, its 3 real steps, no padding
alone, _ = attention(X[1:, :3], X[1:, :3], X[1:, :3])
print(torch.allclose(out[1, :3], alone[0], atol=1e-6))
# --8<-- [end:padding-mask]

# --8<-- [start:causal-mask]
L = 4
causal = torch.tril(torch.ones(L, L, dtype=torch.bool))  # row t: steps 0..t
print(causal)
Xc = X[:1, :L]  # (1, L, d)
out, weights = attention(Xc, Xc, Xc, mask=causal)
print(weights[0].round(decimals=3))
sdpa = F.scaled_dot_product_attention(Xc, Xc, Xc, is_causal=True)
print(torch.allclose(out, sdpa, atol=1e-6))
# --8<-- [end:causal-mask]


# --8<-- [start:mha]
class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        assert embed_dim % num_heads == 0
        self.h, self.d = num_heads, embed_dim // num_heads
        self.q_proj = nn.Linear(embed_dim, embed_dim)
        self.k_proj = nn.Linear(embed_dim, embed_dim)
        self.v_proj = nn.Linear(embed_dim, embed_dim)
        self.out_proj = nn.Linear(embed_dim, embed_dim)

    def split(self, x):  # (N, L, E) -> (N, h, L, d)
        N, L, _ = x.shape
        return x.view(N, L, self.h, self.d).transpose(1, 2)

    def forward(self, query, key, value, mask=None):
        q = self.split(self.q_proj(query))
        k = self.split(self.k_proj(key))
        v = self.split(self.v_proj(value))
        out, weights = attention(q, k, v, mask)  # (N, h, L, d), (N, h, L, S)
        N, _, L, _ = out.shape
        out = out.transpose(1, 2).reshape(N, L, self.h * self.d)  # heads side by side
        return self.out_proj(out), weights


torch.manual_seed(0)
E, heads = 8, 2
mine = MultiHeadAttention(E, heads)
ref = nn.MultiheadAttention(E, heads, batch_first=True)
print(f"{ref.in_proj_weight.shape=}  {ref.out_proj.weight.shape=}")
# zh: nn.MultiheadAttention 把 W_q、W_k、W_v 上下叠在 in_proj_weight 里
# en: nn.MultiheadAttention stacks W_q, W_k, W_v in in_proj_weight
with torch.no_grad():
    for proj, W, b in zip((mine.q_proj, mine.k_proj, mine.v_proj),
                          ref.in_proj_weight.chunk(3), ref.in_proj_bias.chunk(3)):
        proj.weight.copy_(W)
        proj.bias.copy_(b)
    mine.out_proj.load_state_dict(ref.out_proj.state_dict())

x = torch.randn(2, 5, E)  # (batch, L, embed_dim)
out_mine, w_mine = mine(x, x, x)
out_ref, w_ref = ref(x, x, x)  # weights averaged over the heads by default
print(torch.allclose(out_mine, out_ref, atol=1e-6))
print(tuple(w_mine.shape), tuple(w_ref.shape),
      torch.allclose(w_mine.mean(dim=1), w_ref, atol=1e-6))
# --8<-- [end:mha]

# --8<-- [start:mha-mask]
# zh: 注意：nn.MultiheadAttention 的布尔掩码里 True 表示“不许看”，和 SDPA 相反
# en: careful: in nn.MultiheadAttention's boolean masks True means "ignore",
# en: the opposite of SDPA
out_ref, _ = ref(X, X, X, key_padding_mask=~key_mask)
out_mine, _ = mine(X, X, X, mask=key_mask[:, None, None, :])  # (N, h, L, S)
print(torch.allclose(out_mine, out_ref, atol=1e-6))
# --8<-- [end:mha-mask]

# --8<-- [start:names-data]
# zh: 与“进阶循环网络”一页相同的数据、编码与划分
# en: the same data, encoding and split as on the Advanced RNNs page
path = next(Path(p, "data/names.csv") for p in sys.path
            if Path(p, "data/names.csv").is_file())
with path.open(encoding="utf-8") as f_names:
    rows = list(csv.DictReader(f_names))
countries = sorted({row["country"] for row in rows})
g = torch.Generator().manual_seed(0)
train_rows, test_rows = [], []
for c in countries:
    group = [row for row in rows if row["country"] == c]
    order = torch.randperm(len(group), generator=g).tolist()
    test_rows += [group[i] for i in order[:len(group) // 5]]
    train_rows += [group[i] for i in order[len(group) // 5:]]

char_to_ix = {ch: i + 1 for i, ch in enumerate(string.ascii_lowercase)}


def encode(names):
    seqs = [torch.tensor([char_to_ix[ch] for ch in name.lower()]) for name in names]
    lengths = torch.tensor([len(s) for s in seqs])
    return pad_sequence(seqs, batch_first=True), lengths  # (N, longest), (N,)


X_train, len_train = encode([row["name"] for row in train_rows])
y_train_c = torch.tensor([countries.index(row["country"]) for row in train_rows])
# zh: 比较模型用验证集：训练集里每个国家分出 12 个名字
# en: comparing models takes a validation set: 12 training names of each country
is_val = torch.zeros(len(y_train_c), dtype=torch.bool)
for c in range(len(countries)):
    is_val[(y_train_c == c).nonzero().flatten()[:12]] = True
fit = X_train[~is_val], len_train[~is_val], y_train_c[~is_val]
val = X_train[is_val], len_train[is_val], y_train_c[is_val]
print(f"fit {len(fit[2])}  val {len(val[2])}  test {len(test_rows)}")
# --8<-- [end:names-data]


# --8<-- [start:names-models]
class LastState(nn.Module):
    """The Advanced RNNs page's classifier: the final states of both directions."""

    def __init__(self, num_classes, num_chars=27, embedding_dim=16, hidden_size=32):
        super().__init__()
        self.emb = nn.Embedding(num_chars, embedding_dim, padding_idx=0)
        self.rnn = nn.GRU(embedding_dim, hidden_size, batch_first=True,
                          bidirectional=True)
        self.fc = nn.Linear(2 * hidden_size, num_classes)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(self.emb(x), lengths, batch_first=True,
                                      enforce_sorted=False)
        _, h_n = self.rnn(packed)  # (2, batch, hidden_size)
        return self.fc(torch.cat([h_n[0], h_n[1]], dim=1))


class AttentionPooled(LastState):
    """Every step's output, pooled by learned attention over the time steps."""

    def __init__(self, num_classes, hidden_size=32, **kwargs):
        super().__init__(num_classes, hidden_size=hidden_size, **kwargs)
        # zh: 一个可学习的查询向量（Linear 的权重），对每一步的输出打分
        # en: one learned query vector (the Linear's weight) scores every step's output
        self.score = nn.Linear(2 * hidden_size, 1)

    def forward(self, x, lengths, return_weights=False):
        packed = pack_padded_sequence(self.emb(x), lengths, batch_first=True,
                                      enforce_sorted=False)
        out, _ = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True)  # (batch, T, 2 H)
        scores = self.score(out).squeeze(-1)  # (batch, T)
        real = torch.arange(out.shape[1]) < lengths.unsqueeze(1)  # (batch, T)
        weights = torch.softmax(scores.masked_fill(~real, float("-inf")), dim=1)
        pooled = (weights.unsqueeze(-1) * out).sum(dim=1)  # (batch, 2 H)
        logits = self.fc(pooled)
        return (logits, weights) if return_weights else logits


def accuracy(model, X, lengths, y):
    model.eval()
    with torch.no_grad():
        return (model(X, lengths).argmax(dim=1) == y).float().mean().item()


def train(model, X, lengths, y, epochs=15, lr=0.01):
    g = torch.Generator().manual_seed(0)
    loader = DataLoader(TensorDataset(X, lengths, y), batch_size=32, shuffle=True,
                        generator=g)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        model.train()
        for xb, lb, yb in loader:
            loss = F.cross_entropy(model(xb, lb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model
# --8<-- [end:names-models]

# --8<-- [start:names-compare]
val_accs = {"last": [], "attention": []}
for seed in range(3):
    for name, make in [("last", LastState), ("attention", AttentionPooled)]:
        torch.manual_seed(seed)
        trained = train(make(num_classes=len(countries)), *fit)
        val_accs[name].append(accuracy(trained, *val))
mean_val = {name: sum(accs) / len(accs) for name, accs in val_accs.items()}
for name, accs in val_accs.items():
    print(f"{name:9}", [round(a, 3) for a in accs], f" mean {mean_val[name]:.3f}")
n_val = len(val[2])
print(f"{n_val=}  one name = {1 / n_val:.3f}")
# --8<-- [end:names-compare]

# --8<-- [start:names-weights]
examples = ["Zhuang", "Miyazaki", "Schwarzenegger", "Gorbachev", "Bellucci"]
X_ex, len_ex = encode(examples)
trained.eval()
with torch.no_grad():
    logits, name_weights = trained(X_ex, len_ex, return_weights=True)
for name, p in zip(examples, logits.softmax(dim=1)):
    print(f"{name:15} {countries[p.argmax()]} {p.max():.2f}")
letters(examples, name_weights)
plt.show()
# --8<-- [end:names-weights]

# --8<-- [start:ex1]
for w in (0.3, 1.0, 3.0, 10.0):
    pred, _ = attention_pool(x_test, x_train, y_train, w)
    print(f"w={w:5.1f}  mse={mse(pred):.3f}")
# --8<-- [end:ex1]

# --8<-- [start:ex2]
torch.manual_seed(0)
d = 64
q, k = torch.randn(1, d), torch.randn(10, d)
for name, scores in [("q.k", q @ k.T), ("q.k/sqrt(d)", q @ k.T / math.sqrt(d))]:
    p = torch.softmax(scores, dim=1)
    print(f"{name:12} max weight={p.max():.3f}  std(scores)={scores.std():.2f}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
# zh: 一个序列的所有键都被遮住：softmax 的分母是 0，结果是 nan
# en: every key of a sequence masked out: softmax's denominator is 0, the result nan
none_real = torch.zeros(1, 1, 5, dtype=torch.bool)
out, weights = attention(X[:1], X[:1], X[:1], mask=none_real)
print(weights[0, 0])
# zh: 只遮住键，不遮查询：填充位置上的查询照样有输出，用的时候要丢掉
# en: only keys are masked, not queries: the padded queries still get outputs,
# en: which the model must ignore
out, _ = attention(X, X, X, mask=key_mask.unsqueeze(1))
print(out[1, 3:].abs().sum(dim=-1))
# --8<-- [end:ex3]
