"""Completion from the installed command, for each shell: `--show-completion SHELL` prints that
shell's script, `--install-completion SHELL` installs it, and real shells complete with it: zsh
on the first Tab (driven through a pseudo-terminal), fish through `complete -C`."""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pixazo_cli.cli import completion_scripts
from tests.conftest import run
from tools.docgen import shelldocs

REPO = Path(__file__).resolve().parent.parent
BIN = str(Path(sys.executable).parent)  # where the installed `pixazo` is
SHELLS = ("bash", "zsh", "fish")


@pytest.mark.parametrize("shell", SHELLS)
def test_show_completion_prints_the_named_shells_script(shell: str) -> None:
    shown = run("--show-completion", shell)
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout == (REPO / shelldocs.COMPLETIONS[shell]).read_text(encoding="utf-8")


def test_show_completion_alone_prints_the_current_shells_script(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(completion_scripts, "_current_shell", lambda: "fish")
    assert run("--show-completion").stdout == completion_scripts.script("fish")
    monkeypatch.setattr(completion_scripts, "_current_shell", lambda: "tcsh")
    unknown = run("--show-completion")
    assert unknown.exit_code == 2 and "pixazo --show-completion zsh" in unknown.stderr


def test_a_shell_without_completion_is_refused() -> None:
    refused = run("--show-completion", "powershell")
    assert refused.exit_code == 2 and "bash, zsh or fish" in refused.stderr
    assert refused.stdout == ""


@pytest.mark.parametrize("shell", SHELLS)
def test_install_completion_writes_the_script_and_one_startup_line(shell: str,
                                                                   isolated: Path) -> None:
    home = Path(os.environ["HOME"])
    for _ in range(2):  # twice: the start-up line is added once
        installed = run("--install-completion", shell)
        assert installed.exit_code == 0 and installed.stdout == "", installed.stderr
    target, rc, _ = completion_scripts._HOME_FILES[shell]
    assert (home / target).read_text(encoding="utf-8") == completion_scripts.script(shell)
    if rc:
        lines = (home / rc).read_text(encoding="utf-8").splitlines()
        assert len(lines) == 1 and (shell != "bash" or str(home / target) in lines[0])


def test_install_completion_only_appends_to_a_start_up_file_whatever_its_bytes(
        isolated: Path) -> None:
    home = Path(os.environ["HOME"])
    mine = b"alias ll='ls -l'\n# caf\xe9 in Latin-1\nexport X=1"  # no final newline
    (home / ".bashrc").write_bytes(mine)
    installed = run("--install-completion", "bash")
    assert installed.exit_code == 0, installed.stderr
    after = (home / ".bashrc").read_bytes()
    assert after.startswith(mine + b"\n") and after.count(b"\n") == 4


# --- real shells ----------------------------------------------------------------------------

def zsh_buffers(home: Path, lines: list[str], seconds: float = 60) -> list[str]:
    """Start an interactive zsh in a pseudo-terminal with `home` as its HOME, type each line
    followed by one Tab, and return the line as zsh holds it after that Tab (a widget bound
    to Ctrl-T writes $BUFFER to a file; keys are read in order, so it runs once the Tab's
    completion is done)."""
    out = home / "buffers"
    rc = home / ".zshrc"
    rc.write_text(rc.read_text() + "show-buffer() { print -r -- \"$BUFFER\" >> ~/buffers }\n"
                  "zle -N show-buffer; bindkey '^T' show-buffer; PS1='ready> '\n")
    env = {"HOME": str(home), "ZDOTDIR": str(home), "TERM": "xterm", "LANG": "C.UTF-8",
           "PATH": f"{BIN}:{os.environ['PATH']}"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes zsh
        os.execvpe("zsh", ["zsh", "-i"], env)
    try:
        screen = _read_until(fd, b"ready> ", time.monotonic() + seconds)
        assert b"ready> " in screen, f"zsh did not start: {screen[-500:]!r}"
        os.write(fd, "".join(f"{line}\t\x14\x15" for line in lines).encode())  # ^U: clear
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            _read_until(fd, b"", time.monotonic() + 0.1)  # keep the terminal drained
            if out.exists() and len(out.read_text().splitlines()) == len(lines):
                break
        return out.read_text().splitlines() if out.exists() else []
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def _read_until(fd: int, marker: bytes, deadline: float) -> bytes:
    seen = b""
    while time.monotonic() < deadline and not (marker and marker in seen):
        ready, _, _ = select.select([fd], [], [], max(0.0, min(0.1, deadline - time.monotonic())))
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


LINES = ["pixazo mode", "pixazo --sandb", "pixazo sdxl --negative-pr"]
COMPLETED = ["pixazo models ", "pixazo --sandbox ", "pixazo sdxl --negative-prompt "]


@pytest.mark.parametrize("how", ["fpath, as docs/configuration.md says", "sourced"])
def test_zsh_completes_on_the_first_tab(isolated: Path, how: str) -> None:
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed (apt-get install zsh; .ci/run does)")
    home = Path(os.environ["HOME"])  # the test's own
    if how == "sourced":
        (home / ".zshrc").write_text(
            "autoload -Uz compinit; compinit\nsource <(pixazo --show-completion zsh)\n")
    else:
        (home / ".zfunc").mkdir()
        script = subprocess.run([f"{BIN}/pixazo", "--show-completion", "zsh"],
                                capture_output=True, text=True, check=True).stdout
        (home / ".zfunc" / "_pixazo").write_text(script)
        (home / ".zshrc").write_text("fpath+=~/.zfunc; autoload -Uz compinit; compinit\n")
    assert zsh_buffers(home, LINES) == COMPLETED


def test_fish_completes_with_the_script(tmp_path: Path) -> None:
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed (apt-get install fish)")
    script = REPO / shelldocs.COMPLETIONS["fish"]
    asked = subprocess.run(
        ["fish", "--no-config", "-c", f"source {script}; complete -C 'pixazo mode'"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "HOME": str(tmp_path), "PATH": f"{BIN}:{os.environ['PATH']}"})
    assert asked.stdout.split("\t")[0].strip() == "models", asked.stdout + asked.stderr
