"""A block that raises or hangs fails both the build and the tests, naming the page and line."""
import re

BROKEN = '''
# --8<-- [start:broken]
y = x * 2
print(undefined_name)
# --8<-- [end:broken]
'''


def break_demo(project):
    project.write("snippets/demo.py", (project.root / "snippets/demo.py").read_text() + BROKEN)
    for lang in ("zh", "en"):
        page = project.root / f"docs/demo.{lang}.md"
        page.write_text(page.read_text() + '\n```python\n--8<-- "demo.py:broken"\n```\n')
    line = next(i for i, text in enumerate((project.root / "docs/demo.zh.md").read_text().splitlines(), 1)
                if "demo.py:broken" in text) - 1  # the fence opens one line above the include
    return line


def test_raising_block_fails_strict_build_with_page_and_line(project):
    line = break_demo(project)
    build = project.build()
    assert build.returncode != 0
    assert f"docs/demo.zh.md:{line}: python block raised NameError" in build.log
    assert "Aborted" in build.log


def test_raising_block_fails_tests_with_page_and_line(project):
    line = break_demo(project)
    result = project.pytest()
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    for lang in ("zh", "en"):
        assert f"docs/demo.{lang}.md:{line} (line 2 of the block): NameError" in out
    assert re.search(r"\b2 failed, 6 passed\b", out), out


def test_hanging_block_is_stopped_with_page_and_line(project):
    project.write("snippets/demo.py", (project.root / "snippets/demo.py").read_text()
                  + '\n# --8<-- [start:hang]\nimport time\ntime.sleep(60)\n# --8<-- [end:hang]\n')
    page = project.root / "docs/demo.zh.md"
    page.write_text(page.read_text() + '\n```python\n--8<-- "demo.py:hang"\n```\n')
    build = project.build(SITE_BLOCK_TIMEOUT="2")
    assert build.returncode != 0
    assert re.search(r"docs/demo\.zh\.md:\d+: python block raised BlockTimeout: block still running after 2 s",
                     build.log), build.log


def test_missing_snippet_section_names_the_page(project):
    page = project.root / "docs/demo.en.md"
    page.write_text(page.read_text() + '\n```python\n--8<-- "demo.py:nowhere"\n```\n')
    result = project.pytest()
    assert result.returncode != 0
    assert "docs/demo.en.md" in result.stdout + result.stderr
