"""One process per page: where the code of a page runs, isolated from every other page.

A *template* process (`python -m sitebuild.kernel`) imports torch, NumPy, matplotlib and
scikit-learn once and then only forks. Each page gets a fresh fork of it: a process of its
own, with its own working folder, seeds, thread count, memory limit and namespace; nothing a
page does (dtype defaults, print options, RNG, rcParams, cwd, sys.path, environment, modules,
memory) can reach another page, and a page that calls `sys.exit`, `os._exit`, hangs in C code
or runs out of memory is stopped or reported at the block that was running.

Forking a warm template costs milliseconds where a Jupyter kernel costs seconds (start-up plus
importing torch), which keeps a cold build of 20+ pages fast on 2 cores; the downloadable
notebooks are the same cells and are run with nbclient by tests/test_notebooks.py.

    kernel = PageKernel()
    result = kernel.run(code, label="docs/tensors.zh.md:12")  # a BlockResult
    kernel.close()

The parent (MkDocs or pytest) never imports torch: a warm build starts no process at all.
"""
from __future__ import annotations

import io
import json
import math
import os
import pickle
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "snippets"
# imported once by the template, so no page pays for them (torch._dynamo: the first optimizer step imports it)
PRELOAD = ("numpy", "torch", "torch.optim", "torch._dynamo", "matplotlib", "matplotlib.pyplot", "sklearn.datasets",
           "sklearn.model_selection")
OUTPUT_LIMIT = 200  # lines of output shown per block
# Settings that change the digits a page prints, beside the thread count (Settings.threads) and the
# seeds (SEED, for random, NumPy and torch); each page's notebook sets the same in its first cell.
# MKL picks kernels by memory alignment unless told not to: the same code, other digits.
DIGITS_ENV = {"MKL_CBWR": "COMPATIBLE"}
SEED = 0


class SettingError(ValueError):
    """A SITE_* execution setting that cannot be used; the message names it."""


@dataclass(frozen=True)
class Settings:
    """How pages run. Part of the cache key: a change of setting re-runs every page."""

    timeout: float = 120.0  # seconds one block may run (SITE_BLOCK_TIMEOUT)
    threads: int = 1  # intra-op threads of torch and BLAS (SITE_THREADS); 1 = the same output everywhere
    memory: int = 8 << 30  # bytes of address space a page may use (SITE_MEMORY_LIMIT, e.g. 8G)

    @classmethod
    def from_env(cls, env=os.environ) -> Settings:
        return cls(setting("SITE_BLOCK_TIMEOUT", cls.timeout, _seconds, most=86400, env=env),
                   setting("SITE_THREADS", cls.threads, _count, most=1024, env=env),
                   setting("SITE_MEMORY_LIMIT", cls.memory, _bytes, env=env))

    def describe(self) -> str:
        return f"timeout {self.timeout:g} s, threads {self.threads}, memory {self.memory} bytes"


def setting(name: str, default, parse, most: float = math.inf, env=os.environ):
    """The positive, finite number `name` holds in the environment (parsed by `parse`), or `default`."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = parse(raw)
    except (ValueError, OverflowError):
        value = None
    if value is None or not 0 < value <= most or not math.isfinite(value):  # nan compares false: refused too
        bound = f", at most {most:g}" if most < math.inf else ""
        raise SettingError(f"{name}={raw!r} is not a positive {parse.__doc__}{bound}")
    return value


def _seconds(raw: str) -> float:
    """number of seconds (e.g. 120 or 2.5)"""
    return float(raw)


def _count(raw: str) -> int:
    """whole number (e.g. 1)"""
    return int(raw)


def _bytes(raw: str) -> int:
    """size (e.g. 8G, 512M or a number of bytes)"""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    raw = raw.upper().removesuffix("B")
    if raw[-1:] in units:
        return int(float(raw[:-1]) * units[raw[-1]])
    return int(raw)


@dataclass
class BlockError:
    kind: str  # exception type, or "Timeout" / "ProcessDied"
    message: str
    line: int | None = None  # line inside the block, 1-based, where known
    traceback: str = ""
    value: int | None = None  # which of the block's prose values failed (the block itself ran), if one did

    def summary(self) -> str:
        return f"{self.kind}: {self.message}" if self.message else self.kind


@dataclass
class BlockResult:
    outputs: list[tuple[str, str]] = field(default_factory=list)  # ("stdout" | "stderr", text), in order
    figures: list[str] = field(default_factory=list)  # SVG text of the figures the block drew
    seconds: float = 0.0
    error: BlockError | None = None
    values: list[str] = field(default_factory=list)  # the prose values computed after the block, formatted


# ---------------------------------------------------------------- the parent's side

def _send(sock: socket.socket, obj) -> None:
    data = pickle.dumps(obj)
    sock.sendall(struct.pack("!Q", len(data)) + data)


def _recv(sock: socket.socket):
    def exactly(n):
        chunks = []
        while n:
            chunk = sock.recv(min(n, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    (size,) = struct.unpack("!Q", exactly(8))
    return pickle.loads(exactly(size))


class _Template:
    """The warm process every page kernel is forked from (one per parent process and settings)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        threads = str(settings.threads)
        env = {**os.environ, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads,
               "OPENBLAS_NUM_THREADS": threads, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
               **DIGITS_ENV,
               "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
               "SITE_KERNEL_SETTINGS": json.dumps([settings.timeout, settings.threads, settings.memory])}
        self.process = subprocess.Popen([sys.executable, "-m", "sitebuild.kernel", str(theirs.fileno())],
                                        pass_fds=[theirs.fileno()], env=env, cwd=ROOT,
                                        stdin=subprocess.DEVNULL)
        theirs.close()
        self.lock = threading.Lock()
        self.control.settimeout(120)
        if _recv(self.control) != "ready":
            raise RuntimeError("the kernel template did not start")

    def fork(self) -> tuple[socket.socket, int]:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        with self.lock:
            socket.send_fds(self.control, [b"fork"], [theirs.fileno()])
            pid = _recv(self.control)
        theirs.close()
        return ours, pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        try:
            self.control.close()
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()


