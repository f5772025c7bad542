"""Search in the reader's language, by words (a hooks module, listed under `hooks:` in mkdocs.yml).

mkdocs-static-i18n 1.3.1 builds every language into the same search plugin, then merges all entries
into one `search/search_index.json` that every page loads: results mix languages, and the index
gets one configuration. Material 9.8.1's worker, left alone, matches a Chinese query by characters,
not words: it cuts the query at the first index word it finds inside it ("过拟合" -> "过"), adds a
`*` wildcard to every piece and lets any piece match, so 过拟合 found every page with a word that
starts with 过 and 注意力 every page with 注意. Here, once every language is built:

- each language gets its own index: `search/search_index.json` (Chinese, the site root) and
  `en/search/search_index.json` (English, locations relative to `en/`), plus the `.js` copies that
  Material's offline plugin reads from `file://`; each page's `__config.base` points at its
  language's root, so Material's search worker loads that language's index;
- Chinese is segmented by jieba at build time (Material's search plugin does this when jieba is
  installed), with every Chinese name of docs/glossary.yml added to jieba's words, so 过拟合,
  学习率, 批归一化 are one word each in the index, not 过 + 拟合;
- each entry gets fields the reader does not see: `words`, the shorter dictionary words inside its
  long Chinese words (jieba's search mode: 卷积神经网络 also holds 卷积 and 神经网络, 批归一化
  holds 归一化), and on the heading the glossary names as teaching a term, `names`: the term, its
  variants and synonyms (the Chinese site takes the English ones too), also added to `words`.
  `words` counts like the text; `names` counts only for a whole query word and outweighs any
  title, so a term's query gives its teaching page first, and a variant (批量归一化, mini-batch)
  finds the page of its term;
- the Chinese index's config carries `words`: the jieba dictionary words that appear nowhere on the
  site but would otherwise be read as site words that occur together somewhere (人类, humans, would
  be 人 + 类, and 人 is a stop word: every page with 类), so that such a query finds nothing
  instead of sharing a character;
- the search worker is `docs/assets/javascripts/workers/search-query.js`, which runs Material's
  own worker and first rewrites each query: Chinese is cut into the index's words by bidirectional
  maximum matching (the same `segment` as below), every word becomes required (`+word`), Chinese
  words match whole, and English words match by their Porter stem as a prefix ("broadcasts" ->
  "+broadcast*"); it keeps Material's own cutting from splitting those words again.
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

from sitebuild import glossary  # noqa: E402
from sitebuild.blocks import page_language  # noqa: E402

log = logging.getLogger("mkdocs.plugins.sitebuild")

DEFAULT = "zh"  # the language at the site root; every other one lives under /<lang>/
# the index configuration per language: `lang` picks lunr's languages (Chinese pages also hold
# English words), `pipeline` what runs on both the index and the query (see the module docstring)
LANGUAGES = {
    "zh": {"lang": ["en", "zh"], "pipeline": ["stopWordFilter"]},
    "en": {"lang": ["en"], "pipeline": ["stopWordFilter"]},
}
WORKER = "search-query.js"
CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)
# the hidden fields (Material's own: title 1000, text 1, tags 1000000): `words` is matched like the
# text; `names` only by the whole query as one name (search-query.js), and outweighs a title
FIELDS = {"names": {"boost": 100000.0}, "words": {"boost": 1.0}}
HAN = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
ZWSP = "\u200b"  # Material's search plugin puts it around every word jieba cuts


def is_han(word: str) -> bool:
    return bool(word) and HAN.fullmatch(word) is not None


# Glossary names ------------------------------------------------------------------------------

def glossary_entries() -> list[dict]:
    try:
        return glossary.load()
    except FileNotFoundError:
        return []


def names(entry: dict, language: str) -> list[str]:
    """What a reader of `language` may type for the entry's concept: the Chinese site also takes
    the English names (learners type "learning rate" there too)."""
    english = [entry["en"], *entry["avoid_en"], *entry["also_en"]]
    if language != "zh":
        return english
    return [entry["zh"], *entry["avoid_zh"], *entry["also_zh"], *english]


def name_token(name: str, separator: re.Pattern) -> str:
    """A name as one token of the `names` field: its words joined by "·" ("1×1 卷积" -> "1×1·卷积",
    "mini-batch" -> "mini·batch"), the whole query as the worker joins it."""
    words = []
    for part in separator.split(name.lower()):
        words += [w for w in re.split(f"({HAN.pattern})", part) if w]
    return "·".join(words)


def chinese_names(entries: list[dict]) -> set[str]:
    """The glossary's names that are Chinese words (批归一化, 学习速率): one word each for jieba."""
    return {name for e in entries for name in [e["zh"], *e["avoid_zh"], *e["also_zh"]]
            if is_han(name) and len(name) > 1}


