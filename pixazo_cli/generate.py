"""The one generation flow every model shares: check, send, wait, download, save.

Commands parse flags into an ApiRequest and call `generate`; `resume` does the second half for
`pixazo status ID --wait`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .body import ApiRequest
from .download import Saved, check_folder, place
from .errors import GatewayError, Interrupted, SaveError
from .naming import DEFAULT_TEMPLATE, NameParts, check_template
from .session import Session
from .waiting import checked_urls, media_urls, resume_hint, wait_for_job

OnSaved = Callable[[Saved], None]


@dataclass(frozen=True)
class SaveOptions:
    out_dir: Path
    template: str | None = None  # None: the default, which picks a free name on collision
    overwrite: bool = False

    @property
    def name_template(self) -> str:
        return self.template or DEFAULT_TEMPLATE


@dataclass
class Outcome:
    model: str
    request_id: str | None = None
    status: str = "COMPLETED"
    request: ApiRequest | None = None
    files: list[Saved] = field(default_factory=list)


@contextmanager
def interruptible(message: str, hint: str | None) -> Iterator[None]:
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(message, hint=hint) from None


def generate(session: Session, request: ApiRequest, save: SaveOptions, wait: bool = True,
             on_saved: OnSaved | None = None) -> Outcome:
    model = request.model
    check_template(save.name_template)
    parts = NameParts(model.name, request.body.get("prompt", ""), _seed(request), datetime.now())
    check_folder(save.out_dir)
    _refuse_existing(request, save, parts)
    gateway = session.gateway()
    outcome = Outcome(model.name, request=request)
    with interruptible("Interrupted while the gateway was working on the request.",
                       "It may have been charged: check your Pixazo dashboard."), \
            session.ui.activity(model.name, "sending"):
        reply = gateway.submit(request)
    if not model.queued:
        outcome.request_id = _optional_id(reply.get("id"))
        urls = checked_urls([reply.get(model.url_field)], f"{model.name} ({request.path})")
    else:
        outcome.request_id = _request_id(reply)
        if not wait:
            outcome.status = "QUEUED"
            return outcome
        urls = _wait(session, outcome.request_id, model.name)
    outcome.files = _save_all(session, urls, parts, save, outcome.request_id, on_saved)
    return outcome


def resume(session: Session, request_id: str, save: SaveOptions,
           on_saved: OnSaved | None = None) -> Outcome:
    """Wait for a job submitted earlier and save its images like the submitting command would."""
    check_template(save.name_template)
    check_folder(save.out_dir)
    gateway = session.gateway()
    urls = _wait(session, request_id, "nucleus", gateway)
    parts = NameParts("nucleus", request_id, None, datetime.now())
    files = _save_all(session, urls, parts, save, request_id, on_saved)
    return Outcome("nucleus", request_id=request_id, files=files)


def _wait(session: Session, request_id: str, label: str, gateway: Any = None) -> list[str]:
    gateway = gateway or session.gateway()
    with interruptible(f"Stopped waiting for {request_id}; the job goes on at the gateway.",
                       resume_hint(request_id)), session.ui.activity(label, "QUEUED") as act:
        final = wait_for_job(gateway, request_id, act.status)
    return media_urls(final, request_id)


def _save_all(session: Session, urls: list[str], parts: NameParts, save: SaveOptions,
              request_id: str | None, on_saved: OnSaved | None) -> list[Saved]:
    downloader = session.downloader()
    files: list[Saved] = []
    hint = resume_hint(request_id) if request_id and parts.model == "nucleus" else None
    for index, url in enumerate(urls, start=1):
        with interruptible("Interrupted while downloading; nothing partial was left.", hint), \
                session.ui.activity(parts.model, f"downloading {index}/{len(urls)}"):
            fetched = downloader.fetch(url, save.out_dir)
        name = parts.render(save.name_template, index, fetched.ext, request_id)
        path = place(fetched, save.out_dir / name, save.overwrite, find_free=save.template is None)
        saved = Saved(path, url, fetched.size, fetched.sha256)
        files.append(saved)
        if on_saved:
            on_saved(saved)
    return files


def _refuse_existing(request: ApiRequest, save: SaveOptions, parts: NameParts) -> None:
    """Where the names are known before the request, a taken one stops us before paying."""
    if save.overwrite or save.template is None or "{request_id}" in save.template:
        return
    ext = _expected_ext(request)
    for index in range(1, request.expected_images + 1):
        path = save.out_dir / parts.render(save.template, index, ext, None)
        if path.exists():
            raise SaveError(f"{path} already exists; nothing was sent.",
                            hint="Pass --overwrite to replace it, or choose another --name.")


def _expected_ext(request: ApiRequest) -> str:
    fmt = str(request.body.get("output_format") or request.model.default_format)
    return "jpg" if fmt == "jpeg" else fmt


def _seed(request: ApiRequest) -> int | None:
    seed = request.body.get("seed")
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else None


def _request_id(reply: dict[str, Any]) -> str:
    request_id = reply.get("request_id")
    if not isinstance(request_id, str) or not request_id.strip():
        raise GatewayError("The gateway accepted the job but its reply has no request_id.",
                           hint="It may have been charged: check your Pixazo dashboard.")
    return request_id


def _optional_id(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
