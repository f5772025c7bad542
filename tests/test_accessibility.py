"""WCAG 2.1 A and AA on every page of both languages, in both palettes: axe-core in headless Chromium.

axe-core is an npm package, installed by `.ci/run` (`npm ci --prefix tests`, from tests/package.json
and tests/package-lock.json) into tests/node_modules; without it, or without Chromium, these tests
are skipped, saying why.
"""
from pathlib import Path

import pytest

from tests.test_browser import KEYS, browser, server, url_of  # noqa: F401  (fixtures shared with the browser tests)

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCHEMES = {"light": "default", "dark": "slate"}  # the reader's system setting -> Material's palette

RUN = """async ([options]) => {
    const result = await axe.run(document, options);
    return result.violations.map(v => ({id: v.id, help: v.help, count: v.nodes.length,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n').slice(1).join(' '))}));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (npm ci --prefix tests, as .ci/run does): no accessibility checker")
    return AXE.read_text(encoding="utf-8")


def audit(page, axe_source: str, options: dict) -> list[dict]:
    page.add_script_tag(content=axe_source)
    return page.evaluate(RUN, [options])


def every_page(server):
    for key in KEYS:
        for lang in ("zh", "en"):
            yield f"{lang}:{key}", url_of(server, key, lang)
    yield "404", server + "404.html"


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_every_page_meets_wcag_21_aa(server, browser, axe_source, scheme):  # noqa: F811
    page = browser.new_page(color_scheme=scheme)
    failures = []
    for name, url in every_page(server):
        page.goto(url, wait_until="load")
        assert page.get_attribute("body", "data-md-color-scheme") == SCHEMES[scheme], name
        for violation in audit(page, axe_source, {"runOnly": {"type": "tag", "values": WCAG},
                                                  "resultTypes": ["violations"]}):
            failures.append(f"{name} [{scheme}] {violation['id']} ×{violation['count']}: {violation['help']}\n    "
                            + "\n    ".join(violation["nodes"]))
    page.close()
    assert not failures, f"{len(failures)} WCAG 2.1 AA violations:\n" + "\n".join(failures[:30])


def test_search_dialog_and_code_toolbars_are_named(server, browser, axe_source):  # noqa: F811
    """Best-practice rules outside WCAG's tags: every dialog and every landmark has its own name."""
    page = browser.new_page()
    for lang in ("zh", "en"):
        page.goto(url_of(server, "tensors", lang), wait_until="load")
        assert page.locator("nav.md-code__nav").count() > 1, lang
        violations = audit(page, axe_source, {"runOnly": {"type": "rule", "values": [
            "aria-dialog-name", "landmark-unique", "landmark-no-duplicate-banner", "landmark-no-duplicate-contentinfo"]}})
        assert violations == [], (lang, violations)
        assert page.get_attribute(".md-search[role=dialog]", "aria-label")
    page.close()
