"""Exit codes are a contract with scripts. Every failure the sandbox gateway can be made to
produce (its faults, a refused key, an empty wallet, local trouble) is a row of the fault table
in test_faults.py, which checks the row's exit code along with what was paid and what was left
behind. This file keeps the exit codes the table cannot reach: success, an unexpected bug,
usage errors, replies the sandbox never gives (400, 403, an empty media_url list), and
interruptions at points no fault can pick. The gateway and CDN here are mocked; on every error
stdout stays empty and stderr carries a message, never a Python traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.conftest import CDN, GATEWAY, PNG, FakeClock, config_file, run, same_image

NUCLEUS = f"{GATEWAY}/nucleus-image/v1/nucleus-image-request"
SDXL = f"{GATEWAY}/getImage/v1/getSDXLImage"
SD3 = f"{GATEWAY}/sd3/v1/getData"


def status_url(request_id: str) -> str:
    return f"{GATEWAY}/v2/requests/status/{request_id}"


def queue(httpx_mock: HTTPXMock, request_id: str = "req-1") -> None:
    httpx_mock.add_response(method="POST", url=NUCLEUS, status_code=202,
                            json={"request_id": request_id, "status": "QUEUED",
                                  "polling_url": status_url(request_id)})


def failed(result: Any, code: int) -> None:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") or "\nError: " in result.stderr
    assert "Traceback" not in result.stderr


def posts(httpx_mock: HTTPXMock) -> list[httpx.Request]:
    return [r for r in httpx_mock.get_requests() if r.method == "POST"]


def leftovers(folder: Path) -> list[str]:
    """Every entry, hidden ones included (the downloader's `.pixazo-*.part` temp files)."""
    return sorted(p.name for p in folder.iterdir())


# --- 0 -------------------------------------------------------------------------------------------

def test_exit_0_when_the_image_is_saved(httpx_mock: HTTPXMock, key: str, isolated: Path) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, json={"imageUrl": f"{CDN}/a.png"})
    httpx_mock.add_response(method="GET", url=f"{CDN}/a.png", content=PNG)
    result = run("sdxl", "a fox")
    assert result.exit_code == 0, result.stderr
    assert same_image(isolated / result.stdout.strip(), PNG)


def test_exit_0_for_a_queued_job_that_completes(httpx_mock: HTTPXMock, key: str,
                                                isolated: Path, clock: FakeClock) -> None:
    queue(httpx_mock)
    httpx_mock.add_response(method="GET", url=status_url("req-1"),
                            json={"request_id": "req-1", "status": "QUEUED"})
    httpx_mock.add_response(method="GET", url=status_url("req-1"),
                            json={"request_id": "req-1", "status": "PROCESSING"})
    httpx_mock.add_response(method="GET", url=status_url("req-1"),
                            json={"request_id": "req-1", "status": "COMPLETED",
                                  "output": {"media_url": [f"{CDN}/n.png"]}})
    httpx_mock.add_response(method="GET", url=f"{CDN}/n.png", content=PNG)
    result = run("nucleus", "a fox")
    assert result.exit_code == 0, result.stderr
    assert same_image(isolated / result.stdout.strip(), PNG)
    assert len(clock.sleeps) == 2  # slept between polls, on the fake clock


# --- 1 -------------------------------------------------------------------------------------------

def test_exit_1_for_an_unexpected_error_without_a_traceback(key: str, isolated: Path) -> None:
    """Run as a real process, so stderr is what a shell would show."""
    script = textwrap.dedent("""
        import sys
        import pixazo_cli.flow.preflight as preflight

        def boom(*args, **kwargs):
            raise RuntimeError("boom")

        preflight.check_template = boom
        from pixazo_cli.entry import main

        sys.argv = ["pixazo", "sdxl", "a fox"]
        main()
    """)
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run([sys.executable, "-c", script], cwd=isolated, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip()


# --- 2 -------------------------------------------------------------------------------------------

def test_exit_2_for_a_usage_error(httpx_mock: HTTPXMock, key: str) -> None:
    result = run("sdxl", "a fox", "--steps", "21")
    failed(result, 2)
    assert httpx_mock.get_requests() == []


def test_exit_2_when_the_gateway_answers_400(httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, status_code=400,
                            json={"error": "Model not found", "message": "No such model."})
    result = run("sdxl", "a fox")
    failed(result, 2)
    assert "Model not found" in result.stderr
    assert len(posts(httpx_mock)) == 1


# --- 3 -------------------------------------------------------------------------------------------

def test_exit_3_without_any_key_says_how_to_give_one(httpx_mock: HTTPXMock) -> None:
    result = run("sdxl", "a fox")
    failed(result, 3)
    assert httpx_mock.get_requests() == []
    assert "pixazo auth login" in result.stderr
    assert "PIXAZO_API_KEY" in result.stderr
    assert str(config_file()) in result.stderr


@pytest.mark.parametrize("code", [403])  # 401: the fault table's key-refused rows
def test_exit_3_when_the_gateway_refuses_the_key(
        httpx_mock: HTTPXMock, key: str, code: int) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, status_code=code)
    result = run("sdxl", "a fox")
    failed(result, 3)
    assert str(code) in result.stderr
    assert key not in result.stderr
    assert len(posts(httpx_mock)) == 1


