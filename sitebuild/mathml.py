"""Formulas to MathML at build time (no script, no CDN), with latex2mathml's output corrected.

pymdownx.arithmatex (generic mode) leaves `\\(...\\)` / `\\[...\\]` in spans and divs; `render_math`
turns each into a `<math>` element with latex2mathml, then `polish` fixes what browsers' native
MathML (MathML Core: Chromium, Firefox, Safari) would otherwise draw badly:

- `\\hat` is `<mo>^</mo>` (U+005E, an ASCII caret that a fallback font draws big and beside the
  letter): it becomes U+02C6 (modifier letter circumflex), a real accent glyph; `\\tilde`'s `~`
  becomes U+02DC the same way. `\\bar`'s ¯ stays, made an accent too (latex2mathml draws it as a
  stretched overscript, a gap above the letter).
- `f'` is `<msup><mi>f</mi><mi>′</mi></msup>`: U+2032 is already a raised glyph, so as a superscript
  it floats a second time; it becomes `f` followed by `<mo>′</mo>` in a row (a subscript, as in
  `y'_i`, goes on that row).
- Operator names (`\\log`, `\\exp`, `\\max`, `\\min`, `\\arg`, `\\sin`, ...) get U+2061 (function
  application) after them, with a thin space (as TeX puts between an operator and its operand,
  none before a parenthesis); `\\arg` and friends lose the backslash latex2mathml leaves in them.
  `\\max_i`, `\\min_i`, `\\lim_i` ... become `<munder>` with movablelimits, so display formulas put
  the limit underneath and inline ones beside, as TeX does.
- Inside `\\text{...}` latex2mathml keeps TeX's escapes (`\\text{num\\_layers}` shows "num\\_layers"):
  `\\_ \\% \\& \\# \\$ \\{ \\}` become the characters they stand for.
- `aligned` (unknown to latex2mathml, which leaves its `&` raw) is rendered as `align*`, which it knows;
  its column alignment and spacing (attributes outside MathML Core) become inline styles.
- `<mrow>`s around a single element are dropped (the same drawing, fewer DOM elements).
- A display formula is wrapped in `<div class="math-display">`: on a phone a formula wider than the
  column scrolls inside that box (docs/assets/site.css; docs/assets/a11y.js puts a box that
  overflows in the tab order, so that a keyboard can scroll it).
- Inline math and the punctuation right after it (`$x$,` `$x$。` `$i$-th`) are wrapped in a
  `<span class="nowrap">`, so the comma cannot start the next line.
"""
from __future__ import annotations

import html as htmlmod
import logging
import re
import xml.etree.ElementTree as ET
from functools import lru_cache

log = logging.getLogger("mkdocs.plugins.sitebuild")

NS = "http://www.w3.org/1998/Math/MathML"  # written as the default namespace (never through
# ET.register_namespace: that registry is global, and another module's "" prefix would turn <math> into <ns0:math>)

HAT, TILDE = "\u02c6", "\u02dc"  # modifier letter circumflex / small tilde: spacing accent glyphs
ACCENTS = {"^": HAT, "\u0302": HAT, "~": TILDE, "\u0303": TILDE, "\u00af": "\u00af"}  # \bar: ¯ as an accent
PRIMES = {"\u2032", "\u2033", "\u2034", "'"}
APPLY = "\u2061"  # FUNCTION APPLICATION: invisible, tells the reader "log applied to p"
THIN = "0.1667em"  # TeX's \, between an operator name and an ordinary operand
OPERATOR_NAMES = {
    "arg", "cos", "cosh", "cot", "coth", "csc", "deg", "det", "dim", "exp", "gcd", "hom", "inf", "ker",
    "lg", "lim", "liminf", "limsup", "ln", "log", "max", "min", "Pr", "sec", "sin", "sinh", "sup",
    "tan", "tanh", "argmax", "argmin", "softmax",
}
LIMITS = {"lim", "liminf", "limsup", "max", "min", "sup", "inf", "argmax", "argmin", "Pr", "det", "gcd"}
ROWS = {"math", "mrow", "mstyle", "mtd", "msqrt", "menclose", "mpadded", "mphantom", "merror"}
SCRIPTS = {"msub", "msup", "msubsup", "munder", "mover", "munderover"}
TEXT_ESCAPE = re.compile(r"\\([_%&#$}{])")  # TeX's escaped characters, as latex2mathml leaves them in <mtext>
OPENING = {"(", "[", "{", "\u27e8", "|", "\u2016", "\u230a", "\u2308"}


def tag(element: ET.Element) -> str:
    return element.tag.rpartition("}")[2]


