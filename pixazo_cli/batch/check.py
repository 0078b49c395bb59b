"""`pixazo batch FILE --check`: what a run would do and cost, from the file and the manifest
alone. Sends nothing and needs no key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pixazo_cli.batch.guards import SpendingGuard, SpendingLimit
from pixazo_cli.batch.jobfile import BatchJob, InvalidLine
from pixazo_cli.batch.manifest import MANIFEST_NAME, Manifest
from pixazo_cli.batch.plan import Step, name_clashes, next_step
from pixazo_cli.batch.shards import shard, shard_sizes
from pixazo_cli.errors import BalanceError, UsageError, most_severe
from pixazo_cli.flow.naming import SaveOptions


@dataclass
class CheckReport:
    jobs: int = 0  # in this shard
    invalid: int = 0
    new: int = 0
    already_saved: int = 0
    queued: int = 0  # resumed by request id: no new charge
    download_again: int = 0  # paid before, not saved yet: no new charge
    failed: int = 0  # failed before: sent again
    maybe_charged: int = 0  # held back unless --resend-maybe-charged
    paid_requests: int = 0
    priced_requests: int = 0
    cost: float = 0.0  # US dollars, for the priced requests only
    shard: str | None = None
    shard_sizes: list[int] = field(default_factory=list)
    clashes: list[str] = field(default_factory=list)
    over_limit: int = 0  # past --max-requests or --max-cost: the run stops before them
    limit: str | None = None  # the guard's words where it would stop the run
    skip_invalid: bool = False  # the run leaves invalid lines out instead of refusing

    @property
    def exit_code(self) -> int:
        """What the real run would end with: 2 when it refuses to start (clashing names,
        invalid lines without --skip-invalid); else the most severe of 4 (a spending limit
        stops it) and 2 (lines it skipped), as the run's own exit code is."""
        if self.clashes or self.invalid and not self.skip_invalid:
            return UsageError.exit_code
        return most_severe([BalanceError.exit_code if self.over_limit else 0,
                            UsageError.exit_code if self.invalid else 0])


def check_batch(all_jobs: list[BatchJob], invalid: list[InvalidLine],
                which: tuple[int, int] | None, folder: Path,
                save_for: Callable[[BatchJob], SaveOptions],
                resend_maybe_charged: bool = False,
                guard: SpendingGuard | None = None, skip_invalid: bool = False) -> CheckReport:
    jobs = shard(all_jobs, which)
    report = CheckReport(jobs=len(jobs), invalid=len(invalid), skip_invalid=skip_invalid)
    if which is not None:
        report.shard = f"{which[0]}/{which[1]}"
        report.shard_sizes = shard_sizes(all_jobs, which[1])
    guard = guard or SpendingGuard()
    with Manifest(folder / MANIFEST_NAME) as manifest:
        _count_steps(report, jobs, manifest, folder, resend_maybe_charged, guard)
        report.clashes = [str(clash) for clash in
                          name_clashes(jobs, lambda job: manifest.get(job.key), save_for)]
    report.paid_requests, report.cost = guard.requests, guard.spent / 100
    return report


def _count_steps(report: CheckReport, jobs: list[BatchJob], manifest: Manifest, folder: Path,
                 resend_maybe_charged: bool, guard: SpendingGuard) -> None:
    """Count each job's step in the report. The spending guard admits each request as the
    run's would, in the file's order (and counts what it admits: requests, cents); the run
    stops at the first it refuses."""
    for job in jobs:
        entry = manifest.get(job.key)
        step = next_step(job, entry, folder, resend_maybe_charged)
        _count(report, step, entry is not None and entry.get("status") == "failed")
        if step is not Step.SEND:
            continue
        try:
            if report.limit is None:
                guard.admit(job.request)
        except SpendingLimit as stop:
            report.limit = stop.message
        if report.limit is not None:
            report.over_limit += 1
        elif job.request.model.price_per_image is not None:
            report.priced_requests += 1


def _count(report: CheckReport, step: Step, failed_before: bool) -> None:
    if step is Step.SKIP:
        report.already_saved += 1
    elif step is Step.DOWNLOAD:
        report.download_again += 1
    elif step is Step.RESUME:
        report.queued += 1
    elif step is Step.HOLD:
        report.maybe_charged += 1
    elif failed_before:
        report.failed += 1
    else:
        report.new += 1
