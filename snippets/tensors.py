"""张量 / Tensors: the code of docs/tensors.zh.md and docs/tensors.en.md, in order.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/tensors.py`.
"""
# --8<-- [start:imports]
import numpy as np
import torch

torch.manual_seed(446)
np.random.seed(446)
print(torch.__version__)
# --8<-- [end:imports]

# --8<-- [start:from-list]
data = [[0, 1], [2, 3], [4, 5]]
x_python = torch.tensor(data)
print(x_python)
print(x_python.dtype, x_python.shape)
# --8<-- [end:from-list]

# --8<-- [start:from-numpy]
np_array = np.array(data)
# zh: from_numpy 不复制数据：张量和数组共用同一块内存
# en: from_numpy does not copy: the tensor and the array share memory
x_numpy = torch.from_numpy(np_array)
np_array[0, 0] = 100
print(x_numpy)
np_array[0, 0] = 0
# zh: .numpy() 把张量转回 NumPy 数组
# en: .numpy() turns the tensor back into a NumPy array
print(x_numpy.numpy())
# --8<-- [end:from-numpy]

# --8<-- [start:default-dtype]
a_np = np.array([0.5, 1.5])
print(a_np.dtype)
print(torch.from_numpy(a_np).dtype)
print(torch.tensor([0.5, 1.5]).dtype)
print(torch.get_default_dtype())
# zh: 与 float32 的张量一起计算之前，先转换类型：.float() 或 .to(torch.float32)
# en: convert before computing with float32 tensors: .float() or .to(torch.float32)
print(torch.from_numpy(a_np).float().dtype)
print(torch.from_numpy(a_np).to(torch.float32).dtype)
# --8<-- [end:default-dtype]

# --8<-- [start:tensor-vs-Tensor]
print(torch.tensor([1, 2, 3]).dtype)
print(torch.Tensor([1, 2, 3]).dtype)
print(torch.tensor(3))
# zh: 只看形状：torch.Tensor(3) 里的 3 个数没有初始化，可能是任何值
# en: shape only: the 3 numbers of torch.Tensor(3) are uninitialized, anything at all
print(torch.Tensor(3).shape)
# zh: 一列（形状 (3, 1)）与两列（形状 (3, 2)）
# en: one column (shape (3, 1)) and two columns (shape (3, 2))
print(torch.tensor([[1.0], [2.0], [3.0]]))
print(torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
# --8<-- [end:tensor-vs-Tensor]

# --8<-- [start:from-tensor]
x = torch.tensor([[1.0, 2], [3, 4]])
print(torch.zeros_like(x))
print(torch.ones_like(x))
# zh: [0, 1) 上的均匀分布
# en: uniform on [0, 1)
print(torch.rand_like(x))
# zh: 标准正态分布
# en: standard normal
print(torch.randn_like(x))
# --8<-- [end:from-tensor]

# --8<-- [start:numpy-vs-torch]
x_np = np.array([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]])
x_t = torch.tensor([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]])
y_np = np.array([3, 4, 5.0])
y_t = torch.tensor([3, 4, 5.0])
print(x_np + y_np)
print(x_t + y_t)
# zh: 打印的位数与类型无关：x_np 是 float64，x_t 是 float32
# en: the digits printed say nothing of the type: x_np is float64, x_t float32
print(x_np.dtype, x_t.dtype)
# zh: float32 存不下 0.1 的全部位数；.item() 给出它真正存的值
# en: float32 cannot hold all the digits of 0.1; .item() shows the value it holds
print(x_np[0, 0].item(), x_t[0, 0].item())
m_np = np.array([[1, 2], [3, 4.0]])
m_t = torch.tensor([[1, 2], [3, 4.0]])
# zh: NumPy 用 axis=，PyTorch 用 dim=
# en: axis= in NumPy, dim= in PyTorch
print(np.mean(m_np, axis=0), torch.mean(m_t, dim=0))
# --8<-- [end:numpy-vs-torch]

