"""The one generation flow every model shares: check, send, wait, download, save.

The steps are separate functions so `batch` can compose them under its own scheduler;
`generate` is the single-command composition and `resume` serves `pixazo status ID --wait`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
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
from pixazo_cli.flow.ledger import MAX_IMAGES, Outcome, after_sending, with_way_back
from pixazo_cli.flow.naming import NameParts, SaveOptions, refuse_seed_placeholder
from pixazo_cli.flow.preflight import check_destination, name_parts, prepare
from pixazo_cli.flow.sidecar import write_sidecar
from pixazo_cli.flow.waiting import reply_urls, resume_hint, wait_for_job
from pixazo_cli.http.client import Gateway
from pixazo_cli.http.replies import Reply
from pixazo_cli.models.table import Model, dig
from pixazo_cli.sinks.terminal import command_line
from pixazo_cli.version import user_agent

__all__ = ["Outcome", "generate", "resume", "save_all", "submit"]  # Outcome: from the ledger


@contextmanager
def interruptible(message: str, hint: str | None) -> Iterator[None]:
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(message, hint=hint) from None


@contextmanager
def reporting(events: FlowEvents, outcome: Outcome) -> Iterator[None]:
    """Tell the listeners how a request ended when it ends in an error. Once the request has
    gone out, even a bug is reported as what it means for the money, never as exit 1."""
    try:
        yield
    except PixazoError as error:
        with_way_back(error, outcome)  # a failure after paying names it, and how to fetch it
        events.finished(outcome, error)
        raise
    except KeyboardInterrupt:
        events.finished(outcome, Interrupted("Interrupted."))
        raise
    except Exception as exc:
        if not outcome.sent:
            raise
        error = with_way_back(after_sending(outcome, exc), outcome)
        events.finished(outcome, error)
        raise error from exc


def generate(ctx: FlowContext, outcome: Outcome, save: SaveOptions,
             wait: bool = True) -> Outcome:
    """Send one planned request, wait for it, save its images."""
    request = outcome.request
    assert request is not None
    model = request.model
    parts = name_parts(request)
    prepare(request, save, parts)
    gateway = ctx.gateway()
    with interruptible("Interrupted while the gateway was working on the request.",
                       "It may have been charged: check your Pixazo dashboard."), \
            ctx.events.stage(model.name, "sending"), reporting(ctx.events, outcome):
        submit(gateway, outcome, ctx.events)
    if outcome.urls is None and not wait:
        ctx.events.finished(outcome, None)
        return outcome
    with reporting(ctx.events, outcome):
        if outcome.urls is None:
            _wait_after_paying(ctx, gateway, outcome)
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
            _wait(ctx, ctx.gateway(), model, outcome)
        outcome.files = _save_with_activity(ctx, outcome, collected_parts(outcome), save,
                                            model.queued)
    ctx.events.finished(outcome, None)
    return outcome


def submit(gateway: Gateway, outcome: Outcome, events: FlowEvents | None = None) -> Outcome:
    """Send the paid request; a sync model's reply has the URLs, a queued one's the request id.
    The listeners hear `sending` once, right before the POST (after any limiter wait); how it
    ended is the caller's to report (`reporting`), once for the request's whole life."""
    events = events or FlowEvents()
    request = outcome.request
    assert request is not None
    model = request.model

    def before_send() -> None:
        if not outcome.sent:
            events.sending(outcome)  # may refuse (a write-ahead that cannot be written)
            outcome.sent = True

    reply = gateway.submit(request, before_send)
    if reply.sandbox and not outcome.origin.sandbox:  # a sandbox served at --base-url
        outcome.origin = replace(outcome.origin, sandbox=True)
    if model.queued:
        outcome.request_id = _request_id(reply, model)
        outcome.status = "QUEUED"
    else:
        outcome.request_id = _optional_id(dig(reply.data, model.id_at))
        _check_sync_status(reply, model, outcome.request_id)
        if reply.image is not None:
            outcome.urls, outcome.image = [], reply.image
        else:
            take_urls(outcome, reply, model, events)
    events.answered(outcome)
    return outcome


def take_urls(outcome: Outcome, reply: Reply, model: Model, events: FlowEvents) -> None:
    """The image URLs a reply lists (the POST's for a sync model, the status's for a queued
    one): every one is kept up to MAX_IMAGES, paid for as they are. More than were asked for
    is said, not refused: refusing would throw away images already paid for."""
    what = f"job {outcome.request_id}" if model.queued and outcome.request_id else model.name
    urls = reply_urls(reply, model, what, outcome.request_id)
    outcome.listed = len(urls)
    outcome.urls = urls[:MAX_IMAGES]
    asked = outcome.request.expected_images if outcome.request is not None else None
    if asked is not None and len(urls) > asked:
        which = f"request {outcome.request_id}" if outcome.request_id else "this request"
        events.notice(outcome, f"Warning: the gateway listed {len(urls)} images for {which}, "
                      f"which asked for {asked}; saving "
                      f"{min(len(urls), MAX_IMAGES)} under names that replace nothing.")


def _refuse_unkept(outcome: Outcome) -> None:
    """After saving the first MAX_IMAGES: more were listed, and they were not fetched."""
    if outcome.listed > MAX_IMAGES:
        which = f"request {outcome.request_id}" if outcome.request_id else "this request"
        raise GenerationFailed(
            f"The gateway listed {outcome.listed} images for {which}; the first {MAX_IMAGES} "
            "were saved and the rest were not fetched.",
            hint="Check your Pixazo dashboard for what was charged.")


def save_all(downloader: Downloader, outcome: Outcome, parts: NameParts, save: SaveOptions,
             events: FlowEvents | None = None,
             progress: Callable[[int, int], None] | None = None) -> list[Saved]:
    sources = outcome.sources
    if save.to_stdout and len(sources) != 1:  # before any download: the URLs stay the way back
        raise SaveError(f"The job made {len(sources)} images; -o - writes exactly one.")
    record = generation_record(outcome)  # one record: the file and its sidecar agree
    known, outcome.files = list(outcome.files), []  # filled as each lands: listeners see it
    asked = outcome.request.expected_images if outcome.request is not None else len(sources)
    for index, source in enumerate(sources, start=1):
        if progress:
            progress(index, len(sources))
        url = source if isinstance(source, str) else ""  # "": the image came in the reply
        kept = recorded_in_place(known, url, save.out_dir) if save.reuse and url else None
        if kept is not None:
            outcome.files.append(kept)
            if events:
                events.saved(outcome, kept)
            continue
        fetched = downloader.fetch(url, save.out_dir, record) if url else \
            keep_image(bytes(source), save.out_dir, record)
        try:
            found = same_bytes(fetched, save.out_dir) if save.reuse else None
            path = found or _place(fetched, parts, save, index, asked, outcome.request_id)
        finally:
            fetched.tmp.unlink(missing_ok=True)  # already gone once placed
        saved = Saved(path, url, fetched.size, fetched.sha256, save.to_stdout)
        outcome.files.append(saved)
        if events:
            events.saved(outcome, saved)
        if save.sidecar:  # the image is in place and recorded, whatever happens to its sidecar
            write_sidecar(path, record, saved, save.overwrite)
    outcome.status = "COMPLETED"
    _refuse_unkept(outcome)  # every path saves here: none says "done" with images left unfetched
    return outcome.files


def _place(fetched: Any, parts: NameParts, save: SaveOptions, index: int, asked: int,
           request_id: str | None) -> Path:
    """The images asked for get the names planned before paying. One the gateway added beyond
    them is saved too (it was paid for), beside the first under a name no planned name can be
    (`NAME-extra-K`: not the next -n variation's), and it never replaces a file."""
    if index <= asked:
        name = parts.render(save.template_for(asked), index, fetched.ext, request_id)
        return place(fetched, save.out_dir / name, save.overwrite,
                     find_free=save.template is None, other_name=save.other_name)
    first = Path(parts.render(save.template_for(asked), 1, fetched.ext, request_id))
    name = f"{first.stem}-extra-{index}.{fetched.ext}"
    return place(fetched, save.out_dir / name, overwrite=False, find_free=True)


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


def _save_with_activity(ctx: FlowContext, outcome: Outcome, parts: NameParts,
                        save: SaveOptions, queued: bool) -> list[Saved]:
    hint = resume_hint(outcome.request_id) if outcome.request_id and queued else None
    with interruptible("Interrupted while downloading; nothing partial was left.", hint), \
            ctx.events.stage(parts.model, f"downloading 1/{len(outcome.sources)}") \
            as status:
        return save_all(ctx.downloader(), outcome, parts, save, ctx.events,
                        progress=lambda i, n: status(f"downloading {i}/{n}"))


def _wait(ctx: FlowContext, gateway: Gateway, model: Model, outcome: Outcome) -> None:
    request_id = outcome.request_id or ""
    with interruptible(f"Stopped waiting for {request_id}; the job goes on at the gateway.",
                       resume_hint(request_id)), ctx.events.stage(model.name, "QUEUED") as status:
        final = wait_for_job(gateway, request_id, status)
    take_urls(outcome, final, model, ctx.events)


def _wait_after_paying(ctx: FlowContext, gateway: Gateway, outcome: Outcome) -> None:
    """After a paid submit, a 404 on the poll is not "nothing was sent": the gateway took the
    job (and may have charged it) and now does not know it."""
    assert outcome.request is not None
    try:
        _wait(ctx, gateway, outcome.request.model, outcome)
    except UnknownRequest:
        raise MaybeCharged(
            f"The gateway accepted the job {outcome.request_id} but its status endpoint now "
            "says it does not know it (404).",
            hint=f"It may have been charged: check your Pixazo dashboard, or try again later "
            f"with `{command_line('pixazo', 'status', outcome.request_id or '')}`.") from None


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
    from pixazo_cli.sinks.terminal import plain

    shown = plain(str(status))[:80] if isinstance(status, str | int) else type(status).__name__
    which = f" (id {request_id})" if request_id else ""
    raise GenerationFailed(f"{model.name} answered with status {shown!r}{which}, not success.",
                           hint="Change the prompt or settings and try again.")


def _optional_id(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
