"""The contact sheet in a real browser: Debian's Chromium, headless, loads the page from disk;
every thumbnail decodes, and a prompt holding a <script> is text on the page, not a script.
Skipped, saying why, only where Chromium cannot be installed (.ci/run installs it)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run
from tests.test_sheet import EVIL, make_image

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="Chromium is not installed and could not be (.ci/run tries "
    "`apt-get install -y chromium`); the sheet's browser check did not run.")


def dump_dom(page: Path, profile: Path) -> str:
    """The page's DOM after its scripts ran, from a throwaway headless profile that talks to
    nothing on the network."""
    assert BROWSER is not None
    result = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=5000",
         "--dump-dom", page.resolve().as_uri()],
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
