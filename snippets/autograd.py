"""自动求导 / Autograd: the code of docs/autograd.zh.md and docs/autograd.en.md, in order.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/autograd.py`.
"""
# --8<-- [start:imports]
import math

import matplotlib.pyplot as plt
import torch

from plot.autograd import small_graph, tensor_and_grad

torch.manual_seed(0)
print(torch.__version__)
# --8<-- [end:imports]

# --8<-- [start:requires-grad]
# zh: requires_grad=True：记录之后对 x 做的运算，以便求梯度
# en: requires_grad=True: record the operations on x so that gradients can be computed
x = torch.tensor([3.0], requires_grad=True)
# zh: 还没有做过反向传播：None
# en: no backward pass yet: None
print(x.grad)
print(x.requires_grad, x.is_leaf)
# --8<-- [end:requires-grad]

# --8<-- [start:first-backward]
# y = 3x^2
y = x * x * 3
# zh: y 记得自己是由哪个运算得到的：grad_fn
# en: y remembers the operation that made it: grad_fn
print(y)
# zh: 求 dy/dx，存进 x.grad
# en: compute dy/dx and store it in x.grad
y.backward()
# dy/dx = 6x = 18
print(x.grad)
# --8<-- [end:first-backward]

# --8<-- [start:accumulate]
# zh: 同一个函数，一张新的计算图
# en: the same function, a new graph
z = x * x * 3
z.backward()
# zh: 18 + 18 = 36：加到原来的值上，而不是覆盖
# en: 18 + 18 = 36: added to the old value, not overwritten
print(x.grad)
# --8<-- [end:accumulate]

# --8<-- [start:zero-grad]
# zh: 原地清零累加的梯度
# en: clear the accumulated gradient, in place
x.grad.zero_()
print(x.grad)
u = x * x * 3
u.backward()
# zh: 又是 18
# en: 18 again
print(x.grad)
# --8<-- [end:zero-grad]

# --8<-- [start:backward-twice]
x.grad = None
y = x * x * 3
y.backward()
# zh: 第一次 backward 已经释放了这张图保存的中间值
# en: the first backward freed the values this graph had saved
try:
    y.backward()
except RuntimeError as error:
    print("RuntimeError:", error)
# zh: retain_graph=True 让图保留下来，才能再反向传播一次
# en: retain_graph=True keeps the graph, so that it can be used again
x.grad = None
y = x * x * 3
y.backward(retain_graph=True)
y.backward()
# zh: 两次都是 18，累加成 36
# en: 18 twice, accumulated to 36
print(x.grad)
# --8<-- [end:backward-twice]

# --8<-- [start:non-scalar]
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
# zh: 一个 2x2 的矩阵，不是标量
# en: a 2x2 matrix, not a scalar
y = x**2
# zh: 给 y 的每个元素一个权重
# en: one weight per element of y
grad_tensor = torch.ones_like(y)
y.backward(grad_tensor)
# 2x
print(x.grad)
# --8<-- [end:non-scalar]

# --8<-- [start:non-scalar-sum]
# zh: 忘掉旧梯度的另一种办法
# en: another way to forget the old gradient
x.grad = None
# zh: 同一件事，写成对标量求导
# en: the same thing, written as a scalar
(x**2).sum().backward()
print(x.grad)
x.grad = None
# zh: 换一组权重
# en: other weights
(x**2).backward(torch.tensor([[1.0, 0.0], [0.0, 10.0]]))
print(x.grad)
# --8<-- [end:non-scalar-sum]

# --8<-- [start:small-graph]
a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(1.0, requires_grad=True)
c = a + b
d = b + 1
e = c * d
print(f"{c=}")
print(f"{d=}")
print(f"{e=}")
# --8<-- [end:small-graph]

# --8<-- [start:small-graph-backward]
e.backward()
# de/da = d = 2
print(f"{a.grad=}")
# de/db = d + c = 2 + 3 = 5
print(f"{b.grad=}")
# zh: 只有叶子张量保存 .grad；c 是中间结果
# en: only leaves keep .grad; c is an intermediate result
print(a.is_leaf, c.is_leaf)
# --8<-- [end:small-graph-backward]

# --8<-- [start:small-graph-figure]
small_graph(a, b, c, d, e)
plt.show()
# --8<-- [end:small-graph-figure]


# --8<-- [start:check-f]
def f(x):
    return (x - 2) ** 2


# zh: 手推：f'(x) = 2(x - 2)
# en: by hand: f'(x) = 2(x - 2)
def fp(x):
    return 2 * (x - 2)


x = torch.tensor([1.0], requires_grad=True)
y = f(x)
y.backward()
print(f"{fp(x)=}")
print(f"{x.grad=}")
# --8<-- [end:check-f]


# --8<-- [start:check-g]
def g(w):
    return 2 * w[0] * w[1] + w[1] * torch.cos(w[0])


# zh: 手推：[2 w1 - w1 sin(w0), 2 w0 + cos(w0)]
# en: by hand: [2 w1 - w1 sin(w0), 2 w0 + cos(w0)]
def grad_g(w):
    return torch.stack([
        2 * w[1] - w[1] * torch.sin(w[0]),
        2 * w[0] + torch.cos(w[0]),
    ])


w = torch.tensor([math.pi, 1.0], requires_grad=True)
z = g(w)
z.backward()
print(f"{grad_g(w.detach())=}")
print(f"{w.grad=}")
print(f"{2 * math.pi - 1=}")
# --8<-- [end:check-g]

