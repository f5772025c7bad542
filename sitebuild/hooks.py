"""MkDocs hooks (listed under `hooks:` in mkdocs.yml): wire sitebuild into the build.

- on_startup       : notes whether this is `mkdocs serve` (a lean preview: no search, no notebooks)
- on_config        : checks the execution settings; registers the executed `python` fence
- on_pre_build     : executes first: every page that misses the cache runs in its own process
                     (sitebuild.execute.run_pages); any failure stops `mkdocs build`, naming every
                     failing page, block line and line inside the block (`mkdocs serve` shows it on the page)
- on_page_markdown : gives the fence the page's blocks and results; fills in the prose's computed
                     values ({eval}`EXPR:SPEC`, sitebuild.execute.with_values)
- on_page_content  : formulas to MathML; the page's notebook and its download / Colab links;
                     the page's figures as SVG files beside it (sanitized: sitebuild.svg); a stamp of how long the page's
                     code ran, with what; fails a page that lost a block
- on_post_build    : writes the build manifest (SITE_MANIFEST); swaps the finished site in (a build
                     writes a folder of its own beside it); prunes cache entries no build uses
- on_build_error   : drops the unfinished folder: the site folder stays as it was
"""
from __future__ import annotations

import atexit
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the `sitebuild` package itself

os.environ.setdefault("MPLBACKEND", "Agg")

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402

from sitebuild import ROOT, cache, execute, notebooks  # noqa: E402
from sitebuild.blocks import PageError, page_blocks, page_key, page_language  # noqa: E402
from sitebuild.execute import log  # noqa: E402
from sitebuild.kernel import SettingError, Settings, stop_all  # noqa: E402
from sitebuild.mathml import render_math  # noqa: E402
from sitebuild.svg import FigureError, sanitize  # noqa: E402

LINKS = {
    "zh": ("下载 Notebook", "在 Colab 中打开"),
    "en": ("Download notebook", "Open in Colab"),
}
STAMP = {
    "zh": "本页代码运行 {seconds} · torch {torch} · {device}",
    "en": "Code on this page ran in {seconds} · torch {torch} · {device}",
}
_depth = 0  # the i18n plugin nests one build per extra language inside the first
_started = 0.0  # when this build began (time.time()): prune spares what others wrote since
_serving = False  # `mkdocs serve`: a fast preview for authors


def _stop(signum, frame):
    """SIGTERM or Ctrl-C: stop every page's processes at once, then end as Ctrl-C would."""
    stop_all()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def on_startup(command, dirty):
    global _serving
    _serving = command == "serve"
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, _stop)


# A build writes into a folder of its own beside the site folder and swaps it in when done: a build
# stopped on the way (SIGTERM, Ctrl-C, an error) leaves the site folder as it was, and two builds
# into one site folder both succeed (the swap is under a lock).
_site: dict[str, Path] = {}  # "site": the folder asked for, "staging": the one being written


def _stage(config) -> None:
    site = Path(config.site_dir)
    staging = site.with_name(f".{site.name}.building-{os.getpid()}")
    for old in site.parent.glob(f".{site.name}.building-*"):  # left by a build that was killed
        pid = old.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    _site.update(site=site, staging=staging)
    atexit.register(shutil.rmtree, staging, True)
    config.site_dir = str(staging)


def _swap(config) -> None:
    site, staging = _site.pop("site"), _site.pop("staging")
    config.site_dir = str(site)  # for what runs after (mkdocs gh-deploy pushes config.site_dir)
    lock = Path(tempfile.gettempdir()) / f"sitebuild-{hashlib.sha256(str(site).encode()).hexdigest()[:16]}.lock"
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # another build into the same folder waits here
        old = site.with_name(f".{site.name}.old-{os.getpid()}")
        if site.exists():
            site.rename(old)
        staging.rename(site)
    shutil.rmtree(old, ignore_errors=True)


def on_config(config):
    try:
        Settings.from_env()
        execute.jobs()
    except SettingError as error:
        raise PluginError(f"sitebuild: {error}") from error
    if _serving:  # a preview rebuilds on every save: skip the search index and the notebooks
        config.plugins["material/search"].config.enabled = False
    fences = config.mdx_configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
    if not any(f.get("name") == "python" for f in fences):
        fences.insert(0, {"name": "python", "class": "python", "validator": execute.validator,
                          "format": execute.formatter})
    return config


