"""反向传播与计算图 / Backpropagation and computation graphs: the code of docs/backprop.zh.md
and docs/backprop.en.md, in page order.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/backprop.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch

from plot.backprop import draw_chain, draw_graph, draw_layer

torch.manual_seed(0)
print(torch.__version__)
# --8<-- [end:imports]

# --8<-- [start:count-weights]
# zh: 一层 5 -> 6：权重矩阵 W 和偏置 b 就是两个张量
# en: one layer 5 -> 6: the weight matrix W and the bias b are just two tensors
W = torch.randn(5, 6)
b = torch.randn(6)
x = torch.randn(1, 5)
h = x @ W + b
print(h.shape)
print(W.numel(), b.numel(), W.numel() + b.numel())
# --8<-- [end:count-weights]

# --8<-- [start:fc-figure]
draw_layer(5, 6)
plt.show()
# --8<-- [end:fc-figure]

# --8<-- [start:two-layer-figure]
chain = [("$x$", "data"), ("MM", "op"), ("ADD", "op"), ("MM", "op"), ("ADD", "op"),
         (r"$\hat{y}$", "out")]
draw_chain(chain, params={1: "$W_1$", 2: "$b_1$", 3: "$W_2$", 4: "$b_2$"})
plt.show()
# --8<-- [end:two-layer-figure]

# --8<-- [start:collapse]
# zh: 两层：5 -> 6 -> 2，一批 100 个样本，每行一个
# en: two layers, 5 -> 6 -> 2, a batch of 100 samples, one per row
W1, b1 = torch.randn(5, 6), torch.randn(6)
W2, b2 = torch.randn(6, 2), torch.randn(2)
X = torch.randn(100, 5)
Y = (X @ W1 + b1) @ W2 + b2

# zh: 合并成一层：W = W1 W2，b = b1 W2 + b2
# en: merged into one layer: W = W1 W2, b = b1 W2 + b2
W = W1 @ W2
b = b1 @ W2 + b2
Y_one = X @ W + b
print(W.shape, b.shape)
print(torch.allclose(Y, Y_one, atol=1e-5))
# --8<-- [end:collapse]


# --8<-- [start:nonlinear]
def best_linear_error(X, Y):
    # zh: 最好的单个线性层（最小二乘）从 X 拟合 Y 的最大误差，除以输出的最大值
    # en: largest error of the best linear layer (least squares), over the max output
    A = torch.cat([X, torch.ones(len(X), 1)], dim=1)
    coef = torch.linalg.lstsq(A, Y).solution
    return ((A @ coef - Y).abs().max() / Y.abs().max()).item()


Y_relu = torch.relu(X @ W1 + b1) @ W2 + b2
print(f"{best_linear_error(X, Y):.2f}")
print(f"{best_linear_error(X, Y_relu):.2f}")
# --8<-- [end:nonlinear]

# --8<-- [start:by-hand]
x, y, w = 1.0, 2.0, 1.0
# zh: 前向
# en: forward
y_hat = x * w
r = y_hat - y
loss = r**2
print(f"{y_hat=} {r=} {loss=}")
# zh: 反向：下游梯度 = 上游梯度 × 局部梯度
# en: backward: downstream gradient = upstream gradient * local gradient
dloss_dr = 2 * r
dloss_dyhat = dloss_dr * 1
dloss_dw = dloss_dyhat * x
print(f"{dloss_dr=} {dloss_dyhat=} {dloss_dw=}")
# --8<-- [end:by-hand]

# --8<-- [start:by-autograd]
w_t = torch.tensor(1.0, requires_grad=True)
y_hat_t = x * w_t
# zh: 让中间节点 y_hat 也保留梯度，便于对照
# en: keep the gradient of the intermediate node y_hat too, to compare
y_hat_t.retain_grad()
loss_t = (y_hat_t - y) ** 2
loss_t.backward()
print(loss_t.item(), y_hat_t.grad.item(), w_t.grad.item())
# --8<-- [end:by-autograd]

# --8<-- [start:graph-figure]
draw_graph(
    {"x": 1, "w": 1, "y_hat": 1, "y": 2, "r": -1, "loss": 1},
    {"w": r"$\partial L/\partial w = -2$",
     "y_hat": r"$\partial L/\partial \hat{y} = -2$",
     "r": r"$\partial L/\partial r = 2r = -2$",
     "loss": r"$\partial L/\partial L = 1$"},
)
plt.show()
# --8<-- [end:graph-figure]

# --8<-- [start:bias-by-hand]
x, y, w, b = 1.0, 2.0, 1.0, 2.0
y_hat = x * w + b
r = y_hat - y
loss = r**2
dloss_dr = 2 * r
# zh: 乘法节点的局部梯度是另一个因子 x；加法节点的局部梯度是 1
# en: the local gradient of the product is the other factor x; of the sum, 1
dloss_dw = dloss_dr * 1 * x
dloss_db = dloss_dr * 1 * 1
print(f"{y_hat=} {r=} {loss=}")
print(f"{dloss_dw=} {dloss_db=}")
# --8<-- [end:bias-by-hand]

# --8<-- [start:bias-by-autograd]
w_t = torch.tensor(1.0, requires_grad=True)
b_t = torch.tensor(2.0, requires_grad=True)
loss_t = (x * w_t + b_t - y) ** 2
loss_t.backward()
print(loss_t.item(), w_t.grad.item(), b_t.grad.item())
# --8<-- [end:bias-by-autograd]

# --8<-- [start:bias-figure]
draw_graph(
    {"x": 1, "w": 1, "b": 2, "y_hat": 3, "y": 2, "r": 1, "loss": 1},
    {"w": r"$\partial L/\partial w = 2$",
     "b": r"$\partial L/\partial b = 2$",
     "y_hat": r"$\partial L/\partial \hat{y} = 2$",
     "r": r"$\partial L/\partial r = 2r = 2$",
     "loss": r"$\partial L/\partial L = 1$"},
)
plt.show()
# --8<-- [end:bias-figure]

# --8<-- [start:matrix-forward]
torch.manual_seed(0)
N = 4
X = torch.randn(N, 5)
T = torch.randn(N, 2)
W1, b1 = torch.randn(5, 6), torch.randn(6)
W2, b2 = torch.randn(6, 2), torch.randn(2)

Z = X @ W1 + b1
H = torch.relu(Z)
Y = H @ W2 + b2
L = ((Y - T) ** 2).mean()
print(Z.shape, H.shape, Y.shape, L.item())
# --8<-- [end:matrix-forward]

# --8<-- [start:matrix-backward]
# zh: 从损失往回走；每个梯度与它对应的张量形状相同
# en: walk back from the loss; every gradient has the shape of its tensor
dY = 2 * (Y - T) / Y.numel()
dW2 = H.T @ dY
db2 = dY.sum(dim=0)
dH = dY @ W2.T
dZ = dH * (Z > 0)
dW1 = X.T @ dZ
db1 = dZ.sum(dim=0)
print(dY.shape, dW2.shape, db2.shape, dH.shape, dW1.shape, db1.shape)
# --8<-- [end:matrix-backward]

# --8<-- [start:matrix-check]
params = [p.clone().requires_grad_() for p in (W1, b1, W2, b2)]
W1_t, b1_t, W2_t, b2_t = params
Y_t = torch.relu(X @ W1_t + b1_t) @ W2_t + b2_t
((Y_t - T) ** 2).mean().backward()
for name, mine, p in zip(["W1", "b1", "W2", "b2"], [dW1, db1, dW2, db2], params):
    print(name, tuple(mine.shape), torch.allclose(mine, p.grad))
# --8<-- [end:matrix-check]

# --8<-- [start:matrix-figure]
chain = [("$X$", "data"), ("$XW_1$", "op"), ("$Z$", "op"), ("$H$", "op"),
         ("$HW_2$", "op"), ("$Y$", "op"), ("$L$", "out")]
grads = {"$W_1$": r"$X^\top \bar{Z}$", "$b_1$": r"$\sum_n \bar{Z}$",
         "$W_2$": r"$H^\top \bar{Y}$", "$b_2$": r"$\sum_n \bar{Y}$",
         "$Z$": r"$\bar{H} \odot [Z > 0]$", "$H$": r"$\bar{Y} W_2^\top$",
         "$Y$": r"$\frac{2}{NC}(Y - T)$", "$L$": "$1$"}
draw_chain(chain, params={1: "$W_1$", 2: "$b_1$", 4: "$W_2$", 5: "$b_2$", 6: "$T$"},
           grads=grads, step=1.7)
plt.show()
# --8<-- [end:matrix-figure]

# --8<-- [start:ex1]
W_a, b_a = torch.empty(784, 128), torch.empty(128)
W_b, b_b = torch.empty(128, 10), torch.empty(10)
print(W_a.numel(), W_a.numel() + b_a.numel())
print(sum(t.numel() for t in (W_a, b_a, W_b, b_b)))
# --8<-- [end:ex1]

# --8<-- [start:ex2]
# zh: 把 ReLU 换成 tanh：只有“穿过激活函数”这一步的局部梯度变了
# en: ReLU replaced by tanh: only the local gradient through the activation changes
H = torch.tanh(X @ W1 + b1)
Y = H @ W2 + b2
dY = 2 * (Y - T) / Y.numel()
dH = dY @ W2.T
# zh: tanh'(z) = 1 - tanh(z)^2 = 1 - H^2
# en: tanh'(z) = 1 - tanh(z)^2 = 1 - H^2
dZ = dH * (1 - H**2)
dW1 = X.T @ dZ

W1_t = W1.clone().requires_grad_()
Y_t = torch.tanh(X @ W1_t + b1) @ W2 + b2
((Y_t - T) ** 2).mean().backward()
print(torch.allclose(dW1, W1_t.grad))
# --8<-- [end:ex2]

# --8<-- [start:ex3]
torch.manual_seed(0)
X = torch.randn(100, 5)
Z = X @ torch.randn(5, 6) + torch.randn(6)
W2, b2 = torch.randn(6, 2), torch.randn(2)
activations = {
    "3z": lambda z: 3 * z,
    "relu": torch.relu,
    "tanh": torch.tanh,
    "z**2": lambda z: z**2,
    "sin": torch.sin,
}
for name, f in activations.items():
    print(f"{name:5} {best_linear_error(X, f(Z) @ W2 + b2):.2f}")

# zh: 不坍缩还不够：一个隐藏层能逼近 sin 2x 吗？隐藏层随机，输出层取最好的（最小二乘）
# en: not collapsing is not enough: can one hidden layer approximate sin 2x? a random
# en: hidden layer, and the best output layer (least squares)
# zh: 误差保留两位小数（更后面的位数随最小二乘的舍入而变）
# en: errors to two decimals (the digits beyond vary with the rounding of least squares)
x = torch.linspace(-3, 3, 200, dtype=torch.float64).unsqueeze(1)
target = torch.sin(2 * x)
gen = torch.Generator().manual_seed(0)
fit_error = {}
for width in (10, 30, 100):
    # zh: 每个隐藏单元是 w (x - c)：斜率 w 随机，中心 c 均匀地排在 (-3, 3) 里
    # en: each hidden unit is w (x - c): a random slope w, centers c evenly in (-3, 3)
    w = torch.randn(1, width, generator=gen, dtype=torch.float64)
    c = torch.linspace(-3, 3, width + 2, dtype=torch.float64)[1:-1]
    Z_x = (x - c) * w
    for name in ("relu", "tanh", "z**2", "sin"):
        fit_error[name, width] = best_linear_error(activations[name](Z_x), target)
    print(f"{width=:3}", {name: round(fit_error[name, width], 2)
                          for name in ("relu", "tanh", "z**2", "sin")})
# zh: z**2 的隐藏层只能给出 x 的二次多项式：与直接用 x、x**2 拟合的误差相同
# en: a z**2 hidden layer gives only quadratics in x: the same error as fitting x, x**2
print(round(best_linear_error(torch.cat([x, x**2], dim=1), target), 2))
# --8<-- [end:ex3]
