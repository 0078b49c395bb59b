"""The asset options: one parser for flag text, batch-line JSON and config values; every bad
value and every combination that would do nothing is a UsageError (exit 2) with a plain
message, before anything is paid for."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pixazo_cli.assets.options import AssetOptions, key_of, parse_options
from pixazo_cli.assets.values import Target
from pixazo_cli.errors import UsageError


def test_flag_text_batch_json_and_config_values_parse_alike() -> None:
    from_flags = parse_options({"--size": "1200x630", "--to": "avif:50,webp",
                                "--widths": "960, 480", "--placeholder": "lqip,blurhash",
                                "--strip": "true"})
    from_line = parse_options({"size": "1200x630", "to": ["avif:50", "webp"],
                               "widths": [480, 960], "placeholder": ["blurhash", "lqip"],
                               "strip": True})
    assert from_flags == from_line == AssetOptions(
        size=(1200, 630), to=(Target("avif", 50), Target("webp")), widths=(480, 960),
        placeholder=("blurhash", "lqip"), strip=True)


def test_names_are_taken_with_dashes_underscores_or_as_flags() -> None:
    assert key_of("pad-color") == key_of("--pad-color") == key_of("pad_color") == "pad_color"
    assert key_of("quality") is None  # sd35's and sd3's gateway field, not an asset option


@pytest.mark.parametrize(("raw", "message"), [
    ({"size": "1200"}, "--size wants WIDTHxHEIGHT"),
    ({"size": "0x630"}, "from 1 to 16383"),
    ({"size": "20000x10"}, "from 1 to 16383"),
    ({"size": 1200}, "--size wants WIDTHxHEIGHT"),
    ({"size": "1x1", "fit": "stretch"}, "--fit takes cover, contain, pad"),
    ({"size": "1x1", "gravity": "up"}, "--gravity takes center"),
    ({"to": "gif"}, "--to takes webp, avif, png, jpg"),
    ({"to": "webp:0"}, "from 1 to 100"),
    ({"to": "webp:101"}, "from 1 to 100"),
    ({"to": "avif:lossless"}, "from 1 to 100."),
    ({"to": "png:90"}, "png is lossless"),
    ({"to": "webp,webp:60"}, "names webp twice"),
    ({"to": "webp,"}, "--to wants"),
    ({"widths": "480,,960"}, "--widths wants"),
    ({"widths": "480,wide"}, "--widths takes whole numbers"),
    ({"widths": [480, True]}, "--widths takes whole numbers"),
    ({"widths": ",".join(str(n) for n in range(1, 18))}, "at most 16 widths"),
    ({"placeholder": "thumbhash"}, "--placeholder takes blurhash, lqip"),
    ({"strip": "maybe"}, "--strip must be true or false"),
    ({"size": "1x1", "fit": "pad", "pad_color": "#12345"}, "--pad-color wants"),
    ({"html": True, "sizes": "100vw\n<script>"}, "--sizes wants one line"),
    ({"format": "png"}, "'format' is not an asset option"),
])
def test_a_bad_value_is_refused_with_a_plain_message(raw: dict, message: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_options(raw)
    assert message in refused.value.message
    assert refused.value.exit_code == 2


@pytest.mark.parametrize(("raw", "message"), [
    ({"fit": "pad"}, "--fit needs --size"),
    ({"gravity": "north"}, "--gravity needs --size"),
    ({"pad_color": "white"}, "--pad-color needs --size"),
    ({"size": "10x10", "fit": "contain", "gravity": "north"}, "nothing to place"),
    ({"size": "10x10", "pad_color": "white"}, "--pad-color needs --fit pad"),
    ({"size": "10x10", "fit": "pad", "pad_color": "transparent", "to": "webp,jpg"},
     "jpg has no transparency"),
    ({"upscale": True}, "--upscale needs --widths"),
    ({"sizes": "50vw"}, "--sizes needs --html"),
])
def test_a_combination_that_would_do_nothing_is_refused(raw: dict, message: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_options(raw)
    assert message in refused.value.message


def test_values_take_their_usual_spellings() -> None:
    options = parse_options({"size": "640×480", "fit": "PAD", "gravity": "top-left",
                             "pad_color": "#0f0", "to": "JPEG:85,webp:lossless"})
    assert options.size == (640, 480) and options.fit == "pad"
    assert options.gravity == "northwest"
    assert options.pad_color == (0, 255, 0, 255)
    see_through = parse_options({"size": "1x1", "fit": "pad", "pad_color": "0F08"})
    assert see_through.pad_color == (0, 255, 0, 136)
    assert options.to == (Target("jpg", 85), Target("webp", "lossless"))


def test_widths_are_sorted_and_each_made_once() -> None:
    assert parse_options({"widths": "960,480,960"}).widths == (480, 960)
    assert parse_options({"widths": 480}).widths == (480,)


def test_pad_fills_with_transparency_where_the_format_has_it_else_white() -> None:
    options = parse_options({"size": "10x10", "fit": "pad"})
    assert options.background("webp") == options.background("avif") == (0, 0, 0, 0)
    assert options.background("jpg") == (255, 255, 255, 255)
    assert parse_options({"size": "10x10", "fit": "pad", "pad_color": "black"}).background(
        "png") == (0, 0, 0, 255)


def test_nothing_given_derives_nothing() -> None:
    assert not AssetOptions().wanted
    assert parse_options({"placeholder": "lqip"}).wanted
    assert not parse_options({"placeholder": "lqip"}).makes_files
    assert parse_options({"strip": True}).makes_files


def test_the_manifest_keeps_only_what_shapes_the_files() -> None:
    options = parse_options({"size": "1200x630", "to": "webp:80", "html": True})
    assert options.as_json() == {"size": "1200x630", "fit": "cover", "gravity": "center",
                                 "to": ["webp:80"]}


@given(st.integers(1, 16383), st.integers(1, 16383))
def test_every_size_in_range_parses_back_to_itself(width: int, height: int) -> None:
    assert parse_options({"size": f"{width}x{height}"}).size == (width, height)


@given(st.text(max_size=20))
def test_any_text_is_either_a_size_or_a_usage_error(text: str) -> None:
    try:
        parsed = parse_options({"size": text}).size
    except UsageError:
        return
    assert parsed is not None and all(1 <= side <= 16383 for side in parsed)


def test_pillow_is_loaded_only_when_deriving() -> None:
    import subprocess
    import sys

    code = ("import sys, pixazo_cli.cli.app, pixazo_cli.assets.derive, pixazo_cli.assets.engine,"
            " pixazo_cli.assets.manifest, pixazo_cli.assets.html, pixazo_cli.commands.assets;"
            " print('PIL' in sys.modules)")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "False"
