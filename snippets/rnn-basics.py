"""循环神经网络基础 / RNN basics: the code of docs/rnn-basics.zh.md and .en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page on its own with `python snippets/rnn-basics.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from plot.rnn import draw_unrolled

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:diagram]
draw_unrolled(steps=4)
plt.show()
# --8<-- [end:diagram]

# --8<-- [start:cell]
seq_len, batch_size, input_size, hidden_size = 3, 2, 4, 5
cell = nn.RNNCell(input_size=input_size, hidden_size=hidden_size)

xs = torch.randn(seq_len, batch_size, input_size)  # (seq_len, batch, input_size)
h = torch.zeros(batch_size, hidden_size)  # h_0
hs = []
for t in range(seq_len):
    # zh: 每一步：x_t 和上一步的 h 进去，新的 h 出来
    # en: one step: x_t and the previous h go in, the new h comes out
    h = cell(xs[t], h)
    hs.append(h)
    print(f"t={t}  x_t: {tuple(xs[t].shape)}  h_t: {tuple(h.shape)}")
hs = torch.stack(hs)  # (seq_len, batch, hidden_size)
print(hs.shape)
# --8<-- [end:cell]

# --8<-- [start:cell-by-hand]
for name, p in cell.named_parameters():
    print(f"{name:10} {tuple(p.shape)}")

h_0 = torch.zeros(batch_size, hidden_size)
h_1 = torch.tanh(xs[0] @ cell.weight_ih.T + cell.bias_ih
                 + h_0 @ cell.weight_hh.T + cell.bias_hh)
print(torch.allclose(h_1, hs[0]))
# --8<-- [end:cell-by-hand]

# --8<-- [start:rnn]
rnn = nn.RNN(input_size=input_size, hidden_size=hidden_size)  # num_layers=1
# zh: 把 RNNCell 的四个参数原样复制过来：名字多了层号后缀 _l0
# en: copy the cell's four parameters; nn.RNN adds the layer suffix _l0 to their names
rnn.load_state_dict({name + "_l0": p for name, p in cell.state_dict().items()})

out, h_n = rnn(xs, torch.zeros(1, batch_size, hidden_size))
print("out:", tuple(out.shape), " h_n:", tuple(h_n.shape))
print(torch.allclose(out, hs), torch.allclose(h_n[0], hs[-1]))
# --8<-- [end:rnn]

# --8<-- [start:batch-first]
rnn_bf = nn.RNN(input_size, hidden_size, batch_first=True)
rnn_bf.load_state_dict(rnn.state_dict())

xs_bf = xs.transpose(0, 1)  # (batch, seq_len, input_size)
# zh: 省略 h_0 时，初始隐藏状态为全零
# en: with h_0 left out, the initial hidden state is all zeros
out_bf, h_n_bf = rnn_bf(xs_bf)
print("input:", tuple(xs_bf.shape), " out:", tuple(out_bf.shape),
      " h_n:", tuple(h_n_bf.shape))
print(torch.allclose(out_bf.transpose(0, 1), out), torch.allclose(h_n_bf, h_n))
# --8<-- [end:batch-first]

# --8<-- [start:layers]
rnn2 = nn.RNN(input_size, hidden_size, num_layers=2)
out2, h_n2 = rnn2(xs)
print("out:", tuple(out2.shape), " h_n:", tuple(h_n2.shape))
# zh: output 的最后一步 = h_n 的最后一层
# en: the last step of output = the last layer of h_n
print(torch.allclose(out2[-1], h_n2[-1]))
# --8<-- [end:layers]

# --8<-- [start:hello-data]
idx2char = ["e", "h", "l", "o"]
x_idx = torch.tensor([1, 0, 2, 2, 3])  # h e l l o
y_idx = torch.tensor([3, 1, 2, 3, 2])  # o h l o l

# (seq_len, batch=1, input_size)
inputs = F.one_hot(x_idx, num_classes=4).float().view(5, 1, 4)
labels = y_idx.view(5, 1)  # (seq_len, batch=1)
print(inputs.squeeze(1))
print(labels.squeeze(1))
# --8<-- [end:hello-data]

# --8<-- [start:hello-train]
torch.manual_seed(3)
# zh: 隐藏状态 4 维：h_t 直接当作 e、h、l、o 四个类别的分数
# en: a hidden state of 4: h_t serves directly as the scores of the classes e, h, l, o
net = nn.RNNCell(input_size=4, hidden_size=4)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.1)

predictions = []
net.train()
for epoch in range(1, 16):
    h = torch.zeros(1, 4)
    loss = 0
    predicted = ""
    for x_t, y_t in zip(inputs, labels):
        h = net(x_t, h)
        # zh: 每一步一个损失，五步加起来
        # en: one loss per step, summed over the five steps
        loss = loss + criterion(h, y_t)
        predicted += idx2char[h.argmax(dim=1).item()]
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    predictions.append(predicted)
    print(f"{epoch=:2d}  loss={loss.item():.4f}  predicted={predicted}")
# --8<-- [end:hello-train]

# --8<-- [start:hello-floor]
net.eval()
with torch.no_grad():
    h = torch.zeros(1, 4)
    for x_t in inputs:
        h = net(x_t, h)
        print(h.squeeze(0), idx2char[h.argmax().item()])

# zh: tanh 把分数限制在 (-1, 1)
# en: tanh keeps the scores in (-1, 1)
# zh: 最好的情况是正确类别 +1，其余三类 -1
# en: at best the right class gets +1 and the other three -1
floor = F.cross_entropy(torch.tensor([[1.0, -1.0, -1.0, -1.0]]), torch.tensor([0]))
print(f"{floor=:.4f}  {5 * floor=:.4f}")
# --8<-- [end:hello-floor]

# --8<-- [start:embedding]
emb = nn.Embedding(num_embeddings=4, embedding_dim=3)
one_hot = F.one_hot(x_idx, num_classes=4).float()  # (5, 4)
print(emb(x_idx))
print(torch.allclose(one_hot @ emb.weight, emb(x_idx)))
# --8<-- [end:embedding]


# --8<-- [start:char-model]
class CharRNN(nn.Module):
    def __init__(self, num_chars=4, embedding_dim=10, hidden_size=8, num_layers=2):
        super().__init__()
        self.emb = nn.Embedding(num_chars, embedding_dim)
        self.rnn = nn.RNN(embedding_dim, hidden_size, num_layers=num_layers,
                          batch_first=True)
        self.fc = nn.Linear(hidden_size, num_chars)

    def forward(self, x):  # x: (batch, seq_len)
        out, _ = self.rnn(self.emb(x))  # (batch, seq_len, hidden_size)
        return self.fc(out)  # (batch, seq_len, num_chars)


torch.manual_seed(0)
model = CharRNN()
x_seq = x_idx.view(1, 5)  # (batch=1, seq_len=5)
print(model(x_seq).shape)
n_params = sum(p.numel() for p in model.parameters())
print(f"{n_params=}")
# --8<-- [end:char-model]

# --8<-- [start:char-train]
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
char_predictions = []
model.train()
for epoch in range(1, 16):
    logits = model(x_seq)  # (1, 5, 4)
    # zh: CrossEntropyLoss 要 (N, C) 的分数和 (N,) 的标签
    # en: CrossEntropyLoss wants (N, C) scores and (N,) labels
    # zh: 所以把批和时间步并成一维
    # en: so merge batch and time steps
    loss = criterion(logits.view(-1, 4), y_idx)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    predicted = "".join(idx2char[i] for i in logits.argmax(dim=2)[0].tolist())
    char_predictions.append(predicted)
    print(f"{epoch=:2d}  loss={loss.item():.4f}  predicted={predicted}")

model.eval()
with torch.no_grad():
    probs = torch.softmax(model(x_seq), dim=2)[0]
print(probs.max(dim=1).values)
# --8<-- [end:char-train]

# --8<-- [start:ex1]
rnn_ex = nn.RNN(input_size=10, hidden_size=20, num_layers=2, batch_first=True)
out_ex, h_n_ex = rnn_ex(torch.randn(3, 5, 10))  # (batch, seq_len, input_size)
print("out:", tuple(out_ex.shape), " h_n:", tuple(h_n_ex.shape))
for name, p in rnn_ex.named_parameters():
    print(f"{name:12} {tuple(p.shape)}")
n_params = sum(p.numel() for p in rnn_ex.parameters())
print(f"{n_params=}")
# --8<-- [end:ex1]

# --8<-- [start:ex2]
cell_1 = nn.RNNCell(input_size, hidden_size)  # x_t -> h1_t
cell_2 = nn.RNNCell(hidden_size, hidden_size)  # h1_t -> h2_t
cell_1.load_state_dict({name: rnn2.state_dict()[name + "_l0"]
                        for name in cell_1.state_dict()})
cell_2.load_state_dict({name: rnn2.state_dict()[name + "_l1"]
                        for name in cell_2.state_dict()})

h1 = torch.zeros(batch_size, hidden_size)
h2 = torch.zeros(batch_size, hidden_size)
tops = []
for t in range(seq_len):
    h1 = cell_1(xs[t], h1)
    h2 = cell_2(h1, h2)
    tops.append(h2)
print(torch.allclose(torch.stack(tops), out2))
print(torch.allclose(torch.stack([h1, h2]), h_n2))
# --8<-- [end:ex2]

# --8<-- [start:ex3]
torch.manual_seed(0)
net0 = nn.RNNCell(input_size=4, hidden_size=4)
optimizer = torch.optim.Adam(net0.parameters(), lr=0.1)
for epoch in range(1, 101):
    h = torch.zeros(1, 4)
    loss = 0
    predicted = ""
    for x_t, y_t in zip(inputs, labels):
        h = net0(x_t, h)
        loss = loss + criterion(h, y_t)
        predicted += idx2char[h.argmax(dim=1).item()]
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch in (15, 100):
        print(f"{epoch=:3d}  loss={loss.item():.4f}  predicted={predicted}")

with torch.no_grad():
    h = torch.zeros(1, 4)
    for t, x_t in enumerate(inputs):
        h = net0(x_t, h)
        # zh: 第 4 步：第二个 l，目标是 o
        # en: step 4: the second l, whose target is o
        if t == 3:
            print("h_4 =", h.squeeze(0))
            print("tanh' = 1 - h_4^2 =", (1 - h**2).squeeze(0))
# --8<-- [end:ex3]

# --8<-- [start:ex4]
torch.manual_seed(0)
# zh: 每个字母单独分类，没有隐藏状态
# en: each letter classified on its own, with no hidden state
no_memory = nn.Linear(4, 4)
optimizer = torch.optim.Adam(no_memory.parameters(), lr=0.1)
one_hot = F.one_hot(x_idx, num_classes=4).float()  # (5, 4)
for epoch in range(200):
    loss = criterion(no_memory(one_hot), y_idx)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with torch.no_grad():
    probs = torch.softmax(no_memory(one_hot), dim=1)
# zh: 行依次是 h e l l o 五步，列是 e h l o 四个类别
# en: rows are the steps h e l l o, columns the classes e h l o
print(probs.round(decimals=3))
acc = (probs.argmax(dim=1) == y_idx).float().mean()
print(f"{acc=:.2f}")
# --8<-- [end:ex4]
