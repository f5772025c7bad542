"""Fault injection on a small throw-away project: every way a page can go wrong fails, named.

Each case writes pages into a copy of the pipeline (tests/conftest.py `project`), builds it with
`mkdocs build --strict` and runs its pages with pytest, and checks what a reader or author relies on:
the build exits non-zero and names the page file, the block's line and the line inside the block;
nothing else is blamed; one page's state never reaches another; output is text, never markup.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlparse

import pytest

from sitebuild.blocks import mkdocs_config
from tests.conftest import Build
from tests.test_cache import pages_html

pytestmark = pytest.mark.faults

FAULTS = {  # page -> (code of its second block, the error the build must name, line inside the block)
    "raise": ("y = 1\nprint(undefined_name)", "NameError: name 'undefined_name' is not defined", 2),
    "exit0": ("import sys\nsys.exit(0)", "SystemExit: 0", 2),
    "exit3": ("import sys\nsys.exit(3)", "SystemExit: 3", 2),
    "osexit": ("import os\nos._exit(1)", "ProcessDied", None),
    "input": ("answer = input()", "EOFError", 1),
    "hang": ("import ctypes\nwhile True:\n    try:\n        ctypes.CDLL(None).sleep(100)\n"
             "    except Exception:\n        pass", "Timeout: block stopped after 7 s: the limit is 5 s (SITE_BLOCK_TIMEOUT), "
             "plus 2 s", None),
    "memory": ("import torch\nbig = torch.empty(2**33)", "RuntimeError", 2),
    "figure": ("import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.set_xlabel(r'$\\frac{$')\nplt.show()",
               "while drawing the block's figure", None),
}


def add_pages(project, pages: dict[str, list[str]], snippets: dict[str, str] | None = None):
    """Write pages (name -> code of each block) in both languages, each block a snippet section, and nav them."""
    for name, blocks in pages.items():
        text = "".join(f"# --8<-- [start:b{i}]\n{code}\n# --8<-- [end:b{i}]\n" for i, code in enumerate(blocks))
        project.write(f"snippets/{name}.py", text)
        fences = "\n\n".join(f'```python\n--8<-- "{name}.py:b{i}"\n```' for i in range(len(blocks)))
        for lang in ("zh", "en"):
            project.write(f"docs/{name}.{lang}.md", f"# {name}\n\nProse.\n\n{fences}\n")
    for path, text in (snippets or {}).items():
        project.write(path, text)
    config = project.root / "mkdocs.yml"
    text = config.read_text()
    for name in pages:
        text = text.replace("  - 演示: demo.md\n", f"  - 演示: demo.md\n  - {name}: {name}.md\n")
        text = text.replace("            演示: Demo\n", f"            演示: Demo\n            {name}: {name}\n")
    config.write_text(text)


def test_every_fault_fails_the_build_naming_page_block_and_line(project):
    add_pages(project, {name: ["x = 1", code] for name, (code, _, _) in FAULTS.items()})
    start = time.perf_counter()
    build = project.build(SITE_BLOCK_TIMEOUT="5", SITE_MEMORY_LIMIT="4G")
    assert build.returncode != 0
    assert time.perf_counter() - start < 60  # the hang was stopped at its limit, in parallel with the rest
    assert f"{len(FAULTS)} page(s) failed" in build.log, build.log
    for name, (code, error, line) in FAULTS.items():
        where = f"docs/{name}.en.md:9 and docs/{name}.zh.md:9"
        inner = rf" \(line {line} of the block, snippets/{name}\.py:{line + 4}\)" if line else r"(?: \(line \d+[^)]*\))?"
        assert re.search(re.escape(where) + inner + r": python block raised .*" + re.escape(error), build.log), name
    assert "docs/demo." not in build.log.split("page(s) failed")[1]  # the good page is not blamed


def test_every_fault_fails_its_test_item_naming_page_block_and_line(project):
    add_pages(project, {name: ["x = 1", code] for name, (code, _, _) in FAULTS.items()})
    result = project.pytest("-p", "no:randomly", env={"SITE_BLOCK_TIMEOUT": "5", "SITE_MEMORY_LIMIT": "4G"})
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert re.search(rf"\b{2 * len(FAULTS)} failed, {2 * len(FAULTS) + 6} passed\b", out), out[-3000:]
    for name, (code, error, line) in FAULTS.items():
        for lang in ("zh", "en"):
            head = f"docs/{name}.{lang}.md:9" + (f" (line {line} of the block, snippets/{name}.py:{line + 4})"
                                                 if line else "")
            assert head in out and error.split(":")[0] in out, (name, lang)


def test_no_state_reaches_another_page(project):
    setter = ("import os, sys, random\nimport numpy as np\nimport torch\nimport matplotlib.pyplot as plt\n"
              "import helper\n"
              "torch.set_default_dtype(torch.float64)\ntorch.set_printoptions(precision=1)\n"
              "plt.rcParams['lines.linewidth'] = 9\nos.chdir('/')\nsys.path.insert(0, '/nowhere')\n"
              "os.environ['LEAK'] = '1'\nhelper.VALUE = 'changed'\nrandom.random(); np.random.rand(); torch.rand(3)\n"
              "print('set')")
    reader = ("import os, sys, random\nimport numpy as np\nimport torch\nimport matplotlib.pyplot as plt\n"
              "import helper\n"
              "print(torch.get_default_dtype(), torch.tensor([1/3]), plt.rcParams['lines.linewidth'])\n"
              "print(os.getcwd() != '/', '/nowhere' in sys.path, os.environ.get('LEAK'), helper.VALUE)\n"
              "print(random.random(), np.random.rand(), torch.rand(1).item(), torch.get_num_threads())")
    add_pages(project, {"a-setter": [setter], "b-reader": [reader]}, {"snippets/helper.py": "VALUE = 'original'\n"})
    build = project.build()
    assert build.returncode == 0, build.log
    expected = "torch.float32 tensor([0.3333]) 1.5\nTrue False None original\n"
    alone = project.build("alone", SITE_EXEC_CACHE=str(project.root / "other-cache"))
    for html in pages_html(build, "b-reader") + pages_html(alone, "b-reader"):
        assert expected in html.replace("&#39;", "'")
    assert pages_html(build, "b-reader", measured=False) == pages_html(alone, "b-reader", measured=False)
    result = project.pytest()
    assert result.returncode == 0, result.stdout


def test_output_is_shown_as_python_prints_it_and_never_becomes_markup(project):
    printer = ("import sys, pprint, warnings\n"
               "print('a', 'b', sep='|', end='!\\n')\nprint('to stderr', file=sys.stderr)\n"
               "sys.stdout.write('written\\n')\npprint.pprint({'k': list(range(3))})\n"
               "warnings.warn('be careful')\n"
               "print('````````')\nprint('<img src=x onerror=alert(1)>')\nprint('## not a heading')\n"
               "print('--8<-- \"demo.py:first\"')")
    add_pages(project, {"printer": [printer]})
    build = project.build()
    assert build.returncode == 0, build.log
    zh = pages_html(build, "printer")[0]
    assert "a|b!\n" in zh and "written\n{&#x27;k&#x27;: [0, 1, 2]}" in zh.replace("&#39;", "&#x27;")
    assert re.search(r'class="language-text highlight exec-stderr"[^>]*><pre><span></span><code>to stderr', zh)
    assert "UserWarning: be careful" in zh
    assert "<img src=x" not in zh and "&lt;img src=x onerror=alert(1)&gt;" in zh
    assert "<h2" not in zh.split("</h1>")[1].split("exec-stamp")[0]
    assert "--8&lt;-- &quot;demo.py:first&quot;" in zh and "torch.manual_seed(0)" not in zh
    assert "````````" in zh


def lenient_build(project, name: str = "site") -> Build:
    """`mkdocs build --no-strict`: its warnings do not stop it, so the pages they are about can be read."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_EXEC_CACHE": str(project.root / ".cache" / "exec")}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--no-strict", "-d", name], cwd=project.root,
                         env=env, capture_output=True, text=True, timeout=1800)
    return Build(project.root / name, run.stdout + run.stderr, run.returncode)


