"""Every page with code offers a notebook of itself, in its language, that runs top to bottom."""
import nbformat
import pytest
from nbclient import NotebookClient

from sitebuild.blocks import page_blocks, page_key, pages

WITH_CODE = [p for p in pages("zh") if page_blocks(p)]


def notebook_path(site, key, lang):
    name = key.rsplit("/", 1)[-1]
    return (site if lang == "zh" else site / "en") / key / f"{name}.ipynb"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_notebook_holds_the_page_code_in_order(built_site, lang):
    for path in WITH_CODE:
        key = page_key(path)
        nb = nbformat.read(notebook_path(built_site.site, key, lang), as_version=4)
        nbformat.validate(nb)
        code = [c.source for c in nb.cells if c.cell_type == "code" and "helper-files" not in c.metadata.get("tags", [])]
        expected = [b.shown.rstrip("\n") for b in page_blocks(path.with_name(f"{key}.{lang}.md")) if b.executed]
        assert code == expected, key
        page = (built_site.site if lang == "zh" else built_site.site / "en") / key / "index.html"
        html = page.read_text(encoding="utf-8")
        assert f'href="{key}.ipynb" download' in html
        assert "https://colab.research.google.com/github/" in html


@pytest.mark.parametrize("path", WITH_CODE, ids=lambda p: page_key(p))
def test_notebook_runs_top_to_bottom(built_site, path, tmp_path):
    """In an empty folder, as a reader's download would: the notebook carries its helpers and data."""
    nb = nbformat.read(notebook_path(built_site.site, page_key(path), "zh"), as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert all(c.get("outputs") is not None for c in nb.cells if c.cell_type == "code")
