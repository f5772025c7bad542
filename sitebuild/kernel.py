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

import codecs
import ctypes
import dataclasses
import getpass
import io
import json
import math
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sitebuild.svg import FigureError, check_size

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "snippets"
# imported once by the template, so no page pays for them (torch._dynamo: the first optimizer step imports it)
PRELOAD = ("numpy", "torch", "torch.optim", "torch._dynamo", "matplotlib", "matplotlib.pyplot", "sklearn.datasets",
           "sklearn.model_selection")
OUTPUT_LIMIT = 200  # lines of output shown per block
OUTPUT_CHARS = 20_000  # characters of output shown per block (a 20 MB line is cut too)
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
    cut: tuple[int, int] | None = None  # (lines, characters) the block printed, when more than was kept


# ---------------------------------------------------------------- messages: JSON, never pickle

MESSAGE_LIMIT = 64 << 20  # bytes of one message from a page's process (a block's result)
GRACE = 2.0  # seconds past the block limit for a page's process to report a Python-level stop itself
PASSED = ("PATH", "LANG", "TZ", "USER", "LOGNAME", "CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "CC", "CXX",
          "TORCHINDUCTOR_CACHE_DIR", "TRITON_CACHE_DIR")  # what a page process keeps of the build's environment
PR_SET_CHILD_SUBREAPER = 36  # prctl(2): orphans below a process are re-parented to it, not to init


class MessageError(Exception):
    """A message from a page's process that is too large or not of the expected shape."""


def _send(sock: socket.socket, obj) -> None:
    data = json.dumps(obj).encode()  # ASCII: any Python string, lone surrogates included, crosses as text
    sock.sendall(struct.pack("!Q", len(data)) + data)


def _recv(sock: socket.socket, deadline: float | None = None, limit: int = MESSAGE_LIMIT):
    """One message. Past `deadline` (time.monotonic()) TimeoutError, however slowly the bytes come."""
    def exactly(n):
        data = bytearray()
        while len(data) < n:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([sock], [], [], left)[0]:
                    raise TimeoutError
            chunk = sock.recv(min(n - len(data), 1 << 20))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    (size,) = struct.unpack("!Q", exactly(8))
    if size > limit:
        raise MessageError(f"a message of {size:,} bytes, over the limit of {limit:,}")
    try:
        return json.loads(exactly(size))
    except ValueError as error:
        raise MessageError(f"a message that is not JSON ({error})") from None


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise MessageError(f"{what} that is not text")
    return value.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate is shown as \udcff


def _count_or_none(value, what: str, below: float = math.inf) -> int | None:
    if value is not None and not (type(value) is int and 0 <= value < below):
        raise MessageError(f"{what} that is not a count")
    return value


def _result(data, values: int) -> BlockResult:
    """A block's result from its message, checked field by field: MessageError when anything is off."""
    fields = {f.name for f in dataclasses.fields(BlockResult)}
    if not isinstance(data, dict) or set(data) != fields:
        raise MessageError("a result without the fields of one")
    for name in ("outputs", "figures", "values"):
        if not isinstance(data[name], list):
            raise MessageError(f"{name} that are not a list")
    outputs = []
    for item in data["outputs"]:
        if not (isinstance(item, list) and len(item) == 2 and item[0] in ("stdout", "stderr")):
            raise MessageError("an output that is not [stream, text]")
        outputs.append((item[0], _text(item[1], "an output")))
    if sum(len(t) for _, t in outputs) > OUTPUT_CHARS or sum(t.count("\n") for _, t in outputs) > OUTPUT_LIMIT:
        raise MessageError("more output than a block may show")
    seconds, error, cut = data["seconds"], data["error"], data["cut"]
    if type(seconds) not in (int, float) or not 0 <= seconds < math.inf:
        raise MessageError("a run time that is not a number of seconds")
    if error is not None:
        if not isinstance(error, dict) or set(error) != {f.name for f in dataclasses.fields(BlockError)}:
            raise MessageError("an error without the fields of one")
        error = BlockError(_text(error["kind"], "an error kind"), _text(error["message"], "an error message"),
                           _count_or_none(error["line"], "an error line"), _text(error["traceback"], "a traceback"),
                           _count_or_none(error["value"], "a value index", below=values))
    if cut is not None:
        if not (isinstance(cut, list) and len(cut) == 2 and None not in cut):
            raise MessageError("an output count that is not [lines, characters]")
        cut = (_count_or_none(cut[0], "a line count"), _count_or_none(cut[1], "a character count"))
    result = BlockResult(outputs, [_text(f, "a figure") for f in data["figures"]], float(seconds), error,
                         [_text(v, "a computed value") for v in data["values"]], cut)
    for number, figure in enumerate(result.figures, 1):
        try:
            check_size(figure)
        except FigureError as problem:
            result.error = result.error or BlockError("FigureTooLarge", f"figure {number} of the block: {problem}")
            result.figures = []
    return result


