"""Typing at a shell: prompts need no quotes, `pixazo` alone helps, -V is --version."""

from __future__ import annotations

import json
from pathlib import Path

from pixazo_cli import __version__
from tests.conftest import run
from tests.e2e.harness import Server, run_pixazo


def dry_body(args: list[str], home: Path, tmp_path: Path, server: Server) -> dict:
    result = run_pixazo(args, home, tmp_path, server)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["body"]


def test_unquoted_words_are_the_prompt_and_flags_may_follow(
        server: Server, home: Path, tmp_path: Path) -> None:
    body = dry_body(["sdxl", "a", "red", "fox", "--seed", "7", "--dry-run", "--json"], home,
                    tmp_path, server)
    assert body == {"prompt": "a red fox", "seed": 7}


def test_a_prompt_starting_with_a_dash_goes_after_double_dash(
        server: Server, home: Path, tmp_path: Path) -> None:
    body = dry_body(["sdxl", "--seed", "1", "--dry-run", "--json", "--", "-1", "fox"], home,
                    tmp_path, server)
    assert body["prompt"] == "-1 fox"


def test_an_unknown_dash_word_hints_at_double_dash(server: Server, home: Path,
                                                   tmp_path: Path) -> None:
    result = run_pixazo(["sdxl", "-1x", "fox"], home, tmp_path, server)
    assert result.returncode == 2
    assert "pixazo sdxl -- -1x" in result.stderr
    assert server.stats()["posts_accepted"] == 0


def test_a_lone_dash_still_reads_stdin(server: Server, home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["sdxl", "-", "--dry-run", "--json"], home, tmp_path, server,
                        input="a fox from a pipe\n")
    assert json.loads(result.stdout)["body"]["prompt"] == "a fox from a pipe"


def test_pixazo_alone_prints_help_and_succeeds(home: Path, tmp_path: Path) -> None:
    result = run_pixazo([], home, tmp_path)
    assert result.returncode == 0
    assert "Usage: pixazo" in result.stdout and "sdxl" in result.stdout


def test_dash_capital_v_is_version_on_the_fast_path(home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["-V"], home, tmp_path)
    assert (result.returncode, result.stdout) == (0, f"pixazo {__version__}\n")


def test_dash_capital_v_is_version_in_the_app_too() -> None:
    result = run("--quiet", "-V")
    assert (result.exit_code, result.stdout) == (0, f"pixazo {__version__}\n")
