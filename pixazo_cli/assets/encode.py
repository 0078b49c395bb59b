"""The pixels, with Pillow (imported here only): the original opened as sRGB RGB or RGBA, a plan
drawn, and a picture encoded with fixed settings, so equal inputs give equal bytes.

Fixed on purpose: no timestamps (none of the four formats gets one), one encoder thread (AVIF
bytes must not depend on the machine's cores), no metadata but the generation record, and
these settings. The qualities are sharp's defaults (what most site pipelines used before);
AVIF's speed is 8, not libavif's 6: on 1024-pixel pictures at three widths it encodes 3-4
times faster for files 0-10% larger, and AVIF is most of a derivation's time.

    webp  quality 80, method 4        avif  quality 50, speed 8, 4:2:0, one thread
    jpg   quality 80, progressive, optimised Huffman tables, 4:2:0
    png   compression level 9
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from pixazo_cli.assets.geometry import Plan
from pixazo_cli.assets.values import LOSSLESS, Target

if TYPE_CHECKING:
    from PIL.Image import Image

DEFAULT_QUALITY = {"webp": 80, "avif": 50, "jpg": 80}
PILLOW_FORMAT = {"webp": "WEBP", "avif": "AVIF", "png": "PNG", "jpg": "JPEG"}
FORMAT_OF = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "AVIF": "avif"}
_SETTINGS: dict[str, dict[str, Any]] = {
    "webp": {"method": 4},
    "avif": {"speed": 8, "subsampling": "4:2:0", "max_threads": 1, "autotiling": False},
    "jpg": {"optimize": True, "progressive": True, "subsampling": 2},
    "png": {"compress_level": 9},
}


def made_with() -> str:
    """The encoders' versions: derived bytes are equal under equal versions."""
    import PIL
    from PIL import features

    parts = [f"Pillow {PIL.__version__}"]
    for name in ("webp", "avif", "jpg", "zlib"):
        version = features.version(name)
        if version:
            parts.append(f"{name} {version}")
    return ", ".join(parts)


def open_original(path: Any) -> tuple[Image, str]:
    """The original's pixels, upright and in sRGB, as RGB or RGBA, and its format."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    with PILImage.open(path) as opened:
        fmt = FORMAT_OF.get(str(opened.format), str(opened.format).lower())
        picture = ImageOps.exif_transpose(opened)
        icc = opened.info.get("icc_profile")
        picture = picture.convert("RGBA" if picture.has_transparency_data else "RGB")
    if icc:
        picture = _to_srgb(picture, icc)
    picture.info = {}
    return picture, fmt


def _to_srgb(picture: Image, icc: bytes) -> Image:
    """Derived files carry no ICC profile, so colours are converted to sRGB, the web's."""
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(picture, source, ImageCms.createProfile("sRGB"),
                                         outputMode=picture.mode) or picture
    except (ImageCms.PyCMSError, OSError):  # a broken profile: the pixels as they are
        return picture


def render(source: Image, plan: Plan, background: tuple[int, int, int, int], fmt: str) -> Image:
    """The picture the plan describes, as RGB or RGBA (RGB for jpg, and whenever nothing in it
    is see-through)."""
    from PIL import Image as PILImage

    content = source.resize(plan.content, PILImage.Resampling.LANCZOS, box=plan.crop)
    if plan.padded:
        canvas = PILImage.new("RGBA", plan.canvas, background)
        canvas.alpha_composite(content.convert("RGBA"), plan.offset)
        content = canvas
    if content.mode == "RGBA" and fmt == "jpg":  # jpg has no transparency: laid on white
        white = PILImage.new("RGBA", content.size, (255, 255, 255, 255))
        content = PILImage.alpha_composite(white, content)
    opaque = content.mode == "RGBA" and content.getchannel("A").getextrema() == (255, 255)
    if opaque or fmt == "jpg":
        content = content.convert("RGB")
    content.info = {}
    return content


def encode(picture: Image, target: Target, exif: bytes = b"", xmp: bytes = b"") -> bytes:
    """The picture in the target's format; exif and xmp are used by AVIF only (the other
    formats get the record embedded afterwards, without re-encoding)."""
    settings = dict(_SETTINGS[target.format])
    if target.quality == LOSSLESS:
        settings["lossless"] = True
    elif target.format in DEFAULT_QUALITY:
        settings["quality"] = target.quality or DEFAULT_QUALITY[target.format]
    if target.format == "avif" and (exif or xmp):
        settings.update(exif=exif, xmp=xmp)
    buffer = io.BytesIO()
    picture.save(buffer, PILLOW_FORMAT[target.format], **settings)
    return buffer.getvalue()
