"""Turn an accepted request into placeholder images: size, format, identity, CDN path."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from . import images
from .schema import Endpoint
from .validate import aspect_ratio

LONG_SIDE = 1024
DEFAULT_QUALITY = 90
CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}


@dataclass(frozen=True)
class MadeImage:
    data: bytes
    content_type: str
    extension: str


def make_images(endpoint: Endpoint, body: dict[str, Any], count: int = 1) -> list[MadeImage]:
    """Render `count` images for a validated body."""
    width, height = image_size(endpoint, body)
    fmt = image_format(endpoint, body)
    quality = max(1, int(body.get(endpoint.field_for("quality"), DEFAULT_QUALITY)))
    made = []
    for index in range(count):
        picture = images.Picture(
            width,
            height,
            fmt,
            quality,
            body[endpoint.field_for("prompt")],
            endpoint.model,
            identity(endpoint, body, index),
        )
        made.append(MadeImage(images.render(picture), CONTENT_TYPES[fmt], fmt))
    return made


def image_format(endpoint: Endpoint, body: dict[str, Any]) -> str:
    return str(body.get(endpoint.field_for("format"), endpoint.default_format))


def image_size(endpoint: Endpoint, body: dict[str, Any]) -> tuple[int, int]:
    if endpoint.sizing == "pixels":
        return (int(body.get(endpoint.field_for("width"), LONG_SIDE)),
                int(body.get(endpoint.field_for("height"), LONG_SIDE)))
    ratio_w, ratio_h = aspect_ratio(body.get(endpoint.field_for("aspect_ratio"), "1:1"))
    scale = LONG_SIDE / max(ratio_w, ratio_h)
    return max(1, round(ratio_w * scale)), max(1, round(ratio_h * scale))


def identity(endpoint: Endpoint, body: dict[str, Any], index: int) -> bytes:
    """Everything drawn derives from this hash: a seeded request always gives the same bytes."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    nonce = "" if endpoint.field_for("seed") in body else secrets.token_hex(16)
    text = f"{endpoint.model}\n{index}\n{canonical}\n{nonce}"
    return hashlib.sha256(text.encode()).digest()


def cdn_name(extension: str) -> str:
    """A file name in the vendor's style, e.g. prompt-1775721091831-439186.webp."""
    millis = int(time.time() * 1000)
    return f"prompt-{millis}-{secrets.randbelow(1_000_000):06d}.{extension}"
