"""Measure the build and its execution cache, in one run on this machine.

    python benchmarks/build_times.py

Prints, each in its own fresh cache folder: a cold build (empty cache), a warm build (nothing
changed), a build with execution switched off (SITE_EXEC=off), and the time to execute every
distinct block once in one process; then the ratios the cache is meant to meet and the number of
block executions in each build.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitebuild.blocks import page_blocks, pages  # noqa: E402

EXEC_ONCE = """
import sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {snippets!r})
from sitebuild.blocks import page_blocks, pages
import matplotlib; matplotlib.use("Agg")
import matplotlib.pyplot as plt
import contextlib, io
for page in pages("zh"):
    namespace = {{"__name__": "__main__"}}
    for block in page_blocks(page):
        if block.executed:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(block.code, block.where, "exec"), namespace)
            plt.close("all")
"""


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
                            capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return seconds


def build(work: Path, name: str, **env: str) -> tuple[float, dict]:
    manifest = work / f"{name}.json"
    seconds = timed([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(work / name)],
                    {"SITE_EXEC_CACHE": str(work / "cache"), "SITE_MANIFEST": str(manifest), **env})
    return seconds, (json.loads(manifest.read_text()) if manifest.exists() else {})


def main() -> None:
    distinct = sum(1 for p in pages("zh") for b in page_blocks(p) if b.executed)
    shown = sum(1 for p in pages() for b in page_blocks(p) if b.executed)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cold, cold_m = build(work, "cold")
        warm, warm_m = build(work, "warm")
        off, _ = build(work, "off", SITE_EXEC="off")
        once = timed([sys.executable, "-c", EXEC_ONCE.format(root=str(ROOT), snippets=str(ROOT / "snippets"))],
                     {"MPLBACKEND": "Agg"})
    print(f"python blocks: {distinct} distinct, {shown} shown (both languages)")
    print(f"cold build            {cold:7.1f} s   block executions: {cold_m['executions']}")
    print(f"warm build            {warm:7.1f} s   block executions: {warm_m['executions']}")
    print(f"build, execution off  {off:7.1f} s")
    print(f"every block once      {once:7.1f} s   (one process)")
    print(f"cold / (off + once) = {cold / (off + once):.2f}   target <= 1.25")
    print(f"warm / off          = {warm / off:.2f}   target <= 1.3")
    print(f"cold executions / distinct blocks = {cold_m['executions']} / {distinct}   target: equal")


if __name__ == "__main__":
    main()