def test_long_output_is_capped_with_a_note_and_a_warning(project):
    add_pages(project, {"long": ["for i in range(300):\n    print(i)"]})
    assert project.build().returncode != 0  # the warning fails a strict build (the site folder stays as it was)
    build = lenient_build(project)
    assert "docs/long.zh.md:5: the block printed 300 lines; only the first 200 are shown" in build.log
    zh, en = pages_html(build, "long")
    assert "\n199\n" in zh and "\n200\n" not in zh and "只显示前 200 行" in zh and "the first 200 are shown" in en


def test_a_thread_count_in_the_environment_changes_nothing(project):
    code = ("import torch\ntorch.manual_seed(0)\na = torch.randn(300, 200)\nw = torch.zeros(200, 3, requires_grad=True)\n"
            "y = torch.randn(300, 3)\nfor step in range(50):\n    loss = ((a @ w - y) ** 2).mean()\n    loss.backward()\n"
            "    with torch.no_grad():\n        w -= 0.01 * w.grad\n        w.grad = None\n"
            "print(loss.item(), w.sum().item(), (a @ a.T).sum().item())")
    add_pages(project, {"lstsq": [code]})
    one = project.build("one", OMP_NUM_THREADS="1", SITE_EXEC_CACHE=str(project.root / "c1"))
    two = project.build("two", OMP_NUM_THREADS="2", SITE_EXEC_CACHE=str(project.root / "c2"))
    assert one.returncode == two.returncode == 0, one.log + two.log
    assert pages_html(one, "lstsq", measured=False) == pages_html(two, "lstsq", measured=False)


