"""The one generation flow every model shares: check, send, wait, download, save.

The steps are separate functions so `batch` can compose them under its own scheduler;
`generate` is the single-command composition and `resume` serves `pixazo status ID --wait`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pixazo_cli.errors import Interrupted, MaybeCharged, PixazoError, SaveError
from pixazo_cli.flow.download import Downloader, Saved, check_folder, place
from pixazo_cli.flow.existing import recorded_in_place, same_bytes
from pixazo_cli.flow.naming import DEFAULT_TEMPLATE, NameParts, check_template
from pixazo_cli.flow.session import Session
from pixazo_cli.flow.waiting import checked_urls, media_urls, resume_hint, wait_for_job
from pixazo_cli.http.client import Gateway, Reply
from pixazo_cli.models.request import ApiRequest
from pixazo_cli.version import user_agent

OnSaved = Callable[[Saved], None]


@dataclass(frozen=True)
class SaveOptions:
    out_dir: Path
    template: str | None = None  # None: the default, which picks a free name on collision
    overwrite: bool = False
    sidecar: bool = False
    reuse: bool = False  # fetching again: a file already saved with the same bytes is kept

    @property
    def name_template(self) -> str:
        return self.template or DEFAULT_TEMPLATE


@dataclass
class Outcome:
    model: str
    request_id: str | None = None
    status: str = "COMPLETED"
    request: ApiRequest | None = None
    urls: list[str] | None = None  # known once the gateway has answered with them
    files: list[Saved] = field(default_factory=list)
    created: datetime | None = None  # from the history: the record and names use it


@contextmanager
def reporting(events: Any, outcome: Outcome) -> Iterator[None]:
    """The listener hears how the request ended, however it ends."""
    try:
        yield
    except PixazoError as error:
        events.finished(outcome, error)
        raise
    events.finished(outcome, None)


@contextmanager
def interruptible(message: str, hint: str | None) -> Iterator[None]:
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(message, hint=hint) from None


def generate(session: Session, request: ApiRequest, save: SaveOptions, wait: bool = True,
             on_saved: OnSaved | None = None) -> Outcome:
    model = request.model
    parts = name_parts(request)
    prepare(request, save, parts)
    gateway = session.gateway()
    events = session.recorder()
    with reporting(events, Outcome(model.name, request=request)):
        with interruptible("Interrupted while the gateway was working on the request.",
                           "It may have been charged: check your Pixazo dashboard."), \
                session.ui.activity(model.name, "sending"):
            events.sending(request)
            outcome = submit(gateway, request)
        events.answered(outcome)
        if outcome.urls is None and not wait:
            return outcome
        _collect(session, gateway, outcome, parts, save, on_saved, events)
    return outcome


def resume(session: Session, outcome: Outcome, save: SaveOptions,
           on_saved: OnSaved | None = None, events: Any = None) -> Outcome:
    """Collect a generation sent earlier (`status ID --wait`, `fetch`): wait for a queued job
    unless its URLs are known, then save its images like the submitting command would."""
    _check_destination(save)
    events = events or session.recorder()
    gateway = session.gateway() if outcome.urls is None else None
    with reporting(events, outcome):
        _collect(session, gateway, outcome, outcome_parts(outcome), save, on_saved, events)
    return outcome


def _collect(session: Session, gateway: Gateway | None, outcome: Outcome, parts: NameParts,
             save: SaveOptions, on_saved: OnSaved | None, events: Any) -> None:
    if outcome.urls is None and gateway is not None:
        outcome.urls = _wait(session, gateway, outcome.request_id or "", outcome.model)
        events.answered(outcome)

    def saved(one: Saved) -> None:
        events.saved(outcome, one)
        if on_saved:
            on_saved(one)
    outcome.files = _save_with_activity(session, outcome, parts, save, saved)


def outcome_parts(outcome: Outcome) -> NameParts:
    """Names for a generation collected later: from its recorded prompt where known."""
    started = outcome.created.astimezone() if outcome.created else datetime.now()
    if outcome.request is None:
        return NameParts(outcome.model, outcome.request_id or "", None, started)
    return NameParts(outcome.model, str(outcome.request.body.get("prompt", "")),
                     _seed(outcome.request), started)


def name_parts(request: ApiRequest) -> NameParts:
    return NameParts(request.model.name, str(request.body.get("prompt", "")), _seed(request),
                     datetime.now())


def prepare(request: ApiRequest, save: SaveOptions, parts: NameParts) -> None:
    """Everything that can fail locally fails here, before anything is paid for."""
    _check_destination(save)
    _refuse_existing(request, save, parts)


def _check_destination(save: SaveOptions) -> None:
    check_template(save.name_template)
    check_folder(save.out_dir)


def submit(gateway: Gateway, request: ApiRequest) -> Outcome:
    """Send the paid request; a sync model's reply has the URL, a queued one's the request id."""
    model = request.model
    reply = gateway.submit(request)
    outcome = Outcome(model.name, request=request)
    if model.queued:
        outcome.request_id = _request_id(reply)
        outcome.status = "QUEUED"
    else:
        outcome.request_id = _optional_id(reply.get("id"))
        outcome.urls = checked_urls([reply.get(model.url_field)],
                                    f"{model.name} (HTTP {reply.status}, {model.url_field})")
    return outcome


def save_all(downloader: Downloader, outcome: Outcome, parts: NameParts, save: SaveOptions,
             on_saved: OnSaved | None = None,
             progress: Callable[[int, int], None] | None = None) -> list[Saved]:
    urls = outcome.urls or []
    record = generation_record(outcome)  # one record: the file and its sidecar agree
    known, files = list(outcome.files), []
    for index, url in enumerate(urls, start=1):
        if progress:
            progress(index, len(urls))
        kept = recorded_in_place(known, url, save.out_dir) if save.reuse else None
        if kept is not None:
            files.append(kept)
            if on_saved:
                on_saved(kept)
            continue
        fetched = downloader.fetch(url, save.out_dir, record)
        try:
            found = same_bytes(fetched, save.out_dir) if save.reuse else None
            name = parts.render(save.name_template, index, fetched.ext, outcome.request_id)
            path = found or place(fetched, save.out_dir / name, save.overwrite,
                                  find_free=save.template is None)
        finally:
            fetched.tmp.unlink(missing_ok=True)  # already gone once placed
        saved = Saved(path, url, fetched.size, fetched.sha256)
        if save.sidecar:
            write_sidecar(path, record, saved)
        files.append(saved)
        if on_saved:
            on_saved(saved)
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


def write_sidecar(path: Path, record: dict[str, Any], saved: Saved) -> None:
    import json

    data = {**record, "file": {"name": path.name, "bytes": saved.bytes, "sha256": saved.sha256,
                               "url": saved.url}}
    sidecar = path.with_suffix(".json")
    try:
        sidecar.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
    except OSError as exc:
        raise SaveError(f"Cannot write {sidecar}: {exc.strerror or exc}.") from None


def _save_with_activity(session: Session, outcome: Outcome, parts: NameParts,
                        save: SaveOptions, on_saved: OnSaved | None) -> list[Saved]:
    hint = resume_hint(outcome.request_id) if outcome.request_id and parts.model == "nucleus" \
        else None
    with interruptible("Interrupted while downloading; nothing partial was left.", hint), \
            session.ui.activity(parts.model, f"downloading 1/{len(outcome.urls or [])}") \
            as activity:
        return save_all(session.downloader(), outcome, parts, save, on_saved,
                        progress=lambda i, n: activity.status(f"downloading {i}/{n}"))


def _wait(session: Session, gateway: Gateway, request_id: str, label: str) -> list[str]:
    with interruptible(f"Stopped waiting for {request_id}; the job goes on at the gateway.",
                       resume_hint(request_id)), session.ui.activity(label, "QUEUED") as act:
        final = wait_for_job(gateway, request_id, act.status)
    return media_urls(final, request_id)


def _refuse_existing(request: ApiRequest, save: SaveOptions, parts: NameParts) -> None:
    """Where the names are known before the request, a taken one stops us before paying."""
    if save.overwrite:
        return
    for path in planned_paths(request, save, parts):
        if path.exists():
            raise SaveError(f"{path} already exists; nothing was sent.",
                            hint="Pass --overwrite to replace it, or choose another --name.")


def planned_paths(request: ApiRequest, save: SaveOptions, parts: NameParts) -> list[Path]:
    """The files a request will write, where a fixed template makes them known beforehand."""
    if save.template is None or "{request_id}" in save.template:
        return []
    fmt = str(request.body.get("output_format") or request.model.default_format)
    ext = "jpg" if fmt == "jpeg" else fmt
    return [save.out_dir / parts.render(save.template, index, ext, None)
            for index in range(1, request.expected_images + 1)]


def _seed(request: ApiRequest) -> int | None:
    seed = request.body.get("seed")
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else None


def _request_id(reply: Reply) -> str:
    request_id = reply.get("request_id")
    if not isinstance(request_id, str) or not request_id.strip():
        raise MaybeCharged(f"The gateway accepted the job (HTTP {reply.status}) but its reply "
                           "has no request_id.",
                           hint="It may have been charged: check your Pixazo dashboard.")
    return request_id


def _optional_id(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
