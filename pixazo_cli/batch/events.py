"""What a batch tells whoever shows it: the flow's own events for each job, plus the batch's
(a job started, was skipped, finished or failed, a message, the closing summary)."""

from __future__ import annotations

from typing import Any

from pixazo_cli.batch.jobfile import BatchJob
from pixazo_cli.flow.events import Fanout, FlowEvents


class BatchEvents(FlowEvents):
    """Every hook a no-op; the terminal's view overrides them."""

    def __enter__(self) -> BatchEvents:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def say(self, message: str) -> None:
        """A message for people (stderr)."""

    def started(self, job: BatchJob) -> None:
        """A job begins: it will send, poll or download."""

    def skipped(self, line: int, entry: dict[str, Any]) -> None:
        """The job on this line had its images saved by an earlier run (its manifest entry)."""

    def done(self, job: BatchJob, entry: dict[str, Any]) -> None:
        """A job's images are saved."""

    def failed(self, job: BatchJob, entry: dict[str, Any]) -> None:
        """A job ended in an error, recorded in its manifest entry."""

    def halted(self) -> None:
        """Ctrl-C or SIGTERM: no new work of any kind; what is in flight finishes."""

    def summary(self) -> None:
        """The batch is over."""


class BatchFanout(Fanout, BatchEvents):
    """Several batch listeners as one (the terminal's view, a CI service's report…)."""

    listeners: list[BatchEvents]  # type: ignore[assignment]

    def __init__(self, *listeners: BatchEvents) -> None:
        super().__init__(*listeners)

    def __enter__(self) -> BatchFanout:
        for listener in self.listeners:
            listener.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        for listener in reversed(self.listeners):
            listener.__exit__(*exc)

    def say(self, message: str) -> None:
        self.listeners[0].say(message)  # a message is shown once, by the first listener

    def started(self, job: BatchJob) -> None:
        for listener in self.listeners:
            listener.started(job)

    def skipped(self, line: int, entry: dict[str, Any]) -> None:
        for listener in self.listeners:
            listener.skipped(line, entry)

    def done(self, job: BatchJob, entry: dict[str, Any]) -> None:
        for listener in self.listeners:
            listener.done(job, entry)

    def failed(self, job: BatchJob, entry: dict[str, Any]) -> None:
        for listener in self.listeners:
            listener.failed(job, entry)

    def halted(self) -> None:
        for listener in self.listeners:
            listener.halted()

    def summary(self) -> None:
        for listener in self.listeners:
            listener.summary()
