"""The contact sheet in a real browser: Debian's Chromium, headless, loads the page from disk;
every thumbnail decodes, and a prompt holding a <script> is text on the page, not a script.
Skipped, saying why, only where Chromium cannot be installed (.ci/run installs it)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from PIL import Image

from pixazo_cli.batch.manifest import MANIFEST_NAME
from pixazo_cli.compare.page import render_html
from pixazo_cli.compare.thumbs import Card
from tests.conftest import run
from tests.test_sheet import EVIL, make_image

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="Chromium is not installed and could not be (.ci/run tries "
    "`apt-get install -y chromium`); the sheet's browser check did not run.")


# Headless Chromium loads every image eagerly unless told otherwise; a browser with a window
# loads `loading="lazy"` ones lazily, and this setting makes headless behave the same way.
LAZY = "--blink-settings=lazyLoadEnabled=true"


def dump_dom(page: Path | str, profile: Path, *flags: str) -> str:
    """The page's DOM after its scripts ran, from a throwaway headless profile that talks to
    nothing but loopback."""
    assert BROWSER is not None
    address = page if isinstance(page, str) else page.resolve().as_uri()
    result = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=5000",
         *flags, "--dump-dom", address],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_every_thumbnail_loads_in_headless_chromium_and_the_script_prompt_is_text(
        isolated: Path, tmp_path: Path) -> None:
    for n, colour in enumerate(((200, 30, 30), (30, 200, 30), (30, 30, 200))):
        make_image(isolated / f"shot-{n}.png", prompt=f"shot {n}", colour=colour)
    make_image(isolated / "evil.png", prompt=EVIL)
    assert run("sheet", ".", "-d", "sheet").exit_code == 0

    dom = dump_dom(isolated / "sheet" / "index.html", tmp_path / "profile")

    assert re.search(r'<body[^>]*data-thumbs="loaded"', dom), dom[:500]
    assert len(re.findall(r"<img ", dom)) == 4
    assert "&lt;script&gt;alert(\"x\")&lt;/script&gt;" in dom  # serialised back as text
    assert dom.count("<script>") == 1  # the page's own, and no other


def test_a_missing_thumbnail_is_reported_broken_by_the_page(isolated: Path,
                                                            tmp_path: Path) -> None:
    make_image(isolated / "a.png")
    assert run("sheet", ".", "-d", "sheet").exit_code == 0
    for thumb in (isolated / "sheet" / "thumbs").iterdir():
        thumb.unlink()
    dom = dump_dom(isolated / "sheet" / "index.html", tmp_path / "profile")
    assert re.search(r'<body[^>]*data-thumbs="broken 1"', dom)


@contextmanager
def served(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """The folder over HTTP on loopback, so the test sees each file the browser asks for."""
    asked: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            asked.append(unquote(self.path))
            super().do_GET()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


def test_with_2000_cards_only_the_first_screens_thumbnails_are_requested(
        isolated: Path, tmp_path: Path) -> None:
    out = isolated / "out"
    (out / "thumbs").mkdir(parents=True)
    buffer = io.BytesIO()
    Image.new("RGB", (320, 320), (30, 120, 200)).save(buffer, "JPEG")
    cards = []
    for n in range(2000):
        (out / "thumbs" / f"t{n}.jpg").write_bytes(buffer.getvalue())
        cards.append(Card(isolated / f"img-{n}.png", f"out: line {n // 4 + 1}", thumb=f"t{n}.jpg",
                          shown=(320, 320), size=(1024, 1024)))
    (out / "index.html").write_text(render_html(cards, out, "big", []))

    with served(out) as (url, asked):
        dom = dump_dom(url + "/index.html", tmp_path / "profile", "--window-size=1280,800",
                       LAZY)
    thumbs = sorted(int(p.removeprefix("/thumbs/t").removesuffix(".jpg"))
                    for p in asked if p.startswith("/thumbs/"))
    assert re.search(r'<body[^>]*data-thumbs="loaded"', dom)
    assert 0 < len(thumbs) <= 40, thumbs  # the screen's cards, and Chromium's look-ahead
    assert thumbs == list(range(len(thumbs)))  # from the top, in order
    assert dom.count("<figure>") == 2000


def test_small_groups_share_a_row_and_every_link_is_relative(isolated: Path,
                                                            tmp_path: Path) -> None:
    manifest = []
    for n in range(6):  # six batch lines of one image each: six groups
        make_image(isolated / f"javascript:alert({n}).png", colour=(40 * n, 90, 30))
        manifest.append(json.dumps({"job": f"k{n}", "line": n + 1, "status": "saved",
                                    "files": [{"path": f"javascript:alert({n}).png"}]}))
    (isolated / MANIFEST_NAME).write_text("\n".join(manifest) + "\n")
    assert run("sheet", ".", "-d", "sheet").exit_code == 0
    page = isolated / "sheet" / "index.html"
    with served(isolated) as (url, _):
        dom = dump_dom(f"{url}/sheet/index.html", tmp_path / "profile", "--window-size=1600,900")
    assert dom.count('class="group"') == 6
    assert re.search(r'<body[^>]*data-rows="1"', dom), re.search(r"<body[^>]*>", dom)
    links = re.findall(r'(?:href|src)="([^"]*)"', dom)
    assert links and all(link.startswith(("./", "../", "#")) for link in links), links
    assert "javascript:" not in "".join(links) and page.exists()
