"""Output rendering. stdout carries only results (paths or JSON) so scripts can pipe it;
everything for people (spinner, notices, traces) goes to stderr."""

from __future__ import annotations

import os
import shlex
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pixazo_cli.flow.events import FlowEvents, StatusUpdate
from pixazo_cli.models.table import KEY_HEADER
from pixazo_cli.sinks import stdio
from pixazo_cli.sinks.terminal import json_text, visible

if TYPE_CHECKING:
    from pixazo_cli.flow.generate import Outcome


def counted(count: int, noun: str) -> str:
    """'1 job', '2 jobs': every count in a message to people, so none says '1 jobs'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def dry_run_report(method: str, url: str, headers: dict[str, str],
                   body: dict[str, Any]) -> dict[str, Any]:
    """The request as it would be sent, key masked, plus a curl command that reads the key
    from the environment instead of spelling it out."""
    # The key header comes in on stdin from printf, a shell builtin, so the key is read from
    # the environment at run time and never appears in any process's argument list.
    curl = [f"printf '%s\\n' \"{KEY_HEADER}: $PIXAZO_API_KEY\" |",
            f"curl -X {method} {shlex.quote(url)}"]
    for name, value in headers.items():
        if name == KEY_HEADER:
            curl.append("-H @-")
        else:
            curl.append(f"-H {shlex.quote(f'{name}: {value}')}")
    curl.append(f"--data-raw {shlex.quote(json_text(body))}")
    return {"method": method, "url": url,
            "headers": {k: ("****" if k == KEY_HEADER else v) for k, v in headers.items()},
            "body": body, "curl": " \\\n  ".join(curl)}


def dry_run_text(report: dict[str, Any]) -> str:
    lines = [f"{report['method']} {report['url']}"]
    lines += [f"{name}: {value}" for name, value in report["headers"].items()]
    lines += ["", json_text(report["body"], indent=2), "",
              "# The same request with curl (the key comes from $PIXAZO_API_KEY):",
              report["curl"]]
    return "\n".join(lines)


ASSET_KEYS = ("derived", "placeholder", "html", "derive_error")  # assets/follow.py fields()


def outcome_json(outcome: Outcome,
                 assets: Mapping[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """A generation as --json prints it, the same for one command, each `-n` variation and
    each batch line: model, status, request id, endpoint, body, seed, headers, and each file's
    absolute path, URL, bytes and sha256, and what was derived from it (`assets`, by the
    file's absolute path: ASSET_KEYS)."""
    data: dict[str, Any] = {"model": outcome.model, "status": outcome.status}
    if outcome.request_id:
        data["request_id"] = outcome.request_id
    if outcome.request is not None:
        data["endpoint"] = outcome.request.path
        data["body"] = outcome.request.body
        if outcome.request.seed is not None:
            data["seed"] = outcome.request.seed
        if outcome.request.headers:
            data["headers"] = outcome.request.headers
    data["files"] = [{"path": str(f.path.absolute()), "url": f.url, "bytes": f.bytes,
                      "sha256": f.sha256, **(assets or {}).get(os.path.abspath(f.path), {})}
                     for f in outcome.files]
    return data


def derived_results(ui: Ui, original: Path, found: Mapping[str, Any], paths: bool) -> None:
    """What was derived from one original, on stdout after the original's path: its <picture>
    snippet (--html), else each derived file's path, beside the original's as it was shown."""
    if "html" in found:
        ui.result_line(found["html"].rstrip("\n"))
    elif paths:
        for made in found.get("derived") or []:
            ui.result_value(str(original.parent / Path(made["path"]).name))


def stderr_console(stream: TextIO) -> Any:
    """A rich console for the spinner or progress bar. stdout is never redirected into it:
    results printed while a bar runs must stay on stdout, where scripts read them."""
    from rich.console import Console

    return Console(file=stream, force_terminal=True)


class Activity:
    """What a running step shows: a spinner on a terminal, plain status lines elsewhere."""

    def __init__(self, ui: Ui, label: str) -> None:
        self.ui = ui
        self.label = label
        self.started = time.monotonic()
        self.last = ""
        self._progress: Any = None
        self._task: Any = None

    def status(self, text: str) -> None:
        if text == self.last:
            return
        self.last = text
        if self._progress is not None:
            self._progress.update(self._task,
                                  description=visible(f"{self.label} · {text}", newlines=False))
        else:
            self.ui.say(f"{self.label}: {text} ({time.monotonic() - self.started:.0f} s)")


class Ui(FlowEvents):
    """The terminal side of a command: results to stdout, everything else to stderr, and the
    flow's long steps as a spinner."""

    def __init__(self, quiet: bool = False, verbose: bool = False, json_mode: bool = False) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.json_mode = json_mode
        self.stdout_closed = False
        self.live: Any = None  # the spinner or progress bar on stderr, while one runs

    @property
    def err(self) -> TextIO:
        return sys.stderr  # looked up at each use: test runners swap the streams

    def say(self, message: str) -> None:
        if not self.quiet:
            stdio.emit(self.err, stdio.text(message))

    def notice(self, outcome: Any, message: str) -> None:
        self.say(message)

    def trace(self, message: str) -> None:
        if self.verbose:
            stdio.emit(self.err, stdio.text(f"[http] {message}"))

    def result_line(self, text: str) -> None:
        """The tool's own text on stdout (a report, a listing): line breaks kept."""
        self._result(stdio.text(text))

    def result_value(self, value: str) -> None:
        """One value a script reads (a path, an id, a URL): always one line."""
        self._result(stdio.value(value))

    def _result(self, line: str) -> None:
        if self.stdout_closed:
            return
        try:
            with self._live_cleared():
                stdio.emit(sys.stdout, line)
        except BrokenPipeError:
            # The reader left (`| head -1`): the work itself still finishes and is saved.
            self.stdout_closed = True
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (lives as long as the process)

    def result_bytes(self, data: bytes) -> None:
        """An image's bytes (-o -): stdout is the image, nothing else is written to it."""
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            self.stdout_closed = True

    @contextmanager
    def _live_cleared(self) -> Iterator[None]:
        """On a terminal stdout and stderr share the screen: take the spinner line away while a
        result is printed, or the path is glued to it (`⠋ sdxl · downloading 0:00:00fox.png`)."""
        live = self.live
        if live is None or not sys.stdout.isatty():
            yield
            return
        live.stop()  # transient: erases its line
        try:
            yield
        finally:
            live.start()

    def result_json(self, data: dict[str, Any]) -> None:
        self._result(stdio.json_line(data))

    def spinner_wanted(self) -> bool:
        return (not self.quiet and not os.environ.get("NO_COLOR")
                and os.environ.get("TERM") != "dumb" and self.err.isatty())

    @contextmanager
    def stage(self, label: str, status: str) -> Iterator[StatusUpdate]:
        with self.activity(label, status) as activity:
            yield activity.status

    @contextmanager
    def activity(self, label: str, first_status: str) -> Iterator[Activity]:
        activity = Activity(self, label)
        if not self.spinner_wanted():
            if not self.quiet:
                activity.status(first_status)
            yield activity
            return
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        # markup=False: a status the gateway sent is text, never [link=…] markup.
        with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False),
                      TimeElapsedColumn(),
                      console=stderr_console(self.err), transient=True,
                      redirect_stdout=False, redirect_stderr=False) as progress:
            activity._progress = progress
            activity._task = progress.add_task(visible(f"{label} · {first_status}",
                                                       newlines=False))
            activity.last = first_status
            self.live = progress
            try:
                yield activity
            finally:
                self.live = None
