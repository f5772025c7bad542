"""Device tests: run by the GPU job (`pytest -m cuda`), skipped with a reason where CUDA is absent.

On a GPU they check that tensors and model parameters really live on CUDA and that CUDA results
match the CPU's: within 1e-5 (relative and absolute) for float32 with TF32 switched off, and
within 1e-2 for float16 autocast.
"""
import os
import subprocess
import sys

import pytest
import torch

from sitebuild import SNIPPETS

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available here: the GPU job runs these"),
]
FLOAT32 = {"rtol": 1e-5, "atol": 1e-5}


@pytest.fixture(autouse=True)
def exact_float32():
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def test_to_returns_a_new_tensor_on_cuda():
    x = torch.arange(6.0)
    y = x.to("cuda")
    assert y.device.type == "cuda" and x.device.type == "cpu"
    assert y is not x
    assert torch.equal(y.cpu(), x)


def test_model_parameters_move_in_place_and_agree_with_cpu():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    x = torch.randn(32, 8)
    expected = model(x)
    same = model.to("cuda")
    assert same is model
    assert all(p.device.type == "cuda" for p in model.parameters())
    torch.testing.assert_close(model(x.to("cuda")).cpu(), expected, **FLOAT32)


def test_a_training_loop_gives_the_same_losses_on_cpu_and_cuda():
    def train(device):
        torch.manual_seed(0)
        x = torch.linspace(-1, 1, 64).unsqueeze(1)
        y = torch.sin(3 * x)
        model = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)).to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x, y = x.to(device), y.to(device)
        losses = []
        for _ in range(50):
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return torch.tensor(losses)

    torch.testing.assert_close(train("cuda"), train("cpu"), rtol=1e-4, atol=1e-5)


def test_autocast_uses_float16_and_stays_close_to_float32():
    torch.manual_seed(0)
    a, b = torch.randn(256, 256, device="cuda"), torch.randn(256, 256, device="cuda")
    with torch.autocast(device_type="cuda", dtype=torch.float16):
        c = a @ b
    assert c.dtype == torch.float16
    torch.testing.assert_close(c.float(), a @ b, rtol=1e-2, atol=1e-1)
    scaler = torch.amp.GradScaler("cuda")
    assert scaler.is_enabled() and scaler.get_scale() == 65536.0


def test_matmul_on_cuda_matches_cpu():
    torch.manual_seed(0)
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    torch.testing.assert_close((a.cuda() @ b.cuda()).cpu(), a @ b, rtol=1e-4, atol=1e-4)


def test_device_chapter_runs_on_cuda():
    result = subprocess.run([sys.executable, str(SNIPPETS / "devices.py")], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "This build ran on: cuda" in result.stdout
