"""The Python blocks of a page, as both the build and the tests see them.

A page shows code only through fences whose language is `python`. Their body is a
`--8<-- "page.py:section"` include of a file in snippets/, so the zh and en pages show
the same code from one source. This module finds those fences with pytest-codeblocks'
own parser (`extract_from_buffer`, which also reads `<!--pytest.mark...-->` comments)
and expands the includes with pymdownx.snippets configured exactly as in mkdocs.yml.
"""
from __future__ import annotations

import io
import re
import shlex
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import markdown
from mkdocs.utils.yaml import yaml_load
from pytest_codeblocks.main import extract_from_buffer

from sitebuild import DOCS, ROOT

LANGUAGES = ("zh", "en")
INCLUDE = re.compile(r'^-{1,}8<-{1,}[ \t]+"([^"]+)"$')
LANGUAGE_COMMENT = re.compile(r"^(\s*)# (zh|en): ?(.*)$")
# a value of the page's own run, stated in prose: {eval}`EXPR` or {eval}`EXPR:SPEC` (SPEC: a format spec)
VALUE = re.compile(r"\{eval\}`([^`\n]+)`")
FENCE_LINE = re.compile(r"^(\s*)(`{3,}|~{3,})")


def localize(code: str, language: str) -> str:
    """The code as a `language` page shows it: its `# zh:` / `# en:` comment lines become plain
    comments, the other language's are dropped. What runs is the unchanged code (they are comments)."""
    out = []
    for line in code.splitlines(keepends=True):
        m = LANGUAGE_COMMENT.match(line)
        if m is None:
            out.append(line)
        elif m.group(2) == language:
            out.append(f"{m.group(1)}# {m.group(3)}" + ("\n" if line.endswith("\n") else ""))
    return "".join(out)


class PageError(Exception):
    """Bad input in a page: the message starts with `file:line:`."""


@dataclass(frozen=True)
class Value:
    """A computed value in a page's prose, evaluated after the python block above it."""

    page: Path  # relative to the repository root
    lineno: int  # 1-based
    expr: str  # a Python expression, e.g. losses[-1]
    spec: str  # a format spec, e.g. .4f ("" = str())

    @property
    def where(self) -> str:
        return f"{self.page.as_posix()}:{self.lineno}"

    @property
    def source(self) -> str:
        return self.expr + (f":{self.spec}" if self.spec else "")


def split_value(text: str) -> tuple[str, str]:
    """`losses[-1]:.4f` -> ("losses[-1]", ".4f"): the spec follows the last colon after which the
    left part is a whole expression (so slices, dicts and lambdas keep their colons)."""
    import ast

    for i in range(len(text) - 1, -1, -1):
        if text[i] == ":" and re.fullmatch(r"[^\[\](){}'\"]*", text[i + 1:]):
            try:
                ast.parse(text[:i].strip(), mode="eval")
            except SyntaxError:
                continue
            return text[:i].strip(), text[i + 1:].strip()
    return text.strip(), ""


def prose_lines(text: str):
    """(line number, line) of every line of a Markdown text outside fenced code."""
    fence = None  # (indent, marker) of the open fence
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE_LINE.match(line)
        if fence is None:
            if m:
                fence = (m.group(2)[0], len(m.group(2)))
                continue
            yield number, line
        elif m and m.group(2)[0] == fence[0] and len(m.group(2)) >= fence[1] and not line.strip()[len(m.group(2)):].strip():
            fence = None


def page_values(rel: Path, text: str) -> list[Value]:
    """Every {eval}`...` of a page's prose, in order (fenced code is left alone)."""
    values = []
    for number, line in prose_lines(text):
        for m in VALUE.finditer(line):
            expr, spec = split_value(m.group(1))
            values.append(Value(rel, number, expr, spec))
    return values


def substitute_values(text: str, texts: list[str], render) -> str:
    """The page's Markdown with its k-th {eval}`...` replaced by `render(texts[k])`."""
    lines = text.splitlines(keepends=True)
    pending = iter(texts)
    for number, line in prose_lines(text):
        if "{eval}" in line:
            lines[number - 1] = VALUE.sub(lambda m: render(next(pending)), lines[number - 1])
    return "".join(lines)


