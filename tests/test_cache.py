"""The execution cache: hits, misses on any change of its key, corrupt entries, clean runs."""
import json
import re

import pytest

from sitebuild import cache
from tests.conftest import demo_page


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_EXEC_CACHE", str(tmp_path / "exec"))
    monkeypatch.delenv("SITE_FRESH", raising=False)
    return tmp_path / "exec"


def test_entry_round_trip(store):
    k = cache.key(["print(1)"])
    cache.store(k, cache.Entry(output="1\n", figures=["<svg/>"], seconds=0.25))
    assert cache.load(k) == cache.Entry(output="1\n", figures=["<svg/>"], seconds=0.25)


def test_key_covers_the_whole_session_so_far():
    base = cache.key(["a = 1", "print(a)"])
    assert base == cache.key(["a = 1", "print(a)"])
    assert base != cache.key(["a = 2", "print(a)"])  # an earlier block changed
    assert base != cache.key(["a = 1", "print(a) "])  # this block changed
    assert base != cache.key(["a = 1\nprint(a)"])  # same text, other block boundaries


def test_key_covers_versions_device_and_data(monkeypatch):
    before = cache.key(["x"])
    monkeypatch.setattr(cache, "environment", lambda: "torch 9.9.9")
    assert cache.key(["x"]) != before


def test_environment_names_what_outputs_depend_on():
    env = cache.environment()
    for word in ("python ", "torch ", "numpy ", "matplotlib ", "device "):
        assert word in env


@pytest.mark.parametrize("content", ["", "{not json", '{"key": "other", "output": "x"}', '{"key": "K"}',
                                     '{"key": "K", "output": 3}', "\x00\x01"])
def test_corrupt_entry_is_a_miss(store, content):
    k = cache.key(["print(2)"])
    path = store / k[:2] / f"{k}.json"
    path.parent.mkdir(parents=True)
    path.write_text(content.replace("K", k))
    assert cache.load(k) is None


def test_fresh_run_ignores_stored_entries(store, monkeypatch):
    k = cache.key(["print(3)"])
    cache.store(k, cache.Entry(output="3\n"))
    monkeypatch.setenv("SITE_FRESH", "1")
    cache._stored_here.discard(k)  # as in a new process
    assert cache.load(k) is None


# ---- the cache inside real builds of a small project ----

STAMP = re.compile(r'<p class="exec-stamp">.*?</p>')


def pages_html(build, page="demo", measured=True):
    """Both languages' HTML of a page; measured=False blanks the measured run time (it varies between runs)."""
    pages = (build.site / page / "index.html").read_text(), (build.site / "en" / page / "index.html").read_text()
    return pages if measured else tuple(STAMP.sub("<p class=\"exec-stamp\"></p>", p) for p in pages)


def test_cold_build_runs_each_block_once_whatever_the_languages(project):
    build = project.build()
    assert build.returncode == 0, build.log
    m = build.manifest
    assert m["rendered"].count("docs/demo.zh.md:5") == 1 and m["rendered"].count("docs/demo.en.md:5") == 1
    assert m["executions"] == 3  # three distinct blocks, shown in two languages
    assert m["hits"] == 3  # the English page reads the Chinese page's results


def test_warm_build_executes_nothing_and_gives_identical_pages(project):
    cold = project.build("cold")
    warm = project.build("warm")
    assert warm.returncode == 0, warm.log
    assert warm.manifest["executions"] == 0
    assert pages_html(cold) == pages_html(warm)


def test_changing_one_block_reruns_only_its_page(project):
    for lang in ("zh", "en"):
        project.write(f"docs/other.{lang}.md", "# Other\n\n```python\n--8<-- \"other.py:only\"\n```\n")
    project.write("snippets/other.py", '# --8<-- [start:only]\nprint("other")\n# --8<-- [end:only]\n')
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - 演示: demo.md\n", "  - 演示: demo.md\n  - 其他: other.md\n")
                      .replace("            演示: Demo\n", "            演示: Demo\n            其他: Other\n"))
    assert project.build("first").returncode == 0
    snippet = project.root / "snippets/demo.py"
    snippet.write_text(snippet.read_text().replace("print(x.sum(dim=0))", "print(x.sum(dim=1))"))
    second = project.build("second")
    assert second.returncode == 0, second.log
    # blocks 1 (replayed for its namespace), 2 (changed) and 3 (after it) of demo; nothing of other
    assert second.manifest["executions"] == 3
    assert "tensor([ 3, 12])" in pages_html(second)[0]


def test_replayed_blocks_do_not_duplicate_figures(project):
    project.write("snippets/demo.py", "# --8<-- [start:first]\nimport matplotlib.pyplot as plt\n"
                  "plt.plot([0, 1], [0, 1])\nplt.show()\n# --8<-- [end:first]\n"
                  "# --8<-- [start:second]\nprint('two')\n# --8<-- [end:second]\n")
    for lang in ("zh", "en"):
        project.write(f"docs/demo.{lang}.md", demo_page("Demo", ["first", "second"]))
    assert project.build("first").returncode == 0
    snippet = project.root / "snippets/demo.py"
    snippet.write_text(snippet.read_text().replace("print('two')", "print('second')"))
    second = project.build("second")  # block 1 is a hit, replayed (drawing its figure again) before block 2 runs
    assert second.manifest["executions"] == 2
    zh, en = pages_html(second)
    assert zh.count('class="exec-figure"') == en.count('class="exec-figure"') == 1


def test_corrupt_entry_is_recomputed_not_trusted(project):
    first = project.build("first")
    for path in (project.root / ".cache" / "exec").rglob("*.json"):
        data = json.loads(path.read_text())
        if "tensor([3, 5, 7])" in data["output"]:
            path.write_text('{"key": "' + data["key"] + '", "output": ')  # truncated
    second = project.build("second")
    assert second.returncode == 0, second.log
    assert second.manifest["executions"] == 2  # the corrupt block, and the first one replayed for it
    assert pages_html(first, measured=False) == pages_html(second, measured=False)


def test_two_clean_builds_give_identical_pages(project):
    a = project.build("a", SITE_EXEC_CACHE=str(project.root / "cache-a"))
    b = project.build("b", SITE_EXEC_CACHE=str(project.root / "cache-b"), SITE_FRESH="1")
    assert a.manifest["executions"] == b.manifest["executions"] == 3
    assert pages_html(a, measured=False) == pages_html(b, measured=False)  # identical but for the run time
    assert "<svg" in pages_html(a)[0] and "Date" not in pages_html(a)[0]
