"""BlurHash (https://blurha.sh) encoding, written on Pillow: the picture shrunk to at most 32
pixels a side (what the reference implementation advises), then the algorithm's cosine
transform in linear light, quantised and written in base 83.

Why not a package: blurhash-python (the maintained C encoder) takes 0.9 s on a 1024 x 1024
picture, more than encoding all its WebP variants, and on the same 32-pixel thumbnail gives
exactly these strings (tests/test_assets_placeholder.py holds its answers); this is about 70
lines, needs no compiler, cffi or six, and runs in milliseconds.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

X_COMPONENTS, Y_COMPONENTS = 4, 3  # the reference's default: enough for a 4:3 or 16:9 blur
THUMB = 32
BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"
_LINEAR = [(c / 255 / 12.92) if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4
           for c in range(256)]


def encode(picture: Image, x_components: int = X_COMPONENTS,
           y_components: int = Y_COMPONENTS) -> str:
    """The BlurHash of an RGB picture."""
    from PIL import Image as PILImage

    thumb = picture.convert("RGB")
    thumb.thumbnail((THUMB, THUMB), PILImage.Resampling.BOX)
    factors = _factors(thumb, x_components, y_components)
    return _text(factors, x_components, y_components)


def _factors(thumb: Image, nx: int, ny: int) -> list[tuple[float, float, float]]:
    """The cosine transform's components, row by row (the DC, the average colour, first).
    Separable: each row of cosines is applied once per column before the columns are summed."""
    w, h = thumb.size
    linear = [_LINEAR[b] for b in thumb.tobytes()]
    cos_x = [[math.cos(math.pi * i * x / w) for x in range(w)] for i in range(nx)]
    factors = []
    for j in range(ny):
        cos_y = [math.cos(math.pi * j * y / h) for y in range(h)]
        columns = [0.0] * (3 * w)  # per column and channel: sum over y of cos_y * pixel
        for y in range(h):
            weight, row = cos_y[y], 3 * w * y
            for k in range(3 * w):
                columns[k] += weight * linear[row + k]
        for i in range(nx):
            norm = (1 if i == j == 0 else 2) / (w * h)
            sums = [0.0, 0.0, 0.0]
            for x in range(w):
                c = cos_x[i][x]
                for ch in range(3):
                    sums[ch] += c * columns[3 * x + ch]
            factors.append((sums[0] * norm, sums[1] * norm, sums[2] * norm))
    return factors


def _text(factors: list[tuple[float, float, float]], nx: int, ny: int) -> str:
    dc, ac = factors[0], factors[1:]
    text = _base83((nx - 1) + (ny - 1) * 9, 1)
    if ac:
        largest = max(abs(v) for component in ac for v in component)
        quantised = max(0, min(82, math.floor(largest * 166 - 0.5)))
        maximum = (quantised + 1) / 166
        text += _base83(quantised, 1)
    else:
        maximum = 1.0
        text += _base83(0, 1)
    text += _base83((_srgb(dc[0]) << 16) + (_srgb(dc[1]) << 8) + _srgb(dc[2]), 4)
    for component in ac:
        r, g, b = (max(0, min(18, math.floor(_signed_sqrt(v / maximum) * 9 + 9.5)))
                   for v in component)
        text += _base83(r * 19 * 19 + g * 19 + b, 2)
    return text


def _srgb(value: float) -> int:
    v = min(max(value, 0.0), 1.0)
    return int((v * 12.92 if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055) * 255 + 0.5)


def _signed_sqrt(value: float) -> float:
    return math.copysign(math.sqrt(abs(value)), value)


def _base83(value: int, length: int) -> str:
    return "".join(BASE83[value // 83 ** (length - 1 - i) % 83] for i in range(length))
