"""With a terminal on stderr the spinner and the progress bar really run, and stdout still carries
only the saved paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pixazo_cli.sandbox import Sandbox
from tests.batch_support import lines, write
from tests.conftest import run


class _TerminalStderr:
    """stderr that says it is a terminal, so the spinner and the progress bar really run."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def isatty(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr("pixazo_cli.ui.output.Ui.err", property(lambda self: _TerminalStderr(
        sys.stderr)))


def test_paths_stay_on_stdout_while_the_progress_bar_runs(gateway: Sandbox, isolated: Path,
                                                          terminal: None) -> None:
    result = run("batch", write(isolated, lines(3)), "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
    assert all(line.startswith("out/") for line in result.stdout.splitlines())
    assert "out/" not in result.stderr


def test_the_path_stays_on_stdout_while_the_spinner_runs(gateway: Sandbox, isolated: Path,
                                                         terminal: None) -> None:
    result = run("sdxl", "a red fox", "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("out/sdxl-") and "out/" not in result.stderr
