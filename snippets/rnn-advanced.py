"""进阶循环网络 / Advanced RNNs: the code of docs/rnn-advanced.zh.md and .en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page on its own with `python snippets/rnn-advanced.py`.
The surnames come from snippets/data/names.csv (see snippets/data/README.md: compiled for this
project, CC0).
"""
# --8<-- [start:imports]
import csv
import math
import string
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence
from torch.utils.data import DataLoader, TensorDataset

import plot
from plot.rnn import draw_bidirectional

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:vanishing]
T = 60  # seq_len


# zh: 一条随机序列：h_T 各分量之和对每个输入 x_{T-k} 的梯度的范数
# en: one random sequence: norm of the gradient of sum(h_T) w.r.t. each input x_{T-k}
def input_gradients(rnn):
    x = torch.randn(T, 1, 8, requires_grad=True)  # (seq_len, batch, input_size)
    out, _ = rnn(x)
    out[-1].sum().backward()
    return torch.linalg.vector_norm(x.grad[:, 0], dim=1).flip(0)  # [k] <-> x_{T-k}


torch.manual_seed(0)
grads = {"nn.RNN": input_gradients(nn.RNN(8, 32))}
torch.manual_seed(0)
grads["nn.GRU"] = input_gradients(nn.GRU(8, 32))
torch.manual_seed(0)
gru_keep = nn.GRU(8, 32)
# zh: 更新门的偏置 b_hz 加 3：z = sigmoid(... + 3)，接近 1
# en: add 3 to the update gate's bias b_hz: z = sigmoid(... + 3), close to 1
with torch.no_grad():
    gru_keep.bias_hh_l0[32:64] += 3.0  # b_hz
grads["nn.GRU, b_hz += 3"] = input_gradients(gru_keep)

for name, g in grads.items():
    print(f"{name:18}", "  ".join(f"k={k}: {g[k]:.1e}" for k in (0, 10, 30, 59)))

ax = plot.curves(range(T), {name: g.numpy() for name, g in grads.items()}, logy=True,
                 xlabel=r"$k$ ($x_{T-k}$)",
                 ylabel=r"$\|\partial h_T / \partial x_{T-k}\|$")
plt.show()
# --8<-- [end:vanishing]

# --8<-- [start:gru-cell]
torch.manual_seed(0)
input_size, hidden_size = 3, 4
gru_cell = nn.GRUCell(input_size, hidden_size)
for name, p in gru_cell.named_parameters():
    print(f"{name:10} {tuple(p.shape)}")  # (3 * hidden_size, ...)

x = torch.randn(2, input_size)  # (batch, input_size)
h = torch.randn(2, hidden_size)  # (batch, hidden_size)
W_ir, W_iz, W_in = gru_cell.weight_ih.chunk(3)  # r, z, n
W_hr, W_hz, W_hn = gru_cell.weight_hh.chunk(3)
b_ir, b_iz, b_in = gru_cell.bias_ih.chunk(3)
b_hr, b_hz, b_hn = gru_cell.bias_hh.chunk(3)

