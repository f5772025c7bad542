import torchvision
from torchvision import transforms

# zh: CIFAR-10：10 类 32×32 的彩色图片，训练集 50,000 张，测试集 10,000 张
# en: CIFAR-10: 32x32 color images, 10 classes, 50,000 to train and 10,000 to test
root = "./dataset/cifar10"
to_tensor = transforms.ToTensor()
train_set = torchvision.datasets.CIFAR10(root, train=True, download=True,
                                         transform=to_tensor)
test_set = torchvision.datasets.CIFAR10(root, train=False, download=True,
                                        transform=to_tensor)
image, label = train_set[0]
print(len(train_set), len(test_set), image.shape, train_set.classes[label])
