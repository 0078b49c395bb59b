"""The grid's plan and -n's requests, before anything is sent: axes, ranges, whole prompts,
refusals, and the seeds or image counts each variation asks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixazo_cli.commands.variations import variation_requests
from pixazo_cli.compare.grid import MAX_CELLS, Axis, parse_axis, plan_grid
from pixazo_cli.errors import UsageError
from pixazo_cli.models.request import build_request
from pixazo_cli.models.table import MODELS
from tests.conftest import run


def test_an_axis_lists_its_values() -> None:
    assert parse_axis("steps=10,20,30", "--x") == Axis("steps", ("10", "20", "30"))


def test_an_axis_range_counts_up_by_its_step() -> None:
    assert parse_axis("steps=10..30:10", "--x").values == (10, 20, 30)
    assert parse_axis("guidance=1..2:0.5", "--x").values == (1.0, 1.5, 2.0)


def test_the_prompt_axis_takes_whole_prompts_split_on_bars() -> None:
    assert parse_axis("prompt=a fox, at dawn|a wolf", "--y").values == ("a fox, at dawn",
                                                                         "a wolf")


@pytest.mark.parametrize("spec", ["steps", "=1,2", "steps=", "steps=30..10:10",
                                  "steps=1..5:0", "steps=1..1000:1", "prompt=|", "steps=,"])
def test_a_malformed_axis_is_refused(spec: str) -> None:
    with pytest.raises(UsageError):
        parse_axis(spec, "--x")


def test_the_plan_is_the_cartesian_product_rows_by_columns() -> None:
    plan = plan_grid(MODELS["sdxl"], "a fox", {}, {}, parse_axis("steps=4,8,12", "--x"),
                     parse_axis("guidance=3,7", "--y"))
    assert (plan.columns, plan.rows, len(plan.cells)) == (3, 2, 6)
    assert [c.labels for c in plan.cells[:4]] == [
        ("steps=4", "guidance=3"), ("steps=8", "guidance=3"), ("steps=12", "guidance=3"),
        ("steps=4", "guidance=7")]
    assert plan.cells[5].request.body["num_steps"] == 12
    assert plan.cells[5].request.body["guidance_scale"] == 7
    assert len({job.key for job in plan.jobs()}) == 6


def test_a_cell_outside_the_models_range_is_refused_naming_the_cell() -> None:
    with pytest.raises(UsageError, match="steps=40"):
        plan_grid(MODELS["sdxl"], "a fox", {}, {}, parse_axis("steps=10,40", "--x"), None)


def test_a_flag_the_model_does_not_take_cannot_be_an_axis() -> None:
    with pytest.raises(UsageError, match="no flag --seed"):
        plan_grid(MODELS["sd35"], "a fox", {}, {}, parse_axis("seed=1,2", "--x"), None)


def test_the_same_flag_on_both_axes_is_refused() -> None:
    with pytest.raises(UsageError, match="both vary steps"):
        plan_grid(MODELS["sdxl"], "a fox", {}, {}, parse_axis("steps=1,2", "--x"),
                  parse_axis("steps=3,4", "--y"))


def test_too_many_cells_are_refused_before_anything_is_planned() -> None:
    x = Axis("seed", tuple(range(MAX_CELLS)))
    with pytest.raises(UsageError, match="at most"):
        plan_grid(MODELS["sdxl"], "a fox", {}, {}, x, Axis("steps", (1, 2)))


def test_variations_count_seeds_up_from_the_given_seed() -> None:
    request = build_request(MODELS["sdxl"], "a fox", {"seed": 40})
    assert [r.seed for r in variation_requests(request, 4)] == [40, 41, 42, 43]


def test_variations_without_a_seed_count_up_from_one_random_seed(picked_seed: int) -> None:
    request = build_request(MODELS["sdxl"], "a fox", {})
    seeds = [r.seed for r in variation_requests(request, 4)]
    assert seeds == [picked_seed + i for i in range(4)]  # `--seed S` makes the set again


@pytest.mark.parametrize(("count", "requests"), [(2, [2]), (4, [4]), (9, [4, 4, 1])])
def test_nucleus_variations_ask_for_at_most_four_images_a_request(
        count: int, requests: list[int]) -> None:
    request = build_request(MODELS["nucleus"], "a fox", {})
    assert [r.expected_images for r in variation_requests(request, count)] == requests


def test_variations_split_where_the_table_caps_the_image_count() -> None:
    from dataclasses import replace

    nucleus = MODELS["nucleus"]
    capped = replace(nucleus, fields=tuple(replace(f, high=3) if f.flag == "num_images" else f
                                           for f in nucleus.fields))
    request = build_request(capped, "a fox", {})
    assert [r.expected_images for r in variation_requests(request, 7)] == [3, 3, 1]


@pytest.mark.parametrize("axis", ["seed=1,01,001", "steps=4,04", "guidance=3, 3"])
def test_values_that_parse_the_same_are_one_value_listed_twice(axis: str) -> None:
    with pytest.raises(UsageError, match="more than once"):
        plan_grid(MODELS["sdxl"], "a fox", {}, {}, parse_axis(axis, "--x"), None)


def test_every_cell_of_a_grid_gets_the_same_seed_the_same_on_every_run() -> None:
    plans = [plan_grid(MODELS["sdxl"], "a fox", {}, {}, parse_axis("steps=4,8", "--x"),
                       parse_axis("guidance=3,7", "--y")) for _ in range(2)]
    seeds = {cell.request.seed for plan in plans for cell in plan.cells}
    assert len(seeds) == 1 and None not in seeds


def test_a_grid_over_seeds_sends_each_cell_its_own_seed() -> None:
    plan = plan_grid(MODELS["sdxl"], "a fox", {}, {}, parse_axis("seed=1,2,3", "--x"), None)
    assert [cell.request.seed for cell in plan.cells] == [1, 2, 3]


def test_the_default_folder_follows_every_setting_that_changes_a_cell() -> None:
    x = parse_axis("steps=4,8", "--x")
    names = {plan_grid(MODELS["sdxl"], "a fox", base, params, x, None).folder_name()
             for base, params in (({}, {}), ({"guidance": "5"}, {}), ({}, {"style": "x"}))}
    assert len(names) == 3


def test_a_model_without_seeds_or_image_counts_repeats_the_request() -> None:
    request = build_request(MODELS["sd35"], "a fox", {})
    assert variation_requests(request, 3) == [request] * 3


def test_count_with_no_wait_is_refused_before_anything_is_sent() -> None:
    from tests.conftest import run

    result = run("--sandbox", "nucleus", "a fox", "-n", "2", "--no-wait")
    assert result.exit_code == 2
    assert "--no-wait" in result.stderr


def test_grid_dry_run_states_the_cost_where_the_vendor_states_a_price(isolated: Path) -> None:
    result = run("grid", "sd35", "a fox", "--x", "steps=20,30,40", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["cost"] == pytest.approx(0.60)
    text = run("grid", "sd35", "a fox", "--x", "steps=20,30,40", "--dry-run")
    assert "$0.60" in text.stdout
    assert run("grid", "sdxl", "a fox", "--x", "steps=4,8", "--dry-run", "--json").json()[
        "cost"] is None
