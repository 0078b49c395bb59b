"""What the stats record, the control routes, and the two origins."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from pixazo_cli.sandbox import Sandbox
from pixazo_cli.sandbox.server import origins

from .support import AUTH, NUCLEUS, SDXL, poll, post, submit_nucleus


def test_counts_bodies_and_headers(sandbox: Sandbox) -> None:
    polling_url = submit_nucleus(sandbox.base_url, num_images=2)
    post(sandbox.base_url, SDXL, {"prompt": "x", "width": 1})  # 400: received, not accepted
    post(sandbox.base_url, SDXL, {"prompt": "y"}, **{"X-Extra": "1"})
    urls = poll(polling_url).json()["output"]["media_url"]
    poll(polling_url)
    for url in urls:
        requests.get(url, timeout=10)
    stats = sandbox.stats()
    assert stats["posts_received"] == 3
    assert stats["posts_accepted"] == 2
    assert stats["posts_by_path"] == {NUCLEUS: 1, SDXL: 2}
    assert stats["status_polls"] == 2
    assert stats["downloads"] == 2
    assert stats["images_made"] == 3
    assert stats["cdn_requests_with_key"] == 0
    assert stats["bodies"] == [{"prompt": "a lighthouse", "num_images": 2}, {"prompt": "y"}]
    assert stats["headers"][1]["x-extra"] == "1"
    assert stats["headers"][0]["ocp-apim-subscription-key"] == AUTH["Ocp-Apim-Subscription-Key"]


def test_http_stats_match_the_method(sandbox: Sandbox) -> None:
    post(sandbox.base_url, SDXL, {"prompt": "x"})
    over_http = requests.get(sandbox.base_url + "/_sandbox/stats", timeout=10).json()
    assert over_http == sandbox.stats()


def test_key_sent_to_the_cdn_is_recorded(sandbox: Sandbox) -> None:
    url = post(sandbox.base_url, SDXL, {"prompt": "x"}).json()["imageUrl"]
    assert url.startswith(sandbox.cdn_base_url)
    assert sandbox.cdn_base_url != sandbox.base_url
    assert requests.get(url, headers=AUTH, timeout=10).status_code == 200
    assert sandbox.stats()["cdn_requests_with_key"] == 1


def test_cdn_paths_are_served_on_both_origins(sandbox: Sandbox) -> None:
    url = post(sandbox.base_url, SDXL, {"prompt": "x"}).json()["imageUrl"]
    same_path = url.replace(sandbox.cdn_base_url, sandbox.base_url)
    assert requests.get(same_path, timeout=10).content == requests.get(url, timeout=10).content


def test_reset_clears_everything(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(balance=1, faults=["status:500"])
    polling_url = submit_nucleus(sandbox.base_url)
    assert requests.post(sandbox.base_url + "/_sandbox/reset", timeout=10).status_code == 200
    stats = sandbox.stats()
    assert (stats["posts_received"], stats["bodies"], stats["faults"]) == (0, [], [])
    assert stats["balance"] == 1
    assert poll(polling_url).status_code == 404


def test_unknown_routes_are_404(sandbox: Sandbox) -> None:
    assert requests.get(sandbox.base_url + "/nope", timeout=10).status_code == 404
    assert post(sandbox.base_url, "/sd3/v1/other", {"prompt": "x"}).status_code == 404
    assert sandbox.stats()["posts_received"] == 0


@pytest.mark.parametrize(
    ("host", "api", "cdn"),
    [
        ("127.0.0.1", "http://127.0.0.1:8787", "http://localhost:8787"),
        ("localhost", "http://localhost:8787", "http://127.0.0.1:8787"),
        ("0.0.0.0", "http://127.0.0.1:8787", "http://localhost:8787"),
        ("::1", "http://[::1]:8787", "http://[0:0:0:0:0:0:0:1]:8787"),
    ],
)
def test_two_origins_for_one_socket(host: str, api: str, cdn: str) -> None:
    assert origins(host, 8787) == (api, cdn)
