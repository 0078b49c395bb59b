"""Long output on a terminal goes through a pager, the way git and gh do it: PIXAZO_PAGER,
else PAGER, else `less -FRX` (short output is printed and less exits; colours pass; the text
stays on the screen after quitting). `PIXAZO_PAGER=cat` (or empty) and --no-pager turn it
off. Off a terminal (a pipe, a file, CI) there is never a pager."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import subprocess

DEFAULT_PAGER = "less -FRX"
PAGER_ENV = ("PIXAZO_PAGER", "PAGER")  # the first one set wins


def pager_command(env: Mapping[str, str] | None = None) -> str | None:
    """The pager to run, or None when it is turned off."""
    env = os.environ if env is None else env
    for name in PAGER_ENV:
        if name in env:
            command = env[name].strip()
            return None if command in ("", "cat") else command
    return DEFAULT_PAGER


@contextlib.contextmanager
def paged(wanted: bool = True) -> Iterator[TextIO]:
    """Where a command's long output goes: the pager's input when stdout is a terminal and a
    pager is wanted and found, else stdout itself."""
    command = pager_command() if wanted and _on_terminal() else None
    if command is None or not _found(command):
        try:
            yield sys.stdout
            sys.stdout.flush()
        except BrokenPipeError:  # the reader left (`| head -3`): stop, quietly and with 0
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (lives as long as the process)
        return
    import subprocess

    # As git does: a bare `less` (PAGER=less) still gets -FRX, through LESS.
    env = {"LESS": "FRX", "LV": "-c", **os.environ}
    pager = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env, text=True,
                             encoding="utf-8", errors="replace")
    assert pager.stdin is not None
    try:
        yield pager.stdin
    except BrokenPipeError:
        pass  # the person quit the pager before the end: nothing more to show
    finally:
        with contextlib.suppress(BrokenPipeError):
            pager.stdin.close()
        _wait(pager)


def _on_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _found(command: str) -> bool:
    """A pager that is not installed must not swallow the output: print it instead."""
    import shlex
    import shutil

    try:
        program = shlex.split(command)[0]
    except (ValueError, IndexError):
        return True  # let the shell say what is wrong with it
    return shutil.which(program) is not None


def _wait(pager: subprocess.Popen[str]) -> None:
    """Ctrl-C while paging belongs to the pager (less stays open); wait for it to end."""
    while True:
        try:
            pager.wait()
            return
        except KeyboardInterrupt:
            continue
