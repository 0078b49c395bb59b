"""The asset flags on a generation command, against the sandbox gateway: the original is saved
as received and the derived files beside it, stdout lists the original then what was derived
from it (or the <picture> snippets alone), --json puts them in the image's file object, config
defaults apply under the flags, and every bad value or combination is refused before anything
is sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from pixazo_cli.assets.options import KEYS
from pixazo_cli.models.spec import COMMON_NAMES
from pixazo_cli.sandbox import Sandbox
from tests.conftest import run
from tests.test_assets_manifest import valid

SMALL = ("--width", "512", "--height", "512", "--seed", "7")


def posts(gateway: Sandbox) -> int:
    return gateway.stats()["posts_received"]


def test_a_model_command_saves_the_original_then_lists_what_it_derived(
        gateway: Sandbox, isolated: Path) -> None:
    result = run("sdxl", "a lighthouse at dusk", *SMALL, "-d", "site", "--name", "hero.png",
                 "--size", "320x180", "--to", "webp,avif", "--widths", "160",
                 "--placeholder", "blurhash")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "site/hero.png", "site/hero-320x180-160w.webp", "site/hero-320x180.webp",
        "site/hero-320x180-160w.avif", "site/hero-320x180.avif"]
    with Image.open("site/hero.png") as original:
        assert original.size == (512, 512)  # as received
    with Image.open("site/hero-320x180.avif") as made:
        assert (made.format, made.size) == ("AVIF", (320, 180))
    entry = valid(Path("site/assets.json"))["assets"]["hero.png"]
    assert entry["generation"]["seed"] == 7 and entry["alt"] == "a lighthouse at dusk"
    assert "blurhash" in entry["derived"]["placeholder"]
    assert posts(gateway) == 1


def test_json_puts_the_derived_files_in_the_images_file_object(gateway: Sandbox) -> None:
    result = run("sdxl", "a fox", *SMALL, "-d", "out", "--to", "webp", "--placeholder", "lqip",
                 "--html", "--json")
    assert result.exit_code == 0, result.stderr
    [image] = result.json()["files"]
    [made] = image["derived"]
    assert Path(made["path"]).is_absolute() and made["path"].endswith("-512x512.webp")
    assert (made["width"], made["height"], made["format"]) == (512, 512, "webp")
    assert image["placeholder"]["lqip"].startswith("data:image/webp;base64,")
    assert image["html"].startswith("<picture>") and 'alt="a fox"' in image["html"]


def test_html_prints_the_snippet_and_no_paths(gateway: Sandbox) -> None:
    result = run("sdxl", "a fox", *SMALL, "-d", "out", "--to", "avif,webp", "--widths",
                 "128,256", "--html")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<picture>\n  <source type=\"image/avif\"")
    assert result.stdout.rstrip().endswith("</picture>")
    assert ".png\n" not in result.stdout


@pytest.mark.parametrize("fmt", ["webp", "avif", "jpg", "png"])
def test_every_derived_format_carries_the_record_and_strip_carries_none(
        gateway: Sandbox, fmt: str) -> None:
    kept = run("sdxl", "a fox", *SMALL, "-d", "kept", "--to", fmt, "--widths", "100")
    stripped = run("sdxl", "a fox", *SMALL, "-d", "bare", "--to", fmt, "--widths", "100",
                   "--strip")
    original, derived = kept.stdout.splitlines()
    assert run("inspect", "--json", derived).json() == run("inspect", "--json", original).json()
    bare = run("inspect", stripped.stdout.splitlines()[1])
    assert bare.exit_code == 2 and "carries no pixazo generation record" in bare.stderr
    with Image.open(stripped.stdout.splitlines()[1]) as made:
        assert not made.info.get("exif") and not made.info.get("xmp") and \
            "parameters" not in made.info


def test_replay_takes_the_asset_flags(gateway: Sandbox) -> None:
    original = run("sdxl", "a fox", *SMALL, "-d", "first").stdout.strip()
    again = run("replay", original, "-d", "again", "--to", "webp")
    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines()[1].endswith("-512x512.webp")


def test_n_variations_each_list_their_own_derived_files_in_order(gateway: Sandbox) -> None:
    result = run("sdxl", "a fox", *SMALL, "-n", "3", "-d", "out", "--name", "fox-{seed}.png",
                 "--to", "webp")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1::2] == [Path(line).with_name(f"{Path(line).stem}-512x512.webp").as_posix()
                           for line in lines[0::2]]
    assert [Path(line).name for line in lines[0::2]] == ["fox-7.png", "fox-8.png", "fox-9.png"]
    assert len(valid(Path("out/assets.json"))["assets"]) == 3


def test_config_defaults_apply_under_the_flags(gateway: Sandbox) -> None:
    assert run("config", "set", "assets.to", "webp:70").exit_code == 0
    assert run("config", "set", "assets.pad-color", "#ffffff").exit_code == 0
    assert run("config", "get", "assets.to").stdout.strip() == "webp:70"
    result = run("sdxl", "a fox", *SMALL, "-d", "out", "--size", "300x100", "--fit", "pad")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1].endswith("-300x100.webp")
    options = valid(Path("out/assets.json"))["assets"]
    [entry] = options.values()
    assert entry["derived"]["options"]["to"] == ["webp:70"]
    assert entry["derived"]["options"]["pad_color"] == "#ffffffff"
    flagged = run("sdxl", "a fox", *SMALL, "-d", "out2", "--size", "300x100", "--fit", "pad",
                  "--to", "jpg")
    assert flagged.stdout.splitlines()[1].endswith("-300x100.jpg")  # the flag wins


def test_a_config_default_that_needs_another_flag_is_refused_naming_the_config(
        gateway: Sandbox) -> None:
    assert run("config", "set", "assets.fit", "pad").exit_code == 0
    result = run("sdxl", "a fox", *SMALL, "-d", "out", "--to", "webp")
    assert result.exit_code == 2
    assert "--fit needs --size" in result.stderr and "assets.fit" in result.stderr
    assert posts(gateway) == 0


@pytest.mark.parametrize(("key", "value", "message"), [
    ("assets.to", "gif", "--to takes"),
    ("assets.html", "true", "No asset setting 'html'"),
    ("assets.strip", "maybe", "must be true or false"),
    ("assets.sise", "1x1", "Did you mean size"),
])
def test_config_set_checks_an_asset_value_before_storing_it(key: str, value: str,
                                                            message: str) -> None:
    result = run("config", "set", key, value)
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert run("config", "list").stdout.strip() == ""


@pytest.mark.parametrize("args", [
    ["--fit", "pad"],
    ["--size", "10x10", "--gravity", "north", "--fit", "contain"],
    ["--to", "webp:0"],
    ["--widths", "0"],
    ["--sizes", "100vw"],
    ["--to", "webp", "-o", "-"],
])
def test_bad_asset_flags_are_refused_before_anything_is_sent(gateway: Sandbox,
                                                             args: list[str]) -> None:
    result = run("sdxl", "a fox", *SMALL, *args)
    assert result.exit_code == 2, result.stderr
    assert posts(gateway) == 0


@pytest.mark.parametrize("more", [[], ["-n", "2"], ["--dry-run"], ["-n", "2", "--dry-run"]])
def test_a_bad_combination_is_refused_on_every_path_of_a_model_command(
        gateway: Sandbox, more: list[str]) -> None:
    result = run("sdxl", "a fox", *SMALL, "--gravity", "north", *more)
    assert result.exit_code == 2 and "--gravity needs --size" in result.stderr
    assert posts(gateway) == 0


def test_no_wait_with_asset_flags_is_refused_before_sending(gateway: Sandbox) -> None:
    result = run("nucleus", "a fox", "--no-wait", "--to", "webp")
    assert result.exit_code == 2 and "nothing to derive yet" in result.stderr
    assert posts(gateway) == 0


def test_config_defaults_stay_out_of_a_command_that_saves_no_file(gateway: Sandbox) -> None:
    assert run("config", "set", "assets.to", "webp").exit_code == 0
    result = run("nucleus", "a fox", "--no-wait")
    assert result.exit_code == 0, result.stderr


def test_an_assets_json_pixazo_did_not_write_is_refused_before_paying(
        gateway: Sandbox, isolated: Path) -> None:
    (isolated / "out").mkdir()
    (isolated / "out" / "assets.json").write_text('{"mine": true}')
    result = run("sdxl", "a fox", *SMALL, "-d", "out", "--to", "webp")
    assert result.exit_code == 2 and "not a pixazo assets manifest" in result.stderr
    assert posts(gateway) == 0


def test_a_failure_to_derive_is_exit_8_and_the_paid_image_is_kept(
        gateway: Sandbox, isolated: Path) -> None:
    (isolated / "out").mkdir()
    (isolated / "out" / "hero-512x512.webp").write_bytes(b"a person's file")
    result = run("sdxl", "a fox", *SMALL, "-d", "out", "--name", "hero.png", "--to", "webp",
                 "--json")
    assert result.exit_code == 8, result.stderr
    [image] = result.json()["files"]
    assert image["path"].endswith("hero.png") and Path(image["path"]).is_file()
    assert image["derive_error"]["exit_code"] == 8
    assert "pixazo did not make it" in image["derive_error"]["message"]
    assert (isolated / "out" / "hero-512x512.webp").read_bytes() == b"a person's file"
    assert posts(gateway) == 1
    history = run("history", "--json").stdout.splitlines()
    assert json.loads(history[0])["status"] == "saved"  # the paid request is not failed


def test_every_asset_name_is_kept_from_model_files_own_flags() -> None:
    assert set(KEYS) <= COMMON_NAMES


def test_the_pages_first_example_makes_the_files_it_lists(gateway: Sandbox,
                                                          isolated: Path) -> None:
    import shlex

    page = (Path(__file__).parent.parent / "docs" / "assets.md").read_text(encoding="utf-8")
    command, listing = _first_blocks(page)
    words = shlex.split(command.replace("\\\n", " "))
    assert words[0] == "pixazo"
    result = run(*words[1:])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<picture>")
    listed = {line.split()[0] for line in listing.splitlines() if line.strip()}
    assert listed == {p.name for p in isolated.iterdir() if p.is_file()}


def _first_blocks(page: str) -> tuple[str, str]:
    """The page's first two fenced blocks: the command, and the files it makes."""
    blocks = page.split("```")[1::2]
    return blocks[0].removeprefix("sh\n"), blocks[1]
