"""Bad input from a person gets a plain, typed error; input that is odd but valid is kept
exactly. (The exit-2 rows that send nothing are in the fault table, tests/test_faults.py.)"""

from __future__ import annotations

import json
from pathlib import Path

from pixazo_cli.batch.jobfile import split_lines
from pixazo_cli.record import read
from pixazo_cli.sandbox import Sandbox

from .conftest import KEY, run

ODD_BUT_ONE_LINE = "a fox\u2028in\x0csnow\x1cby\x1dthe\x1eriver\x85at\x0bdusk\u2029"


def test_batch_lines_end_at_newline_or_crlf_only() -> None:
    assert split_lines(f"{ODD_BUT_ONE_LINE}\r\nsecond\nthird") == [
        ODD_BUT_ONE_LINE, "second", "third"]
    assert split_lines("one\n\ntwo\n") == ["one", "", "two"]


def test_a_prompt_with_line_separators_inside_is_one_job_sent_byte_for_byte(
        gateway: Sandbox, tmp_path: Path) -> None:
    jobs = tmp_path / "prompts.txt"
    jobs.write_bytes(f"{ODD_BUT_ONE_LINE}\r\n".encode())
    out = tmp_path / "out"
    result = run("batch", str(jobs), "--model", "sdxl", "-d", str(out))
    assert result.exit_code == 0, result.stderr
    assert gateway.stats()["posts_received"] == 1
    [image] = sorted(out.glob("*.png"))
    record = read(image)
    assert record is not None and record["body"]["prompt"] == ODD_BUT_ONE_LINE.strip()
    assert KEY not in result.stdout + result.stderr


def test_an_overflowing_param_with_json_prints_a_json_error_without_infinity(
        gateway: Sandbox) -> None:
    result = run("sdxl", "a fox", "--param", "seed=1e999", "--json")
    assert result.exit_code == 2, result.stderr
    assert "Infinity" not in result.stdout
    error = json.loads(result.stdout, parse_constant=lambda name: 1 / 0)
    assert error["exit_code"] == 2 and "too large" in error["error"]
    assert gateway.stats()["posts_received"] == 0


def test_a_config_timeout_past_the_limit_is_a_plain_exit_2(gateway: Sandbox) -> None:
    assert run("config", "set", "timeout", "1e10").exit_code == 2
    result = run("sdxl", "a fox", "--timeout", "2592001")
    assert result.exit_code == 2 and "30 days" in result.stderr
    assert gateway.stats()["posts_received"] == 0


def test_a_batch_line_with_a_lone_surrogate_escape_is_an_invalid_line(
        gateway: Sandbox, tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text('{"model": "sdxl", "prompt": "a \\ud800 fox"}\n', encoding="utf-8")
    result = run("batch", str(jobs), "-d", str(tmp_path / "out"))
    assert result.exit_code == 2, result.stderr
    assert "line 1: not valid JSON (\\ud800 is a lone surrogate, not text)" in result.stderr
    assert gateway.stats()["posts_received"] == 0


def test_a_prompt_piped_in_of_more_than_a_megabyte_is_refused_before_sending(
        gateway: Sandbox) -> None:
    result = run("sdxl", "-", input="a" * ((1 << 20) + 1))
    assert result.exit_code == 2 and "more than 1 MB" in result.stderr
    assert gateway.stats()["posts_received"] == 0


def test_a_batch_line_of_more_than_a_megabyte_is_refused_without_reading_it_whole(
        gateway: Sandbox, isolated: Path) -> None:
    (isolated / "jobs.jsonl").write_text('{"model": "sdxl", "prompt": "a fox"}\n'
                                         + "b" * (3 << 20) + "\n")
    result = run("batch", "jobs.jsonl", "-d", "out")
    assert result.exit_code == 2 and "line 2 is longer than 1 MB" in result.stderr
    assert gateway.stats()["posts_received"] == 0


def test_a_param_nested_deeper_than_a_record_can_hold_is_refused_not_sent_as_text(
        gateway: Sandbox) -> None:
    """An image's record holds the body a few levels down, and records are read to 64 levels:
    a value nested past 32 would be sent and then make the image's record unreadable."""
    deep = "[" * 40 + "]" * 40
    result = run("sdxl", "a fox", "--param", f"x={deep}", "--json")
    assert result.exit_code == 2, result.stderr
    assert "nested more than 32 levels" in json.loads(result.stdout)["error"]
    assert gateway.stats()["posts_received"] == 0


def test_a_param_nested_as_deep_as_allowed_can_be_read_back_from_an_image_s_record() -> None:
    from pixazo_cli.models.request import parse_params
    from pixazo_cli.record.payload import parse_record, record_json

    params = parse_params(["x=" + "[" * 32 + "]" * 32])
    found = parse_record(record_json({"version": 1, "model": "sdxl",
                                      "body": {"prompt": "a fox", **params}}))
    assert found is not None and found["body"]["x"] == params["x"]


def test_a_batch_line_nested_deeper_than_a_record_can_hold_is_an_invalid_line(
        gateway: Sandbox, tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text('{"model": "sdxl", "prompt": "x", "params": {"x": ' + "[" * 40
                    + "]" * 40 + "}}\n")
    result = run("batch", str(jobs), "-d", str(tmp_path / "out"))
    assert result.exit_code == 2 and "line 1" in result.stderr, result.stderr
    assert gateway.stats()["posts_received"] == 0
