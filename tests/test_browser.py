"""The built site in a real browser (Debian's headless Chromium, driven by Playwright)."""
import functools
import http.server
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from sitebuild.blocks import mkdocs_config, page_blocks, page_key, pages

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
KEYS = sorted({page_key(p) for p in pages()})


PREFIX = urlparse(mkdocs_config()["site_url"]).path  # served where GitHub Pages serves it: /pytorch-notes/


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """The built site under the path of its site_url, as on GitHub Pages, which answers a missing
    address with the site's 404.html; anything outside that path is a plain 404."""

    prefix = PREFIX

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return "/nonexistent"
        return super().translate_path("/" + path[len(self.prefix):])

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not self.path.startswith(self.prefix) or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(site: Path, prefix: str = PREFIX):
    """Serve `site` under `prefix` on a free port; returns (its URL, the server to shut down)."""
    handler = functools.partial(type("Handler", (SiteHandler,), {"prefix": prefix}), directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}{prefix}", httpd


@pytest.fixture(scope="module")
def server(built_site):
    assert built_site.returncode == 0, built_site.log[-3000:]
    url, httpd = serve(built_site.site)
    yield url
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not shutil.which("chromium") and not __import__("os").path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium): no browser to test with")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def url_of(base, key, lang):
    return base + ("en/" if lang == "en" else "") + ("" if key == "index" else f"{key}/")


def test_every_page_loads_only_from_its_own_origin_without_console_errors(server, browser):
    origin = urlparse(server).netloc
    page = browser.new_page()
    foreign, errors = [], []
    page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).scheme in ("http", "https")
            and urlparse(r.url).netloc != origin else None)
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    for key in KEYS:
        for lang in ("zh", "en"):
            response = page.goto(url_of(server, key, lang), wait_until="networkidle")
            assert response.status == 200, (key, lang)
    assert foreign == [], f"requests that left the site: {sorted(set(foreign))[:10]}"
    assert errors == []


def test_language_switcher_leads_to_the_same_page_translated(server, browser):
    page = browser.new_page()
    for key in KEYS:
        page.goto(url_of(server, key, "zh"))
        page.goto(page.eval_on_selector('a.md-select__link[hreflang="en"]', "a => a.href"))
        assert page.url == url_of(server, key, "en")
        assert page.get_attribute("html", "lang") == "en"
        page.goto(page.eval_on_selector('a.md-select__link[hreflang="zh"]', "a => a.href"))
        assert page.url == url_of(server, key, "zh")
        assert page.get_attribute("html", "lang") == "zh"


# Navigation ---------------------------------------------------------------------------------

def page_html(site: Path, key: str, lang: str) -> str:
    folder = site / "en" if lang == "en" else site
    return (folder / ("" if key == "index" else key) / "index.html").read_text(encoding="utf-8")


SWITCHER = re.compile(r'<a href="([^"]*)" hreflang="(\w+)" class="md-select__link">')


def test_language_switcher_links_are_relative_on_every_page(built_site):
    """Root-absolute links (/pytorch-notes/en/) break in a preview under another path and from file://."""
    for key in KEYS:
        for lang in ("zh", "en"):
            links = SWITCHER.findall(page_html(built_site.site, key, lang))
            assert sorted(hreflang for _, hreflang in links) == ["en", "zh"], (key, lang)
            for href, _ in links:
                assert not urlparse(href).scheme and not href.startswith("/"), (key, lang, href)


@pytest.mark.parametrize("prefix", ["/", "/some/other/place/"])
def test_language_switcher_works_under_any_path(built_site, browser, prefix):
    base, httpd = serve(built_site.site, prefix)
    page = browser.new_page()
    try:
        for key in ("index", "tensors"):
            page.goto(url_of(base, key, "zh"))
            page.goto(page.eval_on_selector('a.md-select__link[hreflang="en"]', "a => a.href"))
            assert page.url == url_of(base, key, "en")
            page.goto(page.eval_on_selector('a.md-select__link[hreflang="zh"]', "a => a.href"))
            assert page.url == url_of(base, key, "zh")
    finally:
        page.close()
        httpd.shutdown()


