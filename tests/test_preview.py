"""`pixazo show` and --preview draw on stderr's terminal: Kitty graphics when the terminal is
kitty, Sixel when it says so (asked through a real escape-sequence round trip on a
pseudo-terminal), Unicode half-blocks otherwise, and nothing at all without a terminal.
stdout keeps carrying only paths."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from pixazo_cli.ui import preview

PIXAZO = Path(sys.executable).parent / "pixazo"
KITTY = b"\x1b_G"
SIXEL = b"\x1bP"  # a Sixel image is a DCS string
HALF_BLOCK = "▀".encode()
DA1_QUERY = b"\x1b[c"


@pytest.fixture
def image(tmp_path: Path) -> Path:
    from PIL import Image

    path = tmp_path / "picture.png"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(path)
    return path


def environment(term: str, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIXAZO_", "KITTY_", "TERM_PROGRAM"))}
    env.update(TERM=term, PIXAZO_SANDBOX_LATENCY="0", **more)
    return env


def on_terminal(args: list[str], env: dict[str, str], cwd: Path, answer: bytes | None = None,
                stdout_pipe: bool = False) -> tuple[int, bytes, bytes]:
    """Run pixazo with stdin and stderr (and stdout unless piped) on a pseudo-terminal; answer
    the terminal query like a terminal would when given an answer. Returns (code, what the
    terminal received, stdout when piped)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 1000, 600))
    proc = subprocess.Popen([str(PIXAZO), *args], stdin=slave, stderr=slave, cwd=cwd, env=env,
                            stdout=subprocess.PIPE if stdout_pipe else slave)
    os.close(slave)
    screen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed its side
            break
        screen += chunk
        if answer and DA1_QUERY in chunk:
            os.write(master, answer)
    piped = proc.stdout.read() if proc.stdout else b""
    code = proc.wait(timeout=30)
    os.close(master)
    return code, screen, piped


def test_show_draws_with_the_kitty_protocol_in_kitty(image: Path, tmp_path: Path) -> None:
    code, screen, _ = on_terminal(["show", str(image)], environment("xterm-kitty"), tmp_path)
    assert code == 0
    assert KITTY in screen and b"a=T,f=100" in screen
    assert HALF_BLOCK not in screen and DA1_QUERY not in screen


def test_show_draws_sixel_when_the_terminal_answers_that_it_has_sixel(image: Path,
                                                                     tmp_path: Path) -> None:
    code, screen, _ = on_terminal(["show", str(image)], environment("xterm-256color"), tmp_path,
                                  answer=b"\x1b[?62;4;22c")
    assert code == 0
    assert DA1_QUERY in screen and SIXEL in screen
    assert HALF_BLOCK not in screen


def test_show_draws_half_blocks_when_the_terminal_answers_without_sixel(image: Path,
                                                                      tmp_path: Path) -> None:
    code, screen, _ = on_terminal(["show", str(image)], environment("xterm-256color"), tmp_path,
                                  answer=b"\x1b[?62;22c")
    assert code == 0
    assert HALF_BLOCK in screen and SIXEL not in screen and KITTY not in screen


def test_a_terminal_that_never_answers_gets_half_blocks_without_hanging(image: Path,
                                                                       tmp_path: Path) -> None:
    code, screen, _ = on_terminal(["show", str(image)], environment("xterm-256color"), tmp_path)
    assert code == 0
    assert DA1_QUERY in screen and HALF_BLOCK in screen


def test_a_sixel_terminal_named_by_term_is_not_asked(image: Path, tmp_path: Path) -> None:
    code, screen, _ = on_terminal(["show", str(image)], environment("mlterm"), tmp_path)
    assert code == 0
    assert SIXEL in screen and DA1_QUERY not in screen


def test_pixazo_preview_env_overrides_the_detection(image: Path, tmp_path: Path) -> None:
    env = environment("xterm-kitty", PIXAZO_PREVIEW="halfblock")
    code, screen, _ = on_terminal(["show", str(image)], env, tmp_path)
    assert code == 0
    assert HALF_BLOCK in screen and KITTY not in screen


