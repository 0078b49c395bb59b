"""Injected faults: the grammar, the *N budget, runtime control, and submit faults."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable

import pytest
import requests

from pixazo_cli.sandbox import Sandbox
from pixazo_cli.sandbox.faults import FaultBoard, parse_fault

from .support import NUCLEUS, SD3, SD35, SD35_BODY, SDXL, post

# --- grammar -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "parts"),
    [
        ("submit:503", ("submit", "503", None, None)),
        ("submit:503*2", ("submit", "503", None, 2)),
        ("status:unknown-status", ("status", "unknown-status", None, None)),
        ("submit:slow", ("submit", "slow", 3.0, None)),
        ("submit:slow=0.5*1", ("submit", "slow", 0.5, 1)),
        ("download:huge=50", ("download", "huge", 50.0, None)),
        ("job:never", ("job", "never", None, None)),
    ],
)
def test_good_specs(spec: str, parts: tuple) -> None:
    fault = parse_fault(spec)
    assert (fault.where, fault.what, fault.value, fault.remaining) == parts


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "submit",
        "upload:500",
        "submit:418",
        "submit:unknown-status",
        "job:500",
        "download:drop",
        "download:huge",
        "download:huge=0",
        "submit:503=2",
        "submit:503*0",
        "submit:503*x",
        "submit:slow=-1",
    ],
)
def test_bad_specs(spec: str) -> None:
    with pytest.raises(ValueError, match="bad fault spec"):
        parse_fault(spec)


def test_counted_faults_run_out_then_the_next_one_applies() -> None:
    board = FaultBoard(["submit:503*2", "status:500", "submit:502"])
    taken = [board.take("submit").what for _ in range(4)]  # type: ignore[union-attr]
    assert taken == ["503", "503", "502", "502"]
    assert board.take("download") is None
    assert board.active() == ["status:500", "submit:502"]


def test_bad_spec_changes_nothing() -> None:
    board = FaultBoard(["submit:500"])
    with pytest.raises(ValueError):
        board.replace(["submit:503", "nonsense"])
    assert board.active() == ["submit:500"]


# --- submit ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_submit_server_errors(make_sandbox: Callable[..., Sandbox], code: int) -> None:
    sandbox = make_sandbox(faults=[f"submit:{code}*1"])
    response = post(sandbox.base_url, SDXL, {"prompt": "x"})
    assert response.status_code == code
    assert set(response.json()) == {"error", "message"}
    assert post(sandbox.base_url, SDXL, {"prompt": "x"}).status_code == 200


def test_submit_429_says_retry_after_one_second(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(faults=["submit:429"])
    response = post(sandbox.base_url, SDXL, {"prompt": "x"})
    assert (response.status_code, response.headers["Retry-After"]) == (429, "1")
    assert response.json()["statusCode"] == 429


def test_submit_html(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(faults=["submit:html"])
    response = post(sandbox.base_url, SDXL, {"prompt": "x"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")


def test_submit_bad_json(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(faults=["submit:bad-json"])
    response = post(sandbox.base_url, SDXL, {"prompt": "x"})
    assert (response.status_code, response.headers["Content-Type"]) == (200, "application/json")
    assert response.text == '{"imageUrl": '
    with pytest.raises(ValueError):
        json.loads(response.text)


@pytest.mark.parametrize(
    ("path", "body", "missing"),
    [
        (SDXL, {"prompt": "x"}, {}),
        (SD3, {"prompt": "x"}, {}),
        (SD35, SD35_BODY, {"status": "succeeded"}),
        (NUCLEUS, {"prompt": "x"}, {"status": "QUEUED"}),
    ],
)
def test_submit_missing_field(
    make_sandbox: Callable[..., Sandbox], path: str, body: dict, missing: dict
) -> None:
    sandbox = make_sandbox(faults=["submit:missing-field"])
    reply = post(sandbox.base_url, path, body).json()
    reply.pop("id", None)  # sd35 keeps its prediction id
    assert reply == missing


@pytest.mark.parametrize(
    ("path", "body", "key"),
    [
        (SDXL, {"prompt": "x"}, "imageUrl"),
        (SD3, {"prompt": "x"}, "output"),
        (SD35, SD35_BODY, "output"),
    ],
)
def test_submit_empty_url(
    make_sandbox: Callable[..., Sandbox], path: str, body: dict, key: str
) -> None:
    sandbox = make_sandbox(faults=["submit:empty-url"])
    response = post(sandbox.base_url, path, body)
    assert response.status_code == 200
    assert response.json()[key] == ""
    assert sandbox.stats()["images_made"] == 0


def test_submit_drop_closes_without_answering(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(faults=["submit:drop*1"])
    with pytest.raises(requests.ConnectionError):
        post(sandbox.base_url, SDXL, {"prompt": "x"})
    assert post(sandbox.base_url, SDXL, {"prompt": "x"}).status_code == 200


def test_submit_slow_answers_normally_but_late(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(faults=["submit:slow=0.2*1"])
    started = time.monotonic()
    response = post(sandbox.base_url, SDXL, {"prompt": "x"})
    assert time.monotonic() - started >= 0.2
    assert response.status_code == 200 and response.json()["imageUrl"]


@pytest.mark.parametrize(
    ("fault", "accepted", "maybe_charged"),
    [
        ("500", 0, 1),
        ("drop", 0, 1),
        ("slow=0", 1, 1),
        ("502", 0, 1),
        ("503", 0, 0),
        ("504", 0, 1),
        ("429", 0, 0),
        ("html", 0, 0),
        ("bad-json", 0, 0),
        ("missing-field", 0, 0),
        ("empty-url", 0, 0),
    ],
)
def test_which_submit_faults_count_as_paid(
    make_sandbox: Callable[..., Sandbox], fault: str, accepted: int, maybe_charged: int
) -> None:
    sandbox = make_sandbox(faults=[f"submit:{fault}"], balance=5)
    with contextlib.suppress(requests.ConnectionError):  # the drop fault
        post(sandbox.base_url, SDXL, {"prompt": "x"})
    stats = sandbox.stats()
    assert (stats["posts_accepted"], stats["posts_maybe_charged"]) == (accepted, maybe_charged)
    assert stats["balance"] == 5 - accepted


# --- control -----------------------------------------------------------------------------


def test_faults_set_at_runtime_over_http(sandbox: Sandbox) -> None:
    control = sandbox.base_url + "/_sandbox/faults"
    response = requests.post(control, json={"faults": ["submit:503*1"]}, timeout=10)
    assert response.status_code == 200
    assert post(sandbox.base_url, SDXL, {"prompt": "x"}).status_code == 503
    bad = requests.post(control, json={"faults": ["submit:teapot"]}, timeout=10)
    assert bad.status_code == 400
    assert "submit:teapot" in bad.json()["message"]
    assert requests.post(control, json={"faults": "submit:500"}, timeout=10).status_code == 400
    assert requests.post(control, json={}, timeout=10).status_code == 400


def test_set_faults_method_refuses_bad_specs(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError):
        sandbox.set_faults(["nonsense"])
    sandbox.set_faults(["submit:502"])
    assert sandbox.stats()["faults"] == ["submit:502"]
