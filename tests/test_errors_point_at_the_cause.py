"""Errors that point at the cause: each failure says what happened in plain words, once, and
what to check; never the HTTP stack's class names, never the same phrase twice, never "..".
Through the CLI, against the sandbox (with its faults) or pytest-httpx."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from pytest_httpx import HTTPXMock

from pixazo_cli.http.failures import in_words
from pixazo_cli.sandbox import Sandbox
from tests.conftest import GATEWAY, reset_sandbox, run

NOTHING_EXPECTED = pytest.mark.httpx_mock(assert_all_requests_were_expected=False)
SDXL_URL = f"{GATEWAY}/getImage/v1/getSDXLImage"
NUCLEUS_URL = f"{GATEWAY}/nucleus-image/v1/nucleus-image-request"
HTTPX_NAMES = re.compile(r"\b\w+(Error|Timeout|Exception)\b")


def no_double_stop(text: str) -> bool:
    return not re.search(r"(?<!\.)\.\.(\s|$)", text)


# --- a base URL without its scheme ---

@NOTHING_EXPECTED
@pytest.mark.parametrize(("typed", "meant"), [("gateway.pixazo.ai", "https://gateway.pixazo.ai"),
                                              ("localhost:8787", "http://localhost:8787")])
def test_a_base_url_without_scheme_says_the_scheme_is_missing(
        httpx_mock: HTTPXMock, key: str, typed: str, meant: str) -> None:
    result = run("--base-url", typed, "sdxl", "a fox")
    assert result.exit_code == 2
    assert "lacks its http(s):// scheme" in result.stderr
    assert f"Did you mean {meant}?" in result.stderr
    assert httpx_mock.get_requests() == []


@NOTHING_EXPECTED
def test_the_missing_scheme_is_said_before_a_missing_key(httpx_mock: HTTPXMock) -> None:
    result = run("sdxl", "a fox", "--base-url", "gateway.pixazo.ai")
    assert result.exit_code == 2
    assert "http(s)://" in result.stderr


def test_config_set_base_url_without_scheme_is_refused_the_same_way() -> None:
    result = run("config", "set", "base_url", "gateway.pixazo.ai")
    assert result.exit_code == 2
    assert "lacks its http(s):// scheme" in result.stderr


# --- a POST answered 404 ---

def test_a_post_answered_404_says_there_is_no_such_endpoint_and_to_check_the_base_url(
        gateway: Sandbox) -> None:
    result = run("sdxl", "a fox", "--base-url", gateway.base_url + "/v1")
    assert result.exit_code == 2
    assert "no endpoint at" in result.stderr
    assert f"{gateway.base_url}/v1/getImage/v1/getSDXLImage" in result.stderr
    assert "--base-url" in result.stderr
    assert "flags" not in result.stderr
    assert gateway.stats()["posts_accepted"] == 0


# --- the gateway's words, once ---

def test_a_gateway_message_repeating_the_status_reason_is_printed_once(
        httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="POST", url=SDXL_URL, status_code=500, json={
        "error": "Internal Server Error", "message": "Internal Server Error"})
    result = run("sdxl", "a fox")
    assert result.exit_code == 7
    assert result.stderr.count("Internal Server Error") == 1


def test_a_gateway_reason_ending_in_a_full_stop_ends_the_message_once(
        httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="POST", url=NUCLEUS_URL, status_code=202,
                            json={"request_id": "req-1", "status": "QUEUED"})
    httpx_mock.add_response(method="GET", url=f"{GATEWAY}/v2/requests/status/req-1", json={
        "request_id": "req-1", "status": "FAILED", "error": "The prompt was flagged."})
    result = run("nucleus", "a fox")
    assert result.exit_code == 6
    assert "The prompt was flagged." in result.stderr
    assert no_double_stop(result.stderr), result.stderr


# --- network failures in plain words ---

def test_a_download_cut_off_says_the_image_host_closed_the_connection(gateway: Sandbox) -> None:
    reset_sandbox(gateway, ["download:truncated*3"])
    result = run("sdxl", "a fox")
    assert result.exit_code == 8
    assert "the image host closed the connection mid-download" in result.stderr
    assert not HTTPX_NAMES.search(result.stderr), result.stderr
    assert result.stderr.count("/cdn/") == 1  # the URL, said once (in the hint)


def test_a_dropped_paid_request_says_the_gateway_closed_the_connection(gateway: Sandbox) -> None:
    reset_sandbox(gateway, ["submit:drop"])
    result = run("sdxl", "a fox")
    assert result.exit_code == 7
    assert "the gateway closed the connection mid-reply" in result.stderr
    assert not HTTPX_NAMES.search(result.stderr), result.stderr


def test_a_refused_connection_says_so(httpx_mock: HTTPXMock, key: str) -> None:
    for _ in range(4):  # the first try and its resends: nothing was started
        httpx_mock.add_exception(httpx.ConnectError("[Errno 111] Connection refused"))
    result = run("sdxl", "a fox")
    assert result.exit_code == 7
    assert f"Cannot reach {GATEWAY}: the connection was refused" in result.stderr
    assert "Errno" not in result.stderr
    assert not HTTPX_NAMES.search(result.stderr), result.stderr


@pytest.mark.parametrize("exc", [
    httpx.RemoteProtocolError("peer closed connection"), httpx.ReadError("reset"),
    httpx.WriteError("broken pipe"), httpx.ConnectTimeout("t"), httpx.ReadTimeout("t"),
    httpx.WriteTimeout("t"), httpx.PoolTimeout("t"), httpx.ProxyError("p"),
    httpx.ConnectError("[Errno -2] Name or service not known"),
    httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
    httpx.ConnectError("odd"), httpx.UnsupportedProtocol("x"), httpx.DecodingError("x"),
    httpx.TooManyRedirects("x"), httpx.LocalProtocolError("x"), httpx.CloseError("x"),
    ConnectionResetError(104, "Connection reset by peer"),
], ids=lambda exc: type(exc).__name__)
def test_every_network_failure_has_plain_words(exc: BaseException) -> None:
    words = in_words(exc, "the image host", "mid-download")
    assert words and words[0].islower()
    assert type(exc).__name__ not in words
    assert not words.endswith(".")


# --- local files ---

@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_output_to_dev_full_says_it_is_not_a_file_once_and_sends_nothing(
        gateway: Sandbox) -> None:
    result = run("sdxl", "a fox", "-o", "/dev/full")
    assert result.exit_code == 8
    assert "/dev/full is not a regular file" in result.stderr
    assert "File exists" not in result.stderr
    assert result.stderr.count("/dev/full") == 1
    assert gateway.stats()["posts_received"] == 0


def test_inspect_of_a_folder_says_it_is_a_folder(isolated: Path) -> None:
    (isolated / "shots").mkdir()
    result = run("inspect", "shots")
    assert result.exit_code == 2
    assert "shots is a folder, not an image file." in result.stderr
    assert "No such file" not in result.stderr


def test_inspect_of_a_missing_file_says_no_such_file(isolated: Path) -> None:
    result = run("inspect", "gone.png")
    assert result.exit_code == 2
    assert "No such file: gone.png." in result.stderr
