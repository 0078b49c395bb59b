"""Placeholders: a BlurHash whose DC component decodes back to the picture's average colour,
and which matches the reference C encoder's answers; lqip, a tiny WebP as a data: URI."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from pixazo_cli.assets.blurhash import BASE83, encode
from pixazo_cli.assets.placeholder import placeholders
from tests.assets_support import QUADRANTS, quadrants


def decode_dc(blurhash: str) -> tuple[int, int, int]:
    """The average colour a BlurHash carries (characters 2-5, base 83, 24-bit sRGB): written
    from the specification, apart from the encoder."""
    value = 0
    for char in blurhash[2:6]:
        value = value * 83 + BASE83.index(char)
    return value >> 16, (value >> 8) & 255, value & 255


def to_linear(c: int) -> float:
    v = c / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def to_srgb(v: float) -> int:
    return round(255 * (v * 12.92 if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055))


def test_a_blurhash_decodes_back_to_the_pictures_average_colour() -> None:
    # Averaged in linear light, as the algorithm does: not the plain mean of the sRGB values.
    expected = tuple(to_srgb(sum(to_linear(colour[ch]) for colour in QUADRANTS) / 4)
                     for ch in range(3))
    decoded = decode_dc(encode(quadrants((256, 256))))
    assert all(abs(a - b) <= 1 for a, b in zip(decoded, expected, strict=True))
    assert decoded != tuple(sum(c[ch] for c in QUADRANTS) // 4 for ch in range(3))


@pytest.mark.parametrize("colour", [(0, 0, 0), (255, 255, 255), (12, 200, 99)])
def test_a_plain_colour_is_its_own_average(colour: tuple[int, int, int]) -> None:
    hashed = encode(Image.new("RGB", (640, 360), colour))
    assert decode_dc(hashed) == colour
    assert len(hashed) == 28 and hashed[0] == BASE83[3 + 2 * 9]  # 4 x 3 components


def gradient() -> Image.Image:
    shade = Image.linear_gradient("L").resize((300, 200))
    return Image.merge("RGB", (shade, shade.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                               shade.rotate(90).resize((300, 200))))


# The reference encoder (blurhash-python 1.2.2, woltapp's C code) on the same 32-pixel
# thumbnails: the strings must be equal, component for component.
@pytest.mark.parametrize(("picture", "components", "expected"), [
    (lambda: quadrants((256, 256)), (4, 3), "L#J7{hdSaPtve%]fslJVaxsljsa}"),
    (lambda: quadrants((256, 256)), (5, 4), "V#J7{hdSaPtvfQe%]fslJVfQaxsljsa}fQt8JCa#slfQ"),
    (gradient, (4, 3), "LyHet5oXfKok0BWCfPWExqj@fQj@"),
    (gradient, (5, 4), "VyHet5oXfKokfL0BWCfPWEfPxqj@fQj@fQa$fPfPfRfP"),
])
def test_the_encoder_gives_the_reference_implementations_answers(
        picture: object, components: tuple[int, int], expected: str) -> None:
    assert encode(picture(), *components) == expected  # type: ignore[operator]


def test_lqip_is_a_tiny_webp_inline() -> None:
    found = placeholders(quadrants((1024, 512)), ("lqip",))
    prefix = "data:image/webp;base64,"
    assert set(found) == {"lqip"} and found["lqip"].startswith(prefix)
    data = base64.b64decode(found["lqip"][len(prefix):], validate=True)
    assert len(data) < 400
    with Image.open(io.BytesIO(data)) as tiny:
        assert tiny.format == "WEBP" and tiny.size == (16, 8)


def test_a_see_through_picture_is_hashed_as_shown_on_white() -> None:
    clear = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    assert decode_dc(placeholders(clear, ("blurhash",))["blurhash"]) == (255, 255, 255)
