"""The batch manifest as a listener of the ledger (flow/ledger.py): each job's paid request
written in the same states the history uses, so a re-run knows what was paid for.

Before the POST the intent is written and made durable, and a failure there stops the request
unsent (a full disk must stop a batch before it pays). After the POST a failure to write is a
warning: the request went out, and losing its reply over a local file would be worse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pixazo_cli.batch.manifest import Manifest
from pixazo_cli.errors import PixazoError
from pixazo_cli.flow.download import Saved
from pixazo_cli.flow.events import FlowEvents
from pixazo_cli.flow.ledger import ANSWERED, QUEUED, SAVED, SENT, Outcome, settled


def file_entry(saved: Saved) -> dict[str, Any]:
    return {"path": saved.path.name, "bytes": saved.bytes, "sha256": saved.sha256,
            "url": saved.url}


def recorded_files(entry: dict[str, Any], folder: Path) -> list[Saved]:
    """The files a manifest entry lists, as the flow knows saved files."""
    return [Saved(folder / f["path"], f.get("url", ""), f.get("bytes", 0), f.get("sha256", ""))
            for f in entry.get("files") or [] if isinstance(f.get("path"), str)]


def error_entry(error: PixazoError) -> dict[str, Any]:
    return {"exit_code": error.exit_code, "message": error.message, "hint": error.hint}


def job_fields(outcome: Outcome) -> dict[str, Any]:
    """What every manifest line of a job says about where it came from."""
    request = outcome.request
    fields: dict[str, Any] = {"line": outcome.origin.batch_line, "model": outcome.model,
                              "ledger": outcome.ident}
    if request is not None:
        from pixazo_cli.batch.jobfile import canonical_hash

        fields.update(body_sha256=canonical_hash(request), seed=request.seed)
    return fields


def ended_fields(outcome: Outcome, error: PixazoError | None) -> dict[str, Any]:
    """A job's state once it ends, saved or not: what the manifest and the batch view show."""
    files = [file_entry(saved) for saved in outcome.files]
    if error is None:
        return {"status": SAVED, "files": files}
    state, maybe = settled(outcome, error)
    fields: dict[str, Any] = {"status": state, "error": error_entry(error),
                              "maybe_charged": maybe}
    if files:
        fields["files"] = files
    return fields


def shown_entry(outcome: Outcome, error: PixazoError | None) -> dict[str, Any]:
    """A job's entry as the batch view and its --json lines show it when it ends."""
    return {**job_fields(outcome), **ended_fields(outcome, error),
            "request_id": outcome.request_id, "urls": outcome.urls}


class ManifestRecorder(FlowEvents):
    def __init__(self, manifest: Manifest, warn: Callable[[str], None]) -> None:
        self.manifest = manifest
        self.warn = warn

    def sending(self, outcome: Outcome) -> None:
        key = self._key(outcome)
        if key is not None:  # raises: the request is not sent without its intent on disk
            self.manifest.record(key, durable=True, status=SENT, **job_fields(outcome))

    def answered(self, outcome: Outcome) -> None:
        state = QUEUED if outcome.urls is None and outcome.image is None else ANSWERED
        self._after_paying(outcome, status=state, request_id=outcome.request_id,
                           urls=outcome.urls, paid=True)

    def saved(self, outcome: Outcome, saved: Saved) -> None:
        self._after_paying(outcome, files=[file_entry(f) for f in outcome.files])

    def finished(self, outcome: Outcome, error: PixazoError | None) -> None:
        self._after_paying(outcome, **job_fields(outcome), **ended_fields(outcome, error))

    def _after_paying(self, outcome: Outcome, **fields: Any) -> None:
        key = self._key(outcome)
        if key is None:
            return
        try:
            self.manifest.record(key, **fields)
        except PixazoError as error:
            self.warn(f"line {outcome.origin.batch_line}: not recorded in the manifest: "
                      f"{error.message} The request itself goes on; a re-run may hold it back "
                      "as possibly charged.")

    @staticmethod
    def _key(outcome: Outcome) -> str | None:
        return outcome.origin.job
