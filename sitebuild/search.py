"""Search in the reader's language (a hooks module, listed under `hooks:` in mkdocs.yml).

mkdocs-static-i18n 1.3.1 builds every language into the same search plugin, then merges all entries
into one `search/search_index.json` that every page loads: results mix languages, and the index
gets one configuration (Material's Chinese one: every word stemmed at build time, while the
query's last word, completed with a `*` wildcard as the reader types, is not stemmed, so English
"broadcasting" found nothing). Here, once every language is built:

- each language gets its own index: `search/search_index.json` (Chinese, the site root) and
  `en/search/search_index.json` (English, locations relative to `en/`), plus the `.js` copies that
  Material's offline plugin reads from `file://`;
- each page's `__config.base` points at its language's root, so Material's search worker loads
  that language's index (and resolves result links against it);
- the worker is `docs/assets/javascripts/workers/search-stem.js`, which runs Material's own worker
  and first reduces each English query word to its Porter stem, used as a prefix
  ("broadcasts" -> "broadcast*", "optimizers" -> "optim*"), so inflected forms find each other
  while the index keeps whole words (Material's English pipeline: stop words removed, no stemming).

Chinese text is segmented by jieba at build time (Material's search plugin does this when jieba is
installed), and the browser splits a Chinese query along the index's own words.
"""
from __future__ import annotations

import json
import logging
import posixpath
import re
import sys
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.utils import normalize_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # loaded by MkDocs as a file: find `sitebuild`

from sitebuild.blocks import page_language  # noqa: E402

log = logging.getLogger("mkdocs.plugins.sitebuild")

DEFAULT = "zh"  # the language at the site root; every other one lives under /<lang>/
# the index configuration per language: `lang` picks lunr's languages (Chinese pages also hold
# English words), `pipeline` what runs on both the index and the query (see the module docstring)
LANGUAGES = {
    "zh": {"lang": ["en", "zh"], "pipeline": ["stopWordFilter"]},
    "en": {"lang": ["en"], "pipeline": ["stopWordFilter"]},
}
WORKER = "search-stem.js"
CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def language_root(language: str) -> str:
    return "" if language == DEFAULT else f"{language}/"


def split_entries(entries: list[dict]) -> dict[str, list[dict]]:
    """Index entries by language, each with locations relative to its language's root.

    mkdocs-static-i18n stacks the entries of every build, so a location can come twice: the first wins.
    """
    out: dict[str, list[dict]] = {language: [] for language in LANGUAGES}
    seen: set[str] = set()
    for entry in entries:
        location = entry["location"]
        if location in seen:
            continue
        seen.add(location)
        language = next((lang for lang in LANGUAGES if lang != DEFAULT and location.startswith(f"{lang}/")),
                        DEFAULT)
        out[language].append({**entry, "location": location[len(language_root(language)):]})
    return out


def write_indexes(site_dir: Path, entries: list[dict], config: dict, offline: bool) -> dict[str, Path]:
    """One search index per language (and its `var __index = ...` copy for file:// reading)."""
    written = {}
    for language, docs in split_entries(entries).items():
        folder = site_dir / language_root(language) / "search"
        folder.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"config": {**config, **LANGUAGES[language]}, "docs": docs},
                          ensure_ascii=False, separators=(",", ":"))
        (folder / "search_index.json").write_text(data, encoding="utf-8")
        if offline:
            (folder / "search_index.js").write_text(f"var __index = {data}", encoding="utf-8")
        written[language] = folder / "search_index.json"
    return written


def localize_config(html: str, page=None) -> str:
    """Point the page's `__config` at its language's root and at the stemming search worker.

    Without a page (the 404 page, whose base is already absolute), only the worker changes.
    """
    match = CONFIG.search(html)
    if not match:
        return html
    config = json.loads(match.group(2))
    if page is not None:
        base = normalize_url(language_root(page_language(page.file.src_uri)) or "./", page)
        config["base"] = base if base.endswith("/") else base + "/"
    if config.get("search") and "#" not in config["search"]:
        folder, material_worker = posixpath.split(config["search"])
        config["search"] = f"{folder}/{WORKER}#{material_worker}"
    text = json.dumps(config, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return html[:match.start(2)] + text + html[match.end(2):]


def on_post_page(output, page, config):
    if not search_plugin(config):
        return output
    return localize_config(output, page)


def on_post_template(output_content, template_name, config):
    if template_name != "404.html" or not search_plugin(config):
        return output_content
    return localize_config(output_content)


def search_plugin(config):
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    return plugin if plugin is not None and plugin.config.enabled else None


@event_priority(-150)  # after mkdocs-static-i18n (-100) has built every language and merged their entries
def on_post_build(config):
    i18n = config.plugins.get("i18n")
    if i18n is None or getattr(i18n, "building", False) or not search_plugin(config):
        return  # the nested build of another language: the outer one writes the indexes
    site = Path(config.site_dir)
    merged = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = getattr(i18n, "search_entries", None) or merged["docs"]
    offline = config.plugins.get("material/offline")
    write_indexes(site, entries, merged["config"], bool(offline and offline.config.enabled))
    i18n.search_entries = []  # `mkdocs serve` rebuilds in the same process: start the next stack afresh
