"""The shapes a reply to a paid POST may take besides a JSON object, as a Stream endpoint
(lightning, inpaint `--stream`) may send them: the image itself (Content-Type image/*), or
server-sent events (text/event-stream) whose last data is the JSON object the plain endpoint
would have sent. The vendor's pages document only the JSON; after paying, each of these is
saved rather than refused."""

from __future__ import annotations

import dataclasses

import httpx

from pixazo_cli.http.replies import Answer, Reply, from_sandbox, json_reply
from pixazo_cli.jsontext import loads

EVENT_STREAM = "text/event-stream"
# An image in the reply is held in memory until it is written to its part file: the cap keeps
# that bounded however large the download cap (max_download_mb) is set.
MAX_INLINE_IMAGE_BYTES = 30_000_000


def media_type(headers: httpx.Headers) -> str:
    return headers.get("Content-Type", "").split(";")[0].strip().lower()


def is_image(headers: httpx.Headers) -> bool:
    return media_type(headers).startswith("image/")


def event_data(content: bytes) -> list[bytes]:
    """Each event's data, in order. Events end at a blank line; each `data:` line adds one line
    to its event's data (the SSE format); other fields (event:, id:, comments) are ignored."""
    text = content.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    found = []
    for event in text.split(b"\n\n"):
        data = [line[5:].removeprefix(b" ") for line in event.split(b"\n")
                if line.startswith(b"data:")]
        if data:
            found.append(b"\n".join(data))
    return found


def paid_reply(response: Answer) -> Reply:
    """A paid POST's reply, in whichever shape it came: the image itself, the last JSON object
    of an event stream, or plain JSON."""
    if response.status_code == 200 and is_image(response.headers) and response.content:
        return Reply(200, {}, image=response.content, sandbox=from_sandbox(response))
    if media_type(response.headers) == EVENT_STREAM:
        response = dataclasses.replace(response, content=_last_json_event(response.content))
    return json_reply(response, paid=True)


def _last_json_event(content: bytes) -> bytes:
    """The last event whose data is a JSON object (a stream may end with a `[DONE]` marker);
    without one, the stream as it came, which then fails as "not JSON"."""
    for data in reversed(event_data(content)):
        try:
            if isinstance(loads(data), dict):
                return data
        except ValueError:
            continue
    return content
