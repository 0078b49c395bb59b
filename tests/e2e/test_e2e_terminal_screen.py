"""What a person at a terminal sees: the spinner (or batch's progress bar) is taken away before
a saved path is printed, so each path starts its own clean line."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.harness import Server
from tests.e2e.terminal import run_on_terminal

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def text_before_on_its_line(screen: str, path: str) -> str:
    """What is still visible on the screen line where `path` starts, left of it."""
    line = screen[:screen.index(path)].rsplit("\n", 1)[-1]
    line = re.split(r"\r|\x1b\[2K", line)[-1]  # a carriage return or an erase starts afresh
    return ANSI.sub("", line)


def test_the_spinner_is_cleared_before_the_path_is_printed(
        server: Server, home: Path, tmp_path: Path) -> None:
    server.reset(faults=["download:slow=1"])  # long enough for the spinner to be drawn
    result = run_on_terminal(["sdxl", "a red fox", "-o", "fox.png"], home, tmp_path,
                             env={"PIXAZO_BASE_URL": server.url})
    assert result.returncode == 0, result.screen
    assert "sdxl · " in result.screen  # the spinner was there
    assert text_before_on_its_line(result.screen, "fox.png\r\n") == ""


def test_the_batch_progress_bar_is_cleared_before_each_path(
        server: Server, home: Path, tmp_path: Path) -> None:
    server.reset(faults=["download:slow=1"])
    jobs = tmp_path / "jobs.txt"
    jobs.write_text("a red fox\na grey owl\n", encoding="utf-8")
    result = run_on_terminal(["batch", str(jobs), "--model", "sdxl", "-d", "out", "-j", "1"],
                             home, tmp_path, env={"PIXAZO_BASE_URL": server.url})
    assert result.returncode == 0, result.screen
    paths = re.findall(r"out/sdxl-\S+\.png", result.screen)
    assert len(paths) == 2
    for path in paths:
        assert text_before_on_its_line(result.screen, path) == ""
