"""Who may call, how often, and how far the wallet goes: 401, 429 and 402."""

from __future__ import annotations

from collections.abc import Callable

import requests

from pixazo_cli.sandbox import Sandbox
from pixazo_cli.sandbox.ratelimit import SandboxRateLimiter

from .conftest import SandboxClock
from .support import KEY, NUCLEUS, SDXL, poll, post, submit_nucleus

MISSING = (
    "Access denied due to missing subscription key. "
    "Make sure to include subscription key when making requests to an API."
)
INVALID = (
    "Access denied due to invalid subscription key. "
    "Make sure to provide a valid key for an active subscription."
)


def test_missing_key_is_401_in_api_management_shape(sandbox: Sandbox) -> None:
    response = requests.post(sandbox.base_url + SDXL, json={"prompt": "x"}, timeout=10)
    assert response.status_code == 401
    assert response.json() == {"statusCode": 401, "message": MISSING}


def test_empty_key_counts_as_missing(sandbox: Sandbox) -> None:
    response = post(sandbox.base_url, SDXL, {"prompt": "x"}, **{"Ocp-Apim-Subscription-Key": ""})
    assert response.json() == {"statusCode": 401, "message": MISSING}


def test_any_key_is_accepted_when_none_is_configured(sandbox: Sandbox) -> None:
    headers = {"Ocp-Apim-Subscription-Key": "whatever"}
    response = post(sandbox.base_url, SDXL, {"prompt": "x"}, **headers)
    assert response.status_code == 200


def test_only_the_configured_key_is_accepted(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(key="right")
    wrong = post(sandbox.base_url, SDXL, {"prompt": "x"}, **{"Ocp-Apim-Subscription-Key": "no"})
    assert wrong.status_code == 401
    assert wrong.json() == {"statusCode": 401, "message": INVALID}
    right = post(sandbox.base_url, SDXL, {"prompt": "x"}, **{"Ocp-Apim-Subscription-Key": "right"})
    assert right.status_code == 200


def test_status_needs_a_key_but_the_cdn_does_not(sandbox: Sandbox) -> None:
    polling_url = submit_nucleus(sandbox.base_url)
    assert requests.get(polling_url, timeout=10).status_code == 401
    [url] = poll(polling_url).json()["output"]["media_url"]
    assert requests.get(url, timeout=10).status_code == 200


def test_402_once_the_balance_is_spent(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(balance=1)
    assert post(sandbox.base_url, SDXL, {"prompt": "x"}).status_code == 200
    refused = post(sandbox.base_url, SDXL, {"prompt": "x"})
    assert refused.status_code == 402
    assert refused.json() == {
        "error": "Insufficient Balance",
        "message": "Your wallet does not have enough balance.",
    }
    stats = sandbox.stats()
    assert (stats["posts_accepted"], stats["images_made"], stats["balance"]) == (1, 1, 0)


def test_402_when_num_images_exceeds_the_balance(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(balance=2)
    assert post(sandbox.base_url, NUCLEUS, {"prompt": "x", "num_images": 3}).status_code == 402
    assert post(sandbox.base_url, NUCLEUS, {"prompt": "x", "num_images": 2}).status_code == 202
    assert sandbox.stats()["balance"] == 0


def test_bad_requests_and_faults_are_not_charged(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(balance=1, faults=["submit:503*1"])
    assert post(sandbox.base_url, SDXL, {"prompt": "x", "width": 1}).status_code == 400
    assert post(sandbox.base_url, SDXL, {"prompt": "x"}).status_code == 503
    assert post(sandbox.base_url, SDXL, {"prompt": "x"}).status_code == 200
    assert sandbox.stats()["balance"] == 0


def test_error_jobs_are_refunded_failed_jobs_are_not(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(balance=2, faults=["job:error*1", "job:failed*1"])
    assert poll(submit_nucleus(sandbox.base_url)).json()["status"] == "ERROR"
    assert sandbox.stats()["balance"] == 2
    assert poll(submit_nucleus(sandbox.base_url)).json()["status"] == "FAILED"
    assert sandbox.stats()["balance"] == 1


def test_429_past_the_rate_limit_with_retry_after(
    make_sandbox: Callable[..., Sandbox], clock: SandboxClock
) -> None:
    sandbox = make_sandbox(rate_limit=2)
    for _ in range(2):
        assert post(sandbox.base_url, SDXL, {"prompt": "x"}).status_code == 200
        clock.advance(10)
    refused = post(sandbox.base_url, SDXL, {"prompt": "x"})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "40"  # the first POST leaves the window at t+60
    assert refused.json() == {
        "statusCode": 429,
        "message": "Rate limit is exceeded. Try again in 40 seconds.",
    }
    clock.advance(39.5)
    assert post(sandbox.base_url, SDXL, {"prompt": "x"}).headers["Retry-After"] == "1"
    clock.advance(0.5)
    assert post(sandbox.base_url, SDXL, {"prompt": "x"}).status_code == 200


def test_rate_limit_is_per_key_and_ignores_polls(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(rate_limit=1)
    polling_url = submit_nucleus(sandbox.base_url)
    for _ in range(5):
        assert poll(polling_url).status_code == 200
    assert post(sandbox.base_url, SDXL, {"prompt": "x"}).status_code == 429
    other = {"Ocp-Apim-Subscription-Key": "another-key"}
    assert post(sandbox.base_url, SDXL, {"prompt": "x"}, **other).status_code == 200


def test_rate_limit_zero_means_unlimited(clock: SandboxClock) -> None:
    limiter = SandboxRateLimiter(0, clock)
    assert all(limiter.hit(KEY) is None for _ in range(1000))