def test_editing_a_helper_or_a_data_file_reruns_the_pages_that_use_them(project):
    add_pages(project, {"uses-helper": ["import helper\nprint(helper.VALUE)"],
                        "uses-data": ["print(open(f'{DATA}/table.csv').read())"]},
              {"snippets/helper.py": "VALUE = 'one'\n", "snippets/data/table.csv": "x,y\n1,2\n"})
    data = f"DATA = {str(project.root / 'snippets' / 'data')!r}\n"
    code = (project.root / "snippets/uses-data.py").read_text().replace("print(open", data + "print(open")
    (project.root / "snippets/uses-data.py").write_text(code)
    assert project.build("first").returncode == 0
    (project.root / "snippets/helper.py").write_text("VALUE = 'two'\n")
    second = project.build("second")
    assert second.manifest["pages_run"] == 1 and "two" in pages_html(second, "uses-helper")[0]
    (project.root / "snippets/data/table.csv").write_text("x,y\n3,4\n")
    third = project.build("third")
    assert third.manifest["pages_run"] == 1 and "3,4" in pages_html(third, "uses-data")[0]


def test_a_forged_cache_entry_never_reaches_a_fresh_build(project):
    assert project.build("first").returncode == 0
    for path in (project.root / ".cache" / "exec").rglob("*.json"):
        data = json.loads(path.read_text())
        data["blocks"][0]["outputs"] = [["stdout", "FORGED\n"]]
        path.write_text(json.dumps(data))
    trusted = project.build("trusted")  # a local build trusts its own cache folder...
    assert "FORGED" in pages_html(trusted)[0]
    fresh = project.build("fresh", SITE_FRESH="1")  # ...the deploy build (SITE_FRESH=1) trusts none
    assert fresh.returncode == 0 and "FORGED" not in pages_html(fresh)[0] and "FORGED" not in pages_html(fresh)[1]


BAD_SETTINGS = [("SITE_BLOCK_TIMEOUT", "2m"), ("SITE_BLOCK_TIMEOUT", "nan"), ("SITE_BLOCK_TIMEOUT", "inf"),
                ("SITE_JOBS", "0"), ("SITE_JOBS", "two"), ("SITE_THREADS", "0"), ("SITE_MEMORY_LIMIT", "infG")]


def test_a_bad_setting_fails_the_build_and_the_tests_naming_it(project):
    for name, value in BAD_SETTINGS:
        build = project.build(**{name: value})
        assert build.returncode != 0 and f"sitebuild: {name}={value!r} is not a positive" in build.log, build.log
        assert "Traceback" not in build.log, build.log
    result = project.pytest(env={"SITE_BLOCK_TIMEOUT": "nan"})
    assert result.returncode != 0 and "SITE_BLOCK_TIMEOUT='nan' is not a positive" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr


