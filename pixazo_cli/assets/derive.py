"""Deriving one asset: the saved original is read once, every picture the options ask for is
drawn in every format and written beside it, and the placeholders are computed. The original
is never written to. Pure of time and chance: equal original and options, equal bytes."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixazo_cli.assets import encode
from pixazo_cli.assets.asset import Asset, Derived, Generation, ImageFile
from pixazo_cli.assets.geometry import Plan, fitted, variant_widths, whole
from pixazo_cli.assets.naming import derived_name
from pixazo_cli.assets.options import AssetOptions
from pixazo_cli.assets.output import sha256_of, write_new
from pixazo_cli.assets.values import FORMATS, Target
from pixazo_cli.errors import UsageError

if TYPE_CHECKING:
    from PIL.Image import Image


def derive(original: Path, options: AssetOptions,
           own: Mapping[str, str] | None = None) -> list[Derived]:
    """Write the files `options` ask for beside `original` and describe them. `own` maps
    the names of files this tool made earlier to their recorded sha256: only those may be
    replaced (output.write_new). Raises UsageError (not an image) or SaveError."""
    return list(derive_asset(original, options, own).derived)


def derive_asset(original: Path, options: AssetOptions,
                 own: Mapping[str, str] | None = None) -> Asset:
    """derive(), plus what the manifest keeps: the original's facts, its generation, the
    placeholders. Notes (a record that could not be carried) are in Asset.notes."""
    from pixazo_cli import record as records

    size, sha256 = original.stat().st_size, sha256_of(original)
    record = records.read(original)
    source, fmt = _open(original)
    facts = ImageFile(original, source.width, source.height, fmt, size, sha256)
    pictures = _pictures(original.name, source.size, options)
    if pictures and not options.to and fmt not in FORMATS:
        raise UsageError(f"{original} is a {fmt.upper()} image, and derived files are webp, "
                         "avif, png or jpg.", hint="Say which with --to, such as --to webp.")
    notes: list[str] = []
    made: list[Derived] = []
    base_render: Image | None = None
    for plan, name_of in pictures:
        rendered: dict[tuple[int, ...], Image] = {}
        for target in options.targets_for(fmt):
            background = options.background(target.format)
            key = (*background, target.format == "jpg")
            if key not in rendered:
                rendered[key] = encode.render(source, plan, background, target.format)
            data = _encoded(rendered[key], target, None if options.strip else record, notes)
            name = name_of(target.format)
            write_new(original.parent, name, data, replace_own=(own or {}).get(name))
            made.append(_described(original.parent / name, rendered[key], target, data))
        if base_render is None:
            base_render = next(iter(rendered.values()), None)
    placeholder = _placeholders(source, pictures, options, base_render)
    order = [t.format for t in options.targets_for(fmt)]
    made.sort(key=lambda d: (order.index(d.format), d.width, d.path.name))
    return Asset(facts, Generation.from_record(record), tuple(made), placeholder,
                 options.as_json(), encode.made_with(), tuple(dict.fromkeys(notes)))


def _open(original: Path) -> tuple[Image, str]:
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        return encode.open_original(original)
    except (UnidentifiedImageError, PILImage.DecompressionBombError) as exc:
        raise UsageError(f"{original} is not an image pixazo can derive from: {exc}.") from None
    except OSError as exc:
        raise UsageError(f"Cannot read {original}: {exc.strerror or exc}.") from None


NameOf = Callable[[str], str]  # the file name for a format


def _pictures(original: str, source: tuple[int, int],
              options: AssetOptions) -> list[tuple[Plan, NameOf]]:
    """Each picture to draw, largest first, with how its files are named (naming.py)."""
    if options.size:
        box = options.size
        base = fitted(source, box, options.fit, options.gravity)
        widths = tuple(w for w in options.widths if w != base.width)
        found = [(base, lambda ext: derived_name(original, ext, box))]
        return found + [(base.at_width(w), _width_name(original, box, w))
                        for w in reversed(variant_widths(base, widths, options.upscale, False))]
    base = whole(source)
    if options.widths:
        kept = variant_widths(base, options.widths, options.upscale, stand_in=True)
        return [(base.at_width(w), _width_name(original, None, w)) for w in reversed(kept)]
    if options.makes_files:
        return [(base, lambda ext: derived_name(original, ext, source))]
    return []


def _width_name(original: str, box: tuple[int, int] | None, width: int) -> NameOf:
    return lambda ext: derived_name(original, ext, box, width)


def _encoded(picture: Image, target: Target, record: dict[str, Any] | None,
             notes: list[str]) -> bytes:
    """The encoded picture, carrying the record where there is one to carry."""
    from pixazo_cli import record as records
    from pixazo_cli.record.avif import metadata
    from pixazo_cli.record.payload import RecordNotStorable

    if record is None:
        return encode.encode(picture, target)
    try:
        if target.format == "avif":
            return encode.encode(picture, target, *metadata(record, picture.size))
        data = encode.encode(picture, target)
        out = io.BytesIO()
        records.embed(io.BytesIO(data), out, record, target.format)
        return out.getvalue()
    except RecordNotStorable as error:
        notes.append(f"{target.format} files carry no generation record: {error}")
        return encode.encode(picture, target)


def _described(path: Path, picture: Image, target: Target, data: bytes) -> Derived:
    import hashlib

    return Derived(path, picture.width, picture.height, target.format, len(data),
                   hashlib.sha256(data).hexdigest())


def _placeholders(source: Image, pictures: list[tuple[Plan, NameOf]], options: AssetOptions,
                  base_render: Image | None) -> dict[str, str]:
    """Of the --size picture, else of the original."""
    from pixazo_cli.assets.placeholder import placeholders

    if not options.placeholder:
        return {}
    picture = source
    if options.size:
        picture = base_render if base_render is not None else \
            encode.render(source, pictures[0][0], options.background("png"), "png")
    return placeholders(picture, options.placeholder)
