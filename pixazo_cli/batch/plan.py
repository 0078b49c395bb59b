"""What a batch will do with each job, decided from the job and its manifest entry alone, so
that `--check` predicts exactly what a real run then does (both ask this module)."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

from pixazo_cli.batch.jobfile import BatchJob
from pixazo_cli.batch.manifest import SENDING, files_present
from pixazo_cli.errors import GenerationFailed
from pixazo_cli.flow.naming import SaveOptions
from pixazo_cli.flow.preflight import name_parts, planned_paths
from pixazo_cli.flow.sidecar import sidecar_path, sidecar_taken


class Step(Enum):
    SKIP = "already saved"
    DOWNLOAD = "paid before, download again"  # costs nothing
    RESUME = "queued, poll again"  # costs nothing
    HOLD = "may have been charged"  # reported, not sent (unless --resend-maybe-charged)
    SEND = "send"  # a paid request


def next_step(job: BatchJob, entry: dict[str, Any] | None, folder: Path,
              resend_maybe_charged: bool) -> Step:
    entry = entry or {}
    if entry.get("status") == "saved" and files_present(entry, folder):
        return Step.SKIP
    if entry.get("urls"):
        return Step.DOWNLOAD  # paid before: fetch again, never pay again
    # A queued job that ended FAILED is submitted again; any other stop resumes polling.
    job_failed = (entry.get("error") or {}).get("exit_code") == GenerationFailed.exit_code
    if entry.get("request_id") and job.request.model.queued and not job_failed:
        return Step.RESUME
    # SENDING: an earlier run wrote its intent and stopped before the reply was recorded.
    # paid without URLs: the gateway answered (an image in the reply itself, for a stream
    # endpoint) and saving it failed; no URL is left to fetch it again from.
    unsaved = entry.get("paid") and not job_failed
    if (entry.get("maybe_charged") or entry.get("status") == SENDING or unsaved) \
            and not resend_maybe_charged:
        return Step.HOLD
    return Step.SEND


def hold_reason(entry: dict[str, Any]) -> str:
    """Why a HOLD job is not sent again."""
    if entry.get("status") == SENDING:
        return ("an earlier run sent it and stopped before the gateway's reply was recorded, "
                "so it may have been charged")
    if entry.get("paid"):
        return "an earlier run paid for it but could not save the image the reply carried"
    return "an earlier request for it may have been charged"


def name_clashes(jobs: list[BatchJob], saved: Callable[[BatchJob], bool],
                 save_for: Callable[[BatchJob], SaveOptions]) -> list[str]:
    """Fixed file names that are taken, or that two lines share: they would fail only after
    the request was paid for."""
    problems: list[str] = []
    owners: dict[Path, int] = {}
    for job in jobs:
        if saved(job):
            continue
        save = save_for(job)
        for path in planned_paths(job.request, save, name_parts(job.request)):
            if path in owners:
                problems.append(f"lines {owners[path]} and {job.line} both write {path}")
            elif path.exists() and not save.overwrite:
                problems.append(f"line {job.line}: {path} already exists")
            elif save.sidecar and sidecar_taken(path, save.overwrite):
                problems.append(f"line {job.line}: its sidecar {sidecar_path(path)} is taken")
            owners.setdefault(path, job.line)
    return problems
