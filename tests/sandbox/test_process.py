"""`python -m pixazo_cli.sandbox` as a real process: announce, serve, stop on Ctrl+C."""

from __future__ import annotations

import re
import select
import signal
import subprocess
import sys

import pytest
import requests

from pixazo_cli.sandbox.__main__ import main

from .support import AUTH, SDXL


def test_runs_as_a_module_and_stops_cleanly_on_sigint() -> None:
    command = [sys.executable, "-m", "pixazo_cli.sandbox", "--port", "0", "--latency", "0"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        ready, _, _ = select.select([process.stderr], [], [], 20)
        assert ready, "the sandbox never announced itself"
        first_line = process.stderr.readline()
        match = re.fullmatch(r"Pixazo sandbox listening on (http://127\.0\.0\.1:\d+)\n", first_line)
        assert match, first_line
        base_url = match.group(1)
        hint = process.stderr.readline() + process.stderr.readline()
        assert "placeholder" in hint and f"PIXAZO_BASE_URL={base_url}" in hint
        response = requests.post(base_url + SDXL, json={"prompt": "x"}, headers=AUTH, timeout=10)
        assert response.status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_bad_fault_spec_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--fault", "submit:teapot"])
    assert caught.value.code == 2
    assert "bad fault spec" in capsys.readouterr().err