def test_an_unwritable_cache_fails_the_build(project, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    build = project.build("b", SITE_EXEC_CACHE=str(locked / "exec"))
    if os.geteuid() != 0:  # root writes anywhere
        assert build.returncode != 0 and "executing the pages failed" in build.log


def test_a_missing_snippet_section_names_the_page(project):
    page = project.root / "docs/demo.en.md"
    page.write_text(page.read_text() + '\n```python\n--8<-- "demo.py:nowhere"\n```\n')
    result = project.pytest()
    assert result.returncode != 0
    assert "docs/demo.en.md" in result.stdout + result.stderr
    build = project.build()
    assert build.returncode != 0 and "docs/demo.en.md" in build.log


def test_serve_shows_a_failing_block_on_the_page_and_recovers(project):
    add_pages(project, {"broken": ["print('before')", "print(undefined_name)"]})
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_EXEC_CACHE": str(project.root / ".cache" / "exec")}
    port = 8765 + os.getpid() % 1000
    prefix = urlparse(mkdocs_config()["site_url"]).path
    log = project.root / "serve.log"
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=project.root, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)

    def page():
        for _ in range(360):
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}{prefix}broken/", timeout=5).read().decode()
            except Exception:
                time.sleep(0.5)
        raise AssertionError("mkdocs serve did not answer:\n" + log.read_text()[-3000:])

    try:
        html = page()
        assert "这段代码运行出错" in html and "NameError" in html and "before" in html
        snippet = project.root / "snippets/broken.py"
        snippet.write_text(snippet.read_text().replace("print(undefined_name)", "print('fixed')"))
        for _ in range(360):
            html = page()
            if "fixed" in html:
                break
            time.sleep(0.5)
        assert "fixed" in html and "这段代码运行出错" not in html, log.read_text()[-3000:]
    finally:
        server.terminate()
        server.wait(timeout=20)


# ---- figures are safe: only drawing reaches a published SVG file ----

PLANTED = '''<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100pt"
 height="50pt" viewBox="0 0 100 50" onload="alert(1)">
 <script>alert(2)</script>
 <foreignObject width="10" height="10"><body xmlns="http://www.w3.org/1999/xhtml">
  <iframe src="https://evil.example/frame"/></body></foreignObject>
 <image xlink:href="https://evil.example/pixel.png" width="10" height="10"/>
 <use href="https://evil.example/sprite.svg#a"/>
 <a xlink:href="javascript:alert(3)"><rect id="linked" width="10" height="10"
  style="fill: url(https://evil.example/paint)"/></a>
 <rect id="clicked" width="5" height="5" onclick="alert(4)" fill="#0000ff"/>
 <style>@import url(https://evil.example/sheet.css);</style>
 <set attributeName="href" to="javascript:alert(5)"/>
 <g id="kept" clip-path="url(#clip)"><path d="M 0 0 L 1 1" style="stroke: #000000"/></g>
</svg>'''
UNSAFE = ("<script", "alert(", "onload", "onclick", "foreignObject", "iframe", "evil.example", "javascript:",
          "@import", "<set", "<a ")


def test_the_sanitizer_keeps_drawing_and_removes_everything_else():
    from sitebuild.svg import FigureError, sanitize

    clean, removed = sanitize(PLANTED)
    for word in UNSAFE:
        assert word not in clean, word
    assert all(f'id="{i}"' in clean for i in ("kept", "linked", "clicked")) and 'clip-path="url(#clip)"' in clean
    assert {"element <script>", "element <foreignObject>", "attribute onload", "attribute onclick", "link <a>",
            "element <set>"} <= set(removed), removed
    for bad in ('<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
                "<svg", "<svg/>", '<svg xmlns="http://www.w3.org/1999/xhtml"/>'):  # entities, broken, not SVG
        with pytest.raises(FigureError):
            sanitize(bad)
    with pytest.raises(FigureError, match=r"the figure is 3\.0 MB of SVG, over the limit of 2\.1 MB"):
        sanitize('<svg xmlns="http://www.w3.org/2000/svg">' + " " * 3_000_000 + "</svg>")


def test_published_figures_carry_no_script_links_or_outside_references(project):
    planted = ("import matplotlib.pyplot as plt\n"
               "fig, ax = plt.subplots(figsize=(2, 1))\n"
               "line, = ax.plot([0, 1], [0, 1])\nline.set_url('javascript:alert(6)')\nplt.show()\n"
               f"fig = plt.figure()\nfig.savefig = lambda buffer, **options: buffer.write({PLANTED!r})\n")
    add_pages(project, {"planted": [planted]})
    for lang in ("zh", "en"):
        page = project.root / f"docs/planted.{lang}.md"
        page.write_text(page.read_text().replace("```python\n", '```python caption="Planted" alt="Planted"\n'))
    build = project.build()
    assert build.returncode == 0, build.log  # published without them, saying what was removed
    assert re.search(r"docs/planted\.zh\.md: planted-figure-1\.svg: removed what a published figure may not "
                     r"carry: .*link <a>", build.log), build.log[-3000:]
    assert "planted-figure-2.svg: removed" in build.log and "element <script>" in build.log
    for lang in ("", "en"):
        files = sorted((build.site / lang / "planted").glob("*.svg"))
        assert [f.name for f in files] == ["planted-figure-1.svg", "planted-figure-2.svg"]
        for text in (f.read_text() for f in files):
            assert text.startswith("<svg") and not [word for word in UNSAFE if word in text]
        assert 'id="kept"' in files[1].read_text() and "<path" in files[0].read_text()


