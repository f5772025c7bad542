"""The execution cache: page keys, hits, misses on any change of what a page's output depends on."""
import errno
import json
import os
import re
import subprocess
import sys
import time

import pytest

from sitebuild import cache
from sitebuild.kernel import OUTPUT_CHARS, BlockResult, Settings
from tests.conftest import demo_page

SETTINGS = Settings()


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_EXEC_CACHE", str(tmp_path / "exec"))
    monkeypatch.delenv("SITE_FRESH", raising=False)
    return tmp_path / "exec"


def test_entry_round_trip(store):
    k = cache.page_key(["print(1)"], SETTINGS)
    cache.store(k, [BlockResult(outputs=[("stdout", "1\n")], figures=["<svg/>"], seconds=0.25)], "CPU")
    results, device = cache.load(k)
    assert results == [BlockResult(outputs=[("stdout", "1\n")], figures=["<svg/>"], seconds=0.25)]
    assert device == "CPU"


def test_key_covers_every_block_in_order_but_not_comments():
    base = cache.page_key(["a = 1", "print(a)"], SETTINGS)
    assert base == cache.page_key(["a = 1  # zh: 一\n# en: one", "print(a)"], SETTINGS)  # comments ignored
    assert base != cache.page_key(["a = 2", "print(a)"], SETTINGS)  # an earlier block changed
    assert base != cache.page_key(["a = 1", "print(a + 0)"], SETTINGS)  # this block changed
    assert base != cache.page_key(["a = 1\nprint(a)"], SETTINGS)  # same code, other block boundaries


def test_key_covers_settings_versions_and_glue(monkeypatch):
    before = cache.page_key(["x"], SETTINGS)
    assert cache.page_key(["x"], Settings(threads=2)) != before
    assert cache.page_key(["x"], Settings(memory=1 << 30)) != before
    monkeypatch.setattr(cache, "_versions", lambda: "torch 9.9.9")
    assert cache.page_key(["x"], SETTINGS) != before


def test_environment_names_what_outputs_depend_on():
    env = cache.environment(SETTINGS)
    for word in ("python ", "torch ", "numpy ", "matplotlib ", "device ", "settings ", "glue "):
        assert word in env


def test_key_covers_imported_helpers_and_named_data(tmp_path, monkeypatch):
    snippets = tmp_path / "snippets"
    (snippets / "data").mkdir(parents=True)
    (snippets / "helper.py").write_text("import deeper\nVALUE = 1\n")
    (snippets / "deeper.py").write_text("DEPTH = 1\n")
    (snippets / "data" / "names.csv").write_text("a,b\n")
    monkeypatch.setattr(cache, "SNIPPETS", snippets)
    monkeypatch.setattr(cache, "DATA", snippets / "data")
    monkeypatch.setattr(cache, "ROOT", tmp_path)
    page = ["import helper\nprint(open('names.csv').read())"]
    other = ["print(1)"]
    keys = cache.page_key(page, SETTINGS), cache.page_key(other, SETTINGS)
    (snippets / "deeper.py").write_text("DEPTH = 2\n")  # a helper of a helper changed
    assert cache.page_key(page, SETTINGS) != keys[0] and cache.page_key(other, SETTINGS) == keys[1]
    keys = cache.page_key(page, SETTINGS), cache.page_key(other, SETTINGS)
    (snippets / "data" / "names.csv").write_text("a,c\n")  # a data file it names changed
    assert cache.page_key(page, SETTINGS) != keys[0] and cache.page_key(other, SETTINGS) == keys[1]


@pytest.mark.parametrize("content", ["", "{not json", '{"key": "other"}', '{"key": "K"}',
                                     '{"key": "K", "format": 5, "device": "CPU", "blocks": [{"outputs": 3}]}',
                                     "\x00\x01"])
def test_corrupt_entry_is_a_miss(store, content):
    k = cache.page_key(["print(2)"], SETTINGS)
    path = store / k[:2] / f"{k}.json"
    path.parent.mkdir(parents=True)
    path.write_text(content.replace("K", k))
    assert cache.load(k) is None


