"""`auth status --check` reads the gateway's answer to a status request for a made-up id:
401/403 refused (exit 3), 404 the key works (exit 0), anything else: it cannot tell (exit 7),
saying what happened. One request, never retried, never a POST."""

from __future__ import annotations

import re

import pytest
from pytest_httpx import HTTPXMock

from tests.conftest import GATEWAY, run

STATUS = re.compile(re.escape(GATEWAY) + r"/v2/requests/status/.+")


@pytest.mark.parametrize("code", [401, 403])
def test_a_refusal_is_exit_3(httpx_mock: HTTPXMock, key: str, code: int) -> None:
    httpx_mock.add_response(method="GET", url=STATUS, status_code=code,
                            json={"statusCode": code, "message": "Access denied"})
    result = run("auth", "status", "--check")
    assert result.exit_code == 3
    assert f"refused the API key ({code}" in result.stderr


def answer(httpx_mock: HTTPXMock, key: str, code: int) -> None:
    httpx_mock.add_response(method="GET", url=STATUS, status_code=code,
                            match_headers={"Ocp-Apim-Subscription-Key": key},
                            json={"statusCode": code, "message": "as told"})


def test_not_found_means_the_key_works_when_no_key_is_refused(httpx_mock: HTTPXMock,
                                                               key: str) -> None:
    answer(httpx_mock, key, 404)
    answer(httpx_mock, "", 401)  # the same question without a key: refused, so keys are checked
    result = run("auth", "status", "--check")
    assert result.exit_code == 0, result.stderr
    assert "accepts this key" in result.stderr
    assert [r.method for r in httpx_mock.get_requests()] == ["GET", "GET"]


def test_not_found_with_and_without_a_key_proves_nothing_exit_7(httpx_mock: HTTPXMock,
                                                                 key: str) -> None:
    answer(httpx_mock, key, 404)
    answer(httpx_mock, "", 404)
    result = run("auth", "status", "--check")
    assert result.exit_code == 7
    assert "no key check there" in result.stderr
    assert "base URL" in result.stderr


def test_a_server_error_is_exit_7_once_without_retrying(httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="GET", url=STATUS, status_code=500,
                            json={"error": "Internal Server Error"})
    result = run("auth", "status", "--check")
    assert result.exit_code == 7
    assert "Cannot tell whether the key works" in result.stderr
    assert "500" in result.stderr
    assert len(httpx_mock.get_requests()) == 1


def test_a_success_for_a_made_up_id_is_exit_7(httpx_mock: HTTPXMock, key: str) -> None:
    httpx_mock.add_response(method="GET", url=STATUS, json={"status": "COMPLETED"})
    result = run("auth", "status", "--check")
    assert result.exit_code == 7
    assert "answered 200 for a request id that does not exist" in result.stderr


def test_no_key_is_exit_3_before_asking(httpx_mock: HTTPXMock) -> None:
    result = run("auth", "status", "--check")
    assert result.exit_code == 3
    assert httpx_mock.get_requests() == []


def test_the_sandbox_takes_its_own_key() -> None:
    result = run("--sandbox", "auth", "status", "--check")
    assert result.exit_code == 0, result.stderr
    assert "sandbox" in result.stdout
