"""A batch as CI services show it (no rich here: a CI log is not a terminal).

- A heartbeat: without a terminal, one progress line at least every 10 s, so a long batch never
  looks hung in a log that only shows what was printed.
- GitHub Actions (GITHUB_ACTIONS=true): invalid lines and failed jobs as `::error` workflow
  commands that the runner turns into annotations on the batch file's lines, and a Markdown
  table of every job appended to $GITHUB_STEP_SUMMARY. Workflow commands go to stderr (the
  runner reads both streams), so stdout keeps carrying only results. How commands and cells
  are escaped is the CI sink's (pixazo_cli/sinks/ci.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from pixazo_cli.batch.events import BatchEvents
from pixazo_cli.batch.jobfile import BatchJob, InvalidLine
from pixazo_cli.http.clock import Clock
from pixazo_cli.sinks.ci import error_command, markdown_cell, workflow_command

HEARTBEAT_SECONDS = 10.0
MAX_SUMMARY_ROWS = 1000  # GitHub caps a step summary at 1 MiB


class Heartbeat:
    """Calls `emit` when `every` seconds (by the injectable clock) passed since the last line.
    A background thread checks once a real second; tests call tick() themselves."""

    def __init__(self, clock: Clock, emit: Callable[[], None],
                 every: float = HEARTBEAT_SECONDS) -> None:
        self.clock = clock
        self.emit = emit
        self.every = every
        self.last = clock.now()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> bool:
        if self.clock.now() - self.last < self.every:
            return False
        self.last = self.clock.now()
        self.emit()
        return True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="pixazo-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(1.0):  # real time only decides how often to look
            self.tick()


class GithubReport(BatchEvents):
    """Annotations for what failed, and the step summary's table of every job."""

    def __init__(self, err: Callable[[], TextIO], source: str, folder: Path,
                 summary_path: str | None) -> None:
        self.err = err
        self.file = None if source == "-" else source
        self.folder = folder
        self.summary_path = summary_path
        self.rows: list[tuple[int, str, str, str, str]] = []
        self.total = 0  # jobs this run was given; those without a row were not run
        self._lock = threading.Lock()

    def invalid(self, lines: list[InvalidLine]) -> None:
        self.refused(lines, "invalid line", "invalid")

    def refused(self, lines: list[InvalidLine], why: str, status: str) -> None:
        """Lines refused before anything was sent (invalid, or their file names clash)."""
        for bad in lines:
            self._annotate(f"{why}: {bad.message}", bad.line)
            self._row(bad.line, "", f"{status}: {bad.message}", "", "")

    def skipped(self, line: int, entry: dict[str, Any]) -> None:
        self._row(line, str(entry.get("model") or ""), self._saved(line, entry, "already saved"),
                  self._files(entry), entry.get("request_id") or "")

    def done(self, job: BatchJob, entry: dict[str, Any]) -> None:
        self._row(job.line, job.request.model.name, self._saved(job.line, entry, "saved"),
                  self._files(entry), entry.get("request_id") or "")

    def _saved(self, line: int, entry: dict[str, Any], status: str) -> str:
        """A saved job's status; where its assets could not be derived, annotated as well
        (the run's exit code is 8 for it, so the log says which line)."""
        errors = [f["derive_error"] for f in entry.get("files") or []
                  if isinstance(f.get("derive_error"), dict)]
        for error in errors:
            message = f"not derived: {error.get('message', '')} (exit {error.get('exit_code')})"
            self._annotate(message, line)
            status += f"; {message}"
        return status

    def failed(self, job: BatchJob, entry: dict[str, Any]) -> None:
        error = entry.get("error") or {}
        message = f"{error.get('message', 'failed')} (exit {error.get('exit_code', 1)})"
        self._annotate(message, job.line)
        self._row(job.line, job.request.model.name, f"failed: {message}", "",
                  entry.get("request_id") or "")

    def summary(self) -> None:
        """Appended to $GITHUB_STEP_SUMMARY. A file that cannot be written is a warning: the
        paid work is done and saved, and the exit code says how it went."""
        if not self.summary_path:
            return
        try:
            with open(self.summary_path, "a", encoding="utf-8") as handle:
                handle.write(self.markdown())
        except OSError as error:
            self._write(workflow_command(
                "warning", f"pixazo could not write the step summary to $GITHUB_STEP_SUMMARY "
                f"({self.summary_path}): {error.strerror or error}."))

    def markdown(self) -> str:
        rows = sorted(self.rows)
        shown = rows[:MAX_SUMMARY_ROWS]
        title = f"### pixazo batch {markdown_cell(self.file or '(stdin)')}\n\n"
        lines = ["| job | status | file | request id |", "|---|---|---|---|"]
        for line, model, status, files, request_id in shown:
            job = f"line {line}" + (f" ({model})" if model else "")
            lines.append("| " + " | ".join(map(markdown_cell, (job, status, files, request_id)))
                         + " |")
        notes = []
        if len(rows) > len(shown):
            notes.append(f"… and {len(rows) - len(shown)} more rows.")
        not_run = self.total - sum(1 for row in rows
                                   if not row[2].startswith(("invalid", "refused")))
        refused = any(row[2].startswith("refused") for row in rows)
        if not_run > 0:
            notes.append(f"{not_run} job(s) not run: " + (
                "the batch was refused before sending; give the lines above their own names, "
                "then run it again." if refused else "run the same batch again to continue."))
        return title + "\n".join(lines) + "\n" + "".join(f"\n{n}\n" for n in notes) + "\n"

    def _files(self, entry: dict[str, Any]) -> str:
        return " ".join(str(self.folder / f["path"]) for f in entry.get("files") or [])

    def _row(self, line: int, model: str, status: str, files: str, request_id: str) -> None:
        with self._lock:
            self.rows.append((line, model, status, files, request_id))

    def _annotate(self, message: str, line: int) -> None:
        self._write(error_command(message, self.file, line))

    def _write(self, command: str) -> None:
        """One of the tool's own workflow commands: straight to stderr, not through the sinks
        that keep every other line from being one."""
        stream = self.err()
        with self._lock:
            stream.write(command + "\n")
            stream.flush()
