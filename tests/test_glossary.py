"""The glossary (docs/glossary.yml) is well formed, its pages show every entry, and prose uses its terms.

The term test reads every page's prose (fenced code, inline code, formulas, link targets, HTML and
comments left out; a figure's caption and text alternative kept) and fails naming `docs/PAGE.zh.md:LINE`
where Chinese prose writes a variant (`avoid_zh`) instead of the term, and likewise for English
(`avoid_en`); the `# zh:` comments of snippets/ likewise, naming `snippets/FILE.py:LINE`. A variant is not an error inside a longer term or synonym of the glossary (独热 inside
独热编码), nor as a gloss in parentheses right after its term (小批量（mini-batch）).
"""
from __future__ import annotations

import re

import pytest

from sitebuild import DOCS, SNIPPETS, glossary
from sitebuild.blocks import mkdocs_config, page_key, pages

ENTRIES = glossary.load()
LANGS = ("zh", "en")
HEADING_ID = re.compile(r"^#{1,6} .*\{#([-\w]+)\}\s*$", re.M)
NOT_TAUGHT = {"index", "sources", glossary.KEY}  # pages that teach no concept
FENCE_LINE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
FENCE_PROSE = re.compile(r'\b(?:caption|alt)="([^"]*)"')  # what a reader reads of a fence's header
NOT_PROSE = [re.compile(p, re.S | re.M) for p in (
    r"<!--.*?-->",  # HTML comments (pytest marks, the glossary marker)
    r"(`+)(?!`).*?(?<!`)\1(?!`)",  # inline code, {eval} values included
    r"\$\$.*?\$\$",  # display formulas
    r"(?<![\\$])\$[^$\n]+\$",  # inline formulas
    r"\]\([^)\n]*\)",  # link targets (the link text is prose)
    r"^\s*\[[^\]\n]+\]:.*$",  # reference-style link definitions
    r"<[^>\n]+>",  # HTML tags
    r"\{[#.:][^}\n]*\}",  # heading ids and attribute lists
)]
CJK = re.compile(r"[\u3400-\u9fff]")
OPEN = "（("
CLOSE = "）)"
# 步长 is a step size; a stride (of a convolution, a pooling window, a sliding window, a tensor's
# memory layout) is 步幅. 步长 is a term of its own, so it is checked by the company it keeps.
STRIDE_CONTEXT = re.compile(r"stride|卷积|池化|滑动(?!平均)|窗口|内存")


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def prose(markdown: str) -> str:
    """`markdown` with everything but prose blanked out: same length, same lines."""
    out, fence = [], None
    for line in markdown.splitlines(keepends=True):
        m = FENCE_LINE.match(line)
        if fence is None and m:
            fence = (m.group(2)[0], len(m.group(2)))
            kept = list(_blank(line))
            for option in FENCE_PROSE.finditer(line):
                kept[option.start(1):option.end(1)] = option.group(1)
            out.append("".join(kept))
        elif fence is not None:
            if m and m.group(2)[0] == fence[0] and len(m.group(2)) >= fence[1] and not m.group(3).strip():
                fence = None
            out.append(_blank(line))
        else:
            out.append(line)
    text = "".join(out)
    for pattern in NOT_PROSE:
        text = pattern.sub(lambda m: _blank(m.group(0)), text)
    return text


def _variant_pattern(variant: str) -> re.Pattern:
    if CJK.search(variant):
        return re.compile(re.escape(variant))
    # a word: not part of a longer word or identifier; a plural counts ("epochs")
    return re.compile(r"(?<![\w-])" + re.escape(variant) + r"(?:e?s)?(?![\w-])", re.I)


def _covering(language: str) -> list[str]:
    """Every term and synonym of the glossary in `language`: a variant inside one of them is no variant."""
    return [name for e in ENTRIES for name in [e[language], *e[f"also_{language}"]]]


def _is_gloss(line: str, start: int, names: list[str]) -> bool:
    """Whether line[start:] sits in parentheses that follow one of `names`: 小批量（mini-batch）."""
    depth, i = 0, start - 1
    while i >= 0:
        if line[i] in CLOSE:
            depth += 1
        elif line[i] in OPEN:
            if depth == 0:
                before = line[:i].rstrip(" *_“”‘’\"'")
                return any(before.endswith(name) for name in names)
            depth -= 1
        i -= 1
    return False


