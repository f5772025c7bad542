"""Formulas: latex2mathml's MathML as corrected by sitebuild/mathml.py, and as Chromium draws it."""
import re
import xml.etree.ElementTree as ET

import pytest

from sitebuild.mathml import convert, render_math
from tests.test_browser import browser, server, url_of  # noqa: F401  (Chromium and the served site; skipped where there is none)

NS = "{http://www.w3.org/1998/Math/MathML}"


def tree(latex: str, display: str = "inline") -> ET.Element:
    return ET.fromstring(convert(latex, display).replace("&#x2061;", "\u2061"))


def tags(element: ET.Element) -> list[str]:
    return [child.tag.removeprefix(NS) for child in element]


def test_hat_is_a_real_accent_over_its_letter():
    for latex in (r"\hat{y}", r"\hat y_i", r"\hat{p}_i^2"):
        accents = [e for e in tree(latex).iter(f"{NS}mover")]
        assert len(accents) == 1, latex
        mover = accents[0]
        assert mover.get("accent") == "true"
        assert mover[-1].tag == f"{NS}mo" and mover[-1].text == "\u02c6", latex  # not ASCII ^
        assert "y" in "".join(mover[0].itertext()) or "p" in "".join(mover[0].itertext())
    assert "^" not in "".join(tree(r"\hat{y} = \sigma(z)").itertext())


def test_prime_follows_its_letter_instead_of_floating_as_a_superscript():
    root = tree("f'(x) = 2(x - 2)")
    assert not list(root.iter(f"{NS}msup")), convert("f'(x)")
    row = next(e for e in root.iter(f"{NS}mrow") if tags(e) == ["mi", "mo"])
    assert row[0].text == "f" and row[1].text == "\u2032"
    assert "\u2033" in "".join(tree("f''(x)").itertext())  # double prime: one glyph
    subscripted = tree("y'_i")  # the subscript goes after the primed letter
    msub = next(subscripted.iter(f"{NS}msub"))
    assert tags(msub[0]) == ["mi", "mo"] and msub[0][1].text == "\u2032" and msub[1].text == "i"


def test_operator_names_are_applied_with_a_thin_space():
    row = tree(r"-\log p")  # <math> is itself a row
    assert tags(row) == ["mo", "mi", "mo", "mi"]
    log, apply = row[1], row[2]
    assert log.text == "log" and apply.text == "\u2061" and apply.get("rspace") == "0.1667em"
    # before a parenthesis no space (as in TeX), but still the function application sign
    paren = tree(r"\log(p)")
    assert paren[1].text == "\u2061" and paren[1].get("rspace") == "0"
    assert "&#x2061;" in convert(r"\exp x")
    for name in ("exp", "max", "min", "arg", "sin", "tanh"):
        assert "\u2061" in "".join(tree(rf"\{name} x").itertext()), name
    assert "\\arg" not in convert(r"\arg x")  # latex2mathml leaves the backslash in <mi>\arg</mi>
    assert "\u2061" not in "".join(tree(r"\log").itertext())  # nothing to apply it to


def test_limits_go_under_max_in_display_formulas():
    munder = next(tree(r"\max_i x_i", "block").iter(f"{NS}munder"))
    assert munder[0].text == "max" and munder[0].get("movablelimits") == "true"


def test_derivative_of_an_operator_name_is_not_split_by_the_application_sign():
    row = next(e for e in tree(r"\tanh'(z)").iter(f"{NS}mrow") if tags(e) == ["mi", "mo"])
    assert [c.text for c in row] == ["tanh", "\u2032"]


def test_rows_around_a_single_element_are_dropped():
    assert convert("x_{i}") == ('<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">'
                                "<msub><mi>x</mi><mi>i</mi></msub></math>")
    assert "<mrow><mo>" in convert("{-}x")  # a lone operator keeps its row (its form, its spacing)


def test_aligned_becomes_a_table_not_raw_ampersands():
    out = convert(r"\begin{aligned} a &= b \\ c &= d \end{aligned}", "block")
    ET.fromstring(out)  # well-formed
    assert "<mtable" in out and "<mi>&amp;</mi>" not in out


def arithmatex(latex: str) -> str:
    return f'<span class="arithmatex">\\({latex}\\)</span>'


