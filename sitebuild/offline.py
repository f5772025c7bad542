"""The whole course offline: a PDF book per language and a zip of the offline build.

    python -m sitebuild.offline SITE_DIR [--out DIR]

SITE_DIR is a finished `mkdocs build` (the deploy workflow's site). Writes into DIR, by default
SITE_DIR/downloads, the files the home pages link to (FILES):

- pytorch-hands-on-zh.pdf, pytorch-hands-on-en.pdf: every page of the nav in nav order, the chapters
  numbered inside their parts, after a cover and a table of contents with page numbers; code with its
  outputs, solutions expanded, figures and formulas; bookmarks from the headings. Chromium (Debian's,
  driven by Playwright) prints one book page per language, assembled from the built pages and styled
  by docs/assets/print.css, twice: the second time with the page numbers the first one found.
  Chinese needs a CJK font on the building machine (Debian's fonts-wqy-microhei); Chromium embeds
  the glyphs it uses, so the text can be searched and copied.
- pytorch-hands-on-offline.zip: `OFFLINE=true mkdocs build` (both languages, search included, read
  from disk through index.html); its links to these downloads lead to the published ones.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path
from urllib.parse import urljoin

from sitebuild import ROOT
from sitebuild.blocks import mkdocs_config

PDF = {"zh": "pytorch-hands-on-zh.pdf", "en": "pytorch-hands-on-en.pdf"}
ZIP = "pytorch-hands-on-offline.zip"
FILES = (*PDF.values(), ZIP)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
WORDS = {
    "zh": {"chapter": "第 {n} 章 ", "contents": "目录", "index": "前言", "url": "在线阅读："},
    "en": {"chapter": "Chapter {n}. ", "contents": "Contents", "index": "Preface", "url": "Read online: "},
}


def book(language: str) -> list[dict]:
    """The nav as the book's order: one entry per page, with the part (nav section) it belongs to;
    pages inside a part are the numbered chapters, top-level pages (home, sources) are not numbered."""
    config = mkdocs_config()
    i18n = next(p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p)
    translate = next(lang.get("nav_translations", {}) for lang in i18n["languages"] if lang["locale"] == language)
    entries, number = [], 0

    def page(path: str, part: str | None) -> dict:
        nonlocal number
        key = path.removesuffix(".md")
        number += part is not None
        return {"key": key, "url": "" if key == "index" else f"{key}/", "part": part,
                "number": number if part is not None else None}

    for item in config["nav"]:
        (title, value), = item.items()
        if isinstance(value, str):
            entries.append(page(value, None))
        else:
            part = translate.get(title, title) if language != "zh" else title
            entries += [page(next(iter(sub.values())), part) for sub in value]
    return entries


# Runs in the language's home page (its own scripts blocked): fetches every page of the book, keeps
# its article, numbers it, gives its ids ASCII names ("KEY-N"; a page's own is "page-KEY") and turns
# its links to other pages into links inside the book; puts cover, contents and pages in the body,
# waits for every figure and returns the headings for the bookmarks. Every bookmarked heading is made
# a link to itself: Chromium writes a named destination (hence a page number) only for link targets.
ASSEMBLE = r"""
async ({entries, words, siteUrl, title, description}) => {
  const root = new URL('.', location.href);
  const make = (tag, cls, text) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined) el.textContent = text;
    return el;
  };
  const link = (href, ...children) => {
    const a = make('a', '');
    a.href = href;
    a.append(...children);
    return a;
  };
  const rename = (el, tag) => {
    const copy = document.createElement(tag);
    for (const a of el.attributes) copy.setAttribute(a.name, a.value);
    copy.append(...el.childNodes);
    el.replaceWith(copy);
    return copy;
  };
  const pages = await Promise.all(entries.map(async entry => {
    const base = new URL(entry.url, root);
    const response = await fetch(base);
    if (!response.ok) throw new Error(`${base}: ${response.status}`);
    const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
    const article = doc.querySelector('article.md-content__inner');
    const ids = new Map();
    article.querySelectorAll('[id]').forEach((e, i) => {
      ids.set(e.id, `${entry.key}-${i}`);
      e.id = `${entry.key}-${i}`;
    });
    return {entry, base, article, ids};
  }));
  const byPath = new Map(pages.map(p => [p.base.pathname, p]));
  const book = make('article', 'md-content__inner md-typeset book');
  const cover = make('section', 'book-cover');
  cover.append(make('h1', 'book-title', title), make('p', 'book-description', description));
  const online = make('p', 'book-url', words.url);
  online.append(link(siteUrl, siteUrl));
  cover.append(online);
  const contents = make('nav', 'book-contents');
  contents.id = 'contents';
  const outline = [];
  const bookmark = (h, level, id) => {  // h, a link to itself, and its bookmark
    h.querySelectorAll('.headerlink').forEach(e => e.remove());
    h.replaceChildren(link(`#${id}`, ...h.childNodes));
    h.firstChild.className = 'book-anchor';
    outline.push({level, title: h.textContent.trim(), id});
  };
  const heading = make('h1', '', words.contents);
  contents.append(heading);
  bookmark(heading, 1, 'contents');
  const list = make('ol', '');
  contents.append(list);
  book.append(cover, contents);
  let part = null, sublist = null;
  for (const {entry, base, article, ids} of pages) {
    article.querySelectorAll('.page-actions, .headerlink, script').forEach(e => e.remove());
    article.querySelectorAll('details').forEach(d => d.open = true);
    article.querySelectorAll('img').forEach(img => {
      img.src = new URL(img.getAttribute('src'), base).href;
      img.loading = 'eager';
    });
    article.querySelectorAll('a[href]').forEach(a => {
      const url = new URL(a.getAttribute('href'), base);
      if (url.origin !== location.origin) return;
      const target = byPath.get(url.pathname);
      const id = decodeURIComponent(url.hash.slice(1));
      if (target && (!id || target.ids.has(id))) {
        a.href = id ? `#${target.ids.get(id)}` : `#page-${target.entry.key}`;
      } else {  // a notebook, a figure's file: the published site's copy
        a.href = new URL(url.pathname.slice(root.pathname.length) + url.hash, siteUrl).href;
      }
    });
    const section = make('section', 'book-page');
    section.id = `page-${entry.key}`;
    if (entry.part !== null && entry.part !== part) {
      part = entry.part;
      const h = make('h1', 'book-part', part);
      h.id = `part-${entry.key}`;
      section.append(h);
      bookmark(h, 1, h.id);
      const item = make('li', 'book-part');
      sublist = make('ol', '');
      item.append(link(`#part-${entry.key}`, part), sublist);
      list.append(item);
    }
    if (entry.part === null) part = null;
    const shift = entry.part === null ? 0 : 1;  // in a part, a page's title is one level down
    for (let level = 5; level >= 1; level--) {
      article.querySelectorAll(`h${level}`).forEach(h => rename(h, `h${level + shift}`));
    }
    const title = article.querySelector('h1, h2');
    title.classList.add('book-page-title');
    if (entry.key === 'index') title.textContent = words.index;
    if (entry.number !== null) title.prepend(make('span', 'book-number', words.chapter.replace('{n}', entry.number)));
    const name = title.textContent.trim();
    bookmark(title, 1 + shift, section.id);
    article.querySelectorAll(`h${2 + shift}`).forEach(h => bookmark(h, 2 + shift, h.id));
    const item = make('li', entry.number === null ? 'book-unnumbered' : 'book-chapter');
    const entryLink = link(`#page-${entry.key}`, make('span', 'book-entry', name), make('span', 'book-pageno', '000'));
    entryLink.dataset.key = entry.key;
    item.append(entryLink);
    (entry.part === null ? list : sublist).append(item);
    section.append(...article.childNodes);
    book.append(section);
  }
  document.title = title;
  document.body.replaceChildren(book);
  document.body.className = 'book-body';
  const missing = [];
  await Promise.all([...document.images].map(img => img.decode().catch(() => missing.push(img.src))));
  await document.fonts.ready;
  return {missing, outline};
}
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(site: Path):
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}/", httpd


