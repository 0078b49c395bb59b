"""The sandbox answers a status request for an id it never issued with 404, but only once the
key passed: a refused key is 401 whatever the id. `pixazo auth status --check` relies on it."""

from __future__ import annotations

from collections.abc import Callable

import requests

from pixazo_cli.sandbox import Sandbox

STATUS = "/v2/requests/status/no-such-job"


def status(sandbox: Sandbox, key: str | None) -> requests.Response:
    headers = {} if key is None else {"Ocp-Apim-Subscription-Key": key}
    return requests.get(sandbox.base_url + STATUS, headers=headers, timeout=10)


def test_an_unknown_id_with_the_right_key_is_404(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(key="the-key")
    assert status(sandbox, "the-key").status_code == 404


def test_an_unknown_id_with_a_wrong_key_is_401_not_404(
        make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(key="the-key")
    assert status(sandbox, "another-key").status_code == 401


def test_an_unknown_id_without_a_key_is_401(make_sandbox: Callable[..., Sandbox]) -> None:
    assert status(make_sandbox(), None).status_code == 401
