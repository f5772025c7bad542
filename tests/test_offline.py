"""The course offline (sitebuild/offline.py): a PDF book per language and the zip of the offline build,
made by the documented command from the tests' own build, and the home pages' links to them."""
import html
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import pytest

from sitebuild import ROOT, offline
from sitebuild.blocks import mkdocs_config
from tests.test_browser import CHROMIUM, browser  # noqa: F401 (browser: the fixture)


def nav_chapters() -> list[str]:
    """mkdocs.yml's nav: the pages inside its sections (the numbered chapters), in order."""
    return [next(iter(sub.values())).removesuffix(".md") for item in mkdocs_config()["nav"]
            for value in item.values() if isinstance(value, list) for sub in value]


def page_html(site: Path, key: str, lang: str) -> str:
    return (site / ("en" if lang == "en" else "") / ("" if key == "index" else key) / "index.html").read_text(
        encoding="utf-8")


def page_title(site: Path, key: str, lang: str) -> str:
    title = re.search(r"<h1[^>]*>(.*?)<a class=\"headerlink\"", page_html(site, key, lang), re.S).group(1)
    return html.unescape(re.sub(r"<[^>]+>", "", title)).strip()


def text_of(fragment: str) -> str:
    """HTML to its text without any whitespace (a PDF's extracted text spaces and breaks lines its own way)."""
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", fragment)))


@pytest.fixture(scope="module")
def downloads(built_site, tmp_path_factory) -> Path:
    """`python -m sitebuild.offline SITE --out DIR` on the tests' build."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium): nothing to print with")
    if not shutil.which("fc-list") or not subprocess.run(["fc-list", ":lang=zh"], capture_output=True,
                                                          text=True).stdout.strip():
        pytest.skip("no Chinese font (apt-get install fonts-wqy-microhei): the Chinese PDF cannot be printed")
    assert built_site.returncode == 0, built_site.log[-3000:]
    out = tmp_path_factory.mktemp("downloads")
    result = subprocess.run([sys.executable, "-m", "sitebuild.offline", str(built_site.site), "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return out


@pytest.fixture(scope="module")
def books(downloads):
    from pypdf import PdfReader

    return {lang: PdfReader(downloads / name) for lang, name in offline.PDF.items()}


def chapters_of(reader) -> list[tuple[str, int]]:
    """The PDF's bookmarks one level under a part: (title, page from 0)."""
    found, outline = [], reader.outline
    for i, item in enumerate(outline):
        if isinstance(item, list) or i + 1 == len(outline) or not isinstance(outline[i + 1], list):
            continue
        if item["/Title"] in parts():
            found += [(sub["/Title"], reader.get_destination_page_number(sub)) for sub in outline[i + 1]
                      if not isinstance(sub, list)]
    return found


def parts() -> set[str]:
    config = mkdocs_config()
    i18n = next(p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p)
    en = next(lang["nav_translations"] for lang in i18n["languages"] if lang["locale"] == "en")
    zh = {title for item in config["nav"] for title, value in item.items() if isinstance(value, list)}
    return zh | {en[title] for title in zh}


def test_home_pages_link_the_files_the_command_writes(built_site):
    """The links point to files the deploy workflow adds (not part of `mkdocs build`): every name the
    module writes, from both home pages, each resolving to the site's downloads/ folder."""
    for lang, here in (("zh", "/"), ("en", "/en/")):
        hrefs = re.findall(r'href="([^"]*downloads/[^"]*)"', page_html(built_site.site, "index", lang))
        assert sorted(urljoin(here, h) for h in hrefs) == sorted(f"/downloads/{n}" for n in offline.FILES), lang


@pytest.mark.browser
def test_the_command_writes_both_books_and_the_zip(downloads):
    assert sorted(p.name for p in downloads.iterdir()) == sorted(offline.FILES)


@pytest.mark.browser
def test_each_book_has_every_chapter_of_the_nav_numbered_in_order(books, built_site):
    keys = nav_chapters()
    for lang, reader in books.items():
        expected = [offline.WORDS[lang]["chapter"].format(n=n) + page_title(built_site.site, key, lang)
                    for n, key in enumerate(keys, 1)]
        found = chapters_of(reader)
        assert [title for title, _ in found] == expected, lang
        starts = [page for _, page in found]
        assert starts == sorted(starts) and len(set(starts)) == len(starts), (lang, starts)


