"""Helpers for the fault suite (tests/test_faults.py): the table row type, the hooks that set up
local trouble (an unwritable folder, a broken config, a full disk, Ctrl-C), and the checks every
row makes on what the CLI left behind."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import socket
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from pixazo_cli.http import client
from pixazo_cli.sandbox import Sandbox

from .conftest import KEY, Result, config_file

# A request id as the sandbox makes them, inside the resume command the CLI must print.
RESUME = re.compile(r"pixazo status (nucleus-image_[0-9a-f-]+) --wait")
KEY_HEADER = "Ocp-Apim-Subscription-Key"
STATUS_PATH = "/v2/requests/status/"


@dataclass
class Env:
    """What a row's prepare hook may use; `subs` fills {placeholders} in the row's args."""

    monkeypatch: pytest.MonkeyPatch
    tmp: Path
    work: Path
    sandbox: Sandbox
    subs: dict[str, str] = field(default_factory=dict)
    watched: list[Path] = field(default_factory=list)  # other folders that must stay empty
    seen: dict[str, Any] = field(default_factory=dict)
    cleanups: list[Callable[[], None]] = field(default_factory=list)


Prepare = Callable[[Env], None]


@dataclass(frozen=True)
class FaultCase:
    """One row: a fault, the command that meets it, and what must come of it."""

    id: str
    args: tuple[str, ...]
    faults: tuple[str, ...] = ()
    exit_code: int = 0
    posts: int = 1  # POSTs the sandbox received (sent by the client)
    accepted: int | None = None  # POSTs that got as far as the work; None: not checked
    maybe_charged: int | None = None  # POSTs a real gateway may have billed; None: not checked
    files: int = 0  # complete images expected in the output folder afterwards
    stderr: tuple[str, ...] = ()  # fragments stderr must contain (case-insensitive; {subs})
    stderr_re: tuple[str, ...] = ()  # regular expressions stderr must match
    not_in_stderr: tuple[str, ...] = ()  # fragments stderr must not contain (case-insensitive)
    stats: Mapping[str, int] = field(default_factory=dict)  # other exact sandbox counters
    at_least: Mapping[str, int] = field(default_factory=dict)  # counters with a lower bound
    sleeps: tuple[float, ...] | None = None  # the client's exact (fake) sleeps
    slept: int | None = None  # how many (fake) sleeps, where their lengths vary (jitter)
    slept_at_most: float | None = None  # the (fake) sleeps add up to no more than this
    resume: bool = False  # stderr names `pixazo status ID --wait` for a job the gateway knows
    options: Mapping[str, Any] = field(default_factory=dict)  # SandboxOptions: own sandbox
    client_key: str = KEY
    prepare: tuple[Prepare, ...] = ()
    stdin: bytes | None = None  # piped in, for `-` prompts and batch files

    def __str__(self) -> str:
        return self.id


# --- prepare hooks ------------------------------------------------------------------------------

def unwritable_out_dir(env: Env) -> None:
    """{out}: a folder the CLI cannot write to. chmod 0o500 stops everyone but root; as root,
    a path under a regular FILE fails for everyone."""
    locked = env.tmp / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    env.cleanups.append(lambda: locked.chmod(0o700))
    if os.access(locked, os.W_OK):  # root: permissions do not bind
        blocker = env.tmp / "blocker"
        blocker.write_bytes(b"a file, not a folder\n")
        target = blocker / "images"
    else:
        target = locked
    env.subs["out"] = str(target)
    env.watched.append(target)


def out_dir(env: Env) -> None:
    """{out}: an output folder outside the working folder, which must stay empty."""
    target = env.tmp / "shots"
    env.subs["out"] = str(target)
    env.watched.append(target)


def out_dir_under_a_file(env: Env) -> None:
    """{out}: a folder that cannot be made, because its parent is a regular file."""
    taken = env.tmp / "taken"
    taken.write_text("a file, not a folder")
    env.subs["out"] = str(taken / "sub")


def config_text(text: str) -> Prepare:
    def prepare(env: Env) -> None:
        path = config_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return prepare


def batch_file(text: str) -> Prepare:
    """{batch}: a batch file with this text (UTF-8), outside the output folder."""
    def prepare(env: Env) -> None:
        path = env.tmp / "jobs.jsonl"
        path.write_bytes(text.encode("utf-8"))
        env.subs["batch"] = str(path)
    return prepare


def config_is_a_folder(env: Env) -> None:
    config_file().mkdir(parents=True)


def dead_port(env: Env) -> None:
    """{dead}: a loopback URL where nothing listens, so no connection ever opens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env.subs["dead"] = f"http://127.0.0.1:{port}"


