"""A model from a user's file is a full citizen: on the sandbox, a sync one and a queued one go
through a single command, -n, batch, grid, the history, fetch, replay and inspect by the same
code paths as the built-ins, with their own flags, reply shapes and prices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixazo_cli.sandbox import Sandbox
from tests.conftest import run
from tests.history.conftest import rows
from tests.models.support import QUEUED, SYNC, install


@pytest.fixture(autouse=True)
def user_models() -> None:
    install(SYNC, "pixel")
    install(QUEUED, "qwen")


def posts(sandbox: Sandbox) -> int:
    return sandbox.stats()["posts_accepted"]


def saved_record(path: str) -> dict:
    result = run("inspect", "--json", path)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_sync_user_model_sends_its_own_field_names_and_saves_the_image(
        sandbox: Sandbox, isolated: Path) -> None:
    result = run("pixel", "a red fox", "--style", "retro", "--seed", "7", "--dither",
                 "--width", "512", "--height", "256", "-d", "out", "--json")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["endpoint"] == "/pixel-art/v1/generate"
    assert report["body"] == {"prompt": "a red fox", "style_preset": "retro", "random_seed": 7,
                              "dither": True, "image_width": 512, "image_height": 256}
    [saved] = report["files"]
    assert saved["path"].endswith(".png") and Path(saved["path"]).is_file()
    from PIL import Image

    with Image.open(saved["path"]) as image:
        assert image.size == (512, 256)  # the sandbox drew it at the file's width and height
    record = saved_record(saved["path"])
    assert record["model"] == "pixel" and record["body"] == report["body"]


def test_a_sync_user_model_reads_several_urls_where_its_file_says(sandbox: Sandbox) -> None:
    result = run("pixel", "a fox", "--num-images", "3", "-d", "out", "--json")
    assert result.exit_code == 0, result.stderr
    assert len(result.json()["files"]) == 3


def test_a_queued_user_model_is_polled_on_the_universal_status_endpoint(
        sandbox: Sandbox) -> None:
    result = run("qwen", "a lighthouse", "--lora-scale", "1.5", "-d", "out", "--json")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    # Its required field goes with its default; the id was read from job.request_id.
    assert report["body"] == {"prompt": "a lighthouse", "acceleration": "regular",
                              "lora_scale": 1.5}
    assert report["request_id"].startswith("qwen_")
    assert report["files"][0]["path"].endswith(".jpg")
    assert sandbox.stats()["status_polls"] >= 1


def test_variations_of_a_sync_user_model_are_separate_requests(sandbox: Sandbox) -> None:
    result = run("pixel", "a fox", "-n", "3", "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
    assert posts(sandbox) == 3


def test_variations_of_a_queued_user_model_without_seeds_come_in_one_request(
        sandbox: Sandbox) -> None:
    """Like nucleus: no seed, an image count with no maximum, so one request of three."""
    result = run("qwen", "a fox", "-n", "3", "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
    assert posts(sandbox) == 1 and rows()[0].body["num_images"] == 3


def test_variations_of_a_seeded_user_model_count_up_from_the_seed(sandbox: Sandbox) -> None:
    assert run("pixel", "a fox", "-n", "3", "--seed", "5", "-d", "out").exit_code == 0
    assert sorted(row.body["random_seed"] for row in rows()) == [5, 6, 7]


def test_a_batch_mixes_user_models_with_their_own_flags(sandbox: Sandbox,
                                                        isolated: Path) -> None:
    lines = [{"model": "pixel", "prompt": "a fox", "style": "modern", "seed": 1},
             {"model": "qwen", "prompt": "a wolf", "lora_scale": 0.5},
             {"model": "sdxl", "prompt": "a bear"}]
    (isolated / "jobs.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = run("batch", "jobs.jsonl", "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert len(list((isolated / "out").glob("*.png"))) == 2
    assert len(list((isolated / "out").glob("*.jpg"))) == 1
    bodies = {row.model: row.body for row in rows()}
    assert bodies["pixel"]["style_preset"] == "modern"
    assert bodies["qwen"]["lora_scale"] == 0.5


def test_a_batch_line_with_a_flag_the_user_model_lacks_is_refused(isolated: Path) -> None:
    (isolated / "jobs.jsonl").write_text('{"model": "pixel", "prompt": "a", "lora_scale": 1}\n')
    result = run("batch", "jobs.jsonl", "--check")
    assert result.exit_code == 2
    assert "unknown field 'lora_scale'" in result.stderr


def test_the_spending_guard_knows_a_user_models_price(sandbox: Sandbox,
                                                      isolated: Path) -> None:
    lines = "".join(json.dumps({"model": "pixel", "prompt": f"fox {n}"}) + "\n" for n in range(3))
    (isolated / "jobs.jsonl").write_text(lines)
    result = run("batch", "jobs.jsonl", "-d", "out", "--max-cost", "0.12")
    assert result.exit_code == 4, result.stderr  # 3 x $0.05 is more than $0.12
    assert "next request costs $0.05" in result.stderr
    assert posts(sandbox) == 2


def test_a_grid_varies_a_user_models_own_flag(sandbox: Sandbox, isolated: Path) -> None:
    result = run("grid", "pixel", "a fox", "--x", "style=retro,modern", "--y", "steps=4,8",
                 "--set", "dither=true", "-d", "grid")
    assert result.exit_code == 0, result.stderr
    assert posts(sandbox) == 4
    assert {row.body["style_preset"] for row in rows()} == {"retro", "modern"}
    assert all(row.body["dither"] is True for row in rows())


def test_the_history_prices_and_fetches_user_model_generations(sandbox: Sandbox) -> None:
    assert run("pixel", "a fox", "-d", "out").exit_code == 0
    assert run("qwen", "a wolf", "-d", "out").exit_code == 0
    listed = [json.loads(line) for line in run("history", "--json").stdout.splitlines()]
    assert [(row["model"], row["cost_usd"]) for row in listed] == [("qwen", 0.02),
                                                                   ("pixel", 0.05)]
    before = posts(sandbox)
    for ident in (str(listed[0]["id"]), str(listed[1]["id"])):
        fetched = run("fetch", ident, "-d", "again")
        assert fetched.exit_code == 0, fetched.stderr
        assert Path(fetched.stdout.strip()).is_file()
    assert posts(sandbox) == before  # fetching pays nothing


@pytest.mark.parametrize("model", ["pixel", "qwen"])
def test_replay_sends_a_user_models_recorded_request_again(sandbox: Sandbox,
                                                           model: str) -> None:
    first = run(model, "a fox", "--steps", "9", "-d", "out", "--json").json()
    again = run("replay", first["files"][0]["path"], "--steps", "10", "-d", "out", "--json")
    assert again.exit_code == 0, again.stderr
    assert again.json()["body"] == {**first["body"], "steps" if model == "qwen" else
                                    "num_inference_steps": 10}
    assert again.json()["model"] == model


def test_replay_of_a_history_id_takes_a_user_flag_as_a_param(sandbox: Sandbox) -> None:
    assert run("pixel", "a fox", "--style", "retro", "-d", "out").exit_code == 0
    [row] = rows()
    again = run("replay", str(row.id), "--param", "style_preset=modern", "-d", "out", "--json")
    assert again.exit_code == 0, again.stderr
    assert again.json()["body"]["style_preset"] == "modern"


def test_status_wait_names_the_file_after_the_queued_user_model(sandbox: Sandbox) -> None:
    request_id = run("qwen", "a wolf", "--no-wait").stdout.strip()
    result = run("status", request_id, "--wait", "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert Path(result.stdout.strip()).name.startswith("qwen-")


def test_dry_run_of_a_user_model_prints_the_request_on_the_gateway(key: str) -> None:
    result = run("pixel", "a fox", "--style", "retro", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "POST https://gateway.pixazo.ai/pixel-art/v1/generate" in result.stdout
    assert '"style_preset": "retro"' in result.stdout


def test_a_config_default_applies_to_a_user_models_own_flag(sandbox: Sandbox) -> None:
    assert run("config", "set", "pixel.style", "none").exit_code == 0
    assert run("pixel", "a fox", "-d", "out").exit_code == 0
    assert rows()[0].body["style_preset"] == "none"


def test_a_user_model_is_listed_by_help_models_and_its_own_help() -> None:
    assert "pixel      Pixel Art XL (sync)." in run("--help").stdout
    own = run("pixel", "--help").stdout
    assert "--style STYLE" in own and "--dither / --no-dither" in own
    assert "--no-wait" in run("qwen", "--help").stdout
    listed = run("models", "--json").json()
    assert [m["name"] for m in listed["models"]][-2:] == ["pixel", "qwen"]
    assert listed["left_out"] == []


def test_the_wrong_flag_for_a_user_model_names_the_models_that_take_it() -> None:
    result = run("pixel", "a fox", "--lora-scale", "1")
    assert result.exit_code == 2
    assert "no option --lora-scale" in result.stderr
    shared = run("qwen", "a fox", "--seed", "1")
    assert shared.exit_code == 2 and "qwen does not take --seed" in shared.stderr
