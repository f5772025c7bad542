"""线性回归 / Linear regression: the code of docs/linear-regression.zh.md and docs/linear-regression.en.md.

Each `# --8<-- [start:name]` ... `[end:name]` section is one block of the page, in page order.
Run the whole page on its own with `python snippets/linear-regression.py`.
"""
# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
from torch import nn

torch.manual_seed(0)
# --8<-- [end:imports]

# --8<-- [start:data]
x_data = torch.tensor([[1.0], [2.0], [3.0]], dtype=torch.float32)  # shape (3, 1): 3 samples, 1 feature
y_data = torch.tensor([[2.0], [4.0], [6.0]], dtype=torch.float32)
print(x_data.shape, y_data.shape)
# --8<-- [end:data]


# --8<-- [start:model]
class LinearModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)  # y = w x + b, one input and one output feature

    def forward(self, x):
        return self.linear(x)


model = LinearModel()
print(model)
print("initial w =", model.linear.weight.item(), " b =", model.linear.bias.item())
# --8<-- [end:model]

# --8<-- [start:loss-optimizer]
criterion = nn.MSELoss(reduction="sum")  # sum of squared errors, not the mean
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
# --8<-- [end:loss-optimizer]

# --8<-- [start:train]
losses = []
for epoch in range(1000):
    y_pred = model(x_data)  # 1. forward
    loss = criterion(y_pred, y_data)  # 2. loss
    optimizer.zero_grad()  # 3. clear old gradients
    loss.backward()  # 4. backward
    optimizer.step()  # 5. update w and b
    losses.append(loss.item())
    if epoch % 100 == 0 or epoch == 999:
        print(f"epoch {epoch:4d}  loss {loss.item():.3e}")
# --8<-- [end:train]

# --8<-- [start:result]
print("w =", model.linear.weight.item())
print("b =", model.linear.bias.item())

x_test = torch.tensor([[4.0]])
y_test = model(x_test)
print("y_pred =", y_test.item())  # a plain Python float
print(y_test.detach())  # a tensor that no longer tracks gradients
# --8<-- [end:result]

# --8<-- [start:plot-fit]
xs = torch.linspace(0, 5, 50).view(-1, 1)
with torch.no_grad():
    ys = model(xs)
fig, ax = plt.subplots(figsize=(6, 4))
ax.scatter(x_data.squeeze(), y_data.squeeze(), color="C1", zorder=3, label="training data")
ax.plot(xs.squeeze(), ys.squeeze(), color="C0", label="fitted line")
ax.scatter([4.0], [y_test.item()], marker="*", s=150, color="C2", zorder=3, label="prediction at x = 4")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_title(f"y = {model.linear.weight.item():.3f} x + {model.linear.bias.item():.3f}")
ax.legend()
plt.show()
# --8<-- [end:plot-fit]

# --8<-- [start:plot-loss]
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(losses)
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("loss (sum of squared errors, log scale)")
ax.set_title("Training loss")
plt.show()
# --8<-- [end:plot-loss]

# --8<-- [start:pytorch-way-data]
torch.manual_seed(446)  # the seed of the original notebook
d = 2
n = 50
X = torch.randn(n, d)
true_w = torch.tensor([[-1.0], [2.0]])
y = X @ true_w + torch.randn(n, 1) * 0.1  # y is about X w, plus a little noise
print("X shape", X.shape)
print("y shape", y.shape)
print("w shape", true_w.shape)
# --8<-- [end:pytorch-way-data]

# --8<-- [start:pytorch-way-train]
step_size = 0.1

linear_module = nn.Linear(d, 1, bias=False)
loss_func = nn.MSELoss()  # mean of the squared errors
optim = torch.optim.SGD(linear_module.parameters(), lr=step_size)

print("iter,\tloss,\tw")
for i in range(20):
    y_hat = linear_module(X)
    loss = loss_func(y_hat, y)
    optim.zero_grad()
    loss.backward()
    optim.step()
    print("{},\t{:.2f},\t{}".format(i, loss.item(), linear_module.weight.view(2).detach().numpy()))

