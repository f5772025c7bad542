# zh: 需要先 `pip install visdom`，并在另一个终端启动服务器：python -m visdom.server
# en: needs `pip install visdom` and a server started first: python -m visdom.server
import torch
import visdom

# zh: 连接到 http://localhost:8097
# en: connects to http://localhost:8097
viz = visdom.Visdom()
win = viz.line(X=[0], Y=[0.0], opts=dict(xlabel="step", ylabel="loss"))

for step in range(1, 201):
    # zh: 你自己的一步训练，返回损失张量
    # en: your own training step, returning the loss tensor
    loss = train_one_step()
    # zh: 在曲线末尾追加一个点；浏览器里的图实时更新
    # en: append one point to the curve; the chart in the browser updates live
    viz.line(X=[step], Y=[loss.item()], win=win, update="append")