def test_exit_3_when_a_status_poll_is_refused(httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="GET", url=status_url("req-1"), status_code=401)
    failed(run("status", "req-1"), 3)


# --- 4 -------------------------------------------------------------------------------------------
# In the fault table: balance-402-exit-4.

# --- 5 -------------------------------------------------------------------------------------------
# In the fault table: submit-429-*.

# --- 6 -------------------------------------------------------------------------------------------
# Also in the fault table: job-failed-*, job-error-*, submit-empty-url-*, submit-missing-field-*.

def test_exit_6_when_a_completed_job_has_no_media_url(httpx_mock: HTTPXMock, key: str) -> None:
    queue(httpx_mock)
    httpx_mock.add_response(method="GET", url=status_url("req-1"),
                            json={"request_id": "req-1", "status": "COMPLETED",
                                  "output": {"media_url": []}})
    failed(run("nucleus", "a fox"), 6)


# --- 7 -------------------------------------------------------------------------------------------
# In the fault table: submit-5xx/drop/slow/html/bad-json, status-*, job-never-*.

# --- 8 -------------------------------------------------------------------------------------------
# Also in the fault table: download-*, out-dir-*, disk-full-*.

def test_exit_8_when_a_later_image_fails_keeps_the_whole_earlier_one(
        httpx_mock: HTTPXMock, key: str, isolated: Path) -> None:
    queue(httpx_mock)
    httpx_mock.add_response(method="GET", url=status_url("req-1"), json={
        "request_id": "req-1", "status": "COMPLETED",
        "output": {"media_url": [f"{CDN}/1.png", f"{CDN}/2.png"]}})
    httpx_mock.add_response(method="GET", url=f"{CDN}/1.png", content=PNG)
    httpx_mock.add_response(method="GET", url=f"{CDN}/2.png", status_code=404)
    result = run("nucleus", "a fox", "--num-images", "2", "--name", "fox-{index}.{ext}")
    assert result.exit_code == 8, result.stderr
    assert "Traceback" not in result.stderr
    assert leftovers(isolated) == ["fox-1.png"]
    assert same_image(isolated / "fox-1.png", PNG)


# --- 130 -----------------------------------------------------------------------------------------
# Also in the fault table: ctrl-c-while-waiting-exit-130-resume.

def test_exit_130_when_interrupted_while_sending_warns_of_a_charge(
        httpx_mock: HTTPXMock, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(self: Any, request: Any, before_send: Any) -> dict[str, Any]:
        before_send()  # the POST is going out
        raise KeyboardInterrupt

    monkeypatch.setattr("pixazo_cli.http.client.Gateway.submit", interrupted)
    result = run("sdxl", "a fox")
    failed(result, 130)
    assert "charged" in result.stderr


def test_exit_130_when_interrupted_while_downloading_leaves_nothing_partial(
        httpx_mock: HTTPXMock, key: str, monkeypatch: pytest.MonkeyPatch,
        isolated: Path) -> None:
    queue(httpx_mock, "req-8")
    httpx_mock.add_response(method="GET", url=status_url("req-8"), json={
        "request_id": "req-8", "status": "COMPLETED", "output": {"media_url": [f"{CDN}/n.png"]}})

    def interrupted(self: Any, url: str, out: Any) -> Any:
        out.write(PNG[:10])
        raise KeyboardInterrupt

    monkeypatch.setattr("pixazo_cli.flow.download.Downloader._stream", interrupted)
    result = run("nucleus", "a fox")
    failed(result, 130)
    assert "pixazo status req-8 --wait" in result.stderr
    assert leftovers(isolated) == []
