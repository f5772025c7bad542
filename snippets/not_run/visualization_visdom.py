# needs `pip install visdom` and a server started first: python -m visdom.server
import torch
import visdom

viz = visdom.Visdom()  # connects to http://localhost:8097
win = viz.line(X=[0], Y=[0.0], opts=dict(title="training loss", xlabel="step", ylabel="loss"))

for step in range(1, 201):
    loss = train_one_step()  # your training step, returning a tensor
    # append one point to the curve; the browser tab updates live
    viz.line(X=[step], Y=[loss.item()], win=win, update="append")
