"""张量 / Tensors: the code of docs/tensors.zh.md and docs/tensors.en.md, in page order.

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
x_numpy = torch.from_numpy(np_array)  # shares memory with np_array
np_array[0, 0] = 100
print(x_numpy)
np_array[0, 0] = 0
print(x_numpy.numpy())  # and back to NumPy
# --8<-- [end:from-numpy]

# --8<-- [start:tensor-vs-Tensor]
print(torch.tensor([1, 2, 3]).dtype)  # keeps the integers
print(torch.Tensor([1, 2, 3]).dtype)  # always float32
print(torch.tensor([[1.0], [2.0], [3.0]]))  # one column
print(torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))  # two columns
# --8<-- [end:tensor-vs-Tensor]

# --8<-- [start:from-tensor]
x = torch.tensor([[1.0, 2], [3, 4]])
print(torch.zeros_like(x))
print(torch.ones_like(x))
print(torch.rand_like(x))  # uniform on [0, 1)
print(torch.randn_like(x))  # standard normal
# --8<-- [end:from-tensor]

# --8<-- [start:numpy-vs-torch]
x_np = np.array([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]])
x_t = torch.tensor([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]])
y_np = np.array([3, 4, 5.0])
y_t = torch.tensor([3, 4, 5.0])
print(x_np + y_np)
print(x_t + y_t)
print(np.linalg.norm(x_np), torch.norm(x_t))
m_np = np.array([[1, 2], [3, 4.0]])
m_t = torch.tensor([[1, 2], [3, 4.0]])
print(np.mean(m_np, axis=0), torch.mean(m_t, dim=0))  # axis= in NumPy, dim= in torch
# --8<-- [end:numpy-vs-torch]

# --8<-- [start:matmul]
a = torch.ones((4, 3)) * 6
b = torch.ones(3) * 2
print(a / b)  # b is broadcast over the 4 rows
print(a @ b)  # matrix-vector product: shape (4,)
print(a * b)  # element-wise (Hadamard) product
# --8<-- [end:matmul]

# --8<-- [start:dot-outer]
u = torch.tensor([1.0, 2.0, 3.0])
v = torch.tensor([4.0, 5.0, 6.0])
print(torch.dot(u, v))  # 1*4 + 2*5 + 3*6
print(torch.outer(u, v))  # every u[i] * v[j]
print(u @ v)  # for two vectors @ is the dot product
# --8<-- [end:dot-outer]

# --8<-- [start:shape]
print(a.shape)
print(a.T.shape)
# --8<-- [end:shape]

# --8<-- [start:view]
x = torch.arange(1, 7)
print(x.view(2, 3))
print(x.view(2, -1))  # -1: worked out from the other sizes
N, C, W, H = 10000, 3, 28, 28
X = torch.randn((N, C, W, H))
print(X.shape)
print(X.view(N, C, 784).shape)
print(X.view(-1, C, 784).shape)
# --8<-- [end:view]

# --8<-- [start:broadcast]
x = torch.empty(5, 1, 4, 1)
y = torch.empty(3, 1, 1)
print((x + y).size())
try:
    torch.ones(5, 2) + torch.ones(5, 4)
except RuntimeError as error:
    print("RuntimeError:", error)
# --8<-- [end:broadcast]

# --8<-- [start:sum-std-mean]
x_view = torch.arange(1, 7).view(2, 3)
print(x_view)
print(x_view.sum(dim=0))  # down the columns
print(x_view.sum(dim=1))  # along each row
x_float = x_view.float()  # std and mean need floating point
print(x_float.std(dim=0))
print(x_float.std(dim=1))
m = torch.tensor([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [4.0, 4.0]])
print("Mean:", m.mean())
print("Mean in the 0th dimension:", m.mean(0))
print("Mean in the 1st dimension:", m.mean(1))
# --8<-- [end:sum-std-mean]

# --8<-- [start:cat]
a = torch.arange(1, 7).view(2, 3) * 1.0
print(torch.cat([a, a, a], dim=0))
print(torch.cat([a, a, a], dim=1))
# --8<-- [end:cat]

# --8<-- [start:indexing]
x = torch.tensor([[[1.0, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]])
print(x.shape)
print(x[0])
print(x[:, 0, 0])
i = torch.tensor([0, 0, 1, 1])
print(x[i])
# --8<-- [end:indexing]

# --8<-- [start:item]
print(x[0, 0, 0])
print(x[0, 0, 0].item(), type(x[0, 0, 0].item()))
# --8<-- [end:item]

