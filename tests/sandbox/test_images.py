"""Placeholder images: real files of the asked format and size, reproducible with a seed."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from pixazo_cli.sandbox import Sandbox
from pixazo_cli.sandbox.media import MadeImage
from pixazo_cli.sandbox.store import ImageStore

from .support import LIGHTNING, SD3, SD35, SD35_BODY, SDXL, open_image, poll, post, submit_nucleus


def fetch(sandbox: Sandbox, path: str, body: dict) -> requests.Response:
    reply = post(sandbox.base_url, path, body).json()
    return requests.get(reply.get("imageUrl") or reply["output"], timeout=10)


@pytest.mark.parametrize(
    ("path", "body", "size", "pil_format", "content_type"),
    [
        (SDXL, {"prompt": "x", "width": 768, "height": 512}, (768, 512), "PNG", "image/png"),
        (LIGHTNING, {"prompt": "x", "width": 256, "height": 400}, (256, 400), "PNG", "image/png"),
        (SD3, {"prompt": "x"}, (1024, 1024), "WEBP", "image/webp"),
        (SD3, {"prompt": "x", "aspect_ratio": "16:9"}, (1024, 576), "WEBP", "image/webp"),
        (SD3, {"prompt": "x", "output_format": "png"}, (1024, 1024), "PNG", "image/png"),
        (
            SD35,
            {**SD35_BODY, "aspect_ratio": "3:4", "output_format": "jpeg"},
            (768, 1024),
            "JPEG",
            "image/jpeg",
        ),
    ],
)
def test_format_and_size(
    sandbox: Sandbox, path: str, body: dict, size: tuple, pil_format: str, content_type: str
) -> None:
    response = fetch(sandbox, path, body)
    assert response.headers["Content-Type"] == content_type
    assert int(response.headers["Content-Length"]) == len(response.content)
    image = open_image(response.content)
    assert (image.size, image.format) == (size, pil_format)


def test_nucleus_defaults_to_square_png(sandbox: Sandbox) -> None:
    [url] = poll(submit_nucleus(sandbox.base_url)).json()["output"]["media_url"]
    image = open_image(requests.get(url, timeout=10).content)
    assert (image.size, image.format) == ((1024, 1024), "PNG")


def test_same_seeded_body_gives_identical_bytes(sandbox: Sandbox) -> None:
    body = {"prompt": "a red fox in snow", "seed": 7, "width": 512, "height": 512}
    first, second = fetch(sandbox, SDXL, body), fetch(sandbox, SDXL, body)
    assert first.url != second.url
    assert first.content == second.content
    other_seed = fetch(sandbox, SDXL, {**body, "seed": 8})
    assert other_seed.content != first.content


def test_unseeded_bodies_differ(sandbox: Sandbox) -> None:
    body = {"prompt": "a red fox in snow", "width": 512, "height": 512}
    assert fetch(sandbox, SDXL, body).content != fetch(sandbox, SDXL, body).content


def test_importing_the_sandbox_does_not_import_pillow() -> None:
    code = "import sys, pixazo_cli.sandbox; print('PIL' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_store_keeps_only_the_newest_images() -> None:
    store = ImageStore(capacity=2)
    for name in ("a", "b", "c"):
        store.put(name, MadeImage(name.encode(), "image/png", "png"))
    assert store.get("a") is None
    assert [store.get(name).data for name in ("b", "c")] == [b"b", b"c"]  # type: ignore[union-attr]
