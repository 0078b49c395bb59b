"""Taking a batch file in for a run, one line at a time: every line checked, this shard's jobs
picked, and each asked of the manifest what it needs. A job an earlier run saved is kept only
as its line number and key, so a re-run over 10,000 saved jobs holds almost nothing for them;
only the jobs with work left are kept whole."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixazo_cli.assets.options import AssetOptions, Layers
from pixazo_cli.batch.jobfile import BatchJob, InvalidLine, iter_jobs, refuse_invalid
from pixazo_cli.batch.manifest import Manifest
from pixazo_cli.batch.plan import Step, next_step
from pixazo_cli.batch.shards import ShardCounter


@dataclass
class SavedJobs:
    """The jobs an earlier run saved: their line numbers and manifest keys, and what to derive
    from their images (an index into the few distinct AssetOptions), nothing more."""

    lines: array[int] = field(default_factory=lambda: array("q"))
    keys: list[str] = field(default_factory=list)
    assets: array[int] = field(default_factory=lambda: array("I"))
    kinds: list[AssetOptions | None] = field(default_factory=lambda: [None])
    _kind: dict[AssetOptions | None, int] = field(default_factory=lambda: {None: 0})

    def add(self, job: BatchJob) -> None:
        self.lines.append(job.line)
        self.keys.append(job.key)
        if job.assets not in self._kind:
            self._kind[job.assets] = len(self.kinds)
            self.kinds.append(job.assets)
        self.assets.append(self._kind[job.assets])

    def find(self, line: int) -> int | None:
        """Where the job of this line is (lines come in the file's order), if saved."""
        at = bisect_left(self.lines, line)
        return at if at < len(self.lines) and self.lines[at] == line else None

    def assets_at(self, at: int) -> AssetOptions | None:
        return self.kinds[self.assets[at]]

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return zip(self.lines, self.keys, strict=True)


@dataclass
class Intake:
    todo: list[BatchJob] = field(default_factory=list)  # jobs with something left to do
    saved: SavedJobs = field(default_factory=SavedJobs)
    invalid: list[InvalidLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        """This shard's valid jobs."""
        return len(self.todo) + len(self.saved)

    @property
    def derives(self) -> bool:
        """Some job has assets to derive."""
        return len(self.saved.kinds) > 1 or any(job.assets for job in self.todo)

    def job_at(self, line: int) -> tuple[str, AssetOptions | None] | None:
        """The key and asset options of the job on this line (saved or to do)."""
        at = self.saved.find(line)
        if at is not None:
            return self.saved.keys[at], self.saved.assets_at(at)
        at = bisect_left(self.todo, line, key=lambda job: job.line)
        if at < len(self.todo) and self.todo[at].line == line:
            return self.todo[at].key, self.todo[at].assets
        return None


@dataclass(frozen=True)
class IntakeRules:
    default_model: str | None
    model_defaults: dict[str, dict[str, Any]]
    which: tuple[int, int] | None  # --shard I/N
    folder: Path  # where the images are saved
    resend_maybe_charged: bool = False
    skip_invalid: bool = False
    assets: Layers | None = None  # the asset values under each line's own


def take_in(lines: Iterable[str], manifest: Manifest, rules: IntakeRules) -> Intake:
    """Raises InvalidLines (nothing sent) unless --skip-invalid, as read_jobs does."""
    intake = Intake()
    counter = ShardCounter(rules.which[1]) if rules.which else None
    valid = 0
    for item in iter_jobs(lines, rules.default_model, rules.model_defaults, rules.assets):
        if isinstance(item, InvalidLine):
            intake.invalid.append(item)
            continue
        valid += 1
        if counter is None or counter.number(item) == rules.which[0]:  # type: ignore[index]
            _sort(intake, item, manifest, rules)
    refuse_invalid(intake.invalid, rules.skip_invalid, valid > 0)
    return intake


def _sort(intake: Intake, job: BatchJob, manifest: Manifest, rules: IntakeRules) -> None:
    step = next_step(job, manifest.get(job.key), rules.folder, rules.resend_maybe_charged)
    if step is Step.SKIP:
        intake.saved.add(job)
    else:
        intake.todo.append(job)
