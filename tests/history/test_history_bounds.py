"""What deletes obeys what it is told, and dates and numbers out of range are plain errors
(issue 20): `history --clear` keeps every filter it accepts and shows the rows first; no year
or id crashes; stored times sort by time for any year; a spending limit is compared exactly."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pixazo_cli.batch.guards import SpendingGuard, SpendingLimit
from pixazo_cli.history.db import default_path
from pixazo_cli.history.queries import parse_when
from pixazo_cli.history.store import stamp
from pixazo_cli.models.request import build_request
from pixazo_cli.models.table import MODELS
from pixazo_cli.sandbox import Sandbox
from tests.conftest import run
from tests.history.conftest import rows


def _made(sandbox: Sandbox) -> None:
    for args in (["sdxl", "a zebra"], ["sd3", "an owl"], ["sdxl", "a fox"]):
        assert run(*args, "-d", "out").exit_code == 0


@pytest.mark.parametrize(("filters", "left"), [
    (["--model", "sdxl"], {"an owl"}),
    (["--search", "zebra"], {"an owl", "a fox"}),
    (["--failed", "--search", "zebra"], {"a zebra", "an owl", "a fox"}),
    (["-n", "1"], {"a zebra", "an owl"}),
])
def test_clear_deletes_only_what_every_filter_selects(sandbox: Sandbox, isolated: Path,
                                                     filters: list[str], left: set[str]) -> None:
    _made(sandbox)
    result = run("history", "--clear", *filters, "-y")
    assert result.exit_code == 0, result.stderr
    assert {row.prompt for row in rows()} == left


def test_clear_lists_the_rows_before_deleting_them(sandbox: Sandbox, isolated: Path) -> None:
    _made(sandbox)
    result = run("history", "--clear", "--model", "sd3", "-y")
    listed, deleted = result.stderr.index("an owl"), result.stderr.index("Deleted 1")
    assert listed < deleted and "a zebra" not in result.stderr


def test_clear_without_a_terminal_needs_yes(sandbox: Sandbox, isolated: Path) -> None:
    _made(sandbox)
    result = run("history", "--clear", "--failed", "--search", "zebra")
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert len(rows()) == 3


def test_clear_with_cost_is_refused(sandbox: Sandbox, isolated: Path) -> None:
    _made(sandbox)
    assert run("history", "--clear", "--cost", "-y").exit_code == 2
    assert len(rows()) == 3


@pytest.mark.parametrize("when", ["99999999d", "0001-01-01", "9999-12-31T23:59:59",
                                  "999999999999h"])
def test_a_date_out_of_range_is_a_plain_exit_2(isolated: Path, when: str) -> None:
    for option in ("--since", "--before"):
        result = run("history", option, when)
        assert result.exit_code in (0, 2), result.stderr
        assert "Traceback" not in result.stderr
        if result.exit_code == 2:
            assert "out of range" in result.stderr


def test_stored_times_sort_by_time_for_every_year() -> None:
    moments = [datetime(year, 6, 1, tzinfo=UTC) for year in (5, 999, 1000, 2026)]
    assert sorted(map(stamp, moments)) == [stamp(m) for m in moments]
    assert stamp(moments[1]) == "0999-06-01 00:00:00"


def test_before_a_year_under_1000_matches_no_row_of_today(sandbox: Sandbox,
                                                          isolated: Path) -> None:
    _made(sandbox)
    assert parse_when("0999-06-01", "--before").startswith("0999-")
    listed = run("history", "--before", "0999-06-01")
    assert listed.exit_code == 0 and listed.stdout == ""
    assert run("history", "--clear", "--before", "0999-06-01", "-y").exit_code == 0
    assert len(rows()) == 3


@pytest.mark.parametrize("args", [["fetch", "99999999999999999999"],
                                  ["replay", "99999999999999999999"],
                                  ["history", "-n", "99999999999999999999"]])
def test_a_twenty_digit_number_is_no_crash(sandbox: Sandbox, isolated: Path,
                                           args: list[str]) -> None:
    _made(sandbox)
    result = run(*args)
    assert result.exit_code in (0, 2) and "Traceback" not in result.stderr
    assert "OverflowError" not in result.stderr


def test_max_cost_is_compared_exactly() -> None:
    guard = SpendingGuard(max_cost=0.59999)
    sd35 = build_request(MODELS["sd35"], "a boat", {})
    guard.admit(sd35)
    guard.admit(sd35)
    with pytest.raises(SpendingLimit, match=r"\$0\.59999"):
        guard.admit(sd35)  # $0.60 would pass the limit the user typed


def test_a_damaged_history_row_query_is_plain(sandbox: Sandbox, isolated: Path) -> None:
    _made(sandbox)
    conn = sqlite3.connect(default_path())
    conn.execute("DROP TABLE generations")  # another program mangled the file
    conn.close()
    result = run("history")
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_a_history_path_that_is_a_symlink_to_nothing_is_not_followed(
        sandbox: Sandbox, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "new.db"
    elsewhere.parent.mkdir()
    default_path().parent.mkdir(parents=True, exist_ok=True)
    default_path().symlink_to(elsewhere)
    result = run("sdxl", "a fox", "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert "the history is not recorded" in result.stderr
    assert not elsewhere.exists()
