"""The <picture> snippet in a real browser: Debian's Chromium, headless, loads a page holding
it at two viewport widths and picks the candidate the srcset and sizes call for, from the AVIF
source. Skipped, saying why, only where Chromium cannot be installed (.ci/run installs it)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pixazo_cli.assets.derive import derive_asset
from pixazo_cli.assets.html import picture_html
from pixazo_cli.assets.options import parse_options
from tests.assets_support import quadrants, saved_original
from tests.test_sheet_browser import BROWSER

pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="Chromium is not installed and could not be (.ci/run tries "
    "`apt-get install -y chromium`); the <picture> snippet's browser check did not run.")

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><style>body{margin:0} img{max-width:100%;height:auto}</style>
</head><body>
SNIPPET
<script>
window.addEventListener("load", () => {
  const img = document.querySelector("img");
  document.body.setAttribute("data-current", img.currentSrc.split("/").pop());
  document.body.setAttribute("data-decoded", String(img.complete && img.naturalWidth > 0));
  document.body.setAttribute("data-viewport", String(window.innerWidth));
});
</script>
</body></html>
"""


def loaded_at(page: Path, width: int, profile: Path) -> str:
    """The candidate the img loaded and decoded at a viewport `width` CSS pixels wide (at
    least 500: headless Chromium's narrowest window), one device pixel each."""
    assert BROWSER is not None
    result = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--force-device-scale-factor=1",
         f"--window-size={width},900", "--virtual-time-budget=5000", "--dump-dom",
         page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'data-current="([^"]*)" data-decoded="([^"]*)" data-viewport="(\d+)"',
                      result.stdout)
    assert found, result.stdout[:1000]
    assert found[2] == "true" and found[3] == str(width), found[0]
    return found[1]


def test_chromium_loads_the_candidate_each_viewport_calls_for(isolated: Path,
                                                             tmp_path: Path) -> None:
    site = isolated / "site"
    site.mkdir()
    original = saved_original(site / "hero.png", quadrants((1600, 900)))
    asset = derive_asset(original, parse_options({"to": "avif,webp",
                                                  "widths": "320,640,1280"}))
    page = site / "index.html"
    page.write_text(PAGE.replace("SNIPPET", picture_html(asset)), "utf-8")

    # sizes says: the viewport's width up to 1280 px; the smallest candidate that covers it.
    assert loaded_at(page, 600, tmp_path / "narrow") == "hero-640w.avif"
    assert loaded_at(page, 1200, tmp_path / "wide") == "hero-1280w.avif"
