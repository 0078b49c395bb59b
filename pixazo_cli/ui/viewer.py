"""--open: show saved images in the desktop's image viewer, where there is a desktop."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def opener() -> list[str] | None:
    """The command that opens a file on this desktop, or None when there is no desktop."""
    if sys.platform == "darwin":
        return ["open"]
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None
    found = shutil.which("xdg-open")
    return [found] if found else None


def open_images(paths: list[Path]) -> bool:
    """Hand each file to the viewer without waiting for it; False when there is no desktop."""
    if sys.platform.startswith("win"):
        for path in paths:
            os.startfile(path)  # type: ignore[attr-defined]  # no shell: names stay names
        return True
    command = opener()
    if command is None:
        return False
    for path in paths:
        subprocess.Popen([*command, str(path)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    return True
