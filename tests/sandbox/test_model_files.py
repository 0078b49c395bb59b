"""The sandbox serves any model file, so a new one can be tried offline before paying: bodies
are checked against the file's fields, replies take the file's shape, placeholders are drawn at
its width, height and format; a built-in's path keeps the sandbox's own schema."""

from __future__ import annotations

import re
import select
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from pixazo_cli.sandbox import Sandbox
from tests.models.support import QUEUED, SYNC, install

from .support import open_image, poll, post

PIXEL = "/pixel-art/v1/generate"
QWEN = "/qwen-image/v1/qwen-image-request"


@pytest.fixture
def served(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    install(SYNC, "pixel")
    install(QUEUED, "qwen")
    return make_sandbox()


@pytest.mark.parametrize(("body", "message"), [
    ({}, "Missing required field 'prompt'"),
    ({"prompt": ""}, "Field 'prompt' must not be empty"),
    ({"prompt": "x", "num_inference_steps": 51}, "must be between 1 and 50"),
    ({"prompt": "x", "num_inference_steps": 2.5}, "must be an integer"),
    ({"prompt": "x", "guidance_scale": "high"}, "must be a number"),
    ({"prompt": "x", "style_preset": "baroque"}, "must be one of: retro, modern, none"),
    ({"prompt": "x", "dither": "yes"}, "must be a boolean"),
    ({"prompt": "x", "colour": "red"}, "Unknown field 'colour'"),
])
def test_a_body_is_checked_against_the_files_fields(served: Sandbox, body: dict,
                                                    message: str) -> None:
    response = post(served.base_url, PIXEL, body)
    assert response.status_code == 400
    assert message in response.text


def test_a_required_field_of_the_file_is_required(served: Sandbox) -> None:
    response = post(served.base_url, QWEN, {"prompt": "x"})
    assert response.status_code == 400
    assert "Missing required field 'acceleration'" in response.text


def test_a_sync_reply_keeps_the_urls_id_and_status_where_the_file_says(
        served: Sandbox) -> None:
    response = post(served.base_url, PIXEL, {"prompt": "a fox", "image_width": 512,
                                             "image_height": 384, "output_format": "webp"})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert set(data) == {"images", "id", "status"} and data["status"] == "succeeded"
    image = open_image(requests.get(data["images"], timeout=10).content)
    assert (image.format, image.size) == ("WEBP", (512, 384))


def test_a_sync_reply_lists_every_image_asked_for(served: Sandbox) -> None:
    response = post(served.base_url, PIXEL, {"prompt": "a fox", "count": 3})
    assert len(response.json()["data"]["images"]) == 3
    assert served.stats()["images_made"] == 3


def test_a_queued_reply_keeps_the_id_where_the_file_says_then_the_status_endpoint_serves_it(
        served: Sandbox, clock: object) -> None:
    response = post(served.base_url, QWEN, {"prompt": "a wolf", "acceleration": "high",
                                            "aspect_ratio": "2:1", "format": "png"})
    assert response.status_code == 202, response.text
    request_id = response.json()["job"]["request_id"]
    assert request_id.startswith("qwen_")
    clock.advance(60)  # type: ignore[attr-defined]
    status = poll(response.json()["polling_url"]).json()
    assert status["status"] == "COMPLETED" and status["request_id"] == request_id
    image = open_image(requests.get(status["output"]["media_url"][0], timeout=10).content)
    assert (image.format, image.size) == ("PNG", (1024, 512))


def test_a_model_file_on_a_builtin_path_is_checked_by_the_builtins_own_schema(
        make_sandbox: Callable[..., Sandbox]) -> None:
    install(SYNC.replace('name = "pixel"', 'name = "my-sdxl"').replace(
        PIXEL, "/getImage/v1/getSDXLImage"), "my-sdxl")
    sandbox = make_sandbox()
    response = post(sandbox.base_url, "/getImage/v1/getSDXLImage",
                    {"prompt": "x", "style_preset": "retro"})
    assert response.status_code == 400 and "Unknown field 'style_preset'" in response.text


def test_a_path_no_model_file_serves_is_not_found(served: Sandbox) -> None:
    assert post(served.base_url, "/no-such/v1/model", {"prompt": "x"}).status_code == 404


def test_pixazo_sandbox_serve_serves_model_files_added_while_it_runs(tmp_path: Path) -> None:
    folder = tmp_path / "models"
    install(SYNC, "pixel", folder)
    pixazo = Path(sys.executable).parent / "pixazo"
    process = subprocess.Popen([str(pixazo), "--models-dir", str(folder), "sandbox", "serve",
                                "--port", "0", "--latency", "0", "--quiet"],
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        ready, _, _ = select.select([process.stderr], [], [], 20)
        assert ready, "the sandbox never announced itself"
        found = re.search(r"(http://\S+)", process.stderr.readline())
        assert found
        base_url = found.group(1)
        assert post(base_url, PIXEL, {"prompt": "a fox"}).status_code == 200
        install(QUEUED, "qwen", folder)
        response = post(base_url, QWEN, {"prompt": "a wolf", "acceleration": "none"})
        assert response.status_code == 202, response.text
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
