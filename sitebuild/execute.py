"""Execute first, render second.

1. `run_pages` (called once per build, before any page is rendered): finds every page's python
   blocks, looks each page up in the cache (sitebuild.cache), and runs the pages that miss, each in
   a process of its own (sitebuild.kernel), as many at once as there are cores. Both languages of a
   page run the same code, so they share one run. Every failure is collected with its page, the
   block's line and the line inside the block.
2. The `python` fence (`validator`, `formatter`: markdown-exec's own validator and `base_format`,
   with project defaults) only reads those results. It never executes code, so nothing it could raise
   is swallowed by SuperFences: any problem is recorded and fails the page in `finish_page`.

Output is shown as Python printed it (stdout, and stderr in a distinct style), escaped as text
inside a stashed HTML block: nothing printed can become HTML or Markdown, and `--8<--` in output is
never expanded; control characters are shown as their pictures (␛, ␀). Output is capped at OUTPUT_LIMIT
lines and OUTPUT_CHARS characters (by the page's process) with a visible note and a build warning.
"""
from __future__ import annotations

import html as htmlmod
import logging
import math
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from markdown_exec import validator as exec_validator
from markdown_exec._internal.formatters.base import base_format
from markupsafe import Markup

from sitebuild import cache
from sitebuild.blocks import Block, localize, page_blocks, page_language, pages, substitute_values
from sitebuild.kernel import (OUTPUT_CHARS, OUTPUT_LIMIT, BlockError, BlockResult, PageKernel, Settings, _count,
                              setting, stop_all)

log = logging.getLogger("mkdocs.plugins.sitebuild")

FIGURE = {"zh": "图 {n}", "en": "Figure {n}"}
CAPPED = {"zh": "（输出共 {total} 行，只显示前 {shown} 行）", "en": "(output has {total} lines; the first {shown} are shown)"}
CAPPED_CHARS = {"zh": "（输出共 {total} 个字符，只显示前 {shown} 个）",
                "en": "(output has {total} characters; the first {shown} are shown)"}
STDERR = {"zh": "标准错误输出（警告等）", "en": "standard error (warnings and the like)"}
FAILED = {"zh": "这段代码运行出错", "en": "This block failed"}
NOT_RUN = {"zh": "未运行：前面的代码块出错", "en": "Not run: an earlier block failed"}


def enabled() -> bool:
    """SITE_EXEC=off shows the code without running it (for measuring the build alone)."""
    return os.environ.get("SITE_EXEC", "on").lower() not in {"off", "0", "no", "false"}


def jobs() -> int:
    """How many pages run at once: SITE_JOBS, default the number of cores."""
    return setting("SITE_JOBS", os.cpu_count() or 1, _count, most=256)


@dataclass
class PageResult:
    results: list[BlockResult]
    device: str = ""
    executed: bool = False  # ran in this build (False: read from the cache)

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.results)


@dataclass
class Failure:
    blocks: list[Block]  # the same block in each language's page
    error: BlockError

    def __str__(self) -> str:
        if self.error.value is not None:  # a computed value in the prose, after the block
            where = " and ".join(b.values[self.error.value].where for b in self.blocks)
            return f"{where}: computed value raised {self.error.summary()}"
        *others, last = self.blocks  # the same code in each language: the line inside it is the same
        where = " and ".join([b.where for b in others] + [last.located(self.error.line)])
        return f"{where}: python block raised {self.error.summary()}"


# ---------------------------------------------------------------- 1. run the pages

results: dict[Path, PageResult] = {}  # by page file (absolute), for the fence
failures: list[Failure] = []
stats = {"blocks": 0, "executions": 0, "hits": 0, "pages_run": 0}
used_keys: set[str] = set()


def run_page(blocks: list[Block], settings: Settings) -> tuple[list[BlockResult], str]:
    """Run one page's executed blocks in order in a fresh process; stops at the first failure."""
    kernel = PageKernel(settings, salt=blocks[0].page.stem.split(".")[0])
    out: list[BlockResult] = []
    try:
        for block in blocks:
            result = kernel.run(block.code, block.where, [(v.expr, v.spec, v.where) for v in block.values])
            out.append(result)
            if result.error is not None:
                break
        device = kernel.device() if all(r.error is None for r in out) else ""
    finally:
        kernel.close()
    return out, device


def page_cache_key(blocks: list[Block], settings: Settings) -> str:
    """The cache key of a page's executed blocks and the prose values computed after them."""
    return cache.page_key([b.code for b in blocks], settings, [[v.source for v in b.values] for b in blocks])


