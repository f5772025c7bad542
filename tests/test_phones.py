"""Every page on a 390 px phone (headless Chromium): nothing cut, and whatever scrolls sideways says so.

Display formulas wider than the column scroll inside their own box, tables fit or scroll inside theirs,
figures wider than the column scroll inside their link; each such box fades out at the edge where more
is hidden (docs/assets/site.css: a scroll-driven animation sets --fade-start / --fade-end). Code in a
table keeps its names whole. The page itself never scrolls sideways.
"""
import pytest

from tests.test_browser import KEYS, browser, server, url_of  # noqa: F401  (fixtures shared with the browser tests)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
BOXES = "article .math-display, article .md-typeset__scrollwrap, article .exec-figure a"

# what a page looks like at this width, in one round trip: every box that could be too wide
MEASURE = """() => {
    const px = v => parseFloat(v) || 0, view = document.documentElement.clientWidth;
    const boxes = [...document.querySelectorAll(arguments_selector)].map(e => {
        const r = e.getBoundingClientRect(), style = getComputedStyle(e);
        return {kind: e.matches('.math-display') ? 'formula' : e.matches('.exec-figure a') ? 'figure' : 'table',
                left: r.left, right: r.right, scrollWidth: e.scrollWidth, clientWidth: e.clientWidth,
                overflowX: style.overflowX, fadeEnd: px(style.getPropertyValue('--fade-end')),
                focusable: e.tabIndex >= 0 || !!e.querySelector('a[href], button, [tabindex]'),
                mask: style.maskImage || style.webkitMaskImage || 'none'};
    });
    const broken = [...document.querySelectorAll('article td code')].filter(c => c.getClientRects().length > 1)
        .map(c => c.textContent);
    return {view, page: document.documentElement.scrollWidth, boxes, broken,
            tables: document.querySelectorAll('article table').length,
            wrapped: document.querySelectorAll('article .md-typeset__scrollwrap').length};
}""".replace("arguments_selector", repr(BOXES))


@pytest.fixture(scope="module")
def phone(browser):  # noqa: F811
    page = browser.new_page(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    yield page
    page.close()


def measure(phone, url: str) -> dict:
    phone.goto(url, wait_until="load")
    if phone.locator("article table").count():  # Material wraps tables in their scrolling box from its script
        phone.wait_for_selector("article .md-typeset__scrollwrap", state="attached")
    return phone.evaluate(MEASURE)


def test_nothing_is_cut_on_a_390px_phone(server, phone):  # noqa: F811
    """On every page of both languages: the page does not scroll sideways, no box sticks out of it,
    a box whose content is wider scrolls, shows the fade and can be focused (a keyboard scrolls it),
    code in tables is not broken mid-word."""
    problems, scrolling = [], 0
    for key in KEYS:
        for lang in ("zh", "en"):
            where = f"{lang}:{key}"
            found = measure(phone, url_of(server, key, lang))
            if found["page"] > found["view"]:
                problems.append(f"{where}: the page is {found['page']} px wide in a {found['view']} px screen")
            if found["tables"] != found["wrapped"]:
                problems.append(f"{where}: {found['tables']} tables, {found['wrapped']} in a scrolling box")
            for box in found["boxes"]:
                if box["left"] < -1 or box["right"] > found["view"] + 1:
                    problems.append(f"{where}: a {box['kind']} from {box['left']:.0f} to {box['right']:.0f} px")
                if box["scrollWidth"] > box["clientWidth"] + 1:
                    scrolling += 1
                    if box["overflowX"] not in ("auto", "scroll"):
                        problems.append(f"{where}: a {box['kind']} overflows without scrolling")
                    if box["fadeEnd"] <= 0 or box["mask"] == "none":
                        problems.append(f"{where}: a {box['kind']} scrolls with no cue (fade {box['fadeEnd']})")
                    if not box["focusable"]:
                        problems.append(f"{where}: a {box['kind']} scrolls but a keyboard cannot reach it")
                elif box["fadeEnd"] > 0:
                    problems.append(f"{where}: a {box['kind']} that fits fades its edge")
            problems += [f"{where}: code broken across lines in a table: {code!r}" for code in found["broken"]]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:30])
    assert scrolling >= 10  # the site does have wide formulas, figures and tables at this width


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_wide_formula_scrolls_in_its_box_and_shows_all_of_it(server, phone, lang):  # noqa: F811
    """backprop's matrix-form gradients are the widest formula: its box scrolls, the page does not, and
    scrolled to the end its last symbol is inside the box; the fade moves to the other edge."""
    phone.goto(url_of(server, "backprop", lang), wait_until="load")
    boxes = phone.locator("article .math-display")
    widths = [boxes.nth(i).evaluate("e => e.scrollWidth - e.clientWidth") for i in range(boxes.count())]
    box = boxes.nth(max(range(len(widths)), key=widths.__getitem__))
    assert max(widths) > 100
    box.scroll_into_view_if_needed()
    start = box.evaluate("e => getComputedStyle(e).getPropertyValue('--fade-start')")
    box.evaluate("e => { e.scrollLeft = e.scrollWidth }")
    phone.wait_for_timeout(100)
    state = box.evaluate("""e => { const r = e.getBoundingClientRect(), leaves = [...e.querySelectorAll('mi, mn, mo')];
        const last = leaves[leaves.length - 1].getBoundingClientRect();
        return {right: r.right, lastRight: last.right, scrolled: e.scrollLeft,
                start: getComputedStyle(e).getPropertyValue('--fade-start'),
                end: getComputedStyle(e).getPropertyValue('--fade-end')} }""")
    assert state["scrolled"] > 100 and state["lastRight"] <= state["right"] + 1, state
    assert float(start.removesuffix("px")) == 0 and float(state["start"].removesuffix("px")) > 0, (start, state)
    assert float(state["end"].removesuffix("px")) == 0, state  # nothing more to the right
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_country_table_fits_a_phone(server, phone, lang):  # noqa: F811
    """rnn-advanced's country codes: one row per country (two columns), not seven columns."""
    phone.goto(url_of(server, "rnn-advanced", lang), wait_until="load")
    phone.wait_for_selector("article .md-typeset__scrollwrap", state="attached")
    table = phone.locator("article table", has_text="CN").first
    shape = table.evaluate("t => [t.rows.length, t.rows[0].cells.length, t.closest('.md-typeset__scrollwrap')"
                           ".scrollWidth - t.closest('.md-typeset__scrollwrap').clientWidth]")
    assert shape[:2] == [7, 2] and shape[2] <= 1, shape


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_table_keeps_code_whole_and_fits(server, phone, lang):  # noqa: F811
    """The chapter map: `BCEWithLogitsLoss` and `torch.accelerator` on one line each, the table within the screen."""
    found = measure(phone, url_of(server, "index", lang))
    assert found["broken"] == []
    codes = phone.locator("article td code")
    assert codes.count() >= 15 and phone.locator("article td code", has_text="BCEWithLogitsLoss").count() == 1
    table = [b for b in found["boxes"] if b["kind"] == "table"][0]
    assert table["scrollWidth"] <= table["clientWidth"] + 1, table


