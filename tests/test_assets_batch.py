"""The asset flags on `batch` and `grid`, and as batch-line keys: every line's values over the
flags over the config's, an invalid line refused before anything is sent; a re-run with other
post-processing derives again from the saved originals with 0 POSTs; shards' manifests merge
into one that validates; a job's JSON line carries what was derived from its images."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixazo_cli.sandbox import Sandbox
from tests.batch_support import lines, manifest, write, write_lines
from tests.conftest import run
from tests.test_assets_manifest import valid


def posts(gateway: Sandbox) -> int:
    return gateway.stats()["posts_received"]


def derived_names(folder: Path) -> dict[str, list[str]]:
    """Original -> the names of the files derived from it, as assets.json lists them."""
    data = valid(folder / "assets.json")
    return {key: sorted(Path(f["path"]).name for f in entry["derived"]["files"])
            for key, entry in data["assets"].items()}


def test_each_line_derives_with_its_own_keys_over_the_flags(gateway: Sandbox,
                                                           isolated: Path) -> None:
    name = write_lines(isolated,
                       {"model": "sdxl", "prompt": "plain", "width": 512, "height": 512,
                        "name": "plain.png"},
                       {"model": "sdxl", "prompt": "own", "width": 512, "height": 512,
                        "name": "own.png", "to": ["avif"], "widths": [128, 256],
                        "pad-color": "#000", "fit": "pad", "size": "200x100"})
    result = run("batch", name, "-d", "out", "--to", "webp", "--widths", "100")
    assert result.exit_code == 0, result.stderr
    assert derived_names(isolated / "out") == {
        "plain.png": ["plain-100w.webp"],
        "own.png": ["own-200x100-128w.avif", "own-200x100.avif"]}
    lines_out = result.stdout.splitlines()
    assert lines_out.index("out/plain-100w.webp") > lines_out.index("out/plain.png")


def test_an_invalid_asset_key_is_an_invalid_line_and_nothing_is_sent(
        gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, lines(2) + json.dumps(
        {"model": "sdxl", "prompt": "bad", "to": "gif"}) + "\n" + json.dumps(
        {"model": "sdxl", "prompt": "alone", "fit": "pad"}) + "\n")
    result = run("batch", name, "-d", "out")
    assert result.exit_code == 2
    assert "line 3: --to takes" in result.stderr and "line 4: --fit needs --size" in result.stderr
    assert posts(gateway) == 0


def test_lines_whose_derived_files_would_share_names_are_refused_before_paying(
        gateway: Sandbox, isolated: Path) -> None:
    name = write_lines(isolated, {"model": "sdxl", "prompt": "a", "name": "hero.png"},
                       {"model": "sd3", "prompt": "b", "name": "hero.jpg", "format": "jpg"})
    result = run("batch", name, "-d", "out", "--to", "webp")
    assert result.exit_code == 2 and posts(gateway) == 0
    assert "lines 1 and 2 would make derived files of the same names (hero-…)" in result.stderr
    assert "--overwrite" not in result.stderr


def test_the_same_stems_are_no_clash_when_nothing_is_derived(gateway: Sandbox,
                                                             isolated: Path) -> None:
    name = write_lines(isolated, {"model": "sdxl", "prompt": "a", "name": "hero.png"},
                       {"model": "sd3", "prompt": "b", "name": "hero.jpg", "format": "jpg"})
    assert run("batch", name, "-d", "out").exit_code == 0
    assert posts(gateway) == 2


def test_a_line_completes_what_the_flags_leave_out(gateway: Sandbox, isolated: Path) -> None:
    """--fit pad alone would be refused; each line gives its --size: checked merged."""
    name = write_lines(isolated, *({"model": "sdxl", "prompt": f"p{n}", "width": 512,
                                    "height": 512, "size": f"{100 * n}x50"} for n in (1, 2)))
    result = run("batch", name, "-d", "out", "--fit", "pad", "--to", "png")
    assert result.exit_code == 0, result.stderr
    made = sorted(name.rsplit("-", 1)[1] for names in derived_names(isolated / "out").values()
                  for name in names)
    assert made == ["100x50.png", "200x50.png"]


def test_html_and_sizes_are_flags_not_line_keys(gateway: Sandbox, isolated: Path) -> None:
    name = write_lines(isolated, {"model": "sdxl", "prompt": "x", "html": True})
    result = run("batch", name, "-d", "out")
    assert result.exit_code == 2 and "unknown field 'html'" in result.stderr


def test_a_rerun_with_other_assets_derives_again_and_sends_nothing(
        gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, lines(4))
    first = run("batch", name, "-d", "out", "--to", "webp")
    assert first.exit_code == 0, first.stderr
    assert posts(gateway) == 4
    again = run("batch", name, "-d", "out", "--to", "avif", "--widths", "128", "--json")
    assert again.exit_code == 0, again.stderr
    assert posts(gateway) == 4  # derived from the saved originals: no POST
    assert all(names == [f"{Path(key).stem}-128w.avif"]
               for key, names in derived_names(isolated / "out").items())
    for line in again.stdout.splitlines():
        job = json.loads(line)
        assert job["skipped"] is True
        [image] = job["files"]
        [made] = image["derived"]
        assert Path(made["path"]).is_file() and made["format"] == "avif"
    assert "4 derived" in again.stderr and "4 already saved" in again.stderr


def test_a_rerun_with_the_same_assets_makes_nothing_new(gateway: Sandbox,
                                                        isolated: Path) -> None:
    name = write(isolated, lines(3))
    assert run("batch", name, "-d", "out", "--to", "webp").exit_code == 0
    stamps = {p.name: p.stat().st_mtime_ns for p in (isolated / "out").glob("*.webp")}
    again = run("batch", name, "-d", "out", "--to", "webp")
    assert again.exit_code == 0 and "3 already up to date" in again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in (isolated / "out").glob("*.webp")} == stamps


def test_config_defaults_reach_every_line(gateway: Sandbox, isolated: Path) -> None:
    assert run("config", "set", "assets.to", "jpg").exit_code == 0
    name = write(isolated, lines(2))
    result = run("batch", name, "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert all(names[0].endswith(".jpg") for names in derived_names(isolated / "out").values())


def test_shards_into_one_folder_make_one_valid_manifest(gateway: Sandbox,
                                                        isolated: Path) -> None:
    name = write(isolated, lines(6))
    for shard in ("1/2", "2/2"):
        result = run("batch", name, "--shard", shard, "-d", "out", "--to", "webp",
                     "--placeholder", "blurhash", "--strip")
        assert result.exit_code == 0, result.stderr
    assert len(derived_names(isolated / "out")) == 6
    merged = run("assets", "merge", "out/assets.json", "-o", "all.json")
    assert merged.exit_code == 0, merged.stderr
    assert len(valid(Path("all.json"))["assets"]) == 6


def test_shards_in_their_own_folders_merge_into_one(gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, lines(6))
    for shard in (1, 2):
        result = run("batch", name, "--shard", f"{shard}/2", "-d", f"site/shard-{shard}",
                     "--to", "webp", "--widths", "100")
        assert result.exit_code == 0, result.stderr
    merged = run("assets", "merge", "site/shard-1/assets.json", "site/shard-2/assets.json",
                 "-o", "site/assets.json")
    assert merged.exit_code == 0, merged.stderr
    data = valid(Path("site/assets.json"))
    assert len(data["assets"]) == 6
    for key, entry in data["assets"].items():
        assert (Path("site") / key).is_file()
        assert all((Path("site") / f["path"]).is_file() for f in entry["derived"]["files"])


def test_the_batch_manifest_keeps_paid_jobs_saved_when_a_derivation_fails(
        gateway: Sandbox, isolated: Path) -> None:
    name = write_lines(isolated, {"model": "sdxl", "prompt": "x", "width": 512, "height": 512,
                                  "name": "hero.png"})
    (isolated / "out").mkdir()
    (isolated / "out" / "hero-512x512.webp").write_bytes(b"a person's file")
    result = run("batch", name, "-d", "out", "--to", "webp")
    assert result.exit_code == 8
    assert "not derived" in result.stderr
    assert manifest(isolated / "out")[-1]["status"] == "saved"
    assert run("batch", name, "-d", "out").exit_code == 0  # nothing to pay for again
    assert posts(gateway) == 1


def test_grid_derives_every_cell_and_a_rerun_sends_nothing(gateway: Sandbox,
                                                           isolated: Path) -> None:
    args = ("grid", "sdxl", "a fox", "--x", "steps=10,20", "--set", "width=512", "--set",
            "height=512", "-d", "g")
    first = run(*args, "--to", "webp", "--json")
    assert first.exit_code == 0, first.stderr
    cells = [json.loads(line) for line in first.stdout.splitlines()[:-1]]
    assert all(cell["files"][0]["derived"][0]["format"] == "webp" for cell in cells)
    again = run(*args, "--to", "avif", "--placeholder", "blurhash")
    assert again.exit_code == 0, again.stderr
    assert posts(gateway) == 2
    assert derived_names(isolated / "g") == {"cell-r1-c1.png": ["cell-r1-c1-512x512.avif"],
                                             "cell-r1-c2.png": ["cell-r1-c2-512x512.avif"]}
    assert "(2 images)" in again.stderr  # the contact sheet leaves the derived files out


@pytest.mark.parametrize("args", [["--fit", "pad"], ["--to", "tiff"]])
def test_grid_refuses_bad_asset_flags_before_sending(gateway: Sandbox, args: list[str]) -> None:
    result = run("grid", "sdxl", "a fox", "--x", "steps=10,20", *args)
    assert result.exit_code == 2
    assert posts(gateway) == 0


def test_check_reports_a_bad_asset_key_as_an_invalid_line(isolated: Path) -> None:
    name = write(isolated, lines(1) + json.dumps({"model": "sdxl", "prompt": "x",
                                                  "widths": "wide"}) + "\n")
    result = run("batch", name, "--check", "--to", "webp")
    assert result.exit_code == 2
    assert "line 2: --widths takes whole numbers" in result.stderr
    assert "1 job: " in result.stdout and not (isolated / "assets.json").exists()


def test_a_batch_refused_before_it_starts_leaves_nothing_deriving(isolated: Path) -> None:
    import os
    import threading

    name = write(isolated, lines(2))
    result = run("batch", name, "-d", "out", "--to", "webp")  # no key: refused, exit 3
    assert result.exit_code == 3, result.stderr
    assert "PYTHONSAFEPATH" not in os.environ
    assert not [t for t in threading.enumerate() if t.name == "pixazo-derive"]