def test_an_oversized_figure_fails_the_build_naming_it(project):
    scatter = ("import numpy as np\nimport matplotlib.pyplot as plt\nxy = np.random.default_rng(0).random((2, 30000))\n"
               "fig, ax = plt.subplots()\nax.scatter(*xy, s=1)\nplt.show()")
    add_pages(project, {"dense": [scatter]})
    build = project.build()
    assert build.returncode != 0
    assert re.search(r"docs/dense\.en\.md:5 and docs/dense\.zh\.md:5: python block raised FigureTooLarge: figure 1 "
                     r"of the block: the figure is 3\.\d MB of SVG, over the limit of 2\.1 MB", build.log), build.log[-3000:]
    assert not list(build.site.rglob("dense-figure-1.svg"))


# ---- results are data; the block limit is a deadline ----

SOCKETS = ("import os, struct\n"
           "sockets = []\nfor name in os.listdir('/proc/self/fd'):\n    try:\n"
           "        if os.readlink(f'/proc/self/fd/{name}').startswith('socket:'):\n"
           "            sockets.append(int(name))\n    except OSError:\n        pass\n")


def test_a_crafted_message_is_data_never_code(project, tmp_path):
    marker = tmp_path / "pwned"
    payload = f"open({str(marker)!r}, 'w').write('pwned')"
    crafted = (SOCKETS + "import pickle\nclass Payload:\n    def __reduce__(self):\n"
               f"        return (exec, ({payload!r},))\n"
               "data = pickle.dumps(Payload())\nfor fd in sockets:\n    os.write(fd, struct.pack('!Q', len(data)) + data)\n"
               "print('sent')")
    add_pages(project, {"crafted": [crafted]})
    build = project.build(SITE_FRESH="1")
    assert build.returncode != 0 and not marker.exists()  # never unpickled: the parent ran nothing
    assert re.search(r"docs/crafted\.en\.md:5 and docs/crafted\.zh\.md:5: python block raised ResultError: the "
                     r"page's process sent a message that is not JSON", build.log), build.log[-3000:]


def test_the_block_limit_is_a_deadline_for_the_whole_block(project):
    trickle = (SOCKETS + "import time\nfor fd in sockets:\n    os.write(fd, struct.pack('!Q', 1000))\n"
               "for _ in range(120):\n    for fd in sockets:\n        os.write(fd, b' ')\n    time.sleep(1)")
    add_pages(project, {"trickle": [trickle]})
    start = time.monotonic()
    build = project.build(SITE_BLOCK_TIMEOUT="3")
    assert build.returncode != 0 and time.monotonic() - start < 90  # not 120 s of trickling
    assert ("docs/trickle.en.md:5 and docs/trickle.zh.md:5: python block raised Timeout: block stopped after 5 s: "
            "the limit is 3 s (SITE_BLOCK_TIMEOUT), plus 2 s") in build.log, build.log[-3000:]


# ---- a page's processes end with the page; no secrets reach it; it writes only in its own folder ----

def survivors(marker: str) -> list[str]:
    """Living processes whose command line holds `marker` (from `ps`)."""
    ps = subprocess.run(["ps", "-eww", "-o", "pid,ppid,stat,args"], capture_output=True, text=True).stdout  # full lines
    return [line for line in ps.splitlines()[1:] if marker in line and not line.split(None, 3)[2].startswith("Z")]


def starter(marker: str, target) -> str:
    """A block that starts a subprocess, a forked child and a detached daemon (that would write `target`)."""
    late = f"import time; time.sleep(8); open({str(target)!r}, 'w').write('REWRITTEN')"
    return ("import os, subprocess, sys, time\n"
            f"subprocess.Popen(['sleep', '{marker}'])\n"
            "if os.fork() == 0:\n    os.execvp('sleep', ['sleep', " + repr(marker) + "])\n"
            f"subprocess.Popen([sys.executable, '-c', {late!r}, '{marker}'], start_new_session=True)\n"
            f"subprocess.Popen(['sh', '-c', '(setsid sleep {marker} &)'])\n"
            "time.sleep(0.5)\nprint('started')")


