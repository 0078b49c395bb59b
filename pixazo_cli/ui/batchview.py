"""What a batch shows: saved paths (or JSON lines) on stdout as they land; a progress bar on a
terminal's stderr (plain lines elsewhere); a summary at the end."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

from pixazo_cli.batch.check import CheckReport
from pixazo_cli.batch.events import BatchEvents
from pixazo_cli.batch.jobfile import BatchJob
from pixazo_cli.flow.download import Saved
from pixazo_cli.flow.generate import Outcome
from pixazo_cli.http.clock import Clock
from pixazo_cli.models.request import ApiRequest
from pixazo_cli.sinks import stdio
from pixazo_cli.sinks.terminal import command_line
from pixazo_cli.ui.ci import Heartbeat
from pixazo_cli.ui.output import (
    ASSET_KEYS,
    Ui,
    counted,
    derived_results,
    outcome_json,
    stderr_console,
)


class BatchView(BatchEvents):
    def __init__(self, ui: Ui, total: int, json_out: bool, folder: Path,
                 invalid: int = 0, clock: Clock | None = None) -> None:
        self.ui = ui
        self.clock = clock
        self._heartbeat: Heartbeat | None = None
        self.invalid = invalid
        self.folder = folder
        self.total = total
        self.json_out = json_out
        self.counts = {"saved": 0, "skipped": 0, "failed": 0, "in flight": 0}
        # Paid and waiting at the gateway: batch line -> request id.
        self.queued: dict[int | None, str | None] = {}
        self.word = "line"  # what a job is called: a batch line, a -n variation
        self.show_paths = True  # False with --html: stdout carries the <picture> snippets only
        self.resumable = True  # a re-run collects queued jobs (not -n's: its manifest is scratch)
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
            self.ui.live = self._progress  # cleared while paths are printed
        elif not self.ui.quiet and self.clock is not None:
            # No terminal (a CI log): a plain progress line at least every 10 s.
            self._heartbeat = Heartbeat(self.clock, lambda: self.ui.say(self.progress_line()))
            self._heartbeat.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self.ui.live = None
            self._progress.stop()
        if self._heartbeat is not None:
            self._heartbeat.stop()

    def progress_line(self) -> str:
        c = self.counts
        ended = c["saved"] + c["skipped"] + c["failed"]
        return (f"progress: {ended}/{self.total} jobs ended ({c['saved']} saved, "
                f"{c['skipped']} already saved, {c['failed']} failed), "
                f"{c['in flight']} in flight")

    def say(self, message: str) -> None:
        if self._progress is not None:
            self._progress.console.print(stdio.text(message), markup=False, highlight=False)
        else:
            self.ui.say(message)

    def notice(self, outcome: Outcome, message: str) -> None:
        line = outcome.origin.batch_line
        self.say(f"{self.word} {line}: {message}" if line else message)

    def answered(self, outcome: Outcome) -> None:
        with self._lock:
            if outcome.urls is None and outcome.image is None:
                self.queued[outcome.origin.batch_line] = outcome.request_id
            else:
                self.queued.pop(outcome.origin.batch_line, None)

    def started(self, job: BatchJob) -> None:
        with self._lock:
            self.counts["in flight"] += 1
        self._refresh(advance=0)

    def saved(self, outcome: Outcome, saved: Saved) -> None:
        if not self.json_out and self.show_paths:
            with self._lock:
                self.ui.result_value(str(saved.path))

    def done(self, job: BatchJob, entry: dict[str, Any]) -> None:
        with self._lock:
            self.queued.pop(job.line, None)
        if self.json_out:
            self._emit(self._saved_json(entry, job.request))
        self._derived(entry)
        self._count("saved")
        if self.ui.verbose and self._progress is None:
            files = ", ".join(f["path"] for f in entry.get("files") or [])
            self.ui.say(f"line {job.line}: saved {files} · {self.progress_line()}")

    def skipped(self, line: int, entry: dict[str, Any]) -> None:
        if not self.json_out and self.show_paths:
            for file in entry.get("files", []):
                with self._lock:
                    self.ui.result_value(str(self.folder / file["path"]))
        self._derived(entry)
        if self.json_out:  # saved by an earlier run: its request is not held, only its line
            self._emit({**self._saved_json(entry, None), "skipped": True})
        self._count("skipped")

    def failed(self, job: BatchJob, entry: dict[str, Any]) -> None:
        with self._lock:
            self.queued.pop(job.line, None)  # counted as failed, whatever it left behind
        self._emit(entry)
        self._derived(entry)
        with self._lock:
            self.failures.append(entry)
        error = entry["error"]
        self.say(f"line {job.line}: {error['message']}"
                 + (f"\n  Hint: {error['hint']}" if error.get("hint") else ""))
        self._count("failed")
        if self.ui.verbose and self._progress is None:
            self.ui.say(f"line {job.line}: failed · {self.progress_line()}")

    def summary(self) -> None:
        took = time.monotonic() - self.started_at
        c = self.counts
        queued = len(self.queued)  # paid and queued when the batch stopped
        not_run = self.total - c["saved"] - c["skipped"] - c["failed"] - queued
        skipped = f", {self.invalid} invalid line(s) skipped" if self.invalid else ""
        later = "the next run collects them" if self.resumable else "collect them as said above"
        waiting = f", {queued} queued at the gateway ({later})" if queued else ""
        if not self.resumable:
            for line, request_id in sorted(self.queued.items(), key=lambda i: i[0] or 0):
                wait = command_line("pixazo", "status", request_id, "--wait")
                self.ui.say(f"{self.word} {line}: queued at the gateway; collect it without "
                            f"paying again: {wait}")
        jobs = counted(self.total, "job")
        self.ui.say(f"{jobs}: {c['saved']} saved, {c['skipped']} already saved, "
                    f"{c['failed']} failed{waiting}, {not_run} not run{skipped} ({took:.1f} s).")
        if self.failures and not self.ui.quiet:
            rows = [("line", "exit", "error")] + [
                (str(f.get("line", "?")), str(f["error"]["exit_code"]), f["error"]["message"])
                for f in sorted(self.failures, key=lambda f: f.get("line", 0))]
            width = [max(len(r[i]) for r in rows) for i in range(2)]
            for line, code, message in rows:
                self.ui.say(f"  {line:>{width[0]}}  {code:>{width[1]}}  {message}")

    def _derived(self, entry: dict[str, Any]) -> None:
        """What was derived from the job's files (batch/deriving.py put it in their entries),
        after the originals' paths: the derived paths, or the <picture> snippets."""
        if self.json_out:
            return
        for file in entry.get("files") or []:
            with self._lock:
                derived_results(self.ui, self.folder / file["path"], file, self.show_paths)

    def _saved_json(self, entry: dict[str, Any], request: ApiRequest | None) -> dict[str, Any]:
        """A saved job's line: the single command's fields (outcome_json: absolute paths, body,
        seed, what was derived), then the batch's own (line, job, status "saved")."""
        files = [Saved(self.folder / f["path"], f.get("url", ""), f["bytes"], f["sha256"])
                 for f in entry.get("files") or []]
        outcome = Outcome(str(entry.get("model") or (request.model.name if request else "")),
                          request_id=entry.get("request_id"), request=request, files=files)
        derived = {os.path.abspath(saved.path): {k: f[k] for k in ASSET_KEYS if k in f}
                   for saved, f in zip(files, entry.get("files") or [], strict=True)}
        shown = outcome_json(outcome, derived)
        return {**shown, **{key: value for key, value in entry.items() if key != "files"},
                "files": shown["files"]}

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