def teaching_locations(entries: list[dict], language: str, locations: set[str]) -> dict[str, list[str]]:
    """{index location: the names taught there}: the glossary's heading, else the page's top."""
    taught: dict[str, list[str]] = {}
    for entry in entries:
        # tensors/ (or tensors.html in the offline build, whose pages are files)
        page = next((url for url in (f"{entry['page']}/", f"{entry['page']}.html") if url in locations), None)
        location = f"{page}#{entry['anchor']}" if page and entry["anchor"] else page
        if location not in locations:
            location = page
        if location is None:
            log.warning(f"glossary: {entry[language]!r} is taught on {entry['page']!r}, "
                        f"which has no search entry in {language}")
            continue
        taught[location] = list(dict.fromkeys([*taught.get(location, []), *names(entry, language)]))
    return taught


# Chinese words -------------------------------------------------------------------------------

# The frequency a glossary word gets in jieba's dictionary, at least. With only jieba's own
# suggestion (just enough to keep the word whole on its own), 23 places on the site still cut a
# term apart in context (不带动|量, 小张|量, 参|数量, 训练|集中); with 2000, 19 of them keep the term
# whole (不带|动量, 训练集|中), the other 4 rightly stay apart (一轮|数据, 三个门|控制), and no
# other cut of the site's text changes (measured on all 8743 runs of Chinese, 2026-12).
WORD_FREQUENCY = 2000


def splits() -> dict[str, list[str]]:
    """A glossary word -> how jieba cut it before it became a word. Kept on jieba's cutter, which
    outlives this module when `mkdocs serve` reloads the hooks."""
    try:
        import jieba
    except ImportError:
        return {}
    return jieba.dt.__dict__.setdefault("sitebuild_splits", {})


def add_words(words: set[str]) -> None:
    """Make each word one word for jieba (Material's plugin segments with jieba's default cutter)."""
    try:
        import jieba
    except ImportError:
        return
    split = splits()
    new = sorted(w for w in words if w not in split)
    for word in new:  # every split first: an added word must not change how another one is cut
        split[word] = list(jieba.cut(word, HMM=False))
    for word in new:
        jieba.add_word(word, max(WORD_FREQUENCY, jieba.suggest_freq(word, False)))


def dictionary() -> dict[str, int]:
    """jieba's word frequencies (with the added words); empty without jieba."""
    try:
        import jieba
    except ImportError:
        return {}
    jieba.dt.check_initialized()
    return jieba.dt.FREQ


def han_words(text: str) -> list[str]:
    """The Chinese words of an index entry's title or text, as jieba cut them."""
    return [w for w in text.split(ZWSP) if is_han(w)]


def inner_words(word: str, freq: dict[str, int]) -> set[str]:
    """The dictionary words inside a longer word (jieba's search mode, any length), and the pieces
    jieba made of a glossary word before it was added: 批归一化 -> 批, 归一化."""
    pieces = splits().get(word, ())
    inner = set(pieces) if len(pieces) > 1 else set()
    for size in range(2, len(word)):
        for start in range(len(word) - size + 1):
            if freq.get(part := word[start:start + size], 0) > 0:
                inner.add(part)
    inner.discard(word)
    return inner


def segment(text: str, words: set[str], longest: int) -> list[str]:
    """Cut a run of Chinese characters into `words` by bidirectional maximum matching: the cut into
    fewer words wins, then the one with fewer single characters, then the backward one. The search
    worker (search-query.js) does exactly this to a query."""
    def cut(forward: bool) -> list[str]:
        out, start, end = [], 0, len(text)
        while start < end:
            for size in range(min(longest, end - start), 0, -1):
                word = text[start:start + size] if forward else text[end - size:end]
                if size == 1 or word in words:
                    break
            out.append(word)
            if forward:
                start += size
            else:
                end -= size
        return out if forward else out[::-1]

    ahead, back = cut(True), cut(False)
    singles = lambda seg: sum(len(w) == 1 for w in seg)  # noqa: E731
    return ahead if (len(ahead), singles(ahead)) < (len(back), singles(back)) else back


def stop_words() -> set[str]:
    """lunr's Chinese stop words (Material's copy of lunr-languages), dropped from queries too."""
    import material

    path = Path(material.__file__).parent / "templates/assets/javascripts/lunr/min/lunr.zh.min.js"
    match = re.search(r'generateStopWordFilter\("([^"]*)"', path.read_text(encoding="utf-8"))
    return set(match.group(1).split()) if match else set()


