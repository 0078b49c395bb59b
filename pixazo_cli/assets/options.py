"""The asset options: what to make from a saved original, parsed once from flags, batch-line
values or config values, and checked before anything is paid for.

How the flags combine (docs/assets.md says the same for users):

- Nothing is derived unless `--size`, `--to`, `--widths` or `--strip` is given. The original,
  as downloaded (with its embedded record), is never changed; derived files sit beside it.
- `--size WxH` makes one picture of exactly that box: `cover` (the default) scales to fill it
  and crops the overflow, keeping the part `--gravity` names (centre by default); `pad` scales
  to fit inside and fills the rest with `--pad-color` (default: transparent where the format
  has transparency, white for jpg), the picture placed by `--gravity`; `contain` scales to fit
  inside and adds nothing, so one side may be shorter than the box. `--size` gives the size
  asked for, enlarging a smaller original if need be (`--upscale` is about `--widths` only).
- `--widths 480,960` makes responsive variants of the picture: of the `--size` picture when
  given, else of the original; same proportions, same crop. A variant is never wider than that
  picture unless `--upscale`: wider widths are dropped, and without `--size` one variant at the
  picture's own width takes their place (with `--size`, the `--size` picture is that one).
- `--to webp,avif:50` picks the formats (each with its encoder quality, or `webp:lossless`);
  every picture is made in every format. Without `--to`, the original's format is kept.
  `--to` alone (or `--strip` alone) makes the whole original in that format, at its size.
- `--placeholder blurhash,lqip` computes placeholders of the `--size` picture, else of the
  original; `--strip` leaves every derived file without metadata (no record, no EXIF, no
  XMP, no ICC profile); `--html` asks for the `<picture>` snippet, `--sizes` sets its `sizes`.
- Refused (exit 2) because they would do nothing or contradict: `--fit`, `--gravity` or
  `--pad-color` without `--size`; `--gravity` with `--fit contain`; `--pad-color` without
  `--fit pad`; a see-through `--pad-color` when `--to` includes jpg; `--upscale` without
  `--widths`; `--sizes` without `--html`; a format twice; a quality for png.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pixazo_cli.assets import values
from pixazo_cli.assets.values import Target
from pixazo_cli.errors import UsageError

KEYS = ("size", "fit", "gravity", "pad_color", "to", "widths", "upscale", "placeholder",
        "strip", "html", "sizes")
# What to make, which a batch line and the config may also say; --html and --sizes are about
# what one command prints, so they stay flags.
FILE_KEYS = KEYS[:9]
DEFAULT_FIT = "cover"
DEFAULT_GRAVITY = "center"


@dataclass(frozen=True)
class AssetOptions:
    size: tuple[int, int] | None = None
    fit: str = DEFAULT_FIT
    gravity: str = DEFAULT_GRAVITY
    pad_color: tuple[int, int, int, int] | None = None  # None: see background()
    to: tuple[Target, ...] = ()
    widths: tuple[int, ...] = ()
    upscale: bool = False
    placeholder: tuple[str, ...] = ()
    strip: bool = False
    html: bool = False
    sizes: str | None = None

    @property
    def makes_files(self) -> bool:
        return bool(self.size or self.to or self.widths or self.strip)

    @property
    def wanted(self) -> bool:
        """Any post-processing at all: files, placeholders or the snippet."""
        return self.makes_files or bool(self.placeholder) or self.html

    def targets_for(self, original_format: str) -> tuple[Target, ...]:
        return self.to or (Target(original_format),)

    def background(self, fmt: str) -> tuple[int, int, int, int]:
        """What pad fills with, and what a transparent picture is laid on for jpg."""
        if self.pad_color is not None:
            return self.pad_color
        return (0, 0, 0, 0) if fmt in values.ALPHA_FORMATS else (255, 255, 255, 255)

    def as_json(self) -> dict[str, Any]:
        """What made the derived files, in the manifest: equal options, equal JSON."""
        data: dict[str, Any] = {
            "size": f"{self.size[0]}x{self.size[1]}" if self.size else None,
            "fit": self.fit if self.size else None,
            "gravity": self.gravity if self.size and self.fit != "contain" else None,
            "pad_color": "#{:02x}{:02x}{:02x}{:02x}".format(*self.pad_color)
            if self.pad_color else None,
            "to": [str(t) for t in self.to], "widths": list(self.widths),
            "upscale": self.upscale, "placeholder": list(self.placeholder), "strip": self.strip}
        return {key: value for key, value in data.items() if value not in (None, [], False)}


_PARSERS = {
    "size": values.size,
    "fit": lambda raw: values.choice("--fit", raw, values.FITS),
    "gravity": values.gravity,
    "pad_color": values.colour,
    "to": values.targets,
    "widths": values.widths,
    "upscale": lambda raw: values.boolean("--upscale", raw),
    "placeholder": values.placeholders,
    "strip": lambda raw: values.boolean("--strip", raw),
    "html": lambda raw: values.boolean("--html", raw),
    "sizes": values.sizes_attribute,
}


def key_of(name: str) -> str | None:
    """The option a flag, batch-line key or config key names (`pad-color`, `--pad-color`,
    `pad_color`), or None when it is not an asset option."""
    key = name.removeprefix("--").replace("-", "_")
    return key if key in KEYS else None


def parse_options(raw: Mapping[str, Any]) -> AssetOptions:
    """AssetOptions from raw values by name (None or absent: not given). Each value is text
    (a flag, a config value) or JSON (a batch line: lists and booleans too). Raises UsageError
    for an unknown name, a bad value or a combination that would do nothing."""
    given: dict[str, Any] = {}
    for name, value in raw.items():
        key = key_of(name)
        if key is None:
            raise UsageError(f"{name!r} is not an asset option.",
                             hint=f"They are: {_listed(KEYS)}.")
        if value is not None:
            given[key] = _PARSERS[key](value)
    options = AssetOptions(**given)
    check_combination(options, set(given))
    return options


class Layers:
    """The values a command's assets are made with: config defaults (`[assets]`), under the
    command's flags, under a batch line's own keys; merged, then parsed and checked as one, so
    a combination is judged on what is in force (config `fit = "pad"` with `--size`)."""

    def __init__(self, config: Mapping[str, Any] | None = None,
                 flags: Mapping[str, Any] | None = None) -> None:
        self.config = dict(config or {})
        self.flags = {k: v for k, v in (flags or {}).items() if v is not None}
        self._parsed: dict[str, AssetOptions | None | UsageError] = {}  # one per distinct line

    def options(self, own: Mapping[str, Any] | None = None) -> AssetOptions | None:
        """The options in force (a batch line's `own` keys on top), or None when nothing is
        to be derived. Raises UsageError; equal values give the one same object."""
        import json

        key = json.dumps(own or {}, sort_keys=True, default=str)
        if key not in self._parsed:
            try:
                self._parsed[key] = self._parse(own or {})
            except UsageError as error:
                self._parsed[key] = error
        found = self._parsed[key]
        if isinstance(found, UsageError):
            raise found
        return found

    def _parse(self, own: Mapping[str, Any]) -> AssetOptions | None:
        for name in self.config:
            if key_of(name) not in FILE_KEYS:
                raise UsageError(f"The config's [assets] table has {name!r}, which is not an "
                                 "asset setting.", hint=f"Remove it: pixazo config unset "
                                 f"assets.{name}. They are: {_listed(FILE_KEYS)}.")
        merged: dict[str, Any] = {}
        for layer in (self.config, self.flags, own):
            merged.update({key_of(name) or name: value for name, value in layer.items()
                           if value is not None})
        try:
            options = parse_options(merged)
        except UsageError as error:
            if self.config:
                said = ", ".join(f"assets.{name}" for name in self.config)
                error.hint = (f"{error.hint} " if error.hint else "") + \
                    f"Your config sets {said} (pixazo config unset KEY)."
            raise
        return options if options.wanted else None


def _listed(keys: tuple[str, ...]) -> str:
    return ", ".join(k.replace("_", "-") for k in keys)


def check_combination(options: AssetOptions, given: set[str]) -> None:
    def refuse(message: str, hint: str | None = None) -> None:
        raise UsageError(message, hint=hint)

    for flag in ("fit", "gravity", "pad_color"):
        if flag in given and options.size is None:
            refuse(f"--{flag.replace('_', '-')} needs --size: it says how to fill the box.",
                   hint="Add --size WIDTHxHEIGHT, such as --size 1200x630.")
    if "gravity" in given and options.fit == "contain":
        refuse("--gravity has nothing to place with --fit contain (no crop, no padding).",
               hint="Use --fit cover to crop or --fit pad to place the picture.")
    if "pad_color" in given and options.fit != "pad":
        refuse("--pad-color needs --fit pad.")
    if options.pad_color and options.pad_color[3] < 255 and \
            any(t.format == "jpg" for t in options.to):
        refuse("jpg has no transparency, so it cannot be padded with a see-through colour.",
               hint="Pick an opaque --pad-color, such as #ffffff.")
    if options.upscale and not options.widths:
        refuse("--upscale needs --widths: it lets a variant be wider than its source.",
               hint="--size always makes the exact size asked for.")
    if options.sizes is not None and not options.html:
        refuse("--sizes needs --html: it is the snippet's sizes attribute.")
