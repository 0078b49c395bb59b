"""Shared fixtures: an isolated config folder and working folder for every test, a fake clock
so nothing sleeps for real, a runner that calls the CLI the way a shell would, and an in-process
sandbox gateway for tests that speak real HTTP."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from pixazo_cli.cli.app import app
from pixazo_cli.models.table import MODELS
from pixazo_cli.sandbox import Sandbox, SandboxOptions, start
from tests.hostile_server import Hostile, serve

GATEWAY = "https://gateway.pixazo.ai"
CDN = "https://pub-test.r2.dev"
KEY = "test-key-0123456789abcdef"


def _image(fmt: str, colour: tuple[int, int, int] = (200, 60, 20)) -> bytes:
    """A whole, tiny image: the downloader checks that an image ends where its format says."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, fmt)
    return buffer.getvalue()


PNG = _image("PNG")
JPEG = _image("JPEG")
WEBP = _image("WEBP")
PNG2 = _image("PNG", (20, 60, 200))  # another picture


def same_image(path: Path, original: bytes) -> bool:
    """The saved file is the downloaded picture (the record embedded beside it changes bytes
    but never pixels)."""
    import io

    from PIL import Image

    with Image.open(path) as saved, Image.open(io.BytesIO(original)) as sent:
        return saved.format == sent.format and saved.tobytes() == sent.tobytes()


class FakeClock:
    """Time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += max(0.0, seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        if event.is_set():
            return True
        self.sleep(seconds)
        return event.is_set()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))  # the history's folder
    for name in ("PIXAZO_API_KEY", "PIXAZO_BASE_URL", "PIXAZO_SANDBOX", "NO_COLOR",
                 "PIXAZO_HISTORY", "PIXAZO_HISTORY_DB", "PIXAZO_MODELS_DIR"):
        monkeypatch.delenv(name, raising=False)
    MODELS.reset()  # model files are read from this test's folders
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr("pixazo_cli.commands.session.SystemClock", lambda: fake)
    return fake


def config_file() -> Path:
    """Where pixazo keeps its config for this test (under the isolated XDG_CONFIG_HOME)."""
    return Path(os.environ["XDG_CONFIG_HOME"]) / "pixazo" / "config.toml"


PICKED_SEED = 424242  # the "random" seed the tool picks, pinned so bodies can be compared whole


@pytest.fixture(autouse=True)
def picked_seed(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("pixazo_cli.models.request.pick_seed", lambda: PICKED_SEED)
    return PICKED_SEED


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PIXAZO_API_KEY", KEY)
    return KEY


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run(*args: str, input: str | bytes | None = None) -> Result:
    runner = CliRunner()
    result = runner.invoke(app, list(args), input=input, prog_name="pixazo")
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def sent_bodies(httpx_mock: Any) -> list[dict[str, Any]]:
    return [json.loads(r.content) for r in httpx_mock.get_requests() if r.method == "POST"]


def run_bounded(*args: str, seconds: float = 30) -> Result:
    """Run the CLI in a thread, so a hang fails the test instead of the suite."""
    results: list[Result] = []
    thread = threading.Thread(target=lambda: results.append(run(*args)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert results, f"pixazo {' '.join(args)} did not finish in {seconds} s"
    return results[0]


# --- the in-process sandbox gateway -------------------------------------------------------------

def reset_sandbox(sandbox: Sandbox, faults: Iterable[str] = ()) -> None:
    """Back to a fresh gateway (no jobs, no counts, full wallet, no faults), then arm `faults`."""
    httpx.post(f"{sandbox.base_url}/_sandbox/reset", timeout=5).raise_for_status()
    if faults:
        sandbox.set_faults(list(faults))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One sandbox per test module: no latency, and no rate limit, so a module's many POSTs are
    not refused (tests of the 429 path use the `submit:429` fault). It plays the paying
    gateway, so it does not announce itself as the sandbox."""
    with start(SandboxOptions(port=0, latency=0, quiet=True, rate_limit=0,
                              announce=False)) as running:
        yield running


def as_gateway(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """`sandbox`, fresh, as the CLI's gateway for this test."""
    reset_sandbox(sandbox)
    monkeypatch.setenv("PIXAZO_BASE_URL", sandbox.base_url)
    return sandbox


@pytest.fixture
def gateway(sandbox: Sandbox, key: str, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The module's sandbox, fresh for this test, as the CLI's gateway with a key set."""
    return as_gateway(sandbox, monkeypatch)


@pytest.fixture
def hostile(key: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hostile]:
    """A hostile test server with no routes yet, as the CLI's gateway with a key set."""
    server = serve({})
    monkeypatch.setenv("PIXAZO_BASE_URL", server.base_url)
    yield server
    server.close()


@pytest.fixture
def actions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """GitHub Actions mode, with a step summary file an earlier step already wrote to."""
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return summary