def test_processes_a_page_starts_end_with_it_and_its_folder_goes(project, tmp_path):
    from sitebuild.kernel import PageKernel, Settings

    marker = f"{600 + os.getpid() % 97}.{time.time_ns() % 10**6}"
    target = project.root / "site" / "index.html"
    kernel = PageKernel(Settings())
    try:
        assert kernel.run(starter(marker + "2", target), "starter.md:1").error is None
        assert len(survivors(marker + "2")) == 4  # the subprocess, the fork, the daemon, the setsid one
    finally:
        kernel.close()
    assert survivors(marker + "2") == [] and not os.path.exists(kernel.folder)
    add_pages(project, {"starter": [starter(marker, target)], "failing": [starter(marker + "1", target),
                                                                          "import ctypes\nctypes.CDLL(None).sleep(60)"]})
    temp = tmp_path / "temp"
    temp.mkdir()
    build = project.build(SITE_BLOCK_TIMEOUT="3", TMPDIR=str(temp))
    assert re.search(r"docs/failing\.en\.md:9 and docs/failing\.zh\.md:9 .*python block raised Timeout", build.log), \
        build.log[-3000:]
    assert survivors(marker) == []  # the ended page's and the stopped page's: subprocess, fork, daemon
    assert not list(temp.glob("page-*"))  # work folders removed
    before = target.read_text() if target.exists() else None
    time.sleep(10)
    assert (target.read_text() if target.exists() else None) == before  # no late writer
    result = project.pytest(env={"SITE_BLOCK_TIMEOUT": "3"})
    assert "docs/failing.en.md" in result.stdout and survivors(marker) == []


def test_sigterm_or_ctrl_c_to_the_build_alone_stops_every_page_process(project):
    assert project.build().returncode == 0
    site = project.root / "site"
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_EXEC_CACHE": str(project.root / ".cache" / "exec")}
    add_pages(project, {"hang": ["pass"]})
    for number, name in enumerate((signal.SIGTERM, signal.SIGINT, signal.SIGTERM)):
        marker = f"{700 + number}.{time.time_ns() % 10**6}"
        code = starter(marker, site / "index.html") + "\nimport ctypes\nctypes.CDLL(None).sleep(600)"
        project.write("snippets/hang.py", f"# --8<-- [start:b0]\n{code}\n# --8<-- [end:b0]\n")
        command = ["mkdocs", "build", "--strict", "-d", "site"] if number < 2 else ["pytest", "docs", "-n", "0"]
        log = project.root / f"run{number}.log"
        run = subprocess.Popen([sys.executable, "-m", *command], cwd=project.root, env=env, stdout=log.open("w"),
                               stderr=subprocess.STDOUT)
        try:
            for _ in range(600):
                if len(survivors(marker)) >= 4 or run.poll() is not None:  # the three sleeps and the daemon
                    break
                time.sleep(0.5)
            assert len(survivors(marker)) >= 4, log.read_text()[-3000:]
            run.send_signal(name)  # to the main process alone
            assert run.wait(timeout=60) != 0
        finally:
            run.kill()
        for _ in range(20):
            if not survivors(marker):
                break
            time.sleep(0.5)
        assert survivors(marker) == [], (name, command)
        time.sleep(10)  # the daemon would have written by now
        after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
        assert after == before, command  # the site folder stays as it was
        assert not list(project.root.glob(".site.*"))  # no unfinished folder left beside it


