"""The Jupyter notebook of a page, made at build time from the same source as the page.

Prose becomes Markdown cells, every executed block becomes a code cell (its includes expanded),
and a block that the site does not run becomes a Markdown listing, so the notebook runs top to
bottom. Links to other pages point at the published site.
"""
from __future__ import annotations

import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sitebuild.blocks import Block, localize, parse_info

FENCE = re.compile(r"^(\s*)(`{3,})(.*)$")  # indented too: solutions inside collapsed blocks
HEADING_ID = re.compile(r"\s*\{#[-\w]+\}\s*$")
ADMONITION = re.compile(r'^(\s*)(?:!!!|\?\?\?\+?) \w+(?: "([^"]*)")?\s*$')  # also collapsed and nested ones
PAGE_LINK = re.compile(r"\]\((?!https?:)([-\w/]+)\.md(#[-\w]+)?\)")

INTRO = {
    "zh": "> 本 Notebook 由网站页面 [{title}]({url}) 在构建时自动生成，代码与网页完全相同。需要 `torch`、`numpy`、"
          "`matplotlib` 和 `scikit-learn`。从上到下依次运行即可。",
    "en": "> This notebook was generated when the site was built, from the page [{title}]({url}); its code is the "
          "page's code. It needs `torch`, `numpy`, `matplotlib` and `scikit-learn`. Run it from top to bottom.",
}
FILES = {
    "zh": "> 本页用到的辅助模块和数据文件（来自本站仓库的 `snippets/`）。运行下面的单元格会把它们写到当前目录，"
          "后面的代码就能导入它们。",
    "en": "> The helper modules and data files this page uses (from `snippets/` in the site's repository). Running "
          "the cells below writes them to the current folder, so the code after them can import them.",
}
NOT_RUN = {"zh": "> 以下代码在本站不运行（原因见上文）：", "en": "> The site does not run the following code (see above why):"}


def settings_cell(language: str, threads: int):
    """The first code cell: the execution settings of the site's build, set before torch is imported,
    so that the notebook prints the digits the page prints (sitebuild.kernel.DIGITS_ENV, SEED)."""
    from sitebuild.kernel import DIGITS_ENV, SEED

    env = "\n".join(f"os.environ[{k!r}] = {v!r}" for k, v in DIGITS_ENV.items())
    code = f"""# zh: 与网站构建时相同的执行设置（见首页）：必须在导入 torch 之前设置，打印的数字才与网页一致
# en: The site's execution settings (see the home page): set before torch is imported, so that the
# en: digits printed here are the page's
import os

{env}
os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = "{threads}"
import random

import numpy
import torch

torch.set_num_threads({threads})
random.seed({SEED})
numpy.random.seed({SEED})
torch.manual_seed({SEED})
# zh: 和网页一样，只显示 print 的输出（删掉这一行，单元格末尾表达式的值也会显示）
# en: As on the page, only what print() writes is shown (delete this line to see the value of a
# en: cell's last expression too)
get_ipython().ast_node_interactivity = "none"
"""
    return new_code_cell(localize(code, language).rstrip("\n"), metadata={"tags": ["execution-settings"]})


def _prose(lines: list[str], base_url: str) -> str:
    out: list[str] = []
    inside: str | None = None  # the indentation of the admonition's body, while in one
    for line in lines:
        if (m := ADMONITION.match(line)):
            inside = m.group(1) + "    "
            out.append(f"{m.group(1)}> **{m.group(2) or ''}**".rstrip())
            continue
        if inside is not None:
            if line.startswith(inside) or not line.strip():
                out.append((inside[:-4] + "> " + line[len(inside):]).rstrip())
                continue
            inside = None
        out.append(HEADING_ID.sub("", line) if line.startswith("#") else line)
    text = "\n".join(out)
    text = PAGE_LINK.sub(lambda m: f"]({base_url}{'' if m.group(1) == 'index' else m.group(1) + '/'}{m.group(2) or ''})",
                         text)
    return text.strip("\n")


def helper_cells(blocks: list[Block], language: str) -> list:
    """`%%writefile` cells carrying the snippets/ helpers and data files the page uses, so it runs anywhere."""
    from sitebuild import SNIPPETS
    from sitebuild.cache import data_files, helpers

    code = [b.code for b in blocks if b.executed]
    files = helpers("\n".join(code))
    files += data_files(code + [f.read_text(encoding="utf-8") for f in files])
    if not files:
        return []
    tag = {"tags": ["helper-files"]}
    folders = sorted({path.relative_to(SNIPPETS).parent.as_posix() for path in files} - {"."})
    cells = [new_markdown_cell(FILES[language])]
    if folders:
        cells.append(new_code_cell(f"import os\n\nfor folder in {folders!r}:\n    os.makedirs(folder, exist_ok=True)",
                                   metadata=tag))
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            text = localize(text, language)
        cells.append(new_code_cell(f"%%writefile {path.relative_to(SNIPPETS).as_posix()}\n{text}".rstrip("\n"),
                                   metadata=tag))
    return cells


def build(markdown: str, blocks: list[Block], language: str, title: str, page_url: str, base_url: str,
          threads: int = 1):
    """A notebook of the page: `blocks` are the page's python blocks (sitebuild.blocks.page_blocks)."""
    cells = [new_markdown_cell(INTRO[language].format(title=title, url=page_url))]
    if any(b.executed for b in blocks):
        cells.append(settings_cell(language, threads))
    cells += helper_cells(blocks, language)
    prose: list[str] = []
    pending = iter(blocks)
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and parse_info(m.group(3).strip())[0] == "python":
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith(m.group(1) + m.group(2)))
            block = next(pending)
            if (text := _prose(prose, base_url)).strip():
                cells.append(new_markdown_cell(text))
            prose = []
            code = block.shown.rstrip("\n")  # comments in the notebook's language
            if block.executed:
                cells.append(new_code_cell(code))
            else:
                cells.append(new_markdown_cell(f"{NOT_RUN[language]}\n\n```python\n{code}\n```"))
            i = end + 1
            continue
        prose.append(lines[i])
        i += 1
    if (text := _prose(prose, base_url)).strip():
        cells.append(new_markdown_cell(text))
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(notebook)
    return notebook


def write(notebook, path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # fixed cell ids keep two builds of the same commit byte-identical
    for n, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{n}"
    nbformat.write(notebook, str(path))
