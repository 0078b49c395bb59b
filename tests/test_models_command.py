"""`pixazo models` says what each model takes, read from the model table, so it can never
disagree with what the model commands accept: as text for people, as JSON for scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixazo_cli.models.request import cli_name
from pixazo_cli.models.table import MODELS
from tests.conftest import run
from tests.e2e.harness import run_pixazo


def blocks(listing: str) -> dict[str, str]:
    """The listing's block for each model, by name."""
    found = {}
    for block in listing.split("\n\n"):
        name = block.split(":", 1)[0]
        if name in MODELS:
            found[name] = block
    return found


def test_the_listing_has_one_block_per_model_with_endpoint_and_kind() -> None:
    result = run("models")
    assert result.exit_code == 0, result.stderr
    listed = blocks(result.stdout)
    assert list(listed) == list(MODELS)
    for name, model in MODELS.items():
        assert f"POST {model.path}" in listed[name]
        assert ("· queued ·" if model.queued else "· sync ·") in listed[name]


def test_the_listing_names_every_flag_a_model_takes_and_no_other() -> None:
    listed = blocks(run("models").stdout)
    for name, model in MODELS.items():
        flags = {line.split()[0].rstrip(":") for line in listed[name].splitlines()
                 if line.startswith("  --")}
        assert flags == {cli_name(flag) for flag in model.by_flag}, name


def test_the_listing_gives_ranges_and_defaults_where_the_table_has_them() -> None:
    listed = blocks(run("models").stdout)
    assert "--width PX: whole number 512 to 1536" in listed["sdxl"]
    assert "--steps N: whole number 20 to 100; default 40" in listed["sd35"]
    assert "--format FMT: one of png, jpg" in listed["nucleus"]
    assert "--seed N: whole number; default: a random one" in listed["sdxl"]


def test_the_listing_states_the_price_where_the_vendor_does() -> None:
    listed = blocks(run("models").stdout)
    assert "$0.20 per image" in listed["sd35"]
    assert "no price stated" in listed["sdxl"]


def test_one_model_in_detail_shows_the_gateway_field_names_and_example() -> None:
    result = run("models", "nucleus")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("nucleus: Nucleus Image")
    assert "num_inference_steps" in result.stdout
    assert "X-Webhook-URL (header)" in result.stdout
    assert "GET /v2/requests/status/" in result.stdout  # where a queued job is polled
    assert MODELS["nucleus"].example in result.stdout
    assert "sd35" not in result.stdout


def test_a_model_with_a_stream_endpoint_shows_it() -> None:
    out = run("models", "inpaint").stdout
    assert f"POST {MODELS['inpaint'].stream_path} (with --stream)" in out


def test_json_lists_every_model_as_the_table_has_it() -> None:
    result = run("models", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [m["name"] for m in data["models"]] == list(MODELS)
    for described in data["models"]:
        model = MODELS[described["name"]]
        assert described["endpoint"] == model.path
        assert described["queued"] is model.queued
        assert described["price_per_image"] == model.price_per_image
        assert [f["field"] for f in described["flags"]] == [f.name for f in model.fields]


def test_json_for_one_model_is_that_model_alone() -> None:
    data = run("models", "sd35", "--json").json()
    steps = next(f for f in data["flags"] if f["flag"] == "--steps")
    assert (data["name"], steps["min"], steps["max"], steps["default"]) == ("sd35", 20, 100, 40)
    assert data["price_per_image"] == 0.20


def test_an_unknown_model_is_refused_naming_the_models() -> None:
    result = run("models", "dalle")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "dalle" in result.stderr
    assert ", ".join(MODELS) in result.stderr


def test_an_unknown_model_with_json_prints_one_error_object() -> None:
    result = run("models", "dalle", "--json")
    assert result.exit_code == 2
    assert result.json()["exit_code"] == 2


def test_the_installed_command_lists_models_without_a_key_or_network(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = run_pixazo(["models", "--json"], home=home, cwd=tmp_path,
                      env={"PIXAZO_API_KEY": "", "PIXAZO_BASE_URL": "http://127.0.0.1:9"})
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["models"]) == len(MODELS)
    assert done.stderr == ""


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_has_a_detail_page(name: str) -> None:
    result = run("models", name)
    assert result.exit_code == 0
    assert f"pixazo {name} --help" in result.stdout
