import torchvision
from torchvision import transforms

# CIFAR-10: 32x32 colour images in 10 classes, 50,000 for training and 10,000 for testing
train_set = torchvision.datasets.CIFAR10(root="./dataset/cifar10", train=True, download=True,
                                         transform=transforms.ToTensor())
test_set = torchvision.datasets.CIFAR10(root="./dataset/cifar10", train=False, download=True,
                                        transform=transforms.ToTensor())
image, label = train_set[0]
print(len(train_set), len(test_set), image.shape, train_set.classes[label])
