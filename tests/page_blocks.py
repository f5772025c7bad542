"""pytest plugin: every python block of every page in docs/ is a test item, run by the build's engine.

The items are the blocks the build executes (sitebuild.blocks.page_blocks: pytest-codeblocks'
parser, `--8<--` includes expanded, its `<!--pytest.mark...-->` comments honoured), named
`docs/PAGE.md::line N`. A page's blocks run in order in one process of their own
(sitebuild.kernel.PageKernel, as in the build), each within the build's time limit
(SITE_BLOCK_TIMEOUT); a failure names the page, the block's line and the line inside the block.
The prose values that follow a block ({eval}`EXPR:SPEC`) are computed in its item: one that raises
fails the item, naming its own page line.
The tests never read the execution cache: they always run the code.

pytest-codeblocks' own `--codeblocks` flag collects Markdown files too; for files under docs/ this
plugin is the collector (the other would run each block alone, without its includes), so the flag
neither double-collects nor fails spuriously; Markdown files elsewhere are left to pytest-codeblocks.
"""
from __future__ import annotations

import sys

import pytest

from sitebuild import DOCS
from sitebuild.blocks import Block, PageError, page_blocks
from sitebuild.kernel import PageKernel, SettingError, Settings


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".md" and DOCS in file_path.parents:
        return PageFile.from_parent(parent, path=file_path)


class _CodeblocksOutsideDocs:
    """pytest-codeblocks' collector, minus the files this plugin collects."""

    def __init__(self, plugin):
        self.plugin = plugin

    def pytest_collect_file(self, file_path, parent):
        if DOCS in file_path.parents:
            return None
        return self.plugin.pytest_collect_file(file_path=file_path, parent=parent)


def pytest_configure(config):
    try:  # a bad SITE_* setting stops the run naming it, not with a traceback in every item
        Settings.from_env()
    except SettingError as error:
        raise pytest.UsageError(str(error)) from error
    if getattr(config.option, "codeblocks", False):
        plugin = config.pluginmanager.get_plugin("codeblocks")
        if plugin is not None:
            config.pluginmanager.unregister(plugin)
            config.pluginmanager.register(_CodeblocksOutsideDocs(plugin), "codeblocks-outside-docs")


class PageFile(pytest.File):
    kernel: PageKernel | None = None
    failed_at: Block | None = None

    def collect(self):
        try:
            blocks = page_blocks(self.path)
        except PageError as error:
            raise self.CollectError(str(error)) from error
        for block in blocks:
            item = BlockItem.from_parent(self, name=f"line {block.lineno}", block=block)
            for mark in block.marks:  # pytest-codeblocks' <!--pytest.mark.xxx--> comments
                item.add_marker(eval(mark, {"sys": sys, "pytest": pytest}))
            if not block.executed:
                item.add_marker(pytest.mark.skip(reason=f"{block.where}: shown but not run (exec=\"off\")"))
            yield item

    def page_kernel(self) -> PageKernel:
        if self.kernel is None:
            self.kernel = PageKernel(Settings.from_env(), salt=self.path.stem)
        return self.kernel

    def teardown(self):
        if self.kernel is not None:
            self.kernel.close()
            self.kernel = None


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
        values = [(v.expr, v.spec, v.where) for v in self.block.values]  # the prose values after it
        result = page.page_kernel().run(self.block.code, self.block.where, values)
        error = result.error
        if error is not None:
            page.failed_at = self.block
            if error.value is not None:
                raise BlockFailed(f"{self.block.values[error.value].where}: computed value raised {error.summary()}"
                                  f"\n{error.traceback}")
            raise BlockFailed(f"{self.block.located(error.line)}: {error.summary()}\n{error.traceback}\n{self.block.code}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, BlockFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.block.lineno - 1, f"python block at {self.block.where}"