def test_404_page_speaks_both_languages_and_loads_nothing_missing(server, browser):
    page = browser.new_page()
    failed, errors = [], []  # besides the page itself, whose 404 status is the point
    page.on("response", lambda r: failed.append(r.url)
            if r.status >= 400 and not r.request.is_navigation_request() else None)
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    for missing in ("no/such/page/", "en/no/such/page/"):
        response = page.goto(server + missing, wait_until="networkidle")
        assert response.status == 404
        assert page.get_attribute("html", "lang") == "zh"
        assert page.locator('article [lang="en"]').count() >= 1
        text = page.inner_text("article")
        assert "找不到页面" in text and "Page not found" in text
        homes = {page.eval_on_selector(f'a.md-select__link[hreflang="{lang}"]', "a => a.href") for lang in ("zh", "en")}
        assert homes == {server, server + "en/"}
        assert page.eval_on_selector('article [lang="en"] a', "a => a.href") == server + "en/"
    assert failed == [] and errors == [], (failed, errors)
    for home in (server, server + "en/"):
        assert page.goto(home).status == 200
    page.close()


def test_colab_links_are_built_from_repo_url_and_point_at_the_notebook(built_site):
    """Colab reads https://github.com/OWNER/REPO/blob/gh-pages/PATH from the branch the site deploys."""
    config = mkdocs_config()
    repo = urlparse(config["repo_url"]).path.strip("/")
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", repo), config["repo_url"]
    found = 0
    for key in KEYS:
        for lang in ("zh", "en"):
            prefix = "en/" if lang == "en" else ""
            for href in re.findall(r'href="(https://colab\.research\.google\.com/[^"]*)"', page_html(built_site.site, key, lang)):
                name = key.rsplit("/", 1)[-1]
                assert href == f"https://colab.research.google.com/github/{repo}/blob/gh-pages/{prefix}{key}/{name}.ipynb"
                assert (built_site.site / prefix / key / f"{name}.ipynb").is_file(), href
                found += 1
    with_code = [p for p in pages() if page_blocks(p)]
    assert found == len(with_code), (found, len(with_code))  # every page with code, in both languages


def test_every_page_has_its_own_description_in_its_language(built_site):
    site_descriptions = set()
    for lang in ("zh", "en"):
        seen = {}
        for key in KEYS:
            html = page_html(built_site.site, key, lang)
            description = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
            assert 20 <= len(description) <= 200, (key, lang, description)
            assert description not in seen, (key, seen.get(description))
            seen[description] = key
            chinese = len(re.findall(r"[\u4e00-\u9fff]", description))
            assert (chinese >= 10) if lang == "zh" else (chinese <= len(description) // 5), (key, lang, description)
        site_descriptions |= set(seen)
    for description in (mkdocs_config()["site_description"],):
        assert description not in site_descriptions


# Search: the queries, the index and its word cutting are tested in tests/test_search.py; `search`
# stays here for the offline build's test below.
RESULTS = "[...document.querySelectorAll('.md-search-result__item > a')].map(a => a.href)"


def search(page, query: str) -> list[str]:
    """The result links of `query`, typed in the search field as from a keyboard."""
    page.fill("input.md-search__input", "")
    page.wait_for_function(f"() => {RESULTS}.length === 0")
    page.fill("input.md-search__input", query)
    page.press("input.md-search__input", "End")  # Material reads the query on keyup, as from a keyboard or IME
    # the search worker builds its index first (seconds on a busy 2-core machine)
    page.wait_for_function(f"() => {RESULTS}.length > 0", timeout=90000)
    page.wait_for_timeout(200)  # results arrive in one batch; let a later batch for the same query land
    return page.evaluate(RESULTS)


def test_formulas_are_rendered_not_raw(server, browser):
    page = browser.new_page()
    for key in ("gradient-descent", "cross-entropy", "momentum"):
        for lang in ("zh", "en"):
            page.goto(url_of(server, key, lang))
            assert page.locator("article math").count() > 0, (key, lang)
            text = page.inner_text("article")
            assert "$$" not in text and "\\frac" not in text, (key, lang)
            box = page.locator("article math").first.bounding_box()
            assert box and box["width"] > 0 and box["height"] > 0  # laid out by the browser's MathML


def test_figures_load_as_svg_images_and_open_full_size(server, browser):
    page = browser.new_page()
    page.goto(url_of(server, "gradient-descent", "en"))
    images = page.locator(".exec-figure a > img")
    assert images.count() >= 3
    for i in range(images.count()):  # lazy: each loads once it is near the screen
        images.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=images.nth(i).element_handle())
    page.locator(".exec-figure a").first.click()  # tapped: the figure's own SVG file, full size
    page.wait_for_url("**/gradient-descent/gradient-descent-figure-1.svg")
    assert page.evaluate("document.documentElement.localName") == "svg"


