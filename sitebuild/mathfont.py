"""The formulas' own font (a hook in mkdocs.yml): Noto Sans Math, subset to what the site's formulas draw.

Browsers draw MathML with the reader's fonts. Without a font that has an OpenType MATH table (most
machines have none), Chromium draws the brackets of ⌊x/s⌋ and of a matrix at text size and a display
Σ no bigger than a letter. So the site ships one: docs/assets/fonts/NotoSansMath-Regular.woff, the
whole font (SIL Open Font License 1.1, docs/assets/fonts/OFL.txt; from npm's
@fontsource/noto-sans-math 5.3.0, Noto Sans Math 3.000, 4,060 glyphs, 250 KB). It is not published
as it is: at the end of each build `on_post_build` subsets it with fontTools to the characters inside
the built pages' `<math>` elements, plus the mathematical italic letters a browser draws a one-letter
`<mi>` with (MathML Core's `math-auto`), plus what the font's MATH table needs to draw them (the
larger sizes and the pieces a stretched bracket or a display Σ is built from; fontTools follows the
table), and writes assets/fonts/math.woff2 (about 20 KB). docs/assets/site.css gives it to `math`
elements with @font-face; a page without formulas never loads it.
"""
from __future__ import annotations

import html
import io
import logging
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.plugins.sitebuild")

SOURCE = "assets/fonts/NotoSansMath-Regular.woff"  # under docs/: the whole font, never published
OUTPUT = "assets/fonts/math.woff2"  # under the site: the subset site.css loads
MATH = re.compile(r"<math\b.*?</math>", re.S)
TAG = re.compile(r"<[^>]*>")


def italic(char: str) -> str | None:
    """The mathematical italic letter MathML Core draws for a one-letter <mi> (x -> U+1D465)."""
    if char == "h":
        return "\u210e"  # PLANCK CONSTANT: the italic h of the Letterlike Symbols block
    name = unicodedata.name(char, "")
    if not name.startswith(("LATIN", "GREEK", "PARTIAL", "NABLA")) or "WITH" in name:
        return None
    for word in ("LATIN ", "GREEK ", "LETTER ", "LUNATE "):
        name = name.replace(word, "")
    try:
        return unicodedata.lookup("MATHEMATICAL ITALIC " + name)
    except KeyError:
        return None


def formula_text(site: Path) -> str:
    """Every character inside a <math> element of the site's pages, each once."""
    chars: set[str] = set()
    for page in site.rglob("*.html"):
        for formula in MATH.findall(page.read_text(encoding="utf-8")):
            chars.update(html.unescape(TAG.sub("", formula)))
    chars |= {i for c in chars if (i := italic(c))}
    return "".join(sorted(chars))


@lru_cache(maxsize=4)  # `mkdocs serve` rebuilds: the same formulas need no new subset
def subset(source: Path, text: str) -> bytes:
    from fontTools import subset as ftsubset

    options = ftsubset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # keep every feature of the glyphs kept (e.g. ssty, the script-size forms)
    options.name_IDs = ["*"]  # the font's names and its licence notice stay in the file
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = ftsubset.load_font(str(source), options)
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    buffer = io.BytesIO()
    ftsubset.save_font(font, buffer, options)
    return buffer.getvalue()


def on_files(files, config):
    """The whole font stays out of the site (the subset replaces it); its licence goes with the subset."""
    whole = files.get_file_from_path(SOURCE)
    if whole is not None:
        files.remove(whole)
    return files


@event_priority(-200)  # after mkdocs-static-i18n (-100) has built the other language into the same site
def on_post_build(config):
    site = Path(config.site_dir)
    if not (site / "assets" / "site.css").is_file():
        return  # a language built inside the main build: its pages share the main build's assets
    source = Path(config.docs_dir) / SOURCE
    data = subset(source, formula_text(site))
    (site / OUTPUT).parent.mkdir(parents=True, exist_ok=True)
    (site / OUTPUT).write_bytes(data)
    log.debug("sitebuild: %s: %d bytes", OUTPUT, len(data))
