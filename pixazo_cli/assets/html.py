"""The `<picture>` snippet for one asset, ready to paste beside its files.

One `<source>` per modern format (AVIF first, then WebP: a browser takes the first it reads),
and an `<img>` in the most widely read format made (jpg, png, webp, then avif), each with every
width as a `srcset` candidate; `width` and `height` are the largest candidate's, so the page
reserves the right box before anything loads. File names are percent-encoded (a comma or a
space would split a srcset) and every attribute is HTML-escaped: the alt text is the prompt,
which is user text. An lqip placeholder becomes the img's background while it loads.
"""

from __future__ import annotations

import re

from pixazo_cli.assets.asset import Asset, ImageFile
from pixazo_cli.sinks.html import attribute, url_path

SOURCE_FORMATS = ("avif", "webp")
IMG_FORMATS = ("jpg", "png", "webp", "avif")
MIME = {"avif": "image/avif", "webp": "image/webp", "png": "image/png", "jpg": "image/jpeg"}


def picture_html(asset: Asset, sizes: str | None = None) -> str:
    by_format: dict[str, list[ImageFile]] = {}
    for made in sorted(asset.derived, key=lambda d: d.width):
        by_format.setdefault(made.format, []).append(made)
    if not by_format:
        by_format[asset.original.format] = [asset.original]
    img_format = next(f for f in IMG_FORMATS if f in by_format)
    widest = by_format[img_format][-1]
    sizes = sizes or f"(max-width: {widest.width}px) 100vw, {widest.width}px"
    lines = ["<picture>"]
    for fmt in SOURCE_FORMATS:
        if fmt in by_format and fmt != img_format:
            lines.append(f'  <source type="{MIME[fmt]}"{_srcset(by_format[fmt], sizes)}>')
    alt = re.sub(r"\s+", " ", asset.alt).strip()  # a prompt's line breaks read as spaces
    img = [f'src="{_url(widest)}"{_srcset(by_format[img_format], sizes)}',
           f'width="{widest.width}" height="{widest.height}"', f'alt="{attribute(alt)}"']
    if "lqip" in asset.placeholder:
        img.append(f'style="background-size:cover;background-image:'
                   f'url({attribute(asset.placeholder["lqip"])})"')
    lines.append(f"  <img {' '.join(img)} decoding=\"async\">")
    lines.append("</picture>")
    return "\n".join(lines) + "\n"


def _srcset(files: list[ImageFile], sizes: str) -> str:
    if len(files) == 1:
        return f' srcset="{_url(files[0])}"' if files[0].format in SOURCE_FORMATS else ""
    candidates = ", ".join(f"{_url(f)} {f.width}w" for f in files)
    return f' srcset="{candidates}" sizes="{attribute(sizes)}"'


def _url(made: ImageFile) -> str:
    return attribute(url_path(made.path.name, safe=""))
