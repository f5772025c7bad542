"""Prose parity: the two languages of a page have the same structure and state the same numbers.

Code is shared by construction (snippets/); this compares what is translated: headings (with their
ids), paragraphs, list items, table rows, admonitions, figures (captioned blocks) and every number
stated in the prose. It also keeps one English spelling (US) and Chinese quotation marks.
"""
import re

import pytest

from sitebuild import DOCS
from sitebuild.blocks import page_key, pages

KEYS = sorted({page_key(p) for p in pages()})
FENCE = re.compile(r"^(\s*)(`{3,})[^\n]*\n.*?^\1\2\s*$", re.S | re.M)
INLINE = re.compile(r"`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$|\]\([^)]*\)|<[^>\n]*>|\{#[-\w]+\}", re.S)
NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:[.,]\d+)*(?:e[-−]?\d+)?")
BRITISH = re.compile(r"\b(optimis(?!t)|normalis|standardis|initialis|visualis|minimis|maximis|regularis|"
                     r"behaviour|colour|centre|favour|modell|labell|analys(?:e|ing))\w*", re.I)


def text(key, lang):
    return (DOCS / f"{key}.{lang}.md").read_text(encoding="utf-8")


def structure(markdown: str) -> list[str]:
    """The page as a sequence of element kinds, code fences reduced to one token each."""
    kinds = []
    markdown = FENCE.sub(lambda m: "\n" + m.group(1) + ("FIGURE" if "caption=" in m.group(0).split("\n")[0]
                                                        else "CODE") + "\n", markdown)
    previous_blank = True
    for line in markdown.splitlines():
        stripped = line.strip()
        if not stripped:
            previous_blank = True
            continue
        if m := re.match(r"(#{1,6}) .*?(\{#[-\w]+\})?\s*$", stripped):
            kinds.append(f"h{len(m.group(1))}{m.group(2) or ''}")
        elif m := re.match(r"(!!!|\?\?\?\+?) (\w+)", stripped):
            kinds.append(f"admonition {m.group(2)}")
        elif stripped in ("FIGURE", "CODE"):
            kinds.append(stripped)
        elif re.match(r"([-*]|\d+\.) ", stripped):
            kinds.append("item")
        elif stripped.startswith("|"):
            kinds.append("row")
        elif previous_blank:
            kinds.append("paragraph")
        previous_blank = False
    return kinds


def numbers(markdown: str) -> list[str]:
    prose = INLINE.sub(" ", FENCE.sub(" ", markdown))
    prose = re.sub(r"(?<=\d),(?=\d{3}\b)", "", prose)  # 1,797 in English is 1797
    found = (n.replace("−", "-") for n in NUMBER.findall(prose))
    # integers up to ten are often words in English prose ("two layers", "all-zero"): compare the rest
    return sorted(n for n in found if not re.fullmatch(r"-?(\d|10)", n))


@pytest.mark.parametrize("key", KEYS)
def test_both_languages_have_the_same_structure(key):
    zh, en = structure(text(key, "zh")), structure(text(key, "en"))
    assert zh == en, next((f"first difference at element {i}: zh {a!r} / en {b!r}"
                           for i, (a, b) in enumerate(zip(zh, en)) if a != b), f"{len(zh)} vs {len(en)} elements")


@pytest.mark.parametrize("key", KEYS)
def test_both_languages_state_the_same_numbers(key):
    zh, en = numbers(text(key, "zh")), numbers(text(key, "en"))
    only_zh = [n for n in set(zh) if zh.count(n) > en.count(n)]
    only_en = [n for n in set(en) if en.count(n) > zh.count(n)]
    assert not only_zh and not only_en, f"only in zh: {sorted(only_zh)}; only in en: {sorted(only_en)}"


@pytest.mark.parametrize("key", KEYS)
def test_one_english_spelling_and_chinese_quotation_marks(key):
    en = INLINE.sub(" ", FENCE.sub(" ", text(key, "en")))
    assert not BRITISH.findall(en), f"British spellings: {sorted(set(BRITISH.findall(en)))}"
    zh = INLINE.sub(" ", FENCE.sub(" ", text(key, "zh")))
    zh = re.sub(r'^\s*(!!!|\?\?\?).*$', " ", zh, flags=re.M)  # admonition titles are quoted by syntax
    quoted = [line for line in zh.splitlines() if '"' in line and re.search(r"[\u4e00-\u9fff]", line)]
    assert not quoted, f"ASCII quotation marks in Chinese prose: {quoted[:3]}"


@pytest.mark.parametrize("key", KEYS)
def test_both_languages_state_the_same_computed_values(key):
    """{eval}`...` expressions are the same, in the same order: the two pages cannot disagree."""
    from sitebuild.blocks import page_values

    zh, en = ([v.source for v in page_values(DOCS / f"{key}.{lang}.md", text(key, lang))] for lang in ("zh", "en"))
    assert zh == en, key
