"""--shard I/N follows each job's content: other lines never move a job between shards."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pixazo_cli.batch.jobfile import read_jobs
from pixazo_cli.batch.shards import shard, shard_numbers, shard_rate_limit
from pixazo_cli.sandbox import Sandbox
from tests.batch_ci_support import gateway, line, sdxl_lines, write  # noqa: F401
from tests.conftest import run

# A small vocabulary, so that random files hold identical lines too.
LINES = st.sampled_from([line("sdxl", f"p{n}", seed=n % 3) for n in range(6)]
                        + [line("sd35", "p0"), line("sdxl", "p0", seed=0, name="a.{ext}"),
                           "a plain prompt\n"])
FILES = st.lists(LINES, min_size=1, max_size=25)


def placed(lines: list[str], count: int) -> Counter[tuple[str, int]]:
    """Which shard each line of a file goes to, as a multiset of (line, shard)."""
    jobs, _ = read_jobs("".join(lines), "lightning", {})
    return Counter(zip((lines[j.line - 1] for j in jobs), shard_numbers(jobs, count),
                       strict=True))


@settings(max_examples=150, deadline=None)
@given(FILES, LINES, st.integers(min_value=0), st.integers(min_value=2, max_value=8))
def test_inserting_a_line_anywhere_moves_no_other_job(lines: list[str], new: str,
                                                      where: int, count: int) -> None:
    where %= len(lines) + 1
    before = placed(lines, count)
    after = placed(lines[:where] + [new] + lines[where:], count)
    added = after - before
    assert before <= after  # every job is still in the shard it was in
    assert sum(added.values()) == 1 and next(iter(added))[0] == new  # plus the new one


@settings(max_examples=150, deadline=None)
@given(st.lists(LINES, min_size=2, max_size=25), st.integers(min_value=0),
       st.integers(min_value=2, max_value=8))
def test_removing_a_line_moves_no_other_job(lines: list[str], which: int, count: int) -> None:
    which %= len(lines)
    before = placed(lines, count)
    after = placed(lines[:which] + lines[which + 1:], count)
    assert after <= before and sum((before - after).values()) == 1


@settings(max_examples=100, deadline=None)
@given(FILES, st.integers(min_value=1, max_value=8))
def test_every_job_lands_in_exactly_one_shard(lines: list[str], count: int) -> None:
    jobs, _ = read_jobs("".join(lines), "lightning", {})
    slices = [shard(jobs, (index, count)) for index in range(1, count + 1)]
    assert sorted(j.line for s in slices for j in s) == [j.line for j in jobs]


def test_identical_lines_stay_distinct_jobs_in_their_shards() -> None:
    jobs, _ = read_jobs(sdxl_lines(1) * 6, None, {})
    slices = [shard(jobs, (index, 3)) for index in (1, 2, 3)]
    assert sum(len(s) for s in slices) == 6
    assert len({job.key for job in jobs}) == 6


def test_the_line_name_template_is_part_of_a_jobs_content() -> None:
    plain = line("sdxl", "p", seed=1)
    named = [line("sdxl", "p", seed=1, name=f"n{k}.{{ext}}") for k in range(40)]
    jobs, _ = read_jobs(plain + "".join(named), None, {})
    assert len(set(shard_numbers(jobs, 4))) > 1  # same request, other names: spread out


@pytest.mark.parametrize(("count", "rate"), [(1, 60), (4, 15), (7, 8), (60, 1), (100, 1)])
def test_shards_share_the_gateways_60_a_minute(count: int, rate: int) -> None:
    assert shard_rate_limit(count) == rate


def test_the_startup_line_states_the_shards_share_of_the_rate_limit(
        gateway: Sandbox, isolated: Path) -> None:  # noqa: F811
    name = write(isolated, sdxl_lines(8))
    result = run("batch", name, "-d", "out", "--shard", "2/4")
    assert result.exit_code == 0, result.stderr
    assert "up to 15 paid requests a minute: the gateway's 60/min shared by 4 shards" \
        in result.stderr


def test_an_explicit_rate_limit_wins_over_the_shards_share(gateway: Sandbox,  # noqa: F811
                                                           isolated: Path) -> None:
    name = write(isolated, sdxl_lines(8))
    result = run("batch", name, "-d", "out", "--shard", "2/4", "--rate-limit", "40")
    assert result.exit_code == 0, result.stderr
    assert "up to 40 paid requests a minute." in result.stderr
    unsharded = run("batch", name, "-d", "all")
    assert "up to 60 paid requests a minute." in unsharded.stderr