def variants_used(text: str, language: str) -> list[tuple[int, str, str]]:
    """(line, variant, term) for every variant of the glossary that `language` prose in `text` uses."""
    covering = _covering(language)
    found = []
    for number, line in enumerate(prose(text).splitlines(), 1):
        taken: list[tuple[int, int]] = []
        variants = [(v, e) for e in ENTRIES for v in e[f"avoid_{language}"]]
        for variant, entry in sorted(variants, key=lambda ve: -len(ve[0])):
            for m in _variant_pattern(variant).finditer(line):
                s, t = m.span()
                if any(a < t and s < b for a, b in taken):
                    continue
                longer = [name for name in covering if len(name) > len(variant) and variant in name]
                if any(k <= s and t <= k + len(name) for name in longer for k in _finds(line, name)):
                    continue
                if _is_gloss(line, s, [entry[language], *entry[f"also_{language}"]]):
                    continue
                taken.append((s, t))
                found.append((number, m.group(0), entry[language]))
    return found


def _finds(line: str, name: str):
    start = line.find(name)
    while start != -1:
        yield start
        start = line.find(name, start + 1)


def stride_as_step(text: str) -> list[tuple[int, str]]:
    """(line, sentence) where 步长 stands for a stride: a sentence that also speaks of strides."""
    found = []
    for number, line in enumerate(prose(text).splitlines(), 1):
        for sentence in re.split(r"[。；！？]", line):
            if "步长" in sentence.replace("有效步长", "") and STRIDE_CONTEXT.search(sentence):
                found.append((number, sentence.strip()))
    return found


def _report(path, problems) -> str:
    rel = path.relative_to(DOCS.parent).as_posix()  # docs/x.zh.md, snippets/x.py
    return "\n".join(f"{rel}:{line}: {what}" for line, what in problems)


# --- the data file ---------------------------------------------------------------------------------

def test_every_entry_has_the_keys_and_types():
    assert len(ENTRIES) >= 60, "the glossary lists every concept the course teaches"
    for e in ENTRIES:
        assert glossary.KEYS.issuperset(e), f"unknown keys in {e['zh']}: {set(e) - glossary.KEYS}"
        for key in glossary.TERM_KEYS + ("page",):
            assert isinstance(e[key], str) and e[key].strip() == e[key] and e[key], (e, key)
        assert e["anchor"] is None or re.fullmatch(r"[-\w]+", e["anchor"]), e
        for key in glossary.LIST_KEYS:
            assert isinstance(e[key], list) and all(isinstance(v, str) and v.strip() == v and v for v in e[key]), (e, key)
            assert len(set(e[key])) == len(e[key]), f"{e['zh']}: {key} repeats a name"


def test_every_entry_points_at_a_heading_that_exists_in_both_languages():
    taught = {page_key(p) for p in pages()} - NOT_TAUGHT
    for e in ENTRIES:
        assert e["page"] in taught, f"{e['zh']} / {e['en']}: no course page {e['page']!r}"
        if e["anchor"]:
            for lang in LANGS:
                ids = HEADING_ID.findall((DOCS / f"{e['page']}.{lang}.md").read_text(encoding="utf-8"))
                assert e["anchor"] in ids, f"{e['zh']}: no heading {{#{e['anchor']}}} in docs/{e['page']}.{lang}.md"


@pytest.mark.parametrize("lang", LANGS)
def test_one_term_per_concept_and_every_name_belongs_to_one_concept(lang):
    terms = [e[lang] for e in ENTRIES]
    assert len(set(terms)) == len(terms), f"terms used twice: {sorted({t for t in terms if terms.count(t) > 1})}"
    owner = {}
    for e in ENTRIES:
        for name in e[f"avoid_{lang}"] + e[f"also_{lang}"]:
            assert name != e[lang], f"{e[lang]}: its own term is listed as another name"
            assert name not in terms, f"{name!r} (a name of {e[lang]}) is the term of another entry"
            assert owner.setdefault(name, e[lang]) == e[lang], f"{name!r} names both {owner[name]} and {e[lang]}"
        overlap = set(e[f"avoid_{lang}"]) & set(e[f"also_{lang}"])
        assert not overlap, f"{e[lang]}: {overlap} both to avoid and a synonym"