# Below this frequency jieba's dictionary mostly holds phrases (一两倍, 一个三维), not words a
# learner types: leaving them out keeps the list at 3,430 words (12 KB gzipped) instead of 8,296.
UNKNOWN_FREQUENCY = 5


def unknown_words(docs: list[set[str]], runs: list[str], freq: dict[str, int]) -> list[str]:
    """The dictionary words the site never uses that a query would otherwise find anyway.

    A word absent from the index is cut by the worker into index words; where those occur together
    in one entry, the query would find that entry (人类 -> 人 + 类, and 人 is a stop word). Each
    such word, known to the worker, stays whole and finds nothing. Words that occur in the site's
    text, cut otherwise by jieba in context, are left out: there the pieces are what the reader
    looks for.
    """
    vocabulary = set().union(*docs) if docs else set()
    postings: dict[str, set[int]] = {}
    for number, words in enumerate(docs):
        for word in words:
            postings.setdefault(word, set()).add(number)
    longest = max(map(len, vocabulary), default=1)
    text = "\n".join(runs)
    characters = set(text)
    starts: dict[str, list[int]] = {}  # where each pair of characters occurs in the text
    for at in range(len(text) - 1):
        starts.setdefault(text[at:at + 2], []).append(at)
    stop = stop_words()
    candidates = [w for w, count in freq.items() if count >= UNKNOWN_FREQUENCY and len(w) > 1]
    unknown = []
    for word in candidates:
        if word in vocabulary or not characters.issuperset(word) or not is_han(word):
            continue
        pieces = [w for w in segment(word, vocabulary, longest) if w not in stop]
        if pieces and all(w in postings for w in pieces) and set.intersection(*(postings[w] for w in pieces)) \
                and not any(text.startswith(word, at) for at in starts.get(word[:2], ())):
            unknown.append(word)
    return sorted(unknown)


def add_fields(docs: list[dict], language: str, entries: list[dict], separator: str) -> dict:
    """Fill the hidden fields of `docs` (in place); returns what the index config gains.

    `separator` is the index's: where its tokenizer splits words."""
    split = re.compile(separator)
    taught = teaching_locations(entries, language, {doc["location"] for doc in docs})
    freq = dictionary() if language == "zh" else {}
    vocabulary: list[set[str]] = []
    runs: list[str] = []
    for doc in docs:
        own = set(han_words(doc["title"])) | set(han_words(doc.get("text", "")))
        inner = set().union(*(inner_words(w, freq) for w in own if len(w) > 1)) - own if freq else set()
        taught_here = taught.get(doc["location"], [])
        if inner or taught_here:
            doc["words"] = " ".join([*sorted(inner), *taught_here])
        if taught_here:
            doc["names"] = " ".join(dict.fromkeys(name_token(name, split) for name in taught_here))
        terms = {w for name in taught_here for w in name_token(name, split).split("·") if is_han(w)}
        vocabulary.append(own | inner | terms)
        runs += HAN.findall(doc["title"].replace(ZWSP, "")) + HAN.findall(doc.get("text", "").replace(ZWSP, ""))
    extra = {"fields": FIELDS}
    if freq:
        extra["words"] = " ".join(unknown_words(vocabulary, runs, freq))
    return extra


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


def write_indexes(site_dir: Path, entries: list[dict], config: dict, offline: bool,
                  concepts: list[dict] | None = None) -> dict[str, Path]:
    """One search index per language (and its `var __index = ...` copy for file:// reading), with
    the hidden fields of `add_fields` for the glossary's `concepts` (docs/glossary.yml by default)."""
    concepts = glossary_entries() if concepts is None else concepts
    written = {}
    for language, docs in split_entries(entries).items():
        folder = site_dir / language_root(language) / "search"
        folder.mkdir(parents=True, exist_ok=True)
        extra = add_fields(docs, language, concepts, config["separator"])
        fields = {**config.get("fields", {}), **extra.pop("fields")}
        data = json.dumps({"config": {**config, **LANGUAGES[language], **extra, "fields": fields}, "docs": docs},
                          ensure_ascii=False, separators=(",", ":"))
        (folder / "search_index.json").write_text(data, encoding="utf-8")
        if offline:
            (folder / "search_index.js").write_text(f"var __index = {data}", encoding="utf-8")
        written[language] = folder / "search_index.json"
    return written


def localize_config(html: str, page=None) -> str:
    """Point the page's `__config` at its language's root and at the query-rewriting search worker.

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


def on_config(config):
    if search_plugin(config):
        add_words(chinese_names(glossary_entries()))
    return config


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