@pytest.mark.browser
def test_the_contents_give_each_chapter_its_page(books):
    for lang, reader in books.items():
        contents = "".join(reader.pages[i].extract_text() for i in (1, 2))
        contents = re.sub(r"\s+", "", contents)
        for title, page in chapters_of(reader):
            assert re.sub(r"\s+", "", title) + str(page + 1) in contents, (lang, title, page + 1)


def chapter_text(reader, key_title: str) -> str:
    found = chapters_of(reader)
    index = [title for title, _ in found].index(key_title)
    first = found[index][1]
    last = found[index + 1][1] if index + 1 < len(found) else len(reader.pages)
    return re.sub(r"\s+", "", "".join(reader.pages[i].extract_text() for i in range(first, last)))


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_chapter_reads_as_text_with_its_code_outputs_solutions_and_formulas(books, built_site, lang):
    """Chinese (and English) text extracts from the PDF: the fonts are embedded with their Unicode
    mapping; a solution's output is there (collapsed blocks printed open), and so are formulas."""
    key, number = "gradient-descent", nav_chapters().index("gradient-descent") + 1
    page = page_html(built_site.site, key, lang)
    text = chapter_text(books[lang], offline.WORDS[lang]["chapter"].format(n=number) + page_title(
        built_site.site, key, lang))
    paragraph = re.search(r'<p>((?:(?!</p>).)*)</p>\s*<div class="admonition abstract">', page, re.S).group(1)
    sentence = re.split(r"(?<=[。.])", text_of(paragraph))[0]
    assert len(sentence) > 10 and sentence in text, sentence
    solution = [d for d in re.findall(r"<details.*?</details>", page, re.S) if "exec-output" in d][-1]
    output = re.search(r'exec-output"><pre><span></span><code>(.*?)\n', solution, re.S).group(1)
    assert text_of(output) in text, output
    assert "∂" in text and "$$" not in text and "\\frac" not in text
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S)
    assert captions and all(text_of(c) in text for c in captions)


@pytest.mark.browser
def test_the_zip_reads_from_disk_with_its_figures_and_search(downloads, browser, tmp_path):  # noqa: F811
    with zipfile.ZipFile(downloads / offline.ZIP) as archive:
        archive.extractall(tmp_path)
    root = tmp_path / Path(offline.ZIP).stem
    page = browser.new_page()
    schemes = set()
    page.on("request", lambda r: schemes.add(r.url.split(":", 1)[0]))
    page.goto((root / "index.html").as_uri())
    assert page.get_attribute("html", "lang") == "zh"
    links = page.eval_on_selector_all("a[href*='downloads/']", "links => links.map(a => a.href)")
    assert sorted(links) == sorted(mkdocs_config()["site_url"] + f"downloads/{name}" for name in offline.FILES)
    page.goto((root / "gradient-descent.html").as_uri())
    image = page.locator(".exec-figure img").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    page.fill("input.md-search__input", "梯度下降")
    page.press("input.md-search__input", "End")
    page.wait_for_function("url => [...document.querySelectorAll('.md-search-result__item a')]"
                           ".some(a => a.href.startsWith(url))",
                           arg=(root / "gradient-descent.html").as_uri(), timeout=90000)
    assert schemes <= {"file", "data", "blob"}, schemes
    page.close()


def test_the_deploy_workflow_adds_the_downloads_to_the_published_site():
    """The build job runs the command on the site it built, before uploading that site for publishing,
    on a machine with Chromium and the Chinese font."""
    import yaml

    workflow = yaml.safe_load((ROOT / ".github/workflows/site.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build-test"]["steps"]
    runs = [str(step.get("run", "")) for step in steps]
    build = next(i for i, run in enumerate(runs) if "mkdocs build --strict" in run)
    downloads = next(i for i, run in enumerate(runs) if "python -m sitebuild.offline site" in run)
    upload = next(i for i, step in enumerate(steps) if str(step.get("uses", "")).startswith("actions/upload-artifact@"))
    assert build < downloads < upload
    assert "SITE_FRESH=1" in runs[downloads]  # the zip's pages too were executed for this build
    assert any("chromium" in run and "fonts-wqy-microhei" in run for run in runs)