def run_pages(settings: Settings | None = None) -> list[Failure]:
    """Run every page that misses the cache (in parallel) and keep every page's results."""
    settings = settings or Settings.from_env()
    results.clear()
    failures.clear()
    used_keys.clear()
    stats.update(blocks=0, executions=0, hits=0, pages_run=0)
    if not enabled():
        return []
    groups: dict[str, list[tuple[Path, list[Block]]]] = {}
    for path in pages():
        blocks = [b for b in page_blocks(path) if b.executed]
        if blocks:
            k = page_cache_key(blocks, settings)
            groups.setdefault(k, []).append((path, blocks))
    used_keys.update(groups)
    todo = []
    for k, members in groups.items():
        hit = cache.load(k)
        if hit is None:
            todo.append(k)
        else:
            for path, blocks in members:
                results[path.resolve()] = PageResult(hit[0], hit[1])
            stats["hits"] += len(hit[0])

    def work(k):
        path, blocks = groups[k][0]
        return k, run_page(blocks, settings)

    if todo:
        start = time.perf_counter()
        store_error = None
        with ThreadPoolExecutor(max_workers=min(jobs(), len(todo))) as pool:
            try:
                for k, (block_results, device) in pool.map(work, todo):
                    members = groups[k]
                    stats["executions"] += len(block_results)
                    stats["pages_run"] += 1
                    for path, _ in members:
                        results[path.resolve()] = PageResult(block_results, device, executed=True)
                    failed = next((i for i, r in enumerate(block_results) if r.error is not None), None)
                    if failed is None:
                        try:
                            cache.store(k, block_results, device)
                        except cache.CacheError as error:  # reported once every page has run
                            store_error = store_error or error
                    else:
                        failures.append(Failure([blocks[failed] for _, blocks in members],
                                                block_results[failed].error))
            except BaseException:  # Ctrl-C or SIGTERM: stop every page's processes now, not at their limit
                stop_all()
                raise
        log.info("ran %d pages (%d blocks) in %.1f s, %d at a time", len(todo), stats["executions"],
                 time.perf_counter() - start, min(jobs(), len(todo)))
        if store_error is not None:
            for failure in failures:
                log.warning("%s", failure)
            raise store_error
    return failures


# ---------------------------------------------------------------- 2. render the results

@dataclass
class PageRender:
    """The page being rendered: its blocks and what was rendered of them."""

    path: Path
    blocks: list[Block]
    result: PageResult | None
    done: int = 0
    figures: int = 0
    figure_files: dict[str, str] = field(default_factory=dict)  # written beside the page's HTML
    problems: list[str] = field(default_factory=list)  # anything that would make the page wrong

    @property
    def language(self) -> str:
        return page_language(self.path)


current: PageRender | None = None
_rendered: dict[tuple, Markup] = {}  # rendered HTML by (code, output, options): mkdocs serve rebuilds every page
manifest: list[str] = []  # "page:line" of every block the build rendered from a result


def start_page(abs_src_path: str) -> PageRender:
    global current
    path = Path(abs_src_path).resolve()
    blocks = [b for b in page_blocks(path) if b.executed]
    current = PageRender(path, blocks, results.get(path))
    return current


def finish_page() -> PageRender | None:
    global current
    page, current = current, None
    if page is not None and page.done != len(page.blocks):
        page.problems.append(f"{page.blocks[0].page.as_posix() if page.blocks else page.path}: "
                             f"{len(page.blocks)} python blocks in the file but {page.done} rendered")
    return page


# a computed value is text, never Markdown or HTML: ASCII punctuation becomes character references
_MARKUP = {c: f"&#{ord(c)};" for c in "\\`*_{}[]<>()#+!|~^$&'\"=:;@/?"}
VALUE_FAILED = {"zh": "（未能计算）", "en": "(not computed)"}


def value_texts(page: PageRender) -> list[str] | None:
    """The formatted prose values of the page, in page order (None: none were computed)."""
    if page.result is None:
        return None
    texts = [t for r in page.result.results for t in r.values]
    expected = sum(len(b.values) for b in page.blocks)
    return texts + [None] * (expected - len(texts))  # a failed page (mkdocs serve): the rest are missing


