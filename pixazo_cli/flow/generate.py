"""The one generation flow every model shares: check, send, wait, download, save.

The steps are separate functions so `batch` can compose them under its own scheduler;
`generate` is the single-command composition and `resume` serves `pixazo status ID --wait`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pixazo_cli.errors import (
    GenerationFailed,
    Interrupted,
    MaybeCharged,
    PixazoError,
    SaveError,
    UnknownRequest,
)
from pixazo_cli.flow.download import Downloader, Saved
from pixazo_cli.flow.events import FlowContext, FlowEvents
from pixazo_cli.flow.existing import collected_parts, recorded_in_place, same_bytes
from pixazo_cli.flow.files import place
from pixazo_cli.flow.inline import keep_image
from pixazo_cli.flow.naming import NameParts, SaveOptions, refuse_seed_placeholder
from pixazo_cli.flow.preflight import check_destination, name_parts, prepare
from pixazo_cli.flow.sidecar import sidecar_path
from pixazo_cli.flow.waiting import reply_urls, resume_hint, wait_for_job
from pixazo_cli.http.client import Gateway
from pixazo_cli.http.replies import Reply
from pixazo_cli.models.request import ApiRequest
from pixazo_cli.models.table import Model, dig
from pixazo_cli.version import user_agent


@dataclass
class Outcome:
    model: str
    request_id: str | None = None
    status: str = "COMPLETED"
    request: ApiRequest | None = None
    urls: list[str] | None = None  # known once the gateway has answered with them
    files: list[Saved] = field(default_factory=list)
    created: datetime | None = None  # when it was sent, for one read back from the history
    image: bytes | None = None  # an image the reply itself carried (a Stream endpoint's)

    @property
    def sources(self) -> list[str | bytes]:
        """What save_all writes: each URL to download, or the image that came in the reply."""
        if self.urls:
            return list(self.urls)
        return [] if self.image is None else [self.image]


@contextmanager
def interruptible(message: str, hint: str | None) -> Iterator[None]:
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(message, hint=hint) from None


@contextmanager
def reporting(events: FlowEvents, outcome: Outcome) -> Iterator[None]:
    """Tell the listeners how a request ended when it ends in an error."""
    try:
        yield
    except PixazoError as error:
        error.paid_for(outcome.request_id, outcome.urls)  # a failure after paying names it
        events.finished(outcome, error)
        raise
    except KeyboardInterrupt:
        events.finished(outcome, Interrupted("Interrupted."))
        raise


def generate(ctx: FlowContext, request: ApiRequest, save: SaveOptions,
             wait: bool = True) -> Outcome:
    model = request.model
    parts = name_parts(request)
    prepare(request, save, parts)
    gateway = ctx.gateway()
    with interruptible("Interrupted while the gateway was working on the request.",
                       "It may have been charged: check your Pixazo dashboard."), \
            ctx.events.stage(model.name, "sending"):
        outcome = submit(gateway, request, ctx.events)
    if outcome.urls is None and not wait:
        ctx.events.finished(outcome, None)
        return outcome
    with reporting(ctx.events, outcome):
        if outcome.urls is None:
            outcome.urls = _wait_after_paying(ctx, gateway, request, outcome.request_id or "")
        outcome.files = _save_with_activity(ctx, outcome, parts, save, model.queued)
    ctx.events.finished(outcome, None)
    return outcome


def resume(ctx: FlowContext, model: Model, request_id: str, save: SaveOptions,
           known: Outcome | None = None) -> Outcome:
    """Wait for a job submitted earlier and save its images like the submitting command would.
    One `known` from the history brings its prompt, body and URLs (if any: then no wait)."""
    check_destination(save)
    refuse_seed_placeholder(save.name_template, model.name, model.seed_field is not None)
    outcome = known or Outcome(model.name, request_id=request_id)
    with reporting(ctx.events, outcome):
        if outcome.urls is None:
            # Known from the history, the request says how many images may come back.
            expected = outcome.request.expected_images if outcome.request else None
            outcome.urls = _wait(ctx, ctx.gateway(), model, request_id, expected)
        outcome.files = _save_with_activity(ctx, outcome, collected_parts(outcome), save,
                                            model.queued)
    ctx.events.finished(outcome, None)
    return outcome


def submit(gateway: Gateway, request: ApiRequest,
           events: FlowEvents | None = None) -> Outcome:
    """Send the paid request; a sync model's reply has the URLs, a queued one's the request id."""
    events = events or FlowEvents()
    model = request.model
    outcome = Outcome(model.name, request=request)
    events.sending(request)
    with reporting(events, outcome):
        reply = gateway.submit(request)
        if model.queued:
            outcome.request_id = _request_id(reply, model)
            outcome.status = "QUEUED"
        else:
            outcome.request_id = _optional_id(dig(reply.data, model.id_at))
            _check_sync_status(reply, model, outcome.request_id)
            if reply.image is not None:
                outcome.urls, outcome.image = [], reply.image
            else:
                outcome.urls = reply_urls(reply, model, model.name, request.expected_images,
                                          outcome.request_id)
    events.answered(outcome)
    return outcome


def save_all(downloader: Downloader, outcome: Outcome, parts: NameParts, save: SaveOptions,
             events: FlowEvents | None = None,
             progress: Callable[[int, int], None] | None = None) -> list[Saved]:
    sources = outcome.sources
    record = generation_record(outcome)  # one record: the file and its sidecar agree
    known, files = list(outcome.files), []
    for index, source in enumerate(sources, start=1):
        if progress:
            progress(index, len(sources))
        url = source if isinstance(source, str) else ""  # "": the image came in the reply
        kept = recorded_in_place(known, url, save.out_dir) if save.reuse and url else None
        if kept is not None:
            files.append(kept)
            if events:
                events.saved(outcome, kept)
            continue
        fetched = downloader.fetch(url, save.out_dir, record) if url else \
            keep_image(bytes(source), save.out_dir, record)
        try:
            found = same_bytes(fetched, save.out_dir) if save.reuse else None
            name = parts.render(save.template_for(len(sources)), index, fetched.ext,
                                outcome.request_id)
            path = found or place(fetched, save.out_dir / name, save.overwrite,
                                  find_free=save.template is None, other_name=save.other_name)
        finally:
            fetched.tmp.unlink(missing_ok=True)  # already gone once placed
        saved = Saved(path, url, fetched.size, fetched.sha256)
        if save.sidecar:
            write_sidecar(path, record, saved, save.overwrite)
        files.append(saved)
        if events:
            events.saved(outcome, saved)
    outcome.status = "COMPLETED"
    return files


def generation_record(outcome: Outcome) -> dict[str, Any]:
    """What produced an image, embedded in the file so `inspect` and `replay` can use it.
    Headers stay out: a webhook URL often carries a token, and images get shared."""
    request = outcome.request
    return {
        "tool": user_agent(),
        "model": outcome.model,
        "endpoint": request.path if request else None,
        "body": request.body if request else None,
        "request_id": outcome.request_id,
        "created": (outcome.created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def write_sidecar(path: Path, record: dict[str, Any], saved: Saved,
                  overwrite: bool = False) -> None:
    import json

    from pixazo_cli.scrub import scrub_data

    data = {**record, "file": {"name": path.name, "bytes": saved.bytes, "sha256": saved.sha256,
                               "url": saved.url}}
    sidecar = sidecar_path(path)
    text = json.dumps(scrub_data(data), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    # Never through a symlink, never over a file unless --overwrite said so.
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | \
        (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        fd = os.open(sidecar, flags, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise SaveError(f"{sidecar} already exists; the image was saved as {path}.",
                        hint="Pass --overwrite to replace it.") from None
    except OSError as exc:
        raise SaveError(f"Cannot write {sidecar}: {exc.strerror or exc}.") from None


def _save_with_activity(ctx: FlowContext, outcome: Outcome, parts: NameParts,
                        save: SaveOptions, queued: bool) -> list[Saved]:
    hint = resume_hint(outcome.request_id) if outcome.request_id and queued else None
    with interruptible("Interrupted while downloading; nothing partial was left.", hint), \
            ctx.events.stage(parts.model, f"downloading 1/{len(outcome.sources)}") \
            as status:
        return save_all(ctx.downloader(), outcome, parts, save, ctx.events,
                        progress=lambda i, n: status(f"downloading {i}/{n}"))


def _wait(ctx: FlowContext, gateway: Gateway, model: Model, request_id: str,
          expected: int | None = None) -> list[str]:
    with interruptible(f"Stopped waiting for {request_id}; the job goes on at the gateway.",
                       resume_hint(request_id)), ctx.events.stage(model.name, "QUEUED") as status:
        final = wait_for_job(gateway, request_id, status)
    return reply_urls(final, model, f"job {request_id}", expected, request_id)


def _wait_after_paying(ctx: FlowContext, gateway: Gateway, request: ApiRequest,
                       request_id: str) -> list[str]:
    """After a paid submit, a 404 on the poll is not "nothing was sent": the gateway took the
    job (and may have charged it) and now does not know it."""
    try:
        return _wait(ctx, gateway, request.model, request_id, request.expected_images)
    except UnknownRequest:
        raise MaybeCharged(
            f"The gateway accepted the job {request_id} but its status endpoint now says it "
            "does not know it (404).",
            hint=f"It may have been charged: check your Pixazo dashboard, or try again later "
            f"with `pixazo status {request_id}`.") from None


def _request_id(reply: Reply, model: Model) -> str:
    request_id = dig(reply.data, model.id_at)
    if not isinstance(request_id, str) or not request_id.strip():
        raise MaybeCharged(f"The gateway accepted the job (HTTP {reply.status}) but its reply "
                           "has no request_id.",
                           hint="It may have been charged: check your Pixazo dashboard.")
    return request_id


SYNC_SUCCESS = frozenset({"succeeded", "success", "completed"})


def _check_sync_status(reply: Reply, model: Model, request_id: str | None) -> None:
    """A sync reply that says it did not succeed (sd35's `status`) is a failed generation,
    never a silent download of whatever URL came with it."""
    status = dig(reply.data, model.status_at)
    if status is None or (isinstance(status, str) and status.lower() in SYNC_SUCCESS):
        return
    from pixazo_cli.scrub import plain

    shown = plain(str(status))[:80] if isinstance(status, str | int) else type(status).__name__
    which = f" (id {request_id})" if request_id else ""
    raise GenerationFailed(f"{model.name} answered with status {shown!r}{which}, not success.",
                           hint="Change the prompt or settings and try again.")


def _optional_id(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
