"""Every page with code offers a notebook of itself, in its language, that runs top to bottom and
prints what the page prints."""
import re

import nbformat
import pytest
from nbclient import NotebookClient

from sitebuild import cache
from sitebuild.blocks import page_blocks, page_key, pages
from sitebuild.execute import page_cache_key
from sitebuild.kernel import DIGITS_ENV, Settings

WITH_CODE = [p for p in pages("zh") if page_blocks(p)]
# measured timings differ from run to run: "55.3 ms", "39 GFLOP/s", "2.1 s"
TIMING = re.compile(r"\s*\d+(?:\.\d+)?\s*(?:ms|µs|us|s|GFLOP/s)\b")
# a warning names the file it came from: the page's block on the site, a temporary file in Jupyter
WARNING_SOURCE = re.compile(r"^\S.*?:\d+: (?=\w*Warning:)", re.M)


def notebook_path(site, key, lang):
    name = key.rsplit("/", 1)[-1]
    return (site if lang == "zh" else site / "en") / key / f"{name}.ipynb"


def tagged(cell, tag):
    return tag in cell.metadata.get("tags", [])


def page_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and not tagged(c, "helper-files")
            and not tagged(c, "execution-settings")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_notebook_holds_the_page_code_in_order(built_site, lang):
    for path in WITH_CODE:
        key = page_key(path)
        nb = nbformat.read(notebook_path(built_site.site, key, lang), as_version=4)
        nbformat.validate(nb)
        code = [c.source for c in page_cells(nb)]
        expected = [b.shown.rstrip("\n") for b in page_blocks(path.with_name(f"{key}.{lang}.md")) if b.executed]
        assert code == expected, key
        first = next(c for c in nb.cells if c.cell_type == "code")
        assert tagged(first, "execution-settings"), key  # before torch is imported by anything
        for name, value in DIGITS_ENV.items():
            assert f"os.environ[{name!r}] = {value!r}" in first.source.split("import torch")[0], key
        page = (built_site.site if lang == "zh" else built_site.site / "en") / key / "index.html"
        html = page.read_text(encoding="utf-8")
        assert f'href="{key}.ipynb" download' in html
        assert "https://colab.research.google.com/github/" in html


def printed(outputs, stream):
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == stream)
    return WARNING_SOURCE.sub("", TIMING.sub(" <time>", text))


@pytest.mark.parametrize("path", WITH_CODE, ids=lambda p: page_key(p))
def test_notebook_prints_what_the_page_prints(built_site, path, tmp_path):
    """Run in an empty folder, as a reader's download would (it carries its helpers and data); each
    cell prints what the page's block printed (measured timings aside)."""
    assert built_site.returncode == 0, built_site.log
    nb = nbformat.read(notebook_path(built_site.site, page_key(path), "zh"), as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    blocks = [b for b in page_blocks(path) if b.executed]
    stored = cache.load(page_cache_key(blocks, Settings.from_env()))
    assert stored is not None, "the build of this test run left no cache entry for the page"
    cells = page_cells(nb)
    assert len(cells) == len(stored[0]) == len(blocks)
    for block, cell, result in zip(blocks, cells, stored[0]):
        page_output = [{"output_type": "stream", "name": s, "text": t} for s, t in result.outputs]
        for stream in ("stdout", "stderr"):
            assert printed(cell.outputs, stream) == printed(page_output, stream), f"{block.where} ({stream})"
        assert not [o for o in cell.outputs if o.get("output_type") == "execute_result"], block.where
