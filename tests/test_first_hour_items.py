"""The smaller items of a newcomer's first hour (issue 22), one behaviour each."""

from __future__ import annotations

import json
from pathlib import Path

from pixazo_cli.batch.jobfile import read_jobs
from pixazo_cli.sandbox import Sandbox

from .conftest import PNG, config_file, run


def test_show_refuses_a_file_that_is_not_an_image() -> None:
    Path("passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    result = run("show", "passwd")
    assert result.exit_code == 2
    assert result.stderr == "Error: Not an image (PNG, JPEG or WEBP): passwd.\n"


def test_show_still_takes_an_image_off_a_terminal() -> None:
    Path("fox.png").write_bytes(PNG)
    assert run("show", "fox.png").exit_code == 0


def test_nucleus_count_help_speaks_of_images_not_seeds() -> None:
    count = run("nucleus", "--help").stdout.split("--count N", 1)[1].split("-h, --help")[0]
    count = " ".join(count.split()).replace("--num- images", "--num-images")  # unwrapped
    assert "seed" not in count.replace("takes no seed", "")
    assert "--num-images" in count


def test_a_seeded_model_s_count_help_speaks_of_seeds() -> None:
    assert "seeds S … S+N-1 from --seed S" in " ".join(run("sdxl", "--help").stdout.split())


def test_the_main_help_has_an_example_that_runs_in_the_sandbox() -> None:
    helped = run("--help").stdout
    assert 'Examples:\n    pixazo --sandbox sdxl "a lighthouse at dusk"' in helped


def test_batch_help_shows_the_jsonl_format_with_lines_that_are_valid_jobs() -> None:
    helped = run("batch", "--help").stdout
    assert "JSON Lines" in helped
    examples = helped.split("For example:\n", 1)[1].splitlines()
    lines = [line.strip() for line in examples if line.strip()]
    jobs, invalid = read_jobs(lines, "sdxl", {})
    assert invalid == [] and len(jobs) == len(lines) >= 2
    assert all(line.startswith("{") for line in lines[:2])


def test_config_get_base_url_shows_the_default_and_where_it_comes_from() -> None:
    result = run("config", "get", "base_url")
    assert (result.exit_code, result.stdout) == (0, "https://gateway.pixazo.ai\n")
    assert result.stderr == "(the built-in default)\n"


def test_config_get_names_the_environment_over_the_file(monkeypatch: object) -> None:
    run("config", "set", "base_url", "http://127.0.0.1:9")
    assert run("config", "get", "base_url").stderr == f"(from the config file, {config_file()})\n"
    monkeypatch.setenv("PIXAZO_BASE_URL", "http://127.0.0.1:8")  # type: ignore[attr-defined]
    result = run("config", "get", "base_url")
    assert result.stdout == "http://127.0.0.1:8\n"
    assert result.stderr == "(from the environment, PIXAZO_BASE_URL)\n"


def test_the_network_error_hint_s_command_works_as_printed(key: str,
                                                          monkeypatch: object) -> None:
    import re
    import shlex

    monkeypatch.setenv("PIXAZO_BASE_URL", "http://127.0.0.1:9")  # type: ignore[attr-defined]
    failed = run("sdxl", "a fox")
    assert failed.exit_code == 7, failed.stderr
    [command] = re.findall(r"`(pixazo config get [^`]+)`", failed.stderr)
    result = run(*shlex.split(command)[1:])
    assert (result.exit_code, result.stdout) == (0, "http://127.0.0.1:9\n")


def test_a_taken_o_file_s_hint_names_o_not_name(gateway: Sandbox) -> None:
    Path("fox.png").write_bytes(PNG)
    result = run("sdxl", "a fox", "-o", "fox.png")
    assert result.exit_code == 8
    assert "choose another -o path" in result.stderr and "--name" not in result.stderr


def test_a_taken_name_s_hint_still_names_name(gateway: Sandbox) -> None:
    Path("fox.png").write_bytes(PNG)
    result = run("sdxl", "a fox", "--name", "fox.png")
    assert result.exit_code == 8 and "choose another --name" in result.stderr


def test_a_taken_sidecar_with_o_names_o(gateway: Sandbox) -> None:
    Path("fox.json").write_text("{}")
    result = run("sdxl", "a fox", "-o", "fox.png", "--sidecar")
    assert result.exit_code == 8 and "choose another -o path" in result.stderr


def test_the_sandbox_s_delay_is_said_where_users_see_it(monkeypatch: object) -> None:
    assert "PIXAZO_SANDBOX_LATENCY" in run("sdxl", "--help").stdout.replace("\n", " ")
    monkeypatch.setenv("PIXAZO_SANDBOX_LATENCY", "0")  # type: ignore[attr-defined]
    result = run("--sandbox", "sdxl", "a fox", "--json")
    assert result.exit_code == 0, result.stderr
    assert "Each job takes 0 s here (PIXAZO_SANDBOX_LATENCY=0 for none)." in result.stderr
    assert json.loads(result.stdout)["files"]
