"""Every decimal number a page states in its prose is computed or backed by its own run.

A number typed into a sentence drifts the day a training loop changes (the momentum page said 0.0257
while it printed 0.0284). So each decimal number in a page's prose (paragraphs, lists, tables,
admonitions, formulas) must be either a computed value ({eval}`EXPR:SPEC`, filled in by the build) or
rounded from a number that the page's own code contains or its output printed (0.97 is backed by a
printed 0.9737; 97.4 % by 0.974). Not checked: fenced and inline code, link targets, HTML comments,
version numbers (torch 2.13), and quotations of the notes inside a Correction box (修正 / Correction),
which report what the notes said."""
import html
import re
from decimal import Decimal, InvalidOperation

import pytest

from sitebuild.blocks import page_blocks, page_key, pages, prose_lines

DECIMAL = re.compile(r"(?<![\w.])(\d+\.\d+)(?!\w|\.\d)(\s*[%％])?")
NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
COMMENT = re.compile(r"<!--.*?-->")
VERSION = re.compile(r"(?:Python|PyTorch|torch|CUDA|cuDNN|NumPy|MkDocs|Material|matplotlib|scikit-learn|Chromium|"
                     r"Node(?:\.js)?|pip|版本|version|v)\s*$", re.I)
QUOTED = re.compile(r"“[^”]*”|「[^」]*」|‘[^’]*’|\"[^\"]*\"")
CORRECTION = re.compile(r'^(\s*)(?:!!!|\?\?\?\+?) \w+ "(?:修正|Correction)[^"]*"')
OUTPUT = re.compile(r'<div class="language-text highlight exec-(?:output|stderr)"[^>]*><pre><span></span><code>(.*?)</code>',
                    re.S)


def prose_numbers(text: str):
    """(line, number as typed, is a percentage) of every decimal number in the prose of a page."""
    correction = None  # indentation of the Correction box's body, while inside one
    for number, line in prose_lines(text):
        if (m := CORRECTION.match(line)):
            correction = m.group(1) + "    "
            continue
        if correction is not None and line.strip() and not line.startswith(correction):
            correction = None
        line = COMMENT.sub(" ", LINK_TARGET.sub("]", INLINE_CODE.sub(" ", line)))
        if correction is not None:
            line = QUOTED.sub(" ", line)
        for m in DECIMAL.finditer(line):
            if VERSION.search(line[:m.start()]):
                continue
            yield number, m.group(1), bool(m.group(2))


def backing(path, site) -> list[Decimal]:
    """Every number in the page's code and in the output its build printed."""
    texts = [b.code for b in page_blocks(path)]
    key = page_key(path)
    folder = site if ".zh." in path.name else site / "en"
    page = (folder / ("" if key == "index" else key) / "index.html").read_text(encoding="utf-8")
    texts += [html.unescape(t) for t in OUTPUT.findall(page)]
    found = []
    for text in texts:
        for m in NUMBER.finditer(text):
            try:
                found.append(Decimal(m.group(0)))
            except InvalidOperation:
                pass
    return found


def backed(typed: str, percent: bool, numbers: list[Decimal]) -> bool:
    places = Decimal(1).scaleb(-len(typed.split(".")[1]))
    want = Decimal(typed)
    for y in numbers:
        for candidate in ((y, y * 100) if percent else (y,)):
            if candidate.quantize(places, rounding="ROUND_HALF_EVEN") == want or \
               candidate.quantize(places, rounding="ROUND_HALF_UP") == want:
                return True
    return False


def test_the_checker_finds_typed_numbers_and_skips_what_it_should():
    text = ("The loss ends at 0.0257 and accuracy is 97.4 %.\n"
            "Computed: {eval}`loss:.4f`, code `lr=0.1`, [link](https://x.org/1.5), torch 2.13.0, Python 3.11.\n"
            "```python\nprint(0.333)\n```\n"
            '!!! warning "修正"\n    原笔记写的是“损失降到 0.05”，其实是 0.0284。\n\nAfter the box: 1.5\n')
    found = [(n, typed, pct) for n, typed, pct in prose_numbers(text)]
    assert found == [(1, "0.0257", False), (1, "97.4", True), (7, "0.0284", False), (9, "1.5", False)]
    numbers = [Decimal("0.02571"), Decimal("0.9737"), Decimal("1.54")]
    assert backed("0.0257", False, numbers) and backed("97.4", True, numbers) and backed("1.5", False, numbers)
    assert not backed("0.0284", False, numbers)


def unbacked(path, site) -> list[str]:
    numbers = backing(path, site)
    rel = path.relative_to(path.parents[1]).as_posix()
    return [f"{rel}:{line}: {typed}{' %' if pct else ''} is neither computed ({{eval}}) nor in this page's "
            "code or printed output" for line, typed, pct in prose_numbers(path.read_text(encoding="utf-8"))
            if not backed(typed, pct, numbers)]


@pytest.mark.parametrize("path", pages(), ids=lambda p: p.name)
def test_every_decimal_number_in_the_prose_is_computed_or_backed(built_site, path):
    assert built_site.returncode == 0, built_site.log
    problems = unbacked(path, built_site.site)
    assert not problems, "\n".join(problems)


if __name__ == "__main__":  # authors: python -m tests.test_prose_numbers SITE_DIR [docs/PAGE.zh.md ...]
    import sys
    from pathlib import Path

    chosen = [Path(p).resolve() for p in sys.argv[2:]] or pages()
    found = [problem for path in chosen for problem in unbacked(path, Path(sys.argv[1]))]
    print("\n".join(found) or "every decimal number in the prose is computed or backed")
    sys.exit(1 if found else 0)