# --8<-- [start:norms]
# zh: 二维数组的默认范数：所有元素平方和的平方根（Frobenius 范数）
# en: the default norm of a 2-D array: root of the sum of all squares (Frobenius)
print(np.linalg.norm(m_np))
# zh: 把所有元素看成一个向量，求 2-范数：同一个数
# en: all elements as one vector, its 2-norm: the same number
print(torch.linalg.vector_norm(m_t))
# zh: 矩阵范数，默认 ord="fro"：还是同一个数
# en: matrix norm, ord="fro" by default: the same number again
print(torch.linalg.matrix_norm(m_t))
# zh: 其他范数要写明：1-范数（绝对值之和）；谱范数（最大奇异值）
# en: name any other norm: the 1-norm (sum of |x|); spectral (largest singular value)
print(torch.linalg.vector_norm(m_t, ord=1))
print(torch.linalg.matrix_norm(m_t, ord=2))
# --8<-- [end:norms]

# --8<-- [start:matmul]
a = torch.ones((4, 3)) * 6
b = torch.ones(3) * 2
# zh: b 被广播到 a 的 4 行上
# en: b is broadcast over the 4 rows of a
print(a / b)
# zh: 矩阵乘向量，结果形状 (4,)
# en: matrix-vector product, result of shape (4,)
print(a @ b)
# zh: 逐元素（哈达玛）积
# en: element-wise (Hadamard) product
print(a * b)
# --8<-- [end:matmul]

# --8<-- [start:dot-outer]
u = torch.tensor([1.0, 2.0, 3.0])
v = torch.tensor([4.0, 5.0, 6.0])
# 1*4 + 2*5 + 3*6
print(torch.dot(u, v))
# u[i] * v[j]
print(torch.outer(u, v))
# zh: 两个向量之间的 @ 就是点积
# en: between two vectors, @ is the dot product
print(u @ v)
# --8<-- [end:dot-outer]

# --8<-- [start:shape]
print(a.shape)
print(a.T.shape)
# --8<-- [end:shape]

# --8<-- [start:view]
x = torch.arange(1, 7)
print(x.view(2, 3))
# zh: -1 由其余维度和元素总数算出
# en: -1 is worked out from the other sizes and the number of elements
print(x.view(2, -1))
N, C, H, W = 64, 3, 28, 28
X = torch.randn((N, C, H, W))
print(X.shape)
print(X.view(N, C, H * W).shape)
print(X.view(-1, C, H * W).shape)
# --8<-- [end:view]

# --8<-- [start:unsqueeze-squeeze]
v = torch.tensor([1.0, 2.0, 3.0])
# zh: 在第 0 维前加一个长度为 1 的维度：一行；加在第 1 维：一列
# en: a new dimension of size 1 at position 0: one row; at position 1: one column
print(v.shape, v.unsqueeze(0).shape, v.unsqueeze(1).shape)
print(v.unsqueeze(1))
# zh: 一张图片 (C, H, W) 变成只有一张图的批量 (1, C, H, W)
# en: one image (C, H, W) becomes a batch of one image (1, C, H, W)
image = X[0]
print(image.shape, image.unsqueeze(0).shape)
# zh: squeeze 去掉长度为 1 的维度；写明 dim 只去掉那一维
# en: squeeze drops dimensions of size 1; with dim it drops only that one
column = torch.zeros(4, 1)
print(column.squeeze().shape, column.squeeze(1).shape)
# zh: 只有一个样本的批量 (1, 4, 1)：squeeze() 连批量这一维也去掉了
# en: a batch of one sample (1, 4, 1): squeeze() drops the batch dimension too
out = torch.zeros(1, 4, 1)
print(out.squeeze().shape, out.squeeze(2).shape)
# --8<-- [end:unsqueeze-squeeze]

# --8<-- [start:reshape]
m = torch.arange(6).view(2, 3)
t = m.T
print(m.is_contiguous(), t.is_contiguous())
try:
    t.view(6)
except RuntimeError as error:
    print("RuntimeError:", error)
print(t.reshape(6))
print(t.contiguous().view(6))
# --8<-- [end:reshape]

