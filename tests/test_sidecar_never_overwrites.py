"""`--sidecar` never replaces a file without `--overwrite` and never writes through a symlink;
where the image's name is known beforehand, a taken sidecar name stops the command before it
pays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixazo_cli.errors import SaveError
from pixazo_cli.flow.download import Saved
from pixazo_cli.flow.sidecar import write_sidecar
from pixazo_cli.sandbox import Sandbox

from .conftest import KEY, run

OLD = '{"mine": "do not touch"}\n'


def posts(sandbox: Sandbox) -> int:
    return sandbox.stats()["posts_received"]


def no_key(*texts: str) -> None:
    assert all(KEY not in text for text in texts)


def test_a_taken_sidecar_name_is_refused_before_paying(gateway: Sandbox, isolated: Path) -> None:
    (isolated / "fox.json").write_text(OLD)
    result = run("sdxl", "a fox", "--name", "fox.{ext}", "--sidecar")
    assert result.exit_code == 8, result.stderr
    assert "fox.json already exists" in result.stderr and "nothing was sent" in result.stderr
    assert posts(gateway) == 0
    assert sorted(p.name for p in isolated.iterdir()) == ["fox.json"]
    assert (isolated / "fox.json").read_text() == OLD
    no_key(result.stdout, result.stderr)


@pytest.mark.parametrize("overwrite", [(), ("--overwrite",)], ids=["plain", "overwrite"])
def test_a_symlinked_sidecar_is_refused_before_paying_even_with_overwrite(
        gateway: Sandbox, isolated: Path, tmp_path: Path, overwrite: tuple[str, ...]) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text(OLD)
    (isolated / "fox.json").symlink_to(target)
    result = run("sdxl", "a fox", "--name", "fox.{ext}", "--sidecar", *overwrite)
    assert result.exit_code == 8, result.stderr
    assert "symbolic link" in result.stderr
    assert posts(gateway) == 0
    assert target.read_text() == OLD
    assert sorted(p.name for p in isolated.iterdir()) == ["fox.json"]
    no_key(result.stdout, result.stderr)


def test_overwrite_replaces_a_regular_sidecar(gateway: Sandbox, isolated: Path) -> None:
    (isolated / "fox.json").write_text(OLD)
    result = run("sdxl", "a fox", "--name", "fox.{ext}", "--sidecar", "--overwrite")
    assert result.exit_code == 0, result.stderr
    assert posts(gateway) == 1
    assert json.loads((isolated / "fox.json").read_text())["file"]["name"] == "fox.png"
    no_key(result.stdout, result.stderr, (isolated / "fox.json").read_text())


def test_a_batch_line_whose_sidecar_is_taken_stops_the_batch_before_paying(
        gateway: Sandbox, isolated: Path, tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text('{"model": "sdxl", "prompt": "a fox", "name": "fox.{ext}"}\n')
    (isolated / "fox.json").write_text(OLD)
    result = run("batch", str(jobs), "--sidecar")
    assert result.exit_code == 2, result.stderr
    assert "sidecar" in result.stderr and "fox.json" in result.stderr
    assert posts(gateway) == 0
    assert (isolated / "fox.json").read_text() == OLD


# Where the name is only known after paying (a template with {request_id}, or the default one
# that picks a free name), the write itself refuses: the image is kept, the sidecar is not.

def _saved(path: Path) -> Saved:
    return Saved(path, "https://cdn.example/a.png", 3, "0" * 64)


def test_writing_a_sidecar_over_a_file_without_overwrite_fails_and_keeps_the_file(
        tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(OLD)
    with pytest.raises(SaveError, match="already exists"):
        write_sidecar(tmp_path / "a.png", {"model": "sdxl"}, _saved(tmp_path / "a.png"))
    assert (tmp_path / "a.json").read_text() == OLD


@pytest.mark.parametrize("overwrite", [False, True])
def test_writing_a_sidecar_never_follows_a_symlink(tmp_path: Path, overwrite: bool) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text(OLD)
    (tmp_path / "a.json").symlink_to(target)
    with pytest.raises(SaveError):
        write_sidecar(tmp_path / "a.png", {"model": "sdxl"}, _saved(tmp_path / "a.png"),
                      overwrite)
    assert target.read_text() == OLD and (tmp_path / "a.json").is_symlink()
