"""A model file cannot send the key to another host: its endpoint is a path on the configured
gateway, checked when the file is read, and checked again by the client before any POST."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpx import HTTPXMock

from pixazo_cli.errors import UsageError
from pixazo_cli.http.client import Gateway
from pixazo_cli.http.clock import Deadline, SystemClock
from pixazo_cli.models.request import ApiRequest
from pixazo_cli.models.spec import gateway_path_problem
from pixazo_cli.models.table import MODELS
from tests.conftest import CDN, GATEWAY, KEY, PNG, run, sent_bodies
from tests.models.support import SYNC, install

HOSTILE = [
    "https://evil.example/steal", "http://evil.example/x", "//evil.example/x",
    "///evil.example/x", "evil.example/x", "/x/../../evil", "/..", "/x/./y", "/x//y",
    "/x\\evil", "\\\\evil.example\\x", "/x%2F..%2Fevil", "/%2e%2e/x", "/x?u=https://evil",
    "/x#frag", "/x/@evil.example", "/x:80", " /x", "/x ", "/x\ny", "/x\ty", "/x\x00",
    "/ʰttps", "/x/ｅvil", "", "/", "/x/", "/v2/requests/status/abc", "/_sandbox/reset",
]


@pytest.mark.parametrize("endpoint", HOSTILE)
def test_a_hostile_endpoint_is_refused_when_the_file_is_read(tmp_path, endpoint: str) -> None:
    text = SYNC.replace('"/pixel-art/v1/generate"', _toml_string(endpoint))
    path = tmp_path / "pixel.toml"
    path.write_text(text, encoding="utf-8")
    result = run("models", "check", str(path))
    assert result.exit_code == 2
    assert f"{path}:5: endpoint: " in result.stderr or f"{path}:5: " in result.stderr


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    escaped = escaped.replace("\t", "\\t").replace("\x00", "\\u0000")
    return f'"{escaped}"'


@given(st.text(min_size=1, max_size=40))
@settings(max_examples=400, deadline=None)
def test_any_endpoint_the_check_accepts_stays_on_the_gateways_host(path: str) -> None:
    """Whatever a file says, a path that passes goes to the base URL's own host, port and
    scheme, under its own path prefix."""
    if gateway_path_problem(path) is not None:
        return
    for base in ("https://gateway.pixazo.ai", "https://proxy.example:8443/pixazo"):
        client = httpx.Client(base_url=base)
        url = client.build_request("POST", path).url
        assert (url.scheme, url.host, url.port) == (httpx.URL(base).scheme,
                                                    httpx.URL(base).host, httpx.URL(base).port)
        assert url.path.startswith(httpx.URL(base).path.rstrip("/") + "/")


def test_a_user_models_request_goes_to_the_configured_gateway_only(
        httpx_mock: HTTPXMock, key: str) -> None:
    install(SYNC, "pixel")
    httpx_mock.add_response(method="POST", url=f"{GATEWAY}/pixel-art/v1/generate",
                            json={"data": {"images": [f"{CDN}/a.png"]}})
    httpx_mock.add_response(method="GET", url=f"{CDN}/a.png", content=PNG)
    result = run("pixel", "a fox", "--seed", "3")
    assert result.exit_code == 0, result.stderr
    [post] = [r for r in httpx_mock.get_requests() if r.method == "POST"]
    assert post.url == f"{GATEWAY}/pixel-art/v1/generate"
    assert post.headers["Ocp-Apim-Subscription-Key"] == KEY
    [get] = [r for r in httpx_mock.get_requests() if r.method == "GET"]
    assert "Ocp-Apim-Subscription-Key" not in get.headers  # never to the image host
    assert sent_bodies(httpx_mock) == [{"prompt": "a fox", "random_seed": 3}]


@pytest.mark.parametrize("path", ["https://evil.example/x", "//evil.example/x", "/x/../y"])
def test_the_client_refuses_a_hostile_path_whatever_built_the_request(
        httpx_mock: HTTPXMock, path: str) -> None:
    clock = SystemClock()
    gateway = Gateway(GATEWAY, KEY, Deadline(clock, 5), clock)
    try:
        with pytest.raises(UsageError, match="Not sent"):
            gateway.submit(ApiRequest(MODELS["sdxl"], path, {"prompt": "x"}))
    finally:
        gateway.close()
    assert httpx_mock.get_requests() == []
