"""The key is masked by every command, not only those that send: a grid's files, assets
derived while generating, and what `inspect`, `sheet` and `assets derive` print and write about
an image someone else made with the key inside, the key known only from the config file."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from tests.e2e.harness import KEY, Server, run_pixazo


def files_holding_the_key(folder: Path) -> list[str]:
    return [str(p.relative_to(folder)) for p in sorted(folder.rglob("*"))
            if p.is_file() and KEY.encode() in p.read_bytes()]


def image_with_the_key_inside(path: Path) -> None:
    """As an older tool, or another one, might have written it: no mask on the way in."""
    info = PngInfo()
    info.add_text("parameters", f"a fox {KEY}\nSteps: 4, Seed: 1, Size: 8x8")
    record = {"model": "sdxl", "endpoint": "/getImage/v1/getSDXLImage",
              "body": {"prompt": f"a fox {KEY}", "seed": 1}, "request_id": KEY}
    info.add_itxt("pixazo", json.dumps(record))
    Image.new("RGB", (8, 8), (9, 9, 9)).save(path, pnginfo=info)


def test_a_grid_writes_the_key_pasted_into_its_prompt_nowhere(
        server: Server, home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["grid", "sdxl", f"a fox {KEY}", "--x", "steps=4,8", "-d", "g"], home,
                        tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert files_holding_the_key(tmp_path / "g") == []


def test_inspect_and_sheet_mask_the_key_known_only_from_the_config_file(
        home: Path, tmp_path: Path) -> None:
    (home / ".config" / "pixazo").mkdir(parents=True)
    (home / ".config" / "pixazo" / "config.toml").write_text(f'api_key = "{KEY}"\n')
    image_with_the_key_inside(tmp_path / "theirs.png")
    no_env = {"PIXAZO_API_KEY": ""}
    for command in (["inspect", "theirs.png"], ["inspect", "--json", "theirs.png"],
                    ["sheet", "theirs.png", "-d", "sheet"],
                    ["assets", "derive", "theirs.png", "--size", "4x4", "--html"]):
        result = run_pixazo(command, home, tmp_path, env=no_env)
        assert result.returncode == 0, result.stderr
        assert KEY not in result.stdout + result.stderr, command
    assert "****" in run_pixazo(["inspect", "theirs.png"], home, tmp_path, env=no_env).stdout
    assert files_holding_the_key(tmp_path / "sheet") == []
    assert [name for name in files_holding_the_key(tmp_path) if "/" not in name] == \
        ["theirs.png"]  # the image as it came, and nothing the tool made beside it


def test_assets_derived_while_generating_hold_the_key_pasted_into_the_prompt_nowhere(
        server: Server, home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["sdxl", f"a fox {KEY}", "--to", "webp,avif", "--widths", "64,128",
                         "--html", "-d", "site"], home, tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert KEY not in result.stdout + result.stderr
    assert (tmp_path / "site" / "assets.json").is_file()
    assert files_holding_the_key(tmp_path / "site") == []
