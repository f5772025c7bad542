"""A content-addressed cache of page results, shared by both languages.

The key of a page is the hash of everything its output depends on: the code of its blocks in
order (comments ignored: the two languages' comments differ, the code does not), the source of
the helper modules it imports from snippets/ (and theirs), the data files under snippets/data/
that its code or its helpers name, the execution settings (thread count, memory, time limit),
this glue's own code, and the Python, torch and library versions. Everything is re-read on every
build, `mkdocs serve` rebuilds included. An entry that cannot be read or does not match its key
is a miss; only pages that ran without error are stored.

Environment:
- SITE_EXEC_CACHE: the cache folder (default: .cache/exec in the repository)
- SITE_FRESH=1: a clean run: ignore every entry this process did not compute itself, and
  replace them with fresh results (the deploy workflow builds this way)
"""
from __future__ import annotations

import ast
import atexit
import hashlib
import json
import os
import platform
import re
import tempfile
import time
from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path

from sitebuild import ROOT, SNIPPETS
from sitebuild import kernel
from sitebuild.kernel import BlockResult, Settings

FORMAT = 5  # bump when the stored layout changes
GLUE = [Path(__file__), Path(__file__).with_name("kernel.py")]  # the code that decides what a page prints
DATA = SNIPPETS / "data"


def folder() -> Path:
    return Path(os.environ.get("SITE_EXEC_CACHE", ROOT / ".cache" / "exec"))


def fresh() -> bool:
    return os.environ.get("SITE_FRESH", "") not in {"", "0", "no", "false"}


def device_hint() -> str:
    """Which device blocks would run on, without importing torch (so a warm build never does)."""
    if version("torch").endswith("+cpu"):
        return "cpu build of torch"
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    has_gpu = os.path.exists("/dev/nvidiactl") and visible not in ("", "-1")
    return f"gpu {visible}" if has_gpu else "no gpu"


@cache
def _versions() -> str:
    parts = [f"format {FORMAT}", f"python {platform.python_version()}"]
    for package in ("torch", "numpy", "matplotlib", "scikit-learn"):
        parts.append(f"{package} {version(package)}")
    return "\n".join(parts)


def environment(settings: Settings) -> str:
    """Everything outside a page's own code that changes what it prints (re-read every call)."""
    glue = hashlib.sha256(b"".join(p.read_bytes() for p in GLUE)).hexdigest()
    return "\n".join([_versions(), f"device {device_hint()}", f"settings {settings.describe()}", f"glue {glue}"])


@lru_cache(maxsize=4096)  # keys are recomputed on every `mkdocs serve` rebuild: keep that fast
def normalized(code: str) -> str:
    """The code without its comments and layout: what decides the output."""
    try:
        return ast.dump(ast.parse(code))
    except SyntaxError:
        return code


