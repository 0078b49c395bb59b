"""-o/--output PATH saves one file where the user says, as curl does; -o - writes the image
itself to stdout; -d/--output-dir is the folder."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.e2e.harness import KEY, PIXAZO, Server, run_pixazo
from tests.e2e.terminal import run_on_terminal

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_output_writes_the_image_to_that_file_creating_its_folder(
        server: Server, home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["sdxl", "a red fox", "-o", "shots/hero.png"], home, tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["shots/hero.png"]
    assert (tmp_path / "shots" / "hero.png").read_bytes().startswith(PNG_SIGNATURE)


def test_output_never_overwrites_and_refuses_before_paying(
        server: Server, home: Path, tmp_path: Path) -> None:
    (tmp_path / "hero.png").write_bytes(b"mine")
    result = run_pixazo(["sdxl", "a red fox", "-o", "hero.png"], home, tmp_path, server)
    assert result.returncode == 8
    assert "already exists" in result.stderr and "nothing was sent" in result.stderr
    assert (tmp_path / "hero.png").read_bytes() == b"mine"
    assert server.stats()["posts_accepted"] == 0
    replaced = run_pixazo(["sdxl", "a red fox", "-o", "hero.png", "--overwrite"], home,
                          tmp_path, server)
    assert replaced.returncode == 0, replaced.stderr
    assert (tmp_path / "hero.png").read_bytes().startswith(PNG_SIGNATURE)


def test_output_takes_the_name_placeholders(server: Server, home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["sdxl", "a red fox", "-o", "out/{model}-{slug}.{ext}"], home,
                        tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["out/sdxl-a-red-fox.png"]


def test_output_with_several_images_puts_the_index_before_the_extension(
        server: Server, home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["nucleus", "twins", "--num-images", "2", "-o", "pair.png"], home,
                        tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["pair-1.png", "pair-2.png"]


def test_output_naming_a_folder_is_refused_pointing_at_output_dir(
        server: Server, home: Path, tmp_path: Path) -> None:
    (tmp_path / "shots").mkdir()
    result = run_pixazo(["sdxl", "a red fox", "-o", "shots"], home, tmp_path, server)
    assert result.returncode == 2
    assert "-d shots" in result.stderr
    assert server.stats()["posts_accepted"] == 0


def test_a_relative_output_goes_inside_output_dir(server: Server, home: Path,
                                                  tmp_path: Path) -> None:
    result = run_pixazo(["sdxl", "a red fox", "-d", "site", "-o", "img/fox.png"], home,
                        tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "img" / "fox.png").is_file()


def test_output_dir_is_the_folder_on_status_wait(server: Server, home: Path,
                                                 tmp_path: Path) -> None:
    queued = run_pixazo(["nucleus", "a lighthouse", "--no-wait"], home, tmp_path, server)
    request_id = queued.stdout.strip()
    fetched = run_pixazo(["status", request_id, "--wait", "--output-dir", "got", "-o",
                          "light.png"], home, tmp_path, server)
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout.splitlines() == ["got/light.png"]


def _run_binary(args: list[str], home: Path, cwd: Path, server: Server,
                ) -> subprocess.CompletedProcess[bytes]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PIXAZO_")}
    environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), PIXAZO_API_KEY=KEY,
                   PIXAZO_BASE_URL=server.url)
    return subprocess.run([str(PIXAZO), *args], cwd=cwd, env=environ, capture_output=True,
                          timeout=60)


def test_output_dash_writes_only_the_image_bytes_to_stdout(
        server: Server, home: Path, tmp_path: Path) -> None:
    result = _run_binary(["sdxl", "a red fox", "-o", "-"], home, tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(PNG_SIGNATURE)
    assert not list(tmp_path.glob("*.png"))  # no file left behind


def test_output_dash_wants_exactly_one_image(server: Server, home: Path,
                                            tmp_path: Path) -> None:
    result = _run_binary(["nucleus", "twins", "--num-images", "2", "-o", "-"], home, tmp_path,
                         server)
    assert result.returncode == 2
    assert b"exactly one image" in result.stderr
    assert server.stats()["posts_accepted"] == 0


def test_output_dash_is_refused_when_stdout_is_a_terminal(
        server: Server, home: Path, tmp_path: Path) -> None:
    result = run_on_terminal(["sdxl", "a red fox", "-o", "-"], home, tmp_path,
                             env={"PIXAZO_BASE_URL": server.url})
    assert result.returncode == 2
    assert "terminal" in result.screen
    assert server.stats()["posts_accepted"] == 0