@dataclass
class Block:
    page: Path  # relative to the repository root, e.g. docs/tensors.zh.md
    lineno: int  # line of the opening fence, 1-based
    body: str  # the fence's text as written in the page
    code: str  # what runs: the body with its includes expanded
    options: dict[str, str] = field(default_factory=dict)
    marks: list[str] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)  # the prose values evaluated after this block

    @property
    def where(self) -> str:
        return f"{self.page.as_posix()}:{self.lineno}"

    @property
    def executed(self) -> bool:
        return self.options.get("exec", "on").lower() not in {"off", "no", "false", "0"}

    @property
    def language(self) -> str:
        return page_language(self.page)

    @property
    def shown(self) -> str:
        """The code as this block's page shows it (comments in the page's language)."""
        return localize(self.code, self.language)

    def source_line(self, line: int | None) -> str:
        """`snippets/x.py:57` for line `line` of the block, when the block is one snippet section."""
        if line is None or len(self.includes) != 1:
            return ""
        name, _, section = self.includes[0].partition(":")
        path = ROOT / "snippets" / name
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return ""
        if not section:
            return f"snippets/{name}:{line}"
        start = next((i for i, text in enumerate(lines, 1) if text.strip() == f"# --8<-- [start:{section}]"), None)
        return f"snippets/{name}:{start + line}" if start else ""

    def located(self, line: int | None) -> str:
        """`docs/x.zh.md:12 (line 3 of the block, snippets/x.py:57)`: where a failure happened."""
        if line is None:
            return self.where
        source = self.source_line(line)
        return f"{self.where} (line {line} of the block" + (f", {source})" if source else ")")

    @property
    def includes(self) -> list[str]:
        return [m.group(1) for line in self.body.splitlines() if (m := INCLUDE.match(line.strip()))]


OPTIONS = {"exec", "caption", "alt"}  # what a python fence may say; anything else is a typo
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
SECTION = re.compile(r"^\s*# -{1,}8<-{1,} \[(start|end):([^\]]*)\]\s*$")


def read_page(path: Path, rel: Path) -> str:
    """A page's or a snippet's text; PageError naming the file and line when it is not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise PageError(f"{rel.as_posix()}:{line}: not UTF-8 text ({error.reason} at byte {error.start}): "
                        "save the file as UTF-8") from None


def check_fences(text: str, rel: Path) -> None:
    """PageError at the opening line of a fence that is never closed (it would swallow the rest)."""
    opened = None  # (line, fence)
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if m is None:
            continue
        fence, info = m.groups()
        if opened is None:
            if not (fence[0] == "`" and "`" in info):
                opened = (number, fence)
        elif fence[0] == opened[1][0] and len(fence) >= len(opened[1]) and not info.strip():
            opened = None
    if opened is not None:
        raise PageError(f"{rel.as_posix()}:{opened[0]}: this {opened[1]} fence is never closed")


def check_sections(name: str, where: str) -> None:
    """PageError naming the snippet line of a section that is never closed, closed twice, or that
    contains another section's marker (it would swallow the next section, whose code would run twice)."""
    path = ROOT / "snippets" / name
    if not path.is_file():
        return  # pymdownx.snippets names a missing file
    text = read_page(path, path.relative_to(ROOT))
    opened: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        m = SECTION.match(line)
        if m is None:
            continue
        kind, section = m.groups()
        here = f"snippets/{name}:{number}"
        if kind == "start":
            if opened:
                other, at = next(iter(opened.items()))
                raise PageError(f"{where}: {here}: section '{section}' starts inside section '{other}' "
                                f"(opened at line {at}, not closed before it)")
            opened[section] = number
        elif section not in opened:
            raise PageError(f"{where}: {here}: section '{section}' is closed here but was not open")
        else:
            del opened[section]
    for section, at in opened.items():
        raise PageError(f"{where}: snippets/{name}:{at}: section '{section}' is opened here and never closed "
                        "(add `# --8<-- [end:" + section + "]`)")