def _print(page, path: Path, title: str) -> None:
    footer = ('<div style="width:100%;font-size:8px;color:#666;text-align:center;font-family:sans-serif">'
              f'{title} · <span class="pageNumber"></span></div>')
    page.pdf(path=str(path), format="A4", print_background=True, display_header_footer=True,
             header_template="<span></span>", footer_template=footer,
             margin={"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"})


def _destinations(path: Path, outline: list[dict]):
    """Each bookmark of `outline` with the page (from 0) where Chromium put its heading."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # "Object count exceeds trailer size": harmless
    reader = PdfReader(path)
    destinations = reader.named_destinations
    for item in outline:
        if "/" + item["id"] not in destinations:
            raise RuntimeError(f"{path.name}: the heading {item['title']!r} (#{item['id']}) is not in the PDF")
        yield item, reader.get_destination_page_number(destinations["/" + item["id"]])


def write_pdf(browser, url: str, language: str, path: Path) -> None:
    """Print `language`'s book from the site served at `url` to `path`. (Chromium's own tagged PDF
    with bookmarks takes twice as long and three times the bytes: the bookmarks are added with pypdf.)"""
    from pypdf import PdfWriter

    config = mkdocs_config()
    site_url = config["site_url"] + ("" if language == "zh" else f"{language}/")
    i18n = next(p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p)
    names = next(lang for lang in i18n["languages"] if lang["locale"] == language)
    title = names.get("site_name", config["site_name"])
    description = names.get("site_description", config["site_description"])
    page = browser.new_page()
    page.route("**/*.js", lambda route: route.abort())  # the theme's scripts would rebuild the page
    page.goto(url + ("" if language == "zh" else f"{language}/"))
    page.add_style_tag(url=url + "assets/print.css")
    result = page.evaluate(ASSEMBLE, {"entries": book(language), "words": WORDS[language], "siteUrl": site_url,
                                      "title": title, "description": description})
    if result["missing"]:
        raise RuntimeError(f"{language} PDF: figures that did not load: {result['missing']}")
    _print(page, path, title)  # to find where each page of the course starts, for the contents
    starts = {item["id"].removeprefix("page-"): number + 1
              for item, number in _destinations(path, result["outline"]) if item["id"].startswith("page-")}
    page.evaluate("starts => document.querySelectorAll('.book-contents a[data-key]').forEach("
                  "a => a.querySelector('.book-pageno').textContent = starts[a.dataset.key])", starts)
    _print(page, path, title)
    page.close()
    writer = PdfWriter(clone_from=path)
    parents = {}
    for item, number in _destinations(path, result["outline"]):
        parents[item["level"]] = writer.add_outline_item(title=item["title"], page_number=number,
                                                         parent=parents.get(item["level"] - 1))
    writer.add_metadata({"/Title": title, "/Subject": description})
    writer.page_mode = "/UseOutlines"  # a reader opens it with the bookmarks shown
    writer.write(path)


def build_offline_site(dest: Path) -> None:
    """`OFFLINE=true mkdocs build --strict -d dest` of this project."""
    env = {**os.environ, "OFFLINE": "true", "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(dest)], cwd=ROOT,
                            env=env, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"the offline build failed:\n{(result.stdout + result.stderr)[-3000:]}")


def write_zip(offline_site: Path, path: Path) -> None:
    """The offline build as one folder in a zip. Its links to the downloads (the PDFs, the zip itself)
    point to the published copies: the PDFs would more than double the zip."""
    folder, site_url = path.stem, mkdocs_config()["site_url"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for file in sorted(offline_site.rglob("*")):
            if not file.is_file():
                continue
            name = file.relative_to(offline_site).as_posix()
            data = file.read_bytes()
            if file.suffix == ".html" and b"downloads/" in data:
                here = urljoin(site_url, name)
                data = re.sub(r'href="((?:\.\./)*downloads/[^"]+)"',
                              lambda m: f'href="{urljoin(here, m.group(1))}"', data.decode("utf-8")).encode("utf-8")
            archive.writestr(f"{folder}/{name}", data)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sitebuild.offline", description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site (mkdocs build)")
    parser.add_argument("--out", type=Path, help="where the files go (default: SITE/downloads)")
    args = parser.parse_args(argv)
    site, out = args.site.resolve(), (args.out or args.site / "downloads").resolve()
    if not (site / "index.html").is_file():
        parser.error(f"{site} is not a built site (no index.html)")
    if shutil.which("fc-list") and not subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout:
        parser.error("no Chinese font for the Chinese PDF: install one (Debian: apt-get install fonts-wqy-microhei)")
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    url, httpd = _serve(site)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for language, name in PDF.items():
                write_pdf(browser, url, language, out / name)
            browser.close()
    finally:
        httpd.shutdown()
    with tempfile.TemporaryDirectory() as tmp:
        build_offline_site(Path(tmp) / "site")
        write_zip(Path(tmp) / "site", out / ZIP)
    for name in FILES:
        print(f"{out / name}: {(out / name).stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
