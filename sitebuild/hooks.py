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
- on_post_build    : writes the build manifest (SITE_MANIFEST); prunes orphaned cache entries
"""
from __future__ import annotations

import json
import os
import re
import sys
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the `sitebuild` package itself

os.environ.setdefault("MPLBACKEND", "Agg")

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402

from sitebuild import ROOT, cache, execute, notebooks  # noqa: E402
from sitebuild.blocks import PageError, page_blocks, page_key, page_language  # noqa: E402
from sitebuild.execute import log  # noqa: E402
from sitebuild.kernel import SettingError, Settings  # noqa: E402
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
_serving = False  # `mkdocs serve`: a fast preview for authors


def on_startup(command, dirty):
    global _serving
    _serving = command == "serve"


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
    global _depth
    if _depth == 0:
        execute.manifest.clear()
        try:
            failures = execute.run_pages()
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
        if removed:
            log.warning("docs/%s: %s: removed what a published figure may not carry: %s", page.file.src_uri, name,
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
    if execute.enabled() and execute.used_keys and not execute.failures:
        removed = cache.prune(execute.used_keys)
        if removed:
            log.info("sitebuild: pruned %d orphaned cache entries", removed)
