"""Build glue for the bilingual executable PyTorch site.

- blocks.py   : finds the Python blocks of a page (pytest-codeblocks' parser + pymdownx.snippets)
- cache.py    : the content-addressed execution cache shared by both languages
- execute.py  : the `python` fence: markdown-exec's formatter with project defaults, cache, timeout
- notebooks.py: the .ipynb of every page, made from the same blocks
- hooks.py    : the MkDocs hooks that wire these into the build
- theme/      : one Material template override (the repository link without its GitHub API calls)
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
