"""assets.json: valid against the committed JSON Schema, written atomically under a folder
lock, merged across re-runs, across runs writing one folder at once, and across shards."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import jsonschema
import pytest

from pixazo_cli.assets import manifest
from pixazo_cli.assets.asset import Asset
from pixazo_cli.assets.derive import derive_asset
from pixazo_cli.assets.options import parse_options
from pixazo_cli.errors import SaveError, UsageError
from tests.assets_support import quadrants, saved_original

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "assets.schema.json").read_text())
OPTIONS = parse_options({"size": "64x32", "fit": "pad", "pad_color": "#102030",
                         "to": "webp:70,avif", "widths": "16,32", "placeholder": "blurhash,lqip",
                         "strip": True})


def asset(folder: Path, name: str = "hero.png", raw: dict | None = None) -> Asset:
    folder.mkdir(parents=True, exist_ok=True)
    original = saved_original(folder / name, quadrants((80, 40)))
    return derive_asset(original, parse_options(raw) if raw else OPTIONS)


def valid(path: Path) -> dict:
    data = json.loads(path.read_text())
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
    return data


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"] == manifest.SCHEMA


def test_a_written_manifest_follows_the_schema(isolated: Path) -> None:
    made = asset(isolated / "site")
    plain = asset(isolated / "site", "plain.png", {"placeholder": "lqip"})
    data = valid(manifest.update(isolated / "site", [made, plain]))
    entry = data["assets"]["hero.png"]
    assert entry["original"]["path"] == "hero.png" and entry["alt"].startswith('a "fox"')
    assert entry["generation"] == {"request_id": "req-123", "seed": 7, "model": "sdxl"}
    assert [f["path"] for f in entry["derived"]["files"]] == [
        "hero-64x32-16w.webp", "hero-64x32-32w.webp", "hero-64x32.webp",
        "hero-64x32-16w.avif", "hero-64x32-32w.avif", "hero-64x32.avif"]
    assert set(entry["derived"]["placeholder"]) == {"blurhash", "lqip"}
    assert data["assets"]["plain.png"]["derived"]["files"] == []


def test_the_schema_refuses_what_the_manifest_must_not_hold(isolated: Path) -> None:
    data = valid(manifest.update(isolated / "site", [asset(isolated / "site")]))
    data["assets"]["hero.png"]["derived"]["files"][0]["sha256"] = "not a digest"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


def test_the_same_assets_give_the_same_bytes(isolated: Path) -> None:
    first = manifest.update(isolated / "a", [asset(isolated / "a")]).read_bytes()
    second = manifest.update(isolated / "b", [asset(isolated / "b")]).read_bytes()
    assert first == second and b"created" not in first


def test_a_re_run_replaces_its_entries_and_keeps_the_others(isolated: Path) -> None:
    folder = isolated / "site"
    manifest.update(folder, [asset(folder, "a.png"), asset(folder, "b.png")])
    redone = asset(folder, "a.png", {"to": "jpg"})
    data = valid(manifest.update(folder, [redone]))
    assert sorted(data["assets"]) == ["a.png", "b.png"]
    assert data["assets"]["a.png"]["derived"]["options"] == {"to": ["jpg"]}
    assert data["assets"]["b.png"]["derived"]["options"] == OPTIONS.as_json()


def test_runs_writing_one_folder_at_once_lose_no_entry(isolated: Path) -> None:
    folder = isolated / "site"
    made = [asset(folder, f"img{n}.png", {"placeholder": "blurhash"}) for n in range(8)]
    threads = [threading.Thread(target=manifest.update, args=(folder, [one])) for one in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(valid(folder / "assets.json")["assets"]) == 8
    assert [p.name for p in folder.iterdir() if p.name.endswith(".part")] == []


def test_a_manifest_pixazo_did_not_write_is_left_alone(isolated: Path) -> None:
    folder = isolated / "site"
    theirs = folder / "assets.json"
    made = asset(folder)
    theirs.write_text('{"webpack": "manifest"}')
    with pytest.raises(UsageError, match="not a pixazo assets manifest"):
        manifest.update(folder, [made])
    assert theirs.read_text() == '{"webpack": "manifest"}'


def test_a_symlinked_manifest_is_never_written_through(isolated: Path) -> None:
    folder = isolated / "site"
    made = asset(folder)
    elsewhere = isolated / "elsewhere.json"
    elsewhere.write_text(manifest.text({"assets": {}}))
    (folder / "assets.json").symlink_to(elsewhere)
    with pytest.raises((SaveError, UsageError)):
        manifest.update(folder, [made])
    assert elsewhere.read_text() == manifest.text({"assets": {}})


def test_shards_manifests_merge_into_one_with_paths_from_its_folder(isolated: Path) -> None:
    site = isolated / "site"
    one = manifest.update(site / "shard-1", [asset(site / "shard-1", "a.png")])
    two = manifest.update(site / "shard-2", [asset(site / "shard-2", "b.png")])
    assert manifest.merge([one, two], site / "assets.json") == 2
    data = valid(site / "assets.json")
    assert sorted(data["assets"]) == ["shard-1/a.png", "shard-2/b.png"]
    entry = data["assets"]["shard-2/b.png"]
    assert entry["original"]["path"] == "shard-2/b.png"
    assert all(f["path"].startswith("shard-2/b-64x32") for f in entry["derived"]["files"])
    assert all((site / f["path"]).is_file() for f in entry["derived"]["files"])


def test_merging_again_into_the_merged_manifest_is_allowed(isolated: Path) -> None:
    site = isolated / "site"
    one = manifest.update(site / "s1", [asset(site / "s1", "a.png")])
    manifest.merge([one], site / "assets.json")
    assert manifest.merge([site / "assets.json", one], site / "assets.json") == 1


def test_two_manifests_disagreeing_about_an_original_are_refused(isolated: Path) -> None:
    site = isolated / "site"
    one = manifest.update(site, [asset(site, "a.png")])
    changed = json.loads(one.read_text())
    changed["assets"]["a.png"]["alt"] = "something else"
    (site / "other.json").write_text(json.dumps(changed))
    with pytest.raises(UsageError, match="differently"):
        manifest.merge([one, site / "other.json"], site / "merged.json")
    assert not (site / "merged.json").exists()


def test_merging_a_missing_manifest_says_so(isolated: Path) -> None:
    with pytest.raises(UsageError, match="No such manifest"):
        manifest.merge([isolated / "nope.json"], isolated / "assets.json")
