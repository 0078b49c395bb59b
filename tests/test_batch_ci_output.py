"""A batch in a CI log: progress lines without a terminal, GitHub Actions annotations and a
step summary, and exit codes that do not call skipped lines a success."""

from __future__ import annotations

import re
from pathlib import Path

from pixazo_cli.sandbox import Sandbox
from pixazo_cli.sinks.ci import error_command, escape_data, escape_property
from pixazo_cli.ui.ci import Heartbeat
from tests.batch_ci_support import gateway, line, sdxl_lines, write  # noqa: F401
from tests.conftest import FakeClock, run


def test_workflow_command_escaping_follows_githubs_rules() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert error_command("bad: x, y\nz", "dir/a,b:c.jsonl", 7) == \
        "::error file=dir/a%2Cb%3Ac.jsonl,line=7::bad: x, y%0Az"
    assert error_command("no file", None, None) == "::error::no file"


def test_a_heartbeat_line_comes_every_10_seconds_of_the_clock() -> None:
    clock, lines = FakeClock(), []
    beat = Heartbeat(clock, lambda: lines.append(clock.now()))
    clock.sleep(9.9)
    assert not beat.tick()
    clock.sleep(0.1)
    assert beat.tick() and len(lines) == 1
    clock.sleep(5)
    assert not beat.tick()
    clock.sleep(5)
    assert beat.tick() and len(lines) == 2


def test_verbose_gives_one_line_per_finished_job_without_a_terminal(
        gateway: Sandbox, isolated: Path) -> None:  # noqa: F811
    result = run("batch", write(isolated, sdxl_lines(3)), "-d", "out", "-v")
    assert result.exit_code == 0, result.stderr
    finished = re.findall(r"^line \d: saved .* · progress: \d/3 jobs ended", result.stderr,
                          re.MULTILINE)
    assert len(finished) == 3


def test_invalid_lines_become_annotations_on_the_batch_file(actions: Path,
                                                            isolated: Path) -> None:
    name = write(isolated, sdxl_lines(2) + line("sdxl", "x", steps=99))
    result = run("batch", name, "-d", "out")
    assert result.exit_code == 2
    assert "::error file=jobs.jsonl,line=3::invalid line: --steps 99 is out of range" \
        in result.stderr
    assert "| line 3 | invalid: --steps 99" in actions.read_text()


def test_failed_jobs_become_annotations_and_every_job_a_summary_row(
        gateway: Sandbox, isolated: Path, actions: Path) -> None:  # noqa: F811
    gateway.set_faults(["job:failed*1"])
    name = write(isolated, line("nucleus", "fails") + sdxl_lines(2))
    result = run("batch", name, "-d", "out", "-j", "1")
    assert result.exit_code == 6
    [annotation] = [x for x in result.stderr.splitlines() if x.startswith("::error")]
    assert annotation.startswith("::error file=jobs.jsonl,line=1::Job ")
    assert annotation.endswith("(exit 6)")
    summary = actions.read_text()
    assert summary.startswith("earlier step\n")  # appended, never replaced
    assert "| job | status | file | request id |" in summary
    rows = [r for r in summary.splitlines() if r.startswith("| line")]
    assert [r.split(" | ")[0] for r in rows] == ["| line 1 (nucleus)", "| line 2 (sdxl)",
                                                 "| line 3 (sdxl)"]
    assert "failed: Job " in rows[0] and " | saved | out/sdxl-" in rows[1]
    assert "::error" not in result.stdout  # stdout keeps only results


def test_a_rerun_shows_already_saved_rows(gateway: Sandbox, isolated: Path,  # noqa: F811
                                          actions: Path) -> None:
    name = write(isolated, sdxl_lines(2))
    assert run("batch", name, "-d", "out").exit_code == 0
    assert run("batch", name, "-d", "out").exit_code == 0
    assert actions.read_text().count("| already saved |") == 2


def test_no_annotations_outside_github_actions(gateway: Sandbox,  # noqa: F811
                                               isolated: Path) -> None:
    name = write(isolated, sdxl_lines(1) + line("sdxl", "x", steps=99))
    result = run("batch", name, "-d", "out", "--skip-invalid")
    assert "::error" not in result.stderr


def test_skip_invalid_runs_the_rest_and_exits_2_saying_how_many(
        gateway: Sandbox, isolated: Path) -> None:  # noqa: F811
    name = write(isolated, sdxl_lines(2) + line("sdxl", "x", steps=99) + "{broken\n")
    result = run("batch", name, "-d", "out", "--skip-invalid")
    assert result.exit_code == 2
    assert len(result.stdout.splitlines()) == 2
    assert "2 invalid line(s) skipped" in result.stderr


def test_skip_invalid_yields_to_a_harder_failure(gateway: Sandbox,  # noqa: F811
                                                 isolated: Path) -> None:
    gateway.set_faults(["download:404*3"])
    name = write(isolated, sdxl_lines(1) + line("sdxl", "x", steps=99))
    assert run("batch", name, "-d", "out", "--skip-invalid").exit_code == 8


def test_batch_name_applies_to_lines_without_their_own(gateway: Sandbox,  # noqa: F811
                                                       isolated: Path) -> None:
    name = write(isolated, sdxl_lines(2) + line("sdxl", "own", seed=9, name="own-{seed}.{ext}"))
    result = run("batch", name, "-d", "out", "--name", "hero-{seed}.{ext}")
    assert result.exit_code == 0, result.stderr
    assert sorted(result.stdout.split()) == ["out/hero-1.png", "out/hero-2.png",
                                             "out/own-9.png"]


def test_a_bad_batch_name_is_refused_before_reading(isolated: Path) -> None:
    result = run("batch", write(isolated, sdxl_lines(1)), "--name", "{nope}.png")
    assert result.exit_code == 2 and "unknown placeholder(s): nope" in result.stderr
