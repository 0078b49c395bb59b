"""--dry-run shows the exact request and sends nothing; --open hands images to the desktop."""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pixazo_cli.sandbox import Sandbox
from tests.conftest import KEY, run


def test_dry_run_sends_nothing_and_exits_0(gateway: Sandbox, isolated: Path) -> None:
    result = run("nucleus", "a lighthouse", "--num-images", "2", "--dry-run")
    assert result.exit_code == 0, result.stderr
    stats = gateway.stats()
    assert stats["posts_received"] == stats["status_polls"] == stats["downloads"] == 0
    assert list(isolated.iterdir()) == []
    assert "nothing was sent" in result.stderr


def test_dry_run_shows_method_url_headers_and_body(gateway: Sandbox) -> None:
    result = run("sdxl", "a sparrow", "--seed", "40", "--dry-run")
    lines = result.stdout.splitlines()
    assert lines[0] == f"POST {gateway.base_url}/getImage/v1/getSDXLImage"
    assert "Content-Type: application/json" in lines
    assert "Cache-Control: no-cache" in lines
    assert "Ocp-Apim-Subscription-Key: ****" in lines
    assert '"seed": 40' in result.stdout


def test_dry_run_never_shows_the_key(gateway: Sandbox) -> None:
    for extra in ([], ["--json"], ["--verbose"]):
        result = run("sdxl", "a sparrow", "--dry-run", *extra)
        for start_at in range(len(KEY) - 5):
            assert KEY[start_at:start_at + 6] not in result.stdout + result.stderr


def test_dry_run_body_is_what_a_real_run_sends(gateway: Sandbox) -> None:
    args = ["sd35", "boho portrait", "--steps", "30", "--param", "output_quality=95"]
    shown = run(*args, "--dry-run", "--json").json()
    assert run(*args).exit_code == 0
    assert shown["body"] == gateway.stats()["bodies"][-1]
    assert shown["url"] == gateway.base_url + "/sd3-5/v1/r-sd-3-5-large"


def test_dry_run_curl_command_is_equivalent(gateway: Sandbox) -> None:
    shown = run("nucleus", "it's a \"test\"", "--webhook-url", "https://example.com/h",
                "--dry-run", "--json").json()
    words = shlex.split(shown["curl"].replace("\\\n", " "))
    # The key header is piped in from printf (a shell builtin): never in curl's argv.
    assert words[:4] == ["printf", "%s\\n", "Ocp-Apim-Subscription-Key: $PIXAZO_API_KEY", "|"]
    words = words[4:]
    assert words[:4] == ["curl", "-X", "POST", shown["url"]]
    headers = [words[i + 1] for i, word in enumerate(words) if word == "-H"]
    assert "@-" in headers
    assert "X-Webhook-URL: https://example.com/h" in headers
    assert json.loads(words[words.index("--data-raw") + 1]) == shown["body"]


def test_dry_run_needs_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIXAZO_API_KEY", raising=False)
    assert run("sdxl", "a sparrow", "--dry-run").exit_code == 0


def test_dry_run_still_refuses_invalid_values(gateway: Sandbox) -> None:
    result = run("sdxl", "a sparrow", "--steps", "99", "--dry-run")
    assert result.exit_code == 2 and result.stdout == ""


def test_open_without_a_desktop_says_so_and_succeeds(gateway: Sandbox,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = run("sdxl", "a sparrow", "--open")
    assert result.exit_code == 0
    assert "No desktop" in result.stderr


def test_open_hands_each_saved_image_to_the_viewer(gateway: Sandbox, isolated: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    opened = tmp_path / "opened.txt"
    viewer = bin_dir / "xdg-open"
    viewer.write_text(f"#!/bin/sh\necho \"$1\" >> {opened}\n")
    viewer.chmod(viewer.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    viewers: list[subprocess.Popen[bytes]] = []

    class Watched(subprocess.Popen):  # the CLI starts the viewer without waiting; the test waits
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            viewers.append(self)

    monkeypatch.setattr("pixazo_cli.ui.viewer.subprocess.Popen", Watched)
    result = run("nucleus", "twins", "--num-images", "2", "--open")
    assert result.exit_code == 0, result.stderr
    assert len(viewers) == 2
    for viewer_process in viewers:
        viewer_process.wait(timeout=10)
    assert sorted(opened.read_text().splitlines()) == sorted(result.stdout.splitlines())


def test_no_wait_with_the_in_process_sandbox_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXAZO_SANDBOX_LATENCY", "0")
    result = run("--sandbox", "nucleus", "x", "--no-wait")
    assert result.exit_code == 2 and "sandbox serve" in result.stderr


def test_a_usage_error_comes_before_the_sandbox_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("--sandbox", "sdxl", "x", "--steps", "99")
    assert result.exit_code == 2 and "Sandbox" not in result.stderr
