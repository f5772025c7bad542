"""模块与层 / Modules and layers: the code of docs/modules.zh.md and docs/modules.en.md,
in page order.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/modules.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
from torch import nn

import plot
from plot.modules import draw_linear, draw_module_tree

torch.manual_seed(0)
print(torch.__version__)
# --8<-- [end:imports]

# --8<-- [start:linear-basic]
# zh: d_in = 3 个输入特征，d_out = 4 个输出特征
# en: d_in = 3 input features, d_out = 4 output features
linear_module = nn.Linear(3, 4)
example_tensor = torch.tensor([[1.0, 2, 3], [4, 5, 6]])
transformed = linear_module(example_tensor)
print(example_tensor.shape, transformed.shape)
print(linear_module.weight)
print(linear_module.bias)
# --8<-- [end:linear-basic]

# --8<-- [start:linear-formula-check]
# y = x A^T + b
by_hand = example_tensor @ linear_module.weight.T + linear_module.bias
print(torch.allclose(by_hand, transformed))
# --8<-- [end:linear-formula-check]

# --8<-- [start:linear-diagram]
draw_linear(3, 2)
plt.show()
# --8<-- [end:linear-diagram]

# --8<-- [start:batch-input]
# zh: N = 2 个样本，每个样本 3 个特征向量，每个特征向量 4 个特征
# en: N = 2 samples, 3 feature vectors each, 4 features each
input = torch.ones(2, 3, 4)
print(input.shape)
print(input[0].shape)
print(input[0, 0].shape)
print(input[0, 0, 0])
# --8<-- [end:batch-input]

# --8<-- [start:linear-3d]
# (N, *, 4) -> (N, *, 2)
linear = nn.Linear(4, 2)
linear_output = linear(input)
print(linear_output.shape)
print(linear_output)
# --8<-- [end:linear-3d]

# --8<-- [start:grad-fn]
# zh: 产生 linear_output 的节点；二维输入 (3, 4) 则是一次 addmm
# en: the node that produced linear_output; a 2-D input (3, 4) gives one addmm
print(linear_output.grad_fn.name())
print(linear(input[0]).grad_fn.name())


def walk(fn, depth=0):
    # zh: 从输出往回，打印张量背后的计算图
    # en: print the graph behind a tensor, from the output back
    print("  " * depth + fn.name())
    for child, _ in fn.next_functions:
        if child is not None:
            walk(child, depth + 1)


walk(linear_output.grad_fn)
# --8<-- [end:grad-fn]

# --8<-- [start:linear-parameters]
# zh: parameters() 是一个生成器，用 list() 收集起来
# en: parameters() is a generator; list() collects it
params = list(linear.parameters())
print(params)
print([p.shape for p in params])
# --8<-- [end:linear-parameters]

# --8<-- [start:by-hand]
A, b = linear.weight, linear.bias
# zh: 第一个特征向量 [1, 1, 1, 1] 的第一个输出特征
# en: the first output feature of the first feature vector [1, 1, 1, 1]
x = input[0, 0]
y0 = sum(A[0, k] * x[k] for k in range(4)) + b[0]
print(y0.item(), linear_output[0, 0, 0].item())
print(torch.allclose(y0, linear_output[0, 0, 0]))
# zh: 矩阵形式一次算出两个输出特征
# en: the matrix form gives both output features at once
print(torch.allclose(x @ A.T + b, linear_output[0, 0]))
# --8<-- [end:by-hand]

# --8<-- [start:activation-curves]
activations = {
    "Sigmoid": nn.Sigmoid(),
    "Tanh": nn.Tanh(),
    "ReLU": nn.ReLU(),
    "LeakyReLU(0.1)": nn.LeakyReLU(0.1),
    "GELU": nn.GELU(),
}
t = torch.linspace(-4, 4, 161)
ax = plot.curves(t.numpy(), {name: f(t).numpy() for name, f in activations.items()},
                 xlabel="$z$", ylabel="$f(z)$")
ax.set_ylim(-1.5, 4)
plt.show()
# --8<-- [end:activation-curves]

# --8<-- [start:activation-grads]
z = torch.tensor([-3.0, 0.0, 3.0], requires_grad=True)
print("z =", z.tolist())
derivatives = {}
for name, f in activations.items():
    z.grad = None
    f(z).sum().backward()
    derivatives[name] = z.grad.tolist()
    print(f"{name:15}", [round(g, 4) for g in derivatives[name]])
# --8<-- [end:activation-grads]

# --8<-- [start:sigmoid]
sigmoid = nn.Sigmoid()
output = sigmoid(linear_output)
print(output)
print(torch.allclose(output, 1 / (1 + torch.exp(-linear_output))))
# --8<-- [end:sigmoid]

# --8<-- [start:sigmoid-saturation]
z = torch.tensor([10.0, 16.0, 17.0, 30.0])
s = torch.sigmoid(z)
print(s)
print(s == 1)
print((1 - s).tolist())
print(torch.sigmoid(z.double()) == 1)
# zh: float32 里紧挨着 1 的两个数离 1 多远：下面一个，上面一个
# en: how far the float32 neighbors of 1 are from it: the one below, the one above
one = torch.tensor(1.0)
below = (one - torch.nextafter(one, torch.tensor(0.0))).item()
above = (torch.nextafter(one, torch.tensor(2.0)) - one).item()
print(below, above)
# zh: sigmoid(z) = 1 / (1 + e^-z)：在 float32 里，和 1 + e^-z 先被舍入
# en: sigmoid(z) = 1 / (1 + e^-z): in float32 the sum 1 + e^-z is rounded first
print(torch.exp(-z))
print(1 + torch.exp(-z) == 1)
# --8<-- [end:sigmoid-saturation]

# --8<-- [start:relu]
activation_fn = nn.ReLU()
example_tensor = torch.tensor([-1.0, 1.0, 0.0])
activated = activation_fn(example_tensor)
print(example_tensor)
print(activated)
# --8<-- [end:relu]

# --8<-- [start:dead-relu]
torch.manual_seed(0)
layer = nn.Linear(3, 4)
# zh: 把第 2 个单元的偏置设得很负：它的输入对下面每个样本都是负数
# en: a very negative bias for unit 2: its input is negative for every sample below
with torch.no_grad():
    layer.bias[2] = -10.0
X = torch.randn(8, 3)
hidden = nn.ReLU()(layer(X))
print((hidden > 0).sum(dim=0))
hidden.sum().backward()
print(layer.weight.grad)
print(layer.bias.grad)
# --8<-- [end:dead-relu]

# --8<-- [start:sequential-block]
block = nn.Sequential(
    nn.Linear(4, 2),
    nn.Sigmoid(),
)
# zh: 仍是上面的 torch.ones(2, 3, 4)
# en: the same torch.ones(2, 3, 4) as above
output = block(input)
print(block)
print(output)
# --8<-- [end:sequential-block]

# --8<-- [start:sequential-model]
d_in, d_hidden, d_out = 3, 4, 1
model = nn.Sequential(
    nn.Linear(d_in, d_hidden),
    nn.Tanh(),
    nn.Linear(d_hidden, d_out),
    nn.Sigmoid(),
)
example_tensor = torch.tensor([[1.0, 2, 3], [4, 5, 6]])
transformed = model(example_tensor)
print(transformed.shape)
print(transformed)
# --8<-- [end:sequential-model]

# --8<-- [start:model-parameters]
for param in model.parameters():
    print(param)
# --8<-- [end:model-parameters]

# --8<-- [start:parameters-recursive]
from_children = [p for layer in model.children() for p in layer.parameters()]
print(all(a is b for a, b in zip(model.parameters(), from_children)))
for i, layer in enumerate(model.children()):
    print(i, layer, [tuple(p.shape) for p in layer.parameters()])
print(sum(p.numel() for p in model.parameters()))
# --8<-- [end:parameters-recursive]

# --8<-- [start:module-tree]
draw_module_tree(model)
plt.show()
# --8<-- [end:module-tree]

# --8<-- [start:mlp-class]
class MultilayerPerceptron(nn.Module):
    def __init__(self, input_size, hidden_size):
        # zh: 先建立 nn.Module 注册子模块和参数的结构，必须放在最前面
        # en: first set up nn.Module's bookkeeping of submodules and parameters
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        # zh: 属性名 model 没有特殊含义
        # en: the attribute name `model` has no special meaning
        self.model = nn.Sequential(
            nn.Linear(self.input_size, self.hidden_size),
            nn.ReLU(),
            nn.Linear(self.hidden_size, self.input_size),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.model(x)


model = MultilayerPerceptron(5, 3)
print(model)
x = torch.randn(2, 5)
# zh: 写 model(x)，不写 model.forward(x)
# en: write model(x), not model.forward(x)
print(model(x))
# --8<-- [end:mlp-class]

# --8<-- [start:call-hooks]
def announce(module, inputs, output):
    # zh: 前向钩子：在 __call__ 里、forward 之后运行
    # en: a forward hook: runs after forward, inside __call__
    print("hook:", tuple(output.shape))


handle = model.register_forward_hook(announce)
print("model(x)")
_ = model(x)
print("model.forward(x)")
_ = model.forward(x)
handle.remove()
# --8<-- [end:call-hooks]

# --8<-- [start:callable]
class Foobar:
    def __init__(self):
        pass

    def __call__(self, *args, **kwargs):
        print("__call__", args, kwargs)
        return self.forward(*args, **kwargs)

    def forward(self, x, scale=1):
        return x * scale


foobar = Foobar()
print(callable(foobar))
print(foobar(3, scale=2))
# --8<-- [end:callable]

# --8<-- [start:args-kwargs]
def func(*args, **kwargs):
    print(args, kwargs)


func(1, 2, 3, 4, x=1, y=2, z=3)
# --8<-- [end:args-kwargs]

# --8<-- [start:named-parameters]
torch.manual_seed(0)
model = MultilayerPerceptron(5, 3)
for name, param in model.named_parameters():
    print(name, tuple(param.shape))
# --8<-- [end:named-parameters]

# --8<-- [start:named-parameters-values]
print(list(model.named_parameters()))
# --8<-- [end:named-parameters-values]

# --8<-- [start:functional]
import torch.nn.functional as F

x = torch.tensor([[-1.0, 0.5, 2.0]])
# zh: 模块形式先建对象再调用；函数形式直接调用，结果相同
# en: the module form builds an object and calls it; the functional form is a call
print(nn.ReLU()(x), F.relu(x))
# zh: 有参数的层：模块自己保存权重和偏置，函数要我们每次传进去
# en: a layer with parameters: the module keeps its weight and bias, the function
# en: needs them passed in every time
layer = nn.Linear(3, 2)
print(torch.allclose(layer(x), F.linear(x, layer.weight, layer.bias)))
print(len(list(layer.parameters())), len(list(nn.ReLU().parameters())))
# --8<-- [end:functional]


# --8<-- [start:dropout-eval]
class Forgetful(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 6)

    def forward(self, x):
        # zh: 错误：没有传 training，F.dropout 总是按训练模式丢弃
        # en: wrong: without training=, F.dropout always drops as in training
        return F.dropout(self.fc(x), p=0.5)


torch.manual_seed(0)
net = Forgetful()
net.eval()
x = torch.ones(1, 6)
print(net.training, net.fc.training)
# zh: 评估模式下，同一个输入两次得到不同的输出：线性层的输出随机地乘 0 或 2
# en: in evaluation mode the same input gives two different outputs: the linear
# en: layer's output times 0 or 2, at random
print((net(x) / net.fc(x)).tolist())
print((net(x) / net.fc(x)).tolist())
# --8<-- [end:dropout-eval]


# --8<-- [start:dropout-fix]
class Careful(Forgetful):
    def forward(self, x):
        # zh: 把模块的模式交给函数
        # en: hand the module's mode on to the function
        return F.dropout(self.fc(x), p=0.5, training=self.training)


class WithModule(Forgetful):
    def __init__(self):
        super().__init__()
        # zh: 或者用模块形式：nn.Dropout 自己读 training 标志
        # en: or the module form: nn.Dropout reads the training flag itself
        self.dropout = nn.Dropout(p=0.5)

    def forward(self, x):
        return self.dropout(self.fc(x))


for cls in (Careful, WithModule):
    torch.manual_seed(0)
    net = cls()
    net.eval()
    # zh: 评估模式：不丢弃，输出就是线性层的输出
    # en: evaluation mode: nothing dropped, the output is the linear layer's
    print(cls.__name__, torch.equal(net(x), net.fc(x)))
    net.train()
    # zh: 训练模式：约一半置 0，其余乘 1 / (1 - p) = 2
    # en: training mode: about half set to 0, the rest times 1 / (1 - p) = 2
    print("   ", (net(x) / net.fc(x)).tolist())
# --8<-- [end:dropout-fix]

# --8<-- [start:ex1]
layer = nn.Linear(10, 3)
print(layer.weight.shape, layer.bias.shape)
print(sum(p.numel() for p in layer.parameters()))
print(layer(torch.zeros(4, 7, 10)).shape)
# --8<-- [end:ex1]


# --8<-- [start:ex2]
class SmallNet(nn.Module):
    def __init__(self, d_in, d_hidden, d_out):
        super().__init__()
        self.hidden = nn.Linear(d_in, d_hidden)
        self.output = nn.Linear(d_hidden, d_out)

    def forward(self, x):
        h = torch.tanh(self.hidden(x))
        return torch.sigmoid(self.output(h))


# zh: 同一个种子、同样的层按同样的顺序创建，初始权重就相同
# en: same seed, same layers created in the same order: same initial weights
torch.manual_seed(0)
seq = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
torch.manual_seed(0)
net = SmallNet(3, 4, 1)
print([name for name, _ in net.named_parameters()])
print(torch.allclose(seq(example_tensor), net(example_tensor)))
# --8<-- [end:ex2]


# --8<-- [start:ex3]
class InAList(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = [nn.Linear(2, 2), nn.Linear(2, 2)]


class InAModuleList(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])


for net in (InAList(), InAModuleList()):
    n = sum(p.numel() for p in net.parameters())
    print(type(net).__name__, n, list(net.state_dict()))
    # zh: .to() 和 eval() 也只作用于注册过的子模块
    # en: .to() and eval() also reach only registered submodules
    net.to(torch.float64)
    net.eval()
    print("   ", net.layers[0].weight.dtype, net.layers[0].training)
# --8<-- [end:ex3]
