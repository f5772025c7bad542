"""The built site in a real browser (Debian's headless Chromium, driven by Playwright)."""
import functools
import http.server
import shutil
import threading
from urllib.parse import urlparse

import pytest

from sitebuild.blocks import mkdocs_config, page_key, pages

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
KEYS = sorted({page_key(p) for p in pages()})


PREFIX = urlparse(mkdocs_config()["site_url"]).path  # served where GitHub Pages serves it: /pytorch-notes/


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """The built site under the path of its site_url, as on GitHub Pages; anything else is a 404."""

    def translate_path(self, path):
        if not path.startswith(PREFIX):
            return "/nonexistent"
        return super().translate_path("/" + path[len(PREFIX):])

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(built_site):
    assert built_site.returncode == 0, built_site.log[-3000:]
    handler = functools.partial(SiteHandler, directory=str(built_site.site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{PREFIX}"
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


@pytest.mark.parametrize("lang,query,expected", [
    ("zh", "梯度", "gradient-descent/"),
    ("zh", "张量", "tensors/"),
    ("zh", "反向传播", "backprop/"),
    ("zh", "交叉熵", "cross-entropy/"),
    ("en", "gradient", "en/gradient-descent/"),
    ("en", "momentum", "en/momentum/"),
])
def test_search_finds_the_page_that_teaches_it(server, browser, lang, query, expected):
    page = browser.new_page()
    page.goto(url_of(server, "index", lang))
    page.wait_for_load_state("networkidle")
    page.fill("input.md-search__input", query)
    page.press("input.md-search__input", "End")  # Material reads the query on keyup, as from a keyboard or IME
    # the search worker builds its index first (seconds on a busy 2-core machine)
    page.wait_for_function("url => [...document.querySelectorAll('.md-search-result__item a')]"
                           ".some(a => a.href.startsWith(url))", arg=server + expected, timeout=90000)


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


def test_figures_are_inline_svg(server, browser):
    page = browser.new_page()
    page.goto(url_of(server, "gradient-descent", "en"))
    assert page.locator(".exec-figure svg").count() >= 3
    assert page.locator("article img").count() == 0


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
    page.goto((offline_site / "index.html").as_uri())
    page.fill("input.md-search__input", "梯度")
    page.press("input.md-search__input", "End")
    page.wait_for_function("url => [...document.querySelectorAll('.md-search-result__item a')]"
                           ".some(a => a.href.startsWith(url))",
                           arg=(offline_site / "gradient-descent.html").as_uri(), timeout=90000)
    assert schemes <= {"file", "data", "blob"}, schemes
