"""Long output on a terminal goes through a pager, as git and gh do it: PIXAZO_PAGER, else
PAGER, else less -FRX; --no-pager or PIXAZO_PAGER=cat turn it off; never off a terminal.
The pager here is a script that records what it was given (and with which LESS)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.e2e.harness import Server, run_pixazo
from tests.e2e.terminal import run_on_terminal

PROMPTS = ("a first fox", "a second owl", "a third heron")


@pytest.fixture
def pager(tmp_path: Path) -> tuple[Path, Path]:
    """A fake pager and the file where it writes what it got."""
    record = tmp_path / "paged.txt"
    script = tmp_path / "fake-pager"
    script.write_text(f'#!/bin/sh\n{{ echo "LESS=$LESS"; cat; }} > "{record}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, record


@pytest.fixture
def history(server: Server, home: Path, tmp_path: Path) -> None:
    for prompt in PROMPTS:
        assert run_pixazo(["sdxl", prompt], home, tmp_path, server).returncode == 0


def test_history_on_a_terminal_goes_through_the_pager_newest_first(
        history: None, pager: tuple[Path, Path], home: Path, tmp_path: Path) -> None:
    script, record = pager
    shown = run_on_terminal(["history"], home, tmp_path, env={"PAGER": str(script)})
    assert shown.returncode == 0, shown.screen
    paged = record.read_text()
    if "LESS" not in os.environ:  # as git does, for a pager that turns out to be less
        assert paged.startswith("LESS=FRX\n")
    at = [paged.index(prompt) for prompt in reversed(PROMPTS)]
    assert at == sorted(at), paged  # the newest row opens the page, where the eye lands
    assert not any(prompt in shown.screen for prompt in PROMPTS)  # all of it went to the pager


def test_pixazo_pager_wins_over_pager(history: None, pager: tuple[Path, Path], home: Path,
                                      tmp_path: Path) -> None:
    script, record = pager
    shown = run_on_terminal(["history"], home, tmp_path,
                            env={"PAGER": "/nonexistent/pager", "PIXAZO_PAGER": str(script)})
    assert shown.returncode == 0 and PROMPTS[0] in record.read_text()


@pytest.mark.parametrize(("args", "env"), [
    (["history", "--no-pager"], {}), (["history"], {"PIXAZO_PAGER": "cat"}),
    (["history"], {"PIXAZO_PAGER": ""})])
def test_the_pager_can_be_turned_off(history: None, pager: tuple[Path, Path], home: Path,
                                     tmp_path: Path, args: list[str],
                                     env: dict[str, str]) -> None:
    script, record = pager
    shown = run_on_terminal(args, home, tmp_path, env={"PAGER": str(script), **env})
    assert shown.returncode == 0
    assert not record.exists() and all(prompt in shown.screen for prompt in PROMPTS)


def test_no_pager_off_a_terminal(history: None, pager: tuple[Path, Path], home: Path,
                                 tmp_path: Path) -> None:
    script, record = pager
    result = run_pixazo(["history"], home, tmp_path, env={"PAGER": str(script)})
    assert result.returncode == 0 and not record.exists()
    assert all(prompt in result.stdout for prompt in PROMPTS)


def test_a_pager_that_is_not_installed_does_not_swallow_the_output(
        history: None, home: Path, tmp_path: Path) -> None:
    shown = run_on_terminal(["history"], home, tmp_path, env={"PAGER": "no-such-pager -R"})
    assert shown.returncode == 0 and all(prompt in shown.screen for prompt in PROMPTS)


def test_models_on_a_terminal_goes_through_the_pager(pager: tuple[Path, Path], home: Path,
                                                     tmp_path: Path) -> None:
    script, record = pager
    shown = run_on_terminal(["models"], home, tmp_path, env={"PAGER": str(script)})
    assert shown.returncode == 0
    assert "nucleus: Nucleus Image" in record.read_text()
    assert "nucleus: Nucleus Image" not in shown.screen


def test_the_default_pager_is_less_with_frx() -> None:
    from pixazo_cli.ui.pager import pager_command

    assert pager_command({}) == "less -FRX"
    assert pager_command({"PAGER": "most"}) == "most"
    assert pager_command({"PAGER": "most", "PIXAZO_PAGER": "cat"}) is None
