"""How long after a prose-only edit `mkdocs serve` has the new page, in seconds.

    python benchmarks/serve_latency.py

Starts `mkdocs serve` on a free local port (with a warm execution cache), appends a sentence to
docs/tensors.en.md, polls the served page until the sentence appears, restores the file, and
prints the latency of each of three edits.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "tensors.en.md"


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return ""


def main(extra: list[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sys.path.insert(0, str(ROOT))
    from sitebuild.blocks import mkdocs_config

    prefix = urllib.parse.urlparse(mkdocs_config()["site_url"]).path  # mkdocs serve mounts the site there
    url = f"http://127.0.0.1:{port}{prefix}en/tensors/"
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", *extra],
                              cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    original = PAGE.read_text(encoding="utf-8")
    try:
        deadline = time.time() + 900
        while "Tensors" not in fetch(url):
            if time.time() > deadline or server.poll() is not None:
                sys.exit("mkdocs serve did not come up")
            time.sleep(0.5)
        time.sleep(2)
        for n in range(3):
            marker = f"Latency probe {n} {time.time_ns()}."
            start = time.perf_counter()
            PAGE.write_text(original + f"\n{marker}\n", encoding="utf-8")
            while marker not in fetch(url):
                time.sleep(0.05)
            print(f"edit {n}: new page served after {time.perf_counter() - start:.2f} s")
            PAGE.write_text(original, encoding="utf-8")
            time.sleep(3)
    finally:
        PAGE.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