r = torch.sigmoid(x @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
z = torch.sigmoid(x @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
n = torch.tanh(x @ W_in.T + b_in + r * (h @ W_hn.T + b_hn))
h_new = (1 - z) * n + z * h
print(torch.allclose(h_new, gru_cell(x, h)))
# --8<-- [end:gru-cell]

# --8<-- [start:lstm]
lstm = nn.LSTM(input_size, hidden_size)
xs = torch.randn(5, 2, input_size)  # (seq_len, batch, input_size)
# zh: 省略 (h_0, c_0) 时两者都是全零
# en: with (h_0, c_0) left out, both are all zeros
out, (h_n, c_n) = lstm(xs)
print("out:", tuple(out.shape), " h_n:", tuple(h_n.shape), " c_n:", tuple(c_n.shape))
print(torch.allclose(out[-1], h_n[0]))

for layer in (nn.RNN, nn.GRU, nn.LSTM):
    m = layer(input_size=10, hidden_size=20)
    n_params = sum(p.numel() for p in m.parameters())
    print(f"{layer.__name__:5} weight_hh_l0: {tuple(m.weight_hh_l0.shape)}  "
          f"{n_params=}")
# --8<-- [end:lstm]

# --8<-- [start:bi-diagram]
draw_bidirectional(steps=4)
plt.show()
# --8<-- [end:bi-diagram]

# --8<-- [start:bidirectional]
torch.manual_seed(0)
H = 4
bi = nn.GRU(input_size=3, hidden_size=H, num_layers=2, bidirectional=True,
            batch_first=True)
x = torch.randn(2, 5, 3)  # (batch, seq_len, input_size)
out, h_n = bi(x)
print("out:", tuple(out.shape))  # (batch, seq_len, 2 * H)
print("h_n:", tuple(h_n.shape))  # (num_layers * 2, batch, H)

# zh: h_n 顺序：第 0 层正向、第 0 层反向、第 1 层正向、第 1 层反向
# en: h_n's order: layer 0 forward, layer 0 backward, layer 1 forward, layer 1 backward
# zh: 正向在最后一步结束，反向在第一步结束
# en: the forward direction ends at the last step, the backward one at the first step
print(torch.allclose(out[:, -1, :H], h_n[2]))
print(torch.allclose(out[:, 0, H:], h_n[3]))

top = h_n.view(2, 2, 2, H)[-1]  # (num_layers, directions, batch, H)[-1]
features = torch.cat([top[0], top[1]], dim=1)  # (batch, 2 * H)
print(features.shape)
# --8<-- [end:bidirectional]

# --8<-- [start:pad]
torch.manual_seed(0)
seqs = [torch.randn(5, 3), torch.randn(3, 3), torch.randn(2, 3)]
lengths = torch.tensor([len(s) for s in seqs])
padded = pad_sequence(seqs, batch_first=True)  # (batch, longest, input_size)
print(padded.shape)
print(padded[2])

gru = nn.GRU(input_size=3, hidden_size=4, batch_first=True)
# zh: 参照：每个序列单独跑，不填充
# en: the reference: each sequence on its own, no padding
h_alone = torch.cat([gru(s.unsqueeze(0))[1] for s in seqs], dim=1)  # (1, batch, 4)

_, h_padded = gru(padded)
print([torch.allclose(h_padded[0, i], h_alone[0, i]) for i in range(3)])
# --8<-- [end:pad]

# --8<-- [start:pack]
packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
print(packed.data.shape, packed.batch_sizes)

out_packed, h_packed = gru(packed)
print([torch.allclose(h_packed[0, i], h_alone[0, i]) for i in range(3)])

out, out_lengths = pad_packed_sequence(out_packed, batch_first=True)
print(out.shape, out_lengths)
# zh: 第三个序列只有 2 步，之后都是零
# en: the third sequence has only 2 steps; zeros after them
print(out[2])
# --8<-- [end:pack]

# --8<-- [start:names-data]
# zh: 数据文件是 snippets/data/names.csv；snippets/ 在导入路径 sys.path 上
# en: the file is snippets/data/names.csv; snippets/ is on the import path sys.path
path = next(Path(p, "data/names.csv") for p in sys.path
            if Path(p, "data/names.csv").is_file())
with path.open(encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
countries = sorted({row["country"] for row in rows})
print(f"{len(rows)=}", {c: sum(row["country"] == c for row in rows) for c in countries})
print([(row["name"], row["country"]) for row in rows[::60]])

# zh: 每个国家各取 20% 作测试集（分层抽样，带种子）
# en: 20% of each country's names for the test set (stratified, seeded)
g = torch.Generator().manual_seed(0)
train_rows, test_rows = [], []
for c in countries:
    group = [row for row in rows if row["country"] == c]
    order = torch.randperm(len(group), generator=g).tolist()
    n_test = len(group) // 5
    test_rows += [group[i] for i in order[:n_test]]
    train_rows += [group[i] for i in order[n_test:]]
print(f"{len(train_rows)=}  {len(test_rows)=}")
# --8<-- [end:names-data]

# --8<-- [start:names-encode]
# zh: a 到 z 编号为 1 到 26，0 留给填充
# en: a to z get the indices 1 to 26; 0 is kept for padding
char_to_ix = {ch: i + 1 for i, ch in enumerate(string.ascii_lowercase)}


def encode(names):
    seqs = [torch.tensor([char_to_ix[ch] for ch in name.lower()]) for name in names]
    lengths = torch.tensor([len(s) for s in seqs])
    return pad_sequence(seqs, batch_first=True), lengths  # (N, longest), (N,)


X_train, len_train = encode([row["name"] for row in train_rows])
y_train = torch.tensor([countries.index(row["country"]) for row in train_rows])
X_test, len_test = encode([row["name"] for row in test_rows])
y_test = torch.tensor([countries.index(row["country"]) for row in test_rows])
print(X_train.shape, X_test.shape)
print(train_rows[0]["name"], X_train[0], len_train[0])
# --8<-- [end:names-encode]


# --8<-- [start:names-model]
class NameClassifier(nn.Module):
    def __init__(self, num_classes, num_chars=27, embedding_dim=16, hidden_size=32):
        super().__init__()
        self.emb = nn.Embedding(num_chars, embedding_dim, padding_idx=0)
        self.rnn = nn.GRU(embedding_dim, hidden_size, batch_first=True,
                          bidirectional=True)
        self.fc = nn.Linear(2 * hidden_size, num_classes)

    def forward(self, x, lengths):  # x: (batch, longest), lengths: (batch,)
        packed = pack_padded_sequence(self.emb(x), lengths, batch_first=True,
                                      enforce_sorted=False)
        _, h_n = self.rnn(packed)  # (2, batch, hidden_size)
        return self.fc(torch.cat([h_n[0], h_n[1]], dim=1))  # (batch, num_classes)


def accuracy(model, X, lengths, y):
    model.eval()
    with torch.no_grad():
        return (model(X, lengths).argmax(dim=1) == y).float().mean().item()


def train(model, X=X_train, lengths=len_train, y=y_train, epochs=15, lr=0.01,
          log=True):
    g = torch.Generator().manual_seed(0)
    loader = DataLoader(TensorDataset(X, lengths, y), batch_size=32, shuffle=True,
                        generator=g)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(1, epochs + 1):
        model.train()
        total = 0.0
        for xb, lb, yb in loader:
            loss = loss_fn(model(xb, lb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
        if log and epoch % 5 == 0:
            train_acc = accuracy(model, X, lengths, y)
            print(f"{epoch=:2d}  loss={total / len(y):.4f}  {train_acc=:.3f}")
    return model
# --8<-- [end:names-model]

# --8<-- [start:names-train]
torch.manual_seed(0)
model = NameClassifier(num_classes=len(countries))
n_params = sum(p.numel() for p in model.parameters())
print(f"{n_params=}")
train(model)
test_acc = accuracy(model, X_test, len_test, y_test)
chance = 1 / len(countries)
print(f"{test_acc=:.3f}  {chance=:.3f}")
# --8<-- [end:names-train]

# --8<-- [start:names-confusion]
model.eval()
with torch.no_grad():
    pred = model(X_test, len_test).argmax(dim=1)
C = len(countries)
# zh: 第 i 行第 j 列：真实国家为 i、预测为 j 的个数
# en: row i, column j: how many names of country i were predicted as j
confusion = torch.bincount(y_test * C + pred, minlength=C * C).view(C, C)
for i, c in enumerate(countries):
    print(f"{c}: {confusion[i, i].item()}/{confusion[i].sum().item()}")
plot.confusion(confusion.numpy(), labels=countries)
plt.show()
# --8<-- [end:names-confusion]

# --8<-- [start:names-predict]
def predict(names, top=2):
    X, lengths = encode(names)
    model.eval()
    with torch.no_grad():
        probs = torch.softmax(model(X, lengths), dim=1)
    for name, p in zip(names, probs):
        values, indices = p.topk(top)
        print(f"{name:15}",
              "  ".join(f"{countries[i]} {v:.2f}" for v, i in zip(values, indices)))


predict(["Zhuang", "Miyazaki", "Schwarzenegger", "Bellucci", "Gorbachev", "Almodovar",
         "Smith"])
# --8<-- [end:names-predict]

# --8<-- [start:ex1]
gru_ex = nn.GRU(input_size=8, hidden_size=16, num_layers=2, bidirectional=True,
                batch_first=True)
out_ex, h_n_ex = gru_ex(torch.randn(4, 7, 8))  # (batch, seq_len, input_size)
print("out:", tuple(out_ex.shape), " h_n:", tuple(h_n_ex.shape))
# zh: h_n[3] 是第 1 层（最上层）反向的最终状态
# en: h_n[3] is the final backward state of layer 1 (the top layer)
print(torch.allclose(out_ex[:, 0, 16:], h_n_ex[3]))
# --8<-- [end:ex1]


# --8<-- [start:ex2]
class LSTMNameClassifier(NameClassifier):
    def __init__(self, num_classes, embedding_dim=16, hidden_size=32):
        super().__init__(num_classes, embedding_dim=embedding_dim,
                         hidden_size=hidden_size)
        self.rnn = nn.LSTM(embedding_dim, hidden_size, batch_first=True,
                           bidirectional=True)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(self.emb(x), lengths, batch_first=True,
                                      enforce_sorted=False)
        # zh: LSTM 返回 (h_n, c_n)
        # en: an LSTM returns (h_n, c_n)
        _, (h_n, c_n) = self.rnn(packed)
        return self.fc(torch.cat([h_n[0], h_n[1]], dim=1))


# zh: 选模型要用验证集：训练集里每个国家再分出 12 个名字
# en: choosing a model takes a validation set: 12 training names of each country
is_val = torch.zeros(len(y_train), dtype=torch.bool)
for c in range(len(countries)):
    is_val[(y_train == c).nonzero().flatten()[:12]] = True
fit = X_train[~is_val], len_train[~is_val], y_train[~is_val]
val = X_train[is_val], len_train[is_val], y_train[is_val]
print(f"fit {len(fit[2])}  val {len(val[2])}")

# zh: 每种模型训练 3 次，种子决定初始权重
# en: each model trained 3 times; the seed sets the initial weights
val_accs = {"GRU": [], "LSTM": []}
for seed in range(3):
    for name, make in [("GRU", NameClassifier), ("LSTM", LSTMNameClassifier)]:
        torch.manual_seed(seed)
        trained = train(make(num_classes=len(countries)), *fit, log=False)
        val_accs[name].append(accuracy(trained, *val))
mean_val = {name: sum(accs) / len(accs) for name, accs in val_accs.items()}
for name, accs in val_accs.items():
    print(f"{name:4}", [round(a, 3) for a in accs], f" mean {mean_val[name]:.3f}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
n = len(y_test)
# zh: 比例的标准误差 sqrt(p (1 - p) / n)
# en: the standard error of a proportion, sqrt(p (1 - p) / n)
se = (test_acc * (1 - test_acc) / n) ** 0.5
print(f"{n=}  {test_acc=:.3f}  {se=:.3f}")
# --8<-- [end:ex3]
