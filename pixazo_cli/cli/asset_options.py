"""The asset flags, declared once: `pixazo assets derive`, every model command, `replay`,
`batch` and `grid` take these declarations. Values arrive as text and are parsed and checked
by assets/options.py, the one parser flags, batch lines and config values share."""

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from pixazo_cli.assets.values import FITS, FORMATS, GRAVITIES, PLACEHOLDERS
from pixazo_cli.cli.options import completer

Size = Annotated[str | None, typer.Option(
    "--size", metavar="WxH",
    help="Also make a picture of exactly this size, such as 1200x630 (see --fit).")]
Fit = Annotated[str | None, typer.Option(
    "--fit", metavar="cover|contain|pad",
    autocompletion=completer(FITS),
    help="How --size is filled: cover crops to fill it (default), contain fits inside it, "
    "pad fits inside and fills the rest.")]
Gravity = Annotated[str | None, typer.Option(
    "--gravity", metavar="POINT",
    autocompletion=completer(tuple(GRAVITIES)),
    help="What cover keeps, or where pad places the picture: center (default), north, "
    "south, east, west, northeast, northwest, southeast, southwest.")]
PadColor = Annotated[str | None, typer.Option(
    "--pad-color", metavar="COLOR",
    help="What pad fills with: #rrggbb, #rrggbbaa, white, black or transparent (default: "
    "transparent, white for jpg).")]
To = Annotated[str | None, typer.Option(
    "--to", metavar="FORMAT[:Q],...",
    autocompletion=completer(FORMATS),
    help="Derive in these formats: webp, avif, png, jpg, each with an encoder quality 1-100 "
    "(avif:50,webp:80; webp:lossless). Default: the original's format.")]
Widths = Annotated[str | None, typer.Option(
    "--widths", metavar="W,W,...",
    help="Responsive variants of these widths in pixels, such as 480,960,1440; never wider "
    "than their source unless --upscale.")]
Upscale = Annotated[bool, typer.Option(
    "--upscale", help="Let --widths variants be wider than their source.")]
Placeholder = Annotated[str | None, typer.Option(
    "--placeholder", metavar="KIND",
    autocompletion=completer((*PLACEHOLDERS, ",".join(PLACEHOLDERS))),
    help="Compute placeholders for the manifest: blurhash, lqip (a tiny inline WebP), or "
    "blurhash,lqip.")]
Strip = Annotated[bool, typer.Option(
    "--strip",
    help="Derived files carry no metadata (no generation record): for public sites.")]
Html = Annotated[bool, typer.Option(
    "--html", help="Print a <picture> element for each image, ready to paste.")]
Sizes = Annotated[str | None, typer.Option(
    "--sizes", metavar="SIZES",
    help="The <picture>'s sizes attribute (default: (max-width: Wpx) 100vw, Wpx).")]


def asset_values(size: str | None, fit: str | None, gravity: str | None,
                 pad_color: str | None, to: str | None, widths: str | None, upscale: bool,
                 placeholder: str | None, strip: bool, html: bool,
                 sizes: str | None) -> dict[str, Any]:
    """The flags as given (None or False: not given), for assets.options.parse_options."""
    return {"size": size, "fit": fit, "gravity": gravity, "pad_color": pad_color, "to": to,
            "widths": widths, "upscale": upscale or None, "placeholder": placeholder,
            "strip": strip or None, "html": html or None, "sizes": sizes}


def _declared() -> dict[str, tuple[Any, Any]]:
    """Each flag's parameter name, declaration and "not given" value, in --help's order."""
    return {"size": (Size, None), "fit": (Fit, None), "gravity": (Gravity, None),
            "pad_color": (PadColor, None), "to": (To, None), "widths": (Widths, None),
            "upscale": (Upscale, False), "placeholder": (Placeholder, None),
            "strip": (Strip, False), "html": (Html, False), "sizes": (Sizes, None)}


def asset_parameters(kind: Any = inspect.Parameter.KEYWORD_ONLY) -> list[inspect.Parameter]:
    """The flags as parameters, for commands whose signature is built (the model commands,
    replay)."""
    return [inspect.Parameter(name, kind, default=default, annotation=annotation)
            for name, (annotation, default) in _declared().items()]


def take_asset_values(parsed: dict[str, Any]) -> dict[str, Any]:
    """The asset flags taken out of a command's parsed parameters (the rest are the model's),
    as asset_values gives them."""
    return asset_values(**{name: parsed.pop(name, default)
                           for name, (_, default) in _declared().items()})


def with_asset_flags(before: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A command taking the asset flags: they are listed before its parameter `before`, and
    it receives them as one `assets` argument (asset_values)."""
    def add(command: Callable[..., Any]) -> Callable[..., Any]:
        own = [p for p in inspect.signature(command).parameters.values() if p.name != "assets"]
        at = next(n for n, p in enumerate(own) if p.name == before)

        @functools.wraps(command)
        def taking(*args: Any, **kwargs: Any) -> Any:
            return command(*args, assets=take_asset_values(kwargs), **kwargs)

        taking.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [*own[:at], *asset_parameters(own[at].kind), *own[at:]])
        return taking
    return add