def test_the_glossary_pages_list_every_entry_in_nav_order():
    config = mkdocs_config()
    order = []

    def walk(nav):
        for item in nav:
            for value in item.values():
                walk(value) if isinstance(value, list) else order.append(value.removesuffix(".md"))

    walk(config["nav"])
    assert glossary.KEY in order
    taught = [e["page"] for e in ENTRIES]
    assert taught == sorted(taught, key=order.index), "docs/glossary.yml lists the entries in the nav's order"
    for lang in LANGS:
        assert glossary.MARKER in (DOCS / f"{glossary.KEY}.{lang}.md").read_text(encoding="utf-8")
        table = glossary.render(lang)
        rows = [line for line in table.splitlines() if line.startswith("| ") and "](" in line]
        assert len(rows) == len(ENTRIES), lang
        for e, row in zip(ENTRIES, rows):
            target = f"({e['page']}.md" + (f"#{e['anchor']})" if e["anchor"] else ")")
            assert e["zh"] in row and e["en"] in row and target in row, row


# --- the term test ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", sorted({page_key(p) for p in pages()}))
def test_prose_uses_the_glossary_terms(key, lang):
    path = DOCS / f"{key}.{lang}.md"
    used = variants_used(path.read_text(encoding="utf-8"), lang)
    assert not used, "variants instead of the glossary's terms (docs/glossary.yml):\n" + _report(
        path, [(line, f"{variant!r} -> {term!r}") for line, variant, term in used])


ZH_COMMENT = re.compile(r"^\s*# zh: ?(.*)$")


@pytest.mark.parametrize("snippet", sorted(p.relative_to(SNIPPETS).as_posix() for p in SNIPPETS.rglob("*.py")))
def test_chinese_code_comments_use_the_glossary_terms(snippet):
    """The `# zh:` comments the Chinese pages show are Chinese prose too."""
    path = SNIPPETS / snippet
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if m := ZH_COMMENT.match(line):
            problems += [(number, f"{variant!r} -> {term!r}") for _, variant, term in variants_used(m.group(1), "zh")]
            problems += [(number, "步长 where a stride is meant (write 步幅)") for _ in stride_as_step(m.group(1))]
    assert not problems, "variants in Chinese comments (docs/glossary.yml):\n" + _report(path, problems)


@pytest.mark.parametrize("key", sorted({page_key(p) for p in pages("zh")}))
def test_a_stride_is_bufu_and_buchang_only_a_step_size(key):
    path = DOCS / f"{key}.zh.md"
    found = stride_as_step(path.read_text(encoding="utf-8"))
    assert not found, "步长 where a stride is meant (write 步幅):\n" + _report(path, found)


# --- the prose reader itself -----------------------------------------------------------------------

def test_the_term_test_reads_only_prose_and_respects_longer_terms():
    def used(text, lang="zh"):
        return [(line, variant) for line, variant, _ in variants_used(text, lang)]

    assert used("训练 3 个 epoch。\n每个 Epoch 打印一次，共 10 epochs。") == [(1, "epoch"), (2, "Epoch"), (2, "epochs")]
    assert used("循环变量 `epoch` 从 0 开始；{eval}`epoch + 1` 轮。") == []
    assert used("见[这里](data.md#epoch)，<!-- epoch --> $n_{epoch}$ 与 $$\\text{epoch}$$。") == []
    assert used("```python\nfor epoch in range(3):\n```\n!!! note\n    ```python\n    epoch = 1\n    ```\n") == []
    assert used('```python caption="每个 epoch 的损失" alt="横轴是 epoch"\n--8<-- "x.py:y"\n```') == [(1, "epoch"), (1, "epoch")]
    assert used("## 小批量 {#mini-batch}\n**小批量**（mini-batch）是折中。") == []
    assert used("这叫 mini-batch（小批量）。") == [(1, "mini-batch")]
    assert used("用独热编码，也就是独热向量；不要只写独热。") == [(1, "独热")]
    assert used("有效步长是 10 倍，等效步长也是。") == [(1, "等效步长")]
    assert used("权值共享") == [(1, "权值共享")]  # one report per place, the longest variant
    assert used("我们的 minibatch 和 epoch-wise 调度", "en") == [(1, "minibatch")]
    assert stride_as_step("学习率（这里叫步长）取 0.25。卷积的步幅是 2。") == []
    assert stride_as_step("窗口以步长 1 滑动。") == [(1, "窗口以步长 1 滑动")]