def parse_info(info: str, where: str = "") -> tuple[str, dict[str, str]]:
    """`python html="1"` -> ("python", {"html": "1"}), as SuperFences reads a fence header."""
    try:
        words = shlex.split(info)
    except ValueError as error:  # an unclosed quote
        raise PageError(f"{where}: cannot read the fence's options {info!r}: {error}") from None
    if not words:
        return "", {}
    options = {}
    for word in words[1:]:
        key, _, value = word.partition("=")
        options[key] = value
    return words[0], options


@cache
def mkdocs_config() -> dict:
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as handle:
        return yaml_load(handle)


@cache
def _snippet_expander():
    """pymdownx.snippets with the options mkdocs.yml gives it (one source for both)."""
    for ext in mkdocs_config()["markdown_extensions"]:
        if isinstance(ext, dict) and "pymdownx.snippets" in ext:
            options = dict(ext["pymdownx.snippets"])
            break
    else:
        raise RuntimeError("mkdocs.yml does not configure pymdownx.snippets")
    options["base_path"] = [str(ROOT / p) for p in options.get("base_path", ["."])]
    md = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": options})
    return md.preprocessors["snippet"]


def expand(body: str, where: str) -> str:
    try:
        lines = _snippet_expander().run(body.splitlines())
    except Exception as error:  # SnippetMissingError and friends
        raise PageError(f"{where}: cannot include snippet: {error}") from error
    return "\n".join(lines).strip("\n") + "\n"


def page_blocks(path: Path) -> list[Block]:
    """Every `python` fence of a Markdown page, in order, with its code expanded."""
    path = Path(path).resolve()
    rel = path.relative_to(ROOT)
    text = read_page(path, rel)
    check_fences(text, rel)
    try:
        found = extract_from_buffer(io.StringIO(text))
    except RuntimeError as error:
        raise PageError(f"{rel.as_posix()}: {error}") from error
    blocks = []
    for raw in found:
        where = f"{rel.as_posix()}:{raw.lineno}"
        language, options = parse_info(raw.syntax or "", where)
        if language != "python":
            continue
        unknown = sorted(set(options) - OPTIONS)
        if unknown:
            raise PageError(f"{where}: unknown option {', '.join(map(repr, unknown))} on a python fence "
                            f"(it may say {', '.join(sorted(OPTIONS))})")
        for line in raw.code.splitlines():
            if m := INCLUDE.match(line.strip()):
                check_sections(m.group(1).partition(":")[0], where)
        blocks.append(Block(rel, raw.lineno, raw.code, expand(raw.code, where), options, list(raw.marks)))
    executed = [b for b in blocks if b.executed]
    for value in page_values(rel, text):
        above = [b for b in executed if b.lineno < value.lineno]
        if not above:
            raise PageError(f"{value.where}: {{eval}}`{value.source}` has no executed python block above it "
                            "(a value is computed after the block above it)")
        above[-1].values.append(value)
    return blocks


def pages(language: str | None = None) -> list[Path]:
    """All Markdown pages under docs/, optionally of one language, sorted."""
    suffixes = LANGUAGES if language is None else (language,)
    return sorted(p for p in DOCS.rglob("*.md") if p.suffixes[-2:-1] and p.suffixes[-2][1:] in suffixes)


def page_language(path) -> str:
    """docs/tensors.zh.md (or a page's src_uri, tensors.en.md) -> its language; zh, the default, otherwise"""
    suffixes = Path(path).suffixes
    return suffixes[-2][1:] if len(suffixes) > 1 and suffixes[-2][1:] in LANGUAGES else LANGUAGES[0]


def page_key(path: Path) -> str:
    """docs/chapter/tensors.zh.md -> chapter/tensors: the page whichever its language."""
    rel = Path(path).resolve().relative_to(DOCS).as_posix()
    return rel.rsplit(".", 2)[0]