def test_page_processes_get_a_minimal_environment(project):
    add_pages(project, {"environ": ["import os\nfor name, value in sorted(os.environ.items()):\n"
                                    "    print(name, '=', value)"]})
    build = project.build(GITHUB_TOKEN="ghp_SECRET_TOKEN_1", AWS_SECRET_ACCESS_KEY="AWS_SECRET_2",
                          SITE_FRESH="1", PYTHONPATH="/somewhere")
    assert build.returncode == 0, build.log
    zh = pages_html(build, "environ")[0]
    assert "ghp_SECRET_TOKEN_1" not in zh and "AWS_SECRET_2" not in zh and "GITHUB_TOKEN" not in zh
    shown = set(re.findall(r"(?:^|<code>)([A-Z_][A-Z0-9_]*) = ", zh, re.M))
    from sitebuild.kernel import PASSED

    assert "HOME" in shown and "PATH" in shown and shown <= set(PASSED) | {
        "HOME", "TMPDIR", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MPLBACKEND", "PYTHONHASHSEED",
        "MPLCONFIGDIR", "TORCHINDUCTOR_CACHE_DIR", "MKL_CBWR", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE",
        "KMP_DUPLICATE_LIB_OK", "KMP_INIT_AT_FORK"}, shown


def test_a_page_writes_only_in_its_own_folder(project):
    from sitebuild.kernel import PageKernel, Settings

    kernel = PageKernel(Settings())
    try:
        if not kernel.sandboxed():
            pytest.skip("no Landlock in this kernel: page processes can write wherever the build can")
    finally:
        kernel.close()
    assert project.build().returncode == 0
    entry = next((project.root / ".cache" / "exec").rglob("*.json"))
    targets = [project.root / "docs" / "demo.en.md", entry, project.root / "site" / "index.html",
               project.root / "snippets" / "demo.py"]
    before = [p.read_bytes() for p in targets]
    writer = ("import os\nresults = []\nfor target in " + repr([str(p) for p in targets]) + " + ['~/note', 'here']:\n"
              "    try:\n        open(os.path.expanduser(target), 'a').write('FORGED')\n        results.append('written')\n"
              "    except OSError as error:\n        results.append(type(error).__name__)\nprint(results)")
    add_pages(project, {"writer": [writer]})
    build = project.build()
    assert build.returncode == 0, build.log
    assert ("[&#x27;PermissionError&#x27;, &#x27;PermissionError&#x27;, &#x27;PermissionError&#x27;, "
            "&#x27;PermissionError&#x27;, &#x27;written&#x27;, &#x27;written&#x27;]") in pages_html(build, "writer")[0]
    assert [p.read_bytes() for p in targets[:2] + targets[3:]] == before[:2] + before[3:]
    assert "FORGED" not in pages_html(project.build("again"))[0]


# ---- output is bounded and faithful ----

def test_output_is_faithful_text_with_control_characters_shown(project):
    printer = ("import os, sys\nprint('nul\\x00 esc\\x1b[31m bel\\x07 c1\\x85 cr\\r end')\n"
               "print(b'\\xff'.decode('utf-8', 'surrogateescape'))\n"
               "sys.stdout.buffer.write(b'through buffer\\n')\nsys.stdout.flush()\nos.write(1, b'through fd one\\n')")
    add_pages(project, {"controls": [printer]})
    for name in ("cold", "warm"):  # the warm one from the cache
        build = project.build(name)
        assert build.returncode == 0, build.log
        zh = pages_html(build, "controls")[0]
        assert "nul\u2400 esc\u241b[31m bel\u2407 c1\\x85 cr\u240d end\n\\udcff\nthrough buffer\n" in zh
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", zh)  # nothing raw in the HTML
        assert re.search(r'class="language-text highlight exec-output"><pre><span></span><code>[^<]*through fd one', zh)
        assert "exec-stderr" not in zh  # descriptor 1 is standard output


def test_long_or_huge_output_is_cut_with_a_note_and_nothing_huge_is_kept(project):
    add_pages(project, {"huge": ["print('x' * 20_000_000)"]})
    build = lenient_build(project)
    assert "docs/huge.zh.md:5: the block printed 20000001 characters; only the first 20000 are shown" in build.log
    zh, en = pages_html(build, "huge")
    assert len(zh) < 200_000 and "输出共 20000001 个字符，只显示前 20000 个" in zh and "the first 20000 are shown" in en
    assert sum(p.stat().st_size for p in (project.root / ".cache").rglob("*") if p.is_file()) < 1_000_000


def test_capture_is_linear_and_bounded_in_memory():
    from sitebuild.kernel import OUTPUT_CHARS, PageKernel, Settings

    kernel = PageKernel(Settings(timeout=60))
    try:
        lines = kernel.run("for i in range(80_000):\n    print(i)", "lines.md:1")
        assert lines.error is None and lines.seconds < 5  # 17.6 s when capture was quadratic
        assert lines.cut == (80_000, 468_890) and lines.outputs[0][1].count("\n") == 200
        written = kernel.run("import os\nfor _ in range(64):\n    os.write(1, b'y' * (1 << 20))", "bytes.md:1")
        assert written.error is None and written.cut == (1, 64 << 20)
        assert [(s, len(t)) for s, t in written.outputs] == [("stdout", OUTPUT_CHARS)]
    finally:
        kernel.close()


