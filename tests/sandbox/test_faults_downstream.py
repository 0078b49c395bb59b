"""Faults after the submit: on status polls, on the job itself, and on CDN downloads."""

from __future__ import annotations

import http.client
import time
import zlib
from collections.abc import Callable

import pytest
import requests

from pixazo_cli.sandbox import Sandbox

from .conftest import SandboxClock
from .support import SDXL, poll, post, raw_get
from .support import submit_nucleus as submit

# --- status ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_status_server_errors(make_sandbox: Callable[..., Sandbox], code: int) -> None:
    sandbox = make_sandbox(faults=[f"status:{code}*1"])
    polling_url = submit(sandbox.base_url)
    assert poll(polling_url).status_code == code
    assert poll(polling_url).json()["status"] == "COMPLETED"


def test_status_body_faults(make_sandbox: Callable[..., Sandbox]) -> None:
    faults = ["status:missing-field*1", "status:unknown-status*1", "status:bad-json*1"]
    sandbox = make_sandbox(faults=[*faults, "status:html*1", "status:429*1"])
    polling_url = submit(sandbox.base_url)
    assert "status" not in poll(polling_url).json()
    assert poll(polling_url).json()["status"] == "WEIRD"
    assert poll(polling_url).text == '{"request_id": '
    html = poll(polling_url)
    assert (html.status_code, html.headers["Content-Type"][:9]) == (200, "text/html")
    assert poll(polling_url).headers["Retry-After"] == "1"


def test_status_empty_url(make_sandbox: Callable[..., Sandbox], clock: SandboxClock) -> None:
    sandbox = make_sandbox(latency=30, faults=["status:empty-url*1"])
    polling_url = submit(sandbox.base_url)
    body = poll(polling_url).json()
    assert body["status"] == "COMPLETED"
    assert body["output"]["media_url"] == [""]
    assert poll(polling_url).json()["status"] == "QUEUED"  # the job itself is untouched


def test_status_drop_and_slow(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(faults=["status:drop*1", "status:slow=0.1*1"])
    polling_url = submit(sandbox.base_url)
    with pytest.raises(requests.ConnectionError):
        poll(polling_url)
    started = time.monotonic()
    assert poll(polling_url).json()["status"] == "COMPLETED"
    assert time.monotonic() - started >= 0.1


# --- job ---------------------------------------------------------------------------------


def test_job_failed(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(faults=["job:failed"])
    body = poll(submit(sandbox.base_url)).json()
    assert body["status"] == "FAILED"
    assert body["error"] == "Generation failed: sandbox fault"
    assert body["output"] is None
    assert body["completed_at"] is not None


def test_job_error(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(faults=["job:error"])
    body = poll(submit(sandbox.base_url)).json()
    assert body["status"] == "ERROR"
    assert body["error"] and body["output"] is None
    assert sandbox.stats()["images_made"] == 0


def test_job_never(make_sandbox: Callable[..., Sandbox], clock: SandboxClock) -> None:
    sandbox = make_sandbox(latency=3, faults=["job:never*1"])
    polling_url = submit(sandbox.base_url)
    clock.advance(10_000)
    body = poll(polling_url).json()
    assert (body["status"], body["completed_at"], body["output"]) == ("PROCESSING", None, None)
    second = submit(sandbox.base_url)
    clock.advance(3)
    assert poll(second).json()["status"] == "COMPLETED"


# --- download ----------------------------------------------------------------------------


def image_url(sandbox: Sandbox) -> str:
    reply = post(sandbox.base_url, SDXL, {"prompt": "x", "width": 512, "height": 512})
    return reply.json()["imageUrl"]


def test_download_truncated(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox()
    url = image_url(sandbox)
    whole = requests.get(url, timeout=10).content
    sandbox.set_faults(["download:truncated"])
    response, connection = raw_get(url)
    assert int(response.headers["Content-Length"]) == len(whole)
    with pytest.raises(http.client.IncompleteRead) as caught:
        response.read()
    assert caught.value.partial == whole[: len(whole) // 2]
    connection.close()


@pytest.mark.parametrize(
    ("fault", "status", "content_type"),
    [
        ("html", 200, "text/html"),
        ("wrong-type", 200, "image/png"),
        ("404", 404, "text/plain"),
        ("500", 500, "text/plain"),
    ],
)
def test_download_bad_answers(
    make_sandbox: Callable[..., Sandbox], fault: str, status: int, content_type: str
) -> None:
    sandbox = make_sandbox()
    url = image_url(sandbox)
    sandbox.set_faults([f"download:{fault}*1"])
    response = requests.get(url, timeout=10)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith(content_type)
    assert not response.content.startswith(b"\x89PNG")
    assert requests.get(url, timeout=10).content.startswith(b"\x89PNG")


def test_download_slow(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox()
    url = image_url(sandbox)
    sandbox.set_faults(["download:slow=0.1"])
    started = time.monotonic()
    assert requests.get(url, timeout=10).content.startswith(b"\x89PNG")
    assert time.monotonic() - started >= 0.1


def test_download_huge_streams_a_valid_png_of_large_chunks(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sandbox = make_sandbox()
    url = image_url(sandbox)
    sandbox.set_faults(["download:huge=2"])
    with requests.get(url, stream=True, timeout=10) as response:
        assert response.headers["Content-Type"] == "image/png"
        declared = int(response.headers["Content-Length"])
        received = b"".join(response.iter_content(256 * 1024))
    # Header, two 1 MB padding chunks (12 bytes of framing each), IEND.
    assert declared == len(received) == 33 + 2 * (1024 * 1024 + 12) + 12
    assert received.startswith(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    position, kinds = 8, []
    while position < len(received):
        length = int.from_bytes(received[position:position + 4], "big")
        kind = received[position + 4:position + 8]
        crc = int.from_bytes(received[position + 8 + length:position + 12 + length], "big")
        assert crc == zlib.crc32(received[position + 4:position + 8 + length])
        kinds.append(kind)
        position += 12 + length
    assert kinds == [b"IHDR", b"pxPd", b"pxPd", b"IEND"]


def test_download_huge_client_may_hang_up_early(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox()
    url = image_url(sandbox)
    sandbox.set_faults(["download:huge=500"])
    with requests.get(url, stream=True, timeout=10) as response:
        first = next(response.iter_content(64 * 1024))
    assert first.startswith(b"\x89PNG")
    sandbox.set_faults([])
    assert requests.get(url, timeout=10).status_code == 200  # still serving


def test_download_faults_skip_unknown_paths(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(faults=["download:500*1"])
    assert requests.get(sandbox.cdn_base_url + "/cdn/nope.png", timeout=10).status_code == 404
    assert requests.get(image_url(sandbox), timeout=10).status_code == 500
