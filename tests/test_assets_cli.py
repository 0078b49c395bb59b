"""`pixazo assets derive` and `pixazo assets merge` on sandbox images: derivation sends nothing
(re-runs with other options neither), every derived format keeps the record `inspect` and
`replay` read, stdout carries paths, JSON or the snippet, and exit codes mean what they say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from pixazo_cli.assets.manifest import SCHEMA
from pixazo_cli.sandbox import Sandbox
from tests.assets_support import quadrants, sandbox_original, saved_original
from tests.conftest import run
from tests.test_assets_manifest import valid


@pytest.fixture
def originals(gateway: Sandbox, isolated: Path) -> list[Path]:
    """An sdxl PNG, an sd3 JPEG and an sd35 WEBP, as the sandbox gateway made them."""
    folder = isolated / "site"
    return [sandbox_original(folder, "sdxl", "--width", "512", "--height", "512",
                             "--seed", "7"),
            sandbox_original(folder, "sd3", "--format", "jpg"),
            sandbox_original(folder, "sd35")]


def posts(gateway: Sandbox) -> int:
    return gateway.stats()["posts_received"]


def test_deriving_and_re_deriving_with_other_options_sends_nothing(
        gateway: Sandbox, originals: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    before = posts(gateway)
    monkeypatch.delenv("PIXAZO_API_KEY")  # no key needed either
    first = run("assets", "derive", "site", "--size", "320x180", "--to", "webp", "--jobs", "0")
    second = run("assets", "derive", "site", "--widths", "128,256", "--to", "avif,jpg",
                 "--placeholder", "blurhash", "--jobs", "0")
    assert first.exit_code == second.exit_code == 0, first.stderr + second.stderr
    assert posts(gateway) == before
    assert len(first.stdout.splitlines()) == 3 and len(second.stdout.splitlines()) == 12
    for line in first.stdout.splitlines():
        with Image.open(line) as picture:
            assert picture.size == (320, 180) and picture.format == "WEBP"
    data = valid(Path("site/assets.json"))
    assert sorted(data["assets"]) == sorted(p.name for p in originals)  # derived files: none


@pytest.mark.parametrize("fmt", ["png", "jpg", "webp", "avif"])
def test_inspect_reads_the_record_from_every_derived_format(
        originals: list[Path], fmt: str) -> None:
    derived = run("assets", "derive", str(originals[0]), "--widths", "256", "--to", fmt,
                  "--jobs", "0")
    assert derived.exit_code == 0, derived.stderr
    path = derived.stdout.strip()
    assert path.endswith(f"-256w.{fmt}")
    shown = run("inspect", "--json", path)
    assert shown.exit_code == 0, shown.stderr
    assert shown.json() == run("inspect", "--json", str(originals[0])).json()


def test_replay_of_a_derived_avif_sends_the_originals_request(
        gateway: Sandbox, originals: list[Path]) -> None:
    derived = run("assets", "derive", str(originals[2]), "--size", "256x256", "--to", "avif",
                  "--jobs", "0")
    body = gateway.stats()["bodies"][-1]
    replayed = run("replay", derived.stdout.strip(), "-d", "again")
    assert replayed.exit_code == 0, replayed.stderr
    assert gateway.stats()["bodies"][-1] == body


def test_json_lines_name_each_asset_and_the_html_snippet(originals: list[Path]) -> None:
    result = run("assets", "derive", *map(str, originals), "--widths", "200,400", "--to",
                 "webp", "--html", "--json", "--jobs", "0")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(line["original"]["path"]) for line in lines] == \
        [p.absolute() for p in originals]
    assert all(line["status"] == "ok" and line["html"].startswith("<picture>") for line in lines)
    assert lines[0]["generation"]["seed"] == 7 and lines[0]["alt"] == "a lighthouse at dusk"


def test_html_prints_one_snippet_per_image(originals: list[Path]) -> None:
    result = run("assets", "derive", str(originals[0]), "--to", "avif,webp", "--html",
                 "--jobs", "0")
    assert result.stdout.startswith("<picture>\n  <source type=\"image/avif\"")
    assert result.stdout.rstrip().endswith("</picture>")


def test_a_second_run_on_a_folder_does_not_derive_from_derived_files(
        originals: list[Path]) -> None:
    assert run("assets", "derive", "site", "--to", "webp", "--jobs", "0").exit_code == 0
    again = run("assets", "derive", "site", "--to", "webp", "--jobs", "0")
    assert again.exit_code == 0 and len(again.stdout.splitlines()) == 3
    assert "0 derived, 3 already up to date" in again.stderr


def test_a_folder_s_contact_sheet_and_grid_are_no_originals(originals: list[Path]) -> None:
    assert run("sheet", "site").exit_code == 0
    Image.new("RGB", (8, 8)).save(originals[0].parent / "grid.png")
    result = run("assets", "derive", "site", "--to", "webp", "--jobs", "0")
    assert result.exit_code == 0, result.stderr
    made = [Path(line).name for line in result.stdout.splitlines()]
    assert len(made) == 3 and not [n for n in made if n.startswith(("contact-sheet", "grid"))]


def test_a_failed_asset_sets_the_exit_code_and_the_others_are_made(
        originals: list[Path]) -> None:
    (originals[0].parent / f"{originals[0].stem}-256w.webp").write_bytes(b"mine")
    result = run("assets", "derive", *map(str, originals), "--widths", "256", "--to", "webp",
                 "--jobs", "0")
    assert result.exit_code == 8
    assert "pixazo did not make it" in result.stderr
    assert len(result.stdout.splitlines()) == 2


@pytest.mark.parametrize(("args", "message"), [
    (["site"], "Nothing to derive"),
    (["nowhere", "--to", "webp"], "No such file or folder: nowhere"),
    (["site", "--fit", "pad"], "--fit needs --size"),
    (["site", "--to", "webp:200"], "from 1 to 100"),
])
def test_usage_errors_exit_2_before_deriving(isolated: Path, args: list[str],
                                             message: str) -> None:
    (isolated / "site").mkdir()
    saved_original(isolated / "site" / "hero.png", quadrants((16, 16)))
    result = run("assets", "derive", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert not Path("site/assets.json").exists()


def test_two_originals_that_would_share_names_are_refused(isolated: Path) -> None:
    for suffix in ("png", "jpg"):
        Image.new("RGB", (8, 8)).save(isolated / f"hero.{suffix}")
    result = run("assets", "derive", ".", "--to", "webp")
    assert result.exit_code == 2 and "same names" in result.stderr


def test_merge_joins_shards_manifests(gateway: Sandbox, isolated: Path) -> None:
    for shard in ("s1", "s2"):
        sandbox_original(isolated / "site" / shard, "sdxl", "--width", "512")
        assert run("assets", "derive", f"site/{shard}", "--to", "webp", "--jobs",
                   "0").exit_code == 0
    merged = run("assets", "merge", "site/s1/assets.json", "site/s2/assets.json", "-o",
                 "site/assets.json")
    assert merged.exit_code == 0, merged.stderr
    assert merged.stdout.strip() == "site/assets.json"
    data = valid(Path("site/assets.json"))
    assert data["$schema"] == SCHEMA and len(data["assets"]) == 2
    assert all(key.startswith(("s1/", "s2/")) for key in data["assets"])


def test_merge_refuses_an_output_folder_the_shards_are_not_below(gateway: Sandbox,
                                                                 isolated: Path) -> None:
    sandbox_original(isolated / "shard-1", "sdxl", "--width", "512")
    assert run("assets", "derive", "shard-1", "--to", "webp", "--jobs", "0").exit_code == 0
    (isolated / "site").mkdir()
    merged = run("assets", "merge", "shard-1/assets.json", "-o", "site/assets.json")
    assert merged.exit_code == 2 and "outside site" in merged.stderr
    assert not (isolated / "site" / "assets.json").exists()


def test_merge_counts_in_words_that_agree_with_the_number(gateway: Sandbox,
                                                          isolated: Path) -> None:
    sandbox_original(isolated / "site", "sdxl", "--width", "512")
    assert run("assets", "derive", "site", "--to", "webp", "--jobs", "0").exit_code == 0
    merged = run("assets", "merge", "site/assets.json", "-o", "all.json")
    assert "1 asset from 1 manifest in all.json." in merged.stderr


def test_an_original_in_another_format_needs_to(isolated: Path) -> None:
    Image.new("RGB", (8, 8)).save(isolated / "old.gif")
    result = run("assets", "derive", "old.gif", "--widths", "4", "--jobs", "0")
    assert result.exit_code == 2 and "Say which with --to" in result.stderr
    assert run("assets", "derive", "old.gif", "--widths", "4", "--to", "png",
               "--jobs", "0").stdout.strip() == "old-4w.png"


def test_each_derived_path_is_one_line_on_stdout_even_with_a_newline_in_its_name(
        originals: list[Path], isolated: Path) -> None:
    odd = isolated / "odd"
    odd.mkdir()
    originals[0].rename(odd / "x\ny.png")
    result = run("assets", "derive", "odd", "--size", "32x32", "--jobs", "0")
    assert result.exit_code == 0, result.stderr
    [line] = result.stdout.splitlines()
    assert line == "$'odd/x\\ny-32x32.png'"
    merged = run("assets", "merge", "odd/assets.json", "-o", "m\nx.json")
    assert merged.exit_code == 0, merged.stderr
    assert merged.stdout.splitlines() == ["$'m\\nx.json'"]


def test_an_image_with_more_pixels_than_is_safe_is_refused_plainly(isolated: Path) -> None:
    from tests.crafted_images import png_pixel_bomb

    (isolated / "huge.png").write_bytes(png_pixel_bomb())
    result = run("assets", "derive", "huge.png", "--size", "32x32", "--jobs", "0")
    assert result.exit_code == 2, result.stderr
    assert "not an image pixazo can derive from" in result.stderr
    assert "Traceback" not in result.stderr and list(isolated.iterdir()) == [isolated / "huge.png"]