# --8<-- [start:permute]
# zh: 2 x 3 x 4 的张量：permute 按给出的顺序重排各维
# en: a 2 x 3 x 4 tensor: permute reorders the dimensions in the order given
p = torch.arange(24).view(2, 3, 4)
print(p.permute(2, 0, 1).shape)
# zh: 第 (i, j, k) 个元素换到了第 (k, i, j) 个位置
# en: element (i, j, k) moves to position (k, i, j)
print(p[1, 2, 3], p.permute(2, 0, 1)[3, 1, 2])
# zh: transpose 只交换两维；二维张量的 .T 就是 transpose(0, 1)
# en: transpose swaps two dimensions; .T of a 2-D tensor is transpose(0, 1)
print(p.transpose(0, 2).shape)
# zh: NCHW 变成 NHWC（有些库按这个顺序存图片）
# en: NCHW to NHWC (the order some libraries store images in)
X_nhwc = X.permute(0, 2, 3, 1)
print(X_nhwc.shape, X_nhwc.is_contiguous())
# zh: 重排维度不等于改变形状：view 按内存顺序重新分行
# en: reordering dimensions is not reshaping: view re-cuts the rows in memory order
m = torch.arange(6).view(2, 3)
print(m.view(3, 2))
print(m.permute(1, 0))
# --8<-- [end:permute]

# --8<-- [start:broadcast]
x = torch.empty(5, 1, 4, 1)
y = torch.empty(3, 1, 1)
print((x + y).size())
# zh: 零维张量（一个数）与任何形状都能广播
# en: a zero-dimensional tensor (one number) broadcasts with any shape
s = torch.tensor(2.0)
print(s.shape, (s * torch.ones(2, 3)).shape)
try:
    torch.ones(5, 2) + torch.ones(5, 4)
except RuntimeError as error:
    print("RuntimeError:", error)
# --8<-- [end:broadcast]

# --8<-- [start:sum-std-mean]
x_view = torch.arange(1, 7).view(2, 3)
print(x_view)
# zh: dim=0：压缩行，得到每一列的和；dim=1：得到每一行的和
# en: dim=0 collapses the rows (one sum per column); dim=1 gives one sum per row
print(x_view.sum(dim=0))
print(x_view.sum(dim=1))
# zh: std 和 mean 需要浮点数
# en: std and mean need floating point
x_float = x_view.float()
print(x_float.std(dim=0))
print(x_float.std(dim=1))
m = torch.tensor([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [4.0, 4.0]])
print(f"{m.mean()=}")
print(f"{m.mean(0)=}")
print(f"{m.mean(1)=}")
# --8<-- [end:sum-std-mean]

# --8<-- [start:argmax]
# zh: 2 个样本、3 个类别的得分：每行最大的那个在哪一列？
# en: scores of 2 samples for 3 classes: which column holds each row's largest?
scores = torch.tensor([[0.1, 2.0, 0.3], [1.5, 0.2, 0.9]])
print(scores.argmax(dim=1))
# zh: max(dim=...) 同时给出最大值和它们的位置
# en: max(dim=...) gives the largest values and their positions together
values, indices = scores.max(dim=1)
print(values, indices)
# zh: 不写 dim：把张量看成一维，给出展平后的位置
# en: without dim: the position in the flattened tensor
print(scores.argmax(), scores.view(-1)[scores.argmax()])
# --8<-- [end:argmax]

# --8<-- [start:cat]
a = torch.arange(1, 7).view(2, 3) * 1.0
print(torch.cat([a, a, a], dim=0))
print(torch.cat([a, a, a], dim=1))
# zh: stack 新建一维再叠起来：三个 (2, 3) 变成 (3, 2, 3)
# en: stack adds a new dimension: three (2, 3) tensors become (3, 2, 3)
print(torch.cat([a, a, a], dim=0).shape)
print(torch.stack([a, a, a], dim=0).shape)
print(torch.stack([a, a, a], dim=2).shape)
# zh: 把几个一维张量叠成矩阵的每一行
# en: one-dimensional tensors stacked as the rows of a matrix
print(torch.stack([torch.tensor([1, 2]), torch.tensor([3, 4])]))
# --8<-- [end:cat]