def with_values(markdown: str, page: PageRender, html: bool = True) -> str:
    """The page's Markdown with its {eval}`...` values filled in: as marked, escaped text (`html`) for
    the site, as plain text for the notebook."""
    texts = value_texts(page) if enabled() else None
    expected = [v.source for b in page.blocks for v in b.values]
    if texts is None:  # execution off: the expression itself, as code
        texts = [None] * len(expected)

    def render(k_text):
        k, text = k_text
        if text is None:
            if not html:
                return f"`{expected[k]}`"
            shown = expected[k] if not enabled() else VALUE_FAILED[page.language]
            return f'<code class="exec-value exec-value-missing">{htmlmod.escape(shown)}</code>'
        if not html:  # Markdown in the notebook: the same text, its markup characters escaped
            return re.sub(r"([\\`*_{}\[\]()#+!|~^$<>&])", r"\\\1", text.replace("\n", " "))
        escaped = "".join(_MARKUP.get(c, " " if ord(c) < 32 else c) for c in text)
        return f'<span class="exec-value">{escaped}</span>'

    return substitute_values(markdown, list(enumerate(texts)), render)


def validator(language, inputs, options, attrs, md) -> bool:
    # Source shown above a result is rendered again by markdown-exec as a ```python
    # fence: there (an inner Markdown instance) it is only highlighted, never run.
    if hasattr(md, "_original_md"):
        return False
    show_only = inputs.pop("exec", "on").lower() in {"off", "no", "false", "0"}
    caption, alt = inputs.pop("caption", ""), inputs.pop("alt", "")
    inputs.update({"exec": "on", "source": "above", "html": "1"})
    ok = exec_validator(language, inputs, options, attrs, md)
    options.update(show_only=show_only, caption=caption, alt=alt)
    return ok


# control characters would be written raw into the HTML (NUL, ESC, BEL, C1, a lone \r, bidi overrides):
# shown as their Unicode pictures (␀ ␛ ␇ ␍) or escapes (\x85, \u202e) instead
VISIBLE = {**{c: chr(0x2400 + c) for c in range(32) if chr(c) not in "\t\n"}, 0x7F: "\u2421",
           **{c: f"\\x{c:02x}" for c in range(0x80, 0xA0)},
           **{c: f"\\u{c:04x}" for c in (*range(0x200E, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A))}}


def visible(text: str) -> str:
    return text.replace("\r\n", "\n").translate(VISIBLE)


def _text_box(text: str, css: str, title: str = "") -> str:
    tip = f' title="{htmlmod.escape(title)}"' if title else ""  # stderr is also marked visibly, by site.css
    return (f'<div class="language-text highlight {css}"{tip}><pre><span></span>'
            f"<code>{htmlmod.escape(visible(text))}</code></pre></div>")


def _failure_box(language: str, body: str = "") -> str:
    return f'<div class="admonition failure"><p class="admonition-title">{FAILED[language]}</p>{body}</div>'


def output_html(result: BlockResult, language: str, where: str) -> str:
    """Printed output as escaped text boxes: stdout plain, stderr marked. The page's process keeps at
    most OUTPUT_LIMIT lines and OUTPUT_CHARS characters (result.cut: how much there was): noted, warned."""
    parts = [_text_box(text, "exec-stderr", STDERR[language]) if stream == "stderr" else _text_box(text, "exec-output")
             for stream, text in result.outputs]
    if result.cut is not None:
        lines, chars = result.cut
        if sum(text.count("\n") for _, text in result.outputs) >= OUTPUT_LIMIT:
            total, shown, note, unit = lines, OUTPUT_LIMIT, CAPPED, "lines"
        else:
            total, shown, note, unit = chars, OUTPUT_CHARS, CAPPED_CHARS, "characters"
        log.warning("%s: the block printed %d %s; only the first %d are shown", where, total, unit, shown)
        parts.append(f'<p class="exec-capped">{note[language].format(total=total, shown=shown)}</p>')
    return "".join(parts)


METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
SVG_SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"')
TEXT_SCALE = re.compile(r'<g id="text_\d+">.*?scale\(([\d.]+)', re.S)  # glyphs drawn at font size / 100
ENLARGE = {"zh": "点击查看大图", "en": "Open the full-size figure"}
PHONE_TEXT_PX = 8  # on a phone a figure is at least as wide as makes its smallest text this size


