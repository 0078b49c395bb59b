"""The geometry, over every size: cover and pad give exactly the box, contain fits inside it,
the crop never leaves the original, proportions are kept, and widths never pass the source."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pixazo_cli.assets.geometry import fitted, variant_widths, whole
from pixazo_cli.assets.values import GRAVITIES

sides = st.integers(1, 4000)
gravities = st.sampled_from(sorted(GRAVITIES))


@given(sides, sides, sides, sides, gravities)
def test_cover_fills_the_box_from_inside_the_original(sw: int, sh: int, bw: int, bh: int,
                                                      gravity: str) -> None:
    plan = fitted((sw, sh), (bw, bh), "cover", gravity)
    assert plan.canvas == plan.content == (bw, bh) and plan.offset == (0, 0)
    left, top, right, bottom = plan.crop
    assert 0 <= left < right <= sw + 1e-6 and 0 <= top < bottom <= sh + 1e-6
    # The crop has the box's proportions (up to rounding of a pixel).
    assert abs((right - left) * bh - (bottom - top) * bw) <= max(bw, bh)


@given(sides, sides, sides, sides, gravities)
def test_pad_gives_the_box_and_contain_fits_inside_it(sw: int, sh: int, bw: int, bh: int,
                                                      gravity: str) -> None:
    padded = fitted((sw, sh), (bw, bh), "pad", gravity)
    assert padded.canvas == (bw, bh)
    x, y = padded.offset
    assert 0 <= x <= bw - padded.content[0] and 0 <= y <= bh - padded.content[1]
    contained = fitted((sw, sh), (bw, bh), "contain", "center")
    assert contained.canvas == contained.content == padded.content
    cw, ch = contained.content
    assert cw <= bw and ch <= bh and (cw == bw or ch == bh)  # touches the box on one side


def test_gravity_places_the_crop_and_the_picture() -> None:
    assert fitted((400, 200), (100, 100), "cover", "west").crop == (0.0, 0.0, 200.0, 200.0)
    assert fitted((400, 200), (100, 100), "cover", "east").crop == (200.0, 0.0, 400.0, 200.0)
    assert fitted((400, 200), (100, 100), "pad", "south").offset == (0, 50)
    assert fitted((400, 200), (100, 100), "pad", "center").offset == (0, 25)


@given(sides, sides, st.integers(1, 4000))
def test_a_variant_keeps_the_pictures_proportions(sw: int, sh: int, width: int) -> None:
    variant = whole((sw, sh)).at_width(width)
    assert variant.width == width
    assert abs(variant.height - sh * width / sw) <= 0.5 or variant.height == 1


@given(st.lists(st.integers(1, 4000), min_size=1, max_size=16, unique=True), sides)
def test_no_variant_is_wider_than_its_source_unless_asked(widths: list[int], sw: int) -> None:
    base = whole((sw, 100))
    kept = variant_widths(base, tuple(sorted(widths)), upscale=False, stand_in=True)
    assert all(w <= sw for w in kept)
    assert (sw in kept) == (max(widths) >= sw)
    assert variant_widths(base, tuple(sorted(widths)), upscale=True, stand_in=True) == \
        tuple(sorted(widths))
