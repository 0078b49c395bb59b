"""The nucleus queue: states over the injected clock, outputs, timestamps, unknown ids."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

import requests

from pixazo_cli.sandbox import Sandbox

from .conftest import SandboxClock
from .support import SDXL, open_image, poll, post, submit_nucleus


def stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_states_follow_the_clock(make_sandbox: Callable[..., Sandbox], clock: SandboxClock) -> None:
    sandbox = make_sandbox(latency=3)
    polling_url = submit_nucleus(sandbox.base_url)
    seen = []
    for step in (0, 0.9, 0.2, 1.8, 0.1, 100):
        clock.advance(step)
        seen.append(poll(polling_url).json()["status"])
    assert seen == ["QUEUED", "QUEUED", "PROCESSING", "PROCESSING", "COMPLETED", "COMPLETED"]


def test_timestamps_are_when_each_state_began(
    make_sandbox: Callable[..., Sandbox], clock: SandboxClock
) -> None:
    sandbox = make_sandbox(latency=3)
    polling_url = submit_nucleus(sandbox.base_url)
    queued = poll(polling_url).json()
    assert queued["completed_at"] is None and queued["output"] is None
    assert queued["updated_at"] == queued["created_at"]
    clock.advance(50)
    done = poll(polling_url).json()
    assert done["created_at"] == queued["created_at"]
    took = stamp(done["completed_at"]) - stamp(done["created_at"])
    assert took.total_seconds() == 3
    assert done["updated_at"] == done["completed_at"]


def test_latency_zero_is_complete_on_the_first_poll(sandbox: Sandbox) -> None:
    body = poll(submit_nucleus(sandbox.base_url)).json()
    assert body["status"] == "COMPLETED"
    assert body["error"] is None


def test_num_images_urls_all_download(sandbox: Sandbox) -> None:
    body = poll(submit_nucleus(sandbox.base_url, num_images=3, aspect_ratio="9:16")).json()
    urls = body["output"]["media_url"]
    assert len(set(urls)) == 3
    contents = [requests.get(url, timeout=10).content for url in urls]
    assert len(set(contents)) == 3
    assert {open_image(content).size for content in contents} == {(576, 1024)}


def test_jpg_output(sandbox: Sandbox) -> None:
    body = poll(submit_nucleus(sandbox.base_url, output_format="jpg")).json()
    assert body["output"]["media_type"] == "image/jpeg"
    [url] = body["output"]["media_url"]
    assert url.endswith("/output.jpg")
    response = requests.get(url, timeout=10)
    assert response.headers["Content-Type"] == "image/jpeg"
    assert open_image(response.content).format == "JPEG"


def test_images_appear_only_when_the_job_completes(
    make_sandbox: Callable[..., Sandbox], clock: SandboxClock
) -> None:
    sandbox = make_sandbox(latency=3)
    polling_url = submit_nucleus(sandbox.base_url)
    request_id = polling_url.rsplit("/", 1)[1]
    url = f"{sandbox.cdn_base_url}/cdn/v1/{request_id}/output.png"
    assert requests.get(url, timeout=10).status_code == 404
    clock.advance(3)
    assert poll(polling_url).json()["output"]["media_url"] == [url]
    assert requests.get(url, timeout=10).status_code == 200


def test_jobs_finish_without_being_polled(
    sandbox: Sandbox, counted: Callable[..., threading.Event]
) -> None:
    drawn = counted("images_made", 2)
    submit_nucleus(sandbox.base_url, num_images=2)
    assert drawn.wait(5), "the job's images were never drawn"
    assert sandbox.stats()["images_made"] == 2


def test_unknown_request_id_is_404(sandbox: Sandbox) -> None:
    response = poll(f"{sandbox.base_url}/v2/requests/status/nucleus-image_nope")
    assert response.status_code == 404
    assert response.json() == {
        "error": "Not Found",
        "message": "Request 'nucleus-image_nope' not found",
    }


def test_sync_models_answer_after_the_latency(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(latency=0.1)
    started = time.monotonic()
    response = post(sandbox.base_url, SDXL, {"prompt": "x", "width": 512, "height": 512})
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.1
