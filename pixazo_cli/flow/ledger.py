"""One life cycle for every paid request, whatever sent it (a model command, -n, grid, batch,
replay) and whatever collects it later (fetch, status --wait).

An `Outcome` is one paid request's entry. Its `ident` is made with it and kept by every
listener, so the history row and the batch manifest entry of one request stay one request even
when the same body is sent several times. Listeners (flow/events.py) follow it through one set
of states, the same names in the history and the manifest:

    planned ─► sent ─► queued ─► answered ─► saved
                 │        │          │
                 ▼        ▼          └─ an error here leaves it answered: paid, not saved,
        failed (not charged),           and fetched again without paying
        or failed and maybe charged

`planned` is never written anywhere: a request becomes a record when it is about to be sent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from pixazo_cli.errors import (
    GatewayError,
    GenerationFailed,
    Interrupted,
    MaybeCharged,
    PixazoError,
    SaveError,
    UnusableReply,
)
from pixazo_cli.sinks.terminal import command_line

if TYPE_CHECKING:
    from pixazo_cli.flow.download import Saved
    from pixazo_cli.models.request import ApiRequest

SENT = "sent"  # the intent is recorded and the POST is going out; no reply yet
QUEUED = "queued"  # a queued model took it: its request id is known, its images are not
ANSWERED = "answered"  # the images are known (URLs, or the image in the reply)
SAVED = "saved"
FAILED = "failed"  # with maybe_charged when the gateway may have started it

MAX_IMAGES = 16  # images saved for one request, however many the gateway lists
MAX_REPLAYED_IMAGES = 4  # a record asks for more only when the user types --num-images


def new_ident() -> str:
    return os.urandom(16).hex()


@dataclass(frozen=True)
class Origin:
    """Where a paid request came from, as its records keep it."""

    batch_file: str | None = None
    batch_line: int | None = None
    job: str | None = None  # the batch manifest's key for it
    sandbox: bool = False  # answered by the sandbox: placeholders, nothing charged


@dataclass
class Outcome:
    model: str
    request_id: str | None = None
    status: str = "COMPLETED"  # as --json shows it: COMPLETED, or QUEUED (--no-wait)
    request: ApiRequest | None = None
    urls: list[str] | None = None  # known once the gateway has answered with them
    files: list[Saved] = field(default_factory=list)
    created: datetime | None = None  # when it was sent, for one read back from the history
    image: bytes | None = None  # an image the reply itself carried (a Stream endpoint's)
    ident: str = field(default_factory=new_ident)
    origin: Origin = field(default_factory=Origin)
    listed: int = 0  # image URLs the gateway listed; beyond MAX_IMAGES they are not kept
    sent: bool = False  # the POST went out (or was about to): from here on it may cost

    @classmethod
    def planned(cls, request: ApiRequest, origin: Origin | None = None) -> Outcome:
        return cls(request.model.name, request=request, origin=origin or Origin())

    @property
    def sources(self) -> list[str | bytes]:
        """What save_all writes: each URL to download, or the image that came in the reply."""
        if self.urls:
            return list(self.urls)
        return [] if self.image is None else [self.image]

    @property
    def answered(self) -> bool:
        return self.urls is not None or self.image is not None


def settled(outcome: Outcome, error: PixazoError) -> tuple[str, bool]:
    """The state a request is left in when it stops with `error`, and whether it may have
    been charged. What was paid for is never called failed: once its images are known the
    request stays answered (fetched again for free) unless all were saved; a queued job stays
    queued (collected later) unless the job itself failed."""
    if outcome.answered:
        done = bool(outcome.files) and len(outcome.files) >= len(outcome.sources)
        return (SAVED if done else ANSWERED), False
    if isinstance(error, UnusableReply):  # paid, and nothing to download: never resent blindly
        return FAILED, True
    request = outcome.request
    if outcome.request_id and request is not None and request.model.queued:
        if isinstance(error, MaybeCharged):  # the gateway took the job and then lost it
            return FAILED, True
        return (FAILED if isinstance(error, GenerationFailed) else QUEUED), False
    if outcome.request_id:  # a sync reply with an id but no usable image
        return FAILED, False
    return FAILED, outcome.sent and isinstance(error, MaybeCharged | Interrupted)


def after_sending(outcome: Outcome, exc: BaseException) -> PixazoError:
    """A bug (an unexpected exception) once the request went out must not lose what was paid:
    it is reported as what it may mean for the money, never as exit 1."""
    what = f"{type(exc).__name__}: {str(exc)[:200]}" if str(exc) else type(exc).__name__
    if outcome.answered:
        return SaveError(f"The request was paid for, but saving its images failed "
                         f"unexpectedly ({what}).", hint=fetch_hint(outcome))
    if outcome.request_id:  # the gateway took it: the job goes on there, collect it later
        return GatewayError(f"Following the job {outcome.request_id} failed unexpectedly "
                            f"({what}).", hint=fetch_hint(outcome))
    return MaybeCharged(f"Something unexpected went wrong after the request was sent ({what}).",
                        hint="It may have been charged: check your Pixazo dashboard, or "
                        "`pixazo history --pending`.")


def fetch_hint(outcome: Outcome) -> str:
    """How to get a paid request's images without paying again."""
    if outcome.request_id and not outcome.answered:
        return ("Collect it without paying again: "
                + command_line("pixazo", "status", outcome.request_id, "--wait"))
    ways = [command_line("pixazo", "fetch", outcome.request_id)] if outcome.request_id else []
    ways += [command_line("curl", "-fo", "FILE", url) for url in outcome.urls or []]
    if not ways:
        return "Check your Pixazo dashboard before sending it again."
    return "Get it without paying again: " + "; or ".join(ways)


def with_way_back(error: PixazoError, outcome: Outcome) -> PixazoError:
    """An image that was paid for and not saved is never left without the way to get it:
    every such error names the URLs and a command that fetches them without paying."""
    error.paid_for(outcome.request_id, outcome.urls)
    if isinstance(error, SaveError) and outcome.urls and not error.way_back:
        error.way_back = True
        hint = fetch_hint(outcome)
        error.hint = f"{error.hint} {hint}" if error.hint else hint
    return error