def test_dark_palette_toggles(server, browser):
    page = browser.new_page(color_scheme="light")
    page.goto(url_of(server, "tensors", "zh"))
    assert page.get_attribute("body", "data-md-color-scheme") == "default"
    page.click("form[data-md-component='palette'] label:visible")
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"


def test_code_has_a_copy_button(server, browser):
    page = browser.new_page()
    page.goto(url_of(server, "tensors", "en"))
    copy = "button.md-code__button[data-md-type='copy']"
    page.wait_for_selector(copy, state="attached")
    assert page.locator(copy).count() == page.locator("article pre > code").count()


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory):
    """The alternative build for reading from disk: Material's offline plugin (OFFLINE=true)."""
    from tests.conftest import mkdocs_build
    from sitebuild import ROOT

    site = tmp_path_factory.mktemp("offline") / "site"
    result = mkdocs_build(ROOT, site, {"OFFLINE": "true"})
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return site


def test_offline_build_reads_from_disk_with_search_and_switcher(offline_site, browser):
    page = browser.new_page()
    schemes = set()
    page.on("request", lambda r: schemes.add(urlparse(r.url).scheme))
    page.goto((offline_site / "tensors.html").as_uri())
    assert page.get_attribute("html", "lang") == "zh"
    page.goto(page.eval_on_selector('a.md-select__link[hreflang="en"]', "a => a.href"))
    assert page.url == (offline_site / "en" / "tensors.html").as_uri()
    for key in ("gradient-descent", "cnn-basics"):  # every page of a language shares one folder here
        page.goto((offline_site / f"{key}.html").as_uri())
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # solutions too
        images = page.locator(".exec-figure img")
        assert images.count() >= 4
        for i in range(images.count()):
            images.nth(i).scroll_into_view_if_needed()
            assert images.nth(i).get_attribute("src") == f"{key}-figure-{i + 1}.svg"
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=images.nth(i).element_handle())
    page.goto((offline_site / "index.html").as_uri())
    page.fill("input.md-search__input", "梯度下降")
    page.press("input.md-search__input", "End")
    page.wait_for_function("url => [...document.querySelectorAll('.md-search-result__item a')]"
                           ".some(a => a.href.startsWith(url))",
                           arg=(offline_site / "gradient-descent.html").as_uri(), timeout=90000)
    assert schemes <= {"file", "data", "blob"}, schemes


def test_offline_build_switches_language_from_the_home_page_and_searches_english(offline_site, browser):
    page = browser.new_page()
    page.goto((offline_site / "index.html").as_uri())
    page.goto(page.eval_on_selector('a.md-select__link[hreflang="en"]', "a => a.href"))
    assert page.url == (offline_site / "en" / "index.html").as_uri()
    results = search(page, "broadcasting")
    assert results[0].startswith((offline_site / "en" / "tensors.html").as_uri()), results[:3]
    page.goto(page.eval_on_selector('a.md-select__link[hreflang="zh"]', "a => a.href"))
    assert page.url == (offline_site / "index.html").as_uri()
    page.close()
