"""Placeholders a page shows while the picture loads: a BlurHash string, and lqip, a tiny WebP
(16 pixels on its long side) inline as a data: URI, a few hundred bytes, which every browser
that reads WebP draws with no script (scaled up and blurred by the page's CSS)."""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

from pixazo_cli.assets import blurhash

if TYPE_CHECKING:
    from PIL.Image import Image

LQIP_SIDE = 16
LQIP_QUALITY = 50


def placeholders(picture: Image, kinds: tuple[str, ...]) -> dict[str, str]:
    """The placeholders asked for (blurhash, lqip) of an RGB or RGBA picture."""
    found = {}
    if "blurhash" in kinds:
        found["blurhash"] = blurhash.encode(_on_white(picture))
    if "lqip" in kinds:
        found["lqip"] = lqip(picture)
    return found


def lqip(picture: Image) -> str:
    from PIL import Image as PILImage

    tiny = picture.copy()
    tiny.thumbnail((LQIP_SIDE, LQIP_SIDE), PILImage.Resampling.BOX)
    tiny.info = {}
    buffer = io.BytesIO()
    tiny.save(buffer, "WEBP", quality=LQIP_QUALITY, method=6)
    return "data:image/webp;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _on_white(picture: Image) -> Image:
    """BlurHash has no transparency: a see-through picture is hashed as shown on white."""
    if picture.mode != "RGBA":
        return picture
    from PIL import Image as PILImage

    white = PILImage.new("RGBA", picture.size, (255, 255, 255, 255))
    return PILImage.alpha_composite(white, picture).convert("RGB")
