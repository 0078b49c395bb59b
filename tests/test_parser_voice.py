"""Every parser error in the tool's own voice (issue 22): a close match for a mistyped flag,
command, model or choice; type and range errors that say what the field takes; no usage
block, exit 2, and nothing sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixazo_cli.errors import close_matches
from pixazo_cli.sandbox import Sandbox

from .conftest import run

CLICK_WORDS = ("Usage:", "Try '", "is not a valid", "is not in the range", "No such option",
               "No such command", "Missing argument", "Invalid value")


def refused(*args: str) -> tuple[str, str]:
    """The error and hint lines of a refused command line (exit 2, plain lines)."""
    result = run(*args)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert not any(words in result.stderr for words in CLICK_WORDS), result.stderr
    lines = result.stderr.splitlines()
    error = next(line for line in lines if line.startswith("Error: "))
    hint = next((line for line in lines if line.startswith("Hint: ")), "")
    return error, hint


@pytest.mark.parametrize(("typed", "meant"), [
    ("--step", "--steps"), ("--negative", "--negative-prompt"),
    ("--output-directory", "--output-dir"), ("--SEED", "--seed"), ("--widht", "--width")])
def test_a_mistyped_flag_gets_the_flag_it_meant(typed: str, meant: str) -> None:
    error, hint = refused("sdxl", "a fox", typed, "10")
    assert error == f"Error: sdxl has no option {typed}."
    assert hint.startswith(f"Hint: Did you mean {meant}")
    assert "goes after --" not in hint  # a flag mistyped is not a prompt word


def test_a_flag_of_another_model_is_named_with_the_models_taking_it() -> None:
    error, hint = refused("sdxl", "a fox", "--ratio", "3:2")
    assert error == "Error: sdxl has no option --ratio."
    assert hint.startswith("Hint: Did you mean --aspect-ratio?")
    assert "--aspect-ratio is for: nucleus, sd35, sd3" in hint


def test_a_model_with_the_flag_gets_its_own() -> None:
    _, hint = refused("nucleus", "a fox", "--ratio", "3:2")
    assert hint.startswith("Hint: Did you mean --aspect-ratio?")


def test_a_dash_word_with_no_near_flag_gets_the_double_dash_advice() -> None:
    _, hint = refused("sdxl", "-1x", "fox")
    assert "pixazo sdxl -- -1x" in hint and "Did you mean" not in hint


def test_an_unknown_flag_of_other_commands_gets_a_match_too() -> None:
    assert refused("history", "--limt", "3")[1].startswith("Hint: Did you mean --limit?")
    assert refused("batch", "x.jsonl", "--concurency", "2")[1].startswith(
        "Hint: Did you mean --concurrency?")


@pytest.mark.parametrize(("typed", "meant"), [("SDXL", "sdxl"), ("modles", "models"),
                                                ("histroy", "history")])
def test_a_mistyped_command_gets_the_command_it_meant(typed: str, meant: str) -> None:
    error, hint = refused(typed, "fox")
    assert error == f"Error: pixazo has no command {typed!r}."
    assert hint.startswith(f"Hint: Did you mean {meant}?")


def test_a_mistyped_subcommand_gets_its_group_s_match() -> None:
    error, hint = refused("config", "gte", "base_url")
    assert error == "Error: config has no command 'gte'."
    assert hint.startswith("Hint: Did you mean get?")


@pytest.mark.parametrize("args", [
    ["batch", "--model", "SDX", "jobs.txt"], ["grid", "sdxll", "a fox", "--x", "steps=1,2"],
    ["history", "--model", "SDXL"], ["models", "sdx"], ["config", "set", "sdxll.steps", "4"]])
def test_a_mistyped_model_gets_the_model_it_meant(args: list[str]) -> None:
    assert "Did you mean sdxl?" in refused(*args)[1]


def test_a_batch_line_with_a_mistyped_model_or_field_names_the_one_it_meant(
        tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text('{"model": "SDX", "prompt": "a fox"}\n'
                    '{"model": "sdxl", "prompt": "a fox", "step": 4}\n')
    result = run("batch", str(jobs), "--check")
    assert "line 1: unknown model 'SDX' (did you mean 'sdxl'?)" in result.stderr
    assert "line 2: unknown field 'step' (did you mean 'steps'?)" in result.stderr


def test_a_mistyped_choice_gets_the_choice_it_meant() -> None:
    error, hint = refused("sd35", "a fox", "--format", "pgn", "--dry-run")
    assert error == "Error: sd35 does not offer --format pgn."
    assert hint.startswith("Hint: Did you mean png")


def test_choices_are_matched_whatever_their_case_and_sent_lower_case() -> None:
    result = run("sd35", "a fox", "--format", "PNG", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["body"]["output_format"] == "png"


def test_a_batch_line_s_choice_is_matched_whatever_its_case(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text('{"model": "sd35", "prompt": "a fox", "format": "WEBP"}\n')
    assert run("batch", str(jobs), "--check").exit_code == 0


def test_a_fraction_for_a_whole_number_field_says_what_the_field_takes() -> None:
    error, _ = refused("sdxl", "a fox", "--guidance", "7.5")
    assert error == "Error: --guidance must be a whole number (1 to 15 for sdxl), not '7.5'."


def test_a_zero_timeout_says_it_must_be_above_zero() -> None:
    error, _ = refused("sdxl", "a fox", "--timeout", "0")
    assert error == "Error: --timeout must be a number of seconds above 0, not 0."


@pytest.mark.parametrize(("args", "said"), [
    (["sdxl", "a fox", "-n", "0"], "-n must be a whole number from 1 to 100, not '0'."),
    (["sdxl", "a fox", "--count=500"], "--count must be a whole number from 1 to 100"),
    (["batch", "x.jsonl", "-j", "0"], "-j must be a whole number from 1 to 64, not '0'."),
    (["history", "-n", "0"], "-n must be a whole number, at least 1, not '0'."),
    (["sandbox", "serve", "--port", "x"], "--port must be a whole number, not 'x'."),
    (["batch", "x.jsonl", "--max-cost", "inf"], "--max-cost must be a finite number, not inf."),
    (["sdxl", "a fox", "--steps"], "--steps needs a value."),
    (["sdxl", "a fox", "--overwrite=yes"], "--overwrite is a switch: it takes no value"),
    (["sdxl"], "sdxl needs PROMPT."),
    (["grid", "sdxl", "a fox"], "grid needs --x."),
    (["inspect", "a.png", "b.png"], "inspect does not take 'b.png' here."),
])
def test_other_parser_errors_are_said_in_the_tool_s_words(args: list[str], said: str) -> None:
    assert refused(*args)[0].startswith(f"Error: {said}")


def test_a_missing_prompt_shows_the_model_s_example() -> None:
    assert refused("sdxl")[1].startswith('Hint: For example: pixazo sdxl "')


def test_a_group_alone_still_shows_its_help() -> None:
    result = run("config")
    assert "Commands:" in result.stdout + result.stderr and "Error" not in result.stderr


def test_nothing_is_sent_for_a_refused_flag(gateway: Sandbox) -> None:
    for args in (["--step", "10"], ["--guidance", "7.5"], ["--timeout", "0"]):
        assert run("sdxl", "a fox", *args).exit_code == 2
    assert gateway.stats()["posts_received"] == 0


def test_close_matches_prefers_case_then_containment_then_spelling() -> None:
    assert close_matches("SDXL", ["sd3", "sdxl"]) == ["sdxl"]
    assert close_matches("--output-directory", ["--output", "--output-dir"]) == [
        "--output-dir", "--output"]
    assert close_matches("--stpes", ["--steps", "--seed"]) == ["--steps"]
    assert close_matches("--bogus", ["--verbose", "--cost"]) == []


def test_a_json_error_for_a_parser_error_is_the_same_object() -> None:
    result = run("sdxl", "a fox", "--step", "10", "--json")
    assert json.loads(result.stdout) == {
        "status": "error", "error": "sdxl has no option --step.", "exit_code": 2,
        "hint": "Did you mean --steps? See `pixazo sdxl --help`."}


def test_the_console_examples_in_the_docs_are_what_the_tool_says() -> None:
    import shlex

    page = (Path(__file__).resolve().parent.parent / "docs" / "command-line.md").read_text()
    blocks = [block.split("```", 1)[0] for block in page.split("```console\n")[1:]]
    examples = [chunk for block in blocks for chunk in block.split("$ ")[1:]]
    assert len(examples) >= 5
    for example in examples:
        command, *said = example.strip("\n").split("\n")
        result = run(*shlex.split(command)[1:])
        assert result.stderr.splitlines() == said, command
