"""Build glue for the bilingual executable PyTorch site.

- blocks.py   : finds the Python blocks of a page (pytest-codeblocks' parser + pymdownx.snippets);
                shows `# zh:` / `# en:` comments in the page's language
- kernel.py   : one process per page, forked from a warm template: runs blocks, with limits
- cache.py    : the content-addressed cache of page results, shared by both languages
- execute.py  : runs every page that misses the cache (in parallel), then the `python` fence
                (markdown-exec's validator and base_format) renders the results
- notebooks.py: the .ipynb of every page, made from the same blocks
- mathml.py   : formulas to corrected MathML at build time
- hooks.py    : the MkDocs hooks that wire these into the build
- search.py   : hooks: one search index per language, searched by words (glossary terms kept whole)
- meta.py     : hooks: meta descriptions, relative language links, the 404 page
- glossary.py : hooks: the glossary pages, made from docs/glossary.yml (also read by the term test)
- svg.py      : every published figure's SVG sanitized to drawing elements (an allow-list), with a size limit
- mathfont.py : hooks: the site's math font, subset at build time to the glyphs its formulas use
- offline.py  : `python -m sitebuild.offline SITE`: a PDF per language and a zip of the offline build
- theme/      : Material overrides (repository link, search dialog name, 404, script order)
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
