"""Measure the build in one run: this tree, and optionally another commit beside it.

    python benchmarks/build_times.py                 # this tree
    python benchmarks/build_times.py --against REV   # this tree and REV (e.g. the previous design)

For each tree, each in a fresh cache folder: a cold build (empty cache), a warm build (nothing
changed), a build with execution off (SITE_EXEC=off); the blocks executed by each build; the peak
memory of the MkDocs process; and the ratios the design is meant to meet.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(tree: Path, work: Path, name: str, **env: str) -> tuple[float, dict, float]:
    """(seconds, manifest, peak MB of the mkdocs process and the pages' processes it waited for)."""
    manifest = work / f"{name}.json"
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_EXEC_CACHE": str(work / "cache"),
                "SITE_MANIFEST": str(manifest), **env}
    command = [sys.executable, "-c", "import resource, runpy, sys; sys.argv = ['mkdocs'] + sys.argv[1:];"
               "\ntry: runpy.run_module('mkdocs', run_name='__main__')\nfinally: "
               "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)",
               "build", "--strict", "-d", str(work / name)]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=tree, env=full_env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{tree}: build {name} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    peak = max(int(line.split()[1]) for line in result.stderr.splitlines() if line.startswith("PEAK")) / 1024
    return seconds, (json.loads(manifest.read_text()) if manifest.exists() else {}), peak


def measure(tree: Path, label: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cold, cold_m, cold_peak = build(tree, work, "cold")
        warm, warm_m, _ = build(tree, work, "warm")
        off, _, _ = build(tree, work, "off", SITE_EXEC="off")
    print(f"== {label}")
    print(f"cold build            {cold:7.1f} s   block executions: {cold_m.get('executions')}"
          f"   peak memory of the mkdocs process: {cold_peak:.0f} MB")
    print(f"warm build            {warm:7.1f} s   block executions: {warm_m.get('executions')}")
    print(f"build, execution off  {off:7.1f} s")
    print(f"warm / off = {warm / off:.2f}   target <= 1.3")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", help="a git revision to measure beside this tree, in the same run")
    args = parser.parse_args()
    measure(ROOT, "this tree")
    if args.against:
        with tempfile.TemporaryDirectory() as tmp:
            other = Path(tmp) / "other"
            subprocess.run(["git", "worktree", "add", "--detach", str(other), args.against], cwd=ROOT, check=True,
                           capture_output=True)
            try:
                measure(other, f"git {args.against}")
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, capture_output=True)
    print(f"cores: {os.cpu_count()}, load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
