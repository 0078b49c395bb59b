"""--json means exactly one JSON object on stdout for every outcome of every command that takes
it (issue 21): parser errors (an unknown flag, a value of the wrong type, --timeout 0), file
errors, usage errors, a missing key. Streaming commands (batch, -n, history) write one object
a line. (Ctrl-C, and `pixazo history` run as its own app, are in tests/e2e.)"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

from pixazo_cli.cli.app import app
from pixazo_cli.models.table import MODELS

from .conftest import run


def commands_taking_json() -> set[str]:
    """Every command line taking --json, a group's subcommands (`assets derive`) included."""
    root = get_command(app)
    ctx = root.make_context("pixazo", ["--help"], resilient_parsing=True)
    found: set[str] = set()

    def visit(group: Any, prefix: str) -> None:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if hasattr(command, "list_commands"):
                visit(command, f"{prefix}{name} ")
            elif any("--json" in getattr(param, "opts", ()) for param in command.params):
                found.add(prefix + name)

    visit(root, "")
    return found


def write(name: str, text: str) -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


# Each command that takes --json, and command lines that fail in every way it can before a
# gateway is reached. Files named here are made in the test's working folder first.
FAILURES: dict[str, list[list[str]]] = {
    **{model: [["--bogus"], ["a fox", "--steps", "many"], ["a fox", "--timeout", "0"],
               ["a fox", "-n", "0"], [], ["a fox"]]  # the last: no API key (exit 3)
       for model in MODELS},
    "replay": [["--bogus"], ["missing.png"], ["not-an-image.txt"],
               ["missing.png", "--timeout", "0"]],
    "status": [["--bogus"], [], ["some-id", "--timeout", "0"]],
    "batch": [["--bogus"], ["missing.jsonl"], ["invalid.jsonl"], ["jobs.jsonl", "-j", "0"],
              ["jobs.jsonl", "--model", "SDX"], ["jobs.jsonl", "--shard", "3/2"],
              ["jobs.jsonl", "--timeout", "0"], ["jobs.jsonl"]],  # the last: no API key
    "inspect": [["--bogus"], ["missing.png"], ["not-an-image.txt"]],
    "models": [["--bogus"], ["sdx"]],
    "grid": [["--bogus"], ["sdxll", "a fox", "--x", "steps=1,2"], ["sdxl", "a fox"],
             ["sdxl", "a fox", "--x", "nonsense"], ["sdxl", "a fox", "--x", "steps=1,2",
                                                    "--timeout", "0"]],
    "history": [["--bogus"], ["-n", "0"], ["--model", "SDX"], ["--since", "soon"]],
    "fetch": [["--bogus"], [], ["12345"], ["12345", "--timeout", "0"]],
    "assets derive": [["--bogus"], [], ["missing.png", "--size", "10x10"],
                      ["not-an-image.txt", "--size", "10x10"],
                      ["not-an-image.txt", "--size", "tiny"]],
}

CASES = [pytest.param(command, args, id=f"{command} {' '.join(args) or '(nothing)'}")
         for command, failures in FAILURES.items() for args in failures]


def test_the_table_covers_every_command_that_takes_json() -> None:
    assert set(FAILURES) == commands_taking_json()


@pytest.mark.parametrize(("command", "args"), CASES)
def test_every_failure_is_one_json_object_on_stdout(command: str, args: list[str]) -> None:
    write("invalid.jsonl", '{"model": "sdxl", "prompt": "a fox", "steps": "many"}\n')
    write("jobs.jsonl", '{"model": "sdxl", "prompt": "a fox"}\n')
    write("not-an-image.txt", "plain text\n")
    result = run(*command.split(), *args, "--json")
    assert result.exit_code not in (0, 1), (result.exit_code, result.stderr)
    assert result.stdout.count("\n") == 1, result.stdout  # one line: one object
    report = json.loads(result.stdout)
    assert report["status"] == "error" and report["exit_code"] == result.exit_code
    assert report["error"] and "Usage:" not in result.stderr


def test_a_json_flag_after_double_dash_is_a_prompt_word_not_json(tmp_path: Path) -> None:
    result = run("sdxl", "--bogus", "--", "--json")
    assert result.exit_code == 2 and result.stdout == ""


def test_a_command_without_json_keeps_its_errors_on_stderr() -> None:
    result = run("config", "get", "nonsense", "--json")
    assert result.exit_code == 2 and result.stdout == ""


def test_skipped_lines_appear_as_json_lines_with_their_number_and_error(
        gateway: object, tmp_path: Path) -> None:
    jobs = write("jobs.jsonl", '{"model": "sdxl", "prompt": "a fox", "seed": 1}\n'
                               '{"model": "SDX", "prompt": "an owl"}\n')
    result = run("batch", jobs, "-d", "out", "--json", "--skip-invalid")
    assert result.exit_code == 2, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    [skipped] = [line for line in lines if line["status"] == "invalid"]
    assert skipped["line"] == 2 and skipped["error"]["exit_code"] == 2
    assert "unknown model 'SDX'" in skipped["error"]["message"]
    assert [line["line"] for line in lines if line["status"] == "saved"] == [1]


def test_batch_and_n_lines_carry_the_single_command_s_fields(gateway: object) -> None:
    single = run("sdxl", "a fox", "--seed", "5", "-d", "one", "--json").json()
    [from_n] = [json.loads(line) for line in
                run("sdxl", "a fox", "--seed", "5", "-n", "1", "-d", "n", "--json")
                .stdout.splitlines()]
    jobs = write("jobs.jsonl", '{"model": "sdxl", "prompt": "a fox", "seed": 5}\n')
    [from_batch] = [json.loads(line) for line in
                    run("batch", jobs, "-d", "b", "--json").stdout.splitlines()]
    for line in (from_n, from_batch):
        assert set(single) <= set(line), set(single) - set(line)
        assert (line["body"], line["seed"], line["endpoint"]) == (
            single["body"], single["seed"], single["endpoint"])
        [saved] = line["files"]
        assert Path(saved["path"]).is_absolute() and Path(saved["path"]).is_file()
        assert saved["sha256"] == hashlib.sha256(Path(saved["path"]).read_bytes()).hexdigest()


def test_a_re_run_s_already_saved_lines_have_absolute_paths(gateway: object) -> None:
    jobs = write("jobs.jsonl", '{"model": "sdxl", "prompt": "a fox", "seed": 5}\n')
    run("batch", jobs, "-d", "out", "--json")
    [again] = [json.loads(line) for line in
               run("batch", jobs, "-d", "out", "--json").stdout.splitlines()]
    assert again["skipped"] is True and Path(again["files"][0]["path"]).is_absolute()
