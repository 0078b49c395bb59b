"""Waiting for a queued job: poll the status endpoint, quick at first, backing off toward the
vendor's advised 5-10 s, until the job ends or the command's deadline passes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pixazo_cli.errors import GatewayError, GenerationFailed, UnusableReply
from pixazo_cli.http.client import Gateway
from pixazo_cli.http.replies import Reply
from pixazo_cli.models.table import Model, dig
from pixazo_cli.sinks.terminal import command_line, plain

PENDING = frozenset({"QUEUED", "PROCESSING"})
FAILED = frozenset({"FAILED", "ERROR"})
COMPLETED = "COMPLETED"
FINAL_POLL_MARGIN = 0.5  # seconds before the deadline that the last poll goes out


@dataclass(frozen=True)
class PollSchedule:
    first: float = 0.25
    factor: float = 1.6
    cap: float = 5.0

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay
            delay = min(self.cap, delay * self.factor)


def resume_hint(request_id: str) -> str:
    return "Resume with: " + command_line("pixazo", "status", request_id, "--wait")


def wait_for_job(
    gateway: Gateway,
    request_id: str,
    on_status: Callable[[str], None],
    schedule: PollSchedule | None = None,
) -> Reply:
    """Poll until COMPLETED and return the final status reply; raise on failure or timeout."""
    delays = (schedule or PollSchedule()).delays()
    while True:
        reply, delay = poll_step(gateway, request_id, delays)
        if delay is None:
            return reply
        on_status(str(reply.get("status")))
        gateway.clock.sleep(delay)


def poll_step(gateway: Gateway, request_id: str,
              delays: Iterator[float]) -> tuple[Reply, float | None]:
    """One poll: (reply, None) once COMPLETED, else (reply, seconds until the next poll).
    Raises when the job failed, or when the next poll would come after the deadline."""
    reply = poll_once(gateway, request_id)
    if is_completed(reply, request_id):
        return reply, None
    # The last poll goes out just before the deadline (leaving it time to be answered),
    # rather than giving up as soon as the next regular poll would land past it.
    before_deadline = gateway.deadline.remaining() - FINAL_POLL_MARGIN
    if before_deadline <= 0:
        raise timed_out(gateway, request_id, str(reply.get("status")))
    return reply, min(next(delays), before_deadline)


def poll_once(gateway: Gateway, request_id: str) -> Reply:
    try:
        return gateway.status(request_id)
    except GatewayError as exc:
        raise GatewayError(exc.message, hint=resume_hint(request_id)) from None


def is_completed(reply: Reply, request_id: str) -> bool:
    """True when done, False while pending; a failed or unknown status raises."""
    status = reply.get("status")
    if status is not None and not isinstance(status, str):  # e.g. a list: never a crash
        raise GatewayError(f"The status reply for {request_id} (HTTP {reply.status}) has a "
                           f"status that is not text ({type(status).__name__}).",
                           hint=resume_hint(request_id))
    if status == COMPLETED:
        return True
    if status in FAILED:
        raise job_failed(request_id, status, reply.get("error"))
    if status not in PENDING:
        what = "has no status field" if status is None else \
            f"has an unknown status {plain(status)[:80]!r}"
        raise GatewayError(f"The status reply for {request_id} (HTTP {reply.status}) {what}.",
                           hint=resume_hint(request_id))
    return False


def timed_out(gateway: Gateway, request_id: str, status: str) -> GatewayError:
    # Polled up to the deadline: the time limit is the time taken, without rounding noise.
    return GatewayError(f"Timed out after {gateway.deadline.seconds:g} s; {request_id} is "
                        f"still {status} at the gateway.", hint=resume_hint(request_id))


def job_failed(request_id: str, status: str, error: Any) -> GenerationFailed:
    reason = f": {plain(str(error))[:300]}" if error else ""
    charged = " (ERROR jobs are not charged)" if status == "ERROR" else ""
    return GenerationFailed(f"Job {request_id} ended {status}{reason}{charged}.",
                            hint="Change the prompt or settings and try again.")


def reply_urls(reply: Reply, model: Model, what: str,
               request_id: str | None = None) -> list[str]:
    """Every image URL where the model table says this model's replies keep them (how many
    are kept is the ledger's rule: flow/generate.py take_urls)."""
    value = dig(reply.data, model.urls_at)
    urls = value if isinstance(value, list) else [value]
    checked = checked_urls(urls, f"{what} (HTTP {reply.status}, {model.urls_at})")
    return usable_urls(checked, request_id)


def checked_urls(urls: list[Any] | None, what: str) -> list[str]:
    """An empty or missing image URL is a failed generation, not a success."""
    if not urls or not all(isinstance(u, str) and u.strip() for u in urls):
        state = "missing" if not urls or None in urls else "empty"
        raise UnusableReply(f"The gateway reported success for {what} but gave no image "
                            f"URL (it is {state}).",
                            hint="It may have been charged: check your Pixazo dashboard.")
    return [u.strip() for u in urls]


def usable_urls(urls: list[str], request_id: str | None) -> list[str]:
    """After paying, an image URL no download can start from is a failed generation that
    names what was paid (exit 6), never a crash."""
    which = f"request {request_id}" if request_id else "this request (its reply has no id)"
    for url in urls:
        if not _fetchable(url):
            raise UnusableReply(f"The gateway's image URL for {which} is not an http(s) URL "
                                f"that can be fetched: {plain(url)[:120]!r}.",
                                hint="Check your Pixazo dashboard for what was charged.")
    return urls


def _fetchable(url: str) -> bool:
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return False
    # httpx takes "http://exa mple.com" and would look that name up: no URL has a space.
    return parsed.scheme in ("http", "https") and bool(parsed.host) and \
        not any(char.isspace() or ord(char) < 32 for char in url)