# ---------------------------------------------------------------- processes: every page's, stopped with it

def page_environment(settings: Settings) -> dict[str, str]:
    """The whole environment of the template, and so of every page: nothing else of the build's (no
    tokens, keys or SITE_* settings). Each page then gets HOME and TMPDIR = its own work folder."""
    threads = str(settings.threads)
    env = {name: os.environ[name] for name in PASSED if name in os.environ}
    home = Path.home()
    env.update({"HOME": str(home), "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads,
                "OPENBLAS_NUM_THREADS": threads, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
                # matplotlib's font cache, built once (not in every page's fresh HOME); no user matplotlibrc
                "MPLCONFIGDIR": os.environ.get("MPLCONFIGDIR") or str(home / ".cache" / "matplotlib"),
                # torch.compile's C++ cache, shared by the pages (otherwise in each page's TMPDIR)
                "TORCHINDUCTOR_CACHE_DIR": os.environ.get("TORCHINDUCTOR_CACHE_DIR")
                or str(Path(tempfile.gettempdir()) / f"torchinductor_{getpass.getuser()}"),
                **DIGITS_ENV, "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1",
                "SITE_KERNEL_SETTINGS": json.dumps([settings.timeout, settings.threads, settings.memory])})
    env.setdefault("PATH", os.defpath)
    return env