def check_text(report: CheckReport) -> str:
    """`batch --check`'s report, for people (stdout: it is what the command was asked for)."""
    r = report
    where = f" in shard {r.shard}" if r.shard else ""
    lines = [f"{counted(r.jobs, 'job')}{where}: {r.new} new, {r.already_saved} already saved, "
             f"{r.queued} queued (resumed, no new charge), {r.download_again} paid before and "
             f"downloaded again, {r.failed} failed before (sent again), {r.maybe_charged} may "
             "have been charged (not sent without --resend-maybe-charged)."]
    if r.invalid:
        lines.append(f"{r.invalid} invalid line(s): the run would skip them "
                     "(--skip-invalid) or refuse to start.")
    cost = f"${r.cost:.2f} for the {r.priced_requests} on models with a stated price"
    unpriced = r.paid_requests - r.priced_requests
    lines.append(f"Paid requests it would send: {r.paid_requests}; {cost}"
                 + (f", plus {unpriced} on models without one." if unpriced else "."))
    if r.shard_sizes:
        lines.append("Shard split: " + ", ".join(
            f"{n}/{len(r.shard_sizes)}: {size}" for n, size in enumerate(r.shard_sizes, 1)))
    if r.over_limit:
        left = counted(r.over_limit, "paid request")
        lines.append(f"A spending limit stops the run (exit 4) before {left}, left for a "
                     f"later run; it would say: {r.limit}")
    lines += [f"Would refuse: {problem}" for problem in r.clashes]
    lines.append("Nothing was sent.")
    return "\n".join(lines)