print("\ntrue w\t\t", true_w.view(2).numpy())
print("estimated w\t", linear_module.weight.view(2).detach().numpy())
# --8<-- [end:pytorch-way-train]


# --8<-- [start:mlp]
class MultilayerPerceptron(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.model = nn.Sequential(
            nn.Linear(input_size, hidden_size),
            nn.ReLU(),
            nn.Linear(hidden_size, input_size),
            nn.Sigmoid(),  # every output in (0, 1)
        )

    def forward(self, x):
        return self.model(x)


torch.manual_seed(0)
y = torch.ones(10, 5)  # the target: all ones
x = y + torch.randn_like(y)  # the input: the target plus noise
print(x)

model = MultilayerPerceptron(5, 3)
init_state = {k: v.clone() for k, v in model.state_dict().items()}  # kept to compare later
adam = torch.optim.Adam(model.parameters(), lr=1e-1)
loss_function = nn.BCELoss()
print("loss before training:", loss_function(model(x), y).item())
# --8<-- [end:mlp]

# --8<-- [start:train-loop]
n_epoch = 10
for epoch in range(n_epoch):
    adam.zero_grad()  # 1. clear the gradients of the previous step
    y_pred = model(x)  # 2. forward: predictions
    loss = loss_function(y_pred, y)  # 3. loss
    print(f"Epoch {epoch}: training loss: {loss}")
    loss.backward()  # 4. backward: gradients of the loss
    adam.step()  # 5. update the parameters
# --8<-- [end:train-loop]

# --8<-- [start:gradients]
for name, param in model.named_parameters():
    print(f"Gradient of {name}: {param.grad}")
# --8<-- [end:gradients]

# --8<-- [start:dead-units]
with torch.no_grad():
    hidden = model.model[1](model.model[0](x))  # the ReLU outputs, shape (10, 3)
print(hidden)
print("samples where each hidden unit is active:", (hidden > 0).sum(dim=0).tolist())
change = (model.model[0].weight - init_state["model.0.weight"]).abs().sum(dim=1)
print("how far each hidden unit's weights moved in training:", change.detach())
# --8<-- [end:dead-units]

# --8<-- [start:predictions]
with torch.no_grad():
    y_pred = model(x)
print(y_pred)
print("final loss:", loss_function(y_pred, y).item())
# --8<-- [end:predictions]

# --8<-- [start:three-ways]
n_steps, lr = 100, 0.01
w_start, b_start = 1.0, 0.0  # the same start for all three

# 1) the gradient worked out by hand: dL/dw = sum 2x(wx + b - y), dL/db = sum 2(wx + b - y)
w1 = torch.tensor(w_start)
b1 = torch.tensor(b_start)
for _ in range(n_steps):
    err = w1 * x_data + b1 - y_data
    w1 = w1 - lr * (2 * x_data * err).sum()
    b1 = b1 - lr * (2 * err).sum()

# 2) autograd computes the gradient, the update is written by hand
w2 = torch.tensor(w_start, requires_grad=True)
b2 = torch.tensor(b_start, requires_grad=True)
for _ in range(n_steps):
    loss = ((w2 * x_data + b2 - y_data) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w2 -= lr * w2.grad
        b2 -= lr * b2.grad
    w2.grad.zero_()
    b2.grad.zero_()

# 3) nn.Linear + nn.MSELoss + torch.optim.SGD
lin = nn.Linear(1, 1)
with torch.no_grad():
    lin.weight.fill_(w_start)
    lin.bias.fill_(b_start)
crit = nn.MSELoss(reduction="sum")
opt = torch.optim.SGD(lin.parameters(), lr=lr)
for _ in range(n_steps):
    loss = crit(lin(x_data), y_data)
    opt.zero_grad()
    loss.backward()
    opt.step()

print(f"1) by hand:             w = {w1.item():.6f}  b = {b1.item():.6f}")
print(f"2) autograd + update:   w = {w2.item():.6f}  b = {b2.item():.6f}")
print(f"3) module + optimizer:  w = {lin.weight.item():.6f}  b = {lin.bias.item():.6f}")
# --8<-- [end:three-ways]
