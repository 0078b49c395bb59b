"""Small helpers shared by the sandbox tests."""

from __future__ import annotations

import http.client
import io
from typing import Any
from urllib.parse import urlsplit

import requests

KEY = "sandbox-test-key"
AUTH = {"Ocp-Apim-Subscription-Key": KEY}

NUCLEUS = "/nucleus-image/v1/nucleus-image-request"
SD35 = "/sd3-5/v1/r-sd-3-5-large"
SD3 = "/sd3/v1/getData"
SDXL = "/getImage/v1/getSDXLImage"
LIGHTNING = "/sdxl_lightning/getImage/v1/getSDXLImage"
LIGHTNING_STREAM = "/sdxl_lightning/getImage/v1/getSDXLImageStream"
INPAINT = "/inpainting/v1/getImage"
INPAINT_STREAM = "/inpainting/v1/getImageStream"
SD35_BODY = {
    "prompt": "a lighthouse",
    "aspect_ratio": "1:1",
    "cfg": 4.5,
    "steps": 40,
    "output_format": "webp",
    "output_quality": 90,
    "prompt_strength": 0.85,
}


def post(base_url: str, path: str, body: Any, **headers: str) -> requests.Response:
    return requests.post(base_url + path, json=body, headers={**AUTH, **headers}, timeout=10)


def poll(url: str) -> requests.Response:
    return requests.get(url, headers=AUTH, timeout=10)


def submit_nucleus(base_url: str, **fields: Any) -> str:
    """Queue a nucleus job and return its polling URL."""
    response = post(base_url, NUCLEUS, {"prompt": "a lighthouse", **fields})
    assert response.status_code == 202, response.text
    return response.json()["polling_url"]


def open_image(data: bytes) -> Any:
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def raw_get(url: str) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
    """GET without a client library's retries or checks, to see exactly what was sent."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    connection.request("GET", parts.path)
    return connection.getresponse(), connection