_templates: dict[Settings, _Template] = {}
_templates_lock = threading.Lock()


def _template(settings: Settings) -> _Template:
    with _templates_lock:
        template = _templates.get(settings)
        if template is None or not template.alive():
            template = _templates[settings] = _Template(settings)
        return template


def stop_templates() -> None:
    with _templates_lock:
        for template in _templates.values():
            template.stop()
        _templates.clear()


class PageKernel:
    """A fresh process for one page: run its blocks in order, one namespace, each within the limit."""

    def __init__(self, settings: Settings | None = None, salt: str = "page"):
        self.settings = settings or Settings.from_env()
        self.sock, self.pid = _template(self.settings).fork()
        self.salt = salt  # matplotlib's SVG ids are random without one: the same figure, the same file
        self.dead: BlockError | None = None
        self.blocks = 0

    def run(self, code: str, label: str, values: list[tuple[str, str, str]] = ()) -> BlockResult:
        """Run one block, then compute the prose values that follow it: `values` are
        (expression, format spec, label) triples. `label` is the file name a traceback shows
        (e.g. docs/x.zh.md:12)."""
        if self.dead is not None:
            return BlockResult(error=BlockError("NotRun", "the page's process is gone: " + self.dead.summary()))
        self.blocks += 1
        limit = self.settings.timeout
        start = time.perf_counter()
        try:
            self.sock.settimeout(limit + 5)
            _send(self.sock, ("run", code, label, f"{self.salt}-{self.blocks}", list(values)))
            result = _recv(self.sock)
        except (socket.timeout, TimeoutError):
            self.kill()
            self.dead = BlockError("Timeout", f"block still running after {limit:g} s (SITE_BLOCK_TIMEOUT); "
                                              "its process was stopped")
            return BlockResult(seconds=time.perf_counter() - start, error=self.dead)
        except (EOFError, OSError):
            self.kill()
            self.dead = BlockError("ProcessDied", "the page's process ended while running this block "
                                                  "(os._exit, a crash, or out of memory)")
            return BlockResult(seconds=time.perf_counter() - start, error=self.dead)
        if result.error is not None and result.error.kind == "Timeout":
            self.kill()  # stopped from inside after a Python-level hang: do not trust the process further
            self.dead = result.error
        return result

    def device(self) -> str:
        if self.dead is not None:
            return ""
        try:
            self.sock.settimeout(30)
            _send(self.sock, ("device",))
            return _recv(self.sock)
        except Exception:
            return ""

    def kill(self) -> None:
        try:
            os.kill(self.pid, 9)
        except ProcessLookupError:
            pass

    def close(self) -> None:
        try:
            self.sock.settimeout(5)
            _send(self.sock, ("exit",))
        except Exception:
            pass
        self.sock.close()
        self.kill()


# ---------------------------------------------------------------- the template and its children

class _Stream(io.TextIOBase):
    """sys.stdout / sys.stderr of a block: keeps every write, in order, with its stream's name."""

    def __init__(self, name: str, sink: list):
        self.name, self.sink = name, sink

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            if self.sink and self.sink[-1][0] == self.name:
                self.sink[-1] = (self.name, self.sink[-1][1] + text)
            else:
                self.sink.append((self.name, text))
        return len(text)

    def isatty(self):
        return False

    @property
    def encoding(self):
        return "utf-8"


def _describe(error: BaseException, label: str) -> BlockError:
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    lines = [f.lineno for f in frames if f.filename == label]
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != label:
        tb = tb.tb_next  # drop this module's own frames
    text = "".join(traceback.format_exception(type(error), error, tb))
    return BlockError(type(error).__name__, str(error), lines[-1] if lines else None, text)


