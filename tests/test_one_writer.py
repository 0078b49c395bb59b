"""Every file the tool makes goes through the one writer (sinks/files.py): images, sidecars,
manifests, the config, model files, derived assets, sheets and grids. Here, the writers that
moved onto it last: none of them ever writes through a symlink someone planted."""

from __future__ import annotations

from pathlib import Path

from pixazo_cli.sandbox import Sandbox
from tests.conftest import config_file, run

VICTIM = "# the user's own file (it parses as TOML, so reading it is no error)\n"


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM)
    return victim


def test_an_image_named_by_a_planted_symlink_never_writes_through_it(
        gateway: Sandbox, isolated: Path, tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    (isolated / "fox.png").symlink_to(victim)
    refused = run("sdxl", "a fox", "-o", "fox.png")
    assert refused.exit_code == 8 and gateway.stats()["posts_received"] == 0
    replaced = run("sdxl", "a fox", "-o", "fox.png", "--overwrite")
    assert replaced.exit_code == 0, replaced.stderr
    assert victim.read_text() == VICTIM
    assert not (isolated / "fox.png").is_symlink() and (isolated / "fox.png").stat().st_size


def test_the_config_is_never_written_through_a_planted_symlink(isolated: Path,
                                                              tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().symlink_to(victim)
    assert run("config", "set", "timeout", "30").exit_code == 0
    assert victim.read_text() == VICTIM
    assert not config_file().is_symlink() and (config_file().stat().st_mode & 0o777) == 0o600


def test_a_batch_manifest_planted_as_a_symlink_stops_the_batch_before_it_pays(
        gateway: Sandbox, isolated: Path, tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    (isolated / "out").mkdir()
    (isolated / "out" / "pixazo-manifest.jsonl").symlink_to(victim)
    (isolated / "jobs.jsonl").write_text('{"model": "sdxl", "prompt": "a fox"}\n')
    result = run("batch", "jobs.jsonl", "-d", "out")
    assert result.exit_code == 8 and gateway.stats()["posts_received"] == 0
    assert victim.read_text() == VICTIM