def test_punctuation_after_inline_math_stays_on_its_line():
    html = f"<p>with {arithmatex('x')}, then {arithmatex('y')}。and {arithmatex('i')}-th, {arithmatex('z')} ok</p>"
    out = render_math(html, "test")
    spans = re.findall(r'<span class="nowrap">(.*?)</span>', out)
    assert len(spans) == 3
    assert spans[0].endswith("</math>,") and spans[1].endswith("</math>。") and spans[2].endswith("</math>-th")
    assert out.endswith("</math> ok</p>")  # no punctuation: no wrapper
    display = render_math('<div class="arithmatex">\\[x\\]</div>.', "test")
    assert "nowrap" not in display


# --- as Chromium draws them -----------------------------------------------------------------

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
body {{ font-size: 40px; margin: 20px; }} p {{ margin: 0 0 30px; }} #line, #wrap {{ font-size: 20px; }}
#line {{ display: inline-block; }} .nowrap {{ white-space: nowrap; }}</style></head><body>
<p id="hat">{hat}</p><p id="prime">{prime}</p><p id="log">{log}</p><p id="paren">{paren}</p>
<p id="line">{line}</p><p id="wrap">{wrap}</p></body></html>"""


@pytest.fixture(scope="module")
def rendered(browser, tmp_path_factory):
    """The hat, prime and log cases, and a comma after a formula that ends a line, in Chromium."""
    folder = tmp_path_factory.mktemp("math")
    words = "aaaa bbbb"
    html = PAGE.format(hat=convert(r"\hat{y}"), prime=convert("f'(x)"), log=convert(r"\log p"),
                       paren=convert(r"\log(p)"), line=render_math(f"{words} {arithmatex('x_1')}", "test"),
                       wrap=render_math(f"{words} {arithmatex('x_1')}, and more words", "test"))
    (folder / "math.html").write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 800, "height": 700})
    page.goto((folder / "math.html").as_uri())
    # the paragraph is exactly as wide as "aaaa bbbb x_1": the comma cannot fit after the formula
    page.evaluate("() => { document.querySelector('#wrap').style.width ="
                  " (document.querySelector('#line').getBoundingClientRect().width + 1) + 'px' }")
    page.screenshot(path=str(folder / "math.png"))  # kept in the test's tmp dir, to look at
    yield page
    page.close()


def box(page, selector: str, text: str | None = None) -> dict:
    """The bounding box of the element `selector`, or of the leaf under it whose text is `text`."""
    found = page.evaluate("""([selector, text]) => {
        const e = text === null ? document.querySelector(selector)
            : [...document.querySelectorAll(selector + ' *')].find(e => !e.children.length && e.textContent.trim() === text);
        const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height} }""",
                          [selector, text])
    assert found["width"] > 0 and found["height"] > 0, (selector, text)
    return found


def test_hat_is_a_small_accent_drawn_over_the_letter(rendered):
    hat, letter = box(rendered, "#hat", "\u02c6"), box(rendered, "#hat", "y")
    assert hat["height"] <= letter["height"] / 2  # ASCII ^ is two thirds of the letter's height
    assert hat["y"] + hat["height"] <= letter["y"] + letter["height"] / 2  # above the letter's middle
    centre = hat["x"] + hat["width"] / 2
    assert letter["x"] <= centre <= letter["x"] + letter["width"]  # over it, not beside it


def test_prime_is_drawn_beside_the_letter_not_above_it(rendered):
    letter, prime = box(rendered, "#prime", "f"), box(rendered, "#prime", "\u2032")
    assert prime["y"] >= letter["y"] - 2  # as a superscript it starts a third of an em higher
    assert prime["x"] >= letter["x"] + letter["width"] - 2


def test_log_is_spaced_from_its_operand_but_not_from_a_parenthesis(rendered):
    log, operand = box(rendered, "#log", "log"), box(rendered, "#log", "p")
    gap = operand["x"] - (log["x"] + log["width"])
    assert 0.1 * 40 <= gap <= 0.4 * 40  # a thin space (1/6 em) at 40 px, not nothing
    log, paren = box(rendered, "#paren", "log"), box(rendered, "#paren", "(")
    assert paren["x"] - (log["x"] + log["width"]) < 0.1 * 40


def test_comma_after_a_formula_stays_on_the_formula_line(rendered):
    # without the nowrap wrapper Chromium puts the comma alone at the start of the next line
    formula = box(rendered, "#wrap math")
    assert rendered.locator("#wrap .nowrap").count() == 1
    comma = rendered.evaluate("""() => { const text = document.querySelector('#wrap .nowrap').lastChild;
        const range = document.createRange(); range.setStart(text, 0); range.setEnd(text, 1);
        const r = range.getBoundingClientRect(); return {x: r.x, y: r.y, height: r.height} }""")
    assert comma["x"] >= formula["x"] + formula["width"] - 1
    assert formula["y"] <= comma["y"] + comma["height"] / 2 <= formula["y"] + formula["height"] + comma["height"] / 2


def test_tex_escapes_in_text_become_their_characters():
    assert "".join(tree(r"(\text{num\_layers}, N, H)").itertext()) == "(num_layers,N,H)"
    assert "".join(tree(r"\text{a\%b \& c\#\$}").itertext()) == "a%b\u00a0&\u00a0c#$"


def test_bar_is_an_accent_over_its_letter():
    mover = next(tree(r"\bar{W}_2").iter(f"{NS}mover"))
    assert mover.get("accent") == "true" and mover[-1].text == "\u00af" and mover[-1].get("stretchy") == "false"


def test_aligned_columns_are_aligned_in_css():
    """MathML Core has no columnalign/columnspacing: the `=` signs line up only through styles."""
    table = next(tree(r"\begin{aligned} r_t &= a \\ n_t &= b + c \end{aligned}", "block").iter(f"{NS}mtable"))
    assert "columnspacing" not in table.attrib and "rowspacing" not in table.attrib
    for row in table:
        left, right = row
        assert "text-align: right" in left.get("style") and "padding-right: 0" in left.get("style")
        assert "text-align: left" in right.get("style") and "padding-left: 0" in right.get("style")
        assert "columnalign" not in left.attrib


def test_the_mathml_namespace_survives_another_modules_default_namespace():
    ET.register_namespace("", "http://www.w3.org/2000/svg")  # as sitebuild/svg.py does
    try:
        assert convert.__wrapped__(r"x_{i} + 1").startswith('<math xmlns="http://www.w3.org/1998/Math/MathML"')
    finally:
        ET.register_namespace("", NS.strip("{}"))


def test_display_formulas_have_their_own_scrolling_box():
    out = render_math('<div class="arithmatex">\\[x = 1\\]</div>', "test")
    assert out.startswith('<div class="math-display"><math') and out.endswith("</math></div>")


# --- the built site: no TeX left in any formula, and the formulas' own font ---------------------

def formulas(site):
    from sitebuild.mathfont import MATH
    for page in sorted(site.rglob("*.html")):
        for formula in MATH.findall(page.read_text(encoding="utf-8")):
            yield page.relative_to(site), formula


def test_no_built_formula_shows_a_tex_escape(built_site):
    import html as htmlmod
    found = [(str(page), text) for page, formula in formulas(built_site.site)
             if "\\" in (text := htmlmod.unescape(re.sub(r"<[^>]*>", "", formula)))]
    assert found == [], found[:5]


def test_the_math_font_is_a_small_subset_that_covers_every_formula(built_site):
    from fontTools.ttLib import TTFont
    from sitebuild import DOCS
    from sitebuild.mathfont import OUTPUT, SOURCE, formula_text

    font_file = built_site.site / OUTPUT
    assert font_file.read_bytes()[:4] == b"wOF2"
    assert font_file.stat().st_size < 40_000, font_file.stat().st_size  # the whole font is 250 KB
    assert not list(built_site.site.rglob("NotoSansMath*")), "the whole font is published"
    assert (built_site.site / "assets" / "fonts" / "OFL.txt").is_file()  # its licence goes with it
    whole, subset = TTFont(DOCS / SOURCE).getBestCmap(), TTFont(font_file)
    assert "MATH" in subset  # the table that stretches brackets and sizes Σ
    text = formula_text(built_site.site)
    assert "\u2211" in text and "\u230a" in text and "\U0001d465" in text  # Σ, ⌊, italic x
    missing = [c for c in text if ord(c) in whole and ord(c) not in subset.getBestCmap()]
    assert missing == []
    # what the font lacks is drawn by the reader's text fonts: Chinese in \text{...}, ¯ (\bar), U+2061
    lacking = {c for c in text if ord(c) not in whole}
    assert all(c in "\u00af\u2061" or "\u4e00" <= c <= "\u9fff" for c in lacking), lacking


# --- the real pages in Chromium: drawn with the site's font, brackets stretched, Σ full size ----

@pytest.fixture(scope="module")
def site_page(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1000, "height": 800})

    def open_(key, lang="zh"):
        page.goto(url_of(server, key, lang), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => null)")
        return page
    yield open_
    page.close()


def rendered_fonts(page) -> dict[str, int]:
    """Glyph counts by font family over every token of every formula (Chromium's own record)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "article math :is(mi, mn, mo, mtext)"})
    families: dict[str, int] = {}
    for node in nodes["nodeIds"]:
        for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
            families[font["familyName"]] = families.get(font["familyName"], 0) + font["glyphCount"]
    cdp.detach()
    return families


@pytest.mark.parametrize("key", ["cnn-basics", "cross-entropy", "rnn-advanced"])
def test_formulas_are_drawn_with_the_sites_math_font(site_page, key):
    page = site_page(key)
    assert page.evaluate("document.fonts.check('16px \"Site Math\"')")
    assert page.evaluate("[...document.fonts].some(f => f.family.includes('Site Math') && f.status === 'loaded')")
    families = rendered_fonts(page)
    assert families.get("Noto Sans Math", 0) > 100, families
    others = {name: n for name, n in families.items() if name != "Noto Sans Math"}
    assert sum(others.values()) <= 0.02 * sum(families.values()), families  # only \text{...} in Chinese


def element_box(page, selector: str, index: int = 0) -> dict:
    return page.evaluate("([s, i]) => { const r = document.querySelectorAll(s)[i].getBoundingClientRect();"
                         " return {x: r.x, y: r.y, width: r.width, height: r.height} }", [selector, index])


def test_floor_brackets_stretch_around_the_fraction(site_page):
    page = site_page("cnn-basics")
    floor = "article mrow > mo[fence]"  # the output-size formula: ⌊ (H + 2p − k) / s ⌋ + 1
    index = page.evaluate(f"[...document.querySelectorAll('{floor}')].findIndex(e => e.textContent === '\u230a')")
    assert index >= 0
    bracket = element_box(page, floor, index)
    fraction = page.evaluate(f"(() => {{ const r = document.querySelectorAll('{floor}')[{index}]"
                             ".nextElementSibling.getBoundingClientRect(); return {height: r.height} })()")
    letter = element_box(page, "article math mi")
    assert bracket["height"] >= 0.9 * fraction["height"] and bracket["height"] > 1.6 * letter["height"], \
        (bracket, fraction, letter)


def test_matrix_brackets_stretch_to_the_matrix(site_page):
    page = site_page("tensors")
    sizes = page.evaluate("""() => [...document.querySelectorAll('article math mtable')].map(t => {
        const row = t.parentElement, open = row.firstElementChild;
        return {table: t.getBoundingClientRect().height, bracket: open.getBoundingClientRect().height,
                text: open.textContent} })""")
    assert sizes, "no matrix on the tensors page"
    for size in sizes:
        assert size["text"] in "([" and size["bracket"] >= 0.9 * size["table"], size


def test_display_sums_are_bigger_than_inline_ones(site_page):
    page = site_page("cross-entropy")
    heights = page.evaluate("""() => [...document.querySelectorAll('article math mo')].filter(m => m.textContent === '\u2211')
        .map(m => ({display: m.closest('math').getAttribute('display'), height: m.getBoundingClientRect().height}))""")
    display = [h["height"] for h in heights if h["display"] == "block"]
    inline = [h["height"] for h in heights if h["display"] == "inline"]
    assert display and inline
    # a display Σ (not one in a fraction) is drawn from the font's larger size, about 1.4 times the inline one
    assert max(display) >= 1.3 * max(inline), (display, inline)
