"""The real site, built once: both languages, every block rendered from a run, and counted."""
import re
import subprocess
import sys
from urllib.parse import urljoin, urlparse

from sitebuild import ROOT
from sitebuild.blocks import mkdocs_config, page_blocks, page_key, pages

KEYS = sorted({page_key(p) for p in pages()})


def html(site, key, lang):
    folder = site if lang == "zh" else site / "en"
    return (folder / ("" if key == "index" else key) / "index.html").read_text(encoding="utf-8")


def test_strict_build_succeeds_without_warnings(built_site):
    assert built_site.returncode == 0, built_site.log[-5000:]
    assert "WARNING" not in built_site.log


def test_chinese_at_the_root_english_under_en(built_site):
    for key in KEYS:
        assert '<html lang="zh"' in html(built_site.site, key, "zh")
        assert '<html lang="en"' in html(built_site.site, key, "en")


def test_language_switcher_goes_to_the_same_page(built_site):
    prefix = urlparse(mkdocs_config()["site_url"]).path
    for key in KEYS:
        path = "" if key == "index" else f"{key}/"
        for lang, other, here, there in (("zh", "en", path, f"en/{path}"), ("en", "zh", f"en/{path}", path)):
            page = html(built_site.site, key, lang)
            href = re.search(rf'<a href="([^"]*)" hreflang="{other}" class="md-select__link">', page).group(1)
            assert urljoin(prefix + here, href) == prefix + there, (key, lang, href)


def collected_block_items() -> list[str]:
    """What `pytest docs` collects, as `page:line`, minus the blocks marked exec="off"."""
    result = subprocess.run([sys.executable, "-m", "pytest", "docs", "--collect-only", "-q", "-n", "0"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    items = re.findall(r"^(docs/\S+\.md)::line (\d+)$", result.stdout, re.M)
    assert items, result.stdout + result.stderr
    off = {b.where for p in pages() for b in page_blocks(p) if not b.executed}
    return sorted(f"{page}:{line}" for page, line in items if f"{page}:{line}" not in off)


def test_every_executed_block_is_collected_by_pytest_and_rendered_by_the_build(built_site):
    collected = collected_block_items()
    in_files = sorted(b.where for p in pages() for b in page_blocks(p) if b.executed)
    rendered = sorted(built_site.manifest["rendered"])
    assert len(collected) == len(rendered) == len(in_files)
    assert collected == rendered == in_files


def test_no_block_runs_twice_for_two_languages(built_site):
    distinct = sum(1 for p in pages("zh") for b in page_blocks(p) if b.executed)
    assert built_site.manifest["executions"] <= distinct


def test_pages_with_code_say_how_long_it_ran_and_with_what(built_site):
    for key in KEYS:
        if any(b.executed for b in page_blocks(pages("zh")[0].parent / f"{key}.zh.md")):
            assert re.search(r"本页代码运行 \d+\.\d s · torch 2\.13\.0 · (CPU|CUDA)", html(built_site.site, key, "zh"))
            assert re.search(r"Code on this page ran in \d+\.\d s · torch 2\.13\.0 · (CPU|CUDA)",
                             html(built_site.site, key, "en"))


def test_no_error_output_or_raw_formula_on_any_page(built_site):
    for key in KEYS:
        for lang in ("zh", "en"):
            page = html(built_site.site, key, lang)
            assert "Traceback (most recent call last)" not in page, (key, lang)
            assert 'class="arithmatex"' not in page, (key, lang)  # every formula became MathML


def test_every_page_is_light(built_site):
    """At most 150 KB of gzipped HTML and 4,000 DOM elements per page (a phone on a slow line)."""
    import gzip
    from html.parser import HTMLParser

    class Counter(HTMLParser):
        elements = 0

        def handle_starttag(self, tag, attrs):
            self.elements += 1

    for key in KEYS:
        for lang in ("zh", "en"):
            page = html(built_site.site, key, lang)
            counter = Counter()
            counter.feed(page)
            assert len(gzip.compress(page.encode())) <= 150_000, (key, lang)
            assert counter.elements <= 4000, (key, lang, counter.elements)
