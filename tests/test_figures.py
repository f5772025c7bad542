"""Figures as readers meet them: captioned, described, unique ids, no metadata, no clipped text, readable on a phone."""
import re

import pytest

from sitebuild.blocks import page_key, pages
from tests.test_browser import browser, server, url_of  # noqa: F401  (fixtures)

KEYS = sorted({page_key(p) for p in pages()})
FIGURE = re.compile(r'<figure class="exec-figure" id="figure-(\d+)"><div class="exec-svg" role="img" '
                    r'aria-label="([^"]+)"><svg.*?</svg>\s*</div><figcaption>([^<]+)</figcaption></figure>', re.S)


def html(site, key, lang):
    return ((site / "en" if lang == "en" else site) / ("" if key == "index" else key) / "index.html").read_text()


def test_every_figure_is_numbered_captioned_and_described_in_the_page_language(built_site):
    total = 0
    for key in KEYS:
        for lang in ("zh", "en"):
            page = html(built_site.site, key, lang)
            figures = FIGURE.findall(page)
            assert len(figures) == page.count('<figure class="exec-figure"'), (key, lang)
            for n, (number, alt, caption) in enumerate(figures, 1):
                assert int(number) == n
                label = f"图 {n}：" if lang == "zh" else f"Figure {n}. "
                assert caption.startswith(label) and len(caption) > len(label) + 2, (key, lang, caption)
                assert len(alt) > 8, (key, lang, alt)
                if lang == "zh":
                    assert re.search(r"[\u4e00-\u9fff]", caption + alt), (key, caption)
            total += len(figures)
    assert total > 100


def test_figure_ids_are_unique_within_a_page_and_carry_no_metadata(built_site):
    for key in KEYS:
        for lang in ("zh", "en"):
            page = html(built_site.site, key, lang)
            ids = re.findall(r'\bid="([^"]+)"', page)
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            assert not duplicates, (key, lang, duplicates[:5])
            assert "<metadata>" not in page and "rdf:RDF" not in page, (key, lang)


@pytest.mark.browser
def test_no_figure_text_is_clipped_and_text_is_readable_on_a_phone(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    problems = []
    for key in KEYS:
        page.goto(url_of(server, key, "en"))
        found = page.evaluate("""() => [...document.querySelectorAll('.exec-figure svg')].map((svg, i) => {
            const box = svg.getBoundingClientRect();
            const out = [], small = [];
            for (const t of svg.querySelectorAll('text')) {
                const r = t.getBoundingClientRect();
                if (!r.width || !t.textContent.trim()) continue;
                if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
                    out.push(t.textContent.trim() + ' ' + [box.left - r.left, r.right - box.right, box.top - r.top, r.bottom - box.bottom].map(v => v.toFixed(0)).join(','));
                const size = parseFloat(getComputedStyle(t).fontSize) * box.width / svg.viewBox.baseVal.width;
                if (size < 8) small.push(t.textContent + ' ' + size.toFixed(1));
            }
            return {i: i + 1, out, small};
        })""")
        for figure in found:
            if figure["out"] or figure["small"]:
                problems.append((key, figure))
    assert not problems, problems[:5]