# --8<-- [start:data-grad]
w = torch.tensor([1.0], requires_grad=True)
# zh: 数值：与 w 共享数据、但不在计算图里的张量
# en: the value: a tensor sharing w's data, cut off from the graph
print(w.detach())
# zh: 还没有 backward：None
# en: None before any backward
print(w.grad)
# x = 2, y = 4
loss = (2.0 * w - 4.0) ** 2
loss.backward()
# zh: grad 也是张量：2 * (2w - 4) * 2 = -8
# en: grad is a tensor too: 2 * (2w - 4) * 2 = -8
print(w.grad, type(w.grad))
# zh: grad 本身不被记录
# en: grad itself is not tracked
print(w.grad.requires_grad)
# --8<-- [end:data-grad]

# --8<-- [start:data-grad-figure]
tensor_and_grad(w)
plt.show()
# --8<-- [end:data-grad-figure]

# --8<-- [start:train-setup]
x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]
# zh: 一个需要梯度的权重
# en: one weight, tracked
w = torch.tensor([1.0], requires_grad=True)


# zh: x 是 Python 浮点数，结果是计算图里的张量
# en: x is a Python float; the result is a tensor in the graph
def forward(x):
    return x * w


def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2


# zh: 训练前的预测：不需要梯度
# en: the prediction before training needs no gradient
with torch.no_grad():
    print(f"y_hat(4) = {forward(4).item():.4f}")
# --8<-- [end:train-setup]

# --8<-- [start:train-loop]
w_history = []
for epoch in range(100):
    for x, y in zip(x_data, y_data):
        # zh: 前向：算出损失，建立计算图
        # en: forward: compute the loss, building the graph
        l = loss(x, y)
        # zh: 反向：填好 w.grad，然后释放计算图
        # en: backward: fill w.grad, then free the graph
        l.backward()
        if epoch < 2:
            print(f"    {x=} {y=} grad={w.grad.item():.4f}")
        # zh: 更新本身不能被记录
        # en: the update itself must not be recorded
        with torch.no_grad():
            w -= 0.01 * w.grad
        # zh: 否则下一个样本的梯度会累加上来
        # en: otherwise the next sample's gradient adds to this one
        w.grad.zero_()
    w_history.append(w.item())
    if epoch < 2 or epoch % 20 == 19:
        print(f"{epoch=} w={w.item():.4f} loss={l.item():.6f}")
with torch.no_grad():
    y_hat_4 = forward(4).item()
print(f"y_hat(4) = {y_hat_4:.4f}")
# --8<-- [end:train-loop]

# --8<-- [start:in-place-saved]
w = torch.tensor([1.0, 2.0], requires_grad=True)
# zh: w * w 的导数要用到 w，自动求导把 w 保存下来（版本 0）
# en: the derivative of w * w needs w, so autograd saved w (version 0)
loss = (w * w).sum()
# zh: 错误的顺序：还没有 backward 就更新了 w，版本变成 1
# en: the wrong order: w is updated before backward, its version becomes 1
with torch.no_grad():
    w -= 0.1
print(w._version)
try:
    loss.backward()
except RuntimeError as error:
    print("RuntimeError:", error)
# zh: 正确的顺序：前向、反向，然后才更新
# en: the right order: forward, backward, and only then the update
loss = (w * w).sum()
loss.backward()
# 2w
print(w.grad)
with torch.no_grad():
    w -= 0.1 * w.grad
print(w)
# --8<-- [end:in-place-saved]

# --8<-- [start:ex1]
x = torch.tensor([2.0], requires_grad=True)
for k in range(1, 5):
    (x * x * 3).backward()
    print(f"{k=} {x.grad=}")
# --8<-- [end:ex1]

# --8<-- [start:ex2]
x_data = [1.0, 2.0, 3.0]
# y = 2x + 1
y_data = [3.0, 5.0, 7.0]
w = torch.tensor([1.0], requires_grad=True)
b = torch.tensor([0.0], requires_grad=True)
for epoch in range(1000):
    for x, y in zip(x_data, y_data):
        l = (x * w + b - y) ** 2
        l.backward()
        with torch.no_grad():
            w -= 0.01 * w.grad
            b -= 0.01 * b.grad
        w.grad.zero_()
        b.grad.zero_()
    if epoch % 250 == 249:
        print(f"{epoch=} w={w.item():.4f} b={b.item():.4f} loss={l.item():.6f}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
w = torch.tensor([1.0], requires_grad=True)
((2.0 * w - 4.0) ** 2).backward()
try:
    w -= 0.01 * w.grad
except RuntimeError as error:
    print("RuntimeError:", error)
# --8<-- [end:ex3]

# --8<-- [start:ex4]
xs = torch.tensor([1.0, 2.0, 3.0, 4.0])
ys = torch.tensor([2.0, 4.0, 6.0, 8.0])
w = torch.tensor([1.0], requires_grad=True)
# zh: 整批一次
# en: the whole batch at once
((xs * w - ys) ** 2).mean().backward()
full = w.grad.clone()
w.grad = None
# zh: 两半各一次，每次乘 1/2，梯度在 w.grad 里相加
# en: two halves, each scaled by 1/2; the gradients add up in w.grad
for part in (slice(0, 2), slice(2, 4)):
    ((xs[part] * w - ys[part]) ** 2).mean().div(2).backward()
print(full, w.grad)
# --8<-- [end:ex4]