def _prctl(option: int, value: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the process group is still stopped
        pass


class _PathBeneath(ctypes.Structure):  # struct landlock_path_beneath_attr
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _sandbox(writable: list[str]) -> int:
    """Landlock (Linux 5.13+): from here on this process, and everything it starts, may create, change
    or delete files only below `writable` (reading stays as it was) and, from Landlock 6 (Linux 6.12),
    send signals only to its own processes. Returns the Landlock version applied; 0 where the kernel has
    none: a page can then write wherever the build can."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(444, None, ctypes.c_size_t(0), 1)  # landlock_create_ruleset(VERSION)
    if abi < 1:
        return 0
    # write-file, remove dir/file, make char/dir/reg/sock/fifo/block/sym; refer (ABI 2); truncate (ABI 3)
    rights = sum(1 << bit for bit in (1, 4, 5, 6, 7, 8, 9, 10, 11, 12)) | (abi >= 2) << 13 | (abi >= 3) << 14
    # struct landlock_ruleset_attr: handled fs, handled net (none), scoped: signals and abstract sockets
    attr = (ctypes.c_uint64 * 3)(rights, 0, 0b11 if abi >= 6 else 0)
    ruleset = libc.syscall(444, attr, ctypes.c_size_t(24 if abi >= 6 else 8), 0)
    if ruleset < 0:
        return 0
    try:
        for folder in writable:
            try:
                fd = os.open(folder, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            rule = _PathBeneath(rights, fd)
            libc.syscall(445, ruleset, 1, ctypes.byref(rule), 0)  # landlock_add_rule(PATH_BENEATH)
            os.close(fd)
        # no_new_privs, then landlock_restrict_self
        return abi if libc.prctl(38, 1, 0, 0, 0) == 0 and libc.syscall(446, ruleset, 0) == 0 else 0
    finally:
        os.close(ruleset)


def _children() -> dict[int, list[int]]:
    """Parent pid -> its living children, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue
            state, ppid = stat[stat.rindex(b")") + 2:].split()[:2]
            if state != b"Z":
                tree.setdefault(int(ppid), []).append(int(entry))
    return tree


def _below(pid: int, tree: dict[int, list[int]] | None = None) -> list[int]:
    tree, found, todo = tree or _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found


def _signal(pid: int, number: int) -> None:
    try:
        os.kill(pid, number)
    except (ProcessLookupError, PermissionError):
        pass


def kill_tree(pid: int, itself: bool = True) -> None:
    """Stop every process below `pid`, in whatever session or group it put itself (a page process is
    a subreaper, so what it starts stays below it): `pid` is frozen first, then everything below it
    is killed until nothing is left, then `pid` and its process group."""
    if itself:
        _signal(pid, signal.SIGSTOP)
    for _ in range(200):
        below = _below(pid)
        if not below:
            break
        for process in below:
            _signal(process, signal.SIGKILL)
        time.sleep(0.005)
    if itself:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _signal(pid, signal.SIGKILL)


class _Template:
    """The warm process every page kernel is forked from (one per parent process and settings)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.process = subprocess.Popen([sys.executable, "-m", "sitebuild.kernel", str(theirs.fileno())],
                                        pass_fds=[theirs.fileno()], env=page_environment(settings), cwd=ROOT,
                                        stdin=subprocess.DEVNULL)
        theirs.close()
        self.lock = threading.Lock()
        self.pages: set[int] = set()  # pids of the page processes forked and not yet stopped
        if _recv(self.control, time.monotonic() + 120) != "ready":
            raise RuntimeError("the kernel template did not start")

    def fork(self) -> tuple[socket.socket, int]:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with self.lock:
                socket.send_fds(self.control, [b"fork"], [theirs.fileno()])
                pid = _recv(self.control, time.monotonic() + 30)
                if type(pid) is not int:
                    raise MessageError("the template answered a fork with no process id")
                self.pages.add(pid)
        finally:
            theirs.close()
        return ours, pid

    def release(self, pid: int) -> None:
        """Stop page `pid` and everything it started; then whatever a page that ended on its own left
        behind (re-parented to the template, a subreaper)."""
        kill_tree(pid)
        with self.lock:
            self.pages.discard(pid)
            tree = _children()
            for orphan in set(tree.get(self.process.pid, ())) - self.pages:
                kill_tree(orphan)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        try:
            self.control.close()  # the template stops every process below it, then exits
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()


_templates: dict[Settings, _Template] = {}
_templates_lock = threading.Lock()
_live: set[PageKernel] = set()  # kernels not yet closed, for stop_all


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


def stop_all() -> None:
    """Stop every page's processes now (the build got Ctrl-C or SIGTERM); takes no lock."""
    for kernel in list(_live):
        if kernel.pid is not None:
            kill_tree(kernel.pid)


class PageKernel:
    """A fresh process for one page: run its blocks in order, one namespace, each within the limit."""

    def __init__(self, settings: Settings | None = None, salt: str = "page"):
        self.settings = settings or Settings.from_env()
        self.salt = salt  # matplotlib's SVG ids are random without one: the same figure, the same file
        self.dead: BlockError | None = None
        self.blocks = 0
        self.sock: socket.socket | None = None
        self.pid: int | None = None
        self.folder = tempfile.mkdtemp(prefix="page-")  # the page's working folder and HOME; close() removes it
        _live.add(self)
        for attempt in (1, 2):  # a second time with a new template, if a page has just killed the last one
            try:
                self.template = _template(self.settings)
                self.sock, self.pid = self.template.fork()
                _send(self.sock, {"folder": self.folder})
                self.dead = None
                break
            except (OSError, EOFError, MessageError, RuntimeError) as error:
                self.kill()  # a process that was forked but not told its folder
                if self.sock is not None:
                    self.sock.close()
                    self.sock = None
                self.dead = BlockError("KernelError", f"the page's process could not be started: {error!r}")

    def run(self, code: str, label: str, values: list[tuple[str, str, str]] = ()) -> BlockResult:
        """Run one block, then compute the prose values that follow it: `values` are
        (expression, format spec, label) triples. `label` is the file name a traceback shows
        (e.g. docs/x.zh.md:12). The whole block, figures and values included, has
        SITE_BLOCK_TIMEOUT seconds (and GRACE more to report a Python-level stop)."""
        if self.dead is not None:
            if self.dead.kind == "KernelError" and not self.blocks:
                return BlockResult(error=self.dead)
            return BlockResult(error=BlockError("NotRun", "the page's process is gone: " + self.dead.summary()))
        self.blocks += 1
        limit = self.settings.timeout
        start = time.monotonic()
        try:
            _send(self.sock, {"run": code, "label": label, "salt": f"{self.salt}-{self.blocks}",
                              "values": [list(v) for v in values]})
            result = _result(_recv(self.sock, start + limit + GRACE), len(values))
        except TimeoutError:
            return self._fail(start, "Timeout", f"block stopped after {limit + GRACE:g} s: the limit is {limit:g} s "
                                                f"(SITE_BLOCK_TIMEOUT), plus {GRACE:g} s for the block to report "
                                                "where it was; its process was stopped")
        except (EOFError, OSError):
            return self._fail(start, "ProcessDied", "the page's process ended while running this block "
                                                    "(os._exit, a crash, or out of memory)")
        except MessageError as error:
            return self._fail(start, "ResultError", f"the page's process sent {error}")
        if not self.template.alive():  # nothing but a page stops it while pages run
            return self._fail(start, "TemplateKilled", "the process every page is forked from ended while this "
                                                       "block ran: this page or one running beside it stopped it "
                                                       "(a page must not stop processes outside it)")
        if result.error is not None and result.error.kind == "Timeout":
            self.kill()  # stopped from inside after a Python-level hang: do not trust the process further
            self.dead = result.error
        return result

    def _fail(self, start: float, kind: str, message: str) -> BlockResult:
        self.kill()
        self.dead = BlockError(kind, message)
        return BlockResult(seconds=time.monotonic() - start, error=self.dead)

    def device(self) -> str:
        if self.dead is not None:
            return ""
        try:
            _send(self.sock, {"device": True})
            return _text(_recv(self.sock, time.monotonic() + 30), "a device name")
        except Exception:
            return ""

    def sandboxed(self) -> int:
        """The Landlock version the page's process runs under (0: none): from 1 it can write only in its
        own folder, from 6 signal only its own processes."""
        try:
            _send(self.sock, {"sandboxed": True})
            answer = _recv(self.sock, time.monotonic() + 30)
            return answer if type(answer) is int else 0
        except Exception:
            return 0

    def kill(self) -> None:
        """Stop the page's process and everything it started (subprocesses, forks, their children)."""
        if self.pid is not None:
            self.template.release(self.pid)
            self.pid = None

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
        _live.discard(self)


# ---------------------------------------------------------------- the template and its children

class _Output:
    """What a block prints, in order, by stream: kept up to OUTPUT_LIMIT lines and OUTPUT_CHARS
    characters, the rest only counted. Linear in what is printed."""

    def __init__(self):
        self.parts: list[tuple[str, list[str]]] = []
        self.lines = self.chars = self.kept_lines = self.kept_chars = 0
        self.full, self.last = False, "\n"

    def add(self, stream: str, text: str) -> None:
        if not text:
            return
        self.lines += text.count("\n")
        self.chars += len(text)
        self.last = text[-1]
        if self.full:
            return
        keep, room = text[:OUTPUT_CHARS - self.kept_chars], OUTPUT_LIMIT - self.kept_lines
        if keep.count("\n") >= room:  # keep up to the last line there is room for
            end = -1
            for _ in range(room):
                end = keep.index("\n", end + 1)
            keep = keep[:end + 1]
        self.full = len(keep) < len(text)
        self.kept_lines += keep.count("\n")
        self.kept_chars += len(keep)
        if keep and self.parts and self.parts[-1][0] == stream:
            self.parts[-1][1].append(keep)
        elif keep:
            self.parts.append((stream, [keep]))

    def outputs(self) -> list[tuple[str, str]]:
        return [(stream, "".join(chunks)) for stream, chunks in self.parts]

    def cut(self) -> tuple[int, int] | None:
        """(lines, characters) printed in all, when more than was kept."""
        return (self.lines + (self.last != "\n"), self.chars) if self.full else None


class _Bytes(io.RawIOBase):
    """sys.stdout.buffer / sys.stderr.buffer: bytes decoded as UTF-8 (others shown as \\xNN) into the stream."""

    def __init__(self, stream: _Stream):
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8")("backslashreplace")

    def writable(self):
        return True

    def write(self, data):
        data = bytes(data)
        self.stream.write(self.decoder.decode(data))
        return len(data)


class _Stream(io.TextIOBase):
    """sys.stdout / sys.stderr of a block: every write, in order, with its stream's name."""

    def __init__(self, name: str, output: _Output, fd: int):
        self.name, self.output, self.fd = name, output, fd
        self.buffer = _Bytes(self)

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.output.add(self.name, text)
        return len(text)

    def fileno(self):  # the process's own descriptor, captured too (subprocess.run(..., stdout=sys.stdout))
        return self.fd

    def isatty(self):
        return False

    @property
    def encoding(self):
        return "utf-8"


def _native(output: _Output, files: dict[str, io.BufferedRandom]) -> None:
    """What C code and subprocesses wrote to descriptors 1 and 2 during the block, by stream; the files
    are emptied after (a gigabyte printed costs its reading, not memory or cache)."""
    for handle in (sys.__stdout__, sys.__stderr__):
        try:
            handle.flush()
        except (AttributeError, OSError, ValueError):  # none, or closed by the page
            pass
    try:
        ctypes.CDLL(None).fflush(None)  # C stdio buffers
    except (OSError, AttributeError):
        pass
    for stream, file in files.items():
        fd, position = file.fileno(), 0
        decoder = codecs.getincrementaldecoder("utf-8")("backslashreplace")
        size = os.fstat(fd).st_size
        while position < size:
            chunk = os.pread(fd, min(1 << 20, size - position), position)
            if not chunk:
                break
            position += len(chunk)
            if output.full:  # only counted: bytes for characters
                output.lines, output.chars, output.last = output.lines + chunk.count(b"\n"), output.chars + len(chunk), "?"
            else:
                output.add(stream, decoder.decode(chunk))
        output.add(stream, decoder.decode(b"", final=True))
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)


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


