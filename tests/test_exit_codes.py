"""Exit codes are a contract with scripts: one test (or a few) per code, produced through the
CLI against a mocked gateway and CDN. On every error stdout stays empty and stderr carries a
message, never a Python traceback."""

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

from tests.conftest import CDN, GATEWAY, PNG, FakeClock, run

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
    assert (isolated / result.stdout.strip()).read_bytes() == PNG


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
    assert (isolated / result.stdout.strip()).read_bytes() == PNG
    assert len(clock.sleeps) == 2  # slept between polls, on the fake clock


# --- 1 -------------------------------------------------------------------------------------------

def test_exit_1_for_an_unexpected_error_without_a_traceback(key: str, isolated: Path) -> None:
    """Run as a real process, so stderr is what a shell would show."""
    script = textwrap.dedent("""
        import sys
        import pixazo_cli.flow.generate as generate

        def boom(*args, **kwargs):
            raise RuntimeError("boom")

        generate.check_template = boom
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
    config_file = Path(os.environ["XDG_CONFIG_HOME"]) / "pixazo" / "config.toml"
    assert str(config_file) in result.stderr


@pytest.mark.parametrize("code", [401, 403])
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

def test_exit_4_on_insufficient_balance(httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, status_code=402, json={
        "error": "Insufficient Balance", "message": "Your wallet does not have enough balance."})
    result = run("sdxl", "a fox")
    failed(result, 4)
    assert "Insufficient Balance" in result.stderr
    assert len(posts(httpx_mock)) == 1


# --- 5 -------------------------------------------------------------------------------------------

def test_exit_5_after_429_on_every_try_honouring_retry_after(
        httpx_mock: HTTPXMock, key: str, clock: FakeClock) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, status_code=429,
                            headers={"Retry-After": "7"}, is_reusable=True)
    result = run("sdxl", "a fox")
    failed(result, 5)
    assert len(posts(httpx_mock)) == 4  # the first try and 3 retries
    assert clock.sleeps == [7.0, 7.0, 7.0]
    assert "429" in result.stderr


def test_429_then_success_exits_0_after_one_retry(
        httpx_mock: HTTPXMock, key: str, clock: FakeClock) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, status_code=429,
                            headers={"Retry-After": "7"})
    httpx_mock.add_response(method="POST", url=SDXL, json={"imageUrl": f"{CDN}/a.png"})
    httpx_mock.add_response(method="GET", url=f"{CDN}/a.png", content=PNG)
    result = run("sdxl", "a fox")
    assert result.exit_code == 0, result.stderr
    assert len(posts(httpx_mock)) == 2
    assert clock.sleeps == [7.0]


# --- 6 -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["FAILED", "ERROR"])
def test_exit_6_when_the_queued_job_fails(
        httpx_mock: HTTPXMock, key: str, status: str, isolated: Path) -> None:
    queue(httpx_mock)
    httpx_mock.add_response(method="GET", url=status_url("req-1"),
                            json={"request_id": "req-1", "status": status,
                                  "error": "NSFW content detected", "output": None})
    result = run("nucleus", "a fox")
    failed(result, 6)
    assert "req-1" in result.stderr
    assert status in result.stderr
    assert "NSFW content detected" in result.stderr
    assert leftovers(isolated) == []


def test_error_status_says_it_was_not_charged(httpx_mock: HTTPXMock, key: str) -> None:
    queue(httpx_mock)
    httpx_mock.add_response(method="GET", url=status_url("req-1"),
                            json={"request_id": "req-1", "status": "ERROR", "output": None})
    result = run("nucleus", "a fox")
    failed(result, 6)
    assert "not charged" in result.stderr


def test_exit_6_when_a_completed_job_has_no_media_url(httpx_mock: HTTPXMock, key: str) -> None:
    queue(httpx_mock)
    httpx_mock.add_response(method="GET", url=status_url("req-1"),
                            json={"request_id": "req-1", "status": "COMPLETED",
                                  "output": {"media_url": []}})
    failed(run("nucleus", "a fox"), 6)


def test_exit_6_when_sdxl_answers_an_empty_image_url(
        httpx_mock: HTTPXMock, key: str, isolated: Path) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, json={"imageUrl": ""})
    result = run("sdxl", "a fox")
    failed(result, 6)
    assert leftovers(isolated) == []


def test_exit_6_when_sd3_answers_without_output(httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="POST", url=SD3, json={"status": "succeeded"})
    failed(run("sd3", "a fox"), 6)


# --- 7 -------------------------------------------------------------------------------------------

def test_exit_7_on_post_500_which_is_not_resent(
        httpx_mock: HTTPXMock, key: str, clock: FakeClock) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, status_code=500)
    result = run("sdxl", "a fox")
    failed(result, 7)
    assert len(posts(httpx_mock)) == 1
    assert clock.sleeps == []
    assert "may have" in result.stderr and "charged" in result.stderr


@pytest.mark.parametrize("code", [502, 503, 504])
def test_post_gateway_errors_that_cannot_have_started_are_resent(
        httpx_mock: HTTPXMock, key: str, code: int) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, status_code=code, is_reusable=True)
    failed(run("sdxl", "a fox"), 7)
    assert len(posts(httpx_mock)) == 4


def test_exit_7_when_the_connection_cannot_be_opened_after_retries(
        httpx_mock: HTTPXMock, key: str, clock: FakeClock) -> None:
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), method="POST", url=SDXL,
                             is_reusable=True)
    result = run("sdxl", "a fox")
    failed(result, 7)
    assert len(posts(httpx_mock)) == 4
    assert len(clock.sleeps) == 3
    assert "gateway.pixazo.ai" in result.stderr


def test_read_timeout_on_post_is_not_resent(httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("slow"), method="POST", url=SDXL)
    result = run("sdxl", "a fox")
    failed(result, 7)
    assert len(posts(httpx_mock)) == 1
    assert "charged" in result.stderr


def test_exit_7_when_status_polls_answer_html_until_the_timeout(httpx_mock: HTTPXMock,
                                                                key: str) -> None:
    # One unreadable poll is transient (the wait goes on); only the deadline ends it.
    queue(httpx_mock)
    httpx_mock.add_response(method="GET", url=status_url("req-1"),
                            html="<html><body>Bad gateway</body></html>", is_reusable=True)
    result = run("nucleus", "a fox", "--timeout", "20")
    failed(result, 7)
    assert "pixazo status req-1 --wait" in result.stderr
    assert len([r for r in httpx_mock.get_requests() if r.method == "GET"]) > 1


def test_exit_7_when_a_sync_reply_is_not_json(httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, html="<html>oops</html>")
    result = run("sdxl", "a fox")
    failed(result, 7)
    assert len(posts(httpx_mock)) == 1


def test_exit_7_on_timeout_while_the_job_stays_queued_prints_the_resume_command(
        httpx_mock: HTTPXMock, key: str, clock: FakeClock, isolated: Path) -> None:
    queue(httpx_mock, "req-42")
    httpx_mock.add_response(method="GET", url=status_url("req-42"),
                            json={"request_id": "req-42", "status": "QUEUED"}, is_reusable=True)
    result = run("nucleus", "a fox", "--timeout", "20")
    failed(result, 7)
    assert "pixazo status req-42 --wait" in result.stderr
    assert sum(clock.sleeps) <= 20
    assert len(posts(httpx_mock)) == 1
    assert leftovers(isolated) == []


def test_status_poll_errors_are_retried_until_the_deadline(
        httpx_mock: HTTPXMock, key: str, clock: FakeClock) -> None:
    queue(httpx_mock)
    httpx_mock.add_response(method="GET", url=status_url("req-1"), status_code=503)
    httpx_mock.add_response(method="GET", url=status_url("req-1"),
                            json={"request_id": "req-1", "status": "COMPLETED",
                                  "output": {"media_url": [f"{CDN}/n.png"]}})
    httpx_mock.add_response(method="GET", url=f"{CDN}/n.png", content=PNG)
    result = run("nucleus", "a fox")
    assert result.exit_code == 0, result.stderr
    assert len(posts(httpx_mock)) == 1


# --- 8 -------------------------------------------------------------------------------------------

def test_exit_8_when_the_download_is_404_leaving_no_files(
        httpx_mock: HTTPXMock, key: str, isolated: Path) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, json={"imageUrl": f"{CDN}/gone.png"})
    httpx_mock.add_response(method="GET", url=f"{CDN}/gone.png", status_code=404)
    result = run("sdxl", "a fox")
    failed(result, 8)
    assert "404" in result.stderr
    assert leftovers(isolated) == []


def test_exit_8_when_the_download_is_html_served_with_200_leaving_no_files(
        httpx_mock: HTTPXMock, key: str, isolated: Path) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, json={"imageUrl": f"{CDN}/a.png"})
    httpx_mock.add_response(method="GET", url=f"{CDN}/a.png",
                            html="<html><body>Access denied</body></html>")
    result = run("sdxl", "a fox")
    failed(result, 8)
    assert "not an image" in result.stderr
    assert leftovers(isolated) == []


def test_exit_8_when_the_cdn_keeps_failing_leaving_no_files(
        httpx_mock: HTTPXMock, key: str, isolated: Path) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, json={"imageUrl": f"{CDN}/a.png"})
    httpx_mock.add_response(method="GET", url=f"{CDN}/a.png", status_code=503, is_reusable=True)
    result = run("sdxl", "a fox")
    failed(result, 8)
    assert len(posts(httpx_mock)) == 1  # the paid request is not repeated for a download
    assert leftovers(isolated) == []


def test_exit_8_leaves_no_temp_files_in_out_dir(
        httpx_mock: HTTPXMock, key: str, isolated: Path) -> None:
    out = isolated / "shots"
    httpx_mock.add_response(method="POST", url=SDXL, json={"imageUrl": f"{CDN}/a.png"})
    httpx_mock.add_response(method="GET", url=f"{CDN}/a.png", html="<html>no</html>")
    failed(run("sdxl", "a fox", "-d", str(out)), 8)
    assert leftovers(out) == []


def test_exit_8_when_the_download_stays_short_leaving_no_files(
        httpx_mock: HTTPXMock, key: str, isolated: Path, clock: FakeClock) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, json={"imageUrl": f"{CDN}/a.png"})
    httpx_mock.add_response(method="GET", url=f"{CDN}/a.png", content=PNG,
                            headers={"Content-Length": "1000"}, is_reusable=True)
    result = run("sdxl", "a fox")
    failed(result, 8)
    assert len([r for r in httpx_mock.get_requests() if r.url.host == "pub-test.r2.dev"]) == 3
    assert len(posts(httpx_mock)) == 1
    assert leftovers(isolated) == []


def test_exit_8_when_the_image_is_over_the_size_cap_leaving_no_files(
        httpx_mock: HTTPXMock, key: str, isolated: Path) -> None:
    assert run("config", "set", "max_download_mb", "0.00005").exit_code == 0  # 50 bytes
    httpx_mock.add_response(method="POST", url=SDXL, json={"imageUrl": f"{CDN}/a.png"})
    httpx_mock.add_response(method="GET", url=f"{CDN}/a.png", content=PNG)
    result = run("sdxl", "a fox")
    failed(result, 8)
    assert "max_download_mb" in result.stderr
    assert leftovers(isolated) == []


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
    assert (isolated / "fox-1.png").read_bytes() == PNG


def test_exit_8_when_the_output_folder_cannot_be_written_sends_nothing(
        httpx_mock: HTTPXMock, key: str, isolated: Path) -> None:
    (isolated / "taken").write_text("a file, not a folder")
    result = run("sdxl", "a fox", "-d", str(isolated / "taken" / "sub"))
    failed(result, 8)
    assert "taken" in result.stderr
    assert httpx_mock.get_requests() == []


# --- 130 -----------------------------------------------------------------------------------------

def test_exit_130_when_interrupted_while_waiting_says_how_to_resume(
        httpx_mock: HTTPXMock, key: str, monkeypatch: pytest.MonkeyPatch,
        isolated: Path) -> None:
    queue(httpx_mock, "req-7")

    def interrupted(self: Any, request_id: str) -> dict[str, Any]:
        raise KeyboardInterrupt

    monkeypatch.setattr("pixazo_cli.http.client.Gateway.status", interrupted)
    result = run("nucleus", "a fox")
    failed(result, 130)
    assert "req-7" in result.stderr
    assert "pixazo status req-7 --wait" in result.stderr
    assert leftovers(isolated) == []


def test_exit_130_when_interrupted_while_sending_warns_of_a_charge(
        httpx_mock: HTTPXMock, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(self: Any, request: Any) -> dict[str, Any]:
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
