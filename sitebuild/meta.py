"""What a page says about itself, outside its content (a hooks module, listed under `hooks:` in mkdocs.yml).

- `describe`: the page's `<meta name="description">`, in its language, from its first paragraph
  (the first top-level `<p>` of the content: the introduction under the title, not the opening
  admonitions, nor a "First import ...:" lead-in to code; the next ones too while it is short;
  formulas as plain text, `θ_{t+1}`), whole sentences up to about what a search engine shows.
  `on_page_content` sets it unless the page's front matter gives one.
- `on_page_context`: every language-switcher link relative to the page. mkdocs-static-i18n gives
  the home pages root-absolute links (`/pytorch-notes/en/`), which break in a local preview under
  another path and in the offline build read from `file://`; here every link is the translated
  page's own URL, which the theme makes relative (`../en/tensors/`).
- The 404 page (`404.html`, the one GitHub Pages serves for every missing address, whatever its
  folder) speaks both languages (sitebuild/theme/404.html) and keeps the default language's header
  (each language's build writes the file: the default language's is kept); its switcher leads to the
  two home pages, and it loads nothing that is missing (no `<link rel="alternate">`, which makes Material
  fetch `<that link>/sitemap.xml`).
- `on_post_page`: the same `<link rel="alternate">` links are dropped from every page, for the same reason.
"""
from __future__ import annotations

import html as htmlmod
import re
import sys
from copy import deepcopy
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.plugins import event_priority

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # loaded by MkDocs as a file: find `sitebuild`

from sitebuild.blocks import page_language  # noqa: E402

LIMITS = {"zh": 90, "en": 160}  # characters: about what a search engine shows of a description
SENTENCE_END = re.compile(r"(?<=[。！？])|(?<=[.!?])(?=\s)")


