"""Draw and encode the sandbox's placeholder images.

This is the only module that touches Pillow, and it imports it inside the functions so that
importing the sandbox (or the CLI) stays cheap and works where Pillow is broken.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

# Pillow's encoder names for the formats the gateway can be asked for.
_ENCODERS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP"}
# Prompts can be paragraphs; past this many lines the text is cut with an ellipsis.
_MAX_LINES = 8


@dataclass(frozen=True)
class Picture:
    """What to draw: every visible choice is derived from `digest` and `prompt`."""

    width: int
    height: int
    fmt: str  # png | jpg | jpeg | webp
    quality: int
    prompt: str
    model: str
    digest: bytes


def render(picture: Picture) -> bytes:
    """Return the encoded placeholder image."""
    from PIL import ImageDraw

    image = _gradient(picture)
    draw = ImageDraw.Draw(image)
    _draw_prompt(draw, picture)
    _draw_caption(draw, picture)
    return _encode(image, picture)


def prompt_colours(prompt: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Two colours that belong to the prompt, so the same words always look alike."""
    seed = hashlib.sha256(prompt.encode()).digest()
    hue = seed[0] / 255
    shift = 0.15 + seed[1] / 255 * 0.3
    first = colorsys.hsv_to_rgb(hue, 0.55, 0.85)
    second = colorsys.hsv_to_rgb((hue + shift) % 1.0, 0.65, 0.40)
    return _to_rgb(first), _to_rgb(second)


def _to_rgb(colour: tuple[float, float, float]) -> tuple[int, int, int]:
    red, green, blue = (round(channel * 255) for channel in colour)
    return red, green, blue


def _gradient(picture: Picture) -> PILImage.Image:
    # Blending Pillow's ready-made 256x256 gradient with its own rotation, then scaling it up,
    # costs a few milliseconds; computing pixels in Python would cost seconds.
    from PIL import Image

    ramp = Image.linear_gradient("L")
    mix = picture.digest[0] / 255
    mask = Image.blend(ramp, ramp.rotate(90), mix)
    if picture.digest[1] & 1:
        mask = mask.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    mask = mask.resize((picture.width, picture.height), Image.Resampling.BILINEAR)
    first, second = prompt_colours(picture.prompt)
    size = (picture.width, picture.height)
    return Image.composite(Image.new("RGB", size, second), Image.new("RGB", size, first), mask)


def _draw_prompt(draw: ImageDraw.ImageDraw, picture: Picture) -> None:
    from .fonts import prompt_font

    short_side = min(picture.width, picture.height)
    for divisor in (9, 13, 18, 26):
        font = prompt_font(picture.prompt, max(8, short_side // divisor))
        lines = _wrap(picture.prompt, font, picture.width * 0.86)
        if len(lines) <= _MAX_LINES:
            break
    text = "\n".join(_clip(lines))
    centre = (picture.width / 2, picture.height / 2)
    stroke = max(1, _size(font) // 14)
    draw.multiline_text(
        centre,
        text,
        font=font,
        fill="white",
        anchor="mm",
        align="center",
        stroke_width=stroke,
        stroke_fill=(20, 20, 20),
    )


def _wrap(prompt: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    words = (piece for word in prompt.split() for piece in _pieces(word, font, max_width))
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and font.getlength(candidate) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _pieces(word: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """A word wider than a line, cut where it must be: Chinese and Japanese are written
    without spaces, so a whole prompt can be one "word"."""
    pieces = [""]
    for ch in word:
        if pieces[-1] and font.getlength(pieces[-1] + ch) > max_width:
            pieces.append("")
        pieces[-1] += ch
    return pieces


def _size(font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> int:
    # A Pillow built without FreeType hands back its fixed bitmap font, which has no size.
    return int(getattr(font, "size", 10))


def _clip(lines: list[str]) -> list[str]:
    if len(lines) <= _MAX_LINES:
        return lines
    return [*lines[: _MAX_LINES - 1], lines[_MAX_LINES - 1] + " …"]


def _draw_caption(draw: ImageDraw.ImageDraw, picture: Picture) -> None:
    from PIL import ImageFont

    font = ImageFont.load_default(size=max(8, min(picture.width, picture.height) // 40))
    caption = f"PIXAZO SANDBOX · placeholder · {picture.model}"
    margin = max(2, _size(font) // 2)
    draw.text((margin, picture.height - margin), caption, font=font, fill="white", anchor="ld")
    # The digest tag makes unseeded images differ while seeded ones stay byte-identical.
    tag = "#" + picture.digest[:4].hex()
    draw.text(
        (picture.width - margin, picture.height - margin),
        tag,
        font=font,
        fill="white",
        anchor="rd",
    )


def _encode(image: PILImage.Image, picture: Picture) -> bytes:
    encoder = _ENCODERS[picture.fmt]
    out = io.BytesIO()
    if encoder == "PNG":
        # Low compression keeps a 1024x1024 image well under 100 ms to encode.
        image.save(out, "PNG", compress_level=1)
    elif encoder == "WEBP":
        image.save(out, "WEBP", quality=picture.quality, method=0)
    else:
        image.save(out, "JPEG", quality=picture.quality)
    return out.getvalue()
