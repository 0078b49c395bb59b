"""Where every pixel of a derived picture comes from, as numbers only (no Pillow): which part of
the original is used, how big it is drawn, on how big a canvas, and where. Integer sizes are
rounded the same way on every machine, so the same original and options give the same plan."""

from __future__ import annotations

from dataclasses import dataclass

from pixazo_cli.assets.values import GRAVITIES

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Plan:
    crop: Box  # the part of the original used, in its pixels (left, top, right, bottom)
    content: tuple[int, int]  # that part's size once scaled
    canvas: tuple[int, int]  # the picture's size: the content, plus padding for pad
    offset: tuple[int, int]  # where the content's top-left corner sits on the canvas
    gravity: str = "center"

    @property
    def width(self) -> int:
        return self.canvas[0]

    @property
    def height(self) -> int:
        return self.canvas[1]

    @property
    def padded(self) -> bool:
        return self.content != self.canvas

    def at_width(self, width: int) -> Plan:
        """The same picture (same crop, same proportions, same placement) `width` wide."""
        factor = width / self.canvas[0]
        canvas = (width, _scaled(self.canvas[1], factor))
        content = (min(canvas[0], _scaled(self.content[0], factor)),
                   min(canvas[1], _scaled(self.content[1], factor)))
        return Plan(self.crop, content, canvas, _placed(content, canvas, self.gravity),
                    self.gravity)


def _scaled(length: int, factor: float) -> int:
    return max(1, round(length * factor))


def _placed(content: tuple[int, int], canvas: tuple[int, int],
            gravity: str) -> tuple[int, int]:
    gx, gy = GRAVITIES[gravity]
    return int((canvas[0] - content[0]) * gx), int((canvas[1] - content[1]) * gy)


def whole(source: tuple[int, int]) -> Plan:
    """The original as it is."""
    return Plan((0.0, 0.0, float(source[0]), float(source[1])), source, source, (0, 0))


def fitted(source: tuple[int, int], box: tuple[int, int], fit: str, gravity: str) -> Plan:
    """The original fitted to `box`: cover crops to fill it, contain fits inside it, pad fits
    inside and fills the rest of the box."""
    sw, sh = source
    bw, bh = box
    if fit == "cover":
        scale = max(bw / sw, bh / sh)
        cw, ch = min(sw, bw / scale), min(sh, bh / scale)
        gx, gy = GRAVITIES[gravity]
        left, top = (sw - cw) * gx, (sh - ch) * gy
        return Plan((left, top, left + cw, top + ch), box, box, (0, 0), gravity)
    scale = min(bw / sw, bh / sh)
    content = (min(bw, _scaled(sw, scale)), min(bh, _scaled(sh, scale)))
    canvas = box if fit == "pad" else content
    return Plan((0.0, 0.0, float(sw), float(sh)), content, canvas,
                _placed(content, canvas, gravity), gravity)


def variant_widths(base: Plan, widths: tuple[int, ...], upscale: bool,
                   stand_in: bool) -> tuple[int, ...]:
    """The widths of the responsive variants of `base`. Without `upscale`, widths past the
    base's are dropped; with `stand_in`, one variant at the base's own width replaces them."""
    if upscale:
        return widths
    kept = tuple(w for w in widths if w < base.width)
    if stand_in and len(kept) < len(widths):
        kept += (base.width,)
    return kept