def _take_figures(salt: str) -> list[str]:
    import matplotlib.pyplot as plt

    svgs = []
    for number in plt.get_fignums():
        figure = plt.figure(number)
        buffer = io.StringIO()
        try:
            # text drawn as glyph paths: it looks the same on every reader's machine, with or without
            # DejaVu Sans and matplotlib's math fonts (\mathcal is a private-use character in text);
            # the salt keeps ids stable
            with plt.rc_context({"svg.hashsalt": f"{salt}-{len(svgs)}", "svg.fonttype": "path"}):
                # tight: no empty band around the axes, with a little padding
                figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight", pad_inches=0.12)
        finally:
            plt.close(figure)
        svg = buffer.getvalue()
        svgs.append(svg[svg.index("<svg"):])  # drop the XML prolog and doctype
    return svgs


def _compute(namespace: dict, values) -> tuple[list[str], BlockError | None]:
    """The prose values after a block: format(eval(expression), spec), each named by its page line."""
    texts = []
    for index, (expression, spec, label) in enumerate(values):
        try:
            texts.append(format(eval(compile(expression, label, "eval"), namespace), spec))
        except BaseException as exc:
            error = _describe(exc, label)
            error.message = f"in {{eval}}`{expression}{':' + spec if spec else ''}`: {error.message}"
            error.line, error.value = None, index
            return texts, error
    return texts, None


def _run_block(namespace: dict, code: str, label: str, salt: str, native, values=()) -> BlockResult:
    import signal

    outputs: list[tuple[str, str]] = []
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream("stdout", outputs), _Stream("stderr", outputs)
    position = native.seek(0, io.SEEK_END)
    timeout = float(os.environ["SITE_BLOCK_TIMEOUT_CHILD"])

    def stop(signum, frame):  # a Python-level hang; C-level hangs are killed by the parent
        raise TimeoutError(f"block still running after {timeout:g} s (SITE_BLOCK_TIMEOUT)")

    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    error = None
    texts: list[str] = []
    try:
        exec(compile(code, label, "exec"), namespace)
        texts, error = _compute(namespace, values)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too: a page must not end its process
        error = _describe(exc, label)
        if isinstance(exc, TimeoutError) and "SITE_BLOCK_TIMEOUT" in str(exc):
            error.kind = "Timeout"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        seconds = time.perf_counter() - start
        sys.stdout.flush()
        sys.stdout, sys.stderr = saved
    native.flush()
    native.seek(position)
    written = native.read().decode("utf-8", "replace")
    if written:  # C code and subprocesses writing to the process's own stdout/stderr
        outputs.append(("stderr", written))
    figures = []
    try:
        figures = _take_figures(salt)
    except Exception as exc:
        if error is None:
            error = _describe(exc, label)
            error.message = f"while drawing the block's figure: {error.message}"
    return BlockResult(outputs, figures, seconds, error, texts)


def _device() -> str:
    import torch

    if torch.cuda.is_available():
        return f"CUDA ({torch.cuda.get_device_name(0)})"
    return "CPU"


def _child(sock: socket.socket) -> None:
    import random
    import resource
    import tempfile

    timeout, threads, memory = json.loads(os.environ["SITE_KERNEL_SETTINGS"])
    os.environ["SITE_BLOCK_TIMEOUT_CHILD"] = str(timeout)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # input() fails at once instead of waiting
    native = tempfile.TemporaryFile()
    os.dup2(native.fileno(), 1)
    os.dup2(native.fileno(), 2)
    os.chdir(tempfile.mkdtemp(prefix="page-"))  # files a page writes land in a folder of its own
    sys.path.append(str(SNIPPETS))  # helpers, after the standard library: a snippet never shadows it
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    import numpy
    import torch

    torch.set_num_threads(threads)
    random.seed(SEED)
    numpy.random.seed(SEED)
    torch.manual_seed(SEED)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    while True:
        try:
            message = _recv(sock)
        except EOFError:
            break
        if message[0] == "run":
            _, code, label, salt, values = message
            result = _run_block(namespace, code, label, salt, native, values)
            try:
                _send(sock, result)
            except Exception:
                result = BlockResult(result.outputs, [], result.seconds,
                                     BlockError("ResultError", "the block's result could not be sent back"))
                _send(sock, result)
        elif message[0] == "device":
            _send(sock, _device())
        else:
            break


def _serve(control_fd: int) -> None:
    """The template: import the heavy modules once, then fork a child per request."""
    import importlib
    import signal
    import warnings

    control = socket.socket(fileno=control_fd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in PRELOAD:
            try:
                importlib.import_module(name)
            except ImportError:
                pass
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    _send(control, "ready")
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 1)
        except OSError:
            break
        if not message:
            break  # the parent is gone
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            control.close()
            code = 0
            try:
                _child(socket.socket(fileno=fds[0]))
            except BaseException:
                code = 70
            os._exit(code)
        os.close(fds[0])
        _send(control, pid)


if __name__ == "__main__":
    from sitebuild.kernel import _serve as serve  # so results pickle as sitebuild.kernel classes

    serve(int(sys.argv[1]))
