"""What a batch shows: saved paths (or JSON lines) on stdout as they land; a progress bar on a
terminal's stderr (plain lines elsewhere); a summary at the end."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from pixazo_cli.batch.events import BatchEvents
from pixazo_cli.batch.jobfile import BatchJob
from pixazo_cli.flow.download import Saved
from pixazo_cli.flow.generate import Outcome
from pixazo_cli.ui.output import Ui, stderr_console


class BatchView(BatchEvents):
    def __init__(self, ui: Ui, total: int, json_out: bool, folder: Path,
                 invalid: int = 0) -> None:
        self.ui = ui
        self.invalid = invalid
        self.folder = folder
        self.total = total
        self.json_out = json_out
        self.counts = {"saved": 0, "skipped": 0, "failed": 0, "in flight": 0}
        self.failures: list[dict[str, Any]] = []
        self.started_at = time.monotonic()
        self._lock = threading.Lock()
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> BatchView:
        if self.ui.spinner_wanted():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(BarColumn(), MofNCompleteColumn(),
                                      TextColumn("{task.description}"), TimeRemainingColumn(),
                                      console=stderr_console(self.ui.err), transient=True,
                                      redirect_stdout=False, redirect_stderr=False)
            self._progress.start()
            self._task = self._progress.add_task(self._line(), total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def say(self, message: str) -> None:
        if self._progress is not None:
            self._progress.console.print(message, markup=False, highlight=False)
        else:
            self.ui.say(message)

    def started(self, job: BatchJob) -> None:
        with self._lock:
            self.counts["in flight"] += 1
        self._refresh(advance=0)

    def saved(self, outcome: Outcome, saved: Saved) -> None:
        if not self.json_out:
            with self._lock:
                self.ui.result_line(str(saved.path))

    def done(self, job: BatchJob, entry: dict[str, Any]) -> None:
        self._emit(entry)
        self._count("saved")

    def skipped(self, job: BatchJob, entry: dict[str, Any]) -> None:
        if not self.json_out:
            for file in entry.get("files", []):
                with self._lock:
                    self.ui.result_line(str(self.folder / file["path"]))
        self._emit({**entry, "skipped": True})
        self._count("skipped")

    def failed(self, job: BatchJob, entry: dict[str, Any]) -> None:
        self._emit(entry)
        with self._lock:
            self.failures.append(entry)
        error = entry["error"]
        self.say(f"line {job.line}: {error['message']}"
                 + (f"\n  Hint: {error['hint']}" if error.get("hint") else ""))
        self._count("failed")

    def summary(self) -> None:
        took = time.monotonic() - self.started_at
        c = self.counts
        not_run = self.total - c["saved"] - c["skipped"] - c["failed"]
        skipped = f", {self.invalid} invalid line(s) skipped" if self.invalid else ""
        self.ui.say(f"{self.total} jobs: {c['saved']} saved, {c['skipped']} already saved, "
                    f"{c['failed']} failed, {not_run} not run{skipped} ({took:.1f} s).")
        if self.failures and not self.ui.quiet:
            rows = [("line", "exit", "error")] + [
                (str(f.get("line", "?")), str(f["error"]["exit_code"]), f["error"]["message"])
                for f in sorted(self.failures, key=lambda f: f.get("line", 0))]
            width = [max(len(r[i]) for r in rows) for i in range(2)]
            for line, code, message in rows:
                self.ui.say(f"  {line:>{width[0]}}  {code:>{width[1]}}  {message}")

    def _emit(self, entry: dict[str, Any]) -> None:
        if self.json_out:
            with self._lock:
                self.ui.result_json(entry)

    def _count(self, outcome: str) -> None:
        """One job ended (saved, skipped or failed)."""
        with self._lock:
            self.counts[outcome] += 1
            if outcome != "skipped":
                self.counts["in flight"] = max(0, self.counts["in flight"] - 1)
        self._refresh(advance=1)

    def _refresh(self, advance: int) -> None:
        if self._progress is not None:
            with self._lock:
                self._progress.update(self._task, advance=advance, description=self._line())

    def _line(self) -> str:
        c = self.counts
        minutes = max((time.monotonic() - self.started_at) / 60, 1 / 60)
        rate = (c["saved"] + c["failed"]) / minutes
        return (f"saved {c['saved'] + c['skipped']} · failed {c['failed']} · "
                f"in flight {c['in flight']} · {rate:.0f}/min")
