"""Seeds make images reproducible: a model that takes one is always sent one (the user's or a
random pick), it is recorded, shown, and usable in file names; elsewhere {seed} is refused."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_httpx import HTTPXMock

from pixazo_cli.models.request import SEED_RANGE
from pixazo_cli.models.request import pick_seed as real_pick_seed  # before conftest pins it
from pixazo_cli.models.table import MODELS
from tests.conftest import CDN, GATEWAY, PICKED_SEED, PNG, run, sent_bodies

SDXL = f"{GATEWAY}/getImage/v1/getSDXLImage"


def serve_sdxl(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, json={"imageUrl": f"{CDN}/a.png"})
    httpx_mock.add_response(method="GET", url=f"{CDN}/a.png", content=PNG)


def test_the_models_that_take_a_seed_come_from_the_table() -> None:
    assert [m.name for m in MODELS.values() if m.seed_field] == ["sdxl", "lightning", "inpaint"]


def test_a_seed_model_without_seed_is_sent_a_picked_one(httpx_mock: HTTPXMock, key: str) -> None:
    serve_sdxl(httpx_mock)
    result = run("sdxl", "a fox", "--json")
    assert result.exit_code == 0, result.stderr
    assert sent_bodies(httpx_mock) == [{"prompt": "a fox", "seed": PICKED_SEED}]
    assert result.json()["seed"] == PICKED_SEED


def test_the_users_seed_is_sent_as_given(httpx_mock: HTTPXMock, key: str) -> None:
    serve_sdxl(httpx_mock)
    assert run("sdxl", "a fox", "--seed", "7").exit_code == 0
    assert sent_bodies(httpx_mock) == [{"prompt": "a fox", "seed": 7}]


def test_the_picked_seed_is_random_and_in_range() -> None:
    picks = {real_pick_seed() for _ in range(20)}
    assert len(picks) > 1
    assert all(SEED_RANGE[0] <= seed <= SEED_RANGE[1] for seed in picks)


def test_verbose_prints_the_seed(httpx_mock: HTTPXMock, key: str) -> None:
    serve_sdxl(httpx_mock)
    result = run("sdxl", "a fox", "--verbose")
    assert f"seed {PICKED_SEED}" in result.stderr


def test_seed_in_a_name_becomes_the_seed_sent(httpx_mock: HTTPXMock, key: str,
                                              isolated: Path) -> None:
    serve_sdxl(httpx_mock)
    result = run("sdxl", "a fox", "--name", "fox-{seed}.{ext}")
    assert result.stdout.strip() == f"fox-{PICKED_SEED}.png"


def test_the_picked_seed_is_recorded_in_the_image(httpx_mock: HTTPXMock, key: str,
                                                  isolated: Path) -> None:
    serve_sdxl(httpx_mock)
    path = Path(run("sdxl", "a fox", "--sidecar").stdout.strip())
    record = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert record["body"]["seed"] == PICKED_SEED


def test_seed_in_a_name_is_refused_for_a_model_without_one(httpx_mock: HTTPXMock,
                                                           key: str) -> None:
    result = run("nucleus", "a lighthouse", "--name", "light-{seed}.{ext}")
    assert result.exit_code == 2
    assert "nucleus takes no seed" in result.stderr
    assert "sdxl, lightning, inpaint" in result.stderr
    assert httpx_mock.get_requests() == []


def test_seed_in_an_output_path_is_refused_for_a_model_without_one(httpx_mock: HTTPXMock,
                                                                   key: str) -> None:
    result = run("sd35", "a fox", "-o", "fox-{seed}.webp")
    assert result.exit_code == 2
    assert httpx_mock.get_requests() == []