@lru_cache(maxsize=4096)
def _imported(code: str) -> frozenset[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return frozenset()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return frozenset(names)


def helpers(code: str) -> list[Path]:
    """The files of the snippets/ modules `code` imports, and of those they import, sorted."""
    found: set[Path] = set()
    todo = [code]
    while todo:
        for name in _imported(todo.pop()):
            module, package = SNIPPETS / f"{name}.py", SNIPPETS / name
            files = [module] if module.is_file() else sorted(package.rglob("*.py")) if package.is_dir() else []
            for path in files:
                if path not in found:
                    found.add(path)
                    todo.append(path.read_text(encoding="utf-8"))
    return sorted(found)


def data_files(texts: list[str]) -> list[Path]:
    """Files under snippets/data/ whose name appears in any of `texts` (page code, helper sources)."""
    if not DATA.is_dir():
        return []
    joined = "\n".join(texts)
    return sorted(p for p in DATA.rglob("*") if p.is_file() and re.search(rf"\b{re.escape(p.name)}\b", joined))


def page_key(codes: list[str], settings: Settings, values: list[list[str]] | None = None) -> str:
    """Key of a page whose executed blocks are `codes`, in order; `values`: the prose values
    ({eval} expressions) computed after each block."""
    digest = hashlib.sha256(environment(settings).encode())
    for n, code in enumerate(codes):
        digest.update(b"\0block\0" + normalized(code).encode())
        for value in (values[n] if values else ()):
            digest.update(b"\0value\0" + value.encode())
    files = helpers("\n".join(codes))
    sources = [path.read_text(encoding="utf-8") for path in files]
    for path, text in zip(files, sources):
        digest.update(f"\0helper {path.relative_to(ROOT).as_posix()}\0".encode() + text.encode())
    for path in data_files(codes + sources):
        digest.update(f"\0data {path.relative_to(ROOT).as_posix()}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def _path(k: str) -> Path:
    return folder() / k[:2] / f"{k}.json"


class CacheError(OSError):
    """The cache cannot be written; the message names the file."""


_stored_here: set[str] = set()  # keys this process computed itself
STALE_TMP = 24 * 3600  # seconds after which a .tmp file is a leftover of a killed build, never one being written


def load(k: str) -> tuple[list[BlockResult], str] | None:
    """(block results, device) of a page, or None on a miss. A hit is touched: in use, not to be pruned."""
    if fresh() and k not in _stored_here:  # a clean run trusts only what it computed itself
        return None
    path = _path(k)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))  # JSON, never pickle: a cache is data
        if data["key"] != k or data["format"] != FORMAT or not isinstance(data["device"], str):
            return None
        # checked like a page process's message: text, counts, output and figure limits
        results = [kernel._result({**block, "error": None}, 0) for block in data["blocks"]]
        if any(r.error is not None for r in results):
            return None
    except Exception:  # missing, unreadable, truncated, wrong shape: recompute
        return None
    try:
        os.utime(path)
    except OSError:  # a read-only cache is read all the same
        pass
    return results, data["device"]


def store(k: str, results: list[BlockResult], device: str) -> None:
    """Store a page's results, atomically: written to a .tmp file, renamed; nothing is left behind
    when that fails (full disk, read-only folder), and CacheError names the file."""
    path = _path(k)
    blocks = [{"outputs": r.outputs, "figures": r.figures, "seconds": r.seconds, "values": r.values, "cut": r.cut}
              for r in results]
    text = json.dumps({"key": k, "format": FORMAT, "device": device, "blocks": blocks})  # ASCII: any string
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{k}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError as error:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise CacheError(f"cannot write the execution cache entry {path}: {error.strerror or error}") from error
    _stored_here.add(k)


def _leases() -> Path:
    return folder() / "leases"


def lease(keys: set[str]) -> None:
    """Record the entries this process (a build, or `mkdocs serve` between rebuilds) uses, so that
    no other build prunes them while it runs; released when the process ends."""
    path = _leases() / f"{os.getpid()}.keys"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(sorted(keys)), encoding="ascii")
    except OSError:  # a read-only cache: nothing to protect, nothing will be pruned
        return
    if path not in _leased_here:
        _leased_here.add(path)
        atexit.register(path.unlink, missing_ok=True)


_leased_here: set[Path] = set()


def _leased() -> set[str]:
    """Keys leased by processes still running (leases of ended ones are removed)."""
    keys: set[str] = set()
    for path in _leases().glob("*.keys"):
        try:
            os.kill(int(path.stem), 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
            continue
        except (PermissionError, ValueError):
            pass
        try:
            keys.update(path.read_text(encoding="ascii").split())
        except OSError:
            continue
    return keys


def prune(keep: set[str], before: float) -> int:
    """Delete the entries not in `keep` that were last written or read before `before` (this build's
    start, as time.time()) and that no running build or `mkdocs serve` leases; never another's .tmp
    file, only those older than STALE_TMP. Returns how many were removed; a read-only folder is left as it is."""
    removed = 0
    in_use = keep | _leased()
    now = time.time()
    for path in folder().glob("*/*"):
        try:
            if path.suffix == ".json" and path.stem not in in_use and path.stat().st_mtime < before:
                path.unlink()
            elif path.suffix == ".tmp" and path.stat().st_mtime < now - STALE_TMP:
                path.unlink()
            else:
                continue
        except OSError:  # gone meanwhile, or not ours to delete
            continue
        removed += 1
    return removed
