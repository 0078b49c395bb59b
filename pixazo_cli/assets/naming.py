"""Derived files' names: the original's name, what was asked for, the format.

    {stem}-{W}x{H}.{ext}         the --size picture (W x H: the box asked for, whatever the fit)
    {stem}-{w}w.{ext}            a --widths variant of the original
    {stem}-{W}x{H}-{w}w.{ext}    a --widths variant of the --size picture
    {stem}-{W}x{H}.{ext}         with neither (--to or --strip alone): the original's own size

`stem` is the original's name less its last suffix (`hero.png` -> `hero`), `ext` is webp, avif,
png or jpg. Names come from the options and the original's name (and, with neither --size nor
--widths, its size), never from the encoded pixels, so a site can name them in advance. Two
originals with the same stem in one folder would name their files alike, and are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from pixazo_cli.errors import UsageError


def derived_name(original: str, ext: str, box: tuple[int, int] | None,
                 width: int | None = None) -> str:
    """The name for a picture of `box` (None: a variant of the original), `width` wide when
    it is a --widths variant."""
    tags = [f"{box[0]}x{box[1]}"] if box else []
    tags += [f"{width}w"] if width is not None else []
    return "-".join([Path(original).stem, *tags]) + f".{ext}"


_TAGS = re.compile(r"-(\d+x\d+(-\d+w)?|\d+w)\.(webp|avif|png|jpg)$")


def source_stem(name: str) -> str | None:
    """The stem of the original a file's name says it was derived from, else None."""
    match = _TAGS.search(name)
    return name[:match.start()] if match else None


def check_stems(originals: Iterable[Path]) -> None:
    """Refuse two originals whose derived files would share names (hero.png and hero.jpg)."""
    seen: dict[tuple[Path, str], Path] = {}
    for path in originals:
        key = (path.parent, path.stem)
        if key in seen and seen[key] != path:
            raise UsageError(f"{seen[key]} and {path} would make derived files of the same "
                             f"names ({path.stem}-…); nothing was derived.",
                             hint="Rename one of them.")
        seen[key] = path