# ---- the cache and the site folder with builds side by side ----

def test_builds_side_by_side_share_the_cache_and_the_site_folder(project):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_EXEC_CACHE": str(project.root / ".cache" / "exec")}

    def builds(*settings):
        runs = [subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site"],
                                 cwd=project.root, env={**env, **s}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True) for s in settings]
        return [(run.wait(timeout=900), run.stdout.read()) for run in runs]

    for code, log in builds({}, {"SITE_THREADS": "2"}):  # two settings, one cache: neither prunes the other
        assert code == 0, log
    assert len(list((project.root / ".cache" / "exec").rglob("*.json"))) == 2
    for _ in range(2):  # two builds into one site folder: both succeed, the site is whole
        for code, log in builds({}, {}):
            assert code == 0, log
        for page in ("index.html", "demo/index.html", "en/index.html", "en/demo/index.html", "demo/demo.ipynb",
                     "en/demo/demo-figure-1.svg"):
            assert (project.root / "site" / page).is_file(), page
    assert not list(project.root.glob(".site.*"))


# ---- malformed sources fail named ----

MALFORMED = {  # what to write -> what the build must say
    "unclosed-fence": ({"docs/bad.en.md": '# bad\n\nProse.\n\n```python\n--8<-- "bad.py:b0"\n'},
                       "docs/bad.en.md:5: this ``` fence is never closed"),
    "unclosed-section": ({"snippets/bad.py": "# --8<-- [start:b0]\nx = 1\n"},
                         "docs/bad.en.md:5: snippets/bad.py:1: section 'b0' is opened here and never closed"),
    "swallowing-section": ({"snippets/bad.py": "# --8<-- [start:b0]\nx = 1\n# --8<-- [start:b1]\nprint(2)\n"
                                               "# --8<-- [end:b1]\n"},
                           "snippets/bad.py:3: section 'b1' starts inside section 'b0'"),
    "missing-section": ({"docs/bad.en.md": '# bad\n\nProse.\n\n```python\n--8<-- "bad.py:nowhere"\n```\n'},
                        "docs/bad.en.md:5: cannot include snippet"),
    "unknown-option": ({"docs/bad.en.md": '# bad\n\nProse.\n\n```python captoin="x"\n--8<-- "bad.py:b0"\n```\n'},
                       "docs/bad.en.md:5: unknown option 'captoin' on a python fence (it may say alt, caption, exec)"),
    "not-utf-8": ({"docs/bad.zh.md": b"# bad\n\nProse \xff\xfe.\n"}, "docs/bad.zh.md:3: not UTF-8 text"),
    "kills-template": ({"snippets/bad.py": "# --8<-- [start:b0]\nimport os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
                                           "# --8<-- [end:b0]\n"},
                       "docs/bad.en.md:5 and docs/bad.zh.md:5 (line 2 of the block, snippets/bad.py:3): python "
                       "block raised PermissionError"),
}


def signals_scoped() -> bool:
    """Whether page processes run under Landlock 6 or later (they can signal only their own processes)."""
    from sitebuild.kernel import PageKernel, Settings

    kernel = PageKernel(Settings())
    try:
        return kernel.sandboxed() >= 6
    finally:
        kernel.close()


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_source_fails_the_build_and_the_tests_naming_file_and_line(project, case):
    add_pages(project, {"bad": ["x = 1"]})
    files, message = MALFORMED[case]
    for path, content in files.items():
        (project.root / path).write_bytes(content if isinstance(content, bytes) else content.encode())
    if case == "kills-template" and not signals_scoped():  # older kernels: noticed after the fact
        message = "python block raised TemplateKilled"
    build = project.build()
    assert build.returncode != 0 and message in build.log, build.log[-3000:]
    assert "Traceback" not in build.log.split("page(s) failed")[-1], build.log[-3000:]
    if case in ("unclosed-section", "not-utf-8", "unknown-option"):
        result = project.pytest()
        assert result.returncode != 0 and message.split(": ", 1)[0] in result.stdout, result.stdout[-3000:]
