"""Seeds make images reproducible: a model that takes one is always sent one (the user's or a
random pick), it is recorded, shown, and usable in file names; elsewhere {seed} is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock

from pixazo_cli.models.request import SEED_RANGE, derived_seed
from pixazo_cli.models.request import pick_seed as real_pick_seed  # before conftest pins it
from pixazo_cli.models.seeds import fit_seed, seed_bounds
from pixazo_cli.models.spec import Field, Model
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


# --- the model's own seed range -----------------------------------------------------------

def _seed_field(low: int | None, high: int | None) -> Field:
    return Field("seed", "seed", kind=int, low=low, high=high)


@pytest.mark.parametrize(("low", "high", "bounds"), [
    (None, None, SEED_RANGE),
    (0, 1000, (0, 1000)),
    (None, 1000, (0, 1000)),
    (5, None, (5, SEED_RANGE[1])),
    (-1, 10, (0, 10)),  # never a negative pick where a positive one fits: -1 is often "random"
    (-100, -1, (-100, -1)),  # the model's own range, when it has no seed the tool would pick
    (None, -1, (-1 - SEED_RANGE[1], -1)),
    (2**40, None, (2**40, 2**40 + SEED_RANGE[1])),
])
def test_the_seeds_the_tool_picks_are_the_models_range_within_its_own(
        low: int | None, high: int | None, bounds: tuple[int, int]) -> None:
    assert seed_bounds(_seed_field(low, high)) == bounds


def test_a_seed_is_fitted_modulo_the_range_and_kept_when_already_in_it() -> None:
    model = Model("m", "M", "/m", False, (_seed_field(10, 19),))
    assert [fit_seed(model, n) for n in (10, 15, 19, 20, 9, 424242)] == [10, 15, 19, 10, 19,
                                                                          12]


def test_a_derived_seed_is_unchanged_for_a_model_without_a_seed_range() -> None:
    """A batch re-run finds its lines in the manifest by their bodies: the seed derived from
    a line's key must stay what it was before seeds were fitted to a model's range."""
    import hashlib

    number = int.from_bytes(hashlib.sha256(b"pixazo seed\0line-key").digest()[:8], "big")
    assert derived_seed("line-key", MODELS["sdxl"]) == number % 2**31