class Paragraphs(HTMLParser):
    """Every <p> of the content as plain text, and whether it is top-level (not in an admonition, no
    class). A formula reads as in a plain-text mail: `θ_{t+1} = θ_t − η g_t`, `ŷ`."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    SILENT = {"annotation", "script", "style"}  # text that is no prose
    SCRIPTS = {"msub": "_", "munder": "_", "msup": "^", "mover": "^", "msubsup": "_^", "munderover": "_^",
               "mfrac": "/"}
    ACCENTS = {"\u02c6": "\u0302", "^": "\u0302", "\u02dc": "\u0303", "~": "\u0303", "\u00af": "\u0304",
               "\u2192": "\u20d7", "\u02d9": "\u0307"}
    SPACED = set("=<>≤≥≈≠−+×·→←∈")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.silent = 0
        self.reading: dict | None = None
        self.found: list[dict] = []
        self.scripts: list[dict] = []  # open <msub> & co.: which child is being read
        self.token = ""

    def emit(self, text):
        if self.reading is not None and not self.silent:
            self.reading["text"].append(text)

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        if tag == "p" and self.reading is None:
            self.reading = {"depth": self.depth, "top": self.depth == 0 and not dict(attrs).get("class"), "text": []}
        if self.scripts and self.scripts[-1]["depth"] == self.depth:  # a child of a script element
            script = self.scripts[-1]
            script["child"] += 1
            if script["child"] > 1:
                marks = self.SCRIPTS[script["tag"]]
                script["accent"] = script["tag"] == "mover" and script["accent"]
                if not script["accent"]:
                    self.emit(marks[min(script["child"] - 2, len(marks) - 1)] + ("" if marks == "/" else "{"))
        if tag in self.SCRIPTS:
            self.scripts.append({"tag": tag, "depth": self.depth + 1, "child": 0,
                                 "accent": dict(attrs).get("accent") == "true"})
        self.token = tag
        self.silent += tag in self.SILENT
        self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        self.depth -= 1
        self.silent -= tag in self.SILENT and self.silent > 0
        if self.scripts and self.scripts[-1]["depth"] == self.depth + 1 and tag in self.SCRIPTS:
            self.scripts.pop()
        elif self.scripts and self.scripts[-1]["depth"] == self.depth and self.scripts[-1]["child"] > 1 \
                and not self.scripts[-1]["accent"] and self.scripts[-1]["tag"] != "mfrac":
            self.emit("}")
        if tag == "p" and self.reading is not None and self.reading["depth"] == self.depth:
            text = "".join(self.reading["text"]).replace("\u2061", " ")
            text = re.sub(r"([_^]){(.)}", r"\1\2", text)  # x_{t} -> x_t
            text = re.sub(r"\s+", " ", text).strip()
            if text:
                self.found.append({**self.reading, "text": text})
            self.reading = None

    def handle_data(self, data):
        script = self.scripts[-1] if self.scripts else None
        if script and script["accent"] and script["child"] == 2 and data.strip() in self.ACCENTS:
            data = self.ACCENTS[data.strip()]  # ŷ: y and a combining circumflex
        elif self.token == "mo" and data.strip() in self.SPACED:
            data = f" {data.strip()} "
        self.emit(data)

    def first(self, enough: int) -> str:
        """The introduction: the first top-level paragraph that is not a lead-in to code ("First import
        ...:"), with the top-level ones after it while it is shorter than `enough` characters;
        failing that, the first top-level paragraph, or the first at all."""
        def lead_in(p):
            return p["text"].endswith((":", "："))
        top = [p for p in self.found if p["top"]]
        prose = [p for p in top if not lead_in(p)]
        if not prose:
            return (top or self.found or [{"text": ""}])[0]["text"]
        text = prose[0]["text"]
        for paragraph in top[top.index(prose[0]) + 1:]:
            if len(text) >= enough or lead_in(paragraph):
                break
            text += ("" if re.search(r"[\u3000-\u9fff]$", text) else " ") + paragraph["text"]
        return text


def shorten(text: str, limit: int) -> str:
    """Whole sentences up to `limit` characters; if they make less than half of it, the text cut at a
    word near `limit`, with "…"."""
    if len(text) <= limit:
        return text
    out = ""
    for sentence in (s for s in SENTENCE_END.split(text) if s):
        if len(out) + len(sentence) > limit:
            break
        out += sentence
    if len(out.strip()) >= limit // 2:
        return out.strip()
    cut = text[: limit - 1]
    if " " in cut[-20:] and not re.search(r"[\u3000-\u9fff]", cut[-10:]):
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:，；：、") + "…"


def describe(html: str, language: str = "en") -> str:
    """The page's description: its first prose paragraph as plain text, shortened (see `shorten`)."""
    parser = Paragraphs()
    parser.feed(html)
    parser.close()
    limit = LIMITS.get(language, LIMITS["en"])
    return shorten(parser.first(enough=limit // 2), limit)


def on_page_content(html, page, config, files):
    if not page.meta.get("description"):
        description = describe(html, page_language(page.file.src_uri))
        if description:  # Material writes it into content="..." as it is: escape it here
            page.meta["description"] = htmlmod.escape(description, quote=True)
    return html


def switcher(config) -> list[dict]:
    """The language switcher's entries, as the theme reads them.

    mkdocs-static-i18n sets `config.extra.alternate` per page as an attribute of the LegacyConfig,
    which Jinja's `config.extra.alternate` finds before the item of the same name.
    """
    return getattr(config.extra, "alternate", None) or config.extra.get("alternate") or []


@event_priority(-50)  # after mkdocs-static-i18n (50) has set this page's switcher links
def on_page_context(context, page, config, nav):
    """Each switcher link: the translated page's own URL (the theme's `url` filter makes it relative)."""
    alternates = getattr(page.file, "alternates", {})
    prefix = urlsplit(config.site_url or "/").path
    for alternate in switcher(config):
        translated = alternates.get(alternate.get("lang"))
        link = alternate.get("link", "")
        if translated is not None:
            alternate["link"] = translated.url or "./"
        elif link.startswith(prefix):  # no translation: that language's home page, site-relative
            alternate["link"] = link[len(prefix):] or "./"
    return context


_not_found: dict[str, str] = {}  # the 404 page as the default language's build rendered it


def on_template_context(context, template_name, config):
    """The 404 page's switcher: the two home pages (absolute: the page is served at any address)."""
    if template_name == "404.html":
        i18n = config.plugins.get("i18n")
        if i18n is not None and getattr(i18n, "extra_alternate", None):
            config.extra.alternate = deepcopy(i18n.extra_alternate)
    return context


ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')


def on_post_page(output, page, config):
    """Drop the <head> hreflang links that mkdocs-static-i18n points at the translated page.

    Material fetches `<link rel=alternate href>/sitemap.xml` for each of them, expecting language
    roots; beneath a page that is a 404 and a console error on every page. The language switcher in
    the header (same-page links) is untouched.
    """
    return ALTERNATE.sub("", output)


def on_post_template(output_content, template_name, config):
    if template_name != "404.html":
        return output_content
    output_content = ALTERNATE.sub("", output_content)
    # each language's build renders 404.html into the same file: keep the default language's
    if config.theme["language"] == "zh" or config.site_dir not in _not_found:
        _not_found[config.site_dir] = output_content
    return _not_found[config.site_dir]