def on_pre_build(config):
    global _depth, _started
    if _depth == 0:
        _started = time.time()
        if not _serving:
            _stage(config)
        execute.manifest.clear()
        try:
            failures = execute.run_pages()
            cache.lease(execute.used_keys)  # no other build prunes what this one (or this serve) uses
        except PageError as error:  # bad input in a page: the message starts with its file and line
            raise PluginError(f"sitebuild: {error}") from error
        except OSError as error:  # e.g. a cache folder that cannot be written
            raise PluginError(f"sitebuild: executing the pages failed: {error}") from error
        for failure in failures:  # `mkdocs serve` (strict in mkdocs.yml) must not quit: it shows them on the page
            (log.info if _serving else log.warning)("%s\n%s", failure, failure.error.traceback)
        if failures and not _serving:
            raise PluginError("sitebuild: %d page(s) failed:\n%s" % (len(failures), "\n".join(map(str, failures))))
    _depth += 1


def on_page_markdown(markdown, page, config, files):
    rendered = execute.start_page(page.file.abs_src_path)
    return execute.with_values(markdown, rendered)  # {eval}`...` in the prose: the page's computed values


def add_notebook(html: str, page, config, language: str) -> str:
    """Write the page's .ipynb beside its HTML and link it (download, Colab) under the title."""
    source = Path(page.file.abs_src_path)
    blocks = page_blocks(source)
    if not blocks:
        return html
    key = page_key(source)
    name = key.rsplit("/", 1)[-1]
    prefix = "en/" if language == "en" else ""
    base_url = (config.site_url or "/") + prefix
    markdown = source.read_text(encoding="utf-8")
    if execute.current is not None:  # the computed values as plain text
        markdown = execute.with_values(markdown, execute.current, html=False)
    notebook = notebooks.build(markdown, blocks, language, page.title,
                               f"{base_url}{key}/", base_url, Settings.from_env().threads)
    notebooks.write(notebook, Path(config.site_dir) / Path(page.file.dest_uri).parent / f"{name}.ipynb")
    download, colab = LINKS[language]
    repo = (config.repo_url or "").rstrip("/").removeprefix("https://github.com/")
    colab_url = f"https://colab.research.google.com/github/{repo}/blob/gh-pages/{prefix}{key}/{name}.ipynb"
    links = (f'<p class="page-actions"><a class="md-button" href="{name}.ipynb" download>{download}</a> '
             f'<a class="md-button" href="{colab_url}">{colab}</a></p>')
    head, sep, rest = html.partition("</h1>")
    return head + sep + "\n" + links + rest if sep else links + html


# Pygments wraps every plain name and every run of spaces in a span that Material colours like plain
# code (--md-code-hl-name-color is --md-code-fg-color in both palettes): unwrapped, a page loses a
# fifth of its DOM elements and looks the same.
PLAIN_TOKEN = re.compile(r'<span class="[nw]">([^<]*)</span>')


def on_page_content(html, page, config, files):
    html = PLAIN_TOKEN.sub(r"\1", html)
    html = render_math(html, "docs/" + page.file.src_uri)
    language = page_language(page.file.src_uri)
    if not _serving:
        html = add_notebook(html, page, config, language)
    rendered = execute.finish_page()
    if rendered is None:
        return html
    folder = Path(config.site_dir) / Path(page.file.dest_uri).parent  # each figure's file, beside its page
    folder.mkdir(parents=True, exist_ok=True)
    for name, svg in rendered.figure_files.items():  # untrusted text from the page's process: only drawing passes
        try:
            clean, removed = sanitize(svg)
        except FigureError as error:
            rendered.problems.append(f"docs/{page.file.src_uri}: {name}: {error}")
            continue
        if removed:  # the figure is published without them
            log.info("docs/%s: %s: removed what a published figure may not carry: %s", page.file.src_uri, name,
                     ", ".join(removed))
        (folder / name).write_text(clean, encoding="utf-8")
    if rendered.problems:
        message = "sitebuild: " + "; ".join(rendered.problems)
        if not _serving:
            raise PluginError(message)
        log.info(message)
    result = rendered.result
    if result is None or not result.device:
        return html
    text = STAMP[language].format(seconds=f"{result.seconds:.1f} s", torch=version("torch").split("+")[0],
                                  device=result.device)
    return html + f'\n<p class="exec-stamp">{text}</p>\n'


@event_priority(-200)  # after mkdocs-static-i18n (-100) has built the other language
def on_post_build(config):
    global _depth
    _depth -= 1
    if _depth != 0:
        return
    if os.environ.get("SITE_MANIFEST"):
        Path(os.environ["SITE_MANIFEST"]).write_text(json.dumps(
            {"rendered": execute.manifest, **execute.stats, "root": str(ROOT)}, indent=1), encoding="utf-8")
    if "staging" in _site:
        _swap(config)
    if execute.enabled() and execute.used_keys and not execute.failures:
        removed = cache.prune(execute.used_keys, _started)
        if removed:
            log.info("sitebuild: pruned %d orphaned cache entries", removed)


def on_build_error(error):
    global _depth
    _depth = 0
    if "staging" in _site:  # the site folder stays as it was
        shutil.rmtree(_site.pop("staging"), ignore_errors=True)
        _site.clear()
