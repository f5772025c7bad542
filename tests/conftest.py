"""Shared fixtures: the real site built once per test run, and small throw-away projects."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

from sitebuild import ROOT


def mkdocs_build(project: Path, site: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of `project` into `site`, with a manifest of the blocks it rendered."""
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_MANIFEST": str(site.parent / f"{site.name}.json"),
                **(env or {})}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)], cwd=project,
                          env=full_env, capture_output=True, text=True, timeout=1800)


@dataclass
class Build:
    site: Path
    log: str
    returncode: int

    @property
    def manifest(self) -> dict:
        return json.loads((self.site.parent / f"{self.site.name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Build:
    """The whole site, built once per test run even with several xdist workers."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # workers' temp folders share the run's folder
        shared = shared.parent
    site = shared / "site"
    with FileLock(str(shared / "site.lock")):
        done = shared / "site.done.json"
        if not done.is_file():
            result = mkdocs_build(ROOT, site)
            done.write_text(json.dumps({"log": result.stdout + result.stderr, "returncode": result.returncode}))
        data = json.loads(done.read_text())
    return Build(site, data["log"], data["returncode"])


DEMO_SNIPPET = '''"""A demo page for the pipeline's own tests."""
# --8<-- [start:first]
import torch

torch.manual_seed(0)
x = torch.arange(6).view(2, 3)
print(x)
# --8<-- [end:first]

# --8<-- [start:second]
print(x.sum(dim=0))
print(torch.randn(2))
# --8<-- [end:second]

# --8<-- [start:figure]
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([0, 1, 2], [0, 1, 4])
plt.show()
# --8<-- [end:figure]
'''


def demo_page(title: str, sections: list[str], snippet: str = "demo.py") -> str:
    """A page showing `sections` of `snippet`; a section named `figure...` gets a caption."""
    def fence(section):
        caption = ' caption="A curve" alt="A rising curve"' if section.startswith("figure") else ""
        return f'```python{caption}\n--8<-- "{snippet}:{section}"\n```'

    fences = "\n\n".join(fence(s) for s in sections)
    return f"# {title}\n\nSome prose.\n\n{fences}\n"


@dataclass
class Project:
    root: Path

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def build(self, name: str = "site", **env: str) -> Build:
        site = self.root / name
        env.setdefault("SITE_EXEC_CACHE", str(self.root / ".cache" / "exec"))
        result = mkdocs_build(self.root, site, env)
        return Build(site, result.stdout + result.stderr, result.returncode)

    def pytest(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        base = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        return subprocess.run([sys.executable, "-m", "pytest", "docs", "-n", "0", *args], cwd=self.root,
                              capture_output=True, text=True, timeout=600, env={**base, **(env or {})})


@pytest.fixture
def project(tmp_path) -> Project:
    """A copy of the pipeline (config, glue, test plugin) with one demo page in both languages."""
    root = tmp_path / "project"
    for part in ("sitebuild", "docs/assets"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / "tests").mkdir()
    for name in ("__init__.py", "page_blocks.py"):
        shutil.copy(ROOT / "tests" / name, root / "tests" / name)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"\nnav:\n(?:  .*\n)+", "\nnav:\n  - 首页: index.md\n  - 演示: demo.md\n", config)
    config = re.sub(r"(nav_translations:\n)(?:            .*\n)+", r"\1            首页: Home\n            演示: Demo\n",
                    config)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    p = Project(root)
    p.write("snippets/demo.py", DEMO_SNIPPET)
    for lang in ("zh", "en"):
        p.write(f"docs/index.{lang}.md", "# Home\n\nNo code here.\n")
        p.write(f"docs/demo.{lang}.md", demo_page("Demo", ["first", "second", "figure"]))
    return p