def strips(png: bytes, width: int = 12) -> tuple[bytes, bytes]:
    """The pixels of the leftmost and the rightmost `width` columns of a screenshot."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    return (image.crop((0, 0, width, image.height)).tobytes(),
            image.crop((image.width - width, 0, image.width, image.height)).tobytes())


def test_a_figure_that_scrolls_sideways_fades_at_its_edge(server, phone):  # noqa: F811
    """cnn-basics' first figure needs more than a phone's width: its right edge fades until scrolled;
    the same figure on a wide screen fits and does not fade."""
    phone.goto(url_of(server, "cnn-basics", "zh"), wait_until="load")
    link = phone.locator("article .exec-figure a").first
    link.scroll_into_view_if_needed()
    assert link.evaluate("a => a.scrollWidth - a.clientWidth") > 20
    fade = link.evaluate("a => getComputedStyle(a).getPropertyValue('--fade-end')")
    assert float(fade.removesuffix("px")) > 0, fade
    # the fade is drawn: without the mask the right edge looks different, the left edge the same
    faded = strips(link.screenshot())
    link.evaluate("a => { a.style.maskImage = 'none'; a.style.webkitMaskImage = 'none' }")
    plain = strips(link.screenshot())
    link.evaluate("a => { a.style.maskImage = ''; a.style.webkitMaskImage = '' }")
    assert faded[0] == plain[0] and faded[1] != plain[1]
    phone.set_viewport_size({"width": 1280, "height": 844})
    try:
        fade = link.evaluate("a => getComputedStyle(a).getPropertyValue('--fade-end')")
        assert link.evaluate("a => a.scrollWidth - a.clientWidth") <= 1 and float(fade.removesuffix("px")) == 0
    finally:
        phone.set_viewport_size(PHONE)


def test_formula_boxes_that_fit_stay_out_of_the_tab_order(server, browser):  # noqa: F811
    """On a wide screen every formula of cross-entropy fits: no formula box is a tab stop; on a phone the
    two that overflow are (docs/assets/a11y.js), and the page's tab order reaches them."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url_of(server, "cross-entropy", "en"), wait_until="load")
    assert page.locator("article .math-display").count() >= 5
    assert page.locator("article .math-display[tabindex]").count() == 0
    page.set_viewport_size(PHONE)
    page.wait_for_function("document.querySelectorAll('article .math-display[tabindex=\"0\"]').length >= 2")
    wide = page.evaluate("[...document.querySelectorAll('article .math-display')]"
                         ".map(e => [e.scrollWidth > e.clientWidth + 1, e.getAttribute('tabindex')])")
    assert all((tabindex == "0") == overflows for overflows, tabindex in wide), wide
    page.close()
