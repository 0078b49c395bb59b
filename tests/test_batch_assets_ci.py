"""batch, grid and -n combined with asset flags, --check, spending guards and GitHub Actions
mode: a failed line is never lost from the CI log, --check predicts the run, stdout carries
what was asked for, bad input is a plain exit 2. Each test reproduced a defect a review found
(all failed before their fixes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixazo_cli.sandbox import Sandbox
from tests.batch_support import lines, manifest, write, write_lines
from tests.conftest import run


def posts(gateway: Sandbox) -> int:
    return gateway.stats()["posts_received"]


# -- GitHub Actions: a failed line is never lost ---------------------------------------------

def test_a_derivation_that_fails_is_annotated_on_its_line_in_github_actions(
        gateway: Sandbox, isolated: Path, actions: Path) -> None:
    """Exit 8 comes from line 1 (a person's file at its derived name): the CI log must point
    at that line, as it does for every other failure that makes the exit code."""
    name = write_lines(isolated,
                       {"model": "sdxl", "prompt": "x", "width": 512, "height": 512,
                        "name": "hero.png"},
                       {"model": "sdxl", "prompt": "y", "width": 512, "height": 512,
                        "name": "other.png"})
    (isolated / "out").mkdir()
    (isolated / "out" / "hero-512x512.webp").write_bytes(b"a person's file")
    result = run("batch", name, "-d", "out", "--to", "webp")
    assert result.exit_code == 8, result.stderr
    assert manifest(isolated / "out")[-1]["status"] == "saved"  # paid work kept
    annotations = [x for x in result.stderr.splitlines() if x.startswith("::error")]
    assert any(a.startswith("::error file=jobs.jsonl,line=1::") for a in annotations), \
        result.stderr
    row = next(r for r in actions.read_text().splitlines() if r.startswith("| line 1 "))
    assert "not derived" in row or "failed" in row, row


def test_a_name_clash_that_stops_the_batch_is_annotated_in_github_actions(
        gateway: Sandbox, isolated: Path, actions: Path) -> None:
    """Invalid lines that stop a batch are annotated (commands/batch._guard_invalid); lines
    whose names clash stop it the same way (exit 2, nothing sent) and go unannotated."""
    name = write_lines(isolated, {"model": "sdxl", "prompt": "a", "name": "hero.png"},
                       {"model": "sdxl", "prompt": "b", "name": "hero.png"})
    result = run("batch", name, "-d", "out")
    assert result.exit_code == 2 and posts(gateway) == 0
    assert "lines 1 and 2 both write" in result.stderr
    assert "::error file=jobs.jsonl,line=2::file names clash: lines 1 and 2 both write" in \
        result.stderr, result.stderr
    summary = actions.read_text()
    assert "| line 2 | refused: lines 1 and 2 both write" in summary
    assert "2 job(s) not run: the batch was refused before sending" in summary


# -- --check predicts what a run does ----------------------------------------------------------

def test_check_refuses_what_the_run_refuses_an_assets_json_pixazo_did_not_write(
        gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, lines(2))
    (isolated / "out").mkdir()
    (isolated / "out" / "assets.json").write_text('{"mine": 1}')
    ran = run("batch", name, "-d", "out", "--to", "webp")
    assert ran.exit_code == 2 and posts(gateway) == 0  # the run refuses before paying
    check = run("batch", name, "-d", "out", "--to", "webp", "--check", "--json")
    report = json.loads(check.stdout)  # the run's own refusal, as its one JSON object
    assert (check.exit_code, report["exit_code"]) == (2, 2), check.stdout
    assert "is not a pixazo assets manifest" in report["error"]


@pytest.mark.parametrize("guard", [["--max-requests", "1"], ["--max-cost", "0.20"]])
def test_check_counts_only_what_the_spending_guard_lets_the_run_send(
        gateway: Sandbox, isolated: Path, guard: list[str]) -> None:
    name = write_lines(isolated, *({"model": "sd3", "prompt": f"p{n}"} for n in range(3)))
    check = run("batch", name, "-d", "out", "--check", "--json", *guard)
    predicted = json.loads(check.stdout)
    ran = run("batch", name, "-d", "out", "-j", "1", *guard)
    assert ran.exit_code == 4, ran.stderr
    assert posts(gateway) == 1
    assert (check.exit_code, predicted["exit_code"]) == (4, 4), check.stdout  # as the run's
    assert (predicted["paid_requests"], predicted["cost"]) == (1, 0.20), check.stdout
    assert predicted["over_limit"] == 2 and predicted["limit"].startswith("Stopped at --max-")


def test_check_says_in_words_where_a_spending_limit_stops_the_run(isolated: Path) -> None:
    name = write_lines(isolated, *({"model": "sd3", "prompt": f"p{n}"} for n in range(3)))
    check = run("batch", name, "-d", "out", "--check", "--max-requests", "2")
    assert check.exit_code == 4
    assert "Paid requests it would send: 2;" in check.stdout
    assert "A spending limit stops the run (exit 4) before 1 paid request, left for a later " \
        "run; it would say: Stopped at --max-requests 2" in check.stdout


def test_check_with_skip_invalid_exits_as_the_run_would_at_a_spending_limit(
        gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, "".join(json.dumps({"model": "sd3", "prompt": f"p{n}"}) + "\n"
                                   for n in range(3)) + '{"model": "sd3"}\n')
    args = ("batch", name, "-d", "out", "--skip-invalid", "--max-requests", "1")
    check = run(*args, "--check")
    ran = run(*args)
    assert (check.exit_code, ran.exit_code) == (4, 4), (check.stdout, ran.stderr)


# -- stdout carries what was asked for ---------------------------------------------------------

def test_grid_with_html_prints_the_snippets_and_no_paths(gateway: Sandbox,
                                                         isolated: Path) -> None:
    """assets.md: with --html, the <picture> snippet of each image instead, and no paths at
    all, so the output is HTML to paste or redirect."""
    result = run("grid", "sdxl", "a fox", "--x", "steps=10,20", "--set", "width=512",
                 "--set", "height=512", "-d", "g", "--to", "webp", "--html")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("<picture>") == 2
    assert "grid.png" not in result.stdout, result.stdout


# -- bad input is a plain exit 2 ----------------------------------------------------------------

def test_n_with_an_unknown_name_placeholder_is_a_plain_usage_error(gateway: Sandbox) -> None:
    """The single command says `--name has unknown placeholder(s): n.` (exit 2); with -n the
    same --name is an unexpected KeyError (exit 1, "a bug in pixazo")."""
    single = run("sdxl", "x", "--name", "hero-{n}.png", "-d", "one")
    assert single.exit_code == 2 and "unknown placeholder" in single.stderr
    result = run("sdxl", "x", "--name", "hero-{n}.png", "-d", "out", "-n", "2", "--json")
    assert posts(gateway) == 0
    assert result.exit_code == 2, result.stdout
    assert json.loads(result.stdout)["exit_code"] == 2
