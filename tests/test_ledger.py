"""One ledger for every paid request (issue 19): every path that sends (a model command, -n,
grid, batch, replay) or collects (fetch, status --wait) records one history row per paid
request, sends and records a seed wherever the model takes one, and pays nothing twice.

In-process against the sandbox, which counts the paid POSTs it receives."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pixazo_cli.record import read
from pixazo_cli.sandbox import Sandbox
from tests.batch_support import manifest
from tests.conftest import KEY, run
from tests.history.conftest import rows


def _posts(gateway: Sandbox) -> int:
    return gateway.stats()["posts_received"]


def _paths(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line]


def test_every_path_records_one_row_per_paid_request_each_with_the_seed_it_sent(
        gateway: Sandbox, isolated: Path) -> None:
    (isolated / "jobs.jsonl").write_text('{"model": "sdxl", "prompt": "hero"}\n'
                                         '{"model": "lightning", "prompt": "villain"}\n')
    single = run("sdxl", "a fox", "-d", "single")
    variations = run("sdxl", "a fox", "-n", "3", "--seed", "40", "-d", "n")
    grid = run("grid", "sdxl", "a fox", "--x", "steps=4,8", "-d", "grid")
    batch = run("batch", "jobs.jsonl", "-d", "batch")
    replayed = run("replay", _paths(single.stdout)[0], "-d", "replay")
    queued = run("nucleus", "an owl", "--no-wait")
    collected = run("status", queued.stdout.strip(), "--wait", "-d", "status")
    fetched = run("fetch", "--last", "-d", "fetch")
    for result in (single, variations, grid, batch, replayed, queued, collected, fetched):
        assert result.exit_code == 0, result.stderr
    paid = 1 + 3 + 2 + 2 + 1 + 1
    assert _posts(gateway) == paid  # status --wait and fetch paid for nothing
    recorded = rows()
    assert len(recorded) == paid and len({row.ledger for row in recorded}) == paid
    for row in recorded:
        assert row.status == "saved" and row.files, row
        if row.model != "nucleus":
            assert isinstance(row.body["seed"], int), row
        for file in row.files:  # the body in the image is the body sent, and recorded
            assert read(Path(file["path"]))["body"] == row.body
    for folder in ("batch", "grid"):
        entries = {e["job"]: e for e in manifest(isolated / folder)}
        assert all(isinstance(e["seed"], int) for e in entries.values())
        bodies = {json.dumps(row.body, sort_keys=True) for row in recorded}
        assert all(any(f'"seed": {e["seed"]}' in body for body in bodies)
                   for e in entries.values())
    again = [run("batch", "jobs.jsonl", "-d", "batch"),
             run("grid", "sdxl", "a fox", "--x", "steps=4,8", "-d", "grid")]
    assert [r.exit_code for r in again] == [0, 0]
    assert _posts(gateway) == paid  # a batch or a grid run again pays for nothing
    assert len(rows()) == paid


def test_batch_and_grid_images_carry_the_seed_they_were_sent(gateway: Sandbox,
                                                            isolated: Path) -> None:
    (isolated / "jobs.jsonl").write_text('{"model": "inpaint", "prompt": "a", "image-url": '
                                         '"https://example.com/a.png", "mask-url": '
                                         '"https://example.com/m.png"}\n')
    assert run("batch", "jobs.jsonl", "-d", "b").exit_code == 0
    grid = run("grid", "lightning", "a fox", "--x", "steps=2,4", "--y", "guidance=1,2",
               "-d", "g", "--json")
    assert grid.exit_code == 0, grid.stderr
    sent = [body["seed"] for body in gateway.stats()["bodies"]]
    assert all(isinstance(seed, int) for seed in sent) and len(sent) == 5
    assert len(set(sent[1:])) == 1  # one seed for every cell: only the axes differ
    cells = sorted((isolated / "g").glob("cell-*.png"))
    assert {read(cell)["body"]["seed"] for cell in cells} == {sent[1]}


def test_identical_batch_lines_get_their_own_seed_and_keep_it_on_a_rerun(
        gateway: Sandbox, isolated: Path) -> None:
    (isolated / "jobs.jsonl").write_text('{"model": "sdxl", "prompt": "twin"}\n' * 2)
    assert run("batch", "jobs.jsonl", "-d", "out").exit_code == 0
    seeds = [body["seed"] for body in gateway.stats()["bodies"]]
    assert len(set(seeds)) == 2  # two lines, two pictures
    (isolated / "out" / "pixazo-manifest.jsonl").rename(isolated / "old.jsonl")
    assert run("batch", "jobs.jsonl", "-d", "again").exit_code == 0
    assert sorted(body["seed"] for body in gateway.stats()["bodies"][2:]) == sorted(seeds)


def test_n_on_a_model_without_a_seed_records_one_row_per_request_and_its_cost(
        gateway: Sandbox, isolated: Path) -> None:
    result = run("sd35", "a paper boat", "-n", "3", "-d", "out")
    assert result.exit_code == 0, result.stderr
    recorded = rows()
    assert len(recorded) == 3
    assert all(row.status == "saved" and len(row.files) == 1 for row in recorded)
    assert {row.files[0]["path"] for row in recorded} == \
        {str(isolated / p) for p in _paths(result.stdout)}
    cost = run("history", "--cost", "--json")
    assert json.loads(cost.stdout.splitlines()[0])["cost_usd"] == 0.6


def test_n_names_and_prints_its_files_in_seed_order(gateway: Sandbox, isolated: Path) -> None:
    result = run("sdxl", "a fox", "-n", "4", "--seed", "40", "-d", "out")
    assert result.exit_code == 0, result.stderr
    paths = _paths(result.stdout)
    assert [p.rsplit("-", 1)[1] for p in paths] == ["1.png", "2.png", "3.png", "4.png"]
    assert [read(isolated / p)["body"]["seed"] for p in paths] == [40, 41, 42, 43]


def test_n_with_one_output_file_numbers_it(gateway: Sandbox, isolated: Path) -> None:
    result = run("sdxl", "a fox", "-n", "2", "--seed", "7", "-o", "fixed.png")
    assert result.exit_code == 0, result.stderr
    assert _paths(result.stdout) == ["fixed-1.png", "fixed-2.png"]
    assert [read(isolated / p)["body"]["seed"] for p in _paths(result.stdout)] == [7, 8]
    taken = run("sdxl", "a fox", "-n", "2", "--seed", "7", "-o", "fixed.png")
    assert taken.exit_code == 2 and "variation 1" in taken.stderr and "line" not in taken.stderr
    again = run("sdxl", "a fox", "-n", "2", "--seed", "7", "-o", "fixed.png", "--overwrite")
    assert again.exit_code == 0, again.stderr


def test_nucleus_n_asks_for_at_most_four_images_a_request(gateway: Sandbox,
                                                          isolated: Path) -> None:
    result = run("nucleus", "an owl", "-n", "6", "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert sorted(b["num_images"] for b in gateway.stats()["bodies"]) == [2, 4]
    paths = _paths(result.stdout)
    assert [p.rsplit("-", 1)[1] for p in paths] == [f"{n}.png" for n in range(1, 7)]
    assert len(rows()) == 2


def test_a_failed_fetch_never_rewrites_the_original_generation(gateway: Sandbox,
                                                               isolated: Path) -> None:
    assert run("sdxl", "a fox", "-d", "out").exit_code == 0
    gateway.set_faults(["download:404"])
    failed = run("fetch", "--last", "-d", "elsewhere")
    assert failed.exit_code == 8
    [row] = rows()
    assert (row.status, row.error, row.exit_code) == ("saved", None, 0)


def test_sandbox_rows_are_marked_and_cost_nothing(isolated: Path) -> None:
    assert run("--sandbox", "sd35", "a boat", "-n", "2", "-d", "out").exit_code == 0
    recorded = rows()
    assert len(recorded) == 2 and all(row.sandbox for row in recorded)
    assert {row.cost_usd for row in recorded} == {0.0}
    cost = run("history", "--cost")
    assert "$0.40" not in cost.stdout and "$0.20" not in cost.stdout


def test_a_served_sandbox_is_recorded_as_the_sandbox_too(key: str, isolated: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from pixazo_cli.sandbox import SandboxOptions, start

    with start(SandboxOptions(port=0, latency=0, quiet=True)) as served:
        monkeypatch.setenv("PIXAZO_BASE_URL", served.base_url)
        assert run("sd35", "a boat", "-d", "out").exit_code == 0
    [row] = rows()
    assert row.sandbox and row.cost_usd == 0.0


def _pixels(path: Path) -> bytes:
    from PIL import Image

    with Image.open(path) as image:
        return image.tobytes()


def test_fetch_of_a_sandbox_row_makes_the_image_again_for_free(isolated: Path) -> None:
    first = run("--sandbox", "sdxl", "a fox", "--seed", "3", "-d", "out")
    assert first.exit_code == 0
    again = run("fetch", "--last", "-d", "again")
    assert again.exit_code == 0, again.stderr
    assert "127.0.0.1" not in again.stderr and "localhost" not in again.stderr
    made = Path(again.stdout.strip())
    assert read(made)["body"]["seed"] == 3
    assert _pixels(isolated / made) == _pixels(isolated / first.stdout.strip())
    [row] = rows()  # the same paid request, completed; no second row
    assert row.status == "saved" and len(row.files) == 2


def test_the_resume_hint_of_an_interrupted_sandbox_job_works_as_printed(
        isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object, **__: object) -> object:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr("pixazo_cli.flow.generate.wait_for_job", interrupted)
        stopped = run("--sandbox", "nucleus", "an owl", "-d", "out")
    assert stopped.exit_code == 130
    hint = next(line for line in stopped.stderr.splitlines() if "pixazo " in line)
    command = hint[hint.index("pixazo ") + len("pixazo "):].split()
    resumed = run(*command, "-d", "out")
    assert resumed.exit_code == 0, resumed.stderr
    assert Path(isolated / resumed.stdout.strip()).is_file()


def test_replay_of_a_record_asking_many_images_needs_the_count_typed(
        gateway: Sandbox, isolated: Path) -> None:
    made = run("nucleus", "an owl", "-d", "out")
    assert made.exit_code == 0
    crafted = isolated / "crafted.png"
    record = read(isolated / made.stdout.strip())
    record["body"]["num_images"] = 40
    from pixazo_cli.record import embed

    with open(isolated / made.stdout.strip(), "rb") as src, open(crafted, "wb") as dst:
        embed(src, dst, record, "png")
    before = _posts(gateway)
    refused = run("replay", str(crafted), "-d", "r")
    assert refused.exit_code == 2 and "--num-images" in refused.stderr
    assert _posts(gateway) == before
    typed = run("replay", str(crafted), "--num-images", "2", "-d", "r")
    assert typed.exit_code == 0, typed.stderr


def test_a_bug_after_paying_is_never_exit_1(gateway: Sandbox, isolated: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def bug(*_: object, **__: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr("pixazo_cli.flow.generate.same_bytes", bug)
    monkeypatch.setattr("pixazo_cli.flow.generate.place", bug)
    result = run("sdxl", "a fox", "-d", "out", "--json")
    assert result.exit_code == 8, result.stderr
    assert json.loads(result.stdout)["urls"]  # the paid image's URL, to fetch it for free
    assert KEY not in result.stdout + result.stderr


def test_a_preview_that_cannot_decode_the_image_does_not_fail_the_command(
        gateway: Sandbox, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    def bomb(*_: object, **__: object) -> None:
        raise Image.DecompressionBombError("Image size (999999999 pixels) exceeds limit")

    monkeypatch.setattr("pixazo_cli.ui.preview._rich", bomb)
    monkeypatch.setattr("pixazo_cli.ui.preview._isatty", lambda _: True)
    monkeypatch.setenv("PIXAZO_PREVIEW", "halfblock")
    result = run("sdxl", "a fox", "-d", "out", "--preview")
    assert result.exit_code == 0, result.stderr
    assert "cannot show" in result.stderr and "Traceback" not in result.stderr
    shown = run("show", result.stdout.strip())
    assert "Traceback" not in shown.stderr


def test_a_batch_whose_history_write_fails_after_the_post_is_not_failed(
        gateway: Sandbox, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: object, *_: object, **__: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    (isolated / "jobs.jsonl").write_text('{"model": "sdxl", "prompt": "a"}\n')
    with monkeypatch.context() as patched:
        patched.setattr("pixazo_cli.history.store.History.update", full)
        result = run("batch", "jobs.jsonl", "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert manifest(isolated / "out")[-1]["status"] == "saved"
    assert run("batch", "jobs.jsonl", "-d", "out").exit_code == 0
    assert _posts(gateway) == 1
