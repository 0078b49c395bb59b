"""The gateway's behaviour without the HTTP: each route takes headers and a body, gives a reply.

Order of checks on a model POST, outermost first, as the real stack layers them: key (API
Management), rate limit (API Management), body validation, balance, then the work itself,
where injected faults strike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import auth, cdn, media, replies, shapes
from .faults import Fault, FaultBoard
from .jobs import TERMINAL, Job, JobBook
from .model_files import endpoint_at
from .options import SandboxOptions
from .ratelimit import SandboxRateLimiter
from .replies import SandboxReply, json_reply
from .schema import Endpoint
from .stats import Stats
from .store import ImageStore
from .ticker import Ticker
from .validate import ValidationError, check_content_type, parse_body, validate
from .wallet import Wallet
from .webhooks import Webhook, WebhookSender, read_webhook

STATUS_PATH = "/v2/requests/status/"
TICK_SECONDS = 0.05  # how often jobs nobody polls are moved on
JOB_OUTCOMES = {None: "COMPLETED", "failed": "FAILED", "error": "ERROR", "never": None}
# Faults after which a real gateway may well have started (and billed) the work; the third such
# fault, slow, answers normally and is counted where it is answered.
# After the body went out, a real gateway may have started the work on any of these.
MAYBE_CHARGED = ("500", "502", "504", "drop")


class SandboxGateway:
    """The stand-in gateway's routes; the client's side of the wire is http.client.Gateway."""

    def __init__(
        self,
        options: SandboxOptions,
        clock: Callable[[], float],
        base_url: str,
        cdn_base_url: str,
    ) -> None:
        self._options = options
        self._clock = clock
        self._base_url = base_url
        self._cdn_base_url = cdn_base_url
        self._stats = Stats()
        self._faults = FaultBoard(options.faults)
        self._wallet = Wallet(options.balance)
        self._limiter = SandboxRateLimiter(options.rate_limit, clock)
        self._store = ImageStore()
        self._webhooks = WebhookSender(self._stats)
        self._jobs = JobBook(clock, self._job_entered)
        self._ticker = Ticker(self._jobs.advance_all, TICK_SECONDS, "sandbox-jobs")

    def start(self) -> None:
        self._webhooks.start()
        self._ticker.start()

    def close(self) -> None:
        self._ticker.stop()
        self._webhooks.close()

    # Control routes.

    def snapshot(self) -> dict[str, Any]:
        return {
            **self._stats.snapshot(),
            "balance": self._wallet.left,
            "faults": self._faults.active(),
        }

    def set_faults(self, specs: list[str]) -> None:
        self._faults.replace(specs)

    def reset(self) -> None:
        self._faults.replace([])
        self._jobs.clear()
        self._store.clear()
        self._wallet.reset()
        self._limiter.reset()
        self._stats.reset()

    # Gateway routes.

    def submit(self, path: str, headers: dict[str, str], raw: bytes) -> SandboxReply:
        endpoint = endpoint_at(path)
        if endpoint is None:
            return replies.route_not_found()
        self._stats.post_received(path)
        refused = auth.refusal(headers, self._options.key) or self._rate_check(headers)
        if refused is not None:
            return refused
        try:
            check_content_type(headers)
            body = parse_body(raw)
            validate(body, endpoint.fields)
            webhook = read_webhook(headers) if endpoint.kind == "queued" else None
        except ValidationError as exc:
            return replies.bad_request(str(exc))
        cost = int(body.get(endpoint.field_for("num_images"), 1))
        if not self._wallet.try_charge(cost):
            return replies.insufficient_balance()
        fault = self._faults.take("submit")
        if fault is not None and fault.what != "slow":
            self._wallet.refund(cost)
            return self._submit_fault(endpoint, fault)
        return self._accept(endpoint, body, headers, webhook, cost, fault)

    def status(self, request_id: str, headers: dict[str, str]) -> SandboxReply:
        self._stats.count("status_polls")
        refused = auth.refusal(headers, self._options.key)
        if refused is not None:
            return refused
        payload = self._jobs.view(request_id)
        if payload is None:
            return replies.request_not_found(request_id)
        fault = self._faults.take("status")
        if fault is None:
            return json_reply(200, payload)
        return _status_fault(fault, payload)

    def download(self, path: str, headers: dict[str, str]) -> SandboxReply:
        self._stats.count("downloads")
        if auth.KEY_HEADER in headers:
            # A CDN never needs the key; a client that sends it there is leaking it.
            self._stats.count("cdn_requests_with_key")
        image = self._store.get(path)
        if image is None:
            return replies.text_reply(404, "Not Found")
        return cdn.serve(image, self._faults.take("download"))

    # Steps of a submit.

    def _rate_check(self, headers: dict[str, str]) -> SandboxReply | None:
        retry_after = self._limiter.hit(headers[auth.KEY_HEADER].strip())
        return None if retry_after is None else replies.rate_limited(retry_after)

    def _accept(
        self,
        endpoint: Endpoint,
        body: dict[str, Any],
        headers: dict[str, str],
        webhook: Webhook | None,
        cost: int,
        slow: Fault | None,
    ) -> SandboxReply:
        self._stats.post_accepted(body, headers)
        if slow is not None:
            # Answered normally but late: a client that timed out cannot know it was billed.
            # Counted before the image is drawn, so a client that gave up already sees it.
            self._stats.count("posts_maybe_charged")
        if endpoint.kind == "queued":
            reply = self._enqueue(endpoint, body, webhook, cost)
        else:
            reply = self._generate(endpoint, body, cost)
            reply.delay = self._options.latency
        if slow is not None:
            reply.delay += slow.value or 0.0
        return reply

    def _generate(self, endpoint: Endpoint, body: dict[str, Any], cost: int) -> SandboxReply:
        urls = []
        for image in media.make_images(endpoint, body, cost):
            path = f"/cdn/{endpoint.cdn_dir}/{media.cdn_name(image.extension)}"
            self._store.put(path, image)
            urls.append(self._cdn_base_url + path)
        self._stats.count("images_made", cost)
        return json_reply(200, shapes.sync_payload(endpoint, urls))

    def _enqueue(
        self, endpoint: Endpoint, body: dict[str, Any], webhook: Webhook | None, cost: int
    ) -> SandboxReply:
        request_id = shapes.request_id(endpoint)
        job_fault = self._faults.take("job")
        outcome = JOB_OUTCOMES[job_fault.what if job_fault else None]
        made = media.make_images(endpoint, body, cost) if outcome == "COMPLETED" else []
        fmt = media.image_format(endpoint, body)
        folder = f"/cdn/{endpoint.cdn_dir}/{request_id}"
        paths = [f"{folder}/{_output_name(index, fmt)}" for index in range(cost)]
        urls = [self._cdn_base_url + path for path in paths]
        created = self._clock()
        job = Job(
            request_id,
            created,
            self._options.latency,
            outcome,
            paths,
            urls,
            made,
            media.CONTENT_TYPES[fmt],
            cost,
            webhook,
        )
        self._jobs.add(job)
        self._ticker.poke()
        return json_reply(202, self._queued_payload(endpoint, request_id))

    def _submit_fault(self, endpoint: Endpoint, fault: Fault) -> SandboxReply:
        if fault.what in MAYBE_CHARGED:
            self._stats.count("posts_maybe_charged")
        result_keys = shapes.result_keys(endpoint)
        reply = replies.transport_fault(fault.what, f'{{"{result_keys[0]}": '.encode())
        if reply is not None:
            return reply
        # missing-field / empty-url: a success in every respect but the result itself.
        if endpoint.kind == "queued":
            status, payload = 202, self._queued_payload(endpoint, shapes.request_id(endpoint))
        else:
            status, payload = 200, shapes.sync_payload(endpoint, [self._cdn_base_url + "/cdn/none"])
        for key in result_keys:
            if fault.what == "missing-field":
                del payload[key]
            else:
                payload[key] = ""
        return json_reply(status, payload)

    def _queued_payload(self, endpoint: Endpoint, request_id: str) -> dict[str, Any]:
        return shapes.queued_payload(endpoint, request_id,
                                     f"{self._base_url}{STATUS_PATH}{request_id}")

    # Runs under the job book's lock, once per state a job enters.
    def _job_entered(self, job: Job) -> None:
        if job.status == "COMPLETED":
            for path, image in zip(job.paths, job.images, strict=True):
                self._store.put(path, image)
            self._stats.count("images_made", len(job.images))
        elif job.status == "ERROR":
            self._wallet.refund(job.charged)  # the vendor: "ERROR - System error, not charged"
        hook = job.webhook
        if hook is not None and (hook.mode == "sync" or job.status in TERMINAL):
            self._webhooks.send(hook.url, self._jobs.payload(job, callback=True))


def _status_fault(fault: Fault, payload: dict[str, Any]) -> SandboxReply:
    reply = replies.transport_fault(fault.what, b'{"request_id": ')
    if reply is not None:
        return reply
    if fault.what == "missing-field":
        del payload["status"]
    elif fault.what == "empty-url":
        output = {"media_url": [""], "media_type": "image/png"}
        payload.update(status="COMPLETED", error=None, output=output)
    elif fault.what == "unknown-status":
        payload["status"] = "WEIRD"
    reply = json_reply(200, payload)
    if fault.what == "slow":
        reply.delay = fault.value or 0.0
    return reply


def _output_name(index: int, fmt: str) -> str:
    # The vendor's one example is .../<request_id>/output.png; extra images get a suffix.
    return f"output.{fmt}" if index == 0 else f"output_{index}.{fmt}"
