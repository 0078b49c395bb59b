"""Deriving one original: exact sizes for each fit, the part kept and where it sits, modes per
format, names, widths never past the source, the original untouched, equal bytes every run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image

from pixazo_cli import record
from pixazo_cli.assets.derive import derive, derive_asset
from pixazo_cli.assets.options import parse_options
from pixazo_cli.errors import SaveError
from tests.assets_support import QUADRANTS, RECORD, close, colour_at, quadrants, saved_original

FORMATS = ("png", "jpg", "webp", "avif")
RED, GREEN, BLUE, YELLOW = QUADRANTS
CLEAR = (0, 0, 0, 0)


@pytest.fixture
def wide(isolated: Path) -> Path:
    """400 x 200, four quadrants, carrying a record."""
    return saved_original(isolated / "hero.png", quadrants((400, 200)))


def only(original: Path, **raw: object) -> Path:
    made = derive(original, parse_options(raw))
    assert len(made) == 1
    return made[0].path


@pytest.mark.parametrize("fmt", FORMATS)
def test_cover_fills_the_box_exactly_and_keeps_the_centre(wide: Path, fmt: str) -> None:
    path = only(wide, size="100x100", to=fmt)
    with Image.open(path) as picture:
        assert picture.size == (100, 100) and picture.mode == "RGB"
    # The centre 200 x 200 of 400 x 200: red and blue on the left, green and yellow right.
    assert close(colour_at(path, (10, 10)), RED + (255,))
    assert close(colour_at(path, (90, 10)), GREEN + (255,))
    assert close(colour_at(path, (90, 90)), YELLOW + (255,))


def test_cover_keeps_the_part_gravity_names(wide: Path) -> None:
    west = only(wide, size="100x100", gravity="west", to="png")
    assert close(colour_at(west, (95, 5)), RED + (255,))  # all of it from the left quadrants
    east = only(wide, size="50x50", gravity="southeast", to="webp")
    assert close(colour_at(east, (5, 45)), YELLOW + (255,))


@pytest.mark.parametrize("fmt", FORMATS)
def test_contain_fits_inside_the_box_and_adds_nothing(wide: Path, fmt: str) -> None:
    with Image.open(only(wide, size="100x100", fit="contain", to=fmt)) as picture:
        assert picture.size == (100, 50) and picture.mode == "RGB"


@pytest.mark.parametrize(("fmt", "mode", "border"), [
    ("png", "RGBA", CLEAR), ("webp", "RGBA", CLEAR), ("avif", "RGBA", CLEAR),
    ("jpg", "RGB", (255, 255, 255, 255))])
def test_pad_fills_the_box_with_transparency_where_the_format_has_it(
        wide: Path, fmt: str, mode: str, border: tuple[int, ...]) -> None:
    path = only(wide, size="100x100", fit="pad", to=fmt)
    with Image.open(path) as picture:
        assert picture.size == (100, 100) and picture.mode == mode
    assert close(colour_at(path, (50, 5)), border) and close(colour_at(path, (50, 95)), border)
    assert close(colour_at(path, (10, 30)), RED + (255,))  # the picture: rows 25 to 75


def test_pad_places_the_picture_where_gravity_says_in_the_colour_asked(wide: Path) -> None:
    path = only(wide, size="100x100", fit="pad", gravity="north", pad_color="#000000",
                to="png")
    assert close(colour_at(path, (10, 5)), RED + (255,))
    assert colour_at(path, (50, 95)) == (0, 0, 0, 255)


@pytest.mark.parametrize(("fmt", "mode"), [("png", "RGBA"), ("webp", "RGBA"),
                                           ("avif", "RGBA"), ("jpg", "RGB")])
def test_a_transparent_original_stays_transparent_where_the_format_allows(
        isolated: Path, fmt: str, mode: str) -> None:
    original = saved_original(isolated / "sprite.png", quadrants((64, 64), alpha=128))
    for options in ({"size": "32x32", "to": fmt}, {"size": "40x32", "fit": "contain", "to": fmt},
                    {"size": "32x32", "fit": "pad", "to": fmt}, {"widths": "16", "to": fmt}):
        made = derive(original, parse_options(options))
        with Image.open(made[0].path) as picture:
            assert picture.mode == mode
            assert (picture.width, picture.height) == (made[0].width, made[0].height)
            if mode == "RGBA":
                assert 100 < picture.getpixel((2, 2))[3] < 160


def test_files_are_named_from_the_original_and_what_was_asked(wide: Path) -> None:
    sized = derive(wide, parse_options({"size": "120x60", "widths": "30,60,120,240",
                                        "to": "webp,avif"}))
    assert [(m.path.name, m.width, m.height) for m in sized] == [
        ("hero-120x60-30w.webp", 30, 15), ("hero-120x60-60w.webp", 60, 30),
        ("hero-120x60.webp", 120, 60), ("hero-120x60-30w.avif", 30, 15),
        ("hero-120x60-60w.avif", 60, 30), ("hero-120x60.avif", 120, 60)]
    whole = derive(wide, parse_options({"to": "jpg"}))
    assert [m.path.name for m in whole] == ["hero-400x200.jpg"]


def test_a_width_past_the_source_gives_way_to_the_source_width(wide: Path) -> None:
    made = derive(wide, parse_options({"widths": "100,300,800,1600", "to": "webp"}))
    assert [(m.path.name, m.width, m.height) for m in made] == [
        ("hero-100w.webp", 100, 50), ("hero-300w.webp", 300, 150), ("hero-400w.webp", 400, 200)]
    upscaled = derive(wide, parse_options({"widths": "800", "upscale": True, "to": "webp"}))
    assert [(m.path.name, m.width) for m in upscaled] == [("hero-800w.webp", 800)]


def test_size_makes_the_size_asked_for_even_past_the_original(wide: Path) -> None:
    with Image.open(only(wide, size="1200x630", to="webp")) as picture:
        assert picture.size == (1200, 630)


def test_the_original_is_never_changed(wide: Path) -> None:
    before = wide.read_bytes()
    derive(wide, parse_options({"size": "50x50", "to": "png", "strip": True}))
    derive(wide, parse_options({"strip": True}))  # same format, same size: a new file
    assert wide.read_bytes() == before
    assert sorted(p.name for p in wide.parent.iterdir()) == [
        "hero-400x200.png", "hero-50x50.png", "hero.png"]


def test_the_same_original_and_options_give_the_same_bytes(isolated: Path) -> None:
    options = parse_options({"size": "160x90", "widths": "40,80", "to": "avif,webp,jpg,png",
                             "placeholder": "blurhash,lqip"})
    runs = []
    for name in ("one", "two"):
        (isolated / name).mkdir()
        original = saved_original(isolated / name / "hero.png", quadrants((300, 200)))
        runs.append(derive_asset(original, options))
    first, second = runs
    assert [d.sha256 for d in first.derived] == [d.sha256 for d in second.derived]
    assert [hashlib.sha256(d.path.read_bytes()).hexdigest() for d in second.derived] == \
        [d.sha256 for d in second.derived]
    assert first.placeholder == second.placeholder


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_derived_format_carries_the_originals_record(wide: Path, fmt: str) -> None:
    made = derive(wide, parse_options({"widths": "50", "to": fmt}))
    assert record.read(made[0].path) == RECORD


@pytest.mark.parametrize("fmt", FORMATS)
def test_strip_leaves_no_metadata_at_all(isolated: Path, fmt: str) -> None:
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    picture = quadrants((64, 64))
    picture.info["icc_profile"] = profile
    original = isolated / "hero.png"
    picture.save(original, icc_profile=profile)
    saved = saved_original(isolated / "withrecord.png", Image.open(original))
    assert b"iCCP" in saved.read_bytes() and record.read(saved) == RECORD
    path = derive(saved, parse_options({"to": fmt, "strip": True}))[0].path
    data = path.read_bytes()
    assert record.read(path) is None
    # (AVIF's colour box stays in its nclx form, which describes the pixels: not a profile.)
    for marker in (b"pixazo", b"parameters", b"Exif", b"XMP", b"iCCP", b"ICCP", b"ICC_PROFILE",
                   b"colrprof", b"colrrICC"):
        assert marker not in data, marker
    with Image.open(path) as opened:
        assert not {"exif", "xmp", "icc_profile"} & set(opened.info)


def test_a_file_pixazo_did_not_make_is_never_replaced(wide: Path) -> None:
    mine = wide.parent / "hero-50x50.webp"
    mine.write_bytes(b"my own file")
    with pytest.raises(SaveError) as refused:
        derive(wide, parse_options({"size": "50x50", "to": "webp"}))
    assert "pixazo did not make it" in refused.value.message
    assert mine.read_bytes() == b"my own file"


def test_a_file_pixazo_made_is_replaced_when_the_options_change(wide: Path) -> None:
    first = derive(wide, parse_options({"size": "50x50", "to": "webp"}))[0]
    own = {first.path.name: first.sha256}
    again = derive(wide, parse_options({"size": "50x50", "to": "webp:20"}), own)[0]
    assert again.path == first.path and again.sha256 != first.sha256
    assert hashlib.sha256(first.path.read_bytes()).hexdigest() == again.sha256
