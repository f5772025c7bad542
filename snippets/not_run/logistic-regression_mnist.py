import torchvision
from torchvision import transforms

# MNIST: 28x28 grey-scale handwritten digits, 60,000 for training and 10,000 for testing
train_set = torchvision.datasets.MNIST(root="./dataset/mnist", train=True, download=True,
                                       transform=transforms.ToTensor())
test_set = torchvision.datasets.MNIST(root="./dataset/mnist", train=False, download=True,
                                      transform=transforms.ToTensor())
image, label = train_set[0]
print(len(train_set), len(test_set), image.shape, label)  # 60000 10000 torch.Size([1, 28, 28]) 5
