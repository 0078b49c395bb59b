"""One asset option's value, from text or a JSON/TOML value: each parser returns the typed value
or raises UsageError (exit 2) naming the flag, what it wants and what it got."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pixazo_cli.errors import UsageError

MAX_SIDE = 16383  # WebP's limit, the smallest of the four formats': one rule for all
MAX_WIDTHS = 16
FORMATS = ("webp", "avif", "png", "jpg")
ALPHA_FORMATS = frozenset({"webp", "avif", "png"})
FITS = ("cover", "contain", "pad")
PLACEHOLDERS = ("blurhash", "lqip")
LOSSLESS = "lossless"

# Where the kept part (cover) or the picture (pad) sits: fractions of the free room, x then y.
GRAVITIES: dict[str, tuple[float, float]] = {
    "center": (0.5, 0.5), "north": (0.5, 0.0), "south": (0.5, 1.0), "east": (1.0, 0.5),
    "west": (0.0, 0.5), "northeast": (1.0, 0.0), "northwest": (0.0, 0.0),
    "southeast": (1.0, 1.0), "southwest": (0.0, 1.0),
}
_GRAVITY_ALIASES = {"centre": "center", "top": "north", "bottom": "south", "right": "east",
                    "left": "west", "top-right": "northeast", "top-left": "northwest",
                    "bottom-right": "southeast", "bottom-left": "southwest"}
_NAMED_COLOURS = {"white": (255, 255, 255, 255), "black": (0, 0, 0, 255),
                  "transparent": (0, 0, 0, 0)}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Target:
    """One output format and its encoder setting: a quality 1-100, 'lossless' (webp), or
    None for the format's default (see encode.py)."""

    format: str
    quality: int | str | None = None

    def __str__(self) -> str:
        return self.format if self.quality is None else f"{self.format}:{self.quality}"


def _text(flag: str, raw: Any, wants: str) -> str:
    if not isinstance(raw, str):
        raise UsageError(f"{flag} wants {wants}, not {raw!r}.")
    return raw.strip()


def _items(flag: str, raw: Any, wants: str) -> list[Any]:
    """A comma-separated text or a JSON list: its items, none empty."""
    if isinstance(raw, list):
        items = raw
    else:
        items = [part.strip() for part in _text(flag, raw, wants).split(",")]
    if not items or any(item == "" for item in items):
        raise UsageError(f"{flag} wants {wants}, not {raw!r}.")
    return items


def boolean(flag: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise UsageError(f"{flag} must be true or false, not {raw!r}.")


def side(flag: str, raw: Any) -> int:
    """A width or height in pixels: a whole number from 1 to MAX_SIDE."""
    value = raw
    if isinstance(raw, str) and re.fullmatch(r"\s*\d+\s*", raw):
        value = int(raw)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SIDE:
        raise UsageError(f"{flag} takes whole numbers of pixels from 1 to {MAX_SIDE}, "
                         f"not {raw!r}.")
    return value


def size(raw: Any) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)\s*[x×X]\s*(\d+)", _text("--size", raw, "WIDTHxHEIGHT"))
    if not match:
        raise UsageError(f"--size wants WIDTHxHEIGHT in pixels, such as 1200x630, not {raw!r}.")
    return side("--size", match[1]), side("--size", match[2])


def choice(flag: str, raw: Any, choices: tuple[str, ...]) -> str:
    value = _text(flag, raw, " or ".join(choices)).lower()
    if value not in choices:
        raise UsageError(f"{flag} takes {', '.join(choices)}, not {raw!r}.")
    return value


def gravity(raw: Any) -> str:
    value = _text("--gravity", raw, "a compass point").lower().replace("_", "-")
    value = _GRAVITY_ALIASES.get(value, value)
    if value not in GRAVITIES:
        raise UsageError(f"--gravity takes {', '.join(GRAVITIES)} (or top, bottom, left, "
                         f"right, top-left…), not {raw!r}.")
    return value


def colour(raw: Any) -> tuple[int, int, int, int]:
    """#rgb, #rgba, #rrggbb, #rrggbbaa (the # optional), white, black or transparent."""
    text = _text("--pad-color", raw, "a colour such as #ffffff").lower()
    if text in _NAMED_COLOURS:
        return _NAMED_COLOURS[text]
    digits = text.removeprefix("#")
    if not re.fullmatch(r"[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8}", digits):
        raise UsageError(f"--pad-color wants #rrggbb, #rrggbbaa, #rgb, white, black or "
                         f"transparent, not {raw!r}.")
    if len(digits) <= 4:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i:i + 2], 16) for i in range(0, len(digits), 2)]
    return (channels[0], channels[1], channels[2], channels[3] if len(channels) == 4 else 255)


def targets(raw: Any) -> tuple[Target, ...]:
    """webp, avif:50, webp:lossless…, comma-separated or a JSON list; each format once."""
    wants = "formats such as webp or avif:50,webp:80"
    found: list[Target] = []
    for item in _items("--to", raw, wants):
        text = _text("--to", item, wants).lower()
        fmt, _, setting = text.partition(":")
        fmt = "jpg" if fmt == "jpeg" else fmt
        if fmt not in FORMATS:
            raise UsageError(f"--to takes {', '.join(FORMATS)}, not {item!r}.")
        if any(t.format == fmt for t in found):
            raise UsageError(f"--to names {fmt} twice; each format makes one set of files.")
        found.append(Target(fmt, _quality(fmt, setting, item) if ":" in text else None))
    return tuple(found)


def _quality(fmt: str, setting: str, item: str) -> int | str:
    if fmt == "png":
        raise UsageError(f"--to {item}: png is lossless and takes no quality.",
                         hint="Write --to png.")
    if setting == LOSSLESS and fmt == "webp":
        return LOSSLESS
    if setting.isdigit() and 1 <= int(setting) <= 100:
        return int(setting)
    also = " or lossless" if fmt == "webp" else ""
    raise UsageError(f"--to {item}: the quality is a whole number from 1 to 100{also}.")


def widths(raw: Any) -> tuple[int, ...]:
    items = [raw] if isinstance(raw, int) and not isinstance(raw, bool) else \
        _items("--widths", raw, "widths in pixels such as 480,960,1440")
    values = sorted({side("--widths", item) for item in items})
    if len(values) > MAX_WIDTHS:
        raise UsageError(f"--widths takes at most {MAX_WIDTHS} widths, not {len(values)}.")
    return tuple(values)


def placeholders(raw: Any) -> tuple[str, ...]:
    items = _items("--placeholder", raw, "blurhash, lqip or blurhash,lqip")
    kinds = {choice("--placeholder", item, PLACEHOLDERS) for item in items}
    return tuple(kind for kind in PLACEHOLDERS if kind in kinds)


def sizes_attribute(raw: Any) -> str:
    """The `sizes` attribute, as written in HTML (escaped when the snippet is written)."""
    text = _text("--sizes", raw, "a sizes attribute such as (max-width: 960px) 100vw, 960px")
    if not text or len(text) > 1000 or re.search(r"[\x00-\x1f\x7f]", text):
        raise UsageError("--sizes wants one line of up to 1000 characters, such as "
                         "'(max-width: 960px) 100vw, 960px'.")
    return text
