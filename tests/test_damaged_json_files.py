"""A JSON file in the work folder nested deeper than the parser goes (a hostile or broken file
anyone may leave there) is damage like any other: never exit 1, never "this is a bug", and
never a paid request sent again."""

from __future__ import annotations

import shutil
from pathlib import Path

from pixazo_cli.batch.manifest import MANIFEST_NAME
from pixazo_cli.compare.sheet import GRID_FILE
from pixazo_cli.sandbox import Sandbox
from pixazo_cli.sinks.made import MADE_NAME
from tests.conftest import run

DEEP = "[" * 100_000 + "]" * 100_000


def plain_failure_or_success(code: int, stderr: str) -> None:
    assert code != 1 and "bug" not in stderr and "Traceback" not in stderr, stderr


def one_batch(isolated: Path) -> None:
    (isolated / "jobs.jsonl").write_text('{"model": "sdxl", "prompt": "a fox"}\n')
    assert run("batch", "jobs.jsonl", "-d", "out").exit_code == 0


def test_a_too_deep_manifest_line_is_skipped_and_nothing_is_paid_again(
        gateway: Sandbox, isolated: Path) -> None:
    one_batch(isolated)
    with open(isolated / "out" / MANIFEST_NAME, "a") as manifest:
        manifest.write(DEEP + "\n")
    for args in (("--check",), ()):
        result = run("batch", "jobs.jsonl", "-d", "out", *args)
        plain_failure_or_success(result.exit_code, result.stderr)
        assert result.exit_code == 0
    assert gateway.stats()["posts_accepted"] == 1


def test_a_sheet_reads_past_too_deep_grid_and_cache_files(gateway: Sandbox,
                                                         isolated: Path) -> None:
    one_batch(isolated)
    folder = isolated / "theirs"
    shutil.copytree(isolated / "out", folder)
    (folder / GRID_FILE).write_text(DEEP)
    result = run("sheet", "theirs", "-d", "sheet")
    plain_failure_or_success(result.exit_code, result.stderr)
    (isolated / "sheet" / "thumbs" / MADE_NAME).write_text(DEEP)
    again = run("sheet", "theirs", "-d", "sheet")
    plain_failure_or_success(again.exit_code, again.stderr)