def figure_html(svg: str, page: str, number: int, caption: str, alt: str, language: str) -> tuple[str, str, str]:
    """A figure: (its file name, the SVG file without metadata, the HTML that shows it).

    The file is named after its page (PAGE-figure-N.svg): the offline build writes every page of a
    language into one folder.

    The HTML is a <figure> with a numbered caption in the page's language; the image has the text
    alternative as `alt` and links to the SVG file itself, which opens full size (click or tap to
    enlarge). Its width and height are given, so nothing moves when it loads, lazily. It fits the
    column, except on a phone where that would make its smallest text under PHONE_TEXT_PX: there it
    keeps the width that text needs (`--phone-width`, site.css) and scrolls sideways."""
    svg = METADATA.sub("", svg)
    size = SVG_SIZE.search(svg)
    if size is None:
        raise ValueError("a figure's SVG has no width and height in pt")
    width, height = (round(float(v) * 4 / 3) for v in size.groups())  # 1pt = 4/3 CSS px
    smallest = min((float(s) * 100 * 4 / 3 for s in TEXT_SCALE.findall(svg)), default=0)  # px at full size
    phone = min(width, math.ceil(width * PHONE_TEXT_PX / smallest)) if smallest else 0
    style = f' style="--phone-width: {phone}px"' if phone else ""  # narrower than the column: no effect
    name = f"{page}-figure-{number}.svg"
    label = FIGURE[language].format(n=number)
    alt = alt or caption or label
    text = f"{label}：{caption}" if language == "zh" else f"{label}. {caption}"
    html = (f'<figure class="exec-figure" id="figure-{number}"><a href="{name}" title="{ENLARGE[language]}">'
            f'<img src="{name}" alt="{htmlmod.escape(alt)}" width="{width}" height="{height}"{style} '
            f'loading="lazy" decoding="async"></a>'
            f"<figcaption>{htmlmod.escape(text if caption else label)}</figcaption></figure>")
    return name, svg, html


def _render(source: str, output: str, options: dict, md) -> Markup:
    key = (source, output, tuple(sorted((k, str(v)) for k, v in options.items())))
    if key not in _rendered:
        _rendered[key] = base_format(language="python", run=lambda code, **kw: output, code=source, md=md,
                                     **{**options, "id_prefix": ""})
    return _rendered[key]


def formatter(source, language, css_class, options, md, **kwargs):
    page = current
    if page is None:
        raise RuntimeError("a python block was rendered outside a page")
    options = dict(options)
    show_only = options.pop("show_only", False)
    caption, alt = options.pop("caption", ""), options.pop("alt", "")
    lang = page.language
    if show_only:  # exec="off": shown, never run (the page says why); comments in the page's language
        return _render(localize(source, lang), "", options, md)
    try:
        return _format(page, source, caption, alt, lang, options, md)
    except Exception as error:  # never let SuperFences swallow it: the page fails in finish_page
        page.problems.append(f"{page.path.name}: block {page.done}: cannot render: {type(error).__name__}: {error}")
        return Markup(_failure_box(lang))


def _format(page: PageRender, source, caption, alt, lang, options, md) -> Markup:
    if page.done >= len(page.blocks):
        raise RuntimeError("more python blocks rendered than found in the file")
    block = page.blocks[page.done]
    page.done += 1
    if block.code.strip() != source.strip():
        raise RuntimeError(f"{block.where}: the rendered block differs from the file's block (nested fence?)")
    shown = block.shown
    if not enabled():
        return _render(shown, "", options, md)
    index = page.done - 1
    if page.result is None or index >= len(page.result.results):
        if page.result is None or all(r.error is None for r in page.result.results):
            raise RuntimeError(f"{block.where}: no result for this block")
        return _render(shown, f'<p class="exec-not-run">{NOT_RUN[lang]}</p>', options, md)
    result = page.result.results[index]
    parts = [output_html(result, lang, block.where)]
    if result.error is not None:  # only reached in `mkdocs serve`: a build stops before rendering
        parts.append(_failure_box(lang, _text_box(result.error.traceback or result.error.summary(), "exec-error")))
    html = _render(shown, "".join(parts), options, md)
    figures = []
    for svg in result.figures:
        page.figures += 1
        name, svg_file, figure = figure_html(svg, page.path.name.split(".")[0], page.figures, caption, alt, lang)
        page.figure_files[name] = svg_file
        figures.append(figure)
    if result.figures and not caption:
        log.warning("%s: a figure without a caption: add caption=\"...\" alt=\"...\" to the fence", block.where)
    stats["blocks"] += 1
    manifest.append(block.where)
    return Markup(str(html) + "".join(figures))
