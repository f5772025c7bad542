import torchvision
from torchvision import transforms

# zh: MNIST：28×28 的灰度手写数字，训练集 60,000 张，测试集 10,000 张
# en: MNIST: 28x28 grayscale handwritten digits, 60,000 to train and 10,000 to test
root = "./dataset/mnist"
to_tensor = transforms.ToTensor()
train_set = torchvision.datasets.MNIST(root, train=True, download=True,
                                       transform=to_tensor)
test_set = torchvision.datasets.MNIST(root, train=False, download=True,
                                      transform=to_tensor)
image, label = train_set[0]
# zh: 打印 60000 10000 torch.Size([1, 28, 28]) 5
# en: prints 60000 10000 torch.Size([1, 28, 28]) 5
print(len(train_set), len(test_set), image.shape, label)
