"""Figures as readers meet them: captioned, described, an SVG file of their own beside the page with
no metadata, no clipped text, text drawn as glyphs (no font needed), readable on a phone full size."""
import re

import pytest

from sitebuild.blocks import page_key, pages
from tests.test_browser import browser, server, url_of  # noqa: F401  (fixtures)

KEYS = sorted({page_key(p) for p in pages()})
FIGURE = re.compile(r'<figure class="exec-figure" id="figure-(\d+)"><a href="([\w-]+-figure-\d+\.svg)" title="[^"]+">'
                    r'<img src="([\w-]+-figure-\d+\.svg)" alt="([^"]+)" width="(\d+)" height="(\d+)"(?: style="--phone-width: \d+px")? '
                    r'loading="lazy" '
                    r'decoding="async"></a><figcaption>([^<]+)</figcaption></figure>')


def folder(site, key, lang):
    return (site / "en" if lang == "en" else site) / ("" if key == "index" else key)


def test_every_figure_is_numbered_captioned_and_described_in_the_page_language(built_site):
    total = 0
    for key in KEYS:
        for lang in ("zh", "en"):
            page = (folder(built_site.site, key, lang) / "index.html").read_text()
            figures = FIGURE.findall(page)
            assert len(figures) == page.count('<figure class="exec-figure"'), (key, lang)
            for n, (number, link, src, alt, width, height, caption) in enumerate(figures, 1):
                assert int(number) == n and link == src == f"{key}-figure-{n}.svg", (key, lang, n)
                label = f"图 {n}：" if lang == "zh" else f"Figure {n}. "
                assert caption.startswith(label) and len(caption) > len(label) + 2, (key, lang, caption)
                assert len(alt) > 8, (key, lang, alt)
                if lang == "zh":
                    assert re.search(r"[\u4e00-\u9fff]", caption + alt), (key, caption)
                svg = (folder(built_site.site, key, lang) / src).read_text()
                size = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"', svg)
                assert size and (int(width), int(height)) == tuple(round(float(v) * 4 / 3) for v in size.groups())
            total += len(figures)
    assert total > 100


def test_figure_files_carry_no_metadata_and_need_no_font(built_site):
    files = sorted(built_site.site.rglob("*-figure-*.svg"))
    assert len(files) > 100
    for path in files:
        svg = path.read_text()
        assert svg.startswith("<svg") and "<metadata>" not in svg and "rdf:RDF" not in svg, path
        # text is drawn as glyph outlines: no <text>, so no font the reader may lack (DejaVu Sans,
        # matplotlib's STIX math fonts, whose \mathcal letters are private-use characters)
        assert "<text" not in svg and "font-family" not in svg, path
    for key in KEYS:  # nor does a page carry a figure inline any more
        for lang in ("zh", "en"):
            page = (folder(built_site.site, key, lang) / "index.html").read_text()
            assert 'class="exec-svg"' not in page and "<metadata>" not in page, (key, lang)
            ids = re.findall(r'\bid="([^"]+)"', page)
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            assert not duplicates, (key, lang, duplicates[:5])


# Each text of a matplotlib figure is a <g id="text_N"> of glyph outlines scaled by fontsize / 100.
TEXTS = """() => {
    const svg = document.documentElement, box = svg.getBoundingClientRect(), out = [], sizes = [];
    for (const t of svg.querySelectorAll('g[id^="text_"]')) {
        const r = t.getBoundingClientRect();
        if (!r.width) continue;
        const comment = [...t.childNodes].find(n => n.nodeType === Node.COMMENT_NODE);
        const label = (comment ? comment.data : t.id).trim();
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
            out.push(label + ' ' + [box.left - r.left, r.right - box.right, box.top - r.top, r.bottom - box.bottom].map(v => v.toFixed(0)).join(','));
        const scaled = t.querySelector('[transform*="scale("]');
        if (scaled) sizes.push([label, 100 * parseFloat(scaled.getAttribute('transform').match(/scale\\(([\\d.]+)/)[1])]);
    }
    return {width: svg.viewBox.baseVal.width, out, sizes};
}"""


@pytest.mark.browser
def test_no_figure_text_is_clipped_and_text_is_readable_on_a_phone(server, browser):  # noqa: F811
    """On a 390 px phone every text of a figure is at least 8 px in the page (a figure that would
    shrink it more scrolls sideways) and at least 9 px in its SVG file opened full size."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    problems, texts = [], 0
    for key in KEYS:
        page.goto(url_of(server, key, "en"))
        shown = page.evaluate("() => [...document.querySelectorAll('.exec-figure img')].map(i => [i.src, i.clientWidth])")
        for src, width in shown:
            page.goto(src)
            found = page.evaluate(TEXTS)
            texts += len(found["sizes"])
            full = [(label, round(pt * 4 / 3, 1)) for label, pt in found["sizes"] if pt * 4 / 3 < 9]
            fitted = [(label, round(pt * width / found["width"], 1))
                      for label, pt in found["sizes"] if pt * width / found["width"] < 7.95]
            if found["out"] or full or fitted or not found["sizes"]:
                problems.append((src, found["out"], full, fitted))
    assert not problems, problems[:5]
    assert texts > 1000
