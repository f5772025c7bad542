"""模块与层 / Modules and layers: the code of docs/modules.zh.md and docs/modules.en.md, in page order.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page.
Run the whole page on its own with `python snippets/modules.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
from torch import nn

torch.manual_seed(0)
print(torch.__version__)
# --8<-- [end:imports]

# --8<-- [start:linear-basic]
linear_module = nn.Linear(3, 4)  # d_in = 3, d_out = 4
example_tensor = torch.tensor([[1.0, 2, 3], [4, 5, 6]])
transformed = linear_module(example_tensor)
print("example_tensor", example_tensor.shape)
print("transformed   ", transformed.shape)
print("W:", linear_module.weight)
print("b:", linear_module.bias)
# --8<-- [end:linear-basic]

# --8<-- [start:linear-formula-check]
# y = x A^T + b, written out by hand
by_hand = example_tensor @ linear_module.weight.T + linear_module.bias
print(torch.allclose(by_hand, transformed))
# --8<-- [end:linear-formula-check]

# --8<-- [start:linear-diagram]
fig, ax = plt.subplots(figsize=(5.5, 3.6))
xs = [(0, y) for y in (2, 1, 0)]  # 3 inputs
ys = [(3, y) for y in (1.5, 0.5)]  # 2 outputs
for i, (x0, y0) in enumerate(xs):
    for j, (x1, y1) in enumerate(ys):
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color="gray", lw=1.2,
                                    shrinkA=15, shrinkB=15))
        if i == 0:
            ax.text(1.5 * (x0 + x1) / 3, y0 + (y1 - y0) * 0.5 + 0.08,
                    f"$A_{{{j + 1}{i + 1}}}$", fontsize=9, color="tab:red", ha="center")
for i, (px, py) in enumerate(xs):
    ax.add_patch(plt.Circle((px, py), 0.28, color="tab:blue", alpha=0.3))
    ax.text(px, py, f"$x_{i + 1}$", ha="center", va="center")
for j, (px, py) in enumerate(ys):
    ax.add_patch(plt.Circle((px, py), 0.28, color="tab:orange", alpha=0.3))
    ax.text(px, py, f"$y_{j + 1}$", ha="center", va="center")
    ax.text(px + 0.4, py, f"$+\\,b_{j + 1}$", va="center", color="tab:green")
ax.text(0, -0.7, "input  $H_{in} = 3$", ha="center")
ax.text(3, -0.7, "output  $H_{out} = 2$", ha="center")
ax.text(1.5, 2.35, "weight A: (2, 3)    bias b: (2,)", ha="center", fontsize=9)
ax.set_xlim(-0.8, 4.2)
ax.set_ylim(-1.0, 2.6)
ax.set_aspect("equal")
ax.axis("off")
ax.set_title(r"nn.Linear(3, 2):  $y_j = \sum_i A_{ji} x_i + b_j$")
plt.show()
# --8<-- [end:linear-diagram]

# --8<-- [start:batch-input]
input = torch.ones(2, 3, 4)  # N=2 samples, 3 feature vectors each, 4 features each
print(input.shape)
print("one sample:        ", input[0].shape)
print("one feature vector:", input[0, 0].shape)
print("one feature:       ", input[0, 0, 0])
# --8<-- [end:batch-input]

# --8<-- [start:linear-3d]
linear = nn.Linear(4, 2)  # (N, *, 4) -> (N, *, 2)
linear_output = linear(input)
print(linear_output.shape)
print(linear_output)
# --8<-- [end:linear-3d]

# --8<-- [start:grad-fn]
print(linear_output.grad_fn.name())  # the node that produced linear_output
print(linear(input[0]).grad_fn.name())  # a 2-D input (3, 4): one fused addmm


def walk(fn, depth=0):  # print the graph behind a tensor, from the output back
    print("  " * depth + fn.name())
    for child, _ in fn.next_functions:
        if child is not None:
            walk(child, depth + 1)


walk(linear_output.grad_fn)
# --8<-- [end:grad-fn]

# --8<-- [start:linear-parameters]
params = list(linear.parameters())  # parameters() is a generator; list() collects it
print(params)
print([p.shape for p in params])
# --8<-- [end:linear-parameters]

# --8<-- [start:by-hand]
A, b = linear.weight, linear.bias
x = input[0, 0]  # the feature vector [1, 1, 1, 1]
y0 = sum(A[0, k] * x[k] for k in range(4)) + b[0]  # first output feature
print(y0.item(), linear_output[0, 0, 0].item())
print(torch.allclose(y0, linear_output[0, 0, 0]))
print(torch.allclose(x @ A.T + b, linear_output[0, 0]))  # both output features
# --8<-- [end:by-hand]

# --8<-- [start:sigmoid]
sigmoid = nn.Sigmoid()
output = sigmoid(linear_output)
print(output)
print(torch.allclose(output, 1 / (1 + torch.exp(-linear_output))))
# --8<-- [end:sigmoid]

# --8<-- [start:relu]
activation_fn = nn.ReLU()
example_tensor = torch.tensor([-1.0, 1.0, 0.0])
activated = activation_fn(example_tensor)
print("example_tensor", example_tensor)
print("activated     ", activated)
# --8<-- [end:relu]

# --8<-- [start:activation-curves]
t = torch.linspace(-5, 5, 201)
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(t, nn.Sigmoid()(t), label=r"Sigmoid $\sigma(x)$")
ax.plot(t, nn.Tanh()(t), label=r"Tanh $\tanh(x)$")
ax.plot(t, nn.ReLU()(t), label=r"ReLU $\max(0, x)$")
ax.axhline(0, color="black", lw=0.5)
ax.axvline(0, color="black", lw=0.5)
ax.set_ylim(-1.5, 3)
ax.set_xlabel("x")
ax.set_ylabel("activation(x)")
ax.set_title("Three common activation functions")
ax.legend()
plt.show()
# --8<-- [end:activation-curves]

# --8<-- [start:sequential-block]
block = nn.Sequential(
    nn.Linear(4, 2),
    nn.Sigmoid(),
)
output = block(input)  # the same ones(2, 3, 4)
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
print("transformed", transformed.shape)
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
print("number of parameters:", sum(p.numel() for p in model.parameters()))
# --8<-- [end:parameters-recursive]

# --8<-- [start:module-tree]
fig, ax = plt.subplots(figsize=(6, 3.4))
ax.text(3, 3, "model = nn.Sequential(...)\nmodel.parameters()", ha="center", va="center",
        bbox=dict(boxstyle="round", fc="tab:blue", alpha=0.25))
children = [("0: Linear(3, 4)", ["weight (4, 3)", "bias (4,)"]),
            ("1: Tanh()", []),
            ("2: Linear(4, 1)", ["weight (1, 4)", "bias (1,)"]),
            ("3: Sigmoid()", [])]
for k, (name, ps) in enumerate(children):
    cx = 0.2 + 1.85 * k
    ax.annotate("", xy=(cx, 1.75), xytext=(3, 2.55),
                arrowprops=dict(arrowstyle="-|>", color="gray"))
    ax.text(cx, 1.5, name, ha="center", va="center", fontsize=9,
            bbox=dict(boxstyle="round", fc="tab:orange", alpha=0.25))
    ax.text(cx, 0.65, "\n".join(ps) if ps else "(no parameters)", ha="center",
            va="center", fontsize=8, color="tab:red" if ps else "gray")
ax.text(3, -0.15, "12 + 4 + 4 + 1 = 21 parameters, collected child by child, in order",
        ha="center", fontsize=8)
ax.set_xlim(-0.8, 6.6)
ax.set_ylim(-0.4, 3.5)
ax.axis("off")
ax.set_title("model.parameters() walks the submodules recursively")
plt.show()
# --8<-- [end:module-tree]

# --8<-- [start:mlp-class]
class MultilayerPerceptron(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()  # sets up nn.Module's bookkeeping: must come first
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.model = nn.Sequential(  # the name `model` is arbitrary
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
print(model(x))  # model(x), not model.forward(x)
# --8<-- [end:mlp-class]

# --8<-- [start:call-hooks]
def announce(module, inputs, output):  # a forward hook
    print("hook: forward produced shape", tuple(output.shape))


handle = model.register_forward_hook(announce)
_ = model(x)  # __call__ -> forward -> hooks
_ = model.forward(x)  # skips the hook machinery: nothing printed
handle.remove()
# --8<-- [end:call-hooks]

# --8<-- [start:callable]
class Foobar:
    def __init__(self):
        pass

    def __call__(self, *args, **kwargs):
        print("__call__ got", args, kwargs)
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