def test_show_without_a_terminal_draws_nothing(image: Path, tmp_path: Path) -> None:
    result = subprocess.run([str(PIXAZO), "show", str(image)], capture_output=True,
                            env=environment("xterm-kitty"), cwd=tmp_path, timeout=30)
    assert result.returncode == 0
    assert result.stdout == b""
    for sign in (KITTY, SIXEL, HALF_BLOCK, DA1_QUERY):
        assert sign not in result.stderr


def test_show_refuses_a_missing_file(tmp_path: Path) -> None:
    result = subprocess.run([str(PIXAZO), "show", "nothing.png"], capture_output=True,
                            text=True, cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    assert "No such file: nothing.png" in result.stderr


def test_preview_draws_on_stderr_while_stdout_carries_only_the_path(tmp_path: Path) -> None:
    code, screen, stdout = on_terminal(
        ["--sandbox", "sdxl", "a fox", "--preview", "-d", "out"], environment("xterm-kitty"),
        tmp_path, stdout_pipe=True)
    assert code == 0
    assert KITTY in screen
    paths = stdout.decode().splitlines()
    assert len(paths) == 1 and (tmp_path / paths[0]).is_file()


def test_preview_true_in_the_config_previews_every_variation(tmp_path: Path) -> None:
    home = tmp_path / "home"
    config = home / ".config" / "pixazo" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("preview = true\n")
    env = environment("xterm-256color", HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    code, screen, stdout = on_terminal(["--sandbox", "lightning", "a fox", "-n", "2", "-d", "o"],
                                       env, tmp_path, stdout_pipe=True)
    assert code == 0
    assert screen.count(HALF_BLOCK) > 100
    assert len(stdout.decode().splitlines()) == 2


def test_preview_without_a_terminal_leaves_stdout_and_stderr_clean(tmp_path: Path) -> None:
    result = subprocess.run([str(PIXAZO), "--sandbox", "sdxl", "a fox", "--preview", "-d", "o"],
                            capture_output=True, env=environment("xterm-kitty"), cwd=tmp_path,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.decode().splitlines()) == 1
    for sign in (KITTY, SIXEL, HALF_BLOCK):
        assert sign not in result.stdout + result.stderr


class FakeTty:
    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        raise OSError("no descriptor")


@pytest.mark.parametrize(("env", "expected"), [
    ({"TERM": "xterm-kitty"}, "kitty"),
    ({"TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"}, "kitty"),
    ({"TERM": "xterm-ghostty"}, "kitty"),
    ({"TERM": "foot"}, "sixel"),
    ({"TERM": "linux"}, "halfblock"),
    ({"TERM": "xterm-kitty", "PIXAZO_PREVIEW": "off"}, None),
    ({"TERM": "dumb"}, None),
])
def test_the_protocol_follows_the_environment(env: dict[str, str], expected: str | None) -> None:
    assert preview.protocol(FakeTty(), env) == expected  # type: ignore[arg-type]


def test_preview_grid_and_sheet_modules_are_not_loaded_at_start_up() -> None:
    result = subprocess.run([sys.executable, "-X", "importtime", "-c",
                             "import pixazo_cli.cli.app"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
               if line.startswith("import time:") and line.count("|") == 2}
    assert "pixazo_cli.cli.look_commands" in modules
    heavy = ("textual_image", "jinja2", "PIL", "pixazo_cli.compare", "pixazo_cli.ui.preview")
    assert not {m for m in modules if m.startswith(heavy)}


def test_config_takes_preview_as_true_or_false_only() -> None:
    from tests.conftest import run

    assert run("config", "set", "preview", "true").exit_code == 0
    assert run("config", "get", "preview").stdout.strip().lower() == "true"
    refused = run("config", "set", "preview", "sometimes")
    assert refused.exit_code == 2 and "true or false" in refused.stderr


def test_show_says_why_it_skips_an_image_with_more_pixels_than_is_safe(image: Path,
                                                                      tmp_path: Path) -> None:
    from tests.crafted_images import png_pixel_bomb

    huge = tmp_path / "huge.png"
    huge.write_bytes(png_pixel_bomb())
    env = environment("xterm-kitty", PIXAZO_PREVIEW="halfblock")
    code, screen, _ = on_terminal(["show", str(huge), str(image)], env, tmp_path)
    assert code == 0
    assert b"cannot show huge.png: it has more pixels than is safe to decode" in screen
    assert HALF_BLOCK in screen  # the next image is still drawn
