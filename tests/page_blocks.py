"""pytest plugin: every python block of every page in docs/ is a test item.

pytest-codeblocks alone collects only fences whose info string is exactly `python`, runs each
block on its own, and knows nothing of `--8<--` includes. This plugin reuses its parser and its
`<!--pytest.mark...-->` comments (through sitebuild.blocks, the same list of blocks the build
runs) and adds what the site needs: the includes expanded, and a page's blocks run in order in
one namespace, like the build's markdown-exec session. Items are named `docs/PAGE.md::line N`;
a failure names the page and the line of the block.
"""
from __future__ import annotations

import os
import sys
import traceback

import pytest
from pytest_codeblocks.main import stdout_io

from sitebuild import DOCS, SNIPPETS
from sitebuild.blocks import Block, PageError, page_blocks

os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".md" and DOCS in file_path.parents:
        return PageFile.from_parent(parent, path=file_path)


class PageFile(pytest.File):
    def collect(self):
        try:
            blocks = page_blocks(self.path)
        except PageError as error:
            raise self.CollectError(str(error)) from error
        self.namespace = {"__name__": "__main__"}
        self.failed_at: Block | None = None
        for block in blocks:
            item = BlockItem.from_parent(self, name=f"line {block.lineno}", block=block)
            for mark in block.marks:  # pytest-codeblocks' <!--pytest.mark.xxx--> comments
                item.add_marker(eval(mark, {"sys": sys, "pytest": pytest}))
            if not block.executed:
                item.add_marker(pytest.mark.skip(reason=f"{block.where}: shown but not run (exec=\"off\")"))
            yield item


class BlockFailed(Exception):
    pass


class BlockItem(pytest.Item):
    def __init__(self, *, block: Block, **kwargs):
        super().__init__(**kwargs)
        self.block = block

    def runtest(self):
        page: PageFile = self.parent
        if page.failed_at is not None:
            raise BlockFailed(f"{self.block.where}: not run because the block at {page.failed_at.where} failed")
        if str(SNIPPETS) not in sys.path:
            sys.path.insert(0, str(SNIPPETS))
        try:
            with stdout_io():
                exec(compile(self.block.code, self.block.where, "exec"), page.namespace)
        except Exception as error:
            page.failed_at = self.block
            frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == self.block.where]
            where = f"{self.block.where} (line {frames[-1].lineno} of the block)" if frames else self.block.where
            trace = "".join(traceback.format_exception(error)[-1:])
            raise BlockFailed(f"{where}: {trace}\n{self.block.code}") from error
        finally:
            if "matplotlib.pyplot" in sys.modules:
                sys.modules["matplotlib.pyplot"].close("all")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, BlockFailed):
            cause = excinfo.value.__cause__
            detail = "".join(traceback.format_exception(cause)) if cause is not None else ""
            return f"{excinfo.value}\n{detail}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.block.lineno - 1, f"python block at {self.block.where}"
