"""A font that can draw the prompt, for the sandbox's placeholder images.

Pillow's own font draws Latin text only: a prompt in Japanese, Arabic or Chinese came out as
a row of empty boxes. Where the prompt has characters that font lacks, this module asks
fontconfig (`fc-match`) for a font that has them, then tries a few well-known font files, and
keeps the first one that really draws every character (checked by drawing it, since fc-match
answers with its best match even when nothing matches well). With no better font anywhere, the
prompt is drawn as before.

Pillow is imported inside the functions, as in images.py."""

from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import ImageFont

# Tried after fontconfig's answer, broadest coverage first (Debian/Ubuntu, Fedora, Arch, macOS,
# Windows).
KNOWN_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/seguisym.ttf",
    "C:/Windows/Fonts/msyh.ttc",
)
FC_MATCH_SECONDS = 5.0
MAX_PROBED = 48  # distinct characters checked; a long prompt repeats its script anyway
PROBE_SIZE = 24
# An unassigned code point: every font draws its "missing glyph" for it, whatever that looks like.
MISSING = "\u0378"


def prompt_font(prompt: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The font to draw `prompt` with at `size`: Pillow's own unless it lacks characters that
    a font on this system has."""
    from PIL import ImageFont

    path = font_file(drawn_characters(prompt))
    if path is None:
        return ImageFont.load_default(size=size)
    return _load(path, size) or ImageFont.load_default(size=size)


def drawn_characters(text: str) -> str:
    """The distinct visible characters beyond ASCII, in a stable order (marks, joiners and
    spaces draw nothing by themselves, so they prove nothing about a font)."""
    seen = sorted({ch for ch in text if ord(ch) > 0x7E and unicodedata.category(ch)[0] in "LNPS"})
    return "".join(seen[:MAX_PROBED])


@functools.lru_cache(maxsize=128)
def font_file(chars: str) -> str | None:
    """The first font file that draws all of `chars`, or the one that draws the most of them;
    None when Pillow's own font does as well as any."""
    from PIL import ImageFont

    if not chars:
        return None
    best, best_count = None, coverage(ImageFont.load_default(size=PROBE_SIZE), chars)
    if best_count == len(chars):
        return None  # Pillow's own font draws them: the picture stays as it always was
    for path in _candidates(chars):
        font = _load(path, PROBE_SIZE)
        count = coverage(font, chars) if font is not None else 0
        if count == len(chars):
            return path
        if count > best_count:
            best, best_count = path, count
    return best


def _candidates(chars: str) -> list[str]:
    found = [fontconfig_file(chars)] + [path for path in KNOWN_FONTS if Path(path).is_file()]
    return list(dict.fromkeys(path for path in found if path))


def fontconfig_file(chars: str) -> str | None:
    """fontconfig's best sans font for these characters, where fc-match exists and answers."""
    program = shutil.which("fc-match")
    if program is None or not chars:
        return None
    pattern = "sans:charset=" + " ".join(f"{ord(ch):x}" for ch in chars)
    try:
        done = subprocess.run([program, "-f", "%{file}", pattern], capture_output=True,
                              text=True, timeout=FC_MATCH_SECONDS, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    path = done.stdout.strip()
    return path if done.returncode == 0 and path and Path(path).is_file() else None


def coverage(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, chars: str) -> int:
    """How many of `chars` the font draws as something other than its missing-glyph box."""
    missing = _glyph(font, MISSING)
    return sum(1 for ch in chars if _glyph(font, ch) != missing)


def _glyph(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, ch: str) -> bytes:
    from PIL import Image, ImageDraw

    canvas = Image.new("L", (PROBE_SIZE * 3, PROBE_SIZE * 3))
    try:
        ImageDraw.Draw(canvas).text((PROBE_SIZE, PROBE_SIZE), ch, font=font, fill=255)
    except (OSError, ValueError, UnicodeError):  # a bitmap font without the character
        return b""
    return canvas.tobytes()


@functools.lru_cache(maxsize=32)
def _load(path: str, size: int) -> ImageFont.FreeTypeFont | None:
    from PIL import ImageFont

    try:
        return ImageFont.truetype(path, size)
    except (OSError, ValueError):  # not a font, or a colour-bitmap font fixed at one size
        return None
