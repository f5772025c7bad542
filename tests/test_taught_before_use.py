"""No page uses a tensor operation before the page that teaches it (issue 18, point 6).

The home page promises one learning path: each chapter uses only what earlier chapters taught. This
test reads the code of every page in nav order (the Python AST of each block, as the build runs it)
and lists the operations each one calls: attribute calls such as `x.unsqueeze(...)` or
`torch.stack(...)`, indexing with a boolean mask (`x[x > 0]`, or `x[mask]` where `mask = ... > ...`),
in-place methods (a name ending in one underscore: `add_`, `zero_`, `nn.init.normal_`) and the
functional forms of `torch.nn.functional` (`F.relu(...)`). For a curated list of operations, TAUGHT
names the page that teaches each one; a page earlier in nav order that calls one of them fails,
naming the page, the block's line and the line inside the block.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sitebuild import DOCS
from sitebuild.blocks import Block, mkdocs_config, page_blocks

MASK = "boolean mask x[mask]"
IN_PLACE = "in-place method x.op_()"
FUNCTIONAL = "torch.nn.functional F.op()"

# operation -> the page that teaches it (and prints its result)
TAUGHT = {
    **dict.fromkeys([
        "from_numpy", "numpy", "zeros_like", "ones_like", "to", "float", "dot", "outer",
        "vector_norm", "matrix_norm", "view", "reshape", "contiguous", "is_contiguous",
        "unsqueeze", "squeeze", "permute", "transpose", "sum", "mean", "std", "max",
        "argmax", "cat", "stack", "item", MASK, IN_PLACE,
    ], "tensors"),
    **dict.fromkeys(["backward", "detach", "no_grad"], "autograd"),
    **dict.fromkeys(["retain_grad", "requires_grad_"], "backprop"),
    FUNCTIONAL: "modules",
}
# Uses before the teaching page that the page itself points forward to, and why.
POINTS_FORWARD = {
    ("tensors", "backward"),  # why autograd dislikes in-place changes, "see the next chapter"
}
IN_PLACE_NAME = re.compile(r"^[a-z][a-z0-9_]*[a-z0-9]_$")


def nav_order() -> list[str]:
    def walk(nav):
        for entry in nav:
            for value in entry.values():
                if isinstance(value, list):
                    yield from walk(value)
                else:
                    yield value.removesuffix(".md")
    return list(walk(mkdocs_config()["nav"]))


def _functional_names(tree: ast.AST) -> set[str]:
    """Names bound to torch.nn.functional in this code (`import torch.nn.functional as F`)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.asname for a in node.names if a.name == "torch.nn.functional" and a.asname}
        elif isinstance(node, ast.ImportFrom) and node.module == "torch.nn":
            names |= {a.asname or a.name for a in node.names if a.name == "functional"}
    return names


def operations(code: str, masks: set[str], functional: set[str]) -> list[tuple[str, int]]:
    """(operation, line in the block) for every operation of interest that `code` uses.

    `masks` collects, across a page's blocks, the names assigned a comparison (`mask = x < 0`);
    `functional`, the names bound to torch.nn.functional. Both grow as the page goes on."""
    tree = ast.parse(code)
    functional |= _functional_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Compare):
            masks |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id in functional:
                found.append((FUNCTIONAL, node.lineno))
            if name in TAUGHT:
                found.append((name, node.lineno))
            elif IN_PLACE_NAME.match(name):
                found.append((IN_PLACE, node.lineno))
        elif isinstance(node, ast.Subscript):
            index = node.slice
            if isinstance(index, ast.Compare) or (isinstance(index, ast.Name) and index.id in masks):
                found.append((MASK, node.lineno))
    return found


def first_uses(pages: list[tuple[str, list[Block]]]) -> dict[str, tuple[int, str, str]]:
    """operation -> (position in nav, page, where) of its first use, for the pages in order."""
    first: dict[str, tuple[int, str, str]] = {}
    for position, (key, blocks) in enumerate(pages):
        masks: set[str] = set()
        functional: set[str] = set()
        for block in blocks:
            for op, line in sorted(operations(block.code, masks, functional), key=lambda t: t[1]):
                first.setdefault(op, (position, key, block.located(line)))
    return first


def early_uses(pages: list[tuple[str, list[Block]]]) -> list[str]:
    """Every use of an operation on a page before the one that teaches it, as `where: message`."""
    order = [key for key, _ in pages]
    problems = []
    for position, (key, blocks) in enumerate(pages):
        masks: set[str] = set()
        functional: set[str] = set()
        for block in blocks:
            for op, line in operations(block.code, masks, functional):
                teacher = TAUGHT.get(op)
                if (teacher is not None and teacher in order and position < order.index(teacher)
                        and (key, op) not in POINTS_FORWARD):
                    problems.append(f"{block.located(line)}: uses {op}, which {teacher} teaches later")
    return problems


@pytest.fixture(scope="module")
def site_pages() -> list[tuple[str, list[Block]]]:
    return [(key, page_blocks(DOCS / f"{key}.zh.md")) for key in nav_order() if (DOCS / f"{key}.zh.md").exists()]


def test_no_page_uses_an_operation_before_the_page_that_teaches_it(site_pages):
    problems = early_uses(site_pages)
    assert not problems, "\n".join(problems)


def test_each_teaching_page_uses_what_it_is_said_to_teach(site_pages):
    """A stale entry in TAUGHT (the page stopped showing the operation) fails here."""
    used = {key: set() for key, _ in site_pages}
    for key, blocks in site_pages:
        masks: set[str] = set()
        functional: set[str] = set()
        for block in blocks:
            used[key] |= {op for op, _ in operations(block.code, masks, functional)}
    missing = [f"{teacher} does not use {op}" for op, teacher in TAUGHT.items() if op not in used.get(teacher, ())]
    assert not missing, "; ".join(missing)


def test_the_check_names_page_and_line_of_an_early_use():
    """The check itself, on made-up pages: an unsqueeze, a mask, an in-place call and F before their pages."""
    def block(page, code):
        return Block(Path(f"docs/{page}.zh.md"), 10, "", code)

    pages = [
        ("home", [block("home", "import torch.nn.functional as F\nx = torch.ones(3)\n"
                                "mask = x > 0\ny = x.unsqueeze(0)\nx[mask]\nx.add_(1)\nF.relu(x)\n")]),
        ("tensors", [block("tensors", "x.unsqueeze(0)\nx[mask]\nx.add_(1)\n")]),
        ("modules", [block("modules", "F.relu(x)\n")]),
    ]
    problems = early_uses(pages)
    assert "docs/home.zh.md:10 (line 4 of the block): uses unsqueeze, which tensors teaches later" in problems
    assert any(p.startswith("docs/home.zh.md:10 (line 5 of the block): uses boolean mask") for p in problems)
    assert any(p.startswith("docs/home.zh.md:10 (line 6 of the block): uses in-place") for p in problems)
    assert any(p.startswith("docs/home.zh.md:10 (line 7 of the block): uses torch.nn.functional") for p in problems)
    assert len(problems) == 4
    assert first_uses(pages)["unsqueeze"][1] == "home"
