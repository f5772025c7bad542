"""Values in the prose, computed by the page's run: {eval}`EXPR` and {eval}`EXPR:SPEC`.

A throw-away project (tests/conftest.py's `project`) whose demo page states values of its own run
in a paragraph, a list, a table and an admonition, in both languages."""
import json
import re

import pytest

from sitebuild.blocks import split_value

pytestmark = pytest.mark.faults

PROSE = """
The sum is {eval}`x.sum():d` and the mean {eval}`x.float().mean():.3f`.

- a list item: {eval}`x.shape[1]`

| what | value |
|---|---|
| markup stays text | {eval}`'<b>*x*</b> $y$'` |
| a slice keeps its colon | {eval}`x[0, 1:].tolist()` |

!!! note "A box"
    In a box: {eval}`x.shape`

```text
{eval}`shown_as_written`
```
"""
VALUE = re.compile(r'<span class="exec-value">(.*?)</span>')


def test_the_format_spec_follows_the_last_colon_outside_the_expression():
    assert split_value("losses[-1]:.4f") == ("losses[-1]", ".4f")
    assert split_value("acc:.1%") == ("acc", ".1%")
    assert split_value("x[1:3]") == ("x[1:3]", "")
    assert split_value("{1: 2}[1]") == ("{1: 2}[1]", "")
    assert split_value("f'{a:.2f}'") == ("f'{a:.2f}'", "")


def test_values_are_computed_marked_escaped_cached_and_plain_in_the_notebook(project):
    for lang in ("zh", "en"):
        project.write(f"docs/demo.{lang}.md", (project.root / f"docs/demo.{lang}.md").read_text() + PROSE)
    build = project.build()
    assert build.returncode == 0, build.log
    for prefix in ("", "en/"):
        html = (build.site / prefix / "demo/index.html").read_text(encoding="utf-8")
        shown = [re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))), v) for v in VALUE.findall(html)]
        assert shown == ["15", "2.500", "3", "<b>*x*</b> $y$", "[1, 2]", "torch.Size([2, 3])"], shown
        assert "<b>*x*</b>" not in html  # escaped: a value is never markup
        assert "{eval}`shown_as_written`" in html  # code stays as written
        assert "{eval}" not in html.replace("{eval}`shown_as_written`", "")
    notebook = json.loads((build.site / "demo/demo.ipynb").read_text(encoding="utf-8"))
    prose = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    assert "The sum is 15 and the mean 2.500." in prose and "exec-value" not in prose
    entries = list((project.root / ".cache/exec").glob("*/*.json"))
    assert len(entries) == 1
    stored = [v for block in json.loads(entries[0].read_text(encoding="utf-8"))["blocks"] for v in block["values"]]
    assert stored[:3] == ["15", "2.500", "3"]
    # the expression is part of the page's key: a new expression is computed, not read from the cache
    for lang in ("zh", "en"):
        path = project.root / f"docs/demo.{lang}.md"
        path.write_text(path.read_text().replace("{eval}`x.sum():d`", "{eval}`x.sum() * 2:d`"))
    again = project.build()
    assert again.returncode == 0, again.log
    assert VALUE.findall((again.site / "demo/index.html").read_text(encoding="utf-8"))[0] == "30"


def test_a_value_that_raises_fails_the_build_and_its_test_naming_page_and_line(project):
    for lang in ("zh", "en"):
        project.write(f"docs/demo.{lang}.md", (project.root / f"docs/demo.{lang}.md").read_text()
                      + "\nFine: {eval}`x.sum():d`.\n\nBroken: {eval}`no_such_name + 1:.2f`.\n")
    line = next(n for n, text in enumerate((project.root / "docs/demo.zh.md").read_text().splitlines(), 1)
                if "no_such_name" in text)
    build = project.build()
    assert build.returncode != 0
    message = ("computed value raised NameError: in {eval}`no_such_name + 1:.2f`: "
               "name 'no_such_name' is not defined")
    assert (f"docs/demo.en.md:{line} and docs/demo.zh.md:{line}: {message}" in build.log
            or f"docs/demo.zh.md:{line} and docs/demo.en.md:{line}: {message}" in build.log), build.log
    tests = project.pytest("-q")
    assert tests.returncode != 0
    assert f"docs/demo.zh.md:{line}: computed value raised NameError" in tests.stdout, tests.stdout
    assert "2 failed" in tests.stdout or "failed" in tests.stdout


def test_a_value_with_no_block_above_it_fails_named(project):
    project.write("docs/demo.zh.md", "# Demo\n\nToo early: {eval}`x`.\n\n```python\nx = 1\n```\n")
    project.write("docs/demo.en.md", "# Demo\n\nToo early: {eval}`x`.\n\n```python\nx = 1\n```\n")
    build = project.build()
    assert build.returncode != 0
    assert re.search(r"docs/demo\.(zh|en)\.md:3: \{eval\}`x` has no executed python block above it", build.log), build.log
    tests = project.pytest("-q")
    assert tests.returncode != 0 and "docs/demo.zh.md:3: {eval}`x` has no executed" in tests.stdout, tests.stdout
