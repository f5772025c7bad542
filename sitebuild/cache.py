"""A content-addressed cache of block outputs, shared by both languages.

The key of a block is the hash of everything its output depends on: the code of its
page session up to and including the block (includes expanded), the Python, torch and
library versions, the device, and the data files under snippets/data/. An entry that
cannot be read or does not match its key is treated as missing and recomputed.

Environment:
- SITE_EXEC_CACHE: the cache folder (default: .cache/exec in the repository)
- SITE_FRESH=1: a clean run: ignore every entry this process did not compute itself
  (so each block still runs once, not once per language); fresh results replace old ones
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib.metadata import version
from pathlib import Path

from sitebuild import ROOT, SNIPPETS

FORMAT = 2  # bump when the stored layout or the rendering of outputs changes


@dataclass
class Entry:
    output: str  # what the block printed
    figures: list[str] = field(default_factory=list)  # SVG text of the figures it drew
    seconds: float = 0.0  # how long the block ran when it really ran
    device: str = ""  # where it ran, e.g. "CPU" or "CUDA (NVIDIA H100)"


def folder() -> Path:
    return Path(os.environ.get("SITE_EXEC_CACHE", ROOT / ".cache" / "exec"))


def fresh() -> bool:
    return os.environ.get("SITE_FRESH", "") not in {"", "0", "no", "false"}


@cache
def device() -> str:
    """Where blocks run now (imports torch: called only when a block really runs)."""
    import torch

    if torch.cuda.is_available():
        return f"CUDA ({torch.cuda.get_device_name(0)})"
    return "CPU"


def device_hint() -> str:
    """Which device blocks would run on, without importing torch (so a warm build never does)."""
    if version("torch").endswith("+cpu"):
        return "cpu build of torch"
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    has_gpu = os.path.exists("/dev/nvidiactl") and visible not in ("", "-1")
    return f"gpu {visible}" if has_gpu else "no gpu"


@cache
def environment() -> str:
    """Everything outside the code that changes what the code prints."""
    parts = [f"format {FORMAT}", f"python {platform.python_version()}", f"device {device_hint()}"]
    for package in ("torch", "numpy", "matplotlib", "scikit-learn", "markdown-exec"):
        parts.append(f"{package} {version(package)}")
    data = SNIPPETS / "data"
    for path in sorted(data.rglob("*")) if data.is_dir() else []:
        if path.is_file():
            parts.append(f"{path.relative_to(ROOT).as_posix()} {hashlib.sha256(path.read_bytes()).hexdigest()}")
    return "\n".join(parts)


def key(session_code: list[str]) -> str:
    """Key of the last block of `session_code` (every block of the session so far)."""
    digest = hashlib.sha256(environment().encode())
    for code in session_code:
        digest.update(b"\0block\0" + code.encode())
    return digest.hexdigest()


def _path(k: str) -> Path:
    return folder() / k[:2] / f"{k}.json"


_stored_here: set[str] = set()  # keys this process computed itself


def load(k: str) -> Entry | None:
    if fresh() and k not in _stored_here:  # a clean run trusts only what it computed itself
        return None
    try:
        data = json.loads(_path(k).read_text(encoding="utf-8"))
        if data.pop("key") != k:
            return None
        entry = Entry(**data)
        if not isinstance(entry.output, str) or not all(isinstance(f, str) for f in entry.figures):
            return None
        return entry
    except Exception:  # missing, unreadable, truncated, wrong shape: recompute
        return None


def store(k: str, entry: Entry) -> None:
    path = _path(k)
    path.parent.mkdir(parents=True, exist_ok=True)
    # write then rename, so a killed build never leaves half an entry behind
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8", suffix=".tmp") as tmp:
        json.dump({"key": k, **asdict(entry)}, tmp, ensure_ascii=False)
    os.replace(tmp.name, path)
    _stored_here.add(k)
