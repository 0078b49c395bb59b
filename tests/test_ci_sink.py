"""The CI sink (issue 20): under GitHub Actions no line the tool prints starts a workflow command
unless the tool means it to, whatever the gateway says; step-summary cells render as the text
they hold; a step summary that cannot be written does not fail a batch that saved everything."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock

from pixazo_cli.batch.jobfile import InvalidLine
from pixazo_cli.sandbox import Sandbox
from pixazo_cli.ui.ci import GithubReport
from tests.conftest import GATEWAY, run
from tests.sinks_support import rendered_constructs, runner_commands, table_cells

SDXL = f"{GATEWAY}/getImage/v1/getSDXLImage"
INJECTED = ("bad request\n::stop-commands::pwned\n  ::add-mask::hunter2\n"
            "::notice title=Deploy::approved\r::set-output name=ok::1\n:\u200b:warning::x\n"
            "see ##[add-mask]hunter2 and #\u200b#[set-output name=a;]b")


@pytest.fixture
def actions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return summary


def test_a_gateway_error_starts_no_workflow_command(httpx_mock: HTTPXMock, key: str,
                                                    actions: Path) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, status_code=400,
                            json={"error": INJECTED})
    result = run("sdxl", "a fox", "--json")
    assert result.exit_code == 2
    assert runner_commands(result.stderr) == []
    assert runner_commands(result.stdout) == []
    assert ": :stop-commands::pwned" in result.stderr  # still there to read
    assert json.loads(result.stdout)["error"].startswith(
        "The gateway refused the request (400: bad request\n")


def test_a_failed_batch_job_prints_only_the_tools_own_annotation(
        httpx_mock: HTTPXMock, key: str, actions: Path, isolated: Path) -> None:
    httpx_mock.add_response(method="POST", url=SDXL, status_code=400,
                            json={"error": INJECTED})
    (isolated / "jobs.jsonl").write_text(json.dumps({"model": "sdxl", "prompt": "fox"}) + "\n")
    result = run("batch", "jobs.jsonl", "-d", "out")
    assert result.exit_code == 2
    [annotation] = runner_commands(result.stderr)
    assert annotation.startswith("::error file=jobs.jsonl,line=1::The gateway refused "
                                 "the request (400: bad request%0A")
    assert runner_commands(result.stdout) == []


@pytest.mark.parametrize("name", ["::add-mask::{seed}.png", "##[add-mask]{seed}.png"])
def test_a_saved_path_that_looks_like_a_command_is_printed_as_a_quoted_word(
        gateway: Sandbox, actions: Path, isolated: Path, name: str) -> None:
    result = run("sdxl", "a fox", "-d", ".", "--seed", "7", "--name", name)
    assert result.exit_code == 0, result.stderr
    assert runner_commands(result.stdout + result.stderr) == []
    [word] = result.stdout.splitlines()
    named = subprocess.run(["bash", "-c", f"printf %s {word}"], capture_output=True,
                           check=True).stdout.decode()
    assert named == name.format(seed=7) and (isolated / named).is_file()


HOSTILE_CELL = ("[click me](javascript:alert(1)) ![x](https://evil.example/t.png) "
                "<img src=x onerror=alert(1)> a|b `code` *bold* _em_ ~~gone~~ &amp; "
                "$x$ \\ end\nsecond line")


def test_step_summary_cells_render_as_the_text_they_hold() -> None:
    report = GithubReport(lambda: io.StringIO(), HOSTILE_CELL, Path("out"), None)
    report.invalid([InvalidLine(1, HOSTILE_CELL)])
    report.skipped(2, {"model": HOSTILE_CELL, "files": [{"path": HOSTILE_CELL}],
                       "request_id": HOSTILE_CELL})
    markdown = report.markdown()
    assert rendered_constructs(markdown) == []
    assert table_cells(markdown) == [4, 4, 4]


def test_an_unwritable_step_summary_is_a_warning_after_an_all_saved_batch(
        gateway: Sandbox, actions: Path, isolated: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(isolated / "no-such-folder" / "summary.md"))
    (isolated / "jobs.jsonl").write_text(json.dumps({"model": "sdxl", "prompt": "fox"}) + "\n")
    result = run("batch", "jobs.jsonl", "-d", "out")
    assert result.exit_code == 0, result.stderr
    [warning] = runner_commands(result.stderr)
    assert warning.startswith("::warning::pixazo could not write the step summary")
    assert len(result.stdout.splitlines()) == 1
