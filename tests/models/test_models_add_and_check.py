"""`pixazo models check FILE` shows the request a model file's example makes, sending nothing;
`pixazo models add FILE` checks it, then copies it into the models folder as NAME.toml: whole,
never through a symlink, never over another file without --overwrite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock

from tests.conftest import run
from tests.models.support import QUEUED, SYNC, config_models_dir, install


@pytest.fixture
def downloaded(tmp_path: Path) -> Path:
    """A model file as a user saves it, under a name of their own."""
    path = tmp_path / "Downloads" / "my pixel model.toml"
    path.parent.mkdir()
    path.write_text(SYNC, encoding="utf-8")
    return path


def test_check_prints_the_request_of_the_files_example_and_sends_nothing(
        downloaded: Path, httpx_mock: HTTPXMock) -> None:
    result = run("models", "check", str(downloaded))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("POST https://gateway.pixazo.ai/pixel-art/v1/generate\n")
    assert '"style_preset": "retro"' in result.stdout and '"num_inference_steps": 12' in \
        result.stdout
    assert "Ocp-Apim-Subscription-Key: ****" in result.stdout
    assert f"{downloaded}: a valid model file for `pixazo pixel` (sync)" in result.stderr
    assert httpx_mock.get_requests() == []
    assert not config_models_dir().exists()  # checking installs nothing


def test_check_as_json_describes_the_model_and_its_request(downloaded: Path) -> None:
    report = run("models", "check", str(downloaded), "--json").json()
    assert report["valid"] is True and report["model"]["name"] == "pixel"
    assert report["request"]["body"]["style_preset"] == "retro"
    assert [f["flag"] for f in report["model"]["flags"]][-2:] == ["--style", "--dither"]


def test_check_without_an_example_shows_a_plain_prompt(tmp_path: Path) -> None:
    path = tmp_path / "qwen.toml"
    path.write_text(QUEUED.replace("example = ", "# example = "), encoding="utf-8")
    result = run("models", "check", str(path))
    assert result.exit_code == 0, result.stderr
    assert '"acceleration": "regular"' in result.stdout  # the required field's default


def test_add_copies_the_file_as_its_models_name_and_it_runs(downloaded: Path) -> None:
    result = run("models", "add", str(downloaded))
    assert result.exit_code == 0, result.stderr
    target = config_models_dir() / "pixel.toml"
    assert result.stdout.strip() == str(target)
    assert target.read_bytes() == downloaded.read_bytes()
    assert target.stat().st_mode & 0o133 == 0  # rw-r--r-- at most: no exec, no writes by others
    assert [p.name for p in config_models_dir().iterdir()] == ["pixel.toml"]  # no part file
    assert run("pixel", "a fox", "--dry-run").exit_code == 0


def test_add_never_replaces_a_file_without_overwrite(downloaded: Path) -> None:
    existing = install(SYNC.replace("Pixel Art XL", "Mine"), "pixel")
    result = run("models", "add", str(downloaded))
    assert result.exit_code == 8
    assert "already exists" in result.stderr and "--overwrite" in result.stderr
    assert "Mine" in existing.read_text()
    assert run("models", "add", str(downloaded), "--overwrite").exit_code == 0
    assert existing.read_text() == SYNC


def test_add_never_writes_through_a_symlink(downloaded: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    config_models_dir().mkdir(parents=True)
    link = config_models_dir() / "pixel.toml"
    link.symlink_to(victim)
    assert run("models", "add", str(downloaded)).exit_code == 8
    assert run("models", "add", str(downloaded), "--overwrite").exit_code == 0
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and link.read_text() == SYNC


def test_add_goes_into_the_models_dir_given(downloaded: Path, tmp_path: Path) -> None:
    team = tmp_path / "team-models"
    result = run("--models-dir", str(team), "models", "add", str(downloaded))
    assert result.exit_code == 0, result.stderr
    assert (team / "pixel.toml").is_file() and not config_models_dir().exists()
    assert run("--models-dir", str(team), "pixel", "a", "--dry-run").exit_code == 0
    assert run("pixel", "a", "--dry-run").exit_code == 2  # not in the config folder


def test_the_environment_names_the_models_dir_too(downloaded: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXAZO_MODELS_DIR", str(tmp_path / "env-models"))
    assert run("models", "add", str(downloaded)).exit_code == 0
    assert (tmp_path / "env-models" / "pixel.toml").is_file()
    assert run("pixel", "a", "--dry-run").exit_code == 0


def test_add_refuses_a_name_another_folder_defines(downloaded: Path, tmp_path: Path) -> None:
    install(SYNC, "pixel")
    result = run("--models-dir", str(tmp_path / "other"), "models", "add", str(downloaded))
    assert result.exit_code == 2
    assert "already defined by" in result.stderr
    assert not (tmp_path / "other").exists()


def test_add_refuses_a_builtin_name(tmp_path: Path) -> None:
    path = tmp_path / "sdxl.toml"
    path.write_text(SYNC.replace('name = "pixel"', 'name = "sdxl"'), encoding="utf-8")
    result = run("models", "add", str(path))
    assert result.exit_code == 2
    assert f"{path}:3: name: 'sdxl' is a built-in model" in result.stderr


def test_models_check_and_add_want_a_file() -> None:
    result = run("models", "check")
    assert result.exit_code == 2 and "needs the model file" in result.stderr
    missing = run("models", "check", "no-such.toml")
    assert missing.exit_code == 2 and "no-such.toml: cannot be read" in missing.stderr


def test_a_model_name_takes_no_file() -> None:
    result = run("models", "sdxl", "x.toml")
    assert result.exit_code == 2 and "takes no file" in result.stderr


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="POSIX")
def test_add_leaves_no_part_file_when_it_cannot_write(downloaded: Path) -> None:
    config_models_dir().mkdir(parents=True)
    config_models_dir().chmod(0o500)
    try:
        if os.access(config_models_dir(), os.W_OK):
            pytest.skip("running as a user who writes anywhere")
        result = run("models", "add", str(downloaded))
        assert result.exit_code == 8 and "Cannot write" in result.stderr
    finally:
        config_models_dir().chmod(0o700)
    assert list(config_models_dir().iterdir()) == []
