import torch
from torch import nn
from torch.utils.data import DataLoader, random_split
from torchvision import datasets, transforms

torch.manual_seed(0)
transform = transforms.Compose([
    transforms.ToTensor(),  # (1, 28, 28), [0, 1]
    transforms.Normalize((0.1307,), (0.3081,)),  # (x - mean) / std
])
# zh: 第一次运行时把 MNIST 下载到 ./dataset/mnist
# en: the first run downloads MNIST into ./dataset/mnist
root = "./dataset/mnist"
full_train = datasets.MNIST(root, train=True, download=True, transform=transform)
test_set = datasets.MNIST(root, train=False, download=True, transform=transform)
split = torch.Generator().manual_seed(0)
train_set, val_set = random_split(full_train, [55_000, 5_000], generator=split)
train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
val_loader = DataLoader(val_set, batch_size=1000)
test_loader = DataLoader(test_set, batch_size=1000)

model = nn.Sequential(
    nn.Flatten(),  # (N, 1, 28, 28) -> (N, 784)
    nn.Linear(784, 512), nn.ReLU(),
    nn.Linear(512, 256), nn.ReLU(),
    nn.Linear(256, 128), nn.ReLU(),
    nn.Linear(128, 64), nn.ReLU(),
    nn.Linear(64, 10),  # (N, 10)
)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)


def accuracy(loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
    return correct / len(loader.dataset)


for epoch in range(10):
    model.train()
    for x, y in train_loader:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"{epoch=}  val acc {accuracy(val_loader):.4f}")
print(f"test acc {accuracy(test_loader):.4f}")