def test_fresh_run_ignores_stored_entries(store, monkeypatch):
    k = cache.page_key(["print(3)"], SETTINGS)
    cache.store(k, [BlockResult()], "CPU")
    monkeypatch.setenv("SITE_FRESH", "1")
    cache._stored_here.discard(k)  # as in a new process
    assert cache.load(k) is None


def test_prune_removes_only_entries_not_kept(store):
    keep, drop = cache.page_key(["1"], SETTINGS), cache.page_key(["2"], SETTINGS)
    for k in (keep, drop):
        cache.store(k, [BlockResult()], "CPU")
    assert cache.prune({keep}, time.time() + 1) == 1
    assert cache.load(keep) is not None and cache.load(drop) is None


def test_prune_spares_what_other_builds_write_read_or_lease(store):
    """Two builds or `mkdocs serve` beside a build: none removes what another uses or is writing."""
    start = time.time()
    old, written, leased = (cache.page_key([str(n)], SETTINGS) for n in range(3))
    for k in (old, leased):
        cache.store(k, [BlockResult()], "CPU")
        os.utime(cache._path(k), (start - 60, start - 60))  # last used before this build began
    cache.store(written, [BlockResult()], "CPU")  # by another build, after this one began
    fresh_tmp, stale_tmp = store / written[:2] / f"{written}.x.tmp", store / old[:2] / f"{old}.y.tmp"
    fresh_tmp.write_text("being written")
    stale_tmp.write_text("left by a killed build")
    os.utime(stale_tmp, (start - 2 * cache.STALE_TMP, start - 2 * cache.STALE_TMP))
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # another running build
    try:
        (store / "leases").mkdir()
        (store / "leases" / f"{other.pid}.keys").write_text(leased)
        assert cache.prune(set(), start) == 2  # the old entry and the stale .tmp
        assert cache.load(written) is not None and cache.load(leased) is not None and cache.load(old) is None
        assert fresh_tmp.exists() and not stale_tmp.exists()
    finally:
        other.kill()
        other.wait()
    os.utime(cache._path(leased), (start - 60, start - 60))
    assert cache.prune(set(), start) == 1 and cache.load(leased) is None  # its build ended: the lease is gone
    assert not (store / "leases" / f"{other.pid}.keys").exists()


def test_a_failed_write_leaves_nothing_and_names_the_file(store, monkeypatch):
    k = cache.page_key(["print(4)"], SETTINGS)

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache.os, "replace", full)  # the disk filled up as the entry was written
    with pytest.raises(cache.CacheError, match=rf"cannot write the execution cache entry {re.escape(str(cache._path(k)))}: "
                                                "No space left on device"):
        cache.store(k, [BlockResult(outputs=[("stdout", "x" * 1000)])], "CPU")
    assert list(store.rglob("*")) == [store / k[:2]]  # no .tmp left behind
    monkeypatch.undo()  # space freed: the next build works
    cache.store(k, [BlockResult(outputs=[("stdout", "4\n")])], "CPU")
    assert cache.load(k)[0][0].outputs == [("stdout", "4\n")]


def test_a_read_only_cache_is_read_and_never_fails(store, monkeypatch):
    keep, orphan = cache.page_key(["1"], SETTINGS), cache.page_key(["2"], SETTINGS)
    for k in (keep, orphan):
        cache.store(k, [BlockResult(outputs=[("stdout", "1\n")])], "CPU")

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    for name in ("unlink", "utime", "mkdir"):  # as with a folder mounted read-only (root ignores chmod)
        monkeypatch.setattr(cache.os if name == "utime" else cache.Path, name, refused)
    assert cache.load(keep)[0][0].outputs == [("stdout", "1\n")]
    cache.lease({keep})
    assert cache.prune({keep}, time.time() + 1) == 0  # nothing removed, nothing raised


def test_any_printed_string_is_stored_and_read_back_as_text(store):
    k = cache.page_key(["print(5)"], SETTINGS)
    cache.store(k, [BlockResult(outputs=[("stdout", "\\udcff 中文 \x1b\n")])], "CPU")
    assert cache.load(k)[0][0].outputs == [("stdout", "\\udcff 中文 \x1b\n")]