def _run_block(namespace: dict, code: str, label: str, salt: str, files, values=()) -> BlockResult:
    output = _Output()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream("stdout", output, 1), _Stream("stderr", output, 2)

    def stop(signum, frame):  # a Python-level hang; C-level hangs are killed by the parent
        raise TimeoutError(f"block still running after {_timeout:g} s (SITE_BLOCK_TIMEOUT)")

    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, _timeout)
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
        sys.stdout, sys.stderr = saved
    _native(output, files)
    figures = []
    try:
        figures = _take_figures(salt)
    except Exception as exc:
        if error is None:
            error = _describe(exc, label)
            error.message = f"while drawing the block's figure: {error.message}"
    return BlockResult(output.outputs(), figures, seconds, error, texts, output.cut())


def _device() -> str:
    import torch

    if torch.cuda.is_available():
        return f"CUDA ({torch.cuda.get_device_name(0)})"
    return "CPU"


_timeout = 0.0  # SITE_BLOCK_TIMEOUT, in a page's process


def _child(sock: socket.socket) -> None:
    import random
    import resource

    global _timeout
    os.setsid()  # a session and process group of its own
    _prctl(PR_SET_CHILD_SUBREAPER, 1)  # what the page starts stays below it, even a daemon: stopped with it
    _timeout, threads, memory = json.loads(os.environ.pop("SITE_KERNEL_SETTINGS"))
    folder = _recv(sock)["folder"]
    os.environ["HOME"] = os.environ["TMPDIR"] = tempfile.tempdir = folder
    os.chdir(folder)  # files a page writes land in a folder of its own, removed when the page ends
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # input() fails at once instead of waiting
    files = {}
    for fd, stream in ((1, "stdout"), (2, "stderr")):
        files[stream] = tempfile.TemporaryFile(dir=folder)
        os.dup2(files[stream].fileno(), fd)
    sys.path.append(str(SNIPPETS))  # helpers, after the standard library: a snippet never shadows it
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    shared = [os.environ["TORCHINDUCTOR_CACHE_DIR"], os.environ["MPLCONFIGDIR"]]
    for path in shared:
        try:
            os.makedirs(path, exist_ok=True)
        except OSError:
            pass
    # docs/, snippets/, the cache, the site, HOME and the rest: read-only to the page (where Landlock is)
    sandboxed = _sandbox([folder, *shared, "/dev"])
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
        if "run" in message:
            result = _run_block(namespace, message["run"], message["label"], message["salt"], files,
                                message["values"])
            size = len(json.dumps(dataclasses.asdict(result)))
            if size > MESSAGE_LIMIT:
                result = BlockResult(result.outputs, [], result.seconds, BlockError(
                    "ResultTooLarge", f"the block's result (figures and output) is {size / 1e6:.0f} MB, over the "
                                      f"limit of {MESSAGE_LIMIT / 1e6:.0f} MB"), [], result.cut)
            _send(sock, dataclasses.asdict(result))
        elif "device" in message:
            _send(sock, _device())
        elif "sandboxed" in message:
            _send(sock, sandboxed)
        else:
            break


def _serve(control_fd: int) -> None:
    """The template: import the heavy modules once, then fork a child per request. When the parent
    is gone (it ended, was killed, or closed the control socket), stop every process below."""
    import importlib
    import warnings

    control = socket.socket(fileno=control_fd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in PRELOAD:
            try:
                importlib.import_module(name)
            except ImportError:
                pass
    _prctl(PR_SET_CHILD_SUBREAPER, 1)  # what a page that ended leaves behind comes here, to be stopped
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    _send(control, "ready")
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 1)
        except OSError:
            break
        if not message or not fds:
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
    kill_tree(os.getpid(), itself=False)


if __name__ == "__main__":
    from sitebuild.kernel import _serve as serve  # one module: page code that imports it sees the same

    serve(int(sys.argv[1]))