def ctrl_c_after_first_poll(env: Env) -> None:
    """The person presses Ctrl-C while the CLI waits: the second status poll never happens."""
    original = client.Gateway.status
    polled: list[str] = []

    def status(self: client.Gateway, request_id: str) -> dict[str, Any]:
        if polled:
            raise KeyboardInterrupt
        polled.append(request_id)
        return original(self, request_id)

    env.monkeypatch.setattr(client.Gateway, "status", status)
    env.seen["polled"] = polled


class _FullDiskRaw(io.RawIOBase):
    """A file on a disk with room for `allowed` more writes; then ENOSPC, as for real."""

    def __init__(self, fd: int, allowed: int) -> None:
        self._file = io.FileIO(fd, "wb")
        self.allowed = allowed

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._file.fileno()

    def write(self, data: Any) -> int:
        if self.allowed <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.allowed -= 1
        return self._file.write(data)

    def close(self) -> None:
        self._file.close()
        super().close()


def disk_full(writes_allowed: int) -> Prepare:
    """Files opened for binary writing (the downloader's part files) sit on a disk that takes
    `writes_allowed` raw writes, then fails with ENOSPC. They are buffered like any file from
    os.fdopen, so a small image only reaches the disk, and fails, when the file is closed."""
    def prepare(env: Env) -> None:
        real_fdopen = os.fdopen

        def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if "w" in mode and "b" in mode:
                return io.BufferedWriter(_FullDiskRaw(fd, writes_allowed))
            return real_fdopen(fd, mode, *args, **kwargs)

        env.monkeypatch.setattr(os, "fdopen", fdopen)
    return prepare


# --- the sandbox's own stderr -------------------------------------------------------------------

# A client that closes a connection with a reply still unread (a 500 from the CDN, a capped
# download) makes the kernel answer with a reset, which socketserver's default handle_error
# prints as a traceback on sys.stderr. In-process, that is the stream the CliRunner captures for
# the CLI, so these server-side reports are recorded here instead of being mistaken for the
# CLI's output. Anything but a client hang-up still fails the test.
HANG_UPS = (ConnectionResetError, BrokenPipeError)


@contextlib.contextmanager
def server_errors_recorded() -> Iterator[list[BaseException]]:
    from pixazo_cli.sandbox.server import SandboxServer

    recorded: list[BaseException] = []

    def handle_error(self: SandboxServer, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None:
            recorded.append(error)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SandboxServer, "handle_error", handle_error)
        yield recorded


def unexpected_server_errors(recorded: list[BaseException]) -> list[BaseException]:
    return [error for error in recorded if not isinstance(error, HANG_UPS)]


# --- checks -------------------------------------------------------------------------------------


def every_entry(folder: Path) -> list[Path]:
    """Everything under a folder, hidden files included (the downloader's `.pixazo-*.part`)."""
    if not folder.exists():
        return []
    return sorted(folder.rglob("*"))


def check_output_folder(work: Path, result: Result, case: FaultCase) -> None:
    """Only whole, named images remain: no temp file, no hidden file, no half image."""
    entries = every_entry(work)
    names = [str(p.relative_to(work)) for p in entries]
    assert len(entries) == case.files, f"expected {case.files} image(s) in {work}, got {names}"
    for path in entries:
        assert path.parent == work and path.is_file(), f"unexpected entry {path}"
        assert not path.name.startswith("."), f"hidden file left behind: {path.name}"
        assert not path.name.endswith(".part"), f"temp file left behind: {path.name}"
        with Image.open(path) as image:
            image.load()  # decodes every byte: a truncated image fails here
    if case.exit_code == 0:
        printed = sorted(Path(line).resolve() for line in result.stdout.splitlines())
        assert printed == [p.resolve() for p in entries], result.stdout


def check_resume_id(sandbox: Sandbox, stderr: str, key: str) -> str:
    """The printed resume command names a job the gateway really has."""
    match = RESUME.search(stderr)
    assert match, f"no `pixazo status ID --wait` in stderr:\n{stderr}"
    request_id = match.group(1)
    sandbox.set_faults([])
    reply = httpx.get(f"{sandbox.base_url}{STATUS_PATH}{request_id}",
                      headers={KEY_HEADER: key}, timeout=5)
    assert reply.status_code == 200, reply.text
    assert reply.json()["request_id"] == request_id
    return request_id


def key_pieces(key: str, size: int = 6) -> set[str]:
    return {key[i:i + size] for i in range(len(key) - size + 1)}


def cli_first(*args: str) -> Prepare:
    """Run another pixazo command first (e.g. `config set`), which must succeed."""
    def prepare(env: Env) -> None:
        from .conftest import run

        result = run(*args)
        assert result.exit_code == 0, result.stderr
    return prepare
