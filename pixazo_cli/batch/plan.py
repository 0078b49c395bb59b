"""What a batch will do with each job, decided from the job and its manifest entry alone, so
that `--check` predicts exactly what a real run then does (both ask this module)."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

from pixazo_cli.batch.jobfile import BatchJob, InvalidLine
from pixazo_cli.batch.manifest import files_present
from pixazo_cli.errors import GenerationFailed, UsageError
from pixazo_cli.flow.ledger import ANSWERED, FAILED, SAVED, SENT
from pixazo_cli.flow.naming import SaveOptions
from pixazo_cli.flow.preflight import planned_paths
from pixazo_cli.flow.sidecar import sidecar_path, sidecar_taken


class Step(Enum):
    SKIP = "already saved"
    DOWNLOAD = "paid before, download again"  # costs nothing
    RESUME = "queued, poll again"  # costs nothing
    HOLD = "may have been charged"  # reported, not sent (unless --resend-maybe-charged)
    SEND = "send"  # a paid request


# The manifest's states are the ledger's (flow/ledger.py); older manifests wrote these names.
_OLDER_NAMES = {"sending": SENT, "submitted": ANSWERED}


def state_of(entry: dict[str, Any]) -> str | None:
    status = entry.get("status")
    return _OLDER_NAMES.get(status, status) if isinstance(status, str) else None


def was_sent(entry: dict[str, Any]) -> bool:
    """An earlier run sent this job's request (it may have cost money)."""
    return state_of(entry) not in (None, FAILED) or bool(entry.get("maybe_charged")) or \
        bool(entry.get("request_id") or entry.get("urls"))


def next_step(job: BatchJob, entry: dict[str, Any] | None, folder: Path,
              resend_maybe_charged: bool) -> Step:
    entry = entry or {}
    state = state_of(entry)
    if state == SAVED and files_present(entry, folder):
        return Step.SKIP
    if entry.get("urls"):
        return Step.DOWNLOAD  # paid before: fetch again, never pay again
    # A queued job that ended FAILED is submitted again, one the gateway forgot is held (it
    # may have cost); any other stop (a timeout, Ctrl-C) resumes polling.
    job_failed = (entry.get("error") or {}).get("exit_code") == GenerationFailed.exit_code
    if entry.get("request_id") and job.request.model.queued and not job_failed \
            and not entry.get("maybe_charged"):
        return Step.RESUME
    # sent: an earlier run wrote its intent and stopped before the reply was recorded.
    # answered without URLs: the gateway sent the image in its reply (a stream endpoint) and
    # saving it failed; no URL is left to fetch it again from.
    unsaved = (state == ANSWERED or entry.get("paid")) and not job_failed
    if (entry.get("maybe_charged") or state == SENT or unsaved) and not resend_maybe_charged:
        return Step.HOLD
    return Step.SEND


def hold_reason(entry: dict[str, Any]) -> str:
    """Why a HOLD job is not sent again."""
    if state_of(entry) == SENT:
        return ("an earlier run sent it and stopped before the gateway's reply was recorded, "
                "so it may have been charged")
    if state_of(entry) == ANSWERED or entry.get("paid"):
        return "an earlier run paid for it but could not save the image the reply carried"
    return "an earlier request for it may have been charged"


def name_clashes(jobs: list[BatchJob], entry_of: Callable[[BatchJob], dict[str, Any] | None],
                 save_for: Callable[[BatchJob], SaveOptions], word: str = "line") -> list[Clash]:
    """Fixed file names that are taken, or that two jobs share (or that derived files would
    share: hero.png and hero.jpg, or a.png's a-64x64.png and a line named so): they would
    fail only after the request was paid for. A name the job's own manifest entry recorded
    (saved by a run killed before it could say so) is its own, not a clash. `word` is what
    the user calls a job (a line, a variation)."""
    problems: list[Clash] = []
    owners: dict[Path, int] = {}
    planned: list[tuple[int, Path]] = []
    stems: dict[Path, int] = {}  # derived files are named from the original's stem
    for job in jobs:
        entry = entry_of(job) or {}
        if state_of(entry) == SAVED:
            continue
        save = save_for(job)
        for path in planned_paths(job.request, save, job.name_parts()):
            planned.append((job.line, path))
            stem = path.with_suffix("")
            if job.assets is not None and job.assets.makes_files:
                if stem in stems:
                    problems.append(Clash(job.line, f"{word}s {stems[stem]} and {job.line} "
                                          f"would make derived files of the same names "
                                          f"({stem.name}-…)"))
                stems.setdefault(stem, job.line)
            if path in owners:
                problems.append(Clash(job.line, f"{word}s {owners[path]} and {job.line} both "
                                      f"write {path}"))
            elif path.exists() and not save.overwrite and not own_file(entry, path):
                problems.append(Clash(job.line, f"{word} {job.line}: {path} already exists"))
            elif save.sidecar and sidecar_taken(path, save.overwrite):
                problems.append(Clash(job.line, f"{word} {job.line}: its sidecar "
                                      f"{sidecar_path(path)} is taken"))
            owners.setdefault(path, job.line)
    return problems + _named_as_derived(planned, stems, word)


def _named_as_derived(planned: list[tuple[int, Path]], stems: dict[Path, int],
                      word: str) -> list[Clash]:
    """Originals named as a derived file of another job's original may be the very name
    that derivation writes."""
    from pixazo_cli.assets.naming import source_stem

    problems: list[Clash] = []
    for line, path in planned:
        source = source_stem(path.name)
        deriver = stems.get(path.parent / source) if source else None
        if deriver is not None and deriver != line:
            problems.append(Clash(line, f"{word} {line}'s {path.name} is a name {word} "
                                  f"{deriver}'s derived files may take"))
    return problems


class Clash(InvalidLine):
    """A line whose file names clash: said as its message alone (which names the lines)."""

    def __str__(self) -> str:
        return self.message


class NameClashes(UsageError):
    """name_clashes' problems, refused before anything is sent; --overwrite is offered only
    where files exist (it cannot part two names)."""

    def __init__(self, clashes: list[Clash], word: str) -> None:
        rename = "Give each line its own \"name\"" if word == "line" else "Choose another name"
        taken = any("exists" in c.message or "sidecar" in c.message for c in clashes)
        super().__init__("File names clash; nothing was sent:\n  "
                         + "\n  ".join(map(str, clashes)),
                         hint=f"{rename}, or pass --overwrite." if taken else f"{rename}.")
        self.clashes = clashes


def own_file(entry: dict[str, Any], path: Path) -> bool:
    """`path` holds exactly a file the job's entry recorded (same name, same sha256)."""
    from pixazo_cli.flow.existing import sha256_of

    recorded = {f.get("path"): f.get("sha256") for f in entry.get("files") or []}
    return path.name in recorded and sha256_of(path) == recorded[path.name]
