"""Page weight of the built site: gzipped HTML and DOM elements per page, heaviest first, and
Lighthouse's mobile performance score of the heaviest pages where Lighthouse can run.

    mkdocs build --strict && python benchmarks/page_weight.py [SITE_DIR] [--lighthouse N] [--runs R]

Targets (README, "Performance"): at most 150 KB of gzipped HTML and 4,000 DOM elements per page,
Lighthouse mobile performance at least 95. DOM elements are counted in headless Chromium after the
page has loaded (what Lighthouse counts, scripts' additions included), or from the HTML where there
is no Chromium. Lighthouse runs through `npx lighthouse` with Debian's Chromium
(CHROME_PATH=/usr/bin/chromium) against the site served locally with gzip, as GitHub Pages serves
it; `--lighthouse 0` skips it. The exit status is 1 when a page misses a target.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
GZIP_KB, DOM_ELEMENTS, LIGHTHOUSE = 150, 4000, 95
CHROMIUM = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


class Count(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = 0

    def handle_starttag(self, tag, attrs):
        self.elements += 1


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """The site under its site_url path, gzipped when the client accepts it (as GitHub Pages does)."""

    prefix = "/"

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return "/nonexistent"
        return super().translate_path("/" + path[len(self.prefix):])

    def send_head(self):
        path = Path(self.translate_path(self.path.split("?")[0].split("#")[0]))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the redirect to the folder's URL
            path = path / "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # Lighthouse drops connections it no longer needs
            super().handle_error(request, client_address)


def serve(site: Path, prefix: str):
    handler = functools.partial(type("Handler", (GzipHandler,), {"prefix": prefix}), directory=str(site))
    httpd = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}{prefix}", httpd


def pages(site: Path) -> list[str]:
    """Every page of the site as its URL path below the site root ("", "tensors/", "en/tensors/")."""
    found = []
    for html in sorted(site.rglob("index.html")):
        relative = html.parent.relative_to(site).as_posix()
        found.append("" if relative == "." else relative + "/")
    return found


def dom_counts(base: str, paths: list[str]) -> dict[str, int] | None:
    if not Path(CHROMIUM).exists():
        return None
    from playwright.sync_api import sync_playwright

    counts = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        for path in paths:
            page.goto(base + path, wait_until="load")
            counts[path] = page.evaluate("document.querySelectorAll('*').length")
        browser.close()
    return counts


def lighthouse(url: str) -> float | None:
    """Lighthouse's mobile performance score (0-100) of `url`, or None where it cannot run."""
    if not shutil.which("npx"):
        return None
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        result = subprocess.run(
            ["npx", "--yes", "lighthouse@12.8.2", url, "--only-categories=performance", "--output=json",
             f"--output-path={report}", "--quiet",
             "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"],
            env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=600)
        if result.returncode != 0 or not report.is_file():
            print(f"  lighthouse failed on {url}: {(result.stderr or result.stdout).strip()[-300:]}", file=sys.stderr)
            return None
        return round(json.loads(report.read_text())["categories"]["performance"]["score"] * 100)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default=str(ROOT / "site"))
    parser.add_argument("--lighthouse", type=int, default=3, metavar="N",
                        help="run Lighthouse (mobile) on the N heaviest pages (default 3; 0: none)")
    parser.add_argument("--runs", type=int, default=1, metavar="R",
                        help="Lighthouse runs per page; the median is reported (default 1; its scores "
                             "move by several points with the machine's load)")
    args = parser.parse_args()
    site = Path(args.site)
    if not (site / "index.html").is_file():
        sys.exit(f"no built site in {site}: run `mkdocs build --strict` first")
    sys.path.insert(0, str(ROOT))
    from sitebuild.blocks import mkdocs_config

    prefix = urlparse(mkdocs_config()["site_url"]).path or "/"
    base, httpd = serve(site, prefix)
    paths = pages(site)
    rows = []
    for path in paths:
        html = (site / path / "index.html").read_bytes()
        count = Count()
        count.feed(html.decode("utf-8"))
        rows.append({"page": "/" + path, "html_kb": len(html) / 1024,
                     "gzip_kb": len(gzip.compress(html, compresslevel=6)) / 1024, "dom": count.elements})
    counted = dom_counts(base, paths)
    if counted:
        for row, path in zip(rows, paths):
            row["dom"] = counted[path]
    rows.sort(key=lambda r: r["gzip_kb"], reverse=True)
    for row in rows[: max(0, args.lighthouse)]:
        scores = [lighthouse(base + row["page"][1:]) for _ in range(max(1, args.runs))]
        scores = sorted(s for s in scores if s is not None)
        row["lighthouse"] = scores[(len(scores) - 1) // 2] if scores else None  # the median (the lower one of two)
        row["runs"] = scores
    httpd.shutdown()

    source = "in Chromium" if counted else "in the HTML"
    print(f"{'page':34} {'HTML KB':>8} {'gzip KB':>8} {'DOM':>6} {'mobile perf':>11}   (DOM elements counted {source})")
    misses = 0
    for row in rows:
        score = row.get("lighthouse")
        miss = (row["gzip_kb"] > GZIP_KB or row["dom"] > DOM_ELEMENTS
                or (score is not None and score < LIGHTHOUSE))
        misses += miss
        runs = f"  (runs: {', '.join(map(str, row['runs']))})" if len(row.get("runs", [])) > 1 else ""
        print(f"{row['page']:34} {row['html_kb']:8.1f} {row['gzip_kb']:8.1f} {row['dom']:6d} "
              f"{'' if score is None else score:>11}{runs}{'   <- over a target' if miss else ''}")
    print(f"\ntargets: <= {GZIP_KB} KB gzipped HTML, <= {DOM_ELEMENTS} DOM elements, Lighthouse mobile >= {LIGHTHOUSE}; "
          f"{misses} of {len(rows)} pages miss one")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