def make(name: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.Element(f"{{{NS}}}{name}", attrs)
    element.text = text
    return element


def operator_name(element: ET.Element) -> str | None:
    """The operator name an element starts with: `log` for <mi>log</mi>, for log_2, for log'."""
    name = tag(element)
    if name in ("mi", "mo"):
        text = (element.text or "").strip().lstrip("\\")
        return text if text in OPERATOR_NAMES else None
    if (name in SCRIPTS or name == "mrow") and len(element):
        return operator_name(element[0])
    return None


def starts_with_opening(element: ET.Element) -> bool:
    if tag(element) == "mo":
        return (element.text or "").strip() in OPENING
    return tag(element) in ROWS and len(element) > 0 and starts_with_opening(element[0])


def fix_tokens(root: ET.Element) -> None:
    """Accents, stray backslashes in operator names and text, spacing of operator-name <mo>s."""
    for element in root.iter():
        name = tag(element)
        if name == "mtext" and element.text and "\\" in element.text:
            element.text = TEXT_ESCAPE.sub(r"\1", element.text)
        if name in ("mover", "munderover") and len(element) >= 2 and tag(element[-1]) == "mo":
            accent = element[-1]
            text = (accent.text or "").strip()
            if text in ACCENTS:
                accent.text = ACCENTS[text]
                accent.set("stretchy", "false")
                element.set("accent", "true")
        if name in ("mi", "mo") and (element.text or "").startswith("\\"):
            if element.text[1:] in OPERATOR_NAMES:  # `\arg` comes out as <mi>\arg</mi>
                element.text = element.text[1:]
        if name == "mo" and operator_name(element):
            element.set("lspace", "0")  # spaced by the U+2061 after it, like an <mi> name
            element.set("rspace", "0")


def fix_primes(parent: ET.Element) -> None:
    """<msup>X<mi>′</mi></msup> -> <mrow>X<mo>′</mo></mrow>; <msubsup>X s ′</msubsup> -> <msub><mrow>X ′</mrow> s</msub>."""
    for index, child in enumerate(list(parent)):
        fix_primes(child)
        name = tag(child)
        if name not in ("msup", "msubsup") or (child[-1].text or "").strip() not in PRIMES or len(child[-1]):
            continue
        base, prime = child[0], child[-1]
        mark = make("mo", prime.text.strip().replace("'", "\u2032"), lspace="0", rspace="0")
        row = make("mrow")
        row.extend([base, mark])
        if name == "msup":
            replacement = row
        else:
            replacement = make("msub")
            replacement.extend([row, child[1]])
        replacement.tail = child.tail
        parent.remove(child)
        parent.insert(index, replacement)


def fix_operators(parent: ET.Element) -> None:
    """A function application sign after every operator name that has an operand after it."""
    for child in list(parent):
        fix_operators(child)
    if tag(parent) in SCRIPTS:  # movable limits: under in display style, beside when inline
        base = parent[0] if len(parent) else None
        if base is not None and tag(base) == "mo" and operator_name(base) in LIMITS and tag(parent) == "msub":
            parent.tag = f"{{{NS}}}munder"
            base.set("movablelimits", "true")
    if tag(parent) not in ROWS:
        return
    children = list(parent)
    for index in range(len(children) - 1, -1, -1):
        child = children[index]
        if index == len(children) - 1 or not operator_name(child):
            continue
        following = children[index + 1]
        if tag(following) == "mo" and (following.text or "").strip() in PRIMES | {APPLY}:
            continue
        apply = make("mo", APPLY, lspace="0", rspace="0" if starts_with_opening(following) else THIN)
        parent.insert(list(parent).index(child) + 1, apply)


def half(length: str) -> str:
    """Half a MathML length: "3pt" -> "1.5pt", "0em" -> "0"."""
    number, unit = re.fullmatch(r"([\d.]+)([a-z%]*)", length).groups()
    value = float(number) / 2
    return f"{value:g}{unit}" if value else "0"


def fix_tables(root: ET.Element) -> None:
    """`aligned` columns: MathML Core has no columnalign/columnspacing/rowspacing, so say them in CSS.

    latex2mathml's align* table puts each left-hand side in a right-aligned column and the `= ...` in a
    left-aligned one with no space between; Chromium ignores those attributes and centres every cell
    with 0.4em on each side, so the `=` signs do not line up. The same layout as inline styles:
    text-align per cell, half of each column gap on either side of it, half the row gap above and below.
    """
    for table in root.iter(f"{{{NS}}}mtable"):
        gaps = table.attrib.pop("columnspacing", "").split()
        rowgap = table.attrib.pop("rowspacing", "").split()
        for row in table:
            cells = list(row)
            for index, cell in enumerate(cells):
                style = []
                if align := cell.attrib.pop("columnalign", None):
                    style.append(f"text-align: {align}")
                if gaps:
                    before = half(gaps[min(index - 1, len(gaps) - 1)]) if index else "0"
                    after = half(gaps[min(index, len(gaps) - 1)]) if index < len(cells) - 1 else "0"
                    style.append(f"padding-left: {before}; padding-right: {after}")
                if rowgap:
                    style.append(f"padding-top: {half(rowgap[0])}; padding-bottom: {half(rowgap[0])}")
                if style:
                    cell.set("style", "; ".join(style))


def flatten_rows(parent: ET.Element) -> None:
    """Drop the <mrow>s that wrap a single element (and the one <math> wraps everything in).

    An <mrow> around one argument means that argument (MathML Core), so the rendering is the same with
    fewer elements (latex2mathml writes `<msub><mi>x</mi><mrow><mi>i</mi></mrow></msub>`; a page with a
    hundred formulas carried some two hundred of them). A lone <mo> keeps its row: the row decides the
    operator's form, hence its spacing.
    """
    for index, child in enumerate(list(parent)):
        flatten_rows(child)
        if tag(child) == "mrow" and len(child) == 1 and not child.attrib and tag(child[0]) != "mo" \
                and not (child.text or "").strip():
            only = child[0]
            only.tail = child.tail
            parent.remove(child)
            parent.insert(index, only)
    if tag(parent) == "math" and len(parent) == 1 and tag(parent[0]) == "mrow" and not parent[0].attrib:
        row = parent[0]
        parent.remove(row)
        parent.extend(list(row))


def polish(mathml: str) -> str:
    """latex2mathml's output, corrected for browsers' native MathML (see the module docstring)."""
    root = ET.fromstring(mathml)
    fix_tokens(root)
    fix_primes(root)
    fix_operators(root)
    fix_tables(root)
    flatten_rows(root)
    for element in root.iter():  # plain names under one xmlns: the same document, whatever else registered ""
        element.tag = tag(element)
    root.attrib = {"xmlns": NS, **root.attrib}
    out = ET.tostring(root, encoding="unicode", short_empty_elements=False)
    return out.replace(APPLY, "&#x2061;")


# environments latex2mathml 3.81 does not know (it leaves their `&` raw), as the ones it renders alike
ENVIRONMENTS = {"aligned": "align*"}
ENVIRONMENT = re.compile(r"\\(begin|end)\{(%s)\}" % "|".join(ENVIRONMENTS))
BARE_AMPERSAND = re.compile(r"&(?!#?\w+;)")


@lru_cache(maxsize=None)
def convert(latex: str, display: str = "inline") -> str:
    from latex2mathml.converter import convert as latex_to_mathml

    latex = ENVIRONMENT.sub(lambda m: f"\\{m.group(1)}{{{ENVIRONMENTS[m.group(2)]}}}", latex)
    mathml = BARE_AMPERSAND.sub("&amp;", latex_to_mathml(latex, display=display))
    try:
        return polish(mathml)
    except ET.ParseError as error:  # not expected; the formula still shows, uncorrected
        log.debug("cannot correct the MathML of %r: %s", latex, error)
        return mathml


MATH = re.compile(r'<(span|div) class="arithmatex">\\[(\[](.*?)\\[)\]]</\1>', re.S)
# punctuation that must stay on the line of the formula before it ($x$, / $x$。 / $i$-th)
TRAILING = re.compile(r"(?:[-\u2013]\w+|[.,;:!?)\]}'\"\u2019\u201d\u2026\uff0c\u3002\u3001\uff1b\uff1a\uff01\uff1f\uff09\u3011\u300b\u300d\u300f]+)")


def render_math(html: str, page: str) -> str:
    """pymdownx.arithmatex's generic output -> MathML, at build time: no script, no CDN."""
    out, position = [], 0
    for match in MATH.finditer(html):
        display = "block" if match.group(1) == "div" else "inline"
        latex = htmlmod.unescape(match.group(2)).strip()
        try:
            mathml = convert(latex, display=display)
        except Exception as error:
            log.warning("%s: cannot render the formula %r: %s", page, latex, error)
            mathml = match.group(0)
        out.append(html[position:match.start()])
        position = match.end()
        punctuation = TRAILING.match(html, position) if display == "inline" else None
        if display == "block":  # its own box, which scrolls when the formula is wider than the column
            out.append(f'<div class="math-display">{mathml}</div>')
        elif punctuation:
            out.append(f'<span class="nowrap">{mathml}{punctuation.group(0)}</span>')
            position = punctuation.end()
        else:
            out.append(mathml)
    out.append(html[position:])
    return "".join(out)