# --8<-- [start:indexing]
x = torch.tensor([[[1.0, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]])
print(x.shape)
print(x[0])
print(x[:, 0, 0])
i = torch.tensor([0, 0, 1, 1])
print(x[i])
# --8<-- [end:indexing]

# --8<-- [start:boolean-mask]
r = torch.tensor([3.0, -1.0, 4.0, -1.5, 5.0])
# zh: 比较逐元素进行，得到 bool 张量
# en: comparisons work element by element and give a bool tensor
mask = r < 0
print(mask)
# zh: 用掩码索引：取出 True 位置上的元素（一维结果）
# en: indexing with the mask picks the elements where it is True (a 1-D result)
print(r[mask])
# zh: True 当作 1 求和：数出有几个；比例用 .float().mean()
# en: True counts as 1 in a sum; the fraction is .float().mean()
print(mask.sum(), mask.float().mean())
# zh: 通过掩码赋值会原地修改 r
# en: assigning through a mask changes r in place
r[mask] = 0.0
print(r)
# --8<-- [end:boolean-mask]

# --8<-- [start:item]
print(x[0, 0, 0])
print(x[0, 0, 0].item(), type(x[0, 0, 0].item()))
# --8<-- [end:item]

# --8<-- [start:in-place]
x = torch.ones(3)
# zh: add 返回新张量，x 不变；add_ 原地修改 x 本身
# en: add returns a new tensor and leaves x alone; add_ changes x itself
y = x.add(1)
print(x, y)
x.add_(1)
print(x)
# zh: 原地方法返回 x 本身，可以连着写
# en: an in-place method returns x itself, so calls can be chained
x.mul_(10).clamp_(max=15)
print(x)
# zh: x += 1 也是原地的；x = x + 1 则新建张量，再让 x 指向它
# en: x += 1 is in place too; x = x + 1 makes a new tensor and rebinds x
before = x
x += 1
print(x is before)
x = x + 1
print(x is before)
# zh: 每次原地修改，张量的版本号加 1
# en: every in-place change adds 1 to the tensor's version counter
print(before._version)
# --8<-- [end:in-place]

# --8<-- [start:in-place-autograd]
# zh: requires_grad=True：记录运算以便求梯度（下一章讲）
# en: requires_grad=True: record operations for gradients (next chapter)
w = torch.tensor([1.0, 2.0], requires_grad=True)
# zh: exp 的导数是它自己的输出，所以自动求导把输出 e 存了下来
# en: exp's derivative is its own output, so autograd saved the output e
e = w.exp()
# zh: 原地修改了被保存的 e：版本号从 0 变成 1
# en: the saved e changed in place: its version goes from 0 to 1
e.add_(1)
try:
    e.sum().backward()
except RuntimeError as error:
    print("RuntimeError:", error)
# zh: 改成不原地的写法，求导就没有问题：d(e^w + 1)/dw = e^w
# en: written out of place, the gradient works: d(e^w + 1)/dw = e^w
e = w.exp() + 1
e.sum().backward()
print(w.grad, torch.tensor([1.0, 2.0]).exp())
# --8<-- [end:in-place-autograd]

# --8<-- [start:ex1]
print(torch.tensor([1, 2]).dtype)
print(torch.tensor([1.0, 2.0]).dtype)
print(torch.from_numpy(np.array([1.0, 2.0])).dtype)
print(torch.Tensor([1, 2]).dtype)
# --8<-- [end:ex1]

# --8<-- [start:ex2]
# (N, C, H, W) -> (C,)
channel_mean = X.mean(dim=(0, 2, 3))
print(channel_mean.shape)
# zh: 变成 (1, C, 1, 1)，再广播到 (N, C, H, W)
# en: reshape to (1, C, 1, 1), then broadcast over (N, C, H, W)
X_centered = X - channel_mean.view(1, C, 1, 1)
print(X_centered.shape)
print(X_centered.mean(dim=(0, 2, 3)).abs().max() < 1e-6)
# --8<-- [end:ex2]

# --8<-- [start:ex3]
p = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [3.0, 4.0]])
q = torch.tensor([[0.0, 0.0], [1.0, 1.0], [3.0, 0.0]])
# (4, 1, 2) - (1, 3, 2) -> (4, 3, 2)
diff = p.view(4, 1, 2) - q.view(1, 3, 2)
dist = torch.linalg.vector_norm(diff, dim=-1)
print(dist.shape)
print(dist)
print(torch.linalg.vector_norm(p[3] - q[2]), dist[3, 2])
# --8<-- [end:ex3]