def test_a_forged_entry_beyond_the_limits_is_a_miss(store):
    k = cache.page_key(["print(6)"], SETTINGS)
    cache.store(k, [BlockResult(outputs=[("stdout", "x" * (OUTPUT_CHARS + 1))])], "CPU")
    assert cache.load(k) is None
    cache.store(k, [BlockResult(figures=["<svg/>" + " " * (3 << 20)])], "CPU")
    assert cache.load(k) is None


# ---- the cache inside real builds of a small project ----

STAMP = re.compile(r'<p class="exec-stamp">.*?</p>')


def pages_html(build, page="demo", measured=True):
    """Both languages' HTML of a page; measured=False blanks the measured run time (it varies between runs)."""
    pages = (build.site / page / "index.html").read_text(), (build.site / "en" / page / "index.html").read_text()
    return pages if measured else tuple(STAMP.sub("<p class=\"exec-stamp\"></p>", p) for p in pages)


def test_cold_build_runs_each_page_once_whatever_the_languages(project):
    build = project.build()
    assert build.returncode == 0, build.log
    m = build.manifest
    assert m["rendered"].count("docs/demo.zh.md:5") == 1 and m["rendered"].count("docs/demo.en.md:5") == 1
    assert m["executions"] == 3 and m["pages_run"] == 1  # three blocks, one run, shown in two languages


def test_warm_build_executes_nothing_and_gives_identical_pages(project):
    cold = project.build("cold")
    warm = project.build("warm")
    assert warm.returncode == 0, warm.log
    assert warm.manifest["executions"] == 0 and warm.manifest["pages_run"] == 0
    assert "ran 1 pages" in cold.log and "ran " not in warm.log  # no process started at all
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
    assert second.manifest["pages_run"] == 1 and second.manifest["executions"] == 3  # demo again; not other
    assert "tensor([ 3, 12])" in pages_html(second)[0]


def test_editing_a_comment_reruns_nothing(project):
    assert project.build("first").returncode == 0
    snippet = project.root / "snippets/demo.py"
    snippet.write_text(snippet.read_text().replace("print(x)\n", "# zh: 打印\n# en: print it\nprint(x)\n"))
    second = project.build("second")
    assert second.returncode == 0, second.log
    assert second.manifest["executions"] == 0
    zh, en = pages_html(second)
    assert "# 打印" in zh and "print it" not in zh and "# print it" in en and "打印" not in en


def test_corrupt_entry_is_recomputed_not_trusted(project):
    first = project.build("first")
    for path in (project.root / ".cache" / "exec").rglob("*.json"):
        path.write_text(path.read_text()[:40])  # truncated
    second = project.build("second")
    assert second.returncode == 0, second.log
    assert second.manifest["executions"] == 3
    assert pages_html(first, measured=False) == pages_html(second, measured=False)


def test_two_clean_builds_give_identical_pages(project):
    a = project.build("a", SITE_EXEC_CACHE=str(project.root / "cache-a"))
    b = project.build("b", SITE_EXEC_CACHE=str(project.root / "cache-b"), SITE_FRESH="1")
    assert a.manifest["executions"] == b.manifest["executions"] == 3
    assert pages_html(a, measured=False) == pages_html(b, measured=False)  # identical but for the run time
    figures = [(build.site / lang / "demo" / "demo-figure-1.svg").read_text() for build in (a, b) for lang in ("", "en")]
    assert figures[0].startswith("<svg") and "Date" not in figures[0]
    assert len(set(figures)) == 1  # the same figure file, byte for byte, in both builds and languages


def test_orphaned_entries_are_pruned(project):
    assert project.build("first").returncode == 0
    snippet = project.root / "snippets/demo.py"
    snippet.write_text(snippet.read_text().replace("print(x.sum(dim=0))", "print(x.sum(dim=1))"))
    assert project.build("second").returncode == 0
    entries = list((project.root / ".cache" / "exec").rglob("*.json"))
    assert len(entries) == 1  # the demo page's entry for its current code only
    assert json.loads(entries[0].read_text())["blocks"][1]["outputs"][0][1].startswith("tensor([ 3, 12])")
