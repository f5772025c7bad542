"""The glossary: one data file, docs/glossary.yml, and the glossary pages made from it.

A hooks module (listed under `hooks:` in mkdocs.yml). docs/glossary.zh.md and docs/glossary.en.md
hold a title, a short introduction and the marker `<!-- glossary -->`; when MkDocs reads either page,
the marker becomes one table per part of the course (the nav's sections, in nav order): the term with
the names found elsewhere under it (variants and synonyms: search finds the page under them too), the
other language's term, and a link to the chapter, at the heading that teaches it. The tables are left out of the search index
(`data-search-exclude`), so a term's search finds the page that teaches it, not the glossary.

The same file feeds the term test (tests/test_glossary.py) and the search aliases (sitebuild/search.py).
"""
from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # loaded by MkDocs as a file: find `sitebuild`

from sitebuild import DOCS  # noqa: E402
from sitebuild.blocks import mkdocs_config, page_language  # noqa: E402

SOURCE = DOCS / "glossary.yml"
KEY = "glossary"  # the pages docs/glossary.zh.md and docs/glossary.en.md
MARKER = "<!-- glossary -->"
TERM_KEYS = ("zh", "en")
LIST_KEYS = ("avoid_zh", "avoid_en", "also_zh", "also_en")
KEYS = {*TERM_KEYS, *LIST_KEYS, "page", "anchor"}
HEADERS = {  # three columns, so that the table fits a 390 px phone; other names sit under the term
    "zh": ("术语", "English", "讲解的章节"),
    "en": ("Term", "中文", "Taught in"),
}
OTHER_NAMES = {"zh": "其他叫法：", "en": "Other names: "}
CODE_LIKE = re.compile(r"^[A-Za-z_][\w]*(?:[._]\w+)+$")  # state_dict, nn.Module: shown as code


@cache
def _load(mtime: float) -> tuple[dict, ...]:
    with SOURCE.open(encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)
    if not isinstance(entries, list):
        raise ValueError(f"{SOURCE.name}: expected a list of entries")
    out = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not KEYS.issuperset(entry) or not {"zh", "en", "page"} <= set(entry):
            raise ValueError(f"{SOURCE.name}: entry {number} ({entry!r}) needs zh, en and page, "
                             f"and only the keys {sorted(KEYS)}")
        out.append({**{k: [] for k in LIST_KEYS}, "anchor": None, **entry})
    return tuple(out)


def load() -> list[dict]:
    """The glossary's entries, each with every key (lists empty, anchor None where not given)."""
    return [dict(e) for e in _load(SOURCE.stat().st_mtime)]


def _sections(language: str) -> list[tuple[str, str, list[str]]]:
    """(title in `language`, id, page keys) for each section of the nav, in order."""
    config = mkdocs_config()
    i18n = next(p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p)
    english = next(lang for lang in i18n["languages"] if lang["locale"] == "en")["nav_translations"]
    sections = []
    for entry in config["nav"]:
        for title, value in entry.items():
            if isinstance(value, list):
                keys = [v.removesuffix(".md") for item in value for v in item.values()]
                slug = re.sub(r"[^a-z0-9]+", "-", english[title].lower()).strip("-")
                sections.append((english[title] if language == "en" else title, slug, keys))
    return sections


def _title(key: str, language: str, anchor: str | None) -> str:
    """`张量 · 广播规则`: the page's title, and the heading's where the entry names one."""
    title, heading = key, None
    for line in (DOCS / f"{key}.{language}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("# ") and title == key:
            title = line[2:].strip()
        elif anchor and (m := re.match(r"#{2,6} (.*?)\s*\{#" + re.escape(anchor) + r"\}\s*$", line)):
            heading = m.group(1)
    return f"{title} · {heading}" if heading else title


def _cell(text: str) -> str:
    text = str(text).replace("|", "\\|")
    return f"`{text}`" if CODE_LIKE.match(text) else text


def render(language: str) -> str:
    """The glossary's tables, as Markdown, for the page in `language`."""
    other = "en" if language == "zh" else "zh"
    separator = "、" if language == "zh" else ", "
    entries = load()
    parts = []
    for title, slug, keys in _sections(language):
        rows = [e for key in keys for e in entries if e["page"] == key]
        if not rows:
            continue
        lines = [f"## {title} {{#{slug} data-search-exclude}}", "",
                 "| " + " | ".join(HEADERS[language]) + " |", "|---|---|---|"]
        for e in rows:
            term = _cell(e[language])
            names = separator.join(_cell(n) for n in e[f"also_{language}"] + e[f"avoid_{language}"])
            if names:
                term += f"<br>{OTHER_NAMES[language]}{names}"
            target = f"{e['page']}.md" + (f"#{e['anchor']}" if e["anchor"] else "")
            lines.append(f"| {term} | {_cell(e[other])} | [{_title(e['page'], language, e['anchor'])}]({target}) |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri.split(".", 1)[0] != KEY or MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, render(page_language(page.file.src_uri)))
