"""The site's `python` fence: markdown-exec's own validator and formatter, with project defaults.

Every ```python fence of a page runs at build time in the page's session (one namespace per
page, in order, like a notebook), shows its source above and its printed output as text,
and draws its matplotlib figures as inline SVG. A fence with `exec="off"` is only shown.

Around markdown-exec's runner this adds: the execution cache (sitebuild.cache), a per-block
time limit, the page file and line in every error, and figure capture.
"""
from __future__ import annotations

import io
import logging
import os
import re
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from markdown_exec import validator as exec_validator
from markdown_exec._internal.formatters.base import ExecutionError, base_format
from markdown_exec._internal.formatters.python import _run_python, _sessions_globals
from markupsafe import Markup

from sitebuild import cache
from sitebuild.blocks import Block, page_blocks, page_key

log = logging.getLogger("mkdocs.plugins.sitebuild")

DEFAULT_TIMEOUT = 120.0


def enabled() -> bool:
    """SITE_EXEC=off shows the code without running it (for measuring the build alone)."""
    return os.environ.get("SITE_EXEC", "on").lower() not in {"off", "0", "no", "false"}


def block_timeout() -> float:
    """Seconds one block may run: SITE_BLOCK_TIMEOUT, default 120."""
    return float(os.environ.get("SITE_BLOCK_TIMEOUT", DEFAULT_TIMEOUT))


class BlockTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    """Raise BlockTimeout inside the running block after `seconds` (main thread only)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise BlockTimeout(f"block still running after {seconds:g} s (SITE_BLOCK_TIMEOUT)")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def take_figures() -> list[str]:
    """SVG text of every open matplotlib figure, then close them: no dates, stable ids."""
    import sys

    if "matplotlib.pyplot" not in sys.modules:
        return []
    import matplotlib.pyplot as plt

    svgs = []
    for number in plt.get_fignums():
        figure = plt.figure(number)
        buffer = io.StringIO()
        # text stays text (smaller, faster, selectable); the hash salt keeps element ids stable
        with plt.rc_context({"svg.hashsalt": f"figure-{len(svgs)}", "svg.fonttype": "none"}):
            figure.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(figure)
        svg = buffer.getvalue()
        svgs.append(svg[svg.index("<svg"):])  # drop the XML prolog and doctype
    return svgs


@dataclass
class PageRun:
    """The page being rendered: its blocks and what ran of them."""

    path: Path
    blocks: list[Block]
    session: str
    done: int = 0  # blocks rendered so far
    code: list[str] = field(default_factory=list)  # session code so far, for cache keys
    pending: list[str] = field(default_factory=list)  # cache hits not yet run in this process
    seconds: float = 0.0
    devices: set[str] = field(default_factory=set)  # where the shown outputs were computed
    executions: int = 0  # blocks really executed (misses and the replays they need)


current: PageRun | None = None
_rendered: dict[tuple, Markup] = {}  # highlighted source + output, by (code, output, options)
stats = {"blocks": 0, "executions": 0, "hits": 0}
manifest: list[str] = []  # "page:line" of every block the build rendered from execution


def start_page(abs_src_path: str) -> PageRun:
    """Called by the hooks before a page is rendered: fresh session, known blocks."""
    global current
    path = Path(abs_src_path)
    blocks = [b for b in page_blocks(path) if b.executed]
    session = "page:" + page_key(path)
    _sessions_globals.pop(session, None)  # nothing leaks between pages, languages or rebuilds
    current = PageRun(path, blocks, session)
    return current


def finish_page() -> PageRun | None:
    global current
    run, current = current, None
    if run is not None:
        _sessions_globals.pop(run.session, None)
        stats["executions"] += run.executions
        if run.done != len(run.blocks):
            log.warning("%s: %d python blocks found but %d rendered", run.blocks[0].page if run.blocks else run.path,
                        len(run.blocks), run.done)
    return run


def _execute(run: PageRun, code: str) -> cache.Entry:
    """Run `code` in the page session (replaying earlier cached blocks first)."""
    for earlier in run.pending:
        _run_python(earlier, session=run.session)
        run.executions += 1
    run.pending.clear()
    take_figures()  # figures of replayed blocks are already on the page: drop them
    start = time.perf_counter()
    with time_limit(block_timeout()):
        output = _run_python(code, session=run.session)
    seconds = time.perf_counter() - start
    run.executions += 1
    return cache.Entry(output=output, figures=take_figures(), seconds=seconds, device=cache.device())


def validator(language, inputs, options, attrs, md) -> bool:
    # Source shown above a result is rendered again by markdown-exec as a ```python
    # fence: there (an inner Markdown instance) it is only highlighted, never run.
    if hasattr(md, "_original_md"):
        return False
    show_only = inputs.pop("exec", "on").lower() in {"off", "no", "false", "0"}
    html = inputs.pop("html", "no")
    inputs.update({"exec": "on", "source": "above", "result": "text"})
    ok = exec_validator(language, inputs, options, attrs, md)
    options["show_only"] = show_only
    options["html"] = html.lower() not in {"", "no", "off", "false", "0"}
    if options["html"]:
        options["result"] = ""
    return ok


def _source_only(source, options, md):
    return base_format(language="python", run=lambda code, **kw: "", code=source, md=md,
                       **{**options, "html": True, "id_prefix": ""})


def formatter(source, language, css_class, options, md, **kwargs):
    run = current
    if run is None:
        raise RuntimeError("a python block was rendered outside a page")
    if options.get("show_only"):  # exec="off": shown, never run (the page says why)
        return _source_only(source, {k: v for k, v in options.items() if k != "show_only"}, md)
    options = {k: v for k, v in options.items() if k != "show_only"}
    if run.done >= len(run.blocks):
        raise RuntimeError(f"{run.path}: more python blocks rendered than found in the file")
    block = run.blocks[run.done]
    run.done += 1
    if block.code.strip() != source.strip():
        log.warning("%s: the rendered block differs from the file's block (nested fence?)", block.where)
    if not enabled():
        return _source_only(source, options, md)
    run.code.append(source)
    k = cache.key(run.code)
    entry = cache.load(k)
    error = None
    if entry is None:
        try:
            entry = _execute(run, source)
            cache.store(k, entry)
        except ExecutionError as exc:
            log.warning("%s: python block raised %s: %s", block.where, type(exc.__cause__).__name__, exc.__cause__)
            take_figures()
            error = exc
    else:
        run.pending.append(source)
        stats["hits"] += 1

    def replay(code, **kwargs):  # markdown-exec renders what ran (or its traceback)
        if error is not None:
            raise error
        return entry.output

    options = {**options, "session": run.session, "id_prefix": ""}
    if error is None and not entry.output:
        options["html"] = True  # nothing printed: show the source alone, no empty output box
    memo = (source, entry.output, options["html"], options["result"]) if error is None else None
    if memo in _rendered:  # same code, same output: same HTML (mkdocs serve rebuilds every page)
        html = _rendered[memo]
    else:
        html = base_format(language="python", run=replay, code=source, md=md, **options)
        if memo is not None:
            _rendered[memo] = html
    stats["blocks"] += 1
    manifest.append(block.where)
    if error is None:
        run.seconds += entry.seconds
        run.devices.add(entry.device)
        html = Markup(str(html) + "".join(f'<div class="exec-figure">{svg}</div>' for svg in entry.figures))
    return html

