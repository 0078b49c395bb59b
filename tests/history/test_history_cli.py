"""What the history records as requests go, and the `history`, `status` and `replay` commands
that read it. Real HTTP against the in-process sandbox; the client's clock is fake."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pixazo_cli.history.store import Row
from pixazo_cli.http.client import Gateway
from pixazo_cli.sandbox import Sandbox
from tests.conftest import run
from tests.history.conftest import rows


def test_the_row_is_written_before_the_paid_post(sandbox: Sandbox, isolated: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[Row]] = []

    def interrupted_post(self: Gateway, request: object, before_send: Any) -> object:
        before_send()  # the listeners' write-ahead, right before the POST
        seen.append(rows())  # what the history holds as the POST goes out
        raise KeyboardInterrupt

    monkeypatch.setattr(Gateway, "submit", interrupted_post)
    result = run("sd35", "a lighthouse at dusk", "--format", "png", "-d", "out")
    assert result.exit_code == 130
    [[ahead]] = seen
    assert (ahead.status, ahead.state, ahead.model) == ("sent", "sent, no reply", "sd35")
    assert ahead.body["prompt"] == "a lighthouse at dusk"
    assert ahead.body["output_format"] == "png"
    assert (ahead.endpoint, ahead.cwd) == ("/sd3-5/v1/r-sd-3-5-large", str(isolated))
    [after] = rows()
    assert (after.status, after.maybe_charged, after.exit_code) == ("failed", True, 130)


def test_a_completed_request_records_its_reply_files_and_cost(sandbox: Sandbox,
                                                               isolated: Path) -> None:
    result = run("sd35", "a lighthouse", "-d", "out")
    assert result.exit_code == 0
    [row] = rows()
    saved = isolated / result.stdout.strip()
    assert (row.status, row.exit_code, row.images, row.cost_usd) == ("saved", 0, 1, 0.2)
    assert row.request_id and row.urls and row.finished
    [file] = row.files
    assert Path(file["path"]) == saved
    import hashlib

    assert file["sha256"] == hashlib.sha256(saved.read_bytes()).hexdigest()


def test_a_refused_request_is_failed_and_not_maybe_charged(sandbox: Sandbox,
                                                            isolated: Path) -> None:
    sandbox.set_faults(["submit:429*9"])
    result = run("sdxl", "a fox", "-d", "out")
    assert result.exit_code == 5
    [row] = rows()
    assert (row.status, row.exit_code, row.maybe_charged) == ("failed", 5, False)
    assert row.error


def test_a_queued_job_left_with_no_wait_is_pending(sandbox: Sandbox, isolated: Path) -> None:
    queued = run("nucleus", "a queued lighthouse", "--no-wait")
    assert queued.exit_code == 0, queued.stderr
    [row] = rows()
    assert (row.status, row.request_id) == ("queued", queued.stdout.strip())
    listed = run("history", "--pending", "--json")
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [row.id]


def test_status_without_an_id_collects_the_latest_queued_job_named_by_its_prompt(
        sandbox: Sandbox, isolated: Path) -> None:
    request_id = run("nucleus", "a queued lighthouse", "--no-wait").stdout.strip()
    result = run("status", "--wait", "-d", "got")
    assert result.exit_code == 0, result.stderr
    [path] = result.stdout.splitlines()
    assert path.startswith("got/nucleus-") and path.endswith("-a-queued-lighthouse-1.png")
    record = json.loads(run("inspect", "--json", path).stdout)
    assert record["body"] == {"prompt": "a queued lighthouse"}
    assert record["request_id"] == request_id
    [row] = rows()
    assert row.status == "saved" and row.files


def test_status_wait_twice_finds_the_file_already_saved(sandbox: Sandbox,
                                                        isolated: Path) -> None:
    request_id = run("nucleus", "a queued lighthouse", "--no-wait").stdout.strip()
    first = run("status", request_id, "--wait", "-d", "got")
    second = run("status", request_id, "--wait", "-d", "got")
    assert first.exit_code == second.exit_code == 0
    assert len(list((isolated / "got").iterdir())) == 1
    assert Path(second.stdout.strip()).resolve() == (isolated / first.stdout.strip()).resolve()


def test_status_without_an_id_and_no_queued_job_says_so(isolated: Path, key: str) -> None:
    result = run("status")
    assert result.exit_code == 2
    assert "No queued job in the history" in result.stderr


def test_replay_takes_a_history_id(sandbox: Sandbox, isolated: Path) -> None:
    assert run("sdxl", "a sparrow", "--seed", "7", "-d", "out").exit_code == 0
    [first] = rows()
    result = run("replay", str(first.id), "--steps", "5", "-d", "out", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["body"] == {**first.body, "num_steps": 5}
    assert sandbox.stats()["posts_accepted"] == 2


def test_replay_of_an_unknown_history_id_is_a_usage_error(isolated: Path, key: str) -> None:
    result = run("replay", "999")
    assert result.exit_code == 2
    assert "No generation '999'" in result.stderr


def make_some(sandbox: Sandbox) -> None:
    assert run("sdxl", "a red fox", "-d", "out").exit_code == 0
    assert run("sd35", "a blue whale", "-d", "out").exit_code == 0
    sandbox.set_faults(["job:failed"])
    assert run("nucleus", "a green owl", "-d", "out").exit_code == 6
    sandbox.set_faults([])


def test_history_lists_newest_first_with_time_model_state_prompt_and_files(
        sandbox: Sandbox, isolated: Path) -> None:
    make_some(sandbox)
    lines = run("history").stdout.splitlines()
    assert [line.split()[3] for line in lines if not line.startswith(" " * 7)] == \
        ["nucleus", "sd35", "sdxl"]
    assert "failed" in lines[0] and lines[0].endswith("a green owl")
    assert any(line.strip().endswith(".webp") for line in lines)
    assert len(run("history", "-n", "1").stdout.splitlines()) == 1


@pytest.mark.parametrize(("args", "prompts"), [
    (["--model", "sd35"], ["a blue whale"]),
    (["--failed"], ["a green owl"]),
    (["--search", "fox"], ["a red fox"]),
    (["--search", "WHALE blue"], ["a blue whale"]),
    (["--since", "1d"], ["a green owl", "a blue whale", "a red fox"]),
    (["--before", "1d"], []),
    (["--pending"], []),
])
def test_history_filters(sandbox: Sandbox, isolated: Path, args: list[str],
                         prompts: list[str]) -> None:
    make_some(sandbox)
    result = run("history", "--json", *args)
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["prompt"] for line in result.stdout.splitlines()] == prompts


def test_history_json_is_one_object_a_line_without_the_key(sandbox: Sandbox, isolated: Path,
                                                           key: str) -> None:
    make_some(sandbox)
    out = run("history", "--json").stdout
    assert key not in out
    objects = [json.loads(line) for line in out.splitlines()]
    assert {"id", "created", "model", "body", "prompt", "status", "files", "cost_usd"} <= \
        set(objects[0])


def test_history_cost_sums_by_model_and_day(sandbox: Sandbox, isolated: Path) -> None:
    make_some(sandbox)
    assert run("sd3", "another", "-d", "out").exit_code == 0
    text = run("history", "--cost").stdout
    assert "sd35" in text and "sdxl" in text
    assert text.splitlines()[-1].split()[1:3] == ["3", "$0.40"]
    by_model = {o["model"]: o for o in map(json.loads, run("history", "--cost", "--json")
                                           .stdout.splitlines()) if "model" in o}
    assert by_model["sdxl"]["cost_usd"] == 0 and by_model["sdxl"]["images_of_unknown_price"] == 1
    assert by_model["sd3"]["cost_usd"] == 0.2


def test_clear_deletes_rows_but_not_files(sandbox: Sandbox, isolated: Path) -> None:
    make_some(sandbox)
    files = sorted((isolated / "out").iterdir())
    assert run("history", "--clear", "--before", "2000-01-01", "-y").exit_code == 0
    assert len(rows()) == 3
    result = run("history", "--clear", "-y")
    assert result.exit_code == 0 and "Deleted 3" in result.stderr
    assert rows() == []
    assert sorted((isolated / "out").iterdir()) == files


def test_history_with_nothing_recorded_says_so(isolated: Path) -> None:
    result = run("history")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "No history yet" in result.stderr


def test_a_bad_since_is_a_usage_error(isolated: Path) -> None:
    result = run("history", "--since", "last tuesday")
    assert result.exit_code == 2 and "--since wants a date" in result.stderr


def test_clear_asks_first_on_a_terminal(sandbox: Sandbox, isolated: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    make_some(sandbox)
    monkeypatch.setattr("pixazo_cli.cli.history_commands._on_terminal", lambda: True)
    declined = run("history", "--clear", input="n\n")
    assert declined.exit_code == 0 and "Delete 3 history row(s)" in declined.stderr
    assert "Nothing was deleted." in declined.stderr and len(rows()) == 3
    assert run("history", "--clear", input="y\n").exit_code == 0
    assert rows() == []


def test_a_queued_job_whose_wait_was_interrupted_stays_collectable(
        sandbox: Sandbox, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object, **__: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr("pixazo_cli.flow.generate.wait_for_job", interrupted)
    assert run("nucleus", "a patient owl", "-d", "out").exit_code == 130
    [row] = rows()
    assert (row.status, row.exit_code, row.maybe_charged) == ("queued", 130, False)


def test_a_batch_rerun_completes_the_rows_it_paid_for_instead_of_adding_rows(
        sandbox: Sandbox, isolated: Path) -> None:
    (isolated / "jobs.jsonl").write_text("".join(
        f'{{"model": "sdxl", "prompt": "hero {n}", "seed": {n}}}\n' for n in (1, 2)))
    sandbox.set_faults(["download:404"])
    assert run("batch", "jobs.jsonl", "-d", "out").exit_code == 8
    assert {(r.status, bool(r.urls)) for r in rows()} == {("answered", True)}  # paid, not saved
    sandbox.set_faults([])
    posts = sandbox.stats()["posts_accepted"]
    assert run("batch", "jobs.jsonl", "-d", "out").exit_code == 0
    assert sandbox.stats()["posts_accepted"] == posts  # downloaded again, not paid again
    again = rows()
    assert len(again) == 2 and {r.status for r in again} == {"saved"}
    assert sorted(r.batch_line for r in again) == [1, 2]


def test_variations_are_a_row_each(sandbox: Sandbox, isolated: Path) -> None:
    result = run("sdxl", "a wren", "-n", "3", "-d", "out")
    assert result.exit_code == 0, result.stderr
    recorded = rows()
    assert len(recorded) == 3 and {r.status for r in recorded} == {"saved"}
    assert len({r.body.get("seed") for r in recorded}) == 3


def test_grid_cells_are_a_row_each(sandbox: Sandbox, isolated: Path) -> None:
    result = run("grid", "sdxl", "a lighthouse", "--x", "steps=4,8", "--set", "seed=11",
                 "-d", "grid")
    assert result.exit_code == 0, result.stderr
    recorded = rows()
    assert sorted(r.body["num_steps"] for r in recorded) == [4, 8]
    assert {r.status for r in recorded} == {"saved"}


def test_clear_with_json_says_how_many_rows_went_in_one_object(sandbox: Sandbox) -> None:
    make_some(sandbox)
    result = run("history", "--clear", "--yes", "--json", "--model", "sdxl")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"deleted": 1}
    assert sorted(row.model for row in rows()) == ["nucleus", "sd35"]
